"""One ordered registry of backends; order is preference for ``"auto"``."""

from __future__ import annotations

from .base import Backend

__all__ = ["register_backend", "available_backends", "get_backend", "resolve_backend"]

_REGISTRY: dict[str, Backend] = {}


def register_backend(backend):
    """Register a backend (an instance or a subclass of :class:`Backend`).

    User backends are appended after the built-in ones, so ``"auto"`` only
    picks them when no built-in backend can take the problem.

    Parameters
    ----------
    backend : Backend or type
        The backend; a class is instantiated without arguments.

    Returns
    -------
    Backend
        The registered instance.

    Raises
    ------
    TypeError
        If ``backend`` is not a :class:`Backend`.
    ValueError
        If its name is missing or already registered.
    """
    if isinstance(backend, type) and issubclass(backend, Backend):
        backend = backend()
    if not isinstance(backend, Backend):
        raise TypeError(
            f"backend must be a lassokit.Backend subclass or instance, got {type(backend).__name__}."
        )
    name = backend.name
    if not isinstance(name, str) or not name or name == "auto":
        raise ValueError(f"backend name must be a non-empty string other than 'auto', got {name!r}.")
    if name in _REGISTRY:
        raise ValueError(f"a backend named {name!r} is already registered.")
    _REGISTRY[name] = backend
    return backend


def unregister_backend(name):
    """Remove a registered backend (meant for tests and plugins)."""
    _REGISTRY.pop(name, None)


def available_backends(*, emulated=False):
    """Names of the backends usable now, in preference order.

    Parameters
    ----------
    emulated : bool, default=False
        Also list the backends that would only emulate the hardware they
        are named for (:meth:`Backend.emulated`): ``"gpu"`` without a CUDA
        device, which runs its code on the CPU. Left out by default, so no
        listing presents a CPU run as a GPU one; asking for such a backend
        by name still works.

    Returns
    -------
    list of str
    """
    return [name for name, be in _REGISTRY.items() if _usable(be, emulated)]


def _usable(backend, emulated):
    return backend.available() is None and (emulated or backend.emulated() is None)


def get_backend(name):
    """The registered backend called ``name`` (``ValueError`` if unknown)."""
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown backend {name!r}; registered backends: {', '.join(_REGISTRY)}."
        ) from None


def capable_backends(problem, *, emulated=False):
    """Names of the available backends that can take ``problem``.

    ``emulated`` as for :func:`available_backends`: by default the list (and
    so ``verify()``'s default and every "backends that can" in an error)
    holds no backend that would run on other hardware than its name says.
    """
    return [
        name
        for name, be in _REGISTRY.items()
        if _usable(be, emulated) and _supports(be, problem)[0]
    ]


def _supports(backend, problem):
    answer = backend.supports(problem)
    if isinstance(answer, tuple):
        ok, reason = answer
    else:
        ok, reason = bool(answer), ""
    return ok, reason or "it does not support this problem"


def resolve_backend(name, problem):
    """The backend to solve ``problem`` with: ``name`` checked, or the ``"auto"`` pick.

    Raises
    ------
    ValueError
        Naming the backend, why it cannot be used, and those that can.
    """
    if isinstance(name, Backend):
        backend = name
    else:
        if not isinstance(name, str):
            raise TypeError(f"backend must be a string name, got {type(name).__name__}.")
        if name == "auto":
            # The first usable, capable one: later backends are not probed.
            for be in _REGISTRY.values():
                if _usable(be, False) and _supports(be, problem)[0]:
                    return be
            raise ValueError("no available backend can take this problem.")
        if name not in _REGISTRY:
            raise ValueError(
                f"unknown backend {name!r}; backends that can take this problem: "
                f"{_listing(problem)}."
            )
        backend = _REGISTRY[name]
    missing = backend.available()
    if missing:
        raise ValueError(f"{missing}; backends that can take this problem: {_listing(problem)}.")
    ok, reason = _supports(backend, problem)
    if not ok:
        raise ValueError(
            f"backend {backend.name!r} cannot take this problem: {reason}; "
            f"backends that can: {_listing(problem)}."
        )
    return backend


def _listing(problem):
    return ", ".join(capable_backends(problem)) or "none"
