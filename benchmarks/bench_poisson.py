"""Time lassokit's L1 Poisson regression against glum and skglm: a path and single solves.

Objective for everyone (counts y >= 0, log link, no intercept)::

    P(w) = 1/n sum_i (exp(x_i^T w) - y_i x_i^T w + y_i log y_i - y_i) + alpha ||w||_1

(half the mean Poisson deviance: glum's ``family="poisson"`` objective; skglm's
``Poisson`` datafit up to a constant). ``alpha_max = ||X^T (y - 1)||_inf / n``.

* ``path``: 50 alphas alpha_max .. alpha_max/100 (geometric) --
  ``lk.path(lk.Problem(X, y, lk.L1(1.0), loss="poisson", fit_intercept=False),
  alphas=grid)`` against glum's ``alpha_search`` path and a warm-started loop
  of skglm's ``GeneralizedLinearEstimator(Poisson(), L1(alpha),
  ProxNewton(fit_intercept=False, warm_start=True))``.
* ``single``: alpha_max/10 and /100, the problem built inside the timing,
  and ``lk.PoissonRegressor`` (where lassokit has it).

Design: dense AR(1) (rho = 0.5) 100,000 x 200 (``--size small``: 10,000 x
200), 20 standard-normal true coefficients, ``y ~ Poisson(exp(z))`` with
``z`` the (centred, noisy) linear target of ``_common.make_case`` scaled to
standard deviation 0.5. Same method as ``bench_logistic.py``: re-scored by
lassokit's certificate, competitors at their loosest passing ``tol``
(grid ``10^(-k/2)``), lassokit at ``tol=1e-6``, one BLAS thread,
interleaved, CPU-time medians.

Usage::

    python benchmarks/bench_poisson.py --size small
    nice python benchmarks/bench_poisson.py --size full --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import Case, dump_json, make_case, one_thread, time_interleaved_both
from _logistic_setup import calibrated

# Importing bench_logistic sets the thread pools' environment (OpenMP, numexpr) to one
# thread before any competitor is imported.
from bench_logistic import TARGET, env_summary, log, quiet, table

import lassokit as lk

N_PATH = 50
PATH_EPS = 1e-2
SIZES = {"full": (100_000, 200), "small": (10_000, 200)}
START_TOL = {"glum": 1e-6, "skglm": 1e-6}
COMPETITORS = ["glum", "skglm"]


def make_counts(size, seed=0):
    """``(X, y)``: AR(1) design, Poisson counts with log-mean of standard deviation 0.5."""
    n, p = SIZES[size]
    X, z = make_case(Case("poisson", n, p, "ar1", 20 / p), seed=seed)
    z = 0.5 * z / np.sqrt(np.mean(z * z))
    y = np.random.default_rng(seed + 1).poisson(np.exp(z)).astype(np.float64)
    return X, y


def problem(X, y, alpha):
    return lk.Problem(X, y, lk.L1(alpha), loss="poisson", fit_intercept=False)


def competitors(X, y, grid, solvers):
    """name -> fit(tol) returning coefs (p, len(grid)) along the decreasing ``grid``."""
    p = X.shape[1]
    out = {}
    try:
        from glum import GeneralizedLinearRegressor
    except ImportError:
        GeneralizedLinearRegressor = None
    if GeneralizedLinearRegressor is not None:
        if grid.size > 1:
            out["glum"] = lambda tol: GeneralizedLinearRegressor(
                family="poisson", alpha_search=True, alphas=grid, l1_ratio=1.0,
                fit_intercept=False, gradient_tol=tol, max_iter=1_000).fit(X, y).coef_path_.T
        else:
            out["glum"] = lambda tol: GeneralizedLinearRegressor(
                family="poisson", alpha=float(grid[0]), l1_ratio=1.0, fit_intercept=False,
                gradient_tol=tol, max_iter=1_000).fit(X, y).coef_[:, None]
    try:
        from skglm import GeneralizedLinearEstimator
        from skglm.datafits import Poisson
        from skglm.penalties import L1
        from skglm.solvers import ProxNewton
    except ImportError:
        GeneralizedLinearEstimator = None
    if GeneralizedLinearEstimator is not None:
        def skglm_fit(tol):
            est = GeneralizedLinearEstimator(
                Poisson(), L1(float(grid[0])),
                ProxNewton(fit_intercept=False, tol=tol, max_iter=200, warm_start=True))
            coefs = np.empty((p, grid.size))
            for k, a in enumerate(grid):
                est.penalty = L1(float(a))
                coefs[:, k] = est.fit(X, y).coef_
            return coefs
        out["skglm"] = skglm_fit
    return {k: quiet(v) for k, v in out.items() if k in solvers}


def score_along(X, y, grid):
    problems = [problem(X, y, float(a)) for a in grid]

    def score(coefs):
        coefs = np.asarray(coefs, dtype=np.float64)
        return max(pb.certify(np.ascontiguousarray(coefs[:, k])).rel_gap
                   for k, pb in enumerate(problems))
    return score


def run(X, y, grid, label, repeats, solvers, cap_s, single_alpha=None):
    """One table row: competitors calibrated, lassokit (problem layer, estimator) timed."""
    score = score_along(X, y, grid)
    row = {"problem": "poisson", "model": label, "ratio": single_alpha, "cal": {}, "cpu": {},
           "wall": {}, "gaps": {}, "nnz": {}, "status": {}}
    timed = calibrated(competitors(X, y, grid, solvers), score, row, label, cap_s,
                       start_tol=START_TOL)
    if "lassokit" in solvers:
        if grid.size > 1:
            timed["lassokit"] = lambda: lk.path(problem(X, y, 1.0), alphas=grid, tol=TARGET)
        else:
            timed["lassokit"] = lambda: problem(X, y, float(grid[0])).solve(tol=TARGET)
    est_cls = getattr(lk, "PoissonRegressor", None) if grid.size == 1 else None
    if est_cls is not None and "lassokit-est" in solvers:
        timed["lassokit-est"] = lambda: est_cls(
            alpha=float(grid[0]), l1_ratio=1.0, fit_intercept=False, tol=TARGET).fit(X, y).coef_[:, None]
    with one_thread():
        row["first_s"] = {}
        for ours in ("lassokit", "lassokit-est"):
            if ours in timed:
                t0 = time.perf_counter()
                timed[ours]()
                row["first_s"][ours] = time.perf_counter() - t0
    res = time_interleaved_both(timed, repeats=repeats, warmup=0)
    for sname, rec in res.items():
        out = rec["result"]
        if sname == "lassokit":
            if grid.size > 1:
                conv = np.asarray(out.converged)
                row["status"][sname] = ("ok" if conv.all() else
                                        f"{int((~conv).sum())} of {conv.size} not converged")
                coefs = out.coefs
            else:
                row["status"][sname] = out.status
                coefs = out.coef[:, None]
        else:
            coefs = out
        row["cpu"][sname], row["wall"][sname] = rec["cpu"], rec["wall"]
        row["gaps"][sname] = score(coefs)
        row["nnz"][sname] = int(np.count_nonzero(np.asarray(coefs)[:, -1]))
    log("  " + json.dumps({k: row[k] for k in ("model", "cpu", "gaps", "status")}, default=str))
    return row


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", choices=("small", "full"), default="small")
    ap.add_argument("--part", default="path,single")
    ap.add_argument("--ratios", default="10,100")
    ap.add_argument("--solvers", default="lassokit,lassokit-est,glum,skglm")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--cap", type=float, default=300.0)
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    solvers = args.solvers.split(",")
    X, y = make_counts(args.size)
    a_max = problem(X, y, 1.0).alpha_max()
    out = {"env": env_summary(), "argv": sys.argv[1:], "size": args.size, "rows": []}
    print(f"Machine: {out['env']}\n")
    print(f"- poisson: dense AR(1) rho=0.5 {X.shape[0]:,} x {X.shape[1]:,}, counts with mean "
          f"{y.mean():.2f}, {np.mean(y == 0):.0%} zeros, alpha_max {a_max:.4g}")
    rows = []
    if "path" in args.part:
        grid = np.geomspace(a_max, a_max * PATH_EPS, N_PATH)
        rows.append(run(X, y, grid, f"L1 path ({N_PATH} alphas)", args.repeats, solvers,
                        args.cap))
    if "single" in args.part:
        for ratio in (int(r) for r in args.ratios.split(",")):
            rows.append(run(X, y, np.array([a_max / ratio]), f"L1 amax/{ratio}", args.repeats,
                            solvers, args.cap / 3, single_alpha=ratio))
    print(f"\n## Poisson, target rel gap {TARGET:g} (worst over the path); CPU seconds, "
          f"medians of {args.repeats}\n")
    print(table(rows, single=False, competitors=COMPETITORS))
    out["rows"] = rows
    dump_json(args.json, out, default=str)


if __name__ == "__main__":
    main()
