"""Box constraints ``lower <= w <= upper`` on the coefficients: one mechanism.

``positive=True`` is the box ``(0, inf)``; a feature excluded by an infinite
penalty weight is the box ``(0, 0)``. Every solver and certificate sees the
box as one read-only ``(2, p)`` float64 array ``box`` (row 0 the lower
bounds, row 1 the upper ones), with ``lower <= 0 <= upper`` so that 0 is
always feasible (the certificate's scaled dual points and the path's start
rely on it).

The box enters the duality of the problem through the conjugate of each
coordinate's penalty ``h_j(w) = lam_j |w| + mu_j w^2 / 2 + [lower_j <= w <=
upper_j]``: on the side ``s`` (+ for the upper bound, - for the lower) whose
correlation ``e = s u`` is positive,

    h_j*(u) = max_{0 <= t <= B} (e - lam_j) t - mu_j t^2 / 2,

``B`` that side's bound (``upper_j`` or ``-lower_j``). An infinite ``B``
with ``mu_j = 0`` makes it the indicator of ``e <= lam_j`` (the usual Lasso
dual constraint); a finite one makes it finite everywhere, so a bounded
coordinate never limits the scale of a dual point. A zero bound removes the
side. See the documentation's "The certificate" page, section "Bounds".
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "as_correlation",
    "box_score",
    "check_limits",
    "check_side",
    "clip",
    "conjugate",
    "conjugate_slope",
    "is_positive_box",
    "kbox",
    "make_box",
    "outside",
    "projection_bounds",
    "round_into",
    "sides",
]


def check_side(value, name, n_features, sign):
    """One side of a box as a float64 array of shape (n_features,), a private copy.

    ``None`` is no bound on that side; ``sign`` is -1 for lower bounds (which
    must be <= 0) and +1 for upper ones (>= 0). Messages name ``name``.
    """
    if value is None:
        return np.full(n_features, -np.inf if sign < 0 else np.inf)
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be None, a number or an array of numbers, got a bool.")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be None, a number or an array of numbers.") from exc
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be None, a number or an array of real numbers, got "
                        f"dtype {arr.dtype}.")
    arr = np.array(arr, dtype=np.float64)  # a private copy: the caller's stays as given
    if arr.ndim == 0:
        arr = np.full(n_features, float(arr))
    if arr.shape != (n_features,):
        raise ValueError(f"{name} must be a number or an array of shape (n_features,) = "
                         f"({n_features},), got shape {arr.shape}.")
    if np.any(np.isnan(arr)):
        raise ValueError(f"{name} contains NaN (use -inf/inf for an unbounded side).")
    wrong = np.flatnonzero(arr > 0 if sign < 0 else arr < 0)
    if wrong.size:
        j = int(wrong[0])
        raise ValueError(f"{name} must be {'<= 0' if sign < 0 else '>= 0'} for every feature "
                         f"(coef = 0 must be feasible), got {name}[{j}] = {float(arr[j])!r}.")
    return arr


def check_limits(lower_bounds, upper_bounds, n_features):
    """The Problem's ``bounds`` of ``lower_bounds`` and ``upper_bounds``, or None.

    The one check of these two keywords, shared by the path functions and
    the estimators, so that every message names them (the problem's would
    say ``bounds``). Each is None (unbounded on that side), a number or an
    array of shape (n_features,), with ``lower <= 0 <= upper`` and
    ``-inf``/``inf`` allowed.

    Parameters
    ----------
    lower_bounds, upper_bounds : None, float or array-like of shape (n_features,)
    n_features : int

    Returns
    -------
    (ndarray, ndarray) or None
        Private float64 arrays of shape (n_features,) (a None side filled
        with ``-inf``/``inf``), or None when nothing is bounded (both None,
        or every bound infinite).

    Raises
    ------
    ValueError
        A wrong shape, NaN, a positive lower or a negative upper bound.
    TypeError
        A bool or a non-numeric value.
    """
    if lower_bounds is None and upper_bounds is None:
        return None
    lower = check_side(lower_bounds, "lower_bounds", n_features, -1)
    upper = check_side(upper_bounds, "upper_bounds", n_features, +1)
    if np.all(lower == -np.inf) and np.all(upper == np.inf):
        return None  # the unconstrained problem itself, on its unconstrained code paths
    return lower, upper


def make_box(bounds, positive, n_features, excluded=None):
    """The ``(2, p)`` box of ``bounds``, ``positive`` and excluded features, or None.

    Parameters
    ----------
    bounds : tuple (lower, upper) or None
        Scalars or arrays of shape (n_features,); ``lower <= 0 <= upper``,
        ``-inf``/``inf`` allowed.
    positive : bool
        Adds ``w >= 0`` (intersected with ``bounds``).
    n_features : int
    excluded : ndarray of bool, optional
        Features pinned at 0 (an infinite penalty weight).

    Returns
    -------
    ndarray of shape (2, n_features) or None
        None when nothing is constrained.
    """
    if bounds is None and not positive and (excluded is None or not excluded.any()):
        return None
    box = np.empty((2, n_features))
    box[0], box[1] = -np.inf, np.inf
    if bounds is not None:
        if not isinstance(bounds, (tuple, list)) or len(bounds) != 2:
            raise ValueError("bounds must be a pair (lower, upper) of numbers or arrays of "
                             f"shape (n_features,), got {type(bounds).__name__}.")
        box[0] = check_side(bounds[0], "bounds[0]", n_features, -1)
        box[1] = check_side(bounds[1], "bounds[1]", n_features, +1)
    if positive:
        box[0] = np.maximum(box[0], 0.0)
    if excluded is not None and excluded.any():
        box[:, excluded] = 0.0
    if np.all(box[0] == -np.inf) and np.all(box[1] == np.inf):
        return None
    box.flags.writeable = False
    return box


def kbox(box):
    """The box as every kernel takes it: a writable C-ordered float64 (2, m) copy.

    One array type for every caller (a design's read-only box, a working
    set's slice), so each kernel compiles one signature.
    """
    return np.array(box, dtype=np.float64, order="C")


def is_positive_box(box):
    """Whether ``box`` is exactly ``positive=True``'s ``(0, inf)`` (or no box)."""
    return box is None or bool(np.all(box[0] == 0.0) and np.all(box[1] == np.inf))


def box_score(u, box):
    """The signed correlation of each feature on its movable sides.

    ``u`` where only the upper side is open (``lower == 0 < upper``), ``-u``
    where only the lower one is, ``|u|`` where both are and ``-inf`` where
    neither is (a feature pinned at 0). Without a box, ``|u|``.
    """
    if box is None:
        return np.abs(u)
    return sides(u, box)[0]


def sides(u, box):
    """``(e, B)``: per feature the open side's correlation and bound (see :func:`box_score`).

    ``B`` is ``upper`` on the upper side, ``-lower`` on the lower one, ``inf``
    without a box and 0 where no side is open (``e = -inf`` there).
    """
    if box is None:
        return np.abs(u), np.full(np.shape(u), np.inf)
    up = np.where(box[1] > 0, u, -np.inf)
    down = np.where(box[0] < 0, -u, -np.inf)
    lower_side = down > up
    return np.where(lower_side, down, up), np.where(lower_side, -box[0], box[1])


def conjugate(u, lam, mu, box=None):
    """``sum_j h_j*(u_j)``: the conjugate of the penalty with the box (module docstring).

    Coordinates with ``mu_j = 0`` and an infinite bound on the open side are
    the indicator of ``e_j <= lam_j``; callers keep ``u`` inside it (they
    scale it), so those contribute 0 here, as do the fully free features
    the callers project out.
    """
    e, b = sides(u, box)
    with np.errstate(invalid="ignore"):
        ex = np.maximum(e - lam, 0.0)
    total = 0.0
    smooth = mu > 0
    if smooth.any():
        exs, ms, bs = ex[smooth], mu[smooth], b[smooth]
        capped = ms * bs <= exs  # t = min(ex / mu, B) stops at B
        # Scaled before squaring: ex * ex underflows (or overflows) where
        # (ex / sqrt(2 mu))^2 is representable, e.g. with X and y ~ 1e-150.
        q = exs[~capped] / np.sqrt(2.0 * ms[~capped])
        total += float(np.sum(q * q))
        total += float(np.sum(bs[capped] * (exs[capped] - 0.5 * ms[capped] * bs[capped])))
    linear = ~smooth & np.isfinite(b) & (ex > 0)
    total += float(np.sum(b[linear] * ex[linear]))
    return total


def conjugate_slope(c, e, b, lam, mu):
    """``d/dc`` and ``d^2/dc^2`` of ``sum_j h_j*(c e_j)`` at ``c >= 0`` (``(e, b)`` from :func:`sides`).

    The first is ``sum e_j t_j`` with ``t_j = clip((c e_j - lam_j) / mu_j,
    0, B_j)`` (``B_j [c e_j > lam_j]`` when ``mu_j = 0`` and ``B_j`` is
    finite); the second counts the coordinates strictly inside their bend.
    """
    with np.errstate(invalid="ignore", over="ignore"):
        ex = np.maximum(c * e - lam, 0.0)
    first, second = 0.0, 0.0
    smooth = (mu > 0) & (ex > 0)
    if smooth.any():
        es, ms, bs, xs = e[smooth], mu[smooth], b[smooth], ex[smooth]
        bending = xs < ms * bs
        first += float(np.dot(es[bending], xs[bending] / ms[bending]))
        first += float(np.dot(es[~bending], bs[~bending]))
        second += float(np.dot(es[bending] * es[bending], 1.0 / ms[bending]))
    linear = (mu == 0) & np.isfinite(b) & (ex > 0)
    first += float(np.dot(e[linear], b[linear]))
    return first, second


def as_correlation(e, box):
    """A correlation ``u`` standing in for one known only by its score bound ``e >= 0``.

    Solvers that only bound a screened feature's score hand the bound to the
    certificate as its correlation. The conjugate grows with the side's
    bound ``B`` (and an infinite side also limits the dual point's scale),
    so the stand-in points to the open side with the larger bound: ``e`` on
    the upper side, ``-e`` on the lower; its conjugate is then at least the
    true one's at every scale, and the dual value a valid lower bound. 0 for
    a pinned feature (no open side).
    """
    pinned = (box[1] == 0) & (box[0] == 0)
    return np.where(pinned, 0.0, np.where(-box[0] > box[1], -e, e))


def outside(coef, box):
    """Whether some coefficient violates the box."""
    return box is not None and bool(np.any(coef < box[0]) or np.any(coef > box[1]))


def clip(coef, box):
    """``coef`` clipped into the box (itself when there is none)."""
    return coef if box is None else np.clip(coef, box[0], box[1])


def round_into(coef64, dtype, box):
    """``coef64`` (inside the box) in ``dtype``, still inside the box.

    Rounding to float32 can step over a bound (``float32(0.1) > 0.1``): such
    entries move one ulp toward 0, which is feasible since ``lower <= 0 <=
    upper``.
    """
    dtype = np.dtype(dtype)
    coef = coef64.astype(dtype)
    if box is None or dtype == np.float64:
        return coef
    bad = (coef < box[0]) | (coef > box[1])
    if bad.any():
        coef[bad] = np.nextafter(coef[bad], dtype.type(0))
    return coef


def projection_bounds(box, idx):
    """Variable bounds of the dual projection onto unpenalized features ``idx``.

    A free feature (no L1, no L2) with an infinite upper bound needs
    ``u_j <= 0`` in the dual, one with an infinite lower bound ``u_j >= 0``:
    the least-squares fit whose residual is the projected dual point takes
    ``x_j >= 0`` resp. ``x_j <= 0`` (its KKT conditions are those
    inequalities). A finite side needs no constraint (its conjugate is
    finite); both infinite: ``u_j = 0``, ``x_j`` free. Returns None when
    every variable is free.
    """
    if box is None:
        return None
    lo, hi = box[0][idx], box[1][idx]
    upper_inf, lower_inf = np.isinf(hi), np.isinf(lo)
    lb = np.where(upper_inf & ~lower_inf, 0.0, -np.inf)
    ub = np.where(lower_inf & ~upper_inf, 0.0, np.inf)
    if np.all(lb == -np.inf) and np.all(ub == np.inf):
        return None
    return lb, ub
