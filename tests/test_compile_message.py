"""Compilation is announced, never silent and never counted as solve time.

On a cold numba cache the first solve compiles kernels for seconds: a line on
stderr says so, once per kernel family, and a warm cache prints nothing. The
command line's ``verify``/``demo`` tables time solves after an untimed one,
and ``fit`` says which part of its time was compiling.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numba import njit, types

import lassokit as lk
from lassokit import _cli_fit, cli
from lassokit.kernels import _compile_notice as notice

ROOT = Path(__file__).resolve().parents[1]
NOTICE = "lassokit: compiling "
DENSE64 = (f"{NOTICE}coordinate-descent kernels for float64 dense X "
           "(numba, once per install)...")

# A first Lasso fit, then how long this process spent compiling lassokit's kernels.
FIRST_FIT = """
import numpy as np
import lassokit as lk
from lassokit.kernels import _compile_notice
rng = np.random.default_rng(0)
X = rng.standard_normal((40, 6))
y = X[:, 0] - 2.0 * X[:, 3] + 0.1 * rng.standard_normal(40)
assert lk.lasso(X, y, 0.05).solve("cd").converged
print(_compile_notice.compile_seconds())
"""


def _first_fit(cache_dir):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache_dir),
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    env.pop("NUMBA_DISABLE_JIT", None)
    proc = subprocess.run([sys.executable, "-c", FIRST_FIT], cwd=cache_dir, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_a_cold_cache_is_announced_once_and_a_warm_one_not_at_all(tmp_path):
    # One cold compile (an empty cache directory), then the same run again.
    cold = _first_fit(tmp_path)
    notes = [line for line in cold.stderr.splitlines() if line.startswith(NOTICE)]
    assert DENSE64 in notes, cold.stderr
    assert len(notes) == len(set(notes)), "a family was announced twice"
    assert float(cold.stdout.split()[-1]) > 0.0
    warm = _first_fit(tmp_path)
    assert NOTICE not in warm.stderr, warm.stderr
    assert float(warm.stdout.split()[-1]) == 0.0


def test_a_compile_in_process_names_dtype_and_storage(monkeypatch, capsys):
    # A throwaway kernel that numba attributes to lassokit's dense module.
    monkeypatch.setattr(notice, "_announced", set())
    namespace = {"__name__": "lassokit.kernels.cd_dense"}
    exec("def probe(X):\n    return X.shape[0]\n", namespace)
    probe = njit(namespace["probe"])
    before = notice.compile_seconds()
    assert probe(np.zeros((3, 2), dtype=np.float32)) == 3
    assert probe(np.zeros((4, 2), dtype=np.float32)) == 4  # compiled already: silent
    err = capsys.readouterr().err
    assert err.count(NOTICE) == 1
    assert f"{NOTICE}coordinate-descent kernels for float32 dense X" in err
    assert notice.compile_seconds() > before


def test_families_and_the_once_rule(monkeypatch, capsys):
    f32 = types.Array(types.float32, 1, "C")
    f64 = types.Array(types.float64, 2, "F")
    assert notice.describe("lassokit.kernels.cd_sparse", (f32,)) == \
        "coordinate-descent kernels for float32 sparse X"
    assert notice.describe("lassokit.kernels.cd_dense", (f64,)) == \
        "coordinate-descent kernels for float64 dense X"
    assert notice.describe("lassokit.kernels.cd_gram", (f64,)) == "coordinate-descent kernels"
    assert notice.describe("lassokit.kernels.admm", ()) == "ADMM kernels"
    assert notice.describe("lassokit.kernels._common", ()) == \
        "the duality-gap certificate kernel"
    monkeypatch.setattr(notice, "_announced", set())
    for label in ("coordinate-descent kernels for float64 dense X",
                  "coordinate-descent kernels for float64 dense X",  # said already
                  "coordinate-descent kernels",  # implied by the line above
                  "ADMM kernels"):
        notice._announce(label)
    lines = capsys.readouterr().err.splitlines()
    assert lines == [DENSE64, f"{NOTICE}ADMM kernels (numba, once per install)..."]


# -- the command line keeps compile time out of solve times ----------


@pytest.fixture
def small_csv(tmp_path):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((50, 4))
    y = X @ np.array([1.0, 0.0, -2.0, 0.5]) + 0.1 * rng.standard_normal(50)
    path = tmp_path / "small.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["a", "b", "c", "d", "y"])
        w.writerows(np.column_stack([X, y]).tolist())
    return str(path)


def test_verify_runs_the_numba_backends_before_timing_them(small_csv, monkeypatch, capsys):
    events = []
    real_solve, real_verify = lk.Problem.solve, lk.verify

    def solve(self, backend="auto", **kw):
        events.append(("solve", backend))
        return real_solve(self, backend, **kw)

    def verify(*args, **kw):
        events.append(("verify",))
        return real_verify(*args, **kw)

    monkeypatch.setattr(lk.Problem, "solve", solve)
    monkeypatch.setattr(lk, "verify", verify)
    code = cli.main(["verify", small_csv, "-t", "y", "-a", "0.05", "--backends", "cd,admm"])
    assert code == 0, capsys.readouterr().err
    untimed = events[:events.index(("verify",))]
    assert {("solve", "cd"), ("solve", "admm")} <= set(untimed)


def test_fit_says_how_much_of_its_time_was_compiling(small_csv, monkeypatch, capsys):
    clock = iter([0.0, 2.5])  # compile seconds before and after the solve
    monkeypatch.setattr(_cli_fit, "compile_seconds", lambda: next(clock))
    assert cli.main(["fit", small_csv, "-t", "y", "-a", "0.05"]) == 0
    out = capsys.readouterr().out
    assert "(of which 2.5 s compiling numba kernels, once per install)" in out
