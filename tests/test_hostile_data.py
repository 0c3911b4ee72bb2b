"""Hostile but valid data on every backend (capability-filtered pairs):
constant, zero and duplicated columns, zero and constant targets, a single
sample or feature, ill-conditioned designs, OLS, huge strengths.

Expected: a correct (certified) answer -- the reference's objective and
coefficients, or exactly zero coefficients, or ``numpy.linalg.lstsq``'s OLS --
through the Problem API and the estimator alike, never a silent wrong
answer, and the caller's arrays never modified.
"""

import functools
import warnings
from dataclasses import dataclass, field
from types import SimpleNamespace

import _hostile_checks as hk
import conftest as cf
import numpy as np
import pytest
import scipy.sparse as sp

import lassokit as lk
from lassokit.backends.registry import capable_backends


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
        return lk.ElasticNet(alpha=self.alpha, l1_ratio=self.l1_ratio, tol=hk.TOL, max_iter=None,
                             fit_intercept=self.fit_intercept, positive=self.positive,
                             backend=backend)


def _constant_columns(storage="dense"):
    X, y = hk.base_data()
    X = X.copy()
    X[:, 2] = 3.0   # constant: the intercept's twin
    X[:, 4] = 0.0   # all zero
    return (sp.csc_matrix(X) if storage == "csc" else X), y


def _duplicated():
    X, y = hk.base_data()
    return np.hstack([X, X[:, [0, 1]]]), y


def _ill_conditioned(cond):
    rng = np.random.default_rng(3)
    n, p = 40, 8
    U, _ = np.linalg.qr(rng.normal(size=(n, p)))
    V, _ = np.linalg.qr(rng.normal(size=(p, p)))
    X = (U * np.logspace(0, -np.log10(cond), p)) @ V.T * 5 + 1.0
    return X, X @ rng.normal(size=p) + 0.1 * rng.normal(size=n)


def _cases():
    X, y = hk.base_data()
    Xt, yt = cf.make_data(200, 5, seed=2)
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
    return cf.reference_for_problem(case.problem())


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
        assert sol.dual_gap <= hk.TOL * cf.p0_of(problem) * (1 + 1e-9)
        return
    if case.check == "lstsq":
        coef, icpt = _lstsq(problem)
        lam, mu = cf.strengths(problem)
        obj = cf.ref_objective(problem.X, problem.y, coef, icpt, lam, mu, problem.sample_weight)
        ref = SimpleNamespace(coef=coef, intercept=icpt, objective=obj)
        cf.assert_matches_reference(problem, sol, ref, hk.TOL)
        return
    ref = _reference(case)
    if case.check == "objective":
        cf.assert_certified_objective(problem, sol, ref, hk.TOL)
    else:
        cf.assert_matches_reference(problem, sol, ref, hk.TOL)


@pytest.mark.parametrize("backend, case", _pairs(CASES))
def test_hostile_data_on_every_backend(backend, case):
    X, y, sw = case.data
    snap = hk.snapshot(X, y, sw)
    problem = case.problem()
    sol = hk.solve_quiet(problem, backend, tol=hk.TOL)
    _check(case, problem, sol)
    # the same through the estimator
    est = case.estimator(backend)
    with warnings.catch_warnings():
        warnings.simplefilter("error", lk.ConvergenceWarning)
        est.fit(X, y, sample_weight=sw)
    assert est.backend_ == backend
    np.testing.assert_array_equal(est.coef_, est.solution_.coef)
    _check(case, problem, est.solution_)
    hk.assert_unchanged(snap)


def test_duplicated_columns_split_as_theory_says():
    """Elastic Net: equal split; Lasso: any same-sign split (checked in test_properties)."""
    case = next(c for c in CASES if c.id == "dup-cols-enet")
    for backend in capable_backends(case.problem(), emulated=True):
        sol = hk.solve_quiet(case.problem(), backend, tol=hk.TOL)
        for j, k in ((0, 6), (1, 7)):
            assert sol.coef[j] == pytest.approx(sol.coef[k], rel=1e-4, abs=1e-6)
