"""Multinomial ``alpha_max`` (from the gradient at ``W = 0``) and paths."""

from __future__ import annotations

import numpy as np
import pytest
from _multinomial_cases import P, make_data, normalized, tight_solve

import lassokit as lk


def gradient_at_zero(X, y, K, sw=None, fit_intercept=True):
    """``G = X^T S (P0 - E) / n`` with ``P0`` the intercept-only fit (class shares)."""
    n = X.shape[0]
    s = normalized(sw, n)
    E = np.eye(K)[y]
    share = (s @ E) / n if fit_intercept else np.full(K, 1.0 / K)
    return X.T @ (s[:, None] * (share[None, :] - E)) / n


ALPHA_MAX_CASES = {
    "l1": (lambda a: lk.L1(a), lambda G: np.abs(G).max(), True, None),
    "l1+l2": (lambda a: lk.L1(a) + lk.L2(0.05), lambda G: np.abs(G).max(), True, None),
    "l1-weighted-nointercept": (
        lambda a: lk.L1(a, weights=[1.0, 2.0, 0.5, 1.0, 3.0, 1.0]),
        lambda G: (np.abs(G).max(axis=1) / np.array([1.0, 2.0, 0.5, 1.0, 3.0, 1.0])).max(),
        False, None),
    "grouprows-sw": (lambda a: lk.GroupL2(a), lambda G: np.linalg.norm(G, axis=1).max(), True,
                     "sw"),
    "featuregroups": (lambda a: lk.GroupL2(a, groups=[[0, 1, 2], [3, 4], [5]]),
                      lambda G: max(np.linalg.norm(G[g]) / np.sqrt(len(g))
                                    for g in ([0, 1, 2], [3, 4], [5])), True, None),
}


@pytest.mark.parametrize("name", list(ALPHA_MAX_CASES))
def test_alpha_max(name):
    make_pen, formula, fit_intercept, weighted = ALPHA_MAX_CASES[name]
    X, y = make_data(n=70, p=P, K=4, seed=71)
    sw = np.random.default_rng(72).uniform(0.2, 2.0, 70) if weighted else None
    prob = lk.Problem(X, y, make_pen(1.0), loss="multinomial", fit_intercept=fit_intercept,
                      sample_weight=sw)
    expected = formula(gradient_at_zero(X, y, 4, sw, fit_intercept))
    am = prob.alpha_max()
    assert am == pytest.approx(expected, rel=1e-9)
    zero = np.zeros((P, 4))
    at = prob.replace(penalty=make_pen(am))
    sol = tight_solve(at)
    assert np.abs(sol.coef).max() <= 1e-10
    assert at.dual_gap(zero) <= 1e-12
    above = tight_solve(prob.replace(penalty=make_pen(am * (1 + 1e-6))))
    assert np.all(above.coef == 0)
    below_prob = prob.replace(penalty=make_pen(0.99 * am))
    below = tight_solve(below_prob)
    assert np.any(below.coef != 0)
    assert below.objective < below_prob.objective(zero) - 1e-12
    assert below_prob.dual_gap(zero) > 0


@pytest.mark.parametrize("kind", ["l1", "group"])
def test_path_converged_and_starts_at_zero(kind):
    X, y = make_data(n=70, p=P, K=3, seed=81)
    pen = lk.L1(1.0) if kind == "l1" else lk.GroupL2(1.0)
    prob = lk.Problem(X, y, pen, loss="multinomial")
    tol = 1e-9
    path = lk.path(prob, n_alphas=8, eps=1e-2, tol=tol)
    assert len(path) == 8
    assert np.all(path.converged)
    assert np.all(path.rel_gaps <= tol)
    assert np.all(np.diff(path.alphas) < 0)
    assert path.alphas[0] == pytest.approx(prob.alpha_max(), rel=1e-12)
    expected_top = (np.abs(gradient_at_zero(X, y, 3)).max() if kind == "l1"
                    else np.linalg.norm(gradient_at_zero(X, y, 3), axis=1).max())
    assert path.alphas[0] == pytest.approx(expected_top, rel=1e-9)
    coefs = np.asarray(path.coefs)
    assert coefs.shape == (3, P, 8)
    assert np.all(coefs[..., 0] == 0)
    assert np.any(coefs[..., -1] != 0)
    # Each grid point is the optimum of its own problem (checked by a fresh solve).
    for k in (2, 7):
        a = path.alphas[k]
        pk = prob.replace(penalty=lk.L1(a) if kind == "l1" else lk.GroupL2(a))
        W = coefs[..., k].T
        fresh = tight_solve(pk)
        p0 = pk.objective(np.zeros((P, 3)))
        assert pk.objective(W) - fresh.objective <= tol * p0 + 1e-13
        assert pk.dual_gap(W) == pytest.approx(path.dual_gaps[k], rel=1e-6, abs=1e-13)
