"""Input validation at the edge: every public entry point funnels through here.

Errors name the parameter and what was expected; inputs are never modified
(arrays that need conversion are converted into new arrays, the rest are
exposed through read-only views).
"""

from __future__ import annotations

import numbers
import sys

import numpy as np
import scipy.sparse as sp

_FLOATS = (np.float32, np.float64)


def _native(dtype):
    """``dtype`` in the machine's byte order.

    A big-endian ``>f4`` is float32 in value but compares unequal to
    ``np.float32``: without this it would be widened to float64 (and the
    compiled kernels take native byte order only).
    """
    return dtype if dtype.isnative else dtype.newbyteorder("=")


def _missing_only(arr):
    """Whether missing markers (``pd.NA``) alone keep an object array from being numeric.

    Only asked when pandas is already imported: without pandas no such
    marker can be in the data, and importing it would cost a second.
    """
    pd = sys.modules.get("pandas")
    if pd is None:
        return False
    try:
        missing = np.asarray(pd.isna(arr), dtype=bool)
        if not missing.any():
            return False
        arr[~missing].astype(np.float64)
    except (TypeError, ValueError):
        return False
    return True


def _readonly(arr):
    view = arr.view()
    view.flags.writeable = False
    return view


def check_X(X, name="X", known_finite=False):
    """Validate a design matrix: 2-D, numeric real, finite, non-empty.

    float32/float64 are kept; other numeric dtypes become float64. Dense
    arrays are returned as read-only views (or converted copies); sparse
    matrices as CSC or CSR (other formats converted to CSC).
    ``known_finite`` skips the pass over the entries that proves them
    finite, for callers that have just made it (the estimators, through
    scikit-learn's ``validate_data``).
    """
    if sp.issparse(X):
        if X.dtype.kind == "c":
            raise TypeError(f"{name} must be real-valued, got complex dtype {X.dtype}.")
        if X.dtype.kind not in "biuf":
            raise TypeError(f"{name} must be numeric, got dtype {X.dtype}.")
        if X.format not in ("csc", "csr"):
            X = X.tocsc()
        if X.dtype not in _FLOATS:
            X = X.astype(np.float64)
        if X.ndim != 2:
            raise ValueError(f"{name} must be 2-D, got {X.ndim} dimensions.")
        if not np.all(np.isfinite(X.data)):
            raise ValueError(f"{name} contains NaN or infinity.")
        _check_nonempty(X.shape, name)
        return X
    if hasattr(X, "__array__") or isinstance(X, (list, tuple)):
        try:
            arr = np.asarray(X)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{name} could not be converted to a numeric array: {exc}") from exc
    else:
        raise TypeError(
            f"{name} must be an array-like or a scipy.sparse matrix, got {type(X).__name__}."
        )
    if arr.dtype.kind == "c":
        raise TypeError(f"{name} must be real-valued, got complex dtype {arr.dtype}.")
    if arr.dtype.kind not in "biuf":
        if arr.dtype.kind == "O":
            try:
                arr = arr.astype(np.float64)
            except (ValueError, TypeError) as exc:
                # pandas' nullable dtypes (Int64, boolean) turn into objects
                # holding pd.NA, which no float conversion accepts.
                if _missing_only(arr):
                    raise ValueError(
                        f"{name} contains missing values (NaN or pd.NA); impute or drop "
                        "them first."
                    ) from exc
                raise TypeError(f"{name} must be numeric; found non-numeric entries.") from exc
        else:
            raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}.")
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (n_samples, n_features), got shape {arr.shape}; "
            "reshape a single feature with X.reshape(-1, 1)."
        )
    _check_nonempty(arr.shape, name)
    if not arr.dtype.isnative:
        arr = arr.astype(_native(arr.dtype))
    if arr.dtype not in _FLOATS:
        arr = arr.astype(np.float64)
    # A finite sum proves every entry finite at a fraction of the cost of an
    # elementwise check; only an infinite or NaN sum needs the exact check.
    if known_finite:
        return _readonly(arr)
    with np.errstate(over="ignore", invalid="ignore"):
        total = arr.sum()
    if not np.isfinite(total) and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity.")
    return _readonly(arr)


def _check_nonempty(shape, name):
    if shape[0] == 0 or shape[1] == 0:
        raise ValueError(f"{name} is empty: shape {shape}; need at least 1 sample and 1 feature.")


def check_vector(v, n, name, dtype=np.float64, per="one per sample"):
    """Validate a length-``n`` numeric vector (``(n, 1)`` is accepted).

    ``per`` completes the length error ("one per sample" / "one per feature").
    """
    if v is None:
        raise ValueError(f"{name} must not be None.")
    if sp.issparse(v):
        v = v.toarray()
    try:
        arr = np.asarray(v)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name} could not be converted to a numeric array: {exc}") from exc
    if arr.dtype.kind == "c":
        raise TypeError(f"{name} must be real-valued, got complex dtype {arr.dtype}.")
    if arr.dtype.kind in "SUV":
        # Strings would parse ("1.5" -> 1.5) and hide a data-loading bug; X rejects them too.
        raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}.")
    if arr.dtype.kind not in "biuf":
        try:
            arr = arr.astype(np.float64)
        except (ValueError, TypeError) as exc:
            raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}.") from exc
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(
            f"{name} must be one-dimensional of length {n}, got shape {arr.shape}"
            + ("; multi-target regression is not supported." if arr.ndim == 2 else ".")
        )
    if arr.shape[0] != n:
        raise ValueError(f"{name} has length {arr.shape[0]}, expected {n} ({per}).")
    arr = arr.astype(dtype, copy=False)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity.")
    return _readonly(arr)


def check_sample_weight(sample_weight, n):
    """Validate weights and normalize them to sum to ``n`` (float64 copy)."""
    if sample_weight is None:
        return None
    if isinstance(sample_weight, numbers.Number) and not isinstance(sample_weight, bool):
        sample_weight = np.full(n, float(sample_weight))
    sw = np.array(check_vector(sample_weight, n, "sample_weight"), dtype=np.float64)
    if np.any(sw < 0):
        raise ValueError("sample_weight must be non-negative.")
    top = sw.max()
    if not top > 0:
        raise ValueError("sample_weight must not be all zero.")
    # Divided by the largest first: summing weights of 1e307 overflows and
    # weights of 1e-320 lose every digit.
    sw /= top
    sw *= n / sw.sum()
    sw.flags.writeable = False
    return sw


def check_bool(value, name):
    """Accept Python or numpy booleans only."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__}.")
    return bool(value)


def check_tol(tol):
    """``tol`` is a relative duality gap: a finite number > 0."""
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real):
        raise TypeError(f"tol must be a real number, got {type(tol).__name__}.")
    tol = float(tol)
    if not np.isfinite(tol) or tol <= 0:
        raise ValueError(f"tol must be a finite number > 0 (a relative duality gap), got {tol!r}.")
    return tol


def check_max_iter(max_iter):
    """``max_iter`` is None (backend default) or an integer >= 1."""
    if max_iter is None:
        return None
    if isinstance(max_iter, bool) or not isinstance(max_iter, numbers.Integral):
        raise TypeError(f"max_iter must be an integer >= 1 or None, got {type(max_iter).__name__}.")
    if max_iter < 1:
        raise ValueError(f"max_iter must be an integer >= 1 or None, got {max_iter}.")
    # Compiled kernels count iterations in int64: a larger budget means "no limit".
    return int(min(max_iter, np.iinfo(np.int64).max // 2))


def check_coef(coef, p, name="coef"):
    """Validate a coefficient vector of length ``p`` (float64 copy)."""
    return np.array(check_vector(coef, p, name, per="one per feature"), dtype=np.float64)
