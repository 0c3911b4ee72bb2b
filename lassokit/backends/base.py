"""The backend interface: capabilities as data, ``supports`` and ``solve``.

A backend only computes coefficients. lassokit validates the problem before
calling it and certifies what it returns afterwards (objective, duality gap,
status, timing), so no backend can misreport its accuracy.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

# The result type lives in its own module (sessions and the finishing step
# use it without importing the Backend class); re-exported here.
from .._box import is_positive_box
from .result import BackendResult, as_result, real_coef

__all__ = ["Backend", "BackendResult", "Capabilities", "as_result", "real_coef"]


@dataclass(frozen=True)
class Capabilities:
    """What kinds of problem a backend accepts.

    Each flag set to False excludes problems that need it. ``losses`` names
    the losses taken (``Loss.name``), or is None for every loss; the
    default takes the squared loss only, so that a backend written for
    least squares is never handed a logistic problem. ``bounds`` (box
    constraints other than ``positive=True``, including features excluded
    by an infinite penalty weight) is off by default for the same reason,
    and so is ``matrix``: problems with a coefficient matrix (a 2-D ``y``)
    or a group penalty (:func:`~lassokit.GroupL2`), which a backend takes
    through :meth:`Backend.solve_matrix`. Everything else is accepted by
    default.
    """

    l1: bool = True
    l2: bool = True
    positive: bool = True
    bounds: bool = False
    sparse: bool = True
    intercept: bool = True
    sample_weight: bool = True
    penalty_weights: bool = True
    float32: bool = True
    losses: tuple | None = ("squared",)
    matrix: bool = False


class Backend:
    """Base class of every solver backend, built-in or user-defined.

    Subclasses set :attr:`name`, optionally :attr:`capabilities`,
    :attr:`requires` (importable module names) and :attr:`options` (the
    keyword options ``solve`` accepts, with defaults), and implement
    :meth:`solve`. Override :meth:`supports` for conditions that flags cannot
    express.

    Attributes
    ----------
    name : str
        Registry name.
    capabilities : Capabilities
    requires : tuple of str
        Python modules that must be importable for the backend to be
        available. They are imported inside :meth:`solve`, never at import of
        lassokit.
    options : dict
        Accepted keyword options and their defaults; anything else is a
        ``TypeError``. ``None`` means "accept any option".
    default_max_iter : int
    """

    name = None
    capabilities = Capabilities()
    requires = ()
    options = {}
    default_max_iter = 1000
    #: Whether the ``sums`` of this backend's results may replace a pass over
    #: X in the certificate; only lassokit's own kernels set it.
    exact_sums = False

    def open_path(self, problem, *, tol, max_iter, options, strong_rules=True):
        """A session that solves ``problem`` at a sequence of penalties.

        Paths and cross-validation call :meth:`PathSession.step` once per
        strength, in decreasing order, on one session: whatever the backend
        keeps between strengths (X in its layout, column norms, a Gram
        matrix, the residual, the active set) lives in the session. The
        default is the generic session, which solves each strength with
        :meth:`solve` on the features kept by the sequential strong rule
        (Tibshirani et al. 2012) and repairs misses with a KKT check.

        Parameters
        ----------
        problem : Problem
            Fixes data, weights, intercept and positivity; its penalty is
            replaced at every step.
        tol : float
            Target relative duality gap of every step.
        max_iter : int
            Iteration budget of every step.
        options : dict
            Backend options (already checked).
        strong_rules : bool, default=True
            Whether the generic session screens with the strong rule.

        Returns
        -------
        PathSession
        """
        if not problem.loss.least_squares:
            from .session import WarmStartSession

            return WarmStartSession(self, problem, tol=tol, max_iter=max_iter, options=options)
        from ._generic_path import GenericPathSession

        return GenericPathSession(self, problem, tol=tol, max_iter=max_iter, options=options,
                                  strong_rules=strong_rules)

    def available(self):
        """Return None if usable now, else a sentence saying what is missing."""
        # A package already imported is installed: no file-system search per
        # solve (find_spec stats the path entries, ~30 us a package).
        missing = [m for m in self.requires
                   if m not in sys.modules and importlib.util.find_spec(m) is None]
        if missing:
            return f"backend {self.name!r} needs the package(s) {', '.join(missing)}, not installed"
        return None

    def emulated(self):
        """Return None when the backend runs on what its name promises, else what it runs on.

        A backend named for hardware that is absent (``"gpu"`` without a
        CUDA device) may still run its code elsewhere; it then returns a
        short phrase saying so. :func:`~lassokit.available_backends` and the
        default of :func:`~lassokit.verify` leave such a backend out, so that
        no listing or table presents a CPU run as a GPU one; asking for it by
        name still works.
        """
        return

    def supports(self, problem):
        """Whether this backend can take ``problem``.

        Parameters
        ----------
        problem : Problem

        Returns
        -------
        (bool, str)
            ``(True, "")`` or ``(False, reason)``.
        """
        caps = self.capabilities
        pen = problem.penalty
        reasons = []
        if getattr(problem, "_is_matrix", False) and not caps.matrix:
            return False, ("it cannot take a coefficient matrix (2-D y) or a group penalty "
                           "(GroupL2)")
        if not caps.l1 and pen.l1 > 0:
            reasons.append("an L1 term")
        if not caps.l2 and pen.l2 > 0:
            reasons.append("an L2 term")
        if not caps.positive and problem.positive:
            reasons.append("positive=True")
        box = problem.__dict__.get("_box")
        if not caps.bounds and box is not None and not is_positive_box(box):
            reasons.append("bounds (box constraints or features excluded by an infinite "
                           "penalty weight)")
        if not caps.sparse and sp.issparse(problem.X):
            reasons.append("sparse X")
        if not caps.intercept and problem.fit_intercept:
            reasons.append("fit_intercept=True")
        if not caps.sample_weight and problem.sample_weight is not None:
            reasons.append("sample_weight")
        if not caps.penalty_weights and (
            pen.l1_weights is not None or pen.l2_weights is not None
        ):
            reasons.append("per-feature penalty weights")
        if not caps.float32 and problem.X.dtype == np.float32:
            reasons.append("float32 X")
        loss = getattr(problem, "loss", None)
        if loss is not None and caps.losses is not None and loss.name not in caps.losses:
            reasons.append(f"the {loss.name} loss")
        if reasons:
            return False, "it cannot take " + ", ".join(reasons)
        return True, ""

    def check_options(self, options):
        """Raise ``TypeError`` naming any option this backend does not know."""
        if self.options is None:
            return
        unknown = sorted(set(options) - set(self.options))
        if unknown:
            known = ", ".join(sorted(self.options)) or "none"
            raise TypeError(
                f"backend {self.name!r} got unknown option(s) {', '.join(unknown)}; "
                f"it accepts: {known}."
            )

    def solve(self, problem, *, tol, max_iter, warm_start, **options):
        """Compute coefficients for ``problem``.

        Parameters
        ----------
        problem : Problem
        tol : float
            Target relative duality gap.
        max_iter : int
            Iteration budget (never None here: the default is filled in).
        warm_start : ndarray of shape (n_features,) or None
            Float64 starting coefficients.
        **options
            Backend options (already checked against :attr:`options`).

        Returns
        -------
        BackendResult or dict
            At least ``coef``, ``intercept`` and ``n_iter``.
        """
        raise NotImplementedError

    def solve_matrix(self, problem, design, *, tol, max_iter, warm_start, **options):
        """Compute the coefficient matrix of a matrix or group problem.

        Only called on backends whose :attr:`capabilities` set ``matrix``.

        Parameters
        ----------
        problem : Problem
            The problem (a 2-D ``y`` or a group penalty).
        design : lassokit.matrix.MatrixDesign
            Its prepared data: the implicitly centred X, the K target
            columns, the weights and the penalty's block layout.
        tol : float
            Target relative duality gap.
        max_iter : int
            Iteration budget.
        warm_start : ndarray of shape (n_features, K) or None
            Float64 starting coefficients.
        **options
            Backend options.

        Returns
        -------
        dict
            ``coef`` (n_features, K) for the centred design, ``n_iter`` and
            optionally ``info``; lassokit recovers the intercept and
            certifies the answer.
        """
        raise NotImplementedError

    def __repr__(self):
        return f"<{type(self).__name__} {self.name!r}>"
