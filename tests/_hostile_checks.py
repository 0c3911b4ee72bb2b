"""Shared by the ``tests/test_hostile_*.py`` files: untouched inputs (copies and
flags of every array, compared after the call), clean errors (never numba's,
naming the offending parameter), quiet solves, and the base data.

Used as ``import _hostile_checks as hk``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp
from _problems import make_data
from _tolerances import MATRIX_TOL

import lassokit as lk

TOL = MATRIX_TOL
ESTIMATORS = {"Lasso": lk.Lasso, "ElasticNet": lk.ElasticNet, "Ridge": lk.Ridge}


def _flags(a):
    f = a.flags
    return (f.writeable, f.c_contiguous, f.f_contiguous, f.owndata, f.aligned)


def snapshot(*objs):
    """Copies (and flags) of every array inside ``objs`` to compare with later."""
    snap = []
    for obj in objs:
        if obj is None or np.isscalar(obj):
            continue
        if sp.issparse(obj):
            parts = [obj.data, obj.indices, obj.indptr] if obj.format in ("csr", "csc") else \
                [obj.data, obj.row, obj.col]
            snap += [(a, a.copy(), _flags(a)) for a in parts]
        elif isinstance(obj, (pd.DataFrame, pd.Series)):
            snap.append((obj, obj.copy(deep=True), None))
        elif isinstance(obj, np.ndarray):
            snap.append((obj, obj.copy(), _flags(obj)))
        elif isinstance(obj, list):
            snap.append((obj, [list(r) if isinstance(r, list) else r for r in obj], None))
    return snap


def assert_unchanged(snap):
    for obj, copy, flags in snap:
        if isinstance(obj, (pd.DataFrame, pd.Series)):
            pd.testing.assert_frame_equal(pd.DataFrame(obj), pd.DataFrame(copy))
        elif isinstance(obj, list):
            assert obj == copy
        else:
            assert obj.dtype == copy.dtype and obj.shape == copy.shape
            np.testing.assert_array_equal(obj, copy)
            assert _flags(obj) == flags


def assert_clean(exc, names=()):
    """Not numba's, and naming one of ``names`` (when given)."""
    for e in (exc, exc.__cause__, exc.__context__):
        assert e is None or not type(e).__module__.startswith("numba"), repr(e)
    if names:
        assert any(n in str(exc) for n in names), f"{exc!r} does not name {names}"


def solve_quiet(problem, backend, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("error", lk.ConvergenceWarning)
        return problem.solve(backend, **kw)


def base_data(n=30, p=6, seed=1, storage="dense"):
    return make_data(n, p, seed=seed, storage=storage)
