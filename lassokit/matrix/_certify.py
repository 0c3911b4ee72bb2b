"""One entry per kind of matrix design (squared loss, multinomial): solve and certify."""

from __future__ import annotations

import numpy as np

from ..group import layout_value
from ._dual import certify_squared

__all__ = ["certify_design", "is_multinomial", "solve"]


def is_multinomial(d):
    """Whether ``d`` is a multinomial design (else squared loss)."""
    return getattr(d, "loss_name", "squared") == "multinomial"


def certify_design(d, W, W_dual=None):
    """``(objective, gap, intercept)`` of ``W`` on ``d``, the intercept optimal for it.

    The intercept is in the caller's units: ``b = y_offset - x_offset . W``
    (squared loss) or the centred multinomial intercept less ``x_offset . W``.
    ``W_dual``: the unrounded point of a float32 ``W``, whose residual gives
    the dual point when it is the better one (squared loss).
    """
    if is_multinomial(d):
        from ._multinomial import certify_multinomial

        cert = certify_multinomial(d, W)
        b = cert.c - d.x_offset @ W if d.fit_intercept else np.zeros(d.K)
        return cert.objective, cert.gap, b
    pen = lambda M: layout_value(d.layout, M)
    cert = certify_squared(d, W, pen)
    if W_dual is not None and cert.gap > 0:
        other = certify_squared(d, W, pen, W_dual)
        cert = other if other.gap < cert.gap else cert
    b = d.y_offset - d.x_offset @ W if d.fit_intercept else np.zeros(d.K)
    return cert.objective, cert.gap, b


def solve(d, *, tol, max_iter, W0=None, state=None, verbose=False):
    """Solve the design ``d`` to relative gap ``tol``: ``(W, n_iter, info)``.

    Block coordinate descent for least squares
    (:func:`lassokit.matrix._solver.solve_squared`), proximal Newton for the
    multinomial loss (:func:`lassokit.matrix._multinomial.solve_multinomial`).
    """
    if is_multinomial(d):
        from ._multinomial import solve_multinomial

        return solve_multinomial(d, tol=tol, max_iter=max_iter, W0=W0, verbose=verbose)
    from ._solver import solve_squared

    return solve_squared(d, tol=tol, max_iter=max_iter, W0=W0, state=state, verbose=verbose)
