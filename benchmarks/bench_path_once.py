"""One run of each solver on a 100-alpha Lasso path at fixed tolerances, re-scored.

``bench_path.py`` calibrates every competitor's ``tol`` (the loosest that
meets a relative gap of 1e-6 at every alpha) and interleaves repeats; on the
sparse case that takes over 25 minutes here. This script runs each solver
once at the given ``tol`` (CPU seconds, one BLAS thread, JIT warmed up) and
reports how many alphas lassokit's certificate finds above 1e-6, so an
uncalibrated competitor shows as such instead of being timed at a looser
target.

Usage::

    python benchmarks/bench_path_once.py --case sparse
    python benchmarks/bench_path_once.py --case sparse --tols scikit-learn=3.16e-7 celer=1e-8
    python benchmarks/bench_path_once.py --case sparse --only skglm --tols skglm=1e-8
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from _common import CASES, make_case, one_thread
from bench_path import path_competitors, path_rescore

import lassokit as lk

#: Default tolerances: scikit-learn's is the one bench_path.py calibrated on
#: the sparse case (10^-6.5); the others are their own scales' 1e-6.
DEFAULT_TOLS = {"lassokit": 1e-6, "scikit-learn": 10 ** -6.5, "skglm": 1e-6, "celer": 1e-6,
                "glmnet": 1e-12}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=sorted(CASES), default="sparse")
    parser.add_argument("--tols", nargs="*", default=[], metavar="NAME=TOL")
    parser.add_argument("--only", nargs="*", default=None, metavar="NAME",
                        help="run only these solvers (e.g. --only skglm --tols skglm=1e-8)")
    args = parser.parse_args(argv)
    tols = dict(DEFAULT_TOLS)
    for item in args.tols:
        name, _, value = item.partition("=")
        tols[name] = float(value)
    X, y = make_case(args.case)[:2]
    y = y - y.mean()
    base = lk.lasso(X, y, 1.0, fit_intercept=False)
    grid = lk.alpha_grid(base, 100, 1e-3)
    problems = [base.replace(penalty=lk.L1(float(a))) for a in grid]
    solvers = {"lassokit": lambda tol: lk.path(base, alphas=grid, backend="cd", tol=tol).coefs}
    solvers.update(path_competitors(X, y, grid))
    if args.only is not None:
        solvers = {k: v for k, v in solvers.items() if k in args.only}
    # JIT warm-up: a whole path on a tenth of the columns compiles every
    # kernel the timed path uses (two strengths left the slow-strength ones
    # to compile inside the timing with a cold numba cache: +5 s).
    t0 = time.perf_counter()
    small = lk.lasso(X[:, : max(X.shape[1] // 10, 1)], y, 1.0, fit_intercept=False)
    lk.path(small, alphas=lk.alpha_grid(small, 100, 1e-3))
    print(f"warm-up (JIT compile with a cold cache) {time.perf_counter() - t0:.1f} s")
    print(f"100-alpha Lasso path, {CASES[args.case].describe()}; one run each")
    with one_thread():
        for name, fit in solvers.items():
            if name == "skglm":
                from skglm import Lasso as SkglmLasso

                SkglmLasso(alpha=grid[0], fit_intercept=False).fit(X, y)  # JIT warm-up
            t0 = time.process_time()
            coefs = fit(tols[name])
            cpu = time.process_time() - t0
            gaps = path_rescore(problems, coefs)
            print(f"{name:13s} tol {tols[name]:.3g}  cpu {cpu:8.2f} s  max re-scored rel gap "
                  f"{gaps.max():.2g}  alphas above 1e-6: {int((gaps > 1e-6).sum())}", flush=True)


if __name__ == "__main__":
    main()
