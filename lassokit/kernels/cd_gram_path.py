"""A whole regularization path in feature space, solved and certified in one call.

Cross-validation folds on ``n >> p`` data are known only through their
moments ``(G, b, c0)`` (see :mod:`lassokit.estimators._cv_folds`). On small
problems (diabetes: 10 features, 100 strengths, 5 folds) one strength costs a
few microseconds of coordinate descent, so a Python round trip per strength
would dominate. This kernel walks the grid with warm starts (Friedman et al.
2010), and certifies every point with the certificate's own formula: the
same :func:`~lassokit.kernels._common.dual_objective` that
:func:`lassokit.certificate.scaled_dual` calls, on ``u = b - G w`` and the
fit terms ``c0 - w^T b - w^T u`` (:class:`~lassokit.certificate.DualSums`).

References
----------
Friedman, Hastie & Tibshirani (2010), J. Stat. Softw. 33(1).
Bertrand & Massias (2021), AISTATS (Anderson extrapolation in ``inner_solve``).
"""

import numpy as np
from numba import njit

from ._common import HELPER, dual_objective
from .cd_gram import gram_gap, inner_solve


@njit(**HELPER)
def _certified_gap(G, b, c0, coef, lam, mu, box, u):
    # P(coef) - D(c r(coef)) from the Gram sums; u receives b - G coef.
    m = b.shape[0]
    wb = 0.0
    wu = 0.0
    pen = 0.0
    for j in range(m):
        acc = 0.0
        for k in range(m):
            acc += G[j, k] * coef[k]
        u[j] = b[j] - acc
        wb += coef[j] * b[j]
        wu += coef[j] * u[j]
        if coef[j] != 0.0:
            # sqrt(mu) w before squaring, as Penalty.value: no underflow.
            s = np.sqrt(mu[j]) * coef[j]
            pen += lam[j] * abs(coef[j]) + 0.5 * s * s
    nb = max(c0 - wb - wu, 0.0)
    primal = 0.5 * nb + pen
    dual, _ = dual_objective(c0 - wb, nb, u, lam, mu, box)
    if not np.isfinite(dual):
        dual = 0.0
    return primal, dual


@njit(cache=True, nogil=True)
def gram_path(G, b, c0, L, lam1, mu1, alphas, s1, s2, box, tol_abs, floor,
              max_epochs, K, check_every, round32, check_first, w, coefs, gaps, epochs):
    """Solve and certify ``alphas`` in order, warm-starting from ``w``.

    Paths, cross-validation folds and a path's single steps call it (one
    strength: ``alphas = [1]``, ``s1 = s2 = 1``). Each kernel that calls
    :func:`~lassokit.kernels.cd_gram.inner_solve` compiles that solver again
    into its own machine code (measured: ~1.7 s of the README demo's cold
    compile for a second one), so this is the only one; the working-set
    loop of a single solve calls ``inner_solve`` itself, from Python, which
    costs no second copy and spares a first single solve compiling this
    kernel (about half of its cold compile, measured).

    Parameters
    ----------
    G, b, c0, L : arrays and float
        The fold's Gram quantities (see :mod:`lassokit.kernels.cd_gram`).
    lam1, mu1 : ndarray of shape (p,)
        Per-feature strengths at unit alpha; point ``i`` uses
        ``lam1 * (alphas[i] * s1)`` and ``mu1 * (alphas[i] * s2)``.
    s1, s2 : float
        The L1 and L2 shares (``r`` and ``1 - r`` on a path).
    box : float64 ndarray (2, p)
        Lower and upper bounds of the coefficients (see ``lassokit._box``).
    tol_abs : float
        Absolute gap to certify (``tol * P(0, b0)``); the inner solver aims
        at half of it so that the rounded point still meets it.
    floor, max_epochs, K, check_every
        As :func:`lassokit.kernels.cd_gram.inner_solve`.
    round32 : bool
        Coefficients are rounded to float32 and certified as rounded; the
        unrounded point's dual value is also tried (it is feasible too).
    check_first : bool
        Skip a strength whose start already meets the target (no epoch,
        which could move a coordinate whose ``|u_j|`` exceeds ``lam_j`` by a
        rounding error). False for the working-set subproblems of a single
        solve, whose caller decides from the full problem's gap and needs
        every call to make progress.
    w : ndarray of shape (p,)
        Warm start, updated in place (left at the last point).
    coefs : ndarray of shape (p, n_alphas)
        Output: the (rounded) coefficients.
    gaps, epochs : ndarray of shape (n_alphas,)
        Output: certified duality gaps (``inf`` for a non-finite point) and
        epochs run.
    """
    p = b.shape[0]
    lam = np.empty(p)
    mu = np.empty(p)
    u = np.empty(p)
    coef = np.empty(p)
    for i in range(alphas.shape[0]):
        a = alphas[i]
        for j in range(p):
            lam[j] = lam1[j] * (a * s1)
            mu[j] = mu1[j] * (a * s2)
        # Already optimal (w = 0 at alpha_max): no epoch, which could move a
        # coordinate whose |u_j| exceeds lam_j by a rounding error.
        if check_first and gram_gap(G, b, c0, w, u, lam, mu, L, box) <= 0.5 * tol_abs:
            ep = 0
        else:
            ep, _ = inner_solve(G, b, c0, w, lam, mu, L, box, 0.5 * tol_abs, floor,
                                max_epochs, K, check_every)
        epochs[i] = ep
        finite = True
        for j in range(p):
            if not np.isfinite(w[j]):
                finite = False
            coef[j] = np.float32(w[j]) if round32 else w[j]
            coefs[j, i] = coef[j]
        if not finite:
            gaps[i] = np.inf
            w[:] = 0.0
            continue
        primal, dual = _certified_gap(G, b, c0, coef, lam, mu, box, u)
        # Fully unpenalized features cannot be rescaled into feasibility:
        # their KKT violation enters as the one-step decrease v^2 / (2 L),
        # as in ws_gap, so the gap never reports them optimal when they are
        # not (paths never come here with them; working-set solves can).
        extra = 0.0
        for j in range(p):
            if lam[j] == 0.0 and mu[j] == 0.0 and L[j] > 0.0:
                v = u[j]
                if (coef[j] <= box[0, j] and v < 0.0) or (coef[j] >= box[1, j] and v > 0.0):
                    v = 0.0
                extra += v * v / (2.0 * L[j])
        if round32:
            _, dual_w = _certified_gap(G, b, c0, w, lam, mu, box, u)
            dual = max(dual, dual_w)
        gaps[i] = max(primal - dual, 0.0) + extra
