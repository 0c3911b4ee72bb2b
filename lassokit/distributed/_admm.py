"""Consensus ADMM over row blocks (Boyd et al. 2011, section 8.2).

The problem ``min_w sum_k f_k(w) + g(w)`` with ``f_k(w) = 1/(2n) ||A_k w - b_k||^2``
(block ``k`` of the implicitly centred, weighted data fit) and the separable
penalty ``g`` is split as ``min sum_k f_k(x_k) + g(z)`` subject to
``x_k = z``. In scaled form with over-relaxation (section 3.4.3):

    x_k <- argmin f_k(x) + rho/2 ||x - z + u_k||^2          (on the workers)
    xh_k = relax x_k + (1 - relax) z
    z   <- prox_{g / (N rho)}( mean_k(xh_k + u_k) )          (on the client)
    u_k <- u_k + xh_k - z                                    (on the client)

Each worker's block keeps its rows and a cached factorization
(:class:`._blocks.RowBlock`, a dask actor), so an iteration ships only
p-vectors. The penalty parameter is balanced against the residuals
(section 3.4.1), which costs nothing because blocks factor by
eigendecomposition. Stopping: Boyd's primal/dual residual criteria trigger a
certificate check (also done every ``check_every`` iterations, from the
cached Gram where blocks have one); the answer is accepted only when
lassokit's duality gap, evaluated by one exact pass over the rows (reduced
quantities, :mod:`._certify`), is at most ``tol * P(0, b0)``.

The intercept is never penalized: it is eliminated by the global weighted
centring and recovered as ``y_offset - x_offset @ z``.

References
----------
S. Boyd, N. Parikh, E. Chu, B. Peleato and J. Eckstein (2011), "Distributed
optimization and statistical learning via the alternating direction method of
multipliers", Foundations and Trends in Machine Learning 3(1), 1-122.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.linalg
import scipy.optimize

from .._box import make_box
from .._data import kernel_box
from ._certify import reduced_certificate

__all__ = ["ADMM_OPTIONS", "AdmmState", "BlockSet", "run_admm"]

#: Options of ``method="admm"`` and their defaults.
ADMM_OPTIONS = {"rho": None, "relax": 1.6, "check_every": 10, "adapt_rho": True}

_BALANCE = 10.0  # residual ratio that triggers a change of rho (Boyd's mu)
_FACTOR = 2.0  # multiplier applied to rho (Boyd's tau)


@dataclass(frozen=True)
class _Design:
    """The few fields of ``Problem._design`` the reduced certificate needs."""

    n: int
    lam: np.ndarray
    mu: np.ndarray
    positive: bool
    fit_intercept: bool
    unpenalized: np.ndarray
    #: ``positive``'s box as the shared dual kernel takes it (the tier has no other box).
    box: np.ndarray
    bounded: bool


def _gather(handles):
    return [h.result() if hasattr(h, "result") else h for h in handles]


@dataclass
class BlockSet:
    """The prepared blocks of one distributed data set.

    Attributes
    ----------
    blocks : list
        ``RowBlock`` actors (or plain ``RowBlock`` objects).
    n : int
    p : int
    x_offset : ndarray of shape (p,)
    y_offset : float
    fit_intercept : bool
    yy : float
        ``sum s yc^2``.
    trace : float
        Trace of ``Xc^T S Xc``.
    kinds : list of str
    unpen : dict
        Reduced Gram blocks of column subsets, keyed by the index tuple.
    keep : list
        Objects (persisted collections) that must stay alive with the blocks.
    """

    blocks: list
    n: int
    p: int
    x_offset: np.ndarray
    y_offset: float
    fit_intercept: bool
    yy: float
    trace: float
    kinds: list
    unpen: dict = field(default_factory=dict)
    keep: list = field(default_factory=list)

    @property
    def p0(self):
        """float: ``P(0, b0)``."""
        return 0.5 * self.yy / self.n

    def intercept(self, coef):
        """Optimal intercept for ``coef``."""
        if not self.fit_intercept:
            return 0.0
        return self.y_offset - float(self.x_offset @ coef)

    def call(self, name, *args, per_block=None):
        """Call a block method on every block (in parallel) and gather results."""
        if per_block is None:
            handles = [getattr(b, name)(*args) for b in self.blocks]
        else:
            handles = [getattr(b, name)(*a) for b, a in zip(self.blocks, per_block)]
        return _gather(handles)

    def unpenalized_block(self, idx):
        """Reduced Gram blocks of the centred columns ``idx`` (cached)."""
        key = tuple(int(i) for i in idx)
        if key not in self.unpen:
            parts = self.call("columns_gram", np.asarray(key, dtype=np.intp))
            total = parts[0]
            for part in parts[1:]:
                total = total + part
            self.unpen[key] = total
        return self.unpen[key]

    def alpha_max(self, penalty, positive):
        """``Problem.alpha_max`` (``certificate.compute_alpha_max``) on the blocks.

        Features with zero L1 weight are fitted first from their reduced Gram
        blocks (ridge with their L2 term, NNLS with ``positive``); the
        residual is then evaluated exactly by one pass over the rows.
        """
        p, n = self.p, self.n
        v1 = np.ones(p) if penalty.l1_weights is None else np.asarray(penalty.l1_weights)
        _, mu = penalty.strengths(p)
        free = np.flatnonzero(v1 == 0)
        w = np.zeros(p)
        if free.size:
            blk = self.unpenalized_block(free)
            w[free] = _ridge_fit(blk.Guu + n * np.diag(mu[free]), blk.bu, positive)
        red = self.call("residual", w, True)
        total = red[0]
        for part in red[1:]:
            total = total + part
        if total.nb <= 1e-26 * max(self.yy, np.finfo(float).tiny):
            return 0.0
        pen = v1 > 0
        if not np.any(pen):
            return 0.0
        u = total.h / n
        eff = u if positive else np.abs(u)
        return float(max(np.max(eff[pen] / v1[pen]), 0.0))

    def close(self):
        """Release the actors and the persisted data."""
        self.blocks = []
        self.keep = []

    def certify(self, design, coef, exact=True):
        """lassokit's certificate at ``coef`` from one reduced pass."""
        parts = self.call("residual", coef, exact)
        red = parts[0]
        for part in parts[1:]:
            red = red + part
        unpen = (self.unpenalized_block(design.unpenalized)
                 if design.unpenalized.size else None)
        return reduced_certificate(design, coef, red, self.intercept(coef), self.p0, unpen)


@dataclass
class AdmmState:
    """Warm-startable ADMM iterate: consensus ``z``, scaled duals ``U``, ``rho``."""

    z: np.ndarray
    U: np.ndarray
    rho: float


def _ridge_fit(G, b, positive):
    """``argmin w^T G w / 2 - b^T w`` (``w >= 0`` if positive), min-norm if singular."""
    G = 0.5 * (G + G.T)
    lam, V = scipy.linalg.eigh(G, check_finite=False)
    keep = lam > G.shape[0] * np.finfo(float).eps * max(lam.max(initial=0.0), 0.0)
    Vk, lk = V[:, keep], lam[keep]
    if not positive:
        return Vk @ ((Vk.T @ b) / lk)
    if lk.size == 0:
        return np.zeros(G.shape[0])
    A = np.sqrt(lk)[:, None] * Vk.T
    return scipy.optimize.nnls(A, (Vk.T @ b) / np.sqrt(lk), maxiter=50 * max(A.shape[1], 10))[0]


def _prox(v, lam, mu, positive, t):
    """Prox of ``t * g`` for ``g = sum lam|w| + mu/2 w^2`` (with ``w >= 0``)."""
    if positive:
        shrunk = np.maximum(v - t * lam, 0.0)
    else:
        shrunk = np.sign(v) * np.maximum(np.abs(v) - t * lam, 0.0)
    return shrunk / (1.0 + t * mu)


def make_design(bs, lam, mu, positive):
    """The certificate's view of a penalty on a block set."""
    box, _, bounded = kernel_box(make_box(None, positive, lam.shape[0]), lam.shape[0])
    return _Design(
        n=bs.n, lam=lam, mu=mu, positive=positive, fit_intercept=bs.fit_intercept,
        unpenalized=np.flatnonzero((lam == 0) & (mu == 0)), box=box, bounded=bounded,
    )


def run_admm(bs, design, *, tol, max_iter, state=None, rho=None, relax=1.6,
             check_every=10, adapt_rho=True):
    """Run consensus ADMM until lassokit's certificate is met.

    Parameters
    ----------
    bs : BlockSet
    design : _Design
    tol : float
        Relative duality gap to reach.
    max_iter : int
    state : AdmmState, optional
        Warm start (e.g. from the previous alpha of a path).
    rho : float, optional
        Initial penalty parameter; default from the data scale.
    relax : float
        Over-relaxation in ``[1, 2)``.
    check_every : int
        Certificate check period (iterations).
    adapt_rho : bool
        Residual balancing.

    Returns
    -------
    coef : ndarray of shape (p,)
    cert : Certificate
        From the exact pass over the rows.
    n_iter : int
    state : AdmmState
    status : str
        ``"success"`` or ``"max_iter"``.
    """
    N, p, n = len(bs.blocks), bs.p, bs.n
    lam, mu, positive = design.lam, design.mu, design.positive
    if state is None:
        # The mean eigenvalue of one block's Hessian, A_k^T A_k / n.
        rho0 = bs.trace / (n * p * N) if rho is None else rho
        state = AdmmState(np.zeros(p), np.zeros((N, p)), max(rho0, np.finfo(float).tiny))
    elif rho is not None:
        state = AdmmState(state.z, state.U * (state.rho / rho), rho)
    z, U, rho_ = state.z.copy(), state.U.copy(), state.rho
    target = tol * bs.p0
    eps_rel = max(min(1e-2, np.sqrt(tol)), 1e-12)
    check_every = max(int(check_every), 1)
    cert, it, status, since_check = None, 0, "max_iter", 0
    if bs.p0 == 0.0:
        cert = bs.certify(design, z)
        return z, cert, 0, AdmmState(z, U, rho_), "success"
    while it < max_iter:
        it += 1
        since_check += 1
        Xk = np.asarray(bs.call("step", per_block=[(z - U[k], n * rho_) for k in range(N)]))
        Xh = relax * Xk + (1.0 - relax) * z
        z_old = z
        z = _prox((Xh + U).mean(axis=0), lam, mu, positive, 1.0 / (N * rho_))
        U += Xh - z
        r_norm = float(np.linalg.norm(Xk - z))
        s_norm = rho_ * np.sqrt(N) * float(np.linalg.norm(z - z_old))
        eps_pri = eps_rel * max(float(np.linalg.norm(Xk)), np.sqrt(N) * float(np.linalg.norm(z)))
        eps_dual = eps_rel * rho_ * float(np.linalg.norm(U))
        small = r_norm <= eps_pri and s_norm <= eps_dual
        if small or since_check >= check_every:
            since_check = 0
            approx = bs.certify(design, z, exact=False)
            if approx.dual_gap <= target:
                # Kernel blocks already evaluate the rows exactly.
                cert = (approx if all(k == "kernel" for k in bs.kinds)
                        else bs.certify(design, z, exact=True))
                if cert.dual_gap <= target:
                    status = "success"
                    break
            if small:
                eps_rel = max(eps_rel * 0.1, 1e-14)
        if adapt_rho and it % 5 == 0:
            # Residual balancing (Boyd section 3.4.1); u is scaled by 1/rho.
            if r_norm > _BALANCE * s_norm:
                rho_ *= _FACTOR
                U /= _FACTOR
            elif s_norm > _BALANCE * r_norm:
                rho_ /= _FACTOR
                U *= _FACTOR
    if status != "success":
        cert = bs.certify(design, z, exact=True)
        if cert.dual_gap <= target:
            status = "success"
    return z, cert, it, AdmmState(z, U, rho_), status
