"""A local stand-in for Jobindsats v3 and StatBank over real HTTP, for tests, benchmarks and trying
`faktabot refresh` without a token.

It answers from the real figures in ../shared/data (plus SYNTHETIC test figures where no public
extract exists: the inputs of sygedagpenge and fleksjob, a-dagpenge and uddannelseshjælp, and
ungeledighed's inputs by age): Jobindsats tables in the v3 `columns`/`rows` shape built from the per-kommune extract, the
recorded national v3 answers for the queries that produced them, and StatBank BULK CSV built from
the DST extracts. A table the catalogue names but no extract covers answers with no rows. Faults
(an HTTP status, Retry-After, a delay, a cut-off or malformed body, a changed answer) are scripted
per test. Run it by hand: `python -m tests.replay --port 8765`.
"""
from __future__ import annotations

import argparse
import csv
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from indicators import periods
from indicators.catalogue import default_areas, default_catalogue, fold

REPO = Path(__file__).resolve().parents[1]
from typing import Self

from tests.shared_data import SHARED_DATA

RECORDED = SHARED_DATA / "api-responses" / "jobindsats-v3"
TOKEN = "replay-token"


# -- the Jobindsats model ------------------------------------------------------------------------


@dataclass(frozen=True)
class Dimension:
    hierarchy: str
    column: str
    total: str


@dataclass
class Table:
    id: str
    dimensions: list[Dimension]
    measures: list[str]
    area_hierarchies: tuple[str, ...] = ("_nykom",)
    period_types: tuple[str, ...] = ("M",)
    # (period id, area name, {hierarchy: label}) -> {measure: value}
    cells: dict[tuple, dict[str, float | None]] = field(default_factory=dict)
    # Dimensions every answer shows with their total label, asked for or not (single-ydelse tables).
    always_shown: tuple[str, ...] = ()

    def periods(self) -> list[str]:
        found = {key[0] for key in self.cells} or {f"{y}M{m:02d}" for y in range(2021, 2027) for m in range(1, 13)}
        return sorted(found, key=periods.from_source)


YDELSE = Dimension("_ygrpi09", "Ydelsesgrupper", "Ydelsesgrupper i alt")
AKASSE = Dimension("_akassebl", "A-kasse", "I alt")
KON = Dimension("_kon", "Køn", "Køn i alt")
ALDER = Dimension("_aldera", "Alder", "Alder i alt")
HERKOMST = Dimension("_oprinda", "Herkomst", "Herkomst i alt")
KONTANTHJAELP = Dimension("_ygrp60", "Ydelsesgrupper", "Kontanthjælp")
VISITATION = Dimension("_viskat_1int", "Visitationskategori", "I alt")
TILBUD = Dimension("_tilb_2ptv", "Tilbud", "Tilbud i alt")
LEDIGHED = [YDELSE, AKASSE, KON, ALDER, HERKOMST]

# How the extract's `ydelsesgruppe`/`opdeling` become v3 dimension labels, per table.
SHAPES: dict[str, list[Dimension]] = {
    "y25i01": LEDIGHED, "y25i09": LEDIGHED, "y25i03": [YDELSE],
    "y60a02": [KONTANTHJAELP, VISITATION, ALDER], "y60c02": [KONTANTHJAELP, TILBUD],
    "y60c07": [KONTANTHJAELP], "y60j01": [KONTANTHJAELP],
}


def _extract_rows(name: str) -> list[dict[str, str]]:
    path = SHARED_DATA / "real" / name
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


@cache
def jobindsats_tables() -> dict[str, Table]:
    """The v3 tables the real extracts cover, plus an empty one for every other catalogue table."""
    tables: dict[str, Table] = {}
    rows = _extract_rows("jobindsats_kommuner_2021-2026.csv")
    rows += [r for r in _extract_rows("jobindsats_benchmark_status_saeson.csv") if r["tabel"] == "y25i03"]
    for row in rows:
        table_id = row["tabel"]
        table = tables.get(table_id)
        if table is None:
            table = tables[table_id] = Table(table_id, SHAPES[table_id], [],
                                             ("_hele_landet",) if table_id == "y25i03" else ("_nykom",))
        if row["maaling"] not in table.measures:
            table.measures.append(row["maaling"])
        labels = {}
        group, detail = row["ydelsesgruppe"], row["opdeling"]
        for dim in table.dimensions:
            if dim is YDELSE:
                labels[dim.hierarchy] = YDELSE.total if group == "I alt" else group
            elif dim is VISITATION and detail:
                labels[dim.hierarchy] = detail.removeprefix("Visitationskategori: ")
            elif dim is TILBUD and detail:
                labels[dim.hierarchy] = detail
        key = (row["periode"], row["omraade"], tuple(sorted(labels.items())))
        value = float(row["vaerdi"].replace(",", ".")) if row["vaerdi"] else None
        table.cells.setdefault(key, {})[row["maaling"]] = value
    add_youth_cells(tables["y25i01"])
    add_youth_a02_cells(tables["y60a02"])
    tables.update(input_tables())
    # Tables the catalogue names without real data: right columns, no rows.
    for indicator in default_catalogue():
        for source in indicator.sources:
            if source.kind != "jobindsats":
                continue
            table = tables.setdefault(source.table, Table(source.table, [], [], period_types=("M", "Q")))
            if source.measure not in table.measures:
                table.measures.append(source.measure)
            known = {d.hierarchy for d in table.dimensions}
            for hierarchy in source.hierarchy:
                if hierarchy not in known:
                    table.dimensions.append(Dimension(hierarchy, hierarchy.strip("_").capitalize(), "I alt"))
                    known.add(hierarchy)
    return tables


# Inputs of the target indicators that no public per-kommune extract holds (sygedagpenge y07a02,
# jobafklaring y12a02, fleksjob y08a02): TEST FIGURES, made up but deterministic, in the v3 shape,
# so a replayed refresh exercises the derived engine. `input_value` gives the number for a cell.
INPUT_TABLES = {
    "y07a02": Dimension("_ygrp07", "Ydelsesgrupper", "Sygedagpenge"),
    "y12a02": Dimension("_ygrp12", "Ydelsesgrupper", "Jobafklaringsforløb"),
    "y08a02": Dimension("_ygrp08", "Ydelsesgrupper", "Fleksjob"),
    # ungeledighed's numerator (below): a-dagpenge and, until the reform, uddannelseshjælp.
    "y01a02": Dimension("_ygrp01", "Ydelsesgrupper", "A-dagpenge"),
    "y38a02": Dimension("_ygrp38", "Ydelsesgrupper", "Uddannelseshjælp"),
}
# Uddannelseshjælp became part of kontanthjælp on 1 July 2025: y38a02 has no later months.
REFORM = "2025M07"
INPUT_MONTHS = [f"{y}M{m:02d}" for y in (2024, 2025, 2026) for m in range(1, 13) if f"{y}M{m:02d}" <= "2026M06"]


def revise_ballerup_june(body: dict) -> dict:
    """A `Fault.mutate` for y25i01: Ballerup's June 2026 ledige 7 higher than the extract, a revision."""
    value = body["columns"].index("Antal ledige fuldtidspersoner")
    for row in body["rows"]:
        if row[:3] == ["2026M06", "Ballerup", "Ydelsesgrupper i alt"]:
            row[value] += 7
    return body


def input_value(table_id: str, area_code: str, period_id: str, measure: str) -> float:
    """The made-up figure the replay serves for one cell of an INPUT_TABLES table."""
    base = {"y07a02": 700, "y12a02": 250, "y08a02": 600, "y01a02": 700, "y38a02": 150}[table_id]
    size = 110 if area_code == "000" else 0.5 + (int(area_code) % 97) / 97
    step = int(period_id[:4]) * 12 + int(period_id[5:]) * (3 if "Q" in period_id else 1)
    persons = round(base * size + (step % 17))
    return float(persons if measure == "Antal personer" else round(persons * 0.85))


def input_tables() -> dict[str, Table]:
    areas = default_areas()
    named = [("000", "Hele landet"), *((a.code, a.name) for a in areas.kommuner())]
    quarters = sorted({f"{p[:4]}Q{(int(p[5:]) - 1) // 3 + 1:02d}" for p in INPUT_MONTHS})
    measures = ["Antal personer", "Antal fuldtidspersoner"]
    tables = {}
    for table_id, dimension in INPUT_TABLES.items():
        aged = table_id in YOUTH_A02_SHARE
        table = Table(table_id, [dimension, *([ALDER] if aged else [])], list(measures), period_types=("M", "Q"),
                      always_shown=(dimension.hierarchy,))
        for period_id in (*INPUT_MONTHS, *quarters):
            if table_id == "y38a02" and periods.from_source(period_id) >= periods.from_source(REFORM):
                continue
            for code, name in named:
                table.cells[(period_id, name, ())] = {m: input_value(table_id, code, period_id, m) for m in measures}
        if aged:
            add_youth_a02_cells(table)
        tables[table_id] = table
    return tables


# ungeledighed's inputs by age: SYNTHETIC TEST FIGURES, made up but deterministic. No public
# extract breaks y25i01 or FOLK1AM down by age, so the replay serves a fixed share of the REAL
# totals in the real shapes: y25i01 rows under the `_aldera` hierarchy ("16-24 år", "25-29 år",
# as the catalogue expects them) and FOLK1AM rows with one ALDER code per year of age (18-29).
# A test can recompute any cell from `youth_ledige` and `youth_population`.
YOUTH_LEDIGE_SHARE = {"16-24 år": 0.08, "25-29 år": 0.10}  # of the real "Antal ledige fuldtidspersoner"
YOUTH_POPULATION_SHARE = 0.0125  # of the real population, per year of age 18-29
YOUTH_MEASURE = "Antal ledige fuldtidspersoner"


def youth_ledige(total: float, age_group: str) -> float:
    """The made-up ledige fuldtidspersoner of one `_aldera` group, from the real total of the cell."""
    return float(round(total * YOUTH_LEDIGE_SHARE[age_group]))


def youth_population(total: float, age: int) -> float:
    """The made-up population of one year of age (18-29), from the real FOLK1AM total."""
    return float(round(total * YOUTH_POPULATION_SHARE) + (age - 18))


def add_youth_cells(table: Table) -> None:
    """SYNTHETIC: y25i01's ledige by `_aldera` group, beside the real totals (other dimensions at total)."""
    totals = ((YDELSE.hierarchy, YDELSE.total),)
    for (period_id, area, labels), values in list(table.cells.items()):
        total = values.get(YOUTH_MEASURE)
        if labels != totals or total is None:
            continue
        for group in YOUTH_LEDIGE_SHARE:
            aged = tuple(sorted([*totals, (ALDER.hierarchy, group)]))
            table.cells[(period_id, area, aged)] = {YOUTH_MEASURE: youth_ledige(total, group)}


# ungeledighed's numerator by the notat's definition (fuldtidspersoner 18-29 år on a-dagpenge,
# kontanthjælp and uddannelseshjælp, incl. aktivitetsparate): SYNTHETIC TEST FIGURES. No public
# extract breaks the a02 tables down by age, so the replay serves a fixed share of each month's
# total "Antal fuldtidspersoner" (real for y60a02, made up for y01a02 and y38a02) under the
# `_aldera` hierarchy the catalogue assumes. A test recomputes any cell with `youth_a02`.
YOUTH_A02_SHARE = {
    "y01a02": {"16-24 år": 0.10, "25-29 år": 0.16},
    "y60a02": {"16-24 år": 0.20, "25-29 år": 0.15},
    "y38a02": {"16-24 år": 0.75, "25-29 år": 0.25},
}
A02_MEASURE = "Antal fuldtidspersoner"


def youth_a02(table_id: str, total: float, age_group: str) -> float:
    """The made-up fuldtidspersoner of one `_aldera` group in an a02 table, from the cell's total."""
    return float(round(total * YOUTH_A02_SHARE[table_id][age_group]))


def add_youth_a02_cells(table: Table) -> None:
    """SYNTHETIC: an a02 table's fuldtidspersoner by `_aldera` group, beside its monthly totals."""
    for (period_id, area, labels), values in list(table.cells.items()):
        total = values.get(A02_MEASURE)
        if labels or total is None or "M" not in period_id:
            continue
        for group in YOUTH_A02_SHARE[table.id]:
            table.cells[(period_id, area, ((ALDER.hierarchy, group),))] = {A02_MEASURE: youth_a02(table.id, total, group)}


def table_spec(table: Table) -> dict:
    areas = default_areas()
    area_values = {
        "_nykom": [{"value_id": "/", "value_name": "Hele landet"}]
        + [{"value_id": f"/{a.code}/", "value_name": a.name} for a in areas.kommuner()],
        "_hele_landet": [{"value_id": "/", "value_name": "Hele landet"}],
    }
    period_ids = table.periods()
    by_type = {"M": [p for p in period_ids if "M" in p]}
    if "Q" in table.period_types:
        by_type["Q"] = sorted({f"{p[:4]}Q{(int(p[5:]) - 1) // 3 + 1:02d}" for p in by_type["M"]})
    return {
        "table_id": table.id,
        "periods": [{"periodtype_id": t, "values": [{"period_id": p} for p in ids]} for t, ids in by_type.items()],
        "dimensions": [
            {"dimension_id": "_omrade", "hierarchies": [
                {"hierarchy_id": h, "levels": [{"level_id": "1", "values": area_values[h]}]}
                for h in table.area_hierarchies]},
            *({"dimension_id": d.hierarchy.split("_")[1][:6], "hierarchies": [{"hierarchy_id": d.hierarchy}]}
              for d in table.dimensions),
        ],
        "mgroups": [{"mgroup_id": f"mgrp{table.id}", "measures": table.measures}],
    }


class Unprocessable(Exception):
    def __init__(self, cause: str):
        super().__init__(cause)
        self.cause = cause


def data_answer(table: Table, params: dict[str, str]) -> dict:
    """`/v3/data/{id}`: filter by period, area and hierarchy selections like the real API."""
    period_params = {k.split(".", 1)[1]: v for k, v in params.items() if k.startswith("period.")}
    hierarchies = {k.split(".", 1)[1]: v for k, v in params.items() if k.startswith("hierarchy.")}
    known = {d.hierarchy for d in table.dimensions} | set(table.area_hierarchies)
    unknown = sorted(h for h in hierarchies if h not in known)
    if unknown:
        raise Unprocessable(f"Unknown hierarchies: {unknown}")
    if not period_params:
        raise Unprocessable("A period must be given")
    period_type, selection = next(iter(period_params.items()))
    if period_type not in table.period_types:
        raise Unprocessable(f"Unknown period type: {period_type}")
    ids = [p for p in table.periods() if period_type in p[4:]]
    if selection.startswith("latest:"):
        ids = ids[-int(selection.split(":")[1]):] if ids else []
    else:
        ids = [p for p in ids if p in selection.split(",")]
    area_hierarchy = next((h for h in hierarchies if h in table.area_hierarchies), None)
    if area_hierarchy is None:
        raise Unprocessable(f"An area hierarchy must be given: {', '.join(table.area_hierarchies)}")
    landet = hierarchies[area_hierarchy] == "/"
    shown = [d for d in table.dimensions if d.hierarchy in hierarchies or d.hierarchy in table.always_shown]
    wanted_ids = set(ids)
    rows = []
    for (period_id, area, labels), values in table.cells.items():
        if period_id not in wanted_ids or (area == "Hele landet") != landet:
            continue
        labels = dict(labels)
        keep = True
        for dim in table.dimensions:
            label = labels.get(dim.hierarchy, dim.total)
            if hierarchies.get(dim.hierarchy, "/") == "/" and label != dim.total:
                keep = False
        if keep:
            rows.append([period_id, area, *(labels.get(d.hierarchy, d.total) for d in shown),
                         *(values.get(m) for m in table.measures)])
    rows.sort(key=lambda r: (r[0], r[1]))
    return {"columns": ["Periode", "Område", *(d.column for d in shown), *table.measures], "rows": rows}


@cache
def recordings() -> dict[tuple[str, tuple], bytes]:
    """The recorded answers, keyed by table and hierarchy selection (QUERIES.md)."""
    found: dict[tuple[str, tuple], bytes] = {}
    if not RECORDED.exists():
        return found
    for line in (RECORDED / "QUERIES.md").read_text(encoding="utf-8").splitlines():
        if not line.startswith("- `") or ": `data/" not in line:
            continue
        name = line.split("`")[1]
        query = line.split("`")[3]
        path, _, raw = query.partition("?")
        hierarchies = tuple(sorted((k, v) for k, v in parse_qsl(raw) if k.startswith("hierarchy.")))
        found[(path.split("/")[1], hierarchies)] = (RECORDED / name).read_bytes()
    return found


# -- the StatBank model --------------------------------------------------------------------------


@dataclass(frozen=True)
class StatbankFile:
    name: str
    table: str
    area_column: str  # the variable code in the answer's header
    codes: dict[str, dict[str, str]]  # column -> English text -> code
    fixed: dict[str, str] = field(default_factory=dict)  # extra columns with one code


STATBANK_FILES = [
    StatbankFile("folk1am_population_by_municipality.csv", "FOLK1AM", "OMRÅDE",
                 {"KØN": {"Total": "TOT"}, "ALDER": {"Age, total": "IALT"}}),
    StatbankFile("folk1a_population_annual.csv", "FOLK1A", "OMRÅDE",
                 {"KØN": {"Total": "TOT"}, "ALDER": {"Age, total": "IALT"}, "CIVILSTAND": {"Total": "TOT"}}),
    StatbankFile("lbesk69_employees_by_municipality.csv", "LBESK69", "BOPKOM",
                 {"TAL": {"Full-time employees": "1010"}, "KØN": {"Total": "TOT"}}),
]


@cache
def statbank_tables() -> dict[str, tuple[list[str], list[list[str]]]]:
    """table -> (header, rows) in BULK spelling: value codes, lang=da periods (2018K2)."""
    vocabulary = default_areas().vocabulary()
    tables: dict[str, tuple[list[str], list[list[str]]]] = {}
    for spec in STATBANK_FILES:
        with open(SHARED_DATA / "real" / "dst" / spec.name, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle, delimiter=";")
            columns = [c for c in reader.fieldnames if c not in ("TID", "INDHOLD")]
            header = [spec.area_column if c in ("OMRÅDE", "BOPKOM") else c for c in columns] + ["TID", "INDHOLD"]
            rows = []
            for row in reader:
                name = row.get("OMRÅDE") or row["BOPKOM"]
                code = vocabulary.get(fold(name))
                if code is None:
                    if name != "Christiansø":
                        continue  # landsdele and "abroad": the real API has codes for them
                    code = "411"
                if spec.area_column == "BOPKOM":
                    code = str(int(code))  # BOPKOM writes 0 and 84, not 000 and 084
                cells = []
                for column in columns:
                    cells.append(code if column in ("OMRÅDE", "BOPKOM") else spec.codes[column][row[column]])
                cells += [row["TID"].replace("Q", "K"), row["INDHOLD"]]
                rows.append(cells)
                if spec.table == "FOLK1AM" and row["ALDER"] == "Age, total" and row["INDHOLD"]:
                    # SYNTHETIC TEST FIGURES (see YOUTH_POPULATION_SHARE): the 18-29-årige by year of age.
                    at = columns.index("ALDER")
                    for age in range(18, 30):
                        aged = list(cells)
                        aged[at] = str(age)
                        aged[-1] = str(int(youth_population(float(row["INDHOLD"]), age)))
                        rows.append(aged)
        tables[spec.table] = (header, rows)
    return tables


def statbank_answer(body: dict) -> tuple[int, bytes, str]:
    table = str(body.get("table", ""))
    if body.get("format") not in ("BULK", "CSV"):
        return 400, _json({"errorTypeCode": "REQUEST-MISSING", "message": "Format ikke angivet, eller ikke gyldigt."}), "application/json"
    catalogue_tables = {s.table for i in default_catalogue() for s in i.sources if s.kind == "statbank"}
    tables = statbank_tables()
    if table not in tables:
        if table not in catalogue_tables:
            return 400, _json({"errorTypeCode": "EXTRACT-NOTFOUND", "message": f"Tabel findes ikke: {table}"}), "application/json"
        codes = [v["code"].upper() for v in body.get("variables", [])]
        header = [c for c in codes if c != "TID"] + ["TID", "INDHOLD"]
        return 200, ("\ufeff" + ";".join(header) + "\r\n").encode(), "text/csv; charset=utf-8"
    header, rows = tables[table]
    selections = {fold(v["code"]): v["values"] for v in body.get("variables", [])}
    index = {fold(h): i for i, h in enumerate(header)}
    for variable in selections:
        if variable not in index:
            return 400, _json({"errorTypeCode": "EXTRACT-VARIABLENOTFOUND",
                               "message": f"Variablen findes ikke: {variable}"}), "application/json"
    kept = []
    for row in rows:
        ok = True
        for variable, values in selections.items():
            cell = row[index[variable]]
            if "*" in values:
                continue
            if not any(cell == v or (v.endswith("*") and cell.startswith(v[:-1])) for v in values):
                ok = False
                break
        if ok:
            kept.append(row)
    text = "\ufeff" + ";".join(header) + "\r\n" + "".join(";".join(r) + "\r\n" for r in kept)
    return 200, text.encode("utf-8"), "text/csv; charset=utf-8"


def statbank_table_ids() -> list[str]:
    return sorted({*statbank_tables(), *(s.table for i in default_catalogue() for s in i.sources
                                         if s.kind == "statbank")})


def statbank_tableinfo(table: str) -> dict | None:
    """`/v1/tableinfo/{table}`: the recorded real answer for AUP02; for the others, variables and
    value codes as the served table (or, for a table with no extract, the catalogue) spells them."""
    if table not in statbank_table_ids():
        return None
    recorded = SHARED_DATA / "api-responses" / "statbank" / f"tableinfo_{table}_lang-en.json"
    if recorded.exists():
        return json.loads(recorded.read_text(encoding="utf-8"))
    values: dict[str, set[str]] = {}
    if table in statbank_tables():
        header, rows = statbank_tables()[table]
        for index, code in enumerate(header):
            if code != "INDHOLD":
                values[code] = {row[index] for row in rows}
    for indicator in default_catalogue():
        for source in indicator.sources:
            if source.kind == "statbank" and source.table == table:
                for code, selection in source.variables.items():
                    known = next((k for k in values if fold(k) == fold(code)), code)
                    values.setdefault(known, set()).update(v.strip() for v in selection.split(",")
                                                           if v.strip() and "*" not in v)
    return {"id": table, "text": table, "variables": [
        {"id": code, "text": code.lower(), "time": code == "Tid",
         "values": [{"id": v, "text": v} for v in sorted(found)]} for code, found in values.items()]}


def _json(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


# -- faults and the server -----------------------------------------------------------------------


@dataclass
class Fault:
    """What to do instead of (or to) the next `times` answers whose path contains `path`."""

    path: str
    status: int | None = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    truncate: bool = False  # send the first half of the real body, Content-Length to match
    drop: bool = False  # promise the whole body, send half, close the connection
    mutate: Callable[[dict], dict] | None = None  # change the decoded JSON answer
    times: int = 1_000_000


class ReplayServer:
    """`with ReplayServer() as server:` -> `server.jobindsats_url`, `server.statbank_url`."""

    def __init__(self, *, token: str = TOKEN, port: int = 0, faults: list[Fault] | None = None,
                 delay: float = 0.0):
        self.token = token
        self.faults: list[Fault] = list(faults or [])
        self.delay = delay
        self.requests: list[str] = []
        self.lock = threading.Lock()
        jobindsats_tables()
        statbank_tables()
        handler = type("Handler", (_Handler,), {"replay": self})
        self.httpd = _Server(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        # A short poll keeps stop() fast: shutdown() waits for the loop to look up.
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    @property
    def jobindsats_url(self) -> str:
        return self.url + "v3/"

    @property
    def statbank_url(self) -> str:
        return self.url + "v1/"

    def start(self) -> ReplayServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def fault_for(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.path in path and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None


ANSWERS: dict[tuple, tuple[int, bytes, str]] = {}


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)  # a client that gave up (timeouts) is expected


class _Handler(BaseHTTPRequestHandler):
    replay: ReplayServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without this, Nagle + delayed ACK add 40 ms each.
    disable_nagle_algorithm = True

    def log_message(self, *args) -> None:  # quiet: tests read `replay.requests` instead
        pass

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def _answer(self, method: str) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        payload = self.rfile.read(length) if length else b""
        with self.replay.lock:
            self.replay.requests.append(f"{method} {self.path}")
        if self.replay.delay:
            time.sleep(self.replay.delay)
        fault = self.replay.fault_for(parts.path)
        if fault and fault.delay:
            time.sleep(fault.delay)
        if fault and fault.status is not None:
            return self._send(fault.status, fault.body or b"", "application/json", fault.headers)
        # Answers are cached by request, as a replay should be: a benchmark then times the client.
        # Shared by every server in the process: the answers depend on the request and token only.
        cache_key = (method, self.path, payload, self.headers.get("Authorization"), self.replay.token)
        cached = ANSWERS.get(cache_key)
        if cached is None:
            cached = self._route(method, parts.path, dict(parse_qsl(parts.query, keep_blank_values=True)), payload)
            ANSWERS[cache_key] = cached
        status, body, kind = cached
        if fault and fault.mutate and kind.startswith("application/json") and status == 200:
            body = _json(fault.mutate(json.loads(body)))
        if fault and fault.truncate:
            body = body[: len(body) // 2]
        if fault and fault.drop:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self._send(status, body, kind, fault.headers if fault else {})

    def _send(self, status: int, body: bytes, kind: str, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _route(self, method: str, path: str, params: dict[str, str], payload: bytes) -> tuple[int, bytes, str]:
        kind = "application/json; charset=utf-8"
        if path.startswith("/v1/"):
            if method == "POST" and path == "/v1/data":
                try:
                    return statbank_answer(json.loads(payload or b"{}"))
                except ValueError:
                    return 400, _json({"errorTypeCode": "REQUEST-EMPTY", "message": "Ugyldig forespørgsel"}), kind
            if method == "GET" and path.startswith("/v1/tableinfo/"):
                info = statbank_tableinfo(path.rsplit("/", 1)[1])
                if info is None:
                    return 400, _json({"errorTypeCode": "TABLE-NOTFOUND", "message": "Tabellen findes ikke"}), kind
                return 200, _json(info), kind
            if method == "GET" and path == "/v1/tables":
                return 200, _json([{"id": t, "text": t} for t in statbank_table_ids()]), kind
            return 404, _json({"errorTypeCode": "REQUEST-NOTFOUND", "message": "Ressourcen findes ikke"}), kind
        if not path.startswith("/v3/"):
            return 404, _json({"code": 404, "cause": "Not found"}), kind
        if self.headers.get("Authorization") != f"Bearer {self.replay.token}":
            return 401, _json({"code": 401, "cause": "Invalid or missing token"}), kind
        request_id = str(uuid.uuid4())
        tables = jobindsats_tables()
        if path == "/v3/tables":
            return 200, _json([{"subject_name": "Faktabot replay", "table_groups": [{"table_group_name": "alle",
                               "tables": [{"table_id": t} for t in sorted(tables)]}]}]), kind
        if path.startswith("/v3/table/"):
            table = tables.get(path.rsplit("/", 1)[1])
            if table is None:
                return 404, _json({"code": 404, "cause": "Unknown table", "request_id": request_id}), kind
            return 200, _json(table_spec(table)), kind
        if path.startswith("/v3/data/"):
            table_id = path.rsplit("/", 1)[1]
            hierarchies = tuple(sorted((k, v) for k, v in params.items() if k.startswith("hierarchy.")))
            recorded = recordings().get((table_id, hierarchies))
            if recorded is not None:
                return 200, recorded, kind
            table = tables.get(table_id)
            if table is None:
                return 404, _json({"code": 404, "cause": "Unknown table", "request_id": request_id}), kind
            try:
                return 200, _json(data_answer(table, params)), kind
            except Unprocessable as problem:
                return 422, _json({"code": 422, "cause": problem.cause, "request_id": request_id}), kind
        return 404, _json({"code": 404, "cause": "Not found", "request_id": request_id}), kind


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve Jobindsats v3 and StatBank stand-ins on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--token", default=TOKEN)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before every answer")
    args = parser.parse_args()
    server = ReplayServer(token=args.token, port=args.port, delay=args.delay)
    print(f"JOBINDSATS_API_URL={server.jobindsats_url} JOBINDSATS_TOKEN={args.token} "
          f"STATBANK_API_URL={server.statbank_url}", flush=True)
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()


# -- helpers for the tests and the benchmark -----------------------------------------------------


def fingerprint(path: Path, indicators: tuple[str, ...] = ()) -> tuple[int, int, str]:
    """Rows of observations, rows of revisions, and a checksum over both: equal means untouched.
    With `indicators`, only their rows count (one table's data, when the others may land)."""
    import hashlib
    import sqlite3

    where = f" WHERE indicator IN ({', '.join('?' * len(indicators))})" if indicators else ""
    conn = sqlite3.connect(path)
    try:
        digest = hashlib.sha256()
        for row in conn.execute(f"SELECT * FROM observations{where} ORDER BY indicator, area, period, breakdown",
                                indicators):
            digest.update(repr(row).encode())
        for row in conn.execute(f"SELECT * FROM revisions{where} ORDER BY id", indicators):
            digest.update(repr(row).encode())
        observations = conn.execute(f"SELECT count(*) FROM observations{where}", indicators).fetchone()[0]
        revisions = conn.execute(f"SELECT count(*) FROM revisions{where}", indicators).fetchone()[0]
    finally:
        conn.close()
    return observations, revisions, digest.hexdigest()


def jobindsats_connector(server: ReplayServer, *, token: str = TOKEN, policy=None, sleep=None):
    from indicators.connectors import RetryPolicy, jobindsats

    extra = {"sleep": sleep} if sleep else {}
    return jobindsats.JobindsatsConnector(jobindsats.client(
        server.jobindsats_url, token, policy=policy or RetryPolicy(attempts=2, backoff=0.01, timeout=5), **extra))


def statbank_connector(server: ReplayServer, *, policy=None, sleep=None, this_year: int = 2026):
    from indicators.connectors import RetryPolicy, statbank

    extra = {"sleep": sleep} if sleep else {}
    return statbank.StatbankConnector(statbank.client(
        server.statbank_url, policy=policy or RetryPolicy(attempts=2, backoff=0.01, timeout=5), **extra),
        this_year=this_year)


class ReplayProcess:
    """`with ReplayProcess() as server:` -> the replay server in a process of its own, as a real
    source is another machine: its work then does not compete with the client's for one process's
    interpreter lock (what the refresh benchmark times). `jobindsats_url`, `statbank_url`, `token`
    as `ReplayServer`; no scripted faults and no `requests` log (they live in the other process)."""

    def __init__(self, *, token: str = TOKEN):
        self.token = token
        self.process = None
        self.jobindsats_url = self.statbank_url = ""

    def __enter__(self) -> Self:
        import subprocess
        import sys

        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.replay", "--port", "0", "--token", self.token], cwd=REPO,
            stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()  # the server's settings, once it listens
        settings = dict(part.split("=", 1) for part in line.split())
        if "JOBINDSATS_API_URL" not in settings:
            self.__exit__()
            raise RuntimeError(f"the replay server did not start: {line!r}")
        self.jobindsats_url, self.statbank_url = settings["JOBINDSATS_API_URL"], settings["STATBANK_API_URL"]
        return self

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process.stdout.close()
