"""A full Jobindsats refresh of every kommune for the real indicators, against the local replay server.

The figure is observations per second end to end: HTTP through the one seam, JSON decoding,
normalising, settling provisional flags and precedence, and `Store.load` in one transaction. The
baseline is a plain sqlite3 `executemany` of the same rows into a fresh file, in the same run.
The replay server caches its answers, and a warm-up run fills that cache; it runs in a process of
its own, as Jobindsats is another machine, so its work is not timed. (Until December 2026 it ran
in a thread of this process and competed with the refresh for the interpreter lock;
`FAKTABOT_BENCH_REPLAY=thread` measures that way.) The second figure refreshes a store that already
holds every value (a copy of one refreshed twice, so even the provisional flags are settled):
nothing reaches a write.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from benchmarks.measure import Result, best_of, executemany_seconds
from indicators.catalogue import default_areas, default_catalogue
from indicators.connectors import RetryPolicy, wanted_from
from indicators.refresh import refresh_source
from indicators.store import Store
from tests.replay import ReplayProcess, ReplayServer, jobindsats_connector

NOW = "2026-08-10T06:00:00+00:00"


def run(quick: bool = False) -> list[Result]:
    repeat = 1 if quick else 5
    catalogue, areas = default_catalogue(), default_areas()
    wanted = wanted_from(catalogue, "jobindsats")
    workdir = Path(tempfile.mkdtemp(prefix="faktabot-bench-refresh-"))
    counter = iter(range(1_000_000))

    def fresh_path() -> Path:
        return workdir / f"{next(counter)}.db"

    replay = ReplayServer if os.environ.get("FAKTABOT_BENCH_REPLAY") == "thread" else ReplayProcess
    with replay() as server:
        def connector():
            return jobindsats_connector(server, policy=RetryPolicy(attempts=1))

        def setup():
            return Store(fresh_path(), create=True), connector()

        def refresh(state) -> None:
            store, http_connector = state
            result = refresh_source(store, http_connector, wanted, catalogue=catalogue, areas=areas, now=NOW,
                                    full=True)
            assert result.ok, result.error
            http_connector.http.close()
            store.close()

        warm_store, warm_connector = setup()
        refresh((warm_store, warm_connector))
        # A second run confirms the provisional values: from then on a refresh changes nothing.
        refresh((Store(warm_store.path), connector()))
        with Store(warm_store.path) as store:
            rows = [(o.indicator, o.area, o.period, o.breakdown, o.value, o.unit, o.source, int(o.provisional),
                     o.fetched_at) for o in store.iter_observations()]

        def unchanged_setup():
            path = fresh_path()
            shutil.copyfile(warm_store.path, path)
            return Store(path), connector()

        def unchanged(state) -> None:
            store = state[0]
            revisions = store.revision_count()
            refresh(state)
            with Store(store.path) as after:
                assert after.revision_count() == revisions, "a no-change refresh wrote revisions"

        refresh_seconds = best_of(repeat, setup, refresh)
        unchanged_seconds = best_of(repeat, unchanged_setup, unchanged)

    plain_seconds = executemany_seconds(rows, fresh_path, repeat=repeat)
    shutil.rmtree(workdir, ignore_errors=True)
    n = len(rows)
    return [
        Result(f"full Jobindsats refresh, {n:,} obs. (obs/s)", n / refresh_seconds, n / plain_seconds, "obs/s",
               aim="≥ 0.6 of executemany"),
        Result(f"no-change Jobindsats refresh, {n:,} obs. (obs/s)", n / unchanged_seconds, n / plain_seconds,
               "obs/s", aim="≥ 0.9 of executemany"),
    ]
