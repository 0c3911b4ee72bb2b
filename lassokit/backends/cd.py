"""The ``"cd"`` backend: coordinate descent with working sets, screening and Anderson.

Outer loop (readable Python, ``_cd_solver.py``), per iteration:

1. recompute the residual from the support (no drift) and the correlations
   ``u = Xc^T S r / n`` of every feature still in play (one pass over X;
   the first pass also yields the column norms);
2. evaluate the duality gap exactly as :func:`lassokit.certificate.certify`
   does (best feasible rescaling of the residual) and stop when
   ``gap <= tol * P(0, b0)``; with float32 X the gap is that of the
   float32-rounded coefficients, as the problem layer will certify them;
3. Gap Safe screening: discard features proven zero at the optimum (their
   bounds are kept, so the final full-problem gap needs no pass over them);
4. build a working set: the support (plus half as many zero features) and
   the features closest to violating the optimality conditions,
   ``(lam_j - |u_j|) / ||xc_j||``; its size balances inner work against the
   cost of an outer pass (a set that fails to reduce the gap doubles);
5. solve the working-set subproblem with compiled coordinate descent —
   residual updates on X or on a compact copy of the set's columns, or the
   set's Gram matrix when that is cheaper (``n >> m``) — Anderson
   extrapolation every 5 epochs, to a fraction of the current gap (or to
   ``tol`` when the set holds every violator and is cheap). Every fifth
   epoch sweeps the whole set, the others only its non-zeros (glmnet's
   active-set cycling); past 50 epochs, every twentieth. On sparse X, when
   ``K n`` is below the set's non-zeros, the residuals of the last
   ``K + 1`` iterates are kept and the extrapolated point's residual is
   their affine combination, not an update per moved column: at the end of
   a p >> n path, where nearly every extrapolation is rejected, an attempt
   then costs a fraction of an epoch instead of one. The set's gap is
   checked every period until two checks show a decrease, then after half
   the epochs that the observed rate says are still needed (whole periods,
   at most 8): on slow subproblems a check costs as much as an epoch.

Losses other than least squares (logistic, Poisson, Huber) are solved by
proximal Newton steps around this engine (``_prox_newton.py``): each step's
quadratic model is a weighted least-squares problem, which the engine above
solves; a line search on the true objective and the loss certificate of
:mod:`lassokit.losses.certificate` decide each step and the stop (Friedman
et al. 2010; Lee, Sun & Saunders 2014; Bertrand et al. 2022). Their paths
warm-start each strength from the previous one.

Along a path on sparse X (stepped strength by strength), a strength that
follows one of at least 50 epochs starts from the secant prediction
``w_k + t (w_k - w_{k-1})`` (``t`` the ratio of the log-steps; coordinates
that would cross zero start at zero) instead of ``w_k``; its residual and
correlations are then recomputed from X. Dense X starts from ``w_k``:
there the prediction cost epochs (see the path docs).

Measured and dropped (not worth their cost on the benchmark problems, see
``benchmarks/README.md``): dual extrapolation of the residual in the inner
gap checks (Anderson on the primal iterates already gives the residual's
gain), a support Newton step (exact minimizer on a settled support; saved
epochs but not time), symmetric (forward-backward) sweeps.

References
----------
Friedman, Hastie & Tibshirani (2010), "Regularization paths for generalized
linear models via coordinate descent", J. Stat. Softw. 33(1).
Fercoq, Gramfort & Salmon (2015), "Mind the duality gap: safer rules for the
Lasso", ICML (Gap Safe screening).
Massias, Gramfort & Salmon (2018), "Celer: a fast solver for the Lasso with
dual extrapolation", ICML; Massias, Vaiter, Gramfort & Salmon (2020), "Dual
extrapolation for sparse generalized linear models", JMLR (working sets
ranked by a dual score).
Lee, Sun & Saunders (2014), "Proximal Newton-type methods for minimizing
composite functions", SIAM J. Optim. 24(3).
Bertrand & Massias (2021), "Anderson acceleration of coordinate descent",
AISTATS; Bertrand, Klopfenstein, Massias, et al. (2022), "Beyond L1: faster
and better sparse models with skglm", NeurIPS.
"""

from __future__ import annotations

import numpy as np

from .._kernel_time import load, measure
from .base import Backend, Capabilities

__all__ = ["CDBackend"]


class CDBackend(Backend):
    """Coordinate descent (numba) for every problem lassokit states.

    Options
    -------
    working_set : bool, default=True
        Solve growing working-set subproblems (celer/skglm style) instead of
        sweeping every feature.
    screening : bool, default=True
        Gap Safe screening of features proven zero at the optimum.
    anderson : bool, default=True
        Anderson extrapolation of the coordinate-descent iterates.
    gram : {"auto", True, False}, default="auto"
        Solve working-set subproblems on their Gram matrix.
    ws_start : int, default=10
        Size of the first working set.
    verbose : bool, default=False
        Print one line per outer iteration.

    Notes
    -----
    ``max_iter`` bounds the total number of coordinate-descent epochs
    (passes over a working set, not over all features); the default is
    10,000.
    """

    name = "cd"
    capabilities = Capabilities(losses=None, bounds=True, matrix=True)
    exact_sums = True
    options = {"working_set": True, "screening": True, "anderson": True, "gram": "auto",
               "ws_start": 10, "verbose": False}
    default_max_iter = 10000

    def solve(self, problem, *, tol, max_iter, warm_start, **options):
        opts = _checked(**options)
        # Importing the solver, numba and the kernels (at the first solve of a
        # process) and loading or compiling kernels are reported in
        # info["load_time"] / ["compile_time"] and left out of solve_time.
        # Least squares is its own Newton model: the weighted least-squares
        # engine solves it directly. Any other loss runs proximal Newton
        # steps around that engine (see _prox_newton).
        module = ("lassokit.backends._cd_solver" if problem.loss.least_squares
                  else "lassokit.backends._prox_newton")
        with measure() as kt:
            run = load(module).run
            raw = run(problem, tol=tol, max_iter=max_iter, warm_start=warm_start, **opts)
        raw.info.update(kt.info())
        return raw

    def solve_matrix(self, problem, design, *, tol, max_iter, warm_start, **options):
        """Block coordinate descent on a matrix or group problem (:mod:`lassokit.matrix`).

        Working sets, Gap Safe screening of whole groups and Anderson
        acceleration, as for one target; ``options`` as :meth:`solve`'s
        (``verbose`` is taken, the others are fixed on).
        """
        opts = _checked(**options)
        with measure() as kt:
            run = load("lassokit.matrix._certify").solve
            W, n_iter, info = run(design, tol=tol, max_iter=max_iter, W0=warm_start,
                                  verbose=opts["verbose"])
        info.update(kt.info())
        return {"coef": W, "n_iter": n_iter, "info": info}

    def open_path(self, problem, *, tol, max_iter, options, strong_rules=True):
        """A native path session: X's layout, norms, Gram matrix and residual persist.

        With ``n >> p`` (and no fully unpenalized feature) the session builds
        the centred Gram matrix once and solves every strength in feature
        space, certifying from the same sums; otherwise each strength runs
        the working-set solver from the previous strength's residual and
        correlations. ``strong_rules`` does not apply: the solver's own
        working sets and Gap Safe screening see every feature.

        Parameters
        ----------
        problem, tol, max_iter, options, strong_rules
            See :meth:`lassokit.Backend.open_path`.

        Returns
        -------
        PathSession
        """
        if not problem.loss.least_squares:
            from .session import WarmStartSession

            return WarmStartSession(self, problem, tol=tol, max_iter=max_iter,
                                    options=_checked(**options))
        from ._cd_path import CDPathSession  # numba kernels load here

        return CDPathSession(self, problem, tol=tol, max_iter=max_iter,
                             options=_checked(**options))


def _checked(working_set=True, screening=True, anderson=True, gram="auto", ws_start=10,
             verbose=False):
    """The options of ``"cd"``, validated, as keywords of the solver."""
    if gram not in ("auto", True, False):
        raise ValueError(f"gram must be 'auto', True or False, got {gram!r}.")
    for key, val in (("working_set", working_set), ("screening", screening),
                     ("anderson", anderson), ("verbose", verbose)):
        if not isinstance(val, (bool, np.bool_)):
            raise TypeError(f"{key} must be a bool, got {type(val).__name__}.")
    if isinstance(ws_start, bool) or not isinstance(ws_start, (int, np.integer)) \
            or ws_start < 1:
        raise ValueError(f"ws_start must be an integer >= 1, got {ws_start!r}.")
    return dict(working_set=bool(working_set), screening=bool(screening),
                anderson=bool(anderson), gram=gram, ws_start=int(ws_start), verbose=bool(verbose))
