"""Box bounds: validation messages, the ``bounds`` attribute through
``replace`` / copy / pickle, and refusals: "direct" and "gpu" cannot hold a
box, "auto" never picks them for one, and a user backend that ignores the box
is never reported optimal.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle

import _bounds_cases as bc
import numpy as np
import pytest

import lassokit as lk

pytest.importorskip("cvxpy")

INF = np.inf


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
    sol = bc.solve(weak, "cd")
    assert sol.converged
    bc.assert_in_box(sol.coef, lo, up)
    assert sol.coef[0] == 1.0  # the unconstrained answer is ~2: the box binds
    # writing into the caller's array afterwards: whatever the problem then
    # reports as its box (a copy or a live view), the solve holds that box
    upper = np.array([1.0, 2.0, 3.0, 4.0])
    prob2 = lk.Problem(X, y, lk.L1(1e-4), bounds=(-1.0, upper))
    upper[0] = 0.5
    sol2 = bc.solve(prob2, "cd")
    bc.assert_in_box(sol2.coef, prob2.bounds[0], prob2.bounds[1])


@pytest.mark.parametrize("backend", ["direct", "gpu"])
def test_direct_and_gpu_refuse_bounds(backend):
    X, y = _small()
    prob = lk.Problem(X, y, lk.L2(0.1) if backend == "direct" else lk.L1(0.1),
                      bounds=(-1.0, 1.0))
    ok, reason = bc.supports(backend, prob)
    assert not ok and "bound" in reason, reason
    with pytest.raises(ValueError, match="bound") as info:
        prob.solve(backend)
    assert backend in str(info.value)
    # the same problem without a box is taken
    unbounded = prob.replace(bounds=None)
    assert bc.supports(backend, unbounded)[0]
    # and (-inf, inf) is no box at all
    assert bc.supports(backend, prob.replace(bounds=(-INF, INF)))[0]


def test_auto_never_picks_a_backend_that_cannot_hold_bounds():
    X, y = _small()
    prob = lk.Problem(X, y, lk.L2(0.1), bounds=(-1.0, 1.0))
    sol = prob.solve("auto", tol=1e-9)
    assert sol.backend != "direct"
    assert sol.converged
    bc.assert_in_box(sol.coef, -1.0, 1.0)
    assert sol.coef[0] == 1.0  # ridge wants ~2 on feature 0


def test_capable_backends_list_follows_the_box():
    from lassokit.backends.registry import capable_backends

    X, y = _small()
    boxed = capable_backends(lk.Problem(X, y, lk.L2(0.1), bounds=(-1.0, 1.0)), emulated=True)
    for name in bc.LS_BACKENDS:
        assert name in boxed, boxed
    assert "direct" not in boxed and "gpu" not in boxed
    assert "direct" in capable_backends(lk.Problem(X, y, lk.L2(0.1)), emulated=True)


def test_user_backend_answer_outside_the_box_is_never_optimal(register_for_test):
    """A user backend that ignores the box: its answer comes back inside the
    box (or as an error), never as a falsely certified optimum."""
    fields = {f.name for f in dataclasses.fields(lk.Capabilities)}
    caps = lk.Capabilities(**({"bounds": True} if "bounds" in fields else {}))
    case = bc.squared_case("l1", True, False, "dense")
    ref = bc.reference_of(case)
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
    sol = bc.solve(problem, "test-bounds-ignores-box")
    bc.assert_in_box(sol.coef, case.lower, case.upper)
    mine = bc.objective(case, sol.coef, sol.intercept)
    assert np.isfinite(sol.objective) or sol.status == "error"
    assert mine - ref.objective <= sol.dual_gap + bc.SLACK * ref.p0 or sol.status == "error"
    assert not sol.converged and sol.status != "optimal"
    good = bc.solve(problem, "test-bounds-exact")
    bc.check_against_reference(case, ref, good, bc.SOLVE_TOL, label="exact user backend")
