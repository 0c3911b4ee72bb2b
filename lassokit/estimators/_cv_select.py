"""Choosing alpha (or ``C``) from cross-validated errors, and restating a CV for rescaled targets.

The mean and standard error of the fold errors, the minimum (with ties to
rounding going to the largest alpha), the one-standard-error rule (for
alpha, for the ``C`` of a maximized score, and for the (alpha, gamma) pairs
of the relaxed lasso), and the
restatement of ``(l1_ratio, alphas)`` when the target is cross-validated in
units where ``max|yc| ~ 1`` (see ``lassokit._rescale``).
"""

from __future__ import annotations

import numpy as np

from .._rescale import restated


def standard_error(values, axis=-1):
    """Standard error of the mean over ``axis``: ``std(ddof=1) / sqrt(K)``, NaN for K = 1.

    glmnet's ``cvsd`` over K folds; with one fold it is undefined.

    Parameters
    ----------
    values : ndarray
    axis : int, default=-1
        The axis of the folds.

    Returns
    -------
    ndarray
        ``values``' shape without ``axis``.
    """
    k = values.shape[axis]
    if k < 2:
        return np.full(np.delete(values.shape, axis), np.nan)
    return values.std(axis=axis, ddof=1) / np.sqrt(k)


def _standard_errors(mse):
    """Standard error of the mean test MSE over folds, per (l1_ratio, alpha).

    ``mse`` has shape (n_l1_ratio, n_folds, n_alphas).
    """
    return standard_error(mse, axis=1)


def _restated(y, l1_ratios, grids, c):
    """``y / c`` and each ``(l1_ratio, alphas)`` restated for it (``c = 1``: unchanged).

    At ``(alpha, r)`` the L1 strength ``alpha r`` becomes ``alpha r / c`` and
    the L2 strength ``alpha (1 - r)`` stays: overall strengths times
    ``r / c + 1 - r`` at the L1 share ``(r / c) / (r / c + 1 - r)``.
    """
    if c == 1.0:
        return y, l1_ratios, grids
    factors, ratios = restated(np.asarray(l1_ratios, dtype=np.float64), c)
    return y / c, list(ratios), np.asarray(grids) * factors[:, None]


def _max_abs(X):
    data = X.data if hasattr(X, "tocsc") else X
    return float(np.max(np.abs(data))) if data.size else 0.0


#: Mean CV errors within this relative distance of the minimum are ties.
_TIE = 1e-9


def _first_minimum(curve):
    """Index of the largest alpha whose mean CV error ties the minimum to rounding.

    In the interpolating regime (p > n) the curve is flat at its floor:
    dozens of alphas share one test error up to ~1e-12, and a strict
    ``argmin`` picked among them by rounding noise (a fit with integer
    sample weights and the same fit on repeated rows chose alphas 1.7x
    apart). A tie goes to the largest alpha, the sparsest model, as a strict
    argmin over a decreasing grid does for exact ties.
    """
    curve = np.asarray(curve, dtype=np.float64)
    best = float(np.min(curve))
    if not np.isfinite(best):
        return int(np.argmin(curve))
    return int(np.flatnonzero(curve <= best + _TIE * abs(best))[0])


def best_cell(mean):
    """``(row, i)`` of the smallest mean CV error over the rows of ``mean``.

    Each row (one ``l1_ratio``, over a decreasing grid) is read at its first
    minimum (:func:`_first_minimum`, non-finite errors never chosen); an
    earlier row keeps the choice unless a later one is strictly smaller.

    Parameters
    ----------
    mean : ndarray of shape (n_l1_ratio, n_alphas)

    Returns
    -------
    (int, int)
    """
    best, row, i_best = np.inf, None, 0
    for j, curve in enumerate(mean):
        i = _first_minimum(np.where(np.isfinite(curve), curve, np.inf))
        if row is None or curve[i] < best:
            best, row, i_best = curve[i], j, i
    return row, i_best


def _one_standard_error_alpha(grid, mean, se):
    """The largest alpha whose mean MSE is within one standard error of the minimum.

    glmnet's ``lambda.1se``: the threshold is the minimum mean MSE plus the
    standard error at that minimum. Without a standard error (one fold) it
    is the minimizer itself.
    """
    i = int(np.argmin(mean))
    if not np.isfinite(se[i]):
        return float(grid[i])
    within = mean <= mean[i] + se[i]
    return float(np.max(grid[within]))


def _largest_cell(mask, gammas):
    """``(i_gamma, i_alpha)`` of the True cell with the largest alpha, then the largest gamma.

    ``mask`` is (n_gammas, n_alphas) over a decreasing grid: the largest
    alpha is the first column with a True cell.
    """
    a = int(np.flatnonzero(mask.any(axis=0))[0])
    rows = np.flatnonzero(mask[:, a])
    return int(rows[np.argmax(gammas[rows])]), a


def _relaxed_choice(grid, gammas, mean, se):
    """``((alpha, gamma), (alpha_1se, gamma_1se))`` over the relaxed mean CV errors.

    glmnet's ``cv.glmnet(relax = TRUE)``: the minimum over every (gamma,
    alpha) pair, ties (to rounding, as :func:`_first_minimum`) going to the
    largest alpha, then the largest gamma; the one-standard-error pair is
    the largest alpha, then the largest gamma, whose mean error is at most
    the minimum plus its standard error (the minimum itself with one fold).

    Parameters
    ----------
    grid : ndarray of shape (n_alphas,)
        Decreasing.
    gammas : ndarray of shape (n_gammas,)
    mean, se : ndarray of shape (n_gammas, n_alphas)

    Returns
    -------
    tuple of two (float, float)
    """
    curve = np.where(np.isfinite(mean), mean, np.inf)
    best = float(np.min(curve))
    ties = curve <= best + _TIE * abs(best) if np.isfinite(best) else curve == best
    g, a = _largest_cell(ties, gammas)
    if np.isfinite(se[g, a]):
        g1, a1 = _largest_cell(curve <= curve[g, a] + se[g, a], gammas)
    else:
        g1, a1 = g, a
    return (float(grid[a]), float(gammas[g])), (float(grid[a1]), float(gammas[g1]))


def one_standard_error_C(Cs, mean, se, best=None):
    """The smallest ``C`` whose mean score is within one standard error of the best.

    The best is the largest mean score (first in the order of ``Cs`` on
    ties), or the index ``best``; the threshold is that mean minus the
    standard error there. With no standard error (one fold) it is the best
    ``C`` itself. The rule of :func:`_one_standard_error_alpha` turned round
    for a score that is maximized over an inverse strength.

    Parameters
    ----------
    Cs, mean, se : ndarray of shape (n_cs,)
    best : int, optional

    Returns
    -------
    float
    """
    Cs, mean, se = (np.asarray(a, dtype=np.float64) for a in (Cs, mean, se))
    i = int(np.argmax(mean)) if best is None else int(best)
    if not np.isfinite(se[i]):
        return float(Cs[i])
    return float(np.min(Cs[mean >= mean[i] - se[i]]))
