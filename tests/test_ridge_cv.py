"""``lk.RidgeCV`` against scikit-learn 1.9's ``RidgeCV`` and against brute force (issue 24, item 7).

Parity: the same ``alpha_``, ``best_score_``, ``coef_``, ``intercept_`` and
``cv_results_`` as scikit-learn's on dense and sparse X, n >= p and p > n,
with and without sample weights and intercept, both ``gcv_mode``s, several
targets, scorers and K folds. The leave-one-out formula is checked against
refitting without each sample; badly scaled data (means of 1e9, weights of
1e300, a Gram matrix that overflows) against the same data rescaled exactly.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import Ridge as SkRidge
from sklearn.linear_model import RidgeCV as SkRidgeCV

import lassokit as lk

ALPHAS = np.logspace(-2, 2, 9)
#: Agreement with scikit-learn where both compute the same closed forms in float64.
RTOL = 1e-9


def _data(n, p, seed=0, targets=None, shift=0.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + shift
    shape = (p,) if targets is None else (p, targets)
    noise = rng.standard_normal(n if targets is None else (n, targets))
    y = (X - shift) @ rng.standard_normal(shape) + noise
    return X, y, rng.uniform(0.2, 2.0, n)


def _close(a, b, rtol=RTOL):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape
    scale = max(1.0, float(np.max(np.abs(b), initial=0.0)))
    np.testing.assert_allclose(a, b, rtol=0, atol=rtol * scale)


def _same(ours, theirs, rtol=RTOL, cv_results=False):
    np.testing.assert_array_equal(ours.alpha_, theirs.alpha_)
    _close(ours.best_score_, theirs.best_score_, rtol)
    _close(ours.coef_, theirs.coef_, rtol)
    _close(ours.intercept_, theirs.intercept_, rtol)
    assert np.shape(ours.intercept_) == np.shape(theirs.intercept_)
    if cv_results:
        _close(ours.cv_results_, theirs.cv_results_, rtol)


def _both(X, y, sample_weight=None, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        ours = lk.RidgeCV(**params).fit(X, y, sample_weight=sample_weight)
        theirs = SkRidgeCV(**params).fit(X, y, sample_weight=sample_weight)
    return ours, theirs


def test_same_parameters_names_order_and_defaults_as_scikit_learn():
    import inspect

    ours = inspect.signature(lk.RidgeCV).parameters
    theirs = inspect.signature(SkRidgeCV).parameters
    assert list(ours) == list(theirs)
    for name, param in theirs.items():
        assert ours[name].default == param.default and ours[name].kind == param.kind, name


# -- leave-one-out / GCV -------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(60, 8), (15, 40)], ids=["n>p", "p>n"])
@pytest.mark.parametrize("gcv_mode", [None, "eigen", "svd"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_leave_one_out_matches_scikit_learn(shape, gcv_mode, weighted, fit_intercept):
    X, y, sw = _data(*shape, shift=2.0)
    ours, theirs = _both(X, y, sw if weighted else None, alphas=ALPHAS, gcv_mode=gcv_mode,
                         fit_intercept=fit_intercept, store_cv_results=True)
    _same(ours, theirs, cv_results=True)
    assert ours.cv_results_.shape == (shape[0], ALPHAS.size)
    assert isinstance(ours.alpha_, float)


@pytest.mark.parametrize("shape", [(50, 6), (12, 30)], ids=["n>p", "p>n"])
@pytest.mark.parametrize("per_target", [False, True])
@pytest.mark.parametrize("scoring", [None, "r2", "neg_mean_absolute_error"])
def test_several_targets(shape, per_target, scoring):
    X, Y, _ = _data(*shape, targets=3)
    ours, theirs = _both(X, Y, alphas=ALPHAS, alpha_per_target=per_target, scoring=scoring,
                         store_cv_results=True)
    _same(ours, theirs, cv_results=True)
    assert ours.coef_.shape == (3, shape[1]) and ours.cv_results_.shape == (shape[0], 3, 9)
    assert ours.predict(X).shape == (shape[0], 3)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-9, atol=1e-9)


def test_a_column_target_keeps_scikit_learns_shapes():
    X, y, _ = _data(30, 4)
    for params in ({}, {"alpha_per_target": True}, {"cv": 3}):
        ours, theirs = _both(X, y[:, None], alphas=ALPHAS, **params)
        _same(ours, theirs)
        assert np.shape(ours.best_score_) == np.shape(theirs.best_score_)
        assert ours.predict(X).shape == (30,)


@pytest.mark.parametrize("scoring", ["neg_mean_squared_error", "r2"])
def test_scoring_sees_weighted_loo_predictions(scoring):
    X, y, sw = _data(40, 5)
    ours, theirs = _both(X, y, sw, alphas=ALPHAS, scoring=scoring, store_cv_results=True)
    _same(ours, theirs, cv_results=True)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("shape", [(60, 8), (15, 40)], ids=["n>p", "p>n"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_sparse_leave_one_out(fmt, shape, fit_intercept):
    rng = np.random.default_rng(1)
    X = sp.random(*shape, density=0.3, format=fmt, random_state=1)
    y = X @ rng.standard_normal(shape[1]) + rng.standard_normal(shape[0])
    sw = rng.uniform(0.2, 2.0, shape[0])
    ours, theirs = _both(X, y, sw, alphas=ALPHAS, fit_intercept=fit_intercept,
                         store_cv_results=True)
    _same(ours, theirs, cv_results=True)
    dense = lk.RidgeCV(alphas=ALPHAS, fit_intercept=fit_intercept).fit(X.toarray(), y, sw)
    _same(ours, dense)


def test_svd_on_sparse_falls_back_to_eigen_with_scikit_learns_warning():
    X = sp.random(30, 5, density=0.5, format="csr", random_state=0)
    with pytest.warns(FutureWarning, match="'svd' mode is not supported for sparse X"):
        lk.RidgeCV(gcv_mode="svd").fit(X, np.arange(30.0))


@pytest.mark.parametrize("cv", [None, 3])
def test_float32_stays_float32(cv):
    X, y, _ = _data(40, 5)
    ours, theirs = _both(X.astype(np.float32), y.astype(np.float32), alphas=ALPHAS, cv=cv)
    _same(ours, theirs, rtol=1e-5)
    assert ours.coef_.dtype == np.float32 and ours.intercept_.dtype == np.float32


def test_leave_one_out_is_refitting_without_each_sample():
    """The closed form against n refits per alpha, weighted, both shapes and modes."""
    for n, p in [(9, 3), (6, 10)]:
        X, y, sw = _data(n, p, seed=3, shift=1.0)
        sw[2] = 0.0  # a zero weight: its own error is 0, and it moves nothing
        for mode in ("eigen", "svd"):
            model = lk.RidgeCV(alphas=ALPHAS, gcv_mode=mode, store_cv_results=True)
            model.fit(X, y, sample_weight=sw)
            brute = np.empty((n, ALPHAS.size))
            for j, alpha in enumerate(ALPHAS):
                for i in range(n):
                    keep = np.arange(n) != i
                    fit = SkRidge(alpha=alpha, solver="svd").fit(X[keep], y[keep], sw[keep])
                    brute[i, j] = sw[i] * (y[i] - fit.predict(X[i:i + 1])[0]) ** 2
            np.testing.assert_allclose(model.cv_results_, brute, rtol=1e-9, atol=1e-12)
            scores = -brute.mean(axis=0)
            assert model.alpha_ == ALPHAS[np.argmax(scores)]
            assert model.best_score_ == pytest.approx(scores.max(), rel=1e-9)


def test_a_zero_weight_sample_gets_the_full_fits_prediction():
    X, y, sw = _data(20, 4)
    sw[0] = 0.0
    model = lk.RidgeCV(alphas=ALPHAS, scoring="r2", store_cv_results=True).fit(X, y, sw)
    assert np.all(np.isfinite(model.cv_results_))  # scikit-learn: NaN (0 / 0)
    for j, alpha in enumerate(ALPHAS):
        full = SkRidge(alpha=alpha).fit(X, y, sw)
        assert model.cv_results_[0, j] == pytest.approx(full.predict(X[:1])[0], rel=1e-10)


# -- K folds -------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(60, 8), (15, 40)], ids=["n>p", "p>n"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("scoring", [None, "neg_mean_squared_error"])
def test_k_fold_matches_scikit_learn(shape, weighted, scoring):
    X, y, sw = _data(*shape, shift=1.0)
    ours, theirs = _both(X, y, sw if weighted else None, alphas=ALPHAS, cv=5, scoring=scoring)
    _same(ours, theirs)
    assert isinstance(ours.best_score_, float)


def test_k_fold_several_targets_splitters_and_callable_scorers():
    X, Y, sw = _data(50, 6, targets=2)
    _same(*_both(X, Y, alphas=ALPHAS, cv=5))
    folds = list(KFold_shuffled().split(X))
    _same(*_both(X, Y[:, 0], alphas=ALPHAS, cv=folds))

    def plain(est, X, y):
        return -float(np.mean(np.abs(est.predict(X) - y)))

    def weighted(est, X, y, sample_weight=None):
        return -float(np.average(np.abs(est.predict(X) - y), weights=sample_weight))

    _same(*_both(X, Y[:, 0], sw, alphas=ALPHAS, cv=4, scoring=weighted))
    with pytest.warns(UserWarning, match="does not support sample_weight"):
        lk.RidgeCV(alphas=ALPHAS, cv=4, scoring=plain).fit(X, Y[:, 0], sample_weight=sw)


def KFold_shuffled():
    from sklearn.model_selection import KFold

    return KFold(4, shuffle=True, random_state=0)


def test_k_fold_on_sparse_is_the_exact_ridge():
    """scikit-learn's folds use sparse_cg (tol 1e-4): agreement to that, exactness here."""
    rng = np.random.default_rng(2)
    X = sp.random(80, 10, density=0.4, format="csr", random_state=2)
    y = X @ rng.standard_normal(10) + 0.1 * rng.standard_normal(80)
    ours, theirs = _both(X, y, alphas=ALPHAS, cv=5)
    _same(ours, theirs, rtol=1e-3)
    exact = SkRidge(alpha=ours.alpha_, solver="svd").fit(X.toarray(), y)
    _close(ours.coef_, exact.coef_)


# -- the chosen model and its certificate --------------------------------------------------

@pytest.mark.parametrize("cv", [None, 3])
def test_the_fit_is_lk_ridge_at_alpha_and_is_certified(cv):
    X, y, sw = _data(40, 6, shift=3.0)
    model = lk.RidgeCV(alphas=ALPHAS, cv=cv).fit(X, y, sample_weight=sw)
    ridge = lk.Ridge(alpha=model.alpha_, tol=1e-12).fit(X, y, sample_weight=sw)
    _close(model.coef_, ridge.coef_, 1e-8)
    problem = lk.ridge(X, y, model.alpha_ / sw.sum(), sample_weight=sw)
    assert 0 <= model.dual_gap_ <= 1e-12 * problem.objective(np.zeros(6), float(np.average(y, weights=sw)))


def test_pandas_feature_names():
    pd = pytest.importorskip("pandas")
    X, y, _ = _data(30, 3)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    model = lk.RidgeCV().fit(frame, y)
    assert list(model.feature_names_in_) == ["a", "b", "c"] and model.n_features_in_ == 3


# -- badly scaled data ---------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(200, 10), (20, 60)], ids=["n>p", "p>n"])
@pytest.mark.parametrize("gcv_mode", ["eigen", "svd"])
@pytest.mark.parametrize("weighted", [False, True])
def test_means_of_1e9_lose_nothing(shape, gcv_mode, weighted):
    """X + 1e9 is the same model as its exact shift back (scikit-learn loses ~1e-4 here)."""
    X, y, sw = _data(*shape, seed=3, shift=1e9)
    y = y + 1e9
    w = sw if weighted else None
    big = lk.RidgeCV(alphas=np.logspace(-3, 3, 25), gcv_mode=gcv_mode).fit(X, y, w)
    small = lk.RidgeCV(alphas=np.logspace(-3, 3, 25), gcv_mode=gcv_mode).fit(X - 1e9, y, w)
    assert big.alpha_ == small.alpha_
    assert big.best_score_ == pytest.approx(small.best_score_, rel=1e-9)
    _close(big.coef_, small.coef_, 1e-12)


def test_weights_of_1e300_are_alphas_times_1e300():
    X, y, sw = _data(40, 6)
    big = lk.RidgeCV(alphas=ALPHAS * 1e300, store_cv_results=True).fit(X, y, sw * 1e300)
    ref = lk.RidgeCV(alphas=ALPHAS, store_cv_results=True).fit(X, y, sw)
    assert big.alpha_ == pytest.approx(ref.alpha_ * 1e300, rel=1e-15)
    assert big.best_score_ == pytest.approx(ref.best_score_ * 1e300, rel=1e-12)
    _close(big.coef_, ref.coef_, 1e-12)
    assert np.all(np.isfinite(big.cv_results_))


@pytest.mark.parametrize("gcv_mode", ["eigen", "svd"])
def test_a_gram_matrix_that_overflows_is_rescaled(gcv_mode):
    """X * 2^515 with alphas * 2^1030 is X with alphas, coefficients / 2^515."""
    X, y, _ = _data(30, 4, shift=3.0)
    alphas = np.logspace(-9, -3, 7)
    c = np.ldexp(1.0, 515)
    big = lk.RidgeCV(alphas=np.ldexp(alphas, 1030), gcv_mode=gcv_mode).fit(X * c, y)
    ref = lk.RidgeCV(alphas=alphas, gcv_mode=gcv_mode).fit(X, y)
    assert big.alpha_ == np.ldexp(ref.alpha_, 1030)
    _close(big.coef_ * c, ref.coef_, 1e-12)
    assert big.best_score_ == pytest.approx(ref.best_score_, rel=1e-12)


# -- errors --------------------------------------------------------------------------------

@pytest.mark.parametrize("params, match", [
    ({"alphas": [1.0, 0.0]}, r"alphas\[1\] == 0.0, must be finite and > 0"),
    ({"alphas": [1.0, -1.0], "cv": 3}, r"alphas\[1\] == -1.0, must be finite and >= 0"),
    ({"alphas": [[1.0]]}, "1-D array"),
    ({"cv": 3, "store_cv_results": True}, "store_cv_results=True are incompatible"),
    ({"cv": 3, "alpha_per_target": True}, "alpha_per_target=True are incompatible"),
    ({"gcv_mode": "qr"}, "'gcv_mode' parameter of RidgeCV"),
    ({"scoring": "no-such-score"}, "'scoring' parameter of RidgeCV"),
    ({"alphas": -1.0}, "'alphas' parameter of RidgeCV"),
])
def test_errors_are_sentences(params, match):
    X, y, _ = _data(20, 3)
    with pytest.raises(ValueError, match=match):
        lk.RidgeCV(**params).fit(X, y)


def test_alpha_zero_in_k_folds_is_least_squares():
    X, y, _ = _data(40, 5)
    ours, theirs = _both(X, y, alphas=[0.0, 1.0], cv=3)
    _same(ours, theirs, rtol=1e-8)
