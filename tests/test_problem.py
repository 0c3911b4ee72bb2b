"""The Problem layer: attributes, immutability, objective, constructors."""

import copy
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import EXACT_RTOL, converged_ref, make_data, make_sample_weight

import lassokit as lk


@pytest.fixture
def data():
    X, y = make_data(20, 5, seed=1)
    return X, y, make_sample_weight(20, 1)


def test_attributes(data):
    X, y, sw = data
    pen = lk.L1(0.1) + lk.L2(0.2)
    prob = lk.Problem(X, y, pen, fit_intercept=False, sample_weight=sw, positive=True)
    np.testing.assert_array_equal(prob.X, X)
    np.testing.assert_array_equal(prob.y, y)
    assert prob.penalty == pen
    assert prob.fit_intercept is False
    assert prob.positive is True
    assert prob.n_samples == 20 and prob.n_features == 5
    # sample weights are normalized to sum to n
    assert prob.sample_weight.sum() == pytest.approx(20.0, rel=1e-14)
    np.testing.assert_allclose(prob.sample_weight, sw * 20 / sw.sum(), rtol=1e-14)
    defaults = lk.Problem(X, y, pen)
    assert defaults.fit_intercept is True
    assert defaults.positive is False
    assert defaults.sample_weight is None


@pytest.mark.parametrize(
    "dtype, expected",
    [(np.float32, np.float32), (np.float64, np.float64), (np.int64, np.float64),
     (np.int32, np.float64), (bool, np.float64)],
)
def test_x_dtype_kept_or_promoted(dtype, expected):
    X = (np.arange(12).reshape(6, 2) % 3).astype(dtype)
    prob = lk.lasso(X, np.arange(6.0), 0.1)
    assert prob.X.dtype == expected
    assert prob.y.dtype == np.float64


def test_y_as_column_and_list(data):
    X, y, _ = data
    a = lk.lasso(X, y[:, None], 0.1)
    b = lk.lasso(X.tolist(), list(y), 0.1)
    assert a.y.shape == (20,)
    np.testing.assert_array_equal(a.y, b.y)
    coef = np.linspace(-1, 1, 5)
    assert a.objective(coef) == pytest.approx(b.objective(coef), rel=1e-15)


def test_sparse_formats(data):
    X, y, _ = data
    for fmt in ("csc", "csr", "coo", "lil"):
        prob = lk.lasso(sp.coo_matrix(X).asformat(fmt), y, 0.1)
        assert sp.issparse(prob.X)
        assert prob.X.format in ("csc", "csr")


def test_read_only(data):
    X, y, sw = data
    prob = lk.Problem(X, y, lk.L1(0.1), sample_weight=sw)
    with pytest.raises(ValueError):
        prob.X[0, 0] = 1.0
    with pytest.raises(ValueError):
        prob.y[0] = 1.0
    with pytest.raises(ValueError):
        prob.sample_weight[0] = 1.0
    for attr, value in [("X", X), ("y", y), ("penalty", lk.L1(1.0)), ("fit_intercept", False),
                        ("sample_weight", None), ("positive", True), ("n_samples", 3)]:
        with pytest.raises(AttributeError):
            setattr(prob, attr, value)


@pytest.mark.parametrize("storage", ["dense", "csc", "csr"])
def test_inputs_never_modified(storage):
    X, y = make_data(20, 5, seed=2, storage=storage)
    sw = make_sample_weight(20, 2)
    v1 = np.array([0.0, 1.0, 2.0, 1.0, 0.5])
    copies = [X.copy(), y.copy(), sw.copy(), v1.copy()]
    if storage == "dense":
        assert X.flags.writeable
    prob = lk.Problem(X, y, lk.L1(0.05, v1) + lk.L2(0.01), sample_weight=sw, positive=True)
    coef = np.abs(np.linspace(-1, 1, 5))
    coef_copy = coef.copy()
    prob.objective(coef, 0.5)
    prob.dual_gap(coef)
    prob.alpha_max()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sol = prob.solve("cvxpy", warm_start=coef)
    sol.predict(X)
    for before, after in zip(copies, [X, y, sw, v1]):
        if sp.issparse(before):
            assert (before != after).nnz == 0
            assert after.format == storage
        else:
            np.testing.assert_array_equal(before, after)
    np.testing.assert_array_equal(coef, coef_copy)
    if storage == "dense":
        assert X.flags.writeable  # the user's array keeps its flags


def test_copy_and_replace(data):
    X, y, sw = data
    prob = lk.Problem(X, y, lk.L1(0.1), sample_weight=sw)
    coef = np.linspace(-1, 1, 5)
    for other in (copy.copy(prob), copy.deepcopy(prob)):
        assert other.objective(coef) == prob.objective(coef)
        assert other.dual_gap(coef) == prob.dual_gap(coef)
    stronger = prob.replace(penalty=lk.L1(0.5))
    assert prob.penalty == lk.L1(0.1)  # original untouched
    assert stronger.penalty == lk.L1(0.5)
    assert stronger.alpha_max() == pytest.approx(prob.alpha_max(), rel=1e-14)
    assert stronger.objective(coef) > prob.objective(coef)
    flipped = prob.replace(fit_intercept=False)
    assert flipped.fit_intercept is False and prob.fit_intercept is True
    with pytest.raises(TypeError, match="bogus"):
        prob.replace(bogus=1)


# ---------------------------------------------------------------------------
# objective
# ---------------------------------------------------------------------------


def _hand_objective(X, y, coef, b, a1, v1, a2, v2, sw):
    n = X.shape[0]
    s = np.ones(n) if sw is None else sw * n / np.sum(sw)
    r = y - X @ coef - b
    return (np.sum(s * r**2) / (2 * n) + a1 * np.sum(v1 * np.abs(coef))
            + a2 / 2 * np.sum(v2 * coef**2))


@pytest.mark.parametrize("storage", ["dense", "csr"])
@pytest.mark.parametrize("weighted", [False, True])
def test_objective_by_hand(weighted, storage):
    X, y = make_data(15, 4, seed=3)
    sw = make_sample_weight(15, 3) if weighted else None
    v1 = np.array([0.0, 1.0, 2.0, 0.5])
    v2 = np.array([1.0, 0.0, 3.0, 1.0])
    Xs = X if storage == "dense" else sp.csr_matrix(X)
    prob = lk.Problem(Xs, y, lk.L1(0.3, v1) + lk.L2(0.7, v2), sample_weight=sw)
    rng = np.random.default_rng(0)
    for _ in range(3):
        coef = rng.normal(size=4)
        b = float(rng.normal())
        expected = _hand_objective(X, y, coef, b, 0.3, v1, 0.7, v2, sw)
        assert prob.objective(coef, b) == pytest.approx(expected, rel=1e-13)
        assert prob.objective(coef) == pytest.approx(
            _hand_objective(X, y, coef, 0.0, 0.3, v1, 0.7, v2, sw), rel=1e-13)
        # the optimal intercept is the (weighted) mean residual, and it is optimal
        cert = prob.certify(coef)
        s = np.ones(15) if sw is None else sw
        b_opt = np.sum(s * (y - X @ coef)) / np.sum(s)
        assert cert.intercept == pytest.approx(b_opt, rel=1e-12)
        assert cert.objective == pytest.approx(prob.objective(coef, b_opt), rel=1e-13)
        assert cert.objective <= prob.objective(coef, b_opt + 1e-3)
        assert cert.objective <= prob.objective(coef, b_opt - 1e-3)


def test_sample_weight_scale_invariance(data):
    X, y, sw = data
    a = lk.lasso(X, y, 0.1, sample_weight=sw)
    b = lk.lasso(X, y, 0.1, sample_weight=7.5 * sw)
    coef = np.linspace(-1, 1, 5)
    assert a.objective(coef, 0.3) == pytest.approx(b.objective(coef, 0.3), rel=EXACT_RTOL)
    assert a.dual_gap(coef) == pytest.approx(b.dual_gap(coef), rel=EXACT_RTOL)
    # a scalar weight is uniform weighting, i.e. no weighting
    c = lk.lasso(X, y, 0.1, sample_weight=3.0)
    d = lk.lasso(X, y, 0.1)
    assert c.objective(coef, 0.3) == pytest.approx(d.objective(coef, 0.3), rel=EXACT_RTOL)


def test_intercept_on_problem_without_one(data):
    X, y, _ = data
    prob = lk.lasso(X, y, 0.1, fit_intercept=False)
    coef = np.zeros(5)
    assert prob.objective(coef, 0.0) == pytest.approx(np.mean(y**2) / 2, rel=1e-14)
    with pytest.raises(ValueError, match="intercept"):
        prob.objective(coef, 0.5)
    with pytest.raises(ValueError, match="intercept"):
        prob.objective(coef, np.nan)
    assert prob.certify(coef).intercept == 0.0


def test_objective_positive_violation_is_infinite(data):
    X, y, _ = data
    prob = lk.lasso(X, y, 0.1, positive=True)
    assert prob.objective(np.array([1.0, -1e-9, 0, 0, 0])) == np.inf
    assert np.isfinite(prob.objective(np.array([1.0, 0, 0, 0, 0])))


@pytest.mark.parametrize("bad", [np.zeros(4), np.zeros(6), np.zeros((5, 2)), [np.nan] * 5])
def test_objective_bad_coef(data, bad):
    X, y, _ = data
    prob = lk.lasso(X, y, 0.1)
    with pytest.raises(ValueError, match="coef"):
        prob.objective(bad)
    with pytest.raises(ValueError, match="coef"):
        prob.dual_gap(bad)


# ---------------------------------------------------------------------------
# constructors
# ---------------------------------------------------------------------------


def test_lasso_ridge_elastic_net_mapping(data):
    X, y, sw = data
    kw = {"fit_intercept": False, "sample_weight": sw, "positive": True}
    la = lk.lasso(X, y, 0.4, **kw)
    assert la.penalty == lk.L1(0.4)
    ri = lk.ridge(X, y, 0.4, **kw)
    assert ri.penalty == lk.L2(0.4)
    en = lk.elastic_net(X, y, 0.4, l1_ratio=0.25, **kw)
    assert en.penalty.l1 == pytest.approx(0.1)
    assert en.penalty.l2 == pytest.approx(0.3)
    default = lk.elastic_net(X, y, 0.4)
    assert default.penalty.l1 == pytest.approx(0.2) and default.penalty.l2 == pytest.approx(0.2)
    for prob in (la, ri, en):
        assert prob.fit_intercept is False and prob.positive is True
        np.testing.assert_allclose(prob.sample_weight, sw * 20 / sw.sum())
    assert lk.elastic_net(X, y, 0.4, l1_ratio=1.0).penalty.l2 == 0.0
    assert lk.elastic_net(X, y, 0.4, l1_ratio=0.0).penalty.l1 == 0.0
    # the objective of the constructors is lassokit's
    coef = np.linspace(-1, 1, 5)
    n = 20
    s = sw * n / sw.sum()
    data_fit = np.sum(s * (y - X @ coef) ** 2) / (2 * n)
    assert en.objective(np.abs(coef)) == pytest.approx(
        np.sum(s * (y - X @ np.abs(coef)) ** 2) / (2 * n) + 0.1 * np.sum(np.abs(coef))
        + 0.15 * np.sum(coef**2), rel=1e-13)
    assert lk.ridge(X, y, 0.4, fit_intercept=False, sample_weight=sw).objective(coef) == (
        pytest.approx(data_fit + 0.2 * np.sum(coef**2), rel=1e-13))


@pytest.mark.parametrize("ratio, exc", [(1.5, ValueError), (-0.1, ValueError),
                                        ("a", TypeError), (None, TypeError)])
def test_elastic_net_bad_l1_ratio(data, ratio, exc):
    X, y, _ = data
    with pytest.raises(exc, match="l1_ratio"):
        lk.elastic_net(X, y, 0.1, l1_ratio=ratio)


@pytest.mark.parametrize("make", [lk.lasso, lk.ridge, lk.elastic_net])
def test_constructors_reject_bad_alpha(data, make):
    X, y, _ = data
    with pytest.raises(ValueError, match="alpha"):
        make(X, y, -1.0)
    with pytest.raises(TypeError, match="alpha"):
        make(X, y, "0.1")


def test_repr_mentions_shape(data):
    X, y, _ = data
    text = repr(lk.lasso(X, y, 0.1))
    assert "20" in text and "5" in text


def _fresh_answer(X, y, alpha, sw=None):
    """The certified answer of a Problem built now, on the arrays as they are."""
    return converged_ref(lk.lasso(X.copy(), np.array(y), alpha,
                                  sample_weight=None if sw is None else np.array(sw))
                         .solve("cd", tol=1e-12, max_iter=100_000))


@pytest.mark.parametrize("route", ["same", "copy", "replace"])
def test_writing_into_the_callers_arrays_never_gives_a_stale_certificate(route):
    # A Problem refers to the caller's arrays (no copy of X) and derives
    # nothing that outlives a call: after the caller writes into X, y or the
    # weights, the next solve and certificate are those of the new data.
    import copy

    rng = np.random.RandomState(0)
    X = rng.randn(40, 5)
    y = X @ [1.0, 0, 0, -1.0, 0] + 0.1 * rng.randn(40)
    sw = rng.uniform(0.5, 2.0, 40)
    pr = lk.lasso(X, y, 0.05, sample_weight=sw)
    first = pr.solve("cd", tol=1e-12)
    assert np.may_share_memory(pr.X, X) and not pr.X.flags.writeable
    pr = {"same": pr, "copy": copy.copy(pr),
          "replace": pr.replace(penalty=lk.L1(0.05))}[route]
    X[:, 0] *= 10.0
    y[:] = y[::-1]
    sw[:5] = 0.0
    again = pr.solve("cd", tol=1e-12)
    fresh = _fresh_answer(X, y, 0.05, sw)
    np.testing.assert_allclose(again.coef, fresh.coef, atol=1e-9)
    assert again.objective == pytest.approx(fresh.objective, rel=1e-12)
    assert again.converged
    # the old answer is certified against the data the problem now holds
    stale = pr.certify(first.coef)
    ref = lk.lasso(X.copy(), y.copy(), 0.05, sample_weight=sw.copy()).certify(first.coef)
    assert stale.dual_gap == pytest.approx(ref.dual_gap, rel=1e-12)
    assert pr.alpha_max() == pytest.approx(
        lk.lasso(X.copy(), y.copy(), 1.0, sample_weight=sw.copy()).alpha_max(), rel=1e-12)
    path = lk.path(pr, n_alphas=4)
    ref_path = lk.path(lk.lasso(X.copy(), y.copy(), 1.0, sample_weight=sw.copy()), n_alphas=4)
    np.testing.assert_allclose(path.coefs, ref_path.coefs, atol=1e-8)


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_deep_copies_hold_their_own_data(how):
    import copy
    import pickle

    rng = np.random.RandomState(1)
    X = rng.randn(30, 4)
    y = rng.randn(30)
    pr = lk.lasso(X, y, 0.05)
    dup = copy.deepcopy(pr) if how == "deepcopy" else pickle.loads(pickle.dumps(pr))
    before = dup.solve("cd", tol=1e-12)
    X[:] = 0.0
    y[:] = 1.0
    np.testing.assert_array_equal(dup.solve("cd", tol=1e-12).coef, before.coef)
    assert not dup.X.flags.writeable and not np.may_share_memory(dup.X, X)


def test_writing_into_sparse_data_is_seen_by_the_next_solve():
    import scipy.sparse as sp

    rng = np.random.RandomState(0)
    S = sp.random(30, 6, density=0.5, format="csc", random_state=1)
    y = rng.randn(30)
    ps = lk.lasso(S, y, 0.01)
    ps.solve("cd")
    S.data[:] *= 3.0
    got = ps.solve("cd", tol=1e-12)
    ref = converged_ref(lk.lasso(S.copy(), y.copy(), 0.01).solve("cd", tol=1e-12,
                                                                 max_iter=100_000))
    np.testing.assert_allclose(got.coef, ref.coef, atol=1e-9)
    with pytest.raises(ValueError):
        ps.X.data[0] = 1.0  # read-only through the Problem


def test_nan_written_into_y_after_construction_is_refused():
    rng = np.random.RandomState(0)
    X, y = rng.randn(20, 3), rng.randn(20)
    pr = lk.lasso(X, y, 0.1)
    y[3] = np.nan
    with pytest.raises(ValueError, match="y contains NaN"):
        pr.solve()
