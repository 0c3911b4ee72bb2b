"""Path.relax (glmnet's relax=TRUE) against explicit least-squares refits on each support."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import make_data, make_sample_weight
from scipy.optimize import lsq_linear

import lassokit as lk


def _refit(X, y, sw, support, fit_intercept, positive=False):
    """Unpenalized least squares on ``support``: ``(coef, intercept)``.

    Written here without lassokit: an explicit intercept column, the square
    roots of the weights on the rows, ``np.linalg.lstsq`` (minimum norm) or
    ``lsq_linear`` with the bounds (the intercept free).
    """
    Xd = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
    n, p = Xd.shape
    r = np.sqrt(np.ones(n) if sw is None else np.asarray(sw, dtype=np.float64))
    S = np.flatnonzero(support)
    A = Xd[:, S]
    if fit_intercept:
        A = np.column_stack([A, np.ones(n)])
    A, b = A * r[:, None], y * r
    if positive:
        lb = np.r_[np.zeros(S.size), [-np.inf] * fit_intercept]
        sol = lsq_linear(A, b, bounds=(lb, np.inf), tol=1e-14, lsmr_tol="auto").x
    else:
        sol = np.linalg.lstsq(A, b, rcond=None)[0]
    coef = np.zeros(p)
    coef[S] = sol[:S.size]
    return coef, (float(sol[-1]) if fit_intercept else 0.0)


@pytest.fixture(params=["stacked", "one_by_one"])
def solver(request, monkeypatch):
    """Both ways lassokit solves the supports: as one stack (few features), one by one."""
    import lassokit._relax as relax

    if request.param == "one_by_one":
        monkeypatch.setattr(relax, "_BATCH", 0)
    return request.param


def _relaxed_reference(path, X, y, sw, gamma, fit_intercept, positive=False):
    coefs = np.empty(path.coefs.shape)
    icpts = np.empty(len(path))
    for i in range(len(path)):
        w, b = _refit(X, y, sw, path.nonzero()[:, i], fit_intercept, positive)
        coefs[:, i] = gamma * path.coefs[:, i] + (1 - gamma) * w
        icpts[i] = gamma * path.intercepts[i] + (1 - gamma) * b
    return coefs, icpts


def _close(a, b, rtol=1e-8):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * max(1.0, np.abs(b).max()))


@pytest.mark.parametrize("storage", ["dense", "csc"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_relaxed_path_is_the_blend_with_the_refit_on_each_support(storage, weighted,
                                                                 fit_intercept, solver):
    X, y = make_data(50, 10, seed=1, storage=storage, noise=0.5)
    sw = make_sample_weight(50, 1) if weighted else None
    path = lk.lasso_path(X, y, n_alphas=12, tol=1e-10, sample_weight=sw,
                         fit_intercept=fit_intercept)
    relaxed = path.relax([0.0, 0.3, 1.0])
    assert [r.gamma for r in relaxed] == [0.0, 0.3, 1.0]
    for r in relaxed:
        coefs, icpts = _relaxed_reference(path, X, y, sw, r.gamma, fit_intercept)
        _close(r.coefs, coefs)
        _close(r.intercepts, icpts)
        np.testing.assert_array_equal(r.alphas, path.alphas)
    # gamma = 1 is the path itself; gamma = 0 keeps each support.
    np.testing.assert_array_equal(relaxed[2].coefs, path.coefs)
    assert np.array_equal(relaxed[0].nonzero(), path.nonzero())


def test_positive_refit_is_a_nonnegative_least_squares():
    rng = np.random.default_rng(14)
    X = rng.standard_normal((40, 6))
    X[:, 2] = X[:, 0] + 0.3 * rng.standard_normal(40)  # enters, but its free refit is < 0
    y = 2 * X[:, 0] - 0.8 * X[:, 2] + X[:, 1] + 0.5 * rng.standard_normal(40)
    path = lk.lasso_path(X, y, n_alphas=10, positive=True, tol=1e-10)
    free, _ = _relaxed_reference(path, X, y, None, 0.0, True)
    assert free.min() < 0  # so positivity decides something here
    r = path.relax(0.0)
    coefs, icpts = _relaxed_reference(path, X, y, None, 0.0, True, positive=True)
    assert np.all(r.coefs >= 0)
    _close(r.coefs, coefs, rtol=1e-6)
    _close(r.intercepts, icpts, rtol=1e-6)


def test_unpenalized_features_are_always_in_and_a_singular_support_gets_the_minimum_norm():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((30, 5))
    X[:, 1] = X[:, 0]  # two identical, unpenalized columns: a singular system
    y = X[:, 0] + X[:, 3] + 0.1 * rng.standard_normal(30)
    pf = np.array([0.0, 0.0, 1.0, 1.0, 1.0])
    path = lk.lasso_path(X, y, n_alphas=6, weights=pf, tol=1e-10)
    r = path.relax(0.0)
    for i in range(len(path)):
        support = path.nonzero()[:, i]
        support[:2] = True
        w, b = _refit(X, y, None, support, True)  # lstsq: the minimum-norm solution
        _close(r.coefs[:, i], w, rtol=1e-7)
        assert r.intercepts[i] == pytest.approx(b, rel=1e-7, abs=1e-7)
    # At alpha_max only the free features are in: the fit on them alone.
    assert r.coefs[0, 0] == pytest.approx(r.coefs[1, 0]) and r.coefs[0, 0] != 0
    assert not np.any(r.coefs[2:, 0])


def test_more_features_than_samples_and_a_float32_design(solver):
    X, y = make_data(20, 40, seed=4, noise=0.2)
    path = lk.lasso_path(X.astype(np.float32), y, n_alphas=15, tol=1e-8)
    r = path.relax(0.5)
    assert r.coefs.dtype == np.float32
    coefs, icpts = _relaxed_reference(path, X.astype(np.float32).astype(np.float64), y, None,
                                      0.5, True)
    _close(r.coefs, coefs, rtol=1e-4)  # float32 coefficients
    _close(r.intercepts, icpts, rtol=1e-4)


def test_a_union_of_supports_too_large_to_hold_is_refitted_support_by_support(monkeypatch):
    import lassokit._relax as relax

    X, y = make_data(40, 12, seed=9, noise=0.5)
    path = lk.lasso_path(X, y, n_alphas=8, tol=1e-10)
    monkeypatch.setattr(relax, "_MAX_UNION", 2)  # each support forms its own system
    coefs, icpts = _relaxed_reference(path, X, y, None, 0.0, True)
    r = path.relax(0.0)
    _close(r.coefs, coefs)
    _close(r.intercepts, icpts)


def test_a_target_at_the_edge_of_the_float_range():
    X, y = make_data(40, 6, seed=5)
    c = 2.0 ** -900  # lassokit solves this target rescaled (lassokit._rescale)
    path = lk.lasso_path(X, y * c, n_alphas=8, tol=1e-10)
    r = path.relax(0.0)
    coefs, icpts = _relaxed_reference(path, X, y * c, None, 0.0, True)
    np.testing.assert_allclose(r.coefs, coefs, rtol=1e-7, atol=1e-7 * np.abs(coefs).max())
    np.testing.assert_allclose(r.intercepts, icpts, rtol=1e-7, atol=1e-7 * np.abs(icpts).max())


def test_certificate_queries_and_relaxing_again():
    X, y = make_data(50, 8, seed=6)
    path = lk.lasso_path(X, y, n_alphas=10, tol=1e-10)
    r = path.relax(0.25)
    # The certificate is the penalized path's (documented): it certifies the
    # solutions whose supports were refitted.
    assert r.dual_gaps is path.dual_gaps and r.converged is path.converged
    assert "gamma=0.25" in repr(r) and path.gamma is None
    # Relaxing again starts from the penalized path: gammas never compound.
    np.testing.assert_array_equal(r.relax(1.0).coefs, path.coefs)
    _close(r.relax(0.0).coefs, path.relax(0.0).coefs, rtol=1e-12)
    # Between grid points: interpolated; exact=True relaxes the solution there.
    a = 0.5 * (path.alphas[4] + path.alphas[5])
    ref = lk.lasso(X, y, a).solve(tol=1e-12)
    w, b = _refit(X, y, None, ref.coef != 0, True)
    _close(r.coef_at(a, exact=True), 0.25 * ref.coef + 0.75 * w, rtol=1e-6)
    assert r.intercept_at(a, exact=True) == pytest.approx(0.25 * ref.intercept + 0.75 * b,
                                                         rel=1e-6)
    Z = r.predict(X[:5], alpha=[path.alphas[3], a])
    _close(Z[:, 0], X[:5] @ r.coefs[:, 3] + r.intercepts[3], rtol=1e-12)
    # A pickled path relaxes too (it keeps its problem).
    _close(pickle.loads(pickle.dumps(path)).relax(0.25).coefs, r.coefs, rtol=1e-12)


def test_a_path_with_no_support_relaxes_to_itself():
    X, y = make_data(30, 5, seed=10)
    path = lk.lasso_path(X, y, alphas=[1e6, 1e5])
    r = path.relax(0.0)
    assert not np.any(r.coefs)
    np.testing.assert_allclose(r.intercepts, np.mean(y), rtol=1e-12)


def test_enet_paths_relax_to_the_unpenalized_fit():
    X, y = make_data(40, 8, seed=7)
    path = lk.enet_path(X, y, l1_ratio=0.5, n_alphas=6, tol=1e-10)
    coefs, _ = _relaxed_reference(path, X, y, None, 0.0, True)
    _close(path.relax(0.0).coefs, coefs)


def test_bad_gamma_missing_problem_and_other_losses_are_refused():
    X, y = make_data(30, 5, seed=8)
    path = lk.lasso_path(X, y, n_alphas=4)
    for bad in (1.5, -0.1, [0.5, 2.0], [], [[0.5]], np.nan):
        with pytest.raises(ValueError, match="gamma must be a number in"):
            path.relax(bad)
    for bad in ("0.5", True, None, [1j]):
        with pytest.raises(TypeError, match="gamma must be a number in"):
            path.relax(bad)
    bare = lk.Path(alphas=path.alphas, coefs=path.coefs, intercepts=path.intercepts,
                   dual_gaps=path.dual_gaps, rel_gaps=path.rel_gaps, n_iters=path.n_iters,
                   converged=path.converged, l1_ratio=1.0, backend="cd", tol=1e-6,
                   solve_time=0.0)
    with pytest.raises(ValueError, match="relax needs the problem"):
        bare.relax(0.5)
    logistic = lk.path(lk.Problem(X, (y > np.median(y)).astype(float), lk.L1(1.0),
                                  loss="logistic"), n_alphas=3)
    with pytest.raises(ValueError, match="squared loss only"):
        logistic.relax(0.5)
