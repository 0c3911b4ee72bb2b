"""The multinomial certificate at arbitrary points, and honest statuses on a hard
(nearly separated) instance.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _multinomial_cases import (
    SLACK,
    P,
    cvx_reference,
    lk_penalty,
    make_data,
    tight_solve,
)

import lassokit as lk

# ---------------------------------------------------------------------------
# The certificate at arbitrary points
# ---------------------------------------------------------------------------

CERT_CASES = {
    "l1": ({"l1": (0.03, None)}, True, False),
    "l2-nointercept": ({"l2": (0.1, None)}, False, False),
    "grouprows-sw": ({"group": (0.04, None)}, True, True),
    "featuregroups+l1+l2": ({"group": (0.03, [[0, 1], [2, 3, 4, 5]]), "l1": (0.01, None),
                             "l2": (0.02, None)}, True, False),
}


@pytest.mark.parametrize("name", list(CERT_CASES))
def test_certificate_bounds_suboptimality(name):
    spec, fit_intercept, weighted = CERT_CASES[name]
    X, y = make_data(n=60, p=P, K=3, seed=21)
    sw = np.random.default_rng(22).uniform(0.3, 2.0, 60) if weighted else None
    prob = lk.Problem(X, y, lk_penalty(spec), loss="multinomial",
                      fit_intercept=fit_intercept, sample_weight=sw)
    sol = tight_solve(prob, tol=1e-12)
    p_star = sol.objective
    assert sol.rel_gap <= 1e-12
    rng = np.random.default_rng(23)
    W_sol = np.asarray(sol.coef, float)
    points = {
        "zero": np.zeros((P, 3)),
        "random": rng.standard_normal((P, 3)),
        "large": 10.0 * rng.standard_normal((P, 3)),
        "sparse": np.where(rng.random((P, 3)) < 0.3, rng.standard_normal((P, 3)), 0.0),
        "near-optimum": W_sol + 1e-3 * rng.standard_normal((P, 3)),
        "row-shifted-optimum": W_sol + 0.5,  # same loss, different penalty
    }
    for label, W in points.items():
        gap = prob.dual_gap(W)
        excess = prob.objective(W) - p_star
        assert np.isfinite(gap), label
        assert gap >= 0.0, label
        assert gap >= excess - SLACK * max(1.0, abs(p_star)), (label, gap, excess)
    # Tiny at the solution, and it is the solution's own reported gap.
    gap_sol = prob.dual_gap(W_sol)
    assert gap_sol <= 1e-12 * prob.objective(np.zeros((P, 3))) + 1e-15
    assert gap_sol == pytest.approx(sol.dual_gap, abs=1e-14)


def test_certificate_is_informative_away_from_optimum():
    """The gap is not a trivial ``inf``/huge bound: it goes to 0 along a converging sequence."""
    X, y = make_data(n=60, p=P, K=3, seed=31)
    prob = lk.Problem(X, y, lk.L1(0.02) + lk.L2(0.01), loss="multinomial")
    sol = tight_solve(prob, tol=1e-12)
    W_sol = np.asarray(sol.coef, float)
    direction = np.random.default_rng(32).standard_normal((P, 3))
    gaps = [prob.dual_gap(W_sol + t * direction) for t in (1e-1, 1e-2, 1e-3)]
    assert gaps[0] > gaps[1] > gaps[2] > 0
    assert gaps[2] < 1e-3

# ---------------------------------------------------------------------------
# Hard instances: a nearly separated class (iris) at a tight tolerance
# ---------------------------------------------------------------------------

def iris():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


@pytest.mark.parametrize("r", [1.0, 0.5, 0.0])
def test_iris_certified_at_tight_tolerance(r):
    """Iris (setosa nearly separated) at ``tol=1e-10``: the status must be honest and optimal.

    The objective reaches the CVXPY optimum, so a solve that reports
    anything but "optimal" here misjudges its own answer.
    """
    X, y = iris()
    a = 1.0 / (0.5 * X.shape[0])
    spec = {}
    if r > 0:
        spec["l1"] = (a * r, None)
    if r < 1:
        spec["l2"] = (a * (1 - r), None)
    ref_obj, _, _ = cvx_reference(X, y, 3, spec)
    prob = lk.Problem(X, y, lk_penalty(spec), loss="multinomial")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sol = prob.solve("cd", tol=1e-10, max_iter=10 ** 6)
    assert abs(sol.objective - ref_obj) <= 1e-9 * abs(ref_obj)
    assert sol.rel_gap <= 1e-10, sol.rel_gap
    assert sol.status == "optimal"
    assert prob.dual_gap(sol.coef) <= 1e-10 * prob.objective(np.zeros((4, 3)))
