"""Small helpers shared by the losses: target checks and weighted sums."""

from __future__ import annotations

import numpy as np


def as_float_vector(y, what):
    """``y`` as a new one-dimensional, finite float64 array, or a sentence why not.

    Parameters
    ----------
    y : array-like
        The target.
    what : str
        Who asks, for the message (e.g. ``"the squared loss"``).

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"y must be one-dimensional for {what}, got shape {arr.shape}.")
    if arr.size == 0:
        raise ValueError(f"y is empty: {what} needs at least one sample.")
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"y must hold real numbers for {what}, got dtype {arr.dtype}.")
    out = np.array(arr, dtype=np.float64)
    if not np.all(np.isfinite(out)):
        raise ValueError(f"y must contain only finite values for {what} (found NaN or inf).")
    return out


def sample_weights(s, n):
    """Sample weights as float64 of length ``n``: all ones for ``None``.

    Weights are used as given (the certificate normalizes them to sum to
    ``n`` first); only the shape is checked here.
    """
    if s is None:
        return np.ones(n)
    s = np.asarray(s, dtype=np.float64)
    if s.shape != (n,):
        raise ValueError(f"sample weights must have shape ({n},), got {s.shape}.")
    return s


def weighted_mean(s, values):
    """``sum_i s_i v_i / sum_i s_i`` over the samples with ``s_i > 0``.

    Samples of zero weight are skipped rather than multiplied: their value
    may be infinite (an overflowing ``exp``), and ``0 * inf`` is NaN.
    """
    keep = s > 0
    # Weights scaled by their largest, then to sum to 1, before the product:
    # no sum of weights of 1e300 (or of values near the float maximum) overflows.
    sk = s[keep] / s[keep].max()
    with np.errstate(invalid="ignore", over="ignore"):
        return float(np.dot(sk / sk.sum(), values[keep]))


def weighted_median(s, values):
    """A weighted median of ``values`` (the lower one on a tie)."""
    order = np.argsort(values)
    cum = np.cumsum(s[order] / s.max())  # weights of 1e300 would overflow the sum
    return float(values[order][np.searchsorted(cum, 0.5 * cum[-1])])


def strengths(values, p, name):
    """Per-feature strengths as a new float64 array of shape ``(p,)``: finite, ``>= 0``."""
    out = np.zeros(p) if values is None else np.array(values, dtype=np.float64).ravel()
    if out.shape != (p,):
        raise ValueError(f"{name} must have shape ({p},), got {out.shape}.")
    if not (np.all(np.isfinite(out)) and np.all(out >= 0)):
        raise ValueError(f"{name} must be finite and non-negative.")
    return out


def mean_two_pass(s, y):
    """Weighted mean of ``y`` with a corrective second pass (exact near a large offset)."""
    m = weighted_mean(s, y)
    return m + weighted_mean(s, y - m)


# scipy.special costs ~0.1 s to import: loaded at the first use of a loss that
# needs it, not at ``import lassokit`` (which builds the loss objects).
def expit(x):
    """``scipy.special.expit`` (the logistic sigmoid), imported on first use."""
    from scipy.special import expit as f

    return f(x)


def log_expit(x):
    """``scipy.special.log_expit`` (``log sigmoid(x)``, stable), imported on first use."""
    from scipy.special import log_expit as f

    return f(x)


def xlogy(x, y):
    """``scipy.special.xlogy`` (``x log y`` with ``0 log 0 = 0``), imported on first use."""
    from scipy.special import xlogy as f

    return f(x, y)
