"""The ``lassokit`` command line (subcommands arrive with the CLI issue)."""

from __future__ import annotations

import argparse
import sys

from ._version import __version__


def build_parser():
    """The argument parser of the ``lassokit`` command."""
    parser = argparse.ArgumentParser(
        prog="lassokit",
        description="Certified Lasso, Elastic Net and Ridge with pluggable backends.",
    )
    parser.add_argument("--version", action="version", version=f"lassokit {__version__}")
    parser.add_subparsers(dest="command", metavar="COMMAND")
    return parser


def main(argv=None):
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return 0  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
