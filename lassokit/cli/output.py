"""Files the commands write: checked before the work starts, CSV when it is done."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np

from .common import CLIError

__all__ = ["check_writable", "write_csv"]


def check_writable(path, option):
    """Fail early, before any long job, when ``path`` cannot be created."""
    if path is None or path == "-":
        return
    p = Path(path)
    if p.is_dir():
        raise CLIError(f"cannot write {option} {path}: it is a directory")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise CLIError(f"cannot write {option} {path}: no directory {parent}")
    if not os.access(parent, os.W_OK):
        raise CLIError(f"cannot write {option} {path}: permission denied")


def write_csv(path, header, columns):
    """Write equal-length columns as CSV to ``path`` (``None``: stdout)."""
    import sys

    rows = zip(*columns)
    try:
        fh = sys.stdout if path is None else open(path, "w", newline="", encoding="utf-8")
    except OSError as exc:
        raise CLIError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            w.writerow([_fmt_csv(v) for v in row])
    finally:
        if path is not None:
            fh.close()


def _fmt_csv(v):
    return repr(float(v)) if isinstance(v, (float, np.floating)) else v
