"""``--loss`` on the command line: fit, path, verify and predict for every loss.

Each success is judged against the Python API on the same data (the CLI is
a thin layer over it); each failure must be one line on stderr, exit 2,
with the loss's own sentence.
"""

from __future__ import annotations

import csv
import importlib.util
import json

import numpy as np
import pytest

import lassokit as lk
from lassokit import cli
from test_cli import assert_one_line_error, run

FEATURES = ["f0", "f1", "f2", "f3"]
TOL = 1e-9
COEF_TOL = 1e-5  # relative to max(1, |ref|), as in tests/test_cli.py


def _data(n=80, seed=0):
    """Features, a 0/1 label, counts and a real target with two outliers."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, len(FEATURES)))
    z = 1.5 * X[:, 0] - X[:, 1] + 0.3
    label = (rng.random(n) < 1.0 / (1.0 + np.exp(-z))).astype(int)
    count = rng.poisson(np.exp(0.5 * X[:, 0] + 0.2)).astype(int)
    real = X @ np.array([1.0, -2.0, 0.0, 0.5]) + 0.1 * rng.standard_normal(n)
    real[:2] += 25.0
    three = rng.integers(0, 3, n)
    return X, {"label": label, "count": count, "real": real, "three": three,
               "negative": count - 1, "pm": 2 * label - 1}


TARGETS = ["label", "count", "real", "three", "negative", "pm"]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    X, targets = _data()
    path = tmp_path_factory.mktemp("cli_losses") / "data.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(FEATURES + TARGETS)
        for i, row in enumerate(X):
            w.writerow([repr(float(v)) for v in row] + [int(targets[t][i]) if t != "real"
                                                        else repr(float(targets[t][i]))
                                                        for t in TARGETS])
    return str(path), X, targets


def others(target):
    return ["--exclude", ",".join(t for t in TARGETS if t != target)]


def assert_close(coef, ref):
    ref = np.asarray(ref, dtype=float)
    scale = max(1.0, float(np.max(np.abs(ref))))
    assert np.max(np.abs(np.asarray(coef, dtype=float) - ref)) <= COEF_TOL * scale


CASES = [
    # (--loss and its options, target, the same problem through the API)
    (["--loss", "logistic"], "label", lambda X, t: lk.logistic(X, t["label"], 0.02)),
    (["--loss", "logistic"], "pm", lambda X, t: lk.logistic(X, t["label"], 0.02)),
    (["--loss", "poisson"], "count",
     lambda X, t: lk.Problem(X, t["count"], lk.L1(0.02), loss="poisson")),
    (["--loss", "huber", "--delta", "1.0"], "real",
     lambda X, t: lk.Problem(X, t["real"], lk.L1(0.02), loss=lk.Huber(1.0))),
]


@pytest.mark.parametrize("loss, target, make", CASES, ids=["logistic", "logistic-pm", "poisson",
                                                           "huber"])
def test_fit_and_predict_follow_the_api(loss, target, make, data, tmp_path, capsys):
    path, X, targets = data
    model = tmp_path / "model.json"
    code, out, err = run(["fit", path, "-t", target, *others(target), "--alpha", "0.02",
                          "--tol", str(TOL), "-o", str(model), *loss], capsys)
    assert code == 0, err
    ref = make(X, targets).solve("cd", tol=TOL)
    saved = json.loads(model.read_text())
    assert_close(saved["coef"], ref.coef)
    assert saved["intercept"] == pytest.approx(ref.intercept, abs=COEF_TOL)
    assert saved["certificate"]["converged"] is True
    # The output and the model file name the loss.
    name = loss[1]
    assert out.splitlines()[0].startswith(f"Lasso, {'Huber' if name == 'huber' else name} loss")
    assert saved["loss"] == name and saved["format_version"] == 2
    if name == "huber":
        assert saved["delta"] == 1.0 and "delta=1" in out.splitlines()[0]
    # predict gives the mean: the probability of class 1, exp(z), z.
    preds = tmp_path / "pred.csv"
    code, out, err = run(["predict", str(model), path, "-o", str(preds)], capsys)
    assert code == 0, err
    got = np.loadtxt(preds, delimiter=",", skiprows=1)
    np.testing.assert_allclose(got, ref.predict(X), rtol=1e-5, atol=1e-7)
    if name == "logistic":
        assert np.all((got > 0) & (got < 1))
        assert "probabilities of class 1" in out and "log loss" in out and "accuracy" in out
    elif name == "poisson":
        np.testing.assert_allclose(np.log(got), ref.decision_function(X), rtol=1e-5, atol=1e-7)
        assert "mean Poisson deviance" in out
    else:
        assert "mean squared error" in out


def test_squared_loss_models_stay_version_1(data, tmp_path, capsys):
    # Older releases read version 1; a least-squares model keeps that format.
    path, _, _ = data
    model = tmp_path / "m.json"
    code, out, err = run(["fit", path, "-t", "real", *others("real"), "--alpha", "0.1",
                          "-o", str(model)], capsys)
    assert code == 0, err
    saved = json.loads(model.read_text())
    assert saved["format_version"] == 1 and saved["loss"] == "squared"
    assert out.startswith("Lasso, squared loss, alpha=0.1;")


def test_ridge_alpha_is_lassokits_strength_for_other_losses(data, tmp_path, capsys):
    # PoissonRegressor(alpha) is --loss poisson --model ridge --alpha alpha:
    # no n_samples scale (that is least squares' Ridge convention).
    path, X, targets = data
    model = tmp_path / "m.json"
    code, out, err = run(["fit", path, "-t", "count", *others("count"), "--loss", "poisson",
                          "--model", "ridge", "--alpha", "0.3", "--tol", str(TOL),
                          "-o", str(model)], capsys)
    assert code == 0, err
    saved = json.loads(model.read_text())
    assert saved["penalty"] == {"l1": 0.0, "l2": 0.3}
    assert "Ridge scale" not in out
    ref = lk.Problem(X, targets["count"], lk.L2(0.3), loss="poisson").solve("cd", tol=TOL)
    assert_close(saved["coef"], ref.coef)


@pytest.mark.parametrize("loss, target, words", [
    ("logistic", "three", "3 distinct labels"),
    ("poisson", "negative", "non-negative counts"),
])
def test_a_target_the_loss_cannot_take_is_its_sentence(loss, target, words, data, capsys):
    path, _, _ = data
    for command in ("fit", "path", "verify"):
        extra = [] if command == "path" else ["--alpha", "0.1"]
        code, _, err = run([command, path, "-t", target, *others(target), "--loss", loss,
                            *extra], capsys)
        line = assert_one_line_error(code, err, command)
        assert words in line, line


def test_delta_belongs_to_huber(data, capsys):
    path, _, _ = data
    code, _, err = run(["fit", path, "-t", "label", *others("label"), "--loss", "logistic",
                        "--delta", "2", "--alpha", "0.1"], capsys)
    assert "--delta applies to --loss huber only" in assert_one_line_error(code, err, "fit")
    code, _, err = run(["fit", path, "-t", "real", "--loss", "huber", "--delta", "0",
                        "--alpha", "0.1"], capsys)
    assert code == cli.EXIT_USAGE and "--delta" in err and "must be > 0" in err
    code, _, err = run(["fit", path, "-t", "real", "--loss", "hinge", "--alpha", "0.1"], capsys)
    assert code == cli.EXIT_USAGE and "invalid choice: 'hinge'" in err


def test_path_for_a_loss_is_lk_path(data, tmp_path, capsys):
    path, X, targets = data
    out_csv = tmp_path / "path.csv"
    code, out, err = run(["path", path, "-t", "label", *others("label"), "--loss", "logistic",
                          "--n-alphas", "12", "--tol", "1e-8", "-o", str(out_csv)], capsys)
    assert code == 0, err
    assert out.startswith("Lasso, logistic loss, 12 alphas from")
    ref = lk.path(lk.logistic(X, targets["label"], 1.0), n_alphas=12, tol=1e-8)
    rows = np.loadtxt(out_csv, delimiter=",", skiprows=1)
    np.testing.assert_allclose(rows[:, 0], ref.alphas, rtol=1e-12)
    assert_close(rows[:, 3:].T, ref.coefs)
    worst = float(out.split("largest relative duality gap on the path: ")[1].split()[0])
    assert worst <= 1e-8 and worst == pytest.approx(float(np.max(ref.rel_gaps)), rel=1e-2)


@pytest.mark.skipif(importlib.util.find_spec("cvxpy") is None, reason="verify needs cvxpy")
def test_verify_checks_a_loss_against_cvxpy(data, capsys):
    path, _, _ = data
    code, out, err = run(["verify", path, "-t", "count", *others("count"), "--loss", "poisson",
                          "--alpha", "0.05", "--backends", "cd", "--progress", "off"], capsys)
    assert code == 0, err + out
    assert out.startswith("Lasso, poisson loss, alpha=0.05;")
    assert "cvxpy (ref)" in out and "all ok" in out


def test_cv_names_the_losses_it_takes(data, capsys):
    path, _, _ = data
    code, _, err = run(["fit", path, "-t", "count", *others("count"), "--loss", "poisson",
                        "--cv", "3"], capsys)
    line = assert_one_line_error(code, err, "fit")
    assert "squared and logistic losses" in line and "--alpha" in line


@pytest.mark.skipif(not hasattr(lk, "LogisticRegressionCV"),
                    reason="needs lk.LogisticRegressionCV")
def test_fit_cv_logistic_chooses_the_estimators_c(data, tmp_path, capsys):
    path, X, _ = data
    model = tmp_path / "cv.json"
    code, out, err = run(["fit", path, "-t", "label", *others("label"), "--loss", "logistic",
                          "--cv", "3", "-o", str(model)], capsys)
    assert code == 0, err
    saved = json.loads(model.read_text())
    line = next(ln for ln in out.splitlines() if ln.startswith("cross-validation:"))
    C = float(line.split("(C=")[1].split()[0])
    assert saved["alpha"] == pytest.approx(1.0 / (C * X.shape[0]), rel=1e-5)
    assert "log loss" in line and saved["training"]["cv"] == 3


def test_a_model_file_with_an_unknown_loss_is_refused(data, tmp_path, capsys):
    path, _, _ = data
    base = {"format": "lassokit-model", "features": FEATURES, "coef": [0.0] * 4,
            "intercept": 0.0}
    for record, words in [
        ({"format_version": 2, "loss": "hinge"}, "names the loss 'hinge'"),
        ({"format_version": 1, "loss": "logistic"}, "version-1 model file has the squared loss"),
        ({"format_version": 2, "loss": "huber", "delta": -1}, "delta must be"),
        ({"format_version": 3}, "model format version 3"),
    ]:
        model = tmp_path / "bad.json"
        model.write_text(json.dumps({**base, **record}))
        code, _, err = run(["predict", str(model), path], capsys)
        assert words in assert_one_line_error(code, err, "predict")


def test_an_old_model_file_predicts_least_squares(data, tmp_path, capsys):
    # Version-1 files written before losses existed have no "loss" key.
    path, X, _ = data
    model = tmp_path / "old.json"
    model.write_text(json.dumps({"format": "lassokit-model", "format_version": 1,
                                 "features": FEATURES, "coef": [1.0, 0.0, 0.0, 0.0],
                                 "intercept": 0.5}))
    code, out, err = run(["predict", str(model), path], capsys)
    assert code == 0, err
    got = np.loadtxt(out.splitlines()[1:], delimiter=",")
    np.testing.assert_allclose(got, X[:, 0] + 0.5, rtol=1e-12)


def test_help_states_every_loss(capsys):
    code, out, _ = run(["--help"], capsys)
    assert code == 0
    for words in ("logistic", "poisson", "huber", "log(1 + exp(-y z))", "1/(C n_samples)"):
        assert words in out
    for command in ("fit", "path", "verify"):
        code, out, _ = run([command, "--help"], capsys)
        assert "--loss {squared,logistic,poisson,huber}" in out and "--delta" in out
