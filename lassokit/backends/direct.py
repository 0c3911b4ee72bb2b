"""The ``"direct"`` backend: closed-form Ridge (L2-only, no positivity).

The normal equations ``(Xc^T S Xc / n + M) w = Xc^T S yc / n`` (``M`` the
per-feature L2 strengths) are solved by Cholesky on the smaller of the
p x p system and the n x n system of the matrix-inversion (push-through)
identity. Sparse X is never densified: conjugate gradients on the implicitly
centred normal equations run until the certificate is met.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from .. import _linalg
from ..certificate import certify
from .base import Backend, BackendResult, Capabilities


class DirectBackend(Backend):
    """Closed-form solution of L2-only problems (see module docstring)."""

    name = "direct"
    capabilities = Capabilities(l1=False, positive=False)
    options = {}
    default_max_iter = 10

    def solve(self, problem, *, tol, max_iter, warm_start):
        d = problem._design
        X = problem.X
        if sp.issparse(X):
            return self._solve_sparse(problem, d, tol, max_iter, warm_start)
        n, p = X.shape
        Xc = np.asarray(X, dtype=np.float64) - d.x_offset
        sqrt_s = np.ones(n) if d.sw is None else np.sqrt(d.sw)
        A = Xc * sqrt_s[:, None]
        b = d.yc * sqrt_s
        mu = d.mu
        if p <= n or np.any(mu == 0):
            G = A.T @ A
            G[np.diag_indices(p)] += n * mu
            rhs = A.T @ b
            coef = _spd_solve(G, rhs)
        else:
            # Push-through: (A^T A + nM)^-1 A^T = M^-1 A^T (A M^-1 A^T + n I)^-1.
            Am = A / mu
            K = Am @ A.T
            K[np.diag_indices(n)] += n
            coef = Am.T @ _spd_solve(K, b)
        return BackendResult(coef=coef, n_iter=1, info={"method": "cholesky"})

    def _solve_sparse(self, problem, d, tol, max_iter, warm_start):
        X = problem.X
        n, p = X.shape
        s = np.ones(n) if d.sw is None else d.sw

        def normal(v):
            Xv = _linalg.matvec(X, v) - d.x_offset @ v
            sXv = s * Xv
            return (_linalg.rmatvec(X, sXv) - d.x_offset * sXv.sum()) / n + d.mu * v

        op = spla.LinearOperator((p, p), matvec=normal, dtype=np.float64)
        rhs = (_linalg.rmatvec(X, s * d.yc) - d.x_offset * (s * d.yc).sum()) / n
        diag = _linalg.column_sq_norms(X, d.sw, d.x_offset) / n + d.mu
        precond = spla.LinearOperator(
            (p, p), matvec=lambda v: v / np.where(diag > 0, diag, 1.0), dtype=np.float64
        )
        coef = np.zeros(p) if warm_start is None else warm_start.copy()
        rtol, total, status = 1e-6, 0, "max_iter"
        for _ in range(max_iter):
            coef, _info = spla.cg(op, rhs, x0=coef, rtol=rtol, maxiter=10 * p + 100, M=precond)
            total += 1
            if certify(d, X, coef).dual_gap <= tol * d.p0:
                status = "success"
                break
            rtol *= 1e-2
        return BackendResult(coef=coef, n_iter=total, status=status, info={"method": "cg"})


def _spd_solve(G, rhs):
    try:
        c = scipy.linalg.cho_factor(G, lower=True, check_finite=False)
        return scipy.linalg.cho_solve(c, rhs, check_finite=False)
    except np.linalg.LinAlgError:
        # Singular (unpenalized collinear features): minimum-norm solution.
        return scipy.linalg.lstsq(G, rhs, cond=None, check_finite=False)[0]
