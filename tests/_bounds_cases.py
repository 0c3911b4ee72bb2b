"""Independent machinery for tests/test_bounds.py: objective, optimal intercept,
a CVXPY reference with the box written directly in CVXPY, a KKT/Newton polish
of that reference, and an independent Fenchel dual lower bound.

Nothing here calls lassokit's solvers or certificate: the reference's quality
is judged by the dual bound computed here, so that the certificate under test
never vouches for the reference it is compared with.

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

import functools
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.special import expit, xlogy

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
        args = dict(loss=self.loss, fit_intercept=self.fit_intercept,
                    sample_weight=self.sample_weight, bounds=bounds)
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


# ---------------------------------------------------------------------------
# CVXPY reference with the box written in CVXPY, then polished
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    coef: np.ndarray
    intercept: float
    objective: float   # P(coef, intercept): an upper bound on P* (feasible point)
    lower: float       # an independent lower bound on P*
    p0: float          # P(0, b0)
    status: str

    @property
    def gap(self):
        return self.objective - self.lower


def _cvxpy_solve(case):
    import cvxpy as cp

    Xd, n, p = case.Xd, case.n, case.p
    c = case.c
    lam, mu = case.lam, case.mu
    w = cp.Variable(p)
    b = cp.Variable() if case.fit_intercept else 0.0
    z = Xd @ w + b
    if case.loss == "squared":
        y = np.asarray(case.y, dtype=np.float64)
        obj = 0.5 * cp.sum_squares(cp.multiply(np.sqrt(c), y - z))
    else:
        keep = c > 0
        obj = cp.sum(cp.multiply(c[keep], cp.logistic(cp.multiply(-case.t[keep], z[keep]))))
    fin1 = np.flatnonzero((lam > 0) & np.isfinite(lam))
    if fin1.size:
        obj = obj + lam[fin1] @ cp.abs(w[fin1])
    on2 = np.flatnonzero(mu > 0)
    if on2.size:
        obj = obj + 0.5 * (mu[on2] @ cp.square(w[on2]))
    cons = []
    lo_i = np.flatnonzero(np.isfinite(case.lower))
    up_i = np.flatnonzero(np.isfinite(case.upper))
    if lo_i.size:
        cons.append(w[lo_i] >= case.lower[lo_i])
    if up_i.size:
        cons.append(w[up_i] <= case.upper[up_i])
    excl = np.flatnonzero(~np.isfinite(lam))
    if excl.size:
        cons.append(w[excl] == 0)
    prob = cp.Problem(cp.Minimize(obj), cons)
    prob.solve(solver="CLARABEL", tol_gap_abs=1e-13, tol_gap_rel=1e-13, tol_feas=1e-12,
               tol_ktratio=1e-10, max_iter=500)
    coef = np.clip(np.asarray(w.value, dtype=np.float64), case.lower, case.upper)
    coef[excl] = 0.0
    return coef, prob.status


def _smooth_parts(case, wF, F, fixed, sgn, b, with_b):
    """Value, gradient and Hessian of the objective restricted to the free set F
    (signs fixed), variables (w_F, b)."""
    Xd = case.Xd
    c = case.c
    XF = Xd[:, F]
    z = XF @ wF + Xd @ fixed + b
    lam, mu = case.lam[F], case.mu[F]
    if case.loss == "squared":
        y = np.asarray(case.y, dtype=np.float64)
        r = y - z
        val = 0.5 * float(c @ (r * r))
        dz = -c * r
        wz = c.copy()
    else:
        t = case.t
        val = float(c @ np.logaddexp(0.0, -t * z))
        dz = -c * t * expit(-t * z)
        sig = expit(t * z)
        wz = c * sig * (1 - sig)
    val += float(lam @ (sgn * wF)) + 0.5 * float(mu @ (wF * wF))
    A = np.c_[XF, np.ones(case.n)] if with_b else XF
    g = A.T @ dz
    g[: F.size] += lam * sgn + mu * wF
    H = A.T @ (wz[:, None] * A)
    H[np.arange(F.size), np.arange(F.size)] += mu
    return val, g, H


def polish(case, coef, rel_thr=1e-7):
    """Newton on the free coordinates (signs and active bounds fixed from ``coef``).

    Returns the polished (coef, intercept) or None when the result leaves the
    box or changes a sign (then the classification was wrong).
    """
    p = case.p
    scale = max(1.0, float(np.max(np.abs(coef))))
    thr = rel_thr * scale
    lam, mu = case.lam, case.mu
    fixed = np.zeros(p)
    free = []
    for j in range(p):
        lo, up, wj = case.lower[j], case.upper[j], coef[j]
        if (lo == 0 and up == 0) or not np.isfinite(lam[j]):
            continue
        if np.isfinite(lo) and lo != 0 and wj - lo <= thr:
            fixed[j] = lo
        elif np.isfinite(up) and up != 0 and up - wj <= thr:
            fixed[j] = up
        elif abs(wj) <= thr and (lam[j] > 0 or lo == 0 or up == 0):
            fixed[j] = 0.0
        else:
            free.append(j)
    F = np.asarray(free, dtype=int)
    sgn = np.sign(coef[F])
    sgn[(lam[F] == 0)] = 0.0
    wF = coef[F].copy()
    with_b = case.fit_intercept
    b = opt_intercept(case, np.where(np.isin(np.arange(p), F), coef, fixed)) if with_b else 0.0
    if F.size == 0 and not with_b:
        return fixed, 0.0
    for _ in range(60):
        val, g, H = _smooth_parts(case, wF, F, fixed, sgn, b, with_b)
        try:
            step = np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(H, g, rcond=None)[0]
        t = 1.0
        for _ls in range(40):
            wn = wF - t * step[: F.size]
            bn = b - t * step[F.size] if with_b else 0.0
            vn = _smooth_parts(case, wn, F, fixed, sgn, bn, with_b)[0]
            if vn <= val + 1e-15 * max(1.0, abs(val)):
                break
            t *= 0.5
        wF, b = wn, bn
        if np.max(np.abs(t * step)) <= 1e-15 * max(1.0, np.max(np.abs(wF), initial=0.0)):
            break
    out = fixed.copy()
    out[F] = wF
    if not in_box(case, out):
        return None
    if np.any((sgn != 0) & (sgn * wF < 0)):
        return None
    return out, opt_intercept(case, out)


def reference(case, *, require_gap=1e-11):
    """Reference optimum: CVXPY (box in CVXPY), polished, with an independent
    lower bound. Fails (AssertionError) when the two bounds on P* are not within
    ``require_gap * max(1, P(0, b0))``."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # CVXPY's "may be inaccurate"
        coef, status = _cvxpy_solve(case)
    b = opt_intercept(case, coef)
    best = (coef, b, objective(case, coef, b))
    for rel_thr in (1e-7, 1e-5):
        pol = polish(case, coef, rel_thr)
        if pol is not None:
            pc, pb = pol
            po = objective(case, pc, pb)
            if po <= best[2]:
                best = (pc, pb, po)
    low = max(dual_bound(case, coef, opt_intercept(case, coef)), dual_bound(case, best[0], best[1]))
    ref = Reference(coef=best[0], intercept=best[1], objective=best[2], lower=low, p0=p0(case),
                    status=status)
    assert np.isfinite(ref.objective) and in_box(case, ref.coef)
    assert ref.gap <= require_gap * max(1.0, ref.p0), (
        f"reference for {case.name!r} not accurate: P_ref - D_ref = {ref.gap:.3e} "
        f"(P0 = {ref.p0:.3e}, cvxpy status {status!r})"
    )
    return ref


def strong_convexity(case, ref):
    """Smallest eigenvalue of the Hessian in w (intercept eliminated) at the reference."""
    Xd, c = case.Xd, case.c
    z = Xd @ ref.coef + ref.intercept
    if case.loss == "squared":
        wz = c
    else:
        sig = expit(case.t * z)
        wz = c * sig * (1 - sig)
    if case.fit_intercept:
        m = (wz @ Xd) / wz.sum()
        Xc = Xd - m
    else:
        Xc = Xd
    H = Xc.T @ (wz[:, None] * Xc) + np.diag(case.mu)
    keep = ~((case.lower == 0) & (case.upper == 0)) & np.isfinite(case.lam)
    H = H[np.ix_(keep, keep)]
    return float(np.linalg.eigvalsh(H)[0]) if H.size else 0.0


# ---------------------------------------------------------------------------
# Standard cases
# ---------------------------------------------------------------------------

#: Squared loss: the unconstrained optimum violates the box on features
#: 0 (upper 1 vs ~3), 1 (lower -1 vs ~-2.5), 5 (lower 0 vs ~-1.2), 7 (upper
#: 0.2 vs ~0.6); feature 3 is pinned at 0 though its true coefficient is 0.8;
#: feature 0 has no L1 term (v1 = 0) and an infinite lower side.
SQ_TRUE = np.array([3.0, -2.5, 1.5, 0.8, 0.0, -1.2, 2.0, 0.6])
SQ_LOWER = np.array([-INF, -1.0, 0.0, 0.0, -0.5, 0.0, -INF, -INF])
SQ_UPPER = np.array([1.0, INF, INF, 0.0, 0.5, INF, INF, 0.2])
SQ_V1 = np.array([0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 2.0])

#: Logistic: feature 0 capped at 0.7 (true 2.5), 1 floored at -0.8 (true
#: -2), 3 at lower 0 (true -1), 4 pinned (true 1).
LG_TRUE = np.array([2.5, -2.0, 1.0, -1.0, 1.0, 1.5])
LG_LOWER = np.array([-INF, -0.8, 0.0, 0.0, 0.0, -INF])
LG_UPPER = np.array([0.7, INF, INF, INF, 0.0, INF])


def _storage(X, storage):
    if storage == "dense":
        return X
    return sp.csc_matrix(X) if storage == "csc" else sp.csr_matrix(X)


def _design(n, p, seed, storage):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) + rng.normal(scale=0.5, size=p)
    if storage != "dense":
        mask = rng.random((n, p)) < 0.5
        mask[rng.integers(n, size=p), np.arange(p)] = True
        X = np.where(mask, X * 1.5, 0.0)
    return X, rng


def _sample_weight(n, seed):
    rng = np.random.default_rng(seed + 99)
    sw = rng.uniform(0.2, 3.0, size=n)
    sw[n // 3] = 0.0
    return sw


@functools.cache
def squared_case(penalty="l1", fit_intercept=True, weighted=False, storage="dense", seed=0,
                 n=60):
    p = SQ_TRUE.size
    X, rng = _design(n, p, seed, storage)
    y = X @ SQ_TRUE + (1.7 if fit_intercept else 0.0) + 0.3 * rng.normal(size=n)
    a = 0.01 * float(np.max(np.abs(X.T @ (y - y.mean())))) / n
    a1, a2 = (a, 0.0) if penalty == "l1" else (0.5 * a, 0.05)
    sw = _sample_weight(n, seed) if weighted else None
    name = f"squared-{penalty}-{'icpt' if fit_intercept else 'noicpt'}-" \
           f"{'sw' if weighted else 'nosw'}-{storage}"
    return Case(_storage(X, storage), y, "squared", a1, a2, SQ_V1.copy(), None,
                SQ_LOWER.copy(), SQ_UPPER.copy(), fit_intercept, sw, name)


@functools.cache
def logistic_case(penalty="l1", fit_intercept=True, weighted=False, storage="dense", seed=0,
                  n=150):
    p = LG_TRUE.size
    X, rng = _design(n, p, seed + 7, storage)
    X = X - X.mean(axis=0) * (storage == "dense")
    z = X @ LG_TRUE + (0.3 if fit_intercept else 0.0)
    y = (rng.uniform(size=n) < expit(z)).astype(float)
    a1, a2 = (0.01, 0.0) if penalty == "l1" else (0.006, 0.02)
    sw = _sample_weight(n, seed) if weighted else None
    name = f"logistic-{penalty}-{'icpt' if fit_intercept else 'noicpt'}-" \
           f"{'sw' if weighted else 'nosw'}-{storage}"
    return Case(_storage(X, storage), y, "logistic", a1, a2, None, None,
                LG_LOWER.copy(), LG_UPPER.copy(), fit_intercept, sw, name)


@functools.cache
def cached_reference(case_fn, *args):
    case = case_fn(*args)
    return reference(case)


def at_nonzero_bound(case, coef, tol=1e-9):
    """Indices whose coefficient sits at a finite non-zero bound."""
    lo, up = case.lower, case.upper
    hit = (np.isfinite(lo) & (lo != 0) & (np.abs(coef - lo) <= tol)) | \
          (np.isfinite(up) & (up != 0) & (np.abs(coef - up) <= tol))
    return np.flatnonzero(hit)
