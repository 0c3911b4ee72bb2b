r"""
Multi-task lasso: one support for related targets
=================================================

Ten targets -- say, one outcome measured at ten time points -- depend on
the same few features of 60, with weights that drift from one target to the
next. Fitted one at a time, ten lassos each pick their own features: each
finds most of the true ones, and several add false ones of their own. The
**multi-task lasso** fits the coefficient matrix :math:`W` (features x
targets) as a whole, with the penalty

.. math::

   \frac{1}{2n}\|Y - XW - \mathbf{1}b^\top\|_F^2 + \alpha \sum_j \|W_j\|_2,

the sum of the Euclidean norms of its rows: a feature is in the model for
every target or for none. It is the group lasso whose groups are the rows
of :math:`W`, ``lk.Problem(X, Y, lk.GroupL2(alpha))``, and
``lk.MultiTaskLassoCV`` chooses ``alpha`` by cross-validation.
"""

import matplotlib.pyplot as plt
import numpy as np

import lassokit as lk

rng = np.random.default_rng(2)
n, p, K = 80, 60, 10
true_rows = np.array([3, 11, 24, 30, 41, 52])
# Each true feature's weight drifts smoothly across the targets.
phase = rng.uniform(0, 2 * np.pi, true_rows.size)
W = np.zeros((p, K))
W[true_rows] = np.sin(np.linspace(0, 1.5, K)[None, :] + phase[:, None]) + 0.5
X = rng.standard_normal((n, p))
Y = X @ W + rng.standard_normal((n, K))
print(f"X: {n} x {p}, Y: {n} x {K}; true rows {true_rows.tolist()}")

# %%
# Ten independent lassos, and one multi-task lasso
# ------------------------------------------------
# Each independent lasso chooses its own ``alpha`` by 5-fold
# cross-validation (``lk.LassoCV``); ``lk.MultiTaskLassoCV`` chooses one
# ``alpha`` for the whole matrix, scored by the test error averaged over the
# targets. Minimizing the cross-validated error keeps many small false
# features in both; for selection, each model is refitted at the
# **one-standard-error** strength: the largest ``alpha`` whose mean error is
# within one standard error of the best (``LassoCV`` reports it as
# ``alpha_1se_``; for the multi-task lasso it is computed from
# ``mse_path_``).
single = []
for k in range(K):
    cv_k = lk.LassoCV(cv=5).fit(X, Y[:, k])
    single.append(lk.Lasso(alpha=cv_k.alpha_1se_).fit(X, Y[:, k]))
W_single = np.column_stack([model.coef_ for model in single])

cv = lk.MultiTaskLassoCV(cv=5).fit(X, Y)
mean = cv.mse_path_.mean(axis=1)
se = cv.mse_path_.std(axis=1, ddof=1) / np.sqrt(cv.mse_path_.shape[1])
best = np.argmin(mean)
alpha_1se = cv.alphas_[np.flatnonzero(mean <= mean[best] + se[best])[0]]
multi = lk.MultiTaskLasso(alpha=alpha_1se).fit(X, Y)
W_multi = multi.coef_.T  # coef_ is (n_targets, n_features), as in scikit-learn
print(f"MultiTaskLassoCV: alpha_ = {cv.alpha_:.3f}, one-standard-error alpha = "
      f"{alpha_1se:.3f}")


def report(name, W_hat):
    rows = np.flatnonzero(np.any(W_hat != 0, axis=1))
    found = np.intersect1d(rows, true_rows).size
    error = np.linalg.norm(W_hat - W) / np.linalg.norm(W)
    print(f"{name:18s} {rows.size:2d} features in the model ({found} of {true_rows.size} "
          f"true, {rows.size - found} false); relative error of W {error:.2f}")


report("ten lassos (union)", W_single)
report("multi-task lasso", W_multi)
is_true = np.isin(np.arange(p), true_rows)
hits = np.count_nonzero(W_single[is_true], axis=0)
misses = np.count_nonzero(W_single[~is_true], axis=0)
print(f"each lasso: true features found {hits.tolist()}, false ones {misses.tolist()}")

# %%
# The certificates
# ----------------
# ``solution_.rel_gap`` is the duality gap of a fit relative to the
# objective at ``W = 0``: a bound on how far the objective is from its
# optimum, proved by lassokit whatever solver ran. The estimators' default
# ``tol=1e-4`` asks for ``rel_gap <= 1e-4``; the fits are then finished on
# their support, so the gaps are usually far smaller.
gaps = [model.solution_.rel_gap for model in single]
print(f"independent lassos: worst relative duality gap {max(gaps):.1e}")
print(f"multi-task lasso: relative duality gap {multi.solution_.rel_gap:.1e} "
      f"(absolute: dual_gap_ = {multi.dual_gap_:.1e})")

# %%
# The coefficient matrices
# ------------------------
# Rows are features, columns targets; white is exactly zero. The
# independent lassos scatter their zeros and their false features
# over the matrix; the multi-task lasso keeps or drops whole rows.
shown = [("truth", W), ("independent lassos", W_single), ("multi-task lasso", W_multi)]
limit = np.abs(W).max()
fig, axes = plt.subplots(1, 3, figsize=(9, 5.5), sharey=True, layout="constrained")
for ax, (title, M) in zip(axes, shown):
    image = ax.imshow(np.ma.masked_equal(M, 0.0), cmap="RdBu_r", vmin=-limit, vmax=limit,
                      aspect="auto", interpolation="nearest")
    ax.set_title(title, fontsize="medium")
    ax.set_xlabel("target")
    ax.set_yticks(true_rows)
axes[0].set_ylabel("feature (ticks: the true ones)")
fig.colorbar(image, ax=axes, shrink=0.6, label="coefficient")
plt.show()

# %%
# The multi-task path
# -------------------
# The same problem along a grid of strengths: ``lk.path`` on
# ``lk.Problem(X, Y, lk.GroupL2(1.0))`` follows the norm of every row of
# ``W`` from ``alpha_max`` down, each strength warm-started from the last
# and certified (``path.rel_gaps``).
path = lk.path(lk.Problem(X, Y, lk.GroupL2(1.0)), n_alphas=40, eps=1e-2)
print(f"path: {len(path)} alphas, coefs {path.coefs.shape} (targets, features, alphas), "
      f"worst relative duality gap {path.rel_gaps.max():.1e}")
fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
path.plot(ax=ax, colors=["lightgray"])
for line, true in zip(ax.get_lines(), is_true):
    if true:
        line.set_color("tab:red")
        line.set_zorder(3)
ax.axvline(alpha_1se, color="black", linestyle=":", label="one-standard-error alpha")
ax.plot([], [], color="tab:red", label="true features")
ax.plot([], [], color="lightgray", label="the others")
ax.set_ylabel("row norm ||W_j||")
ax.legend(loc="upper left")
plt.show()
