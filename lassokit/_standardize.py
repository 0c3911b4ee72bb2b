"""glmnet's ``standardize=TRUE`` as penalty weights: no scaled copy of X.

Penalizing the coefficients of the standardized columns ``x_j / sd_j``,

    lam * pf_j * (r |b_j| + (1 - r) b_j**2 / 2),   b_j = sd_j * w_j,

is penalizing ``w`` (the coefficients on the original scale) with L1
weights ``pf_j sd_j`` and L2 weights ``pf_j sd_j**2``. So the solve runs on
X itself with those weights, and its coefficients are already on the
original scale; ``sd_j`` is the weighted standard deviation (glmnet's:
normalized by the sum of the weights, about the weighted mean when an
intercept is fitted, about 0 without one).
"""

from __future__ import annotations

import numpy as np

from . import _linalg
from ._validation import check_sample_weight, check_vector

__all__ = ["column_scales", "feature_weights", "standardized_weights"]


def column_scales(X, sample_weight=None, fit_intercept=True):
    """Weighted standard deviations of the columns of X (1 for constant columns).

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    sample_weight : array-like of shape (n_samples,), optional
    fit_intercept : bool, default=True
        Deviations about the weighted column means (True) or about 0.

    Returns
    -------
    ndarray of shape (n_features,)
        A constant column (no spread) gets 1: it cannot enter the model
        beside an intercept, and a weight of 0 would leave it unpenalized.
    """
    n = X.shape[0]
    sw = check_sample_weight(sample_weight, n)
    offset = _linalg.weighted_column_means(X, sw) if fit_intercept else None
    with np.errstate(over="ignore", invalid="ignore"):
        sd = np.sqrt(_linalg.column_sq_norms(X, sw, offset) / n)
    return np.where(np.isfinite(sd) & (sd > 0), sd, 1.0)


def standardized_weights(X, sample_weight, fit_intercept, weights=None):
    """L1 and L2 weights ``(pf * sd, pf * sd**2)`` of glmnet's standardization.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    sample_weight : array-like of shape (n_samples,) or None
    fit_intercept : bool
    weights : array-like of shape (n_features,), optional
        The per-feature penalty factors ``pf`` (default ones).

    Returns
    -------
    v1, v2 : ndarray of shape (n_features,)
    """
    sd = column_scales(X, sample_weight, fit_intercept)
    pf = np.ones_like(sd) if weights is None else np.asarray(weights, dtype=np.float64)
    return pf * sd, pf * sd * sd


def feature_weights(X, sample_weight, fit_intercept, weights, standardize):
    """Per-feature L1 and L2 factors: ``weights`` as given, or glmnet's standardization.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        Validated.
    sample_weight : array-like of shape (n_samples,) or None
    fit_intercept : bool
    weights : array-like of shape (n_features,) or None
        Finite factors ``>= 0`` (checked here).
    standardize : bool

    Returns
    -------
    v1, v2 : ndarray of shape (n_features,) or None
        None for both without weights and without standardization.

    Raises
    ------
    TypeError
        ``standardize`` not a bool.
    ValueError
        ``weights`` of the wrong length, negative or not finite.
    """
    if not isinstance(standardize, (bool, np.bool_)):
        raise TypeError(f"standardize must be a bool, got {type(standardize).__name__}.")
    if weights is not None:
        weights = check_vector(weights, X.shape[1], "penalty weights", per="one per feature")
        if np.any(weights < 0):
            raise ValueError("penalty weights must be >= 0 (0 leaves a feature unpenalized).")
    if not standardize:
        return weights, weights
    return standardized_weights(X, sample_weight, fit_intercept, weights)
