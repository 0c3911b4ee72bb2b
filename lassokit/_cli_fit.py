"""``lassokit fit``, ``path`` and ``verify``: data file in, table out (``predict``: ``_cli_predict``)."""

from __future__ import annotations

import io
import sys
import time

import numpy as np

from ._cli_data import (
    check_writable,
    fmt,
    load_xy,
    plural,
    table,
    write_csv,
    write_model,
)
from ._cli_loss import loss_from_args, loss_record, loss_words
from ._cli_progress import Progress, progress_enabled
from .cli import EXIT_CHECK_FAILED, EXIT_OK, VERIFY_RTOL, CLIError

_MODEL_NAMES = {"lasso": "Lasso", "enet": "Elastic Net", "ridge": "Ridge"}


def _l1_ratios(args, *, many=False):
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


def _describe(args, n, p, alpha, l1_ratio, grid=None):
    """The first output line: model, loss, strength(s), data; ``grid``: a path's alphas."""
    if grid is None:
        strength = f"alpha={fmt(alpha)}"
    else:
        strength = f"{plural(len(grid), 'alpha')} from {fmt(grid[0])} to {fmt(grid[-1])}"
    if args.model == "ridge" and ridge_scale(args, n) != 1.0:
        a2 = f" = {fmt(alpha / n)}" if grid is None else ""
        strength += (f" (scikit-learn's Ridge scale: lassokit's L2 strength a2 = alpha / "
                     f"n_samples{a2})")
    parts = [_MODEL_NAMES[args.model], loss_words(loss_from_args(args)), strength]
    if l1_ratio is not None:
        parts.append(f"l1_ratio={fmt(l1_ratio)}")
    if args.positive:
        parts.append("positive")
    if args.no_intercept:
        parts.append("no intercept")
    return ", ".join(parts) + f"; {n} samples x {p} features from {args.data}"


def compile_seconds():
    """Seconds this process spent compiling numba kernels (0.0 if none were needed)."""
    # Only look: importing lassokit.kernels here would import numba for nothing.
    notice = sys.modules.get("lassokit.kernels._compile_notice")
    return notice.compile_seconds() if notice is not None else 0.0


def took(seconds, compiled):
    """``"0.012 s"``, or with the part of it that was numba compiling."""
    text = f"{seconds:.3g} s"
    if compiled > 0.0:
        text += (f" (of which {compiled:.3g} s compiling numba kernels, once per argument "
                 "type)")
    return text


def solve_took(sol, compiled=0.0):
    """``sol.solve_time``, then what it leaves out: loading or compiling numba kernels.

    ``compiled`` (seconds compiling during the call) stands in for a backend
    that does not report ``info["compile_time"]``.
    """
    load = sol.info.get("load_time") or 0.0
    comp = sol.info.get("compile_time", compiled) or 0.0
    extra = []
    if comp > 0.0:
        extra.append(f"{comp:.3g} s compiling numba kernels, once per argument type")
    if load >= 5e-4:
        extra.append(f"{load:.3g} s loading " + ("them" if extra else "numba kernels"))
    text = f"{sol.solve_time:.3g} s"
    return text + (f" (plus {', and '.join(extra)})" if extra else "")


def _certificate_line(sol, compiled=0.0):
    verdict = "<=" if sol.converged else ">"
    return (f"certificate: objective {sol.objective:.10g}, duality gap {sol.dual_gap:.3g} "
            f"(relative {sol.rel_gap:.3g} {verdict} tol {sol.tol:.3g}): {sol.status}; "
            f"backend {sol.backend}, {plural(sol.n_iter, 'iteration')}, "
            f"{solve_took(sol, compiled)}")


# -- fit ----------


def _cv_ratios(args):
    """The ``--l1-ratio`` values ``--cv`` chooses from (each > 0)."""
    ratios = _l1_ratios(args, many=True) if args.model == "enet" else [1.0]
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


def _cross_validate(args, X, y, show):
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


def run_fit(args):
    """``lassokit fit``."""
    check_writable(args.output, "--output")
    loss = loss_from_args(args)
    X, y, features = load_xy(args)
    loss.check_y(y)  # a target the loss cannot take: its ValueError, before any --cv
    show = progress_enabled(args.progress)
    cv_summary = None
    if args.cv is not None:
        alpha, l1_ratio, cv_summary = _cross_validate(args, X, y, show)
    else:
        alpha, l1_ratio = args.alpha, _l1_ratios(args)
    problem = build_problem(args, X, y, alpha, l1_ratio)
    # After --cv this is the refit at the chosen alpha, from zero: its
    # iterations and time are its own, not a warm start's near-zero ones.
    compiled = compile_seconds()
    sol = problem.solve(args.backend, tol=args.tol, max_iter=args.max_iter)
    compiled = compile_seconds() - compiled
    print(_describe(args, X.shape[0], X.shape[1], alpha, l1_ratio))
    if cv_summary:
        print(cv_summary)
    rows = [(f, fmt(c)) for f, c in zip(features, sol.coef)]
    rows.append(("(intercept)", fmt(sol.intercept)))
    print(table(rows, ("feature", "coef")))
    print(f"non-zero coefficients: {sol.support.size} of {len(features)}")
    if cv_summary:
        print("refit at the chosen alpha on every row:")
    print(_certificate_line(sol, compiled))
    if args.output:
        pen = problem.penalty
        write_model(args.output, dict(
            model=args.model, alpha=alpha, l1_ratio=l1_ratio,
            # The strengths in lassokit's objective: unambiguous whatever the
            # scale of alpha (scikit-learn's Ridge scale for ridge).
            penalty=dict(l1=float(pen.l1), l2=float(pen.l2)),
            **loss_record(loss),
            fit_intercept=not args.no_intercept, positive=args.positive,
            target=args.target, features=features,
            coef=[float(c) for c in sol.coef], intercept=float(sol.intercept),
            backend=sol.backend,
            certificate=dict(objective=sol.objective, dual_gap=sol.dual_gap,
                             rel_gap=sol.rel_gap, tol=sol.tol, converged=sol.converged,
                             status=sol.status, n_iter=sol.n_iter),
            training=dict(data=str(args.data), n_samples=int(X.shape[0]), cv=args.cv),
        ))
        print(f"model written to {args.output}")
    return EXIT_OK


# -- path ----------


def run_path(args):
    """``lassokit path``."""
    import lassokit as lk

    if not callable(getattr(lk, "path", None)):
        raise CLIError("this lassokit has no lk.path yet")
    check_writable(args.output, "--output")
    check_writable(args.plot, "--plot")
    X, y, features = load_xy(args)
    l1_ratio = _l1_ratios(args)
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
    print(_describe(args, X.shape[0], X.shape[1], None, l1_ratio, grid=alphas))
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
        save_plot(path, args.plot, title=f"{_MODEL_NAMES[args.model]} path, {loss_words(problem.loss)} "
                  f"({args.data})",
                  labels=features, xlabel=xlabel)
        print(f"plot written to {args.plot}")
    return EXIT_OK


def save_plot(path, filename, title=None, labels=None, xlabel=None):
    """Draw ``path.plot`` on a fresh figure and save it (no pyplot, no display)."""
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


# -- verify ----------


def run_verify(args):
    """``lassokit verify``."""
    import lassokit as lk

    check_writable(args.json, "--json")
    rtol = _verify_rtol(args)
    X, y, _ = load_xy(args)
    l1_ratio = _l1_ratios(args)
    problem = build_problem(args, X, y, args.alpha, l1_ratio)
    with Progress("verify", enabled=progress_enabled(args.progress)):
        warm_up(problem, args.backends, rtol)
        report = lk.verify(problem, args.backends, tol=rtol)
    # With '--json -' stdout carries the JSON alone: the table goes to stderr.
    table_to = sys.stderr if args.json == "-" else sys.stdout
    print(_describe(args, X.shape[0], X.shape[1], args.alpha, l1_ratio), file=table_to)
    print(report, file=table_to)
    if args.json:
        import json

        text = json.dumps(report.to_dict(), indent=2)
        if args.json == "-":
            print(text)
        else:
            try:
                with open(args.json, "w", encoding="utf-8") as fh:
                    fh.write(text + "\n")
            except OSError as exc:
                raise CLIError(f"cannot write {args.json}: {exc.strerror or exc}") from None
    if not report.ok:
        bad = [r["backend"] for r in report.backends if not r["ok"]]
        verb = "differs" if len(bad) == 1 else "differ"
        print(f"lassokit verify: not ok: {', '.join(bad)} {verb} from the reference by more "
              f"than rtol={rtol:g}", file=sys.stderr)
        return EXIT_CHECK_FAILED
    return EXIT_OK


def _verify_rtol(args):
    """``verify --rtol``, or the deprecated ``--tol`` that meant the same."""
    import warnings

    if args.deprecated_tol is None:
        return VERIFY_RTOL if args.rtol is None else args.rtol
    if args.rtol is not None:
        raise CLIError("give --rtol only: --tol is its deprecated name in verify")
    # One word, one meaning: elsewhere --tol is a target relative duality gap.
    warnings.warn("--tol is deprecated in verify, where it means the relative objective "
                  "difference allowed (in fit, path, demo and bench --tol is a relative "
                  "duality gap); use --rtol", FutureWarning, stacklevel=2)
    return args.deprecated_tol


# Backends whose first solve in a process compiles (or loads) numba kernels.
_JIT_BACKENDS = ("cd", "admm")


def warm_up(problem, backends, tol):
    """Solve once, untimed, with each numba backend that ``verify`` will time.

    The same call as :func:`lassokit.verify` makes (``tol / 10``), so the
    timed solve meets only compiled code: the table's times are solve
    times, never numba's compilation or cache loading. Also warms the
    certificate's kernel, which every backend's solve uses.
    """
    import warnings

    from .backends.registry import capable_backends

    names = capable_backends(problem) if backends is None else backends
    problem.dual_gap(np.zeros(problem.n_features))  # the certificate's kernel
    for name in names:
        if name in _JIT_BACKENDS:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # verify reports the real run
                try:
                    problem.solve(name, tol=tol / 10)
                except Exception:  # noqa: BLE001 - verify reports a failing backend itself
                    pass


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
