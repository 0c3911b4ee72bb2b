"""One way from a backend's raw answer to a certified :class:`~lassokit.Solution`.

``Problem.solve``, paths and cross-validation all end here, so the status
map, the certificate, the output dtype and the warning cannot drift apart.
"""

from __future__ import annotations

import warnings

import numpy as np

from . import _box
from .backends.result import BackendResult, as_result, real_coef
from ._zeros import provably_zero
from .certificate import certify, residual
from .solution import Solution, convergence_warning

__all__ = ["finish", "settle", "trusts_sums", "unconverged_message", "warn_unconverged"]


def trusts_sums(backend):
    """Whether ``backend``'s sums may stand in for a pass over X.

    Only lassokit's own backends: a user backend that sets ``exact_sums``
    would otherwise decide its own certificate.
    """
    return bool(getattr(backend, "exact_sums", False)) and \
        type(backend).__module__.startswith("lassokit.backends.")


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
    raw = as_result(raw, name)
    d = design
    coef64 = real_coef(raw.coef, d.p)  # None if complex, non-finite or wrong-shaped
    sums = raw.sums if exact_sums else None
    if coef64 is None:
        status, coef64, sums = "error", np.zeros(d.p), None
    else:
        status = raw.status
    if d.bounded and _box.outside(coef64, d.box):
        coef64, sums = _box.clip(coef64, d.box), None
    dual_points = tuple(q for q in (raw.dual_points or ()) if q is not None)
    coef = _box.round_into(coef64, np.dtype(dtype), d.box if d.bounded else None)
    if dtype != np.float64 and status != "error" and not np.array_equal(coef, coef64):
        unrounded = sums.r if sums is not None and sums.r is not None else residual(d, X, coef64)
        dual_points += (unrounded,)
        sums = None
    if sums is not None and not _sums_finite(sums):
        sums = None
    cert = certify(d, X, coef, dual_points, sums=sums)
    if sums is not None and _small(X) and cert.dual_gap <= tol * d.p0:
        # A solver's running sums claim optimality: on data small enough that
        # a pass over X costs microseconds, recompute the certificate from X
        # independently, and let it win (a kernel that mishandled a column
        # -- one entry of 1e306 classed as constant -- certified a 1.07 gap as
        # 1.6e-8). On larger data the pass is what the sums exist to save.
        independent = certify(d, X, coef, dual_points)
        if independent.dual_gap > cert.dual_gap:
            cert = independent
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
    # An infinite or NaN gap certifies nothing, even against an infinite P(0).
    if status != "error" and np.isfinite(cert.dual_gap) and cert.dual_gap <= tol * d.p0:
        return coef, cert, "optimal"
    return coef, cert, status if status in ("max_iter", "error") else "inaccurate"


#: Problems with at most this many entries of X have every solver-sums
#: certificate that claims optimality re-checked from X (see :func:`settle`).
_RECHECK_ENTRIES = 1 << 18


def _sums_finite(sums):
    """Whether a solver's :class:`~lassokit.certificate.DualSums` are all finite.

    Non-finite sums (squares past the float range) never certify anything;
    small problems are re-checked from X after the fact instead (see
    :func:`settle`).
    """
    return bool(np.isfinite(sums.fit) and np.isfinite(sums.a)
                and np.all(np.isfinite(np.asarray(sums.u))))


def _small(X):
    return X is not None and X.shape[0] * X.shape[1] <= _RECHECK_ENTRIES


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
    A wrong-shaped, non-finite or complex ``coef`` becomes zeros with status
    ``"error"``; with a box (``bounds``, ``positive=True``) the coefficients
    are clipped into it (interior-point and ADMM iterates sit at -1e-12). With float32 X the
    coefficients are rounded first and the certificate describes the rounded
    ones; the unrounded residual stays a dual candidate, so the gap shows
    the (second-order) loss of rounding rather than a first-order one.
    """
    if isinstance(raw, dict):
        raw = BackendResult(**raw)
    if problem.loss.least_squares:
        coef, cert, final = settle(problem._design, problem.X, problem.dtype, raw, tol, name,
                                   exact_sums=exact_sums)
    else:
        from ._loss_problem import settle as settle_loss

        coef, cert, final = settle_loss(problem, raw, tol, name)
    converged = final == "optimal"
    sol = Solution(coef=coef, intercept=cert.intercept, objective=cert.objective,
                   dual_gap=cert.dual_gap, rel_gap=cert.rel_gap, converged=converged,
                   status=final, n_iter=raw.n_iter, backend=name, solve_time=elapsed, tol=tol,
                   info=raw.info, loss=problem.loss)
    if warn and not converged:
        warnings.warn(
            unconverged_message(name, final, raw, cert.rel_gap, tol, problem.dtype),
            convergence_warning(),
            stacklevel=stacklevel,
        )
    return sol


def _precision_hint(dtype):
    if np.dtype(dtype) == np.float32:
        return "the precision limit of float32 data: pass X as float64, or loosen tol"
    return ("likely the precision limit of float64 on ill-conditioned data: loosen tol, "
            "or improve the conditioning (standardize the features, a larger alpha, "
            "or some L2 penalty)")


def _backend_detail(info):
    """The backend's own words on a failure, from its ``info``, or ''."""
    info = info or {}
    if info.get("message"):
        return f": {info['message']}"
    for key, value in info.items():
        if key.endswith("_status"):
            return f" ({key.replace('_', ' ')} {value!r})"
    return ""


def unconverged_message(name, final, raw, rel_gap, tol, dtype):
    """Why a solve stopped short of ``tol``, and what to do about it.

    Parameters
    ----------
    name : str
        The backend's name.
    final : str
        The solution's status (``"max_iter"``, ``"inaccurate"`` or ``"error"``).
    raw : BackendResult
        What the backend returned; its own ``status`` tells a stall (the gap
        stopped decreasing) from a claimed success the certificate refutes.
    rel_gap, tol : float
        The relative duality gap reached and the one asked for.
    dtype : numpy dtype
        The data's float dtype (float32 limits the attainable gap).

    Returns
    -------
    str
        One sentence naming the cause, then the advice that fits it. Every
        message states the relative gap reached and ``tol``.
    """
    gap = f"relative duality gap {rel_gap:.3g} > tol {tol:.3g}"
    backend = f"backend {name!r}"
    if final == "max_iter":
        return (f"{backend} reached its iteration limit (n_iter={raw.n_iter}) with {gap}. "
                "Increase max_iter or loosen tol.")
    if final == "error":
        if raw.status == "error":
            cause = f"failed{_backend_detail(raw.info)}"
        else:
            cause = ("returned non-finite, complex or wrong-shaped coefficients "
                     "(replaced by zeros)")
        return (f"{backend} {cause}; {gap}. The result is not a solution: try another "
                "backend (or, for 'cvxpy', another solver).")
    if raw.status == "stalled":
        return (f"{backend} stalled: the duality gap stopped decreasing, at {gap}. "
                f"This is {_precision_hint(dtype)}.")
    if raw.status == "inaccurate":
        return (f"{backend} reported an inaccurate solution{_backend_detail(raw.info)}; "
                f"{gap}. Tighten the backend's own tolerances, try another backend, "
                "or loosen tol.")
    return (f"{backend} reported success, but lassokit's certificate does not confirm it: "
            f"{gap}. The backend's own stopping rule is looser than tol: tighten its "
            "options, try another backend, or loosen tol.")


_PATH_HINTS = {
    "max_iter": "increase max_iter or loosen tol",
    "stalled": "a stalled gap is a precision limit: try float64 X, better conditioning, "
               "or a looser tol",
    "inaccurate": "the backend's answer was inaccurate: tighten its options or try "
                  "another backend",
    "error": "the backend failed: try another backend",
}


def warn_unconverged(what, n_bad, n_total, tol, worst_gap, stacklevel=3, *, statuses=None):
    """One :class:`ConvergenceWarning` for the unconverged solves of a path or CV.

    Parameters
    ----------
    what : str
        What was solved, e.g. ``"path (worst at alpha=0.1)"``.
    n_bad, n_total : int
        Unconverged solves and all solves.
    tol, worst_gap : float
        The relative gap asked for and the worst one reached.
    stacklevel : int, default=3
    statuses : iterable of str, optional
        The backends' statuses of the unconverged solves (``"max_iter"``,
        ``"stalled"``, ``"inaccurate"``, ``"error"``), so that the advice
        fits the cause. Without them the message covers the two usual
        causes, the iteration limit and a stall.
    """
    msg = (f"{what}: {n_bad} of {n_total} strengths stopped above tol {tol:.3g} "
           f"(worst relative duality gap {worst_gap:.3g}).")
    if statuses is None:
        msg += (" If the solves hit max_iter, increase max_iter or loosen tol; if their gap "
                "stalled, it is a precision limit: try float64 X, better conditioning, or a "
                "looser tol.")
    else:
        counts = {}
        for status in statuses:
            key = status if status in _PATH_HINTS else "inaccurate"
            counts[key] = counts.get(key, 0) + 1
        msg += "".join(f" {k} ({c}): {_PATH_HINTS[k]}." for k, c in counts.items())
    warnings.warn(msg, convergence_warning(), stacklevel=stacklevel + 1)
