"""Time lassokit's regularization path and LassoCV against scikit-learn, celer, skglm, glmnet.

Part 1 — a 100-alpha Lasso path (alpha_max -> alpha_max/1000, geometric) on
the standard 100 x 10,000 AR(1) problem (``_common.CASES["small"]``, centred
y, ``fit_intercept=False`` so every library solves the identical problem).
Every solver's coefficients are re-scored by lassokit's certificate at
every alpha. Competitors run at the loosest ``tol`` (grid step ``10^0.5``)
whose re-scored relative gap meets the target at *every* alpha -- an
advantage no real user has; lassokit runs ``lk.path(..., tol=1e-6)`` as a
user would, timed end to end.

* scikit-learn: ``lasso_path``;
* celer: ``celer_path`` (its own warm starts and working sets);
* skglm: a warm-started loop of ``skglm.Lasso(warm_start=True)``;
* python-glmnet (if installed): ``ElasticNet(alpha=1, lambda_path=grid,
  standardize=False, n_splits=0)``.

Part 2 — 5-fold ``LassoCV`` (``KFold(5)``, 100 alphas, each library at its
default ``tol``, with intercept) on the same data: lassokit vs
scikit-learn and celer; reports time and whether ``alpha_`` agrees with
scikit-learn's.

One BLAS thread, solvers interleaved, medians after a warm-up round (JIT
compilation excluded; see ``bench_cd.py --startup-only`` for it).

Usage::

    python benchmarks/bench_path.py                 # every part (~5-10 min)
    python benchmarks/bench_path.py --part path --repeats 3
    python benchmarks/bench_path.py --part cv
    python benchmarks/bench_path.py --part path --case tall   # or sparse
    python benchmarks/bench_path.py --part overhead           # us per strength, tiny data
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from _common import CASES, dump_json, make_case, one_thread, quiet, time_interleaved

import lassokit as lk

TARGET = 1e-6
N_ALPHAS = 100
EPS = 1e-3
TOL_STEP = 10 ** 0.5


def path_rescore(problems, coefs):
    """Re-scored relative gap of column k of ``coefs`` on ``problems[k]``."""
    coefs = np.asarray(coefs, dtype=np.float64)
    return np.array([pb.certify(coefs[:, k]).rel_gap for k, pb in enumerate(problems)])


def path_competitors(X, y, grid):
    """name -> fit(tol) returning coefs of shape (p, k) on ``grid``."""
    out = {}
    from sklearn.linear_model import lasso_path

    out["scikit-learn"] = quiet(
        lambda tol: lasso_path(X, y, alphas=grid, tol=tol, max_iter=100_000)[1])
    try:
        from celer import celer_path

        out["celer"] = quiet(
            lambda tol: celer_path(X, y, "lasso", alphas=grid, tol=tol, prune=True)[1])
    except ImportError:
        pass
    try:
        from skglm import Lasso as SkglmLasso

        def skglm_fit(tol):
            est = SkglmLasso(alpha=grid[0], fit_intercept=False, tol=tol, warm_start=True)
            coefs = np.empty((X.shape[1], grid.size))
            for k, a in enumerate(grid):
                est.alpha = a
                coefs[:, k] = est.fit(X, y).coef_
            return coefs

        out["skglm"] = quiet(skglm_fit)
    except ImportError:
        pass
    try:
        import glmnet

        def glmnet_fit(tol):
            est = glmnet.ElasticNet(alpha=1.0, lambda_path=grid, standardize=False,
                                    fit_intercept=False, n_splits=0, tol=tol,
                                    max_iter=1_000_000)
            est.fit(X, y)
            # glmnet stops early when the deviance saturates: pad with the last column.
            path = est.coef_path_
            if path.shape[1] < grid.size:
                path = np.hstack([path, np.repeat(path[:, -1:], grid.size - path.shape[1], 1)])
            return path

        out["glmnet"] = quiet(glmnet_fit)
    except ImportError:
        pass
    return out


def _bind(fit, tol):
    return lambda: fit(tol)


def calibrate_path(fit, problems, target=TARGET, start=1e-3, smallest=1e-16):
    """Loosest tol on a 10^0.5 grid meeting ``target`` at every alpha."""
    tol = start
    worst = np.inf
    with one_thread():
        while tol >= smallest:
            worst = float(np.max(path_rescore(problems, fit(tol))))
            if worst <= target:
                return tol, worst
            tol /= TOL_STEP
    return None, worst


def bench_path(repeats, case="small"):
    X, y = make_case(case)
    base = lk.lasso(X, y, 1.0, fit_intercept=False)
    a_max = base.alpha_max()
    grid = np.geomspace(a_max, a_max * EPS, N_ALPHAS)
    problems = [base.replace(penalty=lk.L1(float(a))) for a in grid]
    # What a user writes: the problem is stated inside the timing (a Problem
    # refers to X, so this is one validation pass, no copy).
    solvers = {"lassokit": lambda: lk.path(lk.lasso(X, y, 1.0, fit_intercept=False), alphas=grid,
                                           backend="cd", tol=TARGET).coefs}
    tols = {"lassokit": TARGET}
    for name, fit in path_competitors(X, y, grid).items():
        tol, worst = calibrate_path(fit, problems)
        print(f"  calibrated {name}: tol={tol} (worst re-scored rel gap {worst:.2g})", flush=True)
        if tol is None:
            continue
        tols[name] = tol
        solvers[name] = _bind(fit, tol)
    timed = time_interleaved(solvers, repeats=repeats, warmup=1)
    rows = []
    for name, (med, times, coefs) in timed.items():
        gaps = path_rescore(problems, coefs)
        rows.append(dict(solver=name, tol=tols[name], median_s=med, times=times,
                         max_rel_gap=float(gaps.max()), median_rel_gap=float(np.median(gaps))))
    best = min(r["median_s"] for r in rows if r["solver"] != "lassokit")
    lk_time = next(r["median_s"] for r in rows if r["solver"] == "lassokit")
    print(f"\n## 100-alpha Lasso path, {CASES[case].describe()}; target rel gap {TARGET:g}\n")
    print("| solver | tol used | median s | x lassokit | max re-scored rel gap |")
    print("|---|---|---|---|---|")
    for r in sorted(rows, key=lambda r: r["median_s"]):
        print(f"| {r['solver']} | {r['tol']:.3g} | {r['median_s']:.3f} | "
              f"{r['median_s'] / lk_time:.2f} | {r['max_rel_gap']:.2g} |")
    print(f"\nlassokit / fastest competitor = {lk_time / best:.3f} (target <= 0.25)")
    return dict(rows=rows, ratio_vs_fastest=lk_time / best)


def bench_cv(repeats):
    from sklearn.linear_model import LassoCV as SkLassoCV
    from sklearn.model_selection import KFold

    X, y = make_case("small")
    cv = KFold(5)
    solvers = {
        "lassokit": lambda: lk.LassoCV(cv=cv).fit(X, y),
        "scikit-learn": quiet(lambda: SkLassoCV(cv=cv).fit(X, y)),
    }
    try:
        from celer import LassoCV as CelerLassoCV

        try:
            CelerLassoCV(cv=cv)
            solvers["celer"] = quiet(lambda: CelerLassoCV(cv=cv).fit(X, y))
        except TypeError:
            # celer 0.7.4's LassoCV passes n_alphas, which scikit-learn 1.9 removed:
            # run the same CV by hand on celer_path instead.
            solvers["celer (manual CV)"] = quiet(lambda: celer_manual_cv(X, y, cv))
    except ImportError:
        pass
    timed = time_interleaved(solvers, repeats=repeats, warmup=1)
    sk_alpha = timed["scikit-learn"][2].alpha_
    sk_time = timed["scikit-learn"][0]
    rows = []
    print(f"\n## 5-fold LassoCV (KFold(5), 100 alphas, default tol), "
          f"{CASES['small'].describe()}\n")
    print("| estimator | median s | x scikit-learn | alpha_ | same alpha_ as scikit-learn |")
    print("|---|---|---|---|---|")
    for name, (med, times, est) in sorted(timed.items(), key=lambda kv: kv[1][0]):
        same = bool(np.isclose(est.alpha_, sk_alpha, rtol=1e-10, atol=0))
        rows.append(dict(estimator=name, median_s=med, times=times, alpha_=float(est.alpha_),
                         same_alpha=same))
        print(f"| {name} | {med:.3f} | {med / sk_time:.3f} | {est.alpha_:.6g} | {same} |")
    lk_time = timed["lassokit"][0]
    print(f"\nlassokit / scikit-learn = {lk_time / sk_time:.3f} (target <= 0.2)")
    return dict(rows=rows, ratio_vs_sklearn=lk_time / sk_time)


class _CVResult:
    def __init__(self, alpha_):
        self.alpha_ = alpha_


def celer_manual_cv(X, y, cv, n_alphas=N_ALPHAS, eps=EPS):
    """What celer's LassoCV does (grid, per-fold celer_path, mean test MSE, refit)."""
    from celer import Lasso as CelerLasso
    from celer import celer_path

    yc = y - y.mean()
    Xc_mean = X.mean(axis=0)
    a_max = np.max(np.abs(X.T @ yc - Xc_mean * yc.sum())) / X.shape[0]
    grid = np.geomspace(a_max, a_max * eps, n_alphas)
    mse = np.zeros((len(grid), cv.get_n_splits()))
    for k, (tr, te) in enumerate(cv.split(X)):
        x_mean, y_mean = X[tr].mean(axis=0), y[tr].mean()
        Xtr = np.asfortranarray(X[tr] - x_mean)
        coefs = celer_path(Xtr, y[tr] - y_mean, "lasso", alphas=grid, tol=1e-4, prune=True)[1]
        pred = (X[te] - x_mean) @ coefs + y_mean
        mse[:, k] = np.mean((pred - y[te][:, None]) ** 2, axis=0)
    best = grid[int(np.argmin(mse.mean(axis=1)))]
    CelerLasso(alpha=best, tol=1e-4).fit(X, y)
    return _CVResult(best)


def bench_overhead(repeats, n_alphas=1000):
    """Python cost per strength of ``lk.path`` on tiny problems, in microseconds.

    ``(t(n_alphas) - t(1)) / (n_alphas - 1)`` with ``t(k)`` the median time of
    a whole ``lk.path`` call on a ``k``-strength grid: the fixed cost of a
    call (validation, session, grid) cancels, what is left is the marginal
    cost of one more strength, kernel work included (so an upper bound on the
    overhead). Feature space (20 x 5) and residual space (8 x 30).
    """
    import time

    rng = np.random.default_rng(0)
    rows = []
    for n, p in ((20, 5), (8, 30)):
        X = rng.standard_normal((n, p))
        y = X[:, 0] + 0.1 * rng.standard_normal(n)
        prob = lk.lasso(X, y, 1.0)
        med = {}
        for k in (1, n_alphas):
            grid = lk.alpha_grid(prob, k, 1e-3)
            lk.path(prob, alphas=grid)  # warm-up (JIT)
            ts = []
            for _ in range(max(repeats, 5) * 4):
                t0 = time.perf_counter()
                lk.path(prob, alphas=grid)
                ts.append(time.perf_counter() - t0)
            med[k] = float(np.median(ts))
        per = (med[n_alphas] - med[1]) / (n_alphas - 1) * 1e6
        print(f"tiny {n} x {p}: path of 1 strength {med[1] * 1e3:.3f} ms, of {n_alphas} "
              f"{med[n_alphas] * 1e3:.2f} ms: {per:.1f} us per strength")
        rows.append({"n": n, "p": p, "t1": med[1], "tk": med[n_alphas], "us_per_alpha": per})
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["path", "cv", "overhead", "all"], default="all")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--case", choices=sorted(CASES), default="small",
                        help="the path part's problem (CV uses bench_cv.py's cases)")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)
    results = {}
    if args.part in ("path", "all"):
        results["path"] = bench_path(args.repeats, args.case)
    if args.part in ("cv", "all"):
        results["cv"] = bench_cv(args.repeats)
    if args.part in ("overhead", "all"):
        results["overhead"] = bench_overhead(args.repeats)
    dump_json(args.json, results, indent=2)


if __name__ == "__main__":
    main()
