"""Labels and weights of the binary logistic estimators.

Two classes of any type become ``classes_`` (sorted) and a +/-1 target
(+1 for ``classes_[1]``); ``sample_weight`` times ``class_weight`` becomes
the effective weights ``s``, as given (lassokit's problem normalizes them;
``alpha = 1 / (C * sum(s))`` keeps scikit-learn's scale). Every error says
what to change.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets

from ._base import raw_sample_weight

__all__ = ["binary_classes", "check_both_weighted", "class_weight_values", "effective_weights"]


def binary_classes(y, name, multiclass=False):
    """The two sorted labels of ``y``, or a ``ValueError`` naming estimator ``name``.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
    name : str
        The estimator's class name, for the messages.
    multiclass : bool, default=False
        Accept more than two classes (the multinomial model).

    Returns
    -------
    ndarray of shape (2,)
    """
    check_classification_targets(y)
    classes = np.unique(y)
    if classes.size < 2:
        raise ValueError(
            f"{name} needs samples of 2 classes, but y holds only one class: "
            f"{classes[0]!r}.")
    if classes.size > 2 and not multiclass:
        raise ValueError(
            f"Only binary classification is supported. The type of the target is "
            f"'multiclass' ({classes.size} classes: {classes.tolist()!r}). lassokit's "
            f"{name} fits two classes; lk.LogisticRegression fits the multinomial model of "
            "more (or wrap this one in OneVsRestClassifier).")
    return classes


def effective_weights(y, classes, sample_weight, class_weight):
    """``sample_weight * class_weight[y]`` as given (float64, never normalized).

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
    classes : ndarray of shape (2,)
    sample_weight : float, array-like of shape (n_samples,) or None
    class_weight : dict, "balanced" or None

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    n = y.shape[0]
    sw = raw_sample_weight(sample_weight, n)
    s = np.ones(n) if sw is None else sw
    if class_weight is not None:
        cw = class_weight_values(class_weight, classes, y, sw)
        s = s * cw[np.searchsorted(classes, y)]
    if not s.sum() > 0:
        raise ValueError("sample_weight times class_weight is zero for every sample.")
    return s


def class_weight_values(class_weight, classes, y, sw):
    """One weight per class of ``classes`` (scikit-learn's ``compute_class_weight``).

    Parameters
    ----------
    class_weight : dict or "balanced"
    classes : ndarray of shape (2,)
    y : ndarray of shape (n_samples,)
    sw : ndarray of shape (n_samples,) or None
        The validated ``sample_weight`` ("balanced" weighs by it).

    Returns
    -------
    ndarray of shape (2,)
    """
    if isinstance(class_weight, dict):
        unknown = [k for k in class_weight if k not in set(classes.tolist())]
        if unknown:
            raise ValueError(f"class_weight has keys {unknown!r} that are not classes of y "
                             f"(classes: {classes.tolist()!r}).")
    w = compute_class_weight(class_weight, classes=classes, y=y, sample_weight=sw)
    w = np.asarray(w, dtype=np.float64)
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError(f"class_weight must be finite and non-negative, got {class_weight!r}.")
    return w


def check_both_weighted(s, positive, classes, name):
    """Refuse weights that leave one class with nothing to fit.

    Parameters
    ----------
    s : ndarray of shape (n_samples,)
        Effective weights.
    positive : ndarray of bool of shape (n_samples,)
        Whether each sample is of ``classes[1]``.
    classes : ndarray of shape (2,)
    name : str
        The estimator's class name, for the message.
    """
    for k in (0, 1):
        if not s[positive == bool(k)].sum() > 0:
            raise ValueError(
                f"{name}: every sample of class {classes[k]!r} has weight 0 (sample_weight "
                "times class_weight), so only one class is left to fit; give both "
                "classes positive weight.")
