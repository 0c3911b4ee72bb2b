"""Targets at the edges of the float range: solve in units where ``max|yc| ~ 1``.

The objective is homogeneous in the target: with ``y = c y'`` and
``w = c w'``,

    P(w; y, a1, a2) = c^2 P(w'; y', a1 / c, a2),

so the problem stated in any units has the same solution up to the factor
``c``, the same relative duality gap and the same verdict. In floating
point that stops being true once the squares leave the float range: at
``max|y| = 1e-170`` every ``r_i^2`` underflows, ``P(0)`` is 0 and any
point, zeros included, has a "gap" of 0; at ``1e160`` the squares overflow
and the gap is ``inf``. :class:`~lassokit.Problem` therefore solves and
certifies a target whose scale is off by more than ``2**_MIN_EXPONENT`` in
units where ``max|yc|`` is about 1, and maps the answer back:

* ``c`` is a power of two, so ``y / c``, ``a1 / c`` and ``w' * c`` are
  exact (no rounding is added, only removed);
* the relative gap and ``converged`` are the rescaled problem's, which are
  the problem's own (both are scale-free);
* ``objective`` and ``dual_gap`` are reported in the caller's units,
  ``c^2`` times the rescaled ones: below ``1e-308`` they underflow towards 0
  (the relative gap still says how good the answer is).

A target so large that ``P(0)`` itself overflows (``max|yc|`` near
``1e154``) has no representable objective, gap or tolerance: it is refused
with a sentence, since the caller can divide y and alpha by a constant and
get the same coefficients divided by it.
"""

from __future__ import annotations

import numpy as np

__all__ = ["restated", "target_scale"]

#: Targets whose ``max|yc|`` lies within ``2**+-_MIN_EXPONENT`` (about 1e-60 to
#: 1e60) are solved as given: their squares and the products of the gap stay
#: far inside the float range, and every number lassokit reports is the same
#: bit for bit as before this module existed.
_MIN_EXPONENT = 200


def target_scale(yc, sw, n):
    """The power of two ``c`` to divide the target by, or 1.0.

    Parameters
    ----------
    yc : ndarray of shape (n_samples,)
        The (weighted-centred) target in float64.
    sw : ndarray of shape (n_samples,) or None
        Normalized sample weights.
    n : int
        Number of samples.

    Returns
    -------
    float
        1.0 when the target's scale is within ``2**+-200``; otherwise the
        power of two nearest to ``max|yc|``.

    Raises
    ------
    ValueError
        When ``P(0) = ||yc||_S^2 / (2n)`` overflows float64.
    """
    if yc.size == 0:
        return 1.0
    top = float(np.max(np.abs(yc)))
    if not (np.isfinite(top) and top > 0.0):
        return 1.0
    k = int(np.round(np.log2(top)))
    if abs(k) <= _MIN_EXPONENT:
        return 1.0
    # 2**1024 is not a float; max|yc| <= 1.8e308 < 2**1024 needs at most 2**1023.
    c = float(np.ldexp(1.0, min(k, 1023)))
    scaled = yc / c
    s_scaled = scaled if sw is None else sw * scaled
    p0_scaled = 0.5 * float(s_scaled @ scaled) / n
    if k > 0 and not np.isfinite(p0_scaled * c * c):  # left to right: no c * c
        raise ValueError(
            f"y is too large for float64: its centred values reach {top:.3g}, so the "
            f"objective P(0) = sum(y_c**2) / (2n) overflows (it is ~{p0_scaled:.3g} * "
            f"2**{2 * k}) and no objective, duality gap or tolerance can be represented. "
            "The problem is scale-equivariant: divide y and alpha by a constant (e.g. "
            f"{10.0 ** np.floor(np.log10(top)):.0e}) and multiply the coefficients and "
            "intercept by it."
        )
    return c


def restated(l1_ratio, c):
    """Overall strengths' factor and L1 share that state ``(alpha, l1_ratio)`` for ``y / c``.

    At ``(alpha, r)`` the L1 strength ``alpha r`` becomes ``alpha r / c`` in
    units of ``c`` and the L2 strength ``alpha (1 - r)`` stays: the same
    penalties as overall strengths ``alpha * factor`` at the L1 share
    ``(r / c) / factor``, with ``factor = r / c + 1 - r``.

    Parameters
    ----------
    l1_ratio : float or ndarray
    c : float
        The target's scale (a power of two).

    Returns
    -------
    factor, l1_ratio_scaled : float or ndarray
    """
    r = np.asarray(l1_ratio, dtype=np.float64)
    factor = r / c + (1.0 - r)
    return factor, np.where(factor > 0, (r / c) / np.where(factor > 0, factor, 1.0), r)



def _frozen(a):
    a.flags.writeable = False
    return a


def rescaled_problem(problem):
    """``problem`` with ``y / c`` and ``a1 / c`` (``c = problem._target_scale``): solution / c.

    Parameters
    ----------
    problem : Problem
        A least-squares problem.

    Returns
    -------
    Problem
        Trusted (validated data), with the rescaled data statistics.
    """
    from ._data import null_objective
    from .penalty import Penalty

    c = problem._target_scale
    x_offset, y_offset, yc, _ = problem._stats
    yc_s = yc / c
    pen = problem.penalty
    y_s = problem.y / c
    y_s.flags.writeable = False
    # type(problem): the Problem class, without importing the module that imports this one.
    new = type(problem)._trusted(problem.X, y_s, Penalty(pen.l1 / c, pen.l2, pen.l1_weights,
                                                   pen.l2_weights),
                           fit_intercept=problem.fit_intercept,
                           sample_weight=problem.sample_weight, positive=problem.positive,
                           stats=(x_offset, y_offset / c, yc_s,
                                  null_objective(yc_s, problem.sample_weight)),
                           # The solution scales by 1 / c, so do its bounds (0 and inf stay).
                           box=None if problem._box is None else _frozen(problem._box / c))
    b = problem.__dict__.get("_bounds")
    new._bounds = None if b is None else (b[0] / c, b[1] / c)
    new._scale_cache = 1.0
    return new
