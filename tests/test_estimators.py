"""lk.Lasso / lk.ElasticNet / lk.Ridge against scikit-learn and against the certificate."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as sk
from conftest import (
    COEF_TOL,
    SK_TIGHT,
    assert_coef_close,
    converged_ref,
    make_data,
    make_sample_weight,
    sklearn_converged,
)

import lassokit as lk

#: Tight settings under which both libraries reach the optimum.
LK_TIGHT = dict(tol=1e-12, max_iter=100_000)
#: float32 data are rounded to ~6e-8 relatively; coefficients follow.
F32_COEF_TOL = 2e-4

ESTIMATORS = {
    "lasso": (lk.Lasso, sk.Lasso, dict(alpha=0.05)),
    "enet": (lk.ElasticNet, sk.ElasticNet, dict(alpha=0.08, l1_ratio=0.3)),
    "ridge": (lk.Ridge, sk.Ridge, dict(alpha=2.0)),
}


def _sk_fit(cls, params, X, y, sw, **kw):
    """A scikit-learn reference: checked converged (its ConvergenceWarning is
    an error), or a direct solve with nothing to converge (Ridge)."""
    extra = {} if cls is sk.Ridge else SK_TIGHT
    if cls is sk.Ridge and sp.issparse(X):
        # Sparse X would take sparse_cg, which never reports stopping short
        # when max_iter is given: the same numbers, dense, by Cholesky.
        X, extra = X.toarray(), dict(solver="cholesky")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with sklearn_converged():
            return cls(**params, **extra, **kw).fit(X, y, sample_weight=sw)


def _data(storage="dense", dtype=np.float64, weighted=False, seed=0):
    X, y = make_data(40, 15, seed=seed, storage=storage, dtype=dtype)
    sw = make_sample_weight(40, seed) if weighted else None
    return X, y, sw


@pytest.mark.parametrize("name", list(ESTIMATORS))
@pytest.mark.parametrize("storage", ["dense", "csc", "csr"])
@pytest.mark.parametrize("weighted", [False, True])
def test_same_coefficients_as_sklearn(name, storage, weighted):
    lk_cls, sk_cls, params = ESTIMATORS[name]
    X, y, sw = _data(storage, weighted=weighted)
    tight = dict(tol=1e-12) if name == "ridge" else LK_TIGHT  # sparse Ridge is iterative
    ours = lk_cls(**params, **tight).fit(X, y, sample_weight=sw)
    ref = _sk_fit(sk_cls, params, X, y, sw)
    assert_coef_close(ours.coef_, ref.coef_, COEF_TOL)
    assert abs(ours.intercept_ - ref.intercept_) <= COEF_TOL * max(1.0, abs(ref.intercept_))
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", list(ESTIMATORS))
@pytest.mark.parametrize("kw", [dict(fit_intercept=False), dict(positive=True)])
def test_options_match_sklearn(name, kw):
    lk_cls, sk_cls, params = ESTIMATORS[name]
    if name == "ridge" and kw.get("positive"):
        kw = dict(kw, tol=1e-12)  # an iterative backend: ask for an accurate one
        with sklearn_converged():
            ref = sk.Ridge(**params, positive=True, solver="lbfgs", tol=1e-14,
                           max_iter=100_000).fit(*_data()[:2])
    else:
        ref = _sk_fit(sk_cls, params, *_data()[:2], None, **kw)
    X, y, _ = _data()
    ours = lk_cls(**params, **({} if name == "ridge" else LK_TIGHT), **kw).fit(X, y)
    assert_coef_close(ours.coef_, ref.coef_, 1e-4 if name == "ridge" and kw.get("positive")
                      else COEF_TOL)
    if kw.get("positive"):
        assert np.all(ours.coef_ >= 0)
    if kw.get("fit_intercept") is False:
        assert ours.intercept_ == 0.0


@pytest.mark.parametrize("name", list(ESTIMATORS))
@pytest.mark.parametrize("storage", ["dense", "csr"])
def test_float32_in_float32_out(name, storage):
    lk_cls, _, params = ESTIMATORS[name]
    X, y, _ = _data(storage, dtype=np.float32)
    est = lk_cls(**params, **({} if name == "ridge" else dict(tol=1e-8))).fit(X, y)
    assert est.coef_.dtype == np.float32
    assert isinstance(est.intercept_, np.float32)
    assert est.predict(X).dtype == np.float32
    X64 = X.astype(np.float64)
    assert est.predict(X64).dtype == np.float64
    ref = lk_cls(**params, **({} if name == "ridge" else dict(tol=1e-10))).fit(X64, y)
    converged_ref(ref)
    assert_coef_close(est.coef_, ref.coef_, F32_COEF_TOL)


def test_dual_gap_is_the_certificate_in_section1_scale():
    X, y, sw = _data(weighted=True)
    est = lk.ElasticNet(alpha=0.1, l1_ratio=0.7, tol=1e-6).fit(X, y, sample_weight=sw)
    prob = lk.elastic_net(X, y, 0.1, l1_ratio=0.7, sample_weight=sw)
    cert = prob.certify(est.coef_)
    assert est.dual_gap_ >= 0
    assert cert.dual_gap <= 1e-6 * prob.objective(np.zeros(X.shape[1]), float(
        np.average(y, weights=sw))) + 1e-15
    assert est.solution_.dual_gap == est.dual_gap_
    assert est.intercept_ == pytest.approx(cert.intercept, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
def test_ridge_parameter_mapping(weighted):
    """lk.Ridge(alpha) solves lk.ridge(X, y, alpha / sum(sw)) -- the objective's 1/(2S) scale."""
    X, y, sw = _data(weighted=weighted)
    total = X.shape[0] if sw is None else sw.sum()
    est = lk.Ridge(alpha=3.0).fit(X, y, sample_weight=sw)
    sol = lk.ridge(X, y, 3.0 / total, sample_weight=sw).solve("direct")
    assert_coef_close(est.coef_, sol.coef, 1e-10)
    assert est.solver_ == est.backend_ == "direct"
    assert est.n_iter_ >= 1


def test_ridge_scalar_weight_rescales_alpha_like_sklearn():
    X, y, _ = _data()
    ours = lk.Ridge(alpha=2.0).fit(X, y, sample_weight=4.0)
    assert_coef_close(ours.coef_, lk.Ridge(alpha=0.5).fit(X, y).coef_, 1e-10)
    assert_coef_close(ours.coef_, sk.Ridge(alpha=2.0).fit(X, y, sample_weight=4.0).coef_, 1e-8)


def test_enet_ignores_scalar_weight_and_rescales_weights_like_sklearn():
    X, y, sw = _data(weighted=True)
    base = lk.Lasso(alpha=0.05, **LK_TIGHT)
    a = base.fit(X, y, sample_weight=sw).coef_.copy()
    b = base.fit(X, y, sample_weight=7.5 * sw).coef_.copy()
    assert_coef_close(a, b, 1e-8)
    c = base.fit(X, y, sample_weight=3.0).coef_.copy()
    assert_coef_close(c, base.fit(X, y).coef_, 1e-10)


def test_integer_weights_equal_repeated_rows():
    X, y, _ = _data()
    rng = np.random.default_rng(3)
    sw = rng.integers(0, 4, size=X.shape[0])
    Xr, yr = np.repeat(X, sw, axis=0), np.repeat(y, sw)
    for est in (lk.Lasso(0.05, **LK_TIGHT), lk.ElasticNet(0.05, **LK_TIGHT), lk.Ridge(1.0)):
        a = est.fit(X, y, sample_weight=sw).coef_.copy()
        b = est.fit(Xr, yr).coef_.copy()
        assert_coef_close(a, b, 1e-7)


def test_classic_example_by_changing_only_the_import():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # scikit-learn's introductory snippet, verbatim except for the import line.
    from lassokit import Lasso

    clf = Lasso(alpha=0.1)
    clf.fit([[0, 0], [1, 1], [2, 2]], [0, 1, 2])
    with sklearn_converged():
        ref = sk.Lasso(alpha=0.1).fit([[0, 0], [1, 1], [2, 2]], [0, 1, 2])
    np.testing.assert_allclose(clf.coef_, ref.coef_, atol=1e-3)
    np.testing.assert_allclose(clf.predict([[1, 1]]), ref.predict([[1, 1]]), atol=1e-3)

    # The coefficient-shrinkage plot over a log grid of alphas.
    X, y = make_data(50, 8, seed=4)
    alphas = np.logspace(-3, 1, 50)
    coefs = []
    lasso = Lasso()
    for a in alphas:
        lasso.set_params(alpha=a)
        lasso.fit(X, y)
        coefs.append(lasso.coef_)
    fig, ax = plt.subplots()
    ax.plot(alphas, coefs)
    ax.set_xscale("log")
    plt.close(fig)
    coefs = np.array(coefs)
    assert coefs.shape == (50, 8)
    # Each fit is certified to tol: never worse than an accurate scikit-learn fit by more.
    for a, c in zip(alphas[::7], coefs[::7]):
        prob = lk.lasso(X, y, a)
        with sklearn_converged():
            sk_coef = sk.Lasso(alpha=a, **SK_TIGHT).fit(X, y).coef_
        p0 = prob.objective(np.zeros(8), float(np.mean(y)))
        excess = prob.objective(c, prob.certify(c).intercept) - prob.objective(
            sk_coef, prob.certify(sk_coef).intercept)
        assert excess <= 1e-4 * p0


def test_sparse_coef_and_no_input_changes():
    X, y, _ = _data("csc")
    data_before = X.data.copy()
    est = lk.Lasso(alpha=0.05).fit(X, y)
    assert sp.issparse(est.sparse_coef_) and est.sparse_coef_.shape == (1, X.shape[1])
    np.testing.assert_array_equal(est.sparse_coef_.toarray().ravel(), est.coef_)
    np.testing.assert_array_equal(X.data, data_before)
    Xd, yd, _ = _data()
    Xd.flags.writeable = False
    lk.ElasticNet(alpha=0.05).fit(Xd, yd)  # read-only input is fine: never written


def test_pandas_feature_names():
    pd = pytest.importorskip("pandas")
    X, y, _ = _data()
    df = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    est = lk.Lasso(alpha=0.05).fit(df, pd.Series(y))
    np.testing.assert_array_equal(est.feature_names_in_, df.columns.to_numpy())
    with pytest.warns(UserWarning, match="feature names"):
        np.testing.assert_allclose(est.predict(df), est.predict(X))
    with pytest.raises(ValueError, match="feature names"):
        est.predict(df.rename(columns={"f0": "zz"}))


def test_warm_start_reuses_coef():
    X, y, _ = _data()
    est = lk.Lasso(alpha=0.02, tol=1e-10, warm_start=True).fit(X, y)
    first = est.n_iter_
    coef = est.coef_.copy()
    est.fit(X, y)
    assert est.n_iter_ <= max(first // 2, 2)
    assert_coef_close(est.coef_, coef, 1e-6)


def test_fit_leaves_params_untouched_and_hints_reach_the_optimum():
    X, y, _ = _data()
    ref = converged_ref(lk.Lasso(alpha=0.05, **LK_TIGHT).fit(X, y)).coef_
    for hints in (dict(selection="random", random_state=0), dict(precompute=True),
                  dict(precompute=np.eye(X.shape[1])), dict(copy_X=False)):
        est = lk.Lasso(alpha=0.05, **LK_TIGHT, **hints)
        before = {k: (v.copy() if isinstance(v, np.ndarray) else v)
                  for k, v in est.get_params().items()}
        est.fit(X, y)
        for k, v in est.get_params().items():
            assert np.all(v == before[k]), k
        assert_coef_close(est.coef_, ref, COEF_TOL)


def test_alpha_zero_is_least_squares():
    X, y, _ = _data()
    est = lk.Lasso(alpha=0.0, fit_intercept=False).fit(X, y)
    ols = np.linalg.lstsq(X, y, rcond=None)[0]
    assert_coef_close(est.coef_, ols, 1e-8)


def test_unconverged_fit_warns_with_lassokit_warning():
    from sklearn.exceptions import ConvergenceWarning as SkWarning

    X, y, _ = _data()
    with pytest.warns(SkWarning, match="relative duality"):
        est = lk.Lasso(alpha=0.001, tol=1e-14, max_iter=1).fit(X, y)
    assert not est.solution_.converged


@pytest.mark.parametrize("est, match, exc", [
    (lk.Lasso(alpha=-1.0), "'alpha'", ValueError),
    (lk.Lasso(alpha="a"), "'alpha'", TypeError),
    (lk.ElasticNet(l1_ratio=1.5), "'l1_ratio'", ValueError),
    (lk.Lasso(selection="best"), "'selection'", ValueError),
    (lk.Lasso(max_iter=0), "'max_iter'", ValueError),
    (lk.Lasso(tol=-1e-3), "'tol'", ValueError),
    (lk.Lasso(backend="nope"), "nope", ValueError),
    (lk.Lasso(precompute=np.eye(3)), "Gram", ValueError),
    (lk.Ridge(alpha=[1.0, 2.0]), "alpha", ValueError),
    (lk.Ridge(solver="magic"), "'solver'", ValueError),
])
def test_bad_parameters_name_themselves(est, match, exc):
    X, y, _ = _data()
    with pytest.raises(exc, match=match):
        est.fit(X, y)


def test_bad_sample_weights():
    X, y, _ = _data()
    with pytest.raises(ValueError, match="non-negative"):
        lk.Lasso().fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="sample_weight"):
        lk.Ridge().fit(X, y, sample_weight=np.ones(len(y) + 1))
    # A 2-D y is K targets now (tests/test_multitask_estimators.py), still validated.
    assert lk.Lasso().fit(X, np.c_[y, y]).coef_.shape == (2, X.shape[1])
    with pytest.raises(ValueError, match="sample_weight"):
        lk.Lasso().fit(X, np.c_[y, y], sample_weight=np.ones(len(y) + 1))


def test_same_parameter_names_and_defaults_as_sklearn():
    import inspect

    pairs = [(lk.Lasso, sk.Lasso), (lk.ElasticNet, sk.ElasticNet), (lk.Ridge, sk.Ridge),
             (lk.LassoCV, sk.LassoCV), (lk.ElasticNetCV, sk.ElasticNetCV)]
    # lassokit's own keywords come after scikit-learn's, in this order (API §5, §10).
    glmnet = ["backend", "lower_bounds", "upper_bounds", "penalty_weights", "standardize"]
    extras = {"Lasso": glmnet, "ElasticNet": glmnet, "LassoCV": [*glmnet, "relax", "gammas"],
              "ElasticNetCV": glmnet}
    for ours, theirs in pairs:
        mine = inspect.signature(ours).parameters
        ref = inspect.signature(theirs).parameters
        assert list(mine) == list(ref) + extras.get(ours.__name__, ["backend"]), ours.__name__
        for name, param in ref.items():
            assert mine[name].default == param.default, (ours.__name__, name)
            assert mine[name].kind == param.kind, (ours.__name__, name)
        assert mine["backend"].default == "auto"
