"""Problems with a coefficient matrix (2-D ``y``) or a group penalty.

``lk.Problem(X, Y, penalty)`` returns a :class:`MatrixProblem` when ``Y``
has several columns or the penalty holds a :func:`~lassokit.GroupL2` term;
everything a user calls on a Problem (``solve``, ``objective``,
``certify``, ``alpha_max``, ``lk.path``, ``lk.verify``) works on it, with
coefficients of shape (n_features, K).
"""

from __future__ import annotations

import time
from dataclasses import replace as _dc_replace

import numpy as np
import scipy.sparse as sp

from .. import _kernel_time
from .._data import _sparse_view, _view, feature_names_of, restore_problem_state
from .._solve import checked_call
from .._validation import (
    check_bool,
    check_sample_weight,
    check_X,
)
from ..certificate import Certificate
from ..group import GroupPenalty, layout_value
from ..losses import Multinomial, as_loss
from ..penalty import Penalty
from ..problem import Problem, register_matrix_class
from ._certify import certify_design, is_multinomial
from ._design import make_matrix_design, xw
from .solution import MatrixSolution

__all__ = ["MatrixProblem", "is_matrix_problem"]


def is_matrix_problem(y, penalty, loss):
    """Whether ``Problem(X, y, penalty, loss=loss)`` states a matrix or group problem."""
    if isinstance(penalty, GroupPenalty):
        return True
    if isinstance(loss, Multinomial) or (isinstance(loss, str)
                                         and loss.strip().lower() == "multinomial"):
        return True
    try:
        shape = np.shape(y)
    except (TypeError, ValueError):
        return False
    return len(shape) == 2 and shape[1] > 1


def _check_target(y, n):
    if sp.issparse(y):
        y = y.toarray()
    arr = np.asarray(y)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"y must be numeric, got dtype {arr.dtype}.")
    if arr.ndim not in (1, 2):
        raise ValueError(f"y must be of shape (n_samples,) or (n_samples, n_targets), "
                         f"got shape {arr.shape}.")
    if arr.shape[0] != n:
        raise ValueError(f"y has {arr.shape[0]} rows, expected {n} (one per sample).")
    if arr.ndim == 2 and arr.shape[1] == 0:
        raise ValueError("y has no columns (n_targets must be >= 1).")
    arr = arr.astype(np.float64, copy=False)
    if not np.all(np.isfinite(arr)):
        raise ValueError("y contains NaN or infinity.")
    return arr


class MatrixProblem(Problem):
    """A penalized regression problem with a coefficient matrix or a group penalty.

    Built by :class:`~lassokit.Problem` itself when ``y`` is 2-D with
    several columns or the penalty holds :func:`~lassokit.GroupL2`; the
    parameters are :class:`~lassokit.Problem`'s. The objective is

        P(W, b) = 1/(2n) sum_i s_i ||y_i - W^T x_i - b||^2 + Omega(W),

    with ``W`` of shape (n_features, K) (a vector for a 1-D ``y``), ``b``
    of shape (K,), and ``Omega`` the L1 and L2 terms entry by entry plus the
    group term ``alpha sum_g w_g ||W_g||_2``. With an entry-wise penalty
    the K columns are K independent problems; the group term couples them.

    Notes
    -----
    ``positive`` and ``bounds`` are not taken with a coefficient matrix or
    a group penalty (a ``ValueError`` says so); the squared loss only.
    """

    _is_matrix = True

    def __init__(self, X, y, penalty, *, loss="squared", fit_intercept=True, sample_weight=None,
                 positive=False, offset=None, bounds=None):
        if not isinstance(penalty, (Penalty, GroupPenalty)):
            raise TypeError("penalty must be built from lk.L1, lk.L2 and lk.GroupL2, got "
                            f"{type(penalty).__name__}.")
        multinomial = isinstance(loss, Multinomial) or (isinstance(loss, str)
                                                         and loss.strip().lower() == "multinomial")
        self._loss = Multinomial() if multinomial else as_loss(loss)
        if not (multinomial or self._loss.least_squares):
            raise ValueError("a coefficient matrix (2-D y) or a group penalty takes the squared "
                             f"or the multinomial loss; got loss={loss!r}.")
        if check_bool(positive, "positive") or bounds is not None:
            raise ValueError("positive and bounds are not supported with a coefficient matrix "
                             "(2-D y) or a group penalty.")
        if multinomial and offset is not None:
            raise ValueError("offset is not supported with the multinomial loss.")
        self._feature_names = feature_names_of(X)
        self._X = check_X(X)
        if sp.issparse(self._X):
            self._X = _sparse_view(self._X)
        n = self._X.shape[0]
        if multinomial:
            idx, self._classes = self._loss.check_y(y)
            self._labels = np.asarray(y)
            self._y_raw = _view(idx.astype(np.float64))
        else:
            self._classes = None
            self._y_raw = _view(_check_target(y, n))
        self._offset = None
        if offset is not None:
            off = _check_target(offset, n)
            if off.ndim == 2 and off.shape != self._y_raw.shape:
                raise ValueError(f"offset has shape {off.shape}, expected {self._y_raw.shape} "
                                 "or (n_samples,).")
            self._offset = _view(off)
        self._penalty = penalty
        self._fit_intercept = check_bool(fit_intercept, "fit_intercept")
        self._positive = False
        self._box = None
        self._bounds = None
        self._sw_raw = None if sample_weight is None else _view(
            np.full(n, float(sample_weight)) if np.ndim(sample_weight) == 0
            else np.asarray(sample_weight, dtype=np.float64))
        self._sample_weight = check_sample_weight(sample_weight, n)
        self._layout = self._make_layout(penalty)
        self._live = True

    def _make_layout(self, penalty):
        if isinstance(penalty, GroupPenalty):
            return penalty.layout(self.n_features)
        return GroupPenalty(0.0, None, None, penalty).layout(self.n_features)

    # -- attributes ---------------------------------------------------------------
    @property
    def y(self):
        """ndarray: the target as given (read-only, float64), less the offset."""
        return self._target()

    @property
    def n_targets(self):
        """int: the number of columns K of the coefficient matrix (classes for multinomial)."""
        if self._classes is not None:
            return self._classes.size
        return 1 if self._y_raw.ndim == 1 else self._y_raw.shape[1]

    @property
    def classes(self):
        """ndarray or None: the sorted class labels (multinomial loss), column by column."""
        return self._classes

    @property
    def _one_target(self):
        return self._classes is None and self._y_raw.ndim == 1

    @property
    def layout(self):
        """GroupLayout: the penalty's blocks as the solvers read them."""
        return self._layout

    def _target(self):
        y = self._y_raw
        if self._offset is not None:
            off = self._offset
            y = y - (off[:, None] if off.ndim == 1 and y.ndim == 2 else off)
        return y

    def _refresh(self):
        if not np.all(np.isfinite(self._y_raw)):
            raise ValueError("y contains NaN or infinity (written into it after the Problem "
                             "was built?).")
        if self._sw_raw is not None:
            self._sample_weight = check_sample_weight(self._sw_raw, self.n_samples)

    def design(self):
        """The prepared data of this call (:class:`~lassokit.matrix.MatrixDesign`)."""
        self._refresh()
        if self._classes is not None:
            from ._multinomial import make_multinomial_design

            return make_multinomial_design(self._X, self._y_raw.astype(np.int64),
                                           self._classes.size, self._sample_weight,
                                           self._fit_intercept, self._layout)
        Y = self._target()
        Y2 = Y[:, None] if Y.ndim == 1 else Y
        return make_matrix_design(self._X, Y2, self._sample_weight, self._fit_intercept,
                                  self._layout)

    def _as_matrix(self, coef, name="coef"):
        W = np.asarray(coef, dtype=np.float64)
        p, K = self.n_features, self.n_targets
        if W.shape == (p,) and K == 1:
            W = W[:, None]
        if W.shape != (p, K):
            want = f"({p},)" if self._one_target else f"({p}, {K})"
            raise ValueError(f"{name} has shape {W.shape}, expected {want}.")
        if not np.all(np.isfinite(W)):
            raise ValueError(f"{name} must be finite.")
        return W

    def _shape_out(self, W):
        return W[:, 0] if self._one_target else W

    # -- the math -------------------------------------------------------------------
    def objective(self, coef, intercept=None):
        """The objective ``P(W, b)``.

        Parameters
        ----------
        coef : array-like of shape (n_features, K) or (n_features,)
        intercept : array-like of shape (K,) or float, optional
            Default: the optimal intercept for ``coef`` (0 without one).

        Returns
        -------
        float
        """
        d = self.design()
        W = self._as_matrix(coef)
        if intercept is None:
            return certify_design(d, W)[0]
        b = np.broadcast_to(np.asarray(intercept, dtype=np.float64), (d.K,))
        if not np.all(np.isfinite(b)):
            raise ValueError("intercept must be finite.")
        if not self._fit_intercept and np.any(b != 0):
            raise ValueError("intercept must be 0 on a problem with fit_intercept=False.")
        Z = xw(d, W) + (b + d.x_offset @ W)[None, :]
        if self._classes is not None:
            from ._multinomial import objective_at

            return objective_at(d, Z, W)
        R = d.Y + d.y_offset[None, :] - Z
        fit = 0.5 * float(np.einsum("ik,ik,i->", R, R, d.h)) / d.n
        return fit + layout_value(self._layout, W)

    def certify(self, coef, dual_points=()):
        """Objective, optimal intercept and duality gap for ``coef``.

        Parameters
        ----------
        coef : array-like of shape (n_features, K) or (n_features,)
        dual_points : ()
            Not taken for matrix problems.

        Returns
        -------
        Certificate
            ``intercept`` of shape (K,).
        """
        if len(tuple(dual_points)):
            raise ValueError("dual_points are not taken with a coefficient matrix.")
        d = self.design()
        W = self._as_matrix(coef)
        objective, gap, b = certify_design(d, W)
        return Certificate(objective, b[0] if self._one_target else b, gap, d.p0)

    def dual_gap(self, coef):
        """The certified duality gap at ``coef`` (with its optimal intercept)."""
        return self.certify(coef).dual_gap

    def alpha_max(self):
        """The smallest strength at which ``W = 0`` is optimal.

        With a group term: the overall strength (:attr:`GroupPenalty.total`,
        every term scaled in proportion), which for ``lk.GroupL2(alpha)``
        alone is ``alpha`` and for ``GroupL2(alpha r) + L1(alpha (1 - r))``
        is ``alpha``. With an entry-wise penalty: the L1 strength ``a1``,
        the L2 part held fixed, as for a one-target problem. Features with no
        penalty are fitted first; ``inf`` when no strength makes ``W = 0``
        optimal (a feature penalized by an L2 term only).

        Returns
        -------
        float
        """
        from ._path import matrix_alpha_max

        top = matrix_alpha_max(self)
        pen = self._penalty
        return top if isinstance(pen, GroupPenalty) else top * pen.l1_ratio

    # -- solving ----------------------------------------------------------------------
    def solve(self, backend="auto", *, tol=1e-6, max_iter=None, warm_start=None,
              verbose=False, **options):
        """Solve the problem and certify the answer (see :meth:`lassokit.Problem.solve`).

        ``backend`` is ``"auto"`` (``"cd"``), ``"cd"`` or ``"cvxpy"``: the
        backends that take a coefficient matrix or a group penalty.
        ``warm_start`` has the shape of ``coef``.

        Returns
        -------
        MatrixSolution
        """
        be, tol, max_iter, verbose = checked_call(self, backend, tol, max_iter, verbose, options)
        W0 = None
        if warm_start is not None:
            W0 = self._as_matrix(getattr(warm_start, "coef", warm_start), "warm_start")
        d = self.design()
        c = 1.0 if self._classes is not None else _target_scale(d)
        ds = d if c == 1.0 else _rescaled_design(d, c)
        start = time.perf_counter()
        raw = be.solve_matrix(self, ds, tol=tol,
                              max_iter=be.default_max_iter if max_iter is None else max_iter,
                              warm_start=None if W0 is None else W0 / c, **options)
        elapsed = time.perf_counter() - start
        elapsed = max(elapsed - float(raw.get("info", {}).get("compile_time", 0.0)), 0.0)
        sol = self._finish(ds, raw, be.name, tol, elapsed,
                           max_iter=be.default_max_iter if max_iter is None else max_iter)
        if c != 1.0:
            sol = sol.rescaled(c, self.dtype)
        if verbose:
            print(sol)
        return sol

    def _finish(self, d, raw, name, tol, elapsed, *, max_iter):
        W = np.asarray(raw.get("coef"), dtype=np.float64)
        status = None
        if W.shape != (d.p, d.K) or not np.all(np.isfinite(W)):
            W, status = np.zeros((d.p, d.K)), "error"
        W[self._layout.excluded] = 0.0
        unrounded = W
        W = W.astype(self.dtype).astype(np.float64)
        info = dict(raw.get("info", {}))
        done = info.pop("certified", None)
        if done is not None and name == "cd" and self.dtype == np.float64 and status is None \
                and not is_multinomial(d):
            # lassokit's own solver certified exactly this W from a fresh
            # residual as its last step: the same computation, not repeated.
            objective, gap = done
            b = d.y_offset - d.x_offset @ W if d.fit_intercept else np.zeros(d.K)
        else:
            objective, gap, b = certify_design(
                d, W, None if self.dtype == np.float64 else unrounded)
        rel = gap / d.p0 if d.p0 > 0 else (0.0 if gap == 0 else np.inf)
        converged = status is None and rel <= tol
        n_iter = int(raw.get("n_iter", 0))
        if converged:
            status = "optimal"
        elif status is None:
            status = "max_iter" if n_iter >= max_iter else "inaccurate"
        if not converged:
            import warnings

            from ..solution import convergence_warning

            warnings.warn(f"backend {name!r} stopped with status {status!r} at a relative "
                          f"duality gap of {rel:.3g} (tol={tol:g}); raise max_iter or tol.",
                          convergence_warning(), stacklevel=4)
        if self._classes is not None:
            info["classes"] = self._classes
        return MatrixSolution(coef=self._shape_out(W).astype(self.dtype),
                              intercept=b[0] if self._one_target else b,
                              objective=objective, dual_gap=gap, rel_gap=rel,
                              converged=converged, status=status, n_iter=n_iter, backend=name,
                              solve_time=elapsed, tol=tol, info=info, loss=self._loss)

    def replace(self, **changes):
        """A copy with some fields changed (``penalty=``, ``y=``, ...).

        Parameters
        ----------
        **changes
            Any of ``X``, ``y``, ``penalty``, ``loss``, ``fit_intercept``,
            ``sample_weight``, ``offset``.

        Returns
        -------
        Problem
        """
        y = self._labels if self._classes is not None else self._y_raw
        fields = {"X": self._X, "y": y, "penalty": self._penalty, "loss": self._loss,
                  "fit_intercept": self._fit_intercept, "sample_weight": self._sw_raw,
                  "offset": self._offset}
        unknown = set(changes) - set(fields)
        if unknown:
            raise TypeError(f"replace() got unknown field(s): {', '.join(sorted(unknown))}.")
        fields.update(changes)
        X, y, penalty = fields.pop("X"), fields.pop("y"), fields.pop("penalty")
        return Problem(X, y, penalty, **fields)

    def __setstate__(self, state):
        restore_problem_state(self, state)

    def __repr__(self):
        return (f"Problem(n_samples={self.n_samples}, n_features={self.n_features}, "
                f"n_targets={self.n_targets}, penalty={self._penalty!r})")


def _target_scale(d):
    """A power of two bringing ``max |Yc|`` near 1 when it is far from it (else 1)."""
    top = float(np.max(np.abs(d.Y))) if d.Y.size else 0.0
    if top == 0.0 or 2.0**-60 <= top <= 2.0**60:
        return 1.0
    return float(2.0 ** np.round(np.log2(top)))


def _rescaled_design(d, c):
    """The design for ``Y / c``: L1 and group strengths over ``c``, L2 unchanged.

    ``P(c W'; Y) = c^2 P'(W'; Y / c)`` with the L1 and group strengths of
    ``P'`` divided by ``c``, so the solutions and certificates map exactly
    (c is a power of two).
    """
    lay = _dc_replace(d.layout, lam=d.layout.lam / c, galpha=d.layout.galpha / c)
    Y = d.Y / c
    # P(0, b0) from the scaled target itself: d.p0 / c^2 would divide an
    # under- or overflowed value (targets of 1e-170 or 1e160).
    p0 = 0.5 * float(np.einsum("ik,ik,i->", Y, Y, d.h)) / d.n
    return _dc_replace(d, Y=Y, y_offset=d.y_offset / c, layout=lay, p0=p0)


_ = _kernel_time  # compile time is reported by the backend's info


register_matrix_class(MatrixProblem, is_matrix_problem)
