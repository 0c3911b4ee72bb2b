"""``lassokit bench``: a small, honest benchmark (see BENCHMARKING notes in the docs).

Every solver gets the same centred data with ``fit_intercept=False`` and every
answer is re-scored with lassokit's own objective and duality gap (the plain
residual dual point), so "converged" means the same thing for all. BLAS is
pinned to one thread. Each solver runs once to warm up (JIT compilation,
imports; reported as "first"), then ``--repeat`` timed runs interleaved with
the other solvers; the table shows the median.

Competitors' tolerances are mapped to lassokit's relative gap where the
mapping is known: scikit-learn and celer stop on ``gap <= tol * ||y||^2 / n``,
a relative gap of ``2 tol``; skglm's ``tol`` bounds a KKT violation and is
passed unchanged. The "rel gap" column shows what each actually reached.
"""

from __future__ import annotations

import importlib.util
import json
import platform
import statistics
import time
import warnings

import numpy as np

from .common import EXIT_OK, CLIError
from .output import check_writable
from .progress import Progress, progress_enabled
from .text import plural, table

# Scale factors of the problem dimensions (see make_cases).
_SIZES = {"tiny": 0.25, "small": 1.0, "medium": 4.0, "large": 16.0}
# Run only when named with --solvers.
_ON_REQUEST = ("lassokit:osqp", "lassokit:cvxpy")
# Competitors: the module to import and how to install it (the "bench" extra
# of pyproject.toml has celer and skglm; scikit-learn is a core dependency).
_EXTRA = 'or pip install "lassokit[bench]" for every competitor'
_COMPETITORS = {
    "sklearn": ("sklearn", "pip install scikit-learn"),
    "celer": ("celer", f"pip install celer ({_EXTRA})"),
    "skglm": ("skglm", f"pip install skglm ({_EXTRA})"),
}


class _Case:
    """One benchmark problem: data, penalty and its lassokit Problem."""

    def __init__(self, name, X, y, kind, alpha, l1_ratio, description):
        import lassokit as lk

        self.name, self.X, self.y, self.kind = name, X, y, kind
        self.alpha, self.l1_ratio, self.description = alpha, l1_ratio, description
        if kind == "lasso":
            self.problem = lk.lasso(X, y, alpha, fit_intercept=False)
        elif kind == "enet":
            self.problem = lk.elastic_net(X, y, alpha, l1_ratio=l1_ratio, fit_intercept=False)
        else:
            self.problem = lk.ridge(X, y, alpha, fit_intercept=False)
        self.p0 = 0.5 * float(y @ y) / y.size  # P(0) without intercept


def _ar1(rng, n, p, rho):
    """Gaussian columns with corr(x_j, x_k) = rho^|j-k|, built without BLAS."""
    Z = rng.standard_normal((n, p))
    X = np.empty((n, p))
    X[:, 0] = Z[:, 0]
    c = np.sqrt(1.0 - rho * rho)
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + c * Z[:, j]
    return X


def _target(rng, X, k):
    """y = X w + noise for a k-sparse w, centred; column sums avoid BLAS."""
    n, p = X.shape
    support = rng.choice(p, size=min(k, p), replace=False)
    w = rng.standard_normal(support.size)
    cols = X[:, support]
    signal = np.asarray(cols.toarray() if hasattr(cols, "toarray") else cols)
    signal = (signal * w).sum(axis=1)
    y = signal + 0.5 * np.std(signal) * rng.standard_normal(n)
    return y - y.mean()


def make_cases(size, seed):
    """The benchmark problems at ``size`` (a key of ``_SIZES``)."""
    import scipy.sparse as sp

    f = _SIZES[size]
    rng = np.random.default_rng(seed)
    n, p = max(20, int(100 * f ** 0.5)), int(1000 * f)
    X = _ar1(rng, n, p, 0.5)
    y = _target(rng, X, 10)
    cases = []
    amax = float(np.max(np.abs(X.T @ y))) / n
    cases.append(_Case("lasso-dense", X, y, "lasso", amax / 20, None,
                       f"dense {n} x {p} AR(1) rho=0.5, Lasso alpha_max/20"))
    cases.append(_Case("enet-dense", X, y, "enet", 2 * amax / 20, 0.5,
                       f"dense {n} x {p} AR(1) rho=0.5, Elastic Net l1_ratio=0.5, alpha_max/20"))
    ns, ps = int(1000 * f), int(5000 * f)
    Xs = sp.random(ns, ps, density=0.005, format="csc", random_state=rng,
                   data_rvs=rng.standard_normal)
    ys = _target(rng, Xs, 20)
    amax_s = float(np.max(np.abs(Xs.T @ ys))) / ns
    cases.append(_Case("lasso-sparse", Xs, ys, "lasso", amax_s / 20, None,
                       f"sparse {ns} x {ps} density 0.005, Lasso alpha_max/20"))
    nr, pr = int(2000 * f), max(20, int(100 * f ** 0.5))
    Xr = _ar1(rng, nr, pr, 0.5)
    yr = _target(rng, Xr, 10)
    cases.append(_Case("ridge-dense", Xr, yr, "ridge", 0.1, None,
                       f"dense {nr} x {pr} AR(1) rho=0.5, Ridge alpha=0.1 (lassokit scale)"))
    return cases


# -- solvers: each maps a case to a function returning coef, or None if it cannot ----------------


def _lassokit_solver(name):
    def make(case, tol):
        from ..backends.registry import get_backend

        backend = get_backend(name)
        ok = backend.supports(case.problem)
        if not (ok[0] if isinstance(ok, tuple) else ok):
            return None
        return lambda: case.problem.solve(name, tol=tol).coef

    return make


def _sklearn(case, tol):
    from sklearn.linear_model import ElasticNet, Lasso, Ridge

    n = case.y.size
    if case.kind == "ridge":
        # scikit-learn's Ridge minimizes ||y - Xw||^2 + alpha ||w||^2: alpha_sk = n * alpha.
        est = Ridge(alpha=case.alpha * n, fit_intercept=False)
    elif case.kind == "lasso":
        est = Lasso(alpha=case.alpha, fit_intercept=False, tol=tol / 2, max_iter=100_000)
    else:
        est = ElasticNet(alpha=case.alpha, l1_ratio=case.l1_ratio, fit_intercept=False,
                         tol=tol / 2, max_iter=100_000)
    return lambda: est.fit(case.X, case.y).coef_


def _celer(case, tol):
    import celer

    if case.kind == "ridge":
        return None
    kw = dict(alpha=case.alpha, fit_intercept=False, tol=tol / 2)
    est = celer.Lasso(**kw) if case.kind == "lasso" else celer.ElasticNet(
        l1_ratio=case.l1_ratio, **kw)
    return lambda: est.fit(case.X, case.y).coef_


def _skglm(case, tol):
    import skglm

    if case.kind == "ridge":
        return None
    kw = dict(alpha=case.alpha, fit_intercept=False, tol=tol)
    est = skglm.Lasso(**kw) if case.kind == "lasso" else skglm.ElasticNet(
        l1_ratio=case.l1_ratio, **kw)
    return lambda: est.fit(case.X, case.y).coef_


def solvers(selected):
    """(label, factory) pairs: lassokit's backends, then installed competitors."""
    import lassokit as lk

    out = [(f"lassokit:{b}", _lassokit_solver(b)) for b in lk.available_backends()]
    for name, factory in (("sklearn", _sklearn), ("celer", _celer), ("skglm", _skglm)):
        module = _COMPETITORS[name][0]
        if importlib.util.find_spec(module) is not None:
            out.append((name, factory))
    if selected is None:
        # The QP-based backends are 100-1000x slower than CD here: only on request.
        return [(lab, f) for lab, f in out if lab not in _ON_REQUEST]
    known = {lab: f for lab, f in out}
    short = {lab.split(":", 1)[-1]: lab for lab in known}
    chosen = []
    for name in selected:
        label = name if name in known else short.get(name)
        if label is None and name in _COMPETITORS:
            raise CLIError(f"solver {name!r} is not installed: {_COMPETITORS[name][1]}")
        if label is None and name in lk.available_backends(emulated=True):
            # "gpu" without a CUDA device: its CPU times would pass for GPU ones.
            from ..backends.registry import get_backend

            raise CLIError(f"solver {name!r} is left out here: {get_backend(name).emulated()}")
        if label is None:
            raise CLIError(f"unknown or unavailable solver {name!r}; available: "
                           f"{', '.join(s.split(':', 1)[-1] for s in known)}")
        chosen.append((label, known[label]))
    return chosen


def _timed(fn):
    with warnings.catch_warnings():
        # Competitors warn when they stop early; the re-scored gap tells the truth.
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        coef = fn()
        elapsed = time.perf_counter() - start
    return np.asarray(coef, dtype=np.float64), elapsed


def run_bench(args):
    """``lassokit bench``."""
    from threadpoolctl import threadpool_limits

    check_writable(args.json, "--json")
    chosen = solvers(args.solvers)
    with threadpool_limits(limits=1):
        cases = make_cases(args.size, args.seed)
        if args.problems is not None:
            names = {c.name for c in cases}
            unknown = [p for p in args.problems if p not in names]
            if unknown:
                raise CLIError(f"unknown problem(s) {', '.join(unknown)}; "
                               f"choose from {', '.join(sorted(names))}")
            cases = [c for c in cases if c.name in args.problems]
        plan = []
        for case in cases:
            runs = []
            for label, factory in chosen:
                try:
                    fn = factory(case, args.tol)
                except Exception as exc:  # noqa: BLE001 - a competitor's failure is a row
                    runs.append(dict(solver=label, error=_short(exc)))
                    continue
                if fn is not None:
                    runs.append(dict(solver=label, fn=fn, times=[]))
            plan.append((case, runs))
        steps = sum(len(r) for _, r in plan) * (1 + args.repeat)
        with Progress("bench", total=steps, enabled=progress_enabled(args.progress)) as bar:
            for case, runs in plan:
                _run_case(case, runs, args.repeat, bar)
    print(f"lassokit bench: size {args.size}, target relative gap {args.tol:g}, "
          f"median of {plural(args.repeat, 'run')} after a warm-up, 1 BLAS thread")
    if args.solvers is None:
        print("(osqp and cvxpy run only when named: --solvers cd,osqp,cvxpy,...)")
    results = []
    for case, runs in plan:
        results.extend(_report(case, runs, args.tol))
    print("\nrel gap: duality gap of the returned coef / P(0), by lassokit's certificate; "
          "subopt: (P - best P) / P(0);\nfirst: the warm-up run (includes JIT "
          "compilation). Each competitor ran at its nominal tolerance mapping.")
    if args.json:
        meta = dict(size=args.size, tol=args.tol, repeat=args.repeat, seed=args.seed,
                    python=platform.python_version(), versions=_versions())
        try:
            with open(args.json, "w", encoding="utf-8") as fh:
                json.dump(dict(meta=meta, results=results), fh, indent=2)
                fh.write("\n")
        except OSError as exc:
            raise CLIError(f"cannot write {args.json}: {exc.strerror or exc}") from None
        print(f"results written to {args.json}")
    return EXIT_OK


def _short(exc):
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:70]


def _run_case(case, runs, repeat, bar):
    for rnd in range(-1, repeat):  # round -1 is the warm-up
        for run in runs:
            if "fn" not in run or "error" in run:
                continue
            bar.update(1, f"{case.name} {run['solver']}")
            try:
                coef, elapsed = _timed(run["fn"])
            except Exception as exc:  # noqa: BLE001
                run["error"] = _short(exc)
                continue
            if rnd < 0:
                run["first"] = elapsed
            else:
                run["times"].append(elapsed)
            run["coef"] = coef


def _report(case, runs, tol):
    prob = case.problem
    for run in runs:
        if "coef" in run and "error" not in run:
            run["objective"] = prob.objective(run["coef"])
            run["rel_gap"] = prob.dual_gap(run["coef"]) / case.p0
    done = [r for r in runs if "objective" in r]
    best = min((r["objective"] for r in done), default=np.nan)
    fastest = min((statistics.median(r["times"]) for r in done if r["times"]), default=np.nan)
    rows, out = [], []
    done.sort(key=lambda r: statistics.median(r["times"]) if r["times"] else np.inf)
    for r in done:
        med = statistics.median(r["times"]) if r["times"] else float("nan")
        sub = (r["objective"] - best) / case.p0
        reached = bool(r["rel_gap"] <= tol)
        rows.append((r["solver"], f"{med:.4f}", f"x{med / fastest:.1f}", f"{r['first']:.3f}",
                     f"{r['rel_gap']:.1e}", f"{sub:.1e}", str(int(np.count_nonzero(r["coef"]))),
                     "yes" if reached else "NO"))
        out.append(dict(problem=case.name, description=case.description, solver=r["solver"],
                        median_s=med, times_s=r["times"], first_s=r["first"],
                        rel_gap=r["rel_gap"], rel_subopt=sub,
                        nnz=int(np.count_nonzero(r["coef"])), reached_tol=reached))
    for r in runs:
        if "error" in r:
            rows.append((r["solver"], "-", "-", "-", "-", "-", "-", r["error"]))
            out.append(dict(problem=case.name, solver=r["solver"], error=r["error"]))
    print(f"\n{case.name}: {case.description}")
    print(table(rows, ("solver", "median [s]", "vs best", "first [s]", "rel gap", "subopt",
                       "nnz", "gap <= tol")))
    return out


def _versions():
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for pkg in ("lassokit", "numpy", "scipy", "numba", "scikit-learn", "celer", "skglm"):
        try:
            found[pkg] = version(pkg)
        except PackageNotFoundError:
            continue
    import lassokit

    found["lassokit"] = lassokit.__version__
    return found
