"""The certificate's duality gap is a valid bound on the suboptimality
everywhere, and ~0 at the optimum.

Checked on every standard problem (each penalty mix with every combination
of intercept, sample weights, feature weights and positivity) at zero,
near-optimal, random and truncated points, with arbitrary extra dual points,
and in the hard corners: positivity with unpenalized features, and pure OLS
(where the gap is the suboptimality exactly). ``P*`` comes from the CVXPY
model and KKT polish of ``conftest.reference_solve``.
"""

import zlib
from dataclasses import replace

import _certificate_cases as cc
import conftest as cf
import numpy as np
import pytest
import scipy.sparse as sp


@pytest.mark.parametrize("storage", ["dense", "csc", "csr"])
@pytest.mark.parametrize("spec", cc.ALL_SPECS, ids=cc.ids(cc.ALL_SPECS))
def test_gap_bounds_suboptimality(spec, storage):
    spec = replace(spec, storage=storage)
    problem, ref = cf.problem_and_reference(spec)
    for name, coef in cc.candidate_coefs(ref.coef, spec.positive, seed=zlib.crc32(spec.id().encode())).items():
        cert, subopt = cc.check_gap_bounds_subopt(problem, coef, ref.objective)
        # Problem.dual_gap is the same certificate.
        assert problem.dual_gap(coef) == pytest.approx(cert.dual_gap, rel=1e-12, abs=1e-300)
        if name in ("zero", "random", "inflated") and subopt > 1e-6 * cf.p0_of(problem):
            assert cert.dual_gap > 0.0, name


@pytest.mark.parametrize("storage", ["dense", "csr"])
@pytest.mark.parametrize("spec", cc.ALL_SPECS, ids=cc.ids(cc.ALL_SPECS))
def test_gap_is_zero_at_reference_optimum(spec, storage):
    spec = replace(spec, storage=storage)
    problem, ref = cf.problem_and_reference(spec)
    cert = problem.certify(ref.coef)
    p0 = cf.p0_of(problem)
    assert cert.dual_gap <= cf.REL_GAP_TOL * p0, f"relative gap {cert.dual_gap / p0:.3e} at the optimum"
    assert cert.rel_gap == pytest.approx(cert.dual_gap / p0, rel=1e-9, abs=1e-300)
    cf.assert_obj_close(cert.objective, ref.objective, cf.EXACT_RTOL)


@pytest.mark.parametrize("spec", cc.ALL_SPECS[::3], ids=cc.ids(cc.ALL_SPECS[::3]))
def test_arbitrary_dual_points_stay_valid(spec):
    """Extra dual candidates (as handed over by backends) are made feasible:
    whatever they are, the gap remains an upper bound on the suboptimality."""
    problem, ref = cf.problem_and_reference(spec)
    rng = np.random.default_rng(7)
    n = problem.n_samples
    yscale = float(np.std(problem.y)) + 1.0
    junk = [
        yscale * rng.normal(size=n),
        -np.asarray(problem.y, dtype=float),
        np.ones(n) * 1e3,
        np.zeros(n),
    ]
    for coef in cc.candidate_coefs(ref.coef, spec.positive, seed=3).values():
        plain = problem.certify(coef).dual_gap
        cert, _ = cc.check_gap_bounds_subopt(problem, coef, ref.objective, dual_points=junk)
        assert cert.dual_gap <= plain  # more candidates never worsen the bound
    # A good extra candidate (the optimal residual) certifies a near-optimal point tightly.
    Xd = problem.X.toarray() if sp.issparse(problem.X) else np.asarray(problem.X, dtype=float)
    r_opt = problem.y - Xd @ ref.coef - ref.intercept
    near = ref.coef + 1e-4 * cf.coef_scale(ref.coef) * rng.normal(size=ref.coef.size)
    if spec.positive:
        near = np.maximum(near, 0.0)
    _, subopt = cc.check_gap_bounds_subopt(problem, near, ref.objective, dual_points=[r_opt])
    assert problem.certify(near, [r_opt]).dual_gap <= max(subopt, 0) + 1e-9 * cf.p0_of(problem)


def test_positive_breaks_gap_is_infinite():
    problem = cf.make_problem(cf.Spec(positive=True))
    coef = np.zeros(problem.n_features)
    coef[2] = -1e-3
    cert = problem.certify(coef)
    assert cert.objective == np.inf and cert.dual_gap == np.inf


# ---------------------------------------------------------------------------
# the hard corner: positive + unpenalized features, and pure OLS
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("mix", ["lasso", "enet"])
def test_positive_with_unpenalized_features_is_tight(mix, fit_intercept):
    """The naive residual is infeasible here (u_j must be <= 0 on unpenalized
    features, whatever the scale); the certificate must still be valid and
    close to the true suboptimality near the optimum."""
    spec = cf.Spec(mix=mix, fit_intercept=fit_intercept, feature_weights=True, positive=True,
                sample_weight=True)
    problem, ref = cf.problem_and_reference(spec)
    # Feature 0 is unpenalized and wants a negative coefficient: positivity binds there.
    assert ref.coef[0] <= 1e-8
    rng = np.random.default_rng(1)
    for step in (1e-2, 1e-4, 1e-6):
        coef = np.maximum(ref.coef + step * rng.random(ref.coef.size), 0.0)
        cert, subopt = cc.check_gap_bounds_subopt(problem, coef, ref.objective)
        assert subopt > 0
        # Not useless: within a small factor of the true suboptimality (a dual
        # point that ignores the sign constraint stays O(P(0)) away from P*).
        assert cert.dual_gap <= 3 * subopt + 1e-10 * cf.p0_of(problem)


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("sample_weight", [False, True])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_ols_gap_is_exact_suboptimality(fit_intercept, sample_weight, positive):
    """alpha = 0: every feature unpenalized. Without positivity the projected
    residual is the optimal one, so the gap equals P(w) - P* exactly."""
    spec = cf.Spec(mix="ols", fit_intercept=fit_intercept, sample_weight=sample_weight,
                positive=positive)
    problem, ref = cf.problem_and_reference(spec)
    if not positive:
        # Independent OLS by lstsq on the (weighted, augmented) system.
        X, y = cf.make_data(spec.n, spec.p, seed=spec.seed)
        s = np.ones(spec.n) if not sample_weight else cf.make_sample_weight(spec.n, spec.seed)
        A = np.column_stack([X, np.ones(spec.n)]) if fit_intercept else X
        sol = np.linalg.lstsq(A * np.sqrt(s)[:, None], y * np.sqrt(s), rcond=None)[0]
        cf.assert_coef_close(ref.coef, sol[: spec.p], 1e-8)
    for coef in cc.candidate_coefs(ref.coef, positive, seed=5).values():
        cert, subopt = cc.check_gap_bounds_subopt(problem, coef, ref.objective)
        if not positive:
            assert cert.dual_gap == pytest.approx(subopt, rel=1e-7, abs=1e-10 * cf.p0_of(problem))
