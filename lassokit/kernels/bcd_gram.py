"""Block coordinate descent in feature space, for tall data (numba).

With ``n >> p`` a block update that reads the residual costs ``O(n K)``; in
feature space it costs ``O(p K)``. The caller forms once (per path) the
weighted Gram matrix of the centred design and its products with the
targets,

    G = Xc^T H Xc / n   (p x p),      C = Xc^T H Y / n   (p x K),

and the kernel keeps ``Q = G W``: the negative gradient of block ``g`` is
``C_g - Q_g``, and a move ``Delta`` of its rows adds ``G[:, g] Delta`` to
``Q`` (glmnet's covariance updates, Friedman et al., 2010). The block
step and prox are those of :mod:`lassokit.kernels.bcd`.
"""

import numpy as np
from numba import njit

from .bcd import _max_lips, _prox_block, _scratch, block_span


@njit(cache=True, nogil=True)
def bcd_gram(G, C, W, Q, gptr, gidx, lips, galpha, lam, mu, ws, n_epochs, tol):
    """Epochs of block steps over ``ws`` in feature space; returns ``(epochs, max change)``.

    ``W`` and ``Q`` (both (p, K), C-ordered) are updated in place; ``Q``
    must equal ``G @ W`` on entry.
    """
    p = G.shape[0]
    K = W.shape[1]
    Gr, D = _scratch(gptr, ws, K)
    change = np.inf
    ep = 0
    for ep in range(1, n_epochs + 1):
        change = 0.0
        for q in range(ws.shape[0]):
            g, lo, sz = block_span(gptr, ws, q)
            lmax = _max_lips(lips, g)
            for a in range(sz):
                j = gidx[lo + a]
                for k in range(K):
                    Gr[a, k] = C[j, k] - Q[j, k]
            moved, ch = _prox_block(W, gidx, lo, sz, Gr, D, lips, g, lmax, galpha[g], lam, mu)
            change = max(change, ch)
            if moved:
                for a in range(sz):
                    j = gidx[lo + a]
                    for r in range(p):
                        gr = G[r, j]
                        if gr != 0.0:
                            for k in range(K):
                                Q[r, k] += gr * D[a, k]
        if change <= tol:
            break
    return ep, change
