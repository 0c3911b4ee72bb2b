"""lk.path: agreement with independent solves, screening, certificates, grid, plot."""

from __future__ import annotations

import warnings

import conftest as cf
import numpy as np
import pytest
import sklearn.linear_model as sk

import lassokit as lk

#: Coefficients of a path certified to rel. gap 1e-10 vs an accurate reference.
PATH_COEF_TOL = 1e-4

SPECS = [
    cf.Spec(mix="lasso"),
    cf.Spec(mix="enet", storage="csc", sample_weight=True),
    cf.Spec(mix="lasso", storage="csr", positive=True, fit_intercept=False),
    cf.Spec(mix="enet", feature_weights=True, sample_weight=True),
    cf.Spec(mix="lasso", dtype="float32"),
]


def _p0(problem):
    return problem._design.p0


@pytest.mark.parametrize("spec", SPECS, ids=cf.Spec.id)
@pytest.mark.parametrize("strong_rules", [True, False])
def test_path_agrees_with_independent_solves(spec, strong_rules):
    prob = cf.make_problem(spec)
    path = lk.path(prob, n_alphas=8, eps=1e-2, tol=1e-10, strong_rules=strong_rules)
    assert path.coefs.shape == (prob.n_features, 8) and path.coefs.dtype == prob.dtype
    assert np.all(np.diff(path.alphas) < 0)
    assert path.converged.all()
    tol = PATH_COEF_TOL if spec.dtype == "float64" else 2e-3
    for k in range(0, 8, 3):
        sub = prob.replace(penalty=prob.penalty.scaled(
            path.alphas[k] / (prob.penalty.l1 + prob.penalty.l2)))
        lam, mu = cf.strengths(sub)
        ref = cf.reference_solve(prob.X, prob.y, lam, mu, fit_intercept=prob.fit_intercept,
                                 sample_weight=prob.sample_weight, positive=prob.positive)
        cf.assert_coef_close(path.coefs[:, k], ref.coef, tol)
        assert path.intercepts[k] == pytest.approx(ref.intercept, abs=tol * max(1, abs(ref.intercept)))
        # The reported gap bounds the true suboptimality.
        obj = sub.objective(path.coefs[:, k], path.intercepts[k])
        assert obj - ref.objective <= path.dual_gaps[k] + cf.SUBOPT_SLACK * max(1.0, _p0(sub))


def test_path_matches_sklearn_paths():
    X, y = cf.make_data(40, 25, seed=5)
    y = y - y.mean()
    grid = np.geomspace(1.0, 0.005, 12)
    path = cf.converged_ref(lk.path(lk.lasso(X, y, 1.0, fit_intercept=False), alphas=grid,
                                    tol=1e-12))
    with cf.sklearn_converged():
        _, ref, _ = sk.lasso_path(X, y, alphas=grid, tol=1e-14, max_iter=1_000_000)
    cf.assert_coef_close(path.coefs, ref, 1e-6)
    enet = cf.converged_ref(lk.path(lk.elastic_net(X, y, 1.0, l1_ratio=0.4, fit_intercept=False),
                                    alphas=grid, tol=1e-12))
    with cf.sklearn_converged():
        _, ref, _ = sk.enet_path(X, y, l1_ratio=0.4, alphas=grid, tol=1e-14, max_iter=1_000_000)
    cf.assert_coef_close(enet.coefs, ref, 1e-6)


def test_default_grid_is_sklearns():
    X, y = cf.make_data(40, 12, seed=2)
    for l1_ratio in (1.0, 0.3):
        prob = lk.elastic_net(X, y, 1.0, l1_ratio=l1_ratio)
        grid = lk.alpha_grid(prob, n_alphas=7, eps=1e-2)
        ref = sk.ElasticNetCV(l1_ratio=l1_ratio, alphas=7, eps=1e-2, cv=2).fit(X, y).alphas_
        np.testing.assert_allclose(grid, ref, rtol=1e-12)
        path = lk.path(prob, n_alphas=7, eps=1e-2, tol=1e-8)
        np.testing.assert_array_equal(path.alphas, grid)
        assert not np.any(path.coefs[:, 0])  # alpha_max: zero is optimal
        assert np.any(path.coefs[:, 1])


def test_strong_rule_misses_are_repaired_by_the_kkt_check():
    """Feed the screened step a useless 'previous' correlation: KKT must add everything."""
    from lassokit.backends._generic_path import GenericPathSession, _Correlations
    from lassokit.backends.registry import get_backend

    prob = cf.make_problem(cf.Spec(mix="lasso", n=40, p=30))
    session = GenericPathSession(get_backend("cd"), prob, tol=1e-10, max_iter=10000,
                                 options={})
    session._corr = _Correlations(prob)
    session._corr.exact(session._residual(np.zeros(30)))
    sub = prob.replace(penalty=lk.L1(prob.penalty.l1 * 0.3))
    lam = sub._design.lam
    raw = session._solve_screened(sub, np.zeros(30), np.zeros(30), lam)
    cert = sub.certify(raw.coef)
    assert cert.dual_gap <= 1e-10 * _p0(sub)
    ref = cf.converged_ref(sub.solve("cvxpy", tol=1e-10))
    cf.assert_coef_close(raw.coef, ref.coef, 1e-4)


def test_bounded_certificate_is_valid_and_never_below_the_exact_one():
    X, y = cf.make_data(30, 400, seed=3)
    prob = lk.lasso(X, y, 1.0)
    path = lk.path(prob, n_alphas=20, tol=1e-8)
    for k in range(20):
        sub = prob.replace(penalty=lk.L1(float(path.alphas[k])))
        exact = sub.certify(path.coefs[:, k]).dual_gap
        assert path.dual_gaps[k] >= exact - 1e-15 * max(1.0, _p0(sub))
        assert path.dual_gaps[k] <= 1e-8 * _p0(sub)


def test_any_backend_and_coef_init():
    prob = cf.make_problem(cf.Spec(mix="enet", n=25, p=10))
    grid = np.geomspace(2.0, 0.02, 5) * prob.penalty.l1
    ref = cf.converged_ref(lk.path(prob, alphas=grid, backend="cd", tol=1e-10))
    for backend in ("cvxpy", "admm"):
        if backend not in lk.available_backends():
            continue
        other = lk.path(prob, alphas=grid, backend=backend, tol=1e-8)
        assert other.backend == backend and other.converged.all()
        cf.assert_coef_close(other.coefs, ref.coefs, 1e-3)
    warm = lk.path(prob, alphas=grid[-1:], coef_init=ref.coefs[:, -1], tol=1e-10)
    assert warm.n_iters[0] <= 2 * max(1, ref.n_iters[-1])


def test_unsorted_alphas_and_ridge_path():
    X, y = cf.make_data(30, 8, seed=1)
    ridge = lk.ridge(X, y, 1.0)
    with pytest.raises(ValueError, match="alphas"):
        lk.path(ridge)
    path = lk.path(ridge, alphas=[0.1, 10.0, 1.0], backend="direct", tol=1e-10)
    np.testing.assert_array_equal(path.alphas, [10.0, 1.0, 0.1])
    for k, a in enumerate(path.alphas):
        sol = lk.ridge(X, y, a).solve("direct")
        cf.assert_coef_close(path.coefs[:, k], sol.coef, 1e-8)


def test_unconverged_path_warns_once():
    X, y = cf.make_data(30, 20, seed=7)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = lk.path(lk.lasso(X, y, 1.0), n_alphas=6, tol=1e-14, max_iter=1)
    msgs = [w for w in caught if issubclass(w.category, lk.ConvergenceWarning)]
    assert len(msgs) == 1 and "strengths stopped above tol" in str(msgs[0].message)
    assert not path.converged.all()


def test_bad_arguments():
    prob = cf.make_problem()
    with pytest.raises(TypeError, match="Problem"):
        lk.path("not a problem")
    with pytest.raises(ValueError, match="alphas"):
        lk.path(prob, alphas=[1.0, -1.0])
    with pytest.raises(ValueError, match="n_alphas"):
        lk.path(prob, n_alphas=0)
    with pytest.raises(ValueError, match="eps"):
        lk.path(prob, eps=0.0)
    with pytest.raises(TypeError, match="strong_rules"):
        lk.path(prob, strong_rules="yes")
    with pytest.raises(TypeError, match="unknown option"):
        lk.path(prob, not_an_option=1)


def test_plot_draws_one_line_per_feature_on_a_log_axis():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    prob = cf.make_problem(cf.Spec(p=7))
    path = lk.path(prob, n_alphas=10)
    fig, ax = plt.subplots()
    out = path.plot(ax=ax)
    assert out is ax and len(ax.get_lines()) == 7 and ax.get_xscale() == "log"
    plt.close(fig)
    assert "Path(n_alphas=10" in repr(path) and len(path) == 10


def test_int_alphas_is_refused_with_the_fix():
    # Regression: lk.path(problem, alphas=50) solved one strength of 50.
    rng = np.random.RandomState(0)
    X, y = rng.randn(20, 3), rng.randn(20)
    with pytest.raises(TypeError, match="n_alphas=50"):
        lk.path(lk.lasso(X, y, 1.0), alphas=50)
    assert lk.path(lk.lasso(X, y, 1.0), alphas=[0.5]).coefs.shape == (3, 1)
