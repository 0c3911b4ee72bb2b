"""Small, robust solves the loss layer needs: the intercept, a few free
coefficients, and the root of a decreasing scalar function.

They only ask the loss for ``value``, ``gradient`` and ``hessian``, so they
work for every loss; none of them is on a solver's hot path.
"""

from __future__ import annotations

import numpy as np

_EPS = np.finfo(float).eps


def _slope(loss, y, s, z, b):
    """``(f, h, r)``: ``sum s l'``, ``sum s l''`` and ``sum s |l'|`` at ``z + b``, over ``sum s``.

    ``r`` is the scale of the rounding error of ``f``.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        g = loss.gradient(y, z + b)
        return (float(np.dot(s, g)), float(np.dot(s, loss.hessian(y, z + b))),
                float(np.dot(s, np.abs(g))))


def intercept(loss, y, s, z, b):
    """The minimizer in ``b`` of ``sum_i s_i l(y_i, z_i + b)``, from the start ``b``.

    The derivative is non-decreasing in ``b``. A bracket ``[lo, hi]`` with
    a sign change is found by doubling steps away from the start; inside it
    a Newton step is taken when it stays strictly inside, a bisection step
    otherwise. This converges for any convex loss (kinks and flat pieces,
    as Huber's, included) and quadratically where Newton applies; it stops
    once the derivative is at the rounding level of its sum. Returns
    ``+-inf`` when no sign change exists before the float range ends.
    """
    keep = s > 0
    if not keep.all():
        y, s, z = y[keep], s[keep], z[keep]
    s = s / s.max()  # weights of 1e300 would overflow their sum
    s = s / s.sum()
    f, h, r = _slope(loss, y, s, z, b)
    if abs(f) <= 8 * _EPS * r:
        return float(b)
    lo, hi = (-np.inf, b) if f > 0 else (b, np.inf)
    step = abs(f) / h if h > 0 else 1.0
    step = max(step, 1e-8 * (1.0 + abs(b)))
    while not (np.isfinite(lo) and np.isfinite(hi)):
        trial = b - step if f > 0 else b + step
        if not np.isfinite(trial):
            return -np.inf if f > 0 else np.inf
        ft, ht, rt = _slope(loss, y, s, z, trial)
        if abs(ft) <= 8 * _EPS * rt:
            return float(trial)
        if (ft > 0) == (f > 0):
            b, f, h = trial, ft, ht  # still on the same side: the bracket moves
            lo, hi = (-np.inf, b) if f > 0 else (b, np.inf)
            step *= 2.0
        else:
            lo, hi = (trial, b) if f > 0 else (b, trial)
            if abs(ft) < abs(f):
                b, f, h = trial, ft, ht
    for _ in range(200):
        newton = b - f / h if h > 0 else np.nan
        if not lo < newton < hi:
            newton = 0.5 * lo + 0.5 * hi  # halves first: lo + hi may overflow
        if newton == b:
            break
        b = newton
        f, h, r = _slope(loss, y, s, z, b)
        if abs(f) <= 8 * _EPS * r:
            break
        if f > 0:
            hi = b
        else:
            lo = b
        if hi - lo <= 4 * _EPS * max(abs(lo), abs(hi)):
            break
    return float(b)


def fit_free(loss, y, s, z_base, A, mu, bounds, x, max_iter=50):
    """Minimize ``F(x) = sum_i s_i l(y_i, z_base_i + (A x)_i) / sum s + sum mu x^2 / 2``.

    A projected Newton method with an Armijo line search on ``F`` itself
    (so that a loss without a global curvature bound, Poisson, cannot
    diverge); coordinates are kept inside their ``bounds`` and leave the
    Newton system while they sit at a bound their gradient pushes against.
    Meant for a handful of columns (the intercept and the fully unpenalized
    features).

    Parameters
    ----------
    loss : Loss
    y, s, z_base : ndarray of shape (n_samples,)
    A : ndarray of shape (n_samples, k)
    mu : ndarray of shape (k,)
        Ridge strengths of the coordinates (0 for unpenalized ones).
    bounds : tuple of two ndarrays of shape (k,)
        Lower and upper bounds (``-inf``/``inf`` for none).
    x : ndarray of shape (k,)
        Start.
    max_iter : int

    Returns
    -------
    x : ndarray of shape (k,)
    z : ndarray of shape (n_samples,)
        ``z_base + A x``.
    """
    z_all, A_all = z_base, A
    keep = s > 0
    if not keep.all():  # zero weights: those rows leave the solve
        y, s, z_base, A = y[keep], s[keep], z_base[keep], A[keep]
    s = s / s.max()
    s = s / s.sum()  # F is then a weighted mean: no sum of weights of 1e300
    lo, hi = bounds
    x = np.clip(x, lo, hi)

    def objective(point):
        with np.errstate(over="ignore", invalid="ignore"):
            z = z_base + np.dot(A, point)
            return float(np.dot(s, loss.value(y, z))) + 0.5 * float(np.dot(mu, point * point)), z

    f, z = objective(x)
    for _ in range(max_iter):
        if not np.isfinite(f):
            break
        with np.errstate(over="ignore", invalid="ignore"):
            g, h = loss.gradient(y, z), loss.hessian(y, z)
        grad = np.dot(A.T, s * g) + mu * x
        H = np.dot((A * (s * h)[:, None]).T, A) + np.diag(mu)
        free = ~(((x <= lo) & (grad > 0)) | ((x >= hi) & (grad < 0)))
        if not np.any(free):
            break
        Hf = H[np.ix_(free, free)]
        # A relative ridge keeps the system solvable where the curvature
        # vanishes (every Huber residual beyond delta, saturated logistic).
        Hf = Hf + np.eye(Hf.shape[0]) * (1e-12 * max(np.trace(Hf) / Hf.shape[0], 1e-300))
        d = np.zeros_like(x)
        d[free] = np.linalg.lstsq(Hf, -grad[free], rcond=None)[0]
        decrement = -float(np.dot(grad, d))
        if not decrement > 0:
            break
        accepted = newton_step(objective, x, f, d, grad, project=lambda t: np.clip(t, lo, hi))
        if accepted is None:
            break
        x, f, z = accepted
        if decrement <= 1e-16 * max(abs(f), 1e-300):
            break
    with np.errstate(over="ignore", invalid="ignore"):
        return x, z_all + np.dot(A_all, x)


def newton_step(objective, x, f, step, grad, project=None, halvings=40):
    """Backtrack along ``step`` from ``x`` until Armijo's condition holds on ``F``.

    ``objective(point)`` returns ``(F, z)``; ``grad`` is ``F``'s gradient at
    ``x`` (value ``f``); ``project`` maps a trial point onto the feasible set
    (bounds at 0). The rounding of ``F`` is slack: near the optimum the full
    step may "raise" ``F`` by an ulp while it still halves the gradient.
    Returns the accepted ``(x, F, z)``, or None. The caller stops once the
    Newton decrement is at the rounding level of ``F``: the quadratic step
    just taken was then the last useful one.
    """
    t = 1.0
    for _ in range(halvings):
        trial = x + t * step
        if project is not None:
            trial = project(trial)
        f_new, z_new = objective(trial)
        if f_new <= f + 1e-4 * float(np.dot(grad, trial - x)) + 4 * _EPS * abs(f):
            return trial, f_new, z_new
        t *= 0.5
    return None


def concave_argmax(slope, hi):
    """A maximizer on ``[0, hi]`` of a concave function, from its derivatives.

    ``slope(c)`` returns the first and second derivative at ``c`` (the
    first non-increasing in ``c``, either may be ``+-inf`` at the ends);
    ``hi`` may be ``inf``. Newton steps from ``c = min(1, hi)`` (where the
    maximizer lies near the optimum of the problem the function comes
    from), safeguarded by a bracket: a step leaving the bracket, or an
    infinite curvature, is replaced by bisection (by doubling while the
    bracket is open above). Any point returned is a valid argument; the
    search only makes the bound it serves tight.
    """
    lo, up = 0.0, hi
    c = min(1.0, hi)
    for _ in range(100):
        d, dd = slope(c)
        if d == 0 or np.isnan(d):
            return c
        if d > 0:
            lo = c
            if c == hi:
                return c
        else:
            up = c
        step = -d / dd if dd < 0 and np.isfinite(dd) else np.nan
        if abs(step) <= 1e-12 * c:
            return c  # converged: a Newton step below the rounding of c
        new = c + step
        if not lo < new < up:
            new = 2.0 * c if not np.isfinite(up) else 0.5 * (lo + up)
        if (np.isfinite(up) and up - lo <= 1e-12 * up) or new > 1e300:
            return lo
        c = new
    return lo
