"""Sufficient statistics of ``[X, y]`` in one tree-reduced pass over row chunks.

Each chunk is reduced to its weight sum, its weighted column means and its
*centred* co-moment matrix ``sum_i w_i (z_i - m)(z_i - m)^T`` of ``z = [x, y]``
(computed in float64 after subtracting the chunk's own mean, so no large
offsets ever meet). Two partial results are merged exactly with the pairwise
update of Chan, Golub & LeVeque,

    W = Wa + Wb,   d = mb - ma,   m = ma + (Wb / W) d,
    C = Ca + Cb + (Wa Wb / W) d d^T,

which never subtracts raw sums, so the centred Gram ``Xc^T S Xc`` has no
catastrophic cancellation even when the columns have large means.

References
----------
Chan, Golub & LeVeque (1979), "Updating formulae and a pairwise algorithm for
computing sample variances", Stanford CS report STAN-CS-79-773.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from .._validation import check_vector_shape

__all__ = ["Moments", "as_dask_inputs", "compute_fold_moments", "compute_moments"]

# Fan-in of the reduction tree: partial results are p x p, so merging a few
# at a time keeps the memory of any one task small.
_FAN_IN = 8


@dataclass(frozen=True)
class Moments:
    """Weighted first and second moments of ``[X, y]`` (float64).

    Attributes
    ----------
    n_rows : int
        Number of rows (zero-weight rows included).
    weight_sum : float
        Sum of the raw (unnormalized) sample weights.
    mean : ndarray of shape (p + 1,)
        Weighted means of the columns of X, then of y.
    comoment : ndarray of shape (p + 1, p + 1)
        ``sum_i w_i (z_i - mean)(z_i - mean)^T`` with raw weights.
    min_weight : float
        Smallest sample weight seen (to reject negative weights).
    finite : bool
        Whether every value of X, y and the weights was finite.
    """

    n_rows: int
    weight_sum: float
    mean: np.ndarray
    comoment: np.ndarray
    min_weight: float
    finite: bool

    @property
    def n_features(self):
        """int: ``p``."""
        return self.mean.shape[0] - 1

    def normalized(self, fit_intercept):
        """The quantities of the implicitly centred problem.

        With normalized weights ``s = w * n / W`` (summing to ``n``) returns
        ``(x_offset, y_offset, M)`` where ``M = [Xc, yc]^T S [Xc, yc]`` is
        (p + 1) x (p + 1); without intercept the offsets are zero and ``M``
        is the uncentred second moment.

        Parameters
        ----------
        fit_intercept : bool

        Returns
        -------
        x_offset : ndarray of shape (p,)
        y_offset : float
        M : ndarray of shape (p + 1, p + 1)
        """
        scale = self.n_rows / self.weight_sum
        if fit_intercept:
            M = self.comoment * scale
            return self.mean[:-1].copy(), float(self.mean[-1]), M
        # Adding two PSD terms: no cancellation in going back to raw moments.
        raw = self.comoment + self.weight_sum * np.outer(self.mean, self.mean)
        return np.zeros(self.n_features), 0.0, raw * scale


def _chunk_moments(X, y, w):
    """Moments of one row chunk (a task on a worker)."""
    X = np.asarray(X)
    n, p = X.shape
    Z = np.empty((n, p + 1), dtype=np.float64)
    Z[:, :p] = X
    Z[:, p] = np.asarray(y, dtype=np.float64).ravel()
    finite = bool(np.all(np.isfinite(Z)))
    if w is None:
        w = np.ones(n)
        wmin = 1.0 if n else np.inf
    else:
        w = np.asarray(w, dtype=np.float64).ravel()
        finite = finite and bool(np.all(np.isfinite(w)))
        wmin = float(w.min()) if n else np.inf
    W = float(w.sum())
    if n == 0 or W <= 0 or not finite:
        return Moments(n, max(W, 0.0), np.zeros(p + 1), np.zeros((p + 1, p + 1)), wmin, finite)
    mean = (w @ Z) / W
    Z -= mean
    if wmin >= 0:
        Z *= np.sqrt(w)[:, None]
        C = weighted_gram(Z)
    else:  # rejected after the pass; keep the flag, not a NaN
        C = np.zeros((p + 1, p + 1))
    return Moments(n, W, mean, C, wmin, finite)


def weighted_gram(A):
    """``A^T A`` for ``A = S^(1/2) D``.

    Written as the product of a matrix with its own transpose, which NumPy
    hands to BLAS as a symmetric rank-k update (half the flops of
    ``D^T (S D)``, and exactly symmetric).
    """
    A = np.asarray(A, dtype=np.float64)
    return A.T @ A


def _merge(parts):
    """Exact pairwise merge of a list of :class:`Moments` (Chan et al.)."""
    acc = parts[0]
    for b in parts[1:]:
        a = acc
        n = a.n_rows + b.n_rows
        wmin = min(a.min_weight, b.min_weight)
        finite = a.finite and b.finite
        if b.weight_sum <= 0:
            acc = Moments(n, a.weight_sum, a.mean, a.comoment, wmin, finite)
            continue
        if a.weight_sum <= 0:
            acc = Moments(n, b.weight_sum, b.mean, b.comoment, wmin, finite)
            continue
        W = a.weight_sum + b.weight_sum
        d = b.mean - a.mean
        mean = a.mean + (b.weight_sum / W) * d
        C = a.comoment + b.comoment + (a.weight_sum * b.weight_sum / W) * np.outer(d, d)
        acc = Moments(n, W, mean, C, wmin, finite)
    return acc


def _tree_reduce(leaves, merge):
    import dask

    level = list(leaves)
    while len(level) > 1:
        level = [
            dask.delayed(merge, pure=False)(level[i:i + _FAN_IN])
            for i in range(0, len(level), _FAN_IN)
        ]
    return level[0]


def as_dask_inputs(X, y, sample_weight):
    """Validate and align ``X``, ``y`` and ``sample_weight`` as dask arrays.

    ``X`` keeps its row chunks and is rechunked to hold whole rows; ``y`` and
    the weights are rechunked to the same row chunks. NumPy inputs are wrapped
    (one chunk per ~64 MB of X).

    Parameters
    ----------
    X : dask.array.Array or ndarray of shape (n_samples, n_features)
    y : dask.array.Array or array-like of shape (n_samples,)
    sample_weight : None, float, dask.array.Array or array-like of shape (n_samples,)

    Returns
    -------
    X, y, sample_weight : dask arrays (sample_weight may be None)
    """
    import dask.array as da

    if not isinstance(X, da.Array):
        if not hasattr(X, "__array__") and not isinstance(X, (list, tuple)):
            raise TypeError(
                f"X must be a dask.array.Array or an array-like, got {type(X).__name__}."
            )
        X = np.asarray(X)
        if X.ndim == 2:
            rows = max(1, (1 << 23) // max(X.shape[1], 1))
            X = da.from_array(X, chunks=(rows, -1))
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {X.shape}.")
    if X.dtype.kind not in "biuf":
        raise TypeError(f"X must be numeric, got dtype {X.dtype}.")
    if any(np.isnan(c) for c in X.chunks[0]):
        raise ValueError(
            "X has unknown chunk sizes; call X.compute_chunk_sizes() first."
        )
    n, p = X.shape
    if n == 0 or p == 0:
        raise ValueError(f"X is empty: shape {X.shape}; need at least 1 sample and 1 feature.")
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    if len(X.chunks[1]) > 1:
        X = X.rechunk({1: -1})
    row_chunks = X.chunks[0]
    y = _as_vector(y, n, row_chunks, "y")
    if sample_weight is not None:
        if isinstance(sample_weight, numbers.Number) and not isinstance(sample_weight, bool):
            if not np.isfinite(sample_weight) or sample_weight <= 0:
                raise ValueError(
                    f"sample_weight must be a positive finite number, got {sample_weight!r}."
                )
            sample_weight = None  # a constant weight normalizes to ones
        else:
            sample_weight = _as_vector(sample_weight, n, row_chunks, "sample_weight")
    return X, y, sample_weight


def _as_vector(v, n, row_chunks, name):
    import dask.array as da

    if v is None:
        raise ValueError(f"{name} must not be None.")
    if not isinstance(v, da.Array):
        v = np.asarray(v)
    if v.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric, got dtype {v.dtype}.")
    v = check_vector_shape(v, n, name)
    if not isinstance(v, da.Array):
        # Wrapped after the shape checks: chunking a vector of another length
        # fails inside dask ("Chunks do not add up to shape").
        return da.from_array(v, chunks=(row_chunks,))
    if v.chunks[0] != row_chunks:
        v = v.rechunk((row_chunks,))
    return v


def _leaves(X, y, w):
    import dask

    xs = X.to_delayed()[:, 0]
    ys = y.to_delayed()
    ws = [None] * len(xs) if w is None else list(w.to_delayed())
    return [dask.delayed(_chunk_moments, pure=False)(a, b, c) for a, b, c in zip(xs, ys, ws)]


def _compute(obj, client):
    import dask

    if client is not None:
        return client.compute(obj).result()
    return dask.compute(obj)[0]


def check_moments(m):
    """Raise ``ValueError`` for non-finite data or bad weights."""
    if not m.finite:
        raise ValueError("X, y or sample_weight contains NaN or infinity.")
    if m.min_weight < 0:
        raise ValueError("sample_weight must be non-negative.")
    if not m.weight_sum > 0:
        raise ValueError("sample_weight must not be all zero.")


def compute_moments(X, y, sample_weight=None, client=None):
    """Moments of ``[X, y]`` in one tree-reduced pass (inputs from :func:`as_dask_inputs`).

    Parameters
    ----------
    X, y, sample_weight : dask arrays with the same row chunks
    client : distributed.Client, optional
        Where to compute; the default dask scheduler when None.

    Returns
    -------
    Moments
    """
    m = _compute(_tree_reduce(_leaves(X, y, sample_weight), _merge), client)
    check_moments(m)
    return m


def _chunk_fold_moments(X, y, w, start, n_total, n_folds):
    """Per-fold moments of one chunk; row ``i`` is in fold ``i * K // n``."""
    n = X.shape[0]
    fold = (np.arange(start, start + n) * n_folds) // n_total
    out = []
    for k in range(n_folds):
        sel = fold == k
        out.append(_chunk_moments(X[sel], np.asarray(y)[sel],
                                  None if w is None else np.asarray(w)[sel]))
    return out


def _merge_folds(parts):
    return [_merge([p[k] for p in parts]) for k in range(len(parts[0]))]


def compute_fold_moments(X, y, sample_weight, n_folds, client=None):
    """Moments of each of ``n_folds`` contiguous row folds, in one pass.

    Row ``i`` belongs to fold ``floor(i * n_folds / n)`` (scikit-learn's
    ``KFold`` without shuffling, up to how the remainder is spread).

    Returns
    -------
    list of Moments
    """
    import dask

    n = X.shape[0]
    starts = np.concatenate(([0], np.cumsum(X.chunks[0])[:-1]))
    xs = X.to_delayed()[:, 0]
    ys = y.to_delayed()
    ws = [None] * len(xs) if sample_weight is None else list(sample_weight.to_delayed())
    leaves = [
        dask.delayed(_chunk_fold_moments, pure=False)(a, b, c, int(s), n, n_folds)
        for a, b, c, s in zip(xs, ys, ws, starts)
    ]
    folds = _compute(_tree_reduce(leaves, _merge_folds), client)
    check_moments(_merge(folds))
    return folds


def merge(parts):
    """Public alias of the exact merge, for combining fold statistics."""
    return _merge(list(parts))
