"""lassokit.distributed: the Dask tiers give the in-memory answers.

Judged by the certificate first (the distributed certificate must *equal*
lassokit's in-memory one at the returned coefficients), then by agreement
with the in-memory solvers. One in-process LocalCluster (2 workers, 1 thread
each) serves the whole module.
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

pytest.importorskip("dask.array", reason="lassokit.distributed needs the dask extra "
                                         "(pip install 'lassokit[dask]')")
pytest.importorskip("distributed", reason="lassokit.distributed needs dask.distributed "
                                          "(pip install 'lassokit[dask]')")

import dask.array as da
import joblib
from conftest import converged_ref, sklearn_converged
from distributed import Client, LocalCluster

import lassokit as lk
from lassokit import distributed as lkd
from lassokit.certificate import dual_value
from lassokit.distributed._certify import (
    ReducedResidual,
    UnpenalizedBlock,
    reduced_dual_value,
)

# Tolerances (relative). Quantities that are mathematically identical and
# computed in float64 by two routes (in-memory vs reduced statistics):
EXACT = 1e-10
# Coefficients of two solves certified at a tight tol, relative to max(1, |ref|_inf).
COEF = 1e-5
# The ADMM tier's target: relative objective difference to the in-memory optimum.
ADMM_OBJ = 1e-6


@pytest.fixture(scope="module")
def client():
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                           dashboard_address=None)
    cl = Client(cluster)
    yield cl
    cl.close()
    cluster.close()


def _data(n=400, p=10, seed=0, offset=50.0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 3.0, p) + offset * rng.uniform(-1, 1, p)
    w = np.zeros(p)
    w[: min(4, p)] = [1.5, -2.0, 0.7, 1.0][: min(4, p)]
    y = X @ w + rng.standard_normal(n) + 5.0
    return X.astype(dtype), y


def _dask(X, y, rows=100):
    return da.from_array(X, chunks=(rows, X.shape[1])), da.from_array(y, chunks=rows)


def _p0(problem):
    return problem._design.p0


# Problem variants: (penalty builder from alpha_max, Problem keywords).
CASES = {
    "lasso": (lambda a, p: lk.L1(0.05 * a), {}),
    "weights": (lambda a, p: lk.L1(0.05 * a), {"sample_weight": "w"}),
    "no-intercept": (lambda a, p: lk.L1(0.05 * a), {"fit_intercept": False}),
    "positive": (lambda a, p: lk.L1(0.02 * a), {"positive": True}),
    "enet": (lambda a, p: lk.L1(0.03 * a) + lk.L2(0.1 * a), {}),
    "unpenalized-positive": (
        lambda a, p: lk.L1(0.05 * a, weights=np.r_[0.0, 0.0, np.ones(p - 2)]),
        {"positive": True},
    ),
}


def _case(name, X, y, seed=0):
    make_pen, kw = CASES[name]
    kw = dict(kw)
    if kw.get("sample_weight") == "w":
        kw["sample_weight"] = np.random.default_rng(seed + 1).uniform(0.0, 3.0, X.shape[0])
    a = lk.Problem(X, y, lk.L1(1.0), **kw).alpha_max()
    pen = make_pen(a, X.shape[1])
    return pen, kw, lk.Problem(X, y, pen, **kw)


def _solve_case(client, name, method, tol):
    """``lkd.solve`` of the case ``name`` on Dask arrays; returns the solution
    and the in-memory problem."""
    X, y = _data()
    pen, kw, prob = _case(name, X, y)
    Xd, yd = _dask(X, y)
    return lkd.solve(Xd, yd, pen, method=method, tol=tol, client=client, **kw), prob


def _assert_in_memory_certificate(sol, prob):
    """The reported objective, gap and intercept are lassokit's in-memory
    certificate at the returned coefficients; returns that certificate."""
    cert = prob.certify(sol.coef)
    assert abs(sol.objective - cert.objective) <= EXACT * cert.objective
    assert abs(sol.dual_gap - cert.dual_gap) <= EXACT * _p0(prob)
    assert abs(sol.intercept - cert.intercept) <= EXACT * max(1.0, abs(cert.intercept))
    return cert


# -- packaging -------------------------------------------------------------------------


def test_import_lassokit_does_not_import_dask():
    code = ("import sys, lassokit; "
            "assert 'lassokit.distributed' not in sys.modules, 'distributed imported'; "
            "assert 'dask' not in sys.modules, 'dask imported'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=_repo_root())


def _repo_root():
    import pathlib

    return str(pathlib.Path(lk.__file__).resolve().parents[1])


# -- statistics ------------------------------------------------------------------------


def test_moments_exact_with_large_offsets(client):
    # Means of 1e6 next to unit spread: raw sums would lose ~12 digits.
    X, y = _data(n=700, p=6, offset=0.0)
    X = X + 1e6
    y = y - 3e5
    sw = np.random.default_rng(3).uniform(0.0, 2.0, X.shape[0])
    Xd, yd = _dask(X, y, rows=97)
    m = lkd.moments(Xd, yd, sw, client=client)
    x_off, y_off, M = m.normalized(True)
    s = sw * X.shape[0] / sw.sum()
    Z = np.column_stack([X, y])
    mean = (s @ Z) / s.sum()
    D = Z - mean
    ref = D.T @ (D * s[:, None])
    np.testing.assert_allclose(np.r_[x_off, y_off], mean, rtol=1e-13)
    assert np.max(np.abs(M - ref)) <= EXACT * np.max(np.abs(ref))


@pytest.mark.parametrize("name", list(CASES))
def test_surrogate_is_exact(client, name):
    X, y = _data()
    pen, kw, prob = _case(name, X, y)
    sur = lkd.surrogate(lkd.moments(*_dask(X, y), kw.get("sample_weight"), client=client), pen,
                        fit_intercept=prob.fit_intercept, positive=prob.positive)
    assert sur.problem.n_samples == X.shape[1] + 1
    assert abs(_p0(sur.problem) - _p0(prob)) <= EXACT * _p0(prob)
    assert abs(sur.problem.alpha_max() - prob.alpha_max()) <= EXACT * prob.alpha_max()
    rng = np.random.default_rng(5)
    near = prob.solve(tol=1e-8).coef
    for w in (near, np.abs(rng.standard_normal(X.shape[1]))):
        c_mem, c_sur = prob.certify(w), sur.problem.certify(w)
        assert abs(c_sur.objective - c_mem.objective) <= EXACT * max(c_mem.objective, _p0(prob))
        assert abs(c_sur.dual_gap - c_mem.dual_gap) <= EXACT * _p0(prob)
        assert abs(sur.intercept(w) - c_mem.intercept) <= EXACT * max(1.0, abs(c_mem.intercept))


def test_surrogate_rank_deficient(client):
    # p > n: the co-moment matrix is singular and the eigh factor is used.
    X, y = _data(n=30, p=50)
    pen, _, prob = _case("lasso", X, y)
    sur = lkd.surrogate(lkd.moments(*_dask(X, y, rows=10), client=client), pen)
    assert sur.factor == "eigh"
    w = prob.solve(tol=1e-8).coef
    assert abs(sur.problem.objective(w) - prob.certify(w).objective) <= EXACT * _p0(prob)
    assert abs(sur.problem.dual_gap(w) - prob.dual_gap(w)) <= EXACT * _p0(prob)


# -- reduced certificate ------------------------------------------------------------------


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_reduced_dual_equals_certificate(positive, fit_intercept):
    X, y = _data(n=80, p=7, seed=4)
    sw = np.random.default_rng(9).uniform(0.2, 2.0, 80)
    pen = lk.L1(0.3, weights=np.r_[0.0, 1.0, 0.0, 1.0, 2.0, 1.0, 1.0]) + \
        lk.L2(0.1, weights=np.r_[0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0])
    prob = lk.Problem(X, y, pen, fit_intercept=fit_intercept, sample_weight=sw,
                      positive=positive)
    d = prob._design
    assert d.unpenalized.size == 1
    Xc = X - d.x_offset
    s = d.sw
    rng = np.random.default_rng(11)
    for q in (d.yc - Xc @ rng.standard_normal(7) * 0.1, rng.standard_normal(80) + 0.5):
        red = ReducedResidual(float((s * q) @ d.yc), float((s * q) @ q), float(s @ q),
                              Xc.T @ (s * q))
        u = d.unpenalized
        blk = UnpenalizedBlock(u, Xc[:, u].T @ (s[:, None] * Xc[:, u]),
                               Xc.T @ (s[:, None] * Xc[:, u]), Xc[:, u].T @ (s * d.yc))
        ref = dual_value(d, X, q)
        got = reduced_dual_value(d, red, blk)
        assert abs(got - ref) <= EXACT * max(1.0, d.p0), (got, ref)


# -- Gram tier ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CASES))
def test_gram_solve_matches_in_memory(client, name):
    sol, prob = _solve_case(client, name, "gram", 1e-10)
    assert sol.converged and sol.status == "optimal"
    assert sol.backend.startswith("dask-gram:")
    # Exactness: the reported numbers are the in-memory certificate's.
    cert = _assert_in_memory_certificate(sol, prob)
    assert cert.dual_gap <= 1e-10 * _p0(prob) * (1 + 1e-6)
    ref = converged_ref(prob.solve(tol=1e-10))
    assert abs(sol.objective - ref.objective) <= 2e-10 * _p0(prob) + EXACT * ref.objective
    scale = max(1.0, np.max(np.abs(ref.coef)))
    assert np.max(np.abs(sol.coef - ref.coef)) <= COEF * scale


def test_gram_float32_and_numpy_input(client):
    X, y = _data(dtype=np.float32)
    pen, _, prob = _case("lasso", X, y)
    # float32 coefficients cannot carry a gap much below ~1e-7 (rounding).
    sol = lkd.solve(X, y, pen, tol=1e-6, client=client)  # NumPy in, wrapped
    assert sol.coef.dtype == np.float32
    cert = prob.certify(sol.coef)
    assert abs(sol.objective - cert.objective) <= EXACT * cert.objective
    assert abs(sol.dual_gap - cert.dual_gap) <= EXACT * _p0(prob)


def test_gram_path_matches_in_memory(client):
    X, y = _data(p=12)
    pen, _, prob = _case("enet", X, y)
    Xd, yd = _dask(X, y)
    got = lkd.path(Xd, yd, pen, n_alphas=8, tol=1e-9, client=client)
    ref = converged_ref(lk.path(prob, n_alphas=8, tol=1e-9))
    np.testing.assert_allclose(got.alphas, ref.alphas, rtol=EXACT)
    assert got.converged.all()
    assert np.max(np.abs(got.coefs - ref.coefs)) <= COEF * max(1.0, np.abs(ref.coefs).max())
    np.testing.assert_allclose(got.intercepts, ref.intercepts, rtol=COEF, atol=COEF)
    for i, alpha in enumerate(got.alphas):
        sub = prob.replace(penalty=lk.L1(alpha * got.l1_ratio) + lk.L2(alpha * (1 - got.l1_ratio)))
        assert abs(sub.dual_gap(got.coefs[:, i]) - got.dual_gaps[i]) <= EXACT * _p0(prob)


def test_intercept_is_not_penalized(client):
    # Shifting y shifts only the intercept (dask-glm penalizes it instead).
    X, y = _data()
    pen, _, _ = _case("lasso", X, y)
    Xd, _ = _dask(X, y)
    for method in ("gram", "admm"):
        a = lkd.solve(Xd, da.from_array(y, chunks=100), pen, method=method, tol=1e-9,
                      client=client)
        b = lkd.solve(Xd, da.from_array(y + 1e4, chunks=100), pen, method=method, tol=1e-9,
                      client=client)
        np.testing.assert_allclose(b.coef, a.coef, atol=COEF)
        assert abs((b.intercept - a.intercept) - 1e4) <= 1e-6 * 1e4


def test_cross_validate_matches_sklearn(client):
    from sklearn.linear_model import LassoCV
    from sklearn.model_selection import KFold

    X, y = _data(n=500, p=8)
    grid = np.geomspace(1.0, 1e-3, 6) * lk.lasso(X, y, 1.0).alpha_max()
    res = lkd.cross_validate(*_dask(X, y), lk.L1(1.0), cv=5, alphas=grid, tol=1e-10,
                             client=client)
    with sklearn_converged():
        ref = LassoCV(alphas=grid, cv=KFold(5), tol=1e-12, max_iter=100000).fit(X, y)
    np.testing.assert_allclose(res.alphas, ref.alphas_)
    np.testing.assert_allclose(res.mse_path, ref.mse_path_, rtol=1e-7)
    assert res.alpha_ == pytest.approx(ref.alpha_)
    assert res.solution.converged
    np.testing.assert_allclose(res.solution.coef, ref.coef_, atol=COEF)


# -- ADMM tier -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CASES))
def test_admm_solve_matches_in_memory(client, name):
    sol, prob = _solve_case(client, name, "admm", 1e-8)
    assert sol.converged and sol.backend == "dask-admm"
    assert sol.info["n_blocks"] == 2
    # The distributed certificate is lassokit's certificate.
    _assert_in_memory_certificate(sol, prob)
    ref = converged_ref(prob.solve(tol=1e-10))
    assert abs(sol.objective - ref.objective) <= ADMM_OBJ * ref.objective


def test_admm_wide_blocks(client):
    # n_k < p on every worker: the matrix-inversion-lemma blocks.
    X, y = _data(n=60, p=80, seed=2)
    pen, _, prob = _case("lasso", X, y)
    sol = lkd.solve(*_dask(X, y, rows=15), pen, method="admm", tol=1e-8, client=client)
    assert set(sol.info["block_kinds"]) == {"kernel"}
    assert sol.converged
    cert = prob.certify(sol.coef)
    assert abs(sol.dual_gap - cert.dual_gap) <= EXACT * _p0(prob)
    ref = converged_ref(prob.solve(tol=1e-10))
    assert abs(sol.objective - ref.objective) <= ADMM_OBJ * ref.objective


def test_admm_path_and_float32(client):
    X, y = _data(p=12, dtype=np.float32)
    sw = np.random.default_rng(2).uniform(0.5, 1.5, X.shape[0])
    pen = lk.L1(1.0, weights=np.r_[0.0, np.ones(11)])
    prob = lk.Problem(X, y, pen, sample_weight=sw)
    Xd, yd = _dask(X, y)
    # float32 coefficients cannot carry a gap much below ~1e-7 (rounding).
    got = lkd.path(Xd, yd, pen, method="admm", n_alphas=6, tol=1e-6, sample_weight=sw,
                   client=client)
    ref = converged_ref(lk.path(prob.replace(X=X.astype(np.float64)), n_alphas=6, tol=1e-10))
    assert got.coefs.dtype == np.float32
    np.testing.assert_allclose(got.alphas, ref.alphas, rtol=EXACT)
    assert got.converged.all()
    for i, alpha in enumerate(got.alphas):
        sub = prob.replace(penalty=lk.L1(alpha, weights=pen.l1_weights))
        cert = sub.certify(got.coefs[:, i])
        assert abs(cert.dual_gap - got.dual_gaps[i]) <= EXACT * _p0(prob)
        assert abs(cert.intercept - got.intercepts[i]) <= 1e-6 * max(1.0, abs(cert.intercept))
        assert cert.objective - sub.objective(ref.coefs[:, i], ref.intercepts[i]) <= \
            ADMM_OBJ * cert.objective


def test_admm_max_iter_warns(client):
    X, y = _data()
    pen, _, _ = _case("lasso", X, y)
    with pytest.warns(lk.ConvergenceWarning, match="relative duality gap"):
        sol = lkd.solve(*_dask(X, y), pen, method="admm", tol=1e-12, max_iter=2,
                        client=client)
    assert sol.status == "max_iter" and not sol.converged


# -- joblib / LassoCV on the dask backend ----------------------------------------------------


def test_lassocv_on_dask_joblib_backend(client):
    X, y = _data(n=200, p=15)
    pins = lkd.pin_worker_threads(client, 1)
    assert all(n == 1 for info in pins.values() for api, n in info if api == "blas")
    ref = lk.LassoCV(cv=3, n_jobs=2).fit(X, y)
    with joblib.parallel_config(backend="dask", scatter=[X, y]):
        est = lk.LassoCV(cv=3, n_jobs=2).fit(X, y)
    np.testing.assert_allclose(est.mse_path_, ref.mse_path_, rtol=1e-12)
    assert est.alpha_ == ref.alpha_
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=1e-12, atol=1e-14)


# -- errors --------------------------------------------------------------------------------


def test_errors_name_the_parameter(client):
    X, y = _data(n=40, p=3)
    Xd, yd = _dask(X, y, rows=10)
    with pytest.raises(ValueError, match="method"):
        lkd.solve(Xd, yd, lk.L1(0.1), method="lbfgs", client=client)
    with pytest.raises(TypeError, match="penalty"):
        lkd.solve(Xd, yd, 0.1, client=client)
    with pytest.raises(TypeError, match="unknown option"):
        lkd.solve(Xd, yd, lk.L1(0.1), method="admm", step=3, client=client)
    with pytest.raises(ValueError, match="y has length"):
        lkd.solve(Xd, yd[:-1], lk.L1(0.1), client=client)
    with pytest.raises(ValueError, match="NaN"):
        bad = X.copy()
        bad[3, 1] = np.nan
        lkd.solve(bad, y, lk.L1(0.1), client=client)
    with pytest.raises(ValueError, match="non-negative"):
        lkd.solve(Xd, yd, lk.L1(0.1), sample_weight=-np.ones(40), client=client)
    with pytest.raises(ValueError, match="chunk sizes"):
        lkd.solve(Xd[Xd[:, 0] > 0], yd[Xd[:, 0] > 0], lk.L1(0.1), client=client)
    with pytest.raises(ValueError, match="cv"):
        lkd.cross_validate(Xd, yd, lk.L1(0.1), cv=1, client=client)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lkd.solve(Xd, yd, lk.L1(0.1), client=client)  # and a valid call stays quiet


def test_warm_start_from_a_solution(client):
    X, y = _data()
    pen, _, prob = _case("lasso", X, y)
    Xd, yd = _dask(X, y)
    first = lkd.solve(Xd, yd, pen, method="admm", tol=1e-8, client=client)
    again = lkd.solve(Xd, yd, pen, method="admm", tol=1e-8, warm_start=first, client=client)
    # z and the duals (from the blocks' gradients) start at the fixed point.
    assert again.converged and again.n_iter <= 2 < first.n_iter
    gram = lkd.solve(Xd, yd, pen, tol=1e-10, warm_start=first.coef, client=client)
    assert gram.converged
    assert abs(gram.dual_gap - prob.dual_gap(gram.coef)) <= EXACT * _p0(prob)


def test_reduced_dual_is_safe_when_unpenalized_columns_fit_the_residual():
    # q in the span of the unpenalized columns: the projected remainder is
    # rounding noise and must give the (valid) dual value 0, as in memory.
    X, y = _data(n=40, p=4, seed=6)
    pen = lk.L1(0.1, weights=np.r_[0.0, 0.0, 1.0, 1.0])
    prob = lk.Problem(X, y, pen, fit_intercept=False)
    d = prob._design
    q = X[:, :2] @ np.array([1.0, -2.0])
    red = ReducedResidual(float(q @ d.yc), float(q @ q), float(q.sum()), X.T @ q)
    blk = UnpenalizedBlock(d.unpenalized, X[:, :2].T @ X[:, :2], X.T @ X[:, :2],
                           X[:, :2].T @ d.yc)
    assert reduced_dual_value(d, red, blk) == 0.0
    assert dual_value(d, X, q) <= 1e-12 * d.p0
