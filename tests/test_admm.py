"""The ``"admm"`` backend and its numba kernels (issue 4).

Judged by lassokit's certificate first, then against the independent CVXPY
reference of ``conftest.reference_solve`` (Clarabel + KKT polish).
"""

import itertools
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import (
    MIXES,
    Spec,
    assert_coef_close,
    make_data,
    make_problem,
    p0_of,
    reference_for,
    reference_for_problem,
)

import lassokit as lk
from lassokit.kernels import admm as kern

#: Objectives agree with the reference to this relative precision (issue 4).
OBJ_RTOL = 1e-6
#: Coefficient agreement at tol=1e-8 on the small, well-posed standard problems.
ADMM_COEF_TOL = 1e-4

FLAGS = ("fit_intercept", "sample_weight", "feature_weights", "positive")
DENSE_SPECS = [Spec(mix=mix, **dict(zip(FLAGS, bits)))
               for mix in MIXES for bits in itertools.product([False, True], repeat=4)]
OTHER_SPECS = [
    Spec(mix=mix, storage=storage, dtype=dtype, n=n, p=p, **dict(zip(FLAGS, bits)))
    for mix in ("lasso", "enet")
    for storage, dtype in (("csc", "float64"), ("csr", "float32"), ("dense", "float32"))
    for (n, p) in ((30, 12), (12, 30))
    for bits in ((False,) * 4, (True,) * 4)
]


def _check_against_reference(sol, problem, ref, tol):
    assert sol.converged and sol.status == "optimal", (sol.status, sol.rel_gap)
    p0 = p0_of(problem)
    assert sol.dual_gap <= tol * p0
    assert abs(sol.objective - ref.objective) <= OBJ_RTOL * max(1.0, abs(ref.objective))
    # the certificate bounds the suboptimality
    assert sol.objective - ref.objective <= sol.dual_gap + 1e-11 * p0
    if problem.positive:
        assert np.all(sol.coef >= 0)
    assert sol.coef.dtype == problem.X.dtype


@pytest.mark.parametrize("spec", DENSE_SPECS + OTHER_SPECS,
                         ids=[f"{s.id()}-{s.n}x{s.p}" for s in DENSE_SPECS + OTHER_SPECS])
def test_standard_problems_certified_and_match_reference(spec):
    problem = make_problem(spec)
    sol = problem.solve("admm", tol=1e-8)
    ref = reference_for(spec)
    _check_against_reference(sol, problem, ref, 1e-8)
    if spec.n > spec.p and spec.dtype == "float64" and spec.mix != "ols":
        assert_coef_close(sol.coef, ref.coef, ADMM_COEF_TOL)


ROUTE_CASES = [
    ("gram", "dense", 30, 12), ("gram", "csc", 30, 12), ("gram", "dense", 12, 30),
    ("woodbury", "dense", 12, 30), ("woodbury", "dense", 30, 12),
    ("sparse_woodbury", "csr", 12, 30), ("sparse_woodbury", "csc", 30, 12),
    ("sparse_lu", "csc", 12, 30), ("sparse_lu", "csr", 30, 12),
]


@pytest.mark.parametrize("polish", [True, False])
@pytest.mark.parametrize("mix", ["lasso", "enet", "ols"])
@pytest.mark.parametrize("route,storage,n,p", ROUTE_CASES)
def test_every_factorization_route(route, storage, n, p, mix, polish):
    # Everything on at once: intercept, sample weights with a zero, per-feature
    # weights with zeros, positivity.
    spec = Spec(mix=mix, storage=storage, n=n, p=p, fit_intercept=True, sample_weight=True,
                feature_weights=True, positive=mix != "ols")
    problem = make_problem(spec)
    sol = problem.solve("admm", tol=1e-8, factorization=route, polish=polish)
    assert sol.info["route"] == route
    _check_against_reference(sol, problem, reference_for(spec), 1e-8)
    if not polish:
        assert not sol.info["polished"]


def test_dense_and_sparse_agree():
    X, y = make_data(40, 15, seed=3)
    sw = np.linspace(0.5, 3.0, 40)
    pen = lk.L1(0.05) + lk.L2(0.02)
    dense = lk.Problem(X, y, pen, sample_weight=sw).solve("admm", tol=1e-10)
    for fmt in (sp.csc_matrix, sp.csr_matrix):
        sparse = lk.Problem(fmt(X), y, pen, sample_weight=sw).solve("admm", tol=1e-10)
        assert_coef_close(sparse.coef, dense.coef, 1e-6)
        assert sparse.intercept == pytest.approx(dense.intercept, rel=1e-6, abs=1e-8)


def test_orthogonal_design_is_soft_thresholding():
    # X^T X / n = I: the Lasso solution is soft-thresholding of X^T y / n.
    n, p = 40, 8
    rng = np.random.default_rng(0)
    Q, _ = np.linalg.qr(rng.normal(size=(n, p)))
    X = Q * np.sqrt(n)
    y = rng.normal(size=n) * 3
    alpha = 0.4
    z = X.T @ y / n
    expected = np.sign(z) * np.maximum(np.abs(z) - alpha, 0.0)
    sol = lk.lasso(X, y, alpha, fit_intercept=False).solve("admm", tol=1e-10)
    np.testing.assert_allclose(sol.coef, expected, atol=1e-9)


def test_zero_solution_above_alpha_max():
    X, y = make_data(30, 10, seed=1)
    problem = lk.lasso(X, y, 1.0)
    sol = problem.replace(penalty=lk.L1(1.01 * problem.alpha_max())).solve("admm")
    assert sol.converged
    np.testing.assert_array_equal(sol.coef, 0.0)


def test_warm_start_at_the_optimum_stops_in_one_block():
    X, y = make_data(60, 25, seed=2)
    problem = lk.elastic_net(X, y, 0.05, 0.7, sample_weight=np.linspace(1, 2, 60))
    sol = problem.solve("admm", tol=1e-9)
    again = problem.solve("admm", tol=1e-9, warm_start=sol)
    assert again.converged and again.n_iter <= 10 < sol.n_iter
    assert again.objective == pytest.approx(sol.objective, rel=1e-10)


def test_warm_start_along_a_path():
    X, y = make_data(50, 80, seed=5)
    problem = lk.lasso(X, y, 1.0)
    amax = problem.alpha_max()
    prev = None
    for frac in (0.5, 0.2, 0.1, 0.05):
        sol = problem.replace(penalty=lk.L1(frac * amax)).solve("admm", tol=1e-8,
                                                                 warm_start=prev)
        assert sol.converged
        prev = sol


def test_bad_initial_rho_is_adapted():
    spec = Spec(mix="lasso", n=30, p=60, sample_weight=True)
    problem = make_problem(spec)
    sol = problem.solve("admm", tol=1e-8, rho=1e-5, polish=False)
    assert sol.converged and sol.info["n_factorizations"] > 1
    with pytest.warns(lk.ConvergenceWarning):
        fixed = problem.solve("admm", tol=1e-8, rho=1e-5, polish=False, adaptive_rho=False,
                              max_iter=200)
    assert not fixed.converged


def test_unpenalized_collinear_features_are_handled():
    # Two identical unpenalized columns: H is singular, the polish falls back
    # to least squares and the certificate still closes.
    X, y = make_data(30, 6, seed=6)
    X = np.column_stack([X, X[:, 0]])
    v1 = np.array([0.0, 1, 1, 1, 1, 1, 0.0])
    problem = lk.Problem(X, y, lk.L1(0.1, v1))
    sol = problem.solve("admm", tol=1e-8)
    ref = reference_for_problem(problem)
    assert sol.converged
    assert abs(sol.objective - ref.objective) <= OBJ_RTOL * max(1.0, abs(ref.objective))


def test_max_iter_reached_is_reported():
    spec = Spec(mix="lasso", n=30, p=60)
    problem = make_problem(spec)
    with pytest.warns(lk.ConvergenceWarning):
        sol = problem.solve("admm", tol=1e-12, max_iter=3, polish=False)
    assert not sol.converged and sol.status == "max_iter" and sol.n_iter == 3


def test_input_not_modified_and_no_warning():
    X, y = make_data(25, 40, seed=7)
    X = np.asfortranarray(X)
    copies = X.copy(), y.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lk.lasso(X, y, 0.1, positive=True).solve("admm", tol=1e-8)
    np.testing.assert_array_equal(X, copies[0])
    np.testing.assert_array_equal(y, copies[1])


# ---------------------------------------------------------------------------
# kernels
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["none", "positive", "box"])
def test_prox_l1_is_soft_thresholding(kind):
    # The prox of t|z| + [lo <= z <= hi] is the soft-thresholded v clipped
    # into the box; here checked against a brute-force minimization.
    rng = np.random.default_rng(0)
    v = rng.normal(size=50)
    t = rng.uniform(0, 1, size=50)
    t[:5] = 0.0
    box = np.empty((2, 50))
    box[0], box[1] = -np.inf, np.inf
    if kind == "positive":
        box[0] = 0.0
    elif kind == "box":
        box[0] = -rng.uniform(0, 0.5, size=50)
        box[1] = rng.uniform(0, 0.5, size=50)
        box[:, 7] = 0.0
    out = np.empty(50)
    kern.prox_l1(v, t, box, out)
    grid = np.linspace(-5, 5, 200001)
    for j in range(50):
        g = np.clip(grid, box[0, j], box[1, j])
        best = g[np.argmin(0.5 * (g - v[j]) ** 2 + t[j] * np.abs(g))]
        assert out[j] == pytest.approx(best, abs=1e-4)
        assert box[0, j] <= out[j] <= box[1, j]


def test_relaxed_update_and_gram_steps_match_numpy():
    rng = np.random.default_rng(1)
    p = 20
    B = rng.normal(size=(40, p))
    H = B.T @ B / 40
    b = rng.normal(size=p)
    rho, relax = 0.7, 1.6
    thresh = np.full(p, 0.3) / rho
    Hinv = np.linalg.inv(H + rho * np.eye(p))
    x, z, u = np.zeros(p), rng.normal(size=p), rng.normal(size=p) * 0.1
    xr, zr, ur = x.copy(), z.copy(), u.copy()
    changes_ref = 0
    for _ in range(7):
        xr = Hinv @ (b + rho * (zr - ur))
        xh = relax * xr + (1 - relax) * zr
        zo = zr
        zr = np.sign(xh + ur) * np.maximum(np.abs(xh + ur) - thresh, 0.0)
        changes_ref += int(np.sum(np.sign(zr) != np.sign(zo)))
        ur = ur + xh - zr
    r2, s2, x2, z2, u2, changes = kern.gram_steps(np.ascontiguousarray(Hinv), Hinv @ b, rho,
                                                   x, z, u, thresh, relax,
                                                   np.vstack([np.full(p, -np.inf),
                                                              np.full(p, np.inf)]), 7)
    np.testing.assert_allclose(x, xr, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(z, zr, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(u, ur, rtol=1e-12, atol=1e-13)
    assert changes == changes_ref
    assert r2 == pytest.approx(np.sum((xr - zr) ** 2), rel=1e-10)
    assert s2 == pytest.approx(np.sum((zr - zo) ** 2), rel=1e-10)
    assert (x2, z2, u2) == pytest.approx((xr @ xr, zr @ zr, ur @ ur), rel=1e-10)


def test_woodbury_solve_solves_the_system():
    rng = np.random.default_rng(2)
    n, p = 15, 40
    A = rng.normal(size=(n, p))
    dd = rng.uniform(0.5, 2.0, size=p)  # diag(mu) + rho I with non-uniform mu
    Minv = np.linalg.inv(np.eye(n) + (A / dd) @ A.T)
    c = rng.normal(size=p)
    out = np.empty(p)
    kern.woodbury_solve(A, A.T, Minv, 1.0 / dd, c.copy(), out, np.empty(n), np.empty(n))
    np.testing.assert_allclose((A.T @ A + np.diag(dd)) @ out, c, rtol=1e-10, atol=1e-10)


# ---------------------------------------------------------------------------
# working sets (n >= p, p >= 128 by default)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("storage,n,p", [("dense", 300, 150), ("csc", 300, 150),
                                         ("csr", 100, 300)])
@pytest.mark.parametrize("kind", ["plain", "everything"])
def test_working_sets_reach_the_full_optimum(storage, n, p, kind):
    X, y = make_data(n, p, seed=11, storage=storage, true_coef=np.r_[np.ones(8), np.zeros(p - 8)])
    if kind == "plain":
        problem = lk.lasso(X, y, 1.0, fit_intercept=False)
        problem = problem.replace(penalty=lk.L1(problem.alpha_max() / 5))
    else:
        v1 = np.ones(p)
        v1[[3, 77]] = 0.0  # unpenalized: always in the working set
        problem = lk.Problem(X, y, lk.L1(0.08, v1) + lk.L2(0.01),
                             sample_weight=np.linspace(0.2, 3.0, n), positive=True)
    sol = problem.solve("admm", tol=1e-8)  # "auto" picks working sets here
    assert sol.info["working_set_rounds"] >= 1
    assert sol.info["working_set_size"] < p  # the full factor was never formed
    full = problem.solve("admm", tol=1e-8, working_set=False)
    ref = reference_for_problem(problem)
    for s in (sol, full):
        _check_against_reference(s, problem, ref, 1e-8)
    again = problem.solve("admm", tol=1e-8, warm_start=sol)
    assert again.converged and again.n_iter <= 10
