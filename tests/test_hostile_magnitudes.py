"""Hostile input: extreme magnitudes (1e-150 to 1e150 in X and y) on every
backend, judged as the same problem in other units.

X -> cx X, y -> cy y with a1 -> cx cy a1 and a2 -> cx^2 a2 has the solution
w -> w cy / cx, b -> cy b and the optimal value cy^2 P* (substitute in P).
"""

import warnings
from types import SimpleNamespace

import _hostile_checks as hk
import numpy as np
import pytest
from conftest import assert_matches_reference, coef_scale, reference_for_problem

import lassokit as lk
from lassokit.backends.registry import capable_backends

SCALES = [(1e150, 1.0), (1e-150, 1.0), (1.0, 1e150), (1.0, 1e-150), (1e150, 1e150),
          (1e-3, 1e3)]


def _scaled_pairs():
    out = []
    for cx, cy in SCALES:
        for storage, mix in (("dense", 0.5), ("csc", 1.0)):
            X, y = hk.base_data(storage=storage)
            problem = lk.elastic_net(X * cx, y * cy, 0.1, mix)
            for name in capable_backends(problem, emulated=True):
                out.append(pytest.param(name, cx, cy, storage, mix,
                                        id=f"{name}-X{cx:.0e}-y{cy:.0e}-{storage}-r{mix}"))
    return out


@pytest.mark.parametrize("backend, cx, cy, storage, l1_ratio", _scaled_pairs())
def test_extreme_magnitudes(backend, cx, cy, storage, l1_ratio):
    X, y = hk.base_data(storage=storage)
    base = lk.elastic_net(X, y, 0.1, l1_ratio)
    a1, a2 = 0.1 * l1_ratio, 0.1 * (1 - l1_ratio)
    Xs, ys = X * cx, y * cy
    snap = hk.snapshot(Xs, ys)
    problem = lk.Problem(Xs, ys, lk.L1(a1 * cx * cy) + lk.L2(a2 * cx * cx))
    sol = hk.solve_quiet(problem, backend, tol=hk.TOL)
    assert np.all(np.isfinite(sol.coef)) and np.isfinite(sol.objective)
    mapped = SimpleNamespace(
        converged=sol.converged, status=sol.status, objective=sol.objective / cy**2,
        dual_gap=sol.dual_gap / cy**2, coef=(sol.coef * (cx / cy)).astype(X.dtype),
        intercept=sol.intercept / cy)
    assert_matches_reference(base, mapped, reference_for_problem(base), hk.TOL)
    hk.assert_unchanged(snap)
    # the estimator, with alpha and l1_ratio that give the same a1 and a2 -- when
    # float64 can say so: with a1' / a2' ~ 1e150 the L2 share rounds away
    alpha = a1 * cx * cy + a2 * cx * cx
    ratio = a1 * cx * cy / alpha
    if abs(alpha * (1 - ratio) - a2 * cx * cx) > 1e-6 * a2 * cx * cx:
        return
    est = lk.ElasticNet(alpha=alpha, l1_ratio=ratio, tol=hk.TOL, max_iter=None, backend=backend)
    with warnings.catch_warnings():
        warnings.simplefilter("error", lk.ConvergenceWarning)
        est.fit(Xs, ys)
    ref = reference_for_problem(base)
    err = np.max(np.abs(est.coef_ * (cx / cy) - ref.coef))
    assert err <= 1e-4 * coef_scale(ref.coef)
    hk.assert_unchanged(snap)
