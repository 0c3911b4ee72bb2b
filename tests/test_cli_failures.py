"""The ``lassokit`` command line when things go wrong: one line on stderr and a
non-zero exit, never a traceback; progress only where it is asked for; missing
extras named."""

from __future__ import annotations

import importlib
import io
import json
import runpy
import sys

import pytest
from test_cli import ROOT, _data, _write_csv, assert_one_line_error, run

from lassokit import cli
from lassokit.cli.progress import Progress, progress_enabled


@pytest.fixture
def data_csv(tmp_path):
    X, y = _data()
    return _write_csv(tmp_path / "data.csv", X, y), X, y


# -- failures: one line on stderr, non-zero exit, no traceback ----------


@pytest.fixture
def bad_files(tmp_path):
    files = {}
    X, y = _data(10)
    files["good"] = _write_csv(tmp_path / "good.csv", X, y)
    (tmp_path / "text.csv").write_text("f0,city,target\n1,paris,2\n2,rome,3\n")
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "header.csv").write_text("f0,target\n")
    (tmp_path / "ragged.csv").write_text("f0,target\n1,2\n3,4,5\n")
    (tmp_path / "inf.csv").write_text("f0,target\n1,2\ninf,3\n")
    (tmp_path / "data.xlsx").write_text("not really")
    (tmp_path / "only_target.csv").write_text("target\n1\n2\n")
    for key in ("text", "empty", "header", "ragged", "inf", "only_target"):
        files[key] = str(tmp_path / f"{key}.csv")
    files["xlsx"] = str(tmp_path / "data.xlsx")
    files["dir"] = str(tmp_path)
    files["missing"] = str(tmp_path / "nope.csv")
    model = {"format": "lassokit-model", "format_version": 1, "features": ["f0", "f1"],
             "coef": [1.0], "intercept": 0.0}
    (tmp_path / "damaged.json").write_text(json.dumps(model))
    (tmp_path / "notjson.json").write_text("{not json")
    (tmp_path / "other.json").write_text(json.dumps({"hello": 1}))
    model.update(coef=[1.0, 2.0], features=["f0", "zz"])
    (tmp_path / "needs_zz.json").write_text(json.dumps(model))
    for key in ("damaged", "notjson", "other", "needs_zz"):
        files[key] = str(tmp_path / f"{key}.json")
    return files


FAILURES = [
    # (argv with {placeholders}, command, words expected in the message)
    (["fit", "{missing}", "-t", "target", "-a", "1"], "fit", "file not found"),
    (["fit", "{dir}", "-t", "target", "-a", "1"], "fit", "directory"),
    (["fit", "{xlsx}", "-t", "target", "-a", "1"], "fit", ".parquet"),
    (["fit", "{good}", "-t", "price", "-a", "1"], "fit", "'price' not found"),
    (["fit", "{good}", "-t", "target", "--features", "f0,zz", "-a", "1"], "fit", "'zz'"),
    (["fit", "{good}", "-t", "target", "--features", "f0,target", "-a", "1"], "fit", "target"),
    (["fit", "{good}", "-t", "target", "--features", "f0,f0", "-a", "1"], "fit", "twice"),
    (["fit", "{text}", "-t", "target", "-a", "1"], "fit", "non-numeric column(s)"),
    (["fit", "{empty}", "-t", "target", "-a", "1"], "fit", "empty"),
    (["fit", "{header}", "-t", "target", "-a", "1"], "fit", "no data rows"),
    (["fit", "{ragged}", "-t", "target", "-a", "1"], "fit", "cannot read"),
    (["fit", "{inf}", "-t", "target", "-a", "1"], "fit", "infinite"),
    (["fit", "{only_target}", "-t", "target", "-a", "1"], "fit", "no column besides"),
    (["fit", "{good}", "-t", "target", "-a", "-1"], "fit", "must be >= 0"),
    (["fit", "{good}", "-t", "target", "-a", "abc"], "fit", "expected a number"),
    (["fit", "{good}", "-t", "target", "-a", "nan"], "fit", "finite"),
    (["fit", "{good}", "-t", "target"], "fit", "--alpha"),
    (["fit", "{good}", "-t", "target", "-a", "1", "--cv", "3"], "fit", "not allowed"),
    (["fit", "{good}", "-t", "target", "--cv", "1"], "fit", ">= 2"),
    (["fit", "{good}", "-t", "target", "-m", "ridge", "--cv", "3"], "fit", "ridge"),
    (["fit", "{good}", "-t", "target", "-a", "1", "--l1-ratio", "0.5"], "fit", "enet only"),
    (["fit", "{good}", "-t", "target", "-m", "enet", "-a", "1", "--l1-ratio", "1.5"], "fit",
     "<= 1"),
    (["fit", "{good}", "-t", "target", "-m", "enet", "-a", "1", "--l1-ratio", "0.2,0.5"], "fit",
     "one value"),
    (["fit", "{good}", "-t", "target", "-a", "1", "--tol", "0"], "fit", "> 0"),
    (["fit", "{good}", "-t", "target", "-a", "1", "-b", "nosuch"], "fit", "unknown backend"),
    (["fit", "{good}", "-t", "target", "-a", "1", "-m", "lars"], "fit", "invalid choice"),
    (["fit", "{good}", "-a", "1"], "fit", "--target"),
    (["fit", "{good}", "-t", "target", "-a", "1", "-o", "{dir}/no/such/dir/m.json"], "fit",
     "no directory"),
    (["predict", "{notjson}", "{good}"], "predict", "invalid JSON"),
    (["predict", "{other}", "{good}"], "predict", "not a lassokit model"),
    (["predict", "{damaged}", "{good}"], "predict", "damaged"),
    (["predict", "{needs_zz}", "{good}"], "predict", "'zz' not found"),
    (["predict", "{missing}", "{good}"], "predict", "not found"),
    (["path", "{good}", "-t", "target", "-m", "ridge"], "path", "--alphas"),
    (["path", "{good}", "-t", "target", "--alphas", "1,-2"], "path", "> 0"),
    (["path", "{good}", "-t", "target", "--n-alphas", "0"], "path", ">= 1"),
    (["verify", "{good}", "-t", "target", "-a", "1", "--backends", "nosuch"], "verify",
     "unknown backend"),
    (["bench", "--solvers", "nosuch"], "bench", "unknown or unavailable solver"),
    (["bench", "--problems", "nosuch"], "bench", "unknown problem"),
    (["bench", "--repeat", "0"], "bench", ">= 1"),
    (["nosuch"], None, "invalid choice"),
]


@pytest.mark.parametrize("argv, command, words", FAILURES,
                         ids=[" ".join(a[:1] + [w]) for a, _, w in FAILURES])
def test_bad_input_is_one_line(argv, command, words, bad_files, capsys):
    argv = [a.format(**bad_files) for a in argv]
    code, out, err = run(argv, capsys)
    if command is None:  # usage error of the top-level parser
        assert code == cli.EXIT_USAGE and len(err.strip().splitlines()) == 1
    else:
        assert_one_line_error(code, err, command)
    assert words in err
    assert out == ""


def test_convergence_warning_is_one_line(data_csv, capsys):
    path, _, _ = data_csv
    code, out, err = run(["fit", path, "-t", "target", "-a", "0.001", "-b", "cd",
                          "--max-iter", "1", "--tol", "1e-14"], capsys)
    assert code == 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lassokit fit: warning:")
    assert "max_iter" in out  # the certificate line states the status


def test_unexpected_failure_is_one_line(monkeypatch, data_csv, capsys):
    from lassokit.cli import fit as cli_fit

    def boom(args):
        raise RuntimeError("something broke\nsecond line")

    monkeypatch.setattr(cli_fit, "run_fit", boom)
    monkeypatch.delenv("LASSOKIT_DEBUG", raising=False)
    path, _, _ = data_csv
    code, _, err = run(["fit", path, "-t", "target", "-a", "1"], capsys)
    assert code == cli.EXIT_CHECK_FAILED
    assert err.strip() == ("lassokit fit: internal error: RuntimeError: something broke second "
                           "line (set LASSOKIT_DEBUG=1 for a traceback)")


# -- progress ----------


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_only_on_a_terminal():
    assert progress_enabled("auto", _Tty()) is True
    assert progress_enabled("auto", io.StringIO()) is False
    assert progress_enabled("on", io.StringIO()) is True
    assert progress_enabled("off", _Tty()) is False


def test_progress_draws_and_clears():
    stream = _Tty()
    with Progress("work", total=4, enabled=True, stream=stream) as bar:
        bar.update(1, "a")
        bar.update(3, "b")
    text = stream.getvalue()
    assert "1/4 a" in text and "4/4 b" in text and text.endswith("\r")
    quiet = io.StringIO()
    with Progress("work", total=4, enabled=False, stream=quiet) as bar:
        bar.update(4)
    assert quiet.getvalue() == ""


def test_progress_on_is_shown_on_stderr(data_csv, capsys):
    path, _, _ = data_csv
    code, _, err = run(["path", path, "-t", "target", "--n-alphas", "5", "--progress", "on"],
                       capsys)
    assert code == 0
    assert "path" in err and "\r" in err
    assert "1/5" in err and "5/5" in err  # alphas done / total


def test_plural():
    from lassokit.cli.text import plural

    assert [plural(n, "iteration") for n in (0, 1, 2)] == ["0 iterations", "1 iteration",
                                                         "2 iterations"]


# -- missing extras say what to install ----------


def test_bench_names_the_package_of_a_missing_competitor(monkeypatch, capsys):
    from lassokit.cli import bench as cli_bench

    real = importlib.util.find_spec
    monkeypatch.setattr(cli_bench.importlib.util, "find_spec",
                        lambda name, *a: None if name == "celer" else real(name, *a))
    code, out, err = run(["bench", "--solvers", "celer"], capsys)
    assert_one_line_error(code, err, "bench")
    assert "pip install celer" in err and 'pip install "lassokit[bench]"' in err


def test_missing_dask_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "dask", None)  # import dask -> ImportError
    monkeypatch.delitem(sys.modules, "lassokit.distributed", raising=False)
    with pytest.raises(ImportError, match=r'pip install "lassokit\[dask\]"'):
        importlib.import_module("lassokit.distributed")
    with pytest.raises(SystemExit, match=r'pip install "lassokit\[dask\]"'):
        runpy.run_path(str(ROOT / "examples" / "plot_dask_scaling.py"), run_name="__main__")
