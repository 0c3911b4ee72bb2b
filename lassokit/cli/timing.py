"""How long a command's solve took, told apart from numba's compiling and loading.

A first solve in a process may spend seconds compiling numba kernels (or
loading them from the cache); the output says so instead of charging the
solve with it.
"""

from __future__ import annotations

import sys

from .text import plural

__all__ = ["certificate_line", "compile_seconds", "solve_took", "took"]


def compile_seconds():
    """Seconds this process spent compiling numba kernels (0.0 if none were needed)."""
    # Only look: importing lassokit.kernels here would import numba for nothing.
    notice = sys.modules.get("lassokit.kernels._compile_notice")
    return notice.compile_seconds() if notice is not None else 0.0


def took(seconds, compiled):
    """``"0.012 s"``, or with the part of it that was numba compiling."""
    text = f"{seconds:.3g} s"
    if compiled > 0.0:
        text += (f" (of which {compiled:.3g} s compiling numba kernels, once per argument "
                 "type)")
    return text


def solve_took(sol, compiled=0.0):
    """``sol.solve_time``, then what it leaves out: loading or compiling numba kernels.

    ``compiled`` (seconds compiling during the call) stands in for a backend
    that does not report ``info["compile_time"]``.
    """
    load = sol.info.get("load_time") or 0.0
    comp = sol.info.get("compile_time", compiled) or 0.0
    extra = []
    if comp > 0.0:
        extra.append(f"{comp:.3g} s compiling numba kernels, once per argument type")
    if load >= 5e-4:
        extra.append(f"{load:.3g} s loading " + ("them" if extra else "numba kernels"))
    text = f"{sol.solve_time:.3g} s"
    return text + (f" (plus {', and '.join(extra)})" if extra else "")


def certificate_line(sol, compiled=0.0):
    """The certificate of ``sol`` in one line: objective, gaps, status, backend, time."""
    verdict = "<=" if sol.converged else ">"
    return (f"certificate: objective {sol.objective:.10g}, duality gap {sol.dual_gap:.3g} "
            f"(relative {sol.rel_gap:.3g} {verdict} tol {sol.tol:.3g}): {sol.status}; "
            f"backend {sol.backend}, {plural(sol.n_iter, 'iteration')}, "
            f"{solve_took(sol, compiled)}")
