"""Offsets on the estimators (glmnet's ``offset``): ``fit(X, y, ..., offset=o)``.

The offset is a fixed part of the linear predictor, never fitted. For least
squares a fit with offset ``o`` is the fit of ``y - o`` (cross-validation
included: folds carry their rows' offsets); for the logistic loss the
estimators are checked against the problem layer (``lk.Problem(...,
offset=o)``) solved by ``"cd"`` and by CVXPY, and against the exact shift of
an unpenalized coefficient.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

import lassokit as lk


def _regression(n=90, p=7, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    o = rng.uniform(-2.0, 2.0, n)
    y = X[:, 0] - 0.7 * X[:, 3] + o + 0.3 * rng.standard_normal(n)
    return X, y, o


def _classification(n=160, p=5, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    o = rng.uniform(-1.5, 1.5, n)
    y = (0.8 * X[:, 0] - 0.5 * X[:, 2] + o + rng.logistic(size=n) > 0).astype(int)
    return X, y, o


# -- least squares: the offset is y - o ----------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda: lk.Lasso(alpha=0.05),
    lambda: lk.ElasticNet(alpha=0.05, l1_ratio=0.3),
    lambda: lk.Lasso(alpha=0.02, fit_intercept=False, positive=True),
    lambda: lk.ElasticNet(alpha=0.1, standardize=True),
])
@pytest.mark.parametrize("sparse", [False, True])
def test_least_squares_offset_is_fitting_y_minus_offset(make, sparse):
    X, y, o = _regression()
    sw = np.random.default_rng(3).uniform(0.5, 2.0, y.size)
    Xs = sp.csc_matrix(X) if sparse else X
    ours = make().fit(Xs, y, sample_weight=sw, offset=o)
    ref = make().fit(Xs, y - o, sample_weight=sw)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-12, atol=1e-12)
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-12, abs=1e-12)
    assert ours.dual_gap_ == pytest.approx(ref.dual_gap_, rel=1e-9, abs=1e-15)
    # predict adds an offset only when given one.
    np.testing.assert_allclose(ours.predict(Xs), ref.predict(Xs), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours.predict(Xs, offset=o), ref.predict(Xs) + o,
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("make", [
    lambda: lk.LassoCV(cv=4, alphas=20),
    lambda: lk.LassoCV(cv=4, alphas=20, precompute=False),  # the fold-session engine
    lambda: lk.ElasticNetCV(cv=3, l1_ratio=[0.4, 0.9], alphas=15),
    lambda: lk.LassoCV(cv=3, alphas=10, relax=True, gammas=(0.0, 0.5, 1.0)),
])
def test_cv_offset_is_cross_validating_y_minus_offset(make):
    X, y, o = _regression(n=120)
    ours = make().fit(X, y, offset=o)
    ref = make().fit(X, y - o)
    np.testing.assert_allclose(ours.alphas_, ref.alphas_, rtol=1e-12)
    np.testing.assert_allclose(ours.mse_path_, ref.mse_path_, rtol=1e-10, atol=1e-14)
    assert ours.alpha_ == ref.alpha_ and ours.alpha_1se_ == ref.alpha_1se_
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-10, atol=1e-12)
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-10, abs=1e-12)
    np.testing.assert_allclose(ours.predict(X, offset=o), ref.predict(X) + o, atol=1e-10)


def test_cv_offset_moves_the_choice_from_plain_y():
    # An offset that carries most of the signal leaves little to fit: the
    # chosen alpha is the one for y - o, not for y (the folds see it).
    X, y, o = _regression(n=120)
    with_o = lk.LassoCV(cv=4, alphas=20).fit(X, y, offset=o)
    plain = lk.LassoCV(cv=4, alphas=20).fit(X, y)
    assert not np.allclose(with_o.mse_path_, plain.mse_path_)


# -- logistic: against the problem layer ---------------------------------------------------

@pytest.mark.parametrize("C, l1_ratio", [(0.5, 1.0), (2.0, 0.0), (1.0, 0.5)])
def test_logistic_offset_matches_the_problem_layer(C, l1_ratio):
    X, y, o = _classification()
    clf = lk.LogisticRegression(C=C, l1_ratio=l1_ratio, tol=1e-10).fit(X, y, offset=o)
    a = 1.0 / (C * y.size)
    pen = lk.L1(a * l1_ratio) + lk.L2(a * (1.0 - l1_ratio))
    prob = lk.Problem(X, y, pen, loss="logistic", offset=o)
    cd = prob.solve("cd", tol=1e-10)
    ref = prob.solve("cvxpy", tol=1e-8)
    np.testing.assert_allclose(clf.coef_[0], cd.coef, atol=1e-7)
    assert clf.intercept_[0] == pytest.approx(cd.intercept, abs=1e-7)
    np.testing.assert_allclose(clf.coef_[0], ref.coef, atol=1e-5)
    assert clf.intercept_[0] == pytest.approx(ref.intercept, abs=1e-5)
    # The offset matters: without it the fit differs.
    plain = lk.LogisticRegression(C=C, l1_ratio=l1_ratio).fit(X, y)
    assert np.max(np.abs(plain.coef_ - clf.coef_)) > 1e-3
    z = X @ clf.coef_[0] + clf.intercept_[0]
    np.testing.assert_allclose(clf.decision_function(X), z, atol=1e-12)
    np.testing.assert_allclose(clf.decision_function(X, offset=o), z + o, atol=1e-12)
    p1 = 1.0 / (1.0 + np.exp(-(z + o)))
    np.testing.assert_allclose(clf.predict_proba(X, offset=o)[:, 1], p1, atol=1e-12)
    np.testing.assert_allclose(clf.predict_log_proba(X, offset=o)[:, 1], np.log(p1), atol=1e-10)
    np.testing.assert_array_equal(clf.predict(X, offset=o), (z + o > 0).astype(int))


def test_logistic_offset_with_sample_weight_and_class_weight_matches_the_problem():
    X, y, o = _classification(seed=4)
    sw = np.random.default_rng(5).uniform(0.2, 3.0, y.size)
    clf = lk.LogisticRegression(C=0.7, l1_ratio=1.0, class_weight={0: 2.0, 1: 1.0},
                                tol=1e-10).fit(X, y, sample_weight=sw, offset=o)
    s = sw * np.where(y == 0, 2.0, 1.0)
    a = 1.0 / (0.7 * s.sum())
    ref = lk.Problem(X, y, lk.L1(a), loss="logistic", sample_weight=s,
                     offset=o).solve("cvxpy", tol=1e-8)
    np.testing.assert_allclose(clf.coef_[0], ref.coef, atol=1e-5)


def test_offset_along_an_unpenalized_feature_shifts_its_coefficient():
    # o = c X[:, j] is absorbed by w_j exactly when nothing penalizes w_j.
    X, y, _ = _regression()
    c, j = 0.8, 3
    pw = np.ones(X.shape[1])
    pw[j] = 0.0
    for make in (lambda: lk.Lasso(alpha=0.05, penalty_weights=pw, tol=1e-10),
                 lambda: lk.ElasticNet(alpha=0.05, penalty_weights=pw, tol=1e-10)):
        plain, shifted = make().fit(X, y), make().fit(X, y, offset=c * X[:, j])
        expect = plain.coef_.copy()
        expect[j] -= c
        np.testing.assert_allclose(shifted.coef_, expect, atol=1e-9)
        assert shifted.intercept_ == pytest.approx(plain.intercept_, abs=1e-9)
    # Logistic: no penalty_weights, so the unpenalized fit (C=inf).
    Xc, yc, _ = _classification()
    plain = lk.LogisticRegression(C=np.inf, tol=1e-12).fit(Xc, yc)
    shifted = lk.LogisticRegression(C=np.inf, tol=1e-12).fit(Xc, yc, offset=c * Xc[:, 1])
    expect = plain.coef_[0].copy()
    expect[1] -= c
    np.testing.assert_allclose(shifted.coef_[0], expect, atol=1e-6)
    assert shifted.intercept_[0] == pytest.approx(plain.intercept_[0], abs=1e-6)


def test_logistic_cv_folds_carry_their_offsets():
    X, y, o = _classification(n=150)
    folds = list(StratifiedKFold(3).split(X, y))
    Cs = [0.05, 0.5, 5.0]
    for scoring in (None, "neg_log_loss"):
        cv = lk.LogisticRegressionCV(Cs=Cs, l1_ratios=(1.0,), cv=folds, scoring=scoring,
                                     tol=1e-10, use_legacy_attributes=False).fit(X, y, offset=o)
        for k, (train, test) in enumerate(folds):
            for i, C in enumerate(Cs):
                est = lk.LogisticRegression(C=C, l1_ratio=1.0, tol=1e-10).fit(
                    X[train], y[train], offset=o[train])
                if scoring is None:
                    expect = np.mean(est.predict(X[test], offset=o[test]) == y[test])
                else:
                    prob = est.predict_proba(X[test], offset=o[test])
                    expect = -log_loss(y[test], prob)
                assert cv.scores_[k, 0, i] == pytest.approx(expect, abs=1e-6), (scoring, k, C)
        refit = lk.LogisticRegression(C=cv.C_, l1_ratio=1.0, tol=1e-10).fit(X, y, offset=o)
        np.testing.assert_allclose(cv.coef_, refit.coef_, atol=1e-6)


def test_poisson_offset_is_still_the_exposure():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((120, 3))
    expo = rng.uniform(0.5, 3.0, 120)
    y = rng.poisson(expo * np.exp(0.3 + 0.5 * X[:, 0]))
    reg = lk.PoissonRegressor(alpha=0.01).fit(X, y, offset=np.log(expo))
    np.testing.assert_allclose(reg.predict(X, offset=np.log(expo)), expo * reg.predict(X),
                               rtol=1e-12)


# -- validation and the caller's array ------------------------------------------------------

_ESTIMATORS = [
    (lambda: lk.Lasso(alpha=0.1), "reg"),
    (lambda: lk.ElasticNet(alpha=0.1), "reg"),
    (lambda: lk.LassoCV(cv=3, alphas=5), "reg"),
    (lambda: lk.ElasticNetCV(cv=3, alphas=5), "reg"),
    (lambda: lk.LogisticRegression(), "clf"),
    (lambda: lk.LogisticRegressionCV(Cs=3, l1_ratios=(0.0,), scoring="accuracy", cv=3,
                                     use_legacy_attributes=False), "clf"),
    (lambda: lk.PoissonRegressor(alpha=0.1), "count"),
]


def _data_for(kind):
    if kind == "clf":
        X, y, _ = _classification(n=60)
    else:
        X, y, _ = _regression(n=60)
        if kind == "count":
            y = np.round(np.abs(y))
    return X, y


@pytest.mark.parametrize("make, kind", _ESTIMATORS)
@pytest.mark.parametrize("bad, exc, match", [
    (np.ones(59), ValueError, "offset has length 59"),
    (np.ones((60, 1)), ValueError, r"offset must be one-dimensional"),
    (np.ones((60, 2)), ValueError, r"offset must be one-dimensional"),
    (1.0, ValueError, r"offset must be one-dimensional"),
    (np.r_[np.nan, np.ones(59)], ValueError, "offset contains NaN or infinity"),
    (np.r_[np.inf, np.ones(59)], ValueError, "offset contains NaN or infinity"),
    (np.array(["1"] * 60), TypeError, "offset must be numeric"),
    (sp.csr_matrix(np.ones((60, 1))), TypeError, "offset must be a dense"),
])
def test_bad_offsets_name_offset(make, kind, bad, exc, match):
    X, y = _data_for(kind)
    with pytest.raises(exc, match=match):
        make().fit(X, y, offset=bad)


@pytest.mark.parametrize("make, kind", _ESTIMATORS)
def test_the_callers_offset_is_never_modified(make, kind):
    X, y = _data_for(kind)
    o = np.random.default_rng(0).uniform(-0.5, 0.5, y.size)
    keep = o.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lk.ConvergenceWarning)
        est = make().fit(X, y, offset=o)
    np.testing.assert_array_equal(o, keep)
    assert o.flags.writeable
    est.predict(X, offset=o)
    np.testing.assert_array_equal(o, keep)
    with pytest.raises(ValueError, match="offset has length"):
        est.predict(X, offset=o[:-1])


def test_float32_predictions_stay_float32_with_an_offset():
    X, y, o = _regression()
    est = lk.Lasso(alpha=0.05).fit(X.astype(np.float32), y, offset=o)
    assert est.predict(X.astype(np.float32), offset=o).dtype == np.float32


def test_offset_is_routed_as_fit_metadata():
    # scikit-learn's metadata routing sees offset as a fit (and predict) parameter.
    X, y, o = _regression()
    with sklearn.config_context(enable_metadata_routing=True):
        model = lk.Lasso(alpha=0.05).set_fit_request(offset=True)
        pipe = make_pipeline(FunctionTransformer(), model).fit(
            X, y, offset=o)
    ref = lk.Lasso(alpha=0.05).fit(X, y - o)
    np.testing.assert_allclose(pipe[-1].coef_, ref.coef_, atol=1e-12)
