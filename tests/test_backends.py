"""The backend registry, user backends, and the Solution they produce."""

import time
import warnings
from typing import ClassVar

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.exceptions
from conftest import (
    REL_GAP_TOL,
    Spec,
    assert_obj_close,
    capable_pairs,
    make_data,
    make_problem,
    p0_of,
    reference_for,
    reference_for_problem,
)

import lassokit as lk
from lassokit.backends.registry import get_backend


def _fixed_backend(name, coef_fn, status="success", **extra):
    """A user backend returning ``coef_fn(problem)`` and claiming ``status``."""

    class Fixed(lk.Backend):
        calls: ClassVar[list] = []

        def supports(self, problem):
            return True, ""

        def solve(self, problem, *, tol, max_iter, warm_start, **options):
            self.calls.append({"tol": tol, "max_iter": max_iter, "warm_start": warm_start,
                                   "options": options})
            return dict(coef=coef_fn(problem), intercept=12345.0, n_iter=3, status=status,
                        **extra)

    Fixed.name = name
    return Fixed


# ---------------------------------------------------------------------------
# registry
# ---------------------------------------------------------------------------


def test_available_backends_in_preference_order():
    names = lk.available_backends()
    assert isinstance(names, list) and all(isinstance(n, str) for n in names)
    assert {"direct", "cvxpy"} <= set(names)
    assert len(set(names)) == len(names)
    # built-ins are listed in _BUILTIN order (the preference order of "auto")
    from importlib import import_module

    from lassokit.backends import _BUILTIN

    builtin = [getattr(import_module(f"lassokit.backends.{m}"), c).name for m, c in _BUILTIN]
    assert [n for n in names if n in builtin] == [n for n in builtin if n in names]
    assert names.index("direct") < names.index("cvxpy")


def test_auto_picks_direct_for_ridge_and_a_capable_one_otherwise():
    X, y = make_data(20, 5)
    ridge = lk.ridge(X, y, 0.3)
    assert ridge.solve().backend == "direct"
    assert ridge.solve("auto").converged
    lasso = lk.lasso(X, y, 0.1)
    sol = lasso.solve("auto")
    assert sol.backend != "direct" and sol.converged
    # "auto" is the first available backend that can take the problem
    first = next(n for n in lk.available_backends() if get_backend(n).supports(lasso)[0])
    assert sol.backend == first


def test_user_backend_gets_certificate_status_and_timing(register_for_test):
    problem = make_problem(Spec(sample_weight=True, feature_weights=True))
    ref = reference_for(Spec(sample_weight=True, feature_weights=True))

    class Slow(lk.Backend):
        name = "test-user-good"
        options: ClassVar[dict] = {"step": 1.0}

        def supports(self, problem):
            return True, ""

        def solve(self, problem, *, tol, max_iter, warm_start, step=1.0):
            time.sleep(0.02)
            return {"coef": ref.coef, "intercept": -999.0, "n_iter": 7}

    register_for_test(Slow)
    assert "test-user-good" in lk.available_backends()
    assert lk.available_backends()[-1] == "test-user-good"  # after the built-ins
    sol = problem.solve("test-user-good", step=0.5)
    assert sol.backend == "test-user-good"
    assert sol.converged and sol.status == "optimal"
    assert sol.n_iter == 7
    assert sol.solve_time >= 0.02
    assert sol.dual_gap <= REL_GAP_TOL * p0_of(problem)
    assert_obj_close(sol.objective, ref.objective)
    # the intercept is lassokit's (optimal for coef), not the backend's word
    assert sol.intercept == pytest.approx(ref.intercept, rel=1e-9)
    assert sol.objective == pytest.approx(problem.objective(sol.coef, sol.intercept), rel=1e-12)
    with pytest.raises(TypeError, match="bogus"):
        problem.solve("test-user-good", bogus=1)
    # "auto" keeps preferring the built-ins
    assert problem.solve("auto").backend != "test-user-good"


def test_user_backend_instance_and_bool_supports(register_for_test):
    X, y = make_data(20, 4)

    class DenseOnly(lk.Backend):
        name = "test-dense-only"

        def supports(self, problem):
            return not sp.issparse(problem.X)

        def solve(self, problem, *, tol, max_iter, warm_start):
            return lk.BackendResult(coef=np.zeros(problem.n_features), n_iter=1)

    register_for_test(DenseOnly())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lk.ConvergenceWarning)
        assert lk.lasso(X, y, 0.1).solve("test-dense-only").backend == "test-dense-only"
    with pytest.raises(ValueError, match="test-dense-only") as info:
        lk.lasso(sp.csr_matrix(X), y, 0.1).solve("test-dense-only")
    assert "cvxpy" in str(info.value)


def test_user_backend_refusal_reason_is_reported(register_for_test):
    class Picky(lk.Backend):
        name = "test-picky"

        def supports(self, problem):
            return False, "it only likes Tuesdays"

        def solve(self, problem, *, tol, max_iter, warm_start):  # pragma: no cover
            raise AssertionError("must not be called")

    register_for_test(Picky)
    X, y = make_data(20, 4)
    with pytest.raises(ValueError, match="Tuesdays"):
        lk.lasso(X, y, 0.1).solve("test-picky")


def test_missing_package_makes_backend_unavailable(register_for_test):
    class Needy(lk.Backend):
        name = "test-needy"
        requires = ("a_package_that_does_not_exist_xyz",)

        def solve(self, problem, *, tol, max_iter, warm_start):  # pragma: no cover
            raise AssertionError("must not be called")

    register_for_test(Needy)
    assert "test-needy" not in lk.available_backends()
    X, y = make_data(20, 4)
    with pytest.raises(ValueError, match="a_package_that_does_not_exist_xyz") as info:
        lk.lasso(X, y, 0.1).solve("test-needy")
    assert "cvxpy" in str(info.value)


@pytest.mark.parametrize("name", ["cvxpy", "direct"])
def test_name_clash_is_a_value_error(name):
    cls = _fixed_backend(name, lambda pr: np.zeros(pr.n_features))
    with pytest.raises(ValueError, match=name):
        lk.register_backend(cls)
    assert get_backend(name).__class__ is not cls


def test_registering_twice_and_bad_registrations(register_for_test):
    register_for_test(_fixed_backend("test-twice", lambda pr: np.zeros(pr.n_features)))
    with pytest.raises(ValueError, match="test-twice"):
        lk.register_backend(_fixed_backend("test-twice", lambda pr: np.zeros(pr.n_features)))
    with pytest.raises(ValueError):
        lk.register_backend(_fixed_backend("auto", lambda pr: np.zeros(pr.n_features)))
    with pytest.raises(ValueError):
        lk.register_backend(_fixed_backend(None, lambda pr: np.zeros(pr.n_features)))
    with pytest.raises(TypeError):
        lk.register_backend(object())
    with pytest.raises(TypeError):
        lk.register_backend("cvxpy")


# ---------------------------------------------------------------------------
# lassokit judges by its own certificate, never by the backend's word
# ---------------------------------------------------------------------------


def test_lying_backend_is_inaccurate_and_warns(register_for_test):
    problem = make_problem(Spec())
    ref = reference_for(Spec())
    cls = _fixed_backend("test-liar", lambda pr: 0.5 * ref.coef, status="success")
    register_for_test(cls)
    assert issubclass(lk.ConvergenceWarning, sklearn.exceptions.ConvergenceWarning)
    with pytest.warns(lk.ConvergenceWarning) as record:
        sol = problem.solve("test-liar", tol=1e-6)
    assert sol.status == "inaccurate"
    assert sol.converged is False
    msg = str(record[0].message)
    assert "gap" in msg and "tol" in msg
    assert f"{sol.rel_gap:.3g}" in msg and f"{1e-6:.3g}" in msg
    # the reported numbers are lassokit's certificate
    assert sol.dual_gap == pytest.approx(problem.dual_gap(0.5 * ref.coef), rel=1e-12)
    assert sol.rel_gap == pytest.approx(sol.dual_gap / p0_of(problem), rel=1e-9)
    assert sol.objective - ref.objective > 1e-3 * p0_of(problem)
    assert sol.dual_gap >= sol.objective - ref.objective


def test_backend_status_names_an_unconverged_solve(register_for_test):
    problem = make_problem(Spec())
    register_for_test(_fixed_backend("test-maxiter", lambda pr: np.zeros(pr.n_features),
                                     status="max_iter"))
    register_for_test(_fixed_backend("test-nan", lambda pr: np.full(pr.n_features, np.nan)))
    register_for_test(_fixed_backend("test-short", lambda pr: np.zeros(pr.n_features - 1)))
    with pytest.warns(lk.ConvergenceWarning):
        assert problem.solve("test-maxiter").status == "max_iter"
    for name in ("test-nan", "test-short"):
        with pytest.warns(lk.ConvergenceWarning):
            sol = problem.solve(name)
        assert sol.status == "error" and not sol.converged
        assert np.all(np.isfinite(sol.coef)) and sol.coef.shape == (problem.n_features,)


def test_modest_claim_with_optimal_answer_is_optimal(register_for_test):
    """A backend that says max_iter but hands back an optimal point converged."""
    spec = Spec(mix="enet")
    ref = reference_for(spec)
    register_for_test(_fixed_backend("test-modest", lambda pr: ref.coef, status="max_iter"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", lk.ConvergenceWarning)
        sol = make_problem(spec).solve("test-modest")
    assert sol.status == "optimal" and sol.converged


def test_backend_dual_points_tighten_but_stay_valid(register_for_test):
    spec = Spec(feature_weights=True, positive=True, sample_weight=True)
    problem = make_problem(spec)
    ref = reference_for(spec)
    rng = np.random.default_rng(0)
    near = np.maximum(ref.coef + 1e-4 * rng.normal(size=ref.coef.size), 0.0)
    Xd = np.asarray(problem.X)
    good = problem.y - Xd @ ref.coef - ref.intercept
    junk = 100 * rng.normal(size=problem.n_samples)
    register_for_test(_fixed_backend("test-dual", lambda pr: near, dual_points=(junk, good)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lk.ConvergenceWarning)
        sol = problem.solve("test-dual")
    assert sol.dual_gap <= problem.dual_gap(near)
    assert sol.dual_gap >= sol.objective - ref.objective - 1e-10 * p0_of(problem)


def test_bad_backend_return_type_is_reported(register_for_test):
    class Broken(lk.Backend):
        name = "test-broken"

        def solve(self, problem, *, tol, max_iter, warm_start):
            return [1, 2, 3]

    register_for_test(Broken)
    X, y = make_data(20, 4)
    with pytest.raises(TypeError, match="test-broken"):
        lk.lasso(X, y, 0.1).solve("test-broken")


# ---------------------------------------------------------------------------
# warm starts and the arguments backends receive
# ---------------------------------------------------------------------------


def test_warm_start_accepts_solution_and_array(register_for_test):
    spec = Spec(positive=True)
    problem = make_problem(spec)
    ref = reference_for(spec)
    cls = _fixed_backend("test-recorder", lambda pr: ref.coef)
    register_for_test(cls)
    first = problem.solve("test-recorder", tol=1e-7, max_iter=17)
    call = cls.calls[-1]
    assert call["warm_start"] is None and call["tol"] == 1e-7 and call["max_iter"] == 17
    problem.solve("test-recorder", warm_start=first)
    ws = cls.calls[-1]["warm_start"]
    assert ws.dtype == np.float64 and ws.shape == (problem.n_features,)
    np.testing.assert_array_equal(ws, first.coef)
    # a list works; under positivity negative entries are clipped to the feasible set
    start = [-1.0] + [0.5] * (problem.n_features - 1)
    problem.solve("test-recorder", warm_start=start)
    np.testing.assert_array_equal(cls.calls[-1]["warm_start"], np.maximum(start, 0.0))
    # default max_iter is the backend's own
    problem.solve("test-recorder")
    assert cls.calls[-1]["max_iter"] == cls.default_max_iter


@pytest.mark.parametrize("backend", ["cvxpy", "direct"])
def test_builtin_warm_start_from_solution(backend):
    X, y = make_data(25, 6)
    prob = lk.ridge(X, y, 0.2) if backend == "direct" else lk.lasso(X, y, 0.1)
    sol = prob.solve(backend)
    again = prob.solve(backend, warm_start=sol)
    assert again.converged
    assert again.objective == pytest.approx(sol.objective, rel=1e-8)


@pytest.mark.parametrize("backend, opts, err", [
    ("admm", {"relaxation": 2.0}, ValueError),
    ("admm", {"relaxation": "fast"}, TypeError),
    ("admm", {"rho": -1.0}, ValueError),
    ("admm", {"rho": True}, TypeError),
    ("admm", {"factorization": "qr"}, ValueError),
    ("admm", {"factorization": "sparse_lu"}, ValueError),  # dense X
    ("admm", {"rhoo": 1.0}, TypeError),
    ("osqp", {"formulation": "dense"}, ValueError),
    ("osqp", {"eps": 0.0}, ValueError),
    ("osqp", {"eps": "tight"}, TypeError),
    ("osqp", {"osqp_settings": [("rho", 1)]}, TypeError),
    ("osqp", {"polish": True}, TypeError),
])
def test_option_errors_name_the_option(backend, opts, err):
    X, y = make_data(20, 5)
    with pytest.raises(err, match=next(iter(opts))):
        lk.lasso(X, y, 0.1).solve(backend, **opts)


# ---------------------------------------------------------------------------
# Solution
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("storage", ["dense", "csr"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_solution_fields(dtype, storage):
    X, y = make_data(25, 6, seed=4)
    if dtype is np.int64:
        X = np.round(3 * X).astype(np.int64)
    else:
        X = X.astype(dtype)
    Xs = X if storage == "dense" else sp.csr_matrix(X)
    problem = lk.lasso(Xs, y, 0.15)
    sol = problem.solve("cvxpy", tol=1e-8)
    expected_dtype = np.float64 if dtype is np.int64 else dtype
    assert sol.coef.dtype == expected_dtype
    assert sol.coef.shape == (6,)
    with pytest.raises(ValueError):
        sol.coef[0] = 1.0
    assert isinstance(sol.intercept, float)
    assert sol.status == "optimal" and sol.converged is True
    assert sol.backend == "cvxpy"
    assert isinstance(sol.n_iter, int) and sol.n_iter > 0
    assert sol.solve_time >= 0.0
    np.testing.assert_array_equal(sol.support, np.flatnonzero(sol.coef))
    assert sol.objective == pytest.approx(problem.objective(sol.coef, sol.intercept), rel=1e-12)
    assert sol.dual_gap <= problem.dual_gap(sol.coef) * (1 + 1e-12)
    assert sol.dual_gap <= 1e-8 * p0_of(problem)
    ref = reference_for_problem(problem)
    assert sol.objective - ref.objective <= sol.dual_gap + 1e-12 * p0_of(problem)
    # predict
    Xd = np.asarray(X, dtype=np.float64)
    pred = sol.predict(Xs)
    assert pred.dtype == expected_dtype and pred.shape == (25,)
    np.testing.assert_allclose(pred, Xd @ sol.coef.astype(float) + sol.intercept,
                               rtol=1e-5 if dtype is np.float32 else 1e-12, atol=1e-5)
    np.testing.assert_allclose(sol.predict(Xd[:3]), pred[:3], rtol=1e-6)
    assert "cvxpy" in repr(sol)


def test_verbose_prints_a_summary(capsys):
    X, y = make_data(20, 4)
    lk.ridge(X, y, 0.1).solve("direct", verbose=True)
    assert "direct" in capsys.readouterr().out


# ---------------------------------------------------------------------------
# Every registered backend (whatever is registered) solves standard problems
# ---------------------------------------------------------------------------

GENERIC_SPECS = [
    Spec(mix="lasso"),
    Spec(mix="enet", storage="csc", sample_weight=True),
    Spec(mix="ridge", fit_intercept=False, feature_weights=True),
    Spec(mix="enet", positive=True, feature_weights=True, storage="csr"),
    Spec(mix="lasso", dtype="float32", sample_weight=True),
]


# (backend, spec) pairs filtered by the registry's capabilities at collection:
# a backend that cannot take a problem gets no test for it, not a skip.
@pytest.mark.parametrize("backend, spec", capable_pairs(GENERIC_SPECS))
def test_every_backend_reaches_a_certified_optimum(backend, spec):
    problem = make_problem(spec)
    tol = 1e-8
    sol = problem.solve(backend, tol=tol)
    assert sol.converged and sol.status == "optimal"
    p0 = p0_of(problem)
    assert sol.dual_gap <= tol * p0
    ref = reference_for(spec)
    # certified: the objective is within the gap of P*, and P* is not beaten
    assert sol.objective - ref.objective <= sol.dual_gap + 1e-11 * p0
    assert sol.objective >= ref.objective - 1e-11 * p0
    if spec.positive:
        assert np.all(sol.coef >= 0)
    assert sol.coef.dtype == problem.X.dtype


def _unsorted(fmt, X):
    """A CSC/CSR matrix holding X with unsorted indices and duplicate entries."""
    M = sp.csc_matrix(X) if fmt == "csc" else sp.csr_matrix(X)
    indptr, indices, data = M.indptr.copy(), M.indices.copy(), M.data.copy()
    new_ind, new_dat = [], []
    counts = []
    for k in range(len(indptr) - 1):
        seg = slice(indptr[k], indptr[k + 1])
        ind, dat = indices[seg][::-1], data[seg][::-1]
        if ind.size:  # split the first entry into two duplicates summing to it
            ind = np.append(ind, ind[0])
            dat = np.append(dat * np.r_[0.5, np.ones(dat.size - 1)], 0.5 * dat[0])
        new_ind.append(ind)
        new_dat.append(dat)
        counts.append(ind.size)
    ptr = np.r_[0, np.cumsum(counts)]
    cls = sp.csc_matrix if fmt == "csc" else sp.csr_matrix
    out = cls((np.concatenate(new_dat), np.concatenate(new_ind), ptr), shape=M.shape)
    out.has_sorted_indices = False
    return out


@pytest.mark.parametrize("fmt", ["csc", "csr"])
@pytest.mark.parametrize("backend", lk.available_backends(emulated=True))
def test_backends_never_modify_user_sparse_input(backend, fmt):
    X, y = make_data(25, 6, seed=8, storage="dense")
    Xs = _unsorted(fmt, X)
    np.testing.assert_allclose(Xs.toarray(), X, rtol=1e-15, atol=1e-15)
    assert Xs.nnz > np.count_nonzero(X)  # duplicates really are there
    before = (Xs.data.copy(), Xs.indices.copy(), Xs.indptr.copy())
    y_before = y.copy()
    dense_sol = None
    for prob in (lk.elastic_net(Xs, y, 0.1, sample_weight=np.arange(1.0, 26.0)),
                 lk.ridge(Xs, y, 0.3)):
        if not get_backend(backend).supports(prob)[0]:
            continue
        sol = prob.solve(backend, tol=1e-8)
        assert sol.converged
        dense_sol = prob.replace(X=X).certify(sol.coef)
        assert dense_sol.dual_gap <= 1e-8 * p0_of(prob) * (1 + 1e-6)
    for a, b in zip(before, (Xs.data, Xs.indices, Xs.indptr)):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(y, y_before)


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("backend", lk.available_backends(emulated=True))
def test_backends_never_modify_user_dense_input(backend, order):
    X, y = make_data(25, 6, seed=9)
    X = np.asarray(X, order=order)
    sw = np.linspace(0.5, 2.0, 25)
    copies = (X.copy(), y.copy(), sw.copy())
    for prob in (lk.Problem(X, y, lk.L1(0.05) + lk.L2(0.1), sample_weight=sw, positive=True),
                 lk.ridge(X, y, 0.3, sample_weight=sw)):
        if get_backend(backend).supports(prob)[0]:
            assert prob.solve(backend, tol=1e-8).converged
    for a, b in zip(copies, (X, y, sw)):
        np.testing.assert_array_equal(a, b)
    assert X.flags.writeable


def test_user_backend_cannot_certify_itself_with_sums():
    # A user backend claiming exact_sums and handing over flattering sums
    # (a zero gap for coef = 0) is still certified from X.
    from lassokit.certificate import DualSums

    def lying_sums(problem):
        return np.zeros(problem.n_features)

    cls = _fixed_backend("liar_sums", lying_sums)
    cls.exact_sums = True
    orig = cls.solve

    def solve(self, problem, **kw):
        raw = orig(self, problem, **kw)
        p = problem.n_features
        raw["sums"] = DualSums(0.0, 0.0, np.zeros(p))  # claims P = D = 0
        return raw

    cls.solve = solve
    rng = np.random.RandomState(0)
    X = rng.randn(30, 4)
    y = X @ [1.0, 2.0, 0, 0] + 0.1 * rng.randn(30)
    with pytest.warns(lk.ConvergenceWarning):
        sol = lk.lasso(X, y, 0.01).solve(cls())
    assert not sol.converged
    assert sol.rel_gap > 0.5
