"""One task of ``LogisticRegressionCV``: a fold's path over ``Cs``, scored on its test rows.

Each (fold, l1_ratio) pair solves the whole ``Cs`` grid as one
warm-started :func:`lassokit.path` on the fold's training rows -- in
lassokit's strength ``alpha = 1 / (C * S_train)``, decreasing as ``C``
increases, with ``S_train`` the training rows' total effective weight --
and scores every ``C`` on the held-out rows: accuracy weighted by the test
rows' ``sample_weight`` when there is no scorer, else the scorer applied to
a fitted :class:`~lassokit.LogisticRegression` that holds the point. With
an ``offset``, the training rows' offsets are part of the fold's problem
and the test rows' are added to every held-out linear predictor.
"""

from __future__ import annotations

import numpy as np

from ..path import run_path
from ..penalty import Penalty
from ._fit_exists import weighted_fit_exists
from ._glm_weights import check_bounds, glm_weights
from ._logistic_base import logistic_problem
from .logistic import LogisticRegression

__all__ = ["fold_task"]


def fold_task(X, y_pm, s, sw, train, test, Cs, r, settings, scorer, score_params, k):
    """Solve one fold's path over ``Cs`` at L1 share ``r``; score it on the test rows.

    Parameters
    ----------
    X, y_pm, s
        All rows, as for :func:`~._logistic_base.logistic_problem`.
    sw : ndarray of shape (n_samples,) or None
        The caller's ``sample_weight`` (accuracy on the test rows).
    train, test : ndarray of int
    Cs : ndarray of shape (n_cs,)
    r : float
        L1 share.
    settings : dict
        ``fit_intercept``, ``backend``, ``tol``, ``max_iter``, the original
        labels ``y``, ``stand_in`` (``classes_``, ``n_features_in_``),
        ``offset`` (all rows' validated offsets, or None), ``bounds``
        (the coefficients', or None), ``penalty_weights`` (validated, or
        None) and ``standardize`` (each fold's own standard deviations).
    scorer : callable or None
    score_params : dict
        Further scorer arguments; per-sample ones are cut to the test rows.
    k : int
        The fold's number, for the messages.

    Returns
    -------
    tuple
        ``(scores (n_cs,), coefs (n_cs, n_dof), n_iter (n_cs,), n_bad,
        worst_rel_gap)`` in the order of ``Cs``.
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
    # The whole data's factors, standardized with this fold's training rows.
    unit = Penalty(r, 1.0 - r, *glm_weights(X_train, s_train, fit_intercept,
                                            settings["penalty_weights"],
                                            settings["standardize"]))
    _check_fold_exists(X_train, y_pm[train], s_train, unit, bool(np.any(alphas == 0)),
                       settings, k)
    offset = settings["offset"]
    problem = logistic_problem(X_train, y_pm[train], s_train, unit, fit_intercept,
                               None if offset is None else offset[train], settings["bounds"])
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
    o_test = None if offset is None else offset[test]
    if scorer is None:
        z = np.asarray(X_test @ coefs[:, :p].T) + (coefs[:, p] if fit_intercept else 0.0)
        if o_test is not None:
            z = z + o_test[:, None]
        hit = (z > 0) == (y_pm[test] > 0)[:, None]
        w = None if sw is None else sw[test]
        scores = np.average(hit, axis=0, weights=w)
    else:
        est = settings["stand_in"]
        scores = np.empty(n_cs)
        for j in range(n_cs):
            fitted = _stand_in(est, coefs[j], p, fit_intercept, X.dtype, o_test)
            params = {key: (np.asarray(v)[test] if _is_per_sample(v, X.shape[0]) else v)
                      for key, v in score_params.items()}
            scores[j] = scorer(fitted, X_test, y_test, **params)
    bad = int(np.count_nonzero(~path.converged))
    return scores, coefs, n_iter, bad, float(np.max(path.rel_gaps))


def _check_fold_exists(X_train, y_train, s_train, unit, unpenalized, settings, k):
    """Refuse a fold whose free features (all at ``C=inf``) separate its classes.

    ``unit`` is the fold's penalty at unit strength; with ``unpenalized``
    (``inf`` in ``Cs``) every feature that is not excluded is free, else
    those of penalty weight 0 only (the finite ``C`` are then checked).
    """
    p = X_train.shape[1]
    probe = unit.at(0.0, unit.l1_ratio) if unpenalized else unit
    bounds = check_bounds(probe, p, settings["bounds"])
    if bounds is None or weighted_fit_exists(X_train, y_train, s_train,
                                             fit_intercept=settings["fit_intercept"],
                                             bounds=bounds):
        return
    if unpenalized:
        raise ValueError(f"cv fold {k}: the unpenalized fit (C=inf in Cs) does not exist on "
                         "its training set (the classes are separable there); drop inf from "
                         "Cs.")
    raise ValueError(f"cv fold {k}: the fit does not exist on its training set: the features "
                     "with penalty weight 0 (unpenalized) separate the classes there; give "
                     "them positive penalty_weights.")


def _is_per_sample(v, n):
    return hasattr(v, "__len__") and not isinstance(v, str) and len(v) == n


class _FoldModel(LogisticRegression):
    """A :class:`LogisticRegression` whose predictions add a fold's test offsets.

    A scorer calls ``predict``/``predict_proba``/``decision_function(X)``
    with the test rows alone; the held-out linear predictor includes their
    offsets, so this stand-in adds them when no offset is passed.
    """

    def decision_function(self, X, offset=None):
        """As :meth:`LogisticRegression.decision_function`, ``offset`` defaulting to the fold's.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_test, n_features)
        offset : array-like of shape (n_test,), default=None

        Returns
        -------
        ndarray of shape (n_test,)
        """
        return super().decision_function(X, self.fold_offset_ if offset is None else offset)


def _stand_in(template, w, p, fit_intercept, dtype, offset=None):
    """A fitted :class:`LogisticRegression` holding one point of a fold's path (for scorers).

    With the test rows' ``offset``, a :class:`_FoldModel` that adds it.
    """
    if offset is None:
        est = LogisticRegression(fit_intercept=fit_intercept)
    else:
        est = _FoldModel(fit_intercept=fit_intercept)
        est.fold_offset_ = offset
    est.classes_ = template["classes_"]
    est.n_features_in_ = template["n_features_in_"]
    est.coef_ = np.asarray(w[:p], dtype=dtype).reshape(1, p)
    est.intercept_ = np.array([w[p] if fit_intercept else 0.0], dtype=dtype)
    return est
