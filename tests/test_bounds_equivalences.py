"""Box bounds: problems that must be the same problem.

(0, inf) == ``positive=True`` (and ``positive`` intersects a box),
(-inf, inf) == no bounds, huge finite bounds == unbounded, a pinned feature
== a dropped column, an infinite L1 weight == a dropped column.
"""

from __future__ import annotations

import dataclasses

import _bounds_cases as bc
import numpy as np
import pytest

pytest.importorskip("cvxpy")

INF = np.inf


def _same_solution(a, b, tol_coef=1e-6):
    assert a.converged and b.converged, (a.status, b.status)
    scale = max(1.0, float(np.max(np.abs(b.coef))))
    np.testing.assert_allclose(a.coef, b.coef, atol=tol_coef * scale, rtol=0)
    assert a.objective == pytest.approx(b.objective, rel=1e-9, abs=1e-12)
    assert a.intercept == pytest.approx(b.intercept, rel=1e-6, abs=1e-8)


EQ_CASES = [
    (bc.squared_case, ("enet", True, True, "dense")),
    (bc.squared_case, ("l1", False, False, "csc")),
    (bc.logistic_case, ("l1", True, True, "dense")),
]
EQ_IDS = [f"{m.__name__.split('_')[0]}-{bc.cfg_id(a)}" for m, a in EQ_CASES]


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
    _same_solution(bc.solve(box, "cd", tol=1e-10), bc.solve(pos, "cd", tol=1e-10))
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
    _same_solution(bc.solve(both, "cd", tol=1e-10), bc.solve(only, "cd", tol=1e-10))
    assert both.alpha_max() == pytest.approx(only.alpha_max(), rel=1e-12)
    sub = dataclasses.replace(case, lower=np.zeros(p), upper=np.full(p, 0.5),
                              name=case.name + "-pos-0.5")
    sol = bc.solve(both, "cd")
    bc.check_against_reference(sub, bc.reference_of(sub), sol, bc.SOLVE_TOL, label="positive & bounds")


@pytest.mark.parametrize("maker,args", EQ_CASES, ids=EQ_IDS)
def test_infinite_box_is_no_bounds(maker, args):
    case = maker(*args)
    free = case.problem(bounds=(-INF, INF))
    assert free.bounds is None
    assert case.problem(bounds=None).bounds is None
    plain = case.problem(bounds=None)
    assert free.alpha_max() == pytest.approx(plain.alpha_max(), rel=1e-12)
    _same_solution(bc.solve(free, "cd", tol=1e-10), bc.solve(plain, "cd", tol=1e-10))
    arr = case.problem(bounds=(np.full(case.p, -INF), np.full(case.p, INF)))
    assert arr.bounds is None


@pytest.mark.parametrize("maker,args", EQ_CASES, ids=EQ_IDS)
def test_huge_finite_bounds_are_unbounded(maker, args):
    case = maker(*args)
    huge = case.problem(bounds=(-1e6, 1e6))
    plain = case.problem(bounds=None)
    assert huge.alpha_max() == pytest.approx(plain.alpha_max(), rel=1e-12)
    _same_solution(bc.solve(huge, "cd", tol=1e-10), bc.solve(plain, "cd", tol=1e-10))
    # certificates agree in validity: the huge box's gap at the plain optimum is small
    sol = bc.solve(plain, "cd", tol=1e-10)
    assert huge.certify(sol.coef).dual_gap <= 1e-8 * max(1.0, sol.objective)


def _drop(case, j):
    keep = np.setdiff1d(np.arange(case.p), [j])
    X = case.X[:, keep]
    return dataclasses.replace(
        case, X=X, v1=None if case.v1 is None else case.v1[keep],
        v2=None if case.v2 is None else case.v2[keep], lower=case.lower[keep],
        upper=case.upper[keep], name=case.name + f"-drop{j}"), keep


@pytest.mark.parametrize("backend", bc.LS_BACKENDS + ("cd-logistic", "cvxpy-logistic"))
def test_pinned_feature_is_a_dropped_column(backend):
    name = backend.split("-")[0]
    if backend.endswith("logistic"):
        case = bc.logistic_case("enet", True, True, "dense")
    else:
        case = bc.squared_case("l1", True, True, "dense")
    j = 2  # free at the reference optimum (non-zero): pinning it matters
    assert bc.reference_of(case).coef[j] != 0
    lower, upper = case.lower.copy(), case.upper.copy()
    lower[j] = upper[j] = 0.0
    pinned = dataclasses.replace(case, lower=lower, upper=upper, name=case.name + f"-pin{j}")
    dropped, keep = _drop(pinned, j)
    sol_p = bc.solve(pinned.problem(), name)
    sol_d = bc.solve(dropped.problem(), name)
    assert sol_p.coef[j] == 0.0
    assert sol_p.converged and sol_d.converged
    np.testing.assert_allclose(sol_p.coef[keep], sol_d.coef, atol=1e-5)
    assert sol_p.objective == pytest.approx(sol_d.objective, rel=1e-8)
    assert pinned.problem().alpha_max() == pytest.approx(dropped.problem().alpha_max(), rel=1e-12)
    bc.check_against_reference(pinned, bc.reference_of(pinned), sol_p, bc.SOLVE_TOL, label="pinned")


@pytest.mark.parametrize("backend", bc.LS_BACKENDS + ("cd-logistic", "cvxpy-logistic"))
@pytest.mark.parametrize("with_box", [False, True], ids=["nobox", "box"])
def test_infinite_l1_weight_excludes_the_feature(backend, with_box):
    name = backend.split("-")[0]
    if backend.endswith("logistic"):
        case = bc.logistic_case("enet", True, True, "dense")
        j = 2
    else:
        case = bc.squared_case("enet", True, True, "dense")
        j = 6
    assert bc.reference_of(case).coef[j] != 0
    v1 = np.ones(case.p) if case.v1 is None else case.v1.copy()
    v1[j] = INF
    if with_box:
        excl = dataclasses.replace(case, v1=v1, name=case.name + f"-inf{j}")
    else:
        excl = dataclasses.replace(case, v1=v1, lower=np.full(case.p, -INF),
                                   upper=np.full(case.p, INF), name=case.name + f"-inf{j}-free")
    dropped, keep = _drop(excl, j)
    problem = excl.problem(bounds=(excl.lower, excl.upper) if with_box else None)
    sol = bc.solve(problem, name)
    ref_d = bc.solve(dropped.problem(bounds=(dropped.lower, dropped.upper) if with_box else None),
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
    bc.check_against_reference(excl, bc.reference_of(excl), sol, bc.SOLVE_TOL, label="inf weight")
