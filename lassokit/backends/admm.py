"""The ``"admm"`` backend: ADMM with a cached factorization, then polishing.

The problem (intercept eliminated by implicit centring, ``H`` and ``b`` as in
:mod:`lassokit.backends._admm_factor`)

    minimize  1/2 x^T H x - b^T x + sum_j lam_j |z_j|   s.t.  x = z  (z >= 0 if positive)

is solved by scaled ADMM with over-relaxation (Boyd et al. 2011, sections
3.1, 3.4.3 and 6.4): the x-update is a linear solve with ``H + rho I``,
factored once per value of ``rho``; the z-update is the prox of the L1 term
(soft thresholding, then the projection on ``z >= 0``); the dual update adds
the relaxed residual. ``rho`` is adapted by residual balancing of the
normalized residuals, ``rho <- rho * sqrt(r_pri / r_dual)`` as in OSQP
(Stellato et al. 2020, section 5.2), and the factor is rebuilt only when that
changes ``rho`` by more than a factor 5.

ADMM reaches the support and signs of the solution long before it reaches a
relative gap of 1e-6. Whenever the sign pattern of ``z`` has not moved for a
whole block of iterations, a *polishing* step solves the optimality
conditions exactly on that pattern (a k x k system, ``k`` the support size),
drops coefficients whose sign disagrees, checks the KKT conditions of the
remaining coordinates and, if they hold, asks the certificate. Polishing is
kept only when the certificate says ``gap <= tol * P(0)``; otherwise ADMM
goes on. Independently, when the primal and dual residuals fall below
thresholds scaled to the iterates (Boyd et al. 2011, section 3.3.1) the
iterate ``z`` is certified, and the thresholds tighten tenfold each time the
certificate refuses. With the "gram" route the certificate's gap is evaluated
from ``H`` and ``b`` alone (same formula, no pass over X); the problem layer
certifies the returned coefficients in any case.

Where the p x p matrix ``H`` would be formed (``n >= p``), and for sparse X,
when ``p >= 128`` the solve runs on growing working sets
(:mod:`lassokit.backends._admm_ws`): ADMM on the features most likely to be
active, a full duality-gap check, and a larger set if needed -- a small Gram
matrix instead of the full factor.

Layout: :mod:`lassokit.kernels.admm` (numba: prox, relaxed z/dual update,
whole iterations with a cached inverse), :mod:`lassokit.backends._admm_factor`
(the four x-update routes), :mod:`lassokit.backends._admm_run` (one solve:
loop, rho balancing, polishing, stopping), :mod:`lassokit.backends._admm_ws`
(working sets), this module (options and dispatch).

References
----------
S. Boyd, N. Parikh, E. Chu, B. Peleato and J. Eckstein (2011), "Distributed
optimization and statistical learning via the alternating direction method of
multipliers", Foundations and Trends in Machine Learning 3(1), 1-122.

B. Stellato, G. Banjac, P. Goulart, A. Bemporad and S. Boyd (2020), "OSQP: an
operator splitting solver for quadratic programs", Mathematical Programming
Computation 12, 637-672.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .._kernel_time import measure
from ._scaling import unit_scaled
from .base import Backend, Capabilities

#: Data whose scale is off by more than 2**this is rescaled (see _scaling).
_SCALE_EXPONENT = 64
#: x-update routes (see :mod:`lassokit.backends._admm_factor`).
ROUTES = ("auto", "gram", "woodbury", "sparse_woodbury", "sparse_lu")


class AdmmBackend(Backend):
    """ADMM for Lasso / Elastic Net / Ridge with every option of the objective.

    See the module docstring for the algorithm (Boyd et al. 2011; residual
    balancing as in Stellato et al. 2020).

    Options
    -------
    rho : float, optional
        Initial penalty parameter; default: the mean non-zero eigenvalue of
        ``Xc^T S Xc / n`` plus the mean L2 strength.
    relaxation : float, default=1.6
        Over-relaxation parameter in (0, 2).
    adaptive_rho : bool, default=True
        Residual balancing of ``rho``.
    polish : bool, default=True
        Exact solves on the detected sign pattern.
    factorization : {"auto", "gram", "woodbury", "sparse_woodbury", "sparse_lu"}
        Route of the x-update (see :mod:`lassokit.backends._admm_factor`).
    working_set : {"auto", True, False}, default="auto"
        Solve on growing working sets (:mod:`lassokit.backends._admm_ws`);
        "auto" does so when ``p >= 128`` and X is sparse or the p x p Gram
        matrix (``n >= p``) would otherwise be formed.
    verbose : bool, default=False
    """

    name = "admm"
    capabilities = Capabilities(bounds=True)
    options = {"rho": None, "relaxation": 1.6, "adaptive_rho": True, "polish": True,
               "factorization": "auto", "working_set": "auto", "verbose": False}
    default_max_iter = 20000

    def solve(self, problem, *, tol, max_iter, warm_start, rho=None, relaxation=1.6,
              adaptive_rho=True, polish=True, factorization="auto", working_set="auto",
              verbose=False):
        relaxation = _check_real(relaxation, "relaxation", 0.0, 2.0)
        if rho is not None:
            rho = _check_real(rho, "rho", 0.0, np.inf)
        if factorization not in ROUTES:
            raise ValueError(f"factorization must be one of {', '.join(ROUTES)}; "
                             f"got {factorization!r}.")
        if working_set not in ("auto", True, False):
            raise ValueError(f"working_set must be 'auto', True or False; got {working_set!r}.")
        for key, val in (("adaptive_rho", adaptive_rho), ("polish", polish),
                         ("verbose", verbose)):
            if not isinstance(val, (bool, np.bool_)):
                raise TypeError(f"{key} must be a bool, got {type(val).__name__}.")
        # numba kernels load only when a solve runs (lassokit.kernels convention): in _solve.
        # Only a relative stopping rule here, but H, rho and the residuals of
        # data scaled by ~1e-150 reach the subnormals: keep them in range.
        d, X, cx, cy = unit_scaled(problem._design, problem.X, min_exponent=_SCALE_EXPONENT)
        if rho is not None:
            rho = rho / cx / cx  # the x-update's H scales as 1 / cx^2
        if warm_start is not None:
            warm_start = warm_start * (cx / cy)
        with measure() as kt:  # kernel loading and compiling: info, not solve_time
            result = self._solve(d, X, tol, max_iter, warm_start, rho, relaxation,
                                 adaptive_rho, polish, factorization, working_set, verbose)
        result.info.update(kt.info())
        if cx != 1.0 or cy != 1.0:
            result.coef = np.asarray(result.coef, dtype=np.float64) * (cy / cx)
        return result

    def _solve(self, d, X, tol, max_iter, warm_start, rho, relaxation, adaptive_rho, polish,
               factorization, working_set, verbose):
        from ._admm_factor import auto_route, make_factor
        from ._admm_run import AdmmRun
        from ._admm_ws import WS_START, solve_working_set

        if working_set == "auto":
            # Where the full factor is worth avoiding: the p x p Gram matrix
            # (n >= p), and any sparse X, whose full factor (n x n, or the
            # sparse LU of the augmented system) costs far more than a small
            # working set's Gram matrix. Dense p > n keeps the n x n factor,
            # which is cheap next to the n x p products.
            working_set = (factorization == "auto" and d.p >= 4 * WS_START
                           and (auto_route(X) == "gram" or sp.issparse(X)))
        if factorization in ("sparse_woodbury", "sparse_lu") and not sp.issparse(X):
            raise ValueError(f"factorization={factorization!r} needs a sparse X; "
                             "use 'gram' or 'woodbury'.")
        opts = dict(rho=rho, relaxation=relaxation, adaptive_rho=bool(adaptive_rho),
                    polish=bool(polish), factorization=factorization, verbose=bool(verbose))
        if working_set:
            return solve_working_set(d, X, tol, max_iter, warm_start, opts)
        factor = make_factor(X, d, factorization)
        run = AdmmRun(factor, d, X, tol, relaxation, opts["adaptive_rho"], opts["polish"],
                      opts["verbose"])
        return run.solve(warm_start, rho, max_iter)


def _check_real(value, name, low, high):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}.")
    value = float(value)
    if not (low < value < high):
        raise ValueError(f"{name} must be in ({low:g}, {high:g}), got {value!r}.")
    return value
