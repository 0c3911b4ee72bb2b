"""The steps of :meth:`lassokit.Problem.solve`: resolve, solve, certify, report."""

from __future__ import annotations

import time

from . import _box, _kernel_time
from ._finish import finish, trusts_sums
from ._validation import check_bool, check_coef, check_max_iter, check_tol
from .backends.registry import resolve_backend
from .solution import Solution

__all__ = ["checked_call", "solve"]


def checked_call(problem, backend, tol, max_iter, verbose, options):
    """``(backend, tol, max_iter, verbose)`` of a solve, each validated (named errors)."""
    be = resolve_backend(backend, problem)
    be.check_options(options)
    return be, check_tol(tol), check_max_iter(max_iter), check_bool(verbose, "verbose")


def solve(problem, backend="auto", *, tol=1e-6, max_iter=None, warm_start=None, verbose=False,
          **options):
    """Solve ``problem`` with ``backend`` and certify the answer (see :meth:`Problem.solve`).

    Returns
    -------
    Solution
    """
    be, tol, max_iter, verbose = checked_call(problem, backend, tol, max_iter, verbose, options)
    if verbose and be.options is not None and "verbose" in be.options:
        options["verbose"] = True
    w0 = None
    if warm_start is not None:
        if isinstance(warm_start, Solution):
            warm_start = warm_start.coef
        w0 = check_coef(warm_start, problem.n_features, "warm_start")
        w0 = _box.clip(w0, problem._box)
    problem._refresh()
    # Targets at the edges of the float range are solved in units where
    # max|yc| ~ 1 and mapped back (see lassokit._rescale).
    c = problem._target_scale
    target = problem if c == 1.0 else problem._rescaled()
    start = time.perf_counter()
    raw = be.solve(
        target,
        tol=tol,
        max_iter=be.default_max_iter if max_iter is None else max_iter,
        warm_start=None if w0 is None else w0 / c,
        **options,
    )
    # Loading or compiling numba kernels is in sol.info, not solve_time.
    elapsed = max(time.perf_counter() - start - _kernel_time.seconds_in(raw), 0.0)
    # stacklevel 4: the warning names the caller of Problem.solve, not this module.
    sol = finish(target, raw, be.name, tol, elapsed, exact_sums=trusts_sums(be), stacklevel=4)
    if c != 1.0:
        sol = sol.rescaled(c, problem.dtype)
    if verbose:
        print(sol)
    return sol

