"""Hostile input: unusual array types and layouts (big-endian, float16,
integer, boolean, strided, read-only, np.matrix, pandas, lists, sparse
arrays, COO, int64 or unsorted indices) reach every backend as plain floats:
the answer is the plain float64 problem's, and the caller's arrays are never
modified.
"""

import warnings

import _hostile_checks as hk
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from conftest import assert_matches_reference, reference_for_problem

import lassokit as lk
from lassokit.backends.registry import capable_backends


def _unsorted_csc(X):
    M = sp.csc_matrix(X)
    for j in range(M.shape[1]):
        seg = slice(M.indptr[j], M.indptr[j + 1])
        M.indices[seg] = M.indices[seg][::-1].copy()
        M.data[seg] = M.data[seg][::-1].copy()
    M.has_sorted_indices = False
    return M


def _matrix(X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)  # np.matrix itself
        return np.asmatrix(X)


def _layouts():
    X, y = hk.base_data()
    M64 = sp.csc_matrix(X)
    M64.indices = M64.indices.astype(np.int64)
    M64.indptr = M64.indptr.astype(np.int64)
    ro = X.copy()
    ro.flags.writeable = False
    return {
        "big-endian-X": (X.astype(">f8"), y, None),
        "big-endian-y-sw": (X, y.astype(">f8"), np.ones(30, dtype=">f8")),
        "big-endian-f4": (X.astype(">f4"), y, None),
        "float16": (X.astype(np.float16), y, None),
        "int32": (np.round(10 * X).astype(np.int32), y, None),
        "bool": (X > 0, y, None),
        "strided": (np.repeat(X, 2, axis=1)[:, ::2], np.repeat(y, 2)[::2], None),
        "reversed": (X[::-1], y[::-1], None),
        "fortran": (np.asfortranarray(X), y, None),
        "read-only": (ro, y, None),
        "matrix": (_matrix(X), y, None),
        "pandas": (pd.DataFrame(X), pd.Series(y), None),
        "list": (X.tolist(), y.tolist(), list(np.linspace(1, 2, 30))),
        "csr_array": (sp.csr_array(X), y, None),
        "coo": (sp.coo_matrix(X), y, None),
        "csc-int64-indices": (M64, y, None),
        "csc-unsorted": (_unsorted_csc(X), y, None),
        "int-y-sw": (X, np.round(y).astype(int), np.arange(1, 31)),
    }


LAYOUTS = _layouts()


def _layout_pairs():
    out = []
    for key, (X, y, sw) in LAYOUTS.items():
        for name in capable_backends(lk.elastic_net(X, y, 0.1, sample_weight=sw), emulated=True):
            out.append(pytest.param(name, key, id=f"{name}-{key}"))
    return out


@pytest.mark.parametrize("backend, key", _layout_pairs())
def test_array_types_and_layouts(backend, key):
    X, y, sw = LAYOUTS[key]
    snap = hk.snapshot(X, y, sw)
    problem = lk.elastic_net(X, y, 0.1, sample_weight=sw)
    sol = hk.solve_quiet(problem, backend, tol=hk.TOL)
    # the same numbers as a plain float64 problem
    Xd = np.asarray(X.toarray() if sp.issparse(X) else X, dtype=np.float64)
    plain = lk.elastic_net(Xd.astype(problem.X.dtype), np.asarray(y, dtype=np.float64), 0.1,
                           sample_weight=None if sw is None else np.asarray(sw, dtype=np.float64))
    assert_matches_reference(plain, sol, reference_for_problem(plain), hk.TOL)
    hk.assert_unchanged(snap)
    if key == "read-only":
        assert not X.flags.writeable
    elif isinstance(X, np.ndarray):
        assert X.flags.writeable
