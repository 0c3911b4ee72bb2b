"""Cached factorizations for the ADMM x-update (Boyd et al. 2011, section 4.2).

The x-update of the Lasso / Elastic Net ADMM solves

    (H + rho I) x = b + rho (z - u),   H = Xc^T S Xc / n + diag(mu),
                                       b = Xc^T S yc / n,

with ``Xc`` the implicitly (weighted-)centred X. The matrix changes only
when ``rho`` does, so it is factored once and reused. Four routes, picked by
:func:`make_factor`:

``"gram"`` (``p <= n``)
    The p x p matrix ``H`` is formed once (by row blocks for dense X, one
    sparse product plus a rank-one centring correction for sparse X) and
    ``(H + rho I)^-1`` is cached; an iteration costs one p x p product and
    never touches X again.
``"woodbury"`` (dense X, ``p > n``)
    With ``A = S^(1/2) Xc / sqrt(n)`` (materialized once, float64), the
    matrix-inversion lemma needs only the n x n matrix
    ``I + A D^-1 A^T`` (``D = diag(mu) + rho I``); ``A A^T`` is cached when
    ``mu`` is uniform so a change of ``rho`` costs one n x n factorization.
``"sparse_woodbury"`` (sparse X, ``p > n``, n moderate)
    The same lemma with ``A`` kept implicit: ``X D^-1 X^T`` is one sparse
    product, and the centring adds rank-one terms to the dense n x n matrix.
``"sparse_lu"`` (sparse X, both dimensions large)
    Neither dense factor fits, so the quasi-definite augmented system
    ``[[D, B^T], [B, -I]]`` (``B = S^(1/2) X / sqrt(n)``) is factored by
    sparse LU with symmetric pivoting, keeping X's sparsity; the centring
    ``-m m^T`` is a rank-one correction (Sherman-Morrison). Quasi-definite
    matrices are strongly factorizable (Vanderbei 1995), so the symmetric
    fill-reducing ordering needs no numerical pivoting.

Every route also offers ``H @ w`` and the dense sub-matrix ``H[S, S]`` used by
the polishing step.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.linalg.blas
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from .. import _linalg
from .._kernel_time import load

__all__ = ["auto_route", "gram_columns", "gram_matrix", "linear_term", "make_factor"]


def _kern():
    """The ADMM kernels, imported (with numba) at their first use: the OSQP
    backend borrows this module's Gram helpers without them."""
    return load("lassokit.kernels.admm")


# Largest dimension of a dense factor on the sparse routes (dense n x n or
# p x p float64 of 8000^2 entries is 512 MB; 4000 keeps it at 128 MB).
_DENSE_FACTOR_MAX = 4000
# Row blocks of float64 entries when forming Gram matrices of dense X.
_BLOCK_ENTRIES = 1 << 22
# Entries of the buffer that gathers selected columns (1 MB, reused).
_GATHER_ENTRIES = 1 << 17


def _spd_inverse(M):
    """Inverse of a symmetric positive definite matrix (Cholesky, then ``potri``)."""
    c, info = scipy.linalg.lapack.dpotrf(M, lower=True, overwrite_a=False, clean=True)
    if info != 0:
        raise np.linalg.LinAlgError("matrix not positive definite")
    inv, info = scipy.linalg.lapack.dpotri(c, lower=True, overwrite_c=True)
    if info != 0:
        raise np.linalg.LinAlgError("potri failed")
    inv = np.tril(inv) + np.tril(inv, -1).T
    return np.ascontiguousarray(inv)


def _sqrt_weights(d):
    return None if d.sw is None else np.sqrt(d.sw)


def linear_term(X, d):
    """``b = Xc^T S yc / n`` in float64 (dense X centred by row blocks, no copy)."""
    syc = d.yc if d.sw is None else d.sw * d.yc
    return _linalg.centred_rmatvec(X, syc, d.x_offset) / d.n


class _Factor:
    """Common state: ``b``, ``mu``, the trace of ``H - diag(mu)`` and the cached rho."""

    route = None

    def __init__(self, b, mu, trace_g, rank):
        self.b = b
        self.mu = np.ascontiguousarray(mu, dtype=np.float64)
        self.trace_g = float(trace_g)
        self.rank = max(int(rank), 1)
        self.rho = None
        self.n_factor = 0

    def default_rho(self):
        """Mean non-zero eigenvalue of ``Xc^T S Xc / n`` plus the mean L2 strength."""
        rho = self.trace_g / self.rank + float(np.mean(self.mu))
        return rho if rho > 0 else 1.0

    def solve(self, c):
        """``(H + rho I)^-1 c`` with the cached factor."""
        raise NotImplementedError

    def steps(self, x, z, u, thresh, relax, box, n_steps):
        """``n_steps`` ADMM iterations in place (generic: one solve per step)."""
        total = 0
        rho = self.rho
        stats = (0.0,) * 5
        for _ in range(n_steps):
            x[:] = self.solve(self.b + rho * (z - u))
            *stats, ch = _kern().relaxed_z_u_update(x, z, u, thresh, relax, box)
            total += ch
        return (*stats, total)


class GramFactor(_Factor):
    """Route ``"gram"``: dense ``H`` (p x p) and the cached ``(H + rho I)^-1``."""

    route = "gram"

    def __init__(self, X, d, G=None, b=None):
        H = gram_matrix(X, d) if G is None else G
        trace_g = float(np.trace(H))
        H[np.diag_indices(d.p)] += d.mu
        super().__init__(linear_term(X, d) if b is None else b, d.mu, trace_g, min(d.n, d.p))
        self.H = H

    @classmethod
    def from_parts(cls, G, b, d):
        """Factor from a precomputed ``G = Xc^T S Xc / n`` (taken over) and ``b``."""
        return cls(None, d, G=G, b=b)

    def factor(self, rho):
        M = self.H.copy()
        M[np.diag_indices_from(M)] += rho
        self.Hinv = _spd_inverse(M)
        self.hb = self.Hinv @ self.b
        self.rho = float(rho)
        self.n_factor += 1

    def solve(self, c):
        return self.Hinv @ c

    def steps(self, x, z, u, thresh, relax, box, n_steps):
        return _kern().gram_steps(self.Hinv, self.hb, self.rho, x, z, u, thresh, relax,
                                  box, n_steps)

    def matvec(self, w):
        """``H @ w``."""
        return self.H @ w

    def sub(self, S):
        """Dense ``H[S, S]``."""
        return self.H[np.ix_(S, S)]


def gram_matrix(X, d):
    """``Xc^T S Xc / n`` (p x p, float64) for dense or sparse X."""
    n, p = X.shape
    m = d.x_offset
    if sp.issparse(X):
        Xs = sp.csc_matrix(X, dtype=np.float64)
        SX = Xs if d.sw is None else sp.diags(d.sw) @ Xs
        G = np.asarray((Xs.T @ SX).toarray(), dtype=np.float64) / n
        if d.fit_intercept:
            # sum_i s_i x_i = n m, so the centred Gram is a rank-one update.
            G -= np.outer(m, m)
        return G
    sqrt_s = _sqrt_weights(d)
    G = np.zeros((p, p), order="F")
    if X.dtype == np.float64 and sqrt_s is None and not d.fit_intercept:
        _syrk_update(G, X)
    else:
        step = max(1, _BLOCK_ENTRIES // max(p, 1))
        for start in range(0, n, step):
            blk = slice(start, min(n, start + step))
            B = np.asarray(X[blk], dtype=np.float64) - m
            if sqrt_s is not None:
                B *= sqrt_s[blk, None]
            _syrk_update(G, B)
    # syrk filled the upper triangle only.
    G = np.triu(G) + np.triu(G, 1).T
    return G / n


def gram_columns(X, d, W):
    """``Xc[:, W]^T S Xc[:, W] / n`` for dense X, without copying ``X[:, W]``.

    Row blocks of the selected columns go through one small reused buffer:
    a fresh n x |W| copy would cost more in page faults than the product.
    """
    n = X.shape[0]
    k = W.size
    m = d.x_offset[W]
    sqrt_s = _sqrt_weights(d)
    G = np.zeros((k, k), order="F")
    rows = max(1, min(n, _GATHER_ENTRIES // max(k, 1)))
    fortran = X.flags.f_contiguous and not X.flags.c_contiguous
    buf = np.empty((rows, k), order="F" if fortran else "C")
    raw = buf if (fortran or X.dtype == np.float64) else np.empty((rows, k), dtype=X.dtype)
    for start in range(0, n, rows):
        stop = min(n, start + rows)
        B = buf[: stop - start]
        if fortran:
            # Column pieces are contiguous: plain copies (np.take would first
            # copy the whole strided row block).
            for i, j in enumerate(W):
                B[:, i] = X[start:stop, j]
        else:
            Xb = np.ascontiguousarray(X[start:stop])
            np.take(Xb, W, axis=1, out=raw[: stop - start])
            if raw is not buf:
                np.copyto(B, raw[: stop - start])
        if d.fit_intercept:
            B -= m
        if sqrt_s is not None:
            B *= sqrt_s[start:stop, None]
        _syrk_update(G, B)
    G = np.triu(G) + np.triu(G, 1).T
    return G / n


def _syrk_update(G, B):
    """``G += B^T B`` (upper triangle) by BLAS ``dsyrk``: half the flops of a product.

    ``G`` is Fortran-ordered; ``B`` is used without a copy when it is C- or
    Fortran-contiguous.
    """
    if B.flags.f_contiguous:
        scipy.linalg.blas.dsyrk(1.0, B, beta=1.0, c=G, trans=1, lower=0, overwrite_c=1)
    else:
        B = np.ascontiguousarray(B)
        scipy.linalg.blas.dsyrk(1.0, B.T, beta=1.0, c=G, trans=0, lower=0, overwrite_c=1)


class WoodburyFactor(_Factor):
    """Route ``"woodbury"``: dense ``A = S^(1/2) Xc / sqrt(n)`` and an n x n inverse."""

    route = "woodbury"

    def __init__(self, X, d):
        A = np.array(X, dtype=np.float64, order="C")  # private copy, centred in place
        if d.fit_intercept:
            A -= d.x_offset
        sqrt_s = _sqrt_weights(d)
        if sqrt_s is not None:
            A *= sqrt_s[:, None]
        A /= np.sqrt(d.n)
        self.A = A
        super().__init__(linear_term(X, d), d.mu, float(np.einsum("ij,ij->", A, A)),
                         min(d.n, d.p))
        self._uniform = bool(np.all(self.mu == self.mu[0]))
        self._AAt = A @ A.T if self._uniform else None

    def factor(self, rho):
        dd = self.mu + rho
        self.dinv = 1.0 / dd
        if self._uniform:
            K = self._AAt * self.dinv[0]
        else:
            K = (self.A * self.dinv) @ self.A.T
        K[np.diag_indices_from(K)] += 1.0
        self.Minv = _spd_inverse(K)
        self.rho = float(rho)
        self.n_factor += 1

    def solve(self, c):
        out = np.empty_like(c)
        n = self.A.shape[0]
        _kern().woodbury_solve(self.A, self.A.T, self.Minv, self.dinv, c.copy(), out,
                               np.empty(n), np.empty(n))
        return out

    def steps(self, x, z, u, thresh, relax, box, n_steps):
        return _kern().woodbury_steps(self.A, self.A.T, self.Minv, self.dinv, self.b,
                                      self.rho, x, z, u, thresh, relax, box, n_steps)

    def matvec(self, w):
        return self.A.T @ (self.A @ w) + self.mu * w

    def sub(self, S):
        AS = self.A[:, S]
        G = AS.T @ AS
        G[np.diag_indices_from(G)] += self.mu[S]
        return G


class _ImplicitA:
    """``A = S^(1/2) (X - 1 m^T) / sqrt(n)`` for sparse X, never formed."""

    def __init__(self, X, d):
        self.X = sp.csr_matrix(X, dtype=np.float64)
        self.XT = self.X.T.tocsr()
        self.m = d.x_offset
        self.centre = d.fit_intercept
        self.sqrt_s = _sqrt_weights(d)
        self.scale = 1.0 / np.sqrt(d.n)

    def dot(self, v):
        t = self.X @ v
        if self.centre:
            t -= self.m @ v
        if self.sqrt_s is not None:
            t *= self.sqrt_s
        return t * self.scale

    def tdot(self, t):
        if self.sqrt_s is not None:
            t = self.sqrt_s * t
        out = self.XT @ t
        if self.centre:
            out -= self.m * t.sum()
        return out * self.scale

    def cols_gram(self, S):
        """Dense ``A[:, S]^T A[:, S]``."""
        XS = self.X[:, S]
        SXS = XS if self.sqrt_s is None else sp.diags(self.sqrt_s ** 2) @ XS
        G = np.asarray((XS.T @ SXS).toarray(), dtype=np.float64) * self.scale ** 2
        if self.centre:
            G -= np.outer(self.m[S], self.m[S])
        return G


class SparseWoodburyFactor(_Factor):
    """Route ``"sparse_woodbury"``: implicit ``A``, dense n x n ``I + A D^-1 A^T``."""

    route = "sparse_woodbury"

    def __init__(self, X, d):
        self.op = _ImplicitA(X, d)
        trace_g = float(_linalg.column_sq_norms(X, d.sw, d.x_offset).sum()) / d.n
        super().__init__(linear_term(X, d), d.mu, trace_g, min(d.n, d.p))

    def factor(self, rho):
        op = self.op
        dinv = 1.0 / (self.mu + rho)
        XD = op.X @ sp.diags(dinv)
        K = np.asarray((XD @ op.XT).toarray(), dtype=np.float64)
        if op.centre:
            v = XD @ op.m  # X D^-1 m
            K -= v[:, None]
            K -= v[None, :]
            K += float(op.m @ (dinv * op.m))
        if op.sqrt_s is not None:
            K *= op.sqrt_s[:, None]
            K *= op.sqrt_s[None, :]
        K *= op.scale ** 2
        K[np.diag_indices_from(K)] += 1.0
        self.Minv = _spd_inverse(K)
        self.dinv = dinv
        self.rho = float(rho)
        self.n_factor += 1

    def solve(self, c):
        e = self.dinv * c
        return e - self.dinv * self.op.tdot(self.Minv @ self.op.dot(e))

    def matvec(self, w):
        return self.op.tdot(self.op.dot(w)) + self.mu * w

    def sub(self, S):
        G = self.op.cols_gram(S)
        G[np.diag_indices_from(G)] += self.mu[S]
        return G


class SparseLUFactor(_Factor):
    """Route ``"sparse_lu"``: sparse LU of the quasi-definite augmented system."""

    route = "sparse_lu"

    def __init__(self, X, d):
        self.op = _ImplicitA(X, d)
        B = self.op.X if self.op.sqrt_s is None else sp.diags(self.op.sqrt_s) @ self.op.X
        self.B = sp.csc_matrix(B * self.op.scale)
        trace_g = float(_linalg.column_sq_norms(X, d.sw, d.x_offset).sum()) / d.n
        super().__init__(linear_term(X, d), d.mu, trace_g, min(d.n, d.p))

    def factor(self, rho):
        n = self.B.shape[0]
        K = sp.bmat([[sp.diags(self.mu + rho), self.B.T], [self.B, -sp.identity(n)]],
                    format="csc")
        self.lu = spla.splu(K, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0,
                            options={"SymmetricMode": True})
        self.rho = float(rho)
        self.n_factor += 1
        self._rank_one = None
        if self.op.centre:
            mm = self._solve_uncentred(self.op.m)
            denom = 1.0 - float(self.op.m @ mm)
            self._rank_one = (mm, denom)

    def _solve_uncentred(self, c):
        n = self.B.shape[0]
        rhs = np.concatenate([c, np.zeros(n)])
        return self.lu.solve(rhs)[: c.shape[0]]

    def solve(self, c):
        x = self._solve_uncentred(c)
        if self._rank_one is not None:
            # (M - m m^T)^-1 c = M^-1 c + M^-1 m (m^T M^-1 c) / (1 - m^T M^-1 m)
            mm, denom = self._rank_one
            x = x + mm * (float(self.op.m @ x) / denom)
        return x

    def matvec(self, w):
        return self.op.tdot(self.op.dot(w)) + self.mu * w

    def sub(self, S):
        G = self.op.cols_gram(S)
        G[np.diag_indices_from(G)] += self.mu[S]
        return G


def auto_route(X):
    """The route ``"auto"`` picks for X (see the module docstring)."""
    n, p = X.shape
    if not sp.issparse(X):
        return "gram" if p <= n else "woodbury"
    if p <= n and p <= _DENSE_FACTOR_MAX:
        return "gram"
    if n < p and n <= _DENSE_FACTOR_MAX:
        return "sparse_woodbury"
    return "sparse_lu"


def make_factor(X, d, route="auto"):
    """Build the x-update factor for ``route`` (see the module docstring).

    Parameters
    ----------
    X : ndarray or sparse matrix
    d : _Design
    route : {"auto", "gram", "woodbury", "sparse_woodbury", "sparse_lu"}

    Returns
    -------
    _Factor
        Not yet factored: call ``factor(rho)``.
    """
    sparse = sp.issparse(X)
    if route == "auto":
        route = auto_route(X)
    if route in ("sparse_woodbury", "sparse_lu") and not sparse:
        raise ValueError(f"factorization={route!r} needs a sparse X; use 'gram' or 'woodbury'.")
    if route == "woodbury" and sparse:
        route = "sparse_woodbury"
    cls = {"gram": GramFactor, "woodbury": WoodburyFactor,
           "sparse_woodbury": SparseWoodburyFactor, "sparse_lu": SparseLUFactor}[route]
    return cls(X, d)
