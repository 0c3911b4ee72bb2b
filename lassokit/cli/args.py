"""Argument types of the command line: each turns a word into a value or rejects it with a sentence.

argparse prints the sentence as the one-line usage error (exit status 2).
"""

from __future__ import annotations

import argparse

__all__ = ["float_list", "fold_count", "name_list", "nonneg_float", "number", "pos_float",
           "pos_int", "tol_float", "unit_float"]


def number(text, *, low=None, high=None, low_open=False, integer=False):
    """A finite number (an integer with ``integer``) within the bounds, or a sentence.

    Parameters
    ----------
    text : str
        The word on the command line.
    low, high : float, optional
        Bounds; ``low`` is excluded with ``low_open``, ``high`` is included.
    low_open : bool, default=False
    integer : bool, default=False

    Returns
    -------
    int or float

    Raises
    ------
    argparse.ArgumentTypeError
        With the sentence argparse prints.
    """
    kind = "an integer" if integer else "a number"
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {kind}, got {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    if low is not None and (value <= low if low_open else value < low):
        bound = f"> {low:g}" if low_open else f">= {low:g}"
        raise argparse.ArgumentTypeError(f"must be {bound}, got {text}")
    if high is not None and value > high:
        raise argparse.ArgumentTypeError(f"must be <= {high:g}, got {text}")
    return value


def nonneg_float(text):
    """A finite float >= 0."""
    return number(text, low=0.0)


def pos_float(text):
    """A finite float > 0."""
    return number(text, low=0.0, low_open=True)


def unit_float(text):
    """A float in [0, 1]."""
    return number(text, low=0.0, high=1.0)


def tol_float(text):
    """A relative duality gap in (0, 1)."""
    return number(text, low=0.0, low_open=True, high=1.0)


def fold_count(text):
    """A number of cross-validation folds (integer >= 2)."""
    return number(text, low=2, integer=True)


def pos_int(text):
    """An integer >= 1."""
    return number(text, low=1, integer=True)


def float_list(item_type):
    """A comma-separated list of numbers, each checked by ``item_type``."""

    def parse(text):
        parts = [t.strip() for t in text.split(",") if t.strip()]
        if not parts:
            raise argparse.ArgumentTypeError("expected a comma-separated list of numbers")
        return [item_type(t) for t in parts]

    return parse


def name_list(text):
    """A comma-separated list of names."""
    names = [t.strip() for t in text.split(",") if t.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected a comma-separated list of names")
    return names
