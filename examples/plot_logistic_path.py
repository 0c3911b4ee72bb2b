"""
Sparse logistic regression: path and cross-validation
=====================================================

L1-penalized logistic regression on scikit-learn's breast cancer data (569
tumours, 30 features measured on cell nuclei, benign or malignant). The
loss is one more choice of a lassokit problem: ``lk.logistic`` states the
problem, :func:`lassokit.path` follows it from the strength where every
coefficient is zero down to a nearly unpenalized fit, and
``lk.LogisticRegressionCV`` chooses the strength by cross-validated log
loss. Every fit carries lassokit's own certificate: a duality gap derived
from the logistic loss's convex conjugate.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

import lassokit as lk

data = load_breast_cancer()
X = StandardScaler().fit_transform(data.data)  # the L1 penalty treats features alike
y = data.target  # 0 (malignant) or 1 (benign): the coding lk.logistic takes
names = np.array(data.feature_names)
print(f"{X.shape[0]} samples, {X.shape[1]} features, {y.mean():.0%} benign")

# %%
# The regularization path
# -----------------------
# ``lk.logistic(X, y, alpha)`` minimizes the mean logistic loss
# ``1/n sum_i log(1 + exp(-y_i z_i))`` (classes coded -1/+1 inside) plus
# ``alpha * ||w||_1``. Only the shape of the penalty matters to a path: it
# is stated with strength 1, and the path runs from ``alpha_max``, where
# ``coef = 0`` first becomes optimal, down to ``alpha_max / 1000``.
problem = lk.logistic(X, y, 1.0)
path = lk.path(problem, n_alphas=40, eps=1e-3)
print(f"alpha_max = {problem.alpha_max():.4f}")
print(f"path: {path.alphas.size} alphas, worst relative duality gap "
      f"{path.rel_gaps.max():.1e} (tol {path.tol:g}), "
      f"all certified: {bool(path.converged.all())}")

path.feature_names = list(names)
fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
path.plot(ax=ax, n_labels=6)
ax.set_title("L1 logistic regression path (standardized features)")
plt.show()

# %%
# The order in which features enter is a ranking of their predictive value
# given the others; the first ones to leave zero:
for j in path.entry_order()[:6]:
    print(f"  {names[j]}")

# %%
# Choosing the strength by cross-validation
# -----------------------------------------
# ``LogisticRegressionCV`` takes scikit-learn's parameters: a grid of ``C``
# (the inverse strength, ``alpha = 1 / (C n)``), ``l1_ratios=(1.0,)`` for
# the L1 penalty, and the score to maximize. Each fold solves the whole grid
# as one warm-started, certified path. Besides the best ``C_`` it reports
# ``C_1se_``: the strongest penalty whose score is within one standard error
# of the best, a sparser model that cannot be told apart from it.
n = X.shape[0]
Cs = 1.0 / (n * path.alphas[::2])  # the path's grid, as scikit-learn's C
model = lk.LogisticRegressionCV(Cs=Cs, l1_ratios=(1.0,), cv=5, scoring="neg_log_loss",
                                use_legacy_attributes=False).fit(X, y)
print(f"C_ = {model.C_:.3g} (alpha = {1 / (n * model.C_):.2e}): "
      f"{np.count_nonzero(model.coef_)} of {X.shape[1]} features, "
      f"training accuracy {np.mean(model.predict(X) == y):.3f}")
print(f"C_1se_ = {model.C_1se_:.3g}: the one-standard-error choice")
# The estimators keep scikit-learn's tol=1e-4, read as lassokit's relative gap.
print(f"refit certified: relative duality gap {model.solution_.rel_gap:.1e} "
      f"<= tol {model.tol:g}")

fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
lk.plot_cv(model, ax=ax)
plt.show()

# %%
# The sparser model of the one-standard-error rule
# ------------------------------------------------
# ``LogisticRegression`` with ``l1_ratio=1.0`` is the L1 model at one ``C``;
# ``predict_proba`` gives the probability of each class.
sparse = lk.LogisticRegression(C=model.C_1se_, l1_ratio=1.0).fit(X, y)
kept = np.flatnonzero(sparse.coef_[0])
print(f"{kept.size} features at C_1se_: {', '.join(names[kept])}")
print(f"certified: relative duality gap {sparse.solution_.rel_gap:.1e} <= tol {sparse.tol:g}")
some = [0, 19, 40, 60, 100]
print(f"P(benign) of five tumours: {np.round(sparse.predict_proba(X[some])[:, 1], 3)}, "
      f"their classes: {y[some]}")

worst = max(path.rel_gaps.max(), model.solution_.rel_gap, sparse.solution_.rel_gap)
print(f"worst relative duality gap of every fit above: {worst:.1e}")
