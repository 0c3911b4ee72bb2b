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
    assert ("from lassokit import ElasticNet, ElasticNetCV, Lasso, LassoCV, MultiTaskElasticNet, "
            "MultiTaskElasticNetCV, MultiTaskLasso, MultiTaskLassoCV, Ridge\n") in text
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


def test_zero_weights_equal_removed_rows_down_to_the_exact_zeros():
    # scikit-learn's test_enet_sample_weight_consistency, step 4, at
    # SKLEARN_TESTS_GLOBAL_RANDOM_SEED=9: with half the weights zero the fit
    # left two coefficients at 2e-12 and 4e-10 where the optimum (and the fit
    # on the remaining rows) has exact zeros. Their wrong signs made the exact
    # finish on the support give up; it now drops such a coefficient and
    # solves again, and the certificate decides.
    rng = np.random.RandomState(9)
    X, y = rng.rand(10, 5), rng.rand(10)
    sw = rng.uniform(0.01, 2.0, size=10)
    sw0 = sw.copy()
    sw0[-5:] = 0.0
    y[-5:] *= 1000.0  # rows that would matter, were they not weighted out
    kw = dict(alpha=0.01, l1_ratio=0.5, tol=1e-6)
    weighted = lk.ElasticNet(**kw).fit(X, y, sample_weight=sw0)
    removed = lk.ElasticNet(**kw).fit(X[:5], y[:5], sample_weight=sw[:5])
    assert weighted.solution_.converged and removed.solution_.converged
    np.testing.assert_array_equal(np.flatnonzero(weighted.coef_), np.flatnonzero(removed.coef_))
    np.testing.assert_allclose(weighted.coef_, removed.coef_, rtol=1e-9, atol=0)
    assert weighted.intercept_ == pytest.approx(removed.intercept_, rel=1e-9)
    # The zeros are the optimum's: strict KKT inequalities, by hand.
    s = sw[:5] / sw[:5].mean()
    Xc = X[:5] - (s @ X[:5]) / 5
    r = y[:5] - (s @ y[:5]) / 5 - Xc @ weighted.coef_
    grad = Xc.T @ (s * r) / 5 - 0.01 * 0.5 * weighted.coef_
    zero = weighted.coef_ == 0
    assert zero.sum() == 2
    assert np.all(np.abs(grad[zero]) < 0.01 * 0.5)


@pytest.mark.parametrize("storage", ["dense", "csc"])
def test_cv_refit_with_weights_equals_the_refit_on_repeated_rows(storage):
    # scikit-learn's test_enet_cv_sample_weight_correctness at
    # SKLEARN_TESTS_GLOBAL_RANDOM_SEED=98: the same alpha_ was chosen, but
    # the refit on repeated rows (feature-space moments) kept its iterate,
    # 4e-9 from the optimum, because at the certificate's rounding floor the
    # support optimum's gap did not read strictly smaller.
    rng = np.random.RandomState(98)
    X = rng.rand(30, 5)
    beta = 10 * rng.rand(5)
    beta[:2] = 0
    y = X @ beta + rng.rand(30)
    sw = np.ones(30)
    sw[:10] = rng.randint(0, 5, size=10)
    groups = np.repeat([0, 1, 2], 10)
    reps = sw.astype(int)
    as_storage = sp.csc_matrix if storage == "csc" else np.asarray

    def folds(g):
        return [(np.flatnonzero(g != k), np.flatnonzero(g == k)) for k in range(3)]

    weighted = lk.ElasticNetCV(cv=folds(groups), tol=1e-6).fit(as_storage(X), y, sample_weight=sw)
    repeated = lk.ElasticNetCV(cv=folds(np.repeat(groups, reps)), tol=1e-6).fit(
        as_storage(np.repeat(X, reps, axis=0)), np.repeat(y, reps))
    assert weighted.alpha_ == pytest.approx(repeated.alpha_, rel=1e-12)
    assert weighted.solution_.converged and repeated.solution_.converged
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-10, atol=1e-12)
    assert weighted.intercept_ == pytest.approx(repeated.intercept_, rel=1e-10)
