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
    multinomial  a probe: skipped (and says why) while ``lk.Problem(X, labels, lk.L1(a),
               loss="multinomial")`` raises; otherwise lassokit against scikit-learn's saga
               (``C = 1/(n alpha)``, L1) at alpha_max/10 and /100 on 5,000 x 1,000, 4
               classes (quick: 500 x 100, 3 classes)

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
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, ROOT)

from _common import ar1_design, make_target, one_thread, sparse_design  # noqa: E402
from _logistic_setup import call_capped  # noqa: E402

import lassokit as lk  # noqa: E402

TARGET = 1e-6
TOL_STEP = 10 ** 0.5
N_PATH = 100
PATH_EPS = 1e-3
RATIOS = (10, 100)

#: name -> (kind, n, p, K or group size, share of true rows / groups, density, seed)
PROBLEMS = {
    "full": {
        "mtwide": ("multitask", 500, 5_000, 20, 0.01, None, 0),
        "mttall": ("multitask", 100_000, 200, 10, 0.05, None, 1),
        "gdense": ("group", 1_000, 10_000, 10, 0.01, None, 0),
        "gsparse": ("group", 20_000, 50_000, 5, 0.01, 1e-3, 1),
    },
    "quick": {
        "mtwide": ("multitask", 100, 1_000, 5, 0.01, None, 0),
        "mttall": ("multitask", 5_000, 50, 5, 0.1, None, 1),
        "gdense": ("group", 200, 2_000, 10, 0.01, None, 0),
        "gsparse": ("group", 2_000, 5_000, 5, 0.01, 5e-3, 1),
    },
}

MT_COMPETITORS = ["sklearn", "celer", "skglm"]
GROUP_COMPETITORS = ["skglm", "celer", "group-lasso"]
PATH_COMPETITORS = ["adelie", "celer", "skglm", "sklearn", "group-lasso"]
#: First tol tried per competitor (the search moves either way from there).
START_TOL = {"sklearn": 1e-6, "celer": 1e-6, "skglm": 1e-6, "group-lasso": 1e-6,
             "adelie": 1e-13, "sklearn-saga": 1e-5}

DEFAULT_ADELIE = "/tmp/adelie_venv/bin/python"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def quiet(fn):
    """``fn`` with every warning silenced (the certificate judges convergence)."""
    def run(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args, **kwargs)
    return run


# -- data -----------------------------------------------------------------------------------

def make_problem(name, size):
    """``(X, Y, info)``: Y (n, K) for multi-task problems, y (n,) for group problems."""
    kind, n, p, k, frac, density, seed = PROBLEMS[size][name]
    rng = np.random.default_rng(seed)
    X = sparse_design(n, p, density, rng) if density else ar1_design(n, p, 0.5, rng)
    if kind == "multitask":
        rows = rng.choice(p, max(1, round(frac * p)), replace=False)
        W = np.zeros((p, k))
        W[rows] = rng.standard_normal((rows.size, k))
        Y = np.empty((n, k), order="F")
        for t in range(k):
            Y[:, t] = make_target(X, W[:, t], 3.0, rng)
        info = dict(kind=kind, n=n, p=p, K=k, true_rows=int(rows.size))
        return X, Y, info
    n_groups = p // k
    active = rng.choice(n_groups, max(1, round(frac * n_groups)), replace=False)
    w = np.zeros(p)
    for g in active:
        w[g * k:(g + 1) * k] = rng.standard_normal(k)
    y = make_target(X, w, 3.0, rng)
    info = dict(kind=kind, n=n, p=p, group_size=k, n_groups=n_groups,
                true_groups=int(active.size))
    return X, y, info


def describe(name, X, info):
    store = (f"CSC density {X.nnz / (X.shape[0] * X.shape[1]):.0e} log-normal"
             if sp.issparse(X) else "dense AR(1) rho=0.5")
    if info["kind"] == "multitask":
        return (f"{name}: {info['n']:,} x {info['p']:,}, K = {info['K']}, {store}, "
                f"{info['true_rows']} true rows")
    return (f"{name}: {info['n']:,} x {info['p']:,}, {info['n_groups']:,} groups of "
            f"{info['group_size']}, {store}, {info['true_groups']} true groups")


def group_lists(p, size):
    return [list(range(s, s + size)) for s in range(0, p, size)]


def lk_problem(X, Y, info, alpha):
    """The lassokit problem at strength ``alpha`` (as a user writes it)."""
    if info["kind"] == "multitask":
        return lk.Problem(X, Y, lk.GroupL2(alpha), fit_intercept=False)
    return lk.Problem(X, Y, lk.GroupL2(alpha, groups=group_lists(info["p"], info["group_size"])),
                      fit_intercept=False)


# -- competitors: single solves -----------------------------------------------------------------

def single_competitors(X, Y, info, alpha, solvers):
    """name -> fit(tol) returning coef ((p, K) or (p,)), each on the same problem."""
    out = {}
    if info["kind"] == "multitask":
        if "sklearn" in solvers and not sp.issparse(X):
            from sklearn.linear_model import MultiTaskLasso

            out["sklearn"] = lambda tol: MultiTaskLasso(
                alpha=alpha, tol=tol, fit_intercept=False, max_iter=100_000).fit(X, Y).coef_.T
        try:
            from celer.homotopy import mtl_path
        except ImportError:
            mtl_path = None
        if mtl_path is not None and "celer" in solvers:
            out["celer"] = lambda tol: mtl_path(X, Y, alphas=[alpha], tol=tol, max_iter=100,
                                                max_epochs=100_000)[1][:, :, 0].T
        try:
            from skglm import MultiTaskLasso as SkglmMTL
        except ImportError:
            SkglmMTL = None
        if SkglmMTL is not None and "skglm" in solvers:
            out["skglm"] = lambda tol: SkglmMTL(alpha=alpha, tol=tol, fit_intercept=False,
                                                max_iter=100, max_epochs=100_000).fit(
                X, Y).coef_.T
    else:
        size, n_groups = info["group_size"], info["n_groups"]
        weights = np.full(n_groups, math.sqrt(size))
        try:
            from skglm import GroupLasso as SkglmGL
        except ImportError:
            SkglmGL = None
        if SkglmGL is not None and "skglm" in solvers:
            out["skglm"] = lambda tol: SkglmGL(groups=size, alpha=alpha, weights=weights, tol=tol,
                                               fit_intercept=False, max_iter=100,
                                               max_epochs=100_000).fit(X, Y).coef_
        try:
            from celer import GroupLasso as CelerGL
        except ImportError:
            CelerGL = None
        if CelerGL is not None and "celer" in solvers:
            out["celer"] = lambda tol: CelerGL(groups=size, alpha=alpha, weights=weights, tol=tol,
                                               fit_intercept=False, max_iter=100,
                                               max_epochs=100_000).fit(X, Y).coef_
        try:
            from group_lasso import GroupLasso as YGL
        except ImportError:
            YGL = None
        if YGL is not None and "group-lasso" in solvers:
            labels = np.repeat(np.arange(n_groups), size)
            out["group-lasso"] = lambda tol: YGL(
                groups=labels, group_reg=alpha / 2, l1_reg=0, scale_reg="group_size",
                supress_warning=True, fit_intercept=False, tol=tol, n_iter=1_000_000,
                random_state=0).fit(X, Y).coef_.ravel()
    return {k: quiet(v) for k, v in out.items()}


# -- competitors: paths ---------------------------------------------------------------------

def path_competitors(X, Y, info, grid, solvers, adelie):
    """name -> fit(tol) returning coefs of shape (L, p) or (L, p, K), alphas ``grid``."""
    out = {}
    mt = info["kind"] == "multitask"
    if mt:
        if "sklearn" in solvers and not sp.issparse(X):
            from sklearn.linear_model import lasso_path

            # Multi-output y: scikit-learn's multi-task coordinate descent.
            out["sklearn"] = lambda tol: np.moveaxis(lasso_path(
                X, Y, alphas=grid, tol=tol, max_iter=100_000)[1], (2, 1, 0), (0, 1, 2))
        try:
            from celer.homotopy import mtl_path
        except ImportError:
            mtl_path = None
        if mtl_path is not None and "celer" in solvers:
            out["celer"] = lambda tol: np.moveaxis(mtl_path(
                X, Y, alphas=grid, tol=tol, max_iter=100, max_epochs=100_000)[1],
                (2, 1, 0), (0, 1, 2))
        if "skglm" in solvers:
            try:
                from skglm import MultiTaskLasso as SkglmMTL
            except ImportError:
                SkglmMTL = None
            if SkglmMTL is not None:
                def skglm_loop(tol):
                    est = SkglmMTL(alpha=grid[0], tol=tol, fit_intercept=False, max_iter=100,
                                   max_epochs=100_000, warm_start=True)
                    coefs = []
                    for a in grid:
                        est.alpha = a
                        coefs.append(est.fit(X, Y).coef_.T.copy())
                    return np.array(coefs)
                out["skglm"] = skglm_loop
    else:
        size, n_groups = info["group_size"], info["n_groups"]
        weights = np.full(n_groups, math.sqrt(size))
        if "celer" in solvers:
            try:
                from celer import celer_path
            except ImportError:
                celer_path = None
            if celer_path is not None:
                out["celer"] = lambda tol: celer_path(
                    X, Y, "grouplasso", alphas=grid, groups=size, weights=weights, tol=tol,
                    max_iter=100, max_epochs=100_000)[1].T
        if "skglm" in solvers:
            try:
                from skglm import GroupLasso as SkglmGL
            except ImportError:
                SkglmGL = None
            if SkglmGL is not None:
                def skglm_loop(tol):
                    est = SkglmGL(groups=size, alpha=grid[0], weights=weights, tol=tol,
                                  fit_intercept=False, max_iter=100, max_epochs=100_000,
                                  warm_start=True)
                    coefs = []
                    for a in grid:
                        est.alpha = a
                        coefs.append(est.fit(X, Y).coef_.copy())
                    return np.array(coefs)
                out["skglm"] = skglm_loop
        if "group-lasso" in solvers:
            try:
                from group_lasso import GroupLasso as YGL
            except ImportError:
                YGL = None
            if YGL is not None:
                labels = np.repeat(np.arange(n_groups), size)

                def gl_loop(tol):
                    est = YGL(groups=labels, group_reg=grid[0] / 2, l1_reg=0,
                              scale_reg="group_size", supress_warning=True, fit_intercept=False,
                              tol=tol, n_iter=1_000_000, warm_start=True, random_state=0)
                    coefs = []
                    for a in grid:
                        est.group_reg = a / 2
                        coefs.append(est.fit(X, Y).coef_.ravel().copy())
                    return np.array(coefs)
                out["group-lasso"] = gl_loop
    out = {k: quiet(v) for k, v in out.items()}
    if "adelie" in solvers and adelie is not None:
        out["adelie"] = adelie.path_fit(X, Y, info, grid)
    return out


# -- adelie in its own virtual environment ---------------------------------------------------

_ADELIE_RUNNER = r'''
import sys, time
import numpy as np
import scipy.sparse as sp
import adelie as ad

data, tol, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
d = np.load(data)
if "X" in d:
    X = np.asfortranarray(d["X"])
else:
    X = sp.csc_matrix((d["X_data"], d["X_indices"], d["X_indptr"]), shape=tuple(d["X_shape"]))
y, lmdas, groups, penalty = d["y"], d["lmdas"], d["groups"], d["penalty"]
c0, t0 = time.process_time(), time.perf_counter()
Xa = (ad.matrix.sparse(X, method="naive", n_threads=1) if sp.issparse(X)
      else ad.matrix.dense(X, method="naive", n_threads=1))
glm = ad.glm.multigaussian(y) if y.ndim == 2 else ad.glm.gaussian(y)
state = ad.grpnet(Xa, glm, groups=groups, penalty=penalty, alpha=1.0, lmda_path=lmdas,
                  intercept=False, early_exit=False, progress_bar=False, n_threads=1, tol=tol,
                  max_iters=10**8)
cpu, wall = time.process_time() - c0, time.perf_counter() - t0
B = sp.csr_matrix(state.betas)
np.savez(out, data=B.data, indices=B.indices, indptr=B.indptr, shape=np.array(B.shape),
         lmdas=np.asarray(state.lmdas), cpu=cpu, wall=wall, version=ad.__version__)
'''


class Adelie:
    """adelie's ``grpnet`` path, run by another Python (numpy < 2) as a subprocess."""

    def __init__(self, python, workdir, cap_s):
        self.python, self.workdir, self.cap_s = python, workdir, cap_s
        self.runner = os.path.join(workdir, "adelie_runner.py")
        with open(self.runner, "w") as fh:
            fh.write(_ADELIE_RUNNER)
        self.version = None
        self.error = None
        probe = subprocess.run([python, "-c", "import adelie, numpy; print(adelie.__version__, "
                                "numpy.__version__)"], capture_output=True, text=True,
                               check=False)
        if probe.returncode != 0:
            self.error = (probe.stderr.strip().splitlines() or ["failed"])[-1]
        else:
            self.version = probe.stdout.strip()

    def path_fit(self, X, Y, info, grid):
        """fit(tol) -> dict(result=coefs (L, p[, K]), cpu, wall) or None (timeout, error)."""
        p = X.shape[1]
        data = os.path.join(self.workdir, f"data_{id(X)}_{Y.ndim}.npz")
        if info["kind"] == "multitask":
            K = Y.shape[1]
            groups, penalty, lmdas = np.arange(p), np.ones(p), grid / K
        else:
            size = info["group_size"]
            groups = np.arange(0, p, size)
            penalty, lmdas = np.full(groups.size, math.sqrt(size)), grid
        arrays = dict(y=np.ascontiguousarray(Y), lmdas=lmdas, groups=groups, penalty=penalty)
        if sp.issparse(X):
            arrays.update(X_data=X.data, X_indices=X.indices, X_indptr=X.indptr,
                          X_shape=np.array(X.shape))
        else:
            arrays.update(X=X)
        np.savez(data, **arrays)
        out = os.path.join(self.workdir, "adelie_out.npz")

        def fit(tol):
            if os.path.exists(out):
                os.remove(out)
            try:
                run = subprocess.run([self.python, self.runner, data, repr(tol), out],
                                     capture_output=True, text=True, timeout=self.cap_s,
                                     check=False)
            except subprocess.TimeoutExpired:
                return None
            if run.returncode != 0:
                log("    adelie error: " + run.stderr.strip()[-500:])
                return None
            o = np.load(out)
            B = sp.csr_matrix((o["data"], o["indices"], o["indptr"]),
                              shape=tuple(o["shape"])).toarray()
            if B.shape[0] != grid.size:
                log(f"    adelie returned {B.shape[0]} of {grid.size} strengths")
                return None
            coefs = B.reshape(grid.size, p, -1) if Y.ndim == 2 else B
            return dict(result=coefs, cpu=float(o["cpu"]), wall=float(o["wall"]))
        fit.external = True
        return fit


# -- calibration ----------------------------------------------------------------------------

def calibrate(fit, score, start, cap_s, external=False, loosest=1e-2, smallest=1e-16):
    """Loosest tol on the ``10^(k/2)`` grid whose answer scores ``<= TARGET``.

    ``_logistic_setup.calibrate``'s search (steps of 10 from ``start``, looser
    while it passes, tighter while it fails, then the half step; after a try
    killed by the cap, the half step between it and the last one that came
    back, rather than a tighter and slower one), with
    external solvers (adelie: ``fit`` returns a dict or None and enforces the
    cap itself) and in-process ones run through ``call_capped``.

    Returns
    -------
    dict with ``tol`` (None if missed), ``gap``, ``tries`` [(tol, gap, s)],
    ``first_s`` and ``note``.
    """
    tries = []

    def attempt(tol):
        t0 = time.perf_counter()
        if external:
            answer = fit(tol)
            answer = None if answer is None else answer["result"]
            seconds = time.perf_counter() - t0
        else:
            answer, seconds = call_capped(fit, tol, cap_s)
        gap = math.inf if answer is None else float(score(answer))
        tries.append((tol, gap, seconds))
        return gap

    def capped():
        return bool(tries) and math.isinf(tries[-1][1])

    first_s = None
    with one_thread():
        if not external:
            t0 = time.perf_counter()
            fit(loosest)  # first call in this process: imports, numba JIT (skglm), caches
            first_s = time.perf_counter() - t0
        tol = start
        gap = attempt(tol)
        passed, failed = ((tol, gap) if gap <= TARGET else (None, None)), None
        if gap <= TARGET:
            while tol * 10 <= loosest * 1.0001:
                g = attempt(tol * 10)
                if g > TARGET:
                    failed = tol * 10
                    break
                tol *= 10
                passed = (tol, g)
        else:
            failed, finite_fail = tol, (None if capped() else tol)
            while tol / 10 >= smallest and not capped():
                tol /= 10
                g = attempt(tol)
                if g <= TARGET:
                    passed = (tol, g)
                    break
                failed = tol
                if not capped():
                    finite_fail = tol
            if capped() and finite_fail is not None and passed[0] is None:
                # The half step between the last answer that came back (too
                # loose) and the try that ran past the cap.
                g = attempt(finite_fail / TOL_STEP)
                if g <= TARGET:
                    passed, failed = (finite_fail / TOL_STEP, g), None
        if passed[0] is not None and failed is not None:
            mid = passed[0] * TOL_STEP
            g = attempt(mid)
            if g <= TARGET:
                passed = (mid, g)
    note = f"capped at {cap_s:g} s" if any(math.isinf(t[1]) for t in tries) else ""
    if passed[0] is not None:
        tol, gap = passed
    else:
        tol, gap = None, min(t[1] for t in tries)
    return dict(tol=tol, gap=gap, tries=tries, first_s=first_s, note=note)


def calibrated(competitors, score, row, label, cap_s):
    """Calibrate each competitor; the timed calls at the calibrated tols."""
    timed = {}
    for cname, fit in competitors.items():
        external = getattr(fit, "external", False)
        cal = calibrate(fit, score, START_TOL.get(cname, 1e-6), cap_s, external=external)
        row["cal"][cname] = cal
        log(f"  {label} {cname}: tol {cal['tol']} gap {cal['gap']:.2e} ("
            + ", ".join(f"{t:.0e}->{g:.1e} in {s:.2f}s" for t, g, s in cal["tries"])
            + f") {cal['note']}")
        if cal["tol"] is not None:
            f = (lambda f=fit, t=cal["tol"]: f(t))
            f.external = external
            timed[cname] = f
    return timed


# -- timing ---------------------------------------------------------------------------------

def time_rounds(solvers, repeats):
    """Interleaved runs (A B C A B C ...), medians of CPU and wall time.

    A solver marked ``external`` returns ``dict(result, cpu, wall)`` measured
    in its own process (adelie); the others are timed here.
    """
    out = {name: {"cpus": [], "walls": [], "result": None} for name in solvers}
    with one_thread():
        for _ in range(repeats):
            for name, fn in solvers.items():
                t0, c0 = time.perf_counter(), time.process_time()
                res = fn()
                cpu, wall = time.process_time() - c0, time.perf_counter() - t0
                if getattr(fn, "external", False):
                    if res is None:
                        raise RuntimeError(f"{name} failed in a timed run")
                    cpu, wall, res = res["cpu"], res["wall"], res["result"]
                out[name]["cpus"].append(cpu)
                out[name]["walls"].append(wall)
                out[name]["result"] = res
    for rec in out.values():
        rec["cpu"] = statistics.median(rec["cpus"])
        rec["wall"] = statistics.median(rec["walls"])
    return out


def first_call(fn):
    """Run ``fn`` once (untimed in the tables): wall seconds and the solution."""
    with one_thread():
        t0 = time.perf_counter()
        res = fn()
        return time.perf_counter() - t0, res


# -- single solves ----------------------------------------------------------------------------

def run_single(X, Y, info, name, ratios, repeats, solvers, cap_s):
    comps = MT_COMPETITORS if info["kind"] == "multitask" else GROUP_COMPETITORS
    a_max = lk_problem(X, Y, info, 1.0).alpha_max()
    rows = []
    for ratio in ratios:
        alpha = a_max / ratio
        prob = lk_problem(X, Y, info, alpha)

        def score(coef, prob=prob):
            return prob.certify(np.asarray(coef, dtype=np.float64)).rel_gap

        row = dict(problem=name, desc=describe(name, X, info), ratio=ratio, alpha=alpha,
                   alpha_max=a_max, cal={}, cpu={}, wall={}, gaps={}, nnz={}, status={},
                   competitors=[c for c in comps if c in solvers])
        solve_s = []

        def lk_fit(alpha=alpha, solve_s=solve_s):
            sol = lk_problem(X, Y, info, alpha).solve(tol=TARGET)
            solve_s.append(sol.solve_time)
            return sol

        timed = {}
        if "lassokit" in solvers:
            first_s, sol = first_call(lk_fit)
            row["first"] = dict(wall=first_s, compile=float(sol.info.get("compile_time", 0.0)),
                                load=float(sol.info.get("load_time", 0.0)))
            log(f"  {name} /{ratio} lassokit first call {first_s:.2f} s "
                f"(compile {row['first']['compile']:.2f} s, load {row['first']['load']:.2f} s), "
                f"gap {sol.rel_gap:.1e}")
            timed["lassokit"] = lk_fit
        timed.update(calibrated(single_competitors(X, Y, info, alpha, solvers), score, row,
                                f"{name} /{ratio}", cap_s))
        res = time_rounds(timed, repeats)
        for sname, rec in res.items():
            out = rec["result"]
            coef = out.coef if sname == "lassokit" else out
            if sname == "lassokit":
                row["status"]["lassokit"] = out.status
                row["lk_solve"] = float(np.median(solve_s[-repeats:]))
                row["lk_info"] = {k: v for k, v in out.info.items()
                                  if isinstance(v, (int, float, str))}
            row["cpu"][sname], row["wall"][sname] = rec["cpu"], rec["wall"]
            row["gaps"][sname] = score(coef)
            coef = np.asarray(coef).reshape(coef.shape[0], -1)
            row["nnz"][sname] = int(np.count_nonzero(np.any(coef != 0, axis=1)))
        rows.append(row)
        log("  " + json.dumps({k: row[k] for k in ("problem", "ratio", "cpu", "gaps", "nnz",
                                                     "status")}, default=str))
    return rows


# -- paths ----------------------------------------------------------------------------------

def run_path(X, Y, info, name, repeats, solvers, cap_s, adelie, n_alphas=N_PATH, eps=PATH_EPS):
    base = lk_problem(X, Y, info, 1.0)
    a_max = base.alpha_max()
    grid = np.geomspace(a_max, a_max * eps, n_alphas)
    problems = [lk_problem(X, Y, info, float(a)) for a in grid]

    def score(coefs):
        coefs = np.asarray(coefs, dtype=np.float64)
        return max(pb.certify(c).rel_gap for pb, c in zip(problems, coefs))

    comps = [c for c in PATH_COMPETITORS if c in solvers]
    row = dict(problem=name, desc=describe(name, X, info), alpha_max=a_max, cal={}, cpu={},
               wall={}, gaps={}, nnz={}, status={}, competitors=comps)

    def lk_fit():
        return lk.path(lk_problem(X, Y, info, 1.0), alphas=grid, tol=TARGET)

    def lk_coefs(path):
        c = np.asarray(path.coefs)
        return np.moveaxis(c, -1, 0) if c.ndim == 2 else np.moveaxis(c, (2, 1, 0), (0, 1, 2))

    timed = {}
    if "lassokit" in solvers:
        first_s, path = first_call(lk_fit)
        row["first"] = dict(wall=first_s)
        log(f"  path {name} lassokit first call {first_s:.2f} s, worst gap "
            f"{float(np.max(path.rel_gaps)):.1e}")
        timed["lassokit"] = lk_fit
    timed.update(calibrated(path_competitors(X, Y, info, grid, solvers, adelie), score, row,
                            f"path {name}", cap_s))
    res = time_rounds(timed, repeats)
    for sname, rec in res.items():
        out = rec["result"]
        coefs = lk_coefs(out) if sname == "lassokit" else out
        if sname == "lassokit":
            conv = np.asarray(out.converged)
            row["status"]["lassokit"] = ("ok" if conv.all() else
                                         f"{int((~conv).sum())} of {conv.size} not converged")
            row["lk_solve"] = float(out.solve_time)
        row["cpu"][sname], row["wall"][sname] = rec["cpu"], rec["wall"]
        row["gaps"][sname] = score(coefs)
        last = np.asarray(coefs[-1]).reshape(X.shape[1], -1)
        row["nnz"][sname] = int(np.count_nonzero(np.any(last != 0, axis=1)))
    log("  " + json.dumps({k: row[k] for k in ("problem", "cpu", "gaps", "nnz", "status")},
                          default=str))
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
        res = time_rounds(solvers, repeats)
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
            rows.append(dict(problem=name, shape=f"{X.shape[0]:,} x {X.shape[1]:,}"
                             + (" CSC" if sp.issparse(X) else " dense"),
                             what=label, cpu=rec["cpu"], wall=rec["wall"], cpus=rec["cpus"],
                             solve=share, gap=gap, status=status, first=first[label]))
            log(f"  scalar {name} {label}: cpu {rec['cpu']:.4f} s, gap {gap:.1e}, {status}")
    return rows


# -- multinomial probe ----------------------------------------------------------------------

def run_multinomial(size, ratios, repeats, cap_s):
    """L1 multinomial logistic regression, lassokit against scikit-learn's saga (if it exists)."""
    n, p, k = (500, 100, 3) if size == "quick" else (5_000, 1_000, 4)
    rng = np.random.default_rng(2)
    X = ar1_design(n, p, 0.5, rng)
    B = np.zeros((p, k))
    B[rng.choice(p, 10, replace=False)] = 2.0 * rng.standard_normal((10, k))
    scores = np.zeros((n, k))
    for t in range(k):
        scores[:, t] = make_target(X, B[:, t], 3.0, rng)
    labels = np.argmax(scores + rng.gumbel(size=(n, k)), axis=1)
    try:
        a_max = lk.Problem(X, labels, lk.L1(1.0), loss="multinomial",
                           fit_intercept=False).alpha_max()
    except Exception as exc:  # noqa: BLE001 - the probe reports what the API says
        msg = f"{type(exc).__name__}: {exc}"
        log(f"  multinomial skipped: {msg}")
        return dict(skipped=msg)
    from sklearn.linear_model import LogisticRegression

    desc = (f"multinomial: {n:,} x {p:,} dense AR(1) rho=0.5, {k} classes (argmax of "
            f"{k} noisy linear scores + Gumbel noise, 10 true rows, seed 2)")
    rows = []
    for ratio in ratios:
        alpha = a_max / ratio
        prob = lk.Problem(X, labels, lk.L1(alpha), loss="multinomial", fit_intercept=False)

        def score(coef, prob=prob):
            return prob.certify(np.asarray(coef, dtype=np.float64)).rel_gap

        row = dict(problem="multinomial", desc=desc, ratio=ratio, alpha=alpha, alpha_max=a_max,
                   cal={}, cpu={}, wall={}, gaps={}, nnz={}, status={},
                   competitors=["sklearn-saga"])

        def lk_fit(alpha=alpha):
            return lk.Problem(X, labels, lk.L1(alpha), loss="multinomial",
                              fit_intercept=False).solve(tol=TARGET)

        first_s, sol = first_call(lk_fit)
        row["first"] = dict(wall=first_s, compile=float(sol.info.get("compile_time", 0.0)),
                            load=float(sol.info.get("load_time", 0.0)))
        # scikit-learn: C * sum_i CE_i + |W|_1, i.e. 1/n sum_i CE_i + 1/(n C) |W|_1.
        saga = quiet(lambda tol, alpha=alpha: LogisticRegression(
            C=1.0 / (n * alpha), l1_ratio=1.0, solver="saga", fit_intercept=False, tol=tol,
            max_iter=100_000, random_state=0).fit(X, labels).coef_.T)
        timed = {"lassokit": lk_fit}
        timed.update(calibrated({"sklearn-saga": saga}, score, row, f"multinomial /{ratio}",
                                cap_s))
        res = time_rounds(timed, repeats)
        for sname, rec in res.items():
            out = rec["result"]
            coef = out.coef if sname == "lassokit" else out
            if sname == "lassokit":
                row["status"]["lassokit"] = out.status
                row["lk_solve"] = float(out.solve_time)
            row["cpu"][sname], row["wall"][sname] = rec["cpu"], rec["wall"]
            row["gaps"][sname] = score(coef)
            coef = np.asarray(coef).reshape(p, -1)
            row["nnz"][sname] = int(np.count_nonzero(np.any(coef != 0, axis=1)))
        rows.append(row)
        log("  " + json.dumps({k: row[k] for k in ("problem", "ratio", "cpu", "gaps", "nnz",
                                                     "status")}, default=str))
    return dict(rows=rows)


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
                return dict(error=run.stderr.strip().splitlines()[-1])
            log(f"  startup {mode}: {time.perf_counter() - t0:.1f} s")
            for line in run.stdout.strip().splitlines():
                label, nums = line.split(" | ")
                first, second, info_compile = map(float, nums.split())
                out.setdefault(label, {})[mode] = dict(first=first, second=second,
                                                       info_compile=info_compile)
    return out


# -- tables ---------------------------------------------------------------------------------

def fmt_s(x):
    return "-" if x is None else (f"{x:.3g}" if x < 100 else f"{x:.0f}")


def fmt_gap(g):
    return f"{g:.1e}" + ("!" if g > TARGET else "")


def comp_cell(row, c):
    cal = row["cal"].get(c)
    if c in row["cpu"]:
        return f"{fmt_s(row['cpu'][c])} ({cal['tol']:.0e}; {fmt_gap(row['gaps'][c])})"
    if cal is not None:
        note = f", {cal['note']}" if cal["note"] else ""
        return f"missed (best {cal['gap']:.0e}, last tol {cal['tries'][-1][0]:.0e}{note})"
    return "n/a"


def fastest(row, key="cpu"):
    comp = {c: row[key][c] for c in row["competitors"] if c in row[key]}
    return min(comp, key=comp.get) if comp else None


def ratio(row, key="cpu"):
    best = fastest(row, key)
    if best is None or "lassokit" not in row[key]:
        return "-"
    return f"{row[key]['lassokit'] / row[key][best]:.2f}"


def table(rows, single=True):
    comps = []
    for r in rows:
        comps += [c for c in r["competitors"] if c not in comps]
    head = (["problem"] + (["alpha"] if single else [])
            + ["lassokit [s] (gap)"] + [f"{c} [s] (tol; gap)" for c in comps]
            + ["fastest", "lassokit / fastest (cpu)", "(wall)", "lassokit status",
               "lassokit solve share, wall [s]",
               "rows in model (lk)" + ("" if single else ", last alpha")])
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r["problem"]] + ([f"amax/{r['ratio']}"] if single else [])
        cells.append(f"{fmt_s(r['cpu']['lassokit'])} ({fmt_gap(r['gaps']['lassokit'])})"
                     if "lassokit" in r["cpu"] else "-")
        cells += [comp_cell(r, c) if c in r["competitors"] else "n/a" for c in comps]
        cells += [fastest(r) or "-", ratio(r, "cpu"), ratio(r, "wall"),
                  str(r["status"].get("lassokit", "-")), fmt_s(r.get("lk_solve")),
                  str(r["nnz"].get("lassokit", "-"))]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def first_table(rows):
    def cell(x):
        return "-" if x is None else f"{x:.2f}"

    out = ["| problem | alpha | first call, wall [s] | numba compile (solution info) [s] | "
           "kernel load [s] |", "|---|---|---|---|---|"]
    for r in rows:
        f = r.get("first")
        if f:
            out.append(f"| {r['problem']} | {'amax/' + str(r['ratio']) if 'ratio' in r else 'path'}"
                       f" | {f['wall']:.2f} | {cell(f.get('compile'))} | {cell(f.get('load'))} |")
    return "\n".join(out)


def scalar_table(rows):
    out = ["| data | call | CPU s (median) | wall s | all CPU s | solve share s | rel gap (worst) "
           "| status | first call s |", "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r['problem']} ({r['shape']}) | {r['what']} | {r['cpu']:.4f} | "
                   f"{r['wall']:.4f} | {', '.join(f'{c:.4f}' for c in r['cpus'])} | "
                   f"{r['solve']:.4f} | {r['gap']:.1e} | {r['status']} | {r['first']:.2f} |")
    return "\n".join(out)


def startup_table(res):
    if "error" in res:
        return f"startup failed: {res['error']}"
    out = ["In this order in one process (a kernel compiled for an earlier call is not "
           "compiled again); `-`: the call reports no compile time.", "",
           "| call (200 x 500, K = 4; CSC 400 x 500) | cold cache: first [s] | second [s] | "
           "compile = first - second [s] | compile (solution info) [s] | warm cache: first [s] "
           "| second [s] |", "|---|---|---|---|---|---|---|"]
    for label, r in res.items():
        c, w = r["cold"], r.get("warm", {})
        out.append(f"| {label} | {c['first']:.2f} | {c['second']:.3f} | "
                   f"{c['first'] - c['second']:.2f} | "
                   f"{'-' if math.isnan(c['info_compile']) else format(c['info_compile'], '.2f')} | "
                   f"{w.get('first', float('nan')):.2f} | {w.get('second', float('nan')):.3f} |")
    return "\n".join(out)


SECTION_TITLES = {
    "multitask": "Multi-task Lasso, single solves",
    "group": "Group Lasso, single solves",
    "path": "Paths",
    "scalar": "Scalar Lasso guard (one target)",
    "startup": "Compile and first call (fresh processes)",
    "multinomial": "Multinomial (probe)",
}


def render_section(case, sec, repeats):
    lines = [f"## {SECTION_TITLES[case]}", "",
             f"Measured {sec['date']} (`{sec['command']}`), {sec['env']}", ""]
    data = sec["data"]
    if case in ("multitask", "group"):
        lines += [f"CPU seconds, medians of {repeats(sec)} interleaved runs; lassokit at "
                  f"tol=1e-6 (its certified gap); competitors at their calibrated tol (the "
                  f"re-scored gap of the timed answer; `!` above 1e-6).", ""]
        lines += [f"- {d}" for d in dict.fromkeys(r["desc"] for r in data)] + [""]
        lines += [table(data), "", "lassokit's first call (untimed above):", "",
                  first_table(data)]
    elif case == "path":
        lines += [f"{sec['n_alphas']} strengths alpha_max .. alpha_max*{sec['eps']:g} "
                  f"(geometric). CPU seconds, medians of {repeats(sec)}; gap = the worst "
                  f"re-scored relative gap over the path. adelie's time is `grpnet` alone, "
                  f"measured in its own process ({sec.get('adelie', 'n/a')}).", ""]
        lines += [f"- {r['desc']}" for r in data] + [""]
        lines += [table(data, single=False), "", "lassokit's first call (untimed above):", "",
                  first_table(data)]
    elif case == "scalar":
        lines += [f"lassokit alone; {sec.get('git', '')}", "", scalar_table(data)]
    elif case == "startup":
        lines += [startup_table(data)]
    elif case == "multinomial":
        if "skipped" in data:
            lines += [f"Skipped: `lk.Problem(X, labels, lk.L1(a), loss=\"multinomial\")` "
                      f"raised `{data['skipped']}`."]
        else:
            lines += [f"- {data['rows'][0]['desc']}", "", table(data["rows"]), "",
                      "lassokit's first call (untimed above):", "", first_table(data["rows"])]
    return "\n".join(lines)


# -- environment ----------------------------------------------------------------------------

def env_summary(adelie):
    import importlib.metadata as md

    vers = []
    for pkg in ("numpy", "scipy", "scikit-learn", "celer", "skglm", "group-lasso", "numba"):
        try:
            vers.append(f"{pkg} {md.version(pkg)}")
        except md.PackageNotFoundError:
            vers.append(f"{pkg} not installed")
    if adelie is not None:
        if adelie.version:
            ad_version, ad_numpy = (adelie.version.split() + ["?"])[:2]
            vers.append(f"adelie {ad_version} (own venv, numpy {ad_numpy})")
        else:
            vers.append(f"adelie unavailable ({adelie.error})")
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if "model name" in line)
    except (OSError, StopIteration):
        cpu = platform.processor()
    return (f"{cpu}, {os.cpu_count()} cpus, Python {platform.python_version()}, "
            f"lassokit {lk.__version__} ({git_state()}); " + ", ".join(vers)
            + f"; load average {os.getloadavg()[0]:.1f} at start")


def git_state():
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True, check=False).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "lassokit"], cwd=ROOT,
                               capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "git unavailable"
    return f"git {head}" + (" + uncommitted changes in lassokit/" if dirty else ", clean lassokit/")


# -- driver ---------------------------------------------------------------------------------

def main(argv=None):
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
    ap.add_argument("--path-problems", default="gdense,gsparse,mtwide")
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
    cases = ["scalar"] if args.scalar else args.case.split(",")
    size = "quick" if args.quick else "full"
    ratios = [int(r) for r in args.ratios.split(",")]
    if args.solvers is None:
        comps = list(dict.fromkeys(MT_COMPETITORS + GROUP_COMPETITORS))
        if args.quick:
            comps.remove("group-lasso")
        args.solvers = ",".join(["lassokit"] + comps)
    solvers = args.solvers.split(",")
    if args.cap is None:
        args.cap = 5.0 if args.quick else 60.0
    n_alphas = args.n_alphas or (20 if args.quick else N_PATH)
    eps = args.eps or (1e-2 if args.quick else PATH_EPS)
    path_repeats = args.path_repeats or args.repeats
    out_prefix = args.out or os.path.join(HERE, "results", "multitask_group"
                                          + ("_quick" if args.quick else ""))
    command = "python benchmarks/bench_multitask_group.py " + " ".join(
        sys.argv[1:] if argv is None else argv)
    workdir = tempfile.mkdtemp(prefix="bench_mtg_")
    adelie = None
    if "path" in cases and "adelie" in args.path_solvers.split(","):
        adelie = Adelie(args.adelie_python, workdir, args.cap * 4)
        if adelie.error:
            log(f"adelie unavailable: {adelie.error}")
    env = env_summary(adelie)
    print(f"Machine: {env}\n")
    now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    sections = {}

    def section(case, data, **extra):
        sections[case] = dict(dict(date=now, command=command, env=env, repeats=args.repeats,
                                   size=size), data=data, **extra)

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
        if case in ("multitask", "group"):
            default = "mtwide,mttall" if case == "multitask" else "gdense,gsparse"
            names = [n for n in (args.problems or default).split(",")
                     if PROBLEMS[size][n][0] == case]
            rows = []
            for name in names:
                X, Y, info = data(name)
                rows += run_single(X, Y, info, name, ratios, args.repeats, solvers, args.cap)
            section(case, rows)
        elif case == "path":
            rows = []
            path_solvers = args.path_solvers.split(",")
            if adelie is not None and adelie.error:
                path_solvers = [s for s in path_solvers if s != "adelie"]
            names = args.path_problems.split(",")
            if args.quick and args.path_problems == ap.get_default("path_problems"):
                names = ["gdense", "mtwide"]
            for name in names:
                X, Y, info = data(name)
                rows += run_path(X, Y, info, name, path_repeats, path_solvers, args.cap * 4,
                                 adelie, n_alphas, eps)
            section(case, rows, n_alphas=n_alphas, eps=eps, repeats=path_repeats, adelie=(
                f"adelie {adelie.version.split()[0]}" if adelie and adelie.version
                                        else f"adelie unavailable: "
                                             f"{adelie.error if adelie else 'not requested'}"))
        elif case == "scalar":
            names = (args.scalar_cases or ("small" if args.quick else "small,tall,sparse"))
            section(case, run_scalar(names.split(","), args.repeats), git=git_state())
        elif case == "startup":
            section(case, run_startup())
        elif case == "multinomial":
            section(case, run_multinomial(size, ratios, args.repeats, args.cap))
        else:
            raise SystemExit(f"unknown case {case!r}")
        print("\n" + render_section(case, sections[case], lambda s: s["repeats"]) + "\n",
              flush=True)
        write_results(out_prefix, {case: sections[case]})  # after each case: a crash keeps it


def write_results(out_prefix, sections):
    """Merge ``sections`` into the stored results (other cases kept); rewrite the markdown."""
    os.makedirs(os.path.dirname(out_prefix), exist_ok=True)
    stored = {}
    if os.path.exists(out_prefix + ".json"):
        with open(out_prefix + ".json") as fh:
            stored = json.load(fh)
    stored.update(json.loads(json.dumps(sections, default=_jsonable)))
    with open(out_prefix + ".json", "w") as fh:
        json.dump(stored, fh, indent=1)
    order = [c for c in SECTION_TITLES if c in stored]
    md = ["# Multi-task and group Lasso benchmarks (`benchmarks/bench_multitask_group.py`)", "",
          "Every gap is lassokit's certificate (`Problem.certify(coef).rel_gap`) of the answer "
          "timed; see the script's docstring for the objectives and each competitor's alpha.",
          ""]
    md += [render_section(c, stored[c], lambda s: s["repeats"]) + "\n" for c in order]
    with open(out_prefix + ".md", "w") as fh:
        fh.write("\n".join(md))
    log(f"wrote {out_prefix}.md and .json")


def _jsonable(x):
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, float) and math.isinf(x):
        return "inf"
    return str(x)


if __name__ == "__main__":
    main()
