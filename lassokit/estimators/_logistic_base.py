"""The machinery shared by ``LogisticRegression`` and ``LogisticRegressionCV``.

Validation, the problem of scikit-learn's ``(C, l1_ratio)``, the solve at
the estimator's budget, the fitted attributes and the predictions. The
mapping itself, written once (see :mod:`lassokit.estimators.logistic`):
``alpha = 1 / (C * S)`` with ``S`` the total effective weight, penalty
``L1(alpha r) + L2(alpha (1 - r))``, the intercept never penalized.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import validate_data

from .._finish import finish
from ..backends.base import BackendResult
from ..backends.registry import resolve_backend
from ..penalty import Penalty
from ..problem import Problem
from ._base import _FLOAT_DTYPES, linear_predictor, solver_tol
from ._fit_exists import weighted_fit_exists
from ._logistic_labels import binary_classes, check_both_weighted, effective_weights
from ._rounds import solve_in_rounds

__all__ = ["BinaryLogisticBase", "logistic_problem"]

#: CSR first, as scikit-learn's logistic estimators convert.
SPARSE_FORMATS = ["csr", "csc"]


def logistic_problem(X, y_pm, s, penalty, fit_intercept):
    """The logistic :class:`~lassokit.Problem` on validated data (single use, no copies).

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    y_pm : ndarray of shape (n_samples,)
        Labels +/-1.
    s : ndarray of shape (n_samples,)
        Effective weights.
    penalty : Penalty
    fit_intercept : bool

    Returns
    -------
    Problem
    """
    return Problem._single_use(X, y_pm, penalty, fit_intercept=fit_intercept, sample_weight=s,
                               known_finite=True, loss="logistic")


class BinaryLogisticBase(ClassifierMixin, BaseEstimator):
    """Validation, weights, the solve and the predictions of the logistic estimators.

    Not public: :class:`~lassokit.LogisticRegression` and
    :class:`~lassokit.LogisticRegressionCV` build on it.
    """

    _constraints: ClassVar[dict] = {}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_class = False
        return tags

    # -- training data ------------------------------------------------------------
    def _validate_train(self, X, y, sample_weight):
        """``(X, y, y_pm, s)``: validated data, +/-1 target and effective weights."""
        X, y = validate_data(self, X, y, accept_sparse=SPARSE_FORMATS, dtype=_FLOAT_DTYPES,
                             multi_output=False)
        name = type(self).__name__
        self.classes_ = binary_classes(y, name)
        positive = y == self.classes_[1]
        s = effective_weights(y, self.classes_, sample_weight, self.class_weight)
        check_both_weighted(s, positive, self.classes_, name)
        return X, y, np.where(positive, 1.0, -1.0), s

    # -- solving --------------------------------------------------------------------
    def _problem(self, X, y_pm, s, C, r):
        """The logistic Problem of scikit-learn's ``(C, l1_ratio=r)`` (see the module)."""
        alpha = 0.0 if C == np.inf else 1.0 / (C * float(s.sum()))
        return logistic_problem(X, y_pm, s, Penalty(alpha * r, alpha * (1.0 - r)),
                                self.fit_intercept)

    def _check_exists(self, X, y_pm, s):
        """Refuse the unpenalized fit on (quasi-)separated classes."""
        if weighted_fit_exists(X, y_pm, s, fit_intercept=self.fit_intercept):
            return
        raise ValueError(
            f"{type(self).__name__}: the unpenalized fit (C=inf) does not exist: the classes "
            "are separable (completely or quasi-completely) by a hyperplane, so the "
            "logistic loss decreases without end as the coefficients grow. Use a finite C: "
            "every C > 0 has a minimizer.")

    def _solve(self, problem, warm_start):
        """``(Solution, iterations)`` of ``problem`` at this estimator's tol and budget."""
        backend = resolve_backend(self.backend, problem)
        tol = solver_tol(self.tol)
        if self.max_iter == 0:
            # scikit-learn returns its starting point; so does lassokit, certified.
            start = np.zeros(problem.n_features) if warm_start is None else warm_start
            raw = BackendResult(coef=start, n_iter=0, status="max_iter")
            return finish(problem, raw, backend.name, tol, 0.0, stacklevel=4), 0
        return solve_in_rounds(problem, backend, tol, int(self.max_iter), warm_start)

    def _store(self, solution, dtype):
        self.coef_ = np.asarray(solution.coef, dtype=dtype).reshape(1, -1)
        self.intercept_ = np.array([solution.intercept if self.fit_intercept else 0.0],
                                   dtype=dtype)
        self.dual_gap_ = float(solution.dual_gap)
        self.backend_ = solution.backend
        self.solution_ = solution

    # -- predictions ------------------------------------------------------------------
    def decision_function(self, X):
        """Signed distance to the hyperplane: ``X @ coef_[0] + intercept_[0]``.

        Positive values predict ``classes_[1]``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples; float32 data give float32 distances.

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return linear_predictor(self, X, SPARSE_FORMATS)

    def predict(self, X):
        """The class of each sample: ``classes_[1]`` where ``decision_function > 0``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples to classify.

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        z = self.decision_function(X)
        return self.classes_[(z > 0).astype(np.intp)]

    def predict_proba(self, X):
        """Class probabilities: ``[1 - p, p]`` with ``p = 1 / (1 + exp(-z))``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples, validated as for :meth:`decision_function`.

        Returns
        -------
        ndarray of shape (n_samples, 2)
            Columns in the order of ``classes_``; every row sums to 1.
        """
        p = expit(self.decision_function(X))
        return np.column_stack([1.0 - p, p])

    def predict_log_proba(self, X):
        """Logarithms of :meth:`predict_proba`, computed without cancellation.

        ``log p = -log(1 + exp(-z))`` and ``log(1 - p) = -log(1 + exp(z))``:
        finite where ``log(predict_proba(X))`` would be ``-inf``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            As for :meth:`predict_proba`.

        Returns
        -------
        ndarray of shape (n_samples, 2)
        """
        z = self.decision_function(X)
        return np.column_stack([-np.logaddexp(0.0, z), -np.logaddexp(0.0, -z)]).astype(
            z.dtype, copy=False)
