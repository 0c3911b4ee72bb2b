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

from ._params import _Simple

__all__ = ["BOUNDS_CONSTRAINTS"]


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
#: checked with the data, by :func:`lassokit._box.check_limits`, whose
#: messages name the parameters).
BOUNDS_CONSTRAINTS = {"lower_bounds": [_BOUND], "upper_bounds": [_BOUND]}
