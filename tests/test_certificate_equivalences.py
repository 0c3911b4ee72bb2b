"""The certificate on problems built differently but equal: unit sample
weights == none, integer weights == repeated rows, dense == sparse (CSC,
CSR, COO), float32 X == float64 X holding the same numbers (also with large
column offsets).
"""

import _certificate_cases as cc
import conftest as cf
import numpy as np
import pytest
import scipy.sparse as sp

import lassokit as lk


def _coefs_for(problem, seed=0):
    rng = np.random.default_rng(seed)
    p = problem.n_features
    out = [np.zeros(p), rng.normal(size=p), 0.1 * rng.normal(size=p)]
    if problem.positive:
        out = [np.abs(c) for c in out]
    return out


def _assert_same_certificates(pa, pb, rtol=cf.EXACT_RTOL):
    assert pa.alpha_max() == pytest.approx(pb.alpha_max(), rel=rtol, abs=1e-14)
    scale = max(1.0, cf.p0_of(pa))
    for coef in _coefs_for(pa) + _coefs_for(pa, 1):
        ca, cb = pa.certify(coef), pb.certify(coef)
        assert ca.objective == pytest.approx(cb.objective, rel=rtol)
        assert ca.dual_gap == pytest.approx(cb.dual_gap, rel=rtol, abs=rtol * scale)
        assert ca.intercept == pytest.approx(cb.intercept, rel=rtol, abs=rtol)
        assert pa.objective(coef, ca.intercept) == pytest.approx(pb.objective(coef, ca.intercept),
                                                                 rel=rtol)


@pytest.mark.parametrize("spec", cc.ALL_SPECS[::2], ids=cc.ids(cc.ALL_SPECS[::2]))
def test_unit_sample_weight_equals_none(spec):
    spec = cf.Spec(**{**spec.__dict__, "sample_weight": False})
    pa = cf.make_problem(spec)
    pb = pa.replace(sample_weight=np.full(pa.n_samples, 2.5))
    assert pb.sample_weight is not None
    _assert_same_certificates(pa, pb)


@pytest.mark.parametrize("storage", ["dense", "csr"])
@pytest.mark.parametrize("spec", cc.ALL_SPECS[::3], ids=cc.ids(cc.ALL_SPECS[::3]))
def test_integer_weights_equal_repeated_rows(spec, storage):
    spec = cf.Spec(**{**spec.__dict__, "sample_weight": False, "storage": storage})
    base = cf.make_problem(spec)
    n = base.n_samples
    counts = np.random.default_rng(3).integers(0, 4, size=n)
    counts[:2] = [0, 3]
    rows = np.repeat(np.arange(n), counts)
    X = base.X[rows]
    y = np.asarray(base.y)[rows]
    weighted = base.replace(sample_weight=counts)
    repeated = base.replace(X=X, y=y)
    _assert_same_certificates(weighted, repeated)
    # same optimum too
    if spec.mix != "ols":
        ref_w, ref_r = cf.reference_for_problem(weighted), cf.reference_for_problem(repeated)
        cf.assert_obj_close(ref_w.objective, ref_r.objective, 1e-9)


@pytest.mark.parametrize("spec", cc.ALL_SPECS[::2], ids=cc.ids(cc.ALL_SPECS[::2]))
def test_dense_equals_sparse(spec):
    dense = cf.make_problem(spec)
    for fmt in ("csc", "csr", "coo"):
        sparse = dense.replace(X=sp.coo_matrix(np.asarray(dense.X)).asformat(fmt))
        assert sp.issparse(sparse.X)
        _assert_same_certificates(dense, sparse)


@pytest.mark.parametrize("spec", cc.ALL_SPECS[::4], ids=cc.ids(cc.ALL_SPECS[::4]))
def test_float32_certificate_is_float64_accurate(spec):
    """A float32 X is certified in float64: identical to the float64 problem
    holding the same (float32-representable) numbers."""
    p32 = cf.make_problem(spec, dtype="float32")
    assert p32.X.dtype == np.float32
    p64 = p32.replace(X=np.asarray(p32.X, dtype=np.float64))
    _assert_same_certificates(p32, p64, rtol=1e-11)
    # At the float32-rounded optimum the gap is small (rounding of coef only).
    ref = cf.reference_for(cf.Spec(**{**spec.__dict__, "dtype": "float32"}))
    assert p32.dual_gap(ref.coef) <= 1e-12 * cf.p0_of(p32)
    rounded = ref.coef.astype(np.float32)
    assert p32.dual_gap(rounded) <= 1e-5 * cf.p0_of(p32)


def test_float32_large_offset_cancellation():
    """Columns with a large mean and small spread: accumulating X^T r in
    float32 would lose the signal; the certificate must not."""
    rng = np.random.default_rng(30)
    n, p = 2000, 5
    X32 = (1000.0 + rng.normal(size=(n, p))).astype(np.float32)
    X64 = X32.astype(np.float64)
    y = X64 @ np.array([1.0, -2.0, 0.0, 0.5, 0.0]) + rng.normal(size=n)
    p32, p64 = lk.lasso(X32, y, 0.05), lk.lasso(X64, y, 0.05)
    ref = cf.reference_for_problem(p64)
    for coef in (np.zeros(p), ref.coef, ref.coef + 1e-3):
        c32, c64 = p32.certify(coef), p64.certify(coef)
        assert c32.objective == pytest.approx(c64.objective, rel=1e-10)
        assert c32.dual_gap == pytest.approx(c64.dual_gap, rel=1e-6, abs=1e-10 * cf.p0_of(p64))
    assert p32.alpha_max() == pytest.approx(p64.alpha_max(), rel=1e-9)
