"""The machinery of ``LassoCV`` and ``ElasticNetCV``: validate once, run the folds, choose, refit.

:class:`_LinearModelCV` holds what the two estimators share: the grid, the
folds (Gram blocks or backend sessions, :mod:`lassokit.estimators._cv_folds`),
the choice of ``alpha_`` (:mod:`lassokit.estimators._cv_select`) and the
refit (:mod:`lassokit.estimators._cv_refit`). What is computed, and how it
matches scikit-learn 1.9, is told in :mod:`lassokit.estimators.cv`.
"""

from __future__ import annotations

import numbers
from typing import ClassVar

import numpy as np
from joblib import Parallel, delayed
from sklearn.model_selection import check_cv

from .._box import check_limits, make_box
from .._finish import warn_unconverged
from .._standardize import feature_weights
from .._validation import check_alphas, check_X
from ..path import alpha_grid
from ..penalty import Penalty
from ..problem import Problem
from ._base import (
    LinearRegressorBase,
    OffsetPredictMixin,
    SparseCoefMixin,
    backend_hints,
    raw_offset,
    raw_sample_weight,
    solver_tol,
)
from ._cv_folds import (
    MomentProblem,
    _normalized,
    check_folds,
    fold_moments,
    gram_blocks_apply,
    moment_fold,
    session_fold,
)
from ._cv_refit import FullPath, FullPathMixin, refit
from ._cv_select import (
    _max_abs,
    _one_standard_error_alpha,
    _relaxed_choice,
    _restated,
    _standard_errors,
    best_cell,
    standard_error,
)
from ._params import (
    ARRAY,
    BOOL,
    CV_FOLDS_CONSTRAINTS,
    CV_GRID_CONSTRAINTS,
    NONNEG_REAL,
    POS_INT,
    Options,
)
from ._routing import SplitterRoutingMixin, fit_metadata
from .linear import GLMNET_CONSTRAINTS

__all__ = ["CV_CONSTRAINTS", "_LinearModelCV"]

# In scikit-learn's order (the first invalid parameter is the one reported).
CV_CONSTRAINTS = {
    **CV_GRID_CONSTRAINTS,
    "fit_intercept": [BOOL],
    "precompute": [Options("auto"), BOOL, ARRAY],
    "max_iter": [POS_INT],
    "tol": [NONNEG_REAL],
    "copy_X": [BOOL],
    **CV_FOLDS_CONSTRAINTS,
    "positive": [BOOL],
    **GLMNET_CONSTRAINTS,
}


class _LinearModelCV(SplitterRoutingMixin, FullPathMixin, OffsetPredictMixin, SparseCoefMixin,
                     LinearRegressorBase):
    """``fit`` of ``LassoCV``/``ElasticNetCV`` (not public): folds, choice, refit, ``path_``."""

    _constraints: ClassVar[dict] = CV_CONSTRAINTS

    def _l1_ratios(self):
        raise NotImplementedError

    def _gammas(self):
        return None  # only LassoCV relaxes

    def _grids(self, base, l1_ratios, weights):
        if isinstance(self.alphas, numbers.Integral):
            grids = []
            for r in l1_ratios:
                if r == 0:
                    raise ValueError(
                        "Automatic alpha grid generation is not supported for l1_ratio=0. "
                        "Please supply a grid by providing your estimator with the "
                        "appropriate `alphas=` argument."
                    )
                pen = Penalty(r, 1.0 - r, *weights)
                grids.append(alpha_grid(base.replace(penalty=pen),
                                        n_alphas=int(self.alphas), eps=float(self.eps)))
            return np.array(grids)
        # The validator of lk.path: complex alphas are refused, not cast.
        return np.tile(check_alphas(self.alphas), (len(l1_ratios), 1))

    def fit(self, X, y, sample_weight=None, offset=None, **params):
        """Choose alpha (and l1_ratio) by cross-validation, then refit on all data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : float or array-like of shape (n_samples,), default=None
            Used for fitting and for the weighted test MSE of each fold; the
            criterion is the unweighted mean of the fold MSEs. Every fold
            needs a positive total weight in its training and in its test
            part (else a ``ValueError`` names the fold).
        offset : array-like of shape (n_samples,), default=None
            A fixed part of the linear predictor, not fitted (glmnet's
            ``offset``): each fold is fitted with its training rows'
            offsets and scored on ``y - offset - prediction`` of its test
            rows, the grid starts at the ``alpha_max`` of the problem with
            the offset, and the refit takes all rows' offsets. For least
            squares all of this is exactly the cross-validation of
            ``y - offset`` (same ``alphas_``, ``mse_path_``, ``alpha_``,
            ``coef_``), which is how it is computed. ``path_`` and
            :meth:`predict` describe ``X @ coef + intercept`` without it.
            Finite, one per sample; never modified.
        **params
            Metadata for the CV splitter (e.g. ``groups``); needs
            ``sklearn.set_config(enable_metadata_routing=True)``.

        Returns
        -------
        self
        """
        X, y = self._validate_train(X, y)
        n = X.shape[0]
        if isinstance(sample_weight, numbers.Number) and not isinstance(sample_weight, bool):
            sample_weight = None
        sw = raw_sample_weight(sample_weight, n)
        split_params, _ = fit_metadata(self, params, sample_weight)
        l1_ratios, gammas = self._l1_ratios(), self._gammas()
        # Validated once: every fold, the grid and the refit share this X.
        X = check_X(X)
        y = np.ascontiguousarray(y, dtype=np.float64)
        offset = raw_offset(offset, n)
        y_split = y  # a splitter that reads y sees the caller's target
        if offset is not None:
            # The squared loss with offset o is the squared loss of y - o: every
            # fold, its test errors (y_test - o_test - X_test w - b) and the
            # refit see the same numbers either way.
            y = y - offset
        sw_n = None if sw is None else _normalized(sw)
        bounds = check_limits(self.lower_bounds, self.upper_bounds, X.shape[1])
        weights = feature_weights(X, sw, self.fit_intercept, self.penalty_weights,
                                  self.standardize)
        # The factors as validated there (each fold standardizes with them).
        pf, _ = feature_weights(X, None, False, self.penalty_weights, False)
        # The unit penalty carries the weights, so that every penalty derived
        # from it excludes the same features as the box (lassokit._box).
        unit = Penalty(1.0, 0.0, *weights)
        box = make_box(bounds, self.positive, X.shape[1], unit.excluded(X.shape[1]))
        base = Problem._trusted(X, y, unit, fit_intercept=self.fit_intercept,
                                sample_weight=sw_n, positive=self.positive, box=box)
        grids = self._grids(base, l1_ratios, weights)
        folds = list(check_cv(self.cv).split(X, y_split, **split_params))
        check_folds(folds, sw)
        # A target at the edge of the float range (see lassokit._rescale) is
        # cross-validated in units where max|yc| ~ 1: the folds see y / c and
        # the same penalties (and bounds) restated there; the refit solves it
        # in the caller's units (Problem.solve rescales by itself).
        c = base._target_scale
        settings = self._path_settings(base, weights, pf, gammas, _scaled_box(box, c))
        y_fit, ratios_fit, grids_fit = _restated(y, l1_ratios, grids, c)
        if gram_blocks_apply(settings["backend_name"], X, folds,
                             settings["options"].get("gram", "auto"), box):
            out, moments = self._gram_blocks(X, y_fit, sw_n, folds, ratios_fit, grids_fit,
                                             settings)
            moments = moments if c == 1.0 else None
        else:
            jobs = (
                delayed(session_fold)(X, y_fit, sw, train, test, r, grid, settings)
                for r, grid in zip(ratios_fit, grids_fit)
                for train, test in folds
            )
            out = Parallel(n_jobs=self.n_jobs, verbose=self.verbose, prefer="threads")(jobs)
            moments = None
        self._warn_unconverged(out)
        mse = np.reshape([o[0] for o in out], (len(l1_ratios), len(folds), -1))
        mean_mse = mse.mean(axis=1)
        se = _standard_errors(mse)
        # Reported in the caller's units (c^2 may underflow them towards 0);
        # alpha is chosen on the rescaled errors.
        self.mse_path_ = np.squeeze(np.moveaxis(mse, 2, 1)) * c * c
        self.mse_se_path_ = (se if len(l1_ratios) > 1 else se[0]) * c * c
        if not np.any(np.isfinite(mean_mse)):
            # Predictions overflowed (entries near the float maximum): no
            # alpha can be chosen, and picking one silently would be a guess.
            raise ValueError(
                f"{type(self).__name__}: the cross-validated error is not finite for any "
                f"alpha (products and squares of the data overflow float64: max |X| = "
                f"{_max_abs(X):.3g}, max |y| = {float(np.max(np.abs(y))):.3g}). Rescale X "
                "(e.g. standardize its columns) or y."
            )
        best_row, i = best_cell(mean_mse)
        best_ratio = float(l1_ratios[best_row])
        self.alpha_, self.l1_ratio_ = float(grids[best_row][i]), best_ratio
        self.alpha_1se_ = _one_standard_error_alpha(grids[best_row], mean_mse[best_row],
                                                    se[best_row])
        if isinstance(self.alphas, numbers.Integral):
            self.alphas_ = grids[0] if len(l1_ratios) == 1 else grids
        else:
            self.alphas_ = grids[0]
        gamma = None
        if gammas is not None:
            gamma = self._choose_relaxed(out, grids[0], gammas, c)
        full = base.replace(penalty=Penalty(best_ratio, 1.0 - best_ratio, *weights))
        sol, coef, intercept = refit(full, self.alpha_, settings, moments, gamma)
        self._store(sol, base.dtype)
        if gamma is not None:
            self.coef_ = np.asarray(coef, dtype=base.dtype)
            self.intercept_ = base.dtype.type(intercept) if self.fit_intercept else 0.0
        # path_ is solved on first access (see its docstring).
        self._full_path = FullPath(full, grids[best_row], best_ratio, settings, gamma)
        return self

    def _choose_relaxed(self, out, grid, gammas, c):
        """Set ``(alpha_, gamma_)``, their 1-SE pair and the relaxed errors; return ``gamma_``."""
        relaxed = np.array([o[1] for o in out])  # (n_folds, n_gammas, n_alphas)
        se = standard_error(relaxed, axis=0)
        self.gammas_ = gammas
        self.mse_relax_path_ = np.moveaxis(relaxed, 0, 2) * c * c
        self.mse_relax_se_path_ = se * c * c
        (self.alpha_, self.gamma_), (self.alpha_1se_, self.gamma_1se_) = _relaxed_choice(
            grid, gammas, relaxed.mean(axis=0), se)
        return self.gamma_

    def _gram_blocks(self, X, y, sw, folds, l1_ratios, grids, settings):
        """Every fold from K moment blocks (see :mod:`lassokit.estimators._cv_folds`)."""
        blocks, total, mx, my = fold_moments(X, y, sw, folds, self.fit_intercept)
        jobs = (delayed(moment_fold)(total, blocks[t], mx, my, X.dtype, r, grid, settings)
                for r, grid in zip(l1_ratios, grids) for t in range(len(folds)))
        out = Parallel(n_jobs=self.n_jobs, verbose=self.verbose, prefer="threads")(jobs)
        moments = MomentProblem(total, mx, my, self.fit_intercept, self.positive, X.dtype,
                                anderson=settings["options"].get("anderson", True),
                                box=settings["box"])
        return out, moments

    def _path_settings(self, base, weights, pf, gammas, box):
        # The backend is resolved once on the whole data to read its options.
        backend = self._resolve(base)
        hints = backend_hints(
            backend,
            selection=self.selection,
            random_state=self._random_seed() if self.selection == "random" else None,
            # precompute=False forbids Gram solves, as in scikit-learn; "auto"
            # lets the backend decide.
            gram=None if isinstance(self.precompute, str) else bool(self.precompute),
        )
        return {"fit_intercept": self.fit_intercept, "positive": self.positive,
                "backend": self.backend, "backend_name": backend.name,
                "tol": solver_tol(self.tol), "max_iter": self.max_iter, "options": hints,
                "weights": weights, "penalty_weights": pf, "standardize": self.standardize,
                "gammas": gammas, "box": box}

    def _warn_unconverged(self, out):
        bad = sum(o[2] for o in out)
        if bad:
            worst = max(o[3] for o in out)
            n_total = sum(np.size(o[0]) for o in out)
            warn_unconverged(f"{type(self).__name__} (over the folds)", bad, n_total,
                             self.tol, worst, stacklevel=3)


def _scaled_box(box, c):
    """The bounds ``box`` (or None) in units where the target is ``y / c`` (read-only)."""
    if box is None or c == 1.0:
        return box
    scaled = box / c  # coefficients scale with y; 0 and +-inf stay
    scaled.flags.writeable = False
    return scaled
