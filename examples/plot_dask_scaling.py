"""
Scaling out with Dask
=====================

When the rows no longer fit on one machine, :mod:`lassokit.distributed`
solves the *same* problem on a Dask cluster and returns the same certified
:class:`~lassokit.Solution`: same objective, same duality gap, same
tolerance. Two tiers:

* ``method="gram"`` makes one tree-reduced pass over the row chunks for the
  weighted means and the ``(p+1) x (p+1)`` co-moment matrix of ``[X, y]``,
  then solves an exact small surrogate locally (p up to a few thousand);
* ``method="admm"`` runs consensus ADMM with one row block per worker, each
  keeping its rows and a cached factorization; only p-vectors travel.

The sizes are small so that this page builds in seconds; run the script with
``--n-samples 2000000 --n-features 100`` (or see
``benchmarks/bench_distributed.py``) for the real thing.
"""

import argparse
import importlib.util
import time

# Say which extra to install rather than fail on the first import. The imports
# below stay at the top level, where tooling that lists a script's needs finds them.
if importlib.util.find_spec("dask") is None or importlib.util.find_spec("distributed") is None:
    raise SystemExit('This example needs Dask: pip install "lassokit[dask]"')

import dask.array as da
import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster

import lassokit as lk
from lassokit import distributed as lkd

parser = argparse.ArgumentParser()
parser.add_argument("--n-samples", type=int, default=40_000)
parser.add_argument("--n-features", type=int, default=30)
parser.add_argument("--chunk-rows", type=int, default=5_000)
args, _ = parser.parse_known_args()
N, P, CHUNK = args.n_samples, args.n_features, args.chunk_rows

# %%
# A cluster and a problem generated on the workers
# ------------------------------------------------
# A real deployment would connect to a scheduler (``Client("tcp://...")``);
# here two in-process workers stand in for it. The data are drawn on the
# workers with ``dask.array.random`` and persisted there: the client never
# holds them.
cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                       dashboard_address=None)
client = Client(cluster)
lkd.pin_worker_threads(client, 1)  # one BLAS thread per single-threaded worker


def make_data(n, p, seed=0):
    rs = da.random.RandomState(seed)
    X = rs.standard_normal((n, p), chunks=(CHUNK, p)) + 3.0  # non-centred columns
    coef = np.zeros(p)
    coef[:5] = [2.0, -1.5, 1.0, 0.5, -0.5]
    y = X @ coef + rs.standard_normal(n, chunks=CHUNK) + 10.0
    return client.persist([X, y])


X, y = make_data(N, P)
print(f"X: {X.shape}, {X.npartitions} chunks, {X.nbytes / 1e6:.0f} MB on the workers")

# %%
# Both tiers, one certificate
# ---------------------------
# ``alpha_max`` comes from the statistics of one pass; both tiers then solve
# the Lasso at a tenth of it, with an intercept (never penalized).
stats = lkd.moments(X, y, client=client)
alpha = 0.1 * lkd.surrogate(stats, lk.L1(1.0)).problem.alpha_max()
pen = lk.L1(alpha)

sols = {}
for method in ("gram", "admm"):
    sols[method] = lkd.solve(X, y, pen, method=method, tol=1e-8, client=client)
    s = sols[method]
    print(f"{method:>4}: objective={s.objective:.12f}  rel. gap={s.rel_gap:.1e}  "
          f"intercept={s.intercept:.6f}  nnz={s.support.size}  time={s.solve_time:.2f}s")

# %%
# The same answer as in memory
# ----------------------------
# At this size the data still fit in memory, so the claim can be checked:
# lassokit's in-memory certificate at the distributed coefficients equals the
# distributed one.
Xn, yn = (np.asarray(a) for a in client.compute([X, y], sync=True))
problem = lk.lasso(Xn, yn, alpha)
ref = problem.solve(tol=1e-10)
for method, s in sols.items():
    cert = problem.certify(s.coef)
    print(f"{method:>4}: |objective - in-memory| / objective = "
          f"{abs(s.objective - cert.objective) / cert.objective:.1e}, "
          f"(P - P*) / P* = {(s.objective - ref.objective) / ref.objective:.1e}")

# %%
# A path from one pass
# --------------------
# The Gram tier computes the statistics once for the whole path.
path = lkd.path(X, y, pen, n_alphas=30, client=client)
fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
path.plot(ax=ax)
ax.set_title("Lasso path from one pass over the chunks")
plt.show()

# %%
# Time against the number of rows
# -------------------------------
# Both tiers are linear in n; the Gram tier's pass is O(n p^2), the ADMM
# tier's setup is the same order and each iteration then costs O(p^2) per
# block, independent of n.
sizes = [N // 4, N // 2, N]
times = {"gram": [], "admm": []}
for n in sizes:
    Xs, ys = make_data(n, P, seed=1)
    for method, ts in times.items():
        t0 = time.perf_counter()
        lkd.solve(Xs, ys, pen, method=method, tol=1e-6, client=client)
        ts.append(time.perf_counter() - t0)
    del Xs, ys

fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
for method, ts in times.items():
    ax.plot(sizes, ts, "o-", label=f'method="{method}"')
ax.set_xlabel("n_samples")
ax.set_ylabel("seconds (2 workers)")
ax.legend()
ax.set_title(f"Time to a relative gap of 1e-6, p = {P}")
plt.show()

client.close()
cluster.close()
