"""Time lassokit's L1 / elastic-net logistic regression against scikit-learn, celer, skglm, glum.

Objective for everyone (labels y in {-1, +1}, no intercept, r = l1_ratio)::

    P(w) = 1/n sum_i log(1 + exp(-y_i x_i^T w)) + alpha r ||w||_1 + alpha (1 - r)/2 ||w||^2

scikit-learn's and celer's ``C`` is ``1/(n alpha)``; skglm's and glum's
``(alpha, l1_ratio)`` map one to one. ``alpha_max(r) = ||X^T y||_inf/(2 n r)``.

Parts (``--part``):

* ``single``: L1 and elastic-net (r = 0.5) solves at alpha_max/10 and /100.
  lassokit as users write it -- the problem built inside the timing,
  ``lk.logistic(X, y, alpha, l1_ratio, fit_intercept=False).solve(tol=1e-6)``
  -- and the estimator ``lk.LogisticRegression(...).fit``; competitors
  scikit-learn (liblinear, L1 only; saga where p <= n), celer (L1 only),
  skglm (``SparseLogisticRegression``), glum (p <= 1,000: it forms a p x p
  Hessian).
* ``path``: 50 alphas, alpha_max .. alpha_max/100 (geometric): ``lk.path``
  against ``celer_path``, warm-started loops of skglm (and saga), cold
  liblinear solves (it has no warm start), glum's ``alpha_search`` path.
* ``cv``: ``LogisticRegressionCV`` (5 stratified folds, the same 50 ``Cs``,
  L1, ``neg_log_loss``) at each library's default ``tol``, lassokit's
  against scikit-learn's (liblinear; saga where p <= n): time, the ``C_``
  chosen, and the re-scored gap of the refit.
* ``startup``: numba compile time of lassokit's logistic solve and path
  (fresh process, empty cache) -- kept out of every timing above.

Every answer is re-scored by lassokit's certificate (``Problem.certify``:
relative duality gap against ``P(0) = log 2``). Competitors run at the
loosest ``tol`` on the grid ``10^(-k/2)`` whose re-scored gap meets the
target 1e-6 (at every alpha, for paths) -- an advantage no real user has;
lassokit runs at ``tol=1e-6``. One BLAS/OpenMP thread, solvers interleaved,
medians of process CPU time (wall time too); the ratio is lassokit's time
over the fastest competitor's. See ``benchmarks/README.md``.

Problems (``--size full`` is the size of ``/work/shared/anchors-logistic.md``;
``small`` runs in a few minutes)::

    lwide    dense AR(1) rho=0.5   200 x 20,000      (small: 100 x 2,000)
    ltall    dense AR(1) rho=0.5   100,000 x 200     (small: 10,000 x 200)
    lsparse  CSC, density 1e-3,    20,000 x 100,000  (small: 2,000 x 10,000)
             log-normal values

Labels: ``sign(X w + noise)`` with 20 (lsparse: 1% of p) standard-normal
true coefficients, ``||X w|| / ||noise|| = 3`` (``_common.make_case``).

Usage::

    python benchmarks/bench_logistic.py --size small            # every part, a few minutes
    nice python benchmarks/bench_logistic.py --size full --part single,path --json out.json
    python benchmarks/bench_logistic.py --size full --part cv --problems ltall
    python benchmarks/bench_logistic.py --part startup
"""

from __future__ import annotations

import os

# numexpr (glum) and OpenMP pools read these at import: one thread, like BLAS.
for _var in ("OMP_NUM_THREADS", "NUMEXPR_NUM_THREADS", "NUMEXPR_MAX_THREADS",
             "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import json
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from _common import dump_json, one_thread, time_interleaved_both
from _logistic_setup import (
    COMPETITORS,
    ENET_RATIO,
    N_PATH,
    OURS,
    PATH_EPS,
    TARGET,
    calibrated,
    comp_cell,
    describe,
    env_summary,
    fastest,
    fmt_gap,
    fmt_s,
    lk_estimator,
    log,
    make_labels,
    path_competitors,
    path_problems,
    path_score,
    quiet,
    ratio_cell,
    single_competitors,
)

import lassokit as lk


def run_single(X, y, name, models, ratios, repeats, solvers, cap_s):
    n = X.shape[0]
    a_max1 = lk.logistic(X, y, 1.0, fit_intercept=False).alpha_max()
    rows = []
    for model in models:
        r = 1.0 if model == "l1" else ENET_RATIO
        for ratio in ratios:
            alpha = a_max1 / r / ratio
            prob = lk.logistic(X, y, alpha, l1_ratio=r, fit_intercept=False)

            def score(coef, prob=prob):
                return prob.certify(np.asarray(coef, dtype=np.float64).ravel()).rel_gap

            row = dict(problem=name, model=model, ratio=ratio, alpha=alpha, cal={}, cpu={},
                       wall={}, gaps={}, nnz={}, status={})
            timed = calibrated(single_competitors(X, y, alpha, r, solvers), score, row,
                               f"{name} {model} /{ratio}", cap_s)
            solve_s = []
            if "lassokit" in solvers:
                def lk_fit(r=r, alpha=alpha, solve_s=solve_s):
                    sol = lk.logistic(X, y, alpha, l1_ratio=r, fit_intercept=False).solve(
                        tol=TARGET)
                    solve_s.append(sol.solve_time)
                    return sol
                timed["lassokit"] = lk_fit
            est = lk_estimator(alpha, r, n)
            if est is not None and "lassokit-est" in solvers:
                timed["lassokit-est"] = lambda r=r, alpha=alpha: lk_estimator(alpha, r, n).fit(
                    X, y).coef_.ravel()
            with one_thread():
                for ours in OURS:  # first call: kernels loaded (or compiled)
                    if ours in timed:
                        t0 = time.perf_counter()
                        timed[ours]()
                        row.setdefault("first_s", {})[ours] = time.perf_counter() - t0
            # Competitors were warmed up by their calibration.
            res = time_interleaved_both(timed, repeats=repeats, warmup=0)
            for sname, rec in res.items():
                out = rec["result"]
                coef = out.coef if sname == "lassokit" else out
                if sname == "lassokit":
                    row["status"][sname] = out.status
                    row["lk_solve"] = float(np.median(solve_s[-repeats:]))
                    row["lk_info"] = {k: v for k, v in out.info.items()
                                      if isinstance(v, (int, float, str))}
                row["cpu"][sname], row["wall"][sname] = rec["cpu"], rec["wall"]
                row["gaps"][sname] = score(coef)
                row["nnz"][sname] = int(np.count_nonzero(coef))
            rows.append(row)
            log("  " + json.dumps({k: row[k] for k in ("problem", "model", "ratio", "cpu",
                                                         "gaps", "status")}, default=str))
    return rows


# -- paths --------------------------------------------------------------------------------


def run_path(X, y, name, models, repeats, solvers, cap_s):
    a_max1 = lk.logistic(X, y, 1.0, fit_intercept=False).alpha_max()
    rows = []
    for model in models:
        r = 1.0 if model == "l1" else ENET_RATIO
        grid = np.geomspace(a_max1 / r, a_max1 / r * PATH_EPS, N_PATH)
        score = path_score(path_problems(X, y, r, grid))
        row = dict(problem=name, model=model, cal={}, cpu={}, wall={}, gaps={}, nnz={},
                   status={})
        timed = calibrated(path_competitors(X, y, r, grid, solvers), score, row,
                           f"path {name} {model}", cap_s)
        if "lassokit" in solvers:
            timed["lassokit"] = lambda r=r, grid=grid: lk.path(
                lk.logistic(X, y, 1.0, l1_ratio=r, fit_intercept=False), alphas=grid,
                tol=TARGET)
        with one_thread():
            if "lassokit" in timed:
                t0 = time.perf_counter()
                timed["lassokit"]()
                row["first_s"] = {"lassokit": time.perf_counter() - t0}
        res = time_interleaved_both(timed, repeats=repeats, warmup=0)
        for sname, rec in res.items():
            out = rec["result"]
            coefs = out.coefs if sname == "lassokit" else out
            if sname == "lassokit":
                conv = np.asarray(out.converged)
                row["status"][sname] = ("ok" if conv.all() else
                                        f"{int((~conv).sum())} of {conv.size} not converged")
                row["lk_solve"] = float(out.solve_time)
            row["cpu"][sname], row["wall"][sname] = rec["cpu"], rec["wall"]
            row["gaps"][sname] = score(coefs)
            row["nnz"][sname] = int(np.count_nonzero(np.asarray(coefs)[:, -1]))
        rows.append(row)
        log("  " + json.dumps({k: row[k] for k in ("problem", "model", "cpu", "gaps",
                                                     "status")}, default=str))
    return rows


# -- cross-validation ---------------------------------------------------------------------

def run_cv(X, y, name, repeats, solvers):
    from sklearn.linear_model import LogisticRegressionCV as SkCV
    from sklearn.model_selection import StratifiedKFold

    n, p = X.shape
    a_max1 = lk.logistic(X, y, 1.0, fit_intercept=False).alpha_max()
    grid = np.geomspace(a_max1, a_max1 * PATH_EPS, N_PATH)
    Cs = 1.0 / (n * grid)
    folds = StratifiedKFold(5)
    fits = {}
    for solver in ("liblinear", "saga"):
        if f"sklearn-{solver}" in solvers and (solver == "liblinear" or p <= n
                                               or "sklearn-saga!" in solvers):
            fits[f"sklearn-{solver}"] = quiet(
                lambda solver=solver: SkCV(Cs=Cs, l1_ratios=[1.0], solver=solver, cv=folds,
                                           scoring="neg_log_loss", fit_intercept=False,
                                           use_legacy_attributes=False).fit(X, y))
    try:
        cls = lk.LogisticRegressionCV
    except AttributeError:
        cls = None
        log("  lassokit has no LogisticRegressionCV yet: skipped")
    if cls is not None and "lassokit" in solvers:
        fits["lassokit"] = lambda: cls(Cs=Cs, l1_ratios=[1.0], cv=folds, scoring="neg_log_loss",
                                       fit_intercept=False, use_legacy_attributes=False).fit(X, y)
    res = {}
    with one_thread():
        for fname, fit in fits.items():
            times = []
            for k in range(repeats):
                t0, c0 = time.perf_counter(), time.process_time()
                est = fit()
                times.append((time.process_time() - c0, time.perf_counter() - t0))
                if times[-1][1] > 30 and k == 0:
                    break  # one run is enough past 30 s
            C = float(np.ravel(est.C_)[0])
            coef = np.ravel(est.coef_)
            gap = lk.logistic(X, y, 1.0 / (n * C), fit_intercept=False).certify(coef).rel_gap
            idx = int(np.argmin(np.abs(np.log(Cs / C))))
            res[fname] = dict(cpu=float(np.median([t[0] for t in times])),
                              wall=float(np.median([t[1] for t in times])), runs=len(times),
                              C=C, grid_index=idx, alpha_ratio=float(grid[idx] / a_max1),
                              refit_gap=float(gap), nnz=int(np.count_nonzero(coef)))
            log(f"  cv {name} {fname}: {res[fname]}")
    return dict(problem=name, results=res)


# -- start-up -----------------------------------------------------------------------------

_STARTUP = r"""
import sys, time
import numpy as np
sys.path.insert(0, {root!r})
rng = np.random.default_rng(0)
X = rng.standard_normal((200, 500)); y = np.sign(X[:, :5].sum(1) + rng.standard_normal(200))
{sparse}
import lassokit as lk
out = []
for _ in range(2):
    t0 = time.perf_counter(); lk.logistic(X, y, 0.02, fit_intercept=False).solve()
    t1 = time.perf_counter(); lk.path(lk.logistic(X, y, 1.0, fit_intercept=False), n_alphas=10)
    out += [t1 - t0, time.perf_counter() - t1]
print(*out)
"""


def run_startup():
    """Compile (empty numba cache) and cached-load times of a logistic solve and path."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    res = {}
    for label, sparse in (("dense", ""),
                          ("sparse", "import scipy.sparse as sp; X = sp.csc_matrix(X)")):
        with tempfile.TemporaryDirectory() as cache:
            env = dict(os.environ, NUMBA_CACHE_DIR=cache)
            code = _STARTUP.format(root=root, sparse=sparse)
            runs = [list(map(float, subprocess.run([sys.executable, "-c", code], env=env,
                                                   capture_output=True, text=True,
                                                   check=True).stdout.split()))
                    for _ in range(2)]
        cold, warm = runs
        res[label] = dict(solve_compile=cold[0] - cold[2], path_compile=cold[1] - cold[3],
                          solve_first_warm_cache=warm[0], path_first_warm_cache=warm[1],
                          solve_second=warm[2], path_second=warm[3])
        log(f"  startup {label}: {res[label]}")
    return res


# -- tables -------------------------------------------------------------------------------

def table(rows, single=True, competitors=COMPETITORS):
    """Markdown: CPU seconds (tol; re-scored gap) per solver and lassokit's ratios.

    ``!`` marks a re-scored gap above the target; "fastest" is the fastest of
    ``competitors`` (CPU time), the ratios are over its time.
    """
    comps = [c for c in competitors if any(c in r["cal"] for r in rows)]
    ours = [o for o in OURS if any(o in r["cpu"] for r in rows)]
    head = (["problem", "model"] + (["alpha"] if single else [])
            + [f"{o} [s] (gap)" for o in ours] + [f"{c} [s] (tol; gap)" for c in comps]
            + ["fastest"] + [f"{o} / fastest (cpu)" for o in ours]
            + [f"{o} / fastest (wall)" for o in ours[:1]] + ["lassokit status"])
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r["problem"], r["model"]] + ([f"amax/{r['ratio']}"] if single else [])
        cells += [f"{fmt_s(r['cpu'][o])} ({fmt_gap(r['gaps'][o])})" if o in r["cpu"] else "-"
                  for o in ours]
        cells += [comp_cell(r, c) for c in comps]
        cells += [fastest(r, "cpu", comps)] + [ratio_cell(r, o, "cpu", comps) for o in ours]
        cells += [ratio_cell(r, o, "wall", comps) for o in ours[:1]]
        cells += [str(r["status"].get("lassokit", "-"))]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def cv_table(cv_rows):
    out = [("| problem | solver | CPU s | wall s | runs | x scikit-learn (fastest) | C_ "
            "(grid index, alpha/alpha_max) | same C_ as sklearn | refit rel gap | nnz |"),
           "|---|---|---|---|---|---|---|---|---|---|"]
    for cv in cv_rows:
        res = cv["results"]
        sk = {k: v for k, v in res.items() if k.startswith("sklearn")}
        best = min((v["cpu"] for v in sk.values()), default=None)
        sk_idx = {v["grid_index"] for v in sk.values()}
        for k, v in res.items():
            ratio = f"{v['cpu'] / best:.3f}" if best else "-"
            same = "yes" if v["grid_index"] in sk_idx else "no"
            out.append(f"| {cv['problem']} | {k} | {fmt_s(v['cpu'])} | {fmt_s(v['wall'])} | "
                       f"{v['runs']} | {ratio} | {v['C']:.4g} ({v['grid_index']}, "
                       f"{v['alpha_ratio']:.3g}) | {same} | {v['refit_gap']:.1e} | {v['nnz']} |")
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", choices=("small", "full"), default="small")
    ap.add_argument("--part", default="single,path,cv,startup")
    ap.add_argument("--problems", default="lwide,ltall,lsparse")
    ap.add_argument("--models", default="l1,enet", help="single solves (l1, enet)")
    ap.add_argument("--path-models", default="l1")
    ap.add_argument("--ratios", default="10,100")
    ap.add_argument("--solvers", default="lassokit,lassokit-est," + ",".join(COMPETITORS),
                    help="append '!' to sklearn-saga or glum to run them beyond p <= n / "
                         "p <= 1,000")
    ap.add_argument("--path-solvers", default=None,
                    help="default: --solvers, less sklearn-liblinear and sklearn-saga at "
                         "--size full (50 cold solves / 265 s and more)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--cap", type=float, default=60.0,
                    help="kill a calibration try after this many seconds (paths: 4x)")
    ap.add_argument("--json", help="write raw results here")
    args = ap.parse_args(argv)

    parts = args.part.split(",")
    solvers = args.solvers.split(",")
    path_solvers = (args.path_solvers.split(",") if args.path_solvers else
                    [s for s in solvers if args.size == "small" or not s.startswith("sklearn")])
    out = dict(env=env_summary(), argv=sys.argv[1:], size=args.size)
    print(f"Machine: {out['env']}\n")
    single, paths, cvs = [], [], []
    for name in args.problems.split(","):
        if not {"single", "path", "cv"} & set(parts):
            break
        X, y, _ = make_labels(name, args.size)
        print(f"- {describe(X, y, name)}")
        log(describe(X, y, name))
        if "single" in parts:
            single += run_single(X, y, name, args.models.split(","),
                                 [int(r) for r in args.ratios.split(",")], args.repeats,
                                 solvers, args.cap)
        if "path" in parts:
            paths += run_path(X, y, name, args.path_models.split(","), args.repeats,
                              path_solvers, args.cap * 4)
        if "cv" in parts:
            cvs.append(run_cv(X, y, name, args.repeats, solvers))
    if single:
        print(f"\n## Single solves, target rel gap {TARGET:g}; CPU seconds, medians of "
              f"{args.repeats}\n")
        print(table(single))
    if paths:
        print(f"\n## {N_PATH}-alpha paths alpha_max .. alpha_max*{PATH_EPS:g}; worst re-scored "
              f"gap over the path\n")
        print(table(paths, single=False))
    if cvs:
        print("\n## LogisticRegressionCV: 5 stratified folds, 50 Cs, L1, neg_log_loss, "
              "default tol\n")
        print(cv_table(cvs))
    out.update(single=single, path=paths, cv=cvs)
    if "startup" in parts:
        out["startup"] = run_startup()
        print("\n## Compile and first call (fresh processes, 200 x 500)\n")
        print("| X | solve: compile [s] | path: compile [s] | solve, warm cache, first call "
              "[s] | path, first call [s] | solve, second [s] | path, second [s] |")
        print("|---|---|---|---|---|---|---|")
        for label, s in out["startup"].items():
            print(f"| {label} | {s['solve_compile']:.2f} | {s['path_compile']:.2f} | "
                  f"{s['solve_first_warm_cache']:.2f} | {s['path_first_warm_cache']:.2f} | "
                  f"{s['solve_second']:.3f} | {s['path_second']:.3f} |")
    dump_json(args.json, out, default=str)


if __name__ == "__main__":
    main()
