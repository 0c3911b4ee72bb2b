"""Tight settings of the solvers CVXPY drives, shared by the ``"cvxpy"`` backend's
statements (one target: :mod:`lassokit.backends.cvxpy_backend`; matrices and
groups: :mod:`lassokit.backends._cvxpy_matrix`)."""

from __future__ import annotations

__all__ = ["_SETTINGS"]


def _osqp_polish_key():
    """OSQP 1.0 renamed ``polish`` to ``polishing`` and warns on the old name."""
    import osqp

    major = int(str(getattr(osqp, "__version__", "1")).split(".")[0] or 1)
    return "polish" if major < 1 else "polishing"


# The solvers keep their iteration limit in a C int (Clarabel: u32) and refuse
# a larger one; lassokit's "no limit" is int64-sized.
_INT_MAX = 2**31 - 1


def _clarabel_settings(tol, max_iter):
    return dict(max_iter=min(max_iter, _INT_MAX), tol_gap_abs=1e-12, tol_gap_rel=min(1e-10, tol * 1e-4),
                tol_feas=1e-10, tol_ktratio=1e-8)


def _osqp_settings(tol, max_iter):
    eps = min(1e-9, tol * 1e-3)
    return {"max_iter": min(max_iter, _INT_MAX), "eps_abs": eps, "eps_rel": eps, _osqp_polish_key(): True}


def _scs_settings(tol, max_iter):
    eps = min(1e-9, tol * 1e-3)
    return dict(max_iters=min(max_iter, _INT_MAX), eps_abs=eps, eps_rel=eps)


# Tight settings per solver, as functions of the requested relative gap and
# lassokit's iteration budget, in each solver's own option names (SCS says
# ``max_iters``, Clarabel and OSQP ``max_iter``). Other solvers get none:
# their names are unknown here, and the certificate still judges the result.
_SETTINGS = {
    "CLARABEL": _clarabel_settings,
    "OSQP": _osqp_settings,
    "SCS": _scs_settings,
}

