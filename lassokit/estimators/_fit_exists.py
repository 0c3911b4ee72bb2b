"""Whether an unpenalized GLM fit has a minimizer: the check behind ``C=inf`` and ``alpha=0``.

Without a penalty, the logistic and Poisson losses can decrease for ever
along a direction of the coefficients; a solver would then run to its
budget and return an arbitrary large answer. ``LogisticRegression``,
``LogisticRegressionCV`` (per fold) and ``PoissonRegressor`` ask this module
first and refuse such a fit with a ``ValueError`` that says why.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["unpenalized_fit_exists", "weighted_fit_exists"]


def unpenalized_fit_exists(X, margins, equalities=None, *, fit_intercept=True, bounds=None):
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
    never rests on the LP solver's word alone. With bounds on the
    coefficients only the directions the bounds allow count (a finite
    lower bound allows ``w_j`` to grow only, a finite upper one to shrink
    only; both finite: ``w_j`` cannot move for ever).

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        The rows with positive weight only.
    margins : ndarray of shape (n_rows,)
        Signs ``m_i``: the margin of row ``i`` is ``m_i * z_i``.
    equalities : ndarray of bool of shape (n_rows,), optional
        Rows whose ``z_i`` must stay 0 (their sign is then unused).
    fit_intercept : bool, default=True
    bounds : (ndarray, ndarray) or None, default=None
        Lower and upper bounds of the coefficients (``-inf``/``inf``: open).

    Returns
    -------
    bool
    """
    # Loaded here: only a fit without penalty needs the LP solver.
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
                  bounds=_direction_bounds(bounds, X.shape[1], fit_intercept),
                  method="highs")
    if res.status != 0 or res.x is None:
        return True  # undecided: solve, and let the certificate speak
    u = res.x
    scale = float(abs(A).sum(axis=1).max()) or 1.0
    m = ineq @ u
    off = np.abs(equal @ u) if equal.shape[0] else np.zeros(1)
    return not (m.min() >= -1e-9 * scale and off.max() <= 1e-9 * scale
                and m.max() > 1e-6 * scale)


def _direction_bounds(bounds, p, fit_intercept):
    """The LP's box on the direction ``u = (w, b)``: the recession cone of the bounds, cut at 1."""
    if bounds is None:
        lo, hi = np.full(p, -1.0), np.ones(p)
    else:
        lo = np.where(np.isneginf(bounds[0]), -1.0, 0.0)
        hi = np.where(np.isposinf(bounds[1]), 1.0, 0.0)
    rows = list(zip(lo.tolist(), hi.tolist()))
    return rows + [(-1.0, 1.0)] if fit_intercept else rows


def weighted_fit_exists(X, margins, weights=None, equalities=None, *, fit_intercept=True,
                        bounds=None):
    """:func:`unpenalized_fit_exists` on the rows of positive weight.

    A row of weight 0 is not in the loss, so it cannot stop a direction.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    margins : ndarray of shape (n_samples,)
    weights : ndarray of shape (n_samples,), optional
        Sample weights; None keeps every row.
    equalities : ndarray of bool of shape (n_samples,), optional
    fit_intercept : bool, default=True
    bounds : (ndarray, ndarray) or None, default=None
        As for :func:`unpenalized_fit_exists`.

    Returns
    -------
    bool
    """
    keep = np.arange(X.shape[0]) if weights is None else np.flatnonzero(weights > 0)
    eq = None if equalities is None else np.asarray(equalities)[keep]
    return unpenalized_fit_exists(X[keep], np.asarray(margins)[keep], eq,
                                  fit_intercept=fit_intercept, bounds=bounds)
