"""The data a Problem refers to: read-only views, and the statistics derived per call.

A :class:`~lassokit.Problem` holds views of the caller's arrays and derives
everything else -- weighted column means, the exactly centred target,
``P(0, b0)`` -- afresh at each public call (see its notes); this module
holds those derivations and the prepared-data record (:class:`_Design`)
that backends and the certificate share.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from . import _linalg

__all__ = ["data_statistics", "feature_names_of", "make_design", "null_objective", "problem_state",
           "restore_problem_state"]


@dataclass(frozen=True)
class _Design:
    """Float64 quantities every backend and the certificate share.

    ``yc`` and ``x_offset`` are the weighted-centred target and the weighted
    column means (zeros without intercept); X itself is never centred, only
    implicitly.
    """

    n: int
    p: int
    sw: np.ndarray | None
    x_offset: np.ndarray
    y_offset: float
    yc: np.ndarray
    lam: np.ndarray
    mu: np.ndarray
    #: Lower and upper bounds, shape (2, p), always present (-inf/inf when
    #: unconstrained); see :mod:`lassokit._box`.
    box: np.ndarray
    #: The box is exactly ``positive=True``'s (0, inf) on every feature.
    positive: bool
    #: Some coefficient is constrained (the box is not all -inf/inf).
    bounded: bool
    fit_intercept: bool
    unpenalized: np.ndarray
    p0: float
    #: Penalized features whose penalty is zero to within rounding (see
    #: :func:`lassokit.certificate.weak_features`); None: not computed yet.
    weak: np.ndarray | None = None


def _view(a):
    """A read-only float64 view of ``a`` (a converted copy when it is not float64)."""
    v = np.asarray(a, dtype=np.float64).view()
    v.flags.writeable = False
    return v


def _sparse_view(X):
    """A CSR/CSC matrix on read-only views of ``X``'s buffers (COO etc. are converted)."""
    if X.format not in ("csr", "csc"):
        X = X.tocsc()
    parts = []
    for a in (X.data, X.indices, X.indptr):
        v = a.view()
        v.flags.writeable = False
        parts.append(v)
    return type(X)(tuple(parts), shape=X.shape, copy=False)


def _freeze(X):
    """Make X's buffers (a sparse matrix's data, indices and indptr) read-only."""
    if sp.issparse(X):
        for name in ("data", "indices", "indptr", "row", "col", "offsets"):
            a = getattr(X, name, None)
            if isinstance(a, np.ndarray):
                a.flags.writeable = False
    else:
        X.flags.writeable = False


def _centred(y, sw, n):
    """``(mean, y - mean)`` of ``y`` (weighted by ``sw``), centred to the last digit.

    One pass leaves the mean wrong by up to ``n eps |mean|``: with an offset
    of 1e15 that is a constant of ~0.1 left in ``yc``, whose square entered
    every objective and gap (the intercept cannot absorb it once ``yc`` is
    taken as centred). A second, corrective pass on the residuals
    ``y - m`` (computed exactly where ``y`` is close to ``m``: Sterbenz)
    brings the error down to ``~eps |mean|``.
    """
    y = np.asarray(y, dtype=np.float64)
    m = float(np.mean(y) if sw is None else (sw @ y) / n)
    yc = y - m
    corr = float(np.mean(yc) if sw is None else (sw @ yc) / n)
    if corr != 0.0:
        # Subtracted from the small residuals, not folded into m first: at
        # 1e15 the corrected mean rounds back to m (its ulp is 0.125) and
        # the constant would stay in yc.
        yc -= corr
        m += corr
    return m, yc


def data_statistics(X, y, sw, fit_intercept):
    """``(x_offset, y_offset, yc, p0)`` of the data as it is now.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,), float64
    sw : ndarray of shape (n_samples,) or None
        Normalized sample weights (sum to n).
    fit_intercept : bool

    Returns
    -------
    tuple
        Weighted column means (zeros without intercept), the weighted mean of
        ``y``, the centred target and ``P(0, b0) = ||yc||_S^2 / (2n)``.
    """
    n, p = X.shape
    if fit_intercept:
        x_offset = _linalg.weighted_column_means(X, sw)
        y_offset, yc = _centred(y, sw, n)
    else:
        x_offset, y_offset = np.zeros(p), 0.0
        yc = np.asarray(y, dtype=np.float64)
    return x_offset, y_offset, yc, null_objective(yc, sw)


def null_objective(yc, sw):
    """``P(0, b0) = ||yc||_S^2 / (2n)`` of a centred target ``yc``."""
    syc = yc if sw is None else sw * yc
    with np.errstate(over="ignore", under="ignore"):
        # Out of range only for targets that are solved rescaled (or
        # refused): see lassokit._rescale.
        return 0.5 * float(syc @ yc) / yc.shape[0]


def feature_names_of(X):
    """Column names of a DataFrame-like ``X`` when every one is a string, else None.

    The rule is scikit-learn's for ``feature_names_in_``: integer or mixed
    column labels are not names a reader would recognise on a plot.
    """
    columns = getattr(X, "columns", None)
    if columns is None:
        return None
    names = np.asarray(list(columns), dtype=object)
    if names.size == 0 or not all(isinstance(c, str) for c in names):
        return None
    return names


def kernel_box(box, p):
    """``(box, positive, bounded)`` of a problem's box (None: unconstrained), as designs hold them.

    The kernels always take a ``(2, p)`` array: without constraints it is
    ``-inf``/``inf`` (one shared read-only array per call).
    """
    if box is None:
        full = np.empty((2, p))
        full[0], full[1] = -np.inf, np.inf
        full.flags.writeable = False
        return full, False, False
    return box, bool(np.all(box[0] == 0.0) and np.all(box[1] == np.inf)), True


def free_features(lam, mu, box):
    """Features with neither penalty term whose dual constraint needs a projection.

    Those with an infinite bound on an open side: a finite box alone makes
    the conjugate finite, and a pinned feature (box (0, 0)) has none.
    """
    free = (lam == 0) & (mu == 0)
    return np.flatnonzero(free & ((box[0] == -np.inf) | (box[1] == np.inf)))


def make_design(stats, penalty, sw, box, fit_intercept):
    """The :class:`_Design` of data statistics ``stats`` and ``penalty``.

    Parameters
    ----------
    stats : tuple
        ``(x_offset, y_offset, yc, p0)`` from :func:`data_statistics`.
    penalty : Penalty
    sw : ndarray or None
        Normalized sample weights.
    box : ndarray of shape (2, n_features) or None
        The coefficients' bounds (:func:`lassokit._box.make_box`).
    fit_intercept : bool

    Returns
    -------
    _Design
    """
    from .certificate import weak_features

    x_offset, y_offset, yc, p0 = stats
    lam, mu = penalty.strengths(x_offset.shape[0])
    box, positive, bounded = kernel_box(box, x_offset.shape[0])
    for arr in (x_offset, yc, lam, mu):
        arr.flags.writeable = False
    return _Design(n=yc.shape[0], p=x_offset.shape[0], sw=sw, x_offset=x_offset,
                   y_offset=y_offset, yc=yc, lam=lam, mu=mu, box=box, positive=positive,
                   bounded=bounded, fit_intercept=fit_intercept,
                   unpenalized=free_features(lam, mu, box), p0=p0,
                   weak=weak_features(lam, mu, p0, uniform=penalty.l1_weights is None
                                      and penalty.l2_weights is None))


#: What a copy or pickle of a Problem carries: the data and the statement,
#: never anything derived from them (a copy derives its own).
_STATE = ("_X", "_y", "_y_raw", "_loss", "_penalty", "_fit_intercept", "_offset", "_positive",
          "_box", "_bounds", "_sample_weight", "_sw_raw", "_live", "_feature_names",
          # a matrix problem's (lassokit.matrix.problem)
          "_layout", "_classes", "_labels")


def problem_state(attrs):
    """The picklable state of a Problem (its ``__dict__`` less derived quantities)."""
    return {k: v for k, v in attrs.items() if k in _STATE}


def restore_problem_state(problem, state):
    """Set ``state`` on ``problem`` with every array read-only again.

    ``copy.deepcopy`` and pickle build new arrays, writable by default:
    writing into them would make every later certificate describe data the
    problem no longer holds.
    """
    from .losses import as_loss

    attrs = problem.__dict__
    attrs.update(state)
    attrs.setdefault("_loss", as_loss("squared"))
    attrs.setdefault("_y_raw", attrs.get("_y"))
    attrs.setdefault("_box", None)
    _freeze(attrs["_X"])
    for key in ("_y", "_y_raw", "_sample_weight", "_sw_raw", "_offset"):
        arr = attrs.get(key)
        if isinstance(arr, np.ndarray):
            arr.flags.writeable = False
