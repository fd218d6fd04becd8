"""Every private name of the Pulumi SDK and of gRPC that pulumi-snowdm touches, fenced in this one module.

Tested with pulumi 3.260.0 and grpcio 1.85.3 (constraints.txt). Each hook has a canary in
tests/unit/test_sdk_hooks.py that fails when a release changes the shape it relies on. A hook applies only on the
releases its canaries pass on (`TESTED_RELEASES`: from the floor that scripts/range.sh tests, the lowest supported
pulumi and the grpcio it brings, to the newest the registry serves, which the range job also tests, within one major
version); on any other, and when it cannot apply, it leaves the stock behaviour, touches no private name, and says
once on stderr what is lost.

1. `raise_worker_ceiling`: more gRPC workers for the dynamic-provider process.
   Touches: `grpc._server._Server` (found with `gc.get_objects()`), its `_state.thread_pool`, and that pool's
   `concurrent.futures.ThreadPoolExecutor._max_workers`.
   Why: Pulumi runs every Python dynamic resource of a deployment in one provider process
   (`python -m pulumi.dynamic`), which serves the engine's calls from a gRPC thread pool of only 4 workers. A gate's
   create holds its worker for as long as it waits; with four gates waiting, the next resource's Check or Create
   queues behind them and the deployment stalls. The pool belongs to the SDK's `main()` and is not configurable, so
   the first provider call raises the running pool's ceiling (a ThreadPoolExecutor starts threads lazily, up to
   `_max_workers`).
2. `install_brief_errors`: our own errors shown as their message, not as a Python traceback.
   Touches: the module `pulumi.dynamic.__main__` (run as `__main__`, found through `__spec__.name`) and its
   module-level name `traceback` (imported there from 3.260 on), whose `format_exc()` the host calls to report a
   provider call's exception.
   Why: a failed gate printed a dozen lines of frames above the one line that matters. SnowdmError messages are
   written for users; for them the host's formatter returns `Kind: message`, anything else (a bug) keeps its
   traceback.
"""

from __future__ import annotations

import concurrent.futures
import gc
import importlib.metadata
import sys
import threading
import traceback
from types import ModuleType

from pulumi_snowdm._core.errors import SnowdmError

TESTED_WITH = {"pulumi": "3.260.0", "grpcio": "1.85.3"}
# The oldest release (major.minor) whose private names the canaries pass on (the range job's floor); the hooks apply
# on it and on every later release of the same major version (the range job tests the newest too).
TESTED_RELEASES = {"pulumi": "3.139", "grpcio": "1.66"}
HOST_MODULE = "pulumi.dynamic.__main__"
# Each waiting gate holds one thread that mostly sleeps; 256 covers a large fleet of per-device gates. The plugin
# (`plugin/main.py`) asks for 1024 because it owns its server and serves every language's resources, FleetGates'
# rollouts included, through it; here the pool is the SDK's, raised behind its back, so we stay closer to its size.
WORKERS = 256

_lock = threading.Lock()
_raised = False


def _say(line: str) -> None:
    print(f"snowdm: {line}", file=sys.stderr, flush=True)


def untested(package: str, lost: str) -> bool:
    """True (after saying once what is `lost`) when the installed `package` is not a release the hooks were tested
    on; the caller then leaves the stock behaviour."""
    try:
        installed = importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        installed = "none"
    floor = _release(TESTED_RELEASES[package])
    release = _release(installed)
    if release is not None and floor is not None and release[0] == floor[0] and release >= floor:
        return False
    if package not in _told:
        _told.add(package)
        _say(f"{package} {installed} is not a release these hooks were tested on "
             f"({TESTED_RELEASES[package]} or a later {TESTED_RELEASES[package].split('.')[0]}.x); {lost}")
    return True


def _release(version: str) -> tuple[int, int] | None:
    """(major, minor) of a version string, or None when it has none."""
    parts = version.split(".")[:2]
    return (int(parts[0]), int(parts[1])) if len(parts) == 2 and all(part.isdigit() for part in parts) else None


_told: set[str] = set()


def raise_worker_ceiling(workers: int = WORKERS) -> int | None:
    """Raise the provider process's gRPC worker ceiling to `workers` once; return the ceiling found, or None."""
    global _raised
    with _lock:
        if _raised:
            return None
        _raised = True
        if untested("grpcio", "gates beyond 4 will wait their turn"):
            return None
        pools = grpc_server_pools()
        if not pools:
            _say("could not find the provider's gRPC worker pool; gates beyond 4 will wait their turn")
            return None
        for pool in pools:
            pool._max_workers = max(pool._max_workers, workers)
        return max(pool._max_workers for pool in pools)


def grpc_server_pools() -> list[concurrent.futures.ThreadPoolExecutor]:
    """The thread pools of the gRPC servers alive in this process (empty when gRPC hides them)."""
    try:
        from grpc._server import _Server  # private: fenced here, canary-tested
    except ImportError:
        return []
    pools = []
    for candidate in gc.get_objects():
        if isinstance(candidate, _Server):
            pool = getattr(getattr(candidate, "_state", None), "thread_pool", None)
            if isinstance(pool, concurrent.futures.ThreadPoolExecutor) and hasattr(pool, "_max_workers"):
                pools.append(pool)
    return pools


class BriefErrors(ModuleType):
    """The `traceback` module as the host sees it: the same, but `format_exc` is brief for our own errors."""

    def __init__(self) -> None:
        super().__init__("traceback")

    def __getattr__(self, name: str):
        return getattr(traceback, name)

    @staticmethod
    def format_exc(*args, **kwargs) -> str:
        error = sys.exc_info()[1]
        if isinstance(error, SnowdmError):
            return f"{type(error).__name__}: {error}"
        return traceback.format_exc(*args, **kwargs)


def install_brief_errors(module: ModuleType | None = None) -> bool:
    """Give the dynamic-provider host (or `module`) the brief formatter; False when it cannot apply."""
    with _lock:
        host = module if module is not None else host_module()
        if host is None:
            return False  # not the provider process (a program, a test): nothing to say
        if untested("pulumi", "errors keep their full traceback"):
            return False
        if not isinstance(getattr(host, "traceback", None), ModuleType):
            _say(f"{HOST_MODULE} has no `traceback` to swap (SDK release other than {TESTED_WITH['pulumi']}?); "
                 f"errors keep their full traceback")
            return False
        # The host module's private `traceback` global (checked just above); mypy sees no such attribute.
        if not isinstance(host.traceback, BriefErrors):
            host.traceback = BriefErrors()  # type: ignore[attr-defined]
        return True


def host_module() -> ModuleType | None:
    """The running `python -m pulumi.dynamic` module, or None in any other process."""
    for module in (sys.modules.get("__main__"), sys.modules.get(HOST_MODULE)):
        spec = getattr(module, "__spec__", None)
        if module is not None and spec is not None and spec.name == HOST_MODULE:
            return module
    return None
