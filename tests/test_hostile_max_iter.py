"""Hostile input: ``max_iter=1`` on every backend gives an honest answer -- a
valid certificate, ``converged`` only when the gap says so, and one
``ConvergenceWarning`` naming the gap and the tol otherwise.
"""

import warnings

import pytest
from conftest import SUBOPT_SLACK, make_data, p0_of, reference_for_problem

import lassokit as lk
from lassokit.backends.registry import capable_backends


def _early_pairs():
    X, y = make_data(50, 20, seed=5)
    out = []
    for mix in (0.5, 0.0):
        problem = lk.elastic_net(X, y, 0.05, mix)
        for name in capable_backends(problem, emulated=True):
            out.append(pytest.param(name, mix, id=f"{name}-r{mix}"))
    return out


@pytest.mark.parametrize("backend, l1_ratio", _early_pairs())
def test_max_iter_one_is_honest(backend, l1_ratio):
    X, y = make_data(50, 20, seed=5)
    problem = lk.elastic_net(X, y, 0.05, l1_ratio)
    ref = reference_for_problem(problem)
    tol = 1e-12
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sol = problem.solve(backend, tol=tol, max_iter=1)
    conv_warnings = [w for w in caught if issubclass(w.category, lk.ConvergenceWarning)]
    p0 = p0_of(problem)
    slack = SUBOPT_SLACK * max(1.0, p0)
    # the reported gap is the certificate: valid, and no better than lassokit's own
    assert sol.dual_gap >= sol.objective - ref.objective - slack
    assert sol.dual_gap <= problem.dual_gap(sol.coef) * (1 + 1e-12) + slack
    assert sol.objective == pytest.approx(problem.objective(sol.coef, sol.intercept), rel=1e-12)
    assert sol.converged == (sol.dual_gap <= tol * p0 * (1 + 1e-9))
    if l1_ratio > 0:
        # one iteration cannot reach a relative gap of 1e-12 on this Elastic Net
        assert not sol.converged
    if sol.converged:
        assert sol.status == "optimal" and not conv_warnings
    else:
        assert sol.status in ("max_iter", "inaccurate")
        assert len(conv_warnings) == 1
        msg = str(conv_warnings[0].message)
        assert f"{sol.rel_gap:.3g}" in msg and f"{tol:.3g}" in msg
    # and through an estimator
    est = lk.ElasticNet(alpha=0.05, l1_ratio=l1_ratio, tol=tol, max_iter=1, backend=backend)
    if sol.converged:
        est.fit(X, y)
    else:
        with pytest.warns(lk.ConvergenceWarning):
            est.fit(X, y)
    assert est.dual_gap_ >= problem.objective(est.coef_, est.intercept_) - ref.objective - slack
