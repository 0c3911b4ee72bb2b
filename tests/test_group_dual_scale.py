"""The dual point's scale with L2 parts: Newton on D' against a search on D.

``best_scale`` maximizes the concave ``D(t) = t a - t^2 c / 2 - Omega*(t V)``
on ``[0, t_max]``. The reference here is independent of its derivative
formulas: a golden-section search on ``D`` itself (values only), refined
from a dense grid.
"""

import numpy as np
import pytest

import lassokit as lk
from lassokit.matrix import _dual

GROUPS = [list(range(4)), list(range(4, 9)), list(range(9, 12))]


def _penalty(kind, K, rng):
    if kind == "sparse-group-enet":
        return lk.GroupL2(0.05, groups=GROUPS) + lk.L2(0.1 * rng.random()) \
            + lk.L1(0.02 * rng.random())
    if kind == "entrywise-enet":
        return lk.L1(0.05) + lk.L2(0.1)
    if kind == "group-enet":
        return lk.GroupL2(0.05, groups=None if K > 1 else GROUPS) + lk.L2(0.3)
    return lk.GroupL2(0.05, groups=GROUPS) + lk.L1(0.01)  # no L2: closed form


def _reference(f, hi):
    grid = np.linspace(0.0, hi, 2001)
    vals = np.array([f(t) for t in grid])
    i = int(np.argmax(vals))
    lo, up = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    return _dual.golden_max(f, lo, up)[1] if up > lo else vals[i]


@pytest.mark.parametrize("kind", ["sparse-group-enet", "entrywise-enet", "group-enet", "no-l2"])
@pytest.mark.parametrize("seed", range(6))
def test_best_scale_maximizes_the_dual(kind, seed):
    rng = np.random.default_rng(seed)
    K = 3 if kind == "entrywise-enet" else int(rng.integers(1, 4))
    X = rng.standard_normal((30, 12))
    Y = rng.standard_normal((30, K)) if K > 1 else rng.standard_normal(30)
    d = lk.Problem(X, Y, _penalty(kind, K, rng)).design()
    V = rng.standard_normal((12, K)) * 10.0 ** rng.integers(-2, 3)
    a, c = 3.0 * abs(rng.standard_normal()), abs(rng.standard_normal())
    scales = _dual.feasible_scales(d.layout, V)
    t_max = float(scales.min()) if scales.size else np.inf
    hi = min(t_max, a / c)
    t = _dual.best_scale(a, c, d.layout, V, t_max)
    assert 0.0 <= t <= hi

    def dual(s):
        return s * a - 0.5 * s * s * c - _dual.conjugate(d.layout, V, s)

    ref = _reference(dual, hi)
    assert dual(t) >= ref - 1e-12 * max(abs(ref), 1.0)


def test_best_scale_ends():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 6))
    d = lk.Problem(X, rng.standard_normal((20, 2)), lk.GroupL2(0.1) + lk.L2(0.5)).design()
    V = rng.standard_normal((6, 2))
    assert _dual.best_scale(1.0, 0.0, d.layout, V, np.inf) == 0.0  # c = 0: no residual
    assert _dual.best_scale(-1.0, 1.0, d.layout, V, np.inf) == 0.0  # a < 0: D decreases
    # A tiny V: the conjugate part stays zero and t = a / c exactly.
    assert _dual.best_scale(2.0, 4.0, d.layout, 1e-12 * V, np.inf) == 0.5
