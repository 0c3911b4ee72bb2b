"""lassokit's certificate evaluated from reduced (summed) quantities.

:func:`lassokit.certificate.dual_value` sees a dual candidate ``q`` (an
n-vector in residual space) only through

    a = <s q, yc>,   nb = ||S^(1/2) q||^2,   sq = sum(s q),   h = Xc^T S q,

and, for the features with neither an L1 nor an L2 term (which it projects
out in the ``s``-weighted inner product), through their Gram blocks
``Xu^T S Xu``, ``Xc^T S Xu`` and ``Xu^T S yc``. Each of these is a sum over
rows, so row blocks can compute their parts where the data live and the
client finishes with the *same* steps as ``dual_value``: weighted centring,
projection of the unpenalized features (least squares, or NNLS with
``positive``), the L1-box bound on the scale and the exact maximization of
the one-dimensional concave dual (``certificate.scaled_dual``). The test
suite checks that both routes agree to rounding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.optimize

from ..certificate import Certificate, scaled_dual
from ..penalty import Penalty

__all__ = ["ReducedResidual", "UnpenalizedBlock", "reduced_certificate", "reduced_dual_value"]


@dataclass
class ReducedResidual:
    """Row sums describing a dual candidate ``q`` (usually the residual).

    Attributes
    ----------
    a : float
        ``sum_i s_i q_i yc_i``.
    nb : float
        ``sum_i s_i q_i^2``.
    sq : float
        ``sum_i s_i q_i``.
    h : ndarray of shape (p,)
        ``Xc^T S q``.
    """

    a: float
    nb: float
    sq: float
    h: np.ndarray

    def __add__(self, other):
        return ReducedResidual(self.a + other.a, self.nb + other.nb, self.sq + other.sq,
                               self.h + other.h)


@dataclass
class UnpenalizedBlock:
    """Gram blocks of the fully unpenalized features ``u`` (k of them).

    Attributes
    ----------
    idx : ndarray of int, shape (k,)
    Guu : ndarray of shape (k, k)
        ``Xu^T S Xu`` (centred columns).
    Gpu : ndarray of shape (p, k)
        ``Xc^T S Xu``.
    bu : ndarray of shape (k,)
        ``Xu^T S yc``.
    """

    idx: np.ndarray
    Guu: np.ndarray
    Gpu: np.ndarray
    bu: np.ndarray

    def __add__(self, other):
        return UnpenalizedBlock(self.idx, self.Guu + other.Guu, self.Gpu + other.Gpu,
                                self.bu + other.bu)


def _project(red, unpen, positive):
    """Subtract ``Xu nu`` from ``q`` (least squares / NNLS in the s-inner product).

    Returns None when the remainder is below what the reduced arithmetic can
    resolve (``q`` in the span of the unpenalized columns), as
    ``certificate._project_unpenalized`` does: its ``||S^(1/2) q'||^2`` comes
    from a difference of terms of size ``||S^(1/2) q||^2``, so a remainder
    under ``100 eps cond(Xu^T S Xu)`` of that is rounding noise, and scaling
    noise up could claim a dual value above ``P*``.
    """
    hu = red.h[unpen.idx]
    G = 0.5 * (unpen.Guu + unpen.Guu.T)
    lam, V = scipy.linalg.eigh(G, check_finite=False)
    keep = lam > G.shape[0] * np.finfo(float).eps * max(lam.max(initial=0.0), 0.0)
    cond = float(lam.max() / lam[keep].min()) if np.any(keep) else 1.0
    if positive:
        # min ||S^(1/2)(q - Xu nu)||^2, nu >= 0, written with a square root of G.
        A = np.sqrt(lam[keep])[:, None] * V[:, keep].T
        rhs = (V[:, keep].T @ hu) / np.sqrt(lam[keep])
        if A.shape[0] == 0:
            return red
        nu = scipy.optimize.nnls(A, rhs, maxiter=50 * max(A.shape[1], 10))[0]
    else:
        nu = V[:, keep] @ ((V[:, keep].T @ hu) / lam[keep])
    nb = red.nb - 2.0 * float(nu @ hu) + float(nu @ (G @ nu))
    if nb <= 100.0 * np.finfo(float).eps * max(cond, 1.0) * red.nb:
        return None
    return ReducedResidual(a=red.a - float(nu @ unpen.bu), nb=nb, sq=red.sq,
                           h=red.h - unpen.Gpu @ nu)


def reduced_dual_value(design, red, unpen=None):
    """``certificate.dual_value`` from reduced quantities.

    Parameters
    ----------
    design : object
        Needs ``n``, ``lam``, ``mu``, ``positive``, ``fit_intercept`` and
        ``unpenalized`` as in ``Problem._design``.
    red : ReducedResidual
    unpen : UnpenalizedBlock, optional
        Required when ``design.unpenalized`` is not empty.

    Returns
    -------
    float
        A lower bound on ``P*``.
    """
    n = design.n
    if design.fit_intercept:
        # q - mean_s(q): <s, yc> = 0 and Xc^T s = 0, so only nb changes.
        m = red.sq / n
        red = ReducedResidual(red.a, red.nb - n * m * m, 0.0, red.h)
    if design.unpenalized.size:
        if unpen is None:
            raise ValueError("unpenalized features need their Gram blocks (unpen=...).")
        red = _project(red, unpen, design.positive)
        if red is None:
            return 0.0
    return scaled_dual(design, red.a / n, max(red.nb, 0.0) / n, red.h / n)


def reduced_certificate(design, coef, red, intercept, p0, unpen=None):
    """Objective and duality gap at ``coef`` from the reduced residual ``red``.

    Parameters
    ----------
    design : object
        As for :func:`reduced_dual_value`.
    coef : ndarray of shape (p,)
    red : ReducedResidual
        Sums for the residual ``yc - Xc coef``.
    intercept : float
        The optimal intercept for ``coef``.
    p0 : float
        ``P(0, b0)``, the scale of the relative gap.
    unpen : UnpenalizedBlock, optional

    Returns
    -------
    Certificate
    """
    coef = np.asarray(coef, dtype=np.float64)
    if design.positive and np.any(coef < 0):
        return Certificate(np.inf, intercept, np.inf, p0)
    primal = 0.5 * max(red.nb, 0.0) / design.n + Penalty.value(coef, design.lam, design.mu)
    dual = reduced_dual_value(design, red, unpen)
    return Certificate(primal, intercept, max(primal - dual, 0.0), p0)
