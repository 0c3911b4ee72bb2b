"""Box bounds on the problem layer (API.md §1-§3, §10): ``Problem(..., bounds=(lower, upper))``.

Every answer is judged against an independent reference (tests/_bounds_cases.py):
a CVXPY model with the box written directly in CVXPY (not lassokit's
``"cvxpy"`` backend), polished by Newton on its free set, and bracketed by an
independent Fenchel dual bound written here, so that ``P*`` is known to
~1e-15 relative and lassokit's certificate never vouches for the reference it
is compared with.

What is checked:

1. each capable backend (cd, admm, cvxpy, osqp for least squares; cd, cvxpy
   for logistic) reaches the reference with the box held exactly;
2. the certificate (``Problem.certify`` / ``Problem.dual_gap`` /
   ``Solution.dual_gap``) never reports less than the true suboptimality, at
   random feasible points and at solver answers, and is tight at the optimum;
3. ``alpha_max`` with one-sided and pinned boxes against a hand computation;
4. equivalences: (0, inf) == positive=True, (-inf, inf) == no bounds,
   pinned == dropped column, infinite L1 weight == dropped column, huge
   finite bounds == unbounded;
5. paths stay in the box and are certified;
6. validation messages and refusals ("direct", "gpu");
7. badly scaled data (column means 1e9, targets ~1e-170): no false "optimal".
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
import warnings

import _bounds_cases as bc
import numpy as np
import pytest
import scipy.sparse as sp

import lassokit as lk

pytest.importorskip("cvxpy")

INF = np.inf
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


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def _reference(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # CVXPY's "may be inaccurate"
        return bc.reference(case)


_REF_CACHE = {}


def reference_of(case):
    key = case.name
    if key not in _REF_CACHE:
        _REF_CACHE[key] = _reference(case)
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
    b_star = bc.opt_intercept(case, sol.coef)
    mine = bc.objective(case, sol.coef, sol.intercept)
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
        kappa = bc.strong_convexity(case, ref)
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


# ---------------------------------------------------------------------------
# 0. the reference machinery itself (no lassokit solver involved)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("maker,args", [
    (bc.squared_case, ("l1", True, True, "dense")),
    (bc.logistic_case, ("enet", False, True, "dense")),
])
def test_reference_machinery_is_sound(maker, args):
    """Weak duality of the hand-written dual and feasibility of the reference:
    random dual points never exceed P_ref, random feasible points never go
    below D_ref; several bounds are active at the reference (the box matters)."""
    case = maker(*args)
    ref = reference_of(case)
    assert bc.in_box(case, ref.coef)
    assert ref.gap <= 1e-11 * max(1.0, ref.p0)
    assert bc.at_nonzero_bound(case, ref.coef).size >= 2
    rng = np.random.default_rng(1)
    for w in _random_feasible_points(case, ref, rng, 15):
        b = bc.opt_intercept(case, w)
        assert bc.dual_bound(case, w, b) <= ref.objective + 1e-12 * ref.p0
        assert bc.objective(case, w, b) >= ref.lower - 1e-12 * ref.p0


# ---------------------------------------------------------------------------
# 1. against the independent CVXPY reference
# ---------------------------------------------------------------------------

SQ_CONFIGS = [
    # (penalty, fit_intercept, weighted, storage)
    ("l1", True, False, "dense"),
    ("l1", False, False, "dense"),
    ("enet", True, True, "dense"),
    ("enet", False, True, "dense"),
    ("l1", True, True, "csc"),
    ("enet", False, False, "csr"),
    ("l1", False, True, "csr"),
    ("enet", True, False, "csc"),
]


def _cfg_id(cfg):
    pen, icpt, sw, storage = cfg
    return f"{pen}-{'icpt' if icpt else 'noicpt'}-{'sw' if sw else 'nosw'}-{storage}"


@pytest.mark.parametrize("cfg", SQ_CONFIGS, ids=_cfg_id)
@pytest.mark.parametrize("backend", LS_BACKENDS)
def test_squared_matches_cvxpy_reference(backend, cfg):
    case = bc.squared_case(*cfg)
    ref = reference_of(case)
    # The construction: the unconstrained optimum violates the box, so that
    # bounds are active at the optimum (features 0, 1, 7 at a non-zero bound,
    # feature 5 at its lower bound 0, feature 3 pinned).
    assert set(bc.at_nonzero_bound(case, ref.coef)) >= {0, 1, 7}
    problem = case.problem()
    ok, reason = supports(backend, problem)
    assert ok, f"backend {backend!r} must take bounds (API §10), refuses: {reason}"
    sol = solve(problem, backend)
    assert sol.coef[3] == 0.0  # pinned (lower = upper = 0)
    check_against_reference(case, ref, sol, SOLVE_TOL, label=f"{backend} {case.name}")


LG_CONFIGS = [
    ("l1", True, False, "dense"),
    ("enet", True, True, "dense"),
    ("l1", False, True, "csc"),
    ("enet", False, False, "dense"),
]


@pytest.mark.parametrize("cfg", LG_CONFIGS, ids=_cfg_id)
@pytest.mark.parametrize("backend", LOGISTIC_BACKENDS)
def test_logistic_matches_cvxpy_reference(backend, cfg):
    case = bc.logistic_case(*cfg)
    ref = reference_of(case)
    assert set(bc.at_nonzero_bound(case, ref.coef)) >= {0, 1}
    problem = case.problem()
    ok, reason = supports(backend, problem)
    assert ok, f"backend {backend!r} must take bounds with the logistic loss, refuses: {reason}"
    sol = solve(problem, backend)
    assert sol.coef[4] == 0.0  # pinned
    check_against_reference(case, ref, sol, SOLVE_TOL, label=f"{backend} {case.name}")


@pytest.mark.parametrize("backend", LS_BACKENDS)
def test_float32_coefficients_stay_inside_the_box(backend):
    """Rounding to float32 must not step outside: float32(0.1) > 0.1 and
    float32(-0.3) < -0.3, so an active bound rounded to nearest leaves the box."""
    case = bc.squared_case("l1", True, False, "dense")
    lower = case.lower.copy()
    upper = case.upper.copy()
    upper[0], lower[1], upper[7] = 0.1, -0.3, 0.1
    assert float(np.float32(0.1)) > 0.1 and float(np.float32(-0.3)) < -0.3
    case32 = dataclasses.replace(case, X=case.X.astype(np.float32), lower=lower, upper=upper,
                                 name=case.name + "-f32")
    ref = reference_of(case32)
    assert set(bc.at_nonzero_bound(case32, ref.coef)) >= {0, 1, 7}
    sol = solve(case32.problem(), backend, tol=1e-6)
    assert sol.coef.dtype == np.float32
    assert_in_box(sol.coef, lower, upper)
    assert sol.converged, (sol.status, sol.rel_gap)
    assert sol.objective - sol.dual_gap <= ref.objective + SLACK * ref.p0
    assert bc.objective(case32, sol.coef, sol.intercept) - ref.lower <= 1e-6 * ref.p0 + \
        SLACK * ref.p0


def test_scalar_bounds_equal_per_feature_arrays():
    case = bc.squared_case("enet", True, True, "dense")
    p = case.p
    scal = case.problem(bounds=(-0.7, 0.4))
    arr = case.problem(bounds=(np.full(p, -0.7), np.full(p, 0.4)))
    lo, up = scal.bounds
    assert lo.dtype == np.float64 and up.dtype == np.float64
    assert lo.shape == (p,) and up.shape == (p,)
    np.testing.assert_array_equal(lo, np.full(p, -0.7))
    np.testing.assert_array_equal(up, np.full(p, 0.4))
    a, b = solve(scal, "cd"), solve(arr, "cd")
    np.testing.assert_array_equal(a.coef, b.coef)
    assert a.objective == b.objective
    sub = dataclasses.replace(case, lower=np.full(p, -0.7), upper=np.full(p, 0.4),
                              name=case.name + "-scalar")
    check_against_reference(sub, reference_of(sub), a, SOLVE_TOL, label="scalar bounds")


# ---------------------------------------------------------------------------
# 2. the certificate at arbitrary feasible points
# ---------------------------------------------------------------------------


def _random_feasible_points(case, ref, rng, count):
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


CERT_CASES = [
    (bc.squared_case, ("l1", True, True, "dense")),
    (bc.squared_case, ("enet", False, False, "csc")),
    (bc.squared_case, ("l1", False, True, "csr")),
    (bc.logistic_case, ("l1", True, False, "dense")),
    (bc.logistic_case, ("enet", False, True, "dense")),
]


@pytest.mark.parametrize("maker,args", CERT_CASES,
                         ids=[f"{m.__name__.split('_')[0]}-{_cfg_id(a)}" for m, a in CERT_CASES])
def test_certificate_bounds_suboptimality_at_random_feasible_points(maker, args):
    case = maker(*args)
    ref = reference_of(case)
    problem = case.problem()
    slack = SLACK * max(1.0, ref.p0)
    rng = np.random.default_rng(2024)
    for i, w in enumerate(_random_feasible_points(case, ref, rng, 40)):
        cert = problem.certify(w)
        mine = bc.objective_opt_b(case, w)
        b_star = bc.opt_intercept(case, w)
        where = f"point {i}: w = {w.tolist()}"
        assert np.isfinite(cert.objective) and np.isfinite(cert.dual_gap), where
        assert abs(cert.objective - mine) <= 1e-10 * max(1.0, abs(mine)), (
            f"{where}: certify().objective {cert.objective!r} vs P(w, b*(w)) = {mine!r}")
        assert abs(cert.intercept - b_star) <= 1e-8 * max(1.0, abs(b_star)), where
        assert cert.dual_gap >= 0, where
        true_subopt_lb = mine - ref.objective  # <= P(w) - P*
        assert cert.dual_gap >= true_subopt_lb - slack, (
            f"{where}: gap {cert.dual_gap!r} < P(w) - P* >= {true_subopt_lb!r} "
            f"(P(w) = {mine!r}, P* <= {ref.objective!r})")
        gap = problem.dual_gap(w)
        assert gap >= true_subopt_lb - slack, f"{where}: Problem.dual_gap {gap!r} invalid"
    # At the optimum the certificate is tight (a dual point that ignores the
    # box, e.g. by rescaling the residual, would be useless here).
    cert = problem.certify(ref.coef)
    assert cert.dual_gap <= 1e-8 * ref.p0, (
        f"gap {cert.dual_gap:.3e} at the reference optimum (P0 = {ref.p0:.3e}): the certificate "
        "cannot certify the solution of a bounded problem")


@pytest.mark.parametrize("maker,args,backend", [
    (bc.squared_case, ("l1", True, True, "dense"), "cd"),
    (bc.squared_case, ("enet", False, False, "csc"), "admm"),
    (bc.squared_case, ("l1", True, False, "dense"), "osqp"),
    (bc.logistic_case, ("l1", True, False, "dense"), "cd"),
])
@pytest.mark.parametrize("tol", [1e-2, 1e-4, 1e-6])
def test_loose_solutions_report_a_valid_gap(maker, args, backend, tol):
    """At every tol the reported gap is at least the true suboptimality, and a
    converged answer's true relative suboptimality is within tol."""
    case = maker(*args)
    ref = reference_of(case)
    sol = solve(case.problem(), backend, tol=tol)
    assert_in_box(sol.coef, case.lower, case.upper)
    mine = bc.objective(case, sol.coef, sol.intercept)
    slack = SLACK * max(1.0, ref.p0)
    assert sol.dual_gap >= mine - ref.objective - slack, (sol.dual_gap, mine - ref.objective)
    if sol.converged:
        assert mine - ref.lower <= tol * ref.p0 + slack
    else:
        assert sol.status != "optimal"


def test_objective_is_infinite_outside_the_box():
    case = bc.squared_case("l1", True, False, "dense")
    problem = case.problem()
    ref = reference_of(case)
    w = ref.coef.copy()
    assert problem.objective(w, ref.intercept) == pytest.approx(ref.objective, rel=1e-12)
    for j, value in ((0, 1.0 + 1e-9), (1, -1.0 - 1e-9), (3, 1e-12), (5, -1e-12), (7, 0.2001)):
        v = w.copy()
        v[j] = value
        assert problem.objective(v, ref.intercept) == INF, (j, value)


# ---------------------------------------------------------------------------
# 3. alpha_max with one-sided and pinned boxes
# ---------------------------------------------------------------------------


def _alpha_max_case(loss, fit_intercept, weighted, storage, l2=0.0, feature_weights=False,
                    unpenalized=False, seed=3):
    """A case whose alpha_max depends on the box, and the hand-computed value.

    Hand computation: fit the features without an L1 term (under their box)
    with the intercept; ``g = X^T s r0 / n`` the correlations with that
    residual; a feature counts ``|g_j|`` when both its sides are open, ``g_j+``
    when only the upper one is (lower = 0), ``g_j-`` when only the lower one
    is, nothing when pinned; divided by its L1 weight.
    """
    from scipy.optimize import lsq_linear
    from scipy.special import expit

    rng = np.random.default_rng(seed)
    n, p = 90, 7
    X = rng.normal(size=(n, p)) + rng.normal(scale=0.5, size=p)
    if storage != "dense":
        X = np.where(rng.random((n, p)) < 0.5, X, 0.0)
    wt = rng.normal(scale=1.5, size=p)
    if loss == "squared":
        y = X @ wt + 1.0 + 0.5 * rng.normal(size=n)
    else:
        y = (rng.uniform(size=n) < expit(0.5 * X @ wt + 0.2)).astype(float)
    v1 = rng.uniform(0.5, 2.0, size=p) if feature_weights else np.ones(p)
    lower, upper = np.full(p, -INF), np.full(p, INF)
    sw = bc._sample_weight(n, seed) if weighted else None
    Xs = sp.csc_matrix(X) if storage == "csc" else X
    case = bc.Case(Xs, y, loss, 1.0, l2, v1, None, lower, upper, fit_intercept, sw,
                   f"am-{loss}-{fit_intercept}-{weighted}-{storage}-{l2}-{feature_weights}-"
                   f"{unpenalized}")
    c = case.c
    U = np.array([0]) if unpenalized else np.array([], dtype=int)
    v1[U] = 0.0
    xm = (c @ X) / c.sum() if fit_intercept else np.zeros(p)

    def correlations(lo_u, up_u):
        """g = X^T s r0 / n at the fit of the unpenalized part (and intercept)."""
        if loss == "squared":
            yc = y - (c @ y) / c.sum() if fit_intercept else y
            Xc = X - xm
            wU = np.zeros(0)
            if U.size:
                A = np.sqrt(c)[:, None] * Xc[:, U]
                wU = lsq_linear(A, np.sqrt(c) * yc, bounds=(lo_u, up_u), method="bvls",
                                tol=1e-15).x
            r0 = yc - Xc[:, U] @ wU
            return X.T @ (c * r0), wU
        pbar = float(c @ y) / c.sum() if fit_intercept else 0.5
        return X.T @ (c * (y - pbar)), np.zeros(0)

    g_free, wU_free = correlations(np.full(U.size, -INF), np.full(U.size, INF))
    pen = v1 > 0
    unbounded = float(np.max(np.abs(g_free[pen]) / v1[pen]))
    if unpenalized:
        # a binding box on the unpenalized feature changes the residual
        cap = 0.4 * abs(wU_free[0])
        lower[0], upper[0] = -cap, cap
        g, wU = correlations(lower[U], upper[U])
        case.extra["wU"] = wU
    else:
        g = g_free
    score = np.where(pen, np.abs(g) / np.where(pen, v1, 1.0), -INF)
    order = [j for j in np.argsort(-score) if pen[j]]
    j0, j1, j2 = order[0], order[1], order[2]
    # j0: only the side against its correlation is open -> does not count
    if g[j0] > 0:
        lower[j0], upper[j0] = -2.0, 0.0
    else:
        lower[j0], upper[j0] = 0.0, 3.0
    # j1: pinned
    lower[j1] = upper[j1] = 0.0
    # j2: only its own side open (a one-sided box that counts)
    if g[j2] > 0:
        lower[j2], upper[j2] = 0.0, INF
    else:
        lower[j2], upper[j2] = -INF, 0.0
    # the rest: finite two-sided boxes (count |g|)
    for j in order[3:]:
        lower[j], upper[j] = -0.5, 0.25
    case.v1 = v1
    expected = 0.0
    for j in np.flatnonzero(pen):
        up_open, down_open = upper[j] > 0, lower[j] < 0
        s = max(g[j] if up_open else 0.0, -g[j] if down_open else 0.0)
        expected = max(expected, s / v1[j])
    case.extra["U"] = U
    return case, expected, unbounded


AM_CASES = [
    dict(loss="squared", fit_intercept=False, weighted=False, storage="dense"),
    dict(loss="squared", fit_intercept=True, weighted=True, storage="dense"),
    dict(loss="squared", fit_intercept=True, weighted=False, storage="csc", l2=0.3),
    dict(loss="squared", fit_intercept=False, weighted=True, storage="dense",
         feature_weights=True),
    dict(loss="squared", fit_intercept=True, weighted=False, storage="dense", unpenalized=True),
    dict(loss="logistic", fit_intercept=True, weighted=False, storage="dense"),
    dict(loss="logistic", fit_intercept=False, weighted=True, storage="dense", l2=0.1),
]


def _am_id(kw):
    return "-".join(f"{k}={v}" for k, v in kw.items() if k != "storage" or v != "dense")


@pytest.mark.parametrize("kw", AM_CASES, ids=_am_id)
def test_alpha_max_with_bounds_matches_hand_computation(kw):
    case, expected, unbounded = _alpha_max_case(**kw)
    # the box matters here: the unbounded alpha_max is clearly larger
    assert expected < unbounded * (1 - 1e-3)
    assert expected > 0
    problem = case.problem()
    assert problem.alpha_max() == pytest.approx(expected, rel=1e-9), (
        f"alpha_max with bounds {problem.alpha_max()!r}, hand computation {expected!r} "
        f"(unbounded: {unbounded!r}); lower {case.lower}, upper {case.upper}")
    # and the unbounded problem's alpha_max is the plain one
    assert case.problem(bounds=None).alpha_max() == pytest.approx(unbounded, rel=1e-9)

    penalized = case.v1 > 0
    # Just above: every penalized coefficient exactly 0.
    above = dataclasses.replace(case, a1=expected * (1 + 1e-9))
    sol = solve(above.problem(), "cd", tol=1e-10)
    assert sol.converged
    assert np.all(sol.coef[penalized] == 0.0), sol.coef
    assert_in_box(sol.coef, case.lower, case.upper)
    if case.extra["U"].size:
        np.testing.assert_allclose(sol.coef[case.extra["U"]], case.extra["wU"], rtol=1e-7,
                                   atol=1e-10)

    # Just below: the reference improves on the zero point, and a certified
    # solve at a tol finer than that improvement cannot return zeros.
    below = dataclasses.replace(case, a1=expected * (1 - 1e-3), name=case.name + "-below")
    ref = _reference(below)
    w_base = np.zeros(case.p)
    if case.extra["U"].size:
        w_base[case.extra["U"]] = case.extra["wU"]
    base_val = bc.objective_opt_b(below, w_base)
    decrease = base_val - ref.objective
    assert decrease > 10 * ref.gap + 1e-14 * ref.p0, (decrease, ref.gap)
    tol = min(1e-9, 0.1 * decrease / ref.p0)
    sol = solve(below.problem(), "cd", tol=tol)
    assert sol.converged, (sol.status, sol.rel_gap, tol)
    assert np.any(sol.coef[penalized] != 0.0)
    assert_in_box(sol.coef, case.lower, case.upper)


# ---------------------------------------------------------------------------
# 4. equivalences
# ---------------------------------------------------------------------------

EQ_CASES = [
    (bc.squared_case, ("enet", True, True, "dense")),
    (bc.squared_case, ("l1", False, False, "csc")),
    (bc.logistic_case, ("l1", True, True, "dense")),
]
EQ_IDS = [f"{m.__name__.split('_')[0]}-{_cfg_id(a)}" for m, a in EQ_CASES]


def _same_solution(a, b, tol_coef=1e-6):
    assert a.converged and b.converged, (a.status, b.status)
    scale = max(1.0, float(np.max(np.abs(b.coef))))
    np.testing.assert_allclose(a.coef, b.coef, atol=tol_coef * scale, rtol=0)
    assert a.objective == pytest.approx(b.objective, rel=1e-9, abs=1e-12)
    assert a.intercept == pytest.approx(b.intercept, rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("maker,args", EQ_CASES, ids=EQ_IDS)
def test_zero_to_inf_box_is_positive(maker, args):
    case = maker(*args)
    plain = case.problem(bounds=None)
    pos = plain.replace(positive=True)
    box = case.problem(bounds=(0.0, INF))
    lo, up = pos.bounds
    np.testing.assert_array_equal(lo, np.zeros(case.p))
    np.testing.assert_array_equal(up, np.full(case.p, INF))
    np.testing.assert_array_equal(box.bounds[0], lo)
    np.testing.assert_array_equal(box.bounds[1], up)
    assert box.alpha_max() == pytest.approx(pos.alpha_max(), rel=1e-12)
    _same_solution(solve(box, "cd", tol=1e-10), solve(pos, "cd", tol=1e-10))
    rng = np.random.default_rng(5)
    for _ in range(5):
        w = np.abs(rng.normal(size=case.p))
        assert box.objective(w) == pytest.approx(pos.objective(w), rel=1e-13)
        assert box.objective(-w) == pos.objective(-w) == INF


@pytest.mark.parametrize("maker,args", EQ_CASES, ids=EQ_IDS)
def test_positive_intersects_bounds(maker, args):
    case = maker(*args)
    p = case.p
    both = case.problem(bounds=(-1.0, 0.5), positive=True)
    lo, up = both.bounds
    np.testing.assert_array_equal(lo, np.zeros(p))
    np.testing.assert_array_equal(up, np.full(p, 0.5))
    only = case.problem(bounds=(0.0, 0.5))
    _same_solution(solve(both, "cd", tol=1e-10), solve(only, "cd", tol=1e-10))
    assert both.alpha_max() == pytest.approx(only.alpha_max(), rel=1e-12)
    sub = dataclasses.replace(case, lower=np.zeros(p), upper=np.full(p, 0.5),
                              name=case.name + "-pos-0.5")
    sol = solve(both, "cd")
    check_against_reference(sub, reference_of(sub), sol, SOLVE_TOL, label="positive & bounds")


@pytest.mark.parametrize("maker,args", EQ_CASES, ids=EQ_IDS)
def test_infinite_box_is_no_bounds(maker, args):
    case = maker(*args)
    free = case.problem(bounds=(-INF, INF))
    assert free.bounds is None
    assert case.problem(bounds=None).bounds is None
    plain = case.problem(bounds=None)
    assert free.alpha_max() == pytest.approx(plain.alpha_max(), rel=1e-12)
    _same_solution(solve(free, "cd", tol=1e-10), solve(plain, "cd", tol=1e-10))
    arr = case.problem(bounds=(np.full(case.p, -INF), np.full(case.p, INF)))
    assert arr.bounds is None


@pytest.mark.parametrize("maker,args", EQ_CASES, ids=EQ_IDS)
def test_huge_finite_bounds_are_unbounded(maker, args):
    case = maker(*args)
    huge = case.problem(bounds=(-1e6, 1e6))
    plain = case.problem(bounds=None)
    assert huge.alpha_max() == pytest.approx(plain.alpha_max(), rel=1e-12)
    _same_solution(solve(huge, "cd", tol=1e-10), solve(plain, "cd", tol=1e-10))
    # certificates agree in validity: the huge box's gap at the plain optimum is small
    sol = solve(plain, "cd", tol=1e-10)
    assert huge.certify(sol.coef).dual_gap <= 1e-8 * max(1.0, sol.objective)


def _drop(case, j):
    keep = np.setdiff1d(np.arange(case.p), [j])
    X = case.X[:, keep]
    return dataclasses.replace(
        case, X=X, v1=None if case.v1 is None else case.v1[keep],
        v2=None if case.v2 is None else case.v2[keep], lower=case.lower[keep],
        upper=case.upper[keep], name=case.name + f"-drop{j}"), keep


@pytest.mark.parametrize("backend", LS_BACKENDS + ("cd-logistic", "cvxpy-logistic"))
def test_pinned_feature_is_a_dropped_column(backend):
    name = backend.split("-")[0]
    if backend.endswith("logistic"):
        case = bc.logistic_case("enet", True, True, "dense")
    else:
        case = bc.squared_case("l1", True, True, "dense")
    j = 2  # free at the reference optimum (non-zero): pinning it matters
    assert reference_of(case).coef[j] != 0
    lower, upper = case.lower.copy(), case.upper.copy()
    lower[j] = upper[j] = 0.0
    pinned = dataclasses.replace(case, lower=lower, upper=upper, name=case.name + f"-pin{j}")
    dropped, keep = _drop(pinned, j)
    sol_p = solve(pinned.problem(), name)
    sol_d = solve(dropped.problem(), name)
    assert sol_p.coef[j] == 0.0
    assert sol_p.converged and sol_d.converged
    np.testing.assert_allclose(sol_p.coef[keep], sol_d.coef, atol=1e-5)
    assert sol_p.objective == pytest.approx(sol_d.objective, rel=1e-8)
    assert pinned.problem().alpha_max() == pytest.approx(dropped.problem().alpha_max(), rel=1e-12)
    check_against_reference(pinned, reference_of(pinned), sol_p, SOLVE_TOL, label="pinned")


@pytest.mark.parametrize("backend", LS_BACKENDS + ("cd-logistic", "cvxpy-logistic"))
@pytest.mark.parametrize("with_box", [False, True], ids=["nobox", "box"])
def test_infinite_l1_weight_excludes_the_feature(backend, with_box):
    name = backend.split("-")[0]
    if backend.endswith("logistic"):
        case = bc.logistic_case("enet", True, True, "dense")
        j = 2
    else:
        case = bc.squared_case("enet", True, True, "dense")
        j = 6
    assert reference_of(case).coef[j] != 0
    v1 = np.ones(case.p) if case.v1 is None else case.v1.copy()
    v1[j] = INF
    if with_box:
        excl = dataclasses.replace(case, v1=v1, name=case.name + f"-inf{j}")
    else:
        excl = dataclasses.replace(case, v1=v1, lower=np.full(case.p, -INF),
                                   upper=np.full(case.p, INF), name=case.name + f"-inf{j}-free")
    dropped, keep = _drop(excl, j)
    problem = excl.problem(bounds=(excl.lower, excl.upper) if with_box else None)
    sol = solve(problem, name)
    ref_d = solve(dropped.problem(bounds=(dropped.lower, dropped.upper) if with_box else None),
                  name)
    assert sol.coef[j] == 0.0
    assert sol.converged and ref_d.converged, (sol.status, ref_d.status)
    assert np.isfinite(sol.objective) and np.isfinite(sol.dual_gap)
    np.testing.assert_allclose(sol.coef[keep], ref_d.coef, atol=1e-5)
    assert sol.objective == pytest.approx(ref_d.objective, rel=1e-8)
    # inf * 0 must not turn the objective into NaN
    assert problem.objective(sol.coef, sol.intercept) == pytest.approx(sol.objective, rel=1e-12)
    w = sol.coef.astype(np.float64).copy()
    w[j] = 1e-3
    assert problem.objective(w, sol.intercept) == INF
    assert problem.alpha_max() == pytest.approx(
        dropped.problem(bounds=(dropped.lower, dropped.upper) if with_box else None).alpha_max(),
        rel=1e-12)
    check_against_reference(excl, reference_of(excl), sol, SOLVE_TOL, label="inf weight")


# ---------------------------------------------------------------------------
# 5. paths
# ---------------------------------------------------------------------------

PATH_CASES = [
    (bc.squared_case, ("l1", True, True, "dense"), "cd"),
    (bc.squared_case, ("enet", False, False, "csc"), "cd"),
    (bc.squared_case, ("l1", True, False, "dense"), "admm"),
    (bc.logistic_case, ("l1", True, False, "dense"), "cd"),
]


@pytest.mark.parametrize("maker,args,backend", PATH_CASES,
                         ids=[f"{m.__name__.split('_')[0]}-{_cfg_id(a)}-{b}"
                              for m, a, b in PATH_CASES])
def test_path_stays_in_the_box_and_is_certified(maker, args, backend):
    case = maker(*args)
    problem = case.problem()
    tol = 1e-8
    with warnings.catch_warnings():
        warnings.simplefilter("error", lk.ConvergenceWarning)
        path = lk.path(problem, n_alphas=12, eps=1e-3, backend=backend, tol=tol)
    coefs = np.asarray(path.coefs)
    assert coefs.shape == (case.p, 12)
    assert_in_box(coefs, case.lower, case.upper, what="path coefs")
    r = case.a1 / (case.a1 + case.a2)
    assert path.alphas[0] == pytest.approx(problem.alpha_max() / r, rel=1e-10)
    penalized = case.lam > 0
    if case.a2 == 0 and backend == "cd":
        # pure L1: the grid's top is alpha_max itself, where 0 is optimal for
        # every penalized feature (with L2 on an L1-free feature, or an
        # iterative backend that stops within tol, the top need not be exactly 0).
        # The feature that sets alpha_max has its optimality condition tight
        # there: its step is the difference of two equal numbers, which rounds
        # either way (3e-16 with numba 0.68.1 and numpy 2.4.6, 0 with the versions of a day earlier). Zero to
        # rounding, on the scale of the coefficient's contribution to the fit:
        dense = case.X.toarray() if hasattr(case.X, "toarray") else np.asarray(case.X)
        contribution = np.abs(coefs[penalized, 0]) * np.linalg.norm(dense[:, penalized], axis=0)
        assert np.all(contribution <= 1e-12 * np.linalg.norm(case.y)), coefs[:, 0]
    assert np.all(coefs[3 if case.loss == "squared" else 4] == 0.0)  # pinned
    for k, alpha in enumerate(path.alphas):
        sub = dataclasses.replace(case, a1=alpha * r, a2=alpha * (1 - r),
                                  name=f"{case.name}-path-{k}")
        p0 = bc.p0(sub)
        assert path.dual_gaps[k] <= tol * p0 * (1 + 1e-9), (k, path.dual_gaps[k], tol * p0)
        b_star = bc.opt_intercept(sub, coefs[:, k])
        assert path.intercepts[k] == pytest.approx(b_star, rel=1e-8, abs=1e-10)
        if k in (1, 6, 11):
            ref = _reference(sub)
            mine = bc.objective(sub, coefs[:, k], path.intercepts[k])
            slack = SLACK * max(1.0, p0)
            assert mine - ref.objective <= path.dual_gaps[k] + slack, (
                f"alpha {alpha}: path gap {path.dual_gaps[k]!r} below P - P* >= "
                f"{mine - ref.objective!r}")
            assert mine - ref.lower <= tol * p0 + slack
            cert = sub.problem().certify(coefs[:, k])
            assert mine - ref.objective <= cert.dual_gap + slack


# ---------------------------------------------------------------------------
# 6. validation, attributes, refusals
# ---------------------------------------------------------------------------


def _small():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 4))
    y = X @ np.array([2.0, -1.0, 0.5, 0.0]) + rng.normal(size=20)
    return X, y


@pytest.mark.parametrize("bounds", [
    (np.nan, 1.0),
    (-1.0, np.nan),
    (np.array([-1.0, np.nan, -1.0, -1.0]), 1.0),
    (0.5, 1.0),                                # lower > 0
    (-1.0, -0.5),                              # upper < 0
    (np.array([-1.0, 0.1, -1.0, -1.0]), 1.0),  # one lower > 0
    (-1.0, np.array([1.0, 1.0, -0.1, 1.0])),   # one upper < 0
    (INF, INF),                                # lower = +inf > 0
    (-INF, -INF),                              # upper = -inf < 0
    (np.full(3, -1.0), 1.0),                   # wrong length
    (-1.0, np.full(5, 1.0)),
    (np.full((4, 1), -1.0), 1.0),              # wrong shape
    (-1.0,),                                   # not a pair
    (-1.0, 0.0, 1.0),
    1.0,
], ids=["nan-lo", "nan-up", "nan-entry", "lo>0", "up<0", "lo-entry>0", "up-entry<0", "lo=inf",
        "up=-inf", "short-lo", "long-up", "2d-lo", "one", "three", "scalar"])
def test_invalid_bounds_raise_value_error_naming_bounds(bounds):
    X, y = _small()
    with pytest.raises(ValueError, match="bounds"):
        lk.Problem(X, y, lk.L1(0.1), bounds=bounds)
    base = lk.Problem(X, y, lk.L1(0.1))
    with pytest.raises(ValueError, match="bounds"):
        base.replace(bounds=bounds)


def test_bounds_attribute_and_replace():
    X, y = _small()
    prob = lk.Problem(X, y, lk.L1(0.1), bounds=(-1, np.array([1, 2, 3, 4])))
    lo, up = prob.bounds
    assert lo.dtype == np.float64 and up.dtype == np.float64
    np.testing.assert_array_equal(lo, [-1, -1, -1, -1])
    np.testing.assert_array_equal(up, [1, 2, 3, 4])
    assert lk.Problem(X, y, lk.L1(0.1)).bounds is None
    # replace(bounds=...) sets, replaces and removes
    new = prob.replace(bounds=(-0.5, 0.5))
    np.testing.assert_array_equal(new.bounds[1], np.full(4, 0.5))
    assert prob.replace(bounds=None).bounds is None
    # other replacements keep the box, including the penalty-only fast path
    for other in (prob.replace(penalty=lk.L1(0.01)), prob.replace(fit_intercept=False),
                  prob.replace(penalty=lk.L1(0.02) + lk.L2(0.1)), copy.copy(prob),
                  copy.deepcopy(prob), pickle.loads(pickle.dumps(prob))):
        assert other.bounds is not None
        np.testing.assert_array_equal(other.bounds[0], lo)
        np.testing.assert_array_equal(other.bounds[1], up)
    # and a solve after replace(penalty=...) holds the box
    weak = prob.replace(penalty=lk.L1(1e-4))
    sol = solve(weak, "cd")
    assert sol.converged
    assert_in_box(sol.coef, lo, up)
    assert sol.coef[0] == 1.0  # the unconstrained answer is ~2: the box binds
    # writing into the caller's array afterwards: whatever the problem then
    # reports as its box (a copy or a live view), the solve holds that box
    upper = np.array([1.0, 2.0, 3.0, 4.0])
    prob2 = lk.Problem(X, y, lk.L1(1e-4), bounds=(-1.0, upper))
    upper[0] = 0.5
    sol2 = solve(prob2, "cd")
    assert_in_box(sol2.coef, prob2.bounds[0], prob2.bounds[1])


@pytest.mark.parametrize("backend", ["direct", "gpu"])
def test_direct_and_gpu_refuse_bounds(backend):
    X, y = _small()
    prob = lk.Problem(X, y, lk.L2(0.1) if backend == "direct" else lk.L1(0.1),
                      bounds=(-1.0, 1.0))
    ok, reason = supports(backend, prob)
    assert not ok and "bound" in reason, reason
    with pytest.raises(ValueError, match="bound") as info:
        prob.solve(backend)
    assert backend in str(info.value)
    # the same problem without a box is taken
    unbounded = prob.replace(bounds=None)
    assert supports(backend, unbounded)[0]
    # and (-inf, inf) is no box at all
    assert supports(backend, prob.replace(bounds=(-INF, INF)))[0]


def test_auto_never_picks_a_backend_that_cannot_hold_bounds():
    X, y = _small()
    prob = lk.Problem(X, y, lk.L2(0.1), bounds=(-1.0, 1.0))
    sol = prob.solve("auto", tol=1e-9)
    assert sol.backend != "direct"
    assert sol.converged
    assert_in_box(sol.coef, -1.0, 1.0)
    assert sol.coef[0] == 1.0  # ridge wants ~2 on feature 0


def test_capable_backends_list_follows_the_box():
    from lassokit.backends.registry import capable_backends

    X, y = _small()
    boxed = capable_backends(lk.Problem(X, y, lk.L2(0.1), bounds=(-1.0, 1.0)), emulated=True)
    for name in LS_BACKENDS:
        assert name in boxed, boxed
    assert "direct" not in boxed and "gpu" not in boxed
    assert "direct" in capable_backends(lk.Problem(X, y, lk.L2(0.1)), emulated=True)


def test_user_backend_answer_outside_the_box_is_never_optimal(register_for_test):
    """A user backend that ignores the box: its answer comes back inside the
    box (or as an error), never as a falsely certified optimum."""
    fields = {f.name for f in dataclasses.fields(lk.Capabilities)}
    caps = lk.Capabilities(**({"bounds": True} if "bounds" in fields else {}))
    case = bc.squared_case("l1", True, False, "dense")
    ref = reference_of(case)
    problem = case.problem()

    class Unconstrained(lk.Backend):
        name = "test-bounds-ignores-box"
        capabilities = caps

        def solve(self, problem, *, tol, max_iter, warm_start, **options):
            Xd = case.Xd
            A = np.c_[Xd, np.ones(case.n)]
            sol = np.linalg.lstsq(A, case.y, rcond=None)[0]
            return {"coef": sol[:-1], "intercept": sol[-1], "n_iter": 1}

    class Exact(lk.Backend):
        name = "test-bounds-exact"
        capabilities = caps

        def solve(self, problem, *, tol, max_iter, warm_start, **options):
            return {"coef": ref.coef, "intercept": ref.intercept, "n_iter": 1}

    register_for_test(Unconstrained())
    register_for_test(Exact())
    sol = solve(problem, "test-bounds-ignores-box")
    assert_in_box(sol.coef, case.lower, case.upper)
    mine = bc.objective(case, sol.coef, sol.intercept)
    assert np.isfinite(sol.objective) or sol.status == "error"
    assert mine - ref.objective <= sol.dual_gap + SLACK * ref.p0 or sol.status == "error"
    assert not sol.converged and sol.status != "optimal"
    good = solve(problem, "test-bounds-exact")
    check_against_reference(case, ref, good, SOLVE_TOL, label="exact user backend")


# ---------------------------------------------------------------------------
# 7. badly scaled data
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("shift,yscale", [(1e9, 1.0), (0.0, 2.0 ** -565), (1e9, 2.0 ** -565)],
                         ids=["mean1e9", "y1e-170", "both"])
@pytest.mark.parametrize("backend", LS_BACKENDS)
def test_badly_scaled_data_is_certified_honestly(backend, shift, yscale):
    rng = np.random.default_rng(11)
    n, p = 80, 5
    Z = rng.normal(size=(n, p))
    offsets = shift * (1.0 + rng.uniform(size=p))
    X = Z + offsets  # columns with means ~1e9 and spread 1
    # Exactly centred copy (Sterbenz: x - c is exact for c within a factor 2 of x):
    # with an intercept the problem on X - c is the same problem.
    cvec = np.round(offsets)
    Xc = X - cvec
    assert np.array_equal(Xc + cvec, X)
    w_true = np.array([2.0, -1.5, 1.0, 0.0, 0.7])
    y0 = Xc @ w_true + 0.2 + 0.3 * rng.normal(size=n)
    lower0 = np.array([-INF, -0.5, 0.0, -1.0, 0.0])
    upper0 = np.array([1.0, INF, INF, 1.0, 0.3])
    a1 = 0.01
    ref_case = bc.Case(Xc, y0, "squared", a1, 0.0, None, None, lower0, upper0, True, None,
                       f"badscale-{shift}-{yscale}")
    ref = reference_of(ref_case)
    assert set(bc.at_nonzero_bound(ref_case, ref.coef)) >= {0, 1, 4}
    problem = lk.Problem(X, y0 * yscale, lk.L1(a1 * yscale),
                         bounds=(lower0 * yscale, upper0 * yscale))
    tol = 1e-6
    sol = solve(problem, backend, tol=tol)
    assert_in_box(sol.coef, lower0 * yscale, upper0 * yscale)
    # Everything judged in the reference's units (yscale is a power of two: exact).
    w = sol.coef.astype(np.float64) / yscale
    mine = bc.objective_opt_b(ref_case, w)
    rel_excess = (mine - ref.lower) / ref.p0
    # The reported relative gap is a valid bound on the relative suboptimality.
    assert sol.rel_gap >= (mine - ref.objective) / ref.p0 - 1e-9, (sol.rel_gap, rel_excess)
    if sol.converged:
        assert sol.status == "optimal"
        assert rel_excess <= tol + 1e-9, (
            f"{backend}: claimed optimal (rel_gap {sol.rel_gap:.3e}) but the true relative "
            f"suboptimality is {rel_excess:.3e} > tol {tol:g}; coef {w} vs reference {ref.coef}")
    else:
        assert sol.status != "optimal"
    if backend in ("cd", "cvxpy"):
        assert sol.converged, (
            f"{backend}: not certified on badly scaled data: status {sol.status!r}, "
            f"rel_gap {sol.rel_gap:.3e}; true relative suboptimality {rel_excess:.3e}")


@pytest.mark.parametrize("backend", LS_BACKENDS)
def test_warm_start_outside_the_box_still_ends_inside(backend):
    """A warm start that violates the box (the unconstrained answer) must not
    leak into the answer."""
    case = bc.squared_case("enet", True, True, "dense")
    ref = reference_of(case)
    start = solve(case.problem(bounds=None), "cd", tol=1e-10)
    assert np.any(start.coef > case.upper) or np.any(start.coef < case.lower)
    sol = solve(case.problem(), backend, warm_start=start.coef)
    check_against_reference(case, ref, sol, SOLVE_TOL, label=f"{backend} warm start")
    sol2 = solve(case.problem(), backend, warm_start=start)
    assert_in_box(sol2.coef, case.lower, case.upper)


def _random_box_case(seed):
    """Random data, penalty and box (infinite, zero, pinned, finite sides mixed)."""
    rng = np.random.default_rng(1000 + seed)
    loss = "logistic" if seed % 3 == 2 else "squared"
    n, p = int(rng.integers(30, 90)), int(rng.integers(3, 12))
    X = rng.normal(size=(n, p)) * rng.uniform(0.3, 3.0, size=p) + rng.normal(size=p)
    storage = ("dense", "csc", "csr")[seed % 3]
    if storage != "dense":
        X = np.where(rng.random((n, p)) < 0.6, X, 0.0)
    w = rng.normal(scale=2.0, size=p) / np.maximum(np.std(X, axis=0), 0.1)
    z = (X - X.mean(axis=0)) @ w + 0.5
    if loss == "squared":
        y = z + 0.5 * rng.normal(size=n)
    else:
        y = (rng.uniform(size=n) < 1 / (1 + np.exp(-z))).astype(float)
    choices_lo = [-INF, 0.0, -0.1, -1.0]
    choices_up = [INF, 0.0, 0.1, 1.0]
    lower = np.array([choices_lo[k] for k in rng.integers(4, size=p)])
    upper = np.array([choices_up[k] for k in rng.integers(4, size=p)])
    v1 = rng.uniform(0.5, 2.0, size=p)
    fit_intercept = bool(rng.integers(2))
    sw = rng.uniform(0.0, 3.0, size=n) if rng.integers(2) else None
    case = bc.Case(sp.csc_matrix(X) if storage == "csc" else
                   sp.csr_matrix(X) if storage == "csr" else X,
                   y, loss, 1.0, 0.0, v1, None, lower, upper, fit_intercept, sw,
                   f"random-box-{seed}")
    a_max = case.problem().alpha_max()
    a1 = a_max * float(rng.uniform(0.02, 0.5))
    a2 = float(rng.choice([0.0, 0.0, 0.1]))
    return dataclasses.replace(case, a1=a1, a2=a2)


@pytest.mark.parametrize("seed", range(15))
def test_random_boxes_solution_and_certificate(seed):
    case = _random_box_case(seed)
    ref = reference_of(case)
    problem = case.problem()
    sol = solve(problem, "cd")
    kappa = bc.strong_convexity(case, ref)
    check_against_reference(case, ref, sol, SOLVE_TOL, coef_check=kappa > 1e-8 * ref.p0,
                            label=f"cd {case.name}")
    rng = np.random.default_rng(seed)
    slack = SLACK * max(1.0, ref.p0)
    for w in _random_feasible_points(case, ref, rng, 10):
        cert = problem.certify(w)
        mine = bc.objective_opt_b(case, w)
        assert abs(cert.objective - mine) <= 1e-10 * max(1.0, abs(mine))
        assert cert.dual_gap >= mine - ref.objective - slack, (w, cert.dual_gap,
                                                               mine - ref.objective)
    if case.loss == "squared":
        for backend in ("admm", "cvxpy", "osqp"):
            other = solve(problem, backend)
            check_against_reference(case, ref, other, SOLVE_TOL, coef_check=False,
                                    label=f"{backend} {case.name}")
