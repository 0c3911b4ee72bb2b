"""The ``"cvxpy"`` backend's statement of a problem whose loss is not least squares.

The loss writes its own CVXPY expression (:meth:`lassokit.losses.Loss.cvxpy_sum`),
so nothing here depends on which loss it is. What this module adds is the
conditioning the solvers need, since their stopping rules are partly
absolute (Clarabel's ``tol_feas``, ``tol_gap_abs``):

* each column of X is brought to unit weighted RMS by a power of two
  (``w = w' / cx``, exact in floating point), so that features in other
  units do not leave the interior-point method short of small gaps;
* dense X with an intercept is centred (a float64 copy), so that columns
  with a large mean and a small spread keep their digits; sparse X is never
  densified: it enters as ``X w - x_offset^T w``, an affine expression;
* the objective is divided by the power of two nearest to ``P(0, b0)``, the
  scale of lassokit's relative gap, so that the solver's gap is relative to
  the quantity lassokit certifies;
* samples of zero weight are left out (they contribute nothing, and each
  would cost the solver a cone).

The target is the design's (``LossDesign.y``): for a shift-invariant loss
with an intercept it is centred by ``y_shift``, which the intercept gets
back at the end.

An interior point stops at a relative accuracy near 1e-9 on these cones
(exponential ones for logistic and Poisson), and its zeros are ~1e-10
rather than 0. Under an L1 term lassokit's certificate is linear in that
error (the dual point is scaled down until ``|X^T v| / n <= lam``), so raw
answers certified only to relative gaps between 1e-9 and 1e-5. :func:`polish`
therefore takes the solver's support and signs and finishes with Newton
steps on the smooth problem they define; the backend keeps whichever of the
two answers lassokit's own certificate rates better, so polishing can never
make an answer worse.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .. import _linalg
from .._box import is_positive_box
from ..losses import Loss
from ..losses import certificate as _cert
from ..losses._newton import newton_step
from ._scaling import _pow2

__all__ = ["has_cvxpy_form", "loss_program", "polish", "refined", "zero_is_optimal"]

#: Scaled coefficients below this share of the largest are taken as the
#: solver's zeros (interior points leave ~1e-10 where the optimum has 0).
_ZERO_SHARE = 1e-7
#: Polishing forms the support's columns densely (64 MiB at most) and solves
#: Newton systems of the support's size: beyond either bound it is skipped
#: and the solver's answer is returned as it is.
_MAX_DENSE = 2**23
_MAX_SUPPORT = 1000



def has_cvxpy_form(loss):
    """Whether ``loss`` can be stated in CVXPY: its class implements ``cvxpy_sum``.

    Parameters
    ----------
    loss : Loss

    Returns
    -------
    bool
    """
    return getattr(type(loss), "cvxpy_sum", Loss.cvxpy_sum) is not Loss.cvxpy_sum


def zero_is_optimal(design, tol):
    """Whether ``coef = 0`` is already certified at ``tol`` (e.g. ``a1 >= alpha_max``).

    An interior point returns ~1e-12 instead of exact zeros; one certificate
    settles the case exactly. With ``P(0, b0) = 0`` (one class only, say)
    it always holds.

    Parameters
    ----------
    design : LossDesign
    tol : float

    Returns
    -------
    bool
    """
    cert = _cert.certify(design, np.zeros(design.lam.shape[0]))
    return bool(cert.dual_gap <= tol * design.p0)


def box_variable(cp, p, box, unit):
    """The coefficient variable (in units where ``coef = w * unit``) and its box constraints.

    ``positive=True`` alone is the variable's ``nonneg`` attribute; other
    boxes are explicit constraints on the finite bounds.
    """
    if box is None or is_positive_box(box):
        return cp.Variable(p, nonneg=box is not None), []
    w = cp.Variable(p)
    cons = []
    for row, above in ((0, True), (1, False)):
        idx = np.flatnonzero(np.isfinite(box[row]))
        if idx.size:
            limit = box[row][idx] / unit[idx]
            cons.append(w[idx] >= limit if above else w[idx] <= limit)
    return w, cons


def _column_scales(X, design):
    """Per-column powers of two near the weighted RMS of the centred columns."""
    sq = _linalg.column_sq_norms(X, design.s, design.x_offset if design.fit_intercept else None)
    rms = np.sqrt(sq / design.n)
    return np.array([_pow2(v, 0) for v in rms])


def loss_program(cp, problem, warm_start=None):
    """The CVXPY problem of ``problem`` in well-conditioned units.

    Parameters
    ----------
    cp : module
        ``cvxpy``.
    problem : Problem
        Its loss must have a CVXPY form (:func:`has_cvxpy_form`).
    warm_start : ndarray of shape (n_features,), optional
        Starting coefficients (handed to solvers that use one).

    Returns
    -------
    program : cvxpy.Problem
    w : cvxpy.Variable
        The scaled coefficients ``w' = w * cx``.
    unscale : callable
        ``unscale() -> (coef, intercept)``: the solver's answer in the
        problem's units (float64 coefficients, intercept for the original
        target).
    """
    d = problem._design
    X = problem.X
    n, p = X.shape
    cx = _column_scales(X, d)
    keep = d.s > 0
    rows = None if np.all(keep) else np.flatnonzero(keep)
    s, y = d.s[keep], d.y[keep]
    offset = d.x_offset / cx if d.fit_intercept else None
    if sp.issparse(X):
        # Never densified: the centring stays in the affine expression below.
        Xs = sp.csc_matrix(X if rows is None else sp.csr_matrix(X)[rows], dtype=np.float64)
        Xs = Xs @ sp.diags(1.0 / cx)
    else:
        Xs = np.asarray(X if rows is None else X[rows], dtype=np.float64)
        if d.fit_intercept:
            # Entry by entry: x_ij - m_j is exact when they are close (Sterbenz).
            Xs = Xs - d.x_offset
            offset = None
        Xs = Xs / cx
    w, box = box_variable(cp, p, problem._box, 1.0 / cx)
    if warm_start is not None:
        w.value = np.asarray(warm_start, dtype=np.float64) * cx
    z = Xs @ w
    if offset is not None and np.any(offset):
        z = z - offset @ w
    b = None
    if d.fit_intercept:
        b = cp.Variable()
        if np.isfinite(d.b0):
            b.value = d.b0
        z = z + b
    # P(0, b0) > 0 here (else w = 0 was returned before): the objective in
    # units of it, by a power of two.
    c0 = _pow2(d.p0, 0)
    if d.offset is not None:
        z = z + d.offset[keep]  # the fixed part of the linear predictor
    terms = [d.loss.cvxpy_sum(cp, y, z, s) / (n * c0)]
    lam = d.lam / cx / c0
    mu = d.mu / cx / cx / c0
    if np.any(lam > 0):
        terms.append(lam @ cp.abs(w))
    if np.any(mu > 0):
        terms.append(0.5 * (mu @ cp.square(w)))
    program = cp.Problem(cp.Minimize(cp.sum(terms) if len(terms) > 1 else terms[0]), box)

    def unscale():
        coef = np.asarray(w.value, dtype=np.float64).ravel() / cx
        if b is None:
            return coef, 0.0
        intercept = float(b.value) + d.y_shift - float(d.x_offset @ coef)
        return coef, intercept

    return program, w, unscale


def polish(problem, coef, intercept, max_rounds=8, max_iter=30):
    """An active-set Newton method started at the solver's support and signs.

    With the signs ``sgn`` of the coefficients in a support ``S`` held
    fixed, ``|w_j| = sgn_j w_j`` and the objective restricted to ``S`` (and
    ``b``),

        F = 1/n sum_i s_i l(y_i, X_S w_S + b) + sum_S lam_j sgn_j w_j + mu_j w_j**2 / 2,

    is smooth; its minimizer is the optimum whenever ``S`` and ``sgn`` are
    the optimum's. Each round runs Newton's method on ``F`` with an Armijo
    search (which keeps Poisson's ``exp`` from running away); a coefficient
    that a full step would take through 0 is set to 0 and leaves ``S`` (the
    solver's tiny non-zeros are mostly the optimum's zeros). The round ends
    with the optimality conditions of the features outside ``S``: those
    that violate them (``|X_j^T s l'| / n > lam_j``) join ``S`` with the
    sign they ask for, and another round runs. Only the loss's ``value``,
    ``gradient`` and ``hessian`` are used.

    Parameters
    ----------
    problem : Problem
    coef : ndarray of shape (n_features,)
        The solver's coefficients (float64, the problem's units).
    intercept : float
        The solver's intercept (ignored without one).
    max_rounds : int, default=8
        Rounds of Newton steps followed by the optimality check.
    max_iter : int, default=30
        Newton steps per round.

    Returns
    -------
    (coef, intercept) or None
        The polished point, exactly 0 off its support; None when there is
        nothing to polish, it would not fit in memory, or the loss
        overflows on the way.
    """
    d = problem._design
    X = problem.X
    n, p = X.shape
    cx = _column_scales(X, d)
    # Everything below is in the solver's units: unit-RMS centred columns.
    x = np.asarray(coef, dtype=np.float64) * cx
    lam, ridge = d.lam / cx, d.mu / cx / cx
    top = float(np.max(np.abs(x))) if p else 0.0
    # Features without a kink at 0 (no L1 term, no sign constraint) are
    # always in the smooth problem, and free in sign.
    free = (d.lam == 0) & (not d.positive)
    support = (np.abs(x) > _ZERO_SHARE * top) | free
    x = np.where(support, x, 0.0)
    sgn = np.where(free, 0.0, np.sign(x))
    b = 0.0
    if d.fit_intercept:
        b = float(intercept) - d.y_shift + float(d.x_offset @ coef)
        b = b if np.isfinite(b) else d.b0
    keep = d.s > 0
    loss, y = d.loss, d.y[keep]
    # F as a weighted mean plus the penalty over the kept weights' share.
    q = d.s[keep] / d.s[keep].sum()
    frac = d.s[keep].sum() / n
    offset = d.x_offset if d.fit_intercept else np.zeros(p)
    for _ in range(max_rounds):
        S = np.flatnonzero(support)
        if (n * (S.size + 1) > _MAX_DENSE or S.size > _MAX_SUPPORT
                or (S.size == 0 and not d.fit_intercept)):
            return None
        A = (_linalg.columns(X, S)[keep] - offset[S]) / cx[S]
        if d.fit_intercept:
            A = np.column_stack([A, np.ones(A.shape[0])])
        extra = int(d.fit_intercept)
        pad = np.zeros(extra)
        point = np.concatenate([x[S], [b] * extra])
        signs = np.concatenate([sgn[S], pad])
        point, z = _newton(loss, y, q, A, point, signs,
                           np.concatenate([lam[S] * sgn[S], pad]) / frac,
                           np.concatenate([ridge[S], pad]) / frac, max_iter,
                           base=0.0 if d.offset is None else d.offset[keep])
        if point is None:
            return None
        x[S] = point[:S.size]
        if d.fit_intercept:
            b = float(point[-1])
        support = (x != 0) | free
        sgn = np.where(free, 0.0, np.sign(x))
        # The optimality conditions of the features at 0, in the same units.
        with np.errstate(over="ignore", invalid="ignore"):
            g = np.zeros(n)
            g[keep] = d.s[keep] * loss.gradient(y, z)
        u = -_linalg.centred_rmatvec(X, g, offset) / n / cx
        push = u if d.positive else np.abs(u)
        join = ~support & np.isfinite(push) & (push > lam * (1.0 + 1e-9))
        if not np.any(join):
            break
        support |= join
        sgn = np.where(join, 1.0 if d.positive else np.sign(u), sgn)
    out = x / cx
    if not d.fit_intercept:
        return out, 0.0
    return out, b + d.y_shift - float(d.x_offset @ out)


def _newton(loss, y, q, A, x, sgn, lin, ridge, max_iter, base=0.0):
    """Minimize ``q . l(y, A x) + lin . x + ridge . x**2 / 2`` keeping ``sgn_k x_k > 0``.

    Coordinates with ``sgn_k = 0`` are unconstrained. A coordinate that a
    full Newton step would take through 0 is set to 0 and leaves the
    problem. Returns ``(x, A x)``, or ``(None, None)`` when ``F`` is not
    finite at the start.
    """
    active = np.ones(x.shape[0], dtype=bool)
    signed = sgn != 0

    def objective(point):
        with np.errstate(over="ignore", invalid="ignore"):
            z = A @ point + base  # base: the offset, a fixed part of z
            return float(q @ loss.value(y, z) + lin @ point + 0.5 * (ridge @ (point * point))), z

    f, z = objective(x)
    if not np.isfinite(f):
        return None, None
    for _ in range(max_iter + x.shape[0]):
        with np.errstate(over="ignore", invalid="ignore"):
            g, h = loss.gradient(y, z), loss.hessian(y, z)
        Aa = A[:, active]
        grad = Aa.T @ (q * g) + lin[active] + ridge[active] * x[active]
        H = (Aa * (q * h)[:, None]).T @ Aa + np.diag(ridge[active])
        # A relative ridge keeps the system solvable where the curvature
        # vanishes (Huber residuals beyond delta, a saturated logistic).
        H += np.eye(H.shape[0]) * (1e-12 * max(np.trace(H) / max(H.shape[0], 1), 1e-300))
        step = np.zeros_like(x)
        step[active] = np.linalg.lstsq(H, -grad, rcond=None)[0]
        flips = signed & active & (sgn * (x + step) <= 0)
        if np.any(flips):
            # Through 0: these leave the support (an active-set step).
            active &= ~flips
            x = np.where(active, x, 0.0)
            f, z = objective(x)
            continue
        decrement = -float(grad @ step[active])
        if not decrement > 0:
            break
        full = np.zeros_like(x)
        full[active] = grad
        accepted = newton_step(objective, x, f, step, full, halvings=50)
        if accepted is None:
            break
        x, f, z = accepted
        if decrement <= 1e-16 * max(abs(f), 1e-300):
            break
    return x, z


def refined(problem, coef, intercept):
    """The better of the solver's answer and its :func:`polish`, by lassokit's certificate.

    Parameters
    ----------
    problem : Problem
    coef : ndarray of shape (n_features,)
    intercept : float

    Returns
    -------
    coef : ndarray of shape (n_features,)
    intercept : float
    polished : bool
        Whether the polished point was kept.
    """
    d = problem._design
    if d.bounded:
        # What the problem layer would certify anyway (an interior point may
        # sit at -1e-12 on a bound): compared on equal terms.
        coef = np.clip(coef, d.box[0], d.box[1])
    if d.bounded and not d.positive:
        return coef, intercept, False  # the sign-fixed polish knows no other box
    candidate = polish(problem, coef, intercept)
    if candidate is None:
        return coef, intercept, False
    gap_raw = _cert.certify(d, coef).dual_gap
    gap_new = _cert.certify(d, candidate[0]).dual_gap
    if gap_new <= gap_raw:
        return candidate[0], candidate[1], True
    return coef, intercept, False
