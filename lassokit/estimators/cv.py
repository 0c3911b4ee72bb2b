"""``LassoCV`` and ``ElasticNetCV``: cross-validation over the path.

Every (l1_ratio, fold) pair is one joblib task that solves a warm-started
path on the training part (:class:`lassokit._path_runner.PathRunner`, with
sequential screening) and scores it on the held-out part. Tasks go through
``joblib.Parallel(n_jobs=...)`` with a preference for threads (the numba
kernels release the GIL), so ``joblib.parallel_config(backend="dask")`` or
``"ray"`` work unchanged. The grid, the fold scores and the choice of
``alpha_`` follow scikit-learn 1.9's ``LassoCV``/``ElasticNetCV`` exactly:

* ``alphas`` an int: geometric grid from the whole data's ``alpha_max / l1_ratio``
  down to ``eps`` times it (one grid per ``l1_ratio``); an array: sorted
  decreasing, shared by every ``l1_ratio``;
* fold score: mean squared test error, weighted by the test sample weights;
  the criterion is the unweighted mean over folds, first minimum wins;
* the final model is refitted on all data with the chosen parameters.
"""

from __future__ import annotations

import numbers
import warnings
from typing import ClassVar

import numpy as np
from joblib import Parallel, delayed
from sklearn import get_config
from sklearn.model_selection import check_cv
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)

from .._path_runner import PathRunner
from ..path import alpha_grid
from ..penalty import Penalty
from ..problem import Problem
from ..solution import convergence_warning
from ._base import (
    LinearRegressorBase,
    SparseCoefMixin,
    backend_hints,
    raw_sample_weight,
    solver_tol,
)
from ._params import (
    ARRAY,
    BACKEND,
    BOOL,
    CV,
    N_JOBS,
    NONNEG_REAL,
    POS_INT,
    RANDOM_STATE,
    UNIT_REAL,
    VERBOSE,
    Interval,
    Options,
)
from .linear import ElasticNet, Lasso

__all__ = ["ElasticNetCV", "LassoCV"]

_CV_CONSTRAINTS = {
    "eps": [Interval(numbers.Real, 0, None, "neither")],
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
    "random_state": [RANDOM_STATE],
    "selection": [Options("cyclic", "random")],
    "backend": [BACKEND],
}


def _fold_scores(X, y, sw, train, test, l1_ratio, alphas, settings):
    """Test MSE along the path fitted on one training fold (one joblib task)."""
    sw_train = None if sw is None else sw[train]
    X_train = X[train]
    if isinstance(X_train, np.ndarray):
        X_train = np.asfortranarray(X_train)  # row selection gives C order; CD wants columns
    problem = Problem(
        X_train, y[train], Penalty(l1_ratio, 1.0 - l1_ratio),
        fit_intercept=settings["fit_intercept"], sample_weight=sw_train,
        positive=settings["positive"],
    )
    runner = PathRunner(problem, backend=settings["backend"], tol=settings["tol"],
                        max_iter=settings["max_iter"],
                        options=settings["options"], l1_ratio=l1_ratio)
    result = runner.run(alphas)
    coefs = np.asarray(result.coefs, dtype=np.float64)
    X_test = X[test]
    pred = np.asarray(X_test @ coefs) if X_test.dtype == np.float64 else np.asarray(
        X_test.astype(np.float64) @ coefs)
    resid = pred + result.intercepts - np.asarray(y[test], dtype=np.float64)[:, None]
    weights = None if sw is None else sw[test]
    mse = np.average(resid * resid, axis=0, weights=weights)
    return mse, int(np.count_nonzero(~result.converged)), float(np.max(result.rel_gaps))


class _LinearModelCV(SparseCoefMixin, LinearRegressorBase):
    _constraints: ClassVar[dict] = _CV_CONSTRAINTS

    def _l1_ratios(self):
        raise NotImplementedError

    def _final_estimator(self, alpha, l1_ratio):
        raise NotImplementedError

    def get_metadata_routing(self):
        """Route ``fit`` metadata (e.g. ``groups``) to the CV splitter.

        Returns
        -------
        sklearn.utils.metadata_routing.MetadataRouter
        """
        return MetadataRouter(owner=self).add_self_request(self).add(
            splitter=check_cv(self.cv),
            method_mapping=MethodMapping().add(caller="fit", callee="split"),
        )

    def _grids(self, X, y, sw, l1_ratios):
        if isinstance(self.alphas, numbers.Integral):
            base = Problem(X, y, Penalty(1.0), fit_intercept=self.fit_intercept,
                           sample_weight=sw, positive=self.positive)
            grids = []
            for r in l1_ratios:
                if r == 0:
                    raise ValueError(
                        "Automatic alpha grid generation is not supported for l1_ratio=0. "
                        "Please supply a grid by providing your estimator with the "
                        "appropriate `alphas=` argument."
                    )
                grids.append(alpha_grid(base.replace(penalty=Penalty(r, 1.0 - r)),
                                        n_alphas=int(self.alphas), eps=float(self.eps)))
            return np.array(grids)
        alphas = np.asarray(self.alphas)
        if alphas.ndim != 1 or alphas.size == 0:
            raise ValueError(f"alphas must be an int or a non-empty 1-D array, got {self.alphas!r}.")
        for i, a in enumerate(alphas):
            if isinstance(a, (bool, np.bool_)) or not isinstance(a, (numbers.Real, np.number)):
                raise TypeError(f"alphas[{i}] must be a real number, got {type(a).__name__}.")
            if not np.isfinite(a) or a < 0:
                raise ValueError(f"alphas[{i}] == {a!r}, must be a finite number >= 0.")
        grid = np.sort(alphas.astype(np.float64))[::-1]
        return np.tile(grid, (len(l1_ratios), 1))

    def fit(self, X, y, sample_weight=None, **params):
        """Choose alpha (and l1_ratio) by cross-validation, then refit on all data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : float or array-like of shape (n_samples,), default=None
            Used for fitting and for the weighted test MSE of each fold; the
            criterion is the unweighted mean of the fold MSEs.
        **params
            Metadata for the CV splitter (e.g. ``groups``); needs
            ``sklearn.set_config(enable_metadata_routing=True)``.

        Returns
        -------
        self
        """
        self._check_params()
        X, y = self._validate_train(X, y)
        n = X.shape[0]
        if isinstance(sample_weight, numbers.Number) and not isinstance(sample_weight, bool):
            sample_weight = None
        sw = raw_sample_weight(sample_weight, n)
        if get_config().get("enable_metadata_routing", False):
            split_params = process_routing(self, "fit", sample_weight=sample_weight,
                                           **params).splitter.split
        elif params:
            raise ValueError(
                f"{type(self).__name__}.fit got unexpected argument(s) {sorted(params)}; passing "
                "metadata to the CV splitter needs sklearn.set_config(enable_metadata_routing=True)."
            )
        else:
            split_params = {}
        l1_ratios = self._l1_ratios()
        grids = self._grids(X, y, sw, l1_ratios)
        folds = list(check_cv(self.cv).split(X, y, **split_params))
        settings = self._path_settings(X, y, sw)
        jobs = (
            delayed(_fold_scores)(X, y, sw, train, test, r, grid, settings)
            for r, grid in zip(l1_ratios, grids)
            for train, test in folds
        )
        out = Parallel(n_jobs=self.n_jobs, verbose=self.verbose, prefer="threads")(jobs)
        self._warn_unconverged(out)
        mse = np.reshape([o[0] for o in out], (len(l1_ratios), len(folds), -1))
        mean_mse = mse.mean(axis=1)
        self.mse_path_ = np.squeeze(np.moveaxis(mse, 2, 1))
        best = np.inf
        for r, grid, curve in zip(l1_ratios, grids, mean_mse):
            i = int(np.argmin(curve))
            if curve[i] < best:
                best, best_alpha, best_ratio = curve[i], float(grid[i]), float(r)
        self.alpha_, self.l1_ratio_ = best_alpha, best_ratio
        if isinstance(self.alphas, numbers.Integral):
            self.alphas_ = grids[0] if len(l1_ratios) == 1 else grids
        else:
            self.alphas_ = grids[0]
        final = self._final_estimator(best_alpha, best_ratio)
        final.fit(X, y, sample_weight=sw)
        for attr in ("coef_", "intercept_", "n_iter_", "dual_gap_", "backend_", "solution_"):
            setattr(self, attr, getattr(final, attr))
        return self

    def _path_settings(self, X, y, sw):
        # The backend is resolved once on the whole data to read its options;
        # each fold re-resolves it for its own problem.
        probe = Problem(X, y, Penalty(1.0), fit_intercept=self.fit_intercept,
                        sample_weight=sw, positive=self.positive)
        hints = backend_hints(
            self._resolve(probe),
            selection=self.selection,
            random_state=self._random_seed() if self.selection == "random" else None,
            gram=True if self.precompute is True else None,
        )
        return dict(fit_intercept=self.fit_intercept, positive=self.positive,
                    backend=self.backend, tol=solver_tol(self.tol), max_iter=self.max_iter,
                    options=hints)

    def _warn_unconverged(self, out):
        bad = sum(o[1] for o in out)
        if bad:
            worst = max(o[2] for o in out)
            warnings.warn(
                f"{type(self).__name__}: {bad} path solves over the folds stopped above tol "
                f"{self.tol:g} (worst relative duality gap {worst:.3g}). Increase max_iter or "
                "loosen tol.",
                convergence_warning(),
                stacklevel=3,
            )

    def _final_params(self):
        return dict(
            fit_intercept=self.fit_intercept,
            precompute=False if isinstance(self.precompute, str) else self.precompute,
            max_iter=self.max_iter, copy_X=self.copy_X, tol=self.tol, positive=self.positive,
            random_state=self.random_state, selection=self.selection, backend=self.backend,
        )


class LassoCV(_LinearModelCV):
    """Lasso with ``alpha`` chosen by cross-validation (scikit-learn compatible).

    Same objective as :class:`~lassokit.Lasso`; see the module docstring of
    :mod:`lassokit.estimators.cv` for how the grid, fold scores and
    ``alpha_`` are defined (identically to scikit-learn 1.9).

    Parameters
    ----------
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the default grid.
    alphas : int or array-like, default=100
        Number of grid points, or the grid itself.
    fit_intercept : bool, default=True
    precompute : "auto", bool or array-like, default="auto"
        Hint, as for :class:`~lassokit.ElasticNet` ("auto": the backend decides).
    max_iter : int, default=1000
        Iteration budget of each solve.
    tol : float, default=1e-4
        Target relative duality gap of every solve (API.md section 2).
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

    Attributes
    ----------
    alpha_ : float
        The chosen strength.
    alphas_ : ndarray of shape (n_alphas,)
        The grid (decreasing).
    mse_path_ : ndarray of shape (n_alphas, n_folds)
        Test MSE per strength and fold.
    coef_, sparse_coef_, intercept_, n_iter_, dual_gap_, backend_, solution_
        Of the final model refitted with ``alpha_``.
    n_features_in_, feature_names_in_

    Examples
    --------
    >>> import numpy as np, lassokit as lk
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 5)); y = X[:, 0] + 0.1 * rng.standard_normal(60)
    >>> est = lk.LassoCV(alphas=10, backend="cvxpy").fit(X, y)
    >>> est.mse_path_.shape
    (10, 5)
    """

    def __init__(self, *, eps=1e-3, alphas=100, fit_intercept=True, precompute="auto",
                 max_iter=1000, tol=1e-4, copy_X=True, cv=None, verbose=False, n_jobs=None,
                 positive=False, random_state=None, selection="cyclic", backend="auto"):
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.copy_X = copy_X
        self.cv = cv
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.backend = backend

    def _l1_ratios(self):
        return np.array([1.0])

    def _final_estimator(self, alpha, l1_ratio):
        return Lasso(alpha=alpha, **self._final_params())

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

    Attributes
    ----------
    alpha_ : float
    l1_ratio_ : float
    alphas_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
    mse_path_ : ndarray of shape (n_alphas, n_folds) or (n_l1_ratio, n_alphas, n_folds)
    coef_, sparse_coef_, intercept_, n_iter_, dual_gap_, backend_, solution_, \
n_features_in_, feature_names_in_
        As for :class:`LassoCV`.

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
                 backend="auto"):
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.copy_X = copy_X
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.backend = backend

    def _l1_ratios(self):
        ratios = np.atleast_1d(np.asarray(self.l1_ratio, dtype=np.float64))
        if ratios.ndim != 1 or ratios.size == 0:
            raise ValueError("l1_ratio must be a float or a non-empty 1-D array of floats.")
        if not np.all((ratios >= 0) & (ratios <= 1)):
            raise ValueError(f"l1_ratio values must be in [0, 1], got {self.l1_ratio!r}.")
        return ratios

    def _final_estimator(self, alpha, l1_ratio):
        return ElasticNet(alpha=alpha, l1_ratio=l1_ratio, **self._final_params())
