"""The reference optimum of a box-bounded problem, the standard cases, and the
checks that judge lassokit's answers by them (tests/test_bounds_*.py).

The reference: a CVXPY model with the box written directly in CVXPY (not
lassokit's ``"cvxpy"`` backend), polished by Newton on its free set. The
reference machinery never calls lassokit's solvers or certificate: its
quality is judged by the independent dual bound of ``_bounds_model`` (whose
names are re-exported here: ``bc.Case``, ``bc.objective``, ...), so that the
certificate under test never vouches for the reference it is compared with.

The checks (:func:`check_against_reference`, :func:`assert_in_box`, ...) are
the ones every ``test_bounds_*`` file asserts with; use the module as
``import _bounds_cases as bc``.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from _bounds_model import *  # re-exported: bc.Case, bc.objective, bc.dual_bound, ...
from _bounds_model import INF, Case, dual_bound, in_box, objective, opt_intercept, p0
from scipy.special import expit

import lassokit as lk

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

    Xd, p = case.Xd, case.p
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
    lam = case.lam
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


# ---------------------------------------------------------------------------
# Checks shared by the test_bounds_*.py files
# ---------------------------------------------------------------------------

LS_BACKENDS = ("cd", "admm", "cvxpy", "osqp")
LOGISTIC_BACKENDS = ("cd", "cvxpy")
#: Relative duality gap asked of every backend in the matrix (tests/conftest.py
#: asks 1e-10 of every backend on the unbounded matrix).
SOLVE_TOL = 1e-9
#: Float64 rounding of objective values, relative to max(1, P(0, b0)).
SLACK = 1e-10
#: Coefficient agreement floor, relative to max(1, |ref|_inf), on top of the
#: bound implied by the objective excess and strong convexity.
COEF_TOL = 1e-6


def uncached_reference(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # CVXPY's "may be inaccurate"
        return reference(case)


_REF_CACHE = {}


def reference_of(case):
    key = case.name
    if key not in _REF_CACHE:
        _REF_CACHE[key] = uncached_reference(case)
    return _REF_CACHE[key]


def assert_in_box(coef, lower, upper, what="coef"):
    """``lower <= coef <= upper`` exactly, compared in float64 (no rounding slack)."""
    c = np.asarray(coef).astype(np.float64)
    lower = np.broadcast_to(np.asarray(lower, dtype=np.float64), c.shape[:1])
    upper = np.broadcast_to(np.asarray(upper, dtype=np.float64), c.shape[:1])
    if c.ndim == 2:
        lower, upper = lower[:, None], upper[:, None]
    bad = (c < lower) | (c > upper)
    assert not np.any(bad), (
        f"{what} leaves the box at {np.argwhere(bad).tolist()}: values "
        f"{c[bad].tolist()} vs lower {np.broadcast_to(lower, c.shape)[bad].tolist()} "
        f"upper {np.broadcast_to(upper, c.shape)[bad].tolist()}"
    )


def solve(problem, backend, tol=SOLVE_TOL, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lk.ConvergenceWarning)
        return problem.solve(backend, tol=tol, **kw)


def check_against_reference(case, ref, sol, tol, *, coef_check=True, label=""):
    """Converged, in the box, certificate valid and consistent, objective and
    coefficients those of the reference."""
    scale = max(1.0, ref.p0)
    slack = SLACK * scale
    assert sol.converged and sol.status == "optimal", (
        f"{label}: not converged: status {sol.status!r}, rel_gap {sol.rel_gap:.3e} "
        f"(tol {tol:g}); reference P* in [{ref.lower!r}, {ref.objective!r}]")
    assert_in_box(sol.coef, case.lower, case.upper)
    assert sol.coef.dtype == case.X.dtype
    # The reported objective and intercept are the problem's, computed here by hand.
    b_star = opt_intercept(case, sol.coef)
    mine = objective(case, sol.coef, sol.intercept)
    assert np.isfinite(mine)
    assert abs(sol.intercept - b_star) <= 1e-8 * max(1.0, abs(b_star)), (
        f"{label}: intercept {sol.intercept!r} is not optimal for coef (expected {b_star!r})")
    assert abs(sol.objective - mine) <= 1e-10 * max(1.0, abs(mine)), (
        f"{label}: Solution.objective {sol.objective!r} vs P(coef, intercept) = {mine!r}")
    # The certificate: lassokit's dual value P - gap must not exceed P* <= P_ref.
    assert sol.dual_gap >= 0
    assert sol.objective - sol.dual_gap <= ref.objective + slack, (
        f"{label}: certificate below the true suboptimality: P = {sol.objective!r}, "
        f"gap = {sol.dual_gap!r}, so D = {sol.objective - sol.dual_gap!r} > P* <= "
        f"{ref.objective!r}")
    assert sol.dual_gap <= tol * ref.p0 * (1 + 1e-9) + 1e-300, (sol.dual_gap, tol * ref.p0)
    # True suboptimality within tol (P* >= ref.lower).
    excess = mine - ref.lower
    assert excess <= tol * ref.p0 + slack, (
        f"{label}: claimed optimal at tol {tol:g} but P - P* >= {excess / ref.p0:.3e} "
        f"relative")
    assert mine >= ref.lower - slack, f"{label}: objective {mine!r} below P* >= {ref.lower!r}"
    if coef_check:
        kappa = strong_convexity(case, ref)
        assert kappa > 0
        bound = np.sqrt(2.0 * (max(excess, 0.0) + slack) / (0.5 * kappa))
        err = float(np.max(np.abs(sol.coef.astype(np.float64) - ref.coef)))
        allowed = COEF_TOL * max(1.0, float(np.max(np.abs(ref.coef)))) + bound
        assert err <= allowed, (
            f"{label}: max coef difference {err:.3e} > {allowed:.3e}; coef {sol.coef} vs "
            f"reference {ref.coef}")


def supports(name, problem):
    from lassokit.backends.registry import get_backend

    answer = get_backend(name).supports(problem)
    return answer if isinstance(answer, tuple) else (bool(answer), "")


def cfg_id(cfg):
    pen, icpt, sw, storage = cfg
    return f"{pen}-{'icpt' if icpt else 'noicpt'}-{'sw' if sw else 'nosw'}-{storage}"


def random_feasible_points(case, ref, rng, count):
    """Points in the box: uniform, on faces, at 0, near the optimum, and mixes."""
    lo, up = case.lower, case.upper
    span_lo = np.where(np.isfinite(lo), lo, -3.0)
    span_up = np.where(np.isfinite(up), up, 3.0)
    excluded = ~np.isfinite(case.lam)
    out = [np.zeros(case.p), ref.coef.copy()]
    for k in range(count):
        kind = k % 5
        if kind == 0:
            w = rng.uniform(span_lo, span_up)
        elif kind == 1:  # every coordinate on a face or at 0
            w = np.choose(rng.integers(3, size=case.p), [span_lo, span_up, np.zeros(case.p)])
        elif kind == 2:  # near the optimum
            w = ref.coef + rng.normal(scale=10.0 ** rng.uniform(-8, -1), size=case.p)
        elif kind == 3:  # the optimum with a few coordinates moved to the other face
            w = ref.coef.copy()
            j = rng.integers(case.p, size=2)
            w[j] = np.where(ref.coef[j] > 0, span_lo[j], span_up[j])
        else:  # large excursions on unbounded sides
            w = rng.uniform(np.where(np.isfinite(lo), lo, -50), np.where(np.isfinite(up), up, 50))
        w = np.clip(w, lo, up)
        w[excluded] = 0.0
        out.append(w)
    return out
