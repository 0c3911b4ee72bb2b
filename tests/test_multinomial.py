"""The multinomial (softmax) loss: ``lk.Problem(X, labels, penalty, loss="multinomial")``.

The objective under test is

    P(W, b) = 1/n sum_i s_i [logsumexp(z_i) - z_{i, y_i}] + Omega(W),   Z = X W + 1 b^T,

with ``s`` normalized to sum to ``n``, ``W`` of shape (p, K), and ``Omega``
an entry-wise L1/L2 term (optionally weighted per feature) or a group term
``a sum_g sqrt(|g|) ||W_g||_F`` (``groups=None``: each feature's row is a
group, weight 1).

Every expectation is obtained without lassokit's solvers:

* a CVXPY formulation written here (Clarabel, tight tolerances), which
  states the objective above literally (explicit intercept, uncentred X,
  weights normalized here);
* hand derivations: the objective by numpy, ``alpha_max`` from the
  gradient at ``W = 0`` with the intercept-only fit, the K = 2 reduction to
  binary logistic regression (strength maps derived in the test), the
  invariances (sparse/dense, integer weights/repeated rows, a shift of
  the columns absorbed by the intercept).

``W`` is only identified up to a constant added to a row (the loss does not
see it), so objectives and probabilities are compared, and coefficients
only where the penalty is strictly convex along that direction (L2, group
terms), where the optimal rows must sum to 0.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import expit, logsumexp, softmax

import lassokit as lk

cp = pytest.importorskip("cvxpy")

#: lassokit's solve and the CVXPY reference agree on the objective to this,
#: relative to max(1, |P*|).
OBJ_RTOL = 1e-7
#: Class probabilities of two accurate solves agree to this (absolute).
PROBA_ATOL = 2e-5
#: Coefficients where they are unique (L2 / group penalties), relative to max(1, max|W|).
COEF_RTOL = 1e-5
#: Float64 rounding slack in ``gap >= P(W) - P*``.
SLACK = 1e-12
#: The relative duality gap asked of lassokit's tight solves.
TIGHT = 1e-11


# ---------------------------------------------------------------------------
# Data and an independent reference
# ---------------------------------------------------------------------------

def make_data(n=60, p=6, K=3, seed=0, scale=1.0):
    """A softmax model with signal in some features; every class present."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * scale
    Wt = rng.standard_normal((p, K))
    Wt[p // 2:] = 0.0  # half the features carry no signal
    logits = X @ Wt / scale + rng.gumbel(size=(n, K))
    y = logits.argmax(axis=1)
    y[:K] = np.arange(K)  # every class appears
    return X, y


def sparsify(X, seed=1, density=0.5, fmt="csc"):
    """X with about ``1 - density`` of its entries set to 0, as a sparse matrix."""
    rng = np.random.default_rng(seed)
    Xd = np.where(rng.random(X.shape) < density, X, 0.0)
    return sp.csc_matrix(Xd) if fmt == "csc" else sp.csr_matrix(Xd)


def lk_penalty(spec):
    """The lassokit penalty of a spec ``{"l1": (a, v), "l2": (a, v), "group": (a, groups)}``."""
    pen = None
    if "group" in spec:
        a, groups = spec["group"]
        pen = lk.GroupL2(a, groups=groups)
    base = []
    if "l1" in spec:
        a, v = spec["l1"]
        base.append(lk.L1(a, weights=v))
    if "l2" in spec:
        a, v = spec["l2"]
        base.append(lk.L2(a, weights=v))
    for term in base:
        pen = term if pen is None else pen + term
    return pen


def penalty_value(spec, W):
    """``Omega(W)`` by hand (numpy)."""
    p = W.shape[0]
    out = 0.0
    if "l1" in spec:
        a, v = spec["l1"]
        v = np.ones(p) if v is None else np.asarray(v, float)
        out += a * float(v @ np.abs(W).sum(axis=1))
    if "l2" in spec:
        a, v = spec["l2"]
        v = np.ones(p) if v is None else np.asarray(v, float)
        out += 0.5 * a * float(v @ (W ** 2).sum(axis=1))
    if "group" in spec:
        a, groups = spec["group"]
        if groups is None:
            out += a * float(np.linalg.norm(W, axis=1).sum())
        else:
            out += a * sum(np.sqrt(len(g)) * np.linalg.norm(W[list(g)]) for g in groups)
    return out


def normalized(sw, n):
    return np.ones(n) if sw is None else np.asarray(sw, float) * n / np.sum(sw)


def objective_by_hand(X, y_idx, K, spec, W, b, sw=None):
    """``P(W, b)`` by numpy: the formula of the module docstring."""
    X = X.toarray() if sp.issparse(X) else np.asarray(X)
    n = X.shape[0]
    Z = X @ W + b
    loss = logsumexp(Z, axis=1) - Z[np.arange(n), y_idx]
    return float(normalized(sw, n) @ loss) / n + penalty_value(spec, W)


def cvx_reference(X, y_idx, K, spec, *, fit_intercept=True, sw=None):
    """``(P*, W*, b*)`` from a CVXPY statement of the objective, solved by Clarabel."""
    X = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=float)
    n, p = X.shape
    s = normalized(sw, n)
    E = np.eye(K)[y_idx]
    W = cp.Variable((p, K))
    Z = X @ W
    b = None
    if fit_intercept:
        b = cp.Variable(K)
        Z = Z + np.ones((n, 1)) @ cp.reshape(b, (1, K), order="C")
    terms = [(s @ cp.log_sum_exp(Z, axis=1) - cp.sum(cp.multiply(s[:, None] * E, Z))) / n]
    if "l1" in spec:
        a, v = spec["l1"]
        v = np.ones(p) if v is None else np.asarray(v, float)
        terms.append(a * cp.sum(cp.multiply(np.repeat(v[:, None], K, axis=1), cp.abs(W))))
    if "l2" in spec:
        a, v = spec["l2"]
        v = np.ones(p) if v is None else np.asarray(v, float)
        terms.append(0.5 * a * cp.sum_squares(cp.multiply(np.repeat(np.sqrt(v)[:, None], K,
                                                                     axis=1), W)))
    if "group" in spec:
        a, groups = spec["group"]
        if groups is None:
            terms.append(a * cp.sum(cp.norm(W, 2, axis=1)))
        else:
            terms.append(a * sum(np.sqrt(len(g)) * cp.norm(W[list(g), :], "fro")
                                 for g in groups))
    prob = cp.Problem(cp.Minimize(sum(terms)))
    prob.solve(solver=cp.CLARABEL, tol_gap_abs=1e-9, tol_gap_rel=1e-9, tol_feas=1e-9,
               tol_ktratio=1e-8, max_iter=500)
    assert prob.status == cp.OPTIMAL, prob.status
    Wv = np.asarray(W.value)
    bv = np.zeros(K) if b is None else np.asarray(b.value)
    return float(prob.value), Wv, bv


def tight_solve(prob, **kw):
    sol = prob.solve("cd", tol=kw.pop("tol", TIGHT), max_iter=kw.pop("max_iter", 10 ** 6), **kw)
    return sol


def rows_sum_zero_expected(spec):
    """Whether the penalty alone fixes each row's constant: L2 or group, no L1 part."""
    return ("l2" in spec or "group" in spec) and "l1" not in spec


# ---------------------------------------------------------------------------
# 1. Against the CVXPY reference
# ---------------------------------------------------------------------------

P = 6
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


# ---------------------------------------------------------------------------
# 2. The certificate at arbitrary points
# ---------------------------------------------------------------------------

CERT_CASES = {
    "l1": ({"l1": (0.03, None)}, True, False),
    "l2-nointercept": ({"l2": (0.1, None)}, False, False),
    "grouprows-sw": ({"group": (0.04, None)}, True, True),
    "featuregroups+l1+l2": ({"group": (0.03, [[0, 1], [2, 3, 4, 5]]), "l1": (0.01, None),
                             "l2": (0.02, None)}, True, False),
}


@pytest.mark.parametrize("name", list(CERT_CASES))
def test_certificate_bounds_suboptimality(name):
    spec, fit_intercept, weighted = CERT_CASES[name]
    X, y = make_data(n=60, p=P, K=3, seed=21)
    sw = np.random.default_rng(22).uniform(0.3, 2.0, 60) if weighted else None
    prob = lk.Problem(X, y, lk_penalty(spec), loss="multinomial",
                      fit_intercept=fit_intercept, sample_weight=sw)
    sol = tight_solve(prob, tol=1e-12)
    p_star = sol.objective
    assert sol.rel_gap <= 1e-12
    rng = np.random.default_rng(23)
    W_sol = np.asarray(sol.coef, float)
    points = {
        "zero": np.zeros((P, 3)),
        "random": rng.standard_normal((P, 3)),
        "large": 10.0 * rng.standard_normal((P, 3)),
        "sparse": np.where(rng.random((P, 3)) < 0.3, rng.standard_normal((P, 3)), 0.0),
        "near-optimum": W_sol + 1e-3 * rng.standard_normal((P, 3)),
        "row-shifted-optimum": W_sol + 0.5,  # same loss, different penalty
    }
    for label, W in points.items():
        gap = prob.dual_gap(W)
        excess = prob.objective(W) - p_star
        assert np.isfinite(gap), label
        assert gap >= 0.0, label
        assert gap >= excess - SLACK * max(1.0, abs(p_star)), (label, gap, excess)
    # Tiny at the solution, and it is the solution's own reported gap.
    gap_sol = prob.dual_gap(W_sol)
    assert gap_sol <= 1e-12 * prob.objective(np.zeros((P, 3))) + 1e-15
    assert gap_sol == pytest.approx(sol.dual_gap, abs=1e-14)


def test_certificate_is_informative_away_from_optimum():
    """The gap is not a trivial ``inf``/huge bound: it goes to 0 along a converging sequence."""
    X, y = make_data(n=60, p=P, K=3, seed=31)
    prob = lk.Problem(X, y, lk.L1(0.02) + lk.L2(0.01), loss="multinomial")
    sol = tight_solve(prob, tol=1e-12)
    W_sol = np.asarray(sol.coef, float)
    direction = np.random.default_rng(32).standard_normal((P, 3))
    gaps = [prob.dual_gap(W_sol + t * direction) for t in (1e-1, 1e-2, 1e-3)]
    assert gaps[0] > gaps[1] > gaps[2] > 0
    assert gaps[2] < 1e-3


# ---------------------------------------------------------------------------
# 3. K = 2: the binary logistic model in the symmetric parametrization
# ---------------------------------------------------------------------------

def binary_data(seed=41, n=80, p=5):
    X, y = make_data(n=n, p=p, K=2, seed=seed)
    return X, y


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_two_classes_l2_is_binary_logistic(fit_intercept):
    """Multinomial L2(a) with K = 2 is binary logistic L2(a / 2) on ``v = w1 - w0``.

    For class 1 against class 0, ``logsumexp(z) - z_y = log(1 + exp(-t (z1 - z0)))``
    with ``t = +1`` for class 1 and ``-1`` for class 0: the logistic loss of
    ``v = w1 - w0``, ``c = b1 - b0``. The loss only sees ``v``; the L2 term
    ``(a/2)(|w0|^2 + |w1|^2)`` is least at ``w1 = -w0 = v/2``, where it is
    ``(a/4)|v|^2 = (a'/2)|v|^2`` with ``a' = a/2``.
    """
    a = 0.08
    X, y = binary_data()
    multi = lk.Problem(X, y, lk.L2(a), loss="multinomial", fit_intercept=fit_intercept)
    binary = lk.Problem(X, y, lk.L2(a / 2), loss="logistic", fit_intercept=fit_intercept)
    sm = tight_solve(multi)
    sb = binary.solve("cd", tol=1e-12, max_iter=10 ** 6)
    assert sm.status == "optimal" and sb.status == "optimal"
    W = np.asarray(sm.coef, float)
    v = np.asarray(sb.coef, float)
    scale = max(1.0, np.abs(v).max())
    assert sm.objective == pytest.approx(sb.objective, rel=1e-9)
    np.testing.assert_allclose(W[:, 1] - W[:, 0], v, atol=1e-6 * scale)
    np.testing.assert_allclose(W[:, 1], v / 2, atol=1e-6 * scale)
    np.testing.assert_allclose(W[:, 0], -v / 2, atol=1e-6 * scale)
    b = np.asarray(sm.intercept, float)
    assert b[1] - b[0] == pytest.approx(float(sb.intercept), abs=1e-6 * scale)
    np.testing.assert_allclose(sm.predict(X)[:, 1], expit(X @ v + sb.intercept), atol=1e-7)
    # A wrong map (a' = a) gives a visibly different answer: the test can tell.
    wrong = lk.Problem(X, y, lk.L2(a), loss="logistic",
                       fit_intercept=fit_intercept).solve("cd", tol=1e-12)
    assert abs(wrong.objective - sm.objective) > 1e-4


@pytest.mark.parametrize("kind", ["l1", "grouprows"])
def test_two_classes_l1_and_group_are_binary_l1(kind):
    """Multinomial L1(a) is binary L1(a); GroupL2(a) on rows is binary L1(a / sqrt(2)).

    With ``w1 - w0 = v`` fixed, ``min_c |w0 + c| + |w1 + c| = |v|`` (triangle
    inequality, reached for ``c`` between ``-w1`` and ``-w0``) and
    ``min_c ||(w0 + c, w1 + c)||_2 = |v| / sqrt(2)`` (at ``c = -(w0 + w1)/2``).
    """
    a = 0.04
    X, y = binary_data(seed=43)
    pen = lk.L1(a) if kind == "l1" else lk.GroupL2(a)
    a_bin = a if kind == "l1" else a / np.sqrt(2.0)
    sm = tight_solve(lk.Problem(X, y, pen, loss="multinomial"))
    sb = lk.Problem(X, y, lk.L1(a_bin), loss="logistic").solve("cd", tol=1e-12,
                                                                max_iter=10 ** 6)
    assert sm.objective == pytest.approx(sb.objective, rel=1e-9)
    W = np.asarray(sm.coef, float)
    v = np.asarray(sb.coef, float)
    assert np.count_nonzero(v) < v.size  # the L1 term is active
    np.testing.assert_allclose(sm.predict(X)[:, 1], expit(X @ v + sb.intercept), atol=1e-6)
    np.testing.assert_allclose(W[:, 1] - W[:, 0], v, atol=1e-5 * max(1.0, np.abs(v).max()))
    if kind == "grouprows":
        np.testing.assert_allclose(W[:, 0], -W[:, 1], atol=1e-7)


def test_two_classes_alpha_max_is_binary_alpha_max():
    X, y = binary_data(seed=45)
    am = lk.Problem(X, y, lk.L1(1.0), loss="multinomial").alpha_max()
    ab = lk.Problem(X, y, lk.L1(1.0), loss="logistic").alpha_max()
    assert am == pytest.approx(ab, rel=1e-10)


# ---------------------------------------------------------------------------
# 4. Invariances, alpha_max, paths
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csc", "csr"])
def test_sparse_equals_dense(fmt):
    X, y = make_data(n=70, p=P, K=3, seed=51)
    Xs = sparsify(X, seed=52, fmt=fmt)
    Xd = Xs.toarray()
    sw = np.random.default_rng(53).uniform(0.5, 2.0, 70)
    for pen in (lk.L1(0.02) + lk.L2(0.03), lk.GroupL2(0.05)):
        pd_ = lk.Problem(Xd, y, pen, loss="multinomial", sample_weight=sw)
        ps_ = lk.Problem(Xs, y, pen, loss="multinomial", sample_weight=sw)
        W = np.random.default_rng(54).standard_normal((P, 3))
        assert ps_.objective(W) == pytest.approx(pd_.objective(W), rel=1e-12)
        assert ps_.dual_gap(W) == pytest.approx(pd_.dual_gap(W), rel=1e-8, abs=1e-14)
        sd, ss = tight_solve(pd_), tight_solve(ps_)
        assert sd.status == ss.status == "optimal"
        assert ss.objective == pytest.approx(sd.objective, rel=1e-10)
        np.testing.assert_allclose(ss.predict(Xs), sd.predict(Xd), atol=1e-6)
        np.testing.assert_allclose(ss.coef, sd.coef, atol=1e-5)  # both strictly convex rows


def test_integer_weights_equal_repeated_rows():
    X, y = make_data(n=50, p=P, K=3, seed=61)
    rng = np.random.default_rng(62)
    w = rng.integers(0, 4, 50)
    w[:3] = 1  # every class keeps a sample
    Xr, yr = np.repeat(X, w, axis=0), np.repeat(y, w)
    for pen in (lk.L1(0.02), lk.GroupL2(0.04, groups=[[0, 1, 2], [3, 4, 5]]) + lk.L1(0.01)):
        pw = lk.Problem(X, y, pen, loss="multinomial", sample_weight=w)
        pr = lk.Problem(Xr, yr, pen, loss="multinomial")
        W = rng.standard_normal((P, 3))
        b = rng.standard_normal(3)
        assert pw.objective(W, b) == pytest.approx(pr.objective(W, b), rel=1e-12)
        assert pw.objective(W) == pytest.approx(pr.objective(W), rel=1e-11)
        sw_, sr_ = tight_solve(pw), tight_solve(pr)
        assert sw_.objective == pytest.approx(sr_.objective, rel=1e-10)
        np.testing.assert_allclose(sw_.predict(X), sr_.predict(X), atol=1e-6)


def gradient_at_zero(X, y, K, sw=None, fit_intercept=True):
    """``G = X^T S (P0 - E) / n`` with ``P0`` the intercept-only fit (class shares)."""
    n = X.shape[0]
    s = normalized(sw, n)
    E = np.eye(K)[y]
    share = (s @ E) / n if fit_intercept else np.full(K, 1.0 / K)
    return X.T @ (s[:, None] * (share[None, :] - E)) / n


ALPHA_MAX_CASES = {
    "l1": (lambda a: lk.L1(a), lambda G: np.abs(G).max(), True, None),
    "l1+l2": (lambda a: lk.L1(a) + lk.L2(0.05), lambda G: np.abs(G).max(), True, None),
    "l1-weighted-nointercept": (
        lambda a: lk.L1(a, weights=[1.0, 2.0, 0.5, 1.0, 3.0, 1.0]),
        lambda G: (np.abs(G).max(axis=1) / np.array([1.0, 2.0, 0.5, 1.0, 3.0, 1.0])).max(),
        False, None),
    "grouprows-sw": (lambda a: lk.GroupL2(a), lambda G: np.linalg.norm(G, axis=1).max(), True,
                     "sw"),
    "featuregroups": (lambda a: lk.GroupL2(a, groups=[[0, 1, 2], [3, 4], [5]]),
                      lambda G: max(np.linalg.norm(G[g]) / np.sqrt(len(g))
                                    for g in ([0, 1, 2], [3, 4], [5])), True, None),
}


@pytest.mark.parametrize("name", list(ALPHA_MAX_CASES))
def test_alpha_max(name):
    make_pen, formula, fit_intercept, weighted = ALPHA_MAX_CASES[name]
    X, y = make_data(n=70, p=P, K=4, seed=71)
    sw = np.random.default_rng(72).uniform(0.2, 2.0, 70) if weighted else None
    prob = lk.Problem(X, y, make_pen(1.0), loss="multinomial", fit_intercept=fit_intercept,
                      sample_weight=sw)
    expected = formula(gradient_at_zero(X, y, 4, sw, fit_intercept))
    am = prob.alpha_max()
    assert am == pytest.approx(expected, rel=1e-9)
    zero = np.zeros((P, 4))
    at = prob.replace(penalty=make_pen(am))
    sol = tight_solve(at)
    assert np.abs(sol.coef).max() <= 1e-10
    assert at.dual_gap(zero) <= 1e-12
    above = tight_solve(prob.replace(penalty=make_pen(am * (1 + 1e-6))))
    assert np.all(above.coef == 0)
    below_prob = prob.replace(penalty=make_pen(0.99 * am))
    below = tight_solve(below_prob)
    assert np.any(below.coef != 0)
    assert below.objective < below_prob.objective(zero) - 1e-12
    assert below_prob.dual_gap(zero) > 0


@pytest.mark.parametrize("kind", ["l1", "group"])
def test_path_converged_and_starts_at_zero(kind):
    X, y = make_data(n=70, p=P, K=3, seed=81)
    pen = lk.L1(1.0) if kind == "l1" else lk.GroupL2(1.0)
    prob = lk.Problem(X, y, pen, loss="multinomial")
    tol = 1e-9
    path = lk.path(prob, n_alphas=8, eps=1e-2, tol=tol)
    assert len(path) == 8
    assert np.all(path.converged)
    assert np.all(path.rel_gaps <= tol)
    assert np.all(np.diff(path.alphas) < 0)
    assert path.alphas[0] == pytest.approx(prob.alpha_max(), rel=1e-12)
    expected_top = (np.abs(gradient_at_zero(X, y, 3)).max() if kind == "l1"
                    else np.linalg.norm(gradient_at_zero(X, y, 3), axis=1).max())
    assert path.alphas[0] == pytest.approx(expected_top, rel=1e-9)
    coefs = np.asarray(path.coefs)
    assert coefs.shape == (3, P, 8)
    assert np.all(coefs[..., 0] == 0)
    assert np.any(coefs[..., -1] != 0)
    # Each grid point is the optimum of its own problem (checked by a fresh solve).
    for k in (2, 7):
        a = path.alphas[k]
        pk = prob.replace(penalty=lk.L1(a) if kind == "l1" else lk.GroupL2(a))
        W = coefs[..., k].T
        fresh = tight_solve(pk)
        p0 = pk.objective(np.zeros((P, 3)))
        assert pk.objective(W) - fresh.objective <= tol * p0 + 1e-13
        assert pk.dual_gap(W) == pytest.approx(path.dual_gaps[k], rel=1e-6, abs=1e-13)


# ---------------------------------------------------------------------------
# 5. Badly scaled features
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("spec", [{"l1": (0.02, None)}, {"group": (0.03, None)},
                                  {"l2": (0.05, None)}], ids=["l1", "grouprows", "l2"])
def test_large_column_means_with_intercept(spec):
    """Columns of mean 1e6 and unit spread: the intercept absorbs the means.

    With an intercept, ``X`` and ``X - 1 m^T`` state the same problem
    (``b' = b + m W``), so the reference is solved on the centred columns.
    """
    Xc, y = make_data(n=70, p=P, K=3, seed=91)
    means = 1e6 * (1.0 + np.arange(P) / P)
    X = Xc + means
    Xc = X - X.mean(axis=0)  # what the float64 X holds, centred
    ref_obj, W_ref, b_ref = cvx_reference(Xc, y, 3, spec)
    prob = lk.Problem(X, y, lk_penalty(spec), loss="multinomial")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ConvergenceWarning, no RuntimeWarning
        sol = prob.solve("cd", tol=1e-10)
    assert sol.status == "optimal"
    assert abs(sol.objective - ref_obj) <= OBJ_RTOL * max(1.0, abs(ref_obj))
    np.testing.assert_allclose(sol.predict(X), softmax(Xc @ W_ref + b_ref, axis=1),
                               atol=PROBA_ATOL)
    assert prob.dual_gap(W_ref) >= prob.objective(W_ref) - sol.objective - 1e-10
    # The reported intercept is the uncentred one.
    b_unc = b_ref - X.mean(axis=0) @ W_ref
    z_sol = X @ np.asarray(sol.coef, float) + sol.intercept
    z_ref = X @ W_ref + b_unc
    np.testing.assert_allclose(softmax(z_sol, axis=1), softmax(z_ref, axis=1), atol=PROBA_ATOL)


# ---------------------------------------------------------------------------
# Hard instances: a nearly separated class (iris) at a tight tolerance
# ---------------------------------------------------------------------------

def iris():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


@pytest.mark.parametrize("r", [1.0, 0.5, 0.0])
def test_iris_certified_at_tight_tolerance(r):
    """Iris (setosa nearly separated) at ``tol=1e-10``: the status must be honest and optimal.

    The objective reaches the CVXPY optimum, so a solve that reports
    anything but "optimal" here misjudges its own answer.
    """
    X, y = iris()
    a = 1.0 / (0.5 * X.shape[0])
    spec = {}
    if r > 0:
        spec["l1"] = (a * r, None)
    if r < 1:
        spec["l2"] = (a * (1 - r), None)
    ref_obj, _, _ = cvx_reference(X, y, 3, spec)
    prob = lk.Problem(X, y, lk_penalty(spec), loss="multinomial")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sol = prob.solve("cd", tol=1e-10, max_iter=10 ** 6)
    assert abs(sol.objective - ref_obj) <= 1e-9 * abs(ref_obj)
    assert sol.rel_gap <= 1e-10, sol.rel_gap
    assert sol.status == "optimal"
    assert prob.dual_gap(sol.coef) <= 1e-10 * prob.objective(np.zeros((4, 3)))
