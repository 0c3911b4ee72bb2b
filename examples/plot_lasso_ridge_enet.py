"""
Lasso, Ridge and Elastic Net on correlated features
===================================================

Twelve features in three groups of four; features within a group are
strongly correlated (noisy copies of one hidden factor). Only the first
group drives the target. The three penalties treat such groups differently:

* the **Lasso** (L1) tends to keep some features of a group and drop the
  others -- its choice among near-copies is somewhat arbitrary;
* **Ridge** (L2) spreads the weight over the whole group, and over the
  useless groups too: no coefficient is exactly zero;
* the **Elastic Net** (L1 + L2) keeps the useful group together and still
  sets the useless ones to zero.
"""

import matplotlib.pyplot as plt
import numpy as np

import lassokit as lk

rng = np.random.default_rng(0)
n, groups, per_group = 200, 3, 4
factors = rng.standard_normal((n, groups))
# Each feature is its group's factor plus a little independent noise.
X = np.repeat(factors, per_group, axis=1) + 0.05 * rng.standard_normal((n, groups * per_group))
y = 2.0 * factors[:, 0] + 0.5 * rng.standard_normal(n)

# %%
# Fit the three models
# --------------------
# The parameters mean what they mean in scikit-learn (``lk.Ridge(alpha)`` is
# scikit-learn's ``Ridge(alpha)``).
models = {
    "Lasso": lk.Lasso(alpha=0.2),
    "Ridge": lk.Ridge(alpha=10.0),
    "Elastic Net": lk.ElasticNet(alpha=0.3, l1_ratio=0.5),
}
for name, model in models.items():
    model.fit(X, y)
    nonzero = np.flatnonzero(model.coef_)
    print(f"{name:12s} non-zero features: {nonzero.tolist()}; "
          f"first group: {np.round(model.coef_[:per_group], 2)}")

# %%
# Compare the coefficients
# ------------------------
fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
width = 0.27
positions = np.arange(X.shape[1])
for k, (name, model) in enumerate(models.items()):
    ax.bar(positions + (k - 1) * width, model.coef_, width, label=name)
for g in range(1, groups):
    ax.axvline(g * per_group - 0.5, color="gray", linewidth=0.8)
ax.set_xticks(positions)
ax.set_xlabel("feature (groups of four correlated features)")
ax.set_ylabel("coefficient")
ax.set_title("Only the first group matters")
ax.legend()
plt.show()
