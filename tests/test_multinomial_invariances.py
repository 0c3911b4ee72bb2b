"""Multinomial invariances: sparse = dense, integer weights = repeated rows, a shift of
the columns absorbed by the intercept.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _multinomial_cases import (
    OBJ_RTOL,
    PROBA_ATOL,
    P,
    cvx_reference,
    lk_penalty,
    make_data,
    sparsify,
    tight_solve,
)
from scipy.special import softmax

import lassokit as lk

# ---------------------------------------------------------------------------
# Invariances: storage and sample weights
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csc", "csr"])
def test_sparse_equals_dense(fmt):
    X, y = make_data(n=70, p=P, K=3, seed=51)
    Xs = sparsify(X, seed=52, fmt=fmt)
    Xd = Xs.toarray()
    sw = np.random.default_rng(53).uniform(0.5, 2.0, 70)
    for pen in (lk.L1(0.02) + lk.L2(0.03), lk.GroupL2(0.05)):
        pd_ = lk.Problem(Xd, y, pen, loss="multinomial", sample_weight=sw)
        ps_ = lk.Problem(Xs, y, pen, loss="multinomial", sample_weight=sw)
        W = np.random.default_rng(54).standard_normal((P, 3))
        assert ps_.objective(W) == pytest.approx(pd_.objective(W), rel=1e-12)
        assert ps_.dual_gap(W) == pytest.approx(pd_.dual_gap(W), rel=1e-8, abs=1e-14)
        sd, ss = tight_solve(pd_), tight_solve(ps_)
        assert sd.status == ss.status == "optimal"
        assert ss.objective == pytest.approx(sd.objective, rel=1e-10)
        np.testing.assert_allclose(ss.predict(Xs), sd.predict(Xd), atol=1e-6)
        np.testing.assert_allclose(ss.coef, sd.coef, atol=1e-5)  # both strictly convex rows


def test_integer_weights_equal_repeated_rows():
    X, y = make_data(n=50, p=P, K=3, seed=61)
    rng = np.random.default_rng(62)
    w = rng.integers(0, 4, 50)
    w[:3] = 1  # every class keeps a sample
    Xr, yr = np.repeat(X, w, axis=0), np.repeat(y, w)
    for pen in (lk.L1(0.02), lk.GroupL2(0.04, groups=[[0, 1, 2], [3, 4, 5]]) + lk.L1(0.01)):
        pw = lk.Problem(X, y, pen, loss="multinomial", sample_weight=w)
        pr = lk.Problem(Xr, yr, pen, loss="multinomial")
        W = rng.standard_normal((P, 3))
        b = rng.standard_normal(3)
        assert pw.objective(W, b) == pytest.approx(pr.objective(W, b), rel=1e-12)
        assert pw.objective(W) == pytest.approx(pr.objective(W), rel=1e-11)
        sw_, sr_ = tight_solve(pw), tight_solve(pr)
        assert sw_.objective == pytest.approx(sr_.objective, rel=1e-10)
        np.testing.assert_allclose(sw_.predict(X), sr_.predict(X), atol=1e-6)

# ---------------------------------------------------------------------------
# Badly scaled features
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("spec", [{"l1": (0.02, None)}, {"group": (0.03, None)},
                                  {"l2": (0.05, None)}], ids=["l1", "grouprows", "l2"])
def test_large_column_means_with_intercept(spec):
    """Columns of mean 1e6 and unit spread: the intercept absorbs the means.

    With an intercept, ``X`` and ``X - 1 m^T`` state the same problem
    (``b' = b + m W``), so the reference is solved on the centred columns.
    """
    Xc, y = make_data(n=70, p=P, K=3, seed=91)
    means = 1e6 * (1.0 + np.arange(P) / P)
    X = Xc + means
    Xc = X - X.mean(axis=0)  # what the float64 X holds, centred
    ref_obj, W_ref, b_ref = cvx_reference(Xc, y, 3, spec)
    prob = lk.Problem(X, y, lk_penalty(spec), loss="multinomial")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ConvergenceWarning, no RuntimeWarning
        sol = prob.solve("cd", tol=1e-10)
    assert sol.status == "optimal"
    assert abs(sol.objective - ref_obj) <= OBJ_RTOL * max(1.0, abs(ref_obj))
    np.testing.assert_allclose(sol.predict(X), softmax(Xc @ W_ref + b_ref, axis=1),
                               atol=PROBA_ATOL)
    assert prob.dual_gap(W_ref) >= prob.objective(W_ref) - sol.objective - 1e-10
    # The reported intercept is the uncentred one.
    b_unc = b_ref - X.mean(axis=0) @ W_ref
    z_sol = X @ np.asarray(sol.coef, float) + sol.intercept
    z_ref = X @ W_ref + b_unc
    np.testing.assert_allclose(softmax(z_sol, axis=1), softmax(z_ref, axis=1), atol=PROBA_ATOL)
