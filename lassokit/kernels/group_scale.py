"""The exact scale of a dual point under a group penalty (one sort per group).

For a block of entries ``a_e = |v_e| >= 0`` with L1 thresholds ``l_e`` and a
group strength ``alpha``, the dual constraint of ``alpha ||W_g|| + sum l_e
|w_e|`` on ``t v`` reads

    phi(t) = sum_e (t a_e - l_e)_+^2 <= alpha^2,

the squared norm of the soft-thresholded block. ``phi`` is zero up to the
first breakpoint ``l_e / a_e``, then a convex quadratic on each interval
between consecutive breakpoints, so the largest feasible ``t`` is found by
walking the sorted breakpoints and solving one quadratic: no bisection,
no tolerance. With ``alpha = 0`` it is ``min_e l_e / a_e`` (the L1 dual
constraint); with ``l = 0`` it is ``alpha / ||a||``. The same number read
as ``1 / t`` is the smallest strength multiple at which the block is zero
(``alpha_max``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["block_scales"]


@njit(cache=True, nogil=True)
def _one_block(a, thr, alpha):
    m = a.shape[0]
    brk = np.empty(m)
    cnt = 0
    for e in range(m):
        if a[e] > 0.0:
            brk[cnt] = thr[e] / a[e]
            cnt += 1
    if cnt == 0:
        return np.inf
    # The order of the breakpoints, carried to the entries they belong to.
    keys = np.empty(cnt)
    aa = np.empty(cnt)
    c = 0
    for e in range(m):
        if a[e] > 0.0:
            keys[c] = brk[c]
            aa[c] = a[e]
            c += 1
    order = np.argsort(keys)
    a2 = alpha * alpha
    # Walk the breakpoints in the shifted variable s = t - beta (beta the
    # current breakpoint): phi(beta + s) = A s^2 + 2 D s + E with every term
    # of A, D, E non-negative, so no sum cancels (the expanded quadratic in
    # t cancels to sqrt(eps) relative error near a breakpoint).
    e0 = order[0]
    beta = keys[e0]
    A = aa[e0] * aa[e0]
    D = 0.0
    E = 0.0
    for q in range(cnt):
        if q + 1 < cnt:
            nxt = keys[order[q + 1]]
            step = nxt - beta
            e_next = E + 2.0 * step * D + step * step * A
            if e_next <= a2:
                beta = nxt
                D += A * step
                E = e_next
                f = order[q + 1]
                A += aa[f] * aa[f]
                continue
        room = a2 - E
        if room <= 0.0:
            return beta
        return beta + room / (D + np.sqrt(D * D + A * room))
    return np.inf


@njit(cache=True, nogil=True)
def block_scales(absv, thr_rows, gptr, gidx, galpha, skip, out):
    """Largest ``t`` with ``||ST(t v_b, l)||_2 <= galpha_b`` for every block.

    Parameters
    ----------
    absv : ndarray of shape (p, K)
        ``|v|``; rows that must not constrain (an L2 term, no penalty) are
        zero.
    thr_rows : ndarray of shape (p,)
        The L1 threshold of each row.
    gptr, gidx : ndarray of int64
        The blocks (see :class:`lassokit.group.GroupLayout`).
    galpha : ndarray of shape (n_blocks,)
    skip : ndarray of bool of shape (n_blocks,)
        Blocks without a constraint (an L2 part makes the conjugate finite):
        ``inf``.
    out : ndarray of shape (n_blocks,)
        Written with the scales (``inf`` for a block that never binds).
    """
    K = absv.shape[1]
    G = gptr.shape[0] - 1
    for b in range(G):
        if skip[b]:
            out[b] = np.inf
            continue
        lo, hi = gptr[b], gptr[b + 1]
        m = (hi - lo) * K
        a = np.empty(m)
        thr = np.empty(m)
        c = 0
        for q in range(lo, hi):
            j = gidx[q]
            for k in range(K):
                a[c] = absv[j, k]
                thr[c] = thr_rows[j]
                c += 1
        out[b] = _one_block(a, thr, galpha[b])


@njit(cache=True, nogil=True)
def _slope(t, absv, lam, mu, entry, gptr, gidx, galpha, gmu):
    """``F'(t)`` and ``F''(t)`` of the finite conjugate part ``F(t) = Omega*(t V)``.

    Entry-wise rows (``entry``): ``sum_k (t a - l)_+^2 / (2 m)``. Blocks with
    ``gmu > 0``: ``(g - alpha)_+^2 / (2 m)`` with ``g = ||ST(t a, l)||``, whose
    derivatives follow from ``phi = g^2``: ``g' = phi' / (2 g)``, ``g'' =
    (phi'' / 2 - g'^2) / g``.
    """
    K = absv.shape[1]
    d1 = 0.0
    d2 = 0.0
    for j in range(absv.shape[0]):
        if not entry[j]:
            continue
        for k in range(K):
            s = t * absv[j, k] - lam[j]
            if s > 0.0:
                d1 += absv[j, k] * s / mu[j]
                d2 += absv[j, k] * absv[j, k] / mu[j]
    for b in range(gptr.shape[0] - 1):
        if gmu[b] <= 0.0:
            continue
        phi = 0.0
        p1 = 0.0
        p2 = 0.0
        for q in range(gptr[b], gptr[b + 1]):
            j = gidx[q]
            for k in range(K):
                s = t * absv[j, k] - lam[j]
                if s > 0.0:
                    phi += s * s
                    p1 += 2.0 * absv[j, k] * s
                    p2 += 2.0 * absv[j, k] * absv[j, k]
        g = np.sqrt(phi)
        if g <= galpha[b]:
            continue
        g1 = p1 / (2.0 * g)
        g2 = (0.5 * p2 - g1 * g1) / g
        d1 += (g - galpha[b]) * g1 / gmu[b]
        d2 += (g1 * g1 + (g - galpha[b]) * g2) / gmu[b]
    return d1, d2


@njit(cache=True, nogil=True)
def best_dual_scale(a, c, hi, absv, lam, mu, entry, gptr, gidx, galpha, gmu):
    """The maximizer on ``[0, hi]`` of the concave ``D(t) = t a - t^2 c / 2 - F(t)``.

    ``D'`` decreases, so its root is bracketed and found by Newton's method
    kept inside the bracket (a bisection whenever a step leaves it): exact
    to the last bits in a handful of steps, where a golden-section search
    on ``D`` needs sixty evaluations for the same width. ``F`` as in
    :func:`_slope`; the other rows' conjugates are indicators whose limit
    ``hi`` already includes (``hi <= a / c``).
    """
    if hi <= 0.0:
        return 0.0
    f1, _ = _slope(hi, absv, lam, mu, entry, gptr, gidx, galpha, gmu)
    if a - hi * c - f1 >= 0.0:
        return hi
    lo = 0.0
    up = hi
    t = 0.5 * hi
    for _ in range(200):
        f1, f2 = _slope(t, absv, lam, mu, entry, gptr, gidx, galpha, gmu)
        slope = a - t * c - f1
        if slope == 0.0:
            return t
        if slope > 0.0:
            lo = t
        else:
            up = t
        if up - lo <= 4e-16 * up:
            break
        step = t + slope / (c + f2)
        if abs(step - t) <= 4e-16 * t and lo < step < up:
            # Newton on the concave D' closes the bracket from one side only:
            # stop when its step is at rounding (any t in [0, hi] is a valid scale).
            return step
        t = step if lo < step < up else 0.5 * (lo + up)
    return lo
