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
from ._validation import check_sample_weight, check_vector_shape

__all__ = ["check_penalty_weights", "column_scales", "feature_weights", "standardized_weights"]


def column_scales(X, sample_weight=None, fit_intercept=True, x_offset=None):
    """Weighted standard deviations of the columns of X (1 for constant columns).

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    sample_weight : array-like of shape (n_samples,), optional
    fit_intercept : bool, default=True
        Deviations about the weighted column means (True) or about 0.
    x_offset : ndarray of shape (n_features,), optional
        Those weighted means, when the caller has them (a problem's data
        statistics): the pass over X that computes them is saved.

    Returns
    -------
    ndarray of shape (n_features,)
        A constant column (no spread) gets 1: it cannot enter the model
        beside an intercept, and a weight of 0 would leave it unpenalized.
    """
    n = X.shape[0]
    sw = check_sample_weight(sample_weight, n)
    offset = None
    if fit_intercept:
        offset = x_offset if x_offset is not None else _linalg.weighted_column_means(X, sw)
    with np.errstate(over="ignore", invalid="ignore"):
        sd = np.sqrt(_linalg.column_sq_norms(X, sw, offset) / n)
    return np.where(np.isfinite(sd) & (sd > 0), sd, 1.0)


def standardized_weights(X, sample_weight, fit_intercept, weights=None, x_offset=None):
    """L1 and L2 weights ``(pf * sd, pf * sd**2)`` of glmnet's standardization.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    sample_weight : array-like of shape (n_samples,) or None
    fit_intercept : bool
    weights : array-like of shape (n_features,), optional
        The per-feature penalty factors ``pf`` (default ones).
    x_offset : ndarray of shape (n_features,), optional
        The weighted column means, if known (see :func:`column_scales`).

    Returns
    -------
    v1, v2 : ndarray of shape (n_features,)
    """
    sd = column_scales(X, sample_weight, fit_intercept, x_offset)
    pf = np.ones_like(sd) if weights is None else np.asarray(weights, dtype=np.float64)
    return pf * sd, pf * sd * sd


def check_penalty_weights(weights, n_features, name="penalty_weights"):
    """``penalty_weights`` validated: a read-only float64 copy, or None.

    Parameters
    ----------
    weights : array-like of shape (n_features,) or None
        Factors ``>= 0``; ``inf`` allowed (the feature is excluded).
    n_features : int
    name : str, default="penalty_weights"
        The caller's name of ``weights``, for error messages.

    Returns
    -------
    ndarray of shape (n_features,) or None

    Raises
    ------
    TypeError
        Non-numeric (strings, complex, objects that are not numbers).
    ValueError
        Wrong shape or length, NaN, a negative factor.
    """
    if weights is None:
        return None
    try:
        arr = np.asarray(weights)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} could not be converted to an array: {exc}") from exc
    if arr.dtype.kind == "O":
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be numeric.") from exc
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}.")
    arr = check_vector_shape(arr, n_features, name, per="one per feature")
    arr = np.array(arr, dtype=np.float64)
    if np.any(np.isnan(arr)):
        raise ValueError(f"{name} must not contain NaN.")
    if np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0 (0 leaves a feature unpenalized, "
                         "inf excludes it).")
    arr.flags.writeable = False
    return arr


def feature_weights(X, sample_weight, fit_intercept, weights, standardize, x_offset=None,
                    name="penalty_weights"):
    """Per-feature L1 and L2 factors: ``weights`` as given, or glmnet's standardization.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        Validated.
    sample_weight : array-like of shape (n_samples,) or None
    fit_intercept : bool
    weights : array-like of shape (n_features,) or None
        Factors ``>= 0``, ``inf`` excluding a feature (checked here).
    standardize : bool
    x_offset : ndarray of shape (n_features,), optional
        The weighted column means, if known (see :func:`column_scales`).
    name : str, default="penalty_weights"
        The caller's name of ``weights``, for error messages.

    Returns
    -------
    v1, v2 : ndarray of shape (n_features,) or None
        None for both without weights and without standardization.

    Raises
    ------
    TypeError
        ``standardize`` not a bool.
    ValueError
        ``weights`` of the wrong length, negative or NaN.
    """
    if not isinstance(standardize, (bool, np.bool_)):
        raise TypeError(f"standardize must be a bool, got {type(standardize).__name__}.")
    weights = check_penalty_weights(weights, X.shape[1], name)
    if not standardize:
        return weights, weights
    return standardized_weights(X, sample_weight, fit_intercept, weights, x_offset)
