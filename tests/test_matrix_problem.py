"""Matrix problems (2-D ``Y``, or a group penalty): construction, validation, inputs,
pickle/copy and replace.
"""

from __future__ import annotations

import copy
import pickle

import _matrix_cases as mc
import numpy as np
import pytest
import scipy.sparse as sp
from _matrix_cases import GROUPS, TIGHT, K, N, P

import lassokit as lk

# ---------------------------------------------------------------------------
# Validation and inputs
# ---------------------------------------------------------------------------


def test_problem_dispatch_and_shapes():
    X, Y = mc.make_data(0)
    assert isinstance(lk.Problem(X, Y, lk.L1(0.1)), lk.Problem)
    assert type(lk.Problem(X, Y, lk.L1(0.1))).__name__ == "MatrixProblem"
    assert type(lk.Problem(X, Y[:, 0], lk.GroupL2(0.1))).__name__ == "MatrixProblem"
    assert type(lk.Problem(X, Y[:, 0], lk.L1(0.1))).__name__ != "MatrixProblem"
    prob = lk.Problem(X, Y, lk.GroupL2(0.1))
    assert (prob.n_samples, prob.n_features, prob.n_targets) == (N, P, K)
    sol = mc.solve(prob)
    assert sol.predict(X).shape == (N, K)
    mc.assert_close(sol.predict(X), X @ sol.coef + sol.intercept, 1e-12, "predict")
    one = mc.solve(lk.Problem(X, Y[:, 0], lk.GroupL2(0.1, GROUPS)))
    assert one.predict(X).shape == (N,)
    mc.assert_close(one.predict(X), X @ one.coef + one.intercept, 1e-12, "predict")


@pytest.mark.parametrize("backend", ["admm", "osqp", "direct", "gpu"])
@pytest.mark.parametrize("case", ["2d", "group1d"])
def test_other_backends_refuse(backend, case):
    X, Y = mc.make_data(0)
    prob = (lk.Problem(X, Y, lk.L1(0.1)) if case == "2d"
            else lk.Problem(X, Y[:, 0], lk.GroupL2(0.1, GROUPS)))
    with pytest.raises(ValueError, match=r"coefficient matrix|group penalty|GroupL2"):
        prob.solve(backend)
    with pytest.raises(ValueError, match=r"coefficient matrix|group penalty|GroupL2"):
        lk.path(prob, n_alphas=3, backend=backend)


def test_positive_and_bounds_refused():
    X, Y = mc.make_data(0)
    for y, pen in ((Y, lk.L1(0.1)), (Y[:, 0], lk.GroupL2(0.1))):
        with pytest.raises(ValueError, match="positive"):
            lk.Problem(X, y, pen, positive=True)
        with pytest.raises(ValueError, match="bounds"):
            lk.Problem(X, y, pen, bounds=(-1.0, 1.0))


def test_wrong_shapes_are_named():
    X, Y = mc.make_data(0)
    prob = lk.Problem(X, Y, lk.GroupL2(0.1))
    for bad in (np.zeros(P), np.zeros((P, K + 1)), np.zeros((P + 1, K)), np.zeros((K, P))):
        with pytest.raises(ValueError, match="warm_start"):
            prob.solve(warm_start=bad)
        with pytest.raises(ValueError, match="coef"):
            prob.objective(bad)
        with pytest.raises(ValueError, match="coef"):
            prob.dual_gap(bad)
        with pytest.raises(ValueError, match="coef"):
            prob.certify(bad)
    with pytest.raises(ValueError, match="coef"):
        prob.objective(np.full((P, K), np.nan))
    no_b = lk.Problem(X, Y, lk.GroupL2(0.1), fit_intercept=False)
    with pytest.raises(ValueError, match="intercept"):
        no_b.objective(np.zeros((P, K)), np.ones(K))
    assert no_b.objective(np.zeros((P, K)), np.zeros(K)) == pytest.approx(
        0.5 * np.sum(Y**2) / N, rel=1e-14)
    one = lk.Problem(X, Y[:, 0], lk.GroupL2(0.1, GROUPS))
    with pytest.raises(ValueError, match="warm_start"):
        one.solve(warm_start=np.zeros(P + 1))
    with pytest.raises(ValueError, match="coef"):
        one.objective(np.zeros((P, 2)))
    with pytest.raises(ValueError):
        lk.Problem(X, Y[:-1], lk.GroupL2(0.1))
    Yn = Y.copy()
    Yn[0, 0] = np.nan
    with pytest.raises(ValueError):
        lk.Problem(X, Yn, lk.GroupL2(0.1))
    with pytest.raises(ValueError):
        lk.Problem(X, Y, lk.GroupL2(0.1), sample_weight=-np.ones(N))
    with pytest.raises(ValueError):
        lk.Problem(X, Y, lk.GroupL2(0.1), sample_weight=np.ones(N + 1))
    with pytest.raises(ValueError):
        lk.Problem(X, Y, lk.GroupL2(0.1), loss="logistic")
    with pytest.raises(ValueError):
        lk.Problem(X, Y, lk.GroupL2(0.1), offset=np.zeros((N, K + 1)))


def test_warm_start_reaches_the_same_optimum():
    X, Y, spec, sw = mc.kind_case("sparse_group_2d", weighted=True)
    prob = mc.build(X, Y, spec, sw)
    cold = mc.solve(prob, tol=TIGHT)
    for W0 in (cold, cold.coef, np.ones((P, K)), np.zeros((P, K))):
        warm = mc.solve(prob, tol=TIGHT, warm_start=W0)
        mc.assert_certified_pair(cold, warm, mc.strong_convexity(X, spec, sw), mc.ref_p0(X, Y, sw))


def test_offset():
    X, Y, spec, _ = mc.kind_case("multitask_enet")
    off = np.random.default_rng(3).standard_normal((N, K))
    a = mc.solve(mc.build(X, Y, spec, offset=off), tol=TIGHT)
    b = mc.solve(mc.build(X, Y - off, spec), tol=TIGHT)
    sigma = mc.strong_convexity(X, spec)
    mc.assert_certified_pair(a, b, sigma, mc.ref_p0(X, Y - off))
    off1 = off[:, 0]
    c = mc.solve(mc.build(X, Y, spec, offset=off1), tol=TIGHT)
    d = mc.solve(mc.build(X, Y - off1[:, None], spec), tol=TIGHT)
    mc.assert_certified_pair(c, d, sigma, mc.ref_p0(X, Y - off1[:, None]))
    mc.assert_close(c.predict(X, offset=off1), d.predict(X) + off1[:, None], 1e-10, "predict")


@pytest.mark.parametrize("storage", ["dense", "fortran", "csr", "csc"])
def test_inputs_never_modified(storage):
    X, Y, spec, sw = mc.kind_case("sparse_group_2d", storage=storage, weighted=True)
    snap = {"Y": Y.copy(), "sw": sw.copy()}
    if sp.issparse(X):
        snap.update(data=X.data.copy(), indices=X.indices.copy(), indptr=X.indptr.copy())
    else:
        snap["X"] = X.copy()
    flags = (Y.flags.writeable, sw.flags.writeable)
    prob = mc.build(X, Y, spec, sw)
    sol = mc.solve(prob)
    prob.certify(sol.coef)
    prob.alpha_max()
    lk.path(prob, n_alphas=3, eps=0.1)
    sol.predict(X)
    np.testing.assert_array_equal(Y, snap["Y"])
    np.testing.assert_array_equal(sw, snap["sw"])
    if sp.issparse(X):
        for name in ("data", "indices", "indptr"):
            np.testing.assert_array_equal(getattr(X, name), snap[name])
        assert X.format == storage
    else:
        np.testing.assert_array_equal(X, snap["X"])
        assert X.flags.writeable
    assert (Y.flags.writeable, sw.flags.writeable) == flags


def test_target_written_after_building_is_seen():
    X, Y, spec, _ = mc.kind_case("multitask_lasso")
    Y = Y.copy()
    prob = mc.build(X, Y, spec)
    first = mc.solve(prob, tol=TIGHT)
    Y2 = Y[::-1].copy() * 1.5
    Y[...] = Y2
    second = mc.solve(prob, tol=TIGHT)
    fresh = mc.solve(mc.build(X, Y2, spec), tol=TIGHT)
    mc.assert_certified_pair(second, fresh, mc.strong_convexity(X, spec), mc.ref_p0(X, Y2))
    assert not np.allclose(first.coef, second.coef)
    # The certificate reads the new target too.
    assert prob.objective(fresh.coef) == pytest.approx(fresh.objective, rel=1e-12)


# ---------------------------------------------------------------------------
# Pickle and copy; replace
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["pickle", "copy", "deepcopy"])
@pytest.mark.parametrize("kind", ["multitask_enet", "sparse_group"])
def test_problem_round_trip(kind, how):
    X, Y, spec, sw = mc.kind_case(kind, storage="csc", weighted=True)
    prob = mc.build(X, Y, spec, sw)
    other = {"pickle": lambda o: pickle.loads(pickle.dumps(o)), "copy": copy.copy,
             "deepcopy": copy.deepcopy}[how](prob)
    assert type(other) is type(prob)
    assert other.penalty == prob.penalty
    assert (other.n_samples, other.n_features, other.n_targets) == \
        (prob.n_samples, prob.n_features, prob.n_targets)
    a, b = mc.solve(prob), mc.solve(other)
    np.testing.assert_array_equal(a.coef, b.coef)
    np.testing.assert_array_equal(a.intercept, b.intercept)
    assert a.objective == b.objective and a.dual_gap == b.dual_gap
    sol2 = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(sol2.coef, a.coef)
    assert sol2.objective == a.objective and sol2.status == a.status


def test_replace_penalty():
    X, Y, spec, sw = mc.kind_case("group_enet", weighted=True)
    prob = mc.build(X, Y, spec, sw)
    half = spec.scaled(0.5)
    r = prob.replace(penalty=half.penalty())
    assert r.penalty == half.penalty() and prob.penalty == spec.penalty()
    a = mc.solve(r, tol=TIGHT)
    b = mc.solve(mc.build(X, Y, half, sw), tol=TIGHT)
    mc.assert_certified_pair(a, b, mc.strong_convexity(X, half, sw), mc.ref_p0(X, Y, sw))
    # Replacing the target by a 1-D one with a group penalty keeps a matrix problem.
    one = prob.replace(y=Y[:, 0])
    assert one.n_targets == 1 and mc.solve(one).coef.shape == (P,)
