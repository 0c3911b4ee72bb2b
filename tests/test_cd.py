"""The ``"cd"`` backend: every storage x dtype x option, judged by the certificate
first and then against an independent CVXPY reference (``conftest.reference_for``).
"""

from __future__ import annotations

import itertools
import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import (
    Spec,
    assert_coef_close,
    coef_scale,
    converged_ref,
    make_data,
    make_problem,
    p0_of,
    reference_for,
    reference_for_problem,
    strengths,
)

import lassokit as lk
from lassokit.backends.registry import get_backend

# Requested relative gaps: float32 coefficients are rounded to float32 by the
# problem layer, which costs ~1e-7 relative accuracy in the objective.
TOL = {"float64": 1e-9, "float32": 1e-6}

STORAGES = ["dense", "dense-C", "csc", "csr"]
FLAGS = ("fit_intercept", "sample_weight", "feature_weights", "positive")


def _spec(storage, dtype, mix, flags):
    base = "dense" if storage.startswith("dense") else storage
    return Spec(mix=mix, storage=base, dtype=dtype, **dict(zip(FLAGS, flags)))


def _problem(spec, storage):
    prob = make_problem(spec)
    if storage == "dense-C":
        prob = prob.replace(X=np.ascontiguousarray(prob.X))
    elif storage == "dense":
        prob = prob.replace(X=np.asfortranarray(prob.X))
    return prob


def _strong_convexity(problem):
    """Smallest eigenvalue of ``Xc^T S Xc / n + diag(mu)``, computed here by hand."""
    X = problem.X.toarray() if sp.issparse(problem.X) else np.asarray(problem.X)
    X = X.astype(np.float64)
    n = X.shape[0]
    sw = problem.sample_weight
    s = np.ones(n) if sw is None else np.asarray(sw) * n / np.sum(sw)
    if problem.fit_intercept:
        X = X - (s @ X) / n
    _, mu = strengths(problem)
    H = X.T @ (s[:, None] * X) / n + np.diag(mu)
    return float(np.linalg.eigvalsh(H)[0])


def assert_certified_optimum(sol, problem, ref, tol):
    """The solve converged by lassokit's certificate, and agrees with ``ref``.

    Coefficients are compared within what the certified gap implies: for a
    sigma-strongly convex objective ``|w - w*|^2 <= 2 (P(w) - P*) / sigma``.
    """
    assert sol.converged and sol.status == "optimal", sol
    p0 = p0_of(problem)
    assert sol.dual_gap <= tol * p0 * (1 + 1e-9)
    # the certificate bounds the true suboptimality; P* is never beaten
    slack = 1e-10 * max(1.0, p0)
    assert sol.objective - ref.objective <= sol.dual_gap + slack
    assert sol.objective >= ref.objective - slack
    assert sol.coef.dtype == problem.X.dtype
    if problem.positive:
        assert np.all(sol.coef >= 0)
    sigma = _strong_convexity(problem)
    if sigma > 1e-8:
        subopt = max(sol.objective - ref.objective, 0.0) + slack
        bound = np.sqrt(2.0 * subopt / sigma) + 1e-7 * coef_scale(ref.coef)
        err = float(np.linalg.norm(np.asarray(sol.coef, dtype=np.float64) - ref.coef))
        assert err <= bound, f"|coef - ref| = {err:.3e} > {bound:.3e} implied by the gap"
    if not problem.fit_intercept:
        assert sol.intercept == 0.0


MATRIX = [
    (storage, dtype, mix, flags)
    for storage in STORAGES
    for dtype in ("float64", "float32")
    for mix in ("lasso", "enet")
    for flags in itertools.product((False, True), repeat=4)
]


@pytest.mark.parametrize(
    "storage,dtype,mix,flags", MATRIX,
    ids=[f"{s}-{d}-{m}-" + "".join("ISWP"[i] if f else "_" for i, f in enumerate(fl))
         for s, d, m, fl in MATRIX])
def test_every_storage_dtype_and_option_matches_cvxpy(storage, dtype, mix, flags):
    spec = _spec(storage, dtype, mix, flags)
    problem = _problem(spec, storage)
    sol = problem.solve("cd", tol=TOL[dtype])
    assert_certified_optimum(sol, problem, reference_for(spec), TOL[dtype])


@pytest.mark.parametrize("storage", ["dense", "csc"])
@pytest.mark.parametrize("mix", ["ridge", "ols"])
@pytest.mark.parametrize("flags", [(True, True, True, True), (False, False, False, False),
                                   (True, False, True, False), (False, True, False, True)])
def test_l2_only_and_unpenalized_problems(storage, mix, flags):
    spec = _spec(storage, "float64", mix, flags)
    problem = make_problem(spec)
    sol = problem.solve("cd", tol=1e-9)
    assert_certified_optimum(sol, problem, reference_for(spec), 1e-9)


OPTION_SETS = [
    dict(working_set=False),
    dict(screening=False),
    dict(anderson=False),
    dict(gram=True),
    dict(gram=False),
    dict(working_set=False, screening=False, anderson=False, gram=False),
    dict(ws_start=1),
]


@pytest.mark.parametrize("options", OPTION_SETS,
                         ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()))
@pytest.mark.parametrize("spec", [
    Spec(mix="lasso", storage="dense"),
    Spec(mix="enet", storage="csc", sample_weight=True, positive=True),
    Spec(mix="enet", storage="dense", dtype="float32", feature_weights=True),
    Spec(mix="lasso", storage="csr", fit_intercept=False, feature_weights=True, positive=True),
], ids=lambda s: s.id())
def test_backend_options_reach_the_same_optimum(options, spec):
    problem = make_problem(spec)
    tol = TOL[spec.dtype]
    sol = problem.solve("cd", tol=tol, **options)
    assert_certified_optimum(sol, problem, reference_for(spec), tol)


@pytest.mark.parametrize("storage", ["dense", "csc"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("positive", [False, True])
def test_wide_problem_uses_working_sets_and_screening(storage, dtype, positive):
    # p >> n: the regime the working sets and Gap Safe screening are for.
    rng = np.random.default_rng(3)
    n, p = 40, 400
    X = rng.standard_normal((n, p))
    w = np.zeros(p)
    w[:8] = rng.standard_normal(8) * 2
    y = X @ w + 0.5 * rng.standard_normal(n)
    X = X.astype(dtype)
    if storage == "csc":
        X = sp.csc_matrix(np.where(rng.random((n, p)) < 0.3, X, 0))
    problem = lk.elastic_net(X, y, 1.0, l1_ratio=0.9, positive=positive)
    problem = problem.replace(penalty=problem.penalty.scaled(problem.alpha_max() * 0.9 / 20))
    tol = 1e-9 if dtype == np.float64 else 1e-6
    sol = problem.solve("cd", tol=tol)
    assert_certified_optimum(sol, problem, reference_for_problem(problem), tol)
    assert sol.info["n_outer"] >= 1
    assert sol.info["storage"] == ("sparse" if storage == "csc" else "dense")


def test_tall_problem_uses_the_gram_path():
    rng = np.random.default_rng(4)
    n, p = 3000, 20
    X = rng.standard_normal((n, p)) + 1.0
    y = X[:, :5] @ np.arange(1.0, 6.0) + rng.standard_normal(n)
    problem = lk.elastic_net(X, y, 0.05, l1_ratio=0.7, sample_weight=rng.uniform(0, 2, n))
    sol = problem.solve("cd", tol=1e-10)
    assert sol.info["n_gram"] >= 1
    assert_certified_optimum(sol, problem, reference_for_problem(problem), 1e-10)


# -- warm starts, budgets, statuses ------------------------------------------------------


@pytest.mark.parametrize("storage", ["dense", "csc"])
def test_warm_start_from_solution_and_array(storage):
    problem = make_problem(Spec(mix="enet", storage=storage, sample_weight=True))
    cold = problem.solve("cd", tol=1e-10)
    for start in (cold, np.asarray(cold.coef)):
        warm = problem.solve("cd", tol=1e-10, warm_start=start)
        assert warm.converged
        assert warm.n_iter <= 5  # starts at the optimum: at most one inner check
        assert_coef_close(warm.coef, cold.coef, 1e-8)
    # a warm start from elsewhere (another strength) still reaches the optimum
    other = problem.replace(penalty=problem.penalty.scaled(3.0)).solve("cd", tol=1e-10)
    warm = problem.solve("cd", tol=1e-10, warm_start=other)
    assert warm.converged
    assert abs(warm.objective - cold.objective) <= warm.dual_gap + cold.dual_gap


def test_warm_start_with_negative_entries_under_positivity():
    problem = make_problem(Spec(mix="lasso", positive=True))
    start = -np.ones(problem.n_features)
    sol = problem.solve("cd", tol=1e-10, warm_start=start)
    assert sol.converged and np.all(sol.coef >= 0)


def test_max_iter_reached_is_reported_and_warned():
    problem = make_problem(Spec(mix="enet", n=60, p=200, seed=3))
    with pytest.warns(lk.ConvergenceWarning, match="relative duality gap"):
        sol = problem.solve("cd", tol=1e-14, max_iter=1)
    assert not sol.converged
    assert sol.status == "max_iter"
    assert sol.n_iter <= 5


def test_unreachable_tol_stops_instead_of_spinning():
    # float32 coefficients cannot certify a relative gap of 1e-15: the solver
    # stops at its floating-point floor well before max_iter.
    problem = make_problem(Spec(mix="lasso", dtype="float32"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lk.ConvergenceWarning)
        sol = problem.solve("cd", tol=1e-16, max_iter=100_000)
    assert sol.converged or sol.status == "inaccurate"
    assert sol.n_iter < 10_000


def test_alpha_above_alpha_max_gives_zero():
    problem = make_problem(Spec(mix="lasso", sample_weight=True))
    at_max = problem.replace(penalty=lk.L1(problem.alpha_max() * 1.0001))
    sol = at_max.solve("cd", tol=1e-10)
    assert sol.converged and not np.any(sol.coef)
    assert sol.n_iter == 0


def test_constant_target_gives_zero():
    X, _ = make_data(20, 5)
    sol = lk.lasso(X, np.full(20, 3.0), 0.1).solve("cd")
    assert sol.converged and not np.any(sol.coef)
    assert sol.intercept == pytest.approx(3.0)


# -- equivalences ------------------------------------------------------------------------


def test_orthogonal_design_is_soft_thresholding():
    n = 8
    Q = np.linalg.qr(np.random.default_rng(0).standard_normal((n, n)))[0] * np.sqrt(n)
    y = np.array([3.0, -2.0, 0.5, 0.1, -0.05, 1.0, 0.0, -4.0])
    lam = 0.4
    sol = lk.lasso(Q, y, lam, fit_intercept=False).solve("cd", tol=1e-12)
    z = Q.T @ y / n
    np.testing.assert_allclose(sol.coef, np.sign(z) * np.maximum(np.abs(z) - lam, 0), atol=1e-10)


def test_dense_and_sparse_agree():
    X, y = make_data(30, 12, storage="dense", seed=5)
    kw = dict(sample_weight=np.linspace(0.1, 3, 30), positive=True)
    a = lk.elastic_net(X, y, 0.2, 0.6, **kw).solve("cd", tol=1e-12)
    b = lk.elastic_net(sp.csc_matrix(X), y, 0.2, 0.6, **kw).solve("cd", tol=1e-12)
    assert a.converged and b.converged
    np.testing.assert_allclose(a.coef, b.coef, atol=1e-8)
    assert a.intercept == pytest.approx(b.intercept, abs=1e-8)


def test_integer_sample_weights_equal_repeated_rows():
    X, y = make_data(15, 6, seed=6)
    reps = np.arange(15) % 3 + 1
    a = lk.lasso(X, y, 0.05, sample_weight=reps.astype(float)).solve("cd", tol=1e-12)
    b = lk.lasso(np.repeat(X, reps, axis=0), np.repeat(y, reps), 0.05).solve("cd", tol=1e-12)
    assert a.converged and b.converged
    np.testing.assert_allclose(a.coef, b.coef, atol=1e-8)
    assert a.intercept == pytest.approx(b.intercept, abs=1e-8)


def test_unit_sample_weights_equal_none():
    X, y = make_data(25, 9, seed=7, storage="csr")
    a = lk.elastic_net(X, y, 0.1).solve("cd", tol=1e-12)
    b = lk.elastic_net(X, y, 0.1, sample_weight=np.ones(25)).solve("cd", tol=1e-12)
    assert a.converged and b.converged
    np.testing.assert_allclose(a.coef, b.coef, atol=1e-10)


def test_constant_and_empty_columns():
    X, y = make_data(20, 6, seed=2)
    X[:, 2] = 5.0  # constant: zero after centring
    X[:, 4] = 0.0  # empty
    for Xv in (X, sp.csc_matrix(X)):
        for pen in (lk.L1(0.05), lk.L1(0.05, weights=np.r_[1, 1, 0, 1, 0, 1]) + lk.L2(0.01)):
            prob = lk.Problem(Xv, y, pen)
            sol = prob.solve("cd", tol=1e-10)
            assert sol.converged
            assert sol.coef[2] == 0 and sol.coef[4] == 0
            ref = reference_for_problem(prob)
            assert sol.objective - ref.objective <= sol.dual_gap + 1e-10


# -- the backend's contract ---------------------------------------------------------------


def test_registered_and_picked_by_auto():
    names = lk.available_backends()
    assert "cd" in names
    assert names.index("direct") < names.index("cd")
    X, y = make_data()
    assert lk.lasso(X, y, 0.1).solve().backend == "cd"
    assert lk.ridge(X, y, 0.1).solve().backend == "direct"
    assert lk.ridge(X, y, 0.1, positive=True).solve().backend == "cd"


def test_unknown_and_bad_options():
    prob = make_problem()
    with pytest.raises(TypeError, match="screenning"):
        prob.solve("cd", screenning=False)
    with pytest.raises(ValueError, match="gram"):
        prob.solve("cd", gram="yes")
    with pytest.raises(TypeError, match="anderson"):
        prob.solve("cd", anderson=1)
    with pytest.raises(ValueError, match="ws_start"):
        prob.solve("cd", ws_start=0)
    assert set(get_backend("cd").options) >= {"working_set", "screening", "anderson", "gram",
                                              "verbose"}


def test_verbose_prints_progress(capsys):
    make_problem().solve("cd", verbose=True)
    out = capsys.readouterr().out
    assert "cd: outer" in out and "rel gap" in out


def test_import_does_not_load_numba():
    import subprocess
    import sys

    code = ("import sys, lassokit; "
            "assert 'numba' not in sys.modules, 'numba imported by import lassokit'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=_repo_root())


def _repo_root():
    import os

    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize("kind", ["F", "csc"])
def test_no_copy_of_x(kind):
    # A design already in the kernel's layout is never copied: peak memory
    # of a solve stays well below the size of X (working-set buffers are
    # bounded by half of X; here the set is tiny).
    rng = np.random.default_rng(0)
    n, p = 2000, 600
    X = np.asfortranarray(rng.standard_normal((n, p)))
    if kind == "csc":
        X = sp.random(n, p, density=0.2, format="csc", random_state=0)
        size = X.data.nbytes + X.indices.nbytes
    else:
        size = X.nbytes
    y = np.asarray(X[:, :3].sum(axis=1)).ravel() + rng.standard_normal(n)
    prob = lk.lasso(X, y, 0.1)
    prob.solve("cd")  # compile and cache outside the measurement
    prob = lk.lasso(X, y, 0.1)
    tracemalloc.start()
    with warnings.catch_warnings():
        warnings.simplefilter("error", lk.ConvergenceWarning)
        prob.solve("cd")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 0.5 * size, f"peak {peak / 1e6:.1f} MB for X of {size / 1e6:.1f} MB"


def test_c_ordered_and_csr_are_converted_once():
    rng = np.random.default_rng(1)
    n, p = 1500, 500
    Xc = np.ascontiguousarray(rng.standard_normal((n, p)))
    y = Xc[:, :3].sum(axis=1) + rng.standard_normal(n)
    for X, size in ((Xc, Xc.nbytes),):
        prob = lk.lasso(X, y, 0.1)
        prob.solve("cd")
        prob = lk.lasso(X, y, 0.1)
        tracemalloc.start()
        prob.solve("cd")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak < 1.5 * size


def test_gap_safe_screening_discards_features_and_stays_certified():
    rng = np.random.default_rng(11)
    n, p = 50, 2000
    X = rng.standard_normal((n, p))
    y = X[:, :3] @ np.array([3.0, -2.0, 1.5]) + 0.1 * rng.standard_normal(n)
    problem = lk.lasso(X, y, 1.0)
    problem = problem.replace(penalty=lk.L1(problem.alpha_max() / 3))
    # without working sets every outer step screens
    sol = problem.solve("cd", tol=1e-10, working_set=False)
    assert sol.converged
    assert sol.info["n_screened"] > p // 2
    ref = converged_ref(problem.solve("cd", tol=1e-10, screening=False, working_set=False))
    assert ref.info["n_screened"] == 0
    assert abs(sol.objective - ref.objective) <= sol.dual_gap + ref.dual_gap


def _breakpoint_walk(a, nb, eff, lam, mu, c_max):
    """Independent reference: maximize phi(c) by walking sorted breakpoints lam/eff."""
    if a <= 0.0:
        return 0.0
    c_up = min(c_max, a / nb) if nb > 0 else c_max
    sel = (mu > 0) & (eff > 0)
    sel[sel] = lam[sel] < c_up * eff[sel]
    e, l, m = eff[sel], lam[sel], mu[sel]
    t = l / e
    order = np.argsort(t, kind="stable")
    e, l, m, t = e[order], l[order], m[order], t[order]
    slope = nb + np.concatenate(([0.0], np.cumsum(e * e / m)))
    icpt = a + np.concatenate(([0.0], np.cumsum(e * l / m)))
    dphi = icpt[:-1] - slope[:-1] * t
    hits = np.flatnonzero(dphi <= 0.0)
    k = hits[0] if hits.size else t.size
    c = icpt[k] / slope[k] if slope[k] > 0 else np.inf
    return float(min(c, c_max))


def test_kernel_dual_scale_matches_a_breakpoint_walk():
    # The compiled optimal dual scaling (Newton on a concave piecewise-linear
    # derivative), which the certificate itself uses, agrees with an
    # independent sorted-breakpoint walk.
    from lassokit.kernels._common import best_scale

    _best_scale = _breakpoint_walk

    rng = np.random.default_rng(7)
    for _ in range(500):
        m = int(rng.integers(1, 60))
        eff = np.abs(rng.standard_normal(m)) * (rng.random(m) < 0.8)
        lam = np.abs(rng.standard_normal(m)) * (rng.random(m) < 0.8)
        mu = np.abs(rng.standard_normal(m)) * (rng.random(m) < 0.7)
        a = rng.standard_normal() * 2
        nb = abs(rng.standard_normal()) * (rng.random() < 0.9)
        box = (mu == 0) & (lam > 0) & (eff > 0)
        c_max = float(np.min(lam[box] / eff[box])) if np.any(box) else np.inf
        c_kernel = best_scale(a, nb, eff, lam, mu, c_max)
        c_cert = _best_scale(a, nb, eff, lam, mu, c_max)
        assert c_kernel == pytest.approx(c_cert, rel=1e-9, abs=1e-300)
