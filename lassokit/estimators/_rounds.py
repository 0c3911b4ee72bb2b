"""Solving at scikit-learn's default budget: an unconverged solve resumes with more.

scikit-learn's default ``max_iter`` counts iterations of its own solvers
(lbfgs iterations, coordinate-descent epochs), which say nothing about what
a lassokit backend needs to reach ``tol``. At that default, a solve that
stops short resumes from where it stopped with 10x and then 100x the
budget; any other ``max_iter`` is the user's and is taken at its word. Only
the last round may warn. The GLM estimators and the refit of
``LassoCV``/``ElasticNetCV`` solve this way.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..solution import convergence_warning

__all__ = ["DEFAULT_MAX_ITER", "solve_in_rounds", "solve_rounds"]

#: scikit-learn's default ``max_iter`` of its GLM estimators (lbfgs iterations).
DEFAULT_MAX_ITER = 100
#: Budgets ``max_iter * 10**k`` tried at the default, ``k = 0, 1, 2``.
ROUNDS = 3


def solve_rounds(problem, backend, tol, max_iter, rounds, warm_start=None, **options):
    """Solve ``problem`` in up to ``rounds`` budgets ``max_iter * 10**k``, warm-started.

    Each round starts where the previous one stopped; the first converged
    round ends it. Convergence warnings of every round but the last are
    silenced.

    Parameters
    ----------
    problem : Problem
    backend : Backend or str
    tol : float
        Target relative duality gap.
    max_iter : int
        Budget of the first round.
    rounds : int
        How many budgets at most.
    warm_start : ndarray of shape (n_features,), optional
        Start of the first round.
    **options
        Passed to :meth:`~lassokit.Problem.solve`.

    Returns
    -------
    (Solution, int)
        The last round's solution and the iterations of every round.
    """
    warm, total = warm_start, 0
    for k in range(rounds):
        with warnings.catch_warnings():
            if k < rounds - 1:
                warnings.simplefilter("ignore", convergence_warning())
            sol = problem.solve(backend, tol=tol, max_iter=max_iter * 10 ** k, warm_start=warm,
                                **options)
        total += sol.n_iter
        if sol.converged:
            break
        warm = np.asarray(sol.coef, dtype=np.float64)
    return sol, total


def solve_in_rounds(problem, backend, tol, max_iter, warm_start):
    """Solve ``problem``; at the default ``max_iter``, resume an unconverged solve.

    ``max_iter`` is the backend's budget (coordinate-descent epochs over
    every proximal-Newton step for ``"cd"``). At scikit-learn's default of
    100 -- a budget of lbfgs iterations there, which says nothing about
    epochs -- a solve that stops short of ``tol`` resumes from where it
    stopped with 10x and then 100x the budget, as the refit of
    ``LassoCV`` does; any other ``max_iter`` is taken at its word. Only the
    last round warns.

    Parameters
    ----------
    problem, backend, tol, warm_start
        As for :func:`solve_rounds`.
    max_iter : int
        The estimator's ``max_iter``: the first budget, and whether to resume.

    Returns
    -------
    (Solution, int)
        As for :func:`solve_rounds`.
    """
    rounds = ROUNDS if max_iter == DEFAULT_MAX_ITER else 1
    return solve_rounds(problem, backend, tol, max_iter, rounds, warm_start)
