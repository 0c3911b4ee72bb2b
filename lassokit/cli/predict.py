"""``lassokit predict``: a saved model's mean on the rows of a data file.

The mean is the loss's inverse link of ``z = X w + b`` (the model file
records its loss): ``z`` for the squared and Huber losses, the probability
of class 1 for the logistic loss, ``exp(z)`` for the Poisson loss.
"""

from __future__ import annotations

import os
import sys

import numpy as np

from .common import EXIT_OK, CLIError
from .data import is_data_file_name, read_table
from .loss import loss_from_record, score_words
from .model_file import read_model
from .output import check_writable, write_csv
from .text import plural

__all__ = ["run_predict"]


def run_predict(args):
    """``lassokit predict`` with the parsed options ``args``; returns the exit status."""
    check_writable(args.output, "--output")
    _check_argument_order(args.model, args.data)
    model = read_model(args.model)
    loss = loss_from_record(model, args.model)
    tab = read_table(args.data)
    features = model["features"]
    tab.require(features)
    target = model.get("target")
    with_target = isinstance(target, str) and target in tab.columns and target not in features
    cols = features + ([target] if with_target else [])
    if args.dropna:
        # Rows stay aligned with the input: a row with a gap in the model's
        # features gets NaN, not a missing line (a gap in the target alone
        # only leaves the row out of the score).
        matrix = tab.floats(cols)
        ok = ~np.isnan(matrix[:, :len(features)]).any(axis=1)
        if not ok.any():
            raise CLIError(f"every row of {tab.source} has missing values in the model's "
                           "features: nothing to predict")
        _report_unpredicted(ok)
    else:
        matrix, _ = tab.numeric(cols, fix="use --dropna to predict NaN for those rows")
        ok = np.ones(matrix.shape[0], dtype=bool)
    z = np.full(matrix.shape[0], np.nan)
    z[ok] = matrix[ok, :len(features)] @ model["coef"] + model["intercept"]
    pred = np.full_like(z, np.nan)
    pred[ok] = loss.inverse_link(z[ok])
    write_csv(args.output, ["prediction"], [pred])
    if args.output is not None:
        msg = f"{plural(pred.size, 'prediction')} written to {args.output}"
        if not ok.all():
            msg = (f"{plural(pred.size, 'row')} written to {args.output} "
                   f"({plural(int(ok.sum()), 'prediction')}, NaN for the rest)")
        if loss.name == "logistic":
            msg += " (probabilities of class 1)"
        elif loss.name == "poisson":
            msg += " (expected counts, exp(x.w + b))"
        # Scored on the rows with both a prediction and a target.
        scored = ok & ~np.isnan(matrix[:, -1]) if with_target else None
        if scored is not None and scored.any():
            msg += "; " + score_words(loss, matrix[scored, -1], z[scored], target)
        print(msg)
    return EXIT_OK


def _check_argument_order(model, data):
    """Refuse a data file in the MODEL place (``predict data.csv model.json``) with the fix."""
    if not is_data_file_name(model) or not os.path.isfile(model):
        return  # a missing file is reported as such, by read_model
    fix = (f"; run 'lassokit predict {data} {model}'" if data.lower().endswith(".json")
           else "; the model is the .json file that 'lassokit fit --output' writes")
    raise CLIError(f"the arguments are MODEL then DATA, and {model} is named like a data "
                   f"file{fix}")


def _report_unpredicted(ok):
    """Say on stderr how many rows ``predict --dropna`` could not predict (stdout may be data)."""
    missing = int(ok.size - np.count_nonzero(ok))
    print(f"lassokit predict: --dropna: {missing} of {plural(ok.size, 'row')} have missing "
          "values in the model's features; their prediction is NaN (rows stay aligned with "
          "the input)", file=sys.stderr)
