"""The multinomial (softmax) loss of K >= 3 classes, on rows of a linear predictor.

For a sample of class ``c`` and a linear predictor ``z`` with one entry per
class,

    l(c, z) = logsumexp(z) - z_c,

the negative log-likelihood of the softmax model ``P(class k) = exp(z_k) /
sum_l exp(z_l)``. Its conjugate, with ``e_c`` the class's indicator, is

    l*(c, v) = sum_k q_k log q_k    where q = v + e_c,

finite exactly when ``q`` is a probability vector (the simplex): the dual
point built from the gradient ``v = softmax(z) - e_c`` is always inside it,
and so is ``t v`` for ``0 <= t <= 1``. Unlike the other losses its
predictor is a row of K numbers, so it is used by the matrix layer
(:mod:`lassokit.matrix`), not by one-target problems; the methods take
``(n, K)`` arrays: ``E`` the one-hot class matrix and ``Z`` the predictors.
"""

from __future__ import annotations

import numpy as np

from .base import Loss

__all__ = ["Multinomial"]


def _log_softmax(Z):
    top = Z.max(axis=1, keepdims=True)
    shifted = Z - top
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


class Multinomial(Loss):
    """The softmax loss ``logsumexp(z) - z_c`` of K classes (``loss="multinomial"``).

    Used with a class label per sample; the problem has one coefficient
    column per class (``coef`` of shape (n_features, K)) and one intercept
    per class, as scikit-learn's multinomial ``LogisticRegression``. Only
    differences between the columns matter to the loss; a penalty picks
    the symmetric solution (rows summing to 0 under an L2 or group term).
    """

    __slots__ = ()

    name = "multinomial"

    def check_y(self, y):
        """Class indices ``0..K-1`` and the classes (sorted labels).

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Labels (numbers, strings or booleans).

        Returns
        -------
        (ndarray of int64, ndarray)
        """
        arr = np.asarray(y)
        if arr.ndim == 2 and arr.shape[1] == 1:
            arr = arr[:, 0]
        if arr.ndim != 1:
            raise ValueError(f"y must be one class label per sample for the multinomial loss, "
                             f"got shape {arr.shape}.")
        if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
            raise ValueError("y contains NaN or infinity.")
        classes, idx = np.unique(arr, return_inverse=True)
        if classes.size < 2:
            raise ValueError("the multinomial loss needs at least 2 classes in y, got "
                             f"{classes.size}.")
        return idx.astype(np.int64), classes

    def value(self, E, Z):
        """``logsumexp(z_i) - z_i . e_i`` per sample, shape (n,)."""
        return -np.einsum("ik,ik->i", E, _log_softmax(Z))

    def gradient(self, E, Z):
        """``softmax(z_i) - e_i`` per sample, shape (n, K)."""
        return self.inverse_link(Z) - E

    def hessian(self, E, Z):
        """The diagonal of each sample's Hessian, ``p (1 - p)``, shape (n, K).

        The full Hessian ``diag(p) - p p^T`` couples the classes; the
        diagonal is the per-class working weight of the proximal Newton
        steps, whose line search makes up for the dropped coupling (Lee,
        Sun & Saunders, 2014).
        """
        P = self.inverse_link(Z)
        return P * (1.0 - P)

    def curvature_bound(self):
        """``1/2``: the Hessian is at most ``(I - 11^T/K) / 2`` (Böhning, 1992)."""
        return 0.5

    def conjugate(self, E, V):
        """``sum_k q_k log q_k`` with ``q = v + e`` per sample (``inf`` off the simplex)."""
        Q = V + E
        tol = 1e-12
        bad = np.any(Q < -tol, axis=1) | (np.abs(Q.sum(axis=1) - 1.0) > 1e-9)
        Q = np.clip(Q, 0.0, None)
        with np.errstate(divide="ignore", invalid="ignore"):
            ent = np.where(Q > 0, Q * np.log(np.where(Q > 0, Q, 1.0)), 0.0).sum(axis=1)
        return np.where(bad, np.inf, ent)

    def dual_domain(self, y):
        """The simplex (shifted by ``-e_c``); see :meth:`conjugate`."""
        raise NotImplementedError("the multinomial dual domain is a simplex per sample; "
                                  "see Multinomial.conjugate.")

    def inverse_link(self, z):
        """Class probabilities: the softmax of each row of ``z``."""
        return np.exp(_log_softmax(np.atleast_2d(np.asarray(z, dtype=np.float64))))

    def link(self, mu):
        """Log probabilities (one representative of the predictor)."""
        return np.log(np.asarray(mu, dtype=np.float64))

    def intercept_only(self, E, s=None):
        """Log class frequencies (weighted), the optimal intercept at ``W = 0``."""
        s = np.ones(E.shape[0]) if s is None else s
        freq = s @ E
        with np.errstate(divide="ignore"):
            return np.log(freq / freq.sum())
