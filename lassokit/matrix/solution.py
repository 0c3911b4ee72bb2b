"""The certified solution of a matrix or group problem (coefficients with a K axis)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .._validation import check_X
from ..solution import Solution

__all__ = ["MatrixSolution"]


class MatrixSolution(Solution):
    """A :class:`~lassokit.Solution` whose coefficients may be a matrix.

    Attributes
    ----------
    coef : ndarray of shape (n_features, K) or (n_features,)
        ``(n_features,)`` when ``y`` was one-dimensional (a group penalty on
        one target), else one column per target (or class).
    intercept : ndarray of shape (K,) or float
        The optimal intercept of each column (a float for a 1-D ``y``).

    Every other attribute is :class:`~lassokit.Solution`'s: the objective,
    duality gap and status come from lassokit's own certificate, which sums
    over the K columns.
    """

    def __init__(self, *, intercept, **fields):
        b = np.asarray(intercept, dtype=np.float64)
        super().__init__(intercept=0.0, **fields)
        if b.ndim == 0:
            self.intercept = float(b)
        else:
            b = b.copy()
            b.flags.writeable = False
            self.intercept = b

    @property
    def support(self):
        """ndarray of int: the features with a non-zero coefficient (in any column)."""
        coef = self.coef if self.coef.ndim == 2 else self.coef[:, None]
        return np.flatnonzero(np.any(coef != 0, axis=1))

    def decision_function(self, X, offset=None):
        """``X @ coef + intercept`` (one column per target), shape (n_samples, K) or (n_samples,).

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        offset : array-like, optional
            Added to the result (same shape as it, or (n_samples,)).

        Returns
        -------
        ndarray
        """
        X = check_X(X)
        if X.shape[1] != self.coef.shape[0]:
            raise ValueError(f"X has {X.shape[1]} features, but the solution has "
                             f"{self.coef.shape[0]}.")
        W = np.asarray(self.coef, dtype=np.float64)
        out = X @ W if sp.issparse(X) else np.asarray(X, dtype=np.float64) @ W
        out = np.asarray(out) + self.intercept
        if offset is not None:
            off = np.asarray(offset, dtype=np.float64)
            out = out + (off[:, None] if off.ndim == 1 and out.ndim == 2 else off)
        return out.astype(self.coef.dtype, copy=False)

    def predict(self, X, offset=None):
        """The predicted mean: the linear predictor through the loss's inverse link.

        Class probabilities (softmax, shape (n_samples, K)) for the
        multinomial loss; ``X``, ``offset`` as for :meth:`decision_function`.
        """
        z = self.decision_function(X, offset)
        if self.loss.least_squares:
            return z
        return self.loss.inverse_link(z).astype(self.coef.dtype, copy=False)

    def __repr__(self):
        return (f"Solution(backend={self.backend!r}, status={self.status!r}, "
                f"objective={self.objective:.10g}, rel_gap={self.rel_gap:.3g}, "
                f"n_iter={self.n_iter}, features={self.support.size}/{self.coef.shape[0]}, "
                f"shape={self.coef.shape}, solve_time={self.solve_time:.3g}s)")

    def rescaled(self, c, dtype):
        """This solution for the target ``c`` times larger (a power of two)."""
        coef = (np.asarray(self.coef, dtype=np.float64) * c).astype(dtype)
        return MatrixSolution(coef=coef, intercept=np.asarray(self.intercept) * c,
                              objective=self.objective * c * c, dual_gap=self.dual_gap * c * c,
                              rel_gap=self.rel_gap, converged=self.converged, status=self.status,
                              n_iter=self.n_iter, backend=self.backend,
                              solve_time=self.solve_time, tol=self.tol,
                              info={**self.info, "target_scale": c}, loss=self.loss)
