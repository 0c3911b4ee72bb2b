"""
Switching backends and verifying against CVXPY
==============================================

A problem is stated once and solved by any backend that can take it. Every
answer is judged by lassokit's own certificate -- the duality gap -- so
answers from different algorithms are comparable, and ``lk.verify`` checks
them all against a tight CVXPY reference.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np

import lassokit as lk

rng = np.random.default_rng(0)
X = rng.standard_normal((200, 50))
w_true = np.zeros(50)
w_true[:5] = [3.0, -2.0, 1.5, 1.0, -0.5]
y = X @ w_true + 0.5 * rng.standard_normal(200)

problem = lk.elastic_net(X, y, alpha=0.05, l1_ratio=0.8)
print(problem)
print("available backends:", lk.available_backends())

# %%
# The same problem, every backend
# -------------------------------
# ``solve`` raises a ``ValueError`` naming the backends that can take a
# problem when the one asked for cannot (``"direct"`` is Ridge-only).
solutions = {}
for name in lk.available_backends():
    try:
        solutions[name] = problem.solve(name, tol=1e-8)
    except ValueError as err:
        print(f"{name}: skipped ({err})")
for name, sol in solutions.items():
    print(f"{name:8s} objective {sol.objective:.10f}  relative gap {sol.rel_gap:.1e}  "
          f"{sol.solve_time * 1e3:7.1f} ms  status {sol.status}")

# %%
# Backend options
# ---------------
# Options go to the backend; unknown ones raise ``TypeError``. Here CVXPY
# uses OSQP instead of its default Clarabel.
sol = problem.solve("cvxpy", solver="OSQP")
print(f"cvxpy + OSQP: relative gap {sol.rel_gap:.1e}")

# %%
# An answer that stops short is flagged, whatever the backend claims: a
# budget of one iteration cannot reach the tolerance, so the solution comes
# back with ``converged=False`` and a ``lk.ConvergenceWarning``.
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    rough = problem.solve("auto", max_iter=1)
print(f"{rough.backend}, 1 iteration: status {rough.status!r}, relative gap {rough.rel_gap:.1e};",
      f"warned: {any(issubclass(w.category, lk.ConvergenceWarning) for w in caught)}")

# %%
# Verify against CVXPY
# --------------------
report = lk.verify(problem)
print(report)
assert report.ok

# %%
# The certificate, backend by backend
# -----------------------------------
fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
names = list(solutions)
gaps = [max(solutions[n].rel_gap, 1e-17) for n in names]
ax.barh(names, gaps)
ax.axvline(1e-8, color="k", linestyle="--", label="tol = 1e-8")
ax.set_xscale("log")
ax.set_xlabel("relative duality gap (smaller is better)")
ax.legend()
plt.show()
