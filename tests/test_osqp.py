"""The ``"osqp"`` backend: OSQP called directly on a QP form (issue 4).

Judged by lassokit's certificate first, then against the independent CVXPY
reference of ``conftest.reference_solve`` (Clarabel + KKT polish).
"""

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import MIXES, Spec, make_data, make_problem, p0_of, reference_for

import lassokit as lk
from lassokit.backends.osqp_backend import _auto_formulation, _build_qp

#: Objectives agree with the reference to this relative precision (issue 4).
OBJ_RTOL = 1e-6

FLAGS = ("fit_intercept", "sample_weight", "feature_weights", "positive")


def _specs():
    out = []
    for mix, bits in itertools.product(MIXES, itertools.product([False, True], repeat=4)):
        flags = dict(zip(FLAGS, bits))
        for formulation in ("gram", "residual"):
            out.append((Spec(mix=mix, **flags), formulation))
    for storage, dtype in (("csc", "float64"), ("csr", "float32")):
        for n, p in ((30, 12), (12, 30)):
            for formulation in ("gram", "residual"):
                out.append((Spec(mix="enet", storage=storage, dtype=dtype, n=n, p=p,
                                 fit_intercept=True, sample_weight=True,
                                 feature_weights=True, positive=True), formulation))
    return out


SPECS = _specs()


@pytest.mark.parametrize("spec,formulation", SPECS,
                         ids=[f"{s.id()}-{s.n}x{s.p}-{f}" for s, f in SPECS])
def test_standard_problems_certified_and_match_reference(spec, formulation):
    problem = make_problem(spec)
    tol = 1e-8
    sol = problem.solve("osqp", tol=tol, formulation=formulation)
    assert sol.converged and sol.status == "optimal", (sol.status, sol.rel_gap, sol.info)
    assert sol.info["formulation"] == formulation
    p0 = p0_of(problem)
    assert sol.dual_gap <= tol * p0
    ref = reference_for(spec)
    assert abs(sol.objective - ref.objective) <= OBJ_RTOL * max(1.0, abs(ref.objective))
    assert sol.objective - ref.objective <= sol.dual_gap + 1e-11 * p0
    if problem.positive:
        assert np.all(sol.coef >= 0)
    assert sol.coef.dtype == problem.X.dtype


def test_residual_form_keeps_sparse_x_sparse():
    X, y = make_data(40, 60, seed=2, storage="csc", density=0.1)
    problem = lk.lasso(X, y, 0.1, sample_weight=np.linspace(1, 2, 40))
    d = problem._design
    qp = _build_qp(problem.X, d, "residual", 1e30)
    # No centring fill-in: A holds X's non-zeros, the bounds and the residual identity.
    l1_rows = 2 * 60 * 2  # two bound rows per feature, two entries each
    assert qp.A.nnz == X.nnz + 40 + 40 + l1_rows
    assert _auto_formulation(problem.X) == "residual"
    assert _auto_formulation(np.zeros((40, 30))) == "gram"
    assert _auto_formulation(np.zeros((10, 30))) == "residual"


def test_warm_start_from_solution():
    X, y = make_data(40, 15, seed=3)
    problem = lk.elastic_net(X, y, 0.1, 0.8, positive=True)
    sol = problem.solve("osqp", tol=1e-8)
    for formulation in ("gram", "residual"):
        again = problem.solve("osqp", tol=1e-8, warm_start=sol, formulation=formulation)
        assert again.converged
        assert again.objective == pytest.approx(sol.objective, rel=1e-9)


def test_max_iter_status_is_mapped():
    X, y = make_data(30, 40, seed=4)
    problem = lk.lasso(X, y, 0.05)
    with pytest.warns(lk.ConvergenceWarning):
        sol = problem.solve("osqp", tol=1e-12, max_iter=5, formulation="residual",
                            osqp_settings={"polishing": False})
    assert not sol.converged and sol.status == "max_iter"
    assert sol.info["osqp_status"] == "maximum iterations reached"


def test_positive_problem_prints_nothing(capfd):
    # OSQP 1.1 prints "Polishing not needed" whenever no inequality is active.
    X, y = make_data(40, 5, seed=5, true_coef=np.array([1.0, 2.0, 1.5, 3.0, 0.5]))
    problem = lk.Problem(X, y, lk.L2(0.01), positive=True)
    sol = problem.solve("osqp", tol=1e-8)
    assert sol.converged and np.all(sol.coef > 0)
    lk.ridge(X, y, 0.1).solve("osqp", tol=1e-8, formulation="residual")
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_agrees_with_admm_on_sparse_wide_problem():
    X, y = make_data(30, 80, seed=6, storage="csr", density=0.2)
    problem = lk.elastic_net(X, y, 0.05, 0.9, sample_weight=np.linspace(0.5, 1.5, 30))
    a = problem.solve("osqp", tol=1e-9)
    b = problem.solve("admm", tol=1e-9)
    assert a.converged and b.converged
    assert a.objective == pytest.approx(b.objective, rel=1e-8)


def test_input_not_modified():
    X, y = make_data(25, 40, seed=7)
    Xs = sp.csc_matrix(X)
    before = Xs.data.copy(), Xs.indices.copy(), y.copy()
    lk.lasso(Xs, y, 0.1, positive=True).solve("osqp", tol=1e-8)
    np.testing.assert_array_equal(Xs.data, before[0])
    np.testing.assert_array_equal(Xs.indices, before[1])
    np.testing.assert_array_equal(y, before[2])


def test_wide_problem_warns_and_time_limit_bounds_the_solve():
    # Regression: n = 50, p = 200,000 ran > 600 s silently. The user is told
    # before the start, and time_limit bounds the OSQP rounds.
    import warnings

    import scipy.sparse as sp

    rng = np.random.RandomState(0)
    X = sp.random(50, 40_000, density=0.01, format="csc", random_state=0)
    y = rng.randn(50)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sol = lk.lasso(X, y, 0.01).solve("osqp", time_limit=1.0)
    slow = [w for w in caught if "p >> n" in str(w.message)]
    assert slow and slow[0].category is UserWarning and "backend='cd'" in str(slow[0].message)
    assert slow[0].filename == __file__
    # Stopped by the clock, long before the iteration budget (100,000).
    assert sol.status == "max_iter" and sol.n_iter < 20_000
    with pytest.raises(ValueError, match="time_limit"):
        lk.lasso(X, y, 0.01).solve("osqp", time_limit=0)
