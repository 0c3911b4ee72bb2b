"""Regularization paths of matrix and group problems.

At strength ``alpha`` the penalty is the problem's, every term scaled in
proportion so that its overall strength (:attr:`GroupPenalty.total`, or
``a1 + a2`` for an entry-wise penalty) is ``alpha``: scikit-learn's
``MultiTaskElasticNet`` alpha, and :class:`~lassokit.GroupLasso`'s. Each
strength starts from the previous solution and shares one reading of the
data (the centred design, the blocks' Lipschitz constants).
"""

from __future__ import annotations

import numbers
import time
from dataclasses import replace as _dc_replace

import numpy as np

from .._finish import warn_unconverged
from .._path_result import Path
from ..group import GroupPenalty
from ._certify import certify_design, is_multinomial, solve
from ._design import xtm
from ._dual import _project_free, _unpenalized_rows

__all__ = ["MatrixPath", "matrix_alpha_max", "matrix_grid", "matrix_path"]


def _total(penalty):
    return penalty.total if isinstance(penalty, GroupPenalty) else penalty.l1 + penalty.l2


def matrix_alpha_max(problem, d=None):
    """The overall strength at which ``W = 0`` first becomes optimal (terms in proportion)."""
    d = problem.design() if d is None else d
    total = _total(problem.penalty)
    if total == 0:
        raise ValueError("the default alpha grid needs a penalty with an L1 or group term; "
                         "pass alphas= explicitly.")
    from ..kernels.group_scale import block_scales

    lay = d.layout
    if is_multinomial(d):
        if np.any(_unpenalized_rows(lay)):
            raise ValueError("alpha_max of a multinomial problem with unpenalized features is "
                             "not available; pass alphas= explicitly.")
        from ._multinomial import certify_multinomial

        V = certify_multinomial(d, np.zeros((d.p, d.K))).V
    else:
        HR = _project_free(d, d.Y.copy()) * d.h[:, None]
        V = xtm(d, HR) / d.n
    absv = np.abs(V)
    absv[_unpenalized_rows(lay)] = 0.0
    # An L2 part has a zero subgradient at 0: only L1 and group terms count.
    unit = _dc_replace(lay, lam=lay.lam / total, galpha=lay.galpha / total)
    scales = np.empty(lay.n_blocks)
    block_scales(absv, unit.lam, lay.gptr, lay.gidx, unit.galpha,
                 np.zeros(lay.n_blocks, dtype=bool), scales)
    t = float(scales.min()) if scales.size else np.inf
    if t == 0.0:
        return np.inf  # a block with neither an L1 nor a group term is not fitted at 0
    return 0.0 if not np.isfinite(t) else 1.0 / t


def matrix_grid(problem, n_alphas, eps, d=None):
    """Geometric grid from :func:`matrix_alpha_max` down to ``eps`` times it
    (:func:`lassokit.alpha_grid` of a matrix problem)."""
    if isinstance(n_alphas, bool) or not isinstance(n_alphas, numbers.Integral) or n_alphas < 1:
        raise ValueError(f"n_alphas must be an integer >= 1, got {n_alphas!r}.")
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not 0 < eps <= 1:
        raise ValueError(f"eps must be a number in (0, 1] (alpha_min / alpha_max), got {eps!r}.")
    tiny = np.finfo(np.float64).resolution
    a_max = matrix_alpha_max(problem, d)
    if not np.isfinite(a_max) or a_max <= tiny:
        return np.full(int(n_alphas), max(a_max if np.isfinite(a_max) else 1.0, tiny))
    return np.geomspace(a_max, a_max * eps, num=int(n_alphas))


class MatrixPath:
    """Solutions of one matrix or group problem along decreasing strengths.

    Attributes
    ----------
    alphas : ndarray of shape (k,)
        Overall strengths, decreasing.
    coefs : ndarray
        ``(n_features, k)`` for a one-target problem; ``(K, n_features, k)``
        for a 2-D ``y``, as scikit-learn's multi-output paths.
    intercepts : ndarray of shape (k,) or (K, k)
    dual_gaps, rel_gaps : ndarray of shape (k,)
        Certified duality gaps (absolute, and over ``P(0, b0)``).
    n_iters : ndarray of int of shape (k,)
    converged : ndarray of bool of shape (k,)
    backend : str
    tol : float
    solve_time : float
    feature_names : ndarray or None
    """

    def __init__(self, *, alphas, coefs, intercepts, dual_gaps, rel_gaps, n_iters, converged,
                 backend, tol, solve_time, feature_names=None, problem=None):
        self.alphas, self.coefs, self.intercepts = alphas, coefs, intercepts
        self.dual_gaps, self.rel_gaps = dual_gaps, rel_gaps
        self.n_iters, self.converged = n_iters, converged
        self.backend, self.tol, self.solve_time = backend, tol, solve_time
        self.feature_names = feature_names
        self._problem = problem

    # scikit-learn's (alphas, coefs, dual_gaps) triple, as a Path's.
    __len__ = Path.__len__
    __iter__ = Path.__iter__
    __getitem__ = Path.__getitem__

    def coef_at(self, alpha):
        """Coefficients at ``alpha``: a grid point's, or a solve warm-started from the nearest.

        Parameters
        ----------
        alpha : float
            An overall strength (every term in proportion, as on the grid).

        Returns
        -------
        ndarray of shape (n_features,) or (n_features, K)
        """
        alpha = float(alpha)
        k = int(np.argmin(np.abs(np.log(self.alphas) - np.log(max(alpha, 1e-300)))))
        W = self.coefs[..., k]
        W = W.T if W.ndim == 2 else W
        if np.isclose(self.alphas[k], alpha, rtol=1e-12, atol=0.0) or self._problem is None:
            return W
        prob = self._problem
        pen = prob.penalty
        sol = prob.replace(penalty=pen.scaled(alpha / _total(pen))).solve(
            self.backend, tol=self.tol, warm_start=W)
        return sol.coef

    def predict(self, X, alpha):
        """Predictions ``X @ W(alpha) + b(alpha)`` at one strength.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        alpha : float

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, K)
        """
        alpha = float(alpha)
        prob = self._problem
        W = self.coef_at(alpha)
        pen = prob.penalty
        b = prob.replace(penalty=pen.scaled(alpha / _total(pen))).certify(W).intercept
        out = np.asarray(X @ np.asarray(W, dtype=np.float64))
        return out + (b[0] if out.ndim == 1 and np.ndim(b) else b)

    def group_norms(self):
        """``||W_g||_2`` of every user group along the path, shape (n_groups, k)."""
        lay = self._problem.layout
        C = self.coefs if self.coefs.ndim == 3 else self.coefs[None]
        sq = np.einsum("kjs,kjs->js", C, C)
        out = np.add.reduceat(sq[lay.gidx], lay.gptr[:-1], axis=0)[:lay.n_groups]
        return np.sqrt(out)

    def plot(self, ax=None, *, colors=None):
        """Norm of each group (or row) against ``alpha``, one colour per group.

        Parameters
        ----------
        ax : matplotlib Axes, optional
        colors : sequence of colours, optional
            One per group (default: matplotlib's cycle).

        Returns
        -------
        matplotlib Axes
        """
        import matplotlib.pyplot as plt

        ax = plt.gca() if ax is None else ax
        norms = self.group_norms()
        for g in range(norms.shape[0]):
            kw = {} if colors is None else {"color": colors[g % len(colors)]}
            ax.plot(self.alphas, norms[g], **kw)
        ax.set_xscale("log")
        ax.invert_xaxis()
        ax.set_xlabel("alpha")
        ax.set_ylabel("group norm ||W_g||")
        return ax

    def __repr__(self):
        return (f"MatrixPath(n_alphas={len(self)}, backend={self.backend!r}, "
                f"converged={int(self.converged.sum())}/{len(self)})")


def matrix_path(problem, *, alphas=None, n_alphas=100, eps=1e-3, backend="cd", tol=1e-6,
                max_iter=None, coef_init=None, verbose=False, **options):
    """The path of a matrix or group problem (the body of :func:`lassokit.path`)."""
    from .._validation import check_max_iter, check_tol
    from ..backends.registry import resolve_backend
    from ._solver import BlockState

    be = resolve_backend(backend, problem)
    tol = check_tol(tol)
    max_iter = check_max_iter(max_iter)
    be.check_options(options)
    budget = be.default_max_iter if max_iter is None else max_iter
    d = problem.design()
    pen = problem.penalty
    total = _total(pen)
    if alphas is None:
        grid = matrix_grid(problem, n_alphas, eps, d)
    else:
        grid = np.sort(np.asarray(alphas, dtype=np.float64).ravel())[::-1]
        if grid.size == 0 or np.any(~np.isfinite(grid)) or np.any(grid < 0):
            raise ValueError("alphas must be finite non-negative numbers.")
    if total == 0:
        raise ValueError("a path needs a penalty with a non-zero strength to scale.")
    W = np.zeros((d.p, d.K)) if coef_init is None else problem._as_matrix(coef_init,
                                                                           "coef_init")
    native = be.name == "cd"
    state = BlockState(d) if native and not is_multinomial(d) else None
    k = grid.size
    coefs = np.zeros((d.p, d.K, k))
    icpt = np.zeros((d.K, k))
    gaps, rel, iters = np.zeros(k), np.zeros(k), np.zeros(k, dtype=np.int64)
    conv = np.zeros(k, dtype=bool)
    start = time.perf_counter()
    for i, a in enumerate(grid):
        s = a / total
        lay = _dc_replace(d.layout, lam=d.layout.lam * s, galpha=d.layout.galpha * s,
                          mu=d.layout.mu * s)
        di = _dc_replace(d, layout=lay)
        if native:
            if state is not None:
                state.d = di
            W, n_it, _ = solve(di, tol=tol, max_iter=budget, W0=W, state=state)
        else:
            raw = be.solve_matrix(problem, di, tol=tol, max_iter=budget, warm_start=W,
                                  **options)
            W, n_it = np.asarray(raw["coef"], dtype=np.float64), int(raw.get("n_iter", 0))
        W = W.astype(problem.dtype).astype(np.float64)
        _, gap, b = certify_design(di, W)
        coefs[:, :, i] = W
        icpt[:, i] = b
        gaps[i] = gap
        rel[i] = gap / d.p0 if d.p0 > 0 else (0.0 if gap == 0 else np.inf)
        iters[i], conv[i] = n_it, rel[i] <= tol
        if verbose:
            print(f"alpha={a:.4g}: rel_gap {rel[i]:.3g}, {n_it} epochs")
    elapsed = time.perf_counter() - start
    one = problem._one_target
    out = MatrixPath(alphas=grid, coefs=(coefs[:, 0, :] if one else coefs.transpose(1, 0, 2))
                     .astype(problem.dtype), intercepts=icpt[0] if one else icpt,
                     dual_gaps=gaps, rel_gaps=rel, n_iters=iters, converged=conv,
                     backend=be.name, tol=tol, solve_time=elapsed,
                     feature_names=problem.feature_names, problem=problem)
    bad = ~conv
    if np.any(bad):
        worst = int(np.argmax(rel))
        warn_unconverged(f"path (worst at alpha={grid[worst]:.4g})", int(bad.sum()), k,
                         tol, rel[worst], stacklevel=3)
    return out
