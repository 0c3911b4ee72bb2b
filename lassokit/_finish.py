"""One way from a backend's raw answer to a certified :class:`~lassokit.Solution`.

``Problem.solve``, paths and cross-validation all end here, so the status
map, the certificate, the output dtype and the warning cannot drift apart.
"""

from __future__ import annotations

import warnings

import numpy as np

from .backends.base import BackendResult
from ._zeros import provably_zero
from .certificate import certify, residual
from .solution import Solution, convergence_warning

__all__ = ["finish", "settle", "warn_unconverged"]


def settle(design, X, dtype, raw, tol, name, *, exact_sums=False):
    """Coefficients in ``dtype``, their certificate and the final status.

    The part of :func:`finish` that needs no :class:`~lassokit.Problem`
    (cross-validation folds solved in feature space have no X to hold).

    Returns
    -------
    (ndarray, Certificate, str)
        ``status`` is ``"optimal"`` exactly when the certificate meets
        ``tol``; otherwise the backend's ``"max_iter"`` or ``"error"``, or
        ``"inaccurate"``.
    """
    if isinstance(raw, dict):
        raw = BackendResult(**raw)
    if not isinstance(raw, BackendResult):
        raise TypeError(
            f"backend {name!r} returned {type(raw).__name__}; "
            "expected a BackendResult or a dict with coef, intercept and n_iter."
        )
    d = design
    coef64 = np.asarray(raw.coef, dtype=np.float64).ravel()
    sums = raw.sums if exact_sums else None
    if coef64.shape != (d.p,) or not np.all(np.isfinite(coef64)):
        status, coef64, sums = "error", np.zeros(d.p), None
    else:
        status = raw.status
    if d.positive and np.any(coef64 < 0):
        coef64, sums = np.maximum(coef64, 0.0), None
    dual_points = tuple(q for q in (raw.dual_points or ()) if q is not None)
    coef = coef64.astype(dtype)
    if dtype != np.float64 and status != "error" and not np.array_equal(coef, coef64):
        unrounded = sums.r if sums is not None and sums.r is not None else residual(d, X, coef64)
        dual_points += (unrounded,)
        sums = None
    cert = certify(d, X, coef, dual_points, sums=sums)
    if not exact_sums and status != "error" and X is not None:
        # Solvers that stop in the interior leave ~1e-12 where the optimum
        # has 0: zero what the certificate proves is zero (see _zeros), and
        # keep it if the certificate of the zeroed point is no worse.
        found = provably_zero(d, X, coef64)
        if found is not None:
            zero, r_before = found
            coefz = np.where(zero, 0.0, coef64).astype(dtype)
            certz = certify(d, X, coefz, dual_points + (r_before,))
            if certz.dual_gap <= max(cert.dual_gap, tol * d.p0):
                coef, cert = coefz, certz
    if status != "error" and cert.dual_gap <= tol * d.p0:
        return coef, cert, "optimal"
    return coef, cert, status if status in ("max_iter", "error") else "inaccurate"


def finish(problem, raw, name, tol, elapsed, *, exact_sums=False, warn=True, stacklevel=3):
    """Certify ``raw`` for ``problem`` and wrap it in a :class:`Solution`.

    Parameters
    ----------
    problem : Problem
    raw : BackendResult or dict
        What the backend returned (``coef``, ``n_iter``, optional ``status``,
        ``dual_points``, ``sums``, ``info``).
    name : str
        The backend's name, for the solution and the warning.
    tol : float
        The relative duality gap asked for.
    elapsed : float
        Seconds the backend took.
    exact_sums : bool, default=False
        Whether ``raw.sums`` comes from lassokit's own code and may stand in
        for a pass over X (``Backend.exact_sums``); otherwise it is ignored.
    warn : bool, default=True
        Emit :class:`ConvergenceWarning` when the solve is not certified
        (paths warn once for all their strengths instead).
    stacklevel : int, default=3

    Returns
    -------
    Solution

    Notes
    -----
    A wrong-shaped or non-finite ``coef`` becomes zeros with status
    ``"error"``; with ``positive=True`` the coefficients are clipped at 0
    (interior-point and ADMM iterates sit at -1e-12). With float32 X the
    coefficients are rounded first and the certificate describes the rounded
    ones; the unrounded residual stays a dual candidate, so the gap shows
    the (second-order) loss of rounding rather than a first-order one.
    """
    if isinstance(raw, dict):
        raw = BackendResult(**raw)
    coef, cert, final = settle(problem._design, problem.X, problem.dtype, raw, tol, name,
                               exact_sums=exact_sums)
    converged = final == "optimal"
    sol = Solution(coef=coef, intercept=cert.intercept, objective=cert.objective,
                   dual_gap=cert.dual_gap, rel_gap=cert.rel_gap, converged=converged,
                   status=final, n_iter=raw.n_iter, backend=name, solve_time=elapsed, tol=tol,
                   info=raw.info)
    if warn and not converged:
        warnings.warn(
            f"backend {name!r} stopped with status {final!r}: relative duality "
            f"gap {cert.rel_gap:.3g} > tol {tol:.3g}. Increase max_iter or loosen tol.",
            convergence_warning(),
            stacklevel=stacklevel,
        )
    return sol


def warn_unconverged(what, n_bad, n_total, tol, worst_gap, stacklevel=3):
    """One :class:`ConvergenceWarning` for the unconverged solves of a path or CV."""
    warnings.warn(
        f"{what}: {n_bad} of {n_total} strengths stopped above tol {tol:.3g} "
        f"(worst relative duality gap {worst_gap:.3g}). Increase max_iter or loosen tol.",
        convergence_warning(),
        stacklevel=stacklevel + 1,
    )
