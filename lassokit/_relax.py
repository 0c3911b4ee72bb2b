"""The relaxed lasso: each solution blended with the unpenalized fit on its support.

glmnet's ``relax=TRUE`` (Meinshausen 2007; Hastie, Tibshirani & Tibshirani
2020). At a strength whose solution ``w`` has support ``S``,

    w(gamma) = gamma * w + (1 - gamma) * w_S,

where ``w_S`` minimizes the data fit alone (no penalty) over coefficients
that vanish off ``S``, with the problem's intercept, sample weights and
positivity: ``gamma = 1`` is the penalized solution, ``gamma = 0`` the
least-squares refit on the features it selected. The intercept blends the
same way (it is ``y_offset - x_offset^T w(gamma)`` either way).

``w_S`` solves the support system of polishing
(:func:`lassokit._polish._system`) without the penalty terms,
``Xc_S^T S Xc_S / n  w_S = Xc_S^T S yc / n``. Along a path the supports are
few and mostly nested, so the Gram block of their union is formed once (one
pass over X) and each distinct support is solved once from its sub-block:
by a Cholesky factor that grows with the support (a feature entering costs
``O(|S|^2)``, not a new ``|S|^3 / 3`` factorization), held to polishing's
conditioning test, else by polishing's own solve or an eigendecomposition.
Cross-validation folds known only through their moments take the same
sub-blocks of their Gram matrix.

References
----------
Meinshausen (2007), "Relaxed Lasso", Comput. Stat. Data Anal. 52(1).
Hastie, Tibshirani & Tibshirani (2020), "Best subset, forward stepwise or
lasso?", Statist. Sci. 35(4).
"""

from __future__ import annotations

import dataclasses
import numbers

import numpy as np
import scipy.linalg
from scipy.linalg import lapack
from scipy.optimize import lsq_linear, nnls

from ._box import is_positive_box
from ._polish import _MAX_COND, _support_optimum, _system

__all__ = ["blend", "check_gammas", "relaxed_fits", "support_fits", "support_masks"]

#: Features that left a support stay in its growing Cholesky factor, held
#: at zero, up to this many; then the factor starts again.
_MAX_HELD = 16
#: Up to this many candidate features, all supports are solved as one stack.
_BATCH = 64
#: Above this many features in the union of the supports, their Gram block
#: (``m^2`` floats: 32 MB here) is not held; each distinct support forms
#: its own block from X instead.
_MAX_UNION = 2048


def check_gammas(gamma, name="gamma"):
    """``(ndarray of float, scalar?)``: a number in [0, 1] or a 1-D array of them.

    Raises
    ------
    TypeError
        Not a real number or an array-like of them (booleans and strings
        included).
    ValueError
        Outside [0, 1], not finite, empty or not one-dimensional.
    """
    scalar = isinstance(gamma, numbers.Real) and not isinstance(gamma, (bool, np.bool_))
    arr = np.asarray(gamma) if not isinstance(gamma, (str, bytes)) else np.asarray([])
    if isinstance(gamma, (bool, np.bool_, str, bytes)) or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be a number in [0, 1] or a 1-D array of them, "
                        f"got {gamma!r}.")
    arr = np.atleast_1d(arr.astype(np.float64))
    if arr.ndim != 1 or arr.size == 0 or not np.all((arr >= 0) & (arr <= 1)):
        raise ValueError(f"{name} must be a number in [0, 1] or a non-empty 1-D array of "
                         f"them (1: the penalized fit, 0: the unpenalized refit on its "
                         f"support), got {gamma!r}.")
    return arr, scalar


def support_masks(coefs):
    """Which coefficients are non-zero beyond floating-point rounding, per column.

    At ``alpha_max`` itself a solver can leave entries of the size of
    rounding (``1e-16``) where the solution is exactly 0; entries below
    ``64 * eps * max|coefs|`` (``eps`` of the coefficients' dtype) count as
    zero.

    Parameters
    ----------
    coefs : ndarray of shape (n_features, k)

    Returns
    -------
    ndarray of bool of shape (n_features, k)
    """
    coefs = np.asarray(coefs)
    mags = np.abs(coefs.astype(np.float64))
    scale = float(mags.max()) if mags.size else 0.0
    return mags > 64 * np.finfo(coefs.dtype).eps * scale


def _least_squares(H, b, box):
    """``argmin w^T H w / 2 - b^T w`` (over the box ``(2, m)`` when given); H is PSD.

    Polishing's Cholesky solve first; a singular or ill-conditioned H (more
    features than the fold has samples, collinear columns) gets the
    minimum-norm solution of its well-determined part, as a least-squares
    solver with a rank cut-off gives; a box is a bounded least squares on a
    square root of H (non-negative least squares for ``positive=True``).
    """
    m = b.shape[0]
    if box is None:
        w = _support_optimum(H, b, np.zeros(m), np.ones(m), False, np.ones(m))
        if w is not None:
            return w
    e, V = scipy.linalg.eigh(H)
    # Eigenvalues below rounding of the Gram matrix itself carry no signal.
    keep = e > max(float(e[-1]), 0.0) * m * np.finfo(np.float64).eps
    if not keep.any():
        return np.zeros(m)
    V, e = V[:, keep], e[keep]
    t = V.T @ b
    if box is None:
        return V @ (t / e)
    # H = A^T A with A = diag(sqrt(e)) V^T and b = A^T (t / sqrt(e)) (b lies
    # in the range of H: it is Xc_S^T S yc / n), so the constrained problem
    # is min ||A w - t / sqrt(e)||^2 over the box.
    root = np.sqrt(e)
    A, rhs = root[:, None] * V.T, t / root
    if is_positive_box(box):
        return nnls(A, rhs, maxiter=50 * m)[0]
    return lsq_linear(A, rhs, bounds=(box[0], box[1]), method="bvls", tol=1e-14).x


class _GrowingFactor:
    """Cholesky factor of ``H[order, order]``, extended as the support grows.

    Along a path the supports are nested almost everywhere: from one strength
    to the next a few features enter, and now and then one leaves. Appending
    ``k`` features to a factor of ``s`` costs ``O(s^2 k)`` (a triangular
    solve and a ``k x k`` factorization of the Schur complement) instead of
    ``s^3 / 3`` for a new one. A feature that leaves stays in the factor:
    the fit on the smaller support is the fit on the factor's features with
    those held at zero, a correction of ``O(s^2)`` per such feature (up to
    :data:`_MAX_HELD` of them; then the factor starts again).
    """

    def __init__(self, G, b, size):
        self.G, self.b = G, b
        # The factor lives in L[:s, :s]; Fortran order makes L[:, :s] a
        # contiguous (lda = size) matrix that LAPACK reads without a copy.
        self.L = np.zeros((size, size), order="F")
        self.z = np.empty(size)  # L^-1 b[order]: its head survives an extension
        self.member = np.zeros(b.shape[0], dtype=bool)
        self.order = np.empty(0, dtype=np.intp)

    def _reset(self):
        self.member[:] = False
        self.order = self.order[:0]

    def solve(self, S):
        """``(order, w)``: the fit on ``S`` in the factor's order, or None if ill-conditioned."""
        inside = np.zeros(self.member.shape[0], dtype=bool)
        inside[S] = True
        if np.count_nonzero(self.member & ~inside) > _MAX_HELD:
            self._reset()
        s, G, L, z = self.order.size, self.G, self.L, self.z
        new = S[~self.member[S]]
        if new.size:
            k = new.size
            C = G[self.order[:, None], new]
            L21 = _tri(L[:, :s], C) if s else C
            L22, info = lapack.dpotrf(G[new[:, None], new] - L21.T @ L21, lower=1, clean=1)
            if info != 0:
                self._reset()
                return None
            L[s:s + k, :s] = L21.T
            L[s:s + k, s:s + k] = L22
            z[s:s + k] = _tri(L22, self.b[new] - L21.T @ z[:s])
            self.order = np.concatenate([self.order, new])
            self.member[new] = True
            s += k
        diag = np.diag(L)[:s]
        # Polishing's conditioning test: a worse system is solved by eigh.
        if not diag.min() > 0 or (diag.max() / diag.min()) ** 2 > _MAX_COND:
            self._reset()
            return None
        F = L[:, :s]
        w = _tri(F, z[:s], trans=1)  # H_T^-1 b_T on the factor's features T
        held = np.flatnonzero(~inside[self.order])
        if held.size:
            # min over w_held = 0: w = H^-1 b - H^-1 E mu, mu from the held rows.
            E = np.zeros((s, held.size), order="F")
            E[held, np.arange(held.size)] = 1.0
            Y = _tri(F, _tri(F, E), trans=1)
            w = w - Y @ np.linalg.solve(Y[held], w[held])
            w[held] = 0.0
        return self.order, w


def _tri(F, rhs, trans=0):
    """``T^-1 rhs`` (``T^-T rhs`` with ``trans=1``), T the lower-triangular top of ``F``.

    ``F`` is (lda, s) in Fortran order, T its first s rows, with a positive
    diagonal. LAPACK's ``trtrs`` itself: these systems are small and many,
    and ``scipy.linalg.solve_triangular``'s checks and copies cost more than
    the solve.
    """
    x, _ = lapack.dtrtrs(F, rhs, lower=1, trans=trans)
    return x


def support_fits(masks, G, b, box):
    """The unpenalized fit on the support of every column of ``masks``, one solve per support.

    Parameters
    ----------
    masks : ndarray of bool of shape (m, k)
        Column ``i`` is a support over ``m`` candidate features.
    G, b : ndarray of shape (m, m) and (m,)
        The least-squares system over the candidates (``Xc^T S Xc / n`` and
        ``Xc^T S yc / n``, or a fold's Gram moments).
    box : ndarray of shape (2, m) or None
        Bounds of the candidates' coefficients (``positive=True`` is
        ``(0, inf)``): the refit honours them.

    Returns
    -------
    ndarray of shape (m, k), float64
        Columns that share a support share one solve.
    """
    if not masks.any():
        return np.zeros(masks.shape)  # no support anywhere: the intercept alone
    if masks.shape[0] <= _BATCH and box is None:
        W = _batched(masks, G, b)
        if W is not None:
            return W
    factor = _GrowingFactor(G, b, int(np.count_nonzero(masks.any(axis=1))))

    def solve(S):
        done = None if box is not None else factor.solve(S)
        if done is None:
            return S, _least_squares(G[np.ix_(S, S)], b[S], None if box is None else box[:, S])
        return done

    return _per_support(masks, solve)


def _batched(masks, G, b):
    """:func:`support_fits` for a few candidates: every distinct support in one LAPACK call.

    On small problems (diabetes: 10 features) a Python round trip per
    support costs more than its solve. Each support's system is padded to
    ``m x m`` with the identity on the features outside it, and all are
    factorized and solved as one stack; None when one of them fails
    polishing's conditioning test (the caller then solves them one by one).
    """
    # Each support as the integer of its bits (m <= 64): a 1-D unique is cheap.
    codes = masks.T.astype(np.uint64) @ (np.uint64(1) << np.arange(masks.shape[0],
                                                                   dtype=np.uint64))
    _, first, which = np.unique(codes, return_index=True, return_inverse=True)
    supports = masks[:, first].T
    pair = supports[:, :, None] & supports[:, None, :]
    H = np.where(pair, G, 0.0)
    H[:, np.arange(G.shape[0]), np.arange(G.shape[0])] += ~supports
    try:
        L = np.linalg.cholesky(H)
    except np.linalg.LinAlgError:
        return None
    diag = np.diagonal(L, axis1=1, axis2=2)
    low = np.min(np.where(supports, diag, np.inf), axis=1)
    high = np.max(np.where(supports, diag, 0.0), axis=1)
    if np.any((high / low) ** 2 > _MAX_COND):
        return None
    W = np.linalg.solve(H, np.where(supports, b, 0.0)[:, :, None])[:, :, 0]
    return W[np.ravel(which)].T


def _per_support(masks, solve):
    """``W`` (m, k) from ``solve(S) -> (idx, w)``, called once per distinct support."""
    m, k = masks.shape
    W = np.zeros((m, k))
    solved = {}
    for i in range(k):
        key = masks[:, i].tobytes()
        if key not in solved:
            S = np.flatnonzero(masks[:, i])
            w = np.zeros(m)
            if S.size:
                idx, wS = solve(S)
                w[idx] = wS
            solved[key] = w
        W[:, i] = solved[key]
    return W


def _unpenalized_design(problem):
    """The problem's design with the penalty taken out (``_system`` adds ``mu`` to H)."""
    d = problem._design
    return dataclasses.replace(d, mu=np.zeros(d.p))


def relaxed_fits(problem, coefs):
    """Unpenalized fits on the supports of ``coefs``' columns, from ``problem``'s data.

    Parameters
    ----------
    problem : Problem
        Squared loss; its intercept, sample weights and box (``bounds``,
        ``positive``) are kept.
        Features the penalty leaves free (weight 0 in both terms) are in
        every support.
    coefs : ndarray of shape (n_features, k)

    Returns
    -------
    W : ndarray of shape (n_features, k), float64
    intercepts : ndarray of shape (k,)
    """
    problem = problem._pinned() if problem._live else problem
    c = problem._target_scale
    if c != 1.0:
        # Solved in units where max|yc| ~ 1 (see lassokit._rescale): the fit
        # is linear in y, so it scales back exactly.
        W, icpt = relaxed_fits(problem._rescaled(), coefs)
        return W * c, icpt * c
    d = _unpenalized_design(problem)
    masks = support_masks(coefs)
    masks[d.unpenalized] = True
    box = d.box if d.bounded else None
    U = np.flatnonzero(masks.any(axis=1))
    W = np.zeros((d.p, masks.shape[1]))
    if U.size <= _MAX_UNION:
        H, b = _system(d, problem.X, U)
        W[U] = support_fits(masks[U], H, b, box[:, U] if box is not None else None)
    else:
        W[U] = _per_support(masks[U], lambda S: (S, _least_squares(
            *_system(d, problem.X, U[S]), box[:, U[S]] if box is not None else None)))
    icpt = d.y_offset - d.x_offset @ W if d.fit_intercept else np.zeros(W.shape[1])
    return W, icpt


def blend(gamma, coefs, intercepts, W, w_intercepts, dtype):
    """``gamma * (coefs, intercepts) + (1 - gamma) * (W, w_intercepts)``, coefficients in ``dtype``."""
    C = gamma * np.asarray(coefs, dtype=np.float64) + (1.0 - gamma) * W
    return C.astype(dtype), gamma * np.asarray(intercepts) + (1.0 - gamma) * w_intercepts
