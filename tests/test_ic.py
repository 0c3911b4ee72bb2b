"""LassoIC against scikit-learn's LassoLarsIC and against the exact (LARS) Lasso path."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import assert_coef_close, converged_ref, make_data
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LassoLarsIC, LinearRegression, lars_path
from sklearn.utils.estimator_checks import parametrize_with_checks

import lassokit as lk

#: Path solves certified to rel. gap 1e-12 vs LARS, relative to max(1, |coef|_inf).
LARS_COEF_TOL = 1e-6


def _lars(X, y, fit_intercept=True, positive=False):
    """The exact Lasso path (knots and coefficients) of scikit-learn's LARS."""
    if fit_intercept:
        X, y = X - X.mean(axis=0), y - y.mean()
    alphas, _, coefs = lars_path(X, y, method="lasso", positive=positive)
    return alphas, coefs


def _interpolate(knots, coefs, alpha):
    """The Lasso solution at ``alpha``: the path is linear between LARS knots."""
    return np.array([np.interp(alpha, knots[::-1], c[::-1]) for c in coefs])


def _ic(X, y, coef, sigma2, k, fit_intercept=True):
    """n log(2 pi sigma^2) + RSS / sigma^2 + k df, the intercept fitted."""
    r = y - X @ coef
    if fit_intercept:
        r = r - r.mean()
    return len(y) * np.log(2 * np.pi * sigma2) + r @ r / sigma2 + k * np.count_nonzero(coef)


@pytest.mark.parametrize("criterion", ["aic", "bic"])
def test_diabetes_on_the_lars_knots_matches_lasso_lars_ic(criterion):
    X, y = load_diabetes(return_X_y=True)
    ref = LassoLarsIC(criterion=criterion).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every knot, alpha=0 included, certified
        ours = lk.LassoIC(criterion=criterion, alphas=ref.alphas_, tol=1e-12).fit(X, y)
    np.testing.assert_array_equal(ours.alphas_, ref.alphas_)
    assert ours.noise_variance_ == pytest.approx(ref.noise_variance_, rel=1e-9)
    assert ours.alpha_ == ref.alpha_
    assert_coef_close(ours.coef_, ref.coef_, LARS_COEF_TOL)
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-9)
    # The likelihood part agrees at every knot. The df part may not: at a
    # knot the entering feature is exactly 0 for LARS and ~1e-9 for a
    # certified iterative solve, which is why the test compares df only
    # through the selected model above.
    k = 2.0 if criterion == "aic" else np.log(X.shape[0])
    _, coefs = _lars(X, y)
    df_ref = np.count_nonzero(np.abs(coefs) > np.finfo(float).eps, axis=0)
    np.testing.assert_allclose(ours.criterion_ - k * ours.degrees_of_freedom_,
                               ref.criterion_ - k * df_ref, rtol=1e-9)


def test_default_grid_cannot_beat_the_exact_minimum():
    # Along the exact path the criterion is minimized at a LARS knot (RSS
    # falls as alpha falls while df is constant between knots), so no grid
    # may go below LassoLarsIC's minimum; a fine grid gets close.
    X, y = load_diabetes(return_X_y=True)
    for criterion in ("aic", "bic"):
        ref = LassoLarsIC(criterion=criterion).fit(X, y)
        ours = lk.LassoIC(criterion=criterion, n_alphas=200, eps=1e-4, tol=1e-10).fit(X, y)
        assert ours.criterion_.min() >= ref.criterion_.min() - 1e-6
        assert ours.criterion_.min() <= ref.criterion_.min() + 1.0
        assert set(np.flatnonzero(ours.coef_)) == set(np.flatnonzero(ref.coef_))


@pytest.mark.parametrize("criterion", ["aic", "bic"])
def test_p_greater_than_n_with_given_noise_variance_between_knots(criterion):
    rng = np.random.default_rng(0)
    n, p, sigma2 = 40, 100, 0.25
    X = rng.standard_normal((n, p)) + 0.5
    true = np.zeros(p)
    true[:4] = [3.0, -2.0, 1.5, 2.0]
    y = X @ true + 4.0 + np.sqrt(sigma2) * rng.standard_normal(n)
    knots, coefs = _lars(X, y)
    # Midpoints between knots (away from the interpolating end of the path):
    # there the support is unambiguous and the exact solution is known.
    keep = knots[1:] > 1e-2 * knots[0]
    mids = np.sqrt(knots[:-1] * knots[1:])[keep]
    ours = lk.LassoIC(criterion=criterion, noise_variance=sigma2, alphas=mids,
                      tol=1e-12).fit(X, y)
    k = 2.0 if criterion == "aic" else np.log(n)
    exact = [_interpolate(knots, coefs, a) for a in mids]
    expected = np.array([_ic(X, y, c, sigma2, k) for c in exact])
    np.testing.assert_allclose(ours.criterion_, expected, rtol=1e-9)
    best = int(np.argmin(expected))
    assert ours.alpha_ == mids[best] and ours.noise_variance_ == sigma2
    assert_coef_close(ours.coef_, exact[best], LARS_COEF_TOL)
    assert ours.intercept_ == pytest.approx(np.mean(y - X @ exact[best]), rel=1e-8)
    # scikit-learn's minimum, on the knots, is the exact one: no lower.
    ref = LassoLarsIC(criterion=criterion, noise_variance=sigma2).fit(X, y)
    assert ref.criterion_.min() <= ours.criterion_.min() + 1e-9


def test_noise_variance_needs_more_samples_than_parameters():
    X, y = make_data(20, 30, seed=1)
    with pytest.raises(ValueError, match="noise_variance"):
        lk.LassoIC().fit(X, y)
    # n = p + 1: one residual degree of freedom without intercept, none with.
    X, y = make_data(13, 12, seed=2)
    with pytest.raises(ValueError, match=r"n_samples=13 <= n_features \+ fit_intercept = 13"):
        lk.LassoIC().fit(X, y)
    est = lk.LassoIC(fit_intercept=False, n_alphas=10).fit(X, y)
    ols = LinearRegression(fit_intercept=False).fit(X, y)
    assert est.noise_variance_ == pytest.approx(np.sum((y - ols.predict(X)) ** 2), rel=1e-8)
    assert lk.LassoIC(noise_variance=1.0, n_alphas=10).fit(X, y).noise_variance_ == 1.0


def test_positive_estimates_noise_by_nonnegative_least_squares():
    X, y = make_data(60, 8, seed=3)
    ref = LassoLarsIC(positive=True).fit(X, y)
    ours = lk.LassoIC(positive=True, alphas=ref.alphas_, tol=1e-12).fit(X, y)
    assert ours.noise_variance_ == pytest.approx(ref.noise_variance_, rel=1e-7)
    assert np.all(ours.coef_ >= 0)
    assert ours.noise_variance_ > lk.LassoIC().fit(X, y).noise_variance_  # constraint binds


def test_bic_never_selects_more_features_than_aic():
    for seed in range(4):
        X, y = make_data(50, 15, seed=seed, noise=2.0)
        aic = lk.LassoIC("aic", n_alphas=40).fit(X, y)
        bic = lk.LassoIC("bic", n_alphas=40).fit(X, y)
        np.testing.assert_array_equal(aic.alphas_, bic.alphas_)
        assert bic.alpha_ >= aic.alpha_
        assert np.count_nonzero(bic.coef_) <= np.count_nonzero(aic.coef_)


def test_dtypes_storage_names_and_fitted_attributes():
    pd = pytest.importorskip("pandas")
    X, y = make_data(50, 6, seed=4)
    dense = lk.LassoIC(n_alphas=20, tol=1e-10).fit(X, y)
    sparse = lk.LassoIC(n_alphas=20, tol=1e-10).fit(sp.csc_matrix(X), y)
    np.testing.assert_allclose(sparse.criterion_, dense.criterion_, rtol=1e-8)
    assert sparse.alpha_ == pytest.approx(dense.alpha_, rel=1e-12)
    f32 = lk.LassoIC(n_alphas=20).fit(X.astype(np.float32), y)
    assert f32.coef_.dtype == np.float32 and f32.predict(X.astype(np.float32)).dtype == np.float32
    named = lk.LassoIC(n_alphas=20).fit(pd.DataFrame(X, columns=list("abcdef")), y)
    assert list(named.feature_names_in_) == list("abcdef")
    assert dense.path_.coefs.shape == (6, 20) and dense.n_iter_ == dense.path_.n_iters.sum()
    i = int(np.flatnonzero(dense.alphas_ == dense.alpha_)[0])
    assert dense.dual_gap_ == dense.path_.dual_gaps[i] and dense.backend_ == "cd"
    np.testing.assert_array_equal(dense.degrees_of_freedom_, np.count_nonzero(
        dense.path_.coefs, axis=0))
    np.testing.assert_allclose(dense.predict(X), X @ dense.coef_ + dense.intercept_)


def test_bad_parameters():
    X, y = make_data(30, 4)
    with pytest.raises(ValueError, match="'criterion'"):
        lk.LassoIC(criterion="cp").fit(X, y)
    with pytest.raises(ValueError, match="'noise_variance'"):
        lk.LassoIC(noise_variance=0.0).fit(X, y)
    with pytest.raises(ValueError, match="'eps'"):
        lk.LassoIC(eps=1.5).fit(X, y)  # eps = 1 is allowed: the grid at alpha_max
    with pytest.raises(TypeError, match="'alphas'"):
        lk.LassoIC(alphas=5).fit(X, y)


@parametrize_with_checks([lk.LassoIC()])
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_zeros_at_the_knots_are_certified_and_counted():
    # At a LARS knot the entering feature is 0 exactly; the path leaves
    # ~1e-9 there. LassoIC zeroes it only where the zeroed point is still
    # certified, and df is the support of the coefficients it returns.
    X, y = load_diabetes(return_X_y=True)
    knots = LassoLarsIC(criterion="aic").fit(X, y).alphas_
    ours = lk.LassoIC(criterion="aic", alphas=knots, tol=1e-12).fit(X, y)
    P = ours.path_
    prob = lk.lasso(X, y, 1.0)
    for i, a in enumerate(P.alphas):
        sub = prob.replace(penalty=lk.L1(float(a)))
        # The stored gap bounds the true suboptimality (against a converged
        # 1e-14 solve: 1e-15 is below what float64 certifies here).
        best = converged_ref(sub.solve("cd", tol=1e-14, max_iter=100_000)).objective
        excess = sub.certify(P.coefs[:, i]).objective - best
        assert excess <= P.dual_gaps[i] + 1e-14 * prob._design.p0
        assert P.rel_gaps[i] <= 1e-12
    np.testing.assert_array_equal(ours.degrees_of_freedom_, np.count_nonzero(P.coefs, axis=0))
    _, lars = _lars(X, y)
    np.testing.assert_array_equal(ours.degrees_of_freedom_,
                                  np.count_nonzero(np.abs(lars) > np.finfo(float).eps, axis=0))
