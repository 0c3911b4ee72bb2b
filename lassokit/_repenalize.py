"""Problems derived from a problem on the same validated data (paths, CV folds, replace()).

Kept apart from :mod:`lassokit.problem` for its size only:
:meth:`Problem.replace`'s fast path, which skips re-validating X (a full
pass over it per strength), and the column-restricted problems of the
generic path session.
"""

from __future__ import annotations

import numpy as np

from ._box import make_box
from .penalty import Penalty


def repenalized(problem, pen):
    """``problem`` with penalty ``pen``: the data, box and caches carried over.

    Parameters
    ----------
    problem : Problem
    pen : Penalty

    Returns
    -------
    Problem
    """
    p = problem.n_features
    for v, name in ((pen.l1_weights, "L1 weights"), (pen.l2_weights, "L2 weights")):
        if v is not None and v.shape[0] != p:
            raise ValueError(f"{name} must have length n_features={p}, got {v.shape[0]}.")
    bounds = problem.__dict__.get("_bounds")
    same_exclusion = np.array_equal(pen.excluded(p), problem._penalty.excluded(p))
    # A new set of infinite weights (exclusions) changes the box; otherwise it is shared.
    box = problem._box if same_exclusion else make_box(bounds, problem._positive, p,
                                                       pen.excluded(p))
    new = type(problem)._trusted(problem._X, problem._y, pen,
                                 fit_intercept=problem._fit_intercept,
                                 sample_weight=problem._sample_weight, positive=problem._positive,
                                 stats=problem._stats_cache, loss=problem._loss,
                                 offset=problem.offset, box=box)
    new._bounds = bounds
    new._scale_cache = getattr(problem, "_scale_cache", None)  # depends on y only
    # A user's problem stays live (its next call derives everything
    # afresh); one inside a path session or a CV fold stays pinned.
    new._live, new._sw_raw, new._y_raw = problem._live, problem._sw_raw, problem._y_raw
    if not problem._live and not problem._loss.least_squares:  # a path's data: shared
        new._loss_base = problem.__dict__.get("_design") or problem.__dict__.get("_loss_base")
    new._feature_names = problem.feature_names
    return new


def restricted(problem, X_cols, idx):
    """The problem on the columns ``idx`` of X (held in ``X_cols``), penalty L1(1).

    Same rows, so the data statistics are the problem's restricted to those
    columns (the generic path session's reduced problems), and so are the
    box and the bounds as given.

    Parameters
    ----------
    problem : Problem
    X_cols : ndarray or sparse matrix of shape (n_samples, len(idx))
    idx : ndarray of int

    Returns
    -------
    Problem
    """
    x_offset, y_offset, yc, p0 = problem._stats
    box = problem._box
    new = type(problem)._trusted(X_cols, problem._y, Penalty(1.0),
                                 fit_intercept=problem._fit_intercept,
                                 sample_weight=problem._sample_weight, positive=problem._positive,
                                 stats=(x_offset[idx], y_offset, yc, p0),
                                 box=None if box is None else box[:, idx])
    b = problem.__dict__.get("_bounds")
    new._bounds = None if b is None else (b[0][idx], b[1][idx])
    return new


def replaced(problem, changes):
    """The body of :meth:`lassokit.Problem.replace` (see there)."""
    fields = {"X": problem._X, "y": problem._y_raw, "penalty": problem._penalty,
              "loss": problem._loss, "fit_intercept": problem._fit_intercept,
              "sample_weight": problem._sw_raw, "positive": problem._positive,
              "offset": problem.offset, "bounds": problem.__dict__.get("_bounds")}
    unknown = set(changes) - set(fields)
    if unknown:
        raise TypeError(f"replace() got unknown field(s): {', '.join(sorted(unknown))}.")
    fields.update(changes)
    if set(changes) <= {"penalty"} and isinstance(fields["penalty"], Penalty):
        # Same validated data, new penalty (paths, CV): no pass over X.
        return repenalized(problem, fields["penalty"])
    # type(problem) is Problem here (a matrix problem has its own replace):
    # built through it, a new 2-D y still becomes a matrix problem.
    new = type(problem)(fields.pop("X"), fields.pop("y"), fields.pop("penalty"), **fields)
    if "X" not in changes:
        new._feature_names = problem.feature_names
    return new
