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


def check_vector_shape(arr, n, name, per="one per sample"):
    """``arr`` (numpy or dask) as a length-``n`` vector: ``(n, 1)`` is flattened, else refused."""
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        # Several targets are a matrix problem, which this caller does not take.
        hint = ("; several targets are solved together by lk.Problem(X, Y, penalty) "
                "and lk.path(problem)." if arr.ndim == 2 and name == "y" else ".")
        raise ValueError(f"{name} must be one-dimensional of length {n}, got shape "
                         f"{arr.shape}{hint}")
    if arr.shape[0] != n:
        raise ValueError(f"{name} has length {arr.shape[0]}, expected {n} ({per}).")
    return arr


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
    arr = check_vector_shape(arr, n, name, per)
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
    try:
        shape = np.shape(sample_weight)
    except (TypeError, ValueError):
        shape = None  # ragged: check_vector says what is wrong with it
    if shape is not None and len(shape) != 1:
        # scikit-learn's _check_sample_weight refuses 2-D weights, (n, 1)
        # included; so do the estimators, and a Problem agrees with them.
        raise ValueError(
            f"sample_weight must be a number or one-dimensional of shape ({n},), got shape "
            f"{shape}."
        )
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


def check_alphas(alphas, name="alphas"):
    """Validate explicit strengths: a non-empty 1-D sequence of finite real numbers >= 0.

    Returns
    -------
    ndarray of shape (k,)
        A float64 copy, sorted into decreasing order.

    Notes
    -----
    Nothing is converted that would change what was meant: a 2-D grid is not
    flattened, strings are not parsed, complex numbers are not cast to their
    real part and booleans are not strengths. An int (scikit-learn's "number
    of alphas") is the caller's to handle before this.
    """
    expected = f"{name} must be a 1-D sequence of finite non-negative real numbers"
    if isinstance(alphas, (str, bytes)):
        raise TypeError(f"{expected}, got the string {alphas!r}.")
    if sp.issparse(alphas):
        raise TypeError(f"{expected}, got a scipy.sparse matrix.")
    try:
        arr = np.asarray(alphas)
    except (TypeError, ValueError) as exc:  # ragged nested lists
        raise ValueError(f"{expected}; could not convert {name}: {exc}") from exc
    if arr.ndim == 0:
        item = arr.item()
        if isinstance(item, bool) or not isinstance(item, numbers.Real):
            raise TypeError(f"{expected}, got {type(alphas).__name__}.")
        raise ValueError(f"{expected}, got the single number {item!r}; for one strength "
                         f"pass {name}=[{item!r}].")
    if arr.ndim != 1:
        raise ValueError(f"{expected}, got shape {arr.shape}.")
    if arr.size == 0:
        raise ValueError(f"{expected}; got an empty sequence.")
    if arr.dtype.kind == "O":
        for i, a in enumerate(arr):
            if isinstance(a, (bool, np.bool_)) or not isinstance(a, numbers.Real):
                raise TypeError(f"{expected}; {name}[{i}] is a {type(a).__name__}.")
    elif arr.dtype.kind not in "iuf":
        what = "complex" if arr.dtype.kind == "c" else f"dtype {arr.dtype}"
        raise TypeError(f"{expected}, got {what} ({name}={alphas!r}).")
    arr = arr.astype(np.float64)
    bad = ~np.isfinite(arr) | (arr < 0)
    if np.any(bad):
        i = int(np.argmax(bad))
        raise ValueError(f"{expected}; {name}[{i}] is {float(arr[i])!r}.")
    return np.sort(arr)[::-1].copy()


def check_dual_points(dual_points, n):
    """Validate extra dual candidates: an iterable of length-``n`` real vectors (or None).

    Returns
    -------
    tuple of ndarray
        The float64 vectors, None entries dropped. Non-finite entries are
        kept: the certificate ignores a candidate whose dual value is NaN.
    """
    if isinstance(dual_points, np.ndarray) and dual_points.ndim == 1:
        raise TypeError(
            "dual_points must be a sequence of vectors of length n_samples; got one "
            "1-D array: wrap a single point as dual_points=[q]."
        )
    try:
        points = list(dual_points)
    except TypeError:
        raise TypeError(
            "dual_points must be a sequence of vectors of length n_samples, got "
            f"{type(dual_points).__name__}."
        ) from None
    out = []
    for i, q in enumerate(points):
        if q is None:
            continue
        name = f"dual_points[{i}]"
        try:
            arr = np.asarray(q)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} could not be converted to a numeric array: {exc}") from exc
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"{name} must be a real vector (a residual), got dtype {arr.dtype}.")
        if arr.ndim == 2 and arr.shape[1] == 1:
            arr = arr[:, 0]
        if arr.ndim != 1 or arr.shape[0] != n:
            raise ValueError(
                f"{name} must be a vector of length n_samples={n} (a residual), "
                f"got shape {arr.shape}."
            )
        out.append(arr.astype(np.float64, copy=False))
    return tuple(out)


def check_coef(coef, p, name="coef"):
    """Validate a coefficient vector of length ``p`` (float64 copy)."""
    return np.array(check_vector(coef, p, name, per="one per feature"), dtype=np.float64)
