"""The box-bounded problem written out independently of lassokit: the problem
description (:class:`Case`), its objective, the optimal intercept, and an
independent Fenchel dual lower bound on ``P*``.

Shared by the ``tests/test_bounds_*.py`` files through ``_bounds_cases``
(which re-exports everything here: ``bc.Case``, ``bc.objective``, ...).
Nothing here calls lassokit's solvers or certificate.

Conventions (lassokit's API.md §1, §9, §10): normalized sample weights
``s`` (sum n), ``c_i = s_i / n``,

    squared:  P(w, b) = sum_i c_i (y_i - z_i)^2 / 2 + pen(w)
    logistic: P(w, b) = sum_i c_i log(1 + exp(-t_i z_i)) + pen(w),  t = 2 y01 - 1
    pen(w)  = sum_j lam_j |w_j| + mu_j w_j^2 / 2 + indicator(lower <= w <= upper)

with ``z = X w + b``. Weak duality used for the lower bound, for any
``alpha`` with ``sum(alpha) = 0`` when an intercept is fitted:

    P(w, b) >= D(alpha) = -sum_i phi_i*(-alpha_i) - sum_j h_j*((X^T alpha)_j)

with ``phi_i`` the per-sample loss and ``h_j`` the per-coordinate penalty
including its box.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.special import expit, xlogy

__all__ = [
    "INF", "Case", "dual_bound", "dual_value", "h_conj", "in_box", "loss_value",
    "natural_dual", "objective", "objective_opt_b", "opt_intercept", "p0", "pen_value",
]

INF = np.inf


# ---------------------------------------------------------------------------
# Problem description (plain data; the lassokit Problem is built from it)
# ---------------------------------------------------------------------------


@dataclass
class Case:
    X: object                # dense ndarray or scipy.sparse matrix (what lassokit gets)
    y: np.ndarray            # raw target (real, or {0, 1} for logistic)
    loss: str                # "squared" | "logistic"
    a1: float
    a2: float
    v1: np.ndarray | None    # per-feature L1 weights (None: ones)
    v2: np.ndarray | None
    lower: np.ndarray        # float64 (p,), -inf allowed
    upper: np.ndarray
    fit_intercept: bool = True
    sample_weight: np.ndarray | None = None
    name: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def n(self):
        return self.X.shape[0]

    @property
    def p(self):
        return self.X.shape[1]

    @property
    def Xd(self):
        X = self.X.toarray() if sp.issparse(self.X) else np.asarray(self.X)
        return np.asarray(X, dtype=np.float64)

    @property
    def c(self):
        """Per-sample weights c_i = s_i / n, s normalized to sum to n."""
        n = self.n
        if self.sample_weight is None:
            return np.full(n, 1.0 / n)
        s = np.asarray(self.sample_weight, dtype=np.float64)
        return s / s.sum()

    @property
    def lam(self):
        v = np.ones(self.p) if self.v1 is None else np.asarray(self.v1, dtype=np.float64)
        return self.a1 * v

    @property
    def mu(self):
        v = np.ones(self.p) if self.v2 is None else np.asarray(self.v2, dtype=np.float64)
        return self.a2 * v

    @property
    def t(self):
        return 2.0 * np.asarray(self.y, dtype=np.float64) - 1.0

    def penalty(self):
        import lassokit as lk

        pen = lk.L1(self.a1, weights=self.v1)
        if self.a2 > 0:
            pen = pen + lk.L2(self.a2, weights=self.v2)
        return pen

    def problem(self, bounds="case", **kw):
        import lassokit as lk

        if isinstance(bounds, str) and bounds == "case":
            bounds = (self.lower, self.upper)
        args = {"loss": self.loss, "fit_intercept": self.fit_intercept,
                "sample_weight": self.sample_weight, "bounds": bounds}
        args.update(kw)
        return lk.Problem(self.X, self.y, self.penalty(), **args)


# ---------------------------------------------------------------------------
# Independent objective and optimal intercept
# ---------------------------------------------------------------------------


def in_box(case, w):
    w = np.asarray(w, dtype=np.float64)
    return bool(np.all(w >= case.lower) and np.all(w <= case.upper))


def pen_value(case, w):
    w = np.asarray(w, dtype=np.float64)
    lam, mu = case.lam, case.mu
    nz = w != 0  # lam = inf on a zero coefficient contributes 0 (excluded feature)
    return float(np.sum(lam[nz] * np.abs(w[nz]))) + 0.5 * float(np.sum(mu * w * w))


def loss_value(case, z):
    c = case.c
    if case.loss == "squared":
        r = np.asarray(case.y, dtype=np.float64) - z
        return 0.5 * float(c @ (r * r))
    return float(c @ np.logaddexp(0.0, -case.t * z))


def objective(case, w, b):
    """P(w, b); inf outside the box."""
    w = np.asarray(w, dtype=np.float64)
    if not in_box(case, w):
        return INF
    z = case.Xd @ w + b
    return loss_value(case, z) + pen_value(case, w)


def opt_intercept(case, w):
    """The intercept minimizing P(w, .) (0 without intercept)."""
    if not case.fit_intercept:
        return 0.0
    z0 = case.Xd @ np.asarray(w, dtype=np.float64)
    c = case.c
    if case.loss == "squared":
        return float(c @ (np.asarray(case.y, dtype=np.float64) - z0)) / float(c.sum())
    t = case.t
    # Newton on the convex 1-D function, safeguarded by bisection on the slope.
    def slope(b):
        return -float(c @ (t * expit(-t * (z0 + b))))

    lo, hi = -1.0, 1.0
    while slope(lo) > 0:
        lo *= 2
    while slope(hi) < 0:
        hi *= 2
    b = 0.5 * (lo + hi)
    for _ in range(200):
        g = slope(b)
        if g > 0:
            hi = b
        else:
            lo = b
        sig = expit(t * (z0 + b))
        h = float(c @ (sig * (1 - sig)))
        nb = b - g / h if h > 0 else 0.5 * (lo + hi)
        if not lo < nb < hi:
            nb = 0.5 * (lo + hi)
        if abs(nb - b) <= 1e-16 * max(1.0, abs(b)):
            b = nb
            break
        b = nb
    return float(b)


def objective_opt_b(case, w):
    """P(w, b*(w))."""
    return objective(case, w, opt_intercept(case, w))


def p0(case):
    """P(0, b0): the scale of lassokit's relative gaps."""
    return objective_opt_b(case, np.zeros(case.p))


# ---------------------------------------------------------------------------
# Independent dual lower bound
# ---------------------------------------------------------------------------


def h_conj(v, lam, mu, lower, upper):
    """h_j*(v) = sup_{lower <= w <= upper} v w - lam |w| - mu w^2 / 2, elementwise."""
    v = np.asarray(v, dtype=np.float64)
    out = np.empty_like(v)
    for j in range(v.size):
        vj, lj, mj, lo, up = v[j], lam[j], mu[j], lower[j], upper[j]
        if lo == 0.0 and up == 0.0:
            out[j] = 0.0
            continue
        if not np.isfinite(lj):  # excluded feature: only w = 0 has finite penalty
            out[j] = 0.0
            continue
        if mj > 0:
            w = np.sign(vj) * max(abs(vj) - lj, 0.0) / mj
            w = min(max(w, lo), up)
            out[j] = vj * w - lj * abs(w) - 0.5 * mj * w * w
        else:
            if vj > lj:
                out[j] = INF if up == INF else (vj - lj) * up
            elif vj < -lj:
                out[j] = INF if lo == -INF else (vj + lj) * lo  # (v + lam) < 0, lo < 0
            else:
                out[j] = 0.0
    return out


def dual_value(case, alpha):
    """D(alpha) for a dual point given in per-sample form (checks sum = 0 with intercept)."""
    c = case.c
    if case.loss == "squared":
        # phi_i(z) = c_i (y_i - z)^2 / 2; phi_i*(-a) = -a y + a^2 / (2 c)
        y = np.asarray(case.y, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            quad = np.where(c > 0, alpha * alpha / (2 * np.where(c > 0, c, 1.0)), 0.0)
        if np.any((c == 0) & (alpha != 0)):
            return -INF
        fstar = float(alpha @ y) - float(np.sum(quad))
    else:
        # alpha_i = c_i t_i p_i, p in [0, 1]; -phi_i*(-alpha_i) = -c_i H(p_i)
        t = case.t
        with np.errstate(divide="ignore", invalid="ignore"):
            pr = np.where(c > 0, alpha * t / np.where(c > 0, c, 1.0), 0.0)
        if np.any(pr < -1e-15) or np.any(pr > 1 + 1e-15):
            return -INF
        pr = np.clip(pr, 0.0, 1.0)
        H = xlogy(pr, pr) + xlogy(1 - pr, 1 - pr)
        fstar = -float(c @ H)
    v = case.Xd.T @ alpha
    hs = h_conj(v, case.lam, case.mu, case.lower, case.upper)
    if not np.all(np.isfinite(hs)):
        return -INF
    return fstar - float(np.sum(hs))


def natural_dual(case, w, b):
    """A feasible dual point built from (w, b), scaled to make h* finite."""
    c = case.c
    z = case.Xd @ np.asarray(w, dtype=np.float64) + b
    if case.loss == "squared":
        r = np.asarray(case.y, dtype=np.float64) - z
        alpha = c * r
        if case.fit_intercept:
            alpha = c * (r - float(c @ r) / float(c.sum()))
    else:
        t = case.t
        pr = expit(-t * z)
        if case.fit_intercept:
            pos, neg = t > 0, t < 0
            sp_, sn = float(c[pos] @ pr[pos]), float(c[neg] @ pr[neg])
            if sp_ > sn:
                pr = np.where(pos, pr * (sn / sp_), pr)
            elif sn > sp_:
                pr = np.where(neg, pr * (sp_ / sn), pr)
        alpha = c * t * pr
    # Scale so that sides with an infinite bound and no L2 satisfy |v| <= lam.
    v = case.Xd.T @ alpha
    kappa = 1.0
    lam, mu = case.lam, case.mu
    for j in range(case.p):
        if mu[j] > 0 or (case.lower[j] == 0 and case.upper[j] == 0) or not np.isfinite(lam[j]):
            continue
        if v[j] > lam[j] and case.upper[j] == INF:
            kappa = min(kappa, lam[j] / v[j])
        if v[j] < -lam[j] and case.lower[j] == -INF:
            kappa = min(kappa, lam[j] / -v[j])
    return kappa * alpha


def dual_bound(case, w, b):
    """An independent lower bound on P*, from the dual point at (w, b)."""
    alpha = natural_dual(case, w, b)
    d = dual_value(case, alpha)
    if case.fit_intercept:
        # sum(alpha) = 0 holds up to rounding; charge the rounding at |b|.
        d -= abs(float(np.sum(alpha))) * max(1.0, abs(b)) * 2
    return d
