"""Matrix problems (2-D ``Y``) and group penalties, checked against independent references.

The problem under test is

    P(W, b) = 1/(2n) sum_i s_i ||Y_i - X_i W - b||^2
              + sum_g alpha w_g ||W_g||_F + sum_j l1 v1_j |W_j|_1 + sum_j (l2 v2_j / 2) ||W_j||^2

with ``s`` the sample weights normalized to sum to ``n``. Everything a test
compares lassokit to is derived here, from that statement alone:

* :func:`cvx_solve` states the problem in CVXPY (explicit intercept
  variable, uncentred X, a norm per group) and solves it with Clarabel at
  tight settings; lassokit's own ``"cvxpy"`` backend is never used as a
  reference;
* :func:`ref_objective` evaluates ``P`` in NumPy, :func:`ref_alpha_max`
  finds the smallest strength at which ``W = 0`` satisfies the optimality
  conditions (by bisection on each group's dual-norm condition);
* equivalences (sparse vs dense, weights vs repeated rows, ...) are checked
  with rigorous tolerances: two points with certified gaps ``G1, G2`` have
  objectives within ``G1 + G2`` and, for a ``sigma``-strongly convex ``P``,
  coefficients within ``sqrt(2 G1 / sigma) + sqrt(2 G2 / sigma)``.

Problems are small (n=24, p=7, K=3) so that the file runs in seconds.
"""

from __future__ import annotations

import copy
import pickle
import warnings
from dataclasses import dataclass, replace

import numpy as np
import pytest
import scipy.sparse as sp

import lassokit as lk

cp = pytest.importorskip("cvxpy")

N, P, K = 24, 7, 3
#: Unequal groups; feature 6 is in no group (penalized by the L1/L2 part only).
GROUPS = [[0, 1, 2], [3], [4, 5]]
#: The same partition as labels, with feature 6 a group of its own ("z").
LABELS = ["a", "a", "a", "b", "c", "c", "z"]
TOL = 1e-10  # relative gap asked of lassokit in the comparisons
TIGHT = 1e-12  # relative gap of lassokit "P*" solves


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------


def make_data(seed=0, n=N, p=P, K=K, density=None, one_d=False):
    """Random X (non-zero column means) and Y with a sparse row structure."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + rng.uniform(-1.0, 1.0, p)
    if density is not None:
        X = X * (rng.random((n, p)) < density)
    B = np.zeros((p, K))
    B[[0, 1, 3, 6]] = rng.standard_normal((4, K))
    Y = X @ B + 0.5 * rng.standard_normal((n, K)) + rng.uniform(-1.0, 1.0, K)
    return X, (Y[:, 0].copy() if one_d else Y)


def sample_weights(n=N, seed=1):
    rng = np.random.default_rng(seed)
    w = rng.uniform(0.2, 3.0, n)
    w[2] = 0.0  # a zero weight leaves the sample out
    return w


# ---------------------------------------------------------------------------
# Penalty statement (read by lassokit and, separately, by the references)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """A penalty described by its documented parameters."""

    group: bool = True  # a GroupL2 term is present
    alpha: float = 0.0
    groups: object = None
    gweights: object = None
    l1: float = 0.0
    l1w: object = None
    l2: float = 0.0
    l2w: object = None

    def penalty(self):
        pen = lk.GroupL2(self.alpha, self.groups, self.gweights) if self.group else None
        if self.l1 > 0 or self.l1w is not None:
            t = lk.L1(self.l1, weights=self.l1w)
            pen = t if pen is None else pen + t
        if self.l2 > 0 or self.l2w is not None:
            t = lk.L2(self.l2, weights=self.l2w)
            pen = t if pen is None else pen + t
        return pen

    @property
    def total(self):
        """The overall strength a path scales (alpha + l1 + l2, or l1 + l2)."""
        return (self.alpha if self.group else 0.0) + self.l1 + self.l2

    def scaled(self, f):
        return replace(self, alpha=self.alpha * f, l1=self.l1 * f, l2=self.l2 * f)

    def at(self, total):
        return self.scaled(total / self.total)


def ref_blocks(spec, p):
    """[(feature indices, group strength)] of the group term, from the documentation."""
    if not spec.group:
        return []
    g = spec.groups
    if g is None:
        idx = [[j] for j in range(p)]
    elif np.ndim(g[0]) == 0:  # one label per feature, groups in order of first appearance
        order = []
        for lab in g:
            if lab not in order:
                order.append(lab)
        idx = [[j for j in range(p) if g[j] == lab] for lab in order]
    else:
        idx = [list(x) for x in g]
    w = [np.sqrt(len(x)) for x in idx] if spec.gweights is None else list(spec.gweights)
    return [(np.array(x, dtype=int), spec.alpha * float(wg)) for x, wg in zip(idx, w)]


def ref_entrywise(spec, p):
    """Per-feature L1 and L2 strengths and the excluded features (an infinite weight)."""
    v1 = np.ones(p) if spec.l1w is None else np.asarray(spec.l1w, dtype=float)
    v2 = np.ones(p) if spec.l2w is None else np.asarray(spec.l2w, dtype=float)
    excluded = np.isinf(v1) | np.isinf(v2)
    with np.errstate(invalid="ignore"):
        lam, mu = spec.l1 * v1, spec.l2 * v2
    lam[excluded] = 0.0
    mu[excluded] = 0.0
    return lam, mu, excluded


def normalized(sw, n):
    return np.ones(n) if sw is None else n * np.asarray(sw, float) / np.sum(sw)


def dense64(X):
    return np.asarray(X.toarray() if sp.issparse(X) else X, dtype=np.float64)


def as2d(Y):
    Y = np.asarray(Y, dtype=np.float64)
    return Y[:, None] if Y.ndim == 1 else Y


def ref_penalty(spec, W):
    W = as2d(W)
    lam, mu, excluded = ref_entrywise(spec, W.shape[0])
    if np.any(W[excluded] != 0):
        return np.inf
    val = sum(a * np.linalg.norm(W[idx]) for idx, a in ref_blocks(spec, W.shape[0]))
    return val + float(lam @ np.abs(W).sum(axis=1)) + 0.5 * float(mu @ (W**2).sum(axis=1))


def ref_intercept(X, Y, W, sw=None, fit_intercept=True):
    Xd, Y2, W = dense64(X), as2d(Y), as2d(W)
    if not fit_intercept:
        return np.zeros(Y2.shape[1])
    s = normalized(sw, Xd.shape[0])
    return s @ (Y2 - Xd @ W) / s.sum()


def ref_objective(X, Y, W, b, spec, sw=None):
    """``P(W, b)`` evaluated in NumPy."""
    Xd, Y2, W = dense64(X), as2d(Y), as2d(W)
    n = Xd.shape[0]
    s = normalized(sw, n)
    R = Y2 - Xd @ W - np.asarray(b, float).reshape(1, -1)
    return 0.5 * float(np.sum(s[:, None] * R * R)) / n + ref_penalty(spec, W)


def ref_p0(X, Y, sw=None, fit_intercept=True):
    """``P(0, b0)``, the scale of relative gaps."""
    Y2 = as2d(Y)
    n = Y2.shape[0]
    s = normalized(sw, n)
    b = s @ Y2 / s.sum() if fit_intercept else 0.0
    return 0.5 * float(np.sum(s[:, None] * (Y2 - b) ** 2)) / n


def centred(X, Y, sw=None, fit_intercept=True):
    Xd, Y2 = dense64(X), as2d(Y)
    if not fit_intercept:
        return Xd, Y2
    s = normalized(sw, Xd.shape[0])
    return Xd - s @ Xd / s.sum(), Y2 - s @ Y2 / s.sum()


def strong_convexity(X, spec, sw=None, fit_intercept=True):
    """The smallest eigenvalue of the weighted centred Gram matrix (plus the L2 part)."""
    Xc, _ = centred(X, np.zeros(dense64(X).shape[0]), sw, fit_intercept)
    n = Xc.shape[0]
    s = normalized(sw, n)
    _, mu, excluded = ref_entrywise(spec, Xc.shape[1])
    keep = ~excluded
    G = (Xc[:, keep] * s[:, None]).T @ Xc[:, keep] / n + np.diag(mu[keep])
    return float(np.linalg.eigvalsh(G)[0])


def free_features(spec, p):
    """Features with no penalty at all (no weighted group, no L1, no L2, not excluded)."""
    lam, mu, excluded = ref_entrywise(spec, p)
    free = (lam == 0) & (mu == 0) & ~excluded
    for idx, a in ref_blocks(spec, p):
        if a > 0:
            free[idx] = False
    return free


def ref_alpha_max(X, Y, spec, sw=None, fit_intercept=True):
    """The smallest overall strength (terms in proportion) at which ``W = 0`` is optimal
    on the penalized features (the unpenalized ones fitted by weighted least squares).

    With ``A = Xc^T S R / n`` the negative gradient at that point (``R`` the
    centred target less its fit on the free features), ``W = 0`` is optimal
    at strength ``T`` iff every group has ``||ST(A_g, T lam_g)|| <= T a_g``
    (a subgradient of the sparse group term: a vector of the L1 box plus one
    of the group ball) and every feature outside the weighted groups has
    ``|A_jk| <= T lam_j`` (``lam``, ``a_g`` the strengths at total 1). Each
    condition is monotone in ``T``: bisection.
    """
    Xc, Yc = centred(X, Y, sw, fit_intercept)
    n, p = Xc.shape
    s = normalized(sw, n)
    free = free_features(spec, p)
    if np.any(free):
        Xf = Xc[:, free] * np.sqrt(s)[:, None]
        coef = np.linalg.lstsq(Xf, Yc * np.sqrt(s)[:, None], rcond=None)[0]
        Yc = Yc - Xc[:, free] @ coef
    A = Xc.T @ (s[:, None] * Yc) / n
    unit = spec.at(1.0)
    lam, _, excluded = ref_entrywise(unit, p)
    A[excluded | free] = 0.0
    top = 0.0
    in_group = np.zeros(p, dtype=bool)
    for idx, a in ref_blocks(unit, p):
        if a <= 0:
            continue
        in_group[idx] = True
        Ag, lg = A[idx], lam[idx][:, None]

        def excess(T, Ag=Ag, lg=lg, a=a):
            return np.linalg.norm(np.maximum(np.abs(Ag) - T * lg, 0.0)) - T * a

        lo, hi = 0.0, np.linalg.norm(Ag) / a
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if excess(mid) > 0 else (lo, mid)
        top = max(top, hi)
    for j in np.flatnonzero(~in_group & ~excluded & ~free):
        m = np.max(np.abs(A[j]))
        if m > 0:
            top = max(top, m / lam[j] if lam[j] > 0 else np.inf)
    return top


def cvx_solve(X, Y, spec, sw=None, fit_intercept=True):
    """Solve ``P`` with CVXPY + Clarabel; returns (W (p, K), b (K,), P(W, b) in NumPy)."""
    Xd, Y2 = dense64(X), as2d(Y)
    n, p = Xd.shape
    Kc = Y2.shape[1]
    s = normalized(sw, n)
    lam, mu, excluded = ref_entrywise(spec, p)
    W = cp.Variable((p, Kc))
    b = cp.Variable(Kc) if fit_intercept else None
    fit = Xd @ W
    if fit_intercept:
        fit = fit + np.ones((n, 1)) @ cp.reshape(b, (1, Kc), order="C")
    obj = cp.sum_squares(cp.multiply(np.sqrt(s)[:, None], Y2 - fit)) / (2 * n)
    for idx, a in ref_blocks(spec, p):
        if a > 0:
            obj = obj + a * cp.norm(W[idx, :], "fro")
    if np.any(lam > 0):
        obj = obj + cp.sum(cp.multiply(lam[:, None], cp.abs(W)))
    if np.any(mu > 0):
        obj = obj + 0.5 * cp.sum(cp.multiply(mu[:, None], cp.square(W)))
    cons = [W[np.flatnonzero(excluded), :] == 0] if np.any(excluded) else []
    prob = cp.Problem(cp.Minimize(obj), cons)
    # Tight tolerances with shortened steps (Clarabel's 0.99 stalls short of 1e-12 on
    # the group cones); a looser second try if that still ends "inaccurate".
    for tight in (1e-12, 1e-10):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            prob.solve(solver="CLARABEL", max_iter=1000, tol_gap_abs=tight, tol_gap_rel=tight,
                       tol_feas=tight, tol_ktratio=100 * tight, max_step_fraction=0.8)
        if prob.status == "optimal":
            break
    assert prob.status == "optimal", f"the CVXPY reference did not converge: {prob.status}"
    Wv = np.asarray(W.value)
    Wv[excluded] = 0.0
    bv = np.asarray(b.value) if fit_intercept else np.zeros(Kc)
    return Wv, bv, ref_objective(Xd, Y2, Wv, bv, spec, sw)


# ---------------------------------------------------------------------------
# Assertions
# ---------------------------------------------------------------------------


def assert_close(a, b, tol, what="coef"):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, f"{what}: shape {a.shape} vs {b.shape}"
    err = float(np.max(np.abs(a - b))) if a.size else 0.0
    scale = max(1.0, float(np.max(np.abs(b))) if b.size else 1.0)
    assert err <= tol * scale, f"{what}: max difference {err:.3e} > {tol:g} * {scale:.3g}"


def assert_certified_pair(s1, s2, sigma, p0, what="coef"):
    """Two certified solutions of one problem: objectives within G1 + G2, coefficients
    within sqrt(2 G1 / sigma) + sqrt(2 G2 / sigma) (plus float64 rounding)."""
    slack = 1e-12 * max(1.0, p0)
    assert abs(s1.objective - s2.objective) <= s1.dual_gap + s2.dual_gap + slack, (
        f"objectives {s1.objective!r} and {s2.objective!r} differ by more than the "
        f"certified gaps {s1.dual_gap:.3g} + {s2.dual_gap:.3g}")
    bound = np.sqrt(2 * s1.dual_gap / sigma) + np.sqrt(2 * s2.dual_gap / sigma)
    c1, c2 = np.asarray(s1.coef, float), np.asarray(s2.coef, float)
    scale = max(1.0, float(np.max(np.abs(c2))))
    err = float(np.linalg.norm(c1 - c2))
    assert err <= bound + 1e-9 * scale, f"{what}: |W1 - W2| = {err:.3e} > bound {bound:.3e}"


def assert_intercepts_match(b1, W1, b2, W2, X, sw=None, fit_intercept=True, tol=1e-9):
    """Two optimal intercepts of the same data differ exactly by ``-xbar^T (W1 - W2)``
    (``b = ybar - xbar^T W``); the coefficients are compared elsewhere."""
    Xd = dense64(X)
    s = normalized(sw, Xd.shape[0])
    xbar = s @ Xd / s.sum() if fit_intercept else np.zeros(Xd.shape[1])
    b1, b2 = np.ravel(b1), np.ravel(b2)
    want = b2 - xbar @ (as2d(W1) - as2d(W2))
    assert_close(b1, want, tol, "intercept")


def assert_near_reference(sol, W_ref, P_ref, sigma, tol=1e-5, what="coef"):
    """``W`` within ``tol`` of an interior-point reference, or within what strong
    convexity allows: ``F(W) = min_b P(W, b)`` is ``sigma``-strongly convex, so
    ``||W - W*|| <= sqrt(2 G / sigma)`` and ``||W_ref - W*|| <= sqrt(2 (P_ref - (P - G)) /
    sigma)``. (A certificate G that is too small only makes this stricter.)"""
    W, W_ref = as2d(sol.coef), as2d(W_ref)
    err_inf = float(np.max(np.abs(W - W_ref)))
    if err_inf <= tol * max(1.0, float(np.max(np.abs(W_ref)))):
        return
    lower = sol.objective - sol.dual_gap
    bound = np.sqrt(2 * sol.dual_gap / sigma) + np.sqrt(2 * max(P_ref - lower, 0.0) / sigma)
    err = float(np.linalg.norm(W - W_ref))
    assert err <= bound * (1 + 1e-9) + 1e-12, (
        f"{what}: |W - W_ref| = {err:.3e} (max entry {err_inf:.3e}) > {tol:g} and > the "
        f"strong-convexity bound {bound:.3e}")


def solve(prob, tol=TOL, **kw):
    """A lassokit solve that must certify its tolerance (these problems are tiny: a
    few hundred epochs at most; the budget only bounds the run time of a regression,
    which test_tiny_problems_take_few_epochs reports)."""
    kw.setdefault("max_iter", 1000)
    sol = prob.solve(tol=tol, **kw)
    assert sol.status == "optimal", (sol.status, sol.rel_gap)
    assert sol.rel_gap <= tol
    return sol


def quiet_solve(prob, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return prob.solve(**kw)


# ---------------------------------------------------------------------------
# The problem types (strengths as fractions of the reference alpha_max)
# ---------------------------------------------------------------------------

KINDS = {
    # name: (spec with proportions, 1-D y?, fraction of alpha_max)
    "multitask_lasso": (Spec(alpha=1.0), False, 0.3),
    "multitask_enet": (Spec(alpha=0.7, l2=0.3), False, 0.3),
    "group_lasso": (Spec(alpha=1.0, groups=GROUPS), True, 0.45),
    "group_lasso_weights": (Spec(alpha=1.0, groups=GROUPS, gweights=[0.0, 2.0, 1.5]), True,
                            0.4),
    "sparse_group": (Spec(alpha=0.6, groups=GROUPS, l1=0.4, l1w=[1, 2, 1, 1, 0.5, 1, 1]),
                     True, 0.3),
    "sparse_group_2d": (Spec(alpha=0.6, groups=LABELS, l1=0.4), False, 0.3),
    "group_enet": (Spec(alpha=0.6, groups=LABELS, l2=0.4), False, 0.45),
    "entrywise": (Spec(group=False, l1=0.8, l2=0.2, l1w=[1, 1, 0.5, 2, 1, 1, 1]), False, 0.3),
}


def kind_case(kind, *, storage="dense", weighted=False, fit_intercept=True, seed=0):
    """(X, Y, spec, sw) of one problem type at a non-trivial strength."""
    spec, one_d, frac = KINDS[kind]
    X, Y = make_data(seed, one_d=one_d, density=0.5 if storage in ("csc", "csr") else None)
    sw = sample_weights() if weighted else None
    spec = spec.at(frac * ref_alpha_max(X, Y, spec, sw, fit_intercept))
    if storage == "csc":
        X = sp.csc_matrix(X)
    elif storage == "csr":
        X = sp.csr_matrix(X)
    elif storage == "float32":
        X = X.astype(np.float32)
    elif storage == "fortran":
        X = np.asfortranarray(X)
    return X, Y, spec, sw


def build(X, Y, spec, sw=None, fit_intercept=True, **kw):
    return lk.Problem(X, Y, spec.penalty(), fit_intercept=fit_intercept, sample_weight=sw, **kw)


# ---------------------------------------------------------------------------
# 1. Every problem type against CVXPY
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["dense", "csc", "csr", "float32", "weights"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("kind", list(KINDS))
def test_against_cvxpy(kind, fit_intercept, variant):
    weighted = variant == "weights"
    storage = "dense" if weighted else variant
    X, Y, spec, sw = kind_case(kind, storage=storage, weighted=weighted,
                               fit_intercept=fit_intercept)
    prob = build(X, Y, spec, sw, fit_intercept)
    assert isinstance(prob, lk.Problem)
    # float32 coefficients certify to ~1e-8 here (see test_float32_reaches_a_tight_tol).
    sol = solve(prob, tol=1e-7 if variant == "float32" else TOL)
    W_ref, _, P_ref = cvx_solve(X, Y, spec, sw, fit_intercept)
    scale = max(1.0, abs(P_ref))

    # Shapes follow y: (p,) and a float for a 1-D y, (p, K) and (K,) for a 2-D one.
    if np.ndim(Y) == 1:
        assert sol.coef.shape == (P,) and isinstance(sol.intercept, float)
    else:
        assert sol.coef.shape == (P, K) and np.shape(sol.intercept) == (K,)
    assert sol.coef.dtype == (np.float32 if variant == "float32" else np.float64)

    # The reported objective is P at the reported coef and intercept (NumPy).
    mine = ref_objective(X, Y, sol.coef, sol.intercept, spec, sw)
    assert abs(mine - sol.objective) <= 1e-11 * scale
    # ... and the intercept is the optimal one for that coef.
    assert_close(np.ravel(sol.intercept), ref_intercept(X, Y, sol.coef, sw, fit_intercept),
                 1e-10, "intercept")

    # Same optimum as CVXPY: lassokit is at most its certified gap above a feasible
    # point's value, and not below the (interior-point accurate) reference.
    assert sol.objective - P_ref <= sol.dual_gap + 1e-12 * scale, (sol.objective, P_ref)
    assert abs(sol.objective - P_ref) <= 1e-8 * scale + sol.dual_gap, (sol.objective, P_ref)
    assert_near_reference(sol, W_ref, P_ref, strong_convexity(X, spec, sw, fit_intercept))
    # The intercept is checked above as the optimal one for lassokit's coef.
    # The certified lower bound P - G never exceeds a feasible objective.
    assert sol.objective - sol.dual_gap <= P_ref + 1e-12 * scale
    # The gap at the reference bounds the reference's suboptimality.
    W_in = W_ref[:, 0] if np.ndim(Y) == 1 else W_ref
    assert prob.objective(W_in) <= P_ref + 1e-12 * scale  # optimal intercept <= any
    assert prob.dual_gap(W_in) >= prob.objective(W_in) - sol.objective - 1e-12 * scale

    # The test data are not degenerate: some rows of W are exactly zero, some not.
    if variant == "dense":
        rows = np.any(as2d(sol.coef) != 0, axis=1)
        assert 0 < rows.sum() < P, rows


@pytest.mark.parametrize("kind", ["multitask_lasso", "group_lasso", "sparse_group_2d",
                                  "entrywise"])
def test_float32_reaches_a_tight_tol(kind):
    """float32 X: the coefficients are rounded to float32, and rounding costs the
    objective only second-order terms (the rows in the model are stationary), so a
    certificate that keeps the unrounded residual as a dual candidate, as a one-target
    lk.Problem does, certifies 1e-10 (one-target: ~4e-13)."""
    X, Y, spec, _ = kind_case(kind, storage="float32")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sol = build(X, Y, spec).solve(tol=1e-10)
    assert sol.coef.dtype == np.float32
    # The rounded coefficients are within ~1e-15 of optimal (float64 reference on the
    # same float32 values): a 1e-10 certificate exists for them.
    ref = solve(build(X.astype(np.float64), Y, spec), tol=TIGHT)
    p0 = ref_p0(X, Y)
    assert ref_objective(X, Y, sol.coef, sol.intercept, spec) - ref.objective \
        <= 1e-13 * p0 + ref.dual_gap
    assert sol.status == "optimal", (sol.status, sol.rel_gap)


@pytest.mark.parametrize("kind", ["multitask_lasso", "sparse_group", "entrywise"])
def test_fortran_and_c_order_agree(kind):
    X, Y, spec, _ = kind_case(kind)
    a = solve(build(np.ascontiguousarray(X), Y, spec), tol=TIGHT)
    b = solve(build(np.asfortranarray(X), Y, spec), tol=TIGHT)
    sigma = strong_convexity(X, spec)
    assert_certified_pair(a, b, sigma, ref_p0(X, Y))


# ---------------------------------------------------------------------------
# 2. Certificates at arbitrary points
# ---------------------------------------------------------------------------


def _points(W_star, rng, blocks):
    p = W_star.shape[0]
    yield "zero", np.zeros_like(W_star)
    yield "optimum", W_star.copy()
    yield "dense random", rng.standard_normal(W_star.shape)
    sparse = rng.standard_normal(W_star.shape)
    sparse[rng.random(p) < 0.5] = 0.0
    yield "sparse random", sparse
    entry = rng.standard_normal(W_star.shape) * (rng.random(W_star.shape) < 0.3)
    yield "entry-sparse random", entry
    for idx, _ in blocks:
        W = W_star.copy()
        W[idx] = 0.0
        yield f"group {list(idx)} zeroed", W
        W = rng.standard_normal(W_star.shape)
        W[idx] = 0.0
        yield f"random with group {list(idx)} zero", W
    for eps in (1e-1, 1e-3, 1e-6):
        yield f"optimum + {eps:g} noise", W_star + eps * rng.standard_normal(W_star.shape)
    for f in (0.5, 1.5):
        yield f"optimum * {f}", f * W_star
    # Off the support only: the dual constraint is what is tested.
    W = W_star.copy()
    W[W == 0] = 1e-4
    yield "optimum, zeros filled", W


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("kind", ["multitask_lasso", "multitask_enet", "group_lasso",
                                  "sparse_group", "sparse_group_2d", "group_enet",
                                  "entrywise", "group_lasso_weights"])
def test_gap_bounds_suboptimality_everywhere(kind, weighted):
    X, Y, spec, sw = kind_case(kind, weighted=weighted)
    prob = build(X, Y, spec, sw)
    star = solve(prob, tol=TIGHT)
    _, _, P_cvx = cvx_solve(X, Y, spec, sw)
    P_up = min(star.objective, P_cvx)  # an upper bound on P*
    p0 = ref_p0(X, Y, sw)
    slack = 1e-12 * max(1.0, p0)
    assert abs(star.objective - P_cvx) <= 1e-8 * max(1.0, abs(P_cvx))
    rng = np.random.default_rng(5)
    blocks = ref_blocks(spec, P) or [(np.array([j]), 0.0) for j in range(P)]
    W_star = as2d(star.coef)
    for name, W in _points(W_star, rng, blocks):
        W_in = W[:, 0] if np.ndim(Y) == 1 else W
        cert = prob.certify(W_in)
        mine = ref_objective(X, Y, W, ref_intercept(X, Y, W, sw), spec, sw)
        assert abs(cert.objective - mine) <= 1e-11 * max(1.0, abs(mine)), name
        assert abs(prob.objective(W_in) - mine) <= 1e-11 * max(1.0, abs(mine)), name
        assert_close(np.ravel(cert.intercept), ref_intercept(X, Y, W, sw), 1e-10, name)
        b_any = np.random.default_rng(9).standard_normal(np.shape(cert.intercept))
        assert prob.objective(W_in, b_any) == pytest.approx(
            ref_objective(X, Y, W, b_any, spec, sw), rel=1e-11), name
        gap = prob.dual_gap(W_in)
        assert gap == cert.dual_gap
        assert np.isfinite(gap) and gap >= 0.0, (name, gap)
        assert gap >= mine - P_up - slack, (
            f"{name}: gap {gap!r} < P(W) - P* = {mine - P_up!r}: the certificate is invalid")
        if name == "optimum":
            assert gap <= 1e-10 * max(1.0, p0), gap
        if name == "optimum + 1e-06 noise":
            # Not vacuous: near the optimum the gap is small too.
            assert gap <= 1e-4 * max(1.0, p0), gap


@pytest.mark.parametrize("kind", ["multitask_lasso", "sparse_group", "group_enet"])
def test_status_is_never_a_false_optimal(kind):
    """Stopped early, a solve's reported gap still bounds its true suboptimality."""
    X, Y, spec, sw = kind_case(kind, weighted=True)
    prob = build(X, Y, spec, sw)
    P_star = min(solve(prob, tol=TIGHT).objective, cvx_solve(X, Y, spec, sw)[2])
    p0 = ref_p0(X, Y, sw)
    for max_iter in (1, 2, 3, 5):
        for tol in (1e-3, 1e-8):
            sol = quiet_solve(prob, tol=tol, max_iter=max_iter)
            true = ref_objective(X, Y, sol.coef, sol.intercept, spec, sw)
            assert sol.dual_gap >= true - P_star - 1e-12 * p0
            assert sol.rel_gap == pytest.approx(sol.dual_gap / p0, rel=1e-9)
            assert (sol.status == "optimal") == (sol.rel_gap <= tol)
            assert sol.converged == (sol.status == "optimal")
            if sol.status == "optimal":
                assert true - P_star <= tol * p0 + 1e-12 * p0


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("spec", [
    Spec(alpha=0.1, groups=[[0, 1, 2], list(range(3, 10)), list(range(10, 20)),
                            list(range(20, 28))]),
    Spec(alpha=0.1, groups=[[0, 1, 2], list(range(3, 10)), list(range(10, 20)),
                            list(range(20, 28))], gweights=[0.0, 1.0, 1.0, 1.0]),
    Spec(alpha=0.05, l1=0.02),
], ids=["group", "free-group", "sparse-multitask"])
def test_wide_problem(spec, fit_intercept):
    """p > n (not strongly convex), unpenalized features (28, 29 and a weight-0 group)."""
    rng = np.random.default_rng(11)
    n, p = 12, 30
    X = rng.standard_normal((n, p))
    Y = X[:, :3] @ rng.standard_normal((3, K)) + 0.1 * rng.standard_normal((n, K))
    prob = build(X, Y, spec, fit_intercept=fit_intercept)
    sol = solve(prob)
    W_ref, _, P_ref = cvx_solve(X, Y, spec, None, fit_intercept)
    scale = max(1.0, P_ref)
    assert abs(sol.objective - P_ref) <= 1e-8 * scale
    assert sol.objective - sol.dual_gap <= P_ref + 1e-12 * scale
    assert prob.dual_gap(W_ref) >= prob.objective(W_ref) - sol.objective - 1e-12 * scale
    P_up = min(P_ref, sol.objective)
    for _ in range(10):
        W = rng.standard_normal((p, K)) * (rng.random((p, 1)) < 0.3)
        assert prob.dual_gap(W) >= prob.objective(W) - P_up - 1e-12 * scale


def test_lassokit_cvxpy_backend_agrees():
    """lassokit's own "cvxpy" backend (where wired) reaches the certified optimum."""
    X, Y, spec, sw = kind_case("sparse_group_2d", weighted=True)
    prob = build(X, Y, spec, sw)
    try:
        viacvx = prob.solve("cvxpy", tol=1e-8)
    except NotImplementedError:
        pytest.skip("the cvxpy backend does not take matrix problems yet")
    ref = solve(prob, tol=TIGHT)
    assert viacvx.status == "optimal"
    assert abs(viacvx.objective - ref.objective) <= viacvx.dual_gap + ref.dual_gap + 1e-12
    # Other backends refuse, naming the problem kind (checked in test_other_backends_refuse).


def _epoch_cases():
    out = []
    for kind in KINDS:
        for frac in (0.99, None, 0.05):
            for fi in (True, False):
                out.append(pytest.param(kind, frac, fi, id=f"{kind}-{frac}-{fi}"))
    return out


@pytest.mark.parametrize("kind, frac, fit_intercept", _epoch_cases())
def test_tiny_problems_take_few_epochs(kind, frac, fit_intercept):
    """n=24, p=7, K<=3: certified to 1e-10 in well under 1000 epochs (a solver that
    spends its budget here has a stall, even if it ends 'optimal')."""
    spec, one_d, default = KINDS[kind]
    X, Y = make_data(0, one_d=one_d)
    spec = spec.at((default if frac is None else frac) * ref_alpha_max(X, Y, spec, None,
                                                                       fit_intercept))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sol = build(X, Y, spec, fit_intercept=fit_intercept).solve(tol=TOL, max_iter=1000)
    assert sol.status == "optimal" and sol.n_iter < 1000, (sol.status, sol.n_iter, sol.rel_gap)


def test_unconverged_solve_warns():
    X, Y, spec, _ = kind_case("multitask_lasso")
    with pytest.warns(lk.ConvergenceWarning):
        sol = build(X, Y, spec).solve(tol=1e-14, max_iter=1)
    assert sol.status in ("max_iter", "inaccurate")


# ---------------------------------------------------------------------------
# 3. An entry-wise penalty on a 2-D Y is K independent problems
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_entrywise_is_independent_columns(fit_intercept, weighted):
    X, Y = make_data(3)
    sw = sample_weights() if weighted else None
    a = 0.1
    prob = lk.Problem(X, Y, lk.L1(a), fit_intercept=fit_intercept, sample_weight=sw)
    assert prob.n_targets == K
    sol = solve(prob, tol=TIGHT)
    sigma = strong_convexity(X, Spec(group=False, l1=a), sw, fit_intercept)
    total = 0.0
    for k in range(K):
        one = solve(lk.lasso(X, Y[:, k], a, fit_intercept=fit_intercept, sample_weight=sw),
                    tol=TIGHT)
        total += one.objective
        bound = np.sqrt(2 * sol.dual_gap / sigma) + np.sqrt(2 * one.dual_gap / sigma)
        err = np.linalg.norm(sol.coef[:, k] - one.coef)
        assert err <= bound + 1e-9, (k, err, bound)
        assert_intercepts_match(sol.intercept[k], sol.coef[:, k], one.intercept, one.coef, X, sw,
                                fit_intercept)
    # The objective is the sum of the K objectives.
    assert abs(sol.objective - total) <= sol.dual_gap + 1e-10 * max(1.0, total) + K * TIGHT * \
        ref_p0(X, Y, sw, fit_intercept)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
def test_entrywise_matches_sklearn_per_column(l1_ratio):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import ElasticNet, Lasso

    X, Y = make_data(4)
    a = 0.12
    pen = lk.L1(a * l1_ratio) + lk.L2(a * (1 - l1_ratio)) if l1_ratio < 1 else lk.L1(a)
    sol = solve(lk.Problem(X, Y, pen), tol=TIGHT)
    spec = Spec(group=False, l1=a * l1_ratio, l2=a * (1 - l1_ratio))
    W_sk, b_sk = np.zeros((P, K)), np.zeros(K)
    for k in range(K):
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            if l1_ratio == 1.0:
                sk = Lasso(alpha=a, tol=1e-12, max_iter=10**6).fit(X, Y[:, k])
            else:
                sk = ElasticNet(alpha=a, l1_ratio=l1_ratio, tol=1e-12, max_iter=10**6).fit(
                    X, Y[:, k])
        W_sk[:, k], b_sk[k] = sk.coef_, sk.intercept_
    # sklearn's answer is feasible: never below lassokit's certified lower bound.
    P_sk = ref_objective(X, Y, W_sk, b_sk, spec)
    assert sol.objective - sol.dual_gap <= P_sk + 1e-12 * max(1.0, P_sk)
    assert abs(P_sk - sol.objective) <= 1e-10 * max(1.0, P_sk)
    assert_near_reference(sol, W_sk, P_sk, strong_convexity(X, spec), tol=1e-7)


def test_entrywise_feature_weights_zero_and_inf():
    """Weight 0 leaves a feature unpenalized, inf holds it at 0 (as for lk.L1)."""
    X, Y = make_data(6)
    v = np.array([1.0, 0.0, 1.0, np.inf, 2.0, 1.0, 1.0])
    spec = Spec(group=False, l1=0.15, l1w=v, l2=0.05)
    prob = build(X, Y, spec)
    sol = solve(prob)
    assert np.all(sol.coef[3] == 0)
    assert np.all(sol.coef[1] != 0)  # unpenalized: no reason to be 0
    W_ref, _, P_ref = cvx_solve(X, Y, spec)
    assert abs(sol.objective - P_ref) <= 1e-8 * max(1.0, P_ref)
    assert_near_reference(sol, W_ref, P_ref, strong_convexity(X, spec))
    # Same problem as the one without feature 3 (its weight dropped too).
    keep = [0, 1, 2, 4, 5, 6]
    sub = solve(build(X[:, keep], Y, replace(spec, l1w=v[keep])))
    assert abs(sub.objective - sol.objective) <= sub.dual_gap + sol.dual_gap + 1e-12
    # And each column is the one-target problem.
    for k in range(K):
        one = solve(lk.Problem(X, Y[:, k], spec.penalty()))
        assert_close(sol.coef[:, k], one.coef, 1e-5)


# ---------------------------------------------------------------------------
# 5. Equivalences: sparse = dense, weights = repeated rows, scikit-learn multi-task
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csc", "csr", "coo"])
@pytest.mark.parametrize("kind", ["multitask_lasso", "group_lasso", "sparse_group_2d",
                                  "group_enet", "entrywise"])
def test_sparse_equals_dense(kind, fmt):
    X, Y, spec, sw = kind_case(kind, storage="csc", weighted=True)
    Xd = X.toarray()
    Xs = sp.csc_matrix(Xd).asformat(fmt)
    a = solve(build(Xd, Y, spec, sw), tol=TIGHT)
    b = solve(build(Xs, Y, spec, sw), tol=TIGHT)
    assert_certified_pair(a, b, strong_convexity(Xd, spec, sw), ref_p0(Xd, Y, sw))
    assert_intercepts_match(a.intercept, a.coef, b.intercept, b.coef, Xd, sw)
    # The certificates agree at any point too.
    W = np.random.default_rng(0).standard_normal(np.shape(a.coef))
    pd, ps = build(Xd, Y, spec, sw), build(Xs, Y, spec, sw)
    assert ps.objective(W) == pytest.approx(pd.objective(W), rel=1e-12)
    assert ps.dual_gap(W) == pytest.approx(pd.dual_gap(W), rel=1e-9)
    # Predictions take either storage.
    assert_close(b.predict(Xs), a.predict(Xd), 1e-7, "predict")


@pytest.mark.parametrize("storage", ["dense", "csc"])
@pytest.mark.parametrize("kind", ["multitask_enet", "sparse_group", "group_enet",
                                  "entrywise"])
def test_integer_weights_equal_repeated_rows(kind, storage):
    X, Y, spec, _ = kind_case(kind)
    w = np.random.default_rng(2).integers(0, 4, N)
    w[:3] = [0, 3, 1]
    Xr, Yr = np.repeat(X, w, axis=0), np.repeat(Y, w, axis=0)
    conv = (lambda A: sp.csc_matrix(A)) if storage == "csc" else (lambda A: A)
    a = solve(build(conv(X), Y, spec, w), tol=TIGHT)
    b = solve(build(conv(Xr), Yr, spec), tol=TIGHT)
    assert_certified_pair(a, b, strong_convexity(X, spec, w), ref_p0(X, Y, w))
    assert_intercepts_match(a.intercept, a.coef, b.intercept, b.coef, X, w)
    # Float weights scaled by a constant are the same problem (weights are normalized).
    c = solve(build(conv(X), Y, spec, 7.5 * w), tol=TIGHT)
    assert_certified_pair(a, c, strong_convexity(X, spec, w), ref_p0(X, Y, w))


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.7])
def test_multitask_matches_sklearn(l1_ratio, fit_intercept):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import MultiTaskElasticNet, MultiTaskLasso

    X, Y = make_data(7)
    a = 0.2
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        if l1_ratio == 1.0:
            sk = MultiTaskLasso(alpha=a, tol=1e-12, max_iter=10**6,
                                fit_intercept=fit_intercept).fit(X, Y)
            pen = lk.GroupL2(a)
        else:
            sk = MultiTaskElasticNet(alpha=a, l1_ratio=l1_ratio, tol=1e-12, max_iter=10**6,
                                     fit_intercept=fit_intercept).fit(X, Y)
            pen = lk.GroupL2(a * l1_ratio) + lk.L2(a * (1 - l1_ratio))
    prob = lk.Problem(X, Y, pen, fit_intercept=fit_intercept)
    sol = solve(prob, tol=TIGHT)
    spec = Spec(alpha=a * l1_ratio, l2=a * (1 - l1_ratio))
    b_sk = np.broadcast_to(sk.intercept_, (K,))
    P_sk = ref_objective(X, Y, sk.coef_.T, b_sk, spec)
    assert sol.objective - sol.dual_gap <= P_sk + 1e-12
    assert abs(sol.objective - P_sk) <= 1e-10 * max(1.0, P_sk)
    sigma = strong_convexity(X, spec, None, fit_intercept)
    assert_near_reference(sol, sk.coef_.T, P_sk, sigma, tol=1e-7)
    assert_close(sol.intercept, ref_intercept(X, Y, sol.coef, None, fit_intercept), 1e-10,
                 "intercept")
    assert 0 < np.sum(np.any(sol.coef != 0, axis=1)) < P


# ---------------------------------------------------------------------------
# 7. alpha_max and paths
# ---------------------------------------------------------------------------

AMAX_KINDS = ["multitask_lasso", "multitask_enet", "group_lasso", "group_lasso_weights",
              "sparse_group", "sparse_group_2d", "group_enet", "entrywise"]


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("kind", AMAX_KINDS)
def test_alpha_max(kind, weighted):
    X, Y, spec, sw = kind_case(kind, weighted=weighted)
    prob = build(X, Y, spec, sw)
    ref = ref_alpha_max(X, Y, spec, sw)  # overall strength
    amax = prob.alpha_max()
    if spec.group:
        assert amax == pytest.approx(ref, rel=1e-10)
        at = spec.at(amax)
        below = spec.at(0.99 * amax)
    else:
        # Entry-wise: the L1 strength a1 at which W = 0 is optimal, L2 held fixed.
        assert amax == pytest.approx(ref * spec.l1 / spec.total, rel=1e-10)
        at = replace(spec, l1=amax)
        below = replace(spec, l1=0.99 * amax)
    pen_rows = ~free_features(spec, P)
    s_at = solve(prob.replace(penalty=at.penalty()))
    assert np.all(as2d(s_at.coef)[pen_rows] == 0), np.max(np.abs(s_at.coef))
    s_below = solve(prob.replace(penalty=below.penalty()))
    assert np.max(np.abs(as2d(s_below.coef)[pen_rows])) > 1e-6
    # Cross-check the two claims with the CVXPY reference.
    W_at, _, _ = cvx_solve(X, Y, at, sw)
    W_below, _, _ = cvx_solve(X, Y, below, sw)
    # (An interior point leaves ~1e-6 on a group that is exactly at its threshold.)
    assert np.max(np.abs(W_at[pen_rows])) <= 1e-5
    assert_close(as2d(s_at.coef), W_at, 1e-5)
    assert_close(as2d(s_below.coef), W_below, 1e-5)


def test_alpha_max_of_ridge_only_is_infinite():
    X, Y = make_data(0)
    assert lk.Problem(X, Y, lk.GroupL2(0.0) + lk.L2(1.0)).alpha_max() == np.inf


PATH_KINDS = ["multitask_lasso", "entrywise", "group_lasso", "sparse_group", "group_enet"]


@pytest.mark.parametrize("kind", PATH_KINDS)
def test_path(kind):
    X, Y, spec, sw = kind_case(kind, weighted=True)
    prob = build(X, Y, spec, sw)
    pa = lk.path(prob, n_alphas=6, eps=0.05, tol=TIGHT, max_iter=1000)
    one_d = np.ndim(Y) == 1
    top = ref_alpha_max(X, Y, spec, sw)
    assert pa.alphas.shape == (6,)
    assert pa.alphas[0] == pytest.approx(top, rel=1e-10)
    assert pa.alphas[-1] == pytest.approx(0.05 * top, rel=1e-10)
    assert np.all(np.diff(pa.alphas) < 0)
    assert pa.coefs.shape == ((P, 6) if one_d else (K, P, 6))
    assert np.shape(pa.intercepts) == ((6,) if one_d else (K, 6))
    assert np.all(pa.converged) and np.all(pa.rel_gaps <= TIGHT)
    pen_rows = ~free_features(spec, P)
    first = pa.coefs[..., 0] if one_d else pa.coefs[:, :, 0].T
    assert np.all(as2d(first)[pen_rows] == 0)
    p0 = ref_p0(X, Y, sw)
    slack = 1e-12 * max(1.0, p0)
    for k, a in enumerate(pa.alphas):
        Wk = pa.coefs[..., k] if one_d else pa.coefs[:, :, k].T
        np.testing.assert_array_equal(pa.coef_at(a), Wk)
        sk = spec.at(a)
        pk = prob.replace(penalty=sk.penalty())
        sep = solve(pk, tol=TIGHT)
        # Both points are certified: objectives within the sum of the gaps, and
        # coefficients within the strong-convexity bound.
        Pk = ref_objective(X, Y, Wk, ref_intercept(X, Y, Wk, sw), sk, sw)
        assert abs(sep.objective - Pk) <= sep.dual_gap + pa.dual_gaps[k] + slack
        sigma = strong_convexity(X, sk, sw)
        bound = np.sqrt(2 * sep.dual_gap / sigma) + np.sqrt(2 * pa.dual_gaps[k] / sigma)
        assert np.linalg.norm(as2d(Wk) - as2d(sep.coef)) <= bound + 1e-9
        # The reported gap is the gap of the path's point (same certificate).
        assert pa.dual_gaps[k] == pytest.approx(pk.dual_gap(Wk), rel=1e-6, abs=1e-15 * p0)
        assert pa.rel_gaps[k] == pytest.approx(pa.dual_gaps[k] / p0, rel=1e-9)
        # The path's intercept is the optimal one for its coef; predict uses both.
        b = ref_intercept(X, Y, Wk, sw)
        assert_close(np.ravel(pa.intercepts[..., k]), b, 1e-10, "intercept")
        assert_close(pa.predict(X, a), X @ Wk + (b[0] if one_d else b), 1e-10, "predict")
    # Off the grid: coef_at solves there.
    mid = float(np.sqrt(pa.alphas[2] * pa.alphas[3]))
    sep = solve(prob.replace(penalty=spec.at(mid).penalty()), tol=TIGHT)
    assert_close(pa.coef_at(mid), sep.coef, 1e-6)
    # Group norms along the path: one row per user group (per row of W without groups).
    blocks = ref_blocks(spec, P) or [([j], 0.0) for j in range(P)]
    gn = pa.group_norms()
    C = pa.coefs if not one_d else pa.coefs[None]
    want = np.array([[np.linalg.norm(C[:, idx, k]) for k in range(6)] for idx, _ in blocks])
    assert gn.shape == want.shape
    assert_close(gn, want, 1e-12, "group norms")


def test_path_explicit_alphas_and_plot():
    X, Y, spec, _ = kind_case("group_enet")
    prob = build(X, Y, spec)
    alphas = [0.01, 0.2, 0.05]
    pa = lk.path(prob, alphas=alphas, tol=1e-10, max_iter=1000)
    np.testing.assert_array_equal(pa.alphas, sorted(alphas, reverse=True))
    for k, a in enumerate(pa.alphas):
        sep = solve(prob.replace(penalty=spec.at(a).penalty()))
        assert_close(pa.coefs[:, :, k].T, sep.coef, 1e-6)
    plt = pytest.importorskip("matplotlib.pyplot")
    ax = pa.plot()
    assert len(ax.get_lines()) == len(ref_blocks(spec, P))
    plt.close("all")


# ---------------------------------------------------------------------------
# 8. Badly scaled data
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("kind", ["multitask_lasso", "group_lasso", "sparse_group_2d",
                                  "entrywise"])
def test_huge_column_means(kind, weighted):
    """Columns 1e9 + Z with Z of unit spread (exact in float64) with an intercept are
    the problem on Z with the intercept shifted by -1e9 * sum_j W_j."""
    X0, Y, spec, sw = kind_case(kind, weighted=weighted)
    Z = np.round((X0 - X0.mean(axis=0)) * 1024) / 1024
    X = Z + 1e9
    assert np.array_equal(X - 1e9, Z)
    a = solve(build(X, Y, spec, sw))
    b = solve(build(Z, Y, spec, sw), tol=TIGHT)
    W_ref, _, P_ref = cvx_solve(Z, Y, spec, sw)
    assert abs(a.objective - P_ref) <= 1e-8 * max(1.0, P_ref)
    assert a.objective - a.dual_gap <= P_ref + 1e-12 * max(1.0, P_ref)
    assert_near_reference(a, W_ref, P_ref, strong_convexity(Z, spec, sw))
    assert_certified_pair(a, b, strong_convexity(Z, spec, sw), ref_p0(Z, Y, sw))
    # b_X = b_Z - 1e9 * sum_j W_j (for the same W; the rest is rounding of 1e9 |W|).
    W = as2d(a.coef)
    s = normalized(sw, N)
    zbar = s @ Z / s.sum()
    want = np.ravel(b.intercept) - 1e9 * W.sum(axis=0) - zbar @ (W - as2d(b.coef))
    err = np.max(np.abs(np.ravel(a.intercept) - want))
    assert err <= 1e-5 * max(1.0, np.abs(W).sum()), err
    assert_close(a.predict(X), b.predict(Z), 1e-5, "predict")


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
    X, Y, spec, _ = kind_case(kind, fit_intercept=fit_intercept)
    ref = solve(build(X, Y, spec, fit_intercept=fit_intercept), tol=TIGHT)
    big = replace(spec, alpha=spec.alpha * scale, l1=spec.l1 * scale)
    prob = build(X, scale * Y, big, fit_intercept=fit_intercept)
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
    sigma = strong_convexity(X, spec, None, fit_intercept)
    p0 = ref_p0(X, Y, None, fit_intercept)
    bound = np.sqrt(2 * ref.dual_gap / sigma) + np.sqrt(2 * 1e-10 * p0 / sigma)
    err = np.linalg.norm(np.asarray(sol.coef, float) / scale - ref.coef)
    assert err <= bound + 1e-9, (err, bound)
    assert_intercepts_match(np.ravel(sol.intercept) / scale, np.asarray(sol.coef, float) / scale,
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
    X, Y = make_data(0, one_d=one_d)
    w = np.ones(N)
    w[5] = 1e6
    spec = spec.at(frac * ref_alpha_max(X, Y, spec, w, fit_intercept))
    prob = build(X, Y, spec, w, fit_intercept)
    sol = quiet_solve(prob, tol=TOL, max_iter=2000)
    W_ref, _, P_ref = cvx_solve(X, Y, spec, w, fit_intercept)
    scale = abs(P_ref)
    true = ref_objective(X, Y, sol.coef, sol.intercept, spec, w)
    assert true == pytest.approx(sol.objective, rel=1e-10)
    # The certificate is honest whatever the status.
    assert sol.objective - sol.dual_gap <= P_ref + 1e-12 * scale, "a false certificate"
    assert (sol.status == "optimal") == (sol.rel_gap <= TOL)
    if fit_intercept:
        assert sol.status == "optimal", (sol.status, sol.rel_gap)
    if sol.status == "optimal":
        assert abs(sol.objective - P_ref) <= 1e-7 * scale
        assert np.any(sol.coef != 0)
        assert_near_reference(sol, W_ref, P_ref, strong_convexity(X, spec, w, fit_intercept))


# ---------------------------------------------------------------------------
# 9. Validation and inputs
# ---------------------------------------------------------------------------


def test_problem_dispatch_and_shapes():
    X, Y = make_data(0)
    assert isinstance(lk.Problem(X, Y, lk.L1(0.1)), lk.Problem)
    assert type(lk.Problem(X, Y, lk.L1(0.1))).__name__ == "MatrixProblem"
    assert type(lk.Problem(X, Y[:, 0], lk.GroupL2(0.1))).__name__ == "MatrixProblem"
    assert type(lk.Problem(X, Y[:, 0], lk.L1(0.1))).__name__ != "MatrixProblem"
    prob = lk.Problem(X, Y, lk.GroupL2(0.1))
    assert (prob.n_samples, prob.n_features, prob.n_targets) == (N, P, K)
    sol = solve(prob)
    assert sol.predict(X).shape == (N, K)
    assert_close(sol.predict(X), X @ sol.coef + sol.intercept, 1e-12, "predict")
    one = solve(lk.Problem(X, Y[:, 0], lk.GroupL2(0.1, GROUPS)))
    assert one.predict(X).shape == (N,)
    assert_close(one.predict(X), X @ one.coef + one.intercept, 1e-12, "predict")


@pytest.mark.parametrize("backend", ["admm", "osqp", "direct", "gpu"])
@pytest.mark.parametrize("case", ["2d", "group1d"])
def test_other_backends_refuse(backend, case):
    X, Y = make_data(0)
    prob = (lk.Problem(X, Y, lk.L1(0.1)) if case == "2d"
            else lk.Problem(X, Y[:, 0], lk.GroupL2(0.1, GROUPS)))
    with pytest.raises(ValueError, match=r"coefficient matrix|group penalty|GroupL2"):
        prob.solve(backend)
    with pytest.raises(ValueError, match=r"coefficient matrix|group penalty|GroupL2"):
        lk.path(prob, n_alphas=3, backend=backend)


def test_positive_and_bounds_refused():
    X, Y = make_data(0)
    for y, pen in ((Y, lk.L1(0.1)), (Y[:, 0], lk.GroupL2(0.1))):
        with pytest.raises(ValueError, match="positive"):
            lk.Problem(X, y, pen, positive=True)
        with pytest.raises(ValueError, match="bounds"):
            lk.Problem(X, y, pen, bounds=(-1.0, 1.0))


def test_wrong_shapes_are_named():
    X, Y = make_data(0)
    prob = lk.Problem(X, Y, lk.GroupL2(0.1))
    for bad in (np.zeros(P), np.zeros((P, K + 1)), np.zeros((P + 1, K)), np.zeros((K, P))):
        with pytest.raises(ValueError, match="warm_start"):
            prob.solve(warm_start=bad)
        with pytest.raises(ValueError, match="coef"):
            prob.objective(bad)
        with pytest.raises(ValueError, match="coef"):
            prob.dual_gap(bad)
        with pytest.raises(ValueError, match="coef"):
            prob.certify(bad)
    with pytest.raises(ValueError, match="coef"):
        prob.objective(np.full((P, K), np.nan))
    no_b = lk.Problem(X, Y, lk.GroupL2(0.1), fit_intercept=False)
    with pytest.raises(ValueError, match="intercept"):
        no_b.objective(np.zeros((P, K)), np.ones(K))
    assert no_b.objective(np.zeros((P, K)), np.zeros(K)) == pytest.approx(
        0.5 * np.sum(Y**2) / N, rel=1e-14)
    one = lk.Problem(X, Y[:, 0], lk.GroupL2(0.1, GROUPS))
    with pytest.raises(ValueError, match="warm_start"):
        one.solve(warm_start=np.zeros(P + 1))
    with pytest.raises(ValueError, match="coef"):
        one.objective(np.zeros((P, 2)))
    with pytest.raises(ValueError):
        lk.Problem(X, Y[:-1], lk.GroupL2(0.1))
    Yn = Y.copy()
    Yn[0, 0] = np.nan
    with pytest.raises(ValueError):
        lk.Problem(X, Yn, lk.GroupL2(0.1))
    with pytest.raises(ValueError):
        lk.Problem(X, Y, lk.GroupL2(0.1), sample_weight=-np.ones(N))
    with pytest.raises(ValueError):
        lk.Problem(X, Y, lk.GroupL2(0.1), sample_weight=np.ones(N + 1))
    with pytest.raises(ValueError):
        lk.Problem(X, Y, lk.GroupL2(0.1), loss="logistic")
    with pytest.raises(ValueError):
        lk.Problem(X, Y, lk.GroupL2(0.1), offset=np.zeros((N, K + 1)))


def test_warm_start_reaches_the_same_optimum():
    X, Y, spec, sw = kind_case("sparse_group_2d", weighted=True)
    prob = build(X, Y, spec, sw)
    cold = solve(prob, tol=TIGHT)
    for W0 in (cold, cold.coef, np.ones((P, K)), np.zeros((P, K))):
        warm = solve(prob, tol=TIGHT, warm_start=W0)
        assert_certified_pair(cold, warm, strong_convexity(X, spec, sw), ref_p0(X, Y, sw))


def test_offset():
    X, Y, spec, _ = kind_case("multitask_enet")
    off = np.random.default_rng(3).standard_normal((N, K))
    a = solve(build(X, Y, spec, offset=off), tol=TIGHT)
    b = solve(build(X, Y - off, spec), tol=TIGHT)
    sigma = strong_convexity(X, spec)
    assert_certified_pair(a, b, sigma, ref_p0(X, Y - off))
    off1 = off[:, 0]
    c = solve(build(X, Y, spec, offset=off1), tol=TIGHT)
    d = solve(build(X, Y - off1[:, None], spec), tol=TIGHT)
    assert_certified_pair(c, d, sigma, ref_p0(X, Y - off1[:, None]))
    assert_close(c.predict(X, offset=off1), d.predict(X) + off1[:, None], 1e-10, "predict")


@pytest.mark.parametrize("storage", ["dense", "fortran", "csr", "csc"])
def test_inputs_never_modified(storage):
    X, Y, spec, sw = kind_case("sparse_group_2d", storage=storage, weighted=True)
    snap = {"Y": Y.copy(), "sw": sw.copy()}
    if sp.issparse(X):
        snap.update(data=X.data.copy(), indices=X.indices.copy(), indptr=X.indptr.copy())
    else:
        snap["X"] = X.copy()
    flags = (Y.flags.writeable, sw.flags.writeable)
    prob = build(X, Y, spec, sw)
    sol = solve(prob)
    prob.certify(sol.coef)
    prob.alpha_max()
    lk.path(prob, n_alphas=3, eps=0.1)
    sol.predict(X)
    np.testing.assert_array_equal(Y, snap["Y"])
    np.testing.assert_array_equal(sw, snap["sw"])
    if sp.issparse(X):
        for name in ("data", "indices", "indptr"):
            np.testing.assert_array_equal(getattr(X, name), snap[name])
        assert X.format == storage
    else:
        np.testing.assert_array_equal(X, snap["X"])
        assert X.flags.writeable
    assert (Y.flags.writeable, sw.flags.writeable) == flags


def test_target_written_after_building_is_seen():
    X, Y, spec, _ = kind_case("multitask_lasso")
    Y = Y.copy()
    prob = build(X, Y, spec)
    first = solve(prob, tol=TIGHT)
    Y2 = Y[::-1].copy() * 1.5
    Y[...] = Y2
    second = solve(prob, tol=TIGHT)
    fresh = solve(build(X, Y2, spec), tol=TIGHT)
    assert_certified_pair(second, fresh, strong_convexity(X, spec), ref_p0(X, Y2))
    assert not np.allclose(first.coef, second.coef)
    # The certificate reads the new target too.
    assert prob.objective(fresh.coef) == pytest.approx(fresh.objective, rel=1e-12)


# ---------------------------------------------------------------------------
# 10. Pickle and copy; replace
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["pickle", "copy", "deepcopy"])
@pytest.mark.parametrize("kind", ["multitask_enet", "sparse_group"])
def test_problem_round_trip(kind, how):
    X, Y, spec, sw = kind_case(kind, storage="csc", weighted=True)
    prob = build(X, Y, spec, sw)
    other = {"pickle": lambda o: pickle.loads(pickle.dumps(o)), "copy": copy.copy,
             "deepcopy": copy.deepcopy}[how](prob)
    assert type(other) is type(prob)
    assert other.penalty == prob.penalty
    assert (other.n_samples, other.n_features, other.n_targets) == \
        (prob.n_samples, prob.n_features, prob.n_targets)
    a, b = solve(prob), solve(other)
    np.testing.assert_array_equal(a.coef, b.coef)
    np.testing.assert_array_equal(a.intercept, b.intercept)
    assert a.objective == b.objective and a.dual_gap == b.dual_gap
    sol2 = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(sol2.coef, a.coef)
    assert sol2.objective == a.objective and sol2.status == a.status


def test_replace_penalty():
    X, Y, spec, sw = kind_case("group_enet", weighted=True)
    prob = build(X, Y, spec, sw)
    half = spec.scaled(0.5)
    r = prob.replace(penalty=half.penalty())
    assert r.penalty == half.penalty() and prob.penalty == spec.penalty()
    a = solve(r, tol=TIGHT)
    b = solve(build(X, Y, half, sw), tol=TIGHT)
    assert_certified_pair(a, b, strong_convexity(X, half, sw), ref_p0(X, Y, sw))
    # Replacing the target by a 1-D one with a group penalty keeps a matrix problem.
    one = prob.replace(y=Y[:, 0])
    assert one.n_targets == 1 and solve(one).coef.shape == (P,)
