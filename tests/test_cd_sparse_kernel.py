"""The sparse coordinate-descent kernel's Anderson step and inner solver, tested directly.

When ``K n`` is below the working set's non-zeros, the inner solver keeps the
residuals of the last ``K + 1`` iterates and forms the extrapolated point's
residual as the same affine combination (``sum(c) = 1``) instead of an axpy
per moved column. Both ways must give the same point, residual and decision,
including coordinates that positivity clips at zero and columns with offsets
(implicit centring).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from numba import njit

from lassokit.kernels import cd_sparse

K = 5


@njit(cache=False)
def _extrapolate(data, indices, indptr, cols, w, r_s, off, yc, sw, has_sw, xo, lam, mu,
                 box, W, R, offs, use_hist):
    # Test-only entry to the kernel's helper (it has no Python wrapper).
    Kb = W.shape[0] - 1
    M = np.empty((Kb, Kb))
    c = np.empty(Kb)
    w_acc = np.empty(w.shape[0])
    r_acc = np.empty(r_s.shape[0])
    return cd_sparse._try_extrapolation(data, indices, indptr, cols, w, r_s, off, yc, sw, has_sw,
                                        xo, lam, mu, box,
                                        bool(np.any(np.isfinite(box))), W, M, c, w_acc, r_acc,
                                        R, offs,
                                        use_hist)


def _design(seed, n=30, p=80, density=0.2):
    rng = np.random.default_rng(seed)
    X = sp.random(n, p, density=density, format="csc", random_state=rng,
                  data_rvs=rng.standard_normal)
    X.sort_indices()
    return X, rng


def _split_residual(X, yc, xo, w):
    # r = yc - (X - 1 xo^T) w, stored as r_s = yc - X w and off = xo^T w.
    return yc - X @ w, float(xo @ w)


def _box(kind, p):
    box = np.vstack([np.full(p, -np.inf), np.full(p, np.inf)])
    if kind == "positive":
        box[0] = 0.0
    elif kind == "finite":  # clips on both sides: the history residual must follow
        box[0], box[1] = -0.5, 1.5
    return box


@pytest.mark.parametrize("kind", ["none", "positive", "finite"])
@pytest.mark.parametrize("centred", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_residual_history_equals_axpy_extrapolation(kind, centred, weighted):
    X, rng = _design(0)
    n, p = X.shape
    y = rng.standard_normal(n)
    sw = rng.uniform(0.2, 3.0, n) if weighted else np.ones(1)
    if weighted:
        sw *= n / sw.sum()
    xo = rng.standard_normal(p) * 0.3 if centred else np.zeros(p)
    yc = y - y.mean()
    lam = np.full(p, 1e-3)
    mu = np.full(p, 0.1)
    # Iterates converging geometrically to a point with negative entries:
    # the extrapolation lands near it, and positivity clips those entries.
    target = rng.standard_normal(p)
    step = (np.abs(target) + 0.1) * 2.0 ** K
    W = np.array([target + step * 0.5 ** t for t in range(K + 1)])
    assert W.min() >= 0.0
    R = np.empty((K + 1, n))
    offs = np.empty(K + 1)
    for t in range(K + 1):
        R[t], offs[t] = _split_residual(X, yc, xo, W[t])
    cols = np.arange(p)
    out = {}
    for use_hist in (False, True):
        w, r_s = W[K].copy(), R[K].copy()
        ok, off = _extrapolate(X.data, X.indices, X.indptr, cols, w, r_s, offs[K], yc, sw,
                               weighted, xo, lam, mu, _box(kind, p), W, R, offs, use_hist)
        out[use_hist] = ok, off, w, r_s
    (ok0, off0, w0, r0), (ok1, off1, w1, r1) = out[False], out[True]
    assert ok0 and ok1  # the objective drops: both accept
    assert off1 == pytest.approx(off0, rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(w1, w0, rtol=0, atol=0)
    np.testing.assert_allclose(r1, r0, rtol=1e-11, atol=1e-11 * np.abs(r0).max())
    # ... and both are the residual of the returned point, recomputed from X.
    r_true, off_true = _split_residual(X, yc, xo, w1)
    np.testing.assert_allclose(r1 + off1, r_true + off_true, rtol=1e-11,
                               atol=1e-11 * np.abs(r_true).max())
    if kind == "positive":
        assert w1.min() == 0.0 and np.count_nonzero(w1 == 0.0) == np.count_nonzero(target < 0)
    if kind == "finite":
        assert w1.min() >= -0.5 and w1.max() <= 1.5 and np.any(w1 == 1.5)


@pytest.mark.parametrize("positive", [False, True])
def test_inner_solve_with_residual_history_returns_its_residual(positive):
    # K n = 150 is below the set's ~480 non-zeros: the history mode runs.
    X, rng = _design(1)
    n, p = X.shape
    assert K * n < X.nnz
    w_true = np.zeros(p)
    w_true[:5] = 2.0
    y = X @ w_true + 0.1 * rng.standard_normal(n)
    yc = y - y.mean()
    xo = np.asarray(X.mean(axis=0)).ravel()
    Xc = X.toarray() - xo
    L = (Xc ** 2).sum(axis=0) / n
    lam_max = np.abs(Xc.T @ yc).max() / n
    lam = np.full(p, lam_max / 20)
    mu = np.zeros(p)
    w = np.zeros(p)
    r = yc.copy()
    tol_in = 1e-10 * (yc @ yc) / (2 * n)
    epochs, gap = cd_sparse.inner_solve(X.data, X.indices, X.indptr, np.arange(p), w, r, yc,
                                        np.ones(1), False, xo, lam, mu, L,
                                        np.vstack([np.zeros(p) if positive else np.full(p, -np.inf),
                                                   np.full(p, np.inf)]), tol_in,
                                        1e-16, 100_000, K, K)
    assert 0 < epochs < 100_000 and gap <= tol_in
    np.testing.assert_allclose(r, yc - Xc @ w, rtol=1e-10, atol=1e-12 * np.abs(yc).max())
    # Optimality, by hand: |xc_j^T r / n| <= lam_j, with equality (and the
    # sign of w_j) on the support.
    u = Xc.T @ r / n
    scale = np.sqrt(2 * tol_in * L.max()) + 1e-12
    if positive:
        assert np.all(w >= 0) and np.all(u <= lam + scale)
    else:
        assert np.all(np.abs(u) <= lam + scale)
    supp = w != 0
    assert supp.any()
    np.testing.assert_allclose(u[supp], lam[supp] * np.sign(w[supp]), atol=scale)
