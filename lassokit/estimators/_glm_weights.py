"""``penalty_weights`` and ``standardize`` of the GLM estimators (logistic, Poisson).

The same two parameters as :class:`~lassokit.Lasso`'s, with the same
meaning: per-feature factors ``v_j`` of both penalty terms (glmnet's
``penalty.factor``; 0 leaves a feature unpenalized, ``inf`` excludes it),
and glmnet's ``standardize`` as penalty weights ``(v_j sd_j, v_j sd_j**2)``
(see :mod:`lassokit._standardize`), ``sd_j`` the weighted standard deviation
of column ``j`` under the weights of the loss. X is never scaled or copied.

A feature left unpenalized (weight 0, or every feature at ``C=inf`` /
``alpha=0``) can let the loss decrease for ever: :func:`check_bounds`
restates the coefficients' bounds for :mod:`~._fit_exists`'s check so that
only those features may move.
"""

from __future__ import annotations

import numpy as np

from .._standardize import standardized_weights
from ._params import ARRAY, BOOL, NONE

__all__ = ["WEIGHT_CONSTRAINTS", "check_bounds", "glm_weights"]

#: The two parameters' constraints (scikit-learn's rules: checked in ``fit``).
WEIGHT_CONSTRAINTS = {
    "penalty_weights": [NONE, ARRAY],
    "standardize": [BOOL],
}


def glm_weights(X, s, fit_intercept, weights, standardize):
    """Per-feature L1 and L2 factors ``(v1, v2)`` of one fit (``(None, None)``: all ones).

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        Validated.
    s : ndarray of shape (n_samples,) or None
        The weights of the loss (any positive scale: normalized here).
    fit_intercept : bool
        Standard deviations about the weighted means (True) or about 0.
    weights : ndarray of shape (n_features,) or None
        Validated by :func:`check_penalty_weights`.
    standardize : bool

    Returns
    -------
    (ndarray or None, ndarray or None)
    """
    if not standardize:
        return weights, weights
    return standardized_weights(X, s, fit_intercept, weights)


def check_bounds(penalty, n_features, bounds):
    """The bounds under which an unbounded decrease of the loss is looked for, or None.

    Only the features the penalty leaves free can move for ever: a
    penalized one grows the objective without end, an excluded one is held
    at 0. So those are fixed (bounds ``[0, 0]``) and the others keep their
    own bounds.

    Parameters
    ----------
    penalty : Penalty
        The fit's penalty, strengths included.
    n_features : int
    bounds : (ndarray, ndarray) or None
        The coefficients' bounds.

    Returns
    -------
    (ndarray, ndarray) or None
        None when no feature is free: nothing to check.
    """
    lam, mu = penalty.strengths(n_features)
    held = penalty.excluded(n_features) | (lam > 0) | (mu > 0)
    if held.all():
        return None
    if bounds is None:
        lo, hi = np.full(n_features, -np.inf), np.full(n_features, np.inf)
    else:
        lo, hi = np.array(bounds[0], dtype=np.float64), np.array(bounds[1], dtype=np.float64)
    lo[held], hi[held] = 0.0, 0.0
    return lo, hi
