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
``standardize`` (per fold with its own training rows), bounds of the
coefficients (``lower_bounds``/``upper_bounds``, held in every fold), an
``offset`` in ``fit`` (each fold carries its rows' offsets) and, for
``LassoCV``, the relaxed lasso (``relax=True``; :meth:`lassokit.Path.relax`).
The shared machinery is in :mod:`lassokit.estimators._cv_base`.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from .._relax import check_gammas
from ._base import keep_params
from ._cv_base import CV_CONSTRAINTS, _LinearModelCV
from ._params import ARRAY, BOOL, UNIT_REAL

__all__ = ["ElasticNetCV", "LassoCV"]


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
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Bounds of the coefficients held exactly in every fold's path, the
        grid's ``alpha_max`` and the refit: ``lower_bounds <= coef <=
        upper_bounds`` with ``lower_bounds <= 0 <= upper_bounds`` (``-inf``/
        ``inf`` allowed; a number applies to every feature; None: unbounded
        on that side; intersected with ``positive``), glmnet's
        ``lower.limits``/``upper.limits``, as for :class:`~lassokit.Lasso`.
        Bounds other than positivity are cross-validated on backend
        sessions, not from Gram blocks. With ``relax=True`` the unpenalized
        refits on each support hold them too, so every relaxed coefficient
        is inside them.
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

    _constraints: ClassVar[dict] = {**CV_CONSTRAINTS, "relax": [BOOL], "gammas": [ARRAY]}

    def __init__(self, *, eps=1e-3, alphas=100, fit_intercept=True, precompute="auto",
                 max_iter=1000, tol=1e-4, copy_X=True, cv=None, verbose=False, n_jobs=None,
                 positive=False, random_state=None, selection="cyclic", backend="auto",
                 lower_bounds=None, upper_bounds=None, penalty_weights=None, standardize=False,
                 relax=False, gammas=(0.0, 0.25, 0.5, 0.75, 1.0)):
        keep_params(self, locals())

    def _l1_ratios(self):
        return np.array([1.0])

    def _gammas(self):
        return check_gammas(self.gammas, "gammas")[0] if self.relax else None

    def fit(self, X, y, sample_weight=None, offset=None, **params):
        super().fit(X, y, sample_weight=sample_weight, offset=offset, **params)
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
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Bounds of the coefficients held exactly (glmnet's
        ``lower.limits``/``upper.limits``; ``lower_bounds <= 0 <=
        upper_bounds``), as for :class:`LassoCV`.
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

    _constraints: ClassVar[dict] = {**CV_CONSTRAINTS, "l1_ratio": [UNIT_REAL, ARRAY]}

    def __init__(self, *, l1_ratio=0.5, eps=1e-3, alphas=100, fit_intercept=True,
                 precompute="auto", max_iter=1000, tol=1e-4, cv=None, copy_X=True, verbose=0,
                 n_jobs=None, positive=False, random_state=None, selection="cyclic",
                 backend="auto", lower_bounds=None, upper_bounds=None, penalty_weights=None,
                 standardize=False):
        keep_params(self, locals())

    def _l1_ratios(self):
        ratios = np.atleast_1d(np.asarray(self.l1_ratio, dtype=np.float64))
        if ratios.ndim != 1 or ratios.size == 0:
            raise ValueError("l1_ratio must be a float or a non-empty 1-D array of floats.")
        if not np.all((ratios >= 0) & (ratios <= 1)):
            raise ValueError(f"l1_ratio values must be in [0, 1], got {self.l1_ratio!r}.")
        return ratios

