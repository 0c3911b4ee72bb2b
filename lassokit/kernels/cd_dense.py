"""Coordinate descent on a dense, column-major (Fortran-ordered) X.

X may be float32 or float64; every accumulation is float64 and X is never
copied or upcast as a whole. The intercept is handled by implicit centring:
every product uses ``x_ij - x_off_j``, formed entry by entry. Relying on
``sum_i s_i r_i = 0`` instead (``xc_j^T S r = x_j^T S r``) would be exact in
exact arithmetic only: on a column with mean 1e9 and unit spread the sum
``sum_i x_ij r_i`` cancels ~9 digits, and the updates
``r += d x_off - d x_j`` as many (the column would look frozen).

The inner solver works on a working set described by ``cols`` (the columns
of X it uses) and arrays local to the set (``w``, ``lam``, ``mu``, ``L``,
``xo``), so the same code runs on X itself or on a compact copy of the
set's columns.

References
----------
Friedman, Hastie & Tibshirani (2010), J. Stat. Softw. 33(1) (coordinate
descent, skipping the residual update when a coefficient does not move).
Bertrand & Massias (2021), AISTATS; Bertrand et al. (2022), NeurIPS
(Anderson extrapolation of coordinate descent on working sets).
"""

import numpy as np
from numba import njit

from ._common import (
    FASTMATH, HELPER, anderson_point, cd_update, copy_into, full_sweep,
    next_check, penalty_value, support_of, ws_gap,
)

# Gap checks below the floor without a new best gap before an inner solve gives up.
_PATIENCE = 20


@njit(fastmath=FASTMATH, **HELPER)
def _cdot_col(X, j, xm, v):
    # sum_i (x_ij - xm) v_i, centred entry by entry (see the module doc).
    acc = 0.0
    for i in range(X.shape[0]):
        acc += (X[i, j] - xm) * v[i]
    return acc


@njit(fastmath=FASTMATH, **HELPER)
def _cdot3_col(X, j, xm, s, v):
    acc = 0.0
    for i in range(X.shape[0]):
        acc += (X[i, j] - xm) * s[i] * v[i]
    return acc


@njit(fastmath=FASTMATH, **HELPER)
def _axpy_col(X, j, d, xm, r):
    # r -= d * (x_j - xm), the residual change when w_j moves by d.
    for i in range(X.shape[0]):
        r[i] -= d * (X[i, j] - xm)


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def norms_and_gradient(X, sw, has_sw, x_off, sq, sq_sum, L_out, u_out):
    """``L_j = sum_i s_i (X_ij - x_off_j)^2 / n`` and :func:`gradient`, one pass over X."""
    n, p = X.shape
    for j in range(p):
        xm = x_off[j]
        acc = 0.0
        dot = 0.0
        if has_sw:
            for i in range(n):
                t = X[i, j] - xm
                acc += sw[i] * t * t
                dot += t * sq[i]
        else:
            for i in range(n):
                t = X[i, j] - xm
                acc += t * t
                dot += t * sq[i]
        L_out[j] = acc / n
        # sq_sum is not needed: the product is centred entry by entry.
        u_out[j] = dot / n


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def gradient(X, feats, sq, sq_sum, x_off, out):
    """``out[k] = xc_j^T S q / n`` for ``j = feats[k]``, given ``sq = s * q``.

    ``sq_sum`` (``sum(sq)``) is unused here: the product is centred entry by
    entry; the argument keeps one signature with the sparse kernel.
    """
    n = X.shape[0]
    for k in range(feats.shape[0]):
        j = feats[k]
        out[k] = _cdot_col(X, j, x_off[j], sq) / n


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def residual(X, yc, w, supp, x_off, out):
    """``out = yc - sum_{j in supp} w_j (x_j - x_off_j)``."""
    copy_into(yc, out)
    for k in range(supp.shape[0]):
        j = supp[k]
        if w[j] != 0.0:
            _axpy_col(X, j, w[j], x_off[j], out)


@njit(fastmath=FASTMATH, **HELPER)
def epoch(X, cols, sel, n_sel, w, r, sw, has_sw, xo, lam, mu, L, box):
    """One cyclic pass of exact coordinate minimization over positions ``sel[:n_sel]``.

    Updates ``w`` (local to the set) and ``r`` in place; the residual is
    touched only for coordinates that move.
    """
    n = X.shape[0]
    for t in range(n_sel):
        k = sel[t]
        j = cols[k]
        if has_sw:
            uk = _cdot3_col(X, j, xo[k], sw, r) / n
        else:
            uk = _cdot_col(X, j, xo[k], r) / n
        wk = w[k]
        new = cd_update(wk, L[k], uk, lam[k], mu[k], box[0, k], box[1, k])
        if new != wk:
            w[k] = new
            _axpy_col(X, j, new - wk, xo[k], r)


@njit(fastmath=FASTMATH, **HELPER)
def _fit_terms(r, yc, sw, has_sw):
    # ||r||_S^2 / n and <s r, yc> / n.
    n = r.shape[0]
    rr = 0.0
    ry = 0.0
    if has_sw:
        for i in range(n):
            sr = sw[i] * r[i]
            rr += sr * r[i]
            ry += sr * yc[i]
    else:
        for i in range(n):
            rr += r[i] * r[i]
            ry += r[i] * yc[i]
    return rr / n, ry / n


# Inlined into the non-fastmath inner_solve (see the note at _common.HELPER): its own
# arithmetic is single operations (0.5 * x is exact), the same under either flags.
@njit(fastmath=FASTMATH, inline="always", **HELPER)
def _set_gap(X, cols, xo, w, r, yc, sw, has_sw, lam, mu, L, box, u, sr):
    # Gap of the working-set subproblem with the residual as dual point;
    # u (len(cols)) and sr (n) are work buffers.
    n = X.shape[0]
    if has_sw:
        for i in range(n):
            sr[i] = sw[i] * r[i]
    else:
        copy_into(r, sr)
    for k in range(cols.shape[0]):
        u[k] = _cdot_col(X, cols[k], xo[k], sr) / n
    nb, a = _fit_terms(r, yc, sw, has_sw)
    return ws_gap(w, u, lam, mu, L, box, 0.5 * nb, a, nb)


# Inlined into the non-fastmath inner_solve (see the note at _common.HELPER): its own
# arithmetic is single operations (0.5 * x is exact), the same under either flags.
@njit(fastmath=FASTMATH, inline="always", **HELPER)
def _try_extrapolation(X, cols, w, r, yc, sw, has_sw, xo, lam, mu, box, W, M, c,
                       w_acc, r_acc):
    # Anderson step on the set's coefficients; kept only if the objective drops.
    # Coefficients the iterates agree on come back exactly (a bound stays the bound).
    if not anderson_point(W, M, c, w_acc, box):
        return False
    copy_into(r, r_acc)
    for k in range(cols.shape[0]):
        d = w_acc[k] - w[k]
        if d != 0.0:
            _axpy_col(X, cols[k], d, xo[k], r_acc)
    nb_old, _ = _fit_terms(r, yc, sw, has_sw)
    nb_new, _ = _fit_terms(r_acc, yc, sw, has_sw)
    p_old = 0.5 * nb_old + penalty_value(w, lam, mu)
    p_new = 0.5 * nb_new + penalty_value(w_acc, lam, mu)
    if not p_new < p_old:
        return False
    copy_into(w_acc, w)
    copy_into(r_acc, r)
    return True


@njit(cache=True, nogil=True)
def inner_solve(X, cols, w, r, yc, sw, has_sw, xo, lam, mu, L, box, tol_in, floor,
                max_epochs, K, check_every):
    """Coordinate descent on a working set until its gap is ``<= tol_in``.

    Every ``K`` epochs (``K > 0``) the last ``K + 1`` iterates are
    Anderson-extrapolated; the extrapolated point replaces the iterate when
    it lowers the objective. The set's duality gap is evaluated every
    ``check_every`` epochs; the solve also stops when a gap below ``floor``
    (the floating-point floor) has not improved for a while.

    Parameters
    ----------
    X : ndarray (n, p), Fortran-ordered
    cols : int64 ndarray (m,)
        Columns of X forming the set.
    w, xo, lam, mu, L : float64 ndarray (m,)
        Coefficients (updated in place), column offsets, L1/L2 strengths
        and Lipschitz constants of the set.
    r : float64 ndarray (n,)
        Centred residual, updated in place.

    Returns
    -------
    (int, float)
        Epochs run and the last gap computed (``inf`` if none).
    """
    n = X.shape[0]
    m = cols.shape[0]
    Kb = max(K, 1)
    W = np.empty((Kb + 1, m))
    M = np.empty((Kb, Kb))
    c = np.empty(Kb)
    w_acc = np.empty(m)
    r_acc = np.empty(n)
    u = np.empty(m)
    copy_into(w, W[0])
    pos = 0
    gap = np.inf
    best = np.inf
    stall = 0
    every = np.arange(m)
    supp = np.empty(m, dtype=np.int64)
    n_supp = 0
    next_at = check_every
    last_check = 0
    for ep in range(1, max_epochs + 1):
        # The whole set or its non-zeros (kernels._common.full_sweep).
        if full_sweep(ep, check_every) or n_supp == 0:
            epoch(X, cols, every, m, w, r, sw, has_sw, xo, lam, mu, L, box)
            n_supp = support_of(w, supp)
        else:
            epoch(X, cols, supp, n_supp, w, r, sw, has_sw, xo, lam, mu, L, box)
        if K > 0:
            pos += 1
            copy_into(w, W[pos])
            if pos == K:
                _try_extrapolation(X, cols, w, r, yc, sw, has_sw, xo, lam, mu, box, W, M,
                                   c, w_acc, r_acc)
                copy_into(w, W[0])
                pos = 0
        if ep == next_at or ep == max_epochs:
            prev, gap = gap, _set_gap(X, cols, xo, w, r, yc, sw, has_sw, lam, mu, L, box,
                                      u, r_acc)
            if gap <= tol_in:
                return ep, gap
            next_at = ep + next_check(prev, gap, tol_in, ep - last_check, check_every)
            last_check = ep
            if gap < 0.999 * best:
                best = gap
                stall = 0
            elif gap <= floor:
                stall += 1
                if stall >= _PATIENCE:
                    return ep, gap
    return max_epochs, gap
