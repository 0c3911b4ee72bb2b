"""Hostile input: invalid data, penalty weights, strengths, solve arguments and
flags, through the Problem API and through the estimators.

Expected for each input: a ``ValueError`` / ``TypeError`` naming the
offending parameter -- never an exception from numba -- and the caller's
arrays never modified (compared with copies, flags included).

The estimators validate with scikit-learn's ``validate_data``, whose
messages ``check_estimator`` pins ("Found array with 0 sample(s)",
"Complex data not supported", ...); for them only the exception type is
required.
"""

import _hostile_checks as hk
import numpy as np
import pytest
import scipy.sparse as sp

import lassokit as lk
from lassokit.backends.registry import capable_backends

_rng = np.random.default_rng(0)
_X = _rng.normal(size=(10, 3))
_y = _rng.normal(size=10)


def _with(a, index, value):
    a = np.array(a, dtype=np.result_type(a, value))
    a[index] = value
    return a


# (id, X, y, sample_weight, parameter the error must name)
BAD_DATA = [
    ("X-nan", _with(_X, (1, 1), np.nan), _y, None, "X"),
    ("X-inf", _with(_X, (2, 0), np.inf), _y, None, "X"),
    ("X-neg-inf", _with(_X, (2, 0), -np.inf), _y, None, "X"),
    ("X-sparse-nan", sp.csr_matrix(_with(_X, (1, 1), np.nan)), _y, None, "X"),
    ("X-sparse-inf", sp.csc_matrix(_with(_X, (1, 1), np.inf)), _y, None, "X"),
    ("X-empty-rows", np.empty((0, 3)), np.empty(0), None, "X"),
    ("X-empty-cols", np.empty((10, 0)), _y, None, "X"),
    ("X-1d", _X[:, 0].copy(), _y, None, "X"),
    ("X-3d", _X[:, :, None].copy(), _y, None, "X"),
    ("X-object-str", np.array([["a", "b", "c"]] * 10, dtype=object), _y, None, "X"),
    ("X-str", np.array([["a", "b", "c"]] * 10), _y, None, "X"),
    ("X-complex", _X + 1j, _y, None, "X"),
    ("X-sparse-complex", sp.csr_matrix(_X + 1j), _y, None, "X"),
    ("X-ragged", [[1.0, 2.0], [3.0]], _y[:2], None, "X"),
    ("X-None", None, _y, None, "X"),
    ("y-nan", _X, _with(_y, 0, np.nan), None, "y"),
    ("y-inf", _X, _with(_y, 3, np.inf), None, "y"),
    ("y-short", _X, _y[:-1].copy(), None, "y"),
    ("y-long", _X, np.r_[_y, 1.0], None, "y"),
    # A 2-D y is K targets now (a coefficient matrix); three dimensions are not.
    ("y-3d", _X, _y[:, None, None].copy(), None, "y"),
    ("y-str", _X, np.array(["a"] * 10), None, "y"),
    ("y-object-str", _X, np.array(["a"] * 10, dtype=object), None, "y"),
    ("y-complex", _X, _y + 1j, None, "y"),
    ("y-None", _X, None, None, "y"),
    ("sw-negative", _X, _y, _with(np.ones(10), 4, -1.0), "sample_weight"),
    ("sw-short", _X, _y, np.ones(9), "sample_weight"),
    ("sw-long", _X, _y, np.ones(11), "sample_weight"),
    ("sw-nan", _X, _y, _with(np.ones(10), 0, np.nan), "sample_weight"),
    ("sw-inf", _X, _y, _with(np.ones(10), 0, np.inf), "sample_weight"),
    ("sw-all-zero", _X, _y, np.zeros(10), "sample_weight"),
    ("sw-str", _X, _y, np.array(["a"] * 10), "sample_weight"),
    ("sw-complex", _X, _y, np.ones(10) + 1j, "sample_weight"),
    ("sw-2d", _X, _y, np.ones((10, 2)), "sample_weight"),
]
_BAD_IDS = [c[0] for c in BAD_DATA]


@pytest.mark.parametrize("case", BAD_DATA, ids=_BAD_IDS)
def test_bad_data_through_problem(case):
    _, X, y, sw, name = case
    snap = hk.snapshot(X, y, sw)
    with pytest.raises((ValueError, TypeError)) as info:
        lk.Problem(X, y, lk.L1(0.1) + lk.L2(0.1), sample_weight=sw)
    hk.assert_clean(info.value, (name,))
    hk.assert_unchanged(snap)


@pytest.mark.parametrize("backend", lk.available_backends(emulated=True))
@pytest.mark.parametrize("estimator", hk.ESTIMATORS)
@pytest.mark.parametrize("case", BAD_DATA, ids=_BAD_IDS)
def test_bad_data_through_estimators(case, estimator, backend):
    """Validation comes first, whichever backend is asked for."""
    _, X, y, sw, _name = case
    snap = hk.snapshot(X, y, sw)
    with pytest.raises((ValueError, TypeError)) as info:
        hk.ESTIMATORS[estimator](alpha=0.1, backend=backend).fit(X, y, sample_weight=sw)
    hk.assert_clean(info.value)
    assert "cannot take" not in str(info.value)  # the data's fault, not the backend's
    hk.assert_unchanged(snap)


# (id, L1 weights, L2 weights, name)
BAD_WEIGHTS = [
    ("negative", np.array([1.0, -1.0, 1.0]), None, "weights"),
    ("short", np.ones(2), None, "weights"),
    ("long", np.ones(4), None, "weights"),
    ("nan", np.array([1.0, np.nan, 1.0]), None, "weights"),
    ("-inf", np.array([1.0, -np.inf, 1.0]), None, "weights"),  # +inf: exclusion
    ("str", np.array(["a", "b", "c"]), None, "weights"),
    ("complex", np.ones(3) + 1j, None, "weights"),
    ("2d", np.ones((3, 1)), None, "weights"),
    ("l2-negative", None, np.array([1.0, -1.0, 1.0]), "weights"),
    ("l2-short", None, np.ones(2), "weights"),
    ("l2-long", None, np.ones(5), "weights"),
]


@pytest.mark.parametrize("case", BAD_WEIGHTS, ids=[c[0] for c in BAD_WEIGHTS])
def test_bad_penalty_weights(case):
    _, v1, v2, name = case
    snap = hk.snapshot(v1, v2)
    with pytest.raises((ValueError, TypeError)) as info:
        pen = lk.L1(0.1, v1) + lk.L2(0.1, v2)
        lk.Problem(_X, _y, pen)
    hk.assert_clean(info.value, (name,))
    hk.assert_unchanged(snap)


@pytest.mark.parametrize("alpha", [-1.0, np.nan, np.inf, "0.1", 1j, None, True])
def test_bad_strengths(alpha):
    for make in (lk.L1, lk.L2):
        with pytest.raises((ValueError, TypeError)) as info:
            make(alpha)
        hk.assert_clean(info.value, ("alpha",))
    with pytest.raises((ValueError, TypeError)) as info:
        lk.elastic_net(_X, _y, alpha)
    hk.assert_clean(info.value, ("alpha",))
    for cls in hk.ESTIMATORS.values():
        with pytest.raises((ValueError, TypeError)) as info:
            cls(alpha=alpha).fit(_X, _y)
        hk.assert_clean(info.value, ("alpha",))


@pytest.mark.parametrize("backend", lk.available_backends(emulated=True))
def test_bad_solve_arguments(backend):
    problem = lk.ridge(_X, _y, 0.1) if backend == "direct" else lk.lasso(_X, _y, 0.1)
    problem = problem if backend in capable_backends(problem, emulated=True) else lk.ridge(_X, _y, 0.1)
    bad = [
        ({"tol": 0.0}, "tol"), ({"tol": -1e-6}, "tol"), ({"tol": np.nan}, "tol"),
        ({"tol": "1e-6"}, "tol"), ({"max_iter": 0}, "max_iter"), ({"max_iter": -3}, "max_iter"),
        ({"max_iter": 2.5}, "max_iter"), ({"max_iter": "10"}, "max_iter"),
        ({"warm_start": np.ones(2)}, "warm_start"),
        ({"warm_start": np.array([np.nan, 0.0, 0.0])}, "warm_start"),
        ({"warm_start": np.ones(3) + 1j}, "warm_start"),
        ({"no_such_option": 1}, "no_such_option"), ({"verbose": "yes"}, "verbose"),
    ]
    for kwargs, name in bad:
        with pytest.raises((ValueError, TypeError)) as info:
            problem.solve(backend, **kwargs)
        hk.assert_clean(info.value, (name,))
    for kwargs, name in [({"coef": np.ones(2)}, "coef"), ({"coef": np.full(3, np.nan)}, "coef"),
                         ({"coef": np.zeros(3), "intercept": np.nan}, "intercept")]:
        with pytest.raises((ValueError, TypeError)) as info:
            problem.objective(**kwargs)
        hk.assert_clean(info.value, (name,))
    with pytest.raises(ValueError, match="intercept"):
        problem.replace(fit_intercept=False).objective(np.zeros(3), 1.0)


@pytest.mark.parametrize("name, value", [("fit_intercept", 1), ("fit_intercept", "yes"),
                                         ("positive", None), ("positive", "no")])
def test_bad_flags(name, value):
    with pytest.raises(TypeError) as info:
        lk.Problem(_X, _y, lk.L1(0.1), **{name: value})
    hk.assert_clean(info.value, (name,))


def test_bare_number_is_not_a_penalty():
    with pytest.raises(TypeError, match="penalty"):
        lk.Problem(_X, _y, 0.1)
    with pytest.raises(TypeError):
        lk.L1(0.1) + 0.1
