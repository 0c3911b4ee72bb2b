"""The problem the options state: ``--model``, ``--loss``, ``--alpha`` and ``--l1-ratio``.

With the squared loss a command-line alpha means what it means for the
scikit-learn estimator of the same name (see :func:`ridge_scale`); the
first output line of ``fit``, ``path`` and ``verify`` restates the problem.
"""

from __future__ import annotations

from .common import CLIError
from .loss import loss_from_args, loss_words
from .text import fmt, plural

__all__ = ["MODEL_NAMES", "build_problem", "describe", "l1_ratio_option", "ridge_scale"]

#: ``--model`` in the output's words.
MODEL_NAMES = {"lasso": "Lasso", "enet": "Elastic Net", "ridge": "Ridge"}


def l1_ratio_option(args, *, many=False):
    """The ``--l1-ratio`` values, checked against ``--model``."""
    ratios = args.l1_ratio
    if args.model != "enet":
        if ratios is not None:
            raise CLIError(f"--l1-ratio applies to --model enet only, not {args.model}")
        return None
    if ratios is None:
        return [0.5] if many else 0.5
    if many:
        return ratios
    if len(ratios) != 1:
        raise CLIError("--l1-ratio takes one value here (a list only with 'fit --cv')")
    return ratios[0]


def ridge_scale(args, n_samples):
    """Divisor from a command-line alpha to lassokit's strength: ``n_samples`` for ridge, else 1.

    With the squared loss every command-line alpha means what it means for
    the scikit-learn estimator of the same name. ``Lasso``/``ElasticNet``
    share lassokit's ``1/(2n)`` objective; ``Ridge(alpha)`` minimizes
    ``||y - Xw - b||^2 + alpha ||w||^2``, which is lassokit's ``ridge``
    with ``a2 = alpha / n_samples``. With another loss (whose scikit-learn
    models have no such scale) alpha is lassokit's strength: the divisor is 1.
    """
    ridge = args.model == "ridge" and getattr(args, "loss", "squared") == "squared"
    return float(n_samples) if ridge else 1.0


def build_problem(args, X, y, alpha, l1_ratio=None):
    """The lassokit Problem that ``--model``/``--loss``/``alpha`` describe (alpha in the CLI's scale).

    A target the loss cannot take (three labels for the logistic loss,
    negative counts for the Poisson loss) is the loss's own ``ValueError``,
    which the command line prints as its one-line error.
    """
    import lassokit as lk

    loss = loss_from_args(args)
    kw = dict(fit_intercept=not args.no_intercept, positive=args.positive)
    if args.model == "lasso":
        pen = lk.L1(alpha)
    elif args.model == "enet":
        pen = lk.L1(alpha * l1_ratio) + lk.L2(alpha * (1.0 - l1_ratio))
    else:
        pen = lk.L2(alpha / ridge_scale(args, X.shape[0]))
    return lk.Problem(X, y, pen, loss=loss, **kw)


def describe(args, n, p, alpha, l1_ratio, grid=None):
    """The first output line: model, loss, strength(s), data; ``grid``: a path's alphas."""
    if grid is None:
        strength = f"alpha={fmt(alpha)}"
    else:
        strength = f"{plural(len(grid), 'alpha')} from {fmt(grid[0])} to {fmt(grid[-1])}"
    if args.model == "ridge" and ridge_scale(args, n) != 1.0:
        a2 = f" = {fmt(alpha / n)}" if grid is None else ""
        strength += (f" (scikit-learn's Ridge scale: lassokit's L2 strength a2 = alpha / "
                     f"n_samples{a2})")
    parts = [MODEL_NAMES[args.model], loss_words(loss_from_args(args)), strength]
    if l1_ratio is not None:
        parts.append(f"l1_ratio={fmt(l1_ratio)}")
    if args.positive:
        parts.append("positive")
    if args.no_intercept:
        parts.append("no intercept")
    return ", ".join(parts) + f"; {n} samples x {p} features from {args.data}"
