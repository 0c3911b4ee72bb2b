"""The ``lassokit`` command line: success paths judged against the Python API,
and failure paths that must end in one line on stderr with a non-zero exit."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import converged_ref

import lassokit as lk
from lassokit import cli

ROOT = Path(__file__).resolve().parents[1]
FEATURES = ["f0", "f1", "f2", "f3", "f4"]
# Coefficients from a file must match a direct solve to this (relative to max(1, |ref|)).
COEF_TOL = 1e-5


def _data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, len(FEATURES))) + 0.5
    y = X @ np.array([2.0, -1.5, 0.0, 0.0, 0.7]) + 3.0 + 0.2 * rng.standard_normal(n)
    return X, y


def _write_csv(path, X, y, sep=","):
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh, delimiter=sep)
        w.writerow(FEATURES + ["target"])
        for row, t in zip(X, y):
            w.writerow([repr(float(v)) for v in row] + [repr(float(t))])
    return str(path)


@pytest.fixture
def data_csv(tmp_path):
    X, y = _data()
    return _write_csv(tmp_path / "data.csv", X, y), X, y


def run(argv, capsys):
    """Run the CLI in-process; return (exit status, stdout, stderr).

    The once-per-install compile notice (tests/test_compile_message.py) is
    left out of stderr: whether it shows depends on numba's cache, not on
    the command line.
    """
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    err = "".join(line for line in err.splitlines(keepends=True)
                  if not line.startswith("lassokit: compiling "))
    return code, out, err


def assert_one_line_error(code, err, command):
    """A usage error of ``lassokit COMMAND`` in one line on stderr; returns that line."""
    assert code == cli.EXIT_USAGE, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"lassokit {command}: error:"), err
    assert "Traceback" not in err
    return lines[0]


def assert_close(coef, ref):
    ref = np.asarray(ref, dtype=float)
    scale = max(1.0, float(np.max(np.abs(ref))))
    assert np.max(np.abs(np.asarray(coef) - ref)) <= COEF_TOL * scale


# -- help and version ----------


def test_help_lists_every_command(capsys):
    code, out, _ = run(["--help"], capsys)
    assert code == 0
    for command in ("demo", "fit", "predict", "path", "verify", "bench"):
        assert command in out
    assert "1/(2n)" in out  # the objective is stated


@pytest.mark.parametrize("command", ["demo", "fit", "predict", "path", "verify", "bench"])
def test_command_help(command, capsys):
    code, out, _ = run([command, "--help"], capsys)
    assert code == 0
    assert out.startswith(f"usage: lassokit {command}")


def test_version_and_bare_command(capsys):
    code, out, _ = run(["--version"], capsys)
    assert code == 0 and out.strip() == f"lassokit {lk.__version__}"
    code, out, _ = run([], capsys)
    assert code == 0 and "usage: lassokit" in out


def test_python_dash_m_entry_point(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    ok = subprocess.run([sys.executable, "-m", "lassokit", "--version"], cwd=tmp_path, env=env,
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and ok.stdout.strip() == f"lassokit {lk.__version__}"
    bad = subprocess.run([sys.executable, "-m", "lassokit", "fit", "missing.csv", "--target",
                          "y", "--alpha", "1"], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=120)
    assert bad.returncode == cli.EXIT_USAGE
    assert bad.stderr.strip() == "lassokit fit: error: file not found: missing.csv"
    assert bad.stdout == ""


def test_console_script(tmp_path):
    # Present when lassokit is installed (as in CI), absent in a bare checkout.
    import shutil

    exe = shutil.which("lassokit")
    if exe is None:
        pytest.skip("the lassokit console script is not installed")
    ok = subprocess.run([exe, "--help"], cwd=tmp_path, capture_output=True, text=True,
                        timeout=120)
    assert ok.returncode == 0 and "usage: lassokit" in ok.stdout


# -- fit / predict ----------


@pytest.mark.parametrize("model, extra, make", [
    ("lasso", [], lambda X, y: lk.lasso(X, y, 0.05)),
    ("enet", ["--l1-ratio", "0.3"], lambda X, y: lk.elastic_net(X, y, 0.05, l1_ratio=0.3)),
    # The command line's ridge alpha is scikit-learn's Ridge alpha: a2 = alpha / n.
    ("ridge", [], lambda X, y: lk.ridge(X, y, 0.05 / len(y))),
])
def test_fit_writes_the_model_the_api_gives(model, extra, make, data_csv, tmp_path, capsys):
    path, X, y = data_csv
    out_json = tmp_path / "model.json"
    code, out, err = run(["fit", path, "--target", "target", "--model", model,
                          "--alpha", "0.05", "--tol", "1e-10", "-o", str(out_json), *extra],
                         capsys)
    assert code == 0, err
    ref = converged_ref(make(X, y).solve("cvxpy", tol=1e-10))
    saved = json.loads(out_json.read_text())
    assert saved["features"] == FEATURES and saved["target"] == "target"
    assert_close(saved["coef"], ref.coef)
    assert abs(saved["intercept"] - ref.intercept) <= COEF_TOL * max(1.0, abs(ref.intercept))
    assert saved["certificate"]["converged"] is True
    assert saved["certificate"]["rel_gap"] <= 1e-10
    # The printed table names every feature and states the certificate.
    for name in FEATURES + ["(intercept)", "certificate:", "optimal"]:
        assert name in out


def test_fit_options_reach_the_problem(data_csv, tmp_path, capsys):
    path, X, y = data_csv
    out_json = tmp_path / "m.json"
    code, _, err = run(["fit", path, "-t", "target", "-a", "0.1", "--positive", "--no-intercept",
                        "--features", "f1,f0,f4", "--tol", "1e-10", "-o", str(out_json)],
                       capsys)
    assert code == 0, err
    saved = json.loads(out_json.read_text())
    assert saved["features"] == ["f1", "f0", "f4"]
    cols = [FEATURES.index(f) for f in saved["features"]]
    ref = converged_ref(lk.lasso(X[:, cols], y, 0.1, positive=True, fit_intercept=False)
                        .solve("cvxpy", tol=1e-10))
    assert_close(saved["coef"], ref.coef)
    assert saved["intercept"] == 0.0 and min(saved["coef"]) >= 0.0


def test_fit_cv_chooses_the_estimators_alpha(data_csv, tmp_path, capsys):
    path, X, y = data_csv
    out_json = tmp_path / "cv.json"
    code, out, err = run(["fit", path, "-t", "target", "--cv", "3", "-o", str(out_json)], capsys)
    assert code == 0, err
    est = lk.LassoCV(cv=3).fit(X, y)
    saved = json.loads(out_json.read_text())
    assert saved["alpha"] == pytest.approx(est.alpha_, rel=1e-12)
    assert saved["training"]["cv"] == 3
    # The cross-validation states its own time; the refit at the chosen alpha
    # starts from zero, so its iterations are its own work (not a warm start's 0).
    assert re.search(r"cross-validation: 3 folds, 100 alphas, [0-9.e+-]+ s", out), out
    line = next(ln for ln in out.splitlines() if ln.startswith("certificate:"))
    assert int(re.search(r"backend \w+, (\d+) iterations?,", line).group(1)) >= 1, line


def test_fit_cv_enet_chooses_among_l1_ratios(data_csv, tmp_path, capsys):
    path, X, y = data_csv
    out_json = tmp_path / "cv.json"
    code, _, err = run(["fit", path, "-t", "target", "-m", "enet", "--cv", "3",
                        "--l1-ratio", "0.2,0.9", "-o", str(out_json)], capsys)
    assert code == 0, err
    est = lk.ElasticNetCV(l1_ratio=[0.2, 0.9], cv=3).fit(X, y)
    saved = json.loads(out_json.read_text())
    assert saved["l1_ratio"] == est.l1_ratio_
    assert saved["alpha"] == pytest.approx(est.alpha_, rel=1e-12)


def test_predict_reads_the_model_back(data_csv, tmp_path, capsys):
    path, X, y = data_csv
    model = tmp_path / "model.json"
    assert run(["fit", path, "-t", "target", "-a", "0.05", "-o", str(model)], capsys)[0] == 0
    saved = json.loads(model.read_text())
    expected = X @ np.array(saved["coef"]) + saved["intercept"]

    preds = tmp_path / "preds.csv"
    code, out, err = run(["predict", str(model), path, "-o", str(preds)], capsys)
    assert code == 0, err
    lines = preds.read_text().splitlines()
    assert lines[0] == "prediction"
    np.testing.assert_allclose([float(v) for v in lines[1:]], expected, rtol=1e-12)
    assert "mean squared error" in out  # the target column was present

    code, out, _ = run(["predict", str(model), path], capsys)  # to stdout
    assert code == 0
    got = np.loadtxt(io.StringIO(out), skiprows=1)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_predict_uses_columns_by_name(data_csv, tmp_path, capsys):
    path, X, y = data_csv
    model = tmp_path / "model.json"
    assert run(["fit", path, "-t", "target", "-a", "0.05", "-o", str(model)], capsys)[0] == 0
    saved = json.loads(model.read_text())
    # Same data, columns shuffled and target dropped: same predictions.
    shuffled = tmp_path / "shuffled.csv"
    order = [4, 2, 0, 3, 1]
    with open(shuffled, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([FEATURES[j] for j in order])
        w.writerows(X[:, order].tolist())
    code, out, _ = run(["predict", str(model), str(shuffled)], capsys)
    assert code == 0
    got = np.loadtxt(io.StringIO(out), skiprows=1)
    np.testing.assert_allclose(got, X @ np.array(saved["coef"]) + saved["intercept"], rtol=1e-12)


def test_tsv_and_reader_without_pandas_agree(tmp_path, capsys, monkeypatch):
    X, y = _data()
    tsv = _write_csv(tmp_path / "data.tsv", X, y, sep="\t")
    results = []
    for block_pandas in (False, True):
        if block_pandas:
            monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas -> ImportError
        out_json = tmp_path / f"m{block_pandas}.json"
        code, _, err = run(["fit", tsv, "-t", "target", "-a", "0.05", "-o", str(out_json)],
                           capsys)
        assert code == 0, err
        results.append(json.loads(out_json.read_text()))
    assert results[0]["features"] == results[1]["features"] == FEATURES
    assert_close(results[1]["coef"], results[0]["coef"])


def test_parquet(tmp_path, capsys):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    X, y = _data()
    frame = pd.DataFrame(X, columns=FEATURES).assign(target=y)
    pq = tmp_path / "data.parquet"
    frame.to_parquet(pq)
    out_json = tmp_path / "m.json"
    code, _, err = run(["fit", str(pq), "-t", "target", "-a", "0.05", "--tol", "1e-10",
                        "-o", str(out_json)], capsys)
    assert code == 0, err
    ref = converged_ref(lk.lasso(X, y, 0.05).solve("cvxpy", tol=1e-10))
    assert_close(json.loads(out_json.read_text())["coef"], ref.coef)


def test_dropna_drops_incomplete_rows(tmp_path, capsys):
    X, y = _data()
    path = tmp_path / "gaps.csv"
    _write_csv(path, X, y)
    lines = path.read_text().splitlines()
    cells = lines[3].split(",")
    cells[1] = ""  # a gap in row 2 (0-based data row)
    lines[3] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    code, _, err = run(["fit", str(path), "-t", "target", "-a", "0.05"], capsys)
    assert_one_line_error(code, err, "fit")
    assert "--dropna" in err
    out_json = tmp_path / "m.json"
    code, _, err = run(["fit", str(path), "-t", "target", "-a", "0.05", "--dropna",
                        "--tol", "1e-10", "-o", str(out_json)], capsys)
    assert code == 0, err
    assert f"lassokit fit: --dropna dropped 1 of {len(y)} rows (missing values)" in err
    keep = np.arange(len(y)) != 2
    ref = converged_ref(lk.lasso(X[keep], y[keep], 0.05).solve("cvxpy", tol=1e-10))
    saved = json.loads(out_json.read_text())
    assert saved["training"]["n_samples"] == len(y) - 1
    assert_close(saved["coef"], ref.coef)


# -- path, verify, bench, demo ----------


def test_path_writes_csv_and_plot(data_csv, tmp_path, capsys):
    path, X, y = data_csv
    out_csv, png = tmp_path / "path.csv", tmp_path / "path.png"
    code, out, err = run(["path", path, "-t", "target", "--n-alphas", "12", "--tol", "1e-9",
                          "-o", str(out_csv), "--plot", str(png)], capsys)
    assert code == 0, err
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rows = list(csv.reader(out_csv.open()))
    assert rows[0] == ["alpha", "intercept", "dual_gap"] + FEATURES
    table = np.array(rows[1:], dtype=float)
    assert table.shape == (12, 3 + len(FEATURES))
    alphas = table[:, 0]
    problem = lk.lasso(X, y, 1.0)
    assert alphas[0] == pytest.approx(problem.alpha_max(), rel=1e-10)
    assert np.all(np.diff(alphas) < 0)
    assert np.all(table[0, 3:] == 0)  # nothing enters at alpha_max
    # Every point of the path is certified by the problem layer itself.
    for k in (3, 11):
        at = lk.lasso(X, y, alphas[k])
        gap = at.dual_gap(table[k, 3:])
        p0 = at.objective(np.zeros(len(FEATURES)), float(np.mean(y)))
        assert gap <= 1e-9 * p0 * (1 + 1e-6)
    assert "largest relative duality gap" in out


def test_path_explicit_alphas_for_ridge(data_csv, tmp_path, capsys):
    path, X, y = data_csv
    out_csv = tmp_path / "ridge.csv"
    code, _, err = run(["path", path, "-t", "target", "-m", "ridge", "--alphas", "0.01,1,0.1",
                        "-o", str(out_csv)], capsys)
    assert code == 0, err
    table = np.array(list(csv.reader(out_csv.open()))[1:], dtype=float)
    np.testing.assert_allclose(table[:, 0], [1.0, 0.1, 0.01])  # in the scale given
    ref = converged_ref(lk.ridge(X, y, 0.1 / len(y)).solve("direct"))
    assert_close(table[1, 3:], ref.coef)


def test_ridge_alpha_is_scikit_learns(data_csv, tmp_path, capsys):
    # The same words give the same model: --alpha A is Ridge(alpha=A).
    from sklearn.linear_model import Ridge

    path, X, y = data_csv
    out_json = tmp_path / "ridge.json"
    code, out, err = run(["fit", path, "-t", "target", "-m", "ridge", "-a", "3", "--tol",
                          "1e-12", "-o", str(out_json)], capsys)
    assert code == 0, err
    saved = json.loads(out_json.read_text())
    assert_close(saved["coef"], Ridge(alpha=3.0).fit(X, y).coef_)
    assert saved["alpha"] == 3.0
    assert saved["penalty"] == {"l1": 0.0, "l2": pytest.approx(3.0 / len(y), rel=1e-15)}
    assert "scikit-learn's Ridge scale" in out and "a2 = alpha / n_samples" in out
    # One iteration of the closed form is "1 iteration".
    assert ", 1 iteration," in out and "1 iterations" not in out


def test_verify_ok_and_json(data_csv, tmp_path, capsys):
    path, _, _ = data_csv
    code, out, err = run(["verify", path, "-t", "target", "-a", "0.05", "--json", "-"], capsys)
    assert code == 0, err
    report = json.loads(out)  # stdout is the JSON alone ...
    assert "cvxpy (ref)" in err  # ... and the table went to stderr
    assert report["ok"] is True and report["reference"]["backend"] == "cvxpy"
    assert {r["backend"] for r in report["backends"]} >= {"cd"}


class _WrongBackend(lk.Backend):
    """Returns a fixed, wrong answer: verify must flag it."""

    name = "test-cli-wrong"

    def solve(self, problem, *, tol, max_iter, warm_start):
        return lk.BackendResult(coef=np.ones(problem.n_features), n_iter=1)


def test_verify_exit_status_when_a_backend_is_wrong(data_csv, capsys):
    from lassokit.backends.registry import unregister_backend

    path, _, _ = data_csv
    lk.register_backend(_WrongBackend)
    try:
        code, out, err = run(["verify", path, "-t", "target", "-a", "0.05",
                              "--backends", "test-cli-wrong"], capsys)
    finally:
        unregister_backend("test-cli-wrong")
    assert code == cli.EXIT_CHECK_FAILED
    assert "test-cli-wrong" in out and "not ok" in err
    assert "Traceback" not in err


def test_bench_tiny_json(tmp_path, capsys):
    out_json = tmp_path / "bench.json"
    code, out, err = run(["bench", "--size", "tiny", "--repeat", "1", "--solvers", "cd,sklearn",
                          "--problems", "lasso-dense,ridge-dense", "--json", str(out_json)],
                         capsys)
    assert code == 0, err
    assert err == ""  # no progress when not on a terminal
    results = json.loads(out_json.read_text())["results"]
    got = {(r["problem"], r["solver"]) for r in results}
    assert got == {("lasso-dense", "lassokit:cd"), ("lasso-dense", "sklearn"),
                   ("ridge-dense", "lassokit:cd"), ("ridge-dense", "sklearn")}
    for r in results:
        # The re-scored gap of lassokit's answers meets the target tol.
        if r["solver"].startswith("lassokit:"):
            assert r["reached_tol"] and r["rel_gap"] <= 1e-6
        assert r["rel_subopt"] >= 0.0
    assert "lasso-dense" in out and "ridge-dense" in out


def test_demo(tmp_path, capsys):
    png = tmp_path / "demo.png"
    code, out, err = run(["demo", "--plot", str(png)], capsys)
    assert code == 0, out + err
    for title in ("Lasso", "Elastic Net", "Ridge", "cvxpy (ref)", "bmi", "(intercept)"):
        assert title in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "every backend agrees with the CVXPY reference (tol=1e-06): yes" in out
