"""Float64-accurate products with X, whatever its storage and dtype.

The certificate must be accurate even when X is float32, but float32 X must
not be copied whole into float64: dense float32 products are done by row
blocks of bounded size, each block upcast on its own.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

# A float64 block of X holds at most this many entries (64 MB).
_BLOCK_ENTRIES = 1 << 23
# Scratch of the corrective pass of the column means (1 MB: no copy of X).
_CORR_ENTRIES = 1 << 17


def _row_blocks(X):
    n, p = X.shape
    step = max(1, _BLOCK_ENTRIES // max(p, 1))
    for start in range(0, n, step):
        yield slice(start, min(n, start + step))


def matvec(X, w):
    """``X @ w`` in float64."""
    w = np.asarray(w, dtype=np.float64)
    if sp.issparse(X) or X.dtype == np.float64:
        return np.asarray(X @ w, dtype=np.float64).ravel()
    out = np.empty(X.shape[0], dtype=np.float64)
    for blk in _row_blocks(X):
        out[blk] = X[blk].astype(np.float64) @ w
    return out


def rmatvec(X, r):
    """``X.T @ r`` in float64."""
    r = np.asarray(r, dtype=np.float64)
    if sp.issparse(X) or X.dtype == np.float64:
        return np.asarray(X.T @ r, dtype=np.float64).ravel()
    out = np.zeros(X.shape[1], dtype=np.float64)
    for blk in _row_blocks(X):
        out += X[blk].astype(np.float64).T @ r[blk]
    return out


def _kernel_layout(X):
    return (isinstance(X, np.ndarray) and X.ndim == 2 and X.flags.f_contiguous
            and X.dtype in (np.float32, np.float64))


def _ro(a):
    # Read-only views: the kernels are compiled for read-only inputs only.
    v = a.view()
    v.flags.writeable = False
    return v


def centred_matvec(X, w, offset):
    """``(X - offset) @ w`` in float64, centred before the product for dense X.

    ``X @ w - offset @ w`` loses ``~eps |offset| |w|`` to cancellation: on a
    column with mean 1e9 and unit spread that is all the digits of the
    centred product. Dense X is therefore centred block by block (bounded
    scratch, no copy of X). Sparse X keeps the two-term form: centring would
    densify it, and a sparse column is mostly zeros, so its mean is not
    large next to its spread.
    """
    w = np.asarray(w, dtype=np.float64)
    if sp.issparse(X):
        return matvec(X, w) - float(offset @ w)
    if _kernel_layout(X):
        # Column-major X (the coordinate-descent layout, and a Problem's own
        # copy): the compiled residual kernel centres entry by entry in one
        # pass over the support's columns only, with no scratch -- also
        # without offsets, where a sparse solution then costs a fraction of
        # a full ``X @ w``.
        from .kernels import cd_dense

        out = np.empty(X.shape[0])
        cd_dense.residual(_ro(X), _ro(np.zeros(X.shape[0])), _ro(w), np.flatnonzero(w),
                          _ro(np.ascontiguousarray(offset, dtype=np.float64)), out)
        return -out
    if not np.any(offset):
        return matvec(X, w)
    out = np.empty(X.shape[0], dtype=np.float64)
    for blk in _row_blocks(X):
        out[blk] = (X[blk] - offset) @ w
    return out


def centred_rmatvec(X, q, offset):
    """``(X - offset).T @ q`` in float64 (dense X centred by row blocks, as above)."""
    q = np.asarray(q, dtype=np.float64)
    if sp.issparse(X) or not np.any(offset):
        return rmatvec(X, q) - offset * q.sum()
    if _kernel_layout(X):
        from .kernels import cd_dense

        n, p = X.shape
        out = np.empty(p)
        qc = _ro(np.ascontiguousarray(q))
        cd_dense.gradient(_ro(X), np.arange(p), qc, float(q.sum()),
                          _ro(np.ascontiguousarray(offset, dtype=np.float64)), out)
        return out * n  # the kernel returns the product divided by n
    out = np.zeros(X.shape[1], dtype=np.float64)
    for blk in _row_blocks(X):
        out += (X[blk] - offset).T @ q[blk]
    return out


def columns(X, idx):
    """Columns ``idx`` of X as a dense float64 (n, len(idx)) array."""
    sub = X[:, idx]
    if sp.issparse(sub):
        sub = sub.toarray()
    return np.asarray(sub, dtype=np.float64)


def weighted_column_means(X, sw):
    """Column means of X weighted by ``sw`` (which sums to n), or plain means.

    Dense X gets a second, corrective pass ``m += sum_i s_i (x_ij - m_j) / n``
    by row blocks: the first sum carries an error of up to ``n eps |m|``,
    which on a column with a large mean (1e9 + small spread) would pass for
    a spread of its own; after the correction the error is ``~eps |m|``.
    """
    n = X.shape[0]
    # Weights divided by n before the sums: every partial sum is then bounded
    # by max|x_ij| and cannot overflow (entries near 1.8e308 gave an
    # infinite mean, hence a NaN intercept).
    weights = np.full(n, 1.0 / n) if sw is None else sw / n
    m = rmatvec(X, weights)
    if sp.issparse(X):
        return m
    corr = np.zeros_like(m)
    step = max(1, _CORR_ENTRIES // max(X.shape[1], 1))
    with np.errstate(over="ignore", invalid="ignore"):
        # x - m can reach 2 max|x| (mixed signs): an overflow there only
        # loses the correction, never the mean.
        for start in range(0, n, step):
            blk = slice(start, min(n, start + step))
            corr += weights[blk] @ (X[blk] - m)
    return m + corr if np.all(np.isfinite(corr)) else m


def column_sq_norms(X, sw=None, offset=None):
    """Weighted squared norms of the (implicitly centred) columns of X.

    Computes ``sum_i sw_i (X_ij - offset_j)**2`` in float64 without forming
    the centred matrix (dense X: by centred row blocks; sparse X: expanded,
    its columns being mostly zeros).
    """
    n, p = X.shape
    weights = np.ones(n) if sw is None else np.asarray(sw, dtype=np.float64)
    if offset is not None and not sp.issparse(X) and np.any(offset):
        # Dense: centred by row blocks. The expanded form below would cancel
        # the digits of a column with a large mean and a small spread.
        sq = np.zeros(p)
        for blk in _row_blocks(X):
            B = X[blk] - offset
            sq += np.einsum("ij,ij,i->j", B, B, weights[blk])
        return sq
    if sp.issparse(X):
        Xc = X.tocsc()
        sq = np.asarray(Xc.multiply(Xc).T @ weights, dtype=np.float64).ravel()
    elif X.dtype == np.float64:
        sq = np.einsum("ij,ij,i->j", X, X, weights)
    else:
        sq = np.zeros(p)
        for blk in _row_blocks(X):
            B = X[blk].astype(np.float64)
            sq += np.einsum("ij,ij,i->j", B, B, weights[blk])
    if offset is not None:
        # sum w (x - m)^2 = sum w x^2 - 2 m sum w x + m^2 sum w, and sum w x = n m.
        total = weights.sum()
        sq = sq - 2.0 * offset * (offset * n) + offset * offset * total
        sq = np.maximum(sq, 0.0)
    return sq
