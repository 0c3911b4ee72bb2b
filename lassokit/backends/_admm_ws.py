"""Working sets around ADMM: factor a small Gram matrix, not the whole one.

When ``n >= p`` the ADMM x-update needs the p x p matrix ``Xc^T S Xc / n``,
whose formation (``n p^2`` flops) dominates a solve whose support is small.
The working-set strategy of Massias, Gramfort & Salmon (2018) (celer) and
Johnson & Guestrin (2015) (Blitz) avoids it: solve the problem restricted to
a set ``W`` of features (all features without an L1 term, the current
support, and the features whose correlation with the residual is largest
relative to their L1 strength, ``|u_j| / lam_j``), then check the duality
gap of the *full* problem at that point -- one pass over X for the
correlations -- and, while it is above the target, double ``W`` and resolve
from the previous point. The restricted problem has the same ``P(0)``, so
its gap is on the same scale; each restricted solve is an
:class:`~lassokit.backends._admm_run.AdmmRun` with its own cached factor.

References
----------
M. Massias, A. Gramfort and J. Salmon (2018), "Celer: a fast solver for the
Lasso with dual extrapolation", ICML.
T. Johnson and C. Guestrin (2015), "Blitz: a principled meta-algorithm for
scaling sparse optimization", ICML.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import scipy.linalg.blas
import scipy.sparse as sp

from .. import _box, _linalg
from .._data import free_features
from ..certificate import certify
from ._admm_factor import GramFactor, gram_columns, linear_term, make_factor
from ._admm_run import AdmmRun, gap_from_stats
from .result import BackendResult

__all__ = ["solve_working_set"]

#: Size of the first working set (beyond the features that are always in).
WS_START = 32


def _restrict(d, W):
    """The design of the problem restricted to the features ``W`` (same P(0))."""
    lam, mu = d.lam[W], d.mu[W]
    box = d.box[:, W]
    return dataclasses.replace(d, p=W.size, x_offset=d.x_offset[W], lam=lam, mu=mu, weak=None,
                               box=box, unpenalized=free_features(lam, mu, box))


def _columns(X, W):
    sub = X[:, W]
    return sub if not hasattr(sub, "tocsc") else sub.tocsc()


def _sub_factor(X, d, sub_d, W, b, route):
    """The restricted problem's factor and X (``X[:, W]``, or a lazy maker of it).

    Dense X on the "gram" route never copies ``X[:, W]`` (an n x |W| copy
    costs more in page faults than the small Gram matrix): the Gram matrix
    is gathered by row blocks and ``b`` restricted.
    """
    if not sp.issparse(X) and route in ("auto", "gram") and W.size <= d.n:
        factor = GramFactor.from_parts(gram_columns(X, d, W), b[W], sub_d)
        return factor, lambda: _columns(X, W)
    sub_X = _columns(X, W)
    return make_factor(sub_X, sub_d, route), sub_X


def _residual(d, X, w):
    """``yc - Xc w``; for a small support of a Fortran-ordered float64 X, by columns.

    In-place ``axpy`` on the support's contiguous columns reads k columns
    instead of all of X. Each column is centred before it is added: adding
    ``x_off @ w`` once and ``w_j x_j`` per column would cancel the digits of
    a column with a large mean (1e9 with unit spread).
    """
    S = np.flatnonzero(w)
    if (sp.issparse(X) or X.dtype != np.float64 or not X.flags.f_contiguous
            or S.size > d.p // 4):
        return d.yc - _linalg.centred_matvec(X, w, d.x_offset)
    r = d.yc.copy()
    for j in S:
        xj = X[:, j] - d.x_offset[j] if d.x_offset[j] != 0.0 else X[:, j]
        scipy.linalg.blas.daxpy(xj, r, a=-w[j])
    return r


def _full_gap_and_scores(d, X, w, r, u=None):
    """Full-problem duality gap at ``w`` (residual ``r``) and the correlations ``u``."""
    sr = r if d.sw is None else d.sw * r
    if u is None:
        u = _linalg.centred_rmatvec(X, sr, d.x_offset) / d.n
    if d.unpenalized.size:
        gap = certify(d, X, w).dual_gap
    else:
        gap = gap_from_stats(d, w, float(sr @ d.yc) / d.n, float(sr @ r) / d.n, u)
    return gap, u


def _next_set(d, w, u, always, size):
    """``always`` + support of ``w`` + the top features by ``|u_j| / lam_j``, ``size`` in all."""
    keep = np.union1d(always, np.flatnonzero(w))
    eff = _box.box_score(u, d.box)  # -inf: pinned at 0
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(d.lam > 0, eff / d.lam, np.where(eff > -np.inf, np.inf, -np.inf))
    score[keep] = -np.inf
    extra = max(size - keep.size, 0)
    if extra == 0:
        return keep
    if extra >= d.p - keep.size:
        return np.arange(d.p)
    top = np.argpartition(-score, extra - 1)[:extra]
    return np.union1d(keep, top)


def solve_working_set(d, X, tol, max_iter, w0, run_options):
    """ADMM on growing working sets until the full problem's gap meets ``tol``.

    Parameters
    ----------
    d : _Design
    X : ndarray or sparse matrix
    tol : float
        Relative duality gap.
    max_iter : int
        Total ADMM iterations over all working sets.
    w0 : ndarray of shape (p,) or None
    run_options : dict
        ``rho``, ``relaxation``, ``adaptive_rho``, ``polish``, ``factorization``,
        ``verbose``.

    Returns
    -------
    BackendResult
    """
    p = d.p
    target = tol * d.p0
    always = np.flatnonzero((d.lam == 0) & ((d.box[0] < 0) | (d.box[1] > 0)))  # not pinned
    w = np.zeros(p) if w0 is None else np.array(w0, dtype=np.float64)
    r = d.yc.copy() if w0 is None else d.yc - _linalg.centred_matvec(X, w, d.x_offset)
    b = linear_term(X, d)  # the correlations at w = 0
    u = b if w0 is None else None
    # A round costs ~2 passes over X plus a Gram matrix of |W|^2 n flops, which
    # BLAS runs ~10x faster per flop: |W| ~ sqrt(20 p) balances the two, so a
    # second round is rarely worth saving a few columns in the first.
    size = always.size + max(WS_START, int(np.sqrt(20.0 * p)), 2 * np.count_nonzero(w))
    total, rounds, status, info, used = 0, 0, "max_iter", {}, 0
    while True:
        gap, u = _full_gap_and_scores(d, X, w, r, u)
        if run_options["verbose"]:
            print(f"admm working set round {rounds}: |W|={size} gap={gap:.3e} "
                  f"target={target:.3e}")
        if gap <= target:
            status = "success"
            break
        if total >= max_iter:
            break
        W = _next_set(d, w, u, always, size)
        sub_d = _restrict(d, W)
        factor, sub_X = _sub_factor(X, d, sub_d, W, b, run_options["factorization"])
        run = AdmmRun(factor, sub_d, sub_X, tol, run_options["relaxation"],
                      run_options["adaptive_rho"], run_options["polish"],
                      run_options["verbose"])
        # The restricted gap must leave room for the features outside W.
        run.target = 0.5 * target
        res = run.solve(w[W], run_options["rho"], max_iter - total)
        total += res.n_iter
        rounds += 1
        used = W.size
        info = res.info
        w = np.zeros(p)
        w[W] = res.coef
        r = _residual(d, X, w)
        u = None
        if W.size == p:
            status = res.status
            break
        size = min(p, 2 * W.size)
    info = dict(info, working_set_rounds=rounds, working_set_size=int(used))
    return BackendResult(coef=w, n_iter=total, status=status, info=info)
