"""Time lassokit's ``"admm"`` and ``"osqp"`` backends against CVXPY and ``"cd"``.

Every solver runs through lassokit at ``tol=1e-6`` (relative duality gap)
and is timed end to end (problem construction, solve, certification); the
gap in the table is lassokit's own certificate of the returned coefficients,
so a solver that stops short shows the gap it reached. CVXPY runs with the
tight settings of lassokit's ``"cvxpy"`` backend (Clarabel; OSQP with
``eps=1e-9`` and polishing). One BLAS thread, solvers interleaved, medians
after a warm-up round (which also pays numba's JIT / cache load).

Problems (y centred, ``fit_intercept=False``, Lasso at ``alpha_max / ratio``):

* ``ar1``: dense 500 x 1,000 AR(1) design (rho = 0.5), 2% true non-zeros;
* ``diabetes``: scikit-learn's diabetes data (442 x 10, bundled);
* ``tall``: dense 200,000 x 200 AR(1), 5% true non-zeros. CVXPY is not run
  on it unless ``--cvxpy-tall`` is given: at 20,000 x 200 it already took
  18-31 s and ~1 GB (a 4e7-entry sparse matrix after canonicalization).

Usage::

    python benchmarks/bench_admm.py                          # all cases, ratios 10 and 100
    python benchmarks/bench_admm.py --cases ar1 --ratios 100 --repeats 3
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from _common import CASES, Case, dump_json, make_case, time_interleaved

import lassokit as lk

TARGET = 1e-6
AR1 = Case("ar1", 500, 1_000, "ar1", 0.02)
SOLVERS = {
    "admm": dict(backend="admm"),
    "osqp": dict(backend="osqp"),
    "cvxpy-clarabel": dict(backend="cvxpy", solver="CLARABEL"),
    "cvxpy-osqp": dict(backend="cvxpy", solver="OSQP"),
    "cd": dict(backend="cd"),
}


def load(case):
    """``(X, y, description)`` of a benchmark case; y centred."""
    if case == "diabetes":
        from sklearn.datasets import load_diabetes

        X, y = load_diabetes(return_X_y=True)
        return np.asfortranarray(X), y - y.mean(), "diabetes 442 x 10 (scikit-learn)"
    spec = AR1 if case == "ar1" else CASES[case]
    X, y = make_case(spec)
    return X, y, spec.describe()


def run_case(case, ratios, repeats, solvers, cvxpy_tall, log):
    X, y, desc = load(case)
    base = lk.lasso(X, y, 1.0, fit_intercept=False)
    amax = base.alpha_max()
    rows = []
    for ratio in ratios:
        alpha = amax / ratio
        chosen = {}
        for name in solvers:
            if name.startswith("cvxpy") and case == "tall" and not cvxpy_tall:
                continue
            if SOLVERS[name]["backend"] not in lk.available_backends():
                log(f"  {name}: backend not available, skipped")
                continue
            chosen[name] = SOLVERS[name]

        def runner(cfg, alpha=alpha):
            opts = {k: v for k, v in cfg.items() if k != "backend"}

            def fit():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", lk.ConvergenceWarning)
                    return lk.lasso(X, y, alpha, fit_intercept=False).solve(
                        cfg["backend"], tol=TARGET, **opts)
            return fit

        log(f"{case} alpha_max/{ratio}: timing {', '.join(chosen)}")
        timed = time_interleaved({k: runner(v) for k, v in chosen.items()}, repeats=repeats)
        for name, (median, times, sol) in timed.items():
            rows.append(dict(case=case, description=desc, ratio=ratio, alpha=alpha,
                             solver=name, time=median, times=times, rel_gap=float(sol.rel_gap),
                             converged=bool(sol.converged), nnz=int(sol.support.size),
                             n_iter=int(sol.n_iter)))
            log(f"  {name}: {median:.4f} s, rel gap {sol.rel_gap:.2e}, nnz {sol.support.size}")
        if case == "tall" and not cvxpy_tall:
            for name in ("cvxpy-clarabel", "cvxpy-osqp"):
                if name in solvers:
                    rows.append(dict(case=case, description=desc, ratio=ratio, alpha=alpha,
                                     solver=name, time=None, times=[], rel_gap=None,
                                     converged=None, nnz=None, n_iter=None))
    return rows


def table(rows):
    """A markdown table with speed-ups against CVXPY+OSQP and the time relative to cd."""
    out = [("| case | alpha | solver | time [s] | rel gap | nnz | cvxpy-osqp time / time "
            "| time / cd time |"), "|---|---|---|---|---|---|---|---|"]
    for (case, ratio) in dict.fromkeys((r["case"], r["ratio"]) for r in rows):
        group = [r for r in rows if r["case"] == case and r["ratio"] == ratio]
        ref = {r["solver"]: r["time"] for r in group}
        for r in group:
            head = f"| {case} | amax/{ratio} | {r['solver']} |"
            if r["time"] is None:
                out.append(head + " not run (see --cvxpy-tall) | - | - | - | - |")
                continue
            gap = f"{r['rel_gap']:.1e}" + ("" if r["converged"] else " (target missed)")
            vs_cvx = f"{ref['cvxpy-osqp'] / r['time']:.1f}" if ref.get("cvxpy-osqp") else "-"
            vs_cd = f"{r['time'] / ref['cd']:.2f}" if ref.get("cd") else "-"
            out.append(f"{head} {r['time']:.4f} | {gap} | {r['nnz']} | {vs_cvx} | {vs_cd} |")
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", default="ar1,diabetes,tall")
    ap.add_argument("--ratios", default="10,100")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--solvers", default=",".join(SOLVERS))
    ap.add_argument("--cvxpy-tall", action="store_true",
                    help="also run CVXPY on the 200,000 x 200 problem (minutes, GBs)")
    ap.add_argument("--json", help="write the rows to this file")
    args = ap.parse_args(argv)
    solvers = args.solvers.split(",")
    unknown = set(solvers) - set(SOLVERS)
    if unknown:
        ap.error(f"unknown solver(s): {', '.join(sorted(unknown))}")

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    rows = []
    for case in args.cases.split(","):
        if case not in ("ar1", "diabetes", "tall"):
            ap.error(f"unknown case {case!r}")
        rows += run_case(case, [int(r) for r in args.ratios.split(",")], args.repeats,
                         solvers, args.cvxpy_tall, log)
    print(table(rows))
    dump_json(args.json, rows)


if __name__ == "__main__":
    main()
