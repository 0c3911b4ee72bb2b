"""The problems of ``bench_multitask_group.py``: sizes, data, lassokit problems, constants.

See that script's docstring for the designs and seeds. Imported by it (it
puts ``benchmarks/`` and the repository root on ``sys.path``).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from _common import ar1_design, make_target, sparse_design

import lassokit as lk

N_PATH = 100
PATH_EPS = 1e-3
RATIOS = (10, 100)

#: name -> (kind, n, p, K or group size, share of true rows / groups, density, seed)
PROBLEMS = {
    "full": {
        "mtwide": ("multitask", 500, 5_000, 20, 0.01, None, 0),
        "mttall": ("multitask", 100_000, 200, 10, 0.05, None, 1),
        "gdense": ("group", 1_000, 10_000, 10, 0.01, None, 0),
        "gsparse": ("group", 20_000, 50_000, 5, 0.01, 1e-3, 1),
    },
    "quick": {
        "mtwide": ("multitask", 100, 1_000, 5, 0.01, None, 0),
        "mttall": ("multitask", 5_000, 50, 5, 0.1, None, 1),
        "gdense": ("group", 200, 2_000, 10, 0.01, None, 0),
        "gsparse": ("group", 2_000, 5_000, 5, 0.01, 5e-3, 1),
    },
}

#: The multinomial case: (n, p, classes) per size; 10 true rows, seed 2.
MULTINOMIAL = {"full": (2_000, 5_000, 10), "quick": (500, 100, 3)}
MULTINOMIAL_TRUE_ROWS = 10

MT_COMPETITORS = ["sklearn", "celer", "skglm"]
GROUP_COMPETITORS = ["skglm", "celer", "group-lasso"]
PATH_COMPETITORS = ["adelie", "celer", "skglm", "sklearn", "group-lasso"]
#: First tol tried per competitor (the search moves either way from there).
START_TOL = {"sklearn": 1e-6, "celer": 1e-6, "skglm": 1e-6, "group-lasso": 1e-6,
             "adelie": 1e-13, "sklearn-saga": 1e-5}


def make_problem(name, size):
    """``(X, Y, info)``: Y (n, K) for multi-task problems, y (n,) for group problems."""
    kind, n, p, k, frac, density, seed = PROBLEMS[size][name]
    rng = np.random.default_rng(seed)
    X = sparse_design(n, p, density, rng) if density else ar1_design(n, p, 0.5, rng)
    if kind == "multitask":
        rows = rng.choice(p, max(1, round(frac * p)), replace=False)
        W = np.zeros((p, k))
        W[rows] = rng.standard_normal((rows.size, k))
        Y = np.empty((n, k), order="F")
        for t in range(k):
            Y[:, t] = make_target(X, W[:, t], 3.0, rng)
        return X, Y, {"kind": kind, "n": n, "p": p, "K": k, "true_rows": int(rows.size)}
    n_groups = p // k
    active = rng.choice(n_groups, max(1, round(frac * n_groups)), replace=False)
    w = np.zeros(p)
    for g in active:
        w[g * k:(g + 1) * k] = rng.standard_normal(k)
    y = make_target(X, w, 3.0, rng)
    return X, y, {"kind": kind, "n": n, "p": p, "group_size": k, "n_groups": n_groups,
                  "true_groups": int(active.size)}


def describe(name, X, info):
    store = (f"CSC density {X.nnz / (X.shape[0] * X.shape[1]):.0e} log-normal"
             if sp.issparse(X) else "dense AR(1) rho=0.5")
    if info["kind"] == "multitask":
        return (f"{name}: {info['n']:,} x {info['p']:,}, K = {info['K']}, {store}, "
                f"{info['true_rows']} true rows")
    return (f"{name}: {info['n']:,} x {info['p']:,}, {info['n_groups']:,} groups of "
            f"{info['group_size']}, {store}, {info['true_groups']} true groups")


def group_lists(p, size):
    return [list(range(s, s + size)) for s in range(0, p, size)]


def lk_problem(X, Y, info, alpha):
    """The lassokit problem at strength ``alpha`` (as a user writes it)."""
    if info["kind"] == "multitask":
        return lk.Problem(X, Y, lk.GroupL2(alpha), fit_intercept=False)
    return lk.Problem(X, Y, lk.GroupL2(alpha, groups=group_lists(info["p"], info["group_size"])),
                      fit_intercept=False)


def make_multinomial(size):
    """``(X, labels, desc)``: AR(1) X, labels the argmax of noisy linear scores + Gumbel noise."""
    n, p, k = MULTINOMIAL[size]
    rng = np.random.default_rng(2)
    X = ar1_design(n, p, 0.5, rng)
    B = np.zeros((p, k))
    true = MULTINOMIAL_TRUE_ROWS
    B[rng.choice(p, true, replace=False)] = 2.0 * rng.standard_normal((true, k))
    scores = np.zeros((n, k))
    for t in range(k):
        scores[:, t] = make_target(X, B[:, t], 3.0, rng)
    labels = np.argmax(scores + rng.gumbel(size=(n, k)), axis=1)
    desc = (f"multinomial: {n:,} x {p:,} dense AR(1) rho=0.5, {k} classes (argmax of "
            f"{k} noisy linear scores + Gumbel noise, {true} true rows, seed 2; class "
            f"shares {np.bincount(labels, minlength=k).min() / n:.2f} .. "
            f"{np.bincount(labels, minlength=k).max() / n:.2f})")
    return X, labels, desc


def multinomial_problem(X, labels, alpha):
    """``lk.Problem(X, labels, lk.L1(alpha), loss="multinomial")``, no intercept."""
    return lk.Problem(X, labels, lk.L1(alpha), loss="multinomial", fit_intercept=False)
