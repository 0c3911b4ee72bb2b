"""Groups of size one are the L1 penalty (lk.lasso, scikit-learn's Lasso/ElasticNet)."""

from __future__ import annotations

import warnings

import _matrix_cases as mc
import numpy as np
import pytest
from _matrix_cases import GROUPS, TIGHT, P, Spec

import lassokit as lk

# ---------------------------------------------------------------------------
# Groups of size one are the L1 penalty
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("how", ["singleton lists", "None", "labels", "singleton defaults"])
def test_singleton_groups_are_lasso(how, fit_intercept, weighted):
    X, y = mc.make_data(1, one_d=True)
    sw = mc.sample_weights() if weighted else None
    a = 0.08
    groups = {"singleton lists": [[j] for j in range(P)], "None": None,
              "labels": list(range(P))[::-1], "singleton defaults": [[j] for j in range(P)]}[how]
    weights = np.ones(P) if how == "singleton lists" else None
    g = lk.Problem(X, y, lk.GroupL2(a, groups, weights), fit_intercept=fit_intercept,
                   sample_weight=sw)
    l1 = lk.lasso(X, y, a, fit_intercept=fit_intercept, sample_weight=sw)
    assert type(g).__name__ == "MatrixProblem"
    sg, sl = mc.solve(g, tol=TIGHT), mc.solve(l1, tol=TIGHT)
    assert sg.coef.shape == (P,) and isinstance(sg.intercept, float)
    mc.assert_certified_close(sg, sl, X, Spec(group=False, l1=a), sw, fit_intercept, y)
    mc.assert_intercepts_match(sg.intercept, sg.coef, sl.intercept, sl.coef, X, sw, fit_intercept)
    # The two problems have the same objective everywhere. (The one-target
    # Problem.objective takes intercept=0.0 by default, the matrix one the optimal
    # intercept: compare at explicit intercepts.)
    W = np.random.default_rng(0).standard_normal(P)
    b = g.certify(W).intercept if fit_intercept else 0.0
    assert g.objective(W) == pytest.approx(l1.objective(W, b), rel=1e-12)
    assert g.objective(W, b) == pytest.approx(l1.objective(W, b), rel=1e-12)
    if fit_intercept:
        assert g.objective(W, 0.3) == pytest.approx(l1.objective(W, 0.3), rel=1e-12)
        assert g.dual_gap(W) == pytest.approx(l1.dual_gap(W), rel=1e-6)
    assert 0 < np.sum(sg.coef != 0) < P


def test_singleton_groups_match_sklearn_lasso_and_enet():
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import ElasticNet, Lasso

    X, y = mc.make_data(2, one_d=True)
    a, r = 0.1, 0.6
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        las = Lasso(alpha=a, tol=1e-12, max_iter=10**6).fit(X, y)
        en = ElasticNet(alpha=a, l1_ratio=r, tol=1e-12, max_iter=10**6).fit(X, y)
    for pen, spec, sk in (
            (lk.GroupL2(a), Spec(alpha=a), las),
            (lk.GroupL2(a * r) + lk.L2(a * (1 - r)), Spec(alpha=a * r, l2=a * (1 - r)), en)):
        sol = mc.solve(lk.Problem(X, y, pen), tol=TIGHT)
        P_sk = mc.ref_objective(X, y, sk.coef_, sk.intercept_, spec)
        assert sol.objective - sol.dual_gap <= P_sk + 1e-12
        assert abs(sol.objective - P_sk) <= 1e-10 * max(1.0, P_sk)
        mc.assert_near_reference(sol, sk.coef_, P_sk, mc.strong_convexity(X, spec), tol=1e-7)
        mc.assert_intercepts_match(sol.intercept, sol.coef, sk.intercept_, sk.coef_, X)


def test_weighted_singletons_are_weighted_l1():
    X, y = mc.make_data(3, one_d=True)
    v = np.array([1.0, 0.5, 2.0, 1.0, 0.0, 3.0, 1.0])
    a = 0.1
    g = mc.solve(lk.Problem(X, y, lk.GroupL2(a, [[j] for j in range(P)], v)), tol=TIGHT)
    l1 = mc.solve(lk.Problem(X, y, lk.L1(a, weights=v)), tol=TIGHT)
    mc.assert_certified_close(g, l1, X, Spec(group=False, l1=a), Y=y)
    assert g.coef[4] != 0  # weight 0: unpenalized


def test_single_column_matrix_equals_vector():
    X, y = mc.make_data(4, one_d=True)
    pen = lk.GroupL2(0.2, GROUPS) + lk.L1(0.02)
    a = mc.solve(lk.Problem(X, y, pen), tol=TIGHT)
    b = mc.solve(lk.Problem(X, y[:, None], pen), tol=TIGHT)
    assert a.coef.shape == (P,) and b.coef.shape == (P, 1)
    mc.assert_certified_pair(a, type("S", (), {"coef": b.coef[:, 0], "objective": b.objective,
                                               "dual_gap": b.dual_gap}),
                             mc.strong_convexity(X, Spec(alpha=0.2, groups=GROUPS, l1=0.02)),
                             mc.ref_p0(X, y))
