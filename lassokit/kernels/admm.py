"""Numba kernels of the ADMM inner loop (arrays and scalars only).

The splitting is the one of Boyd et al. (2011), section 6.4: ``minimize
f(x) + g(z)`` subject to ``x = z`` with the smooth part ``f`` (data fit plus
L2 term) in the x-update and ``g`` (L1 term plus the indicator of the box
``lower <= z <= upper``) in the z-update, in scaled form with over-relaxation
(section 3.4.3).  The kernels are the reusable pieces of one iteration:

* :func:`prox_l1` -- the z-update prox (soft thresholding, projection);
* :func:`relaxed_z_u_update` -- over-relaxed z- and dual update, returning the
  primal/dual residual norms and the number of sign changes in ``z``;
* :func:`gram_steps` / :func:`woodbury_steps` -- several whole iterations
  with a cached explicit inverse (``n >= p``: ``(H + rho I)^-1``;
  ``p > n``: the matrix-inversion lemma with an ``n x n`` inverse).

They take float64 arrays and scalars only and import nothing from lassokit,
so a consensus ADMM can call them block by block. The scalar prox and the
z/u update are inlined in numba's IR into the kernels that call them
(``inline="always"``; none uses fastmath, so nothing changes numerically):
no library of their own to compile and link again in each caller; called
from Python they still compile on their own.

References
----------
S. Boyd, N. Parikh, E. Chu, B. Peleato and J. Eckstein (2011), "Distributed
optimization and statistical learning via the alternating direction method of
multipliers", Foundations and Trends in Machine Learning 3(1), 1-122.
"""

import numpy as np
from numba import njit

__all__ = ["gram_steps", "prox_l1", "relaxed_z_u_update", "woodbury_solve", "woodbury_steps"]


@njit(cache=True, nogil=True, inline="always")
def _prox_scalar(v, t, lo, hi):
    # Soft-thresholding clipped into [lo, hi] (lo <= 0 <= hi): the prox of
    # t|z| plus the box, a convex function of one variable.
    if v > t:
        return min(v - t, hi)
    if v < -t:
        return max(v + t, lo)
    return 0.0


@njit(cache=True, nogil=True)
def prox_l1(v, thresh, box, out):
    """Prox of ``sum_j thresh_j |z_j|`` (+ indicator of the box) at ``v``, into ``out``.

    Parameters
    ----------
    v, thresh, out : ndarray of shape (p,), float64
        ``thresh`` is ``lam / rho``; ``out`` may alias ``v``.
    box : ndarray of shape (2, p)
        Lower and upper bounds of ``z`` (``-inf``/``inf`` for none).
    """
    for j in range(v.shape[0]):
        out[j] = _prox_scalar(v[j], thresh[j], box[0, j], box[1, j])


@njit(cache=True, nogil=True, inline="always")
def relaxed_z_u_update(x, z, u, thresh, relax, box):
    """Over-relaxed z-update and scaled dual update, in place.

    ``xh = relax*x + (1-relax)*z``, ``z = prox(xh + u)``, ``u += xh - z``.

    Parameters
    ----------
    x : ndarray of shape (p,)
        The fresh x-update.
    z, u : ndarray of shape (p,)
        Split variable and scaled dual, updated in place.
    thresh : ndarray of shape (p,)
        ``lam / rho``.
    relax : float
        Over-relaxation parameter in (0, 2).
    box : ndarray of shape (2, p)
        Lower and upper bounds of ``z``.

    Returns
    -------
    r2, s2, x2, z2, u2 : float
        ``||x - z||^2`` (primal residual), ``||z - z_old||^2`` (dual residual
        over ``rho^2``), ``||x||^2``, ``||z||^2``, ``||u||^2``.
    changes : int
        Number of coordinates whose sign (-1, 0, +1) changed.
    """
    r2 = 0.0
    s2 = 0.0
    x2 = 0.0
    z2 = 0.0
    u2 = 0.0
    changes = 0
    for j in range(x.shape[0]):
        xj = x[j]
        zo = z[j]
        xh = relax * xj + (1.0 - relax) * zo
        v = xh + u[j]
        zn = _prox_scalar(v, thresh[j], box[0, j], box[1, j])
        if (zn > 0.0) != (zo > 0.0) or (zn < 0.0) != (zo < 0.0):
            changes += 1
        un = v - zn
        u[j] = un
        z[j] = zn
        d = zn - zo
        s2 += d * d
        d = xj - zn
        r2 += d * d
        x2 += xj * xj
        z2 += zn * zn
        u2 += un * un
    return r2, s2, x2, z2, u2, changes


@njit(cache=True, nogil=True)
def gram_steps(Hinv, hb, rho, x, z, u, thresh, relax, box, n_steps):
    """``n_steps`` ADMM iterations with the cached inverse ``Hinv = (H + rho I)^-1``.

    The x-update is ``x = Hinv (b + rho (z - u)) = hb + rho Hinv (z - u)``.

    Parameters
    ----------
    Hinv : ndarray of shape (p, p), C-contiguous
    hb : ndarray of shape (p,)
        ``Hinv @ b``.
    rho : float
    x, z, u : ndarray of shape (p,)
        Updated in place.
    thresh : ndarray of shape (p,)
    relax : float
    box : ndarray of shape (2, p)
        Lower and upper bounds of ``z``.
    n_steps : int

    Returns
    -------
    r2, s2, x2, z2, u2 : float
        As :func:`relaxed_z_u_update`, for the last step.
    changes : int
        Sign changes summed over all steps.
    """
    p = x.shape[0]
    c = np.empty(p)
    tmp = np.empty(p)
    total = 0
    r2 = s2 = x2 = z2 = u2 = 0.0
    for _ in range(n_steps):
        for j in range(p):
            c[j] = z[j] - u[j]
        np.dot(Hinv, c, tmp)
        for j in range(p):
            x[j] = hb[j] + rho * tmp[j]
        r2, s2, x2, z2, u2, ch = relaxed_z_u_update(x, z, u, thresh, relax, box)
        total += ch
    return r2, s2, x2, z2, u2, total


@njit(cache=True, nogil=True)
def woodbury_solve(A, AT, Minv, dinv, c, out, t1, t2):
    """Solve ``(A^T A + D) out = c`` by the matrix-inversion lemma.

    ``(D + A^T A)^-1 = D^-1 - D^-1 A^T (I + A D^-1 A^T)^-1 A D^-1`` with the
    cached ``Minv = (I + A D^-1 A^T)^-1`` (n x n): two products with ``A``
    and one with ``Minv`` per solve.

    Parameters
    ----------
    A : ndarray of shape (n, p), C-contiguous
    AT : ndarray of shape (p, n)
        ``A.T`` (a view of ``A`` is fine).
    Minv : ndarray of shape (n, n)
    dinv : ndarray of shape (p,)
        ``1 / diag(D)``.
    c : ndarray of shape (p,)
        Right-hand side; overwritten with ``D^-1 c``.
    out : ndarray of shape (p,)
    t1, t2 : ndarray of shape (n,)
        Workspace.
    """
    p = c.shape[0]
    for j in range(p):
        c[j] *= dinv[j]
    np.dot(A, c, t1)
    np.dot(Minv, t1, t2)
    np.dot(AT, t2, out)
    for j in range(p):
        out[j] = c[j] - dinv[j] * out[j]


@njit(cache=True, nogil=True)
def woodbury_steps(A, AT, Minv, dinv, b, rho, x, z, u, thresh, relax, box, n_steps):
    """``n_steps`` ADMM iterations whose x-update uses :func:`woodbury_solve`.

    Parameters
    ----------
    A, AT, Minv, dinv
        As :func:`woodbury_solve` (``D = diag(mu) + rho I``).
    b : ndarray of shape (p,)
        ``A^T y``-like linear term of the smooth part.
    rho : float
    x, z, u : ndarray of shape (p,)
        Updated in place.
    thresh : ndarray of shape (p,)
    relax : float
    box : ndarray of shape (2, p)
        Lower and upper bounds of ``z``.
    n_steps : int

    Returns
    -------
    As :func:`gram_steps`.
    """
    n = A.shape[0]
    p = x.shape[0]
    c = np.empty(p)
    t1 = np.empty(n)
    t2 = np.empty(n)
    total = 0
    r2 = s2 = x2 = z2 = u2 = 0.0
    for _ in range(n_steps):
        for j in range(p):
            c[j] = b[j] + rho * (z[j] - u[j])
        woodbury_solve(A, AT, Minv, dinv, c, x, t1, t2)
        r2, s2, x2, z2, u2, ch = relaxed_z_u_update(x, z, u, thresh, relax, box)
        total += ch
    return r2, s2, x2, z2, u2, total
