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

Only two classes are taken: the multinomial model has a coefficient
matrix, which lassokit's problem layer does not state yet.
"""

from __future__ import annotations

import numbers
import warnings
from typing import ClassVar

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .. import _linalg
from .._finish import finish
from ..backends.base import BackendResult
from ..backends.registry import resolve_backend
from ..penalty import Penalty
from ..problem import Problem
from ..solution import convergence_warning
from ._base import raw_sample_weight, solver_tol
from ._params import (
    BACKEND,
    BOOL,
    N_JOBS,
    NONE,
    NONNEG_REAL,
    RANDOM_STATE,
    UNIT_REAL,
    VERBOSE,
    Interval,
    Options,
    _Simple,
    validate_params,
)

__all__ = ["LogisticRegression", "solve_in_rounds", "unpenalized_fit_exists"]

_FLOAT_DTYPES = [np.float64, np.float32]
_SPARSE_FORMATS = ["csr", "csc"]

SOLVERS = ("lbfgs", "liblinear", "newton-cg", "newton-cholesky", "sag", "saga")

#: ``C`` in ``(0, inf]``: infinity is the unpenalized fit.
POSITIVE_C = _Simple(
    lambda v: (isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))
               and not np.isnan(v) and v > 0),
    "a float in the range (0, inf]",
)
CLASS_WEIGHT = _Simple(lambda v: isinstance(v, dict), "a dict")

#: Constraints shared by ``LogisticRegression`` and ``LogisticRegressionCV``.
COMMON_CONSTRAINTS = {
    "dual": [BOOL],
    "tol": [NONNEG_REAL],
    "fit_intercept": [BOOL],
    "intercept_scaling": [Interval(numbers.Real, 0, None, "neither")],
    "class_weight": [CLASS_WEIGHT, Options("balanced"), NONE],
    "random_state": [RANDOM_STATE],
    "solver": [Options(*SOLVERS)],
    "max_iter": [Interval(numbers.Integral, 0, None, "left")],
    "verbose": [VERBOSE],
    "n_jobs": [N_JOBS],
    "backend": [BACKEND],
}


# -- the unpenalized fit ---------------------------------------------------------------

def unpenalized_fit_exists(X, margins, equalities=None, *, fit_intercept=True):
    """Whether an unpenalized GLM fit has a minimizer (no recession direction).

    A smooth loss that decreases to its infimum as a margin grows has no
    minimizer when some direction ``u = (w, b)`` makes every margin
    non-negative and one positive: moving along ``u`` lowers the loss for
    ever. For the logistic loss the margins are ``y_i z_i`` (the direction
    separates the classes, completely or quasi-completely; Albert and
    Anderson 1984); for the Poisson loss they are ``-z_i`` on the samples
    with ``y_i = 0``, with ``z_i = 0`` held on the others. Such a direction
    is looked for by one linear program (``max sum of margins`` over the
    box ``|u| <= 1``) and, when found, verified on the data: the answer
    never rests on the LP solver's word alone.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        The rows with positive weight only.
    margins : ndarray of shape (n_rows,)
        Signs ``m_i``: the margin of row ``i`` is ``m_i * z_i``.
    equalities : ndarray of bool of shape (n_rows,), optional
        Rows whose ``z_i`` must stay 0 (their sign is then unused).
    fit_intercept : bool, default=True

    Returns
    -------
    bool
    """
    from scipy.optimize import linprog

    n = X.shape[0]
    A = sp.csr_matrix(X, dtype=np.float64)
    if fit_intercept:
        A = sp.hstack([A, sp.csr_matrix(np.ones((n, 1)))], format="csr")
    eq = np.zeros(n, dtype=bool) if equalities is None else np.asarray(equalities, dtype=bool)
    signed = sp.diags(np.asarray(margins, dtype=np.float64)) @ A
    ineq, equal = signed[~eq], A[eq]
    if ineq.shape[0] == 0 or A.shape[1] == 0:
        return True
    cost = -np.asarray(ineq.sum(axis=0)).ravel()
    res = linprog(cost, A_ub=-ineq, b_ub=np.zeros(ineq.shape[0]),
                  A_eq=equal if equal.shape[0] else None,
                  b_eq=np.zeros(equal.shape[0]) if equal.shape[0] else None,
                  bounds=[(-1.0, 1.0)] * A.shape[1], method="highs")
    if res.status != 0 or res.x is None:
        return True  # undecided: solve, and let the certificate speak
    u = res.x
    scale = float(abs(A).sum(axis=1).max()) or 1.0
    m = ineq @ u
    off = np.abs(equal @ u) if equal.shape[0] else np.zeros(1)
    return not (m.min() >= -1e-9 * scale and off.max() <= 1e-9 * scale
                and m.max() > 1e-6 * scale)


# -- solving at scikit-learn's default budget ----------------------------------------

#: scikit-learn's default ``max_iter`` of its GLM estimators (lbfgs iterations).
DEFAULT_MAX_ITER = 100
_ROUNDS = 3


def solve_in_rounds(problem, backend, tol, max_iter, warm_start):
    """Solve ``problem``; at the default ``max_iter``, resume an unconverged solve.

    ``max_iter`` is the backend's budget (coordinate-descent epochs over
    every proximal-Newton step for ``"cd"``). At scikit-learn's default of
    100 -- a budget of lbfgs iterations there, which says nothing about
    epochs -- a solve that stops short of ``tol`` resumes from where it
    stopped with 10x and then 100x the budget, as the refit of
    ``LassoCV`` does; any other ``max_iter`` is taken at its word. Only the
    last round warns.

    Returns
    -------
    (Solution, int)
        The last round's solution and the iterations of every round.
    """
    rounds = _ROUNDS if max_iter == DEFAULT_MAX_ITER else 1
    warm, total = warm_start, 0
    for k in range(rounds):
        with warnings.catch_warnings():
            if k < rounds - 1:
                warnings.simplefilter("ignore", convergence_warning())
            sol = problem.solve(backend, tol=tol, max_iter=max_iter * 10 ** k, warm_start=warm)
        total += sol.n_iter
        if sol.converged:
            break
        warm = np.asarray(sol.coef, dtype=np.float64)
    return sol, total


# -- penalty semantics of scikit-learn 1.9 ---------------------------------------------

def resolve_penalty(penalty, C, l1_ratio, *, cls="LogisticRegression"):
    """``(kind, r, C)``: scikit-learn 1.9's reading of ``penalty``, ``C`` and ``l1_ratio``.

    ``kind`` is ``"l1"``, ``"l2"``, ``"elasticnet"`` or None (no penalty),
    ``r`` the L1 share actually used and ``C`` the effective strength
    (``inf`` without penalty). Warns as scikit-learn 1.9 does: a
    ``FutureWarning`` for the deprecated ``penalty`` and ``l1_ratio=None``,
    a ``UserWarning`` for an ``l1_ratio`` that the penalty ignores.
    """
    if penalty == "deprecated":
        if l1_ratio is None:
            warnings.warn(
                f"{cls}: l1_ratio=None is deprecated (as in scikit-learn 1.8, an error from "
                "1.10); it means the L2 penalty. Pass a number in [0, 1] instead.",
                FutureWarning, stacklevel=3)
        kind = ("l2" if l1_ratio is None or l1_ratio == 0
                else "l1" if l1_ratio == 1 else "elasticnet")
        if C == np.inf:
            kind = None
    else:
        kind = penalty
        warnings.warn(
            f"{cls}: 'penalty' is deprecated (as in scikit-learn 1.8, removed in 1.10); leave "
            "it at its default and use l1_ratio=0 for 'l2', l1_ratio=1 for 'l1', a number "
            "between 0 and 1 for 'elasticnet', and C=np.inf for None.",
            FutureWarning, stacklevel=3)
    if kind != "elasticnet" and l1_ratio is not None and 0 < l1_ratio < 1:
        warnings.warn(f"{cls}: l1_ratio is only used when penalty is 'elasticnet' "
                      f"(penalty={kind!r}); it is ignored.", UserWarning, stacklevel=3)
    if (penalty == "l2" and l1_ratio != 0) or (penalty == "l1" and l1_ratio != 1):
        warnings.warn(f"{cls}: inconsistent values penalty={penalty!r} and "
                      f"l1_ratio={l1_ratio!r}; penalty wins. penalty is deprecated: use "
                      "l1_ratio only.", UserWarning, stacklevel=3)
    if kind == "elasticnet" and l1_ratio is None:
        raise ValueError(f"{cls}: l1_ratio must be a number in [0, 1] when penalty is "
                         "'elasticnet'.")
    if penalty is None:
        if C != 1.0:
            warnings.warn(f"{cls}: penalty=None ignores C and l1_ratio.", UserWarning,
                          stacklevel=3)
        return None, 0.0, np.inf
    r = {"l1": 1.0, "l2": 0.0, None: 0.0}.get(kind, None)
    return kind, (float(l1_ratio) if r is None else r), float(C)


def warn_n_jobs(n_jobs, cls):
    """scikit-learn 1.8+ warns that ``LogisticRegression``'s ``n_jobs`` does nothing."""
    if n_jobs is not None:
        warnings.warn(f"{cls}: n_jobs has no effect (as in scikit-learn 1.8, removed in 1.10); "
                      "leave it unspecified.", FutureWarning, stacklevel=3)


# -- the shared classifier machinery -----------------------------------------------------

class BinaryLogisticBase(ClassifierMixin, BaseEstimator):
    """Validation, weights, the solve and the predictions of the logistic estimators.

    Not public: :class:`LogisticRegression` and
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
        X, y = validate_data(self, X, y, accept_sparse=_SPARSE_FORMATS, dtype=_FLOAT_DTYPES,
                             multi_output=False)
        check_classification_targets(y)
        classes = np.unique(y)
        name = type(self).__name__
        if classes.size < 2:
            raise ValueError(
                f"{name} needs samples of 2 classes, but y holds only one class: "
                f"{classes[0]!r}.")
        if classes.size > 2:
            raise ValueError(
                f"Only binary classification is supported. The type of the target is "
                f"'multiclass' ({classes.size} classes: {classes.tolist()!r}). lassokit's "
                f"{name} fits two classes; the multinomial model comes with matrix "
                "coefficients, which lassokit does not state yet (use scikit-learn's "
                "LogisticRegression, or wrap this one in OneVsRestClassifier).")
        self.classes_ = classes
        positive = y == classes[1]
        y_pm = np.where(positive, 1.0, -1.0)
        s = self._effective_weights(y, sample_weight, X.shape[0])
        for k in (0, 1):
            if not s[positive == bool(k)].sum() > 0:
                raise ValueError(
                    f"{name}: every sample of class {classes[k]!r} has weight 0 (sample_weight "
                    "times class_weight), so only one class is left to fit; give both "
                    "classes positive weight.")
        return X, y, y_pm, s

    def _effective_weights(self, y, sample_weight, n):
        """``sample_weight * class_weight[y]`` as given (float64, never normalized)."""
        if isinstance(sample_weight, numbers.Number) and not isinstance(sample_weight, bool):
            sample_weight = np.full(n, float(sample_weight))
        sw = raw_sample_weight(sample_weight, n)
        s = np.ones(n) if sw is None else sw
        if self.class_weight is not None:
            cw = self._class_weight_values(y, sw)
            s = s * cw[np.searchsorted(self.classes_, y)]
        if not s.sum() > 0:
            raise ValueError("sample_weight times class_weight is zero for every sample.")
        return s

    def _class_weight_values(self, y, sw):
        """One weight per class of ``classes_`` (scikit-learn's ``compute_class_weight``)."""
        cw = self.class_weight
        if isinstance(cw, dict):
            unknown = [k for k in cw if k not in set(self.classes_.tolist())]
            if unknown:
                raise ValueError(f"class_weight has keys {unknown!r} that are not classes of y "
                                 f"(classes: {self.classes_.tolist()!r}).")
        w = compute_class_weight(cw, classes=self.classes_, y=y, sample_weight=sw)
        w = np.asarray(w, dtype=np.float64)
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError(f"class_weight must be finite and non-negative, got {cw!r}.")
        return w

    # -- solving --------------------------------------------------------------------
    def _problem(self, X, y_pm, s, C, r):
        """The logistic Problem of scikit-learn's ``(C, l1_ratio=r)`` (see the module)."""
        alpha = 0.0 if C == np.inf else 1.0 / (C * float(s.sum()))
        return Problem._single_use(X, y_pm, Penalty(alpha * r, alpha * (1.0 - r)),
                                   fit_intercept=self.fit_intercept, sample_weight=s,
                                   known_finite=True, loss="logistic")

    def _check_exists(self, X, y_pm, s):
        """Refuse the unpenalized fit on (quasi-)separated classes."""
        keep = np.flatnonzero(s > 0)
        if unpenalized_fit_exists(X[keep], y_pm[keep], fit_intercept=self.fit_intercept):
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

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, accept_sparse=_SPARSE_FORMATS,
                          dtype=_FLOAT_DTYPES)
        coef = np.asarray(self.coef_).ravel()
        z = _linalg.matvec(X, coef) + float(np.ravel(self.intercept_)[0])
        return z.astype(np.result_type(X.dtype, coef.dtype), copy=False)

    def predict(self, X):
        """The class of each sample: ``classes_[1]`` where ``decision_function > 0``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

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

        Returns
        -------
        ndarray of shape (n_samples, 2)
        """
        z = self.decision_function(X)
        return np.column_stack([-np.logaddexp(0.0, z), -np.logaddexp(0.0, -z)]).astype(
            z.dtype, copy=False)


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

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The two labels, sorted; ``classes_[1]`` is the class of ``z > 0``.
    coef_ : ndarray of shape (1, n_features)
        In the dtype of the training X.
    intercept_ : ndarray of shape (1,)
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
        At ``fit``, for more than two classes (the multinomial model comes
        with matrix coefficients) and for an unpenalized fit that does not
        exist.

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
                 backend="auto"):
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.dual = dual
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.class_weight = class_weight
        self.random_state = random_state
        self.solver = solver
        self.max_iter = max_iter
        self.verbose = verbose
        self.warm_start = warm_start
        self.n_jobs = n_jobs
        self.backend = backend

    def fit(self, X, y, sample_weight=None):
        """Fit the model by solving the problem to relative duality gap ``tol``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 stays float32, never copied or modified.
        y : array-like of shape (n_samples,)
            Two class labels of any type (strings, {3, 7}, booleans...).
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weights, multiplied by ``class_weight``; both
            classes need positive total weight.

        Returns
        -------
        self
        """
        validate_params(self, self._constraints)
        _, r, C = resolve_penalty(self.penalty, self.C, self.l1_ratio)
        warn_n_jobs(self.n_jobs, type(self).__name__)
        X, _, y_pm, s = self._validate_train(X, y, sample_weight)
        if C == np.inf:
            self._check_exists(X, y_pm, s)
        problem = self._problem(X, y_pm, s, C, r)
        warm = None
        if self.warm_start and np.shape(getattr(self, "coef_", None)) == (1, X.shape[1]):
            warm = np.asarray(self.coef_, dtype=np.float64).ravel()
        sol, n_iter = self._solve(problem, warm)
        self._store(sol, X.dtype)
        # A solve certified at once (coef = 0 optimal) counts one iteration.
        self.n_iter_ = np.array([max(n_iter, int(self.max_iter > 0))], dtype=np.int32)
        return self
