"""Edges where lassokit must agree with scikit-learn 1.9 or say clearly why not.

Regression tests of issue 21 (items 7, 9, 11, 16): ``eps = 1`` grids,
exact sparse Ridge, cross-validation folds without test (or training)
weight, and the shapes of sample weights and of a column-vector ``y``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as sk
from sklearn.exceptions import DataConversionWarning
from sklearn.model_selection import KFold

import lassokit as lk
from lassokit.backends import direct

from conftest import EXACT_RTOL, make_data, make_sample_weight


def _xy(n=40, p=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + 0.5
    y = X[:, 0] - 2.0 * X[:, 1] + 0.1 * rng.standard_normal(n) + 1.0
    return X, y


# -- item 7: eps = 1 is scikit-learn's one-point grid at alpha_max ----------


@pytest.mark.parametrize("n_alphas", [1, 3])
def test_eps_one_gives_the_grid_at_alpha_max(n_alphas):
    X, y = _xy()
    ours = lk.ElasticNetCV(alphas=n_alphas, cv=2, eps=1).fit(X, y)
    ref = sk.ElasticNetCV(alphas=n_alphas, cv=2, eps=1).fit(X, y)
    np.testing.assert_allclose(ours.alphas_, ref.alphas_, rtol=1e-12)
    assert ours.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)
    np.testing.assert_array_equal(ours.coef_, 0.0)  # alpha_max: every coefficient is zero
    lasso = lk.LassoCV(alphas=1, cv=2, eps=1).fit(X, y)
    assert lasso.alphas_.shape == (1,)
    a_max = lk.lasso(X, y, 1.0).alpha_max()
    for grid in (lk.lasso_path(X, y, n_alphas=n_alphas, eps=1).alphas,
                 lk.enet_path(X, y, l1_ratio=0.5, n_alphas=n_alphas, eps=1).alphas / 2,
                 lk.path(lk.lasso(X, y, 1.0), n_alphas=n_alphas, eps=1.0).alphas,
                 lk.LassoIC(n_alphas=n_alphas, eps=1.0).fit(X, y).alphas_):
        np.testing.assert_allclose(grid, np.full(n_alphas, a_max), rtol=1e-12)


@pytest.mark.parametrize("eps", [0.0, -0.5, 1.5, 2])
def test_eps_outside_zero_one_is_refused_everywhere(eps):
    X, y = _xy()
    calls = [
        lambda: lk.LassoCV(eps=eps, cv=2).fit(X, y),
        lambda: lk.ElasticNetCV(eps=eps, cv=2).fit(X, y),
        lambda: lk.LassoIC(eps=eps).fit(X, y),
        lambda: lk.lasso_path(X, y, eps=eps),
        lambda: lk.enet_path(X, y, eps=eps),
        lambda: lk.path(lk.lasso(X, y, 1.0), eps=eps),
    ]
    for call in calls:
        with pytest.raises(ValueError, match=r"eps.*\(0, 1\]"):
            call()


# -- item 9: sparse Ridge with few features is exact ----------


def _ridge_data(seed=0, shift=0.0):
    rng = np.random.default_rng(seed)
    n, p = 200, 15
    X = np.where(rng.random((n, p)) < 0.3, rng.standard_normal((n, p)) + 1.0, 0.0)
    X[:, 0] = shift + rng.standard_normal(n)  # one dense column, possibly with a large mean
    y = X @ rng.standard_normal(p) + 0.5 * rng.standard_normal(n) + 2.0
    return X, y


@pytest.mark.parametrize("storage", ["csr", "csc"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shift", [0.0, 1e4])
def test_sparse_ridge_matches_cholesky(storage, fit_intercept, weighted, shift):
    X, y = _ridge_data(shift=shift)
    sw = make_sample_weight(X.shape[0]) if weighted else None
    ref = sk.Ridge(alpha=100.0, solver="cholesky", fit_intercept=fit_intercept).fit(
        X, y, sample_weight=sw)
    Xs = sp.csr_matrix(X) if storage == "csr" else sp.csc_matrix(X)
    data_before = Xs.data.copy()
    ours = lk.Ridge(alpha=100.0, tol=1e-12, fit_intercept=fit_intercept).fit(
        Xs, y, sample_weight=sw)
    assert ours.solver_ == "direct"
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=EXACT_RTOL,
                               atol=EXACT_RTOL * np.max(np.abs(ref.coef_)))
    assert float(ours.intercept_) == pytest.approx(float(ref.intercept_), rel=EXACT_RTOL,
                                                   abs=EXACT_RTOL)
    np.testing.assert_array_equal(Xs.data, data_before)  # input never modified


def test_sparse_direct_with_unpenalized_features_matches_dense():
    X, y = _ridge_data(seed=1)
    weights = np.ones(X.shape[1])
    weights[[2, 5]] = 0.0  # unpenalized: the Gram's diagonal gets no ridge there
    sw = make_sample_weight(X.shape[0], seed=2)
    pen = lk.L2(0.3, weights)
    dense = lk.Problem(X, y, pen, sample_weight=sw).solve("direct", tol=1e-12)
    sparse = lk.Problem(sp.csc_matrix(X), y, pen, sample_weight=sw).solve("direct", tol=1e-12)
    np.testing.assert_allclose(sparse.coef, dense.coef, rtol=EXACT_RTOL,
                               atol=EXACT_RTOL * np.max(np.abs(dense.coef)))
    assert sparse.intercept == pytest.approx(dense.intercept, rel=EXACT_RTOL)
    assert sparse.converged


def test_sparse_direct_above_the_gram_limit_still_certifies(monkeypatch):
    # Above the limit the Gram is not formed: conjugate gradients to the certificate.
    monkeypatch.setattr(direct, "_GRAM_MAX_FEATURES", 4)
    X, y = make_data(60, 12, storage="csr")
    sol = lk.ridge(X, y, 0.5).solve("direct", tol=1e-10)
    assert sol.converged and sol.info["method"] == "cg"
    ref = lk.ridge(X.toarray(), y, 0.5).solve("direct", tol=1e-10)
    np.testing.assert_allclose(sol.coef, ref.coef, rtol=1e-4)


# -- item 11: a fold without test (or training) weight ----------


def _zero_weight_head(n=40, zeros=10):
    sw = np.ones(n)
    sw[:zeros] = 0.0
    return sw


@pytest.mark.parametrize("backend", ["cd", "cvxpy"])  # Gram blocks and sessions
@pytest.mark.parametrize("make", [lambda **k: lk.LassoCV(**k),
                                  lambda **k: lk.ElasticNetCV(l1_ratio=[0.5, 1.0], **k)],
                         ids=["LassoCV", "ElasticNetCV"])
def test_fold_with_zero_test_weight_is_a_clear_error(make, backend):
    X, y = _xy()
    sw = _zero_weight_head()
    with pytest.raises(ValueError, match=r"(?s)fold 0.*test.*sample_weight.*cv"):
        make(cv=KFold(4), alphas=5, backend=backend).fit(X, y, sample_weight=sw)


def test_empty_or_weightless_folds_are_clear_errors():
    X, y = _xy()
    idx = np.arange(40)
    empty_test = [(idx[:30], idx[30:]), (idx[10:], np.array([], dtype=int))]
    with pytest.raises(ValueError, match=r"fold 1.*empty test set.*cv"):
        lk.LassoCV(cv=empty_test, alphas=5).fit(X, y)
    empty_train = [(np.array([], dtype=int), idx)]
    with pytest.raises(ValueError, match=r"fold 0.*empty training set.*cv"):
        lk.LassoCV(cv=empty_train, alphas=5).fit(X, y)
    weightless_train = [(idx[:10], idx[10:]), (idx[10:], idx[:10])]
    with pytest.raises(ValueError, match=r"fold 0.*training.*sample_weight"):
        lk.ElasticNetCV(cv=weightless_train, alphas=5).fit(X, y, sample_weight=_zero_weight_head())


def test_folds_with_some_zero_weights_still_fit():
    # Zero weights inside a fold are fine: only a fold with none left is refused.
    X, y = _xy()
    sw = np.ones(40)
    sw[::4] = 0.0
    est = lk.LassoCV(cv=KFold(4), alphas=5).fit(X, y, sample_weight=sw)
    assert np.all(np.isfinite(est.mse_path_))


# -- item 16: shapes of sample weights and of a column-vector y ----------


def _weight_calls(X, y):
    return {
        "Problem": lambda s: lk.Problem(X, y, lk.L1(0.1), sample_weight=s),
        "Lasso": lambda s: lk.Lasso(alpha=0.1).fit(X, y, sample_weight=s),
        "Ridge": lambda s: lk.Ridge().fit(X, y, sample_weight=s),
        "LassoCV": lambda s: lk.LassoCV(alphas=3, cv=2).fit(X, y, sample_weight=s),
        "lasso_path": lambda s: lk.lasso_path(X, y, n_alphas=3, sample_weight=s),
    }


@pytest.mark.parametrize("shape", ["column", "row"])
@pytest.mark.parametrize("entry", ["Problem", "Lasso", "Ridge", "LassoCV", "lasso_path"])
def test_two_dimensional_sample_weight_is_refused_alike(entry, shape):
    # scikit-learn's _check_sample_weight refuses any 2-D weight; so does every entry here.
    X, y = _xy()
    sw = np.ones((40, 1)) if shape == "column" else np.ones((1, 40))
    with pytest.raises(ValueError) as info:
        _weight_calls(X, y)[entry](sw)
    msg = str(info.value)
    assert "sample_weight" in msg and "(40,)" in msg and str(sw.shape) in msg
    assert "multi-target" not in msg


@pytest.mark.parametrize("name", ["Lasso", "ElasticNet", "Ridge"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_column_vector_y_gives_scikit_learns_shapes(name, fit_intercept, dtype):
    X, y = _xy()
    X, Y = X.astype(dtype), y[:, None].astype(dtype)
    ref = getattr(sk, name)(fit_intercept=fit_intercept).fit(X, Y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataConversionWarning)
        ours = getattr(lk, name)(fit_intercept=fit_intercept).fit(X, Y)
    assert ours.coef_.shape == ref.coef_.shape
    assert np.shape(ours.intercept_) == np.shape(ref.intercept_)
    assert np.asarray(ours.intercept_).dtype == np.asarray(ref.intercept_).dtype
    assert ours.predict(X).shape == ref.predict(X).shape == (40,)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-3, atol=1e-4)
    # A 1-D y keeps the scalar intercept.
    flat = getattr(lk, name)(fit_intercept=fit_intercept).fit(X, y.astype(dtype))
    assert np.shape(flat.intercept_) == ()


@pytest.mark.parametrize("name", ["LassoCV", "ElasticNetCV"])
def test_column_vector_y_in_cv_estimators_keeps_a_scalar_intercept(name):
    X, y = _xy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataConversionWarning)  # both warn: single-output
        ref = getattr(sk, name)(alphas=5, cv=3).fit(X, y[:, None])
        ours = getattr(lk, name)(alphas=5, cv=3).fit(X, y[:, None])
    assert np.shape(ours.intercept_) == np.shape(ref.intercept_) == ()
