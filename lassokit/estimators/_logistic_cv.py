"""``LogisticRegressionCV``: ``C`` (and ``l1_ratio``) chosen by cross-validation over paths.

Each (fold, l1_ratio) pair is one joblib task (threads preferred: the
numba kernels release the GIL) that solves the whole ``Cs`` grid as one
warm-started path and scores every ``C`` on the held-out rows (see
:mod:`lassokit.estimators._logistic_folds`). What is chosen, and how,
follows scikit-learn 1.9's ``LogisticRegressionCV``:

* ``Cs`` an int: ``np.logspace(-4, 4, Cs)``; an array: used as given
  (``Cs_`` keeps its order, ``inf`` is the unpenalized fit);
* ``cv=None``: 5-fold ``StratifiedKFold``; ``scoring=None``: accuracy
  weighted by the test rows' ``sample_weight`` (the ``"warn"`` default
  means None and warns, as scikit-learn 1.9 does); ``class_weight="balanced"``
  is computed once on all of y;
* ``refit=True``: the (C, l1_ratio) of the best score summed over folds
  (ties: the first in the order of ``Cs``, then ``l1_ratios``), refitted on
  all data; ``refit=False``: the average of each fold's best coefficients
  and ``C``;
* in addition (not in scikit-learn), ``C_1se_``: the smallest ``C`` whose
  mean score is within one standard error of the best mean score
  (glmnet's one-standard-error rule turned round: the score is maximized).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from joblib import Parallel, delayed
from sklearn.metrics import get_scorer
from sklearn.model_selection import check_cv
from sklearn.utils.metadata_routing import MethodMapping, process_routing

from .._finish import warn_unconverged
from .._standardize import check_penalty_weights
from ._base import keep_params, raw_offset, raw_sample_weight, solver_tol
from ._cv_select import one_standard_error_C, standard_error
from ._glm_weights import glm_weights
from ._logistic_base import BinaryLogisticBase
from ._logistic_folds import fold_task
from ._logistic_layout import cv_scores, set_cv_attributes
from ._logistic_params import COMMON_CONSTRAINTS, SCORING, check_Cs, read_cv_params
from ._params import ARRAY, BOOL, CV, NONE, POS_INT, Options, validate_params
from ._routing import fit_metadata, routing_enabled, splitter_router

# cv_scores and one_standard_error_C lived here first (lassokit.plotting reads
# them); they stay importable from this module, as does the fold scores' standard
# error under its first name.
_standard_error = standard_error

__all__ = ["LogisticRegressionCV", "cv_scores", "one_standard_error_C"]


class LogisticRegressionCV(BinaryLogisticBase):
    """Binary logistic regression with ``C`` (and ``l1_ratio``) chosen by cross-validation.

    Same constructor parameters, names and defaults as scikit-learn 1.9's
    ``LogisticRegressionCV`` (deprecated ones and ``"warn"`` defaults
    included), plus ``backend``; the model at each ``C`` is that of
    :class:`LogisticRegression` (``alpha = 1 / (C * S)``, ``S`` the total
    effective weight of the rows it is fitted on). Every fold solves the
    whole ``Cs`` grid as one warm-started path; how the grid, the scores
    and the choice are made is described in
    :mod:`lassokit.estimators._logistic_cv` and matches scikit-learn 1.9.

    Parameters
    ----------
    Cs : int or array-like of floats in (0, inf], default=10
        Grid of inverse strengths; an int ``k`` gives ``np.logspace(-4, 4, k)``.
    l1_ratios : array-like of floats in [0, 1] or None, default="warn"
        Candidate L1 shares. The default ``"warn"`` means None, the L2
        penalty, and warns that scikit-learn 1.10 changes it to ``(0.0,)``
        (``FutureWarning``); None is deprecated likewise.
    fit_intercept : bool, default=True
    cv : int, CV splitter or iterable, default=None
        As in scikit-learn (None: 5-fold ``StratifiedKFold``).
    dual : bool, default=False
        Accepted and ignored (see :class:`LogisticRegression`).
    penalty : {"l1", "l2", "elasticnet"}, default="deprecated"
        Deprecated as in scikit-learn 1.8 (``FutureWarning`` when given);
        when given, ``"l1"``/``"l2"`` override ``l1_ratios``. Left at its
        default: L2 when every ``l1_ratios`` entry is 0 (or None), L1 when
        every entry is 1, elastic net otherwise.
    scoring : str, callable or None, default="warn"
        Score maximized over the grid: a scorer name, a callable
        ``scorer(estimator, X, y)``, or None for accuracy (weighted by the
        test rows' ``sample_weight``). ``"warn"`` means None and warns that
        scikit-learn 1.11 changes the default to ``"neg_log_loss"``.
    solver : {"lbfgs", "liblinear", "newton-cg", "newton-cholesky", "sag", "saga"}, \
default="lbfgs"
        Accepted and ignored (see :class:`LogisticRegression`).
    tol : float, default=1e-4
        Target relative duality gap of every solve (folds and refit).
    max_iter : int, default=100
        Iteration budget of each solve.
    class_weight : dict or "balanced", default=None
        As in :class:`LogisticRegression`; ``"balanced"`` is computed once on
        all of y and applied to every fold, as in scikit-learn.
    n_jobs : int, default=None
        Parallel (fold, l1_ratio) tasks through joblib (threads preferred).
    verbose : int, default=0
        joblib verbosity.
    refit : bool, default=True
        Refit on all data at the best ``(C, l1_ratio)``; False: average the
        folds' best coefficients (and ``C``, ``l1_ratio``) instead.
    intercept_scaling : float, default=1.0
        Accepted and ignored (see :class:`LogisticRegression`).
    random_state : int, RandomState or None, default=None
        Accepted and ignored (it never affected the CV splitter).
    use_legacy_attributes : bool, default="warn"
        scikit-learn 1.9's switch of attribute layouts (see Attributes):
        True (and ``"warn"``, which also warns) keeps the legacy layout,
        False the new one.
    backend : str or Backend, default="auto"
        The lassokit backend of every fold's path and of the refit: a name
        from :func:`lassokit.available_backends` that takes the logistic
        loss (``"cd"``, ``"cvxpy"``) or a :class:`~lassokit.Backend`
        instance; ``"auto"`` picks the first capable one (``"cd"``).
        ``backend_`` names the one used.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Bounds of the coefficients held exactly in every fold's path and in
        the refit, ``lower_bounds <= coef_[0] <= upper_bounds`` with
        ``lower_bounds <= 0 <= upper_bounds`` (glmnet's
        ``lower.limits``/``upper.limits``; None: unbounded on that side),
        as for :class:`LogisticRegression`. With ``refit=False`` the
        averaged coefficients stay inside them (the box is convex).
    penalty_weights : array-like of shape (n_features,), default=None
        Per-feature factors of both penalty terms (glmnet's
        ``penalty.factor``; 0: unpenalized, ``inf``: excluded, coefficient
        0), the same in every fold and in the refit, as for
        :class:`LogisticRegression`. Not in scikit-learn.
    standardize : bool, default=False
        glmnet's ``standardize``, as for :class:`LogisticRegression` (L1
        factors ``v_j sd_j``, L2 factors ``v_j sd_j**2``): each fold takes
        the weighted standard deviations of its own training rows (as
        ``cv.glmnet`` standardizes within each fold), the refit those of
        all rows. Not in scikit-learn.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
    coef_ : ndarray of shape (1, n_features)
    intercept_ : ndarray of shape (1,)
    Cs_ : ndarray of shape (n_cs,)
        The grid, in the order given.
    l1_ratios_ : ndarray of shape (n_l1_ratios,)
        The candidate shares (``[None]`` when ``l1_ratios`` is None).
    C_ : ndarray of shape (1,) or float
        The chosen ``C`` (legacy layout: an array of one value).
    l1_ratio_ : ndarray of shape (1,) or float
        The chosen L1 share, likewise.
    C_1se_ : float
        The smallest ``C`` of ``Cs_`` whose mean score over folds is at least
        the best mean score minus its standard error (``std(ddof=1) /
        sqrt(n_folds)`` of the fold scores there), on the chosen ``l1_ratio``:
        a stronger penalty whose score cannot be told apart from the best.
        ``C_1se_ <= C_`` with ``refit=True``. Not used for the refit: fit
        ``LogisticRegression(C=C_1se_, ...)`` for that model.
    scores_ : dict or ndarray
        Fold scores. Legacy: ``{classes_[1]: array of shape (n_folds, n_cs)}``
        (``(n_folds, n_cs, n_l1_ratios)`` when ``l1_ratios`` is given); new:
        an array of shape (n_folds, n_l1_ratios, n_cs).
    coefs_paths_ : dict or ndarray
        The folds' coefficients with the intercept last (``n_dof =
        n_features + fit_intercept``). Legacy: ``{classes_[1]: array of shape
        (n_folds, n_cs, n_dof)}`` (``(n_folds, n_cs, n_l1_ratios, n_dof)``
        when ``l1_ratios`` is given); new: shape (n_folds, n_l1_ratios, n_cs,
        1, n_dof).
    n_iter_ : ndarray
        Backend iterations per fold and ``C``: legacy shape (1, n_folds,
        n_cs) (or (1, n_folds, n_cs, n_l1_ratios)), new (n_folds,
        n_l1_ratios, n_cs).
    dual_gap_, backend_, solution_
        Of the refitted model, as for :class:`LogisticRegression`
        (``refit=False``: NaN, the backend's name and None).
    n_features_in_, feature_names_in_

    Examples
    --------
    >>> import numpy as np, lassokit as lk
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((150, 4))
    >>> y = (X[:, 0] + 0.8 * rng.standard_normal(150) > 0).astype(int)
    >>> clf = lk.LogisticRegressionCV(Cs=6, l1_ratios=(1.0,), scoring="neg_log_loss",
    ...                               use_legacy_attributes=False).fit(X, y)
    >>> clf.scores_.shape, bool(clf.C_1se_ <= clf.C_)
    ((5, 1, 6), True)
    """

    _constraints: ClassVar[dict] = {
        **COMMON_CONSTRAINTS,
        "Cs": [POS_INT, ARRAY],
        "l1_ratios": [ARRAY, NONE, Options("warn")],
        "cv": [CV],
        "scoring": [SCORING],
        "refit": [BOOL],
        "penalty": [Options("l1", "l2", "elasticnet", "deprecated")],
        "use_legacy_attributes": [BOOL, Options("warn")],
    }

    def __init__(self, *, Cs=10, l1_ratios="warn", fit_intercept=True, cv=None, dual=False,
                 penalty="deprecated", scoring="warn", solver="lbfgs", tol=1e-4, max_iter=100,
                 class_weight=None, n_jobs=None, verbose=0, refit=True, intercept_scaling=1.0,
                 random_state=None, use_legacy_attributes="warn", backend="auto",
                 lower_bounds=None, upper_bounds=None, penalty_weights=None, standardize=False):
        keep_params(self, locals())

    def _scorer(self):
        scoring = None if isinstance(self.scoring, str) and self.scoring == "warn" \
            else self.scoring
        return get_scorer("accuracy" if scoring is None else scoring)

    def get_metadata_routing(self):
        """Route ``fit`` metadata to the CV splitter (``groups``) and the scorer.

        Returns
        -------
        sklearn.utils.metadata_routing.MetadataRouter
        """
        return splitter_router(self, classifier=True).add(
            scorer=self._scorer(),
            method_mapping=MethodMapping().add(caller="score", callee="score")
            .add(caller="fit", callee="score"))

    # -- fit --------------------------------------------------------------------------
    def fit(self, X, y, sample_weight=None, offset=None, **params):
        """Cross-validate the ``(C, l1_ratio)`` grid, then refit on all data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Two class labels of any type.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Used for fitting (times ``class_weight``) and for the test scores.
        offset : array-like of shape (n_samples,), default=None
            A fixed part of the linear predictor, not fitted (glmnet's
            ``offset``), as for :class:`LogisticRegression`: each fold is
            fitted with its training rows' offsets, and its test rows are
            scored with theirs added to the linear predictor (for a
            ``scoring``, the fitted model handed to the scorer adds them);
            the refit takes all rows' offsets. The prediction methods add
            an offset only when given one. Finite, one per sample; never
            modified.
        **params
            Metadata for the CV splitter (``groups``) and the scorer; needs
            ``sklearn.set_config(enable_metadata_routing=True)``.

        Returns
        -------
        self
        """
        validate_params(self, self._constraints)
        given, ratios, shares, kind, scoring, legacy = read_cv_params(self)
        Cs = check_Cs(self.Cs)
        X, y, y_pm, s = self._validate_train(X, y, sample_weight)
        sw = raw_sample_weight(sample_weight, X.shape[0])
        offset = raw_offset(offset, X.shape[0])
        split_params, score_params = fit_metadata(
            self, params, sample_weight, unrouted_score={} if sw is None else {"sample_weight": sw})
        folds = list(check_cv(self.cv, y, classifier=True).split(X, y, **split_params))
        scorer = None if scoring is None else get_scorer(scoring)
        # The whole data's factors; under standardize each fold takes the
        # standard deviations of its own training rows (as cv.glmnet does).
        pf = check_penalty_weights(self.penalty_weights, X.shape[1])
        settings = {"fit_intercept": self.fit_intercept, "backend": self.backend,
                    "tol": solver_tol(self.tol), "max_iter": max(int(self.max_iter), 1),
                    "y": y, "offset": offset, "bounds": self._bounds(X.shape[1]),
                    "penalty_weights": pf, "standardize": self.standardize,
                    "stand_in": {"classes_": self.classes_, "n_features_in_": X.shape[1]}}
        jobs = (delayed(fold_task)(X, y_pm, s, sw, np.asarray(train), np.asarray(test), Cs, r,
                                   settings, scorer, score_params, k)
                for k, (train, test) in enumerate(folds) for r in shares)
        out = Parallel(n_jobs=self.n_jobs, verbose=self.verbose, prefer="threads")(jobs)
        n_folds, n_l1, n_cs = len(folds), len(shares), Cs.shape[0]
        scores = np.reshape([o[0] for o in out], (n_folds, n_l1, n_cs))
        paths = np.reshape([o[1] for o in out], (n_folds, n_l1, n_cs, -1))
        n_iter = np.reshape([o[2] for o in out], (n_folds, n_l1, n_cs)).astype(np.int32)
        bad = sum(o[3] for o in out)
        if bad:
            warn_unconverged(f"{type(self).__name__} (over the folds)", bad,
                             n_folds * n_l1 * n_cs, self.tol, max(o[4] for o in out),
                             stacklevel=2)
        chosen = self._choose(X, y_pm, s, Cs, ratios, shares, scores, paths, kind, offset,
                              glm_weights(X, s, self.fit_intercept, pf, self.standardize))
        set_cv_attributes(self, Cs, ratios, given, scores, paths, n_iter, legacy, chosen)
        return self

    def _choose(self, X, y_pm, s, Cs, ratios, shares, scores, paths, kind, offset=None,
                weights=(None, None)):
        """``C_1se_`` and the final coefficients; returns the chosen ``(C, l1_ratio)``.

        See the module for the choice; ``weights`` are the refit's per-feature
        factors ``(v1, v2)`` (the whole data's).
        """
        p = X.shape[1]
        # scikit-learn's order of ties: flattened (n_cs, n_l1), C major.
        total = scores.sum(axis=0).T  # (n_cs, n_l1)
        i, j = np.unravel_index(int(np.argmax(total)), total.shape)
        mean = scores[:, j, :].mean(axis=0)
        self.C_1se_ = one_standard_error_C(Cs, mean, standard_error(scores[:, j, :].T), i)
        if self.refit:
            C, r = float(Cs[i]), shares[j]
            self._check_exists(X, y_pm, s, self._penalty(s, C, r, weights))
            warm = paths[:, j, i, :p].mean(axis=0)
            sol, _ = self._solve(self._problem(X, y_pm, s, C, r, offset, weights), warm)
            self._store(sol, X.dtype)
            return C, ratios[j]
        per_fold = scores.transpose(0, 2, 1).reshape(scores.shape[0], -1).argmax(axis=1)
        ci, lj = np.unravel_index(per_fold, (Cs.shape[0], len(shares)))
        w = np.mean([paths[k, lj[k], ci[k]] for k in range(scores.shape[0])], axis=0)
        self.coef_ = w[:p].astype(X.dtype).reshape(1, p)
        self.intercept_ = np.array([w[p] if self.fit_intercept else 0.0], dtype=X.dtype)
        self.dual_gap_ = float("nan")
        self.backend_ = self.backend if isinstance(self.backend, str) else self.backend.name
        self.solution_ = None
        l1 = float(np.mean([ratios[t] for t in lj])) if kind == "elasticnet" else 0.0
        return float(np.mean(Cs[ci])), l1

    def score(self, X, y, sample_weight=None, **score_params):
        """The ``scoring`` of this estimator on ``(X, y)`` (accuracy when None).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
        **score_params
            Further arguments of the scorer (with metadata routing enabled).

        Returns
        -------
        float
        """
        if sample_weight is not None:
            score_params["sample_weight"] = sample_weight
        if routing_enabled():
            score_params = process_routing(self, "score", **score_params).scorer.score
        return self._scorer()(self, X, y, **score_params)
