"""The ``"cvxpy"`` reference backend: the problem stated in CVXPY.

Clarabel (interior point, accurate by default) is the default solver; OSQP
is run with polishing and tight eps, SCS with tight eps. The certificate
decides convergence; CVXPY's status only names a failure.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp

from ._scaling import unit_scaled, zero_is_optimal
from .base import Backend, BackendResult

# Tight settings per solver, as functions of the requested relative gap.
_SETTINGS = {
    "CLARABEL": lambda tol: dict(tol_gap_abs=1e-12, tol_gap_rel=min(1e-10, tol * 1e-4),
                                 tol_feas=1e-10, tol_ktratio=1e-8),
    "OSQP": lambda tol: dict(eps_abs=min(1e-9, tol * 1e-3), eps_rel=min(1e-9, tol * 1e-3),
                             polish=True),
    "SCS": lambda tol: dict(eps_abs=min(1e-9, tol * 1e-3), eps_rel=min(1e-9, tol * 1e-3)),
}

_FAILED = {"infeasible", "unbounded", "infeasible_inaccurate", "unbounded_inaccurate"}


class CvxpyBackend(Backend):
    """Solve through CVXPY, default solver Clarabel.

    Options
    -------
    solver : str, default="CLARABEL"
        Any installed CVXPY solver name ("CLARABEL", "OSQP", "SCS", ...).
    solver_options : dict, optional
        Extra keyword arguments for ``cvxpy.Problem.solve``; they override
        the tight defaults.
    """

    name = "cvxpy"
    requires = ("cvxpy",)
    options = {"solver": "CLARABEL", "solver_options": None, "verbose": False}
    default_max_iter = 10000

    def solve(self, problem, *, tol, max_iter, warm_start, solver="CLARABEL",
              solver_options=None, verbose=False):
        import cvxpy as cp

        solver = str(solver).upper()
        if solver not in cp.installed_solvers():
            raise ValueError(
                f"solver {solver!r} is not installed for CVXPY; installed: "
                f"{', '.join(cp.installed_solvers())}."
            )
        d0 = problem._design
        n, p = problem.X.shape
        if zero_is_optimal(d0, problem.X, tol):
            # e.g. yc = 0 or a1 >= alpha_max: exact zeros, not an interior point's ~1e-17.
            return BackendResult(coef=np.zeros(p), info={"cvxpy_status": "not run"})
        # The solvers' tolerances are absolute: solve in unit-scale data (see _scaling).
        d, X, cx, cy = unit_scaled(d0, problem.X, per_column=True)
        factor = cy / cx
        X = X.astype(np.float64) if X.dtype != np.float64 else X
        if sp.issparse(X):
            X = sp.csc_matrix(X)
        w = cp.Variable(p, nonneg=problem.positive)
        if warm_start is not None:
            w.value = warm_start / factor
        # Centred data (implicitly, via the offsets) so no intercept variable is needed;
        # X is never densified: Xw - x_offset.w is an affine expression.
        fit = X @ w - d.x_offset @ w if problem.fit_intercept else X @ w
        resid = d.yc - fit
        if d.sw is not None:
            resid = cp.multiply(np.sqrt(d.sw), resid)
        terms = [cp.sum_squares(resid) / (2.0 * n)]
        if np.any(d.lam > 0):
            terms.append(cp.sum(cp.multiply(d.lam, cp.abs(w))))
        if np.any(d.mu > 0):
            terms.append(0.5 * cp.sum(cp.multiply(d.mu, cp.square(w))))
        prob = cp.Problem(cp.Minimize(cp.sum(terms)))
        kwargs = dict(_SETTINGS.get(solver, lambda t: {})(tol))
        if solver in ("CLARABEL", "SCS", "OSQP"):
            kwargs["max_iter"] = max_iter
        kwargs.update(solver_options or {})
        try:
            with warnings.catch_warnings():
                # The certificate judges accuracy, and lassokit warns (ConvergenceWarning)
                # when it is not met; CVXPY's own "may be inaccurate" would say it twice.
                warnings.filterwarnings("ignore", message="Solution may be inaccurate",
                                        category=UserWarning)
                prob.solve(solver=solver, verbose=verbose, warm_start=warm_start is not None,
                           **kwargs)
        except cp.error.SolverError as exc:
            return BackendResult(coef=np.zeros(p), status="error", info={"message": str(exc)})
        if w.value is None or prob.status in _FAILED:
            return BackendResult(coef=np.zeros(p), status="error", info={"cvxpy_status": prob.status})
        stats = prob.solver_stats
        n_iter = int(stats.num_iters) if stats is not None and stats.num_iters is not None else 0
        status = "success" if prob.status == cp.OPTIMAL else (
            "max_iter" if n_iter >= max_iter else "success")
        coef = np.asarray(w.value, dtype=np.float64).ravel() * factor
        intercept = d0.y_offset - float(d0.x_offset @ coef) if problem.fit_intercept else 0.0
        return BackendResult(coef=coef, intercept=intercept, n_iter=n_iter, status=status,
                             info={"cvxpy_status": prob.status, "solver": solver})
