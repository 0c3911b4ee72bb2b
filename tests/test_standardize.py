"""glmnet's standardize=True as penalty weights: the same fit as on scaled columns."""

import numpy as np
import pytest
import scipy.sparse as sp

import lassokit as lk


def _scaled(X, s, fit_intercept):
    s = np.ones(X.shape[0]) if s is None else s
    m = (s @ X) / s.sum() if fit_intercept else np.zeros(X.shape[1])
    sd = np.sqrt((s @ (X - m) ** 2) / s.sum())
    return X / sd, sd


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fn, kw", [(lk.lasso_path, {}), (lk.enet_path, {"l1_ratio": 0.3})])
def test_standardized_path_is_the_path_of_scaled_columns(fit_intercept, weighted, fn, kw):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((80, 6)) * [1.0, 10.0, 0.1, 1.0, 5.0, 100.0] + 3.0
    y = X @ [1.0, 0.1, 5.0, 0.0, 0.0, 0.01] + rng.standard_normal(80)
    s = rng.uniform(0.5, 2.0, 80) if weighted else None
    Z, sd = _scaled(X, s, fit_intercept)
    std = fn(X, y, standardize=True, n_alphas=8, tol=1e-12, sample_weight=s,
             fit_intercept=fit_intercept, **kw)
    ref = fn(Z, y, n_alphas=8, tol=1e-12, sample_weight=s, fit_intercept=fit_intercept, **kw)
    np.testing.assert_allclose(std.alphas, ref.alphas, rtol=1e-10)
    # Compared on the standardized scale, where the problem is well conditioned
    # (the columns' spreads range over 1e3: tiny gaps still move coefficients).
    # Both certified at 1e-12: coefficients then agree to ~sqrt(gap), 1e-6 x their scale.
    np.testing.assert_allclose(std.coefs * sd[:, None], ref.coefs, rtol=1e-5, atol=2e-5)
    np.testing.assert_allclose(std.intercepts, ref.intercepts, rtol=1e-5, atol=1e-5)


def test_standardize_with_penalty_factors_and_sparse_x():
    rng = np.random.default_rng(2)
    X = sp.random(60, 10, density=0.4, random_state=2, format="csc") * 7.0
    y = X @ rng.standard_normal(10) + 0.1 * rng.standard_normal(60)
    pf = np.linspace(0.5, 2.0, 10)
    std = lk.lasso_path(X, y, standardize=True, weights=pf, fit_intercept=False, n_alphas=6,
                        tol=1e-12)
    Z, sd = _scaled(X.toarray(), None, False)
    ref = lk.lasso_path(Z, y, weights=pf, fit_intercept=False, n_alphas=6, tol=1e-12)
    # Both certified at 1e-12: coefficients then agree to ~sqrt(gap), 1e-6 x their scale.
    np.testing.assert_allclose(std.coefs * sd[:, None], ref.coefs, rtol=1e-5, atol=2e-5)


def test_constant_columns_stay_at_zero_and_bad_flags_are_refused():
    rng = np.random.default_rng(3)
    X = np.column_stack([rng.standard_normal(40), np.full(40, 5.0)])
    y = X[:, 0] + 0.1 * rng.standard_normal(40)
    p = lk.lasso_path(X, y, standardize=True, n_alphas=5)
    assert not np.any(p.coefs[1])
    with pytest.raises(TypeError, match="standardize must be a bool"):
        lk.lasso_path(X, y, standardize="yes")


@pytest.mark.parametrize("est", ["Lasso", "ElasticNet"])
def test_estimators_standardize_and_penalty_weights(est):
    rng = np.random.default_rng(4)
    X = rng.standard_normal((90, 5)) * [1.0, 10.0, 0.1, 1.0, 5.0] + 3.0
    y = X @ [1.0, 0.1, 5.0, 0.0, 0.0] + rng.standard_normal(90)
    s = rng.uniform(0.5, 2.0, 90)
    cls = getattr(lk, est)
    kw = {"alpha": 0.05, "tol": 1e-12}
    std = cls(standardize=True, **kw).fit(X, y, sample_weight=s)
    Z, sd = _scaled(X, s, True)
    ref = cls(**kw).fit(Z, y, sample_weight=s)
    np.testing.assert_allclose(std.coef_ * sd, ref.coef_, rtol=1e-5, atol=1e-6)
    pf = np.array([0.0, 1.0, 1.0, 2.0, 3.0])
    r = 1.0 if est == "Lasso" else 0.5
    got = cls(penalty_weights=pf, **kw).fit(X, y).coef_
    want = lk.Problem(X, y, lk.L1(0.05 * r, pf) + lk.L2(0.05 * (1 - r), pf)).solve(tol=1e-12)
    np.testing.assert_allclose(got, want.coef, atol=1e-6)
    with pytest.raises(ValueError, match="penalty_weights has length 2"):
        cls(penalty_weights=[1.0, 2.0]).fit(X, y)
    with pytest.raises(ValueError, match="penalty_weights must be >= 0"):
        cls(penalty_weights=-pf).fit(X, y)
