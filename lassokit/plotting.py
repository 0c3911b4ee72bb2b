"""Plots of regularization paths and cross-validation curves.

matplotlib is imported only when a plot is drawn, so it stays an optional
dependency of lassokit.
"""

from __future__ import annotations

import numpy as np

__all__ = ["plot_cv", "plot_path"]


#: Up to this many features every line of a path plot is in the legend.
LEGEND_MAX_FEATURES = 15


def _axes(ax):
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("plotting needs matplotlib: pip install matplotlib") from exc
    if not plt.get_fignums():
        # A figure lassokit creates gets constrained layout, so that the
        # legend and labels are never clipped when it is saved.
        plt.figure(layout="constrained")
    return plt.gca()


def _log_alpha_axis(ax, alphas):
    ax.set_xscale("log")
    lo, hi = float(np.min(alphas)), float(np.max(alphas))
    if hi > lo > 0:
        ax.set_xlim(hi, lo)  # strong penalties left, as in glmnet and scikit-learn
    ax.set_xlabel("alpha")


def plot_path(path, ax=None, *, xaxis="alpha", n_labels=10):
    """Coefficients of a :class:`~lassokit.Path`, one labelled line per feature.

    Against ``alpha`` (log axis, decreasing from left to right, as in
    scikit-learn's and glmnet's path plots) or against the L1 norm of the
    coefficients (linear axis). Lines are labelled by ``path.feature_names``
    (``x0``, ``x1``, ... without names): all of them in the legend for up to
    15 features; beyond that only the first ``n_labels`` features to become
    non-zero as ``alpha`` decreases (:meth:`~lassokit.Path.entry_order`) are
    coloured and in the legend, the others are thin grey lines.

    Parameters
    ----------
    path : Path
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default the current Axes (a new figure with
        constrained layout when none is open).
    xaxis : {"alpha", "l1_norm"}, default="alpha"
    n_labels : int, default=10
        Labelled features when there are more than 15.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if xaxis not in ("alpha", "l1_norm"):
        raise ValueError(f'xaxis must be "alpha" or "l1_norm", got {xaxis!r}.')
    if isinstance(n_labels, bool) or not isinstance(n_labels, (int, np.integer)) or n_labels < 0:
        raise ValueError(f"n_labels must be an integer >= 0, got {n_labels!r}.")
    coefs = np.asarray(path.coefs, dtype=np.float64)
    p = coefs.shape[0]
    names = path.feature_names
    names = [f"x{j}" for j in range(p)] if names is None else [str(n) for n in names]
    if len(names) != p:
        raise ValueError(f"path.feature_names has {len(names)} names for {p} features.")
    x = path.alphas if xaxis == "alpha" else path.l1_norms()
    ax = _axes(ax)
    if p <= LEGEND_MAX_FEATURES:
        labelled, title = list(range(p)), None
    else:
        labelled = [int(j) for j in path.entry_order()[:n_labels]]
        title = f"first {len(labelled)} of {p} to enter"
    rank = {j: i for i, j in enumerate(labelled)}
    lines = []
    # Drawn in feature order (ax.get_lines()[j] is feature j), styled by rank.
    for j in range(p):
        if j in rank:
            (line,) = ax.plot(x, coefs[j], color=f"C{rank[j] % 10}", label=names[j], zorder=2)
        else:
            # "_" labels keep the unlabelled lines out of any legend.
            (line,) = ax.plot(x, coefs[j], color="0.75", linewidth=0.6,
                              label=f"_{names[j]}", zorder=1)
        lines.append(line)
    if xaxis == "alpha":
        _log_alpha_axis(ax, path.alphas)
    else:
        ax.set_xlabel("L1 norm of the coefficients")
    ax.set_ylabel("coefficients")
    ax.set_title(f"Regularization path (l1_ratio={path.l1_ratio:g})")
    if labelled:
        ax.legend(handles=[lines[j] for j in labelled], title=title, fontsize="small",
                  ncol=1 if len(labelled) <= 8 else 2)
    return ax


def plot_cv(estimator, ax=None):
    """The cross-validation curve of a fitted CV estimator, with its one-standard-error band.

    For :class:`~lassokit.LassoCV` and :class:`~lassokit.ElasticNetCV`: the
    mean squared error against alpha (below). For
    :class:`~lassokit.LogisticRegressionCV`: the mean score over folds
    against ``C`` (log axis, strong penalties left), with a band of plus and
    minus one standard error of the fold scores, a dashed line at ``C_``
    and a dotted one at ``C_1se_`` (the smallest ``C`` within one standard
    error of the best score); with several ``l1_ratios`` the band belongs
    to the best one and the others are drawn thinly. scikit-learn's
    ``LogisticRegressionCV`` works too (either attribute layout; its
    ``C_1se_`` is computed here as lassokit's estimator defines it).

    For the least-squares estimators, the figure shows the mean test MSE
    over folds with a band of plus and minus one
    standard error (``mse_se_path_``), a dashed vertical line at the chosen
    ``alpha_`` (the minimum) and a dotted one at ``alpha_1se_`` (the
    one-standard-error rule), as glmnet's ``plot.cv.glmnet`` does. For
    :class:`~lassokit.ElasticNetCV` the band and the lines belong to the
    chosen ``l1_ratio_``; the other ratios' mean curves are drawn thinly.
    The legend sits outside the Axes, to the right, so it never hides a
    curve.

    scikit-learn's own ``LassoCV`` and ``ElasticNetCV`` work too: they have
    no ``mse_se_path_`` or ``alpha_1se_``, so both are computed here from
    their ``mse_path_`` and ``alphas_`` as lassokit's estimators define them
    (``std(ddof=1) / sqrt(n_folds)`` over the folds; the largest alpha
    within one standard error of the minimum).

    Parameters
    ----------
    estimator : LassoCV, ElasticNetCV or LogisticRegressionCV
        A fitted estimator, lassokit's or scikit-learn's (``mse_path_``,
        ``alphas_``, ``alpha_``; ``mse_se_path_`` and ``alpha_1se_`` when
        present; for logistic regression ``Cs_``, ``scores_``, ``C_`` and
        ``C_1se_`` when present).
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default the current Axes (a new figure with
        constrained layout when none is open).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        When ``estimator`` is not a fitted cross-validation estimator.
    """
    if hasattr(estimator, "Cs"):
        return _plot_cv_logistic(estimator, ax)
    missing = [a for a in ("mse_path_", "alphas_", "alpha_") if not hasattr(estimator, a)]
    if missing:
        fitted = hasattr(estimator, "fit") and hasattr(estimator, "cv")
        hint = ("call fit first" if fitted else
                "pass a fitted LassoCV or ElasticNetCV (lassokit's or scikit-learn's), or a "
                "fitted LogisticRegressionCV")
        raise ValueError(f"plot_cv needs a fitted cross-validation estimator (estimator has no "
                         f"{', '.join(missing)}); {hint}.")
    mse = np.asarray(estimator.mse_path_, dtype=np.float64)
    alphas = np.asarray(estimator.alphas_, dtype=np.float64)
    ratios = np.atleast_1d(getattr(estimator, "l1_ratio", 1.0)).astype(np.float64)
    n_l1, n_alphas = ratios.size, alphas.shape[-1]
    # Undo the squeeze scikit-learn applies to mse_path_ for one l1_ratio.
    folds = mse.reshape(n_l1, n_alphas, -1)
    mean = folds.mean(axis=2)
    alphas = np.broadcast_to(alphas.reshape(-1, n_alphas), (n_l1, n_alphas))
    chosen = getattr(estimator, "l1_ratio_", ratios[0])
    best = 0 if n_l1 == 1 else int(np.argmin(np.abs(ratios - chosen)))
    se, alpha_1se = _one_standard_error(estimator, folds, alphas[best], mean[best], best)
    ax = _axes(ax)
    for j in range(n_l1):
        if j != best:
            ax.plot(alphas[j], mean[j], linewidth=0.8, alpha=0.6,
                    label=f"l1_ratio={ratios[j]:g}")
    label = "mean over folds" if n_l1 == 1 else f"l1_ratio={ratios[best]:g} (chosen)"
    (line,) = ax.plot(alphas[best], mean[best], linewidth=2, label=label, zorder=3)
    ax.fill_between(alphas[best], mean[best] - se[best], mean[best] + se[best],
                    color=line.get_color(), alpha=0.2, linewidth=0,
                    label="± 1 standard error")
    ax.axvline(estimator.alpha_, linestyle="--", color="k",
               label=f"alpha_ = {estimator.alpha_:.4g} (min)")
    ax.axvline(alpha_1se, linestyle=":", color="k",
               label=f"alpha_1se_ = {alpha_1se:.4g} (1 s.e.)")
    _log_alpha_axis(ax, alphas)
    ax.set_ylabel("mean squared error")
    ax.set_title(f"{type(estimator).__name__}: cross-validated MSE")
    # Outside, right of the Axes: inside, any corner can hide a curve or the
    # alpha_ line (constrained layout makes room for it).
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1.0),
              borderaxespad=0.0)
    return ax



def _one_standard_error(estimator, folds, grid, mean, best):
    """``(mse_se_path_, alpha_1se_)``: the estimator's, or computed as lassokit's CV does.

    scikit-learn's ``LassoCV``/``ElasticNetCV`` have neither; they are
    computed from ``mse_path_`` (``folds``: n_l1_ratio x n_alphas x n_folds)
    by the same functions that define them for lassokit's estimators.
    """
    se = getattr(estimator, "mse_se_path_", None)
    alpha_1se = getattr(estimator, "alpha_1se_", None)
    if se is not None and alpha_1se is not None:
        return np.asarray(se, dtype=np.float64).reshape(folds.shape[:2]), float(alpha_1se)
    # Only here: lassokit.estimators imports scikit-learn, which a
    # scikit-learn estimator has loaded already.
    from .estimators._cv_select import _one_standard_error_alpha, _standard_errors

    se = _standard_errors(np.moveaxis(folds, 2, 1))
    return se, _one_standard_error_alpha(grid, mean, se[best])


def _score_name(estimator):
    scoring = getattr(estimator, "scoring", None)
    if scoring is None or scoring == "warn":
        return "accuracy"
    return scoring if isinstance(scoring, str) else "score"


def _plot_cv_logistic(estimator, ax):
    """:func:`plot_cv` for ``LogisticRegressionCV`` (lassokit's or scikit-learn's)."""
    missing = [a for a in ("Cs_", "scores_", "C_") if not hasattr(estimator, a)]
    if missing:
        raise ValueError(f"plot_cv needs a fitted cross-validation estimator (estimator has no "
                         f"{', '.join(missing)}); call fit first.")
    # Only here: lassokit.estimators imports scikit-learn, which a fitted
    # LogisticRegressionCV has loaded already.
    from .estimators._cv_select import one_standard_error_C
    from .estimators._cv_select import standard_error as _standard_error
    from .estimators._logistic_layout import cv_scores

    Cs, scores, ratios = cv_scores(estimator)  # scores: (n_l1, n_cs, n_folds)
    mean = scores.mean(axis=2)
    # The row scikit-learn's refit picks: best summed score, C first on ties.
    best = int(np.unravel_index(int(np.argmax(mean.T)), mean.T.shape)[1])
    se = _standard_error(scores)
    C_1se = getattr(estimator, "C_1se_", None)
    if C_1se is None:
        C_1se = one_standard_error_C(Cs, mean[best], se[best])
    C_best = float(np.ravel(estimator.C_)[0])
    order = np.argsort(Cs, kind="stable")
    order = order[np.isfinite(Cs[order])]  # C = inf has no place on a log axis
    x = Cs[order]
    ax = _axes(ax)
    for j in range(len(ratios)):
        if j != best:
            ax.plot(x, mean[j, order], linewidth=0.8, alpha=0.6,
                    label=f"l1_ratio={ratios[j]:g}" if ratios[j] is not None else None)
    label = "mean over folds"
    if len(ratios) > 1:
        label = f"l1_ratio={ratios[best]:g} (best)"
    (line,) = ax.plot(x, mean[best, order], linewidth=2, label=label, zorder=3)
    lo, hi = mean[best, order] - se[best, order], mean[best, order] + se[best, order]
    ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.2, linewidth=0,
                    label="± 1 standard error")
    ax.axvline(C_best, linestyle="--", color="k", label=f"C_ = {C_best:.4g} (best)")
    ax.axvline(C_1se, linestyle=":", color="k", label=f"C_1se_ = {C_1se:.4g} (1 s.e.)")
    ax.set_xscale("log")
    ax.set_xlabel("C (inverse penalty strength)")
    name = _score_name(estimator)
    ax.set_ylabel(f"mean {name}")
    ax.set_title(f"{type(estimator).__name__}: cross-validated {name}")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1.0),
              borderaxespad=0.0)
    return ax
