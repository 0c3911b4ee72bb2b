"""The problem layer's math for losses other than least squares.

A :class:`~lassokit.Problem` whose loss is not the squared one keeps its
data exactly as a least-squares problem does (views of the caller's arrays,
nothing derived kept between calls); what it derives per call is the
:class:`~lassokit.losses.certificate.LossDesign` of
:func:`lassokit.losses.certificate.prepare`, and its objective, certificate
and ``alpha_max`` are those of :mod:`lassokit.losses.certificate`, which
only ask the loss object for its math (Fenchel duality with its conjugate).
The squared loss keeps the dedicated least-squares certificate of
:mod:`lassokit.certificate` (see ``Loss.least_squares``).
"""

from __future__ import annotations

import numpy as np

from . import _box
from .backends.result import as_result, real_coef
from .certificate import Certificate
from .losses import certificate as _cert

__all__ = ["alpha_max", "certify", "design", "objective", "settle"]

#: Entries below this share of the largest |coef| are tried at exactly 0
#: (interior-point answers sit at 1e-12 where the optimum has 0).
_TINY = 1e-7


def design(problem):
    """The problem's data prepared for its certificate (computed per call).

    Parameters
    ----------
    problem : Problem

    Returns
    -------
    LossDesign
    """
    lam, mu = problem.penalty.strengths(problem.n_features)
    base = problem.__dict__.get("_loss_base")  # the same data, another strength
    if base is not None:
        return _cert.with_strengths(base, lam, mu)
    return _cert.prepare(problem.loss, problem.X, problem.y, problem.sample_weight, lam, mu,
                         positive=problem.positive, fit_intercept=problem.fit_intercept,
                         offset=problem.offset, box=problem._box)


def objective(problem, coef, intercept):
    """``P(coef, intercept)`` (``inf`` outside the box or when the loss overflows)."""
    d = problem._design
    return _cert.primal_value(d, coef, intercept if problem.fit_intercept else None)[0]


def certify(problem, coef):
    """The :class:`~lassokit.Certificate` of ``coef`` with its optimal intercept."""
    return _cert.certify(problem._design, np.asarray(coef, dtype=np.float64))


def alpha_max(problem):
    """Smallest L1 strength at which ``coef = 0`` is optimal (the rest held fixed)."""
    _, mu = problem.penalty.strengths(problem.n_features)
    return _cert.alpha_max(problem.loss, problem.X, problem.y, problem.sample_weight,
                           problem.penalty.l1_weights, fit_intercept=problem.fit_intercept,
                           positive=problem.positive, l2=mu, offset=problem.offset,
                           box=problem._box)


def settle(problem, raw, tol, name):
    """Coefficients in the problem's dtype, their certificate and the final status.

    The counterpart of :func:`lassokit._finish.settle` for these losses: a
    wrong-shaped, non-finite or complex answer becomes zeros with status
    ``"error"``; with a box the answer is clipped into it; entries
    tiny next to the largest are tried at exactly 0 and kept there when
    the certificate of that point is no worse (or meets ``tol``). The
    certificate always comes from X, never from a solver's sums.

    Returns
    -------
    (ndarray, Certificate, str)
    """
    raw = as_result(raw, name)
    d = problem._design
    p, dtype = problem.n_features, problem.dtype
    coef64 = real_coef(raw.coef, p)
    if coef64 is None:
        status, coef64 = "error", np.zeros(p)
    else:
        status = raw.status
    if d.bounded and _box.outside(coef64, d.box):
        coef64 = _box.clip(coef64, d.box)
    coef = _box.round_into(coef64, dtype, d.box if d.bounded else None)
    cert = _certify(d, coef, coef64)
    big = float(np.max(np.abs(coef64))) if p else 0.0
    tiny = (coef64 != 0) & (np.abs(coef64) <= _TINY * big)
    if status != "error" and np.any(tiny):
        coefz = np.where(tiny, 0.0, coef64).astype(dtype)
        certz = _certify(d, coefz, None)
        if certz.dual_gap <= max(cert.dual_gap, tol * d.p0):
            coef, cert = coefz, certz
    if status != "error" and np.isfinite(cert.dual_gap) and cert.dual_gap <= tol * d.p0:
        return coef, cert, "optimal"
    return coef, cert, status if status in ("max_iter", "error") else "inaccurate"


def _certify(d, coef, unrounded):
    """The certificate of ``coef``; with float32 rounding, the unrounded point's dual too.

    Every dual point bounds ``P*`` from below, so the dual built at the
    unrounded float64 answer is as valid for the rounded coefficients as
    their own: the better of the two keeps the gap at the (second-order)
    cost of rounding instead of a first-order one.
    """
    cert = _cert.certify(d, coef.astype(np.float64))
    if unrounded is None or coef.dtype == np.float64 or np.array_equal(coef, unrounded):
        return cert
    other = _cert.dual_value(d, unrounded)
    gap = min(cert.dual_gap, max(cert.objective - other, 0.0))
    return Certificate(cert.objective, cert.intercept, gap, d.p0)
