"""``lk.GroupL2`` and ``lk.GroupPenalty``: semantics, closed forms, validation, algebra.

The independent references (NumPy objective, CVXPY model, strong-convexity
bounds) are the ones of ``test_matrix_problem.py``, imported from it.
"""

from __future__ import annotations

import copy
import pickle
import warnings

import numpy as np
import pytest
from test_matrix_problem import (
    GROUPS,
    LABELS,
    TIGHT,
    Spec,
    as2d,
    assert_certified_pair,
    assert_close,
    assert_intercepts_match,
    assert_near_reference,
    cvx_solve,
    make_data,
    ref_objective,
    ref_p0,
    ref_penalty,
    sample_weights,
    solve,
    strong_convexity,
)

import lassokit as lk

N, P = 24, 7


def _certified_close(a, b, X, spec, sw=None, fit_intercept=True, Y=None):
    assert_certified_pair(a, b, strong_convexity(X, spec, sw, fit_intercept),
                          ref_p0(X, Y, sw, fit_intercept))


# ---------------------------------------------------------------------------
# 4. Groups of size one are the L1 penalty
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("how", ["singleton lists", "None", "labels", "singleton defaults"])
def test_singleton_groups_are_lasso(how, fit_intercept, weighted):
    X, y = make_data(1, one_d=True)
    sw = sample_weights() if weighted else None
    a = 0.08
    groups = {"singleton lists": [[j] for j in range(P)], "None": None,
              "labels": list(range(P))[::-1], "singleton defaults": [[j] for j in range(P)]}[how]
    weights = np.ones(P) if how == "singleton lists" else None
    g = lk.Problem(X, y, lk.GroupL2(a, groups, weights), fit_intercept=fit_intercept,
                   sample_weight=sw)
    l1 = lk.lasso(X, y, a, fit_intercept=fit_intercept, sample_weight=sw)
    assert type(g).__name__ == "MatrixProblem"
    sg, sl = solve(g, tol=TIGHT), solve(l1, tol=TIGHT)
    assert sg.coef.shape == (P,) and isinstance(sg.intercept, float)
    _certified_close(sg, sl, X, Spec(group=False, l1=a), sw, fit_intercept, y)
    assert_intercepts_match(sg.intercept, sg.coef, sl.intercept, sl.coef, X, sw, fit_intercept)
    # The two problems have the same objective everywhere. (The one-target
    # Problem.objective takes intercept=0.0 by default, the matrix one the optimal
    # intercept: compare at explicit intercepts.)
    W = np.random.default_rng(0).standard_normal(P)
    b = g.certify(W).intercept if fit_intercept else 0.0
    assert g.objective(W) == pytest.approx(l1.objective(W, b), rel=1e-12)
    assert g.objective(W, b) == pytest.approx(l1.objective(W, b), rel=1e-12)
    if fit_intercept:
        assert g.objective(W, 0.3) == pytest.approx(l1.objective(W, 0.3), rel=1e-12)
        assert g.dual_gap(W) == pytest.approx(l1.dual_gap(W), rel=1e-6)
    assert 0 < np.sum(sg.coef != 0) < P


def test_singleton_groups_match_sklearn_lasso_and_enet():
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import ElasticNet, Lasso

    X, y = make_data(2, one_d=True)
    a, r = 0.1, 0.6
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        las = Lasso(alpha=a, tol=1e-12, max_iter=10**6).fit(X, y)
        en = ElasticNet(alpha=a, l1_ratio=r, tol=1e-12, max_iter=10**6).fit(X, y)
    for pen, spec, sk in (
            (lk.GroupL2(a), Spec(alpha=a), las),
            (lk.GroupL2(a * r) + lk.L2(a * (1 - r)), Spec(alpha=a * r, l2=a * (1 - r)), en)):
        sol = solve(lk.Problem(X, y, pen), tol=TIGHT)
        P_sk = ref_objective(X, y, sk.coef_, sk.intercept_, spec)
        assert sol.objective - sol.dual_gap <= P_sk + 1e-12
        assert abs(sol.objective - P_sk) <= 1e-10 * max(1.0, P_sk)
        assert_near_reference(sol, sk.coef_, P_sk, strong_convexity(X, spec), tol=1e-7)
        assert_intercepts_match(sol.intercept, sol.coef, sk.intercept_, sk.coef_, X)


def test_weighted_singletons_are_weighted_l1():
    X, y = make_data(3, one_d=True)
    v = np.array([1.0, 0.5, 2.0, 1.0, 0.0, 3.0, 1.0])
    a = 0.1
    g = solve(lk.Problem(X, y, lk.GroupL2(a, [[j] for j in range(P)], v)), tol=TIGHT)
    l1 = solve(lk.Problem(X, y, lk.L1(a, weights=v)), tol=TIGHT)
    _certified_close(g, l1, X, Spec(group=False, l1=a), Y=y)
    assert g.coef[4] != 0  # weight 0: unpenalized


def test_single_column_matrix_equals_vector():
    X, y = make_data(4, one_d=True)
    pen = lk.GroupL2(0.2, GROUPS) + lk.L1(0.02)
    a = solve(lk.Problem(X, y, pen), tol=TIGHT)
    b = solve(lk.Problem(X, y[:, None], pen), tol=TIGHT)
    assert a.coef.shape == (P,) and b.coef.shape == (P, 1)
    assert_certified_pair(a, type("S", (), {"coef": b.coef[:, 0], "objective": b.objective,
                                            "dual_gap": b.dual_gap}),
                          strong_convexity(X, Spec(alpha=0.2, groups=GROUPS, l1=0.02)),
                          ref_p0(X, y))


# ---------------------------------------------------------------------------
# 6. Closed form on orthogonal blocks
# ---------------------------------------------------------------------------
#
# Let the centred blocks be orthogonal with X_g^T X_g / n = c_g I (features in
# the same group share c_g) and X_g^T X_h = 0 for g != h. Without weights,
#
#   1/(2n) ||Y - b - sum_g X_g W_g||^2
#     = 1/(2n) ||Y - b||^2 - sum_g <A_g, W_g> + sum_g (c_g / 2) ||W_g||^2,
#
# with A_g = X_g^T Y / n (the intercept term drops out because the columns
# are centred, so b = mean(Y) and Y may be read as centred). The objective
# therefore separates over groups; group g minimizes
#
#   (c_g + l2)/2 ||W_g||^2 - <A_g, W_g> + l1 |W_g|_1 + a w_g ||W_g||
#     = (c_g + l2)/2 ||W_g - A_g / (c_g + l2)||^2 + l1 |W_g|_1 + a w_g ||W_g|| + const,
#
# i.e. W_g = prox of (l1 |.|_1 + a w_g ||.||) / (c_g + l2) at V = A_g / (c_g + l2).
# The prox of the sparse-group norm is the entry-wise soft threshold followed
# by the group shrinkage: prox(V) = (1 - t_g / ||ST(V, t_1)||)_+ ST(V, t_1), with
# t_1 = l1 / (c_g + l2), t_g = a w_g / (c_g + l2). Since ST(V, t_1) =
# ST(A_g, l1) / (c_g + l2), the ratio t_g / ||ST(V, t_1)|| = a w_g / ||ST(A_g, l1)||:
#
#   W_g = max(0, 1 - a w_g / ||ST(A_g, l1)||) ST(A_g, l1) / (c_g + l2).
#
# A feature in no group has a w_g = 0: W_j = ST(A_j, l1) / (c_j + l2).
# ---------------------------------------------------------------------------

CF_GROUPS = [[0, 1, 2], [3, 4], [5], [6]]  # feature 7 in no group
CF_C = np.array([1.0, 1.0, 1.0, 2.5, 2.5, 0.5, 4.0, 1.5])


def orthogonal_design(n=40, seed=0):
    rng = np.random.default_rng(seed)
    p = CF_C.size
    M = np.column_stack([np.ones(n), rng.standard_normal((n, p))])
    Q, _ = np.linalg.qr(M)
    Q = Q[:, 1:] * np.sign(Q[0, 1:])  # orthonormal columns, each orthogonal to 1 (centred)
    return Q * np.sqrt(n * CF_C)


def st(A, t):
    return np.sign(A) * np.maximum(np.abs(A) - t, 0.0)


def closed_form(X, Y, groups, weights, a, l1, l2):
    n, p = X.shape
    A = X.T @ as2d(Y) / n
    c = np.diag(X.T @ X) / n
    W = np.zeros_like(A)
    in_group = np.zeros(p, dtype=bool)
    for g, w in zip(groups, weights):
        in_group[g] = True
        S = st(A[g], l1)
        nrm = np.linalg.norm(S)
        shrink = max(0.0, 1.0 - a * w / nrm) if nrm > 0 else 0.0
        W[g] = shrink * S / (c[g][:, None] + l2)
    free = ~in_group
    W[free] = st(A[free], l1) / (c[free][:, None] + l2)
    return W


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("l2", [0.0, 0.3])
@pytest.mark.parametrize("l1", [0.0, 0.05])
@pytest.mark.parametrize("K", [1, 3])
def test_closed_form_orthogonal_blocks(K, l1, l2, fit_intercept):
    X = orthogonal_design()
    n, p = X.shape
    assert_close(X.T @ X / n, np.diag(CF_C), 1e-12, "X^T X / n")
    assert_close(X.mean(axis=0), np.zeros(p), 1e-12, "column means")
    rng = np.random.default_rng(K)
    B = np.zeros((p, K))
    B[[0, 1, 3, 6, 7]] = rng.standard_normal((5, K))
    Y = X @ B + 0.3 * rng.standard_normal((n, K)) + 2.0
    if K == 1:
        Y = Y[:, 0]
    Yr = as2d(Y) - (as2d(Y).mean(axis=0) if fit_intercept else 0.0)
    weights = np.sqrt([len(g) for g in CF_GROUPS])
    # A strength between the groups' thresholds, so that some are zero and some not.
    A = X.T @ Yr / n
    ratios = sorted(np.linalg.norm(st(A[g], l1)) / w for g, w in zip(CF_GROUPS, weights))
    a = 0.5 * (ratios[1] + ratios[2])
    W_cf = closed_form(X, Yr, CF_GROUPS, weights, a, l1, l2)
    zero_groups = [g for g in CF_GROUPS if not np.any(W_cf[g])]
    assert 0 < len(zero_groups) < len(CF_GROUPS)

    pen = lk.GroupL2(a, CF_GROUPS)
    if l1:
        pen = pen + lk.L1(l1)
    if l2:
        pen = pen + lk.L2(l2)
    prob = lk.Problem(X, Y, pen, fit_intercept=fit_intercept)
    sol = solve(prob, tol=TIGHT)
    W = as2d(sol.coef)
    spec = Spec(alpha=a, groups=CF_GROUPS, l1=l1, l2=l2)
    sigma = strong_convexity(X, spec, None, fit_intercept)
    assert sigma >= CF_C.min() - 1e-12
    bound = np.sqrt(2 * sol.dual_gap / sigma)
    err = np.linalg.norm(W - W_cf)
    assert err <= bound + 1e-12 * max(1.0, np.abs(W_cf).max()), (err, bound)
    for g in zero_groups:
        assert np.all(W[g] == 0), g
    # The closed form is optimal: the certificate at it is ~0, and its objective is P*.
    W_in = W_cf[:, 0] if K == 1 else W_cf
    p0 = ref_p0(X, Y, None, fit_intercept)
    assert prob.dual_gap(W_in) <= 1e-12 * max(1.0, p0)
    b = (as2d(Y).mean(axis=0) if fit_intercept else np.zeros(K))
    P_cf = ref_objective(X, Y, W_cf, b, spec)
    assert abs(sol.objective - P_cf) <= sol.dual_gap + 1e-13 * max(1.0, p0)
    assert_close(np.ravel(sol.intercept), b, 1e-10, "intercept")


# ---------------------------------------------------------------------------
# Group semantics: labels, order, permutations, exclusion
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("groups", [
    LABELS,
    [7, 7, 7, 1, 3, 3, 0],
    np.array([0.5, 0.5, 0.5, -1.0, 2.0, 2.0, 9.0]),
    GROUPS + [[6]],
    [[6], [5, 4], [3], [2, 0, 1]],
    tuple(np.array(g) for g in GROUPS + [[6]]),
])
def test_same_partition_same_problem(groups):
    """Labels of any type, group order and index order do not change the problem."""
    X, Y = make_data(5)
    ref = solve(lk.Problem(X, Y, lk.GroupL2(0.2, LABELS) + lk.L1(0.01)), tol=TIGHT)
    sol = solve(lk.Problem(X, Y, lk.GroupL2(0.2, groups) + lk.L1(0.01)), tol=TIGHT)
    spec = Spec(alpha=0.2, groups=LABELS, l1=0.01)
    _certified_close(sol, ref, X, spec, Y=Y)
    W = np.random.default_rng(1).standard_normal((P, 3))
    assert lk.GroupL2(0.2, groups).value(W) == pytest.approx(
        ref_penalty(Spec(alpha=0.2, groups=LABELS), W), rel=1e-13)


def test_group_weights_follow_group_order():
    X, Y = make_data(6)
    w = [1.0, 3.0, 0.5]
    a = solve(lk.Problem(X, Y, lk.GroupL2(0.15, GROUPS, w)), tol=TIGHT)
    b = solve(lk.Problem(X, Y, lk.GroupL2(0.15, GROUPS[::-1], w[::-1])), tol=TIGHT)
    _certified_close(a, b, X, Spec(alpha=0.15, groups=GROUPS, gweights=w), Y=Y)
    # Labels: the groups in the order their labels first appear.
    c = solve(lk.Problem(X, Y, lk.GroupL2(0.15, ["x", "x", "x", "y", "z", "z", "u"],
                                          w + [1.0])), tol=TIGHT)
    d = solve(lk.Problem(X, Y, lk.GroupL2(0.15, GROUPS + [[6]], w + [1.0])), tol=TIGHT)
    _certified_close(c, d, X, Spec(alpha=0.15, groups=GROUPS + [[6]], gweights=w + [1.0]), Y=Y)


def test_feature_permutation():
    X, Y = make_data(7)
    perm = np.random.default_rng(0).permutation(P)
    inv = np.argsort(perm)
    groups = [[int(inv[j]) for j in g] for g in GROUPS]  # the same features, renumbered
    pen1 = lk.GroupL2(0.2, GROUPS) + lk.L1(0.02, weights=np.arange(1.0, P + 1))
    pen2 = lk.GroupL2(0.2, groups) + lk.L1(0.02, weights=np.arange(1.0, P + 1)[perm])
    a = solve(lk.Problem(X, Y, pen1), tol=TIGHT)
    b = solve(lk.Problem(X[:, perm], Y, pen2), tol=TIGHT)
    assert abs(a.objective - b.objective) <= a.dual_gap + b.dual_gap + 1e-12
    sigma = strong_convexity(X, Spec(group=False))
    bound = np.sqrt(2 * a.dual_gap / sigma) + np.sqrt(2 * b.dual_gap / sigma)
    assert np.linalg.norm(a.coef[perm] - b.coef) <= bound + 1e-9


def test_infinite_l1_weight_excludes_a_feature_of_a_group():
    """An infinite L1 weight holds the feature at 0; with explicit group weights the
    problem is the one without that column."""
    X, Y = make_data(8)
    v = np.ones(P)
    v[1] = np.inf
    w = [1.7, 1.0, 1.4]
    prob = lk.Problem(X, Y, lk.GroupL2(0.1, GROUPS, w) + lk.L1(0.01, weights=v))
    sol = solve(prob, tol=TIGHT)
    assert np.all(sol.coef[1] == 0)
    keep = [0, 2, 3, 4, 5, 6]
    sub_groups = [[0, 1], [2], [3, 4]]
    sub = solve(lk.Problem(X[:, keep], Y, lk.GroupL2(0.1, sub_groups, w) + lk.L1(0.01)),
                tol=TIGHT)
    assert abs(sub.objective - sol.objective) <= sub.dual_gap + sol.dual_gap + 1e-12
    sigma = strong_convexity(X[:, keep], Spec(group=False))
    bound = np.sqrt(2 * sol.dual_gap / sigma) + np.sqrt(2 * sub.dual_gap / sigma)
    assert np.linalg.norm(sol.coef[keep] - sub.coef) <= bound + 1e-9
    spec = Spec(alpha=0.1, groups=GROUPS, gweights=w, l1=0.01, l1w=v)
    W_ref, _, P_ref = cvx_solve(X, Y, spec)
    assert abs(sol.objective - P_ref) <= 1e-8 * max(1.0, P_ref)
    assert_near_reference(sol, W_ref, P_ref, strong_convexity(X, spec))
    # A non-zero excluded entry has an infinite objective.
    W = np.array(sol.coef)
    W[1, 0] = 1.0
    assert prob.objective(W) == np.inf


def test_group_enet_needs_equal_l2_weights_in_a_group():
    X, Y = make_data(0)
    v2 = np.ones(P)
    v2[1] = 2.0  # inside group [0, 1, 2]
    with pytest.raises(ValueError, match="L2 weights"):
        lk.Problem(X, Y, lk.GroupL2(0.1, GROUPS) + lk.L2(0.1, weights=v2))
    # Unequal across groups, or on a feature in no group, is fine.
    v2 = np.array([2.0, 2.0, 2.0, 1.0, 3.0, 3.0, 0.5])
    spec = Spec(alpha=0.1, groups=GROUPS, l2=0.1, l2w=v2)
    sol = solve(lk.Problem(X, Y, spec.penalty()))
    _, _, P_ref = cvx_solve(X, Y, spec)
    assert abs(sol.objective - P_ref) <= 1e-8 * max(1.0, P_ref)


# ---------------------------------------------------------------------------
# 9. Validation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("groups, exc", [
    ([[0, 1], [1, 2]], ValueError),  # overlapping
    ([[0, 0, 1]], ValueError),  # repeated inside a group
    ([[0, P]], ValueError),  # out of range
    ([[-1, 0]], ValueError),  # negative
    ([], ValueError),  # no groups
    ([[0], []], ValueError),  # an empty group
    ([[0, 1], 2], ValueError),  # a mixture of lists and labels
    (["a"] * (P - 1), ValueError),  # labels of the wrong length
    (["a"] * (P + 1), ValueError),
    ([0.0, 1.0, np.nan, 1.0, 1.0, 2.0, 2.0], ValueError),  # NaN label
    ([[0.0, 1.0], [2.0]], TypeError),  # float indices
    ("abc", TypeError),
    (3, TypeError),
])
def test_bad_groups(groups, exc):
    X, Y = make_data(0)
    with pytest.raises(exc):
        lk.Problem(X, Y, lk.GroupL2(0.1, groups))


@pytest.mark.parametrize("weights, exc", [
    ([1.0, -1.0, 1.0], ValueError),
    ([1.0, np.nan, 1.0], ValueError),
    ([1.0, np.inf, 1.0], ValueError),
    ([1.0, 1.0], ValueError),  # one short
    ([1.0, 1.0, 1.0, 1.0], ValueError),  # one too many
    ([[1.0, 1.0, 1.0]], ValueError),  # 2-D
    (["a", "b", "c"], TypeError),
])
def test_bad_group_weights(weights, exc):
    X, Y = make_data(0)
    with pytest.raises(exc):
        lk.Problem(X, Y, lk.GroupL2(0.1, GROUPS, weights))


@pytest.mark.parametrize("alpha", [-0.1, np.nan, np.inf])
def test_bad_strength(alpha):
    with pytest.raises(ValueError):
        lk.GroupL2(alpha)


def test_bad_feature_weights():
    X, Y = make_data(0)
    with pytest.raises(ValueError):
        lk.Problem(X, Y, lk.GroupL2(0.1, GROUPS) + lk.L1(0.1, weights=np.ones(P + 1)))
    with pytest.raises(ValueError):
        lk.GroupL2(0.1, GROUPS) + lk.L1(0.1, weights=-np.ones(P))


def test_group_penalty_plus_group_penalty_is_a_type_error():
    with pytest.raises(TypeError):
        lk.GroupL2(0.1, GROUPS) + lk.GroupL2(0.2)
    with pytest.raises(TypeError):
        (lk.GroupL2(0.1) + lk.L1(0.1)) + (lk.GroupL2(0.2) + lk.L2(0.1))
    with pytest.raises(TypeError):
        lk.GroupL2(0.1) + "L1"
    with pytest.raises(TypeError):
        lk.GroupL2(0.1) * True
    with pytest.raises(TypeError):
        lk.GroupL2(0.1) * "2"
    with pytest.raises(ValueError):
        lk.GroupL2(0.1) * -1.0


def test_penalty_keeps_its_own_copy_of_groups_and_weights():
    groups = [[0, 1, 2], [3], [4, 5]]
    inner = groups[0]
    weights = np.array([1.0, 2.0, 3.0])
    pen = lk.GroupL2(0.1, groups, weights)
    before = lk.GroupL2(0.1, copy.deepcopy(groups), weights.copy())
    inner.append(6)
    groups.append([6])
    weights[0] = 100.0
    assert pen == before
    with pytest.raises(ValueError):
        pen.weights[0] = 5.0
    with pytest.raises((ValueError, TypeError)):
        pen.groups[0][0] = 5
    # The caller's arrays are not frozen by building a penalty.
    w2 = np.array([1.0, 1.0, 1.0])
    lk.GroupL2(0.1, GROUPS, w2)
    assert w2.flags.writeable


# ---------------------------------------------------------------------------
# 10. Algebra, value, repr, pickle/copy
# ---------------------------------------------------------------------------


def test_algebra():
    g = lk.GroupL2(0.3, GROUPS, [1.0, 2.0, 0.5])
    assert isinstance(g, lk.GroupPenalty)
    assert (g.alpha, g.l1, g.l2, g.total) == (0.3, 0.0, 0.0, 0.3)
    sgl = g + lk.L1(0.1)
    assert isinstance(sgl, lk.GroupPenalty)
    assert (sgl.alpha, sgl.l1, sgl.l2) == (0.3, 0.1, 0.0)
    assert lk.L1(0.1) + g == sgl  # __radd__
    assert sum([g, lk.L1(0.1)]) == sgl  # 0 + penalty
    assert g + 0 is g or g + 0 == g
    full = sgl + lk.L2(0.2)
    assert full == g + (lk.L1(0.1) + lk.L2(0.2))
    assert full.total == pytest.approx(0.6)
    assert full != sgl and full != g
    assert g != lk.GroupL2(0.3, GROUPS)  # other weights
    assert g != lk.GroupL2(0.3, [[0, 1, 2], [3], [4, 6]], [1.0, 2.0, 0.5])  # other groups
    assert lk.GroupL2(0.3) != lk.GroupL2(0.3, GROUPS)
    assert g != lk.L1(0.3) and lk.L1(0.3) != g
    assert lk.GroupL2(0.3, [[0, 1, 2], [3], [4, 5]]) == lk.GroupL2(0.3, ((0, 1, 2), (3,),
                                                                        np.array([4, 5])))
    with pytest.raises(TypeError):
        hash(g)
    for twice in (2 * full, full * 2, full.scaled(2), np.float64(2.0) * full, full * np.int64(2)):
        assert isinstance(twice, lk.GroupPenalty)
        assert (twice.alpha, twice.l1, twice.l2) == pytest.approx((0.6, 0.2, 0.4))
        assert twice == lk.GroupL2(0.6, GROUPS, [1.0, 2.0, 0.5]) + lk.L1(0.2) + lk.L2(0.4)
    at = full.at(1.5)
    assert at.total == pytest.approx(1.5)
    assert (at.alpha, at.l1, at.l2) == pytest.approx((0.75, 0.25, 0.5))
    assert full.scaled(0) .total == 0
    # Feature weights ride along.
    v = np.arange(1.0, P + 1)
    gw = lk.GroupL2(0.1) + lk.L1(0.2, weights=v)
    np.testing.assert_allclose(gw.l1_weights, v, rtol=1e-15)
    np.testing.assert_allclose((3 * gw).l1_weights, v, rtol=1e-15)


def test_value_matches_reference():
    rng = np.random.default_rng(0)
    spec = Spec(alpha=0.3, groups=GROUPS, gweights=[1.0, 2.0, 0.5], l1=0.1,
                l1w=np.arange(1.0, P + 1), l2=0.2)
    pen = spec.penalty()
    for W in (rng.standard_normal((P, 3)), rng.standard_normal(P), np.zeros((P, 2))):
        assert pen.value(W) == pytest.approx(ref_penalty(spec, W), rel=1e-13, abs=0)
        assert (2.5 * pen).value(W) == pytest.approx(2.5 * pen.value(W), rel=1e-13)
    # Default weights sqrt(|g|); a feature in no group pays nothing for the group term.
    W = np.zeros(P)
    W[[0, 1]] = [3.0, 4.0]
    assert lk.GroupL2(1.0, GROUPS).value(W) == pytest.approx(np.sqrt(3) * 5.0)
    W = np.zeros(P)
    W[6] = 7.0
    assert lk.GroupL2(1.0, GROUPS).value(W) == 0.0
    assert lk.GroupL2(1.0).value(np.array([[3.0, 4.0], [0.0, 1.0]])) == pytest.approx(6.0)


def test_repr():
    g = lk.GroupL2(0.25, GROUPS)
    r = repr(g)
    assert r.startswith("GroupL2(") and "0.25" in r
    assert "L1(0.5" in repr(g + lk.L1(0.5))
    assert "L2(" in repr(g + lk.L2(0.5))
    assert "GroupL2(" in repr(lk.Problem(*make_data(0), g))


@pytest.mark.parametrize("how", ["pickle", "copy", "deepcopy"])
@pytest.mark.parametrize("pen", [
    lk.GroupL2(0.3),
    lk.GroupL2(0.3, GROUPS, [1.0, 2.0, 0.5]) + lk.L1(0.1, weights=np.arange(1.0, P + 1)),
    lk.GroupL2(0.2, LABELS) + lk.L2(0.3),
])
def test_round_trip(pen, how):
    other = {"pickle": lambda o: pickle.loads(pickle.dumps(o)), "copy": copy.copy,
             "deepcopy": copy.deepcopy}[how](pen)
    assert isinstance(other, lk.GroupPenalty)
    assert other == pen
    assert repr(other) == repr(pen)
    W = np.random.default_rng(0).standard_normal((P, 3))
    assert other.value(W) == pen.value(W)
    if other.weights is not None:
        assert not other.weights.flags.writeable
    X, Y = make_data(0)
    a = solve(lk.Problem(X, Y, pen))
    b = solve(lk.Problem(X, Y, other))
    np.testing.assert_array_equal(a.coef, b.coef)
