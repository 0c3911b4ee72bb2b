"""The ``"osqp"`` backend: the problem as a QP, handed to OSQP directly.

OSQP (Stellato et al. 2020) solves ``min 1/2 v^T P v + q^T v`` subject to
``l <= A v <= u`` by ADMM with a cached sparse LDL^T factorization of its
quasi-definite KKT matrix, and *polishes* the answer on the guessed active
set. Two QP forms of lassokit's objective are built here, without CVXPY:

``"residual"`` (default for sparse X with many columns and dense X with ``p > 2n``)
    Variables ``v = (w, t, b, r)``: coefficients, L1 bounds ``t >= |w|`` (for
    features with an L1 term; with ``positive`` the L1 term is linear and no
    ``t`` is needed), an intercept ``b`` (free, only with ``fit_intercept``)
    and the weighted residual ``r = S^(1/2) (yc - X w - b)``, an equality
    constraint. ``P = diag(mu, 0, 0, 1/n)``. X enters ``A`` as it is: a
    sparse X stays sparse, and the centring of X, which would make it dense,
    is replaced by the intercept variable.
``"gram"`` (default otherwise, see :func:`_auto_formulation`)
    Variables ``(w, t)`` and ``P = Xc^T S Xc / n + diag(mu)`` (p x p); better
    when the n x p residual block would dwarf the p x p Gram matrix, and for
    dense X, whose residual block is dense anyway.

OSQP is first run with moderate ``eps`` and polishing; lassokit's
certificate then judges the answer, and while the relative gap is above
``tol`` the tolerances are tightened a hundredfold and OSQP resumes from its
previous iterate (warm start) -- at most until the iteration budget is
spent. The problem layer recomputes the optimal intercept from ``coef``.

References
----------
B. Stellato, G. Banjac, P. Goulart, A. Bemporad and S. Boyd (2020), "OSQP: an
operator splitting solver for quadratic programs", Mathematical Programming
Computation 12, 637-672.
"""

from __future__ import annotations

import contextlib
import io
import time
import warnings

import numpy as np
import scipy.sparse as sp

from .. import _linalg
from ..certificate import certify
from ._scaling import unit_scaled, zero_is_optimal
from .base import Backend, BackendResult, Capabilities

# p > _WIDE_RATIO n with at least _WIDE_MIN features: the slow shape for OSQP.
_WIDE_RATIO = 20
_WIDE_MIN = 20_000
# Sparse X: above this many columns the dense p x p Gram form is not used.
_GRAM_MAX_P = 3000
# OSQP statuses -> BackendResult statuses (the certificate has the last word).
_STATUS = {
    "solved": "success",
    "solved inaccurate": "success",
    "maximum iterations reached": "max_iter",
    "run time limit reached": "max_iter",
}


class OsqpBackend(Backend):
    """OSQP on a sparse QP form of the problem (see the module docstring).

    Options
    -------
    formulation : {"auto", "residual", "gram"}, default="auto"
    eps : float, optional
        First OSQP ``eps_abs = eps_rel``; default ``1e-6`` (tightened a hundredfold
        per round while the certificate is not met).
    osqp_settings : dict, optional
        Extra OSQP settings (e.g. ``{"rho": 0.1}``); they override the defaults.
    time_limit : float, optional
        Seconds for all OSQP rounds together (OSQP's ``time_limit``); when
        spent, the best certified point so far is returned with status
        ``"max_iter"``. Default: no limit.
    verbose : bool, default=False
        OSQP's own progress lines.

    Notes
    -----
    With many more features than samples (``p > 20 n``, ``p >= 20,000``)
    the QP has ``2p + n`` variables and OSQP needs many iterations on it
    (n = 50, p = 200,000 sparse ran > 600 s); a ``UserWarning`` says so
    before starting. ``"cd"`` is the backend for that shape.
    """

    name = "osqp"
    requires = ("osqp",)
    capabilities = Capabilities(bounds=True)
    options = {"formulation": "auto", "eps": None, "osqp_settings": None, "time_limit": None,
               "verbose": False}
    default_max_iter = 100000

    def solve(self, problem, *, tol, max_iter, warm_start, formulation="auto", eps=None,
              osqp_settings=None, time_limit=None, verbose=False):
        import osqp

        if formulation not in ("auto", "residual", "gram"):
            raise ValueError(f"formulation must be 'auto', 'residual' or 'gram'; got {formulation!r}.")
        if osqp_settings is not None and not isinstance(osqp_settings, dict):
            raise TypeError("osqp_settings must be a dict of OSQP settings.")
        if eps is not None:
            if isinstance(eps, bool) or not isinstance(eps, (int, float, np.number)):
                raise TypeError(f"eps must be a real number, got {type(eps).__name__}.")
            if not 0 < float(eps) < 1:
                raise ValueError(f"eps must be in (0, 1), got {eps!r}.")
        if time_limit is not None:
            if isinstance(time_limit, bool) or not isinstance(time_limit, (int, float, np.number)):
                raise TypeError(f"time_limit must be a number of seconds, got "
                                f"{type(time_limit).__name__}.")
            if not float(time_limit) > 0:
                raise ValueError(f"time_limit must be > 0 seconds, got {time_limit!r}.")
        d = problem._design
        X = problem.X
        n, p = X.shape
        if p > _WIDE_RATIO * n and p >= _WIDE_MIN:
            warnings.warn(
                f"backend 'osqp' on p >> n (n={n}, p={p}): the QP has {2 * p + n} variables "
                "and OSQP converges slowly in this form (minutes to hours); backend='cd' is "
                "the fast choice here, or bound this solve with time_limit=<seconds>.",
                UserWarning, stacklevel=4)
        if zero_is_optimal(d, X, tol):
            # e.g. yc = 0 or a1 >= alpha_max: coef = 0 exactly; OSQP's ~1e-12 would not be.
            return BackendResult(coef=np.zeros(p), n_iter=0, info={"osqp_status": "not run"})
        if formulation == "auto":
            formulation = _auto_formulation(X)
        # OSQP's eps are absolute: solve with unit-scale columns (see _scaling) and certify
        # in our units. y is rescaled only when far off (by more than 2^10): OSQP needed
        # up to 8x more iterations on a 300 x 1000 Lasso with y brought to unit scale.
        ds, Xs, cx, cy = unit_scaled(d, X, per_column=True, y_min_exponent=10, centre=True)
        factor = cy / cx
        qp = _build_qp(Xs, ds, formulation, osqp.constant("OSQP_INFTY"))
        # 1e-5 often leaves OSQP's active-set guess wrong (polishing fails and a
        # second round is needed); 1e-6 costs a few more iterations only. Not
        # tol itself when tol is smaller: polishing usually certifies the 1e-6
        # answer to any tol, while a first eps of 1e-10 could spend the whole
        # budget without converging (seen on a p >> n positive Lasso).
        eps = 1e-6 if eps is None else float(eps)
        settings = dict(eps_abs=eps, eps_rel=eps, polishing=True, polish_refine_iter=10,
                        max_iter=max_iter, verbose=bool(verbose), warm_starting=True)
        if qp.n_bounds == 0:
            # Only equalities: nothing to polish (and OSQP 1.1 would print about it).
            settings["polishing"] = False
        if time_limit is not None:
            settings["time_limit"] = float(time_limit)
        settings.update(osqp_settings or {})
        started = time.perf_counter()
        # OSQP 1.1 prints "Polishing not needed ..." even when not verbose whenever no
        # inequality is active, e.g. positive=True with every coef > 0 (osqp/osqp#785).
        quiet = not verbose and bool(settings.get("polishing", False))
        solver = osqp.OSQP()
        solver.setup(qp.P, qp.q, qp.A, qp.l, qp.u, **settings)
        if warm_start is not None:
            solver.warm_start(x=qp.start(warm_start / factor))
        target = tol * d.p0
        total, status, coef, best_gap = 0, "max_iter", None, np.inf
        osqp_status = "unsolved"
        while True:
            with _stdout_silenced(quiet):
                res = solver.solve(raise_error=False)
            total += int(res.info.iter)
            osqp_status = res.info.status
            mapped = _STATUS.get(osqp_status, "error")
            if res.x is None or not np.all(np.isfinite(res.x)):
                status = "error" if coef is None else status
                break
            cand = np.array(res.x[qp.w_slice], dtype=np.float64) * factor
            if d.bounded:
                cand = np.clip(cand, d.box[0], d.box[1])
            # OSQP's polished zeros of L1 features come out as ~1e-20: make them exact
            # (a change far below any gap the certificate can resolve).
            cand[(d.lam > 0) & (np.abs(cand) <= 1e-13 * np.max(np.abs(cand), initial=0.0))] = 0.0
            gap = certify(d, X, cand).dual_gap
            if gap < best_gap:
                coef, best_gap = cand, gap
            if mapped == "error":
                status = "error" if best_gap > target else "success"
                break
            if best_gap <= target:
                status = "success"
                break
            if total >= max_iter or eps <= 1e-13:
                status = "max_iter"
                break
            left = None
            if time_limit is not None:
                left = float(time_limit) - (time.perf_counter() - started)
                if left <= 0:
                    status = "max_iter"
                    break
            eps = max(eps * 1e-2, 1e-13)
            update = dict(eps_abs=eps, eps_rel=eps, max_iter=max(max_iter - total, 1))
            if left is not None:
                update["time_limit"] = left
            solver.update_settings(**update)
        if coef is None:
            coef = np.zeros(p)
        return BackendResult(coef=coef, n_iter=total, status=status,
                             info={"osqp_status": osqp_status, "formulation": formulation,
                                   "eps": eps})


@contextlib.contextmanager
def _stdout_silenced(active):
    """Swallow what OSQP writes to ``sys.stdout`` meanwhile (its prints go through Python)."""
    if not active:
        yield
        return
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def _auto_formulation(X):
    """``"gram"`` or ``"residual"``, whichever gives OSQP the cheaper KKT factor.

    With dense X the n x p block of the residual form fills OSQP's LDL^T
    factor about as much as a dense p x p Gram matrix does once ``p`` is
    below ~2n, and the residual form then also took far more iterations
    (measured on 500 x 1000 and 1000 x 500 AR(1) designs: 10-30x slower), so
    dense X uses the Gram form up to ``p = 2n``. Sparse X keeps the residual
    form unless the p x p Gram matrix is small.
    """
    n, p = X.shape
    if sp.issparse(X):
        return "gram" if (p <= n and p <= _GRAM_MAX_P) else "residual"
    return "gram" if p <= 2 * n else "residual"


class _QP:
    """OSQP data, where ``w`` sits in the variables, and a map ``w -> start point``."""

    def __init__(self, P, q, A, l, u, start, n_bounds, w_slice):
        self.P = _int32_csc(P if _is_upper_csc(P) else sp.triu(P, format="csc"))
        self.q = q
        self.A = _int32_csc(A)
        self.l = l
        self.u = u
        self.start = start
        self.n_bounds = n_bounds
        self.w_slice = w_slice


def _int32_csc(M):
    """CSC with int32 indices, as OSQP's default build wants (no conversion warning)."""
    M = sp.csc_matrix(M)
    if M.indices.dtype != np.int32 or M.indptr.dtype != np.int32:
        M = sp.csc_matrix((M.data, M.indices.astype(np.int32), M.indptr.astype(np.int32)),
                          shape=M.shape)
    return M


def _dense_upper_csc(H, n_zero_cols):
    """Empty columns, then the upper triangle of the dense symmetric ``H``, as CSC.

    Built with index arithmetic: going through COO (``sp.csc_matrix(H)``,
    ``sp.triu``, ``sp.block_diag``) cost more than the Gram matrix itself.
    """
    p = H.shape[0]
    cols, rows = np.tril_indices(p)  # column-major order of the upper triangle
    indptr = np.concatenate([np.zeros(n_zero_cols + 1, dtype=np.int64),
                             np.cumsum(np.arange(1, p + 1))])
    data = np.ascontiguousarray(H[rows, cols])
    size = p + n_zero_cols
    P = sp.csc_matrix((data, rows + n_zero_cols, indptr), shape=(size, size))
    P.has_sorted_indices = True
    return P


def _is_upper_csc(P):
    if not sp.isspmatrix_csc(P):
        return False
    coo = P.tocoo()
    return bool(np.all(coo.row <= coo.col))


def _bounds_block(d, inf):
    """Rows for ``t >= |w|`` (or ``w >= 0``), the box, and the L1 part of ``q``.

    Returns ``(k, rows_w, rows_t, l, u, q_w, q_t, l1)``: ``k`` bound variables,
    constraint blocks on w and t, their bounds, the linear costs and the
    indices of the features with a bound variable. A box other than
    ``positive``'s adds one row ``lower_j <= w_j <= upper_j`` per bounded
    feature (in ``d``'s units).
    """
    p = d.p
    lam = d.lam
    if d.positive:
        eye = sp.identity(p, format="csc")
        return (0, eye, sp.csc_matrix((p, 0)), np.zeros(p), np.full(p, inf), lam.copy(),
                np.zeros(0), np.zeros(0, dtype=np.intp))
    l1 = np.flatnonzero(lam > 0)
    k = l1.size
    E = sp.csc_matrix((np.ones(k), (np.arange(k), l1)), shape=(k, p))
    Ik = sp.identity(k, format="csc")
    rows_w = sp.vstack([E, E], format="csc")  # w - t <= 0 ; w + t >= 0
    rows_t = sp.vstack([-Ik, Ik], format="csc")
    lo = np.concatenate([np.full(k, -inf), np.zeros(k)])
    hi = np.concatenate([np.zeros(k), np.full(k, inf)])
    if d.bounded:
        held = np.flatnonzero(np.isfinite(d.box[0]) | np.isfinite(d.box[1]))
        B = sp.csc_matrix((np.ones(held.size), (np.arange(held.size), held)),
                          shape=(held.size, p))
        rows_w = sp.vstack([rows_w, B], format="csc")
        rows_t = sp.vstack([rows_t, sp.csc_matrix((held.size, k))], format="csc")
        lo = np.concatenate([lo, np.maximum(d.box[0][held], -inf)])
        hi = np.concatenate([hi, np.minimum(d.box[1][held], inf)])
    return k, rows_w, rows_t, lo, hi, np.zeros(p), lam[l1].copy(), l1


def _build_qp(X, d, formulation, inf):
    """The QP of ``formulation``; variables ordered (r, b, t, w) or (t, w).

    The order matters to OSQP's LDL^T (its AMD ordering breaks ties by
    position): on a dense 500 x 1000 Lasso, putting ``w`` last made the
    residual form's factorization 8x faster and its iterations 4x cheaper
    than ``w`` first (measured with OSQP 1.1.3).
    """
    n, p = d.n, d.p
    k, bw, bt, lo, hi, q_w, q_t, l1 = _bounds_block(d, inf)
    if formulation == "gram":
        from ._admm_factor import gram_matrix, linear_term

        H = gram_matrix(X, d)
        H[np.diag_indices(p)] += d.mu
        b = linear_term(X, d)
        P = _dense_upper_csc(H, k)
        q = np.concatenate([q_t, q_w - b])
        A = sp.hstack([bt, bw], format="csc")

        def start(w):
            return np.concatenate([np.abs(w[l1]), w])

        return _QP(P, q, A, lo, hi, start, lo.size, slice(k, k + p))
    sqrt_s = np.ones(n) if d.sw is None else np.sqrt(d.sw)
    Xs = sp.csc_matrix(X, dtype=np.float64) if sp.issparse(X) else sp.csc_matrix(
        np.asarray(X, dtype=np.float64))
    SX = Xs if d.sw is None else sp.diags(sqrt_s) @ Xs
    nb = 1 if d.fit_intercept else 0
    blocks_fit = [sp.identity(n, format="csc")]
    if nb:
        blocks_fit.append(sp.csc_matrix(sqrt_s[:, None]))
    blocks_fit += [sp.csc_matrix((n, k)), SX]
    fit_rows = sp.hstack(blocks_fit, format="csc")
    bound_rows = sp.hstack([sp.csc_matrix((bw.shape[0], n + nb)), bt, bw], format="csc")
    A = sp.vstack([fit_rows, bound_rows], format="csc")
    target = sqrt_s * d.yc
    l = np.concatenate([target, lo])
    u = np.concatenate([target, hi])
    P = sp.diags(np.concatenate([np.full(n, 1.0 / n), np.zeros(nb + k), d.mu]), format="csc")
    q = np.concatenate([np.zeros(n + nb), q_t, q_w])

    def start(w):
        icpt = -float(d.x_offset @ w) if nb else 0.0
        r = sqrt_s * (d.yc - _linalg.matvec(X, w) - icpt)
        return np.concatenate([r, [icpt] * nb, np.abs(w[l1]), w])

    return _QP(P, q, A, l, u, start, lo.size, slice(n + nb + k, n + nb + k + p))
