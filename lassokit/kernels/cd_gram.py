"""Coordinate descent on a precomputed Gram matrix (the n >> p regime).

For a working set of ``m`` features with ``G = Xc^T S Xc / n`` (m x m),
``b = Xc^T S yc / n`` and ``c0 = yc^T S yc / n``, the gradient vector
``u = b - G w`` replaces the residual: an epoch costs ``m`` per moving
coordinate instead of ``n``, and the data fit and duality gap follow from

    ||r||_S^2 / n = c0 - w^T b - w^T u,    <s r, yc> / n = c0 - w^T b.

Coefficients here are local to the working set (length ``m``).

References
----------
Friedman, Hastie & Tibshirani (2010), J. Stat. Softw. 33(1) ("covariance
updates").
Bertrand & Massias (2021), AISTATS (Anderson extrapolation).
"""

import numpy as np
from numba import njit

from ._common import (
    FASTMATH, HELPER, anderson_point, cd_update, copy_into, penalty_value, ws_gap,
)

# Checks without a new best gap before an inner solve gives up.
_PATIENCE = 20


@njit(fastmath=FASTMATH, **HELPER)
def _grad(G, b, w, u):
    m = b.shape[0]
    for j in range(m):
        acc = 0.0
        for k in range(m):
            acc += G[j, k] * w[k]
        u[j] = b[j] - acc
    return u


@njit(fastmath=FASTMATH, **HELPER)
def _fit_terms(b, w, u, c0):
    # (||r||_S^2 / n, <s r, yc> / n); clipped at 0 against cancellation.
    wb = 0.0
    wu = 0.0
    for j in range(b.shape[0]):
        wb += w[j] * b[j]
        wu += w[j] * u[j]
    return max(c0 - wb - wu, 0.0), c0 - wb


@njit(fastmath=FASTMATH, **HELPER)
def epoch(G, w, u, lam, mu, L, box):
    """One cyclic pass; ``u = b - G w`` is kept up to date in place."""
    m = w.shape[0]
    for j in range(m):
        wj = w[j]
        new = cd_update(wj, L[j], u[j], lam[j], mu[j], box[0, j], box[1, j])
        if new != wj:
            d = new - wj
            w[j] = new
            for k in range(m):
                u[k] -= d * G[j, k]


# Inlined into the non-fastmath inner_solve (see the note at _common.HELPER): its own
# arithmetic is single operations (0.5 * x is exact), the same under either flags.
@njit(fastmath=FASTMATH, inline="always", **HELPER)
def gram_gap(G, b, c0, w, u, lam, mu, L, box):
    """Duality gap of the Gram subproblem (recomputes ``u`` first)."""
    _grad(G, b, w, u)
    nb, a = _fit_terms(b, w, u, c0)
    return ws_gap(w, u, lam, mu, L, box, 0.5 * nb, a, nb)


# Inlined into the non-fastmath inner_solve (see the note at _common.HELPER): its own
# arithmetic is single operations (0.5 * x is exact), the same under either flags.
@njit(fastmath=FASTMATH, inline="always", **HELPER)
def _try_extrapolation(G, b, c0, w, u, lam, mu, box, W, M, c, w_acc, u_acc):
    # Coefficients the iterates agree on come back exactly (a bound stays the bound).
    if not anderson_point(W, M, c, w_acc, box):
        return False
    _grad(G, b, w_acc, u_acc)
    nb_old, _ = _fit_terms(b, w, u, c0)
    nb_new, _ = _fit_terms(b, w_acc, u_acc, c0)
    p_old = 0.5 * nb_old + penalty_value(w, lam, mu)
    p_new = 0.5 * nb_new + penalty_value(w_acc, lam, mu)
    if not p_new < p_old:
        return False
    copy_into(w_acc, w)
    copy_into(u_acc, u)
    return True


@njit(cache=True, nogil=True)
def inner_solve(G, b, c0, w, lam, mu, L, box, tol_in, floor, max_epochs, K,
                check_every):
    """Coordinate descent on the Gram subproblem until its gap is ``<= tol_in``.

    ``w``, ``lam``, ``mu`` and ``L`` (the diagonal of ``G``, with exact
    zeros for columns that vanish after centring) are local to the working
    set; ``w`` is updated in place. Anderson extrapolation every ``K`` epochs as in
    :func:`lassokit.kernels.cd_dense.inner_solve`.

    Returns
    -------
    (int, float)
        Epochs run and the last gap computed (``inf`` if none).
    """
    m = w.shape[0]
    u = np.empty(m)
    _grad(G, b, w, u)
    Kb = max(K, 1)
    W = np.empty((Kb + 1, m))
    M = np.empty((Kb, Kb))
    c = np.empty(Kb)
    w_acc = np.empty(m)
    u_acc = np.empty(m)
    copy_into(w, W[0])
    pos = 0
    gap = np.inf
    best = np.inf
    stall = 0
    for ep in range(1, max_epochs + 1):
        epoch(G, w, u, lam, mu, L, box)
        if K > 0:
            pos += 1
            copy_into(w, W[pos])
            if pos == K:
                _try_extrapolation(G, b, c0, w, u, lam, mu, box, W, M, c, w_acc, u_acc)
                copy_into(w, W[0])
                pos = 0
        if ep % check_every == 0 or ep == max_epochs:
            gap = gram_gap(G, b, c0, w, u, lam, mu, L, box)
            if gap <= tol_in:
                return ep, gap
            # At the floating-point floor (gaps below ``floor``) the gap stops
            # decreasing: give up.
            if gap < 0.999 * best:
                best = gap
                stall = 0
            elif gap <= floor:
                stall += 1
                if stall >= _PATIENCE:
                    return ep, gap
    return max_epochs, gap
