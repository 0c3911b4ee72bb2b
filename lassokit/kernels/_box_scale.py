"""The best scale of a dual point when the box has finite bounds (numba).

:func:`lassokit.kernels._common.dual_objective` maximizes the concave
``phi(c) = c a - nb c^2 / 2 - sum_k h_k*(c e_k)`` over the scale ``c``;
without finite bounds :func:`lassokit.kernels._common.best_scale` does it
by Newton's method on a piecewise-linear ``phi'``. A finite bound makes
``phi'`` jump (no L2 term) or stop bending (with one) at its breakpoints;
the breakpoint walk here covers that case. The conjugates ``h_k*`` are
derived in :mod:`lassokit._box`.
"""

import numpy as np
from numba import njit


@njit(cache=True, nogil=True, inline="always")
def _sift_down(pos, who, start, size):
    # Restore the min-heap property of pos[:size] below start (who moves along).
    root = start
    while True:
        child = 2 * root + 1
        if child >= size:
            return
        if child + 1 < size and pos[child + 1] < pos[child]:
            child += 1
        if not pos[child] < pos[root]:
            return
        pos[root], pos[child] = pos[child], pos[root]
        who[root], who[child] = who[child], who[root]
        root = child


@njit(cache=True, nogil=True, inline="always")
def best_scale_box(a, nb, eff, bnd, lam, mu, c_max):
    """Maximize the concave ``phi(c) = c a - nb c^2 / 2 - sum_k h_k*(c eff_k)`` on ``[0, c_max]``.

    The box version of :func:`best_scale`: a coordinate with a finite bound
    ``bnd_k`` makes ``phi'`` jump down at ``c = lam_k / eff_k`` (``mu_k =
    0``) or stop bending at ``c = (lam_k + mu_k bnd_k) / eff_k`` (``mu_k >
    0``), so ``phi'`` is decreasing and piecewise linear with jumps. Its
    root is found exactly by walking the breakpoints below ``min(c_max, a /
    nb)`` in increasing order from ``c = 0``, taken from a binary heap
    (``O(k)`` to build, ``O(log k)`` per breakpoint passed: the root is
    usually a few breakpoints in). A bisection needed tens of passes over
    the breakpoints (measured: five times a pass over X per certificate),
    and numba's ``argsort`` tripled the kernel's cold compile. Any ``c`` in
    ``[0, c_max]`` gives a valid dual point; this is the best one.
    """
    if a <= 0.0 or nb <= 0.0:
        # nb = 0 forces a = 0 (Cauchy-Schwarz): only c = 0 is certain.
        return 0.0
    m = eff.shape[0]
    hi = min(c_max, a / nb)
    # Events: who = k + 1 (a term starts: a bend, or a jump without L2 term)
    # or -(k + 1) (a bend ends at its bound).
    pos = np.empty(2 * m)
    who = np.empty(2 * m, np.int64)
    size = 0
    for k in range(m):
        e = eff[k]
        if not (e > 0.0 and (mu[k] > 0.0 or bnd[k] < np.inf)) or not lam[k] < hi * e:
            continue
        pos[size] = lam[k] / e
        who[size] = k + 1
        size += 1
        if mu[k] > 0.0 and bnd[k] < np.inf:
            end = (lam[k] + mu[k] * bnd[k]) / e
            if end < hi:
                pos[size] = end
                who[size] = -(k + 1)
                size += 1
    for start in range(size // 2 - 1, -1, -1):
        _sift_down(pos, who, start, size)
    c = 0.0
    d = a  # phi'(c+)
    slope = nb  # -phi'' on the current piece
    while size > 0:
        x = pos[0]
        code = who[0]
        size -= 1
        pos[0], who[0] = pos[size], who[size]
        _sift_down(pos, who, 0, size)
        at_x = d - slope * (x - c)
        if at_x <= 0.0:
            return c + d / slope
        c = x
        d = at_x
        k = abs(code) - 1
        if mu[k] == 0.0:
            d -= eff[k] * bnd[k]
            if d <= 0.0:
                return c  # the root is the jump itself
        else:
            # Scaled by sqrt(mu) before squaring: eff * eff underflows
            # (X, y ~ 1e-150) long before eff^2 / mu does.
            es = eff[k] / np.sqrt(mu[k])
            slope += es * es if code > 0 else -es * es
    return min(c + d / slope, hi)
