"""The CVXPY reference for coefficient matrices and group penalties.

``lassokit.backends._cvxpy_matrix`` minimizes

    P(W, b) = 1/n sum_i s_i loss_i(X_i W + b) + sum_g galpha_g ||W_g||_F
              + sum_j l1_j sum_k |W_jk| + sum_j (l2_j / 2) sum_k W_jk**2.

It is checked against answers obtained without it: closed forms derived
below, lassokit's scalar lasso, scikit-learn's multinomial logistic
regression, and the optimality conditions themselves; then against
itself on data that must give the same answer (sparse X, repeated rows,
shifted columns).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import softmax

pytest.importorskip("cvxpy")

import lassokit as lk
from lassokit.backends._cvxpy_matrix import matrix_objective, solve_matrix_cvxpy

#: Coefficients of two accurate answers to the same problem agree to this,
#: relative to max(1, max|W|). Clarabel's answers are good to ~1e-7 here.
COEF_TOL = 2e-6
#: The stationarity residual (see :func:`stationarity`) an answer must reach.
KKT_TOL = 1e-6


def no_groups():
    """``gptr, gidx, galpha`` of zero groups."""
    return np.array([0]), np.array([], dtype=np.int64), np.array([])


def groups_of(sizes, members):
    """``gptr, gidx`` of consecutive groups of ``sizes`` taken from ``members``."""
    gptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    return gptr, np.asarray(members[:gptr[-1]], dtype=np.int64)


def solve(X, Y, *, loss="squared", fit_intercept=False, sample_weight=None, l1=0.0, l2=0.0,
          groups=None, n_classes=None, **kw):
    """:func:`solve_matrix_cvxpy` with scalar strengths broadcast and no groups by default."""
    p = X.shape[1]
    gptr, gidx, galpha = no_groups() if groups is None else groups
    return solve_matrix_cvxpy(
        X, Y, loss=loss, fit_intercept=fit_intercept, sample_weight=sample_weight,
        l1=np.broadcast_to(np.asarray(l1, dtype=float), (p,)).copy(),
        l2=np.broadcast_to(np.asarray(l2, dtype=float), (p,)).copy(),
        gptr=gptr, gidx=gidx, galpha=galpha, n_classes=n_classes, **kw)


def smooth_gradient(X, Y, W, b, loss, s):
    """Gradients of ``1/n sum_i s_i loss_i`` in ``W`` and in ``b``.

    With ``R_i = dloss_i / dZ_i`` (``Z_i - Y_i`` for squared;
    ``softmax(Z_i) - e_{y_i}`` for multinomial), ``dP/dW = X^T S R / n`` and
    ``dP/db = 1^T S R / n``.
    """
    n = X.shape[0]
    s = np.ones(n) if s is None else s
    Z = np.asarray(X @ W) + b
    if loss == "squared":
        R = Z - Y.reshape(Z.shape)
    else:
        R = softmax(Z, axis=1)
        R[np.arange(n), Y] -= 1.0
    R = R * s[:, None]
    return np.asarray(X.T @ R) / n, R.sum(axis=0) / n


def penalty_prox(V, t, l1, gptr, gidx, galpha):
    """Proximal map of ``t * (sum_j l1_j |.| + sum_g galpha_g ||.||_F)`` at ``V``.

    For the sparse-group penalty the prox is the composition of the two
    separate ones: soft-threshold each entry by ``t l1_j``, then shrink each
    group's block by ``max(0, 1 - t galpha_g / ||block||)``.
    """
    U = np.sign(V) * np.maximum(np.abs(V) - t * l1[:, None], 0.0)
    for g in range(gptr.shape[0] - 1):
        idx = gidx[gptr[g]:gptr[g + 1]]
        norm = np.linalg.norm(U[idx])
        U[idx] *= max(0.0, 1.0 - t * galpha[g] / norm) if norm > 0 else 0.0
    return U


def stationarity(X, Y, W, b, *, loss, s, l1, l2, groups, fit_intercept):
    """Distance of ``(W, b)`` from the optimality conditions, in gradient units.

    ``W`` is optimal iff ``0 in G + dR(W)`` with ``G`` the gradient of the
    smooth part (loss and the L2 term) and ``R`` the L1 and group terms,
    i.e. iff ``W = prox_{tR}(W - t G)`` for any ``t > 0``. For
    ``W+ = prox_{tR}(W - t G)``, ``U = (W - W+) / t - G`` is a subgradient
    of ``R`` at ``W+``, so ``G + U = (W - W+) / t``: its size says how far
    from ``0`` the best "gradient plus subgradient" is, near ``W``. Unlike
    a check that decides which entries are zero, it is continuous in ``W``
    (an interior point leaves ~1e-10 where the optimum has 0). ``t = 1``
    on the unit-scale data of these tests. With an intercept, ``dP/db = 0``
    is checked too. Returns the larger of the two (max-norms).
    """
    gptr, gidx, galpha = groups
    G, gb = smooth_gradient(X, Y, W, b, loss, s)
    G = G + l2[:, None] * W
    Wp = penalty_prox(W - G, 1.0, l1, gptr, gidx, galpha)
    return max(float(np.max(np.abs(W - Wp))), float(np.max(np.abs(gb))) if fit_intercept else 0.0)


def assert_close(W, W_ref, what="W"):
    scale = max(1.0, float(np.max(np.abs(W_ref))))
    err = float(np.max(np.abs(np.asarray(W) - W_ref)))
    assert err <= COEF_TOL * scale, f"{what} differs by {err:.2e} (scale {scale:.2e})"


# ---------------------------------------------------------------------------
# (a) Orthogonal blocks: the closed form of the sparse-group problem.
#
# Let X = [X_1 .. X_m] with X_g^T X_g / n = c_g I and X_g^T X_h = 0 (g != h),
# no intercept, s = 1. Then, with A_g = X_g^T Y / n,
#
#   1/(2n) ||Y - X W||^2 = ||Y||^2 / (2n) - sum_g <A_g, W_g> + sum_g c_g/2 ||W_g||^2,
#
# so P separates into one problem per block; with l2 constant on the block
# (d = c_g + l2_g > 0) and a = galpha_g:
#
#   min_V  d/2 ||V||^2 - <A, V> + sum_jk l1_j |V_jk| + a ||V||.
#
# Its optimality condition is 0 in d V - A + l1 o d|V| + a d||V||. Let
# S = ST(A, l1) (entry-wise soft-threshold: sign(A) max(|A| - l1, 0)).
# * If ||S|| <= a, V = 0: A = (A - S) + S with |A - S| <= l1 entry-wise
#   (A - S clips A to [-l1, l1]) and ||S|| <= a, which is the condition.
# * Else V = theta S / d with theta = 1 - a / ||S|| in (0, 1). On the
#   entries where S != 0, sign(V) = sign(S) = sign(A) and A - l1 sign(A) = S,
#   so d V - A + l1 sign(V) + a V / ||V|| = theta S - S + (a / ||S||) S = 0.
#   Where S = 0 (|A_jk| <= l1_j), V_jk = 0 and 0 is in -A_jk + [-l1_j, l1_j]
#   (the group term's part there is a V_jk / ||V|| = 0).
# Hence W_g = max(0, 1 - a / ||S||) S / (c_g + l2_g). A feature in no group
# is a block of its own with a = 0.
# ---------------------------------------------------------------------------


def orthogonal_blocks(rng, n, sizes, scales):
    """X whose blocks satisfy X_g^T X_g / n = c_g I and are mutually orthogonal."""
    Q, _ = np.linalg.qr(rng.standard_normal((n, sum(sizes))))
    cols, start = [], 0
    for size, c in zip(sizes, scales):
        cols.append(np.sqrt(n * c) * Q[:, start:start + size])
        start += size
    return np.hstack(cols)


def closed_form(X, Y, blocks, scales, l1, l2, galpha):
    """``W`` of the orthogonal-block problem, block by block (see above)."""
    n = X.shape[0]
    A = X.T @ Y / n
    W = np.zeros_like(A)
    for idx, c, a in zip(blocks, scales, galpha):
        S = np.sign(A[idx]) * np.maximum(np.abs(A[idx]) - l1[idx][:, None], 0.0)
        norm = np.linalg.norm(S)
        if norm > a:
            W[idx] = (1.0 - a / norm) * S / (c + l2[idx[0]])
    return W


@pytest.mark.parametrize("K", [1, 3])
@pytest.mark.parametrize("with_l1, with_l2", [(False, False), (True, False), (False, True),
                                              (True, True)])
def test_orthogonal_blocks_closed_form(K, with_l1, with_l2):
    rng = np.random.default_rng(10 * K + 2 * with_l1 + with_l2)
    n = 40
    # Three groups of unequal sizes, then two features in no group; the
    # scales c_g span 2**6, so the solver works in rescaled units.
    sizes, scales = [1, 2, 4, 1, 1], [0.25, 4.0, 1.0, 16.0, 0.5]
    X = orthogonal_blocks(rng, n, sizes, scales)
    p = X.shape[1]
    blocks = np.split(np.arange(p), np.cumsum(sizes)[:-1])
    # Signal of 1 to 2 (A_jk ~ c_j B_jk) except in ~30% of the entries, which
    # l1 then thresholds to 0; the first block (one feature) keeps its signal.
    B = rng.choice([-1.0, 1.0], (p, K)) * rng.uniform(1.0, 2.0, (p, K))
    none = rng.random((p, K)) < 0.3
    none[0] = False
    B[none] = 0.0
    Y = X @ B + 0.5 * rng.standard_normal((n, K))
    # Per-feature l1 (varying inside groups); l2 constant on each block.
    l1 = rng.uniform(0.05, 0.2, p) if with_l1 else np.zeros(p)
    l2 = np.repeat(rng.uniform(0.1, 1.0, len(sizes)), sizes) if with_l2 else np.zeros(p)
    # galpha from the blocks' own ||ST(A_g, l1)||: one group shrunk, one
    # zeroed (ratio > 1), one barely touched; the last two blocks have no group.
    A = X.T @ Y / n
    st = [np.linalg.norm(np.sign(A[i]) * np.maximum(np.abs(A[i]) - l1[i][:, None], 0.0))
          for i in blocks]
    galpha = np.array([0.5 * st[0], 1.5 * st[1], 0.1 * st[2]])
    groups = (*groups_of(sizes[:3], np.arange(p)), galpha)

    W, b, info = solve(X, Y, l1=l1, l2=l2, groups=groups)
    W_ref = closed_form(X, Y, blocks, scales, l1, l2, np.concatenate([galpha, [0.0, 0.0]]))

    assert info["status"] in ("optimal", "optimal_inaccurate")
    assert W.shape == (p, K) and b.shape == (K,) and not np.any(b)
    assert np.all(W_ref[blocks[1]] == 0.0) and np.any(W_ref[blocks[0]])
    assert_close(W, W_ref)
    kw = {"loss": "squared", "sample_weight": None, "l1": l1, "l2": l2, "gptr": groups[0],
          "gidx": groups[1], "galpha": galpha}
    p_ref = matrix_objective(X, Y, W_ref, b, **kw)
    # The closed form is the optimum: the solver can only match it.
    assert matrix_objective(X, Y, W, b, **kw) - p_ref <= 1e-9 * p_ref
    assert matrix_objective(X, Y, W, b, **kw) - p_ref >= -1e-12 * p_ref


def test_group_scale_is_shared_within_a_group():
    # Columns of one group in units 2**-2 .. 2**3 apart: a scale per column
    # would change ||W_g|| and so solve another problem (off by ~galpha).
    rng = np.random.default_rng(3)
    n, p, K = 50, 7, 2
    X = rng.standard_normal((n, p)) * np.array([0.25, 1.0, 3.0, 8.0, 0.5, 2.0, 1.0])
    Y = X @ rng.standard_normal((p, K)) / 8 + rng.standard_normal((n, K))
    groups = (*groups_of([4, 2], np.arange(p)), np.array([0.05, 0.08]))
    l1, l2 = np.full(p, 0.01), np.full(p, 0.02)
    W, b, _ = solve(X, Y, l1=l1, l2=l2, groups=groups, fit_intercept=True)
    # Gradients of columns of scale 8 are 64 times the coefficient's error.
    res = stationarity(X, Y, W, b, loss="squared", s=None, l1=l1, l2=l2, groups=groups,
                       fit_intercept=True)
    assert res <= 64 * KKT_TOL
    assert np.linalg.norm(W[:4]) > 0 and np.linalg.norm(W[4:6]) > 0


# ---------------------------------------------------------------------------
# (b) Entry-wise L1 without groups: the K columns are K separate lassos,
# each 1/(2n) sum_i s_i (y_ik - x_i w_k - b_k)^2 + a |w_k|_1, which is
# lassokit's own objective for lk.lasso(X, y_k, a).
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("weighted", [False, True])
def test_l1_columns_are_independent_lassos(weighted):
    rng = np.random.default_rng(4 + weighted)
    n, p, K, a = 60, 8, 3, 0.05
    X = rng.standard_normal((n, p)) + rng.uniform(-2, 2, p)
    Y = X[:, :3] @ rng.standard_normal((3, K)) + rng.standard_normal((n, K))
    s = None
    if weighted:
        s = rng.uniform(0.0, 2.0, n)
        s[:5] = 0.0  # dropped by the solver, a no-op for the objective
        s *= n / s.sum()
    W, b, _ = solve(X, Y, l1=a, fit_intercept=True, sample_weight=s)
    for k in range(K):
        ref = lk.lasso(X, Y[:, k], a, sample_weight=s).solve("cvxpy", tol=1e-10)
        assert_close(W[:, k], ref.coef, f"W[:, {k}]")
        assert abs(b[k] - ref.intercept) <= COEF_TOL * max(1.0, abs(ref.intercept))


# ---------------------------------------------------------------------------
# (c) Multinomial: optimality conditions and scikit-learn.
# ---------------------------------------------------------------------------


def multinomial_data(rng, n=90, p=6, K=3):
    X = rng.standard_normal((n, p))
    Z = X @ rng.standard_normal((p, K)) + rng.standard_normal(K)
    y = np.array([rng.choice(K, p=q) for q in softmax(Z, axis=1)])
    return X, y


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_multinomial_stationarity(fit_intercept, weighted):
    rng = np.random.default_rng(7 + 2 * fit_intercept + weighted)
    X, y = multinomial_data(rng, K=4)
    p = X.shape[1]
    s = None
    if weighted:
        s = rng.uniform(0.2, 3.0, X.shape[0])
        s *= X.shape[0] / s.sum()
    groups = (*groups_of([2, 3], np.arange(p)), np.array([0.03, 0.6]))
    l1, l2 = rng.uniform(0.0, 0.03, p), np.full(p, 0.02)
    W, b, info = solve(X, y, loss="multinomial", n_classes=4, fit_intercept=fit_intercept,
                       sample_weight=s, l1=l1, l2=l2, groups=groups)
    assert W.shape == (p, 4) and b.shape == (4,)
    res = stationarity(X, y, W, b, loss="multinomial", s=s, l1=l1, l2=l2, groups=groups,
                       fit_intercept=fit_intercept)
    assert res <= KKT_TOL
    # The second group is held at 0 by its strength, the first is not.
    assert np.max(np.abs(W[2:5])) <= 1e-8 and np.max(np.abs(W[:2])) > 1e-3
    if fit_intercept:
        assert abs(b.sum()) <= 1e-12 * max(1.0, np.max(np.abs(b)))
    else:
        assert not np.any(b)
    assert info["solver"] == "CLARABEL" and info["solve_time"] >= 0.0


def test_multinomial_matches_sklearn_l2():
    sklearn = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(11)
    X, y = multinomial_data(rng, n=120, p=5, K=3)
    n, C = X.shape[0], 0.5
    # scikit-learn minimizes C sum_i loss_i + ||W||^2 / 2 with the intercept
    # unpenalized (lbfgs); divided by C n this is 1/n sum_i loss_i +
    # (1 / (C n)) ||W||^2 / 2, i.e. l2 = 1 / (C n).
    clf = sklearn.LogisticRegression(C=C, l1_ratio=0.0, tol=1e-12, max_iter=10000).fit(X, y)
    W, b, _ = solve(X, y, loss="multinomial", n_classes=3, fit_intercept=True, l2=1.0 / (C * n))
    assert_close(W, clf.coef_.T)
    # The intercept is defined up to a constant: compare the centred ones.
    assert_close(b, clf.intercept_ - clf.intercept_.mean(), "b")


# ---------------------------------------------------------------------------
# The same problem in other data: sparse X, repeated rows, shifted columns.
# ---------------------------------------------------------------------------


def case(loss, rng, n=60, p=7, K=3):
    """Data, strengths and groups of a small problem of ``loss``."""
    X = rng.standard_normal((n, p)) * np.array([1.0, 0.5, 2.0, 1.0, 4.0, 1.0, 0.25])
    X[rng.random((n, p)) < 0.4] = 0.0  # sparse-looking
    if loss == "squared":
        Y = X[:, :3] @ rng.standard_normal((3, K)) + rng.standard_normal((n, K))
    else:
        Y = rng.integers(0, K, n)
        Y[:K] = np.arange(K)  # every class present
    kw = {"l1": np.full(p, 0.01), "l2": np.full(p, 0.02),
          "groups": (*groups_of([3, 2], np.array([4, 0, 2, 1, 5])), np.array([0.05, 0.03]))}
    if loss == "multinomial":
        kw.update(loss="multinomial", n_classes=K)
    return X, Y, kw


@pytest.mark.parametrize("loss", ["squared", "multinomial"])
@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_equals_dense(loss, fmt):
    X, Y, kw = case(loss, np.random.default_rng(21))
    Wd, bd, _ = solve(X, Y, fit_intercept=True, **kw)
    Ws, bs, _ = solve(sp.csr_matrix(X).asformat(fmt), Y, fit_intercept=True, **kw)
    assert_close(Ws, Wd)
    assert_close(bs, bd, "b")


@pytest.mark.parametrize("loss", ["squared", "multinomial"])
@pytest.mark.parametrize("sparse", [False, True])
def test_weights_equal_repeated_rows(loss, sparse):
    # Integer weights w: (1/n) sum_i s_i l_i with s = w n / sum(w) equals
    # the plain mean over the rows repeated w_i times (0 drops the row).
    rng = np.random.default_rng(31)
    X, Y, kw = case(loss, rng)
    w = rng.integers(0, 4, X.shape[0])
    w[:3] = 1  # keeps every class of the multinomial case
    rows = np.repeat(np.arange(X.shape[0]), w)
    s = w * X.shape[0] / w.sum()
    Xw = sp.csr_matrix(X) if sparse else X
    Xr = sp.csr_matrix(X[rows]) if sparse else X[rows]
    W1, b1, _ = solve(Xw, Y, fit_intercept=True, sample_weight=s, **kw)
    W2, b2, _ = solve(Xr, Y[rows], fit_intercept=True, **kw)
    assert_close(W1, W2)
    assert_close(b1, b2, "b")


@pytest.mark.parametrize("loss", ["squared", "multinomial"])
@pytest.mark.parametrize("sparse", [False, True])
def test_intercept_with_large_column_means(loss, sparse):
    # With an intercept, shifting the columns by m changes only b (by -m^T W):
    # W and the fitted values must not move.
    X, Y, kw = case(loss, np.random.default_rng(41))
    shift = 1e3 * (1.0 + np.arange(X.shape[1]) / 10)
    Xm = X + shift
    W0, b0, _ = solve(X, Y, fit_intercept=True, **kw)
    W1, b1, _ = solve(sp.csr_matrix(Xm) if sparse else Xm, Y, fit_intercept=True, **kw)
    assert_close(W1, W0)
    Z0, Z1 = X @ W0 + b0, Xm @ W1 + b1
    if loss == "multinomial":
        # b is returned centred, and b0 - m^T W is not: the two predictors
        # differ by one constant, to which the loss is blind.
        Z0, Z1 = Z0 - Z0.mean(), Z1 - Z1.mean()
        assert_close(b1, b0 - shift @ W0 - np.mean(b0 - shift @ W0), "b")
    else:
        assert_close(b1, b0 - shift @ W0, "b")
    assert_close(Z1, Z0, "X W + b")


# ---------------------------------------------------------------------------
# Held rows, edge cases and errors.
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["l1", "l2"])
def test_infinite_strength_holds_the_row_at_zero(which):
    X, Y, kw = case("squared", np.random.default_rng(51))
    kw[which] = kw[which].copy()
    kw[which][2] = np.inf  # feature 2 is in the first group
    W, b, _ = solve(X, Y, fit_intercept=True, **kw)
    assert np.all(W[2] == 0.0)
    # Same as the problem without column 2 (zeroed: same groups, no signal).
    X0 = X.copy()
    X0[:, 2] = 0.0
    kw[which][2] = 0.0
    W0, b0, _ = solve(X0, Y, fit_intercept=True, **kw)
    W0[2] = 0.0  # a zero column's row is set by its penalty only (0 here)
    assert_close(W, W0)
    assert_close(b, b0, "b")


def test_constant_target_needs_no_solve():
    X, Y, kw = case("squared", np.random.default_rng(61))
    W, b, info = solve(X, np.full_like(Y, 2.5), fit_intercept=True, **kw)
    assert info["status"] == "not run"
    assert not np.any(W) and np.all(b == 2.5)


def test_matrix_objective_by_hand():
    X = np.array([[1.0, 0.0], [0.0, 2.0]])
    Y = np.array([[1.0], [1.0]])
    W = np.array([[1.0], [0.5]])
    b = np.array([0.5])
    # residuals -0.5, -0.5: loss 1/2 (0.125 + 0.125) = 0.125; l1 0.1 (1 + 0.5);
    # l2 0.2/2 (1 + 0.25); one group {0, 1} of norm sqrt(1.25) with 0.3.
    kw = {"loss": "squared", "sample_weight": None, "l1": np.full(2, 0.1), "l2": np.full(2, 0.2),
          "gptr": np.array([0, 2]), "gidx": np.array([0, 1]), "galpha": np.array([0.3])}
    expected = 0.125 + 0.15 + 0.125 + 0.3 * np.sqrt(1.25)
    assert matrix_objective(X, Y, W, b, **kw) == pytest.approx(expected, rel=1e-14)
    # Held rows: free when 0, infinite otherwise.
    kw["l1"] = np.array([0.1, np.inf])
    assert np.isinf(matrix_objective(X, Y, W, b, **kw))
    W[1] = 0.0
    assert np.isfinite(matrix_objective(X, Y, W, b, **kw))


def test_failed_solve_names_the_status():
    X, Y, kw = case("multinomial", np.random.default_rng(71))
    with pytest.raises(RuntimeError, match="status"):
        solve(X, Y, fit_intercept=True, max_iter=1, **kw)


def test_absent_class_with_intercept_is_refused():
    X, _, kw = case("multinomial", np.random.default_rng(81))
    y = np.arange(X.shape[0]) % 2  # classes 0 and 1 of 3
    with pytest.raises(ValueError, match="class"):
        solve(X, y, fit_intercept=True, **kw)
