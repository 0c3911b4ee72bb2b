"""Penalties: construction, composition with ``+``, validation, the math."""

import numpy as np
import pytest
import scipy.optimize

import lassokit as lk
from lassokit.penalty import Penalty


def test_l1_and_l2_construction():
    p1 = lk.L1(0.3)
    assert isinstance(p1, lk.Penalty)
    assert (p1.l1, p1.l2, p1.l1_weights, p1.l2_weights) == (0.3, 0.0, None, None)
    p2 = lk.L2(1.5, [1, 0, 2])
    assert (p2.l1, p2.l2) == (0.0, 1.5)
    assert p2.l1_weights is None
    np.testing.assert_array_equal(p2.l2_weights, [1.0, 0.0, 2.0])
    assert p2.l2_weights.dtype == np.float64
    lam, mu = p2.strengths(3)
    np.testing.assert_array_equal(lam, np.zeros(3))
    np.testing.assert_array_equal(mu, [1.5, 0.0, 3.0])
    lam, mu = lk.L1(0.3).strengths(4)
    np.testing.assert_array_equal(lam, np.full(4, 0.3))
    np.testing.assert_array_equal(mu, np.zeros(4))


@pytest.mark.parametrize("alpha", [0, 2, np.float32(0.25), np.int64(3), np.float64(1e-3)])
def test_numpy_and_int_strengths_accepted(alpha):
    assert lk.L1(alpha).l1 == pytest.approx(float(alpha))
    assert isinstance(lk.L2(alpha).l2, float)


def test_like_terms_add():
    v = np.array([1.0, 0.0, 2.0, 0.5])
    w = np.array([0.0, 3.0, 1.0, 1.0])
    a, b = 0.7, 0.2
    pen = lk.L1(a, v) + lk.L1(b, w)
    lam, mu = pen.strengths(4)
    np.testing.assert_allclose(lam, a * v + b * w, rtol=1e-15)
    assert pen.l1 == pytest.approx(a + b)
    np.testing.assert_array_equal(mu, 0.0)
    # a weighted and an unweighted term
    lam, _ = (lk.L1(a) + lk.L1(b, w)).strengths(4)
    np.testing.assert_allclose(lam, a + b * w, rtol=1e-15)
    # L2 terms add the same way
    _, mu = (lk.L2(a, v) + lk.L2(b, w)).strengths(4)
    np.testing.assert_allclose(mu, a * v + b * w, rtol=1e-15)
    # unlike terms are kept apart
    lam, mu = (lk.L1(a, v) + lk.L2(b, w)).strengths(4)
    np.testing.assert_allclose(lam, a * v, rtol=1e-15)
    np.testing.assert_allclose(mu, b * w, rtol=1e-15)


def test_zero_weights_survive_composition():
    v = np.array([0.0, 1.0, 2.0])
    lam, _ = (lk.L1(0.5, v) + lk.L1(0.25, v)).strengths(3)
    assert lam[0] == 0.0
    np.testing.assert_allclose(lam, 0.75 * v)
    # adding a zero-strength term keeps the other's weights
    lam, _ = (lk.L1(0.0, [5.0, 5.0, 5.0]) + lk.L1(2.0, v)).strengths(3)
    np.testing.assert_allclose(lam, 2.0 * v)


def test_composition_is_commutative_and_associative():
    v = np.array([1.0, 0.0, 2.0])
    terms = [lk.L1(0.1, v), lk.L2(0.3), lk.L1(0.2), lk.L2(0.05, v)]
    a = (terms[0] + terms[1]) + (terms[2] + terms[3])
    b = terms[3] + (terms[2] + (terms[1] + terms[0]))
    c = sum(terms)  # sum() starts from 0
    for other in (b, c):
        for x, y in zip(a.strengths(3), other.strengths(3)):
            np.testing.assert_allclose(x, y, rtol=1e-14)


@pytest.mark.parametrize("number", [1, 0.5, np.float64(2.0), True])
def test_bare_number_is_not_a_penalty(number):
    with pytest.raises(TypeError, match="penalty"):
        lk.L1(0.1) + number
    with pytest.raises(TypeError):
        number + lk.L2(0.1)
    X, y = np.eye(3), np.ones(3)
    with pytest.raises(TypeError, match="penalty"):
        lk.Problem(X, y, number)


@pytest.mark.parametrize("other", ["l1", None, [1.0]])
def test_adding_non_penalties_is_a_type_error(other):
    with pytest.raises(TypeError):
        lk.L1(0.1) + other


@pytest.mark.parametrize("bad", [-0.1, -1, np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("make", [lk.L1, lk.L2])
def test_bad_strength_value(make, bad):
    with pytest.raises(ValueError, match="alpha"):
        make(bad)


@pytest.mark.parametrize("bad", ["0.1", None, True, 1 + 2j, [0.1]])
@pytest.mark.parametrize("make", [lk.L1, lk.L2])
def test_bad_strength_type(make, bad):
    with pytest.raises(TypeError, match="alpha"):
        make(bad)


@pytest.mark.parametrize(
    "weights, exc",
    [
        ([1.0, -0.5, 2.0], ValueError),
        ([1.0, np.nan, 2.0], ValueError),
        ([1.0, -np.inf, 2.0], ValueError),  # +inf excludes the feature (a valid weight)
        ([[1.0, 2.0, 3.0]], ValueError),
        (["a", "b", "c"], TypeError),
        ([1 + 1j, 2, 3], TypeError),
    ],
)
@pytest.mark.parametrize("make", [lk.L1, lk.L2])
def test_bad_weights(make, weights, exc):
    with pytest.raises(exc, match="weights"):
        make(0.1, weights)


@pytest.mark.parametrize("make", [lk.L1, lk.L2])
@pytest.mark.parametrize("length", [2, 4])
def test_weights_length_mismatch_at_problem_construction(make, length):
    X, y = np.random.default_rng(0).normal(size=(6, 3)), np.arange(6.0)
    with pytest.raises(ValueError, match="weights") as info:
        lk.Problem(X, y, make(0.1, np.ones(length)))
    assert "3" in str(info.value)


def test_weights_length_mismatch_when_adding():
    with pytest.raises(ValueError):
        lk.L1(0.1, [1.0, 2.0]) + lk.L1(0.2, [1.0, 2.0, 3.0])


def test_weights_are_copied_and_read_only():
    v = np.array([1.0, 2.0, 3.0])
    pen = lk.L1(0.5, v)
    v[0] = 100.0
    assert pen.l1_weights[0] == 1.0
    with pytest.raises(ValueError):
        pen.l1_weights[0] = 7.0
    with pytest.raises(AttributeError):
        pen.l1 = 2.0


def test_equality_and_scaling():
    v = np.array([1.0, 2.0])
    assert lk.L1(0.1) + lk.L2(0.2) == lk.L2(0.2) + lk.L1(0.1)
    assert lk.L1(0.1, v) != lk.L1(0.1)
    assert lk.L1(0.1) != lk.L1(0.2)
    s = (lk.L1(0.1, v) + lk.L2(0.2)).scaled(3.0)
    lam, mu = s.strengths(2)
    np.testing.assert_allclose(lam, 0.3 * v)
    np.testing.assert_allclose(mu, [0.6, 0.6])
    assert (lk.L1(0.3) + lk.L2(0.1)).l1_ratio == pytest.approx(0.75)


def test_value_by_hand():
    lam = np.array([0.5, 0.0, 2.0])
    mu = np.array([1.0, 3.0, 0.0])
    w = np.array([-2.0, 1.0, 0.5])
    expected = 0.5 * 2 + 2.0 * 0.5 + 0.5 * (1.0 * 4 + 3.0 * 1)
    assert Penalty.value(w, lam, mu) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("kind", ["none", "positive", "box"])
def test_conjugate_by_brute_force(kind):
    """g*(u) = sup_w u w - lam |w| - mu/2 w^2 over the box, per coordinate,
    checked against a numerical maximization (coordinates with mu = 0 and an
    infinite bound on their open side are kept inside |u| <= lam, where that
    side's conjugate is 0)."""
    rng = np.random.default_rng(0)
    lam = np.array([0.5, 0.0, 1.0, 0.3, 0.7, 0.0, 0.2, 0.4])
    mu = np.array([1.0, 2.0, 0.5, 0.0, 3.0, 0.0, 0.0, 1.0])
    p = lam.size
    if kind == "none":
        lower, upper = np.full(p, -np.inf), np.full(p, np.inf)
    elif kind == "positive":
        lower, upper = np.zeros(p), np.full(p, np.inf)
    else:
        lower = np.array([-0.5, -np.inf, 0.0, -2.0, -0.1, -1.0, -np.inf, 0.0])
        upper = np.array([0.3, 1.5, np.inf, 0.5, 0.0, 2.0, 0.7, 0.0])
    box = np.vstack([lower, upper])
    for _ in range(5):
        u = rng.normal(scale=2.0, size=p)
        # Keep u where the conjugate is finite: |u| <= lam on an open side
        # whose bound is infinite and that has no L2 term.
        hard_up = (mu == 0) & np.isinf(upper)
        hard_down = (mu == 0) & np.isinf(lower)
        u = np.where(hard_up, np.minimum(u, lam), u)
        u = np.where(hard_down, np.maximum(u, -lam), u)
        expected = 0.0
        for uj, lj, mj, lo, hi in zip(u, lam, mu, lower, upper):
            def f(w, uj=uj, lj=lj, mj=mj):
                return uj * w - lj * abs(w) - 0.5 * mj * w * w

            a, b = max(lo, -50.0), min(hi, 50.0)
            res = scipy.optimize.minimize_scalar(lambda w: -f(w), bounds=(a, b),
                                                 method="bounded", options={"xatol": 1e-12})
            # Bounded Brent never evaluates the ends, where a box's maximum often is.
            expected += max(-res.fun, f(a), f(b), 0.0)
        assert Penalty.conjugate(u, lam, mu, None if kind == "none" else box) == \
            pytest.approx(expected, abs=1e-9)
