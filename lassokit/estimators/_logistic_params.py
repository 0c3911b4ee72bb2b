"""scikit-learn 1.9's parameters of the logistic estimators: constraints and their reading.

scikit-learn 1.8 deprecated ``penalty`` (the penalty follows ``l1_ratio``
and ``C``), 1.9 added ``"warn"`` defaults whose meaning changes in 1.10 and
1.11. lassokit takes every such parameter, warns as scikit-learn 1.9 does
and reads it the same way, in one place for ``LogisticRegression`` and
``LogisticRegressionCV``.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from ._bounds import BOUNDS_CONSTRAINTS
from ._glm_weights import WEIGHT_CONSTRAINTS
from ._params import (
    BACKEND,
    BOOL,
    N_JOBS,
    NONE,
    NONNEG_REAL,
    RANDOM_STATE,
    VERBOSE,
    Interval,
    Options,
    _Simple,
)

__all__ = ["COMMON_CONSTRAINTS", "check_Cs", "read_cv_params", "resolve_penalty",
           "warn_n_jobs"]

SOLVERS = ("lbfgs", "liblinear", "newton-cg", "newton-cholesky", "sag", "saga")

#: ``C`` in ``(0, inf]``: infinity is the unpenalized fit.
POSITIVE_C = _Simple(
    lambda v: (isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))
               and not np.isnan(v) and v > 0),
    "a float in the range (0, inf]",
)
CLASS_WEIGHT = _Simple(lambda v: isinstance(v, dict), "a dict")
SCORING = _Simple(lambda v: v is None or isinstance(v, str) or callable(v),
                  "None, a scorer name (str) or a callable")

#: Constraints shared by ``LogisticRegression`` and ``LogisticRegressionCV``.
COMMON_CONSTRAINTS = {
    "dual": [BOOL],
    "tol": [NONNEG_REAL],
    "fit_intercept": [BOOL],
    "intercept_scaling": [Interval(numbers.Real, 0, None, "neither")],
    "class_weight": [CLASS_WEIGHT, Options("balanced"), NONE],
    "random_state": [RANDOM_STATE],
    "solver": [Options(*SOLVERS)],
    "max_iter": [Interval(numbers.Integral, 0, None, "left")],
    "verbose": [VERBOSE],
    "n_jobs": [N_JOBS],
    "backend": [BACKEND],
    **BOUNDS_CONSTRAINTS,
    **WEIGHT_CONSTRAINTS,
}


def resolve_penalty(penalty, C, l1_ratio, *, cls="LogisticRegression"):
    """``(kind, r, C)``: scikit-learn 1.9's reading of ``penalty``, ``C`` and ``l1_ratio``.

    ``kind`` is ``"l1"``, ``"l2"``, ``"elasticnet"`` or None (no penalty),
    ``r`` the L1 share actually used and ``C`` the effective strength
    (``inf`` without penalty). Warns as scikit-learn 1.9 does: a
    ``FutureWarning`` for the deprecated ``penalty`` and ``l1_ratio=None``,
    a ``UserWarning`` for an ``l1_ratio`` that the penalty ignores.

    Parameters
    ----------
    penalty : {"l1", "l2", "elasticnet", "deprecated"} or None
    C : float
    l1_ratio : float or None
    cls : str, default="LogisticRegression"
        The estimator's name, for the messages.

    Returns
    -------
    (str or None, float, float)
    """
    if penalty == "deprecated":
        if l1_ratio is None:
            warnings.warn(
                f"{cls}: l1_ratio=None is deprecated (as in scikit-learn 1.8, an error from "
                "1.10); it means the L2 penalty. Pass a number in [0, 1] instead.",
                FutureWarning, stacklevel=3)
        kind = ("l2" if l1_ratio is None or l1_ratio == 0
                else "l1" if l1_ratio == 1 else "elasticnet")
        if C == np.inf:
            kind = None
    else:
        kind = penalty
        warnings.warn(
            f"{cls}: 'penalty' is deprecated (as in scikit-learn 1.8, removed in 1.10); leave "
            "it at its default and use l1_ratio=0 for 'l2', l1_ratio=1 for 'l1', a number "
            "between 0 and 1 for 'elasticnet', and C=np.inf for None.",
            FutureWarning, stacklevel=3)
    if kind != "elasticnet" and l1_ratio is not None and 0 < l1_ratio < 1:
        warnings.warn(f"{cls}: l1_ratio is only used when penalty is 'elasticnet' "
                      f"(penalty={kind!r}); it is ignored.", UserWarning, stacklevel=3)
    if (penalty == "l2" and l1_ratio != 0) or (penalty == "l1" and l1_ratio != 1):
        warnings.warn(f"{cls}: inconsistent values penalty={penalty!r} and "
                      f"l1_ratio={l1_ratio!r}; penalty wins. penalty is deprecated: use "
                      "l1_ratio only.", UserWarning, stacklevel=3)
    if kind == "elasticnet" and l1_ratio is None:
        raise ValueError(f"{cls}: l1_ratio must be a number in [0, 1] when penalty is "
                         "'elasticnet'.")
    if penalty is None:
        if C != 1.0:
            warnings.warn(f"{cls}: penalty=None ignores C and l1_ratio.", UserWarning,
                          stacklevel=3)
        return None, 0.0, np.inf
    r = {"l1": 1.0, "l2": 0.0, None: 0.0}.get(kind, None)
    return kind, (float(l1_ratio) if r is None else r), float(C)


def warn_n_jobs(n_jobs, cls):
    """scikit-learn 1.8+ warns that ``LogisticRegression``'s ``n_jobs`` does nothing.

    Parameters
    ----------
    n_jobs : int or None
    cls : str
        The estimator's name, for the message.
    """
    if n_jobs is not None:
        warnings.warn(f"{cls}: n_jobs has no effect (as in scikit-learn 1.8, removed in 1.10); "
                      "leave it unspecified.", FutureWarning, stacklevel=3)


def check_Cs(Cs):
    """``LogisticRegressionCV``'s grid: ``np.logspace(-4, 4, Cs)`` for an int, else as given.

    Parameters
    ----------
    Cs : int or array-like of floats in (0, inf]

    Returns
    -------
    ndarray of shape (n_cs,)
    """
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


def read_cv_params(est):
    """``LogisticRegressionCV``'s parameters as scikit-learn 1.9 reads them, with its warnings.

    Called from ``fit`` (the warnings name ``fit``'s caller).

    Parameters
    ----------
    est : LogisticRegressionCV

    Returns
    -------
    tuple
        ``(given, ratios, shares, kind, scoring, legacy)``: ``l1_ratios`` as
        given (None for ``"warn"``), ``l1_ratios_``, the L1 share of each,
        the penalty kind, the scoring (None: accuracy) and whether the
        legacy attribute layout is kept.
    """
    name = type(est).__name__
    if isinstance(est.l1_ratios, str):  # "warn"
        given = None
        warnings.warn(
            f"{name}: the default l1_ratios ('warn', meaning None: the L2 penalty) "
            "changes to (0.0,) in scikit-learn 1.10, where None is refused; set it "
            "explicitly, e.g. l1_ratios=(0,) or (1,).", FutureWarning, stacklevel=3)
    else:
        given = est.l1_ratios
    kind = _cv_penalty_kind(est, given, name)
    if kind == "elasticnet" or given is not None:
        ratios = list(np.atleast_1d(np.asarray(given, dtype=object))) \
            if given is not None else []
        if not ratios or any(isinstance(v, bool) or not isinstance(v, numbers.Real)
                             or not 0 <= v <= 1 for v in ratios):
            raise ValueError(f"l1_ratios must be an array-like of numbers in [0, 1], got "
                             f"{given!r}.")
        if kind != "elasticnet" and est.penalty != "deprecated":
            warnings.warn(f"{name}: l1_ratios is only used when penalty is 'elasticnet' "
                          f"(penalty={kind!r}).", UserWarning, stacklevel=3)
        ratios = [float(v) for v in ratios]
    else:
        ratios = [None]
    shares = [{"l1": 1.0, "l2": 0.0}.get(kind, v) for v in ratios]
    if isinstance(est.scoring, str) and est.scoring == "warn":
        warnings.warn(
            f"{name}: the default scoring ('warn', meaning None: accuracy) changes to "
            "'neg_log_loss' in scikit-learn 1.11; set scoring explicitly.",
            FutureWarning, stacklevel=3)
        scoring = None
    else:
        scoring = est.scoring
    if isinstance(est.use_legacy_attributes, str):
        warnings.warn(
            f"{name}: the fitted attributes take scikit-learn 1.10's simpler layout by "
            "default from then on; set use_legacy_attributes=False for it now, True to "
            "keep the legacy one without this warning.", FutureWarning, stacklevel=3)
        legacy = True
    else:
        legacy = bool(est.use_legacy_attributes)
    return given, ratios, shares, kind, scoring, legacy


def _cv_penalty_kind(est, given, name):
    """The penalty kind of ``LogisticRegressionCV``: from ``penalty``, else from ``l1_ratios``."""
    if est.penalty != "deprecated":
        # Called from read_cv_params, itself called from fit: level 4 is fit's caller.
        warnings.warn(
            f"{name}: 'penalty' is deprecated (as in scikit-learn 1.8, removed in 1.10); "
            "use l1_ratios=(0,) for 'l2', (1,) for 'l1', values between 0 and 1 for "
            "'elasticnet'.", FutureWarning, stacklevel=4)
        return est.penalty
    if est.l1_ratios is None:
        warnings.warn(f"{name}: l1_ratios=None is deprecated (an error from "
                      "scikit-learn 1.10); pass values in [0, 1].", FutureWarning,
                      stacklevel=4)
    vals = None if given is None else np.asarray(given, dtype=object)
    if vals is None or np.all(vals == 0):
        return "l2"
    if np.all(vals == 1):
        return "l1"
    return "elasticnet"
