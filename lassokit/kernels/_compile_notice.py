"""One line on stderr when numba compiles lassokit's kernels, and how long it took.

numba compiles a kernel once per argument-type signature (the dtype and
storage of X: float64 or float32, dense or sparse) and keeps the machine
code in its on-disk cache: ``__pycache__`` next to the kernel modules, or
``NUMBA_CACHE_DIR``. So a kernel compiles again for a new dtype or storage,
a new cache directory (a fresh ``NUMBA_CACHE_DIR``, a read-only install
directory), a new numba or an edited kernel; otherwise later processes load
it from the cache in milliseconds. numba sends a ``"numba:compile"`` event
for every real compilation and none for a cache load
(:mod:`numba.core.event`), so listening to it tells a cold cache from a
warm one exactly, without guessing at numba's cache files, and costs
nothing when nothing compiles.

Each family is announced once per process, when its first kernel starts
compiling, with where the compiled code goes; kernels a family's kernels
call (shared helpers, the certificate's dual) compile inside that one
announcement.

The same listener times every cache load and compilation (numba's
``"numba:compiler_lock"`` events) for :mod:`lassokit._kernel_time`, which
keeps them out of ``Solution.solve_time``.
"""

from __future__ import annotations

import sys
import threading
import time

from numba.core import event

from .. import _kernel_time

__all__ = ["cache_location", "compile_seconds", "describe", "install", "notice_line"]

_PACKAGE = __name__.rpartition(".")[0] + "."  # "lassokit.kernels."
# Kernel modules whose first argument is X (dense) or X.data (CSC): the
# family is named by its dtype and storage, since each pair compiles anew.
_STORAGE = {"cd_dense": "dense", "cd_sparse": "sparse"}
_FAMILY = {
    "_common": "the duality-gap certificate kernel",
    "cd_gram": "coordinate-descent kernels",
    "cd_gram_path": "coordinate-descent kernels",
    "admm": "ADMM kernels",
}
_GENERIC_CD = "coordinate-descent kernels"

_lock = threading.Lock()
_announced = set()
_stack = []  # one entry per compilation in progress: is it lassokit's outermost?
_state = {"seconds": 0.0, "start": 0.0, "installed": False}


def describe(module, args):
    """The family a kernel compilation belongs to, in words.

    Parameters
    ----------
    module : str
        The kernel's module, e.g. ``"lassokit.kernels.cd_dense"``.
    args : tuple of numba types
        The argument types being compiled for.

    Returns
    -------
    str
        E.g. ``"coordinate-descent kernels for float64 dense X"``.
    """
    short = module.rpartition(".")[2]
    storage = _STORAGE.get(short)
    if storage is not None:
        dtype = getattr(args[0], "dtype", None) if args else None
        if dtype is not None:
            return f"{_GENERIC_CD} for {dtype} {storage} X"
        return _GENERIC_CD
    return _FAMILY.get(short, "numba kernels")


def cache_location(dispatcher=None):
    """Where numba keeps the compiled kernels, in words.

    Parameters
    ----------
    dispatcher : numba dispatcher, optional
        A kernel being compiled; its cache's directory is named.

    Returns
    -------
    str
        E.g. ``".../lassokit/kernels/__pycache__"``, or a directory under
        ``NUMBA_CACHE_DIR``.
    """
    try:
        path = dispatcher._cache.cache_path  # numba's Cache; NullCache has none
    except AttributeError:
        path = None
    return path if isinstance(path, str) and path else "numba's cache directory"


def notice_line(label, where=None):
    """The line :func:`_announce` prints.

    Parameters
    ----------
    label : str
        What compiles (:func:`describe`).
    where : str, optional
        The cache directory (:func:`cache_location`).

    Returns
    -------
    str
        E.g. ``"lassokit: compiling coordinate-descent kernels for float64
        dense X (numba; once per argument type, cached in /tmp/c)..."``.
    """
    return (f"lassokit: compiling {label} (numba; once per argument type, "
            f"cached in {where or cache_location()})...")


def _announce(label, where=None):
    with _lock:
        if label in _announced:
            return
        # "coordinate-descent kernels" adds nothing once a dtype/storage
        # family of them has been announced.
        if label == _GENERIC_CD and any(a.startswith(_GENERIC_CD) for a in _announced):
            return
        _announced.add(label)
    try:
        print(notice_line(label, where), file=sys.stderr, flush=True)
    except (OSError, ValueError, AttributeError):  # stderr closed or missing: stay silent
        pass


class _Listener(event.Listener):
    """Announces lassokit's outermost compilations and times them."""

    def on_start(self, ev):
        _kernel_time.enter("compile")
        data = ev.data or {}
        dispatcher = data.get("dispatcher")
        py_func = getattr(dispatcher, "py_func", None)
        module = getattr(py_func, "__module__", "") or ""
        ours = module.startswith(_PACKAGE)
        outermost = ours and not any(_stack)
        _stack.append(outermost)
        if outermost:
            _state["start"] = time.perf_counter()
            _announce(describe(module, tuple(data.get("args") or ())),
                      cache_location(dispatcher))

    def on_end(self, ev):
        if _stack and _stack.pop():
            _state["seconds"] += time.perf_counter() - _state["start"]
        _kernel_time.leave("compile")


class _LockListener(event.Listener):
    """Times numba's compiler lock: every cache load and compilation holds it."""

    def on_start(self, ev):
        _kernel_time.enter()

    def on_end(self, ev):
        _kernel_time.leave()


def compile_seconds():
    """Seconds this process has spent compiling lassokit's kernels so far.

    Returns
    -------
    float
        0.0 when every kernel came from numba's cache.
    """
    return _state["seconds"]


def install():
    """Start listening (idempotent); called when :mod:`lassokit.kernels` is imported."""
    with _lock:
        if _state["installed"]:
            return
        _state["installed"] = True
    event.register("numba:compile", _Listener())
    event.register("numba:compiler_lock", _LockListener())
