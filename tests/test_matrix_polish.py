"""The Newton finish of matrix and group solves drops a group that collapses.

A selected group whose optimum is zero cannot be reached by Newton's method
on ``||w_g||`` (the finish keeps selected groups off zero): the finish must
drop it and solve again, and the certificate choose. Reference: the same
problem solved to a tight tolerance, and the group's optimality condition
at zero checked by hand.
"""

import numpy as np

import lassokit as lk
from lassokit.estimators._matrix_polish import polish_matrix
from lassokit.matrix.solution import MatrixSolution


def _problem():
    rng = np.random.default_rng(3)
    n, p, K = 30, 8, 3
    X = rng.standard_normal((n, p))
    W = np.zeros((p, K))
    W[:3] = rng.standard_normal((3, K))
    Y = X @ W + 0.3 * rng.standard_normal((n, K))
    return lk.Problem(X, Y, lk.GroupL2(0.1) + lk.L2(0.01))


def test_a_group_near_zero_is_finished_at_exact_zero():
    problem = _problem()
    exact = problem.solve(tol=1e-12)
    zero_rows = np.flatnonzero(np.linalg.norm(exact.coef, axis=1) == 0)
    assert zero_rows.size > 0
    j = zero_rows[0]
    # Zero is optimal for row j: its gradient norm at the optimum is below alpha.
    Xc = problem.X - problem.X.mean(axis=0)
    R = (problem.y - problem.y.mean(axis=0)) - Xc @ exact.coef
    assert np.linalg.norm(Xc[:, j] @ R / Xc.shape[0]) < 0.1
    # An iterate with that row slightly off zero, as a solver stopping at tol leaves it.
    W = exact.coef.copy()
    W[j] = 1e-4
    cert = problem.certify(W)
    sol = MatrixSolution(coef=W, intercept=cert.intercept, objective=cert.objective,
                         dual_gap=cert.dual_gap, rel_gap=cert.dual_gap / 1.0, converged=True,
                         status="optimal", n_iter=1, backend="cd", solve_time=0.0, tol=1e-3,
                         info={}, loss=exact.loss)
    out = polish_matrix(problem, sol)
    assert out.info.get("polished")
    assert np.all(out.coef[j] == 0.0)
    np.testing.assert_allclose(out.coef, exact.coef, atol=1e-9)
    assert out.dual_gap <= cert.dual_gap
