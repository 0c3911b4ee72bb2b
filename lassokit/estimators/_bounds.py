"""``lower_bounds`` and ``upper_bounds`` of the estimators: checked, then stated as a Problem's.

Every estimator that fits coefficients takes the two constructor
parameters (glmnet's ``lower.limits`` and ``upper.limits``). Each is None,
a number or an array of shape (n_features,); ``lower <= 0 <= upper``,
``-inf``/``inf`` allowed, None meaning unbounded on that side. They become
``lk.Problem(..., bounds=(lower, upper))`` (None when both are None), which
holds them exactly in every backend and certificate; ``positive=True`` is
intersected with them by the problem. The checks here exist so that every
message names the estimator's parameter (the problem's would say
``bounds``).
"""

from __future__ import annotations

import numbers

import numpy as np

from .._box import check_limits
from .._polish import polish
from ._params import _Simple

__all__ = ["BOUNDS_CONSTRAINTS", "estimator_bounds", "polish_in_bounds"]


def _bound_like(v):
    if v is None:
        return True
    if isinstance(v, (bool, np.bool_, str, bytes)):
        return False
    if isinstance(v, numbers.Real):
        return not np.isnan(v)
    return hasattr(v, "__array__") or isinstance(v, (list, tuple))


_BOUND = _Simple(_bound_like, "None, a number or an array-like of shape (n_features,)")

#: The constraint table entries of the two parameters (shape and sign are
#: checked with the data, by :func:`estimator_bounds`).
BOUNDS_CONSTRAINTS = {"lower_bounds": [_BOUND], "upper_bounds": [_BOUND]}


def estimator_bounds(lower_bounds, upper_bounds, n_features):
    """The ``bounds`` of a Problem from an estimator's two parameters, or None.

    Parameters
    ----------
    lower_bounds, upper_bounds : None, float or array-like of shape (n_features,)
        ``lower <= 0 <= upper``; ``-inf``/``inf`` allowed; None: unbounded
        on that side.
    n_features : int

    Returns
    -------
    (ndarray, ndarray) or None
        Float64 arrays of shape (n_features,), or None when nothing is
        bounded (both None, or every bound infinite).

    Raises
    ------
    ValueError
        A wrong shape, NaN, a positive lower or a negative upper bound;
        the message names the parameter.
    TypeError
        A bool or a non-numeric value.
    """
    # The path functions' check (lk.lasso_path takes the same two keywords).
    return check_limits(lower_bounds, upper_bounds, n_features)


def polish_in_bounds(problem, sol):
    """:func:`lassokit._polish.polish`, kept only when the polished point is inside the box.

    Polishing solves the smooth problem on the support and signs of
    ``sol``; it knows positivity but not a finite bound, so a point it moves
    past a bound is dropped and ``sol`` (inside the box, certified) kept.

    Parameters
    ----------
    problem : Problem
    sol : Solution

    Returns
    -------
    Solution
    """
    done = polish(problem, sol)
    box = problem.bounds
    if done is sol or box is None:
        return done
    coef = np.asarray(done.coef, dtype=np.float64)
    if np.any(coef < box[0]) or np.any(coef > box[1]):
        return sol
    return done
