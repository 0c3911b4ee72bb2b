"""lk.GroupLasso / lk.GroupLassoCV against an independent CVXPY model and the lasso.

The CVXPY reference is written here from the documented objective (explicit
intercept, uncentred X, weights normalized here, Clarabel), independently
of lassokit's own ``"cvxpy"`` backend and of its centring.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import assert_coef_close, make_sample_weight
from sklearn.model_selection import KFold

import lassokit as lk

cp = pytest.importorskip("cvxpy")

TIGHT = dict(tol=1e-12, max_iter=10_000)
#: Clarabel at gaps of 1e-9 pins the coefficients to ~1e-6.
CVXPY_COEF_TOL = 5e-6
GROUPS = [[0, 1, 2], [3, 4], [5, 6, 7, 8], [9]]


def _data(n=40, p=10, K=None, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + rng.uniform(-1, 1, p)  # non-zero means
    W = np.zeros((p, K or 1))
    W[:3] = rng.standard_normal((3, K or 1))
    W[5:7] = rng.standard_normal((2, K or 1))
    Y = X @ W + 0.5 + 0.3 * rng.standard_normal((n, K or 1))
    return X, (Y[:, 0] if K is None else Y)


def _cvxpy_group_lasso(X, y, groups, alpha, l1_ratio, weights=None, sw=None,
                       fit_intercept=True):
    """The documented objective, solved by Clarabel: returns (coef (p, K), intercept (K,))."""
    Y = y[:, None] if y.ndim == 1 else y
    n, p = X.shape
    K = Y.shape[1]
    s = np.ones(n) if sw is None else sw * (n / sw.sum())
    W = cp.Variable((p, K))
    b = cp.Variable(K) if fit_intercept else np.zeros(K)
    ones = np.ones((n, 1))
    R = Y - X @ W - (ones @ cp.reshape(b, (1, K), order="C") if fit_intercept else 0)
    fit = cp.sum_squares(cp.multiply(np.sqrt(s)[:, None], R)) / (2 * n)
    w = [np.sqrt(len(g)) for g in groups] if weights is None else weights
    group = sum(wg * cp.norm(W[g, :], "fro") for g, wg in zip(groups, w))
    obj = fit + alpha * (1 - l1_ratio) * group + alpha * l1_ratio * cp.sum(cp.abs(W))
    prob = cp.Problem(cp.Minimize(obj))
    prob.solve(solver=cp.CLARABEL, tol_gap_abs=1e-9, tol_gap_rel=1e-9, tol_feas=1e-9)
    assert prob.status == "optimal", prob.status
    return W.value, (b.value if fit_intercept else np.zeros(K))


@pytest.mark.parametrize("l1_ratio", [0.0, 0.4])
@pytest.mark.parametrize("K", [None, 3])
def test_same_optimum_as_cvxpy(l1_ratio, K):
    X, y = _data(K=K)
    sw = make_sample_weight(X.shape[0])
    est = lk.GroupLasso(GROUPS, alpha=0.15, l1_ratio=l1_ratio, **TIGHT).fit(X, y,
                                                                            sample_weight=sw)
    W, b = _cvxpy_group_lasso(X, y, GROUPS, 0.15, l1_ratio, sw=sw)
    if K is None:
        assert est.coef_.shape == (10,) and np.ndim(est.intercept_) == 0
        assert_coef_close(est.coef_, W[:, 0], CVXPY_COEF_TOL)
        assert_coef_close(est.intercept_, b[0], CVXPY_COEF_TOL)
    else:
        assert est.coef_.shape == (K, 10) and est.intercept_.shape == (K,)
        assert_coef_close(est.coef_, W.T, CVXPY_COEF_TOL)
        assert_coef_close(est.intercept_, b, CVXPY_COEF_TOL)
    # The group structure is there: a group is all zero or all non-zero (l1_ratio=0).
    rows = np.atleast_2d(est.coef_).T
    for g in GROUPS:
        nz = np.any(rows[g] != 0, axis=1)
        if l1_ratio == 0:
            assert nz.all() or not nz.any()
    assert est.dual_gap_ <= 1e-12 * 10 and est.solution_.converged


def test_custom_weights_labels_and_no_intercept_match_cvxpy():
    X, y = _data(seed=1)
    labels = ["a", "a", "a", "b", "b", "c", "c", "c", "c", "d"]
    weights = [1.0, 0.5, 2.0, 0.0]  # group "d" left out of the group term
    est = lk.GroupLasso(labels, alpha=0.2, weights=weights, fit_intercept=False,
                        **TIGHT).fit(X, y)
    W, _ = _cvxpy_group_lasso(X, y, GROUPS, 0.2, 0.0, weights=weights, fit_intercept=False)
    assert_coef_close(est.coef_, W[:, 0], CVXPY_COEF_TOL)
    assert est.intercept_ == 0.0
    assert [g.tolist() for g in est.groups_] == GROUPS


def test_features_in_no_group_are_left_out_of_the_group_term():
    X, y = _data(seed=2)
    groups = [[0, 1, 2], [3, 4]]  # features 5..9 in no group: unpenalized with l1_ratio=0
    est = lk.GroupLasso(groups, alpha=0.1, **TIGHT).fit(X, y)
    W, _ = _cvxpy_group_lasso(X, y, groups, 0.1, 0.0)
    assert_coef_close(est.coef_, W[:, 0], CVXPY_COEF_TOL)
    assert np.all(est.coef_[5:] != 0)
    assert [g.tolist() for g in est.groups_] == groups


@pytest.mark.parametrize("storage", ["dense", "csc", "csr"])
def test_groups_of_size_one_are_the_lasso(storage):
    import sklearn.linear_model as sk

    X, y = _data(seed=3)
    Xs = X if storage == "dense" else getattr(sp, f"{storage}_matrix")(X)
    sw = make_sample_weight(X.shape[0], 3)
    est = lk.GroupLasso(alpha=0.05, **TIGHT).fit(Xs, y, sample_weight=sw)  # groups=None
    ref = lk.Lasso(alpha=0.05, **TIGHT).fit(Xs, y, sample_weight=sw)
    assert_coef_close(est.coef_, ref.coef_, 1e-9)
    assert_coef_close(est.intercept_, ref.intercept_, 1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        skref = sk.Lasso(alpha=0.05, tol=1e-14, max_iter=10**6).fit(X, y, sample_weight=sw)
    assert_coef_close(est.coef_, skref.coef_, 1e-6)
    # l1_ratio=1 is the lasso whatever the groups.
    lasso = lk.GroupLasso(GROUPS, alpha=0.05, l1_ratio=1.0, **TIGHT).fit(X, y,
                                                                         sample_weight=sw)
    assert_coef_close(lasso.coef_, ref.coef_, 1e-9)


def test_2d_y_without_groups_is_the_multitask_lasso():
    X, Y = _data(K=3, seed=4)
    est = lk.GroupLasso(alpha=0.1, **TIGHT).fit(X, Y)
    ref = lk.MultiTaskLasso(alpha=0.1, **TIGHT).fit(X, Y)
    assert_coef_close(est.coef_, ref.coef_, 1e-9)
    assert est.predict(X).shape == (40, 3)
    assert est.sparse_coef_.shape == (3, 10)


def test_fit_leaves_inputs_alone_and_warm_start_reaches_the_same_model():
    X, y = _data(seed=5)
    sw = make_sample_weight(40)
    copies = [a.copy() for a in (X, y, sw)]
    groups = [list(g) for g in GROUPS]
    est = lk.GroupLasso(groups, alpha=0.1, warm_start=True).fit(X, y, sample_weight=sw)
    first = est.coef_.copy()
    est.fit(X, y, sample_weight=sw)
    assert_coef_close(est.coef_, first, 1e-6)
    for a, c in zip((X, y, sw), copies):
        np.testing.assert_array_equal(a, c)
    assert groups == GROUPS and est.groups is groups


@pytest.mark.parametrize("groups, error, match", [
    ([[0, 1], [1, 2]], ValueError, "disjoint"),
    ([[0, 1], [2, 10]], ValueError, "feature indices"),
    ("abc", TypeError, "groups"),
    ([0, 1], ValueError, "groups"),  # one label per feature expected
])
def test_bad_groups_are_refused_by_name(groups, error, match):
    X, y = _data()
    with pytest.raises(error, match=match):
        lk.GroupLasso(groups).fit(X, y)


@pytest.mark.parametrize("params, match", [
    (dict(alpha=-1.0), "alpha"), (dict(l1_ratio=1.5), "l1_ratio"), (dict(tol="x"), "tol"),
    (dict(weights=[1.0, 1.0]), "weights"),
])
def test_bad_parameters_are_refused_by_name(params, match):
    X, y = _data()
    with pytest.raises((ValueError, TypeError), match=match):
        lk.GroupLasso(GROUPS, **params).fit(X, y)


def _brute_force_cv(X, y, groups, alphas, l1_ratio, cv):
    """Test MSE per alpha and fold from separate GroupLasso fits (no path, no warm start)."""
    out = np.zeros((len(alphas), cv.get_n_splits()))
    for f, (train, test) in enumerate(cv.split(X)):
        for i, a in enumerate(alphas):
            est = lk.GroupLasso(groups, alpha=a, l1_ratio=l1_ratio, **TIGHT).fit(X[train],
                                                                                 y[train])
            res = y[test] - est.predict(X[test])
            out[i, f] = np.mean(res**2)
    return out


def test_cv_matches_separate_fits_over_the_same_folds():
    X, y = _data(n=50, seed=6)
    cv = KFold(4)
    est = lk.GroupLassoCV(GROUPS, alphas=6, eps=1e-2, cv=cv, **TIGHT).fit(X, y)
    assert est.alphas_.shape == (6,) and est.mse_path_.shape == (6, 4)
    # The grid starts where every group is out, and ends eps below.
    top = lk.GroupLasso(GROUPS, alpha=est.alphas_[0] * (1 + 1e-9), **TIGHT).fit(X, y)
    assert np.all(top.coef_ == 0)
    below = lk.GroupLasso(GROUPS, alpha=est.alphas_[0] * 0.99, **TIGHT).fit(X, y)
    assert np.any(below.coef_ != 0)
    np.testing.assert_allclose(est.alphas_[-1], est.alphas_[0] * 1e-2)
    ref = _brute_force_cv(X, y, GROUPS, est.alphas_, 0.0, cv)
    np.testing.assert_allclose(est.mse_path_, ref, rtol=1e-7)
    assert est.alpha_ == est.alphas_[np.argmin(ref.mean(axis=1))]
    assert est.l1_ratio_ == 0.0
    final = lk.GroupLasso(GROUPS, alpha=est.alpha_, **TIGHT).fit(X, y)
    assert_coef_close(est.coef_, final.coef_, 1e-8)
    assert [g.tolist() for g in est.groups_] == GROUPS


def test_cv_over_l1_ratios_and_2d_y():
    X, Y = _data(n=50, K=2, seed=7)
    est = lk.GroupLassoCV(GROUPS, l1_ratio=[0.0, 0.5], alphas=6, cv=3).fit(X, Y)
    assert est.alphas_.shape == (2, 6) and est.mse_path_.shape == (2, 6, 3)
    assert est.l1_ratio_ in (0.0, 0.5)
    assert est.coef_.shape == (2, 10) and est.intercept_.shape == (2,)
    row = [0.0, 0.5].index(est.l1_ratio_)
    assert est.alpha_ in est.alphas_[row]
    # An explicit grid is sorted decreasing and shared by every l1_ratio.
    grid = lk.GroupLassoCV(GROUPS, l1_ratio=[0.0, 0.5], alphas=[0.01, 0.1, 0.05],
                           cv=3).fit(X, Y)
    np.testing.assert_array_equal(grid.alphas_, [0.1, 0.05, 0.01])
