"""CV folds known only by their moments: the compiled path's certificates and test errors.

Every strength of a fold is solved and certified in one compiled call
(``lassokit.kernels.cd_gram_path``). These tests re-certify each returned
point from the fold's rows with ``Problem.certify`` (a pass over X, no Gram
matrix) and recompute the test errors from the rows themselves.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_data, make_sample_weight
from sklearn.model_selection import KFold

import lassokit as lk
from lassokit._validation import check_sample_weight
from lassokit.estimators._cv_folds import MomentProblem, fold_moments
from lassokit.estimators._cv_folds import test_mse as block_mse

TOL = 1e-6


def _case(kind):
    n, p = 120, 8
    X, y = make_data(n, p, seed=3, noise=0.5)
    sw, positive, l1w, dtype = None, False, None, np.float64
    if kind == "weights":
        sw = make_sample_weight(n, 3)
    elif kind == "positive":
        positive = True
    elif kind == "float32":
        dtype = np.float32
    elif kind == "l1_weights":
        l1w = np.linspace(0.5, 2.0, p)
    elif kind == "offset":
        # A mean of 1e9 with unit spread: the shift by the data's means must
        # keep its digits.
        X = X + 1e9
    return X.astype(dtype), y, sw, positive, l1w


@pytest.mark.parametrize("kind", ["plain", "weights", "positive", "float32", "l1_weights",
                                  "offset"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.4])
def test_compiled_fold_path_is_certified_from_the_rows(kind, l1_ratio):
    X, y, sw, positive, l1w = _case(kind)
    swn = None if sw is None else check_sample_weight(sw, X.shape[0])
    folds = list(KFold(4, shuffle=True, random_state=0).split(X))
    blocks, total, mx, my = fold_moments(X, y, swn, folds, True)
    train, test = folds[1]
    mp = MomentProblem(total - blocks[1], mx, my, True, positive, X.dtype)
    base = lk.Problem(X[train], y[train], lk.L1(1.0, weights=l1w),
                      sample_weight=None if sw is None else sw[train], positive=positive)
    amax = base.alpha_max() / l1_ratio
    alphas = amax * np.geomspace(1.0, 1e-3, 30)
    pen = lk.L1(1.0, weights=l1w)
    coefs, icpts, rel, conv = mp.path(pen, alphas, l1_ratio, TOL, 10_000)
    # float32 rows are multiplied in float32 by the row-based certificate.
    agree = 1e-9 if X.dtype == np.float64 else 1e-7
    assert coefs.dtype == X.dtype and conv.all()
    for i, a in enumerate(alphas):
        pr = base.replace(penalty=lk.L1(a * l1_ratio, weights=l1w) + lk.L2(a * (1 - l1_ratio)))
        cert = pr.certify(coefs[:, i])
        # Same point, same formula, different sums (Gram vs rows): equal up
        # to rounding; and the rows confirm the tolerance.
        assert cert.rel_gap <= TOL * 1.001
        assert abs(cert.rel_gap - rel[i]) <= agree
        assert cert.intercept == pytest.approx(icpts[i], rel=1e-9, abs=1e-9)
    if positive:
        assert np.all(coefs >= 0)
    # Test errors from block moments equal those computed on the test rows.
    mse = block_mse(blocks[1], coefs, mp.test_shift(coefs))
    # Extended precision, with the optimal intercept of each column computed
    # from the training rows: with a 1e9 offset a float64 X @ coef (and the
    # float64 intercept itself, ~1e9) is off by ~1e-7, more than the moments.
    ld = np.longdouble
    C = coefs.astype(ld)
    wtr = None if swn is None else swn[train]
    b0 = np.average(y[train].astype(ld)[:, None] - X[train].astype(ld) @ C, axis=0, weights=wtr)
    np.testing.assert_allclose(icpts, b0.astype(np.float64), rtol=1e-12, atol=1e-9)
    resid = X[test].astype(ld) @ C + b0 - y[test].astype(ld)[:, None]
    direct = np.average(resid ** 2, axis=0,
                        weights=None if swn is None else swn[test]).astype(np.float64)
    np.testing.assert_allclose(mse, direct, rtol=1e-7)


def test_compiled_fold_path_matches_one_solve_at_a_time():
    X, y, sw, positive, l1w = _case("weights")
    swn = check_sample_weight(sw, X.shape[0])
    folds = list(KFold(3).split(X))
    blocks, total, mx, my = fold_moments(X, y, swn, folds, True)
    mp = MomentProblem(total - blocks[0], mx, my, True, False, X.dtype)
    alphas = np.geomspace(1.0, 1e-3, 12)
    coefs, _, _, conv = mp.path(lk.L1(1.0), alphas, 0.7, 1e-12, 100_000)
    assert conv.all()
    for i, a in enumerate(alphas):
        coef, cert, status = mp.solve(lk.L1(0.7 * a) + lk.L2(0.3 * a), np.zeros(X.shape[1]),
                                      1e-12, 100_000)
        assert status == "optimal"
        np.testing.assert_allclose(coefs[:, i], coef, rtol=1e-5, atol=1e-6)


def test_unconverged_points_are_reported():
    X, y, *_ = _case("plain")
    folds = list(KFold(3).split(X))
    blocks, total, mx, my = fold_moments(X, y, None, folds, True)
    mp = MomentProblem(total - blocks[0], mx, my, True, False, X.dtype, anderson=False)
    coefs, _, rel, conv = mp.path(lk.L1(1.0), np.geomspace(1.0, 1e-4, 5), 1.0, 1e-14, 1)
    # One epoch from zero cannot certify 1e-14 at the small strengths.
    assert not conv.all()
    assert np.all(rel[~conv] > 1e-14)
