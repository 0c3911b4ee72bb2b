"""``MultiTaskLasso``, ``MultiTaskElasticNet`` and their CV versions (scikit-learn 1.9's).

Each states one :class:`lassokit.Problem` with the 2-D target and the group
penalty :func:`~lassokit.GroupL2` with every feature its own group, so the
group of feature ``j`` is row ``j`` of the coefficient matrix ``W``
(n_features, n_targets) and a feature enters or leaves the model for all
targets at once::

    1/(2n) sum_i s_i ||y_i - W^T x_i - b||^2
        + alpha * l1_ratio * sum_j ||W_j||_2 + 0.5 * alpha * (1 - l1_ratio) * ||W||_F^2

(``s`` the sample weights rescaled to sum to ``n``), which is scikit-learn's
``MultiTaskElasticNet`` objective; ``MultiTaskLasso`` is ``l1_ratio=1``.
So ``MultiTaskLasso(alpha)`` solves ``lk.Problem(X, Y, lk.GroupL2(alpha))``
and ``MultiTaskElasticNet(alpha, l1_ratio=r)`` solves
``lk.Problem(X, Y, lk.GroupL2(alpha * r) + lk.L2(alpha * (1 - r)))``.
``tol`` is lassokit's relative duality gap, as for :class:`~lassokit.Lasso`.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..group import GroupL2
from ..penalty import L2
from ..problem import Problem
from ._base import FEATURES_IN_DOC, keep_params, solver_tol
from ._matrix_base import SOLVE_DOC, MatrixRegressorBase, solve_and_store
from ._matrix_cv import FOLDS_DOC, MATRIX_CV_CONSTRAINTS, MatrixCVBase
from ._params import (
    ARRAY,
    BACKEND,
    BOOL,
    NONNEG_REAL,
    POS_INT,
    RANDOM_STATE,
    UNIT_REAL,
    Options,
)

__all__ = ["MultiTaskElasticNet", "MultiTaskElasticNetCV", "MultiTaskLasso",
           "MultiTaskLassoCV"]

_HINTS = {"random_state": [RANDOM_STATE], "selection": [Options("cyclic", "random")],
          "copy_X": [BOOL]}

_MT_CONSTRAINTS = {
    "alpha": [NONNEG_REAL],
    "fit_intercept": [BOOL],
    "max_iter": [POS_INT],
    "tol": [NONNEG_REAL],
    "warm_start": [BOOL],
    "backend": [BACKEND],
    **_HINTS,
}


def multitask_penalty(alpha, l1_ratio):
    """``GroupL2(alpha * l1_ratio) + L2(alpha * (1 - l1_ratio))``: rows of ``W`` as groups."""
    return GroupL2(alpha * l1_ratio) + L2(alpha * (1.0 - l1_ratio))


def check_l1_ratios(value):
    """The candidate ``l1_ratio`` values of a CV estimator, as a 1-D float array in [0, 1]."""
    try:
        ratios = np.atleast_1d(np.asarray(value, dtype=np.float64))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"l1_ratio must be a float or a 1-D array of floats, got "
                        f"{value!r}.") from exc
    if ratios.ndim != 1 or ratios.size == 0:
        raise ValueError("l1_ratio must be a float or a non-empty 1-D array of floats.")
    if not np.all((ratios >= 0) & (ratios <= 1)):
        raise ValueError(f"l1_ratio values must be in [0, 1], got {value!r}.")
    return ratios


class _MultiTaskBase(MatrixRegressorBase):
    _constraints: ClassVar[dict] = _MT_CONSTRAINTS
    _single_name = "ElasticNet"

    def _l1_ratio(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def fit(self, X, y, sample_weight=None):
        """Fit the model by solving the problem to relative duality gap ``tol``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 stays float32, never modified.
        y : array-like of shape (n_samples, n_targets)
            Targets (2-D; a 1-D ``y`` is refused, as in scikit-learn).
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weights, rescaled to sum to n_samples (a scalar is
            ignored, as in scikit-learn).

        Returns
        -------
        self
        """
        X, Y, sw = self._validate_train(X, y, sample_weight)
        problem = Problem(X, Y, multitask_penalty(self.alpha, self._l1_ratio()),
                          fit_intercept=self.fit_intercept, sample_weight=sw)
        solve_and_store(self, problem, X, Y, self.backend)
        # The absolute gap aimed at: tol times the objective at W = 0.
        self.eps_ = solver_tol(self.tol) * problem.objective(np.zeros((X.shape[1], Y.shape[1])))
        return self


_PARAMS_DOC = f"""\
    fit_intercept : bool, default=True
        Fit an unpenalized intercept per target (by implicit centring; X is
        not copied).
    copy_X : bool, default=True
        Honoured trivially: X is never modified, so it is never copied.
{SOLVE_DOC}
        Here the support is the selected rows; ``eps_`` is the absolute gap
        aimed at, ``tol * P(0, b0)``. scikit-learn's ``tol`` bounds its gap
        by ``tol * ||y||_F^2 / n`` instead, twice as loose.
    warm_start : bool, default=False
        Start from the previous ``coef_`` when refitting (same shapes).
    random_state : int, RandomState or None, default=None
        Accepted for compatibility; unused (see ``selection``).
    selection : {{"cyclic", "random"}}, default="cyclic"
        Accepted for compatibility: scikit-learn's coordinate order. The
        solution, certified to ``tol``, does not depend on it; no backend
        that takes a coefficient matrix uses it.
    backend : str or Backend, default="auto"
        The lassokit backend that solves the problem: a name from
        :func:`lassokit.available_backends` or a :class:`~lassokit.Backend`
        instance that takes a coefficient matrix (``"cd"``: block
        coordinate descent; ``"cvxpy"``). ``"auto"`` picks ``"cd"``;
        ``backend_`` names the one used."""

_ATTRS_DOC = f"""\
    coef_ : ndarray of shape (n_targets, n_features)
        ``W.T``, in the dtype of the training X; a row ``coef_[:, j]`` is
        zero for every target or for none.
    sparse_coef_ : scipy.sparse.csr_matrix of shape (n_targets, n_features)
    intercept_ : ndarray of shape (n_targets,) or float
        ``0.0`` when ``fit_intercept=False``, as in scikit-learn.
    n_iter_ : int
        Backend iterations (epochs for ``"cd"``).
    dual_gap_ : float
        Certified duality gap (lassokit's certificate, summed over targets)
        in the scale of the objective.
    eps_ : float
        The absolute gap aimed at: ``tol * P(0, b0)``.
    backend_ : str
        The backend that solved the problem.
    solution_ : Solution
        The full certified solution (coefficients ``W`` of shape
        (n_features, n_targets)).
{FEATURES_IN_DOC}"""


def _single_doc(head, name, coef):
    """The docstring of ``name``: ``head`` (summary and own parameters), then what both share.

    The shared parameters and attributes, and an example on the same data
    whose printed ``coef_`` is ``coef``.
    """
    return f"""{head}
{_PARAMS_DOC}

    Attributes
    ----------
{_ATTRS_DOC}

    Examples
    --------
    >>> import numpy as np, lassokit as lk
    >>> X = np.array([[0., 1.], [1., 0.], [2., 2.], [3., 1.]])
    >>> Y = np.c_[X @ [1., 2.], X @ [1., 1.]]
    >>> lk.{name}(alpha=0.1).fit(X, Y).coef_.round(3)
{coef}
    """


class MultiTaskElasticNet(_MultiTaskBase):
    __doc__ = _single_doc(
        """Multi-task Elastic Net: L1/L2 mixed norm on the rows plus L2 (scikit-learn's).

    Minimizes, over ``W`` (n_features, n_targets) and intercepts ``b``::

        1/(2n) sum_i s_i ||y_i - W^T x_i - b||^2
            + alpha * l1_ratio * sum_j ||W_j||_2 + 0.5 * alpha * (1 - l1_ratio) * ||W||_F^2

    with sample weights ``s`` rescaled to sum to ``n`` (none: all ones) and
    ``W_j`` the row of feature ``j``: scikit-learn's ``MultiTaskElasticNet``
    objective, solved as ``lk.Problem(X, Y, lk.GroupL2(alpha * l1_ratio) +
    lk.L2(alpha * (1 - l1_ratio)))``.

    Parameters
    ----------
    alpha : float, default=1.0
        Overall penalty strength (``alpha=0``: least squares per target).
    l1_ratio : float in [0, 1], default=0.5
        The share of the row-norm (L1/L2) term.""", "MultiTaskElasticNet", """\
    array([[0.983, 1.745],
           [0.956, 0.888]])""")

    _constraints: ClassVar[dict] = {**_MT_CONSTRAINTS, "l1_ratio": [UNIT_REAL]}

    def __init__(self, alpha=1.0, *, l1_ratio=0.5, fit_intercept=True, copy_X=True,
                 max_iter=1000, tol=1e-4, warm_start=False, random_state=None,
                 selection="cyclic", backend="auto"):
        keep_params(self, locals())

    def _l1_ratio(self):
        return float(self.l1_ratio)


class MultiTaskLasso(_MultiTaskBase):
    __doc__ = _single_doc(
        """Multi-task Lasso: L1/L2 mixed-norm penalty on the rows (scikit-learn compatible).

    Minimizes ``1/(2n) sum_i s_i ||y_i - W^T x_i - b||^2 + alpha * sum_j
    ||W_j||_2`` over ``W`` (n_features, n_targets) and intercepts ``b``
    (sample weights ``s`` rescaled to sum to ``n``; ``W_j`` the row of
    feature ``j``, so a feature is selected for all targets or none):
    scikit-learn's ``MultiTaskLasso`` objective, solved as
    ``lk.Problem(X, Y, lk.GroupL2(alpha))``.

    Parameters
    ----------
    alpha : float, default=1.0
        Strength of the row-norm term.""", "MultiTaskLasso", """\
    array([[0.976, 1.834],
           [0.958, 0.931]])""")
    _single_name = "Lasso"  # scikit-learn's MultiTaskLasso names it too

    def __init__(self, alpha=1.0, *, fit_intercept=True, copy_X=True, max_iter=1000, tol=1e-4,
                 warm_start=False, random_state=None, selection="cyclic", backend="auto"):
        keep_params(self, locals())

    def _l1_ratio(self):
        return 1.0


_CV_DOC = f"""\
    eps : float in (0, 1], default=1e-3
        ``alpha_min / alpha_max`` of the default grid.
    alphas : int or array-like, default=100
        Number of grid points, or the grid itself (sorted decreasing, shared
        by every ``l1_ratio``). The default grid runs geometrically from
        ``alpha_max``, the strength at which ``W = 0`` becomes optimal on
        all data (``max_j ||X_j^T S Yc||_2 / (n l1_ratio)``), down to
        ``eps * alpha_max``, as scikit-learn's.
    fit_intercept : bool, default=True
    max_iter : int, default=1000
        Iteration budget of each solve. At this default, an unconverged
        refit resumes with 10x and then 100x the budget.
    tol : float, default=1e-4
        Target relative duality gap of every solve (see
        :class:`MultiTaskLasso`).
        The final model is finished on its support as the single
        estimator's fit is (if its support is not identified at ``tol``,
        after one more solve towards ``max(tol * 1e-5, 1e-13)``).
    copy_X : bool, default=True
        Honoured trivially (X is never modified).
{FOLDS_DOC}
    random_state : int, RandomState or None, default=None
        Accepted for compatibility; unused.
    selection : {{"cyclic", "random"}}, default="cyclic"
        Accepted for compatibility; does not change the result.
    backend : str or Backend, default="auto"
        The lassokit backend of every fold's path and of the refit: a name
        from :func:`lassokit.available_backends` or a
        :class:`~lassokit.Backend` instance that takes a coefficient matrix;
        ``"auto"`` picks ``"cd"``. ``backend_`` names the one used."""

_CV_ATTRS_DOC = """\
    alpha_ : float
        The strength minimizing the mean test MSE over folds (the MSE of a
        fold is averaged over its test samples, weighted by their sample
        weights, and over the targets; errors within a relative 1e-9 of the
        minimum tie and go to the largest alpha).
    coef_, sparse_coef_, intercept_, n_iter_, dual_gap_, backend_, solution_
        Of the final model refitted on all data at the choice, as for
        :class:`MultiTaskLasso`.
    n_features_in_ : int
    feature_names_in_ : ndarray of str"""


class MultiTaskLassoCV(MatrixCVBase):
    __doc__ = f"""Multi-task Lasso with ``alpha`` chosen by cross-validation (scikit-learn's).

    Same objective as :class:`MultiTaskLasso`. Every fold solves
    :func:`lassokit.path` on its training rows over the grid, warm-started
    from strength to strength, and is scored on its test rows; the grid,
    the fold scores and the choice of ``alpha_`` follow scikit-learn 1.9's
    ``MultiTaskLassoCV``.

    Parameters
    ----------
{_CV_DOC}

    Attributes
    ----------
{_CV_ATTRS_DOC}
    alphas_ : ndarray of shape (n_alphas,)
        The grid (decreasing).
    mse_path_ : ndarray of shape (n_alphas, n_folds)
        Test MSE per strength and fold.

    Examples
    --------
    >>> import numpy as np, lassokit as lk
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 5)); Y = X[:, :2] + 0.1 * rng.standard_normal((60, 2))
    >>> est = lk.MultiTaskLassoCV(alphas=10).fit(X, Y)
    >>> est.mse_path_.shape, est.coef_.shape
    ((10, 5), (2, 5))
    """

    _single_name = "LassoCV"
    _constraints: ClassVar[dict] = {**MATRIX_CV_CONSTRAINTS, **_HINTS}

    def __init__(self, *, eps=1e-3, alphas=100, fit_intercept=True, max_iter=1000, tol=1e-4,
                 copy_X=True, cv=None, verbose=False, n_jobs=None, random_state=None,
                 selection="cyclic", backend="auto"):
        keep_params(self, locals())

    def _l1_ratios(self):
        return np.array([1.0])

    def _unit_penalty(self, ratio):
        return multitask_penalty(1.0, ratio)

    def fit(self, X, y, sample_weight=None, **params):
        super().fit(X, y, sample_weight=sample_weight, **params)
        del self.l1_ratio_  # scikit-learn's MultiTaskLassoCV has none
        return self

    fit.__doc__ = MatrixCVBase.fit.__doc__


class MultiTaskElasticNetCV(MatrixCVBase):
    __doc__ = f"""Multi-task Elastic Net with ``alpha`` and ``l1_ratio`` cross-validated.

    Same objective as :class:`MultiTaskElasticNet`; grid, fold scores and
    choice as in scikit-learn 1.9's ``MultiTaskElasticNetCV`` (see
    :class:`MultiTaskLassoCV`), each ``l1_ratio`` with its own default grid.

    Parameters
    ----------
    l1_ratio : float or array-like of floats in [0, 1], default=0.5
        Candidate shares of the row-norm term (an automatic grid needs
        them > 0).
{_CV_DOC}

    Attributes
    ----------
{_CV_ATTRS_DOC}
    l1_ratio_ : float
        The chosen ``l1_ratio``.
    alphas_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
    mse_path_ : ndarray of shape (n_alphas, n_folds) or (n_l1_ratio, n_alphas, n_folds)

    Examples
    --------
    >>> import numpy as np, lassokit as lk
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 5)); Y = X[:, :2] + 0.1 * rng.standard_normal((60, 2))
    >>> est = lk.MultiTaskElasticNetCV(l1_ratio=[0.5, 1.0], alphas=5).fit(X, Y)
    >>> est.mse_path_.shape
    (2, 5, 5)
    """

    _single_name = "ElasticNetCV"
    _constraints: ClassVar[dict] = {**MATRIX_CV_CONSTRAINTS, **_HINTS,
                                    "l1_ratio": [UNIT_REAL, ARRAY]}

    def __init__(self, *, l1_ratio=0.5, eps=1e-3, alphas=100, fit_intercept=True,
                 max_iter=1000, tol=1e-4, cv=None, copy_X=True, verbose=0, n_jobs=None,
                 random_state=None, selection="cyclic", backend="auto"):
        keep_params(self, locals())

    def _l1_ratios(self):
        return check_l1_ratios(self.l1_ratio)

    def _unit_penalty(self, ratio):
        return multitask_penalty(1.0, ratio)
