"""The block coordinate descent kernels (:mod:`lassokit.kernels.bcd`), tested directly.

* A pure-numpy epoch on an explicitly centred dense copy of X must match
  both kernels (coefficients, true residual) after 1 and 3 epochs, over
  ``K``/``Kh``, centring, group layouts, penalties, dtypes and working sets.
* Many epochs must reach the KKT conditions, checked by hand.
* Mutually orthogonal, isotropic group blocks have a closed-form minimizer
  (:func:`_closed_form`) that the kernels must reach.
* Lipschitz constants match ``np.linalg.eigvalsh`` on the explicit blocks.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest
import scipy.sparse as sp

from lassokit.kernels import bcd

# Never stop on the change: run exactly the epochs asked for.
NO_STOP = -1.0


def _groups(sizes, p, rng):
    # Groups of the given sizes over a random permutation of the features;
    # features left over belong to no group.
    perm = rng.permutation(p).astype(np.int64)
    gptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    assert gptr[-1] <= p
    return gptr, perm[: gptr[-1]].copy()


def _kp(k, Kh):
    return k if Kh > 1 else 0


def _weighted_means(Xd, H):
    return (Xd.T @ H) / H.sum(axis=0)


def _centred(Xd, xm, k, Kh, idx):
    return Xd[:, idx] - xm[idx, _kp(k, Kh)]


def _soft(v, thr):
    return np.sign(v) * np.maximum(np.abs(v) - thr, 0.0)


def _ref_lips(Xd, H, xm, gptr, gidx):
    n, Kh = H.shape
    G = gptr.shape[0] - 1
    out = np.zeros((G, Kh))
    for g in range(G):
        idx = gidx[gptr[g]:gptr[g + 1]]
        for kk in range(Kh):
            Xc = Xd[:, idx] - xm[idx, kk]
            M = Xc.T @ (H[:, kk, None] * Xc) / n
            out[g, kk] = max(np.linalg.eigvalsh(M)[-1], 0.0)
    return out


def _ref_epoch(Xd, R, W, H, xm, gptr, gidx, lips, galpha, lam, mu, ws):
    """One epoch of the block update, straight from its definition; returns the max change."""
    n, K = R.shape
    Kh = H.shape[1]
    change = 0.0
    for g in ws:
        idx = gidx[gptr[g]:gptr[g + 1]]
        Xc = [_centred(Xd, xm, k, Kh, idx) for k in range(K)]
        Gr = np.column_stack([Xc[k].T @ (H[:, _kp(k, Kh)] * R[:, k]) / n for k in range(K)])
        Wg = W[idx].copy()
        lmax = lips[g].max()
        Z = np.zeros_like(Wg)
        if galpha[g] > 0:
            if lmax > 0:
                t = 1.0 / lmax
                Z = _soft(Wg + t * Gr, t * lam[idx][:, None])
                nrm = np.linalg.norm(Z)
                scale = max(0.0, 1.0 - t * galpha[g] / nrm) if nrm > 0 else 0.0
                Z = scale * Z / (1.0 + t * mu[idx])[:, None]
        else:
            for k in range(K):
                L = lips[g, _kp(k, Kh)]
                if L > 0:
                    t = 1.0 / L
                    Z[:, k] = _soft(Wg[:, k] + t * Gr[:, k], t * lam[idx]) / (1.0 + t * mu[idx])
        delta = Z - Wg
        W[idx] = Z
        for k in range(K):
            R[:, k] -= Xc[k] @ delta[:, k]
        change = max(change, np.sqrt(lmax) * np.linalg.norm(delta))
    return change


def _true_residual(Xd, Yc, W, xm, Kh):
    return np.column_stack([Yc[:, k] - (Xd - xm[:, _kp(k, Kh)]) @ W[:, k]
                            for k in range(Yc.shape[1])])


def _problem(seed, *, K, Kh, centre, sizes, galpha_kind, pen, dtype=np.float64,
             n=40, p=None, density=0.35, zero_col=True):
    """A random problem, dense and CSC, with a consistent initial W and residual."""
    rng = np.random.default_rng(seed)
    p = int(np.sum(sizes)) + 2 if p is None else p
    Xs = sp.random(n, p, density=density, format="lil", random_state=rng,
                   data_rvs=lambda m: rng.standard_normal(m) + 1.5)
    gptr, gidx = _groups(sizes, p, rng)
    G = gptr.shape[0] - 1
    if zero_col:
        # A singleton group on an all-zero column: its Lipschitz constant is 0.
        assert gptr[G] - gptr[G - 1] == 1
        Xs[:, int(gidx[gptr[G - 1]])] = 0.0
    Xs = sp.csc_matrix(Xs, dtype=dtype)
    Xs.eliminate_zeros()
    Xs.sort_indices()
    Xd = Xs.toarray().astype(np.float64)  # the exact values the kernels read
    H = rng.uniform(0.3, 2.0, (n, Kh))
    xm = _weighted_means(Xd, H) if centre else np.zeros((p, Kh))
    Y = rng.standard_normal((n, K)) * 2.0
    Yc = Y.copy()
    if centre:  # H-centred, so that the sparse kernel's precondition holds
        for k in range(K):
            h = H[:, _kp(k, Kh)]
            Yc[:, k] -= h @ Y[:, k] / h.sum()
    W = rng.standard_normal((p, K)) * 0.3
    W[rng.random(p) < 0.3] = 0.0
    lam = np.zeros(p)
    mu = np.zeros(p)
    if pen == "pos":
        lam = rng.uniform(0.02, 0.2, p)
        for g in range(G):  # mu constant within each group (the prox needs it)
            mu[gidx[gptr[g]:gptr[g + 1]]] = rng.uniform(0.05, 0.5)
    galpha = {"zero": np.zeros(G), "pos": rng.uniform(0.05, 0.4, G),
              "mixed": np.where(np.arange(G) % 2 == 0, 0.0, rng.uniform(0.05, 0.4, G))}[galpha_kind]
    return {"Xs": Xs, "Xd": Xd, "X": np.asfortranarray(Xs.toarray()), "H": H, "xm": xm,
            "Yc": Yc, "W": W, "R": _true_residual(Xd, Yc, W, xm, Kh), "gptr": gptr,
            "gidx": gidx, "lam": lam, "mu": mu, "galpha": galpha, "hx": Xd.T @ H, "n": n,
            "p": p, "K": K, "Kh": Kh, "rng": rng}


def _run_dense(P, lips, ws, n_epochs, tol=NO_STOP):
    W, R = P["W"].copy(), P["R"].copy()
    out = bcd.bcd_dense(P["X"], R, W, P["H"], P["xm"], P["gptr"], P["gidx"], lips,
                        P["galpha"], P["lam"], P["mu"], ws, n_epochs, tol)
    return W, R, out


def _csc_arrays(Xs):
    # float32 data always comes with int64 indices here: both non-default
    # dtypes are covered by one extra compilation instead of three.
    idx = np.int64 if Xs.data.dtype == np.float32 else Xs.indices.dtype
    return Xs.data, Xs.indices.astype(idx), Xs.indptr.astype(idx)


def _run_sparse(P, lips, ws, n_epochs, tol=NO_STOP):
    data, indices, indptr = _csc_arrays(P["Xs"])
    # A non-trivial split of the true residual: R_true = R + roff.
    roff = P["rng"].standard_normal(P["K"])
    W, R = P["W"].copy(), P["R"] - roff
    out = bcd.bcd_sparse(data, indices, indptr, P["n"], R, roff, W, P["H"], P["xm"],
                         P["hx"], P["gptr"], P["gidx"], lips, P["galpha"], P["lam"], P["mu"],
                         ws, n_epochs, tol)
    return W, R + roff, out


def _assert_close(a, ref, rtol):
    scale = max(1.0, np.abs(ref).max())
    np.testing.assert_allclose(a, ref, rtol=0, atol=rtol * scale)


def _compare_with_reference(P, ws, rtol=1e-12, sparse=True):
    lips = _ref_lips(P["Xd"], P["H"], P["xm"], P["gptr"], P["gidx"])
    for n_epochs in (1, 3):
        W_ref, R_ref = P["W"].copy(), P["R"].copy()
        for _ in range(n_epochs):
            ch_ref = _ref_epoch(P["Xd"], R_ref, W_ref, P["H"], P["xm"], P["gptr"], P["gidx"],
                                lips, P["galpha"], P["lam"], P["mu"], ws)
        runs = [_run_dense(P, lips, ws, n_epochs)]
        if sparse:
            runs.append(_run_sparse(P, lips, ws, n_epochs))
        for W, R, (ep, ch) in runs:
            assert ep == n_epochs
            _assert_close(W, W_ref, rtol)
            _assert_close(R, R_ref, rtol)
            assert ch == pytest.approx(ch_ref, rel=1e-9, abs=1e-12)
    # The reference itself moved something (the comparison is not vacuous).
    assert not np.allclose(W_ref, P["W"])


SHAPES = [(1, 1), (3, 1), (3, 3)]  # (K, Kh)
LAYOUTS = {"singletons": [1] * 8, "unequal": [3, 1, 5, 1, 3, 1]}


@pytest.mark.parametrize("K,Kh", SHAPES)
@pytest.mark.parametrize("centre", [False, True])
@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("galpha_kind", ["zero", "pos", "mixed"])
@pytest.mark.parametrize("pen", ["zero", "pos"])
@pytest.mark.parametrize("ws_kind", ["all", "subset"])
def test_epochs_match_numpy_reference(K, Kh, centre, layout, galpha_kind, pen, ws_kind):
    seed = zlib.crc32(repr((K, Kh, centre, layout, galpha_kind, pen, ws_kind)).encode())
    P = _problem(seed, K=K, Kh=Kh, centre=centre, sizes=LAYOUTS[layout],
                 galpha_kind=galpha_kind, pen=pen)
    G = P["gptr"].shape[0] - 1
    if ws_kind == "all":
        ws = np.arange(G, dtype=np.int64)
    else:
        # A scrambled subset that keeps the zero column's group (the last).
        ws = P["rng"].permutation(np.r_[P["rng"].choice(G - 1, G // 2, replace=False), G - 1])
        ws = ws.astype(np.int64)
    _compare_with_reference(P, ws)


@pytest.mark.parametrize("K,Kh", SHAPES)
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_dense_with_arbitrary_centres_and_uncentred_residual(K, Kh, layout):
    # With an H-centred residual the centre drops out of the gradient; the
    # dense kernel needs no such precondition, so check the centring itself.
    P = _problem(17 + K + Kh, K=K, Kh=Kh, centre=False, sizes=LAYOUTS[layout],
                 galpha_kind="mixed", pen="pos")
    P["xm"] = P["rng"].uniform(-2.0, 2.0, P["xm"].shape)
    P["xm"][P["gidx"][-1]] = 0.0  # keep the zero column's constant at 0
    P["Yc"] = P["Yc"] + 1.0
    P["R"] = _true_residual(P["Xd"], P["Yc"], P["W"], P["xm"], Kh)
    assert np.abs(P["H"].T @ P["R"]).min() > 1e-3
    _compare_with_reference(P, np.arange(P["gptr"].shape[0] - 1, dtype=np.int64),
                            sparse=False)


@pytest.mark.parametrize("K,Kh", SHAPES)
@pytest.mark.parametrize("centre", [False, True])
def test_float32_X_and_int64_indices(K, Kh, centre):
    P = _problem(7 + K + Kh, K=K, Kh=Kh, centre=centre, sizes=[3, 1, 5, 1, 1],
                 galpha_kind="mixed", pen="pos", dtype=np.float32)
    assert P["X"].dtype == np.float32 and P["Xs"].data.dtype == np.float32
    ws = np.arange(5, dtype=np.int64)
    assert _csc_arrays(P["Xs"])[1].dtype == np.int64
    _compare_with_reference(P, ws)


def test_zero_column_is_zeroed_and_residual_follows():
    P = _problem(3, K=3, Kh=1, centre=True, sizes=[1, 1, 1], galpha_kind="zero", pen="zero",
                 p=3)
    j0 = P["gidx"][2]
    P["W"][j0] = [1.0, -2.0, 0.5]
    P["R"] = _true_residual(P["Xd"], P["Yc"], P["W"], P["xm"], 1)
    lips = _ref_lips(P["Xd"], P["H"], P["xm"], P["gptr"], P["gidx"])
    assert lips[2, 0] == 0.0
    ws = np.array([2], dtype=np.int64)
    for W, R, (ep, ch) in (_run_dense(P, lips, ws, 5, 0.0), _run_sparse(P, lips, ws, 5, 0.0)):
        assert np.all(W[j0] == 0.0) and np.all(np.isfinite(R))
        assert ep == 1 and ch == 0.0  # a zero constant makes the change 0
        _assert_close(R, _true_residual(P["Xd"], P["Yc"], W, P["xm"], 1), 1e-13)


def test_stopping_rule_and_no_epochs():
    P = _problem(5, K=2, Kh=1, centre=False, sizes=[2, 1, 3, 1], galpha_kind="pos", pen="pos")
    lips = _ref_lips(P["Xd"], P["H"], P["xm"], P["gptr"], P["gidx"])
    ws = np.arange(4, dtype=np.int64)
    W, _, (ep, ch) = _run_dense(P, lips, ws, 0)
    assert ep == 0 and ch == np.inf
    np.testing.assert_array_equal(W, P["W"])
    _, _, (ep, ch) = _run_dense(P, lips, ws, 50, tol=1e30)
    assert ep == 1 and 0.0 < ch <= 1e30
    # Stops at the first epoch at or below tol, and reports that epoch's change.
    _, _, (ep_all, _) = _run_dense(P, lips, ws, 10_000, tol=1e-9)
    _, _, (ep_s, ch_s) = _run_sparse(P, lips, ws, 10_000, tol=1e-9)
    assert 1 < ep_all < 10_000 and ch_s <= 1e-9
    assert abs(ep_s - ep_all) <= 1
    _, _, (_, ch_before) = _run_dense(P, lips, ws, ep_all - 1)
    assert ch_before > 1e-9


@pytest.mark.parametrize("Kh", [1, 3])
@pytest.mark.parametrize("centre", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_lipschitz_matches_eigvalsh(Kh, centre, dtype):
    P = _problem(11 + Kh, K=3, Kh=Kh, centre=centre, sizes=[3, 1, 5, 2, 1], galpha_kind="zero",
                 pen="zero", dtype=dtype, n=50)
    Xs = P["Xs"]
    # A fully dense column and an empty one inside groups: both storage paths.
    g0 = P["gidx"][:3]
    Xs = Xs.tolil()
    Xs[:, int(g0[0])] = np.linspace(1.0, 3.0, P["n"])[:, None]
    Xs[:, int(g0[1])] = 0.0
    Xs = sp.csc_matrix(Xs, dtype=dtype)
    Xs.eliminate_zeros()
    Xs.sort_indices()
    Xd = Xs.toarray().astype(np.float64)
    xm = _weighted_means(Xd, P["H"]) if centre else np.zeros((P["p"], Kh))
    ref = _ref_lips(Xd, P["H"], xm, P["gptr"], P["gidx"])
    dense = bcd.block_lipschitz_dense(np.asfortranarray(Xs.toarray()), P["H"], xm, P["gptr"],
                                      P["gidx"])
    sparse = bcd.block_lipschitz_sparse(*_csc_arrays(Xs), P["n"], P["H"], xm,
                                        P["gptr"], P["gidx"])
    assert dense.shape == sparse.shape == (5, Kh)
    for got in (dense, sparse):
        assert np.all(got >= 0.0)
        np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-14 * ref.max())
    assert np.all(dense[-1] == 0.0) and np.all(sparse[-1] == 0.0)


def test_sparse_lipschitz_constant_column_cannot_go_negative():
    # A column of equal values, centred by its own value: every centred entry is 0,
    # and the weight of the rows it misses is a cancelling difference.
    n = 37
    rng = np.random.default_rng(2)
    H = rng.uniform(0.1, 1.0, (n, 1))
    col = np.full(n, 1e8)
    col[::5] = 0.0  # missing rows make h_0 = sum(H) - sum_nz(H)
    X = sp.csc_matrix(col[:, None])
    xm = np.array([[1e8]])
    gptr = np.array([0, 1], dtype=np.int64)
    gidx = np.array([0], dtype=np.int64)
    L = bcd.block_lipschitz_sparse(X.data, X.indices, X.indptr, n, H, xm, gptr, gidx)
    ref = _ref_lips(col[:, None], H, xm, gptr, gidx)
    assert L[0, 0] >= 0.0
    np.testing.assert_allclose(L, ref, rtol=1e-12)


def _kkt_violation(Xd, Yc, W, H, xm, gptr, gidx, galpha, lam, mu):
    """Largest violation of the subgradient conditions, from a residual recomputed here."""
    n, K = Yc.shape
    Kh = H.shape[1]
    R = _true_residual(Xd, Yc, W, xm, Kh)
    worst = 0.0
    for g in range(gptr.shape[0] - 1):
        idx = gidx[gptr[g]:gptr[g + 1]]
        Gr = np.column_stack([_centred(Xd, xm, k, Kh, idx).T @ (H[:, _kp(k, Kh)] * R[:, k]) / n
                              for k in range(K)])
        Wg = W[idx]
        lg = lam[idx][:, None]
        if np.any(Wg != 0):
            nz = Wg != 0
            group = galpha[g] * Wg / np.linalg.norm(Wg)
            lhs = Gr - lg * np.sign(Wg) - mu[idx][:, None] * Wg
            worst = max(worst, np.abs(lhs - group)[nz].max())
            # Zero entries of a non-zero group: only the L1 subgradient can absorb them.
            if np.any(~nz):
                worst = max(worst, (np.abs(Gr) - lg)[~nz].max())
        else:
            worst = max(worst, np.linalg.norm(_soft(Gr, lg)) - galpha[g])
    return worst


@pytest.mark.parametrize("K,Kh", SHAPES)
def test_many_epochs_reach_kkt_point(K, Kh):
    P = _problem(21 + K + Kh, K=K, Kh=Kh, centre=True, sizes=[1, 3, 5, 1, 2, 2, 1],
                 galpha_kind="mixed", pen="pos", n=60, zero_col=True)
    # Strengths around the group norms' critical values: some groups end at 0.
    lips = bcd.block_lipschitz_dense(P["X"], P["H"], P["xm"], P["gptr"], P["gidx"])
    P["W"][:] = 0.0
    P["R"] = P["Yc"].copy()
    G = P["gptr"].shape[0] - 1
    ws = np.arange(G, dtype=np.int64)
    P["lam"] *= 0.3
    Xd, H, xm, Kh_ = P["Xd"], P["H"], P["xm"], P["Kh"]
    for g in range(G):
        idx = P["gidx"][P["gptr"][g]:P["gptr"][g + 1]]
        G0 = np.column_stack([_centred(Xd, xm, k, Kh_, idx).T @ (H[:, _kp(k, Kh_)] * P["Yc"][:, k])
                              for k in range(K)]) / P["n"]
        crit = np.linalg.norm(_soft(G0, P["lam"][idx][:, None]))
        # Two groups are separable (no group norm); the others straddle crit.
        P["galpha"][g] = 0.0 if g in (0, 3) else crit * (0.4 if g % 3 else 1.3)
    results = [_run_dense(P, lips, ws, 20_000, tol=1e-12), _run_sparse(P, lips, ws, 20_000,
                                                                       tol=1e-12)]
    for W, R, (ep, ch) in results:
        assert ep < 20_000 and ch <= 1e-12
        _assert_close(R, _true_residual(Xd, P["Yc"], W, xm, Kh), 1e-11)
        viol = _kkt_violation(Xd, P["Yc"], W, H, xm, P["gptr"], P["gidx"], P["galpha"],
                              P["lam"], P["mu"])
        assert viol <= 1e-8
    W = results[0][0]
    zero_groups = [np.all(W[P["gidx"][P["gptr"][g]:P["gptr"][g + 1]]] == 0) for g in range(G)]
    assert any(zero_groups) and not all(zero_groups)
    _assert_close(results[1][0], W, 1e-9)


def _closed_form(B, c, galpha, lam, mu):
    """Minimizer of ``c/2 ||W||^2 - <B, W> + galpha ||W||_F + lam |W|_1 + mu/2 ||W||^2``.

    With ``Xt_g^T diag(h) Xt_g / n = c_g I`` and the blocks orthogonal to each
    other, the data term splits by group into ``c_g/2 ||W_g||^2 - <B_g, W_g>``
    plus a constant, ``B_g = Xt_g^T diag(h) Yc / n``. Completing the square,
    the group's objective is ``(c + mu)/2 ||W - B/(c + mu)||^2 + galpha ||W||
    + lam |W|_1``: the prox with step ``1/(c + mu)`` at ``B/(c + mu)``, i.e.
    ``S = ST(B, lam)`` then ``S max(0, 1 - galpha/||S||) / (c + mu)``.
    With ``c + mu = 0`` the block does not enter the objective at all and 0
    is a minimizer (the kernels' choice).
    """
    if c + mu == 0.0:
        return np.zeros_like(B)
    S = _soft(B, lam[:, None])
    nrm = np.linalg.norm(S)
    scale = max(0.0, 1.0 - galpha / nrm) if nrm > 0 else 0.0
    return S * scale / (c + mu)


SIZES_ORTHO = [1, 3, 2, 1, 4, 1]


def _ortho_optimum(rng, B, cg, gptr, gidx):
    """Random penalties for an orthogonal design, and the optimum block by block (closed
    form) for ``B = X^T H Yc / n`` and block constants ``cg``."""
    G, (p, K) = len(cg), B.shape
    galpha = np.where(np.arange(G) % 2 == 0, 0.0, rng.uniform(0.1, 0.6, G))
    lam = rng.uniform(0.0, 0.3, p)
    mu = np.zeros(p)
    for g in range(G):
        mu[gidx[gptr[g]:gptr[g + 1]]] = rng.uniform(0.0, 0.5)
    W_star = np.zeros((p, K))
    for g in range(G):
        idx = gidx[gptr[g]:gptr[g + 1]]
        W_star[idx] = _closed_form(B[idx], cg[g], galpha[g], lam[idx], mu[idx[0]])
    assert np.count_nonzero(W_star) and np.count_nonzero(W_star == 0)
    return galpha, lam, mu, W_star


@pytest.mark.parametrize("Kh", [1, 3])
def test_orthogonal_design_closed_form_dense_centred(Kh):
    rng = np.random.default_rng(31)
    n, K = 50, 3
    p = sum(SIZES_ORTHO)
    G = len(SIZES_ORTHO)
    gptr, gidx = _groups(SIZES_ORTHO, p, rng)
    h = rng.uniform(0.3, 2.0, n)
    # Columns orthonormal in the h-inner product and h-orthogonal to 1: a QR of
    # [sqrt(h), A] in the sqrt(h)-scaled space.
    Q, _ = np.linalg.qr(np.column_stack([np.sqrt(h), rng.standard_normal((n, p))]))
    cg = rng.uniform(0.5, 3.0, G)
    cg[-1] = 0.0  # the last group (a singleton) is a zero column after centring
    c = np.empty(p)
    for g in range(G):
        c[gidx[gptr[g]:gptr[g + 1]]] = cg[g]
    X0 = Q[:, 1:] / np.sqrt(h)[:, None] * np.sqrt(n * c)
    shift = rng.uniform(-5.0, 5.0, p)
    X = np.asfortranarray(X0 + shift)  # centring must remove the shift
    H = np.repeat(h[:, None], Kh, axis=1)  # Kh = K: same weights, the other code path
    xm = _weighted_means(X, H)
    # The zero column's centre, exactly: a weighted mean rounded by one ulp
    # leaves a column of ~1e-16 values whose tiny Lipschitz constant would turn
    # noise into a step (the kernels trust lips; a caller zeroes it).
    xm[gidx[gptr[-2]]] = shift[gidx[gptr[-2]]]
    Y = rng.standard_normal((n, K)) * 3.0
    Yc = Y - (h @ Y) / h.sum()
    B = X0.T @ (h[:, None] * Yc) / n
    galpha, lam, mu, W_star = _ortho_optimum(rng, B, cg, gptr, gidx)
    lips = bcd.block_lipschitz_dense(X, H, xm, gptr, gidx)
    np.testing.assert_allclose(lips, np.repeat(cg[:, None], Kh, axis=1), rtol=1e-10,
                               atol=1e-12)
    W = rng.standard_normal((p, K))
    R = _true_residual(X, Yc, W, xm, Kh)
    ws = rng.permutation(G).astype(np.int64)
    ep, ch = bcd.bcd_dense(X, R, W, H, xm, gptr, gidx, lips, galpha, lam, mu, ws, 100, 1e-10)
    # Orthogonal isotropic blocks: each block step is the block's exact minimizer,
    # independently of the others, so the second epoch only confirms the first.
    assert ep == 2 and ch <= 1e-10
    _assert_close(W, W_star, 1e-10)
    _assert_close(R, _true_residual(X, Yc, W_star, xm, Kh), 1e-10)


@pytest.mark.parametrize("K,Kh", SHAPES)
def test_orthogonal_design_closed_form_sparse(K, Kh):
    # Columns on disjoint rows are orthogonal under any weights (no centring).
    rng = np.random.default_rng(41)
    n = 60
    p = sum(SIZES_ORTHO)
    G = len(SIZES_ORTHO)
    gptr, gidx = _groups(SIZES_ORTHO, p, rng)
    owner = rng.integers(-1, p, n)  # row i is non-zero in column owner[i] only (-1: none)
    owner[:p] = np.arange(p)  # every column has a non-zero
    H = rng.uniform(0.3, 2.0, (n, 1))
    H = np.repeat(H, Kh, axis=1)
    cg = rng.uniform(0.5, 3.0, G)
    Xd = np.zeros((n, p))
    for g in range(G):
        for j in gidx[gptr[g]:gptr[g + 1]]:
            rows = owner == j
            v = rng.standard_normal(rows.sum()) + 2.0
            Xd[rows, j] = v * np.sqrt(cg[g] * n / (H[rows, 0] @ v ** 2))
    Xs = sp.csc_matrix(Xd)
    xm = np.zeros((p, Kh))
    Yc = rng.standard_normal((n, K)) * 3.0
    B = Xd.T @ (H[:, :1] * Yc) / n
    galpha, lam, mu, W_star = _ortho_optimum(rng, B, cg, gptr, gidx)
    lips = bcd.block_lipschitz_sparse(Xs.data, Xs.indices, Xs.indptr, n, H, xm, gptr, gidx)
    np.testing.assert_allclose(lips, np.repeat(cg[:, None], Kh, axis=1), rtol=1e-12)
    W = np.zeros((p, K))
    R = Yc.copy()
    roff = np.zeros(K)
    ws = rng.permutation(G).astype(np.int64)
    ep, ch = bcd.bcd_sparse(Xs.data, Xs.indices, Xs.indptr, n, R, roff, W, H, xm, Xd.T @ H,
                            gptr, gidx, lips, galpha, lam, mu, ws, 100, 1e-10)
    assert ep == 2 and ch <= 1e-10
    _assert_close(W, W_star, 1e-11)
    _assert_close(R + roff, Yc - Xd @ W_star, 1e-11)
