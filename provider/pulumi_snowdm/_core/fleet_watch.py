"""One shared poller per task in the provider process, however many gates wait on it.

The provider process serves at most 4 calls at once (see the design notes), and several gates may wait on the same
task, or one FleetGate on many tasks. Instead of each waiter polling, an `ExecutionWatch` per (source, task) runs
one background thread that lists the task's executions (every page of ListExecutions) once per round and publishes
a snapshot {managedDeviceId: summary}. Waiters hold a `Watcher` over one or more watches and block on the
registry's Condition until their part of the snapshot changes or their own delay runs out. So the API calls per
round are the number of ListExecutions pages, whatever the number of waiters.

The round interval adapts: it is the smallest delay currently asked for by the watchers of that task (their delays
already carry the policy's backoff and jitter), never below the registry's floor. A watch's thread stops, and
leaves the registry, when its last watcher closes.

Sources: a watch is keyed by (source, task_id), where the source is normally the ClientSettings the lister was made
from; the first lister given for a key is the one used. Tests pass a fake lister and any hashable source.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterable

from pulumi_snowdm._core.client import sdm_client
from pulumi_snowdm._core.errors import NotFound
from pulumi_snowdm._core.finders import list_executions
from pulumi_snowdm._core.settings import ClientSettings

Lister = Callable[[str], list[dict]]
Snapshot = dict[str, dict]


def settings_lister(settings: ClientSettings) -> Lister:
    """A lister that reads every page of ListExecutions through the shared client for `settings`."""
    def lister(task_id: str) -> list[dict]:
        return list_executions(sdm_client(settings), task_id)
    return lister


class ExecutionWatch:
    """One task's executions as last listed, refreshed by one daemon thread while any watcher remains."""

    def __init__(self, registry: WatchRegistry, key: tuple, task_id: str, lister: Lister) -> None:
        self.key = key
        self.task_id = task_id
        self.snapshot: Snapshot = {}
        self.error: Exception | None = None
        self.rounds = 0
        self.round_started = float("-inf")
        self.watchers: set[Watcher] = set()
        self._registry = registry
        self._lister = lister
        self._thread = threading.Thread(target=self._run, name=f"snowdm-watch-{task_id}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        changed = self._registry.changed
        clock = self._registry.clock
        while True:
            started = clock()
            try:
                listed, error = self._lister(self.task_id), None
            except Exception as failure:  # published to the waiters, who decide what it means
                listed, error = None, failure
            with changed:
                if listed is not None:
                    self.snapshot = {summary["managedDeviceId"]: summary for summary in listed}
                self.error = error
                self.rounds += 1
                self.round_started = started
                changed.notify_all()
                if not self._wait_for_next_round():
                    self._registry._retire(self)
                    return

    def _wait_for_next_round(self) -> bool:
        """Block (holding the registry's Condition) until the next round is due; False when nobody watches."""
        changed = self._registry.changed
        clock = self._registry.clock
        while self.watchers:
            interval = max(self._registry.min_interval, min(w.interval for w in self.watchers))
            remaining = self.round_started + interval - clock()
            if remaining <= 0:
                return True
            changed.wait(remaining)
        return False


class Watcher:
    """One waiter's view over the watches of its tasks, optionally limited to some devices. A context manager.

    Call `close()` (or leave the `with` block) when done: that is what lets the threads stop.
    """

    def __init__(self, registry: WatchRegistry, devices: frozenset[str] | None, interval: float) -> None:
        self.registry = registry
        self.devices = devices
        self.interval = interval
        self.watches: dict[str, ExecutionWatch] = {}

    def __enter__(self) -> Watcher:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def view(self) -> dict[tuple[str, str], dict]:
        """{(task_id, device_id): execution summary} as last listed, for this watcher's devices."""
        with self.registry.changed:
            return self._view()

    def errors(self) -> dict[str, Exception]:
        """{task_id: error} for tasks whose last listing failed (NotFound, access, throttling after retries ...)."""
        with self.registry.changed:
            return {task: watch.error for task, watch in self.watches.items() if watch.error is not None}

    def execution(self, task_id: str, device_id: str) -> dict:
        """The summary of one device's execution; raise the listing's error, or NotFound if it is not listed."""
        with self.registry.changed:
            watch = self.watches[task_id]
            if watch.error is not None:
                raise watch.error
            summary = watch.snapshot.get(device_id)
        if summary is None:
            raise NotFound("execution", f"for task {task_id} on device {device_id}")
        return dict(summary)

    def sleep(self, seconds: float) -> None:
        """Wait up to `seconds`, returning early when this watcher's view (or a listing error) changes.

        The delay also becomes this watcher's wish for how often its tasks are listed.
        """
        changed = self.registry.changed
        clock = self.registry.clock
        with changed:
            self.interval = max(seconds, 0.0)
            changed.notify_all()  # a shorter wish may bring the next round forward
            before = self._fingerprint()
            until = clock() + seconds
            while (remaining := until - clock()) > 0:
                changed.wait(remaining)
                if self._fingerprint() != before:
                    return

    def close(self) -> None:
        """Stop watching; threads with no watcher left stop after their current round."""
        with self.registry.changed:
            for watch in self.watches.values():
                watch.watchers.discard(self)
            self.watches = {}
            self.registry.changed.notify_all()

    def _view(self) -> dict[tuple[str, str], dict]:
        return {
            (task, device): dict(summary)
            for task, watch in self.watches.items()
            for device, summary in watch.snapshot.items()
            if self.devices is None or device in self.devices
        }

    def _fingerprint(self) -> tuple:
        states = sorted((key, summary.get("state")) for key, summary in self._view().items())
        failures = sorted((task, id(watch.error)) for task, watch in self.watches.items() if watch.error is not None)
        return tuple(states), tuple(failures)


class WatchRegistry:
    """The process's watches, keyed by (source, task_id), and the one Condition that every round notifies.

    One Condition for all watches keeps a FleetGate over many tasks simple (it waits on one thing) and costs
    little: a provider process has a handful of waiters, and a wake-up only compares a few states.
    """

    def __init__(self, *, min_interval: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        # The floor guards the service when a waiter asks for tiny delays (a cap just before a heartbeat).
        self.min_interval = min_interval
        self.clock = clock
        self.changed = threading.Condition()
        self._watches: dict[tuple, ExecutionWatch] = {}

    def watch(
        self,
        source: Hashable,
        task_ids: Iterable[str],
        lister: Lister,
        *,
        devices: Iterable[str] | None = None,
        interval: float = 2.0,
    ) -> Watcher:
        """Start (or join) the watches of `task_ids` and return a Watcher once each has listed at least once."""
        watcher = Watcher(self, None if devices is None else frozenset(devices), interval)
        with self.changed:
            for task_id in dict.fromkeys(task_ids):
                key = (source, task_id)
                watch = self._watches.get(key)
                if watch is None:
                    watch = self._watches[key] = ExecutionWatch(self, key, task_id, lister)
                    watch.start()
                watch.watchers.add(watcher)
                watcher.watches[task_id] = watch
            while any(watch.rounds == 0 for watch in watcher.watches.values()):
                self.changed.wait()
        return watcher

    def active(self) -> int:
        """How many watch threads are running (for tests and diagnostics)."""
        with self.changed:
            return len(self._watches)

    def _retire(self, watch: ExecutionWatch) -> None:
        # Called with the Condition held; a newer watch may already own the key.
        if self._watches.get(watch.key) is watch:
            del self._watches[watch.key]


WATCHES = WatchRegistry()
