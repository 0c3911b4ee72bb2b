"""``LassoCV(relax=True)`` (5 gammas, glmnet's grid) against plain ``LassoCV``.

The target of issue 24: the relaxed cross-validation costs at most twice
the plain one. Same data, folds (``KFold(5)``) and 100-alpha grid; default
``tol``; one BLAS thread; runs interleaved, medians of wall and CPU time
after a warm-up (JIT compilation excluded). Cases as in ``bench_cv.py``:
diabetes (442 x 10, Gram blocks), dense 200,000 x 200 (Gram blocks), dense
100 x 10,000 (path sessions), plus dense 2,000 x 500 (Gram blocks, larger
supports).

Usage::

    python benchmarks/bench_cv_relax.py                      # every case
    python benchmarks/bench_cv_relax.py --cases diabetes --repeats 9
    python benchmarks/bench_cv_relax.py --json results/bench_cv_relax.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from _common import ar1_design, make_target, sparse_coef, time_interleaved_both
from bench_cv import make as make_cv_case

import lassokit as lk


def make(name, seed=0):
    """``(X, y)`` of a named case (``bench_cv.py``'s, and ``medium``)."""
    if name == "medium":
        rng = np.random.default_rng(seed)
        X = ar1_design(2_000, 500, rng=rng)
        return X, make_target(X, sparse_coef(500, 0.1, rng), rng=rng)
    return make_cv_case(name, seed)


def run_case(name, repeats, warmup):
    from sklearn.model_selection import KFold

    X, y = make(name)

    def fitter(relax):
        est = lk.LassoCV(cv=KFold(5), relax=relax)
        return lambda: est.fit(X, y)

    res = time_interleaved_both({"plain": fitter(False), "relax": fitter(True)},
                                repeats=repeats, warmup=warmup)
    plain, relax = res["plain"], res["relax"]
    row = dict(case=name, shape=list(X.shape), plain_wall_s=plain["wall"],
               relax_wall_s=relax["wall"], plain_cpu_s=plain["cpu"], relax_cpu_s=relax["cpu"],
               ratio_wall=relax["wall"] / plain["wall"], ratio_cpu=relax["cpu"] / plain["cpu"],
               alpha_plain=float(plain["result"].alpha_), alpha_relax=float(relax["result"].alpha_),
               gamma=float(relax["result"].gamma_))
    shown = ("plain_wall_s", "relax_wall_s", "plain_cpu_s", "relax_cpu_s", "ratio_wall",
             "ratio_cpu", "gamma")
    print(f"{name} {X.shape[0]} x {X.shape[1]}: "
          + ", ".join(f"{key} {row[key]:.4g}" for key in shown), flush=True)
    return row


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", nargs="+", default=["diabetes", "medium", "tall", "wide"])
    for flag, default in (("--repeats", 5), ("--warmup", 1)):
        ap.add_argument(flag, type=int, default=default)
    ap.add_argument("--json", help="write the rows to this file")
    args = ap.parse_args(argv)
    # Unconverged fold strengths warn (default tol); only the times are asked here.
    warnings.simplefilter("ignore")
    rows = [run_case(case, args.repeats, args.warmup) for case in args.cases]
    if args.json:
        with open(args.json, "w") as out:
            json.dump(rows, out, indent=1)


if __name__ == "__main__":
    main()
