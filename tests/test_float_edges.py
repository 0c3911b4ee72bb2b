"""Certificates at the edges of floating point (issue 21, items 1-6).

Each family here once produced a false ``optimal``: targets of 1e-170 or
1e160, one entry of 1e306 in X, writable copies of a Problem, offsets of
1e15 in y, entries near the float maximum, and penalty weights that are zero
to within rounding. The references are independent: the same problem in
unit scale (the objective is homogeneous in the target), an exactly shifted
target, or the certificate recomputed from X.
"""

import copy
import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import lassokit as lk
from lassokit.backends._cd_ops import vanishing

BACKENDS = ("cd", "admm", "osqp", "cvxpy")


def _data(seed=2, n=30, p=6):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = X[:, :2] @ [1.5, -2.0] + 0.3 * rng.standard_normal(n)
    return X, y


@pytest.fixture(scope="module")
def unit_reference():
    X, y = _data()
    ref = lk.lasso(X, y, 0.05).solve("cd", tol=1e-13, max_iter=100_000)
    assert ref.converged
    return X, y, ref


# -- 1. scaled targets ----------------------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("c", [1e-170, 1e-300, 1e-70, 1e70, 1e100])
def test_scaled_target_gives_the_scaled_answer(unit_reference, backend, c):
    X, y, ref = unit_reference
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a backend may stop short; the verdict is checked
        sol = lk.lasso(X, y * c, 0.05 * c).solve(backend, tol=1e-8)
    assert np.isfinite(sol.rel_gap)
    if sol.converged:
        # Converged means right: the coefficients are the unit problem's times c.
        np.testing.assert_allclose(sol.coef / c, ref.coef, atol=1e-3)
        assert sol.rel_gap <= 1e-8
    if backend == "cd":
        assert sol.converged
    assert sol.intercept / c == pytest.approx(ref.intercept, abs=1e-3)


@pytest.mark.parametrize("c", [1e-170, 1e100])
def test_scaled_target_certificate_methods_are_equivariant(unit_reference, c):
    X, y, ref = unit_reference
    pr, pr1 = lk.lasso(X, y * c, 0.05 * c), lk.lasso(X, y, 0.05)
    assert pr.alpha_max() / c == pytest.approx(pr1.alpha_max(), rel=1e-12)
    w = ref.coef + 0.01
    cert, cert1 = pr.certify(w * c), pr1.certify(w)
    assert cert.rel_gap == pytest.approx(cert1.rel_gap, rel=1e-9)
    assert cert.intercept / c == pytest.approx(cert1.intercept, rel=1e-12)
    if c > 1:  # representable in the caller's units
        assert pr.objective(w * c, cert.intercept) / c**2 == pytest.approx(cert1.objective)
        assert pr.dual_gap(w * c) / c**2 == pytest.approx(cert1.dual_gap, rel=1e-9)


@pytest.mark.parametrize("c", [1e-170, 1e100])
def test_scaled_target_paths_match_the_unit_path(unit_reference, c):
    X, y, _ = unit_reference
    ref = lk.path(lk.lasso(X, y, 1.0), n_alphas=8)
    got = lk.path(lk.lasso(X, y * c, 1.0), n_alphas=8)
    np.testing.assert_allclose(got.alphas / c, ref.alphas, rtol=1e-10)
    np.testing.assert_allclose(got.coefs / c, ref.coefs, atol=1e-5)
    assert got.converged.all()
    enet = lk.path(lk.elastic_net(X, y * c, 1.0, 0.7), n_alphas=5)
    assert enet.converged.all() and np.all(np.isfinite(enet.rel_gaps))


def test_target_whose_objective_overflows_is_refused():
    X, y = _data()
    with pytest.raises(ValueError, match="y is too large for float64"):
        lk.lasso(X, y * 1e160, 0.05e160).solve("cd")
    with pytest.raises(ValueError, match="divide y and alpha"):
        lk.lasso(X, y * 1e160, 0.05e160).solve("cvxpy")


@settings(max_examples=25, deadline=None)
@given(exponent=st.floats(min_value=-300.0, max_value=300.0),
       shift=st.floats(min_value=-0.3, max_value=0.3))
def test_certificate_never_below_true_suboptimality_at_any_scale(unit_reference, exponent,
                                                                  shift):
    # The relative suboptimality of c*w in the problem scaled by c is that of
    # w in the unit problem, whose P* the converged reference pins down.
    X, y, ref = unit_reference
    c = 10.0 ** exponent
    pr1 = lk.lasso(X, y, 0.05)
    w = ref.coef + shift * np.arange(1, 7) / 6
    true_rel = (pr1.objective(w, pr1.certify(w).intercept) - ref.objective) / pr1.certify(
        np.zeros(6)).objective
    pr = lk.lasso(X, y * c, 0.05 * c)
    try:
        cert = pr.certify(w * c)
    except ValueError as exc:  # refused only when P(0) overflows
        assert "too large" in str(exc) and exponent > 150
        return
    assert cert.rel_gap >= true_rel - 1e-9
    assert np.isfinite(cert.rel_gap)


# -- 2. one huge entry ----------------------------------------------------------------
def test_vanishing_never_squares_an_offset():
    # (64 eps 3e304)^2 overflowed to inf, classing every column as constant.
    L = np.array([np.inf, 1e300, 0.0])
    off = np.array([3e304, 1e150, 1e150])
    assert vanishing(L, off).tolist() == [False, False, True]


@pytest.mark.parametrize("big", [1e306, 1e308])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_one_huge_entry_is_never_certified_falsely(big, fit_intercept):
    X, y = _data()
    X[0, 0] = big
    pr = lk.lasso(X, y, 0.05, fit_intercept=fit_intercept)
    for backend in BACKENDS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sol = pr.solve(backend)
        independent = pr.dual_gap(sol.coef)
        assert sol.dual_gap >= independent * (1 - 1e-9)
        if sol.converged:
            assert independent <= sol.tol * pr.certify(np.zeros(6)).objective


def test_huge_entry_estimators_and_paths_stay_honest():
    X, y = _data()
    X[0, 0] = 1e306
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = lk.Lasso(alpha=0.05).fit(X, y)
        path = lk.path(lk.lasso(X, y, 1.0), n_alphas=5)
    assert m.dual_gap_ >= lk.lasso(X, y, 0.05).dual_gap(m.coef_) * (1 - 1e-9)
    for i, a in enumerate(path.alphas):
        assert path.dual_gaps[i] >= lk.lasso(X, y, a).dual_gap(path.coefs[:, i]) * (1 - 1e-9)


# -- 3. copies and pickles ----------------------------------------------------------------
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_copied_problems_hold_read_only_data(sparse, how):
    X, y = _data()
    pr = lk.Problem(sp.csr_matrix(X) if sparse else X, y,
                    lk.L1(0.05, weights=np.ones(6)) + lk.L2(0.01, weights=np.ones(6)),
                    sample_weight=np.linspace(0.5, 1.5, 30))
    sol = pr.solve()
    dup = copy.deepcopy(pr) if how == "deepcopy" else pickle.loads(pickle.dumps(pr))
    arrays = [dup.y, dup.sample_weight, dup.penalty.l1_weights, dup.penalty.l2_weights]
    arrays += [dup.X.data, dup.X.indices, dup.X.indptr] if sparse else [dup.X]
    for arr in arrays:
        with pytest.raises(ValueError, match="read-only"):
            arr[0] = 7.0
    sol2 = copy.deepcopy(sol) if how == "deepcopy" else pickle.loads(pickle.dumps(sol))
    with pytest.raises(ValueError, match="read-only"):
        sol2.coef[0] = 7.0
    # and the copy still solves to the same certified answer
    np.testing.assert_allclose(dup.solve().coef, sol.coef, atol=1e-8)


# -- 4. offsets in y ------------------------------------------------------------------------
@pytest.mark.parametrize("offset", [1e15, -3e15, 1e12])
@pytest.mark.parametrize("weighted", [False, True])
def test_large_offsets_in_y_keep_the_objective_exact(offset, weighted):
    X, y = _data()
    sw = np.linspace(0.5, 2.0, 30) if weighted else None
    y_off = y + offset
    shifted = y_off - offset  # exact (Sterbenz): the same problem, intercept moved
    ref = lk.lasso(X, shifted, 0.05, sample_weight=sw).solve("cd", tol=1e-13, max_iter=100_000)
    assert ref.converged
    pr = lk.lasso(X, y_off, 0.05, sample_weight=sw)
    for backend in BACKENDS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sol = pr.solve(backend, tol=1e-8)
        assert sol.objective - ref.objective <= sol.dual_gap + 1e-14
        assert sol.objective == pytest.approx(ref.objective, abs=1e-9)
        assert sol.converged, backend


# -- 5. entries near the float maximum ----------------------------------------------------
@pytest.mark.parametrize("est", [lk.ElasticNet(alpha=0.1), lk.Lasso(alpha=0.1)])
def test_entries_near_float_max_give_a_finite_honest_answer(est):
    rng = np.random.default_rng(0)
    X = np.finfo(float).max * rng.uniform(size=(10, 2))
    y = (rng.uniform(size=10) > 0.5).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lk.ConvergenceWarning)
        m = est.fit(X, y)
    assert np.isfinite(m.intercept_) and np.all(np.isfinite(m.coef_))
    if m.solution_.converged:
        pr = lk.elastic_net(X, y, 0.1, est.l1_ratio) if hasattr(est, "l1_ratio") else None
        assert pr is None or pr.dual_gap(m.coef_) <= 1e-4


# -- 6. penalty weights that are zero to within rounding ---------------------------------
@pytest.mark.parametrize("tiny", [1e-8, 1e-12, 1e-15])
@pytest.mark.parametrize("backend", ["cd", "cvxpy", "admm"])
def test_tiny_l1_weight_on_one_feature_is_certified(tiny, backend):
    X, y = _data(0, 40, 8)
    v = np.ones(8)
    v[0] = tiny
    sol = lk.Problem(X, y, lk.L1(0.05, weights=v)).solve(backend)
    assert sol.converged


@pytest.mark.parametrize("pen", [lk.L1(0.05, weights=np.full(8, 1e-300)),
                                 lk.L2(0.05, weights=np.full(8, 1e-300))])
def test_negligible_penalty_everywhere_is_certified(pen):
    X, y = _data(0, 40, 8)
    pr = lk.Problem(X, y, pen)
    for backend in ("cd", "cvxpy") + (("direct",) if pen.l1 == 0 else ()):
        assert pr.solve(backend).converged, backend


def test_relaxed_dual_stays_a_lower_bound():
    # Away from the optimum the gap must still cover the true suboptimality.
    X, y = _data(0, 40, 8)
    v = np.ones(8)
    v[0] = 1e-12
    pr = lk.Problem(X, y, lk.L1(0.05, weights=v))
    ref = pr.solve("cd", tol=1e-13, max_iter=100_000)
    assert ref.converged
    for shift in (1e-6, 1e-3, 0.1):
        w = ref.coef + shift
        cert = pr.certify(w)
        assert cert.dual_gap >= cert.objective - ref.objective - 1e-13


@pytest.mark.parametrize("c", [1e-170, 1e100])
@pytest.mark.parametrize("precompute", ["auto", False])
def test_cross_validation_at_scaled_targets(c, precompute):
    # Fold errors of 1e-340 underflowed to 0 and every alpha tied: LassoCV
    # chose alpha_max. The choice must not depend on the target's units.
    X, y = _data(2, 60, 6)
    ref = lk.LassoCV(cv=3, precompute=precompute).fit(X, y)
    got = lk.LassoCV(cv=3, precompute=precompute).fit(X, y * c)
    assert got.alpha_ / c == pytest.approx(ref.alpha_, rel=1e-9)
    assert got.alpha_1se_ / c == pytest.approx(ref.alpha_1se_, rel=1e-9)
    np.testing.assert_allclose(got.coef_ / c, ref.coef_, atol=1e-9)
    assert got.solution_.converged
    enet = lk.ElasticNetCV(cv=3, l1_ratio=[0.5, 1.0], precompute=precompute).fit(X, y * c)
    assert enet.solution_.converged


def test_cross_validation_refuses_data_whose_errors_overflow():
    X, y = _data()
    X[0, 0] = 1e306
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="not finite for any alpha"):
            lk.LassoCV(cv=3).fit(X, y)
