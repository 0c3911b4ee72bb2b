"""The certificate on hard designs: degenerate ones (duplicated, constant,
zero columns), high-dimensional ones (p > n), larger problems in the slow
tier, a duplicated unpenalized column (a rank-deficient projection), and the
centred matrix products the certificate's residual goes through.
"""

from dataclasses import replace

import _certificate_cases as cc
import conftest as cf
import numpy as np
import pytest
import scipy.sparse as sp

import lassokit as lk


def _degenerate_design(kind, n=20, seed=40):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6)) + 0.5
    if kind == "duplicate":
        X[:, 1] = X[:, 0]  # two copies of an unpenalized column
    elif kind == "constant":
        X[:, 0] = 2.0  # collinear with the intercept
    elif kind == "zero":
        X[:, 0] = 0.0
        X[:, 4] = 0.0
    y = X @ np.array([-1.0, 0.5, 1.0, 0.0, 2.0, 0.0]) + 0.3 * rng.normal(size=n) + 1.0
    return X, y


@pytest.mark.parametrize("storage", ["dense", "csc"])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("kind", ["duplicate", "constant", "zero"])
def test_degenerate_designs(kind, positive, storage):
    X, y = _degenerate_design(kind)
    v1 = np.array([0.0, 0.0, 1.0, 1.0, 1.0, 2.0])
    Xs = X if storage == "dense" else sp.csc_matrix(X)
    for pen in (lk.L1(0.1, v1), lk.L1(0.1, v1) + lk.L2(0.05, v1)):
        prob = lk.Problem(Xs, y, pen, positive=positive)
        ref = cf.reference_for_problem(prob)
        p0 = cf.p0_of(prob)
        assert prob.dual_gap(ref.coef) <= 1e-8 * p0
        for coef in cc.candidate_coefs(ref.coef, positive, seed=9).values():
            cc.check_gap_bounds_subopt(prob, coef, ref.objective)
        am = prob.alpha_max()
        assert np.isfinite(am) and am >= 0
        at = cc.at_a1(prob, max(am, 1e-12))
        point, _, _ = cc.free_fit(at, cc.penalized_mask(at))
        assert at.dual_gap(point) <= 1e-9 * cf.p0_of(at)


HIGH_DIM = [
    cf.Spec(mix=mix, n=15, p=40, **dict(zip(cc.FLAGS, bits)))
    for mix in ("lasso", "enet")
    for bits in [(True, False, False, False), (True, True, True, True), (False, False, True, True),
                 (True, True, False, True)]
]


@pytest.mark.parametrize("storage", ["dense", "csr"])
@pytest.mark.parametrize("spec", HIGH_DIM, ids=cc.ids(HIGH_DIM))
def test_high_dimensional_gap(spec, storage):
    spec = replace(spec, storage=storage)
    problem, ref = cf.problem_and_reference(spec)
    assert problem.dual_gap(ref.coef) <= cf.REL_GAP_TOL * cf.p0_of(problem)
    for coef in cc.candidate_coefs(ref.coef, spec.positive, seed=13).values():
        cc.check_gap_bounds_subopt(problem, coef, ref.objective)


# ---------------------------------------------------------------------------
# Slow tier: the validity check on larger problems and more seeds
# ---------------------------------------------------------------------------


LARGER = [
    cf.Spec(mix=mix, n=n, p=p, seed=seed, storage=storage, **dict(zip(cc.FLAGS, bits)))
    for mix in ("lasso", "enet", "ols")
    for (n, p) in ((120, 60), (50, 150))
    for seed in (1, 2)
    for storage in ("dense", "csc")
    for bits in [(True, True, True, True), (False, False, True, True), (True, False, False, False)]
    if not (mix == "ols" and p > n)
]


@pytest.mark.slow
@pytest.mark.parametrize("spec", LARGER, ids=cc.ids(LARGER))
def test_gap_bounds_suboptimality_larger(spec):
    problem, ref = cf.problem_and_reference(spec)
    assert problem.dual_gap(ref.coef) <= cf.REL_GAP_TOL * cf.p0_of(problem)
    for coef in cc.candidate_coefs(ref.coef, spec.positive, seed=spec.seed).values():
        cc.check_gap_bounds_subopt(problem, coef, ref.objective)


def test_duplicated_unpenalized_column_is_certified():
    # Two identical unpenalized columns make the projection's least squares
    # rank deficient; LAPACK's default cutoff kept the rounding-level
    # singular value (2.09e-15 against eps * 8.96 = 1.99e-15 here) and the
    # dual point came out garbage: a 4.6% gap at the optimum (the case
    # hypothesis found in test_properties::test_duplicated_column).
    from conftest import Spec, make_problem

    prob = make_problem(Spec(mix="enet", fit_intercept=False, feature_weights=True, n=25, p=8,
                             seed=483, design="random"))
    pen = prob.penalty
    X = np.hstack([prob.X, prob.X[:, [0]]])
    v1, v2 = np.append(pen.l1_weights, pen.l1_weights[0]), np.append(pen.l2_weights,
                                                                       pen.l2_weights[0])
    assert v1[0] == 0 and v2[0] == 0  # feature 0 (and its copy) unpenalized
    dup = prob.replace(X=X, penalty=lk.L1(pen.l1, v1) + lk.L2(pen.l2, v2))
    sol = dup.solve("cd", tol=1e-10)
    assert sol.converged and sol.rel_gap <= 1e-10
    ref = cf.converged_ref(dup.solve("cvxpy", tol=1e-6))
    assert sol.objective <= ref.objective + 1e-9 * dup._design.p0


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ["F", "C"])
@pytest.mark.parametrize("offset", ["zero", "large"])
def test_centred_products_match_plain_algebra(dtype, order, offset):
    # The certificate's residual goes through the compiled support-only
    # kernel for column-major X, with or without offsets; it must agree with
    # a float64 (X - offset) @ w on any layout and a sparse w.
    from lassokit import _linalg

    rng = np.random.default_rng(7)
    X = np.asarray(rng.standard_normal((40, 9)), dtype=dtype, order=order)
    off = np.zeros(9) if offset == "zero" else X.astype(np.float64).mean(axis=0)
    if offset == "large":
        X = np.asarray(X + 1e6, dtype=dtype, order=order)
        off = off + 1e6
    w = np.zeros(9)
    w[[1, 4, 8]] = [2.0, -0.5, 3.0]
    Xc = X.astype(np.float64) - off
    np.testing.assert_allclose(_linalg.centred_matvec(X, w, off), Xc @ w,
                               rtol=1e-12, atol=1e-9 * np.abs(Xc).max())
    q = rng.standard_normal(40)
    np.testing.assert_allclose(_linalg.centred_rmatvec(X, q, off), Xc.T @ q,
                               rtol=1e-10, atol=1e-9 * np.abs(Xc).max())
