"""``alpha_max``: against an independent computation (the largest weighted
correlation with the residual of the L1-free fit), optimal at it and not
just below it, independent of the L1 strength, and 0 where the unpenalized
part fits exactly or every feature correlates negatively under positivity.
"""

import _certificate_cases as cc
import conftest as cf
import numpy as np
import pytest

import lassokit as lk

ALPHA_MAX_CASES = [
    {},
    {"fit_intercept": False},
    {"positive": True},
    {"sample_weight": True},
    {"feature_weights": True},
    {"feature_weights": True, "positive": True},
    {"feature_weights": True, "positive": True, "sample_weight": True, "mix": "enet"},
    {"feature_weights": True, "fit_intercept": False, "mix": "enet"},
    {"mix": "enet", "sample_weight": True, "storage": "csr"},
    {"feature_weights": True, "positive": True, "storage": "csc", "dtype": "float32"},
]


@pytest.mark.parametrize("case", ALPHA_MAX_CASES, ids=[str(c) for c in ALPHA_MAX_CASES])
def test_alpha_max(case):
    problem = cf.make_problem(**case)
    am = problem.alpha_max()
    assert am > 0
    pen_mask = cc.penalized_mask(problem)

    # Independent alpha_max: the largest weighted correlation with the residual r
    # of the free fit, max_j x_j^T S r / (n v1_j) (absolute value unless positive).
    point, r, Xd = cc.free_fit(problem, pen_mask)
    n = problem.n_samples
    s = np.ones(n) if problem.sample_weight is None else problem.sample_weight
    corr = Xd.T @ (s * r) / n
    v1 = np.ones(problem.n_features) if problem.penalty.l1_weights is None else problem.penalty.l1_weights
    eff = corr if problem.positive else np.abs(corr)
    expected = max(0.0, float(np.max(eff[pen_mask] / v1[pen_mask])))
    assert am == pytest.approx(expected, rel=1e-7)

    # At alpha_max that point (penalized coefficients at zero) is certified optimal ...
    at = cc.at_a1(problem, am)
    assert at.dual_gap(point) <= 1e-10 * cf.p0_of(at)
    if pen_mask.all():
        assert at.dual_gap(np.zeros(problem.n_features)) <= 1e-10 * cf.p0_of(at)
    # ... an independent solve agrees (interior points are only ~1e-6 accurate
    # at this degenerate optimum) ...
    ref = cf.reference_for_problem(at)
    assert np.max(np.abs(ref.coef[pen_mask])) <= 1e-5 * cf.coef_scale(ref.coef)
    cf.assert_obj_close(ref.objective, at.objective(point, cf.ref_intercept(
        Xd, problem.y, point, problem.sample_weight, problem.fit_intercept)), 1e-9)

    # ... and not just below: at 0.99 alpha_max some penalized coefficient is non-zero.
    below = cc.at_a1(problem, 0.99 * am)
    ref_below = cf.reference_for_problem(below)
    assert np.max(np.abs(ref_below.coef[pen_mask])) > 1e-4 * am
    assert below.dual_gap(point) > 1e-9 * cf.p0_of(below)


def test_alpha_max_does_not_depend_on_a1():
    problem = cf.make_problem(feature_weights=True, mix="enet")
    am = problem.alpha_max()
    for a1 in (0.0, 0.5 * am, 3 * am):
        assert cc.at_a1(problem, a1).alpha_max() == pytest.approx(am, rel=1e-12)


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_alpha_max_zero_when_unpenalized_part_fits_exactly(fit_intercept, positive):
    rng = np.random.default_rng(21)
    n, p = 25, 6
    X = rng.normal(size=(n, p)) + 1.0
    y = X[:, [0, 3]] @ np.array([1.3, 0.7]) + (2.0 if fit_intercept else 0.0)
    v1 = np.ones(p)
    v1[[0, 3]] = 0.0
    prob = lk.Problem(X, y, lk.L1(0.1, v1), fit_intercept=fit_intercept, positive=positive)
    assert prob.alpha_max() == pytest.approx(0.0, abs=1e-10)
    # With a small L2 term on the free features the fit is no longer exact.
    prob2 = lk.Problem(X, y, lk.L1(0.1, v1) + lk.L2(0.5), fit_intercept=fit_intercept,
                       positive=positive)
    assert prob2.alpha_max() > 1e-4


def test_alpha_max_zero_for_constant_target_with_intercept():
    X, _ = cf.make_data(20, 5, seed=2)
    prob = lk.lasso(X, np.full(20, 3.25), 0.1)
    assert prob.alpha_max() == 0.0
    assert prob.dual_gap(np.zeros(5)) == 0.0


def test_alpha_max_positive_all_negatively_correlated():
    """Under positivity, features that only correlate negatively never enter."""
    rng = np.random.default_rng(22)
    X = rng.normal(size=(30, 4))
    y = -X @ np.array([1.0, 2.0, 0.5, 1.0]) + 0.01 * rng.normal(size=30)
    prob = lk.lasso(X, y, 0.1, positive=True, fit_intercept=False)
    Xty = X.T @ y / 30
    assert np.all(Xty < 0)
    assert prob.alpha_max() == 0.0
    assert prob.dual_gap(np.zeros(4)) <= 1e-12 * cf.p0_of(prob)
