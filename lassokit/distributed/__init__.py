"""Scaling out on Dask: the same problem, certificate and results past one machine.

Two tiers take a row-chunked ``dask.array`` ``X`` and ``y`` and return the
same :class:`~lassokit.Solution` / :class:`~lassokit.Path` as the in-memory
solvers, certified by lassokit's own duality gap:

* ``method="gram"`` (p up to a few thousand): one tree-reduced pass computes
  the weighted means and the centred co-moment matrix of ``[X, y]``; an exact
  ``(p + 1) x p`` surrogate problem is then solved locally (:mod:`._gram`).
* ``method="admm"``: consensus ADMM (Boyd et al. 2011, section 8) with one
  row block per worker that keeps its rows and a cached factorization; the
  certificate is evaluated from reduced per-block sums (:mod:`._certify`).

Cross-validation with :class:`lassokit.LassoCV` runs on any joblib backend,
``dask`` included (``with joblib.parallel_config(backend="dask"): ...``);
:func:`pin_worker_threads` pins the BLAS/OpenMP threads of the workers.

Needs the ``dask`` extra (``pip install "lassokit[dask]"``); ``import
lassokit`` never imports this module.
"""

try:
    import dask
    import dask.array  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised without the extra
    # The "dask" extra of pyproject.toml brings dask[array] and distributed.
    raise ImportError(
        f"lassokit.distributed needs Dask ({exc.name or 'dask'} is not installed): "
        'pip install "lassokit[dask]"'
    ) from exc

from ._api import moments, path, solve, surrogate
from ._cv import CVResult, cross_validate
from ._joblib import pin_worker_threads
from ._stats import Moments

__all__ = [
    "CVResult",
    "Moments",
    "cross_validate",
    "moments",
    "path",
    "pin_worker_threads",
    "solve",
    "surrogate",
]
