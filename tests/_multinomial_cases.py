"""Independent references for the multinomial (softmax) loss,
``lk.Problem(X, labels, penalty, loss="multinomial")``; shared by
``tests/test_multinomial*.py``.

The objective under test is

    P(W, b) = 1/n sum_i s_i [logsumexp(z_i) - z_{i, y_i}] + Omega(W),   Z = X W + 1 b^T,

with ``s`` normalized to sum to ``n``, ``W`` of shape (p, K), and ``Omega``
an entry-wise L1/L2 term (optionally weighted per feature) or a group term
``a sum_g sqrt(|g|) ||W_g||_F`` (``groups=None``: each feature's row is a
group, weight 1).

Every expectation is obtained without lassokit's solvers:

* a CVXPY formulation written here (Clarabel, tight tolerances), which
  states the objective above literally (explicit intercept, uncentred X,
  weights normalized here);
* hand derivations: the objective by numpy, ``alpha_max`` from the
  gradient at ``W = 0`` with the intercept-only fit, the K = 2 reduction to
  binary logistic regression (strength maps derived in the test), the
  invariances (sparse/dense, integer weights/repeated rows, a shift of
  the columns absorbed by the intercept).

``W`` is only identified up to a constant added to a row (the loss does not
see it), so objectives and probabilities are compared, and coefficients
only where the penalty is strictly convex along that direction (L2, group
terms), where the optimal rows must sum to 0.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import logsumexp

import lassokit as lk

cp = pytest.importorskip("cvxpy")

#: lassokit's solve and the CVXPY reference agree on the objective to this,
#: relative to max(1, |P*|).
OBJ_RTOL = 1e-7
#: Class probabilities of two accurate solves agree to this (absolute).
PROBA_ATOL = 2e-5
#: Coefficients where they are unique (L2 / group penalties), relative to max(1, max|W|).
COEF_RTOL = 1e-5
#: Float64 rounding slack in ``gap >= P(W) - P*``.
SLACK = 1e-12
#: The relative duality gap asked of lassokit's tight solves.
TIGHT = 1e-11
#: The number of features of the standard problems.
P = 6


# ---------------------------------------------------------------------------
# Data and an independent reference
# ---------------------------------------------------------------------------

def make_data(n=60, p=6, K=3, seed=0, scale=1.0):
    """A softmax model with signal in some features; every class present."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * scale
    Wt = rng.standard_normal((p, K))
    Wt[p // 2:] = 0.0  # half the features carry no signal
    logits = X @ Wt / scale + rng.gumbel(size=(n, K))
    y = logits.argmax(axis=1)
    y[:K] = np.arange(K)  # every class appears
    return X, y


def sparsify(X, seed=1, density=0.5, fmt="csc"):
    """X with about ``1 - density`` of its entries set to 0, as a sparse matrix."""
    rng = np.random.default_rng(seed)
    Xd = np.where(rng.random(X.shape) < density, X, 0.0)
    return sp.csc_matrix(Xd) if fmt == "csc" else sp.csr_matrix(Xd)


def lk_penalty(spec):
    """The lassokit penalty of a spec ``{"l1": (a, v), "l2": (a, v), "group": (a, groups)}``."""
    pen = None
    if "group" in spec:
        a, groups = spec["group"]
        pen = lk.GroupL2(a, groups=groups)
    base = []
    if "l1" in spec:
        a, v = spec["l1"]
        base.append(lk.L1(a, weights=v))
    if "l2" in spec:
        a, v = spec["l2"]
        base.append(lk.L2(a, weights=v))
    for term in base:
        pen = term if pen is None else pen + term
    return pen


def penalty_value(spec, W):
    """``Omega(W)`` by hand (numpy)."""
    p = W.shape[0]
    out = 0.0
    if "l1" in spec:
        a, v = spec["l1"]
        v = np.ones(p) if v is None else np.asarray(v, float)
        out += a * float(v @ np.abs(W).sum(axis=1))
    if "l2" in spec:
        a, v = spec["l2"]
        v = np.ones(p) if v is None else np.asarray(v, float)
        out += 0.5 * a * float(v @ (W ** 2).sum(axis=1))
    if "group" in spec:
        a, groups = spec["group"]
        if groups is None:
            out += a * float(np.linalg.norm(W, axis=1).sum())
        else:
            out += a * sum(np.sqrt(len(g)) * np.linalg.norm(W[list(g)]) for g in groups)
    return out


def normalized(sw, n):
    return np.ones(n) if sw is None else np.asarray(sw, float) * n / np.sum(sw)


def objective_by_hand(X, y_idx, K, spec, W, b, sw=None):
    """``P(W, b)`` by numpy: the formula of the module docstring."""
    X = X.toarray() if sp.issparse(X) else np.asarray(X)
    n = X.shape[0]
    Z = X @ W + b
    loss = logsumexp(Z, axis=1) - Z[np.arange(n), y_idx]
    return float(normalized(sw, n) @ loss) / n + penalty_value(spec, W)


def cvx_reference(X, y_idx, K, spec, *, fit_intercept=True, sw=None):
    """``(P*, W*, b*)`` from a CVXPY statement of the objective, solved by Clarabel."""
    X = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=float)
    n, p = X.shape
    s = normalized(sw, n)
    E = np.eye(K)[y_idx]
    W = cp.Variable((p, K))
    Z = X @ W
    b = None
    if fit_intercept:
        b = cp.Variable(K)
        Z = Z + np.ones((n, 1)) @ cp.reshape(b, (1, K), order="C")
    terms = [(s @ cp.log_sum_exp(Z, axis=1) - cp.sum(cp.multiply(s[:, None] * E, Z))) / n]
    if "l1" in spec:
        a, v = spec["l1"]
        v = np.ones(p) if v is None else np.asarray(v, float)
        terms.append(a * cp.sum(cp.multiply(np.repeat(v[:, None], K, axis=1), cp.abs(W))))
    if "l2" in spec:
        a, v = spec["l2"]
        v = np.ones(p) if v is None else np.asarray(v, float)
        terms.append(0.5 * a * cp.sum_squares(cp.multiply(np.repeat(np.sqrt(v)[:, None], K,
                                                                     axis=1), W)))
    if "group" in spec:
        a, groups = spec["group"]
        if groups is None:
            terms.append(a * cp.sum(cp.norm(W, 2, axis=1)))
        else:
            terms.append(a * sum(np.sqrt(len(g)) * cp.norm(W[list(g), :], "fro")
                                 for g in groups))
    prob = cp.Problem(cp.Minimize(sum(terms)))
    prob.solve(solver=cp.CLARABEL, tol_gap_abs=1e-9, tol_gap_rel=1e-9, tol_feas=1e-9,
               tol_ktratio=1e-8, max_iter=500)
    assert prob.status == cp.OPTIMAL, prob.status
    Wv = np.asarray(W.value)
    bv = np.zeros(K) if b is None else np.asarray(b.value)
    return float(prob.value), Wv, bv


def tight_solve(prob, **kw):
    sol = prob.solve("cd", tol=kw.pop("tol", TIGHT), max_iter=kw.pop("max_iter", 10 ** 6), **kw)
    return sol


def rows_sum_zero_expected(spec):
    """Whether the penalty alone fixes each row's constant: L2 or group, no L1 part."""
    return ("l2" in spec or "group" in spec) and "l1" not in spec

