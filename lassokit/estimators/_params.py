"""Constructor-parameter constraints of the estimators, checked at ``fit``.

Constraints are data (one small class per kind), so each estimator states
its parameters in one table and errors name the parameter, the value and
what was allowed.
"""

from __future__ import annotations

import numbers

import numpy as np

# scikit-learn raises this (a ValueError and a TypeError at once) for every
# invalid constructor parameter; callers and check_estimator catch it by name.
from sklearn.utils._param_validation import InvalidParameterError

from ..backends.base import Backend


class _Constraint:
    def ok(self, value):  # pragma: no cover - abstract
        raise NotImplementedError


class Interval(_Constraint):
    """A real (or integer) number in ``[low, high]`` with open/closed ends."""

    def __init__(self, kind, low, high, closed="both"):
        self.kind, self.low, self.high, self.closed = kind, low, high, closed

    def type_ok(self, value):
        return not isinstance(value, (bool, np.bool_)) and isinstance(value, self.kind)

    def ok(self, value):
        if not self.type_ok(value) or not np.isfinite(float(value)):
            return False  # the open end "inf" of [0, inf) excludes infinity
        lo_closed = self.closed in ("both", "left")
        hi_closed = self.closed in ("both", "right")
        below = self.low is not None and (value < self.low
                                          or (value == self.low and not lo_closed))
        above = self.high is not None and (value > self.high
                                           or (value == self.high and not hi_closed))
        return not (below or above)

    def __str__(self):
        what = "an int" if self.kind is numbers.Integral else "a float"
        left = "[" if self.closed in ("both", "left") else "("
        right = "]" if self.closed in ("both", "right") else ")"
        lo = "-inf" if self.low is None else self.low
        hi = "inf" if self.high is None else self.high
        return f"{what} in the range {left}{lo}, {hi}{right}"


class Options(_Constraint):
    """One of a fixed set of strings."""

    def __init__(self, *options):
        self.options = options

    def ok(self, value):
        return isinstance(value, str) and value in self.options

    def __str__(self):
        return "a str among {" + ", ".join(repr(o) for o in self.options) + "}"


class _Simple(_Constraint):
    def __init__(self, test, text):
        self._test, self._text = test, text

    def ok(self, value):
        return self._test(value)

    def __str__(self):
        return self._text


def _is_array_like(v):
    return (hasattr(v, "__array__") or isinstance(v, (list, tuple))) and not isinstance(v, str)


BOOL = _Simple(lambda v: isinstance(v, (bool, np.bool_)), "a bool")
NONE = _Simple(lambda v: v is None, "None")
ARRAY = _Simple(_is_array_like, "an array-like")
RANDOM_STATE = _Simple(
    lambda v: v is None
    or isinstance(v, np.random.RandomState)
    or (isinstance(v, numbers.Integral) and not isinstance(v, bool) and 0 <= v < 2**32),
    "None, an int in [0, 2**32 - 1] or a numpy RandomState",
)
VERBOSE = _Simple(
    lambda v: isinstance(v, (bool, np.bool_, numbers.Integral)), "a bool or an int"
)
N_JOBS = _Simple(
    lambda v: v is None or (isinstance(v, numbers.Integral) and not isinstance(v, bool)),
    "an int or None",
)
CV = _Simple(
    lambda v: not isinstance(v, str) and (
        v is None
        or (isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 2)
        or hasattr(v, "split")
        or hasattr(v, "__iter__")),
    "None, an int >= 2, a CV splitter or an iterable of (train, test) splits",
)
BACKEND = _Simple(
    lambda v: isinstance(v, (str, Backend)) or (isinstance(v, type) and issubclass(v, Backend)),
    "a backend name (str) or a lassokit.Backend",
)

NONNEG_REAL = Interval(numbers.Real, 0, None, "left")
UNIT_REAL = Interval(numbers.Real, 0, 1, "both")
POS_INT = Interval(numbers.Integral, 1, None, "left")

#: The grid of every cross-validated path estimator (``LassoCV``,
#: ``ElasticNetCV``, ``MultiTask*CV``, ``GroupLassoCV``). ``eps`` in (0, 1]:
#: eps = 1 is the grid at alpha_max, as in scikit-learn; scikit-learn also
#: takes eps > 1 and returns an increasing grid, refused here.
CV_GRID_CONSTRAINTS = {
    "eps": [Interval(numbers.Real, 0, 1, "right")],
    "alphas": [POS_INT, ARRAY],
}
#: How those estimators split the data and run the folds.
CV_FOLDS_CONSTRAINTS = {"cv": [CV], "verbose": [VERBOSE], "n_jobs": [N_JOBS]}


def validate_params(estimator, constraints):
    """Check every parameter of ``estimator`` against its constraint list.

    Raises
    ------
    sklearn.utils._param_validation.InvalidParameterError
        For the first parameter no constraint accepts, as scikit-learn does;
        it is both a ``ValueError`` and a ``TypeError``.
    """
    params = estimator.get_params(deep=False)
    cls = type(estimator).__name__
    for name, allowed in constraints.items():
        value = params[name]
        if any(c.ok(value) for c in allowed):
            continue
        if len(allowed) == 1:
            what = str(allowed[0])
        else:
            what = ", ".join(str(c) for c in allowed[:-1]) + " or " + str(allowed[-1])
        raise InvalidParameterError(
            f"The {name!r} parameter of {cls} must be {what}. Got {value!r} instead."
        )
