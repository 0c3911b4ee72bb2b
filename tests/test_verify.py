"""verify(): every backend against a tight CVXPY reference."""

import json

import numpy as np
import pytest
from conftest import Spec, make_problem, reference_for

import lassokit as lk
from lassokit.backends.registry import get_backend

ROW_KEYS = {"backend", "objective", "rel_obj_diff", "max_coef_diff", "support_agree",
            "dual_gap", "time", "ok"}


def _register(name, coef_fn, registry_cleanup):
    class Fixed(lk.Backend):
        def solve(self, problem, *, tol, max_iter, warm_start):
            return {"coef": coef_fn(problem), "intercept": 0.0, "n_iter": 1}

    Fixed.name = name
    lk.register_backend(Fixed)
    registry_cleanup.append(name)


def test_verify_ridge_default_backends_table_and_dict():
    spec = Spec(mix="ridge", sample_weight=True)
    problem = make_problem(spec)
    report = lk.verify(problem)
    assert isinstance(report, lk.VerifyReport)
    names = [row["backend"] for row in report.backends]
    capable = [n for n in lk.available_backends()
               if n != "cvxpy" and get_backend(n).supports(problem)[0]]
    assert names == capable and "direct" in names
    assert report.ok is True
    assert all(row["ok"] for row in report.backends)
    ref = reference_for(spec)
    assert report.reference["objective"] == pytest.approx(ref.objective, rel=1e-9)
    for row in report.backends:
        assert ROW_KEYS <= set(row)
        assert row["rel_obj_diff"] == pytest.approx(
            abs(row["objective"] - report.reference["objective"]) / abs(report.reference["objective"]),
            rel=1e-6, abs=1e-15)
        assert row["rel_obj_diff"] <= 1e-6
        assert row["max_coef_diff"] <= 1e-4
        assert row["support_agree"] is True
    text = str(report)
    assert "cvxpy" in text and "direct" in text and "ok" in text.lower()
    d = report.to_dict()
    assert {"reference", "backends", "ok"} <= set(d)
    assert d["ok"] is True and len(d["backends"]) == len(report.backends)
    again = json.loads(json.dumps(d))  # JSON-serializable, round-trips
    assert again["backends"][0]["backend"] == names[0]
    assert isinstance(again["reference"], dict)


def test_verify_explicit_backend_list_and_string():
    problem = make_problem(Spec(mix="enet", feature_weights=True, positive=True))
    report = lk.verify(problem, ["cvxpy"], tol=1e-6)
    assert [r["backend"] for r in report.backends] == ["cvxpy"]
    assert report.ok
    same = lk.verify(problem, "cvxpy")
    assert [r["backend"] for r in same.backends] == ["cvxpy"]
    json.dumps(report.to_dict())


def test_verify_flags_a_wrong_backend(registry_cleanup):
    spec = Spec(mix="lasso", sample_weight=True)
    problem = make_problem(spec)
    ref = reference_for(spec)
    _register("test-verify-good", lambda pr: ref.coef, registry_cleanup)
    _register("test-verify-bad", lambda pr: 0.9 * ref.coef, registry_cleanup)
    report = lk.verify(problem, ["test-verify-good", "test-verify-bad"], tol=1e-6)
    rows = {r["backend"]: r for r in report.backends}
    assert rows["test-verify-good"]["ok"] is True
    assert rows["test-verify-bad"]["ok"] is False
    assert report.ok is False
    assert report.to_dict()["ok"] is False
    bad = rows["test-verify-bad"]
    # the numbers are the documented ones
    scale = max(1.0, float(np.max(np.abs(ref.coef))))
    assert bad["max_coef_diff"] == pytest.approx(0.1 * np.max(np.abs(ref.coef)) / scale, rel=1e-5)
    assert bad["rel_obj_diff"] == pytest.approx(
        (problem.objective(0.9 * ref.coef, problem.certify(0.9 * ref.coef).intercept)
         - ref.objective) / ref.objective, rel=1e-5)
    assert bad["rel_obj_diff"] > 1e-6
    assert "NO" in str(report)
    json.dumps(report.to_dict())


def test_verify_tol_decides_ok(registry_cleanup):
    spec = Spec(mix="lasso")
    problem = make_problem(spec)
    ref = reference_for(spec)
    _register("test-verify-close", lambda pr: ref.coef * (1 + 1e-3), registry_cleanup)
    tight = lk.verify(problem, ["test-verify-close"], tol=1e-9)
    rel = tight.backends[0]["rel_obj_diff"]
    assert 1e-9 < rel < 1e-2
    assert tight.ok is False
    loose = lk.verify(problem, ["test-verify-close"], tol=10 * rel)
    assert loose.ok is True


def test_verify_rejects_incapable_backend_before_work():
    problem = make_problem(Spec(mix="lasso"))
    with pytest.raises(ValueError, match="direct"):
        lk.verify(problem, ["direct"])
    with pytest.raises(ValueError, match="nope"):
        lk.verify(problem, ["nope"])

