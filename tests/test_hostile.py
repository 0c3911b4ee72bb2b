"""Hostile input: through the Problem API, the estimators and on every backend.

Expected for each input: a correct (certified) answer, or a ``ValueError`` /
``TypeError`` naming the offending parameter -- never an exception from
numba, never a silent wrong answer, and the caller's arrays never modified
(compared with copies, flags included).

The estimators validate with scikit-learn's ``validate_data``, whose
messages ``check_estimator`` pins ("Found array with 0 sample(s)",
"Complex data not supported", ...); for them only the exception type is
required.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from conftest import (
    MATRIX_TOL,
    SUBOPT_SLACK,
    assert_certified_objective,
    assert_matches_reference,
    coef_scale,
    make_data,
    p0_of,
    ref_objective,
    reference_for_problem,
    strengths,
)

import lassokit as lk
from lassokit.backends.registry import capable_backends

TOL = MATRIX_TOL
ESTIMATORS = {"Lasso": lk.Lasso, "ElasticNet": lk.ElasticNet, "Ridge": lk.Ridge}


# ---------------------------------------------------------------------------
# helpers: untouched inputs, clean errors
# ---------------------------------------------------------------------------


def _flags(a):
    f = a.flags
    return (f.writeable, f.c_contiguous, f.f_contiguous, f.owndata, f.aligned)


def _snapshot(*objs):
    """Copies (and flags) of every array inside ``objs`` to compare with later."""
    snap = []
    for obj in objs:
        if obj is None or np.isscalar(obj):
            continue
        if sp.issparse(obj):
            parts = [obj.data, obj.indices, obj.indptr] if obj.format in ("csr", "csc") else \
                [obj.data, obj.row, obj.col]
            snap += [(a, a.copy(), _flags(a)) for a in parts]
        elif isinstance(obj, (pd.DataFrame, pd.Series)):
            snap.append((obj, obj.copy(deep=True), None))
        elif isinstance(obj, np.ndarray):
            snap.append((obj, obj.copy(), _flags(obj)))
        elif isinstance(obj, list):
            snap.append((obj, [list(r) if isinstance(r, list) else r for r in obj], None))
    return snap


def _assert_unchanged(snap):
    for obj, copy, flags in snap:
        if isinstance(obj, (pd.DataFrame, pd.Series)):
            pd.testing.assert_frame_equal(pd.DataFrame(obj), pd.DataFrame(copy))
        elif isinstance(obj, list):
            assert obj == copy
        else:
            assert obj.dtype == copy.dtype and obj.shape == copy.shape
            np.testing.assert_array_equal(obj, copy)
            assert _flags(obj) == flags


def _assert_clean(exc, names=()):
    """Not numba's, and naming one of ``names`` (when given)."""
    for e in (exc, exc.__cause__, exc.__context__):
        assert e is None or not type(e).__module__.startswith("numba"), repr(e)
    if names:
        assert any(n in str(exc) for n in names), f"{exc!r} does not name {names}"


def _solve_quiet(problem, backend, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("error", lk.ConvergenceWarning)
        return problem.solve(backend, **kw)


# ---------------------------------------------------------------------------
# 1. invalid input through the Problem API and through the estimators
# ---------------------------------------------------------------------------

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
    snap = _snapshot(X, y, sw)
    with pytest.raises((ValueError, TypeError)) as info:
        lk.Problem(X, y, lk.L1(0.1) + lk.L2(0.1), sample_weight=sw)
    _assert_clean(info.value, (name,))
    _assert_unchanged(snap)


@pytest.mark.parametrize("backend", lk.available_backends(emulated=True))
@pytest.mark.parametrize("estimator", ESTIMATORS)
@pytest.mark.parametrize("case", BAD_DATA, ids=_BAD_IDS)
def test_bad_data_through_estimators(case, estimator, backend):
    """Validation comes first, whichever backend is asked for."""
    _, X, y, sw, _name = case
    snap = _snapshot(X, y, sw)
    with pytest.raises((ValueError, TypeError)) as info:
        ESTIMATORS[estimator](alpha=0.1, backend=backend).fit(X, y, sample_weight=sw)
    _assert_clean(info.value)
    assert "cannot take" not in str(info.value)  # the data's fault, not the backend's
    _assert_unchanged(snap)


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
    snap = _snapshot(v1, v2)
    with pytest.raises((ValueError, TypeError)) as info:
        pen = lk.L1(0.1, v1) + lk.L2(0.1, v2)
        lk.Problem(_X, _y, pen)
    _assert_clean(info.value, (name,))
    _assert_unchanged(snap)


@pytest.mark.parametrize("alpha", [-1.0, np.nan, np.inf, "0.1", 1j, None, True])
def test_bad_strengths(alpha):
    for make in (lk.L1, lk.L2):
        with pytest.raises((ValueError, TypeError)) as info:
            make(alpha)
        _assert_clean(info.value, ("alpha",))
    with pytest.raises((ValueError, TypeError)) as info:
        lk.elastic_net(_X, _y, alpha)
    _assert_clean(info.value, ("alpha",))
    for cls in ESTIMATORS.values():
        with pytest.raises((ValueError, TypeError)) as info:
            cls(alpha=alpha).fit(_X, _y)
        _assert_clean(info.value, ("alpha",))


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
        _assert_clean(info.value, (name,))
    for kwargs, name in [({"coef": np.ones(2)}, "coef"), ({"coef": np.full(3, np.nan)}, "coef"),
                         ({"coef": np.zeros(3), "intercept": np.nan}, "intercept")]:
        with pytest.raises((ValueError, TypeError)) as info:
            problem.objective(**kwargs)
        _assert_clean(info.value, (name,))
    with pytest.raises(ValueError, match="intercept"):
        problem.replace(fit_intercept=False).objective(np.zeros(3), 1.0)


@pytest.mark.parametrize("name, value", [("fit_intercept", 1), ("fit_intercept", "yes"),
                                         ("positive", None), ("positive", "no")])
def test_bad_flags(name, value):
    with pytest.raises(TypeError) as info:
        lk.Problem(_X, _y, lk.L1(0.1), **{name: value})
    _assert_clean(info.value, (name,))


def test_bare_number_is_not_a_penalty():
    with pytest.raises(TypeError, match="penalty"):
        lk.Problem(_X, _y, 0.1)
    with pytest.raises(TypeError):
        lk.L1(0.1) + 0.1


# ---------------------------------------------------------------------------
# 2. valid but hostile data, on every backend (capability-filtered pairs)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A hostile but valid problem: ``elastic_net(X, y, alpha, l1_ratio, ...)``.

    ``check``: "reference" (unique optimum: objective and coefficients),
    "objective" (non-unique optimum: certificate and objective only),
    "zero" (``coef = 0`` exactly) or "lstsq" (OLS, checked against
    ``numpy.linalg.lstsq``).
    """

    id: str
    data: tuple = field(compare=False, repr=False)  # (X, y, sample_weight)
    alpha: float = 0.1
    l1_ratio: float = 0.5
    fit_intercept: bool = True
    positive: bool = False
    check: str = "reference"

    def problem(self):
        X, y, sw = self.data
        return lk.elastic_net(X, y, self.alpha, self.l1_ratio, fit_intercept=self.fit_intercept,
                              sample_weight=sw, positive=self.positive)

    def estimator(self, backend):
        return lk.ElasticNet(alpha=self.alpha, l1_ratio=self.l1_ratio, tol=TOL, max_iter=None,
                             fit_intercept=self.fit_intercept, positive=self.positive,
                             backend=backend)


def _base(n=30, p=6, seed=1, storage="dense"):
    return make_data(n, p, seed=seed, storage=storage)


def _constant_columns(storage="dense"):
    X, y = _base()
    X = X.copy()
    X[:, 2] = 3.0   # constant: the intercept's twin
    X[:, 4] = 0.0   # all zero
    return (sp.csc_matrix(X) if storage == "csc" else X), y


def _duplicated():
    X, y = _base()
    return np.hstack([X, X[:, [0, 1]]]), y


def _ill_conditioned(cond):
    rng = np.random.default_rng(3)
    n, p = 40, 8
    U, _ = np.linalg.qr(rng.normal(size=(n, p)))
    V, _ = np.linalg.qr(rng.normal(size=(p, p)))
    X = (U * np.logspace(0, -np.log10(cond), p)) @ V.T * 5 + 1.0
    return X, X @ rng.normal(size=p) + 0.1 * rng.normal(size=n)


def _cases():
    X, y = _base()
    Xt, yt = make_data(200, 5, seed=2)
    sw_t = np.linspace(0.5, 3.0, 200)
    cases = []
    for fi in (True, False):
        for storage in ("dense", "csc"):
            d = (*_constant_columns(storage), None)
            cases += [Case(f"const-cols-{storage}-lasso-fi{fi:d}", d, 0.1, 1.0, fi),
                      Case(f"const-cols-{storage}-enet-fi{fi:d}", d, 0.1, 0.5, fi),
                      Case(f"const-cols-{storage}-ridge-fi{fi:d}", d, 0.1, 0.0, fi)]
    Xd, yd = _duplicated()
    cases += [
        Case("dup-cols-lasso", (Xd, yd, None), 0.1, 1.0, check="objective"),
        Case("dup-cols-enet", (Xd, yd, None), 0.1, 0.5),
        Case("dup-cols-ridge", (Xd, yd, None), 0.1, 0.0),
        Case("dup-cols-ols", (Xd, yd, None), 0.0, 0.0, check="objective"),
    ]
    for fi in (True, False):
        cases += [Case(f"zero-y-lasso-fi{fi:d}", (X, np.zeros(30), None), 0.1, 1.0, fi, check="zero"),
                  Case(f"zero-y-ols-fi{fi:d}", (X, np.zeros(30), None), 0.0, 0.0, fi, check="zero"),
                  Case(f"zero-y-csr-enet-pos-fi{fi:d}", (sp.csr_matrix(X), np.zeros(30), None),
                       0.1, 0.5, fi, True, check="zero")]
    cases += [Case("const-y-enet", (X, np.full(30, 2.5), None), 0.1, 0.5, check="zero")]
    for fi in (True, False):
        one = (X[:1].copy(), y[:1].copy(), None)
        cases += [
            Case(f"n1-lasso-fi{fi:d}", one, 0.1, 1.0, fi, check="zero" if fi else "objective"),
            Case(f"n1-ridge-fi{fi:d}", one, 0.1, 0.0, fi, check="zero" if fi else "reference"),
            Case(f"n1-csc-enet-fi{fi:d}", (sp.csc_matrix(X[:1]), y[:1].copy(), None), 0.1, 0.5, fi,
                 check="zero" if fi else "reference"),
            Case(f"p1-lasso-fi{fi:d}", (X[:, :1].copy(), y, None), 0.1, 1.0, fi),
            Case(f"p1-ols-fi{fi:d}", (X[:, :1].copy(), y, None), 0.0, 0.0, fi, check="lstsq"),
            Case(f"p1-csr-ridge-pos-fi{fi:d}", (sp.csr_matrix(X[:, :1]), y, None), 0.1, 0.0, fi, True),
        ]
    for cond in (1e6, 1e10):
        d = (*_ill_conditioned(cond), None)
        cases += [Case(f"illcond{cond:.0e}-enet", d, 0.01, 0.5),
                  Case(f"illcond{cond:.0e}-lasso", d, 0.01, 1.0),
                  Case(f"illcond{cond:.0e}-ridge", d, 1e-3, 0.0)]
    for fi in (True, False):
        cases += [
            Case(f"ols-tall-fi{fi:d}", (Xt, yt, None), 0.0, 0.0, fi, check="lstsq"),
            Case(f"ols-tall-csc-sw-fi{fi:d}", (sp.csc_matrix(Xt), yt, sw_t), 0.0, 0.0, fi,
                 check="lstsq"),
            Case(f"ols-tall-f32-fi{fi:d}", (Xt.astype(np.float32), yt, None), 0.0, 0.0, fi,
                 check="lstsq"),
        ]
    amax = lk.lasso(X, y, 1.0).alpha_max()
    amax_pos = lk.lasso(X, y, 1.0, positive=True).alpha_max()
    for f in (1.0, 1e6, 1e200):
        cases += [
            Case(f"huge-alpha{f:g}-lasso", (X, y, None), f * amax, 1.0, check="zero"),
            Case(f"huge-alpha{f:g}-enet-csr", (sp.csr_matrix(X), y, None), 2 * f * amax, 0.5,
                 check="zero"),
            Case(f"huge-alpha{f:g}-lasso-pos", (X, y, None), f * amax_pos, 1.0, positive=True,
                 check="zero"),
        ]
    return cases


CASES = _cases()


def _pairs(cases):
    out = []
    for case in cases:
        for name in capable_backends(case.problem(), emulated=True):
            out.append(pytest.param(name, case, id=f"{name}-{case.id}"))
    return out


@functools.cache
def _reference(case):
    return reference_for_problem(case.problem())


def _lstsq(problem):
    """OLS by numpy.linalg.lstsq on the weighted (and intercept-augmented) data."""
    X = problem.X.toarray() if sp.issparse(problem.X) else np.asarray(problem.X)
    X = X.astype(np.float64)
    n = X.shape[0]
    s = np.ones(n) if problem.sample_weight is None else problem.sample_weight
    A = np.c_[X, np.ones(n)] if problem.fit_intercept else X
    sol = np.linalg.lstsq(A * np.sqrt(s)[:, None], problem.y * np.sqrt(s), rcond=None)[0]
    return (sol[:-1], sol[-1]) if problem.fit_intercept else (sol, 0.0)


def _check(case, problem, sol):
    if case.check == "zero":
        assert sol.converged and sol.status == "optimal", sol
        assert np.all(sol.coef == 0), sol.coef
        s = np.ones(problem.n_samples) if problem.sample_weight is None else problem.sample_weight
        mean = float(s @ problem.y) / s.sum() if problem.fit_intercept else 0.0
        assert sol.intercept == pytest.approx(mean, rel=1e-12, abs=1e-12)
        assert sol.dual_gap <= TOL * p0_of(problem) * (1 + 1e-9)
        return
    if case.check == "lstsq":
        coef, icpt = _lstsq(problem)
        lam, mu = strengths(problem)
        obj = ref_objective(problem.X, problem.y, coef, icpt, lam, mu, problem.sample_weight)
        ref = SimpleNamespace(coef=coef, intercept=icpt, objective=obj)
        assert_matches_reference(problem, sol, ref, TOL)
        return
    ref = _reference(case)
    if case.check == "objective":
        assert_certified_objective(problem, sol, ref, TOL)
    else:
        assert_matches_reference(problem, sol, ref, TOL)


@pytest.mark.parametrize("backend, case", _pairs(CASES))
def test_hostile_data_on_every_backend(backend, case):
    X, y, sw = case.data
    snap = _snapshot(X, y, sw)
    problem = case.problem()
    sol = _solve_quiet(problem, backend, tol=TOL)
    _check(case, problem, sol)
    # the same through the estimator
    est = case.estimator(backend)
    with warnings.catch_warnings():
        warnings.simplefilter("error", lk.ConvergenceWarning)
        est.fit(X, y, sample_weight=sw)
    assert est.backend_ == backend
    np.testing.assert_array_equal(est.coef_, est.solution_.coef)
    _check(case, problem, est.solution_)
    _assert_unchanged(snap)


def test_duplicated_columns_split_as_theory_says():
    """Elastic Net: equal split; Lasso: any same-sign split (checked in test_properties)."""
    case = next(c for c in CASES if c.id == "dup-cols-enet")
    for backend in capable_backends(case.problem(), emulated=True):
        sol = _solve_quiet(case.problem(), backend, tol=TOL)
        for j, k in ((0, 6), (1, 7)):
            assert sol.coef[j] == pytest.approx(sol.coef[k], rel=1e-4, abs=1e-6)


# ---------------------------------------------------------------------------
# 3. extreme magnitudes: the same problem in other units
# ---------------------------------------------------------------------------
#
# X -> cx X, y -> cy y with a1 -> cx cy a1 and a2 -> cx^2 a2 has the solution
# w -> w cy / cx, b -> cy b and the optimal value cy^2 P* (substitute in P).

SCALES = [(1e150, 1.0), (1e-150, 1.0), (1.0, 1e150), (1.0, 1e-150), (1e150, 1e150),
          (1e-3, 1e3)]


def _scaled_pairs():
    out = []
    for cx, cy in SCALES:
        for storage, mix in (("dense", 0.5), ("csc", 1.0)):
            X, y = _base(storage=storage)
            problem = lk.elastic_net(X * cx, y * cy, 0.1, mix)
            for name in capable_backends(problem, emulated=True):
                out.append(pytest.param(name, cx, cy, storage, mix,
                                        id=f"{name}-X{cx:.0e}-y{cy:.0e}-{storage}-r{mix}"))
    return out


@pytest.mark.parametrize("backend, cx, cy, storage, l1_ratio", _scaled_pairs())
def test_extreme_magnitudes(backend, cx, cy, storage, l1_ratio):
    X, y = _base(storage=storage)
    base = lk.elastic_net(X, y, 0.1, l1_ratio)
    a1, a2 = 0.1 * l1_ratio, 0.1 * (1 - l1_ratio)
    Xs, ys = X * cx, y * cy
    snap = _snapshot(Xs, ys)
    problem = lk.Problem(Xs, ys, lk.L1(a1 * cx * cy) + lk.L2(a2 * cx * cx))
    sol = _solve_quiet(problem, backend, tol=TOL)
    assert np.all(np.isfinite(sol.coef)) and np.isfinite(sol.objective)
    mapped = SimpleNamespace(
        converged=sol.converged, status=sol.status, objective=sol.objective / cy**2,
        dual_gap=sol.dual_gap / cy**2, coef=(sol.coef * (cx / cy)).astype(X.dtype),
        intercept=sol.intercept / cy)
    assert_matches_reference(base, mapped, reference_for_problem(base), TOL)
    _assert_unchanged(snap)
    # the estimator, with alpha and l1_ratio that give the same a1 and a2 -- when
    # float64 can say so: with a1' / a2' ~ 1e150 the L2 share rounds away
    alpha = a1 * cx * cy + a2 * cx * cx
    ratio = a1 * cx * cy / alpha
    if abs(alpha * (1 - ratio) - a2 * cx * cx) > 1e-6 * a2 * cx * cx:
        return
    est = lk.ElasticNet(alpha=alpha, l1_ratio=ratio, tol=TOL, max_iter=None, backend=backend)
    with warnings.catch_warnings():
        warnings.simplefilter("error", lk.ConvergenceWarning)
        est.fit(Xs, ys)
    ref = reference_for_problem(base)
    err = np.max(np.abs(est.coef_ * (cx / cy) - ref.coef))
    assert err <= 1e-4 * coef_scale(ref.coef)
    _assert_unchanged(snap)


# ---------------------------------------------------------------------------
# 4. max_iter=1: an honest answer
# ---------------------------------------------------------------------------


def _early_pairs():
    X, y = make_data(50, 20, seed=5)
    out = []
    for mix in (0.5, 0.0):
        problem = lk.elastic_net(X, y, 0.05, mix)
        for name in capable_backends(problem, emulated=True):
            out.append(pytest.param(name, mix, id=f"{name}-r{mix}"))
    return out


@pytest.mark.parametrize("backend, l1_ratio", _early_pairs())
def test_max_iter_one_is_honest(backend, l1_ratio):
    X, y = make_data(50, 20, seed=5)
    problem = lk.elastic_net(X, y, 0.05, l1_ratio)
    ref = reference_for_problem(problem)
    tol = 1e-12
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sol = problem.solve(backend, tol=tol, max_iter=1)
    conv_warnings = [w for w in caught if issubclass(w.category, lk.ConvergenceWarning)]
    p0 = p0_of(problem)
    slack = SUBOPT_SLACK * max(1.0, p0)
    # the reported gap is the certificate: valid, and no better than lassokit's own
    assert sol.dual_gap >= sol.objective - ref.objective - slack
    assert sol.dual_gap <= problem.dual_gap(sol.coef) * (1 + 1e-12) + slack
    assert sol.objective == pytest.approx(problem.objective(sol.coef, sol.intercept), rel=1e-12)
    assert sol.converged == (sol.dual_gap <= tol * p0 * (1 + 1e-9))
    if l1_ratio > 0:
        # one iteration cannot reach a relative gap of 1e-12 on this Elastic Net
        assert not sol.converged
    if sol.converged:
        assert sol.status == "optimal" and not conv_warnings
    else:
        assert sol.status in ("max_iter", "inaccurate")
        assert len(conv_warnings) == 1
        msg = str(conv_warnings[0].message)
        assert f"{sol.rel_gap:.3g}" in msg and f"{tol:.3g}" in msg
    # and through an estimator
    est = lk.ElasticNet(alpha=0.05, l1_ratio=l1_ratio, tol=tol, max_iter=1, backend=backend)
    if sol.converged:
        est.fit(X, y)
    else:
        with pytest.warns(lk.ConvergenceWarning):
            est.fit(X, y)
    assert est.dual_gap_ >= problem.objective(est.coef_, est.intercept_) - ref.objective - slack


# ---------------------------------------------------------------------------
# 5. unusual array types and layouts reach every backend as plain floats
# ---------------------------------------------------------------------------


def _unsorted_csc(X):
    M = sp.csc_matrix(X)
    for j in range(M.shape[1]):
        seg = slice(M.indptr[j], M.indptr[j + 1])
        M.indices[seg] = M.indices[seg][::-1].copy()
        M.data[seg] = M.data[seg][::-1].copy()
    M.has_sorted_indices = False
    return M


def _matrix(X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)  # np.matrix itself
        return np.asmatrix(X)


def _layouts():
    X, y = _base()
    M64 = sp.csc_matrix(X)
    M64.indices = M64.indices.astype(np.int64)
    M64.indptr = M64.indptr.astype(np.int64)
    ro = X.copy()
    ro.flags.writeable = False
    return {
        "big-endian-X": (X.astype(">f8"), y, None),
        "big-endian-y-sw": (X, y.astype(">f8"), np.ones(30, dtype=">f8")),
        "big-endian-f4": (X.astype(">f4"), y, None),
        "float16": (X.astype(np.float16), y, None),
        "int32": (np.round(10 * X).astype(np.int32), y, None),
        "bool": (X > 0, y, None),
        "strided": (np.repeat(X, 2, axis=1)[:, ::2], np.repeat(y, 2)[::2], None),
        "reversed": (X[::-1], y[::-1], None),
        "fortran": (np.asfortranarray(X), y, None),
        "read-only": (ro, y, None),
        "matrix": (_matrix(X), y, None),
        "pandas": (pd.DataFrame(X), pd.Series(y), None),
        "list": (X.tolist(), y.tolist(), list(np.linspace(1, 2, 30))),
        "csr_array": (sp.csr_array(X), y, None),
        "coo": (sp.coo_matrix(X), y, None),
        "csc-int64-indices": (M64, y, None),
        "csc-unsorted": (_unsorted_csc(X), y, None),
        "int-y-sw": (X, np.round(y).astype(int), np.arange(1, 31)),
    }


LAYOUTS = _layouts()


def _layout_pairs():
    out = []
    for key, (X, y, sw) in LAYOUTS.items():
        for name in capable_backends(lk.elastic_net(X, y, 0.1, sample_weight=sw), emulated=True):
            out.append(pytest.param(name, key, id=f"{name}-{key}"))
    return out


@pytest.mark.parametrize("backend, key", _layout_pairs())
def test_array_types_and_layouts(backend, key):
    X, y, sw = LAYOUTS[key]
    snap = _snapshot(X, y, sw)
    problem = lk.elastic_net(X, y, 0.1, sample_weight=sw)
    sol = _solve_quiet(problem, backend, tol=TOL)
    # the same numbers as a plain float64 problem
    Xd = np.asarray(X.toarray() if sp.issparse(X) else X, dtype=np.float64)
    plain = lk.elastic_net(Xd.astype(problem.X.dtype), np.asarray(y, dtype=np.float64), 0.1,
                           sample_weight=None if sw is None else np.asarray(sw, dtype=np.float64))
    assert_matches_reference(plain, sol, reference_for_problem(plain), TOL)
    _assert_unchanged(snap)
    if key == "read-only":
        assert not X.flags.writeable
    elif isinstance(X, np.ndarray):
        assert X.flags.writeable
