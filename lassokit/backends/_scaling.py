"""Power-of-two rescaling for backends whose solvers stop on absolute tolerances.

OSQP and the solvers behind CVXPY stop on absolute residuals (``eps_abs``,
``tol_feas``, ...), so the same problem stated in other units converged,
stalled or failed depending on the units: at ``tol=1e-8`` both backends
failed once X or y was multiplied by 1e-3 or 1e3, and OSQP returned
coefficients of 1e9 when ``a1`` was 1e200 times ``alpha_max``. Solving the
problem with X and y brought to unit scale removes the dependence: with
``X' = X / cx`` and ``yc' = yc / cy``,

    a1' = a1 / (cx cy),   a2' = a2 / cx^2,   w = w' * cy / cx,

and the objective is ``P = cy^2 P'`` (substitute ``w = w' cy / cx`` in lassokit's
objective). ``cx`` and ``cy`` are powers of two, so the rescaling itself is
exact in floating point.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import scipy.sparse as sp

from .. import _linalg
from ..certificate import certify

__all__ = ["unit_scaled", "zero_is_optimal"]


def _pow2(value, min_exponent):
    """The power of two nearest to ``value > 0``; 1.0 for 0, inf or NaN and
    when its exponent is below ``min_exponent`` in magnitude."""
    if not np.isfinite(value) or value <= 0.0:
        return 1.0
    # 2**1024 is not a float (values near 1.8e308 round up to it).
    k = min(int(np.round(np.log2(value))), 1023)
    return float(np.ldexp(1.0, k)) if abs(k) > min_exponent else 1.0


def unit_scaled(design, X, min_exponent=0, per_column=False, y_min_exponent=None,
                centre=False):
    """The problem in units where X's columns and ``yc`` have scale ~1.

    Parameters
    ----------
    design : _Design
        ``Problem._design``.
    X : ndarray or sparse matrix
    min_exponent : int, default=0
        Rescale X (a copy) or y only when its scale is off by more than
        ``2**min_exponent``: solvers with relative stopping rules only need
        to be kept away from overflow and underflow.
    per_column : bool, default=False
        Scale each column by its own power of two (the weighted RMS of the
        centred column) instead of all by ``max|X|``: columns in different
        units otherwise leave OSQP's polishing step, a regularized KKT
        solve, short of small gaps (a Lasso with column scales 0.25 and 100
        stalled at a relative gap of 6e-10).
    y_min_exponent : int, optional
        ``min_exponent`` for y alone (default: ``min_exponent``).
    centre : bool, default=False
        Dense X with an intercept is returned centred (a float64 copy, and
        ``x_offset = 0``): solvers that see ``X w - x_offset^T w`` lose the
        digits of columns with a large mean and small spread (OSQP and CVXPY
        failed from offsets of 1e8). Sparse X is never centred (it would
        become dense).

    Returns
    -------
    design, X, cx, cy
        The rescaled design and X (a float64 copy when rescaled), ``cx``
        (a float, or per column an array) and ``cy``, powers of two:
        ``coef = coef_scaled * cy / cx``.
    """
    if centre and design.fit_intercept and not sp.issparse(X) and np.any(design.x_offset):
        # Entry by entry: x_ij - m_j is exact when they are close (Sterbenz).
        X = np.asarray(X, dtype=np.float64) - design.x_offset
        design = dataclasses.replace(design, x_offset=np.zeros(design.p))
        owned = True
    else:
        owned = False
    data = X.data if sp.issparse(X) else np.asarray(X)
    cx = _pow2(float(np.max(np.abs(data))) if data.size else 0.0, min_exponent)
    cy = _pow2(float(np.sqrt(2.0 * design.p0)),
               min_exponent if y_min_exponent is None else y_min_exponent)
    if cx != 1.0 or per_column:
        X = _scale_columns(X, 1.0 / cx, copy=not owned)
    if per_column:
        # On the globally scaled copy, so that the squares cannot overflow.
        rms = np.sqrt(_linalg.column_sq_norms(X, design.sw, design.x_offset / cx) / design.n)
        col = np.array([_pow2(v, min_exponent) for v in rms])
        X = _scale_columns(X, 1.0 / col, copy=False)
        cx = cx * col
    elif cx == 1.0 and cy == 1.0:
        return design, X, 1.0, 1.0
    scaled = dataclasses.replace(
        design,
        x_offset=design.x_offset / cx,
        y_offset=design.y_offset / cy,
        yc=design.yc / cy,
        # divided in turn: cx * cx alone may overflow
        lam=design.lam / cx / cy,
        mu=design.mu / cx / cx,
        p0=design.p0 / cy / cy,
        weak=None,  # recomputed on the rescaled strengths
        # coef_scaled = coef * cx / cy: the bounds alike (inf and 0 stay).
        box=design.box * (np.asarray(cx) / cy) if design.bounded else design.box,
    )
    return scaled, X, cx, cy


def _scale_columns(X, factor, copy=True):
    """``X * factor`` (a scalar or one factor per column) as float64."""
    if sp.issparse(X):
        X = X.astype(np.float64) if copy else X
        return (X @ sp.diags(np.broadcast_to(factor, X.shape[1]))).asformat(X.format)
    X = np.array(X, dtype=np.float64) if copy else X
    X *= factor
    return X


def zero_is_optimal(design, X, tol):
    """Whether ``coef = 0`` is already certified at ``tol`` (e.g. ``a1 >= alpha_max``).

    Interior-point and ADMM solvers return ~1e-17 instead of exact zeros, and
    lose accuracy when the L1 strengths dwarf the data; one certificate pass
    settles the case exactly. With ``yc = 0`` (``P(0) = 0``) it always holds.
    """
    return certify(design, X, np.zeros(design.p)).dual_gap <= tol * design.p0
