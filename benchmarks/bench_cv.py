"""5-fold ``LassoCV`` and ``ElasticNetCV`` (l1_ratio 0.5): lassokit vs scikit-learn.

Same folds (``KFold(5)``), same 100-alpha grid (both libraries build it the
same way from the whole data), each library at its default ``tol``, with
intercept, one BLAS thread, runs interleaved, medians after a warm-up (JIT
compilation excluded). Reported per case: both times and their ratio, the
``alpha_`` each chose, and for lassokit the worst relative duality gap of its
refit (every fold strength is certified too; unconverged ones warn).

Cases: diabetes (442 x 10); dense 100 x 10,000 AR(1) (p >> n); dense
200,000 x 200 (n >> p); sparse CSC 20,000 x 100,000 (density 1e-3).

Usage::

    python benchmarks/bench_cv.py                       # every case (~5 min)
    python benchmarks/bench_cv.py --cases diabetes tall --repeats 5
    python benchmarks/bench_cv.py --json results/bench_cv.json
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

from _common import ar1_design, make_target, sparse_coef, sparse_design, time_interleaved

import lassokit as lk


def make(name, seed=0):
    """``(X, y)`` of a named case (no BLAS calls in the generators)."""
    rng = np.random.default_rng(seed)
    if name == "diabetes":
        from sklearn.datasets import load_diabetes

        X, y = load_diabetes(return_X_y=True)
        return np.asfortranarray(X), y
    if name == "wide":
        X = ar1_design(100, 10_000, rng=rng)
        return X, make_target(X, sparse_coef(10_000, 0.01, rng), rng=rng)
    if name == "tall":
        X = ar1_design(200_000, 200, rng=rng)
        return X, make_target(X, sparse_coef(200, 0.1, rng), rng=rng)
    if name == "sparse":
        X = sparse_design(20_000, 100_000, 1e-3, rng)
        return X, make_target(X, sparse_coef(100_000, 0.001, rng), rng=rng)
    raise ValueError(f"unknown case {name!r}")


def run_case(name, repeats, warmup):
    import sklearn.linear_model as sk
    from sklearn.model_selection import KFold

    X, y = make(name)
    cv = KFold(5)
    rows = []
    for model, l1 in (("LassoCV", None), ("ElasticNetCV", 0.5)):
        kw = {} if l1 is None else {"l1_ratio": l1}
        ests = {"scikit-learn": getattr(sk, model)(cv=cv, **kw),
                "lassokit": getattr(lk, model)(cv=cv, **kw)}

        def fit(est):
            def go():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    return est.fit(X, y)
            return go

        res = time_interleaved({k: fit(e) for k, e in ests.items()}, repeats=repeats,
                               warmup=warmup)
        t_sk, t_lk = res["scikit-learn"][0], res["lassokit"][0]
        lk_est = res["lassokit"][2]
        rows.append(dict(case=name, model=model, sklearn_s=t_sk, lassokit_s=t_lk,
                         ratio=t_lk / t_sk, alpha_sklearn=float(res["scikit-learn"][2].alpha_),
                         alpha_lassokit=float(lk_est.alpha_),
                         same_alpha=bool(np.isclose(res["scikit-learn"][2].alpha_,
                                                    lk_est.alpha_, rtol=1e-9)),
                         refit_rel_gap=float(lk_est.solution_.rel_gap)))
        r = rows[-1]
        print(f"{name:9s} {model:13s} sklearn {t_sk:8.4f}s  lassokit {t_lk:8.4f}s  "
              f"ratio {r['ratio']:.3f}  alpha_ sk {r['alpha_sklearn']:.6g} "
              f"lk {r['alpha_lassokit']:.6g} same={r['same_alpha']}  "
              f"refit rel gap {r['refit_rel_gap']:.2e}", flush=True)
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", nargs="+", default=["diabetes", "wide", "tall", "sparse"])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--json", default=None, help="write the rows to this file")
    args = ap.parse_args(argv)
    rows = []
    for name in args.cases:
        rows += run_case(name, args.repeats, args.warmup)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
