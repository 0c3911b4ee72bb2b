"""Box bounds (API.md §1-§3, §10): every capable backend reaches the independent
reference with the box held exactly.

The reference (tests/_bounds_cases.py) is a CVXPY model with the box written
directly in CVXPY, polished by Newton on its free set and bracketed by an
independent Fenchel dual bound, so that ``P*`` is known to ~1e-15 relative.
Checked here: the reference machinery itself; cd, admm, cvxpy, osqp (least
squares) and cd, cvxpy (logistic) against it; float32 answers, scalar
bounds and warm starts outside the box; paths that stay in the box and are
certified.
"""

from __future__ import annotations

import dataclasses
import warnings

import _bounds_cases as bc
import numpy as np
import pytest

import lassokit as lk

pytest.importorskip("cvxpy")

INF = np.inf


# ---------------------------------------------------------------------------
# the reference machinery itself (no lassokit solver involved)
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
    ref = bc.reference_of(case)
    assert bc.in_box(case, ref.coef)
    assert ref.gap <= 1e-11 * max(1.0, ref.p0)
    assert bc.at_nonzero_bound(case, ref.coef).size >= 2
    rng = np.random.default_rng(1)
    for w in bc.random_feasible_points(case, ref, rng, 15):
        b = bc.opt_intercept(case, w)
        assert bc.dual_bound(case, w, b) <= ref.objective + 1e-12 * ref.p0
        assert bc.objective(case, w, b) >= ref.lower - 1e-12 * ref.p0


# ---------------------------------------------------------------------------
# against the independent CVXPY reference
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

LG_CONFIGS = [
    ("l1", True, False, "dense"),
    ("enet", True, True, "dense"),
    ("l1", False, True, "csc"),
    ("enet", False, False, "dense"),
]


@pytest.mark.parametrize("cfg", SQ_CONFIGS, ids=bc.cfg_id)
@pytest.mark.parametrize("backend", bc.LS_BACKENDS)
def test_squared_matches_cvxpy_reference(backend, cfg):
    case = bc.squared_case(*cfg)
    ref = bc.reference_of(case)
    # The construction: the unconstrained optimum violates the box, so that
    # bounds are active at the optimum (features 0, 1, 7 at a non-zero bound,
    # feature 5 at its lower bound 0, feature 3 pinned).
    assert set(bc.at_nonzero_bound(case, ref.coef)) >= {0, 1, 7}
    problem = case.problem()
    ok, reason = bc.supports(backend, problem)
    assert ok, f"backend {backend!r} must take bounds (API §10), refuses: {reason}"
    sol = bc.solve(problem, backend)
    assert sol.coef[3] == 0.0  # pinned (lower = upper = 0)
    bc.check_against_reference(case, ref, sol, bc.SOLVE_TOL, label=f"{backend} {case.name}")


@pytest.mark.parametrize("cfg", LG_CONFIGS, ids=bc.cfg_id)
@pytest.mark.parametrize("backend", bc.LOGISTIC_BACKENDS)
def test_logistic_matches_cvxpy_reference(backend, cfg):
    case = bc.logistic_case(*cfg)
    ref = bc.reference_of(case)
    assert set(bc.at_nonzero_bound(case, ref.coef)) >= {0, 1}
    problem = case.problem()
    ok, reason = bc.supports(backend, problem)
    assert ok, f"backend {backend!r} must take bounds with the logistic loss, refuses: {reason}"
    sol = bc.solve(problem, backend)
    assert sol.coef[4] == 0.0  # pinned
    bc.check_against_reference(case, ref, sol, bc.SOLVE_TOL, label=f"{backend} {case.name}")


@pytest.mark.parametrize("backend", bc.LS_BACKENDS)
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
    ref = bc.reference_of(case32)
    assert set(bc.at_nonzero_bound(case32, ref.coef)) >= {0, 1, 7}
    sol = bc.solve(case32.problem(), backend, tol=1e-6)
    assert sol.coef.dtype == np.float32
    bc.assert_in_box(sol.coef, lower, upper)
    assert sol.converged, (sol.status, sol.rel_gap)
    assert sol.objective - sol.dual_gap <= ref.objective + bc.SLACK * ref.p0
    assert bc.objective(case32, sol.coef, sol.intercept) - ref.lower <= 1e-6 * ref.p0 + \
        bc.SLACK * ref.p0


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
    a, b = bc.solve(scal, "cd"), bc.solve(arr, "cd")
    np.testing.assert_array_equal(a.coef, b.coef)
    assert a.objective == b.objective
    sub = dataclasses.replace(case, lower=np.full(p, -0.7), upper=np.full(p, 0.4),
                              name=case.name + "-scalar")
    bc.check_against_reference(sub, bc.reference_of(sub), a, bc.SOLVE_TOL, label="scalar bounds")


@pytest.mark.parametrize("backend", bc.LS_BACKENDS)
def test_warm_start_outside_the_box_still_ends_inside(backend):
    """A warm start that violates the box (the unconstrained answer) must not
    leak into the answer."""
    case = bc.squared_case("enet", True, True, "dense")
    ref = bc.reference_of(case)
    start = bc.solve(case.problem(bounds=None), "cd", tol=1e-10)
    assert np.any(start.coef > case.upper) or np.any(start.coef < case.lower)
    sol = bc.solve(case.problem(), backend, warm_start=start.coef)
    bc.check_against_reference(case, ref, sol, bc.SOLVE_TOL, label=f"{backend} warm start")
    sol2 = bc.solve(case.problem(), backend, warm_start=start)
    bc.assert_in_box(sol2.coef, case.lower, case.upper)


# ---------------------------------------------------------------------------
# paths
# ---------------------------------------------------------------------------


PATH_CASES = [
    (bc.squared_case, ("l1", True, True, "dense"), "cd"),
    (bc.squared_case, ("enet", False, False, "csc"), "cd"),
    (bc.squared_case, ("l1", True, False, "dense"), "admm"),
    (bc.logistic_case, ("l1", True, False, "dense"), "cd"),
]


@pytest.mark.parametrize("maker,args,backend", PATH_CASES,
                         ids=[f"{m.__name__.split('_')[0]}-{bc.cfg_id(a)}-{b}"
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
    bc.assert_in_box(coefs, case.lower, case.upper, what="path coefs")
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
            ref = bc.uncached_reference(sub)
            mine = bc.objective(sub, coefs[:, k], path.intercepts[k])
            slack = bc.SLACK * max(1.0, p0)
            assert mine - ref.objective <= path.dual_gaps[k] + slack, (
                f"alpha {alpha}: path gap {path.dual_gaps[k]!r} below P - P* >= "
                f"{mine - ref.objective!r}")
            assert mine - ref.lower <= tol * p0 + slack
            cert = sub.problem().certify(coefs[:, k])
            assert mine - ref.objective <= cert.dual_gap + slack
