"""The loss interface: everything a solver or the certificate may ask of a loss.

A loss is the per-sample function ``l(y, z)`` of lassokit's objective

    P(w, b) = 1/n sum_i s_i l(y_i, z_i) + g(w),    z = X w + b,

with sample weights ``s`` normalized to sum to ``n``. Every method is
vectorized over samples and works in float64. A loss carries its own math
(as :class:`~lassokit.penalty.Penalty` does for penalties), so that solvers
and the certificate never branch on its type: a new loss is one file that
subclasses :class:`Loss`.
"""

from __future__ import annotations

import numpy as np

from . import _newton
from ._util import sample_weights, weighted_mean

__all__ = ["Loss"]


class Loss:
    """Base class of lassokit's losses ``l(y, z)``, convex and >= 0 in ``z``.

    Subclasses implement the methods below for their own ``l``; the base
    provides the optimal intercept for given predictions by a safeguarded
    Newton solve (:meth:`best_intercept`), which a subclass may replace by
    a closed form.

    Attributes
    ----------
    name : str
        The name :func:`~lassokit.losses.as_loss` maps to this loss.
    is_smooth : bool
        Whether ``l`` is differentiable in ``z`` with a continuous gradient.
    shift_invariant : bool
        Whether ``l(y + t, z + t) == l(y, z)`` for every ``t`` (squared,
        Huber). With an intercept, the certificate then works with the
        target centred by its weighted mean, which keeps every digit of
        targets with a large offset (``1e9 + noise``).
    least_squares : bool
        Whether ``l`` is the squared loss, whose Hessian is constant: one
        proximal-Newton model is then the problem itself, so the ``"cd"``
        backend runs its weighted least-squares engine on it directly, and
        the problem layer certifies it with :mod:`lassokit.certificate`
        (this module's certificate specialised to ``l*(y, v) = v y + v**2 / 2``,
        with target rescaling, solver sums and the relaxed dual for nearly
        free features).

    Notes
    -----
    The methods a loss provides:

    ``check_y(y)``
        The validated target in the loss's coding (float64).
    ``value(y, z)``, ``gradient(y, z)``, ``hessian(y, z)``
        ``l``, ``dl/dz`` and ``d2l/dz2`` per sample (the Hessian is the
        IRLS working weight; a generalized one where ``l`` has kinks).
    ``curvature_bound()``
        A global Lipschitz constant of ``dl/dz``, or ``inf``.
    ``conjugate(y, v)``, ``conjugate_derivative(y, v)``, ``dual_domain(y)``
        The convex conjugate ``l*(y, v) = sup_z v z - l(y, z)`` (``+inf``
        outside its domain), its derivative in ``v`` (the ``z`` at which
        ``dl/dz = v``) and the closed interval ``[lo, hi]`` of that domain,
        which always contains 0 (``l >= 0`` with infimum 0, so ``l*(y, 0) = 0``).
    ``intercept_only(y, s)``, ``best_intercept(y, s, z)``
        The optimal intercept at ``w = 0``, and for fixed predictions ``z``.
    ``inverse_link(z)``, ``link(mu)``
        The mean as a function of ``z``, and back.
    """

    __slots__ = ()

    name = "loss"
    is_smooth = True
    shift_invariant = False
    least_squares = False

    # -- target ----------------------------------------------------------------
    def check_y(self, y):
        """Validate ``y`` and return it in this loss's coding (float64 copy).

        Parameters
        ----------
        y : array-like of shape (n_samples,)

        Returns
        -------
        ndarray of shape (n_samples,)

        Raises
        ------
        ValueError
            With a sentence naming ``y`` and what this loss accepts.
        """
        raise NotImplementedError

    # -- primal ------------------------------------------------------------------
    def value(self, y, z):
        """Per-sample loss ``l(y_i, z_i)`` (``inf`` where it overflows).

        Parameters
        ----------
        y : ndarray of shape (n_samples,)
            The coded target (:meth:`check_y`).
        z : ndarray of shape (n_samples,)
            Linear predictions ``X w + b``.

        Returns
        -------
        ndarray of shape (n_samples,), float64
        """
        raise NotImplementedError

    def gradient(self, y, z):
        """Per-sample derivative ``dl/dz (y_i, z_i)`` (arrays as for :meth:`value`).

        It always lies inside :meth:`dual_domain`: the gradient is a dual point.
        """
        raise NotImplementedError

    def hessian(self, y, z):
        """Per-sample second derivative ``d2l/dz2 (y_i, z_i)`` (arrays as for :meth:`value`).

        Non-negative; a generalized second derivative where ``l`` has kinks
        in its derivative (Huber).
        """
        raise NotImplementedError

    def model_curvature(self, y, z):
        """Per-sample curvature of the quadratic model a Newton-type solver builds at ``z``.

        The Hessian by default. A loss whose Hessian vanishes on whole
        pieces (Huber beyond ``delta``) returns the curvature of its tightest
        quadratic majorizer touching at ``z`` instead: exact to first order,
        positive, and never above the Hessian's bound, so the model stays a
        faithful local picture (iteratively reweighted least squares for
        Huber) instead of an infinitely flat one.

        Parameters
        ----------
        y, z : ndarray of shape (n_samples,)

        Returns
        -------
        ndarray of shape (n_samples,), float64
            Non-negative.
        """
        return self.hessian(y, z)

    def curvature_bound(self):
        """A global Lipschitz constant of ``dl/dz`` in ``z`` (``inf`` if none).

        Returns
        -------
        float
        """
        raise NotImplementedError

    # -- dual --------------------------------------------------------------------
    def conjugate(self, y, v):
        """Convex conjugate ``l*(y_i, v_i) = sup_z v_i z - l(y_i, z)``.

        Parameters
        ----------
        y : ndarray of shape (n_samples,)
        v : ndarray of shape (n_samples,)

        Returns
        -------
        ndarray of shape (n_samples,), float64
            ``+inf`` outside :meth:`dual_domain`.
        """
        raise NotImplementedError

    def conjugate_derivative(self, y, v):
        """``d l*/dv (y_i, v_i)``: the ``z`` with ``dl/dz (y_i, z) = v_i``.

        Parameters
        ----------
        y, v : ndarray of shape (n_samples,)
            ``v`` inside :meth:`dual_domain`.

        Returns
        -------
        ndarray of shape (n_samples,), float64
            ``+-inf`` where the loss reaches that slope only at infinity
            (the logistic loss at ``v = 0``); at an end of the domain, the
            one-sided derivative from inside. ``hessian(y, z)`` at this
            ``z`` is ``1 / l*''(y, v)``.
        """
        raise NotImplementedError

    def dual_domain(self, y):
        """The closed interval ``[lo_i, hi_i]`` where ``l*(y_i, .)`` is finite.

        Parameters
        ----------
        y : ndarray of shape (n_samples,)
            The coded target.

        Returns
        -------
        lo, hi : ndarray of shape (n_samples,)
            Ends of the interval (``-inf``/``inf`` when unbounded); always
            ``lo <= 0 <= hi``.
        """
        raise NotImplementedError

    # -- intercept ---------------------------------------------------------------
    def intercept_only(self, y, s=None):
        """The optimal intercept ``b0`` at ``w = 0``.

        Parameters
        ----------
        y : ndarray of shape (n_samples,)
            The coded target.
        s : ndarray of shape (n_samples,), optional
            Non-negative sample weights (all ones when omitted).

        Returns
        -------
        float
            ``+-inf`` where no finite minimizer exists (the loss decreases
            towards 0 as ``b`` runs off to that side).
        """
        raise NotImplementedError

    def best_intercept(self, y, s=None, z=None):
        """The ``b`` minimizing ``sum_i s_i l(y_i, z_i + b)`` (``+-inf`` if not attained).

        The base class runs a bracketed, safeguarded Newton solve on the
        monotone derivative (Newton steps where they stay inside the
        bracket, bisection otherwise): it converges for every convex
        ``l``, kinks and flat pieces included. When :meth:`intercept_only`
        is infinite, so is this (same sign): the loss is then minimized
        only at infinity whatever the finite ``z``.

        Parameters
        ----------
        y, s
            As for :meth:`intercept_only`.
        z : ndarray of shape (n_samples,), optional
            Fixed predictions (all zeros when omitted).

        Returns
        -------
        float
        """
        s = sample_weights(s, y.shape[0])
        z = np.zeros_like(y) if z is None else np.asarray(z, dtype=np.float64)
        b0 = self.intercept_only(y, s)
        if not np.isfinite(b0):
            return float(b0)
        return _newton.intercept(self, y, s, z, self._intercept_start(y, s, z, b0))

    def _intercept_start(self, y, s, z, b0):
        # The intercept-only optimum, moved by the mean prediction: exact
        # for z constant, and a start of the right scale otherwise.
        return b0 - weighted_mean(s, z)

    # -- link ----------------------------------------------------------------------
    def inverse_link(self, z):
        """The mean ``E[y]`` at linear predictor ``z``.

        Parameters
        ----------
        z : ndarray

        Returns
        -------
        ndarray, float64
        """
        raise NotImplementedError

    def link(self, mu):
        """The linear predictor ``z`` (float64 array) of the means ``mu``: :meth:`inverse_link` undone."""
        raise NotImplementedError

    # -- identity ------------------------------------------------------------------
    def _params(self):
        return ()

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return self._params() == other._params()

    def __hash__(self):
        return hash((type(self).__name__, self._params()))

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(repr(p) for p in self._params())})"

    # -- CVXPY -----------------------------------------------------------------------
    def cvxpy_sum(self, cp, y, z, s=None):
        """The CVXPY expression of ``sum_i s_i l(y_i, z_i)``, for solvers that state the problem.

        A loss that can be written with CVXPY's atoms (in its disciplined
        convex programming rules) overrides this; the base class has no
        such form. Whether a loss has one is whether its class overrides
        this method (the ``"cvxpy"`` backend asks exactly that, so it never
        imports CVXPY to find out).

        Parameters
        ----------
        cp : module
            The ``cvxpy`` module (passed in, so that losses never import
            it: it is an optional dependency).
        y : ndarray of shape (n_samples,)
            The coded target (:meth:`check_y`); constant data.
        z : cvxpy.Expression of shape (n_samples,)
            The linear predictions, affine in the variables.
        s : ndarray of shape (n_samples,), optional
            Non-negative sample weights (all ones when omitted).

        Returns
        -------
        cvxpy.Expression
            A convex scalar expression.

        Raises
        ------
        NotImplementedError
            Always, here: this loss has no CVXPY form.
        """
        raise NotImplementedError(f"the {self.name} loss has no CVXPY form (its class does not "
                                  "implement cvxpy_sum).")


class _ResidualLoss(Loss):
    """Base of the losses of the residual ``z - y`` with identity link whose
    conjugate is ``v y + v**2 / 2`` on their dual domain (squared, Huber).

    Both are shift invariant and share the link and the derivative of the
    conjugate; each keeps its own value, derivatives, domain and intercept.
    """

    __slots__ = ()

    shift_invariant = True

    def conjugate_derivative(self, y, v):
        """Per-sample ``y + v``: the ``z`` whose residual ``z - y`` is ``v``.

        At an end of a bounded dual domain (Huber's ``|v| = delta``), the
        one-sided derivative from inside. See :meth:`Loss.conjugate_derivative`.
        """
        with np.errstate(over="ignore"):
            return y + np.asarray(v, dtype=np.float64)

    def inverse_link(self, z):
        """The identity: the mean (the location) is ``z``."""
        return np.asarray(z, dtype=np.float64)

    def link(self, mu):
        """The identity."""
        return np.asarray(mu, dtype=np.float64)
