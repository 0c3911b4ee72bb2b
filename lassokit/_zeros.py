"""Exact zeros for the coefficients that the certificate proves are zero.

Interior-point and ADMM-type solvers (CVXPY's, OSQP) return ``1e-12``
instead of ``0`` for features outside the support, so ``support``,
``coef_`` and ``sparse_coef_`` would come back dense. Rather than a
threshold on the coefficients' raw scale (features may be 1e10 apart),
the zeros are read off the certificate with the Gap Safe test (Fercoq,
Gramfort & Salmon 2015): with the feasible dual point ``c r`` and the gap
``G``, the optimal dual point lies within ``sqrt(2 G L_j)`` of it in feature
``j``'s direction, so

    c |u_j| + sqrt(2 G L_j) < lam_j   =>   w_j = 0 at every optimum,

where ``u_j = xc_j^T S r / n`` and ``L_j = ||xc_j||_S^2 / n``. Only features
with an L1 term qualify. The caller keeps the zeroed point only if its own
certificate is no worse.

References
----------
O. Fercoq, A. Gramfort and J. Salmon (2015), "Mind the duality gap: safer
rules for the Lasso", ICML.
"""

from __future__ import annotations

import numpy as np

from . import _box, _linalg
from .certificate import _gradient, residual
from .penalty import Penalty

__all__ = ["provably_zero"]


def provably_zero(design, X, coef):
    """The non-zero entries of ``coef`` that are zero at the optimum, and ``coef``'s residual.

    Returns
    -------
    (ndarray of bool, ndarray) or None
        The mask and the centred residual of ``coef`` (a dual candidate for
        the zeroed point: zeroing moves the residual, and with badly scaled
        columns the moved residual alone can be a much worse dual point).
        None when nothing is zero (or there is nothing to test: no
        candidate, or fully unpenalized features, whose dual point needs a
        projection).
    """
    from .kernels._common import dual_objective

    d = design
    cand = (d.lam > 0) & (coef != 0)
    if not np.any(cand) or d.unpenalized.size:
        return None
    r = residual(d, X, coef)
    u = _gradient(d, X, r)
    sr = r if d.sw is None else d.sw * r
    nb = float(sr @ r) / d.n
    a = float(sr @ d.yc) / d.n
    if not (np.isfinite(nb) and np.isfinite(a) and np.all(np.isfinite(u))):
        return None
    dual, c = dual_objective(a, nb, np.ascontiguousarray(u), d.lam, d.mu, d.box)
    gap = max(0.5 * nb + Penalty.value(coef, d.lam, d.mu) - dual, 0.0)
    if not c > 0.0:
        return None
    with np.errstate(over="ignore", invalid="ignore"):
        # Overflow (X ~ 1e150) gives an infinite radius: nothing is zeroed.
        L = _linalg.column_sq_norms(X, d.sw, d.x_offset if d.fit_intercept else None) / d.n
        radius = np.sqrt(2.0 * gap) * np.sqrt(L)
    eff = _box.box_score(u, d.box)
    zero = cand & (c * eff + radius < d.lam)
    return (zero, r) if np.any(zero) else None
