"""Plain text of the command line's output: counts with their nouns, numbers, aligned tables."""

from __future__ import annotations

__all__ = ["fmt", "plural", "table"]


def plural(n, word):
    """``"1 iteration"``, ``"2 iterations"``: a count with its noun."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def fmt(v, digits=6):
    """A number in at most ``digits`` significant digits; exact zeros as ``0``."""
    if v == 0:
        return "0"
    return f"{v:.{digits}g}"


def table(rows, header, align=None):
    """Format rows of strings as an aligned text table with a rule under the header."""
    rows = [list(map(str, r)) for r in rows]
    header = list(header)
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    align = align or ["<"] + [">"] * (len(header) - 1)

    def line(cells):
        return "  ".join(f"{c:{a}{w}}" for c, a, w in zip(cells, align, widths)).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])
