"""
A first Lasso
=============

The classic introductory example: five random features, of which only the
first two matter (``y = 3 x0 + 2 x1 + noise``). The Lasso finds them, and its
coefficient path shows how the L1 penalty shrinks every coefficient and sets
the useless ones exactly to zero as ``alpha`` grows.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split

import lassokit as lk

rng = np.random.default_rng(0)
X = rng.random((100, 5))
y = 3 * X[:, 0] + 2 * X[:, 1] + 0.1 * rng.standard_normal(100)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)

# %%
# Fit and evaluate
# ----------------
# ``lk.Lasso`` is a drop-in replacement for scikit-learn's ``Lasso`` (same
# parameters, same answer); its solve comes with a certified duality gap.
model = lk.Lasso(alpha=0.01).fit(X_train, y_train)
print("coefficients:", np.round(model.coef_, 3))
print(f"intercept:    {model.intercept_:.3f}")
print(f"test MSE:     {mean_squared_error(y_test, model.predict(X_test)):.4f}")
print(f"duality gap:  {model.dual_gap_:.2e} (the objective is at most this far from optimal)")

# %%
# Coefficient shrinkage
# ---------------------
# The same model for 50 values of ``alpha``. ``lk.path`` solves them in one
# go, each warm-started from the previous one; only the L1 share of the
# problem's penalty matters, so the problem is built with ``alpha=1``.
alphas = np.logspace(-3, 1, 50)
path = lk.path(lk.lasso(X_train, y_train, 1.0), alphas=alphas)

fig, ax = plt.subplots(figsize=(7, 4))
path.plot(ax=ax)
ax.legend([f"x{j}" for j in range(X.shape[1])], title="feature")
ax.set_title("Lasso coefficients (alpha decreases to the right)")
plt.show()
