"""Paths whose compiled grid rounds to float32 stay inside the box (review of issue 24).

The Gram path kernel rounds each strength's coefficients to float32 to
nearest, which can step an ulp over a bound (float32(0.1) > 0.1): the path
layer must round such entries toward 0 and certify them again, so that
every returned coefficient is feasible and its gap is the one the problem
computes for it.
"""

import numpy as np
import scipy.sparse as sp
import pytest

import lassokit as lk


@pytest.mark.parametrize("storage", ["dense", "csc"])
def test_float32_path_coefficients_stay_in_the_box(storage):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 6)).astype(np.float32)
    y = X.astype(np.float64) @ np.array([3.0, -3.0, 2.0, 1.0, 0.0, 0.0])
    if storage == "csc":
        X = sp.csc_matrix(X)
    lower, upper = np.full(6, -0.3), np.full(6, 0.1)
    problem = lk.Problem(X, y, lk.L1(1.0), bounds=(lower, upper))
    path = lk.path(problem, n_alphas=10)
    assert path.coefs.dtype == np.float32
    assert np.all(path.coefs >= lower[:, None]) and np.all(path.coefs <= upper[:, None])
    assert np.any(np.abs(path.coefs - 0.1) < 1e-6)  # the upper bound is active
    for i in range(len(path)):
        sub = problem.replace(penalty=lk.L1(float(path.alphas[i])))
        gap = sub.certify(path.coefs[:, i]).dual_gap
        assert np.isfinite(gap)
        assert gap == pytest.approx(path.dual_gaps[i], rel=1e-9, abs=1e-300)
