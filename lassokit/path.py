"""Regularization paths: one backend session, warm-started strength after strength.

The path varies the overall strength ``alpha`` of a problem's penalty while
its L1 share ``r = a1 / (a1 + a2)`` and the per-feature weights stay fixed:

    penalty(alpha) = alpha * (r * L1(v1) + (1 - r) * L2(v2)).

The backend opens one session for the whole path
(:meth:`lassokit.Backend.open_path`): ``"cd"`` keeps X's layout, the column
norms, a Gram matrix and the residual from one strength to the next; other
backends get the generic session (sequential strong rules around their
``solve``). Every step is certified by the same function as a single solve
(:func:`lassokit._finish.finish`).

References
----------
Friedman, Hastie & Tibshirani (2010), "Regularization paths for generalized
linear models via coordinate descent", J. Stat. Softw. 33(1).
Tibshirani, Bien, Friedman, Hastie, Simon, Taylor & Tibshirani (2012),
"Strong rules for discarding predictors in lasso-type problems", JRSS B 74(2).
"""

from __future__ import annotations

import numbers
import time

import numpy as np

from . import _box, _kernel_time
from ._finish import finish, trusts_sums, warn_unconverged
from ._path_result import Path
from ._rescale import restated
from ._validation import check_alphas, check_bool, check_coef, check_max_iter, check_tol
from .backends.registry import resolve_backend
from .problem import Problem

__all__ = ["Path", "alpha_grid", "path", "run_path"]

#: Below this ``alpha_max`` the default grid degenerates to a constant one,
#: as scikit-learn's does (``np.finfo(np.float64).resolution``).
_TINY_ALPHA = np.finfo(np.float64).resolution


def alpha_grid(problem, n_alphas=100, eps=1e-3):
    """The default grid: geometric from ``alpha_max`` down to ``eps * alpha_max``.

    ``alpha_max = problem.alpha_max() / r`` with ``r`` the problem's L1 share,
    the overall strength at which ``coef = 0`` first becomes optimal (this is
    scikit-learn's grid for ``ElasticNet(alpha, l1_ratio=r)``). For a matrix
    or group problem it is the overall strength at which ``W = 0`` first
    becomes optimal with every term in proportion (the grid of
    :func:`path` for those problems). When
    ``alpha_max`` is below ``np.finfo(float).resolution`` (y fitted by the
    unpenalized part) every entry is that resolution, as in scikit-learn.

    Parameters
    ----------
    problem : Problem
    n_alphas : int, default=100
    eps : float in (0, 1], default=1e-3
        ``alpha_min / alpha_max`` (1: every point at ``alpha_max``).

    Returns
    -------
    ndarray of shape (n_alphas,)
    """
    if isinstance(n_alphas, bool) or not isinstance(n_alphas, numbers.Integral) or n_alphas < 1:
        raise ValueError(f"n_alphas must be an integer >= 1, got {n_alphas!r}.")
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not 0 < eps <= 1:
        # eps = 1 is scikit-learn's grid at alpha_max alone (its own tests use
        # it with one alpha); eps > 1 would give an increasing grid.
        raise ValueError(f"eps must be a number in (0, 1] (alpha_min / alpha_max), got {eps!r}.")
    if getattr(problem, "_is_matrix", False):
        # Every term in proportion (see lassokit.matrix._path).
        from .matrix._path import matrix_grid

        return matrix_grid(problem, n_alphas, eps)
    r = problem.penalty.l1_ratio
    if r == 0:
        raise ValueError(
            "the default alpha grid needs an L1 term (l1_ratio > 0); pass alphas= explicitly."
        )
    a_max = problem.alpha_max() / r
    # scikit-learn's floor, in the target's units (alpha scales with y): a
    # target of 1e-170 has an alpha_max of ~1e-170 that is anything but "y
    # fitted by the unpenalized part".
    tiny = _TINY_ALPHA * problem._target_scale
    if a_max <= tiny:
        return np.full(int(n_alphas), tiny)
    return np.geomspace(a_max, a_max * eps, num=int(n_alphas))


def path(problem, *data, alphas=None, n_alphas=100, eps=1e-3, backend="cd", tol=1e-6,
         max_iter=None, coef_init=None, strong_rules=True, verbose=False, **options):
    """Solve ``problem`` along a decreasing grid of overall strengths.

    At strength ``alpha`` the penalty is ``alpha * (r * L1 + (1 - r) * L2)``
    with ``r = a1 / (a1 + a2)`` of ``problem.penalty`` and its per-feature
    weights held fixed (so ``alpha`` is scikit-learn's ``ElasticNet`` alpha
    with ``l1_ratio = r``). Each strength starts from the previous solution.

    Parameters
    ----------
    problem : Problem
        Fixes data, weights, intercept, positivity and the L1 share.
    *data
        Not accepted: ``path`` takes one positional argument. Given arrays
        (``lk.path(X, y)``) it raises a ``TypeError`` that points to
        :func:`lasso_path` and :func:`enet_path`, which take data.
    alphas : array-like of shape (k,), optional
        Strengths (sorted into decreasing order). Default: :func:`alpha_grid`.
    n_alphas : int, default=100
        Grid size when ``alphas`` is None.
    eps : float in (0, 1], default=1e-3
        ``alpha_min / alpha_max`` when ``alphas`` is None.
    backend : str or Backend, default="cd"
        Any backend that can take the problem.
    tol : float, default=1e-6
        Relative duality gap asked for at every strength.
    max_iter : int, optional
        Iteration budget of each solve (the backend's default when None).
    coef_init : array-like of shape (n_features,), optional
        Warm start for the first strength (default: zeros).
    strong_rules : bool, default=True
        Solve each strength on the features kept by the sequential strong
        rule, with a KKT check of the others and the full problem's
        certificate as arbiter; False: the backend sees every feature.
    verbose : bool, default=False
        Print one line per strength.
    **options
        Backend options (unknown ones raise ``TypeError``).

    Returns
    -------
    Path

    Examples
    --------
    >>> import numpy as np, lassokit as lk
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((30, 8)); y = X[:, 0] - 2 * X[:, 3]
    >>> p = lk.path(lk.lasso(X, y, 1.0), n_alphas=5, backend="cvxpy")
    >>> p.coefs.shape
    (8, 5)
    """
    if data or not isinstance(problem, Problem):
        # Catching the data call here replaces Python's "takes 1 positional
        # argument" with a sentence that says what to call instead.
        got = ", ".join(type(a).__name__ for a in (problem, *data))
        hint = ""
        if data or hasattr(problem, "__array__") or hasattr(problem, "tocsc"):
            hint = (" For data, call lk.lasso_path(X, y, ...) or lk.enet_path(X, y, "
                    "l1_ratio=..., ...), or state the problem first: "
                    "lk.path(lk.lasso(X, y, 1.0), ...).")
        raise TypeError(f"path() takes one positional argument, problem, a lassokit.Problem; "
                        f"got {got}.{hint}")
    if getattr(problem, "_is_matrix", False):
        from .matrix._path import matrix_path

        return matrix_path(problem, alphas=alphas, n_alphas=n_alphas, eps=eps, backend=backend,
                           tol=tol, max_iter=max_iter, coef_init=coef_init, verbose=verbose,
                           **options)
    # One session, one reading of the data: the grid and every strength
    # share the statistics derived here (see Problem's notes).
    names, original = problem.feature_names, problem
    problem = problem._pinned()
    if alphas is None:
        grid = alpha_grid(problem, n_alphas, eps)
    else:
        grid = _check_alphas(alphas)
    result = run_path(problem, grid, backend=backend, tol=tol, max_iter=max_iter,
                      coef_init=coef_init, strong_rules=strong_rules, verbose=verbose,
                      options=options)
    result.feature_names = names
    # coef_at(..., exact=True) re-solves the caller's problem with this backend.
    result._problem, result._options = original, dict(options)
    bad = ~result.converged
    if np.any(bad):
        worst = int(np.argmax(result.rel_gaps))
        warn_unconverged(f"path (worst at alpha={result.alphas[worst]:.4g})", int(bad.sum()),
                         len(result), result.tol, result.rel_gaps[worst], stacklevel=2)
    return result


def run_path(problem, alphas, *, backend="cd", tol=1e-6, max_iter=None, coef_init=None,
             strong_rules=True, verbose=False, options=None, l1_ratio=None):
    """The loop of :func:`path` (and of each cross-validation fold), without warnings.

    Parameters
    ----------
    problem : Problem
    alphas : ndarray of shape (k,)
        Decreasing strengths (checked by the caller).
    backend, tol, max_iter, coef_init, strong_rules, verbose, options
        As for :func:`path`.
    l1_ratio : float, optional
        The L1 share (default: the problem's).

    Returns
    -------
    Path
    """
    problem = problem._pinned() if problem._live else problem
    c = problem._target_scale
    if c != 1.0:
        return _rescaled_path(problem, c, alphas, l1_ratio, backend=backend, tol=tol,
                              max_iter=max_iter, coef_init=coef_init,
                              strong_rules=strong_rules, verbose=verbose, options=options)
    be = resolve_backend(backend, problem)
    tol = check_tol(tol)
    max_iter = check_max_iter(max_iter)
    max_iter = be.default_max_iter if max_iter is None else max_iter
    options = dict(options or {})
    be.check_options(options)
    if not isinstance(strong_rules, (bool, np.bool_)):
        raise TypeError(f"strong_rules must be a bool, got {type(strong_rules).__name__}.")
    verbose = check_bool(verbose, "verbose")
    p, k = problem.n_features, alphas.shape[0]
    w0 = None if coef_init is None else check_coef(coef_init, p, "coef_init")
    if w0 is not None:
        w0 = _box.clip(w0, problem._box)
    r = problem.penalty.l1_ratio if l1_ratio is None else float(l1_ratio)
    coefs = np.empty((p, k), dtype=problem.dtype)
    intercepts, gaps, rel = np.zeros(k), np.empty(k), np.empty(k)
    iters = np.zeros(k, dtype=np.int64)
    conv = np.zeros(k, dtype=bool)
    start = time.perf_counter()
    # The data part is computed once and shared by every strength.
    _ = problem._stats if problem.loss.least_squares else problem._design
    # Loading or compiling kernels is kept out of solve_time, as in Problem.solve.
    with _kernel_time.measure() as kernels:
        session = be.open_path(problem, tol=tol, max_iter=max_iter, options=options,
                               strong_rules=bool(strong_rules))
        try:
            # A one-call grid reports its own gaps: only lassokit's sessions may.
            own = trusts_sums(be) and session.exact_sums
            grid = session.solve_grid(alphas, r, warm_start=w0) if own and not verbose else None
            if grid is not None:
                _from_grid(problem, alphas, r, grid, tol, coefs, intercepts, gaps, rel, iters, conv)
            for i, alpha in enumerate(alphas if grid is None else ()):
                sub = problem.replace(penalty=problem.penalty.at(float(alpha), r))
                t0 = time.perf_counter()
                raw = session.step(sub, warm_start=w0 if i == 0 else None)
                sol = finish(sub, raw, be.name, tol, time.perf_counter() - t0,
                             exact_sums=trusts_sums(be) and session.exact_sums, warn=False)
                coefs[:, i] = sol.coef
                intercepts[i], gaps[i], rel[i] = sol.intercept, sol.dual_gap, sol.rel_gap
                iters[i], conv[i] = sol.n_iter, sol.converged
                if verbose:
                    print(f"alpha={alpha:.6g}  nnz={np.count_nonzero(sol.coef)}  "
                          f"rel_gap={sol.rel_gap:.3g}  n_iter={sol.n_iter}")
        finally:
            session.close()
    elapsed = time.perf_counter() - start - kernels.load_time - kernels.compile_time
    return Path(alphas=alphas, coefs=coefs, intercepts=intercepts, dual_gaps=gaps,
                rel_gaps=rel, n_iters=iters, converged=conv, l1_ratio=r,
                backend=be.name, tol=tol, solve_time=max(elapsed, 0.0), loss=problem.loss)


def _rescaled_path(problem, c, alphas, l1_ratio, *, coef_init, **kw):
    """:func:`run_path` in units where ``max|yc| ~ 1`` (see ``lassokit._rescale``), mapped back.

    The grid and the L1 share are restated by :func:`lassokit._rescale.restated`.
    """
    r = problem.penalty.l1_ratio if l1_ratio is None else float(l1_ratio)
    factor, r_scaled = (float(v) for v in restated(r, c))
    w0 = None if coef_init is None else check_coef(coef_init, problem.n_features,
                                                    "coef_init") / c
    inner = run_path(problem._rescaled(), alphas * factor, coef_init=w0, l1_ratio=r_scaled,
                     **kw)
    coefs = (inner.coefs.astype(np.float64) * c).astype(problem.dtype)
    return Path(alphas=alphas, coefs=coefs, intercepts=inner.intercepts * c,
                dual_gaps=inner.dual_gaps * c * c, rel_gaps=inner.rel_gaps,
                n_iters=inner.n_iters, converged=inner.converged, l1_ratio=r,
                backend=inner.backend, tol=inner.tol, solve_time=inner.solve_time)


def _from_grid(problem, alphas, r, grid, tol, coefs, intercepts, gaps, rel, iters, conv):
    """Fill the path's arrays from a session's :class:`~lassokit.backends.session.GridResult`.

    The gaps are the certificate's (computed in the compiled loop with its
    dual function); what :func:`~lassokit._finish.finish` adds per strength
    is done here for all at once: the intercepts, the relative gaps, and
    zeros certified in place of a non-finite point.
    """
    d = problem._design
    C = grid.coefs
    bad = ~np.isfinite(grid.dual_gaps)
    gaps[:] = grid.dual_gaps
    for i in np.flatnonzero(bad):
        C[:, i] = 0.0
        sub = problem.replace(penalty=problem.penalty.at(float(alphas[i]), r))
        gaps[i] = sub.certify(C[:, i]).dual_gap
    if d.bounded:
        # A float32 grid rounds to nearest, which can step an ulp over a
        # bound: such columns are rounded toward 0 instead and certified again.
        over = np.flatnonzero(np.any((C < d.box[0][:, None]) | (C > d.box[1][:, None]), axis=0))
        for i in over:
            C[:, i] = _box.round_into(_box.clip(C[:, i], d.box), problem.dtype, d.box)
            sub = problem.replace(penalty=problem.penalty.at(float(alphas[i]), r))
            gaps[i] = sub.certify(C[:, i]).dual_gap
    coefs[:] = C
    intercepts[:] = d.y_offset - d.x_offset @ C if d.fit_intercept else 0.0
    rel[:] = gaps / d.p0 if d.p0 > 0 else np.where(gaps == 0, 0.0, np.inf)
    iters[:] = grid.n_iters
    conv[:] = (gaps <= tol * d.p0) & np.isfinite(gaps) & ~bad


def _check_alphas(alphas):
    if isinstance(alphas, numbers.Integral) and not isinstance(alphas, (bool, np.bool_)):
        # scikit-learn 1.9 reads an int as a grid size; here it would silently
        # be one strength.
        raise TypeError(f"alphas must be an array-like of strengths, got the int {alphas!r}; "
                        f"for a grid of {alphas} strengths pass n_alphas={alphas}.")
    return check_alphas(alphas)
