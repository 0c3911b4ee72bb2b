"""``lk.PoissonRegressor`` against scikit-learn 1.9's ``PoissonRegressor``.

With ``l1_ratio=0`` the two objectives are the same function (half the
Poisson unit deviance is lassokit's Poisson loss, and both normalize the
sample weights), checked numerically below; the reference is scikit-learn's
"lbfgs" run to ``tol=1e-10`` inside ``sklearn_converged``.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import COEF_TOL, assert_coef_close, sklearn_converged
from sklearn import linear_model as sk
from sklearn.metrics import mean_poisson_deviance

import lassokit as lk

TIGHT = 1e-10


def _data(n=150, p=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = rng.poisson(np.exp(0.4 + 0.6 * X[:, 0] - 0.3 * X[:, 1])).astype(float)
    w = rng.uniform(0.3, 2.0, n)
    return X, y, w


def _sklearn(alpha, X, y, w=None, fit_intercept=True):
    with sklearn_converged():
        return sk.PoissonRegressor(alpha=alpha, tol=1e-10, max_iter=10_000,
                                   fit_intercept=fit_intercept).fit(X, y, sample_weight=w)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_sklearn(fit_intercept, weighted):
    X, y, w = _data()
    w = w if weighted else None
    ref = _sklearn(0.05, X, y, w, fit_intercept)
    est = lk.PoissonRegressor(alpha=0.05, tol=TIGHT, fit_intercept=fit_intercept)
    est.fit(X, y, sample_weight=w)
    assert est.solution_.converged
    assert_coef_close(est.coef_, ref.coef_, COEF_TOL)
    assert est.intercept_ == pytest.approx(ref.intercept_, abs=COEF_TOL)
    assert est.score(X, y, w) == pytest.approx(ref.score(X, y, w), abs=1e-6)
    # The same D^2 formula: scikit-learn's score at lassokit's coefficients.
    ref.coef_, ref.intercept_ = est.coef_, est.intercept_
    assert est.score(X, y, w) == pytest.approx(ref.score(X, y, w), abs=1e-13)
    np.testing.assert_allclose(est.predict(X), ref.predict(X), rtol=1e-5)


def test_objective_is_sklearn_objective():
    """lassokit's P(w, b) with L2(alpha) equals 1/(2 S) sum s dev + alpha/2 |w|^2."""
    X, y, w = _data()
    rng = np.random.default_rng(1)
    coef, b, alpha = 0.3 * rng.standard_normal(X.shape[1]), 0.2, 0.7
    problem = lk.Problem(X, y, lk.L2(alpha), loss="poisson", sample_weight=w)
    mu = np.exp(X @ coef + b)
    sklearn_obj = 0.5 * mean_poisson_deviance(y, mu, sample_weight=w) + 0.5 * alpha * coef @ coef
    assert problem.objective(coef, b) == pytest.approx(sklearn_obj, rel=1e-13)


def test_l1_ratio_is_the_elastic_net_problem():
    X, y, w = _data()
    est = lk.PoissonRegressor(alpha=0.08, l1_ratio=0.75, tol=TIGHT).fit(X, y, sample_weight=w)
    pen = lk.L1(0.08 * 0.75) + lk.L2(0.08 * 0.25)
    sol = lk.Problem(X, y, pen, loss="poisson", sample_weight=w).solve(tol=TIGHT)
    assert_coef_close(est.coef_, sol.coef)
    sparse = lk.PoissonRegressor(alpha=0.08, l1_ratio=1.0).fit(X, y)
    assert set(np.flatnonzero(sparse.coef_)) <= {0, 1}
    assert est.dual_gap_ == est.solution_.dual_gap


def test_weights_equal_repeated_rows_and_storage():
    X, y, _ = _data()
    k = np.random.default_rng(2).integers(0, 3, y.size)
    a = lk.PoissonRegressor(alpha=0.1, tol=TIGHT).fit(X, y, sample_weight=k)
    b = lk.PoissonRegressor(alpha=0.1, tol=TIGHT).fit(np.repeat(X, k, axis=0), np.repeat(y, k))
    assert_coef_close(a.coef_, b.coef_)
    c = lk.PoissonRegressor(alpha=0.1, tol=TIGHT).fit(sp.csr_matrix(X), y)
    d = lk.PoissonRegressor(alpha=0.1, tol=TIGHT).fit(X, y)
    assert_coef_close(c.coef_, d.coef_)
    f32 = lk.PoissonRegressor(alpha=0.1).fit(X.astype(np.float32), y)
    assert f32.coef_.dtype == np.float32 and isinstance(f32.intercept_, float)
    assert d.n_iter_ >= 1


def test_predict_is_exp_and_bad_targets_are_refused():
    X, y, _ = _data()
    est = lk.PoissonRegressor(alpha=0.1).fit(X, y)
    np.testing.assert_allclose(est.predict(X), np.exp(X @ est.coef_ + est.intercept_),
                               rtol=1e-14)
    with pytest.raises(ValueError, match="non-negative"):
        lk.PoissonRegressor().fit(X, y - 1.0)
    # A feature that is 0 wherever y > 0 and positive where y = 0: along
    # w_0 -> -inf the predictions of y = 0 go to 0, the others stay, so the
    # loss decreases for ever and alpha = 0 has no fit.
    Xr = np.column_stack([np.maximum(X[:, 0], 0.0), X[:, 1:]])
    y0 = np.where(X[:, 0] > 0, 0.0, 1.0 + y)
    with pytest.raises(ValueError, match="does not exist"):
        lk.PoissonRegressor(alpha=0.0).fit(Xr, y0)
    lk.PoissonRegressor(alpha=0.01).fit(Xr, y0)  # any penalty has one
    ref = _sklearn(0.0, X, y)
    assert_coef_close(lk.PoissonRegressor(alpha=0.0, tol=TIGHT).fit(X, y).coef_, ref.coef_)
