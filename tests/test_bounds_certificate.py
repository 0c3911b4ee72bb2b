"""Box bounds: the certificate (``Problem.certify`` / ``Problem.dual_gap`` /
``Solution.dual_gap``) never reports less than the true suboptimality.

Checked against the independent reference of tests/_bounds_cases.py at
random feasible points, at loose solver answers, on random boxes (infinite,
zero, pinned and finite sides mixed), and on badly scaled data (column means
1e9, targets ~1e-170): no false "optimal"; the objective is infinite outside
the box.
"""

from __future__ import annotations

import dataclasses

import _bounds_cases as bc
import numpy as np
import pytest
import scipy.sparse as sp

import lassokit as lk

pytest.importorskip("cvxpy")

INF = np.inf


# ---------------------------------------------------------------------------
# the certificate at arbitrary feasible points
# ---------------------------------------------------------------------------


CERT_CASES = [
    (bc.squared_case, ("l1", True, True, "dense")),
    (bc.squared_case, ("enet", False, False, "csc")),
    (bc.squared_case, ("l1", False, True, "csr")),
    (bc.logistic_case, ("l1", True, False, "dense")),
    (bc.logistic_case, ("enet", False, True, "dense")),
]


@pytest.mark.parametrize("maker,args", CERT_CASES,
                         ids=[f"{m.__name__.split('_')[0]}-{bc.cfg_id(a)}" for m, a in CERT_CASES])
def test_certificate_bounds_suboptimality_at_random_feasible_points(maker, args):
    case = maker(*args)
    ref = bc.reference_of(case)
    problem = case.problem()
    slack = bc.SLACK * max(1.0, ref.p0)
    rng = np.random.default_rng(2024)
    for i, w in enumerate(bc.random_feasible_points(case, ref, rng, 40)):
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
    ref = bc.reference_of(case)
    sol = bc.solve(case.problem(), backend, tol=tol)
    bc.assert_in_box(sol.coef, case.lower, case.upper)
    mine = bc.objective(case, sol.coef, sol.intercept)
    slack = bc.SLACK * max(1.0, ref.p0)
    assert sol.dual_gap >= mine - ref.objective - slack, (sol.dual_gap, mine - ref.objective)
    if sol.converged:
        assert mine - ref.lower <= tol * ref.p0 + slack
    else:
        assert sol.status != "optimal"


def test_objective_is_infinite_outside_the_box():
    case = bc.squared_case("l1", True, False, "dense")
    problem = case.problem()
    ref = bc.reference_of(case)
    w = ref.coef.copy()
    assert problem.objective(w, ref.intercept) == pytest.approx(ref.objective, rel=1e-12)
    for j, value in ((0, 1.0 + 1e-9), (1, -1.0 - 1e-9), (3, 1e-12), (5, -1e-12), (7, 0.2001)):
        v = w.copy()
        v[j] = value
        assert problem.objective(v, ref.intercept) == INF, (j, value)


# ---------------------------------------------------------------------------
# badly scaled data and random boxes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("shift,yscale", [(1e9, 1.0), (0.0, 2.0 ** -565), (1e9, 2.0 ** -565)],
                         ids=["mean1e9", "y1e-170", "both"])
@pytest.mark.parametrize("backend", bc.LS_BACKENDS)
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
    ref = bc.reference_of(ref_case)
    assert set(bc.at_nonzero_bound(ref_case, ref.coef)) >= {0, 1, 4}
    problem = lk.Problem(X, y0 * yscale, lk.L1(a1 * yscale),
                         bounds=(lower0 * yscale, upper0 * yscale))
    tol = 1e-6
    sol = bc.solve(problem, backend, tol=tol)
    bc.assert_in_box(sol.coef, lower0 * yscale, upper0 * yscale)
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
    ref = bc.reference_of(case)
    problem = case.problem()
    sol = bc.solve(problem, "cd")
    kappa = bc.strong_convexity(case, ref)
    bc.check_against_reference(case, ref, sol, bc.SOLVE_TOL, coef_check=kappa > 1e-8 * ref.p0,
                            label=f"cd {case.name}")
    rng = np.random.default_rng(seed)
    slack = bc.SLACK * max(1.0, ref.p0)
    for w in bc.random_feasible_points(case, ref, rng, 10):
        cert = problem.certify(w)
        mine = bc.objective_opt_b(case, w)
        assert abs(cert.objective - mine) <= 1e-10 * max(1.0, abs(mine))
        assert cert.dual_gap >= mine - ref.objective - slack, (w, cert.dual_gap,
                                                               mine - ref.objective)
    if case.loss == "squared":
        for backend in ("admm", "cvxpy", "osqp"):
            other = bc.solve(problem, backend)
            bc.check_against_reference(case, ref, other, bc.SOLVE_TOL, coef_check=False,
                                    label=f"{backend} {case.name}")
