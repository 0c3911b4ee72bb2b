"""The ``"cvxpy"`` backend for losses other than least squares, and verify() on them.

Every answer is judged by lassokit's own certificate (``sol.converged``),
never by CVXPY's status; the toys check the optimum itself against
scalar equations solved here with ``scipy.optimize.brentq``.
"""

import importlib.util
import json
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import brentq
from scipy.special import expit

import lassokit as lk
from lassokit.backends import _cvxpy_losses
from lassokit.backends._cvxpy_settings import _clarabel_settings
from lassokit.backends.registry import get_backend
from lassokit.losses import Huber, Logistic, Loss, Poisson, Squared

cp = pytest.importorskip("cvxpy")

#: Whether the lead's proximal-Newton ``"cd"`` for these losses has landed.
HAS_PROX_NEWTON = importlib.util.find_spec("lassokit.backends._prox_newton") is not None

N, P = 80, 6


def _data(loss, seed=0, sparse=False):
    """A small problem's X and y in ``loss``'s coding, columns in mixed units."""
    rng = np.random.default_rng(seed)
    scales = np.array([0.01, 0.3, 1.0, 1.0, 20.0, 300.0])
    X = rng.normal(size=(N, P)) * scales
    z = X[:, :3] @ (np.array([1.2, -0.8, 0.5]) / scales[:3]) + 0.3
    if loss == "logistic":
        y = (rng.uniform(size=N) < expit(z)).astype(float)
    elif loss == "poisson":
        y = rng.poisson(np.exp(np.clip(z, -3, 3))).astype(float)
    else:
        y = z + rng.standard_t(2, size=N)
    if sparse:
        X = sp.csc_matrix(np.where(rng.uniform(size=X.shape) < 0.4, X, 0.0))
    return X, y


LOSSES = {"logistic": "logistic", "poisson": "poisson", "huber": Huber(1.0)}

CONFIGS = [
    # (fit_intercept, sample_weight, positive, penalty, sparse)
    (True, False, False, "l1", False),
    (False, False, False, "l1", False),
    (True, True, False, "enet", False),
    (True, False, True, "l1", False),
    (False, True, True, "enet", False),
    (True, True, False, "l1", True),
    (False, False, True, "l1", True),
    (True, False, False, "enet", True),
]


def _problem(name, fit_intercept=True, weighted=False, positive=False, penalty="l1",
             sparse=False, share=0.1, seed=0):
    X, y = _data(name, seed, sparse)
    rng = np.random.default_rng(seed + 1)
    sw = rng.uniform(0.2, 3.0, N) if weighted else None
    base = lk.Problem(X, y, lk.L1(1.0), loss=LOSSES[name], fit_intercept=fit_intercept,
                      sample_weight=sw, positive=positive)
    a = base.alpha_max()
    assert a > 0
    pen = lk.L1(share * a) if penalty == "l1" else lk.L1(share * a / 2) + lk.L2(share * a / 2)
    return base.replace(penalty=pen)


def _solve(problem, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("error", lk.ConvergenceWarning)
        return problem.solve("cvxpy", **kw)


# ---------------------------------------------------------------------------
# Every loss, every option: certified by lassokit's own gap
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: "-".join(
    [("icpt" if c[0] else "noicpt"), ("sw" if c[1] else "nosw"), ("pos" if c[2] else "free"),
     c[3], ("sparse" if c[4] else "dense")]))
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_cvxpy_solutions_are_certified(name, config):
    fit_intercept, weighted, positive, penalty, sparse = config
    problem = _problem(name, fit_intercept, weighted, positive, penalty, sparse)
    sol = _solve(problem, tol=1e-6)
    assert sol.converged and sol.status == "optimal"
    assert sol.rel_gap <= 1e-6
    assert sol.backend == "cvxpy" and sol.info["solver"] == "CLARABEL"
    if positive:
        assert np.all(sol.coef >= 0)
    assert 0 < sol.support.size < P or penalty == "enet"
    # The certificate is the problem's own: the same numbers from Problem.
    assert problem.dual_gap(sol.coef) == pytest.approx(sol.dual_gap, abs=1e-12 * max(
        1.0, abs(sol.objective)))
    assert problem.objective(sol.coef, sol.intercept) == pytest.approx(sol.objective, rel=1e-12)
    # And much tighter where asked: the Newton finish reaches float64's floor.
    tight = _solve(problem, tol=1e-9)
    assert tight.converged and tight.rel_gap <= 1e-9
    assert tight.objective <= sol.objective + 1e-6 * max(1.0, abs(sol.objective))


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_float32_input_keeps_its_dtype(name):
    X, y = _data(name)
    # Columns of one scale: rounding the answer to float32 costs a relative
    # gap near 1e-5 when coefficients span 1e4 (the certificate of the
    # rounded point; the same for every backend).
    X = X / np.abs(X).max(axis=0)
    problem = lk.Problem(X.astype(np.float32), y, lk.L1(0.02), loss=LOSSES[name])
    sol = _solve(problem, tol=1e-6)
    assert sol.coef.dtype == np.float32
    assert sol.converged


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_zero_weights_are_rows_left_out(name):
    X, y = _data(name, seed=3)
    sw = np.ones(N)
    sw[:15] = 0.0
    penalty = lk.L1(0.01) + lk.L2(0.01)
    weighted = _solve(lk.Problem(X, y, penalty, loss=LOSSES[name], sample_weight=sw), tol=1e-9)
    dropped = _solve(lk.Problem(X[15:], y[15:], penalty, loss=LOSSES[name]), tol=1e-9)
    assert weighted.converged and dropped.converged
    np.testing.assert_allclose(weighted.coef, dropped.coef, rtol=1e-6, atol=1e-8)
    assert weighted.objective == pytest.approx(dropped.objective, rel=1e-9)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_alpha_at_or_above_alpha_max_gives_exact_zeros(name):
    base = _problem(name, share=1.0)
    for scale in (1.0, 1e6):
        problem = base.replace(penalty=lk.L1(scale * base.alpha_max()))
        sol = _solve(problem)
        assert sol.converged
        assert np.all(sol.coef == 0.0)
        assert sol.info["cvxpy_status"] == "not run"


def test_newton_finish_recovers_a_loose_interior_point():
    problem = _problem("logistic", weighted=True)
    loose = {"tol_gap_rel": 1e-3, "tol_gap_abs": 1e-3, "tol_feas": 1e-4, "tol_ktratio": 1e-2}
    sol = _solve(problem, tol=1e-9, solver_options=loose)
    assert sol.converged and sol.info["polished"] is True
    # Off the support the answer is exactly 0, not an interior point's 1e-10.
    assert np.count_nonzero(sol.coef) == sol.support.size < P


def test_newton_finish_is_kept_only_when_the_certificate_improves():
    problem = _problem("poisson", share=0.05)
    ref = _solve(problem, tol=1e-10)
    # A point far from the optimum: whatever polishing makes of it, the
    # answer handed back is never rated worse than the one handed in.
    bad = ref.coef * 0.5
    coef, _, _ = _cvxpy_losses.refined(problem, bad, ref.intercept)
    assert problem.dual_gap(coef) <= problem.dual_gap(bad) * (1 + 1e-12)


def test_scs_reaches_the_same_optimum():
    problem = _problem("logistic", weighted=True)
    ref = _solve(problem, tol=1e-9)
    scs = _solve(problem, tol=1e-8, solver="SCS")
    assert scs.converged and scs.info["solver"] == "SCS"
    np.testing.assert_allclose(scs.coef, ref.coef, atol=1e-5 * max(1.0, np.abs(ref.coef).max()))


def test_a_solver_without_exponential_cones_is_an_error_not_an_answer():
    problem = _problem("logistic")
    with pytest.warns(lk.ConvergenceWarning):
        sol = problem.solve("cvxpy", solver="OSQP")
    assert sol.status == "error" and not sol.converged


# ---------------------------------------------------------------------------
# Hand-derived toys
# ---------------------------------------------------------------------------

def test_logistic_one_feature_solves_its_scalar_equation():
    # No intercept, one feature, L1: for w > 0 the optimum solves
    #   sum_i sw_i y_i x_i sigmoid(-y_i x_i w) / sum_i sw_i = lam.
    rng = np.random.default_rng(7)
    n = 60
    x = rng.normal(size=n)
    y = np.where(rng.uniform(size=n) < expit(1.5 * x), 1.0, -1.0)
    sw = rng.uniform(0.5, 2.0, n)
    lam = 0.05

    def slope(w):
        return np.dot(sw, y * x * expit(-y * x * w)) / sw.sum() - lam

    assert slope(0.0) > 0  # w = 0 is not optimal
    w_star = brentq(slope, 0.0, 50.0, xtol=1e-14, rtol=1e-14)
    problem = lk.Problem(x[:, None], y, lk.L1(lam), loss="logistic", fit_intercept=False,
                         sample_weight=sw)
    sol = _solve(problem, tol=1e-10)
    assert sol.coef[0] == pytest.approx(w_star, rel=1e-8)
    assert sol.intercept == 0.0


def test_logistic_orthogonal_design_separates_into_scalar_equations():
    # Columns with disjoint supports (orthogonal) and no intercept: the
    # objective is a sum over features, each solving its own equation.
    rng = np.random.default_rng(11)
    m = 40
    X = np.zeros((2 * m, 2))
    X[:m, 0] = rng.normal(size=m)
    X[m:, 1] = rng.normal(size=m)
    y = np.where(rng.uniform(size=2 * m) < expit(2.0 * X.sum(axis=1)), 1.0, -1.0)
    lam = 0.03
    n = 2 * m
    expected = []
    for j in range(2):
        rows = slice(j * m, (j + 1) * m)
        xj, yj = X[rows, j], y[rows]

        def grad(w, xj=xj, yj=yj):
            # d/dw of 1/n sum log(1 + exp(-y x w)); the other block's rows
            # add log 2 each and no slope.
            return -np.dot(yj * xj, expit(-yj * xj * w)) / n

        if grad(0.0) + lam < 0:
            expected.append(brentq(lambda w, g=grad: g(w) + lam, 0.0, 50.0,
                                   xtol=1e-14, rtol=1e-14))
        else:
            assert grad(0.0) - lam > 0  # the data are drawn so that w_j != 0
            expected.append(brentq(lambda w, g=grad: g(w) - lam, -50.0, 0.0,
                                   xtol=1e-14, rtol=1e-14))
    problem = lk.Problem(X, y, lk.L1(lam), loss="logistic", fit_intercept=False)
    sol = _solve(problem, tol=1e-10)
    np.testing.assert_allclose(sol.coef, expected, rtol=1e-8)


def test_poisson_intercept_only_is_log_of_weighted_mean():
    rng = np.random.default_rng(5)
    X, y = _data("poisson", seed=5)
    y = y * 1000.0  # large counts: the exponential cones are rescaled by the loss
    sw = rng.uniform(0.5, 2.0, N)
    expected = np.log(np.dot(sw, y) / sw.sum())
    problem = lk.Problem(X, y, lk.L1(1.0), loss="poisson", sample_weight=sw)
    problem = problem.replace(penalty=lk.L1(2.0 * problem.alpha_max()))
    # Through the whole backend (w = 0 is recognized and returned exactly) ...
    sol = _solve(problem)
    assert np.all(sol.coef == 0.0)
    assert sol.intercept == pytest.approx(expected, rel=1e-12)
    # ... and through the CVXPY program itself, solved by the interior point.
    program, _, unscale = _cvxpy_losses.loss_program(cp, problem)
    program.solve(solver="CLARABEL", **_clarabel_settings(1e-10, 1000))
    coef, intercept = unscale()
    # An objective off by e moves the minimizer by ~sqrt(e): 1e-6 here.
    assert np.max(np.abs(coef)) < 1e-6
    assert intercept == pytest.approx(expected, abs=1e-6)


def test_poisson_one_feature_solves_its_scalar_equation():
    # No intercept: 1/n sum (exp(x w) - y x w) + lam |w|, for w > 0
    #   sum_i x_i (exp(x_i w) - y_i) / n + lam = 0.
    rng = np.random.default_rng(9)
    n = 70
    x = rng.uniform(0.0, 1.0, n)
    y = rng.poisson(np.exp(1.2 * x)).astype(float)
    lam = 0.05

    def slope(w):
        return np.dot(x, np.exp(x * w) - y) / n + lam

    assert slope(0.0) < 0
    w_star = brentq(slope, 0.0, 20.0, xtol=1e-14, rtol=1e-14)
    sol = _solve(lk.Problem(x[:, None], y, lk.L1(lam), loss="poisson", fit_intercept=False),
                 tol=1e-10)
    assert sol.coef[0] == pytest.approx(w_star, rel=1e-8)


@pytest.mark.parametrize("sparse", [False, True])
def test_huber_with_huge_delta_is_the_squared_loss(sparse):
    X, y = _data("huber", seed=2, sparse=sparse)
    sw = np.random.default_rng(2).uniform(0.5, 2.0, N)
    alpha = 0.02
    squared = lk.lasso(X, y, alpha, sample_weight=sw).solve("cvxpy", tol=1e-10)
    # Every residual is far below delta: the Huber loss is (y - z)^2 / 2 there.
    huber = _solve(lk.Problem(X, y, lk.L1(alpha), loss=Huber(1e4), sample_weight=sw), tol=1e-10)
    assert squared.converged and huber.converged
    assert huber.objective == pytest.approx(squared.objective, rel=1e-9)
    scale = max(1.0, np.abs(squared.coef).max())
    np.testing.assert_allclose(huber.coef, squared.coef, atol=1e-6 * scale)
    assert huber.intercept == pytest.approx(squared.intercept, abs=1e-6 * scale)


# ---------------------------------------------------------------------------
# The losses' CVXPY forms
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("loss", [Squared(), Logistic(), Poisson(), Huber(0.7)], ids=repr)
def test_cvxpy_sum_is_the_weighted_loss(loss):
    rng = np.random.default_rng(4)
    n = 9
    y = {"squared": rng.normal(size=n), "logistic": np.sign(rng.normal(size=n)) + 0.0,
         "poisson": np.r_[0.0, 0.0, rng.poisson(4e4, size=n - 2)],
         "huber": 3 * rng.normal(size=n)}[loss.name]
    s = rng.uniform(0.0, 2.0, n)
    zv = (np.log(np.maximum(y, 1.0)) if loss.name == "poisson" else 0.0) + rng.normal(size=n)
    z = cp.Variable(n)
    z.value = zv
    expr = loss.cvxpy_sum(cp, y, z, s)
    assert expr.is_dcp() and expr.is_convex() and expr.shape == ()
    assert expr.value == pytest.approx(float(s @ loss.value(y, zv)), rel=1e-10)
    # Weights default to ones.
    assert loss.cvxpy_sum(cp, y, z).value == pytest.approx(float(loss.value(y, zv).sum()),
                                                           rel=1e-10)


class _NoCvxpyLogit(Logistic):
    """A loss without a CVXPY form: the logistic math, the base's cvxpy_sum."""

    __slots__ = ()
    name = "no-cvxpy-logit"
    cvxpy_sum = Loss.cvxpy_sum


def test_a_loss_without_cvxpy_form_is_refused_by_name():
    X, y = _data("logistic")
    problem = lk.Problem(X, y, lk.L1(0.05), loss=_NoCvxpyLogit())
    with pytest.raises(NotImplementedError, match="no CVXPY form"):
        problem.loss.cvxpy_sum(cp, problem.y, cp.Variable(N))
    ok, reason = get_backend("cvxpy").supports(problem)
    assert not ok and "no-cvxpy-logit" in reason and "CVXPY" in reason
    with pytest.raises(ValueError, match="no-cvxpy-logit"):
        problem.solve("cvxpy")


def test_cvxpy_backend_declares_every_loss():
    be = get_backend("cvxpy")
    assert be.capabilities.losses is None
    for name in LOSSES:
        assert be.supports(_problem(name))[0]


# ---------------------------------------------------------------------------
# Other backends, least squares untouched
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("backend", ["osqp", "direct"])
def test_least_squares_backends_refuse_the_logistic_loss(backend):
    X, y = _data("logistic")
    # An L2-only problem without positivity: direct would take it if squared.
    problem = lk.Problem(X, y, lk.L2(0.1), loss="logistic")
    with pytest.raises(ValueError, match="logistic") as info:
        problem.solve(backend)
    assert "cvxpy" in str(info.value)  # listed among the backends that can


def test_least_squares_keeps_its_own_statement():
    X, y = _data("huber")
    sol = lk.lasso(X, y, 0.05).solve("cvxpy", tol=1e-8)
    assert sol.converged
    assert "polished" not in sol.info  # the Newton finish is for other losses only


def test_path_through_cvxpy_for_a_logistic_problem():
    problem = _problem("logistic")
    path = lk.path(problem, backend="cvxpy", n_alphas=4, tol=1e-8)
    assert np.all(path.dual_gaps <= 1e-8 * problem._design.p0 + 1e-15)
    assert np.all(path.coefs[:, 0] == 0.0)


# ---------------------------------------------------------------------------
# verify() for every loss
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(LOSSES))
def test_verify_against_itself_for_every_loss(name):
    problem = _problem(name, weighted=True)
    report = lk.verify(problem, ["cvxpy"])
    assert report.reference["status"] == "optimal"
    row = report.backends[0]
    assert row["ok"] and row["support_agree"]
    assert row["rel_obj_diff"] <= 1e-6
    json.dumps(report.to_dict())


def test_verify_default_on_a_logistic_problem():
    problem = _problem("logistic", weighted=True, penalty="enet", share=0.02)
    report = lk.verify(problem)
    assert report.reference["backend"] == "cvxpy"
    assert report.reference["status"] == "optimal"
    names = [row["backend"] for row in report.backends]
    # Default: every capable backend but the reference; no least-squares one.
    assert "cvxpy" not in names
    assert not {"osqp", "direct"} & set(names)
    d = json.loads(json.dumps(report.to_dict()))
    assert d["reference"]["status"] == "optimal"
    assert "cvxpy (ref)" in str(report)
    rows = {row["backend"]: row for row in report.backends}
    if HAS_PROX_NEWTON and "cd" in rows:
        cd = rows["cd"]
        assert cd["error"] is None and cd["status"] == "optimal"
        assert cd["ok"] and cd["rel_obj_diff"] <= 1e-6
        assert cd["max_coef_diff"] <= 1e-4 and cd["support_agree"]
        assert report.ok
