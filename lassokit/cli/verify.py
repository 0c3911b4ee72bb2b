"""``lassokit verify``: every backend against a tight CVXPY reference, as a table or JSON."""

from __future__ import annotations

import sys

import numpy as np

from .common import EXIT_CHECK_FAILED, EXIT_OK, VERIFY_RTOL, CLIError
from .data import load_xy
from .output import check_writable
from .progress import Progress, progress_enabled
from .spec import build_problem, describe, l1_ratio_option

__all__ = ["run_verify", "warm_up"]


def run_verify(args):
    """``lassokit verify`` with the parsed options ``args``; returns the exit status (1: a
    backend differs from the reference)."""
    import lassokit as lk

    check_writable(args.json, "--json")
    rtol = _verify_rtol(args)
    X, y, _ = load_xy(args)
    l1_ratio = l1_ratio_option(args)
    problem = build_problem(args, X, y, args.alpha, l1_ratio)
    with Progress("verify", enabled=progress_enabled(args.progress)):
        warm_up(problem, args.backends, rtol)
        report = lk.verify(problem, args.backends, tol=rtol)
    # With '--json -' stdout carries the JSON alone: the table goes to stderr.
    table_to = sys.stderr if args.json == "-" else sys.stdout
    print(describe(args, X.shape[0], X.shape[1], args.alpha, l1_ratio), file=table_to)
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

    Parameters
    ----------
    problem : Problem
    backends : list of str or None
        None: every capable backend.
    tol : float
        The ``tol`` given to :func:`lassokit.verify`.
    """
    import warnings

    from ..backends.registry import capable_backends

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
