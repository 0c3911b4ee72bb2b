"""The one result type of every solve, and the warning for unconverged ones."""

from __future__ import annotations

import functools

import numpy as np

from . import _linalg
from ._validation import check_vector, check_X
from .losses import as_loss

__all__ = ["Solution", "ConvergenceWarning", "STATUSES"]

STATUSES = ("optimal", "max_iter", "inaccurate", "error")


@functools.cache
def convergence_warning():
    """The :class:`ConvergenceWarning` class, created on first use.

    It subclasses scikit-learn's ``ConvergenceWarning``; importing
    scikit-learn costs most of a second, so it is deferred until a warning is
    needed or the name is looked up (PEP 562 ``__getattr__`` below).
    """
    from sklearn.exceptions import ConvergenceWarning as _SklearnConvergenceWarning

    class ConvergenceWarning(_SklearnConvergenceWarning):
        """A solve stopped before its relative duality gap reached ``tol``."""

    ConvergenceWarning.__module__ = "lassokit"
    ConvergenceWarning.__qualname__ = "ConvergenceWarning"
    return ConvergenceWarning


def __getattr__(name):
    if name == "ConvergenceWarning":
        return convergence_warning()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Solution:
    """A certified solution of a :class:`~lassokit.Problem`.

    Every field is filled by the problem layer; ``objective``, ``dual_gap``
    and ``converged`` come from lassokit's own certificate, never from the
    backend's word.

    Attributes
    ----------
    coef : ndarray of shape (n_features,)
        Coefficients, in the input's float dtype.
    intercept : float
        Intercept (optimal for ``coef``; 0.0 without intercept).
    objective : float
        ``P(coef, intercept)``.
    dual_gap : float
        A certified duality gap: ``objective - P* <= dual_gap``.
    converged : bool
        ``dual_gap <= tol * P(0, b0)``.
    status : str
        ``"optimal"`` exactly when converged, else ``"max_iter"``,
        ``"inaccurate"`` or ``"error"``.
    n_iter : int
        Iterations reported by the backend.
    backend : str
        Name of the backend that produced ``coef``.
    solve_time : float
        Wall-clock seconds spent in the backend, without importing numba
        and loading or compiling kernels (the first solve of a process, or
        of a new dtype or storage of X): those are ``info["load_time"]``
        and ``info["compile_time"]`` for the backends that run numba
        kernels.
    rel_gap : float
        ``dual_gap / P(0, b0)``.
    tol : float
        The relative gap that was asked for.
    info : dict
        Backend-specific extras (never used for the verdict); ``"cd"`` and
        ``"admm"`` add ``load_time`` and ``compile_time`` (seconds, see
        ``solve_time``).
    loss : Loss
        The problem's loss: :meth:`predict` returns its mean (the inverse
        link of ``X @ coef + intercept``).
    """

    def __init__(self, *, coef, intercept, objective, dual_gap, rel_gap, converged,
                 status, n_iter, backend, solve_time, tol, info=None, loss=None):
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {status!r}.")
        if (status == "optimal") != bool(converged):
            raise ValueError("status is 'optimal' exactly when converged.")
        coef = np.array(coef, copy=True)
        coef.flags.writeable = False
        self.coef = coef
        self.intercept = float(intercept)
        self.objective = float(objective)
        self.dual_gap = float(dual_gap)
        self.rel_gap = float(rel_gap)
        self.converged = bool(converged)
        self.status = status
        self.n_iter = int(n_iter)
        self.backend = str(backend)
        self.solve_time = float(solve_time)
        self.tol = float(tol)
        self.info = dict(info or {})
        self.loss = as_loss("squared" if loss is None else loss)

    def __setstate__(self, state):
        # Copies and unpickled solutions get a read-only coef too: writing
        # into it would leave objective and dual_gap describing other numbers.
        self.__dict__.update(state)
        self.__dict__.setdefault("loss", as_loss("squared"))
        coef = np.array(self.coef, copy=True)
        coef.flags.writeable = False
        self.coef = coef

    def rescaled(self, c, dtype):
        """This solution for the target ``c`` times larger (see ``lassokit._rescale``).

        Parameters
        ----------
        c : float
            A power of two.
        dtype : numpy dtype
            The problem's float dtype.

        Returns
        -------
        Solution
            Coefficients and intercept times ``c``, objective and gap times
            ``c**2``; relative gap, status and iteration counts unchanged.
        """
        coef = (np.asarray(self.coef, dtype=np.float64) * c).astype(dtype)
        return Solution(coef=coef, intercept=self.intercept * c,
                        objective=self.objective * c * c, dual_gap=self.dual_gap * c * c,
                        rel_gap=self.rel_gap, converged=self.converged, status=self.status,
                        n_iter=self.n_iter, backend=self.backend, solve_time=self.solve_time,
                        tol=self.tol, info={**self.info, "target_scale": c}, loss=self.loss)

    @property
    def support(self):
        """ndarray of int: indices of the non-zero coefficients."""
        return np.flatnonzero(self.coef)

    def decision_function(self, X, offset=None):
        """The linear predictor ``z = X @ coef + intercept (+ offset)``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        offset : array-like of shape (n_samples,), optional
            The fixed part of ``z`` for these rows, when the problem had one
            (glmnet's ``newoffset``).

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        X = check_X(X)
        if X.shape[1] != self.coef.shape[0]:
            raise ValueError(
                f"X has {X.shape[1]} features, but the solution has {self.coef.shape[0]}."
            )
        out = _linalg.matvec(X, self.coef) + self.intercept
        if offset is not None:
            out = out + check_vector(offset, X.shape[0], "offset")
        return out.astype(self.coef.dtype, copy=False)

    def predict(self, X, offset=None):
        """The predicted mean: ``z = X @ coef + intercept`` through the loss's inverse link.

        ``z`` itself for the squared and Huber losses, the probability of
        class +1 for the logistic loss, ``exp(z)`` for the Poisson loss;
        ``X``, ``offset`` and the shape as for :meth:`decision_function`.
        """
        z = self.decision_function(X, offset)
        if self.loss.least_squares:
            return z
        return self.loss.inverse_link(z).astype(self.coef.dtype, copy=False)

    def __repr__(self):
        return (
            f"Solution(backend={self.backend!r}, status={self.status!r}, "
            f"objective={self.objective:.10g}, rel_gap={self.rel_gap:.3g}, "
            f"n_iter={self.n_iter}, nnz={self.support.size}/{self.coef.size}, "
            f"solve_time={self.solve_time:.3g}s)"
        )
