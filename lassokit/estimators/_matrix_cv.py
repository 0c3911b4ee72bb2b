"""Cross-validation over the path of a matrix or group problem (not public).

The machinery of ``MultiTaskLassoCV``, ``MultiTaskElasticNetCV`` and
``GroupLassoCV``, defined as scikit-learn 1.9 defines ``MultiTask*CV``:

* the grid: for each candidate ``l1_ratio`` the problem is stated with a
  *unit* penalty (overall strength 1, the terms in that ratio's
  proportions); an int ``alphas`` gives the geometric grid from the whole
  data's ``alpha_max`` (where ``W = 0`` becomes optimal, all terms scaled
  together) down to ``eps`` times it; an array is sorted decreasing and
  shared by every ``l1_ratio``;
* each (l1_ratio, fold) pair is one joblib task (threads preferred: the
  numba kernels release the GIL) that solves :func:`lassokit.path` on the
  fold's training rows, warm-started along the grid, and scores it on the
  held-out rows: the mean squared error over test samples (weighted by
  their sample weights) and targets;
* ``alpha_`` (and ``l1_ratio_``) minimize the unweighted mean over folds,
  the first minimum over the decreasing grid winning (errors within a
  relative 1e-9 of the minimum tie, as for ``LassoCV``);
* the final model is solved on all data at the choice; at the default
  ``max_iter`` an unconverged refit resumes with 10x and then 100x the
  budget, and is finished by Newton's method on its support, as the refit
  of ``LassoCV`` is finished exactly (see :func:`_refit`).
"""

from __future__ import annotations

import numbers
import warnings
from typing import ClassVar

import numpy as np
from joblib import Parallel, delayed
from sklearn.model_selection import check_cv

from .._validation import check_alphas
from ..path import path as solve_path
from ..problem import Problem
from ..solution import convergence_warning
from ._base import solver_tol
from ._cv_folds import check_folds
from ._cv_refit import _tighter, refit_rounds
from ._cv_select import best_cell
from ._matrix_base import MatrixRegressorBase, store_matrix
from ._matrix_polish import polish_matrix
from ._params import (
    BACKEND,
    BOOL,
    CV_FOLDS_CONSTRAINTS,
    CV_GRID_CONSTRAINTS,
    NONNEG_REAL,
    POS_INT,
)
from ._rounds import solve_rounds
from ._routing import SplitterRoutingMixin, fit_metadata

__all__ = ["FOLDS_DOC", "MATRIX_CV_CONSTRAINTS", "MatrixCVBase"]

#: The docstring entries of ``cv``, ``verbose`` and ``n_jobs``.
FOLDS_DOC = """\
    cv : int, CV splitter or iterable, default=None
        As in scikit-learn (None: 5-fold ``KFold``, no shuffling).
    verbose : bool or int, default=False
        joblib verbosity.
    n_jobs : int, default=None
        Parallel (l1_ratio, fold) tasks; joblib's active backend is used."""

#: The parameters every matrix CV estimator shares (scikit-learn's MultiTask*CV's
#: and lassokit's backend).
MATRIX_CV_CONSTRAINTS = {
    **CV_GRID_CONSTRAINTS,
    "fit_intercept": [BOOL],
    "max_iter": [POS_INT],
    "tol": [NONNEG_REAL],
    **CV_FOLDS_CONSTRAINTS,
    "backend": [BACKEND],
}

#: scikit-learn's floor of a degenerate grid (y fitted by the unpenalized part).
_TINY_ALPHA = np.finfo(np.float64).resolution


def _rows(A, idx):
    return None if A is None else A[idx]


def _fold_errors(X, Y, sw, train, test, penalty, grid, settings):
    """Test MSE (averaged over test samples and targets) along ``grid`` for one fold.

    Returns
    -------
    ndarray of shape (n_alphas,)
    """
    problem = Problem(X[train], Y[train], penalty, fit_intercept=settings["fit_intercept"],
                      sample_weight=_rows(sw, train))
    fold = solve_path(problem, alphas=grid, backend=settings["backend"], tol=settings["tol"],
                      max_iter=settings["max_iter"])
    coefs = fold.coefs if fold.coefs.ndim == 3 else fold.coefs[None]  # (K, p, k)
    K, p, k = coefs.shape
    W = np.asarray(coefs, dtype=np.float64).transpose(1, 0, 2).reshape(p, K * k)
    pred = np.asarray(X[test] @ W).reshape(-1, K, k)
    b = np.reshape(fold.intercepts, (K, k)) if settings["fit_intercept"] else 0.0
    Yt = Y[test].reshape(-1, K)
    res = Yt[:, :, None] - pred - b
    sq = np.einsum("ikj,ikj->ij", res, res) / K  # mean over the targets
    w = _rows(sw, test)
    mse = sq.mean(axis=0) if w is None else (w @ sq) / w.sum()
    return mse


class MatrixCVBase(SplitterRoutingMixin, MatrixRegressorBase):
    """``fit`` of the matrix CV estimators (not public): grid, folds, choice, refit.

    Subclasses give ``_l1_ratios()`` (the candidates, 1-D) and
    ``_unit_penalty(r)`` (the penalty of overall strength 1 at ratio ``r``).
    """

    _constraints: ClassVar[dict] = MATRIX_CV_CONSTRAINTS

    def _l1_ratios(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _unit_penalty(self, ratio):  # pragma: no cover - abstract
        raise NotImplementedError

    def _grid(self, X, Y, sw, ratio, penalty):
        """The strengths of one ``l1_ratio`` (see the module docstring)."""
        if not isinstance(self.alphas, numbers.Integral):
            return check_alphas(self.alphas)
        top = Problem(X, Y, penalty, fit_intercept=self.fit_intercept,
                      sample_weight=sw).alpha_max()
        if not np.isfinite(top):
            raise ValueError(
                "Automatic alpha grid generation is not supported for "
                f"l1_ratio={float(ratio):g}: no strength makes all coefficients zero without "
                "an L1 or group term. "
                "Please supply a grid by providing your estimator with the appropriate "
                "`alphas=` argument.")
        if top <= _TINY_ALPHA:
            return np.full(int(self.alphas), _TINY_ALPHA)
        return np.geomspace(top, top * float(self.eps), num=int(self.alphas))

    def fit(self, X, y, sample_weight=None, **params):
        """Choose ``alpha`` (and ``l1_ratio``) by cross-validation, then refit on all data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 stays float32, never modified.
        y : array-like of shape (n_samples, n_targets)
            Targets.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weights, used for fitting (rescaled to sum to the
            number of rows fitted) and for the weighted test MSE of each
            fold; the criterion is the unweighted mean of the fold MSEs. A
            scalar is ignored. Every fold needs a positive total weight in
            its training and test parts.
        **params
            Metadata for the CV splitter (e.g. ``groups``); needs
            ``sklearn.set_config(enable_metadata_routing=True)``.

        Returns
        -------
        self
        """
        X, Y, sw = self._validate_train(X, y, sample_weight)
        split_params, _ = fit_metadata(self, params, sample_weight)
        ratios = self._l1_ratios()
        penalties = [self._unit_penalty(float(r)) for r in ratios]
        grids = np.array([self._grid(X, Y, sw, r, pen) for r, pen in zip(ratios, penalties)])
        folds = list(check_cv(self.cv).split(X, Y, **split_params))
        check_folds(folds, sw)
        settings = {"fit_intercept": self.fit_intercept, "backend": self.backend,
                    "tol": solver_tol(self.tol), "max_iter": self.max_iter}
        jobs = (delayed(_fold_errors)(X, Y, sw, train, test, pen, grid, settings)
                for pen, grid in zip(penalties, grids) for train, test in folds)
        # Each fold's path warns for itself when a strength stops short of tol.
        out = Parallel(n_jobs=self.n_jobs, verbose=self.verbose, prefer="threads")(jobs)
        mse = np.reshape(out, (len(ratios), len(folds), -1))
        # (n_l1_ratio, n_alphas, n_folds), squeezed for one ratio, as scikit-learn's.
        self.mse_path_ = np.squeeze(np.moveaxis(mse, 2, 1))
        mean = mse.mean(axis=1)
        if not np.any(np.isfinite(mean)):
            raise ValueError(
                f"{type(self).__name__}: the cross-validated error is not finite for any alpha "
                "(products and squares of the data overflow float64). Rescale X or y.")
        row, i_best = best_cell(mean)
        self.alpha_ = float(grids[row, i_best])
        self.l1_ratio_ = float(ratios[row])
        # One row per l1_ratio for default grids; a given grid once (scikit-learn's).
        explicit = not isinstance(self.alphas, numbers.Integral)
        self.alphas_ = grids[0] if len(ratios) == 1 or explicit else grids
        full = Problem(X, Y, penalties[row].scaled(self.alpha_),
                       fit_intercept=self.fit_intercept, sample_weight=sw)
        store_matrix(self, _refit(full, self.backend, solver_tol(self.tol), self.max_iter),
                     X.dtype, self.fit_intercept)
        return self


def _refit(problem, backend, tol, max_iter):
    """The final model: certified to ``tol``, then finished on its support.

    As ``LassoCV``'s refit: solved (at the default ``max_iter`` in up to
    three budgets) and finished by Newton's method on its support
    (:mod:`lassokit.estimators._matrix_polish`), so that the model does not
    depend on how the data were stored or weighted. A finish that does not
    reach rounding level (the support not identified at ``tol``, or too
    large to finish) is followed, for float64 data, by one more solve
    towards ``max(tol * 1e-5, 1e-13)`` from there and a finish of that; the
    best certificate is kept. ``n_iter`` counts every solve.
    """
    sol, _ = solve_rounds(problem, backend, tol, max_iter, refit_rounds(max_iter))
    if not sol.converged:
        return sol
    done = polish_matrix(problem, sol)
    if done.rel_gap <= _EXACT or problem.dtype != np.float64:
        return done  # float32 coefficients hold no more digits than this
    with warnings.catch_warnings():
        # The refinement is a bonus over the certified tol: falling short of
        # the tighter gap is not a failure to report.
        warnings.simplefilter("ignore", convergence_warning())
        finer = problem.solve(backend, tol=_tighter(tol), max_iter=10 * max_iter,
                              warm_start=sol.coef)
    if not finer.dual_gap < done.dual_gap:
        return done
    finer.n_iter += sol.n_iter
    finer.tol, finer.converged, finer.status = sol.tol, True, "optimal"
    return polish_matrix(problem, finer)


#: A finished refit at or below this relative gap is the optimum to rounding.
_EXACT = 1e-13
