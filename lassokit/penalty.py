"""Penalty terms: ``L1``, ``L2`` and their sums.

A penalty is the separable function

    g(w) = sum_j [ a1 * v1_j * |w_j| + (a2 / 2) * v2_j * w_j**2 ]

of lassokit's objective.  The penalty knows its value, its per-feature
strengths and its convex conjugate; solvers ask it rather than branching on
its type.
"""

from __future__ import annotations

import numbers

import numpy as np

from . import _box

__all__ = ["Penalty", "L1", "L2"]


def _check_alpha(alpha, name):
    if isinstance(alpha, (bool, np.bool_)) or not isinstance(alpha, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(alpha).__name__}.")
    alpha = float(alpha)
    if not np.isfinite(alpha) or alpha < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {alpha!r}.")
    return alpha


def _check_weights(weights, name):
    if weights is None:
        return None
    try:
        arr = np.asarray(weights)
    except Exception as exc:  # pragma: no cover - exotic objects
        raise TypeError(f"{name} must be array-like of numbers.") from exc
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}.")
    arr = np.array(arr, dtype=np.float64)  # private copy: inputs stay untouched
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}.")
    if np.any(np.isnan(arr)):
        raise ValueError(f"{name} must not contain NaN.")
    if np.any(arr < 0):
        raise ValueError(f"{name} must be non-negative.")
    arr.flags.writeable = False
    return arr


class Penalty:
    """A sum of an L1 and an L2 term with optional per-feature weights.

    Build one with :func:`L1`, :func:`L2` and ``+``; the constructor is
    rarely called directly.

    Parameters
    ----------
    l1 : float, default=0.0
        The L1 strength ``a1``.
    l2 : float, default=0.0
        The L2 strength ``a2``.
    l1_weights, l2_weights : array-like of shape (n_features,), optional
        Non-negative per-feature weights ``v1`` and ``v2``; ``None`` means all
        ones. A zero weight leaves that feature unpenalized by that term; an
        infinite one excludes the feature (its coefficient is held at 0,
        glmnet's ``exclude``).
    """

    __slots__ = ("_l1", "_l2", "_v1", "_v2")

    def __init__(self, l1=0.0, l2=0.0, l1_weights=None, l2_weights=None):
        self._l1 = _check_alpha(l1, "l1")
        self._l2 = _check_alpha(l2, "l2")
        self._v1 = _check_weights(l1_weights, "l1_weights")
        self._v2 = _check_weights(l2_weights, "l2_weights")

    def __reduce__(self):
        # Rebuilt through __init__, so a copy's or an unpickled penalty's
        # weights are read-only private arrays like the original's.
        return (Penalty, (self._l1, self._l2, self._v1, self._v2))

    # -- read-only attributes -------------------------------------------------
    @property
    def l1(self):
        """float: the L1 strength ``a1``."""
        return self._l1

    @property
    def l2(self):
        """float: the L2 strength ``a2``."""
        return self._l2

    @property
    def l1_weights(self):
        """ndarray or None: per-feature L1 weights ``v1`` (None: all ones)."""
        return self._v1

    @property
    def l2_weights(self):
        """ndarray or None: per-feature L2 weights ``v2`` (None: all ones)."""
        return self._v2

    @property
    def l1_ratio(self):
        """float: the L1 share ``a1 / (a1 + a2)`` (1.0 for a zero penalty)."""
        total = self._l1 + self._l2
        return 1.0 if total == 0 else self._l1 / total

    # -- algebra ----------------------------------------------------------------
    def __add__(self, other):
        if not isinstance(other, Penalty):
            if isinstance(other, numbers.Number):
                raise TypeError(
                    "A bare number is not a penalty: use lk.L1(alpha) or lk.L2(alpha)."
                )
            return NotImplemented
        l1, v1 = _merge(self._l1, self._v1, other._l1, other._v1)
        l2, v2 = _merge(self._l2, self._v2, other._l2, other._v2)
        return Penalty(l1, l2, v1, v2)

    def __radd__(self, other):
        if isinstance(other, numbers.Number) and other == 0 and not isinstance(other, bool):
            return self  # lets sum([L1(1), L2(2)]) work
        return self.__add__(other)

    def __mul__(self, factor):
        # ``2 * L1(0.1)`` reads as the math does; numbers only, as scaled().
        if isinstance(factor, (bool, np.bool_)) or not isinstance(factor, numbers.Real):
            what = "a penalty" if isinstance(factor, Penalty) else type(factor).__name__
            raise TypeError(
                f"a penalty can only be multiplied by a number (its scale factor), got {what}; "
                "add penalties with +."
            )
        return self._times(factor, "the factor multiplying a penalty")

    __rmul__ = __mul__
    # numpy scalars (np.float64(2) * L1(0.1)) defer to __rmul__ instead of
    # making a 0-d object array.
    __array_ufunc__ = None

    def scaled(self, factor):
        """Return the penalty multiplied by ``factor`` (weights unchanged).

        ``factor * penalty`` and ``penalty * factor`` are the same.

        Parameters
        ----------
        factor : float
            A finite, non-negative multiplier of both strengths.

        Returns
        -------
        Penalty

        Raises
        ------
        TypeError
            When ``factor`` is not a real number (booleans included).
        ValueError
            When ``factor`` is negative or not finite.
        """
        return self._times(factor, "factor")

    def _times(self, factor, name):
        factor = _check_alpha(factor, name)
        return Penalty(self._l1 * factor, self._l2 * factor, self._v1, self._v2)

    def at(self, alpha, l1_ratio=None):
        """The penalty at overall strength ``alpha``: ``alpha * (r L1 + (1 - r) L2)``.

        Parameters
        ----------
        alpha : float
            Overall strength (scikit-learn's ``ElasticNet`` alpha).
        l1_ratio : float, optional
            The L1 share ``r``; default :attr:`l1_ratio` (an explicit share
            avoids the rounding of ``a1 / (a1 + a2)``).

        Returns
        -------
        Penalty
            Same per-feature weights.

        Raises
        ------
        ValueError
            When ``alpha`` is negative or not finite, or ``l1_ratio`` is
            outside ``[0, 1]`` (named here, not as the derived ``l1``/``l2``).
        """
        alpha = _check_alpha(alpha, "alpha")
        if l1_ratio is None:
            r = self.l1_ratio
        else:
            if isinstance(l1_ratio, (bool, np.bool_)) or not isinstance(l1_ratio, numbers.Real):
                raise TypeError(f"l1_ratio must be a real number in [0, 1] (the L1 share), "
                                f"got {type(l1_ratio).__name__}.")
            r = float(l1_ratio)
            if not 0.0 <= r <= 1.0:
                raise ValueError(f"l1_ratio must be a number in [0, 1] (the L1 share), got {r!r}.")
        return Penalty(alpha * r, alpha * (1.0 - r), self._v1, self._v2)

    def __eq__(self, other):
        if not isinstance(other, Penalty):
            return NotImplemented
        return (
            self._l1 == other._l1
            and self._l2 == other._l2
            and _same_weights(self._v1, other._v1)
            and _same_weights(self._v2, other._v2)
        )

    __hash__ = None

    def __repr__(self):
        parts = []
        if self._l1 or self._v1 is not None or not self._l2:
            parts.append(f"L1({self._l1!r}{'' if self._v1 is None else ', weights=...'})")
        if self._l2 or self._v2 is not None:
            parts.append(f"L2({self._l2!r}{'' if self._v2 is None else ', weights=...'})")
        return " + ".join(parts)

    # -- the math -----------------------------------------------------------------
    def strengths(self, n_features):
        """Per-feature strengths ``(lam, mu)`` with ``lam = a1*v1``, ``mu = a2*v2``.

        Parameters
        ----------
        n_features : int
            Number of features; weight vectors must have this length.

        Returns
        -------
        lam, mu : ndarray of shape (n_features,), float64
        """
        lam = _per_feature(self._l1, self._v1, n_features, "L1 weights")
        mu = _per_feature(self._l2, self._v2, n_features, "L2 weights")
        out = self.excluded(n_features)
        if out.any():
            # Held at 0 by the box (lassokit._box): no penalty term is left
            # to evaluate there, and no inf * 0 reaches any formula.
            lam[out], mu[out] = 0.0, 0.0
        return lam, mu

    def excluded(self, n_features):
        """Features excluded by an infinite weight in either term.

        Parameters
        ----------
        n_features : int
            Number of features (weights of another length exclude nothing:
            :meth:`strengths` reports that length error).

        Returns
        -------
        ndarray of bool of shape (n_features,)
            True where the coefficient is held at 0 (glmnet's ``exclude``).
        """
        out = np.zeros(n_features, dtype=bool)
        for v in (self._v1, self._v2):
            if v is not None and v.shape[0] == n_features:
                out |= np.isinf(v)
        return out

    @staticmethod
    def value(coef, lam, mu):
        """Penalty value ``sum(lam*|w|) + sum(mu*w**2)/2`` for given strengths."""
        coef = np.asarray(coef, dtype=np.float64)
        # sqrt(mu) * w before squaring: w * w underflows (e.g. w ~ 1e-300 with
        # mu ~ 1e300) where mu * w^2 is representable.
        sw = np.sqrt(mu) * coef
        return float(lam @ np.abs(coef) + 0.5 * (sw @ sw))

    @staticmethod
    def conjugate(u, lam, mu, box=None):
        """Convex conjugate ``g*(u)`` of the separable penalty with a box on ``w``.

        Coordinates with ``mu == 0`` and no finite bound are indicators of
        ``|u_j| <= lam_j`` (on the box's open sides); callers keep ``u``
        inside that set, so those coordinates contribute 0 here. The
        derivation is in :mod:`lassokit._box`.

        Parameters
        ----------
        u : ndarray of shape (n_features,)
        lam, mu : ndarray of shape (n_features,)
        box : ndarray of shape (2, n_features), optional
            Lower and upper bounds; None: unconstrained.

        Returns
        -------
        float
        """
        return _box.conjugate(u, lam, mu, box)


def _per_feature(alpha, weights, n_features, name):
    if weights is None:
        return np.full(n_features, alpha, dtype=np.float64)
    if weights.shape[0] != n_features:
        raise ValueError(
            f"{name} must have length n_features={n_features}, got {weights.shape[0]}."
        )
    with np.errstate(invalid="ignore"):  # 0 * inf: an excluded feature, zeroed by strengths()
        return alpha * weights


def _merge(a, va, b, vb):
    """Add two terms of the same kind so that a*va + b*vb is preserved."""
    if va is None and vb is None:
        return a + b, None
    total = a + b
    if total == 0:
        return 0.0, va if va is not None else vb
    if va is None:
        va = np.ones_like(vb)
    if vb is None:
        vb = np.ones_like(va)
    if va.shape != vb.shape:
        raise ValueError(
            f"cannot add penalties with weights of lengths {va.shape[0]} and {vb.shape[0]}."
        )
    with np.errstate(invalid="ignore"):
        merged = (a * va + b * vb) / total
    # An infinite weight in either term excludes the feature whatever its strength.
    return total, np.where(np.isinf(va) | np.isinf(vb), np.inf, merged)


def _same_weights(a, b):
    if a is None or b is None:
        return a is None and b is None
    return a.shape == b.shape and bool(np.all(a == b))


def L1(alpha, weights=None):
    """The L1 (Lasso) term ``alpha * sum_j weights_j * |w_j|``.

    Parameters
    ----------
    alpha : float
        Strength ``a1 >= 0``.
    weights : array-like of shape (n_features,), optional
        Non-negative per-feature weights ``v1``; zero leaves a feature
        unpenalized, ``inf`` excludes it (coefficient 0). Default: all ones.

    Returns
    -------
    Penalty

    Examples
    --------
    >>> import lassokit as lk
    >>> lk.L1(0.1) + lk.L2(0.2)
    L1(0.1) + L2(0.2)
    """
    return Penalty(l1=_check_alpha(alpha, "alpha"), l1_weights=_check_weights(weights, "weights"))


def L2(alpha, weights=None):
    """The L2 (Ridge) term ``(alpha / 2) * sum_j weights_j * w_j**2``.

    Parameters
    ----------
    alpha : float
        Strength ``a2 >= 0``.
    weights : array-like of shape (n_features,), optional
        Non-negative per-feature weights ``v2``; ``inf`` excludes a feature
        (coefficient 0). Default: all ones.

    Returns
    -------
    Penalty
    """
    return Penalty(l2=_check_alpha(alpha, "alpha"), l2_weights=_check_weights(weights, "weights"))
