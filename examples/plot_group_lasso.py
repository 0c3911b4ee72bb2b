r"""
Group lasso: selecting categorical variables
============================================

A categorical variable with ``m`` levels enters a linear model as ``m``
one-hot columns, and asking "does this variable matter?" is asking whether
all ``m`` coefficients are zero together. The Lasso cannot answer: it
selects single levels, and keeps a variable half in, half out. The **group
lasso** penalizes the Euclidean norm of each group of coefficients,

.. math::

   \frac{1}{2n}\|y - Xw - b\|^2 + \alpha \sum_g \sqrt{|g|}\,\|w_g\|_2,

so a whole variable -- every level of it -- leaves the model at once.
Here, simulated house prices depend on two of four categorical variables
and on two of four numeric ones; ``lk.GroupL2`` with one group per original
variable finds them. Every fit is certified by lassokit's duality gap.
"""

import matplotlib.pyplot as plt
import numpy as np

import lassokit as lk

rng = np.random.default_rng(2)
n = 400
# name -> number of levels (categorical) ...
categorical = {"neighbourhood": 8, "heating": 4, "roof": 3, "sale season": 4}
# ... and the numeric features, standardized below.
numeric = ["floor area", "age", "garden size", "street number"]

codes = {name: rng.integers(levels, size=n) for name, levels in categorical.items()}
raw = rng.standard_normal((n, len(numeric)))

# The truth: the neighbourhood and the heating matter, roof and season do not;
# floor area and age matter, garden size and street number do not.
neighbourhood_effect = np.array([-1.0, -0.6, -0.3, 0.0, 0.2, 0.5, 0.8, 1.2])
heating_effect = np.array([0.0, 0.6, -0.6, 0.3])
y = (neighbourhood_effect[codes["neighbourhood"]] + heating_effect[codes["heating"]]
     + 0.8 * raw[:, 0] - 0.5 * raw[:, 1] + 0.5 * rng.standard_normal(n))

# %%
# One-hot columns, and one group label per column
# -----------------------------------------------
# Each categorical variable becomes one 0/1 column per level (all levels,
# no reference level: the penalty picks the solution of smallest norm, and
# the intercept absorbs the rest). ``groups`` takes one label per column --
# the name of the variable it came from -- so a numeric feature is a group
# of one. The default group weights are ``sqrt(|g|)``: the norm of ``m``
# unrelated correlations grows like ``sqrt(m)``, and the weight keeps an
# 8-level variable from entering just because it has more columns.
blocks, labels = [], []
for name, levels in categorical.items():
    blocks.append(np.eye(levels)[codes[name]])
    labels += [name] * levels
blocks.append((raw - raw.mean(axis=0)) / raw.std(axis=0))
labels += numeric
X = np.hstack(blocks)
labels = np.array(labels)
variables = list(categorical) + numeric  # the groups, in order of first appearance
print(f"X: {X.shape[0]} houses x {X.shape[1]} columns from {len(variables)} variables")

# %%
# The regularization path
# -----------------------
# The penalty is stated with strength 1; :func:`lassokit.path` scales it from
# ``alpha_max``, where every group is zero, down to ``alpha_max / 100``.
# ``path.group_norms()`` gives ``||w_g||`` of each group along the path, and
# ``path.plot()`` draws them, one line per group.
problem = lk.Problem(X, y, lk.GroupL2(1.0, groups=labels))
path = lk.path(problem, n_alphas=30, eps=1e-2)
print(f"alpha_max = {problem.alpha_max():.4f}; path: {len(path)} alphas, worst relative "
      f"duality gap {path.rel_gaps.max():.1e} (tol {path.tol:g})")

colors = plt.get_cmap("tab10").colors
fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
path.plot(ax=ax, colors=colors)
for line, name in zip(ax.get_lines(), variables):
    line.set_label(name)
    if name in ("roof", "sale season", "garden size", "street number"):
        line.set_linestyle("--")  # no effect in the truth
ax.legend(title="variable (dashed: no effect)", loc="upper left", fontsize="small")
ax.set_title("Group lasso path: each variable enters as a whole")
plt.show()

# %%
# The order in which the groups leave zero as ``alpha`` decreases ranks the
# variables:
norms = path.group_norms()
first = [int(np.argmax(row > 0)) if np.any(row > 0) else len(path) for row in norms]
for g in np.argsort(first, kind="stable"):
    if first[g] < len(path):
        print(f"  {variables[g]:14s} enters at alpha = {path.alphas[first[g]]:.4f}")
    else:
        print(f"  {variables[g]:14s} stays zero along the whole path")

# %%
# Choosing alpha by cross-validation
# ----------------------------------
# ``lk.GroupLassoCV`` takes the same ``groups`` (labels or index lists),
# solves one warm-started path per fold and refits at the ``alpha_`` of
# smallest cross-validated error; ``groups_`` lists the columns of each
# group. Minimizing the prediction error tends to keep a few useless
# variables with small norms; the **one-standard-error rule** (the largest
# ``alpha`` whose mean error is within one standard error of the best,
# computed here from ``mse_path_``) gives a sparser model that predicts as
# well.
cv = lk.GroupLassoCV(groups=labels, alphas=30, cv=5).fit(X, y)
mean = cv.mse_path_.mean(axis=1)
se = cv.mse_path_.std(axis=1, ddof=1) / np.sqrt(cv.mse_path_.shape[1])
best = np.argmin(mean)
alpha_1se = cv.alphas_[np.flatnonzero(mean <= mean[best] + se[best])[0]]


def selected(model):
    """The variables with a non-zero coefficient in ``model``."""
    return [v for v, cols in zip(variables, cv.groups_) if np.any(model.coef_[cols] != 0)]


print(f"alpha_ = {cv.alpha_:.4f}: {', '.join(selected(cv))}")
sparse = lk.GroupLasso(groups=labels, alpha=alpha_1se).fit(X, y)
print(f"alpha_1se = {alpha_1se:.4f}: {', '.join(selected(sparse))}")

# %%
# Every fit is certified: ``solution_.rel_gap`` is the duality gap of the
# fit, relative to the objective at ``w = 0``, proved by lassokit itself.
print(f"GroupLasso(alpha={alpha_1se:.4f}): relative duality gap "
      f"{sparse.solution_.rel_gap:.1e} <= tol {sparse.tol:g}")

# %%
# Groups against single levels
# ----------------------------
# The Lasso at the same strength zeroes single levels of the categorical
# variables; ``l1_ratio > 0`` (the **sparse group lasso**) mixes in that L1
# term: variables are selected as wholes, and inside them some levels can
# still be zero.
models = {
    "group lasso, alpha_ (CV)": cv,
    "group lasso, alpha_1se": sparse,
    "sparse group lasso, alpha_1se": lk.GroupLasso(groups=labels, alpha=alpha_1se,
                                                   l1_ratio=0.5).fit(X, y),
    "lasso, alpha_1se": lk.Lasso(alpha=alpha_1se).fit(X, y),
}
for name, model in models.items():
    print(f"{name:30s} {np.count_nonzero(model.coef_):2d} columns of "
          f"{len(selected(model))} variables; relative gap {model.solution_.rel_gap:.1e}")

fig, ax = plt.subplots(figsize=(9, 4.5), layout="constrained")
width = 0.2
position = np.arange(X.shape[1])
for k, (name, model) in enumerate(models.items()):
    ax.bar(position + (k - 1.5) * width, model.coef_, width, label=name)
for cols in cv.groups_[1:]:
    ax.axvline(cols[0] - 0.5, color="gray", linewidth=0.6)
ax.set_xticks([cols.mean() for cols in cv.groups_], variables, rotation=45, ha="right",
              fontsize="small")
ax.set_ylabel("coefficient")
ax.set_title("Coefficients, grouped by the variable they encode")
ax.legend(fontsize="small")
plt.show()
