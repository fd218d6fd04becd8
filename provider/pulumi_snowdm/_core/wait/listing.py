"""Shared ListExecutions snapshots: one listing per task per round, however many waiters read it.

Several gates may wait on the same task, and one FleetGate on many tasks. Instead of each waiter polling, the
process keeps one `TaskListing` per (source, task): every page of ListExecutions, read once per round and published
as a snapshot {managedDeviceId: summary}. Waiters hold a `Subscription` over one or more listings and block on the
registry's Condition until something they watch changes or their own delay runs out. So the API calls per round are
the number of ListExecutions pages, whatever the number of waiters.

A small fixed pool of worker threads (`LIST_WORKERS`) reads every due listing of the process: a FleetGate over 1,000
tasks costs the same few threads as a gate over one, and never more calls in flight than boto3's connection pool
holds. A listing is due `interval` seconds after its last round started, where the interval is the smallest delay
its subscribers currently ask for (their delays already carry the policy's backoff and jitter), never below the
registry's floor.

The calls themselves keep to the process's request budget (`pace.py`), so when a round asks for more than the budget
the order matters: the tasks most likely to have changed go first. A listing whose executions have all ended
(`settled`: only a deletion can change it now) is due only `SETTLED_SLOWDOWN` times later, and after every unsettled
one; among the others, the longest overdue (longest unseen) goes first. A listing leaves the registry when its last
subscriber closes; the workers end when no listing is left.

Sources: a listing is keyed by (source, task_id), where the source is normally the ClientSettings the lister was
made from; the first lister given for a key is the one used. Tests pass a fake lister and any hashable source.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable, Hashable, Iterable

from pulumi_snowdm._core.client import sdm_client
from pulumi_snowdm._core.finders import list_executions
from pulumi_snowdm._core.settings import ClientSettings
from pulumi_snowdm._core.wait import acceptors
from pulumi_snowdm._core.wait.pace import Pace, PaceNote, pace_for

Lister = Callable[[str], list[dict]]
Snapshot = dict[str, dict]

# Listings read at once; boto3's default connection pool holds 10.
LIST_WORKERS = 8
# A listing whose executions all ended is listed this many times less often (only a deletion can change it).
SETTLED_SLOWDOWN = 5


class SettingsLister:
    """Reads every page of ListExecutions through the shared client for `settings`, on that client's `pace`."""

    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        self.pace: Pace = pace_for(settings)

    def __call__(self, task_id: str) -> list[dict]:
        return list_executions(sdm_client(self.settings), task_id)


def settings_lister(settings: ClientSettings) -> SettingsLister:
    """A lister that reads every page of ListExecutions through the shared client for `settings`."""
    return SettingsLister(settings)


def settled(snapshot: Snapshot) -> bool:
    """True when executions are listed and every one has ended: nothing but a deletion can change them now."""
    return bool(snapshot) and all(acceptors.verdict(str(summary.get("state", ""))).final
                                  for summary in snapshot.values())


class TaskListing:
    """One task's executions as last listed, with the subscribers that want it refreshed."""

    def __init__(self, key: tuple, task_id: str, lister: Lister) -> None:
        self.key = key
        self.task_id = task_id
        self.lister = lister
        self.snapshot: Snapshot = {}
        self.error: Exception | None = None
        self.rounds = 0
        self.round_started = float("-inf")
        self.reading = False
        self.settled = False
        self.subscribers: set[Subscription] = set()

    def due_at(self, floor: float) -> float:
        """When the next round should start: never listed means now; settled, SETTLED_SLOWDOWN times later."""
        if not self.rounds:
            return float("-inf")
        interval = max(floor, min(s.interval for s in self.subscribers))
        return self.round_started + interval * (SETTLED_SLOWDOWN if self.settled else 1)

    def publish(self, listed: list[dict] | None, error: Exception | None, started: float) -> None:
        """Record a round (called with the registry's Condition held); tell the subscribers what changed."""
        changed: set[str] | None = set()
        if listed is not None:
            snapshot = {summary["managedDeviceId"]: summary for summary in listed}
            changed = {device for device in snapshot.keys() | self.snapshot.keys()
                       if snapshot.get(device, {}).get("state") != self.snapshot.get(device, {}).get("state")}
            self.snapshot = snapshot
        self.settled = error is None and settled(self.snapshot)
        if type(error) is not type(self.error) or (error is not None and str(error) != str(self.error)):
            changed = None  # a listing error appeared, changed or went away: every subscriber hears it
        self.error = error
        self.rounds += 1
        self.round_started = started
        for subscriber in self.subscribers:
            subscriber.heard(self, changed)


class Subscription:
    """One waiter's view over the listings of its tasks, optionally limited to some devices. A context manager.

    Call `close()` (or leave the `with` block) when done: that is what lets the listings stop.
    """

    def __init__(self, registry: Listings, devices: frozenset[str] | None, interval: float) -> None:
        self.registry = registry
        self.devices = devices
        self.interval = interval
        self.listings: dict[str, TaskListing] = {}
        self._news = False
        self._unheard: set[str] = set()
        self._interrupted = False

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def heard(self, listing: TaskListing, changed: set[str] | None) -> None:
        """A round of `listing` ended (registry's Condition held); `changed` devices, None for an error change."""
        self._unheard.discard(listing.task_id)
        if changed is None or (changed and (self.devices is None or not self.devices.isdisjoint(changed))):
            self._news = True

    def view(self) -> dict[tuple[str, str], dict]:
        """{(task_id, device_id): execution summary} as last listed, for this subscription's devices."""
        with self.registry.changed:
            return {
                (task, device): dict(summary)
                for task, listing in self.listings.items()
                for device, summary in listing.snapshot.items()
                if self.devices is None or device in self.devices
            }

    def pacing(self) -> PaceNote | None:
        """The pace of this subscription's calls (the most throttled one, if its listings use several)."""
        paces = {id(pace): pace for listing in self.listings.values()
                 if isinstance(pace := getattr(listing.lister, "pace", None), Pace)}
        notes = [pace.note() for pace in paces.values()]
        return max(notes, key=lambda note: note.throttled) if notes else None

    def errors(self) -> dict[str, Exception]:
        """{task_id: error} for tasks whose last listing failed (NotFound, access, throttling after retries ...)."""
        with self.registry.changed:
            return {task: listing.error for task, listing in self.listings.items() if listing.error is not None}

    def sleep(self, seconds: float) -> None:
        """Wait up to `seconds`, returning early on news: a changed state of a watched device, or a listing error
        that appeared or went away.

        With news, it returns once every listing watched has had a round, or after the registry's floor interval,
        whichever comes first: a gate over many tasks judges the fleet about once per round, not once per task,
        and still hears a change within the floor. The delay also becomes this subscription's wish for how often
        its tasks are listed.
        """
        changed = self.registry.changed
        clock = self.registry.clock
        with changed:
            self.interval = max(seconds, 0.0)
            self._news, self._unheard = False, set(self.listings)
            self.registry._reschedule()  # a shorter wish may bring the next round forward
            started = clock()
            until = started + seconds
            while not self._interrupted and (now := clock()) < until:
                if self._news and (not self._unheard or now - started >= self.registry.min_interval):
                    return
                changed.wait(min(until, started + self.registry.min_interval) - now if self._news else until - now)

    def interrupt(self) -> None:
        """End the current sleep and every later one at once (the wait was canceled)."""
        with self.registry.changed:
            self._interrupted = True
            self.registry.changed.notify_all()

    def close(self) -> None:
        """Stop watching; a listing with no subscriber left leaves the registry."""
        with self.registry.changed:
            for listing in self.listings.values():
                listing.subscribers.discard(self)
                if not listing.subscribers:
                    self.registry._retire(listing)
            self.listings = {}
            self.registry._reschedule()


class Listings:
    """The process's task listings, keyed by (source, task_id), the workers that read them, and one Condition.

    One Condition for everything keeps a FleetGate over many tasks simple (it waits on one thing) and costs little:
    a wake-up only checks two flags of each subscriber.
    """

    def __init__(self, *, min_interval: float = 1.0, workers: int = LIST_WORKERS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        # The floor guards the service when a waiter asks for tiny delays (a cap just before a heartbeat).
        self.min_interval = min_interval
        self.workers = workers
        self.clock = clock
        lock = threading.RLock()
        self.changed = threading.Condition(lock)
        # The workers wait on their own Condition, over the same lock: a round's end wakes the waiters, not them.
        self._schedule = threading.Condition(lock)
        self._ready: collections.deque[TaskListing] = collections.deque()
        self._listings: dict[tuple, TaskListing] = {}
        self._threads: set[threading.Thread] = set()

    def subscribe(
        self,
        source: Hashable,
        task_ids: Iterable[str],
        lister: Lister,
        *,
        devices: Iterable[str] | None = None,
        interval: float = 2.0,
    ) -> Subscription:
        """Start (or join) the listings of `task_ids`; return a Subscription once each has listed at least once."""
        subscription = Subscription(self, None if devices is None else frozenset(devices), interval)
        with self.changed:
            for task_id in dict.fromkeys(task_ids):
                key = (source, task_id)
                listing = self._listings.get(key)
                if listing is None:
                    listing = self._listings[key] = TaskListing(key, task_id, lister)
                listing.subscribers.add(subscription)
                subscription.listings[task_id] = listing
            self._start_workers()
            self._reschedule()
            while any(listing.rounds == 0 for listing in subscription.listings.values()):
                self.changed.wait()
        return subscription

    def active(self) -> int:
        """How many tasks are being listed (for tests and diagnostics)."""
        with self.changed:
            return len(self._listings)

    def threads(self) -> int:
        """How many worker threads are running (never more than `workers`)."""
        with self.changed:
            return len(self._threads)

    def _start_workers(self) -> None:
        # Called with the lock held.
        while len(self._threads) < min(self.workers, len(self._listings)):
            thread = threading.Thread(target=self._work, name=f"snowdm-listing-{len(self._threads)}", daemon=True)
            self._threads.add(thread)
            thread.start()

    def _work(self) -> None:
        with self.changed:
            while (listing := self._next_due()) is not None:
                listing.reading = True
                self.changed.release()
                try:
                    started = self.clock()
                    try:
                        listed, error = listing.lister(listing.task_id), None
                    except Exception as failure:  # published to the subscribers, who decide what it means
                        listed, error = None, failure
                finally:
                    self.changed.acquire()
                listing.reading = False
                listing.publish(listed, error, started)
                self.changed.notify_all()
            self._threads.discard(threading.current_thread())

    def _next_due(self) -> TaskListing | None:
        """Block (lock held) until a listing is due and return it; None once nothing is left to list.

        Due listings are queued most overdue first, so one scan of the registry serves a whole round.
        """
        while self._listings:
            listing = self._pop_ready()
            if listing is not None:
                return listing
            wait = self._queue_due()
            if not self._ready:
                self._schedule.wait(wait)
        return None

    def _pop_ready(self) -> TaskListing | None:
        while self._ready:
            listing = self._ready.popleft()
            if not listing.reading and self._listings.get(listing.key) is listing:
                return listing
        return None

    def _queue_due(self) -> float | None:
        """Queue every due listing, unsettled ones first, then most overdue first; return the seconds until the next
        one is due (None: never)."""
        now = self.clock()
        idle = [(listing.due_at(self.min_interval), n, listing)
                for n, listing in enumerate(self._listings.values()) if not listing.reading]
        due = sorted((item for item in idle if item[0] <= now), key=lambda item: (item[2].settled, *item[:2]))
        self._ready.extend(listing for _, _, listing in due)
        return min(item[0] for item in idle) - now if idle else None

    def _reschedule(self) -> None:
        """Wake the workers (lock held): a listing was added, or a subscriber asked for earlier rounds."""
        self._ready.clear()
        self._schedule.notify_all()

    def _retire(self, listing: TaskListing) -> None:
        # Called with the Condition held; a newer listing may already own the key.
        if self._listings.get(listing.key) is listing:
            del self._listings[listing.key]


LISTINGS = Listings()
