"""Cross-validation on sufficient statistics: one pass over the data for all folds.

The pass of :func:`._stats.compute_fold_moments` returns the moments of each
contiguous fold. The training statistics of fold ``k`` are the exact merge of
the other folds' moments (never a subtraction), its path is solved locally on
the surrogate, and the held-out error needs only fold ``k``'s moments:

    sum_{i in k} w_i (y_i - x_i^T w - b)^2 = v^T C_k v + W_k (m_k^T v - b)^2,

with ``v = [-w, 1]``, ``C_k`` the centred co-moment matrix, ``m_k`` the
means and ``W_k`` the weight sum of the fold. Fold paths run through joblib,
so any joblib backend (threads by default) works.
"""

from __future__ import annotations

import numbers
import time
import warnings
from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed

from .._validation import check_bool, check_max_iter, check_tol
from ..path import _check_alphas, alpha_grid
from ..path import path as _local_path
from ..penalty import Penalty
from ..solution import Solution, convergence_warning
from ._gram import build_surrogate
from ._stats import as_dask_inputs, compute_fold_moments, merge

__all__ = ["CVResult", "cross_validate"]


@dataclass
class CVResult:
    """Outcome of :func:`cross_validate`.

    Attributes
    ----------
    alphas : ndarray of shape (k,)
        The grid (decreasing).
    mse_path : ndarray of shape (k, n_folds)
        Weighted mean squared held-out error of each fold's path.
    alpha_ : float
        Strength with the smallest mean error (first one on ties).
    l1_ratio : float
    solution : Solution
        The whole data refitted at ``alpha_``.
    """

    alphas: np.ndarray
    mse_path: np.ndarray
    alpha_: float
    l1_ratio: float
    solution: Solution


def _heldout_mse(fold, coefs, intercepts, fit_intercept):
    """Weighted held-out MSE of each column of ``coefs`` from the fold's moments."""
    if fold.weight_sum <= 0:
        return np.full(coefs.shape[1], np.nan)
    V = np.vstack([-coefs.astype(np.float64), np.ones(coefs.shape[1])])
    quad = np.einsum("ik,ij,jk->k", V, fold.comoment, V)
    bias = fold.mean @ V - (intercepts if fit_intercept else 0.0)
    return (quad + fold.weight_sum * bias * bias) / fold.weight_sum


def _fold_path(folds, k, penalty, grid, fit_intercept, positive, backend, tol, max_iter):
    train = merge(f for j, f in enumerate(folds) if j != k)
    sur = build_surrogate(train, penalty, fit_intercept=fit_intercept, positive=positive)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", convergence_warning())
        res = _local_path(sur.problem, alphas=grid, backend=backend, tol=tol,
                          max_iter=max_iter)
    intercepts = np.array([sur.intercept(res.coefs[:, i]) for i in range(len(res))])
    return _heldout_mse(folds[k], res.coefs, intercepts, fit_intercept), bool(
        np.all(res.converged))


def cross_validate(X, y, penalty, *, cv=5, alphas=None, n_alphas=100, eps=1e-3,
                   fit_intercept=True, sample_weight=None, positive=False, tol=1e-6,
                   max_iter=None, backend="auto", client=None, n_jobs=None):
    """K-fold cross-validation of the path, from one pass over dask arrays.

    Fold ``k`` holds rows ``i`` with ``floor(i * cv / n) == k`` (contiguous,
    unshuffled; shuffle the rows beforehand if their order carries
    structure). The grid is the whole data's (as scikit-learn's
    ``LassoCV``), the criterion is the mean over folds of the weighted
    held-out MSE and the model is refitted on all rows at the best strength.

    Parameters
    ----------
    X, y, penalty, fit_intercept, sample_weight, positive, tol, max_iter, backend, client
        As for :func:`lassokit.distributed.solve` (``"gram"`` tier).
    cv : int, default=5
        Number of folds (>= 2).
    alphas : array-like, optional
        The grid; default ``n_alphas`` strengths from ``alpha_max`` down to
        ``eps * alpha_max``.
    n_alphas : int, default=100
    eps : float, default=1e-3
    n_jobs : int, optional
        joblib parallelism over folds (the active joblib backend is used).

    Returns
    -------
    CVResult
    """
    if not isinstance(penalty, Penalty):
        raise TypeError(f"penalty must be a lassokit Penalty, got {type(penalty).__name__}.")
    if isinstance(cv, bool) or not isinstance(cv, numbers.Integral) or cv < 2:
        raise ValueError(f"cv must be an integer >= 2 (number of folds), got {cv!r}.")
    fit_intercept = check_bool(fit_intercept, "fit_intercept")
    positive = check_bool(positive, "positive")
    tol = check_tol(tol)
    max_iter = check_max_iter(max_iter)
    X, y, sample_weight = as_dask_inputs(X, y, sample_weight)
    if X.shape[0] < cv:
        raise ValueError(f"cv={cv} folds need at least {cv} samples, got {X.shape[0]}.")
    start = time.perf_counter()
    folds = compute_fold_moments(X, y, sample_weight, int(cv), client=client)
    full = build_surrogate(merge(folds), penalty, fit_intercept=fit_intercept,
                           positive=positive)
    grid = alpha_grid(full.problem, n_alphas, eps) if alphas is None else _check_alphas(alphas)
    out = Parallel(n_jobs=n_jobs, prefer="threads")(
        delayed(_fold_path)(folds, k, penalty, grid, fit_intercept, positive, backend, tol,
                            max_iter)
        for k in range(int(cv))
    )
    mse = np.column_stack([o[0] for o in out])
    if not all(o[1] for o in out):
        warnings.warn(f"cross_validate: some fold paths stopped above tol {tol:.3g}.",
                      convergence_warning(), stacklevel=2)
    best = int(np.nanargmin(np.nanmean(mse, axis=1)))
    r = penalty.l1_ratio
    best_pen = Penalty(grid[best] * r, grid[best] * (1.0 - r), penalty.l1_weights,
                       penalty.l2_weights)
    sur = full.with_penalty(best_pen)
    local = sur.problem.solve(backend, tol=tol, max_iter=max_iter)
    coef = local.coef.astype(X.dtype)
    cert = sur.problem.certify(coef.astype(np.float64))
    converged = cert.dual_gap <= tol * sur.problem._design.p0
    sol = Solution(coef=coef, intercept=sur.intercept(coef), objective=cert.objective,
                   dual_gap=cert.dual_gap, rel_gap=cert.rel_gap, converged=converged,
                   status="optimal" if converged else "inaccurate", n_iter=local.n_iter,
                   backend=f"dask-gram:{local.backend}",
                   solve_time=time.perf_counter() - start, tol=tol,
                   info={"method": "gram", "cv": int(cv)})
    return CVResult(alphas=grid, mse_path=mse, alpha_=float(grid[best]), l1_ratio=r,
                    solution=sol)
