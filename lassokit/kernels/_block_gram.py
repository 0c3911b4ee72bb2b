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


#: Stand-ins for the storage a call does not use (one compiled driver for both).
_NO_X = np.zeros((0, 0), order="F")
_NO_DATA = np.zeros(0)
_NO_INDEX = np.zeros(0, dtype=np.int32)


@njit(**HELPER)
def _work(n, sparse, gptr):
    """Scratch of one driver call: the sparse row lists (size ``n``) or a dense row."""
    m = n if sparse else 0
    return np.full(m, -1, np.int64), np.empty(m, np.int64), np.empty(m, np.int64), \
        np.empty(_largest(gptr))


@njit(**HELPER)
def _gram(X, data, indices, indptr, sparse, H, xm, gidx, lo, s, kk, hsum, tag, work):
    """``M_g`` (unscaled) from either storage; ``tag`` must be new for every call."""
    mark, slot, rows, cvec = work
    if sparse:
        return _sparse_gram(data, indices, indptr, H, xm, gidx, lo, s, kk, hsum[kk], tag,
                            mark, slot, rows)
    return _dense_gram(X, H, xm, gidx, lo, s, kk, cvec)


@njit(**HELPER)
def _lipschitz(X, data, indices, indptr, sparse, n, H, xm, gptr, gidx):
    Kh = H.shape[1]
    G = gptr.shape[0] - 1
    lips = np.zeros((G, Kh))
    hsum = np.zeros(Kh)
    for i in range(H.shape[0]):
        for kk in range(Kh):
            hsum[kk] += H[i, kk]
    work = _work(n, sparse, gptr)
    tag = 0
    for g in range(G):
        lo = gptr[g]
        s = gptr[g + 1] - lo
        if s == 0:
            continue
        for kk in range(Kh):
            M = _gram(X, data, indices, indptr, sparse, H, xm, gidx, lo, s, kk, hsum, tag, work)
            tag += 1
            lips[g, kk] = _top_eig(M, s) / n
    return lips


@njit(cache=True, nogil=True)
def block_lipschitz_dense(X, H, xm, gptr, gidx):
    """``lips[g, k'] = lambda_max(M_g)`` for every block, shape (G, Kh) (dense X, any order)."""
    return _lipschitz(X, _NO_DATA, _NO_INDEX, _NO_INDEX, False, X.shape[0], H, xm, gptr, gidx)


@njit(cache=True, nogil=True)
def block_lipschitz_sparse(data, indices, indptr, n, H, xm, gptr, gidx):
    """:func:`block_lipschitz_dense` for a CSC X, without densifying it."""
    return _lipschitz(_NO_X, data, indices, indptr, True, n, H, xm, gptr, gidx)


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
def _eigen(X, data, indices, indptr, sparse, n, H, xm, gptr, gidx, exact, qptr, Qf, dv):
    hsum = np.zeros(1)
    for i in range(H.shape[0]):
        hsum[0] += H[i, 0]
    work = _work(n, sparse, gptr)
    for g in range(gptr.shape[0] - 1):
        if not exact[g]:
            continue
        lo = gptr[g]
        s = gptr[g + 1] - lo
        M = _gram(X, data, indices, indptr, sparse, H, xm, gidx, lo, s, 0, hsum, g, work)
        _store_eigen(M, s, n, lo, qptr, g, Qf, dv)


@njit(cache=True, nogil=True)
def block_eigen_dense(X, H, xm, gptr, gidx, exact, qptr, Qf, dv):
    """Eigendecompositions ``M_g = Q diag(d) Q^T`` of the blocks flagged ``exact`` (Kh = 1).

    Written in place, the other blocks left as they are (so decompositions
    can be made as blocks are first needed): block ``g``'s ``Q`` (row-major)
    is ``Qf[qptr[g]:qptr[g+1]]``, its eigenvalues ``dv[gptr[g]:gptr[g+1]]``
    (ascending; relative ``1e-12`` and below set to 0). ``qptr`` must leave
    ``s_g^2`` entries to every flagged block (:func:`eigen_layout`).
    """
    _eigen(X, _NO_DATA, _NO_INDEX, _NO_INDEX, False, X.shape[0], H, xm, gptr, gidx, exact,
           qptr, Qf, dv)


@njit(cache=True, nogil=True)
def block_eigen_sparse(data, indices, indptr, n, H, xm, gptr, gidx, exact, qptr, Qf, dv):
    """:func:`block_eigen_dense` for a CSC X."""
    _eigen(_NO_X, data, indices, indptr, True, n, H, xm, gptr, gidx, exact, qptr, Qf, dv)


def eigen_layout(gptr, multi):
    """``(qptr, Qf, dv)`` with room for the decompositions of the blocks flagged ``multi``."""
    sizes = np.diff(gptr)
    qptr = np.zeros(sizes.size + 1, dtype=np.int64)
    np.cumsum(np.where(multi, sizes * sizes, 0), out=qptr[1:])
    return qptr, np.zeros(int(qptr[-1])), np.zeros(int(gptr[-1]))
