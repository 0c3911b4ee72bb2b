"""The declarative problem layer: what to solve, never how.

See the documentation's "The objective" page for the objective

    P(w, b) = 1/n sum_i s_i l(y_i, x_i^T w + b)
              + sum_j [ a1 v1_j |w_j| + (a2/2) v2_j w_j^2 ],

with ``l`` the squared loss ``(y - z)^2 / 2`` unless another is named.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import scipy.sparse as sp

from . import _linalg, _loss_problem
from ._box import make_box
from ._data import (
    _sparse_view,
    _view,
    data_statistics,
    feature_names_of,
    make_design,
    problem_state,
    restore_problem_state,
)
from ._repenalize import replaced, restricted
from ._rescale import rescaled_problem, target_scale
from ._solve import solve as _solve
from ._validation import (
    check_bool,
    check_coef,
    check_sample_weight,
    check_vector,
    check_X,
)
from .certificate import Certificate, certify, compute_alpha_max, primal_value
from .losses import as_loss
from .penalty import Penalty

__all__ = ["Problem", "register_matrix_class"]

#: ``(class, test)`` of the problems with a coefficient matrix or a group
#: penalty: :mod:`lassokit.matrix.problem` subclasses Problem and registers
#: itself here when imported (lassokit's ``__init__`` imports it), so this
#: module never imports it back.
_MATRIX = []


def register_matrix_class(cls, test):
    """Build ``cls`` instead of Problem when ``test(y, penalty, loss)`` is true."""
    _MATRIX[:] = [cls, test]


class Problem:
    """A penalized regression problem: a loss, a penalty, and the data.

    Parameters
    ----------
    X : array-like or scipy.sparse matrix of shape (n_samples, n_features)
        Design matrix; float32 and float64 are kept, other numbers become
        float64. Never modified or centred in place.
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Target, in the coding the loss takes: real numbers (squared,
        Huber), two classes as {0, 1}, {-1, +1} or booleans (logistic; 0
        and False are -1), non-negative counts not all zero (Poisson),
        class labels of any type (multinomial). A 2-D ``y`` with several
        columns (squared loss) makes the coefficients a matrix of shape
        (n_features, n_targets), one column per target.
    penalty : Penalty or GroupPenalty
        Built from :func:`L1`, :func:`L2` and :func:`GroupL2`. L1 and L2
        apply entry by entry (K independent problems on a 2-D ``y``); the
        group term ``alpha sum_g w_g ||W_g||_2`` couples a group's
        coefficients (its rows of W).
    loss : str or Loss, default="squared"
        ``"squared"``, ``"logistic"``, ``"poisson"``, ``"huber"``,
        ``"multinomial"`` or a loss object (:class:`Squared`,
        :class:`Logistic`, :class:`Poisson`, :class:`Huber`,
        :class:`Multinomial`); the objective is ``1/n sum_i s_i l(y_i, x_i^T
        w + b)`` plus the penalty (see the "Losses" page). The multinomial
        loss has one coefficient column and one intercept per class.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept.
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative weights, normalized to sum to ``n_samples``.
    positive : bool, default=False
        Constrain the coefficients to be non-negative: the box ``(0, inf)``.
    bounds : tuple (lower, upper), optional
        Box constraints ``lower <= coef <= upper``, held exactly: each a
        number or an array of shape (n_features,), with ``lower <= 0 <=
        upper`` (``-inf``/``inf`` allowed; ``lower = upper = 0`` holds a
        coefficient at 0). Intersected with ``positive``. A feature whose
        L1 or L2 weight is ``inf`` is excluded: its coefficient is 0
        (glmnet's ``exclude``).
    offset : array-like of shape (n_samples,), optional
        A fixed part of the linear predictor, ``z = X w + b + offset``, not
        fitted (glmnet's offset: log exposure of a Poisson rate, a prior
        fit's predictions). For the squared and Huber losses it is the same
        as fitting ``y - offset``.

    Notes
    -----
    A 2-D ``y``, a group penalty or the multinomial loss builds a
    :class:`~lassokit.matrix.MatrixProblem` (a subclass with the same
    methods; coefficients of shape (n_features, K), intercepts of shape
    (K,); see the "Matrix coefficients and groups" page); ``positive``,
    ``bounds`` (and ``offset`` for multinomial) are not taken there.

    A Problem is a description: it refers to the caller's ``X``, ``y`` and
    ``sample_weight`` (no copy when they already are float arrays; a
    converted copy otherwise), through read-only views, and keeps nothing
    derived from them between calls. Every :meth:`solve`, path,
    certificate, :meth:`objective` or :meth:`alpha_max` reads the arrays as
    they are at that moment and derives what it needs (column means, the
    centred target, normalized weights) afresh, so no answer can describe
    data the problem no longer holds: writing into your arrays after
    building a Problem changes the problem, and the next solve certifies
    the new one. Copies, deep copies and pickles behave alike (a deep copy
    or an unpickled Problem holds its own read-only arrays). The entries of
    X are checked finite once, here; NaN written into X later makes a solve
    end with status ``"error"``, never an ``"optimal"`` answer.

    Examples
    --------
    >>> import numpy as np, lassokit as lk
    >>> X = np.eye(3); y = np.array([3.0, -1.0, 0.5])
    >>> prob = lk.Problem(X, y, lk.L1(0.1), fit_intercept=False)
    >>> prob.solve("cvxpy").coef.round(3)
    array([ 0.7,  0. ,  0. ])
    """

    def __new__(cls, X=None, y=None, penalty=None, *args, loss="squared", **kwargs):
        # A 2-D y, a group penalty or the multinomial loss: lassokit.matrix.
        if cls is Problem and _MATRIX and _MATRIX[1](y, penalty, loss):
            return object.__new__(_MATRIX[0])
        return object.__new__(cls)

    def __init__(self, X, y, penalty, *, loss="squared", fit_intercept=True, sample_weight=None,
                 positive=False, offset=None, bounds=None):
        self._setup(X, y, penalty, fit_intercept, sample_weight, positive, loss=loss,
                    offset=offset, bounds=bounds)

    @classmethod
    def _single_use(cls, X, y, penalty, *, fit_intercept=True, sample_weight=None,
                    positive=False, known_finite=False, loss="squared", offset=None,
                    bounds=None):
        """A validated Problem that is solved at once and never handed out (estimators).

        ``known_finite``: the caller has already proved every
        entry of X finite (scikit-learn's ``validate_data``), so the
        finiteness pass is not made twice.
        """
        new = object.__new__(cls)
        new._setup(X, y, penalty, fit_intercept, sample_weight, positive,
                   known_finite=known_finite, loss=loss, offset=offset, bounds=bounds)
        return new

    def _setup(self, X, y, penalty, fit_intercept, sample_weight, positive, known_finite=False,
               loss="squared", offset=None, bounds=None):
        if not isinstance(penalty, Penalty):
            raise TypeError(
                "penalty must be built from lk.L1 / lk.L2 (e.g. lk.L1(0.1) + lk.L2(0.01)), "
                f"got {type(penalty).__name__}."
            )
        self._loss = as_loss(loss)
        self._feature_names = feature_names_of(X)
        self._X = check_X(X, known_finite=known_finite)
        if sp.issparse(self._X):
            self._X = _sparse_view(self._X)
        n, p = self._X.shape
        self._y = _view(check_vector(y, n, "y"))
        self._offset = None if offset is None else _view(check_vector(offset, n, "offset"))
        # The caller's target as given: recoded at every call (classes,
        # counts; y - offset for least squares), so writes into it are seen.
        self._y_raw = self._y
        self._y = self._coded()
        self._penalty = penalty
        self._fit_intercept = check_bool(fit_intercept, "fit_intercept")
        self._positive = check_bool(positive, "positive")
        self._sample_weight = check_sample_weight(sample_weight, n)
        # The caller's weights as given: normalized again at every call.
        self._sw_raw = None if sample_weight is None else _view(
            np.full(n, float(sample_weight)) if np.ndim(sample_weight) == 0
            else check_vector(sample_weight, n, "sample_weight"))
        penalty.strengths(p)  # validates weight lengths now, not at solve time
        # The bounds as given (validated), for replace(); the box adds
        # positivity and the excluded features.
        given = None if bounds is None else make_box(bounds, False, p)
        self._bounds = None if given is None else (given[0], given[1])
        self._box = make_box(self._bounds, self._positive, p, penalty.excluded(p))
        self._live = True
        self._stats_cache = None

    def _coded(self):
        """The target in the loss's coding (the caller's view itself for least squares)."""
        if self._loss.least_squares:
            return self._y_raw if self._offset is None else _view(self._y_raw - self._offset)
        return _view(self._loss.check_y(self._y_raw))

    @classmethod
    def _trusted(cls, X, y, penalty, *, fit_intercept, sample_weight, positive, stats=None,
                 loss=None, offset=None, box=None):
        """A Problem on data that lassokit validated already (paths, CV folds).

        ``X`` must be what :func:`check_X` returns (float32/float64, read-only
        or owned by lassokit), ``y`` a float64 vector, ``sample_weight``
        normalized to sum to n (or None). ``stats`` optionally supplies the
        data statistics ``(x_offset, y_offset, yc, p0)`` when the caller has
        them. ``box``: the parent's (else made from ``positive`` and the
        penalty's infinite weights). No pass over X is made here.
        """
        new = object.__new__(cls)
        new._X, new._y, new._penalty = X, y, penalty
        new._loss = as_loss("squared" if loss is None else loss)
        new._y_raw = y  # already in the loss's coding (less the offset for least squares)
        new._offset = offset
        new._fit_intercept, new._positive = bool(fit_intercept), bool(positive)
        p = X.shape[1]
        new._box = box if box is not None else make_box(None, positive, p, penalty.excluded(p))
        new._bounds = None  # the caller's bounds as given: set by the callers that have them
        new._sample_weight = sample_weight
        new._sw_raw = sample_weight
        # Built inside one call (a path session, a CV fold): its data and
        # statistics live exactly as long as that call.
        new._live = False
        new._stats_cache = stats
        return new

    def _pinned(self):
        """This problem, refreshed, as one whose statistics hold for one call (a path session).

        Sub-problems built from it inside the call (one per strength) share
        its statistics instead of deriving them again.
        """
        self._refresh()
        new = Problem._trusted(self._X, self._y, self._penalty,
                               fit_intercept=self._fit_intercept,
                               sample_weight=self._sample_weight, positive=self._positive,
                               stats=self._stats if self._loss.least_squares else None,
                               loss=self._loss, offset=self.offset, box=self._box)
        new._bounds = self.__dict__.get("_bounds")
        new._scale_cache = self._target_scale
        return new

    def _refresh(self):
        """Forget everything derived from the data: the start of every public call.

        ``y`` is checked finite again and the weights normalized again (both
        O(n)), since the caller may have written into them; X is not
        re-scanned (NaN there ends a solve with status ``"error"``).
        """
        if not self._live:
            return
        if not np.all(np.isfinite(self._y_raw)):
            raise ValueError("y contains NaN or infinity (written into it after the Problem "
                             "was built?).")
        self._y = self._coded()
        if self._sw_raw is not None:
            self._sample_weight = check_sample_weight(self._sw_raw, self.n_samples)
        self._stats_cache = None
        self._scale_cache = None
        self.__dict__.pop("_design", None)

    def _restricted(self, X_cols, idx):
        """The problem on the columns ``idx`` of X (held in ``X_cols``), penalty L1(1)."""
        return restricted(self, X_cols, idx)

    # -- copies and pickles ------------------------------------------------------
    def __getstate__(self):
        # Derived quantities are not carried: a copy computes its own.
        return problem_state(self.__dict__)

    def __setstate__(self, state):
        # New arrays (deepcopy, pickle) are frozen like the originals.
        restore_problem_state(self, state)
        self._stats_cache = None

    # -- read-only attributes ---------------------------------------------------
    X = property(lambda self: self._X, doc="The design matrix (read-only).")
    y = property(lambda self: self._y,
                 doc="The target in the loss's coding (read-only, float64; -1/+1 for logistic).")
    loss = property(lambda self: self._loss, doc="The :class:`~lassokit.losses.Loss`.")
    offset = property(lambda self: self.__dict__.get("_offset"),
                      doc="The fixed part of the linear predictor (read-only), or None.")
    penalty = property(lambda self: self._penalty, doc="The :class:`Penalty`.")
    fit_intercept = property(lambda self: self._fit_intercept, doc="Whether an intercept is fitted.")
    sample_weight = property(lambda self: self._sample_weight,
                             doc="Normalized sample weights (sum to n_samples), or None.")
    positive = property(lambda self: self._positive, doc="Whether coef >= 0 is enforced.")
    bounds = property(
        lambda self: None if self._box is None else (self._box[0], self._box[1]),
        doc="``(lower, upper)`` read-only arrays: the box on the coefficients, positivity and "
            "exclusions (infinite penalty weights: ``(0, 0)``) included; None if unconstrained.")
    n_samples = property(lambda self: self._X.shape[0], doc="Number of samples n.")
    n_features = property(lambda self: self._X.shape[1], doc="Number of features p.")

    @property
    def feature_names(self):
        """ndarray of str or None: the string column names of a DataFrame ``X``."""
        return self.__dict__.get("_feature_names")

    @property
    def dtype(self):
        """The float dtype of X and of returned coefficients."""
        return self._X.dtype

    def replace(self, **changes):
        """A copy with some fields changed (``penalty=``, ``positive=``, ...).

        Parameters
        ----------
        **changes
            Any of ``X``, ``y``, ``penalty``, ``loss``, ``fit_intercept``,
            ``sample_weight``, ``positive``, ``offset``, ``bounds``.

        Returns
        -------
        Problem
        """
        return replaced(self, changes)

    def __repr__(self):
        kind = "sparse" if not isinstance(self._X, np.ndarray) else "dense"
        return (
            f"Problem(n_samples={self.n_samples}, n_features={self.n_features}, {kind} "
            f"{self._X.dtype}, penalty={self._penalty!r}, "
            + ("" if self._loss.least_squares else f"loss={self._loss!r}, ")
            + f"fit_intercept={self._fit_intercept}, "
            f"sample_weight={'None' if self._sample_weight is None else '...'}, "
            f"positive={self._positive}"
            + ("" if self.__dict__.get("_bounds") is None else ", bounds=(...)") + ")"
        )

    # -- prepared data shared with backends ---------------------------------------
    @property
    def _stats(self):
        """``(x_offset, y_offset, yc, p0)``: computed once, shared by every penalty."""
        if self._stats_cache is None:
            self._stats_cache = self._compute_stats()
        return self._stats_cache

    def _compute_stats(self):
        return data_statistics(self._X, self._y, self._sample_weight, self._fit_intercept)

    @property
    def _target_scale(self):
        """The power of two the target is solved in units of (1.0 almost always; see ``_rescale``)."""
        if not self._loss.least_squares:
            return 1.0  # other losses are not homogeneous in y
        if getattr(self, "_scale_cache", None) is None:
            _, _, yc, _ = self._stats
            self._scale_cache = target_scale(yc, self._sample_weight, self.n_samples)
        return self._scale_cache

    def _rescaled(self):
        """This problem with ``y / c`` and ``a1 / c`` (``c = _target_scale``): same solution / c."""
        return rescaled_problem(self)

    @cached_property
    def _design(self):
        if not self._loss.least_squares:
            return _loss_problem.design(self)
        return make_design(self._stats, self._penalty, self._sample_weight,
                           self.__dict__.get("_box"), self._fit_intercept)

    # -- the math -------------------------------------------------------------------
    def objective(self, coef, intercept=0.0):
        """The objective ``P(coef, intercept)``, as stated on the "The objective" docs page.

        Parameters
        ----------
        coef : array-like of shape (n_features,)
        intercept : float, default=0.0
            Must be 0 on a problem without intercept.

        Returns
        -------
        float
            ``inf`` when some coefficient is outside the box (``bounds``,
            ``positive``).
        """
        self._refresh()
        coef = check_coef(coef, self.n_features)
        intercept = float(intercept)
        if not np.isfinite(intercept):
            raise ValueError("intercept must be finite.")
        if not self._fit_intercept and intercept != 0.0:
            raise ValueError("intercept must be 0.0 on a problem with fit_intercept=False.")
        if not self._loss.least_squares:
            return _loss_problem.objective(self, coef, intercept)
        c = self._target_scale
        if c != 1.0:
            return self._rescaled().objective(coef / c, intercept / c) * c * c
        d = self._design
        # Residual of the uncentred model: y - X w - b, rewritten in centred terms.
        shift = d.y_offset - float(d.x_offset @ coef) - intercept
        r = d.yc - (_linalg.matvec(self._X, coef) - d.x_offset @ coef) + shift
        return primal_value(d, self._X, coef, r)

    def dual_gap(self, coef):
        """The duality gap at ``coef`` (with its optimal intercept): the certificate.

        It is ``>= 0``, never below ``P(coef) - P*``, and 0 only at the optimum.
        The dual point is the residual, made feasible as derived in
        the documentation's "The certificate" page.

        Parameters
        ----------
        coef : array-like of shape (n_features,)

        Returns
        -------
        float
        """
        return self.certify(coef).dual_gap

    def alpha_max(self):
        """Smallest L1 strength ``a1`` at which ``coef = 0`` is optimal.

        Everything else (L2 term, weights, positivity, intercept, sample
        weights) is held fixed. Features with zero L1 weight are fitted first
        (they are not driven to zero by any ``a1``); 0 is returned when they
        fit ``y`` exactly.

        Returns
        -------
        float
        """
        self._refresh()
        if not self._loss.least_squares:
            return _loss_problem.alpha_max(self)
        c = self._target_scale
        if c != 1.0:
            return self._rescaled().alpha_max() * c
        return compute_alpha_max(self._design, self._X, self._penalty.l1_weights)

    def certify(self, coef, dual_points=()):
        """Objective, optimal intercept and duality gap for ``coef``.

        Parameters
        ----------
        coef : array-like of shape (n_features,)
        dual_points : iterable of ndarray, optional
            Extra dual candidates in residual space (see :mod:`lassokit.certificate`).

        Returns
        -------
        Certificate
        """
        from ._validation import (
            check_dual_points,  # named errors, not numpy's matmul text
        )

        self._refresh()
        coef = check_coef(coef, self.n_features)
        dual_points = check_dual_points(dual_points, self.n_samples)
        if not self._loss.least_squares:
            return _loss_problem.certify(self, coef)  # dual points are residuals: LS only
        c = self._target_scale
        if c != 1.0:
            # Computed in units where max|yc| ~ 1, reported in the caller's
            # (objective and gap scale with c^2, the relative gap not at all).
            inner = self._rescaled().certify(
                coef / c, [None if q is None else np.asarray(q, dtype=np.float64) / c
                           for q in dual_points])
            return Certificate.rescaled(inner, c)
        return certify(self._design, self._X, coef, dual_points)

    # -- solving --------------------------------------------------------------------
    def solve(self, backend="auto", *, tol=1e-6, max_iter=None, warm_start=None,
              verbose=False, **options):
        """Solve the problem and certify the answer.

        Parameters
        ----------
        backend : str or Backend, default="auto"
            A name from :func:`available_backends`; ``"auto"`` picks the
            fastest capable one.
        tol : float, default=1e-6
            Target relative duality gap: converged when
            ``dual_gap <= tol * P(0, b0)``.
        max_iter : int, optional
            Iteration budget; the backend's default when None.
        warm_start : Solution or array-like of shape (n_features,), optional
            Starting coefficients.
        verbose : bool, default=False
            Print a one-line summary (and pass ``verbose`` to backends that
            take it).
        **options
            Backend options; unknown ones raise ``TypeError``.

        Returns
        -------
        Solution
        """
        return _solve(self, backend, tol=tol, max_iter=max_iter, warm_start=warm_start,
                      verbose=verbose, **options)
