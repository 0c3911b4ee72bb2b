"""The ``"gpu"`` backend's algorithms, written once for any array namespace.

``xp`` is :mod:`numpy` (tests, machines without a GPU) or :mod:`cupy`: only
functions both share are used (``asarray``, ``@``, ``sum``, ``sqrt``,
``maximum``, ``abs``, ``sign``, ``zeros``), so the code that runs on the device is
the code the CPU tests run.

Two routes, chosen by shape:

* **gram** (``n >= p``, ``p <= max_gram_p``): the sufficient statistics
  ``G = Xc^T S Xc / n`` and ``b = Xc^T S yc / n`` in one pass on the device
  (BLAS-3, the cost of the whole solve on tall data), then coordinate descent
  in feature space on the host (Friedman et al. 2010, "covariance updates";
  ``p x p`` work per epoch, no pass over X).
* **fista** (otherwise): accelerated proximal gradient on the device (Beck &
  Teboulle 2009) with adaptive restart (O'Donoghue & Candes 2015): two
  matrix-vector products with X per iteration, the step from a power
  iteration on ``Xc^T S Xc / n``.

Either way the duality gap is evaluated with one pass ``Xc^T S r`` on the
device and the certificate's own dual formula
(:func:`lassokit.kernels._common.dual_objective`) on the host, and the
final sums are handed to the problem layer, whose certificate decides.

References
----------
Friedman, Hastie & Tibshirani (2010), J. Stat. Softw. 33(1).
Beck & Teboulle (2009), SIAM J. Imaging Sciences 2(1).
O'Donoghue & Candes (2015), Found. Comput. Math. 15.
"""

from __future__ import annotations

import numpy as np

__all__ = ["DeviceData", "fista", "gram_statistics"]

#: Power iterations for the Lipschitz constant (then inflated by _L_SAFETY).
_POWER_ITERS = 50
_L_SAFETY = 1.02
#: Gap checks every this many FISTA iterations.
_CHECK_EVERY = 10
#: Rows per block while forming G (bounded device scratch: 2^24 entries).
_BLOCK_ENTRIES = 1 << 24


class DeviceData:
    """The centred, weighted data on the device, copied there once.

    ``Xc = X - x_offset`` is formed on the device entry by entry (a column
    with mean 1e9 keeps its digits), in float64 whatever X's dtype: float32
    centring and products lose the digits the certificate needs (a float32
    copy cost 2e-8 of relative gap). ``s`` are the sample weights (ones
    without), ``yc`` the centred target.
    """

    def __init__(self, xp, X, design):
        d = design
        self.xp = xp
        Xd = xp.asarray(X, dtype=np.float64)
        self.dtype = Xd.dtype
        self.Xc = Xd - xp.asarray(d.x_offset) if d.fit_intercept else Xd
        self.s = xp.asarray(np.ones(d.n) if d.sw is None else d.sw, dtype=np.float64)
        self.yc = xp.asarray(d.yc, dtype=np.float64)
        self.n, self.p = d.n, d.p
        self.fit_intercept = d.fit_intercept

    def matvec(self, w):
        """``Xc @ w``."""
        return self.Xc @ self.xp.asarray(w, dtype=np.float64)

    def rmatvec(self, q):
        """``Xc^T q``."""
        return self.Xc.T @ q

    def sums(self, w):
        """``(fit, a, u, r)`` of the residual at ``w``: one pass each way over X."""
        xp = self.xp
        r = self.yc - self.matvec(w)
        if self.fit_intercept:
            r = r - xp.sum(self.s * r) / self.n  # exact centring against rounding
        sr = self.s * r
        u = self.rmatvec(sr) / self.n
        return float(xp.sum(sr * r)) / (2 * self.n), float(xp.sum(sr * self.yc)) / self.n, u, r


def to_host(a):
    """A numpy array from either namespace."""
    return a.get() if hasattr(a, "get") else np.asarray(a)


def gram_statistics(data):
    """``(G, b)`` on the host: ``Xc^T S Xc / n`` and ``Xc^T S yc / n`` in float64."""
    xp = data.xp
    n, p = data.n, data.p
    G = xp.zeros((p, p), dtype=np.float64)
    b = xp.zeros(p, dtype=np.float64)
    step = max(1, _BLOCK_ENTRIES // max(p, 1))
    for start in range(0, n, step):
        B = data.Xc[start:start + step]
        sB = B * data.s[start:start + step, None]
        G += sB.T @ B
        b += sB.T @ data.yc[start:start + step]
    return to_host(G) / n, to_host(b) / n


def _lipschitz(data, mu_max, seed=0):
    xp = data.xp
    v = xp.asarray(np.random.RandomState(seed).standard_normal(data.p))
    v = v / xp.sqrt(xp.sum(v * v))
    lam = 0.0
    for _ in range(_POWER_ITERS):
        z = data.rmatvec(data.s * data.matvec(v)) / data.n
        lam = float(xp.sqrt(xp.sum(z * z)))
        if lam == 0.0:
            break
        v = z / lam
    return _L_SAFETY * lam + mu_max


def _prox(xp, v, t, lam, positive):
    out = xp.sign(v) * xp.maximum(xp.abs(v) - t * lam, 0.0)
    return xp.maximum(out, 0.0) if positive else out


def fista(data, design, w0, tol_abs, max_iter, dual):
    """Accelerated proximal gradient with adaptive restart on the device.

    Parameters
    ----------
    data : DeviceData
    design : _Design
        ``lam``, ``mu``, ``positive``.
    w0 : ndarray of shape (p,)
        Start (host).
    tol_abs : float
        Absolute duality gap to stop at.
    max_iter : int
    dual : callable
        ``dual(a, nb, u_host) -> float``, the certificate's dual formula.

    Returns
    -------
    (ndarray, int, str)
        Coefficients on the host, iterations, ``"success"`` or ``"max_iter"``.
    """
    xp = data.xp
    d = design
    lam = xp.asarray(d.lam)
    mu = xp.asarray(d.mu)
    L = _lipschitz(data, float(np.max(d.mu, initial=0.0)))
    if L <= 0.0:
        return np.zeros(d.p), 0, "success"
    t = 1.0 / L
    w = xp.asarray(np.array(w0, dtype=np.float64))
    z = w
    theta = 1.0
    status = "max_iter"
    it = 0
    for it in range(1, max_iter + 1):
        r = data.yc - data.matvec(z)
        grad = -data.rmatvec(data.s * r) / data.n + mu * z
        w_new = _prox(xp, z - t * grad, t, lam, d.positive)
        # Restart when the step points against the momentum (gradient test).
        if float(xp.sum((z - w_new) * (w_new - w))) > 0.0:
            theta = 1.0
        theta_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * theta * theta))
        z = w_new + ((theta - 1.0) / theta_new) * (w_new - w)
        w, theta = w_new, theta_new
        if it % _CHECK_EVERY == 0 or it == max_iter:
            fit, a, u, _ = data.sums(w)
            pen = float(xp.sum(lam * xp.abs(w)) + 0.5 * xp.sum(mu * w * w))
            gap = fit + pen - dual(a, 2.0 * fit, to_host(u))
            if gap <= tol_abs:
                status = "success"
                break
    return to_host(w), it, status
