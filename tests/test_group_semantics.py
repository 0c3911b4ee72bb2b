"""Group semantics: labels, group order, feature permutations, excluded features."""

from __future__ import annotations

import _matrix_cases as mc
import numpy as np
import pytest
from _matrix_cases import GROUPS, LABELS, TIGHT, P, Spec

import lassokit as lk

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
    X, Y = mc.make_data(5)
    ref = mc.solve(lk.Problem(X, Y, lk.GroupL2(0.2, LABELS) + lk.L1(0.01)), tol=TIGHT)
    sol = mc.solve(lk.Problem(X, Y, lk.GroupL2(0.2, groups) + lk.L1(0.01)), tol=TIGHT)
    spec = Spec(alpha=0.2, groups=LABELS, l1=0.01)
    mc.assert_certified_close(sol, ref, X, spec, Y=Y)
    W = np.random.default_rng(1).standard_normal((P, 3))
    assert lk.GroupL2(0.2, groups).value(W) == pytest.approx(
        mc.ref_penalty(Spec(alpha=0.2, groups=LABELS), W), rel=1e-13)


def test_group_weights_follow_group_order():
    X, Y = mc.make_data(6)
    w = [1.0, 3.0, 0.5]
    a = mc.solve(lk.Problem(X, Y, lk.GroupL2(0.15, GROUPS, w)), tol=TIGHT)
    b = mc.solve(lk.Problem(X, Y, lk.GroupL2(0.15, GROUPS[::-1], w[::-1])), tol=TIGHT)
    mc.assert_certified_close(a, b, X, Spec(alpha=0.15, groups=GROUPS, gweights=w), Y=Y)
    # Labels: the groups in the order their labels first appear.
    c = mc.solve(lk.Problem(X, Y, lk.GroupL2(0.15, ["x", "x", "x", "y", "z", "z", "u"],
                                             w + [1.0])), tol=TIGHT)
    d = mc.solve(lk.Problem(X, Y, lk.GroupL2(0.15, GROUPS + [[6]], w + [1.0])), tol=TIGHT)
    mc.assert_certified_close(c, d, X, Spec(alpha=0.15, groups=GROUPS + [[6]],
                                            gweights=w + [1.0]), Y=Y)


def test_feature_permutation():
    X, Y = mc.make_data(7)
    perm = np.random.default_rng(0).permutation(P)
    inv = np.argsort(perm)
    groups = [[int(inv[j]) for j in g] for g in GROUPS]  # the same features, renumbered
    pen1 = lk.GroupL2(0.2, GROUPS) + lk.L1(0.02, weights=np.arange(1.0, P + 1))
    pen2 = lk.GroupL2(0.2, groups) + lk.L1(0.02, weights=np.arange(1.0, P + 1)[perm])
    a = mc.solve(lk.Problem(X, Y, pen1), tol=TIGHT)
    b = mc.solve(lk.Problem(X[:, perm], Y, pen2), tol=TIGHT)
    assert abs(a.objective - b.objective) <= a.dual_gap + b.dual_gap + 1e-12
    sigma = mc.strong_convexity(X, Spec(group=False))
    bound = np.sqrt(2 * a.dual_gap / sigma) + np.sqrt(2 * b.dual_gap / sigma)
    assert np.linalg.norm(a.coef[perm] - b.coef) <= bound + 1e-9


def test_infinite_l1_weight_excludes_a_feature_of_a_group():
    """An infinite L1 weight holds the feature at 0; with explicit group weights the
    problem is the one without that column."""
    X, Y = mc.make_data(8)
    v = np.ones(P)
    v[1] = np.inf
    w = [1.7, 1.0, 1.4]
    prob = lk.Problem(X, Y, lk.GroupL2(0.1, GROUPS, w) + lk.L1(0.01, weights=v))
    sol = mc.solve(prob, tol=TIGHT)
    assert np.all(sol.coef[1] == 0)
    keep = [0, 2, 3, 4, 5, 6]
    sub_groups = [[0, 1], [2], [3, 4]]
    sub = mc.solve(lk.Problem(X[:, keep], Y, lk.GroupL2(0.1, sub_groups, w) + lk.L1(0.01)),
                   tol=TIGHT)
    assert abs(sub.objective - sol.objective) <= sub.dual_gap + sol.dual_gap + 1e-12
    sigma = mc.strong_convexity(X[:, keep], Spec(group=False))
    bound = np.sqrt(2 * sol.dual_gap / sigma) + np.sqrt(2 * sub.dual_gap / sigma)
    assert np.linalg.norm(sol.coef[keep] - sub.coef) <= bound + 1e-9
    spec = Spec(alpha=0.1, groups=GROUPS, gweights=w, l1=0.01, l1w=v)
    W_ref, _, P_ref = mc.cvx_solve(X, Y, spec)
    assert abs(sol.objective - P_ref) <= 1e-8 * max(1.0, P_ref)
    mc.assert_near_reference(sol, W_ref, P_ref, mc.strong_convexity(X, spec))
    # A non-zero excluded entry has an infinite objective.
    W = np.array(sol.coef)
    W[1, 0] = 1.0
    assert prob.objective(W) == np.inf


def test_group_enet_needs_equal_l2_weights_in_a_group():
    X, Y = mc.make_data(0)
    v2 = np.ones(P)
    v2[1] = 2.0  # inside group [0, 1, 2]
    with pytest.raises(ValueError, match="L2 weights"):
        lk.Problem(X, Y, lk.GroupL2(0.1, GROUPS) + lk.L2(0.1, weights=v2))
    # Unequal across groups, or on a feature in no group, is fine.
    v2 = np.array([2.0, 2.0, 2.0, 1.0, 3.0, 3.0, 0.5])
    spec = Spec(alpha=0.1, groups=GROUPS, l2=0.1, l2w=v2)
    sol = mc.solve(lk.Problem(X, Y, spec.penalty()))
    _, _, P_ref = mc.cvx_solve(X, Y, spec)
    assert abs(sol.objective - P_ref) <= 1e-8 * max(1.0, P_ref)
