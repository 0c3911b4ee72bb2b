"""The two layouts of ``LogisticRegressionCV``'s fitted attributes in scikit-learn 1.9.

scikit-learn 1.9 keeps the legacy layout (``scores_`` and ``coefs_paths_``
as ``{classes_[1]: array}``, ``C_`` an array of one value) unless
``use_legacy_attributes=False``, which gives 1.10's simpler one (plain
arrays, ``C_`` a float). :func:`set_cv_attributes` writes either;
:func:`cv_scores` reads either, from lassokit's estimator or scikit-learn's.
"""

from __future__ import annotations

import numpy as np

__all__ = ["cv_scores", "set_cv_attributes"]


def cv_scores(estimator):
    """``(Cs, scores, l1_ratios)`` of a fitted ``LogisticRegressionCV`` in one layout.

    ``scores`` has shape (n_l1_ratios, n_cs, n_folds), whatever the layout
    of ``scores_`` (scikit-learn 1.9's legacy dict or its new array; lassokit's
    estimator or scikit-learn's).

    Parameters
    ----------
    estimator : fitted LogisticRegressionCV

    Returns
    -------
    (ndarray, ndarray, ndarray)
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


def set_cv_attributes(est, Cs, ratios, given, scores, paths, n_iter, legacy, chosen):
    """Set Cs_, l1_ratios_, C_, l1_ratio_, scores_, coefs_paths_, n_iter_ in 1.9's layouts.

    Parameters
    ----------
    est : LogisticRegressionCV
    Cs : ndarray of shape (n_cs,)
    ratios : list
        ``l1_ratios_`` (``[None]`` when ``l1_ratios`` is None).
    given : array-like or None
        ``l1_ratios`` as given.
    scores : ndarray of shape (n_folds, n_l1, n_cs)
    paths : ndarray of shape (n_folds, n_l1, n_cs, n_dof)
    n_iter : ndarray of shape (n_folds, n_l1, n_cs)
    legacy : bool
    chosen : (float, float)
        The chosen ``C`` and ``l1_ratio``.
    """
    est.Cs_ = Cs
    est.l1_ratios_ = np.asarray(ratios, dtype=object if given is None else np.float64)
    C, l1 = chosen
    positive = est.classes_[1]
    if legacy:
        est.C_ = np.asarray([C])
        est.l1_ratio_ = np.asarray([l1])
        sc = np.moveaxis(scores, 1, 2)        # (n_folds, n_cs, n_l1)
        cp = np.moveaxis(paths, 1, 2)         # (n_folds, n_cs, n_l1, n_dof)
        it = np.moveaxis(n_iter, 1, 2)[None]  # (1, n_folds, n_cs, n_l1)
        if given is None:
            sc, cp, it = sc[:, :, 0], cp[:, :, 0], it[..., 0]
        est.scores_ = {positive: sc}
        est.coefs_paths_ = {positive: cp}
        est.n_iter_ = it
    else:
        est.C_ = float(C)
        if given is None:
            est.l1_ratio_ = 1.0 if est.penalty == "l1" else 0.0
        else:
            est.l1_ratio_ = float(l1)
        est.scores_ = scores
        est.coefs_paths_ = paths[:, :, :, None, :]
        est.n_iter_ = n_iter
