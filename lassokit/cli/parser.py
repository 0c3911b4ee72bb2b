"""The argument parser of the ``lassokit`` command: subcommands, options and help texts."""

from __future__ import annotations

import argparse
import textwrap

from .._version import __version__
from .args import (
    float_list,
    fold_count,
    name_list,
    nonneg_float,
    number,
    pos_float,
    pos_int,
    tol_float,
    unit_float,
)
from .common import EXIT_USAGE, HUBER_DELTA, LOSS_NAMES, VERIFY_RTOL

__all__ = ["build_parser"]


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are a single line pointing at ``--help``."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the hand-made line breaks of descriptions and epilogs."""

    def __init__(self, prog):
        super().__init__(prog, max_help_position=30)


_EPILOG = """\
objective (every command):
  P(w, b) = 1/n sum_i l(y_i, x_i.w + b) + a1 sum_j |w_j| + (a2/2) sum_j w_j^2,
  with the squared loss (the default) 1/(2n) sum_i (y_i - x_i.w - b)^2 + ...
  lasso: a1 = alpha; enet: a1 = alpha*l1_ratio, a2 = alpha*(1-l1_ratio);
  ridge: a2 = alpha/n_samples (squared loss), a2 = alpha (other losses)
  The loss l (--loss, default squared), with z = x.w + b:
    squared   (y - z)^2 / 2                  y real
    logistic  log(1 + exp(-y z))             y two classes coded 0/1 or -1/+1
    poisson   exp(z) - y z - (y - y log y)   y counts >= 0, not all 0
    huber     (y - z)^2 / 2 if |y - z| <= delta, else delta |y - z| - delta^2 / 2
  With the squared loss every --alpha is the alpha of the scikit-learn
  estimator of that name (Lasso, ElasticNet, Ridge). Ridge(alpha) minimizes
  ||y - Xw - b||^2 + alpha ||w||^2: the objective above with
  a2 = alpha/n_samples, i.e. lk.ridge(X, y, alpha/n_samples). With another
  loss --alpha is lassokit's strength itself (alpha = 1/(C n_samples) for
  scikit-learn's LogisticRegression(C); PoissonRegressor(alpha) is --loss
  poisson --model ridge --alpha alpha).
  'predict' returns the mean: z (squared, huber), the probability of class 1
  (logistic), exp(z) (poisson).

exit status: 0 success, 1 a check failed (verify) or an unexpected failure,
             2 bad usage or input, 130 interrupted.
Run 'lassokit COMMAND --help' for a command's options.
"""


def _progress_parent():
    p = _Parser(add_help=False)
    p.add_argument(
        "--progress", choices=("auto", "on", "off"), default="auto",
        help="progress display on stderr: 'auto' shows it on a terminal only (default: auto)",
    )
    return p


def _data_parent(*, model=True, alpha=True):
    p = _Parser(add_help=False)
    g = p.add_argument_group("data")
    g.add_argument("data", metavar="DATA", help="a .csv, .tsv or .parquet file with a header row")
    g.add_argument("--target", "-t", required=True, metavar="COL", help="the column to predict")
    g.add_argument(
        "--features", type=name_list, metavar="COLS",
        help="comma-separated feature columns (default: every column but the target)",
    )
    g.add_argument(
        "--exclude", type=name_list, action="extend", metavar="COLS",
        help="comma-separated columns to leave out of the features (e.g. an id column); "
        "may be repeated",
    )
    g.add_argument(
        "--dropna", action="store_true",
        help="drop rows with missing values in the columns used (default: refuse them)",
    )
    if model:
        m = p.add_argument_group("model")
        m.add_argument(
            "--model", "-m", choices=("lasso", "enet", "ridge"), default="lasso",
            help="penalty: lasso (L1), enet (L1 + L2) or ridge (L2) (default: lasso)",
        )
        if alpha:
            m.add_argument(
                "--alpha", "-a", type=nonneg_float, metavar="A",
                help="overall penalty strength alpha (see 'lassokit --help' for the objective)",
            )
        m.add_argument(
            "--l1-ratio", type=float_list(unit_float), metavar="R",
            help="enet only: L1 share of alpha, in [0, 1] (default: 0.5)",
        )
        m.add_argument(
            "--loss", choices=LOSS_NAMES, default="squared",
            help="the loss of the fit: squared (least squares), logistic (two classes coded "
            "0/1 or -1/+1), poisson (counts) or huber (default: squared)",
        )
        m.add_argument(
            "--delta", type=pos_float, metavar="D",
            help=f"huber only: the residual where the loss turns from quadratic to linear "
            f"(default: {HUBER_DELTA:g})",
        )
        m.add_argument("--no-intercept", action="store_true", help="fit no intercept")
        m.add_argument("--positive", action="store_true", help="constrain coefficients to be >= 0")
    return p


def build_parser():
    """The argument parser of the ``lassokit`` command.

    Returns
    -------
    argparse.ArgumentParser
    """
    parser = _Parser(
        prog="lassokit",
        description=textwrap.fill(
            "Certified Lasso, Elastic Net and Ridge -- for least squares, logistic, Poisson "
            "and Huber losses -- with pluggable backends: every answer carries a duality gap "
            "computed by lassokit itself.", 79),
        epilog=_EPILOG,
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"lassokit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    progress = _progress_parent()

    def add(name, help_, description, parents=(), epilog=None):
        return sub.add_parser(
            name, help=help_, description=textwrap.fill(description, 79), epilog=epilog,
            parents=list(parents),
            formatter_class=_Formatter,
        )

    # demo
    p = add(
        "demo", "fit the built-in diabetes data with every backend",
        "Fit Lasso, Elastic Net and Ridge on scikit-learn's diabetes data (442 x 10) with every "
        "available backend, print the verify() table against CVXPY and the coefficients, and "
        "write the Lasso coefficient path to a PNG.",
        [progress],
    )
    p.add_argument(
        "--plot", metavar="FILE.png", default="lassokit-demo-path.png",
        help="where to write the coefficient-path plot (default: %(default)s)",
    )
    p.add_argument("--tol", type=tol_float, default=1e-6,
                   help="target relative duality gap (default: %(default)g); the verify "
                   "tables solve to a tenth of it and allow a relative objective difference "
                   "of as much")

    # fit
    p = add(
        "fit", "fit a model to a data file",
        "Fit a Lasso, Elastic Net or Ridge model, with the squared, logistic, Poisson or "
        "Huber loss (--loss), to a data file and print its coefficients by "
        "feature name, the intercept and the certificate (objective, duality gap, status). "
        "Give --alpha, or --cv K to choose alpha by K-fold cross-validation "
        "(lasso and enet; squared and logistic loss).",
        [_data_parent(alpha=False), progress],
        epilog="examples:\n  lassokit fit data.csv --target y --model enet --alpha 0.1 "
        "--l1-ratio 0.7 --output model.json\n"
        "  lassokit fit data.csv --target label --loss logistic --alpha 0.01",
    )
    choose = p.add_argument_group("choosing alpha (one of)").add_mutually_exclusive_group(
        required=True
    )
    choose.add_argument("--alpha", "-a", type=nonneg_float, metavar="A",
                        help="penalty strength: scikit-learn's Lasso/ElasticNet/Ridge alpha for the "
                   "squared loss, lassokit's own for the others (see 'lassokit --help')")
    choose.add_argument(
        "--cv", type=fold_count, metavar="K",
        help="choose alpha by K-fold cross-validation (lasso, enet; with enet --l1-ratio may be "
        "a comma-separated list to choose from)",
    )
    _solver_args(p)
    p.add_argument(
        "--output", "-o", metavar="MODEL.json",
        help="write the fitted model as JSON (read by 'lassokit predict')",
    )

    # predict
    p = add(
        "predict", "predict with a saved model",
        "Predict with a model written by 'lassokit fit --output'. The data file needs the "
        "model's feature columns (by name; other columns are ignored). Predictions are the "
        "model's mean: x.w + b for the squared and Huber losses, the probability of class 1 "
        "for the logistic loss, exp(x.w + b) for the Poisson loss. They go to "
        "--output as CSV, or to stdout, one line per input row in the input's order.",
        [],
    )
    p.add_argument("model", metavar="MODEL.json", help="a model written by 'lassokit fit'")
    p.add_argument("data", metavar="DATA", help="a .csv, .tsv or .parquet file with a header row")
    p.add_argument("--output", "-o", metavar="FILE.csv", help="write predictions here (CSV)")
    p.add_argument(
        "--dropna", action="store_true",
        help="predict NaN for rows with missing values in the feature columns, keeping every "
        "row aligned with the input (default: refuse them)",
    )

    # path
    p = add(
        "path", "regularization path and its plot",
        "Compute the regularization path: the coefficients for a geometric grid of alphas from "
        "alpha_max (where every coefficient is zero) down to eps * alpha_max, warm-started "
        "from one alpha to the next. Prints a summary per alpha; optionally writes the "
        "coefficients as CSV and a plot as PNG.",
        [_data_parent(alpha=False), progress],
    )
    p.add_argument("--n-alphas", type=pos_int, default=100, metavar="K",
                   help="grid size (default: 100)")
    p.add_argument(
        "--eps", type=lambda t: number(t, low=0.0, low_open=True, high=1.0), default=1e-3,
        metavar="E",
        help="smallest alpha / alpha_max, in (0, 1] (default: %(default)g)",
    )
    p.add_argument(
        "--alphas", type=float_list(pos_float), metavar="A1,A2,...",
        help="explicit grid instead of --n-alphas/--eps (needed for ridge, in scikit-learn's "
        "Ridge scale)",
    )
    _solver_args(p, default_backend="auto")
    p.add_argument("--plot", metavar="FILE.png", help="write the coefficient-path plot here")
    p.add_argument("--output", "-o", metavar="FILE.csv", help="write alphas and coefficients (CSV)")

    # verify
    p = add(
        "verify", "compare every backend with a CVXPY reference",
        "Solve the problem with every capable backend (or those given) and with a tight CVXPY "
        "(Clarabel) reference, and print objective differences, coefficient differences, "
        "support agreement, duality gaps and times. Exit status 1 when some backend's "
        "objective is not within --rtol (relative) of the reference's.",
        [_data_parent(alpha=False), progress],
    )
    p.add_argument("--alpha", "-a", type=nonneg_float, required=True, metavar="A",
                   help="penalty strength: scikit-learn's Lasso/ElasticNet/Ridge alpha for the "
                   "squared loss, lassokit's own for the others (see 'lassokit --help')")
    p.add_argument("--backends", type=name_list, metavar="B1,B2",
                   help="backends to check (default: every capable one)")
    # Not --tol: everywhere else --tol is a target relative duality gap.
    p.add_argument("--rtol", type=tol_float, metavar="R",
                   help="relative objective difference to the reference allowed for a backend "
                   "to be ok; each solve targets a relative duality gap of R/10 "
                   f"(default: {VERIFY_RTOL:g})")
    p.add_argument("--tol", type=tol_float, dest="deprecated_tol", help=argparse.SUPPRESS)
    p.add_argument("--json", metavar="FILE",
                   help="also write the report as JSON; '-': the JSON alone on stdout, the "
                   "table on stderr")

    # bench
    p = add(
        "bench", "small benchmark against other Lasso solvers",
        "Time lassokit's backends and, when installed, scikit-learn, celer and skglm on a few "
        "synthetic problems. Every answer is re-scored with lassokit's own objective and "
        "duality gap; BLAS is pinned to one thread. Times are medians of --repeat runs after "
        "a warm-up run (reported separately: it includes JIT compilation).",
        [progress],
    )
    p.add_argument("--size", choices=("tiny", "small", "medium", "large"), default="small",
                   help="problem sizes (default: %(default)s, a few seconds)")
    p.add_argument("--repeat", type=pos_int, default=3, help="timed runs per solver (default: 3)")
    p.add_argument("--tol", type=tol_float, default=1e-6,
                   help="target relative duality gap (default: %(default)g)")
    p.add_argument("--solvers", type=name_list, metavar="S1,S2",
                   help="only these solvers (e.g. cd,admm,sklearn,celer,skglm)")
    p.add_argument("--problems", type=name_list, metavar="P1,P2",
                   help="only these problems (see the table's 'problem' column)")
    p.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    return parser


def _solver_args(p, default_backend="auto"):
    s = p.add_argument_group("solver")
    # Loaded here: listing the backends imports them, which --help alone does not need.
    from ..backends import available_backends

    s.add_argument("--backend", "-b", default=default_backend, metavar="B",
                   help="backend name, or 'auto' (default: %(default)s); available: "
                   + ", ".join(available_backends()))
    s.add_argument("--tol", type=tol_float, default=1e-6,
                   help="target relative duality gap (default: %(default)g)")
    s.add_argument("--max-iter", type=pos_int, metavar="N", help="iteration budget")
