"""``Lasso``, ``ElasticNet`` and ``Ridge`` on a 2-D ``y`` (n_samples, n_targets > 1).

The entry-wise L1/L2 penalty decouples the columns of the coefficient
matrix exactly, so the K targets are K independent models, reported as
scikit-learn does: ``coef_`` of shape (n_targets, n_features),
``intercept_`` of shape (n_targets,), ``n_iter_`` a list and ``dual_gap_``
an array with one entry per target.

* ``Lasso``/``ElasticNet`` solve one :class:`lassokit.matrix.MatrixProblem`
  (``lk.Problem(X, Y, L1 + L2)``): one reading of X, one sweep for all
  columns. ``dual_gap_`` is then certified column by column.
* ``Ridge`` factorizes the centred, weighted design once for all columns
  (:class:`~lassokit.estimators._ridge_factor.RidgeFactor`), which also
  gives one alpha per target at no extra cost; every column is certified
  by its own problem, and a column the factorization does not certify to
  ``tol`` (ill-conditioned data) is solved by the backend instead.

A column vector (n_samples, 1) is not routed here: it keeps the
single-target fit.
"""

from __future__ import annotations

import time

import numpy as np

from .._standardize import feature_weights
from ..penalty import Penalty
from ..problem import Problem
from ..solution import Solution
from ._base import OffsetPredictMixin, raw_sample_weight, solver_tol
from ._matrix_base import (
    TargetsPrediction,
    raw_target_offset,
    solve_and_store,
    validate_targets,
    weights_or_none,
)
from ._params import validate_params
from ._ridge_factor import RidgeFactor

__all__ = ["TargetsOffsetPredictMixin", "TargetsPredictMixin", "fit_enet_targets",
           "fit_ridge_targets"]


class _MultiOutputTags:
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # A 2-D y is taken unless an option it refuses is set (see _refuse).
        positive = getattr(self, "positive", False)
        refused = (isinstance(positive, (bool, np.bool_)) and bool(positive)) or any(
            getattr(self, name, None) is not None for name in ("lower_bounds", "upper_bounds"))
        tags.target_tags.multi_output = not refused
        return tags


class TargetsPredictMixin(_MultiOutputTags, TargetsPrediction):
    """``predict(X)`` for one target or several (``Ridge``)."""


class TargetsOffsetPredictMixin(TargetsPredictMixin, OffsetPredictMixin):
    """``predict(X, offset=None)`` for one target or several (``Lasso``, ``ElasticNet``)."""


def _refuse(estimator, **options):
    """A clear error for options a coefficient matrix does not take."""
    given = [name for name, value in options.items() if value]
    if given:
        raise ValueError(
            f"{type(estimator).__name__}: {' and '.join(given)} "
            f"{'is' if len(given) == 1 else 'are'} not supported with a 2-D y of several "
            "targets (a coefficient-matrix problem takes neither positivity nor bounds); fit "
            "one target (a 1-D y) at a time instead.")


def _column_problem(X, Y, k, penalty, fit_intercept, sw, offset):
    off = None if offset is None else (offset if offset.ndim == 1 else offset[:, k])
    return Problem._single_use(X, np.ascontiguousarray(Y[:, k]), penalty,
                               fit_intercept=fit_intercept, sample_weight=sw,
                               known_finite=True, offset=off)


def fit_enet_targets(est, X, y, sample_weight, offset, l1_ratio, check_gram):
    """Fit ``Lasso``/``ElasticNet`` ``est`` on a 2-D ``y``: one matrix problem, K models.

    Parameters
    ----------
    est : Lasso or ElasticNet
    X, y, sample_weight, offset
        As given to ``fit``; ``offset`` may be (n_samples,) or (n_samples, n_targets).
    l1_ratio : float
    check_gram : callable
        ``check_gram(precompute, n_features)``, the single-target check.

    Returns
    -------
    est
    """
    validate_params(est, est._constraints)
    _refuse(est, positive=est.positive,
            lower_bounds=est.lower_bounds is not None,
            upper_bounds=est.upper_bounds is not None)
    X, Y = validate_targets(est, X, y)
    n, p = X.shape
    sw = weights_or_none(sample_weight, n)
    off = raw_target_offset(offset, Y)
    check_gram(est.precompute, p)
    v1, v2 = feature_weights(X, sw, est.fit_intercept, est.penalty_weights, est.standardize)
    penalty = Penalty(est.alpha * l1_ratio, est.alpha * (1.0 - l1_ratio), v1, v2)
    problem = Problem(X, Y, penalty, fit_intercept=est.fit_intercept, sample_weight=sw,
                      offset=off)
    sol = solve_and_store(est, problem, X, Y, est._resolve(problem))
    W = np.asarray(sol.coef, dtype=np.float64)
    # One sweep served every column; each column's gap is certified on its own.
    est.n_iter_ = [int(sol.n_iter)] * Y.shape[1]
    est.dual_gap_ = np.array([
        _column_problem(X, Y, k, penalty, est.fit_intercept, sw, off).certify(W[:, k]).dual_gap
        for k in range(Y.shape[1])])
    return est


def ridge_alphas(alpha, n_targets):
    """``alpha`` as one finite value >= 0 per target (a scalar is shared)."""
    a = np.asarray(alpha, dtype=np.float64).ravel()
    if a.size == 1:
        a = np.full(n_targets, a[0])
    if a.size != n_targets:
        raise ValueError(f"alpha must be a scalar or hold one value per target ({n_targets} "
                         f"targets here), got {a.size} values.")
    if not np.all(np.isfinite(a)) or np.any(a < 0):
        raise ValueError(f"alpha must hold finite numbers >= 0, got {alpha!r}.")
    return a


def fit_ridge_targets(est, X, y, sample_weight):
    """Fit ``Ridge`` ``est`` on a 2-D ``y``: one factorization, K certified models.

    Returns
    -------
    est
    """
    validate_params(est, est._constraints)
    _refuse(est, positive=est.positive)
    X, Y = validate_targets(est, X, y)
    n, K = X.shape[0], Y.shape[1]
    alphas = ridge_alphas(est.alpha, K)
    sw = raw_sample_weight(sample_weight, n)  # used as given, as in scikit-learn
    total = float(n) if sw is None else float(sw.sum())
    tol = solver_tol(est.tol)
    W = None
    if isinstance(est.backend, str) and est.backend in ("auto", "direct"):
        start = time.perf_counter()
        factor = RidgeFactor(X, Y, sw, est.fit_intercept)
        grid, pick = np.unique(alphas, return_inverse=True)
        W = factor.coefs(grid)[0][:, np.arange(K), pick]
        W = W.astype(X.dtype).astype(np.float64)  # certified as it is stored
        elapsed = (time.perf_counter() - start) / K
    sols = []
    for k in range(K):
        problem = _column_problem(X, Y, k, Penalty(0.0, alphas[k] / total), est.fit_intercept,
                                  sw, None)
        if W is not None:
            cert = problem.certify(W[:, k])
            if cert.rel_gap <= tol:
                sols.append(Solution(
                    coef=W[:, k].astype(X.dtype), intercept=cert.intercept,
                    objective=cert.objective, dual_gap=cert.dual_gap, rel_gap=cert.rel_gap,
                    converged=True, status="optimal", n_iter=1, backend="direct",
                    solve_time=elapsed, tol=tol, info={"method": "shared factorization"}))
                continue
        # Not certified from the shared factorization (or another backend asked for).
        sols.append(problem.solve(est._resolve(problem), tol=tol, max_iter=est.max_iter))
    est.coef_ = np.array([s.coef for s in sols], dtype=X.dtype)
    est.intercept_ = np.array([s.intercept for s in sols], dtype=X.dtype) \
        if est.fit_intercept else 0.0
    est.n_iter_ = np.array([s.n_iter for s in sols])
    est.dual_gap_ = np.array([s.dual_gap for s in sols])
    names = sorted({s.backend for s in sols})
    est.backend_ = est.solver_ = names[0] if len(names) == 1 else ", ".join(names)
    est.solution_ = sols
    return est
