"""Objective, duality gap and ``alpha_max`` for every loss, by Fenchel duality.

With normalized sample weights ``s`` (``sum s = n``), the primal problem

    P(w, b) = 1/n sum_i s_i l(y_i, z_i) + g(w),    z = X w + b,

has, for every ``v`` in the loss's dual domain with ``sum_i s_i v_i = 0``
(the intercept's constraint), the lower bound

    P* >= D(v) = -1/n sum_i s_i l*(y_i, v_i) - g*(u),    u = -X^T (s v) / n,

(weak duality; ``v`` is ``-n theta / s`` for the usual dual variable
``theta``). At the optimum ``v = l'(y, z*)``, so the candidate is the
gradient at ``coef`` with the intercept optimal for it (a 1-D solve), which
makes ``sum s v = 0``. It is made feasible in three steps (derived in the
documentation's "The certificate" page, section "Every loss: Fenchel duality"):

1. features with no penalty at all are refitted with the intercept (a small
   Newton solve), and the constraints ``X_U^T s v = 0`` (``>= 0`` under
   ``positive``) are then enforced exactly by moving each ``v_i`` in
   proportion to its distance from the edge of the loss's dual domain, so
   that ``v`` stays inside it;
2. the loss's domain and the L1-only features (``c e_j <= lam_j``) bound the
   scale ``c`` of ``c v``;
3. ``c`` maximizes the concave ``D(c v)`` on ``[0, c_max]`` (safeguarded
   Newton steps on its derivative).

Any step that cannot be done falls back to ``D = 0``, always valid since
every loss and penalty is ``>= 0``.

References
----------
Ndiaye, Fercoq, Gramfort & Salmon (2017), "Gap safe screening rules for
sparsity enforcing penalties", JMLR. Massias, Gramfort & Salmon (2018),
"Celer: a fast solver for the Lasso with dual extrapolation", ICML.
"""

from __future__ import annotations

import numpy as np

from .. import _box, _linalg
from .._box import make_box
from .._data import free_features, kernel_box
from .._validation import check_sample_weight
from ..certificate import Certificate
from ..penalty import Penalty
from . import _dual, _newton, as_loss
from ._util import mean_two_pass, strengths, weighted_mean

#: Values below this multiple of ``eps mean(s |y|)`` are rounding (see :func:`prepare`).
_ROUNDING = 4 * np.finfo(float).eps

__all__ = ["LossDesign", "alpha_max", "certify", "dual_value", "prepare", "primal_value",
           "with_strengths"]


class LossDesign:
    """A problem's data prepared once for its certificates (see :func:`prepare`).

    Attributes
    ----------
    loss : Loss
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
        Coded, and centred by ``y_shift`` for a shift-invariant loss.
    s : ndarray of shape (n_samples,)
        Sample weights normalized to sum to ``n``.
    lam, mu : ndarray of shape (n_features,)
        L1 and L2 strengths.
    box : ndarray of shape (2, n_features)
        Lower and upper bounds of the coefficients (-inf/inf when
        unconstrained; :mod:`lassokit._box`).
    positive, bounded : bool
        The box is exactly ``(0, inf)``; the box constrains something.
    fit_intercept : bool
    x_offset : ndarray of shape (n_features,)
        Weighted column means (zeros without intercept): products use
        ``X - x_offset``, so columns with a mean of ``1e9`` keep their digits.
    y_shift : float
        The constant taken off ``y`` (0 unless the loss is shift-invariant).
    unpenalized : ndarray of int
        Features with ``lam = mu = 0`` and an infinite bound on an open side
        (their dual constraint is enforced by balancing).
    b0, p0 : float
        The optimal intercept at ``w = 0`` (in the shifted units) and
        ``P(0, b0)``, the scale of the relative gap (raised to the rounding
        level of the loss's values, ``4 eps mean(s |y|)``, when it is below it).
    offset : ndarray of shape (n_samples,) or None
        The fixed part of the linear predictor (None for none, and for a
        shift-invariant loss, whose ``y`` has it taken off). Every ``zc``
        of this module includes it: ``zc = X_c coef + offset``.
    rounding_fit : bool
        Whether ``P(0, b0)`` is at that rounding level: the intercept alone
        fits ``y``, and ``w = 0`` is optimal for every penalty.
    """

    __slots__ = (
        "X",
        "b0",
        "bounded",
        "box",
        "fit_intercept",
        "lam",
        "loss",
        "mu",
        "n",
        "offset",
        "p0",
        "positive",
        "rounding_fit",
        "s",
        "unpenalized",
        "x_offset",
        "y",
        "y_shift",
    )

    def __init__(self, **fields):
        for key, value in fields.items():
            setattr(self, key, value)


def prepare(loss, X, y, sample_weight=None, lam=None, mu=None, *, positive=False,
            fit_intercept=True, offset=None, box=None):
    """Validate and prepare a problem ``1/n sum s l(y, Xw + b + o) + g(w)`` for :func:`certify`.

    Parameters
    ----------
    loss : str or Loss
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        The target in any coding the loss accepts (``loss.check_y``).
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative, not all zero; normalized here to sum to ``n``
        (weights of ``1e300`` are fine).
    lam, mu : array-like of shape (n_features,), optional
        Per-feature L1 and L2 strengths, as ``Penalty.strengths`` returns
        them (default zeros).
    positive : bool, default=False
    fit_intercept : bool, default=True
    offset : array-like of shape (n_samples,), optional
        A fixed part ``o`` of the linear predictor (glmnet's offset). For a
        shift-invariant loss it is taken off ``y`` instead (``l(y, z + o) =
        l(y - o, z)``), which keeps the least-squares form.
    box : ndarray of shape (2, n_features), optional
        Bounds of the coefficients (:func:`lassokit._box.make_box`); by
        default that of ``positive``.

    Returns
    -------
    LossDesign
    """
    loss = as_loss(loss)
    n, p = X.shape
    y = loss.check_y(y)
    if y.shape[0] != n:
        raise ValueError(f"y has {y.shape[0]} samples but X has {n} rows.")
    if offset is not None:
        offset = np.asarray(offset, dtype=np.float64)
        if offset.shape != (n,) or not np.all(np.isfinite(offset)):
            raise ValueError(f"offset must be {n} finite numbers, one per sample.")
        if loss.shift_invariant:
            y, offset = y - offset, None
        elif not np.any(offset):
            offset = None
    sw = check_sample_weight(sample_weight, n)
    s = np.ones(n) if sw is None else np.asarray(sw)
    lam, mu = strengths(lam, p, "lam"), strengths(mu, p, "mu")
    fit_intercept = bool(fit_intercept)
    if box is None:
        box = make_box(None, bool(positive), p)
    box, positive, bounded = kernel_box(box, p)
    x_offset = _linalg.weighted_column_means(X, sw) if fit_intercept else np.zeros(p)
    y_shift = mean_two_pass(s, y) if fit_intercept and loss.shift_invariant else 0.0
    y = y - y_shift
    base = np.zeros(n) if offset is None else offset
    if not fit_intercept:
        b0 = 0.0
    else:
        b0 = loss.intercept_only(y, s) if offset is None else loss.best_intercept(y, s, offset)
    with np.errstate(over="ignore", invalid="ignore"):
        p0 = weighted_mean(s, loss.value(y, base + b0))
    # An intercept-only fit that is exact up to rounding (Poisson counts all
    # equal: b0 one ulp off log(c) leaves P(0, b0) ~ 1e-32): the relative gap
    # is then taken against the rounding level of the loss's values instead,
    # so that w = 0 is certified rather than a gap of 1e-32 "relative to 0".
    floor = _ROUNDING * weighted_mean(s, np.abs(y))
    rounding_fit = bool(0 <= p0 <= floor)
    if 0 < p0 < floor:
        p0 = floor
    return LossDesign(loss=loss, X=X, y=y, s=s, n=n, lam=lam, mu=mu, positive=positive,
                      box=box, bounded=bounded, fit_intercept=fit_intercept,
                      x_offset=np.asarray(x_offset, dtype=np.float64),
                      y_shift=float(y_shift), unpenalized=free_features(lam, mu, box),
                      b0=float(b0), p0=float(p0), rounding_fit=rounding_fit, offset=offset)


def with_strengths(design, lam, mu):
    """``design`` with other per-feature strengths: the data part is shared, not recomputed.

    A path changes only the penalty from one strength to the next; the
    column means, the coded target, the weights, ``b0`` and ``P(0, b0)``
    depend on the data alone.

    Parameters
    ----------
    design : LossDesign
    lam, mu : ndarray of shape (n_features,)

    Returns
    -------
    LossDesign
    """
    fields = {k: getattr(design, k) for k in LossDesign.__slots__}
    fields.update(lam=lam, mu=mu, unpenalized=free_features(lam, mu, design.box))
    return LossDesign(**fields)


def _intercepts(design, coef, intercept):
    """``(X_c coef + offset, beta_opt, beta)``: fixed predictions, optimal and used intercepts."""
    zc = fixed_part(design, _linalg.centred_matvec(design.X, coef, design.x_offset))
    if not design.fit_intercept:
        if intercept not in (None, 0, 0.0):
            raise ValueError("a non-zero intercept was given for a problem without intercept.")
        return zc, 0.0, 0.0
    beta_opt = design.loss.best_intercept(design.y, design.s, zc)
    if intercept is None:
        return zc, beta_opt, beta_opt
    return zc, beta_opt, float(intercept) - design.y_shift + float(design.x_offset @ coef)


def fixed_part(design, xc_coef):
    """``X_c coef`` plus the problem's offset: the ``zc`` every function here takes."""
    return xc_coef if design.offset is None else xc_coef + design.offset


def primal_value(design, coef, intercept=None):
    """``P(coef, intercept)``, with the optimal intercept when ``intercept`` is None.

    Parameters
    ----------
    design : LossDesign
    coef : array-like of shape (n_features,)
    intercept : float, optional

    Returns
    -------
    objective : float
        ``inf`` when positivity is broken or the loss overflows.
    intercept : float
        The intercept used, in the units of the original ``y``.
    """
    coef = np.asarray(coef, dtype=np.float64).ravel()
    zc, _, beta = _intercepts(design, coef, intercept)
    return _objective(design, coef, zc, beta), _reported(design, coef, beta, intercept)


def _reported(design, coef, beta, intercept):
    if intercept is not None:
        return float(intercept)
    if not design.fit_intercept:
        return 0.0
    return beta + design.y_shift - float(design.x_offset @ coef)


def _objective(design, coef, zc, beta):
    if design.bounded and _box.outside(coef, design.box):
        return np.inf
    with np.errstate(over="ignore", invalid="ignore"):
        fit = weighted_mean(design.s, design.loss.value(design.y, zc + beta))
    return fit + Penalty.value(coef, design.lam, design.mu)


def dual_value(design, coef, zc=None, beta=None, *, with_correlations=False):
    """A lower bound ``D <= P*`` from the gradient at ``coef``.

    Parameters
    ----------
    design : LossDesign
    coef : ndarray of shape (n_features,)
    zc : ndarray of shape (n_samples,), optional
        ``(X - x_offset) @ coef`` when the caller has it.
    beta : float, optional
        The optimal intercept for ``coef`` in the centred units, when known.

    with_correlations : bool, default=False
        Also return ``u = -X_c^T (s v) / n`` (None where no dual point was
        built): solvers rank features by it, without a second pass over X.

    Returns
    -------
    float
        ``max_c D(c v)`` over the feasible scales, or 0.0 (always valid).
    """
    coef = np.asarray(coef, dtype=np.float64).ravel()
    if zc is None or beta is None:
        zc, beta, _ = _intercepts(design, coef, None)
    if not np.isfinite(beta):
        return _out(0.0, None, with_correlations)  # the loss is 0 only at an infinite intercept
    loss, y, s = design.loss, design.y, design.s
    if design.unpenalized.size:
        A, z, at_bound = _dual.refit_unpenalized(design, coef, zc, beta)
    else:
        A = np.ones((design.n, 1), order="F") if design.fit_intercept else None
        z, at_bound = zc + beta, np.zeros(1, dtype=bool)
    with np.errstate(over="ignore", invalid="ignore"):
        v = np.where(s > 0, loss.gradient(y, z), 0.0)
    if not np.all(np.isfinite(v)):
        return _out(0.0, None, with_correlations)
    if A is not None:
        v = _dual.balance(design, v, A, at_bound)
        if v is None:
            return _out(0.0, None, with_correlations)
    with np.errstate(over="ignore", invalid="ignore"):
        u = -_linalg.centred_rmatvec(design.X, s * v, design.x_offset) / design.n
    if not np.all(np.isfinite(u)):
        return _out(0.0, None, with_correlations)
    return _out(_dual.best_scale(design, v, u), u, with_correlations)


def _out(value, u, with_correlations):
    return (value, u) if with_correlations else value


def certify(design, coef, intercept=None):
    """Objective, intercept and duality gap of ``coef``.

    Parameters
    ----------
    design : LossDesign
        From :func:`prepare`.
    coef : array-like of shape (n_features,)
    intercept : float, optional
        The intercept to score; by default the optimal one for ``coef``
        (a 1-D solve). The dual point always uses the optimal one, so the
        gap bounds ``P(coef, intercept) - P*`` either way.

    Returns
    -------
    Certificate
        ``objective``, ``intercept``, ``dual_gap`` (``>= P - P*``, 0 only at
        the optimum) and ``rel_gap = dual_gap / P(0, b0)``.
    """
    coef = np.asarray(coef, dtype=np.float64).ravel()
    if coef.shape != (design.lam.shape[0],):
        raise ValueError(f"coef must have shape ({design.lam.shape[0]},), got {coef.shape}.")
    zc, beta_opt, beta = _intercepts(design, coef, intercept)
    b = _reported(design, coef, beta, intercept)
    primal = _objective(design, coef, zc, beta)
    if not np.isfinite(primal):
        return Certificate(primal, b, np.inf, design.p0)
    dual = dual_value(design, coef, zc, beta_opt)
    return Certificate(primal, b, max(primal - dual, 0.0), design.p0)


def alpha_max(loss, X, y, sample_weight=None, l1_weights=None, *, fit_intercept=True,
              positive=False, l2=None, offset=None, box=None):
    """Smallest L1 strength ``a1`` at which ``w = 0`` is optimal (on the L1-weighted features).

    The intercept and the features of zero L1 weight (with their L2
    strength and bounds) are fitted first; then ``w = 0`` is optimal on
    the others iff ``e_j <= a1 v1_j`` with ``e = |X^T s l'(y, z)| / n`` on
    the box's open sides (``e = -X^T s l'(y, z) / n`` under ``positive``;
    a feature pinned at 0 does not count).

    Parameters
    ----------
    loss : str or Loss
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    sample_weight : array-like of shape (n_samples,), optional
    l1_weights : array-like of shape (n_features,), optional
        The L1 weights ``v1`` (default all ones).
    fit_intercept, positive : bool
    l2 : array-like of shape (n_features,), optional
        L2 strengths ``mu``; only those of the features of zero L1 weight
        matter (the L2 term has zero slope at 0).
    offset : array-like of shape (n_samples,), optional
        The fixed part of the linear predictor (see :func:`prepare`).
    box : ndarray of shape (2, n_features), optional
        Bounds of the coefficients (see :func:`prepare`).

    Returns
    -------
    float
        0.0 when the fitted part leaves no gradient (a perfect fit, or one
        class only for the logistic loss).
    """
    n, p = X.shape
    excluded = None
    if l1_weights is not None:
        raw = np.asarray(l1_weights, dtype=np.float64)
        if raw.shape == (p,):  # (other shapes: refused by strengths below)
            # An infinite weight excludes the feature: the box (0, 0), as in a Problem.
            excluded = np.isposinf(raw)
            l1_weights = np.where(excluded, 1.0, raw)
    if box is None and excluded is not None and excluded.any():
        box = make_box(None, positive, p, excluded)
    d = prepare(loss, X, y, sample_weight, None, l2, positive=positive,
                fit_intercept=fit_intercept, offset=offset, box=box)
    v1 = np.ones(p) if l1_weights is None else strengths(l1_weights, p, "l1_weights")
    if not np.isfinite(d.b0) or d.rounding_fit:
        return 0.0
    loss, s = d.loss, d.s
    z = fixed_part(d, np.full(n, d.b0))
    ref = np.where(s > 0, np.abs(loss.gradient(d.y, z)), 0.0)
    movable = (d.box[0] < 0) | (d.box[1] > 0)
    free = np.flatnonzero((v1 == 0) & movable)
    if free.size:
        A = _linalg.columns(X, free) - d.x_offset[free]
        lo, hi = d.box[0][free], d.box[1][free]
        ridge = d.mu[free]
        x0 = np.zeros(free.size)
        if d.fit_intercept:
            A = np.column_stack([np.ones(n), A])
            lo, hi = np.concatenate([[-np.inf], lo]), np.concatenate([[np.inf], hi])
            ridge = np.concatenate([[0.0], ridge])
            x0 = np.concatenate([[d.b0], x0])
        _, z = _newton.fit_free(loss, d.y, s, fixed_part(d, np.zeros(n)), A, ridge, (lo, hi),
                                x0)
    with np.errstate(over="ignore", invalid="ignore"):
        g = np.where(s > 0, loss.gradient(d.y, z), 0.0)
    # A fit as good as the rounding of the data: the house rule of the
    # least-squares alpha_max, a residual below 1e-13 of the target's.
    if weighted_mean(s, np.abs(g)) <= 1e-13 * weighted_mean(s, ref):
        return 0.0
    u = -_linalg.centred_rmatvec(X, s * g, d.x_offset) / n
    e = _box.box_score(u, d.box)
    pen = (v1 > 0) & (e > -np.inf)  # a pinned (excluded) feature has no open side
    if not np.any(pen):
        return 0.0
    return float(max(np.max(e[pen] / v1[pen]), 0.0))
