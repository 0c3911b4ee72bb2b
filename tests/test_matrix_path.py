"""Matrix problems: ``alpha_max`` and regularization paths."""

from __future__ import annotations

from dataclasses import replace

import _matrix_cases as mc
import numpy as np
import pytest
from _matrix_cases import TIGHT, K, P

import lassokit as lk

# ---------------------------------------------------------------------------
# alpha_max and paths
# ---------------------------------------------------------------------------

AMAX_KINDS = ["multitask_lasso", "multitask_enet", "group_lasso", "group_lasso_weights",
              "sparse_group", "sparse_group_2d", "group_enet", "entrywise"]


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("kind", AMAX_KINDS)
def test_alpha_max(kind, weighted):
    X, Y, spec, sw = mc.kind_case(kind, weighted=weighted)
    prob = mc.build(X, Y, spec, sw)
    ref = mc.ref_alpha_max(X, Y, spec, sw)  # overall strength
    amax = prob.alpha_max()
    if spec.group:
        assert amax == pytest.approx(ref, rel=1e-10)
        at = spec.at(amax)
        below = spec.at(0.99 * amax)
    else:
        # Entry-wise: the L1 strength a1 at which W = 0 is optimal, L2 held fixed.
        assert amax == pytest.approx(ref * spec.l1 / spec.total, rel=1e-10)
        at = replace(spec, l1=amax)
        below = replace(spec, l1=0.99 * amax)
    pen_rows = ~mc.free_features(spec, P)
    s_at = mc.solve(prob.replace(penalty=at.penalty()))
    assert np.all(mc.as2d(s_at.coef)[pen_rows] == 0), np.max(np.abs(s_at.coef))
    s_below = mc.solve(prob.replace(penalty=below.penalty()))
    assert np.max(np.abs(mc.as2d(s_below.coef)[pen_rows])) > 1e-6
    # Cross-check the two claims with the CVXPY reference.
    W_at, _, _ = mc.cvx_solve(X, Y, at, sw)
    W_below, _, _ = mc.cvx_solve(X, Y, below, sw)
    # (An interior point leaves ~1e-6 on a group that is exactly at its threshold.)
    assert np.max(np.abs(W_at[pen_rows])) <= 1e-5
    mc.assert_close(mc.as2d(s_at.coef), W_at, 1e-5)
    mc.assert_close(mc.as2d(s_below.coef), W_below, 1e-5)


def test_alpha_max_of_ridge_only_is_infinite():
    X, Y = mc.make_data(0)
    assert lk.Problem(X, Y, lk.GroupL2(0.0) + lk.L2(1.0)).alpha_max() == np.inf


PATH_KINDS = ["multitask_lasso", "entrywise", "group_lasso", "sparse_group", "group_enet"]


@pytest.mark.parametrize("kind", PATH_KINDS)
def test_path(kind):
    X, Y, spec, sw = mc.kind_case(kind, weighted=True)
    prob = mc.build(X, Y, spec, sw)
    pa = lk.path(prob, n_alphas=6, eps=0.05, tol=TIGHT, max_iter=1000)
    one_d = np.ndim(Y) == 1
    top = mc.ref_alpha_max(X, Y, spec, sw)
    assert pa.alphas.shape == (6,)
    assert pa.alphas[0] == pytest.approx(top, rel=1e-10)
    assert pa.alphas[-1] == pytest.approx(0.05 * top, rel=1e-10)
    assert np.all(np.diff(pa.alphas) < 0)
    assert pa.coefs.shape == ((P, 6) if one_d else (K, P, 6))
    assert np.shape(pa.intercepts) == ((6,) if one_d else (K, 6))
    assert np.all(pa.converged) and np.all(pa.rel_gaps <= TIGHT)
    pen_rows = ~mc.free_features(spec, P)
    first = pa.coefs[..., 0] if one_d else pa.coefs[:, :, 0].T
    assert np.all(mc.as2d(first)[pen_rows] == 0)
    p0 = mc.ref_p0(X, Y, sw)
    slack = 1e-12 * max(1.0, p0)
    for k, a in enumerate(pa.alphas):
        Wk = pa.coefs[..., k] if one_d else pa.coefs[:, :, k].T
        np.testing.assert_array_equal(pa.coef_at(a), Wk)
        sk = spec.at(a)
        pk = prob.replace(penalty=sk.penalty())
        sep = mc.solve(pk, tol=TIGHT)
        # Both points are certified: objectives within the sum of the gaps, and
        # coefficients within the strong-convexity bound.
        Pk = mc.ref_objective(X, Y, Wk, mc.ref_intercept(X, Y, Wk, sw), sk, sw)
        assert abs(sep.objective - Pk) <= sep.dual_gap + pa.dual_gaps[k] + slack
        sigma = mc.strong_convexity(X, sk, sw)
        bound = np.sqrt(2 * sep.dual_gap / sigma) + np.sqrt(2 * pa.dual_gaps[k] / sigma)
        assert np.linalg.norm(mc.as2d(Wk) - mc.as2d(sep.coef)) <= bound + 1e-9
        # The reported gap is the gap of the path's point (same certificate).
        assert pa.dual_gaps[k] == pytest.approx(pk.dual_gap(Wk), rel=1e-6, abs=1e-15 * p0)
        assert pa.rel_gaps[k] == pytest.approx(pa.dual_gaps[k] / p0, rel=1e-9)
        # The path's intercept is the optimal one for its coef; predict uses both.
        b = mc.ref_intercept(X, Y, Wk, sw)
        mc.assert_close(np.ravel(pa.intercepts[..., k]), b, 1e-10, "intercept")
        mc.assert_close(pa.predict(X, a), X @ Wk + (b[0] if one_d else b), 1e-10, "predict")
    # Off the grid: coef_at solves there.
    mid = float(np.sqrt(pa.alphas[2] * pa.alphas[3]))
    sep = mc.solve(prob.replace(penalty=spec.at(mid).penalty()), tol=TIGHT)
    mc.assert_close(pa.coef_at(mid), sep.coef, 1e-6)
    # Group norms along the path: one row per user group (per row of W without groups).
    blocks = mc.ref_blocks(spec, P) or [([j], 0.0) for j in range(P)]
    gn = pa.group_norms()
    C = pa.coefs if not one_d else pa.coefs[None]
    want = np.array([[np.linalg.norm(C[:, idx, k]) for k in range(6)] for idx, _ in blocks])
    assert gn.shape == want.shape
    mc.assert_close(gn, want, 1e-12, "group norms")


def test_path_explicit_alphas_and_plot():
    X, Y, spec, _ = mc.kind_case("group_enet")
    prob = mc.build(X, Y, spec)
    alphas = [0.01, 0.2, 0.05]
    pa = lk.path(prob, alphas=alphas, tol=1e-10, max_iter=1000)
    np.testing.assert_array_equal(pa.alphas, sorted(alphas, reverse=True))
    for k, a in enumerate(pa.alphas):
        sep = mc.solve(prob.replace(penalty=spec.at(a).penalty()))
        mc.assert_close(pa.coefs[:, :, k].T, sep.coef, 1e-6)
    plt = pytest.importorskip("matplotlib.pyplot")
    ax = pa.plot()
    assert len(ax.get_lines()) == len(mc.ref_blocks(spec, P))
    plt.close("all")
