"""Matrix problems: equivalent statements give the same answer (entry-wise penalty =
K independent problems, sparse = dense, weights = repeated rows, scikit-learn).
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import _matrix_cases as mc
import numpy as np
import pytest
import scipy.sparse as sp
from _matrix_cases import TIGHT, K, N, P, Spec

import lassokit as lk

# ---------------------------------------------------------------------------
# An entry-wise penalty on a 2-D Y is K independent problems
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_entrywise_is_independent_columns(fit_intercept, weighted):
    X, Y = mc.make_data(3)
    sw = mc.sample_weights() if weighted else None
    a = 0.1
    prob = lk.Problem(X, Y, lk.L1(a), fit_intercept=fit_intercept, sample_weight=sw)
    assert prob.n_targets == K
    sol = mc.solve(prob, tol=TIGHT)
    sigma = mc.strong_convexity(X, Spec(group=False, l1=a), sw, fit_intercept)
    total = 0.0
    for k in range(K):
        one = mc.solve(lk.lasso(X, Y[:, k], a, fit_intercept=fit_intercept, sample_weight=sw),
                       tol=TIGHT)
        total += one.objective
        bound = np.sqrt(2 * sol.dual_gap / sigma) + np.sqrt(2 * one.dual_gap / sigma)
        err = np.linalg.norm(sol.coef[:, k] - one.coef)
        assert err <= bound + 1e-9, (k, err, bound)
        mc.assert_intercepts_match(sol.intercept[k], sol.coef[:, k], one.intercept, one.coef,
                                   X, sw, fit_intercept)
    # The objective is the sum of the K objectives.
    assert abs(sol.objective - total) <= sol.dual_gap + 1e-10 * max(1.0, total) + K * TIGHT * \
        mc.ref_p0(X, Y, sw, fit_intercept)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
def test_entrywise_matches_sklearn_per_column(l1_ratio):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import ElasticNet, Lasso

    X, Y = mc.make_data(4)
    a = 0.12
    pen = lk.L1(a * l1_ratio) + lk.L2(a * (1 - l1_ratio)) if l1_ratio < 1 else lk.L1(a)
    sol = mc.solve(lk.Problem(X, Y, pen), tol=TIGHT)
    spec = Spec(group=False, l1=a * l1_ratio, l2=a * (1 - l1_ratio))
    W_sk, b_sk = np.zeros((P, K)), np.zeros(K)
    for k in range(K):
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            if l1_ratio == 1.0:
                sk = Lasso(alpha=a, tol=1e-12, max_iter=10**6).fit(X, Y[:, k])
            else:
                sk = ElasticNet(alpha=a, l1_ratio=l1_ratio, tol=1e-12, max_iter=10**6).fit(
                    X, Y[:, k])
        W_sk[:, k], b_sk[k] = sk.coef_, sk.intercept_
    # sklearn's answer is feasible: never below lassokit's certified lower bound.
    P_sk = mc.ref_objective(X, Y, W_sk, b_sk, spec)
    assert sol.objective - sol.dual_gap <= P_sk + 1e-12 * max(1.0, P_sk)
    assert abs(P_sk - sol.objective) <= 1e-10 * max(1.0, P_sk)
    mc.assert_near_reference(sol, W_sk, P_sk, mc.strong_convexity(X, spec), tol=1e-7)


def test_entrywise_feature_weights_zero_and_inf():
    """Weight 0 leaves a feature unpenalized, inf holds it at 0 (as for lk.L1)."""
    X, Y = mc.make_data(6)
    v = np.array([1.0, 0.0, 1.0, np.inf, 2.0, 1.0, 1.0])
    spec = Spec(group=False, l1=0.15, l1w=v, l2=0.05)
    prob = mc.build(X, Y, spec)
    sol = mc.solve(prob)
    assert np.all(sol.coef[3] == 0)
    assert np.all(sol.coef[1] != 0)  # unpenalized: no reason to be 0
    W_ref, _, P_ref = mc.cvx_solve(X, Y, spec)
    assert abs(sol.objective - P_ref) <= 1e-8 * max(1.0, P_ref)
    mc.assert_near_reference(sol, W_ref, P_ref, mc.strong_convexity(X, spec))
    # Same problem as the one without feature 3 (its weight dropped too).
    keep = [0, 1, 2, 4, 5, 6]
    sub = mc.solve(mc.build(X[:, keep], Y, replace(spec, l1w=v[keep])))
    assert abs(sub.objective - sol.objective) <= sub.dual_gap + sol.dual_gap + 1e-12
    # And each column is the one-target problem.
    for k in range(K):
        one = mc.solve(lk.Problem(X, Y[:, k], spec.penalty()))
        mc.assert_close(sol.coef[:, k], one.coef, 1e-5)


# ---------------------------------------------------------------------------
# Equivalences: sparse = dense, weights = repeated rows, scikit-learn multi-task
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csc", "csr", "coo"])
@pytest.mark.parametrize("kind", ["multitask_lasso", "group_lasso", "sparse_group_2d",
                                  "group_enet", "entrywise"])
def test_sparse_equals_dense(kind, fmt):
    X, Y, spec, sw = mc.kind_case(kind, storage="csc", weighted=True)
    Xd = X.toarray()
    Xs = sp.csc_matrix(Xd).asformat(fmt)
    a = mc.solve(mc.build(Xd, Y, spec, sw), tol=TIGHT)
    b = mc.solve(mc.build(Xs, Y, spec, sw), tol=TIGHT)
    mc.assert_certified_pair(a, b, mc.strong_convexity(Xd, spec, sw), mc.ref_p0(Xd, Y, sw))
    mc.assert_intercepts_match(a.intercept, a.coef, b.intercept, b.coef, Xd, sw)
    # The certificates agree at any point too.
    W = np.random.default_rng(0).standard_normal(np.shape(a.coef))
    pd, ps = mc.build(Xd, Y, spec, sw), mc.build(Xs, Y, spec, sw)
    assert ps.objective(W) == pytest.approx(pd.objective(W), rel=1e-12)
    assert ps.dual_gap(W) == pytest.approx(pd.dual_gap(W), rel=1e-9)
    # Predictions take either storage.
    mc.assert_close(b.predict(Xs), a.predict(Xd), 1e-7, "predict")


@pytest.mark.parametrize("storage", ["dense", "csc"])
@pytest.mark.parametrize("kind", ["multitask_enet", "sparse_group", "group_enet",
                                  "entrywise"])
def test_integer_weights_equal_repeated_rows(kind, storage):
    X, Y, spec, _ = mc.kind_case(kind)
    w = np.random.default_rng(2).integers(0, 4, N)
    w[:3] = [0, 3, 1]
    Xr, Yr = np.repeat(X, w, axis=0), np.repeat(Y, w, axis=0)
    conv = (lambda A: sp.csc_matrix(A)) if storage == "csc" else (lambda A: A)
    a = mc.solve(mc.build(conv(X), Y, spec, w), tol=TIGHT)
    b = mc.solve(mc.build(conv(Xr), Yr, spec), tol=TIGHT)
    mc.assert_certified_pair(a, b, mc.strong_convexity(X, spec, w), mc.ref_p0(X, Y, w))
    mc.assert_intercepts_match(a.intercept, a.coef, b.intercept, b.coef, X, w)
    # Float weights scaled by a constant are the same problem (weights are normalized).
    c = mc.solve(mc.build(conv(X), Y, spec, 7.5 * w), tol=TIGHT)
    mc.assert_certified_pair(a, c, mc.strong_convexity(X, spec, w), mc.ref_p0(X, Y, w))


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.7])
def test_multitask_matches_sklearn(l1_ratio, fit_intercept):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import MultiTaskElasticNet, MultiTaskLasso

    X, Y = mc.make_data(7)
    a = 0.2
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        if l1_ratio == 1.0:
            sk = MultiTaskLasso(alpha=a, tol=1e-12, max_iter=10**6,
                                fit_intercept=fit_intercept).fit(X, Y)
            pen = lk.GroupL2(a)
        else:
            sk = MultiTaskElasticNet(alpha=a, l1_ratio=l1_ratio, tol=1e-12, max_iter=10**6,
                                     fit_intercept=fit_intercept).fit(X, Y)
            pen = lk.GroupL2(a * l1_ratio) + lk.L2(a * (1 - l1_ratio))
    prob = lk.Problem(X, Y, pen, fit_intercept=fit_intercept)
    sol = mc.solve(prob, tol=TIGHT)
    spec = Spec(alpha=a * l1_ratio, l2=a * (1 - l1_ratio))
    b_sk = np.broadcast_to(sk.intercept_, (K,))
    P_sk = mc.ref_objective(X, Y, sk.coef_.T, b_sk, spec)
    assert sol.objective - sol.dual_gap <= P_sk + 1e-12
    assert abs(sol.objective - P_sk) <= 1e-10 * max(1.0, P_sk)
    sigma = mc.strong_convexity(X, spec, None, fit_intercept)
    mc.assert_near_reference(sol, sk.coef_.T, P_sk, sigma, tol=1e-7)
    mc.assert_close(sol.intercept, mc.ref_intercept(X, Y, sol.coef, None, fit_intercept), 1e-10,
                    "intercept")
    assert 0 < np.sum(np.any(sol.coef != 0, axis=1)) < P
