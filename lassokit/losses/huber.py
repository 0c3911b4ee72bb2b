"""The Huber loss: quadratic for residuals up to ``delta``, linear beyond."""

from __future__ import annotations

import numbers

import numpy as np

from . import _newton
from ._util import as_float_vector, sample_weights, weighted_median
from .base import _ResidualLoss

__all__ = ["Huber"]


class Huber(_ResidualLoss):
    """The Huber loss with threshold ``delta`` (identity link).

    With ``r = y - z``::

        l(y, z) = r**2 / 2                    if |r| <= delta,
                  delta |r| - delta**2 / 2     otherwise,

    the squared loss near the fit and an absolute loss for outliers (half
    CVXPY's ``huber(r, delta)``). Its conjugate is
    ``l*(y, v) = v y + v**2 / 2`` on ``|v| <= delta``, ``+inf`` beyond; the
    gradient ``clip(z - y, -delta, delta)`` always lies in that domain.

    Parameters
    ----------
    delta : float, default=1.35
        The threshold, a finite number > 0 (1.35 is scikit-learn's
        ``HuberRegressor`` default: 95% efficiency on Gaussian noise).

    Raises
    ------
    TypeError
        When ``delta`` is not a real number.
    ValueError
        When ``delta`` is not finite or not > 0.

    Examples
    --------
    >>> import numpy as np
    >>> from lassokit.losses import Huber
    >>> Huber(delta=1.0).value(np.zeros(2), np.array([0.5, 3.0]))
    array([0.125, 2.5  ])
    """

    __slots__ = ("_delta",)

    name = "huber"

    def __init__(self, delta=1.35):
        if isinstance(delta, (bool, np.bool_)) or not isinstance(delta, numbers.Real):
            raise TypeError(f"delta must be a real number, got {type(delta).__name__}.")
        delta = float(delta)
        if not (np.isfinite(delta) and delta > 0):
            raise ValueError(f"delta must be a finite number > 0 (the residual where the Huber "
                             f"loss turns from quadratic to linear), got {delta!r}.")
        self._delta = delta

    @property
    def delta(self):
        """float: the threshold between the quadratic and the linear part."""
        return self._delta

    def _params(self):
        return (self._delta,)

    def __repr__(self):
        return f"Huber(delta={self._delta!r})"

    def __reduce__(self):
        return (Huber, (self._delta,))

    def check_y(self, y):
        """Validate ``y``: finite real numbers (returned as a float64 copy).

        See :meth:`Loss.check_y`.
        """
        return as_float_vector(y, "the Huber loss")

    def value(self, y, z):
        """Per-sample Huber loss of the residual ``z - y``."""
        d = self._delta
        with np.errstate(over="ignore", invalid="ignore"):
            a = np.abs(np.asarray(z, dtype=np.float64) - y)
            # d (a - d/2) rather than d a - d^2/2: no overflow of d a first.
            return np.where(a <= d, 0.5 * a * a, d * (a - 0.5 * d))

    def gradient(self, y, z):
        """Per-sample ``clip(z - y, -delta, delta)``."""
        with np.errstate(over="ignore", invalid="ignore"):
            return np.clip(np.asarray(z, dtype=np.float64) - y, -self._delta, self._delta)

    def hessian(self, y, z):
        """Per-sample generalized second derivative: 1 where ``|z - y| <= delta``, else 0."""
        with np.errstate(over="ignore", invalid="ignore"):
            return (np.abs(np.asarray(z, dtype=np.float64) - y) <= self._delta).astype(float)

    def model_curvature(self, y, z):
        """Per-sample ``min(1, delta / |z - y|)``: the Hessian inside, ``delta / |r|`` beyond.

        Beyond ``delta`` the loss ``delta |r| - delta**2 / 2`` is majorized
        by ``delta r**2 / (2 |r0|) + delta |r0| / 2 - delta**2 / 2``, which
        touches it at ``r0`` with the same slope: Huber's iteratively
        reweighted least squares. See :meth:`Loss.model_curvature`.
        """
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            r = np.abs(np.asarray(z, dtype=np.float64) - y)
            return np.where(r <= self._delta, 1.0, self._delta / r)

    def curvature_bound(self):
        """``1.0``: the clipped residual is 1-Lipschitz."""
        return 1.0

    def conjugate(self, y, v):
        """Per-sample ``v y + v**2 / 2`` for ``|v| <= delta``, ``+inf`` beyond."""
        v = np.asarray(v, dtype=np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            out = v * y + 0.5 * (v * v)
        return np.where(np.abs(v) <= self._delta, out, np.inf)

    def dual_domain(self, y):
        """``[-delta, delta]`` for every sample."""
        shape = np.shape(y)
        return np.full(shape, -self._delta), np.full(shape, self._delta)

    def intercept_only(self, y, s=None):
        """The weighted Huber location of ``y``.

        Found by the safeguarded Newton solve of :meth:`best_intercept`
        (exact once the set of residuals within ``delta`` settles), started
        at the weighted median, which outliers cannot move.

        See :meth:`Loss.intercept_only`.
        """
        return self.best_intercept(y, s)

    def best_intercept(self, y, s=None, z=None):
        """The ``b`` minimizing ``sum_i s_i l(y_i, z_i + b)`` (a weighted Huber location).

        See :meth:`Loss.best_intercept`.
        """
        s = sample_weights(s, y.shape[0])
        z = np.zeros_like(y) if z is None else np.asarray(z, dtype=np.float64)
        keep = s > 0
        start = weighted_median(s[keep], y[keep] - z[keep])
        return _newton.intercept(self, y, s, z, start)

    def cvxpy_sum(self, cp, y, z, s=None):
        """``sum_i s_i l(y_i, z_i)`` as half of CVXPY's ``huber(y - z, delta)``.

        CVXPY's ``huber(r, M)`` is ``r**2`` for ``|r| <= M`` and
        ``2 M |r| - M**2`` beyond: twice this loss, hence the halving.
        See :meth:`Loss.cvxpy_sum`.
        """
        s = sample_weights(s, y.shape[0])
        return (s @ cp.huber(y - z, self._delta)) / 2.0
