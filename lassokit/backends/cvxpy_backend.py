"""The ``"cvxpy"`` reference backend: the problem stated in CVXPY.

Least squares is stated here (unit-scaled, centred data); every other loss
writes its own CVXPY expression and is stated by :mod:`._cvxpy_losses`.

Clarabel (interior point, accurate by default) is the default solver; OSQP
is run with polishing and tight eps, SCS with tight eps. Each solver names
its iteration limit and tolerances differently, so lassokit's ``max_iter``
and ``tol`` are translated per solver (``_SETTINGS``). The certificate
decides convergence; CVXPY's status only names a failure.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp

from ._cvxpy_losses import box_variable, has_cvxpy_form, loss_program, refined
from ._cvxpy_losses import zero_is_optimal as loss_zero_is_optimal
from ._cvxpy_settings import _SETTINGS
from ._scaling import unit_scaled, zero_is_optimal
from .base import Backend, BackendResult, Capabilities

_FAILED = {"infeasible", "unbounded", "infeasible_inaccurate", "unbounded_inaccurate"}


class CvxpyBackend(Backend):
    """Solve through CVXPY, default solver Clarabel.

    Every loss whose class implements :meth:`~lassokit.losses.Loss.cvxpy_sum`
    is taken (all of lassokit's: squared, logistic, Poisson, Huber); the
    logistic and Poisson losses need a solver with exponential cones
    (Clarabel, SCS).

    Options
    -------
    solver : str, default="CLARABEL"
        Any installed CVXPY solver name ("CLARABEL", "OSQP", "SCS", ...).
        ``max_iter`` and ``tol`` reach Clarabel as ``max_iter`` and
        ``tol_gap_rel`` (plus tight ``tol_gap_abs``, ``tol_feas``,
        ``tol_ktratio``), OSQP as ``max_iter``, ``eps_abs``/``eps_rel`` with
        polishing on, SCS as ``max_iters``, ``eps_abs``/``eps_rel``; other
        solvers run with CVXPY's defaults.
    solver_options : dict, optional
        Extra keyword arguments for ``cvxpy.Problem.solve``, in the solver's
        own option names; they override the tight defaults.
    """

    name = "cvxpy"
    requires = ("cvxpy",)
    # Every loss with a CVXPY form; supports() refuses the others by name.
    capabilities = Capabilities(losses=None, bounds=True, matrix=True)
    options = {"solver": "CLARABEL", "solver_options": None, "verbose": False}
    default_max_iter = 10000

    def supports(self, problem):
        """:meth:`Backend.supports`, and a loss must have a CVXPY form.

        A loss whose class does not implement ``cvxpy_sum`` is refused with
        a sentence naming it.
        """
        ok, reason = super().supports(problem)
        loss = getattr(problem, "loss", None)
        # Matrix problems (multinomial included) are stated by _cvxpy_matrix.
        if ok and loss is not None and not getattr(problem, "_is_matrix", False) \
                and not has_cvxpy_form(loss):
            return False, (f"it cannot take the {loss.name} loss, which has no CVXPY form "
                           f"(its class does not implement cvxpy_sum)")
        return ok, reason

    def solve_matrix(self, problem, design, *, tol, max_iter, warm_start, solver="CLARABEL",
                     solver_options=None, verbose=False):
        """The CVXPY statement of a matrix or group problem (the reference for ``"cd"``).

        See :mod:`lassokit.backends._cvxpy_matrix`: one power-of-two scale
        per group, the centred design, Clarabel at tight settings.
        """
        from ._cvxpy_matrix import solve_matrix_cvxpy

        d = design
        lay = d.layout
        multinomial = getattr(d, "loss_name", "squared") == "multinomial"
        Y = d.E.argmax(axis=1) if multinomial else d.Y
        l1 = np.where(lay.excluded, np.inf, lay.lam)
        try:
            W, _, info = solve_matrix_cvxpy(
                d.X, Y, loss="multinomial" if multinomial else "squared",
                fit_intercept=d.fit_intercept, sample_weight=d.sw, l1=l1, l2=lay.mu,
                gptr=lay.gptr, gidx=lay.gidx, galpha=lay.galpha,
                n_classes=d.K if multinomial else None, solver=solver, max_iter=max_iter,
                verbose=verbose)
        except RuntimeError as exc:
            return {"coef": np.zeros((d.p, d.K)), "n_iter": 0, "status": "error",
                    "info": {"message": str(exc)}}
        return {"coef": W, "n_iter": int(info.get("n_iter", 0) or 0), "info": info}

    def solve(self, problem, *, tol, max_iter, warm_start, solver="CLARABEL",
              solver_options=None, verbose=False):
        """Solve ``problem`` in CVXPY; see :meth:`Backend.solve` and the class's options."""
        import cvxpy as cp

        solver = str(solver).upper()
        if solver not in cp.installed_solvers():
            raise ValueError(
                f"solver {solver!r} is not installed for CVXPY; installed: "
                f"{', '.join(cp.installed_solvers())}."
            )
        p = problem.n_features
        if problem.loss.least_squares:
            if zero_is_optimal(problem._design, problem.X, tol):
                # e.g. yc = 0 or a1 >= alpha_max: exact zeros, not an interior point's ~1e-17.
                return BackendResult(coef=np.zeros(p), info={"cvxpy_status": "not run"})
            prob, w, unscale = _least_squares_program(cp, problem, warm_start)
        else:
            if loss_zero_is_optimal(problem._design, tol):
                # e.g. a1 >= alpha_max or one class only: exact zeros.
                return BackendResult(coef=np.zeros(p), info={"cvxpy_status": "not run"})
            prob, w, unscale = loss_program(cp, problem, warm_start)
        settings = _SETTINGS.get(solver)
        kwargs = settings(tol, max_iter) if settings is not None else {}
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
        if prob.status == cp.OPTIMAL:
            status = "success"
        elif n_iter >= max_iter:
            status = "max_iter"
        else:
            # "optimal_inaccurate" or a user limit: the solver doubts its own answer.
            status = "inaccurate"
        coef, intercept = unscale()
        info = {"cvxpy_status": prob.status, "solver": solver}
        if not problem.loss.least_squares:
            # Interior points stop near 1e-9 on exponential cones; Newton steps
            # on the solver's support finish the job (kept only when lassokit's
            # certificate rates them better; see _cvxpy_losses).
            coef, intercept, info["polished"] = refined(problem, coef, intercept)
        return BackendResult(coef=coef, intercept=intercept, n_iter=n_iter, status=status,
                             info=info)


def _least_squares_program(cp, problem, warm_start):
    """The least-squares problem in CVXPY, in unit-scaled, centred data.

    Returns ``(program, w, unscale)`` as :func:`._cvxpy_losses.loss_program`.
    """
    d0 = problem._design
    n, p = problem.X.shape
    # The solvers' tolerances are absolute: solve in unit-scale data (see _scaling).
    d, X, cx, cy = unit_scaled(d0, problem.X, per_column=True, centre=True)
    factor = cy / cx
    X = X.astype(np.float64) if X.dtype != np.float64 else X
    if sp.issparse(X):
        X = sp.csc_matrix(X)
    w, box = box_variable(cp, p, problem._box, factor)
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
    prob = cp.Problem(cp.Minimize(cp.sum(terms)), box)

    def unscale():
        coef = np.asarray(w.value, dtype=np.float64).ravel() * factor
        intercept = d0.y_offset - float(d0.x_offset @ coef) if problem.fit_intercept else 0.0
        return coef, intercept

    return prob, w, unscale
