"""`faktabot sources --check`: does every table, measure and hierarchy the catalogue names exist? (I/O)

Asks Jobindsats `/v3/tables` once and `/v3/table/{id}` per named table, and StatBank
`/tableinfo/{table}` per named table (and `/tables` for close names when one is missing), then
says per figure of the fact sheet (the catalogue's `figures`, 28 in all) whether it can rest on
official figures. Nothing is written here; the HTTP clients are passed in (tests: the replay). The
report's `unverified` says which `verified = false` guesses were found, for the store to remember
(`Store.record_source_checks`): the refresh fetches those from then on.

States per figure:
- `ready`: every indicator of the figure has an official source whose table, measure and
  hierarchies (StatBank: variables and values) all exist, or a formula whose inputs are ready;
- `missing`: some indicator's named source is not found (the closest names offered are listed);
- `file`: an indicator can only come from the municipality's own file (`faktabot files template ID`);
- `sample`: no source can deliver it; only eksempeldata;
- `unchecked`: its source needs Jobindsats and no token was given.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from indicators import derived
from indicators.catalogue import Catalogue, Indicator, fold
from indicators.connectors import source_key
from indicators.connectors.http import HttpClient, SourceError
from indicators.types import IndicatorSource

# HTTP statuses that mean "no such table" rather than "the check could not run".
NOT_FOUND = {400, 404, 422}
ORDER = ("missing", "unchecked", "file", "sample", "ready")


@dataclass(frozen=True)
class Problem:
    indicator: str
    source: str  # "jobindsats y25i01", "statbank AUS08"
    what: str  # "tabel", "måling", "hierarki", "variabel", "værdi"
    name: str
    closest: tuple[str, ...] = ()


@dataclass
class FigureCheck:
    number: str  # "4.1"
    indicators: tuple[str, ...]
    state: str = "ready"
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # indicators that need a file import


@dataclass
class SourcesReport:
    figures: list[FigureCheck]
    problems: list[Problem]  # every named thing not found, figures or not
    jobindsats_checked: bool
    # source_key -> (indicator, found): each unverified source that was asked about (not the
    # unchecked ones); found means its table, measure and hierarchies (or variables) all exist.
    unverified: dict[str, tuple[str, bool]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems and self.jobindsats_checked

    def count(self, state: str) -> int:
        return sum(1 for f in self.figures if f.state == state)


def closest(name: str, offered: Iterable[str], n: int = 3) -> tuple[str, ...]:
    """The offered names nearest to `name` (case and accents folded), best first."""
    offered = [o for o in dict.fromkeys(offered) if o]
    folded = {fold(o): o for o in offered}
    found = difflib.get_close_matches(fold(name), list(folded), n=n, cutoff=0.5)
    return tuple(folded[f] for f in found)


def figure_numbers(catalogue: Catalogue) -> list[str]:
    numbers = {number for indicator in catalogue for number in indicator.figures}
    return sorted(numbers, key=lambda n: tuple(int(p) for p in n.split(".")))


# -- Jobindsats ----------------------------------------------------------------------------------


def _jobindsats_tables(body: Any) -> dict[str, str]:
    """`/v3/tables`: subjects -> table_groups -> tables; table id (folded) -> id as spelled."""
    found: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            if "table_id" in node:
                found[str(node["table_id"]).lower()] = str(node["table_id"])
            for key in ("table_groups", "tables"):
                walk(node.get(key))

    walk(body)
    return found


def _objects(value: object) -> list[dict]:
    """The objects of a JSON list; anything else (a string, null) holds none: an answer in another
    shape then finds nothing, which the check reports, instead of a traceback."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _measure_names(spec: dict) -> list[str]:
    names: list[str] = []
    for group in _objects(spec.get("mgroups")):
        measures = group.get("measures")
        for measure in measures if isinstance(measures, list) else ():
            if isinstance(measure, str):
                names.append(measure)
            elif isinstance(measure, dict):
                for key in ("measure_name", "name", "measure_label", "label"):
                    if measure.get(key):
                        names.append(str(measure[key]))
                        break
        if group.get("mgroup_name"):
            names.append(str(group["mgroup_name"]))
    return names


def _hierarchy_ids(spec: dict) -> list[str]:
    return [str(h.get("hierarchy_id")) for d in _objects(spec.get("dimensions"))
            for h in _objects(d.get("hierarchies")) if h.get("hierarchy_id")]


class _Jobindsats:
    def __init__(self, http: HttpClient):
        self.http = http
        self.tables = _jobindsats_tables(http.get_json("tables", {"format": "json"}))
        self.specs: dict[str, dict | None] = {}

    def spec(self, table: str) -> dict | None:
        if table not in self.specs:
            try:
                body = self.http.get_json(f"table/{self.tables[table.lower()]}", {"format": "json"}, table=table)
            except SourceError as error:
                if error.status not in NOT_FOUND:
                    raise
                body = None
            if isinstance(body, list) and len(body) == 1:
                body = body[0]
            self.specs[table] = body if isinstance(body, dict) else None
        return self.specs[table]

    def check(self, indicator: str, source: IndicatorSource) -> list[Problem]:
        where = f"jobindsats {source.table}"
        if source.table.lower() not in self.tables:
            return [Problem(indicator, where, "tabel", source.table, closest(source.table, self.tables.values()))]
        spec = self.spec(source.table)
        if spec is None:
            return [Problem(indicator, where, "tabel", source.table, ())]
        problems = []
        measures = _measure_names(spec)
        if source.measure and fold(source.measure) not in {fold(m) for m in measures}:
            problems.append(Problem(indicator, where, "måling", source.measure, closest(source.measure, measures)))
        hierarchies = _hierarchy_ids(spec)
        for hierarchy in source.hierarchy:
            if hierarchy not in hierarchies:
                problems.append(Problem(indicator, where, "hierarki", hierarchy, closest(hierarchy, hierarchies)))
        return problems


# -- StatBank ------------------------------------------------------------------------------------


class _Statbank:
    def __init__(self, http: HttpClient):
        self.http = http
        self.infos: dict[str, dict | None] = {}
        self._names: list[str] | None = None

    def names(self) -> list[str]:
        if self._names is None:
            try:
                body = self.http.get_json("tables", {"format": "JSON", "lang": "da"})
            except SourceError:
                body = []
            self._names = [str(t.get("id")) for t in body if isinstance(t, dict)] if isinstance(body, list) else []
        return self._names

    def info(self, table: str) -> dict | None:
        if table not in self.infos:
            try:
                body = self.http.get_json(f"tableinfo/{table}", {"format": "JSON", "lang": "da"}, table=table)
            except SourceError as error:
                if error.status not in NOT_FOUND:
                    raise
                body = None
            self.infos[table] = body if isinstance(body, dict) and body.get("variables") is not None else None
        return self.infos[table]

    def check(self, indicator: str, source: IndicatorSource) -> list[Problem]:
        where = f"statbank {source.table}"
        info = self.info(source.table)
        if info is None:
            return [Problem(indicator, where, "tabel", source.table, closest(source.table, self.names()))]
        variables = {fold(str(v.get("id"))): v for v in _objects(info["variables"])}
        problems = []
        for code, selection in source.variables.items():
            variable = variables.get(fold(code))
            if variable is None:
                problems.append(Problem(indicator, where, "variabel", code,
                                        closest(code, [str(v.get("id")) for v in variables.values()])))
                continue
            values = [str(v.get("id")) for v in _objects(variable.get("values"))]
            for value in (v.strip() for v in selection.split(",")):
                if value and "*" not in value and value not in values:
                    problems.append(Problem(indicator, where, "værdi", f"{code}={value}", closest(value, values)))
        return problems


# -- the check -----------------------------------------------------------------------------------


def check_sources(catalogue: Catalogue, *, jobindsats: HttpClient | None, statbank: HttpClient | None) -> SourcesReport:
    """Check every table the catalogue names (unverified guesses included) and judge every figure.

    Raises SourceError when a source cannot be asked at all (no answer, a refused token).
    """
    job = _Jobindsats(jobindsats) if jobindsats is not None else None
    stat = _Statbank(statbank) if statbank is not None else None
    problems: list[Problem] = []
    unverified: dict[str, tuple[str, bool]] = {}
    found_source: dict[str, str] = {}  # indicator -> its best state from its own sources
    # (indicator, breakdown) -> the states and problems of the sources that give that series: a
    # formula reads series, and fuldtidspersoner[alder=18-29 år;ydelse=A-dagpenge] is not ready
    # because fuldtidspersoner[ydelse=A-dagpenge] is.
    found_series: dict[tuple[str, str], list[str]] = {}
    series_problems: dict[tuple[str, str], list[Problem]] = {}
    verified_ready: set[tuple[str, str]] = set()  # series a verified source gives: a failed guess beside it is noise
    for indicator in catalogue:
        states = []
        for source in indicator.sources:
            before = len(states)
            if source.kind == "jobindsats":
                if job is None:
                    states.append("unchecked")
                    continue
                mine = job.check(indicator.id, source)
            elif source.kind == "statbank":
                if stat is None:
                    states.append("unchecked")
                    continue
                mine = stat.check(indicator.id, source)
            elif source.kind == "file":
                states.append("file")
                continue
            else:
                continue
            problems.extend(mine)
            if not source.verified:
                unverified[source_key(indicator.id, source)] = (indicator.id, not mine)
            states.append("missing" if mine else "ready")
            if source.kind in ("jobindsats", "statbank") and len(states) > before:
                for breakdown in set(source.breakdowns.values()) or {""}:
                    found_series.setdefault((indicator.id, breakdown), []).append(states[-1])
                    if source.verified and states[-1] == "ready":
                        verified_ready.add((indicator.id, breakdown))
                    series_problems.setdefault((indicator.id, breakdown), []).extend(mine)
        found_source[indicator.id] = _best(states)
    formulas, _ = derived.catalogue_formulas(catalogue)
    input_problems: dict[str, list[Problem]] = {}  # a derived indicator -> the problems of its inputs

    def term_state(term: derived.Term) -> str:
        states = found_series.get((term.indicator, term.breakdown))
        return _best(states) if states else found_source.get(term.indicator, "sample")

    # A formula makes its indicator ready when every required input is ready (inputs come first).
    for formula in formulas:
        required = [t for t in (*formula.terms, *formula.denominator) if not t.optional]
        inputs = [term_state(t) for t in required]
        worst = min(inputs, key=ORDER.index) if inputs else "sample"
        found_source[formula.indicator] = _best([found_source.get(formula.indicator, "sample"), worst])
        found_series.setdefault((formula.indicator, formula.breakdown), []).append(worst)
        mine = input_problems.setdefault(formula.indicator, [])
        for term in (*formula.terms, *formula.denominator):
            if (term.indicator, term.breakdown) not in verified_ready:
                mine.extend(p for p in series_problems.get((term.indicator, term.breakdown), []) if p not in mine)
            mine.extend(p for p in input_problems.get(term.indicator, []) if p not in mine)
    figures = []
    for number in figure_numbers(catalogue):
        ids = tuple(i.id for i in catalogue if number in i.figures)
        check = FigureCheck(number, ids)
        states = [found_source.get(i, "sample") for i in ids]
        check.state = min(states, key=ORDER.index)
        check.problems = [p for p in problems if p.indicator in ids]
        check.problems += [p for i in ids for p in input_problems.get(i, []) if p not in check.problems]
        check.files = [i for i in ids if found_source.get(i) == "file"]
        figures.append(check)
    return SourcesReport(figures, problems, job is not None, unverified)


def _best(states: list[str]) -> str:
    """An indicator is as good as its best source: ready, else file, else missing, else unchecked."""
    for state in ("ready", "file", "missing", "unchecked"):
        if state in states:
            return state
    return "sample"


def figure_titles(catalogue: Catalogue) -> dict[str, str]:
    """Figure number -> the Danish title of its first indicator (the fact sheet's own titles are richer)."""
    titles: dict[str, str] = {}
    for indicator in catalogue:
        for number in indicator.figures:
            titles.setdefault(number, _title(indicator))
    return titles


def _title(indicator: Indicator) -> str:
    return indicator.title or indicator.name
