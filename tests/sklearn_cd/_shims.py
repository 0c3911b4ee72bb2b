"""scikit-learn's path-function calling convention over lassokit's path functions.

``lassokit.lasso_path`` / ``lassokit.enet_path`` return a :class:`lassokit.Path`
and fit an intercept by default; scikit-learn's return the tuple
``(alphas, coefs, dual_gaps)``, never fit an intercept (the data are used as
given) and read an int ``alphas`` as the grid size. These two wrappers change
exactly those three things and pass every other argument through untouched,
so whatever else scikit-learn's tests ask of a path function is asked of
lassokit's (an unknown keyword reaches lassokit and is lassokit's to refuse).

Used only by ``run_sklearn_cd_tests.py``: the copies of scikit-learn's tests
import ``lasso_path`` and ``enet_path`` from here.
"""

from __future__ import annotations

import numbers

import lassokit as lk

__all__ = ["enet_path", "lasso_path"]


def _grid(kwargs):
    alphas = kwargs.get("alphas")
    if isinstance(alphas, numbers.Integral) and not isinstance(alphas, bool):
        kwargs["n_alphas"] = kwargs.pop("alphas")
    return kwargs


def _as_tuple(path):
    return path.alphas, path.coefs, path.dual_gaps


def lasso_path(X, y, **kwargs):
    """``lassokit.lasso_path(X, y, fit_intercept=False, ...)`` as ``(alphas, coefs, dual_gaps)``."""
    return _as_tuple(lk.lasso_path(X, y, **{"fit_intercept": False, **_grid(kwargs)}))


def enet_path(X, y, **kwargs):
    """``lassokit.enet_path(X, y, fit_intercept=False, ...)`` as ``(alphas, coefs, dual_gaps)``."""
    return _as_tuple(lk.enet_path(X, y, **{"fit_intercept": False, **_grid(kwargs)}))
