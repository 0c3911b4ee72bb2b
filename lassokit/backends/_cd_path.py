"""The ``"cd"`` backend's path session: state kept from one strength to the next.

Two modes, chosen once per session:

* **feature space** (``n >= 2 p``, ``p <= 2048``, no fully unpenalized
  feature, ``gram`` not False): the centred Gram matrix ``G = Xc^T S Xc / n``
  and ``b = Xc^T S yc / n`` are formed once (BLAS, by row blocks); every
  strength is then coordinate descent on ``u = b - G w`` (Friedman et al.
  2010, "covariance updates") with Anderson extrapolation (Bertrand &
  Massias 2021), and it is certified from ``u``, ``w^T b`` and ``c0`` alone
  (:class:`~lassokit.certificate.DualSums`): no pass over X after the Gram.
* **residual**: X converted once to the kernel's layout, column norms
  computed once, the Gram cache of working sets kept, and each strength
  started from the previous residual and correlations (only those of
  features screened at the previous strength are recomputed).

References
----------
Friedman, Hastie & Tibshirani (2010), J. Stat. Softw. 33(1).
Bertrand & Massias (2021), "Anderson acceleration of coordinate descent", AISTATS.
"""

from __future__ import annotations

import numpy as np

from .._box import kbox
from .._data import free_features
from ..certificate import DualSums
from ._cd_ops import gram_solve, kernels, make_ops, vanishing
from ._cd_solver import SolverState, run
from .base import BackendResult
from .session import GridResult, PathSession

__all__ = ["CDPathSession", "GramPath", "use_feature_space"]

#: Feature space only up to this many features (p^2 floats, p^2 per epoch).
_PSPACE_MAX = 2048
#: ... and only when n is at least this many times p.
_PSPACE_RATIO = 2
_ANDERSON_K = 5
_FLOOR = 1e-10
#: Status codes of :func:`lassokit.kernels.cd_dense_path.dense_path`.
_STATUS = ("success", "max_iter", "stalled")


def use_feature_space(n, p, design, gram):
    """Whether a path on ``n x p`` data is solved in feature space (see module doc)."""
    if gram is False or design.unpenalized.size:
        return False
    return gram is True and p <= 2 * _PSPACE_MAX or (p <= _PSPACE_MAX and n >= _PSPACE_RATIO * p)


class GramPath:
    """Coordinate descent in feature space from ``(G, b, c0)``, one strength at a time.

    Parameters
    ----------
    G : ndarray of shape (p, p)
        ``Xc^T S Xc / n``.
    b : ndarray of shape (p,)
        ``Xc^T S yc / n``.
    c0 : float
        ``yc^T S yc / n`` (twice ``P(0, b0)``).
    L : ndarray of shape (p,)
        ``diag(G)`` with exact zeros for columns that vanish after centring.
    box : ndarray of shape (2, p)
        The coefficients' bounds (``lassokit._box``).
    anderson : bool
    round_to : dtype
        Coefficients are returned rounded to it (float32 X) and certified
        as rounded.
    """

    def __init__(self, G, b, c0, L, box, anderson=True, round_to=np.float64):
        self.G = np.ascontiguousarray(G)
        self.b = np.ascontiguousarray(b)
        self.c0 = float(c0)
        self.L = np.ascontiguousarray(L)
        self.box = kbox(box)
        self.K = _ANDERSON_K if anderson else 0
        self.round_to = np.dtype(round_to)

    def sums(self, w):
        """:class:`DualSums` of ``w`` from the Gram quantities (``O(p^2)``)."""
        u = self.b - self.G @ w
        wb = float(w @ self.b)
        nb = max(self.c0 - wb - float(w @ u), 0.0)
        return DualSums(0.5 * nb, self.c0 - wb, u)

    def solve(self, lam, mu, w, tol_abs, max_iter):
        """Solve at strengths ``lam``/``mu`` from ``w`` (updated in place, float64).

        Returns
        -------
        (ndarray, int, str, DualSums)
            The coefficients (rounded to ``round_to``), epochs, the backend
            status and the sums of the returned coefficients.
        """
        # Writable copies (p floats): the same kernel specialization as the
        # compiled fold path's work buffers, not a second one.
        lam = np.array(lam, dtype=np.float64)
        mu = np.array(mu, dtype=np.float64)
        floor = _FLOOR * 0.5 * self.c0
        # (An already optimal w, e.g. 0 at alpha_max, runs no epoch.)
        ep, gap = gram_solve(self.G, self.b, self.c0, w, lam, mu, self.L, self.box,
                             0.5 * tol_abs, floor, max_iter, self.K, self.K or 10,
                             check_first=True)
        status = "success" if gap <= tol_abs else ("max_iter" if ep >= max_iter else "stalled")
        if self.round_to == np.float64:
            return w, ep, status, self.sums(w)
        coef = w.astype(self.round_to).astype(np.float64)
        rounded = self.sums(coef)
        rounded.alt = (self.sums(w),)
        return coef, ep, status, rounded


class CDPathSession(PathSession):
    """Path session of ``"cd"`` (see the module docstring for its two modes)."""

    exact_sums = True

    def __init__(self, backend, problem, *, tol, max_iter, options):
        super().__init__(backend, problem, tol=tol, max_iter=max_iter, options=options)
        d = problem._design
        self.ops = make_ops(problem.X, d)
        self.w = np.zeros(d.p)
        self.gram_path = None
        self.state = None  # residual-mode state, made when first needed
        # (strength, coef) of the last two residual-mode answers, and the
        # epochs of the last: the secant predictor's data.
        self._hist = []
        self._last_epochs = 0
        if use_feature_space(d.n, d.p, d, self.options["gram"]):
            G, b = self.ops.gram(np.arange(d.p))
            L = np.diag(G).copy()
            L[vanishing(L, self.ops.x_off)] = 0.0
            self.gram_path = GramPath(G, b, self.ops.c0, L, d.box,
                                      anderson=self.options["anderson"], round_to=problem.dtype)
            self.ops.forget_gram()

    def step(self, sub, warm_start=None):
        """Solve at ``sub``'s penalty from the previous answer (or ``warm_start``)."""
        if warm_start is not None:
            d = sub._design
            self.w = np.clip(np.array(warm_start, dtype=np.float64), d.box[0], d.box[1])
        d = sub._design
        if self.gram_path is not None and d.unpenalized.size == 0:
            self._hist = []
            coef, ep, status, sums = self.gram_path.solve(d.lam, d.mu, self.w, self.tol * d.p0,
                                                          self.max_iter)
            return BackendResult(coef=coef.copy(), n_iter=ep, status=status, sums=sums,
                                 info={"mode": "feature space"})
        if self.state is None:
            # Residual mode (or, in feature space, alpha = 0: every feature
            # unpenalized, so the certificate needs the residual from X).
            self.state = SolverState(self.ops)
        strength = float(np.max(d.lam + d.mu)) if d.p else 0.0
        start = self.w
        if warm_start is None:
            start = self._predict(strength, d.box)
        raw = run(sub, tol=self.tol, max_iter=self.max_iter, warm_start=start,
                  state=self.state, **self.options)
        self.w = np.array(raw.coef, dtype=np.float64)
        self._hist = ([] if warm_start is not None else self._hist[-1:]) + [(strength, self.w)]
        self._last_epochs = raw.n_iter
        return raw

    def _predict(self, strength, box):
        """The secant prediction of the next answer (``kernels._common.secant_start``).

        Used on sparse X after a slow strength only (``PREDICT_AFTER``
        epochs); otherwise the last answer. On dense X the prediction cost
        epochs (a 20-strength path on 30 x 200 data: 1,735 with it, 1,040
        without), so dense X, stepped or in the compiled grid, starts from
        the last answer.
        """
        common = kernels("_common")
        if self.ops.kind != "sparse" or len(self._hist) < 2 \
                or self._last_epochs < common.PREDICT_AFTER:
            return self.w
        (s0, w0), (s1, w1) = self._hist
        t = common.secant_step(s0, s1, strength) if w1 is self.w else 0.0
        if t == 0.0:
            return self.w
        pred = np.empty_like(w1)
        common.secant_start(w1, w0, t, kbox(box), pred)
        return pred

    def solve_grid(self, alphas, l1_ratio, warm_start=None):
        """The whole grid in one compiled call, when the problem allows it.

        Feature space: :func:`lassokit.kernels.cd_gram_path.gram_path`;
        residual space on dense float64 X:
        :func:`lassokit.kernels.cd_dense_path.dense_path`. Both certify every
        strength with the certificate's dual function. Returns None (the
        path layer then steps strength by strength) with fully unpenalized
        features, float32 or sparse X in residual space, or the solver's
        ``verbose`` option.
        """
        d = self.problem._design
        pen = self.problem.penalty
        lam1, mu1 = type(pen)(1.0, 1.0, pen.l1_weights, pen.l2_weights).strengths(d.p)
        r = float(l1_ratio)
        if self.options["verbose"] or not np.all(alphas > 0) \
                or free_features(r * lam1, (1.0 - r) * mu1, d.box).size:
            return None
        if warm_start is not None:
            self.w = np.clip(np.array(warm_start, dtype=np.float64), d.box[0], d.box[1])
        self._hist = []
        k = alphas.shape[0]
        coefs = np.empty((d.p, k))
        gaps, epochs = np.empty(k), np.zeros(k, dtype=np.int64)
        K = _ANDERSON_K if self.options["anderson"] else 0
        tol_abs, floor = self.tol * d.p0, _FLOOR * d.p0
        alphas = np.ascontiguousarray(alphas, dtype=np.float64)
        lam1, mu1 = np.ascontiguousarray(lam1), np.ascontiguousarray(mu1)
        if self.gram_path is not None:
            g = self.gram_path
            gram_path = kernels("cd_gram_path").gram_path
            gram_path(g.G, g.b, g.c0, g.L, lam1, mu1, alphas, r, 1.0 - r, g.box, tol_abs,
                      floor, self.max_iter, g.K, g.K or 10, g.round_to != np.float64, True,
                      self.w, coefs, gaps, epochs)
            statuses = ["success" if gap <= tol_abs else
                        ("max_iter" if ep >= self.max_iter else "stalled")
                        for gap, ep in zip(gaps, epochs)]
            return GridResult(coefs, gaps, epochs, statuses)
        ops = self.ops
        if ops.kind != "dense" or ops.dtype != np.float64:
            return None
        dense_path = kernels("cd_dense_path").dense_path
        w = self.w
        res = ops.residual(w, np.flatnonzero(w))
        L, u = ops.norms_and_gradient(res)
        codes = np.zeros(k, dtype=np.int64)
        dense_path(ops.X, ops.x_off, ops.yc, ops.sw, ops.has_sw, L, lam1, mu1, alphas, r,
                   kbox(d.box), tol_abs, floor, self.max_iter, K, K or 10,
                   self.options["ws_start"], self.options["working_set"],
                   self.options["screening"], w, res, u, coefs, gaps, epochs, codes)
        self.state = None  # the step-by-step state no longer matches w
        return GridResult(coefs, gaps, epochs, [_STATUS[c] for c in codes])

    def close(self):
        """Drop the Gram matrices and the residual state."""
        self.gram_path = None
        self.ops.forget_gram()
