"""``solve`` and ``path`` on dask arrays: the sufficient-statistics and ADMM tiers."""

from __future__ import annotations

import numbers
import time
import warnings

import numpy as np

from .._finish import unconverged_message, warn_unconverged
from .._validation import check_bool, check_coef, check_max_iter, check_tol
from ..backends.result import BackendResult
from ..path import Path, _check_alphas
from ..path import path as _local_path
from ..penalty import Penalty
from ..solution import Solution, convergence_warning
from ._admm import ADMM_OPTIONS, AdmmState, make_design, run_admm
from ._gram import build_surrogate
from ._setup import admm_blocks, default_client
from ._stats import as_dask_inputs, compute_moments

__all__ = ["moments", "path", "solve", "surrogate"]

_METHODS = ("gram", "admm")
#: Iteration budget of one ADMM solve when ``max_iter`` is None.
ADMM_MAX_ITER = 5000


def _check_common(penalty, method, fit_intercept, positive, tol, max_iter):
    if not isinstance(penalty, Penalty):
        raise TypeError(
            "penalty must be built from lk.L1 / lk.L2 (e.g. lk.L1(0.1) + lk.L2(0.01)), "
            f"got {type(penalty).__name__}."
        )
    if method not in _METHODS:
        raise ValueError(f"method must be 'gram' or 'admm', got {method!r}.")
    return (check_bool(fit_intercept, "fit_intercept"), check_bool(positive, "positive"),
            check_tol(tol), check_max_iter(max_iter))


def _split_options(method, options):
    if method == "admm":
        unknown = sorted(set(options) - set(ADMM_OPTIONS))
        if unknown:
            raise TypeError(
                f"method='admm' got unknown option(s) {', '.join(unknown)}; "
                f"it accepts: {', '.join(sorted(ADMM_OPTIONS))}."
            )
        opts = {**ADMM_OPTIONS, **options}
        rho, relax, every = opts["rho"], opts["relax"], opts["check_every"]
        if rho is not None and not (_is_real(rho) and 0 < rho < np.inf):
            raise ValueError(f"rho must be a finite number > 0 or None, got {rho!r}.")
        if not (_is_real(relax) and 0 < relax < 2):
            raise ValueError(f"relax must be a number in (0, 2), got {relax!r}.")
        if isinstance(every, bool) or not isinstance(every, numbers.Integral) or every < 1:
            raise ValueError(f"check_every must be an integer >= 1, got {every!r}.")
        opts["adapt_rho"] = check_bool(opts["adapt_rho"], "adapt_rho")
        return opts
    return dict(options)


def _is_real(x):
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def moments(X, y, sample_weight=None, *, client=None):
    """Sufficient statistics of ``[X, y]`` in one tree-reduced pass.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_features)
        Row-chunked design (NumPy arrays are wrapped).
    y : dask.array.Array or array-like of shape (n_samples,)
    sample_weight : dask.array.Array or array-like of shape (n_samples,), optional
    client : distributed.Client, optional
        Where to compute (the default dask scheduler when None).

    Returns
    -------
    Moments
        Weighted means and centred co-moment matrix of ``[X, y]``; feed them
        to :func:`surrogate` for any number of local solves.
    """
    X, y, sample_weight = as_dask_inputs(X, y, sample_weight)
    return compute_moments(X, y, sample_weight, client=client)


def surrogate(stats, penalty, *, fit_intercept=True, positive=False):
    """The exact in-memory surrogate of the problem summarized by ``stats``.

    Parameters
    ----------
    stats : Moments
        From :func:`moments`.
    penalty : Penalty
    fit_intercept, positive : bool

    Returns
    -------
    Surrogate
        ``.problem`` is a ``(p + 1) x p`` :class:`~lassokit.Problem` with the
        same objective, ``P(0, b0)``, ``alpha_max`` and duality gap as the
        original at every ``coef``; ``.intercept(coef)`` gives the original
        intercept.
    """
    if not isinstance(penalty, Penalty):
        raise TypeError(f"penalty must be a lassokit Penalty, got {type(penalty).__name__}.")
    return build_surrogate(stats, penalty, fit_intercept=check_bool(fit_intercept, "fit_intercept"),
                           positive=check_bool(positive, "positive"))


def _recertify(sur_problem, coef, dtype):
    """The certificate of the coefficients as returned (rounded to ``dtype``)."""
    coef = np.asarray(coef, dtype=np.float64).astype(dtype)
    return coef, sur_problem.certify(coef.astype(np.float64))


def _solution(coef, cert, p0, *, tol, n_iter, backend, solve_time, status, info):
    converged = status != "error" and cert.dual_gap <= tol * p0
    final = "optimal" if converged else (status if status in ("max_iter", "error")
                                         else "inaccurate")
    sol = Solution(coef=coef, intercept=cert.intercept, objective=cert.objective,
                   dual_gap=cert.dual_gap, rel_gap=cert.rel_gap, converged=converged,
                   status=final, n_iter=n_iter, backend=backend, solve_time=solve_time,
                   tol=tol, info=info)
    if not converged:
        raw = BackendResult(coef=coef, n_iter=n_iter, status=final, info=info)
        warnings.warn(unconverged_message(backend, final, raw, cert.rel_gap, tol,
                                          np.asarray(coef).dtype),
                      convergence_warning(), stacklevel=3)
    return sol


def solve(X, y, penalty, *, method="gram", fit_intercept=True, sample_weight=None,
          positive=False, tol=1e-6, max_iter=None, warm_start=None, backend="auto",
          client=None, **options):
    """Solve a penalized least-squares problem on row-chunked dask arrays.

    Same problem, objective, tolerance and :class:`~lassokit.Solution` as
    ``lk.Problem(X, y, penalty, ...).solve(tol=tol)``,
    for data that live on a dask cluster.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_features)
        Chunked by rows (column chunks are merged). NumPy arrays are wrapped.
    y : dask.array.Array or array-like of shape (n_samples,)
    penalty : Penalty
        Built from :func:`lassokit.L1` and :func:`lassokit.L2`.
    method : {"gram", "admm"}, default="gram"
        ``"gram"``: one tree-reduced pass computes ``[X, y]^T W [X, y]`` and
        the means, then an exact ``(p + 1) x p`` surrogate is solved locally
        by ``backend`` (p up to a few thousand). ``"admm"``: consensus ADMM,
        one block per worker holding its rows and a cached factorization
        (needs a ``distributed.Client``).
    fit_intercept : bool, default=True
        Fit an unpenalized intercept.
    sample_weight : dask.array.Array or array-like of shape (n_samples,), optional
        Non-negative weights (normalized to sum to ``n_samples``).
    positive : bool, default=False
        Constrain ``coef >= 0``.
    tol : float, default=1e-6
        Relative duality gap: converged when ``dual_gap <= tol * P(0, b0)``.
    max_iter : int, optional
        Iteration budget (local backend's for ``"gram"``; ADMM iterations,
        default 5000, for ``"admm"``).
    warm_start : Solution or array-like of shape (n_features,), optional
    backend : str, default="auto"
        Local backend of the ``"gram"`` tier.
    client : distributed.Client, optional
        The cluster; the current default client when None.
    **options
        ``"gram"``: options of the local backend. ``"admm"``: ``rho``
        (initial penalty parameter), ``relax`` (over-relaxation, 1.6),
        ``check_every`` (certificate period, 10), ``adapt_rho`` (True).

    Returns
    -------
    Solution
        ``backend`` reads ``"dask-gram:<local backend>"`` or ``"dask-admm"``;
        ``info`` holds timings (``stats_time``/``setup_time``) and the tier.

    Examples
    --------
    >>> import dask.array as da, lassokit as lk
    >>> from lassokit import distributed as lkd
    >>> X = da.random.default_rng(0).standard_normal((1000, 5), chunks=(250, 5))
    >>> y = X[:, 0] - 2 * X[:, 1]
    >>> sol = lkd.solve(X, y, lk.L1(0.1), backend="cvxpy")
    >>> sol.converged
    True
    """
    fit_intercept, positive, tol, max_iter = _check_common(
        penalty, method, fit_intercept, positive, tol, max_iter)
    opts = _split_options(method, options)
    X, y, sample_weight = as_dask_inputs(X, y, sample_weight)
    p = X.shape[1]
    w0 = None
    if warm_start is not None:
        w0 = check_coef(warm_start.coef if isinstance(warm_start, Solution) else warm_start,
                        p, "warm_start")
    start = time.perf_counter()
    if method == "gram":
        stats = compute_moments(X, y, sample_weight, client=client)
        t_stats = time.perf_counter() - start
        sur = build_surrogate(stats, penalty, fit_intercept=fit_intercept, positive=positive)
        with warnings.catch_warnings():
            # Re-issued below with the distributed solve's name.
            warnings.simplefilter("ignore", convergence_warning())
            local = sur.problem.solve(backend, tol=tol, max_iter=max_iter, warm_start=w0, **opts)
        coef, cert = _recertify(sur.problem, local.coef, X.dtype)
        cert.intercept = sur.intercept(coef)
        status = "success" if local.status == "optimal" else local.status
        return _solution(coef, cert, sur.problem._design.p0, tol=tol, n_iter=local.n_iter,
                         backend=f"dask-gram:{local.backend}",
                         solve_time=time.perf_counter() - start, status=status,
                         info={"method": "gram", "stats_time": t_stats,
                               "local_time": local.solve_time, "factor": sur.factor,
                               "n_chunks": len(X.chunks[0])})
    client = default_client(client)
    lam, mu = penalty.strengths(p)
    bs = admm_blocks(client, X, y, sample_weight, fit_intercept)
    try:
        t_setup = time.perf_counter() - start
        design = make_design(bs, lam, mu, positive)
        state = None
        if w0 is not None:
            # The duals that make (z0, u) a fixed point when z0 is optimal:
            # x-step optimality with x_k = z gives u_k = -grad f_k(z) / rho.
            z0 = np.maximum(w0, 0.0) if positive else w0
            rho0 = opts["rho"] or bs.trace / (bs.n * p * len(bs.blocks))
            grads = bs.call("residual", z0, False)
            U0 = np.array([part.h for part in grads]) / (bs.n * rho0)
            state = AdmmState(z0, U0, rho0)
        z, cert, n_it, _, status = run_admm(
            bs, design, tol=tol, max_iter=ADMM_MAX_ITER if max_iter is None else max_iter,
            state=state, **opts)
        coef = z.astype(X.dtype)
        if X.dtype != np.float64:
            cert = bs.certify(design, coef.astype(np.float64))
        return _solution(coef, cert, bs.p0, tol=tol, n_iter=n_it, backend="dask-admm",
                         solve_time=time.perf_counter() - start, status=status,
                         info={"method": "admm", "setup_time": t_setup,
                               "n_blocks": len(bs.blocks), "block_kinds": bs.kinds})
    finally:
        bs.close()


def path(X, y, penalty, *, method="gram", alphas=None, n_alphas=100, eps=1e-3,
         fit_intercept=True, sample_weight=None, positive=False, tol=1e-6, max_iter=None,
         backend="auto", client=None, **options):
    """Regularization path on row-chunked dask arrays (as :func:`lassokit.path`).

    At strength ``alpha`` the penalty is ``alpha * (r * L1 + (1 - r) * L2)``
    with ``r`` the L1 share of ``penalty`` and its weights fixed; the default
    grid runs from ``alpha_max`` down to ``eps * alpha_max``. The ``"gram"``
    tier makes one pass over the data for the whole path; the ``"admm"`` tier
    sets its blocks up once and warm-starts ADMM (consensus variable, duals
    and penalty parameter) from one strength to the next.

    Parameters
    ----------
    X, y, penalty, method, fit_intercept, sample_weight, positive, tol, max_iter, backend, client
        As for :func:`solve` (``backend`` defaults to ``"auto"`` here).
    alphas : array-like of shape (k,), optional
    n_alphas : int, default=100
    eps : float, default=1e-3
    **options
        As for :func:`solve`.

    Returns
    -------
    Path
        ``intercepts`` in the original problem's terms.
    """
    fit_intercept, positive, tol, max_iter = _check_common(
        penalty, method, fit_intercept, positive, tol, max_iter)
    opts = _split_options(method, options)
    X, y, sample_weight = as_dask_inputs(X, y, sample_weight)
    start = time.perf_counter()
    if method == "gram":
        stats = compute_moments(X, y, sample_weight, client=client)
        sur = build_surrogate(stats, penalty, fit_intercept=fit_intercept, positive=positive)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", convergence_warning())
            res = _local_path(sur.problem, alphas=alphas, n_alphas=n_alphas, eps=eps,
                              backend=backend, tol=tol, max_iter=max_iter, **opts)
        coefs = np.empty(res.coefs.shape, dtype=X.dtype)
        gaps, rel = res.dual_gaps.copy(), res.rel_gaps.copy()
        intercepts = np.zeros(len(res))
        for i, alpha in enumerate(res.alphas):
            coefs[:, i] = res.coefs[:, i].astype(X.dtype)
            if X.dtype != np.float64:
                sub = sur.problem.replace(penalty=_penalty_at(penalty, res.l1_ratio, alpha))
                cert = sub.certify(coefs[:, i].astype(np.float64))
                gaps[i], rel[i] = cert.dual_gap, cert.rel_gap
            intercepts[i] = sur.intercept(coefs[:, i])
        out = Path(alphas=res.alphas, coefs=coefs, intercepts=intercepts, dual_gaps=gaps,
                   rel_gaps=rel, n_iters=res.n_iters, converged=rel <= tol,
                   l1_ratio=res.l1_ratio, backend=f"dask-gram:{res.backend}", tol=tol,
                   solve_time=time.perf_counter() - start)
    else:
        out = _admm_path(X, y, penalty, alphas, n_alphas, eps, fit_intercept, sample_weight,
                         positive, tol, max_iter, client, opts, start)
    _warn_path(out)
    return out


def _penalty_at(penalty, r, alpha):
    return Penalty(alpha * r, alpha * (1.0 - r), penalty.l1_weights, penalty.l2_weights)


def _warn_path(res):
    bad = ~res.converged
    if np.any(bad):
        worst = int(np.argmax(res.rel_gaps))
        warn_unconverged(f"path (worst at alpha={res.alphas[worst]:.4g})", int(bad.sum()),
                         len(res), res.tol, res.rel_gaps[worst], stacklevel=2)


def _admm_path(X, y, penalty, alphas, n_alphas, eps, fit_intercept, sample_weight, positive,
               tol, max_iter, client, opts, start):
    client = default_client(client)
    p = X.shape[1]
    r = penalty.l1_ratio
    bs = admm_blocks(client, X, y, sample_weight, fit_intercept)
    try:
        if alphas is None:
            grid = _admm_grid(bs, penalty, r, n_alphas, eps, positive)
        else:
            grid = _check_alphas(alphas)
        k = grid.shape[0]
        coefs = np.empty((p, k), dtype=X.dtype)
        intercepts, gaps, rel = np.zeros(k), np.empty(k), np.empty(k)
        iters = np.zeros(k, dtype=np.int64)
        state = None
        budget = ADMM_MAX_ITER if max_iter is None else max_iter
        for i, alpha in enumerate(grid):
            lam, mu = _penalty_at(penalty, r, float(alpha)).strengths(p)
            design = make_design(bs, lam, mu, positive)
            z, cert, n_it, state, _ = run_admm(bs, design, tol=tol, max_iter=budget,
                                               state=state, **opts)
            opts = {**opts, "rho": None}  # the warm state carries rho from now on
            coefs[:, i] = z.astype(X.dtype)
            if X.dtype != np.float64:
                cert = bs.certify(design, coefs[:, i].astype(np.float64))
            intercepts[i], gaps[i], rel[i], iters[i] = cert.intercept, cert.dual_gap, \
                cert.rel_gap, n_it
        return Path(alphas=grid, coefs=coefs, intercepts=intercepts, dual_gaps=gaps,
                    rel_gaps=rel, n_iters=iters, converged=rel <= tol, l1_ratio=r,
                    backend="dask-admm", tol=tol, solve_time=time.perf_counter() - start)
    finally:
        bs.close()


def _admm_grid(bs, penalty, r, n_alphas, eps, positive):
    """Default grid from ``alpha_max`` computed on the blocks."""
    if isinstance(n_alphas, bool) or not isinstance(n_alphas, numbers.Integral) or n_alphas < 1:
        raise ValueError(f"n_alphas must be an integer >= 1, got {n_alphas!r}.")
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not 0 < eps < np.inf:
        raise ValueError(f"eps must be a finite number > 0, got {eps!r}.")
    if r == 0:
        raise ValueError(
            "the default alpha grid needs an L1 term (l1_ratio > 0); pass alphas= explicitly."
        )
    a_max = bs.alpha_max(penalty, positive) / r
    tiny = np.finfo(np.float64).resolution
    if a_max <= tiny:
        return np.full(int(n_alphas), tiny)
    return np.geomspace(a_max, a_max * eps, num=int(n_alphas))
