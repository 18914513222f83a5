"""The municipality's own files: CSV and XLSX exports into observations (reads one file; no network).

Two kinds of file are understood. Jobindsats' own CSV export
(`tabel;omraade;periode;ydelsesgruppe;maaling;opdeling;vaerdi;enhed`) needs no mapping: each
(tabel, maaling) is placed by the catalogue's Jobindsats entries and stored as that table's
figures. Any other file is matched by its column headers against the import formats: the
`[imports.<name>]` sections of faktabot.toml first, then the catalogue's file sources.
CSV may be separated by semicolons or commas, use a decimal comma, and be UTF-8 (with or without
BOM) or Latin-1/Windows-1252, as Excel writes it.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from indicators import periods
from indicators.catalogue import Areas, Catalogue, fold
from indicators.connectors.http import SourceError
from indicators.connectors.rows import LabelMap, Tally, ValueProblem, is_total, parse_value
from indicators.types import Observation, canonical_breakdown, parse_breakdown

NAME = "file"
JOBINDSATS_EXPORT = ("tabel", "omraade", "periode", "ydelsesgruppe", "maaling", "opdeling", "vaerdi")
CORE_FIELDS = ("period", "area", "value")
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}

# Month and quarter words as jobcentres write them in their exports ("maj 2026", "2. kvt. 2026").
MONTHS = {name: number for number, names in enumerate((
    ("januar", "jan"), ("februar", "feb"), ("marts", "mar"), ("april", "apr"), ("maj",), ("juni", "jun"),
    ("juli", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("oktober", "okt"),
    ("november", "nov"), ("december", "dec")), start=1) for name in names}
_MONTH_WORD = re.compile(r"^([a-zæøå]+)\.?[\s\-/]*(\d{4}|\d{2})$")
_MONTH_NUMBER = re.compile(r"^(\d{1,2})[\-/.](\d{4})$|^(\d{4})[\-/.](\d{1,2})$")
_QUARTER = re.compile(r"^(?:(\d)\.?\s*(?:kvt|kvartal)\.?|[kq](\d))\s*(\d{4})$|^(\d{4})\s*[-\s]?[kq](\d)$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


class FileImportError(SourceError):
    """A file or an import format cannot be used; the message names the file, line and fix."""

    def __init__(self, message: str, *, table: str = ""):
        super().__init__(message, source=NAME, table=table, permanent=True)


@dataclass(frozen=True)
class ImportFormat:
    """How one kind of file maps onto an indicator: our field -> the file's column header."""

    name: str
    indicator: str
    columns: dict[str, str]
    labels: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None
    area: str | None = None  # a fixed area code when the file has no area column
    where: str = ""

    @property
    def required(self) -> list[str]:
        # A format with a fixed `area` (one kommune's own export) needs no area column.
        fields = ("period", "value") if self.area else ("period", "value", "area")
        return [self.columns[f] for f in fields if f in self.columns]


def import_formats(catalogue: Catalogue, areas: Areas, configured: Mapping[str, Mapping] | None = None,
                   config_name: str = "faktabot.toml") -> list[ImportFormat]:
    """faktabot.toml's `[imports.<name>]` sections, then every catalogue file source."""
    formats: list[ImportFormat] = []
    for name, entry in (configured or {}).items():
        where = f"{config_name}, [imports.{name}]"
        if not isinstance(entry, Mapping):
            raise FileImportError(f"{where}: expected a table with `indicator` and `columns`")
        indicator = str(entry.get("indicator", name))
        if indicator not in catalogue:
            raise FileImportError(f"{where}: unknown indicator {indicator!r}; use an id from indicators/catalogue.toml")
        base = next((s for s in catalogue.get(indicator).sources if s.kind == "file"), None)
        columns = {**(base.columns if base else {}), **dict(entry.get("columns", {}))}
        missing = [f for f in ("period", "value") if f not in columns]
        if missing:
            raise FileImportError(f"{where}: `columns` must name the {' and '.join(missing)} column, "
                                  "e.g. columns = { period = \"Måned\", value = \"Antal\" }")
        area = entry.get("area")
        if area is not None:
            found = areas.by_code.get(str(area)) or areas.lookup(str(area))
            if found is None:
                raise FileImportError(f"{where}: unknown area {area!r}; use a DST code such as \"151\" or a name")
            area = found.code
        formats.append(ImportFormat(name, indicator, {k: str(v) for k, v in columns.items()},
                                    {**(base.breakdowns if base else {}), **dict(entry.get("labels", {}))},
                                    entry.get("sheet"), area, where))
    for indicator in catalogue:
        for rank, source in enumerate(indicator.sources):
            if source.kind == "file" and source.columns:
                formats.append(ImportFormat(source.table or indicator.id, indicator.id, dict(source.columns),
                                            dict(source.breakdowns), None, None,
                                            f"[[indicator.{indicator.id}.source]] number {rank + 1} in "
                                            "indicators/catalogue.toml"))
    return formats


# -- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    """A file's cells: the header, then the rows with their line numbers."""

    name: str
    header: list[str]
    rows: list[tuple[int, list[object]]]
    decimal_comma: bool


def decode(raw: bytes) -> str:
    """UTF-8 with or without BOM, else Windows-1252 / Latin-1 (what Danish Excel writes)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


def read_csv(name: str, raw: bytes) -> Sheet:
    text = decode(raw)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = [(line, row) for line, row in enumerate(reader, start=1)]
    rows = [(line, row) for line, row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise FileImportError(f"{name} is empty; export the table again with a header row")
    header = [cell.strip() for cell in rows[0][1]]
    return Sheet(name, header, rows[1:], decimal_comma=delimiter != ",")


def read_xlsx(name: str, path: Path, sheets: Sequence[str] = ()) -> Sheet:
    from openpyxl import load_workbook  # only XLSX imports pay for openpyxl's import

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken or foreign file
        raise FileImportError(f"{name} cannot be read as an Excel workbook ({error}); "
                              "save it again as .xlsx or export it as CSV") from None
    try:
        # A format's `sheet` (faktabot.toml) picks the sheet; otherwise the first one is read.
        sheet = next((s for s in sheets if s in book.sheetnames), None)
        worksheet = book[sheet] if sheet else book.worksheets[0]
        rows = [(line, list(cells)) for line, cells in enumerate(worksheet.iter_rows(values_only=True), start=1)
                if any(c is not None and str(c).strip() for c in cells)]
    finally:
        book.close()
    if not rows:
        raise FileImportError(f"{name}: the sheet is empty; put a header row and the figures on the first sheet")
    header = ["" if c is None else str(c).strip() for c in rows[0][1]]
    return Sheet(name, header, rows[1:], decimal_comma=True)


def read(path: Path, sheets: Sequence[str] = ()) -> Sheet:
    path = Path(path)
    if not path.is_file():
        raise FileImportError(f"no file {path}; check the path given with --file")
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return read_xlsx(path.name, path, sheets)
    if path.suffix.lower() == ".xls":
        raise FileImportError(f"{path.name} is an old Excel file (.xls); save it as .xlsx or CSV and import that")
    return read_csv(path.name, path.read_bytes())


# -- cells -----------------------------------------------------------------------------------


def parse_period(cell: object) -> str:
    """A period cell as the store spells it; accepts the store's, the sources' and Danish spellings."""
    if isinstance(cell, datetime | date):
        return str(periods.month(cell.year, cell.month))
    if isinstance(cell, int | float) and not isinstance(cell, bool) and float(cell).is_integer() \
            and 1900 <= cell <= 2200:
        return str(periods.year(int(cell)))
    text = " ".join(str(cell).strip().casefold().split())
    try:
        return periods.normalise(text.upper())
    except periods.PeriodError:
        pass
    if match := _MONTH_WORD.match(text):
        word, y = match.groups()
        if word in MONTHS:
            return str(periods.month(int(y) if len(y) == 4 else 2000 + int(y), MONTHS[word]))
    if match := _MONTH_NUMBER.match(text):
        m1, y1, y2, m2 = match.groups()
        m, y = (int(m1), int(y1)) if m1 else (int(m2), int(y2))
        if 1 <= m <= 12:
            return str(periods.month(y, m))
    if match := _QUARTER.match(text):
        q1, q2, y1, y2, q3 = match.groups()
        q, y = int(q1 or q2 or q3), int(y1 or y2)
        if 1 <= q <= 4:
            return str(periods.quarter(y, q))
    if match := _DATE.match(text):
        return str(periods.month(int(match.group(1)), int(match.group(2))))
    raise ValueError(f"{cell!r} is not a period; write it as 2026-05, maj 2026, 2026-Q2 or 2. kvt. 2026")


def _area(cell: object, areas: Areas, vocabulary: Mapping[str, str]) -> str | None:
    text = str(cell).strip()
    if text.isdigit() and text.zfill(3) in areas.by_code:
        return text.zfill(3)
    return vocabulary.get(fold(text))


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


# -- normalising -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FileResult:
    observations: list[Observation]
    format: str  # the import format's name, or "jobindsats-eksport"
    skipped: dict[str, int]  # table no indicator uses -> rows


def normalise(sheet: Sheet, catalogue: Catalogue, areas: Areas, formats: Sequence[ImportFormat],
              fetched_at: str, default_area: str | None = None) -> FileResult:
    """A read file as observations, by the first format whose columns it has (pure)."""
    folded = [fold(h) for h in sheet.header]
    if all(column in folded for column in JOBINDSATS_EXPORT):
        return _jobindsats_export(sheet, folded, catalogue, areas, fetched_at)
    for candidate in formats:
        if all(fold(column) in folded for column in candidate.required):
            return _mapped(sheet, folded, candidate, catalogue, areas, fetched_at, default_area)
    known = "; ".join(f"{f.name}: {', '.join(f.required)}" for f in formats[:6])
    raise FileImportError(
        f"{sheet.name}: its columns ({', '.join(sheet.header) or 'none'}) match no import format "
        f"(known formats and the columns they need – {known}; …). Rename the columns, or add "
        "[imports.<name>] with `indicator` and `columns` to faktabot.toml (see README, »Egne filer«)"
    )


def _mapped(sheet: Sheet, folded: list[str], spec: ImportFormat, catalogue: Catalogue, areas: Areas,
            fetched_at: str, default_area: str | None) -> FileResult:
    indicator = catalogue.get(spec.indicator)
    at = {f: folded.index(fold(column)) for f, column in spec.columns.items() if fold(column) in folded}
    missing = [spec.columns[f] for f in spec.columns if f not in at and f not in CORE_FIELDS]
    if missing:
        raise FileImportError(f"{sheet.name}: column {missing[0]!r} is missing (format {spec.name}, {spec.where}); "
                              "add it to the file or remove it from the format's `columns`")
    area_fixed = spec.area or (None if "area" in at else default_area)
    labels = LabelMap(spec.labels)
    vocabulary = areas.vocabulary()
    breakdown_fields = [f for f in at if f not in CORE_FIELDS]
    tally = Tally()
    lines: dict[tuple[str, str, str], int] = {}

    def fail(line: int, problem: str, fix: str) -> FileImportError:
        return FileImportError(f"{sheet.name}, line {line}: {problem}; nothing was stored. {fix}.",
                               table=spec.name)

    for line, row in sheet.rows:
        cells = row + [None] * (len(sheet.header) - len(row))
        try:
            period = parse_period(cells[at["period"]])
        except ValueError as problem:
            raise fail(line, f"column {spec.columns['period']!r}: {problem}", "Correct the cell") from None
        if area_fixed:
            code = area_fixed
        else:
            code = _area(cells[at["area"]], areas, vocabulary) if "area" in at else None
            if code is None:
                raise fail(line, f"area {_text(cells[at['area']]) if 'area' in at else ''!r} is not a kommune, "
                           "region or DST code Faktabot knows", "Write the kommune's name (e.g. Ballerup) or code (151)")
        parts: dict[str, str] = {}
        for key in breakdown_fields:
            label = _text(cells[at[key]])
            mapped = labels.get(label)
            if mapped is not None:
                parts.update(parse_breakdown(mapped))
            elif label == "" or is_total(label):
                continue
            elif key in catalogue.breakdowns and fold(label) in catalogue.breakdowns[key].values:
                parts[key] = catalogue.breakdowns[key].values[fold(label)]
            else:
                known = sorted(set(catalogue.breakdowns[key].values.values())) if key in catalogue.breakdowns else []
                raise fail(line, f"{label!r} in column {spec.columns[key]!r} is not a known "
                           f"{catalogue.breakdowns[key].name if key in catalogue.breakdowns else key}"
                           + (f" ({', '.join(known)})" if known else ""),
                           f"Correct the cell, or add it under `labels` of {spec.where}")
        try:
            value = parse_value(cells[at["value"]], decimal_comma=sheet.decimal_comma)
        except ValueProblem as problem:
            raise fail(line, f"column {spec.columns['value']!r}: {problem}",
                       "Write the figure as a number (1.234 or 3,1); leave it empty if it is not known") from None
        key = (code, period, canonical_breakdown(parts))
        if key in lines:
            raise fail(line, f"it repeats line {lines[key]} ({indicator.id}, {code}, {period}"
                       f"{', ' + key[2] if key[2] else ''})", "Remove one of the two lines")
        lines[key] = line
        tally.add(*key, value)
    source = f"{NAME}:{sheet.name}"
    observations = [Observation(indicator.id, area, period, value, breakdown, indicator.unit, source, False,
                                fetched_at)
                    for (area, period, breakdown), value in tally.values.items()]
    return FileResult(observations, spec.name, {})


def _jobindsats_export(sheet: Sheet, folded: list[str], catalogue: Catalogue, areas: Areas,
                       fetched_at: str) -> FileResult:
    """Jobindsats' CSV export: each (tabel, maaling) goes where the catalogue's Jobindsats entries put it."""
    col = {name: folded.index(name) for name in (*JOBINDSATS_EXPORT, "enhed") if name in folded}
    entries: dict[tuple[str, str], list[tuple[str, LabelMap]]] = {}
    for indicator in catalogue:
        for source in indicator.sources:
            if source.kind == "jobindsats":
                entries.setdefault((source.table.lower(), fold(source.measure)), []).append(
                    (indicator.id, LabelMap(source.breakdowns)))
    vocabulary = areas.vocabulary()
    tallies: dict[tuple[str, str], Tally] = {}  # (indicator, table) -> values
    skipped: dict[str, int] = {}
    placed_by: dict[tuple, int] = {}

    def fail(line: int, problem: str, fix: str) -> FileImportError:
        return FileImportError(f"{sheet.name}, line {line}: {problem}; nothing was stored. {fix}.")

    for line, row in sheet.rows:
        cell = {name: _text(row[index]) if index < len(row) else "" for name, index in col.items()}
        table, measure = cell["tabel"].lower(), cell["maaling"]
        candidates = entries.get((table, fold(measure)))
        if not candidates:
            skipped[table] = skipped.get(table, 0) + 1  # a table or measure no indicator uses
            continue
        labels = [cell["ydelsesgruppe"], cell["opdeling"]]
        done: set[str] = set()
        unknown: tuple[str, ...] = ()
        places = []
        for indicator_id, labels_map in candidates:
            if indicator_id in done:
                continue  # an earlier entry of this indicator placed the row: it wins
            result = labels_map.place(labels)
            if result.breakdown is not None:
                done.add(indicator_id)
                places.append((indicator_id, result.breakdown))
            unknown = unknown or result.unknown
        if not places:
            raise fail(line, f"{table} »{measure}« with {' / '.join(l for l in labels if l)!r}: "
                       f"{'label ' + repr(unknown[0]) + ' is' if unknown else 'the labels are'} not one the "
                       "catalogue knows", f"Add it under `labels` of the {table} entries in indicators/catalogue.toml")
        code = vocabulary.get(fold(cell["omraade"]))
        if code is None:
            raise fail(line, f"area {cell['omraade']!r} is not in indicators/areas.toml",
                       "Add the spelling to that area's `names` in indicators/areas.toml")
        try:
            period = str(periods.from_source(cell["periode"]))
            value = parse_value(cell["vaerdi"])
        except (periods.PeriodError, ValueProblem) as problem:
            raise fail(line, str(problem), "Export the table again from Jobindsats.dk") from None
        for indicator_id, breakdown in places:
            key = (indicator_id, code, period, breakdown, table)
            if key in placed_by:
                raise fail(line, f"it repeats line {placed_by[key]}", "Remove one of the two lines")
            placed_by[key] = line
            tallies.setdefault((indicator_id, table), Tally()).add(code, period, breakdown, value)
    observations = []
    for (indicator_id, table), tally in tallies.items():
        unit = catalogue.get(indicator_id).unit
        observations.extend(Observation(indicator_id, area, period, value, breakdown, unit, f"jobindsats:{table}",
                                        False, fetched_at)
                            for (area, period, breakdown), value in tally.values.items())
    return FileResult(observations, "jobindsats-eksport", skipped)


def load(path: Path, catalogue: Catalogue, areas: Areas, formats: Sequence[ImportFormat], fetched_at: str,
         default_area: str | None = None) -> FileResult:
    """Read and normalise one file (the I/O half and the pure half, for the refresh)."""
    sheets = [f.sheet for f in formats if f.sheet]
    return normalise(read(path, sheets), catalogue, areas, formats, fetched_at, default_area)
