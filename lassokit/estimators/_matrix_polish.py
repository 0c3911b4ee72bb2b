"""Finish a matrix or group solve by Newton's method on its support (not public).

:mod:`lassokit._polish` finishes a one-target solve exactly: once the
support and signs are known, the optimum solves a linear system. With a
group term the problem on the support is smooth but not quadratic (the
norm ``||W_g||_2`` of each selected group), so the finish here is a damped
Newton iteration instead, on the entries ``S`` the iterate selected:

    f(w_S) = 1/(2n) ||diag(sqrt(s)) (Yc - Xc_S W_S)||^2 + sum_j lam_j sign_j w_j
             + sum_j mu_j w_j^2 / 2 + sum_g a_g ||w_g||_2,

with the L1 signs held at the iterate's. ``S`` holds the non-zero entries,
and every entry of a selected group (or an unpenalized feature) that has
no L1 term, since nothing holds those at zero. Each step solves the
|S| x |S| Newton system (a pseudo-inverse: with more features than samples
the loss alone is singular) and is halved until it keeps the signs, leaves
no selected group at zero and does not increase ``f``.

The result is kept only when lassokit's certificate of it is at least as
good as the iterate's (or at rounding level); then the model is the
optimum to rounding, whatever the storage, weighting or backend, as
scikit-learn's ``check_sample_weight_equivalence`` demands (integer
weights and repeated rows agree to 1e-7 in prediction).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.sparse as sp

from .._polish import at_rounding_floor
from ..matrix.solution import MatrixSolution

__all__ = ["polish_matrix"]

#: Supports with more entries than this are left as they are (|S|^3 work).
_MAX_ENTRIES = 1000
#: Newton steps at most (quadratic convergence needs a handful).
_MAX_STEPS = 30
_EPS = np.finfo(np.float64).eps
#: A selected group whose norm the finish shrinks by this factor has collapsed.
_COLLAPSED = 1e-6


def _selected(W, lay):
    """Boolean (p, K) mask of the entries Newton moves (see the module docstring)."""
    p = W.shape[0]
    block = lay.block_of(p)
    rows = np.einsum("jk,jk->j", W, W)
    bnorm = np.zeros(lay.n_blocks)
    np.add.at(bnorm, block[block >= 0], rows[block >= 0])
    galpha = np.where(block >= 0, lay.galpha[np.maximum(block, 0)], 0.0)
    active = np.where(block >= 0, bnorm[np.maximum(block, 0)] > 0, False)
    free = (lay.lam == 0) & ((galpha == 0) | active) & ~lay.excluded
    return (W != 0) | free[:, None]


class _Restricted:
    """The smooth problem on the entries ``S``: value, gradient and Hessian."""

    def __init__(self, d, F, S_F):
        X = d.X[:, F]
        XF = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
        XF = XF - d.x_offset[F]  # centred entry by entry (large means keep their digits)
        hX = XF if d.sw is None else XF * d.sw[:, None]
        self.G = hX.T @ XF / d.n
        self.C = hX.T @ d.Y / d.n
        self.rows, self.cols = np.nonzero(S_F)
        self.shape = S_F.shape
        lay = d.layout
        self.lam, self.mu = lay.lam[F][self.rows], lay.mu[F][self.rows]
        block = lay.block_of(d.p)[F][self.rows]
        self.groups = [(lay.galpha[b], np.flatnonzero(block == b))
                       for b in np.unique(block[block >= 0]) if lay.galpha[b] > 0]
        same = self.cols[:, None] == self.cols[None, :]
        self.H_loss = self.G[np.ix_(self.rows, self.rows)] * same

    def matrix(self, w):
        W = np.zeros(self.shape)
        W[self.rows, self.cols] = w
        return W

    def value(self, w, signs):
        W = self.matrix(w)
        f = 0.5 * np.sum(W * (self.G @ W)) - np.sum(W * self.C)
        f += self.lam @ (signs * w) + 0.5 * self.mu @ (w * w)
        return f + sum(a * np.linalg.norm(w[e]) for a, e in self.groups)

    def grad_hess(self, w, signs):
        W = self.matrix(w)
        g = (self.G @ W - self.C)[self.rows, self.cols] + self.lam * signs + self.mu * w
        H = self.H_loss.copy()
        H[np.diag_indices_from(H)] += self.mu
        for a, e in self.groups:
            v = w[e]
            r = np.linalg.norm(v)
            g[e] += a * v / r
            H[np.ix_(e, e)] += a * (np.eye(e.size) / r - np.outer(v, v) / r**3)
        return g, H

    def keeps_pattern(self, w, signs):
        if np.any((self.lam > 0) & (np.sign(w) != signs)):
            return False
        return all(np.any(w[e] != 0) for _, e in self.groups)


def _newton(problem_r, w, signs):
    f = problem_r.value(w, signs)
    for _ in range(_MAX_STEPS):
        g, H = problem_r.grad_hess(w, signs)
        e, V = scipy.linalg.eigh(H, check_finite=True)
        keep = e > max(e.max(initial=0.0), 0.0) * e.size * _EPS
        if not np.any(keep):
            break
        step = -V[:, keep] @ ((V[:, keep].T @ g) / e[keep])
        decrement = -float(g @ step)
        if not decrement > 0:
            break
        t, slack = 1.0, 16 * _EPS * (1.0 + abs(f))
        while t > 1e-12:
            trial = w + t * step
            if problem_r.keeps_pattern(trial, signs):
                f_trial = problem_r.value(trial, signs)
                if f_trial <= f - 1e-4 * t * decrement or (t == 1.0 and f_trial <= f + slack):
                    break
            t *= 0.5
        else:
            break
        w, f = trial, f_trial
        if decrement <= _EPS * _EPS * (1.0 + abs(f)):
            break
    return w


def _newton_on_support(d, W0):
    """Newton's finish of ``W0`` on its selected entries: the finished W, or None."""
    S = _selected(W0, d.layout)
    F = np.flatnonzero(S.any(axis=1))
    if F.size == 0 or S.sum() > _MAX_ENTRIES:
        return None, []
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        restricted = _Restricted(d, F, S[F])
        w0 = W0[F][restricted.rows, restricted.cols]
        w = _newton(restricted, w0, np.sign(w0))
    if not np.all(np.isfinite(w)):
        return None, []
    W = np.zeros_like(W0)
    W[F] = restricted.matrix(w)
    # Groups Newton drove toward 0 (kept off it only by the no-zero-group rule):
    # zero is likely their optimum, which a Newton step on ||w_g|| cannot reach.
    collapsed = [(F[restricted.rows[e]], restricted.cols[e]) for _, e in restricted.groups
                 if np.linalg.norm(w[e]) <= _COLLAPSED * np.linalg.norm(w0[e])]
    return W, collapsed


def _certified(problem, d, sol, W, coef_ndim):
    """``(coef, certificate, rel)`` of ``W`` if it certifies as well as ``sol``, else None."""
    W = W.astype(problem.dtype).astype(np.float64)
    out = W[:, 0] if coef_ndim == 1 else W
    cert = problem.certify(out)
    rel = cert.dual_gap / d.p0 if d.p0 > 0 else (0.0 if cert.dual_gap == 0 else np.inf)
    # As good as the iterate's certificate, or at its rounding floor (as lassokit._polish).
    better = cert.dual_gap <= sol.dual_gap or at_rounding_floor(cert.dual_gap, d.p0)
    return (out, cert, rel) if better and rel <= sol.tol else None


def polish_matrix(problem, sol):
    """``sol`` finished by Newton's method on its support, if that certifies better.

    A selected group that the finish drives toward zero is then dropped and
    the finish run again without it; the certificate chooses (the single-
    target finish, :mod:`lassokit._polish`, drops collapsing features alike).

    Parameters
    ----------
    problem : MatrixProblem
        With a coefficient matrix or a group penalty.
    sol : MatrixSolution
        A converged solution of ``problem`` (others are returned as they are).

    Returns
    -------
    MatrixSolution
        ``sol`` itself, or the finished solution with ``info["polished"] = True``.
    """
    if not sol.converged:
        return sol
    coef = np.asarray(sol.coef, dtype=np.float64)
    W0 = coef[:, None] if coef.ndim == 1 else coef
    d = problem.design()
    W, collapsed = _newton_on_support(d, W0)
    if W is None:
        return sol
    best = _certified(problem, d, sol, W, coef.ndim)
    if collapsed:
        Wd = W0.copy()
        for rows, cols in collapsed:
            Wd[rows, cols] = 0.0
        Wd, _ = _newton_on_support(d, Wd)
        dropped = None if Wd is None else _certified(problem, d, sol, Wd, coef.ndim)
        if dropped is not None and (best is None or dropped[1].dual_gap <= best[1].dual_gap
                                    or at_rounding_floor(dropped[1].dual_gap, d.p0)):
            best = dropped
    if best is None:
        return sol
    out, cert, rel = best
    b = np.ravel(np.asarray(cert.intercept, dtype=np.float64))
    return MatrixSolution(coef=out.astype(problem.dtype), intercept=b[0] if coef.ndim == 1 else b,
                          objective=cert.objective, dual_gap=cert.dual_gap, rel_gap=rel,
                          converged=True, status="optimal", n_iter=sol.n_iter,
                          backend=sol.backend, solve_time=sol.solve_time, tol=sol.tol,
                          info={**sol.info, "polished": True}, loss=sol.loss)
