"""Data files for the command line: a table of named columns, and X, y from it.

Tables are read with pandas when it is installed (CSV, TSV, Parquet) and
with the standard library's ``csv`` module otherwise (CSV and TSV only), so
the command line works with lassokit's core dependencies; either way
``.gz``, ``.bz2``, ``.xz`` and ``.zip`` files are decompressed. Every
problem with a file -- a damaged compressed stream, a column name used
twice -- is a :class:`~lassokit.cli.CLIError` (exit status 2) whose message
names the file and the column.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
import math
import os
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .common import CLIError
from .text import plural

__all__ = ["Table", "is_data_file_name", "load_xy", "read_table", "report_dropped"]

_PARQUET = (".parquet", ".pq")
_TEXT = (".csv", ".tsv", ".txt")
_MISSING = {"", "na", "nan", "null", "none", "n/a", "<na>"}
_OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
#: What a damaged or truncated compressed file raises while it is read
#: (gzip.BadGzipFile and bz2's "Invalid data stream" are OSErrors).
_DAMAGED = (OSError, EOFError, zlib.error, lzma.LZMAError, zipfile.BadZipFile)


class Table:
    """Named columns of a data file, converted to float64 on request.

    Parameters
    ----------
    columns : list of str
    getter : callable
        ``getter(name)`` returns that column as a 1-D array (any dtype).
    source : str
        The file name, for messages.
    n_rows : int
    """

    def __init__(self, columns, getter, source, n_rows):
        self.columns = list(columns)
        self._get = getter
        self.source = source
        self.n_rows = n_rows

    def require(self, names):
        """Raise :class:`CLIError` unless every name is a column."""
        missing = [c for c in names if c not in self.columns]
        if missing:
            shown = ", ".join(self.columns[:20]) + (", ..." if len(self.columns) > 20 else "")
            what = "column" if len(missing) == 1 else "columns"
            raise CLIError(
                f"{what} {', '.join(repr(c) for c in missing)} not found in {self.source}; "
                f"its columns are: {shown}"
            )

    def floats(self, names):
        """The named columns as a float64 matrix, every row kept, gaps as NaN.

        Non-numeric and infinite values are refused (:class:`CLIError`).

        Returns
        -------
        ndarray of shape (n_rows, len(names))
        """
        self.require(names)
        cols, bad = [], []
        for name in names:
            values, example = _to_float(self._get(name))
            if example is not None:
                bad.append(f"{name!r} (e.g. {example!r})")
            cols.append(values)
        if bad:
            raise CLIError(
                f"non-numeric column(s) in {self.source}: {', '.join(bad)}; encode them as "
                "numbers or leave them out with --features"
            )
        matrix = np.column_stack(cols) if cols else np.empty((self.n_rows, 0))
        if not np.all(np.isfinite(matrix[~np.isnan(matrix)])):
            inf_cols = [n for n, c in zip(names, cols) if np.any(np.isinf(c))]
            raise CLIError(f"infinite values in column(s) {', '.join(map(repr, inf_cols))}")
        return matrix

    def numeric(self, names, *, dropna=False, fix="use --dropna to drop those rows"):
        """The named columns as a float64 matrix (rows with gaps dropped if asked).

        ``fix`` ends the message that refuses gaps without ``dropna``.

        Returns
        -------
        matrix : ndarray of shape (n_kept, len(names))
        kept : ndarray of bool, shape (n_rows,)
        """
        matrix = self.floats(names)
        gaps = np.isnan(matrix)
        kept = ~gaps.any(axis=1)
        if not kept.all() and not dropna:
            first = int(np.flatnonzero(~kept)[0])
            gap_cols = [n for n, g in zip(names, gaps.T) if g.any()]
            raise CLIError(
                f"missing values in {self.source}: column(s) {', '.join(map(repr, gap_cols))}, "
                f"{plural(int((~kept).sum()), 'row')}, first at data row {first + 1}; {fix}"
            )
        matrix = matrix[kept]
        if matrix.shape[0] == 0:
            raise CLIError(f"no rows left in {self.source}" + (" after --dropna" if dropna else ""))
        return matrix, kept


def _to_float(column):
    """A column as float64 (gaps as NaN) and one offending value, or None."""
    arr = np.asarray(column)
    if arr.dtype.kind in "biuf":
        return arr.astype(np.float64), None
    out = np.empty(arr.shape[0])
    for i, v in enumerate(arr):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            out[i] = np.nan
            continue
        text = str(v).strip()
        if text.lower() in _MISSING:
            out[i] = np.nan
            continue
        try:
            out[i] = float(text)
        except ValueError:
            return out, text
    return out, None


def is_data_file_name(path):
    """Whether ``path`` is named like a file :func:`read_table` reads (by its suffixes)."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] in (*_OPENERS, ".zip"):
        suffixes.pop()
    return bool(suffixes) and suffixes[-1] in _PARQUET + _TEXT


def read_table(path):
    """Read a CSV, TSV or Parquet file into a :class:`Table`.

    Parameters
    ----------
    path : str

    Returns
    -------
    Table
    """
    p = Path(path)
    if not p.exists():
        raise CLIError(f"file not found: {path}")
    if p.is_dir():
        raise CLIError(f"{path} is a directory, not a data file")
    if not os.access(p, os.R_OK):
        raise CLIError(f"cannot read {path}: permission denied")
    suffixes = [s.lower() for s in p.suffixes]
    packed = None
    if suffixes and suffixes[-1] in (".gz", ".bz2", ".xz", ".zip"):
        packed = suffixes.pop()
    suffix = suffixes[-1] if suffixes else ""
    if suffix not in _PARQUET + _TEXT:
        raise CLIError(f"cannot tell the format of {path}: use a .csv, .tsv or .parquet file")
    try:
        import pandas as pd
    except ImportError:
        pd = None
    if suffix in _PARQUET:
        if pd is None:
            raise CLIError("reading Parquet needs pandas and pyarrow: pip install pandas pyarrow")
        try:
            frame = pd.read_parquet(p)
        except ImportError:
            raise CLIError(
                "reading Parquet needs pyarrow (or fastparquet): pip install pyarrow"
            ) from None
        except Exception as exc:  # noqa: BLE001 - any reader failure is a bad file
            raise CLIError(f"cannot read {path} as Parquet: {_first_line(exc)}") from None
        return _from_frame(frame, str(path))
    sep = "\t" if suffix == ".tsv" else ","
    if pd is not None:
        try:
            frame = pd.read_csv(p, sep=sep)
            # pandas renames a repeated name ("y", "y.1"): the header as
            # written is read once more, one row, to refuse it instead.
            header = pd.read_csv(p, sep=sep, header=None, nrows=1, dtype=str,
                                 keep_default_na=False).iloc[0].tolist()
        except pd.errors.EmptyDataError:
            raise CLIError(f"{path} is empty") from None
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
            raise CLIError(f"cannot read {path} as {_kind(sep)}: {_first_line(exc)}") from None
        except _DAMAGED as exc:
            raise CLIError(_damaged(path, packed, exc)) from None
        _check_unique([str(h) for h in header], str(path))
        return _from_frame(frame, str(path))
    return _read_text(p, sep, str(path), packed)


def _damaged(path, packed, exc):
    what = f"the {packed} data is damaged or truncated" if packed else "read error"
    return f"cannot read {path}: {what} ({_first_line(exc)})"


def _check_unique(names, source):
    """Refuse a column name used twice: which column would --target or --features mean?

    Blank names (e.g. a written index column) are left to the reader, which
    names them by position.
    """
    seen, repeated = set(), []
    for name in names:
        if name.strip() and name in seen and name not in repeated:
            repeated.append(name)
        seen.add(name)
    if repeated:
        verb = "appears" if len(repeated) == 1 else "appear"
        raise CLIError(
            f"{source} has duplicate column names: {', '.join(map(repr, repeated))} {verb} "
            "more than once; give every column a unique name"
        )


def _kind(sep):
    return "TSV" if sep == "\t" else "CSV"


def _first_line(exc):
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _from_frame(frame, source):
    if frame.shape[1] == 0:
        raise CLIError(f"{source} has no columns")
    if frame.shape[0] == 0:
        raise CLIError(f"{source} has a header but no data rows")
    columns = [str(c) for c in frame.columns]
    _check_unique(columns, source)
    by_name = dict(zip(columns, frame.columns))
    return Table(columns, lambda name: frame[by_name[name]].to_numpy(), source, frame.shape[0])


def _read_bytes(path, packed, source):
    """The file's bytes, decompressed (``packed``: its compression suffix or None)."""
    if packed != ".zip":
        with _OPENERS.get(packed, open)(path, "rb") as fh:
            return fh.read()
    with zipfile.ZipFile(path) as zf:
        members = [m for m in zf.namelist() if not m.endswith("/")]
        if len(members) != 1:
            raise CLIError(f"{source} holds {len(members)} files; a .zip data file must hold "
                           "exactly one")
        return zf.read(members[0])


def _read_text(path, sep, source, packed=None):
    """Fallback reader without pandas: header row, then rows of equal length."""
    try:
        text = _read_bytes(path, packed, source).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise CLIError(f"cannot read {source} as {_kind(sep)}: {_first_line(exc)}") from None
    except _DAMAGED as exc:
        raise CLIError(_damaged(source, packed, exc)) from None
    rows = [r for r in rows if r]
    if not rows:
        raise CLIError(f"{source} is empty")
    header, body = [h.strip() for h in rows[0]], rows[1:]
    if not body:
        raise CLIError(f"{source} has a header but no data rows")
    _check_unique(header, source)
    # Blank names as pandas gives them, so that no two columns share a name.
    header = [h or f"Unnamed: {j}" for j, h in enumerate(header)]
    for i, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise CLIError(
                f"cannot read {source} as {_kind(sep)}: line {i} has {len(row)} fields, "
                f"the header has {len(header)}"
            )
    data = {name: np.array([row[j] for row in body], dtype=object)
            for j, name in enumerate(header)}
    return Table(header, data.__getitem__, source, len(body))


def load_xy(args):
    """Features and target from ``args.data`` / ``--target`` / ``--features`` / ``--exclude``.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    features : list of str
    """
    table = read_table(args.data)
    table.require([args.target])
    features = args.features
    if features is None:
        features = [c for c in table.columns if c != args.target]
        if not features:
            raise CLIError(f"{table.source} has no column besides the target {args.target!r}")
    else:
        if args.target in features:
            raise CLIError(f"the target {args.target!r} cannot also be a feature")
        if len(set(features)) != len(features):
            raise CLIError("--features lists a column twice")
    table.require(features)
    features = _excluded(features, getattr(args, "exclude", None), table, args.target)
    matrix, kept = table.numeric(features + [args.target], dropna=args.dropna)
    if args.dropna:
        report_dropped(args.command, kept)
    return matrix[:, :-1], matrix[:, -1], features


def _excluded(features, exclude, table, target):
    """``features`` without the columns of ``--exclude`` (each must be a column of the file)."""
    if not exclude:
        return features
    # A misspelt name would otherwise leave the column in, silently.
    try:
        table.require(exclude)
    except CLIError as exc:
        raise CLIError(f"--exclude: {exc}") from None
    left = [f for f in features if f not in set(exclude)]
    if not left:
        raise CLIError(f"--exclude leaves no feature column: it names every column used as "
                       f"a feature (the target is {target!r})")
    return left


def report_dropped(command, kept):
    """Say on stderr how many rows ``--dropna`` dropped (stdout may be data or JSON)."""
    import sys

    dropped = int(kept.size - np.count_nonzero(kept))
    print(f"lassokit {command}: --dropna dropped {dropped} of {plural(kept.size, 'row')} "
          "(missing values)", file=sys.stderr)
