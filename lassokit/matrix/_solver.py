"""Block coordinate descent for matrix and group problems, squared loss.

The outer loop is the one the scalar solver uses, for blocks (Massias et
al., 2018; Bertrand et al., 2022):

1. certify the current ``W`` (residual recomputed, the independent value
   wins over the kernel's running one);
2. drop the blocks that Gap Safe rules prove zero (Ndiaye et al., 2017);
3. build a working set: the blocks in the model, the blocks that cannot be
   zero (no L1 or group term), and the unscreened blocks that violate
   their dual constraint the most, in units of their Lipschitz constant;
4. solve the working set with block epochs of
   :mod:`lassokit.kernels.bcd`, extrapolated every few epochs by Anderson
   acceleration (Bertrand & Massias, 2021) when that lowers the objective,
   until its own gap is a fraction of the outer one.
"""

from __future__ import annotations

from dataclasses import replace as _dc_replace

import numpy as np

from .. import _linalg
from ..group import layout_value
from ..kernels import bcd
from ._design import column_max, datafit, drop_rounding_lips, fortran, residual, xtm, xw
from ._dual import (
    best_scale,
    certify_squared,
    conjugate,
    feasible_scales,
    screen,
    violation,
)

__all__ = ["BlockState", "solve_squared"]

#: Anderson extrapolation from this many consecutive epochs.
_ANDERSON = 5
#: The working set's gap is checked every this many epochs.
_CHECK = 10
#: A working set is solved until its gap is this share of the outer gap.
_INNER_SHARE = 0.3
_MAX_OUTER = 200
#: The first working set's size (in blocks).
_WS_START = 10
#: Working sets of at most this many features may be solved on their Gram matrix.
_GRAM_MAX = 4096


class BlockState:
    """Kernel inputs of one design: X's parts, weights, centres, Lipschitz constants."""

    def __init__(self, d):
        self.d = d
        lay = d.layout
        self.H = np.ascontiguousarray(d.h[:, None])
        self.xm = np.ascontiguousarray(d.x_offset[:, None])
        self._Xf = None
        if d.sparse:
            X = d.X
            self.hx = np.ascontiguousarray(np.asarray(X.T @ d.h, dtype=np.float64)[:, None])
        # Singletons: the centred column norms (any memory order of X); groups:
        # the largest eigenvalue of their Gram, whose eigendecomposition also
        # gives the exact group steps.
        sq = d.col_sq if d.col_sq is not None else \
            _linalg.column_sq_norms(d.X, d.sw, d.x_offset)
        lips = sq[lay.gidx[lay.gptr[:-1]]] / d.n
        # Blocks of several features are decomposed when they first join a working
        # set (prepare): most never do. Until then the trace of their Gram, an upper
        # bound of its largest eigenvalue, is their constant (safe for screening).
        self._pending = lay.sizes > 1
        if np.any(self._pending):
            from ..kernels._block_gram import eigen_layout

            lips[self._pending] = np.add.reduceat(sq[lay.gidx], lay.gptr[:-1])[
                self._pending] / d.n
            self.eigen = eigen_layout(lay.gptr, self._pending)
        else:
            self.eigen = (bcd.NO_EIGEN_PTR, bcd.NO_EIGEN, bcd.NO_EIGEN)
        self._weight_max = float(d.h.max())
        self._colmax = column_max(d.X)
        self.lips = drop_rounding_lips(np.ascontiguousarray(lips[:, None]), lay, self._colmax,
                                       self._weight_max)
        self.lmax = self.lips.max(axis=1) if self.lips.size else np.zeros(0)
        self.block = lay.block_of(d.p)

    def prepare(self, ws):
        """Decompose the blocks of ``ws`` not yet decomposed; their constants become exact.

        The kernels solve the group step of blocks with a group term and no
        L1 part exactly (:mod:`lassokit.kernels._block_solve`); the others
        take proximal-gradient steps, with the largest eigenvalue as their
        Lipschitz constant.
        """
        new = ws[self._pending[ws]]
        if new.size == 0:
            return
        from ..kernels import _block_gram

        d, lay = self.d, self.d.layout
        exact = np.zeros(lay.n_blocks, dtype=bool)
        exact[new] = True
        if d.sparse:
            X = d.X
            _block_gram.block_eigen_sparse(X.data, X.indices, X.indptr, d.n, self.H, self.xm,
                                           lay.gptr, lay.gidx, exact, *self.eigen)
        else:
            _block_gram.block_eigen_dense(self.Xf, self.H, self.xm, lay.gptr, lay.gidx, exact,
                                          *self.eigen)
        self._pending[new] = False
        top = np.zeros((lay.n_blocks, 1))
        top[new, 0] = np.maximum(self.eigen[2][lay.gptr[new + 1] - 1], 0.0)  # ascending
        top = drop_rounding_lips(top, lay, self._colmax, self._weight_max)
        self.lips[new] = top[new]
        self.lmax[new] = top[new, 0]

    @property
    def Xf(self):
        """Dense X in column-major order (converted once, on first use)."""
        if self._Xf is None:
            self._Xf = fortran(self.d.X)
        return self._Xf

    def epochs(self, R, roff, W, ws, n_epochs, tol=0.0):
        """Run ``n_epochs`` block epochs over ``ws``; returns the epochs done."""
        d, lay = self.d, self.d.layout
        if d.sparse:
            X = d.X
            done, _ = bcd.bcd_sparse(X.data, X.indices, X.indptr, d.n, R, roff, W, self.H,
                                     self.xm, self.hx, lay.gptr, lay.gidx, self.lips,
                                     lay.galpha, lay.lam, lay.mu, ws, n_epochs, tol,
                                     *self.eigen)
        else:
            done, _ = bcd.bcd_dense(self.Xf, R, W, self.H, self.xm, lay.gptr, lay.gidx, self.lips,
                                    lay.galpha, lay.lam, lay.mu, ws, n_epochs, tol, *self.eigen)
        return int(done)

    def features(self, blocks):
        """The features of ``blocks``, block after block."""
        lay = self.d.layout
        if blocks.size == 0:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate([lay.gidx[lay.gptr[b]:lay.gptr[b + 1]] for b in blocks])


def _penalty(lay):
    return lambda W: layout_value(lay, W)


def _restricted_gap(d, st, W, R, blocks, feats, pobj):
    """The gap of the problem restricted to ``blocks`` (others held at 0)."""
    lay = d.layout
    HR = R * d.h[:, None]
    Vf = xtm(d, HR, feats) / d.n
    V = np.zeros((d.p, R.shape[1]))
    V[feats] = Vf
    a = float(np.einsum("ik,ik->", HR, d.Y)) / d.n
    c = float(np.einsum("ik,ik->", HR, R)) / d.n
    scales = feasible_scales(lay, V)[blocks]
    t_max = float(scales.min()) if scales.size else np.inf
    from ._dual import best_scale, conjugate

    t = best_scale(a, c, lay, V, t_max)
    return pobj - (t * a - 0.5 * t * t * c - conjugate(lay, V, t))


def _anderson(hist):
    """The Anderson extrapolation of the last iterates (None if ill-posed)."""
    U = np.diff(np.stack(hist), axis=0).reshape(len(hist) - 1, -1)
    G = U @ U.T
    try:
        z = np.linalg.solve(G + 1e-12 * np.trace(G) * np.eye(G.shape[0]), np.ones(G.shape[0]))
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(z)) or z.sum() == 0:
        return None
    c = z / z.sum()
    return np.tensordot(c, np.stack(hist[1:]), axes=1)


def _wants_gram(d, m):
    """Whether the working set's Gram matrix is cheaper than residual epochs.

    Forming it costs ``n m^2`` (plus ``2 n m K`` for its products with the
    residual and the target), after which an epoch costs ``m^2 K`` instead of
    ``2 n m K``; with some twenty epochs per working set that pays when
    ``m`` is below ``~40 K`` (and the data are tall: ``n >= 4 m``).
    """
    return (not d.sparse) and 0 < m <= _GRAM_MAX and d.n >= 4 * m and m < 40 * d.K


def _inner_gram(d, st, W, R, ws, feats, inner_target, budget):
    """Solve the working set in feature space (:mod:`lassokit.kernels.bcd_gram`).

    ``G = Xc_ws^T H Xc_ws / n`` and ``C = Xc_ws^T H R / n`` are formed once;
    the kernel keeps ``Q = G (W_ws - W_ws0)``, so the negative gradient is
    ``C - Q``. The working set's gap is evaluated from the same sums every
    ``_CHECK`` epochs; the outer loop certifies from a fresh residual.
    Returns the epochs run; ``W`` is updated in place.
    """
    from ..kernels.bcd_gram import bcd_gram

    lay = d.layout
    h = d.h
    Xs = np.asarray(d.X[:, feats], dtype=np.float64) - d.x_offset[feats]
    G = np.ascontiguousarray((Xs * h[:, None]).T @ Xs / d.n)
    HR = R * h[:, None]
    C = np.ascontiguousarray(Xs.T @ HR / d.n)
    Cy = Xs.T @ (d.Y * h[:, None]) / d.n
    fit0 = 0.5 * float(np.einsum("ik,ik->", HR, R)) / d.n
    a0 = float(np.einsum("ik,ik->", HR, d.Y)) / d.n
    sizes = lay.sizes[ws]
    gptr = np.zeros(ws.size + 1, dtype=np.int64)
    np.cumsum(sizes, out=gptr[1:])
    gidx = np.arange(feats.size, dtype=np.int64)
    local = _dc_replace(lay, gptr=gptr, gidx=gidx, galpha=lay.galpha[ws], lam=lay.lam[feats],
                        mu=lay.mu[feats], excluded=np.zeros(feats.size, dtype=bool),
                        n_groups=0)
    lips = np.ascontiguousarray(st.lips[ws])
    W0 = W[feats].copy()
    Wl = W0.copy()  # its own buffer: the kernel moves Wl, and D = Wl - W0
    Q = np.zeros_like(Wl)
    order = np.arange(ws.size, dtype=np.int64)
    done = 0
    while done < budget:
        step = min(_CHECK, budget - done)
        ep, _ = bcd_gram(G, C, Wl, Q, gptr, gidx, lips, local.galpha, local.lam, local.mu,
                         order, step, 0.0)
        done += int(ep)
        D = Wl - W0
        fit = fit0 - float(np.einsum("jk,jk->", C, D)) + 0.5 * float(np.einsum("jk,jk->", Q, D))
        V = C - Q
        a = a0 - float(np.einsum("jk,jk->", Cy, D))
        pobj = max(fit, 0.0) + layout_value(local, Wl)
        scales = feasible_scales(local, V)
        t_max = float(scales.min()) if scales.size else np.inf
        t = best_scale(a, 2.0 * max(fit, 0.0), local, V, t_max)
        dual = t * a - t * t * max(fit, 0.0) - conjugate(local, V, t)
        if pobj - dual <= inner_target:
            break
    W[feats] = Wl
    return done


def solve_squared(d, *, tol, max_iter, W0=None, state=None, verbose=False):
    """Solve the squared-loss matrix problem ``d`` to relative gap ``tol``.

    Returns
    -------
    W : ndarray of shape (p, K)
    n_iter : int
        Block epochs run (working-set epochs count as full ones).
    info : dict
        Outer iterations and the blocks screened.
    """
    lay = d.layout
    st = BlockState(d) if state is None else state
    pen = _penalty(lay)
    W = np.zeros((d.p, d.K)) if W0 is None else np.array(W0, dtype=np.float64, order="C")
    W[lay.excluded] = 0.0
    target = tol * d.p0
    B = lay.n_blocks
    # Blocks with neither an L1 nor a group term cannot be screened or left out.
    lam_block = np.maximum.reduceat(lay.lam[lay.gidx], lay.gptr[:-1]) if B else np.zeros(0)
    must = np.flatnonzero((lay.galpha == 0) & (lam_block == 0))
    screened = np.zeros(B, dtype=bool)
    n_iter, size, outer = 0, 0, 0
    roff = np.zeros(d.K)
    final = None
    while outer < _MAX_OUTER:
        outer += 1
        cert = certify_squared(d, W, pen)
        gap = cert.gap
        if verbose:
            print(f"outer {outer}: objective {cert.objective:.10g} gap {gap:.3g}")
        if gap <= target or n_iter >= max_iter:
            final = (cert.objective, cert.gap)
            break
        now = screen(lay, cert.V, cert.t, gap, st.lmax) & ~screened
        if np.any(now):
            screened |= now
            W[st.features(np.flatnonzero(now))] = 0.0
        alive = np.flatnonzero(~screened)
        if alive.size == 0:
            continue
        rows_nz = np.any(W != 0, axis=1)
        supp = np.unique(st.block[np.flatnonzero(rows_nz)])
        supp = supp[supp >= 0]
        score = violation(lay, cert.V, cert.t)[alive] / np.sqrt(np.maximum(st.lmax[alive],
                                                                             1e-300))
        size = min(alive.size, max(_WS_START, 2 * supp.size, size))
        order = alive[np.argsort(-score, kind="stable")][:size]
        ws = np.union1d(np.union1d(supp, must[~screened[must]]), order).astype(np.int64)
        st.prepare(ws)
        feats = st.features(ws)
        R = np.ascontiguousarray(residual(d, W))
        roff[:] = 0.0
        inner_target = max(_INNER_SHARE * gap, 0.5 * target)
        if _wants_gram(d, feats.size):
            n_iter += _inner_gram(d, st, W, R, ws, feats, inner_target, max_iter - n_iter)
            continue
        hist = []
        while n_iter < max_iter:
            n_iter += st.epochs(R, roff, W, ws, 1)
            hist.append(W[feats].copy())
            if len(hist) == _ANDERSON + 1:
                acc = _anderson(hist)
                hist = []
                if acc is not None:
                    Rt = R + roff
                    old = datafit(d, Rt) + pen(W)
                    step = np.zeros_like(W)
                    step[feats] = acc - W[feats]
                    Ra = Rt - xw(d, step)
                    Wa = W.copy()
                    Wa[feats] = acc
                    if datafit(d, Ra) + pen(Wa) < old:
                        W[...] = Wa
                        R[...] = Ra
                        roff[:] = 0.0
            if n_iter % _CHECK == 0:
                Rt = R + roff
                pobj = datafit(d, Rt) + pen(W)
                if _restricted_gap(d, st, W, Rt, ws, feats, pobj) <= inner_target:
                    break
    info = {"outer": outer, "screened": int(screened.sum()), "gap": gap}
    if final is not None:
        info["certified"] = final  # of this W exactly: certified, then no move
    return W, n_iter, info

