"""Compilation is announced, never silent and never counted as solve time.

On a cold numba cache the first solve compiles kernels for seconds: a line on
stderr says so, once per kernel family, naming what compiles and the cache
directory it goes to (numba compiles once per argument type and cache
directory, not once per install), and a warm cache prints nothing. A solve's
``solve_time`` leaves out importing numba and loading or compiling kernels,
which ``Solution.info`` reports as ``load_time`` and ``compile_time``; the
command line prints them apart. ``import lassokit`` imports neither numba nor
scikit-learn nor matplotlib, and a solve loads only the kernels it needs.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import types as pytypes
from pathlib import Path

import numpy as np
import pytest
from numba import njit, types

import lassokit as lk
from lassokit import _kernel_time, cli
from lassokit.cli import timing as cli_timing
from lassokit.backends import Backend
from lassokit.backends.registry import register_backend, unregister_backend
from lassokit.kernels import _compile_notice as notice

ROOT = Path(__file__).resolve().parents[1]
NOTICE = "lassokit: compiling "
DENSE64 = f"{NOTICE}coordinate-descent kernels for float64 dense X (numba; once per argument type"

# A first Lasso fit on 100 x 1,000 (single solves of its kind use the Gram
# solver), then what the solution and this process say about it.
FIRST_FIT = """
import json, sys, time
import numpy as np
import lassokit as lk
from lassokit.kernels import _compile_notice
rng = np.random.default_rng(0)
X = rng.standard_normal((100, 1000))
y = X[:, 0] - 2.0 * X[:, 3] + 0.1 * rng.standard_normal(100)
t0 = time.perf_counter()
sol = lk.lasso(X, y, 0.05).solve("cd")
wall = time.perf_counter() - t0
assert sol.converged
print(json.dumps(dict(compiled=_compile_notice.compile_seconds(), wall=wall,
                      solve_time=sol.solve_time, load_time=sol.info["load_time"],
                      compile_time=sol.info["compile_time"],
                      kernels=sorted(m for m in sys.modules if m.startswith("lassokit.kernels")))))
"""


def _fresh(code, cache_dir=None, cwd=None):
    """Run ``code`` in a fresh interpreter (``cache_dir``: its NUMBA_CACHE_DIR)."""
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    env = dict(os.environ, PYTHONPATH=path)
    env.pop("NUMBA_DISABLE_JIT", None)
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = str(cache_dir)
    proc = subprocess.run([sys.executable, "-c", code], cwd=cwd or ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return proc


def _first_fit(cache_dir):
    proc = _fresh(FIRST_FIT, cache_dir, cwd=cache_dir)
    return proc, json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_cold_cache_is_announced_once_and_a_warm_one_not_at_all(tmp_path):
    # One cold compile (an empty cache directory), then the same run again.
    cold, cold_fit = _first_fit(tmp_path)
    notes = [line for line in cold.stderr.splitlines() if line.startswith(NOTICE)]
    assert any(line.startswith(DENSE64) for line in notes), cold.stderr
    assert len(notes) == len(set(notes)), "a family was announced twice"
    # It says where the compiled code goes: the NUMBA_CACHE_DIR given.
    assert all(f"cached in {tmp_path}" in line for line in notes), notes
    assert cold_fit["compiled"] > 0.0
    warm, warm_fit = _first_fit(tmp_path)
    assert NOTICE not in warm.stderr, warm.stderr
    assert warm_fit["compiled"] == 0.0
    # The solution reports compiling (cold) or only loading (warm) apart
    # from its solve_time; the three parts fit inside the call.
    assert cold_fit["compile_time"] > 0.0
    assert warm_fit["compile_time"] == 0.0 and warm_fit["load_time"] > 0.0
    for fit in (cold_fit, warm_fit):
        parts = fit["solve_time"] + fit["load_time"] + fit["compile_time"]
        assert 0.0 <= fit["solve_time"] and parts <= fit["wall"] + 1e-3, fit
    # A dense single solve loads the dense and Gram kernels, never the
    # sparse, path or ADMM ones.
    for fit in (cold_fit, warm_fit):
        assert "lassokit.kernels.cd_dense" in fit["kernels"]
        for other in ("cd_sparse", "cd_gram_path", "cd_dense_path", "admm"):
            assert f"lassokit.kernels.{other}" not in fit["kernels"], fit["kernels"]


def test_import_lassokit_loads_no_numba_sklearn_or_matplotlib():
    code = ("import sys, lassokit; "
            "print(sorted(m for m in ('numba', 'sklearn', 'matplotlib', 'lassokit.kernels') "
            "if m in sys.modules))")
    assert _fresh(code).stdout.strip() == "[]"


def test_from_lassokit_import_lasso_loads_no_numba_until_a_fit():
    # The estimators need scikit-learn; numba, the kernels and the
    # cross-validation machinery wait for a fit that needs them.
    code = ("import sys; from lassokit import Lasso; "
            "print(sorted(m for m in ('numba', 'matplotlib', 'lassokit.kernels', "
            "'lassokit.estimators.cv', 'sklearn.model_selection') if m in sys.modules)); "
            "import numpy as np; X = np.random.default_rng(0).standard_normal((20, 3)); "
            "Lasso(alpha=0.1).fit(X, X[:, 0]); print('numba' in sys.modules)")
    assert _fresh(code).stdout.split("\n")[:2] == ["[]", "True"]


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
    assert lines == [notice.notice_line("coordinate-descent kernels for float64 dense X"),
                     notice.notice_line("ADMM kernels")]
    assert lines[0].startswith(DENSE64)
    # Honest about "once": per argument type and cache directory, and where that is.
    assert notice.notice_line("ADMM kernels", "/c") == \
        f"{NOTICE}ADMM kernels (numba; once per argument type, cached in /c)..."
    assert "once per install" not in lines[1]


def test_the_cache_directory_is_named():
    from lassokit.kernels import cd_dense

    assert notice.cache_location(cd_dense.residual) == cd_dense.residual._cache.cache_path
    assert notice.cache_location(None) == "numba's cache directory"


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


def _solution(**info):
    return pytypes.SimpleNamespace(solve_time=0.00123, info=info)


def test_fit_prints_loading_and_compiling_apart_from_the_solve_time():
    took = cli_timing.solve_took
    assert took(_solution()) == "0.00123 s"
    assert took(_solution(load_time=0.41, compile_time=0.0)) == \
        "0.00123 s (plus 0.41 s loading numba kernels)"
    assert took(_solution(load_time=0.3, compile_time=2.5)) == \
        ("0.00123 s (plus 2.5 s compiling numba kernels, once per argument type, "
         "and 0.3 s loading them)")
    # A backend without kernel figures: the compile seconds seen around the call.
    assert took(_solution(), compiled=1.5) == \
        "0.00123 s (plus 1.5 s compiling numba kernels, once per argument type)"


def test_fit_prints_the_solutions_own_figures(small_csv, monkeypatch, capsys):
    real_solve = lk.Problem.solve

    def solve(self, *args, **kw):
        sol = real_solve(self, *args, **kw)
        sol.info.update(load_time=0.25, compile_time=3.5)
        return sol

    monkeypatch.setattr(lk.Problem, "solve", solve)
    assert cli.main(["fit", small_csv, "-t", "y", "-a", "0.05"]) == 0
    out = capsys.readouterr().out
    assert ("s (plus 3.5 s compiling numba kernels, once per argument type, and 0.25 s "
            "loading them)") in out


# -- solve_time leaves kernel loading and compiling out ----------------


class _Reporting(Backend):
    """Reports kernel seconds it never spent: the problem layer must subtract them."""

    name = "reporting-test"
    seconds = 0.0

    def supports(self, problem):
        return True

    def solve(self, problem, *, tol, max_iter, warm_start, **options):
        return {"coef": np.zeros(problem.n_features), "n_iter": 1,
                "info": {"load_time": self.seconds, "compile_time": 0.0}}


@pytest.fixture
def reporting():
    backend = register_backend(_Reporting)
    yield backend
    unregister_backend(_Reporting.name)


def test_solve_time_subtracts_what_the_backend_reports(reporting):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 3))
    prob = lk.lasso(X, X[:, 0], 100.0)
    reporting.seconds = 1e6  # more than the call took: solve_time stays >= 0
    sol = prob.solve(reporting.name)
    assert sol.solve_time == 0.0 and sol.info["load_time"] == 1e6
    reporting.seconds = 0.0
    assert prob.solve(reporting.name).solve_time > 0.0


@pytest.mark.parametrize("backend", ["cd", "admm"])
def test_numba_backends_report_load_and_compile_time(backend):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((30, 8))
    sol = lk.lasso(X, X[:, 1] + 0.1 * rng.standard_normal(30), 0.05).solve(backend)
    assert sol.info["load_time"] >= 0.0 and sol.info["compile_time"] >= 0.0


def test_kernel_time_accounting():
    # Nested spans count once; compile spans are a part of kernel spans.
    with _kernel_time.measure() as kt:
        _kernel_time.enter()
        _kernel_time.enter()
        _kernel_time.enter("compile")
        _kernel_time.leave("compile")
        _kernel_time.leave()
        _kernel_time.leave()
        _kernel_time.leave()  # unbalanced: ignored
    assert kt.compile_time >= 0.0 and kt.load_time >= 0.0
    assert set(kt.info()) == {"load_time", "compile_time"}
    with _kernel_time.measure() as idle:
        pass
    assert idle.info() == {"load_time": 0.0, "compile_time": 0.0}
    dense = "lassokit.kernels.cd_dense"
    assert _kernel_time.load(dense) is sys.modules[dense]
    assert _kernel_time.seconds_in({"info": {"load_time": 0.5, "compile_time": 2.0}}) == 2.5
    assert _kernel_time.seconds_in({"info": {"load_time": "x", "compile_time": -1.0}}) == 0.0
    assert _kernel_time.seconds_in(pytypes.SimpleNamespace(info=None)) == 0.0
    assert _kernel_time.seconds_in(None) == 0.0


def test_kernel_time_is_per_thread():
    import threading

    seen = {}

    def other():
        with _kernel_time.measure() as kt:
            pass
        seen["other"] = kt.info()

    _kernel_time.enter()
    try:
        t = threading.Thread(target=other)
        t.start()
        t.join()
    finally:
        _kernel_time.leave()
    # The span open in this thread is not the other thread's loading.
    assert seen["other"] == {"load_time": 0.0, "compile_time": 0.0}


def test_path_solve_time_leaves_out_kernel_loading(monkeypatch):
    # A path's solve_time excluded nothing: the first path in a process
    # reported the kernels' loading as solving time.
    import time

    from lassokit.backends.registry import get_backend

    be = get_backend("cd")
    original = be.open_path

    def slow_open(*args, **kwargs):
        _kernel_time.enter()  # stands for loading kernels from numba's cache
        time.sleep(0.3)
        _kernel_time.leave()
        return original(*args, **kwargs)

    monkeypatch.setattr(be, "open_path", slow_open)
    rng = np.random.default_rng(2)
    X = rng.standard_normal((30, 6))
    start = time.perf_counter()
    path = lk.path(lk.lasso(X, X[:, 0] + 0.1 * rng.standard_normal(30), 1.0), n_alphas=4)
    wall = time.perf_counter() - start
    assert wall >= 0.3 and 0.0 <= path.solve_time < wall - 0.25
