"""The multinomial (softmax) loss against the CVXPY reference and the objective by hand."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from _multinomial_cases import (
    COEF_RTOL,
    OBJ_RTOL,
    PROBA_ATOL,
    SLACK,
    P,
    cvx_reference,
    lk_penalty,
    make_data,
    objective_by_hand,
    rows_sum_zero_expected,
    sparsify,
    tight_solve,
)
from scipy.special import softmax

import lassokit as lk

# ---------------------------------------------------------------------------
# Against the CVXPY reference
# ---------------------------------------------------------------------------

CASES = {
    "l1-dense-intercept": {"spec": {"l1": (0.03, None)}},
    "l2-dense-nointercept": {"spec": {"l2": (0.2, None)}, "fit_intercept": False},
    "enet-featureweights-sw": {
        "spec": {"l1": (0.02, [1.0, 0.5, 2.0, 1.0, 0.0, 1.5]),
                 "l2": (0.05, [1.0, 2.0, 1.0, 0.5, 1.0, 1.0])},
        "sw": True},
    "grouprows-sparse-sw": {"spec": {"group": (0.04, None)}, "sparse": "csc", "sw": True},
    "featuregroups+l1-dense": {"spec": {"group": (0.03, [[0, 1, 2], [3, 4]]),
                                        "l1": (0.01, None)}},
    "featuregroups-alone-csr-nointercept": {
        "spec": {"group": (0.05, [[0, 3], [1, 2, 4, 5]])}, "sparse": "csr",
        "fit_intercept": False},
    "l1-sparse-4class-strings": {"spec": {"l1": (0.015, None)}, "sparse": "csr", "K": 4,
                                 "strings": True},
}


def build(case, seed=3):
    K = case.get("K", 3)
    X, y = make_data(n=70, p=P, K=K, seed=seed)
    sw = None
    if case.get("sw"):
        sw = np.random.default_rng(seed + 10).uniform(0.2, 3.0, X.shape[0])
    Xin = sparsify(X, fmt=case["sparse"]) if case.get("sparse") else X
    labels = np.array(["cat", "dog", "emu", "fox"])[y] if case.get("strings") else y
    pen = lk_penalty(case["spec"])
    prob = lk.Problem(Xin, labels, pen, loss="multinomial",
                      fit_intercept=case.get("fit_intercept", True), sample_weight=sw)
    return prob, Xin, y, sw, K


@pytest.mark.parametrize("name", list(CASES))
def test_matches_cvxpy_reference(name):
    case = CASES[name]
    prob, Xin, y, sw, K = build(case)
    fit_intercept = case.get("fit_intercept", True)
    spec = case["spec"]
    if case.get("strings"):
        assert list(prob.classes) == ["cat", "dog", "emu", "fox"][:K]
    else:
        assert np.array_equal(prob.classes, np.arange(K))
    ref_obj, W_ref, b_ref = cvx_reference(Xin, y, K, spec, fit_intercept=fit_intercept, sw=sw)
    # The reference states the same objective as lassokit evaluates.
    assert abs(objective_by_hand(Xin, y, K, spec, W_ref, b_ref, sw) - ref_obj) <= 1e-9 * max(
        1.0, abs(ref_obj))
    assert prob.objective(W_ref, b_ref) == pytest.approx(ref_obj, rel=1e-9, abs=1e-12)
    # Its intercept optimization can only lower the value.
    assert prob.objective(W_ref) <= ref_obj + 1e-10

    sol = tight_solve(prob, tol=1e-10)
    assert sol.status == "optimal"
    assert sol.rel_gap <= 1e-10
    assert sol.coef.shape == (P, K)
    assert np.shape(sol.intercept) == (K,)
    if not fit_intercept:
        assert np.all(np.asarray(sol.intercept) == 0.0)
    assert abs(sol.objective - ref_obj) <= OBJ_RTOL * max(1.0, abs(ref_obj))
    # The solution's objective is the objective at its own (coef, intercept).
    assert prob.objective(sol.coef, sol.intercept) == pytest.approx(sol.objective, rel=1e-12)
    assert objective_by_hand(Xin, y, K, spec, np.asarray(sol.coef, float),
                             np.asarray(sol.intercept, float), sw) == pytest.approx(
        sol.objective, rel=1e-10)
    # The certificate bounds the reference's excess over lassokit's value.
    assert prob.dual_gap(W_ref) >= prob.objective(W_ref) - sol.objective - SLACK
    # Class probabilities (unique at the optimum) agree and are distributions.
    proba = sol.predict(Xin)
    Xd = Xin.toarray() if sp.issparse(Xin) else Xin
    assert proba.shape == (Xd.shape[0], K)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(proba, softmax(Xd @ W_ref + b_ref, axis=1), atol=PROBA_ATOL)
    if rows_sum_zero_expected(spec):
        scale = max(1.0, np.abs(W_ref).max())
        np.testing.assert_allclose(sol.coef, W_ref, rtol=0, atol=COEF_RTOL * scale)
        np.testing.assert_allclose(np.asarray(sol.coef).sum(axis=1), 0.0, atol=1e-7 * scale)
        np.testing.assert_allclose(W_ref.sum(axis=1), 0.0, atol=1e-6 * scale)


@pytest.mark.parametrize("name", ["enet-featureweights-sw", "grouprows-sparse-sw"])
def test_cvxpy_backend_agrees(name):
    """lassokit's own CVXPY backend solves the same problem (certified by lassokit)."""
    case = CASES[name]
    prob, Xin, y, sw, K = build(case)
    ref_obj, _, _ = cvx_reference(Xin, y, K, case["spec"], sw=sw)
    sol = prob.solve("cvxpy", tol=1e-7)
    assert sol.backend == "cvxpy"
    assert abs(sol.objective - ref_obj) <= OBJ_RTOL * max(1.0, abs(ref_obj))
    assert sol.rel_gap <= 1e-7


def test_l1_l2_row_constant_is_kkt_optimal():
    """Under L1 + L2, the row constant is fixed by the penalty's own optimality.

    Minimizing ``sum_k a1 |w_k + c| + a2/2 (w_k + c)^2`` over ``c`` (the loss
    does not see ``c``) requires ``0 in a2 sum_k w_k + a1 sum_k d|w_k|``:
    ``|a2 sum_k w_k + a1 sum_{w_k != 0} sign(w_k)| <= a1 #{k: w_k = 0}``.
    """
    a1, a2 = 0.02, 0.05
    X, y = make_data(n=80, p=P, K=4, seed=11)
    sol = tight_solve(lk.Problem(X, y, lk.L1(a1) + lk.L2(a2), loss="multinomial"))
    W = np.asarray(sol.coef, float)
    assert np.any(W != 0)
    for row in W:
        nz = row != 0
        resid = abs(a2 * row.sum() + a1 * np.sign(row[nz]).sum())
        assert resid <= a1 * np.count_nonzero(~nz) + 1e-6


def test_objective_formula_by_hand():
    """``prob.objective`` is the formula, sample weights normalized to sum to n."""
    X, y = make_data(n=40, p=5, K=3, seed=5)
    rng = np.random.default_rng(6)
    sw = rng.uniform(0.1, 4.0, 40)
    spec = {"group": (0.07, [[0, 2], [1, 3, 4]]), "l1": (0.02, None), "l2": (0.03, None)}
    prob = lk.Problem(X, y, lk_penalty(spec), loss="multinomial", sample_weight=sw)
    W = rng.standard_normal((5, 3))
    b = rng.standard_normal(3)
    assert prob.objective(W, b) == pytest.approx(
        objective_by_hand(X, y, 3, spec, W, b, sw), rel=1e-13)
    # Scaling every weight changes nothing.
    prob2 = lk.Problem(X, y, lk_penalty(spec), loss="multinomial", sample_weight=7.5 * sw)
    assert prob2.objective(W, b) == pytest.approx(prob.objective(W, b), rel=1e-13)
    # Without b, the intercept is the optimal one: no b does better.
    best = prob.objective(W)
    cert = prob.certify(W)
    assert cert.objective == pytest.approx(best, rel=1e-14)
    assert prob.objective(W, cert.intercept) == pytest.approx(best, rel=1e-12)
    for _ in range(5):
        assert best <= prob.objective(W, cert.intercept + 0.05 * rng.standard_normal(3)) + 1e-15
    # The loss does not see a constant added to b or to a row of W.
    shifted = W.copy()
    shifted[1] += 3.0
    loss_only = lk.Problem(X, y, lk.L2(0.0), loss="multinomial", sample_weight=sw)
    assert loss_only.objective(shifted, b + 1.0) == pytest.approx(
        loss_only.objective(W, b), rel=1e-12)
