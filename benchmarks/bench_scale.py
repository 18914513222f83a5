"""The scale check: a store far beyond one kommune's, with the same reads, rules and refresh.

A synthetic store of about 5 M observations (every series of the sample for all areas, ten years
of periods, and extra breakdowns up to the size) is built once per run in a temp dir, straight into
the store's schema with `executemany`. On it, in the same run:

- asking (value, comparison, ranking and change questions through `bot.asking.conversation.reply`)
  beside the raw SQLite lookup of a series' newest value;
- evaluating 6 target kinds for all 98 kommuner (as bench_rules) beside the plain SQL loop;
- a full Jobindsats refresh into the big store beside `executemany` of the same rows, then the next
  day's (the same answers: it confirms the newest values, and the derived values follow), the
  refresh of a store that already holds the months, as a monthly service mostly runs it.

`--quick` runs it on the 1× store (the sample data alone) with fewer repetitions, and leaves out the
refresh: into the 1× store it is bench_refresh's figure again.
"""
from __future__ import annotations

import sqlite3
import tempfile
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

from benchmarks.bench_rules import baseline, targets_for
from benchmarks.measure import Result, executemany_seconds, percentile, sample_store
from bot.alerting.context import observations_for
from bot.asking.conversation import reply
from bot.config import Config, indicator_facts
from indicators.catalogue import default_areas, default_catalogue
from indicators.connectors import RetryPolicy, wanted_from
from indicators.refresh import refresh_source
from indicators.store import Store
from rules.engine import evaluate
from rules.targets import parse_targets
from tests.replay import ReplayProcess, jobindsats_connector

REPO = Path(__file__).resolve().parents[1]
PHRASINGS = REPO / "tests" / "data" / "phrasings.txt"
TARGET_ROWS = 5_000_000
TODAY = date(2026, 11, 25)
NOW = datetime(2026, 9, 1, tzinfo=UTC)
REFRESHED_AT = "2026-11-25T06:00:00+00:00"
NEXT_DAY = "2026-11-26T06:00:00+00:00"
BUILT_AT = "2026-10-01T06:00:00+00:00"
# Beside the phrasings table (values, periods, breakdowns): rankings, comparisons and changes.
QUESTIONS = ["hvilke kommuner har den laveste ledighed", "top 5 kommuner med flest ledige",
             "hvor ligger Ballerup blandt kommunerne", "ledighedsprocent Ballerup sammenlignet med landet",
             "ledige i Aarhus sammenlignet med Odense", "udvikling i ledigheden", "ledige ændring det seneste år",
             "top 10 kommuner ledighedsprocent 2025"]


def _questions() -> list[str]:
    lines = PHRASINGS.read_text(encoding="utf-8").splitlines()
    return [line.split("|")[0].strip() for line in lines if line.strip() and not line.startswith("#")] + QUESTIONS


def _periods(kind: str) -> list[str]:
    years = range(2016, 2026)
    if kind == "month":
        return [f"{y}-{m:02d}" for y in years for m in range(1, 13)]
    if kind == "quarter":
        return [f"{y}-Q{q}" for y in years for q in range(1, 5)]
    return [str(y) for y in years]


def _synthetic_rows(conn: sqlite3.Connection, areas: list[str], target: int) -> Iterator[tuple]:
    """Every stored series for every area over ten years, then copies under extra breakdowns
    (`syntetisk=N`) until about `target` rows; values near the series' own, inside its range."""
    series = conn.execute(
        "SELECT indicator, breakdown, unit, source, CASE WHEN length(period) = 4 THEN 'year' "
        "WHEN substr(period, 6, 1) = 'Q' THEN 'quarter' ELSE 'month' END AS kind, avg(value), max(value) "
        "FROM observations WHERE value IS NOT NULL GROUP BY indicator, breakdown, kind").fetchall()
    per_copy = sum(len(areas) * len(_periods(kind)) for *_, kind, _, _ in series)
    copies = max(1, round(target / per_copy))
    for copy in range(copies):
        for indicator, breakdown, unit, source, kind, mean, high in series:
            variant = breakdown if copy == 0 else ";".join(filter(None, [breakdown, f"syntetisk={copy}"]))
            for area in areas:
                spread = 0.8 + (zlib.crc32(f"{indicator}{area}{variant}".encode()) % 40) / 100
                for index, period in enumerate(_periods(kind)):
                    value = min(high, round(mean * spread * (1 + (index % 12) / 100), 2))
                    yield (indicator, area, period, variant, value, unit, source, 0, BUILT_AT)


def build_store(path: Path, target: int) -> int:
    """The sample store, grown to about `target` rows when target is above its size; its row count."""
    sample_store(path)
    if target <= 0:
        with Store(path) as store:
            return store.count()
    areas = [a.code for a in default_areas()]
    conn = sqlite3.connect(path)
    # A scratch build: no journal, no syncs, a big page cache for the index; WAL again afterwards.
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")
    with conn:  # the rows come in series order, the table's own: each insert appends to its B-tree
        conn.executemany("INSERT OR IGNORE INTO observations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         _synthetic_rows(conn, areas, target))
    count = conn.execute("SELECT count(*) FROM observations").fetchone()[0]
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    return count


def run(quick: bool = False) -> list[Result]:
    rounds = 2 if quick else 5
    workdir = Path(tempfile.mkdtemp(prefix="faktabot-bench-scale-"))
    path = workdir / "store.db"
    started = time.perf_counter()
    rows = build_store(path, 0 if quick else TARGET_ROWS)
    built = time.perf_counter() - started
    scale = "1× (quick)" if quick else f"{rows / 1e6:.1f} M obs."

    questions, config = _questions(), Config()
    answered, lookups = [], []
    with Store(path) as store:
        for question in questions:  # warm caches (vocabulary, templates, catalogue)
            reply(question, store, config, TODAY)
        for _ in range(rounds):
            for question in questions:
                store.forget()  # a first answer each time, as in bench_ask: no kept reads or answers
                started = time.perf_counter()
                result = reply(question, store, config, TODAY)
                answered.append(time.perf_counter() - started)
                obs = getattr(result.result, "observation", None)
                if obs is not None:
                    lookups.append((obs.indicator, obs.area, obs.breakdown))
    conn = sqlite3.connect(path)
    raw = []
    for key in lookups:
        started = time.perf_counter()
        conn.execute("SELECT period, value FROM observations WHERE indicator = ? AND area = ? AND breakdown = ? "
                     "ORDER BY period DESC LIMIT 1", key).fetchone()
        raw.append(time.perf_counter() - started)
    conn.close()

    kommuner = [a.code for a in default_areas().kommuner()]
    facts, names = indicator_facts(default_catalogue()), {a.code: a.name for a in default_areas()}
    targets = parse_targets(targets_for(kommuner), facts, names)
    engine, plain = [], []
    with Store(path) as store:
        for _ in range(rounds):
            started = time.perf_counter()
            evaluate(targets, observations_for(store, targets), {}, NOW)
            engine.append(time.perf_counter() - started)
    for _ in range(rounds):
        started = time.perf_counter()
        baseline(path, kommuner)
        plain.append(time.perf_counter() - started)

    if not quick:
        refreshed, refresh_seconds, next_seconds = _refresh_into(path)
        plain_refresh = executemany_seconds(refreshed, lambda: workdir / f"plain-{time.perf_counter_ns()}.db")
    for leftover in workdir.iterdir():
        leftover.unlink()
    workdir.rmdir()
    ms = 1000
    results = [
        Result(f"scale {scale}: ask p99, {len(questions)} questions (ms; store built in {built:.0f} s)",
               percentile(answered, 0.99) * ms, percentile(raw, 0.99) * ms, "ms", aim="≤ 2 ms",
               higher_is_better=False),
        Result(f"scale {scale}: {len(targets)} targets (6 kinds × {len(kommuner)} kommuner) (ms)",
               min(engine) * ms, min(plain) * ms, "ms", aim="≤ 500 ms", higher_is_better=False),
    ]
    if not quick:
        n = len(refreshed)
        results.append(Result(f"scale {scale}: full Jobindsats refresh, {n:,} obs. (obs/s)", n / refresh_seconds,
                              n / plain_refresh, "obs/s", aim="ratio as bench_refresh's (≥ 0.6)"))
        results.append(Result(f"scale {scale}: the next day's Jobindsats refresh, {n:,} obs. (obs/s)",
                              n / next_seconds, n / plain_refresh, "obs/s", aim="ratio as bench_refresh's (≥ 0.6)"))
    return results


def _refresh_into(path: Path) -> tuple[list[tuple], float, float]:
    """A full Jobindsats refresh into the big store, once, and the next day's: the rows it brings
    and the seconds of each."""
    catalogue, areas = default_catalogue(), default_areas()
    wanted = wanted_from(catalogue, "jobindsats")
    # The replay server runs in a process of its own, as in bench_refresh (whose ratio this one's aim
    # is): Jobindsats is another machine, and its work is not the refresh's. (Until December 2026 it
    # ran in a thread of this process, competing with the refresh for the interpreter lock.)
    with ReplayProcess() as server:
        # The warm-up fills the replay cache and gives the rows the refresh stores, for the baseline.
        fresh = path.with_name("fresh.db")
        with Store(fresh, create=True) as store:
            connector = jobindsats_connector(server, policy=RetryPolicy(attempts=1))
            refresh_source(store, connector, wanted, catalogue=catalogue, areas=areas, now=REFRESHED_AT, full=True)
            connector.http.close()
            rows = [(o.indicator, o.area, o.period, o.breakdown, o.value, o.unit, o.source, int(o.provisional),
                     o.fetched_at) for o in store.iter_observations()]
        timed = []
        for now in (REFRESHED_AT, NEXT_DAY):
            connector = jobindsats_connector(server, policy=RetryPolicy(attempts=1))
            with Store(path) as store:
                started = time.perf_counter()
                result = refresh_source(store, connector, wanted, catalogue=catalogue, areas=areas, now=now,
                                        full=True)
                timed.append(time.perf_counter() - started)
                assert result.ok, result.error
                connector.http.close()
    return rows, timed[0], timed[1]
