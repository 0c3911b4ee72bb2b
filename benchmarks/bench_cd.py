"""Time lassokit's ``"cd"`` backend against scikit-learn, celer and skglm.

Every answer is re-scored with lassokit's certificate; competitors run at
the loosest ``tol`` (from 1e-2 down, grid step ``10^0.5``) whose re-scored
relative duality gap meets the target (1e-6) — an advantage no real user
has. lassokit runs at ``tol=1e-6`` as a user would, timed end to end
(problem construction, solve and certification; the backend's own share is
reported too). One BLAS thread, solvers interleaved, medians after a
warm-up round; process CPU time and wall time are both recorded (CPU time
is steadier on a shared machine). See ``benchmarks/README.md``.

Usage::

    python benchmarks/bench_cd.py                      # everything (~15-25 min)
    python benchmarks/bench_cd.py --cases small --repeats 3
    python benchmarks/bench_cd.py --startup-only       # compile + fresh-process timings
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from _common import CASES, calibrate_tol, make_case, rescore, time_interleaved_both

import lassokit as lk

TARGET = 1e-6
L1_RATIO = 0.5


def lk_problem(X, y, model, alpha):
    if model == "lasso":
        return lk.lasso(X, y, alpha, fit_intercept=False)
    return lk.elastic_net(X, y, alpha, L1_RATIO, fit_intercept=False)


def competitor_fits(X, y, model, alpha, tall):
    """name -> fit(tol) returning coef; every solver on the same (X, y, alpha)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import ElasticNet, Lasso

    def sk(precompute):
        def fit(tol):
            est = (Lasso(alpha=alpha, fit_intercept=False, tol=tol, max_iter=100_000,
                         precompute=precompute) if model == "lasso" else
                   ElasticNet(alpha=alpha, l1_ratio=L1_RATIO, fit_intercept=False, tol=tol,
                              max_iter=100_000, precompute=precompute))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                return est.fit(X, y).coef_
        return fit

    fits = {"sklearn": sk(False)}
    if tall:
        fits["sklearn-gram"] = sk(True)
    for module_name in ("celer", "skglm"):
        # Same estimator API in both: Lasso / ElasticNet with max_epochs.
        try:
            module = __import__(module_name)
        except ImportError:
            continue

        def other_fit(tol, module=module):
            est = (module.Lasso(alpha=alpha, fit_intercept=False, tol=tol, max_iter=1000,
                                max_epochs=100_000) if model == "lasso" else
                   module.ElasticNet(alpha=alpha, l1_ratio=L1_RATIO, fit_intercept=False,
                                     tol=tol, max_iter=1000, max_epochs=100_000))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return est.fit(X, y).coef_
        fits[module_name] = other_fit
    return fits


def run_case(case_name, models, ratios, repeats, solvers, log):
    case = CASES[case_name]
    X, y = make_case(case)
    rows = []
    for model in models:
        for ratio in ratios:
            base = lk_problem(X, y, model, 1.0)
            alpha_max = base.alpha_max() / (1.0 if model == "lasso" else L1_RATIO)
            alpha = alpha_max / ratio
            prob = lk_problem(X, y, model, alpha)
            fits = {k: v for k, v in competitor_fits(X, y, model, alpha, case.n > case.p).items()
                    if k in solvers or k.split("-")[0] in solvers}
            timed, tols = {}, {}
            for name, fit in fits.items():
                fit(1e-2)  # first call in this process: JIT for skglm/celer
                tol, gap = calibrate_tol(fit, prob, TARGET, start=1e-2, factor=10 ** 0.5)
                tols[name] = tol
                log(f"  {case_name} {model} /{ratio} {name}: calibrated tol {tol} (gap {gap:.2e})")
                if tol is not None:
                    timed[name] = (lambda f=fit, t=tol: f(t))
            solve_times = []
            if "cd" in solvers:
                def cd_fit():
                    sol = lk_problem(X, y, model, alpha).solve("cd", tol=TARGET)
                    solve_times.append(sol.solve_time)
                    return sol
                timed["cd"] = cd_fit
            if "cd-est" in solvers:
                # What a scikit-learn user runs: the estimator (validation,
                # no private copy of X, the support polish).
                def est_fit():
                    est = (lk.Lasso(alpha=alpha, fit_intercept=False, tol=TARGET)
                           if model == "lasso" else
                           lk.ElasticNet(alpha=alpha, l1_ratio=L1_RATIO, fit_intercept=False,
                                         tol=TARGET))
                    return est.fit(X, y).coef_
                timed["cd-est"] = est_fit
            res = time_interleaved_both(timed, repeats=repeats, warmup=1)
            row = dict(case=case_name, desc=case.describe(), model=model, ratio=ratio,
                       alpha=alpha, tols=tols, wall={}, cpu={}, gaps={}, nnz={})
            for name, rec in res.items():
                out = rec["result"]
                coef = out.coef if name == "cd" else out
                if name == "cd":
                    # the backend's own share (the rest: problem set-up, certificate)
                    row["cd_solve"] = float(np.median(solve_times[-repeats:]))
                    row["cd_info"] = out.info
                gap, _ = rescore(prob, coef)
                row["wall"][name] = rec["wall"]
                row["cpu"][name] = rec["cpu"]
                row["gaps"][name] = gap
                row["nnz"][name] = int(np.count_nonzero(coef))
            rows.append(row)
            log("  " + json.dumps({k: row[k] for k in ("case", "model", "ratio", "cpu", "wall",
                                                         "gaps")}, default=float))
    return rows


COMPETITORS = ["sklearn", "sklearn-gram", "celer", "skglm"]


def _ratio(times, ours="cd"):
    others = [times[c] for c in COMPETITORS if c in times]
    if ours not in times or not others:
        return "-"
    return f"{times[ours] / min(others):.2f}"


def markdown(rows):
    """One row per (case, model, alpha): CPU seconds (median), ratios on CPU and wall time.

    ``cd solve`` is the backend's wall time inside ``Problem.solve`` (median);
    ``cd`` is the whole user-visible call: problem set-up, solve, certificate.
    With ``--solvers ...,cd-est``, ``cd-est`` is ``lk.Lasso(...).fit`` (or
    ``lk.ElasticNet``) and gets its own ratio column.
    """
    est = any("cd-est" in r["cpu"] for r in rows)
    head = ("| case | model | alpha | nnz | cd [s] | cd solve [s] | "
            + " | ".join(f"{c} [s] (tol)" for c in COMPETITORS)
            + " | cd / fastest (cpu) | cd / fastest (wall) | cd rel gap |"
            + (" cd-est [s] | cd-est / fastest (cpu) | cd-est rel gap |" if est else ""))
    out = [head, "|" + "---|" * (9 + len(COMPETITORS) + 3 * est)]
    for r in rows:
        t = r["cpu"]
        cells = []
        for c in COMPETITORS:
            if c in t:
                cells.append(f"{t[c]:.3f} ({r['tols'][c]:.1e})")
            elif c in r["tols"] and r["tols"][c] is None:
                cells.append("missed 1e-6")
            else:
                cells.append("-")
        cd = f"{t['cd']:.3f}" if "cd" in t else "-"
        solve = f"{r['cd_solve']:.3f}" if "cd_solve" in r else "-"
        gap = f"{r['gaps']['cd']:.1e}" if "cd" in t else "-"
        out.append(f"| {r['case']} | {r['model']} | amax/{r['ratio']} | {r['nnz'].get('cd', '-')} "
                   f"| {cd} | {solve} | " + " | ".join(cells)
                   + f" | {_ratio(r['cpu'])} | {_ratio(r['wall'])} | {gap} |"
                   + (f" {r['cpu'].get('cd-est', float('nan')):.3f} "
                      f"| {_ratio(r['cpu'], 'cd-est')} "
                      f"| {r['gaps'].get('cd-est', float('nan')):.1e} |" if est else ""))
    return "\n".join(out)


_STARTUP = r"""
import sys, time
import numpy as np
sys.path.insert(0, {root!r})
rng = np.random.default_rng(0)
X = rng.standard_normal(({n}, {p})){f32}; y = X[:, :10].sum(1) + rng.standard_normal({n})
{sparse}
t0 = time.perf_counter()
import lassokit as lk
t1 = time.perf_counter()
sol = lk.lasso(X, y, 0.05).solve("cd")
t2 = time.perf_counter()
sol = lk.lasso(X, y, 0.05).solve("cd")
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2, sol.converged)
"""


def startup(log, n=100, p=1000):
    """Compile times (empty numba cache) and fresh-process import + first fit (warm cache)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    results = {}
    variants = {"dense float64": ("", ""), "dense float32": (".astype(np.float32)", ""),
                "sparse float64": ("", "import scipy.sparse as sp; X = sp.csc_matrix(X)"),
                "sparse float32": (".astype(np.float32)",
                                   "import scipy.sparse as sp; X = sp.csc_matrix(X)")}
    with tempfile.TemporaryDirectory() as cache:
        for label, (f32, sparse) in variants.items():
            code = _STARTUP.format(root=root, n=n, p=p, f32=f32, sparse=sparse)
            env = dict(os.environ, NUMBA_CACHE_DIR=cache, OMP_NUM_THREADS="1",
                       OPENBLAS_NUM_THREADS="1")
            cold = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                                  text=True, check=True).stdout.split()
            warm = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                                  text=True, check=True).stdout.split()
            results[label] = dict(compile=float(cold[1]) - float(cold[2]),
                                  import_s=float(warm[0]), first_fit=float(warm[1]),
                                  second_fit=float(warm[2]),
                                  import_plus_first=float(warm[0]) + float(warm[1]))
            log(f"  startup {label}: {results[label]}")
    return results


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default="small,medium,sparse,tall")
    ap.add_argument("--models", default="lasso,enet")
    ap.add_argument("--ratios", default="10,100")
    ap.add_argument("--solvers", default="cd,sklearn,celer,skglm")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--startup-only", action="store_true")
    ap.add_argument("--no-startup", action="store_true")
    ap.add_argument("--json", help="write raw results here")
    args = ap.parse_args(argv)

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    out = {}
    if not args.no_startup:
        out["startup"] = startup(log)
    if not args.startup_only:
        rows = []
        for case in args.cases.split(","):
            rows += run_case(case, args.models.split(","), [int(r) for r in args.ratios.split(",")],
                             args.repeats, args.solvers.split(","), log)
        out["rows"] = rows
        print(markdown(rows))
        print()
        for case in dict.fromkeys(r["case"] for r in rows):
            print(f"- {case}: {CASES[case].describe()}")
    if "startup" in out:
        print("\n| variant | numba compile [s] | import [s] | first fit [s] "
              "| import + first fit [s] |")
        print("|---|---|---|---|---|")
        for label, s in out["startup"].items():
            print(f"| {label} | {s['compile']:.1f} | {s['import_s']:.2f} | {s['first_fit']:.2f} "
                  f"| {s['import_plus_first']:.2f} |")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=1, default=float)


if __name__ == "__main__":
    main()
