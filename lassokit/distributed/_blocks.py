"""One consensus-ADMM row block: lives on a worker (as a dask actor) with its data.

A block holds references to the row chunks already in its worker's memory
(never a copy shipped from the client) and, after :meth:`RowBlock.prepare`,
a cached factorization of its local least-squares system, so one ADMM
iteration sends it a p-vector and gets a p-vector back.

With ``A = S^(1/2) Xc`` and ``b = S^(1/2) yc`` restricted to the block, the
x-update solves ``(A^T A + sigma I) x = A^T b + sigma v``. The block keeps an
eigendecomposition rather than a Cholesky factor so that the penalty
parameter (``sigma = n rho``) can change for free:

* ``n_k >= p``: ``A^T A = Q diag(d) Q^T``, ``x = Q ((Q^T rhs) / (d + sigma))``;
* ``n_k < p``: ``A A^T = U diag(l) U^T`` and the matrix-inversion lemma,
  ``x = (rhs - B^T ((B rhs) / (l + sigma))) / sigma`` with ``B = U^T A``.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from ._certify import ReducedResidual, UnpenalizedBlock
from ._stats import _chunk_moments, _merge

__all__ = ["RowBlock"]


class RowBlock:
    """The rows of X, y (and weights) that one worker holds.

    Parameters
    ----------
    xs, ys : list of ndarray
        Row chunks of X (any float dtype) and y.
    ws : list of ndarray or None
        Row chunks of the raw sample weights, or None for unit weights.
    """

    def __init__(self, xs, ys, ws=None):
        self._xs = [np.asarray(x) for x in xs]
        self._ys = [np.asarray(y, dtype=np.float64).ravel() for y in ys]
        self._ws = None if ws is None else [np.asarray(w, dtype=np.float64).ravel() for w in ws]
        self.n_rows = int(sum(x.shape[0] for x in self._xs))
        self.n_features = int(self._xs[0].shape[1]) if self._xs else 0
        self._kind = None

    # -- first pass: the block's own moments -----------------------------------------
    def moments(self):
        """Weight sum, weighted means and data checks of the block (one pass).

        Tall blocks (``n_k >= p``) also keep the centred co-moment matrix of
        ``[x, y]`` about their own mean (:mod:`._stats`), from which
        :meth:`prepare` builds the block's system without another pass.

        Returns
        -------
        tuple
            ``(n_rows, W, mean_x, mean_y, finite, min_weight)``.
        """
        p = self.n_features
        if self.n_rows >= p:
            parts = [_chunk_moments(x, y, None if self._ws is None else self._ws[i])
                     for i, (x, y) in enumerate(zip(self._xs, self._ys))]
            self._mom = _merge(parts) if parts else _chunk_moments(
                np.zeros((0, p)), np.zeros(0), None)
            m = self._mom
            return self.n_rows, m.weight_sum, m.mean[:p], float(m.mean[p]), m.finite, \
                m.min_weight
        W, sx, sy, finite, wmin = 0.0, np.zeros(p), 0.0, True, np.inf
        for i, (x, y) in enumerate(zip(self._xs, self._ys)):
            w = np.ones(x.shape[0]) if self._ws is None else self._ws[i]
            x64 = np.asarray(x, dtype=np.float64)
            finite &= bool(np.all(np.isfinite(x64)) and np.all(np.isfinite(y))
                           and np.all(np.isfinite(w)))
            wmin = min(wmin, float(w.min())) if w.size else wmin
            Wc = float(w.sum())
            if Wc <= 0:
                continue
            # Running weighted mean: never forms a large raw sum.
            Wn = W + Wc
            sx += (Wc / Wn) * ((w @ x64) / Wc - sx)
            sy += (Wc / Wn) * (float(w @ y) / Wc - sy)
            W = Wn
        return self.n_rows, W, sx, sy, finite, wmin

    # -- setup: centred block system and its factorization ----------------------------
    def prepare(self, x_offset, y_offset, wscale):
        """Centre, form and factor the block's system.

        Parameters
        ----------
        x_offset : ndarray of shape (p,)
        y_offset : float
        wscale : float
            ``n / W``: raw weights times this are the normalized weights.

        Returns
        -------
        dict
            ``yy`` (``sum s yc^2``), ``trace`` (of ``A^T A``) and ``kind``.
        """
        self._x_offset = np.asarray(x_offset, dtype=np.float64)
        self._y_offset = float(y_offset)
        self._wscale = float(wscale)
        p = self.n_features
        if self.n_rows >= p:
            # Moments about the block mean, moved to the global offsets by the
            # exact rank-one term W d d^T (Chan et al.): no second pass.
            m = self._mom
            d = m.mean - np.r_[self._x_offset, self._y_offset]
            M = (m.comoment + m.weight_sum * np.outer(d, d)) * self._wscale
            H, c, yy = M[:p, :p], M[:p, p].copy(), float(M[p, p])
            sxy = (m.weight_sum * self._wscale) * d
            d_eig, Q = scipy.linalg.eigh(H, check_finite=False)
            self._kind, self._H, self._c, self._yy = "gram", H, c, yy
            self._sx, self._sy = sxy[:p], float(sxy[p])
            self._d, self._Q = np.maximum(d_eig, 0.0), Q
            self._mom = None
            trace = float(np.trace(H))
        else:
            rows, rhs, roots = [], [], []
            for D, yc, s in self._centred_chunks():
                r = np.sqrt(s)
                rows.append(D * r[:, None])
                rhs.append(yc * r)
                roots.append(r)
            A = np.vstack(rows) if rows else np.zeros((0, p))
            b = np.concatenate(rhs) if rhs else np.zeros(0)
            K = A @ A.T
            lam, U = scipy.linalg.eigh(K, check_finite=False)
            self._kind, self._A, self._b = "kernel", A, b
            self._root = np.concatenate(roots) if roots else np.zeros(0)
            self._lam, self._B = np.maximum(lam, 0.0), U.T @ A
            self._c = A.T @ b
            yy = float(b @ b)
            trace = float(np.sum(A * A))
        return {"yy": yy, "trace": trace, "kind": self._kind}

    def _centred_chunks(self):
        for i, (x, y) in enumerate(zip(self._xs, self._ys)):
            s = (np.full(x.shape[0], self._wscale) if self._ws is None
                 else self._ws[i] * self._wscale)
            D = np.asarray(x, dtype=np.float64) - self._x_offset
            yield D, y - self._y_offset, s

    def columns_gram(self, idx):
        """Gram blocks of the centred columns ``idx`` (for the certificate).

        Parameters
        ----------
        idx : ndarray of int

        Returns
        -------
        UnpenalizedBlock
        """
        u = np.asarray(idx, dtype=np.intp)
        if self._kind == "gram":
            return UnpenalizedBlock(u, self._H[np.ix_(u, u)].copy(), self._H[:, u].copy(),
                                    self._c[u].copy())
        Au = self._A[:, u]
        return UnpenalizedBlock(u, Au.T @ Au, self._A.T @ Au, Au.T @ self._b)

    # -- ADMM iteration -----------------------------------------------------------------
    def step(self, v, sigma):
        """The x-update: ``argmin_x ||A x - b||^2 / 2 + sigma / 2 ||x - v||^2``.

        Parameters
        ----------
        v : ndarray of shape (p,)
        sigma : float
            ``n * rho`` (the local objective is scaled by ``n``).

        Returns
        -------
        ndarray of shape (p,)
        """
        rhs = self._c + sigma * np.asarray(v, dtype=np.float64)
        if self._kind == "gram":
            return self._Q @ ((self._Q.T @ rhs) / (self._d + sigma))
        return (rhs - self._B.T @ ((self._B @ rhs) / (self._lam + sigma))) / sigma

    # -- certificate --------------------------------------------------------------------
    def residual(self, coef, exact=True):
        """Row sums of the residual ``r = yc - Xc coef`` for the certificate.

        Parameters
        ----------
        coef : ndarray of shape (p,)
        exact : bool, default=True
            Gram blocks: ``False`` uses the cached Gram (cost p^2, with
            rounding of order ``eps * sum s yc^2``) instead of a pass over
            the rows.

        Returns
        -------
        ReducedResidual
        """
        w = np.asarray(coef, dtype=np.float64)
        if self._kind == "kernel":
            r = self._b - self._A @ w
            return ReducedResidual(float(r @ self._b), float(r @ r), float(self._root @ r),
                                   self._A.T @ r)
        if not exact:
            Hw = self._H @ w
            cw = float(self._c @ w)
            return ReducedResidual(self._yy - cw, self._yy - 2.0 * cw + float(w @ Hw),
                                   self._sy - float(self._sx @ w), self._c - Hw)
        a = nb = sq = 0.0
        h = np.zeros(self.n_features)
        shift = float(self._x_offset @ w)
        for i, (x, y) in enumerate(zip(self._xs, self._ys)):
            s = (np.full(x.shape[0], self._wscale) if self._ws is None
                 else self._ws[i] * self._wscale)
            x64 = np.asarray(x, dtype=np.float64)
            yc = y - self._y_offset
            r = yc - (x64 @ w - shift)
            sr = s * r
            a += float(sr @ yc)
            nb += float(sr @ r)
            ssr = float(sr.sum())
            sq += ssr
            h += x64.T @ sr - self._x_offset * ssr
        return ReducedResidual(a, nb, sq, h)

    def kind(self):
        """str: ``"gram"`` or ``"kernel"`` after :meth:`prepare`."""
        return self._kind
