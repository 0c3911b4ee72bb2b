"""What a backend hands back: :class:`BackendResult`, and the checks made on it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["BackendResult", "as_result", "real_coef"]


@dataclass
class BackendResult:
    """What a backend hands back: coefficients plus optional extras.

    Attributes
    ----------
    coef : ndarray of shape (n_features,)
    intercept : float
        Ignored for certification: lassokit recomputes the optimal intercept.
    n_iter : int
    status : str
        The backend's own verdict: ``"success"``, ``"max_iter"`` or ``"error"``;
        only used to name the status of an unconverged solve.
    dual_points : tuple of ndarray
        Extra dual candidates in residual space (``n_samples,``) that the
        certificate may try, e.g. extrapolated residuals.
    info : dict
        Anything else worth reporting.
    sums : lassokit.certificate.DualSums or None
        The residual sums at ``coef`` that lassokit's own solvers already
        hold, so that certifying costs no pass over X. Honoured only from
        backends whose class sets ``exact_sums = True`` (the built-in
        ``"cd"``); ignored from any other backend.
    """

    coef: np.ndarray
    intercept: float = 0.0
    n_iter: int = 0
    status: str = "success"
    dual_points: tuple = ()
    info: dict = field(default_factory=dict)
    sums: object = None


def as_result(raw, name):
    """What a backend's ``solve`` returned, as a :class:`BackendResult`.

    Parameters
    ----------
    raw : BackendResult or dict
        A dict holds the fields of a :class:`BackendResult`.
    name : str
        The backend's name, for the error.

    Returns
    -------
    BackendResult

    Raises
    ------
    TypeError
        For anything else (``None`` from a ``solve`` that forgot to return,
        a bare array), naming the backend: every caller (single solves,
        paths, cross-validation) says the same.
    """
    if isinstance(raw, dict):
        try:
            raw = BackendResult(**raw)
        except TypeError as exc:
            raise TypeError(f"backend {name!r} returned a dict that is not a BackendResult: "
                            f"{exc}") from None
    if not isinstance(raw, BackendResult):
        raise TypeError(
            f"backend {name!r} returned {type(raw).__name__}; "
            "expected a BackendResult or a dict with coef, intercept and n_iter."
        )
    return raw


def real_coef(coef, p):
    """``coef`` as a float64 vector of ``p`` finite reals, or None when it is not one.

    Nothing is cast that would change the point: complex coefficients are
    refused, not stripped of their imaginary part (which would certify a
    point the backend never returned), and strings are not parsed. A
    ``(p, 1)`` array is accepted (raveled).
    """
    try:
        arr = np.asarray(coef)
        if arr.dtype.kind not in "biufO" or (
                arr.dtype.kind == "O" and any(np.iscomplexobj(a) for a in arr.flat)):
            return None
        arr = arr.astype(np.float64, copy=False).ravel()
    except (TypeError, ValueError):
        return None
    if arr.shape != (p,) or not np.all(np.isfinite(arr)):
        return None
    return arr
