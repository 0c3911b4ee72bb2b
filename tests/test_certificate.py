"""The certificate: objective, duality gap and alpha_max.

Every expectation comes from an independent source: the CVXPY model and
KKT polish of ``conftest.reference_solve`` (P*), hand-derived closed forms,
scikit-learn, or an equivalent problem built differently.
"""

import itertools
import zlib
from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import (
    EXACT_RTOL,
    MIXES,
    REL_GAP_TOL,
    SUBOPT_SLACK,
    Spec,
    assert_coef_close,
    assert_obj_close,
    coef_scale,
    converged_ref,
    make_data,
    make_problem,
    make_sample_weight,
    p0_of,
    problem_and_reference,
    ref_intercept,
    ref_objective,
    reference_for,
    reference_for_problem,
    reference_solve,
    sklearn_converged,
    strengths,
)

import lassokit as lk

FLAGS = ("fit_intercept", "sample_weight", "feature_weights", "positive")
ALL_SPECS = [
    Spec(mix=mix, **dict(zip(FLAGS, bits)))
    for mix in MIXES
    for bits in itertools.product([False, True], repeat=len(FLAGS))
]


def _ids(specs):
    return [s.id() for s in specs]


def _candidate_coefs(ref_coef, positive, seed):
    """Points where the gap is checked: zero, near-optimal, random, truncated."""
    rng = np.random.default_rng(seed)
    p = ref_coef.size
    scale = coef_scale(ref_coef)
    cands = {
        "zero": np.zeros(p),
        "near": ref_coef + 1e-3 * scale * rng.normal(size=p),
        "nearer": ref_coef + 1e-6 * scale * rng.normal(size=p),
        "random": scale * rng.normal(size=p),
        "truncated": np.where(np.arange(p) % 2 == 0, ref_coef, 0.0),
        "shrunk": 0.5 * ref_coef,
        "inflated": 1.5 * ref_coef + 0.1 * scale,
    }
    if positive:
        cands = {k: np.maximum(v, 0.0) for k, v in cands.items()}
    return cands


def _check_gap_bounds_subopt(problem, coef, p_star, dual_points=()):
    cert = problem.certify(coef, dual_points)
    lam, mu = strengths(problem)
    b = ref_intercept(problem.X, problem.y, coef, problem.sample_weight, problem.fit_intercept)
    p_w = ref_objective(problem.X, problem.y, coef, b, lam, mu, problem.sample_weight)
    scale = max(1.0, p0_of(problem))
    # The certificate's objective is P at the optimal intercept, computed by hand here.
    assert_obj_close(cert.objective, p_w, EXACT_RTOL)
    assert cert.intercept == pytest.approx(b, rel=1e-9, abs=1e-9 * coef_scale(coef))
    assert cert.dual_gap >= 0.0
    subopt = p_w - p_star
    assert cert.dual_gap >= subopt - SUBOPT_SLACK * scale, (
        f"gap {cert.dual_gap:.6e} below true suboptimality {subopt:.6e}"
    )
    return cert, subopt


# ---------------------------------------------------------------------------
# The gap is a valid bound everywhere, and ~0 at the optimum
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("storage", ["dense", "csc", "csr"])
@pytest.mark.parametrize("spec", ALL_SPECS, ids=_ids(ALL_SPECS))
def test_gap_bounds_suboptimality(spec, storage):
    spec = replace(spec, storage=storage)
    problem, ref = problem_and_reference(spec)
    for name, coef in _candidate_coefs(ref.coef, spec.positive, seed=zlib.crc32(spec.id().encode())).items():
        cert, subopt = _check_gap_bounds_subopt(problem, coef, ref.objective)
        # Problem.dual_gap is the same certificate.
        assert problem.dual_gap(coef) == pytest.approx(cert.dual_gap, rel=1e-12, abs=1e-300)
        if name in ("zero", "random", "inflated") and subopt > 1e-6 * p0_of(problem):
            assert cert.dual_gap > 0.0, name


@pytest.mark.parametrize("storage", ["dense", "csr"])
@pytest.mark.parametrize("spec", ALL_SPECS, ids=_ids(ALL_SPECS))
def test_gap_is_zero_at_reference_optimum(spec, storage):
    spec = replace(spec, storage=storage)
    problem, ref = problem_and_reference(spec)
    cert = problem.certify(ref.coef)
    p0 = p0_of(problem)
    assert cert.dual_gap <= REL_GAP_TOL * p0, f"relative gap {cert.dual_gap / p0:.3e} at the optimum"
    assert cert.rel_gap == pytest.approx(cert.dual_gap / p0, rel=1e-9, abs=1e-300)
    assert_obj_close(cert.objective, ref.objective, EXACT_RTOL)


@pytest.mark.parametrize("spec", ALL_SPECS[::3], ids=_ids(ALL_SPECS[::3]))
def test_arbitrary_dual_points_stay_valid(spec):
    """Extra dual candidates (as handed over by backends) are made feasible:
    whatever they are, the gap remains an upper bound on the suboptimality."""
    problem, ref = problem_and_reference(spec)
    rng = np.random.default_rng(7)
    n = problem.n_samples
    yscale = float(np.std(problem.y)) + 1.0
    junk = [
        yscale * rng.normal(size=n),
        -np.asarray(problem.y, dtype=float),
        np.ones(n) * 1e3,
        np.zeros(n),
    ]
    for coef in _candidate_coefs(ref.coef, spec.positive, seed=3).values():
        plain = problem.certify(coef).dual_gap
        cert, _ = _check_gap_bounds_subopt(problem, coef, ref.objective, dual_points=junk)
        assert cert.dual_gap <= plain  # more candidates never worsen the bound
    # A good extra candidate (the optimal residual) certifies a near-optimal point tightly.
    Xd = problem.X.toarray() if sp.issparse(problem.X) else np.asarray(problem.X, dtype=float)
    r_opt = problem.y - Xd @ ref.coef - ref.intercept
    near = ref.coef + 1e-4 * coef_scale(ref.coef) * rng.normal(size=ref.coef.size)
    if spec.positive:
        near = np.maximum(near, 0.0)
    _, subopt = _check_gap_bounds_subopt(problem, near, ref.objective, dual_points=[r_opt])
    assert problem.certify(near, [r_opt]).dual_gap <= max(subopt, 0) + 1e-9 * p0_of(problem)


def test_positive_breaks_gap_is_infinite():
    problem = make_problem(Spec(positive=True))
    coef = np.zeros(problem.n_features)
    coef[2] = -1e-3
    cert = problem.certify(coef)
    assert cert.objective == np.inf and cert.dual_gap == np.inf


# --- the hard corner: positive + unpenalized features, and pure OLS ------------


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("mix", ["lasso", "enet"])
def test_positive_with_unpenalized_features_is_tight(mix, fit_intercept):
    """The naive residual is infeasible here (u_j must be <= 0 on unpenalized
    features, whatever the scale); the certificate must still be valid and
    close to the true suboptimality near the optimum."""
    spec = Spec(mix=mix, fit_intercept=fit_intercept, feature_weights=True, positive=True,
                sample_weight=True)
    problem, ref = problem_and_reference(spec)
    # Feature 0 is unpenalized and wants a negative coefficient: positivity binds there.
    assert ref.coef[0] <= 1e-8
    rng = np.random.default_rng(1)
    for step in (1e-2, 1e-4, 1e-6):
        coef = np.maximum(ref.coef + step * rng.random(ref.coef.size), 0.0)
        cert, subopt = _check_gap_bounds_subopt(problem, coef, ref.objective)
        assert subopt > 0
        # Not useless: within a small factor of the true suboptimality (a dual
        # point that ignores the sign constraint stays O(P(0)) away from P*).
        assert cert.dual_gap <= 3 * subopt + 1e-10 * p0_of(problem)


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("sample_weight", [False, True])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_ols_gap_is_exact_suboptimality(fit_intercept, sample_weight, positive):
    """alpha = 0: every feature unpenalized. Without positivity the projected
    residual is the optimal one, so the gap equals P(w) - P* exactly."""
    spec = Spec(mix="ols", fit_intercept=fit_intercept, sample_weight=sample_weight,
                positive=positive)
    problem, ref = problem_and_reference(spec)
    if not positive:
        # Independent OLS by lstsq on the (weighted, augmented) system.
        X, y = make_data(spec.n, spec.p, seed=spec.seed)
        s = np.ones(spec.n) if not sample_weight else make_sample_weight(spec.n, spec.seed)
        A = np.column_stack([X, np.ones(spec.n)]) if fit_intercept else X
        sol = np.linalg.lstsq(A * np.sqrt(s)[:, None], y * np.sqrt(s), rcond=None)[0]
        assert_coef_close(ref.coef, sol[: spec.p], 1e-8)
    for coef in _candidate_coefs(ref.coef, positive, seed=5).values():
        cert, subopt = _check_gap_bounds_subopt(problem, coef, ref.objective)
        if not positive:
            assert cert.dual_gap == pytest.approx(subopt, rel=1e-7, abs=1e-10 * p0_of(problem))


# ---------------------------------------------------------------------------
# Closed-form toys
# ---------------------------------------------------------------------------


def _orthogonal_design(n, p, seed, centred):
    """X with X^T X / n = I (and columns orthogonal to 1 when ``centred``)."""
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(n, p + 1))
    if centred:
        M[:, 0] = 1.0
        Q = np.linalg.qr(M)[0][:, 1:]
    else:
        Q = np.linalg.qr(M[:, :p])[0]
    return np.sqrt(n) * Q


def _soft(z, t):
    return np.sign(z) * np.maximum(np.abs(z) - t, 0.0)


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("a1,a2", [(0.3, 0.0), (0.3, 0.7), (0.0, 0.7)])
def test_orthogonal_design_soft_thresholding(a1, a2, fit_intercept, positive):
    n, p = 40, 6
    X = _orthogonal_design(n, p, seed=3, centred=fit_intercept)
    rng = np.random.default_rng(4)
    y = X @ np.array([2.0, -1.5, 0.2, -0.1, 0.0, 1.0]) + 0.5 * rng.normal(size=n) + 3.0
    v1 = np.array([1.0, 1.0, 1.0, 1.0, 0.5, 2.0])
    v2 = np.array([1.0, 0.5, 2.0, 1.0, 1.0, 0.0])
    pen = lk.L1(a1, v1) + lk.L2(a2, v2)
    prob = lk.Problem(X, y, pen, fit_intercept=fit_intercept, positive=positive)
    z = X.T @ (y - (y.mean() if fit_intercept else 0.0)) / n
    lam, mu = a1 * v1, a2 * v2
    # With X^T X / n = I the objective separates: w_j = S(z_j, lam_j) / (1 + mu_j),
    # one-sided (max(z_j - lam_j, 0)) under positivity.
    w = (np.maximum(z - lam, 0.0) if positive else _soft(z, lam)) / (1.0 + mu)
    assert np.count_nonzero(w) not in (0, p) or a1 == 0.0  # the toy exercises thresholding
    cert = prob.certify(w)
    assert cert.dual_gap <= 1e-12 * p0_of(prob)
    if fit_intercept:
        assert cert.intercept == pytest.approx(y.mean(), rel=1e-12)
    # and a solver agrees with the closed form
    sol = prob.solve("cvxpy", tol=1e-10)
    assert_coef_close(sol.coef, w, 1e-6)
    # moving off the closed form costs something the gap sees
    bumped = w.copy()
    bumped[1] += 0.05
    if positive:
        bumped = np.maximum(bumped, 0)
    assert prob.dual_gap(bumped) > 1e-4 * p0_of(prob)


def _ridge_normal_equations(X, y, mu, s, fit_intercept):
    n = X.shape[0]
    xm = s @ X / n if fit_intercept else np.zeros(X.shape[1])
    ym = s @ y / n if fit_intercept else 0.0
    Xc, yc = X - xm, y - ym
    G = Xc.T @ (s[:, None] * Xc) / n + np.diag(mu)
    w = np.linalg.solve(G, Xc.T @ (s * yc) / n)
    return w, ym - xm @ w


@pytest.mark.parametrize("storage", ["dense", "csc"])
@pytest.mark.parametrize("sample_weight", [False, True])
@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("shape", [(30, 8), (10, 25)])
def test_ridge_normal_equations(shape, fit_intercept, sample_weight, storage):
    n, p = shape
    X, y = make_data(n, p, seed=11)
    sw = make_sample_weight(n, 11) if sample_weight else None
    s = np.ones(n) if sw is None else sw * n / sw.sum()
    v2 = np.linspace(0.5, 2.0, p)
    mu = 0.3 * v2
    w, b = _ridge_normal_equations(X, y, mu, s, fit_intercept)
    Xs = X if storage == "dense" else sp.csc_matrix(X)
    prob = lk.Problem(Xs, y, lk.L2(0.3, v2), fit_intercept=fit_intercept, sample_weight=sw)
    cert = prob.certify(w)
    assert cert.dual_gap <= 1e-12 * p0_of(prob)
    assert cert.intercept == pytest.approx(b, rel=1e-10, abs=1e-10)
    sol = prob.solve("direct", tol=1e-10)
    assert sol.converged
    # Strong convexity (modulus min mu) turns the certified gap into a distance:
    # |w - w*|_2 <= sqrt(2 gap / min mu).
    bound = np.sqrt(2.0 * sol.dual_gap / mu.min())
    assert np.linalg.norm(sol.coef - w) <= bound + 1e-12 * coef_scale(w)
    assert_coef_close(sol.coef, w, 1e-4)


@pytest.mark.parametrize("sample_weight", [False, True])
def test_ridge_matches_sklearn(sample_weight):
    from sklearn.linear_model import Ridge

    n, p = 30, 8
    X, y = make_data(n, p, seed=12)
    sw = make_sample_weight(n, 12) if sample_weight else None
    a2 = 0.2
    # sklearn: sum_i sw_i r_i^2 + alpha |w|^2  <=>  lk.ridge with a2 = alpha / sum(sw).
    total = n if sw is None else sw.sum()
    sk = Ridge(alpha=a2 * total, solver="cholesky").fit(X, y, sample_weight=sw)
    prob = lk.ridge(X, y, a2, sample_weight=sw)
    assert prob.dual_gap(sk.coef_) <= 1e-11 * p0_of(prob)
    assert prob.certify(sk.coef_).intercept == pytest.approx(sk.intercept_, rel=1e-9)


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("sample_weight", [False, True])
def test_lasso_matches_sklearn(sample_weight, positive):
    from sklearn.linear_model import Lasso

    n, p = 40, 10
    X, y = make_data(n, p, seed=13)
    sw = make_sample_weight(n, 13) if sample_weight else None
    alpha = 0.1
    sk = Lasso(alpha=alpha, tol=1e-14, max_iter=100_000, positive=positive)
    with sklearn_converged():
        sk.fit(X, y, sample_weight=sw)
    prob = lk.lasso(X, y, alpha, sample_weight=sw, positive=positive)
    assert prob.dual_gap(sk.coef_) <= 1e-9 * p0_of(prob)
    lam, mu = strengths(prob)
    ref = reference_solve(X, y, lam, mu, sample_weight=sw, positive=positive)
    assert_coef_close(sk.coef_, ref.coef, 1e-6)


# ---------------------------------------------------------------------------
# alpha_max
# ---------------------------------------------------------------------------

ALPHA_MAX_CASES = [
    {},
    {"fit_intercept": False},
    {"positive": True},
    {"sample_weight": True},
    {"feature_weights": True},
    {"feature_weights": True, "positive": True},
    {"feature_weights": True, "positive": True, "sample_weight": True, "mix": "enet"},
    {"feature_weights": True, "fit_intercept": False, "mix": "enet"},
    {"mix": "enet", "sample_weight": True, "storage": "csr"},
    {"feature_weights": True, "positive": True, "storage": "csc", "dtype": "float32"},
]


def _at_a1(problem, a1):
    pen = problem.penalty
    return problem.replace(penalty=lk.L1(a1, pen.l1_weights) + lk.L2(pen.l2, pen.l2_weights))


def _penalized_mask(problem):
    v1 = problem.penalty.l1_weights
    return np.ones(problem.n_features, bool) if v1 is None else np.asarray(v1) > 0


def _free_fit(problem, pen_mask):
    """Reference fit of the L1-free features alone (penalized ones held at 0)."""
    _lam, mu = strengths(problem)
    free = np.flatnonzero(~pen_mask)
    X = problem.X
    Xd = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=float)
    point = np.zeros(problem.n_features)
    if free.size:
        ref = reference_solve(Xd[:, free], problem.y, np.zeros(free.size), mu[free],
                              fit_intercept=problem.fit_intercept,
                              sample_weight=problem.sample_weight, positive=problem.positive)
        point[free] = ref.coef
    b = ref_intercept(Xd, problem.y, point, problem.sample_weight, problem.fit_intercept)
    return point, problem.y - Xd @ point - b, Xd


@pytest.mark.parametrize("case", ALPHA_MAX_CASES, ids=[str(c) for c in ALPHA_MAX_CASES])
def test_alpha_max(case):
    problem = make_problem(**case)
    am = problem.alpha_max()
    assert am > 0
    pen_mask = _penalized_mask(problem)

    # Independent alpha_max: the largest weighted correlation with the residual r
    # of the free fit, max_j x_j^T S r / (n v1_j) (absolute value unless positive).
    point, r, Xd = _free_fit(problem, pen_mask)
    n = problem.n_samples
    s = np.ones(n) if problem.sample_weight is None else problem.sample_weight
    corr = Xd.T @ (s * r) / n
    v1 = np.ones(problem.n_features) if problem.penalty.l1_weights is None else problem.penalty.l1_weights
    eff = corr if problem.positive else np.abs(corr)
    expected = max(0.0, float(np.max(eff[pen_mask] / v1[pen_mask])))
    assert am == pytest.approx(expected, rel=1e-7)

    # At alpha_max that point (penalized coefficients at zero) is certified optimal ...
    at = _at_a1(problem, am)
    assert at.dual_gap(point) <= 1e-10 * p0_of(at)
    if pen_mask.all():
        assert at.dual_gap(np.zeros(problem.n_features)) <= 1e-10 * p0_of(at)
    # ... an independent solve agrees (interior points are only ~1e-6 accurate
    # at this degenerate optimum) ...
    ref = reference_for_problem(at)
    assert np.max(np.abs(ref.coef[pen_mask])) <= 1e-5 * coef_scale(ref.coef)
    assert_obj_close(ref.objective, at.objective(point, ref_intercept(
        Xd, problem.y, point, problem.sample_weight, problem.fit_intercept)), 1e-9)

    # ... and not just below: at 0.99 alpha_max some penalized coefficient is non-zero.
    below = _at_a1(problem, 0.99 * am)
    ref_below = reference_for_problem(below)
    assert np.max(np.abs(ref_below.coef[pen_mask])) > 1e-4 * am
    assert below.dual_gap(point) > 1e-9 * p0_of(below)


def test_alpha_max_does_not_depend_on_a1():
    problem = make_problem(feature_weights=True, mix="enet")
    am = problem.alpha_max()
    for a1 in (0.0, 0.5 * am, 3 * am):
        assert _at_a1(problem, a1).alpha_max() == pytest.approx(am, rel=1e-12)


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_alpha_max_zero_when_unpenalized_part_fits_exactly(fit_intercept, positive):
    rng = np.random.default_rng(21)
    n, p = 25, 6
    X = rng.normal(size=(n, p)) + 1.0
    y = X[:, [0, 3]] @ np.array([1.3, 0.7]) + (2.0 if fit_intercept else 0.0)
    v1 = np.ones(p)
    v1[[0, 3]] = 0.0
    prob = lk.Problem(X, y, lk.L1(0.1, v1), fit_intercept=fit_intercept, positive=positive)
    assert prob.alpha_max() == pytest.approx(0.0, abs=1e-10)
    # With a small L2 term on the free features the fit is no longer exact.
    prob2 = lk.Problem(X, y, lk.L1(0.1, v1) + lk.L2(0.5), fit_intercept=fit_intercept,
                       positive=positive)
    assert prob2.alpha_max() > 1e-4


def test_alpha_max_zero_for_constant_target_with_intercept():
    X, _ = make_data(20, 5, seed=2)
    prob = lk.lasso(X, np.full(20, 3.25), 0.1)
    assert prob.alpha_max() == 0.0
    assert prob.dual_gap(np.zeros(5)) == 0.0


def test_alpha_max_positive_all_negatively_correlated():
    """Under positivity, features that only correlate negatively never enter."""
    rng = np.random.default_rng(22)
    X = rng.normal(size=(30, 4))
    y = -X @ np.array([1.0, 2.0, 0.5, 1.0]) + 0.01 * rng.normal(size=30)
    prob = lk.lasso(X, y, 0.1, positive=True, fit_intercept=False)
    Xty = X.T @ y / 30
    assert np.all(Xty < 0)
    assert prob.alpha_max() == 0.0
    assert prob.dual_gap(np.zeros(4)) <= 1e-12 * p0_of(prob)


# ---------------------------------------------------------------------------
# Equivalences
# ---------------------------------------------------------------------------


def _coefs_for(problem, seed=0):
    rng = np.random.default_rng(seed)
    p = problem.n_features
    out = [np.zeros(p), rng.normal(size=p), 0.1 * rng.normal(size=p)]
    if problem.positive:
        out = [np.abs(c) for c in out]
    return out


def _assert_same_certificates(pa, pb, rtol=EXACT_RTOL):
    assert pa.alpha_max() == pytest.approx(pb.alpha_max(), rel=rtol, abs=1e-14)
    scale = max(1.0, p0_of(pa))
    for coef in _coefs_for(pa) + _coefs_for(pa, 1):
        ca, cb = pa.certify(coef), pb.certify(coef)
        assert ca.objective == pytest.approx(cb.objective, rel=rtol)
        assert ca.dual_gap == pytest.approx(cb.dual_gap, rel=rtol, abs=rtol * scale)
        assert ca.intercept == pytest.approx(cb.intercept, rel=rtol, abs=rtol)
        assert pa.objective(coef, ca.intercept) == pytest.approx(pb.objective(coef, ca.intercept),
                                                                 rel=rtol)


@pytest.mark.parametrize("spec", ALL_SPECS[::2], ids=_ids(ALL_SPECS[::2]))
def test_unit_sample_weight_equals_none(spec):
    spec = Spec(**{**spec.__dict__, "sample_weight": False})
    pa = make_problem(spec)
    pb = pa.replace(sample_weight=np.full(pa.n_samples, 2.5))
    assert pb.sample_weight is not None
    _assert_same_certificates(pa, pb)


@pytest.mark.parametrize("storage", ["dense", "csr"])
@pytest.mark.parametrize("spec", ALL_SPECS[::3], ids=_ids(ALL_SPECS[::3]))
def test_integer_weights_equal_repeated_rows(spec, storage):
    spec = Spec(**{**spec.__dict__, "sample_weight": False, "storage": storage})
    base = make_problem(spec)
    n = base.n_samples
    counts = np.random.default_rng(3).integers(0, 4, size=n)
    counts[:2] = [0, 3]
    rows = np.repeat(np.arange(n), counts)
    X = base.X[rows]
    y = np.asarray(base.y)[rows]
    weighted = base.replace(sample_weight=counts)
    repeated = base.replace(X=X, y=y)
    _assert_same_certificates(weighted, repeated)
    # same optimum too
    if spec.mix != "ols":
        ref_w, ref_r = reference_for_problem(weighted), reference_for_problem(repeated)
        assert_obj_close(ref_w.objective, ref_r.objective, 1e-9)


@pytest.mark.parametrize("spec", ALL_SPECS[::2], ids=_ids(ALL_SPECS[::2]))
def test_dense_equals_sparse(spec):
    dense = make_problem(spec)
    for fmt in ("csc", "csr", "coo"):
        sparse = dense.replace(X=sp.coo_matrix(np.asarray(dense.X)).asformat(fmt))
        assert sp.issparse(sparse.X)
        _assert_same_certificates(dense, sparse)


@pytest.mark.parametrize("spec", ALL_SPECS[::4], ids=_ids(ALL_SPECS[::4]))
def test_float32_certificate_is_float64_accurate(spec):
    """A float32 X is certified in float64: identical to the float64 problem
    holding the same (float32-representable) numbers."""
    p32 = make_problem(spec, dtype="float32")
    assert p32.X.dtype == np.float32
    p64 = p32.replace(X=np.asarray(p32.X, dtype=np.float64))
    _assert_same_certificates(p32, p64, rtol=1e-11)
    # At the float32-rounded optimum the gap is small (rounding of coef only).
    ref = reference_for(Spec(**{**spec.__dict__, "dtype": "float32"}))
    assert p32.dual_gap(ref.coef) <= 1e-12 * p0_of(p32)
    rounded = ref.coef.astype(np.float32)
    assert p32.dual_gap(rounded) <= 1e-5 * p0_of(p32)


def test_float32_large_offset_cancellation():
    """Columns with a large mean and small spread: accumulating X^T r in
    float32 would lose the signal; the certificate must not."""
    rng = np.random.default_rng(30)
    n, p = 2000, 5
    X32 = (1000.0 + rng.normal(size=(n, p))).astype(np.float32)
    X64 = X32.astype(np.float64)
    y = X64 @ np.array([1.0, -2.0, 0.0, 0.5, 0.0]) + rng.normal(size=n)
    p32, p64 = lk.lasso(X32, y, 0.05), lk.lasso(X64, y, 0.05)
    ref = reference_for_problem(p64)
    for coef in (np.zeros(p), ref.coef, ref.coef + 1e-3):
        c32, c64 = p32.certify(coef), p64.certify(coef)
        assert c32.objective == pytest.approx(c64.objective, rel=1e-10)
        assert c32.dual_gap == pytest.approx(c64.dual_gap, rel=1e-6, abs=1e-10 * p0_of(p64))
    assert p32.alpha_max() == pytest.approx(p64.alpha_max(), rel=1e-9)


# ---------------------------------------------------------------------------
# Degenerate and high-dimensional designs
# ---------------------------------------------------------------------------


def _degenerate_design(kind, n=20, seed=40):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6)) + 0.5
    if kind == "duplicate":
        X[:, 1] = X[:, 0]  # two copies of an unpenalized column
    elif kind == "constant":
        X[:, 0] = 2.0  # collinear with the intercept
    elif kind == "zero":
        X[:, 0] = 0.0
        X[:, 4] = 0.0
    y = X @ np.array([-1.0, 0.5, 1.0, 0.0, 2.0, 0.0]) + 0.3 * rng.normal(size=n) + 1.0
    return X, y


@pytest.mark.parametrize("storage", ["dense", "csc"])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("kind", ["duplicate", "constant", "zero"])
def test_degenerate_designs(kind, positive, storage):
    X, y = _degenerate_design(kind)
    v1 = np.array([0.0, 0.0, 1.0, 1.0, 1.0, 2.0])
    Xs = X if storage == "dense" else sp.csc_matrix(X)
    for pen in (lk.L1(0.1, v1), lk.L1(0.1, v1) + lk.L2(0.05, v1)):
        prob = lk.Problem(Xs, y, pen, positive=positive)
        ref = reference_for_problem(prob)
        p0 = p0_of(prob)
        assert prob.dual_gap(ref.coef) <= 1e-8 * p0
        for coef in _candidate_coefs(ref.coef, positive, seed=9).values():
            _check_gap_bounds_subopt(prob, coef, ref.objective)
        am = prob.alpha_max()
        assert np.isfinite(am) and am >= 0
        at = _at_a1(prob, max(am, 1e-12))
        point, _, _ = _free_fit(at, _penalized_mask(at))
        assert at.dual_gap(point) <= 1e-9 * p0_of(at)


HIGH_DIM = [
    Spec(mix=mix, n=15, p=40, **dict(zip(FLAGS, bits)))
    for mix in ("lasso", "enet")
    for bits in [(True, False, False, False), (True, True, True, True), (False, False, True, True),
                 (True, True, False, True)]
]


@pytest.mark.parametrize("storage", ["dense", "csr"])
@pytest.mark.parametrize("spec", HIGH_DIM, ids=_ids(HIGH_DIM))
def test_high_dimensional_gap(spec, storage):
    spec = replace(spec, storage=storage)
    problem, ref = problem_and_reference(spec)
    assert problem.dual_gap(ref.coef) <= REL_GAP_TOL * p0_of(problem)
    for coef in _candidate_coefs(ref.coef, spec.positive, seed=13).values():
        _check_gap_bounds_subopt(problem, coef, ref.objective)


# ---------------------------------------------------------------------------
# Slow tier: the validity check on larger problems and more seeds
# ---------------------------------------------------------------------------

LARGER = [
    Spec(mix=mix, n=n, p=p, seed=seed, storage=storage, **dict(zip(FLAGS, bits)))
    for mix in ("lasso", "enet", "ols")
    for (n, p) in ((120, 60), (50, 150))
    for seed in (1, 2)
    for storage in ("dense", "csc")
    for bits in [(True, True, True, True), (False, False, True, True), (True, False, False, False)]
    if not (mix == "ols" and p > n)
]


@pytest.mark.slow
@pytest.mark.parametrize("spec", LARGER, ids=_ids(LARGER))
def test_gap_bounds_suboptimality_larger(spec):
    problem, ref = problem_and_reference(spec)
    assert problem.dual_gap(ref.coef) <= REL_GAP_TOL * p0_of(problem)
    for coef in _candidate_coefs(ref.coef, spec.positive, seed=spec.seed).values():
        _check_gap_bounds_subopt(problem, coef, ref.objective)


def test_duplicated_unpenalized_column_is_certified():
    # Two identical unpenalized columns make the projection's least squares
    # rank deficient; LAPACK's default cutoff kept the rounding-level
    # singular value (2.09e-15 against eps * 8.96 = 1.99e-15 here) and the
    # dual point came out garbage: a 4.6% gap at the optimum (the case
    # hypothesis found in test_properties::test_duplicated_column).
    from conftest import Spec, make_problem

    prob = make_problem(Spec(mix="enet", fit_intercept=False, feature_weights=True, n=25, p=8,
                             seed=483, design="random"))
    pen = prob.penalty
    X = np.hstack([prob.X, prob.X[:, [0]]])
    v1, v2 = np.append(pen.l1_weights, pen.l1_weights[0]), np.append(pen.l2_weights,
                                                                       pen.l2_weights[0])
    assert v1[0] == 0 and v2[0] == 0  # feature 0 (and its copy) unpenalized
    dup = prob.replace(X=X, penalty=lk.L1(pen.l1, v1) + lk.L2(pen.l2, v2))
    sol = dup.solve("cd", tol=1e-10)
    assert sol.converged and sol.rel_gap <= 1e-10
    ref = converged_ref(dup.solve("cvxpy", tol=1e-6))
    assert sol.objective <= ref.objective + 1e-9 * dup._design.p0


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ["F", "C"])
@pytest.mark.parametrize("offset", ["zero", "large"])
def test_centred_products_match_plain_algebra(dtype, order, offset):
    # The certificate's residual goes through the compiled support-only
    # kernel for column-major X, with or without offsets; it must agree with
    # a float64 (X - offset) @ w on any layout and a sparse w.
    from lassokit import _linalg

    rng = np.random.default_rng(7)
    X = np.asarray(rng.standard_normal((40, 9)), dtype=dtype, order=order)
    off = np.zeros(9) if offset == "zero" else X.astype(np.float64).mean(axis=0)
    if offset == "large":
        X = np.asarray(X + 1e6, dtype=dtype, order=order)
        off = off + 1e6
    w = np.zeros(9)
    w[[1, 4, 8]] = [2.0, -0.5, 3.0]
    Xc = X.astype(np.float64) - off
    np.testing.assert_allclose(_linalg.centred_matvec(X, w, off), Xc @ w,
                               rtol=1e-12, atol=1e-9 * np.abs(Xc).max())
    q = rng.standard_normal(40)
    np.testing.assert_allclose(_linalg.centred_rmatvec(X, q, off), Xc.T @ q,
                               rtol=1e-10, atol=1e-9 * np.abs(Xc).max())
