"""Jobindsats API v3 (STAR): plan, fetch (I/O through the HTTP seam) and normalise (pure).

Per table the connector reads `/v3/table/{id}` once (period ids, which area hierarchies exist),
then `/v3/data/{id}` once per area selection: every kommune (`_nykom=*`), Hele landet
(`_nykom=/`) and the regions (`_region=*`) where the table has them. Answers are
`{"columns": [...], "rows": [[period, area, dimension labels..., values...]]}`; `null` means
discretionised (not published) and is stored as missing, never 0.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, repeat
from operator import itemgetter
from typing import Any

import httpx

from indicators import periods
from indicators.catalogue import Areas, fold
from indicators.connectors import Newest, Wanted
from indicators.connectors.http import EmptyAnswer, HttpClient, JsonLater, RetryPolicy, SourceError
from indicators.connectors.rows import (
    LabelMap,
    Tally,
    ValueProblem,
    parse_value,
)
from indicators.types import Observation, observations_of_rows, rows_of_columns
from indicators.wording import wording

NAME = "jobindsats"
# Periods re-read behind the newest stored one: Jobindsats revises recent months.
REVISION_WINDOW = 3
# Period type per catalogue frequency, most wanted first; a table without it falls back.
PERIOD_TYPES = {"month": ("M", "Q", "Y"), "quarter": ("Q", "M", "Y"), "year": ("Y", "Q", "M")}
PERIOD_KINDS = {"M": "month", "Q": "quarter", "Y": "year"}
AREA_DIMENSION = "_omrade"

# What to do after an error answer, by status: keys of templates/messages.toml [errors].
ADVICE = {401: "jobindsats_fix_token", 403: "jobindsats_fix_access", 404: "jobindsats_fix_unknown",
          422: "jobindsats_fix_query"}


def explain(response: httpx.Response) -> str | None:
    """Jobindsats' error body: `{"code": 422, "cause": "Unknown hierarchies: [...]", "request_id": ...}`."""
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict) and body.get("cause"):
        request_id = f" (request_id {body['request_id']})" if body.get("request_id") else ""
        return f"{body['cause']}{request_id}"
    return None


def client(base_url: str, token: str, *, policy: RetryPolicy = RetryPolicy(), **kwargs) -> HttpClient:
    return HttpClient(NAME, base_url, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                      policy=policy, explain=explain, advice=ADVICE, url_setting="JOBINDSATS_API_URL", **kwargs)


@dataclass(frozen=True)
class Query:
    """One `/v3/data` selection: a table, its non-area hierarchy filters and the entries it serves."""

    table: str
    hierarchy: tuple[tuple[str, str], ...]
    frequency: str  # the catalogue's: month, quarter, year
    wanted: tuple[Wanted, ...]
    since: str | None  # newest stored period (store spelling); None = fetch every period

    @property
    def label(self) -> str:
        return f"{NAME} {self.table}"


@dataclass(frozen=True)
class TableSpec:
    periods: dict[str, list[str]]  # period type -> period ids, oldest first
    area_hierarchies: tuple[str, ...]


class Bodies(Sequence):
    """The /v3/data bodies of one query as fetched: each decoded when first read (a table whose
    answer is unchanged is never decoded: a tenth of a refresh that changes nothing)."""

    def __init__(self, fetched: Sequence[JsonLater]):
        self.fetched = tuple(fetched)

    def __len__(self) -> int:
        return len(self.fetched)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(body.decoded() for body in self.fetched[index])
        return self.fetched[index].decoded()


@dataclass(frozen=True)
class Answer:
    query: Query
    bodies: Sequence[Any]  # one /v3/data body per area selection: decoded, or `Bodies` as fetched
    # The area selection each body answers, e.g. ("_nykom", "*"); () when not known (a test's answer).
    selections: tuple[tuple[str, str], ...] = ()
    # A digest of the bodies' bytes as they came, which decoding them is a function of; None when
    # not known (a test's answer). A refresh fingerprints the answer by it, not by the decoded bodies.
    sent: bytes | None = field(default=None, compare=False, repr=False)

    def spelling(self) -> tuple[Any, bytes] | None:
        """What identifies this answer for a fingerprint: the question and the bodies' digest."""
        return None if self.sent is None else ((self.query, self.selections), self.sent)


def source_name(table: str) -> str:
    return f"{NAME}:{table.lower()}"


def breakdowns_of(wanted: Wanted) -> list[str]:
    return sorted(set(wanted.source.breakdowns.values()))


def _own_breakdowns(item: Wanted, table: str, hierarchy: tuple, groups: dict[tuple, list[Wanted]]) -> list[str]:
    """The breakdowns of `item` that no other query of the same table fills for its indicator.

    Two queries of one table store under one source name (y01a02 without a hierarchy gives
    ydelse=A-dagpenge, y01a02 by `_aldera` gives the same total and alder=18-29 år;ydelse=A-dagpenge):
    the other query's newest month must not make a series never fetched before look up to date.
    """
    mine = set(breakdowns_of(item))
    others = {b for (t, h, _), items in groups.items() if t == table and h != hierarchy
              for w in items if w.indicator.id == item.indicator.id for b in breakdowns_of(w)}
    return sorted(mine - others) or sorted(mine)


class JobindsatsConnector:
    name = NAME

    def __init__(self, http: HttpClient):
        self.http = http
        self._specs: dict[str, TableSpec] = {}
        self._area_codes: tuple[Areas, dict[object, str | None]] | None = None

    # -- plan (pure) ---------------------------------------------------------------------------

    def plan(self, wanted: Sequence[Wanted], newest: Newest, *, full: bool = False) -> list[Query]:
        groups: dict[tuple, list[Wanted]] = {}
        for item in wanted:
            key = (item.source.table, tuple(sorted(item.source.hierarchy.items())), item.indicator.frequency)
            groups.setdefault(key, []).append(item)
        queries = []
        for (table, hierarchy, frequency), items in groups.items():
            since: str | None = None
            if not full:
                stored = [newest(w.indicator.id, source_name(table), _own_breakdowns(w, table, hierarchy, groups),
                                 frequency) for w in items]
                # A series never fetched before needs its whole history.
                since = None if None in stored else min(s for s in stored if s is not None)
            queries.append(Query(table, hierarchy, frequency, tuple(items), since))
        return queries

    # -- fetch (I/O) ---------------------------------------------------------------------------

    def spec(self, table: str) -> TableSpec:
        if table not in self._specs:
            self._specs[table] = parse_spec(self.http.get_json(f"table/{table}", {"format": "json"}, table=table),
                                            table)
        return self._specs[table]

    def fetch(self, query: Query) -> Answer:
        spec = self.spec(query.table)
        period_type, count = choose_periods(spec, query)
        params = {"mgroup.*": "*", f"period.{period_type}": f"latest:{count}"}
        params.update({f"hierarchy.{key}": value for key, value in query.hierarchy})
        bodies = []
        sent = hashlib.blake2b(digest_size=20)
        selections = area_selections(spec)
        for hierarchy, selection in selections:
            body = self.http.get_json_later(
                f"data/{query.table}", {**params, f"hierarchy.{hierarchy}": selection, "format": "json"},
                table=query.table,
            )
            bodies.append(body)
            sent.update(len(body.raw).to_bytes(8, "big"))
            sent.update(body.raw)
        return Answer(query, Bodies(bodies), tuple(selections), sent=sent.digest())

    # -- normalise (pure) ----------------------------------------------------------------------

    def normalise(self, answer: Answer, areas: Areas, fetched_at: str) -> list[Observation]:
        return observations_of_rows(self.normalise_rows(answer, areas, fetched_at))

    def normalise_rows(self, answer: Answer, areas: Areas, fetched_at: str) -> list[tuple]:
        """As `normalise`, as rows in the store's column order (`types.rows_of_columns`): the refresh's path."""
        # The area names met so far, kept across the queries of a run: every answer names the
        # same hundred areas, and folding them again per query was a tenth of normalising.
        if self._area_codes is None or self._area_codes[0] is not areas:
            self._area_codes = (areas, {})
        return normalise_rows(answer, areas, fetched_at, area_codes=self._area_codes[1])


def parse_spec(body: Any, table: str) -> TableSpec:
    """`/v3/table/{id}`: `periods[{periodtype_id, values[{period_id}]}]`, `dimensions[{dimension_id, hierarchies}]`."""
    if isinstance(body, list) and len(body) == 1:
        body = body[0]
    if not isinstance(body, dict) or not isinstance(body.get("periods"), list):
        raise SourceError(
            wording("jobindsats_no_periods", table=table),
            source=NAME, table=table,
        )
    found: dict[str, list[str]] = {}
    for entry in _objects(body["periods"]):
        ids = [str(v["period_id"]) for v in _objects(entry.get("values")) if "period_id" in v]
        found[str(entry.get("periodtype_id"))] = sorted(ids, key=_period_order)
    hierarchies: list[str] = []
    for dimension in _objects(body.get("dimensions")):
        if dimension.get("dimension_id") == AREA_DIMENSION:
            hierarchies = [str(h.get("hierarchy_id") or "") for h in _objects(dimension.get("hierarchies"))]
    return TableSpec(found, tuple(h for h in hierarchies if h))


def _objects(value: object) -> list[dict]:
    """The objects of a JSON list; anything else (a string, null) holds none. A description in
    another shape then offers no periods, which `choose_periods` reports, instead of a traceback."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _period_order(period_id: str):
    try:
        return (0, periods.from_source(period_id))
    except periods.PeriodError:
        return (1, period_id)


def choose_periods(spec: TableSpec, query: Query) -> tuple[str, int]:
    """The period type to ask for and how many of the latest periods: all, or new ones plus a few back."""
    offered = [t for t in PERIOD_TYPES[query.frequency] if spec.periods.get(t)]
    if not offered:
        raise SourceError(
            wording("jobindsats_no_frequency", table=query.table,
                    offered=", ".join(spec.periods) or wording("jobindsats_none")),
            source=NAME, table=query.table,
        )
    period_type = offered[0]
    ids = spec.periods[period_type]
    if query.since is None or PERIOD_KINDS[period_type] != query.frequency:
        return period_type, len(ids)
    # An id it cannot read counts as new: its rows, if the answer has any, then fail the table by name.
    since = (0, periods.parse(query.since))
    newer = sum(1 for i in ids if _period_order(i) > since)
    return period_type, min(len(ids), newer + REVISION_WINDOW)


def area_selections(spec: TableSpec) -> list[tuple[str, str]]:
    """Every kommune, Hele landet and the regions, as far as the table's area hierarchies allow."""
    have = set(spec.area_hierarchies) or {"_nykom"}
    selections = []
    if "_nykom" in have:
        selections += [("_nykom", "*"), ("_nykom", "/")]
    elif "_hele_landet" in have:
        selections.append(("_hele_landet", "/"))
    if "_region" in have:
        selections.append(("_region", "*"))
    return selections


# The kind of area each selection asks for; an answer with rows of none of them answers another question.
SELECTION_KINDS = {("_nykom", "*"): "kommune", ("_nykom", "/"): "land", ("_hele_landet", "/"): "land",
                   ("_region", "*"): "region"}


def _selection_text(selection: tuple[str, str] | None) -> str:
    return f"hierarchy.{selection[0]}={selection[1]}" if selection else wording("jobindsats_no_selection")


def _is_value(cell: object) -> bool:
    if cell is None or (isinstance(cell, (int, float)) and not isinstance(cell, bool)):
        return True
    try:
        parse_value(cell)
        return True
    except ValueProblem:
        return False


def _measure_column(columns: Sequence[str], measure: str) -> int | None:
    for index, column in enumerate(columns):
        if column == measure:
            return index
    folded = fold(measure)
    return next((i for i, c in enumerate(columns) if fold(str(c)) == folded), None)


_PLAIN_CELLS = frozenset({float, type(None)})  # JSON numbers and nulls: stored as they are
_TEXT = frozenset({str})
_LABEL = frozenset({str, type(None)})


@dataclass
class _Segment:
    """One body's rows with one label set, as columns: kept row positions, area codes, periods."""

    rows: list  # the body's rows (up to any short row)
    positions: list[int] | None  # None: every row
    codes: Sequence[str]
    periods: Sequence[str]
    cells: list[Sequence]  # per wanted entry, that entry's measure cells

    def row(self, offset: int) -> list:
        return self.rows[offset if self.positions is None else self.positions[offset]]


def _first_short_row(rows: list, width: int) -> int | None:
    if set(map(type, rows)) == {list} and set(map(len, rows)) == {width}:
        return None
    return next(i for i, r in enumerate(rows) if not isinstance(r, list) or len(r) != width)


def _gather(column: Sequence, positions: list[int] | None) -> Sequence:
    if positions is None:
        return column
    if len(positions) == 1:
        return (column[positions[0]],)
    return itemgetter(*positions)(column)


def normalise(answer: Answer, areas: Areas, fetched_at: str, *,
              area_codes: dict[object, str | None] | None = None) -> list[Observation]:
    """The answers of one query as observations: area names to DST codes, labels to breakdowns."""
    return observations_of_rows(normalise_rows(answer, areas, fetched_at, area_codes=area_codes))


def normalise_rows(answer: Answer, areas: Areas, fetched_at: str, *,
                   area_codes: dict[object, str | None] | None = None) -> list[tuple]:
    """The answers of one query as rows in the store's column order (`types.rows_of_columns`).

    Column by column: each distinct period is decoded and each distinct area name looked up once,
    rows are grouped by their label set, and a label set is placed once per wanted entry.
    `area_codes`: source area name -> code (None: unknown) of earlier answers with the same `areas`.
    """
    query = answer.query
    table = query.table

    def fail(problem: str, fix: str) -> SourceError:
        return SourceError(wording("source_failed", source="jobindsats", table=table, problem=problem, fix=fix),
                           source=NAME, table=table)

    vocabulary: dict[str, str] | None = None
    period_of: dict[object, str] = {}
    area_of = {} if area_codes is None else area_codes
    seen: set[tuple] = set()
    earlier: list[tuple[list, list, list]] = []  # per body read: its keys, rows and measure columns
    # Label set -> its segments, in the order each set first appears (body order, then row order).
    groups: dict[tuple, list[_Segment]] = {}
    for number, body in enumerate(answer.bodies):
        selection = answer.selections[number] if number < len(answer.selections) else None
        if not isinstance(body, dict) or not isinstance(body.get("columns"), list) \
                or not isinstance(body.get("rows"), list):
            raise fail(wording("jobindsats_shape"), wording("jobindsats_fix_url"))
        columns = [str(c) for c in body["columns"]]
        measures = []
        for item in query.wanted:
            index = _measure_column(columns, item.source.measure)
            if index is None:
                raise fail(
                    wording("jobindsats_no_column", measure=item.source.measure, columns=", ".join(map(repr, columns[2:]))),
                    wording("jobindsats_fix_measure", where=item.where),
                )
            measures.append(index)
        body_rows = body["rows"]
        if not body_rows:
            # HTTP 200 with no rows for periods the table lists: no figure to store, and no proof
            # the stored ones are current. Beside another selection's rows it is a failure; with
            # every selection empty, the refresh decides (a failure where the table had figures).
            problem = wording("jobindsats_no_rows", selection=_selection_text(selection))
            fix = wording("source_fix_empty", source="Jobindsats", setting="JOBINDSATS_API_URL")
            if all(isinstance(b, dict) and b.get("rows") == [] for b in answer.bodies):
                raise EmptyAnswer(wording("source_failed", source="jobindsats", table=table, problem=problem, fix=fix),
                                  source=NAME, table=table)
            raise fail(problem, fix)
        # A malformed row stops the answer there; the rows before it are checked first, as a
        # row-by-row reading would have met them.
        short = _first_short_row(body_rows, len(columns))
        rows = body_rows if short is None else body_rows[:short]
        cols = list(zip(*rows)) if rows else []
        # Period and area come first, then the dimension labels, then the measures.
        first_value = min(measures)
        for i in range(2, first_value):
            # (with no short row every row has every column: the transposed column is the same cells)
            if _all_values(cols[i] if short is None else
                           [r[i] for r in body_rows if isinstance(r, list) and len(r) > i]):
                first_value = i
                break
        if rows:
            # Period, area and labels are text (a label may be null); a list or an object there is
            # no answer to read, and could not be looked up. Checked on each column's distinct
            # cells (which looking them up needs anyway); a cell that cannot be in a set is no text.
            try:
                distinct = [set(column) for column in cols[:first_value]]
            except TypeError:
                distinct = None
            if distinct is None or not all(set(map(type, cells)) <= (_TEXT if number < 2 else _LABEL)
                                           for number, cells in enumerate(distinct)):
                for number, column in enumerate(cols[:first_value]):
                    if not set(map(type, column)) <= (_TEXT if number < 2 else _LABEL):
                        at = next(i for i, c in enumerate(column) if type(c) not in (_TEXT if number < 2 else _LABEL))
                        raise fail(wording("jobindsats_not_text", cell=str(column[at])[:40], column=columns[number],
                                           row=str(rows[at])[:120]), wording("jobindsats_fix_shape"))
            period_col, area_col = cols[0], cols[1]
            # (a measure named as the period or area column leaves that column unchecked above)
            known = distinct or []
            periods_here = known[0] if len(known) > 0 else set(period_col)
            areas_here = known[1] if len(known) > 1 else set(area_col)
            bad_period = bad_area = len(rows)
            for cell in periods_here:
                if cell not in period_of:
                    # `2026QMAT02` is the mean of the four quarters up to 2026Q02, not that quarter's
                    # figure: stored as 2026-Q2 it would be answered as the quarter's.
                    if "QMAT" in str(cell).upper():
                        raise fail(wording("jobindsats_moving_average", period=cell),
                                   wording("jobindsats_fix_moving_average"))
                    try:
                        period_of[cell] = str(periods.from_source(str(cell)))
                    except periods.PeriodError:
                        bad_period = min(bad_period, period_col.index(cell))
            for cell in areas_here:
                if cell not in area_of:
                    if vocabulary is None:
                        vocabulary = areas.vocabulary()
                    area_of[cell] = vocabulary.get(fold(str(cell)))
                if area_of[cell] is None:
                    bad_area = min(bad_area, area_col.index(cell))
            if bad_period < len(rows) and bad_period <= bad_area:
                raise fail(wording("jobindsats_bad_period", period=period_col[bad_period]),
                           wording("source_fix_report_periods"))
            if bad_area < len(rows):
                raise fail(wording("jobindsats_unknown_area", area=area_col[bad_area]), wording("jobindsats_fix_area"))
            kind = SELECTION_KINDS.get(selection) if selection else None
            if kind is not None:
                found = {area_of[cell] for cell in areas_here}
                if not any(areas.by_code[code].kind == kind for code in found if code in areas.by_code):
                    named = ", ".join(sorted(str(cell) for cell in areas_here)[:5])
                    raise fail(wording("jobindsats_other_areas", selection=_selection_text(selection), areas=named,
                                       kind=wording(f"area_kind_{kind}")),
                               wording("jobindsats_fix_shape"))
        if short is not None:
            raise fail(wording("jobindsats_short_row", cells=len(columns), row=str(body_rows[short])[:120]),
                       wording("jobindsats_fix_shape"))
        label_cols = cols[2:first_value]
        labels_col = list(zip(*label_cols)) if label_cols else [()] * len(rows)
        if any(None in c for c in label_cols):
            labels_col = [tuple("" if c is None else str(c) for c in labels) if None in labels else labels
                          for labels in labels_col]
        codes = list(map(area_of.__getitem__, area_col))
        decoded = list(map(period_of.__getitem__, period_col))
        # One row per area, period and labels, by the area's code: the same area under two
        # spellings ("151", "Ballerup") is one row, not two to sum. `_nykom=*` may repeat the
        # Hele landet row that `_nykom=/` gives: the first one counts, if their figures agree.
        keys = list(zip(decoded, codes, labels_col))
        positions_of: dict[tuple, list[int] | None]
        fresh = set(keys)  # hashed once: set operations reuse the stored hashes
        if len(fresh) != len(keys):
            clash = _differing_twin(keys, [cols[m] for m in measures])
            if clash is not None:
                raise fail(wording("jobindsats_twice", first=str(rows[clash[0]])[:120], second=str(rows[clash[1]])[:120]),
                           wording("jobindsats_fix_shape"))
        if len(fresh) == len(keys) and seen.isdisjoint(fresh):
            seen |= fresh
            distinct = set(labels_col)
            positions_of = {labels_col[0]: None} if len(distinct) == 1 else {}
            if len(distinct) > 1:
                for i, labels in enumerate(labels_col):
                    positions_of.setdefault(labels, []).append(i)
        else:
            positions_of = {}
            first_of: dict[tuple, tuple[list, list]] | None = None
            for i, key in enumerate(keys):
                if key not in seen:
                    seen.add(key)
                    positions_of.setdefault(key[2], []).append(i)
                    continue
                # A row an earlier selection gave (Hele landet in `_nykom=*` and in `_nykom=/`):
                # the same figures, or the answer contradicts itself and no figure of it is sure.
                if first_of is None:
                    first_of = {k: (row, [column[j] for column in columns_of])
                                for earlier_keys, earlier_rows, columns_of in earlier
                                for j, (k, row) in enumerate(zip(earlier_keys, earlier_rows))}
                first = first_of.get(key)
                if first is not None and not all(_same_figure(a, cols[m][i]) for a, m in zip(first[1], measures)):
                    raise fail(wording("jobindsats_twice", first=str(first[0])[:120], second=str(rows[i])[:120]),
                               wording("jobindsats_fix_shape"))
        earlier.append((keys, rows, [cols[m] for m in measures]))
        for labels, positions in positions_of.items():
            segment = _Segment(rows, positions, _gather(codes, positions), _gather(decoded, positions),
                               [_gather(cols[m], positions) for m in measures])
            groups.setdefault(labels, []).append(segment)

    observations: list[tuple] = []
    source = source_name(table)
    for number, item in enumerate(query.wanted):
        labels_map = LabelMap(item.source.breakdowns)
        placed_groups: list[tuple[str, list[_Segment]]] = []
        for labels, segments in groups.items():
            placed = labels_map.place(labels)
            if placed.unknown:
                row = segments[0].row(0)
                raise fail(
                    wording("jobindsats_unknown_label", label=placed.unknown[0], labels=" / ".join(labels),
                            area=row[1], period=row[0]),
                    wording("jobindsats_fix_label", where=item.where),
                )
            if placed.breakdown is not None:
                placed_groups.append((placed.breakdown, segments))
        placed_segments = [segment for _, segments in placed_groups for segment in segments]
        cells = list(_joined(segment.cells[number] for segment in placed_segments))
        if not set(map(type, cells)) <= _PLAIN_CELLS:
            cells = _parse_cells(cells, placed_segments, number, item.source.measure, fail)
        if len({breakdown for breakdown, _ in placed_groups}) == len(placed_groups):
            # Each breakdown from one label set, whose rows name each area and period once (twins
            # were dropped above): no two rows meet on a key, so the columns go to rows as they are.
            observations += rows_of_columns(
                item.indicator.id, _joined(s.codes for s in placed_segments),
                _joined(s.periods for s in placed_segments), cells,
                _joined(repeat(breakdown, len(s.codes)) for breakdown, segments in placed_groups for s in segments),
                unit=item.indicator.unit, source=source, fetched_at=fetched_at)
            continue
        keys = list(_joined(zip(segment.codes, segment.periods, repeat(breakdown))
                            for breakdown, segments in placed_groups for segment in segments))
        values = dict(zip(keys, cells))
        if len(values) != len(keys):
            # Rows that land on one key are summed (two labels to one breakdown, two area spellings).
            tally = Tally()
            tally.add_all(keys, cells)
            values = tally.values
        if not values:
            continue
        codes, decoded, breakdowns = zip(*values)
        observations += rows_of_columns(item.indicator.id, codes, decoded, values.values(), breakdowns,
                                        unit=item.indicator.unit, source=source, fetched_at=fetched_at)
    return observations


def _joined(columns: Iterable[Sequence]) -> Iterator:
    """Columns one after another, without copying a lone one."""
    return chain.from_iterable(columns)


_NUMBERS = frozenset({float, int, type(None)})


def _all_values(cells: Sequence) -> bool:
    """Every cell is a value (`_is_value`); a column of JSON numbers and nulls is known by its types."""
    return set(map(type, cells)) <= _NUMBERS or all(map(_is_value, cells))


def _same_figure(a: object, b: object) -> bool:
    if a == b:
        return True
    try:
        return parse_value(a) == parse_value(b)
    except ValueProblem:
        return False


def _differing_twin(keys: list[tuple], measure_columns: list[Sequence]) -> tuple[int, int] | None:
    """The first two rows of one answer with one key (area, period, labels) and different figures."""
    first: dict[tuple, int] = {}
    for i, key in enumerate(keys):
        j = first.setdefault(key, i)
        if j != i and not all(_same_figure(column[j], column[i]) for column in measure_columns):
            return j, i
    return None


def _parse_cells(cells: list, segments: list[_Segment], number: int, measure: str, fail) -> list[float | None]:
    """Text and integer cells as numbers; the first that is none names its row."""
    parsed: list[float | None] = []
    for segment in segments:
        for offset, cell in enumerate(segment.cells[number]):
            if cell is None or type(cell) is float:
                parsed.append(cell)
                continue
            try:
                parsed.append(parse_value(cell))
            except ValueProblem as problem:
                row = segment.row(offset)
                raise fail(wording("jobindsats_bad_value", measure=measure, area=row[1], period=row[0],
                                   problem=problem),
                           wording("source_fix_report_numbers")) from None
    return parsed
