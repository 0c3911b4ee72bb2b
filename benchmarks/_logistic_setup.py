"""The logistic benchmark's problems, competitors and tol calibration (see ``bench_logistic.py``).

Split from the driver so that each file stays one concern: what is solved
and how every solver's ``tol`` is tightened until lassokit's certificate
accepts its answer, here; the timing parts and the tables, there. The
calibration (:func:`calibrate`, :func:`calibrated`, :func:`call_capped`),
the table cells that show it and :func:`env_summary` serve
``bench_poisson.py`` and ``bench_multitask_group.py`` too.
"""

from __future__ import annotations

import math
import os
import platform
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from _common import Case, log, make_case, one_thread, quiet

import lassokit as lk

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


def env_summary(packages=("numpy", "scipy", "scikit-learn", "celer", "skglm", "glum", "numba"),
                extra=(), lassokit_note=None):
    """One line naming the machine and the versions.

    ``extra``: more ``"name version"`` entries (a package outside this
    environment); ``lassokit_note``: said after lassokit's version (the git
    state).
    """
    import importlib.metadata as md

    vers = []
    for pkg in packages:
        try:
            vers.append(f"{pkg} {md.version(pkg)}")
        except md.PackageNotFoundError:
            vers.append(f"{pkg} not installed")
    vers += list(extra)
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if "model name" in line)
    except (OSError, StopIteration):
        cpu = platform.processor()
    note = f" ({lassokit_note})" if lassokit_note else ""
    return (f"{cpu}, {os.cpu_count()} cpus, Python {platform.python_version()}, "
            f"lassokit {lk.__version__}{note}; " + ", ".join(vers)
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


def calibrate(fit, score, start, target=TARGET, loosest=1e-2, smallest=1e-16, cap_s=None,
              external=False, warm=None):
    """Loosest tol on the ``10^(k/2)`` grid whose answer scores ``<= target``.

    Searches from ``start`` in steps of 10 (looser while it passes, tighter
    while it fails), then tries the half step between the last failing and
    the first passing tol. Assumes the score is monotone in tol. After a try
    killed by the cap, the search stops going tighter and tries the half step
    between it and the last try that came back (run time is not monotone in
    tol: liblinear once took 60 s at 1e-9 and 1.3 s at 3e-9).

    Parameters
    ----------
    fit : callable
        ``fit(tol) -> answer``.
    score : callable
        ``score(answer) -> float``, the worst re-scored relative gap.
    start : float
    cap_s : float, optional
        Each try runs in a forked child killed after ``cap_s`` seconds (a
        killed try scores ``inf``; the note says "capped").
    external : bool, default=False
        ``fit`` runs in a process of its own and enforces the cap itself: it
        returns ``dict(result=answer, ...)`` or None (killed, failed); no
        untimed first call here.
    warm : callable, optional
        The untimed first call in this process (imports, numba JIT, caches);
        default ``fit(loosest)``. A path passes a two-strength path: an
        uncapped run of the whole path can take longer than the cap.

    Returns
    -------
    dict with ``tol`` (None if missed), ``gap`` (at ``tol``, or the best
    tried), ``tries`` [(tol, gap, seconds)], ``first_s`` (the first call in
    this process, JIT included; None if ``external``) and ``note``.
    """
    tries = []

    def attempt(tol):
        t0 = time.perf_counter()
        if external:
            answer = fit(tol)
            answer = None if answer is None else answer["result"]
        elif cap_s is None:
            answer = fit(tol)
        else:
            answer, _ = call_capped(fit, tol, cap_s)
        gap = math.inf if answer is None else float(score(answer))
        tries.append((tol, gap, time.perf_counter() - t0))
        return gap

    def capped():
        return bool(tries) and math.isinf(tries[-1][1])

    first_s = None
    with one_thread():
        if not external:
            t0 = time.perf_counter()
            (warm or (lambda: fit(loosest)))()
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
            failed, finite_fail = tol, (None if capped() else tol)
            while tol / 10 >= smallest and not capped():
                tol /= 10
                g = attempt(tol)
                if g <= target:
                    passed = (tol, g)
                    break
                failed = tol
                if not capped():
                    finite_fail = tol
            if capped() and finite_fail is not None and passed[0] is None:
                g = attempt(finite_fail / TOL_STEP)
                if g <= target:
                    passed, failed = (finite_fail / TOL_STEP, g), None
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
    return {"tol": tol, "gap": gap, "tries": tries, "first_s": first_s, "note": note}


def calibrated(competitors, score, row, label, cap_s, start_tol=None, warm=None):
    """Calibrate each competitor's tol until ``score`` accepts it; the timed calls at that tol.

    Records every calibration in ``row["cal"]`` and logs its tries; a
    competitor that never reached the target (tol None) is not timed.
    ``start_tol``: name -> first tol tried (default :data:`START_TOL`, then
    1e-6); ``warm``: name -> its untimed first call (see :func:`calibrate`).
    A ``fit`` marked ``external`` passes the mark on to its timed call.
    """
    start_tol = START_TOL if start_tol is None else start_tol
    timed = {}
    for cname, fit in competitors.items():
        external = getattr(fit, "external", False)
        cal = calibrate(fit, score, start_tol.get(cname, 1e-6), cap_s=cap_s, external=external,
                        warm=(warm or {}).get(cname))
        row["cal"][cname] = cal
        first = "" if cal["first_s"] is None else f"first call {cal['first_s']:.2f} s; "
        log(f"  {label} {cname}: tol {cal['tol']} gap {cal['gap']:.2e} "
            f"({first}{len(cal['tries'])} tries: "
            + ", ".join(f"{t:.0e}->{g:.1e} in {s:.2f}s" for t, g, s in cal["tries"])
            + f") {cal['note']}")
        if cal["tol"] is not None:
            timed[cname] = (lambda f=fit, t=cal["tol"]: f(t))
            timed[cname].external = external
    return timed


# -- table cells --------------------------------------------------------------------------

def fmt_s(x):
    return "-" if x is None else (f"{x:.3g}" if x < 100 else f"{x:.0f}")


def fmt_gap(g):
    """The re-scored gap; ``!`` marks one above the target."""
    return f"{g:.1e}" + ("!" if g > TARGET else "")


def comp_cell(row, c):
    """A competitor's cell: CPU seconds (calibrated tol; re-scored gap), or why it has none."""
    cal = row["cal"].get(c)
    if c in row["cpu"]:
        return f"{fmt_s(row['cpu'][c])} ({cal['tol']:.0e}; {fmt_gap(row['gaps'][c])})"
    if cal is not None:
        note = f", {cal['note']}" if cal["note"] else ""
        return f"missed (best {cal['gap']:.0e}, last tol {cal['tries'][-1][0]:.0e}{note})"
    return "n/a"


def fastest(row, key="cpu", competitors=COMPETITORS):
    """The fastest of ``competitors`` timed in ``row`` ("-" if none)."""
    comp = {c: row[key][c] for c in competitors if c in row[key]}
    return min(comp, key=comp.get) if comp else "-"


def ratio_cell(row, who, key="cpu", competitors=COMPETITORS):
    """``who``'s time over the fastest competitor's, formatted ("-" if either is missing)."""
    best = fastest(row, key, competitors)
    if who not in row[key] or best == "-":
        return "-"
    return f"{row[key][who] / row[key][best]:.2f}"


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


def refit_path(make, strength, X, y, grid, coef=None):
    """``fit(tol) -> coefs (len(grid), ...)``: one estimator refitted along ``grid``.

    ``make(tol)`` builds the estimator (warm-started if it was made so),
    ``strength(a)`` gives the ``set_params`` keywords of strength ``a``,
    ``coef(est)`` reads the answer (default: ``coef_`` raveled).
    """
    def fit(tol):
        est = make(tol)
        coefs = []
        for a in grid:
            est.set_params(**strength(a))
            est.fit(X, y)
            coefs.append(np.array(np.ravel(est.coef_) if coef is None else coef(est)))
        return np.array(coefs)
    return fit


def path_competitors(X, y, r, grid, solvers):
    """name -> fit(tol) returning coefs of shape (p, len(grid)); grid decreasing."""
    from sklearn.linear_model import LogisticRegression

    n, p = X.shape
    y01 = (y > 0).astype(np.float64)
    out = {}

    def loop(make, strength):
        fit = refit_path(make, strength, X, y, grid)
        return lambda tol: fit(tol).T

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
