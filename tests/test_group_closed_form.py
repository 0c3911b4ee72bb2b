"""The sparse-group penalty on orthogonal blocks, against its closed form."""

from __future__ import annotations

import _matrix_cases as mc
import numpy as np
import pytest
from _matrix_cases import TIGHT, Spec

import lassokit as lk

# ---------------------------------------------------------------------------
# Closed form on orthogonal blocks
# ---------------------------------------------------------------------------
#
# Let the centred blocks be orthogonal with X_g^T X_g / n = c_g I (features in
# the same group share c_g) and X_g^T X_h = 0 for g != h. Without weights,
#
#   1/(2n) ||Y - b - sum_g X_g W_g||^2
#     = 1/(2n) ||Y - b||^2 - sum_g <A_g, W_g> + sum_g (c_g / 2) ||W_g||^2,
#
# with A_g = X_g^T Y / n (the intercept term drops out because the columns
# are centred, so b = mean(Y) and Y may be read as centred). The objective
# therefore separates over groups; group g minimizes
#
#   (c_g + l2)/2 ||W_g||^2 - <A_g, W_g> + l1 |W_g|_1 + a w_g ||W_g||
#     = (c_g + l2)/2 ||W_g - A_g / (c_g + l2)||^2 + l1 |W_g|_1 + a w_g ||W_g|| + const,
#
# i.e. W_g = prox of (l1 |.|_1 + a w_g ||.||) / (c_g + l2) at V = A_g / (c_g + l2).
# The prox of the sparse-group norm is the entry-wise soft threshold followed
# by the group shrinkage: prox(V) = (1 - t_g / ||ST(V, t_1)||)_+ ST(V, t_1), with
# t_1 = l1 / (c_g + l2), t_g = a w_g / (c_g + l2). Since ST(V, t_1) =
# ST(A_g, l1) / (c_g + l2), the ratio t_g / ||ST(V, t_1)|| = a w_g / ||ST(A_g, l1)||:
#
#   W_g = max(0, 1 - a w_g / ||ST(A_g, l1)||) ST(A_g, l1) / (c_g + l2).
#
# A feature in no group has a w_g = 0: W_j = ST(A_j, l1) / (c_j + l2).
# ---------------------------------------------------------------------------

CF_GROUPS = [[0, 1, 2], [3, 4], [5], [6]]  # feature 7 in no group
CF_C = np.array([1.0, 1.0, 1.0, 2.5, 2.5, 0.5, 4.0, 1.5])


def orthogonal_design(n=40, seed=0):
    rng = np.random.default_rng(seed)
    p = CF_C.size
    M = np.column_stack([np.ones(n), rng.standard_normal((n, p))])
    Q, _ = np.linalg.qr(M)
    Q = Q[:, 1:] * np.sign(Q[0, 1:])  # orthonormal columns, each orthogonal to 1 (centred)
    return Q * np.sqrt(n * CF_C)


def st(A, t):
    return np.sign(A) * np.maximum(np.abs(A) - t, 0.0)


def closed_form(X, Y, groups, weights, a, l1, l2):
    n, p = X.shape
    A = X.T @ mc.as2d(Y) / n
    c = np.diag(X.T @ X) / n
    W = np.zeros_like(A)
    in_group = np.zeros(p, dtype=bool)
    for g, w in zip(groups, weights):
        in_group[g] = True
        S = st(A[g], l1)
        nrm = np.linalg.norm(S)
        shrink = max(0.0, 1.0 - a * w / nrm) if nrm > 0 else 0.0
        W[g] = shrink * S / (c[g][:, None] + l2)
    free = ~in_group
    W[free] = st(A[free], l1) / (c[free][:, None] + l2)
    return W


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("l2", [0.0, 0.3])
@pytest.mark.parametrize("l1", [0.0, 0.05])
@pytest.mark.parametrize("K", [1, 3])
def test_closed_form_orthogonal_blocks(K, l1, l2, fit_intercept):
    X = orthogonal_design()
    n, p = X.shape
    mc.assert_close(X.T @ X / n, np.diag(CF_C), 1e-12, "X^T X / n")
    mc.assert_close(X.mean(axis=0), np.zeros(p), 1e-12, "column means")
    rng = np.random.default_rng(K)
    B = np.zeros((p, K))
    B[[0, 1, 3, 6, 7]] = rng.standard_normal((5, K))
    Y = X @ B + 0.3 * rng.standard_normal((n, K)) + 2.0
    if K == 1:
        Y = Y[:, 0]
    Yr = mc.as2d(Y) - (mc.as2d(Y).mean(axis=0) if fit_intercept else 0.0)
    weights = np.sqrt([len(g) for g in CF_GROUPS])
    # A strength between the groups' thresholds, so that some are zero and some not.
    A = X.T @ Yr / n
    ratios = sorted(np.linalg.norm(st(A[g], l1)) / w for g, w in zip(CF_GROUPS, weights))
    a = 0.5 * (ratios[1] + ratios[2])
    W_cf = closed_form(X, Yr, CF_GROUPS, weights, a, l1, l2)
    zero_groups = [g for g in CF_GROUPS if not np.any(W_cf[g])]
    assert 0 < len(zero_groups) < len(CF_GROUPS)

    pen = lk.GroupL2(a, CF_GROUPS)
    if l1:
        pen = pen + lk.L1(l1)
    if l2:
        pen = pen + lk.L2(l2)
    prob = lk.Problem(X, Y, pen, fit_intercept=fit_intercept)
    sol = mc.solve(prob, tol=TIGHT)
    W = mc.as2d(sol.coef)
    spec = Spec(alpha=a, groups=CF_GROUPS, l1=l1, l2=l2)
    sigma = mc.strong_convexity(X, spec, None, fit_intercept)
    assert sigma >= CF_C.min() - 1e-12
    bound = np.sqrt(2 * sol.dual_gap / sigma)
    err = np.linalg.norm(W - W_cf)
    assert err <= bound + 1e-12 * max(1.0, np.abs(W_cf).max()), (err, bound)
    for g in zero_groups:
        assert np.all(W[g] == 0), g
    # The closed form is optimal: the certificate at it is ~0, and its objective is P*.
    W_in = W_cf[:, 0] if K == 1 else W_cf
    p0 = mc.ref_p0(X, Y, None, fit_intercept)
    assert prob.dual_gap(W_in) <= 1e-12 * max(1.0, p0)
    b = (mc.as2d(Y).mean(axis=0) if fit_intercept else np.zeros(K))
    P_cf = mc.ref_objective(X, Y, W_cf, b, spec)
    assert abs(sol.objective - P_cf) <= sol.dual_gap + 1e-13 * max(1.0, p0)
    mc.assert_close(np.ravel(sol.intercept), b, 1e-10, "intercept")
