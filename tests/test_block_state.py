"""The block solver's inputs: column-subset products read in place, and Lipschitz
constants that start as the Gram trace and become exact as blocks are decomposed.

References are plain numpy (``X[:, cols].T @ M``, ``numpy.linalg.eigvalsh``).
"""

import numpy as np
import pytest
import scipy.sparse as sp

import lassokit as lk
from lassokit.kernels.col_products import cols_dot, cols_t_dot
from lassokit.matrix._solver import BlockState


@pytest.mark.parametrize("K", [1, 3])
def test_column_subset_products_match_numpy(K):
    rng = np.random.default_rng(K)
    X = np.asfortranarray(rng.standard_normal((37, 20)))
    cols = np.array([3, 0, 19, 7, 7, 12], dtype=np.int64)  # any order, repeats allowed
    M = rng.standard_normal((37, K))
    W = rng.standard_normal((cols.size, K))
    np.testing.assert_allclose(cols_t_dot(X, cols, M), X[:, cols].T @ M, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(cols_dot(X, cols, W), X[:, cols] @ W, rtol=1e-13, atol=1e-13)
    empty = np.zeros(0, dtype=np.int64)
    assert cols_t_dot(X, empty, M).shape == (0, K)
    assert not np.any(cols_dot(X, empty, np.zeros((0, K))))


def _centred_gram(X, sw, cols):
    h = sw / sw.mean()
    Xc = X[:, cols] - (h @ X[:, cols]) / h.sum()
    return (Xc * h[:, None]).T @ Xc / X.shape[0]


@pytest.mark.parametrize("sparse", [False, True])
def test_lipschitz_constants_bound_then_exact(sparse):
    rng = np.random.default_rng(0)
    n, p = 40, 12
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 3.0, p) + 2.0
    X[:, 4] = X[:, 5]  # a rank-deficient group
    sw = rng.uniform(0.5, 2.0, n)
    groups = [[0, 1, 2], [3, 4, 5, 6], [7], [8, 9, 10, 11]]
    Xs = sp.csc_matrix(X) if sparse else X
    prob = lk.Problem(Xs, rng.standard_normal(n), lk.GroupL2(0.1, groups=groups),
                      sample_weight=sw)
    st = BlockState(prob.design())
    exact = [np.linalg.eigvalsh(_centred_gram(X, sw, g))[-1] for g in groups]
    # Before any decomposition: the trace, an upper bound (exact for a singleton).
    for b, g in enumerate(groups):
        assert st.lmax[b] >= exact[b] * (1 - 1e-12)
        np.testing.assert_allclose(st.lmax[b], np.trace(_centred_gram(X, sw, g)), rtol=1e-10)
    st.prepare(np.array([1, 3], dtype=np.int64))
    np.testing.assert_allclose(st.lmax[[1, 3]], [exact[1], exact[3]], rtol=1e-10)
    assert st.lmax[0] > exact[0]  # still the bound: not decomposed
    qptr, Qf, dv = st.eigen
    # Block 1's decomposition reproduces its Gram.
    lo, s = 3, 4
    Q = Qf[qptr[1]:qptr[2]].reshape(s, s)
    np.testing.assert_allclose(Q @ np.diag(dv[lo:lo + s]) @ Q.T, _centred_gram(X, sw, groups[1]),
                               atol=1e-10)
    assert np.isclose(dv[lo], 0.0, atol=1e-12)  # the repeated column: an exact 0
    st.prepare(np.array([0, 1], dtype=np.int64))  # block 1 again: nothing recomputed
    np.testing.assert_allclose(st.lmax[:2], exact[:2], rtol=1e-10)
