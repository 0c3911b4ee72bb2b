"""``LassoCV`` and ``ElasticNetCV``: cross-validation over the path.

X is validated once per ``fit``. Every (l1_ratio, fold) pair is one joblib
task that solves a warm-started path on the training part and scores it on
the held-out part: in feature space from Gram moment blocks when the backend
is ``"cd"`` and n >> p, otherwise on a backend path session over the fold's
training rows (see :mod:`lassokit.estimators._cv_folds`). Tasks go through
``joblib.Parallel(n_jobs=...)`` with a preference for threads (the numba
kernels release the GIL), so ``joblib.parallel_config(backend="dask")`` or
``"ray"`` work unchanged. The grid, the fold scores and the choice of
``alpha_`` follow scikit-learn 1.9's ``LassoCV``/``ElasticNetCV`` exactly:

* ``alphas`` an int: geometric grid from the whole data's ``alpha_max / l1_ratio``
  down to ``eps`` times it (one grid per ``l1_ratio``); an array: sorted
  decreasing, shared by every ``l1_ratio``;
* fold score: mean squared test error, weighted by the test sample weights;
  the criterion is the unweighted mean over folds, first minimum wins;
* in addition (not in scikit-learn), the standard error of that mean,
  ``std(ddof=1) / sqrt(n_folds)`` (``mse_se_path_``), and glmnet's
  one-standard-error choice ``alpha_1se_``;
* the final model is refitted on all data with the chosen parameters, on
  the validated X (from the total moments after Gram blocks); ``path_``,
  the path on all data over the grid, is solved on first access.

Beyond scikit-learn, as glmnet's ``cv.glmnet``: ``penalty_weights``,
``standardize`` (per fold with its own training rows) and, for ``LassoCV``,
the relaxed lasso (``relax=True``; :meth:`lassokit.Path.relax`).
"""

from __future__ import annotations

import numbers
from typing import ClassVar

import numpy as np
from joblib import Parallel, delayed
from sklearn.model_selection import check_cv

from .._finish import warn_unconverged
from .._relax import check_gammas
from .._standardize import feature_weights
from .._validation import check_alphas, check_X
from ..path import alpha_grid
from ..penalty import Penalty
from ..problem import Problem
from ._base import (
    LinearRegressorBase,
    SparseCoefMixin,
    backend_hints,
    keep_params,
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
    _first_minimum,
    _max_abs,
    _one_standard_error_alpha,
    _relaxed_choice,
    _restated,
    _standard_errors,
    standard_error,
)
from ._params import (
    ARRAY,
    BOOL,
    CV,
    N_JOBS,
    NONNEG_REAL,
    POS_INT,
    UNIT_REAL,
    VERBOSE,
    Interval,
    Options,
)
from ._routing import fit_metadata, splitter_router
from .linear import GLMNET_CONSTRAINTS

__all__ = ["ElasticNetCV", "LassoCV"]

_CV_CONSTRAINTS = {
    # (0, 1]: eps = 1 is the grid at alpha_max, as in scikit-learn; scikit-learn
    # also takes eps > 1 and returns an increasing grid, refused here.
    "eps": [Interval(numbers.Real, 0, 1, "right")],
    "alphas": [POS_INT, ARRAY],
    "fit_intercept": [BOOL],
    "precompute": [Options("auto"), BOOL, ARRAY],
    "max_iter": [POS_INT],
    "tol": [NONNEG_REAL],
    "copy_X": [BOOL],
    "cv": [CV],
    "verbose": [VERBOSE],
    "n_jobs": [N_JOBS],
    "positive": [BOOL],
    **GLMNET_CONSTRAINTS,
}


class _LinearModelCV(FullPathMixin, SparseCoefMixin, LinearRegressorBase):
    _constraints: ClassVar[dict] = _CV_CONSTRAINTS

    def _l1_ratios(self):
        raise NotImplementedError

    def get_metadata_routing(self):
        """Route ``fit`` metadata (e.g. ``groups``) to the CV splitter.

        Returns
        -------
        sklearn.utils.metadata_routing.MetadataRouter
        """
        return splitter_router(self)

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

    def fit(self, X, y, sample_weight=None, **params):
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
        sw_n = None if sw is None else _normalized(sw)
        weights = feature_weights(X, sw, self.fit_intercept, self.penalty_weights,
                                  self.standardize)
        # The factors as validated there (each fold standardizes with them).
        pf, _ = feature_weights(X, None, False, self.penalty_weights, False)
        base = Problem._trusted(X, y, Penalty(1.0), fit_intercept=self.fit_intercept,
                                sample_weight=sw_n, positive=self.positive)
        grids = self._grids(base, l1_ratios, weights)
        folds = list(check_cv(self.cv).split(X, y, **split_params))
        check_folds(folds, sw)
        settings = self._path_settings(base, weights, pf, gammas)
        # A target at the edge of the float range (see lassokit._rescale) is
        # cross-validated in units where max|yc| ~ 1: the folds see y / c and
        # the same penalties restated there; the refit solves it in the
        # caller's units (Problem.solve rescales by itself).
        c = base._target_scale
        y_fit, ratios_fit, grids_fit = _restated(y, l1_ratios, grids, c)
        if gram_blocks_apply(settings["backend_name"], X, folds,
                             settings["options"].get("gram", "auto")):
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
        best, best_row = np.inf, None
        for j, (r, grid, curve) in enumerate(zip(l1_ratios, grids, mean_mse)):
            i = _first_minimum(np.where(np.isfinite(curve), curve, np.inf))
            if best_row is None or curve[i] < best:
                best, best_alpha, best_ratio, best_row = curve[i], float(grid[i]), float(r), j
        self.alpha_, self.l1_ratio_ = best_alpha, best_ratio
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
                                anderson=settings["options"].get("anderson", True))
        return out, moments

    def _path_settings(self, base, weights, pf, gammas):
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
        return dict(fit_intercept=self.fit_intercept, positive=self.positive,
                    backend=self.backend, backend_name=backend.name, tol=solver_tol(self.tol),
                    max_iter=self.max_iter, options=hints, weights=weights,
                    penalty_weights=pf, standardize=self.standardize, gammas=gammas)

    def _warn_unconverged(self, out):
        bad = sum(o[2] for o in out)
        if bad:
            worst = max(o[3] for o in out)
            n_total = sum(np.size(o[0]) for o in out)
            warn_unconverged(f"{type(self).__name__} (over the folds)", bad, n_total,
                             self.tol, worst, stacklevel=3)


class LassoCV(_LinearModelCV):
    """Lasso with ``alpha`` chosen by cross-validation (scikit-learn compatible).

    Same objective as :class:`~lassokit.Lasso`; see the module docstring of
    :mod:`lassokit.estimators.cv` for how the grid, fold scores and
    ``alpha_`` are defined (identically to scikit-learn 1.9).

    Parameters
    ----------
    eps : float in (0, 1], default=1e-3
        ``alpha_min / alpha_max`` of the default grid (1: every point at
        ``alpha_max``; unlike scikit-learn, ``eps > 1`` is refused).
    alphas : int or array-like, default=100
        Number of grid points, or the grid itself.
    fit_intercept : bool, default=True
    precompute : "auto", bool or array-like, default="auto"
        Hint, as for :class:`~lassokit.ElasticNet` ("auto": the backend decides).
    max_iter : int, default=1000
        Iteration budget of each solve.
    tol : float, default=1e-4
        Target relative duality gap of every solve.
    copy_X : bool, default=True
        Honoured trivially (X is never modified).
    cv : int, CV splitter or iterable, default=None
        As in scikit-learn (None: 5-fold ``KFold``).
    verbose : bool or int, default=False
        joblib verbosity.
    n_jobs : int, default=None
        Parallel (l1_ratio, fold) tasks; joblib's active backend is used.
    positive : bool, default=False
    random_state : int, RandomState or None, default=None
        Hint (``selection="random"``).
    selection : {"cyclic", "random"}, default="cyclic"
        Hint.
    backend : str or Backend, default="auto"
        The lassokit backend of every fold's path and of the refit: a name
        from :func:`lassokit.available_backends` or a
        :class:`~lassokit.Backend` instance; ``"auto"`` picks ``"cd"``.
        ``backend_`` names the one used.
    penalty_weights : array-like of shape (n_features,), default=None
        Per-feature factors ``v_j >= 0`` (finite) of the penalty (glmnet's
        ``penalty.factor``), as for :class:`~lassokit.Lasso`; 0 leaves a
        feature unpenalized. The default grid starts where ``coef = 0``
        becomes optimal with them.
    standardize : bool, default=False
        glmnet's ``standardize``: penalize each column as if scaled to unit
        weighted standard deviation (factors ``v_j sd_j``; no copy of X),
        coefficients on the original scale. The grid and the refit take
        the standard deviations of all rows, each fold those of its
        training rows (as ``cv.glmnet``).
    relax : bool, default=False
        glmnet's ``relax=TRUE``: also cross-validate the relaxed lasso
        (:meth:`lassokit.Path.relax`), ``gamma * w + (1 - gamma) * w_S``
        with ``w_S`` the unpenalized least-squares fit on the support of
        ``w``, over ``gammas``; ``(alpha_, gamma_)`` minimize the mean test
        MSE jointly, and the refit is relaxed at them.
    gammas : array-like of floats in [0, 1], default=(0, 0.25, 0.5, 0.75, 1)
        The gamma grid of ``relax`` (glmnet's default); 1 is the lasso, 0
        the unpenalized refit on its support.

    Attributes
    ----------
    alpha_ : float
        The chosen strength: the minimizer of the mean test MSE over folds
        (errors within a relative 1e-9 of the minimum are ties, which go to
        the largest such alpha: on a flat curve rounding does not choose).
        Targets beyond ``1e+-60`` are cross-validated rescaled, so ``alpha_``
        scales with y (``mse_path_`` with its square, and may underflow).
    alpha_1se_ : float
        The one-standard-error rule (glmnet's ``lambda.1se``): the largest
        alpha of the grid whose mean test MSE is at most the minimum mean MSE
        plus the standard error at the minimum; a sparser model whose error
        is statistically indistinguishable from the best. ``alpha_1se_ >=
        alpha_``. Not used for the refit: ``path_.predict(X,
        alpha=alpha_1se_)`` predicts with that model. With ``relax``, the
        rule over the (alpha, gamma) pairs (see ``gamma_1se_``).
    alphas_ : ndarray of shape (n_alphas,)
        The grid (decreasing).
    mse_path_ : ndarray of shape (n_alphas, n_folds)
        Test MSE per strength and fold.
    mse_se_path_ : ndarray of shape (n_alphas,)
        Standard error of the mean test MSE per strength:
        ``mse_path_.std(axis=-1, ddof=1) / sqrt(n_folds)`` (NaN with one
        fold).
    coef_, sparse_coef_, intercept_, n_iter_, dual_gap_, backend_, solution_
        Of the final model refitted with ``alpha_``. With ``relax``,
        ``coef_`` and ``intercept_`` are relaxed at ``gamma_``, while
        ``solution_``, ``dual_gap_`` and ``n_iter_`` are those of the
        certified lasso solution at ``alpha_`` whose support was refitted.
    path_ : Path
        The path on all data over ``alphas_``, solved on first access (see
        :attr:`path_`); relaxed at ``gamma_`` with ``relax``.
    gammas_ : ndarray of shape (n_gammas,)
        With ``relax``: the gamma grid.
    gamma_, gamma_1se_ : float
        With ``relax``: the gamma chosen with ``alpha_`` (ties: the largest
        alpha, then the largest gamma, as glmnet), and the one of the
        one-standard-error pair: the largest alpha, then the largest gamma,
        whose mean test MSE is within one standard error of the minimum.
    mse_relax_path_ : ndarray of shape (n_gammas, n_alphas, n_folds)
        With ``relax``: test MSE per gamma, strength and fold
        (``mse_path_`` stays the lasso's, that of ``gamma = 1``).
    mse_relax_se_path_ : ndarray of shape (n_gammas, n_alphas)
        With ``relax``: standard error of the mean test MSE.
    n_features_in_, feature_names_in_

    Examples
    --------
    >>> import numpy as np, lassokit as lk
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 5)); y = X[:, 0] + 0.1 * rng.standard_normal(60)
    >>> est = lk.LassoCV(alphas=10, backend="cvxpy").fit(X, y)
    >>> est.mse_path_.shape
    (10, 5)
    >>> relaxed = lk.LassoCV(alphas=10, relax=True).fit(X, y)
    >>> relaxed.mse_relax_path_.shape
    (5, 10, 5)
    """

    _constraints: ClassVar[dict] = {**_CV_CONSTRAINTS, "relax": [BOOL], "gammas": [ARRAY]}

    def __init__(self, *, eps=1e-3, alphas=100, fit_intercept=True, precompute="auto",
                 max_iter=1000, tol=1e-4, copy_X=True, cv=None, verbose=False, n_jobs=None,
                 positive=False, random_state=None, selection="cyclic", backend="auto",
                 penalty_weights=None, standardize=False, relax=False,
                 gammas=(0.0, 0.25, 0.5, 0.75, 1.0)):
        keep_params(self, locals())

    def _l1_ratios(self):
        return np.array([1.0])

    def _gammas(self):
        return check_gammas(self.gammas, "gammas")[0] if self.relax else None

    def fit(self, X, y, sample_weight=None, **params):
        super().fit(X, y, sample_weight=sample_weight, **params)
        del self.l1_ratio_  # scikit-learn's LassoCV has no l1_ratio_
        return self

    fit.__doc__ = _LinearModelCV.fit.__doc__


class ElasticNetCV(_LinearModelCV):
    """Elastic Net with ``alpha`` and ``l1_ratio`` chosen by cross-validation.

    Same objective as :class:`~lassokit.ElasticNet`; grid, fold scores and
    choice as in scikit-learn 1.9 (see :mod:`lassokit.estimators.cv`).

    Parameters
    ----------
    l1_ratio : float or array-like of floats in [0, 1], default=0.5
        Candidate L1 shares (an automatic grid needs them > 0).
    eps, alphas, fit_intercept, precompute, max_iter, tol, cv, copy_X, verbose, \
n_jobs, positive, random_state, selection, backend
        As for :class:`LassoCV`.
    penalty_weights : array-like of shape (n_features,), default=None
        Per-feature factors ``v_j >= 0`` of both terms (glmnet's
        ``penalty.factor``), as for :class:`~lassokit.ElasticNet`.
    standardize : bool, default=False
        glmnet's ``standardize`` (L1 factors ``v_j sd_j``, L2 factors
        ``v_j sd_j**2``), per fold as for :class:`LassoCV`.

    Attributes
    ----------
    alpha_ : float
    l1_ratio_ : float
    alpha_1se_ : float
        The one-standard-error rule (see :class:`LassoCV`) on the mean test
        MSE curve of the chosen ``l1_ratio_``.
    alphas_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
    mse_path_ : ndarray of shape (n_alphas, n_folds) or (n_l1_ratio, n_alphas, n_folds)
    mse_se_path_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
        Standard error of the mean test MSE over folds
        (``std(ddof=1) / sqrt(n_folds)``), as for :class:`LassoCV`.
    coef_, sparse_coef_, intercept_, n_iter_, dual_gap_, backend_, solution_, \
path_, n_features_in_, feature_names_in_
        As for :class:`LassoCV` (``path_`` at ``l1_ratio_``).

    Examples
    --------
    >>> import numpy as np, lassokit as lk
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 5)); y = X[:, 0] + 0.1 * rng.standard_normal(60)
    >>> est = lk.ElasticNetCV(l1_ratio=[0.5, 1.0], alphas=5, backend="cvxpy").fit(X, y)
    >>> est.mse_path_.shape
    (2, 5, 5)
    """

    _constraints: ClassVar[dict] = {**_CV_CONSTRAINTS, "l1_ratio": [UNIT_REAL, ARRAY]}

    def __init__(self, *, l1_ratio=0.5, eps=1e-3, alphas=100, fit_intercept=True,
                 precompute="auto", max_iter=1000, tol=1e-4, cv=None, copy_X=True, verbose=0,
                 n_jobs=None, positive=False, random_state=None, selection="cyclic",
                 backend="auto", penalty_weights=None, standardize=False):
        keep_params(self, locals())

    def _l1_ratios(self):
        ratios = np.atleast_1d(np.asarray(self.l1_ratio, dtype=np.float64))
        if ratios.ndim != 1 or ratios.size == 0:
            raise ValueError("l1_ratio must be a float or a non-empty 1-D array of floats.")
        if not np.all((ratios >= 0) & (ratios <= 1)):
            raise ValueError(f"l1_ratio values must be in [0, 1], got {self.l1_ratio!r}.")
        return ratios

