"""LassoCV / ElasticNetCV against scikit-learn on fixed folds; joblib, routing, plots."""

from __future__ import annotations

import warnings

import conftest as cf
import numpy as np
import pytest
import sklearn
import sklearn.linear_model as sk
from sklearn.model_selection import GroupKFold, KFold

import lassokit as lk

LK_TIGHT = dict(tol=1e-14, max_iter=100_000)
#: Test MSEs of two accurate path solutions agree to this (relative to the MSE).
MSE_RTOL = 1e-6


def _sk(cls, X, y, sw=None, **kw):
    """A scikit-learn reference, fitted tight and checked converged (its
    ConvergenceWarning is an error; other warnings are ignored)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with cf.sklearn_converged():
            return cls(**kw, **cf.SK_TIGHT).fit(X, y, sample_weight=sw)


def _data(storage="dense", weighted=False, seed=0, n=60, p=20):
    X, y = cf.make_data(n, p, seed=seed, storage=storage, noise=1.5)
    return X, y, (cf.make_sample_weight(n, seed) if weighted else None)


@pytest.mark.parametrize("storage", ["dense", "csc"])
@pytest.mark.parametrize("weighted", [False, True])
def test_lassocv_matches_sklearn(storage, weighted):
    X, y, sw = _data(storage, weighted)
    kw = dict(alphas=15, cv=KFold(4))
    ours = lk.LassoCV(**kw, **LK_TIGHT).fit(X, y, sample_weight=sw)
    ref = _sk(sk.LassoCV, X, y, sw, **kw)
    np.testing.assert_allclose(ours.alphas_, ref.alphas_, rtol=1e-12)
    np.testing.assert_allclose(ours.mse_path_, ref.mse_path_, rtol=MSE_RTOL)
    assert ours.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)
    assert not hasattr(ours, "l1_ratio_")
    cf.assert_coef_close(ours.coef_, ref.coef_, 1e-6)
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-6, abs=1e-6)
    assert ours.n_iter_ >= 1 and ours.dual_gap_ >= 0


@pytest.mark.parametrize("weighted", [False, True])
def test_elasticnetcv_matches_sklearn(weighted):
    X, y, sw = _data(weighted=weighted)
    kw = dict(l1_ratio=[0.2, 0.7, 1.0], alphas=8, cv=KFold(3))
    ours = lk.ElasticNetCV(**kw, **LK_TIGHT).fit(X, y, sample_weight=sw)
    ref = _sk(sk.ElasticNetCV, X, y, sw, **kw)
    assert ours.alphas_.shape == ref.alphas_.shape == (3, 8)
    assert ours.mse_path_.shape == ref.mse_path_.shape == (3, 8, 3)
    np.testing.assert_allclose(ours.alphas_, ref.alphas_, rtol=1e-12)
    np.testing.assert_allclose(ours.mse_path_, ref.mse_path_, rtol=MSE_RTOL)
    assert ours.l1_ratio_ == ref.l1_ratio_
    assert ours.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)
    cf.assert_coef_close(ours.coef_, ref.coef_, 1e-6)


def test_default_tol_already_picks_the_exact_alpha():
    # On this data scikit-learn's default tol (a gap of 2e-4 relative) picks the
    # neighbouring grid point; lassokit's certified 1e-4 picks the exact argmin.
    X, y, _ = _data(seed=3, n=80, p=30)
    ours = lk.LassoCV(cv=KFold(5)).fit(X, y)
    exact = _sk(sk.LassoCV, X, y, cv=KFold(5))
    assert ours.alpha_ == pytest.approx(exact.alpha_, rel=1e-12)


def test_explicit_alphas_are_sorted_and_l1_ratio_zero_needs_them():
    X, y, _ = _data()
    grid = [0.01, 1.0, 0.1, 0.5]
    ours = lk.ElasticNetCV(l1_ratio=0.5, alphas=grid, cv=3, **LK_TIGHT).fit(X, y)
    ref = _sk(sk.ElasticNetCV, X, y, l1_ratio=0.5, alphas=grid, cv=3)
    np.testing.assert_array_equal(ours.alphas_, [1.0, 0.5, 0.1, 0.01])
    np.testing.assert_allclose(ours.mse_path_, ref.mse_path_, rtol=MSE_RTOL)
    with pytest.raises(ValueError, match="l1_ratio=0"):
        lk.ElasticNetCV(l1_ratio=[0.0, 0.5], cv=3).fit(X, y)
    ridge_like = lk.ElasticNetCV(l1_ratio=0.0, alphas=grid, cv=3, **LK_TIGHT).fit(X, y)
    ref = _sk(sk.ElasticNetCV, X, y, l1_ratio=0.0, alphas=grid, cv=3)
    assert ridge_like.alpha_ == ref.alpha_
    with pytest.raises(ValueError, match="alphas"):
        lk.LassoCV(alphas=[1.0, -1.0]).fit(X, y)


def test_refit_is_the_single_estimator_at_alpha_():
    X, y, sw = _data(weighted=True)
    cv = lk.LassoCV(alphas=10, cv=3, **LK_TIGHT).fit(X, y, sample_weight=sw)
    single = cf.converged_ref(lk.Lasso(alpha=cv.alpha_, **LK_TIGHT).fit(X, y, sample_weight=sw))
    cf.assert_coef_close(cv.coef_, single.coef_, 1e-9)
    np.testing.assert_array_equal(cv.sparse_coef_.toarray().ravel(), cv.coef_)


def test_parallel_jobs_give_identical_results():
    from joblib import parallel_config

    X, y, _ = _data()
    kw = dict(l1_ratio=[0.5, 0.9], alphas=10, cv=3, tol=1e-8)
    one = lk.ElasticNetCV(**kw).fit(X, y)
    two = lk.ElasticNetCV(**kw, n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(one.mse_path_, two.mse_path_)
    with parallel_config(backend="loky", n_jobs=2):  # processes: everything pickles
        procs = lk.ElasticNetCV(**kw).fit(X, y)
    np.testing.assert_allclose(one.mse_path_, procs.mse_path_, rtol=1e-12)


def test_joblib_dask_backend():
    distributed = pytest.importorskip("distributed")
    from joblib import parallel_config

    X, y, _ = _data()
    with cf.sklearn_converged():  # folds and refit of the reference converged
        ref = lk.LassoCV(alphas=10, cv=3, tol=1e-8).fit(X, y)
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=2,
                            dashboard_address=None), parallel_config(backend="dask"):
        est = lk.LassoCV(alphas=10, cv=3, tol=1e-8).fit(X, y)
    np.testing.assert_allclose(est.mse_path_, ref.mse_path_, rtol=1e-12)


def test_groups_reach_the_splitter_through_metadata_routing():
    X, y, _ = _data()
    groups = np.repeat(np.arange(6), 10)
    with pytest.raises(ValueError, match="metadata"):
        lk.LassoCV(cv=GroupKFold(3)).fit(X, y, groups=groups)
    with sklearn.config_context(enable_metadata_routing=True):
        ours = lk.LassoCV(alphas=8, cv=GroupKFold(3), **LK_TIGHT).fit(X, y, groups=groups)
    folds = list(GroupKFold(3).split(X, y, groups))
    with cf.sklearn_converged():  # folds and refit of the reference converged
        expected = lk.LassoCV(alphas=8, cv=folds, **LK_TIGHT).fit(X, y)
    np.testing.assert_array_equal(ours.mse_path_, expected.mse_path_)


def test_plot_cv():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y, _ = _data()
    with pytest.raises(ValueError, match="fitted"):
        lk.plot_cv(lk.LassoCV())
    est = lk.LassoCV(alphas=10, cv=3).fit(X, y)
    fig, ax = plt.subplots()
    assert lk.plot_cv(est, ax=ax) is ax
    assert len(ax.get_lines()) == 1 + 2  # mean, alpha_ and alpha_1se_ lines
    assert ax.get_xscale() == "log"
    plt.close(fig)
    enet = lk.ElasticNetCV(l1_ratio=[0.3, 0.9], alphas=6, cv=3).fit(X, y)
    fig, ax = plt.subplots()
    lk.plot_cv(enet, ax=ax)
    assert len(ax.get_lines()) == 2 + 2  # one mean per l1_ratio, alpha_ and alpha_1se_
    plt.close(fig)


def test_unconverged_folds_warn():
    X, y, _ = _data()
    with pytest.warns(lk.ConvergenceWarning):
        lk.LassoCV(alphas=5, cv=3, tol=1e-14, max_iter=1).fit(X, y)


def test_bad_parameters():
    X, y, _ = _data()
    with pytest.raises(ValueError, match="'eps'"):
        lk.LassoCV(eps=0.0).fit(X, y)
    with pytest.raises(ValueError, match="'alphas'"):
        lk.LassoCV(alphas=0).fit(X, y)
    with pytest.raises(TypeError, match="'cv'"):
        lk.LassoCV(cv="five").fit(X, y)
    with pytest.raises(ValueError, match="l1_ratio"):
        lk.ElasticNetCV(l1_ratio=[0.5, 1.5]).fit(X, y)
