"""``lassokit fit``, ``predict``, ``path`` and ``verify``: data file in, table out."""

from __future__ import annotations

import sys

import numpy as np

from ._cli_data import (
    check_writable, fmt, load_xy, read_model, read_table, table, write_csv, write_model,
)
from ._cli_progress import Progress, progress_enabled
from .cli import EXIT_CHECK_FAILED, EXIT_OK, CLIError

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


def build_problem(args, X, y, alpha, l1_ratio=None):
    """The lassokit Problem that ``--model``/``alpha`` describe."""
    import lassokit as lk

    kw = dict(fit_intercept=not args.no_intercept, positive=args.positive)
    if args.model == "lasso":
        return lk.lasso(X, y, alpha, **kw)
    if args.model == "enet":
        return lk.elastic_net(X, y, alpha, l1_ratio=l1_ratio, **kw)
    return lk.ridge(X, y, alpha, **kw)


def _null_objective(problem):
    """``P(0, b0)``: the scale of every relative gap."""
    y, sw = problem.y, problem.sample_weight
    b0 = float(np.average(y, weights=sw)) if problem.fit_intercept else 0.0
    return problem.objective(np.zeros(problem.n_features), b0)


def _describe(args, n, p, alpha, l1_ratio):
    parts = [f"{_MODEL_NAMES[args.model]}", f"alpha={fmt(alpha)}"]
    if l1_ratio is not None:
        parts.append(f"l1_ratio={fmt(l1_ratio)}")
    if args.positive:
        parts.append("positive")
    if args.no_intercept:
        parts.append("no intercept")
    return ", ".join(parts) + f"; {n} samples x {p} features from {args.data}"


def _certificate_line(sol):
    verdict = "<=" if sol.converged else ">"
    return (f"certificate: objective {sol.objective:.10g}, duality gap {sol.dual_gap:.3g} "
            f"(relative {sol.rel_gap:.3g} {verdict} tol {sol.tol:.3g}): {sol.status}; "
            f"backend {sol.backend}, {sol.n_iter} iterations, {sol.solve_time:.3g} s")


# -- fit ----------


def _cross_validate(args, X, y, show):
    """Choose (alpha, l1_ratio) with lassokit's CV estimators; return them and a summary."""
    import lassokit as lk

    if args.model == "ridge":
        raise CLIError("--cv supports --model lasso and enet; give --alpha for ridge")
    kw = dict(cv=args.cv, fit_intercept=not args.no_intercept, positive=args.positive,
              backend=args.backend)
    if args.model == "lasso":
        est = lk.LassoCV(**kw)
    else:
        ratios = _l1_ratios(args, many=True)
        est = lk.ElasticNetCV(l1_ratio=ratios if len(ratios) > 1 else ratios[0], **kw)
    with Progress(f"{args.cv}-fold cross-validation", enabled=show):
        est.fit(X, y)
    alpha = float(est.alpha_)
    l1_ratio = float(est.l1_ratio_) if args.model == "enet" else None
    mse = np.asarray(getattr(est, "mse_path_", np.nan), dtype=float)
    best = float(np.nanmin(mse.mean(axis=-1))) if mse.ndim >= 2 else float("nan")
    n_alphas = np.asarray(est.alphas_).shape[-1]
    summary = f"cross-validation: {args.cv} folds, {n_alphas} alphas"
    if args.model == "enet" and np.ndim(est.l1_ratio) > 0:
        summary += f" x {len(est.l1_ratio)} l1_ratios"
    summary += f"; chose alpha={fmt(alpha)}"
    if l1_ratio is not None:
        summary += f", l1_ratio={fmt(l1_ratio)}"
    if np.isfinite(best):
        summary += f" (mean squared error {best:.6g})"
    return alpha, l1_ratio, est.coef_, summary


def run_fit(args):
    """``lassokit fit``."""
    check_writable(args.output, "--output")
    X, y, features = load_xy(args)
    show = progress_enabled(args.progress)
    warm, cv_summary = None, None
    if args.cv is not None:
        alpha, l1_ratio, warm, cv_summary = _cross_validate(args, X, y, show)
    else:
        alpha, l1_ratio = args.alpha, _l1_ratios(args)
    problem = build_problem(args, X, y, alpha, l1_ratio)
    sol = problem.solve(args.backend, tol=args.tol, max_iter=args.max_iter, warm_start=warm)
    print(_describe(args, X.shape[0], X.shape[1], alpha, l1_ratio))
    if cv_summary:
        print(cv_summary)
    rows = [(f, fmt(c)) for f, c in zip(features, sol.coef)]
    rows.append(("(intercept)", fmt(sol.intercept)))
    print(table(rows, ("feature", "coef")))
    print(f"non-zero coefficients: {sol.support.size} of {len(features)}")
    print(_certificate_line(sol))
    if args.output:
        write_model(args.output, dict(
            model=args.model, alpha=alpha, l1_ratio=l1_ratio,
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


# -- predict ----------


def run_predict(args):
    """``lassokit predict``."""
    check_writable(args.output, "--output")
    model = read_model(args.model)
    tab = read_table(args.data)
    features = model["features"]
    tab.require(features)
    target = model.get("target")
    with_target = isinstance(target, str) and target in tab.columns and target not in features
    cols = features + ([target] if with_target else [])
    matrix, _ = tab.numeric(cols, dropna=args.dropna)
    X = matrix[:, :len(features)]
    pred = X @ model["coef"] + model["intercept"]
    write_csv(args.output, ["prediction"], [pred])
    if args.output is not None:
        msg = f"{pred.size} predictions written to {args.output}"
        if with_target:
            y = matrix[:, -1]
            mse = float(np.mean((y - pred) ** 2))
            var = float(np.var(y))
            r2 = 1.0 - mse / var if var > 0 else float("nan")
            msg += f"; against column {target!r}: mean squared error {mse:.6g}, R^2 {r2:.4f}"
        print(msg)
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
    kw = dict(backend=args.backend, tol=args.tol)
    if args.max_iter is not None:
        kw["max_iter"] = args.max_iter
    if args.alphas is not None:
        kw["alphas"] = sorted(args.alphas, reverse=True)
    else:
        kw.update(n_alphas=args.n_alphas, eps=args.eps)
    with Progress("path", enabled=progress_enabled(args.progress)):
        path = lk.path(problem, **kw)
    alphas = np.asarray(path.alphas)
    coefs = np.asarray(path.coefs)
    gaps = np.asarray(path.dual_gaps)
    p0 = _null_objective(problem)
    rel = gaps / p0 if p0 > 0 else gaps
    nnz = (coefs != 0).sum(axis=0)
    print(_describe(args, X.shape[0], X.shape[1], alphas[0], l1_ratio).replace(
        f"alpha={fmt(alphas[0])}", f"{alphas.size} alphas from {fmt(alphas[0])} to "
        f"{fmt(alphas[-1])}"))
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
        save_plot(path, args.plot, title=f"{_MODEL_NAMES[args.model]} path ({args.data})",
                  labels=features)
        print(f"plot written to {args.plot}")
    return EXIT_OK


def save_plot(path, filename, title=None, labels=None):
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
    X, y, _ = load_xy(args)
    l1_ratio = _l1_ratios(args)
    problem = build_problem(args, X, y, args.alpha, l1_ratio)
    with Progress("verify", enabled=progress_enabled(args.progress)):
        report = lk.verify(problem, args.backends, tol=args.tol)
    print(_describe(args, X.shape[0], X.shape[1], args.alpha, l1_ratio))
    print(report)
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
        print(f"lassokit verify: not ok: {', '.join(bad)} differ(s) from the reference by more "
              f"than tol={args.tol:g}", file=sys.stderr)
        return EXIT_CHECK_FAILED
    return EXIT_OK
