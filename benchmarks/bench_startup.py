"""Start-up costs, each in a fresh process: import, first solve, first fit, cold compile.

Every figure is the wall time of a whole fresh ``python`` process (start-up,
imports, data, fit, exit), measured from outside, repeated and given as
min / median / max; quote the median. BLAS and OpenMP pools are pinned to one
thread. Cases:

``import``
    ``import lassokit`` (a reference: numpy and scipy.sparse included).
``solve (warm)``
    ``import lassokit as lk`` + ``lk.lasso(X, y, a).solve()`` on 100 x 1,000
    with a warm numba cache (target <= 0.5 s). The child also reports the
    solve's wall time, ``Solution.solve_time`` and ``Solution.info``'s
    ``load_time`` and ``compile_time``.
``numba floor (warm)``
    ``import numpy, scipy.sparse, numba`` + one call of a cached trivial
    kernel: what any numba-backed first solve pays before lassokit's own work.
``Lasso fit (warm)`` and ``sklearn Lasso fit``
    ``from lassokit import Lasso`` + fit against ``from sklearn.linear_model
    import Lasso`` + fit on the same data, run in turn (A B A B ...) so the
    ratio is taken pair by pair (target <= 1.15).
``Lasso fit (cold)``
    The same lassokit fit with an empty numba cache (a fresh
    ``NUMBA_CACHE_DIR`` per run; target <= 6 s).
``demo (cold)`` / ``demo (warm)``
    ``python -m lassokit demo`` with an empty and a warm cache (target <= 8 s).

Usage::

    python benchmarks/bench_startup.py                  # everything, ~3 min on 2 cores
    python benchmarks/bench_startup.py --repeats 7 --cold-repeats 3
    python benchmarks/bench_startup.py --only warm      # skip the empty-cache cases
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CPU = []  # CPU seconds of every process run, in order

# The data: 100 x 1,000 Gaussian, y from 5 columns plus noise; no BLAS call.
_DATA = """
import numpy as np
rng = np.random.default_rng(0)
X = rng.standard_normal((100, 1000))
y = X[:, :5].sum(axis=1) + 0.1 * rng.standard_normal(100)
"""

SOLVE = """
import json, time
t0 = time.perf_counter()
import lassokit as lk
t1 = time.perf_counter()
""" + _DATA + """
t2 = time.perf_counter()
sol = lk.lasso(X, y, 0.1).solve()
t3 = time.perf_counter()
assert sol.converged
print(json.dumps(dict(import_s=t1 - t0, solve_wall=t3 - t2, solve_time=sol.solve_time,
                      load_time=sol.info.get("load_time"),
                      compile_time=sol.info.get("compile_time"))))
"""

LK_FIT = """
from lassokit import Lasso
""" + _DATA + """
Lasso(alpha=0.1).fit(X, y)
"""

SK_FIT = """
from sklearn.linear_model import Lasso
""" + _DATA + """
Lasso(alpha=0.1).fit(X, y)
"""

IMPORT = "import lassokit"

FLOOR = """
import os, sys
sys.path.insert(0, {dir!r})
import numpy, scipy.sparse, numba
import _floor_kernel
_floor_kernel.f(1.0)
"""

FLOOR_KERNEL = """
import numba

@numba.njit(cache=True)
def f(x):
    return x + 1.0
"""


def _env(cache_dir=None):
    env = dict(os.environ)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, env.get("PYTHONPATH")) if p)
    env.pop("NUMBA_DISABLE_JIT", None)
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    return env


def _cpu_children():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _run(argv, cache_dir=None, cwd=None):
    """Wall seconds of one fresh process, and its standard output.

    The process's CPU seconds (user + system) are appended to ``CPU``: on a
    shared machine they are the steadier figure (one BLAS thread: CPU = wall
    on an idle machine).
    """
    c0 = _cpu_children()
    t0 = time.perf_counter()
    proc = subprocess.run(argv, env=_env(cache_dir), cwd=cwd or ROOT, capture_output=True,
                          text=True, timeout=900)
    wall = time.perf_counter() - t0
    CPU.append(_cpu_children() - c0)
    if proc.returncode != 0:
        raise RuntimeError(f"{argv} failed:\n{proc.stderr}")
    return wall, proc.stdout


def _py(code):
    return [sys.executable, "-c", code]


def _stats(walls, cpus):
    return dict(wall=_mmm(walls), cpu=_mmm(cpus))


def _mmm(xs):
    return dict(min=min(xs), median=statistics.median(xs), max=max(xs), runs=list(xs))


def _timed(cmd, repeats, cold=False):
    """Wall and CPU seconds of ``repeats`` fresh runs of ``cmd`` (``cold``: empty cache each)."""
    walls, cpus, outputs = [], [], []
    for _ in range(repeats):
        if cold:
            with tempfile.TemporaryDirectory(prefix="numba-cold-") as cache:
                wall, text = _run(cmd, cache_dir=cache, cwd=cache)
        else:
            wall, text = _run(cmd)
        walls.append(wall)
        cpus.append(CPU[-1])
        outputs.append(text)
    return walls, cpus, outputs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7, help="runs per warm case")
    ap.add_argument("--cold-repeats", type=int, default=3, help="runs per empty-cache case")
    ap.add_argument("--only", choices=("warm", "cold"), default=None)
    ap.add_argument("--json", default=None, help="also write the figures to this file")
    args = ap.parse_args(argv)
    out, extra = {}, {}
    demo = [sys.executable, "-m", "lassokit", "demo", "--plot"]

    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        plot = os.path.join(tmp, "path.png")
        demo.append(plot)
        if args.only != "cold":
            with open(os.path.join(tmp, "_floor_kernel.py"), "w") as fh:
                fh.write(FLOOR_KERNEL)
            floor = _py(FLOOR.format(dir=tmp))
            # Warm-up (fills the default numba caches), untimed.
            for cmd in (_py(SOLVE), _py(LK_FIT), _py(SK_FIT), floor, demo):
                _run(cmd)
            out["import"] = _stats(*_timed(_py(IMPORT), args.repeats)[:2])
            walls, cpus, texts = _timed(_py(SOLVE), args.repeats)
            out["solve (warm)"] = _stats(walls, cpus)
            inner = [json.loads(t.strip().splitlines()[-1]) for t in texts]
            extra["solve (warm), in process (medians)"] = {
                key: statistics.median(r[key] for r in inner)
                for key in inner[0] if all(r[key] is not None for r in inner)}
            out["numba floor (warm)"] = _stats(*_timed(floor, args.repeats)[:2])
            lk, sk = ([], []), ([], [])
            for _ in range(args.repeats):  # interleaved: A B A B ...
                for acc, cmd in ((lk, _py(LK_FIT)), (sk, _py(SK_FIT))):
                    w, c, _ = _timed(cmd, 1)
                    acc[0].extend(w)
                    acc[1].extend(c)
            out["Lasso fit (warm)"] = _stats(*lk)
            out["sklearn Lasso fit"] = _stats(*sk)
            out["ratio lassokit / sklearn"] = _stats(
                [a / b for a, b in zip(*(x[0] for x in (lk, sk)))],
                [a / b for a, b in zip(*(x[1] for x in (lk, sk)))])
            out["demo (warm)"] = _stats(*_timed(demo, max(1, args.repeats // 2))[:2])
        if args.only != "warm":
            out["Lasso fit (cold)"] = _stats(*_timed(_py(LK_FIT), args.cold_repeats, True)[:2])
            out["demo (cold)"] = _stats(*_timed(demo, args.cold_repeats, True)[:2])

    print(f"python {sys.version.split()[0]}, one BLAS thread, seconds of whole fresh "
          "processes (wall, and CPU = user + system)")
    print(f"{'case':26s} {'wall min':>8s} {'median':>8s} {'max':>8s}   "
          f"{'cpu min':>8s} {'median':>8s} {'max':>8s}")
    for name, s in out.items():
        w, c = s["wall"], s["cpu"]
        print(f"{name:26s} {w['min']:8.3f} {w['median']:8.3f} {w['max']:8.3f}   "
              f"{c['min']:8.3f} {c['median']:8.3f} {c['max']:8.3f}")
    for name, s in extra.items():
        print(f"{name}: " + ", ".join(f"{k}={v:.3f}" for k, v in s.items()))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(dict(out, **extra), fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
