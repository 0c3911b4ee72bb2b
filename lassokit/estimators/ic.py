"""``LassoIC``: the Lasso with ``alpha`` chosen by AIC or BIC along lassokit's path.

The counterpart of scikit-learn's ``LassoLarsIC`` on a warm-started,
certified coordinate-descent path (:func:`lassokit.path`) instead of LARS.
For every strength of the grid the Gaussian information criterion

    IC(alpha) = n log(2 pi sigma^2) + RSS(alpha) / sigma^2 + k df(alpha)

is evaluated, with ``k = 2`` (AIC) or ``log n`` (BIC), ``RSS`` the residual
sum of squares of the (unpenalized) intercept-and-coefficients fit, and
``df`` the size of the support: for the Lasso the number of non-zero
coefficients is an unbiased estimate of the degrees of freedom (Zou, Hastie
& Tibshirani, 2007). The intercept, like in scikit-learn, is not counted in
``df``. ``sigma^2`` is given, or estimated from the residuals of ordinary
least squares with ``n - p - fit_intercept`` degrees of freedom, which needs
``n > p + fit_intercept``.
"""

from __future__ import annotations

import numbers
from typing import ClassVar

import numpy as np

from .. import _linalg
from ..certificate import residual
from ..path import path as _path
from ..penalty import L1, L2
from ..problem import Problem
from ._base import LinearRegressorBase, keep_params, solver_tol
from ._params import ARRAY, BACKEND, BOOL, NONE, NONNEG_REAL, POS_INT, Interval, Options

__all__ = ["LassoIC"]

#: Relative duality gap of the least-squares fit behind the noise estimate:
#: its RSS enters every criterion value, so it is solved to near float64 floor.
_OLS_TOL = 1e-12


class LassoIC(LinearRegressorBase):
    """Lasso with ``alpha`` chosen by the Akaike or Bayes information criterion.

    Solves the Lasso, ``1/(2n) * ||y - X w - b||^2 + alpha * ||w||_1`` (the
    objective of :class:`~lassokit.Lasso`), along a decreasing grid of
    ``alpha`` with :func:`lassokit.path`, and keeps the strength that
    minimizes::

        n * log(2 * pi * sigma^2) + RSS(alpha) / sigma^2 + k * df(alpha)

    with ``k = 2`` for AIC and ``k = log(n_samples)`` for BIC, ``RSS`` the
    residual sum of squares ``||y - X w - b||^2`` and ``df`` the number of
    non-zero coefficients, an unbiased estimate of the Lasso's degrees of
    freedom [1]_ (the intercept is not counted). This is the criterion of
    scikit-learn's ``LassoLarsIC``, evaluated on lassokit's grid instead of the
    LARS knots; pass the knots as ``alphas`` to evaluate it at the same
    strengths.

    Parameters
    ----------
    criterion : {"aic", "bic"}, default="aic"
        The information criterion.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept.
    noise_variance : float > 0, default=None
        The noise variance ``sigma^2``. When None it is estimated as the
        residual variance of ordinary least squares (non-negative least
        squares with ``positive=True``), ``RSS_ols / (n - p -
        fit_intercept)``, which needs ``n_samples > n_features +
        fit_intercept``; otherwise fitting is a ``ValueError``.
    n_alphas : int, default=100
        Grid size when ``alphas`` is None.
    eps : float in (0, 1], default=1e-3
        ``alpha_min / alpha_max`` of the default grid (unlike scikit-learn's
        ``LassoLarsIC(eps=...)``, a machine-precision regularization of
        LARS).
    alphas : array-like, default=None
        The strengths to evaluate (sorted decreasing); default: ``n_alphas``
        geometric from ``alpha_max`` down to ``eps * alpha_max``.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    tol : float, default=1e-6
        Relative duality gap asked for at every strength (lassokit's
        ``tol``, see :class:`~lassokit.Lasso`).
    max_iter : int, default=None
        Iteration budget of each solve (None: the backend's default).
    verbose : bool, default=False
        Print one line per strength of the path.
    backend : str or Backend, default="auto"
        The lassokit backend of the path: a name from
        :func:`lassokit.available_backends` or a :class:`~lassokit.Backend`
        instance; ``"auto"`` picks ``"cd"``. ``backend_`` names the one used.

    Attributes
    ----------
    alpha_ : float
        The strength minimizing the criterion (the largest one on ties).
    alphas_ : ndarray of shape (n_alphas,)
        The strengths evaluated, decreasing.
    criterion_ : ndarray of shape (n_alphas,)
        The criterion at each of ``alphas_``.
    degrees_of_freedom_ : ndarray of int of shape (n_alphas,)
        Support size at each of ``alphas_`` (:meth:`lassokit.Path.support_sizes`:
        entries at rounding level count as zero). Coefficients whose removal
        changes the objective by less than the certified gap are set to 0
        first, where the zeroed point is still certified (``path_`` holds
        the coefficients and gaps after that step).
    noise_variance_ : float
        The ``sigma^2`` used (given or estimated).
    coef_ : ndarray of shape (n_features,)
        Coefficients at ``alpha_``, in the dtype of the training X.
    intercept_ : float
        Intercept at ``alpha_`` (0.0 without intercept).
    n_iter_ : int
        Backend iterations summed over the whole path.
    dual_gap_ : float
        Certified duality gap at ``alpha_`` (in the objective's scale).
    path_ : Path
        The whole certified path (coefficients at every strength).
    backend_ : str
        The backend that solved the path.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X has string feature names (pandas).

    See Also
    --------
    LassoCV : ``alpha`` chosen by cross-validation.

    Notes
    -----
    The degrees-of-freedom result holds for the Lasso's fit at a fixed
    ``alpha``; information criteria are only as good as ``sigma^2``, and
    with ``p`` close to ``n`` the OLS estimate is poor: pass
    ``noise_variance`` from a better source (e.g. a held-out fit) then.

    References
    ----------
    .. [1] Zou, H., Hastie, T. & Tibshirani, R. (2007). "On the degrees of
       freedom of the lasso." Annals of Statistics 35(5), 2173-2192.

    Examples
    --------
    >>> import numpy as np, lassokit as lk
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((80, 6)); y = X[:, 0] - 2 * X[:, 3] + 0.5 * rng.standard_normal(80)
    >>> model = lk.LassoIC(criterion="bic").fit(X, y)
    >>> np.flatnonzero(model.coef_)
    array([0, 3])
    """

    _constraints: ClassVar[dict] = {
        "criterion": [Options("aic", "bic")],
        "fit_intercept": [BOOL],
        "noise_variance": [Interval(numbers.Real, 0, None, "neither"), NONE],
        "n_alphas": [POS_INT],
        "eps": [Interval(numbers.Real, 0, 1, "right")],
        "alphas": [NONE, ARRAY],
        "positive": [BOOL],
        "tol": [NONNEG_REAL],
        "max_iter": [POS_INT, NONE],
        "verbose": [BOOL],
        "backend": [BACKEND],
    }

    def __init__(self, criterion="aic", *, fit_intercept=True, noise_variance=None, n_alphas=100,
                 eps=1e-3, alphas=None, positive=False, tol=1e-6, max_iter=None, verbose=False,
                 backend="auto"):
        keep_params(self, locals())

    def fit(self, X, y):
        """Solve the Lasso path and keep the strength with the smallest criterion.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 stays float32.
        y : array-like of shape (n_samples,)
            Target.

        Returns
        -------
        self
        """
        X, y = self._validate_train(X, y)
        n = X.shape[0]
        problem = Problem._single_use(X, y, L1(1.0), fit_intercept=self.fit_intercept,
                                      positive=self.positive, known_finite=True)
        # Estimated before the path so that an impossible estimate fails fast.
        if self.noise_variance is None:
            sigma2 = self._estimate_noise_variance(problem)
        else:
            sigma2 = float(self.noise_variance)
        result = _path(problem, alphas=self.alphas, n_alphas=self.n_alphas, eps=self.eps,
                       backend=self.backend, tol=solver_tol(self.tol), max_iter=self.max_iter,
                       verbose=bool(self.verbose))
        _drop_unresolved(problem, result)
        rss = np.array([_rss(problem, result.coefs[:, i], result.intercepts[i])
                        for i in range(len(result))])
        df = result.support_sizes()
        k = 2.0 if self.criterion == "aic" else np.log(n)
        self.criterion_ = n * np.log(2.0 * np.pi * sigma2) + rss / sigma2 + k * df
        best = int(np.argmin(self.criterion_))
        self.alphas_ = result.alphas
        self.degrees_of_freedom_ = df
        self.noise_variance_ = sigma2
        self.alpha_ = float(result.alphas[best])
        self.coef_ = np.array(result.coefs[:, best], dtype=X.dtype)
        self.intercept_ = X.dtype.type(result.intercepts[best]) if self.fit_intercept else 0.0
        self.n_iter_ = int(np.sum(result.n_iters))
        self.dual_gap_ = float(result.dual_gaps[best])
        self.path_ = result
        self.backend_ = result.backend
        return self

    def _estimate_noise_variance(self, problem):
        """``RSS / (n - p - fit_intercept)`` of the least-squares fit (scikit-learn's estimate)."""
        n, p = problem.n_samples, problem.n_features
        dof = n - p - int(self.fit_intercept)
        if dof <= 0:
            raise ValueError(
                f"{type(self).__name__} cannot estimate the noise variance with "
                f"n_samples={n} <= n_features + fit_intercept = {p + int(self.fit_intercept)}: "
                "least squares then fits the data (nearly) exactly. Pass an estimate "
                "as noise_variance=."
            )
        ols = problem.replace(penalty=L2(0.0)).solve("auto", tol=_OLS_TOL)
        return _rss(problem, ols.coef, ols.intercept) / dof


def _drop_unresolved(problem, result):
    """Zero the coefficients the certificate cannot tell from 0, where it still certifies.

    At a strength where a feature is about to enter (a LARS knot) the exact
    solution has it at 0, and a certified iterative solve leaves ~1e-9
    there: it would count in ``df`` and shift the criterion by ``k``. For
    ``w_j != 0``, setting it to 0 raises the objective by about
    ``(L_j + mu_j) w_j^2 / 2`` (``L_j = ||xc_j||_S^2 / n``); when that is
    below the certified gap, zero is as good an answer at this accuracy. The
    zeroed point is re-certified (the unzeroed residual is a dual candidate
    too) and kept only if its gap is no worse than
    ``max(gap, tol P(0, b0))``, so every kept coefficient vector is certified.
    """
    d = problem._design
    L = _linalg.column_sq_norms(problem.X, d.sw, d.x_offset) / d.n
    coefs = np.asarray(result.coefs, dtype=np.float64)
    for i, alpha in enumerate(result.alphas):
        w = coefs[:, i]
        gap = float(result.dual_gaps[i])
        sub = problem.replace(penalty=problem.penalty.at(float(alpha), 1.0))
        mu = sub._design.mu
        tiny = (w != 0) & (0.5 * (L + mu) * w * w <= gap)
        if not tiny.any():
            continue
        # The unzeroed point's residual stays a dual candidate: zeroing moves
        # the primal by ~1e-20 but the zeroed point's own dual can be worse.
        before = residual(sub._design, problem.X, w)
        cert = sub.certify(np.where(tiny, 0.0, w).astype(result.coefs.dtype), (before,))
        if cert.dual_gap <= max(gap, result.tol * d.p0):
            result.coefs[tiny, i] = 0
            result.intercepts[i] = cert.intercept
            result.dual_gaps[i], result.rel_gaps[i] = cert.dual_gap, cert.rel_gap


def _rss(problem, coef, intercept):
    """``||y - X coef - intercept||^2`` in float64."""
    r = problem.y - _linalg.matvec(problem.X, np.asarray(coef, dtype=np.float64)) - intercept
    return float(r @ r)

