"""Reusable pieces of lassokit's benchmarks: data, timing, re-scoring.

* Data generators (no BLAS calls, so the "same" seeded problem is bitwise
  the same whatever the thread count): :func:`ar1_design`,
  :func:`sparse_design`, :func:`sparse_coef`, :func:`make_target`, and the
  named standard cases of :data:`CASES` through :func:`make_case`.
* Timing: :func:`time_interleaved` (one BLAS thread, warm-up, solvers
  interleaved, medians) and :func:`one_thread`.
* Re-scoring every solver's answer with lassokit's own certificate:
  :func:`rescore`; calibrating a competitor's ``tol`` until its re-scored gap
  meets a target: :func:`calibrate_tol`.
* Plumbing: :func:`log` (to stderr), :func:`quiet` (warnings silenced),
  :func:`dump_json` (the ``--json`` output).

See ``/work/shared/BENCHMARKING.md`` (or ``benchmarks/README.md``) for why.
"""

from __future__ import annotations

import contextlib
import json
import statistics
import sys
import time
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = [
    "CASES",
    "Case",
    "ar1_design",
    "calibrate_tol",
    "dump_json",
    "log",
    "make_case",
    "make_target",
    "one_thread",
    "quiet",
    "rescore",
    "sparse_coef",
    "sparse_design",
    "time_interleaved",
    "time_interleaved_both",
]


# -- data ---------------------------------------------------------------------------------

def ar1_design(n, p, rho=0.5, rng=None, dtype=np.float64):
    """Gaussian design with AR(1) correlated columns: ``corr(x_j, x_k) = rho^|j-k|``.

    Built column by column with elementwise operations only (no BLAS).

    Parameters
    ----------
    n, p : int
    rho : float, default=0.5
    rng : numpy.random.Generator, optional
    dtype : float dtype, default=float64

    Returns
    -------
    ndarray of shape (n, p), Fortran-ordered
    """
    rng = np.random.default_rng(rng)
    X = np.empty((n, p), dtype=dtype, order="F")
    scale = np.sqrt(1.0 - rho * rho)
    col = rng.standard_normal(n)
    X[:, 0] = col
    for j in range(1, p):
        col = rho * col + scale * rng.standard_normal(n)
        X[:, j] = col
    return X


def sparse_design(n, p, density=1e-3, rng=None, dtype=np.float64):
    """CSC design with uniformly placed non-zeros holding positive log-normal values.

    Returns
    -------
    scipy.sparse.csc_matrix of shape (n, p)
    """
    rng = np.random.default_rng(rng)
    nnz_col = rng.binomial(n, density, size=p)
    indptr = np.concatenate(([0], np.cumsum(nnz_col))).astype(np.int32)
    indices = np.empty(indptr[-1], dtype=np.int32)
    for j in range(p):
        indices[indptr[j]:indptr[j + 1]] = np.sort(rng.choice(n, nnz_col[j], replace=False))
    data = rng.lognormal(0.0, 1.0, size=indptr[-1]).astype(dtype)
    return sp.csc_matrix((data, indices, indptr), shape=(n, p))


def sparse_coef(p, frac, rng=None):
    """A coefficient vector with ``max(1, round(frac * p))`` standard-normal non-zeros."""
    rng = np.random.default_rng(rng)
    k = max(1, int(round(frac * p)))
    w = np.zeros(p)
    w[rng.choice(p, k, replace=False)] = rng.standard_normal(k)
    return w


def make_target(X, w, snr=3.0, rng=None):
    """``y = X w + noise`` with ``||X w|| / ||noise|| = snr``, centred; no BLAS calls."""
    rng = np.random.default_rng(rng)
    n = X.shape[0]
    signal = np.zeros(n)
    for j in np.flatnonzero(w):
        col = X[:, j]
        col = col.toarray().ravel() if sp.issparse(col) else np.asarray(col, dtype=np.float64)
        signal += w[j] * col
    noise = rng.standard_normal(n)
    noise *= np.sqrt(np.sum(signal * signal)) / (snr * np.sqrt(np.sum(noise * noise)))
    y = signal + noise
    return y - y.mean()


@dataclass(frozen=True)
class Case:
    """A named benchmark design: shape, storage and sparsity of the truth."""

    name: str
    n: int
    p: int
    kind: str  # "ar1" or "sparse"
    frac: float  # share of true non-zero coefficients
    rho: float = 0.5
    density: float = 1e-3
    snr: float = 3.0

    def describe(self):
        """One-line description for tables."""
        if self.kind == "sparse":
            return (f"sparse CSC {self.n:,} x {self.p:,}, density {self.density:g}, "
                    f"log-normal, {self.frac:.0%} true nnz")
        return (f"dense {self.n:,} x {self.p:,} AR(1) rho={self.rho}, "
                f"{self.frac:.0%} true nnz, SNR {self.snr:g}")


#: The standard cases of the cd benchmark (issue 3).
CASES = {
    "small": Case("small", 100, 10_000, "ar1", 0.01),
    "medium": Case("medium", 1_000, 5_000, "ar1", 0.05),
    "sparse": Case("sparse", 20_000, 100_000, "sparse", 0.01),
    "tall": Case("tall", 200_000, 200, "ar1", 0.05),
}


def make_case(case, seed=0, dtype=np.float64):
    """``(X, y)`` for a :class:`Case` (or its name); y is centred.

    X is Fortran-ordered (dense) or CSC (sparse), as every solver benchmarked
    prefers, so no solver pays a layout conversion.
    """
    if isinstance(case, str):
        case = CASES[case]
    rng = np.random.default_rng(seed)
    if case.kind == "sparse":
        X = sparse_design(case.n, case.p, case.density, rng, dtype)
    else:
        X = ar1_design(case.n, case.p, case.rho, rng, dtype)
    w = sparse_coef(case.p, case.frac, rng)
    y = make_target(X, w, case.snr, rng)
    return X, y


# -- timing -------------------------------------------------------------------------------

@contextlib.contextmanager
def one_thread():
    """Pin BLAS/OpenMP pools to one thread (numpy, scipy and others ship their own)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


def time_interleaved(solvers, repeats=5, warmup=1):
    """Median wall time of each solver, runs interleaved (A B C A B C ...).

    Parameters
    ----------
    solvers : dict of name -> callable
        Each callable runs one full solve and returns its result.
    repeats : int, default=5
    warmup : int, default=1
        Untimed rounds first (JIT compilation, caches).

    Returns
    -------
    dict of name -> (median_seconds, all_times, last_result)
    """
    results = {name: None for name in solvers}
    times = {name: [] for name in solvers}
    with one_thread():
        for _ in range(warmup):
            for name, fn in solvers.items():
                results[name] = fn()
        for _ in range(repeats):
            for name, fn in solvers.items():
                t0 = time.perf_counter()
                results[name] = fn()
                times[name].append(time.perf_counter() - t0)
    return {name: (statistics.median(times[name]), times[name], results[name])
            for name in solvers}


def time_interleaved_both(solvers, repeats=5, warmup=1):
    """As :func:`time_interleaved`, measuring wall and process CPU time.

    On a shared machine CPU time is the steadier yardstick (every solver is
    pinned to one thread, so it equals wall time when the machine is idle).

    A solver marked ``external`` (an attribute ``external = True``) runs in
    a process of its own and times itself: it returns ``dict(result, cpu,
    wall)`` (None if it failed, an error here), and those times count.

    Returns
    -------
    dict of name -> dict with keys ``wall``, ``cpu`` (medians, seconds),
    ``walls``, ``cpus`` (all runs) and ``result`` (the last one).
    """
    out = {name: {"walls": [], "cpus": [], "result": None} for name in solvers}
    with one_thread():
        for _ in range(warmup):
            for name, fn in solvers.items():
                out[name]["result"] = fn()
        for _ in range(repeats):
            for name, fn in solvers.items():
                t0, c0 = time.perf_counter(), time.process_time()
                res = fn()
                cpu, wall = time.process_time() - c0, time.perf_counter() - t0
                if getattr(fn, "external", False):
                    if res is None:
                        raise RuntimeError(f"{name} failed in a timed run")
                    cpu, wall, res = res["cpu"], res["wall"], res["result"]
                out[name]["result"] = res
                out[name]["cpus"].append(cpu)
                out[name]["walls"].append(wall)
    for rec in out.values():
        rec["wall"] = statistics.median(rec["walls"])
        rec["cpu"] = statistics.median(rec["cpus"])
    return out


# -- re-scoring ---------------------------------------------------------------------------

def rescore(problem, coef):
    """Relative duality gap and objective of ``coef`` by lassokit's certificate.

    Parameters
    ----------
    problem : lassokit.Problem
    coef : array-like of shape (n_features,)

    Returns
    -------
    (float, float)
        ``(rel_gap, objective)``.
    """
    cert = problem.certify(np.asarray(coef, dtype=np.float64).ravel())
    return cert.rel_gap, cert.objective


def calibrate_tol(fit, problem, target=1e-6, start=1e-4, factor=10.0, smallest=1e-16):
    """Largest ``tol`` on a geometric grid whose answer re-scores to ``rel_gap <= target``.

    Parameters
    ----------
    fit : callable
        ``fit(tol) -> coef``.
    problem : lassokit.Problem
        The same problem, to re-score with.
    target : float, default=1e-6
    start : float, default=1e-4
        First (loosest) tol tried; divided by ``factor`` until the target is met.
    smallest : float, default=1e-16

    Returns
    -------
    (float or None, float)
        The calibrated tol (None if even ``smallest`` misses) and its re-scored gap.
    """
    tol = start
    with one_thread():
        while tol >= smallest:
            gap, _ = rescore(problem, fit(tol))
            if gap <= target:
                return tol, gap
            tol /= factor
    return None, gap


# -- plumbing -----------------------------------------------------------------------------

def log(msg):
    """Progress to stderr (stdout carries the tables)."""
    print(msg, file=sys.stderr, flush=True)


def quiet(fn):
    """``fn`` with every warning silenced (the certificate judges convergence)."""
    def run(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args, **kwargs)
    return run


def dump_json(path, obj, indent=1, **kwargs):
    """Write ``obj`` to ``path`` as indented JSON; nothing when ``path`` is empty."""
    if path:
        with open(path, "w") as fh:
            json.dump(obj, fh, indent=indent, **kwargs)
