"""``LogisticRegressionCV``: ``C`` (and ``l1_ratio``) chosen by cross-validation over paths.

Each (fold, l1_ratio) pair is one joblib task (threads preferred: the
numba kernels release the GIL) that solves the whole ``Cs`` grid as one
warm-started :func:`lassokit.path` on the fold's training rows -- in
lassokit's strength ``alpha = 1 / (C * S_train)``, decreasing as ``C``
increases, with ``S_train`` the training rows' total effective weight --
and scores every ``C`` on the held-out rows. What is chosen, and how,
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

import numbers
import warnings
from typing import ClassVar

import numpy as np
from joblib import Parallel, delayed
from sklearn import get_config
from sklearn.metrics import get_scorer
from sklearn.model_selection import check_cv
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)

from .._finish import warn_unconverged
from ..path import run_path
from ..penalty import Penalty
from ..problem import Problem
from ._base import raw_sample_weight, solver_tol
from ._params import ARRAY, BOOL, CV, NONE, POS_INT, Options, _Simple, validate_params
from .logistic import (
    COMMON_CONSTRAINTS,
    BinaryLogisticBase,
    LogisticRegression,
    unpenalized_fit_exists,
)

__all__ = ["LogisticRegressionCV", "cv_scores", "one_standard_error_C"]

SCORING = _Simple(lambda v: v is None or isinstance(v, str) or callable(v),
                  "None, a scorer name (str) or a callable")


def one_standard_error_C(Cs, mean, se, best=None):
    """The smallest ``C`` whose mean score is within one standard error of the best.

    The best is the largest mean score (first in the order of ``Cs`` on
    ties), or the index ``best``; the threshold is that mean minus the
    standard error there. With no standard error (one fold) it is the best
    ``C`` itself.

    Parameters
    ----------
    Cs, mean, se : ndarray of shape (n_cs,)
    best : int, optional

    Returns
    -------
    float
    """
    Cs, mean, se = (np.asarray(a, dtype=np.float64) for a in (Cs, mean, se))
    i = int(np.argmax(mean)) if best is None else int(best)
    if not np.isfinite(se[i]):
        return float(Cs[i])
    return float(np.min(Cs[mean >= mean[i] - se[i]]))


def cv_scores(estimator):
    """``(Cs, scores, l1_ratios)`` of a fitted ``LogisticRegressionCV`` in one layout.

    ``scores`` has shape (n_l1_ratios, n_cs, n_folds), whatever the layout
    of ``scores_`` (scikit-learn 1.9's legacy dict or its new array; lassokit's
    estimator or scikit-learn's).
    """
    Cs = np.asarray(estimator.Cs_, dtype=np.float64)
    raw = estimator.scores_
    if isinstance(raw, dict):
        raw = np.asarray(next(iter(raw.values())), dtype=np.float64)
        # legacy: (n_folds, n_cs) or (n_folds, n_cs, n_l1)
        raw = raw[:, :, None] if raw.ndim == 2 else raw
        scores = np.moveaxis(raw, (0, 1, 2), (2, 1, 0))
    else:
        # new layout: (n_folds, n_l1, n_cs)
        scores = np.moveaxis(np.asarray(raw, dtype=np.float64), (0, 1, 2), (2, 0, 1))
    ratios = np.atleast_1d(np.asarray(getattr(estimator, "l1_ratios_", [None]), dtype=object))
    return Cs, scores, ratios


def _standard_error(scores):
    """Standard error of the mean over the last axis (``std(ddof=1) / sqrt(K)``; NaN for K=1)."""
    k = scores.shape[-1]
    if k < 2:
        return np.full(scores.shape[:-1], np.nan)
    return scores.std(axis=-1, ddof=1) / np.sqrt(k)


def _check_Cs(Cs):
    if isinstance(Cs, numbers.Integral) and not isinstance(Cs, bool):
        return np.logspace(-4, 4, int(Cs))
    try:
        arr = np.asarray(Cs, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"Cs must be an int or a 1-D array of positive numbers, got {Cs!r}.") \
            from exc
    if arr.ndim != 1 or arr.size == 0 or np.any(np.isnan(arr)) or np.any(arr <= 0):
        raise ValueError(f"Cs must be an int or a non-empty 1-D array of numbers in (0, inf], "
                         f"got {Cs!r}.")
    return arr


def _fold_task(X, y_pm, s, sw, train, test, Cs, r, settings, scorer, score_params, k):
    """Solve one fold's path over ``Cs`` at L1 share ``r``; score it on the test rows.

    Returns ``(scores (n_cs,), coefs (n_cs, n_dof), n_iter (n_cs,), n_bad, worst_rel_gap)``
    in the order of ``Cs``.
    """
    fit_intercept = settings["fit_intercept"]
    s_train = s[train]
    for cls in (1.0, -1.0):
        if not s_train[y_pm[train] == cls].sum() > 0:
            raise ValueError(
                f"cv fold {k}: its training set holds no weight in one of the two classes, so "
                "there is nothing to separate; use a stratified cv splitter (the default) or "
                "fewer folds.")
    order = np.argsort(Cs, kind="stable")  # C increasing = alpha decreasing
    S = float(s_train.sum())
    with np.errstate(divide="ignore"):
        alphas = np.where(np.isinf(Cs[order]), 0.0, 1.0 / (Cs[order] * S))
    X_train = X[train]
    if np.any(alphas == 0) and not unpenalized_fit_exists(
            X_train[np.flatnonzero(s_train > 0)], y_pm[train][s_train > 0],
            fit_intercept=fit_intercept):
        raise ValueError(f"cv fold {k}: the unpenalized fit (C=inf in Cs) does not exist on its "
                         "training set (the classes are separable there); drop inf from Cs.")
    problem = Problem._single_use(X_train, y_pm[train], Penalty(r, 1.0 - r),
                                  fit_intercept=fit_intercept, sample_weight=s_train,
                                  known_finite=True, loss="logistic")
    path = run_path(problem, alphas, backend=settings["backend"], tol=settings["tol"],
                    max_iter=settings["max_iter"], l1_ratio=r)
    n_cs, p = Cs.shape[0], X.shape[1]
    coefs = np.zeros((n_cs, p + int(fit_intercept)))
    coefs[order, :p] = np.asarray(path.coefs, dtype=np.float64).T
    if fit_intercept:
        coefs[order, p] = path.intercepts
    n_iter = np.zeros(n_cs, dtype=np.int32)
    n_iter[order] = np.maximum(path.n_iters, 1)  # a point certified at once counts 1
    X_test, y_test = X[test], settings["y"][test]
    if scorer is None:
        z = np.asarray(X_test @ coefs[:, :p].T) + (coefs[:, p] if fit_intercept else 0.0)
        hit = (z > 0) == (y_pm[test] > 0)[:, None]
        w = None if sw is None else sw[test]
        scores = np.average(hit, axis=0, weights=w)
    else:
        est = settings["stand_in"]
        scores = np.empty(n_cs)
        for j in range(n_cs):
            fitted = _stand_in(est, coefs[j], p, fit_intercept, X.dtype)
            params = {key: (np.asarray(v)[test] if _is_per_sample(v, X.shape[0]) else v)
                      for key, v in score_params.items()}
            scores[j] = scorer(fitted, X_test, y_test, **params)
    bad = int(np.count_nonzero(~path.converged))
    return scores, coefs, n_iter, bad, float(np.max(path.rel_gaps))


def _is_per_sample(v, n):
    return hasattr(v, "__len__") and not isinstance(v, str) and len(v) == n


def _stand_in(template, w, p, fit_intercept, dtype):
    """A fitted :class:`LogisticRegression` holding one point of a fold's path (for scorers)."""
    est = LogisticRegression(fit_intercept=fit_intercept)
    est.classes_ = template["classes_"]
    est.n_features_in_ = template["n_features_in_"]
    est.coef_ = np.asarray(w[:p], dtype=dtype).reshape(1, p)
    est.intercept_ = np.array([w[p] if fit_intercept else 0.0], dtype=dtype)
    return est


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
                 random_state=None, use_legacy_attributes="warn", backend="auto"):
        self.Cs = Cs
        self.l1_ratios = l1_ratios
        self.fit_intercept = fit_intercept
        self.cv = cv
        self.dual = dual
        self.penalty = penalty
        self.scoring = scoring
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.class_weight = class_weight
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.refit = refit
        self.intercept_scaling = intercept_scaling
        self.random_state = random_state
        self.use_legacy_attributes = use_legacy_attributes
        self.backend = backend

    # -- scikit-learn 1.9's reading of the parameters --------------------------------
    def _read_params(self):
        """``(l1_ratios given, l1_ratios_, shares r, penalty kind, scoring, legacy)``."""
        name = type(self).__name__
        if isinstance(self.l1_ratios, str):  # "warn"
            given = None
            warnings.warn(
                f"{name}: the default l1_ratios ('warn', meaning None: the L2 penalty) "
                "changes to (0.0,) in scikit-learn 1.10, where None is refused; set it "
                "explicitly, e.g. l1_ratios=(0,) or (1,).", FutureWarning, stacklevel=3)
        else:
            given = self.l1_ratios
        if self.penalty == "deprecated":
            if self.l1_ratios is None:
                warnings.warn(f"{name}: l1_ratios=None is deprecated (an error from "
                              "scikit-learn 1.10); pass values in [0, 1].", FutureWarning,
                              stacklevel=3)
            vals = None if given is None else np.asarray(given, dtype=object)
            if vals is None or np.all(vals == 0):
                kind = "l2"
            elif np.all(vals == 1):
                kind = "l1"
            else:
                kind = "elasticnet"
        else:
            kind = self.penalty
            warnings.warn(
                f"{name}: 'penalty' is deprecated (as in scikit-learn 1.8, removed in 1.10); "
                "use l1_ratios=(0,) for 'l2', (1,) for 'l1', values between 0 and 1 for "
                "'elasticnet'.", FutureWarning, stacklevel=3)
        if kind == "elasticnet" or given is not None:
            ratios = list(np.atleast_1d(np.asarray(given, dtype=object))) \
                if given is not None else []
            if not ratios or any(isinstance(v, bool) or not isinstance(v, numbers.Real)
                                 or not 0 <= v <= 1 for v in ratios):
                raise ValueError(f"l1_ratios must be an array-like of numbers in [0, 1], got "
                                 f"{given!r}.")
            if kind != "elasticnet" and self.penalty != "deprecated":
                warnings.warn(f"{name}: l1_ratios is only used when penalty is 'elasticnet' "
                              f"(penalty={kind!r}).", UserWarning, stacklevel=3)
            ratios = [float(v) for v in ratios]
        else:
            ratios = [None]
        shares = [{"l1": 1.0, "l2": 0.0}.get(kind, v) for v in ratios]
        if isinstance(self.scoring, str) and self.scoring == "warn":
            warnings.warn(
                f"{name}: the default scoring ('warn', meaning None: accuracy) changes to "
                "'neg_log_loss' in scikit-learn 1.11; set scoring explicitly.",
                FutureWarning, stacklevel=3)
            scoring = None
        else:
            scoring = self.scoring
        if isinstance(self.use_legacy_attributes, str):
            warnings.warn(
                f"{name}: the fitted attributes take scikit-learn 1.10's simpler layout by "
                "default from then on; set use_legacy_attributes=False for it now, True to "
                "keep the legacy one without this warning.", FutureWarning, stacklevel=3)
            legacy = True
        else:
            legacy = bool(self.use_legacy_attributes)
        return given, ratios, shares, kind, scoring, legacy

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
        return (MetadataRouter(owner=self).add_self_request(self)
                .add(splitter=check_cv(self.cv, classifier=True),
                     method_mapping=MethodMapping().add(caller="fit", callee="split"))
                .add(scorer=self._scorer(),
                     method_mapping=MethodMapping().add(caller="score", callee="score")
                     .add(caller="fit", callee="score")))

    # -- fit --------------------------------------------------------------------------
    def fit(self, X, y, sample_weight=None, **params):
        """Cross-validate the ``(C, l1_ratio)`` grid, then refit on all data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Two class labels of any type.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Used for fitting (times ``class_weight``) and for the test scores.
        **params
            Metadata for the CV splitter (``groups``) and the scorer; needs
            ``sklearn.set_config(enable_metadata_routing=True)``.

        Returns
        -------
        self
        """
        validate_params(self, self._constraints)
        given, ratios, shares, kind, scoring, legacy = self._read_params()
        Cs = _check_Cs(self.Cs)
        X, y, y_pm, s = self._validate_train(X, y, sample_weight)
        n = X.shape[0]
        sw = None if sample_weight is None else self._raw_weights(sample_weight, n)
        if get_config().get("enable_metadata_routing", False):
            routed = process_routing(self, "fit", sample_weight=sample_weight, **params)
            split_params, score_params = routed.splitter.split, dict(routed.scorer.score)
        elif params:
            raise ValueError(
                f"{type(self).__name__}.fit got unexpected argument(s) {sorted(params)}; passing "
                "metadata to the CV splitter or the scorer needs "
                "sklearn.set_config(enable_metadata_routing=True).")
        else:
            split_params = {}
            score_params = {} if sw is None else {"sample_weight": sw}
        folds = list(check_cv(self.cv, y, classifier=True).split(X, y, **split_params))
        scorer = None if scoring is None else get_scorer(scoring)
        settings = dict(fit_intercept=self.fit_intercept, backend=self.backend,
                        tol=solver_tol(self.tol), max_iter=max(int(self.max_iter), 1), y=y,
                        stand_in={"classes_": self.classes_, "n_features_in_": X.shape[1]})
        jobs = (delayed(_fold_task)(X, y_pm, s, sw, np.asarray(train), np.asarray(test), Cs, r,
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
        self._choose(X, y_pm, s, Cs, ratios, shares, scores, paths, kind)
        self._set_attributes(Cs, ratios, given, scores, paths, n_iter, legacy, kind)
        return self

    @staticmethod
    def _raw_weights(sample_weight, n):
        """The caller's ``sample_weight`` (without class weights), for the test scores."""
        if isinstance(sample_weight, numbers.Number) and not isinstance(sample_weight, bool):
            return np.full(n, float(sample_weight))
        return raw_sample_weight(sample_weight, n)

    def _choose(self, X, y_pm, s, Cs, ratios, shares, scores, paths, kind):
        """``C_``, ``l1_ratio_``, ``C_1se_`` and the final coefficients (see the module)."""
        p = X.shape[1]
        # scikit-learn's order of ties: flattened (n_cs, n_l1), C major.
        total = scores.sum(axis=0).T  # (n_cs, n_l1)
        i, j = np.unravel_index(int(np.argmax(total)), total.shape)
        mean = scores[:, j, :].mean(axis=0)
        self.C_1se_ = one_standard_error_C(Cs, mean, _standard_error(scores[:, j, :].T), i)
        if self.refit:
            C, r = float(Cs[i]), shares[j]
            self._C, self._l1 = C, ratios[j]
            if C == np.inf:
                self._check_exists(X, y_pm, s)
            warm = paths[:, j, i, :p].mean(axis=0)
            sol, _ = self._solve(self._problem(X, y_pm, s, C, r), warm)
            self._store(sol, X.dtype)
            return
        per_fold = scores.transpose(0, 2, 1).reshape(scores.shape[0], -1).argmax(axis=1)
        ci, lj = np.unravel_index(per_fold, (Cs.shape[0], len(shares)))
        w = np.mean([paths[k, lj[k], ci[k]] for k in range(scores.shape[0])], axis=0)
        self._C = float(np.mean(Cs[ci]))
        self._l1 = float(np.mean([ratios[t] for t in lj])) if kind == "elasticnet" else 0.0
        self.coef_ = w[:p].astype(X.dtype).reshape(1, p)
        self.intercept_ = np.array([w[p] if self.fit_intercept else 0.0], dtype=X.dtype)
        self.dual_gap_ = float("nan")
        self.backend_ = self.backend if isinstance(self.backend, str) else self.backend.name
        self.solution_ = None

    def _set_attributes(self, Cs, ratios, given, scores, paths, n_iter, legacy, kind):
        """Cs_, l1_ratios_, C_, l1_ratio_, scores_, coefs_paths_, n_iter_ in 1.9's layouts."""
        self.Cs_ = Cs
        self.l1_ratios_ = np.asarray(ratios, dtype=object if given is None else np.float64)
        C, l1 = self._C, self._l1
        del self._C, self._l1
        positive = self.classes_[1]
        if legacy:
            self.C_ = np.asarray([C])
            self.l1_ratio_ = np.asarray([l1])
            sc = np.moveaxis(scores, 1, 2)        # (n_folds, n_cs, n_l1)
            cp = np.moveaxis(paths, 1, 2)         # (n_folds, n_cs, n_l1, n_dof)
            it = np.moveaxis(n_iter, 1, 2)[None]  # (1, n_folds, n_cs, n_l1)
            if given is None:
                sc, cp, it = sc[:, :, 0], cp[:, :, 0], it[..., 0]
            self.scores_ = {positive: sc}
            self.coefs_paths_ = {positive: cp}
            self.n_iter_ = it
        else:
            self.C_ = float(C)
            if given is None:
                self.l1_ratio_ = 1.0 if self.penalty == "l1" else 0.0
            else:
                self.l1_ratio_ = float(l1)
            self.scores_ = scores
            self.coefs_paths_ = paths[:, :, :, None, :]
            self.n_iter_ = n_iter

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
        if get_config().get("enable_metadata_routing", False):
            score_params = process_routing(self, "score", **score_params).scorer.score
        return self._scorer()(self, X, y, **score_params)
