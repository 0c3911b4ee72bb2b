"""The engine of :func:`lassokit.path` and of cross-validation: one problem, many strengths.

Each strength is solved warm-started from the previous one. With
``strong_rules=True`` the backend only sees the features that the
sequential strong rule keeps (Tibshirani et al., 2012); what it returns is
then certified on the *full* problem, and discarded features that violate
the KKT conditions are added back until the full certificate is met.

Checking KKT for every discarded feature needs the correlations
``u = Xc^T S r / n`` -- a pass over all of X per strength, which dominates
when the reduced solves are cheap. Instead, every full pass stores its
residual and correlations; for a new residual ``r`` the closest combination
``R c`` of the stored residuals has exactly known correlations ``U c``, and
Cauchy-Schwarz bounds the rest,

    |u_j(r) - (U c)_j| <= ||xc_j||_S ||r - R c||_S / n,

in the spirit of the safe sequential rules of Fercoq, Gramfort & Salmon
(2015) and the hybrid safe-strong rules of Zeng, Yang & Breheny (2021).
Features whose bound cannot clear ``|u_j| <= lam_j`` (the active ones among
them) get exact correlations from their own columns; a full pass happens
only when they are many. Handing the certificate an elementwise upper bound
of ``|u_j|`` keeps its dual point feasible and can only lower the dual
value, so the gap stays a valid bound; when every bounded feature clears its
threshold it is the exact gap.

References
----------
Tibshirani, Bien, Friedman, Hastie, Simon, Taylor & Tibshirani (2012),
"Strong rules for discarding predictors in lasso-type problems", JRSS B 74(2).
Fercoq, Gramfort & Salmon (2015), "Mind the duality gap: safer rules for the
Lasso", ICML.
Zeng, Yang & Breheny (2021), "Hybrid safe-strong rules for efficient
optimization in lasso-type problems", Comput. Stat. Data Anal. 153.
"""

from __future__ import annotations

import time

import numpy as np

from . import _linalg
from ._validation import check_coef, check_max_iter, check_tol
from .backends.base import BackendResult
from .backends.registry import resolve_backend
from .certificate import certify, residual
from .penalty import Penalty
from .problem import Problem

__all__ = ["PathRunner"]

#: More suspect features than this share of p: one full pass instead of columns.
_FULL_PASS_SHARE = 0.1
#: Exact correlation vectors kept for the bounds.
_STORE = 4
#: Smallest reduced problem built (features).
_MIN_REDUCED = 16


def l1_share(penalty):
    """``a1 / (a1 + a2)``; 1.0 for a zero penalty."""
    total = penalty.l1 + penalty.l2
    return 1.0 if total == 0 else penalty.l1 / total


class _Correlations:
    """``u = Xc^T S r / n``: exact on demand, bounded from stored exact ones otherwise.

    Every full pass stores its residual and correlations (the last
    ``_STORE`` of them). For a new residual ``r``, the weighted
    least-squares combination ``R c`` of the stored residuals gives
    ``u(R c) = U c`` exactly, and Cauchy-Schwarz bounds the rest:
    ``|u_j(r) - (U c)_j| <= ||xc_j||_S ||r - R c||_S / n``. Residuals along a
    path stay close to a low-dimensional subspace, so the bound stays tight
    for many strengths after a pass.
    """

    def __init__(self, problem):
        self.X = problem.X
        self.d = problem._design
        self.positive = problem.positive
        self.norms = None
        self.sqrt_s = None if self.d.sw is None else np.sqrt(self.d.sw)
        self.R = np.empty((self.d.n, 0))
        self.U = np.empty((self.d.p, 0))

    def _sr(self, r):
        return r if self.d.sw is None else self.d.sw * r

    def exact(self, r):
        """Full pass over X; ``(r, u)`` joins the store."""
        sr = self._sr(r)
        u = (_linalg.rmatvec(self.X, sr) - self.d.x_offset * sr.sum()) / self.d.n
        keep = _STORE - 1
        self.R = np.column_stack([self.R[:, -keep:], r]) if keep else r[:, None]
        self.U = np.column_stack([self.U[:, -keep:], u]) if keep else u[:, None]
        return u

    def columns(self, r, Xsub, idx):
        """Exact ``u`` on the columns ``idx`` held in ``Xsub``."""
        sr = self._sr(r)
        return (_linalg.rmatvec(Xsub, sr) - self.d.x_offset[idx] * sr.sum()) / self.d.n

    def bound(self, r):
        """Upper bound of ``|u|`` (of ``u`` with positivity) at ``r``."""
        if self.norms is None:
            sq = _linalg.column_sq_norms(self.X, self.d.sw, self.d.x_offset)
            self.norms = np.sqrt(sq) / self.d.n
        if self.sqrt_s is None:
            c = np.linalg.lstsq(self.R, r, rcond=None)[0]
        else:
            c = np.linalg.lstsq(self.R * self.sqrt_s[:, None], r * self.sqrt_s, rcond=None)[0]
        e = r - self.R @ c
        delta = np.sqrt(float(self._sr(e) @ e))
        est = self.U @ c
        base = est if self.positive else np.abs(est)
        # A relative margin covers rounding in the stored u and in U @ c.
        return base + self.norms * delta + 1e-12 * (np.abs(self.U) @ np.abs(c))


class PathRunner:
    """Warm-started solves along a grid for one problem (shared by path and CV).

    Parameters
    ----------
    problem : Problem
    backend : str or Backend
    tol : float
    max_iter : int or None
    strong_rules : bool
        Screen with the sequential strong rule (else the backend sees all).
    verbose : bool
    options : dict
        Backend options.
    l1_ratio : float, optional
        The L1 share; default ``a1 / (a1 + a2)`` of ``problem.penalty``.
    """

    def __init__(self, problem, *, backend, tol, max_iter, strong_rules=True, verbose=False,
                 options=None, l1_ratio=None):
        self.backend = resolve_backend(backend, problem)
        X = problem.X
        if self.backend.name == "cd" and isinstance(X, np.ndarray) and not X.flags.f_contiguous:
            # "cd" works on Fortran-ordered X and would convert it at every
            # strength: convert once for the whole path instead.
            problem = problem.replace(X=np.asfortranarray(X))
        _ = problem._stats  # computed once, shared by every strength's replace()
        self.problem = problem
        self.tol = check_tol(tol)
        max_iter = check_max_iter(max_iter)
        self.max_iter = self.backend.default_max_iter if max_iter is None else max_iter
        self.options = dict(options or {})
        self.backend.check_options(self.options)
        if not isinstance(strong_rules, (bool, np.bool_)):
            raise TypeError(f"strong_rules must be a bool, got {type(strong_rules).__name__}.")
        self.strong = bool(strong_rules)
        self.verbose = bool(verbose)
        pen = problem.penalty
        # An explicit share avoids the rounding of a1 / (a1 + a2).
        self.r = l1_share(pen) if l1_ratio is None else float(l1_ratio)
        self.v1, self.v2 = pen.l1_weights, pen.l2_weights
        self.v1_full = np.ones(problem.n_features) if self.v1 is None else self.v1
        self._red_mask = np.zeros(problem.n_features, dtype=bool)
        self._red_base = self._red_idx = self._pool = None

    def penalty_at(self, alpha):
        """The penalty at overall strength ``alpha``."""
        return Penalty(alpha * self.r, alpha * (1.0 - self.r), self.v1, self.v2)

    def run(self, alphas, coef_init=None):
        """Solve at every strength of ``alphas`` (decreasing); returns a :class:`Path`."""
        from .path import Path

        prob = self.problem
        p, k = prob.n_features, alphas.shape[0]
        w = np.zeros(p) if coef_init is None else check_coef(coef_init, p, "coef_init")
        if prob.positive:
            w = np.maximum(w, 0.0)
        coefs = np.empty((p, k), dtype=prob.dtype)
        intercepts, gaps, rel = np.zeros(k), np.empty(k), np.empty(k)
        iters = np.zeros(k, dtype=np.int64)
        conv = np.zeros(k, dtype=bool)
        start = time.perf_counter()
        if self.strong:
            self.corr = _Correlations(prob)
            u = self.corr.exact(self._residual(w))
            eff = u if prob.positive else np.abs(u)
            # Before the first strength the "previous" one is alpha_max.
            if self.r > 0:
                prev_lam = max(prob.alpha_max() / self.r, alphas[0]) * self.r * self.v1_full
            else:
                prev_lam = np.zeros(p)  # no L1 term: nothing is ever discarded
        for i, alpha in enumerate(alphas):
            sub = prob.replace(penalty=self.penalty_at(float(alpha)))
            if self.strong:
                w, cert, n_it, eff = self._solve_screened(sub, w, eff, prev_lam)
                prev_lam = sub._design.lam
            else:
                w, cert, n_it = self._solve(sub, w)
            coefs[:, i] = w
            intercepts[i] = cert.intercept
            gaps[i], rel[i], iters[i] = cert.dual_gap, cert.rel_gap, n_it
            conv[i] = cert.dual_gap <= self.tol * sub._design.p0
            if self.verbose:
                print(f"alpha={alpha:.6g}  nnz={np.count_nonzero(w)}  rel_gap={cert.rel_gap:.3g}  "
                      f"n_iter={n_it}")
        return Path(alphas=alphas, coefs=coefs, intercepts=intercepts, dual_gaps=gaps,
                    rel_gaps=rel, n_iters=iters, converged=conv, l1_ratio=self.r,
                    backend=self.backend.name, tol=self.tol,
                    solve_time=time.perf_counter() - start)

    # -- pieces ----------------------------------------------------------------------
    def _call_backend(self, sub, w0):
        raw = self.backend.solve(sub, tol=self.tol, max_iter=self.max_iter, warm_start=w0,
                                 **self.options)
        if isinstance(raw, dict):
            raw = BackendResult(**raw)
        coef = np.asarray(raw.coef, dtype=np.float64).ravel()
        if coef.shape != (sub.n_features,) or not np.all(np.isfinite(coef)):
            coef = np.zeros(sub.n_features)
        if sub.positive:
            coef = np.maximum(coef, 0.0)
        return coef, tuple(q for q in (raw.dual_points or ()) if q is not None), int(raw.n_iter)

    def _round(self, sub, coef, dual_points):
        """Round to the output dtype: the certificate describes what is returned.

        As in ``Problem.solve``, the unrounded residual stays a dual
        candidate (float32 rounding is first order in w, second order in P).
        """
        if sub.dtype == np.float64:
            return coef, dual_points
        return coef.astype(sub.dtype).astype(np.float64), dual_points + (self._residual(coef),)

    def _residual(self, w):
        """Centred residual ``yc - Xc w``, from the support columns when few."""
        d = self.problem._design
        nz = np.flatnonzero(w)
        if nz.size > 0.25 * w.size:
            return residual(d, self.problem.X, w)
        fit = _linalg.columns(self.problem.X, nz) @ w[nz] if nz.size else np.zeros(d.n)
        return d.yc - (fit - float(d.x_offset[nz] @ w[nz]))

    def _solve(self, sub, w0):
        coef, dual_points, n_it = self._call_backend(sub, w0)
        coef, dual_points = self._round(sub, coef, dual_points)
        r = self._residual(coef)
        return coef, certify(sub._design, sub.X, coef, dual_points, r=r), n_it

    def _solve_screened(self, sub, w, eff_prev, prev_lam):
        """Strong rule, reduced solve, KKT check; the full certificate decides."""
        d = sub._design
        lam, positive, p = d.lam, sub.positive, sub.n_features
        keep = (w != 0) | (lam == 0) | (eff_prev >= 2.0 * lam - prev_lam)
        total_it = 0
        while True:
            reduced, idx = self._reduced(sub, keep, eff_prev)
            coef = np.zeros(p)
            dual_points = ()
            if idx.size:
                c_red, dual_points, n_it = self._call_backend(reduced, w[idx])
                coef[idx] = c_red
                total_it += n_it
            coef, dual_points = self._round(sub, coef, dual_points)
            r = self._residual(coef)
            outside = ~self._red_mask
            # Features whose bound cannot clear |u_j| <= lam_j (the active ones
            # among them) get exact correlations: their columns only, or one
            # full pass (renewing the reference) when they are many.
            u = self.corr.bound(r)
            suspect = u > lam
            exact = False
            if np.count_nonzero(suspect) > _FULL_PASS_SHARE * p:
                u, exact = self.corr.exact(r), True
            elif np.any(suspect):
                sidx = np.flatnonzero(suspect)
                u[sidx] = self.corr.columns(r, self.problem.X[:, sidx], sidx)
            cert = certify(d, sub.X, coef, dual_points, r=r, u=u)
            if not cert.dual_gap <= self.tol * d.p0 and not exact:
                # Bounds can only loosen the certificate; judge with exact values.
                u, exact = self.corr.exact(r), True
                cert = certify(d, sub.X, coef, dual_points, r=r, u=u)
            eff = u if positive else np.abs(u)
            if cert.dual_gap <= self.tol * d.p0:
                return coef, cert, total_it, eff
            viol = outside & (eff > lam * (1.0 + 1e-12))
            if not np.any(viol):
                # Every discarded feature satisfies KKT: the reduced solve
                # itself fell short of tol; more features would not help.
                return coef, cert, total_it, eff
            keep = keep | viol
            w = coef

    def _reduced(self, sub, keep, eff):
        """The problem on a superset of ``keep`` at ``sub``'s penalty, and its columns.

        The superset (the union of the sets kept so far, at least
        ``_MIN_REDUCED`` features, topped up by ``eff / lam``) only grows
        along a path, so the reduced problem changes only when a feature
        enters; dense columns are appended to a Fortran-ordered pool, so
        entering costs a copy of the new columns only. The rows are the full
        problem's, so the data statistics are those of the full problem
        restricted to the pool's columns.
        """
        if self._red_base is None and not np.any(keep):
            return None, np.empty(0, dtype=np.intp)
        if self._red_base is None or np.any(keep & ~self._red_mask):
            new = keep & ~self._red_mask
            extra = _MIN_REDUCED - int(np.count_nonzero(self._red_mask | keep))
            if extra > 0:
                lam = sub._design.lam
                cand = np.flatnonzero(~(self._red_mask | keep))
                with np.errstate(divide="ignore", invalid="ignore"):
                    score = np.where(lam[cand] > 0, eff[cand] / lam[cand], np.inf)
                new[cand[np.argsort(-score, kind="stable")[:extra]]] = True
            self._red_mask = self._red_mask | new
            self._red_idx, Xr = self._grow_pool(np.flatnonzero(new))
            full = self.problem
            base = Problem(Xr, full.y, Penalty(1.0), fit_intercept=full.fit_intercept,
                           sample_weight=full.sample_weight, positive=full.positive)
            x_offset, y_offset, yc, p0 = full._stats
            base.__dict__["_stats"] = (x_offset[self._red_idx], y_offset, yc, p0)
            self._red_base = base
        idx = self._red_idx
        pen = sub.penalty
        v1 = None if pen.l1_weights is None else pen.l1_weights[idx]
        v2 = None if pen.l2_weights is None else pen.l2_weights[idx]
        return self._red_base.replace(penalty=Penalty(pen.l1, pen.l2, v1, v2)), idx

    def _grow_pool(self, new):
        """Append columns ``new``; returns (all pooled indices, their X)."""
        X = self.problem.X
        idx = new if self._red_idx is None else np.concatenate([self._red_idx, new])
        if not isinstance(X, np.ndarray):
            return idx, X[:, idx]  # sparse: slicing copies only the columns' entries
        m, k = 0 if self._red_idx is None else self._red_idx.size, new.size
        if self._pool is None or m + k > self._pool.shape[1]:
            pool = np.empty((X.shape[0], max(2 * (m + k), _MIN_REDUCED)), dtype=X.dtype,
                            order="F")
            if m:
                pool[:, :m] = self._pool[:, :m]
            self._pool = pool
        self._pool[:, m:m + k] = X[:, new]
        return idx, self._pool[:, :m + k]
