"""Danmarks Statistik's StatBank API: plan, fetch (I/O through the HTTP seam) and normalise (pure).

One `POST /v1/data` per table and selection, format BULK (semicolon CSV, no cell limit), value
codes rather than texts (`000`, `084`, `151`; `TOT`; `9`). Periods come as `2026M05`, `2026K2`
(lang=da) or `2026Q2` (lang=en); `..` means not published. Errors are JSON with `errorTypeCode`.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from indicators import periods
from indicators.catalogue import Areas, fold
from indicators.connectors import Newest, Wanted
from indicators.connectors.http import EmptyAnswer, HttpClient, RetryPolicy, SourceError
from indicators.connectors.rows import LabelMap, Tally, ValueProblem, parse_value
from indicators.types import Observation
from indicators.wording import wording

NAME = "statbank"
AREA_VARIABLES = {"omraade", "bopkom", "komk", "kommune"}  # folded: OMRÅDE -> omraade
TIME_VARIABLE = "tid"
VALUE_COLUMN = "indhold"
# StatBank publishes these beside the kommuner; Faktabot's area table has none of them:
# landsdele (1-11), Christiansø (411), no fixed address (950), abroad (997), unknown (998, 999).
NOT_AREAS = {f"{n:03d}" for n in range(1, 12)} | {"411", "950", "997", "998", "999"}
NOT_AREA_NAMES = {"christiansø", "outside denmark", "abroad", "not stated municipality", "uoplyst kommune",
                  "udlandet", "uden fast bopæl"}
# What to do after an error answer, by status: keys of templates/messages.toml [errors].
ADVICE = {401: "statbank_fix_login", 403: "statbank_fix_login", 400: "statbank_fix_query", 404: "statbank_fix_unknown"}


def explain(response: httpx.Response) -> str | None:
    """`{"errorTypeCode": "EXTRACT-NOTFOUND", "message": "Tabel findes ikke: X"}` -> a sentence."""
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict) and (body.get("message") or body.get("errorTypeCode")):
        return f"{body.get('message', '').strip()} ({body.get('errorTypeCode', 'no code')})"
    return None


def client(base_url: str, *, policy: RetryPolicy = RetryPolicy(), **kwargs) -> HttpClient:
    return HttpClient(NAME, base_url, policy=policy, explain=explain, advice=ADVICE, url_setting="STATBANK_API_URL",
                      **kwargs)


@dataclass(frozen=True)
class Query:
    table: str
    variables: tuple[tuple[str, str], ...]  # code -> the catalogue's selection ("*", "9", "TOT,1")
    wanted: tuple[Wanted, ...]
    since_year: int | None  # re-read from this year on; None = every period

    @property
    def label(self) -> str:
        return f"{NAME} {self.table}"

    def body(self, this_year: int) -> dict:
        variables = []
        for code, selection in self.variables:
            values = [v.strip() for v in selection.split(",") if v.strip()]
            if fold(code) == TIME_VARIABLE and self.since_year is not None and values == ["*"]:
                values = [f"{year}*" for year in range(self.since_year, max(this_year, self.since_year) + 1)]
            variables.append({"code": code, "values": values})
        return {"table": self.table, "format": "BULK", "lang": "da", "valuePresentation": "Code",
                "delimiter": "Semicolon", "variables": variables}


@dataclass(frozen=True)
class Answer:
    query: Query
    text: str


def source_name(table: str) -> str:
    return f"{NAME}:{table}"


class StatbankConnector:
    name = NAME

    def __init__(self, http: HttpClient, *, this_year: int):
        self.http = http
        self.this_year = this_year

    def plan(self, wanted: Sequence[Wanted], newest: Newest, *, full: bool = False) -> list[Query]:
        groups: dict[tuple, list[Wanted]] = {}
        for item in wanted:
            groups.setdefault((item.source.table, tuple(item.source.variables.items())), []).append(item)
        queries = []
        for (table, variables), items in groups.items():
            since_year = None
            if not full:
                stored = [newest(w.indicator.id, source_name(table), sorted(set(w.source.breakdowns.values())), kind)
                          for w in items for kind in ("month", "quarter", "year")]
                known = [s for s in stored if s is not None]
                # One year back: StatBank revises seasonally adjusted series and late registrations.
                since_year = min(periods.parse(s).year for s in known) - 1 if known else None
            queries.append(Query(table, variables, tuple(items), since_year))
        return queries

    def fetch(self, query: Query) -> Answer:
        response = self.http.request("POST", "data", json_body=query.body(self.this_year), table=query.table)
        try:
            text = response.content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = response.content.decode("latin-1")
        return Answer(query, text)

    def normalise(self, answer: Answer, areas: Areas, fetched_at: str) -> list[Observation]:
        return normalise(answer, areas, fetched_at)


def _area_code(cell: str, areas: Areas, vocabulary: dict[str, str]) -> str | None:
    """A DST area code or name -> Faktabot's code; '' for a known non-area; None if unknown."""
    text = cell.strip()
    if text.isdigit():
        code = text.zfill(3)  # BOPKOM writes 0 and 84 where OMRÅDE writes 000 and 084
        if code in areas.by_code:
            return code
        return "" if code in NOT_AREAS else None
    if text.casefold() in NOT_AREA_NAMES or text.startswith(("Province ", "Landsdel ")):
        return ""
    return vocabulary.get(fold(text))


def normalise(answer: Answer, areas: Areas, fetched_at: str) -> list[Observation]:
    query = answer.query
    table = query.table

    def fail(problem: str, fix: str) -> SourceError:
        return SourceError(wording("source_failed", source="statbank", table=table, problem=problem, fix=fix),
                           source=NAME, table=table)

    text = answer.text.lstrip("\ufeff \r\n")
    if text.startswith("{"):
        try:
            body = json.loads(text)
        except ValueError:
            body = {}
        raise fail(wording("statbank_error", message=body.get("message", text[:200]),
                           code=body.get("errorTypeCode", wording("statbank_no_code"))), wording("statbank_fix_table"))
    reader = csv.reader(io.StringIO(text), delimiter=";")
    header = next(reader, None)
    if not header:
        raise fail(wording("statbank_empty"), wording("source_fix_later"))
    names = [fold(h) for h in header]
    try:
        time_at = names.index(TIME_VARIABLE)
        value_at = names.index(VALUE_COLUMN)
    except ValueError:
        raise fail(wording("statbank_no_columns", time=TIME_VARIABLE.upper(), value=VALUE_COLUMN.upper(),
                           header=";".join(header)[:200]), wording("statbank_fix_url")) from None
    area_at = next((i for i, n in enumerate(names) if n in AREA_VARIABLES), None)
    if area_at is None:
        raise fail(wording("statbank_no_area", header=";".join(header)), wording("statbank_fix_area"))
    label_at = [i for i in range(len(header)) if i not in (time_at, value_at, area_at)]
    # A variable fixed to one value is the selection itself, not a label to map (TAL=1010).
    fixed = {fold(code): sel for code, sel in query.variables if sel != "*" and "," not in sel}
    neutral = frozenset(fixed.get(names[i], "\0") for i in label_at)
    vocabulary = areas.vocabulary()
    maps = [LabelMap(item.source.breakdowns) for item in query.wanted]
    tallies = [Tally() for _ in query.wanted]
    # (area, period, value codes) -> (line, value): a row given twice is one figure, not two to sum.
    seen: dict[tuple, tuple[int, float | None]] = {}
    data_rows = 0
    for line, row in enumerate(reader, start=2):
        if not row:
            continue
        data_rows += 1
        if len(row) != len(header):
            raise fail(wording("statbank_cut_off", line=line, cells=len(row), header=len(header)),
                       wording("source_fix_later"))
        code = _area_code(row[area_at], areas, vocabulary)
        if code is None:
            raise fail(wording("statbank_unknown_area", area=row[area_at], line=line),
                       wording("statbank_fix_unknown_area"))
        if code == "":
            continue
        try:
            period = str(periods.from_source(row[time_at]))
        except periods.PeriodError:
            raise fail(wording("statbank_bad_period", period=row[time_at], line=line),
                       wording("source_fix_report_periods")) from None
        try:
            value = parse_value(row[value_at])
        except ValueProblem as problem:
            raise fail(wording("statbank_bad_value", line=line, problem=problem),
                       wording("source_fix_report_numbers")) from None
        labels = [row[i] for i in label_at]
        first = seen.setdefault((code, period, *labels), (line, value))
        if first[0] != line:
            if first[1] == value:
                continue
            raise fail(wording("statbank_twice", area=row[area_at], period=row[time_at], first=first[0], line=line,
                               values=f"{first[1]:g} og {value:g}" if None not in (first[1], value)
                               else f"{first[1]} og {value}"),
                       wording("source_fix_later"))
        for item, labels_map, tally in zip(query.wanted, maps, tallies):
            placed = labels_map.place(labels, neutral, strict=True)
            if placed.unknown:
                raise fail(wording("statbank_unknown_code", code=placed.unknown[0], line=line),
                           wording("statbank_fix_code", where=item.where))
            if placed.breakdown is not None:
                tally.add(code, period, placed.breakdown, value)
    if not data_rows:
        # HTTP 200 with the header and no row: no figure to store, and no proof the stored ones are
        # current. Where the table had figures the refresh fails it, and they stay as they were.
        problem = wording("statbank_no_rows", header=";".join(header)[:200])
        fix = wording("source_fix_empty", source="Danmarks Statistik", setting="STATBANK_API_URL")
        raise EmptyAnswer(wording("source_failed", source="statbank", table=table, problem=problem, fix=fix),
                          source=NAME, table=table)
    observations = []
    for item, tally in zip(query.wanted, tallies):
        observations.extend(
            Observation(item.indicator.id, area, period, value, breakdown, item.indicator.unit,
                        source_name(table), False, fetched_at)
            for (area, period, breakdown), value in tally.values.items()
        )
    return observations
