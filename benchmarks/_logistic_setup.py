"""The logistic benchmark's problems, competitors and tol calibration (see ``bench_logistic.py``).

Split from the driver so that each file stays one concern: what is solved
and how every solver's ``tol`` is tightened until lassokit's certificate
accepts its answer, here; the timing parts and the tables, there.
"""

from __future__ import annotations

import math
import os
import platform
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from _common import Case, make_case, one_thread  # noqa: E402

import lassokit as lk  # noqa: E402

TARGET = 1e-6
ENET_RATIO = 0.5
N_PATH = 50
PATH_EPS = 1e-2
TOL_STEP = 10 ** 0.5

#: (n, p, kind, number of true features) per size.
PROBLEMS = {
    "full": {"lwide": (200, 20_000, "ar1", 20), "ltall": (100_000, 200, "ar1", 20),
             "lsparse": (20_000, 100_000, "sparse", 1_000)},
    "small": {"lwide": (100, 2_000, "ar1", 10), "ltall": (10_000, 200, "ar1", 20),
              "lsparse": (2_000, 10_000, "sparse", 100)},
}

#: First tol tried per competitor (the search moves either way from here).
START_TOL = {"sklearn-liblinear": 1e-7, "sklearn-saga": 1e-5, "celer": 1e-7, "skglm": 1e-6,
             "glum": 1e-6}

COMPETITORS = ["sklearn-liblinear", "sklearn-saga", "celer", "skglm", "glum"]
OURS = ["lassokit", "lassokit-est"]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def quiet(fn):
    """``fn`` with every warning silenced (convergence warnings are judged by the certificate)."""
    def run(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args, **kwargs)
    return run


# -- data ---------------------------------------------------------------------------------

def make_labels(name, size, seed=0):
    """``(X, y, case)`` for a logistic problem: y = sign of ``_common.make_case``'s target."""
    n, p, kind, k = PROBLEMS[size][name]
    case = Case(name, n, p, "sparse" if kind == "sparse" else "ar1", k / p)
    X, target = make_case(case, seed=seed)
    y = np.where(target > 0, 1.0, -1.0)
    return X, y, case


def describe(X, y, name):
    import scipy.sparse as sp

    kind = (f"CSC, density {X.nnz / (X.shape[0] * X.shape[1]):.0e}, log-normal"
            if sp.issparse(X) else "dense AR(1) rho=0.5")
    return f"{name}: {X.shape[0]:,} x {X.shape[1]:,} {kind}, {np.mean(y > 0):.3f} positive"


def env_summary():
    """One line naming the machine and the versions."""
    import importlib.metadata as md

    vers = []
    for pkg in ("numpy", "scipy", "scikit-learn", "celer", "skglm", "glum", "numba"):
        try:
            vers.append(f"{pkg} {md.version(pkg)}")
        except md.PackageNotFoundError:
            vers.append(f"{pkg} not installed")
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if "model name" in line)
    except (OSError, StopIteration):
        cpu = platform.processor()
    return (f"{cpu}, {os.cpu_count()} cpus, Python {platform.python_version()}, "
            f"lassokit {lk.__version__}; " + ", ".join(vers)
            + f"; load average {os.getloadavg()[0]:.1f} at start")


# -- calibration --------------------------------------------------------------------------

def call_capped(fn, arg, timeout):
    """``fn(arg)`` in a forked child, killed after ``timeout`` seconds.

    Returns
    -------
    (result or None, seconds)
        None when the child was killed (or raised: the error is logged).
    """
    import pickle
    import select
    import signal

    t0 = time.perf_counter()
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: run, send the pickled answer, leave without cleanup
        os.close(rfd)
        try:
            data = pickle.dumps(("ok", fn(arg)), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            data = pickle.dumps(("error", repr(exc)))
        with os.fdopen(wfd, "wb") as fh:
            fh.write(data)
        os._exit(0)
    os.close(wfd)
    chunks, killed = [], False
    with os.fdopen(rfd, "rb") as fh:
        while True:
            left = timeout - (time.perf_counter() - t0)
            if left <= 0 or not select.select([fh], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                killed = True
                break
            chunk = os.read(fh.fileno(), 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    os.waitpid(pid, 0)
    seconds = time.perf_counter() - t0
    if killed:
        return None, seconds
    status, value = pickle.loads(b"".join(chunks))
    if status != "ok":
        log(f"    error: {value}")
        return None, seconds
    return value, seconds


def calibrate(fit, score, start, target=TARGET, loosest=1e-2, smallest=1e-16, cap_s=None):
    """Loosest tol on the ``10^(k/2)`` grid whose answer scores ``<= target``.

    Searches from ``start`` in steps of 10 (looser while it passes, tighter
    while it fails), then tries the half step between the last failing and
    the first passing tol. Assumes the score is monotone in tol.

    Parameters
    ----------
    fit : callable
        ``fit(tol) -> answer``.
    score : callable
        ``score(answer) -> float``, the worst re-scored relative gap.
    start : float
    cap_s : float, optional
        Each try runs in a forked child killed after ``cap_s`` seconds (a
        killed try scores ``inf`` and ends the search; the note says
        "capped").

    Returns
    -------
    dict with ``tol`` (None if missed), ``gap`` (at ``tol``, or the last
    tried), ``tries`` [(tol, gap, seconds)], ``first_s`` (the first call in
    this process, JIT included) and ``note``.
    """
    tries = []

    def attempt(tol):
        if cap_s is None:
            t0 = time.perf_counter()
            answer = fit(tol)
            seconds = time.perf_counter() - t0
        else:
            answer, seconds = call_capped(fit, tol, cap_s)
        gap = math.inf if answer is None else float(score(answer))
        tries.append((tol, gap, seconds))
        return gap

    def capped():
        return bool(tries) and math.isinf(tries[-1][1])

    with one_thread():
        t0 = time.perf_counter()
        fit(loosest)  # first call, in this process: imports, numba JIT (skglm), caches
        first_s = time.perf_counter() - t0
        tol = start
        gap = attempt(tol)
        passed, failed = ((tol, gap) if gap <= target else (None, None)), None
        if gap <= target:
            while tol * 10 <= loosest * 1.0001:
                g = attempt(tol * 10)
                if g > target:
                    failed = tol * 10
                    break
                tol *= 10
                passed = (tol, g)
        else:
            failed = tol
            while tol / 10 >= smallest and not capped():
                tol /= 10
                g = attempt(tol)
                if g <= target:
                    passed = (tol, g)
                    break
                failed = tol
            if capped() and failed is not None:
                # Run time is not monotone in tol (liblinear once took 60 s at
                # 1e-9 and 1.3 s at 3e-9): give the half step a chance.
                g = attempt(failed / TOL_STEP)
                if g <= target:
                    passed, failed = (failed / TOL_STEP, g), None
        if passed[0] is not None and failed is not None:
            mid = passed[0] * TOL_STEP
            g = attempt(mid)
            if g <= target:
                passed = (mid, g)
    note = f"capped at {cap_s:g} s" if any(math.isinf(t[1]) for t in tries) else ""
    if passed[0] is not None:
        tol, gap = passed
    else:
        tol, gap = None, min(t[1] for t in tries)
    return dict(tol=tol, gap=gap, tries=tries, first_s=first_s, note=note)


# -- single solves ------------------------------------------------------------------------

def single_competitors(X, y, alpha, r, solvers):
    """name -> fit(tol) returning coef, every one on the same (X, y, alpha, r)."""
    from sklearn.linear_model import LogisticRegression

    n, p = X.shape
    C = 1.0 / (n * alpha)
    y01 = (y > 0).astype(np.float64)
    out = {}
    if r == 1.0:
        out["sklearn-liblinear"] = lambda tol: LogisticRegression(
            C=C, l1_ratio=1.0, solver="liblinear", fit_intercept=False, tol=tol,
            max_iter=10_000, random_state=0).fit(X, y).coef_.ravel()
    if p <= n or "sklearn-saga!" in solvers:
        out["sklearn-saga"] = lambda tol: LogisticRegression(
            C=C, l1_ratio=r, solver="saga", fit_intercept=False, tol=tol,
            max_iter=1_000, random_state=0).fit(X, y).coef_.ravel()
    try:
        import celer
    except ImportError:
        celer = None
    if celer is not None and r == 1.0:
        out["celer"] = lambda tol: celer.LogisticRegression(
            C=C, tol=tol).fit(X, y).coef_.ravel()
    try:
        from skglm import SparseLogisticRegression
    except ImportError:
        SparseLogisticRegression = None
    if SparseLogisticRegression is not None:
        out["skglm"] = lambda tol: SparseLogisticRegression(
            alpha=alpha, l1_ratio=r, tol=tol, fit_intercept=False, max_iter=200,
            max_epochs=100_000).fit(X, y).coef_
    try:
        from glum import GeneralizedLinearRegressor
    except ImportError:
        GeneralizedLinearRegressor = None
    if GeneralizedLinearRegressor is not None and (p <= 1_000 or "glum!" in solvers):
        out["glum"] = lambda tol: GeneralizedLinearRegressor(
            family="binomial", alpha=alpha, l1_ratio=r, fit_intercept=False,
            gradient_tol=tol, max_iter=1_000).fit(X, y01).coef_
    keep = {s.rstrip("!") for s in solvers}
    return {k: quiet(v) for k, v in out.items() if k in keep}


def lk_estimator(alpha, r, n, tol=TARGET):
    """``lk.LogisticRegression`` at strength ``alpha`` (None while lassokit has none).

    scikit-learn's 1.8+ spelling: ``C = 1/(n alpha)`` and ``l1_ratio``.
    """
    try:
        cls = lk.LogisticRegression
    except AttributeError:
        return None
    return cls(C=1.0 / (alpha * n), l1_ratio=r, fit_intercept=False, tol=tol)


def path_problems(X, y, r, grid):
    base = lk.logistic(X, y, 1.0, l1_ratio=r, fit_intercept=False)
    return [base.replace(penalty=lk.L1(float(a) * r) + lk.L2(float(a) * (1 - r)))
            for a in grid]


def path_score(problems):
    """coefs (p, k) -> worst re-scored relative gap along the path."""
    def score(coefs):
        coefs = np.asarray(coefs, dtype=np.float64)
        return max(pb.certify(np.ascontiguousarray(coefs[:, k])).rel_gap
                   for k, pb in enumerate(problems))
    return score


def path_competitors(X, y, r, grid, solvers):
    """name -> fit(tol) returning coefs of shape (p, len(grid)); grid decreasing."""
    from sklearn.linear_model import LogisticRegression

    n, p = X.shape
    y01 = (y > 0).astype(np.float64)
    out = {}

    def loop(make, strength):
        """One estimator refitted along the grid (warm-started if it was made so)."""
        def fit(tol):
            est = make(tol)
            coefs = np.empty((p, grid.size))
            for k, a in enumerate(grid):
                est.set_params(**strength(a))
                coefs[:, k] = np.ravel(est.fit(X, y).coef_)
            return coefs
        return fit

    def sk(solver, warm):
        return loop(lambda tol: LogisticRegression(
            C=1.0, l1_ratio=r, solver=solver, fit_intercept=False, tol=tol,
            max_iter=10_000 if solver == "liblinear" else 1_000, warm_start=warm,
            random_state=0),
            lambda a: {"C": 1.0 / (n * a)})

    if r == 1.0:
        out["sklearn-liblinear"] = sk("liblinear", False)
    if p <= n or "sklearn-saga!" in solvers:
        out["sklearn-saga"] = sk("saga", True)
    try:
        from celer import celer_path
    except ImportError:
        celer_path = None
    if celer_path is not None and r == 1.0:
        out["celer"] = lambda tol: celer_path(X, y, "logreg", alphas=n * grid, tol=tol,
                                              use_PN=True, max_iter=200)[1]
    try:
        from skglm import SparseLogisticRegression
    except ImportError:
        SparseLogisticRegression = None
    if SparseLogisticRegression is not None:
        out["skglm"] = loop(lambda tol: SparseLogisticRegression(
            alpha=grid[0], l1_ratio=r, tol=tol, fit_intercept=False, max_iter=200,
            max_epochs=100_000, warm_start=True), lambda a: {"alpha": float(a)})
    try:
        from glum import GeneralizedLinearRegressor
    except ImportError:
        GeneralizedLinearRegressor = None
    if GeneralizedLinearRegressor is not None and (p <= 1_000 or "glum!" in solvers):
        out["glum"] = lambda tol: GeneralizedLinearRegressor(
            family="binomial", alpha_search=True, alphas=grid, l1_ratio=r, fit_intercept=False,
            gradient_tol=tol, max_iter=1_000).fit(X, y01).coef_path_.T
    keep = {s.rstrip("!") for s in solvers}
    return {k: quiet(v) for k, v in out.items() if k in keep}
