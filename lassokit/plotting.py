"""Plots of regularization paths and cross-validation curves.

matplotlib is imported only when a plot is drawn, so it stays an optional
dependency of lassokit.
"""

from __future__ import annotations

import numpy as np

__all__ = ["plot_cv", "plot_path"]


def _axes(ax):
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("plotting needs matplotlib: pip install matplotlib") from exc
    return plt.gca()


def plot_path(path, ax=None):
    """Coefficients of a :class:`~lassokit.Path` against alpha (log axis).

    One line per feature; alpha decreases from left to right, as in
    scikit-learn's and glmnet's path plots.

    Parameters
    ----------
    path : Path
    ax : matplotlib.axes.Axes, optional
        Where to draw; the current Axes by default.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    ax.plot(path.alphas, np.asarray(path.coefs, dtype=np.float64).T)
    ax.set_xscale("log")
    lo, hi = float(np.min(path.alphas)), float(np.max(path.alphas))
    if hi > lo > 0:
        ax.set_xlim(hi, lo)
    ax.set_xlabel("alpha")
    ax.set_ylabel("coefficients")
    ax.set_title(f"Regularization path (l1_ratio={path.l1_ratio:g})")
    return ax


def plot_cv(estimator, ax=None):
    """Cross-validated mean squared error against alpha for a fitted CV estimator.

    Draws each fold's curve thinly, the mean over folds boldly (one mean
    curve per ``l1_ratio`` for :class:`~lassokit.ElasticNetCV`), and a
    vertical line at the chosen ``alpha_``.

    Parameters
    ----------
    estimator : LassoCV or ElasticNetCV
        A fitted estimator (``mse_path_``, ``alphas_``, ``alpha_``).
    ax : matplotlib.axes.Axes, optional
        Where to draw; the current Axes by default.

    Returns
    -------
    matplotlib.axes.Axes
    """
    for attr in ("mse_path_", "alphas_", "alpha_"):
        if not hasattr(estimator, attr):
            raise ValueError(
                f"plot_cv needs a fitted LassoCV/ElasticNetCV (missing {attr}); call fit first."
            )
    ax = _axes(ax)
    mse = np.asarray(estimator.mse_path_, dtype=np.float64)
    alphas = np.asarray(estimator.alphas_, dtype=np.float64)
    ratios = np.atleast_1d(getattr(estimator, "l1_ratio", 1.0))
    n_l1, n_alphas = ratios.size, alphas.shape[-1]
    # Undo the squeeze scikit-learn applies to mse_path_.
    mse = mse.reshape(n_l1, n_alphas, mse.size // (n_l1 * n_alphas))
    alphas = np.broadcast_to(alphas.reshape(-1, n_alphas), (n_l1, n_alphas))
    for j in range(n_l1):
        label = "mean over folds" if n_l1 == 1 else f"l1_ratio={float(ratios[j]):g}"
        if n_l1 == 1:
            ax.plot(alphas[j], mse[j], ":", linewidth=0.8)
        ax.plot(alphas[j], mse[j].mean(axis=1), linewidth=2, label=label)
    ax.axvline(estimator.alpha_, linestyle="--", color="k",
               label=f"alpha_ = {estimator.alpha_:.4g}")
    ax.set_xscale("log")
    lo, hi = float(np.min(alphas)), float(np.max(alphas))
    if hi > lo > 0:
        ax.set_xlim(hi, lo)
    ax.set_xlabel("alpha")
    ax.set_ylabel("mean squared error")
    ax.set_title(f"{type(estimator).__name__}: cross-validated MSE")
    ax.legend()
    return ax
