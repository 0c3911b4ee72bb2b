"""Crashes and unclear errors of issue 21 (items 10, 12, 13, 14).

Each input here used to crash with an ``AttributeError``, numpy's or dask's
own text, or was silently reinterpreted. Expected now: a correct answer, a
status of ``"error"`` from the certificate, or a ``ValueError`` /
``TypeError`` that names the parameter and what was expected.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import converged_ref, make_data

import lassokit as lk

# numpy < 1.25 has no np.exceptions.
ComplexWarning = getattr(np, "exceptions", np).ComplexWarning


def _named(name):
    """Regex: the parameter name as a word."""
    return rf"(?<![A-Za-z_]){re.escape(name)}(?![A-Za-z_])"


def _backend(name, result):
    """A user backend whose ``solve`` returns ``result(problem)``."""

    class _User(lk.Backend):
        def solve(self, problem, *, tol, max_iter, warm_start):
            return result(problem)

    _User.name = name
    return _User


# ---------------------------------------------------------------------------
# item 10: DOK matrices
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [sp.dok_matrix, sp.dok_array], ids=["dok_matrix", "dok_array"])
def test_dok_X_gives_the_csc_answer_in_problem_and_verify(fmt):
    """A DOK matrix has no ``.data``: Problem crashed reading it; the estimators took it."""
    X, y = make_data(20, 5, storage="csc")
    problem = lk.lasso(fmt(X), y, 0.1)
    assert problem.X.format in ("csc", "csr")
    want = converged_ref(lk.lasso(sp.csc_matrix(X), y, 0.1).solve("cd", tol=1e-10))
    got = problem.solve("cd", tol=1e-10)
    assert got.converged
    np.testing.assert_allclose(got.coef, want.coef, rtol=1e-8, atol=1e-10)
    assert lk.verify(problem, ["cd"]).ok


# ---------------------------------------------------------------------------
# item 12: what a user backend returns
# ---------------------------------------------------------------------------

_BAD_RETURN_ENTRIES = {
    "path": lambda X, y, b: lk.path(lk.lasso(X, y, 1.0), n_alphas=3, backend=b),
    "path-no-screening": lambda X, y, b: lk.path(lk.lasso(X, y, 1.0), n_alphas=3, backend=b,
                                                 strong_rules=False),
    "lasso_path": lambda X, y, b: lk.lasso_path(X, y, n_alphas=3, backend=b),
    "LassoCV": lambda X, y, b: lk.LassoCV(alphas=3, cv=2, backend=b).fit(X, y),
}


@pytest.mark.parametrize("entry", list(_BAD_RETURN_ENTRIES))
def test_backend_returning_none_is_the_solve_type_error_everywhere(entry, registry_cleanup):
    """``solve()`` named the backend; paths and CV crashed with AttributeError on None."""
    lk.register_backend(_backend("test-returns-none", lambda pr: None))
    registry_cleanup.append("test-returns-none")
    X, y = make_data(30, 6)
    with pytest.raises(TypeError, match="test-returns-none.*NoneType.*BackendResult"):
        lk.lasso(X, y, 0.1).solve("test-returns-none")
    with pytest.raises(TypeError, match="test-returns-none.*NoneType.*BackendResult"):
        _BAD_RETURN_ENTRIES[entry](X, y, "test-returns-none")


def test_complex_coefficients_are_an_error_not_a_cast(registry_cleanup):
    """Casting dropped the imaginary part and certified the real part ``optimal``."""
    X, y = make_data(30, 6)
    problem = lk.lasso(X, y, 0.1)
    best = problem.solve("cd", tol=1e-12).coef
    lk.register_backend(_backend("test-complex", lambda pr: lk.BackendResult(
        coef=np.asarray(pr.solve("cd", tol=1e-12).coef, dtype=np.float64) + 1j, n_iter=1)))
    registry_cleanup.append("test-complex")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ComplexWarning)
        with pytest.warns(lk.ConvergenceWarning, match="complex"):
            sol = problem.solve("test-complex")
        assert sol.status == "error" and not sol.converged
        assert np.isrealobj(sol.coef) and not np.any(sol.coef)
        assert np.any(best)  # the zeros are not the answer: the error is visible
        with pytest.warns(lk.ConvergenceWarning):
            path = lk.path(problem, alphas=[0.2, 0.1], backend="test-complex")
        assert not path.converged.any()


# ---------------------------------------------------------------------------
# item 13: explicit alphas
# ---------------------------------------------------------------------------

_ALPHAS_ENTRIES = {
    "path": lambda X, y, a: lk.path(lk.lasso(X, y, 1.0), alphas=a),
    "lasso_path": lambda X, y, a: lk.lasso_path(X, y, alphas=a),
    "enet_path": lambda X, y, a: lk.enet_path(X, y, alphas=a),
    "LassoCV": lambda X, y, a: lk.LassoCV(alphas=a, cv=2).fit(X, y),
    "ElasticNetCV": lambda X, y, a: lk.ElasticNetCV(alphas=a, cv=2).fit(X, y),
}

_BAD_ALPHAS = {
    "2-D": ([[0.1, 0.2], [0.3, 0.4]], ValueError),
    "strings": (["0.1", "0.2"], TypeError),
    "one string": ("0.1", TypeError),
    "complex": ([0.1 + 1j, 0.2], TypeError),
    "complex dtype, real values": (np.array([0.1, 0.2], dtype=complex), TypeError),
    "booleans": (np.array([True, False]), TypeError),
    "objects": (np.array([0.1, None], dtype=object), TypeError),
    "a float": (0.1, ValueError),
}


@pytest.mark.parametrize("entry", list(_ALPHAS_ENTRIES))
@pytest.mark.parametrize("key", list(_BAD_ALPHAS))
def test_alphas_must_be_a_1d_sequence_of_real_numbers(entry, key):
    """A 2-D grid was flattened, strings parsed, complex cast with only a ComplexWarning."""
    alphas, exc = _BAD_ALPHAS[key]
    X, y = make_data(20, 4)
    if entry.endswith("CV") and key in ("one string", "a float"):
        exc = ValueError  # scikit-learn's parameter validation (InvalidParameterError)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ComplexWarning)
        with pytest.raises(exc, match=_named("alphas")):
            _ALPHAS_ENTRIES[entry](X, y, alphas)


def test_alphas_message_says_what_was_expected():
    """The message states the contract, not just the failure."""
    X, y = make_data(20, 4)
    with pytest.raises(ValueError, match=r"1-D.*got shape \(2, 2\)"):
        lk.lasso_path(X, y, alphas=[[0.1, 0.2], [0.3, 0.4]])
    with pytest.raises(ValueError, match=r"alphas=\[0\.1\]"):
        lk.lasso_path(X, y, alphas=0.1)
    with pytest.raises(TypeError, match="real numbers.*complex"):
        lk.lasso_path(X, y, alphas=[0.1j])


# ---------------------------------------------------------------------------
# item 14: messages that name the parameter
# ---------------------------------------------------------------------------


def test_certify_names_dual_points_and_n_samples():
    """A wrong-length dual point failed inside numpy's matmul."""
    X, y = make_data(20, 4)
    problem = lk.lasso(X, y, 0.1)
    coef = np.zeros(4)
    with pytest.raises(ValueError, match=r"dual_points\[1\].*n_samples=20.*\(19,\)"):
        problem.certify(coef, dual_points=[np.ones(20), np.ones(19)])
    with pytest.raises(TypeError, match=r"dual_points.*\[q\]"):
        problem.certify(coef, dual_points=np.ones(20))  # one point, not a sequence of them
    with pytest.raises(TypeError, match=_named("dual_points")):
        problem.certify(coef, dual_points=[np.ones(20) + 1j])
    # good ones still work, None entries are skipped
    r = problem.y - problem.y.mean()
    assert problem.certify(coef, dual_points=[None, r]).dual_gap == problem.certify(coef).dual_gap


@pytest.mark.parametrize("alpha, l1_ratio, name", [
    (1.0, 2, "l1_ratio"), (1.0, -0.5, "l1_ratio"), (1.0, np.nan, "l1_ratio"),
    (-1.0, None, "alpha"), (np.inf, 0.5, "alpha"),
])
def test_penalty_at_names_its_argument(alpha, l1_ratio, name):
    """``at`` reported the derived ``l1``/``l2`` strengths ("l2 must be ... got -1.0")."""
    with pytest.raises(ValueError, match=_named(name)):
        (lk.L1(0.5) + lk.L2(0.5)).at(alpha, l1_ratio)


def test_penalty_at_rejects_non_numbers():
    """A string share must not reach ``float()``'s own message."""
    with pytest.raises(TypeError, match=_named("l1_ratio")):
        lk.L1(1.0).at(1.0, "0.5")
    with pytest.raises(TypeError, match=_named("alpha")):
        lk.L1(1.0).at("1.0")


@pytest.mark.parametrize("which", ["y", "sample_weight"])
def test_distributed_solve_names_the_vector_of_another_length(which):
    """A NumPy vector of the wrong length failed in dask ("Chunks do not add up")."""
    pytest.importorskip("dask.array")
    from lassokit import distributed as lkd

    X, y = make_data(20, 4)
    kw = {"sample_weight": np.ones(15)} if which == "sample_weight" else {}
    with pytest.raises(ValueError, match=rf"{_named(which)}.*15.*20"):
        lkd.solve(X, y[:15] if which == "y" else y, lk.L1(0.1), **kw)
