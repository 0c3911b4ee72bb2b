"""The :class:`Path` a regularization path returns, and its queries at any strength."""

from __future__ import annotations

import numpy as np

from . import _path_query
from ._relax import support_masks
from .losses import as_loss

__all__ = ["Path"]


class Path:
    """Solutions of one problem along a decreasing grid of strengths.

    Attributes
    ----------
    alphas : ndarray of shape (k,)
        Overall strengths, decreasing.
    coefs : ndarray of shape (n_features, k)
        Coefficients at each strength, in the problem's float dtype.
    intercepts : ndarray of shape (k,)
        Optimal intercepts (zeros without intercept).
    dual_gaps : ndarray of shape (k,)
        Certified duality gaps (in the objective's own scale).
    rel_gaps : ndarray of shape (k,)
        ``dual_gaps / P(0, b0)``.
    n_iters : ndarray of int of shape (k,)
        Backend iterations per strength (summed over screening rounds).
    converged : ndarray of bool of shape (k,)
        Whether each strength reached ``tol``.
    l1_ratio : float
        The fixed L1 share ``r``.
    backend : str
        Name of the backend used.
    tol : float
        The relative duality gap asked for.
    solve_time : float
        Wall-clock seconds of the whole path.
    feature_names : ndarray of str of shape (n_features,) or None
        Names of the features, used to label :meth:`plot`: the string column
        names of a pandas ``X`` given to :func:`lasso_path` or
        :func:`enet_path`, else None (assign a list to name them).
    loss : Loss
        The problem's loss (:meth:`predict` returns its mean).
    gamma : float or None
        None for a path of penalized solutions; the blend ``gamma`` for a
        relaxed path (:meth:`relax`).

    Notes
    -----
    For scikit-learn's ``alphas, coefs, dual_gaps = lasso_path(X, y)``, a
    Path unpacks (and indexes ``0``, ``1``, ``2``) as that triple, with
    ``coefs`` of shape ``(n_features, k)`` as scikit-learn's; it keeps every
    attribute above. ``len(path)`` is the number of strengths ``k``.
    Coefficients at any strength: :meth:`coef_at` (also ``path(alpha)``),
    predictions: :meth:`predict`; the relaxed lasso: :meth:`relax`.
    """

    def __init__(self, *, alphas, coefs, intercepts, dual_gaps, rel_gaps, n_iters,
                 converged, l1_ratio, backend, tol, solve_time, feature_names=None,
                 loss=None, problem=None, options=None, gamma=None):
        # The arrays as given (one per strength), the scalars as floats.
        self.__dict__.update(alphas=alphas, coefs=coefs, intercepts=intercepts,
                             dual_gaps=dual_gaps, rel_gaps=rel_gaps, n_iters=n_iters,
                             converged=converged, backend=backend, feature_names=feature_names,
                             l1_ratio=float(l1_ratio), tol=float(tol),
                             solve_time=float(solve_time))
        self.loss = as_loss("squared" if loss is None else loss)
        # What coef_at(..., exact=True) re-solves: the path's problem (its
        # data as they are then), backend and options; None for paths
        # assembled from elsewhere (cross-validation folds, Dask).
        self._problem = problem
        self._options = dict(options or {})
        self.gamma = None if gamma is None else float(gamma)
        # A relaxed path keeps the penalized path it blends (relax() starts
        # from it again, so gammas never compound).
        self._lasso = None

    def __len__(self):
        return self.alphas.shape[0]

    # scikit-learn's ``alphas, coefs, dual_gaps = lasso_path(...)``
    def __iter__(self):
        return iter((self.alphas, self.coefs, self.dual_gaps))

    def __getitem__(self, index):
        if isinstance(index, (int, np.integer)) and not isinstance(index, bool) \
                and -3 <= index < 3:
            return (self.alphas, self.coefs, self.dual_gaps)[index]
        raise (IndexError if isinstance(index, (int, np.integer)) else TypeError)(
            f"a Path indexes like scikit-learn's (alphas, coefs, dual_gaps) triple, with 0, 1 "
            f"or 2; got {index!r}. For the coefficients at a strength use path.coef_at(alpha) "
            f"(or path.coefs[:, i] at grid point i).")

    def __call__(self, alpha, exact=False):
        """Coefficients at ``alpha``: :meth:`coef_at`."""
        return self.coef_at(alpha, exact=exact)

    def coef_at(self, alpha, exact=False):
        """Coefficients at any strength ``alpha`` (glmnet's ``coef(fit, s=)``).

        Parameters
        ----------
        alpha : float or array-like of shape (m,)
        exact : bool, default=False
            False: linear interpolation in ``alpha`` between the two grid
            points around it (glmnet's ``exact=FALSE``); strengths above the
            grid take its first solution, below it its last. True: the
            problem is solved at ``alpha`` (warm-started from the grid point
            just above), with the path's backend and ``tol``, and certified.

        Returns
        -------
        ndarray of shape (n_features,) or (n_features, m)
        """
        return _path_query.coef_at(self, alpha, exact)

    def intercept_at(self, alpha, exact=False):
        """Intercepts at any strength, as :meth:`coef_at` gives coefficients.

        Returns
        -------
        float or ndarray of shape (m,)
        """
        return _path_query.intercept_at(self, alpha, exact)

    def decision_function(self, X, alpha=None, exact=False):
        """Linear predictors ``X @ coef + intercept`` at the grid or at ``alpha``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        alpha : float or array-like, optional
            None: every strength of the grid.
        exact : bool, default=False
            As for :meth:`coef_at`.

        Returns
        -------
        ndarray of shape (n_samples, k), (n_samples,) for a scalar alpha
        """
        return _path_query.decision_function(self, X, alpha, exact)

    def predict(self, X, alpha=None, exact=False):
        """Predicted means at the grid (``n_samples x k``) or at ``alpha``.

        The linear predictor for the squared and Huber losses, the
        probability of class +1 for the logistic loss, ``exp(z)`` for
        Poisson, as :meth:`Solution.predict`. Parameters and shapes as for
        :meth:`decision_function`.

        Returns
        -------
        ndarray
        """
        z = self.decision_function(X, alpha, exact)
        return z if self.loss.least_squares else self.loss.inverse_link(z)

    def relax(self, gamma):
        """The relaxed lasso: each solution blended with the unpenalized fit on its support.

        glmnet's ``relax=TRUE`` (Meinshausen 2007; Hastie, Tibshirani &
        Tibshirani 2020). At each ``alpha`` of the grid the coefficients are
        ``gamma * w + (1 - gamma) * w_S``, with ``w`` this path's solution
        and ``w_S`` the least-squares fit, without penalty, on the features
        where ``w`` is non-zero (:meth:`nonzero`; features the penalty leaves
        free are always in), with the problem's intercept, sample weights and
        positivity (a non-negative least squares then). The intercept blends
        alike. Where the support's columns are linearly dependent (more of
        them than samples) ``w_S`` is the minimum-norm fit.

        Parameters
        ----------
        gamma : float in [0, 1] or array-like of them
            1: this path; 0: the unpenalized refit on each support. An array
            gives one relaxed path per value, sharing the refits (each
            distinct support is solved once, whatever the number of gammas).

        Returns
        -------
        Path or list of Path
            Same ``alphas``; ``gamma`` set. ``dual_gaps``, ``rel_gaps``,
            ``converged`` and ``n_iters`` are this path's: they certify the
            penalized solutions whose supports were refitted, not the
            relaxed coefficients (which, for ``gamma < 1``, solve no
            penalized problem). Relaxing a relaxed path starts again from
            its penalized path. :meth:`coef_at` interpolates the relaxed
            coefficients; with ``exact=True`` it solves the penalized
            problem at the strength and relaxes that solution.

        Raises
        ------
        ValueError
            When the path was assembled without its problem (cross-validation
            folds, Dask), its loss is not the squared loss, or ``gamma`` is
            outside [0, 1].
        TypeError
            When ``gamma`` is not a number or an array of numbers.

        Examples
        --------
        The unpenalized refit recovers a noiseless model's coefficients
        wherever the lasso found its support:

        >>> import numpy as np, lassokit as lk
        >>> X = np.random.default_rng(0).standard_normal((50, 6))
        >>> refit, lasso = lk.lasso_path(X, X @ [1, 0, 0, -2, 0, 0], n_alphas=5).relax([0, 1])
        >>> refit.coefs[[0, 3], -1].round(6), lasso.coefs[[0, 3], -1].round(2)
        (array([ 1., -2.]), array([ 1., -2.]))
        """
        from ._relax import blend, check_gammas, relaxed_fits

        gammas, scalar = check_gammas(gamma)
        lasso = self if self._lasso is None else self._lasso
        problem = lasso._problem
        if problem is None:
            raise ValueError("relax needs the problem this path solved; this Path was "
                             "assembled without it (cross-validation folds, Dask): use "
                             "lk.lasso_path(X, y) or lk.path(problem) for a path that can "
                             "be relaxed.")
        if not lasso.loss.least_squares:
            raise ValueError(f"relax supports the squared loss only; this path's loss is "
                             f"{lasso.loss!r}.")
        W, w_icpt = relaxed_fits(problem, lasso.coefs)
        out = []
        for g in gammas:
            coefs, icpts = blend(g, lasso.coefs, lasso.intercepts, W, w_icpt,
                                 lasso.coefs.dtype)
            new = Path(alphas=lasso.alphas, coefs=coefs, intercepts=icpts,
                       dual_gaps=lasso.dual_gaps, rel_gaps=lasso.rel_gaps,
                       n_iters=lasso.n_iters, converged=lasso.converged,
                       l1_ratio=lasso.l1_ratio, backend=lasso.backend, tol=lasso.tol,
                       solve_time=lasso.solve_time, feature_names=lasso.feature_names,
                       loss=lasso.loss, problem=problem, options=lasso._options, gamma=g)
            new._lasso = lasso
            out.append(new)
        return out[0] if scalar else out

    def __repr__(self):
        k = len(self)
        return (
            f"Path(n_alphas={k}, alphas=[{self.alphas[0]:.4g} .. {self.alphas[-1]:.4g}], "
            f"l1_ratio={self.l1_ratio:g}, "
            + ("" if self.gamma is None else f"gamma={self.gamma:g}, ")
            + f"backend={self.backend!r}, "
            f"converged={int(self.converged.sum())}/{k}, "
            f"max_rel_gap={float(np.max(self.rel_gaps)):.3g}, solve_time={self.solve_time:.3g}s)"
        )

    def nonzero(self):
        """Which coefficients are non-zero beyond floating-point rounding.

        At ``alpha_max`` itself a solver can leave entries of the size of
        rounding (``1e-16``) where the solution is exactly 0; entries below
        ``64 * eps * max|coefs|`` (``eps`` of the coefficients' dtype) count
        as zero.

        Returns
        -------
        ndarray of bool of shape (n_features, k)
        """
        return support_masks(self.coefs)

    def support_sizes(self):
        """Number of non-zero coefficients (:meth:`nonzero`) at each strength.

        Returns
        -------
        ndarray of int of shape (k,)
        """
        return np.count_nonzero(self.nonzero(), axis=0)

    def entry_order(self):
        """Features in the order they become non-zero as ``alpha`` decreases.

        Ties (features entering at the same ``alpha``) are broken by the
        larger ``|coef|`` there; features that never enter come last, in
        index order.

        Returns
        -------
        ndarray of int of shape (n_features,)
        """
        nonzero = self.nonzero()
        k = nonzero.shape[1]
        entry = np.where(nonzero.any(axis=1), np.argmax(nonzero, axis=1), k)
        at_entry = np.abs(np.asarray(self.coefs, dtype=np.float64)[
            np.arange(nonzero.shape[0]), np.minimum(entry, k - 1)])
        at_entry[entry == k] = 0.0
        return np.lexsort((np.arange(entry.size), -at_entry, entry))

    def l1_norms(self):
        """``sum_j |coefs[j, i]|`` at each strength: the x axis of ``plot(xaxis="l1_norm")``.

        Returns
        -------
        ndarray of shape (k,)
        """
        return np.abs(np.asarray(self.coefs, dtype=np.float64)).sum(axis=0)

    def plot(self, ax=None, *, xaxis="alpha", n_labels=10):
        """Coefficient paths, one labelled line per feature (needs matplotlib).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; by default the current Axes (a new figure with
            constrained layout when none is open).
        xaxis : {"alpha", "l1_norm"}, default="alpha"
            ``"alpha"``: log axis, ``alpha`` decreasing from left to right;
            ``"l1_norm"``: linear axis of :meth:`l1_norms`.
        n_labels : int, default=10
            With more than 15 features, only the first ``n_labels`` to enter
            (:meth:`entry_order`, as glmnet labels its path) are coloured and
            in the legend; the others are thin grey lines. With 15 or fewer,
            every feature is in the legend.

        Returns
        -------
        matplotlib.axes.Axes
        """
        from .plotting import plot_path

        return plot_path(self, ax=ax, xaxis=xaxis, n_labels=n_labels)
