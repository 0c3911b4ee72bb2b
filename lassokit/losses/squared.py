"""The squared loss ``l(y, z) = (y - z)**2 / 2``: least squares, lassokit's first loss."""

from __future__ import annotations

import numpy as np

from ._util import as_float_vector, sample_weights, weighted_mean
from .base import _ResidualLoss

__all__ = ["Squared"]


class Squared(_ResidualLoss):
    """The squared loss ``l(y, z) = (y - z)**2 / 2`` (identity link).

    With it the objective is the least-squares one of lassokit's other
    problems: ``P = 1/(2n) sum_i s_i (y_i - z_i)**2 + g(w)``.

    Its conjugate is ``l*(y, v) = v y + v**2 / 2``, finite everywhere, and
    ``dl/dz = z - y`` is the negative residual: the dual point built from
    the gradient is the (rescaled) residual of the least-squares
    certificate.

    Examples
    --------
    >>> import numpy as np
    >>> from lassokit.losses import Squared
    >>> Squared().value(np.array([1.0]), np.array([3.0]))
    array([2.])
    """

    __slots__ = ()

    name = "squared"
    least_squares = True

    def check_y(self, y):
        """Validate ``y``: finite real numbers (returned as a float64 copy).

        See :meth:`Loss.check_y`.
        """
        return as_float_vector(y, "the squared loss")

    def value(self, y, z):
        """Per-sample ``(y - z)**2 / 2`` (``inf`` where the square overflows)."""
        with np.errstate(over="ignore"):
            r = np.asarray(z, dtype=np.float64) - y
            return 0.5 * (r * r)

    def gradient(self, y, z):
        """Per-sample ``z - y``."""
        with np.errstate(over="ignore", invalid="ignore"):
            return np.asarray(z, dtype=np.float64) - y

    def hessian(self, y, z):
        """Per-sample ``1``."""
        return np.ones(np.broadcast(y, z).shape)

    def curvature_bound(self):
        """``1.0``: the gradient ``z - y`` is 1-Lipschitz."""
        return 1.0

    def conjugate(self, y, v):
        """Per-sample ``v y + v**2 / 2`` (finite everywhere)."""
        v = np.asarray(v, dtype=np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            return v * y + 0.5 * (v * v)

    def dual_domain(self, y):
        """``(-inf, inf)`` for every sample: the conjugate is finite everywhere."""
        shape = np.shape(y)
        return np.full(shape, -np.inf), np.full(shape, np.inf)

    def intercept_only(self, y, s=None):
        """The weighted mean of ``y``.

        See :meth:`Loss.intercept_only`.
        """
        return self.best_intercept(y, s)

    def best_intercept(self, y, s=None, z=None):
        """The weighted mean of ``y - z``, in closed form.

        A second, corrective pass over ``y - z - mean`` recovers the digits
        the first sum loses when the mean is large next to the spread (a
        target of ``1e9 + noise``).

        See :meth:`Loss.best_intercept` and :meth:`Loss.intercept_only`.
        """
        s = sample_weights(s, y.shape[0])
        r = y if z is None else y - np.asarray(z, dtype=np.float64)
        m = weighted_mean(s, r)
        with np.errstate(over="ignore", invalid="ignore"):
            correction = weighted_mean(s, r - m)
        return m + correction if np.isfinite(correction) else m

    def cvxpy_sum(self, cp, y, z, s=None):
        """``sum_i s_i (y_i - z_i)**2 / 2`` as ``cp.sum_squares(sqrt(s) (y - z)) / 2``.

        The ``"cvxpy"`` backend states least squares with its own unit
        scaling and centring instead; this form serves any other caller.
        See :meth:`Loss.cvxpy_sum`.
        """
        s = sample_weights(s, y.shape[0])
        return cp.sum_squares(cp.multiply(np.sqrt(s), y - z)) / 2.0
