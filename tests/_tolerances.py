"""Shared tolerances, the coefficient / objective checks built on them, and the
guards that make a reference prove it converged.

Tolerances are defined once, relative to the problem's scale (never as
decimal places). Re-exported by ``conftest`` (``from conftest import
COEF_TOL`` keeps working).
"""

from __future__ import annotations

import contextlib
import warnings

import numpy as np

__all__ = [
    "COEF_TOL", "EXACT_RTOL", "MATRIX_TOL", "OBJ_ROUNDING", "REF_GAP_TOL", "REL_GAP_TOL",
    "REL_OBJ_TOL", "SK_TIGHT", "SUBOPT_SLACK", "VERIFY_TOL", "assert_coef_close",
    "assert_obj_close", "coef_scale", "converged_ref", "sklearn_converged",
]

# ---------------------------------------------------------------------------
# Tolerances (one place). All relative: objectives relative to max(1, |P*|) or
# to P(0, b0); coefficients relative to max(1, |coef_ref|_inf).
# ---------------------------------------------------------------------------

#: Two accurate solves of the same problem agree on the objective to this
#: relative precision.
REL_OBJ_TOL = 1e-8
#: Relative duality gap expected at a (KKT-polished) reference optimum.
REL_GAP_TOL = 1e-8
#: Coefficient agreement between accurate solves, relative to max(1, |coef|_inf).
COEF_TOL = 1e-5
#: Agreement of quantities that are mathematically identical and computed
#: in float64 by different routes (dense vs sparse, weights vs repeated rows).
EXACT_RTOL = 1e-10
#: Slack granted to the inequality ``gap >= P(w) - P*``, relative to
#: max(1, P(0, b0)): covers only float64 rounding of P* itself.
SUBOPT_SLACK = 1e-10


#: Relative duality gap every backend is asked for (and must certify) on the
#: cross-backend consistency matrix (tests/test_consistency.py).
MATRIX_TOL = 1e-10
#: ``tol`` given to :func:`lassokit.verify` on the matrix (its documented default).
VERIFY_TOL = 1e-6
#: Float64 rounding of an objective value, relative to max(1, P(0, b0)): the
#: floor of the objective excess used in :func:`coef_error_bound`.
OBJ_ROUNDING = 1e-13
#: Relative duality gap every :func:`reference_solve` answer is checked to
#: reach: far below :data:`SUBOPT_SLACK`, so a reference's own suboptimality
#: never decides a test (seen: <= 3e-13 across the suite).
REF_GAP_TOL = 1e-11


def coef_scale(ref):
    """``max(1, |ref|_inf)``: the scale of coefficient tolerances."""
    ref = np.asarray(ref, dtype=np.float64)
    return max(1.0, float(np.max(np.abs(ref))) if ref.size else 1.0)


def assert_coef_close(coef, ref, tol=COEF_TOL):
    """``|coef - ref|_inf <= tol * max(1, |ref|_inf)``."""
    coef = np.asarray(coef, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    err = float(np.max(np.abs(coef - ref))) if ref.size else 0.0
    assert err <= tol * coef_scale(ref), (
        f"max coef difference {err:.3e} > {tol:g} * max(1, |ref|_inf) = "
        f"{tol * coef_scale(ref):.3e}"
    )


def assert_obj_close(obj, ref, tol=REL_OBJ_TOL):
    """``|obj - ref| <= tol * max(1, |ref|)``."""
    assert abs(obj - ref) <= tol * max(1.0, abs(ref)), (
        f"objective {obj!r} vs reference {ref!r}: relative difference "
        f"{abs(obj - ref) / max(1.0, abs(ref)):.3e} > {tol:g}"
    )


# ---------------------------------------------------------------------------
# References must be converged: a reference that stopped short of its tol is
# not the optimum, and a test that compares to it is wrong (issue 21, item 8).
# ---------------------------------------------------------------------------


def converged_ref(ref):
    """Return a lassokit reference after checking it converged.

    Takes a :class:`lassokit.Solution` (certified ``optimal``), a
    :class:`lassokit.Path` (every strength converged) or a fitted lassokit
    estimator (its ``solution_``). For scikit-learn references, fit inside
    :func:`sklearn_converged`.
    """
    sol = getattr(ref, "solution_", ref)
    conv = np.asarray(sol.converged)
    assert conv.all(), (
        f"the reference did not converge ({int(conv.size - conv.sum())} of {conv.size} "
        f"unconverged): raise its max_iter or loosen its tol to one it reaches: {sol!r}"
    )
    status = getattr(sol, "status", "optimal")
    assert status == "optimal", f"reference status {status!r}: {sol!r}"
    return ref


@contextlib.contextmanager
def sklearn_converged():
    """Inside this block a ``ConvergenceWarning`` is an error.

    scikit-learn warns exactly when a solver stops short of its ``tol``
    (coordinate descent: gap above tol at max_iter; lbfgs / sparse_cg: not
    converged), so a scikit-learn reference computed in this block is a
    converged one or the test fails saying so. lassokit's
    ``ConvergenceWarning`` subclasses scikit-learn's, so lassokit references
    in the block are held to the same rule.
    """
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        yield


#: The tight settings of a scikit-learn coordinate-descent reference (fitted
#: inside :func:`sklearn_converged`).
SK_TIGHT = {"tol": 1e-14, "max_iter": 1_000_000}
