"""Property tests (hypothesis): invariances every backend must respect.

Examples are bounded and reproducible: the ``lassokit-fast`` profile of
``conftest`` (few examples, ``deadline=None``, ``derandomize=True``) in the
default tier, ``lassokit-slow`` (more examples) with ``--runslow``.

Two solves of equivalent problems are compared through the certificate:
both are within their duality gap of ``P*``, so their objectives differ by at
most the larger gap, and on a problem with strong convexity ``kappa``
(smallest eigenvalue of ``Xc^T S Xc / n + diag(mu)``) each coefficient vector
is within ``sqrt(2 gap / kappa)`` of the unique optimum (see
:func:`conftest.coef_error_bound`). Problems are drawn tall enough
(``n >= p + 4``) for ``kappa > 0``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import (
    COEF_TOL,
    MATRIX_TOL,
    SUBOPT_SLACK,
    Spec,
    coef_scale,
    make_problem,
    p0_of,
    ref_intercept,
    ref_objective,
    reference_for,
    strengths,
    strong_convexity,
)
from hypothesis import assume, given
from hypothesis import strategies as st

import lassokit as lk
from lassokit.backends.registry import capable_backends, get_backend

# Emulated ones too: "gpu" without a CUDA device runs its same code on the CPU.
BACKENDS = lk.available_backends(emulated=True)
TIGHT = MATRIX_TOL


@st.composite
def tall_specs(draw, mixes=("lasso", "enet", "ridge"), storages=("dense", "csc", "csr"),
               dtypes=("float64", "float32")):
    """A small standard problem with a unique solution (n >= p + 4)."""
    p = draw(st.integers(4, 9))
    return Spec(
        mix=draw(st.sampled_from(mixes)),
        storage=draw(st.sampled_from(storages)),
        dtype=draw(st.sampled_from(dtypes)),
        fit_intercept=draw(st.booleans()),
        sample_weight=draw(st.booleans()),
        feature_weights=draw(st.booleans()),
        positive=draw(st.booleans()),
        n=draw(st.integers(p + 4, 40)),
        p=p,
        seed=draw(st.integers(0, 2**16)),
    )


def _solve(problem, backend, tol=TIGHT):
    with warnings.catch_warnings():
        warnings.simplefilter("error", lk.ConvergenceWarning)
        return problem.solve(backend, tol=tol)


def _assert_same(problem, a, b, what=""):
    """Two certified solutions of ``problem`` agree; ``a``, ``b`` are
    ``(objective, gap, coef, intercept)`` in ``problem``'s units."""
    obj_a, gap_a, coef_a, icpt_a = a
    obj_b, gap_b, coef_b, icpt_b = b
    slack = SUBOPT_SLACK * max(1.0, p0_of(problem))
    assert abs(obj_a - obj_b) <= max(gap_a, gap_b) + slack, f"{what}: objectives {obj_a!r} {obj_b!r}"
    kappa = strong_convexity(problem)
    assert kappa > 0, "drawn problems are tall: strongly convex"
    coef_a = np.asarray(coef_a, dtype=np.float64)
    coef_b = np.asarray(coef_b, dtype=np.float64)
    bound = np.sqrt(2 * (gap_a + slack) / kappa) + np.sqrt(2 * (gap_b + slack) / kappa)
    err = float(np.max(np.abs(coef_a - coef_b)))
    allowed = COEF_TOL * coef_scale(coef_a) + bound
    assert err <= allowed, f"{what}: coef difference {err:.3e} > {allowed:.3e}"
    if icpt_a is not None:
        # b = ybar - xbar^T w: the coefficient error moves it by |xbar|_2 |dw|_2 at most
        xbar = problem._design.x_offset
        scale = max(1.0, abs(icpt_a), float(np.max(np.abs(problem.y))))
        tol = np.linalg.norm(xbar) * (allowed * np.sqrt(coef_a.size)) + 1e-10 * scale
        assert abs(icpt_a - icpt_b) <= tol, f"{what}: intercepts {icpt_a!r} {icpt_b!r}"


def _fields(sol, coef_factor=1.0, obj_factor=1.0, icpt_factor=1.0):
    """``(objective, gap, coef, intercept)`` of ``sol``, mapped to other units."""
    return (sol.objective * obj_factor, sol.dual_gap * obj_factor,
            sol.coef.astype(np.float64) * coef_factor, sol.intercept * icpt_factor)


def _same_solution(problem, a, b, what=""):
    _assert_same(problem, _fields(a), _fields(b), what)


def _capable(backend, problem, unique=True):
    """Only pairs the registry accepts, on problems with a unique optimum
    when ``unique`` (a sparse draw can still have collinear columns)."""
    assume(backend in capable_backends(problem, emulated=True))
    if unique:
        assume(strong_convexity(problem) > 0)


# ---------------------------------------------------------------------------
# layout invariances
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
@given(spec=tall_specs())
def test_row_permutation_invariance(backend, spec):
    problem = make_problem(spec)
    _capable(backend, problem)
    perm = np.random.default_rng(spec.seed).permutation(problem.n_samples)
    X = problem.X[perm] if sp.issparse(problem.X) else np.asarray(problem.X)[perm]
    sw = None if problem.sample_weight is None else problem.sample_weight[perm]
    permuted = problem.replace(X=X, y=problem.y[perm], sample_weight=sw)
    a, b = _solve(problem, backend), _solve(permuted, backend)
    _same_solution(problem, a, b, "row permutation")


# Backends that take sparse X at all (the "gpu" backend is dense only).
SPARSE_BACKENDS = [b for b in BACKENDS if get_backend(b).capabilities.sparse]


@pytest.mark.parametrize("backend", SPARSE_BACKENDS)
@given(spec=tall_specs(storages=("dense",)))
def test_dense_equals_sparse(backend, spec):
    dense = make_problem(spec)
    for fmt in (sp.csc_matrix, sp.csr_matrix):
        sparse = dense.replace(X=fmt(dense.X))
        _capable(backend, sparse)
        _same_solution(dense, _solve(dense, backend), _solve(sparse, backend), sparse.X.format)


@pytest.mark.parametrize("backend", BACKENDS)
@given(spec=tall_specs(storages=("dense",)))
def test_c_order_equals_fortran_order(backend, spec):
    problem = make_problem(spec)
    _capable(backend, problem)
    Xc = np.ascontiguousarray(problem.X)
    Xf = np.asfortranarray(problem.X)
    assert Xc.flags.c_contiguous and Xf.flags.f_contiguous
    a = _solve(problem.replace(X=Xc), backend)
    b = _solve(problem.replace(X=Xf), backend)
    _same_solution(problem, a, b, "C vs Fortran")


# ---------------------------------------------------------------------------
# scaling laws
# ---------------------------------------------------------------------------
#
# P(w, b; X, y, a1, a2) = 1/(2n) sum s_i (y_i - x_i w - b)^2 + a1 sum v1|w| + a2/2 sum v2 w^2.
#
# y -> c y  (c != 0), a1 -> |c| a1, a2 fixed:  substituting w = c w', b = c b'
#     gives c^2 [fit(w', b'; y) + a1 |w'| + a2/2 w'^2], so
#     w -> c w,  b -> c b,  P* -> c^2 P*  (c < 0 only without positivity).
# X -> c X  (c > 0), a1 -> c a1, a2 -> c^2 a2:  substituting w = w'/c leaves the
#     fit unchanged and turns the penalty into a1|w'| + a2/2 w'^2, so
#     w -> w / c,  b unchanged,  P* unchanged.
# x_j -> d_j x_j (d_j > 0), v1_j -> d_j v1_j, v2_j -> d_j^2 v2_j:  the same
#     substitution per column: w_j -> w_j / d_j, b and P* unchanged.

FACTORS = [2.0**-7, 0.5, 3.0, 1e3, 1e-3, -2.0]


def _weights(w, p):
    return np.ones(p) if w is None else np.asarray(w, dtype=np.float64)


@pytest.mark.parametrize("backend", BACKENDS)
@given(spec=tall_specs(), c=st.sampled_from(FACTORS))
def test_scaling_y(backend, spec, c):
    problem = make_problem(spec)
    assume(not (problem.positive and c < 0))
    pen = problem.penalty
    scaled = problem.replace(
        y=c * np.asarray(problem.y),
        penalty=lk.L1(abs(c) * pen.l1, pen.l1_weights) + lk.L2(pen.l2, pen.l2_weights),
    )
    _capable(backend, problem)
    a, b = _solve(problem, backend), _solve(scaled, backend)
    # b's numbers in the original units: w / c, b / c, P / c^2, gap / c^2
    _assert_same(problem, _fields(a), _fields(b, 1 / c, 1 / c**2, 1 / c), f"y * {c}")


@pytest.mark.parametrize("backend", BACKENDS)
@given(spec=tall_specs(), c=st.sampled_from([f for f in FACTORS if f > 0]))
def test_scaling_X(backend, spec, c):
    problem = make_problem(spec)
    # float32(c * x) == c * float32(x) only for powers of two
    assume(problem.X.dtype == np.float64 or np.log2(c).is_integer())
    pen = problem.penalty
    X = problem.X * c if sp.issparse(problem.X) else np.asarray(problem.X) * c
    scaled = problem.replace(
        X=X.astype(problem.X.dtype),
        penalty=lk.L1(c * pen.l1, pen.l1_weights) + lk.L2(c * c * pen.l2, pen.l2_weights),
    )
    _capable(backend, problem)
    a, b = _solve(problem, backend), _solve(scaled, backend)
    _assert_same(problem, _fields(a), _fields(b, coef_factor=c), f"X * {c}")


@pytest.mark.parametrize("backend", BACKENDS)
@given(spec=tall_specs(storages=("dense", "csc"), dtypes=("float64",)), data=st.data())
def test_column_scaling_with_penalty_weights(backend, spec, data):
    problem = make_problem(spec)
    p = problem.n_features
    d = np.asarray(data.draw(st.lists(st.sampled_from([0.25, 0.5, 2.0, 3.0, 1e2]),
                                      min_size=p, max_size=p)))
    pen = problem.penalty
    X = problem.X @ sp.diags(d) if sp.issparse(problem.X) else np.asarray(problem.X) * d
    scaled = problem.replace(
        X=sp.csc_matrix(X) if sp.issparse(X) else X,
        penalty=lk.L1(pen.l1, _weights(pen.l1_weights, p) * d)
        + lk.L2(pen.l2, _weights(pen.l2_weights, p) * d * d),
    )
    _capable(backend, problem)
    a, b = _solve(problem, backend), _solve(scaled, backend)
    _assert_same(problem, _fields(a), _fields(b, coef_factor=d), "column scaling")


# ---------------------------------------------------------------------------
# duplicated columns
# ---------------------------------------------------------------------------


def _with_duplicate(problem, j, l2_factor=1.0):
    """``problem`` with column ``j`` appended again (same penalty weights), or
    the original with column ``j``'s L2 weight multiplied by ``l2_factor``."""
    p = problem.n_features
    pen = problem.penalty
    v1, v2 = _weights(pen.l1_weights, p), _weights(pen.l2_weights, p)
    if l2_factor != 1.0:
        v2 = v2.copy()
        v2[j] *= l2_factor
        return problem.replace(penalty=lk.L1(pen.l1, v1) + lk.L2(pen.l2, v2))
    X = problem.X
    if sp.issparse(X):
        X = sp.hstack([X, X[:, [j]]], format=X.format)
    else:
        X = np.hstack([X, X[:, [j]]])
    return problem.replace(X=X, penalty=lk.L1(pen.l1, np.append(v1, v1[j]))
                           + lk.L2(pen.l2, np.append(v2, v2[j])))


@pytest.mark.parametrize("backend", BACKENDS)
@given(spec=tall_specs(), data=st.data())
def test_duplicated_column(backend, spec, data):
    """Elastic Net (mu_j > 0) splits a duplicated column's weight equally;
    Lasso (mu_j = 0) keeps the objective.

    The pair (a, b) only enters the fit through t = a + b, and
    lam(|a| + |b|) + mu/2 (a^2 + b^2) >= lam |t| + mu/4 t^2 with equality iff
    a = b = t/2 when mu > 0 (any same-sign split when mu = 0). So the
    duplicated problem is the original one with v2_j halved, its optimum
    is a = b = t*/2 (t* of that problem), and with mu_j = 0 its optimal value
    is the original P*, reached by any same-sign split of t*.
    """
    problem = make_problem(spec)
    p = problem.n_features
    j = data.draw(st.integers(0, p - 1))
    dup = _with_duplicate(problem, j)
    _capable(backend, dup, unique=False)
    assume(strong_convexity(problem) > 0)
    mu_j = problem._design.mu[j]
    lam_j = problem._design.lam[j]
    sol = _solve(dup, backend)
    a_j, b_j = float(sol.coef[j]), float(sol.coef[p])
    t = sol.coef[:p].astype(float)
    t[j] = a_j + b_j
    reduced = _with_duplicate(problem, j, l2_factor=0.5) if mu_j > 0 else problem
    _capable(backend, reduced)
    ref = _solve(reduced, backend)
    # (t) is feasible for the reduced problem with P_reduced(t) <= P_dup(a, b)
    _assert_same(reduced, _fields(ref), (sol.objective, sol.dual_gap, t, sol.intercept),
                 "sum of the pair")
    slack = SUBOPT_SLACK * max(1.0, p0_of(problem))
    if mu_j > 0:
        # mu/4 (a - b)^2 = penalty excess of the split <= P_dup - P*_dup <= gap
        assert (a_j - b_j) ** 2 <= 4 * (sol.dual_gap + slack) / mu_j + (COEF_TOL * abs(a_j)) ** 2
    else:
        assert abs(sol.objective - ref.objective) <= max(sol.dual_gap, ref.dual_gap) + slack
        if lam_j > 0:
            assert a_j * b_j >= -(COEF_TOL * coef_scale(t)) ** 2  # same sign (or zero)


# ---------------------------------------------------------------------------
# determinism and the certificate
# ---------------------------------------------------------------------------


@given(spec=tall_specs())
def test_cd_repeated_solves_are_bitwise_identical(spec):
    problem = make_problem(spec)
    first = problem.solve("cd", tol=1e-9)
    make_problem(spec, mix="enet", seed=spec.seed + 1).solve("cd", tol=1e-9)  # state must not leak
    again = problem.solve("cd", tol=1e-9)
    fresh = make_problem(spec).solve("cd", tol=1e-9)
    for other in (again, fresh):
        np.testing.assert_array_equal(other.coef, first.coef)
        assert other.n_iter == first.n_iter
        assert other.intercept == first.intercept
        assert other.objective == first.objective
        assert other.dual_gap == first.dual_gap


def _any_spec():
    """Any standard problem, p > n included (the certificate needs no uniqueness)."""
    return st.builds(
        Spec,
        mix=st.sampled_from(["lasso", "enet", "ridge", "ols"]),
        storage=st.sampled_from(["dense", "csc", "csr"]),
        dtype=st.sampled_from(["float64", "float32"]),
        fit_intercept=st.booleans(),
        sample_weight=st.booleans(),
        feature_weights=st.booleans(),
        positive=st.booleans(),
        n=st.integers(8, 30),
        p=st.integers(4, 16),
        seed=st.integers(0, 2**16),
    )


@given(spec=_any_spec(), kind=st.sampled_from(["near", "far", "zero", "sparse"]),
       scale=st.sampled_from([1e-8, 1e-4, 1e-1, 1.0, 10.0]), seed=st.integers(0, 2**16))
def test_certificate_is_never_negative_nor_below_suboptimality(spec, kind, scale, seed):
    assume(spec.mix != "ols" or spec.positive or spec.n > spec.p + 2)
    problem = make_problem(spec)
    ref = reference_for(spec)
    rng = np.random.default_rng(seed)
    p = problem.n_features
    if kind == "zero":
        coef = np.zeros(p)
    elif kind == "sparse":
        coef = np.where(rng.random(p) < 0.3, scale * rng.normal(size=p), 0.0)
    else:
        size = scale if kind == "near" else 10 * scale
        coef = ref.coef + size * coef_scale(ref.coef) * rng.normal(size=p)
    if problem.positive:
        coef = np.maximum(coef, 0.0)
    slack = SUBOPT_SLACK * max(1.0, p0_of(problem))
    gap = problem.dual_gap(coef)
    lam, mu = strengths(problem)
    b = ref_intercept(problem.X, problem.y, coef, problem.sample_weight, problem.fit_intercept)
    excess = ref_objective(problem.X, problem.y, coef, b, lam, mu, problem.sample_weight) \
        - ref.objective
    assert gap >= 0.0
    assert gap >= excess - slack
    junk = (rng.normal(size=problem.n_samples) * 100, np.zeros(problem.n_samples))
    cert = problem.certify(coef, junk)
    assert 0.0 <= cert.dual_gap <= gap * (1 + 1e-12) + slack
    assert cert.dual_gap >= excess - slack


@pytest.mark.parametrize("backend", BACKENDS)
@given(spec=_any_spec(), max_iter=st.integers(1, 4))
def test_backend_certificate_holds_after_early_stop(backend, spec, max_iter):
    """An unconverged solve's reported gap is still a valid bound, never negative."""
    problem = make_problem(spec)
    _capable(backend, problem, unique=False)
    ref = reference_for(spec)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sol = problem.solve(backend, tol=1e-12, max_iter=max_iter)
    slack = SUBOPT_SLACK * max(1.0, p0_of(problem))
    assert sol.dual_gap >= 0.0
    assert sol.dual_gap >= sol.objective - ref.objective - slack
    assert sol.dual_gap <= problem.dual_gap(sol.coef) * (1 + 1e-12) + slack
    warned = any(issubclass(w.category, lk.ConvergenceWarning) for w in caught)
    assert warned == (not sol.converged)
    assert sol.converged == (sol.dual_gap <= 1e-12 * p0_of(problem) * (1 + 1e-9))
