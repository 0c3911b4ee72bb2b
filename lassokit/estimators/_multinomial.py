"""``LogisticRegression`` with K >= 3 classes: the multinomial (softmax) model.

scikit-learn's multinomial objective ``C sum_i s_i l(y_i, z_i) + r |W|_1 +
(1 - r)/2 ||W||^2`` divided by ``C sum(s)`` is lassokit's with
``alpha = 1 / (C sum(s))`` on ``W`` of shape (n_features, K) entry by entry
(the same map as for two classes): a :class:`~lassokit.Problem` with
``loss="multinomial"`` solves it (:mod:`lassokit.matrix._multinomial`).
``coef_`` is ``W.T`` (K, n_features), ``intercept_`` one per class.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_is_fitted, validate_data

from ..penalty import Penalty
from ..problem import Problem
from ._base import _FLOAT_DTYPES, solver_tol

__all__ = ["check_all_weighted", "fit_multinomial", "log_softmax", "multinomial_scores"]


def check_all_weighted(s, y, classes, name):
    """Refuse weights that leave a class with nothing to fit."""
    idx = np.searchsorted(classes, y)
    tot = np.bincount(idx, weights=s, minlength=classes.size)
    for k in np.flatnonzero(~(tot > 0)):
        raise ValueError(f"{name}: every sample of class {classes[k]!r} has weight 0 "
                         "(sample_weight times class_weight); give every class positive "
                         "weight.")


def fit_multinomial(est, X, y, s, C, r, weights, offset):
    """Fit ``est`` (a LogisticRegression) on K >= 3 classes; sets the fitted attributes."""
    name = type(est).__name__
    if offset is not None:
        raise ValueError(f"{name}: offset is not supported with more than two classes.")
    if est.lower_bounds is not None or est.upper_bounds is not None:
        # scikit-learn's wording for a binary-only classifier (its checks match it).
        raise ValueError(f"Only binary classification is supported with lower_bounds/"
                         f"upper_bounds: {name} fits more than two classes (the multinomial "
                         "model) without bounds.")
    if C == np.inf:
        raise ValueError(f"{name}: the unpenalized multinomial fit (C=inf) is not unique (a "
                         "constant added to every class's coefficients changes nothing) and "
                         "may not exist; use a finite C.")
    check_all_weighted(s, y, est.classes_, name)
    alpha = 1.0 / (C * float(s.sum()))
    penalty = Penalty(alpha * r, alpha * (1.0 - r), *weights)
    problem = Problem(X, y, penalty, loss="multinomial", fit_intercept=est.fit_intercept,
                      sample_weight=s)
    K, p = est.classes_.size, X.shape[1]
    warm = None
    if est.warm_start and np.shape(getattr(est, "coef_", None)) == (K, p):
        warm = np.asarray(est.coef_, dtype=np.float64).T
    import warnings

    from ..solution import convergence_warning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", convergence_warning())
        sol = problem.solve(est.backend, tol=solver_tol(est.tol),
                            max_iter=max(int(est.max_iter), 1) * 100, warm_start=warm)
    if not sol.converged:
        warnings.warn(f"{name} (multinomial) stopped at a relative duality gap of "
                      f"{sol.rel_gap:.3g} > tol={solver_tol(est.tol):g}; increase max_iter.",
                      convergence_warning(), stacklevel=3)
    est.coef_ = np.ascontiguousarray(np.asarray(sol.coef, dtype=X.dtype).T)
    b = np.asarray(sol.intercept, dtype=X.dtype)
    est.intercept_ = b if est.fit_intercept else np.zeros(K, dtype=X.dtype)
    est.dual_gap_ = float(sol.dual_gap)
    est.backend_ = sol.backend
    est.solution_ = sol
    est.n_iter_ = np.array([max(sol.n_iter, 1)], dtype=np.int32)
    return est


def multinomial_scores(est, X, offset=None):
    """``X @ coef_.T + intercept_`` of a fitted K-class model, shape (n_samples, K)."""
    check_is_fitted(est)
    if offset is not None:
        raise ValueError("offset is not supported with more than two classes.")
    X = validate_data(est, X, reset=False, accept_sparse=["csr", "csc"], dtype=_FLOAT_DTYPES)
    z = np.asarray(X @ np.asarray(est.coef_, dtype=np.float64).T) + est.intercept_
    return z.astype(np.result_type(X.dtype, est.coef_.dtype), copy=False)


def log_softmax(z):
    """Row-wise ``log softmax``, without overflow."""
    top = z.max(axis=1, keepdims=True)
    shifted = z - top
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))

