"""Shared fit logic of the scikit-learn estimators: validate, build a Problem, delegate.

An estimator holds its constructor parameters untouched; ``fit`` checks
them, validates the data with scikit-learn's ``validate_data`` (which also
records ``n_features_in_`` and ``feature_names_in_``), states the problem in
lassokit's terms and hands it to a backend. Nothing here
solves anything.
"""

from __future__ import annotations

import numbers
from typing import ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from .. import _linalg
from .._validation import check_vector
from ..backends.registry import resolve_backend
from ._params import validate_params

_FLOAT_DTYPES = [np.float64, np.float32]
#: CSC first: column access is what coordinate descent needs.
_SPARSE_FORMATS = ["csc", "csr"]


#: The docstring entries of the attributes ``validate_data`` records at ``fit``.
FEATURES_IN_DOC = """\
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X has string feature names (pandas)."""


def keep_params(estimator, given):
    """Store the constructor's arguments on ``estimator``, unchanged.

    scikit-learn's ``get_params``, ``clone`` and ``check_estimator`` want an
    ``__init__`` that does exactly this and nothing else: every check waits
    for ``fit`` (``validate_params``). One call instead of a line per
    parameter in each of the nine estimators.

    Parameters
    ----------
    estimator : estimator
    given : dict
        The constructor's ``locals()`` on entry: ``self`` and its arguments.
    """
    for name, value in given.items():
        if name != "self" and not name.startswith("__"):
            setattr(estimator, name, value)


def raw_sample_weight(sample_weight, n_samples):
    """Validate user sample weights as given (float64 copy), or None.

    A scalar becomes a constant vector. Errors name ``sample_weight``.
    """
    if sample_weight is None:
        return None
    if isinstance(sample_weight, numbers.Number) and not isinstance(sample_weight, bool):
        sample_weight = np.full(n_samples, float(sample_weight))
    if sp.issparse(sample_weight):
        raise TypeError("sample_weight must be a dense array-like, got a sparse matrix.")
    try:
        kind = np.asarray(sample_weight).dtype.kind
    except (TypeError, ValueError):
        kind = None  # reported below
    if kind == "c":
        # np.array(..., dtype=float64) would silently drop the imaginary part.
        raise TypeError("sample_weight must be real-valued, got complex numbers.")
    try:
        sw = np.array(sample_weight, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError("sample_weight must be an array-like of numbers.") from exc
    if sw.ndim != 1:
        raise ValueError(
            f"sample_weight must be one-dimensional of shape ({n_samples},), got shape {sw.shape}."
        )
    if sw.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight has {sw.shape[0]} entries, expected {n_samples} (one per sample)."
        )
    if not np.all(np.isfinite(sw)):
        raise ValueError("sample_weight contains NaN or infinity.")
    if np.any(sw < 0):
        raise ValueError("sample_weight must be non-negative.")
    if not sw.sum() > 0:
        raise ValueError("sample_weight must contain at least one non-zero weight (all are zero).")
    return sw


def raw_offset(offset, n_samples):
    """Validate a user ``offset`` (glmnet's): a read-only float64 vector of length n, or None.

    Never a copy of a float64 array and never written to: the caller's
    array stays as it was. Errors name ``offset``.

    Parameters
    ----------
    offset : array-like of shape (n_samples,) or None
    n_samples : int

    Returns
    -------
    ndarray of shape (n_samples,) or None

    Raises
    ------
    ValueError
        Not one-dimensional, of another length, or not finite.
    TypeError
        Sparse, complex or not numeric.
    """
    if offset is None:
        return None
    if sp.issparse(offset):
        raise TypeError("offset must be a dense array-like of shape (n_samples,), got a sparse "
                        "matrix.")
    try:
        shape = np.shape(offset)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"offset must be a 1-D array-like of {n_samples} numbers (one per "
                         "sample), got a ragged sequence.") from exc
    if len(shape) != 1:
        raise ValueError(f"offset must be one-dimensional of shape ({n_samples},), got shape "
                         f"{shape}.")
    return check_vector(offset, n_samples, "offset")


def is_column(y):
    """Whether ``y`` is a column vector of shape (n_samples, 1).

    scikit-learn's ``Lasso``, ``ElasticNet`` and ``Ridge`` then report
    ``intercept_`` of shape (1,) (``coef_`` stays (n_features,)); read
    before validation ravels ``y``. Anything without a shape is not a column.
    """
    try:
        shape = np.shape(y)
    except (TypeError, ValueError):
        return False
    return len(shape) == 2 and shape[1] == 1


def solver_tol(tol):
    """scikit-learn allows ``tol=0`` ("run to max_iter"); lassokit needs ``tol > 0``."""
    return float(tol) if tol > 0 else np.finfo(np.float64).tiny


def backend_hints(backend, **hints):
    """The subset of ``hints`` that ``backend`` declares as options.

    scikit-learn parameters such as ``selection`` or ``precompute`` only
    steer *how* a solve proceeds; a backend that does not declare them
    reaches the same optimum without them.
    """
    declared = backend.options or {}
    return {k: v for k, v in hints.items() if k in declared and v is not None}


def linear_predictor(estimator, X, sparse_formats=_SPARSE_FORMATS, offset=None):
    """``X @ coef + intercept (+ offset)`` of a fitted linear estimator, validated as at ``fit``.

    ``coef_`` may be of shape (n_features,) or (1, n_features) and
    ``intercept_`` a scalar or of shape (1,) (scikit-learn's layouts after a
    column-vector ``y`` or for a classifier).

    Parameters
    ----------
    estimator : fitted estimator
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    sparse_formats : list of str, default=["csc", "csr"]
        Accepted sparse formats (others are converted to the first).
    offset : array-like of shape (n_samples,), default=None
        These samples' offsets (see :func:`raw_offset`), added to the result.

    Returns
    -------
    ndarray of shape (n_samples,)
        In the common dtype of ``X`` and ``coef_``.
    """
    check_is_fitted(estimator)
    X = validate_data(estimator, X, reset=False, accept_sparse=sparse_formats,
                      dtype=_FLOAT_DTYPES)
    coef = np.asarray(estimator.coef_).ravel()
    z = _linalg.matvec(X, coef) + float(np.ravel(estimator.intercept_)[0])
    if offset is not None:
        z = z + raw_offset(offset, X.shape[0])
    return z.astype(np.result_type(X.dtype, coef.dtype), copy=False)


class LinearPredictMixin:
    """The one ``predict(X)`` of the linear regressors (not public).

    What it computes is ``_prediction``: one target here; the estimators
    with a coefficient matrix override it to give one column per target
    (:class:`lassokit.estimators._matrix_base.TargetsPrediction`).
    """

    def predict(self, X):
        """Predict with the fitted linear model: ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples with the features seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)
            One column per target for a model of several (fitted on a 2-D
            ``y``), else 1-D. In the common dtype of ``X`` and ``coef_``.
        """
        return self._prediction(X)

    def _prediction(self, X, offset=None):
        """``X @ coef_ + intercept_ (+ offset)`` for one target (:func:`linear_predictor`)."""
        return linear_predictor(self, X, offset=offset)


class LinearRegressorBase(LinearPredictMixin, RegressorMixin, BaseEstimator):
    """Common machinery of lassokit's scikit-learn regressors (not public)."""

    #: Constructor-parameter constraints, filled by subclasses.
    _constraints: ClassVar[dict] = {}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = False
        tags.target_tags.single_output = True
        return tags

    # -- validation -------------------------------------------------------------
    def _check_params(self):
        validate_params(self, self._constraints)

    def _validate_train(self, X, y):
        """``(X, y)`` validated for ``fit``, after the constructor parameters."""
        self._check_params()
        return validate_data(
            self,
            X,
            y,
            accept_sparse=_SPARSE_FORMATS,
            dtype=_FLOAT_DTYPES,
            y_numeric=True,
            multi_output=False,
        )

    def _resolve(self, problem):
        return resolve_backend(self.backend, problem)

    def _random_seed(self):
        return int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))

    # -- results ----------------------------------------------------------------
    def _store(self, solution, dtype, column=False):
        """Copy a Solution into the fitted attributes (outputs in ``dtype``).

        ``column``: ``y`` was (n_samples, 1), so ``intercept_`` has shape (1,)
        as scikit-learn's (see :func:`is_column`).
        """
        self.coef_ = np.array(solution.coef, dtype=dtype)
        if not self.fit_intercept:
            self.intercept_ = 0.0
        elif column:
            self.intercept_ = np.array([solution.intercept], dtype=dtype)
        else:
            self.intercept_ = dtype.type(solution.intercept)
        self.n_iter_ = int(solution.n_iter)
        self.dual_gap_ = float(solution.dual_gap)
        self.backend_ = solution.backend
        self.solution_ = solution


class OffsetPredictMixin(LinearPredictMixin):
    """``predict(X, offset=None)`` of the least-squares estimators fitted with an ``offset``."""

    def predict(self, X, offset=None):
        """Predict with the fitted linear model: ``X @ coef_.T + intercept_ (+ offset)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples with the features seen in ``fit``.
        offset : array-like of shape (n_samples,) or (n_samples, n_targets), default=None
            These samples' offsets (glmnet's ``newoffset``), added to the
            prediction: one per sample (added to every target), or, for a
            model of several targets, one per sample and target. None gives
            the model part alone (scikit-learn's ``predict``; glmnet would
            require it).

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)
            One column per target for a model of several (fitted on a 2-D
            ``y``), else 1-D. In the common dtype of ``X`` and ``coef_``.
        """
        return self._prediction(X, offset)


class SparseCoefMixin:
    """``sparse_coef_`` as in scikit-learn's coordinate-descent estimators."""

    @property
    def sparse_coef_(self):
        """scipy.sparse.csr_matrix of shape (1, n_features): ``coef_`` in sparse form."""
        check_is_fitted(self)
        return sp.csr_matrix(np.atleast_2d(self.coef_))
