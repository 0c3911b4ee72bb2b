"""The timed cases of ``bench_multitask_group.py``: single solves, paths, scalar guard, start-up.

Each ``run_*`` returns the rows its section of the report shows (see
``_mtg_report``); the method is that script's docstring's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import scipy.sparse as sp
from _common import log, one_thread, time_interleaved_both
from _logistic_setup import TARGET, calibrated
from _mtg_competitors import path_competitors, saga_multinomial, single_competitors
from _mtg_data import (
    GROUP_COMPETITORS,
    MT_COMPETITORS,
    N_PATH,
    PATH_COMPETITORS,
    PATH_EPS,
    RATIOS,
    START_TOL,
    describe,
    lk_problem,
    make_multinomial,
    multinomial_problem,
)

import lassokit as lk

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def first_call(fn):
    """Run ``fn`` once (untimed in the tables): wall seconds and the solution."""
    with one_thread():
        t0 = time.perf_counter()
        res = fn()
        return time.perf_counter() - t0, res


def _new_row(**fields):
    return {**fields, "cal": {}, "cpu": {}, "wall": {}, "gaps": {}, "nnz": {}, "status": {}}


def _record(row, res, score, lk_read, coef_rows):
    """Times, re-scored gaps and rows in the model of each solver's answer into ``row``.

    ``lk_read(out)`` -> lassokit's ``(coef, status)``; ``coef_rows(coef)`` ->
    the coefficients whose non-zero rows are counted.
    """
    for sname, rec in res.items():
        coef = rec["result"]
        if sname == "lassokit":
            coef, row["status"]["lassokit"] = lk_read(coef)
        row["cpu"][sname], row["wall"][sname] = rec["cpu"], rec["wall"]
        row["gaps"][sname] = score(coef)
        kept = np.asarray(coef_rows(coef))
        kept = kept.reshape(kept.shape[0], -1)
        row["nnz"][sname] = int(np.count_nonzero(np.any(kept != 0, axis=1)))
    keys = ("problem", "ratio", "cpu", "gaps", "nnz", "status")
    log("  " + json.dumps({k: row[k] for k in keys if k in row}, default=str))


# -- single solves ----------------------------------------------------------------------------

def _strengths(name, desc, problem, competitors, comps, ratios, repeats, solvers, cap_s):
    """One row per ``alpha_max / ratio``: ``problem(alpha).solve(tol=1e-6)`` against ``competitors(alpha)``.

    lassokit's problem is built inside the timing; its first call is
    untimed (compile and load time reported); the competitors calibrated.
    """
    a_max = problem(1.0).alpha_max()
    rows = []
    for ratio in ratios:
        alpha = a_max / ratio
        prob = problem(alpha)

        def score(coef, prob=prob):
            return prob.certify(np.asarray(coef, dtype=np.float64)).rel_gap

        row = _new_row(problem=name, desc=desc, ratio=ratio, alpha=alpha, alpha_max=a_max,
                       competitors=comps)
        solve_s = []

        def lk_fit(alpha=alpha, solve_s=solve_s):
            sol = problem(alpha).solve(tol=TARGET)
            solve_s.append(sol.solve_time)
            return sol

        timed = {}
        if "lassokit" in solvers:
            first_s, sol = first_call(lk_fit)
            row["first"] = {"wall": first_s,
                            "compile": float(sol.info.get("compile_time", 0.0)),
                            "load": float(sol.info.get("load_time", 0.0))}
            log(f"  {name} /{ratio} lassokit first call {first_s:.2f} s "
                f"(compile {row['first']['compile']:.2f} s, load {row['first']['load']:.2f} s), "
                f"gap {sol.rel_gap:.1e}")
            timed["lassokit"] = lk_fit
        timed.update(calibrated(competitors(alpha), score, row, f"{name} /{ratio}", cap_s,
                                start_tol=START_TOL))
        res = time_interleaved_both(timed, repeats=repeats, warmup=0)
        if "lassokit" in res:
            out = res["lassokit"]["result"]
            row["lk_solve"] = float(np.median(solve_s[-repeats:]))
            row["lk_info"] = {k: v for k, v in out.info.items()
                              if isinstance(v, (int, float, str))}
        _record(row, res, score, lambda sol: (sol.coef, sol.status), lambda coef: coef)
        rows.append(row)
    return rows


def run_single(X, Y, info, name, ratios, repeats, solvers, cap_s):
    """A multi-task or group problem at each ``alpha_max / ratio``."""
    comps = MT_COMPETITORS if info["kind"] == "multitask" else GROUP_COMPETITORS
    return _strengths(name, describe(name, X, info), lambda a: lk_problem(X, Y, info, a),
                      lambda a: single_competitors(X, Y, info, a, solvers),
                      [c for c in comps if c in solvers], ratios, repeats, solvers, cap_s)


def run_multinomial(size, ratios, repeats, cap_s):
    """L1 multinomial logistic regression: lassokit against scikit-learn's saga."""
    X, labels, desc = make_multinomial(size)
    log(desc)
    rows = _strengths("multinomial", desc, lambda a: multinomial_problem(X, labels, a),
                      lambda a: saga_multinomial(X, labels, a), ["sklearn-saga"],
                      ratios, repeats, ["lassokit", "sklearn-saga"], cap_s)
    return {"rows": rows}


# -- paths ----------------------------------------------------------------------------------

def run_path(X, Y, info, name, repeats, solvers, cap_s, adelie, n_alphas=N_PATH, eps=PATH_EPS):
    """``lk.path`` on ``n_alphas`` strengths alpha_max .. alpha_max*eps against the competitors."""
    a_max = lk_problem(X, Y, info, 1.0).alpha_max()
    grid = np.geomspace(a_max, a_max * eps, n_alphas)
    problems = [lk_problem(X, Y, info, float(a)) for a in grid]

    def score(coefs):
        coefs = np.asarray(coefs, dtype=np.float64)
        return max(pb.certify(c).rel_gap for pb, c in zip(problems, coefs))

    row = _new_row(problem=name, desc=describe(name, X, info), alpha_max=a_max,
                   competitors=[c for c in PATH_COMPETITORS if c in solvers])

    def lk_fit():
        return lk.path(lk_problem(X, Y, info, 1.0), alphas=grid, tol=TARGET)

    def lk_read(path):
        c = np.asarray(path.coefs)
        coefs = np.moveaxis(c, -1, 0) if c.ndim == 2 else np.moveaxis(c, (2, 1, 0), (0, 1, 2))
        conv = np.asarray(path.converged)
        return coefs, ("ok" if conv.all() else
                       f"{int((~conv).sum())} of {conv.size} not converged")

    timed = {}
    if "lassokit" in solvers:
        first_s, path = first_call(lk_fit)
        row["first"] = {"wall": first_s}
        log(f"  path {name} lassokit first call {first_s:.2f} s, worst gap "
            f"{float(np.max(path.rel_gaps)):.1e}")
        timed["lassokit"] = lk_fit
    # Untimed first calls (JIT): the same solvers on the first two strengths only.
    short = path_competitors(X, Y, info, grid[:2], [s for s in solvers if s != "adelie"], None)
    warm = {k: (lambda f=f: f(1e-2)) for k, f in short.items()}
    timed.update(calibrated(path_competitors(X, Y, info, grid, solvers, adelie), score, row,
                            f"path {name}", cap_s, start_tol=START_TOL, warm=warm))
    res = time_interleaved_both(timed, repeats=repeats, warmup=0)
    if "lassokit" in res:
        row["lk_solve"] = float(res["lassokit"]["result"].solve_time)
    _record(row, res, score, lk_read, lambda coefs: np.asarray(coefs[-1]).reshape(X.shape[1], -1))
    return [row]


# -- scalar guard ---------------------------------------------------------------------------

def run_scalar(names, repeats):
    """The one-target Lasso: bench_cd's single solve and bench_path_options' plain path."""
    from bench_path_options import SHAPES, _data

    rows = []
    for name in names:
        if name not in SHAPES:
            continue
        X, y = _data(name)
        a_max = lk.lasso(X, y, 1.0, fit_intercept=False).alpha_max()
        solvers, shares = {}, {}
        for ratio in RATIOS:
            alpha = a_max / ratio
            shares[ratio] = []

            def fit(alpha=alpha, acc=shares[ratio], X=X, y=y):
                sol = lk.lasso(X, y, alpha, fit_intercept=False).solve("cd", tol=TARGET)
                acc.append(sol.solve_time)
                return sol
            solvers[f"solve amax/{ratio}"] = fit
        solvers["lasso_path"] = lambda X=X, y=y: lk.lasso_path(X, y)
        with one_thread():
            first = {}
            for label, fn in solvers.items():
                t0 = time.perf_counter()
                fn()
                first[label] = time.perf_counter() - t0
        res = time_interleaved_both(solvers, repeats=repeats, warmup=0)
        for label, rec in res.items():
            out = rec["result"]
            if label == "lasso_path":
                conv = np.asarray(out.converged)
                gap = float(np.max(out.rel_gaps))
                status = "ok" if conv.all() else f"{int((~conv).sum())} not converged"
                share = float(out.solve_time)
            else:
                gap, status = float(out.rel_gap), out.status
                ratio = int(label.split("/")[1])
                share = float(np.median(shares[ratio][-repeats:]))
            rows.append({"problem": name, "shape": f"{X.shape[0]:,} x {X.shape[1]:,}"
                         + (" CSC" if sp.issparse(X) else " dense"),
                         "what": label, "cpu": rec["cpu"], "wall": rec["wall"],
                         "cpus": rec["cpus"], "solve": share, "gap": gap, "status": status,
                         "first": first[label]})
            log(f"  scalar {name} {label}: cpu {rec['cpu']:.4f} s, gap {gap:.1e}, {status}")
    return rows


# -- start-up -------------------------------------------------------------------------------

_STARTUP = r"""
import sys, time
import numpy as np, scipy.sparse as sp
sys.path.insert(0, {root!r})
rng = np.random.default_rng(0)
X = np.asfortranarray(rng.standard_normal((200, 500)))
Y = X[:, :5] @ rng.standard_normal((5, 4)) + rng.standard_normal((200, 4)); Y -= Y.mean(0)
y = Y[:, 0].copy()
Xs = sp.random(400, 500, density=0.02, format="csc", random_state=0)
ys = rng.standard_normal(400); ys -= ys.mean()
groups = [list(range(i, i + 5)) for i in range(0, 500, 5)]
import lassokit as lk
calls = [
    ("multi-task solve, dense", lambda: lk.Problem(X, Y, lk.GroupL2(0.1), fit_intercept=False).solve()),
    ("group solve, dense", lambda: lk.Problem(X, y, lk.GroupL2(0.05, groups=groups), fit_intercept=False).solve()),
    ("group solve, CSC", lambda: lk.Problem(Xs, ys, lk.GroupL2(0.01, groups=groups), fit_intercept=False).solve()),
    ("group path, dense", lambda: lk.path(lk.Problem(X, y, lk.GroupL2(1.0, groups=groups), fit_intercept=False), n_alphas=10)),
    ("multi-task path, dense", lambda: lk.path(lk.Problem(X, Y, lk.GroupL2(1.0), fit_intercept=False), n_alphas=10)),
]
for label, fn in calls:
    t0 = time.perf_counter(); out = fn(); t1 = time.perf_counter(); fn(); t2 = time.perf_counter()
    info = getattr(out, "info", None) or {{}}
    print(label, "|", t1 - t0, t2 - t1, info.get("compile_time", float("nan")), flush=True)
"""


def run_startup():
    """First calls in fresh processes: empty numba cache (compile), then warm cache."""
    code = _STARTUP.format(root=ROOT)
    out = {}
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        for mode in ("cold", "warm"):
            t0 = time.perf_counter()
            run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                                 text=True, check=False)
            if run.returncode != 0:
                log("  startup failed: " + run.stderr[-1500:])
                return {"error": run.stderr.strip().splitlines()[-1]}
            log(f"  startup {mode}: {time.perf_counter() - t0:.1f} s")
            for line in run.stdout.strip().splitlines():
                label, nums = line.split(" | ")
                first, second, info_compile = map(float, nums.split())
                out.setdefault(label, {})[mode] = {"first": first, "second": second,
                                                   "info_compile": info_compile}
    return out
