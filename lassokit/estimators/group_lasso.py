"""``GroupLasso`` and ``GroupLassoCV``: the (sparse) group lasso as scikit-learn estimators.

The penalty is :func:`~lassokit.GroupL2` on the given groups plus an
entry-wise L1 term::

    alpha * (1 - l1_ratio) * sum_g w_g ||W_g||_2 + alpha * l1_ratio * ||W||_1

``l1_ratio=0`` is the group lasso, ``0 < l1_ratio < 1`` the sparse group
lasso (groups and single features inside the selected groups both drop
out), ``l1_ratio=1`` the lasso. ``y`` may be 1-D (``coef_`` of shape
(n_features,)) or 2-D (one column per target; a group is then the block of
its features' rows across all targets). These are not in scikit-learn; the
parameter names follow its linear models.
"""

from __future__ import annotations

from typing import ClassVar

from ..group import GroupL2
from ..penalty import L1
from ..problem import Problem
from ._base import FEATURES_IN_DOC, keep_params
from ._matrix_base import SOLVE_DOC, MatrixRegressorBase, solve_and_store
from ._matrix_cv import FOLDS_DOC, MATRIX_CV_CONSTRAINTS, MatrixCVBase
from ._params import ARRAY, BACKEND, BOOL, NONE, NONNEG_REAL, POS_INT, UNIT_REAL
from .multitask import check_l1_ratios

__all__ = ["GroupLasso", "GroupLassoCV"]

_GROUP_CONSTRAINTS = {"groups": [NONE, ARRAY], "weights": [NONE, ARRAY]}


def group_penalty(alpha, l1_ratio, groups, weights):
    """``GroupL2(alpha (1 - l1_ratio), groups, weights) + L1(alpha l1_ratio)``."""
    return GroupL2(alpha * (1.0 - l1_ratio), groups, weights) + L1(alpha * l1_ratio)


def resolved_groups(penalty, n_features):
    """The penalty's groups as index arrays, in the order given (see ``groups_``)."""
    lay = penalty.layout(n_features)
    return [lay.gidx[lay.gptr[b]:lay.gptr[b + 1]].copy() for b in range(lay.n_groups)]


_GROUPS_DOC = """\
    groups : None, list of lists of int, or array-like of shape (n_features,), default=None
        Disjoint groups of features: a list of feature-index lists (groups
        of any sizes), or one label per feature (numbers or strings; groups
        in the order their labels first appear). Features in no index list
        are left out of the group term (only the L1 term, if any, penalizes
        them). None: every feature its own group (the lasso for a 1-D
        ``y``, the multi-task lasso for a 2-D one).
    weights : array-like of shape (n_groups,), default=None
        Non-negative weight ``w_g`` of each group (0 leaves a group out of
        the group term); None: ``sqrt(|g|)``, the square root of the
        group's size, so that groups of different sizes enter at comparable
        strengths."""

_GROUPS_ATTR_DOC = """\
    groups_ : list of ndarray of int
        The groups as resolved: the feature indices of each group, in the
        order given (labels: in order of first appearance)."""


class GroupLasso(MatrixRegressorBase):
    __doc__ = f"""Linear regression with a (sparse) group lasso penalty.

    Minimizes, over coefficients ``W`` (n_features,) or (n_features,
    n_targets) and intercepts ``b``::

        1/(2n) sum_i s_i ||y_i - W^T x_i - b||^2
            + alpha * (1 - l1_ratio) * sum_g w_g ||W_g||_2 + alpha * l1_ratio * ||W||_1

    with sample weights ``s`` rescaled to sum to ``n`` (none: all ones),
    ``W_g`` the rows of the features of group ``g`` and ``||.||_2`` their
    Euclidean (Frobenius) norm: the problem ``lk.Problem(X, y,
    lk.GroupL2(alpha * (1 - l1_ratio), groups, weights) + lk.L1(alpha *
    l1_ratio))``, solved by block coordinate descent and certified by
    lassokit's duality gap. A group's coefficients are all zero or (with
    ``l1_ratio < 1``) selected together.

    Parameters
    ----------
{_GROUPS_DOC}
    alpha : float, default=1.0
        Overall penalty strength (``alpha=0``: least squares).
    l1_ratio : float in [0, 1], default=0.0
        The share of the entry-wise L1 term: 0 the group lasso, in (0, 1)
        the sparse group lasso, 1 the lasso.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept (per target) by implicit centring.
{SOLVE_DOC}
    warm_start : bool, default=False
        Start from the previous ``coef_`` when refitting (same shapes).
    backend : str or Backend, default="auto"
        The lassokit backend that solves the problem: a name from
        :func:`lassokit.available_backends` or a :class:`~lassokit.Backend`
        instance that takes a group penalty (``"cd"``, ``"cvxpy"``).
        ``"auto"`` picks ``"cd"``; ``backend_`` names the one used.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        ``W`` (its transpose ``W.T`` for a 2-D ``y``, as scikit-learn's
        multi-output models), in the dtype of the training X.
    sparse_coef_ : scipy.sparse.csr_matrix of shape (1, n_features) or \
(n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
        ``0.0`` when ``fit_intercept=False``.
{_GROUPS_ATTR_DOC}
    n_iter_ : int
        Backend iterations.
    dual_gap_ : float
        Certified duality gap in the scale of the objective.
    backend_ : str
    solution_ : Solution
        The full certified solution.
{FEATURES_IN_DOC}

    Examples
    --------
    >>> import numpy as np, lassokit as lk
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 6)); y = X[:, :3].sum(axis=1)
    >>> est = lk.GroupLasso(groups=[[0, 1, 2], [3, 4, 5]], alpha=0.1).fit(X, y)
    >>> bool(np.all(est.coef_[3:] == 0)), bool(np.all(est.coef_[:3] != 0))
    (True, True)
    """

    _single_output = True
    _constraints: ClassVar[dict] = {
        **_GROUP_CONSTRAINTS,
        "alpha": [NONNEG_REAL],
        "l1_ratio": [UNIT_REAL],
        "fit_intercept": [BOOL],
        "max_iter": [POS_INT],
        "tol": [NONNEG_REAL],
        "warm_start": [BOOL],
        "backend": [BACKEND],
    }

    def __init__(self, groups=None, alpha=1.0, l1_ratio=0.0, *, weights=None,
                 fit_intercept=True, max_iter=1000, tol=1e-4, warm_start=False,
                 backend="auto"):
        keep_params(self, locals())

    def fit(self, X, y, sample_weight=None):
        """Fit the model by solving the problem to relative duality gap ``tol``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 stays float32, never modified.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target(s).
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weights, rescaled to sum to n_samples (a scalar is
            ignored).

        Returns
        -------
        self

        Raises
        ------
        ValueError
            For groups that overlap, repeat a feature or index outside
            ``[0, n_features)``, labels or weights of the wrong length.
        """
        X, Y, sw = self._validate_train(X, y, sample_weight)
        penalty = group_penalty(self.alpha, self.l1_ratio, self.groups, self.weights)
        problem = Problem(X, Y, penalty, fit_intercept=self.fit_intercept, sample_weight=sw)
        solve_and_store(self, problem, X, Y, self.backend)
        self.groups_ = resolved_groups(penalty, X.shape[1])
        return self


class GroupLassoCV(MatrixCVBase):
    __doc__ = f"""Group lasso with ``alpha`` (and ``l1_ratio``) chosen by cross-validation.

    Same objective as :class:`GroupLasso`. For each candidate ``l1_ratio``
    the grid runs geometrically from ``alpha_max`` (the strength at which
    ``W = 0`` becomes optimal on all data, both terms scaled together) down
    to ``eps * alpha_max``; every fold solves :func:`lassokit.path` on its
    training rows over it, warm-started, and is scored by its test mean
    squared error (weighted by the test rows' sample weights, averaged
    over targets); ``alpha_`` and ``l1_ratio_`` minimize the unweighted mean
    over folds, and the final model is refitted on all data at them. This
    is how scikit-learn's ``ElasticNetCV`` chooses.

    Parameters
    ----------
{_GROUPS_DOC}
    l1_ratio : float or array-like of floats in [0, 1], default=0.0
        Candidate shares of the L1 term (every value, 0 included, has a
        default grid).
    eps : float in (0, 1], default=1e-3
        ``alpha_min / alpha_max`` of the default grid.
    alphas : int or array-like, default=100
        Number of grid points, or the grid itself (sorted decreasing,
        shared by every ``l1_ratio``).
    fit_intercept : bool, default=True
    max_iter : int, default=1000
        Iteration budget of each solve. At this default, an unconverged
        refit resumes with 10x and then 100x the budget.
    tol : float, default=1e-4
        Target relative duality gap of every solve (see :class:`GroupLasso`).
        The final model is finished on its support as the single
        estimator's fit is (if its support is not identified at ``tol``,
        after one more solve towards ``max(tol * 1e-5, 1e-13)``).
{FOLDS_DOC}
    backend : str or Backend, default="auto"
        The lassokit backend of every fold's path and of the refit: a name
        from :func:`lassokit.available_backends` or a
        :class:`~lassokit.Backend` instance that takes a group penalty;
        ``"auto"`` picks ``"cd"``. ``backend_`` names the one used.

    Attributes
    ----------
    alpha_ : float
        The chosen strength (errors within a relative 1e-9 of the minimum
        tie and go to the largest alpha).
    l1_ratio_ : float
        The chosen ``l1_ratio``.
    alphas_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
    mse_path_ : ndarray of shape (n_alphas, n_folds) or (n_l1_ratio, n_alphas, n_folds)
        Test MSE per strength and fold.
{_GROUPS_ATTR_DOC}
    coef_, sparse_coef_, intercept_, n_iter_, dual_gap_, backend_, solution_
        Of the final model, as for :class:`GroupLasso`.
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np, lassokit as lk
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 6)); y = X[:, :3].sum(axis=1) + 0.1 * rng.standard_normal(60)
    >>> est = lk.GroupLassoCV(groups=[0, 0, 0, 1, 1, 1], alphas=10).fit(X, y)
    >>> est.mse_path_.shape, [g.tolist() for g in est.groups_]
    ((10, 5), [[0, 1, 2], [3, 4, 5]])
    """

    _single_output = True
    _constraints: ClassVar[dict] = {**MATRIX_CV_CONSTRAINTS, **_GROUP_CONSTRAINTS,
                                    "l1_ratio": [UNIT_REAL, ARRAY]}

    def __init__(self, groups=None, l1_ratio=0.0, *, weights=None, eps=1e-3, alphas=100,
                 fit_intercept=True, max_iter=1000, tol=1e-4, cv=None, verbose=False,
                 n_jobs=None, backend="auto"):
        keep_params(self, locals())

    def _l1_ratios(self):
        return check_l1_ratios(self.l1_ratio)

    def _unit_penalty(self, ratio):
        return group_penalty(1.0, ratio, self.groups, self.weights)

    def fit(self, X, y, sample_weight=None, **params):
        super().fit(X, y, sample_weight=sample_weight, **params)
        self.groups_ = resolved_groups(self._unit_penalty(self.l1_ratio_), self.n_features_in_)
        return self

    fit.__doc__ = MatrixCVBase.fit.__doc__.replace(
        "of shape (n_samples, n_targets)", "of shape (n_samples,) or (n_samples, n_targets)")
