"""Solver backends behind one registry.

Adding a backend is one new module and one line in ``_BUILTIN`` below; the
order of ``_BUILTIN`` is the preference order of ``backend="auto"``.
"""

from importlib import import_module

from .base import Backend, BackendResult, Capabilities
from .registry import available_backends, get_backend, register_backend, resolve_backend

_BUILTIN = (
    ("direct", "DirectBackend"),
    ("cd", "CDBackend"),
    ("admm", "AdmmBackend"),
    ("osqp_backend", "OsqpBackend"),
    ("cvxpy_backend", "CvxpyBackend"),
    ("gpu", "GpuBackend"),
)

for _module, _cls in _BUILTIN:
    register_backend(getattr(import_module(f"{__name__}.{_module}"), _cls))

__all__ = [
    "Backend",
    "BackendResult",
    "Capabilities",
    "available_backends",
    "get_backend",
    "register_backend",
    "resolve_backend",
]
