"""
A first Lasso
=============

The classic introductory example of the Lasso, written exactly as it usually
is with scikit-learn -- only the import changes: ``from lassokit import
Lasso``. Five random features, of which only the first two matter
(``y = 3 x0 + 2 x1 + noise``). The Lasso finds them, and its coefficients
shrink -- the useless ones exactly to zero -- as ``alpha`` grows. At the end, a
short table contrasts the Lasso with Ridge and the Elastic Net on the same
data.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn import linear_model
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split

import lassokit as lk
from lassokit import Lasso

# %%
# The data
# --------
# 100 samples of five uniform features; the target depends on the first two.
np.random.seed(42)
X = np.random.rand(100, 5)
noise = np.random.randn(100)
y = 3 * X[:, 0] + 2 * X[:, 1] + noise * 0.2

X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)

# %%
# Fit and evaluate, side by side with scikit-learn
# ------------------------------------------------
# ``lassokit.Lasso`` takes scikit-learn's parameters with their meaning and
# minimizes the same objective, ``1/(2n) ||y - X w - b||^2 + alpha ||w||_1``,
# so both give the same model to the digits shown. lassokit adds a certified
# duality gap: a proof of how far its objective is from the optimum.
lasso = Lasso(alpha=0.1)
lasso.fit(X_train, y_train)
y_pred = lasso.predict(X_test)
mse = mean_squared_error(y_test, y_pred)

sk_lasso = linear_model.Lasso(alpha=0.1)
sk_lasso.fit(X_train, y_train)
sk_mse = mean_squared_error(y_test, sk_lasso.predict(X_test))

print(f"{'':12s}{'lassokit':>12s}{'scikit-learn':>14s}")
for j in range(X.shape[1]):
    # "+ 0.0" prints scikit-learn's negative zeros as 0.
    print(f"{f'coef x{j}':12s}{lasso.coef_[j] + 0.0:12.4f}{sk_lasso.coef_[j] + 0.0:14.4f}")
print(f"{'intercept':12s}{lasso.intercept_:12.4f}{sk_lasso.intercept_:14.4f}")
print(f"{'test MSE':12s}{mse:12.4f}{sk_mse:14.4f}")
print(f"\nlassokit's certified duality gap: {lasso.dual_gap_:.1e} "
      f"(converged: {lasso.solution_.converged})")

# %%
# Coefficient shrinkage
# ---------------------
# The same model for 50 values of ``alpha`` between 0.001 and 10. With a
# small ``alpha`` the coefficients are close to least squares (about 2.9 and
# 2.0 for the useful features, near 0 for the others); as ``alpha`` grows,
# the useless features are set exactly to zero first, and above
# ``alpha_max`` every coefficient is zero.
alphas = np.logspace(-3, 1, 50)
coefs = []
for a in alphas:
    model = Lasso(alpha=a)
    model.fit(X_train, y_train)
    coefs.append(model.coef_)

fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
ax.plot(alphas, coefs)
ax.set_xscale("log")
ax.set_xlabel("Alpha")
ax.set_ylabel("Coefficients")
ax.set_title("Lasso coefficients shrinkage")
ax.legend([f"x{j}" for j in range(X.shape[1])], title="feature")
plt.show()

# %%
# ``lk.lasso_path`` computes the same 50 fits in one call, each warm-started
# from the previous one (its grid runs from the largest ``alpha`` down, and
# every fit is solved to a relative duality gap of ``1e-6``).
path = lk.lasso_path(X_train, y_train, alphas=alphas)
loop = np.array(coefs).T[:, ::-1]  # same order as path.alphas (decreasing)
print(f"largest difference between the loop and the path: {np.abs(path.coefs - loop).max():.1e}")
alpha_max = lk.lasso(X_train, y_train, 1.0).alpha_max()
print(f"every coefficient is zero from alpha_max = {alpha_max:.3f} on")

# %%
# Lasso, Ridge and Elastic Net on this data
# -----------------------------------------
# The three penalties, fitted on the same training data with scikit-learn's
# parameter conventions (``lk.Ridge(alpha)`` is scikit-learn's
# ``Ridge(alpha)``). The coefficients, the zero count and the test error are
# computed here; the other columns summarize what each penalty is for.
models = {
    "Lasso": (lk.Lasso(alpha=0.1), "L1: alpha*sum|w|",
              "few relevant features; a sparse, readable model"),
    "Ridge": (lk.Ridge(alpha=1.0), "L2: alpha*sum w^2",
              "many small effects; correlated features"),
    "Elastic Net": (lk.ElasticNet(alpha=0.1, l1_ratio=0.5), "L1 + L2",
                    "groups of correlated relevant features; p > n"),
}
rows = [("model", "regularization", "selects features", "coefficients x0..x4", "test MSE",
         "best used for")]
for name, (model, penalty, use) in models.items():
    model.fit(X_train, y_train)
    n_zero = int(np.sum(model.coef_ == 0))
    selects = f"yes ({n_zero} of 5 zero)" if n_zero else "no (none zero)"
    coef_text = " ".join(f"{c + 0.0:5.2f}" for c in model.coef_)
    test_mse = mean_squared_error(y_test, model.predict(X_test))
    rows.append((name, penalty, selects, coef_text, f"{test_mse:.4f}", use))
widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
for i, row in enumerate(rows):
    print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    if i == 0:
        print("  ".join("-" * w for w in widths))

# %%
# On this data the two useful features are independent and strong, so Ridge,
# which keeps every feature, fits best; the Lasso and the Elastic Net pay for
# their sparsity with shrunken coefficients at this ``alpha`` (a smaller
# ``alpha``, e.g. chosen by :class:`lassokit.LassoCV`, closes the gap) but
# drop the three useless features exactly.
