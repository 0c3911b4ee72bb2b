"""What every part of the command line shares: exit statuses, defaults and the input error.

Kept apart from the parser and the subcommands so that each subcommand's
module imports it without importing the others (no import circle).
"""

from __future__ import annotations

__all__ = ["CLIError", "EXIT_CHECK_FAILED", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE",
           "HUBER_DELTA", "LOSS_NAMES", "VERIFY_RTOL"]

EXIT_OK, EXIT_CHECK_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
#: The names ``--loss`` takes (those of :func:`lassokit.losses.as_loss`).
LOSS_NAMES = ("squared", "logistic", "poisson", "huber")
#: ``--delta`` by default: :class:`lassokit.Huber`'s default threshold.
HUBER_DELTA = 1.35
#: ``verify --rtol`` by default: the relative objective difference allowed.
VERIFY_RTOL = 1e-6


class CLIError(Exception):
    """A problem with the user's input; its message is printed as one line."""
