"""Numba helpers shared by every coordinate-descent storage.

Notation (see ``lassokit/certificate.py``): the data fit is
``1/(2n) ||S^(1/2) r||^2`` with ``r = yc - Xc w``; ``u_j = xc_j^T S q / n``
is the correlation of feature ``j`` with a dual candidate ``q`` in residual
space; ``lam``/``mu`` are the per-feature L1/L2 strengths and ``L_j =
||xc_j||_S^2 / n`` the coordinate-wise Lipschitz constant.

References
----------
Friedman, Hastie & Tibshirani (2010), "Regularization paths for generalized
linear models via coordinate descent", J. Stat. Softw. 33(1).
Bertrand & Massias (2021), "Anderson acceleration of coordinate descent",
AISTATS.
"""

import numpy as np
from numba import njit, types

from ._box_scale import best_scale_box

# Reassociation lets LLVM vectorize the dense dot products; no 'nnan'/'ninf',
# so infinities keep their IEEE meaning in comparisons. Sparse gathers gain
# nothing from vectors (measured: slower), so sparse kernels only contract.
FASTMATH = {"reassoc", "contract", "nsz"}
FASTMATH_SPARSE = {"contract"}

# Options of kernels that only other kernels call. Without a Python entry
# point numba neither generates nor optimizes a wrapper that every caller
# would link in again: ~17% of the cold compile of an inner solver (measured).
# Such a kernel cannot be called from Python.
HELPER = {"cache": True, "no_cpython_wrapper": True, "no_cfunc_wrapper": True}

# Glue helpers (gap checks, the Anderson step) are inlined in numba's IR
# (``inline="always"``) into the one kernel that calls them: a helper that is
# its own function is compiled to machine code once for itself and again,
# linked, in every kernel above it. With the Gram solver called directly for
# single solves, that cut a first dense fit's cold compile by about a fifth
# (measured). Inlined IR takes the *caller's* fastmath flags, so only helpers
# whose arithmetic is unchanged by them are inlined: numeric loops (dot
# products, epochs) and helpers called from a kernel with other flags (the
# sparse kernels) stay functions of their own.

# One compiled version of the certificate's dual for every caller: arrays of
# any layout and writability convert to these read-only 'A' arrays, so the
# certificate (read-only penalty arrays), the solvers (fresh copies) and the
# kernels (work buffers) share it instead of compiling one each (~1.5 s).
_VEC = types.Array(types.float64, 1, "A", readonly=True)
_BOX = types.Array(types.float64, 2, "A", readonly=True)
_DUAL_SIGNATURE = types.UniTuple(types.float64, 2)(
    types.float64, types.float64, _VEC, _VEC, _VEC, _BOX)


#: A path strength on sparse X starts from the secant prediction
#: (:func:`secant_start`) only after one that took at least this many epochs:
#: the prediction costs a pass over X for its residual and correlations,
#: which only slow strengths repay (on dense X it cost epochs: not used).
PREDICT_AFTER = 50


@njit(cache=True, nogil=True)
def secant_step(s0, s1, s2):
    """The secant step ``t`` from strengths ``s0 > s1`` to ``s2``, or 0 if none applies.

    ``t`` is the ratio of the log-steps, ``log(s1/s2) / log(s0/s1)``, taken
    only on a decreasing grid and when at most 2 (a longer extrapolation is
    not trusted).
    """
    if not (s0 > s1 > s2 > 0.0):
        return 0.0
    t = np.log(s1 / s2) / np.log(s0 / s1)
    return t if 0.0 < t <= 2.0 else 0.0


@njit(cache=True, nogil=True)
def secant_start(w1, w0, t, box, out):
    """``out = w1 + t (w1 - w0)``: the next point of a path, predicted.

    Between knots the Lasso/Elastic Net solution moves smoothly in
    ``log(alpha)``; the first-order (secant) predictor of path-following
    methods starts the next strength closer to its optimum than ``w1``. A
    coordinate that the line would carry across zero, or that is zero in
    ``w1``, starts at zero: the predicted support is the current one.
    ``out`` may be ``w1`` itself.
    """
    for j in range(w1.shape[0]):
        a = w1[j]
        v = a + t * (a - w0[j])
        if (a > 0.0 and v <= 0.0) or (a < 0.0 and v >= 0.0) or a == 0.0:
            v = 0.0
        out[j] = min(max(v, box[0, j]), box[1, j])


@njit(**HELPER)
def copy_into(src, dst):
    """``dst[i] = src[i]`` for every ``i`` (1-D arrays of one length).

    Kernels copy with this loop, never with ``dst[:] = src``: numba's slice
    assignment from an array compiles a shape-mismatch message built with
    string formatting, measured at 4-5 s of cold compile per kernel that
    uses it (numba 0.60+), against milliseconds for the loop.
    """
    for i in range(src.shape[0]):
        dst[i] = src[i]


@njit(**HELPER)
def next_check(prev, gap, tol_in, since, check_every):
    """Epochs from this gap check to the next one of an inner solve.

    A check costs about one epoch over the set: as much as the epochs
    between checks when convergence is slow (hundreds of epochs per
    strength near the end of a p >> n path). The linear rate observed since
    the last check (``prev`` -> ``gap`` in ``since`` epochs) predicts the
    epochs still needed to reach ``tol_in``; the next check comes after half
    of them, in whole periods of ``check_every``, at most 8 periods later,
    so that a steady rate is never overshot.
    """
    if not (prev < np.inf and 0.0 < gap < prev and tol_in > 0.0):
        return check_every
    need = np.log(tol_in / gap) / np.log(gap / prev) * since
    periods = min(max(int(0.5 * need / check_every), 1), 8)
    return periods * check_every


#: Inner solvers sweep the whole working set every gap-check period (of
#: ``check_every`` epochs) and only its non-zeros in the epochs between;
#: past ``FULL_AFTER`` epochs, when a slow solve's support has settled, the
#: whole set only every ``FULL_PERIODS`` periods. At the end of a p >> n
#: sparse path, where a third of the set is zeros that stay zero and solves
#: take hundreds of epochs, that took 5-10% less time for the same epochs;
#: from the first epoch on, it made 5-fold LassoCV on dense 100 x 10,000
#: data 12% slower (zeros that should enter waited longer). Dense and sparse
#: solvers share the schedule, so that one problem stored either way follows
#: the same iterates (LassoCV's choice at the default ``tol`` depends on it).
FULL_PERIODS = 4
FULL_AFTER = 50


@njit(**HELPER)
def full_sweep(ep, check_every):
    """Whether epoch ``ep`` (counted from 1) of an inner solve sweeps the whole set."""
    period = check_every if ep <= FULL_AFTER else FULL_PERIODS * check_every
    return (ep - 1) % period == 0


@njit(**HELPER)
def support_of(w, out):
    """Write the positions of ``w``'s non-zeros into ``out``; return their count.

    Inner solvers sweep every coordinate of their set once per gap-check
    period and only these between sweeps (glmnet's active-set cycling,
    Friedman et al. 2010): near the end of a p >> n path a third of a large
    set is zeros that stay at zero, and each costs a column's dot product
    per epoch.
    """
    k = 0
    for i in range(w.shape[0]):
        if w[i] != 0.0:
            out[k] = i
            k += 1
    return k


@njit(**HELPER)
def cd_update(wj, Lj, uj, lamj, muj, lo, hi):
    """Exact minimizer of the objective along coordinate ``j``.

    Minimizes ``(Lj/2) (t - wj)^2 - uj (t - wj) + lamj |t| + (muj/2) t^2``
    over ``lo <= t <= hi`` (``lo <= 0 <= hi``): a soft-thresholding step,
    clipped (a convex function of one variable is minimized over an interval
    at its unconstrained minimizer clipped into it). A column that is zero
    after centring (``Lj == 0``) does not enter the data fit: its
    coefficient minimizes the penalty alone, at 0.
    """
    if Lj <= 0.0:
        return 0.0
    denom = Lj + muj
    z = Lj * wj + uj
    if z > lamj:
        t = (z - lamj) / denom
        return min(t, hi)
    if z < -lamj:
        t = (z + lamj) / denom
        return max(t, lo)
    return 0.0


@njit(inline="always", **HELPER)
def side_of(uk, lo, hi):
    """``(e, B)``: the correlation ``e`` on the open side of the box with the larger one.

    The upper side (``hi > 0``) has ``e = uk`` and bound ``B = hi``, the
    lower one (``lo < 0``) ``e = -uk`` and ``B = -lo``; ``e = -inf`` when
    neither side is open (a coefficient pinned at 0). Without a box this is
    ``(|uk|, inf)``. Written as selects, not a branch on the sign of ``uk``
    (unpredictable on real data: it made the certificate's dual 2.4 times
    slower, measured).
    """
    up = uk if hi > 0.0 else -np.inf
    down = -uk if lo < 0.0 else -np.inf
    lower = down > up
    return max(up, down), (-lo if lower else hi)


@njit(inline="always", **HELPER)
def pinned(box, k):
    """Whether the box holds coefficient ``k`` at 0 (an excluded feature)."""
    return box[0, k] == 0.0 and box[1, k] == 0.0


@njit(**HELPER)
def penalty_value(w, lam, mu):
    """``sum_j lam_j |w_j| + mu_j w_j^2 / 2``."""
    total = 0.0
    for j in range(w.shape[0]):
        wj = w[j]
        if wj != 0.0:
            total += lam[j] * abs(wj) + 0.5 * mu[j] * wj * wj
    return total


# Inlined into dual_objective, its one caller (no fastmath either side); tests call it
# from Python, where it compiles on its own.
@njit(cache=True, nogil=True, inline="always")
def best_scale(a, nb, eff, lam, mu, c_max):
    """Maximize ``phi(c) = c a - nb c^2 / 2 - sum_j (c eff_j - lam_j)_+^2 / (2 mu_j)``.

    Over ``0 <= c <= c_max``; the sum runs over ``mu_j > 0``. The maximizer
    is the root of ``phi'``, which is decreasing, concave and piecewise
    linear with breakpoints ``lam_j / eff_j``; it never exceeds ``c_up =
    min(a / nb, c_max)``. Newton's method started at ``c_up`` decreases
    monotonically onto the root and is exact once inside the root's piece,
    usually after a few steps; no sort is needed. This is the one
    implementation: ``lassokit.certificate.scaled_dual`` calls it too.
    Finite bounds of a box go to :func:`best_scale_box` instead.
    """
    if a <= 0.0:
        return 0.0
    m = eff.shape[0]
    c_up = c_max
    if nb > 0.0:
        c_up = min(c_up, a / nb)
    if not np.isfinite(c_up):
        # nb == 0 and no box: the quadratic terms alone bound the maximizer.
        c_up = 0.0
        for k in range(m):
            if mu[k] > 0.0 and eff[k] > 0.0:
                c_up = max(c_up, (lam[k] + a * mu[k] / eff[k]) / eff[k])
        if c_up == 0.0:
            return c_max
    sel = np.empty(m, np.int64)
    cnt = 0
    for k in range(m):
        if mu[k] > 0.0 and eff[k] > 0.0 and lam[k] < c_up * eff[k]:
            sel[cnt] = k
            cnt += 1
    c = c_up
    for _ in range(200):
        # phi'(c) and its slope on the piece containing c (from the left).
        d = a - nb * c
        slope = nb
        for t in range(cnt):
            k = sel[t]
            ex = c * eff[k] - lam[k]
            if ex > 0.0:
                # Scaled by sqrt(mu) before multiplying: eff * eff underflows
                # (X, y ~ 1e-150) long before eff^2 / mu does.
                es = eff[k] / np.sqrt(mu[k])
                d -= es * (ex / np.sqrt(mu[k]))
                slope += es * es
        if d >= 0.0 or slope <= 0.0:
            return c
        c_new = c + d / slope
        if not c_new < c:
            return c
        c = max(c_new, 0.0)
    return c


@njit([_DUAL_SIGNATURE], cache=True, nogil=True)
def dual_objective(a, nb, u, lam, mu, box):
    """Best dual value ``D(c q)`` over feasible scalings ``c >= 0``.

    The certificate's own dual evaluation
    (:func:`lassokit.certificate.scaled_dual`) is this function, so the gaps
    that kernels stop on and the gap that decides ``converged`` are one
    formula.

    Parameters
    ----------
    a : float
        ``<s q, yc> / n``.
    nb : float
        ``||q||_S^2 / n``.
    u : ndarray
        ``xc_j^T S q / n`` for the features considered.
    lam, mu : ndarray
        Their L1/L2 strengths (same length as ``u``). Features with neither
        term and an infinite bound on their open side are ignored: the
        caller projects them out or accounts for them.
    box : ndarray of shape (2, len(u))
        Lower and upper bounds (``-inf``/``inf`` without a box); see
        :mod:`lassokit._box` for the conjugate they give.

    Returns
    -------
    (float, float)
        The dual value and the scale ``c``.
    """
    m = u.shape[0]
    eff = np.empty(m)
    bnd = np.empty(m)
    c_max = np.inf
    finite = False
    for k in range(m):
        e, b = side_of(u[k], box[0, k], box[1, k])
        eff[k] = e
        bnd[k] = b
        if e > 0.0:
            if b < np.inf:
                finite = True
            elif mu[k] == 0.0 and lam[k] > 0.0:
                c_max = min(c_max, lam[k] / e)
    if finite:
        c = best_scale_box(a, nb, eff, bnd, lam, mu, c_max)
    else:
        c = best_scale(a, nb, eff, lam, mu, c_max)
    if not (c > 0.0) or not np.isfinite(c):
        return 0.0, 0.0
    conj = 0.0
    for k in range(m):
        ex = c * eff[k] - lam[k]
        if not ex > 0.0:
            continue
        if mu[k] > 0.0:
            if bnd[k] < np.inf and ex >= mu[k] * bnd[k]:
                conj += bnd[k] * (ex - 0.5 * mu[k] * bnd[k])
            else:
                ex /= np.sqrt(2.0 * mu[k])
                conj += ex * ex
        elif bnd[k] < np.inf:
            conj += bnd[k] * ex
    return c * a - 0.5 * nb * c * c - conj, c


@njit(**HELPER)
def ws_gap(w, u, lam, mu, L, box, fit, a, nb):
    """Duality gap of a working-set subproblem (arrays local to the set).

    ``u`` holds the correlations of the set's features with the dual
    candidate; ``fit`` is the primal data fit ``||r||_S^2 / (2n)``. Fully
    unpenalized features cannot be rescaled into feasibility; their KKT
    violation ``v`` (none at a bound it pushes against) enters through the
    one-step decrease ``v^2 / (2 L)`` instead, which makes this a stopping
    heuristic for the inner solver (the backend's outer check is exact).
    """
    extra = 0.0
    for k in range(w.shape[0]):
        if lam[k] == 0.0 and mu[k] == 0.0 and L[k] > 0.0:
            v = u[k]
            if (w[k] <= box[0, k] and v < 0.0) or (w[k] >= box[1, k] and v > 0.0):
                v = 0.0
            extra += v * v / (2.0 * L[k])
    dual, _ = dual_objective(a, nb, u, lam, mu, box)
    primal = fit + penalty_value(w, lam, mu)
    return max(primal - dual, 0.0) + extra


@njit(inline="always", **HELPER)
def anderson_weights(M, c):
    """Anderson extrapolation weights from the Gram matrix of iterate differences.

    Solves ``M z = 1`` (Gaussian elimination with partial pivoting, a tiny
    ridge for stability) and writes ``c = z / sum(z)``. Returns False when
    the system is degenerate.
    """
    K = M.shape[0]
    A = np.empty((K, K + 1))
    tr = 0.0
    for i in range(K):
        tr += M[i, i]
    if not (tr > 0.0) or not np.isfinite(tr):
        return False
    ridge = 1e-10 * tr / K
    for i in range(K):
        for k in range(K):
            A[i, k] = M[i, k]
        A[i, i] += ridge
        A[i, K] = 1.0
    for col in range(K):
        piv = col
        for i in range(col + 1, K):
            if abs(A[i, col]) > abs(A[piv, col]):
                piv = i
        if A[piv, col] == 0.0:
            return False
        if piv != col:
            for k in range(K + 1):
                tmp = A[col, k]
                A[col, k] = A[piv, k]
                A[piv, k] = tmp
        for i in range(col + 1, K):
            f = A[i, col] / A[col, col]
            for k in range(col, K + 1):
                A[i, k] -= f * A[col, k]
    z = np.empty(K)
    for i in range(K - 1, -1, -1):
        s = A[i, K]
        for k in range(i + 1, K):
            s -= A[i, k] * z[k]
        z[i] = s / A[i, i]
    total = 0.0
    for i in range(K):
        total += z[i]
    if total == 0.0 or not np.isfinite(total):
        return False
    for i in range(K):
        c[i] = z[i] / total
    return True


@njit(inline="always", **HELPER)
def iterate_diff_gram(W, M):
    """``M[a, b] = <W[a+1] - W[a], W[b+1] - W[b]>`` for iterates stored as rows of ``W``."""
    K = M.shape[0]
    m = W.shape[1]
    for a in range(K):
        for b in range(a, K):
            s = 0.0
            for i in range(m):
                s += (W[a + 1, i] - W[a, i]) * (W[b + 1, i] - W[b, i])
            M[a, b] = s
            M[b, a] = s


@njit(**HELPER)
def anderson_point(W, M, c, out, box):
    """Anderson-extrapolated iterate from the rows of ``W`` (chronological).

    Writes the combination ``sum_t c_t W[t+1]`` into ``out`` (clipped into
    the box); returns False when the weights are degenerate. A coefficient
    equal in every combined iterate keeps its value exactly: the weights
    sum to 1 only to rounding, and a coefficient held at a bound would
    otherwise come back an ulp inside it.
    """
    iterate_diff_gram(W, M)
    if not anderson_weights(M, c):
        return False
    K = M.shape[0]
    for k in range(out.shape[0]):
        acc = 0.0
        still = True
        for t in range(K):
            acc += c[t] * W[t + 1, k]
            still = still and W[t + 1, k] == W[K, k]
        out[k] = W[K, k] if still else min(max(acc, box[0, k]), box[1, k])
    return True
