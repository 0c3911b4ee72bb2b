"""The certificate on closed-form toys: an orthogonal design (soft
thresholding), ridge by its normal equations, and scikit-learn's Ridge and
Lasso answers certified optimal.
"""

import conftest as cf
import numpy as np
import pytest
import scipy.sparse as sp

import lassokit as lk


def _orthogonal_design(n, p, seed, centred):
    """X with X^T X / n = I (and columns orthogonal to 1 when ``centred``)."""
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(n, p + 1))
    if centred:
        M[:, 0] = 1.0
        Q = np.linalg.qr(M)[0][:, 1:]
    else:
        Q = np.linalg.qr(M[:, :p])[0]
    return np.sqrt(n) * Q


def _soft(z, t):
    return np.sign(z) * np.maximum(np.abs(z) - t, 0.0)


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("a1,a2", [(0.3, 0.0), (0.3, 0.7), (0.0, 0.7)])
def test_orthogonal_design_soft_thresholding(a1, a2, fit_intercept, positive):
    n, p = 40, 6
    X = _orthogonal_design(n, p, seed=3, centred=fit_intercept)
    rng = np.random.default_rng(4)
    y = X @ np.array([2.0, -1.5, 0.2, -0.1, 0.0, 1.0]) + 0.5 * rng.normal(size=n) + 3.0
    v1 = np.array([1.0, 1.0, 1.0, 1.0, 0.5, 2.0])
    v2 = np.array([1.0, 0.5, 2.0, 1.0, 1.0, 0.0])
    pen = lk.L1(a1, v1) + lk.L2(a2, v2)
    prob = lk.Problem(X, y, pen, fit_intercept=fit_intercept, positive=positive)
    z = X.T @ (y - (y.mean() if fit_intercept else 0.0)) / n
    lam, mu = a1 * v1, a2 * v2
    # With X^T X / n = I the objective separates: w_j = S(z_j, lam_j) / (1 + mu_j),
    # one-sided (max(z_j - lam_j, 0)) under positivity.
    w = (np.maximum(z - lam, 0.0) if positive else _soft(z, lam)) / (1.0 + mu)
    assert np.count_nonzero(w) not in (0, p) or a1 == 0.0  # the toy exercises thresholding
    cert = prob.certify(w)
    assert cert.dual_gap <= 1e-12 * cf.p0_of(prob)
    if fit_intercept:
        assert cert.intercept == pytest.approx(y.mean(), rel=1e-12)
    # and a solver agrees with the closed form
    sol = prob.solve("cvxpy", tol=1e-10)
    cf.assert_coef_close(sol.coef, w, 1e-6)
    # moving off the closed form costs something the gap sees
    bumped = w.copy()
    bumped[1] += 0.05
    if positive:
        bumped = np.maximum(bumped, 0)
    assert prob.dual_gap(bumped) > 1e-4 * cf.p0_of(prob)


def _ridge_normal_equations(X, y, mu, s, fit_intercept):
    n = X.shape[0]
    xm = s @ X / n if fit_intercept else np.zeros(X.shape[1])
    ym = s @ y / n if fit_intercept else 0.0
    Xc, yc = X - xm, y - ym
    G = Xc.T @ (s[:, None] * Xc) / n + np.diag(mu)
    w = np.linalg.solve(G, Xc.T @ (s * yc) / n)
    return w, ym - xm @ w


@pytest.mark.parametrize("storage", ["dense", "csc"])
@pytest.mark.parametrize("sample_weight", [False, True])
@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("shape", [(30, 8), (10, 25)])
def test_ridge_normal_equations(shape, fit_intercept, sample_weight, storage):
    n, p = shape
    X, y = cf.make_data(n, p, seed=11)
    sw = cf.make_sample_weight(n, 11) if sample_weight else None
    s = np.ones(n) if sw is None else sw * n / sw.sum()
    v2 = np.linspace(0.5, 2.0, p)
    mu = 0.3 * v2
    w, b = _ridge_normal_equations(X, y, mu, s, fit_intercept)
    Xs = X if storage == "dense" else sp.csc_matrix(X)
    prob = lk.Problem(Xs, y, lk.L2(0.3, v2), fit_intercept=fit_intercept, sample_weight=sw)
    cert = prob.certify(w)
    assert cert.dual_gap <= 1e-12 * cf.p0_of(prob)
    assert cert.intercept == pytest.approx(b, rel=1e-10, abs=1e-10)
    sol = prob.solve("direct", tol=1e-10)
    assert sol.converged
    # Strong convexity (modulus min mu) turns the certified gap into a distance:
    # |w - w*|_2 <= sqrt(2 gap / min mu).
    bound = np.sqrt(2.0 * sol.dual_gap / mu.min())
    assert np.linalg.norm(sol.coef - w) <= bound + 1e-12 * cf.coef_scale(w)
    cf.assert_coef_close(sol.coef, w, 1e-4)


@pytest.mark.parametrize("sample_weight", [False, True])
def test_ridge_matches_sklearn(sample_weight):
    from sklearn.linear_model import Ridge

    n, p = 30, 8
    X, y = cf.make_data(n, p, seed=12)
    sw = cf.make_sample_weight(n, 12) if sample_weight else None
    a2 = 0.2
    # sklearn: sum_i sw_i r_i^2 + alpha |w|^2  <=>  lk.ridge with a2 = alpha / sum(sw).
    total = n if sw is None else sw.sum()
    sk = Ridge(alpha=a2 * total, solver="cholesky").fit(X, y, sample_weight=sw)
    prob = lk.ridge(X, y, a2, sample_weight=sw)
    assert prob.dual_gap(sk.coef_) <= 1e-11 * cf.p0_of(prob)
    assert prob.certify(sk.coef_).intercept == pytest.approx(sk.intercept_, rel=1e-9)


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("sample_weight", [False, True])
def test_lasso_matches_sklearn(sample_weight, positive):
    from sklearn.linear_model import Lasso

    n, p = 40, 10
    X, y = cf.make_data(n, p, seed=13)
    sw = cf.make_sample_weight(n, 13) if sample_weight else None
    alpha = 0.1
    sk = Lasso(alpha=alpha, tol=1e-14, max_iter=100_000, positive=positive)
    with cf.sklearn_converged():
        sk.fit(X, y, sample_weight=sw)
    prob = lk.lasso(X, y, alpha, sample_weight=sw, positive=positive)
    assert prob.dual_gap(sk.coef_) <= 1e-9 * cf.p0_of(prob)
    lam, mu = cf.strengths(prob)
    ref = cf.reference_solve(X, y, lam, mu, sample_weight=sw, positive=positive)
    cf.assert_coef_close(sk.coef_, ref.coef, 1e-6)
