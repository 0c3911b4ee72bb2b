"""Columns with a large mean and a small spread (timestamps, prices, sensor offsets).

Every backend must give the answer of the centred data, up to offsets of
1e12: every centred quantity is formed entry by entry (``x_ij - m_j``),
never as ``x^T v - m sum(v)``, and no column is taken for constant because
its spread is small next to its mean.

The reference is scikit-learn on ``X - offset``: that subtraction is exact
(Sterbenz), so it is the same data as stored, already centred.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sklearn.linear_model as sk
from conftest import converged_ref, sklearn_converged, timestamp_case

import lassokit as lk

OFFSETS = [1e3, 1e6, 1e9, 1e12]


def _data(seed=0, n=200):
    rng = np.random.RandomState(seed)
    Z = rng.randn(n, 3)
    y = Z @ [1.0, -0.5, 0.0] + 0.1 * rng.randn(n)
    return Z, y


def _ref(Zq, y, alpha, l1_ratio=1.0, sw=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = sk.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-14, max_iter=10**6)
        with sklearn_converged():  # a converged reference, or the test says so
            return m.fit(Zq, y, sample_weight=sw)


@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize("backend", ["cd", "admm", "osqp", "cvxpy"])
def test_every_backend_solves_the_centred_problem(offset, backend):
    Z, y = _data()
    X = Z + offset
    ref = _ref(X - offset, y, 0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("error", lk.ConvergenceWarning)
        sol = lk.lasso(X, y, 0.01).solve(backend, tol=1e-8)
    assert sol.converged
    np.testing.assert_allclose(sol.coef, ref.coef_, rtol=0, atol=1e-5)
    # The intercept is ~1e12 here: relative to the model's prediction scale.
    b_ref = ref.intercept_ - offset * ref.coef_.sum()
    assert abs(sol.intercept - b_ref) <= 1e-5 * max(1.0, abs(b_ref))


@pytest.mark.parametrize("offset", OFFSETS)
def test_weighted_enet_and_ridge(offset):
    Z, y = _data(1)
    X = Z + offset
    sw = np.random.RandomState(2).uniform(0.5, 2.0, y.size)
    ref = _ref(X - offset, y, 0.02, 0.5, sw)
    pr = lk.elastic_net(X, y, 0.02, l1_ratio=0.5, sample_weight=sw)
    for backend in ("cd", "admm"):
        sol = pr.solve(backend, tol=1e-8)
        assert sol.converged
        np.testing.assert_allclose(sol.coef, ref.coef_, rtol=0, atol=1e-5)
    ridge_shifted = lk.ridge(X, y, 0.1).solve("direct").coef
    ridge_centred = lk.ridge(X - offset, y, 0.1).solve("direct").coef
    np.testing.assert_allclose(ridge_shifted, ridge_centred, rtol=1e-6, atol=1e-9)


def test_timestamp_column_is_not_frozen():
    # The case of the report: a 1.7e9 timestamp with a spread of 1000.
    X, y, ref = timestamp_case()
    with warnings.catch_warnings():
        warnings.simplefilter("error", lk.ConvergenceWarning)
        got = lk.Lasso(alpha=0.01).fit(X, y)
    np.testing.assert_allclose(got.coef_, ref.coef_, rtol=1e-3)


@pytest.mark.parametrize("offset", [1e6, 1e12])
def test_path_and_cv_on_shifted_columns(offset):
    Z, y = _data(3, n=300)
    X = Z + offset
    p_shift = lk.path(lk.lasso(X, y, 1.0), n_alphas=20, tol=1e-10)
    p_ref = converged_ref(lk.path(lk.lasso(X - offset, y, 1.0), alphas=p_shift.alphas,
                                  tol=1e-10))
    assert p_shift.converged.all()
    np.testing.assert_allclose(p_shift.coefs, p_ref.coefs, rtol=0, atol=1e-6)
    cv_shift = lk.LassoCV(cv=4, tol=1e-8).fit(X, y)
    with sklearn_converged():  # folds and refit of the reference converged
        cv_ref = lk.LassoCV(cv=4, tol=1e-8).fit(X - offset, y)
    # The grids start from alpha_max, equal to rounding.
    assert cv_shift.alpha_ == pytest.approx(cv_ref.alpha_, rel=1e-10)
    np.testing.assert_allclose(cv_shift.mse_path_, cv_ref.mse_path_, rtol=1e-6)
