"""Path functions that take data: ``lasso_path`` and ``enet_path``.

They state the problem (:class:`~lassokit.Problem` with an L1, or L1 + L2,
penalty of overall strength 1) and hand it to :func:`lassokit.path`, so the
grid, the warm starts, the backend session and the certificate are exactly
those of ``lk.path``. The only additions are the data-facing conveniences:
keywords named as in scikit-learn's and celer's path functions, and the
feature names of a pandas ``X`` kept on the returned :class:`~lassokit.Path`.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._box import check_limits

from .path import path
from .penalty import L1, L2
from ._data import feature_names_of
from ._standardize import feature_weights
from .backends.registry import resolve_backend
from .problem import Problem

__all__ = ["enet_path", "lasso_path"]


def _check_grid_size(alphas):
    # scikit-learn 1.9's path functions read an int ``alphas`` as a grid size;
    # here it would be one strength, silently: refuse it with the fix.
    if isinstance(alphas, numbers.Integral) and not isinstance(alphas, (bool, np.bool_)):
        raise TypeError(
            f"alphas must be an array-like of strengths, got the int {alphas!r}; for a grid "
            f"of {alphas} strengths pass n_alphas={alphas}."
        )


def lasso_path(X, y, *, alphas=None, n_alphas=100, eps=1e-3, fit_intercept=True,
               sample_weight=None, positive=False, lower_bounds=None, upper_bounds=None,
               weights=None, standardize=False, backend="cd", tol=1e-6,
               max_iter=None, coef_init=None, strong_rules=True, verbose=False, **options):
    """Lasso solutions of ``(X, y)`` along a decreasing grid of ``alpha``.

    At each ``alpha`` this solves::

        1/(2n) * sum_i s_i (y_i - x_i @ w - b)^2 + alpha * sum_j v_j |w_j|

    the objective of scikit-learn's ``Lasso(alpha)`` and ``lasso_path``
    (weights ``s`` rescaled to sum to ``n``; ``v`` the optional per-feature
    ``weights``). It is ``lk.path(lk.Problem(X, y, lk.L1(1.0, weights), ...))``.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Design matrix; a pandas DataFrame's string column names are kept
        in ``Path.feature_names``.
    y : array-like of shape (n_samples,)
        Target.
    alphas : array-like of shape (k,), optional
        Strengths (sorted into decreasing order). Default: ``n_alphas``
        values geometric from ``alpha_max`` (where ``coef = 0`` first becomes
        optimal) down to ``eps * alpha_max``, as in scikit-learn. An int is
        a ``TypeError`` (scikit-learn 1.9 reads it as the grid size: pass
        ``n_alphas`` for that).
    n_alphas : int, default=100
        Grid size when ``alphas`` is None.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` when ``alphas`` is None.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept at every ``alpha`` (by implicit
        centring; returned in ``Path.intercepts``). scikit-learn's
        ``lasso_path`` fits none and expects centred data: pass
        ``fit_intercept=False`` for its results.
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative sample weights.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    lower_bounds : float or array-like of shape (n_features,), optional
        Lower bounds of the coefficients at every ``alpha`` (glmnet's
        ``lower.limits``), held exactly: ``coefs[j, :] >= lower_bounds[j]``.
        A number applies to every feature; each bound ``<= 0``, ``-inf``
        allowed; None: no lower bound. Intersected with ``positive``. The
        problem is ``lk.Problem(..., bounds=(lower_bounds, upper_bounds))``
        with a None side read as ``-inf``/``inf``, and the default grid
        starts at its ``alpha_max``.
    upper_bounds : float or array-like of shape (n_features,), optional
        Upper bounds (glmnet's ``upper.limits``), each ``>= 0``, ``inf``
        allowed; None: no upper bound. As ``lower_bounds`` otherwise.
    weights : array-like of shape (n_features,), optional
        Per-feature L1 weights ``v`` (glmnet's ``penalty.factor``, celer's
        ``weights``); a zero leaves that feature unpenalized.
    standardize : bool, default=False
        glmnet's ``standardize``: penalize each column as if scaled to unit
        weighted standard deviation, and return coefficients on the original
        scale. Implemented as L1 weights ``v * sd`` (no scaled copy of X), so
        the default grid starts at glmnet's ``lambda_max``.
    backend : str or Backend, default="cd"
        Any backend that can take the problem.
    tol : float, default=1e-6
        Relative duality gap asked for at every ``alpha``.
    max_iter : int, optional
        Iteration budget of each solve (the backend's default when None).
    coef_init : array-like of shape (n_features,), optional
        Warm start for the first ``alpha``.
    strong_rules : bool, default=True
        As for :func:`lassokit.path`.
    verbose : bool, default=False
        Print one line per ``alpha``.
    **options
        Backend options (unknown ones raise ``TypeError``).

    Returns
    -------
    Path
        ``alphas`` (k,), ``coefs`` (n_features, k), ``intercepts`` (k,),
        ``dual_gaps`` (k,), ``n_iters`` (k,), ``feature_names``.

    See Also
    --------
    enet_path : The same with an L2 term.
    lassokit.path : The path of any :class:`~lassokit.Problem`.

    Examples
    --------
    >>> import numpy as np, lassokit as lk
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((40, 6)); y = X[:, 0] - 2 * X[:, 3]
    >>> p = lk.lasso_path(X, y, n_alphas=5)
    >>> p.coefs.shape, int(p.support_sizes()[0])
    ((6, 5), 0)
    """
    _check_grid_size(alphas)
    return _data_path(X, y, lambda v1, v2: L1(1.0, v1), weights, standardize, fit_intercept,
                      sample_weight, positive, (lower_bounds, upper_bounds),
                      dict(alphas=alphas, n_alphas=n_alphas, eps=eps, backend=backend, tol=tol,
                           max_iter=max_iter, coef_init=coef_init, strong_rules=strong_rules,
                           verbose=verbose, **options), "lasso_path")


def enet_path(X, y, *, l1_ratio=0.5, alphas=None, n_alphas=100, eps=1e-3, fit_intercept=True,
              sample_weight=None, positive=False, lower_bounds=None, upper_bounds=None,
              weights=None, standardize=False, backend="cd", tol=1e-6,
              max_iter=None, coef_init=None, strong_rules=True, verbose=False, **options):
    """Elastic Net solutions of ``(X, y)`` along a decreasing grid of ``alpha``.

    At each ``alpha`` this solves::

        1/(2n) * sum_i s_i (y_i - x_i @ w - b)^2
            + alpha * l1_ratio * sum_j v_j |w_j|
            + alpha * (1 - l1_ratio) / 2 * sum_j v_j w_j^2

    the objective of scikit-learn's ``ElasticNet(alpha, l1_ratio)`` and
    ``enet_path``. It is ``lk.path(lk.elastic_net(X, y, 1.0, l1_ratio, ...))``.

    Parameters
    ----------
    X, y
        As for :func:`lasso_path`.
    l1_ratio : float in [0, 1], default=0.5
        The L1 share of the penalty; with ``l1_ratio=0`` (ridge) ``alphas``
        must be given.
    alphas : array-like of shape (k,), optional
        Strengths; default: geometric from ``alpha_max / l1_ratio`` down to
        ``eps`` times it, scikit-learn's grid for ``ElasticNet``.
    n_alphas, eps, fit_intercept, sample_weight, positive, lower_bounds, upper_bounds
        As for :func:`lasso_path` (scikit-learn's ``enet_path`` fits no
        intercept: pass ``fit_intercept=False`` for its results).
    weights : array-like of shape (n_features,), optional
        Per-feature weights ``v`` of both terms (glmnet's ``penalty.factor``).
    standardize : bool, default=False
        glmnet's ``standardize`` (see :func:`lasso_path`): L1 weights
        ``v * sd`` and L2 weights ``v * sd**2``.
    backend, tol, max_iter, coef_init, strong_rules, verbose, **options
        As for :func:`lasso_path`.

    Returns
    -------
    Path

    See Also
    --------
    lasso_path : The path with ``l1_ratio=1``.

    Examples
    --------
    >>> import numpy as np, lassokit as lk
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((40, 6)); y = X[:, 0] - 2 * X[:, 3]
    >>> lk.enet_path(X, y, l1_ratio=0.7, n_alphas=4).l1_ratio
    0.7
    """
    if isinstance(l1_ratio, (bool, np.bool_)) or not isinstance(l1_ratio, numbers.Real):
        raise TypeError(f"l1_ratio must be a number in [0, 1], got {type(l1_ratio).__name__}.")
    r = float(l1_ratio)
    if not 0.0 <= r <= 1.0:
        raise ValueError(f"l1_ratio must be in [0, 1], got {l1_ratio!r}.")
    _check_grid_size(alphas)
    return _data_path(X, y, lambda v1, v2: L1(r, v1) + L2(1.0 - r, v2), weights, standardize,
                      fit_intercept, sample_weight, positive, (lower_bounds, upper_bounds),
                      dict(alphas=alphas, n_alphas=n_alphas, eps=eps, backend=backend, tol=tol,
                           max_iter=max_iter, coef_init=coef_init, strong_rules=strong_rules,
                           verbose=verbose, **options), "enet_path")


def _data_path(X, y, terms, weights, standardize, fit_intercept, sample_weight, positive,
               limits, kwargs, name):
    """The path of ``terms(v1, v2)`` (a Penalty from per-feature L1 and L2 weights) on (X, y).

    ``limits`` is ``(lower_bounds, upper_bounds)`` as given (None: open side).
    """
    if not isinstance(standardize, (bool, np.bool_)):
        raise TypeError(f"standardize must be a bool, got {type(standardize).__name__}.")
    # The Problem lives only for this call: no private copy of X is needed.
    problem = Problem._single_use(X, y, terms(weights, weights), fit_intercept=fit_intercept,
                                  sample_weight=sample_weight, positive=positive,
                                  bounds=_bounds(limits, np.shape(X)))
    if not standardize:
        _check_options(name, kwargs, problem)
        result = path(problem, **kwargs)
    else:
        # The path runs on the problem pinned for this call, whose column
        # means serve the standard deviations too (one extra pass over X,
        # not two); the Path keeps the caller's live problem for re-solves.
        pinned = problem._pinned()
        v1, v2 = feature_weights(pinned.X, pinned.sample_weight, fit_intercept, weights, True,
                                 x_offset=pinned._stats[0] if fit_intercept else None,
                                 name="weights")
        pen = terms(v1, v2)
        problem = problem.replace(penalty=pen)
        _check_options(name, kwargs, problem)
        result = path(pinned.replace(penalty=pen), **kwargs)
        result._problem = problem
    result.feature_names = feature_names_of(X)
    return result


def _bounds(limits, shape):
    """:func:`check_limits` of ``limits`` for a design of ``shape`` (X's shape)."""
    if len(shape) != 2:
        return limits  # an X the Problem refuses, with its own message
    return check_limits(*limits, shape[1])


#: The keywords every path function takes besides its backend's options.
_PATH_KEYWORDS = ("alphas", "n_alphas", "eps", "backend", "tol", "max_iter", "coef_init",
                  "strong_rules", "verbose")


def _check_options(name, kwargs, problem):
    """A keyword neither the path function nor its backend knows: named, with the function.

    Without this the backend would report it ("backend 'cd' got unknown
    option(s) ..."), blaming the backend for a keyword given to ``name``.
    """
    be = resolve_backend(kwargs["backend"], problem)
    if be.options is None:
        return
    unknown = sorted(set(kwargs) - set(_PATH_KEYWORDS) - set(be.options))
    if unknown:
        raise TypeError(
            f"{name}() got unknown keyword argument(s) {', '.join(unknown)}; it takes "
            f"X, y, {', '.join(_PATH_KEYWORDS)}, its documented model keywords, and the options "
            f"of backend {be.name!r}: {', '.join(sorted(be.options)) or 'none'}.")
