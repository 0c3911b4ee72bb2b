"""Bad input -> ValueError/TypeError naming the parameter, at the edge."""

import re

import numpy as np
import pytest
import scipy.sparse as sp

import lassokit as lk

N, P = 8, 3


def _good():
    rng = np.random.default_rng(0)
    return rng.normal(size=(N, P)), rng.normal(size=N)


def _named(name):
    """Regex: the parameter name as a word."""
    return rf"(?<![A-Za-z_]){re.escape(name)}(?![A-Za-z_])"


def _with_nan(a, value=np.nan):
    a = np.array(a, dtype=float)
    a.flat[1] = value
    return a


X0, Y0 = _good()

BAD_X = [
    ("nan", _with_nan(X0), ValueError),
    ("inf", _with_nan(X0, np.inf), ValueError),
    ("-inf", _with_nan(X0, -np.inf), ValueError),
    ("1-D", X0[:, 0], ValueError),
    ("3-D", X0[:, :, None], ValueError),
    ("0-D", np.float64(1.0), ValueError),
    ("no rows", np.zeros((0, P)), ValueError),
    ("no columns", np.zeros((N, 0)), ValueError),
    ("complex", X0 + 1j, TypeError),
    ("strings", X0.astype(str), TypeError),
    ("object", np.array([["a"] * P] * N, dtype=object), TypeError),
    ("None", None, TypeError),
    ("dict", {"a": 1}, TypeError),
    ("ragged", [[1.0, 2.0], [1.0]], ValueError),
    ("sparse nan", sp.csr_matrix(_with_nan(X0)), ValueError),
    ("sparse inf", sp.csc_matrix(_with_nan(X0, np.inf)), ValueError),
    ("sparse complex", sp.csr_matrix(X0 + 1j), TypeError),
    ("sparse empty", sp.csr_matrix((0, P)), ValueError),
]


@pytest.mark.parametrize("X, exc", [b[1:] for b in BAD_X], ids=[b[0] for b in BAD_X])
def test_bad_X(X, exc):
    y = Y0 if not (hasattr(X, "shape") and len(getattr(X, "shape", ())) and X.shape[0] == 0) \
        else np.zeros(0)
    with pytest.raises(exc, match=_named("X")):
        lk.lasso(X, y, 0.1)


BAD_Y = [
    ("nan", _with_nan(Y0), ValueError),
    ("inf", _with_nan(Y0, np.inf), ValueError),
    ("short", Y0[:-1], ValueError),
    ("long", np.append(Y0, 1.0), ValueError),
    ("3-D", Y0[:, None, None], ValueError),
    ("scalar", 1.0, ValueError),
    ("None", None, (ValueError, TypeError)),
    ("complex", Y0 + 1j, TypeError),
    ("strings", np.array(["a"] * N), TypeError),
    ("numeric strings", np.array(["1.5"] * N), TypeError),
    ("object", np.array([object()] * N), TypeError),
]


@pytest.mark.parametrize("y, exc", [b[1:] for b in BAD_Y], ids=[b[0] for b in BAD_Y])
def test_bad_y(y, exc):
    with pytest.raises(exc, match=_named("y")):
        lk.lasso(X0, y, 0.1)


def test_two_column_y_is_a_coefficient_matrix():
    # A 2-D y states K problems at once (tests/test_matrix_problem.py); a bad
    # one is still refused by name.
    sol = lk.lasso(X0, np.column_stack([Y0, 2 * Y0]), 0.1).solve(tol=1e-10)
    assert sol.coef.shape == (X0.shape[1], 2)
    for k, yk in enumerate((Y0, 2 * Y0)):  # K independent lassos
        one = lk.lasso(X0, yk, 0.1).solve(tol=1e-10)
        np.testing.assert_allclose(sol.coef[:, k], one.coef, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="y"):
        lk.lasso(X0, np.column_stack([Y0, np.full(N, np.nan)]), 0.1)


BAD_SW = [
    ("nan", _with_nan(np.ones(N)), ValueError),
    ("inf", _with_nan(np.ones(N), np.inf), ValueError),
    ("negative", _with_nan(np.ones(N), -1.0), ValueError),
    ("all zero", np.zeros(N), ValueError),
    ("short", np.ones(N - 1), ValueError),
    ("2-D", np.ones((N, 2)), ValueError),
    ("complex", np.ones(N) + 1j, TypeError),
    ("strings", np.array(["1"] * N), TypeError),
    ("negative scalar", -1.0, ValueError),
    ("zero scalar", 0.0, ValueError),
]


@pytest.mark.parametrize("sw, exc", [b[1:] for b in BAD_SW], ids=[b[0] for b in BAD_SW])
def test_bad_sample_weight(sw, exc):
    with pytest.raises(exc, match=_named("sample_weight")):
        lk.lasso(X0, Y0, 0.1, sample_weight=sw)


@pytest.mark.parametrize("name", ["fit_intercept", "positive"])
@pytest.mark.parametrize("value", [1, 0, "yes", None, 1.0])
def test_bad_flags(name, value):
    with pytest.raises(TypeError, match=_named(name)):
        lk.lasso(X0, Y0, 0.1, **{name: value})


def test_numpy_bool_flags_accepted():
    prob = lk.lasso(X0, Y0, 0.1, fit_intercept=np.bool_(False), positive=np.True_)
    assert prob.fit_intercept is False and prob.positive is True


@pytest.mark.parametrize("make", [lk.L1, lk.L2])
def test_negative_strengths_and_weights(make):
    with pytest.raises(ValueError, match="alpha"):
        lk.Problem(X0, Y0, make(-0.5))
    with pytest.raises(ValueError, match="weights"):
        lk.Problem(X0, Y0, make(0.5, [1.0, -1.0, 1.0]))
    with pytest.raises(ValueError, match="weights"):
        lk.Problem(X0, Y0, make(0.5, [1.0, np.nan, 1.0]))
    with pytest.raises(ValueError, match="weights"):
        lk.Problem(X0, Y0, make(0.5, [1.0, 1.0]))


# ---------------------------------------------------------------------------
# solve(): tol, max_iter, options, backends, warm_start
# ---------------------------------------------------------------------------


@pytest.fixture
def lasso():
    return lk.lasso(X0, Y0, 0.1)


@pytest.fixture
def ridge():
    return lk.ridge(X0, Y0, 0.1)


@pytest.mark.parametrize("tol, exc", [(0, ValueError), (-1, ValueError), (-1e-9, ValueError),
                                      (np.nan, ValueError), (np.inf, ValueError),
                                      (True, TypeError), ("a", TypeError), (None, TypeError),
                                      ([1e-6], TypeError)])
def test_bad_tol(ridge, tol, exc):
    with pytest.raises(exc, match=_named("tol")):
        ridge.solve("direct", tol=tol)


@pytest.mark.parametrize("max_iter, exc", [(0, ValueError), (-1, ValueError), (1.5, TypeError),
                                           (10.0, TypeError), (True, TypeError),
                                           ("a", TypeError), (np.inf, TypeError)])
def test_bad_max_iter(ridge, max_iter, exc):
    with pytest.raises(exc, match=_named("max_iter")):
        ridge.solve("direct", max_iter=max_iter)


def test_good_tol_and_max_iter_types(ridge):
    sol = ridge.solve("direct", tol=np.float32(1e-6), max_iter=np.int64(5))
    assert sol.converged


@pytest.mark.parametrize("backend, problem", [("cvxpy", "lasso"), ("direct", "ridge"),
                                              ("auto", "ridge"), ("auto", "lasso")])
def test_unknown_backend_option_names_it(backend, problem, request):
    prob = request.getfixturevalue(problem)
    with pytest.raises(TypeError, match="not_an_option"):
        prob.solve(backend, not_an_option=3)


def test_unknown_backend_lists_capable_ones(lasso, ridge):
    with pytest.raises(ValueError, match="nope") as info:
        lasso.solve("nope")
    msg = str(info.value)
    assert "cvxpy" in msg and "direct" not in msg  # direct cannot take a Lasso
    with pytest.raises(ValueError) as info:
        ridge.solve("nope")
    assert "direct" in str(info.value) and "cvxpy" in str(info.value)


def test_backend_that_cannot_take_the_problem(lasso):
    with pytest.raises(ValueError, match="direct") as info:
        lasso.solve("direct")
    assert "cvxpy" in str(info.value)  # says which backends can
    pos_ridge = lk.ridge(X0, Y0, 0.1, positive=True)
    with pytest.raises(ValueError, match="positive"):
        pos_ridge.solve("direct")


@pytest.mark.parametrize("backend", [3, None, ["cvxpy"]])
def test_backend_of_wrong_type(lasso, backend):
    with pytest.raises((TypeError, ValueError), match="backend"):
        lasso.solve(backend)


@pytest.mark.parametrize("warm, exc", [(np.zeros(P + 1), ValueError),
                                       (_with_nan(np.zeros(P)), ValueError),
                                       (np.zeros((P, 2)), ValueError),
                                       (np.array(["a"] * P), TypeError)])
def test_bad_warm_start(ridge, warm, exc):
    with pytest.raises(exc, match=_named("warm_start")):
        ridge.solve("direct", warm_start=warm)


def test_bad_verbose(ridge):
    with pytest.raises(TypeError, match=_named("verbose")):
        ridge.solve("direct", verbose="yes")


def test_cvxpy_unknown_solver_named(lasso):
    with pytest.raises(ValueError, match="NOT_A_SOLVER"):
        lasso.solve("cvxpy", solver="NOT_A_SOLVER")


def test_predict_validates_X(lasso):
    sol = lasso.solve("cvxpy")
    with pytest.raises(ValueError, match="features"):
        sol.predict(np.zeros((2, P + 1)))
    with pytest.raises(ValueError, match=_named("X")):
        sol.predict(_with_nan(np.zeros((2, P))))


@pytest.mark.parametrize("est", [lk.Lasso(alpha=0.1), lk.ElasticNet(alpha=0.1), lk.Ridge()])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_estimators_still_reject_non_finite_X(est, bad):
    # The estimators skip lassokit's own finiteness pass (scikit-learn's
    # validation has just made it); non-finite X must still be refused.
    X = np.random.default_rng(0).standard_normal((20, 3))
    X[4, 1] = bad
    with pytest.raises(ValueError, match="NaN|inf"):
        est.fit(X, np.ones(20))
