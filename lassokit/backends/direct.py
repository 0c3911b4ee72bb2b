"""The ``"direct"`` backend: closed-form Ridge (L2-only, no positivity).

The normal equations ``(Xc^T S Xc / n + M) w = Xc^T S yc / n`` (``M`` the
per-feature L2 strengths) are solved by Cholesky on the smaller of the
p x p system and the n x n system of the matrix-inversion (push-through)
identity. Sparse X is never densified. With at most ``_GRAM_MAX_FEATURES``
features its p x p Gram is formed by sparse products, centred implicitly
(rank-one corrections), Cholesky-solved and refined against the implicitly
centred operator: exact, as the dense route. With more features, conjugate
gradients on that operator run until the certificate is met.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from .. import _linalg
from ..certificate import certify
from .base import Backend, BackendResult, Capabilities

#: Sparse X with at most this many features is solved from its p x p Gram.
#: Conjugate gradients stop at the certificate, and a relative gap of tol
#: pins the coefficients to only about sqrt(tol) (4e-7 from scikit-learn's
#: Cholesky at tol = 1e-12, 1e-2 at Ridge's default 1e-4); the Gram gives
#: them to rounding. Its price: p^2 float64 (8 MB at 1024), a Cholesky of
#: p^3 / 3 flops (0.36 GFLOP, tens of ms) and a sparse product of
#: sum_i nnz(row i)^2 flops. Measured on random sparse X, it is at most a few
#: times the cost of conjugate gradients up to p = 1024 (0.03-0.3 s against
#: 0.01-0.06 s at n = 2e4-2e5); at p = 2048 the Cholesky alone took 0.3 s and
#: the product seconds on rows of 600 non-zeros, where CG took 0.1 s. Wider X
#: keeps conjugate gradients, which need no p x p memory.
_GRAM_MAX_FEATURES = 1024
#: Steps of iterative refinement after the Gram's Cholesky solve (each: two
#: passes over the non-zeros); the first usually reaches rounding level.
_REFINE_STEPS = 3


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

        rhs = (_linalg.rmatvec(X, s * d.yc) - d.x_offset * (s * d.yc).sum()) / n
        if p <= _GRAM_MAX_FEATURES:
            coef = _refined(_spd_factor(_sparse_gram(X, s, d)), normal, rhs)
            if certify(d, X, coef).dual_gap <= tol * d.p0:
                return BackendResult(coef=coef, n_iter=1, info={"method": "cholesky"})
            warm_start = coef  # ill-conditioned beyond refinement: CG takes over from here
        op = spla.LinearOperator((p, p), matvec=normal, dtype=np.float64)
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


def _sparse_gram(X, s, d):
    """``(Xc^T S Xc) / n + M`` for sparse X, ``Xc = X - 1 x_offset^T`` never formed.

    ``X^T S X`` is a sparse product (X is not densified; a float32 X is
    upcast once, entry by entry, so the sums are float64), then centred by
    ``Xc^T S Xc = X^T S X - u m^T - m u^T + W m m^T`` with ``u = X^T s``,
    ``W = sum(s)``, ``m = x_offset``. The correction cancels digits when a
    column's mean is large next to its spread; :func:`_refined` recovers them.
    """
    n, p = X.shape
    X64 = X if X.dtype == np.float64 else X.astype(np.float64)
    SX = X64 if d.sw is None else sp.diags(s) @ X64
    G = np.asarray((X64.T @ SX).toarray())
    m = d.x_offset
    if np.any(m):
        u = _linalg.rmatvec(X64, s)
        G -= np.outer(u, m) + np.outer(m, u) - s.sum() * np.outer(m, m)
    G /= n
    G[np.diag_indices(p)] += d.mu
    return G


def _refined(solve, normal, rhs):
    """``solve(rhs)`` improved by iterative refinement against the exact operator ``normal``.

    ``solve`` inverts an approximation of ``normal`` (the Gram, with the
    rounding of its implicit centring); the residual is taken with
    ``normal`` itself, so each step gains the digits the Gram lost.
    """
    coef = solve(rhs)
    for _ in range(_REFINE_STEPS):
        step = solve(rhs - normal(coef))
        coef = coef + step
        if not np.max(np.abs(step)) > 4 * np.finfo(np.float64).eps * np.max(np.abs(coef)):
            break
    return coef


def _spd_factor(G):
    """A function ``rhs -> G^-1 rhs``: Cholesky, or least squares where G is singular."""
    try:
        c = scipy.linalg.cho_factor(G, lower=True, check_finite=False)
        return lambda rhs: scipy.linalg.cho_solve(c, rhs, check_finite=False)
    except np.linalg.LinAlgError:
        # Singular (unpenalized collinear features): minimum-norm solution.
        return lambda rhs: scipy.linalg.lstsq(G, rhs, cond=None, check_finite=False)[0]


def _spd_solve(G, rhs):
    return _spd_factor(G)(rhs)
