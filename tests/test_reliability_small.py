"""Regression tests for small reliability fixes (issue 13, items 6, 8, 10-14, 17).

Each test failed before its fix: CVXPY solver options in each solver's own
names, warnings that name what happened, missing values in nullable pandas
columns, scikit-learn's parameter errors, Ridge's positive/solver pairing,
verify() with a failing or no backend, and big-endian float32 input.
"""

import json
import warnings

import numpy as np
import pytest
import sklearn.linear_model as sk
from conftest import make_data
from sklearn.utils._param_validation import InvalidParameterError

import lassokit as lk
from lassokit._finish import warn_unconverged
from lassokit.backends.base import BackendResult


def _cvxpy_solver(name):
    cp = pytest.importorskip("cvxpy")
    if name not in cp.installed_solvers():
        pytest.skip(f"CVXPY solver {name} is not installed")


def _problem(dtype=np.float64, n=40, p=8):
    X, y = make_data(n, p, dtype=dtype)
    return lk.elastic_net(X, y, 0.05, l1_ratio=0.7)


# -- item 6: each CVXPY solver gets its own option names ------------------------


@pytest.mark.parametrize("solver", ["CLARABEL", "OSQP", "SCS"])
def test_cvxpy_solver_options_use_each_solvers_names(solver):
    _cvxpy_solver(solver)
    problem = _problem()
    sol = problem.solve("cvxpy", solver=solver, tol=1e-6)
    assert sol.converged, sol
    # The iteration budget reaches the solver under its own name (SCS: max_iters).
    with pytest.warns(lk.ConvergenceWarning):
        short = problem.solve("cvxpy", solver=solver, tol=1e-10, max_iter=2)
    assert short.status == "max_iter"
    assert short.n_iter <= 2


@pytest.mark.parametrize("solver", ["CLARABEL", "OSQP", "SCS"])
def test_cvxpy_huge_max_iter_fits_the_solvers_integer(solver):
    _cvxpy_solver(solver)
    # Clarabel keeps max_iter in a u32 and OSQP in a C int: "no limit" must still solve.
    assert _problem().solve("cvxpy", solver=solver, max_iter=10**12).converged


def test_cvxpy_solver_options_still_override_the_defaults():
    _cvxpy_solver("SCS")
    problem = _problem()
    with pytest.warns(lk.ConvergenceWarning):
        sol = problem.solve("cvxpy", solver="SCS", solver_options={"max_iters": 3})
    assert sol.n_iter <= 3 and not sol.converged


# -- item 17: no DeprecationWarning from OSQP through CVXPY ---------------------


def test_cvxpy_osqp_emits_no_deprecation_warning():
    _cvxpy_solver("OSQP")
    problem = _problem()
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        sol = problem.solve("cvxpy", solver="OSQP")
    assert sol.converged


# -- item 8: the ConvergenceWarning says what happened --------------------------


def _fixed_backend(name, status, info=None, coef=None):
    class Fixed(lk.Backend):
        def solve(self, problem, *, tol, max_iter, warm_start):
            w = np.zeros(problem.n_features) if coef is None else coef
            return BackendResult(coef=w, n_iter=5, status=status, info=dict(info or {}))

    Fixed.name = name
    return Fixed


def _warning_text(problem, backend, **kw):
    with pytest.warns(lk.ConvergenceWarning) as record:
        sol = problem.solve(backend, **kw)
    assert not sol.converged
    (msg,) = [str(w.message) for w in record if issubclass(w.category, lk.ConvergenceWarning)]
    # The contract: every such warning states the gap reached and the tol asked for.
    assert "relative duality gap" in msg and "tol" in msg
    return sol, msg


def test_warning_for_max_iter_says_increase_max_iter():
    sol, msg = _warning_text(_problem(), "cd", max_iter=1, tol=1e-12)
    assert sol.status == "max_iter"
    assert "iteration limit" in msg and "Increase max_iter" in msg


def test_warning_for_a_stall_points_at_precision_not_max_iter(register_for_test):
    name = register_for_test(_fixed_backend("test-rel-stalled", "stalled"))
    sol, msg = _warning_text(_problem(np.float32), name)
    assert sol.status == "inaccurate"
    assert "stopped decreasing" in msg and "float32" in msg and "float64" in msg
    assert "max_iter" not in msg
    _, msg64 = _warning_text(_problem(np.float64), name)
    assert "conditioning" in msg64 and "max_iter" not in msg64


# (backend, the status it claims, its answer, the status lassokit gives, what the warning says)
_WRONG_ANSWERS = [
    pytest.param("test-rel-error", "error", {"info": {"message": "factorization broke down"}},
                 "error", ["failed: factorization broke down"], id="an-error-names-the-failure"),
    pytest.param("test-rel-nan", "success", {"coef": np.full(8, np.nan)},
                 "error", ["non-finite"], id="non-finite-coefficients"),
    pytest.param("test-rel-inaccurate", "inaccurate",
                 {"info": {"cvxpy_status": "optimal_inaccurate"}},
                 "inaccurate", ["reported an inaccurate solution", "optimal_inaccurate"],
                 id="an-inaccurate-backend-answer"),
    pytest.param("test-rel-refuted", "success", {},
                 "inaccurate", ["does not confirm"], id="a-refuted-success"),
]


@pytest.mark.parametrize("backend, claimed, answer, status, phrases", _WRONG_ANSWERS)
def test_warning_says_what_went_wrong_not_max_iter(register_for_test, backend, claimed, answer,
                                                    status, phrases):
    name = register_for_test(_fixed_backend(backend, claimed, **answer))
    sol, msg = _warning_text(_problem(), name)
    assert sol.status == status
    for phrase in phrases:
        assert phrase in msg
    assert "max_iter" not in msg


def test_path_warning_advice_follows_the_statuses():
    with pytest.warns(lk.ConvergenceWarning) as record:
        warn_unconverged("path", 2, 10, 1e-8, 1e-5, statuses=["stalled", "stalled"])
    msg = str(record[0].message)
    assert "2 of 10" in msg and "precision" in msg and "max_iter" not in msg
    with pytest.warns(lk.ConvergenceWarning, match="increase max_iter"):
        warn_unconverged("path", 1, 10, 1e-8, 1e-5, statuses=["max_iter"])


# -- item 10: pandas nullable columns with pd.NA --------------------------------


def test_nullable_int_with_na_says_missing_values():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame({"a": pd.array([1, 2, None, 4, 5], dtype="Int64"),
                      "b": pd.array([3, 1, 4, 1, 5], dtype="Int64")})
    y = np.arange(5.0)
    with pytest.raises(ValueError, match="missing values") as info:
        lk.lasso(X, y, 0.1)
    assert "non-numeric" not in str(info.value)
    # Without missing values the nullable column is plain numbers.
    assert lk.lasso(X.fillna(0), y, 0.1).X.dtype == np.float64
    # Text is still reported as non-numeric, with or without missing values.
    for bad in (np.array([["a", 1.0]], dtype=object), np.array([["a", pd.NA]], dtype=object)):
        with pytest.raises(TypeError, match="non-numeric"):
            lk.lasso(bad, [1.0], 0.1)


# -- item 11: scikit-learn's InvalidParameterError ------------------------------


@pytest.mark.parametrize("est", [lk.LassoCV(cv=1), lk.ElasticNetCV(cv=1),
                                 lk.Lasso(alpha=-1.0), lk.Lasso(alpha="a")])
def test_invalid_parameters_raise_sklearns_error(est):
    X, y = make_data(20, 4)
    with pytest.raises(InvalidParameterError, match="parameter of"):
        est.fit(X, y)


def test_lassocv_cv_1_matches_sklearn():
    X, y = make_data(20, 4)
    with pytest.raises(InvalidParameterError, match="'cv'"):
        sk.LassoCV(cv=1).fit(X, y)
    with pytest.raises(InvalidParameterError, match="'cv'"):
        lk.LassoCV(cv=1).fit(X, y)


# -- item 12: Ridge(positive=True) only with "auto" / "lbfgs" -------------------


@pytest.mark.parametrize("solver", ["svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga"])
def test_ridge_positive_rejects_solvers_sklearn_rejects(solver):
    X, y = make_data(20, 4)
    with pytest.raises(ValueError, match="positive"):
        sk.Ridge(positive=True, solver=solver).fit(X, y)
    with pytest.raises(ValueError, match=f"solver='{solver}' does not support positive"):
        lk.Ridge(positive=True, solver=solver).fit(X, y)


@pytest.mark.parametrize("solver", ["auto", "lbfgs"])
def test_ridge_positive_accepts_auto_and_lbfgs(solver):
    X, y = make_data(20, 4)
    est = lk.Ridge(positive=True, solver=solver).fit(X, y)
    assert np.all(est.coef_ >= 0)


# -- item 13: verify() with a raising backend or none at all --------------------


def test_verify_reports_a_raising_backend_as_an_error_row(register_for_test):
    pytest.importorskip("cvxpy")

    class Broken(lk.Backend):
        name = "test-rel-broken"

        def solve(self, problem, *, tol, max_iter, warm_start):
            raise RuntimeError("out of coffee")

    register_for_test(Broken)
    problem = _problem()
    report = lk.verify(problem, ["test-rel-broken", "cd"])
    rows = {r["backend"]: r for r in report.backends}
    broken = rows["test-rel-broken"]
    assert broken["status"] == "error" and broken["ok"] is False
    assert "out of coffee" in broken["error"] and "RuntimeError" in broken["error"]
    assert rows["cd"]["ok"] is True and rows["cd"]["error"] is None
    assert report.ok is False
    text = str(report)
    assert "out of coffee" in text and "NO" in text
    d = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert d["ok"] is False


def test_verify_refuses_an_empty_backend_list():
    problem = _problem()
    with pytest.raises(ValueError, match="backends"):
        lk.verify(problem, backends=[])


# -- item 14: big-endian float32 stays float32 ----------------------------------


@pytest.mark.parametrize("order, dtype", [(">f4", np.float32), (">f8", np.float64)])
def test_big_endian_input_keeps_its_float_dtype(order, dtype):
    X, y = make_data(30, 5)
    native = lk.lasso(X.astype(dtype), y, 0.1).solve("cd", tol=1e-8)
    sol = lk.lasso(X.astype(order), y, 0.1).solve("cd", tol=1e-8)
    assert sol.coef.dtype == dtype
    assert sol.predict(X.astype(order)).dtype == dtype
    np.testing.assert_array_equal(sol.coef, native.coef)
