"""One ADMM solve with a cached factor: the loop, rho balancing, polishing, stopping.

Used by the ``"admm"`` backend on the whole problem or on a working set
(see :mod:`lassokit.backends.admm` for the algorithm and references:
Boyd et al. 2011; residual balancing as in Stellato et al. 2020).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from .. import _box
from .._box import kbox
from ..certificate import certify, scaled_dual
from ..penalty import Penalty
from .result import BackendResult

__all__ = ["AdmmRun", "gap_from_stats"]

# Iterations between two looks at the residuals (rho balancing, polishing, stopping).
_BLOCK = 10
# Residual balancing changes rho only when the ratio leaves [1/5, 5] (OSQP's default).
_RHO_TOLERANCE = 5.0
# At most this factor of change of rho per adaptation.
_RHO_STEP_MAX = 1e3
# Polishing solves a dense k x k system; beyond this support size ADMM goes on alone.
_POLISH_MAX = 5000


def gap_from_stats(d, w, a, nb, u):
    """The certificate's duality gap at ``w`` from residual statistics.

    Mirrors :func:`lassokit.certificate.dual_value` for the residual ``r`` as
    dual candidate, given ``a = <s r, yc>/n``, ``nb = <s r, r>/n`` and
    ``u = Xc^T S r / n``; valid only without fully unpenalized features
    (their projection needs X). Backends use it to decide when to stop; the
    problem layer certifies the returned coefficients itself.
    """
    primal = 0.5 * nb + Penalty.value(w, d.lam, d.mu)
    return max(primal - scaled_dual(d, a, nb, u), 0.0)


class AdmmRun:
    """State and loop of one ADMM solve (kept apart from the backend for reuse)."""

    def __init__(self, factor, d, X, tol, relaxation, adaptive_rho, polish, verbose):
        self.factor = factor
        self.d = d
        #: The (restricted) design matrix, or a callable that makes it.
        self.X = X
        self.tol = tol
        #: Absolute duality gap to reach.
        self.target = tol * d.p0
        self.relax = relaxation
        self.adaptive = adaptive_rho
        self.polish = polish
        self.verbose = verbose
        self.n_certify = 0
        self.n_polish = 0
        b = factor.b
        self.bscale = max(float(np.max(np.abs(b), initial=0.0)), float(np.max(d.lam)), 1e-300)

    # -- the loop ----------------------------------------------------------------------
    def solve(self, w0, rho, max_iter):
        d, factor = self.d, self.factor
        p = d.p
        rho = factor.default_rho() if rho is None else rho
        factor.factor(rho)
        x = np.zeros(p) if w0 is None else np.clip(np.array(w0, dtype=np.float64), d.box[0],
                                                    d.box[1])
        z = x.copy()
        box = kbox(d.box)
        # The scaled dual that makes w0 a fixed point when w0 is optimal.
        u = (factor.b - factor.matvec(x)) / rho if w0 is not None else np.zeros(p)
        thresh = d.lam / rho
        # rho stays within 1e-4..1e4 of its scale, so H + rho I stays safely
        # positive definite when H is singular and the matrix-inversion lemma
        # (which divides by rho) keeps its accuracy.
        rho_lo, rho_hi = 1e-4 * factor.default_rho(), 1e4 * factor.default_rho()
        eps_rel = min(1e-3, max(10.0 * self.tol, 1e-10)) ** 0.5 * 0.1
        # Coefficient and gradient scales keep the thresholds meaningful at z = 0.
        w_scale = np.linalg.norm(factor.b) / factor.default_rho()
        g_scale = np.linalg.norm(factor.b)
        last_sig = None
        it = 0
        while it < max_iter:
            k = min(_BLOCK, max_iter - it)
            r2, s2, x2, z2, u2, changes = factor.steps(x, z, u, thresh, self.relax, box, k)
            it += k
            rho = factor.rho
            r_pri = np.sqrt(r2)
            r_dual = rho * np.sqrt(s2)
            pri_ref = max(np.sqrt(x2), np.sqrt(z2))
            dual_ref = rho * np.sqrt(u2)
            if self.verbose:
                print(f"admm it={it:6d} rho={rho:.3e} r_pri={r_pri:.3e} r_dual={r_dual:.3e} "
                      f"changes={changes} support={np.count_nonzero(z)}")
            if self.polish and changes == 0:
                sig = np.sign(z)
                if last_sig is None or not np.array_equal(sig, last_sig):
                    last_sig = sig
                    w = self._polished(z)
                    if w is not None:
                        return self._result(w, it, "success", polished=True)
            if (r_pri <= eps_rel * (pri_ref + 1e-3 * w_scale)
                    and r_dual <= eps_rel * (dual_ref + 1e-3 * g_scale)):
                if self._certified(z):
                    return self._result(z.copy(), it, "success", polished=False)
                eps_rel = max(eps_rel * 0.1, 1e-14)
            if self.adaptive and pri_ref > 0:
                # Residual balancing (Stellato et al. 2020, 5.2); a frozen z
                # (r_dual = 0, e.g. rho far too small) pushes rho up.
                rel_pri = r_pri / pri_ref
                # The floor keeps rho from collapsing when the optimal dual is 0
                # (e.g. an interpolating unpenalized fit).
                rel_dual = r_dual / max(dual_ref, 1e-3 * g_scale, 1e-300)
                ratio = np.sqrt(rel_pri / rel_dual) if rel_dual > 0 else _RHO_STEP_MAX
                ratio = min(max(ratio, 1.0 / _RHO_STEP_MAX), _RHO_STEP_MAX)
                new_rho = min(max(rho * ratio, rho_lo), rho_hi)
                ratio = new_rho / rho
                if ratio > _RHO_TOLERANCE or ratio < 1.0 / _RHO_TOLERANCE:
                    u *= rho / new_rho
                    factor.factor(new_rho)
                    thresh = d.lam / new_rho
        return self._result(z.copy(), it, "max_iter", polished=False)

    def _result(self, coef, it, status, polished):
        info = {"route": self.factor.route, "rho": self.factor.rho,
                "n_factorizations": self.factor.n_factor, "polished": polished,
                "n_polish": self.n_polish, "n_certify": self.n_certify}
        return BackendResult(coef=coef, n_iter=it, status=status, info=info)

    def _certified(self, w):
        """Whether ``w`` meets ``tol`` by the certificate (problem-layer formula)."""
        gap = self._gram_gap(w)
        if gap is not None:
            # A clear verdict in p-space spares two passes over X; borderline
            # cases go to the certificate itself (which the problem layer
            # applies to the returned coef anyway).
            if gap <= 0.5 * self.target:
                return True
            if gap > 2.0 * self.target:
                return False
        self.n_certify += 1
        if callable(self.X):  # a working set's X[:, W], made only when needed
            self.X = self.X()
        return certify(self.d, self.X, w).dual_gap <= self.target

    def _gram_gap(self, w):
        """The certificate's gap from ``H`` and ``b`` only (route "gram"), else None.

        ``u = b - G w``, ``<s r, yc>/n = 2 P0 - w.b`` and
        ``|r|_S^2/n = 2 P0 - 2 w.b + w.G w``: no pass over X.
        """
        d, f = self.d, self.factor
        if f.route != "gram" or d.unpenalized.size:
            return None
        Gw = f.matvec(w) - d.mu * w
        wb = float(w @ f.b)
        nb = max(2.0 * d.p0 - 2.0 * wb + float(w @ Gw), 0.0)
        return gap_from_stats(d, w, 2.0 * d.p0 - wb, nb, f.b - Gw)

    # -- polishing -----------------------------------------------------------------------
    def _polished(self, z):
        """Exact solution on the sign pattern of ``z`` if it is certified, else None."""
        d, factor = self.d, self.factor
        lam, b = d.lam, factor.b
        if d.bounded and not d.positive:
            return None  # a sign pattern does not say which coefficients sit on a bound
        self.n_polish += 1
        support = np.flatnonzero(z)
        sign = np.sign(z)
        w = np.zeros(d.p)
        for _ in range(4):
            if support.size > _POLISH_MAX:
                return None
            w[:] = 0.0
            if support.size:
                ws = _solve_sym(factor.sub(support), b[support] - lam[support] * sign[support])
                if ws is None:
                    return None
                bad = (lam[support] > 0) & (ws * sign[support] <= 0)
                if d.positive:
                    bad |= ws < 0
                if np.any(bad):
                    support = support[~bad]
                    continue
                w[support] = ws
            break
        else:
            return None
        g = b - factor.matvec(w)
        eff = _box.box_score(g, d.box)
        viol = np.maximum(eff - lam, 0.0)
        viol[support] = 0.0
        if np.max(viol, initial=0.0) > max(self.tol, 1e-12) * self.bscale:
            return None
        return w if self._certified(w) else None


def _solve_sym(M, rhs):
    """Solve a symmetric positive (semi-)definite system; least squares if singular."""
    try:
        c = scipy.linalg.cho_factor(M, lower=True, check_finite=False)
        return scipy.linalg.cho_solve(c, rhs, check_finite=False)
    except np.linalg.LinAlgError:
        sol = scipy.linalg.lstsq(M, rhs, cond=None, check_finite=False)[0]
        return sol if np.all(np.isfinite(sol)) else None
