"""``lk.RidgeCV`` vs scikit-learn's ``RidgeCV``: leave-one-out over 100 alphas.

Both estimators at their defaults (``cv=None``: efficient leave-one-out,
``gcv_mode=None``) on the same data and the same grid,
``np.logspace(-2, 4, 100)`` (scikit-learn's Ridge scale; the chosen alpha is
inside it on both cases), with intercept, one BLAS thread, runs interleaved,
medians. lassokit is warmed up first on a tiny problem (its certificate's
numba kernels compile once per process); scikit-learn needs no warm-up.
Reported per case: both times (process CPU and wall) and their ratio, the
``alpha_`` each chose, the relative difference of ``best_score_`` and of
``coef_``, and lassokit's certified duality gap of its fit (``dual_gap_``,
relative to ``P(0, b0)``).

Cases (no BLAS calls in the generators, see ``_common.py``):

* ``tall``: dense 200,000 x 200 AR(1) (rho 0.5), 10% true non-zeros, SNR 3;
  scikit-learn's eigendecomposition of ``X^T X`` then costs ``O(n p^2)`` per
  alpha, lassokit's ``O(n p^2)`` once and ``O(n p)`` per alpha;
* ``wide``: dense 500 x 20,000 AR(1), 1% true non-zeros; both decompose
  ``X X^T``, scikit-learn then multiplies by ``X^T`` for every alpha,
  lassokit only at the chosen one.

Usage::

    python benchmarks/bench_ridgecv.py                     # both cases (~7 min)
    python benchmarks/bench_ridgecv.py --cases wide --repeats 5
    python benchmarks/bench_ridgecv.py --json results/bench_ridgecv.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from _common import Case, dump_json, make_case, time_interleaved_both

import lassokit as lk

ALPHAS = np.logspace(-2, 4, 100)
SHAPES = {"tall": (200_000, 200, 0.1), "wide": (500, 20_000, 0.01)}


def make(name, seed=0):
    """``(X, y)`` of a named case: Fortran-ordered AR(1) X, centred y."""
    n, p, frac = SHAPES[name]
    return make_case(Case(name, n, p, "ar1", frac), seed=seed)


def run_case(name, repeats):
    from sklearn.linear_model import RidgeCV

    X, y = make(name)
    lk.RidgeCV(alphas=ALPHAS).fit(X[:50, :20], y[:50])  # compile the certificate's kernels
    solvers = {
        "lassokit": lambda: lk.RidgeCV(alphas=ALPHAS).fit(X, y),
        "sklearn": lambda: RidgeCV(alphas=ALPHAS).fit(X, y),
    }
    res = time_interleaved_both(solvers, repeats=repeats, warmup=0)
    ours, theirs = res["lassokit"]["result"], res["sklearn"]["result"]
    p0 = 0.5 * float(np.mean((y - y.mean()) ** 2))
    return {
        "case": name, "n": X.shape[0], "p": X.shape[1], "n_alphas": ALPHAS.size,
        "lassokit_cpu": res["lassokit"]["cpu"], "lassokit_wall": res["lassokit"]["wall"],
        "sklearn_cpu": res["sklearn"]["cpu"], "sklearn_wall": res["sklearn"]["wall"],
        "ratio_cpu": res["lassokit"]["cpu"] / res["sklearn"]["cpu"],
        "ratio_wall": res["lassokit"]["wall"] / res["sklearn"]["wall"],
        "alpha_lassokit": float(ours.alpha_), "alpha_sklearn": float(theirs.alpha_),
        "best_score_rel_diff": abs(ours.best_score_ / theirs.best_score_ - 1.0),
        "coef_rel_diff": float(np.max(np.abs(ours.coef_ - theirs.coef_))
                               / np.max(np.abs(theirs.coef_))),
        "rel_gap": float(ours.dual_gap_) / p0,
    }


def table(rows):
    """Markdown table of :func:`run_case` rows."""
    lines = [("| case | lassokit [s] | scikit-learn [s] | ratio | alpha_ (lk / sk) | "
              "best_score_ rel. diff | coef_ rel. diff | lk rel. gap |"),
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['case']} {r['n']:,} x {r['p']:,}, {r['n_alphas']} alphas | "
            f"{r['lassokit_cpu']:.2f} | {r['sklearn_cpu']:.2f} | {r['ratio_cpu']:.3f} | "
            f"{r['alpha_lassokit']:.4g} / {r['alpha_sklearn']:.4g} | "
            f"{r['best_score_rel_diff']:.1e} | {r['coef_rel_diff']:.1e} | {r['rel_gap']:.1e} |")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", nargs="+", default=list(SHAPES), choices=list(SHAPES))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", default=None, help="write the rows to this file")
    args = ap.parse_args(argv)
    rows = []
    for name in args.cases:
        rows.append(run_case(name, args.repeats))
        print(json.dumps(rows[-1]), flush=True)
    print(f"\nProcess CPU seconds, medians of {args.repeats} interleaved runs, one BLAS "
          "thread.\n")
    print(table(rows))
    dump_json(args.json, rows)


if __name__ == "__main__":
    main()
