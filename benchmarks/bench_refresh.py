"""A full Jobindsats refresh of every kommune for the real indicators, against the local replay server.

The figure is observations per second end to end: HTTP through the one seam, JSON decoding,
normalising, settling provisional flags and precedence, and `Store.load` in one transaction. The
baseline is a plain sqlite3 `executemany` of the same rows into a fresh file, in the same run.
The replay server caches its answers, and a warm-up run fills that cache, so the server's own
work is not timed.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks.measure import Result, best_of, executemany_seconds
from indicators.catalogue import default_areas, default_catalogue
from indicators.connectors import RetryPolicy, wanted_from
from indicators.refresh import refresh_source
from indicators.store import Store
from tests.replay import ReplayServer, jobindsats_connector

NOW = "2026-08-10T06:00:00+00:00"


def run() -> list[Result]:
    catalogue, areas = default_catalogue(), default_areas()
    wanted = wanted_from(catalogue, "jobindsats")
    workdir = Path(tempfile.mkdtemp(prefix="faktabot-bench-refresh-"))
    counter = iter(range(1_000_000))

    def fresh_path() -> Path:
        return workdir / f"{next(counter)}.db"

    with ReplayServer() as server:
        def setup():
            return Store(fresh_path(), create=True), jobindsats_connector(server, policy=RetryPolicy(attempts=1))

        def refresh(state) -> None:
            store, connector = state
            result = refresh_source(store, connector, wanted, catalogue=catalogue, areas=areas, now=NOW, full=True)
            assert result.ok, result.error
            connector.http.close()
            store.close()

        warm_store, warm_connector = setup()
        refresh((warm_store, warm_connector))
        with Store(warm_store.path) as store:
            rows = [(o.indicator, o.area, o.period, o.breakdown, o.value, o.unit, o.source, int(o.provisional),
                     o.fetched_at) for o in store.iter_observations()]
        refresh_seconds = best_of(3, setup, refresh)

    plain_seconds = executemany_seconds(rows, fresh_path)
    n = len(rows)
    return [Result(f"full Jobindsats refresh, {n:,} obs. (obs/s)", n / refresh_seconds, n / plain_seconds, "obs/s",
                   aim="≥ 0.5 of executemany")]
