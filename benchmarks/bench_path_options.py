"""Bounded and standardized Lasso paths against the plain path on the same data (issue 24).

The target: ``lk.lasso_path(X, y, standardize=True)`` and
``lk.lasso_path(X, y, lower_bounds=..., upper_bounds=...)`` within 1.2x the
time of ``lk.lasso_path(X, y)`` (no copy of X, no extra pass beyond one).
Each path has 100 strengths (lassokit's default grid, from its own
``alpha_max``), tol 1e-6; every point of every path is certified by
lassokit (the table says how many are not). The bounds are ``[-c, c]`` with
``c`` half the largest coefficient of the plain path's least-regularized
point, so that they bind on the later strengths, plus ``positive`` (the
box ``(0, inf)``) for comparison.

A standardized or bounded path solves *another problem* than the plain one
(other penalty weights, other optimum), which may need more epochs. Two
more rows isolate what the options themselves cost: the plain path on
``X`` standardized explicitly (a scaled copy made outside the timing: the
same problem as ``standardize=True``), and bounds ``[-C, C]`` that never
bind (``C`` = 1e6 times the largest coefficient: the same problem as the
plain one, through the box code). CPU seconds (one BLAS thread), median of
``--repeats`` interleaved runs after a warm-up (compile excluded).

Usage::

    python benchmarks/bench_path_options.py [--cases small tall sparse] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import scipy.sparse as sp
from _common import CASES, make_case, time_interleaved_both

import lassokit as lk

# Smaller instances of the standard shapes: a 100-strength path on the
# full cases takes minutes per run on the shared 2-core machines.
SHAPES = {
    "small": dict(n=100, p=10_000),
    "tall": dict(n=50_000, p=200),
    "sparse": dict(n=20_000, p=50_000),
}


def _data(name):
    case = CASES[name]
    shape = SHAPES[name]
    case = type(case)(**{**case.__dict__, **shape})
    return make_case(case, seed=0)


def _standardized_copy(X):
    # Columns divided by their (population) standard deviation: glmnet's
    # standardization done by hand, a copy (sparse stays sparse).
    from lassokit._standardize import column_scales

    sd = column_scales(X, None, True)
    if sp.issparse(X):
        return sp.csc_matrix(X @ sp.diags(1.0 / sd))
    return np.asfortranarray(X / sd)


def run(names, repeats):
    rows = []
    for name in names:
        X, y = _data(name)
        plain = lk.lasso_path(X, y)
        top = float(np.max(np.abs(plain.coefs[:, -1])))
        c, big = 0.5 * top, 1e6 * top
        Xs = _standardized_copy(X)
        solvers = {
            "plain": lambda: lk.lasso_path(X, y),
            "standardize": lambda: lk.lasso_path(X, y, standardize=True),
            "X standardized": lambda: lk.lasso_path(Xs, y),
            "bounds [-c, c]": lambda: lk.lasso_path(X, y, lower_bounds=-c, upper_bounds=c),
            "bounds, unbinding": lambda: lk.lasso_path(X, y, lower_bounds=-big,
                                                       upper_bounds=big),
            "positive": lambda: lk.lasso_path(X, y, positive=True),
        }
        out = time_interleaved_both(solvers, repeats=repeats, warmup=1)
        base = out["plain"]["cpu"]
        for label, rec in out.items():
            path = rec["result"]
            bound_hits = ""
            if label.startswith("bounds"):
                at = np.isclose(np.abs(path.coefs), c, rtol=0, atol=1e-12 * c)
                bound_hits = f"{int(at.any(axis=0).sum())} strengths with a coef at a bound"
            rows.append((name, label, rec["cpu"], rec["cpu"] / base,
                         int(np.count_nonzero(~np.asarray(path.converged))), bound_hits))
    print(f"{'case':8s} {'path':18s} {'CPU s':>8s} {'x plain':>8s} {'unconv':>6s}  note")
    for name, label, cpu, ratio, unconv, note in rows:
        print(f"{name:8s} {label:18s} {cpu:8.3f} {ratio:8.2f} {unconv:6d}  {note}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=list(SHAPES), choices=list(SHAPES))
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    run(args.cases, args.repeats)


if __name__ == "__main__":
    main()
