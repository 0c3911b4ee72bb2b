"""Regressions found by running scikit-learn's coordinate-descent tests against lassokit.

The harness is ``tests/sklearn_cd/run_sklearn_cd_tests.py`` (it loads those
tests from the installed scikit-learn at run time); what it found wrong in
lassokit is pinned here, in tests of our own. The deliberate differences it
lists are documented in docs/estimators.rst ("Differences from scikit-learn").
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_regression

import lassokit as lk


def _wide(fit_intercept, seed=42):
    # 6 samples, 24 features: an Elastic Net support larger than n.
    X, y = make_regression(n_samples=6, n_features=24, effective_rank=12, n_informative=12,
                           bias=4.0 * fit_intercept, noise=1.0, random_state=seed)
    return X, y


def _support_optimum(X, y, sw, alpha, l1_ratio, fit_intercept, coef):
    """The Elastic Net optimum on ``coef``'s support and signs, by hand (dense algebra)."""
    n = X.shape[0]
    s = np.ones(n) if sw is None else sw * n / sw.sum()
    if fit_intercept:
        X = X - (s @ X) / n
        y = y - (s @ y) / n
    S = np.flatnonzero(coef)
    A = X[:, S]
    H = A.T @ (s[:, None] * A) / n + alpha * (1 - l1_ratio) * np.eye(S.size)
    w = np.zeros(X.shape[1])
    w[S] = np.linalg.solve(H, A.T @ (s * y) / n - alpha * l1_ratio * np.sign(coef[S]))
    return w


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_wide_elastic_net_is_the_support_optimum_on_dense_and_sparse_x(fit_intercept, weighted):
    # scikit-learn's test_sparse_dense_equality (ElasticNet, n=6 < p=24): the
    # fits stopped at the certificate's rounding floor, 1e-7 apart, because
    # the exact finish on the support was skipped for supports larger than n
    # (needed only without an L2 term) and then rejected as "not better" at
    # a gap both read as noise.
    X, y = _wide(fit_intercept)
    sw = np.abs(np.random.RandomState(42).normal(scale=10, size=y.shape)) if weighted else None
    kw = dict(alpha=1.0, l1_ratio=0.5, fit_intercept=fit_intercept, tol=1e-6)
    dense = lk.ElasticNet(**kw).fit(X, y, sample_weight=sw)
    sparse = lk.ElasticNet(**kw).fit(sp.csc_matrix(X), y, sample_weight=sw)
    assert dense.solution_.converged and sparse.solution_.converged
    support = np.flatnonzero(dense.coef_)
    assert support.size > X.shape[0]  # the case: more support than samples
    np.testing.assert_array_equal(np.flatnonzero(sparse.coef_), support)
    exact = _support_optimum(X, y, sw, 1.0, 0.5, fit_intercept, dense.coef_)
    scale = max(1.0, np.abs(exact).max())
    np.testing.assert_allclose(dense.coef_, exact, rtol=0, atol=1e-10 * scale)
    np.testing.assert_allclose(sparse.coef_, exact, rtol=0, atol=1e-10 * scale)
    if fit_intercept:
        assert sparse.intercept_ == pytest.approx(dense.intercept_, rel=1e-10)


def test_the_harness_runs_scikit_learns_tests_on_lassokits_estimators(tmp_path):
    # The harness must not quietly test scikit-learn: every name it promises
    # to replace is imported from lassokit (or its path shims) in the copies.
    import importlib.util
    import sys
    from pathlib import Path

    harness = Path(__file__).resolve().parent / "sklearn_cd" / "run_sklearn_cd_tests.py"
    spec = importlib.util.spec_from_file_location("run_sklearn_cd_tests", harness)
    h = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(h)
    if not all((h.sklearn_tests_dir() / m).exists() for m in h.MODULES):
        pytest.skip("this scikit-learn install ships without its tests")
    subs = h.prepare(tmp_path)
    assert set(subs["test_coordinate_descent.py"]) == set(h.FROM_LASSOKIT + h.FROM_SHIMS)
    assert set(subs["test_sparse_coordinate_descent.py"]) == {
        "ElasticNet", "ElasticNetCV", "Lasso", "LassoCV"}
    text = (tmp_path / "test_coordinate_descent.py").read_text()
    assert "from lassokit import ElasticNet, ElasticNetCV, Lasso, LassoCV, Ridge\n" in text
    assert "from _shims import enet_path, lasso_path\n" in text
    # The shims are lassokit's path functions in scikit-learn's convention.
    sys.path.insert(0, str(tmp_path))
    try:
        from _shims import lasso_path
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("_shims", None)
    X, y = _wide(False)
    alphas, coefs, gaps = lasso_path(X, y, alphas=4, tol=1e-8)
    ours = lk.lasso_path(X, y, fit_intercept=False, n_alphas=4, tol=1e-8)
    np.testing.assert_array_equal(alphas, ours.alphas)
    np.testing.assert_array_equal(coefs, ours.coefs)
    np.testing.assert_array_equal(gaps, ours.dual_gaps)
