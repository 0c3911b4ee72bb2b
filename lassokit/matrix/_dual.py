"""The duality-gap certificate of matrix and group problems (squared loss).

Primal (``R = Y - Xc W``, ``h`` the normalized weights)::

    P(W) = 1/(2n) sum_i h_i ||R_i||^2 + sum_b a_b ||W_b|| + sum_j l_j |W_j|_1 + m_j/2 ||W_j||^2

Fenchel dual over ``U`` of shape (n, K) with ``1^T U = 0`` when an
intercept is fitted::

    D(U) = sum_i [u_i^T y_i - n/(2 h_i) ||u_i||^2] - Omega*(Xc^T U).

The dual point is the residual, scaled: ``U = t H R / n``, so with ``V =
Xc^T H R / n``, ``a = sum h r.y / n`` and ``c = sum h ||r||^2 / n``,

    D(t) = t a - t^2 c / 2 - Omega*(t V).

Per block, ``Omega_b*`` is the indicator of ``||ST(V_b, l)|| <= a_b`` without
an L2 part (the dual norm of the sparse group lasso: a box of side ``l``
plus a ball of radius ``a_b``) and ``(||ST(V_b, l)|| - a_b)_+^2 / (2 m_b)``
with one (the squared distance to that set, over ``2 m_b``). So ``t`` ranges
over ``[0, t_max]`` with ``t_max`` the exact scale of
:func:`lassokit.kernels.group_scale.block_scales`, and ``D`` is concave in
``t``: a closed form without L2 parts, a safeguarded Newton step on
``D'`` with them (:func:`lassokit.kernels.group_scale.best_dual_scale`).
Features with no penalty at all (``l = m = 0``, no group) need ``V_j = 0``
exactly: the residual is first projected off their columns (weighted least
squares), which keeps ``U`` a dual point.

Gap Safe screening (Ndiaye et al., 2017): the dual is ``n``-strongly
concave in the ``H^{-1/2}``-weighted norm, so the dual optimum lies within
``sqrt(2 G / n)`` of ``U``, and ``||ST(Xc_b^T U*, l)|| <= ||ST(t V_b, l)|| +
sqrt(2 G L_b)`` with ``L_b`` the block's weighted Lipschitz constant: a block
for which that is below ``a_b`` is zero at the optimum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._design import datafit, residual, xtm

__all__ = ["MatrixCertificate", "block_norms", "certify_squared", "feasible_scales", "violation"]

_GOLDEN = 0.5 * (np.sqrt(5.0) - 1.0)


@dataclass(frozen=True)
class MatrixCertificate:
    """Primal value, a certified gap, and the dual point's parts (for screening)."""

    objective: float
    dual: float
    gap: float
    t: float
    #: ``Xc^T H R / n`` (unscaled), shape (p, K).
    V: np.ndarray


def _st_rows_sq(V, lam):
    """Row sums of ``ST(V, lam)^2``: the squared soft-thresholded norm of each row."""
    S = np.maximum(np.abs(V) - lam[:, None], 0.0)
    return np.einsum("jk,jk->j", S, S)


def block_norms(layout, V, t=1.0):
    """``||ST(t V_b, l)||_2`` of every block."""
    rows = _st_rows_sq(t * V, layout.lam) if t != 1.0 else _st_rows_sq(V, layout.lam)
    if layout.gidx.size == 0:
        return np.zeros(0)
    return np.sqrt(np.add.reduceat(rows[layout.gidx], layout.gptr[:-1]))


def _unpenalized_rows(layout):
    # Features in a penalized group are penalized by it.
    return (layout.lam == 0) & (layout.mu == 0) & ~layout.excluded & ~layout.grouped


def feasible_scales(layout, V):
    """Per block, the largest ``t`` that keeps ``t V`` dual feasible (``inf``: no limit)."""
    from ..kernels.group_scale import (
        block_scales,  # numba: loaded at the first certificate
    )

    absv = np.abs(V)
    absv[layout.mu > 0] = 0.0  # an L2 part makes the conjugate finite
    absv[_unpenalized_rows(layout)] = 0.0  # projected to 0 beforehand
    skip = np.zeros(layout.n_blocks, dtype=bool)
    out = np.empty(layout.n_blocks)
    block_scales(absv, layout.lam, layout.gptr, layout.gidx, layout.galpha, skip, out)
    return out


def conjugate(layout, V, t):
    """``Omega*(t V)`` restricted to its finite part (the L2 parts)."""
    lam, mu = layout.lam, layout.mu
    if not np.any(mu > 0):
        return 0.0
    rows = _st_rows_sq(t * V, lam)
    # Rows of unweighted blocks: entry-wise, ||ST||^2 / (2 m).
    sep = ~layout.grouped & (mu > 0)
    value = float(np.sum(rows[sep] / (2.0 * mu[sep])))
    grouped = (layout.galpha > 0)
    if np.any(grouped):
        sums = np.add.reduceat(rows[layout.gidx], layout.gptr[:-1])
        mu_b = mu[layout.gidx[layout.gptr[:-1]]]  # equal inside a group
        on = grouped & (mu_b > 0)
        excess = np.maximum(np.sqrt(sums[on]) - layout.galpha[on], 0.0)
        value += float(np.sum(excess * excess / (2.0 * mu_b[on])))
    return value


def _project_free(d, R):
    """``R`` less its weighted projection on the unpenalized centred columns."""
    free = np.flatnonzero(_unpenalized_rows(d.layout))
    if free.size == 0:
        return R
    from .. import _linalg

    A = _linalg.columns(d.X, free) - d.x_offset[free]
    sq = np.sqrt(d.h)
    coef, *_ = np.linalg.lstsq(A * sq[:, None], R * sq[:, None], rcond=None)
    return R - A @ coef


def best_scale(a, c, layout, V, t_max):
    """The ``t`` in ``[0, t_max]`` maximizing ``t a - t^2 c / 2 - Omega*(t V)``."""
    if c <= 0.0:
        return 0.0
    hi = min(t_max, max(a / c, 0.0))
    if not np.any(layout.mu > 0) or hi == 0.0:
        return hi
    from ..kernels.group_scale import best_dual_scale  # numba: loaded on first use

    mu = layout.mu
    entry = ~layout.grouped & (mu > 0)
    # mu is equal inside a group; a block without an L2 part is an indicator (in t_max).
    gmu = np.zeros(layout.n_blocks)
    if layout.gidx.size:
        gmu = np.where(layout.galpha > 0, mu[layout.gidx[layout.gptr[:-1]]], 0.0)
    return float(best_dual_scale(float(a), float(c), float(hi), np.abs(V), layout.lam, mu,
                                 entry, layout.gptr, layout.gidx, layout.galpha, gmu))


def golden_max(f, lo, hi, steps=60):
    """``(argmax, max)`` of a concave ``f`` on ``[lo, hi]`` by golden-section search."""
    x1 = hi - _GOLDEN * (hi - lo)
    x2 = lo + _GOLDEN * (hi - lo)
    f1, f2 = f(x1), f(x2)
    for _ in range(steps):
        if f1 < f2:
            lo, x1, f1 = x1, x2, f2
            x2 = lo + _GOLDEN * (hi - lo)
            f2 = f(x2)
        else:
            hi, x2, f2 = x2, x1, f1
            x1 = hi - _GOLDEN * (hi - lo)
            f1 = f(x1)
    return (x1, f1) if f1 >= f2 else (x2, f2)


def certify_squared(d, W, penalty_value, W_dual=None):
    """Certify ``W`` on the squared-loss matrix problem ``d``.

    The residual is recomputed from ``W`` (never a solver's running one).

    Parameters
    ----------
    d : MatrixDesign
    W : ndarray of shape (p, K)
    penalty_value : callable
        ``W -> Omega(W)`` (``inf`` off the excluded features' zeros).
    W_dual : ndarray of shape (p, K), optional
        Build the dual point from this point's residual instead (any point
        gives a valid dual point): the unrounded solution of a float32
        problem, whose own residual is a far better dual point than the
        rounded one's (rounding moves the dual by first order, the primal
        by second).

    Returns
    -------
    MatrixCertificate
    """
    R = residual(d, W)
    pobj = datafit(d, R) + penalty_value(W)
    Rd = _project_free(d, R if W_dual is None else residual(d, W_dual))
    HR = Rd * d.h[:, None]
    V = xtm(d, HR) / d.n
    a = float(np.einsum("ik,ik->", HR, d.Y)) / d.n
    c = float(np.einsum("ik,ik->", HR, Rd)) / d.n
    scales = feasible_scales(d.layout, V)
    t_max = float(scales.min()) if scales.size else np.inf
    t = best_scale(a, c, d.layout, V, t_max)
    dual = t * a - 0.5 * t * t * c - conjugate(d.layout, V, t)
    gap = max(pobj - dual, 0.0) if np.isfinite(pobj) else np.inf
    return MatrixCertificate(pobj, dual, gap, t, V)


def screen(layout, V, t, gap, lips):
    """Blocks that Gap Safe rules prove zero at the optimum (bool per block)."""
    radius = np.sqrt(2.0 * max(gap, 0.0) * lips)
    norms = block_norms(layout, V, t)
    out = norms + radius < layout.galpha
    # Unweighted blocks: entry-wise L1, every entry below its threshold.
    sep = layout.galpha == 0
    if np.any(sep):
        rowmax = np.abs(t * V).max(axis=1) if V.shape[1] else np.zeros(V.shape[0])
        lam = layout.lam
        ok_rows = (lam > 0) & (rowmax + 0.0 < lam)
        # Each row needs its own margin; the block's L bounds every row's.
        r_rows = np.repeat(radius, layout.sizes)
        ok = ok_rows[layout.gidx] & (rowmax[layout.gidx] + r_rows < lam[layout.gidx])
        all_ok = np.logical_and.reduceat(ok, layout.gptr[:-1]) if ok.size else ok
        out[sep] = all_ok[sep]
    return out


def violation(lay, V, t):
    """How far each block's dual constraint is from binding (> 0: violated)."""
    out = block_norms(lay, V, t) - lay.galpha
    sep = lay.galpha == 0
    if np.any(sep):
        rowgap = np.abs(t * V).max(axis=1) - lay.lam
        out[sep] = np.maximum.reduceat(rowgap[lay.gidx], lay.gptr[:-1])[sep]
    return out
