"""``RidgeCV``: Ridge with alpha chosen by leave-one-out (GCV) or K-fold cross-validation.

Same constructor parameters, names and defaults as scikit-learn 1.9's
``RidgeCV``, and the same choices:

* ``cv=None``: exact leave-one-out over the whole grid from **one**
  factorization (:mod:`lassokit.estimators._ridge_factor`); the score is
  minus the mean of ``s_i (y_i - yhat_{-i})^2`` over samples (and targets),
  or ``scoring`` applied to the leave-one-out predictions with the sample
  weights; the first alpha of the best score wins;
* ``cv`` a number of folds or a splitter: each fold factorizes its
  training rows once and predicts its test rows for every alpha at once;
  the score (R^2 by default), weighted by the test rows' sample weights as
  in scikit-learn 1.9's grid search, is averaged over folds; the first best
  alpha wins;
* the chosen model is the exact Ridge solution at ``alpha_``, and lassokit
  certifies it: ``dual_gap_`` is the duality gap of ``lk.Ridge(alpha_)``'s
  problem at ``coef_``.
"""

from __future__ import annotations

import inspect
import numbers
import warnings
from typing import ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.metrics import get_scorer, get_scorer_names
from sklearn.model_selection import check_cv
from sklearn.utils.metadata_routing import MethodMapping
from sklearn.utils.validation import check_is_fitted, validate_data

from .._data import null_objective
from .._validation import check_X
from ..penalty import Penalty
from ..problem import Problem
from ._base import LinearRegressorBase, keep_params, linear_predictor, raw_sample_weight
from ._params import ARRAY, BOOL, CV, NONE, Interval, Options, _Simple
from ._ridge_factor import RidgeFactor, centred_matmat
from ._routing import fit_metadata, routing_enabled, splitter_router

__all__ = ["RidgeCV"]

_SCORING = _Simple(
    lambda v: v is None or callable(v) or (isinstance(v, str) and v in get_scorer_names()),
    "None, a callable or a scorer name of sklearn.metrics.get_scorer_names()",
)


class _Given(RegressorMixin, BaseEstimator):
    """A "regressor" whose predictions are its input: scorers applied to known predictions."""

    def predict(self, X):
        """Return ``X`` itself (the leave-one-out or test predictions)."""
        return X


class _FoldModel(RegressorMixin, BaseEstimator):
    """One alpha's fit on one fold's training rows, for callable scorers."""

    def __init__(self, coef=None, intercept=None):
        self.coef = coef
        self.intercept = intercept

    def predict(self, X):
        """``X @ coef + intercept`` (shape ``(n,)`` or ``(n, n_targets)``)."""
        coef_ = np.asarray(self.coef)
        Z = centred_matmat(X if sp.issparse(X) else np.asarray(X), coef_.reshape(len(coef_), -1),
                           np.zeros(len(coef_)))
        Z = Z + np.asarray(self.intercept)
        return Z.ravel() if coef_.ndim == 1 else Z


def _first_best(scores):
    """Index of the first maximum, scanning as scikit-learn does (``>``; NaN never wins)."""
    best = 0
    for i in range(1, len(scores)):
        if scores[i] > scores[best]:
            best = i
    return best


def _r2(y, P, sample_weight=None):
    """R^2 of predictions ``P`` (n, K, k) for every alpha, averaged over targets.

    scikit-learn's ``r2_score`` (weighted when given weights; ``force_finite``:
    a constant target gives 1 for a perfect fit, else 0; fewer than two
    samples give NaN).
    """
    if y.shape[0] < 2:
        return np.full(P.shape[2], np.nan)
    w = np.ones(y.shape[0]) if sample_weight is None else np.asarray(sample_weight, float)
    res = np.einsum("i,ijk,ijk->jk", w, y[:, :, None] - P, y[:, :, None] - P)
    yc = y - (w @ y) / w.sum()
    tot = np.einsum("i,ij,ij->j", w, yc, yc)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(tot != 0, 1.0 - res / tot, np.where(res == 0, 1.0, 0.0))
    return r2.mean(axis=0)


def _accepted(scorer, score_params, estimator):
    """Drop the weights a callable scorer cannot take (with scikit-learn's warning)."""
    if scorer is None or "sample_weight" not in score_params:
        return score_params
    if hasattr(scorer, "_accept_sample_weight"):
        accept = scorer._accept_sample_weight()
    else:
        try:
            params = inspect.signature(scorer).parameters
        except (TypeError, ValueError):
            params = {}
        accept = "sample_weight" in params or any(
            q.kind is inspect.Parameter.VAR_KEYWORD for q in params.values())
    if accept:
        return score_params
    warnings.warn(f"The scoring {scorer} does not support sample_weight, which may lead to "
                  f"statistically incorrect results when fitting {type(estimator).__name__} "
                  "with sample_weight.", UserWarning, stacklevel=3)
    return {k: v for k, v in score_params.items() if k != "sample_weight"}


class RidgeCV(LinearRegressorBase):
    """Ridge regression with alpha chosen by efficient leave-one-out or K-fold CV.

    A drop-in replacement for scikit-learn 1.9's ``RidgeCV``: the same
    constructor parameters, names and defaults, the same choice of
    ``alpha_`` and the same ``best_score_``. Each alpha is that of
    :class:`Ridge` (and scikit-learn's ``Ridge``): the model minimizes
    ``sum_i sw_i (y_i - x_i @ w - b)^2 + alpha * ||w||^2`` with the sample
    weights as given, i.e. ``lk.ridge(X, y, alpha / S)`` with ``S = sum_i
    sw_i`` in lassokit's objective. Leave-one-out (``cv=None``) costs **one**
    factorization for the whole grid: an eigendecomposition of the smaller of
    ``Xc^T Xc`` and ``Xc Xc^T`` (``Xc`` the centred, weighted design), or a
    thin SVD of ``Xc``, then ``O(n r)`` per alpha (``r = min(n, p)``).

    Parameters
    ----------
    alphas : array-like of shape (n_alphas,) or float, default=(0.1, 1.0, 10.0)
        The alphas to try (scikit-learn's Ridge scale), each > 0 with
        ``cv=None`` and >= 0 otherwise.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept (by exact weighted centring).
    scoring : str, callable or None, default=None
        What is maximized: a scorer name, a callable
        ``scorer(estimator, X, y)``, or None: minus the mean squared
        leave-one-out error (weighted, as scikit-learn's) with ``cv=None``,
        R^2 otherwise. With ``cv=None`` a scorer sees the leave-one-out
        predictions (as ``X`` of a stand-in estimator) and the sample weights.
    cv : int, cross-validation generator, iterable or None, default=None
        None: efficient leave-one-out; an int: ``KFold(cv)``; a splitter or
        an iterable of ``(train, test)`` index arrays.
    gcv_mode : {"auto", "svd", "eigen"} or None, default=None
        Leave-one-out factorization: None/``"auto"``/``"eigen"``: the
        eigendecomposition of ``Xc Xc^T`` when ``n_samples <= n_features``,
        else of ``Xc^T Xc``; ``"svd"``: the thin SVD of ``Xc`` (dense X;
        sparse X falls back to ``"eigen"`` with a ``FutureWarning``, as in
        scikit-learn).
    store_cv_results : bool, default=False
        Keep every leave-one-out value in ``cv_results_`` (``cv=None`` only).
    alpha_per_target : bool, default=False
        With a 2-D ``y``, choose one alpha per target (``cv=None`` only).

    Attributes
    ----------
    alpha_ : float or ndarray of shape (n_targets,)
        The chosen alpha (one per target with ``alpha_per_target``).
    best_score_ : float or ndarray of shape (n_targets,)
        The score of ``alpha_``.
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        In the dtype of the training X.
    intercept_ : float or ndarray of shape (n_targets,)
    cv_results_ : ndarray of shape (n_samples, n_alphas) or (n_samples, n_targets, n_alphas)
        With ``store_cv_results=True``: the squared leave-one-out errors
        ``sw_i (y_i - yhat_{-i})^2`` (``scoring=None``) or the leave-one-out
        predictions.
    dual_gap_ : float or ndarray of shape (n_targets,)
        lassokit's certified duality gap of ``coef_`` for the problem of
        :class:`Ridge` at ``alpha_`` (the objective's scale; rounding level).
    n_features_in_, feature_names_in_
        As for :class:`Ridge` (the names only for a pandas X).

    Examples
    --------
    >>> import numpy as np, lassokit as lk
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 3)); y = X @ [1., 2., 0.] + 0.1 * rng.standard_normal(50)
    >>> model = lk.RidgeCV(alphas=np.logspace(-3, 3, 13)).fit(X, y)
    >>> float(model.alpha_), model.coef_.round(1)
    (0.01, array([1., 2., 0.]))
    """

    _constraints: ClassVar[dict] = {
        "alphas": [ARRAY, Interval(numbers.Real, 0, None, "neither")],
        "fit_intercept": [BOOL],
        "scoring": [_SCORING],
        "cv": [CV],
        "gcv_mode": [Options("auto", "svd", "eigen"), NONE],
        "store_cv_results": [BOOL],
        "alpha_per_target": [BOOL],
    }

    def __init__(self, alphas=(0.1, 1.0, 10.0), *, fit_intercept=True, scoring=None, cv=None,
                 gcv_mode=None, store_cv_results=False, alpha_per_target=False):
        keep_params(self, locals())

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def get_metadata_routing(self):
        """Route ``fit`` metadata to the CV splitter (``groups``) and the scorer.

        Returns
        -------
        sklearn.utils.metadata_routing.MetadataRouter
        """
        scorer = get_scorer("r2" if self.scoring is None else self.scoring)
        if self.scoring is None and routing_enabled():
            scorer = scorer.set_score_request(sample_weight=True)
        return splitter_router(self).add(
            scorer=scorer, method_mapping=MethodMapping().add(caller="fit", callee="score"))

    def _grid(self):
        """The alphas as a float64 vector, checked one by one (> 0 for leave-one-out)."""
        alphas = np.asarray(self.alphas)
        if alphas.ndim > 1 or alphas.size == 0 or alphas.dtype.kind not in "biuf":
            raise ValueError(f"alphas must be a number or a non-empty 1-D array of numbers, "
                             f"got {self.alphas!r}.")
        alphas = alphas.astype(np.float64).ravel()
        strict = self.cv is None
        for i, a in enumerate(alphas):
            if not np.isfinite(a) or a < 0 or (strict and a == 0):
                bound = "> 0 (leave-one-out needs a penalty)" if strict else ">= 0"
                raise ValueError(f"alphas[{i}] == {float(a)!r}, must be finite and {bound}.")
        return alphas

    def _mode(self, X):
        if self.gcv_mode != "svd":
            return "eigen"
        if sp.issparse(X):
            warnings.warn(
                "The 'svd' mode is not supported for sparse X, we fallback to "
                "`gcv_mode='eigen'`. Passing `gcv_mode='svd'` on sparse X will raise an "
                "error in scikit-learn 1.11, use the default or pass `gcv_mode='eigen'` to "
                "suppress this warning.", FutureWarning, stacklevel=3)
            return "eigen"
        return "svd"

    # -- fit --------------------------------------------------------------------------
    def fit(self, X, y, sample_weight=None, **params):
        """Choose alpha by leave-one-out or K-fold cross-validation, then fit it on all data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : float or array-like of shape (n_samples,), default=None
            Used as given (scikit-learn's Ridge scale). They also weight the
            scores: the leave-one-out errors with ``cv=None``, each fold's
            test score with K folds (as scikit-learn 1.9's grid search; a
            callable ``scoring`` gets them only if it takes ``sample_weight``).
        **params
            Metadata for the CV splitter (``groups``) or the scorer; needs
            ``sklearn.set_config(enable_metadata_routing=True)``.

        Returns
        -------
        self
        """
        self._check_params()
        X, y = validate_data(self, X, y, accept_sparse=["csc", "csr"],
                             dtype=[np.float64, np.float32], y_numeric=True, multi_output=True)
        alphas = self._grid()
        n = X.shape[0]
        sw = raw_sample_weight(sample_weight, n)
        unrouted = {} if sw is None else {"sample_weight": sw}
        split_params, score_params = fit_metadata(self, params, sample_weight,
                                                  unrouted_score=unrouted)
        Y = np.asarray(y, dtype=np.float64).reshape(n, -1)
        scorer = None if self.scoring is None else get_scorer(self.scoring)
        if not routing_enabled():
            score_params = _accepted(scorer, score_params, self)
        if self.cv is None:
            factor = RidgeFactor(X, Y, sw, self.fit_intercept, self._mode(X))
            chosen = self._leave_one_out(factor, alphas, Y, y, scorer, score_params, X.dtype)
        else:
            if self.store_cv_results:
                raise ValueError("cv!=None and store_cv_results=True are incompatible")
            if self.alpha_per_target:
                raise ValueError("cv!=None and alpha_per_target=True are incompatible")
            chosen = self._k_fold(X, Y, y, sw, alphas, scorer, score_params, split_params)
            factor = RidgeFactor(X, Y, sw, self.fit_intercept, "eigen")
        self._store_fit(X, y, Y, factor, chosen)
        return self

    def _leave_one_out(self, factor, alphas, Y, y, scorer, score_params, dtype):
        """Scores of every alpha from one factorization; returns the chosen alpha per target."""
        n, n_y = Y.shape
        per_target = self.alpha_per_target and n_y > 1
        keep = self.store_cv_results or scorer is not None
        sums, E = factor.loo(alphas, keep)
        units = factor.total / n  # scikit-learn's squared errors: sw_i (y_i - yhat_{-i})^2
        if scorer is None:
            if self.alpha_per_target:
                scores = -sums * units / n  # (n_targets, k)
            else:
                scores = -sums.sum(axis=0) * units / (n * n_y)
            values = None if E is None else E * E * units
        else:
            values = self._loo_predictions(factor, alphas, Y, E)
            scores = np.array([self._scored(scorer, values[..., i], y, score_params)
                               for i in range(alphas.size)]).T
        if values is not None:
            shape = (n, alphas.size) if np.ndim(y) == 1 else (n, n_y, alphas.size)
            self.cv_results_ = values.reshape(shape).astype(dtype, copy=False)
        if per_target:
            best = [_first_best(row) for row in scores]
            self.alpha_ = alphas[best]
            self.best_score_ = np.array([scores[j, i] for j, i in enumerate(best)])
            return self.alpha_
        flat = scores if scores.ndim == 1 else scores[0]
        i = _first_best(flat)
        self.alpha_ = float(alphas[i])
        self.best_score_ = scores[..., i] if scores.ndim == 2 and np.ndim(y) == 2 \
            else np.float64(flat[i])
        return np.full(n_y, self.alpha_)

    def _scored(self, scorer, P, y, score_params):
        """One alpha's score of leave-one-out predictions ``P`` (n, n_targets)."""
        P = P.reshape(np.shape(y)) if np.ndim(y) == 1 else P
        if self.alpha_per_target and np.ndim(y) == 2:
            return [scorer(_Given(), P[:, j], y[:, j], **score_params)
                    for j in range(P.shape[1])]
        return scorer(_Given(), P, y, **score_params)

    @staticmethod
    def _loo_predictions(factor, alphas, Y, E):
        """``yhat_{-i}`` (n, n_targets, k) from the residuals ``E`` in sqrt(sbar) units.

        A sample of weight 0 does not move the fit: its leave-one-out
        prediction is the full fit's (scikit-learn returns NaN there).
        """
        root = factor.root
        with np.errstate(divide="ignore", invalid="ignore"):
            P = Y[:, :, None] - E / root[:, None, None]
        zero = np.flatnonzero(root == 0)
        if zero.size:
            W, _ = factor.coefs(alphas)
            P[zero] = factor.predict(factor.X[zero], W)
        return P

    def _k_fold(self, X, Y, y, sw, alphas, scorer, score_params, split_params):
        """Mean fold score of every alpha; returns the chosen alpha per target."""
        from ._cv_folds import check_folds

        folds = list(check_cv(self.cv, y, classifier=False).split(X, y, **split_params))
        check_folds(folds, sw)
        Xr = X.tocsr() if sp.issparse(X) else X
        scores = np.empty((len(folds), alphas.size))
        for f, (train, test) in enumerate(folds):
            train, test = np.asarray(train), np.asarray(test)
            fold = RidgeFactor(Xr[train], Y[train], None if sw is None else sw[train],
                               self.fit_intercept, "eigen")
            W, b = fold.coefs(alphas)
            y_test = y[test]
            if scorer is None or isinstance(self.scoring, str):
                P = fold.predict(Xr[test], W)
            params = {k: (v[test] if np.shape(v)[:1] == (X.shape[0],) else v)
                      for k, v in score_params.items()}
            if scorer is None:
                scores[f] = _r2(Y[test], P, params.get("sample_weight"))
                continue
            for i in range(alphas.size):
                if isinstance(self.scoring, str):
                    Pi = P[:, :, i].reshape(np.shape(y_test))
                    scores[f, i] = scorer(_Given(), Pi, y_test, **params)
                else:
                    coef = W[:, :, i].T if np.ndim(y) == 2 else W[:, 0, i]
                    icpt = b[:, i] if np.ndim(y) == 2 else b[0, i]
                    scores[f, i] = scorer(_FoldModel(coef, icpt), Xr[test], y_test, **params)
        mean = scores.mean(axis=0)
        i = _first_best(np.where(np.isnan(mean), -np.inf, mean))
        self.alpha_ = alphas[i]
        self.best_score_ = mean[i]
        return np.full(Y.shape[1], self.alpha_)

    # -- the chosen model -------------------------------------------------------------
    def _store_fit(self, X, y, Y, factor, chosen):
        """``coef_``, ``intercept_`` and their certificate at the chosen alpha(s)."""
        unique, where = np.unique(chosen, return_inverse=True)
        W, b = factor.coefs(unique)
        targets = np.arange(len(chosen))
        coef = W[:, targets, where].T  # (n_targets, p)
        icpt = b[targets, where]
        dtype = X.dtype
        one = np.ndim(y) == 1 or np.shape(y)[1] == 1
        self.coef_ = (coef[0] if one else coef).astype(dtype)
        if not self.fit_intercept:
            self.intercept_ = 0.0
        elif np.ndim(y) == 1:
            self.intercept_ = dtype.type(icpt[0])
        else:
            self.intercept_ = icpt.astype(dtype)
        gaps = self._certify(X, Y, factor, chosen, coef)
        self.dual_gap_ = gaps[0] if np.ndim(y) == 1 else gaps

    def _certify(self, X, Y, factor, chosen, coef):
        """lassokit's duality gap of each target's fit (the problem of ``lk.Ridge(alpha)``)."""
        Xv = check_X(X, known_finite=True)
        gaps = np.empty(len(chosen))
        for j, alpha in enumerate(chosen):
            yc = factor.yc[:, j]
            y_j = np.ascontiguousarray(Y[:, j])
            stats = (factor.x_mean, float(factor.y_mean[j]), yc, null_objective(yc, factor.sbar))
            problem = Problem._trusted(Xv, y_j, Penalty(0.0, float(alpha) / factor.total),
                                       fit_intercept=self.fit_intercept,
                                       sample_weight=factor.sbar, positive=False, stats=stats)
            gaps[j] = problem.certify(np.asarray(coef[j], dtype=np.float64)).dual_gap
        return gaps

    def predict(self, X):
        """Predict with the fitted linear model: ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        check_is_fitted(self)
        if np.ndim(self.coef_) == 1:
            return linear_predictor(self, X)
        X = validate_data(self, X, reset=False, accept_sparse=["csc", "csr"],
                          dtype=[np.float64, np.float32])
        Z = centred_matmat(X, np.asarray(self.coef_, dtype=np.float64).T,
                           np.zeros(X.shape[1])) + self.intercept_
        return Z.astype(np.result_type(X.dtype, self.coef_.dtype), copy=False)
