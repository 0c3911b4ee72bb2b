"""lk.MultiTask* and the 2-D y of lk.Lasso / lk.ElasticNet / lk.Ridge against scikit-learn."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
import sklearn.linear_model as sk
from conftest import assert_coef_close, make_sample_weight, sklearn_converged
from sklearn.model_selection import GroupKFold, KFold

import lassokit as lk

LK_TIGHT = dict(tol=1e-12, max_iter=10_000)
SK_TIGHT = dict(tol=1e-14, max_iter=1_000_000)
#: Both libraries at their tight settings agree on the coefficients to this.
COEF = 1e-6


def _data(n=40, p=12, K=3, seed=0, storage="dense"):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + rng.uniform(-1, 1, p)
    W = np.zeros((p, K))
    W[:4] = rng.standard_normal((4, K))
    Y = X @ W + 1.0 + 0.5 * rng.standard_normal((n, K))
    if storage != "dense":
        X[np.abs(X) < 0.6] = 0.0
        X = getattr(sp, f"{storage}_matrix")(X)
    return X, Y


def _sk(cls, X, Y, sw=None, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with sklearn_converged():
            return cls(**params).fit(X, Y, sample_weight=sw)


PAIRS = {
    "mtlasso": (lk.MultiTaskLasso, sk.MultiTaskLasso, dict(alpha=0.1)),
    "mtenet": (lk.MultiTaskElasticNet, sk.MultiTaskElasticNet, dict(alpha=0.2, l1_ratio=0.3)),
}


@pytest.mark.parametrize("name", list(PAIRS))
@pytest.mark.parametrize("storage, weighted, fit_intercept", [
    ("dense", False, True), ("dense", True, True), ("csc", True, True),
    ("dense", False, False),
])
def test_multitask_same_coefficients_as_sklearn(name, storage, weighted, fit_intercept):
    lk_cls, sk_cls, params = PAIRS[name]
    X, Y = _data(storage=storage)
    sw = make_sample_weight(40) if weighted else None
    est = lk_cls(**params, fit_intercept=fit_intercept, **LK_TIGHT).fit(X, Y, sample_weight=sw)
    ref = _sk(sk_cls, X, Y, sw, **params, fit_intercept=fit_intercept, **SK_TIGHT)
    assert est.coef_.shape == ref.coef_.shape == (3, 12)
    assert_coef_close(est.coef_, ref.coef_, COEF)
    assert_coef_close(est.intercept_, ref.intercept_, COEF)
    assert np.shape(est.intercept_) == np.shape(ref.intercept_)
    np.testing.assert_allclose(est.predict(X), ref.predict(X), atol=1e-6)
    assert est.sparse_coef_.shape == (3, 12) and sp.issparse(est.sparse_coef_)
    assert isinstance(est.n_iter_, int) and est.solution_.converged
    assert 0 <= est.dual_gap_ <= est.eps_ and est.backend_ == "cd"
    # Rows are in or out for every target at once.
    rows = np.any(est.coef_ != 0, axis=0)
    assert np.all(np.all(est.coef_[:, rows] != 0, axis=0))


@pytest.mark.parametrize("ours, theirs", [
    (lk.MultiTaskLasso, sk.MultiTaskLasso), (lk.MultiTaskElasticNet, sk.MultiTaskElasticNet),
    (lk.MultiTaskLassoCV, sk.MultiTaskLassoCV),
    (lk.MultiTaskElasticNetCV, sk.MultiTaskElasticNetCV),
])
def test_same_parameter_names_and_defaults_as_sklearn(ours, theirs):
    import inspect

    mine = inspect.signature(ours).parameters
    ref = inspect.signature(theirs).parameters
    assert list(mine) == [*ref, "backend"]
    for name, param in ref.items():
        assert (mine[name].default, mine[name].kind) == (param.default, param.kind), name
    assert mine["backend"].default == "auto"


def test_multitask_refuses_a_1d_y_and_takes_a_column():
    X, Y = _data()
    with pytest.raises(ValueError, match="2-D y.*use Lasso"):
        lk.MultiTaskLasso().fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="2-D y.*use ElasticNet"):
        lk.MultiTaskElasticNet().fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="use LassoCV"):
        lk.MultiTaskLassoCV().fit(X, Y[:, 0])
    est = lk.MultiTaskLasso(alpha=0.1, **LK_TIGHT).fit(X, Y[:, :1])
    ref = _sk(sk.MultiTaskLasso, X, Y[:, :1], alpha=0.1, **SK_TIGHT)
    assert est.coef_.shape == (1, 12) and est.intercept_.shape == (1,)
    assert_coef_close(est.coef_, ref.coef_, COEF)


def test_multitask_params_are_checked_by_name_and_hints_change_nothing():
    X, Y = _data()
    for params, match in [(dict(alpha=-1.0), "alpha"), (dict(l1_ratio=2.0), "l1_ratio"),
                          (dict(selection="best"), "selection"), (dict(max_iter=0), "max_iter")]:
        with pytest.raises((ValueError, TypeError), match=match):
            lk.MultiTaskElasticNet(**params).fit(X, Y)
    a = lk.MultiTaskElasticNet(alpha=0.1).fit(X, Y)
    b = lk.MultiTaskElasticNet(alpha=0.1, selection="random", random_state=3).fit(X, Y)
    np.testing.assert_array_equal(a.coef_, b.coef_)


def test_multitask_inputs_untouched_feature_names_and_warm_start():
    pd = pytest.importorskip("pandas")
    X, Y = _data()
    sw = make_sample_weight(40)
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(12)])
    copies = [X.copy(), Y.copy(), sw.copy()]
    est = lk.MultiTaskLasso(alpha=0.1, warm_start=True).fit(frame, Y, sample_weight=sw)
    assert list(est.feature_names_in_) == list(frame.columns) and est.n_features_in_ == 12
    first = est.coef_.copy()
    est.fit(frame, Y, sample_weight=sw)
    assert_coef_close(est.coef_, first, 1e-6)
    for a, c in zip((X, Y, sw), copies):
        np.testing.assert_array_equal(a, c)


def test_multitask_unconverged_fit_warns():
    X, Y = _data()
    with pytest.warns(lk.ConvergenceWarning):
        lk.MultiTaskLasso(alpha=0.01, max_iter=1, tol=1e-14).fit(X, Y)


def test_multitask_integer_weights_are_repeated_rows():
    X, Y = _data(seed=1)
    sw = np.random.default_rng(0).integers(0, 4, 40)
    weighted = lk.MultiTaskLasso(alpha=0.05).fit(X, Y, sample_weight=sw)
    repeated = lk.MultiTaskLasso(alpha=0.05).fit(np.repeat(X, sw, 0), np.repeat(Y, sw, 0))
    np.testing.assert_allclose(weighted.predict(X), repeated.predict(X), rtol=1e-7, atol=1e-9)


CV_PAIRS = {
    "mtlassocv": (lk.MultiTaskLassoCV, sk.MultiTaskLassoCV, {}),
    "mtenetcv": (lk.MultiTaskElasticNetCV, sk.MultiTaskElasticNetCV,
                 dict(l1_ratio=[0.2, 0.7, 1.0])),
}


@pytest.mark.parametrize("name", list(CV_PAIRS))
@pytest.mark.parametrize("weighted", [False, True])
def test_multitask_cv_same_choice_as_sklearn(name, weighted):
    lk_cls, sk_cls, params = CV_PAIRS[name]
    X, Y = _data(n=60, seed=2)
    sw = make_sample_weight(60, 2) if weighted else None
    est = lk_cls(**params, alphas=15, cv=KFold(5), tol=1e-13, max_iter=10_000).fit(
        X, Y, sample_weight=sw)
    ref = _sk(sk_cls, X, Y, sw, **params, alphas=15, cv=KFold(5), **SK_TIGHT)
    np.testing.assert_allclose(est.alphas_, ref.alphas_, rtol=1e-12)
    np.testing.assert_allclose(est.mse_path_, ref.mse_path_, rtol=1e-6)
    assert est.mse_path_.shape == ref.mse_path_.shape
    assert est.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)
    if "l1_ratio" in params:
        assert est.l1_ratio_ == ref.l1_ratio_
    else:
        assert not hasattr(est, "l1_ratio_")
    assert_coef_close(est.coef_, ref.coef_, COEF)
    assert_coef_close(est.intercept_, ref.intercept_, COEF)


def test_multitask_cv_explicit_grid_errors_and_routing():
    X, Y = _data(n=45, seed=3)
    est = lk.MultiTaskElasticNetCV(l1_ratio=[0.5, 1.0], alphas=[0.01, 0.3, 0.1],
                                   cv=3).fit(X, Y)
    np.testing.assert_array_equal(est.alphas_, [0.3, 0.1, 0.01])
    assert est.mse_path_.shape == (2, 3, 3)
    with pytest.raises(ValueError, match="l1_ratio=0"):
        lk.MultiTaskElasticNetCV(l1_ratio=0.0).fit(X, Y)
    with pytest.raises((ValueError, TypeError), match="cv"):
        lk.MultiTaskLassoCV(cv="five").fit(X, Y)
    groups = np.repeat(np.arange(5), 9)
    with pytest.raises(ValueError, match="enable_metadata_routing"):
        lk.MultiTaskLassoCV(cv=GroupKFold(5)).fit(X, Y, groups=groups)
    with sklearn.config_context(enable_metadata_routing=True):
        routed = lk.MultiTaskLassoCV(cv=GroupKFold(5), alphas=5).fit(X, Y, groups=groups)
        ref = lk.MultiTaskLassoCV(cv=list(GroupKFold(5).split(X, Y, groups)),
                                  alphas=5).fit(X, Y)
    np.testing.assert_allclose(routed.mse_path_, ref.mse_path_)


# -- Lasso / ElasticNet / Ridge with a 2-D y -------------------------------------------------

TARGET_PAIRS = {
    "lasso": (lk.Lasso, sk.Lasso, dict(alpha=0.05), LK_TIGHT, SK_TIGHT),
    "enet": (lk.ElasticNet, sk.ElasticNet, dict(alpha=0.08, l1_ratio=0.3), LK_TIGHT, SK_TIGHT),
    "ridge": (lk.Ridge, sk.Ridge, dict(alpha=[1.0, 2.0, 5.0]), {}, dict(solver="cholesky")),
}


@pytest.mark.parametrize("name", list(TARGET_PAIRS))
@pytest.mark.parametrize("storage, weighted", [("dense", False), ("dense", True),
                                               ("csr", True)])
def test_2d_y_same_coefficients_as_sklearn(name, storage, weighted):
    lk_cls, sk_cls, params, lk_kw, sk_kw = TARGET_PAIRS[name]
    X, Y = _data(storage=storage, seed=4)
    sw = make_sample_weight(40, 4) if weighted else None
    est = lk_cls(**params, **lk_kw).fit(X, Y, sample_weight=sw)
    Xr = X.toarray() if sp.issparse(X) and sk_cls is sk.Ridge else X
    ref = _sk(sk_cls, Xr, Y, sw, **params, **sk_kw)
    assert est.coef_.shape == ref.coef_.shape == (3, 12)
    assert_coef_close(est.coef_, ref.coef_, COEF)
    assert_coef_close(est.intercept_, ref.intercept_, COEF)
    assert est.intercept_.shape == (3,) and est.predict(X).shape == (40, 3)
    assert len(est.n_iter_) == 3 and np.shape(est.dual_gap_) == (3,)
    # Each column is the single-target model.
    for k in range(3):
        alpha = np.broadcast_to(params["alpha"], (3,))[k]
        one = lk_cls(**{**params, "alpha": alpha}, **lk_kw).fit(
            X, Y[:, k], sample_weight=sw)
        assert_coef_close(est.coef_[k], one.coef_, COEF)


# lassokit's single-target fit warns on a column y (scikit-learn's Lasso does not).
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.DataConversionWarning")
def test_2d_y_column_and_no_intercept_keep_sklearn_layouts():
    X, Y = _data(seed=5)
    for cls in (lk.Lasso, lk.ElasticNet, lk.Ridge):
        col = cls(alpha=0.1).fit(X, Y[:, :1])
        assert col.coef_.shape == (12,) and col.intercept_.shape == (1,)
        flat = cls(alpha=0.1, fit_intercept=False).fit(X, Y)
        assert flat.intercept_ == 0.0 and flat.coef_.shape == (3, 12)


def test_2d_y_options_the_matrix_problem_does_not_take_are_refused():
    X, Y = _data(seed=6)
    for est, match in [(lk.Lasso(positive=True), "positive"),
                       (lk.ElasticNet(lower_bounds=-1.0), "lower_bounds"),
                       (lk.Lasso(upper_bounds=1.0), "upper_bounds"),
                       (lk.Ridge(positive=True), "positive"),
                       (lk.Ridge(alpha=[1.0, 2.0]), "one value per target")]:
        with pytest.raises(ValueError, match=match):
            est.fit(X, Y)


def test_2d_y_penalty_weights_standardize_and_offset():
    X, Y = _data(seed=7)
    pw = np.r_[0.0, np.linspace(0.5, 2, 11)]
    off = np.linspace(-1, 1, 40)
    est = lk.ElasticNet(alpha=0.05, penalty_weights=pw, standardize=True, **LK_TIGHT).fit(
        X, Y, offset=off)
    for k in range(3):
        one = lk.ElasticNet(alpha=0.05, penalty_weights=pw, standardize=True,
                            **LK_TIGHT).fit(X, Y[:, k], offset=off)
        assert_coef_close(est.coef_[k], one.coef_, COEF)
        assert_coef_close(est.intercept_[k], one.intercept_, COEF)
    pred = est.predict(X, offset=off)
    np.testing.assert_allclose(pred, est.predict(X) + off[:, None])
    warm = lk.Lasso(alpha=0.05, warm_start=True).fit(X, Y)
    first = warm.coef_.copy()
    assert_coef_close(warm.fit(X, Y).coef_, first, 1e-6)
