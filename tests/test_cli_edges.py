"""Command-line edges of issue 21 (item 15, and the CLI half of item 16).

Duplicate column names, corrupt compressed files, ``predict --dropna``
keeping rows aligned with the input, and a ``--cv`` message that suggests
only what the command line offers. Helpers come from ``test_cli``.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import json
import lzma
import sys

import numpy as np
import pytest

from lassokit import cli
from test_cli import FEATURES, _data, _write_csv, assert_one_line_error, run

READERS = ["pandas", "stdlib"]


@pytest.fixture(params=READERS)
def reader(request, monkeypatch):
    """Run each test with pandas and with the standard-library fallback reader."""
    if request.param == "stdlib":
        monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas -> ImportError
    else:
        pytest.importorskip("pandas")
    return request.param


def _write_rows(path, header, rows, opener=open):
    with opener(path, "wt", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return str(path)


# -- duplicate column names ----------


@pytest.mark.parametrize("header, name", [(["a", "y", "y"], "y"), (["a", "a", "y"], "a")])
@pytest.mark.parametrize("compressed", [False, True])
def test_duplicate_column_names_are_refused(header, name, compressed, reader, tmp_path, capsys):
    rng = np.random.default_rng(0)
    rows = rng.standard_normal((20, 3)).tolist()
    if compressed:
        path = _write_rows(tmp_path / "dup.csv.gz", header, rows, opener=gzip.open)
    else:
        path = _write_rows(tmp_path / "dup.csv", header, rows)
    code, out, err = run(["fit", path, "-t", "y", "-a", "0.1"], capsys)
    assert_one_line_error(code, err, "fit")
    assert f"'{name}'" in err and "duplicate" in err
    assert out == ""


def test_blank_header_cells_are_not_duplicates(tmp_path, capsys):
    pytest.importorskip("pandas")
    X, y = _data(20)
    rows = [[i, *x, t] for i, (x, t) in enumerate(zip(X.tolist(), y))]
    path = _write_rows(tmp_path / "index.csv", ["", *FEATURES, "target"], rows)
    code, _, err = run(["fit", path, "-t", "target", "--features", ",".join(FEATURES),
                        "-a", "0.1"], capsys)
    assert code == 0, err


# -- corrupt compressed files ----------


def _compressed_files():
    X, y = _data(20)
    raw = _write_csv_bytes(X, y)
    gz = gzip.compress(raw)
    flipped = bytearray(gz)
    flipped[len(gz) // 2] ^= 0xFF
    return {
        "truncated.csv.gz": gz[: len(gz) // 2],
        "notgzip.csv.gz": b"this is not a gzip stream at all\n" * 4,
        "flipped.csv.gz": bytes(flipped),
        "truncated.csv.bz2": bz2.compress(raw)[:40],
        "truncated.csv.xz": lzma.compress(raw)[:40],
    }


def _write_csv_bytes(X, y):
    lines = [",".join(FEATURES + ["target"])]
    lines += [",".join(repr(float(v)) for v in [*row, t]) for row, t in zip(X, y)]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("name", ["truncated.csv.gz", "notgzip.csv.gz", "flipped.csv.gz",
                                  "truncated.csv.bz2", "truncated.csv.xz"])
def test_corrupt_compressed_file_is_a_usage_error(name, reader, tmp_path, capsys):
    path = tmp_path / name
    path.write_bytes(_compressed_files()[name])
    code, out, err = run(["fit", str(path), "-t", "target", "-a", "0.1"], capsys)
    assert_one_line_error(code, err, "fit")
    assert "internal error" not in err
    assert "cannot read" in err and name in err
    assert out == ""


def test_compressed_file_reads_without_pandas(tmp_path, capsys, monkeypatch):
    X, y = _data(30)
    path = tmp_path / "data.csv.gz"
    path.write_bytes(gzip.compress(_write_csv_bytes(X, y)))
    plain = _write_csv(tmp_path / "data.csv", X, y)
    monkeypatch.setitem(sys.modules, "pandas", None)
    saved = []
    for src in (str(path), plain):
        out_json = tmp_path / "m.json"
        code, _, err = run(["fit", src, "-t", "target", "-a", "0.05", "-o", str(out_json)],
                           capsys)
        assert code == 0, err
        saved.append(json.loads(out_json.read_text())["coef"])
    assert saved[0] == saved[1]


# -- predict --dropna keeps rows aligned ----------


def _with_gaps(path, X, y, gaps):
    rows = [[repr(float(v)) for v in row] + [repr(float(t))] for row, t in zip(X, y)]
    for i, j in gaps:
        rows[i][j] = ""
    return _write_rows(path, FEATURES + ["target"], rows)


def test_predict_dropna_keeps_rows_aligned(reader, tmp_path, capsys):
    X, y = _data(25)
    model = tmp_path / "m.json"
    code, _, err = run(["fit", _write_csv(tmp_path / "train.csv", X, y), "-t", "target",
                        "-a", "0.05", "-o", str(model)], capsys)
    assert code == 0, err
    saved = json.loads(model.read_text())
    # Gaps in features at rows 2 and 5; a gap in the target only at row 7.
    new = _with_gaps(tmp_path / "new.csv", X, y, [(2, 1), (5, 4), (7, len(FEATURES))])
    out_csv = tmp_path / "pred.csv"
    code, out, err = run(["predict", str(model), new, "--dropna", "-o", str(out_csv)], capsys)
    assert code == 0, err
    lines = out_csv.read_text().splitlines()
    assert lines[0] == "prediction" and len(lines) == len(y) + 1  # one line per input row
    pred = np.array([float(v) for v in lines[1:]])
    assert np.isnan(pred[[2, 5]]).all()
    keep = np.setdiff1d(np.arange(len(y)), [2, 5])
    expect = X @ np.array(saved["coef"]) + saved["intercept"]
    np.testing.assert_allclose(pred[keep], expect[keep], rtol=1e-12)
    assert "2 of 25 rows" in err and "NaN" in err
    assert "25 rows written" in out and "23 predictions" in out
    # The same rows on stdout.
    code, out, err = run(["predict", str(model), new, "--dropna"], capsys)
    assert code == 0, err
    assert out.splitlines() == lines


def test_predict_help_says_rows_stay_aligned(capsys):
    code, out, _ = run(["predict", "--help"], capsys)
    assert code == 0
    text = " ".join(out.split())
    assert "NaN" in text and "--dropna" in text


# -- --cv suggests what the command line offers ----------


def test_fit_cv_with_l1_ratio_zero_suggests_cli_options(tmp_path, capsys):
    X, y = _data(30)
    path = _write_csv(tmp_path / "d.csv", X, y)
    code, out, err = run(["fit", path, "-t", "target", "--cv", "3", "--model", "enet",
                          "--l1-ratio", "0,0.5"], capsys)
    assert_one_line_error(code, err, "fit")
    assert "alphas=" not in err
    assert "--l1-ratio" in err and "--model ridge" in err
    assert code == cli.EXIT_USAGE and out == ""


# -- --eps agrees with the Python API: (0, 1] ----------


def test_path_eps_one_is_the_grid_at_alpha_max(tmp_path, capsys):
    X, y = _data(30)
    path = _write_csv(tmp_path / "d.csv", X, y)
    out_csv = tmp_path / "path.csv"
    code, _, err = run(["path", path, "-t", "target", "--eps", "1", "--n-alphas", "2",
                        "-o", str(out_csv)], capsys)
    assert code == 0, err
    table = np.array(list(csv.reader(out_csv.open()))[1:], dtype=float)
    assert table[0, 0] == table[1, 0] > 0 and np.all(table[:, 3:] == 0.0)
    code, _, err = run(["path", path, "-t", "target", "--eps", "1.5"], capsys)
    assert_one_line_error(code, err, "path")
    assert "<= 1" in err
