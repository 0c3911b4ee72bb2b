"""Seconds spent loading and compiling numba kernels, kept out of solve times.

The first solve of a process imports numba and the kernel modules it needs,
then, at each kernel's first call with a new argument type, loads that
kernel's machine code from numba's on-disk cache (milliseconds each, after a
one-off set-up of numba's code generator), or compiles it on a cold cache
(seconds). None of that is solving. Backends that run numba kernels wrap
their work in :func:`measure` and report the two parts in the result's
``info`` as ``"load_time"`` and ``"compile_time"``; the problem layer
leaves both out of ``Solution.solve_time`` (:func:`seconds_in`).

Accounting is per thread (cross-validation solves folds in threads):

* kernel seconds: wall time spent importing kernel modules through
  :func:`load`, or holding (or waiting for) numba's compiler lock, which
  every cache load and every compilation takes; overlapping spans count
  once;
* compile seconds: the part of those spent compiling (numba's
  ``"numba:compile"`` events: lassokit's kernels, or a user backend's own);
  :mod:`lassokit.kernels._compile_notice` listens to numba's events and
  feeds :func:`enter` and :func:`leave`;
* load seconds: kernel seconds minus compile seconds.

This module imports nothing but the standard library: it must be usable
before numba is imported, to time that import too.
"""

from __future__ import annotations

import importlib
import sys
import threading
import time

__all__ = ["enter", "leave", "load", "measure", "seconds_in"]

_local = threading.local()


def _state():
    st = getattr(_local, "st", None)
    if st is None:
        st = _local.st = {kind: [0, 0.0, 0.0] for kind in ("kernel", "compile")}
    return st  # kind -> [depth, start of the outermost open span, closed seconds]


def enter(kind="kernel"):
    """A span of kernel loading (``"kernel"``) or compiling (``"compile"``) starts.

    Spans of one kind nest; only the outermost counts. A compile span is
    always inside a kernel span (numba compiles holding its lock).
    """
    span = _state()[kind]
    if span[0] == 0:
        span[1] = time.perf_counter()
    span[0] += 1


def leave(kind="kernel"):
    """The span opened by the matching :func:`enter` ends."""
    span = _state()[kind]
    if span[0] == 0:  # unbalanced (a listener installed mid-span): ignore
        return
    span[0] -= 1
    if span[0] == 0:
        span[2] += time.perf_counter() - span[1]


def _totals():
    now = time.perf_counter()
    return tuple(span[2] + (now - span[1] if span[0] else 0.0)
                 for span in (_state()["kernel"], _state()["compile"]))


def load(name):
    """Import the module ``name``, its first import counted as kernel loading.

    Parameters
    ----------
    name : str
        E.g. ``"lassokit.kernels.cd_dense"``.

    Returns
    -------
    module
    """
    module = sys.modules.get(name)
    if module is not None:
        return module
    enter()
    try:
        return importlib.import_module(name)
    finally:
        leave()


class measure:
    """Context manager: the kernel seconds of this thread inside the block.

    Attributes (after the block)
    ----------------------------
    load_time : float
        Seconds importing kernel modules and loading cached kernels.
    compile_time : float
        Seconds compiling kernels (0.0 on a warm cache).

    Examples
    --------
    >>> with measure() as kt:
    ...     pass
    >>> kt.info()
    {'load_time': 0.0, 'compile_time': 0.0}
    """

    load_time = 0.0
    compile_time = 0.0

    def __enter__(self):
        self._kernel, self._compile = _totals()
        return self

    def __exit__(self, *exc):
        kernel, comp = _totals()
        self.compile_time = comp - self._compile
        self.load_time = max(kernel - self._kernel - self.compile_time, 0.0)
        return False

    def info(self):
        """``{"load_time": ..., "compile_time": ...}``, for a result's ``info``."""
        return {"load_time": self.load_time, "compile_time": self.compile_time}


def seconds_in(raw):
    """Kernel load and compile seconds a backend result reports (0.0 if none).

    Parameters
    ----------
    raw : BackendResult, dict or anything else a backend returned

    Returns
    -------
    float
    """
    info = raw.get("info") if isinstance(raw, dict) else getattr(raw, "info", None)
    if not isinstance(info, dict):
        return 0.0
    total = 0.0
    for key in ("load_time", "compile_time"):
        value = info.get(key)
        if isinstance(value, (int, float)) and value > 0.0:
            total += float(value)
    return total
