"""The objective, its duality gap and ``alpha_max``: defined once, used everywhere.

Every backend, test and benchmark judges a solution with the functions of
this module. The derivation is in the documentation's "The certificate" page; in short, with
the intercept eliminated (weighted centring of X and y), normalized sample
weights ``s`` and ``S = diag(s)``,

    P(w) = 1/(2n) ||S^(1/2) (yc - Xc w)||^2 + g(w)
    D(q) = <s q, yc>/n - ||S^(1/2) q||^2 / (2n) - g*(Xc^T S q / n)

for any ``q`` in residual space (the dual variable is ``theta = S^(1/2) q/n``).
``D(q) <= P*`` whenever ``g*`` is finite at ``Xc^T S q / n``. A dual candidate
(the residual, or an extrapolated point handed over by a backend) is made
feasible in three steps:

1. project onto ``{u_j = 0}`` (``u_j <= 0`` under ``w_j >= 0``, and so on
   for the box's infinite sides) for the features with neither an L1 nor an
   L2 term -- a (bounded) least-squares projection in the ``s``-weighted
   inner product; rescaling alone cannot enforce these constraints;
2. the L1-only features without a finite bound bound the scale:
   ``c |u_j| <= lam_j`` (on the box's open sides, :mod:`lassokit._box`);
3. the scale ``c`` in ``[0, c_max]`` is chosen to maximize the concave
   one-dimensional ``D(c q)`` exactly (it is piecewise quadratic).

References
----------
Fercoq, Gramfort & Salmon (2015), "Mind the duality gap: safer rules for the
Lasso", ICML. Massias, Gramfort & Salmon (2018), "Celer: a fast solver for the
Lasso with dual extrapolation", ICML.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from . import _box, _linalg
from .penalty import Penalty

__all__ = ["Certificate", "DualSums", "primal_value", "dual_value", "certify", "compute_alpha_max",
           "weak_features"]


class Certificate:
    """The value of a primal point and the best duality gap found for it.

    Attributes
    ----------
    objective : float
        ``P(coef, intercept)`` with the intercept optimal for ``coef``.
    intercept : float
        That optimal intercept (0.0 without intercept).
    dual_gap : float
        ``P - D >= 0`` for the best feasible dual point tried.
    rel_gap : float
        ``dual_gap / P(0, b0)`` (0 when both are 0).
    """

    __slots__ = ("objective", "intercept", "dual_gap", "rel_gap")

    def __init__(self, objective, intercept, dual_gap, scale):
        self.objective = objective
        self.intercept = intercept
        self.dual_gap = dual_gap
        if scale > 0:
            self.rel_gap = dual_gap / scale
        else:
            self.rel_gap = 0.0 if dual_gap == 0 else np.inf

    @classmethod
    def rescaled(cls, inner, c):
        """The certificate of a problem whose target is ``c`` times ``inner``'s.

        ``objective`` and ``dual_gap`` scale with ``c**2`` (and may under- or
        overflow doing so), the intercept with ``c``; ``rel_gap`` is scale-free
        and is kept as computed in the rescaled units.
        """
        out = cls(inner.objective * c * c, inner.intercept * c, inner.dual_gap * c * c, 1.0)
        out.rel_gap = inner.rel_gap
        return out


def residual(design, X, coef):
    """Centred residual ``yc - Xc @ coef`` in float64."""
    coef = np.asarray(coef, dtype=np.float64)
    return design.yc - _linalg.centred_matvec(X, coef, design.x_offset)


def primal_value(design, X, coef, r=None):
    """``P(coef)`` with the optimal intercept; ``inf`` outside the box."""
    coef = np.asarray(coef, dtype=np.float64)
    if design.bounded and _box.outside(coef, design.box):
        return np.inf
    if r is None:
        r = residual(design, X, coef)
    return _datafit(design, r) + Penalty.value(coef, design.lam, design.mu)


def _datafit(design, r):
    sr = r if design.sw is None else design.sw * r
    return 0.5 * float(sr @ r) / design.n


def _gradient(design, X, q):
    """``Xc^T S q / n`` in float64, with the implicit centring of X."""
    sq = q if design.sw is None else design.sw * q
    # Entries near the float maximum overflow here; an infinite u is no
    # valid dual point and scaled_dual then falls back to 0 (always valid).
    with np.errstate(over="ignore", invalid="ignore"):
        return _linalg.centred_rmatvec(X, sq, design.x_offset) / design.n


def _center(design, q):
    if not design.fit_intercept:
        return q
    sq = q if design.sw is None else design.sw * q
    return q - sq.sum() / design.n


def _project_unpenalized(design, X, q):
    """Enforce ``u_j = 0`` (one-sided on a bounded side) on fully unpenalized features.

    Returns None when the projection leaves only rounding noise (``q`` lies
    in the span of those columns): the best scale ``c`` of such a remainder is
    ~ 1/|remainder|, which magnifies its rounding-level ``u_j`` into a large
    violation of ``u_j = 0`` -- a dual value that can exceed ``P*`` (seen with
    OLS, n = p: gap 0 at a point 0.45 above ``P* = 0``). A backward-stable
    least-squares remainder carries relative error ~ eps * cond(A); below
    1e4 times that it is treated as zero (dual value 0, always valid).
    """
    free = design.unpenalized
    if free.size == 0:
        return q
    Xu = _linalg.columns(X, free) - design.x_offset[free]
    sqrt_s = np.ones(design.n) if design.sw is None else np.sqrt(design.sw)
    A = Xu * sqrt_s[:, None]
    b = q * sqrt_s
    x, cond = _least_squares(A, b, _box.projection_bounds(design.box, free), with_cond=True)
    out = q - Xu @ x
    if np.linalg.norm(out * sqrt_s) <= 1e4 * np.finfo(float).eps * cond * np.linalg.norm(b):
        return None
    return out


def _effective_cond(s, shape):
    """Condition number over the singular values above the rank cutoff."""
    if s.size == 0 or not s[0] > 0:
        return 1.0
    kept = s[s > s[0] * _rank_cutoff(shape)]
    return float(s[0] / kept[-1])


def _least_squares(A, b, bounds, with_cond=False):
    """``argmin ||A x - b||`` (over ``lb <= x <= ub`` when ``bounds = (lb, ub)``).

    scipy.optimize is imported here: it is slow to import and only needed
    when some feature is unpenalized. With ``with_cond`` the effective
    condition number of ``A`` is returned too.
    """
    if not with_cond:
        return _least_squares_only(A, b, bounds)
    if bounds is not None:
        s = np.linalg.svd(A, compute_uv=False)
        return _least_squares_only(A, b, bounds), _effective_cond(s, A.shape)
    from scipy.linalg import lstsq

    x, _, _, s = lstsq(A, b, cond=_rank_cutoff(A.shape))
    return x, _effective_cond(s, A.shape)


def _least_squares_only(A, b, bounds):
    if bounds is not None:
        from scipy.optimize import lsq_linear, nnls

        lb, ub = bounds
        if np.all(lb == 0.0) and np.all(ub == np.inf):
            x = nnls(A, b, maxiter=50 * max(A.shape[1], 10))[0]
            # scipy's nnls can stop at a non-optimal point (scipy issues 21140,
            # 25389); check its KKT conditions and fall back to bounded-variable
            # least squares, an exact active-set method, when they fail.
            grad = A.T @ (b - A @ x)
            slack = 1e-10 * (np.linalg.norm(A) * np.linalg.norm(b) + 1e-300)
            if not (np.any(grad > slack) or np.any(np.abs(grad[x > 0]) > slack)):
                return x
        return lsq_linear(A, b, bounds=(lb, ub), method="bvls", tol=1e-14).x
    from scipy.linalg import lstsq

    return lstsq(A, b, cond=_rank_cutoff(A.shape))[0]


def _rank_cutoff(shape):
    """Relative singular-value cutoff of the least-squares solves (numpy's matrix_rank rule).

    LAPACK's default (``eps``) keeps the rounding-level singular value of an
    exactly duplicated unpenalized column (2e-15 of the largest, seen): the
    solve then moves ~1e15 along the null direction and the projected dual
    point is garbage (a 4.6% gap at the optimum). The same cutoff defines
    the effective condition number (:func:`_effective_cond`).
    """
    return max(shape) * np.finfo(float).eps


def dual_value(design, X, q, *, u=None):
    """Best dual objective ``D(c * proj(q))`` over feasible scalings ``c >= 0``.

    Parameters
    ----------
    design : _Design
        The problem's prepared data (``Problem._design``).
    X : array or sparse matrix
        The problem's design matrix.
    q : ndarray of shape (n_samples,)
        A dual candidate in residual space (e.g. the residual itself).
    u : ndarray of shape (n_features,), optional
        ``Xc^T S q / n`` if the caller has it already (a pass over X saved);
        ignored when unpenalized features force a projection of ``q``.

    Returns
    -------
    float
        A lower bound on the optimal objective ``P*``.
    """
    q = _center(design, np.asarray(q, dtype=np.float64))
    if design.unpenalized.size or u is None:
        q = _project_unpenalized(design, X, q)
        if q is None:
            return 0.0
        u = _gradient(design, X, q)
    sq = q if design.sw is None else design.sw * q
    n = design.n
    return scaled_dual(design, float(sq @ design.yc) / n, float(sq @ q) / n, u)


def scaled_dual(design, a, nb, u):
    """``max_c D(c q)`` from the sums of a centred, projected candidate ``q``.

    The dual objective depends on ``q`` only through ``a = <s q, yc>/n``,
    ``nb = <s q, q>/n`` and ``u = Xc^T S q / n``; backends and the distributed
    tier that hold these sums (but not ``q``) evaluate the same bound here.

    Parameters
    ----------
    design : _Design
        Needs ``lam``, ``mu`` and ``box``.
    a, nb : float
    u : ndarray of shape (n_features,)

    Returns
    -------
    float
        A lower bound on ``P*`` (0.0 when no positive scale helps).
    """
    # The compiled kernel is the one implementation (the solvers stop on it
    # too); it loads on the first certificate, never at import of lassokit.
    from .kernels._common import dual_objective

    if not (np.isfinite(a) and np.isfinite(nb)):
        return 0.0
    # Fully unpenalized features were projected (their residual |u_j| is
    # rounding noise): with neither term they are ignored by the kernel.
    value, _ = dual_objective(float(a), float(nb), np.ascontiguousarray(u, dtype=np.float64),
                              design.lam, design.mu, design.box)
    # A non-finite u (overflow) gives no valid dual point: 0 is always valid.
    return float(value) if np.isfinite(value) else 0.0


class DualSums:
    """What a solver already holds at its last iterate, enough to certify it.

    For ``coef`` with centred residual ``r = yc - Xc coef``:

    Attributes
    ----------
    fit : float
        ``||r||_S^2 / (2n)``, the data-fit term of ``P``.
    a : float
        ``<s r, yc> / n``.
    u : ndarray of shape (n_features,)
        ``Xc^T S r / n``, or where only a bound ``e_j`` of a feature's score
        is known, the stand-in :func:`lassokit._box.as_correlation`; see
        :func:`certify`.
    r : ndarray of shape (n_samples,) or None
        The residual itself, needed only when some feature is fully
        unpenalized (the dual candidate must then be projected).
    alt : tuple of DualSums
        Sums of other dual candidates (e.g. the residual of the unrounded
        coefficients when float32 ones are certified): only their dual value
        is used.

    The dual objective of the rescaled residual depends on ``r`` only
    through ``a``, ``2 fit`` and ``u`` (:func:`scaled_dual`), so a solver
    working in feature space (a Gram matrix) certifies without any pass over
    X, and one working on the residual hands over what it computed anyway.
    Only lassokit's own solvers hand these over: a user backend's answer is
    always certified from X.
    """

    __slots__ = ("fit", "a", "u", "r", "alt")

    def __init__(self, fit, a, u, r=None, alt=()):
        self.fit = float(fit)
        self.a = float(a)
        self.u = u
        self.r = r
        self.alt = tuple(alt)

    @classmethod
    def from_residual(cls, design, r, u):
        """The sums of a residual ``r`` with its correlations ``u`` (O(n))."""
        sr = r if design.sw is None else design.sw * r
        n = design.n
        return cls(0.5 * float(sr @ r) / n, float(sr @ design.yc) / n, u, r)


def certify(design, X, coef, dual_points=(), *, r=None, u=None, sums=None):
    """Objective, optimal intercept and duality gap of ``coef``.

    Parameters
    ----------
    design : _Design
    X : array or sparse matrix
    coef : ndarray of shape (n_features,)
    dual_points : iterable of ndarray, optional
        Extra dual candidates in residual space (e.g. from dual
        extrapolation); the residual itself is always tried.
    r, u : ndarray, optional
        The residual ``yc - Xc coef`` and ``Xc^T S r / n``, when the caller
        (e.g. a path's KKT check) has computed them already. Where only a
        bound ``e_j >= |u_j|`` of a feature's score is known, ``u_j`` may be
        its stand-in :func:`lassokit._box.as_correlation` (``e_j`` itself
        without a box): the scaled dual point stays feasible and the dual
        value can only decrease (``c_max`` shrinks, ``g*`` grows), so the
        gap stays a valid bound.

    sums : DualSums, optional
        The solver's sums at ``coef`` (lassokit's own solvers only): with no
        fully unpenalized feature the certificate then needs no pass over X.

    Returns
    -------
    Certificate
    """
    coef = np.asarray(coef, dtype=np.float64)
    intercept = design.y_offset - float(design.x_offset @ coef) if design.fit_intercept else 0.0
    if sums is not None and (design.unpenalized.size == 0 or sums.r is not None):
        if design.bounded and _box.outside(coef, design.box):
            return Certificate(np.inf, intercept, np.inf, design.p0)
        primal = sums.fit + Penalty.value(coef, design.lam, design.mu)
        if design.unpenalized.size == 0:
            best = scaled_dual(design, sums.a, 2.0 * sums.fit, sums.u)
            for other in sums.alt:
                best = max(best, scaled_dual(design, other.a, 2.0 * other.fit, other.u))
        else:
            best = dual_value(design, X, sums.r)
        for q in dual_points:
            if q is not None:
                best = max(best, dual_value(design, X, q))
        if primal - best > 0.0 and X is not None:
            best = _with_relaxed(design, X, coef, sums.r, best)
        return Certificate(primal, intercept, max(primal - best, 0.0), design.p0)
    if r is None:
        r, u = residual(design, X, coef), None
    primal = primal_value(design, X, coef, r)
    if not np.isfinite(primal):
        return Certificate(primal, intercept, np.inf, design.p0)
    best = dual_value(design, X, r, u=u)
    for q in dual_points:
        if q is not None:
            best = max(best, dual_value(design, X, q))
    if primal - best > 0.0:
        best = _with_relaxed(design, X, coef, r, best)
    gap = max(primal - best, 0.0)
    return Certificate(primal, intercept, gap, design.p0)


#: A penalized feature whose strengths are at most this share of the largest
#: ones is "nearly free" (see :func:`_relaxed_dual`).
_WEAK_SHARE = 1e-6
#: ... and so is every feature when every strength is below this share of
#: the target's RMS (a penalty of 1e-300 on data of scale 1).
_NEGLIGIBLE = 1e-100
#: The relaxed dual's projection is a least-squares solve on the nearly
#: free columns: tried only while it stays this small (``n k^2`` flops).
_RELAX_FLOPS = 1e8


def weak_features(lam, mu, p0, uniform=False):
    """Penalized features whose penalty is zero to within rounding, or an empty array.

    Parameters
    ----------
    lam, mu : ndarray of shape (n_features,)
        The L1 and L2 strengths.
    p0 : float
        ``P(0, b0)``, the scale of the target.
    uniform : bool, default=False
        Every feature has the same strengths (no per-feature weights): only
        the "negligible everywhere" case can apply, decided from one entry.

    Returns
    -------
    ndarray of int
        The features :func:`certify` also treats as free in a second dual
        bound (see the documentation's "Nearly free features").
    """
    negligible = _NEGLIGIBLE * np.sqrt(2.0 * p0)
    if uniform and lam.size:
        # One penalty for all: no feature is weak next to another.
        if max(float(lam[0]), float(mu[0])) > negligible or not (lam[0] > 0 or mu[0] > 0):
            return np.empty(0, dtype=np.intp)
        return np.arange(lam.size)
    top_l, top_m = float(np.max(lam, initial=0.0)), float(np.max(mu, initial=0.0))
    if np.min(lam, initial=top_l) > _WEAK_SHARE * top_l and \
            np.min(mu, initial=top_m) > _WEAK_SHARE * top_m and max(top_l, top_m) > negligible:
        return np.empty(0, dtype=np.intp)  # the usual case: no weak strength at all
    pen = (lam > 0) | (mu > 0)
    if max(top_l, top_m) <= negligible:
        weak = pen
    else:
        weak = pen & (lam <= _WEAK_SHARE * top_l) & (mu <= _WEAK_SHARE * top_m)
    return np.flatnonzero(weak)


def _relaxed_dual(design, X, r, weak):
    """A second lower bound on ``P*``: the dual of the problem without the
    penalty terms of the features ``weak``.

    Dropping a non-negative term lowers the optimum, so a lower bound on the
    relaxed problem's optimum is one on ``P*`` too: the bound is valid for
    any choice of ``weak``. It matters for penalty weights that are zero to
    within rounding (1e-12 on one feature, or 1e-300 on all): the usual dual
    point must be shrunk until ``|u_j| <= lam_j``, which a correlation at
    rounding level (or at the solver's tolerance) violates by orders of
    magnitude, so correct answers were flagged unconverged on every backend.
    Treated as unpenalized, those features are projected out of the dual
    point instead, and the gap is the true one up to ``sum lam_j |w_j|``.
    """
    lam, mu = design.lam.copy(), design.mu.copy()
    lam[weak], mu[weak] = 0.0, 0.0
    free = np.union1d(design.unpenalized, weak)
    if design.n * free.size ** 2 > _RELAX_FLOPS:
        return -np.inf
    relaxed = dataclasses.replace(design, lam=lam, mu=mu, unpenalized=free)
    return dual_value(relaxed, X, r)


def _with_relaxed(design, X, coef, r, best):
    """``best`` or the relaxed dual bound, whichever is larger (nearly free features only)."""
    weak = design.weak
    if weak is None:
        weak = weak_features(design.lam, design.mu, design.p0)
    if weak.size == 0:
        return best
    if r is None:
        r = residual(design, X, coef)
    return max(best, _relaxed_dual(design, X, r, weak))


def compute_alpha_max(design, X, l1_weights):
    """Smallest ``a1`` at which all L1-penalized coefficients are zero at optimum.

    Features whose L1 weight is zero are fitted (with their L2 term and
    their bounds) before the scores of the others are computed; 0 is
    returned when that fit leaves no residual. Only the open sides of the
    box count (``u_j`` alone under ``w_j >= 0``); a pinned feature none.
    """
    n = design.n
    v1 = np.ones(design.p) if l1_weights is None else np.asarray(l1_weights, dtype=np.float64)
    box = design.box if design.bounded else None
    free = np.flatnonzero((v1 == 0) & ((box[0] < 0) | (box[1] > 0)) if box is not None
                          else v1 == 0)
    r = design.yc
    if free.size:
        Xu = _linalg.columns(X, free) - design.x_offset[free]
        sqrt_s = np.ones(n) if design.sw is None else np.sqrt(design.sw)
        ridge = np.sqrt(n * design.mu[free])
        A = np.vstack([Xu * sqrt_s[:, None], np.diag(ridge)])
        b = np.concatenate([r * sqrt_s, np.zeros(free.size)])
        bounds = None if box is None else (box[0][free], box[1][free])
        r = r - Xu @ _least_squares(A, b, bounds)
    sr = r if design.sw is None else design.sw * r
    syc = design.yc if design.sw is None else design.sw * design.yc
    if float(sr @ r) <= 1e-26 * max(float(syc @ design.yc), np.finfo(float).tiny):
        return 0.0
    u = _gradient(design, X, r)
    eff = _box.box_score(u, box)
    pen = (v1 > 0) & np.isfinite(v1) & (eff > -np.inf)
    if not np.any(pen):
        return 0.0
    return float(max(np.max(eff[pen] / v1[pen]), 0.0))
