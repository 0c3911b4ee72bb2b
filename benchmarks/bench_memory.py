"""Peak memory above the data of what users write on tall data (200,000 x 200).

Each measurement runs in a fresh process: the data is made, the kernels are
compiled (or loaded) on a slice of it, then ``ru_maxrss`` is read before and
after the call. The figure is the growth of the peak resident set during the
call, in MiB and as a multiple of the size of X.

Usage::

    python benchmarks/bench_memory.py                 # every entry point
    python benchmarks/bench_memory.py --only path     # one of: path solve lassocv estimator
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

CHILD = r"""
import os, resource, sys, json
import numpy as np
import lassokit as lk
n, p = 200_000, 200
rng = np.random.default_rng(0)
X = np.empty((n, p), order="F")
for j in range(p):  # column by column: no temporary as large as X inflates the peak
    X[:, j] = rng.standard_normal(n)
y = X[:, :10] @ rng.standard_normal(10) + rng.standard_normal(n)
what = sys.argv[1]
def run(X, y):
    if what == "path":
        return lk.path(lk.lasso(X, y, 1.0), n_alphas=100)
    if what == "solve":
        pr = lk.lasso(X, y, 1.0)
        return lk.lasso(X, y, pr.alpha_max() / 100).solve()
    if what == "lassocv":
        return lk.LassoCV(cv=5).fit(X, y)
    return lk.Lasso(alpha=0.01).fit(X, y)
run(np.asfortranarray(X[:2000, :20]), y[:2000])   # compile / load the kernels
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
run(X, y)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"what": what, "mib": (after - before) / 1024,
                  "x_mib": X.nbytes / 2**20}))
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["path", "solve", "lassocv", "estimator"])
    args = parser.parse_args(argv)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1")
    print("| call | peak above the data [MiB] | x size of X |")
    print("|---|---|---|")
    for what in [args.only] if args.only else ["path", "solve", "lassocv", "estimator"]:
        out = subprocess.run([sys.executable, "-c", CHILD, what], env=env, check=True,
                             capture_output=True, text=True).stdout.strip().splitlines()[-1]
        rec = json.loads(out)
        print(f"| {what} | {rec['mib']:.0f} | {rec['mib'] / rec['x_mib']:.2f} |", flush=True)


if __name__ == "__main__":
    main()
