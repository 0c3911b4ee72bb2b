"""``verify()``: every backend against a tight CVXPY reference, side by side.

It works for every loss: backends are compared on what every problem has,
the objective ``P`` and the coefficients (never on predictions, whose
meaning depends on the loss), and the relative scale is ``P(0, b0)``
(``problem._design.p0``, held by the least-squares and the loss designs
alike).
"""

from __future__ import annotations

import json
import time
import warnings

import numpy as np

from .backends.registry import capable_backends, resolve_backend
from .solution import convergence_warning

__all__ = ["VerifyReport", "verify"]

# Interior-point solvers never return exact zeros: entries below this fraction
# of max(1, |coef_ref|_inf) count as zero when supports are compared.
_SUPPORT_THRESHOLD = 1e-6


class VerifyReport:
    """Per-backend comparison with a reference solve.

    Attributes
    ----------
    reference : dict
        The reference row (backend, objective, dual gap, time, ...).
    backends : list of dict
        One row per backend: ``backend``, ``objective``, ``rel_obj_diff``,
        ``max_coef_diff``, ``support_agree``, ``dual_gap``, ``rel_gap``,
        ``time``, ``status``, ``ok``, ``emulated``. A backend that raised
        has status ``"error"``, ``ok=False``, its exception in ``error`` and
        None for the numbers it never produced. ``emulated`` is None, or
        says that the backend ran on other hardware than its name promises
        (``"gpu"`` without a CUDA device); the table marks such a row.
    tol : float
    """

    def __init__(self, reference, backends, tol):
        self.reference = reference
        self.backends = backends
        self.tol = tol

    @property
    def ok(self):
        """bool: every backend within ``tol`` of the reference objective."""
        return all(row["ok"] for row in self.backends)

    def to_dict(self):
        """JSON-serializable dict with keys ``reference``, ``backends``, ``ok``."""
        return json.loads(json.dumps(
            {"reference": self.reference, "backends": self.backends, "ok": self.ok, "tol": self.tol},
            default=_jsonable,
        ))

    def __str__(self):
        head = ("backend", "objective", "rel obj diff", "max coef diff", "support",
                "rel gap", "time [s]", "status", "ok")
        rows = [head]
        ref = self.reference
        rows.append((f"{ref['backend']} (ref)", f"{ref['objective']:.12g}", "-", "-",
                     str(ref["support_size"]), f"{ref['rel_gap']:.2e}", f"{ref['time']:.4f}",
                     ref["status"], "-"))
        for r in self.backends:
            name = _shown_name(r)
            if r.get("error") is not None:
                rows.append((name, "-", "-", "-", "-", "-", f"{r['time']:.4f}",
                             "error", "NO"))
                continue
            rows.append((name, f"{r['objective']:.12g}", f"{r['rel_obj_diff']:.2e}",
                         f"{r['max_coef_diff']:.2e}",
                         "same" if r["support_agree"] else f"differs ({r['support_size']})",
                         f"{r['rel_gap']:.2e}", f"{r['time']:.4f}", r["status"],
                         "yes" if r["ok"] else "NO"))
        widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        lines.extend(f"{r['backend']} raised {r['error']}"
                     for r in self.backends if r.get("error") is not None)
        lines.extend(f"* {r['backend']}: emulated ({r['emulated']})"
                     for r in self.backends if r.get("emulated"))
        lines.append(f"all ok (tol={self.tol:g}): {self.ok}")
        return "\n".join(lines)

    def __repr__(self):
        return f"VerifyReport(ok={self.ok}, backends={[r['backend'] for r in self.backends]})"


def _shown_name(row):
    # A backend that ran on other hardware than its name says (``"gpu"`` on
    # the CPU) is starred; a footnote under the table says where it ran.
    return f"{row['backend']}*" if row.get("emulated") else row["backend"]


def _jsonable(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)


def _support(coef, scale):
    return np.abs(coef) > _SUPPORT_THRESHOLD * scale


def _error_row(name, exc, elapsed, emulated=None):
    """The row of a backend whose solve raised ``exc``."""
    return dict(backend=name, objective=None, rel_obj_diff=None, max_coef_diff=None,
                support_agree=False, support_size=None, dual_gap=None, rel_gap=None,
                time=elapsed, status="error", ok=False,
                error=f"{type(exc).__name__}: {exc}", emulated=emulated)


def verify(problem, backends=None, *, reference="cvxpy", tol=1e-6):
    """Solve ``problem`` with each backend and compare with a tight reference.

    Parameters
    ----------
    problem : Problem
        With any loss (squared, logistic, Poisson, Huber, ...).
    backends : list of str, optional
        Default: every available backend that can take the problem, its
        loss included (not an emulated one, such as ``"gpu"`` without a
        CUDA device; name it to check it anyway: its row is then marked as
        emulated).
    reference : str, default="cvxpy"
        Reference backend (CVXPY with Clarabel and tight settings; for a
        loss other than least squares its answer is finished by Newton
        steps on its support, kept only where the certificate improves).
    tol : float, default=1e-6
        Each solve targets a relative gap of ``tol / 10``; a backend is ``ok``
        when its relative objective difference to the reference is ``<= tol``.

    Returns
    -------
    VerifyReport
        A backend that raises during its solve is a row with status
        ``"error"`` and the exception's message, and makes the report not
        ok; the other backends are still checked.

    Raises
    ------
    ValueError
        When ``backends`` is empty (nothing would be checked) or names a
        backend that cannot take ``problem``.
    """
    if backends is None:
        backends = [b for b in capable_backends(problem) if b != reference]
        if not backends:
            raise ValueError(
                f"backends=None leaves nothing to verify: no available backend other than "
                f"the reference {reference!r} can take this problem."
            )
    elif isinstance(backends, str):
        backends = [backends]
    backends = list(backends)
    if not backends:
        # An empty report would read "all ok" with nothing checked.
        raise ValueError("backends must name at least one backend to verify; got an empty "
                         "list (use backends=None for every capable backend).")
    # A clear ValueError before any work; and whether each would run emulated.
    emulated = {name: resolve_backend(name, problem).emulated() for name in backends}
    target = tol / 10
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", convergence_warning())
        ref = problem.solve(reference, tol=min(target, 1e-9))
    ref_obj = ref.objective
    # P(0, b0), the scale of relative gaps (a matrix problem derives it per call).
    p0 = problem.design().p0 if getattr(problem, "_is_matrix", False) else problem._design.p0
    scale = max(1.0, float(np.max(np.abs(ref.coef))) if ref.coef.size else 1.0)
    ref_support = _support(ref.coef, scale)
    denom = max(abs(ref_obj), p0 * 1e-12, np.finfo(float).tiny)
    rows = []
    for name in backends:
        start = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", convergence_warning())
                sol = problem.solve(name, tol=target)
        except Exception as exc:
            # A user backend may raise anything; one broken backend must not
            # hide how the others compare.
            rows.append(_error_row(name, exc, time.perf_counter() - start, emulated[name]))
            continue
        rel = abs(sol.objective - ref_obj) / denom
        sup = _support(sol.coef, scale)
        rows.append(dict(
            backend=name,
            objective=sol.objective,
            rel_obj_diff=rel,
            max_coef_diff=float(np.max(np.abs(sol.coef.astype(float) - ref.coef))) / scale,
            support_agree=bool(np.array_equal(sup, ref_support)),
            support_size=int(sup.sum()),
            dual_gap=sol.dual_gap,
            rel_gap=sol.rel_gap,
            time=sol.solve_time,
            status=sol.status,
            ok=bool(rel <= tol),
            error=None,
            emulated=emulated[name],
        ))
    reference_row = dict(backend=reference, objective=ref_obj, dual_gap=ref.dual_gap,
                         rel_gap=ref.rel_gap, time=ref.solve_time, status=ref.status,
                         support_size=int(ref_support.sum()))
    return VerifyReport(reference_row, rows, tol)
