"""``lk.LogisticRegression`` with K >= 3 classes: the multinomial (softmax) model.

scikit-learn 1.9 minimizes, over ``W`` (K, p) and ``b`` (K,),

    F(W, b) = C sum_i s_i [logsumexp(z_i) - z_{i, y_i}] + r ||W||_1 + (1 - r)/2 ||W||_F^2,

``s_i = sample_weight_i * class_weight[y_i]``; lassokit states it divided by
``C sum(s)``: ``alpha = 1 / (C sum(s))``, penalty ``L1(alpha r) + L2(alpha (1 -
r))``. The references are scikit-learn's own solvers at ``tol=1e-12`` with a
large ``max_iter`` (lbfgs / newton-cholesky for L2, saga for L1 and the
elastic net) and ``F`` evaluated by hand. ``W`` is identified only up to a
constant per feature (and ``b`` up to a constant), so probabilities are
compared everywhere, coefficients only under a pure L2 penalty (unique, rows
summing to 0), intercepts after centring.
"""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import logsumexp, softmax

import lassokit as lk

sklearn = pytest.importorskip("sklearn")
from sklearn.datasets import load_iris, make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.utils import estimator_checks as ec

#: Probabilities of lassokit and scikit-learn at their tight settings.
PROBA_ATOL = 1e-6
#: saga's answers are good to about this in probability.
SAGA_PROBA_ATOL = 1e-5
#: Coefficients (pure L2) relative to max(1, max|coef|): the objective is only
#: pinned to ~1e-14 and its curvature is ~alpha ~ 1e-2, which leaves ~1e-6.
COEF_RTOL = 1e-5
#: The relative duality gap asked of lassokit.
TOL = 1e-12


# ---------------------------------------------------------------------------
# Data and references
# ---------------------------------------------------------------------------

def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def five_classes(seed=0, n=200, p=6):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    Wt = rng.standard_normal((p, 5))
    Wt[4:] = 0.0
    y = (X @ Wt + rng.gumbel(size=(n, 5))).argmax(axis=1)
    return X, y


def sk_fit(X, y, *, C, l1_ratio=0.0, solver=None, sample_weight=None, **kw):
    """scikit-learn's fit at tol=1e-12 (lbfgs for L2 unless told, saga otherwise)."""
    solver = solver or ("lbfgs" if l1_ratio == 0 else "saga")
    est = SkLogisticRegression(C=C, l1_ratio=l1_ratio, solver=solver, tol=1e-12,
                               max_iter=100_000, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, sample_weight=sample_weight)


def lk_fit(X, y, *, sample_weight=None, **kw):
    """lassokit's fit at TOL (its ConvergenceWarning is checked by :func:`assert_certified`)."""
    est = lk.LogisticRegression(tol=TOL, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lk.ConvergenceWarning)
        return est.fit(X, y, sample_weight=sample_weight)


def assert_certified(est):
    """The fit certified its own answer at TOL (what a ConvergenceWarning would deny)."""
    assert est.solution_.rel_gap <= TOL, est.solution_.rel_gap
    assert est.solution_.status == "optimal"


def sk_objective(X, y_idx, coef, intercept, C, r, s):
    """scikit-learn's objective ``F`` by hand, for ``coef`` of shape (K, p)."""
    Xd = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
    W = np.asarray(coef, dtype=np.float64)
    Z = Xd @ W.T + np.asarray(intercept, dtype=np.float64)
    loss = logsumexp(Z, axis=1) - Z[np.arange(Xd.shape[0]), y_idx]
    return C * float(s @ loss) + r * np.abs(W).sum() + 0.5 * (1 - r) * float((W ** 2).sum())


def centred(b):
    b = np.asarray(b, dtype=np.float64)
    return b - b.mean()


def assert_same_model(ours, ref, X, *, proba_atol, coef=False):
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), rtol=0,
                               atol=proba_atol)
    assert np.array_equal(ours.classes_, ref.classes_)
    if coef:
        scale = max(1.0, np.abs(ref.coef_).max())
        np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=0, atol=COEF_RTOL * scale)
        np.testing.assert_allclose(centred(ours.intercept_), centred(ref.intercept_), rtol=0,
                                   atol=COEF_RTOL * scale)


# ---------------------------------------------------------------------------
# Against scikit-learn
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("C", [0.1, 1.0])
def test_iris_l2_matches_sklearn(C):
    X, y = iris()
    ours = lk_fit(X, y, C=C)
    assert ours.coef_.shape == (3, 4) and ours.intercept_.shape == (3,)
    for solver in ("lbfgs", "newton-cholesky"):
        ref = sk_fit(X, y, C=C, solver=solver)
        assert_same_model(ours, ref, X, proba_atol=PROBA_ATOL, coef=True)
        assert np.array_equal(ours.predict(X), ref.predict(X))
    # The symmetric solution: each feature's class coefficients sum to 0.
    np.testing.assert_allclose(ours.coef_.sum(axis=0), 0.0, atol=1e-9)
    assert_certified(ours)


@pytest.mark.parametrize("r", [1.0, 0.5])
def test_iris_l1_and_elastic_net_match_saga(r):
    X, y = iris()
    C = 0.5
    ours = lk_fit(X, y, C=C, l1_ratio=r)
    ref = sk_fit(X, y, C=C, l1_ratio=r)
    assert_same_model(ours, ref, X, proba_atol=SAGA_PROBA_ATOL)
    s = np.ones(X.shape[0])
    f_ours = sk_objective(X, y, ours.coef_, ours.intercept_, C, r, s)
    f_ref = sk_objective(X, y, ref.coef_, ref.intercept_, C, r, s)
    assert f_ours <= f_ref + 1e-9 * abs(f_ref)
    if r == 1.0:
        assert np.any(ours.coef_ == 0)  # the L1 term selects
    assert_certified(ours)


@pytest.mark.parametrize("C,r", [(1.0, 0.0), (0.05, 0.0), (0.1, 1.0), (0.2, 0.5)])
def test_five_classes_match_sklearn(C, r):
    X, y = five_classes()
    ours = lk_fit(X, y, C=C, l1_ratio=r)
    if r == 0.0:
        ref = sk_fit(X, y, C=C, solver="newton-cholesky")
        assert_same_model(ours, ref, X, proba_atol=PROBA_ATOL, coef=True)
        assert_same_model(ours, sk_fit(X, y, C=C, solver="lbfgs"), X, proba_atol=PROBA_ATOL,
                          coef=True)
    else:
        ref = sk_fit(X, y, C=C, l1_ratio=r)
        assert_same_model(ours, ref, X, proba_atol=SAGA_PROBA_ATOL)
    assert ours.coef_.shape == (5, 6)
    s = np.ones(X.shape[0])
    f_ours = sk_objective(X, y, ours.coef_, ours.intercept_, C, r, s)
    f_ref = sk_objective(X, y, ref.coef_, ref.intercept_, C, r, s)
    assert f_ours <= f_ref + 1e-9 * abs(f_ref)
    # The certificate, in lassokit's scale (F divided by C sum(s)), bounds the excess.
    assert f_ours - f_ref <= ours.dual_gap_ * C * s.sum() + 1e-9 * abs(f_ref)
    assert_certified(ours)


WEIGHT_CASES = {
    "class_weight-dict": {"class_weight": {0: 1.0, 1: 2.0, 2: 0.5, 3: 1.5}},
    "class_weight-balanced": {"class_weight": "balanced"},
    "sample_weight": {"sample_weight": True},
    "both": {"class_weight": "balanced", "sample_weight": True},
}


@pytest.mark.parametrize("name", list(WEIGHT_CASES))
@pytest.mark.parametrize("r", [0.0, 0.5])
def test_weights_match_sklearn(name, r):
    X, y = five_classes(seed=3)
    kw = dict(WEIGHT_CASES[name])
    sw = np.random.default_rng(4).uniform(0.2, 3.0, X.shape[0]) if kw.pop("sample_weight",
                                                                          False) else None
    C = 0.3
    ours = lk_fit(X, y, C=C, l1_ratio=r, sample_weight=sw, **kw)
    if r == 0.0:
        ref = sk_fit(X, y, C=C, solver="newton-cholesky", sample_weight=sw, **kw)
        assert_same_model(ours, ref, X, proba_atol=PROBA_ATOL, coef=True)
    else:
        ref = sk_fit(X, y, C=C, l1_ratio=r, sample_weight=sw, **kw)
        assert_same_model(ours, ref, X, proba_atol=SAGA_PROBA_ATOL)
    # The mapping alpha = 1 / (C sum(s)) with the effective weights s.
    classes = np.unique(y)
    cw = np.ones(5)
    if kw.get("class_weight") == "balanced":
        base = np.ones(X.shape[0]) if sw is None else sw
        cw = base.sum() / (5 * np.bincount(y, weights=base))
    elif isinstance(kw.get("class_weight"), dict):
        cw = np.array([kw["class_weight"].get(k, 1.0) for k in classes])
    s = (np.ones(X.shape[0]) if sw is None else sw) * cw[y]
    alpha = 1.0 / (C * s.sum())
    prob = lk.Problem(X, y, lk.L1(alpha * r) + lk.L2(alpha * (1 - r)), loss="multinomial",
                      sample_weight=s)
    direct = prob.solve("cd", tol=1e-12)
    assert ours.solution_.objective == pytest.approx(direct.objective, rel=1e-9)
    f_ours = sk_objective(X, y, ours.coef_, ours.intercept_, C, r, s)
    f_ref = sk_objective(X, y, ref.coef_, ref.intercept_, C, r, s)
    assert f_ours <= f_ref + 1e-9 * abs(f_ref)
    assert_certified(ours)


@pytest.mark.parametrize("r", [0.0, 1.0])
def test_no_intercept_matches_sklearn(r):
    X, y = five_classes(seed=5)
    X = X + 0.7  # so that the missing intercept matters
    ours = lk_fit(X, y, C=0.5, l1_ratio=r, fit_intercept=False)
    assert np.all(ours.intercept_ == 0)
    if r == 0.0:
        ref = sk_fit(X, y, C=0.5, solver="newton-cholesky", fit_intercept=False)
        assert_same_model(ours, ref, X, proba_atol=PROBA_ATOL, coef=True)
    else:
        ref = sk_fit(X, y, C=0.5, l1_ratio=r, fit_intercept=False)
        assert_same_model(ours, ref, X, proba_atol=SAGA_PROBA_ATOL)
    np.testing.assert_allclose(ours.decision_function(X), X @ ours.coef_.T, rtol=1e-12,
                               atol=1e-12)
    assert_certified(ours)


def test_standardize_equals_fit_on_standardized_columns():
    """glmnet's standardize: the same model as a plain fit on ``(X - m) / sd``."""
    rng = np.random.default_rng(7)
    X, y = five_classes(seed=7)
    X = X * rng.uniform(0.2, 5.0, X.shape[1]) + rng.uniform(-3, 3, X.shape[1])
    Xs = StandardScaler().fit_transform(X)
    for r in (0.0, 0.5):
        ours = lk_fit(X, y, C=0.2, l1_ratio=r, standardize=True)
        plain = lk_fit(Xs, y, C=0.2, l1_ratio=r)
        np.testing.assert_allclose(ours.predict_proba(X), plain.predict_proba(Xs), atol=1e-6)
        assert_certified(ours)


def test_penalty_weights_map_to_feature_weights():
    X, y = five_classes(seed=8)
    v = np.array([1.0, 0.0, 2.0, 0.5, 1.0, 3.0])
    C, r = 0.2, 0.5
    ours = lk_fit(X, y, C=C, l1_ratio=r, penalty_weights=v)
    alpha = 1.0 / (C * X.shape[0])
    prob = lk.Problem(X, y, lk.L1(alpha * r, weights=v) + lk.L2(alpha * (1 - r), weights=v),
                      loss="multinomial")
    direct = prob.solve("cd", tol=1e-12)
    assert ours.solution_.objective == pytest.approx(direct.objective, rel=1e-9)
    np.testing.assert_allclose(ours.predict_proba(X), direct.predict(X), atol=1e-6)
    assert_certified(ours)


# ---------------------------------------------------------------------------
# Inputs: labels, dtypes, sparse X
# ---------------------------------------------------------------------------

def test_string_labels():
    X, y = five_classes(seed=9)
    names = np.array(["violet", "blue", "green", "amber", "red"])
    labels = names[y]
    ours = lk_fit(X, labels, C=0.5)
    coded = lk_fit(X, y, C=0.5)
    assert list(ours.classes_) == sorted(names)
    # Column k of predict_proba is classes_[k]: map the integer fit's columns.
    order = [list(names).index(c) for c in ours.classes_]
    np.testing.assert_allclose(ours.predict_proba(X), coded.predict_proba(X)[:, order],
                               atol=1e-9)
    assert np.array_equal(ours.predict(X), names[coded.predict(X)])
    ref = sk_fit(X, labels, C=0.5, solver="newton-cholesky")
    assert_same_model(ours, ref, X, proba_atol=PROBA_ATOL, coef=True)


def test_float32_input():
    X, y = five_classes(seed=10)
    X32 = X.astype(np.float32)
    ours = lk_fit(X32, y, C=0.5)
    assert ours.coef_.dtype == np.float32 and ours.intercept_.dtype == np.float32
    assert ours.decision_function(X32).dtype == np.float32
    proba = ours.predict_proba(X32)
    assert proba.dtype == np.float32
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)
    ref = lk_fit(X, y, C=0.5)
    np.testing.assert_allclose(proba, ref.predict_proba(X), atol=1e-5)
    assert_certified(ours)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_equals_dense(fmt):
    X, y = five_classes(seed=11)
    rng = np.random.default_rng(12)
    X = np.where(rng.random(X.shape) < 0.5, X, 0.0)
    Xs = sp.csr_matrix(X) if fmt == "csr" else sp.csc_matrix(X)
    for r in (0.0, 0.5):
        dense = lk_fit(X, y, C=0.5, l1_ratio=r)
        sparse = lk_fit(Xs, y, C=0.5, l1_ratio=r)
        np.testing.assert_allclose(sparse.predict_proba(Xs), dense.predict_proba(X), atol=1e-7)
        np.testing.assert_allclose(sparse.predict_proba(X), dense.predict_proba(X), atol=1e-7)
        if r == 0.0:
            np.testing.assert_allclose(sparse.coef_, dense.coef_, atol=1e-5)
        assert_certified(sparse)


# ---------------------------------------------------------------------------
# The prediction API
# ---------------------------------------------------------------------------

def test_prediction_methods_are_consistent():
    X, y = five_classes(seed=13)
    est = lk_fit(X, y, C=0.3, l1_ratio=0.3)
    Z = est.decision_function(X)
    assert Z.shape == (X.shape[0], 5)
    np.testing.assert_allclose(Z, X @ est.coef_.T + est.intercept_, rtol=1e-12, atol=1e-12)
    P = est.predict_proba(X)
    np.testing.assert_allclose(P, softmax(Z, axis=1), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(est.predict_log_proba(X), np.log(P), rtol=1e-10, atol=1e-12)
    assert np.array_equal(est.predict(X), est.classes_[np.argmax(Z, axis=1)])
    # Large scores do not overflow.
    big = 1e4 * X
    assert np.all(np.isfinite(est.predict_proba(big)))
    assert np.all(np.isfinite(est.predict_log_proba(big)))
    np.testing.assert_allclose(est.predict_proba(big).sum(axis=1), 1.0, atol=1e-12)


def test_pickle_roundtrip():
    X, y = five_classes(seed=14)
    est = lk_fit(X, y, C=0.4, l1_ratio=0.5)
    back = pickle.loads(pickle.dumps(est))
    assert np.array_equal(back.predict_proba(X), est.predict_proba(X))
    assert np.array_equal(back.predict(X), est.predict(X))
    assert np.array_equal(back.coef_, est.coef_)
    assert back.solution_.dual_gap == est.solution_.dual_gap


def test_warm_start_reuses_coef(monkeypatch):
    from lassokit.matrix.problem import MatrixProblem

    X, y = five_classes(seed=15)
    seen = []
    original = MatrixProblem.solve

    def spy(self, *args, **kwargs):
        ws = kwargs.get("warm_start")
        seen.append(None if ws is None else np.array(ws, dtype=np.float64))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(MatrixProblem, "solve", spy)
    est = lk_fit(X, y, C=1.0, l1_ratio=0.2)
    assert seen[-1] is None  # no previous coef_
    first = est.coef_.copy()
    cold_iter = int(est.n_iter_[0])
    est.set_params(warm_start=True)
    est.fit(X, y)
    np.testing.assert_array_equal(seen[-1], first.T)
    assert int(est.n_iter_[0]) < cold_iter  # started at the optimum
    np.testing.assert_allclose(est.predict_proba(X), lk_fit(X, y, C=1.0,
                                                            l1_ratio=0.2).predict_proba(X),
                               atol=1e-7)
    # Warm start at another strength reaches the cold answer.
    prev = est.coef_.copy()
    est.set_params(C=0.5)
    est.fit(X, y)
    np.testing.assert_array_equal(seen[-1], prev.T)
    cold = lk_fit(X, y, C=0.5, l1_ratio=0.2)
    np.testing.assert_allclose(est.predict_proba(X), cold.predict_proba(X), atol=1e-6)
    # warm_start=False never passes the previous coefficients.
    est.set_params(warm_start=False)
    est.fit(X, y)
    assert seen[-1] is None


# ---------------------------------------------------------------------------
# Refusals
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("kw", [{"C": np.inf}, {"lower_bounds": -1.0},
                                {"upper_bounds": 1.0},
                                {"lower_bounds": -np.ones(6), "upper_bounds": np.ones(6)}],
                         ids=["C=inf", "lower", "upper", "both-bounds"])
def test_refused_with_three_or_more_classes(kw):
    X, y = five_classes(seed=16)
    with pytest.raises(ValueError):
        lk.LogisticRegression(**kw).fit(X, y)


def test_offset_refused():
    X, y = five_classes(seed=17)
    with pytest.raises(ValueError):
        lk.LogisticRegression().fit(X, y, offset=np.zeros(X.shape[0]))
    est = lk.LogisticRegression().fit(X, y)
    with pytest.raises(ValueError):
        est.predict_proba(X, offset=np.zeros(X.shape[0]))


def test_class_without_weight_refused():
    X, y = five_classes(seed=18)
    sw = np.ones(X.shape[0])
    sw[y == 2] = 0.0
    with pytest.raises(ValueError):
        lk.LogisticRegression().fit(X, y, sample_weight=sw)


# ---------------------------------------------------------------------------
# scikit-learn's own checks on multiclass data
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("check", ["check_classifiers_train", "check_classifiers_classes",
                                   "check_decision_proba_consistency",
                                   "check_class_weight_classifiers",
                                   "check_sample_weight_equivalence_on_dense_data",
                                   "check_estimators_pickle"])
def test_sklearn_checks(check):
    assert lk.LogisticRegression().__sklearn_tags__().classifier_tags.multi_class
    getattr(ec, check)("LogisticRegression", lk.LogisticRegression())


def test_sklearn_check_classifiers_predictions_multiclass():
    X, y = make_blobs(n_samples=300, random_state=0, cluster_std=0.5, centers=4)
    ec.check_classifiers_predictions(X, y, "LogisticRegression", lk.LogisticRegression())
