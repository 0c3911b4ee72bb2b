"""No listing or table presents a CPU run as a GPU one.

Without a CUDA device the ``"gpu"`` backend runs its numpy code on the CPU:
``available_backends()``, ``verify()``'s default, the demo's backend line and
the command line's backend lists leave it out, asking for it by name still
works, and a ``verify`` row of such a run is marked. The CUDA probe is
replaced by a stand-in, so these tests give the same answer on any machine.
"""

from __future__ import annotations

import numpy as np
import pytest

import lassokit as lk
from lassokit.backends import gpu
from lassokit.backends.registry import capable_backends, get_backend


@pytest.fixture
def no_cuda(monkeypatch):
    monkeypatch.setattr(gpu, "cuda_device_count", lambda: 0)


@pytest.fixture
def one_cuda_device(monkeypatch):
    monkeypatch.setattr(gpu, "cuda_device_count", lambda: 1)


def _problem():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 6))
    y = X @ np.array([1.0, -2.0, 0.0, 0.0, 0.5, 0.0]) + 0.1 * rng.standard_normal(40)
    return lk.lasso(X, y, 0.05)


def test_without_cuda_gpu_is_not_listed_as_available(no_cuda):
    assert "gpu" not in lk.available_backends()
    assert "gpu" in lk.available_backends(emulated=True)
    assert "cd" in lk.available_backends()
    assert "gpu" not in capable_backends(_problem())
    assert "gpu" in capable_backends(_problem(), emulated=True)
    assert "CPU" in get_backend("gpu").emulated()


def test_with_a_cuda_device_gpu_is_listed(one_cuda_device):
    assert get_backend("gpu").emulated() is None
    assert "gpu" in lk.available_backends()
    assert lk.available_backends() == lk.available_backends(emulated=True)


def test_gpu_by_name_still_runs_on_the_cpu_and_says_so(no_cuda):
    sol = _problem().solve("gpu", tol=1e-8)
    assert sol.converged and sol.backend == "gpu"
    assert sol.info["device"] == "cpu"


def test_verify_default_has_no_emulated_row(no_cuda):
    report = lk.verify(_problem())
    names = [row["backend"] for row in report.backends]
    assert "gpu" not in names and "cd" in names
    assert all(row["emulated"] is None for row in report.backends)
    assert "*" not in str(report) and "emulated" not in str(report)


def test_verify_marks_an_emulated_row(no_cuda):
    report = lk.verify(_problem(), ["cd", "gpu"])
    rows = {row["backend"]: row for row in report.backends}
    assert rows["cd"]["emulated"] is None
    assert "CPU" in rows["gpu"]["emulated"]
    text = str(report)
    lines = text.splitlines()
    assert any(line.startswith("gpu* ") for line in lines), text
    assert not any(line.startswith("gpu ") for line in lines), text
    assert "* gpu: emulated (no CUDA device: runs on the CPU through numpy)" in text
    assert report.to_dict()["backends"][1]["emulated"] == rows["gpu"]["emulated"]


def test_the_demo_line_names_what_it_left_out(no_cuda):
    from lassokit.cli.demo import backends_line

    line = backends_line()
    listed, _, rest = line.partition("; left out: ")
    assert "gpu" not in listed
    assert rest == "gpu (no CUDA device: runs on the CPU through numpy)"


def test_the_demo_line_with_a_cuda_device(one_cuda_device):
    from lassokit.cli.demo import backends_line

    line = backends_line()
    assert "left out" not in line and line.endswith(", gpu")


def test_cli_help_lists_no_emulated_backend(no_cuda, capsys):
    from lassokit import cli

    assert cli.main(["fit", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    listed = out.split("available: ", 1)[1].split(")", 1)[0]
    assert "cd" in listed and "gpu" not in listed


def test_bench_has_no_emulated_row_and_says_why(no_cuda, capsys):
    from lassokit import cli
    from lassokit.cli.bench import solvers

    labels = [label for label, _ in solvers(None)]
    assert "lassokit:cd" in labels and "lassokit:gpu" not in labels
    assert cli.main(["bench", "--size", "tiny", "--solvers", "gpu"]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert "'gpu' is left out here: no CUDA device" in err
