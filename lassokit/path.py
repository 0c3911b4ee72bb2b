"""Regularization paths (API.md section 6): warm starts plus sequential screening.

The path varies the overall strength ``alpha`` of a problem's penalty while
its L1 share ``r = a1 / (a1 + a2)`` and the per-feature weights stay fixed:

    penalty(alpha) = alpha * (r * L1(v1) + (1 - r) * L2(v2)).

Each strength is solved warm-started from the previous one. Backends that
screen features themselves (``screens_features = True``, e.g. ``"cd"`` with
Gap Safe rules and working sets) get the whole problem; for the others the
sequential strong rule of Tibshirani et al. (2012) shrinks the problem and a
KKT check on every discarded feature, followed by lassokit's own certificate
on the *full* problem, decides whether the reduced answer stands.

References
----------
Tibshirani, Bien, Friedman, Hastie, Simon, Taylor & Tibshirani (2012),
"Strong rules for discarding predictors in lasso-type problems", JRSS B 74(2).
Friedman, Hastie & Tibshirani (2010), "Regularization paths for generalized
linear models via coordinate descent", J. Stat. Softw. 33(1).
"""

from __future__ import annotations

import numbers
import time
import warnings

import numpy as np

from . import _linalg
from ._validation import check_coef, check_max_iter, check_tol
from .backends.base import BackendResult
from .backends.registry import resolve_backend
from .certificate import certify, residual
from .penalty import Penalty
from .problem import Problem
from .solution import convergence_warning

__all__ = ["Path", "path", "alpha_grid"]

#: Below this ``alpha_max`` the default grid degenerates to a constant one,
#: as scikit-learn's does (``np.finfo(np.float64).resolution``).
_TINY_ALPHA = np.finfo(np.float64).resolution


class Path:
    """Solutions of one problem along a decreasing grid of strengths.

    Attributes
    ----------
    alphas : ndarray of shape (k,)
        Overall strengths, decreasing.
    coefs : ndarray of shape (n_features, k)
        Coefficients at each strength, in the problem's float dtype.
    intercepts : ndarray of shape (k,)
        Optimal intercepts (zeros without intercept).
    dual_gaps : ndarray of shape (k,)
        Certified duality gaps (API.md section 1 scale).
    rel_gaps : ndarray of shape (k,)
        ``dual_gaps / P(0, b0)``.
    n_iters : ndarray of int of shape (k,)
        Backend iterations per strength (summed over screening rounds).
    converged : ndarray of bool of shape (k,)
        Whether each strength reached ``tol``.
    l1_ratio : float
        The fixed L1 share ``r``.
    backend : str
        Name of the backend used.
    tol : float
        The relative duality gap asked for.
    solve_time : float
        Wall-clock seconds of the whole path.
    """

    def __init__(self, *, alphas, coefs, intercepts, dual_gaps, rel_gaps, n_iters,
                 converged, l1_ratio, backend, tol, solve_time):
        self.alphas = alphas
        self.coefs = coefs
        self.intercepts = intercepts
        self.dual_gaps = dual_gaps
        self.rel_gaps = rel_gaps
        self.n_iters = n_iters
        self.converged = converged
        self.l1_ratio = float(l1_ratio)
        self.backend = backend
        self.tol = float(tol)
        self.solve_time = float(solve_time)

    def __len__(self):
        return self.alphas.shape[0]

    def __repr__(self):
        k = len(self)
        return (
            f"Path(n_alphas={k}, alphas=[{self.alphas[0]:.4g} .. {self.alphas[-1]:.4g}], "
            f"l1_ratio={self.l1_ratio:g}, backend={self.backend!r}, "
            f"converged={int(self.converged.sum())}/{k}, "
            f"max_rel_gap={float(np.max(self.rel_gaps)):.3g}, solve_time={self.solve_time:.3g}s)"
        )

    def plot(self, ax=None):
        """Coefficient paths against ``alpha`` on a log axis (needs matplotlib).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; the current Axes by default.

        Returns
        -------
        matplotlib.axes.Axes
        """
        from .plotting import plot_path

        return plot_path(self, ax=ax)


def alpha_grid(problem, n_alphas=100, eps=1e-3):
    """The default grid: geometric from ``alpha_max`` down to ``eps * alpha_max``.

    ``alpha_max = problem.alpha_max() / r`` with ``r`` the problem's L1 share,
    the overall strength at which ``coef = 0`` first becomes optimal (this is
    scikit-learn's grid for ``ElasticNet(alpha, l1_ratio=r)``). When
    ``alpha_max`` is below ``np.finfo(float).resolution`` (y fitted by the
    unpenalized part) every entry is that resolution, as in scikit-learn.

    Parameters
    ----------
    problem : Problem
    n_alphas : int, default=100
    eps : float, default=1e-3
        ``alpha_min / alpha_max``.

    Returns
    -------
    ndarray of shape (n_alphas,)
    """
    if isinstance(n_alphas, bool) or not isinstance(n_alphas, numbers.Integral) or n_alphas < 1:
        raise ValueError(f"n_alphas must be an integer >= 1, got {n_alphas!r}.")
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not 0 < eps < np.inf:
        raise ValueError(f"eps must be a finite number > 0, got {eps!r}.")
    r = _l1_share(problem.penalty)
    if r == 0:
        raise ValueError(
            "the default alpha grid needs an L1 term (l1_ratio > 0); pass alphas= explicitly."
        )
    a_max = problem.alpha_max() / r
    if a_max <= _TINY_ALPHA:
        return np.full(int(n_alphas), _TINY_ALPHA)
    return np.geomspace(a_max, a_max * eps, num=int(n_alphas))


def path(problem, *, alphas=None, n_alphas=100, eps=1e-3, backend="cd", tol=1e-6,
         max_iter=None, coef_init=None, screening="auto", verbose=False, **options):
    """Solve ``problem`` along a decreasing grid of overall strengths.

    At strength ``alpha`` the penalty is ``alpha * (r * L1 + (1 - r) * L2)``
    with ``r = a1 / (a1 + a2)`` of ``problem.penalty`` and its per-feature
    weights held fixed (so ``alpha`` is scikit-learn's ``ElasticNet`` alpha
    with ``l1_ratio = r``). Each strength starts from the previous solution.

    Parameters
    ----------
    problem : Problem
        Fixes data, weights, intercept, positivity and the L1 share.
    alphas : array-like of shape (k,), optional
        Strengths (sorted into decreasing order). Default: :func:`alpha_grid`.
    n_alphas : int, default=100
        Grid size when ``alphas`` is None.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` when ``alphas`` is None.
    backend : str or Backend, default="cd"
        Any backend that can take the problem.
    tol : float, default=1e-6
        Relative duality gap asked for at every strength.
    max_iter : int, optional
        Iteration budget of each solve (the backend's default when None).
    coef_init : array-like of shape (n_features,), optional
        Warm start for the first strength (default: zeros).
    screening : {"auto", "strong", "none"}, default="auto"
        ``"strong"``: sequential strong rules with a KKT check and the full
        certificate as arbiter; ``"none"``: the backend sees every feature;
        ``"auto"``: ``"strong"`` unless the backend screens by itself.
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
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a lassokit.Problem, got {type(problem).__name__}.")
    if alphas is None:
        grid = alpha_grid(problem, n_alphas, eps)
    else:
        grid = _check_alphas(alphas)
    runner = _PathRunner(problem, backend=backend, tol=tol, max_iter=max_iter,
                         screening=screening, verbose=verbose, options=options)
    result = runner.run(grid, coef_init=coef_init)
    bad = ~result.converged
    if np.any(bad):
        worst = int(np.argmax(result.rel_gaps))
        warnings.warn(
            f"path: {int(bad.sum())} of {len(result)} strengths stopped above tol {result.tol:.3g} "
            f"(worst relative duality gap {result.rel_gaps[worst]:.3g} at alpha="
            f"{result.alphas[worst]:.4g}). Increase max_iter or loosen tol.",
            convergence_warning(),
            stacklevel=2,
        )
    return result


def _check_alphas(alphas):
    try:
        arr = np.array(alphas, dtype=np.float64).ravel()
    except (TypeError, ValueError) as exc:
        raise TypeError("alphas must be an array-like of numbers.") from exc
    if arr.size == 0:
        raise ValueError("alphas must not be empty.")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError("alphas must be finite and >= 0.")
    return np.sort(arr)[::-1].copy()


def _l1_share(penalty):
    total = penalty.l1 + penalty.l2
    return 1.0 if total == 0 else penalty.l1 / total


class _PathRunner:
    """Warm-started solves along a grid for one problem (shared with CV)."""

    def __init__(self, problem, *, backend, tol, max_iter, screening, verbose=False,
                 options=None, l1_ratio=None):
        self.backend = resolve_backend(backend, problem)
        X = problem.X
        if self.backend.name == "cd" and isinstance(X, np.ndarray) and not X.flags.f_contiguous:
            # "cd" works on Fortran-ordered X and would convert it at every
            # strength: convert once for the whole path instead.
            problem = problem.replace(X=np.asfortranarray(X))
        problem._stats  # computed once here, shared by every strength's replace()
        self.problem = problem
        self.tol = check_tol(tol)
        max_iter = check_max_iter(max_iter)
        self.max_iter = self.backend.default_max_iter if max_iter is None else max_iter
        self.options = dict(options or {})
        self.backend.check_options(self.options)
        if screening not in ("auto", "strong", "none"):
            raise ValueError(f"screening must be 'auto', 'strong' or 'none', got {screening!r}.")
        if screening == "auto":
            screening = "none" if self._backend_screens() else "strong"
        self.strong = screening == "strong"
        self.verbose = bool(verbose)
        pen = problem.penalty
        # An explicit share avoids the rounding of a1 / (a1 + a2).
        self.r = _l1_share(pen) if l1_ratio is None else float(l1_ratio)
        self.v1, self.v2 = pen.l1_weights, pen.l2_weights
        p = problem.n_features
        self.v1_full = np.ones(p) if self.v1 is None else self.v1

    def _backend_screens(self):
        # A backend either says so, or exposes a screening option left on.
        says = getattr(self.backend, "screens_features", None)
        if says is not None:
            return bool(says)
        declared = self.backend.options or {}
        return "screening" in declared and bool(self.options.get("screening", True))

    def penalty_at(self, alpha):
        return Penalty(alpha * self.r, alpha * (1.0 - self.r), self.v1, self.v2)

    def run(self, alphas, coef_init=None):
        prob = self.problem
        p, k = prob.n_features, alphas.shape[0]
        w = np.zeros(p) if coef_init is None else check_coef(coef_init, p, "coef_init")
        if prob.positive:
            w = np.maximum(w, 0.0)
        coefs = np.empty((p, k), dtype=prob.dtype)
        intercepts = np.zeros(k)
        gaps, rel = np.empty(k), np.empty(k)
        iters = np.zeros(k, dtype=np.int64)
        conv = np.zeros(k, dtype=bool)
        # The strong rule compares to the previous strength; before the first
        # one that is alpha_max when starting from zero (where corr = X^T y / n).
        corr = prev_lam = None
        if self.strong:
            corr = self._correlations(self._residual(w))
            a_max = prob.alpha_max() / self.r if self.r > 0 else np.inf
            prev_lam = self.r * max(a_max, alphas[0]) * self.v1_full
        start = time.perf_counter()
        for i, alpha in enumerate(alphas):
            sub = prob.replace(penalty=self.penalty_at(float(alpha)))
            if self.strong:
                w, cert, n_it, corr = self._solve_screened(sub, w, corr, prev_lam)
                prev_lam = sub._design.lam
            else:
                w, cert, n_it = self._solve(sub, w)
            coefs[:, i] = w
            intercepts[i] = cert.intercept
            gaps[i], rel[i], iters[i] = cert.dual_gap, cert.rel_gap, n_it
            conv[i] = cert.dual_gap <= self.tol * sub._design.p0
            if self.verbose:
                print(f"alpha={alpha:.6g}  nnz={np.count_nonzero(w)}  rel_gap={cert.rel_gap:.3g}  "
                      f"n_iter={n_it}")
        return Path(alphas=alphas, coefs=coefs, intercepts=intercepts, dual_gaps=gaps,
                    rel_gaps=rel, n_iters=iters, converged=conv, l1_ratio=self.r,
                    backend=self.backend.name, tol=self.tol,
                    solve_time=time.perf_counter() - start)

    # -- one strength --------------------------------------------------------------
    def _call_backend(self, sub, w0):
        raw = self.backend.solve(sub, tol=self.tol, max_iter=self.max_iter, warm_start=w0,
                                 **self.options)
        if isinstance(raw, dict):
            raw = BackendResult(**raw)
        coef = np.asarray(raw.coef, dtype=np.float64).ravel()
        if coef.shape != (sub.n_features,) or not np.all(np.isfinite(coef)):
            coef = np.zeros(sub.n_features)
        if sub.positive:
            coef = np.maximum(coef, 0.0)
        return coef, tuple(raw.dual_points or ()), int(raw.n_iter)

    def _certify(self, sub, coef, dual_points, want_corr):
        """Certificate of ``coef`` on the full problem ``sub`` (and its correlations).

        The coefficients are rounded to the output dtype first: the
        certificate describes what is returned. As in ``Problem.solve``, the
        unrounded residual stays a dual candidate (float32 rounding is first
        order in w, second order in P).
        """
        if sub.dtype != np.float64:
            dual_points = dual_points + (self._residual(coef),)
            coef = coef.astype(sub.dtype).astype(np.float64)
        r = self._residual(coef)
        corr = self._correlations(r) if want_corr else None
        return coef, certify(sub._design, sub.X, coef, dual_points, r=r, u=corr), corr

    def _residual(self, w):
        """Centred residual ``yc - Xc w``, from the support columns when few."""
        d = self.problem._design
        nz = np.flatnonzero(w)
        if nz.size > 0.25 * w.size:
            return residual(d, self.problem.X, w)
        fit = _linalg.columns(self.problem.X, nz) @ w[nz] if nz.size else np.zeros(d.n)
        return d.yc - (fit - float(d.x_offset[nz] @ w[nz]))

    def _correlations(self, r):
        """``Xc^T S r / n``: minus the gradient of the data term (one pass over X)."""
        d = self.problem._design
        sr = r if d.sw is None else d.sw * r
        return (_linalg.rmatvec(self.problem.X, sr) - d.x_offset * sr.sum()) / d.n

    def _solve(self, sub, w0):
        coef, dual_points, n_it = self._call_backend(sub, w0)
        coef, cert, _ = self._certify(sub, coef, dual_points, want_corr=False)
        return coef, cert, n_it

    def _solve_screened(self, sub, w, corr, prev_lam):
        """Strong rule, reduced solve, KKT check; the full certificate decides."""
        lam = sub._design.lam
        eff = corr if sub.positive else np.abs(corr)
        keep = (w != 0) | (lam == 0) | (eff >= 2.0 * lam - prev_lam)
        total_it = 0
        while True:
            idx = np.flatnonzero(keep)
            coef = np.zeros(sub.n_features)
            dual_points = ()
            if idx.size:
                c_red, dual_points, n_it = self._call_backend(self._restrict(sub, idx), w[idx])
                coef[idx] = c_red
                total_it += n_it
            coef, cert, corr = self._certify(sub, coef, dual_points, want_corr=True)
            if cert.dual_gap <= self.tol * sub._design.p0:
                return coef, cert, total_it, corr
            eff = corr if sub.positive else np.abs(corr)
            viol = ~keep & (eff > lam * (1.0 + 1e-12))
            if not np.any(viol):
                # Every discarded feature satisfies KKT: the reduced solve
                # itself fell short of tol; more features would not help.
                return coef, cert, total_it, corr
            keep |= viol
            w = coef

    def _restrict(self, sub, idx):
        """``sub`` on the columns ``idx``, penalty weights sliced alike.

        The rows are the same, so the data statistics are those of the full
        problem restricted to ``idx`` (no pass over the columns again).
        """
        pen = sub.penalty
        v1 = None if pen.l1_weights is None else pen.l1_weights[idx]
        v2 = None if pen.l2_weights is None else pen.l2_weights[idx]
        reduced = Problem(sub.X[:, idx], sub.y, Penalty(pen.l1, pen.l2, v1, v2),
                          fit_intercept=sub.fit_intercept, sample_weight=sub.sample_weight,
                          positive=sub.positive)
        x_offset, y_offset, yc, p0 = self.problem._stats
        reduced.__dict__["_stats"] = (x_offset[idx], y_offset, yc, p0)
        return reduced
