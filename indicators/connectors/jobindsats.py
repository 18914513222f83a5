"""Jobindsats API v3 (STAR): plan, fetch (I/O through the HTTP seam) and normalise (pure).

Per table the connector reads `/v3/table/{id}` once (period ids, which area hierarchies exist),
then `/v3/data/{id}` once per area selection: every kommune (`_nykom=*`), Hele landet
(`_nykom=/`) and the regions (`_region=*`) where the table has them. Answers are
`{"columns": [...], "rows": [[period, area, dimension labels..., values...]]}`; `null` means
discretionised (not published) and is stored as missing, never 0.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from indicators import periods
from indicators.catalogue import Areas, fold
from indicators.connectors import Newest, Wanted
from indicators.connectors.http import HttpClient, RetryPolicy, SourceError
from indicators.connectors.rows import (
    LabelMap,
    Tally,
    ValueProblem,
    parse_value,
)
from indicators.types import Observation
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


@dataclass(frozen=True)
class Answer:
    query: Query
    bodies: tuple[Any, ...]  # one decoded /v3/data body per area selection


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
        for hierarchy, selection in area_selections(spec):
            body = self.http.get_json(
                f"data/{query.table}", {**params, f"hierarchy.{hierarchy}": selection, "format": "json"},
                table=query.table,
            )
            bodies.append(body)
        return Answer(query, tuple(bodies))

    # -- normalise (pure) ----------------------------------------------------------------------

    def normalise(self, answer: Answer, areas: Areas, fetched_at: str) -> list[Observation]:
        return normalise(answer, areas, fetched_at)


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
    for entry in body["periods"]:
        ids = [v["period_id"] for v in entry.get("values", []) if isinstance(v, dict) and "period_id" in v]
        found[str(entry.get("periodtype_id"))] = sorted(ids, key=_period_order)
    hierarchies: list[str] = []
    for dimension in body.get("dimensions", []):
        if dimension.get("dimension_id") == AREA_DIMENSION:
            hierarchies = [h.get("hierarchy_id") for h in dimension.get("hierarchies", [])]
    return TableSpec(found, tuple(h for h in hierarchies if h))


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
    since = periods.parse(query.since)
    newer = sum(1 for i in ids if periods.from_source(i) > since)
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


def normalise(answer: Answer, areas: Areas, fetched_at: str) -> list[Observation]:
    """The answers of one query as observations: area names to DST codes, labels to breakdowns."""
    query = answer.query
    table = query.table

    def fail(problem: str, fix: str) -> SourceError:
        return SourceError(wording("source_failed", source="jobindsats", table=table, problem=problem, fix=fix),
                           source=NAME, table=table)

    vocabulary = areas.vocabulary()
    # Answers repeat the same few periods, areas and label sets thousands of times.
    period_of: dict[object, str] = {}
    area_of: dict[object, str | None] = {}
    seen: set[tuple] = set()
    # Rows grouped by their label set, in the order each set first appears: a label set is placed
    # once per wanted entry, not once per row. Per row: area code, period, the row, measure columns.
    groups: dict[tuple[str, ...], list[tuple[str, str, list, tuple[int, ...]]]] = {}
    for body in answer.bodies:
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
        measure_columns = tuple(measures)
        body_rows = body["rows"]
        if not body_rows:
            continue
        # Period and area come first, then the dimension labels, then the measures.
        first_value = min(measure_columns)
        for i in range(2, first_value):
            if all(_is_value(r[i]) for r in body_rows if isinstance(r, list) and len(r) > i):
                first_value = i
                break
        for row in body_rows:
            if not isinstance(row, list) or len(row) != len(columns):
                raise fail(wording("jobindsats_short_row", cells=len(columns), row=str(row)[:120]),
                           wording("jobindsats_fix_shape"))
            labels = tuple(row[2:first_value])
            if None in labels:
                labels = tuple("" if c is None else str(c) for c in labels)
            key = (row[0], row[1], labels)
            if key in seen:  # `_nykom=*` may repeat the Hele landet row that `_nykom=/` gives
                continue
            seen.add(key)
            period = period_of.get(row[0])
            if period is None:
                try:
                    period = period_of[row[0]] = str(periods.from_source(str(row[0])))
                except periods.PeriodError:
                    raise fail(wording("jobindsats_bad_period", period=row[0]),
                               wording("source_fix_report_periods")) from None
            if row[1] not in area_of:
                area_of[row[1]] = vocabulary.get(fold(str(row[1])))
            code = area_of[row[1]]
            if code is None:
                raise fail(wording("jobindsats_unknown_area", area=row[1]), wording("jobindsats_fix_area"))
            group = groups.get(labels)
            if group is None:
                group = groups[labels] = []
            group.append((code, period, row, measure_columns))

    observations: list[Observation] = []
    source = source_name(table)
    for number, item in enumerate(query.wanted):
        labels_map = LabelMap(item.source.breakdowns)
        placed_groups: list[tuple[str, list]] = []
        for labels, members in groups.items():
            placed = labels_map.place(labels)
            if placed.unknown:
                row = members[0][2]
                raise fail(
                    wording("jobindsats_unknown_label", label=placed.unknown[0], labels=" / ".join(labels),
                            area=row[1], period=row[0]),
                    wording("jobindsats_fix_label", where=item.where),
                )
            if placed.breakdown is not None:
                placed_groups.append((placed.breakdown, members))
        tally = Tally()
        values = tally.values
        for breakdown, members in placed_groups:
            for code, period, row, measure_columns in members:
                cell = row[measure_columns[number]]
                kind = type(cell)
                if kind is float or cell is None:  # JSON numbers and nulls: the common cells, inline
                    value = cell
                else:
                    try:
                        value = parse_value(cell)
                    except ValueProblem as problem:
                        raise fail(wording("jobindsats_bad_value", measure=item.source.measure, area=row[1],
                                               period=row[0], problem=problem),
                                       wording("source_fix_report_numbers")) from None
                key = (code, period, breakdown)
                if key in values:
                    tally.add(code, period, breakdown, value)
                else:
                    values[key] = value
        unit, indicator = item.indicator.unit, item.indicator.id
        observations.extend(
            Observation(indicator, area, period, value, breakdown, unit, source, False, fetched_at)
            for (area, period, breakdown), value in values.items()
        )
    return observations

