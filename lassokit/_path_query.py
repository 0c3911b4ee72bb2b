"""A :class:`~lassokit.Path` at strengths off its grid: interpolated or solved exactly.

Interpolation is glmnet's (``coef(fit, s, exact = FALSE)``): linear in the
strength between the two grid points around it, the first solution above
the grid and the last below it. It is what the grid knows, not a solution
(the lasso path is piecewise linear in ``alpha`` only between the knots
where the support changes); ``exact=True`` solves the problem at the
strength, warm-started from the grid point above, and certifies it (on a
relaxed path, :meth:`Path.relax`, that solution is then relaxed).
"""

from __future__ import annotations

import numbers

import numpy as np

from . import _linalg
from ._relax import blend, relaxed_fits
from ._validation import check_X

__all__ = ["coef_at", "decision_function", "intercept_at"]


def _strengths(alpha):
    """``(ndarray of float, scalar?)`` from a strength or an array of them."""
    scalar = isinstance(alpha, numbers.Real) and not isinstance(alpha, bool)
    try:
        arr = np.atleast_1d(np.asarray(alpha, dtype=np.float64))
    except (TypeError, ValueError):
        arr = np.array([np.nan])  # a string or a ragged list: the sentence below
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"alpha must be a finite number >= 0 or a 1-D array of them, "
                         f"got {alpha!r}.")
    return arr, scalar


def _weights(alphas, a):
    """Grid indices ``(i, j)`` and weight ``t`` with the point ``(1 - t) x_i + t x_j``."""
    k = alphas.shape[0]
    if a >= alphas[0]:
        return 0, 0, 0.0
    if a <= alphas[-1]:
        return k - 1, k - 1, 0.0
    j = int(np.searchsorted(-alphas, -a, side="right"))  # alphas[j-1] > a >= alphas[j]
    i = j - 1
    span = alphas[i] - alphas[j]
    return i, j, (float((alphas[i] - a) / span) if span > 0 else 0.0)


def _exact(path, a):
    """``(coef, intercept)`` solved at strength ``a`` (see :meth:`Path.coef_at`).

    On a relaxed path the certified solution is relaxed with the path's gamma.
    """
    problem = path._problem
    if problem is None:
        raise ValueError("exact=True needs the problem this path solved; this Path was "
                         "assembled without it (cross-validation folds, Dask): use "
                         "exact=False, or lk.path(problem) for a path that can re-solve.")
    lasso = path if path._lasso is None else path._lasso
    i, _, _ = _weights(lasso.alphas, a)
    start = np.asarray(lasso.coefs[:, i], dtype=np.float64)
    sub = problem.replace(penalty=problem.penalty.at(float(a), lasso.l1_ratio))
    sol = sub.solve(lasso.backend, tol=lasso.tol, warm_start=start, **lasso._options)
    if path.gamma is None:
        return sol.coef, sol.intercept
    coef = np.asarray(sol.coef)[:, None]
    W, w_icpt = relaxed_fits(problem, coef)
    C, b = blend(path.gamma, coef, [sol.intercept], W, w_icpt, coef.dtype)
    return C[:, 0], float(b[0])


def coef_at(path, alpha, exact=False):
    """See :meth:`lassokit.Path.coef_at`."""
    arr, scalar = _strengths(alpha)
    p = path.coefs.shape[0]
    out = np.empty((p, arr.size), dtype=path.coefs.dtype)
    C = np.asarray(path.coefs, dtype=np.float64)
    for m, a in enumerate(arr):
        if exact:
            out[:, m] = _exact(path, a)[0]
        else:
            i, j, t = _weights(path.alphas, a)
            out[:, m] = (1.0 - t) * C[:, i] + t * C[:, j]
    return out[:, 0] if scalar else out


def intercept_at(path, alpha, exact=False):
    """See :meth:`lassokit.Path.intercept_at`."""
    arr, scalar = _strengths(alpha)
    out = np.empty(arr.size)
    for m, a in enumerate(arr):
        if exact:
            out[m] = _exact(path, a)[1]
        else:
            i, j, t = _weights(path.alphas, a)
            out[m] = (1.0 - t) * path.intercepts[i] + t * path.intercepts[j]
    return float(out[0]) if scalar else out


def decision_function(path, X, alpha=None, exact=False):
    """See :meth:`lassokit.Path.decision_function`."""
    X = check_X(X)
    p = path.coefs.shape[0]
    if X.shape[1] != p:
        raise ValueError(f"X has {X.shape[1]} features, but the path has {p}.")
    if alpha is None:
        C, b, scalar = np.asarray(path.coefs, dtype=np.float64), path.intercepts, False
    else:
        arr, scalar = _strengths(alpha)
        if exact:
            sols = [_exact(path, a) for a in arr]
            C = np.column_stack([np.asarray(c, dtype=np.float64) for c, _ in sols])
            b = np.array([icpt for _, icpt in sols])
        else:
            C = np.asarray(coef_at(path, arr), dtype=np.float64).reshape(p, -1)
            b = np.atleast_1d(intercept_at(path, arr))
    Z = np.column_stack([_linalg.matvec(X, C[:, m]) for m in range(C.shape[1])]) + b
    return Z[:, 0] if scalar else Z
