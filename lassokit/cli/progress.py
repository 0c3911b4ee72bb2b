"""Progress display for long commands: on a terminal only, on stderr.

A counted task shows ``label [#####     ] 5/10 note``; a task of unknown
length (a path or a cross-validation run inside lassokit) shows a spinner
with the elapsed time, redrawn by a background thread. Nothing is written
when stderr is not a terminal (piped, redirected, under a test runner)
unless asked for with ``--progress on``.
"""

from __future__ import annotations

import sys
import threading
import time

_SPIN = "|/-\\"


def progress_enabled(mode, stream=None):
    """Whether to draw progress for ``--progress`` ``mode`` (auto/on/off)."""
    stream = sys.stderr if stream is None else stream
    if mode == "on":
        return True
    if mode == "off":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Progress:
    """A one-line progress display; a context manager that clears its line.

    Parameters
    ----------
    label : str
    total : int, optional
        Number of steps; None shows a spinner with the elapsed time.
    enabled : bool
    stream : file, optional
        Default: ``sys.stderr``.
    """

    def __init__(self, label, total=None, *, enabled, stream=None):
        self.label = label
        self.total = total
        self.enabled = enabled
        self.stream = sys.stderr if stream is None else stream
        self.done = 0
        self.note = ""
        self._start = time.perf_counter()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = None
        self._width = 0

    def __enter__(self):
        if self.enabled:
            self._draw()
            if self.total is None:
                self._thread = threading.Thread(target=self._spin, daemon=True)
                self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.enabled:
            with self._lock:
                self.stream.write("\r" + " " * self._width + "\r")
                self.stream.flush()
        return False

    def update(self, step=1, note=""):
        """Advance by ``step`` and show ``note`` (e.g. what runs next)."""
        self.done += step
        self.note = note
        if self.enabled:
            self._draw()

    def _spin(self):
        while not self._stop.wait(0.25):
            self._draw()

    def _draw(self):
        elapsed = time.perf_counter() - self._start
        if self.total:
            frac = min(1.0, self.done / self.total)
            bar = "#" * int(20 * frac)
            text = f"{self.label} [{bar:<20}] {self.done}/{self.total} {self.note}"
        else:
            spin = _SPIN[int(elapsed * 4) % len(_SPIN)]
            text = f"{self.label} {spin} {elapsed:.0f} s {self.note}"
        text = text.rstrip()[:79]
        with self._lock:
            pad = max(0, self._width - len(text))
            self.stream.write("\r" + text + " " * pad)
            self.stream.flush()
            self._width = len(text)
