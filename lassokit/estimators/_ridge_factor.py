"""One factorization of the centred, weighted design for a whole Ridge alpha grid.

``RidgeCV`` minimizes scikit-learn's Ridge objective
``sum_i s_i (y_i - x_i @ w - b)^2 + alpha ||w||^2`` for every alpha of a
grid. With the weights normalized to ``sbar = s n / S`` (``S = sum_i s_i``)
this is ``S / n`` times the same objective in ``sbar`` with
``a = alpha n / S``; eliminating the intercept leaves plain ridge on

    A = diag(sqrt(sbar)) (X - 1 m^T),    Yt = diag(sqrt(sbar)) (Y - 1 ybar^T),

``m`` and ``ybar`` the ``sbar``-weighted means (zero without intercept).
One factorization of ``A`` serves every alpha:

* ``n > p`` (**feature** kind): ``A^T A = V diag(lam) V^T`` (eigen) or
  ``A = U diag(sigma) V^T`` (svd, ``lam = sigma^2``); with ``B = A V``,
  ``w(a) = V diag(1 / (lam + a)) B^T Yt``, the hat matrix is
  ``B diag(1 / (lam + a)) B^T`` and the residual ``Yt - B diag(...) B^T Yt``.
* ``n <= p`` (**sample** kind): ``A A^T = Q diag(lam) Q^T`` (or ``Q = U``);
  the residual is ``Q diag(a / (lam + a)) Q^T Yt``, one minus the hat
  diagonal ``sum_k Q_ik^2 a / (lam_k + a)`` (no cancellation), and
  ``w(a) = A^T Q diag(1 / (lam + a)) Q^T Yt``.

With an intercept the hat diagonal gains ``sbar_i / n`` (the intercept
direction ``sqrt(sbar)`` is orthogonal to the columns of ``A``). The
leave-one-out residual of sample ``i`` is its residual over one minus its
hat diagonal (Rifkin & Lippert 2007, "Notes on regularized least squares"),
in ``sqrt(sbar)`` units.

Numerics: the means are compensated (``lassokit._linalg``), dense X is
centred block by block (bounded scratch, never a centred copy of X except
for the SVD, which needs one), sparse X is centred implicitly. Weights are
divided by their maximum before they are summed (weights of 1e300 do not
overflow). If the Gram matrix overflows (entries beyond ~1e154), X is
rescaled by a power of two and the alphas with it.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.sparse as sp

from .. import _linalg
from .._data import _centred

__all__ = ["RidgeFactor", "centred_matmat"]

#: float64 entries of scratch per block of rows or columns (2 MB: blocks stay in cache).
_BLOCK = 1 << 18


def _float64(B):
    B = B.toarray() if sp.issparse(B) else B
    return np.asarray(B, dtype=np.float64)


def _row_steps(n, width):
    step = max(1, _BLOCK // max(width, 1))
    for start in range(0, n, step):
        yield slice(start, min(n, start + step))


def centred_matmat(X, W, m):
    """``(X - 1 m^T) @ W`` in float64; dense X centred by row blocks, sparse implicitly.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n, p)
    W : ndarray of shape (p, q)
    m : ndarray of shape (p,)

    Returns
    -------
    ndarray of shape (n, q)
    """
    if sp.issparse(X):
        return np.asarray(X @ W, dtype=np.float64) - m @ W
    out = np.empty((X.shape[0], W.shape[1]))
    for blk in _row_steps(X.shape[0], X.shape[1]):
        out[blk] = (_float64(X[blk]) - m) @ W
    return out


def _centred_rmatmat(X, M, m):
    """``(X - 1 m^T)^T @ M`` in float64 (dense: centred by row blocks)."""
    if sp.issparse(X):
        X64 = X if X.dtype == np.float64 else X.astype(np.float64)
        return np.asarray(X64.T @ M, dtype=np.float64) - np.outer(m, M.sum(axis=0))
    out = np.zeros((X.shape[1], M.shape[1]))
    for blk in _row_steps(X.shape[0], X.shape[1]):
        out += (_float64(X[blk]) - m).T @ M[blk]
    return out


def normalized_weights(sample_weight, n):
    """``(sbar, S)``: weights rescaled to sum to ``n`` and their original sum.

    Divided by their maximum before the sum, so that weights near the top
    of the float range do not overflow it. ``sbar`` is None without weights.
    """
    if sample_weight is None:
        return None, float(n)
    top = float(np.max(sample_weight))
    rel = sample_weight / top
    total = float(rel.sum())
    return rel * (n / total), top * total


class RidgeFactor:
    """The factorization of one data set, and every alpha's fit from it.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Float32 or float64; never modified or copied whole (except for
        ``mode="svd"``, whose LAPACK call needs the centred matrix).
    Y : ndarray of shape (n_samples, n_targets)
    sample_weight : ndarray of shape (n_samples,) or None
        As given (non-negative, not all zero).
    fit_intercept : bool
    mode : {"eigen", "svd"}
        ``"eigen"``: eigendecomposition of the smaller Gram matrix;
        ``"svd"``: thin SVD of the centred design (dense X only).

    Attributes
    ----------
    x_mean : ndarray of shape (n_features,)
    y_mean : ndarray of shape (n_targets,)
    total : float
        ``S``, the sum of the weights as given (``n`` without weights).
    root : ndarray of shape (n_samples,)
        ``sqrt(sbar)``.
    X : {ndarray, sparse matrix}
        The data (CSR when sparse and ``n_samples > n_features``).
    """

    def __init__(self, X, Y, sample_weight, fit_intercept, mode="eigen"):
        n, p = X.shape
        self.n, self.p, self.fit_intercept = n, p, fit_intercept
        self.kind = "sample" if n <= p else "feature"
        self.svd = mode == "svd"
        sbar, self.total = normalized_weights(sample_weight, n)
        self.root = np.ones(n) if sbar is None else np.sqrt(sbar)
        self.leverage = (np.full(n, 1.0 / n) if sbar is None else sbar / n) if fit_intercept \
            else np.zeros(n)
        Y = np.asarray(Y, dtype=np.float64)
        if fit_intercept:
            # One pass: the factorization adds the low part (see _low_part).
            self._hi = _linalg.rmatvec(X, np.full(n, 1.0 / n) if sbar is None else sbar / n)
            centred = [_centred(Y[:, k], sbar, n) for k in range(Y.shape[1])]
            self.y_mean = np.array([c[0] for c in centred])
            self.yc = np.column_stack([c[1] for c in centred])
        else:
            self._hi, self.y_mean, self.yc = np.zeros(p), np.zeros(Y.shape[1]), Y
        self.sbar = sbar
        self.Yt = self.yc * self.root[:, None]
        if sp.issparse(X) and self.kind == "feature":
            X = X.tocsr()  # row blocks (a copy of the non-zeros only)
        self.X = X
        self._X, self._m, self._c = X, self._hi, 1.0
        self._lo = np.zeros(p)
        with np.errstate(over="ignore", invalid="ignore"):
            done = self._factorize()  # False where the Gram overflows
        if not done:
            # The Gram overflowed: solve for X / c (a scaled copy, in this
            # corner only) and alphas / c^2; coefficients come back times 1 / c.
            top = float(np.max(np.abs(X.data if sp.issparse(X) else X)))
            self._c = float(2.0 ** np.ceil(np.log2(top)))
            self._X = (X.astype(np.float64) if sp.issparse(X) else np.asarray(X, np.float64)) \
                * (1.0 / self._c)
            self._m, self._lo = self._hi / self._c, np.zeros(p)
            self._factorize()
        self.x_mean = self._hi + self._lo * self._c

    # -- the factorization ------------------------------------------------------------
    def _rows(self, blk):
        """Rows ``blk`` of the (scaled) centred, weighted design, float64."""
        rows = self._X[blk]
        A = (rows.toarray() - self._m) if sp.issparse(rows) else \
            np.subtract(rows, self._m, dtype=np.float64)
        if self._lo.any():
            A -= self._lo
        if self.sbar is not None:
            A *= self.root[blk, None]
        return A

    def _low_part(self, t):
        """Keep ``t / n = sum_i sbar_i (x_i - m) / n`` as the low part of the means.

        The one-pass mean ``m`` of a column near 1e9 is off by up to
        ``n eps 1e9``, and even the best float by half an ulp (6e-8): a
        constant left in the centred column that tilts it off the intercept
        direction. The centred rows are ``(x - m) - lo`` instead: ``x - m``
        is exact there (Sterbenz), and ``lo``, the mean of those exact
        differences, is small and accurate.
        """
        lo = t / self.n if self.fit_intercept and not sp.issparse(self._X) else 0.0 * t
        self._lo = lo
        return lo

    def _factorize(self):
        """Factorize; False (and nothing done) where the Gram or the design overflows."""
        if self.svd:
            A = np.empty((self.n, self.p))
            for blk in _row_steps(self.n, self.p):
                A[blk] = self._rows(blk)
            lo = self._low_part(self.root @ A)
            A -= np.outer(self.root, lo)
            if not np.all(np.isfinite(A)) or not np.isfinite(np.einsum("ij,ij->", A, A)):
                return False
            U, sigma, Vt = scipy.linalg.svd(A, full_matrices=False, overwrite_a=True,
                                            check_finite=False, lapack_driver="gesdd")
            self.lam, self._U, self._sigma, self._Vt = sigma * sigma, U, sigma, Vt
            UtY = U.T @ self.Yt
            self.z = sigma[:, None] * UtY if self.kind == "feature" else UtY
            return True
        gram = self._feature_gram() if self.kind == "feature" else self._sample_gram()
        if not np.all(np.isfinite(gram)):
            return False
        lam, vecs = scipy.linalg.eigh(gram, overwrite_a=True, check_finite=False)
        self.lam = np.maximum(lam, 0.0)  # rounding can leave -eps * lam_max
        self._vecs = vecs
        if self.kind == "feature":
            self.z = vecs.T @ self._g
        else:
            self.z = vecs.T @ self.Yt
        return True

    def _feature_gram(self):
        """``A^T A`` (p x p) and ``A^T Yt`` (kept in ``_g``)."""
        X, m, p = self._X, self._m, self.p
        if sp.issparse(X):
            X64 = X if X.dtype == np.float64 else X.astype(np.float64)
            SX = X64 if self.sbar is None else sp.diags(self.sbar) @ X64
            G = np.asarray((X64.T @ SX).toarray()) - self.n * np.outer(m, m)
            RY = self.root[:, None] * self.Yt
            self._g = np.asarray(X64.T @ RY) - np.outer(m, RY.sum(axis=0))
            return G
        G = np.zeros((p, p))
        g = np.zeros((p, self.Yt.shape[1]))
        t = np.zeros(p)
        for blk in _row_steps(self.n, p):
            A = self._rows(blk)
            G += A.T @ A
            g += A.T @ self.Yt[blk]
            t += self.root[blk] @ A
        # With A = A0 - sqrt(sbar) lo^T and sqrt(sbar)^T A0 = n lo (see _low_part):
        lo = self._low_part(t)
        self._g = g - np.outer(lo, self.root @ self.Yt)
        return G - self.n * np.outer(lo, lo)

    def _sample_gram(self):
        """``A A^T`` (n x n): dense X by centred column blocks, sparse X implicitly."""
        X, m, n, r = self._X, self._m, self.n, self.root
        if sp.issparse(X):
            X64 = X if X.dtype == np.float64 else X.astype(np.float64)
            u = np.asarray(X64 @ m).ravel()
            K = np.asarray((X64 @ X64.T).toarray()) - u[:, None] - u[None, :] + m @ m
            return K * np.outer(r, r)
        K = np.zeros((n, n))
        t = np.zeros(self.p)
        step = max(1, _BLOCK // n)
        for start in range(0, self.p, step):
            cols = slice(start, min(self.p, start + step))
            A = _float64(X[:, cols]) - m[cols]
            t[cols] = (r * r) @ A
            A -= t[cols] / n if self.fit_intercept else 0.0
            A *= r[:, None]
            K += A @ A.T
        self._low_part(t)
        return K

    # -- every alpha ------------------------------------------------------------------
    def internal(self, alphas):
        """scikit-learn's alphas in the units of the factorization: ``alpha n / S / c^2``."""
        return np.asarray(alphas, dtype=np.float64) * (self.n / self.total) / self._c / self._c

    def _inverse(self, a):
        """``1 / (lam + a)`` (r, k); 0 where both vanish (``alpha = 0``: pseudo-inverse)."""
        lam = self.lam[:, None]
        floor = np.where(a == 0, self.lam.max(initial=0.0) * max(self.n, self.p)
                         * np.finfo(np.float64).eps, 0.0)
        den = lam + a
        keep = den > floor
        return np.divide(1.0, den, out=np.zeros_like(den), where=keep)

    def _basis_rows(self, blk):
        """Rows of ``B = A V`` (feature kind) or of ``Q`` (sample kind)."""
        if self.svd:
            U = self._U[blk]
            return U * self._sigma if self.kind == "feature" else U
        if self.kind == "feature":
            return self._rows(blk) @ self._vecs
        return self._vecs[blk]

    def loo(self, alphas, keep=False):
        """Leave-one-out residuals for every alpha, in ``sqrt(sbar)`` units.

        Parameters
        ----------
        alphas : ndarray of shape (k,)
            scikit-learn's alphas, all > 0.
        keep : bool, default=False
            Also return every residual.

        Returns
        -------
        sums : ndarray of shape (n_targets, k)
            ``sum_i e_i^2`` per target and alpha.
        E : ndarray of shape (n_samples, n_targets, k) or None
            The residuals ``e_i = sqrt(sbar_i) (y_i - yhat_{-i})`` when ``keep``.
        """
        a = self.internal(alphas)
        n, n_y, k = self.n, self.Yt.shape[1], a.size
        if self.kind == "feature":
            weights = self._inverse(a)  # hat = B diag(1 / (lam + a)) B^T
        else:
            weights = a * self._inverse(a)  # 1 - hat = Q diag(a / (lam + a)) Q^T
        zw = (self.z[:, :, None] * weights[:, None, :]).reshape(self.z.shape[0], n_y * k)
        sums = np.zeros((n_y, k))
        E = np.empty((n, n_y, k)) if keep else None
        for blk in _row_steps(n, max(self.z.shape[0], n_y * k)):
            M = self._basis_rows(blk)
            denom = np.square(M) @ weights
            e = (M @ zw).reshape(-1, n_y, k)
            if self.kind == "feature":  # 1 - leverage - diag(hat), Yt - fitted
                np.subtract(1.0 - self.leverage[blk, None], denom, out=denom)
                np.subtract(self.Yt[blk, :, None], e, out=e)
            else:  # the residual and one minus the hat diagonal directly
                denom -= self.leverage[blk, None]
            with np.errstate(divide="ignore", invalid="ignore"):
                e /= denom[:, None, :]
            if keep:
                E[blk] = e
            np.square(e, out=e)
            sums += e.sum(axis=0)
        return sums, E

    def coefs(self, alphas):
        """Coefficients and intercepts of every alpha, in the data's units.

        Parameters
        ----------
        alphas : ndarray of shape (k,)
            scikit-learn's alphas (>= 0; 0 gives the minimum-norm least squares).

        Returns
        -------
        W : ndarray of shape (n_features, n_targets, k)
        b : ndarray of shape (n_targets, k)
        """
        a = self.internal(alphas)
        n_y, k = self.Yt.shape[1], a.size
        inv = self._inverse(a)
        if self.kind == "sample" and self.svd:
            inv = inv * self._sigma[:, None]
        zi = (self.z[:, :, None] * inv[:, None, :]).reshape(self.z.shape[0], n_y * k)
        if self.svd:
            W = self._Vt.T @ zi
        elif self.kind == "feature":
            W = self._vecs @ zi
        else:
            M = self.root[:, None] * (self._vecs @ zi)
            W = _centred_rmatmat(self._X, M, self._m) - np.outer(self._lo, M.sum(axis=0))
        W = (W / self._c).reshape(self.p, n_y, k)
        b = self.y_mean[:, None] - np.einsum("p,pjk->jk", self._hi, W) \
            - np.einsum("p,pjk->jk", self._lo * self._c, W)
        return W, b

    def predict(self, X, W):
        """Predictions ``(X - m) W + ybar`` of :meth:`coefs`' ``W`` on new rows ``X``.

        Returns
        -------
        ndarray of shape (n_rows, n_targets, k)
        """
        p, n_y, k = W.shape
        Wf = W.reshape(p, n_y * k)
        Z = centred_matmat(X, Wf, self._hi) - (self._lo * self._c) @ Wf
        return Z.reshape(X.shape[0], n_y, k) + self.y_mean[:, None]
