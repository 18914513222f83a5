"""One thread at a time does a piece of work for a key; the others asking for the same key
meanwhile wait until it is done, then look for its result (`ChartCache` draws a chart once for
twenty people asking at once; `SharedCharts` uploads it into a channel once). Pure threading."""
from __future__ import annotations

import threading
from collections.abc import Hashable, Iterator
from contextlib import contextmanager


class Flights:
    """The keys whose work is under way, each with the event its waiters wait on."""

    def __init__(self) -> None:
        self._pending: dict[Hashable, threading.Event] = {}
        self._lock = threading.Lock()

    @contextmanager
    def one_at_a_time(self, key: Hashable, wait: float) -> Iterator[None]:
        """The first thread in for `key` enters at once; the others enter when it leaves the block,
        done or failed (or after `wait` seconds), and find its result where it keeps it. A work that
        failed leaves none: each of them does the work itself, as the first did."""
        with self._lock:
            pending = self._pending.get(key)
            first = pending is None
            if first:
                pending = self._pending[key] = threading.Event()
        if not first:
            pending.wait(timeout=wait)
            yield
            return
        try:
            yield
        finally:
            with self._lock:
                del self._pending[key]
            pending.set()
