"""Matrix problems on badly scaled data: huge column means, target scales, one huge
sample weight.
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import _matrix_cases as mc
import numpy as np
import pytest
from _matrix_cases import KINDS, TIGHT, TOL, N

# ---------------------------------------------------------------------------
# Badly scaled data
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("kind", ["multitask_lasso", "group_lasso", "sparse_group_2d",
                                  "entrywise"])
def test_huge_column_means(kind, weighted):
    """Columns 1e9 + Z with Z of unit spread (exact in float64) with an intercept are
    the problem on Z with the intercept shifted by -1e9 * sum_j W_j."""
    X0, Y, spec, sw = mc.kind_case(kind, weighted=weighted)
    Z = np.round((X0 - X0.mean(axis=0)) * 1024) / 1024
    X = Z + 1e9
    assert np.array_equal(X - 1e9, Z)
    a = mc.solve(mc.build(X, Y, spec, sw))
    b = mc.solve(mc.build(Z, Y, spec, sw), tol=TIGHT)
    W_ref, _, P_ref = mc.cvx_solve(Z, Y, spec, sw)
    assert abs(a.objective - P_ref) <= 1e-8 * max(1.0, P_ref)
    assert a.objective - a.dual_gap <= P_ref + 1e-12 * max(1.0, P_ref)
    mc.assert_near_reference(a, W_ref, P_ref, mc.strong_convexity(Z, spec, sw))
    mc.assert_certified_pair(a, b, mc.strong_convexity(Z, spec, sw), mc.ref_p0(Z, Y, sw))
    # b_X = b_Z - 1e9 * sum_j W_j (for the same W; the rest is rounding of 1e9 |W|).
    W = mc.as2d(a.coef)
    s = mc.normalized(sw, N)
    zbar = s @ Z / s.sum()
    want = np.ravel(b.intercept) - 1e9 * W.sum(axis=0) - zbar @ (W - mc.as2d(b.coef))
    err = np.max(np.abs(np.ravel(a.intercept) - want))
    assert err <= 1e-5 * max(1.0, np.abs(W).sum()), err
    mc.assert_close(a.predict(X), b.predict(Z), 1e-5, "predict")


def _scale_cases():
    out = []
    for kind in ("multitask_enet", "sparse_group", "entrywise"):
        for fi in (True, False):
            for scale in (1e-170, 1e-20, 1e20, 1e160):
                out.append(pytest.param(kind, scale, fi, id=f"{kind}-{scale:g}-{fi}"))
    return out


@pytest.mark.parametrize("kind, scale, fit_intercept", _scale_cases())
def test_target_scale(kind, scale, fit_intercept):
    """Y -> c Y with the L1 and group strengths times c: W -> c W, b -> c b.

    ``P(0)`` overflows float64 for c = 1e160 (the values reach ~1e160 and are
    squared); refusing such a target with a ValueError that says so (as a
    one-target lk.Problem does) is an acceptable answer, a wrong one is not.
    """
    X, Y, spec, _ = mc.kind_case(kind, fit_intercept=fit_intercept)
    ref = mc.solve(mc.build(X, Y, spec, fit_intercept=fit_intercept), tol=TIGHT)
    big = replace(spec, alpha=spec.alpha * scale, l1=spec.l1 * scale)
    prob = mc.build(X, scale * Y, big, fit_intercept=fit_intercept)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sol = prob.solve(tol=1e-10, max_iter=1000)
    except ValueError as e:
        msg = str(e).lower()
        if scale > 1e150 and ("overflow" in msg or "too large" in msg):
            return
        raise
    assert sol.status == "optimal", (sol.status, sol.rel_gap)
    assert sol.rel_gap <= 1e-10
    # Never a false optimal: the answer is the scaled reference, within the
    # certified accuracy of both.
    sigma = mc.strong_convexity(X, spec, None, fit_intercept)
    p0 = mc.ref_p0(X, Y, None, fit_intercept)
    bound = np.sqrt(2 * ref.dual_gap / sigma) + np.sqrt(2 * 1e-10 * p0 / sigma)
    err = np.linalg.norm(np.asarray(sol.coef, float) / scale - ref.coef)
    assert err <= bound + 1e-9, (err, bound)
    mc.assert_intercepts_match(np.ravel(sol.intercept) / scale,
                               np.asarray(sol.coef, float) / scale,
                               ref.intercept, ref.coef, X, None, fit_intercept, tol=1e-8)
    # Where c^2 P is representable, the reported objective and gap are it.
    want = ref.objective * scale * scale
    if 1e-290 < want < 1e290:
        assert sol.objective == pytest.approx(want, rel=1e-8)
        assert sol.dual_gap <= 1e-10 * p0 * scale**2


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("kind", ["multitask_lasso", "group_lasso", "sparse_group_2d"])
def test_one_huge_sample_weight(kind, fit_intercept):
    """One sample weighs 1e6 times the others.

    With an intercept that sample is absorbed by it and the solve must be certified.
    Without one, the weighted Gram matrix has a condition number ~1e6 and coordinate
    descent needs ~1e5 epochs (lk.lasso too, and scikit-learn does not converge in
    1e6): a solve stopped at max_iter is acceptable, a false 'optimal' is not.
    """
    spec, one_d, frac = KINDS[kind]
    X, Y = mc.make_data(0, one_d=one_d)
    w = np.ones(N)
    w[5] = 1e6
    spec = spec.at(frac * mc.ref_alpha_max(X, Y, spec, w, fit_intercept))
    prob = mc.build(X, Y, spec, w, fit_intercept)
    sol = mc.quiet_solve(prob, tol=TOL, max_iter=2000)
    W_ref, _, P_ref = mc.cvx_solve(X, Y, spec, w, fit_intercept)
    scale = abs(P_ref)
    true = mc.ref_objective(X, Y, sol.coef, sol.intercept, spec, w)
    assert true == pytest.approx(sol.objective, rel=1e-10)
    # The certificate is honest whatever the status.
    assert sol.objective - sol.dual_gap <= P_ref + 1e-12 * scale, "a false certificate"
    assert (sol.status == "optimal") == (sol.rel_gap <= TOL)
    if fit_intercept:
        assert sol.status == "optimal", (sol.status, sol.rel_gap)
    if sol.status == "optimal":
        assert abs(sol.objective - P_ref) <= 1e-7 * scale
        assert np.any(sol.coef != 0)
        mc.assert_near_reference(sol, W_ref, P_ref, mc.strong_convexity(X, spec, w, fit_intercept))
