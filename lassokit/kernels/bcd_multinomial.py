"""The inner solver of multinomial proximal Newton steps, with the classes coupled (numba).

At a Newton point with class probabilities ``p_i`` the model of the loss is

    q(W, c) = g . dZ + 1/2 sum_i dz_i^T H_i dz_i,
    H_i = s_i (diag(p_i) - p_i p_i^T) / n,   dZ = Xc (W - W0) + 1 dc^T,

``g = S (P - E) / n`` its gradient. Dropping the off-diagonal ``- p p^T``
(a per-class diagonal model) costs the Newton step its speed: the classes
compete for every sample's probability mass, and steps that ignore it
converge linearly (measured: 100+ steps where the coupled model takes
10). The coupled model is no dearer here: the kernel keeps ``M = H dZ``
(``n x K``), and a block move ``delta`` (one row of ``W`` per feature)
changes each sample's row by ``s_i x_ij (p_i * delta - p_i (p_i . delta)) /
n``, ``O(K)`` per sample as for least squares.

Each block takes a proximal-gradient step with the Lipschitz bound
``lips[b]`` of its model Hessian; the caller builds it from per-sample
weights ``s_i m_i / n`` with ``m_i >= lambda_max(diag p_i - p_i p_i^T)``
(both ``max_k p_ik`` and ``2 max_k p_ik (1 - p_ik)`` are such bounds, by
``diag(p) - p p^T <= diag(p)`` and by Gershgorin). The intercept ``dc`` is
an unpenalized block solved exactly each epoch with the pseudo-inverse of
``sum_i H_i`` (singular along ``1``, where the loss is flat).

Dense X is centred entry by entry by ``xm``; sparse X is not centred
(``xm`` zero), the intercept block then carries the means.
"""

import numpy as np
from numba import njit

from ._common import HELPER
from .bcd import _NO_DATA, _NO_INDEX, _NO_X, _prox_block, _scratch, block_span


@njit(**HELPER)
def _move_rows(M, P, s, xcol_i, i, delta, K, scale):
    # M[i] += scale * s_i x_ij (p_i * delta - p_i (p_i . delta))
    a = 0.0
    for k in range(K):
        a += P[i, k] * delta[k]
    f = scale * s[i] * xcol_i
    for k in range(K):
        M[i, k] += f * P[i, k] * (delta[k] - a)


@njit(**HELPER)
def _intercept_step(M, P, s, G0, Ainv, dc, n):
    """Exact minimization over the intercept block: ``dc += -Ainv (sum_i g_i + m_i)``."""
    K = M.shape[1]
    tot = np.zeros(K)
    for i in range(n):
        for k in range(K):
            tot[k] += G0[i, k] + M[i, k]
    step = np.zeros(K)
    for k in range(K):
        acc = 0.0
        for q in range(K):
            acc -= Ainv[k, q] * tot[q]
        step[k] = acc
    moved = 0.0
    for k in range(K):
        moved += step[k] * step[k]
        dc[k] += step[k]
    if moved > 0.0:
        for i in range(n):
            _move_rows(M, P, s, 1.0, i, step, K, 1.0 / n)
    return np.sqrt(moved)


@njit(cache=True, nogil=True)
def multinomial_dense(X, xm, s, P, G0, M, W, dc, Ainv, gptr, gidx, lips, galpha, lam, mu, ws,
                      n_epochs, tol, fit_intercept):
    """Epochs of block prox-gradient steps on the coupled model (dense, F-ordered X).

    ``M`` (n, K), ``W`` (p, K) and ``dc`` (K,) are updated in place; ``W``
    is the absolute coefficient matrix (the penalty applies to it).
    Returns ``(epochs, last max change)``.
    """
    return _epochs(X, xm, _NO_DATA, _NO_INDEX, _NO_INDEX, False, s, P, G0, M, W, dc, Ainv, gptr,
                   gidx, lips, galpha, lam, mu, ws, n_epochs, tol, fit_intercept)


@njit(cache=True, nogil=True)
def multinomial_sparse(data, indices, indptr, n, s, P, G0, M, W, dc, Ainv, gptr, gidx, lips,
                       galpha, lam, mu, ws, n_epochs, tol, fit_intercept):
    """:func:`multinomial_dense` for CSC X (not centred; the intercept block carries the means)."""
    return _epochs(_NO_X, _NO_DATA, data, indices, indptr, True, s, P, G0, M, W, dc, Ainv, gptr,
                   gidx, lips, galpha, lam, mu, ws, n_epochs, tol, fit_intercept)


@njit(**HELPER)
def _epochs(X, xm, data, indices, indptr, sparse, s, P, G0, M, W, dc, Ainv, gptr, gidx, lips,
            galpha, lam, mu, ws, n_epochs, tol, fit_intercept):
    n = M.shape[0]
    K = W.shape[1]
    Gr, D = _scratch(gptr, ws, K)
    delta = np.zeros(K)
    change = 0.0
    ep = 0
    for ep in range(1, n_epochs + 1):
        change = 0.0
        for q in range(ws.shape[0]):
            g, lo, sz = block_span(gptr, ws, q)
            for a in range(sz):
                j = gidx[lo + a]
                for k in range(K):
                    Gr[a, k] = 0.0
                if sparse:
                    for e in range(indptr[j], indptr[j + 1]):
                        i = indices[e]
                        for k in range(K):
                            Gr[a, k] -= data[e] * (G0[i, k] + M[i, k])
                else:
                    for i in range(n):
                        x = X[i, j] - xm[j]
                        for k in range(K):
                            Gr[a, k] -= x * (G0[i, k] + M[i, k])
            moved, ch = _prox_block(W, gidx, lo, sz, Gr, D, lips, g, lips[g, 0], galpha[g],
                                    lam, mu)
            change = max(change, ch)
            if moved:
                for a in range(sz):
                    j = gidx[lo + a]
                    for k in range(K):
                        delta[k] = D[a, k]
                    if sparse:
                        for e in range(indptr[j], indptr[j + 1]):
                            _move_rows(M, P, s, data[e], indices[e], delta, K, 1.0 / n)
                    else:
                        for i in range(n):
                            _move_rows(M, P, s, X[i, j] - xm[j], i, delta, K, 1.0 / n)
        if fit_intercept:
            change = max(change, _intercept_step(M, P, s, G0, Ainv, dc, n))
        if change <= tol:
            break
    return ep, change
