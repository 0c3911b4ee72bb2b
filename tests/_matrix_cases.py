"""Independent references for matrix problems (2-D ``Y``) and group penalties.

Shared by ``tests/test_matrix_*.py`` and the group-penalty tests (``test_group_penalty.py``,
``test_group_singletons.py``, ``test_group_closed_form.py``, ``test_group_semantics.py``).

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

Problems are small (n=24, p=7, K=3) so that each file runs in seconds.
"""

from __future__ import annotations

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


def assert_certified_close(a, b, X, spec, sw=None, fit_intercept=True, Y=None):
    """:func:`assert_certified_pair` with ``sigma`` and ``P(0, b0)`` of the problem."""
    assert_certified_pair(a, b, strong_convexity(X, spec, sw, fit_intercept),
                          ref_p0(X, Y, sw, fit_intercept))


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

