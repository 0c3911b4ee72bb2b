"""The exact minimizer of a group's block problem (numba).

For a group ``g`` with weighted Gram ``A = Q diag(d) Q^T`` (over ``n``), the
block problem of block coordinate descent is

    min_B  1/2 tr(B^T A B) - tr(B^T V) + alpha ||B||_F + mu/2 ||B||_F^2,
    V = A B0 + Gr

(``B0`` the block's current rows, ``Gr`` its negative gradient). Its
solution is 0 when ``||V||_F <= alpha``; otherwise ``B = (A + (mu +
alpha / r) I)^{-1} V`` with ``r = ||B||_F``, which in the eigenbasis reads
``B~_i = V~_i r / ((d_i + mu) r + alpha)``, and ``r`` is the root of

    psi(r) = 1 / sqrt(S(r)) - 1,   S(r) = sum_i c_i / ((d_i + mu) r + alpha)^2,

``c_i = ||V~_i||^2`` -- increasing, exactly linear when the ``d_i`` are
equal, bracketed by ``(||V|| - alpha) / e_max`` and ``(||V|| - alpha) /
e_min`` (``e_i = d_i + mu``), so safeguarded Newton steps find it to
rounding in a few iterations. One exact step replaces the many
proximal-gradient steps a block with correlated columns needs (the
"secular equation" of the group lasso; Yang & Zou, 2015, solve the same
block problem by majorization).
"""

import numpy as np
from numba import njit

from ._common import HELPER


@njit(**HELPER)
def _psi(r, c, e, alpha, s):
    S = 0.0
    dS = 0.0
    for i in range(s):
        if c[i] > 0.0:
            q = e[i] * r + alpha
            S += c[i] / (q * q)
            dS += c[i] * e[i] / (q * q * q)
    root = np.sqrt(S)
    return 1.0 / root - 1.0, dS / (S * root)


@njit(**HELPER)
def exact_block(W, gidx, lo, s, Gr, D, Qg, dg, alpha, mu):
    """Move block ``lo..lo+s`` of ``W`` to its exact block minimizer; ``D`` gets the change.

    Returns ``(moved, sqrt(max d) ||Delta||_F)`` as the proximal step does.
    """
    K = W.shape[1]
    Vt = np.zeros((s, K))
    c = np.zeros(s)
    e = np.empty(s)
    lmax = 0.0
    for i in range(s):
        e[i] = dg[i] + mu
        lmax = max(lmax, dg[i])
    for i in range(s):
        if e[i] <= 0.0:
            continue  # no curvature there: the gradient has no component either
        for k in range(K):
            b = 0.0
            g = 0.0
            for a in range(s):
                q = Qg[a * s + i]
                b += q * W[gidx[lo + a], k]
                g += q * Gr[a, k]
            v = dg[i] * b + g
            Vt[i, k] = v
            c[i] += v * v
    norm = 0.0
    for i in range(s):
        norm += c[i]
    norm = np.sqrt(norm)
    if norm <= alpha or alpha <= 0.0:
        for a in range(s):
            for k in range(K):
                D[a, k] = 0.0
    else:
        emin = np.inf
        emax = 0.0
        for i in range(s):
            if c[i] > 0.0:
                emin = min(emin, e[i])
                emax = max(emax, e[i])
        lo_r = (norm - alpha) / emax
        hi_r = (norm - alpha) / emin
        r = lo_r
        for _ in range(60):
            f, df = _psi(r, c, e, alpha, s)
            if f == 0.0:
                break
            if f < 0.0:
                lo_r = r
            else:
                hi_r = r
            step = r - f / df
            r = step if lo_r < step < hi_r else 0.5 * (lo_r + hi_r)
            if hi_r - lo_r <= 4e-16 * hi_r:
                break
        for a in range(s):
            for k in range(K):
                acc = 0.0
                for i in range(s):
                    if c[i] > 0.0:
                        acc += Qg[a * s + i] * Vt[i, k] * r / (e[i] * r + alpha)
                D[a, k] = acc
    return commit(W, gidx, lo, s, D, lmax)


@njit(**HELPER)
def commit(W, gidx, lo, s, D, lmax):
    """Write the block's new rows ``D`` into ``W``; leave the change in ``D``.

    ``W`` takes the new values themselves (not ``W + Delta``, which would
    round), and the residual moves by the rounded ``Delta``. Returns
    ``(moved, sqrt(lmax) ||Delta||_F)``.
    """
    K = W.shape[1]
    moved = False
    d2 = 0.0
    for a in range(s):
        j = gidx[lo + a]
        for k in range(K):
            z = D[a, k]
            d = z - W[j, k]
            D[a, k] = d
            if d != 0.0:
                moved = True
                W[j, k] = z
                d2 += d * d
    return moved, np.sqrt(lmax * d2)
