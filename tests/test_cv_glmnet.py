"""LassoCV / ElasticNetCV as glmnet users use them: relax, path_, penalty weights, standardize.

References are fold-by-fold refits written here: each fold's path from
``lk.lasso_path``/``lk.enet_path`` on explicitly scaled columns where it
matters, the relaxed fits by ``np.linalg.lstsq`` (``test_relax._refit``),
the test errors and the choice rules in numpy.
"""

import pickle

import numpy as np
import pytest
from conftest import make_data, make_sample_weight
from sklearn.model_selection import KFold
from test_relax import _refit

import lassokit as lk
import lassokit.estimators._cv_refit as cv_refit

TIGHT = dict(tol=1e-12, max_iter=100_000)
#: Test MSEs of two accurate (certified to 1e-12) solutions agree to this.
MSE_RTOL = 1e-6
GAMMAS = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
#: precompute=False turns the Gram-block engine off: the folds run on sessions.
ENGINES = {"moments": {}, "sessions": {"precompute": False}}


def _data(weighted, seed=0, n=90, p=8):
    X, y = make_data(n, p, seed=seed, noise=1.5)
    return X, y, (make_sample_weight(n, seed) if weighted else None)


def _sd(X, s, fit_intercept=True):
    """Weighted column standard deviations, glmnet's (normalized by the sum of the weights)."""
    s = np.ones(X.shape[0]) if s is None else s
    m = (s @ X) / s.sum() if fit_intercept else 0.0
    return np.sqrt((s @ (X - m) ** 2) / s.sum())


def _mse(X, y, s, coefs, icpts):
    resid = X @ coefs + icpts - y[:, None]
    return np.average(resid ** 2, axis=0, weights=s)


def _part(a, idx):
    return None if a is None else a[idx]


def _fold_errors(X, y, sw, folds, fit_path, gammas=None):
    """``(n_gammas or 1, n_alphas, n_folds)`` test errors of ``fit_path(X_tr, y_tr, s_tr)``.

    ``fit_path`` returns ``(path, scale)``: the path on (possibly scaled)
    columns and the scale that maps X to them. With ``gammas`` the path is
    relaxed by explicit least-squares refits on each support.
    """
    out = []
    for train, test in folds:
        path, sd = fit_path(X[train], y[train], _part(sw, train))
        Xte = X[test] / sd
        if gammas is None:
            out.append([_mse(Xte, y[test], _part(sw, test), path.coefs, path.intercepts)])
            continue
        refits = [_refit(X[train] / sd, y[train], _part(sw, train), path.nonzero()[:, i], True)
                  for i in range(len(path))]
        W = np.column_stack([w for w, _ in refits])
        b = np.array([b for _, b in refits])
        out.append([_mse(Xte, y[test], _part(sw, test), g * path.coefs + (1 - g) * W,
                         g * path.intercepts + (1 - g) * b) for g in gammas])
    return np.moveaxis(np.array(out), 0, 2)


@pytest.mark.parametrize("engine", list(ENGINES))
@pytest.mark.parametrize("weighted", [False, True])
def test_relaxed_cv_errors_choice_and_refit(engine, weighted):
    X, y, sw = _data(weighted)
    folds = list(KFold(3).split(X))
    est = lk.LassoCV(alphas=12, cv=folds, relax=True, **ENGINES[engine], **TIGHT).fit(
        X, y, sample_weight=sw)
    grid = est.alphas_
    ref = _fold_errors(X, y, sw, folds, lambda Xt, yt, st: (
        lk.lasso_path(Xt, yt, alphas=grid, sample_weight=st, tol=1e-12), 1.0), GAMMAS)
    np.testing.assert_allclose(est.gammas_, GAMMAS)
    np.testing.assert_allclose(est.mse_relax_path_, ref, rtol=MSE_RTOL)
    np.testing.assert_array_equal(est.mse_relax_path_[-1], est.mse_path_)  # gamma = 1
    # glmnet's choice on the reference table: the minimum; then the largest
    # alpha, then the largest gamma, within one standard error of it.
    mean = ref.mean(axis=2)
    g, a = np.unravel_index(np.argmin(mean), mean.shape)
    assert (est.alpha_, est.gamma_) == (pytest.approx(grid[a]), GAMMAS[g])
    within = mean <= mean[g, a] + ref[g, a].std(ddof=1) / np.sqrt(3)
    a1 = np.flatnonzero(within.any(axis=0))[0]
    g1 = np.flatnonzero(within[:, a1]).max()
    assert (est.alpha_1se_, est.gamma_1se_) == (pytest.approx(grid[a1]), GAMMAS[g1])
    np.testing.assert_allclose(est.mse_relax_se_path_, ref.std(axis=2, ddof=1) / np.sqrt(3),
                               rtol=1e-5)
    # The refit: the certified lasso at alpha_, relaxed at gamma_ on all data.
    lasso = lk.lasso(X, y, est.alpha_, sample_weight=sw).solve(tol=1e-12)
    w, b = _refit(X, y, sw, lasso.coef != 0, True)
    gam = est.gamma_
    np.testing.assert_allclose(est.coef_, gam * lasso.coef + (1 - gam) * w, rtol=1e-6,
                               atol=1e-6 * np.abs(w).max())
    assert est.intercept_ == pytest.approx(gam * lasso.intercept + (1 - gam) * b, rel=1e-6)
    assert est.solution_.coef == pytest.approx(lasso.coef, abs=1e-6)  # the certified lasso


@pytest.mark.parametrize("engine", list(ENGINES))
def test_penalty_weights_fold_by_fold(engine):
    X, y, sw = _data(True, seed=1)
    pf = np.linspace(0.5, 2.0, X.shape[1])
    pf[2] = 0.0  # unpenalized
    folds = list(KFold(4).split(X))
    est = lk.LassoCV(alphas=10, cv=folds, penalty_weights=pf, **ENGINES[engine], **TIGHT).fit(
        X, y, sample_weight=sw)
    full = lk.lasso_path(X, y, weights=pf, sample_weight=sw, n_alphas=10)
    np.testing.assert_allclose(est.alphas_, full.alphas, rtol=1e-12)
    ref = _fold_errors(X, y, sw, folds, lambda Xt, yt, st: (lk.lasso_path(
        Xt, yt, alphas=est.alphas_, weights=pf, sample_weight=st, tol=1e-12), 1.0))
    np.testing.assert_allclose(est.mse_path_, ref[0], rtol=MSE_RTOL)
    sol = lk.Problem(X, y, lk.L1(est.alpha_, pf), sample_weight=sw).solve(tol=1e-12)
    np.testing.assert_allclose(est.coef_, sol.coef, atol=1e-6)


@pytest.mark.parametrize("engine", list(ENGINES))
@pytest.mark.parametrize("model", ["lasso", "enet"])
def test_standardize_is_the_cv_of_columns_scaled_within_each_fold(engine, model):
    rng = np.random.default_rng(2)
    X, y, sw = _data(True, seed=2)
    X = X * rng.uniform(0.1, 20.0, X.shape[1])  # columns of very different spreads
    pf = np.r_[0.5, np.ones(X.shape[1] - 1)]
    folds = list(KFold(3).split(X))
    if model == "lasso":
        est = lk.LassoCV(alphas=10, cv=folds, standardize=True, penalty_weights=pf,
                         **ENGINES[engine], **TIGHT)
        fit = lk.lasso_path
    else:
        est = lk.ElasticNetCV(l1_ratio=0.5, alphas=10, cv=folds, standardize=True,
                              penalty_weights=pf, **ENGINES[engine], **TIGHT)

        def fit(*a, **kw):
            return lk.enet_path(*a, l1_ratio=0.5, **kw)
    est.fit(X, y, sample_weight=sw)
    sd = _sd(X, sw)
    # glmnet: the grid from all rows standardized, each fold standardized
    # with its own training rows (and its test rows scaled alike).
    np.testing.assert_allclose(est.alphas_, fit(X / sd, y, weights=pf, sample_weight=sw,
                                                 n_alphas=10).alphas, rtol=1e-10)
    ref = _fold_errors(X, y, sw, folds, lambda Xt, yt, st: (fit(
        Xt / _sd(Xt, st), yt, alphas=est.alphas_, weights=pf, sample_weight=st, tol=1e-12),
        _sd(Xt, st)))
    np.testing.assert_allclose(est.mse_path_, ref[0], rtol=MSE_RTOL)
    # The refit on the original scale: the scaled fit divided by the scales.
    scaled = fit(X / sd, y, alphas=[est.alpha_], weights=pf, sample_weight=sw, tol=1e-12)
    np.testing.assert_allclose(est.coef_ * sd, scaled.coefs[:, 0], atol=1e-6)


@pytest.mark.parametrize("engine", list(ENGINES))
def test_path_is_the_full_data_path_solved_on_first_access(engine, monkeypatch):
    X, y, _ = _data(False, seed=3)
    calls = []
    real = cv_refit.run_path
    monkeypatch.setattr(cv_refit, "run_path", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    est = lk.LassoCV(alphas=10, cv=3, **ENGINES[engine], **TIGHT).fit(X, y)
    assert calls == []  # fit does not pay for path_
    path = est.path_
    assert est.path_ is path and calls == [1]
    ref = lk.lasso_path(X, y, alphas=est.alphas_, tol=1e-12)
    np.testing.assert_allclose(path.alphas, est.alphas_)
    np.testing.assert_allclose(path.predict(X, alpha=est.alpha_1se_),
                               ref.predict(X, alpha=est.alpha_1se_), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(path.coef_at(est.alpha_), est.coef_, atol=1e-6)
    # Solved, it is kept by pickles (with its problem: it can still relax).
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.path_.coefs, path.coefs)
    assert again.path_.relax(0.5).gamma == 0.5


def test_path_of_elasticnetcv_relaxed_lassocv_and_pickles_before_access():
    X, y, sw = _data(True, seed=4)
    enet = lk.ElasticNetCV(l1_ratio=[0.2, 0.9], alphas=8, cv=3, **TIGHT).fit(
        X, y, sample_weight=sw)
    row = [0.2, 0.9].index(enet.l1_ratio_)
    assert enet.path_.l1_ratio == enet.l1_ratio_
    np.testing.assert_allclose(enet.path_.alphas, enet.alphas_[row])
    np.testing.assert_allclose(enet.path_.coef_at(enet.alpha_), enet.coef_, atol=1e-6)
    relaxed = lk.LassoCV(alphas=8, cv=3, relax=True, standardize=True, **TIGHT).fit(X, y)
    assert relaxed.path_.gamma == relaxed.gamma_
    np.testing.assert_allclose(relaxed.path_.coef_at(relaxed.alpha_), relaxed.coef_,
                               atol=1e-6)
    assert not hasattr(lk.LassoCV(), "path_")  # not fitted
    fresh = pickle.loads(pickle.dumps(lk.LassoCV(alphas=5, cv=3).fit(X, y)))
    with pytest.raises(AttributeError, match="Read path_ before pickling"):
        _ = fresh.path_
    assert fresh.predict(X[:2]).shape == (2,)


def test_relaxed_engines_agree_with_positivity_and_free_features():
    X, y, sw = _data(True, seed=5)
    pf = np.ones(X.shape[1])
    pf[1] = 0.0  # free, and positive in the data (feature 0 is negative there)
    kw = dict(alphas=8, cv=3, relax=True, positive=True, penalty_weights=pf,
              gammas=[0.0, 0.6], **TIGHT)
    a = lk.LassoCV(**kw).fit(X, y, sample_weight=sw)
    b = lk.LassoCV(precompute=False, **kw).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(a.mse_relax_path_, b.mse_relax_path_, rtol=MSE_RTOL)
    assert np.all(a.coef_ >= 0) and a.coef_[1] > 0 and a.coef_[0] == 0
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-6)
    assert a.mse_relax_path_.shape == (2, 8, 3)
    # One split: no standard error, so the 1-SE pair is the minimum itself.
    one = lk.LassoCV(alphas=6, cv=[next(KFold(3).split(X))], relax=True).fit(
        X.astype(np.float32), y)
    assert (one.alpha_1se_, one.gamma_1se_) == (one.alpha_, one.gamma_)
    assert one.coef_.dtype == np.float32 and np.all(np.isnan(one.mse_relax_se_path_))


def test_bad_weights_flags_and_gammas_are_refused():
    X, y, _ = _data(False)
    p = X.shape[1]
    with pytest.raises(ValueError, match="penalty_weights"):
        lk.LassoCV(penalty_weights=np.ones(p + 1)).fit(X, y)
    with pytest.raises(ValueError, match="penalty_weights"):
        lk.ElasticNetCV(penalty_weights=-np.ones(p)).fit(X, y)
    with pytest.raises(TypeError, match="standardize"):
        lk.LassoCV(standardize="yes").fit(X, y)
    with pytest.raises(TypeError, match="relax"):
        lk.LassoCV(relax=1).fit(X, y)
    with pytest.raises(ValueError, match="gammas must be a number in"):
        lk.LassoCV(relax=True, gammas=[0.5, 1.5]).fit(X, y)
    with pytest.raises(TypeError, match="gammas"):
        lk.LassoCV(relax=True, gammas="0.5").fit(X, y)
    assert not hasattr(lk.LassoCV(alphas=5).fit(X, y), "gamma_")  # relax=False
