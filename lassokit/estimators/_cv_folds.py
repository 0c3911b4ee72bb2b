"""The folds of ``LassoCV``/``ElasticNetCV``: one path per (l1_ratio, fold).

Two engines, chosen once per ``fit``:

* **Gram blocks** (backend ``"cd"``, ``n_train >= 2 p``, ``p <= 2048``, test
  folds that partition the rows, as ``KFold`` does): one pass over X forms,
  for every test fold ``t``, the weighted co-moments of its rows, shifted by
  the whole data's means (so that a column with mean 1e9 and spread 1 keeps
  its digits). The training set of fold ``t`` is everything else, so its
  moments are the total minus block ``t`` -- K blocks instead of K Gram
  matrices -- and every strength of every fold is solved and certified in
  feature space (:class:`lassokit.backends._cd_path.GramPath`). Test errors
  come from block ``t``'s moments, and the refit solves the total moments.
  No copy of X is made.
* **Sessions** (everything else): each fold gathers its training rows once,
  straight into the kernel's layout, and runs :func:`lassokit.path.run_path`
  on a backend session; the test error is computed from the test rows.

Both certify every strength with lassokit's certificate, inside the
coefficients' bounds (``settings["box"]``; bounds other than positivity
take the sessions). Per-feature penalty weights are the whole data's,
except under glmnet's ``standardize``, where each fold takes the standard
deviations of its own training rows (as ``cv.glmnet`` standardizes within
each fold). With ``relax``, each fold's
path is also relaxed (:mod:`lassokit._relax`): one unpenalized fit per
distinct support, from the fold's own Gram matrix or training rows, and
the test error of every ``gamma`` from the same predictions.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.linalg import blas

from .._box import is_positive_box, make_box
from .._data import _Design, free_features, kernel_box
from .._finish import settle
from .._relax import relaxed_fits, support_fits, support_masks
from .._standardize import column_scales
from .._validation import check_sample_weight
from ..backends._cd_ops import vanishing
from ..backends._cd_path import _FLOOR, _PSPACE_MAX, _PSPACE_RATIO, GramPath
from ..backends.base import BackendResult
from ..path import run_path
from ..penalty import Penalty
from ..problem import Problem

__all__ = ["FoldMoments", "check_folds", "fold_moments", "gram_blocks_apply", "moment_fold",
           "session_fold"]

#: Rows per block while forming moments (bounded float64 scratch: 32 MB).
_BLOCK_ENTRIES = 1 << 22


def check_folds(folds, sample_weight):
    """Refuse a fold whose training or test part is empty or has no weight.

    Such a fold carries no information: a test part without weight has a
    weighted mean squared error of 0/0, a training part without weight has
    nothing to fit. scikit-learn 1.9 fails on both too, with a
    ``ZeroDivisionError`` or an ``UnboundLocalError``; skipping the fold
    instead would change, unsaid, the number of folds that ``mse_path_`` and
    the one-standard-error rule count. The message names the fold, ``cv``
    and ``sample_weight``.

    Parameters
    ----------
    folds : list of (train, test) index arrays (or boolean masks)
    sample_weight : ndarray of shape (n_samples,) or None
        The weights as given (non-negative).
    """
    for k, (train, test) in enumerate(folds):
        for part, idx in (("training", train), ("test", test)):
            idx = np.asarray(idx)
            if idx.dtype == bool:
                idx = np.flatnonzero(idx)
            if idx.size == 0:
                raise ValueError(
                    f"cv fold {k} has an empty {part} set; use a cv splitter (or a list of "
                    f"(train, test) indices) whose every fold has samples on both sides."
                )
            if sample_weight is not None and not sample_weight[idx].sum() > 0:
                raise ValueError(
                    f"cv fold {k}: every sample of its {part} set has sample_weight 0, so the "
                    f"fold has {'no test error' if part == 'test' else 'nothing to fit'}; use "
                    "a cv splitter whose every fold holds positive weight on both sides (e.g. "
                    "KFold(shuffle=True)), or leave the zero-weight samples out."
                )


def gram_blocks_apply(backend_name, X, folds, gram_option, box=None):
    """Whether the Gram-block engine applies (see the module docstring).

    ``box`` is the coefficients' bounds (``lassokit._box``): the engine
    takes none or positivity's ``(0, inf)`` only, since the exact finish of
    its refit on the support (:func:`lassokit._polish.polish_gram`) holds
    positivity, not other bounds.
    """
    if backend_name != "cd" or gram_option is False or not is_positive_box(box):
        return False
    n, p = X.shape
    if p > _PSPACE_MAX:
        return False
    seen = np.zeros(n, dtype=np.int64)
    for train, test in folds:
        seen[test] += 1
        if len(train) + len(test) != n or len(train) < _PSPACE_RATIO * p:
            return False
    if not np.all(seen == 1):
        return False
    # Train is the complement of test: with the sizes above, it is enough
    # that no training row repeats or lies in the test fold (O(n) masks;
    # np.intersect1d sorted and hashed 0.15 s per fold at n = 200,000).
    for train, test in folds:
        mask = np.zeros(n, dtype=bool)
        mask[train] = True
        if np.count_nonzero(mask) != len(train) or mask[test].any():
            return False
    return True


class FoldMoments:
    """Weighted co-moments of a set of rows about a fixed shift ``(mx, my)``.

    Attributes
    ----------
    W : float
        Sum of the weights.
    sx : ndarray (p,)
        ``sum_i w_i (x_i - mx)``.
    sy : float
        ``sum_i w_i (y_i - my)``.
    G : ndarray (p, p)
        ``sum_i w_i (x_i - mx)(x_i - mx)^T``.
    gxy : ndarray (p,)
        ``sum_i w_i (x_i - mx)(y_i - my)``.
    syy : float
        ``sum_i w_i (y_i - my)^2``.
    n : int
        Number of rows.
    """

    def __init__(self, W, sx, sy, G, gxy, syy, n):
        self.W, self.sx, self.sy, self.G, self.gxy, self.syy, self.n = W, sx, sy, G, gxy, syy, n

    def __add__(self, other):
        return FoldMoments(self.W + other.W, self.sx + other.sx, self.sy + other.sy,
                           self.G + other.G, self.gxy + other.gxy, self.syy + other.syy,
                           self.n + other.n)

    def __sub__(self, other):
        return FoldMoments(self.W - other.W, self.sx - other.sx, self.sy - other.sy,
                           self.G - other.G, self.gxy - other.gxy, self.syy - other.syy,
                           self.n - other.n)

    def centred(self, fit_intercept):
        """``(G, b, c0, dx, dy)``: the design's Gram quantities (divided by W).

        With an intercept the moments are re-centred on their own weighted
        means (``mx + dx``, ``my + dy``); the shift keeps ``dx`` small, so
        the rank-one correction loses no digits.
        """
        W = self.W
        if not fit_intercept:
            return self.G / W, self.gxy / W, self.syy / W, np.zeros_like(self.sx), 0.0
        dx, dy = self.sx / W, self.sy / W
        G = (self.G - W * np.outer(dx, dx)) / W
        b = (self.gxy - W * dx * dy) / W
        c0 = max((self.syy - W * dy * dy) / W, 0.0)
        return G, b, c0, dx, dy


def _moments(X, y, w, rows, mx, my):
    """:class:`FoldMoments` of ``rows`` (``w=None``: unit weights, fewer temporaries)."""
    p = X.shape[1]
    G = np.zeros((p, p), order="F")
    sx, gxy = np.zeros(p), np.zeros(p)
    sy = syy = W = 0.0
    step = max(1, _BLOCK_ENTRIES // max(p, 1))
    for start in range(0, rows.shape[0], step):
        idx = rows[start:start + step]
        B = X[idx]
        B = B.toarray() if sp.issparse(B) else np.asarray(B, dtype=np.float64)
        B = B - mx  # a fresh C-ordered float64 block, centred entry by entry
        yb = y[idx] - my
        if w is None:
            Bs, Bw, wb = B, B, None
        else:
            wb = w[idx]
            Bw = B * wb[:, None]
            Bs = B * np.sqrt(wb)[:, None]
        # G += B^T W B as a symmetric rank-k update (half the flops of a
        # gemm); a C-ordered block's transpose is Fortran-ordered, no copy.
        G = blas.dsyrk(1.0, Bs.T, trans=0, beta=1.0, c=G, lower=0, overwrite_c=1)
        sx += Bw.sum(axis=0)
        gxy += Bw.T @ yb
        if wb is None:
            W += float(idx.shape[0])
            sy += float(yb.sum())
            syy += float(yb @ yb)
        else:
            W += float(wb.sum())
            sy += float(wb @ yb)
            syy += float((wb * yb) @ yb)
    G = np.triu(G) + np.triu(G, 1).T  # syrk filled the upper triangle
    return FoldMoments(W, sx, sy, G, gxy, syy, rows.shape[0])


def fold_moments(X, y, sw, folds, fit_intercept):
    """Moments of every test fold and of all rows, about the whole data's means.

    Returns
    -------
    (list of FoldMoments, FoldMoments, ndarray, float)
        Per test fold, the total, and the shift ``(mx, my)``.
    """
    n = X.shape[0]
    w = np.ones(n) if sw is None else sw
    if fit_intercept:
        wsum = float(w.sum())
        mx = np.asarray(X.T @ w).ravel() / wsum
        my = float(w @ y) / wsum
    else:
        mx, my = np.zeros(X.shape[1]), 0.0
    blocks = [_moments(X, y, sw, np.asarray(test), mx, my) for _, test in folds]
    total = blocks[0]
    for blk in blocks[1:]:
        total = total + blk
    return blocks, total, mx, my


class MomentProblem:
    """A training set known only through its moments: solve and certify in feature space.

    ``box``, the coefficients' bounds of shape (2, p) (``lassokit._box``),
    overrides ``positive`` when given.
    """

    def __init__(self, mom, mx, my, fit_intercept, positive, dtype, anderson=True, box=None):
        G, b, c0, dx, dy = mom.centred(fit_intercept)
        L = np.diag(G).copy()
        self.x_offset = mx + dx
        self.y_offset = my + dy
        self.dx, self.dy = dx, dy
        L[vanishing(L, self.x_offset)] = 0.0
        p = G.shape[0]
        if box is None:
            box = make_box(None, bool(positive), p)
        self.box, positive, self.bounded = kernel_box(box, p)
        self.gram = GramPath(G, b, c0, L, self.box, anderson=anderson, round_to=dtype)
        self.n, self.p = int(mom.n), p
        self.fit_intercept, self.positive, self.dtype = fit_intercept, positive, dtype
        self.p0 = 0.5 * c0

    def column_scales(self):
        """Weighted standard deviations of the training columns (1 where they vanish).

        ``sqrt(diag(G))`` of the centred moments, normalized by the sum of
        the weights: :func:`lassokit._standardize.column_scales` of the
        fold's rows, without a pass over them.
        """
        L = self.gram.L
        return np.where(L > 0, np.sqrt(np.maximum(L, 0.0)), 1.0)

    def unpenalized(self, coefs, free):
        """Unpenalized fits on the supports of ``coefs``' columns (the relaxed lasso).

        From sub-blocks of the fold's Gram matrix (:func:`lassokit._relax.support_fits`),
        inside the fold's bounds; the features ``free`` (no penalty) are in
        every support.
        """
        masks = support_masks(coefs)
        masks[free] = True
        return support_fits(masks, self.gram.G, self.gram.b, self.box if self.bounded else None)

    def design(self, penalty, lam=None, mu=None):
        """The ``_Design`` of the certificate at ``penalty`` (no sample-space fields).

        ``lam``/``mu`` may be given instead (the strengths of ``penalty``).
        """
        if lam is None:
            lam, mu = penalty.strengths(self.p)
        xo = self.x_offset if self.fit_intercept else np.zeros(self.p)
        return _Design(n=self.n, p=self.p, sw=None, x_offset=xo,
                       y_offset=self.y_offset if self.fit_intercept else 0.0, yc=None,
                       lam=lam, mu=mu, box=self.box, positive=self.positive,
                       bounded=self.bounded, fit_intercept=self.fit_intercept,
                       unpenalized=free_features(lam, mu, self.box), p0=self.p0)

    def path(self, base, alphas, l1_ratio, tol, max_iter, w=None):
        """Coefficients, intercepts, relative gaps and convergence along ``alphas``.

        One compiled call walks the whole grid
        (:func:`lassokit.kernels.cd_gram_path.gram_path`): each point is
        certified there with the certificate's formula on the Gram sums, so
        the Python cost is per fold, not per strength.
        """
        from ..kernels.cd_gram_path import gram_path

        k = alphas.shape[0]
        g = self.gram
        w = np.zeros(self.p) if w is None else w
        # Unit strengths: the per-feature weights of base (ones by default).
        lam1, mu1 = Penalty(1.0, 1.0, base.l1_weights, base.l2_weights).strengths(self.p)
        coefs = np.empty((self.p, k))
        gaps, epochs = np.empty(k), np.empty(k, dtype=np.int64)
        tol_abs = tol * self.p0
        r = float(l1_ratio)
        gram_path(g.G, g.b, g.c0, g.L, np.ascontiguousarray(lam1), np.ascontiguousarray(mu1),
                  np.ascontiguousarray(alphas, dtype=np.float64), r, 1.0 - r, g.box, tol_abs, _FLOOR * self.p0, int(max_iter), g.K, g.K or 10,
                  g.round_to != np.float64, True, w, coefs, gaps, epochs)
        intercepts = (self.y_offset - self.x_offset @ coefs if self.fit_intercept
                      else np.zeros(k))
        rel = gaps / self.p0 if self.p0 > 0 else np.where(gaps == 0, 0.0, np.inf)
        return coefs.astype(self.dtype), intercepts, rel, gaps <= tol_abs

    def solve(self, penalty, w, tol, max_iter, lam=None, mu=None):
        """One strength from ``w`` (updated in place): ``(coef, Certificate, status)``."""
        d = self.design(penalty, lam, mu)
        coef, ep, status, sums = self.gram.solve(d.lam, d.mu, w, tol * d.p0, max_iter)
        raw = BackendResult(coef=coef, n_iter=ep, status=status, sums=sums)
        return settle(d, None, self.dtype, raw, tol, "cd", exact_sums=True)


    def test_shift(self, coefs):
        """``delta = b + mx^T w - my`` of :func:`test_mse` for each column of ``coefs``.

        With an intercept ``b = (my + dy) - (mx + dx)^T w``, so
        ``delta = dy - dx^T w`` from the small re-centring terms: forming
        ``b + mx^T w`` would cancel two numbers of the size of the data's
        means (1e9 columns: ~1e-7 of each test error).
        """
        C = np.asarray(coefs, dtype=np.float64)
        if not self.fit_intercept:
            return np.zeros(C.shape[1])
        return self.dy - self.dx @ C


def test_mse(block, coefs, delta):
    """Weighted test MSE of each column of ``coefs`` from a test block's moments.

    ``y - x^T w - b = (y - my) - (x - mx)^T w - delta`` with
    ``delta = b + mx^T w - my`` (:meth:`MomentProblem.test_shift`); expanded,
    every term is a moment of the block.
    """
    C = np.asarray(coefs, dtype=np.float64)
    quad = np.einsum("jk,jk->k", C, block.G @ C)
    s = block.syy - 2.0 * (block.gxy @ C) + quad \
        - 2.0 * delta * (block.sy - block.sx @ C) + delta * delta * block.W
    return np.maximum(s, 0.0) / block.W


def fold_weights(settings, scales):
    """Per-feature L1 and L2 factors ``(v1, v2)`` of one fold (None: all ones).

    The whole data's (``settings["weights"]``), or under ``standardize``
    glmnet's ``(pf sd, pf sd**2)`` with ``sd = scales()``, the training
    fold's weighted standard deviations.
    """
    if not settings["standardize"]:
        return settings["weights"]
    sd = scales()
    pf = settings["penalty_weights"]
    pf = np.ones_like(sd) if pf is None else pf
    return pf * sd, pf * sd * sd


def _errors(predict, y_test, weights, gammas, relaxed):
    """Test MSE per strength, and per (gamma, strength) of the relaxed fits (or None).

    ``predict`` (n_test, k) is the path's; ``relaxed`` that of the
    unpenalized fits, blended with it by each gamma.
    """
    def mse(pred):
        resid = pred - y_test[:, None]
        return np.average(resid * resid, axis=0, weights=weights)

    if gammas is None:
        return mse(predict), None
    return mse(predict), np.array([mse(g * predict + (1.0 - g) * relaxed) for g in gammas])


def session_fold(X, y, sw, train, test, l1_ratio, alphas, settings):
    """One fold on a backend session: gather the training rows once, run the path.

    Returns
    -------
    (ndarray, ndarray or None, int, float)
        Test MSE per strength, per (gamma, strength) with ``relax``, the
        number of unconverged strengths and the worst relative gap.
    """
    X_train = X[train]
    if isinstance(X_train, np.ndarray):
        X_train = np.asfortranarray(X_train)
    elif settings["backend_name"] == "cd" and X_train.format != "csc":
        X_train = X_train.tocsc()
    if isinstance(X_train, np.ndarray):
        X_train.flags.writeable = False  # a fresh copy, owned here
    sw_train = None if sw is None else _normalized(sw[train])
    v1, v2 = fold_weights(settings, lambda: column_scales(X_train, sw_train,
                                                          settings["fit_intercept"]))
    problem = Problem._trusted(X_train, np.ascontiguousarray(y[train]),
                               Penalty(l1_ratio, 1.0 - l1_ratio, v1, v2),
                               fit_intercept=settings["fit_intercept"], sample_weight=sw_train,
                               positive=settings["positive"], box=settings["box"])
    result = run_path(problem, alphas, backend=settings["backend"], tol=settings["tol"],
                      max_iter=settings["max_iter"], options=settings["options"],
                      l1_ratio=l1_ratio)
    coefs = np.asarray(result.coefs, dtype=np.float64)
    X_test = X[test]
    if X_test.dtype != np.float64:
        X_test = X_test.astype(np.float64)
    predict = np.asarray(X_test @ coefs) + result.intercepts
    relaxed = None
    if settings["gammas"] is not None:
        W, w_icpt = relaxed_fits(problem, coefs)
        relaxed = np.asarray(X_test @ W) + w_icpt
    weights = None if sw is None else sw[test]
    mse, mse_relax = _errors(predict, np.asarray(y[test]), weights, settings["gammas"], relaxed)
    return (mse, mse_relax, int(np.count_nonzero(~result.converged)),
            float(np.max(result.rel_gaps)))


def moment_fold(total, block, mx, my, dtype, l1_ratio, alphas, settings):
    """One fold from moments: the path of ``total - block``, scored on ``block``.

    Returns
    -------
    (ndarray, ndarray or None, int, float)
        As :func:`session_fold`.
    """
    mp = MomentProblem(total - block, mx, my, settings["fit_intercept"], settings["positive"],
                       dtype, anderson=settings["options"].get("anderson", True),
                       box=settings["box"])
    v1, v2 = fold_weights(settings, mp.column_scales)
    unit = Penalty(1.0, 1.0, v1, v2)
    coefs, _, rel, conv = mp.path(unit, alphas, l1_ratio, settings["tol"], settings["max_iter"])
    cols = [np.asarray(coefs, dtype=np.float64)]
    gammas = settings["gammas"]
    if gammas is not None:
        lam, mu = unit.strengths(mp.p)
        W = mp.unpenalized(coefs, np.flatnonzero((lam == 0) & (mu == 0)))
        cols += [g * cols[0] + (1.0 - g) * W for g in gammas]
    C = np.hstack(cols)
    mse = test_mse(block, C, mp.test_shift(C)).reshape(len(cols), -1)
    return (mse[0], None if gammas is None else mse[1:], int(np.count_nonzero(~conv)),
            float(np.max(rel)))


def _normalized(w):
    """Weights normalized as a Problem does (largest first, then to sum to n)."""
    return check_sample_weight(w, w.shape[0])
