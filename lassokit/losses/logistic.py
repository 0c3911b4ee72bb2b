"""The logistic loss ``l(y, z) = log(1 + exp(-y z))`` for two classes coded -1/+1."""

from __future__ import annotations

import numpy as np

from ._util import expit, log_expit, sample_weights, xlogy
from .base import Loss

__all__ = ["Logistic"]


class Logistic(Loss):
    """The logistic loss ``l(y, z) = log(1 + exp(-y z))``, ``y`` in {-1, +1} (logit link).

    Minimizing it is maximum likelihood for ``P(y = +1) = sigmoid(z)``.
    With ``a = -y v``, the conjugate is the negative binary entropy

        l*(y, v) = a log a + (1 - a) log(1 - a)   for 0 <= a <= 1,

    ``+inf`` otherwise: the dual domain is ``[-1, 0]`` for ``y = +1`` and
    ``[0, 1]`` for ``y = -1`` (bounded, with 0 at one end).

    Everything is computed from ``-|.|`` exponents (``log_expit``,
    ``expit``), so ``|z|`` up to the float maximum gives finite values and
    no warnings.

    Examples
    --------
    >>> import numpy as np
    >>> from lassokit.losses import Logistic
    >>> loss = Logistic()
    >>> loss.check_y(np.array([0, 1, 1]))
    array([-1.,  1.,  1.])
    >>> float(loss.value(np.array([1.0]), np.array([0.0]))[0])  # log 2
    0.6931471805599453
    """

    __slots__ = ()

    name = "logistic"

    def check_y(self, y):
        """Code ``y`` as -1/+1: from {0, 1}, {-1, +1} or booleans (0/False is -1).

        See :meth:`Loss.check_y`.
        """
        arr = np.asarray(y)
        if arr.ndim != 1:
            raise ValueError(f"y must be one-dimensional for the logistic loss, got shape "
                             f"{arr.shape}.")
        if arr.size == 0:
            raise ValueError("y is empty: the logistic loss needs at least one sample.")
        if arr.dtype.kind == "b":
            return np.where(arr, 1.0, -1.0)
        if arr.dtype.kind not in "iuf":
            raise ValueError(f"y must hold class labels coded 0/1, -1/+1 or as booleans for the "
                             f"logistic loss, got dtype {arr.dtype}.")
        labels = np.unique(arr)
        if not np.all(np.isfinite(labels)):
            raise ValueError("y must contain only finite values for the logistic loss "
                             "(found NaN or inf).")
        found = set(labels.tolist())
        if found <= {0, 1}:
            return np.where(arr == 1, 1.0, -1.0)
        if found <= {-1, 1}:
            return np.array(arr, dtype=np.float64)
        shown = ", ".join(f"{v:g}" for v in labels[:5]) + (", ..." if labels.size > 5 else "")
        raise ValueError(
            f"y has {labels.size} distinct labels ({shown}), but the logistic loss takes two "
            "classes coded {0, 1}, {-1, +1} or as booleans; map other labels to these "
            "(lk.LogisticRegression takes any two labels), and more than two classes need a "
            "multinomial model."
        )

    def value(self, y, z):
        """Per-sample ``log(1 + exp(-y z))``, as ``-log(sigmoid(y z))``."""
        with np.errstate(over="ignore", invalid="ignore"):
            return -log_expit(y * np.asarray(z, dtype=np.float64))

    def gradient(self, y, z):
        """Per-sample ``-y sigmoid(-y z)`` (in ``[-1, 0]`` for ``y = +1``, ``[0, 1]`` else)."""
        with np.errstate(over="ignore", invalid="ignore"):
            return -y * expit(-y * np.asarray(z, dtype=np.float64))

    def hessian(self, y, z):
        """Per-sample ``sigmoid(z) sigmoid(-z)`` (at most 1/4)."""
        z = np.asarray(z, dtype=np.float64) + np.zeros(np.shape(y))
        return expit(z) * expit(-z)

    def curvature_bound(self):
        """``0.25``: the largest value of ``sigmoid(z) sigmoid(-z)``."""
        return 0.25

    def conjugate(self, y, v):
        """Per-sample ``a log a + (1 - a) log(1 - a)``, ``a = -y v`` in ``[0, 1]``; ``+inf`` else."""
        a = -y * np.asarray(v, dtype=np.float64)
        inside = (a >= 0) & (a <= 1)
        ac = np.where(inside, a, 0.5)
        return np.where(inside, xlogy(ac, ac) + xlogy(1.0 - ac, 1.0 - ac), np.inf)

    def conjugate_derivative(self, y, v):
        """Per-sample ``-y log(a / (1 - a))``, ``a = -y v``; ``+-inf`` at the domain's ends."""
        a = -y * np.asarray(v, dtype=np.float64)
        ac = np.clip(a, 0.0, 1.0)
        with np.errstate(divide="ignore"):
            return -y * (np.log(ac) - np.log1p(-ac))

    def dual_domain(self, y):
        """``[-1, 0]`` where ``y = +1`` and ``[0, 1]`` where ``y = -1``."""
        y = np.asarray(y, dtype=np.float64)
        return np.minimum(-y, 0.0), np.maximum(-y, 0.0)

    def intercept_only(self, y, s=None):
        """``log(p / (1 - p))``, ``p`` the weighted share of class +1.

        See :meth:`Loss.intercept_only`.
        """
        s = sample_weights(s, y.shape[0])
        s = s / s.max()
        pos, neg = float(s[y > 0].sum()), float(s[y < 0].sum())
        with np.errstate(divide="ignore"):
            return float(np.log(pos) - np.log(neg))

    def inverse_link(self, z):
        """The probability of class +1, ``sigmoid(z)``."""
        return expit(np.asarray(z, dtype=np.float64))

    def link(self, mu):
        """The log-odds ``log(mu / (1 - mu))``."""
        mu = np.asarray(mu, dtype=np.float64)
        with np.errstate(divide="ignore"):
            return np.log(mu) - np.log1p(-mu)

    def cvxpy_sum(self, cp, y, z, s=None):
        """``sum_i s_i log(1 + exp(-y_i z_i))`` with CVXPY's ``logistic`` atom.

        ``cp.logistic(x)`` is ``log(1 + exp(x))`` (exponential cones), so
        the expression is exactly this loss, with no constant dropped.
        See :meth:`Loss.cvxpy_sum`.
        """
        s = sample_weights(s, y.shape[0])
        return s @ cp.logistic(-cp.multiply(y, z))
