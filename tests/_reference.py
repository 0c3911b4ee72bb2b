"""An independent CVXPY reference, and the checks that judge a solution by it.

:func:`reference_solve` solves a problem with a CVXPY formulation written
here, independently of lassokit's own ``"cvxpy"`` backend (explicit
intercept variable, uncentred dense X, weights normalized here), then
polishes it on its support with the KKT equations so that ``P*`` is known
to near machine precision. :func:`assert_matches_reference` and
:func:`assert_certified_objective` compare a solution with it, the
certificate first. Re-exported by ``conftest`` (``from conftest import
reference_for`` keeps working).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import _tolerances as tl
import numpy as np
import pytest
import scipy.sparse as sp
from _problems import make_problem, strengths

import lassokit as lk

__all__ = [
    "Reference", "assert_certified_objective", "assert_matches_reference", "capable_pairs",
    "coef_error_bound", "p0_of", "problem_and_reference", "ref_intercept", "ref_objective",
    "reference_for", "reference_for_problem", "reference_solve", "strong_convexity",
]

# ---------------------------------------------------------------------------
# Independent objective and CVXPY reference
# ---------------------------------------------------------------------------


def _dense64(X):
    return X.toarray().astype(np.float64) if sp.issparse(X) else np.asarray(X, dtype=np.float64)


def _weights(sample_weight, n):
    if sample_weight is None:
        return np.ones(n)
    s = np.asarray(sample_weight, dtype=np.float64)
    return s * n / s.sum()


def ref_objective(X, y, coef, intercept, lam, mu, sample_weight=None):
    """lassokit's objective, written out by hand on dense float64 data."""
    Xd = _dense64(X)
    n = Xd.shape[0]
    s = _weights(sample_weight, n)
    r = np.asarray(y, dtype=np.float64) - Xd @ np.asarray(coef, dtype=np.float64) - intercept
    w = np.asarray(coef, dtype=np.float64)
    return float(s @ (r * r)) / (2 * n) + float(lam @ np.abs(w)) + 0.5 * float(mu @ (w * w))


def ref_intercept(X, y, coef, sample_weight=None, fit_intercept=True):
    """Optimal intercept for ``coef``: the weighted mean residual."""
    if not fit_intercept:
        return 0.0
    Xd = _dense64(X)
    s = _weights(sample_weight, Xd.shape[0])
    return float(s @ (np.asarray(y, dtype=np.float64) - Xd @ np.asarray(coef, dtype=np.float64))) / s.sum()


@dataclass(frozen=True)
class Reference:
    coef: np.ndarray
    intercept: float
    objective: float  # P* (upper estimate, accurate to ~1e-12 relative)


def reference_solve(X, y, lam, mu, *, fit_intercept=True, sample_weight=None, positive=False):
    """Solve lassokit's objective independently: own CVXPY model + KKT polish.

    The CVXPY model uses the raw (uncentred) dense X with an explicit
    intercept variable. The interior-point answer is then polished: on the
    support found, with the signs found, the KKT conditions are linear
    equations, solved exactly; the polished point is kept when it is
    feasible and not worse.
    """
    import cvxpy as cp

    Xd = _dense64(X)
    y = np.asarray(y, dtype=np.float64)
    n, p = Xd.shape
    s = _weights(sample_weight, n)
    lam = np.asarray(lam, dtype=np.float64)
    mu = np.asarray(mu, dtype=np.float64)
    w = cp.Variable(p)
    b = cp.Variable() if fit_intercept else 0.0
    resid = cp.multiply(np.sqrt(s), y - Xd @ w - b)
    obj = cp.sum_squares(resid) / (2 * n)
    # Only non-zero strengths enter the model: a zero-weighted square(w_j) leaves
    # an epigraph variable free to diverge, which derails Clarabel.
    on1, on2 = np.flatnonzero(lam > 0), np.flatnonzero(mu > 0)
    if on1.size:
        obj = obj + lam[on1] @ cp.abs(w[on1])
    if on2.size:
        obj = obj + 0.5 * (mu[on2] @ cp.square(w[on2]))
    cons = [w >= 0] if positive else []
    prob = cp.Problem(cp.Minimize(obj), cons)
    prob.solve(solver="CLARABEL", tol_gap_abs=1e-13, tol_gap_rel=1e-13, tol_feas=1e-12,
               tol_ktratio=1e-10, max_iter=500)
    coef = np.asarray(w.value, dtype=np.float64)
    if positive:
        coef = np.maximum(coef, 0.0)
    icpt = ref_intercept(Xd, y, coef, s, fit_intercept)
    best = (coef, icpt, ref_objective(Xd, y, coef, icpt, lam, mu, s))
    polished = _kkt_polish(Xd, y, s, lam, mu, coef, fit_intercept, positive)
    if polished is not None:
        pc = polished
        pi = ref_intercept(Xd, y, pc, s, fit_intercept)
        po = ref_objective(Xd, y, pc, pi, lam, mu, s)
        if po <= best[2]:
            best = (pc, pi, po)
    _check_reference_converged(Xd, y, s, lam, mu, best[0], fit_intercept, positive, prob.status)
    return Reference(*best)


def _check_reference_converged(Xd, y, s, lam, mu, coef, fit_intercept, positive, status):
    """A reference is converged, or the test using it fails saying so.

    The gap is lassokit's certificate of the same problem (scale by hand:
    ``P(0, b0)``); a reference whose polish failed and whose interior-point
    answer stopped short would otherwise stand in for ``P*`` silently.
    """
    p = Xd.shape[1]
    prob = lk.Problem(Xd, y, lk.L1(1.0, lam) + lk.L2(1.0, mu), fit_intercept=fit_intercept,
                      sample_weight=s, positive=positive)
    b0 = ref_intercept(Xd, y, np.zeros(p), s, fit_intercept)
    p0 = ref_objective(Xd, y, np.zeros(p), b0, lam, mu, s)
    gap = float(prob.dual_gap(coef))
    assert gap <= tl.REF_GAP_TOL * p0 or gap == 0.0, (
        f"the CVXPY reference is not converged: relative gap {gap / p0 if p0 else gap:.3e} > "
        f"{tl.REF_GAP_TOL:g} (CVXPY status {status!r})"
    )


def _kkt_polish(Xd, y, s, lam, mu, coef, fit_intercept, positive):
    n, p = Xd.shape
    thresh = 1e-7 * tl.coef_scale(coef)
    act = np.flatnonzero(np.abs(coef) > thresh)
    # Features with no penalty at all are always "active" (any sign).
    if not positive:
        act = np.union1d(act, np.flatnonzero((lam == 0) & (mu == 0)))
    if fit_intercept:
        xm = (s @ Xd) / n
        ym = (s @ y) / n
    else:
        xm, ym = np.zeros(p), 0.0
    Xc = Xd - xm
    yc = y - ym
    sign = np.sign(coef[act])
    A = Xc[:, act]
    G = A.T @ (s[:, None] * A) / n + np.diag(mu[act])
    rhs = A.T @ (s * yc) / n - lam[act] * sign
    sol = np.linalg.lstsq(G, rhs, rcond=None)[0]
    if positive and np.any(sol < 0):
        return None
    if np.any(sign * sol < 0):
        return None
    out = np.zeros(p)
    out[act] = sol
    return out


@functools.lru_cache(maxsize=256)
def _reference_for_spec(spec):
    prob = make_problem(spec)
    lam, mu = strengths(prob)
    return reference_solve(prob.X, prob.y, lam, mu, fit_intercept=prob.fit_intercept,
                           sample_weight=prob.sample_weight, positive=prob.positive)


def reference_for(spec):
    """Cached :class:`Reference` of the standard problem ``spec``."""
    # CSC and CSR hold the same numbers: share one reference.
    return _reference_for_spec(replace(spec, storage="csc") if spec.storage == "csr" else spec)


def problem_and_reference(spec):
    """The standard problem ``spec`` (:func:`make_problem`) and its cached
    :class:`Reference` (:func:`reference_for`)."""
    return make_problem(spec), reference_for(spec)


def reference_for_problem(problem):
    """:class:`Reference` of any :class:`lassokit.Problem` (not cached)."""
    lam, mu = strengths(problem)
    return reference_solve(problem.X, problem.y, lam, mu, fit_intercept=problem.fit_intercept,
                           sample_weight=problem.sample_weight, positive=problem.positive)


def p0_of(problem):
    """``P(0, b0)`` computed by hand: the scale of relative gaps."""
    lam, mu = strengths(problem)
    X = problem.X
    b0 = ref_intercept(X, problem.y, np.zeros(problem.n_features), problem.sample_weight,
                       problem.fit_intercept)
    return ref_objective(X, problem.y, np.zeros(problem.n_features), b0, lam, mu,
                         problem.sample_weight)


# ---------------------------------------------------------------------------
# Agreement with the reference, judged by the certificate first
# ---------------------------------------------------------------------------


def _centred_hessian(problem, cols):
    """``Xc_U^T S Xc_U / n + diag(mu_U)`` for the columns ``U = cols`` (dense, by hand)."""
    Xd = _dense64(problem.X)[:, cols]
    n = Xd.shape[0]
    s = _weights(problem.sample_weight, n)
    if problem.fit_intercept:
        Xd = Xd - (s @ Xd) / n
    _, mu = strengths(problem)
    return Xd.T @ (s[:, None] * Xd) / n + np.diag(mu[cols])


def coef_error_bound(problem, coef, objective, ref):
    """Bound on ``|coef - w*|_2`` implied by the objective excess ``P(coef) - P*``.

    With the intercept eliminated the data fit is quadratic with Hessian
    ``A = Xc^T S Xc / n`` and the penalty is convex with curvature at least
    ``diag(mu)``; optimality of ``w*`` then gives, for ``d = coef - w*``,

        P(coef) - P* >= d^T (A + diag(mu)) d / 2 >= kappa |d|_2^2 / 2,

    where ``kappa`` is the smallest eigenvalue of ``A + diag(mu)`` restricted
    to ``U = supp(coef) | supp(w_ref)``, the only coordinates where ``d`` can
    be non-zero. Hence ``|d|_inf <= |d|_2 <= sqrt(2 (P(coef) - P*) / kappa)``:
    a loose certificate allows proportionally (square-root) larger coefficient
    errors on flat (ill-conditioned) problems, and nothing more. Returns 0 when
    ``kappa`` vanishes (no uniqueness argument: only the plain tolerance
    applies).
    """
    coef = np.asarray(coef, dtype=np.float64)
    cols = np.flatnonzero((coef != 0) | (ref.coef != 0))
    kappa = strong_convexity(problem, cols)
    if kappa == 0.0:
        return 0.0
    excess = max(objective - ref.objective, 0.0) + tl.OBJ_ROUNDING * max(1.0, p0_of(problem))
    return float(np.sqrt(2.0 * excess / kappa))


def strong_convexity(problem, cols=None):
    """Smallest eigenvalue of ``Xc^T S Xc / n + diag(mu)`` on the columns ``cols``
    (all by default); 0.0 when it is not clearly positive (no uniqueness)."""
    cols = np.arange(problem.n_features) if cols is None else np.asarray(cols)
    if cols.size == 0:
        return 0.0
    eig = np.linalg.eigvalsh(_centred_hessian(problem, cols))
    kappa = float(eig[0])
    return kappa if kappa > 1e-12 * max(float(eig[-1]), np.finfo(float).tiny) else 0.0


def assert_certified_objective(problem, sol, ref, tol):
    """Converged at ``tol``, a valid certificate, and the reference's objective.

    The checks of :func:`assert_matches_reference` that hold whether or not
    the optimum is unique.
    """
    p0 = p0_of(problem)
    slack = tl.SUBOPT_SLACK * max(1.0, p0)
    assert sol.converged and sol.status == "optimal", sol
    assert sol.dual_gap <= tol * p0 * (1 + 1e-9), (sol.dual_gap, tol * p0)
    assert sol.objective - ref.objective <= sol.dual_gap + slack, "certificate below suboptimality"
    assert sol.objective >= ref.objective - slack, "objective below the reference optimum"
    if ref.objective > 0:
        rel = abs(sol.objective - ref.objective) / ref.objective
        assert rel <= tl.REL_OBJ_TOL, f"relative objective difference {rel:.3e} > {tl.REL_OBJ_TOL:g}"


def assert_matches_reference(problem, sol, ref, tol):
    """A solution is certified at ``tol`` and agrees with the reference.

    Checks, in this order: converged with ``dual_gap <= tol * P(0, b0)``; the
    certificate is valid (``P - P* <= gap``) and nobody beats ``P*``; the
    relative objective difference is at most :data:`~_tolerances.REL_OBJ_TOL`; the
    coefficients agree in relative sup norm within :data:`~_tolerances.COEF_TOL` plus
    :func:`coef_error_bound`; the intercept is the optimal one for ``coef``;
    dtype and positivity are kept.
    """
    assert_certified_objective(problem, sol, ref, tol)
    coef = np.asarray(sol.coef, dtype=np.float64)
    bound = coef_error_bound(problem, coef, sol.objective, ref)
    err = float(np.max(np.abs(coef - ref.coef)))
    allowed = tl.COEF_TOL * tl.coef_scale(ref.coef) + bound
    assert err <= allowed, (
        f"max coef difference {err:.3e} > {tl.COEF_TOL:g} * max(1, |ref|_inf) + "
        f"certificate bound {bound:.3e}"
    )
    b = ref_intercept(problem.X, problem.y, coef, problem.sample_weight, problem.fit_intercept)
    assert abs(sol.intercept - b) <= tl.EXACT_RTOL * max(1.0, abs(b), float(np.max(np.abs(problem.y))))
    assert sol.coef.dtype == problem.X.dtype
    if problem.positive:
        assert np.all(sol.coef >= 0)


def capable_pairs(specs, marks=()):
    """``pytest.param(backend, spec)`` for every available backend that can take each spec.

    The registry decides (``Backend.supports`` through ``capable_backends``),
    before collection: a backend that cannot take a problem gets no test for
    it rather than a skip, and any registered backend, built-in or a user's,
    is covered without writing a test for it. Emulated backends are included
    (``"gpu"`` without a CUDA device runs its same code on the CPU here).
    """
    from lassokit.backends.registry import capable_backends

    out = []
    for spec in specs:
        problem = make_problem(spec)
        for name in capable_backends(problem, emulated=True):
            out.append(pytest.param(name, spec, id=f"{name}-{spec.id()}", marks=marks))
    return out
