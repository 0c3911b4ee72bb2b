"""Box bounds: ``alpha_max`` with one-sided and pinned boxes, against a hand
computation (a side closed against a feature's correlation does not count,
a pinned feature never does), and the solutions just above and just below it.
"""

from __future__ import annotations

import dataclasses

import _bounds_cases as bc
import numpy as np
import pytest
import scipy.sparse as sp

pytest.importorskip("cvxpy")

INF = np.inf


def _alpha_max_case(loss, fit_intercept, weighted, storage, l2=0.0, feature_weights=False,
                    unpenalized=False, seed=3):
    """A case whose alpha_max depends on the box, and the hand-computed value.

    Hand computation: fit the features without an L1 term (under their box)
    with the intercept; ``g = X^T s r0 / n`` the correlations with that
    residual; a feature counts ``|g_j|`` when both its sides are open, ``g_j+``
    when only the upper one is (lower = 0), ``g_j-`` when only the lower one
    is, nothing when pinned; divided by its L1 weight.
    """
    from scipy.optimize import lsq_linear
    from scipy.special import expit

    rng = np.random.default_rng(seed)
    n, p = 90, 7
    X = rng.normal(size=(n, p)) + rng.normal(scale=0.5, size=p)
    if storage != "dense":
        X = np.where(rng.random((n, p)) < 0.5, X, 0.0)
    wt = rng.normal(scale=1.5, size=p)
    if loss == "squared":
        y = X @ wt + 1.0 + 0.5 * rng.normal(size=n)
    else:
        y = (rng.uniform(size=n) < expit(0.5 * X @ wt + 0.2)).astype(float)
    v1 = rng.uniform(0.5, 2.0, size=p) if feature_weights else np.ones(p)
    lower, upper = np.full(p, -INF), np.full(p, INF)
    sw = bc._sample_weight(n, seed) if weighted else None
    Xs = sp.csc_matrix(X) if storage == "csc" else X
    case = bc.Case(Xs, y, loss, 1.0, l2, v1, None, lower, upper, fit_intercept, sw,
                   f"am-{loss}-{fit_intercept}-{weighted}-{storage}-{l2}-{feature_weights}-"
                   f"{unpenalized}")
    c = case.c
    U = np.array([0]) if unpenalized else np.array([], dtype=int)
    v1[U] = 0.0
    xm = (c @ X) / c.sum() if fit_intercept else np.zeros(p)

    def correlations(lo_u, up_u):
        """g = X^T s r0 / n at the fit of the unpenalized part (and intercept)."""
        if loss == "squared":
            yc = y - (c @ y) / c.sum() if fit_intercept else y
            Xc = X - xm
            wU = np.zeros(0)
            if U.size:
                A = np.sqrt(c)[:, None] * Xc[:, U]
                wU = lsq_linear(A, np.sqrt(c) * yc, bounds=(lo_u, up_u), method="bvls",
                                tol=1e-15).x
            r0 = yc - Xc[:, U] @ wU
            return X.T @ (c * r0), wU
        pbar = float(c @ y) / c.sum() if fit_intercept else 0.5
        return X.T @ (c * (y - pbar)), np.zeros(0)

    g_free, wU_free = correlations(np.full(U.size, -INF), np.full(U.size, INF))
    pen = v1 > 0
    unbounded = float(np.max(np.abs(g_free[pen]) / v1[pen]))
    if unpenalized:
        # a binding box on the unpenalized feature changes the residual
        cap = 0.4 * abs(wU_free[0])
        lower[0], upper[0] = -cap, cap
        g, wU = correlations(lower[U], upper[U])
        case.extra["wU"] = wU
    else:
        g = g_free
    score = np.where(pen, np.abs(g) / np.where(pen, v1, 1.0), -INF)
    order = [j for j in np.argsort(-score) if pen[j]]
    j0, j1, j2 = order[0], order[1], order[2]
    # j0: only the side against its correlation is open -> does not count
    if g[j0] > 0:
        lower[j0], upper[j0] = -2.0, 0.0
    else:
        lower[j0], upper[j0] = 0.0, 3.0
    # j1: pinned
    lower[j1] = upper[j1] = 0.0
    # j2: only its own side open (a one-sided box that counts)
    if g[j2] > 0:
        lower[j2], upper[j2] = 0.0, INF
    else:
        lower[j2], upper[j2] = -INF, 0.0
    # the rest: finite two-sided boxes (count |g|)
    for j in order[3:]:
        lower[j], upper[j] = -0.5, 0.25
    case.v1 = v1
    expected = 0.0
    for j in np.flatnonzero(pen):
        up_open, down_open = upper[j] > 0, lower[j] < 0
        s = max(g[j] if up_open else 0.0, -g[j] if down_open else 0.0)
        expected = max(expected, s / v1[j])
    case.extra["U"] = U
    return case, expected, unbounded


AM_CASES = [
    {"loss": "squared", "fit_intercept": False, "weighted": False, "storage": "dense"},
    {"loss": "squared", "fit_intercept": True, "weighted": True, "storage": "dense"},
    {"loss": "squared", "fit_intercept": True, "weighted": False, "storage": "csc", "l2": 0.3},
    {"loss": "squared", "fit_intercept": False, "weighted": True, "storage": "dense",
     "feature_weights": True},
    {"loss": "squared", "fit_intercept": True, "weighted": False, "storage": "dense",
     "unpenalized": True},
    {"loss": "logistic", "fit_intercept": True, "weighted": False, "storage": "dense"},
    {"loss": "logistic", "fit_intercept": False, "weighted": True, "storage": "dense", "l2": 0.1},
]


def _am_id(kw):
    return "-".join(f"{k}={v}" for k, v in kw.items() if k != "storage" or v != "dense")


@pytest.mark.parametrize("kw", AM_CASES, ids=_am_id)
def test_alpha_max_with_bounds_matches_hand_computation(kw):
    case, expected, unbounded = _alpha_max_case(**kw)
    # the box matters here: the unbounded alpha_max is clearly larger
    assert expected < unbounded * (1 - 1e-3)
    assert expected > 0
    problem = case.problem()
    assert problem.alpha_max() == pytest.approx(expected, rel=1e-9), (
        f"alpha_max with bounds {problem.alpha_max()!r}, hand computation {expected!r} "
        f"(unbounded: {unbounded!r}); lower {case.lower}, upper {case.upper}")
    # and the unbounded problem's alpha_max is the plain one
    assert case.problem(bounds=None).alpha_max() == pytest.approx(unbounded, rel=1e-9)

    penalized = case.v1 > 0
    # Just above: every penalized coefficient exactly 0.
    above = dataclasses.replace(case, a1=expected * (1 + 1e-9))
    sol = bc.solve(above.problem(), "cd", tol=1e-10)
    assert sol.converged
    assert np.all(sol.coef[penalized] == 0.0), sol.coef
    bc.assert_in_box(sol.coef, case.lower, case.upper)
    if case.extra["U"].size:
        np.testing.assert_allclose(sol.coef[case.extra["U"]], case.extra["wU"], rtol=1e-7,
                                   atol=1e-10)

    # Just below: the reference improves on the zero point, and a certified
    # solve at a tol finer than that improvement cannot return zeros.
    below = dataclasses.replace(case, a1=expected * (1 - 1e-3), name=case.name + "-below")
    ref = bc.uncached_reference(below)
    w_base = np.zeros(case.p)
    if case.extra["U"].size:
        w_base[case.extra["U"]] = case.extra["wU"]
    base_val = bc.objective_opt_b(below, w_base)
    decrease = base_val - ref.objective
    assert decrease > 10 * ref.gap + 1e-14 * ref.p0, (decrease, ref.gap)
    tol = min(1e-9, 0.1 * decrease / ref.p0)
    sol = bc.solve(below.problem(), "cd", tol=tol)
    assert sol.converged, (sol.status, sol.rel_gap, tol)
    assert np.any(sol.coef[penalized] != 0.0)
    bc.assert_in_box(sol.coef, case.lower, case.upper)
