"""The final model of ``LassoCV``/``ElasticNetCV``: certified, and exact on its support.

Two ways to solve it, as the folds were: by the backend on the validated X,
or in feature space from the total Gram moments (the moments stand in for
the pass over X that the data statistics would take). Either way:

* at scikit-learn's default ``max_iter`` an unconverged refit resumes with
  10x and then 100x the budget instead of stopping (the folds' budget is the
  user's knob; the model handed out must be certified);
* it is then finished exactly on its support (:mod:`lassokit._polish`; a
  finish that leaves the coefficients' bounds is dropped), and a refit
  whose support is not identified at ``tol`` yet is first solved once
  more, tighter;
* with ``relax``, the certified solution is blended with the unpenalized fit
  on its support (:mod:`lassokit._relax`), from the same moments or rows.

The path on all data over the CV grid (``path_``) is not part of the refit:
:class:`FullPath` solves it when it is first asked for.
"""

from __future__ import annotations

import time

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._box import make_box
from .._finish import finish, warn_unconverged
from .._polish import polish, polish_gram, prefer_polished, with_tol
from .._relax import blend, relaxed_fits
from ..backends.base import BackendResult
from ..path import run_path
from ..problem import Problem
from ._rounds import ROUNDS, solve_rounds

__all__ = ["FullPath", "FullPathMixin", "refit", "refit_by_backend", "refit_from_moments",
           "refit_rounds"]

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


def refit(problem, alpha, settings, moments, gamma=None):
    """The final model on all data: ``(Solution, coef, intercept)``.

    Parameters
    ----------
    problem : Problem
        All data, penalty of unit strength at the chosen L1 share (with the
        per-feature weights).
    alpha : float
        The chosen strength.
    settings : dict
        The CV's backend, ``tol``, ``max_iter`` and options.
    moments : MomentProblem or None
        The total moments (Gram blocks), or None: solve on X.
    gamma : float, optional
        Relax the solution (``coef``/``intercept`` then are the relaxed ones;
        the Solution stays the certified penalized one).
    """
    pen = problem.penalty.at(alpha, problem.penalty.l1_ratio)
    tol, max_iter = settings["tol"], settings["max_iter"]
    rounds = refit_rounds(max_iter)
    if moments is None:
        at = problem.replace(penalty=pen)
        sol = refit_by_backend(at, settings["backend"], tol, max_iter, settings["options"],
                               rounds)
    else:
        d = moments.design(pen)
        # The moments' statistics: no pass over X for the centring.
        at = Problem._trusted(problem.X, problem.y, pen, fit_intercept=problem.fit_intercept,
                              sample_weight=problem.sample_weight, positive=problem.positive,
                              stats=(d.x_offset, d.y_offset, problem.y - d.y_offset, d.p0),
                              box=make_box(problem.bounds, False, problem.n_features))
        sol = refit_from_moments(at, moments, d, tol, max_iter, rounds)
    if gamma is None:
        return sol, sol.coef, sol.intercept
    coef = np.asarray(sol.coef)[:, None]
    if moments is None:
        W, w_icpt = relaxed_fits(at, coef)
    else:
        W = moments.unpenalized(coef, d.unpenalized)
        w_icpt = d.y_offset - d.x_offset @ W if d.fit_intercept else np.zeros(1)
    C, b = blend(gamma, coef, [sol.intercept], W, w_icpt, coef.dtype)
    return sol, C[:, 0], float(b[0])


class FullPath:
    """The path on all data over the CV grid, solved when first asked for (``path_``).

    Parameters
    ----------
    problem : Problem
        All data, unit strength at the chosen L1 share (with the weights).
    grid : ndarray
        The chosen L1 share's strengths.
    l1_ratio : float
    settings : dict
        The CV's backend, ``tol``, ``max_iter`` and options.
    gamma : float or None
        Relax the path at this gamma.
    """

    def __init__(self, problem, grid, l1_ratio, settings, gamma):
        self.problem, self.grid, self.l1_ratio, self.gamma = problem, grid, l1_ratio, gamma
        self.settings = {k: settings[k] for k in ("backend", "tol", "max_iter", "options")}
        self._path = None

    @property
    def solved(self):
        """bool: whether :meth:`path` has been called."""
        return self._path is not None

    def path(self):
        """The :class:`~lassokit.Path` (solved once), relaxed at ``gamma`` if given."""
        if self._path is None:
            st = self.settings
            lasso = run_path(self.problem, self.grid, backend=st["backend"], tol=st["tol"],
                             max_iter=st["max_iter"], options=st["options"],
                             l1_ratio=self.l1_ratio)
            # What coef_at(exact=True) and relax() need (as lk.path sets them).
            lasso._problem, lasso._options = self.problem, dict(st["options"])
            bad = ~lasso.converged
            if np.any(bad):
                worst = int(np.argmax(lasso.rel_gaps))
                warn_unconverged(f"path_ (worst at alpha={lasso.alphas[worst]:.4g})",
                                 int(bad.sum()), len(lasso), lasso.tol, lasso.rel_gaps[worst],
                                 stacklevel=3)
            self._path = lasso if self.gamma is None else lasso.relax(self.gamma)
        return self._path


class FullPathMixin:
    """``path_`` of ``LassoCV``/``ElasticNetCV``: a :class:`FullPath` that ``fit`` stored."""

    @property
    def path_(self):
        """Path: the path on all data over ``alphas_`` (at ``l1_ratio_``), solved on first access.

        The refit solves ``alpha_`` only; the path over the whole grid, with
        the estimator's backend, ``tol``, penalty weights and
        standardization, is solved the first time ``path_`` is read and kept
        (so ``fit`` does not pay for it), warm-started along the grid and
        certified as :func:`lassokit.path`'s. Until then the estimator holds
        the training data by reference (not a copy: data changed in place
        after ``fit`` changes the path), and pickles and copies of it leave
        the data out: read ``path_`` before pickling, or fit again. With
        ``relax=True`` it is the relaxed path at ``gamma_``, whose
        ``relax(g)`` gives the other gammas. So ``path_.predict(X,
        alpha=alpha_1se_)`` predicts with the one-standard-error model.
        """
        check_is_fitted(self)
        full = self.__dict__.get("_full_path")
        if full is None:
            raise AttributeError(
                f"{type(self).__name__}.path_ is solved from the training data on first access; "
                "this estimator is a pickle or copy made before that, which leaves the data "
                "out. Read path_ before pickling, or fit again.")
        return full.path()

    def __getstate__(self):
        state = super().__getstate__()
        # The training data stay out of pickles and copies (a path_ solved
        # already is kept: it is the estimator's own result then).
        full = state.get("_full_path")
        if full is not None and not full.solved:
            del state["_full_path"]
        return state
