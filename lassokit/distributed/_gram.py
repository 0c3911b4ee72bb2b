"""The sufficient-statistics tier: an exact small surrogate of a tall problem.

With ``M = [Xc, yc]^T S [Xc, yc]`` (the (p+1) x (p+1) weighted, centred
co-moment matrix of :mod:`._stats`) and any factor ``R`` with
``R^T R = M`` (m rows), put

    Z = sqrt(m / n) R[:, :p],    t = sqrt(m / n) R[:, p].

For every ``w``, with ``v = [-w, 1]``,

    1/(2m) ||t - Z w||^2 = 1/(2n) v^T M v = 1/(2n) ||S^(1/2) (yc - Xc w)||^2,

so the m x p problem ``Problem(Z, t, penalty, fit_intercept=False)`` has
*the same* objective as the original at every ``w`` (no constant shift), the
same ``P(0, b0)``, the same ``alpha_max`` and, because the certificate only
sees the data through ``<s q, yc>``, ``||S^(1/2) q||`` and ``Xc^T S q`` (which
the surrogate reproduces for the residual), the same duality gap. Any local
backend then solves it and lassokit's own certificate certifies it: the
relative tolerance needs no rescaling.

``R`` is the Cholesky factor of ``M`` (the R of a QR factorization of
``S^(1/2)[Xc, yc]``, the "R-factor compression" of least squares), whose last
diagonal entry holds the residual sum of squares of the least-squares fit
without cancellation; this replaces the eigendecomposition-plus-constant
construction (``Z = Lambda^(1/2) V^T``, ``t = Lambda^(-1/2) V^T b`` and a
constant shift), which loses accuracy in ``b^T G^+ b`` and would need the
relative tolerance rescaled. A singular ``M`` (``p >= n``, collinear columns, or
``y`` in their span) falls back to a symmetric eigendecomposition, dropping
eigenvalues below ``(p + 1) * eps * max(eig)``.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from ..problem import Problem

__all__ = ["Surrogate", "build_surrogate"]


class Surrogate:
    """A small in-memory problem equivalent to a distributed one.

    Attributes
    ----------
    problem : Problem
        The m x p surrogate (``fit_intercept=False``).
    x_offset : ndarray of shape (p,)
        Weighted column means of X (zeros without intercept).
    y_offset : float
    fit_intercept : bool
    n_samples : int
    factor : str
        ``"cholesky"`` or ``"eigh"``.
    """

    def __init__(self, problem, x_offset, y_offset, fit_intercept, n_samples, factor):
        self.problem = problem
        self.x_offset = x_offset
        self.y_offset = y_offset
        self.fit_intercept = fit_intercept
        self.n_samples = n_samples
        self.factor = factor

    def intercept(self, coef):
        """Optimal intercept of the original problem for ``coef``."""
        if not self.fit_intercept:
            return 0.0
        return self.y_offset - float(self.x_offset @ np.asarray(coef, dtype=np.float64))

    def with_penalty(self, penalty):
        """The same surrogate with another penalty."""
        return Surrogate(self.problem.replace(penalty=penalty), self.x_offset, self.y_offset,
                         self.fit_intercept, self.n_samples, self.factor)


def _factor(M):
    """A factor ``R`` (m x (p+1)) with ``R^T R = M`` and its kind."""
    try:
        # Cholesky is backward stable on any matrix it completes on, however
        # ill-conditioned: R^T R reproduces M to rounding, which is all we need.
        L = scipy.linalg.cholesky(M, lower=True, check_finite=False)
        if np.all(np.isfinite(L)):
            return L.T, "cholesky"
    except np.linalg.LinAlgError:
        pass
    lam, V = scipy.linalg.eigh(M, check_finite=False)
    keep = lam > M.shape[0] * np.finfo(float).eps * max(lam.max(), 0.0)
    if not np.any(keep):
        return np.zeros((1, M.shape[0])), "eigh"
    R = np.sqrt(lam[keep])[:, None] * V[:, keep].T
    return R, "eigh"


def build_surrogate(moments, penalty, *, fit_intercept, positive):
    """Build the exact surrogate of the problem described by ``moments``.

    Parameters
    ----------
    moments : Moments
    penalty : Penalty
    fit_intercept, positive : bool

    Returns
    -------
    Surrogate
    """
    x_offset, y_offset, M = moments.normalized(fit_intercept)
    n, p = moments.n_rows, moments.n_features
    R, kind = _factor(M)
    m = R.shape[0]
    scale = np.sqrt(m / n)
    Z = np.ascontiguousarray(scale * R[:, :p])
    t = scale * R[:, p]
    prob = Problem(Z, t, penalty, fit_intercept=False, positive=positive)
    return Surrogate(prob, x_offset, y_offset, fit_intercept, n, kind)
