"""The refresh: connectors -> observations -> one store transaction per table of a source run (I/O).

A run fetches everything first and writes last, each table (a Jobindsats or StatBank table, or a
file) all or nothing in its own transaction with its `refresh_tables` row. A table that fails (HTTP
error, timeout, cut-off or malformed answer, a label the catalogue does not know, a row
`indicators.validation` refuses, an answer with no rows for a table that has given rows before)
keeps exactly what the store had for it and is recorded with its
error, secrets scrubbed; the other tables land, and the failed one is asked again next run. The run
is `ok` only when every table landed; otherwise it is `failed`, with the failed tables' errors.
A failure that concerns the whole source (a refused token, HTTP 401; a server that cannot be
connected to) or the run's deadline stores nothing at all.
Changed values become revisions (`Store.load`). The newest period of each series is provisional
until a later refresh reads the same value again. A row with no figure never replaces a figure.
"""
from __future__ import annotations

import gc
import hashlib
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from itertools import chain, groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

from indicators import derived, examples, periods, validation
from indicators.catalogue import Areas, Catalogue
from indicators.connectors import Connector, Wanted, http
from indicators.connectors import files as file_import
from indicators.connectors.http import EmptyAnswer, SourceError
from indicators.store import Store, StoreError
from indicators.totals import TotalSaid, with_totals
from indicators.types import SAMPLE_SOURCE, Observation, observations_of_rows, rows_of
from indicators.wording import wording

# How long one source run may take in all, fetching included; a parameter of refresh_source.
RUN_DEADLINE = 900.0

# The page cache (MiB) while a run writes its tables: a full Jobindsats refresh's rows are about 9 MiB.
WRITE_CACHE_MIB = 64

# How old the last successful run of a source may be before `faktabot status` calls it stale.
# Jobindsats and StatBank publish monthly; the municipality's own files come quarterly.
STALE_AFTER = {"jobindsats": timedelta(days=35), "statbank": timedelta(days=35), "file": timedelta(days=100)}

# done, total, what is being fetched
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class TableOutcome:
    table: str  # "y25i01", "AUS08"
    ok: bool
    rows: int = 0
    error: str | None = None
    permanent: bool = True


@dataclass(frozen=True)
class RunResult:
    source: str  # "jobindsats", "statbank", "file:samtaler.csv"
    ok: bool
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    revisions: int = 0
    replaced_sample: int = 0
    newest: str | None = None
    series: int = 0
    areas: int = 0
    seconds: float = 0.0
    error: str | None = None
    permanent: bool = True
    skipped: dict[str, int] = field(default_factory=dict)
    derived: int = 0  # derived values written or changed after the run (indicators.derived)
    kept_values: int = 0  # rows with no figure where the store holds one: the stored figure was kept
    tables: tuple[TableOutcome, ...] = ()  # per table of a source run, in the order asked
    totals: tuple[TotalSaid, ...] = ()  # a file's missing totals: computed, or eksempeldata removed

    @property
    def failed_tables(self) -> list[TableOutcome]:
        return [t for t in self.tables if not t.ok]

    @property
    def landed(self) -> bool:
        """Some table of the run was stored (all of them when `ok`)."""
        return self.ok or any(t.ok for t in self.tables)


def ranks(catalogue: Catalogue) -> dict[tuple[str, str], int]:
    """(indicator, source string) -> place in the indicator's preference order (0 = first)."""
    found: dict[tuple[str, str], int] = {}
    for indicator in catalogue:
        for rank, source in enumerate(indicator.sources):
            name = {"jobindsats": f"jobindsats:{source.table.lower()}",
                    "statbank": f"statbank:{source.table}"}.get(source.kind)
            if name:
                found.setdefault((indicator.id, name), rank)
    return found


# A row is an observation in the store's column order (`types.rows_of`): indicator, area, period,
# breakdown, value, unit, source, provisional (an int), fetched_at. A refresh carries rows from
# normalising to the store: an Observation built per value, and a tuple made of each again for the
# write, cost about a tenth of a full refresh in its profile (and a sixth of its function calls).
_KEY_OF = itemgetter(0, 1, 2, 3)
_PERIOD_OF = itemgetter(2)
_SERIES_OF = itemgetter(0, 1, 3)  # (indicator, area, breakdown)
_TERM_OF = itemgetter(0, 3)  # (indicator, breakdown)
_AREA_OF = itemgetter(1)
_PERIOD_OF_KEY = itemgetter(2)
_SOURCE_OF = itemgetter(6)
_VALUE_OF = itemgetter(4)
_PROVISIONAL_OF = itemgetter(7)


def settle(observations: Iterable[Observation], held: dict, rank: dict[tuple[str, str], int],
           *, mark_provisional: bool) -> tuple[list[Observation], int]:
    """`settle_rows` of observations: the observations stored and how many were set aside (pure)."""
    kept, set_aside = settle_rows(rows_of(observations), held, rank, mark_provisional=mark_provisional)
    return observations_of_rows(kept), set_aside


def settle_rows(rows: Iterable[tuple], held: dict, rank: dict[tuple[str, str], int],
                *, mark_provisional: bool) -> tuple[list[tuple], int]:
    """Decide what of a run is stored; pure. Returns the rows and how many were set aside.
    `held`: key -> (value, unit, source, provisional) of the stored rows (`Store.stored_rows`).

    - Two sources giving the same key in one run: the catalogue's preferred one wins.
    - A key the store holds from a source the catalogue prefers is left alone, so a Jobindsats run
      does not overwrite StatBank's official rate and the next StatBank run does not flip it back.
      Files and eksempeldata have no rank: a file import always writes, eksempeldata always yields.
    - `mark_provisional`: the newest period of each series is provisional unless the store already
      holds that value from the same source (an earlier refresh read it: this one confirms it).
    """
    rows = rows if isinstance(rows, list) else list(rows)
    keys = list(map(_KEY_OF, rows))
    best: dict[tuple[str, str, str, str], tuple] = dict(zip(keys, rows))
    rank_of = rank.get
    if len(best) == len(keys):
        # No key twice in the run (the common case): only the keys the store already holds can be
        # set aside, and they are found by one intersection of the key sets, not a lookup per row.
        set_aside = 0
        for key in held.keys() & best.keys() if held else ():
            row, stored = best[key], held[key]
            if stored[2] != row[6]:
                mine = rank_of((row[0], row[6]))
                theirs = rank_of((row[0], stored[2]))
                if mine is not None and theirs is not None and theirs < mine:
                    set_aside += 1
                    del best[key]
    else:
        best, set_aside = _settle_row_by_row(rows, held, rank_of)
    if not mark_provisional:
        return list(best.values()), set_aside
    # Within one kind the store's spelling sorts as time does (2026-05 < 2026-06; 2026-Q1 < 2026-Q2):
    # each distinct period's kind is found once, then one pass keeps the newest key of each series.
    kind_of = {period: (len(period), "Q" in period) for period in set(map(_PERIOD_OF_KEY, best))}
    newest: dict[tuple, tuple[str, str, str, str]] = {}
    newest_of = newest.get
    for key, source in zip(best, map(_SOURCE_OF, best.values())):
        period = key[2]
        series = (key[0], key[1], key[3], source, kind_of[period])
        found = newest_of(series)
        if found is None or found[2] < period:
            newest[series] = key
    held_of = held.get
    for key in newest.values():
        row = best[key]
        stored = held_of(key)
        confirmed = stored is not None and stored[0] == row[4] and stored[2] == row[6]
        if not confirmed:
            best[key] = (*row[:7], 1, row[8])
    return list(best.values()), set_aside


def _settle_row_by_row(rows: Iterable[tuple], held: dict, rank_of: Callable) \
        -> tuple[dict[tuple[str, str, str, str], tuple], int]:
    """`settle_rows`' choice where a key comes twice in one run: of two sources the preferred one wins."""
    best: dict[tuple[str, str, str, str], tuple] = {}
    set_aside = 0
    held_of = held.get
    # One pass; ranks are looked up only where two sources meet, which few keys do.
    for row in rows:
        key = row[:4]
        other = best.get(key)
        if other is not None:
            mine = rank_of((row[0], row[6]))
            theirs = rank_of((row[0], other[6]))
            set_aside += 1
            if mine is not None and (theirs is None or mine < theirs):
                best[key] = row
            continue
        stored = held_of(key)
        if stored is not None and stored[2] != row[6]:
            mine = rank_of((row[0], row[6]))
            theirs = rank_of((row[0], stored[2]))
            if mine is not None and theirs is not None and theirs < mine:
                set_aside += 1
                continue
        best[key] = row
    return best, set_aside


def _newest_of_kinds(rows: Iterable[tuple]) -> list[str]:
    by_kind: dict[tuple[int, bool], str] = {}
    # The newest of each kind as text first (parsing 100.000 periods is slow), over the distinct periods.
    for period in set(map(_PERIOD_OF, rows)):
        kind = (len(period), "Q" in period)
        if period > by_kind.get(kind, ""):
            by_kind[kind] = period
    return sorted(by_kind.values())


def _newest(rows: Sequence[tuple], more: Iterable[str] = ()) -> str | None:
    found = [*_newest_of_kinds(rows), *more]
    return str(max(periods.parse(p) for p in found)) if found else None


def keep_figures(observations: Iterable[Observation], held: dict) -> tuple[list[Observation], int]:
    """`keep_figures_rows` of observations (pure)."""
    kept, dropped = keep_figures_rows(rows_of(observations), held)
    return observations_of_rows(kept), dropped


def keep_figures_rows(rows: Iterable[tuple], held: dict) -> tuple[list[tuple], int]:
    """Drop rows with no figure where the store holds one (pure): a missing value is "no figure",
    never a NULL over a real one (an empty cell, an XLSX formula Excel never calculated)."""
    rows = rows if isinstance(rows, list) else list(rows)
    if not held or None not in map(_VALUE_OF, rows):
        return list(rows), 0  # nothing stored to keep, or every row has a figure
    kept: list[tuple] = []
    dropped = 0
    for row in rows:
        if row[4] is None:
            stored = held.get(row[:4])
            if stored is not None and stored[0] is not None:
                dropped += 1
                continue
        kept.append(row)
    return kept, dropped


def _write(store: Store, run_id: int, source: str, observations: list[Observation], catalogue: Catalogue,
           now: str, started: float, *, mark_provisional: bool, skipped: dict[str, int],
           row: Callable[[int, Observation], str] | None = None, fix: str = "",
           after_load: Callable[[], None] | None = None, where: str = "",
           clear_sample: frozenset[tuple[str, str, str]] = frozenset()) -> RunResult:
    rows = rows_of(observations)
    # Every row is checked before anything is written: one bad row refuses the whole answer or file.
    validation.check_rows(rows, catalogue, this_year=int(now[:4]), where=where or source, source=source, row=row,
                          fix=fix or wording("refresh_fix_answer"))
    held = store.stored_rows(rows)
    rows, kept_values = keep_figures_rows(rows, held)
    kept, _ = settle_rows(rows, held, ranks(catalogue), mark_provisional=mark_provisional)
    revisions_before = store.revision_count()
    with store.transaction():
        loaded = store.load_rows(kept, now=now, replace_sample=True, stored=held, keep_up=False,
                                 clear_sample=clear_sample)
        store.owe_derived(derived.owed_by(loaded.since, derived.formula_inputs(catalogue)))
        store.finish_run(run_id, status="ok", rows=loaded.rows, inserted=loaded.inserted, updated=loaded.updated)
    if after_load:
        after_load()
    # Derived indicators follow their inputs: recomputed where this run changed one.
    computed = _follow(store, catalogue, loaded.since, now)
    return RunResult(
        source, True, rows=loaded.rows, inserted=loaded.inserted, updated=loaded.updated,
        revisions=store.revision_count() - revisions_before, replaced_sample=loaded.replaced_sample,
        newest=_newest(kept), series=len(set(map(_SERIES_OF, kept))),
        areas=len(set(map(_AREA_OF, kept))), seconds=time.perf_counter() - started, skipped=skipped,
        derived=computed.written,
        kept_values=kept_values,
    )


def _follow(store: Store, catalogue: Catalogue, changed: dict[tuple[str, str], str], now: str) -> derived.DerivedRun:
    """Recompute the derived values whose inputs a run inserted, changed or removed: the formulas fed
    by those indicators, in those areas (a formula combines one area's inputs), from the earliest
    year the run changed there on (`changed`: (indicator, area) -> year, `LoadResult.since`). Values
    a run read again unchanged leave their derived values as they were, so a no-change run computes
    nothing. Work an earlier run left owed (it stopped before its derived step) is done in the same
    pass, and cleared when it commits."""
    changed, owed = derived.with_owed(store, changed)
    pairs = set(changed)
    touched = {i for i, _ in pairs}
    # A formula that has stored nothing yet (new in this release, say) is computed in every area,
    # even by a run that changed none of its inputs; then the formulas this run's changes feed are
    # computed in the same pass (everywhere: one read of the inputs instead of two).
    new = derived.never_stored(store, catalogue)
    if new:
        return derived.refresh_derived(store, catalogue, touched=touched, now=now, outputs=new, settles=owed)
    return derived.refresh_derived(store, catalogue, touched=touched, areas={a for _, a in pairs}, now=now,
                                   since=changed, settles=owed)


def _fail(store: Store, run_id: int, source: str, error: BaseException, started: float,
          permanent: bool = True, secrets: Sequence[str] = ()) -> RunResult:
    """Record a failed run. The stored text has secrets scrubbed and, for a file, no file content."""
    message = http.redact(str(error) or type(error).__name__, secrets)
    stored = http.redact(getattr(error, "stored", None) or message, secrets)
    try:
        store.finish_run(run_id, status="failed", error=stored)
    except StoreError as store_error:  # a full or read-only disk: say both, keep the first cause
        message = f"{message} (and the failed run could not be recorded: {store_error})"
    return RunResult(source, False, error=message, permanent=permanent, seconds=time.perf_counter() - started)


def _past_deadline(source: str, seconds: float) -> SourceError:
    return SourceError(
        wording("refresh_past_deadline", source=source, seconds=f"{seconds:g}"),
        source=source, permanent=False,
    )


# HTTP statuses that concern the whole source, not one table: the run stops and stores nothing
# (so does a server that cannot be connected to at all).
SOURCE_WIDE = {401}


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a run builds its observations: a run allocates hundreds
    of thousands of small objects beside the decoded answers, and CPython's collector walked them
    all again and again (half the time of normalising, measured). Reference counting still frees
    them; the collector runs as usual once the run is over."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _normalised(store: Store, connector: Connector, answer: Any, areas: Areas, now: str) -> list[tuple]:
    """One answer as rows: by the connector's `normalise_rows` where it has one (Jobindsats), else
    its observations as rows. An answer with no row at all fails its table where an earlier
    refresh stored rows of it: recorded as a refresh, it would make the stored figures look current,
    and the source has not withdrawn them. A table that never gave a row gives none, as before
    (coverage and `faktabot sources --check` tell of it)."""
    normalise_rows = getattr(connector, "normalise_rows", None)
    try:
        if normalise_rows is not None:
            return normalise_rows(answer, areas, now)
        return rows_of(connector.normalise(answer, areas, now))
    except EmptyAnswer as empty:
        if store.table_has_landed(connector.name, empty.table):
            raise
        return []


def _table_of(query) -> str:
    return str(getattr(query, "table", "") or getattr(query, "label", ""))


# -- fingerprints: a table whose answer is the same as when its stored rows last settled ---------

# The data-in code: a change to any of it (normalising, settling, validation) changes every fingerprint.
_CODE = Path(__file__).parent
_code_digest: bytes | None = None


def _plain(value):
    """orjson's fallback for what it does not know: sets in a stable order, plain objects as dicts."""
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if hasattr(value, "items"):
        return dict(value)
    if hasattr(value, "__dict__"):
        return vars(value)
    raise TypeError(type(value).__name__)


def _as_bytes(value) -> bytes | None:
    import orjson  # loaded with the first answer, as the HTTP seam does

    try:
        return orjson.dumps(value, default=_plain, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:
        return None  # something without a stable spelling: that table is never skipped


def run_digest(source: str, catalogue: Catalogue, areas: Areas, now: str) -> bytes | None:
    """What shapes every table's normalised and settled rows besides its answer: the data-in code,
    the catalogue (labels, units, ranges, preference order), the areas and the year that
    plausibility is checked against."""
    global _code_digest
    if _code_digest is None:
        code = hashlib.blake2b(digest_size=20)
        for path in sorted(_CODE.rglob("*.py")) + sorted(_CODE.rglob("*.toml")):
            code.update(path.relative_to(_CODE).as_posix().encode() + b"\0" + path.read_bytes())
        _code_digest = code.digest()
    shape = _as_bytes([source, now[:4], catalogue, areas])
    return None if shape is None else hashlib.blake2b(_code_digest + shape, digest_size=20).digest()


@dataclass
class _Table:
    """One table's answers while a run fetches them: their fingerprint so far, and the answers
    held back (not normalised) while the table may turn out unchanged."""

    digest: Any  # a hashlib.blake2b, or None once an answer has no stable spelling
    kept: tuple[str, dict] | None  # the stored fingerprint and summary, if any
    waiting: list = field(default_factory=list)

    def add(self, answer) -> None:
        if self.digest is None:
            return
        # An answer that knows the digest of its bytes as sent (Jobindsats) is spelled by it and
        # its question: spelling every decoded body out again cost a fortieth of a full refresh.
        spelling = getattr(answer, "spelling", None)
        shown = spelling() if spelling is not None else None
        spelled = _as_bytes(answer if shown is None else shown[0])
        if spelled is not None and shown is not None:
            spelled += shown[1]
        if spelled is None:
            self.digest = None
        else:
            self.digest.update(spelled)

    @property
    def fingerprint(self) -> str | None:
        return None if self.digest is None else self.digest.hexdigest()

    @property
    def unchanged(self) -> bool:
        return self.kept is not None and self.fingerprint == self.kept[0]


def _summary(observations: Sequence[tuple], kept_values: int) -> dict:
    """What a run reports of a table's rows, kept with its fingerprint for the runs that skip it."""
    return {"rows": len(observations), "kept_values": kept_values, "newest": _newest_of_kinds(observations),
            "series": sorted(set(map(_SERIES_OF, observations)))}


def refresh_source(store: Store, connector: Connector, wanted: Sequence[Wanted], *, catalogue: Catalogue,
                   areas: Areas, now: str, full: bool = False, on_progress: Progress | None = None,
                   deadline: float | None = RUN_DEADLINE, secrets: Sequence[str] = (),
                   after_load: Callable[[], None] | None = None) -> RunResult:
    """Fetch every query of one source, then store each table all or nothing in its own transaction.

    A table whose fetch, answer or rows fail is recorded as failed and keeps what the store had;
    the others land. A refused token or the run's deadline fails the whole run, storing nothing.
    `deadline`: seconds the whole run may take; every request sent ends by then, too.
    `secrets`: values (tokens) to scrub from the errors the run records, besides what looks like one.
    `after_load`: called once the loads have committed, before the derived step (tests stop a run there).
    """
    started = time.perf_counter()
    run_id = store.start_run(connector.name, started_at=now)
    progress = on_progress or (lambda done, total, label: None)
    with collector_paused():
        return _run(store, connector, wanted, run_id, catalogue=catalogue, areas=areas, now=now, full=full,
                    progress=progress, deadline=deadline, secrets=secrets, started=started, after_load=after_load)


def _run(store: Store, connector: Connector, wanted: Sequence[Wanted], run_id: int, *, catalogue: Catalogue,
         areas: Areas, now: str, full: bool, progress: Progress, deadline: float | None, secrets: Sequence[str],
         started: float, after_load: Callable[[], None] | None = None) -> RunResult:
    try:
        fetched: dict[str, list[tuple]] = {}  # rows in the store's column order
        failures: dict[str, SourceError] = {}
        digest = run_digest(connector.name, catalogue, areas, now)
        tables: dict[str, _Table] = {}
        with http.deadline(deadline):
            queries = connector.plan(wanted, store.newest_period, full=full)
            last = {_table_of(q): i for i, q in enumerate(queries)}
            for done, query in enumerate(queries):
                if http.run_deadline_passed():
                    raise _past_deadline(connector.name, deadline)
                table = _table_of(query)
                if table in failures:
                    continue  # one failure is enough: the table is asked again next run
                progress(done, len(queries), query.label)
                if table not in tables:
                    tables[table] = _Table(None if digest is None else hashlib.blake2b(digest, digest_size=20),
                                           store.fingerprint(connector.name, table))
                state = tables[table]
                try:
                    answer = connector.fetch(query)
                    state.add(answer)
                    if state.kept is None:  # nothing to compare with: normalised at once, as it comes
                        fetched.setdefault(table, []).extend(_normalised(store, connector, answer, areas, now))
                        continue
                    # The table may be unchanged: its answers wait for the last one, and are
                    # normalised only if the whole table's fingerprint differs from the stored one.
                    state.waiting.append(answer)
                    if done == last[table]:
                        waiting, state.waiting = state.waiting, []
                        if not state.unchanged:
                            for held_back in waiting:
                                fetched.setdefault(table, []).extend(
                                    _normalised(store, connector, held_back, areas, now))
                except SourceError as error:
                    if (error.status in SOURCE_WIDE or getattr(error, "unreachable", False)
                            or http.run_deadline_passed()):
                        raise
                    failures[table] = error
                    fetched.pop(table, None)
            if http.run_deadline_passed():
                raise _past_deadline(connector.name, deadline)
        progress(len(queries), len(queries), "gemmer")
        order = list(dict.fromkeys(_table_of(q) for q in queries))
        unchanged = {table: state.kept[1] for table, state in tables.items()
                     if table not in failures and state.unchanged}
        prints = {table: state.fingerprint for table, state in tables.items()}
        return _write_tables(store, run_id, connector.name, order, fetched, failures, catalogue, now, started,
                             secrets=secrets, unchanged=unchanged, prints=prints, after_load=after_load)
    except SourceError as error:
        return _fail(store, run_id, connector.name, error, started, error.permanent, secrets)
    except StoreError as error:
        return _fail(store, run_id, connector.name, error, started, secrets=secrets)
    except BaseException as error:  # a bug or Ctrl-C: record it, then let it surface
        _fail(store, run_id, connector.name, error, started, secrets=secrets)
        raise


def _write_tables(store: Store, run_id: int, source: str, order: list[str], fetched: dict[str, list[tuple]],
                  failures: dict[str, SourceError], catalogue: Catalogue, now: str, started: float, *,
                  secrets: Sequence[str], unchanged: dict[str, dict] | None = None,
                  prints: dict[str, str | None] | None = None, after_load: Callable[[], None] | None = None) -> RunResult:
    """Store each fetched table in its own transaction; record every table's outcome and the run's.

    `unchanged`: tables whose answer has the fingerprint kept with their stored rows (-> its
    summary): recorded as landed without a write. `prints`: each fetched table's fingerprint, kept
    when its load changes nothing (the rows are then what that answer settles to)."""
    unchanged, prints = unchanged or {}, prints or {}
    fix = wording("refresh_fix_table", source=source)
    checked: dict[str, list[tuple]] = {}
    for table, observations in fetched.items():
        try:  # every row is checked before anything is written: one bad row refuses its whole table
            validation.check_rows(observations, catalogue, this_year=int(now[:4]),
                             where=wording("http_where_table", source=source, table=table), source=source,
                             row=lambda index, obs: validation.describe(obs), fix=fix, fetched_in=now[:7])
            checked[table] = observations
        except SourceError as error:
            failures[table] = error
    everything = list(chain.from_iterable(checked.values()))
    # The stored rows of the run's series, read once: settling and every table's load use them.
    held = store.stored_rows(everything)
    kept_of: dict[str, int] = {}
    for table, observations in list(checked.items()):
        checked[table], kept_of[table] = keep_figures_rows(observations, held)
    everything = list(chain.from_iterable(checked.values()))
    kept_values = sum(kept_of.values())
    # Settled together, so that of two tables giving the same key the catalogue's preferred one wins.
    kept, _ = settle_rows(everything, held, ranks(catalogue), mark_provisional=True)
    table_of = {name: table for table, observations in checked.items() for name in set(map(_SOURCE_OF, observations))}
    per_table: dict[str, list[tuple]] = {table: [] for table in checked}
    for name, rows_of_source in groupby(kept, key=_SOURCE_OF):  # runs of one source, as they were fetched
        per_table[table_of[name]].extend(rows_of_source)
    revisions_before = store.revision_count()
    inputs = derived.formula_inputs(catalogue)
    landed: list[tuple] = []
    outcomes: dict[str, TableOutcome] = {}
    rows = inserted = updated = replaced = 0
    changed: dict[tuple[str, str], str] = {}  # (indicator, area) -> the earliest year changed
    # The tables' commits skip their fsync; the run's record below, the first commit after, syncs
    # them all (a refresh of 30 tables spent a tenth of its time waiting for the disk). A page cache
    # the size of a full refresh's rows keeps its out-of-order inserts from spilling pages.
    with store.synced_once(), store.page_cache(WRITE_CACHE_MIB):
        for table, observations in per_table.items():
            try:
                with store.transaction():
                    # The tables' keys are distinct (settled together), so no load needs another's writes.
                    loaded = store.load_rows(observations, now=now, replace_sample=True, stored=held, keep_up=False)
                    store.owe_derived(derived.owed_by(loaded.since, inputs))  # done by _follow, or the next run
                    store.record_table(run_id, source, table, status="ok", rows=loaded.rows, inserted=loaded.inserted,
                                       updated=loaded.updated, finished_at=now)
                    # With no provisional value left, the rows now stored are what this answer settles to:
                    # read again, it would change nothing (a provisional one would be confirmed). The
                    # next run given the same answer may skip the table, until a write to its series.
                    settled = not any(map(_PROVISIONAL_OF, observations))
                    store.keep_fingerprint(
                        source, table, prints.get(table) if settled else None,
                        series=set(map(_TERM_OF, fetched[table])),
                        summary=_summary(observations, kept_of[table]) if settled else None)
            except StoreError as error:
                failures[table] = SourceError(str(error), source=source, table=table)
                continue
            outcomes[table] = TableOutcome(table, True, rows=loaded.rows)
            rows, inserted, updated = rows + loaded.rows, inserted + loaded.inserted, updated + loaded.updated
            replaced += loaded.replaced_sample
            changed.update((pair, min(year, changed.get(pair, year))) for pair, year in loaded.since.items())
            landed.extend(observations)
        skipped_newest: list[str] = []
        skipped_series: set[tuple[str, str, str]] = set()
        try:  # read again, unchanged: recorded as landed, so freshness and status stay right (one commit)
            with store.transaction():
                for table, summary in unchanged.items():
                    store.record_table(run_id, source, table, status="ok", rows=summary["rows"], finished_at=now)
        except StoreError as error:
            failures.update({table: SourceError(str(error), source=source, table=table) for table in unchanged})
            unchanged = {}
        for table, summary in unchanged.items():
            outcomes[table] = TableOutcome(table, True, rows=summary["rows"])
            rows += summary["rows"]
            kept_values += summary["kept_values"]
            skipped_newest += summary["newest"]
            skipped_series |= {tuple(series) for series in summary["series"]}
        for table, error in failures.items():
            message = http.redact(str(error) or type(error).__name__, secrets)
            stored = http.redact(getattr(error, "stored", None) or message, secrets)
            store.record_table(run_id, source, table, status="failed", error=stored, finished_at=now)
            outcomes[table] = TableOutcome(table, False, error=message, permanent=error.permanent)
    tables = tuple(outcomes[t] for t in [*order, *sorted(set(outcomes) - set(order))] if t in outcomes)
    failed = [t for t in tables if not t.ok]
    error = " | ".join(t.error or "" for t in failed) or None
    store.finish_run(run_id, status="failed" if failed else "ok", rows=rows, inserted=inserted, updated=updated,
                     error=http.redact(" | ".join(
                         http.redact(getattr(failures[t.table], "stored", None) or t.error or "", secrets)
                         for t in failed), secrets) if failed else None)
    if after_load:
        after_load()
    # Derived indicators follow their inputs: recomputed from what landed, where it changed one.
    computed = _follow(store, catalogue, changed, now)
    return RunResult(
        source, not failed, rows=rows, inserted=inserted, updated=updated,
        revisions=store.revision_count() - revisions_before, replaced_sample=replaced,
        newest=_newest(landed, skipped_newest),
        series=len(set(map(_SERIES_OF, landed)) | skipped_series),
        areas=len(set(map(_AREA_OF, landed)) | {series[1] for series in skipped_series}),
        seconds=time.perf_counter() - started, derived=computed.written, kept_values=kept_values, error=error,
        permanent=all(t.permanent for t in failed), tables=tables,
    )


def refresh_file(store: Store, path: Path, *, catalogue: Catalogue, areas: Areas,
                 formats: Sequence[file_import.ImportFormat], now: str, default_area: str | None = None,
                 on_progress: Progress | None = None, limits: file_import.Limits | None = None,
                 max_bytes: int | None = None, after_load: Callable[[], None] | None = None) -> RunResult:
    """Import one file in one transaction; its figures are final, so nothing is marked provisional.

    `max_bytes` (default 50 MB) and `limits` bound what the file may hold; one that breaks a limit,
    or holds any row that cannot be stored, is refused whole with the limit or the rows named.
    """
    started = time.perf_counter()
    source = f"file:{Path(path).name}"
    run_id = store.start_run(source, started_at=now)
    progress = on_progress or (lambda done, total, label: None)
    limits = limits or file_import.Limits()
    if max_bytes is not None:
        limits = replace(limits, max_bytes=max_bytes)
    try:
        progress(0, 2, Path(path).name)
        result = file_import.load(Path(path), catalogue, areas, formats, now, default_area, limits=limits)
        progress(1, 2, "gemmer")
        lines = result.lines
        observations = _examples_as_sample(store, Path(path), result, limits)
        # Every part and no »I alt«: the total is their sum, or its eksempeldata goes (indicators.totals).
        held = store.held({o.indicator for o in observations}, {o.area for o in observations}, [""])
        completed = with_totals(observations, catalogue, frozenset(
            (key[0], key[1], "") for key, (_, held_source) in held.items() if held_source == SAMPLE_SOURCE))
        written = _write(store, run_id, source, completed.observations, catalogue, now, started,
                         mark_provisional=False, skipped=result.skipped,
                         row=lambda index, obs: (wording("row_of_file", line=lines[key])
                                                 if (key := file_import.line_key(obs)) in lines
                                                 else wording("row_total_of_parts")),
                         fix=wording("refresh_fix_file"), after_load=after_load,
                         where=Path(path).name,  # »samtaler.csv: …«, as the file's other errors say it
                         clear_sample=completed.without_total)
        return replace(written, totals=completed.said)
    except (SourceError, StoreError) as error:
        return _fail(store, run_id, source, error, started)
    except BaseException as error:
        _fail(store, run_id, source, error, started)
        raise


def _examples_as_sample(store: Store, path: Path, result: file_import.FileResult,
                        limits: file_import.Limits) -> list[Observation]:
    """A file's example figures (indicators.examples) become eksempeldata, and never replace a real figure."""
    if examples.is_shipped_example(path):
        marked = None  # every row
    else:
        sheet = file_import.read(path, (), limits)
        lines = examples.marked_lines(sheet.header, sheet.rows)
        if not lines:
            return result.observations
        marked = lines
    held = store.held({o.indicator for o in result.observations})
    kept = []
    for obs in result.observations:
        if marked is not None and result.lines.get(file_import.line_key(obs)) not in marked:
            kept.append(obs)
            continue
        stored = held.get((obs.indicator, obs.area, obs.period, obs.breakdown))
        if stored is not None and stored[1] != SAMPLE_SOURCE:
            continue  # a real figure is never replaced by an example
        kept.append(replace(obs, source=SAMPLE_SOURCE))
    return kept


# -- status --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceStatus:
    source: str  # "jobindsats", "statbank", "file" (the kommune's files, all of them), "eksempeldata"
    rows: int
    newest: str | None
    last_ok: str | None  # when the last successful run started
    last_status: str | None  # of the last run: ok, failed, running, interrupted
    last_error: str | None
    stale: bool
    never_refreshed: bool
    # Tables whose latest run failed: (table, when it last landed or None, the error), oldest first.
    failed_tables: tuple[tuple[str, str | None, str | None], ...] = ()
    latest_file: str | None = None  # "file": the name of the file imported last
    # "file": the newest failed import of a file not imported since under its name: (name, when, error)
    last_failure: tuple[str, str, str | None] | None = None


FILES = "file"  # the kind of every `file:<name>` source: the kommune's files are one source, not one each


def _file_failure(runs: list[dict]) -> tuple[str, str, str | None] | None:
    """The newest failed (or interrupted) import of a file not imported fine since: a file the inbox
    rejected stays named until it is delivered again, under its name, and lands."""
    landed: set[str] = set()
    for run in runs:  # newest first
        name = run["source"].split(":", 1)[1]
        if run["status"] == "ok":
            landed.add(name)
        elif run["status"] in ("failed", "interrupted") and name not in landed:
            return name, run["started_at"], _error(run)
    return None


def _error(run: dict) -> str | None:
    """A run's error as stored, in Danish for a run interrupted: a store from before said it in English."""
    return wording("run_interrupted") if run["status"] == "interrupted" else run["error"]


def source_status(store: Store, now: datetime) -> list[SourceStatus]:
    """Per source: rows, newest period, last successful run, and whether it is stale at `now`. Every
    file imported is one source, »file«, with the latest file and the newest failure of one: listed
    each, they grew by a line per monthly file, for good."""
    runs = store.runs()
    found = []
    for name in ["jobindsats", "statbank", FILES, SAMPLE_SOURCE]:
        rows, stored_periods = store.source_periods(name)
        mine = [r for r in runs if r["source"].split(":", 1)[0] == name] if name == FILES else \
            [r for r in runs if r["source"] == name]
        if name in (SAMPLE_SOURCE, FILES) and not rows and not mine:
            continue
        ok = next((r for r in mine if r["status"] == "ok"), None)
        last = mine[0] if mine else None
        # (a forecast's coming year is no newest figure: »nyeste periode 2027« in 2026)
        parsed = [periods.parse(p) for p in stored_periods]
        ended = [p for p in parsed if p.ends_by(periods.last_whole_month(now.date()))]
        newest = str(max(ended or parsed)) if parsed else None
        tables = store.table_outcomes(name) if name in ("jobindsats", "statbank") else []
        # A run where some tables landed counts as an update of those; the failed ones are named.
        last_ok = max([t["last_ok"] for t in tables if t["last_ok"]] + ([ok["started_at"]] if ok else []),
                      default=None)
        failed = tuple((t["table_id"], t["last_ok"], t["error"]) for t in tables if t["status"] == "failed")
        stale = False
        if name != SAMPLE_SOURCE:
            limit = STALE_AFTER[name]
            stale = last_ok is None or now - datetime.fromisoformat(last_ok) > limit
            # A table that keeps failing makes its source stale once its own figures are too old;
            # one that never landed has no figures to be old: status names it as failed instead.
            stale = stale or any(when is not None and now - datetime.fromisoformat(when) > limit
                                 for _, when, _ in failed)
        found.append(SourceStatus(
            name, rows, newest, last_ok, last["status"] if last else None,
            _error(last) if last else None, stale, last_ok is None, failed,
            latest_file=ok["source"].split(":", 1)[1] if name == FILES and ok else None,
            last_failure=_file_failure(mine) if name == FILES else None,
        ))
    return found
