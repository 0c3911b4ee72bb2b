"""The one-line problem constructors: ``lk.lasso``, ``lk.elastic_net``, ``lk.ridge``, ``lk.logistic``."""

from __future__ import annotations

import numpy as np

from .penalty import L1, L2
from .problem import Problem

__all__ = ["lasso", "elastic_net", "ridge", "logistic"]


def lasso(X, y, alpha, **kw):
    """Problem with penalty ``L1(alpha)``; keywords as for :class:`Problem`.

    Returns
    -------
    Problem
    """
    return Problem(X, y, L1(alpha), **kw)


def _check_ratio_alpha(alpha, l1_ratio):
    if isinstance(l1_ratio, bool) or not isinstance(l1_ratio, (int, float, np.number)):
        raise TypeError(f"l1_ratio must be a number in [0, 1], got {type(l1_ratio).__name__}.")
    if not 0.0 <= float(l1_ratio) <= 1.0:
        raise ValueError(f"l1_ratio must be in [0, 1], got {l1_ratio!r}.")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.number)):
        raise TypeError(f"alpha must be a real number, got {type(alpha).__name__}.")
    if not (np.isfinite(alpha) and alpha >= 0):
        # checked here: inf * l1_ratio would be reported as "l1 must be finite"
        raise ValueError(f"alpha must be a finite number >= 0, got {alpha!r}.")


def elastic_net(X, y, alpha, l1_ratio=0.5, **kw):
    """Problem with ``L1(alpha*l1_ratio) + L2(alpha*(1-l1_ratio))``.

    Parameters
    ----------
    X, y
        As for :class:`Problem`.
    alpha : float
        Overall strength.
    l1_ratio : float in [0, 1], default=0.5
        The L1 share.
    **kw
        ``fit_intercept``, ``sample_weight``, ``positive``, ``bounds``, ``offset``.

    Returns
    -------
    Problem
    """
    _check_ratio_alpha(alpha, l1_ratio)
    pen = L1(alpha * l1_ratio) + L2(alpha * (1.0 - l1_ratio))
    return Problem(X, y, pen, **kw)


def ridge(X, y, alpha, **kw):
    """Problem with penalty ``L2(alpha)``; keywords as for :class:`Problem`.

    ``alpha`` is ``a2`` of lassokit's ``1/(2n)`` objective, not the
    ``alpha`` of scikit-learn's ``Ridge``, which minimizes ``||y - Xw -
    b||^2 + alpha ||w||^2``: ``lk.ridge(X, y, a2)`` is scikit-learn's (and
    :class:`lassokit.Ridge`'s) ``Ridge(alpha=a2 * n_samples)`` (``a2 *
    sample_weight.sum()`` with weights), and ``Ridge(alpha)`` is
    ``lk.ridge(X, y, alpha / n_samples)``. The same words differ by that
    factor: at ``alpha=1`` on 100 samples ``lk.ridge`` penalizes 100 times
    more than ``Ridge``. The command line's ``--model ridge --alpha`` is in
    ``Ridge``'s scale. (``lasso`` and ``elastic_net`` share scikit-learn's
    ``Lasso``/``ElasticNet`` scale.)

    Returns
    -------
    Problem
    """
    return Problem(X, y, L2(alpha), **kw)


def logistic(X, y, alpha, l1_ratio=1.0, **kw):
    """L1 / elastic-net logistic regression: a Problem with ``loss="logistic"``.

    The penalty is ``L1(alpha*l1_ratio) + L2(alpha*(1-l1_ratio))`` and the
    objective ``1/n sum_i s_i log(1 + exp(-y_i (x_i^T w + b)))`` plus it.

    Parameters
    ----------
    X : array-like or sparse matrix of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        Two classes coded {0, 1}, {-1, +1} or as booleans (0 and False are
        class -1); any other coding is a ``ValueError``.
    alpha : float
        Overall strength.
    l1_ratio : float in [0, 1], default=1.0
        The L1 share (1: the L1-penalized logistic regression).
    **kw
        ``fit_intercept``, ``sample_weight``, ``positive``, ``bounds``, ``offset``.

    Returns
    -------
    Problem

    Examples
    --------
    >>> import numpy as np, lassokit as lk
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 5)); y = X[:, 0] + 0.5 * rng.standard_normal(100) > 0
    >>> sol = lk.logistic(X, y, 0.05).solve()
    >>> sol.status, int(np.flatnonzero(sol.coef)[0])
    ('optimal', 0)
    """
    _check_ratio_alpha(alpha, l1_ratio)
    pen = L1(alpha * l1_ratio) + L2(alpha * (1.0 - l1_ratio))
    return Problem(X, y, pen, loss="logistic", **kw)
