"""Proximal Newton for smooth losses around the weighted least-squares CD engine.

The ``"cd"`` backend solves a problem with any smooth loss ``l`` by the
proximal Newton method of glmnet (Friedman, Hastie & Tibshirani 2010) and
Lee, Sun & Saunders (2014). At the iterate ``(w, b)``, with ``z = X w + b``,
``g = l'(y, z)`` and ``h = l''(y, z)``, the smooth part is replaced by its
second-order model, which is a weighted least-squares problem:

    1/n sum_i s_i [g_i dz_i + h_i dz_i^2 / 2] = 1/(2n) sum_i s_i h_i (zw_i - z'_i)^2 + const,
    zw = z - g / h  (the working response),  dz = z' - z.

That model plus the penalty is exactly a least-squares problem with sample
weights ``s h`` and target ``zw``, so the existing engine (working sets,
Gap Safe screening, Anderson acceleration, Gram or residual storage; see
``cd.py``) solves it, to a fraction of the current duality gap (an inexact
Newton step, as in the working-set prox-Newton solver of Bertrand et al.
2022). Its answer gives a direction; a backtracking (Armijo) line search on
the true objective along it makes every step a descent step, so a loss
without a global curvature bound (Poisson) cannot diverge; the intercept is
then re-optimized exactly (a 1-D solve). Convergence is decided by the loss
certificate of :mod:`lassokit.losses.certificate` (the one the problem
layer applies afterwards), never by the model.

Curvature that vanishes (a logistic margin of 40, a Poisson rate of
``exp(-40)``, a Huber residual beyond delta) is floored at a small share of
the loss's curvature bound, or of the largest curvature when the loss has
none: a larger model curvature only shortens the step (the line search
still decides), while a zero one would make the working response infinite.

References
----------
Friedman, Hastie & Tibshirani (2010), "Regularization paths for generalized
linear models via coordinate descent", J. Stat. Softw. 33(1).
Lee, Sun & Saunders (2014), "Proximal Newton-type methods for minimizing
composite functions", SIAM J. Optim. 24(3).
Bertrand, Klopfenstein, Massias, et al. (2022), "Beyond L1: faster and
better sparse models with skglm", NeurIPS.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .. import _box, _linalg
from ..losses import certificate as _cert
from ..losses._util import weighted_mean
from ..penalty import Penalty
from ._cd_solver import run as run_wls
from .result import BackendResult

__all__ = ["run"]

#: Each Newton model is solved to this share of the current gap.
_INNER_SHARE = 0.25
#: Model curvature floor, as a share of the loss's curvature bound (or of the
#: largest curvature at the iterate when the loss has no bound).
_CURVATURE_FLOOR = 1e-6
#: Armijo's sufficient-decrease constant and the most halvings of a step.
_ARMIJO, _HALVINGS = 1e-4, 40
#: Tightest relative gap asked of a Newton model (its engine's rounding floor).
_TOL_FLOOR = 1e-16
#: The certificate is checked when Newton's last decrease is below this
#: multiple of the absolute target, and at least every so many steps.
_CHECK_BELOW, _CHECK_EVERY = 1e3, 4
#: A model whose coordinate descent took this many epochs is tried first by a
#: linear solve on the support (at most _ORTHANT_MAX features) next time.
_SLOW_EPOCHS, _ORTHANT_MAX = 50, 2000
#: Below this many features the Newton models see them all (the engine keeps
#: its own working sets): the outer sets would cost a copy of their columns
#: and a second certificate per set for little gain.
_WS_MIN = 500
#: Outer (Newton) steps without a 1 % smaller gap before giving up.
_PATIENCE = 8
#: Most Newton steps.
_MAX_OUTER = 500


def run(problem, *, tol, max_iter, warm_start, working_set=True, screening=True, anderson=True,
        gram="auto", ws_start=10, verbose=False):
    """Solve ``problem`` (a smooth, non-least-squares loss) to relative gap ``tol``.

    With ``working_set`` (and more features than a first set holds), the
    Newton steps run on growing working sets of features (the support and
    the features closest to violating the optimality conditions, ranked by
    the certificate's own correlations), each solved to a fraction of the
    full problem's gap, which is checked with one pass over X per set
    (Massias et al. 2018; Bertrand et al. 2022).

    Parameters
    ----------
    problem : Problem
    tol : float
        Target relative duality gap of the loss certificate.
    max_iter : int
        Budget of coordinate-descent epochs over all Newton steps.
    warm_start : ndarray of shape (n_features,) or None
    working_set, screening, anderson, gram, ws_start, verbose
        The ``"cd"`` options; all but ``verbose`` reach the weighted
        least-squares engine as well.

    Returns
    -------
    BackendResult
        ``n_iter`` counts epochs; ``info`` has ``newton_steps`` and
        ``working_sets``.
    """
    d = problem._design
    p = problem.n_features
    w = np.zeros(p) if warm_start is None else np.array(warm_start, dtype=np.float64)
    if d.bounded:
        np.clip(w, d.box[0], d.box[1], out=w)
    # A Gram matrix pays over many epochs on fixed weights; each Newton model
    # has new weights and needs few epochs, so "auto" means residual updates.
    opts = dict(working_set=working_set, screening=screening, anderson=anderson,
                gram=False if gram == "auto" else gram, ws_start=ws_start, verbose=False)
    if not (d.p0 > 0 and np.isfinite(d.b0)):
        # P(0, b0) = 0: the loss is 0 at w = 0 (one class only, say): optimal.
        return BackendResult(coef=np.zeros(p), info={"newton_steps": 0})
    # Unpenalized features always belong to the set; pinned ones (box (0, 0)) never.
    always = np.flatnonzero(((d.lam == 0) | ~np.isfinite(d.lam))
                            & ((d.box[0] < 0) | (d.box[1] > 0)))
    if not working_set or p <= max(2 * ws_start, _WS_MIN) or always.size >= p // 2:
        w, beta, epochs, steps, status = _newton(problem, d, tol, max_iter, w, opts, verbose)
        return _result(d, w, beta, epochs, status, newton_steps=steps, working_sets=0)
    return _with_working_sets(problem, d, tol, max_iter, w, opts, verbose, always, ws_start)


def _result(d, w, beta, epochs, status, **info):
    """The answer; ``beta`` (centred units) becomes the intercept of the original data."""
    b = beta + d.y_shift - float(d.x_offset @ w) if d.fit_intercept else 0.0
    return BackendResult(coef=w, intercept=b, n_iter=epochs, status=status, info=info)


def _with_working_sets(problem, d, tol, max_iter, w, opts, verbose, always, ws_start):
    """The working-set loop around :func:`_newton` (see :func:`run`)."""
    X, p = problem.X, problem.n_features
    pen = problem.penalty
    tol_abs = tol * d.p0
    epochs = steps = rounds = stall = 0
    size = ws_start
    best = np.inf
    status = "max_iter"
    beta = 0.0
    while True:
        supp = np.flatnonzero(w)
        zc = _cert.fixed_part(d, _support_matvec(X, w, supp, d.x_offset))
        beta = _intercept(d, zc)
        if not np.isfinite(beta):
            status = "error"
            break
        primal = _value(d, w, zc + beta)
        dual, u = _cert.dual_value(d, w, zc, beta, with_correlations=True)
        gap = primal - dual
        if verbose:
            print(f"cd (prox-Newton): set {rounds:3d}  size {size:6d}  epochs {epochs:6d}  "
                  f"nnz {supp.size:6d}  rel gap {gap / d.p0:.3e}")
        if gap <= tol_abs:
            status = "success"
            break
        if epochs >= max_iter or u is None:
            status = "max_iter" if u is not None else "error"
            break
        if gap < 0.99 * best:
            best, stall = gap, 0
        else:
            stall += 1
            size *= 2  # the set was too small to make progress
            if stall >= _PATIENCE:
                status = "stalled"
                break
        # Distance to violating the optimality conditions of a zero feature
        # (the support and the unpenalized ones always belong to the set).
        e = _box.box_score(u, d.box)  # -inf: pinned at 0, never in the set
        score = e - d.lam
        score[supp] = np.inf
        score[always] = np.inf
        size = min(p, max(size, 2 * supp.size, ws_start))
        if size >= p:
            ws = np.arange(p)
        else:
            ws = np.sort(np.argpartition(-score, size - 1)[:size])
        complete = size >= p or not np.any(np.delete(score, ws) > 0)
        sub = _restricted(problem, ws, pen)
        # Solved to a share of the full gap, or to tol when the set holds
        # every violator (the full gap is then the set's).
        tol_sub = 0.5 * tol if complete else max(0.5 * tol, _INNER_SHARE * gap / d.p0)
        w_ws, _, ep, st, sub_status = _newton(sub, sub._design, tol_sub, max_iter - epochs,
                                              w[ws], opts, False, gap0=gap)
        epochs += ep
        steps += st
        rounds += 1
        w = np.zeros(p)
        w[ws] = w_ws
        if sub_status == "error":
            status = "error"
            break
    return _result(d, w, beta, epochs, status, newton_steps=steps, working_sets=rounds)


def _support_matvec(X, w, supp, offset):
    """``(X - offset) @ w`` from the columns of the support only."""
    if supp.size == 0:
        return np.zeros(X.shape[0])
    return _linalg.centred_matvec(_columns(X, supp), w[supp], offset[supp])


def _columns(X, idx):
    """Columns ``idx`` of X in its own storage and dtype (a compact copy)."""
    sub = X[:, idx]
    sub = sub.tocsc() if sp.issparse(sub) else np.asfortranarray(sub)
    # Read-only like every X a Problem holds: the kernels compiled for the
    # caller's (read-only) X serve the working sets too, with no new signature.
    for arr in ((sub.data, sub.indices, sub.indptr) if sp.issparse(sub) else (sub,)):
        arr.flags.writeable = False
    return sub


def _restricted(problem, ws, pen):
    """The problem on the features ``ws`` (same loss, rows, weights and intercept)."""
    from ..problem import Problem

    v1 = None if pen.l1_weights is None else pen.l1_weights[ws]
    v2 = None if pen.l2_weights is None else pen.l2_weights[ws]
    return Problem._trusted(_columns(problem.X, ws), problem.y, Penalty(pen.l1, pen.l2, v1, v2),
                            fit_intercept=problem.fit_intercept,
                            sample_weight=problem.sample_weight, positive=problem.positive,
                            loss=problem.loss, offset=problem.offset,
                            box=None if problem._box is None else problem._box[:, ws])


def _newton(problem, d, tol, max_iter, w, opts, verbose, gap0=None):
    """Proximal Newton steps on ``problem`` from ``w``; returns ``(w, beta, epochs, steps, status)``.

    ``gap0``: a gap the caller just certified at ``w`` (the full problem's,
    for a working set), which stands in for the first check.
    """
    X, loss, y, s, n = problem.X, d.loss, d.y, d.s, d.n
    p = X.shape[1]
    pen = problem.penalty
    # zc: the fixed part X_c w + offset (the convention of losses.certificate).
    zc = _cert.fixed_part(d, _linalg.centred_matvec(X, w, d.x_offset))
    beta = _intercept(d, zc)
    if not np.isfinite(beta) or not np.isfinite(_value(d, w, zc + beta)):
        w, beta = np.zeros(p), (d.b0 if d.fit_intercept else 0.0)
        zc = _cert.fixed_part(d, np.zeros(n))
    bound = loss.curvature_bound()
    epochs = steps = stall = last_epochs = 0
    best = decrease = np.inf
    status = "max_iter"
    tol_abs = tol * d.p0
    f = _value(d, w, zc + beta)
    while steps < _MAX_OUTER:
        z = zc + beta
        # Newton's decrease tracks the suboptimality: while it is far above
        # tol the certificate (a pass over X and a 1-D search) is skipped;
        # it alone ever declares convergence.
        if steps == 0 and gap0 is not None:
            estimate = gap0
        elif decrease <= _CHECK_BELOW * tol_abs or steps % _CHECK_EVERY == 0:
            gap = f - _cert.dual_value(d, w, zc, beta)
            if verbose:
                print(f"cd (prox-Newton): step {steps:3d}  epochs {epochs:6d}  "
                      f"nnz {np.count_nonzero(w):6d}  rel gap {gap / d.p0:.3e}")
            if gap <= tol_abs:
                status = "success"
                break
            if gap < 0.99 * best:
                best, stall = gap, 0
            else:
                stall += 1
                if stall >= _PATIENCE:
                    status = "stalled"
                    break
            estimate = gap
        else:
            estimate = decrease
        if epochs >= max_iter:
            break
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            g = loss.gradient(y, z)
            h = loss.model_curvature(y, z)
        top = bound if np.isfinite(bound) else float(np.max(h[s > 0]))
        if not (np.all(np.isfinite(g)) and np.isfinite(top) and top > 0):
            status = "error"
            break
        h = np.maximum(h, _CURVATURE_FLOOR * top)
        zw = z - g / h
        # The model fits X w + b to the working response less the offset.
        zw_fit = zw if d.offset is None else zw - d.offset
        omega = s * h
        kappa = float(np.mean(omega))
        inner = _model(problem, zw_fit, omega / kappa, Penalty(pen.l1 / kappa, pen.l2 / kappa,
                                                              pen.l1_weights, pen.l2_weights))
        p0_in = inner._design.p0
        tol_in = min(0.3, max(_INNER_SHARE * min(estimate, best) / (kappa * p0_in), _TOL_FLOOR)) \
            if p0_in > 0 else tol
        # Where coordinate descent needed many epochs on the last model (an
        # ill-conditioned one: correlated features, a weak penalty, nearly
        # separated classes), the model is first minimized on the support
        # with its signs fixed, one linear solve; kept when the signs hold
        # and no other feature violates the model's optimality conditions.
        start = _orthant_solve(X, d, w, zw_fit, omega) if last_epochs >= _SLOW_EPOCHS else None
        if start is not None:
            epochs += 1
        while True:
            if start is not None:
                w_new, start, last_epochs = start, None, 1
            else:
                raw = run_wls(inner, tol=tol_in, max_iter=max(max_iter - epochs, 1),
                              warm_start=w, **opts)
                epochs += int(raw.n_iter)
                last_epochs = int(raw.n_iter)
                w_new = np.asarray(raw.coef, dtype=np.float64)
            zc_new = _cert.fixed_part(d, _linalg.centred_matvec(X, w_new, d.x_offset))
            # The model's optimal intercept for w_new, in the centred coordinates.
            beta_new = float(np.dot(omega, zw - zc_new) / omega.sum()) if d.fit_intercept \
                else 0.0
            same = np.array_equal(w_new, w)  # the model had nothing to add
            moved = None if same else _line_search(d, w, zc, beta, f, g, w_new, zc_new,
                                                   beta_new)
            if moved is not None or tol_in <= _TOL_FLOOR or epochs >= max_iter:
                break
            # The model was already "solved" at w to its tolerance, though the
            # certificate is not met: the model's gap and the loss's differ
            # (their dual points do), so ask the model for more.
            tol_in = max(tol_in * 1e-2, _TOL_FLOOR)
        steps += 1
        if moved is None:
            # No descent even from a tightly solved model: P is at its
            # rounding level here; the certificate says whether that is enough.
            status = "stalled"
            break
        w, zc, beta, f_new = moved
        if d.fit_intercept:
            b = _intercept(d, zc)
            if np.isfinite(b) and b != beta:
                beta, f_new = b, _value(d, w, zc + b)
        decrease, f = f - f_new, f_new
    return w, beta, epochs, steps, status


def _orthant_solve(X, d, w, zw, omega):
    """The model's minimizer on the support of ``w`` with its signs, or None.

    On the orthant of ``w``'s signs the L1 term is linear, so the model
    restricted to the support is a ridge-like quadratic: one Cholesky-sized
    solve (with the intercept profiled out). The answer is the model's
    minimizer when its signs hold and every other feature satisfies the
    model's optimality condition (one pass over X); otherwise None.
    """
    supp = np.flatnonzero(w)
    n, m = X.shape[0], supp.size
    if m == 0 or m > _ORTHANT_MAX or m >= n:
        return None
    A = _linalg.columns(X, supp) - d.x_offset[supp]
    t = zw
    if d.fit_intercept:
        total = omega.sum()
        A = A - np.dot(omega, A) / total
        t = zw - float(np.dot(omega, zw)) / total
    sign = np.sign(w[supp])
    H = np.dot(A.T * omega, A) / n + np.diag(d.mu[supp])
    rhs = np.dot(A.T, omega * t) / n - d.lam[supp] * sign
    try:
        w_s = np.linalg.solve(H, rhs)
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(w_s)) or np.any(np.sign(w_s) != sign):
        return None
    if d.bounded and _box.outside(w_s, d.box[:, supp]):
        return None
    r = omega * (t - np.dot(A, w_s))
    u = _linalg.centred_rmatvec(X, r, d.x_offset) / n
    e = _box.box_score(u, d.box)
    out = np.ones(X.shape[1], dtype=bool)
    out[supp] = False
    if np.any(e[out] > d.lam[out] * (1 + 1e-9)):
        return None
    w_new = np.zeros(X.shape[1])
    w_new[supp] = w_s
    return w_new


def _model(problem, zw, omega, penalty):
    """The weighted least-squares model as a (trusted) least-squares Problem."""
    from ..problem import Problem

    zw = np.ascontiguousarray(zw)
    zw.flags.writeable = False
    omega.flags.writeable = False
    return Problem._trusted(problem.X, zw, penalty, fit_intercept=problem.fit_intercept,
                            sample_weight=omega, positive=problem.positive, box=problem._box)


def _intercept(d, zc):
    return d.loss.best_intercept(d.y, d.s, zc) if d.fit_intercept else 0.0


def _value(d, w, z):
    """``P(w, b)`` at predictions ``z`` (``inf`` on overflow)."""
    with np.errstate(over="ignore", invalid="ignore"):
        fit = weighted_mean(d.s, d.loss.value(d.y, z))
    return fit + Penalty.value(w, d.lam, d.mu)


def _line_search(d, w, zc, beta, f0, g, w_new, zc_new, beta_new):
    """Backtrack from the model's answer until Armijo's condition holds on P.

    ``f0`` is ``P`` at ``(w, beta)``. Returns the accepted ``(w, zc, beta,
    P)`` or None when no step decreases P.
    """
    dw, dzc, db = w_new - w, zc_new - zc, beta_new - beta
    pen0 = Penalty.value(w, d.lam, d.mu)
    slope = weighted_mean(d.s, g * (dzc + db)) + Penalty.value(w_new, d.lam, d.mu) - pen0
    # Near the optimum the predicted decrease is below the rounding of P
    # (and of the penalty difference in the slope): a step there is taken
    # if P does not rise beyond that rounding, and the certificate (not the
    # slope) says whether it helped.
    noise = 8 * np.finfo(float).eps * (abs(f0) + pen0)
    if not slope < noise:
        return None
    slope = min(slope, 0.0)
    t = 1.0
    for _ in range(_HALVINGS):
        wt = w + t * dw
        zt = zc + t * dzc
        bt = beta + t * db
        ft = _value(d, wt, zt + bt)
        # Armijo on the composite objective (the penalty is convex, so its
        # change along the segment is at most t times the full change).
        if ft <= f0 + _ARMIJO * t * slope + noise:
            return wt, zt, bt, ft
        t *= 0.5
    return None
