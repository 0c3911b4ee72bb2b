"""The prepared data of a problem with a coefficient matrix (or a group penalty).

One record, :class:`MatrixDesign`, holds what the solver, the certificate
and the CVXPY reference share: X as the kernels read it (column-major dense
or CSC, never centred in place), the weighted column means that centre it
implicitly, the K target columns (centred when an intercept is fitted), the
normalized sample weights and the penalty's block layout. Everything is
derived afresh from the problem's arrays at each call, as for a scalar
Problem.

Products with the implicitly centred design go through :func:`xw` and
:func:`xtm`: dense X is centred block by block before the product, so a
column with a mean of 1e9 and a unit spread keeps its digits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .. import _linalg

__all__ = ["DesignBase", "MatrixDesign", "fortran", "make_matrix_design", "xtm", "xw"]

#: Entries of X per row block of a centred product (8 MiB of float64).
_BLOCK = 1 << 20


@dataclass(frozen=True)
class DesignBase:
    """What every matrix design holds: X as the kernels read it, the weights, the
    centres, the penalty's blocks and the scale of the relative gap."""

    X: object
    n: int
    p: int
    K: int
    #: (n,) normalized weights summing to n; None for equal weights.
    sw: np.ndarray | None
    #: (p,) weighted column means (zeros without intercept).
    x_offset: np.ndarray
    fit_intercept: bool
    layout: object
    #: ``P(0, b0)``, the scale of the relative gap.
    p0: float
    #: Products may use ``X^T M - x_offset (1^T M)``: no column's mean is
    #: large next to its spread (else dense X is centred block by block).
    plain_products: bool
    #: (p,) weighted squared norms of the centred columns (dense X with
    #: centring), or None: shared by the Lipschitz constants.
    col_sq: np.ndarray | None

    @property
    def h(self):
        """(n,) sample weights (ones when None)."""
        return np.ones(self.n) if self.sw is None else self.sw

    @property
    def sparse(self):
        """bool: X is a scipy.sparse matrix (CSC)."""
        return sp.issparse(self.X)


@dataclass(frozen=True)
class MatrixDesign(DesignBase):
    """Float64 quantities of one call on a squared-loss matrix problem (see the module doc).

    Attributes
    ----------
    Y : ndarray of shape (n, K)
        The target in float64, centred by its weighted means when an
        intercept is fitted.
    y_offset : ndarray of shape (K,)
        Those means (zeros without intercept).
    """

    Y: np.ndarray
    y_offset: np.ndarray


def kernel_X(X):
    """X for the design: CSC when sparse (the kernels read columns); dense X as given.

    Dense X is put in column-major order only by the residual kernels that
    need it (:func:`fortran`), and only when they run: Gram solves and the
    certificate take X in any order, so a C-ordered X is copied at most
    once per solve, and often never.
    """
    if sp.issparse(X):
        return X if X.format == "csc" else X.tocsc()
    return X


def fortran(X):
    """Dense X in column-major order (a copy only when it is not already)."""
    return X if X.flags.f_contiguous else np.asfortranarray(X)


def make_matrix_design(X, Y, sw, fit_intercept, layout, *, centre_y=True):
    """The :class:`MatrixDesign` of data already validated by the problem.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n, p)
    Y : ndarray of shape (n, K)
    sw : ndarray of shape (n,) or None
        Weights normalized to sum to n.
    fit_intercept : bool
    layout : GroupLayout
    centre_y : bool
        Centre Y by its weighted means (least squares with an intercept).
    """
    X = kernel_X(X)
    n, p = X.shape
    Y = np.asarray(Y, dtype=np.float64)
    K = Y.shape[1]
    if fit_intercept:
        xm = _linalg.weighted_column_means(X, sw)
    else:
        xm = np.zeros(p)
    if fit_intercept and centre_y:
        h = np.full(n, 1.0 / n) if sw is None else sw / n
        ym = h @ Y
        # A corrective pass, as for the column means: the first sum carries
        # n eps |mean| of error, which a target with a large mean and a
        # small spread would read as signal.
        ym = ym + h @ (Y - ym)
        Yc = Y - ym
    else:
        ym = np.zeros(K)
        Yc = Y
    hh = np.ones(n) if sw is None else sw
    p0 = 0.5 * float(np.einsum("ik,ik,i->", Yc, Yc, hh)) / n if centre_y else float("nan")
    plain, sq = plain_products(X, xm, sw)
    return MatrixDesign(X, n, p, K, sw, xm, bool(fit_intercept), layout, p0, plain, sq, Yc, ym)


def plain_products(X, xm, sw):
    """Whether ``X^T M - xm (1^T M)`` keeps the digits of the centred product.

    Its error is about ``eps n |xm_j| |M|`` against a value of ``sd_j |M|
    sqrt(n)``: harmless unless a mean is large next to its column's spread
    (1e9 + noise). Sparse X always takes the two-term form (centring would
    densify it); its columns are mostly zeros, so their means are small.

    Returns ``(flag, squared centred column norms or None)``.
    """
    if sp.issparse(X) or not np.any(xm):
        return True, None
    sq = _linalg.column_sq_norms(X, sw, xm)
    return bool(np.all(np.abs(xm) <= 1e3 * np.sqrt(sq / X.shape[0]))), sq


def xw(d, W):
    """``(X - 1 x_offset^T) @ W`` in float64, shape (n, K)."""
    X, xm = d.X, d.x_offset
    W = np.asarray(W, dtype=np.float64)
    if sp.issparse(X):
        return np.asarray(X @ W, dtype=np.float64) - (xm @ W)[None, :]
    rows = np.flatnonzero(np.any(W != 0, axis=1))
    if rows.size == 0:
        return np.zeros((d.n, W.shape[1]))
    Ws, ms = W[rows], xm[rows]
    plain = _plain(d, X, ms)
    if plain and rows.size < d.p and _in_place(X):
        from ..kernels.col_products import cols_dot  # numba: loaded on first use

        return cols_dot(X, rows, np.ascontiguousarray(Ws)) - (ms @ Ws)[None, :]
    Xs = X[:, rows] if rows.size < d.p else X
    if plain:
        return Xs @ Ws - (ms @ Ws)[None, :]
    out = np.empty((d.n, W.shape[1]))
    step = max(1, _BLOCK // max(rows.size, 1))
    for start in range(0, d.n, step):
        blk = slice(start, min(d.n, start + step))
        out[blk] = (np.asarray(Xs[blk], dtype=np.float64) - ms) @ Ws
    return out


def xtm(d, M, features=None):
    """``(X - 1 x_offset^T)[:, features]^T @ M`` in float64, shape (len(features), K)."""
    X, xm = d.X, d.x_offset
    M = np.asarray(M, dtype=np.float64)
    if features is not None:
        xm = xm[features]
        if _in_place(X) and _plain(d, X, xm):
            from ..kernels.col_products import cols_t_dot  # numba: loaded on first use

            return cols_t_dot(X, np.asarray(features, dtype=np.int64),
                              np.ascontiguousarray(M)) - np.outer(xm, M.sum(axis=0))
        X = X[:, features]
    if sp.issparse(X):
        return np.asarray(X.T @ M, dtype=np.float64) - np.outer(xm, M.sum(axis=0))
    if _plain(d, X, xm):
        return X.T @ M - np.outer(xm, M.sum(axis=0))
    out = np.zeros((X.shape[1], M.shape[1]))
    step = max(1, _BLOCK // max(X.shape[1], 1))
    for start in range(0, d.n, step):
        blk = slice(start, min(d.n, start + step))
        out += (np.asarray(X[blk], dtype=np.float64) - xm).T @ M[blk]
    return out


def _plain(d, X, xm):
    """Whether the two-term product ``X^T M - xm (1^T M)`` is exact enough (float64 X)."""
    return X.dtype == np.float64 and (d.plain_products or not np.any(xm))


def _in_place(X):
    """Dense and column-major: column subsets are read in place, not copied."""
    return not sp.issparse(X) and X.flags.f_contiguous


def residual(d, W):
    """``Y - Xc W`` for the squared loss (the centred target less the centred fit)."""
    return d.Y - xw(d, W)


def datafit(d, R):
    """``1/(2n) sum_i s_i ||R_i||^2``."""
    return 0.5 * float(np.einsum("ik,ik,i->", R, R, d.h)) / d.n


def column_max(X):
    """``max_i |x_ij|`` per column (two passes, no copy of X)."""
    if sp.issparse(X):
        out = np.zeros(X.shape[1])
        Xc = X.tocsc()
        for j in range(X.shape[1]):
            seg = Xc.data[Xc.indptr[j]:Xc.indptr[j + 1]]
            if seg.size:
                out[j] = float(np.max(np.abs(seg)))
        return out
    return np.maximum(np.abs(X.max(axis=0)), np.abs(X.min(axis=0))).astype(np.float64)


def drop_rounding_lips(lips, layout, colmax, weight_max):
    """Zero the Lipschitz constants of blocks that are constant to within rounding.

    A constant column centred by its (rounded) mean keeps entries of about
    ``eps |x|``: its constant is ``~eps^2 x^2``, and the kernels' step ``1 /
    L`` would turn rounding into coefficients. Below ``(64 eps)^2`` times the
    block's largest squared entry (times the largest weight) a block is
    treated as constant: its coefficients stay 0.
    """
    if lips.size == 0:
        return lips
    sq = colmax[layout.gidx] ** 2
    top = np.maximum.reduceat(sq, layout.gptr[:-1]) * weight_max
    floor = (64.0 * np.finfo(float).eps) ** 2 * top
    out = lips.copy()
    out[out <= floor[:, None]] = 0.0
    return out
