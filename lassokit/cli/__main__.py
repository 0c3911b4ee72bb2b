"""``python -m lassokit.cli``: the command line, as ``python -m lassokit``."""

from . import main

if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
