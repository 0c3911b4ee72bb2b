"""Shared machinery of the estimators with a coefficient matrix (not public).

``MultiTaskLasso``, ``MultiTaskElasticNet``, ``GroupLasso`` (and their CV
versions), and ``Lasso``/``ElasticNet``/``Ridge`` given a 2-D ``y``, all
state a :class:`lassokit.matrix.MatrixProblem` (``lk.Problem`` with a 2-D
``y`` or a :func:`~lassokit.GroupL2` penalty) and report its solution the
way scikit-learn's multi-output estimators do: ``coef_`` of shape
(n_targets, n_features), the transpose of the problem's ``W``, and
``intercept_`` of shape (n_targets,).
"""

from __future__ import annotations

import numbers
from typing import ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ._base import (
    _FLOAT_DTYPES,
    _SPARSE_FORMATS,
    LinearPredictMixin,
    linear_predictor,
    raw_sample_weight,
    solver_tol,
)
from ._params import validate_params

__all__ = ["SOLVE_DOC", "MatrixRegressorBase", "TargetsPrediction", "n_targets_of",
           "predict_targets", "raw_target_offset", "solve_and_store", "store_matrix",
           "validate_targets", "weights_or_none"]


#: The docstring entries of ``max_iter`` and ``tol`` of a single (not
#: cross-validated) fit, :func:`solve_and_store`'s.
SOLVE_DOC = """\
    max_iter : int, default=1000
        Iteration budget of the backend (block coordinate descent epochs
        for ``"cd"``).
    tol : float, default=1e-4
        Target **relative duality gap**: the fit stops when lassokit's own
        certificate proves ``dual_gap_ <= tol * P(0, b0)``, ``P(0, b0)`` the
        objective at ``W = 0`` with the optimal intercepts. A solve that
        stops short of it warns with a :class:`~lassokit.ConvergenceWarning`.
        A converged solve is then finished by Newton's method on its
        support, kept when its certificate is at least as good: the optimum
        to rounding, whatever the storage or weighting of the data."""


def n_targets_of(y):
    """The number of columns of a 2-D ``y`` (read from its shape), else None.

    Read before validation, so that a 1-D ``y`` and a column (n_samples, 1)
    keep the single-target code path of the estimators that have one.
    """
    try:
        shape = np.shape(y)
    except (TypeError, ValueError):
        return None  # ragged: validation says what is wrong with it
    return int(shape[1]) if len(shape) == 2 else None


def validate_targets(estimator, X, y):
    """``(X, Y)`` validated for ``fit`` with a 1-D or 2-D numeric target (dense float64 Y).

    Records ``n_features_in_`` and ``feature_names_in_`` as scikit-learn's
    ``validate_data`` does. ``X`` keeps float32; it is never copied here
    unless it has to be converted.
    """
    X, y = validate_data(estimator, X, y, accept_sparse=_SPARSE_FORMATS, dtype=_FLOAT_DTYPES,
                         y_numeric=True, multi_output=True)
    if sp.issparse(y):
        y = y.toarray()
    return X, np.asarray(y, dtype=np.float64)


def weights_or_none(sample_weight, n_samples):
    """Validated sample weights; a scalar is dropped (it does not change these objectives)."""
    if isinstance(sample_weight, numbers.Number) and not isinstance(sample_weight, bool):
        return None
    return raw_sample_weight(sample_weight, n_samples)


def raw_target_offset(offset, Y):
    """A user ``offset`` for a 2-D ``Y``: float64 of shape (n_samples,) or ``Y``'s, or None.

    Errors name ``offset``; the caller's array is never written to.
    """
    if offset is None:
        return None
    if sp.issparse(offset):
        raise TypeError("offset must be a dense array-like, got a sparse matrix.")
    try:
        arr = np.asarray(offset, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError("offset must be an array-like of real numbers.") from exc
    n, K = Y.shape
    if arr.shape not in ((n,), (n, K)):
        raise ValueError(f"offset must be of shape ({n},) or ({n}, {K}) (one per sample, or "
                         f"one per sample and target), got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError("offset contains NaN or infinity.")
    return arr


def store_matrix(estimator, solution, dtype, fit_intercept):
    """Copy a MatrixSolution into ``coef_`` (K, p) or (p,), ``intercept_`` and the rest.

    Parameters
    ----------
    estimator : estimator
    solution : MatrixSolution
        ``coef`` of shape (p, K), or (p,) for a 1-D ``y``.
    dtype : numpy dtype
        The training X's (outputs are in it).
    fit_intercept : bool
        Without one, ``intercept_`` is ``0.0`` (scikit-learn's value).
    """
    coef = np.asarray(solution.coef)
    estimator.coef_ = np.array(coef.T if coef.ndim == 2 else coef, dtype=dtype)
    if not fit_intercept:
        estimator.intercept_ = 0.0
    elif np.ndim(solution.intercept) == 0:
        estimator.intercept_ = dtype.type(solution.intercept)
    else:
        estimator.intercept_ = np.array(solution.intercept, dtype=dtype)
    estimator.n_iter_ = int(solution.n_iter)
    estimator.dual_gap_ = float(solution.dual_gap)
    estimator.backend_ = solution.backend
    estimator.solution_ = solution


def solve_and_store(estimator, problem, X, Y, backend):
    """Fit ``estimator`` by solving ``problem``, finished on its support, and store the result.

    The single (not cross-validated) fit of every estimator with a
    coefficient matrix: ``problem`` is solved to the estimator's ``tol``
    within its ``max_iter``, from its previous ``coef_`` when ``warm_start``
    is set and that ``coef_`` has the shape this fit gives; the solution is
    finished by Newton's method on its support
    (:mod:`lassokit.estimators._matrix_polish`) and stored by
    :func:`store_matrix`.

    Parameters
    ----------
    estimator : estimator
        With ``tol``, ``max_iter``, ``warm_start`` and ``fit_intercept``.
    problem : MatrixProblem
        The problem of the validated ``X`` and ``Y``.
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples,) or (n_samples, n_targets)
    backend : str or Backend
        Given to ``problem.solve``.

    Returns
    -------
    MatrixSolution
        The solution stored.
    """
    # Loaded here: ``from lassokit import Lasso`` needs no matrix machinery.
    from ._matrix_polish import polish_matrix

    shape = (X.shape[1],) if Y.ndim == 1 else (Y.shape[1], X.shape[1])
    warm = None
    if estimator.warm_start and np.shape(getattr(estimator, "coef_", None)) == shape:
        warm = np.asarray(estimator.coef_, dtype=np.float64).T
    sol = problem.solve(backend, tol=solver_tol(estimator.tol), max_iter=estimator.max_iter,
                        warm_start=warm)
    sol = polish_matrix(problem, sol)  # exact on the support found, as one target's fit
    store_matrix(estimator, sol, X.dtype, estimator.fit_intercept)
    return sol


def predict_targets(estimator, X, offset=None):
    """``X @ coef_.T + intercept_ (+ offset)`` of a fitted estimator, one column per target.

    A 1-D ``coef_`` predicts as :func:`lassokit.estimators._base.linear_predictor`
    (shape (n_samples,)); a 2-D one gives shape (n_samples, n_targets).

    Parameters
    ----------
    estimator : fitted estimator
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    offset : array-like of shape (n_samples,) or (n_samples, n_targets), default=None
        Added to the result.

    Returns
    -------
    ndarray
        In the common dtype of ``X`` and ``coef_``.
    """
    check_is_fitted(estimator)
    if np.ndim(estimator.coef_) != 2:
        return linear_predictor(estimator, X, offset=offset)
    X = validate_data(estimator, X, reset=False, accept_sparse=_SPARSE_FORMATS,
                      dtype=_FLOAT_DTYPES)
    W = np.asarray(estimator.coef_, dtype=np.float64).T
    Z = np.asarray(X @ W) + np.asarray(estimator.intercept_, dtype=np.float64)
    if offset is not None:
        off = raw_target_offset(offset, Z)
        Z = Z + (off[:, None] if off.ndim == 1 else off)
    return Z.astype(np.result_type(X.dtype, estimator.coef_.dtype), copy=False)


class TargetsPrediction(LinearPredictMixin):
    """``predict`` with one column per target: :func:`predict_targets` (not public)."""

    def _prediction(self, X, offset=None):
        """``X @ coef_.T + intercept_ (+ offset)``, one column per target of a 2-D ``coef_``."""
        return predict_targets(self, X, offset)


class MatrixRegressorBase(TargetsPrediction, RegressorMixin, BaseEstimator):
    """Parameters check, validation, ``predict`` and ``sparse_coef_`` (not public).

    ``_single_output``: whether a 1-D ``y`` is taken (GroupLasso), or only a
    2-D one as scikit-learn's ``MultiTask*`` (their name for a one-target
    fit goes in ``_single_name``).
    """

    _constraints: ClassVar[dict] = {}
    _single_output: ClassVar[bool] = False
    _single_name: ClassVar[str] = ""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = self._single_output
        return tags

    def _validate_train(self, X, y, sample_weight):
        """``(X, Y, sw)`` validated for ``fit``, after the constructor parameters.

        ``sw`` as :func:`weights_or_none` gives it (a scalar is dropped).
        """
        validate_params(self, self._constraints)
        X, Y = validate_targets(self, X, y)
        if Y.ndim == 1 and not self._single_output:
            raise ValueError(
                f"{type(self).__name__} needs a 2-D y of shape (n_samples, n_targets); for "
                f"one target (a 1-D y) use {self._single_name}.")
        return X, Y, weights_or_none(sample_weight, X.shape[0])

    @property
    def sparse_coef_(self):
        """scipy.sparse.csr_matrix of shape (n_targets, n_features): ``coef_`` in sparse form.

        Of shape (1, n_features) when ``coef_`` is 1-D.
        """
        check_is_fitted(self)
        return sp.csr_matrix(np.atleast_2d(self.coef_))
