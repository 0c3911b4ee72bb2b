"""The path-session protocol: one backend, one problem, many strengths.

A path (and every fold of a cross-validation) opens one session with
:meth:`lassokit.Backend.open_path` and calls :meth:`PathSession.step` once
per strength, in decreasing order. The session owns what survives from one
strength to the next; the path layer only asks for the next step and turns
each answer into a certified :class:`~lassokit.Solution` with the one
finishing function every solve uses.
"""

from __future__ import annotations

__all__ = ["GridResult", "PathSession", "WarmStartSession"]


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

    def solve_grid(self, alphas, l1_ratio, warm_start=None):
        """Optionally solve and certify a whole grid in one call.

        A session whose whole loop runs compiled (``"cd"`` on dense float64
        X and in feature space) overrides this; the path layer then makes one
        call instead of one :meth:`step` per strength. The gaps must be
        lassokit's certificate of the returned coefficients, computed with
        its own dual function.

        Parameters
        ----------
        alphas : ndarray of shape (k,)
            Decreasing overall strengths, all ``> 0``.
        l1_ratio : float
            The L1 share ``r`` of the penalty ``alpha * (r L1 + (1 - r) L2)``.
        warm_start : ndarray of shape (n_features,), optional
            Start of the first strength (zeros by default).

        Returns
        -------
        GridResult or None
            None when the session has no such loop for this problem (the
            path layer then calls :meth:`step`).
        """
        return None


class GridResult:
    """What :meth:`PathSession.solve_grid` returns.

    Attributes
    ----------
    coefs : ndarray of shape (n_features, k)
        Coefficients, float64 (already rounded to float32 when X is float32).
    dual_gaps : ndarray of shape (k,)
        Certified absolute duality gaps (``inf`` where the point is not finite).
    n_iters : ndarray of int of shape (k,)
        Epochs per strength.
    statuses : list of str
        The backend statuses (``"success"``, ``"max_iter"``, ``"stalled"``).
    """

    def __init__(self, coefs, dual_gaps, n_iters, statuses):
        self.coefs, self.dual_gaps, self.n_iters, self.statuses = coefs, dual_gaps, n_iters, statuses


class WarmStartSession(PathSession):
    """Each strength solved by the backend's ``solve``, started from the previous answer.

    The session of losses other than least squares: the ``"cd"`` proximal
    Newton solver keeps its own working sets inside every solve, and the
    warm start carries the support and the scale of the coefficients from
    one strength to the next (what glmnet's path does). A backend without
    its own session gets the same for those losses.
    """

    def __init__(self, backend, problem, *, tol, max_iter, options):
        super().__init__(backend, problem, tol=tol, max_iter=max_iter, options=options)
        self._w = None

    def step(self, sub, warm_start=None):
        """Solve ``sub`` from ``warm_start`` or the previous strength's answer."""
        from .result import as_result, real_coef

        start = self._w if warm_start is None else warm_start
        raw = as_result(self.backend.solve(sub, tol=self.tol, max_iter=self.max_iter,
                                           warm_start=start, **self.options), self.backend.name)
        # The next start: the answer when it is a finite coefficient vector.
        self._w = real_coef(raw.coef, sub.n_features)
        return raw
