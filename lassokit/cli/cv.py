"""``lassokit fit --cv K``: alpha (and l1_ratio) chosen by K-fold cross-validation.

The squared loss goes through ``LassoCV``/``ElasticNetCV``, the logistic
loss through ``LogisticRegressionCV`` on a grid of lassokit's strengths;
each returns the chosen alpha in the command line's scale and a summary
line. The refit is ``fit``'s own solve at that alpha.
"""

from __future__ import annotations

import time

import numpy as np

from .common import CLIError
from .progress import Progress
from .spec import l1_ratio_option
from .text import fmt, plural
from .timing import compile_seconds, took

__all__ = ["cross_validate"]


def _cv_ratios(args):
    """The ``--l1-ratio`` values ``--cv`` chooses from (each > 0)."""
    ratios = l1_ratio_option(args, many=True) if args.model == "enet" else [1.0]
    if min(ratios) == 0:
        # The grid starts at alpha_max, where the L1 term first zeroes every
        # coefficient: without an L1 term there is none (ElasticNetCV's own
        # message would suggest its alphas=, which fit does not offer).
        raise CLIError(
            "--cv needs every --l1-ratio > 0: the alpha grid starts where the L1 term "
            "zeroes every coefficient, and l1_ratio=0 has no L1 term; give --l1-ratio "
            "values > 0 (e.g. 0.01), or --model ridge --alpha A for a pure L2 fit"
        )
    return ratios


def cross_validate(args, X, y, show):
    """Choose (alpha, l1_ratio) with lassokit's CV estimators; return them and a summary."""
    import lassokit as lk

    if args.model == "ridge":
        raise CLIError("--cv supports --model lasso and enet; give --alpha for ridge")
    if args.loss == "logistic":
        return _cross_validate_logistic(args, X, y, show)
    if args.loss != "squared":
        raise CLIError(f"--cv chooses alpha for the squared and logistic losses; with --loss "
                       f"{args.loss} give --alpha ('lassokit path' shows the whole path)")
    kw = dict(cv=args.cv, fit_intercept=not args.no_intercept, positive=args.positive,
              backend=args.backend)
    if args.model == "lasso":
        est = lk.LassoCV(**kw)
    else:
        ratios = _cv_ratios(args)
        est = lk.ElasticNetCV(l1_ratio=ratios if len(ratios) > 1 else ratios[0], **kw)
    start, compiled = time.perf_counter(), compile_seconds()
    with Progress(f"{args.cv}-fold cross-validation", enabled=show):
        est.fit(X, y)
    spent = took(time.perf_counter() - start, compile_seconds() - compiled)
    alpha = float(est.alpha_)
    l1_ratio = float(est.l1_ratio_) if args.model == "enet" else None
    mse = np.asarray(getattr(est, "mse_path_", np.nan), dtype=float)
    best = float(np.nanmin(mse.mean(axis=-1))) if mse.ndim >= 2 else float("nan")
    n_alphas = np.asarray(est.alphas_).shape[-1]
    summary = f"cross-validation: {args.cv} folds, {plural(n_alphas, 'alpha')}"
    if args.model == "enet" and np.ndim(est.l1_ratio) > 0:
        summary += f" x {plural(len(est.l1_ratio), 'l1_ratio')}"
    summary += f", {spent}; chose alpha={fmt(alpha)}"
    if l1_ratio is not None:
        summary += f", l1_ratio={fmt(l1_ratio)}"
    if np.isfinite(best):
        summary += f" (mean squared error {best:.6g})"
    return alpha, l1_ratio, summary


#: ``fit --cv --loss logistic``: the size and depth of the grid of strengths.
LOGISTIC_CV_ALPHAS, LOGISTIC_CV_EPS = 50, 1e-3


def _cross_validate_logistic(args, X, y, show):
    """Choose (alpha, l1_ratio) of a logistic fit with ``lk.LogisticRegressionCV``.

    The grid is lassokit's: ``LOGISTIC_CV_ALPHAS`` strengths geometric
    from ``alpha_max`` (of the smallest ``l1_ratio``) down to
    ``LOGISTIC_CV_EPS`` times that of the largest, handed over as
    ``Cs = 1 / (alpha n_samples)``; the choice is by cross-validated log
    loss (``scoring="neg_log_loss"``).
    """
    import lassokit as lk

    estimator = getattr(lk, "LogisticRegressionCV", None)
    if estimator is None:  # pragma: no cover - every release with the logistic loss has it
        raise CLIError("this lassokit has no LogisticRegressionCV yet; give --alpha")
    if args.positive:
        raise CLIError("--cv with --loss logistic cannot hold --positive (LogisticRegressionCV "
                       "has no such constraint); give --alpha")
    ratios = _cv_ratios(args)
    n = X.shape[0]
    # The L1 term alone decides alpha_max: the L2 term has zero slope at coef = 0.
    top = lk.Problem(X, y, lk.L1(1.0), loss="logistic",
                     fit_intercept=not args.no_intercept).alpha_max()
    if not top > 0:
        raise CLIError("--cv has no grid: alpha_max is 0 (the intercept alone fits the "
                       "target), so every alpha gives coef = 0")
    alphas = np.geomspace(top / min(ratios), LOGISTIC_CV_EPS * top / max(ratios),
                          LOGISTIC_CV_ALPHAS)
    est = estimator(Cs=list(1.0 / (alphas * n)), l1_ratios=tuple(ratios), cv=args.cv,
                    scoring="neg_log_loss", fit_intercept=not args.no_intercept,
                    use_legacy_attributes=False, backend=args.backend)
    start, compiled = time.perf_counter(), compile_seconds()
    with Progress(f"{args.cv}-fold cross-validation", enabled=show):
        est.fit(X, y)
    spent = took(time.perf_counter() - start, compile_seconds() - compiled)
    C = float(np.ravel(est.C_)[0])
    l1_ratio = float(np.ravel(est.l1_ratio_)[0]) if args.model == "enet" else None
    alpha = 1.0 / (C * n)
    summary = f"cross-validation: {args.cv} folds, {plural(alphas.size, 'alpha')}"
    if len(ratios) > 1:
        summary += f" x {plural(len(ratios), 'l1_ratio')}"
    summary += (f", {spent}; chose alpha={fmt(alpha)} (C={fmt(C)} of scikit-learn's "
                "LogisticRegression)")
    if l1_ratio is not None:
        summary += f", l1_ratio={fmt(l1_ratio)}"
    return alpha, l1_ratio, summary + " by cross-validated log loss"
