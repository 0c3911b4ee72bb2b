"""``lk.GroupL2`` and ``lk.GroupPenalty`` as objects: validation, algebra, value, repr,
pickle/copy.
"""

from __future__ import annotations

import copy
import pickle

import _matrix_cases as mc
import numpy as np
import pytest
from _matrix_cases import GROUPS, LABELS, P, Spec

import lassokit as lk

# ---------------------------------------------------------------------------
# Validation
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
    X, Y = mc.make_data(0)
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
    X, Y = mc.make_data(0)
    with pytest.raises(exc):
        lk.Problem(X, Y, lk.GroupL2(0.1, GROUPS, weights))


@pytest.mark.parametrize("alpha", [-0.1, np.nan, np.inf])
def test_bad_strength(alpha):
    with pytest.raises(ValueError):
        lk.GroupL2(alpha)


def test_bad_feature_weights():
    X, Y = mc.make_data(0)
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
# Algebra, value, repr, pickle/copy
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
        assert pen.value(W) == pytest.approx(mc.ref_penalty(spec, W), rel=1e-13, abs=0)
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
    assert "GroupL2(" in repr(lk.Problem(*mc.make_data(0), g))


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
    X, Y = mc.make_data(0)
    a = mc.solve(lk.Problem(X, Y, pen))
    b = mc.solve(lk.Problem(X, Y, other))
    np.testing.assert_array_equal(a.coef, b.coef)
