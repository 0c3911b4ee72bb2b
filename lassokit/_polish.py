"""Finish a solve exactly once its support and signs are known.

An iterative solve stopped at a relative gap ``tol`` leaves coefficients
accurate to ~``sqrt(tol)`` only, and two solves of the same problem (dense
and sparse storage, weighted and repeated rows) stop at different points of
that ball. Once the support ``S`` and the signs ``s`` are right, the
optimum solves the smooth problem on ``S``:

    (Xc_S^T S Xc_S / n + diag(mu_S)) w_S = Xc_S^T S yc / n - lam_S * s_S,

a |S| x |S| linear system. Its solution is kept only when its signs agree
with ``s`` and lassokit's certificate of it is better than the iterative
answer's; then it is the optimum to rounding, whatever storage or
weighting produced the support (the "debiasing on the support" idea of
homotopy/LARS solvers, applied as a final, certified step).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.sparse as sp

from .certificate import certify
from .solution import Solution

__all__ = ["at_rounding_floor", "polish", "polish_gram", "prefer_polished", "with_tol"]

#: Supports larger than this are left as they are (|S|^2 n work, |S|^2 memory).
_MAX_SUPPORT = 1000
#: ... and so are systems whose condition number exceeds this (the solve
#: would not be more accurate than the iterate).
_MAX_COND = 1e12
#: Row blocks of at most this many float64 entries while forming the system.
_BLOCK_ENTRIES = 1 << 22
#: Rounds of dropping sign-changing features from a support guess.
_DROP_ROUNDS = 8
#: Rounding floor of a certificate, relative to ``P(0, b0)``: a gap is
#: ``P - D`` with both near ``p0``, each off by a few eps * p0. Below it two
#: gaps cannot be told apart.
_GAP_FLOOR = 64 * np.finfo(np.float64).eps


def _system(design, X, S):
    d = design
    n = d.n
    k = S.size
    G = np.zeros((k, k))
    b = np.zeros(k)
    xo = d.x_offset[S]
    step = max(1, _BLOCK_ENTRIES // max(k, 1))
    for start in range(0, n, step):
        blk = slice(start, min(n, start + step))
        B = X[blk][:, S]
        B = B.toarray() if sp.issparse(B) else np.asarray(B, dtype=np.float64)
        B = B - xo  # centred entry by entry (large means keep their digits)
        sB = B if d.sw is None else B * d.sw[blk, None]
        G += sB.T @ B
        b += sB.T @ d.yc[blk]
    H = G / n
    H[np.diag_indices_from(H)] += d.mu[S]
    return H, b / n


def _support_optimum(H, b, lam, signs, positive, sizes):
    """Solve ``H w = b - lam * signs``; None unless well conditioned with those signs.

    A feature that would change sign (or turn negative with ``positive``)
    means the support guess is not the optimum's: mostly a feature the
    optimum holds at zero that the iterate left at ~1e-10 (one about to
    enter, as at a LARS knot), whose wrong sign then pulls others. Of the
    offenders, the one smallest in the iterate (``sizes``, its ``|coef|`` on
    the support) is set to zero and the rest solved again, for at most
    ``_DROP_ROUNDS`` rounds; the caller's certificate decides whether the
    result is kept.
    """
    keep = np.arange(signs.size)
    for _ in range(_DROP_ROUNDS):
        try:
            c, lower = scipy.linalg.cho_factor(H[np.ix_(keep, keep)], check_finite=True)
        except (np.linalg.LinAlgError, ValueError):
            return None
        diag = np.diag(c)
        if not np.all(diag > 0) or (np.max(diag) / np.min(diag)) ** 2 > _MAX_COND:
            return None
        wk = scipy.linalg.cho_solve((c, lower), b[keep] - lam[keep] * signs[keep])
        bad = (lam[keep] > 0) & (signs[keep] * wk <= 0)
        if positive:
            bad |= wk < 0
        if not bad.any():
            w = np.zeros(signs.size)
            w[keep] = wk
            return w
        offenders = np.flatnonzero(bad)
        keep = np.delete(keep, offenders[np.argmin(sizes[keep[offenders]])])
        if keep.size == 0:
            return None
    return None


def polish(problem, sol):
    """``sol``, or the exact optimum on its support and signs when that is certified better.

    Parameters
    ----------
    problem : Problem
    sol : Solution
        A solution of ``problem``.

    Returns
    -------
    Solution
        Either ``sol`` itself or a new one (``info["polished"] = True``),
        with its own certificate.
    """
    d = problem._design
    if d.bounded and not d.positive:
        return sol  # signs alone do not say which coefficients sit on a finite bound
    coef = np.asarray(sol.coef, dtype=np.float64)
    S = np.union1d(np.flatnonzero(coef), d.unpenalized)
    # More features in S than samples leave the data-fit part of H singular;
    # an L2 term on every feature of S (Elastic Net) still makes H positive
    # definite, and the conditioning test below decides.
    wide = S.size > d.n and not np.all(d.mu[S] > 0)
    if S.size == 0 or S.size > _MAX_SUPPORT or wide or sol.status == "error":
        return sol
    X = problem.X
    H, rhs = _system(d, X, S)
    w = _support_optimum(H, rhs, d.lam[S], np.sign(coef[S]), d.positive, np.abs(coef[S]))
    if w is None:
        return sol
    new = np.zeros(d.p)
    new[S] = w
    new = new.astype(problem.dtype)
    cert = certify(d, X, new)
    if not prefer_polished(cert.dual_gap, sol, d.p0):
        return sol
    converged = cert.dual_gap <= sol.tol * d.p0
    return Solution(coef=new, intercept=cert.intercept, objective=cert.objective,
                    dual_gap=cert.dual_gap, rel_gap=cert.rel_gap, converged=converged,
                    status="optimal" if converged else sol.status, n_iter=sol.n_iter,
                    backend=sol.backend, solve_time=sol.solve_time, tol=sol.tol,
                    info={**sol.info, "polished": True})


def at_rounding_floor(gap, p0):
    """Whether the certified ``gap`` is at the certificate's rounding floor for ``P(0, b0) = p0``.

    There the gaps of two points cannot be told apart (see ``_GAP_FLOOR``).
    """
    return gap <= _GAP_FLOOR * p0


def prefer_polished(gap, sol, p0):
    """Keep a support optimum of certified gap ``gap`` instead of ``sol``?

    Yes when its gap is smaller; or when it is at the certificate's rounding
    floor, where the iterate's gap may read lower by noise alone while the
    support optimum is the exact point (dense and sparse, weighted and
    repeated rows then agree to rounding), as long as it stays converged.
    """
    at_floor = at_rounding_floor(gap, p0) and (gap <= sol.tol * p0 or not sol.converged)
    return gap < sol.dual_gap or at_floor


def polish_gram(G, b, lam, mu, positive, coef):
    """The support-and-signs optimum from Gram quantities (``u = b - G w`` form), or None.

    ``G``, ``b`` are ``Xc^T S Xc / n`` and ``Xc^T S yc / n`` (cross-validation
    moments); the caller certifies the candidate and keeps it if better.
    """
    coef = np.asarray(coef, dtype=np.float64)
    S = np.union1d(np.flatnonzero(coef), np.flatnonzero((lam == 0) & (mu == 0)))
    if S.size == 0 or S.size > _MAX_SUPPORT:
        return None
    H = G[np.ix_(S, S)].copy()
    H[np.diag_indices_from(H)] += mu[S]
    w = _support_optimum(H, b[S], lam[S], np.sign(coef[S]), positive, np.abs(coef[S]))
    if w is None:
        return None
    new = np.zeros(coef.shape[0])
    new[S] = w
    return new


def with_tol(sol, tol, p0):
    """``sol`` judged against ``tol`` instead of the tolerance it was solved to."""
    converged = sol.dual_gap <= tol * p0 and sol.status != "error"
    status = "optimal" if converged else ("inaccurate" if sol.status == "optimal" else sol.status)
    return Solution(coef=sol.coef, intercept=sol.intercept, objective=sol.objective,
                    dual_gap=sol.dual_gap, rel_gap=sol.rel_gap, converged=converged,
                    status=status, n_iter=sol.n_iter, backend=sol.backend,
                    solve_time=sol.solve_time, tol=tol, info=sol.info)
