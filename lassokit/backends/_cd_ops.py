"""Storage adapters for the ``"cd"`` backend: one small class per layout of X.

Each adapter exposes the same operations to the solver in ``cd.py`` —
column norms, residual, correlations, the working-set inner solve and the
working-set Gram matrix — and hides which numba kernel does the work. Each
adapter imports its own storage's kernel module when it is built (a dense
solve never imports the sparse kernels), through
:func:`lassokit._kernel_time.load`, so that numba is imported at the first
solve, not by ``import lassokit``, and that import is not counted as solve
time.

X is converted at most once to the kernel's layout (C-ordered dense to
Fortran, CSR to CSC) and never upcast or densified as a whole. The only
other buffers holding entries of X are working-set sized: a compact copy of
the set's columns (only when they hold at most half of X's entries; scattered
columns are latency-bound and compact epochs measured 1.5-4x faster) and
row blocks of at most 32 MB while forming Gram matrices.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg.blas as blas
import scipy.sparse as sp

from .._box import kbox
from .._kernel_time import load

# Working sets whose columns hold at most this share of X's entries are
# copied to a compact buffer for the inner solve.
_COMPACT_SHARE = 0.5
# A float64 row block of X used while forming Gram matrices holds at most
# this many entries (32 MB).
_BLOCK_ENTRIES = 1 << 22


def _readonly(a):
    # One numba signature per dtype: every X array, and every other array a
    # kernel only reads, reaches the kernels read-only (a writable and a
    # read-only argument would compile a kernel twice).
    v = a.view()
    v.flags.writeable = False
    return v


def kernels(name):
    """The kernel module ``lassokit.kernels.<name>``, imported on first use."""
    return load(f"lassokit.kernels.{name}")


def vanishing(L, x_off):
    """Columns whose centred norm is rounding noise: constant columns.

    ``L_j`` is computed from ``x_ij - x_off_j`` directly, so a truly
    constant column leaves only the rounding of the mean, ``~eps |x_off_j|``
    per entry; anything above ``(64 eps x_off_j)^2`` is a real spread, however
    large the mean (timestamps, prices: std / mean of 1e-12 is still data).
    """
    # Compared as norms, not squares: (64 eps x_off)^2 overflows to inf for
    # |x_off| > 1e152 and then classed a column with one entry of 1e306 as
    # constant (its coefficient frozen at 0, its correlation ignored by the
    # solver's own gap: a false "optimal"). An infinite L (squares past the
    # float range) is a spread, never a constant.
    return np.sqrt(L) <= 64.0 * np.finfo(np.float64).eps * np.abs(x_off)


def make_ops(X, design):
    """The adapter for ``X`` (dense or sparse) and the problem's ``design``."""
    if sp.issparse(X):
        return SparseOps(X, design)
    return DenseOps(X, design)


class _Ops:
    """What both storages share: weights, offsets and the Gram cache."""

    def __init__(self, design, dtype):
        self.n, self.p = design.n, design.p
        self.dtype = dtype
        self.has_sw = design.sw is not None
        self.sw = _readonly(design.sw if self.has_sw else np.ones(1))
        self.x_off = _readonly(np.ascontiguousarray(design.x_offset, dtype=np.float64))
        self.yc = _readonly(np.ascontiguousarray(design.yc, dtype=np.float64))
        self.c0 = 2.0 * design.p0
        self._gram_ws = None
        self._gram = None

    def gradient(self, q, feats):
        """``xc_j^T S q / n`` for ``j`` in ``feats``."""
        sq = q * self.sw if self.has_sw else q
        out = np.empty(feats.shape[0])
        self._gradient(_readonly(np.ascontiguousarray(sq)), float(sq.sum()), feats, out)
        return out

    def norms_and_gradient(self, q):
        """Column Lipschitz constants ``||xc_j||_S^2 / n`` and ``gradient(q, all)``, one pass.

        Columns that are constant up to rounding get ``L = 0`` exactly, so
        they stay at 0 (see :func:`vanishing`).
        """
        sq = _readonly(np.ascontiguousarray(q * self.sw if self.has_sw else q))
        L, u = np.empty(self.p), np.empty(self.p)
        self._norms_and_gradient(sq, float(sq.sum()), L, u)
        L[vanishing(L, self.x_off)] = 0.0
        return L, u

    def gram(self, ws):
        """``(G, b)`` of the working set, reusing the entries of the previous one."""
        m = ws.shape[0]
        G = np.empty((m, m))
        old_ws = self._gram_ws
        if old_ws is None:
            new_pos = np.arange(m)
        else:
            pos_old = np.searchsorted(old_ws, ws)
            pos_old = np.minimum(pos_old, old_ws.shape[0] - 1)
            kept = old_ws[pos_old] == ws
            new_pos = np.flatnonzero(~kept)
            kp = np.flatnonzero(kept)
            G[np.ix_(kp, kp)] = self._gram[np.ix_(pos_old[kp], pos_old[kp])]
        if new_pos.size:
            cross = self._cross(ws, new_pos)  # (m, len(new_pos))
            G[:, new_pos] = cross
            G[new_pos, :] = cross.T
        self._gram_ws, self._gram = ws, G
        b = self.gradient(self.yc, ws)
        return G, b

    def gram_build_cost(self, ws):
        """Multiply-adds to bring the cached Gram matrix to ``ws``."""
        old = self._gram_ws
        if old is None:
            return self.epoch_cost(ws) * ws.shape[0]
        pos = np.minimum(np.searchsorted(old, ws), old.shape[0] - 1)
        return self.epoch_cost(ws) * int(np.count_nonzero(old[pos] != ws))

    def forget_gram(self):
        """Drop the cached Gram matrix (it can be large)."""
        self._gram_ws = self._gram = None

    def inner(self, ws, w, r, lam, mu, L, box, tol_in, floor, max_epochs, K, check_every):
        """Coordinate descent on the working set ``ws``; ``w`` and ``r`` updated in place.

        Small sets run on a compact copy of their columns (at most
        ``_COMPACT_SHARE`` of X's size): scattered columns are latency-bound.
        """
        wl = w[ws]
        ep, gap = self._inner(ws, wl, r, self.x_off[ws], lam[ws], mu[ws], L[ws], kbox(box[:, ws]),
                              tol_in, floor, max_epochs, K, check_every)
        w[ws] = wl
        return ep, gap


class DenseOps(_Ops):
    """Dense X, column-major, float32 or float64."""

    kind = "dense"

    def __init__(self, X, design):
        super().__init__(design, X.dtype)
        self._given = X
        self._X = None
        self._k = kernels("cd_dense")

    @property
    def X(self):
        """X in column-major order, converted on first use (the one allowed conversion).

        A path solved in feature space only needs the Gram matrix, which
        :meth:`_cross` forms in any layout: a C-ordered X is then never
        transposed (0.5 s for 200,000 x 200).
        """
        if self._X is None:
            X = self._given
            self._X = _readonly(X if X.flags.f_contiguous else np.asfortranarray(X))
        return self._X

    def _norms_and_gradient(self, sq, sq_sum, L, u):
        self._k.norms_and_gradient(self.X, self.sw, self.has_sw, self.x_off, sq, sq_sum, L, u)

    def residual(self, w, supp):
        out = np.empty(self.n)
        self._k.residual(self.X, self.yc, _readonly(w), supp, self.x_off, out)
        return out

    def _gradient(self, sq, sq_sum, feats, out):
        self._k.gradient(self.X, feats, sq, sq_sum, self.x_off, out)

    def epoch_cost(self, ws):
        return self.n * ws.shape[0]

    def _inner(self, ws, wl, r, xo, lam, mu, L, box, tol_in, floor, max_epochs, K,
               check_every):
        X, cols = self.X, ws
        if ws.shape[0] <= _COMPACT_SHARE * self.p:
            X, cols = _readonly(np.asfortranarray(self.X[:, ws])), np.arange(ws.shape[0])
        return self._k.inner_solve(X, cols, wl, r, self.yc, self.sw, self.has_sw, xo, lam, mu,
                                   L, box, tol_in, floor, max_epochs, K, check_every)

    def _cross(self, ws, new_pos):
        # Xc_ws^T S Xc_new / n by row blocks: bounded memory, BLAS speed,
        # exact centring of each block (no x_off x_off^T cancellation).
        X = self._X if self._X is not None else self._given  # any layout will do
        n, m = self.n, ws.shape[0]
        full = new_pos.shape[0] == m
        out = np.zeros((m, new_pos.shape[0]), order="F" if full else "C")
        step = max(1, _BLOCK_ENTRIES // max(m, 1))
        sqrt_s = np.sqrt(self.sw) if self.has_sw else None
        xo = self.x_off[ws]
        every = m == self.p  # ws is every column (sorted): no gather
        if full and every and sqrt_s is None and X.dtype == np.float64 and not xo.any() \
                and (X.flags.f_contiguous or X.flags.c_contiguous):
            # Nothing to centre or weigh: one syrk reads X in place (no block
            # copies; 0.27 -> 0.2 s at 200,000 x 200).
            if X.flags.f_contiguous:
                out = blas.dsyrk(1.0, X, trans=1, lower=0)
            else:
                out = blas.dsyrk(1.0, X.T, trans=0, lower=0)
            n_done = n
        else:
            n_done = 0
        for start in range(n_done, n, step):
            blk = slice(start, min(n, start + step))
            # One pass makes a fresh float64 block, centred, in X's layout.
            B = (X[blk] if every else X[blk][:, ws]) - xo
            if sqrt_s is not None:
                B *= sqrt_s[blk, None]
            if full:
                # syrk reads a Fortran-ordered operand in place: B itself, or
                # the transpose of a C-ordered B.
                if B.flags.f_contiguous:
                    out = blas.dsyrk(1.0, B, trans=1, beta=1.0, c=out, lower=0, overwrite_c=1)
                else:
                    out = blas.dsyrk(1.0, np.ascontiguousarray(B).T, trans=0, beta=1.0, c=out,
                                     lower=0, overwrite_c=1)
            else:
                out += B.T @ B[:, new_pos]
        if full:
            out = np.triu(out) + np.triu(out, 1).T
        out /= n
        return out


class SparseOps(_Ops):
    """CSC X (CSR is converted once), float32 or float64; never densified."""

    kind = "sparse"

    def __init__(self, X, design):
        super().__init__(design, X.dtype)
        if X.format != "csc":
            X = X.tocsc()  # the one allowed conversion of X
        self.X = X
        self.data = _readonly(X.data)
        self.indices = _readonly(X.indices)
        self.indptr = _readonly(X.indptr)
        self._nnz = np.diff(X.indptr)
        self._k = kernels("cd_sparse")

    def _norms_and_gradient(self, sq, sq_sum, L, u):
        self._k.norms_and_gradient(self.data, self.indices, self.indptr, float(self.n), self.sw,
                                   self.has_sw, self.x_off, sq, sq_sum, L, u)

    def residual(self, w, supp):
        out = np.empty(self.n)
        self._k.residual(self.data, self.indices, self.indptr, self.yc, _readonly(w), supp,
                         self.x_off, out)
        return out

    def _gradient(self, sq, sq_sum, feats, out):
        self._k.gradient(self.data, self.indices, self.indptr, float(self.n), feats, sq, sq_sum,
                         self.x_off, out)

    def epoch_cost(self, ws):
        return int(self._nnz[ws].sum()) + ws.shape[0]

    def _inner(self, ws, wl, r, xo, lam, mu, L, box, tol_in, floor, max_epochs, K,
               check_every):
        data, indices, indptr, cols = self.data, self.indices, self.indptr, ws
        if self._nnz[ws].sum() <= _COMPACT_SHARE * self.data.shape[0]:
            sub = self.X[:, ws]
            data, indices, indptr = (_readonly(a) for a in (sub.data, sub.indices, sub.indptr))
            cols = np.arange(ws.shape[0])
        return self._k.inner_solve(data, indices, indptr, cols, wl, r, self.yc, self.sw,
                                   self.has_sw, xo, lam, mu, L, box, tol_in, floor,
                                   max_epochs, K, check_every)

    def _cross(self, ws, new_pos):
        Xw = self.X[:, ws].astype(np.float64)  # ws columns only; float32 products lose digits
        if self.has_sw:
            Xs = sp.diags(self.sw) @ Xw[:, new_pos]
        else:
            Xs = Xw[:, new_pos]
        out = np.asarray((Xw.T @ Xs).toarray(), dtype=np.float64)
        # sum_i s_i (x - xo)(x' - xo') = sum_i s_i x x' - n xo xo' (weighted means).
        out -= self.n * np.outer(self.x_off[ws], self.x_off[ws[new_pos]])
        out /= self.n
        return out


def gram_inner(G, b, c0, w_local, lam, mu, L, box, tol_in, floor, max_epochs, K,
               check_every):
    """The working-set loop's Gram subproblem solve (``w_local`` updated in place).

    Straight to :func:`lassokit.kernels.cd_gram.inner_solve`, so that a
    first single solve compiles that solver alone, not the path kernel
    around it (:func:`gram_solve`); a path later links the same compiled
    solver (same argument types: float64 C-ordered, writable). At least one
    gap-check period runs. Non-finite coefficients are reset to 0, as the
    path kernel does. Returns the epochs run.
    """
    lam, mu, L = (np.array(a, dtype=np.float64) for a in (lam, mu, L))
    ep, _ = kernels("cd_gram").inner_solve(
        np.ascontiguousarray(G), np.array(b, dtype=np.float64), float(c0), w_local, lam, mu, L,
        kbox(box), float(tol_in), float(floor), int(max_epochs), int(K), int(check_every))
    if not np.isfinite(w_local).all():
        w_local[:] = 0.0
    return int(ep)


def gram_solve(G, b, c0, w_local, lam, mu, L, box, tol_in, floor, max_epochs, K,
               check_every, check_first=False):
    """Run the Gram solver on one strength and certify it (``w_local`` updated in place).

    Through :func:`lassokit.kernels.cd_gram_path.gram_path` with one
    strength (a path's step, the GPU backend's feature-space solve).
    Returns ``(epochs, gap)``, the gap certified at the end.
    ``check_first``: return at once (0 epochs) if ``w_local`` already meets
    ``tol_in``; by default at least one gap-check period runs.
    """
    gram_path = kernels("cd_gram_path").gram_path
    # Writable float64 copies: one compiled signature for every caller.
    lam, mu, L = (np.array(a, dtype=np.float64) for a in (lam, mu, L))
    coef = np.empty((b.shape[0], 1))
    gaps, epochs = np.empty(1), np.zeros(1, dtype=np.int64)
    gram_path(np.ascontiguousarray(G), np.array(b, dtype=np.float64), float(c0), L, lam, mu,
              _ONE, 1.0, 1.0, kbox(box), 2.0 * tol_in, float(floor), int(max_epochs),
              int(K), int(check_every), False, bool(check_first), w_local, coef, gaps,
              epochs)
    return int(epochs[0]), float(gaps[0])


_ONE = np.ones(1)
