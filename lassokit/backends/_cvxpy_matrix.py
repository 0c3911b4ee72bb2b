"""CVXPY reference for problems with a coefficient matrix and group penalties.

The problem, with ``n`` samples, ``p`` features and ``K`` columns of
coefficients ``W`` (one per response or class), is

    P(W, b) = 1/n sum_i s_i loss_i(Z_i)
              + sum_g galpha_g ||W_g||_F
              + sum_j l1_j sum_k |W_jk| + sum_j (l2_j / 2) sum_k W_jk**2,

    Z = X W + 1 b^T,

with ``W_g`` the rows of group ``g``. Two losses are stated:

* ``"squared"``: ``loss_i = ||Y_i - Z_i||**2 / 2`` for a real target
  ``Y`` of shape (n, K);
* ``"multinomial"``: ``loss_i = logsumexp(Z_i) - Z_{i, y_i}`` for class
  indices ``y`` in ``0 .. K-1``.

This is the reference statement, not a fast path, so it follows the
conditioning of :mod:`._cvxpy_losses` (the solvers' stopping rules are
partly absolute) rather than economy:

* features are brought to unit weighted RMS by powers of two
  (``W = W' / c``, exact in floating point). The group norm couples the
  rows of a group, and ``||W_g||`` only scales exactly when all of them are
  scaled alike, so each group gets ONE power of two (from the RMS over its
  columns) and each feature in no group its own;
* dense X with an intercept is centred (a float64 copy); sparse X is never
  densified: its centring is the affine term ``- 1 (m^T W)``;
* the objective is divided by a power of two near ``P(0, b0)``; for the
  squared loss by scaling the target (``Y' = Y / cy``, so that ``W`` too
  comes to unit scale, as :mod:`._scaling` does for least squares);
* samples of zero weight are left out (each would cost the solver cones).

Clarabel is the default solver, with the tight settings of
:mod:`.cvxpy_backend` and shorter steps (``_CLARABEL_STEP``). Its answers
are an interior point's: on unit-scale data the coefficients are accurate
to ~1e-7 (squared loss) and ~1e-8 (multinomial), the objective to ~1e-10
relative, and zeros are ~1e-10 rather than 0 (only the rows held at 0 by an
infinite strength are exact zeros). Nothing polishes them afterwards.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import scipy.sparse as sp
from scipy.special import logsumexp

from ._cvxpy_settings import _SETTINGS
from ._scaling import _pow2

__all__ = ["matrix_objective", "solve_matrix_cvxpy"]

_LOSSES = ("squared", "multinomial")
_ACCEPTED = ("optimal", "optimal_inaccurate")
#: The relative gap handed to the backend's per-solver settings: Clarabel
#: then runs with ``tol_gap_rel = 1e-10`` (the reference is meant to be
#: tighter than anything it checks).
_TOL = 1e-6
#: Clarabel's own default is 200 iterations; the backend's budget is kept.
_DEFAULT_MAX_ITER = 10000
#: Clarabel's step as a share of the longest feasible one (its default is
#: 0.99), shorter to keep the iterates nearer the central path. With the
#: default, the coefficients of group problems were off by up to ~3e-6 (on
#: unit-scale data) although the gap met 1e-10, and a third of the answers
#: were ``optimal_inaccurate``; with 0.6, over 240 random squared and
#: multinomial problems (groups, L1, L2, weights, sparse X), the error was
#: <= 1e-7 (squared) and <= 5e-9 (multinomial), all ``optimal``, for about
#: 1.5 times the iterations.
_CLARABEL_STEP = 0.6


def _check_inputs(X, Y, loss, sample_weight, l1, l2, gptr, gidx, galpha, n_classes):
    """Validated float64/int64 copies of the inputs, and the number of columns K."""
    if loss not in _LOSSES:
        raise ValueError(f"loss must be one of {_LOSSES}, got {loss!r}.")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, got shape {X.shape}.")
    n, p = X.shape
    if loss == "squared":
        Y = np.asarray(Y, dtype=np.float64)
        Y = Y[:, None] if Y.ndim == 1 else Y
        if Y.ndim != 2 or Y.shape[0] != n:
            raise ValueError(f"Y must have shape (n_samples, K) = ({n}, K), got {Y.shape}.")
        K = Y.shape[1]
    else:
        if n_classes is None or int(n_classes) < 2:
            raise ValueError(f"the multinomial loss needs n_classes >= 2, got {n_classes!r}.")
        K = int(n_classes)
        y = np.asarray(Y)
        if y.shape != (n,) or not np.issubdtype(y.dtype, np.integer):
            raise ValueError(f"Y must be integer class indices of shape ({n},).")
        if y.size and (y.min() < 0 or y.max() >= K):
            raise ValueError(f"class indices must lie in 0..{K - 1}.")
        Y = y.astype(np.int64)
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    if s.shape != (n,) or not np.all(np.isfinite(s)) or np.any(s < 0):
        raise ValueError(f"sample_weight must be finite, non-negative, of shape ({n},).")
    vectors = []
    for name, v in (("l1", l1), ("l2", l2)):
        v = np.asarray(v, dtype=np.float64)
        if v.shape != (p,) or np.any(np.isnan(v)) or np.any(v < 0):
            raise ValueError(f"{name} must be non-negative of shape ({p},).")
        vectors.append(v)
    gptr = np.asarray(gptr, dtype=np.int64)
    gidx = np.asarray(gidx, dtype=np.int64)
    galpha = np.asarray(galpha, dtype=np.float64)
    G = gptr.shape[0] - 1
    if (gptr.ndim != 1 or G < 0 or gptr[0] != 0 or gptr[-1] != gidx.shape[0]
            or np.any(np.diff(gptr) < 0)):
        raise ValueError("gptr must be non-decreasing, start at 0 and end at len(gidx).")
    if gidx.size and (gidx.min() < 0 or gidx.max() >= p or np.unique(gidx).size != gidx.size):
        raise ValueError(f"gidx must hold distinct feature indices in 0..{p - 1}.")
    if galpha.shape != (G,) or np.any(np.isnan(galpha)) or np.any(galpha < 0):
        raise ValueError(f"galpha must be non-negative of shape ({G},).")
    return Y, K, s, vectors[0], vectors[1], gptr, gidx, galpha


def _groups(gptr, gidx):
    """The feature indices of each group, as a list of int64 arrays."""
    return [gidx[gptr[g]:gptr[g + 1]] for g in range(gptr.shape[0] - 1)]


def _held(p, l1, l2, groups, galpha):
    """Features whose row of W is held at 0 by an infinite strength."""
    held = np.isinf(l1) | np.isinf(l2)
    for idx, a in zip(groups, galpha):
        if np.isinf(a):
            held[idx] = True
    return held


def _feature_scales(sq, n, groups):
    """Powers of two near the weighted RMS of the features, one per group.

    ``sq`` holds the weighted squared norms of the (centred) columns. A
    group's scale comes from the RMS over all its columns, so that every
    row of ``W_g`` is multiplied by the same factor and ``||W_g||`` scales
    exactly with it.
    """
    c = np.array([_pow2(v, 0) for v in np.sqrt(sq / n)])
    for idx in groups:
        if idx.size:
            c[idx] = _pow2(float(np.sqrt(np.sum(sq[idx]) / (n * idx.size))), 0)
    return c


def _p0(loss, Y, s, n, K, fit_intercept):
    """``P(0, b0)`` and ``b0`` (the intercept that is optimal at ``W = 0``)."""
    if loss == "squared":
        b0 = s @ Y / n if fit_intercept else np.zeros(K)
        R = Y - b0
        return float(s @ np.sum(R * R, axis=1)) / (2.0 * n), b0
    if not fit_intercept:
        return float(np.log(K)), np.zeros(K)
    pi = np.bincount(Y, weights=s, minlength=K) / n
    b0 = np.log(pi)
    return float(-(pi @ b0)), b0 - b0.mean()


def solve_matrix_cvxpy(X, Y, *, loss, fit_intercept, sample_weight, l1, l2, gptr, gidx,
                       galpha, n_classes=None, solver=None, max_iter=None, verbose=False):
    """Minimize ``P(W, b)`` (see the module's docstring) in CVXPY.

    Parameters
    ----------
    X : ndarray or scipy.sparse matrix of shape (n_samples, n_features)
        Never modified; sparse X is never densified.
    Y : ndarray
        ``"squared"``: real target of shape (n_samples, K) (a 1-D target is
        taken as K = 1). ``"multinomial"``: integer class indices of shape
        (n_samples,) in ``0 .. n_classes - 1``.
    loss : {"squared", "multinomial"}
    fit_intercept : bool
        Fit an unpenalized intercept ``b`` of shape (K,).
    sample_weight : ndarray of shape (n_samples,) or None
        Non-negative weights, already normalized to sum to ``n_samples``.
    l1, l2 : ndarray of shape (n_features,)
        Per-feature strengths, non-negative; an infinite entry holds that
        feature's row of ``W`` at 0.
    gptr : ndarray of shape (G + 1,)
        Group ``g`` is ``gidx[gptr[g]:gptr[g + 1]]``.
    gidx : ndarray of int64
        Feature indices of the groups, which are disjoint; features in no
        group have only their L1/L2 terms.
    galpha : ndarray of shape (G,)
        Group strengths, non-negative (an infinite one holds the group at 0).
    n_classes : int, optional
        K for the multinomial loss (required there).
    solver : str, optional
        A CVXPY solver name; default ``"CLARABEL"``.
    max_iter : int, optional
        The solver's iteration limit (default 10000).
    verbose : bool, default=False
        Passed to the solver.

    Returns
    -------
    W : ndarray of shape (n_features, K)
    b : ndarray of shape (K,)
        Zeros without an intercept. For the multinomial loss, where adding
        a constant to every class leaves ``P`` unchanged, the optimal ``b``
        of smallest norm (it sums to 0).
    info : dict
        ``solver``, ``status`` (CVXPY's, or ``"not run"`` when ``W = 0`` is
        optimal because ``P(0, b0) = 0``), ``solve_time`` (seconds, as the
        solver reports it) and ``n_iter``.

    Raises
    ------
    RuntimeError
        When the solver fails or its status is neither ``optimal`` nor
        ``optimal_inaccurate``; the message names the status.
    """
    import cvxpy as cp

    if not sp.issparse(X):
        X = np.asarray(X)
    Y, K, s, l1, l2, gptr, gidx, galpha = _check_inputs(
        X, Y, loss, sample_weight, l1, l2, gptr, gidx, galpha, n_classes)
    fit_intercept = bool(fit_intercept)
    solver = "CLARABEL" if solver is None else str(solver).upper()
    max_iter = _DEFAULT_MAX_ITER if max_iter is None else int(max_iter)
    n, p = X.shape
    groups = _groups(gptr, gidx)
    held = _held(p, l1, l2, groups, galpha)
    if loss == "multinomial" and fit_intercept:
        present = np.bincount(Y, weights=s, minlength=K) > 0
        if not np.all(present):
            # b_k -> -inf for a class of no weight: the optimum is not attained.
            raise ValueError(f"with an intercept every class needs positive weight; class(es) "
                             f"{np.flatnonzero(~present).tolist()} have none.")
    P0, b0 = _p0(loss, Y, s, n, K, fit_intercept)
    if loss == "squared" and P0 == 0.0:
        # The target is its own mean: (0, b0) attains P = 0 <= P(W, b) exactly,
        # where an interior point would return ~1e-17 instead of zeros.
        return np.zeros((p, K)), b0, {"solver": solver, "status": "not run",
                                      "solve_time": 0.0, "n_iter": 0}

    # Zero-weight samples contribute nothing; each would cost cones.
    keep = np.flatnonzero(s > 0)
    s, Y = s[keep], Y[keep]
    m = np.zeros(p)
    if sp.issparse(X):
        Xk = sp.csr_matrix(X)[keep].astype(np.float64).tocsc()
        if fit_intercept:
            m = np.asarray(Xk.T @ s, dtype=np.float64).ravel() / n
        # Expanded, sum s (x - m)^2 = sum s x^2 - n m^2 (sum s = n): only a
        # power of two is taken from it, so the cancellation does no harm.
        sq = np.asarray(Xk.multiply(Xk).T @ s, dtype=np.float64).ravel() - n * m * m
        sq = np.maximum(sq, 0.0)
    else:
        Xk = np.array(X[keep], dtype=np.float64)
        if fit_intercept:
            m = s @ Xk / n
            # Entry by entry: x_ij - m_j is exact when they are close (Sterbenz).
            Xk -= m
        sq = np.einsum("ij,ij,i->j", Xk, Xk, s)
    c = _feature_scales(sq, n, groups)
    if sp.issparse(Xk):
        Xs = (Xk @ sp.diags(1.0 / c)).tocsc()
        offset = m / c if fit_intercept and np.any(m) else None
    else:
        Xs = Xk / c
        offset = None

    # W = W' * f row-wise and P / d is handed to the solver, so every
    # strength becomes strength * f / d (squared ones * f**2 / d).
    if loss == "squared":
        cy = _pow2(float(np.sqrt(P0)), 0)
        f, d = cy / c, cy * cy
        target = (Y - b0) / cy  # the centred target when fitting an intercept
    else:
        f, d = 1.0 / c, _pow2(P0, 0)
    # Held features carry no term (inf * 0 would be NaN); their rows are constrained.
    l1s = np.where(held, 0.0, l1) * f / d
    l2s = np.where(held, 0.0, l2) * f / d * f

    Wv = cp.Variable((p, K))
    Z = Xs @ Wv
    if offset is not None:
        Z = Z - np.ones((keep.size, 1)) @ cp.reshape(offset @ Wv, (1, K), order="C")
    bv = None
    if loss == "multinomial" and fit_intercept:
        bv = cp.Variable(K)
        bv.value = b0
        Z = Z + np.ones((keep.size, 1)) @ cp.reshape(bv, (1, K), order="C")
    if loss == "squared":
        R = target - Z
        if not np.all(s == 1.0):
            R = cp.multiply(np.sqrt(s)[:, None], R)
        terms = [cp.sum_squares(R) / (2.0 * n)]
    else:
        onehot = np.zeros((keep.size, K))
        onehot[np.arange(keep.size), Y] = s
        terms = [(s @ cp.log_sum_exp(Z, axis=1) - cp.sum(cp.multiply(onehot, Z))) / (n * d)]
    rows = np.flatnonzero(l1s > 0)
    if rows.size:
        terms.append(cp.sum(cp.multiply(l1s[rows][:, None], cp.abs(Wv[rows]))))
    rows = np.flatnonzero(l2s > 0)
    if rows.size:
        # One cone for all the ridge terms, rather than one per entry.
        terms.append(0.5 * cp.sum_squares(cp.multiply(np.sqrt(l2s[rows])[:, None], Wv[rows])))
    for idx, a in zip(groups, galpha):
        free = idx[~held[idx]]
        if free.size and 0.0 < a < np.inf:
            terms.append(a * f[free[0]] / d * cp.norm(Wv[free], "fro"))
    constraints = []
    if np.any(held):
        constraints.append(Wv[np.flatnonzero(held)] == 0)
    if bv is not None:
        # Removes b's redundancy inside the solver (the loss is flat along 1).
        constraints.append(cp.sum(bv) == 0)
    program = cp.Problem(cp.Minimize(cp.sum(terms) if len(terms) > 1 else terms[0]), constraints)

    settings = _SETTINGS.get(solver)
    kwargs = settings(_TOL, max_iter) if settings is not None else {}
    if solver == "CLARABEL":
        kwargs["max_step_fraction"] = _CLARABEL_STEP
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            # The status is checked below; CVXPY's warning would say it twice.
            warnings.filterwarnings("ignore", message="Solution may be inaccurate",
                                    category=UserWarning)
            program.solve(solver=solver, verbose=verbose, **kwargs)
    except cp.error.SolverError as exc:
        raise RuntimeError(f"CVXPY solver {solver} failed (status "
                           f"{program.status!r}): {exc}") from exc
    wall = time.perf_counter() - start
    if program.status not in _ACCEPTED or Wv.value is None:
        raise RuntimeError(f"CVXPY solver {solver} returned status {program.status!r}, "
                           f"not one of {_ACCEPTED}.")

    W = np.asarray(Wv.value, dtype=np.float64) * f[:, None]
    W[held] = 0.0  # constrained to 0; the solver may leave ~1e-17
    if loss == "squared":
        b = b0 - m @ W if fit_intercept else np.zeros(K)
    elif fit_intercept:
        # Z = (X - 1 m^T) W + 1 b'^T = X W + 1 (b' - W^T m)^T.
        b = np.asarray(bv.value, dtype=np.float64) - m @ W
        b = b - b.mean()
    else:
        b = np.zeros(K)
    stats = program.solver_stats
    solve_time = getattr(stats, "solve_time", None) if stats is not None else None
    n_iter = getattr(stats, "num_iters", None) if stats is not None else None
    info = {"solver": solver, "status": program.status,
            "solve_time": float(wall if solve_time is None else solve_time),
            "n_iter": int(n_iter or 0)}
    return W, b, info


def matrix_objective(X, Y, W, b, *, loss, sample_weight, l1, l2, gptr, gidx, galpha):
    """The value of ``P(W, b)`` (see the module's docstring), in plain numpy.

    Parameters
    ----------
    X : ndarray or scipy.sparse matrix of shape (n_samples, n_features)
    Y : ndarray
        As for :func:`solve_matrix_cvxpy`.
    W : ndarray of shape (n_features, K)
    b : ndarray of shape (K,)
    loss : {"squared", "multinomial"}
    sample_weight : ndarray of shape (n_samples,) or None
    l1, l2 : ndarray of shape (n_features,)
        An infinite strength adds ``inf`` when its row of ``W`` is not 0,
        nothing when it is.
    gptr, gidx, galpha
        The groups, as for :func:`solve_matrix_cvxpy`.

    Returns
    -------
    float
    """
    W = np.asarray(W, dtype=np.float64)
    W = W[:, None] if W.ndim == 1 else W
    n, K = X.shape[0], W.shape[1]
    Z = np.asarray(X @ W, dtype=np.float64) + np.asarray(b, dtype=np.float64)
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    if loss == "squared":
        Yf = np.asarray(Y, dtype=np.float64).reshape(n, K)
        per_sample = 0.5 * np.sum((Yf - Z) ** 2, axis=1)
    elif loss == "multinomial":
        y = np.asarray(Y, dtype=np.int64)
        per_sample = logsumexp(Z, axis=1) - Z[np.arange(n), y]
    else:
        raise ValueError(f"loss must be one of {_LOSSES}, got {loss!r}.")
    value = float(s @ per_sample) / n

    def term(strength, amount):
        # inf * 0 is 0 here: a held row that is 0 costs nothing.
        strength = np.asarray(strength, dtype=np.float64)
        hit = amount > 0
        return float(np.sum(strength[hit] * amount[hit]))

    value += term(l1, np.sum(np.abs(W), axis=1))
    value += term(np.asarray(l2, dtype=np.float64) / 2.0, np.sum(W * W, axis=1))
    norms = np.array([np.linalg.norm(W[idx]) for idx in _groups(np.asarray(gptr),
                                                               np.asarray(gidx))])
    value += term(galpha, norms)
    return value
