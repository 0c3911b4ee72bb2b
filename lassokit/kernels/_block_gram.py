"""Weighted Gram matrices of the centred column blocks (numba): Lipschitz constants
and eigendecompositions for the block kernels (:mod:`lassokit.kernels.bcd`).

For a block ``g`` of columns, weights ``H[:, k']`` and centres ``xm[:, k']``,

    M_g = Xt_g^T diag(H[:, k']) Xt_g / n,   Xt_g = X[:, g] - xm[g, k'].

Its largest eigenvalue is the block's Lipschitz constant (the step of a
proximal-gradient block update); its eigendecomposition lets a group step
be solved exactly (:mod:`lassokit.kernels._block_solve`). A sparse X is
never densified: only the rows where some column of the block is non-zero
are visited, centred explicitly; the other rows all hold ``-xm`` and add
``h_0 xm xm^T``, ``h_0`` their total weight (clipped at 0 against
cancellation), so every entry is a sum of weighted squares.
"""

import numpy as np
from numba import njit

from ._common import HELPER


@njit(**HELPER)
def _largest(gptr):
    smax = 1
    for g in range(gptr.shape[0] - 1):
        smax = max(smax, gptr[g + 1] - gptr[g])
    return smax


@njit(**HELPER)
def _dense_gram(X, H, xm, gidx, lo, s, kk, cvec):
    """``M_g`` (unscaled: not yet divided by n), full and symmetric."""
    n = X.shape[0]
    M = np.zeros((s, s))
    for i in range(n):
        h = H[i, kk]
        for a in range(s):
            j = gidx[lo + a]
            cvec[a] = X[i, j] - xm[j, kk]
        for a in range(s):
            ha = h * cvec[a]
            for b in range(a + 1):
                M[a, b] += ha * cvec[b]
    for a in range(s):
        for b in range(a):
            M[b, a] = M[a, b]
    return M


@njit(**HELPER)
def _sparse_gram(data, indices, indptr, H, xm, gidx, lo, s, kk, hsum, g, mark, slot, rows):
    """``M_g`` of a CSC X (unscaled), full and symmetric (see the module doc)."""
    cnt = 0
    for a in range(s):
        j = gidx[lo + a]
        for t in range(indptr[j], indptr[j + 1]):
            i = indices[t]
            if mark[i] != g:
                mark[i] = g
                slot[i] = cnt
                rows[cnt] = i
                cnt += 1
    B = np.zeros((cnt, s))
    for a in range(s):
        j = gidx[lo + a]
        for t in range(indptr[j], indptr[j + 1]):
            B[slot[indices[t]], a] += data[t]  # duplicates add, as in X @ v
    cvec = np.empty(s)
    M = np.zeros((s, s))
    h_nz = 0.0
    for r in range(cnt):
        h = H[rows[r], kk]
        h_nz += h
        for a in range(s):
            cvec[a] = B[r, a] - xm[gidx[lo + a], kk]
        for a in range(s):
            ha = h * cvec[a]
            for b in range(a + 1):
                M[a, b] += ha * cvec[b]
    h0 = max(hsum - h_nz, 0.0)
    for a in range(s):
        ma = h0 * xm[gidx[lo + a], kk]
        for b in range(a + 1):
            M[a, b] += ma * xm[gidx[lo + b], kk]
    for a in range(s):
        for b in range(a):
            M[b, a] = M[a, b]
    return M


@njit(**HELPER)
def _top_eig(M, s):
    if s == 1:
        return max(M[0, 0], 0.0)
    return max(np.linalg.eigvalsh(M)[s - 1], 0.0)


@njit(cache=True, nogil=True)
def block_lipschitz_dense(X, H, xm, gptr, gidx):
    """``lips[g, k'] = lambda_max(M_g)`` for every block, shape (G, Kh) (dense X, any order)."""
    n = X.shape[0]
    Kh = H.shape[1]
    G = gptr.shape[0] - 1
    lips = np.zeros((G, Kh))
    cvec = np.empty(_largest(gptr))
    for g in range(G):
        lo = gptr[g]
        s = gptr[g + 1] - lo
        if s == 0:
            continue
        for kk in range(Kh):
            lips[g, kk] = _top_eig(_dense_gram(X, H, xm, gidx, lo, s, kk, cvec), s) / n
    return lips


@njit(cache=True, nogil=True)
def block_lipschitz_sparse(data, indices, indptr, n, H, xm, gptr, gidx):
    """:func:`block_lipschitz_dense` for a CSC X, without densifying it."""
    Kh = H.shape[1]
    G = gptr.shape[0] - 1
    lips = np.zeros((G, Kh))
    hsum = np.zeros(Kh)
    for i in range(n):
        for kk in range(Kh):
            hsum[kk] += H[i, kk]
    mark = np.full(n, -1, np.int64)  # the block that last listed row i
    slot = np.empty(n, np.int64)  # row i's position in that block's list
    rows = np.empty(n, np.int64)
    for g in range(G):
        lo = gptr[g]
        s = gptr[g + 1] - lo
        if s == 0:
            continue
        for kk in range(Kh):
            M = _sparse_gram(data, indices, indptr, H, xm, gidx, lo, s, kk, hsum[kk],
                             g * Kh + kk, mark, slot, rows)
            lips[g, kk] = _top_eig(M, s) / n
    return lips


@njit(**HELPER)
def _store_eigen(M, s, n, lo, qptr, g, Qf, dv):
    d, Q = np.linalg.eigh(M / n)
    top = max(d[s - 1], 0.0)
    for a in range(s):
        # Directions of a rank-deficient block carry no signal: exact zeros.
        dv[lo + a] = d[a] if d[a] > 1e-12 * top else 0.0
    c = qptr[g]
    for a in range(s):
        for b in range(s):
            Qf[c + a * s + b] = Q[a, b]


@njit(**HELPER)
def _eigen_layout(gptr, exact):
    G = gptr.shape[0] - 1
    qptr = np.zeros(G + 1, dtype=np.int64)
    for g in range(G):
        s = gptr[g + 1] - gptr[g]
        qptr[g + 1] = qptr[g] + (s * s if exact[g] else 0)
    return qptr


@njit(cache=True, nogil=True)
def block_eigen_dense(X, H, xm, gptr, gidx, exact):
    """Eigendecompositions ``M_g = Q diag(d) Q^T`` of the blocks flagged ``exact`` (Kh = 1).

    Returns ``(qptr, Qf, dv)``: block ``g``'s ``Q`` (row-major) is
    ``Qf[qptr[g]:qptr[g+1]]`` (empty for other blocks), its eigenvalues
    ``dv[gptr[g]:gptr[g+1]]`` (ascending; relative ``1e-12`` and below set to 0).
    """
    n = X.shape[0]
    qptr = _eigen_layout(gptr, exact)
    Qf = np.zeros(qptr[-1])
    dv = np.zeros(gidx.shape[0])
    cvec = np.empty(_largest(gptr))
    for g in range(gptr.shape[0] - 1):
        if not exact[g]:
            continue
        lo = gptr[g]
        s = gptr[g + 1] - lo
        _store_eigen(_dense_gram(X, H, xm, gidx, lo, s, 0, cvec), s, n, lo, qptr, g, Qf, dv)
    return qptr, Qf, dv


@njit(cache=True, nogil=True)
def block_eigen_sparse(data, indices, indptr, n, H, xm, gptr, gidx, exact):
    """:func:`block_eigen_dense` for a CSC X."""
    qptr = _eigen_layout(gptr, exact)
    Qf = np.zeros(qptr[-1])
    dv = np.zeros(gidx.shape[0])
    hsum = 0.0
    for i in range(n):
        hsum += H[i, 0]
    mark = np.full(n, -1, np.int64)
    slot = np.empty(n, np.int64)
    rows = np.empty(n, np.int64)
    for g in range(gptr.shape[0] - 1):
        if not exact[g]:
            continue
        lo = gptr[g]
        s = gptr[g + 1] - lo
        M = _sparse_gram(data, indices, indptr, H, xm, gidx, lo, s, 0, hsum, g, mark, slot,
                         rows)
        _store_eigen(M, s, n, lo, qptr, g, Qf, dv)
    return qptr, Qf, dv
