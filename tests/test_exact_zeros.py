"""Exact zeros from every backend: what the certificate proves is zero is 0.0.

Interior-point and operator-splitting solvers stop at ~1e-12 off the
support. The problem layer zeroes the coefficients that pass the Gap Safe
test at the returned point (``lassokit._zeros``), so ``support`` and
``sparse_coef_`` agree across backends.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import converged_ref

import lassokit as lk
from lassokit._zeros import provably_zero


def _data(seed=0, n=50, p=15):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p)
    y = X[:, :3] @ [1.0, -2.0, 3.0] + 0.1 * rng.randn(n)
    return X, y


@pytest.mark.parametrize("backend", ["cvxpy", "osqp", "admm", "cd"])
@pytest.mark.parametrize("storage", ["dense", "csr"])
def test_support_is_exact_on_every_backend(backend, storage):
    X, y = _data()
    Xs = sp.csr_matrix(X) if storage == "csr" else X
    # The reference support from a tight cd solve, checked converged (a
    # tol of 1e-14 is at float64's edge: issue 21, item 8).
    ref = converged_ref(lk.lasso(X, y, 0.1).solve("cd", tol=1e-12, max_iter=100_000))
    sol = lk.lasso(Xs, y, 0.1).solve(backend, tol=1e-8)
    assert sol.converged
    np.testing.assert_array_equal(sol.support, ref.support)
    assert np.count_nonzero(sol.coef) == ref.support.size == 3


def test_estimator_sparse_coef_from_cvxpy():
    X, y = _data(1)
    m = lk.Lasso(alpha=0.1, backend="cvxpy").fit(X, y)
    assert m.sparse_coef_.nnz == 3


def test_zeroing_is_safe_and_keeps_real_small_coefficients():
    # Features 1e10 apart in scale: a coefficient of 1e-10 is real here, and
    # no raw-scale threshold may remove it.
    rng = np.random.RandomState(2)
    Z = rng.randn(80, 4)
    X = Z * np.array([1e10, 1.0, 1.0, 1.0])
    y = Z[:, 0] + Z[:, 1] + 0.05 * rng.randn(80)
    ref = converged_ref(lk.lasso(X, y, 0.01).solve("cd", tol=1e-12, max_iter=100_000))
    assert 0 < abs(ref.coef[0]) < 1e-9
    for backend in ("cvxpy", "osqp"):
        sol = lk.lasso(X, y, 0.01).solve(backend, tol=1e-8)
        assert sol.coef[0] != 0.0
        np.testing.assert_array_equal(sol.support, ref.support)


def test_provably_zero_only_marks_optimal_zeros():
    X, y = _data(3)
    pr = lk.lasso(X, y, 0.1)
    exact = converged_ref(pr.solve("cd", tol=1e-12, max_iter=100_000)).coef
    noisy = exact + 1e-9 * np.random.RandomState(0).randn(exact.size)
    found = provably_zero(pr._design, pr.X, noisy)
    assert found is not None
    mask = found[0]
    # Every marked feature is zero at the optimum; the support is never marked.
    assert np.all(exact[mask] == 0.0)
    assert not np.any(mask[exact != 0])
