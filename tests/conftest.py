"""Shared tolerances, standard problems and an independent CVXPY reference.

Everything here is meant to be reused by every test file:

* tolerances are defined once (relative to the problem's scale, never as
  decimal places);
* :func:`make_data` / :func:`make_problem` build the small standard problems
  (dense or sparse CSC/CSR, float32/float64, with or without intercept,
  sample weights, per-feature weights with zeros, positivity, L1/L2 mixes);
* :func:`reference_solve` solves a problem with a CVXPY formulation written
  here, independently of lassokit's own ``"cvxpy"`` backend (explicit
  intercept variable, uncentred dense X, weights normalized here), then
  polishes it on its support with the KKT equations so that ``P*`` is known
  to near machine precision.

Helpers are plain functions (``from conftest import make_problem``) and are
also exposed as fixtures of the same name for files that prefer fixtures.
"""

from __future__ import annotations

import contextlib
import functools
import warnings
from dataclasses import dataclass, replace

import numpy as np
import pytest
import scipy.sparse as sp

import lassokit as lk

# ---------------------------------------------------------------------------
# Tolerances (one place). All relative: objectives relative to max(1, |P*|) or
# to P(0, b0); coefficients relative to max(1, |coef_ref|_inf).
# ---------------------------------------------------------------------------

#: Two accurate solves of the same problem agree on the objective to this
#: relative precision.
REL_OBJ_TOL = 1e-8
#: Relative duality gap expected at a (KKT-polished) reference optimum.
REL_GAP_TOL = 1e-8
#: Coefficient agreement between accurate solves, relative to max(1, |coef|_inf).
COEF_TOL = 1e-5
#: Agreement of quantities that are mathematically identical and computed
#: in float64 by different routes (dense vs sparse, weights vs repeated rows).
EXACT_RTOL = 1e-10
#: Slack granted to the inequality ``gap >= P(w) - P*``, relative to
#: max(1, P(0, b0)): covers only float64 rounding of P* itself.
SUBOPT_SLACK = 1e-10


#: Relative duality gap every backend is asked for (and must certify) on the
#: cross-backend consistency matrix (tests/test_consistency.py).
MATRIX_TOL = 1e-10
#: ``tol`` given to :func:`lassokit.verify` on the matrix (its documented default).
VERIFY_TOL = 1e-6
#: Float64 rounding of an objective value, relative to max(1, P(0, b0)): the
#: floor of the objective excess used in :func:`coef_error_bound`.
OBJ_ROUNDING = 1e-13
#: Relative duality gap every :func:`reference_solve` answer is checked to
#: reach: far below :data:`SUBOPT_SLACK`, so a reference's own suboptimality
#: never decides a test (seen: <= 3e-13 across the suite).
REF_GAP_TOL = 1e-11


def coef_scale(ref):
    """``max(1, |ref|_inf)``: the scale of coefficient tolerances."""
    ref = np.asarray(ref, dtype=np.float64)
    return max(1.0, float(np.max(np.abs(ref))) if ref.size else 1.0)


def assert_coef_close(coef, ref, tol=COEF_TOL):
    """``|coef - ref|_inf <= tol * max(1, |ref|_inf)``."""
    coef = np.asarray(coef, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    err = float(np.max(np.abs(coef - ref))) if ref.size else 0.0
    assert err <= tol * coef_scale(ref), (
        f"max coef difference {err:.3e} > {tol:g} * max(1, |ref|_inf) = "
        f"{tol * coef_scale(ref):.3e}"
    )


def assert_obj_close(obj, ref, tol=REL_OBJ_TOL):
    """``|obj - ref| <= tol * max(1, |ref|)``."""
    assert abs(obj - ref) <= tol * max(1.0, abs(ref)), (
        f"objective {obj!r} vs reference {ref!r}: relative difference "
        f"{abs(obj - ref) / max(1.0, abs(ref)):.3e} > {tol:g}"
    )


# ---------------------------------------------------------------------------
# References must be converged: a reference that stopped short of its tol is
# not the optimum, and a test that compares to it is wrong (issue 21, item 8).
# ---------------------------------------------------------------------------


def converged_ref(ref):
    """Return a lassokit reference after checking it converged.

    Takes a :class:`lassokit.Solution` (certified ``optimal``), a
    :class:`lassokit.Path` (every strength converged) or a fitted lassokit
    estimator (its ``solution_``). For scikit-learn references, fit inside
    :func:`sklearn_converged`.
    """
    sol = getattr(ref, "solution_", ref)
    conv = np.asarray(sol.converged)
    assert conv.all(), (
        f"the reference did not converge ({int(conv.size - conv.sum())} of {conv.size} "
        f"unconverged): raise its max_iter or loosen its tol to one it reaches: {sol!r}"
    )
    status = getattr(sol, "status", "optimal")
    assert status == "optimal", f"reference status {status!r}: {sol!r}"
    return ref


@contextlib.contextmanager
def sklearn_converged():
    """Inside this block a ``ConvergenceWarning`` is an error.

    scikit-learn warns exactly when a solver stops short of its ``tol``
    (coordinate descent: gap above tol at max_iter; lbfgs / sparse_cg: not
    converged), so a scikit-learn reference computed in this block is a
    converged one or the test fails saying so. lassokit's
    ``ConvergenceWarning`` subclasses scikit-learn's, so lassokit references
    in the block are held to the same rule.
    """
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        yield


#: The tight settings of a scikit-learn coordinate-descent reference (fitted
#: inside :func:`sklearn_converged`).
SK_TIGHT = {"tol": 1e-14, "max_iter": 1_000_000}


# ---------------------------------------------------------------------------
# --runslow / slow marker (the marker itself is declared in pyproject.toml).
# ---------------------------------------------------------------------------


def pytest_addoption(parser):
    parser.addoption(
        "--runslow", action="store_true", default=False, help="also run tests marked slow"
    )


def pytest_configure(config):
    # Declared here too so the marker exists even when pyproject is not the ini file.
    config.addinivalue_line("markers", "slow: larger tier, run with --runslow")
    _load_hypothesis_profile(config.getoption("--runslow"))


#: Hypothesis examples per property test: few in the default (CI) tier, more
#: with --runslow. derandomize=True makes every run draw the same examples.
HYPOTHESIS_EXAMPLES = {"fast": 6, "slow": 60}


def _load_hypothesis_profile(slow):
    try:
        from hypothesis import HealthCheck, Phase, settings
    except ImportError:  # pragma: no cover - hypothesis is a test dependency
        return
    for name, count in HYPOTHESIS_EXAMPLES.items():
        settings.register_profile(
            f"lassokit-{name}", max_examples=count, deadline=None, derandomize=True,
            database=None, print_blob=True,
            # no "explain" phase: it writes patch files and imports libcst
            phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
    settings.load_profile("lassokit-slow" if slow else "lassokit-fast")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    # Deselect rather than skip: the slow tier is a separate run, not a
    # condition that failed, and 2,000 "skipped" lines would hide real skips.
    slow = [item for item in items if "slow" in item.keywords]
    if slow:
        items[:] = [item for item in items if "slow" not in item.keywords]
        config.hook.pytest_deselected(items=slow)


# ---------------------------------------------------------------------------
# Standard problems
# ---------------------------------------------------------------------------

#: Penalty mixes: (a1 factor, a2 factor) relative to the data's own scale.
MIXES = {
    "lasso": (0.15, 0.0),
    "enet": (0.1, 0.3),
    "ridge": (0.0, 0.5),
    "ols": (0.0, 0.0),
}


def make_data(n=30, p=12, *, seed=0, storage="dense", dtype=np.float64, density=0.35,
              true_coef=None, noise=0.3, design="random"):
    """A random design and target: X (n, p) with non-zero column means, y.

    Parameters
    ----------
    storage : {"dense", "csc", "csr"}
    true_coef : array of shape (p,), optional
        Default: a sparse vector with mixed signs; feature 0 gets a negative
        coefficient so that positivity is active on it.
    design : {"random", "correlated", "diabetes"}
        "correlated": AR(1) columns with correlation 0.9 between neighbours
        (sparsified like "random" for sparse storage); "diabetes": the first
        ``n`` rows and ``p`` columns of scikit-learn's diabetes data (real
        target; ``true_coef`` and ``noise`` unused).
    """
    if design != "random":
        return _other_design(design, n, p, seed, storage, dtype, density, true_coef, noise)
    rng = np.random.default_rng(seed)
    if storage == "dense":
        X = rng.normal(size=(n, p)) + rng.normal(size=p)  # non-centred columns
    else:
        mask = rng.random((n, p)) < density
        mask[rng.integers(n, size=p), np.arange(p)] = True  # no empty column
        X = np.where(mask, rng.normal(loc=1.0, size=(n, p)), 0.0)
    if true_coef is None:
        true_coef = np.zeros(p)
        k = max(2, p // 3)
        true_coef[:k] = rng.normal(scale=2.0, size=k)
        true_coef[0] = -abs(true_coef[0]) - 0.5
        true_coef[1] = abs(true_coef[1]) + 0.5
    y = X @ true_coef + 1.7 + noise * rng.normal(size=n)
    X = X.astype(dtype)
    if storage == "csc":
        X = sp.csc_matrix(X)
    elif storage == "csr":
        X = sp.csr_matrix(X)
    elif storage != "dense":
        raise ValueError(storage)
    return X, y


def _as_storage(X, storage, dtype):
    X = X.astype(dtype)
    if storage == "csc":
        return sp.csc_matrix(X)
    if storage == "csr":
        return sp.csr_matrix(X)
    if storage != "dense":
        raise ValueError(storage)
    return X


@functools.lru_cache(maxsize=1)
def _diabetes():
    from sklearn.datasets import load_diabetes  # bundled with scikit-learn, no download

    X, y = load_diabetes(return_X_y=True)
    X.flags.writeable = y.flags.writeable = False
    return X, y


def _other_design(design, n, p, seed, storage, dtype, density, true_coef, noise):
    if design == "diabetes":
        X, y = _diabetes()
        if n > X.shape[0] or p > X.shape[1]:
            raise ValueError(f"diabetes has shape {X.shape}, asked for ({n}, {p})")
        return _as_storage(X[:n, :p], storage, dtype), y[:n].copy()
    if design != "correlated":
        raise ValueError(design)
    rng = np.random.default_rng(seed)
    rho = 0.9
    Z = rng.normal(size=(n, p))
    X = np.empty((n, p))
    X[:, 0] = Z[:, 0]
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1 - rho * rho) * Z[:, j]
    X += rng.normal(size=p)
    if storage != "dense":
        mask = rng.random((n, p)) < density
        mask[rng.integers(n, size=p), np.arange(p)] = True
        X = np.where(mask, X, 0.0)
    if true_coef is None:
        true_coef = np.zeros(p)
        true_coef[::3] = rng.normal(scale=2.0, size=true_coef[::3].size)
        true_coef[0] = -abs(true_coef[0]) - 0.5
    y = X @ true_coef + 1.7 + noise * rng.normal(size=n)
    return _as_storage(X, storage, dtype), y


def make_sample_weight(n, seed=0):
    """Positive weights with a spread of 20x plus one zero (dropped) row."""
    rng = np.random.default_rng(seed + 1000)
    sw = rng.uniform(0.2, 4.0, size=n)
    sw[n // 2] = 0.0
    return sw


def make_feature_weights(p):
    """``(v1, v2)`` with zeros: features 0 and 3 fully unpenalized, feature 5
    L1-free but L2-penalized, feature 6 L1-only, the rest spread in [0.5, 2]."""
    v1 = np.linspace(0.5, 2.0, p)
    v2 = np.linspace(2.0, 0.5, p)
    v1[[0, 3]] = 0.0
    v2[[0, 3]] = 0.0
    if p > 6:
        v1[5] = 0.0
        v2[6] = 0.0
    return v1, v2


def data_scale(X, y, sample_weight=None, fit_intercept=True):
    """``max_j |x_j^T s (y - ybar)| / n``: a data-derived scale for strengths
    (computed here independently of lassokit)."""
    Xd = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
    n = Xd.shape[0]
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight) * n / np.sum(sample_weight)
    yc = y - (s @ y) / n if fit_intercept else y
    Xc = Xd - (s @ Xd) / n if fit_intercept else Xd
    return float(np.max(np.abs(Xc.T @ (s * yc)))) / n


@dataclass(frozen=True)
class Spec:
    """A standard problem, hashable so that references can be cached."""

    mix: str = "lasso"
    fit_intercept: bool = True
    sample_weight: bool = False
    feature_weights: bool = False
    positive: bool = False
    storage: str = "dense"
    dtype: str = "float64"
    n: int = 30
    p: int = 12
    seed: int = 0
    #: "random" (make_data's design), "correlated" (AR(1) columns) or
    #: "diabetes" (scikit-learn's diabetes data, first n rows / p columns).
    design: str = "random"

    def id(self):
        bits = [] if self.design == "random" else [self.design]
        bits += [self.mix, self.storage, self.dtype]
        bits += [name for name in ("fit_intercept", "sample_weight", "feature_weights", "positive")
                 if getattr(self, name)]
        if (self.n, self.p, self.seed) != (30, 12, 0):
            bits.append(f"n{self.n}p{self.p}s{self.seed}")
        return "-".join(bits)


def make_problem(spec=None, **kw):
    """Build the :class:`lassokit.Problem` described by a :class:`Spec` (or keywords)."""
    spec = replace(spec or Spec(), **kw)
    X, y = make_data(spec.n, spec.p, seed=spec.seed, storage=spec.storage,
                     dtype=np.dtype(spec.dtype), design=spec.design)
    sw = make_sample_weight(spec.n, spec.seed) if spec.sample_weight else None
    scale = data_scale(X, y, sw, spec.fit_intercept)
    f1, f2 = MIXES[spec.mix]
    v1, v2 = make_feature_weights(spec.p) if spec.feature_weights else (None, None)
    pen = lk.L1(f1 * scale, v1) + lk.L2(f2 * scale, v2)
    return lk.Problem(X, y, pen, fit_intercept=spec.fit_intercept, sample_weight=sw,
                      positive=spec.positive)


def strengths(problem):
    """Per-feature ``(lam, mu)`` derived from the penalty's public attributes."""
    pen = problem.penalty
    p = problem.n_features
    v1 = np.ones(p) if pen.l1_weights is None else np.asarray(pen.l1_weights)
    v2 = np.ones(p) if pen.l2_weights is None else np.asarray(pen.l2_weights)
    return pen.l1 * v1, pen.l2 * v2


def timestamp_case():
    """The report of a frozen feature: a 1.7e9 timestamp column with a spread
    of 1000 beside a standard normal one, on which ``y`` depends through both.

    Returns ``X``, ``y`` and the reference: scikit-learn's Lasso at
    ``alpha=0.01``, fitted tight and checked converged.
    """
    import sklearn.linear_model as sk

    rng = np.random.RandomState(0)
    t = 1.7e9 + 1000 * rng.rand(200)
    X = np.c_[t, rng.randn(200)]
    y = 0.01 * (t - t.mean()) + X[:, 1] + 0.1 * rng.randn(200)
    with sklearn_converged():
        ref = sk.Lasso(alpha=0.01, tol=1e-12, max_iter=10**6).fit(X, y)
    return X, y, ref


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
    assert gap <= REF_GAP_TOL * p0 or gap == 0.0, (
        f"the CVXPY reference is not converged: relative gap {gap / p0 if p0 else gap:.3e} > "
        f"{REF_GAP_TOL:g} (CVXPY status {status!r})"
    )


def _kkt_polish(Xd, y, s, lam, mu, coef, fit_intercept, positive):
    n, p = Xd.shape
    thresh = 1e-7 * coef_scale(coef)
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
    excess = max(objective - ref.objective, 0.0) + OBJ_ROUNDING * max(1.0, p0_of(problem))
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
    slack = SUBOPT_SLACK * max(1.0, p0)
    assert sol.converged and sol.status == "optimal", sol
    assert sol.dual_gap <= tol * p0 * (1 + 1e-9), (sol.dual_gap, tol * p0)
    assert sol.objective - ref.objective <= sol.dual_gap + slack, "certificate below suboptimality"
    assert sol.objective >= ref.objective - slack, "objective below the reference optimum"
    if ref.objective > 0:
        rel = abs(sol.objective - ref.objective) / ref.objective
        assert rel <= REL_OBJ_TOL, f"relative objective difference {rel:.3e} > {REL_OBJ_TOL:g}"


def assert_matches_reference(problem, sol, ref, tol):
    """A solution is certified at ``tol`` and agrees with the reference.

    Checks, in this order: converged with ``dual_gap <= tol * P(0, b0)``; the
    certificate is valid (``P - P* <= gap``) and nobody beats ``P*``; the
    relative objective difference is at most :data:`REL_OBJ_TOL`; the
    coefficients agree in relative sup norm within :data:`COEF_TOL` plus
    :func:`coef_error_bound`; the intercept is the optimal one for ``coef``;
    dtype and positivity are kept.
    """
    assert_certified_objective(problem, sol, ref, tol)
    coef = np.asarray(sol.coef, dtype=np.float64)
    bound = coef_error_bound(problem, coef, sol.objective, ref)
    err = float(np.max(np.abs(coef - ref.coef)))
    allowed = COEF_TOL * coef_scale(ref.coef) + bound
    assert err <= allowed, (
        f"max coef difference {err:.3e} > {COEF_TOL:g} * max(1, |ref|_inf) + "
        f"certificate bound {bound:.3e}"
    )
    b = ref_intercept(problem.X, problem.y, coef, problem.sample_weight, problem.fit_intercept)
    assert abs(sol.intercept - b) <= EXACT_RTOL * max(1.0, abs(b), float(np.max(np.abs(problem.y))))
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


# ---------------------------------------------------------------------------
# Fixtures (thin wrappers over the functions above)
# ---------------------------------------------------------------------------


@pytest.fixture
def rng():
    """A seeded generator, fresh for each test."""
    return np.random.default_rng(12345)


@pytest.fixture(name="make_problem")
def _make_problem_fixture():
    return make_problem


@pytest.fixture(name="reference_solve")
def _reference_solve_fixture():
    return reference_solve


@pytest.fixture
def registry_cleanup():
    """Unregister backends registered during a test (names collected here)."""
    from lassokit.backends.registry import unregister_backend

    names = []
    yield names
    for name in names:
        unregister_backend(name)


@pytest.fixture
def register_for_test(registry_cleanup):
    """``register(backend)``: :func:`lassokit.register_backend` for this test
    only (unregistered after it, by :func:`registry_cleanup`); returns the name."""

    def register(backend):
        lk.register_backend(backend)
        registry_cleanup.append(backend.name)
        return backend.name

    return register
