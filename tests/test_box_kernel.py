"""The dual kernel with box constraints, against brute force (lassokit._box, kernels._box_scale).

The dual value of a scaled point is ``max_c phi(c)``, ``phi(c) = c a - nb
c^2 / 2 - g*(c u)`` with the box's conjugate (documentation, "Bounds"). The
kernel's safeguarded search must find that maximum: here ``phi`` is
evaluated with the numpy conjugate on a fine grid of ``c`` and the kernel's
value may not fall below the grid's best (nor exceed the true maximum,
which a finer local search around the grid's best bounds).
"""

import numpy as np
import pytest

from lassokit._box import conjugate
from lassokit.kernels._common import dual_objective


def _random_case(rng, m):
    lam = np.abs(rng.standard_normal(m)) * (rng.random(m) < 0.8)
    mu = np.abs(rng.standard_normal(m)) * (rng.random(m) < 0.5)
    lower = np.where(rng.random(m) < 0.5, -np.abs(rng.standard_normal(m)), -np.inf)
    upper = np.where(rng.random(m) < 0.5, np.abs(rng.standard_normal(m)), np.inf)
    lower[rng.random(m) < 0.15] = 0.0
    upper[rng.random(m) < 0.15] = 0.0
    box = np.vstack([lower, upper])
    u = rng.standard_normal(m) * 2
    a = abs(rng.standard_normal()) * 3
    nb = abs(rng.standard_normal()) + 0.1
    return a, nb, u, lam, mu, box


def _phi(c, a, nb, u, lam, mu, box):
    return c * a - 0.5 * nb * c * c - conjugate(c * u, lam, mu, box)


def _c_max(u, lam, mu, box):
    # The scale at which an L1-only feature with an infinite open side leaves |u| <= lam.
    up = (box[1] == np.inf) & (mu == 0) & (lam > 0) & (u > 0)
    down = (box[0] == -np.inf) & (mu == 0) & (lam > 0) & (u < 0)
    free_up = (box[1] == np.inf) & (mu == 0) & (lam == 0) & (u > 0)
    free_down = (box[0] == -np.inf) & (mu == 0) & (lam == 0) & (u < 0)
    limits = np.concatenate([lam[up] / u[up], lam[down] / -u[down]])
    return float(np.min(limits, initial=np.inf)), free_up | free_down


@pytest.mark.parametrize("seed", range(40))
def test_dual_objective_with_a_box_finds_the_best_scale(seed):
    rng = np.random.default_rng(seed)
    # Up to 200 features: more breakpoints than the exact walk takes (bisection first).
    a, nb, u, lam, mu, box = _random_case(rng, int(rng.integers(1, 25 if seed < 20 else 200)))
    c_max, projected = _c_max(u, lam, mu, box)
    # Fully free features on an infinite side are the caller's to project: drop them.
    keep = ~projected
    u, lam, mu, box = u[keep], lam[keep], mu[keep], box[:, keep]
    value, c = dual_objective(a, nb, u, lam, mu, box)
    top = min(c_max, a / nb)
    grid = np.linspace(0.0, top, 4001)
    best = max(_phi(t, a, nb, u, lam, mu, box) for t in grid)
    assert 0.0 <= c <= top * (1 + 1e-12)
    assert value == pytest.approx(_phi(c, a, nb, u, lam, mu, box), rel=1e-10, abs=1e-12)
    # The value is phi at a feasible scale (asserted above), hence a valid dual
    # value, and it is as good as the best of the grid.
    assert value >= best - 1e-9 * max(1.0, abs(best))


def test_a_pinned_feature_is_ignored_and_a_finite_bound_never_limits_the_scale():
    # One L1 feature with correlation 2 > lam = 1: unbounded, the scale stops at 1/2;
    # with upper bound 0.5 it does not (the conjugate is 0.5 (2c - 1)_+), and pinned
    # at (0, 0) the feature is absent: phi = c a - nb c^2 / 2, maximized at a / nb.
    u, lam, mu = np.array([2.0]), np.array([1.0]), np.array([0.0])
    free = np.array([[-np.inf], [np.inf]])
    finite = np.array([[-np.inf], [0.5]])
    pinned = np.zeros((2, 1))
    a, nb = 3.0, 1.0
    _, c_free = dual_objective(a, nb, u, lam, mu, free)
    assert c_free == pytest.approx(0.5)
    value, c_fin = dual_objective(a, nb, u, lam, mu, finite)
    # phi'(c) = 3 - c - 0.5 * 2 for c > 1/2: root at c = 2.
    assert c_fin == pytest.approx(2.0) and value == pytest.approx(6 - 2 - 0.5 * 3)
    value, c_pin = dual_objective(a, nb, u, lam, mu, pinned)
    assert c_pin == pytest.approx(3.0) and value == pytest.approx(4.5)


@pytest.mark.parametrize("seed", range(10))
def test_a_score_bound_stand_in_never_raises_the_dual_value(seed):
    # Screened features reach the certificate as a stand-in built from a bound
    # e >= their score (lassokit._box.as_correlation). For every true u within
    # that bound, the dual value with the stand-in may not exceed the one
    # with u (else a gap could read below the true suboptimality): the
    # stand-in's conjugate and scale limits must dominate u's.
    from lassokit._box import as_correlation, box_score

    rng = np.random.default_rng(100 + seed)
    a, nb, u, lam, mu, box = _random_case(rng, int(rng.integers(2, 30)))
    lam = np.maximum(lam, 0.05)  # L1 on every feature: no projection involved
    e = box_score(u, box) * (1.0 + rng.random(u.size))  # a loose bound of the score
    e = np.where(np.isfinite(e), np.maximum(e, 0.0), 0.0)
    stand_in = as_correlation(e, box)
    true_value, _ = dual_objective(a, nb, u, lam, mu, box)
    bound_value, _ = dual_objective(a, nb, stand_in, lam, mu, box)
    assert bound_value <= true_value + 1e-12 * max(1.0, abs(true_value))


def test_the_stand_in_takes_the_side_with_the_larger_bound():
    # Box (-inf, 1): a screened feature with u = -0.3 holds the scale to
    # c <= lam / 0.3; a stand-in on the upper side (bound 1, finite) would let
    # c grow to 0.7 and read the dual 0.345 where the true one is 0.278.
    from lassokit._box import as_correlation

    box = np.array([[-np.inf], [1.0]])
    lam, mu = np.array([0.1]), np.array([0.0])
    true_value, c = dual_objective(1.0, 1.0, np.array([-0.3]), lam, mu, box)
    assert c == pytest.approx(1.0 / 3.0) and true_value == pytest.approx(1 / 3 - 1 / 18)
    stand_in = as_correlation(np.array([0.3]), box)
    assert stand_in[0] == -0.3
    value, _ = dual_objective(1.0, 1.0, stand_in, lam, mu, box)
    assert value <= true_value + 1e-15
