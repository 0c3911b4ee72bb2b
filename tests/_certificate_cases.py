"""Shared by the ``tests/test_certificate_*.py`` files: the standard problems
checked (every penalty mix with every combination of the flags), the points
where a gap is checked, the check that a gap bounds the suboptimality, and
the L1-free fit that ``alpha_max`` is computed from.

Used as ``import _certificate_cases as cc``; ``P*`` comes from the CVXPY
model and KKT polish of ``_reference.reference_solve``.
"""

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from _problems import MIXES, Spec, strengths
from _reference import p0_of, ref_intercept, ref_objective, reference_solve
from _tolerances import EXACT_RTOL, SUBOPT_SLACK, assert_obj_close, coef_scale

import lassokit as lk

FLAGS = ("fit_intercept", "sample_weight", "feature_weights", "positive")
ALL_SPECS = [
    Spec(mix=mix, **dict(zip(FLAGS, bits)))
    for mix in MIXES
    for bits in itertools.product([False, True], repeat=len(FLAGS))
]


def ids(specs):
    return [s.id() for s in specs]


def candidate_coefs(ref_coef, positive, seed):
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


def check_gap_bounds_subopt(problem, coef, p_star, dual_points=()):
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


def at_a1(problem, a1):
    pen = problem.penalty
    return problem.replace(penalty=lk.L1(a1, pen.l1_weights) + lk.L2(pen.l2, pen.l2_weights))


def penalized_mask(problem):
    v1 = problem.penalty.l1_weights
    return np.ones(problem.n_features, bool) if v1 is None else np.asarray(v1) > 0


def free_fit(problem, pen_mask):
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
