"""A whole regularization path on dense X in residual space, solved and certified in one call.

On wide data (cross-validation folds of 80 x 10,000) one strength costs a
fraction of a millisecond of coordinate descent, and the Python outer loop of
the ``"cd"`` backend (gap, Gap Safe screening, working set, a dozen numpy
calls over ``p`` each) cost more than the kernels it drove: 0.5 of 0.8 s of a
5-fold ``LassoCV`` (measured with cProfile). This kernel runs the same outer
loop compiled, strength after strength with warm starts (Friedman et al.
2010):

* the gap of the features still in play, with the certificate's own dual
  (:func:`~lassokit.kernels._common.dual_objective`, the function
  :func:`lassokit.certificate.scaled_dual` calls);
* Gap Safe screening (Fercoq, Gramfort & Salmon 2015);
* a working set of the support and the best-ranked violators, solved by
  :func:`~lassokit.kernels.cd_dense.inner_solve` with Anderson extrapolation
  (Massias et al. 2018; Bertrand & Massias 2021);
* the final gap of every strength over **all** features (screened ones get
  their exact correlations), which is what the path reports.

Only float64 X without fully unpenalized features comes here; the Python
loop keeps float32 rounding and unpenalized features.

References
----------
Friedman, Hastie & Tibshirani (2010), J. Stat. Softw. 33(1).
Fercoq, Gramfort & Salmon (2015), "Mind the duality gap: safer rules for the
Lasso", ICML.
Massias, Gramfort & Salmon (2018), "Celer: a fast solver for the Lasso with
dual extrapolation", ICML.
Bertrand & Massias (2021), "Anderson acceleration of coordinate descent", AISTATS.
"""

import numpy as np
from numba import njit

from ._common import HELPER, dual_objective, pinned, side_of
from .cd_dense import inner_solve

# Outer-loop constants, as in lassokit/backends/_cd_solver.py (same meaning).
_INNER_FRACTION = 0.3
_COMPLETE_FRACTION = 0.1
_WS_FILL = 0.5
_CHEAP = 3.0
_SNAP = 10.0
_WS_GROWTH = 8
_FIRST_EPOCHS = 100
_OUTER_PATIENCE = 10

#: Codes of ``status`` (the backend statuses of ``_cd_solver.run``).
SUCCESS, MAX_ITER, STALLED = 0, 1, 2


@njit(**HELPER)
def _fit(r, yc, sw, has_sw):
    # ||r||_S^2 / n and <S r, yc> / n.
    n = r.shape[0]
    rr = 0.0
    ry = 0.0
    for i in range(n):
        s = sw[i] * r[i] if has_sw else r[i]
        rr += s * r[i]
        ry += s * yc[i]
    return rr / n, ry / n


@njit(**HELPER)
def _correlations(X, x_off, sr, feats, m, u):
    # u[j] = xc_j^T S r / n for j in feats[:m], centred entry by entry.
    n = X.shape[0]
    for k in range(m):
        j = feats[k]
        xm = x_off[j]
        acc = 0.0
        for i in range(n):
            acc += (X[i, j] - xm) * sr[i]
        u[j] = acc / n


@njit(**HELPER)
def _weighted(r, sw, has_sw, sr):
    for i in range(r.shape[0]):
        sr[i] = sw[i] * r[i] if has_sw else r[i]


@njit(**HELPER)
def _penalty(w, lam, mu):
    # sqrt(mu) w before squaring, as Penalty.value: no underflow.
    total = 0.0
    for j in range(w.shape[0]):
        if w[j] != 0.0:
            s = np.sqrt(mu[j]) * w[j]
            total += lam[j] * abs(w[j]) + 0.5 * s * s
    return total


@njit(**HELPER)
def _gap(w, r, yc, sw, has_sw, u, lam, mu, feats, m, box, ua, la, ma, ba):
    # P(w) - D(c r) over the features feats[:m] (w is zero elsewhere).
    nb, a = _fit(r, yc, sw, has_sw)
    for k in range(m):
        j = feats[k]
        ua[k] = u[j]
        la[k] = lam[j]
        ma[k] = mu[j]
        ba[0, k] = box[0, j]
        ba[1, k] = box[1, j]
    primal = 0.5 * nb + _penalty(w, lam, mu)
    dual, scale = dual_objective(a, nb, ua[:m], la[:m], ma[:m], ba[:, :m])
    if not np.isfinite(dual):
        dual, scale = 0.0, 0.0
    return max(primal - dual, 0.0), scale


@njit(**HELPER)
def _axpy(X, j, d, xm, r):
    for i in range(X.shape[0]):
        r[i] -= d * (X[i, j] - xm)


@njit(**HELPER)
def _kth_smallest(a, m, k, work):
    # The k-th smallest of a[:m] (0-based) by quickselect on a copy in work.
    # np.partition would do, but compiles np.unique, a sort and error
    # formatting with it: ~3.5 s of this module's cold compile (measured).
    for i in range(m):
        work[i] = a[i]
    lo = 0
    hi = m - 1
    while lo < hi:
        pivot = work[(lo + hi) // 2]
        i = lo
        j = hi
        while i <= j:
            while work[i] < pivot:
                i += 1
            while work[j] > pivot:
                j -= 1
            if i <= j:
                t = work[i]
                work[i] = work[j]
                work[j] = t
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            break
    return work[k]


@njit(**HELPER)
def _refresh(X, x_off, yc, sw, has_sw, w, r, u, sr, feats):
    # r = yc - Xc w from X, u = Xc^T S r / n for every feature; feats = 0..p-1.
    n, p = X.shape
    for i in range(n):
        r[i] = yc[i]
    for j in range(p):
        feats[j] = j
        if w[j] != 0.0:
            _axpy(X, j, w[j], x_off[j], r)
    _weighted(r, sw, has_sw, sr)
    _correlations(X, x_off, sr, feats, p, u)


@njit(**HELPER)
def _solve_core(X, x_off, yc, sw, has_sw, L, lam, mu, box, tol_abs, floor, max_epochs,
                K, check_every, ws_start, working_set, screening, w, r, u, ibuf, fbuf):
    """One strength from ``(w, r, u)`` (exact correlations ``u`` of ``r``, all features).

    Returns ``(gap, epochs, status)``; ``w``, ``r`` and ``u`` are left at the
    answer, ``u`` exact for every feature.
    """
    n, p = X.shape
    active = ibuf[0]
    ws = ibuf[1]
    ua, la, ma = fbuf[0], fbuf[1], fbuf[2]
    ba = fbuf[3:5]
    score = np.empty(p)
    sel = np.empty(p)
    sr = np.empty(n)
    in_play = np.ones(p, dtype=np.bool_)
    for j in range(p):
        active[j] = j
    n_act = p
    epochs = 0
    last_epochs = _FIRST_EPOCHS
    ws_last = 0
    ws_floor = ws_start
    best_gap = np.inf
    prev_gap = np.inf
    n_stall = 0
    status = MAX_ITER
    gap = np.inf
    # (r, u) arrive exact: recomputed from X, u for every feature.
    exact = True
    while True:
        gap, scale = _gap(w, r, yc, sw, has_sw, u, lam, mu, active, n_act, box, ua, la, ma, ba)
        if gap <= tol_abs:
            if exact:
                status = SUCCESS
                break
            # Confirm on a residual recomputed from X (no drift of the
            # incremental updates) with every feature's correlation.
            _refresh(X, x_off, yc, sw, has_sw, w, r, u, sr, active)
            for j in range(p):
                in_play[j] = True
            n_act = p
            exact = True
            continue
        if epochs >= max_epochs:
            break
        if gap < 0.99 * best_gap:
            best_gap = gap
            n_stall = 0
        elif ws_last >= n_act:
            n_stall += 1
            if n_stall >= _OUTER_PATIENCE:
                status = STALLED
                break
        if gap > prev_gap:
            ws_floor = max(ws_floor, 2 * ws_last)
        prev_gap = gap
        if screening and scale > 0.0:
            rad = np.sqrt(2.0 * gap)
            kept = 0
            for k in range(n_act):
                j = active[k]
                e, _ = side_of(u[j], box[0, j], box[1, j])
                # Gap Safe (Ndiaye et al. 2017) on the open sides of the box:
                # no side open (a pinned feature) is screened at once.
                if e == -np.inf or (lam[j] > 0.0 and scale * e + rad * np.sqrt(L[j]) < lam[j]):
                    in_play[j] = False
                    if w[j] != 0.0:
                        _axpy(X, j, -w[j], x_off[j], r)
                        w[j] = 0.0
                        exact = False
                else:
                    active[kept] = j
                    kept += 1
            n_act = kept
        # The working set: the support and the best-ranked others, as in
        # _cd_solver._working_set (celer's dual score, violators first).
        n_forced = 0
        n_viol = 0
        for k in range(n_act):
            j = active[k]
            if pinned(box, j):
                score[k] = np.inf
            elif w[j] != 0.0 or (lam[j] == 0.0 and L[j] > 0.0):
                score[k] = -np.inf
                n_forced += 1
            elif L[j] > 0.0:
                e, _ = side_of(u[j], box[0, j], box[1, j])
                score[k] = (lam[j] - e) / np.sqrt(L[j])
                if score[k] < 0.0:
                    n_viol += 1
            else:
                score[k] = np.inf
        if working_set:
            m_cost = n_act // max(last_epochs, 1)
            grow = max(min(n_viol, max(m_cost, n_forced)), int(_WS_FILL * n_forced))
            if ws_last > 0:
                grow = min(grow, _WS_GROWTH * ws_last)
            size = max(ws_floor, n_forced + grow)
        else:
            size = n_act
        if size >= n_act:
            size = n_act
            for k in range(n_act):
                ws[k] = active[k]
            complete = True
        else:
            thr = _kth_smallest(score, n_act, size - 1, sel)
            below = 0
            for k in range(n_act):
                if score[k] < thr:
                    below += 1
            ties = size - below
            m = 0
            for k in range(n_act):
                if score[k] < thr or (score[k] == thr and ties > 0):
                    if score[k] == thr:
                        ties -= 1
                    ws[m] = active[k]
                    m += 1
            complete = size >= n_forced + n_viol
        ws_last = size
        if complete and _CHEAP * last_epochs * size < n_act:
            tol_in = 0.5 * tol_abs
        elif complete:
            tol_in = max(_COMPLETE_FRACTION * gap, 0.5 * tol_abs)
        else:
            tol_in = max(_INNER_FRACTION * gap, 0.5 * tol_abs)
        if tol_in < _SNAP * tol_abs:
            tol_in = 0.5 * tol_abs
        cols = ws[:size]
        wl = np.empty(size)
        xo = np.empty(size)
        ll = np.empty(size)
        lm = np.empty(size)
        lmu = np.empty(size)
        lb = np.empty((2, size))
        for k in range(size):
            j = cols[k]
            lb[0, k] = box[0, j]
            lb[1, k] = box[1, j]
            wl[k] = w[j]
            xo[k] = x_off[j]
            ll[k] = L[j]
            lm[k] = lam[j]
            lmu[k] = mu[j]
        ep, _ = inner_solve(X, cols, wl, r, yc, sw, has_sw, xo, lm, lmu, ll, lb, tol_in,
                            floor, max_epochs - epochs, K, check_every)
        for k in range(size):
            w[cols[k]] = wl[k]
        epochs += ep
        last_epochs = ep
        exact = False
        _weighted(r, sw, has_sw, sr)
        _correlations(X, x_off, sr, active, n_act, u)
    if not exact:
        # Stopped short: the reported gap too covers every feature, from X.
        _refresh(X, x_off, yc, sw, has_sw, w, r, u, sr, active)
        gap, _ = _gap(w, r, yc, sw, has_sw, u, lam, mu, active, p, box, ua, la, ma, ba)
    return gap, epochs, status


@njit(cache=True, nogil=True)
def dense_path(X, x_off, yc, sw, has_sw, L, lam1, mu1, alphas, l1_ratio, box, tol_abs,
               floor, max_epochs, K, check_every, ws_start, working_set, screening, w, r, u,
               coefs, gaps, epochs, status):
    """Solve and certify ``alphas`` in order on dense X, warm-starting from ``w``.

    Parameters
    ----------
    X : float64 ndarray (n, p), Fortran-ordered
    x_off, yc, sw, has_sw
        Column offsets, centred target and sample weights (``has_sw``
        False: ``sw`` is ignored), as :mod:`lassokit.kernels.cd_dense`.
    L : ndarray (p,)
        ``||xc_j||_S^2 / n`` (exact zeros for vanishing columns).
    lam1, mu1 : ndarray (p,)
        Per-feature strengths at unit alpha; point ``i`` uses
        ``alphas[i] * l1_ratio * lam1`` and ``alphas[i] * (1 - l1_ratio) * mu1``.
    box : float64 ndarray (2, p)
        Lower and upper bounds of the coefficients (see ``lassokit._box``).
    tol_abs, floor : float
        Absolute gap to certify and the floating-point floor of the inner solves.
    max_epochs, K, check_every
        Epoch budget per strength, Anderson depth, gap-check period.
    ws_start : int
        Smallest working set.
    working_set, screening : bool
        The ``"cd"`` backend's options of the same names.
    w : ndarray (p,)
        Warm start, updated in place (left at the last point).
    r, u : ndarray (n,) and (p,)
        The residual ``yc - Xc w`` and the correlations ``Xc^T S r / n`` of
        the warm start (every feature), updated in place.
    coefs : ndarray (p, n_alphas)
        Output coefficients.
    gaps : ndarray (n_alphas,)
        Output: duality gap over every feature (``inf`` for a non-finite point).
    epochs, status : int64 ndarray (n_alphas,)
        Output: epochs run and :data:`SUCCESS` / :data:`MAX_ITER` / :data:`STALLED`.
    """
    n, p = X.shape
    lam = np.empty(p)
    mu = np.empty(p)
    sr = np.empty(n)
    ibuf = np.empty((2, p), dtype=np.int64)
    fbuf = np.empty((5, p))
    fresh = False
    for i in range(alphas.shape[0]):
        if fresh:
            # After a non-finite point: restart from w = 0. Otherwise each
            # strength leaves r and u exact (u over every feature) for the next.
            _refresh(X, x_off, yc, sw, has_sw, w, r, u, sr, ibuf[0])
            fresh = False
        a = alphas[i]
        for j in range(p):
            lam[j] = lam1[j] * (a * l1_ratio)
            mu[j] = mu1[j] * (a * (1.0 - l1_ratio))
        gap, ep, st = _solve_core(X, x_off, yc, sw, has_sw, L, lam, mu, box, tol_abs,
                                  floor, max_epochs, K, check_every, ws_start, working_set,
                                  screening, w, r, u, ibuf, fbuf)
        finite = True
        for j in range(p):
            if not np.isfinite(w[j]):
                finite = False
            coefs[j, i] = w[j]
        epochs[i] = ep
        status[i] = st
        if not finite or not np.isfinite(gap):
            gaps[i] = np.inf
            for j in range(p):
                w[j] = 0.0
            fresh = True
        else:
            gaps[i] = gap
