"""The group penalty ``lk.GroupL2``: ``alpha * sum_g w_g ||W_g||_2``.

A group is a set of features; ``W_g`` is their rows of the coefficient
matrix (a vector for a single target, a block for ``K`` columns), and its
Euclidean (Frobenius) norm is zero exactly when the whole group is out of
the model. With ``groups=None`` every feature is its own group, so on a
matrix ``W`` the penalty couples the ``K`` columns of each row: the
multi-task lasso. ``GroupL2 + L1`` is the sparse group lasso, ``+ L2`` the
group elastic net.

The penalty knows its value, its layout for the solvers (groups as index
arrays) and the strengths per group and per feature; the dual norm,
conjugate and proximal operator that the certificate and the solvers need
live in :mod:`lassokit.matrix._dual` and :mod:`lassokit.kernels.bcd`,
which read the layout and nothing else.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from .penalty import Penalty, _check_alpha

__all__ = ["GroupL2", "GroupLayout", "GroupPenalty"]


@dataclass(frozen=True)
class GroupLayout:
    """The groups of a penalty on ``n_features`` features, as the solvers read them.

    Attributes
    ----------
    gptr : ndarray of int64 of shape (n_blocks + 1,)
        Block ``b`` holds the features ``gidx[gptr[b]:gptr[b+1]]``.
    gidx : ndarray of int64
        Feature indices, block after block.
    galpha : ndarray of shape (n_blocks,)
        Group strength ``alpha * w_g`` of each block (0 for the singleton
        blocks of features in no group).
    lam, mu : ndarray of shape (n_features,)
        Entry-wise L1 and L2 strengths per feature (0 where excluded).
    excluded : ndarray of bool of shape (n_features,)
        Features held at 0 (an infinite L1/L2 weight); in no block.
    n_groups : int
        The number of user groups (the first blocks); the rest are the
        singletons of features in no group.
    """

    gptr: np.ndarray
    gidx: np.ndarray
    galpha: np.ndarray
    lam: np.ndarray
    mu: np.ndarray
    excluded: np.ndarray
    n_groups: int

    @property
    def n_blocks(self):
        """int: the number of blocks (user groups plus singletons)."""
        return self.gptr.shape[0] - 1

    @property
    def sizes(self):
        """ndarray of int: the number of features of each block."""
        return np.diff(self.gptr)

    @property
    def grouped(self):
        """ndarray of bool (n_features,): the features of blocks with a group term."""
        out = np.zeros(self.lam.shape, dtype=bool)
        out[self.gidx[np.repeat(self.galpha, self.sizes) > 0]] = True
        return out

    def block_of(self, n_features):
        """The block of each feature (-1 for excluded ones)."""
        out = np.full(n_features, -1, dtype=np.int64)
        out[self.gidx] = np.repeat(np.arange(self.n_blocks), self.sizes)
        return out


def _check_groups(groups):
    """``groups`` as given: None, a tuple of index arrays, or an array of labels."""
    if groups is None:
        return None
    if isinstance(groups, (str, bytes)) or not hasattr(groups, "__len__"):
        raise TypeError("groups must be None, a list of feature-index lists, or one label "
                        f"per feature; got {type(groups).__name__}.")
    items = list(groups)
    if len(items) == 0:
        raise ValueError("groups must not be empty.")
    nested = [np.ndim(g) > 0 for g in items]
    if all(nested):
        out = []
        for i, g in enumerate(items):
            arr = np.asarray(g)
            if arr.ndim != 1 or arr.size == 0:
                raise ValueError(f"groups[{i}] must be a non-empty list of feature indices.")
            if arr.dtype.kind not in "iu":
                raise TypeError(f"groups[{i}] must hold integer feature indices, "
                                f"got dtype {arr.dtype}.")
            arr = arr.astype(np.int64)
            arr.flags.writeable = False
            out.append(arr)
        return tuple(out)
    if any(nested):
        raise ValueError("groups must be either a list of feature-index lists or one label "
                         "per feature, not a mixture.")
    labels = np.asarray(items)
    if labels.dtype.kind == "f" and not np.all(np.isfinite(labels)):
        raise ValueError("group labels must not be NaN or infinite.")
    labels = labels.copy()
    labels.flags.writeable = False
    return labels


def _check_group_weights(weights):
    if weights is None:
        return None
    arr = np.array(weights, dtype=np.float64) if np.asarray(weights).dtype.kind in "biuf" \
        else None
    if arr is None:
        raise TypeError("weights (of GroupL2) must be numeric, one per group.")
    if arr.ndim != 1:
        raise ValueError(f"weights (of GroupL2) must be one-dimensional, got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError("weights (of GroupL2) must be finite and non-negative.")
    arr.flags.writeable = False
    return arr


class GroupPenalty:
    """``alpha * sum_g w_g ||W_g||_2`` plus an optional L1 and L2 part.

    Build one with :func:`GroupL2` (and ``+ lk.L1(...)``, ``+ lk.L2(...)``).

    Parameters
    ----------
    alpha : float
        The group strength.
    groups : None, list of lists of int, or array-like of labels
        See :func:`GroupL2`.
    weights : array-like of shape (n_groups,), optional
        Per-group weights ``w_g``; default ``sqrt(|g|)``.
    base : Penalty, optional
        The entry-wise L1/L2 part (default none).
    """

    __slots__ = ("_alpha", "_base", "_groups", "_weights")

    def __init__(self, alpha, groups=None, weights=None, base=None):
        self._alpha = _check_alpha(alpha, "alpha")
        self._groups = _check_groups(groups)
        self._weights = _check_group_weights(weights)
        if base is not None and not isinstance(base, Penalty):
            raise TypeError("base must be a Penalty built from lk.L1 / lk.L2.")
        self._base = Penalty() if base is None else base

    def __reduce__(self):
        return (GroupPenalty, (self._alpha, self._groups, self._weights, self._base))

    # -- read-only attributes -------------------------------------------------
    alpha = property(lambda self: self._alpha, doc="float: the group strength.")
    groups = property(lambda self: self._groups,
                      doc="None, tuple of int arrays, or ndarray of labels: the groups as given.")
    weights = property(lambda self: self._weights,
                       doc="ndarray or None: the per-group weights as given (None: ``sqrt(|g|)``).")
    base = property(lambda self: self._base, doc="Penalty: the entry-wise L1/L2 part.")
    l1 = property(lambda self: self._base.l1, doc="float: the L1 strength of the entry-wise part.")
    l2 = property(lambda self: self._base.l2, doc="float: the L2 strength of the entry-wise part.")
    l1_weights = property(lambda self: self._base.l1_weights,
                          doc="ndarray or None: the per-feature L1 weights of the entry-wise part.")
    l2_weights = property(lambda self: self._base.l2_weights,
                          doc="ndarray or None: the per-feature L2 weights of the entry-wise part.")

    @property
    def total(self):
        """float: ``alpha + l1 + l2``, the overall strength a path scales."""
        return self._alpha + self._base.l1 + self._base.l2

    # -- algebra ----------------------------------------------------------------
    def __add__(self, other):
        if isinstance(other, GroupPenalty):
            raise TypeError("a penalty holds one group term; merge the groups into one GroupL2.")
        if isinstance(other, Penalty):
            return GroupPenalty(self._alpha, self._groups, self._weights, self._base + other)
        if isinstance(other, numbers.Number) and other == 0 and not isinstance(other, bool):
            return self
        return NotImplemented

    __radd__ = __add__

    def scaled(self, factor):
        """Return the penalty with every strength multiplied by ``factor``.

        Parameters
        ----------
        factor : float
            A finite, non-negative multiplier.

        Returns
        -------
        GroupPenalty
        """
        factor = _check_alpha(factor, "factor")
        return GroupPenalty(self._alpha * factor, self._groups, self._weights,
                            self._base.scaled(factor))

    def __mul__(self, factor):
        if isinstance(factor, (bool, np.bool_)) or not isinstance(factor, numbers.Real):
            raise TypeError("a penalty can only be multiplied by a number (its scale factor).")
        return self.scaled(factor)

    __rmul__ = __mul__
    __array_ufunc__ = None

    def at(self, alpha):
        """The penalty scaled so that :attr:`total` is ``alpha`` (proportions kept).

        Parameters
        ----------
        alpha : float
            The overall strength.

        Returns
        -------
        GroupPenalty
        """
        alpha = _check_alpha(alpha, "alpha")
        total = self.total
        if total == 0:
            raise ValueError("a zero penalty has no proportions to scale.")
        return self.scaled(alpha / total)

    def __eq__(self, other):
        if not isinstance(other, GroupPenalty):
            return NotImplemented
        return (self._alpha == other._alpha and self._base == other._base
                and _same(self._groups, other._groups) and _same(self._weights, other._weights))

    __hash__ = None

    def __repr__(self):
        groups = "None" if self._groups is None else "..."
        out = f"GroupL2({self._alpha!r}, groups={groups})"
        if self._base.l1 or self._base.l2:
            out += " + " + repr(self._base)
        return out

    # -- layout and value -------------------------------------------------------
    def layout(self, n_features):
        """The blocks the solvers sweep, for ``n_features`` features.

        Parameters
        ----------
        n_features : int
            The number of columns of X (labels and weights are checked
            against it, and features in no group become singleton blocks).

        Returns
        -------
        GroupLayout

        Raises
        ------
        ValueError
            When a group index is out of range or repeated, the labels or
            weights have the wrong length, or the L2 weights differ inside a
            group (the group's proximal operator needs one L2 strength).
        """
        p = int(n_features)
        lam, mu = self._base.strengths(p)
        excluded = self._base.excluded(p)
        idx, sizes = self._index_groups(p)
        G = sizes.size
        if self._weights is None:
            w = np.sqrt(sizes.astype(np.float64))
        else:
            if self._weights.shape[0] != G:
                raise ValueError(f"weights (of GroupL2) has length {self._weights.shape[0]}, "
                                 f"expected {G} (one per group).")
            w = np.asarray(self._weights, dtype=np.float64)
        # Vectorized over the groups: multi-task learning has one group a feature.
        count = np.bincount(idx, minlength=p)
        if np.any(count > 1):
            raise ValueError("groups must be disjoint: a feature is in two groups.")
        gid = np.repeat(np.arange(G), sizes)
        keep = ~excluded[idx]
        kept = np.bincount(gid[keep], minlength=G)
        strength = self._alpha * w
        starts = np.zeros(G + 1, dtype=np.int64)
        np.cumsum(kept, out=starts[1:])
        kidx = idx[keep]
        nonempty = kept > 0
        check = (strength > 0) & (kept > 1)
        if np.any(check):
            mk = mu[kidx]
            hi = np.maximum.reduceat(mk, starts[:-1][nonempty])
            lo = np.minimum.reduceat(mk, starts[:-1][nonempty])
            if np.any((hi > lo) & check[nonempty]):
                raise ValueError("L2 weights must be equal inside each group of GroupL2 "
                                 "(the group's proximal step takes one L2 strength).")
        n_groups = int(np.count_nonzero(nonempty))
        # Features in no group (and not excluded) follow as unweighted singletons.
        rest = np.flatnonzero((count == 0) & ~excluded)
        bsizes = np.concatenate([kept[nonempty], np.ones(rest.size, dtype=np.int64)])
        gptr = np.zeros(bsizes.size + 1, dtype=np.int64)
        np.cumsum(bsizes, out=gptr[1:])
        gidx = np.concatenate([kidx, rest]).astype(np.int64)
        galpha = np.concatenate([strength[nonempty], np.zeros(rest.size)])
        return GroupLayout(gptr, gidx, galpha, lam, mu, excluded, n_groups)

    def _index_groups(self, p):
        """The groups' feature indices, concatenated, and their sizes (``(idx, sizes)``)."""
        if self._groups is None:
            return np.arange(p, dtype=np.int64), np.ones(p, dtype=np.int64)
        if isinstance(self._groups, tuple):
            for g in self._groups:
                if g.min() < 0 or g.max() >= p:
                    raise ValueError(f"groups hold feature indices in [0, {p}), got "
                                     f"{int(g.min())}..{int(g.max())}.")
                if np.unique(g).size != g.size:
                    raise ValueError("groups must not repeat a feature inside a group.")
            sizes = np.array([g.size for g in self._groups], dtype=np.int64)
            return np.concatenate(self._groups).astype(np.int64), sizes
        labels = self._groups
        if labels.shape[0] != p:
            raise ValueError(f"groups (one label per feature) has length {labels.shape[0]}, "
                             f"expected {p} (n_features).")
        _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
        # Groups in the order their labels first appear, as a reader expects; inside a
        # group, features in increasing order (a stable sort of the features by rank).
        rank = np.empty(first.size, dtype=np.int64)
        rank[np.argsort(first, kind="stable")] = np.arange(first.size)
        feature_rank = rank[inverse.ravel()]
        idx = np.argsort(feature_rank, kind="stable").astype(np.int64)
        return idx, np.bincount(feature_rank, minlength=first.size).astype(np.int64)

    def value(self, coef):
        """The penalty at ``coef`` (shape (n_features,) or (n_features, K)).

        Parameters
        ----------
        coef : array-like

        Returns
        -------
        float
        """
        W = np.asarray(coef, dtype=np.float64)
        return layout_value(self.layout(W.shape[0]), W)


def layout_value(layout, W):
    """``sum_b galpha_b ||W_b|| + sum_j lam_j |W_j|_1 + mu_j/2 ||W_j||^2`` (inf off the zeros)."""
    W = W.reshape(W.shape[0], -1)
    if np.any(W[layout.excluded] != 0):
        return float("inf")
    rows = np.sqrt(np.einsum("jk,jk->j", W, W))
    block = np.add.reduceat(rows[layout.gidx] ** 2, layout.gptr[:-1]) if layout.gidx.size \
        else np.zeros(0)
    value = float(layout.galpha @ np.sqrt(block))
    value += float(layout.lam @ np.abs(W).sum(axis=1))
    scaled = np.sqrt(layout.mu)[:, None] * W
    return value + 0.5 * float(np.einsum("jk,jk->", scaled, scaled))


def _same(a, b):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, tuple) or isinstance(b, tuple):
        return (isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b)
                and all(np.array_equal(x, y) for x, y in zip(a, b)))
    return np.array_equal(a, b)


def GroupL2(alpha, groups=None, weights=None):
    """The group penalty ``alpha * sum_g w_g ||W_g||_2``.

    Parameters
    ----------
    alpha : float
        Non-negative strength.
    groups : None, list of lists of int, or array-like of shape (n_features,)
        Disjoint groups of features: index lists (unequal sizes allowed), or
        one label per feature (any hashable numbers or strings; groups in
        the order their labels first appear). Features in no index list are
        not penalized by this term (only by an added L1/L2). ``None`` makes
        each feature its own group: on a coefficient matrix (a 2-D ``y``),
        the rows of ``W``, which couples the targets (the multi-task lasso).
    weights : array-like of shape (n_groups,), optional
        Non-negative weight ``w_g`` per group (0 leaves a group
        unpenalized by this term); default ``sqrt(|g|)``, the square root
        of the group's size, which makes groups of different sizes enter at comparable
        strengths.

    Returns
    -------
    GroupPenalty
        Add ``lk.L1(b)`` for the sparse group lasso, ``lk.L2(c)`` for the
        group elastic net.

    Notes
    -----
    The group term is not separable, so it is solved by block coordinate
    descent with the group's proximal operator, with Gap Safe screening of
    whole groups (Ndiaye et al., 2017). Its dual norm, which the duality
    gap certificate uses, is ``max_g ||ST(v_g, lam)||_2 / (alpha w_g)``
    with ``ST`` the entry-wise soft threshold of the L1 part.

    Examples
    --------
    >>> import numpy as np, lassokit as lk
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 6)); y = X[:, :3].sum(axis=1)
    >>> sol = lk.Problem(X, y, lk.GroupL2(0.1, groups=[[0, 1, 2], [3, 4, 5]])).solve()
    >>> bool(np.all(sol.coef[3:] == 0)), bool(np.all(sol.coef[:3] != 0))
    (True, True)
    """
    return GroupPenalty(alpha, groups, weights)
