"""Block coordinate descent on matrix coefficients with group penalties (numba).

One inner weighted-least-squares problem over ``W`` (``p x K``):

    min_W  1/(2n) sum_k sum_i H[i,k'] R[i,k]^2
           + sum_g galpha[g] ||W_g||_F
           + sum_j lam[j] sum_k |W[j,k]| + sum_j (mu[j]/2) sum_k W[j,k]^2

with ``R = Yc - Xt W`` and ``Xt`` the implicitly centred design: column
``j`` seen by column ``k`` of ``W`` is ``x_j - xm[j,k']``. ``H`` is ``n x
Kh`` with ``Kh`` 1 (weights shared by every column, ``k' = 0``) or ``K``
(``k' = k``). Groups partition the features that are updated: group ``g``
is the rows ``gidx[gptr[g]:gptr[g+1]]`` of ``W`` (plain features are
singleton groups).

A block update is one proximal-gradient step on the block. Without a group
norm (``galpha == 0``) the columns are separable and each takes its own
step ``1 / L_g[k']`` (for a singleton: exact coordinate minimization); the
Frobenius norm couples them, so with ``galpha > 0`` they share the smallest
step ``1 / max_k' L_g[k']``. The prox of ``t (galpha ||.||_F + lam |.|_1 +
mu/2 ||.||^2)`` is the row-wise soft threshold, the group shrinkage, then
``1 / (1 + t mu)``: exact when ``mu`` is constant within the group (the
caller guarantees it).

Dense X is read entry by entry and centred entry by entry (see
:mod:`lassokit.kernels.cd_dense` for why ``x^T r - xm sum(r)`` is not used).
Sparse X is never centred: its true residual is stored as ``R + roff`` (one
scalar per column of ``R``), so that an update touches only the column's
non-zeros.

Loops run over the rows ``i`` of ``R`` outermost and its columns ``k``
innermost: ``R`` is C-ordered, so every row is one contiguous run of ``K``
values and each pass over a block reads ``R`` once.

References
----------
Tseng & Yun (2009), "A coordinate gradient descent method for nonsmooth
separable minimization", Math. Program. 117.
Simon, Friedman, Hastie & Tibshirani (2013), "A sparse-group lasso",
J. Comput. Graph. Stat. 22(2) (the prox of the sparse-group penalty).
"""

import numpy as np
from numba import njit

from ._block_gram import (
    _NO_DATA,
    _NO_INDEX,
    _NO_X,
    block_lipschitz_dense,
    block_lipschitz_sparse,
)
from ._block_solve import commit, exact_block
from ._common import FASTMATH, FASTMATH_SPARSE, HELPER

__all__ = ["NO_EIGEN", "NO_EIGEN_PTR", "bcd_dense", "bcd_sparse", "block_lipschitz_dense",
           "block_lipschitz_sparse"]


@njit(**HELPER)
def _largest_group(gptr, ws):
    # Scratch is sized once per call by the largest group swept (at least 1).
    smax = 1
    for q in range(ws.shape[0]):
        smax = max(smax, block_span(gptr, ws, q)[2])
    return smax


@njit(inline="always", **HELPER)
def block_span(gptr, ws, q):
    """``(g, lo, size)``: the ``q``-th swept block and its slice of ``gidx``."""
    g = ws[q]
    lo = gptr[g]
    return g, lo, gptr[g + 1] - lo


@njit(**HELPER)
def _scratch(gptr, ws, K):
    """The gradient and step blocks of one call, sized by its largest group."""
    smax = _largest_group(gptr, ws)
    return np.zeros((smax, K)), np.zeros((smax, K))


@njit(**HELPER)
def _max_lips(lips, g):
    lmax = 0.0
    for kk in range(lips.shape[1]):
        lmax = max(lmax, lips[g, kk])
    return lmax


@njit(inline="always", **HELPER)
def _soft(v, thr):
    # Soft threshold (thr >= 0): at most one of the two terms is non-zero.
    return max(v - thr, 0.0) + min(v + thr, 0.0)


@njit(**HELPER)
def _prox_block(W, gidx, lo, s, Gr, D, lips, g, lmax, ga, lam, mu):
    """Move block ``g`` of ``W`` to its prox-gradient point; leave the change in ``D``.

    ``Gr[:s]`` holds the block's gradient (unused where the step is 0).
    Returns ``(moved, sqrt(lmax) ||Delta||_F)``.
    """
    K = W.shape[1]
    Kh = lips.shape[1]
    if ga > 0.0:
        if lmax > 0.0:
            t = 1.0 / lmax
            nrm2 = 0.0
            for a in range(s):
                j = gidx[lo + a]
                thr = t * lam[j]
                for k in range(K):
                    z = _soft(W[j, k] + t * Gr[a, k], thr)
                    D[a, k] = z
                    nrm2 += z * z
            scale = 0.0
            if nrm2 > 0.0:
                scale = max(0.0, 1.0 - t * ga / np.sqrt(nrm2))
            for a in range(s):
                f = scale / (1.0 + t * mu[gidx[lo + a]])
                for k in range(K):
                    D[a, k] *= f
        else:
            # Constant columns do not enter the fit: the penalty alone is minimal at 0.
            for a in range(s):
                for k in range(K):
                    D[a, k] = 0.0
    else:
        for a in range(s):
            j = gidx[lo + a]
            for k in range(K):
                L = lips[g, k if Kh > 1 else 0]
                if L > 0.0:
                    tk = 1.0 / L
                    D[a, k] = _soft(W[j, k] + tk * Gr[a, k], tk * lam[j]) / (1.0 + tk * mu[j])
                else:
                    D[a, k] = 0.0
    return commit(W, gidx, lo, s, D, lmax)


#: No eigen data: every block takes the proximal-gradient step.
NO_EIGEN = np.zeros(0)
NO_EIGEN_PTR = np.zeros(0, dtype=np.int64)


@njit(**HELPER)
def _step(W, gidx, lo, s, Gr, D, lips, g, lmax, galpha, lam, mu, qptr, Qf, dv):
    """The exact group step where it applies to block ``g``, else the proximal step.

    It applies to a group term without L1 part, shared weights (``Kh = 1``)
    and eigen data for the block (:func:`_block_gram.block_eigen_dense`).
    """
    exact = qptr.shape[0] > g + 1 and qptr[g + 1] > qptr[g] and lips.shape[1] == 1 \
        and galpha[g] > 0.0
    if exact:
        for a in range(s):
            if lam[gidx[lo + a]] != 0.0:
                exact = False
    if exact:
        return exact_block(W, gidx, lo, s, Gr, D, Qf[qptr[g]:qptr[g + 1]], dv[lo:lo + s],
                           galpha[g], mu[gidx[lo]])
    return _prox_block(W, gidx, lo, s, Gr, D, lips, g, lmax, galpha[g], lam, mu)


@njit(fastmath=FASTMATH, **HELPER)
def _grad_dense(X, R, H, xm, gidx, lo, s, Gr):
    # Gr[a, k] = sum_i H[i,k'] (X[i,j] - xm[j,k']) R[i,k] / n, one pass over R.
    n = X.shape[0]
    K = R.shape[1]
    Kh = H.shape[1]
    for a in range(s):
        for k in range(K):
            Gr[a, k] = 0.0
    if Kh == 1 and s == 1 and K == 1:
        # A plain dot product: with one column, a k loop per row cost 10x (measured).
        j = gidx[lo]
        m = xm[j, 0]
        acc = 0.0
        for i in range(n):
            acc += H[i, 0] * (X[i, j] - m) * R[i, 0]
        Gr[0, 0] = acc
    elif Kh == 1 and s == 1:
        # Plain features. Gr may alias R for all LLVM knows, so Gr[0, :] is
        # loaded and stored per row; four rows per trip share one load and
        # store (the gradient pass ran 1.6x faster at K = 20, measured).
        j = gidx[lo]
        m = xm[j, 0]
        n4 = n - n % 4
        for i in range(0, n4, 4):
            c0 = H[i, 0] * (X[i, j] - m)
            c1 = H[i + 1, 0] * (X[i + 1, j] - m)
            c2 = H[i + 2, 0] * (X[i + 2, j] - m)
            c3 = H[i + 3, 0] * (X[i + 3, j] - m)
            for k in range(K):
                Gr[0, k] += (c0 * R[i, k] + c1 * R[i + 1, k]) + (c2 * R[i + 2, k] + c3 * R[i + 3, k])
        for i in range(n4, n):
            c = H[i, 0] * (X[i, j] - m)
            for k in range(K):
                Gr[0, k] += c * R[i, k]
    elif Kh == 1:
        # A group with shared weights: column after column, each a contiguous
        # run of X (row-major sweeps over the group's columns ran 50x slower
        # than X^T R, measured at n = 200, groups of 10).
        for a in range(s):
            j = gidx[lo + a]
            m = xm[j, 0]
            if K == 1:
                acc = 0.0
                for i in range(n):
                    acc += H[i, 0] * (X[i, j] - m) * R[i, 0]
                Gr[a, 0] = acc
            else:
                for i in range(n):
                    c = H[i, 0] * (X[i, j] - m)
                    for k in range(K):
                        Gr[a, k] += c * R[i, k]
    else:
        for i in range(n):
            for a in range(s):
                j = gidx[lo + a]
                x = X[i, j]
                for k in range(K):
                    Gr[a, k] += H[i, k] * (x - xm[j, k]) * R[i, k]
    for a in range(s):
        for k in range(K):
            Gr[a, k] /= n


@njit(fastmath=FASTMATH, **HELPER)
def _update_dense(X, R, xm, gidx, lo, s, D):
    # R[:, k] -= sum_a D[a, k] (x_j - xm[j, k']) for the block's rows j. (The
    # same four-row unrolling made this pass slower: R's stores then alias.)
    n = X.shape[0]
    K = R.shape[1]
    Kh = xm.shape[1]
    if Kh == 1 and s == 1 and K == 1:
        j = gidx[lo]
        m = xm[j, 0]
        d = D[0, 0]
        for i in range(n):
            R[i, 0] -= d * (X[i, j] - m)
    elif Kh == 1 and s == 1:
        j = gidx[lo]
        m = xm[j, 0]
        for i in range(n):
            c = X[i, j] - m
            for k in range(K):
                R[i, k] -= D[0, k] * c
    elif Kh == 1:
        for a in range(s):
            j = gidx[lo + a]
            m = xm[j, 0]
            if K == 1:
                d = D[a, 0]
                if d != 0.0:
                    for i in range(n):
                        R[i, 0] -= d * (X[i, j] - m)
            else:
                for i in range(n):
                    c = X[i, j] - m
                    for k in range(K):
                        R[i, k] -= D[a, k] * c
    else:
        for i in range(n):
            for a in range(s):
                j = gidx[lo + a]
                x = X[i, j]
                for k in range(K):
                    R[i, k] -= D[a, k] * (x - xm[j, k])


@njit(cache=True, nogil=True)
def bcd_dense(X, R, W, H, xm, gptr, gidx, lips, galpha, lam, mu, ws, n_epochs, tol,
              qptr=NO_EIGEN_PTR, Qf=NO_EIGEN, dv=NO_EIGEN):
    """Block coordinate descent epochs over the groups ``ws`` on a dense X.

    Parameters
    ----------
    X : ndarray of shape (n, p), float64 or float32, Fortran-ordered
        The uncentred design; products are accumulated in float64.
    R : ndarray of shape (n, K), float64, C-ordered
        The residual ``Yc - Xt W``; updated in place.
    W : ndarray of shape (p, K), float64, C-ordered
        The coefficients; the rows of the swept groups are updated in place.
    H : ndarray of shape (n, Kh), float64
        Sample weights, ``Kh`` 1 (shared) or ``K`` (one column per column of W).
    xm : ndarray of shape (p, Kh), float64
        Centres of the columns (zeros without an intercept).
    gptr, gidx : ndarray, int64
        Group ``g`` is the features ``gidx[gptr[g]:gptr[g + 1]]``.
    lips : ndarray of shape (G, Kh), float64
        Block Lipschitz constants (:func:`block_lipschitz_dense`). A zero
        sets the block (or, separable, its column) to 0. They are trusted:
        a column that is constant but centred off by rounding has a tiny
        positive constant and a noise-sized step; the caller zeroes it.
    galpha : ndarray of shape (G,), float64
        Group-norm strengths (0 makes the block separable by column).
    lam, mu : ndarray of shape (p,), float64
        L1 and L2 strengths per feature; ``mu`` constant within a group with
        ``galpha > 0``.
    ws : ndarray of shape (m,), int64
        Groups to update, in this order, every epoch.
    n_epochs : int
        Most epochs to run.
    tol : float
        Stop after the first epoch whose largest block change
        ``sqrt(max_k' lips[g, k']) ||Delta_g||_F`` is ``<= tol``.

    Returns
    -------
    epochs : int
        Epochs run.
    max_change : float
        The largest block change of the last epoch (``inf`` if none ran).
    """
    roff = np.zeros(0)  # a local: the driver's sparse branch is typed to write it
    return _epochs(X, _NO_DATA, _NO_INDEX, _NO_INDEX, False, R, roff, W, H, xm, xm, gptr, gidx,
                   lips, galpha, lam, mu, ws, n_epochs, tol, qptr, Qf, dv)


@njit(fastmath=FASTMATH_SPARSE, **HELPER)
def _grad_sparse(data, indices, indptr, n, R, roff, H, hx, gidx, lo, s, Gr):
    # x_j^T H (R + roff) / n, on the non-zeros plus the offset's share roff hx;
    # the centring term xm sum_i H R_true is 0 by the caller's precondition.
    K = R.shape[1]
    Kh = H.shape[1]
    for a in range(s):
        j = gidx[lo + a]
        for k in range(K):
            Gr[a, k] = 0.0
        for t in range(indptr[j], indptr[j + 1]):
            i = indices[t]
            x = data[t]
            for k in range(K):
                Gr[a, k] += H[i, k if Kh > 1 else 0] * x * R[i, k]
        for k in range(K):
            Gr[a, k] = (Gr[a, k] + roff[k] * hx[j, k if Kh > 1 else 0]) / n


@njit(fastmath=FASTMATH_SPARSE, **HELPER)
def _update_sparse(data, indices, indptr, R, roff, xm, gidx, lo, s, D):
    # The true residual moves by -D (x_j - xm): -D x_j on the non-zeros of R,
    # +D xm into the column offsets (which would touch every row).
    K = R.shape[1]
    Kh = xm.shape[1]
    for a in range(s):
        j = gidx[lo + a]
        for t in range(indptr[j], indptr[j + 1]):
            i = indices[t]
            x = data[t]
            for k in range(K):
                R[i, k] -= D[a, k] * x
        for k in range(K):
            roff[k] += D[a, k] * xm[j, k if Kh > 1 else 0]


@njit(cache=True, nogil=True)
def bcd_sparse(data, indices, indptr, n, R, roff, W, H, xm, hx, gptr, gidx, lips, galpha,
               lam, mu, ws, n_epochs, tol, qptr=NO_EIGEN_PTR, Qf=NO_EIGEN, dv=NO_EIGEN):
    """Block coordinate descent epochs over the groups ``ws`` on a CSC X.

    Same problem, update and stopping rule as :func:`bcd_dense`; X is never
    densified. The true residual is ``R + roff[None, :]``.

    Precondition: where ``xm`` is not zero (H-weighted column means), the
    true residual is H-centred, ``sum_i H[i,k'] (R[i,k] + roff[k]) = 0``
    (a centred ``Yc``; centred updates keep it). The gradient's term
    ``-xm[j,k'] sum_i H[i,k'] R_true[i,k]``, a pass over ``R`` per block,
    is then 0 and dropped.

    Parameters
    ----------
    data, indices, indptr : ndarray
        X in CSC form (``data`` float64 or float32; ``indices`` and
        ``indptr`` int32 or int64, as scipy gives them).
    n : int
        Number of rows of X.
    R : ndarray of shape (n, K), float64, C-ordered
        The stored residual; updated in place.
    roff : ndarray of shape (K,), float64
        The column offsets of the residual; updated in place.
    W : ndarray of shape (p, K), float64, C-ordered
        The coefficients; updated in place.
    hx : ndarray of shape (p, Kh), float64
        ``hx[j, k'] = sum_i H[i, k'] X[i, j]``.
    H, xm, gptr, gidx, lips, galpha, lam, mu, ws, n_epochs, tol
        As in :func:`bcd_dense` (``lips`` from :func:`block_lipschitz_sparse`).

    Returns
    -------
    epochs : int
        Epochs run.
    max_change : float
        The largest block change of the last epoch (``inf`` if none ran).
    """
    return _epochs(_NO_X, data, indices, indptr, True, R, roff, W, H, xm, hx, gptr, gidx, lips,
                   galpha, lam, mu, ws, n_epochs, tol, qptr, Qf, dv)


@njit(**HELPER)
def _epochs(X, data, indices, indptr, sparse, R, roff, W, H, xm, hx, gptr, gidx, lips, galpha,
            lam, mu, ws, n_epochs, tol, qptr, Qf, dv):
    """The epochs of :func:`bcd_dense` (``sparse`` False) and :func:`bcd_sparse` (True)."""
    K = W.shape[1]
    n = R.shape[0]
    Gr, D = _scratch(gptr, ws, K)
    change = np.inf
    done = 0
    for _ in range(n_epochs):
        change = 0.0
        for q in range(ws.shape[0]):
            g, lo, s = block_span(gptr, ws, q)
            if s == 0:
                continue
            lmax = _max_lips(lips, g)
            if lmax > 0.0:
                if sparse:
                    _grad_sparse(data, indices, indptr, n, R, roff, H, hx, gidx, lo, s, Gr)
                else:
                    _grad_dense(X, R, H, xm, gidx, lo, s, Gr)
            moved, c = _step(W, gidx, lo, s, Gr, D, lips, g, lmax, galpha, lam, mu, qptr, Qf,
                             dv)
            if moved:
                if sparse:
                    _update_sparse(data, indices, indptr, R, roff, xm, gidx, lo, s, D)
                else:
                    _update_dense(X, R, xm, gidx, lo, s, D)
            change = max(change, c)
        done += 1
        if change <= tol:
            break
    return done, change
