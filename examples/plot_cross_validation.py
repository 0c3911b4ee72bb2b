"""
Choosing alpha by cross-validation
==================================

``lk.LassoCV`` fits the whole regularization path on each fold and keeps the
``alpha`` with the smallest mean squared error over the folds, exactly like
scikit-learn's ``LassoCV``. The curve of that error against ``alpha`` shows
how sharp the choice is.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes

import lassokit as lk

X, y = load_diabetes(return_X_y=True)

model = lk.LassoCV(cv=5).fit(X, y)
print(f"chosen alpha: {model.alpha_:.4f}")
print(f"coefficients: {np.round(model.coef_, 1)}")
print(f"non-zero:     {np.count_nonzero(model.coef_)} of {X.shape[1]} features")

# %%
# The cross-validation curve
# --------------------------
# Bold: the mean test error over the folds, with a band of one standard
# error either side; dashed: the chosen ``alpha_``; dotted: ``alpha_1se_``,
# the largest alpha within one standard error of the minimum.
fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
lk.plot_cv(model, ax=ax)
plt.show()

# %%
# Elastic Net: choosing the L1 share too
# --------------------------------------
# ``lk.ElasticNetCV`` takes a list of ``l1_ratio`` values and searches the
# grid of (``l1_ratio``, ``alpha``) pairs.
enet = lk.ElasticNetCV(l1_ratio=[0.2, 0.5, 0.9, 1.0], cv=5).fit(X, y)
print(f"chosen l1_ratio: {enet.l1_ratio_}, alpha: {enet.alpha_:.4f}")

fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
lk.plot_cv(enet, ax=ax)
plt.show()
