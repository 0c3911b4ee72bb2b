"""The outer loop of the ``"cd"`` backend (see ``cd.py`` for the algorithm).

Importing this module imports no kernel (nor numba): the storage adapters
of ``_cd_ops`` load their own kernels when the first solve builds them.
"""

from __future__ import annotations

import numpy as np

from .. import _box
from ..certificate import DualSums, dual_value
from ._cd_ops import gram_inner, kernels, make_ops
from .result import BackendResult

# Anderson extrapolation every K epochs, from the last K + 1 iterates; the
# working-set gap is checked at the same rhythm.
_ANDERSON_K = 5
# Each working-set subproblem is solved to this fraction of the current gap.
_INNER_FRACTION = 0.3
# ... and to this fraction when it holds every current violator.
_COMPLETE_FRACTION = 0.1
# Gram inner solves only for working sets at most this large (m^2 floats).
_GRAM_MAX = 4096
# Zero features added to the support (as a share of it) even without violators.
_WS_FILL = 0.5
# A complete set is solved to tol at once when this many times its expected
# inner work is below one outer pass.
_CHEAP = 3.0
# Inner targets below this multiple of tol are tightened to finish at once.
_SNAP = 10.0
# A working set grows by at most this factor per outer step.
_WS_GROWTH = 8
# Relative gaps below this may be rounding noise: an inner solve whose gap stops
# improving there gives up.
_FLOOR = 1e-10
# Inner epochs assumed for the first working set (sizes it against an outer pass).
_FIRST_EPOCHS = 100
# An outer step that does not shrink the gap below this factor grows the set.
_PROGRESS = 1.0
# Outer iterations (with every feature in the set) without a 1% better gap
# before giving up (floating-point floor).
_OUTER_PATIENCE = 10


class _State:
    """The iterate and everything derived from it at an outer step.

    With float32 X the problem layer certifies the float32-rounded
    coefficients, using the residual of the unrounded ones as an extra dual
    candidate; the gap here is computed the same way.
    """

    def __init__(self, ops, design, w, active, has_unpen, X, round32, r=None, u=None):
        d = design
        self.w = w
        self.supp = np.flatnonzero(w)
        self.r = ops.residual(w, self.supp) if r is None else r
        self.u = ops.gradient(self.r, active) if u is None else u
        sr = self.r * d.sw if d.sw is not None else self.r
        nb = float(sr @ self.r) / d.n
        if round32:
            wp = w.astype(np.float32).astype(np.float64)
            rp = ops.residual(wp, self.supp)
            nbp = float((rp * d.sw if d.sw is not None else rp) @ rp) / d.n
        else:
            wp, nbp = w, nb
        s = self.supp
        self.primal = 0.5 * nbp + float(d.lam[s] @ np.abs(wp[s]) + 0.5 * (d.mu[s] @ wp[s] ** 2))
        if has_unpen:
            # Unpenalized features need the projection of the certificate.
            self.dual, self.scale = dual_value(d, X, self.r), 0.0
        else:
            a = float(sr @ d.yc) / d.n
            self.dual, self.scale = _dual_objective()(a, nb, self.u, d.lam[active],
                                                      d.mu[active], _active_box(d, active))
        self.gap = max(self.primal - self.dual, 0.0)


def _active_box(d, active):
    """The box of the features ``active`` (the design's own when they are all)."""
    return d.box if active.shape[0] == d.p else d.box[:, active]


def _scores(u, d, active):
    """:func:`lassokit._box.box_score` of the active features' correlations ``u``."""
    return _box.box_score(u, _active_box(d, active)) if d.bounded else np.abs(u)


def _dual_objective():
    """The certificate's dual kernel (``kernels._common.dual_objective``)."""
    return kernels("_common").dual_objective


def _use_gram(gram, ops, ws, epochs):
    """Whether to solve on the set's Gram matrix (``"auto"``: when it is cheaper).

    Residual epochs cost ~``epoch_cost`` each; Gram epochs ~``m^2``, after
    forming the missing Gram columns at BLAS speed (taken as 8x a compiled
    loop). ``epochs`` is the expected number of inner epochs.
    """
    m = ws.shape[0]
    if gram is True or gram is False:
        return bool(gram) and m <= 4 * _GRAM_MAX
    if m > _GRAM_MAX:
        return False
    resid = epochs * ops.epoch_cost(ws)
    build = ops.gram_build_cost(ws) / 8.0
    return build + epochs * m * m < resid


def _screen(st, d, L, active):
    """Gap Safe rule: which features may still be non-zero at the optimum.

    With the feasible dual point ``c r`` and the gap ``G``, the optimal dual
    point lies within ``sqrt(2 n G)`` (S-norm) of it, so
    ``|u_j(optimum)| <= c |u_j(r)| + sqrt(2 G L_j)``; below ``lam_j`` the
    feature is zero at the optimum (Fercoq, Gramfort & Salmon 2015).

    Returns
    -------
    (ndarray of bool, ndarray)
        The features to keep, and for every feature the bound above (kept to
        certify later that screened features stay dual-feasible).
    """
    eff = _scores(st.u, d, active)  # -inf: no open side (pinned at 0)
    lam_a = d.lam[active]
    bound = st.scale * eff + np.sqrt(2.0 * st.gap) * np.sqrt(L[active])
    return ~((eff == -np.inf) | ((lam_a > 0) & (bound < lam_a))), bound


def _working_set(st, d, L, active, ws_start, m_cost, ws_last):
    """The support, unpenalized features and the best-ranked others.

    Features are ranked by their distance to violating the optimality
    conditions at zero, ``(lam_j - |u_j|) / ||xc_j||`` (celer's dual score
    with the unscaled residual, so that violators rank first). The set holds
    at least twice the support, and as many violators as fit in ``m_cost``:
    when an outer step (a pass over all features) costs much more than an
    inner epoch, a larger set saves outer steps.

    Returns
    -------
    (ndarray, bool)
        The working set (sorted) and whether it holds every current violator.
    """
    eff = _scores(st.u, d, active)
    La = L[active]
    lam_a = d.lam[active]
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(La > 0, (lam_a - eff) / np.sqrt(La), np.inf)
    forced = ((st.w[active] != 0) | ((lam_a == 0) & (La > 0))) & (eff > -np.inf)
    score[forced] = -np.inf
    n_forced = int(np.count_nonzero(forced))
    n_viol = int(np.count_nonzero(score < 0)) - n_forced
    grow = max(min(n_viol, max(m_cost, n_forced)), int(_WS_FILL * n_forced))
    if ws_last:
        grow = min(grow, _WS_GROWTH * ws_last)
    size = max(ws_start, n_forced + grow)
    if size >= active.shape[0]:
        return active, True
    pick = np.argpartition(score, size - 1)[:size]
    return np.sort(active[pick]), size >= n_forced + n_viol


def run(problem, *, tol, max_iter, warm_start, working_set, screening, anderson, gram,
        ws_start, verbose, state=None):
    """Solve ``problem`` to a relative duality gap ``tol``; see ``cd.py``.

    ``state`` is a path session's :class:`SolverState` (layout of X, column
    norms, the residual and correlations of ``warm_start``, the Gram cache),
    kept from one strength to the next; without it everything is computed
    here. The result carries the final residual sums for the certificate.
    """
    d = problem._design
    X = problem.X
    if state is None:
        state = SolverState(make_ops(X, d))
    ops = state.ops
    p = d.p
    lam = np.ascontiguousarray(d.lam)
    mu = np.ascontiguousarray(d.mu)
    box = d.box
    round32 = X.dtype == np.float32
    w = np.zeros(p) if warm_start is None else np.array(warm_start, dtype=np.float64)
    if d.bounded:
        np.clip(w, box[0], box[1], out=w)
    L, r, u = state.start(w)
    tol_abs = tol * d.p0
    floor = _FLOOR * d.p0
    K = _ANDERSON_K if anderson else 0
    check_every = K or 10
    has_unpen = d.unpenalized.size > 0
    active = np.arange(p)
    screened_bound = np.zeros(p)
    last_epochs = _FIRST_EPOCHS
    epochs = n_outer = n_gram = n_stall = 0
    best_gap = prev_gap = np.inf
    ws_last = 0
    ws_floor = ws_start
    status = "max_iter"
    while True:
        st = _State(ops, d, w, active, has_unpen, X, round32, r, u)
        r = u = None
        if verbose:
            print(f"cd: outer {n_outer:3d}  epochs {epochs:6d}  active {active.size:7d}  "
                  f"ws {ws_last:6d}  nnz {st.supp.size:6d}  "
                  f"rel gap {st.gap / d.p0 if d.p0 > 0 else 0.0:.3e}")
        if st.gap <= tol_abs:
            u_full = np.empty(p)
            u_full[active] = st.u
            if active.size < p:
                if st.scale > 0.0 and _screened_feasible(st, d, L, screened_bound, active):
                    # |u_j| bounded through the screening bound (see certify).
                    mask = np.ones(p, dtype=bool)
                    mask[active] = False
                    u_full[mask] = _box.as_correlation(
                        (screened_bound[mask] + np.sqrt(2.0 * st.gap * L[mask])) / st.scale,
                        box[:, mask])
                elif _full_gap(st, ops, d, active, u_full) > tol_abs:
                    active = np.arange(p)  # screening disagreed with the full gap: undo it
                    continue
            status = "success"
            break
        if epochs >= max_iter:
            break
        if st.gap < 0.99 * best_gap:
            best_gap, n_stall = st.gap, 0
        elif ws_last >= active.size:
            n_stall += 1
            if n_stall >= _OUTER_PATIENCE:
                status = "stalled"  # reported as "inaccurate" by the problem layer
                break
        if st.gap > _PROGRESS * prev_gap:
            # Little progress: the set was too small; the floor doubles until it is all.
            ws_floor = max(ws_floor, 2 * ws_last)
        prev_gap = st.gap
        n_outer += 1
        if screening and not has_unpen and st.scale > 0.0:
            keep, bound = _screen(st, d, L, active)
            if not keep.all():
                dropped = active[~keep]
                screened_bound[dropped] = bound[~keep]
                active, st.u = active[keep], st.u[keep]
                if np.any(w[dropped] != 0.0):
                    w[dropped] = 0.0
                    st.r = ops.residual(w, np.flatnonzero(w))
        if working_set:
            m_cost = active.size // max(last_epochs, 1)
            ws, complete = _working_set(st, d, L, active, ws_floor, m_cost, ws_last)
        else:
            ws, complete = active, True
        ws_last = ws.size
        # How far to solve the set: Gram solves are cheap, so are small sets next to an
        # outer pass; with every violator in the set its gap is (nearly) the full gap.
        use_gram = _use_gram(gram, ops, ws, max(last_epochs, 5))
        if use_gram:
            tol_in = 0.5 * tol_abs
        elif complete and _CHEAP * last_epochs * ops.epoch_cost(ws) < ops.epoch_cost(active):
            tol_in = 0.5 * tol_abs  # inner epochs are cheap next to an outer pass
        elif complete:
            tol_in = max(_COMPLETE_FRACTION * st.gap, 0.5 * tol_abs)
        else:
            tol_in = max(_INNER_FRACTION * st.gap, 0.5 * tol_abs)
        if tol_in < _SNAP * tol_abs:
            tol_in = 0.5 * tol_abs  # close enough: finish in this step
        budget = max_iter - epochs
        if use_gram:
            G, b = ops.gram(ws)
            wl = np.ascontiguousarray(w[ws])
            ep = gram_inner(G, b, ops.c0, wl, lam[ws], mu[ws], L[ws], box[:, ws], tol_in,
                            floor, budget, K, check_every)
            w[ws] = wl
            n_gram += 1
        else:
            ep, _ = ops.inner(ws, w, st.r, lam, mu, L, box, tol_in, floor, budget, K,
                              check_every)
        epochs += ep
        last_epochs = ep
    if status != "success":
        u_full = np.empty(p)
        u_full[active] = st.u
        _full_gap(st, ops, d, active, u_full)
    exact = None
    if active.size < p:
        exact = np.zeros(p, dtype=bool)
        exact[active] = True
    state.finish(w, st.r, u_full, exact=exact)
    info = {"n_outer": n_outer, "epochs": epochs, "n_gram": n_gram,
            "n_screened": int(p - active.size), "storage": ops.kind}
    sr = st.r * d.sw if d.sw is not None else st.r
    sums = DualSums(0.5 * float(sr @ st.r) / d.n, float(sr @ d.yc) / d.n, u_full, st.r)
    return BackendResult(coef=w, n_iter=epochs, status=status, info=info, sums=sums)


class SolverState:
    """What the outer loop needs at its start, kept between the strengths of a path.

    ``ops`` holds X in the kernel's layout and the Gram cache of working
    sets; the column norms ``L`` are computed at the first start (in the same
    pass as the correlations); the residual of the last answer is exact and
    its correlations are exact except for features that were screened (only
    bounded), which are recomputed, columns only, at the next start.
    """

    def __init__(self, ops):
        self.ops = ops
        self.L = None
        self.w = None
        self.r = None
        self.u = None
        self.exact = None

    def start(self, w):
        """``(L, r, u)`` at the starting point ``w``."""
        ops = self.ops
        if self.w is not None and np.array_equal(w, self.w):
            r, u = self.r, self.u.copy()
            if self.exact is not None:
                stale = np.flatnonzero(~self.exact)
                u[stale] = ops.gradient(r, stale)
            return self.L, r, u
        r = ops.residual(w, np.flatnonzero(w))
        if self.L is None:
            self.L, u = ops.norms_and_gradient(r)  # the first outer pass doubles as this
        else:
            u = ops.gradient(r, np.arange(ops.p))
        return self.L, r, u

    def finish(self, w, r, u, exact=None):
        """Remember the answer: its residual, correlations, and which of them are exact."""
        self.w, self.r, self.u, self.exact = w.copy(), r, u, exact


def _screened_feasible(st, d, L, screened_bound, active):
    """Whether every screened feature is provably dual-feasible now.

    At screening, ``|u_j(optimum)| <= b_j`` (the stored bound); the current
    scaled dual point is within ``sqrt(2 G L_j)`` of the optimum in that
    feature's direction, so ``c |u_j(r)| <= b_j + sqrt(2 G L_j)``. When that
    stays below ``lam_j`` the full problem's gap equals the reduced one and no
    pass over the screened features is needed.
    """
    mask = np.ones(d.p, dtype=bool)
    mask[active] = False
    b = screened_bound[mask] + np.sqrt(2.0 * st.gap) * np.sqrt(L[mask])
    # A pinned feature (bound -inf) has no dual constraint at all.
    return bool(np.all((b < d.lam[mask]) | (b == -np.inf)))


def _full_gap(st, ops, d, active, u):
    """The gap with every feature, screened ones included (mirrors certify).

    ``u`` holds ``st.u`` on ``active``; the screened entries are filled in.
    """
    screened = np.setdiff1d(np.arange(d.p), active, assume_unique=True)
    u[screened] = ops.gradient(st.r, screened)
    sr = st.r * d.sw if d.sw is not None else st.r
    a = float(sr @ d.yc) / d.n
    nb = float(sr @ st.r) / d.n
    dual, _ = _dual_objective()(a, nb, u, d.lam, d.mu, d.box)
    return max(st.primal - dual, 0.0)
