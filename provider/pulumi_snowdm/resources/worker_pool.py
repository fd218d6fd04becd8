"""Give the dynamic-provider process enough worker threads for gates that wait side by side.

Pulumi runs every Python dynamic resource of a deployment in one provider process (`python -m pulumi.dynamic`),
which serves the engine's calls from a gRPC thread pool of only 4 workers. A gate's create holds its worker for as
long as it waits. With four gates waiting, the next resource's Check or Create queues behind them and the whole
deployment stalls until a gate finishes. Users declare one gate per device in a loop, so four is far too few.

The pool belongs to the SDK's `main()` and is not configurable, so the first provider call in the process raises
the ceiling of the running pool (a ThreadPoolExecutor starts further threads lazily, up to `_max_workers`). It is
found through the gRPC server object; if a future SDK or gRPC release hides it, nothing is changed and a line says
so, leaving the stock behaviour.
"""

from __future__ import annotations

import concurrent.futures
import gc
import sys
import threading

# Each waiting gate holds one thread that mostly sleeps; 256 covers a large fleet of per-device gates.
WORKERS = 256

_done = False
_lock = threading.Lock()


def ensure_workers(workers: int = WORKERS) -> int | None:
    """Raise the provider process's gRPC worker ceiling to `workers` once; return the ceiling found, or None."""
    global _done
    with _lock:
        if _done:
            return None
        _done = True
        pools = _grpc_server_pools()
        if not pools:
            print("snowdm: could not find the provider's gRPC worker pool; gates beyond 4 will wait their turn",
                  file=sys.stderr, flush=True)
            return None
        for pool in pools:
            pool._max_workers = max(pool._max_workers, workers)
        return max(pool._max_workers for pool in pools)


def _grpc_server_pools() -> list[concurrent.futures.ThreadPoolExecutor]:
    try:
        from grpc._server import _Server
    except ImportError:
        return []
    pools = []
    for candidate in gc.get_objects():
        if isinstance(candidate, _Server):
            pool = getattr(getattr(candidate, "_state", None), "thread_pool", None)
            if isinstance(pool, concurrent.futures.ThreadPoolExecutor) and hasattr(pool, "_max_workers"):
                pools.append(pool)
    return pools
