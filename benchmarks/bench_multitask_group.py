"""Multi-task Lasso, group Lasso and their paths against scikit-learn, celer, skglm, group-lasso, adelie.

Objectives (everyone solves the same one: centred targets, no intercept,
``fit_intercept=False`` everywhere, X Fortran-ordered dense or CSC)::

    multi-task  P(W) = 1/(2n) ||Y - X W||_F^2 + alpha sum_j ||W_j||_2        (rows W_j of W (p, K))
    group       P(w) = 1/(2n) ||y - X w||^2   + alpha sum_g sqrt(|g|) ||w_g||_2

lassokit: ``lk.Problem(X, Y, lk.GroupL2(alpha), fit_intercept=False)`` and
``lk.Problem(X, y, lk.GroupL2(alpha, groups=[[0..9], [10..19], ...]),
fit_intercept=False)`` (default weights ``sqrt(|g|)``), solved with
``.solve(tol=1e-6)``, the problem built inside the timing. Each
competitor's ``alpha`` (checked on every problem: the re-scored gaps below
are lassokit's certificate of the competitor's answer)::

    scikit-learn MultiTaskLasso(alpha)          the same objective
    celer        mtl_path(X, Y, alphas=[alpha])  the same objective (MultiTaskLasso.fit, which
                                                 calls it, fails with scikit-learn 1.9:
                                                 BaseEstimator._validate_data is gone)
    skglm        MultiTaskLasso(alpha)           the same objective
    skglm        GroupLasso(groups=s, alpha, weights=sqrt(s))   (its weights default to 1)
    celer        GroupLasso(groups=s, alpha, weights=sqrt(s))   (its weights default to 1)
    group-lasso  GroupLasso(groups=labels, group_reg=alpha/2, l1_reg=0, scale_reg="group_size")
                 FISTA takes half a gradient step (``0.5 * grad / L``), so it minimizes
                 1/(4n)||y - Xw||^2 + group_reg sum_g sqrt(|g|)||w_g||: group_reg = alpha/2
                 (as noted in yngvem/group-lasso issue 23); with group_reg = alpha its answer
                 re-scored to a relative gap of 2e-2 at every tol
    adelie       grpnet(gaussian(y), groups=starts, penalty=sqrt(s), lmda_path=alphas)
                 (loss sum_i w_i (-y_i eta_i + eta_i^2/2) with w_i = 1/n: lmda = alpha);
                 multi-task: grpnet(multigaussian(Y), penalty=ones(p), lmda_path=alphas/K)
                 (its loss carries 1/K); ``intercept=False, early_exit=False,
                 n_threads=1``. adelie needs numpy < 2: it runs in its own virtual
                 environment (``--adelie-python``) as a subprocess that times
                 ``grpnet`` alone (process CPU time inside the child) and sends its
                 coefficients back in an ``.npz`` file, re-scored here.

Cases (``--case``, several with commas; ``--scalar`` is ``--case scalar``)::

    multitask  single solves at alpha_max/10 and /100 on
               mtwide  dense AR(1) rho=0.5, 500 x 5,000, K = 20, 1% true rows   (quick: 100 x 1,000, K=5)
               mttall  dense AR(1) rho=0.5, 100,000 x 200, K = 10, 5% true rows (quick: 5,000 x 50, K=5)
    group      single solves at alpha_max/10 and /100 on
               gdense  dense AR(1) rho=0.5, 1,000 x 10,000, groups of 10, 1% true groups
                                                                  (quick: 200 x 2,000)
               gsparse CSC, density 1e-3, log-normal values, 20,000 x 50,000, groups of 5,
                       1% true groups                             (quick: 2,000 x 5,000, 5e-3)
    path       100 strengths alpha_max .. alpha_max*1e-3 (geometric): ``lk.path`` against
               adelie's ``grpnet`` path, celer's own path functions (``celer_path``
               "grouplasso", ``mtl_path``), warm-started skglm loops and scikit-learn's
               multi-output ``lasso_path``; on gdense, gsparse and mtwide
               (``--path-problems``); the worst re-scored gap over the 100 strengths counts
    scalar     the one-target Lasso guard, to compare before / after the K axis:
               ``lk.lasso(X, y, a, fit_intercept=False).solve("cd", tol=1e-6)`` at
               alpha_max/10 and /100 (``bench_cd.py``'s call) and ``lk.lasso_path(X, y)``
               (``bench_path_options.py``'s "plain" path) on ``bench_path_options``'s
               small (100 x 10,000), tall (50,000 x 200) and sparse (20,000 x 50,000) data;
               lassokit alone, and it uses no new API (runs on ``git stash``-ed code)
    startup    numba compile of the first matrix / group solve and path (fresh processes,
               empty numba cache) -- kept out of every timing above
    multinomial  L1 multinomial logistic regression, single solves at alpha_max/10 and
               /100: ``lk.Problem(X, labels, lk.L1(alpha), loss="multinomial",
               fit_intercept=False).solve(tol=1e-6)`` against scikit-learn's saga
               (``LogisticRegression(C=1/(n alpha), l1_ratio=1, solver="saga")``: the
               same objective, 1/n sum_i CE_i + alpha |W|_1) on dense AR(1) rho=0.5
               2,000 x 5,000, 10 classes (quick: 500 x 100, 3 classes); labels the
               argmax of one noisy linear score per class + Gumbel noise, 10 true rows,
               seed 2. Target: lassokit <= 0.5 x saga at the same gap

Data: ``_common.ar1_design`` / ``sparse_design`` (no BLAS calls; the seeds
below), targets ``y_k = X w_k + noise`` column by column with
``_common.make_target`` (``||X w_k|| / ||noise|| = 3``, centred). Seeds:
``numpy.random.default_rng(seed)`` with seed 0 (mtwide, gdense), 1
(mttall, gsparse); the truth's rows / groups are drawn from the same
generator after X.

Method (``benchmarks/README.md``): one BLAS thread, solvers interleaved,
medians of process CPU time (wall too), lassokit's first call untimed (its
compile and load time reported), each competitor at the loosest ``tol`` on
the grid ``10^(-k/2)`` whose answer lassokit certifies at a relative gap
<= 1e-6 (searched from a per-solver start in steps of 10, then the half
step; every try in a forked child killed after ``--cap`` seconds, paths 4x;
adelie through the subprocess timeout), an advantage no user has. lassokit
runs at ``tol=1e-6``. Ratio: lassokit's CPU time over the fastest
competitor's that met the target.

Usage::

    python benchmarks/bench_multitask_group.py --quick                  # smoke run, < 2 min
    nohup nice python benchmarks/bench_multitask_group.py --repeats 3 > log 2>&1 &
    python benchmarks/bench_multitask_group.py --case group --problems gsparse --ratios 100
    python benchmarks/bench_multitask_group.py --scalar --repeats 5     # before / after guard

Writes ``benchmarks/results/multitask_group.md`` (``_quick`` with
``--quick``; ``--out`` to change) and the raw numbers next to it
(``.json``); a run of some cases replaces those sections and keeps the
others.

Code: this file is the command line; ``_mtg_data.py`` the problems,
``_mtg_competitors.py`` the competitors' calls and adelie's subprocess,
``_mtg_runs.py`` the timed cases, ``_mtg_report.py`` the tables and results
files; the tol calibration is ``_logistic_setup.calibrate``'s.
"""


from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import datetime
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

from _common import log
from _mtg_competitors import DEFAULT_ADELIE, Adelie
from _mtg_data import (
    GROUP_COMPETITORS,
    MT_COMPETITORS,
    N_PATH,
    PATH_EPS,
    PROBLEMS,
    describe,
    make_problem,
)
from _mtg_report import git_state, machine, render_section, write_results
from _mtg_runs import run_multinomial, run_path, run_scalar, run_single, run_startup


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", default=None,
                    help="multitask, group, path, scalar, startup, multinomial (commas); "
                         "default all but scalar (--quick: all but scalar and startup)")
    ap.add_argument("--scalar", action="store_true", help="the same as --case scalar")
    ap.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--path-repeats", type=int, default=None,
                    help="timed runs of each path (default --repeats; lassokit's first, "
                         "untimed path comes on top)")
    ap.add_argument("--problems", default=None,
                    help="single-solve problems (default: mtwide,mttall / gdense,gsparse)")
    ap.add_argument("--path-problems", default=None,
                    help="default gdense,gsparse,mtwide (--quick: gdense,mtwide)")
    ap.add_argument("--scalar-cases", default=None,
                    help="small,tall,sparse (bench_path_options' data; --quick: small)")
    ap.add_argument("--ratios", default="10,100")
    ap.add_argument("--solvers", default=None,
                    help="default: lassokit and every competitor (--quick: less group-lasso, "
                         "minutes of FISTA even on the small data)")
    ap.add_argument("--path-solvers", default="lassokit,adelie,celer,skglm,sklearn",
                    help="group-lasso too if named (100 FISTA solves)")
    ap.add_argument("--n-alphas", type=int, default=None, help=f"path length ({N_PATH}; "
                    "--quick: 20)")
    ap.add_argument("--eps", type=float, default=None,
                    help=f"alpha_min / alpha_max of the paths ({PATH_EPS:g}; --quick: 1e-2)")
    ap.add_argument("--cap", type=float, default=None,
                    help="kill a calibration try after this many seconds (paths: 4x); "
                         "default 60, --quick 5")
    ap.add_argument("--adelie-python", default=DEFAULT_ADELIE)
    ap.add_argument("--out", default=None, help="results prefix (default "
                    "benchmarks/results/multitask_group[_quick])")
    args = ap.parse_args(argv)
    if args.case is None:
        args.case = "multitask,group,path" + ("" if args.quick else ",startup") + ",multinomial"
    if args.solvers is None:
        comps = list(dict.fromkeys(MT_COMPETITORS + GROUP_COMPETITORS))
        if args.quick:
            comps.remove("group-lasso")
        args.solvers = ",".join(["lassokit", *comps])
    if args.cap is None:
        args.cap = 5.0 if args.quick else 60.0
    if args.path_problems is None:
        args.path_problems = "gdense,mtwide" if args.quick else "gdense,gsparse,mtwide"
    args.n_alphas = args.n_alphas or (20 if args.quick else N_PATH)
    args.eps = args.eps or (1e-2 if args.quick else PATH_EPS)
    args.path_repeats = args.path_repeats or args.repeats
    return args


def main(argv=None):
    args = parse_args(argv)
    cases = ["scalar"] if args.scalar else args.case.split(",")
    size = "quick" if args.quick else "full"
    ratios = [int(r) for r in args.ratios.split(",")]
    solvers = args.solvers.split(",")
    out_prefix = args.out or os.path.join(HERE, "results", "multitask_group"
                                          + ("_quick" if args.quick else ""))
    command = "python benchmarks/bench_multitask_group.py " + " ".join(
        sys.argv[1:] if argv is None else argv)
    path_solvers = args.path_solvers.split(",")
    adelie = None
    if "path" in cases and "adelie" in path_solvers:
        adelie = Adelie(args.adelie_python, tempfile.mkdtemp(prefix="bench_mtg_"), args.cap * 4)
        if adelie.error:
            log(f"adelie unavailable, skipped: {adelie.error}")
            path_solvers.remove("adelie")
    env = machine(adelie)
    print(f"Machine: {env}\n")
    now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    data_cache = {}

    def data(name):
        if name not in data_cache:
            data_cache.clear()  # one problem in memory at a time
            X, Y, info = make_problem(name, size)
            log(describe(name, X, info))
            data_cache[name] = (X, Y, info)
        return data_cache[name]

    for case in cases:
        log(f"== {case} ({size})")
        extra = {}
        if case in ("multitask", "group"):
            default = "mtwide,mttall" if case == "multitask" else "gdense,gsparse"
            names = [n for n in (args.problems or default).split(",")
                     if PROBLEMS[size][n][0] == case]
            rows = []
            for name in names:
                rows += run_single(*data(name), name, ratios, args.repeats, solvers, args.cap)
        elif case == "path":
            rows = []
            for name in args.path_problems.split(","):
                rows += run_path(*data(name), name, args.path_repeats, path_solvers,
                                 args.cap * 4, adelie, args.n_alphas, args.eps)
            ad = (f"adelie {adelie.version.split()[0]}" if adelie and adelie.version else
                  f"adelie unavailable: {adelie.error if adelie else 'not requested'}")
            extra = {"n_alphas": args.n_alphas, "eps": args.eps, "repeats": args.path_repeats,
                     "adelie": ad}
        elif case == "scalar":
            names = args.scalar_cases or ("small" if args.quick else "small,tall,sparse")
            rows, extra = run_scalar(names.split(","), args.repeats), {"git": git_state()}
        elif case == "startup":
            rows = run_startup()
        elif case == "multinomial":
            rows = run_multinomial(size, ratios, args.repeats, args.cap)
        else:
            raise SystemExit(f"unknown case {case!r}")
        section = {"date": now, "command": command, "env": env, "repeats": args.repeats,
                   "size": size, "data": rows, **extra}
        print("\n" + render_section(case, section) + "\n", flush=True)
        write_results(out_prefix, {case: section})  # after each case: a crash keeps it


if __name__ == "__main__":
    main()
