"""The small standard problems every test file builds on.

:func:`make_data` / :func:`make_problem` build them: dense or sparse
CSC/CSR, float32/float64, with or without intercept, sample weights,
per-feature weights with zeros, positivity, L1/L2 mixes (:data:`MIXES`),
described by a hashable :class:`Spec`. Re-exported by ``conftest``
(``from conftest import make_problem`` keeps working).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
from _tolerances import sklearn_converged

import lassokit as lk

__all__ = [
    "MIXES", "Spec", "data_scale", "make_data", "make_feature_weights", "make_problem",
    "make_sample_weight", "strengths", "timestamp_case",
]

# ---------------------------------------------------------------------------
# Standard problems
# ---------------------------------------------------------------------------

#: Penalty mixes: (a1 factor, a2 factor) relative to the data's own scale.
MIXES = {
    "lasso": (0.15, 0.0),
    "enet": (0.1, 0.3),
    "ridge": (0.0, 0.5),
    "ols": (0.0, 0.0),
}


def make_data(n=30, p=12, *, seed=0, storage="dense", dtype=np.float64, density=0.35,
              true_coef=None, noise=0.3, design="random"):
    """A random design and target: X (n, p) with non-zero column means, y.

    Parameters
    ----------
    storage : {"dense", "csc", "csr"}
    true_coef : array of shape (p,), optional
        Default: a sparse vector with mixed signs; feature 0 gets a negative
        coefficient so that positivity is active on it.
    design : {"random", "correlated", "diabetes"}
        "correlated": AR(1) columns with correlation 0.9 between neighbours
        (sparsified like "random" for sparse storage); "diabetes": the first
        ``n`` rows and ``p`` columns of scikit-learn's diabetes data (real
        target; ``true_coef`` and ``noise`` unused).
    """
    if design != "random":
        return _other_design(design, n, p, seed, storage, dtype, density, true_coef, noise)
    rng = np.random.default_rng(seed)
    if storage == "dense":
        X = rng.normal(size=(n, p)) + rng.normal(size=p)  # non-centred columns
    else:
        mask = rng.random((n, p)) < density
        mask[rng.integers(n, size=p), np.arange(p)] = True  # no empty column
        X = np.where(mask, rng.normal(loc=1.0, size=(n, p)), 0.0)
    if true_coef is None:
        true_coef = np.zeros(p)
        k = max(2, p // 3)
        true_coef[:k] = rng.normal(scale=2.0, size=k)
        true_coef[0] = -abs(true_coef[0]) - 0.5
        true_coef[1] = abs(true_coef[1]) + 0.5
    y = X @ true_coef + 1.7 + noise * rng.normal(size=n)
    X = X.astype(dtype)
    if storage == "csc":
        X = sp.csc_matrix(X)
    elif storage == "csr":
        X = sp.csr_matrix(X)
    elif storage != "dense":
        raise ValueError(storage)
    return X, y


def _as_storage(X, storage, dtype):
    X = X.astype(dtype)
    if storage == "csc":
        return sp.csc_matrix(X)
    if storage == "csr":
        return sp.csr_matrix(X)
    if storage != "dense":
        raise ValueError(storage)
    return X


@functools.lru_cache(maxsize=1)
def _diabetes():
    from sklearn.datasets import load_diabetes  # bundled with scikit-learn, no download

    X, y = load_diabetes(return_X_y=True)
    X.flags.writeable = y.flags.writeable = False
    return X, y


def _other_design(design, n, p, seed, storage, dtype, density, true_coef, noise):
    if design == "diabetes":
        X, y = _diabetes()
        if n > X.shape[0] or p > X.shape[1]:
            raise ValueError(f"diabetes has shape {X.shape}, asked for ({n}, {p})")
        return _as_storage(X[:n, :p], storage, dtype), y[:n].copy()
    if design != "correlated":
        raise ValueError(design)
    rng = np.random.default_rng(seed)
    rho = 0.9
    Z = rng.normal(size=(n, p))
    X = np.empty((n, p))
    X[:, 0] = Z[:, 0]
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1 - rho * rho) * Z[:, j]
    X += rng.normal(size=p)
    if storage != "dense":
        mask = rng.random((n, p)) < density
        mask[rng.integers(n, size=p), np.arange(p)] = True
        X = np.where(mask, X, 0.0)
    if true_coef is None:
        true_coef = np.zeros(p)
        true_coef[::3] = rng.normal(scale=2.0, size=true_coef[::3].size)
        true_coef[0] = -abs(true_coef[0]) - 0.5
    y = X @ true_coef + 1.7 + noise * rng.normal(size=n)
    return _as_storage(X, storage, dtype), y


def make_sample_weight(n, seed=0):
    """Positive weights with a spread of 20x plus one zero (dropped) row."""
    rng = np.random.default_rng(seed + 1000)
    sw = rng.uniform(0.2, 4.0, size=n)
    sw[n // 2] = 0.0
    return sw


def make_feature_weights(p):
    """``(v1, v2)`` with zeros: features 0 and 3 fully unpenalized, feature 5
    L1-free but L2-penalized, feature 6 L1-only, the rest spread in [0.5, 2]."""
    v1 = np.linspace(0.5, 2.0, p)
    v2 = np.linspace(2.0, 0.5, p)
    v1[[0, 3]] = 0.0
    v2[[0, 3]] = 0.0
    if p > 6:
        v1[5] = 0.0
        v2[6] = 0.0
    return v1, v2


def data_scale(X, y, sample_weight=None, fit_intercept=True):
    """``max_j |x_j^T s (y - ybar)| / n``: a data-derived scale for strengths
    (computed here independently of lassokit)."""
    Xd = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
    n = Xd.shape[0]
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight) * n / np.sum(sample_weight)
    yc = y - (s @ y) / n if fit_intercept else y
    Xc = Xd - (s @ Xd) / n if fit_intercept else Xd
    return float(np.max(np.abs(Xc.T @ (s * yc)))) / n


@dataclass(frozen=True)
class Spec:
    """A standard problem, hashable so that references can be cached."""

    mix: str = "lasso"
    fit_intercept: bool = True
    sample_weight: bool = False
    feature_weights: bool = False
    positive: bool = False
    storage: str = "dense"
    dtype: str = "float64"
    n: int = 30
    p: int = 12
    seed: int = 0
    #: "random" (make_data's design), "correlated" (AR(1) columns) or
    #: "diabetes" (scikit-learn's diabetes data, first n rows / p columns).
    design: str = "random"

    def id(self):
        bits = [] if self.design == "random" else [self.design]
        bits += [self.mix, self.storage, self.dtype]
        bits += [name for name in ("fit_intercept", "sample_weight", "feature_weights", "positive")
                 if getattr(self, name)]
        if (self.n, self.p, self.seed) != (30, 12, 0):
            bits.append(f"n{self.n}p{self.p}s{self.seed}")
        return "-".join(bits)


def make_problem(spec=None, **kw):
    """Build the :class:`lassokit.Problem` described by a :class:`Spec` (or keywords)."""
    spec = replace(spec or Spec(), **kw)
    X, y = make_data(spec.n, spec.p, seed=spec.seed, storage=spec.storage,
                     dtype=np.dtype(spec.dtype), design=spec.design)
    sw = make_sample_weight(spec.n, spec.seed) if spec.sample_weight else None
    scale = data_scale(X, y, sw, spec.fit_intercept)
    f1, f2 = MIXES[spec.mix]
    v1, v2 = make_feature_weights(spec.p) if spec.feature_weights else (None, None)
    pen = lk.L1(f1 * scale, v1) + lk.L2(f2 * scale, v2)
    return lk.Problem(X, y, pen, fit_intercept=spec.fit_intercept, sample_weight=sw,
                      positive=spec.positive)


def strengths(problem):
    """Per-feature ``(lam, mu)`` derived from the penalty's public attributes."""
    pen = problem.penalty
    p = problem.n_features
    v1 = np.ones(p) if pen.l1_weights is None else np.asarray(pen.l1_weights)
    v2 = np.ones(p) if pen.l2_weights is None else np.asarray(pen.l2_weights)
    return pen.l1 * v1, pen.l2 * v2


def timestamp_case():
    """The report of a frozen feature: a 1.7e9 timestamp column with a spread
    of 1000 beside a standard normal one, on which ``y`` depends through both.

    Returns ``X``, ``y`` and the reference: scikit-learn's Lasso at
    ``alpha=0.01``, fitted tight and checked converged.
    """
    import sklearn.linear_model as sk

    rng = np.random.RandomState(0)
    t = 1.7e9 + 1000 * rng.rand(200)
    X = np.c_[t, rng.randn(200)]
    y = 0.01 * (t - t.mean()) + X[:, 1] + 0.1 * rng.randn(200)
    with sklearn_converged():
        ref = sk.Lasso(alpha=0.01, tol=1e-12, max_iter=10**6).fit(X, y)
    return X, y, ref
