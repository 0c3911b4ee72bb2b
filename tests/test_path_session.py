"""Path sessions: every step equals an independent solve; CV engines agree.

The ``"cd"`` session keeps state between strengths (feature-space Gram when
n >> p, otherwise the residual, norms and Gram cache); these tests hold each
step to an independent single solve of the same problem, certified by
lassokit's certificate recomputed from X, on every storage and option.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import (
    SUBOPT_SLACK,
    Spec,
    assert_coef_close,
    converged_ref,
    make_data,
    make_problem,
    p0_of,
    reference_for_problem,
    timestamp_case,
)

import lassokit as lk
from lassokit.backends._cd_path import CDPathSession, use_feature_space

SPECS = [
    Spec(mix="lasso", n=80, p=12),                                   # feature space
    Spec(mix="lasso", n=30, p=60),                                   # residual mode, p > n
    Spec(mix="enet", storage="csc", sample_weight=True, n=80, p=12),
    Spec(mix="lasso", storage="csr", positive=True, n=30, p=60),
    Spec(mix="enet", dtype="float32", n=80, p=12),
    Spec(mix="lasso", dtype="float32", storage="csc", n=30, p=60),
    Spec(mix="lasso", positive=True, sample_weight=True, n=80, p=12),
    Spec(mix="enet", feature_weights=True, n=80, p=12),              # unpenalized features
    Spec(mix="lasso", feature_weights=True, n=30, p=60, fit_intercept=False),
    # The compiled residual-space grid (dense float64, p > n):
    Spec(mix="lasso", positive=True, n=40, p=80),
    Spec(mix="lasso", sample_weight=True, n=25, p=200),
]


def _with_unpenalized(prob):
    """Give feature 0 no L1 and no L2 weight (fully unpenalized)."""
    v = np.ones(prob.n_features)
    v[0] = 0.0
    pen = lk.L1(prob.penalty.l1, v) + lk.L2(prob.penalty.l2, v)
    return prob.replace(penalty=pen)


@pytest.mark.parametrize("spec", SPECS, ids=Spec.id)
def test_session_steps_equal_independent_solves(spec):
    prob = make_problem(spec)  # feature_weights: features 0 and 3 fully unpenalized
    path = lk.path(prob, n_alphas=10, eps=1e-2, tol=1e-10)
    assert path.converged.all()
    r = prob.penalty.l1_ratio
    coef_tol = 1e-5 if spec.dtype == "float64" else 2e-3
    for k in range(10):
        sub = prob.replace(penalty=prob.penalty.at(float(path.alphas[k]), r))
        # The reported gap comes from the session's sums; recomputed from X
        # the certificate agrees, and the session's may only be looser (it
        # bounds screened correlations instead of computing them).
        exact = sub.certify(path.coefs[:, k])
        p0 = sub._design.p0
        assert path.dual_gaps[k] <= 1e-10 * p0
        if spec.dtype == "float64":
            # (float32: the unrounded iterate is a better dual point than the
            # rounded coefficients' residual, so no such ordering holds.)
            assert exact.dual_gap <= 1e-10 * p0 * 1.01
            # (Both are P - D with P ~ p0: each carries a rounding error of a
            # few eps * p0, summed in a different order.)
            assert path.dual_gaps[k] >= exact.dual_gap * (1 - 1e-6) - 1e-14 * p0
        assert path.intercepts[k] == pytest.approx(exact.intercept, rel=1e-9, abs=1e-12)
        ref = converged_ref(sub.solve("cd", tol=1e-12, max_iter=100_000))
        assert_coef_close(path.coefs[:, k], ref.coef, coef_tol)


def test_feature_space_mode_is_chosen_for_tall_data_only():
    tall = make_problem(Spec(n=80, p=12))
    wide = make_problem(Spec(n=30, p=60))
    d = tall._design
    assert use_feature_space(d.n, d.p, d, "auto")
    assert not use_feature_space(d.n, d.p, d, False)
    d = wide._design
    assert not use_feature_space(d.n, d.p, d, "auto")
    unpen = _with_unpenalized(tall)
    assert not use_feature_space(80, 12, unpen._design, "auto")
    be = lk.backends.registry.get_backend("cd")
    s = be.open_path(tall, tol=1e-8, max_iter=1000, options={})
    assert isinstance(s, CDPathSession) and s.gram_path is not None
    s.close()


def test_feature_space_path_matches_residual_path():
    prob = make_problem(Spec(mix="enet", n=120, p=15, sample_weight=True))
    a = lk.path(prob, n_alphas=15, tol=1e-10)
    b = lk.path(prob, n_alphas=15, tol=1e-10, gram=False)
    assert_coef_close(a.coefs, b.coefs, 1e-5)


def test_large_offsets_do_not_freeze_features():
    # A column whose spread is tiny next to its mean (timestamps) is data, not
    # a constant (issue: cd froze it at zero).
    X, y, ref = timestamp_case()
    got = lk.Lasso(alpha=0.01, tol=1e-9).fit(X, y).coef_
    np.testing.assert_allclose(got, ref.coef_, rtol=1e-5)
    path = lk.path(lk.lasso(X, y, 0.01), n_alphas=5, eps=1e-3, tol=1e-10)
    assert path.converged.all() and path.coefs[0, -1] != 0


def test_kernel_gap_equals_certificate_gap():
    # The compiled dual (which kernels stop on) is the certificate's dual:
    # the sums handed by a feature-space session give the gap of certify().
    prob = make_problem(Spec(mix="enet", n=100, p=10))
    be = lk.backends.registry.get_backend("cd")
    s = be.open_path(prob, tol=1e-6, max_iter=1000, options={})
    raw = s.step(prob)
    from lassokit.certificate import certify

    d = prob._design
    via_sums = certify(d, prob.X, raw.coef, sums=raw.sums)
    from_x = certify(d, prob.X, raw.coef)
    assert via_sums.dual_gap == pytest.approx(from_x.dual_gap, rel=1e-6, abs=1e-13 * d.p0)
    assert via_sums.objective == pytest.approx(from_x.objective, rel=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("positive", [False, True])
def test_cv_gram_blocks_equal_session_folds(weighted, positive):
    X, y = make_data(150, 8, seed=4)
    sw = np.random.default_rng(0).uniform(0.5, 2, 150) if weighted else None
    kw = dict(alphas=12, cv=5, tol=1e-10, positive=positive)
    a = lk.LassoCV(**kw).fit(X, y, sample_weight=sw)             # Gram blocks
    b = lk.LassoCV(precompute=False, **kw)
    b.fit(sp.csc_matrix(X), y, sample_weight=sw)                  # sessions (sparse, p-space off)
    np.testing.assert_allclose(a.alphas_, b.alphas_, rtol=1e-12)
    np.testing.assert_allclose(a.mse_path_, b.mse_path_, rtol=1e-6)
    assert a.alpha_ == pytest.approx(b.alpha_, rel=1e-12)
    assert_coef_close(a.coef_, b.coef_, 1e-6)
    assert a.solution_.converged and b.solution_.converged


def test_small_input_fixes():
    prob = make_problem(Spec(n=30, p=6))
    with pytest.raises(ValueError, match=r"eps must be a number in \(0, 1\]"):
        lk.path(prob, eps=2, n_alphas=3)
    with pytest.raises(ValueError, match="one per feature"):
        prob.solve("cd", warm_start=np.zeros(4))
    sol = prob.solve("cd", max_iter=10**20)  # no OverflowError from the kernels
    assert sol.converged
    # Weights of 1e307 or 1e-320 are normalized by their maximum first.
    X, y = make_data(30, 6, seed=1)
    ref = converged_ref(
        lk.lasso(X, y, 0.05, sample_weight=np.linspace(1, 2, 30)).solve("cd", tol=1e-10))
    for scale in (1e307, 1e-300):
        sw = np.linspace(1, 2, 30) * scale
        got = lk.lasso(X, y, 0.05, sample_weight=sw).solve("cd", tol=1e-10)
        assert got.converged
        assert_coef_close(got.coef, ref.coef, 1e-6)
    # Subnormal weights keep only a few bits, so only a finite, certified answer.
    got = lk.lasso(X, y, 0.05, sample_weight=np.linspace(1, 2, 30) * 1e-320).solve("cd")
    assert got.converged and np.isfinite(got.objective)


@pytest.mark.parametrize("spec", [Spec(mix="lasso", n=30, p=200),
                                  Spec(mix="enet", sample_weight=True, positive=True, n=40, p=90),
                                  Spec(mix="enet", n=120, p=15)], ids=Spec.id)
def test_compiled_grid_equals_step_by_step(spec, monkeypatch):
    # The one-call grid (dense_path / gram_path) and the Python loop of
    # steps are the same algorithm: same certified answers.
    prob = make_problem(spec)
    grid = lk.path(prob, n_alphas=20, tol=1e-9)
    monkeypatch.setattr(CDPathSession, "solve_grid", lambda self, *a, **k: None)
    steps = lk.path(prob, n_alphas=20, tol=1e-9)
    assert grid.converged.all() and steps.converged.all()
    assert_coef_close(grid.coefs, steps.coefs, 1e-5)
    np.testing.assert_allclose(grid.intercepts, steps.intercepts, rtol=1e-6, atol=1e-9)
    # Same working sets (selected by quickselect there, argpartition here):
    # the same work, up to the rounding of when a gap check passes.
    assert abs(int(grid.n_iters.sum()) - int(steps.n_iters.sum())) <= 0.1 * steps.n_iters.sum()


def test_dense_grid_gaps_are_the_certificate_from_x():
    # The compiled residual-space grid reports gaps over every feature
    # (screened ones included); recomputed from X they agree.
    prob = make_problem(Spec(mix="enet", n=30, p=300, sample_weight=True))
    path = lk.path(prob, n_alphas=25, tol=1e-7)
    p0 = prob._design.p0
    r = prob.penalty.l1_ratio
    for k in range(len(path)):
        sub = prob.replace(penalty=prob.penalty.at(float(path.alphas[k]), r))
        exact = sub.certify(path.coefs[:, k])
        assert path.dual_gaps[k] == pytest.approx(exact.dual_gap, rel=1e-4, abs=1e-12 * p0)
        assert path.intercepts[k] == pytest.approx(exact.intercept, rel=1e-9, abs=1e-12)


def test_grid_non_finite_point_becomes_certified_zeros():
    # What the compiled loop reports for a non-finite point (gap inf) is
    # turned into zeros certified from X, as finish() does for one solve.
    from lassokit.backends.session import GridResult
    from lassokit.path import _from_grid

    prob = make_problem(Spec(mix="lasso", n=30, p=20))
    alphas = np.array([0.5, 0.1])
    C = np.ones((20, 2))
    C[3, 1] = np.nan
    grid = GridResult(C, np.array([1.0, np.inf]), np.array([3, 4]), ["success", "stalled"])
    out = [np.empty((20, 2)), np.zeros(2), np.empty(2), np.empty(2), np.zeros(2, int),
           np.zeros(2, bool)]
    _from_grid(prob, alphas, 1.0, grid, 1e-6, *out)
    coefs, intercepts, gaps, _rel, iters, conv = out
    assert np.all(coefs[:, 1] == 0) and not conv[1]
    zero = prob.replace(penalty=lk.L1(0.1)).certify(np.zeros(20))
    assert gaps[1] == pytest.approx(zero.dual_gap)
    assert intercepts[1] == pytest.approx(zero.intercept)
    np.testing.assert_array_equal(iters, [3, 4])


@pytest.mark.parametrize("order", ["C", "F"])
def test_unshifted_gram_reads_x_in_place(order):
    # No intercept, no weights, float64: the Gram is one syrk on X itself
    # (either layout); it must give the residual-space path.
    rng = np.random.default_rng(3)
    X = np.array(rng.standard_normal((300, 12)) + 3.0, order=order)
    y = X[:, :3] @ np.array([1.0, -2.0, 0.5]) + rng.standard_normal(300)
    prob = lk.lasso(X, y, 1.0, fit_intercept=False)
    a = lk.path(prob, n_alphas=15, tol=1e-10)
    b = lk.path(prob, n_alphas=15, tol=1e-10, gram=False)
    assert a.converged.all() and b.converged.all()
    assert_coef_close(a.coefs, b.coefs, 1e-6)
    G, _ = lk.backends.registry.get_backend("cd").open_path(
        prob, tol=1e-6, max_iter=10, options={}).ops.gram(np.arange(12))
    np.testing.assert_allclose(G, X.T @ X / 300, rtol=1e-12)


@pytest.mark.parametrize("scale", ["mean 1e9", "1e10 apart"])
@pytest.mark.parametrize("weighted", [False, True])
def test_compiled_dense_grid_at_extreme_scales(scale, weighted):
    # Columns with a mean of 1e9 and a spread of 1, or 1e10 apart in scale,
    # weights of 1e300: every strength of the one-call grid is certified, and
    # the certificate recomputed from X agrees.
    rng = np.random.default_rng(1)
    n, p = 40, 120
    Z = rng.standard_normal((n, p))
    y = Z[:, :3] @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.standard_normal(n)
    X = Z + 1e9 if scale == "mean 1e9" else Z * np.where(np.arange(p) % 2, 1e5, 1e-5)
    sw = rng.uniform(0.5, 2, n) * 1e300 if weighted else None
    prob = lk.lasso(X, y, 1.0, sample_weight=sw)
    path = lk.path(prob, n_alphas=20, tol=1e-8)
    assert path.converged.all()
    for k, a in enumerate(path.alphas):
        exact = prob.replace(penalty=lk.L1(float(a))).certify(path.coefs[:, k])
        assert exact.rel_gap <= 1e-8 * 1.01
        assert exact.rel_gap == pytest.approx(path.rel_gaps[k], rel=1e-3, abs=1e-14)


def test_secant_prediction_by_hand():
    from lassokit.kernels._common import secant_start, secant_step

    assert secant_step(4.0, 2.0, 1.0) == pytest.approx(1.0)  # geometric grid
    assert secant_step(8.0, 2.0, 1.0) == pytest.approx(0.5)
    assert secant_step(1.0, 2.0, 1.0) == 0.0  # not decreasing
    assert secant_step(2.0, 1.9, 0.1) == 0.0  # t > 2: not trusted
    w1 = np.array([1.0, -1.0, 0.0, 0.5, 2.0])
    w0 = np.array([0.5, -2.0, -1.0, 1.0, 1.0])
    out = np.empty(5)
    free = np.vstack([np.full(5, -np.inf), np.full(5, np.inf)])
    secant_start(w1, w0, 1.0, free, out)
    # 1.5 continues; -1 + 1 = 0 and 0.5 - 0.5 = 0 reach zero; a zero stays zero.
    np.testing.assert_array_equal(out, [1.5, 0.0, 0.0, 0.0, 3.0])
    secant_start(w1, w0, 0.5, np.vstack([np.zeros(5), np.full(5, np.inf)]), out)
    np.testing.assert_array_equal(out, [1.25, 0.0, 0.0, 0.25, 2.5])
    # A finite box clips the prediction into it.
    secant_start(w1, w0, 0.5, np.vstack([np.full(5, -1.0), np.full(5, 2.0)]), out)
    np.testing.assert_array_equal(out, [1.25, -0.5, 0.0, 0.25, 2.0])


@pytest.mark.parametrize("storage", ["dense", "csc"])
def test_secant_started_strengths_reach_the_same_optimum(storage, monkeypatch):
    # On sparse X, strengths after a slow one (>= PREDICT_AFTER epochs)
    # start from the secant prediction; dense X (stepped or in the compiled
    # grid) starts from the last answer. Certified optima either way.
    # The path session looks the kernels up when it predicts (numba loads
    # at the first solve, not with the module): patch them where they live.
    import lassokit.kernels._common as cdp

    calls = []
    real = cdp.secant_start

    def counting(*args):
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(cdp, "secant_start", counting)
    prob = make_problem(Spec(n=40, p=120, storage=storage, design="correlated"))
    grid = lk.alpha_grid(prob, 30, 1e-3)
    with_pred = lk.path(prob, alphas=grid, tol=1e-10)
    monkeypatch.setattr(CDPathSession, "solve_grid", lambda self, *a, **k: None)
    stepped = lk.path(prob, alphas=grid, tol=1e-10)
    assert with_pred.converged.all() and stepped.converged.all()
    if storage == "csc":
        assert calls, "no strength took the secant start: the test does not exercise it"
    else:
        assert not calls
    assert (stepped.n_iters >= cdp.PREDICT_AFTER).any()
    # The reference is independent of "cd" (conftest's CVXPY model polished
    # on its support) and checked converged by the certificate. (A "cd"
    # reference at tol=1e-14 and the default max_iter stopped short, at a
    # gap of 4e-6, on another machine: issue 21, item 8.)
    for k in (5, 15, 29):
        sub = prob.replace(penalty=lk.L1(float(grid[k])))
        ref = reference_for_problem(sub)
        p0 = p0_of(sub)
        assert sub.dual_gap(ref.coef) <= 1e-12 * p0, "the reference is not converged"
        slack = SUBOPT_SLACK * max(1.0, p0)
        for got in (with_pred, stepped):
            # What the certificates imply: P* <= P(coef) <= P* + gap.
            obj = sub.objective(got.coefs[:, k], got.intercepts[k])
            assert ref.objective - slack <= obj <= ref.objective + got.dual_gaps[k] + slack
            assert_coef_close(got.coefs[:, k], ref.coef, 1e-5)
