"""A Path at any strength (coef_at, predict), scikit-learn's unpacking, and keyword errors."""

import numpy as np
import pytest
from scipy.special import expit
from sklearn.linear_model import lasso_path as sk_lasso_path

import lassokit as lk


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 8))
    y = X[:, 0] - 2 * X[:, 3] + 0.1 * rng.standard_normal(60)
    return X, y


def test_unpacks_like_scikit_learns_lasso_path(data):
    X, y = data
    Xc, yc = X - X.mean(0), y - y.mean()
    alphas, coefs, gaps = lk.lasso_path(Xc, yc, n_alphas=12, fit_intercept=False, tol=1e-10)
    ref_alphas, ref_coefs, _ = sk_lasso_path(Xc, yc, n_alphas=12, tol=1e-12)
    np.testing.assert_allclose(alphas, ref_alphas, rtol=1e-12)
    np.testing.assert_allclose(coefs, ref_coefs, atol=1e-6)
    assert gaps.shape == (12,)
    p = lk.lasso_path(Xc, yc, n_alphas=12, fit_intercept=False)
    assert p[1] is p.coefs and p[0] is p.alphas and p[2] is p.dual_gaps
    assert len(p) == 12
    with pytest.raises(IndexError, match="coef_at"):
        p[3]
    with pytest.raises(TypeError, match="coef_at"):
        p[0.5]


def test_coef_at_grid_points_between_and_outside(data):
    X, y = data
    p = lk.lasso_path(X, y, n_alphas=10)
    for i in (0, 4, 9):
        np.testing.assert_array_equal(p.coef_at(p.alphas[i]), p.coefs[:, i])
        assert p.intercept_at(p.alphas[i]) == pytest.approx(p.intercepts[i])
    a = 0.3 * p.alphas[4] + 0.7 * p.alphas[5]
    np.testing.assert_allclose(p.coef_at(a), 0.3 * p.coefs[:, 4] + 0.7 * p.coefs[:, 5])
    np.testing.assert_array_equal(p.coef_at(10 * p.alphas[0]), p.coefs[:, 0])
    np.testing.assert_array_equal(p.coef_at(p.alphas[-1] / 10), p.coefs[:, -1])
    both = p.coef_at([p.alphas[2], a])
    assert both.shape == (8, 2)
    np.testing.assert_array_equal(p(a), p.coef_at(a))


def test_exact_coef_at_solves_the_problem(data):
    X, y = data
    p = lk.lasso_path(X, y, n_alphas=10, tol=1e-10)
    a = 0.5 * (p.alphas[6] + p.alphas[7]) * 1.01
    ref = lk.lasso(X, y, a).solve(tol=1e-12)
    np.testing.assert_allclose(p.coef_at(a, exact=True), ref.coef, atol=1e-6)
    assert p.intercept_at(a, exact=True) == pytest.approx(ref.intercept, abs=1e-6)


def test_exact_needs_the_problem(data):
    X, y = data
    p = lk.lasso_path(X, y, n_alphas=5)
    bare = lk.Path(alphas=p.alphas, coefs=p.coefs, intercepts=p.intercepts,
                   dual_gaps=p.dual_gaps, rel_gaps=p.rel_gaps, n_iters=p.n_iters,
                   converged=p.converged, l1_ratio=1.0, backend="cd", tol=1e-6,
                   solve_time=0.0)
    with pytest.raises(ValueError, match="exact=True needs the problem"):
        bare.coef_at(0.1, exact=True)
    np.testing.assert_array_equal(bare.coef_at(p.alphas[2]), p.coefs[:, 2])


def test_predict_every_alpha_and_one(data):
    X, y = data
    p = lk.lasso_path(X, y, n_alphas=7)
    Z = p.predict(X)
    assert Z.shape == (60, 7)
    np.testing.assert_allclose(Z, X @ p.coefs + p.intercepts)
    a = p.alphas[3] * 0.9
    np.testing.assert_allclose(p.predict(X, alpha=a), X @ p.coef_at(a) + p.intercept_at(a))
    assert p.predict(X, alpha=[a, a]).shape == (60, 2)
    with pytest.raises(ValueError, match="features"):
        p.predict(X[:, :3])


def test_logistic_path_predicts_probabilities(data):
    X, y = data
    p = lk.path(lk.logistic(X, y > 0, 1.0), n_alphas=6)
    P = p.predict(X)
    np.testing.assert_allclose(P, expit(p.decision_function(X)))
    assert np.all((P >= 0) & (P <= 1))


@pytest.mark.parametrize("fn", [lk.lasso_path, lk.enet_path])
def test_an_unknown_keyword_names_the_path_function(data, fn):
    X, y = data
    with pytest.raises(TypeError, match=rf"{fn.__name__}\(\) got unknown keyword argument\(s\) "
                                        r"standardise"):
        fn(X, y, standardise=True)


def test_negative_or_nan_alpha_is_refused(data):
    X, y = data
    p = lk.lasso_path(X, y, n_alphas=5)
    for bad in (-1.0, np.nan, [0.1, np.inf]):
        with pytest.raises(ValueError, match="alpha must be"):
            p.coef_at(bad)
