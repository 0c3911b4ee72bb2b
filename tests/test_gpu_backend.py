"""The "gpu" backend's code path, run on the CPU through numpy (and on CUDA when present).

Every option of the objective on both routes (sufficient statistics +
feature-space CD; device FISTA), float32 and float64, against the
certificate and a tight "cd" solve.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import converged_ref

import lassokit as lk
from lassokit.backends.gpu import namespace


def _data(n, p, seed=0, dtype=np.float64):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p) + 3.0
    y = X[:, :3] @ [1.0, -2.0, 3.0] + 0.1 * rng.randn(n)
    return X.astype(dtype), y, rng.uniform(0.5, 2.0, n)


PENALTIES = {
    "lasso": lambda p: lk.L1(0.05),
    "enet": lambda p: lk.L1(0.05) + lk.L2(0.1),
    "weighted": lambda p: lk.L1(0.05, weights=np.r_[0.0, np.linspace(0.5, 2, p - 1)]),
    "ridge": lambda p: lk.L2(0.5),
}


@pytest.mark.parametrize("shape, route", [((400, 15), "gram"), ((40, 150), "fista")])
@pytest.mark.parametrize("pen", sorted(PENALTIES))
@pytest.mark.parametrize("opts", ["plain", "weights", "positive", "no_intercept"])
def test_every_option_matches_cd_on_the_cpu_path(shape, route, pen, opts):
    X, y, sw = _data(*shape)
    kw = {"weights": {"sample_weight": sw}, "positive": {"positive": True},
          "no_intercept": {"fit_intercept": False}}.get(opts, {})
    pr = lk.Problem(X, y, PENALTIES[pen](shape[1]), **kw)
    ref = converged_ref(pr.solve("cd", tol=1e-12, max_iter=200_000))
    sol = pr.solve("gpu", tol=1e-9, device="cpu")
    assert sol.info == {"device": "cpu", "route": route}
    assert sol.converged
    # The problem layer's certificate, recomputed from X, agrees with the
    # sums handed over from the device pass.
    assert pr.certify(sol.coef).rel_gap <= 1e-9 * 1.001
    assert sol.objective == pytest.approx(ref.objective, rel=1e-8)


@pytest.mark.parametrize("route", ["gram", "fista"])
def test_float32_keeps_its_dtype_and_is_certified(route):
    X, y, _ = _data(300, 20, dtype=np.float32)
    pr = lk.lasso(X, y, 0.05)
    sol = pr.solve("gpu", tol=1e-6, device="cpu", route=route)
    assert sol.coef.dtype == np.float32 and sol.converged
    ref = converged_ref(pr.solve("cd", tol=1e-10))
    assert sol.objective == pytest.approx(ref.objective, rel=1e-6)


def test_shifted_columns_and_warm_start():
    X, y, _ = _data(200, 5)
    X = X + 1e9  # centred on the device entry by entry
    pr = lk.lasso(X, y, 0.01)
    ref = converged_ref(pr.solve("cd", tol=1e-12, max_iter=100_000))
    for route in ("gram", "fista"):
        sol = pr.solve("gpu", tol=1e-10, device="cpu", route=route, warm_start=ref.coef)
        assert sol.converged
        np.testing.assert_allclose(sol.coef, ref.coef, atol=1e-5)


def test_bad_input_and_options():
    X, y, _ = _data(30, 4)
    with pytest.raises(ValueError, match="gpu"):
        lk.lasso(sp.csr_matrix(X), y, 0.1).solve("gpu")
    with pytest.raises(ValueError, match="route"):
        lk.lasso(X, y, 0.1).solve("gpu", route="newton")
    with pytest.raises(ValueError, match="device"):
        namespace("tpu")
    # "auto" never picks the gpu backend.
    assert lk.lasso(X, y, 0.1).solve().backend != "gpu"


def _cuda_available():
    if importlib.util.find_spec("cupy") is None:
        return False
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # noqa: BLE001
        return False


@pytest.mark.skipif(not _cuda_available(), reason="needs CuPy and a CUDA device")
@pytest.mark.parametrize("route", ["gram", "fista"])
def test_cuda_matches_the_cpu_path(route):
    X, y, sw = _data(500, 20)
    pr = lk.elastic_net(X, y, 0.05, l1_ratio=0.7, sample_weight=sw)
    gpu = pr.solve("gpu", tol=1e-10, device="cuda", route=route)
    cpu = pr.solve("gpu", tol=1e-10, device="cpu", route=route)
    assert gpu.info["device"] == "cuda" and gpu.converged
    assert gpu.objective == pytest.approx(cpu.objective, rel=1e-10)


def test_cuda_request_without_device_is_a_clear_error():
    if _cuda_available():
        pytest.skip("a CUDA device is present")
    X, y, _ = _data(30, 4)
    with pytest.raises(ValueError, match="CuPy and a CUDA device"):
        lk.lasso(X, y, 0.1).solve("gpu", device="cuda")
