"""``PoissonRegressor`` with scikit-learn 1.9's parameters plus ``l1_ratio``.

scikit-learn minimizes ``1/(2 S) sum_i s_i dev(y_i, exp(z_i)) + alpha/2
||w||^2`` (``S = sum_i s_i``; ``dev`` the Poisson unit deviance). Half the
unit deviance is exactly lassokit's Poisson loss ``exp(z) - y z - (y - y
log y)``, and lassokit normalizes the weights to sum to ``n``, so this is
lassokit's objective with penalty ``L2(alpha)``: no rescaling at all.
``l1_ratio = r`` turns it into ``L1(alpha r) + L2(alpha (1 - r))``, the
elastic net of glmnet's Poisson family.
"""

from __future__ import annotations

import numbers
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import validate_data

from .._box import check_limits
from .._standardize import check_penalty_weights
from ..backends.registry import resolve_backend
from ..penalty import Penalty
from ..problem import Problem
from ._base import (
    _FLOAT_DTYPES,
    _SPARSE_FORMATS,
    keep_params,
    linear_predictor,
    raw_offset,
    raw_sample_weight,
)
from ._bounds import BOUNDS_CONSTRAINTS
from ._fit_exists import weighted_fit_exists
from ._glm_weights import WEIGHT_CONSTRAINTS, check_bounds, glm_weights
from ._params import (
    BACKEND,
    BOOL,
    NONNEG_REAL,
    POS_INT,
    UNIT_REAL,
    VERBOSE,
    Interval,
    Options,
    validate_params,
)
from ._rounds import solve_in_rounds

__all__ = ["PoissonRegressor"]


def _half_deviance(y, mu):
    """Per-sample ``mu - y log mu - y + y log y`` (0 log 0 = 0), half the unit deviance."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ylogy = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0)), 0.0)
        ylogmu = np.where(y > 0, y * np.log(mu), 0.0)
    return mu - ylogmu - y + ylogy


class PoissonRegressor(RegressorMixin, BaseEstimator):
    """Poisson regression (log link) with an elastic-net penalty (scikit-learn compatible).

    Minimizes, with sample weights ``s`` normalized to sum to ``n``, ::

        1/n sum_i s_i (exp(z_i) - y_i z_i - (y_i - y_i log y_i))
            + alpha * l1_ratio * ||w||_1 + alpha * (1 - l1_ratio)/2 * ||w||^2

    with ``z_i = x_i @ w + b``. The loss is half the Poisson unit deviance,
    so with ``l1_ratio=0`` this *is* scikit-learn's ``PoissonRegressor``
    objective ``1/(2 sum s) sum_i s_i dev_i + alpha/2 ||w||^2`` -- the same
    ``alpha`` gives the same coefficients -- and ``l1_ratio > 0`` adds the
    L1 term scikit-learn does not have (glmnet's Poisson family). The
    intercept is never penalized.

    Parameters
    ----------
    alpha : float, default=1.0
        Overall penalty strength (``alpha=0`` is the unpenalized fit,
        refused with a ``ValueError`` when it does not exist).
    l1_ratio : float in [0, 1], default=0.0
        The L1 share (not a scikit-learn parameter; 0 is scikit-learn's model).
    fit_intercept : bool, default=True
        Fit an unpenalized intercept.
    solver : {"lbfgs", "newton-cholesky"}, default="lbfgs"
        Accepted (validated as a name) and ignored: ``backend`` solves it.
    max_iter : int, default=100
        Iteration budget of the backend (for ``"cd"``: coordinate-descent
        epochs over all proximal-Newton steps). At the default, an
        unconverged solve resumes with 10x and then 100x the budget, as
        for :class:`~lassokit.LogisticRegression`; any other value is a
        hard limit.
    tol : float, default=1e-4
        Target **relative duality gap** (``dual_gap_ <= tol * P(0, b0)``),
        not scikit-learn's gradient-norm rule.
    warm_start : bool, default=False
        Start from the previous ``coef_`` when refitting.
    verbose : int, default=0
        Accepted and ignored.
    backend : str or Backend, default="auto"
        The lassokit backend: a name from :func:`lassokit.available_backends`
        that takes the Poisson loss (``"cd"``, ``"cvxpy"``) or a
        :class:`~lassokit.Backend` instance; ``"auto"`` picks the first
        capable one. ``backend_`` names the one used.
    lower_bounds : float or array-like of shape (n_features,), default=None
        Lower bounds of the coefficients (glmnet's ``lower.limits``), held
        exactly: ``coef_ >= lower_bounds`` feature by feature (never the
        intercept). A number applies to every feature; each bound must be
        ``<= 0`` (so that ``coef = 0`` is feasible), ``-inf`` allowed; None:
        no lower bound. The fit solves ``lk.Problem(..., loss="poisson",
        bounds=(lower_bounds, upper_bounds))``, a None side read as
        ``-inf``/``inf``, certified with the bounds; with ``alpha=0`` the
        fit is refused only when a direction the bounds allow makes the
        loss decrease without end. Not in scikit-learn.
    upper_bounds : float or array-like of shape (n_features,), default=None
        glmnet's ``upper.limits``: ``coef_ <= upper_bounds`` per feature (a
        number for all), each ``>= 0``, ``inf`` allowed; None: none.
    penalty_weights : array-like of shape (n_features,), default=None
        Per-feature factors ``v_j >= 0`` of both terms (glmnet's
        ``penalty.factor``): the penalty is ``alpha * sum_j v_j (l1_ratio
        |w_j| + (1 - l1_ratio) w_j**2 / 2)``; 0 leaves a feature
        unpenalized, ``inf`` excludes it (its coefficient is exactly 0, as
        if its column were dropped). Used as given: glmnet rescales its
        ``penalty.factor`` ``f`` to sum to ``n_features``, so its fit is
        ``penalty_weights=f * p / f.sum()``. A fit without minimizer along
        the unpenalized features is refused with a ``ValueError``, as for
        ``alpha=0``. Not in scikit-learn.
    standardize : bool, default=False
        glmnet's ``standardize``: penalize each column as if scaled to unit
        weighted standard deviation (``sample_weight``; about the weighted
        mean with ``fit_intercept``, about 0 without), coefficients on the
        original scale (L1 factors ``v_j sd_j``, L2 factors ``v_j
        sd_j**2``; X is not copied). scikit-learn has no such option (its
        behaviour is False).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        In the dtype of the training X.
    intercept_ : float
        0.0 when ``fit_intercept=False``.
    n_iter_ : int
        Backend iterations.
    dual_gap_ : float
        Certified duality gap in lassokit's scale (that of scikit-learn's
        objective: they coincide).
    backend_ : str
    solution_ : Solution
        The full certified :class:`~lassokit.Solution`.
    n_features_in_, feature_names_in_
        As in scikit-learn (``feature_names_in_`` only when X has string
        feature names, as a pandas DataFrame has).

    Examples
    --------
    >>> import numpy as np, lassokit as lk
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 4))
    >>> y = rng.poisson(np.exp(0.5 + 0.8 * X[:, 0]))
    >>> reg = lk.PoissonRegressor(alpha=0.1, l1_ratio=1.0).fit(X, y)
    >>> np.flatnonzero(reg.coef_).tolist()
    [0]
    >>> bool(reg.score(X, y) > 0.3)
    True
    """

    _constraints: ClassVar[dict] = {
        "alpha": [NONNEG_REAL],
        "l1_ratio": [UNIT_REAL],
        "fit_intercept": [BOOL],
        "solver": [Options("lbfgs", "newton-cholesky")],
        "max_iter": [POS_INT],
        "tol": [Interval(numbers.Real, 0, None, "neither")],
        "warm_start": [BOOL],
        "verbose": [VERBOSE],
        "backend": [BACKEND],
        **BOUNDS_CONSTRAINTS,
        **WEIGHT_CONSTRAINTS,
    }

    def __init__(self, alpha=1.0, *, l1_ratio=0.0, fit_intercept=True, solver="lbfgs",
                 max_iter=100, tol=1e-4, warm_start=False, verbose=0, backend="auto",
                 lower_bounds=None, upper_bounds=None, penalty_weights=None, standardize=False):
        keep_params(self, locals())

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.positive_only = True
        return tags

    @staticmethod
    def _check_counts(y):
        if np.any(y < 0):
            raise ValueError(
                f"PoissonRegressor needs a non-negative target y (counts or rates); its "
                f"smallest value is {float(np.min(y))!r}.")

    def _check_exists(self, X, y, sw, penalty, bounds):
        """Refuse a fit without minimizer (``alpha=0``, or free features that allow one).

        Only the features the penalty leaves free can move for ever (every
        one at ``alpha=0``, else those of penalty weight 0); the margins are
        ``-z_i`` on the samples with ``y_i = 0``, ``z_i = 0`` held on the others.
        """
        n = X.shape[0]
        free = check_bounds(penalty, X.shape[1], bounds)
        if free is None or weighted_fit_exists(X, -np.ones(n), sw, y > 0,
                                               fit_intercept=self.fit_intercept, bounds=free):
            return
        which = ("the unpenalized fit (alpha=0) does not exist: some direction of the "
                 "coefficients" if self.alpha == 0 else
                 "the fit does not exist: some direction of the coefficients of the features "
                 "with penalty weight 0 (unpenalized)")
        advice = "Use alpha > 0." if self.alpha == 0 else "Give them positive penalty_weights."
        raise ValueError(
            f"PoissonRegressor: {which} sends the predictions of samples with y = 0 towards 0 "
            "while leaving the others unchanged (within the coefficients' bounds, if any), so "
            f"the loss decreases without end. {advice}")

    def fit(self, X, y, sample_weight=None, offset=None):
        """Fit the Poisson model: solve its problem to relative duality gap ``tol``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data, never copied or modified (float32 stays float32).
        y : array-like of shape (n_samples,)
            Non-negative targets, not all 0.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weights (normalized to sum to ``n_samples``).
        offset : array-like of shape (n_samples,), default=None
            A fixed part of the linear predictor, not fitted (glmnet's
            ``offset``): the log of each sample's exposure for a rate model,
            ``E[y] = exposure * exp(X @ coef_ + intercept_)``. Not in
            scikit-learn (which models rates as ``y / exposure`` with
            ``sample_weight=exposure``: the same coefficients).

        Returns
        -------
        self
        """
        validate_params(self, self._constraints)
        X, y = validate_data(self, X, y, accept_sparse=_SPARSE_FORMATS, dtype=_FLOAT_DTYPES,
                             y_numeric=True, multi_output=False)
        y = np.asarray(y, dtype=np.float64)
        self._check_counts(y)
        n = X.shape[0]
        if isinstance(sample_weight, numbers.Number) and not isinstance(sample_weight, bool):
            sample_weight = None  # a constant weight does not change this objective
        sw = raw_sample_weight(sample_weight, n)
        offset = raw_offset(offset, n)
        bounds = check_limits(self.lower_bounds, self.upper_bounds, X.shape[1])
        pf = check_penalty_weights(self.penalty_weights, X.shape[1])
        r = float(self.l1_ratio)
        penalty = Penalty(self.alpha * r, self.alpha * (1.0 - r),
                          *glm_weights(X, sw, self.fit_intercept, pf, self.standardize))
        self._check_exists(X, y, sw, penalty, bounds)
        problem = Problem._single_use(
            X, y, penalty, fit_intercept=self.fit_intercept, sample_weight=sw,
            known_finite=True, loss="poisson", offset=offset, bounds=bounds)
        warm = None
        if self.warm_start and np.shape(getattr(self, "coef_", None)) == (X.shape[1],):
            warm = np.asarray(self.coef_, dtype=np.float64)
            if problem.bounds is not None:
                warm = np.clip(warm, *problem.bounds)  # the previous fit's bounds may differ
        backend = resolve_backend(self.backend, problem)
        sol, n_iter = solve_in_rounds(problem, backend, float(self.tol), int(self.max_iter), warm)
        self.coef_ = np.asarray(sol.coef, dtype=X.dtype)
        self.intercept_ = float(sol.intercept) if self.fit_intercept else 0.0
        self.n_iter_ = max(n_iter, 1)  # a solve certified at once counts one
        self.dual_gap_ = float(sol.dual_gap)
        self.backend_ = sol.backend
        self.solution_ = sol
        return self

    def predict(self, X, offset=None):
        """Predicted mean ``exp(X @ coef_ + intercept_ + offset)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples (float32 stays float32).
        offset : array-like of shape (n_samples,), default=None
            These samples' offsets (log exposures), as at :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        z = linear_predictor(self, X, offset=offset)
        with np.errstate(over="ignore"):
            return np.exp(z)

    def score(self, X, y, sample_weight=None):
        """D^2, the fraction of Poisson deviance explained (scikit-learn's ``score``).

        ``D^2 = 1 - sum_i s_i dev(y_i, mu_i) / sum_i s_i dev(y_i, ybar)``
        with ``mu = predict(X)`` and ``ybar`` the weighted mean of ``y``;
        1 is a perfect fit, 0 the intercept-only model, and it can be
        negative.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Non-negative targets.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        float
        """
        mu = self.predict(X).astype(np.float64)
        y = np.asarray(y, dtype=np.float64).ravel()
        if y.shape != mu.shape:
            raise ValueError(f"y has {y.shape[0]} entries for {mu.shape[0]} samples.")
        self._check_counts(y)
        sw = raw_sample_weight(sample_weight, y.shape[0])
        s = np.ones_like(y) if sw is None else sw
        ybar = float(np.average(y, weights=s))
        dev = float(s @ _half_deviance(y, mu))
        dev0 = float(s @ _half_deviance(y, np.full_like(y, ybar)))
        return 1.0 - dev / dev0
