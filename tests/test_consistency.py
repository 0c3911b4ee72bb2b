"""Cross-backend consistency: one matrix of every backend x standard problem.

Every available backend (built-in or registered by a user before collection)
is run on every standard problem it can take -- the registry decides which,
through ``Backend.supports``, when the parametrization is built -- and must

1. reach lassokit's certificate at :data:`conftest.MATRIX_TOL`, and
2. agree with the independent, KKT-polished CVXPY/Clarabel reference of
   ``conftest.reference_solve`` on the objective (relative) and the
   coefficients (relative sup norm), with the tolerances of ``conftest``
   (see :func:`conftest.assert_matches_reference`).

:func:`lassokit.verify` is run on the same problems (``report.ok``).

The fast tier (default, CI) covers every axis -- dense/CSC/CSR, float32/64,
p >> n, n >> p, correlated columns, real data (scikit-learn's diabetes),
intercept, sample weights, positivity, per-feature weights with zeros, and
L1 / L1+L2 / L2 / unpenalized mixes -- on a covering set of combinations.
``pytest --runslow`` adds the full product of those options on the small
random design plus larger problems.
"""

from __future__ import annotations

import itertools
import warnings

import pytest
from conftest import (
    MATRIX_TOL,
    VERIFY_TOL,
    Spec,
    assert_matches_reference,
    capable_pairs,
    make_problem,
    reference_for,
)

import lassokit as lk
from lassokit.backends.base import Capabilities
from lassokit.backends.osqp_backend import OsqpBackend
from lassokit.backends.registry import capable_backends


def _spec(design="random", mix="lasso", storage="dense", dtype="float64", *, n=30, p=12,
          fi=True, sw=False, fw=False, pos=False, seed=0):
    return Spec(design=design, mix=mix, storage=storage, dtype=dtype, n=n, p=p, seed=seed,
                fit_intercept=fi, sample_weight=sw, feature_weights=fw, positive=pos)


# A covering set: every value of every axis, most pairs of option values, each
# kind of design with sparse storage and float32. OLS ("ols") only where its
# solution is unique (n > p, full column rank).
FAST_CASES = [
    # small random design (n=30, p=12)
    _spec(mix="lasso"),
    _spec(mix="lasso", storage="csc", sw=True),
    _spec(mix="lasso", storage="csr", dtype="float32", fi=False, pos=True),
    _spec(mix="lasso", sw=True, fw=True, pos=True),
    _spec(mix="enet", dtype="float32", fw=True),
    _spec(mix="enet", storage="csc", sw=True, fw=True, pos=True),
    _spec(mix="enet", fi=False, sw=True),
    _spec(mix="ridge", fw=True),
    _spec(mix="ridge", storage="csr", sw=True),
    _spec(mix="ridge", storage="csc", dtype="float32", fi=False),
    _spec(mix="ols", sw=True),
    _spec(mix="ols", storage="csc", pos=True),
    # p >> n
    _spec(mix="lasso", n=20, p=60),
    _spec(mix="enet", storage="csc", n=20, p=60, sw=True, fw=True),
    _spec(mix="lasso", storage="csr", dtype="float32", n=20, p=60, pos=True),
    _spec(mix="ridge", n=20, p=60, fi=False),
    # n >> p
    _spec(mix="lasso", n=400, p=6, sw=True),
    _spec(mix="enet", storage="csr", dtype="float32", n=400, p=6, fw=True, pos=True),
    _spec(mix="ols", dtype="float32", n=400, p=6),
    # correlated columns (AR(1), rho = 0.9)
    _spec("correlated", "lasso", n=50, p=20),
    _spec("correlated", "enet", "csc", n=50, p=20, sw=True, pos=True),
    _spec("correlated", "ridge", dtype="float32", n=50, p=20, fw=True),
    # real data: scikit-learn's diabetes (442 x 10)
    _spec("diabetes", "lasso", n=442, p=10),
    _spec("diabetes", "enet", "csr", n=442, p=10, sw=True, fw=True),
    _spec("diabetes", "ols", n=442, p=10, pos=True),
]

_OPTIONS = list(itertools.product([True, False], repeat=4))  # fi, sw, fw, pos

SLOW_CASES = [
    # the full product of options on the small random design
    _spec(mix=mix, storage=storage, dtype=dtype, fi=fi, sw=sw, fw=fw, pos=pos)
    for mix in ("lasso", "enet", "ridge", "ols")
    for storage in ("dense", "csc", "csr")
    for dtype in ("float64", "float32")
    for fi, sw, fw, pos in _OPTIONS
] + [
    # larger problems
    _spec(mix="lasso", n=200, p=1000, seed=1),
    _spec(mix="enet", storage="csc", n=200, p=1000, sw=True, fw=True, seed=1),
    _spec(mix="lasso", storage="csr", dtype="float32", n=200, p=1000, pos=True, seed=1),
    _spec(mix="enet", n=2000, p=60, sw=True, seed=2),
    _spec(mix="ols", storage="csc", n=2000, p=60, seed=2),
    _spec(mix="ridge", dtype="float32", n=2000, p=60, fw=True, seed=2),
    _spec("correlated", "lasso", n=300, p=150, seed=3),
    _spec("correlated", "enet", "csr", n=300, p=150, sw=True, pos=True, seed=3),
    _spec("diabetes", "lasso", "csc", "float32", n=442, p=10, sw=True, pos=True),
    _spec("diabetes", "ridge", n=442, p=10, fi=False, fw=True),
]

MATRIX = capable_pairs(FAST_CASES) + capable_pairs(SLOW_CASES, marks=pytest.mark.slow)


def _solve_checked(problem, backend, tol):
    with warnings.catch_warnings():
        # an unconverged solve must fail the test, loudly
        warnings.simplefilter("error", lk.ConvergenceWarning)
        return problem.solve(backend, tol=tol)


@pytest.mark.parametrize("backend, spec", MATRIX)
def test_backend_agrees_with_reference(backend, spec):
    problem = make_problem(spec)
    sol = _solve_checked(problem, backend, MATRIX_TOL)
    assert sol.backend == backend
    assert_matches_reference(problem, sol, reference_for(spec), MATRIX_TOL)


_VERIFY = [pytest.param(s, id=s.id()) for s in FAST_CASES] + [
    pytest.param(s, id=s.id(), marks=pytest.mark.slow) for s in SLOW_CASES
]


@pytest.mark.parametrize("spec", _VERIFY)
def test_verify_is_ok_on_the_matrix(spec):
    problem = make_problem(spec)
    report = lk.verify(problem, tol=VERIFY_TOL)
    expected = [b for b in capable_backends(problem) if b != "cvxpy"]
    assert [row["backend"] for row in report.backends] == expected
    assert report.ok, str(report)
    assert report.to_dict()["ok"] is True


def test_matrix_covers_every_capable_backend():
    """Each available backend is in the matrix, on every fast case it can take."""
    pairs = {(p.values[0], p.values[1]) for p in capable_pairs(FAST_CASES)}
    for name in lk.available_backends():
        mine = {spec for b, spec in pairs if b == name}
        assert mine, f"backend {name!r} has no case in the matrix"
        for spec in FAST_CASES:
            can = name in capable_backends(make_problem(spec))
            assert (spec in mine) == can


def test_user_backend_is_covered_without_a_test(registry_cleanup):
    """A user backend registered before collection joins the matrix by its capabilities.

    Registered here (after collection) to show the mechanism: the matrix is
    rebuilt with :func:`conftest.capable_pairs` and the user backend, dense
    only, gets exactly the dense cases and passes the same checks.
    """

    class DenseOsqp(OsqpBackend):
        name = "test-user-dense-osqp"
        capabilities = Capabilities(sparse=False)

    lk.register_backend(DenseOsqp)
    registry_cleanup.append(DenseOsqp.name)
    mine = [p.values[1] for p in capable_pairs(FAST_CASES) if p.values[0] == DenseOsqp.name]
    assert mine == [s for s in FAST_CASES if s.storage == "dense"]
    for spec in mine[:3]:
        problem = make_problem(spec)
        sol = _solve_checked(problem, DenseOsqp.name, MATRIX_TOL)
        assert_matches_reference(problem, sol, reference_for(spec), MATRIX_TOL)
