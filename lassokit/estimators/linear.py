"""``Lasso``, ``ElasticNet`` and ``Ridge`` with scikit-learn 1.9's parameters.

Each is a drop-in replacement for its scikit-learn namesake: same
constructor parameters, names and defaults, plus ``backend=``. ``fit``
states the problem in lassokit's terms and delegates to
:meth:`lassokit.Problem.solve`; ``tol`` is lassokit's relative duality gap.
The parameter mapping and which scikit-learn parameters are only hints are
tabulated in the documentation's "Estimators" page. A 2-D ``y`` of several
targets fits one independent model per column, as scikit-learn does (see
:mod:`lassokit.estimators._multi_target`).
"""

from __future__ import annotations

import numbers
from typing import ClassVar

import numpy as np

from .._box import check_limits
from .._polish import polish
from .._standardize import feature_weights
from ..penalty import Penalty
from ..problem import Problem
from ._base import (
    LinearRegressorBase,
    SparseCoefMixin,
    backend_hints,
    is_column,
    keep_params,
    raw_offset,
    raw_sample_weight,
    solver_tol,
)
from ._bounds import BOUNDS_CONSTRAINTS
from ._matrix_base import n_targets_of
from ._multi_target import (
    TargetsOffsetPredictMixin,
    TargetsPredictMixin,
    fit_enet_targets,
    fit_ridge_targets,
)
from ._params import (
    ARRAY,
    BACKEND,
    BOOL,
    NONE,
    NONNEG_REAL,
    POS_INT,
    RANDOM_STATE,
    UNIT_REAL,
    Options,
)

__all__ = ["ElasticNet", "Lasso", "Ridge"]

#: The keywords the coordinate-descent estimators share, single and CV alike:
#: scikit-learn's last ones and lassokit's own (backend, glmnet's limits and
#: weights).
GLMNET_CONSTRAINTS = {
    "random_state": [RANDOM_STATE],
    "selection": [Options("cyclic", "random")],
    "backend": [BACKEND],
    **BOUNDS_CONSTRAINTS,
    "penalty_weights": [NONE, ARRAY],
    "standardize": [BOOL],
}

_ENET_CONSTRAINTS = {
    "alpha": [NONNEG_REAL],
    "fit_intercept": [BOOL],
    "precompute": [BOOL, ARRAY],
    "max_iter": [POS_INT, NONE],
    "copy_X": [BOOL],
    "tol": [NONNEG_REAL],
    "warm_start": [BOOL],
    "positive": [BOOL],
    **GLMNET_CONSTRAINTS,
}


def _check_gram(precompute, n_features):
    """A user Gram matrix must at least have the right shape and be finite."""
    if isinstance(precompute, (bool, np.bool_)):
        return
    gram = np.asarray(precompute)
    if gram.shape != (n_features, n_features) or not np.all(np.isfinite(gram)):
        raise ValueError(
            f"precompute must be a bool or a finite Gram matrix of shape "
            f"({n_features}, {n_features}), got shape {gram.shape}."
        )


class _ElasticNetBase(TargetsOffsetPredictMixin, SparseCoefMixin, LinearRegressorBase):
    _constraints: ClassVar[dict] = _ENET_CONSTRAINTS

    def _l1_ratio(self):
        raise NotImplementedError

    def fit(self, X, y, sample_weight=None, check_input=True, offset=None):
        """Fit the model by solving the problem to relative duality gap ``tol``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 stays float32, never copied or modified.
        y : array-like of shape (n_samples,), (n_samples, 1) or (n_samples, K)
            Target(s), K = n_targets. Several targets fit one independent
            model per column, solved together as one coefficient-matrix
            problem (``lk.Problem(X, Y, penalty)``); ``positive`` and the
            bounds are refused then (ValueError), and ``tol`` is the
            relative gap of the sum of the K objectives.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weights, rescaled to sum to n_samples (a scalar is
            ignored, as in scikit-learn).
        check_input : bool, default=True
            Accepted for compatibility; lassokit always validates its input.
        offset : array-like of shape (n_samples,) or (n_samples, K), default=None
            A fixed part of the linear predictor, not fitted (glmnet's
            ``offset``; of shape (n_samples,) it applies to every target):
            the model is ``y ~ X @ coef_ + intercept_ + offset``, so the fit
            is exactly that of ``y - offset`` (same ``coef_``,
            ``intercept_`` and ``dual_gap_``). Finite; never modified.
            :meth:`predict` adds an offset only when given one. Not in
            scikit-learn.

        Returns
        -------
        self
        """
        if (n_targets_of(y) or 1) > 1:
            return fit_enet_targets(self, X, y, sample_weight, offset, self._l1_ratio(),
                                    _check_gram)
        column = is_column(y)  # before validation ravels y
        X, y = self._validate_train(X, y)
        n, p = X.shape
        if isinstance(sample_weight, numbers.Number) and not isinstance(sample_weight, bool):
            sample_weight = None  # a constant weight does not change this objective
        sw = raw_sample_weight(sample_weight, n)
        offset = raw_offset(offset, n)
        _check_gram(self.precompute, p)
        r = self._l1_ratio()
        bounds = check_limits(self.lower_bounds, self.upper_bounds, p)
        v1, v2 = feature_weights(X, sw, self.fit_intercept, self.penalty_weights,
                                 self.standardize)
        problem = Problem._single_use(
            X, y, Penalty(self.alpha * r, self.alpha * (1.0 - r), v1, v2),
            fit_intercept=self.fit_intercept, sample_weight=sw, positive=self.positive,
            known_finite=True, offset=offset, bounds=bounds,
        )
        backend = self._resolve(problem)
        warm = None
        if self.warm_start and np.shape(getattr(self, "coef_", None)) == (p,):
            warm = np.asarray(self.coef_, dtype=np.float64)
            if problem.bounds is not None:
                # The previous fit may have had other bounds: start inside these.
                warm = np.clip(warm, *problem.bounds)
        hints = backend_hints(
            backend,
            selection=self.selection,
            random_state=self._random_seed() if self.selection == "random" else None,
            gram=True if self.precompute is True else None,
        )
        sol = problem.solve(backend, tol=solver_tol(self.tol), max_iter=self.max_iter,
                            warm_start=warm, **hints)
        # Exact on the support found: the same model whatever the storage,
        # weighting or backend (see lassokit._polish), inside the bounds.
        self._store(polish(problem, sol), X.dtype, column)
        return self


class ElasticNet(_ElasticNetBase):
    """Linear regression with combined L1 and L2 priors (scikit-learn compatible).

    Minimizes lassokit's objective with ``a1 = alpha * l1_ratio`` and
    ``a2 = alpha * (1 - l1_ratio)``::

        1/(2n) * sum_i s_i (y_i - x_i @ w - b)^2
            + alpha * l1_ratio * ||w||_1 + 0.5 * alpha * (1 - l1_ratio) * ||w||^2

    with sample weights ``s`` rescaled to sum to ``n`` -- exactly
    scikit-learn's ``ElasticNet`` objective, so the same parameters give the
    same coefficients.

    Parameters
    ----------
    alpha : float, default=1.0
        Overall penalty strength (``alpha=0`` is ordinary least squares).
    l1_ratio : float in [0, 1], default=0.5
        The L1 share of the penalty.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept (by implicit centring; X is not copied).
    precompute : bool or array-like of shape (n_features, n_features), default=False
        Hint: ``True`` asks a backend with a Gram option for it (``"cd"``:
        ``gram=True``); a Gram array is checked for shape only, the backend
        computes the centred, weighted Gram it needs.
    max_iter : int, default=1000
        Iteration budget of the backend (epochs for ``"cd"``).
    copy_X : bool, default=True
        Honoured trivially: X is never modified, so it is never copied.
    tol : float, default=1e-4
        Target **relative duality gap**:
        ``dual_gap_ <= tol * P(0, b0)``. scikit-learn's ``tol`` bounds the
        gap by ``tol * ||y||^2 / n`` instead, i.e. twice as loose.
    warm_start : bool, default=False
        Start from the previous ``coef_`` when refitting.
    positive : bool, default=False
        Constrain the coefficients to be non-negative (one target only).
    random_state : int, RandomState or None, default=None
        Seed for ``selection="random"`` on backends that take it (hint).
    selection : {"cyclic", "random"}, default="cyclic"
        Coordinate order, forwarded to backends that take it (hint).
    backend : str or Backend, default="auto"
        The lassokit backend that solves the problem: a name from
        :func:`lassokit.available_backends` (``"cd"``, ``"admm"``,
        ``"osqp"``, ``"cvxpy"``, ...) or a :class:`~lassokit.Backend`
        instance. ``"auto"`` picks the first capable one in preference order:
        ``"direct"`` (closed form) for ``alpha=0`` or ``l1_ratio=0`` without
        ``positive`` or bounds, else ``"cd"``. Every backend is certified the
        same way; ``backend_`` names the one used.
    lower_bounds : float or array-like of shape (n_features,), default=None
        Lower bounds of the coefficients (glmnet's ``lower.limits``), held
        exactly: ``coef_ >= lower_bounds`` feature by feature. A number
        applies to every feature; each bound must be ``<= 0`` (so that
        ``coef = 0`` is feasible), ``-inf`` allowed; None: no lower bound.
        With ``positive=True`` the bound is ``max(lower_bounds, 0)``
        (``positive=True`` is ``lower_bounds=0``). The fit solves
        ``lk.Problem(..., bounds=(lower_bounds, upper_bounds))``, a None
        side read as ``-inf``/``inf``; the duality gap certifies the
        bounded problem. One target only. Not in scikit-learn.
    upper_bounds : float or array-like of shape (n_features,), default=None
        Upper bounds (glmnet's ``upper.limits``): ``coef_ <= upper_bounds``,
        each ``>= 0``, ``inf`` allowed; None: no upper bound. As
        ``lower_bounds`` otherwise.
    penalty_weights : array-like of shape (n_features,), default=None
        Per-feature factors ``v_j >= 0`` of both terms (glmnet's
        ``penalty.factor``): the penalty is ``alpha * sum_j v_j (l1_ratio
        |w_j| + (1 - l1_ratio) w_j**2 / 2)``; 0 leaves a feature unpenalized,
        ``inf`` excludes it (coefficient exactly 0). Used as given: glmnet
        rescales its ``penalty.factor`` ``f`` to sum to ``n_features``, so
        its fit is ``penalty_weights=f * p / f.sum()``.
    standardize : bool, default=False
        glmnet's ``standardize``: penalize each column as if scaled to unit
        weighted standard deviation, coefficients on the original scale
        (L1 factors ``v_j sd_j``, L2 factors ``v_j sd_j**2``; X is not
        copied). scikit-learn has no such option (its default is False).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        In the dtype of the training X; one row per target for a 2-D ``y``.
    sparse_coef_ : scipy.sparse.csr_matrix of shape (1, n_features) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (1,) or (n_targets,)
        Of shape (1,) when ``y`` was a column (n_samples, 1), (n_targets,)
        for several targets (``0.0`` without intercept), as in scikit-learn.
    n_iter_ : int or list of int
        Backend iterations; for several targets a list with one entry per
        target, each the iterations of the one sweep that fitted them all.
    dual_gap_ : float or ndarray of shape (n_targets,)
        Certified duality gap in the scale of lassokit's objective; for
        several targets, each target's model certified on its own.
    backend_ : str
        The backend that solved the problem.
    solution_ : Solution
        The full certified :class:`~lassokit.Solution` (for several targets,
        of the coefficient-matrix problem: ``coef`` of shape (n_features,
        n_targets)).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X has string feature names (pandas).

    Examples
    --------
    >>> import numpy as np, lassokit as lk
    >>> X = np.array([[0., 1.], [1., 0.], [2., 2.], [3., 1.]]); y = X @ [1., 2.]
    >>> lk.ElasticNet(alpha=0.01).fit(X, y).coef_.round(2)
    array([1.  , 1.97])
    """

    def __init__(self, alpha=1.0, *, l1_ratio=0.5, fit_intercept=True, precompute=False,
                 max_iter=1000, copy_X=True, tol=1e-4, warm_start=False, positive=False,
                 random_state=None, selection="cyclic", backend="auto", lower_bounds=None,
                 upper_bounds=None, penalty_weights=None, standardize=False):
        keep_params(self, locals())

    _constraints: ClassVar[dict] = {**_ENET_CONSTRAINTS, "l1_ratio": [UNIT_REAL]}

    def _l1_ratio(self):
        return float(self.l1_ratio)


class Lasso(_ElasticNetBase):
    """Linear regression with an L1 prior (scikit-learn compatible).

    Minimizes ``1/(2n) * sum_i s_i (y_i - x_i @ w - b)^2 + alpha * ||w||_1``
    (lassokit's objective with ``a1 = alpha``, ``a2 = 0``; sample weights
    rescaled to sum to ``n``), the objective of scikit-learn's ``Lasso``.

    Parameters
    ----------
    alpha : float, default=1.0
        L1 strength (``alpha=0`` is ordinary least squares).
    fit_intercept : bool, default=True
    precompute : bool or array-like, default=False
        Hint, as in :class:`ElasticNet`.
    copy_X : bool, default=True
        Honoured trivially (X is never modified).
    max_iter : int, default=1000
    tol : float, default=1e-4
        Target relative duality gap (see :class:`ElasticNet`).
    warm_start : bool, default=False
    positive : bool, default=False
    random_state : int, RandomState or None, default=None
        Hint, as in :class:`ElasticNet`.
    selection : {"cyclic", "random"}, default="cyclic"
        Hint, as in :class:`ElasticNet`.
    backend : str or Backend, default="auto"
        The lassokit backend that solves the problem, a name from
        :func:`lassokit.available_backends` or a :class:`~lassokit.Backend`
        instance; ``"auto"``: ``"cd"`` (``"direct"`` for ``alpha=0``), as in
        :class:`ElasticNet`. ``backend_`` names the one used.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Bounds of the coefficients held exactly, ``lower_bounds <= coef_ <=
        upper_bounds`` with ``lower_bounds <= 0 <= upper_bounds`` (glmnet's
        ``lower.limits``/``upper.limits``; None: unbounded on that side;
        intersected with ``positive``), as in :class:`ElasticNet`.
    penalty_weights : array-like of shape (n_features,), default=None
        Per-feature L1 factors (glmnet's ``penalty.factor``), as in
        :class:`ElasticNet`.
    standardize : bool, default=False
        glmnet's ``standardize``, as in :class:`ElasticNet`.

    Attributes
    ----------
    coef_, sparse_coef_, intercept_, n_iter_, dual_gap_, backend_, solution_, \
n_features_in_, feature_names_in_
        As for :class:`ElasticNet`.

    Examples
    --------
    >>> import numpy as np, lassokit as lk
    >>> X = np.array([[0., 0.], [1., 1.], [2., 2.]]); y = np.array([0., 1., 2.])
    >>> lk.Lasso(alpha=0.1, backend="cvxpy").fit(X, y).predict([[1., 1.]]).round(3)
    array([1.])
    """

    def __init__(self, alpha=1.0, *, fit_intercept=True, precompute=False, copy_X=True,
                 max_iter=1000, tol=1e-4, warm_start=False, positive=False,
                 random_state=None, selection="cyclic", backend="auto", lower_bounds=None,
                 upper_bounds=None, penalty_weights=None, standardize=False):
        keep_params(self, locals())

    def _l1_ratio(self):
        return 1.0


class Ridge(TargetsPredictMixin, LinearRegressorBase):
    """Linear least squares with an L2 prior (scikit-learn compatible).

    Minimizes scikit-learn's Ridge objective
    ``sum_i sw_i (y_i - x_i @ w - b)^2 + alpha * ||w||^2`` with the sample
    weights ``sw`` **as given** (not rescaled). Divided by ``2 S``,
    ``S = sum_i sw_i`` (``S = n`` without weights), this is lassokit's
    objective with ``a2 = alpha / S``: ``lk.Ridge(alpha)`` solves
    ``lk.ridge(X, y, alpha / n_samples)`` (with weights,
    ``lk.ridge(X, y, alpha / sw.sum(), sample_weight=sw)``), and
    ``lk.ridge(X, y, a2)`` is ``lk.Ridge(alpha=a2 * n_samples)``. The command
    line's ``lassokit fit --model ridge --alpha A`` means this estimator's
    ``alpha``.

    Parameters
    ----------
    alpha : float or array-like of shape (n_targets,), default=1.0
        L2 strength in scikit-learn's scale; an array gives one per target.
    fit_intercept : bool, default=True
    copy_X : bool, default=True
        Honoured trivially (X is never modified).
    max_iter : int, default=None
        Iteration budget of iterative backends (None: the backend's default).
    tol : float, default=1e-4
        Target relative duality gap.
    solver : {"auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga", "lbfgs"}, \
default="auto"
        Hint only: the solve is done by ``backend`` (the closed-form
        ``"direct"`` backend under ``"auto"``, or an iterative one for
        ``positive=True``); every choice reaches the same optimum.
    positive : bool, default=False
        Constrain the coefficients to be non-negative (one target only: a
        ValueError for a 2-D ``y``).
    random_state : int, RandomState or None, default=None
        Unused (scikit-learn uses it for "sag"/"saga" only).
    backend : str or Backend, default="auto"
        The lassokit backend that solves the problem, a name from
        :func:`lassokit.available_backends` or a :class:`~lassokit.Backend`
        instance. ``"auto"`` picks ``"direct"`` (closed form), or ``"cd"``
        with ``positive=True``; ``solver_`` names the one used.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (1,) or (n_targets,)
        Of shape (1,) when ``y`` was a column (n_samples, 1), (n_targets,)
        for several targets (``0.0`` without intercept), as in scikit-learn.
    n_iter_ : int or ndarray of shape (n_targets,)
    dual_gap_ : float or ndarray of shape (n_targets,)
        Certified gap of the section-1 problem (``a2 = alpha / S``), per target.
    solver_ : str
        The lassokit backend used (also ``backend_``). For several targets
        with ``backend="auto"`` or ``"direct"``, one factorization of the
        centred design serves every target (``"direct"``); a target it does
        not certify to ``tol`` is solved by the backend.
    solution_ : Solution or list of Solution
        One per target for a 2-D ``y``.
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np, lassokit as lk
    >>> X = np.array([[0.], [1.], [2.]]); y = np.array([0., 1., 2.])
    >>> float(lk.Ridge(alpha=2.0).fit(X, y).coef_[0])
    0.5
    """

    _constraints: ClassVar[dict] = {
        "alpha": [NONNEG_REAL, ARRAY],
        "fit_intercept": [BOOL],
        "copy_X": [BOOL],
        "max_iter": [POS_INT, NONE],
        "tol": [NONNEG_REAL],
        "solver": [Options("auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga",
                           "lbfgs")],
        "positive": [BOOL],
        "random_state": [RANDOM_STATE],
        "backend": [BACKEND],
    }

    def __init__(self, alpha=1.0, *, fit_intercept=True, copy_X=True, max_iter=None, tol=1e-4,
                 solver="auto", positive=False, random_state=None, backend="auto"):
        keep_params(self, locals())

    def _alpha(self):
        alpha = np.asarray(self.alpha, dtype=np.float64).ravel()
        if alpha.size != 1:
            raise ValueError(
                f"alpha must be a scalar or hold one value per target (1 target here), "
                f"got {alpha.size} values."
            )
        if not np.isfinite(alpha[0]) or alpha[0] < 0:
            raise ValueError(f"alpha must be a finite number >= 0, got {alpha[0]!r}.")
        return float(alpha[0])

    def fit(self, X, y, sample_weight=None):
        """Fit Ridge regression.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,), (n_samples, 1) or (n_samples, n_targets)
            Target(s): one independent model per column.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weights, used as given (a scalar ``c`` acts like
            dividing ``alpha`` by ``c``, as in scikit-learn).

        Returns
        -------
        self
        """
        # Checked before the solver/positive pair, as scikit-learn does (and
        # again, cheaply, with the data).
        self._check_params()
        if self.positive and self.solver not in ("auto", "lbfgs"):
            # Any backend here could honour positive=True, but scikit-learn
            # refuses the pair, and code tuned on lassokit must run there too.
            raise ValueError(
                f"solver={self.solver!r} does not support positive fitting. Set the solver "
                "to 'auto' or 'lbfgs', or set positive=False."
            )
        if (n_targets_of(y) or 1) > 1:
            return fit_ridge_targets(self, X, y, sample_weight)
        alpha = self._alpha()
        column = is_column(y)
        X, y = self._validate_train(X, y)
        n = X.shape[0]
        sw = raw_sample_weight(sample_weight, n)
        total = float(n) if sw is None else float(sw.sum())
        problem = Problem._single_use(X, y, Penalty(0.0, alpha / total),
                                      fit_intercept=self.fit_intercept, sample_weight=sw,
                                      positive=self.positive, known_finite=True)
        sol = problem.solve(self._resolve(problem), tol=solver_tol(self.tol),
                            max_iter=self.max_iter)
        self._store(sol, X.dtype, column)
        self.solver_ = sol.backend
        return self
