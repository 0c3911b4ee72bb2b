"""Making a gradient a feasible dual point, for :mod:`lassokit.losses.certificate`.

Three steps, each asking the loss only for its gradient, Hessian, conjugate
and dual domain: refit the unpenalized part (:func:`refit_unpenalized`),
enforce its constraints exactly inside the loss's domain (:func:`balance`),
and choose the best scale (:func:`best_scale`). The derivation is in the
documentation's "The certificate" page (section "Every loss: Fenchel duality").
"""

from __future__ import annotations

import numpy as np

from .. import _box, _linalg
from ..penalty import Penalty
from . import _newton

_EPS = np.finfo(float).eps
# A balanced dual point whose constraints X_U^T s v are above this share of
# sum |X_U| s |v| was not balanced (a singular, inconsistent system): it is
# not used. Below it the constraint is rounding (as the projection of the
# least-squares certificate, it holds exactly in exact arithmetic).
_BALANCE_TOL = 1e-10


def refit_unpenalized(design, coef, zc, beta):
    """Refit the intercept and the features without penalty, the rest of ``coef`` fixed.

    Returns the constraint columns ``A`` (centred), the new predictions and
    which columns only need ``A_j^T s v >= 0``. The dual needs ``u_j <= 0``
    (``A_j^T s v >= 0``) on a feature whose upper bound is infinite and
    ``u_j >= 0`` on one whose lower bound is: such a column, when its
    coefficient sits at its finite bound, holds with inequality (a column of
    the second kind enters with its sign flipped); otherwise with equality.
    """
    U = design.unpenalized
    XU = _linalg.columns(design.X, U) - design.x_offset[U]
    lo, hi = design.box[0][U], design.box[1][U]
    x0 = coef[U]
    z_base = zc - np.dot(XU, x0)
    if design.fit_intercept:
        XU = np.column_stack([np.ones(design.n), XU])
        lo, hi = np.concatenate([[-np.inf], lo]), np.concatenate([[np.inf], hi])
        x0 = np.concatenate([[beta], x0])
    x, z = _newton.fit_free(design.loss, design.y, design.s, z_base, XU, np.zeros(x0.size),
                            (lo, hi), x0)
    at_bound = (np.isfinite(lo) & (x <= lo)) | (np.isfinite(hi) & (x >= hi))
    flip = np.isfinite(hi) & ~np.isfinite(lo)
    XU = np.asfortranarray(np.where(flip, -XU, XU))  # column-major: A^T v as one BLAS call
    return XU, z, at_bound


def balance(design, v, A, at_bound):
    """``v`` moved so that ``A^T s v = 0`` (``>= 0`` on ``at_bound``), or None.

    Each ``v_i`` moves by ``omega_i (A delta)_i`` with ``omega_i`` its
    distance to the edge of the loss's dual domain: a point on the edge
    (a saturated logistic sample) stays put, and one inside stays inside
    while ``|A delta|`` is below 1 (it is at rounding level near a fitted
    intercept). ``delta`` solves the weighted normal equations exactly.
    A point that would still cross an edge (``delta`` large along a
    direction only nearly saturated points feel, as when an unpenalized
    feature separates the classes) is put on that edge and held there,
    and the others are balanced again.
    """
    lo, hi = design.loss.dual_domain(design.y)
    with np.errstate(invalid="ignore"):
        omega = np.maximum(np.minimum(v - lo, hi - v), 0.0)
    finite = np.isfinite(omega)
    if not finite.all():  # an unbounded domain (squared): a uniform weight there
        fill = omega[finite].max() if finite.any() else 1.0
        omega = np.where(finite, omega, fill if fill > 0 else 1.0)
    omega = np.where(design.s > 0, omega, 0.0)
    scale = np.dot(np.abs(A).T, np.abs(design.s * v)) + np.finfo(float).tiny
    free = ~at_bound
    for _ in range(A.shape[1] + 4):
        Af = A[:, free]
        M = np.dot((Af * (design.s * omega)[:, None]).T, Af)
        delta = np.linalg.lstsq(M, np.dot(Af.T, design.s * v), rcond=None)[0]
        out = v - omega * np.dot(Af, delta)
        crossed = (out < lo) | (out > hi)
        if crossed.any():
            v = np.where(crossed, np.clip(out, lo, hi), v)
            omega = np.where(crossed, 0.0, omega)
            continue
        sums = np.dot(A.T, design.s * out)
        if np.any(np.abs(sums[free]) > _BALANCE_TOL * scale[free]):
            return None
        wrong = ~free & (sums < -_BALANCE_TOL * scale)
        if not wrong.any():
            return out
        free |= wrong  # held at 0 instead: ">= 0" holds with equality
    return None


def best_scale(design, v, u):
    """``max D(c v)`` over ``0 <= c <= c_max``: the loss's domain and the L1 terms bound ``c``.

    The penalty's conjugate is that of :mod:`lassokit._box` (bounds of the
    coefficients included).
    """
    loss, lam, mu = design.loss, design.lam, design.mu
    box = design.box if design.bounded else None
    keep = design.s > 0
    yk, vk, sk = design.y[keep], v[keep], design.s[keep] / design.n
    # With an offset o the loss of sample i is l(y_i, z + o_i), whose conjugate
    # is l*(y_i, v) - v o_i: D gains the term linear in the scale c, c * sum s v o / n.
    shift = 0.0 if design.offset is None else float(np.dot(sk, vk * design.offset[keep]))
    lo, hi = loss.dual_domain(yk)
    with np.errstate(divide="ignore", invalid="ignore"):
        c_dom = np.min(np.where(vk > 0, hi / vk, np.where(vk < 0, lo / vk, np.inf)), initial=np.inf)
    e, bnd = _box.sides(u, box)
    limit = (mu == 0) & (lam > 0) & (e > 0) & np.isinf(bnd)
    c_pen = np.min(lam[limit] / e[limit], initial=np.inf)
    # A hair inside: c * e_j may round one ulp above lam_j (and c * v_i
    # off the domain's edge) at c = c_max itself.
    c_max = min(c_dom, c_pen) * (1.0 - 4 * _EPS)

    def value(c):
        with np.errstate(over="ignore", invalid="ignore"):
            d = c * shift - float(np.dot(sk, loss.conjugate(yk, c * vk)))
            d -= Penalty.conjugate(c * u, lam, mu, box)
        return d if np.isfinite(d) else -np.inf

    def slope(c):
        # D'(c) and D''(c): the loss part through l*'(v) = z with l'(z) = v,
        # and l*''(v) = 1 / l''(z) there.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            zk = loss.conjugate_derivative(yk, c * vk)
            moving = vk != 0
            fit = float(np.dot(sk, np.where(moving, vk * zk, 0.0)))
            curv = float(np.dot(sk, np.where(moving, vk * vk / loss.hessian(yk, zk), 0.0)))
        first, second = _box.conjugate_slope(c, e, bnd, lam, mu)
        return shift - fit - first, -curv - second

    c = min(_newton.concave_argmax(slope, c_max), c_max)
    unit = min(1.0, c_max)
    # The unscaled point is the fallback when the search ends off target;
    # it is evaluated once when the search ended there anyway.
    return max(value(c), value(unit) if unit != c else -np.inf, 0.0)
