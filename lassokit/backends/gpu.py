"""The ``"gpu"`` backend: dense problems on a CUDA device through CuPy, or on the CPU.

The algorithms (:mod:`lassokit.backends._gpu_solve`) are written for an
array namespace, so the code that runs on the device is the code the CPU
tests run with numpy. X (dense, numpy) is copied to the device once,
centred there in float64 (float32 X takes twice its size there); the answer is certified by the problem layer from sums
computed on the device (one pass ``Xc^T S r``) with the certificate's own
dual formula.
"""

from __future__ import annotations

import functools
import importlib.util

import numpy as np

from ..certificate import DualSums, certify
from .base import Backend, BackendResult, Capabilities

__all__ = ["GpuBackend"]

_FLOOR = 1e-10
#: Tightening rounds of the gram route when unpenalized features are present.
_ROUNDS = 4


@functools.lru_cache(maxsize=1)
def cuda_device_count():
    """CUDA devices that CuPy sees: 0 without CuPy, a driver or a device.

    Probed once per process: listing the backends (``available_backends``,
    the command line's help) must not import CuPy again each time.
    """
    if importlib.util.find_spec("cupy") is None:
        return 0
    try:
        import cupy

        return int(cupy.cuda.runtime.getDeviceCount())
    except Exception:  # noqa: BLE001 - a broken CuPy, no driver, no device
        return 0


def namespace(device):
    """``(xp, name)`` for ``device`` in {"auto", "cuda", "cpu"}."""
    if device not in ("auto", "cuda", "cpu"):
        raise ValueError(f"device must be 'auto', 'cuda' or 'cpu', got {device!r}.")
    if device == "cpu":
        return np, "cpu"
    if cuda_device_count() > 0:
        import cupy

        return cupy, "cuda"
    if device == "cuda":
        raise ValueError("device='cuda' needs CuPy and a CUDA device "
                         "(pip install cupy-cuda12x); use device='cpu' or backend='cd'.")
    return np, "cpu"


class GpuBackend(Backend):
    """Dense Lasso / Elastic Net / Ridge on a GPU (CuPy), with a numpy CPU fallback.

    Options
    -------
    device : {"auto", "cuda", "cpu"}, default="auto"
        ``"auto"``: CUDA when CuPy and a device are present, else the CPU
        (numpy). ``"cuda"`` without them is an error.
    route : {"auto", "gram", "fista"}, default="auto"
        ``"gram"``: sufficient statistics on the device, coordinate descent
        in feature space (``n >> p``); ``"fista"``: accelerated proximal
        gradient on the device. ``"auto"``: gram when ``n >= p`` and
        ``p <= max_gram_p``.
    max_gram_p : int, default=4096

    Notes
    -----
    Dense X only (sparse X: use ``"cd"``). ``backend="auto"`` never picks
    this backend. ``max_iter`` counts feature-space epochs (gram) or
    proximal-gradient iterations (fista). Without a CUDA device the backend
    is *emulated* (:meth:`emulated`): ``available_backends()`` and
    ``verify()``'s default leave it out, and ``backend="gpu"`` by name runs
    the same code on the CPU (``Solution.info["device"] == "cpu"``).
    """

    name = "gpu"
    exact_sums = True
    capabilities = Capabilities(sparse=False)
    options = {"device": "auto", "route": "auto", "max_gram_p": 4096}
    default_max_iter = 20000

    def emulated(self):
        """None with a CUDA device; otherwise says that the code runs on the CPU."""
        if cuda_device_count() > 0:
            return None
        return "no CUDA device: runs on the CPU through numpy"

    def solve(self, problem, *, tol, max_iter, warm_start, device="auto", route="auto",
              max_gram_p=4096):
        if route not in ("auto", "gram", "fista"):
            raise ValueError(f"route must be 'auto', 'gram' or 'fista', got {route!r}.")
        if isinstance(max_gram_p, bool) or not isinstance(max_gram_p, (int, np.integer)) \
                or max_gram_p < 1:
            raise ValueError(f"max_gram_p must be an integer >= 1, got {max_gram_p!r}.")
        from ..kernels._common import dual_objective  # numba, at the first solve only
        from . import _gpu_solve as gs

        xp, where = namespace(device)
        d = problem._design
        n, p = d.n, d.p
        if route == "auto":
            route = "gram" if (n >= p and p <= max_gram_p) else "fista"
        data = gs.DeviceData(xp, problem.X, d)
        w0 = np.zeros(p) if warm_start is None else np.array(warm_start, dtype=np.float64)
        tol_abs = tol * d.p0

        def dual(a, nb, u):
            return dual_objective(float(a), float(nb), np.ascontiguousarray(u), d.lam, d.mu,
                                  d.box)[0]

        if route == "gram":
            from ._cd_ops import gram_solve, vanishing

            G, b = gs.gram_statistics(data)
            L = np.diag(G).copy()
            L[vanishing(L, d.x_offset)] = 0.0
            w = w0.copy()
            tol_in, n_iter = 0.5 * tol_abs, 0
            for _ in range(_ROUNDS):
                ep, gap = gram_solve(G, b, 2.0 * d.p0, w, np.ascontiguousarray(d.lam),
                                     np.ascontiguousarray(d.mu), L, d.box,
                                     tol_in, _FLOOR * d.p0, max(max_iter - n_iter, 1), 5, 5)
                n_iter += ep
                status = "success" if gap <= tol_in else (
                    "max_iter" if n_iter >= max_iter else "stalled")
                # Unpenalized features: the feature-space gap is a heuristic
                # for them (see ws_gap); the exact one decides, tighter if needed.
                if status != "success" or not d.unpenalized.size \
                        or certify(d, problem.X, w).dual_gap <= tol_abs:
                    break
                tol_in *= 0.01
        else:
            w, n_iter, status = gs.fista(data, d, w0, 0.5 * tol_abs, max_iter, dual)
        # One pass each way on the device (float64): the certificate's sums.
        fit, a, u, r = data.sums(w)
        sums = DualSums(fit, a, gs.to_host(u),
                        gs.to_host(r) if d.unpenalized.size else None)
        return BackendResult(coef=w, n_iter=n_iter, status=status, sums=sums,
                             info={"device": where, "route": route})
