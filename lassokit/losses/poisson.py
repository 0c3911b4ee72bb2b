"""The Poisson loss ``l(y, z) = exp(z) - y z - (y - y log y)``: half the unit deviance, log link."""

from __future__ import annotations

import numpy as np

from ._util import as_float_vector, sample_weights, xlogy
from .base import Loss

__all__ = ["Poisson"]

# Below this |t|, expm1(t) - t is summed as a series: the difference of two
# nearly equal numbers would keep only ~eps/|t| of relative accuracy.
_SERIES = 1e-3


def _expm1_minus_t(t):
    """``exp(t) - 1 - t`` with full relative accuracy (``inf`` on overflow)."""
    small = np.abs(t) < _SERIES
    ts = np.where(small, t, 0.0)
    series = ts * ts * (0.5 + ts * (1 / 6 + ts * (1 / 24 + ts * (1 / 120 + ts / 720))))
    with np.errstate(over="ignore"):
        return np.where(small, series, np.expm1(np.where(small, 0.0, t)) - t)


def _by_count(y, x):
    """``y`` and ``x`` (float64) broadcast together, the mask ``y > 0``, and ``y``
    with its zeros replaced by 1 (safe to take the log of or divide by)."""
    x = np.asarray(x, dtype=np.float64)
    y, x = np.broadcast_arrays(y, x)
    pos = y > 0
    return y, x, pos, np.where(pos, y, 1.0)


class Poisson(Loss):
    """The Poisson loss ``l(y, z) = exp(z) - y z - (y - y log y)`` (log link, ``0 log 0 = 0``).

    It is half the Poisson unit deviance at mean ``exp(z)``, so ``l >= 0``
    with equality at ``z = log y``. It is evaluated as
    ``y (exp(t) - 1 - t)`` with ``t = z - log y`` (``exp(z)`` for
    ``y = 0``), which keeps its digits for counts of ``1e9`` where the
    three terms of the definition cancel. ``exp(z)`` overflows to ``inf``
    (no warning) beyond ``z ~ 709``.

    With ``m = y + v``, the conjugate is

        l*(y, v) = m log m - y log y - v   for m >= 0,

    ``+inf`` otherwise: the dual domain is ``[-y, inf)``. There is no
    global curvature bound (``l'' = exp(z)``).

    Examples
    --------
    >>> import numpy as np
    >>> from lassokit.losses import Poisson
    >>> float(Poisson().value(np.array([2.0]), np.log(np.array([2.0])))[0])
    0.0
    """

    __slots__ = ()

    name = "poisson"

    def check_y(self, y):
        """Validate counts: finite, ``>= 0``, not all 0 (returned as float64).

        See :meth:`Loss.check_y`.
        """
        out = as_float_vector(y, "the Poisson loss")
        if np.any(out < 0):
            i = int(np.argmax(out < 0))
            raise ValueError(f"y must be non-negative counts for the Poisson loss, but y[{i}] = "
                             f"{out[i]:g}.")
        if not np.any(out > 0):
            raise ValueError("y is all zero: the Poisson loss needs some positive count (the "
                             "best fit would be a mean of 0, an intercept of -inf).")
        return out

    def value(self, y, z):
        """Per-sample ``exp(z) - y z - (y - y log y)``, ``inf`` where ``exp(z)`` overflows."""
        y, z, pos, ys = _by_count(y, z)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            t = z - np.log(ys)
            return np.where(pos, y * _expm1_minus_t(np.where(pos, t, 0.0)), np.exp(z))

    def gradient(self, y, z):
        """Per-sample ``exp(z) - y``, as ``y expm1(z - log y)`` for ``y > 0``."""
        y, z, pos, ys = _by_count(y, z)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return np.where(pos, y * np.expm1(z - np.log(ys)), np.exp(z))

    def hessian(self, y, z):
        """Per-sample ``exp(z)``."""
        with np.errstate(over="ignore"):
            return np.exp(np.asarray(z, dtype=np.float64)) + np.zeros(np.shape(y))

    def curvature_bound(self):
        """``inf``: ``exp`` has no global Lipschitz constant."""
        return np.inf

    def conjugate(self, y, v):
        """Per-sample ``m log m - y log y - v``, ``m = y + v >= 0``; ``+inf`` for ``m < 0``.

        For ``y > 0`` it is evaluated as ``y ((1 + r) log1p(r) - r) + v log y``,
        ``r = v / y``, whose first term keeps its digits near the optimum
        (``r`` small).
        """
        y, v, pos, ys = _by_count(y, v)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            r = np.maximum(v / ys, -1.0)
            inner = np.where(r == -1.0, 1.0, (1.0 + r) * np.log1p(r) - r)
            at_pos = ys * inner + v * np.log(ys)
            at_zero = xlogy(np.maximum(v, 0.0), np.maximum(v, 0.0)) - v
            out = np.where(pos, at_pos, at_zero)
        return np.where(v < -y, np.inf, out)

    def conjugate_derivative(self, y, v):
        """Per-sample ``log(y + v)`` (``-inf`` at ``v = -y``)."""
        y, v, pos, ys = _by_count(y, v)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(pos, np.log(ys) + np.log1p(np.maximum(v / ys, -1.0)),
                            np.log(np.maximum(v, 0.0)))

    def dual_domain(self, y):
        """``[-y, inf)`` per sample."""
        y = np.asarray(y, dtype=np.float64)
        return -y, np.full(y.shape, np.inf)

    def intercept_only(self, y, s=None):
        """``log`` of the weighted mean of ``y``.

        See :meth:`Loss.intercept_only`.
        """
        return self.best_intercept(y, s)

    def best_intercept(self, y, s=None, z=None):
        """``log(sum s y) - log(sum s exp(z))``, in closed form.

        Both sums are taken relative to their largest term, so that neither
        counts of ``1e300`` nor predictions of ``z = 800`` overflow.

        See :meth:`Loss.best_intercept` and :meth:`Loss.intercept_only`.
        """
        s = sample_weights(s, y.shape[0])
        keep = s > 0
        sk, yk = s[keep] / s.max(), y[keep]
        top = yk.max()
        if not top > 0:
            return -np.inf
        log_sy = np.log(top) + np.log(np.dot(sk, yk / top))
        if z is None:
            log_sez = np.log(sk.sum())
        else:
            zk = np.asarray(z, dtype=np.float64)[keep]
            zmax = zk.max()
            log_sez = zmax + np.log(np.dot(sk, np.exp(zk - zmax)))
        return float(log_sy - log_sez)

    def inverse_link(self, z):
        """The mean ``exp(z)`` (``inf`` where it overflows)."""
        with np.errstate(over="ignore"):
            return np.exp(np.asarray(z, dtype=np.float64))

    def link(self, mu):
        """The log of the mean."""
        with np.errstate(divide="ignore"):
            return np.log(np.asarray(mu, dtype=np.float64))

    def cvxpy_sum(self, cp, y, z, s=None):
        """``sum_i s_i (exp(z_i) - y_i z_i - (y_i - y_i log y_i))`` with CVXPY's ``exp`` atom.

        The variable part ``exp(z) - y z`` goes to the solver (exponential
        cones, written as ``m exp(z - log m)`` with ``m`` a power of two
        near the weighted mean count, so that the cones stay of order 1);
        the constant ``y - y log y`` (``0 log 0 = 0``) is included as a
        number, so the expression's value is the loss itself (a solver
        never sees a constant: it does not change the minimizer).
        See :meth:`Loss.cvxpy_sum`.
        """
        s = sample_weights(s, y.shape[0])
        constant = float(np.dot(s, y - xlogy(y, y)))
        # exp(z) = m exp(z - log m), m a power of two near the weighted mean
        # count: the exponential cones then hold values of order 1, not of
        # the counts (counts of 1e6 left Clarabel's answer off by 5% of P).
        mean = float(np.dot(s, y)) / max(float(s.sum()), np.finfo(float).tiny)
        m = float(np.ldexp(1.0, int(np.round(np.log2(mean))))) if mean > 0 else 1.0
        return s @ (m * cp.exp(z - np.log(m)) - cp.multiply(y, z)) - constant
