"""The final model of ``LassoCV``/``ElasticNetCV``: certified, and exact on its support.

Two ways to solve it, as the folds were: by the backend on the validated X,
or in feature space from the total Gram moments (the moments stand in for
the pass over X that the data statistics would take). Either way:

* at scikit-learn's default ``max_iter`` an unconverged refit resumes with
  10x and then 100x the budget instead of stopping (the folds' budget is the
  user's knob; the model handed out must be certified);
* it is then finished exactly on its support (:mod:`lassokit._polish`), and
  a refit whose support is not identified at ``tol`` yet is first solved
  once more, tighter.
"""

from __future__ import annotations

import time

import numpy as np

from .._finish import finish
from .._polish import polish, polish_gram, prefer_polished, with_tol
from ..backends.base import BackendResult
from ._rounds import ROUNDS, solve_rounds

__all__ = ["refit_by_backend", "refit_from_moments", "refit_rounds"]

#: The scikit-learn default of ``max_iter``; at it, an unconverged refit
#: resumes with 10x and then 100x the budget.
_DEFAULT_MAX_ITER = 1000


def refit_rounds(max_iter):
    """How many budgets (``max_iter * 10**k``) the refit may use."""
    return ROUNDS if max_iter == _DEFAULT_MAX_ITER else 1


def _tighter(tol):
    # A refit whose support is not yet identified at tol is solved again to
    # this gap (then finished exactly on its support).
    return max(tol * 1e-5, 1e-13)


def refit_by_backend(problem, backend, tol, max_iter, options, rounds):
    """Solve ``problem`` with ``backend``; returns the (polished) :class:`Solution`."""
    sol, _ = solve_rounds(problem, backend, tol, max_iter, rounds, **options)
    done = polish(problem, sol)
    if not done.info.get("polished") and sol.converged:
        tight = problem.solve(backend, tol=_tighter(tol), max_iter=max_iter * 10,
                              warm_start=sol.coef, **options)
        tight = polish(problem, tight)
        if tight.dual_gap < done.dual_gap:
            done = with_tol(tight, tol, problem._design.p0)
    return done


def refit_from_moments(problem, moments, design, tol, max_iter, rounds):
    """Solve in feature space from ``moments`` (a ``MomentProblem``), certified for ``problem``."""
    t0 = time.perf_counter()
    d, gram = design, moments.gram
    w = np.zeros(d.p)  # the float64 iterate, updated in place
    epochs = 0
    for k in range(rounds):
        coef, ep, status, sums = gram.solve(d.lam, d.mu, w, tol * d.p0, max_iter * 10 ** k)
        epochs += ep
        if status == "success":
            break
    cand = polish_gram(gram.G, gram.b, d.lam, d.mu, d.positive, coef)
    if cand is None and status == "success":
        coef_t, ep, _, _ = gram.solve(d.lam, d.mu, w, _tighter(tol) * d.p0, max_iter * 10)
        epochs += ep
        cand = polish_gram(gram.G, gram.b, d.lam, d.mu, d.positive, coef_t)
    info = {"mode": "feature space (CV moments)"}
    raw = BackendResult(coef=coef, n_iter=epochs, status=status, sums=sums, info=info)
    sol = finish(problem, raw, "cd", tol, time.perf_counter() - t0, exact_sums=True)
    if cand is not None:
        raw = BackendResult(coef=cand, n_iter=epochs, sums=gram.sums(cand),
                            info={**info, "polished": True})
        done = finish(problem, raw, "cd", tol, time.perf_counter() - t0, exact_sums=True,
                      warn=False)
        if prefer_polished(done.dual_gap, sol, d.p0):
            sol = done
    return sol
