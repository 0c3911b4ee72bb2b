"""
Writing your own backend
========================

A backend is a subclass of ``lk.Backend`` with a ``name``, the
``capabilities`` it has, and a ``solve`` method that returns coefficients.
lassokit does the rest: it checks that the backend can take a problem,
computes the objective and the duality gap of whatever ``solve`` returns,
and decides whether it converged -- a backend cannot misreport its accuracy.

Here: FISTA, the accelerated proximal gradient method of Beck & Teboulle
(2009), "A fast iterative shrinkage-thresholding algorithm for linear inverse
problems", SIAM J. Imaging Sciences 2(1).
"""

import matplotlib.pyplot as plt
import numpy as np

import lassokit as lk


class FistaBackend(lk.Backend):
    """FISTA for dense problems with plain L1 + L2 penalties."""

    name = "fista"
    # What it cannot take: lassokit refuses such problems with a clear
    # message (and "auto" never picks this backend for them).
    capabilities = lk.Capabilities(sparse=False, sample_weight=False, penalty_weights=False)
    options = {"check_every": 10}  # keyword options accepted by solve, with defaults

    def solve(self, problem, *, tol, max_iter, warm_start, check_every=10):
        X = np.asarray(problem.X, dtype=np.float64)
        y = problem.y
        n = X.shape[0]
        if problem.fit_intercept:  # the intercept is unpenalized: centre, solve, recover it
            x_mean, y_mean = X.mean(axis=0), y.mean()
            X, y = X - x_mean, y - y_mean
        a1, a2 = problem.penalty.l1, problem.penalty.l2
        step = 1.0 / (np.linalg.norm(X, 2) ** 2 / n + a2)  # 1 / Lipschitz constant
        # P(0) with the optimal intercept: the scale of the relative gap.
        p0 = problem.objective(np.zeros(X.shape[1]), problem.y.mean() if problem.fit_intercept
                               else 0.0)
        w = np.zeros(X.shape[1]) if warm_start is None else warm_start.copy()
        z, t, history = w.copy(), 1.0, []
        for it in range(1, max_iter + 1):
            grad = X.T @ (X @ z - y) / n + a2 * z
            u = z - step * grad
            w_new = np.sign(u) * np.maximum(np.abs(u) - step * a1, 0.0)  # soft-thresholding
            if problem.positive:
                w_new = np.maximum(w_new, 0.0)
            t_new = (1 + np.sqrt(1 + 4 * t * t)) / 2
            z = w_new + (t - 1) / t_new * (w_new - w)
            w, t = w_new, t_new
            if it % check_every == 0:
                # Stop on lassokit's own certificate.
                history.append((it, problem.dual_gap(w) / p0))
                if history[-1][1] <= tol:
                    return lk.BackendResult(coef=w, n_iter=it, info={"history": history})
        return lk.BackendResult(coef=w, n_iter=max_iter, status="max_iter",
                                info={"history": history})


# Registering twice is an error, so guard it (this script may run twice in one session).
if "fista" not in lk.available_backends():
    lk.register_backend(FistaBackend)
print("backends:", lk.available_backends())

# %%
# Use it like any other backend
# -----------------------------
rng = np.random.default_rng(0)
X = rng.standard_normal((150, 40))
y = X[:, :4] @ np.array([2.0, -1.0, 1.0, 0.5]) + 0.3 * rng.standard_normal(150)
problem = lk.lasso(X, y, alpha=0.05)

sol = problem.solve("fista", tol=1e-8, max_iter=5000)
print(sol)

# A problem it cannot take is refused before any work, naming those that can.
try:
    lk.lasso(X, y, alpha=0.05, sample_weight=np.ones(150) * 2).solve("fista")
except ValueError as err:
    print("refused:", err)

# %%
# Check it against CVXPY
# ----------------------
report = lk.verify(problem, backends=["fista"])
print(report)

# %%
# Convergence of the certificate
# ------------------------------
its, gaps = zip(*sol.info["history"])
fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
ax.semilogy(its, gaps, "o-")
ax.axhline(1e-8, color="k", linestyle="--", label="tol")
ax.set_xlabel("FISTA iteration")
ax.set_ylabel("relative duality gap")
ax.legend()
plt.show()
