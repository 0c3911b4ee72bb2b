"""The path-session protocol: one backend, one problem, many strengths.

A path (and every fold of a cross-validation) opens one session with
:meth:`lassokit.Backend.open_path` and calls :meth:`PathSession.step` once
per strength, in decreasing order. The session owns what survives from one
strength to the next; the path layer only asks for the next step and turns
each answer into a certified :class:`~lassokit.Solution` with the one
finishing function every solve uses.
"""

from __future__ import annotations

__all__ = ["PathSession"]


class PathSession:
    """Base class of path sessions.

    Parameters
    ----------
    backend : Backend
        The backend that opened the session.
    problem : Problem
        Data, weights, intercept and positivity of every step.
    tol : float
        Target relative duality gap of every step.
    max_iter : int
        Iteration budget of every step.
    options : dict
        Backend options.

    Attributes
    ----------
    exact_sums : bool
        Whether the ``sums`` of the results are computed by lassokit's own
        code (so the certificate may use them instead of a pass over X).
    """

    exact_sums = False

    def __init__(self, backend, problem, *, tol, max_iter, options):
        self.backend = backend
        self.problem = problem
        self.tol = float(tol)
        self.max_iter = int(max_iter)
        self.options = dict(options or {})

    def step(self, sub, warm_start=None):
        """Solve the session's problem at the penalty of ``sub``.

        Parameters
        ----------
        sub : Problem
            ``problem.replace(penalty=...)``: same data, the new strength.
        warm_start : ndarray of shape (n_features,), optional
            Starting coefficients; by default the previous step's answer
            (zeros at the first step).

        Returns
        -------
        BackendResult
            Float64 coefficients, and ``sums`` for the certificate.
        """
        raise NotImplementedError

    def close(self):
        """Release what the session holds (Gram matrices, copies of X)."""
