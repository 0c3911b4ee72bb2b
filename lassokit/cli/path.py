"""``lassokit path``: the regularization path, its table, its CSV and its plot."""

from __future__ import annotations

import io

import numpy as np

from .common import EXIT_OK, CLIError
from .data import load_xy
from .loss import loss_words
from .output import check_writable, write_csv
from .progress import Progress, progress_enabled
from .spec import MODEL_NAMES, build_problem, describe, l1_ratio_option, ridge_scale
from .text import fmt, table

__all__ = ["run_path", "save_plot"]


def run_path(args):
    """``lassokit path`` with the parsed options ``args``; returns the exit status."""
    import lassokit as lk

    if not callable(getattr(lk, "path", None)):
        raise CLIError("this lassokit has no lk.path yet")
    check_writable(args.output, "--output")
    check_writable(args.plot, "--plot")
    X, y, features = load_xy(args)
    l1_ratio = l1_ratio_option(args)
    if args.model == "ridge" and args.alphas is None:
        raise CLIError("a ridge path needs --alphas: an L2 penalty has no alpha_max")
    # Only the L1 share matters for a path: alpha itself is set per grid point.
    problem = build_problem(args, X, y, 1.0, l1_ratio)
    scale = ridge_scale(args, X.shape[0])  # the path's alphas are lassokit's strengths
    kw = dict(backend=args.backend, tol=args.tol)
    if args.max_iter is not None:
        kw["max_iter"] = args.max_iter
    if args.alphas is not None:
        kw["alphas"] = [a / scale for a in sorted(args.alphas, reverse=True)]
    else:
        kw.update(n_alphas=args.n_alphas, eps=args.eps)
    total = len(args.alphas) if args.alphas is not None else args.n_alphas
    path = _path_with_progress(lk, problem, kw, total, progress_enabled(args.progress), scale)
    alphas = np.asarray(path.alphas) * scale
    coefs = np.asarray(path.coefs)
    gaps = np.asarray(path.dual_gaps)
    rel = np.asarray(path.rel_gaps)
    nnz = (coefs != 0).sum(axis=0)
    print(describe(args, X.shape[0], X.shape[1], None, l1_ratio, grid=alphas))
    shown = np.arange(alphas.size)
    if alphas.size > 20:
        shown = np.unique(np.linspace(0, alphas.size - 1, 15).round().astype(int))
    rows = [(str(i), fmt(alphas[i]), str(nnz[i]), f"{rel[i]:.2e}") for i in shown]
    print(table(rows, ("#", "alpha", "non-zero", "rel gap")))
    if shown.size < alphas.size:
        print(f"(showing {shown.size} of {alphas.size} alphas; --output writes them all)")
    worst = float(np.max(rel)) if rel.size else 0.0
    print(f"largest relative duality gap on the path: {worst:.3g} (tol {args.tol:g})")
    if args.output:
        header = ["alpha", "intercept", "dual_gap"] + features
        cols = [alphas, np.asarray(path.intercepts), gaps] + list(coefs)
        write_csv(args.output, header, cols)
        print(f"path written to {args.output}")
    if args.plot:
        # The plot's axis is the path's own strength: for ridge, a2 = alpha / n_samples.
        xlabel = "a2 = alpha / n_samples (lassokit's L2 strength)" if scale != 1.0 else None
        title = f"{MODEL_NAMES[args.model]} path, {loss_words(problem.loss)} ({args.data})"
        save_plot(path, args.plot, title=title, labels=features, xlabel=xlabel)
        print(f"plot written to {args.plot}")
    return EXIT_OK


def save_plot(path, filename, title=None, labels=None, xlabel=None):
    """Draw ``path.plot`` on a fresh figure and save it (no pyplot, no display).

    Parameters
    ----------
    path : Path
        A :class:`lassokit.Path`.
    filename : str
        The PNG to write.
    title, xlabel : str, optional
    labels : list of str, optional
        Feature names, shown in a legend when there are at most 12.
    """
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise CLIError("plotting needs matplotlib: pip install matplotlib") from None
    fig = Figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.add_subplot()
    path.plot(ax=ax)
    if title:
        ax.set_title(title)
    if xlabel:
        ax.set_xlabel(xlabel)
    if labels is not None and len(labels) <= 12:
        lines = ax.get_lines()[: len(labels)]
        if len(lines) == len(labels):
            for line, name in zip(lines, labels):
                line.set_label(name)
            ax.legend(fontsize="small", ncols=2)
    try:
        fig.savefig(filename, dpi=100)
    except (OSError, ValueError) as exc:
        raise CLIError(f"cannot write {filename}: {getattr(exc, 'strerror', None) or exc}") \
            from None


class _CountAlphas(io.TextIOBase):
    """Stands in for stdout while ``lk.path(verbose=True)`` prints one line per alpha.

    ``scale`` turns the path's strength back into the command line's alpha.
    """

    def __init__(self, bar, scale=1.0):
        self.bar = bar
        self.scale = scale
        self._pending = ""

    def writable(self):
        return True

    def write(self, text):
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            if line.startswith("alpha="):
                try:
                    note = f"alpha={fmt(float(line.split()[0][6:]) * self.scale)}"
                except ValueError:
                    note = ""
                self.bar.update(1, note)
        return len(text)


def _path_with_progress(lk, problem, kw, total, show, scale=1.0):
    """``lk.path(problem, **kw)``, with alphas done / total on stderr when ``show``."""
    if not show:
        return lk.path(problem, **kw)
    from contextlib import redirect_stdout

    # lk.path has no callback; its verbose mode prints a line per solved
    # alpha, which is exactly the count the bar needs.
    with Progress("path", total=total, enabled=True) as bar, \
            redirect_stdout(_CountAlphas(bar, scale)):
        return lk.path(problem, verbose=True, **kw)
