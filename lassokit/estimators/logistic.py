"""``LogisticRegression`` with scikit-learn 1.9's parameters, on lassokit's logistic loss.

``fit`` maps scikit-learn's parameters onto a :class:`~lassokit.Problem` with
``loss="logistic"`` and hands it to a backend; the solution is certified by
lassokit's duality gap like every other. The mapping, written once here:

* scikit-learn minimizes ``C * sum_i s_i log(1 + exp(-y_i z_i)) + r ||w||_1
  + (1 - r)/2 ||w||^2`` with ``s_i = sample_weight_i * class_weight[y_i]``
  (the effective weights, not normalized) and ``r`` the L1 share. Divided
  by ``C * S``, ``S = sum_i s_i``, it is lassokit's objective with the
  weights normalized to sum to ``n`` and the overall strength
  ``alpha = 1 / (C * S)``: penalty ``L1(alpha r) + L2(alpha (1 - r))``;
* ``C = inf`` (or the deprecated ``penalty=None``) is ``alpha = 0``, the
  unpenalized fit, which only exists when the classes overlap; a fit on
  (quasi-)separated classes is refused with a ``ValueError`` that says so
  (see :func:`unpenalized_fit_exists`);
* the intercept is never penalized (scikit-learn's ``liblinear`` penalizes
  it; every other scikit-learn solver does not).

With K >= 3 classes the model is the multinomial (softmax) one, as
scikit-learn's default: the same ``alpha`` on the coefficient matrix entry
by entry, solved with ``loss="multinomial"`` (see
:mod:`lassokit.estimators._multinomial`).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ._base import keep_params, raw_offset
from ._fit_exists import unpenalized_fit_exists
from ._logistic_base import BinaryLogisticBase
from ._logistic_params import (
    COMMON_CONSTRAINTS,
    POSITIVE_C,
    resolve_penalty,
    warn_n_jobs,
)
from ._multinomial import fit_multinomial
from ._params import BOOL, NONE, UNIT_REAL, Options, validate_params
from ._rounds import solve_in_rounds

# solve_in_rounds and unpenalized_fit_exists lived here first (PoissonRegressor's
# and the CV's helpers since); they stay importable from this module.
__all__ = ["LogisticRegression", "solve_in_rounds", "unpenalized_fit_exists"]


class LogisticRegression(BinaryLogisticBase):
    """Binary logistic regression with L1, L2 or elastic-net penalty (scikit-learn compatible).

    Same constructor parameters, names and defaults as scikit-learn 1.9's
    ``LogisticRegression`` (deprecated ones included), plus ``backend``.
    With effective weights ``s_i = sample_weight_i * class_weight[y_i]``,
    ``S = sum_i s_i``, the L1 share ``r`` and labels ``y_i = +1`` for
    ``classes_[1]``, ``-1`` for ``classes_[0]``, it minimizes
    scikit-learn's objective ::

        C * sum_i s_i log(1 + exp(-y_i (x_i @ w + b))) + r ||w||_1 + (1 - r)/2 ||w||^2

    as lassokit's problem ``lk.logistic(X, y, alpha, l1_ratio=r,
    sample_weight=s)`` with ``alpha = 1 / (C * S)`` (the same objective
    divided by ``C * S``); the intercept is never penalized. So the same
    parameters give the same coefficients as scikit-learn's solvers that
    do not penalize the intercept ("lbfgs", "saga", ...).

    Parameters
    ----------
    penalty : {"l1", "l2", "elasticnet", None}, default="deprecated"
        Deprecated in scikit-learn 1.8, with its meaning kept: when given it
        overrides ``l1_ratio`` (``"l1"``: r = 1, ``"l2"``: r = 0,
        ``"elasticnet"``: r = ``l1_ratio``, None: no penalty) and warns
        (``FutureWarning``). Left at its default, the penalty follows
        ``l1_ratio`` and ``C``.
    C : float in (0, inf], default=1.0
        Inverse strength: ``alpha = 1 / (C * S)``. ``C=np.inf`` is the
        unpenalized fit, refused with a ``ValueError`` when it does not
        exist (classes separable by a hyperplane).
    l1_ratio : float in [0, 1], default=0.0
        The L1 share ``r`` (0: ridge-like L2, 1: the lasso's L1). ``None``
        is deprecated (L2, with a ``FutureWarning``), as in scikit-learn.
    dual : bool, default=False
        Accepted and ignored: lassokit solves the primal problem and
        certifies it by duality whatever this says (scikit-learn allows
        ``dual=True`` only for its "liblinear" solver with L2).
    tol : float, default=1e-4
        Target **relative duality gap** of the solve:
        ``dual_gap_ <= tol * P(0, b0)`` in lassokit's scale (see
        :class:`~lassokit.Problem`). scikit-learn's ``tol`` is a
        solver-specific stopping rule instead. ``tol=0`` means "as tight as
        the backend can".
    fit_intercept : bool, default=True
        Fit an unpenalized intercept.
    intercept_scaling : float, default=1
        Accepted and ignored: it only matters for scikit-learn's "liblinear",
        which penalizes a synthetic intercept feature; lassokit never
        penalizes the intercept.
    class_weight : dict or "balanced", default=None
        Multiplies the sample weights per class, as in scikit-learn
        (``"balanced"``: ``sum(sw) / (2 * sum of sw in the class)``;
        a dict's missing classes weigh 1; keys that are not classes are a
        ``ValueError``).
    random_state : int, RandomState or None, default=None
        Accepted and ignored (scikit-learn uses it to shuffle data for
        "sag", "saga" and "liblinear"; lassokit's solves are deterministic).
    solver : {"lbfgs", "liblinear", "newton-cg", "newton-cholesky", "sag", "saga"}, \
default="lbfgs"
        Accepted (validated as a name) and ignored: ``backend`` solves the
        problem, and every combination of solver and penalty is taken
        (scikit-learn refuses, e.g., "lbfgs" with an L1 penalty).
    max_iter : int, default=100
        Iteration budget of the backend (for ``"cd"``: coordinate-descent
        epochs over all proximal-Newton steps). At the default, 100, a
        solve that stops short of ``tol`` resumes with 10x and then 100x
        the budget (scikit-learn's 100 counts lbfgs iterations, not
        epochs); any other value is a hard limit. ``max_iter=0`` returns the
        starting point (zeros or the warm start), certified, with a
        ``ConvergenceWarning``.
    verbose : int, default=0
        Accepted and ignored.
    warm_start : bool, default=False
        Start from the previous ``coef_`` when refitting.
    n_jobs : int, default=None
        No effect; deprecated as in scikit-learn 1.8 (``FutureWarning``
        when set).
    backend : str or Backend, default="auto"
        The lassokit backend: a name from :func:`lassokit.available_backends`
        that takes the logistic loss (``"cd"``, ``"cvxpy"``) or a
        :class:`~lassokit.Backend` instance; ``"auto"`` picks the first
        capable one (``"cd"``). ``backend_`` names the one used.
    lower_bounds : float or array-like of shape (n_features,), default=None
        Lower bounds of the coefficients (glmnet's ``lower.limits``), held
        exactly: ``coef_[0] >= lower_bounds`` feature by feature (never the
        intercept). A number applies to every feature; each bound must be
        ``<= 0`` (so that ``coef = 0`` is feasible), ``-inf`` allowed; None:
        no lower bound. The fit solves ``lk.Problem(..., loss="logistic",
        bounds=(lower_bounds, upper_bounds))``, a None side read as
        ``-inf``/``inf``, certified with the bounds. With ``C=np.inf`` the
        unpenalized fit is refused only when the classes can be separated
        by coefficients the bounds allow. Not in scikit-learn.
    upper_bounds : float or array-like of shape (n_features,), default=None
        Upper bounds (glmnet's ``upper.limits``): ``coef_[0] <=
        upper_bounds``, each ``>= 0``, ``inf`` allowed; None: no upper
        bound. As ``lower_bounds`` otherwise.
    penalty_weights : array-like of shape (n_features,), default=None
        Per-feature factors ``v_j >= 0`` of both terms (glmnet's
        ``penalty.factor``): the penalty is ``r sum_j v_j |w_j| + (1 - r)/2
        sum_j v_j w_j**2`` (times ``alpha = 1 / (C * S)`` in lassokit's
        scale); 0 leaves a feature unpenalized, ``inf`` excludes it (its
        coefficient is exactly 0, as if its column were dropped). Used as
        given: glmnet rescales its ``penalty.factor`` ``f`` to sum to
        ``n_features``, so its fit is ``penalty_weights=f * p / f.sum()``.
        A fit whose unpenalized features separate the classes has no
        minimizer and is refused with a ``ValueError``. Not in scikit-learn.
    standardize : bool, default=False
        glmnet's ``standardize``: penalize each column as if scaled to unit
        weighted standard deviation, coefficients on the original scale
        (L1 factors ``v_j sd_j``, L2 factors ``v_j sd_j**2``, ``sd_j`` the
        column's standard deviation weighted by the effective weights
        ``s``, about their weighted mean with ``fit_intercept``, about 0
        without; X is not copied). scikit-learn has no such option (its
        behaviour is False).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labels, sorted; with two classes ``classes_[1]`` is the class of
        ``z > 0``.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        In the dtype of the training X; one row per class for K >= 3
        classes (the multinomial model: ``P(class k) = softmax(X @ coef_.T +
        intercept_)[k]``; only differences between rows matter, and the
        penalty picks the symmetric solution).
    intercept_ : ndarray of shape (1,) or (n_classes,)
        0 when ``fit_intercept=False``.
    n_iter_ : ndarray of shape (1,), int32
        Backend iterations.
    dual_gap_ : float
        Certified duality gap of the solution, in lassokit's scale: the
        scikit-learn objective's gap divided by ``C * S``.
    backend_ : str
        The backend that solved the problem.
    solution_ : Solution
        The full certified :class:`~lassokit.Solution` (``rel_gap``,
        ``status``, ``objective``...).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X has string feature names (pandas).

    Raises
    ------
    ValueError
        At ``fit``, for an unpenalized fit that does not exist; with K >= 3
        classes, for ``C=inf``, ``offset`` or bounds (not taken by the
        multinomial model).

    See Also
    --------
    LogisticRegressionCV : ``C`` (and ``l1_ratio``) chosen by cross-validation.
    lassokit.logistic : the same problem stated directly.

    Examples
    --------
    >>> import numpy as np, lassokit as lk
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 5))
    >>> y = np.where(X[:, 0] + 0.5 * rng.standard_normal(200) > 0, "yes", "no")
    >>> clf = lk.LogisticRegression(C=0.1, l1_ratio=1.0).fit(X, y)
    >>> clf.classes_.tolist(), np.flatnonzero(clf.coef_[0]).tolist()
    (['no', 'yes'], [0])
    >>> clf.predict_proba(X[:2]).sum(axis=1)
    array([1., 1.])
    """

    _multiclass = True
    _constraints: ClassVar[dict] = {
        **COMMON_CONSTRAINTS,
        "penalty": [Options("l1", "l2", "elasticnet", "deprecated"), NONE],
        "C": [POSITIVE_C],
        "l1_ratio": [UNIT_REAL, NONE],
        "warm_start": [BOOL],
    }

    def __init__(self, penalty="deprecated", *, C=1.0, l1_ratio=0.0, dual=False, tol=1e-4,
                 fit_intercept=True, intercept_scaling=1, class_weight=None, random_state=None,
                 solver="lbfgs", max_iter=100, verbose=0, warm_start=False, n_jobs=None,
                 backend="auto", lower_bounds=None, upper_bounds=None, penalty_weights=None,
                 standardize=False):
        keep_params(self, locals())

    def fit(self, X, y, sample_weight=None, offset=None):
        """Fit the model by solving the problem to relative duality gap ``tol``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 stays float32, never copied or modified.
        y : array-like of shape (n_samples,)
            Class labels of any type (strings, {3, 7}, booleans...); two
            classes give the binary model, K >= 3 the multinomial one.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weights, multiplied by ``class_weight``; both
            classes need positive total weight.
        offset : array-like of shape (n_samples,), default=None
            A fixed part of the linear predictor, not fitted (glmnet's
            ``offset``): ``P(y = classes_[1]) = 1 / (1 + exp(-(X @ coef_ +
            intercept_ + offset)))``, e.g. the log-odds of a prior model.
            Finite, one per sample; never modified. The prediction methods
            add an offset only when given one. Not in scikit-learn.

        Returns
        -------
        self
        """
        validate_params(self, self._constraints)
        _, r, C = resolve_penalty(self.penalty, self.C, self.l1_ratio)
        warn_n_jobs(self.n_jobs, type(self).__name__)
        X, y, y_pm, s = self._validate_train(X, y, sample_weight)
        offset = raw_offset(offset, X.shape[0])
        weights = self._weights(X, s)
        if self.classes_.size > 2:
            return fit_multinomial(self, X, y, s, C, r, weights, offset)
        # C=inf, or features of penalty weight 0: refused without a minimizer.
        self._check_exists(X, y_pm, s, self._penalty(s, C, r, weights))
        problem = self._problem(X, y_pm, s, C, r, offset, weights)
        warm = None
        if self.warm_start and np.shape(getattr(self, "coef_", None)) == (1, X.shape[1]):
            warm = np.asarray(self.coef_, dtype=np.float64).ravel()
        sol, n_iter = self._solve(problem, warm)
        self._store(sol, X.dtype)
        # A solve certified at once (coef = 0 optimal) counts one iteration.
        self.n_iter_ = np.array([max(n_iter, int(self.max_iter > 0))], dtype=np.int32)
        return self
