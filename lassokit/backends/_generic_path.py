"""The path session of backends without their own: strong rules around ``solve``.

Each strength is solved by the backend's :meth:`~lassokit.Backend.solve`,
warm-started from the previous one, on the features that the sequential
strong rule keeps (Tibshirani et al., 2012); discarded features that violate
the KKT conditions of the *full* problem are added back until its
certificate is met.

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

This is the only screening layer above a backend: ``"cd"`` opens its own
session (its working sets and Gap Safe screening see every feature), so it
never runs under this one.

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

import numpy as np

from .. import _box, _linalg
from ..certificate import DualSums, certify, residual
from ..penalty import Penalty
from .result import BackendResult, as_result, real_coef
from .session import PathSession

__all__ = ["GenericPathSession"]

#: More suspect features than this share of p: one full pass instead of columns.
_FULL_PASS_SHARE = 0.1
#: Exact correlation vectors kept for the bounds.
_STORE = 4
#: Smallest reduced problem built (features).
_MIN_REDUCED = 16


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
        self.box = self.d.box if self.d.bounded else None
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
        """Upper bound of the box score of ``u`` at ``r`` (of ``|u|`` without a box).

        Returned as a correlation (:func:`lassokit._box.as_correlation`), the
        form the certificate's sums take.
        """
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
        base = _box.box_score(est, self.box)
        # A relative margin covers rounding in the stored u and in U @ c.
        e = base + self.norms * delta + 1e-12 * (np.abs(self.U) @ np.abs(c))
        return e if self.box is None else _box.as_correlation(e, self.box)


class GenericPathSession(PathSession):
    """Warm-started, strong-rule-screened ``backend.solve`` calls along a path.

    Parameters
    ----------
    backend : Backend
    problem : Problem
    tol : float
    max_iter : int
    options : dict
        Backend options.
    strong_rules : bool, default=True
        Screen with the sequential strong rule (else the backend sees every
        feature at every strength).
    """

    exact_sums = True  # the sums are computed here, from X, not by the backend

    def __init__(self, backend, problem, *, tol, max_iter, options, strong_rules=True):
        super().__init__(backend, problem, tol=tol, max_iter=max_iter, options=options)
        self.strong = bool(strong_rules)
        p = problem.n_features
        self.w = np.zeros(p)
        self._corr = None
        self._eff = None
        self._prev_lam = None
        self._red_mask = np.zeros(p, dtype=bool)
        self._red_base = self._red_idx = self._pool = None

    def step(self, sub, warm_start=None):
        """Solve ``sub`` (the session's problem at a new penalty); see :class:`PathSession`."""
        if warm_start is not None:
            self.w = np.array(warm_start, dtype=np.float64)
        if not self.strong:
            raw, coef, dual_points = self._call(sub, self.w)
            coef, dual_points = self._round(sub, coef, dual_points)
            self.w = coef
            r = self._residual(coef)
            sums = DualSums.from_residual(sub._design, r, self._gradient(r))
            return BackendResult(coef=coef, n_iter=int(raw.n_iter), status=raw.status,
                                 dual_points=dual_points, sums=sums, info=raw.info)
        d = sub._design
        if self._corr is None:
            self._corr = _Correlations(self.problem)
            u = self._corr.exact(self._residual(self.w))
            self._eff = _box.box_score(u, d.box)
            # Before the first strength the "previous" one is alpha_max.
            v1 = np.ones(d.p) if sub.penalty.l1_weights is None else sub.penalty.l1_weights
            self._prev_lam = max(sub.alpha_max(), sub.penalty.l1) * v1 \
                if sub.penalty.l1 > 0 else np.zeros(d.p)
        out = self._solve_screened(sub, self.w, self._eff, self._prev_lam)
        self._prev_lam = d.lam
        return out

    # -- pieces ----------------------------------------------------------------------
    def _call(self, sub, w0):
        raw = self.backend.solve(sub, tol=self.tol, max_iter=self.max_iter, warm_start=w0,
                                 **self.options)
        # The checks of a single solve (lassokit._finish.settle), so that
        # paths and CV report a bad return exactly as solve() does.
        raw = as_result(raw, self.backend.name)
        coef = real_coef(raw.coef, sub.n_features)
        if coef is None:
            coef = np.zeros(sub.n_features)
            raw = BackendResult(coef=coef, n_iter=raw.n_iter, status="error", info=raw.info)
        d = sub._design
        if d.bounded:
            coef = np.clip(coef, d.box[0], d.box[1])
        return raw, coef, tuple(q for q in (raw.dual_points or ()) if q is not None)

    def _round(self, sub, coef, dual_points):
        """Round to the output dtype: the certificate describes what is returned.

        The unrounded residual stays a dual candidate (float32 rounding is
        first order in w, second order in P).
        """
        if sub.dtype == np.float64:
            return coef, dual_points
        return coef.astype(sub.dtype).astype(np.float64), dual_points + (self._residual(coef),)

    def _gradient(self, r):
        d = self.problem._design
        sr = r if d.sw is None else d.sw * r
        return (_linalg.rmatvec(self.problem.X, sr) - d.x_offset * sr.sum()) / d.n

    def _residual(self, w):
        """Centred residual ``yc - Xc w``, from the support columns when few."""
        d = self.problem._design
        nz = np.flatnonzero(w)
        if nz.size > 0.25 * w.size:
            return residual(d, self.problem.X, w)
        fit = _linalg.columns(self.problem.X, nz) @ w[nz] if nz.size else np.zeros(d.n)
        return d.yc - (fit - float(d.x_offset[nz] @ w[nz]))

    def _solve_screened(self, sub, w, eff_prev, prev_lam):
        """Strong rule, reduced solve, KKT check; the full certificate decides."""
        d = sub._design
        lam, p = d.lam, sub.n_features
        # A pinned feature (score -inf) never enters.
        keep = ((w != 0) | (lam == 0) | (eff_prev >= 2.0 * lam - prev_lam)) & (eff_prev > -np.inf)
        total_it, status, info = 0, "success", {}
        while True:
            reduced, idx = self._reduced(sub, keep, eff_prev)
            coef = np.zeros(p)
            dual_points = ()
            if idx.size:
                raw, c_red, dual_points = self._call(reduced, w[idx])
                coef[idx] = c_red
                total_it += int(raw.n_iter)
                status, info = raw.status, raw.info
            coef, dual_points = self._round(sub, coef, dual_points)
            r = self._residual(coef)
            outside = ~self._red_mask
            # Features whose bound cannot clear |u_j| <= lam_j (the active ones
            # among them) get exact correlations: their columns only, or one
            # full pass (renewing the reference) when they are many.
            u = self._corr.bound(r)
            suspect = _box.box_score(u, d.box) > lam
            exact = False
            if np.count_nonzero(suspect) > _FULL_PASS_SHARE * p:
                u, exact = self._corr.exact(r), True
            elif np.any(suspect):
                sidx = np.flatnonzero(suspect)
                u[sidx] = self._corr.columns(r, self.problem.X[:, sidx], sidx)
            sums = DualSums.from_residual(d, r, u)
            cert = certify(d, sub.X, coef, dual_points, sums=sums)
            if not cert.dual_gap <= self.tol * d.p0 and not exact:
                # Bounds can only loosen the certificate; judge with exact values.
                u, exact = self._corr.exact(r), True
                sums = DualSums.from_residual(d, r, u)
                cert = certify(d, sub.X, coef, dual_points, sums=sums)
            eff = _box.box_score(u, d.box)
            viol = outside & (eff > lam * (1.0 + 1e-12))
            if cert.dual_gap <= self.tol * d.p0 or not np.any(viol):
                # Certified, or every discarded feature satisfies KKT: the
                # reduced solve itself fell short of tol; more features would
                # not help.
                self.w, self._eff = coef, eff
                return BackendResult(coef=coef, n_iter=total_it, status=status,
                                     dual_points=dual_points, sums=sums, info=info)
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
            self._red_base = self.problem._restricted(Xr, self._red_idx)
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
