"""``lk.LogisticRegression`` and ``lk.LogisticRegressionCV`` against scikit-learn 1.9.

References are scikit-learn's own solvers run to convergence (inside
``sklearn_converged``): "saga" for the intercept-fitted L1 / elastic-net
models (it does not penalize the intercept), "liblinear" without intercept
(it penalizes a synthetic intercept feature), "lbfgs" for L2 and the
unpenalized fit. The mapping under test is ``alpha = 1 / (C * S)`` with
``S`` the sum of the effective weights (sample_weight x class_weight).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import COEF_TOL, assert_coef_close, sklearn_converged
from sklearn import linear_model as sk

import lassokit as lk

#: Relative duality gap asked of lassokit in the comparisons: coefficients
#: then agree to ~sqrt(2 gap / curvature), within conftest's COEF_TOL.
TIGHT = 1e-10
#: The same for every point of a cross-validation path.
CV_TOL = 1e-9


def _data(n=120, p=6, seed=0, noise=0.8):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    z = X[:, 0] - 0.7 * X[:, 2] + 0.3 + noise * rng.standard_normal(n)
    return X, (z > 0).astype(int)


@pytest.fixture(scope="module")
def data():
    return _data()


def _saga(**kw):
    with sklearn_converged():
        return sk.LogisticRegression(solver="saga", tol=1e-12, max_iter=200_000, **kw)


# -- LogisticRegression: coefficients --------------------------------------------------

@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
def test_matches_saga_with_intercept(data, l1_ratio):
    X, y = data
    ref = _saga(C=0.2, l1_ratio=l1_ratio)
    with sklearn_converged():
        ref.fit(X, y)
    est = lk.LogisticRegression(C=0.2, l1_ratio=l1_ratio, tol=TIGHT).fit(X, y)
    assert est.solution_.converged
    assert_coef_close(est.coef_, ref.coef_)
    assert_coef_close(est.intercept_, ref.intercept_)
    if l1_ratio == 1.0:
        assert np.array_equal(est.coef_ == 0, np.abs(ref.coef_) < 1e-10)


def test_matches_liblinear_without_intercept(data):
    X, y = data
    with sklearn_converged():
        ref = sk.LogisticRegression(C=0.1, l1_ratio=1.0, solver="liblinear", tol=1e-12,
                                    max_iter=100_000, fit_intercept=False).fit(X, y)
    est = lk.LogisticRegression(C=0.1, l1_ratio=1.0, tol=TIGHT, fit_intercept=False).fit(X, y)
    assert_coef_close(est.coef_, ref.coef_)
    assert est.intercept_.tolist() == [0.0]


def test_is_the_problem_with_alpha_one_over_C_S(data):
    """The estimator solves lk.logistic(X, y, 1/(C S), l1_ratio, sample_weight=s)."""
    X, y = data
    sw = np.random.default_rng(1).uniform(0.5, 2.0, y.size)
    cw = {0: 2.0, 1: 0.5}
    s = sw * np.where(y == 1, cw[1], cw[0])
    C, r = 0.3, 0.7
    est = lk.LogisticRegression(C=C, l1_ratio=r, class_weight=cw, tol=TIGHT)
    est.fit(X, y, sample_weight=sw)
    sol = lk.logistic(X, y, 1.0 / (C * s.sum()), l1_ratio=r, sample_weight=s).solve(tol=TIGHT)
    assert_coef_close(est.coef_[0], sol.coef)
    assert est.intercept_[0] == pytest.approx(sol.intercept, abs=COEF_TOL)
    assert est.dual_gap_ <= TIGHT * 1.0  # lassokit's scale: P(0, b0) <= log 2
    assert est.backend_ == est.solution_.backend


def test_unpenalized_matches_lbfgs_and_refuses_separable_classes(data):
    X, y = data
    with sklearn_converged():
        ref = sk.LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, y)
    est = lk.LogisticRegression(C=np.inf, tol=TIGHT).fit(X, y)
    assert_coef_close(est.coef_, ref.coef_)
    separable = (X[:, 0] > 0).astype(int)
    with pytest.raises(ValueError, match="does not exist.*separable"):
        lk.LogisticRegression(C=np.inf).fit(X, separable)
    with pytest.warns(FutureWarning, match="penalty"), \
            pytest.raises(ValueError, match="does not exist"):
        lk.LogisticRegression(penalty=None).fit(X, separable)


# -- labels, weights, predictions --------------------------------------------------------

@pytest.mark.parametrize("labels", [("no", "yes"), (3, 7), (False, True), (-1.0, 1.0)])
def test_any_two_labels(data, labels):
    X, y = data
    base = lk.LogisticRegression(C=0.5, l1_ratio=1.0, tol=TIGHT).fit(X, y)
    y2 = np.asarray(labels, dtype=object if isinstance(labels[0], str) else None)[y]
    est = lk.LogisticRegression(C=0.5, l1_ratio=1.0, tol=TIGHT).fit(X, y2)
    assert est.classes_.tolist() == list(labels)
    assert_coef_close(est.coef_, base.coef_)
    pred = est.predict(X)
    assert set(pred.tolist()) <= set(labels)
    assert np.array_equal(pred == labels[1], est.decision_function(X) > 0)
    assert est.score(X, y2) == pytest.approx(np.mean(pred == y2))


def test_class_weight_is_sample_weight_and_balanced_matches_sklearn(data):
    X, y = data
    cw = {0: 3.0, 1: 0.5}
    a = lk.LogisticRegression(C=0.4, l1_ratio=1.0, class_weight=cw, tol=TIGHT).fit(X, y)
    b = lk.LogisticRegression(C=0.4, l1_ratio=1.0, tol=TIGHT).fit(
        X, y, sample_weight=np.where(y == 1, 0.5, 3.0))
    assert_coef_close(a.coef_, b.coef_)
    sw = np.random.default_rng(2).uniform(0.2, 3.0, y.size)
    with sklearn_converged():
        ref = sk.LogisticRegression(C=0.4, class_weight="balanced", tol=1e-12,
                                    max_iter=10_000).fit(X, y, sample_weight=sw)
    est = lk.LogisticRegression(C=0.4, class_weight="balanced", tol=TIGHT)
    est.fit(X, y, sample_weight=sw)
    assert_coef_close(est.coef_, ref.coef_)
    with pytest.raises(ValueError, match="not classes"):
        lk.LogisticRegression(class_weight={5: 1.0}).fit(X, y)


def test_integer_weights_equal_repeated_rows(data):
    X, y = data
    w = np.random.default_rng(3).integers(0, 4, y.size)
    a = lk.LogisticRegression(C=0.3, l1_ratio=0.8, tol=TIGHT).fit(X, y, sample_weight=w)
    b = lk.LogisticRegression(C=0.3, l1_ratio=0.8, tol=TIGHT).fit(np.repeat(X, w, axis=0),
                                                                 np.repeat(y, w))
    assert_coef_close(a.coef_, b.coef_)
    assert a.intercept_[0] == pytest.approx(b.intercept_[0], abs=COEF_TOL)


def test_probabilities(data):
    X, y = data
    est = lk.LogisticRegression(C=1.0).fit(X, y)
    proba = est.predict_proba(X)
    assert proba.shape == (y.size, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    z = est.decision_function(X)
    np.testing.assert_allclose(proba[:, 1], 1.0 / (1.0 + np.exp(-z)), rtol=1e-13)
    np.testing.assert_allclose(est.predict_log_proba(X), np.log(proba), rtol=1e-12, atol=1e-14)
    far = est.predict_log_proba(X[:1] * 1e4)  # log(predict_proba) would be -inf here
    assert np.all(np.isfinite(far))
    assert np.array_equal(est.predict(X), est.classes_[(proba[:, 1] > 0.5).astype(int)])


def test_three_classes_multinomial_and_cv_refusal(data):
    X, y = data
    # LogisticRegression fits K >= 3 classes with the multinomial model (its
    # tests: test_logistic_multinomial.py); the CV estimator stays binary.
    est = lk.LogisticRegression().fit(X, np.arange(y.size) % 3)
    assert est.coef_.shape == (3, X.shape[1]) and est.predict_proba(X).shape == (y.size, 3)
    with pytest.raises(ValueError, match="Only binary classification.*multinomial"):
        lk.LogisticRegressionCV(Cs=2).fit(X, np.arange(y.size) % 3)
    with pytest.raises(ValueError, match="one class"):
        lk.LogisticRegression().fit(X, np.ones(y.size))
    with pytest.raises(ValueError, match="class"):
        lk.LogisticRegression().fit(X, y, sample_weight=y.astype(float))


def test_dense_sparse_float32_and_attributes(data):
    X, y = data
    dense = lk.LogisticRegression(C=0.5, l1_ratio=1.0, tol=TIGHT).fit(X, y)
    for Xs in (sp.csr_matrix(X), sp.csc_matrix(X)):
        est = lk.LogisticRegression(C=0.5, l1_ratio=1.0, tol=TIGHT).fit(Xs, y)
        assert_coef_close(est.coef_, dense.coef_)
    f32 = lk.LogisticRegression(C=0.5, l1_ratio=1.0).fit(X.astype(np.float32), y)
    assert f32.coef_.dtype == np.float32 and f32.intercept_.dtype == np.float32
    assert dense.coef_.shape == (1, X.shape[1]) and dense.intercept_.shape == (1,)
    assert dense.n_iter_.shape == (1,) and dense.n_iter_.dtype == np.int32
    assert dense.n_iter_[0] >= 1


def test_penalty_semantics_of_sklearn_1_9(data):
    X, y = data
    l1 = lk.LogisticRegression(C=0.2, l1_ratio=1.0, tol=TIGHT).fit(X, y)
    with pytest.warns(FutureWarning, match="penalty"), \
            pytest.warns(UserWarning, match="inconsistent"):  # l1_ratio=0 as in sklearn
        old = lk.LogisticRegression("l1", C=0.2, tol=TIGHT).fit(X, y)
    assert_coef_close(old.coef_, l1.coef_)
    # The solver never restricts the penalty (scikit-learn's "lbfgs" refuses L1).
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = lk.LogisticRegression(C=0.2, l1_ratio=1.0, solver="lbfgs", dual=True,
                                    intercept_scaling=5.0, tol=TIGHT).fit(X, y)
    assert_coef_close(est.coef_, l1.coef_)
    with pytest.warns(FutureWarning, match="n_jobs"):
        lk.LogisticRegression(n_jobs=2).fit(X, y)
    with pytest.raises(ValueError, match="solver"):
        lk.LogisticRegression(solver="newton").fit(X, y)
    with pytest.raises(ValueError, match="'C' parameter"):
        lk.LogisticRegression(C=0.0).fit(X, y)


def test_warm_start_and_max_iter_zero(data):
    X, y = data
    est = lk.LogisticRegression(C=0.3, l1_ratio=1.0, warm_start=True, tol=TIGHT).fit(X, y)
    first = est.coef_.copy()
    est.fit(X, y)
    assert_coef_close(est.coef_, first)
    with pytest.warns(lk.ConvergenceWarning):
        zero = lk.LogisticRegression(max_iter=0).fit(X, y)
    assert not zero.coef_.any() and zero.n_iter_[0] == 0


# -- LogisticRegressionCV -----------------------------------------------------------------

def _cv_data():
    # Weak signal, many noise features: the log-loss curve has one clear
    # maximum inside the grid (checked against scikit-learn below).
    return _data(n=150, p=12, seed=4, noise=1.5)


def _fit_quiet(est, X, y, **kw):
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)  # short sklearn references
        return est.fit(X, y, **kw)


@pytest.mark.parametrize("solver", ["saga", "liblinear"])
def test_cv_picks_the_C_of_sklearn(solver):
    X, y = _cv_data()
    fit_intercept = solver == "saga"  # liblinear penalizes its intercept
    # From C = 0.1: below it every coefficient is 0 and saga's intercept
    # stops short of the intercept-only optimum (seen: 1e-3 off the log-loss).
    kw = dict(Cs=np.logspace(-1, 1, 7), l1_ratios=(1.0,), cv=4, scoring="neg_log_loss",
              use_legacy_attributes=False, fit_intercept=fit_intercept)
    with sklearn_converged():
        ref = sk.LogisticRegressionCV(solver=solver, tol=1e-10, max_iter=100_000, **kw)
        ref.fit(X, y)
    est = lk.LogisticRegressionCV(tol=CV_TOL, **kw).fit(X, y)
    np.testing.assert_allclose(est.scores_, ref.scores_, rtol=0, atol=1e-8)
    # The choice is not decided by solver noise: the best mean beats the next.
    mean = np.sort(ref.scores_.mean(axis=0).ravel())
    assert mean[-1] - mean[-2] > 1e-4
    assert est.C_ == ref.C_
    assert est.C_1se_ < est.C_ and est.C_1se_ in est.Cs_
    assert_coef_close(est.coef_, ref.coef_)


def test_cv_layouts_match_sklearn():
    X, y = _cv_data()
    for kw in (dict(), dict(l1_ratios=(0.5, 1.0)), dict(use_legacy_attributes=False),
               dict(l1_ratios=(0.0,), use_legacy_attributes=False, refit=False)):
        kw = dict(Cs=3, cv=3, **kw)
        est = _fit_quiet(lk.LogisticRegressionCV(**kw), X, y)
        ref = _fit_quiet(sk.LogisticRegressionCV(solver="saga", max_iter=50, **kw), X, y)
        for name in ("Cs_", "l1_ratios_", "C_", "l1_ratio_", "n_iter_", "scores_",
                     "coefs_paths_"):
            a, b = getattr(est, name), getattr(ref, name)
            if isinstance(b, dict):
                assert list(a) == list(b)
                a, b = next(iter(a.values())), next(iter(b.values()))
            assert np.shape(a) == np.shape(b), (kw, name)
            assert type(a) is type(b) or np.asarray(a).dtype == np.asarray(b).dtype, (kw, name)


def test_cv_default_warns_like_sklearn_and_uses_accuracy():
    X, y = _cv_data()
    with pytest.warns(FutureWarning) as record:
        est = lk.LogisticRegressionCV(Cs=4, cv=3).fit(X, y)
    text = " ".join(str(w.message) for w in record)
    for word in ("l1_ratios", "scoring", "use_legacy_attributes"):
        assert word in text
    scores = est.scores_[est.classes_[1]]
    assert scores.shape == (3, 4) and np.all((scores >= 0) & (scores <= 1))
    assert est.score(X, y) == pytest.approx(np.mean(est.predict(X) == y))


def test_cv_fold_paths_are_single_fits():
    """Each fold's path point is LogisticRegression(C) fitted on the fold's training rows."""
    from sklearn.model_selection import StratifiedKFold

    X, y = _cv_data()
    w = np.random.default_rng(5).uniform(0.5, 2.0, y.size)
    Cs = np.array([1.0, 0.05, 0.3])  # unsorted: kept in this order
    est = lk.LogisticRegressionCV(Cs=Cs, l1_ratios=(0.6,), cv=3, scoring="neg_log_loss",
                                  use_legacy_attributes=False, class_weight="balanced",
                                  tol=CV_TOL).fit(X, y, sample_weight=w)
    assert np.array_equal(est.Cs_, Cs)
    cw = len(y) / (2 * np.bincount(y, weights=w)) * w.sum() / len(y)
    train, _ = next(StratifiedKFold(3).split(X, y))
    for j, C in enumerate(Cs):
        one = lk.LogisticRegression(C=C, l1_ratio=0.6, tol=TIGHT, class_weight=dict(enumerate(cw)))
        one.fit(X[train], y[train], sample_weight=w[train])
        assert_coef_close(est.coefs_paths_[0, 0, j, 0, :-1], one.coef_[0])


def test_cv_refit_false_averages_the_folds():
    X, y = _cv_data()
    est = lk.LogisticRegressionCV(Cs=5, l1_ratios=(1.0,), cv=3, refit=False, scoring=None,
                                  use_legacy_attributes=False).fit(X, y)
    best = est.scores_[:, 0, :].argmax(axis=1)
    np.testing.assert_allclose(est.coef_[0],
                               np.mean([est.coefs_paths_[k, 0, best[k], 0, :-1]
                                        for k in range(3)], axis=0))
    assert est.C_ == pytest.approx(np.mean(est.Cs_[best]))
    assert est.solution_ is None and np.isnan(est.dual_gap_)


def test_plot_cv_on_logistic_cv():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = _cv_data()
    kw = dict(Cs=5, cv=3, l1_ratios=(0.5, 1.0), scoring="neg_log_loss")
    for est in (lk.LogisticRegressionCV(**kw), sk.LogisticRegressionCV(solver="saga", **kw)):
        _fit_quiet(est, X, y)
        fig, ax = plt.subplots()
        assert lk.plot_cv(est, ax=ax) is ax
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert any(t.startswith("C_ =") for t in labels)
        assert any(t.startswith("C_1se_ =") for t in labels)
        assert ax.get_xscale() == "log" and "neg_log_loss" in ax.get_ylabel()
        plt.close(fig)
    with pytest.raises(ValueError, match="fit"):
        lk.plot_cv(lk.LogisticRegressionCV())


def test_default_budget_resumes_an_explicit_one_is_a_limit():
    """max_iter=100 (scikit-learn's default, lbfgs iterations) resumes; 101 does not."""
    from sklearn.datasets import make_classification

    X, y = make_classification(200, 100, n_informative=10, random_state=0)
    X = X + 0.8 * X[:, [0]]  # correlated columns: CD needs many epochs
    with warnings.catch_warnings():
        warnings.simplefilter("error", lk.ConvergenceWarning)
        est = lk.LogisticRegression(C=10.0, l1_ratio=1.0).fit(X, y)
    assert est.solution_.converged and est.n_iter_[0] > 100
    with pytest.warns(lk.ConvergenceWarning):
        short = lk.LogisticRegression(C=10.0, l1_ratio=1.0, max_iter=101).fit(X, y)
    assert not short.solution_.converged and short.n_iter_[0] <= 101


@pytest.mark.parametrize("name, extra", [
    ("LogisticRegression", {"backend": "auto", "lower_bounds": None, "upper_bounds": None,
                            "penalty_weights": None, "standardize": False}),
    ("LogisticRegressionCV", {"backend": "auto", "lower_bounds": None, "upper_bounds": None,
                              "penalty_weights": None, "standardize": False}),
    ("PoissonRegressor", {"backend": "auto", "l1_ratio": 0.0, "lower_bounds": None,
                          "upper_bounds": None, "penalty_weights": None,
                          "standardize": False}),
])
def test_constructor_is_sklearn_1_9_plus_extras(name, extra):
    import inspect

    ours = inspect.signature(getattr(lk, name)).parameters
    theirs = inspect.signature(getattr(sk, name)).parameters
    assert set(ours) == set(theirs) | set(extra)
    for key, param in theirs.items():
        assert ours[key].default == param.default, key
    for key, default in extra.items():
        assert ours[key].default == default
