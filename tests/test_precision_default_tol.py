"""The same problem stated differently gives the same answer at default settings.

Dense and sparse storage, weighted and repeated rows, and scikit-learn's
answer agree to 1e-7 at the estimators' default ``tol`` (the setups of
scikit-learn's own ``test_sparse_dense_equality``,
``test_sparse_enet_not_as_toy_dataset`` and
``test_same_output_sparse_dense_lasso_and_enet_cv``, written anew here):
each fit is finished exactly on its support (``lassokit._polish``), and the
CV refit never stops unconverged at the default ``max_iter``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as sk
from conftest import sklearn_converged

import lassokit as lk

RTOL = 1e-7


def _sparse_regression(n=100, p=200, density=0.1, seed=0, n_informative=10):
    rng = np.random.RandomState(seed)
    X = sp.random(n, p, density=density, format="csc", random_state=rng)
    w = np.zeros(p)
    w[:n_informative] = rng.randn(n_informative)
    y = X @ w + 0.1 * rng.randn(n)
    return X, y


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("cls, kw", [(lk.Lasso, {"alpha": 0.01}),
                                     (lk.ElasticNet, {"alpha": 0.01, "l1_ratio": 0.5})])
def test_dense_equals_sparse_at_default_tol(cls, kw, fit_intercept, weighted):
    X, y = _sparse_regression()
    sw = np.random.RandomState(1).uniform(0.5, 3.0, y.size) if weighted else None
    dense = cls(fit_intercept=fit_intercept, **kw).fit(X.toarray(), y, sample_weight=sw)
    sparse = cls(fit_intercept=fit_intercept, **kw).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(sparse.intercept_, dense.intercept_, rtol=RTOL, atol=1e-12)


@pytest.mark.parametrize("cls, kw", [(lk.Lasso, {"alpha": 0.05}),
                                     (lk.ElasticNet, {"alpha": 0.1, "l1_ratio": 0.8})])
def test_weights_equal_repeated_rows_at_default_tol(cls, kw):
    rng = np.random.RandomState(3)
    X = rng.randn(40, 60)
    y = X[:, :4] @ [1.0, -1.0, 2.0, 0.5] + 0.2 * rng.randn(40)
    reps = rng.randint(0, 4, 40)
    weighted = cls(**kw).fit(X, y, sample_weight=reps.astype(float))
    repeated = cls(**kw).fit(np.repeat(X, reps, 0), np.repeat(y, reps))
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=RTOL, atol=1e-12)


def test_sparse_enet_not_as_toy_dataset_matches_sklearn():
    # Many features, few informative ones, sparse X: lassokit at default tol
    # against scikit-learn solved tightly.
    X, y = _sparse_regression(n=150, p=300, density=0.2, seed=4, n_informative=20)
    ours = lk.ElasticNet(alpha=0.01, l1_ratio=0.8).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with sklearn_converged():  # a converged reference, or the test says so
            ref = sk.ElasticNet(alpha=0.01, l1_ratio=0.8, tol=1e-14, max_iter=10**6).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=RTOL, atol=1e-10)


@pytest.mark.parametrize("cls", [lk.LassoCV, lk.ElasticNetCV])
def test_cv_dense_equals_sparse_at_default_tol(cls):
    X, y = _sparse_regression(n=80, p=40, density=0.3, seed=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error", lk.ConvergenceWarning)
        dense = cls(cv=4).fit(X.toarray(), y)
        sparse = cls(cv=4).fit(X, y)
    assert sparse.alpha_ == pytest.approx(dense.alpha_, rel=1e-12)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, rtol=RTOL, atol=1e-12)
    assert dense.solution_.converged and sparse.solution_.converged


def test_cv_refit_is_never_unconverged_at_default_max_iter():
    # Near-duplicate columns: 1000 epochs do not certify alpha = 1e-4 here.
    rng = np.random.RandomState(6)
    base = rng.randn(60, 5)
    X = np.repeat(base, 4, axis=1) + 1e-3 * rng.randn(60, 20)
    y = base @ [1.0, -2.0, 0.5, 0.0, 1.0] + 0.01 * rng.randn(60)
    with pytest.warns(lk.ConvergenceWarning):
        single = lk.Lasso(alpha=1e-4).fit(X, y)
    assert not single.solution_.converged
    with warnings.catch_warnings():
        # The folds may stop at max_iter (and say so); the refit may not.
        warnings.simplefilter("ignore", lk.ConvergenceWarning)
        m = lk.LassoCV(alphas=[1e-4], cv=3, precompute=False).fit(X, y)
        g = lk.LassoCV(alphas=[1e-4], cv=3).fit(X, y)  # Gram-block refit
    for est in (m, g):
        assert est.solution_.converged
        assert est.solution_.rel_gap <= 1e-4
