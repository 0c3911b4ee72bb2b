"""``penalty_weights`` and ``standardize`` of the GLM estimators (issue 24, items 3 and 4).

``LogisticRegression``, ``LogisticRegressionCV`` and ``PoissonRegressor``
take the two parameters of ``Lasso``/``LassoCV`` with the same meaning.
Every expectation is computed independently of the code under test:

* ``penalty_weights`` against ``lk.Problem(..., L1(a, weights=v) +
  L2(b, weights=v), loss=...)`` solved by CVXPY, with the estimators'
  documented mapping (logistic: ``alpha = 1 / (C * S)``, ``S`` the total
  effective weight, ``a = alpha r``, ``b = alpha (1 - r)``; Poisson:
  ``a = alpha l1_ratio``, ``b = alpha (1 - l1_ratio)``);
* a weight 0 against the unpenalized fit of that column alone (SciPy);
* an ``inf`` weight against the fit without that column;
* ``standardize=True`` against fits on explicitly standardized columns
  (weighted population standard deviation, weighted means with an
  intercept), the coefficients divided back;
* ``LogisticRegressionCV(standardize=True)`` against the folds run by
  hand, each standardized with its own training rows.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import minimize
from sklearn.model_selection import KFold

import lassokit as lk

TIGHT = {"tol": 1e-12, "max_iter": 100000}


# -- data and independent references -----------------------------------------------
def _logistic_data(n=120, seed=0):
    rng = np.random.default_rng(seed)
    scales = np.array([1.0, 4.0, 0.25, 2.0, 10.0])
    X = rng.standard_normal((n, 5)) * scales + np.array([0.0, 1.0, -2.0, 0.5, 3.0])
    z = 0.8 * X[:, 0] / scales[0] - 0.6 * (X[:, 1] - 1) / scales[1] + 0.4 * X[:, 3] / scales[3]
    y = (z + rng.standard_normal(n) > 0).astype(int)
    return X, y


def _poisson_data(n=150, seed=1):
    rng = np.random.default_rng(seed)
    scales = np.array([1.0, 3.0, 0.3, 2.0])
    X = rng.standard_normal((n, 4)) * scales + np.array([0.5, -1.0, 0.0, 2.0])
    z = 0.3 + 0.4 * X[:, 0] - 0.1 * X[:, 1] + 0.5 * X[:, 2]
    return X, rng.poisson(np.exp(z)).astype(float)


def _weighted_moments(X, s, fit_intercept):
    """Weighted means (0 without intercept) and population standard deviations."""
    w = s / s.sum()
    mean = w @ X if fit_intercept else np.zeros(X.shape[1])
    sd = np.sqrt(w @ (X - mean) ** 2)
    return mean, sd


def _cvxpy(X, y, a, b, v, loss, fit_intercept=True, sample_weight=None):
    pen = lk.L1(a, weights=v) + lk.L2(b, weights=v)
    prob = lk.Problem(X, y, pen, loss=loss, fit_intercept=fit_intercept,
                      sample_weight=sample_weight)
    sol = prob.solve("cvxpy")
    return np.asarray(sol.coef), float(sol.intercept)


def _unpenalized_logistic(x, y_pm, s):
    """``argmin sum_i s_i log(1 + exp(-y_i (w x_i + b)))`` by SciPy (one column + intercept)."""
    def f(t):
        m = y_pm * (t[0] * x + t[1])
        return s @ np.logaddexp(0.0, -m)

    def g(t):
        m = y_pm * (t[0] * x + t[1])
        r = -s * y_pm / (1.0 + np.exp(m))
        return np.array([r @ x, r.sum()])

    return minimize(f, np.zeros(2), jac=g, method="BFGS", options={"gtol": 1e-12}).x


# -- penalty_weights ---------------------------------------------------------------
@pytest.mark.parametrize("l1_ratio", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("weighted", [False, True])
def test_logistic_weights_are_the_weighted_problem(l1_ratio, weighted):
    X, y = _logistic_data()
    v = np.array([0.5, 1.0, 2.0, 0.0, 3.0])
    sw = np.random.default_rng(3).uniform(0.2, 2.0, y.shape[0]) if weighted else None
    C = 0.05
    est = lk.LogisticRegression(C=C, l1_ratio=l1_ratio, penalty_weights=v, **TIGHT)
    est.fit(X, y, sample_weight=sw)
    S = y.shape[0] if sw is None else sw.sum()
    alpha = 1.0 / (C * S)
    coef, b = _cvxpy(X, 2 * y - 1, alpha * l1_ratio, alpha * (1 - l1_ratio), v, "logistic",
                     sample_weight=sw)
    np.testing.assert_allclose(est.coef_[0], coef, atol=2e-5)
    np.testing.assert_allclose(est.intercept_[0], b, atol=2e-5)
    # The weights change the fit (not a vacuous comparison).
    plain = lk.LogisticRegression(C=C, l1_ratio=l1_ratio, **TIGHT).fit(X, y, sample_weight=sw)
    assert np.max(np.abs(plain.coef_ - est.coef_)) > 1e-2


def test_logistic_weights_with_class_weight():
    X, y = _logistic_data()
    v = np.array([1.0, 0.2, 1.0, 4.0, 1.0])
    est = lk.LogisticRegression(C=0.1, l1_ratio=0.7, class_weight="balanced",
                                penalty_weights=v, **TIGHT).fit(X, y)
    n1 = y.sum()
    n0 = y.shape[0] - n1
    s = np.where(y == 1, y.shape[0] / (2 * n1), y.shape[0] / (2 * n0))
    alpha = 1.0 / (0.1 * s.sum())
    coef, b = _cvxpy(X, 2 * y - 1, alpha * 0.7, alpha * 0.3, v, "logistic", sample_weight=s)
    np.testing.assert_allclose(est.coef_[0], coef, atol=2e-5)
    np.testing.assert_allclose(est.intercept_[0], b, atol=2e-5)


@pytest.mark.parametrize("l1_ratio", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_poisson_weights_are_the_weighted_problem(l1_ratio, fit_intercept):
    X, y = _poisson_data()
    v = np.array([0.0, 2.0, 0.5, 1.0])
    alpha = 0.05
    est = lk.PoissonRegressor(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                              penalty_weights=v, **TIGHT).fit(X, y)
    coef, b = _cvxpy(X, y, alpha * l1_ratio, alpha * (1 - l1_ratio), v, "poisson",
                     fit_intercept=fit_intercept)
    np.testing.assert_allclose(est.coef_, coef, atol=2e-5)
    np.testing.assert_allclose(est.intercept_, b if fit_intercept else 0.0, atol=2e-5)


def test_zero_weight_leaves_a_feature_unpenalized():
    # So strong an L1 penalty that every weighted feature is 0: the free one
    # is then the unpenalized fit of its column alone.
    X, y = _logistic_data()
    v = np.array([0.0, 1.0, 1.0, 1.0, 1.0])
    est = lk.LogisticRegression(C=1e-5, l1_ratio=1.0, penalty_weights=v, **TIGHT).fit(X, y)
    assert np.all(est.coef_[0, 1:] == 0)
    w, b = _unpenalized_logistic(X[:, 0], 2.0 * y - 1, np.ones(y.shape[0]))
    np.testing.assert_allclose([est.coef_[0, 0], est.intercept_[0]], [w, b], atol=1e-6)


@pytest.mark.parametrize("l1_ratio", [0.0, 0.5, 1.0])
def test_inf_weight_excludes_the_feature(l1_ratio):
    X, y = _logistic_data()
    v = np.array([1.0, np.inf, 0.5, 1.0, 2.0])
    keep = np.isfinite(v)
    est = lk.LogisticRegression(C=0.5, l1_ratio=l1_ratio, penalty_weights=v, **TIGHT).fit(X, y)
    assert est.coef_[0, 1] == 0.0
    ref = lk.LogisticRegression(C=0.5, l1_ratio=l1_ratio, penalty_weights=v[keep],
                                **TIGHT).fit(X[:, keep], y)
    np.testing.assert_allclose(est.coef_[0, keep], ref.coef_[0], atol=1e-7)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, atol=1e-7)

    Xp, yp = _poisson_data()
    vp = np.array([1.0, 1.0, np.inf, 1.0])
    keep = np.isfinite(vp)
    est = lk.PoissonRegressor(alpha=0.02, l1_ratio=l1_ratio, penalty_weights=vp,
                              **TIGHT).fit(Xp, yp)
    assert est.coef_[2] == 0.0
    ref = lk.PoissonRegressor(alpha=0.02, l1_ratio=l1_ratio, **TIGHT).fit(Xp[:, keep], yp)
    np.testing.assert_allclose(est.coef_[keep], ref.coef_, atol=1e-7)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, atol=1e-7)


def test_inf_weight_in_cv_equals_dropping_the_column():
    X, y = _logistic_data(n=150)
    v = np.array([1.0, 1.0, np.inf, 1.0, 1.0])
    keep = np.isfinite(v)
    kw = {"Cs": [0.01, 0.1, 1.0, 10.0], "l1_ratios": (0.5,), "cv": KFold(4),
          "scoring": "neg_log_loss", "use_legacy_attributes": False, **TIGHT}
    est = lk.LogisticRegressionCV(penalty_weights=v, **kw).fit(X, y)
    ref = lk.LogisticRegressionCV(**kw).fit(X[:, keep], y)
    assert est.coef_[0, 2] == 0.0
    assert est.C_ == ref.C_
    np.testing.assert_allclose(est.scores_, ref.scores_, atol=1e-7)
    np.testing.assert_allclose(est.coef_[0, keep], ref.coef_[0], atol=1e-7)


def test_inf_weight_removes_a_separating_feature_from_the_unpenalized_fit():
    X, y = _logistic_data()
    Xs = X.copy()
    Xs[:, 0] = np.where(y == 1, 1.0, -1.0) + 0.01 * X[:, 0]  # separates the classes
    with pytest.raises(ValueError, match="does not exist"):
        lk.LogisticRegression(C=np.inf).fit(Xs, y)
    v = np.array([np.inf, 1.0, 1.0, 1.0, 1.0])
    est = lk.LogisticRegression(C=np.inf, penalty_weights=v, **TIGHT).fit(Xs, y)
    ref = lk.LogisticRegression(C=np.inf, **TIGHT).fit(Xs[:, 1:], y)
    assert est.coef_[0, 0] == 0.0
    np.testing.assert_allclose(est.coef_[0, 1:], ref.coef_[0], atol=1e-6)


def test_unpenalized_separating_feature_is_refused():
    X, y = _logistic_data()
    Xs = X.copy()
    Xs[:, 0] = np.where(y == 1, 1.0, -1.0) + 0.01 * X[:, 0]
    v = np.array([0.0, 1.0, 1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="penalty weight 0"):
        lk.LogisticRegression(C=1.0, penalty_weights=v).fit(Xs, y)
    with pytest.raises(ValueError, match="penalty weight 0"):
        lk.LogisticRegressionCV(Cs=3, l1_ratios=(0.0,), penalty_weights=v,
                                use_legacy_attributes=False, scoring="accuracy").fit(Xs, y)
    # Penalized, the same feature is fine.
    lk.LogisticRegression(C=1.0, penalty_weights=np.ones(5)).fit(Xs, y)

    Xp, yp = _poisson_data()
    Xp = Xp.copy()
    Xp[:, 1] = np.where(yp == 0, -1.0, 0.0)  # sends the y = 0 predictions to 0
    with pytest.raises(ValueError, match="penalty weight 0"):
        lk.PoissonRegressor(alpha=1.0, penalty_weights=[1.0, 0.0, 1.0, 1.0]).fit(Xp, yp)
    lk.PoissonRegressor(alpha=1.0, penalty_weights=[0.0, 1.0, 1.0, 1.0]).fit(Xp, yp)


# -- standardize -----------------------------------------------------------------------
def _logistic_on_standardized(X, y, s, fit_intercept, **kw):
    """The fit on explicitly standardized columns, mapped back to the original scale."""
    mean, sd = _weighted_moments(X, s, fit_intercept)
    Z = (X - mean) / sd
    ref = lk.LogisticRegression(fit_intercept=fit_intercept, **kw, **TIGHT).fit(
        Z, y, sample_weight=s)
    coef = ref.coef_[0] / sd
    return coef, ref.intercept_[0] - mean @ coef


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("l1_ratio", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("weighted", [False, True])
def test_logistic_standardize_is_the_standardized_fit(fit_intercept, l1_ratio, weighted):
    X, y = _logistic_data()
    sw = np.random.default_rng(5).uniform(0.1, 3.0, y.shape[0]) if weighted else None
    s = np.ones(y.shape[0]) if sw is None else sw
    kw = dict(C=0.05, l1_ratio=l1_ratio)
    est = lk.LogisticRegression(fit_intercept=fit_intercept, standardize=True, **kw,
                                **TIGHT).fit(X, y, sample_weight=sw)
    coef, b = _logistic_on_standardized(X, y, s, fit_intercept, **kw)
    np.testing.assert_allclose(est.coef_[0], coef, atol=1e-5)
    np.testing.assert_allclose(est.intercept_[0], b if fit_intercept else 0.0, atol=1e-5)
    plain = lk.LogisticRegression(fit_intercept=fit_intercept, **kw, **TIGHT).fit(
        X, y, sample_weight=sw)
    assert np.max(np.abs(plain.coef_[0] - coef)) > 1e-3


def test_logistic_standardize_uses_the_effective_weights_and_the_factors():
    X, y = _logistic_data()
    sw = np.random.default_rng(6).uniform(0.5, 2.0, y.shape[0])
    n1 = sw[y == 1].sum()
    n0 = sw[y == 0].sum()
    s = sw * np.where(y == 1, sw.sum() / (2 * n1), sw.sum() / (2 * n0))
    v = np.array([1.0, 0.5, 2.0, 0.0, 1.0])
    est = lk.LogisticRegression(C=0.1, l1_ratio=0.5, class_weight="balanced",
                                penalty_weights=v, standardize=True, **TIGHT)
    est.fit(X, y, sample_weight=sw)
    coef, b = _logistic_on_standardized(X, y, s, True, C=0.1, l1_ratio=0.5,
                                        penalty_weights=v)
    np.testing.assert_allclose(est.coef_[0], coef, atol=1e-5)
    np.testing.assert_allclose(est.intercept_[0], b, atol=1e-5)


def test_logistic_standardize_sparse_and_float32():
    X, y = _logistic_data()
    dense = lk.LogisticRegression(C=0.1, l1_ratio=0.5, standardize=True, **TIGHT).fit(X, y)
    sparse = lk.LogisticRegression(C=0.1, l1_ratio=0.5, standardize=True, **TIGHT).fit(
        sp.csr_matrix(X), y)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, atol=1e-8)
    # float32 data: the same problem (scales included) at the default tol.
    X32 = X.astype(np.float32)
    single = lk.LogisticRegression(C=0.1, l1_ratio=0.5, standardize=True).fit(X32, y)
    assert single.coef_.dtype == np.float32
    same = lk.LogisticRegression(C=0.1, l1_ratio=0.5, standardize=True).fit(
        X32.astype(np.float64), y)
    np.testing.assert_allclose(single.coef_, same.coef_, atol=1e-4)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("l1_ratio", [0.0, 0.5, 1.0])
def test_poisson_standardize_is_the_standardized_fit(fit_intercept, l1_ratio):
    X, y = _poisson_data()
    sw = np.random.default_rng(7).uniform(0.2, 2.0, y.shape[0])
    mean, sd = _weighted_moments(X, sw, fit_intercept)
    kw = dict(alpha=0.05, l1_ratio=l1_ratio, fit_intercept=fit_intercept, **TIGHT)
    est = lk.PoissonRegressor(standardize=True, **kw).fit(X, y, sample_weight=sw)
    ref = lk.PoissonRegressor(**kw).fit((X - mean) / sd, y, sample_weight=sw)
    coef = ref.coef_ / sd
    np.testing.assert_allclose(est.coef_, coef, atol=1e-5)
    np.testing.assert_allclose(est.intercept_, ref.intercept_ - mean @ coef if fit_intercept
                               else 0.0, atol=1e-5)


def test_constant_column_gets_scale_one():
    # No spread: the column is penalized as is (scale 1), as lk.Lasso does.
    X, y = _logistic_data()
    X = X.copy()
    X[:, 2] = 3.0
    est = lk.LogisticRegression(C=0.1, fit_intercept=False, standardize=True, **TIGHT).fit(X, y)
    _, sd = _weighted_moments(X, np.ones(y.shape[0]), False)
    ref = lk.LogisticRegression(C=0.1, fit_intercept=False, **TIGHT).fit(X / sd, y)
    np.testing.assert_allclose(est.coef_[0], ref.coef_[0] / sd, atol=1e-5)
    with_icpt = lk.LogisticRegression(C=0.1, standardize=True, **TIGHT).fit(X, y)
    assert np.isfinite(with_icpt.coef_).all()


# -- LogisticRegressionCV: each fold standardized with its own training rows --------------
def _folds_by_hand(X, y, Cs, l1_ratio, folds, sw=None):
    """Per-fold neg-log-loss scores and coefficients, each fold standardized by hand."""
    s_all = np.ones(y.shape[0]) if sw is None else sw
    scores = np.empty((len(folds), len(Cs)))
    coefs = np.empty((len(folds), len(Cs), X.shape[1]))
    for k, (train, test) in enumerate(folds):
        mean, sd = _weighted_moments(X[train], s_all[train], True)
        for j, C in enumerate(Cs):
            ref = lk.LogisticRegression(C=C, l1_ratio=l1_ratio, **TIGHT).fit(
                (X[train] - mean) / sd, y[train],
                sample_weight=None if sw is None else sw[train])
            w = ref.coef_[0] / sd
            b = ref.intercept_[0] - mean @ w
            z = X[test] @ w + b
            ll = np.where(y[test] == 1, -np.logaddexp(0, -z), -np.logaddexp(0, z))
            scores[k, j] = np.average(ll, weights=None if sw is None else sw[test])
            coefs[k, j] = w
    return scores, coefs


@pytest.mark.parametrize("weighted", [False, True])
def test_cv_standardizes_each_fold_with_its_training_rows(weighted):
    X, y = _logistic_data(n=160, seed=2)
    # Scales that differ between folds: the first rows are spread far wider.
    X = X.copy()
    X[:40, 1] *= 8.0
    sw = np.random.default_rng(8).uniform(0.3, 2.0, y.shape[0]) if weighted else None
    Cs = [0.003, 0.01, 0.03, 0.1, 1.0]
    folds = list(KFold(4).split(X))
    est = lk.LogisticRegressionCV(Cs=Cs, l1_ratios=(0.5,), cv=folds, scoring="neg_log_loss",
                                  standardize=True, use_legacy_attributes=False,
                                  **TIGHT).fit(X, y, sample_weight=sw)
    scores, coefs = _folds_by_hand(X, y, Cs, 0.5, folds, sw)
    np.testing.assert_allclose(est.scores_[:, 0, :], scores, atol=1e-6)
    np.testing.assert_allclose(est.coefs_paths_[:, 0, :, 0, :X.shape[1]], coefs, atol=1e-5)
    best = Cs[int(np.argmax(scores.sum(axis=0)))]
    assert est.C_ == best
    # The refit is standardized with all rows.
    s = np.ones(y.shape[0]) if sw is None else sw
    coef, b = _logistic_on_standardized(X, y, s, True, C=best, l1_ratio=0.5)
    np.testing.assert_allclose(est.coef_[0], coef, atol=1e-5)
    np.testing.assert_allclose(est.intercept_[0], b, atol=1e-5)
    # The whole data's scales in every fold would give other fold paths.
    _, sd_all = _weighted_moments(X, s, True)
    _, sd_0 = _weighted_moments(X[folds[0][0]], s[folds[0][0]], True)
    assert np.max(np.abs(sd_0 / sd_all - 1)) > 0.05


def test_cv_penalty_weights_are_the_whole_datas_in_every_fold():
    X, y = _logistic_data(n=160, seed=4)
    v = np.array([0.0, 2.0, 1.0, 0.5, 1.0])
    Cs = [0.01, 0.1, 1.0]
    folds = list(KFold(3).split(X))
    est = lk.LogisticRegressionCV(Cs=Cs, l1_ratios=(1.0,), cv=folds, scoring="neg_log_loss",
                                  penalty_weights=v, use_legacy_attributes=False,
                                  **TIGHT).fit(X, y)
    for k, (train, _) in enumerate(folds):
        for j, C in enumerate(Cs):
            alpha = 1.0 / (C * train.shape[0])
            coef, _ = _cvxpy(X[train], 2 * y[train] - 1, alpha, 0.0, v, "logistic")
            np.testing.assert_allclose(est.coefs_paths_[k, 0, j, 0, :5], coef, atol=2e-5)


# -- parameters --------------------------------------------------------------------------
ESTIMATORS = [
    lambda **kw: lk.LogisticRegression(**kw),
    lambda **kw: lk.LogisticRegressionCV(Cs=3, l1_ratios=(0.0,), scoring="accuracy",
                                         use_legacy_attributes=False, **kw),
    lambda **kw: lk.PoissonRegressor(**kw),
]


def _fit_data(make):
    est = make()
    return _poisson_data() if isinstance(est, lk.PoissonRegressor) else _logistic_data()


@pytest.mark.parametrize("make", ESTIMATORS)
@pytest.mark.parametrize("bad, error, match", [
    ([1.0, 2.0], ValueError, "penalty_weights"),
    (-np.ones(5), ValueError, "penalty_weights"),
    (np.full(5, np.nan), ValueError, "penalty_weights"),
    (np.array(["a"] * 5), TypeError, "penalty_weights"),
    (np.ones((5, 2)), ValueError, "penalty_weights"),
])
def test_bad_penalty_weights_are_refused_at_fit(make, bad, error, match):
    X, y = _fit_data(make)
    p = X.shape[1]
    if isinstance(bad, np.ndarray) and bad.shape[0] == 5:
        bad = bad[:p]  # one row per feature (the 2-D case stays 2-D)
    est = make(penalty_weights=bad)
    assert est.get_params()["penalty_weights"] is bad  # stored unchanged
    with pytest.raises(error, match=match):
        est.fit(X, y)


@pytest.mark.parametrize("make", ESTIMATORS)
def test_standardize_must_be_a_bool(make):
    X, y = _fit_data(make)
    with pytest.raises((TypeError, ValueError), match="standardize"):
        make(standardize="yes").fit(X, y)


@pytest.mark.parametrize("make", ESTIMATORS)
def test_defaults_are_unchanged_and_list_weights_are_taken(make):
    X, y = _fit_data(make)
    a = make().fit(X, y)
    b = make(penalty_weights=[1.0] * X.shape[1], standardize=False).fit(X, y)
    np.testing.assert_allclose(np.ravel(a.coef_), np.ravel(b.coef_), atol=1e-10)
    assert make().get_params()["standardize"] is False


def test_check_estimator_with_the_new_parameters():
    from sklearn.utils.estimator_checks import check_estimator

    check_estimator(lk.LogisticRegression(standardize=True))
    check_estimator(lk.PoissonRegressor(standardize=True))
    check_estimator(lk.LogisticRegressionCV(cv=3, standardize=True))
