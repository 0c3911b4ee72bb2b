"""The ``"gpu"`` backend against ``"cd"`` and scikit-learn on large dense problems.

Cases: 2,000,000 x 500 (tall: sufficient statistics on the device, then
feature space) and 20,000 x 20,000 (square: device FISTA), each at
``alpha_max / 10`` and ``alpha_max / 100``, timed to a relative duality gap
of 1e-6 (every answer re-scored with lassokit's certificate), plus the time
of one ``X^T r`` pass on the device as the physical reference. CPU solvers
use every core (``--cpu-threads``); this script needs CuPy and a CUDA
device and says so otherwise.

Usage::

    python benchmarks/bench_gpu.py                 # both cases (GPU machine)
    python benchmarks/bench_gpu.py --scale 0.05    # smaller, e.g. to try it out
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import lassokit as lk  # noqa: E402
from lassokit.backends.gpu import namespace  # noqa: E402

CASES = {"tall": (2_000_000, 500), "square": (20_000, 20_000)}
TOL = 1e-6


def _data(n, p, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p), dtype=np.float64)
    w = np.zeros(p)
    w[: max(1, p // 50)] = rng.standard_normal(max(1, p // 50))
    return X, X @ w + rng.standard_normal(n)


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _xtr_pass(xp, X):
    Xd = xp.asarray(X)
    r = xp.asarray(np.ones(X.shape[0]))
    (Xd.T @ r).sum()  # warm-up
    if hasattr(xp, "cuda"):
        xp.cuda.Device().synchronize()
    t0 = time.perf_counter()
    for _ in range(5):
        s = (Xd.T @ r).sum()
    float(s)
    return (time.perf_counter() - t0) / 5


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", nargs="+", default=sorted(CASES))
    ap.add_argument("--scale", type=float, default=1.0, help="shrink n (and p for square)")
    ap.add_argument("--no-sklearn", action="store_true")
    ap.add_argument("--json", help="write the rows to this file")
    args = ap.parse_args(argv)
    xp, where = namespace("auto")
    if where != "cuda":
        print("bench_gpu: no CUDA device (or no CuPy): nothing to measure here. "
              "Run it on a GPU machine with `pip install cupy-cuda12x`.")
        return 0
    rows = []
    for case in args.cases:
        n, p = CASES[case]
        n = max(100, int(n * args.scale))
        p = max(10, int(p * args.scale)) if case == "square" else p
        X, y = _data(n, p)
        t_pass = _xtr_pass(xp, X)
        base = lk.lasso(X, y, 1.0)
        amax = base.alpha_max()
        for div in (10, 100):
            pr = base.replace(penalty=lk.L1(amax / div))
            pr.solve("gpu", tol=1e-2, device="cuda")  # compile / CUDA context
            t_gpu, sg = _timed(lambda: pr.solve("gpu", tol=TOL, device="cuda"))
            t_cd, sc = _timed(lambda: pr.solve("cd", tol=TOL))
            row = {"case": case, "n": n, "p": p, "alpha": f"amax/{div}", "gpu_s": t_gpu,
                   "cd_s": t_cd, "xtr_pass_s": t_pass, "gpu_route": sg.info["route"],
                   "gpu_rel_gap": sg.rel_gap, "cd_rel_gap": sc.rel_gap,
                   "objective_rel_diff": abs(sg.objective - sc.objective) / sc.objective}
            if not args.no_sklearn:
                from sklearn.linear_model import Lasso

                t_sk, m = _timed(lambda: Lasso(alpha=amax / div, tol=1e-6,
                                               precompute=n > p).fit(X, y))
                row["sklearn_s"] = t_sk
                row["sklearn_rel_gap"] = pr.certify(m.coef_).rel_gap
            rows.append(row)
            print(json.dumps(row))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
