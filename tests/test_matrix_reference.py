"""Every matrix problem type against the independent CVXPY reference (dense, sparse,
float32, sample weights, with and without intercept).
"""

from __future__ import annotations

import warnings

import _matrix_cases as mc
import numpy as np
import pytest
from _matrix_cases import KINDS, TIGHT, TOL, K, P

import lassokit as lk

# ---------------------------------------------------------------------------
# Every problem type against CVXPY
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["dense", "csc", "csr", "float32", "weights"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("kind", list(KINDS))
def test_against_cvxpy(kind, fit_intercept, variant):
    weighted = variant == "weights"
    storage = "dense" if weighted else variant
    X, Y, spec, sw = mc.kind_case(kind, storage=storage, weighted=weighted,
                                  fit_intercept=fit_intercept)
    prob = mc.build(X, Y, spec, sw, fit_intercept)
    assert isinstance(prob, lk.Problem)
    # float32 coefficients certify to ~1e-8 here (see test_float32_reaches_a_tight_tol).
    sol = mc.solve(prob, tol=1e-7 if variant == "float32" else TOL)
    W_ref, _, P_ref = mc.cvx_solve(X, Y, spec, sw, fit_intercept)
    scale = max(1.0, abs(P_ref))

    # Shapes follow y: (p,) and a float for a 1-D y, (p, K) and (K,) for a 2-D one.
    if np.ndim(Y) == 1:
        assert sol.coef.shape == (P,) and isinstance(sol.intercept, float)
    else:
        assert sol.coef.shape == (P, K) and np.shape(sol.intercept) == (K,)
    assert sol.coef.dtype == (np.float32 if variant == "float32" else np.float64)

    # The reported objective is P at the reported coef and intercept (NumPy).
    mine = mc.ref_objective(X, Y, sol.coef, sol.intercept, spec, sw)
    assert abs(mine - sol.objective) <= 1e-11 * scale
    # ... and the intercept is the optimal one for that coef.
    mc.assert_close(np.ravel(sol.intercept), mc.ref_intercept(X, Y, sol.coef, sw, fit_intercept),
                    1e-10, "intercept")

    # Same optimum as CVXPY: lassokit is at most its certified gap above a feasible
    # point's value, and not below the (interior-point accurate) reference.
    assert sol.objective - P_ref <= sol.dual_gap + 1e-12 * scale, (sol.objective, P_ref)
    assert abs(sol.objective - P_ref) <= 1e-8 * scale + sol.dual_gap, (sol.objective, P_ref)
    mc.assert_near_reference(sol, W_ref, P_ref, mc.strong_convexity(X, spec, sw, fit_intercept))
    # The intercept is checked above as the optimal one for lassokit's coef.
    # The certified lower bound P - G never exceeds a feasible objective.
    assert sol.objective - sol.dual_gap <= P_ref + 1e-12 * scale
    # The gap at the reference bounds the reference's suboptimality.
    W_in = W_ref[:, 0] if np.ndim(Y) == 1 else W_ref
    assert prob.objective(W_in) <= P_ref + 1e-12 * scale  # optimal intercept <= any
    assert prob.dual_gap(W_in) >= prob.objective(W_in) - sol.objective - 1e-12 * scale

    # The test data are not degenerate: some rows of W are exactly zero, some not.
    if variant == "dense":
        rows = np.any(mc.as2d(sol.coef) != 0, axis=1)
        assert 0 < rows.sum() < P, rows


@pytest.mark.parametrize("kind", ["multitask_lasso", "group_lasso", "sparse_group_2d",
                                  "entrywise"])
def test_float32_reaches_a_tight_tol(kind):
    """float32 X: the coefficients are rounded to float32, and rounding costs the
    objective only second-order terms (the rows in the model are stationary), so a
    certificate that keeps the unrounded residual as a dual candidate, as a one-target
    lk.Problem does, certifies 1e-10 (one-target: ~4e-13)."""
    X, Y, spec, _ = mc.kind_case(kind, storage="float32")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sol = mc.build(X, Y, spec).solve(tol=1e-10)
    assert sol.coef.dtype == np.float32
    # The rounded coefficients are within ~1e-15 of optimal (float64 reference on the
    # same float32 values): a 1e-10 certificate exists for them.
    ref = mc.solve(mc.build(X.astype(np.float64), Y, spec), tol=TIGHT)
    p0 = mc.ref_p0(X, Y)
    assert mc.ref_objective(X, Y, sol.coef, sol.intercept, spec) - ref.objective \
        <= 1e-13 * p0 + ref.dual_gap
    assert sol.status == "optimal", (sol.status, sol.rel_gap)


@pytest.mark.parametrize("kind", ["multitask_lasso", "sparse_group", "entrywise"])
def test_fortran_and_c_order_agree(kind):
    X, Y, spec, _ = mc.kind_case(kind)
    a = mc.solve(mc.build(np.ascontiguousarray(X), Y, spec), tol=TIGHT)
    b = mc.solve(mc.build(np.asfortranarray(X), Y, spec), tol=TIGHT)
    sigma = mc.strong_convexity(X, spec)
    mc.assert_certified_pair(a, b, sigma, mc.ref_p0(X, Y))
