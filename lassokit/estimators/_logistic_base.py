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

from .._box import check_limits
from .._finish import finish
from .._standardize import check_penalty_weights
from ..backends.base import BackendResult
from ..backends.registry import resolve_backend
from ..penalty import Penalty
from ..problem import Problem
from ._base import _FLOAT_DTYPES, linear_predictor, solver_tol
from ._fit_exists import weighted_fit_exists
from ._glm_weights import check_bounds, glm_weights
from ._logistic_labels import binary_classes, check_both_weighted, effective_weights
from ._multinomial import log_softmax, multinomial_scores
from ._rounds import solve_in_rounds

__all__ = ["BinaryLogisticBase", "logistic_problem"]

#: CSR first, as scikit-learn's logistic estimators convert.
SPARSE_FORMATS = ["csr", "csc"]


def logistic_problem(X, y_pm, s, penalty, fit_intercept, offset=None, bounds=None):
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
    offset : ndarray of shape (n_samples,), optional
        The validated offsets (see :func:`~._base.raw_offset`).
    bounds : (ndarray, ndarray), optional
        The coefficients' bounds (see :func:`lassokit._box.check_limits`).

    Returns
    -------
    Problem
    """
    return Problem._single_use(X, y_pm, penalty, fit_intercept=fit_intercept, sample_weight=s,
                               known_finite=True, loss="logistic", offset=offset,
                               bounds=bounds)


class BinaryLogisticBase(ClassifierMixin, BaseEstimator):
    """Validation, weights, the solve and the predictions of the logistic estimators.

    Not public: :class:`~lassokit.LogisticRegression` and
    :class:`~lassokit.LogisticRegressionCV` build on it.
    """

    _constraints: ClassVar[dict] = {}
    #: Whether K >= 3 classes are fitted (the multinomial model).
    _multiclass = False

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        # K >= 3 classes take no bounds (the multinomial model): with bounds
        # set, the estimator is binary.
        tags.classifier_tags.multi_class = self._multiclass and \
            getattr(self, "lower_bounds", None) is None and \
            getattr(self, "upper_bounds", None) is None
        return tags

    def _is_multinomial(self):
        return len(getattr(self, "classes_", ())) > 2

    # -- training data ------------------------------------------------------------
    def _validate_train(self, X, y, sample_weight):
        """``(X, y, y_pm, s)``: validated data, +/-1 target and effective weights."""
        X, y = validate_data(self, X, y, accept_sparse=SPARSE_FORMATS, dtype=_FLOAT_DTYPES,
                             multi_output=False)
        name = type(self).__name__
        self.classes_ = binary_classes(y, name, self._multiclass)
        positive = y == self.classes_[1]
        s = effective_weights(y, self.classes_, sample_weight, self.class_weight)
        if self.classes_.size == 2:
            check_both_weighted(s, positive, self.classes_, name)
        return X, y, np.where(positive, 1.0, -1.0), s

    # -- solving --------------------------------------------------------------------
    def _bounds(self, n_features):
        """The Problem's ``bounds`` of ``lower_bounds``/``upper_bounds``, or None."""
        return check_limits(self.lower_bounds, self.upper_bounds, n_features)

    def _weights(self, X, s):
        """``(v1, v2)``: the per-feature factors of ``penalty_weights``/``standardize``.

        Standardized with the effective weights ``s`` (those of the loss).
        """
        pf = check_penalty_weights(self.penalty_weights, X.shape[1])
        return glm_weights(X, s, self.fit_intercept, pf, self.standardize)

    def _penalty(self, s, C, r, weights=(None, None)):
        """The penalty of scikit-learn's ``(C, l1_ratio=r)`` (see the module)."""
        alpha = 0.0 if C == np.inf else 1.0 / (C * float(s.sum()))
        return Penalty(alpha * r, alpha * (1.0 - r), *weights)

    def _problem(self, X, y_pm, s, C, r, offset=None, weights=(None, None)):
        """The logistic Problem of scikit-learn's ``(C, l1_ratio=r)`` (see the module).

        ``weights``: the per-feature factors ``(v1, v2)`` of :meth:`_weights`.
        """
        return logistic_problem(X, y_pm, s, self._penalty(s, C, r, weights),
                                self.fit_intercept, offset, self._bounds(X.shape[1]))

    def _check_exists(self, X, y_pm, s, penalty=None):
        """Refuse a fit without minimizer: the unpenalized features separate the classes.

        Without penalty (``C=inf``) every feature is free; otherwise only
        those of penalty weight 0 (``penalty`` None: every feature). An
        offset changes nothing here: a direction along which the loss
        decreases for ever does so from any finite shift of the margins.
        Bounds on the coefficients can stop such a direction, so only the
        directions they allow count.
        """
        p = X.shape[1]
        bounds = self._bounds(p)
        if penalty is not None:
            bounds = check_bounds(penalty, p, bounds)
            if bounds is None:
                return  # every feature penalized or excluded: a minimizer exists
        if weighted_fit_exists(X, y_pm, s, fit_intercept=self.fit_intercept, bounds=bounds):
            return
        if penalty is None or (penalty.l1 == 0 and penalty.l2 == 0):
            raise ValueError(
                f"{type(self).__name__}: the unpenalized fit (C=inf) does not exist: the "
                "classes are separable (completely or quasi-completely) by a hyperplane "
                "(within the coefficients' bounds, if any), so the logistic loss decreases "
                "without end as the coefficients grow. Use a finite C: every C > 0 has a "
                "minimizer (unless some penalty_weights are 0).")
        raise ValueError(
            f"{type(self).__name__}: the fit does not exist: the features with penalty "
            "weight 0 (unpenalized) separate the classes (completely or quasi-completely, "
            "within the coefficients' bounds, if any), so the logistic loss decreases "
            "without end as their coefficients grow. Give them positive penalty_weights.")

    def _solve(self, problem, warm_start):
        """``(Solution, iterations)`` of ``problem`` at this estimator's tol and budget."""
        backend = resolve_backend(self.backend, problem)
        tol = solver_tol(self.tol)
        if self.max_iter == 0:
            # scikit-learn returns its starting point; so does lassokit, certified.
            start = np.zeros(problem.n_features) if warm_start is None else warm_start
            if problem.bounds is not None:
                start = np.clip(start, *problem.bounds)
            raw = BackendResult(coef=start, n_iter=0, status="max_iter")
            return finish(problem, raw, backend.name, tol, 0.0, stacklevel=4), 0
        if warm_start is not None and problem.bounds is not None:
            # A previous fit (other bounds) or the folds' mean: start inside these.
            warm_start = np.clip(warm_start, *problem.bounds)
        return solve_in_rounds(problem, backend, tol, int(self.max_iter), warm_start)

    def _store(self, solution, dtype):
        self.coef_ = np.asarray(solution.coef, dtype=dtype).reshape(1, -1)
        self.intercept_ = np.array([solution.intercept if self.fit_intercept else 0.0],
                                   dtype=dtype)
        self.dual_gap_ = float(solution.dual_gap)
        self.backend_ = solution.backend
        self.solution_ = solution

    # -- predictions ------------------------------------------------------------------
    def decision_function(self, X, offset=None):
        """Signed distance to the hyperplane: ``X @ coef_[0] + intercept_[0] (+ offset)``.

        Positive values predict ``classes_[1]``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples; float32 data give float32 distances.
        offset : array-like of shape (n_samples,), default=None
            These samples' offsets (glmnet's ``newoffset``), added to the
            linear predictor as at ``fit``; None leaves them out (the model
            part alone, scikit-learn's ``decision_function``).

        Returns
        -------
        ndarray of shape (n_samples,)
            Of shape (n_samples, K) for K >= 3 classes: one score per class
            (the multinomial model's linear predictor).
        """
        if self._is_multinomial():
            return multinomial_scores(self, X, offset)
        return linear_predictor(self, X, SPARSE_FORMATS, offset)

    def predict(self, X, offset=None):
        """The class of each sample: ``classes_[1]`` where ``decision_function > 0``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples to classify.
        offset : array-like of shape (n_samples,), default=None
            As for :meth:`decision_function`.

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        z = self.decision_function(X, offset)
        if z.ndim == 2:
            return self.classes_[np.argmax(z, axis=1)]
        return self.classes_[(z > 0).astype(np.intp)]

    def predict_proba(self, X, offset=None):
        """Class probabilities: ``[1 - p, p]`` with ``p = 1 / (1 + exp(-z))``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples, validated as for :meth:`decision_function`.
        offset : array-like of shape (n_samples,), default=None
            As for :meth:`decision_function` (part of ``z``).

        Returns
        -------
        ndarray of shape (n_samples, 2)
            Columns in the order of ``classes_``; every row sums to 1.
        """
        z = self.decision_function(X, offset)
        if z.ndim == 2:
            return np.exp(log_softmax(z))
        p = expit(z)
        return np.column_stack([1.0 - p, p])

    def predict_log_proba(self, X, offset=None):
        """Logarithms of :meth:`predict_proba`, computed without cancellation.

        ``log p = -log(1 + exp(-z))`` and ``log(1 - p) = -log(1 + exp(z))``:
        finite where ``log(predict_proba(X))`` would be ``-inf``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            As for :meth:`predict_proba`.
        offset : array-like of shape (n_samples,), default=None
            As for :meth:`decision_function`.

        Returns
        -------
        ndarray of shape (n_samples, 2)
        """
        z = self.decision_function(X, offset)
        if z.ndim == 2:
            return log_softmax(z)
        return np.column_stack([-np.logaddexp(0.0, z), -np.logaddexp(0.0, -z)]).astype(
            z.dtype, copy=False)
