"""
A glmnet-style workflow: standardize, the 1-SE rule, the relaxed lasso
=======================================================================

What an R user does with ``cv.glmnet``, with lassokit: penalize the columns
as if standardized (glmnet's default, here ``standardize=True``), choose
``alpha`` by cross-validation, predict with the sparser one-standard-error
model (``lambda.1se``), and cross-validate the relaxed lasso
(``relax = TRUE``), which blends each lasso solution with the unpenalized
least-squares refit on its support.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.model_selection import KFold

import lassokit as lk

X, y = load_diabetes(return_X_y=True)
# Put the columns in units of very different sizes, as raw data come: without
# standardization the penalty would then favour the columns with large units.
X = X * np.array([1, 1, 10, 10, 100, 100, 1000, 1000, 0.1, 0.1])
cv = KFold(10, shuffle=True, random_state=0)
np.set_printoptions(suppress=True)

model = lk.LassoCV(standardize=True, cv=cv).fit(X, y)
print(f"alpha_ = {model.alpha_:.4g} ({np.count_nonzero(model.coef_)} features), "
      f"alpha_1se_ = {model.alpha_1se_:.4g}")

# %%
# Predicting with the one-standard-error model
# --------------------------------------------
# ``path_`` is the path on all the data over the CV grid (solved the first
# time it is read), so the ``lambda.1se`` model is one call away, at any
# alpha of the grid or between its points.
coef_1se = model.path_.coef_at(model.alpha_1se_)
pred_1se = model.path_.predict(X[:5], alpha=model.alpha_1se_)
print(f"1-SE model: {np.count_nonzero(coef_1se)} features; predictions {np.round(pred_1se, 1)}")

fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
lk.plot_cv(model, ax=ax)
plt.show()

# %%
# The relaxed lasso
# -----------------
# ``relax=True`` also scores, on every fold, ``gamma * w + (1 - gamma) * w_S``
# for ``gamma`` in glmnet's grid (0, 0.25, 0.5, 0.75, 1), ``w_S`` being the
# least-squares fit on the support of the lasso solution ``w``. ``gamma = 1``
# is the lasso; smaller gammas undo part of its shrinkage.
relaxed = lk.LassoCV(standardize=True, cv=cv, relax=True).fit(X, y)
print(f"relaxed: alpha_ = {relaxed.alpha_:.4g}, gamma_ = {relaxed.gamma_:g} "
      f"({np.count_nonzero(relaxed.coef_)} features); 1-SE pair: "
      f"alpha = {relaxed.alpha_1se_:.4g}, gamma = {relaxed.gamma_1se_:g}")

fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
for g, errors in zip(relaxed.gammas_, relaxed.mse_relax_path_):
    ax.plot(relaxed.alphas_, errors.mean(axis=1), label=f"gamma = {g:g}")
ax.axvline(relaxed.alpha_, linestyle="--", color="k", label="alpha_")
ax.set_xscale("log")
ax.invert_xaxis()  # alpha decreasing, as plot_cv draws it
ax.set_xlabel("alpha")
ax.set_title("Relaxed LassoCV: mean test MSE per gamma")
ax.set_ylabel("mean squared error (10 folds)")
ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1.0))
plt.show()

# %%
# The relaxed path on all data at the chosen gamma, and at any other:
# ``relax`` shares the refits between gammas.
path = relaxed.path_  # relaxed at gamma_
refit, lasso = path.relax([0.0, 1.0])
i = np.argmin(np.abs(path.alphas - relaxed.alpha_))
print("at alpha_:   lasso", np.round(lasso.coefs[:, i], 2))
print("             refit", np.round(refit.coefs[:, i], 2))
