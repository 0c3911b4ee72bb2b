"""Bounds on the estimators and path functions: ``lower_bounds`` / ``upper_bounds``.

They are glmnet's ``lower.limits`` / ``upper.limits`` and state
``lk.Problem(..., bounds=(lower, upper))`` (API.md §10), a None side read as
``-inf``/``inf``. Each estimator is compared with that problem solved by
CVXPY, every coefficient it hands out (and every fold's) is checked inside
the bounds exactly, and the messages name the estimator's parameters.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.utils.estimator_checks import parametrize_with_checks

import lassokit as lk
from lassokit.estimators import _cv_folds

pytest.importorskip("cvxpy")

INF = np.inf


def _regression(n=80, p=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = X @ np.array([2.0, -1.5, 0.8, 0.0, -0.3, 1.2]) + 0.2 * rng.standard_normal(n)
    return X, y


def _classification(n=150, p=5, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = (1.5 * X[:, 0] - 1.0 * X[:, 1] + 0.5 * X[:, 3] + rng.logistic(size=n) > 0).astype(int)
    return X, y


#: Bounds that bind on the data above: feature 0 wants ~2, feature 1 ~-1.5,
#: feature 5 ~1.2; inf, -inf and a pinned feature (3) included.
LOWER = np.array([-INF, -1.0, -0.5, 0.0, -INF, -2.0])
UPPER = np.array([1.0, INF, 0.5, 0.0, INF, 0.7])


def _inside(coef, lower, upper):
    coef = np.asarray(coef, dtype=np.float64)
    lo = np.broadcast_to(-INF if lower is None else lower, coef.shape[-1:])
    hi = np.broadcast_to(INF if upper is None else upper, coef.shape[-1:])
    return bool(np.all(coef >= lo) and np.all(coef <= hi))


def _reference(X, y, penalty, lower, upper, **kw):
    lo = -INF if lower is None else lower
    hi = INF if upper is None else upper
    return lk.Problem(X, y, penalty, bounds=(lo, hi), **kw).solve("cvxpy", tol=1e-9)


# -- single fits against CVXPY -----------------------------------------------------------------

@pytest.mark.parametrize("lower, upper", [
    (LOWER, UPPER),
    (-0.9, 0.9),           # scalars: every feature
    (None, 0.6),           # one side only
    (-1.0, None),
])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("kind", ["lasso", "enet"])
def test_lasso_and_enet_with_bounds_match_cvxpy(lower, upper, sparse, kind):
    X, y = _regression()
    Xs = sp.csc_matrix(X) if sparse else X
    if kind == "lasso":
        est = lk.Lasso(alpha=0.05, tol=1e-10, lower_bounds=lower, upper_bounds=upper)
        pen = lk.L1(0.05)
    else:
        est = lk.ElasticNet(alpha=0.05, l1_ratio=0.6, tol=1e-10, lower_bounds=lower,
                            upper_bounds=upper)
        pen = lk.L1(0.03) + lk.L2(0.02)
    est.fit(Xs, y)
    ref = _reference(X, y, pen, lower, upper)
    np.testing.assert_allclose(est.coef_, ref.coef, atol=1e-5)
    assert est.intercept_ == pytest.approx(ref.intercept, abs=1e-5)
    assert _inside(est.coef_, lower, upper)
    assert est.solution_.converged
    # Some bound is active: the test is about the box, not a loose one.
    lo = np.broadcast_to(-INF if lower is None else lower, est.coef_.shape)
    hi = np.broadcast_to(INF if upper is None else upper, est.coef_.shape)
    assert np.any(np.isclose(est.coef_, lo, rtol=0, atol=1e-12)
                  | np.isclose(est.coef_, hi, rtol=0, atol=1e-12))


def test_float32_coefficients_stay_inside_the_bounds():
    X, y = _regression()
    est = lk.Lasso(alpha=0.01, lower_bounds=-0.1, upper_bounds=0.1).fit(X.astype(np.float32), y)
    assert est.coef_.dtype == np.float32
    assert _inside(est.coef_, -0.1, 0.1)
    assert np.any(np.abs(est.coef_) == np.float32(0.1)) or np.any(np.abs(est.coef_) < 0.1)


def test_positive_is_lower_bound_zero_and_intersects():
    X, y = _regression()
    a = lk.Lasso(alpha=0.05, positive=True, tol=1e-10).fit(X, y)
    b = lk.Lasso(alpha=0.05, lower_bounds=0.0, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-9)
    assert a.intercept_ == pytest.approx(b.intercept_, abs=1e-9)
    # positive=True with bounds: their intersection.
    c = lk.ElasticNet(alpha=0.05, positive=True, lower_bounds=-1.0, upper_bounds=0.5,
                      tol=1e-10).fit(X, y)
    d = lk.ElasticNet(alpha=0.05, lower_bounds=0.0, upper_bounds=0.5, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(c.coef_, d.coef_, atol=1e-9)
    assert _inside(c.coef_, 0.0, 0.5)


def test_infinite_bounds_are_no_bounds():
    X, y = _regression()
    a = lk.Lasso(alpha=0.05, lower_bounds=-INF, upper_bounds=INF).fit(X, y)
    b = lk.Lasso(alpha=0.05).fit(X, y)
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-12)


def test_warm_start_with_new_bounds_ends_inside_them():
    X, y = _regression()
    est = lk.Lasso(alpha=0.01, warm_start=True).fit(X, y)
    assert est.coef_[0] > 1.5
    est.set_params(upper_bounds=0.5).fit(X, y)
    assert _inside(est.coef_, None, 0.5)
    ref = _reference(X, y, lk.L1(0.01), None, 0.5)
    np.testing.assert_allclose(est.coef_, ref.coef, atol=1e-5)


@pytest.mark.parametrize("C, l1_ratio", [(0.5, 1.0), (1.0, 0.0), (2.0, 0.5)])
def test_logistic_with_bounds_matches_cvxpy(C, l1_ratio):
    X, y = _classification()
    lower, upper = np.array([-INF, -0.4, 0.0, -1.0, -INF]), np.array([0.8, INF, 0.0, 1.0, INF])
    clf = lk.LogisticRegression(C=C, l1_ratio=l1_ratio, tol=1e-10, lower_bounds=lower,
                                upper_bounds=upper).fit(X, y)
    a = 1.0 / (C * y.size)
    ref = _reference(X, y, lk.L1(a * l1_ratio) + lk.L2(a * (1.0 - l1_ratio)), lower, upper,
                     loss="logistic")
    np.testing.assert_allclose(clf.coef_[0], ref.coef, atol=1e-5)
    assert clf.intercept_[0] == pytest.approx(ref.intercept, abs=1e-5)
    assert _inside(clf.coef_[0], lower, upper)
    assert clf.coef_[0, 0] == 0.8 and clf.coef_[0, 1] == -0.4


def test_unpenalized_logistic_exists_when_the_bounds_stop_the_separation():
    # Feature 0 separates the classes: unbounded, C=inf has no minimizer;
    # an upper bound on its coefficient (the separating direction) gives one.
    rng = np.random.default_rng(7)
    X = rng.standard_normal((120, 3))
    y = (X[:, 0] > 0).astype(int)
    with pytest.raises(ValueError, match="does not exist"):
        lk.LogisticRegression(C=np.inf).fit(X, y)
    clf = lk.LogisticRegression(C=np.inf, upper_bounds=[2.0, INF, INF], tol=1e-10).fit(X, y)
    assert clf.coef_[0, 0] == 2.0
    ref = _reference(X, y, lk.L1(0.0), None, np.array([2.0, INF, INF]), loss="logistic")
    np.testing.assert_allclose(clf.coef_[0], ref.coef, atol=1e-4)
    # A bound on the wrong side does not stop it.
    with pytest.raises(ValueError, match="does not exist"):
        lk.LogisticRegression(C=np.inf, lower_bounds=[-2.0, -INF, -INF]).fit(X, y)


def test_poisson_with_bounds_matches_cvxpy():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((150, 4))
    y = rng.poisson(np.exp(0.2 + 0.6 * X[:, 0] - 0.4 * X[:, 1]))
    reg = lk.PoissonRegressor(alpha=0.01, l1_ratio=0.5, tol=1e-10, lower_bounds=-0.2,
                              upper_bounds=[0.3, INF, INF, INF]).fit(X, y)
    ref = _reference(X, y, lk.L1(0.005) + lk.L2(0.005), -0.2, np.array([0.3, INF, INF, INF]),
                     loss="poisson")
    np.testing.assert_allclose(reg.coef_, ref.coef, atol=1e-5)
    assert reg.coef_[0] == 0.3 and reg.coef_[1] == -0.2


# -- cross-validation: every fold inside the bounds ----------------------------------------------

@pytest.fixture
def fold_paths(monkeypatch):
    """Every path a CV fold solves, recorded (the sessions engine)."""
    seen = []
    inner = _cv_folds.run_path

    def recording(*args, **kwargs):
        result = inner(*args, **kwargs)
        seen.append(np.asarray(result.coefs))
        return result

    monkeypatch.setattr(_cv_folds, "run_path", recording)
    return seen


def test_lasso_cv_with_bounds_every_fold_inside_and_scored_as_lasso_path(fold_paths):
    X, y = _regression(n=90)
    folds = list(KFold(3, shuffle=True, random_state=0).split(X))
    est = lk.LassoCV(cv=folds, alphas=12, tol=1e-10, lower_bounds=LOWER,
                     upper_bounds=UPPER).fit(X, y)
    assert len(fold_paths) == 3
    for coefs in fold_paths:
        assert _inside(coefs.T, LOWER, UPPER)
    assert _inside(est.coef_, LOWER, UPPER)
    assert _inside(est.path_.coefs.T, LOWER, UPPER)
    # The grid starts where coef = 0 is optimal for the bounded problem.
    amax = lk.Problem(X, y, lk.L1(1.0), bounds=(LOWER, UPPER)).alpha_max()
    assert est.alphas_[0] == pytest.approx(amax, rel=1e-12)
    # Each fold's error is that of the bounded path on its training rows.
    for k, (train, test) in enumerate(folds):
        path = lk.lasso_path(X[train], y[train], alphas=est.alphas_, tol=1e-10,
                             lower_bounds=LOWER, upper_bounds=UPPER)
        pred = X[test] @ path.coefs + path.intercepts
        mse = np.mean((pred - y[test][:, None]) ** 2, axis=0)
        np.testing.assert_allclose(est.mse_path_[:, k], mse, rtol=1e-6)
    ref = _reference(X, y, lk.L1(est.alpha_), LOWER, UPPER)
    np.testing.assert_allclose(est.coef_, ref.coef, atol=1e-5)


def test_relaxed_lasso_cv_and_enet_cv_stay_inside_the_bounds(fold_paths):
    X, y = _regression(n=90)
    relaxed = lk.LassoCV(cv=3, alphas=8, relax=True, lower_bounds=LOWER,
                         upper_bounds=UPPER).fit(X, y)
    assert _inside(relaxed.coef_, LOWER, UPPER)
    assert _inside(relaxed.path_.coefs.T, LOWER, UPPER)
    enet = lk.ElasticNetCV(cv=3, alphas=8, l1_ratio=[0.3, 0.9], lower_bounds=-0.5,
                           upper_bounds=0.5).fit(X, y)
    assert _inside(enet.coef_, -0.5, 0.5)
    assert all(_inside(c.T, LOWER, UPPER) or _inside(c.T, -0.5, 0.5) for c in fold_paths)


def test_lasso_cv_lower_bound_zero_is_positive():
    # Positivity's box takes the Gram-block engine either way: the same CV.
    X, y = _regression(n=120)
    a = lk.LassoCV(cv=3, alphas=10, positive=True).fit(X, y)
    b = lk.LassoCV(cv=3, alphas=10, lower_bounds=0.0).fit(X, y)
    np.testing.assert_allclose(a.mse_path_, b.mse_path_, rtol=1e-9)
    assert a.alpha_ == b.alpha_
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-9)


def test_logistic_cv_with_bounds_every_fold_inside():
    X, y = _classification()
    folds = list(StratifiedKFold(3).split(X, y))
    clf = lk.LogisticRegressionCV(Cs=[0.1, 1.0, 10.0], l1_ratios=(0.5,), cv=folds,
                                  scoring="neg_log_loss", use_legacy_attributes=False,
                                  lower_bounds=-0.3, upper_bounds=0.6).fit(X, y)
    p = X.shape[1]
    assert _inside(clf.coefs_paths_[..., :p].reshape(-1, p), -0.3, 0.6)
    assert _inside(clf.coef_[0], -0.3, 0.6)


# -- path functions ------------------------------------------------------------------------------

@pytest.mark.parametrize("fn", ["lasso_path", "enet_path"])
def test_path_functions_stay_inside_the_bounds(fn):
    X, y = _regression()
    path = getattr(lk, fn)(X, y, n_alphas=15, lower_bounds=LOWER, upper_bounds=UPPER)
    assert _inside(path.coefs.T, LOWER, UPPER)
    assert np.all(path.converged)
    i = 10
    r = 1.0 if fn == "lasso_path" else 0.5
    a = path.alphas[i]
    ref = _reference(X, y, lk.L1(a * r) + lk.L2(a * (1 - r)), LOWER, UPPER)
    np.testing.assert_allclose(path.coefs[:, i], ref.coef, atol=1e-5)
    amax = lk.Problem(X, y, lk.L1(r) + lk.L2(1 - r), bounds=(LOWER, UPPER)).alpha_max() / r
    assert path.alphas[0] == pytest.approx(amax, rel=1e-12)


# -- validation ------------------------------------------------------------------------------

_MAKERS = {
    "Lasso": (lambda **kw: lk.Lasso(**kw), "reg"),
    "ElasticNet": (lambda **kw: lk.ElasticNet(**kw), "reg"),
    "LassoCV": (lambda **kw: lk.LassoCV(cv=3, alphas=4, **kw), "reg"),
    "ElasticNetCV": (lambda **kw: lk.ElasticNetCV(cv=3, alphas=4, **kw), "reg"),
    "LogisticRegression": (lambda **kw: lk.LogisticRegression(**kw), "clf"),
    "LogisticRegressionCV": (lambda **kw: lk.LogisticRegressionCV(
        Cs=2, l1_ratios=(0.0,), scoring="accuracy", use_legacy_attributes=False, cv=3, **kw),
        "clf"),
    "PoissonRegressor": (lambda **kw: lk.PoissonRegressor(**kw), "count"),
}


def _fit(name, **kw):
    make, kind = _MAKERS[name]
    X, y = _classification(n=60) if kind == "clf" else _regression(n=60)
    if kind == "count":
        y = np.round(np.abs(y))
    return make(**kw).fit(X, y)


def _n_features(name):
    return 5 if _MAKERS[name][1] == "clf" else 6


@pytest.mark.parametrize("name", sorted(_MAKERS))
@pytest.mark.parametrize("make_kw, exc, match", [
    (lambda p: {"lower_bounds": 0.5}, ValueError,
     r"lower_bounds must be <= 0 .*lower_bounds\[0\] = 0.5"),
    (lambda p: {"upper_bounds": np.r_[1.0, -1.0, np.ones(p - 2)]}, ValueError,
     r"upper_bounds must be >= 0 .*upper_bounds\[1\] = -1.0"),
    (lambda p: {"lower_bounds": [-1.0, -1.0]}, ValueError,
     r"lower_bounds must be a number or an array of shape \(n_features,\)"),
    (lambda p: {"upper_bounds": np.ones((p, 1))}, ValueError,
     "upper_bounds must be a number or an array"),
    (lambda p: {"lower_bounds": np.nan}, ValueError, "'lower_bounds' parameter"),
    (lambda p: {"lower_bounds": np.r_[np.nan, -np.ones(p - 1)]}, ValueError,
     "lower_bounds contains NaN"),
    (lambda p: {"upper_bounds": "big"}, ValueError, "'upper_bounds' parameter"),
    (lambda p: {"upper_bounds": True}, TypeError, "'upper_bounds' parameter"),
    (lambda p: {"lower_bounds": ["a"] * p}, TypeError,
     "lower_bounds must be None, a number or an array"),
])
def test_bad_bounds_name_the_parameter(name, make_kw, exc, match):
    with pytest.raises(exc, match=match):
        _fit(name, **make_kw(_n_features(name)))


@pytest.mark.parametrize("fn", ["lasso_path", "enet_path"])
def test_path_functions_name_their_bounds_keywords(fn):
    X, y = _regression()
    with pytest.raises(ValueError, match=r"lower_bounds must be <= 0"):
        getattr(lk, fn)(X, y, n_alphas=3, lower_bounds=0.1)
    with pytest.raises(ValueError, match=r"upper_bounds must be a number or an array of shape"):
        getattr(lk, fn)(X, y, n_alphas=3, upper_bounds=np.ones(2))


@pytest.mark.parametrize("name", sorted(_MAKERS))
def test_the_callers_bounds_arrays_are_never_modified(name):
    p = _n_features(name)
    lower, upper = -np.ones(p), np.full(p, 0.5)
    keep = lower.copy(), upper.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lk.ConvergenceWarning)
        est = _fit(name, lower_bounds=lower, upper_bounds=upper)
    np.testing.assert_array_equal(lower, keep[0])
    np.testing.assert_array_equal(upper, keep[1])
    assert est.get_params()["lower_bounds"] is lower
    assert _inside(np.ravel(est.coef_), lower, upper)


# -- scikit-learn's checks with bounds set -------------------------------------------------------
# (The defaults run in tests/test_sklearn_checks.py.) Bounds wide enough for
# every check's data still run every code path of a bounded fit.

@parametrize_with_checks([
    lk.Lasso(lower_bounds=-1e3, upper_bounds=1e3),
    lk.LogisticRegression(lower_bounds=-1e3, upper_bounds=1e3),
])
def test_sklearn_checks_pass_with_bounds(estimator, check):
    check(estimator)
