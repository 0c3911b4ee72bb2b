"""Placing the ADMM row blocks on the workers that already hold the data."""

from __future__ import annotations

import numpy as np

from ._admm import BlockSet
from ._blocks import RowBlock
from ._stats import Moments, check_moments

__all__ = ["admm_blocks", "default_client"]


def default_client(client):
    """``client``, or the current default ``distributed.Client``."""
    if client is not None:
        return client
    from distributed import default_client as _default

    try:
        return _default()
    except ValueError:
        raise ValueError(
            "method='admm' runs on a dask.distributed cluster: pass client= or create a "
            "distributed.Client first (e.g. Client(LocalCluster()))."
        ) from None


def _chunk_futures(collection):
    """Futures of a persisted 1-D or row-chunked 2-D array, in row order."""
    from distributed import futures_of

    futs = futures_of(collection)
    futs.sort(key=lambda f: f.key[1])
    return futs


def admm_blocks(client, X, y, sample_weight, fit_intercept):
    """Persist the data, build one :class:`RowBlock` actor per worker and prepare it.

    Parameters
    ----------
    client : distributed.Client
    X, y, sample_weight : dask arrays with the same row chunks
    fit_intercept : bool

    Returns
    -------
    BlockSet
    """
    from distributed import wait

    parts = [X, y] + ([] if sample_weight is None else [sample_weight])
    persisted = client.persist(parts)
    wait(persisted)
    xf = _chunk_futures(persisted[0])
    yf = _chunk_futures(persisted[1])
    wf = None if sample_weight is None else _chunk_futures(persisted[2])
    where = client.who_has(xf)
    groups = {}
    for i, f in enumerate(xf):
        holders = sorted(where.get(f.key, ()))
        groups.setdefault(holders[0] if holders else None, []).append(i)
    actor_futs = []
    for addr, idx in groups.items():
        ws = None if wf is None else [wf[i] for i in idx]
        actor_futs.append(client.submit(
            RowBlock, [xf[i] for i in idx], [yf[i] for i in idx], ws, actor=True,
            workers=None if addr is None else [addr], allow_other_workers=addr is None,
            pure=False,
        ))
    actors = [f.result() for f in actor_futs]
    n, p = X.shape
    bs = BlockSet(blocks=actors, n=n, p=p, x_offset=np.zeros(p), y_offset=0.0,
                  fit_intercept=fit_intercept, yy=0.0, trace=0.0, kinds=[],
                  keep=[persisted, actor_futs])
    means = bs.call("moments")
    W = sum(m[1] for m in means)
    check_moments(Moments(n, W, np.zeros(p + 1), np.zeros((1, 1)),
                          min(m[5] for m in means), all(m[4] for m in means)))
    if fit_intercept:
        bs.x_offset = sum(m[1] * m[2] for m in means if m[1] > 0) / W
        bs.y_offset = float(sum(m[1] * m[3] for m in means if m[1] > 0) / W)
    infos = bs.call("prepare", bs.x_offset, bs.y_offset, n / W)
    bs.yy = float(sum(i["yy"] for i in infos))
    bs.trace = float(sum(i["trace"] for i in infos))
    bs.kinds = [i["kind"] for i in infos]
    return bs
