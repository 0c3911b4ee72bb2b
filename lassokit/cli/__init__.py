"""The ``lassokit`` command line: a thin layer over the public API.

Subcommands: ``demo``, ``fit``, ``predict``, ``path``, ``verify`` and
``bench``. Each one's work lives in a module of this package that is
imported only when that subcommand runs, so ``lassokit --help`` stays fast:
``parser`` (and ``args``, the argument types) builds the command line,
``common`` holds what every module shares, and ``demo``, ``fit`` (with
``cv``), ``predict``, ``path``, ``verify`` and ``bench`` run the commands,
on ``data`` (data files), ``model_file``, ``output``, ``text``, ``loss``,
``spec`` (the problem the options state), ``timing`` and ``progress``.

Exit status: 0 on success; 1 when a check fails (``verify`` found a backend
that disagrees with the reference) or on an unexpected failure; 2 for bad
usage or bad input; 130 when interrupted. Errors are always one line on
stderr, never a traceback (``LASSOKIT_DEBUG=1`` shows one).
"""

from __future__ import annotations

import os
import sys
import warnings

from .common import (
    EXIT_CHECK_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    CLIError,
)
from .parser import build_parser

__all__ = ["main", "build_parser", "CLIError"]

def _one_line(exc):
    text = str(exc).strip() or type(exc).__name__
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return " ".join(lines)


def main(argv=None):
    """Run the command line.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status (see the module docstring).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    from importlib import import_module

    prog = f"lassokit {args.command}"
    debug = bool(os.environ.get("LASSOKIT_DEBUG"))
    seen = set()

    def show_warning(message, category, filename, lineno, file=None, line=None):
        text = _one_line(message)
        if text not in seen:  # a path may warn once per alpha: say it once
            seen.add(text)
            print(f"{prog}: warning: {text}", file=sys.stderr)

    try:
        with warnings.catch_warnings():
            warnings.showwarning = show_warning
            # Each subcommand's module, and only it, loads now: "run_<command>" in
            # "lassokit.cli.<command>".
            module = import_module(f"{__name__}.{args.command}")
            runner = getattr(module, f"run_{args.command}")
            return int(runner(args) or EXIT_OK)
    except CLIError as exc:
        print(f"{prog}: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except (ValueError, TypeError) as exc:
        if debug:
            raise
        # lassokit's own validation errors are sentences naming the parameter.
        print(f"{prog}: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"\n{prog}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Output piped into e.g. 'head' that closed early: not an error.
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        except OSError:  # pragma: no cover
            pass
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the promise is: never a traceback
        if debug:
            raise
        print(
            f"{prog}: internal error: {type(exc).__name__}: {_one_line(exc)} "
            "(set LASSOKIT_DEBUG=1 for a traceback)",
            file=sys.stderr,
        )
        return EXIT_CHECK_FAILED
