"""``lassokit fit``: a data file in; the coefficients, the certificate and a model file out.

``predict`` reads the model file (:mod:`lassokit.cli.predict`); ``--cv``
chooses alpha first (:mod:`lassokit.cli.cv`).
"""

from __future__ import annotations

from .common import EXIT_OK
from .cv import cross_validate
from .data import load_xy
from .loss import loss_from_args, loss_record
from .model_file import write_model
from .output import check_writable
from .progress import progress_enabled
from .spec import build_problem, describe, l1_ratio_option
from .text import fmt, table
from .timing import certificate_line, compile_seconds

__all__ = ["run_fit"]


def run_fit(args):
    """``lassokit fit`` with the parsed options ``args``; returns the exit status."""
    check_writable(args.output, "--output")
    loss = loss_from_args(args)
    X, y, features = load_xy(args)
    loss.check_y(y)  # a target the loss cannot take: its ValueError, before any --cv
    show = progress_enabled(args.progress)
    cv_summary = None
    if args.cv is not None:
        alpha, l1_ratio, cv_summary = cross_validate(args, X, y, show)
    else:
        alpha, l1_ratio = args.alpha, l1_ratio_option(args)
    problem = build_problem(args, X, y, alpha, l1_ratio)
    # After --cv this is the refit at the chosen alpha, from zero: its
    # iterations and time are its own, not a warm start's near-zero ones.
    compiled = compile_seconds()
    sol = problem.solve(args.backend, tol=args.tol, max_iter=args.max_iter)
    compiled = compile_seconds() - compiled
    print(describe(args, X.shape[0], X.shape[1], alpha, l1_ratio))
    if cv_summary:
        print(cv_summary)
    rows = [(f, fmt(c)) for f, c in zip(features, sol.coef)]
    rows.append(("(intercept)", fmt(sol.intercept)))
    print(table(rows, ("feature", "coef")))
    print(f"non-zero coefficients: {sol.support.size} of {len(features)}")
    if cv_summary:
        print("refit at the chosen alpha on every row:")
    print(certificate_line(sol, compiled))
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
