"""Thread pinning on dask workers for joblib-parallel work (CV, grids)."""

from __future__ import annotations

__all__ = ["pin_worker_threads"]

# Limiters stay referenced so that the limits hold for the workers' lifetime.
_LIMITERS = []


def _pin(n_threads):
    from threadpoolctl import threadpool_info, threadpool_limits

    # OpenMP/BLAS runtimes loaded after pinning keep their default size, so
    # load the usual ones (scikit-learn's OpenMP, numba) first.
    for module in ("sklearn.linear_model", "numba"):
        try:
            __import__(module)
        except ImportError:  # pragma: no cover - optional
            pass

    _LIMITERS.append(threadpool_limits(limits=n_threads))
    return sorted({(d["user_api"], d["num_threads"]) for d in threadpool_info()})


def pin_worker_threads(client, n_threads=1):
    """Limit BLAS/OpenMP threads in every worker of ``client`` (threadpoolctl).

    With one dask thread per core, nested BLAS threads only oversubscribe the
    machine; pin them before ``joblib.parallel_config(backend="dask")``
    runs a cross-validation. Runtimes loaded later by other libraries, and
    workers started later, are not affected (set ``OMP_NUM_THREADS`` in the
    workers' environment for those). With an in-process cluster (``processes=False``) the limit applies to the whole
    process, client included.

    Parameters
    ----------
    client : distributed.Client
    n_threads : int, default=1

    Returns
    -------
    dict
        Worker address -> list of ``(user_api, num_threads)`` after pinning.
    """
    if isinstance(n_threads, bool) or not isinstance(n_threads, int) or n_threads < 1:
        raise ValueError(f"n_threads must be an integer >= 1, got {n_threads!r}.")
    return client.run(_pin, n_threads)
