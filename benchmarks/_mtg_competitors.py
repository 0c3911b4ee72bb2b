"""The competitors of ``bench_multitask_group.py``: each library's call, and adelie's runner.

Every competitor is a ``fit(tol) -> coef`` on the same problem as
lassokit's (see that script's docstring for each one's ``alpha``); a
package that is not installed, or not named in ``solvers``, is left out.
adelie (numpy < 2) runs in its own virtual environment as a subprocess:
:class:`Adelie`.
"""

from __future__ import annotations

import importlib
import math
import os
import subprocess

import numpy as np
import scipy.sparse as sp
from _common import log, quiet
from _logistic_setup import refit_path

DEFAULT_ADELIE = "/tmp/adelie_venv/bin/python"


def _wanted(solvers, cname, module, attr):
    """``module.attr`` if ``cname`` is among ``solvers`` and installed, else None."""
    if cname not in solvers:
        return None
    try:
        return getattr(importlib.import_module(module), attr)
    except ImportError:
        return None


# The constructors, shared by single solves and paths.

def _cd_mt(cls, alpha, tol, **kw):
    """skglm's MultiTaskLasso."""
    return cls(alpha=alpha, tol=tol, fit_intercept=False, max_iter=100, max_epochs=100_000,
               **kw)


def _cd_group(cls, info, alpha, tol, **kw):
    """skglm's or celer's GroupLasso (one signature), weights sqrt(|g|)."""
    size = info["group_size"]
    return cls(groups=size, alpha=alpha, weights=np.full(info["n_groups"], math.sqrt(size)),
               tol=tol, fit_intercept=False, max_iter=100, max_epochs=100_000, **kw)


def _fista_group(cls, info, alpha, tol, **kw):
    """group-lasso's GroupLasso: it minimizes 1/(4n)||y - Xw||^2 + ..., so group_reg = alpha/2."""
    labels = np.repeat(np.arange(info["n_groups"]), info["group_size"])
    return cls(groups=labels, group_reg=alpha / 2, l1_reg=0, scale_reg="group_size",
               supress_warning=True, fit_intercept=False, tol=tol, n_iter=1_000_000,
               random_state=0, **kw)


def _moved(coefs):
    """(K, p, L) -> (L, p, K)."""
    return np.moveaxis(coefs, (2, 1, 0), (0, 1, 2))


# -- single solves --------------------------------------------------------------------------

def single_competitors(X, Y, info, alpha, solvers):
    """name -> fit(tol) returning coef ((p, K) or (p,)), each on the same problem."""
    out = {}
    if info["kind"] == "multitask":
        sk = None if sp.issparse(X) else _wanted(solvers, "sklearn", "sklearn.linear_model",
                                                  "MultiTaskLasso")
        if sk is not None:
            out["sklearn"] = lambda tol: sk(alpha=alpha, tol=tol, fit_intercept=False,
                                            max_iter=100_000).fit(X, Y).coef_.T
        mtl_path = _wanted(solvers, "celer", "celer.homotopy", "mtl_path")
        if mtl_path is not None:
            out["celer"] = lambda tol: mtl_path(X, Y, alphas=[alpha], tol=tol, max_iter=100,
                                                max_epochs=100_000)[1][:, :, 0].T
        skglm = _wanted(solvers, "skglm", "skglm", "MultiTaskLasso")
        if skglm is not None:
            out["skglm"] = lambda tol: _cd_mt(skglm, alpha, tol).fit(X, Y).coef_.T
        return {k: quiet(v) for k, v in out.items()}
    for cname in ("skglm", "celer"):
        cls = _wanted(solvers, cname, cname, "GroupLasso")
        if cls is not None:
            out[cname] = lambda tol, cls=cls: _cd_group(cls, info, alpha, tol).fit(X, Y).coef_
    fista = _wanted(solvers, "group-lasso", "group_lasso", "GroupLasso")
    if fista is not None:
        out["group-lasso"] = lambda tol: _fista_group(fista, info, alpha, tol).fit(
            X, Y).coef_.ravel()
    return {k: quiet(v) for k, v in out.items()}


def saga_multinomial(X, labels, alpha, solvers=("sklearn-saga",)):
    """scikit-learn's saga, L1: ``C sum_i CE_i + |W|_1``, i.e. ``C = 1/(n alpha)``."""
    sk = _wanted(solvers, "sklearn-saga", "sklearn.linear_model", "LogisticRegression")
    if sk is None:
        return {}
    return {"sklearn-saga": quiet(lambda tol: sk(
        C=1.0 / (X.shape[0] * alpha), l1_ratio=1.0, solver="saga", fit_intercept=False,
        tol=tol, max_iter=100_000, random_state=0).fit(X, labels).coef_.T)}


# -- paths ----------------------------------------------------------------------------------

def path_competitors(X, Y, info, grid, solvers, adelie):
    """name -> fit(tol) returning coefs of shape (L, p) or (L, p, K), alphas ``grid``."""
    out = {}
    a0 = grid[0]
    if info["kind"] == "multitask":
        lasso_path = None if sp.issparse(X) else _wanted(solvers, "sklearn",
                                                         "sklearn.linear_model", "lasso_path")
        if lasso_path is not None:  # multi-output y: scikit-learn's multi-task descent
            out["sklearn"] = lambda tol: _moved(lasso_path(X, Y, alphas=grid, tol=tol,
                                                           max_iter=100_000)[1])
        mtl_path = _wanted(solvers, "celer", "celer.homotopy", "mtl_path")
        if mtl_path is not None:
            out["celer"] = lambda tol: _moved(mtl_path(X, Y, alphas=grid, tol=tol, max_iter=100,
                                                       max_epochs=100_000)[1])
        skglm = _wanted(solvers, "skglm", "skglm", "MultiTaskLasso")
        if skglm is not None:
            out["skglm"] = refit_path(lambda tol: _cd_mt(skglm, a0, tol, warm_start=True),
                                      lambda a: {"alpha": a}, X, Y, grid,
                                      coef=lambda est: est.coef_.T)
    else:
        celer_path = _wanted(solvers, "celer", "celer", "celer_path")
        if celer_path is not None:
            size = info["group_size"]
            weights = np.full(info["n_groups"], math.sqrt(size))
            out["celer"] = lambda tol: celer_path(
                X, Y, "grouplasso", alphas=grid, groups=size, weights=weights, tol=tol,
                max_iter=100, max_epochs=100_000)[1].T
        skglm = _wanted(solvers, "skglm", "skglm", "GroupLasso")
        if skglm is not None:
            out["skglm"] = refit_path(
                lambda tol: _cd_group(skglm, info, a0, tol, warm_start=True),
                lambda a: {"alpha": a}, X, Y, grid)
        fista = _wanted(solvers, "group-lasso", "group_lasso", "GroupLasso")
        if fista is not None:
            out["group-lasso"] = refit_path(
                lambda tol: _fista_group(fista, info, a0, tol, warm_start=True),
                lambda a: {"group_reg": a / 2}, X, Y, grid)
    out = {k: quiet(v) for k, v in out.items()}
    if "adelie" in solvers and adelie is not None:
        out["adelie"] = adelie.path_fit(X, Y, info, grid)
    return out


# -- adelie in its own virtual environment ---------------------------------------------------

_ADELIE_RUNNER = r'''
import sys, time
import numpy as np
import scipy.sparse as sp
import adelie as ad

data, tol, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
d = np.load(data)
if "X" in d:
    X = np.asfortranarray(d["X"])
else:
    X = sp.csc_matrix((d["X_data"], d["X_indices"], d["X_indptr"]), shape=tuple(d["X_shape"]))
y, lmdas, groups, penalty = d["y"], d["lmdas"], d["groups"], d["penalty"]
c0, t0 = time.process_time(), time.perf_counter()
Xa = (ad.matrix.sparse(X, method="naive", n_threads=1) if sp.issparse(X)
      else ad.matrix.dense(X, method="naive", n_threads=1))
glm = ad.glm.multigaussian(y) if y.ndim == 2 else ad.glm.gaussian(y)
state = ad.grpnet(Xa, glm, groups=groups, penalty=penalty, alpha=1.0, lmda_path=lmdas,
                  intercept=False, early_exit=False, progress_bar=False, n_threads=1, tol=tol,
                  max_iters=10**8)
cpu, wall = time.process_time() - c0, time.perf_counter() - t0
B = sp.csr_matrix(state.betas)
np.savez(out, data=B.data, indices=B.indices, indptr=B.indptr, shape=np.array(B.shape),
         lmdas=np.asarray(state.lmdas), cpu=cpu, wall=wall, version=ad.__version__)
'''


class Adelie:
    """adelie's ``grpnet`` path, run by another Python (numpy < 2) as a subprocess.

    ``error`` says why it cannot run (that Python missing, adelie not
    importable there); ``version`` is ``"adelie_version numpy_version"``.
    """

    def __init__(self, python, workdir, cap_s):
        self.python, self.workdir, self.cap_s = python, workdir, cap_s
        self.runner = os.path.join(workdir, "adelie_runner.py")
        with open(self.runner, "w") as fh:
            fh.write(_ADELIE_RUNNER)
        self.version = None
        self.error = None
        try:
            code = "import adelie, numpy; print(adelie.__version__, numpy.__version__)"
            probe = subprocess.run([python, "-c", code], capture_output=True, text=True,
                                   check=False)
        except OSError as exc:  # no such interpreter
            self.error = f"{python}: {exc.strerror or exc}"
            return
        if probe.returncode != 0:
            self.error = (probe.stderr.strip().splitlines() or ["failed"])[-1]
        else:
            self.version = probe.stdout.strip()

    def path_fit(self, X, Y, info, grid):
        """fit(tol) -> dict(result=coefs (L, p[, K]), cpu, wall) or None (timeout, error)."""
        p = X.shape[1]
        data = os.path.join(self.workdir, f"data_{id(X)}_{Y.ndim}.npz")
        if info["kind"] == "multitask":
            K = Y.shape[1]
            groups, penalty, lmdas = np.arange(p), np.ones(p), grid / K
        else:
            size = info["group_size"]
            groups = np.arange(0, p, size)
            penalty, lmdas = np.full(groups.size, math.sqrt(size)), grid
        arrays = {"y": np.ascontiguousarray(Y), "lmdas": lmdas, "groups": groups,
                  "penalty": penalty}
        if sp.issparse(X):
            arrays.update(X_data=X.data, X_indices=X.indices, X_indptr=X.indptr,
                          X_shape=np.array(X.shape))
        else:
            arrays.update(X=X)
        np.savez(data, **arrays)
        out = os.path.join(self.workdir, "adelie_out.npz")

        def fit(tol):
            if os.path.exists(out):
                os.remove(out)
            try:
                run = subprocess.run([self.python, self.runner, data, repr(tol), out],
                                     capture_output=True, text=True, timeout=self.cap_s,
                                     check=False)
            except subprocess.TimeoutExpired:
                return None
            if run.returncode != 0:
                log("    adelie error: " + run.stderr.strip()[-500:])
                return None
            o = np.load(out)
            B = sp.csr_matrix((o["data"], o["indices"], o["indptr"]),
                              shape=tuple(o["shape"])).toarray()
            if B.shape[0] != grid.size:
                log(f"    adelie returned {B.shape[0]} of {grid.size} strengths")
                return None
            coefs = B.reshape(grid.size, p, -1) if Y.ndim == 2 else B
            return {"result": coefs, "cpu": float(o["cpu"]), "wall": float(o["wall"])}
        fit.external = True
        return fit
