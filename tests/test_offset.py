"""Offsets (glmnet's ``offset``): a fixed part of the linear predictor, for every loss."""

import copy
import pickle

import numpy as np
import pytest
import scipy.sparse as sp

import lassokit as lk


def _data(loss, n=150, p=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    o = rng.uniform(-1.0, 1.0, n)
    z = 0.6 * X[:, 0] - 0.4 * X[:, 1] + o
    y = {"squared": z + 0.3 * rng.standard_normal(n),
         "huber": z + rng.standard_t(2, n),
         "logistic": (z + rng.logistic(size=n) > 0).astype(float),
         "poisson": rng.poisson(np.exp(z)).astype(float)}[loss]
    return X, y, o


@pytest.mark.parametrize("loss", ["squared", "huber", "logistic", "poisson"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_cd_and_cvxpy_agree_with_an_offset(loss, fit_intercept):
    X, y, o = _data(loss)
    prob = lk.Problem(X, y, lk.L1(0.02), loss=loss, offset=o, fit_intercept=fit_intercept)
    cd = prob.solve("cd", tol=1e-10)
    ref = prob.solve("cvxpy", tol=1e-10)
    assert cd.converged and ref.converged
    np.testing.assert_allclose(cd.coef, ref.coef, atol=1e-5)
    assert cd.objective == pytest.approx(ref.objective, rel=1e-9)
    # The objective states the offset: it differs from the problem without it.
    plain = lk.Problem(X, y, lk.L1(0.02), loss=loss, fit_intercept=fit_intercept)
    assert plain.objective(cd.coef, cd.intercept) != pytest.approx(cd.objective, rel=1e-6)


def test_a_constant_offset_moves_only_the_intercept():
    X, y, _ = _data("poisson")
    base = lk.Problem(X, y, lk.L1(0.01), loss="poisson").solve(tol=1e-10)
    shifted = lk.Problem(X, y, lk.L1(0.01), loss="poisson",
                         offset=np.full(y.size, 0.7)).solve(tol=1e-10)
    np.testing.assert_allclose(shifted.coef, base.coef, atol=1e-7)
    assert shifted.intercept == pytest.approx(base.intercept - 0.7, abs=1e-7)


def test_poisson_exposure_offset_intercept_only_is_the_rate():
    # Intercept only: b = log(sum s y / sum s exposure), in closed form.
    X, y, _ = _data("poisson")
    expo = np.random.default_rng(1).uniform(0.5, 3.0, y.size)
    prob = lk.Problem(X, y, lk.L1(1e6), loss="poisson", offset=np.log(expo))
    sol = prob.solve()
    assert not np.any(sol.coef)
    assert sol.intercept == pytest.approx(np.log(y.sum() / expo.sum()), rel=1e-10)


def test_squared_offset_is_fitting_y_minus_offset_and_alpha_max_sees_it():
    X, y, o = _data("squared")
    a = lk.Problem(X, y, lk.L1(0.05), offset=o)
    b = lk.lasso(X, y - o, 0.05)
    np.testing.assert_allclose(a.solve(tol=1e-12).coef, b.solve(tol=1e-12).coef, atol=1e-10)
    assert a.alpha_max() == pytest.approx(b.alpha_max())
    for loss in ("logistic", "poisson"):
        X, y, o = _data(loss)
        pr = lk.Problem(X, y, lk.L1(1.0), loss=loss, offset=o)
        amax = pr.alpha_max()
        assert not np.any(pr.replace(penalty=lk.L1(amax * 1.001)).solve(tol=1e-10).coef)
        assert np.any(pr.replace(penalty=lk.L1(amax * 0.9)).solve(tol=1e-10).coef)


def test_offset_through_paths_copies_sparse_and_predict():
    X, y, o = _data("logistic")
    prob = lk.Problem(sp.csc_matrix(X), y, lk.L1(1.0), loss="logistic", offset=o)
    p = lk.path(prob, n_alphas=6, tol=1e-9)
    assert p.converged.all()
    dense = lk.Problem(X, y, lk.L1(p.alphas[4]), loss="logistic", offset=o).solve(tol=1e-10)
    np.testing.assert_allclose(p.coefs[:, 4], dense.coef, atol=1e-5)
    for other in (copy.deepcopy(prob), pickle.loads(pickle.dumps(prob)),
                  prob.replace(penalty=lk.L1(0.01))):
        np.testing.assert_array_equal(other.offset, o)
    sol = prob.replace(penalty=lk.L1(0.01)).solve()
    np.testing.assert_allclose(sol.decision_function(X, offset=o),
                               X @ sol.coef + sol.intercept + o)


@pytest.mark.parametrize("bad, match", [(np.ones(3), "offset has length 3"),
                                        (np.full(150, np.nan), "offset")])
def test_bad_offsets_are_sentences(bad, match):
    X, y, _ = _data("poisson")
    with pytest.raises(ValueError, match=match):
        lk.Problem(X, y, lk.L1(0.1), loss="poisson", offset=bad)


def test_poisson_regressor_exposure_offset_is_scikit_learns_rate_model():
    from sklearn.linear_model import PoissonRegressor as SkPoisson

    rng = np.random.default_rng(5)
    n = 400
    X = rng.standard_normal((n, 4))
    expo = rng.uniform(0.5, 4.0, n)
    y = rng.poisson(expo * np.exp(0.4 * X[:, 0] - 0.2 * X[:, 2])).astype(float)
    ours = lk.PoissonRegressor(alpha=0.01, tol=1e-10, max_iter=10000).fit(
        X, y, offset=np.log(expo))
    # The same model as a rate y / e with weights e; scikit-learn normalizes its
    # loss by sum(e) where lassokit divides by n, hence alpha * n / sum(e).
    ref = SkPoisson(alpha=0.01 * n / expo.sum(), tol=1e-12, max_iter=10000).fit(
        X, y / expo, sample_weight=expo)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-6)
    assert ours.intercept_ == pytest.approx(ref.intercept_, abs=1e-6)
    np.testing.assert_allclose(ours.predict(X, offset=np.log(expo)), expo * ref.predict(X),
                               rtol=1e-6)
