"""Model files of the command line: plain JSON (never pickle).

``fit --output`` writes the coefficients by feature name, the intercept,
the penalty, the loss and the certificate of the fit; ``predict`` reads
them back, checked.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from .._version import __version__
from .common import CLIError

__all__ = ["MODEL_FORMAT", "MODEL_FORMAT_VERSION", "read_model", "write_model"]

MODEL_FORMAT = "lassokit-model"
#: The newest model format: 2 records a loss other than the squared one
#: (``"loss"``, and ``"delta"`` for Huber). A least-squares model is still
#: written as version 1, which older lassokit releases read; they refuse a
#: version-2 file rather than predict ``x.w + b`` where the mean is a
#: probability or a rate.
MODEL_FORMAT_VERSION = 2
#: The versions :func:`read_model` reads (a version-1 file has the squared loss).
MODEL_FORMAT_VERSIONS = (1, 2)


def write_model(path, record):
    """Write a model record (a JSON-ready dict) to ``path``."""
    version = 1 if record.get("loss", "squared") == "squared" else MODEL_FORMAT_VERSION
    out = {"format": MODEL_FORMAT, "format_version": version,
           "lassokit_version": __version__}
    out.update(record)
    try:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(out, fh, indent=2, allow_nan=False)
            fh.write("\n")
    except OSError as exc:
        raise CLIError(f"cannot write {path}: {exc.strerror or exc}") from None


def read_model(path):
    """Read and check a model file written by :func:`write_model`.

    Returns
    -------
    dict
        With ``features`` (list of str), ``coef`` (float64 array) and
        ``intercept`` (float) checked. ``"loss"`` (absent: squared) is
        checked by :func:`lassokit.cli.loss.loss_from_record`.
    """
    p = Path(path)
    if not p.exists():
        raise CLIError(f"model file not found: {path}")
    try:
        with open(p, encoding="utf-8") as fh:
            model = json.load(fh)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        # Most often a data file given first: say what goes where.
        raise CLIError(f"{path} is not a lassokit model file (invalid JSON: {exc}); the "
                       "arguments are MODEL then DATA") from None
    except OSError as exc:
        raise CLIError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not isinstance(model, dict) or model.get("format") != MODEL_FORMAT:
        raise CLIError(f"{path} is not a lassokit model file (no \"format\": \"{MODEL_FORMAT}\")")
    version = model.get("format_version")
    if isinstance(version, bool) or version not in MODEL_FORMAT_VERSIONS:
        raise CLIError(f"{path} has model format version {version!r}; this lassokit reads "
                       f"versions {' and '.join(map(str, MODEL_FORMAT_VERSIONS))}")
    if version == 1 and model.get("loss", "squared") != "squared":
        raise CLIError(f"{path} is damaged: a version-1 model file has the squared loss, "
                       f"but it names {model.get('loss')!r}")
    features, coef, intercept = (model.get(k) for k in ("features", "coef", "intercept"))
    if (not isinstance(features, list) or not all(isinstance(f, str) for f in features)
            or not isinstance(coef, list) or len(coef) != len(features)
            or not all(_is_number(c) for c in coef) or not _is_number(intercept)):
        raise CLIError(f"{path} is damaged: 'features', 'coef' and 'intercept' do not match")
    model["coef"] = np.asarray(coef, dtype=np.float64)
    model["intercept"] = float(intercept)
    return model


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
