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
