"""The problem layer with losses other than least squares, and the cd solver for them.

References are independent of the solver: hand-derived optima (a scalar
equation solved by brentq), the loss certificate evaluated at points the
solver never saw, and a tight proximal-gradient run written here.
"""

import copy
import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import brentq
from scipy.special import expit

import lassokit as lk

LOSSES = ["logistic", "poisson", "huber"]


def _data(loss, n=120, p=15, seed=0, positives=0.5):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    w = np.zeros(p)
    w[:4] = [1.0, -0.8, 0.6, 0.4]
    z = X @ w
    if loss == "logistic":
        shift = np.quantile(z, 1 - positives)
        y = (z - shift + 0.5 * rng.standard_normal(n) > 0).astype(float)
    elif loss == "poisson":
        y = rng.poisson(np.exp(0.5 * z - 1.0)).astype(float)
    else:
        y = z + rng.standard_t(2, n)
    return X, y


def _alpha(loss, X, y, share=0.1, **kw):
    return share * lk.Problem(X, y, lk.L1(1.0), loss=loss, **kw).alpha_max()


# -- the declarative layer --------------------------------------------------------
def test_loss_names_and_objects_build_the_same_problem():
    X, y = _data("logistic")
    a = lk.Problem(X, y, lk.L1(0.01), loss="logistic")
    b = lk.Problem(X, y, lk.L1(0.01), loss=lk.Logistic())
    c = lk.logistic(X, y, 0.01)
    assert a.loss == b.loss == c.loss == lk.Logistic()
    w = np.linspace(-0.2, 0.2, X.shape[1])
    assert a.objective(w, 0.1) == b.objective(w, 0.1) == c.objective(w, 0.1)
    assert "loss=Logistic()" in repr(a)
    assert lk.Problem(X, y, lk.L1(0.01)).loss == lk.Squared()


def test_logistic_codings_are_one_problem():
    X, y01 = _data("logistic")
    w = np.linspace(-0.3, 0.3, X.shape[1])
    ref = lk.logistic(X, y01, 0.02).objective(w, 0.2)
    for y in (2 * y01 - 1, y01.astype(bool), y01.astype(int)):
        assert lk.logistic(X, y, 0.02).objective(w, 0.2) == ref
    np.testing.assert_array_equal(lk.logistic(X, y01, 0.02).y, 2 * y01 - 1)


@pytest.mark.parametrize("bad, match", [
    (np.array([0, 1, 2] * 40), "3 distinct labels"),
])
def test_logistic_refuses_three_labels(bad, match):
    X, _ = _data("logistic")
    with pytest.raises(ValueError, match=match):
        lk.logistic(X, bad, 0.1)


def test_poisson_refuses_negative_and_all_zero_counts():
    X, y = _data("poisson")
    y = y.copy()
    y[3] = -1
    with pytest.raises(ValueError, match="non-negative"):
        lk.Problem(X, y, lk.L1(0.1), loss="poisson")
    with pytest.raises(ValueError, match="all zero"):
        lk.Problem(X, np.zeros(X.shape[0]), lk.L1(0.1), loss="poisson")


def test_huber_refuses_a_non_positive_delta():
    with pytest.raises(ValueError, match="delta"):
        lk.Huber(0.0)


def test_unknown_loss_name_is_a_sentence():
    X, y = _data("huber")
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        lk.Problem(X, y, lk.L1(0.1), loss="hinge")


@pytest.mark.parametrize("loss", LOSSES)
def test_copies_pickles_and_replace_keep_the_loss(loss):
    X, y = _data(loss)
    prob = lk.Problem(X, y, lk.L1(0.01), loss=loss)
    for other in (copy.copy(prob), copy.deepcopy(prob), pickle.loads(pickle.dumps(prob)),
                  prob.replace(penalty=lk.L1(0.01)), prob.replace(fit_intercept=True)):
        assert other.loss == prob.loss
        w = np.full(X.shape[1], 0.01)
        assert other.objective(w, 0.1) == prob.objective(w, 0.1)
    assert prob.replace(loss="squared").loss == lk.Squared()


def test_writes_into_the_callers_labels_are_seen():
    X, y = _data("logistic")
    y = y.copy()
    prob = lk.logistic(X, y, 0.01)
    before = prob.objective(np.zeros(X.shape[1]), 0.0)
    assert before == pytest.approx(np.log(2))
    w = np.full(X.shape[1], 0.05)
    obj = prob.objective(w, 0.0)
    y[:] = 1 - y  # every label flipped: a new problem
    assert prob.objective(w, 0.0) != obj
    np.testing.assert_array_equal(prob.y, 2 * y - 1)


# -- hand-derived optima ----------------------------------------------------------
@pytest.mark.parametrize("a", [0.05, 0.2, 0.45])
def test_separable_two_points_have_the_closed_form_optimum(a):
    # P(w) = log(1 + exp(-w)) + a |w| on x = (1, -1), y = (+1, -1), no intercept:
    # the classes are separable, yet the L1 term makes w* = log((1 - a) / a) finite.
    X = np.array([[1.0], [-1.0]])
    y = np.array([1.0, -1.0])
    sol = lk.logistic(X, y, a, fit_intercept=False).solve("cd", tol=1e-12)
    assert sol.converged
    assert sol.coef[0] == pytest.approx(np.log((1 - a) / a), rel=1e-6)
    assert lk.logistic(X, y, 1.0, fit_intercept=False).alpha_max() == pytest.approx(0.5)


def test_orthogonal_logistic_feature_solves_its_scalar_equation():
    # One standardized feature, no intercept: the optimality condition is the
    # scalar equation (1/n) sum -y x sigmoid(-y x w) + a sign(w) = 0.
    rng = np.random.default_rng(3)
    x = rng.standard_normal(200)
    y = np.where(x + rng.standard_normal(200) > 0, 1.0, -1.0)
    a = 0.05

    def slope(w):
        return np.mean(-y * x * expit(-y * x * w)) + a

    w_star = brentq(slope, 0.0, 50.0, xtol=1e-14)
    sol = lk.logistic(x[:, None], y, a, fit_intercept=False).solve("cd", tol=1e-12)
    assert sol.coef[0] == pytest.approx(w_star, rel=1e-6)


def test_poisson_intercept_only_is_the_log_mean():
    X, y = _data("poisson")
    s = np.random.default_rng(1).uniform(0.5, 2.0, y.size)
    prob = lk.Problem(X, y, lk.L1(1e6), loss="poisson", sample_weight=s)
    sol = prob.solve("cd")
    assert not np.any(sol.coef)
    assert sol.intercept == pytest.approx(np.log(np.sum(s * y) / np.sum(s)), rel=1e-12)


def test_huber_with_a_huge_delta_is_the_lasso():
    X, y = _data("huber")
    y = X[:, 0] + 0.1 * np.random.default_rng(0).standard_normal(X.shape[0])
    a = 0.05
    hub = lk.Problem(X, y, lk.L1(a), loss=lk.Huber(1e6)).solve("cd", tol=1e-12)
    ls = lk.lasso(X, y, a).solve("cd", tol=1e-12)
    np.testing.assert_allclose(hub.coef, ls.coef, atol=1e-8)
    assert hub.intercept == pytest.approx(ls.intercept, abs=1e-8)


# -- the cd solver reaches the certificate ----------------------------------------
def _prox_gradient(prob, iters=20000):
    """A plain proximal-gradient reference (no intercept, L1 only), run very long."""
    X, y, loss = prob.X, prob.y, prob.loss
    n = X.shape[0]
    lam = prob.penalty.l1
    L = loss.curvature_bound() * np.linalg.norm(X, 2) ** 2 / n
    w = np.zeros(X.shape[1])
    for _ in range(iters):
        g = X.T @ loss.gradient(y, X @ w) / n
        v = w - g / L
        w = np.sign(v) * np.maximum(np.abs(v) - lam / L, 0.0)
    return w


@pytest.mark.parametrize("loss", ["logistic", "huber"])
def test_cd_matches_a_long_proximal_gradient_run(loss):
    X, y = _data(loss, n=80, p=10)
    a = _alpha(loss, X, y, 0.2, fit_intercept=False)
    prob = lk.Problem(X, y, lk.L1(a), loss=loss, fit_intercept=False)
    sol = prob.solve("cd", tol=1e-12)
    ref = _prox_gradient(prob)
    assert prob.objective(ref) - sol.objective >= -1e-12
    np.testing.assert_allclose(sol.coef, ref, atol=1e-6)


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_cd_converges_on_every_loss(loss, fit_intercept, l1_ratio):
    X, y = _data(loss)
    a = _alpha(loss, X, y, 0.05, fit_intercept=fit_intercept) / l1_ratio
    pen = lk.L1(a * l1_ratio) + lk.L2(a * (1 - l1_ratio))
    prob = lk.Problem(X, y, pen, loss=loss, fit_intercept=fit_intercept)
    sol = prob.solve("cd", tol=1e-8)
    assert sol.converged, sol
    # The certificate holds at the answer and at points the solver never saw.
    cert = prob.certify(sol.coef)
    assert cert.dual_gap <= 1e-8 * prob._design.p0
    rng = np.random.default_rng(5)
    for _ in range(3):
        w = sol.coef + 0.05 * rng.standard_normal(X.shape[1])
        c = prob.certify(w)
        assert c.objective - sol.objective <= c.dual_gap + 1e-12


@pytest.mark.parametrize("loss", LOSSES)
def test_sparse_equals_dense_and_weights_equal_repeated_rows(loss):
    X, y = _data(loss, n=60, p=12)
    a = _alpha(loss, X, y, 0.1)
    dense = lk.Problem(X, y, lk.L1(a), loss=loss).solve("cd", tol=1e-10)
    Xs = sp.csc_matrix(np.where(np.abs(X) > 0.5, X, 0.0))
    sparse = lk.Problem(Xs, y, lk.L1(a), loss=loss).solve("cd", tol=1e-10)
    dense_of_sparse = lk.Problem(Xs.toarray(), y, lk.L1(a), loss=loss).solve("cd", tol=1e-10)
    assert sparse.converged and dense.converged
    np.testing.assert_allclose(sparse.coef, dense_of_sparse.coef, atol=1e-6)
    reps = np.random.default_rng(0).integers(1, 4, X.shape[0])
    weighted = lk.Problem(X, y, lk.L1(a), loss=loss, sample_weight=reps).solve("cd", tol=1e-10)
    repeated = lk.Problem(np.repeat(X, reps, axis=0), np.repeat(y, reps), lk.L1(a),
                          loss=loss).solve("cd", tol=1e-10)
    np.testing.assert_allclose(weighted.coef, repeated.coef, atol=1e-7)
    assert weighted.intercept == pytest.approx(repeated.intercept, abs=1e-7)


def test_separable_data_converges():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 20))
    y = np.where(X[:, 0] + X[:, 1] > 0, 1.0, -1.0)  # perfectly separable
    prob = lk.logistic(X, y, 1e-3)
    sol = prob.solve("cd", tol=1e-8)
    assert sol.converged
    assert np.all(np.sign(sol.decision_function(X)) == y)


def test_one_percent_positives_converge():
    X, y = _data("logistic", n=2000, p=30, positives=0.01)
    assert 0 < y.sum() < 0.03 * y.size
    prob = lk.logistic(X, y, _alpha("logistic", X, y, 0.02))
    sol = prob.solve("cd", tol=1e-8)
    assert sol.converged
    p_mean = np.mean(sol.predict(X))
    assert p_mean == pytest.approx(y.mean(), rel=0.05)


def test_mostly_zero_counts_converge():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((500, 20))
    y = rng.poisson(np.exp(X[:, 0] - 3.0)).astype(float)
    assert np.mean(y == 0) > 0.9
    prob = lk.Problem(X, y, lk.L1(_alpha("poisson", X, y, 0.05)), loss="poisson")
    sol = prob.solve("cd", tol=1e-8)
    assert sol.converged


@pytest.mark.parametrize("loss", LOSSES)
def test_float32_design_converges(loss):
    X, y = _data(loss)
    prob = lk.Problem(X.astype(np.float32), y, lk.L1(_alpha(loss, X, y, 0.1)), loss=loss)
    sol = prob.solve("cd", tol=1e-6)
    assert sol.converged
    assert sol.coef.dtype == np.float32


@pytest.mark.parametrize("loss", LOSSES)
def test_large_column_offsets_and_huge_weights(loss):
    X, y = _data(loss, n=80, p=8)
    a = _alpha(loss, X, y, 0.1)
    ref = lk.Problem(X, y, lk.L1(a), loss=loss).solve("cd", tol=1e-10)
    shifted = lk.Problem(X + 1e9, y, lk.L1(a), loss=loss).solve("cd", tol=1e-8)
    assert shifted.converged
    np.testing.assert_allclose(shifted.coef, ref.coef, atol=1e-5)
    heavy = lk.Problem(X, y, lk.L1(a), loss=loss, sample_weight=np.full(X.shape[0], 1e300))
    sol = heavy.solve("cd", tol=1e-10)
    assert sol.converged
    np.testing.assert_allclose(sol.coef, ref.coef, atol=1e-7)


@pytest.mark.parametrize("loss", LOSSES)
def test_positive_and_penalty_weights(loss):
    X, y = _data(loss)
    a = _alpha(loss, X, y, 0.05)
    v = np.ones(X.shape[1])
    v[0] = 0.0  # unpenalized feature
    v[1] = 3.0
    prob = lk.Problem(X, y, lk.L1(a, weights=v), loss=loss, positive=True)
    sol = prob.solve("cd", tol=1e-8)
    assert sol.converged
    assert np.all(sol.coef >= 0)


@pytest.mark.parametrize("loss", LOSSES)
def test_alpha_max_is_where_zero_stops_being_optimal(loss):
    X, y = _data(loss)
    prob = lk.Problem(X, y, lk.L1(1.0), loss=loss)
    amax = prob.alpha_max()
    at = prob.replace(penalty=lk.L1(amax * 1.0001)).solve("cd", tol=1e-10)
    below = prob.replace(penalty=lk.L1(amax * 0.95)).solve("cd", tol=1e-10)
    assert not np.any(at.coef)
    assert np.any(below.coef)


def test_backends_that_take_only_least_squares_refuse_with_the_loss_named():
    X, y = _data("logistic")
    prob = lk.logistic(X, y, 0.01)
    for name in ("osqp", "direct", "admm"):
        with pytest.raises(ValueError, match="logistic loss"):
            prob.solve(name)
    assert prob.solve().backend == "cd"  # "auto" picks a capable one


@pytest.mark.parametrize("loss", LOSSES)
def test_path_for_every_loss(loss):
    X, y = _data(loss)
    prob = lk.Problem(X, y, lk.L1(1.0), loss=loss)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = lk.path(prob, n_alphas=15, eps=1e-2, tol=1e-8)
    assert p.converged.all()
    assert not np.any(p.coefs[:, 0])
    assert np.count_nonzero(p.coefs[:, -1]) > 0
    # Each strength is the problem solved on its own.
    k = 7
    alone = prob.replace(penalty=lk.L1(p.alphas[k])).solve("cd", tol=1e-10)
    np.testing.assert_allclose(p.coefs[:, k], alone.coef, atol=1e-5)


def test_predict_is_the_mean_and_decision_function_the_linear_predictor():
    X, y = _data("logistic")
    sol = lk.logistic(X, y, 0.01).solve()
    z = X @ sol.coef + sol.intercept
    np.testing.assert_allclose(sol.decision_function(X), z)
    np.testing.assert_allclose(sol.predict(X), expit(z))
    Xp, yp = _data("poisson")
    solp = lk.Problem(Xp, yp, lk.L1(0.01), loss="poisson").solve()
    np.testing.assert_allclose(solp.predict(Xp), np.exp(Xp @ solp.coef + solp.intercept))
    assert pickle.loads(pickle.dumps(solp)).loss == lk.Poisson()


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("sparse", [False, True])
def test_wide_problems_through_the_outer_working_sets(loss, sparse):
    # p > 500: the Newton models run on growing working sets; the answer must
    # be the one of the plain solver (every feature in every model).
    rng = np.random.default_rng(7)
    n, p = 60, 800
    X = rng.standard_normal((n, p)) * (rng.random((n, p)) < (0.2 if sparse else 1.0))
    w = np.zeros(p)
    w[:5] = [1.0, -1.0, 0.8, 0.5, -0.5]
    z = X @ w
    y = {"logistic": (z + 0.3 * rng.standard_normal(n) > 0).astype(float),
         "poisson": rng.poisson(np.exp(0.5 * z)).astype(float),
         "huber": z + rng.standard_t(2, n)}[loss]
    Xd = sp.csc_matrix(X) if sparse else X
    prob = lk.Problem(Xd, y, lk.L1(1.0), loss=loss)
    prob = prob.replace(penalty=lk.L1(0.1 * prob.alpha_max()))
    sol = prob.solve("cd", tol=1e-9)
    plain = prob.solve("cd", tol=1e-9, working_set=False)
    assert sol.converged and plain.converged
    assert sol.info["working_sets"] > 0
    np.testing.assert_allclose(sol.coef, plain.coef, atol=1e-5)
