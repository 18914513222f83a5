"""The municipality's own files: CSV and XLSX exports into observations (reads one file; no network).

Two kinds of file are understood. Jobindsats' own CSV export
(`tabel;omraade;periode;ydelsesgruppe;maaling;opdeling;vaerdi;enhed`) needs no mapping: each
(tabel, maaling) is placed by the catalogue's Jobindsats entries and stored as that table's
figures. Any other file is matched by its column headers against the import formats: the
`[imports.<name>]` sections of faktabot.toml first, then the catalogue's file sources.
CSV may be separated by semicolons, commas or tabs, use a decimal comma, and be UTF-8 (with or
without BOM), UTF-16 with BOM (Excel's »Unicode-tekst«) or Latin-1/Windows-1252, as Excel writes it.

Files come from people, so reading is bounded (`Limits`): the file's size, an XLSX's unpacked size,
declared dimension and cells, the length of a line and of a cell. CSV is streamed, so memory does
not grow with the file. Errors name the file, line, column and problem; the text stored with a
failed run (`FileImportError.stored`) leaves out the file's content.
"""
from __future__ import annotations

import codecs
import csv
import difflib
import itertools
import math
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from indicators import periods
from indicators.catalogue import Areas, Catalogue, fold
from indicators.connectors.http import SourceError
from indicators.connectors.rows import (
    LabelMap,
    Tally,
    ValueProblem,
    is_total,
    parse_value,
)
from indicators.types import Observation, canonical_breakdown, parse_breakdown
from indicators.validation import danish_number
from indicators.wording import wording

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


MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one import may hold; a file beyond any of them is refused with the limit named."""

    max_bytes: int = 50 * MB  # the file on disk
    max_unpacked_bytes: int = 250 * MB  # an XLSX's parts unpacked (a zip may hide a 1 GB string in 1 MB)
    max_cells: int = 2_000_000  # an XLSX sheet's declared or read cells
    max_cell_chars: int = 1_000  # one cell; no label, period or figure is longer
    max_line_chars: int = 100_000  # one CSV line


class FileImportError(SourceError):
    """A file or an import format cannot be used; the message names the file, line and fix.

    `stored` is the same error without anything read from the file (cells, headers): that is what
    a failed run records, as the file may be a wrong one holding anything.
    """

    def __init__(self, message: str, *, table: str = "", stored: str | None = None):
        super().__init__(message, source=NAME, table=table, permanent=True)
        self.stored = stored or message


def _count(number: int) -> str:
    """A count as Danes write it: 2.000.000."""
    return f"{number:,}".replace(",", ".")


def _mb(size: int) -> str:
    if size < MB:
        return f"{_count(size)} bytes"
    return f"{size / MB:.1f} MB".replace(".0 MB", " MB").replace(".", ",")


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
    shipped: bool = False  # a catalogue file source, not a faktabot.toml [imports] section

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
            raise FileImportError(wording("file_format_not_table", where=where))
        indicator = str(entry.get("indicator", name))
        if indicator not in catalogue:
            raise FileImportError(wording("file_format_unknown_indicator", where=where, indicator=indicator))
        base = next((s for s in catalogue.get(indicator).sources if s.kind == "file"), None)
        columns = {**(base.columns if base else {}), **dict(entry.get("columns", {}))}
        missing = [f for f in ("period", "value") if f not in columns]
        if missing:
            raise FileImportError(wording("file_format_missing_columns", where=where, missing=" og ".join(missing)))
        area = entry.get("area")
        if area is not None:
            found = areas.by_code.get(str(area)) or areas.lookup(str(area))
            if found is None:
                raise FileImportError(wording("file_format_unknown_area", where=where, area=area))
            area = found.code
        formats.append(ImportFormat(name, indicator, {k: str(v) for k, v in columns.items()},
                                    {**(base.breakdowns if base else {}), **dict(entry.get("labels", {}))},
                                    entry.get("sheet"), area, where))
    for indicator in catalogue:
        for rank, source in enumerate(indicator.sources):
            if source.kind == "file" and source.columns:
                formats.append(ImportFormat(source.table or indicator.id, indicator.id, dict(source.columns),
                                            dict(source.breakdowns), None, None,
                                            wording("file_format_catalogue", indicator=indicator.id, rank=rank + 1),
                                            shipped=True))
    return formats


# -- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    """A file's cells: the header, then the rows with their line numbers (read as they are used)."""

    name: str
    header: list[str]
    rows: Iterable[tuple[int, list[object]]]
    decimal_comma: bool
    sheet: str | None = None  # the workbook sheet read (None for CSV)
    sheets: tuple[str, ...] = ()  # every sheet of the workbook


# Excel's »Unicode-tekst (*.txt)« is UTF-16 with its byte order mark, tab-separated; read as
# Latin-1 its every other byte is NUL, and the header printed in the error garbled the terminal.
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode(raw: bytes) -> str:
    """UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252 / Latin-1 (what Danish Excel writes)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    if raw.startswith(UTF16_BOMS):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


def _encoding(path: Path, chunk: int = MB) -> str:
    """The encoding `decode` would choose, found by streaming the file instead of holding it."""
    with open(path, "rb") as handle:
        if handle.read(2) in UTF16_BOMS:
            return "utf-16"  # the codec reads the mark and drops it
    for name in ("utf-8", "cp1252"):
        decoder = codecs.getincrementaldecoder(name)()
        try:
            with open(path, "rb") as handle:
                while block := handle.read(chunk):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        if name == "utf-8":
            with open(path, "rb") as handle:
                return "utf-8-sig" if handle.read(3) == b"\xef\xbb\xbf" else "utf-8"
        return name
    return "latin-1"


def _bounded_lines(handle, name: str, limits: Limits) -> Iterator[str]:
    """The file's lines, refusing one longer than the limit before it is held in memory."""
    number = 0
    while line := handle.readline(limits.max_line_chars + 1):
        number += 1
        if len(line) > limits.max_line_chars:
            raise FileImportError(wording("file_line_too_long", name=name, line=number,
                                          limit=_count(limits.max_line_chars)))
        yield line


def _csv_rows(path: Path, name: str, encoding: str, delimiter: str, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    with open(path, encoding=encoding, newline="") as handle:
        reader = csv.reader(_bounded_lines(handle, name, limits), delimiter=delimiter)
        try:
            for line, row in enumerate(reader, start=1):
                if any(cell.strip() for cell in row):
                    for column, cell in enumerate(row, start=1):
                        if len(cell) > limits.max_cell_chars:
                            raise _cell_too_long(name, line, column, limits)
                    yield line, row
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                # csv's own words (English); the cause is nearly always a quote (") never closed,
                # which makes every line after it one cell.
                raise FileImportError(wording("file_csv_field_too_long", name=name, line=reader.line_num,
                                              limit=_count(csv.field_size_limit()))) from None
            raise FileImportError(wording("file_not_csv", name=name, line=reader.line_num, error=error)) from None


def _cell_too_long(name: str, line: int, column: int, limits: Limits) -> FileImportError:
    return FileImportError(wording("file_cell_too_long", name=name, line=line, column=column,
                                   limit=_count(limits.max_cell_chars)))


def read_csv_file(path: Path, limits: Limits = Limits()) -> Sheet:
    """A CSV file as a streamed sheet: the header now, the rows as the import reads them."""
    name = path.name
    encoding = _encoding(path)
    with open(path, encoding=encoding, newline="") as handle:
        first = next((line for line in _bounded_lines(handle, name, limits) if line.strip()), "")
    delimiter = max((";", ",", "\t"), key=first.count)
    rows = _csv_rows(path, name, encoding, delimiter, limits)
    header_row = next(rows, None)
    if header_row is None:
        raise FileImportError(wording("file_empty", name=name))
    header = [cell.strip() for cell in header_row[1]]
    return Sheet(name, header, rows, decimal_comma=delimiter != ",")


def read_csv(name: str, raw: bytes) -> Sheet:
    """CSV bytes already in memory (small answers, tests) as a sheet."""
    text = decode(raw)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter)
    rows = [(line, row) for line, row in enumerate(reader, start=1) if any(cell.strip() for cell in row)]
    if not rows:
        raise FileImportError(wording("file_empty", name=name))
    header = [cell.strip() for cell in rows[0][1]]
    return Sheet(name, header, rows[1:], decimal_comma=delimiter != ",")


def _check_unpacked(name: str, path: Path, limits: Limits) -> None:
    """Refuse an XLSX whose parts unpack beyond the limit, before openpyxl unpacks any of them."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        raise FileImportError(wording("file_not_xlsx", name=name)) from None
    if unpacked > limits.max_unpacked_bytes:
        raise FileImportError(wording("file_unpacks_too_big", name=name, size=_mb(unpacked),
                                      limit=_mb(limits.max_unpacked_bytes)))


def _xlsx_rows(name: str, worksheet, limits: Limits) -> Iterator[tuple[int, list[object]]]:
    cells = 0
    for line, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
        cells += len(row)
        if cells > limits.max_cells:
            raise FileImportError(wording("file_too_many_cells", name=name, limit=_count(limits.max_cells)))
        if any(c is not None and str(c).strip() for c in row):
            for column, cell in enumerate(row, start=1):
                if isinstance(cell, str) and len(cell) > limits.max_cell_chars:
                    raise _cell_too_long(name, line, column, limits)
            yield line, list(row)


def read_xlsx(name: str, path: Path, sheets: Sequence[str] = (), limits: Limits = Limits()) -> Sheet:
    from openpyxl import load_workbook  # only XLSX imports pay for openpyxl's import

    _check_unpacked(name, path, limits)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a broken or foreign file
        raise FileImportError(wording("file_not_xlsx", name=name)) from None
    try:
        # A format's `sheet` (faktabot.toml) picks the sheet; otherwise the first one is read.
        sheet = next((s for s in sheets if s in book.sheetnames), None)
        worksheet = book[sheet] if sheet else book.worksheets[0]
        names = tuple(book.sheetnames)
        # The sheet's declared dimension (A1:XFD1048576 makes openpyxl pad every row to 16.384
        # columns and yield a million rows): refuse it before reading a row.
        bounds = (worksheet.min_row, worksheet.max_row, worksheet.min_column, worksheet.max_column)
        if all(isinstance(b, int) for b in bounds):
            declared = (bounds[1] - bounds[0] + 1) * (bounds[3] - bounds[2] + 1)
            if declared > limits.max_cells:
                raise FileImportError(wording(
                    "file_declares_too_many_cells", name=name, rows=_count(bounds[1] - bounds[0] + 1),
                    columns=_count(bounds[3] - bounds[2] + 1), limit=_count(limits.max_cells)))
        # Rows are few once the dimension is checked; reading them here lets the book close.
        rows = list(_xlsx_rows(name, worksheet, limits))
    finally:
        book.close()
    if not rows:
        raise FileImportError(wording("file_sheet_empty", name=name))
    header = ["" if c is None else str(c).strip() for c in rows[0][1]]
    return Sheet(name, header, rows[1:], decimal_comma=True, sheet=worksheet.title, sheets=names)


def read(path: Path, sheets: Sequence[str] = (), limits: Limits = Limits()) -> Sheet:
    try:
        return _read(Path(path), sheets, limits)
    except OSError as error:
        # The file went away or could not be read while it was read (a share, a copy moved away): said
        # in Danish with its path, not as the operating system's English (»No such file or directory«).
        raise FileImportError(wording("file_unreadable", path=path, reason=_os_reason(error))) from None


def _os_reason(error: OSError) -> str:
    if isinstance(error, FileNotFoundError):
        return wording("file_reason_gone")
    if isinstance(error, PermissionError):
        return wording("file_reason_no_access")
    return wording("file_reason_os", error=error.strerror or type(error).__name__)


def _read(path: Path, sheets: Sequence[str], limits: Limits) -> Sheet:
    if path.is_dir():
        raise FileImportError(wording("file_is_folder", path=path))
    if not path.is_file():
        raise FileImportError(wording("file_missing", path=path))
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise FileImportError(wording("file_too_big", name=path.name, size=_mb(size), limit=_mb(limits.max_bytes)))
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return read_xlsx(path.name, path, sheets, limits)
    if path.suffix.lower() == ".xls":
        raise FileImportError(wording("file_old_excel", name=path.name))
    return read_csv_file(path, limits)


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
    raise ValueError(wording("file_not_period", cell=cell))


def _header_below(sheet: Sheet, formats: Sequence[ImportFormat], look: int = 10) -> tuple[int, list[str]] | None:
    """The line, among the first few under the first, that is a known format's header, and its cells."""
    for line, row in itertools.islice(sheet.rows, look):
        cells = ["" if cell is None else str(cell).strip() for cell in row]
        folded = [fold(cell) for cell in cells]
        if all(column in folded for column in JOBINDSATS_EXPORT) or any(
                all(fold(column) in folded for column in candidate.required) for candidate in formats):
            return line, [cell[:40] for cell in cells if cell][:20]
    return None


def _other_separator(header: Sequence[str]) -> str | None:
    """The separator of a header read as one column (»Måned|Kommune|…«), if it is one people use."""
    if len(header) != 1:
        return None
    return next((c for c in ("|", ":", "/", "#") if header[0].count(c) >= 2), None)


def _not_begun(period: str, fetched_at: str) -> bool:
    """A month or quarter that has not begun when the file is read: no count can be in for it, so
    it is a typo (2027 for 2026) that would become the figure's newest period. A year may lie
    ahead: a forecast (konjunkturprognose) is a year's figure, and validation bounds it."""
    if len(period) != 7 or period[4] != "-":
        return False
    first_month = f"{period[:4]}-{(int(period[6]) - 1) * 3 + 1:02d}" if period[5] == "Q" else period
    return first_month > fetched_at[:7]


_KOMMUNE_SUFFIX = re.compile(r"\s+(regions)?kommune$", re.IGNORECASE)


def _area(cell: object, areas: Areas, vocabulary: Mapping[str, str]) -> str | None:
    text = _text(cell)
    if text.isdigit() and text.lstrip("0").zfill(3) in areas.by_code:
        return text.lstrip("0").zfill(3)  # "151", and "0151" as some systems pad the code
    found = vocabulary.get(fold(text))
    if found is None and _KOMMUNE_SUFFIX.search(text):
        # The official name as case systems export it: »Ballerup Kommune«, »Københavns Kommune«,
        # »Bornholms Regionskommune« (the genitive s only where the name without it is known).
        name = _KOMMUNE_SUFFIX.sub("", text)
        found = vocabulary.get(fold(name)) or (vocabulary.get(fold(name[:-1])) if name.endswith("s") else None)
    return found


def _close_area(text: str, areas: Areas):
    """The kommune or region whose name is close to a misspelt one (»Balerup«: Ballerup), or None,
    so the line's error names what was likely meant, as faktabot.toml's area does."""
    names = {fold(area.name): area for area in areas.by_code.values()}
    close = difflib.get_close_matches(fold(text), list(names), n=1, cutoff=0.75) if text and not text.isdigit() else []
    return names[close[0]] if close else None


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
    lines: dict[tuple[str, str, str, str], int] = field(default_factory=dict)  # line_key -> first line


def line_key(obs: Observation) -> tuple[str, str, str, str]:
    return (obs.indicator, obs.area, obs.period, obs.breakdown)


class _Problems:
    """The lines a file cannot be imported for: it is refused whole, naming the first ten.

    Reading stops at the STOP'th bad line: a huge file broken from line 3 on was read to its end
    (minutes) only to count its errors; the first ones are what the operator fixes first.
    """

    LIMIT = 10
    STOP = 20

    def __init__(self, name: str, table: str = ""):
        self.name, self.table = name, table
        self.found: list[tuple[int, str, str, str]] = []  # line, problem, fix, problem without content
        self.count = 0

    def add(self, line: int, problem: str, fix: str, stored: str | None = None) -> None:
        self.count += 1
        if len(self.found) < self.LIMIT:
            self.found.append((line, problem, fix, stored or problem))
        if self.count >= self.STOP:
            self.raise_any(stopped_at=line)

    def raise_any(self, stopped_at: int | None = None) -> None:
        if not self.count:
            return
        if self.count == 1:
            line, problem, fix, stored = self.found[0]
            raise FileImportError(wording("file_line_problem", name=self.name, line=line, problem=problem, fix=fix),
                                  table=self.table,
                                  stored=wording("file_line_problem", name=self.name, line=line, problem=stored, fix=fix))
        more = wording("file_more", count=_count(self.count - len(self.found))) if self.count > len(self.found) else ""
        fix = self.found[0][2]

        def said(lines: list[str]) -> str:
            if stopped_at is not None:
                return wording("file_lines_stopped", name=self.name, count=_count(self.count), line=_count(stopped_at),
                               lines="; ".join(lines), more=more, fix=fix)
            return wording("file_lines_problem", name=self.name, count=_count(self.count), lines="; ".join(lines), more=more,
                           fix=fix)
        raise FileImportError(
            said([wording("file_line", line=line, problem=problem) for line, problem, _, _ in self.found]),
            table=self.table,
            stored=said([wording("file_line", line=line, problem=stored) for line, _, _, stored in self.found]),
        )


def normalise(sheet: Sheet, catalogue: Catalogue, areas: Areas, formats: Sequence[ImportFormat],
              fetched_at: str, default_area: str | None = None) -> FileResult:
    """A read file as observations, by the first format whose columns it has (pure)."""
    folded = [fold(h) for h in sheet.header]
    result = None
    if all(column in folded for column in JOBINDSATS_EXPORT):
        result = _jobindsats_export(sheet, folded, catalogue, areas, fetched_at)
    else:
        chosen = None
        for candidate in formats:
            if not all(fold(column) in folded for column in candidate.required):
                continue
            if candidate.sheet and sheet.sheet is not None and candidate.sheet != sheet.sheet:
                if candidate.sheet in sheet.sheets:
                    continue  # another format's sheet was read
                # The format's sheet is not in the workbook (misspelt, renamed): the first sheet was
                # read instead and, having the same columns, imported in its place without a word.
                raise FileImportError(wording("file_sheet_missing", where=candidate.where, sheet=candidate.sheet,
                                              name=sheet.name, sheets=", ".join(sheet.sheets)),
                                      stored=wording("file_sheet_missing_stored", where=candidate.where,
                                                     sheet=candidate.sheet, name=sheet.name))
            chosen = candidate
            break
        result = None if chosen is None else _mapped(sheet, folded, chosen, catalogue, areas, fetched_at, default_area)
    if result is not None:
        if not result.observations and not result.skipped:
            # A header and no line under it (a template saved before it was filled in): an error,
            # not a run that "found no figures", which exited 0 and sent the operator to the catalogue.
            raise FileImportError(wording("file_no_rows", name=sheet.name))
        if not result.observations:
            # Every line a table or measure no figure uses: imported as "0 rows", the file went to
            # imported/ and status called it current, though nothing of it reached the store.
            raise FileImportError(wording("file_nothing_used", name=sheet.name,
                                          count=_count(sum(result.skipped.values())),
                                          tables=", ".join(sorted(result.skipped))[:200]))
        return result
    below = _header_below(sheet, formats)
    if below is not None:
        # A title above the header (»Udtræk fra Fasit 2026-05-03«), as many systems export: the
        # first line was taken for the header, and the message listed it as the file's columns.
        line, header = below
        raise FileImportError(wording("file_header_below", name=sheet.name, line=line, columns=", ".join(header)),
                              stored=wording("file_header_below_stored", name=sheet.name, line=line))
    separator = _other_separator(sheet.header)
    if separator:
        # One column holding the whole header: the file is split by a character CSV here is not.
        raise FileImportError(wording("file_other_separator", name=sheet.name, separator=separator))
    known = "; ".join(f"{f.name}: {', '.join(f.required)}" for f in formats[:6])
    shown = ", ".join(h[:40] for h in sheet.header[:20]) + (", …" if len(sheet.header) > 20 else "")
    raise FileImportError(
        wording("file_no_format", name=sheet.name, columns=shown or wording("file_no_columns"), known=known),
        stored=wording("file_no_format_stored", name=sheet.name, count=len(sheet.header), known=known),
    )


FINENESS = {"year": 0, "quarter": 1, "month": 2}
def counted_whole(indicator) -> bool:
    """True for a figure counted in whole things (catalogue key `whole = true`: samtaler, personer,
    forløb): a fraction is an error."""
    return indicator.whole


def _said_value(value: float | None) -> str:
    return wording("file_value_empty") if value is None else danish_number(value)


def _mapped(sheet: Sheet, folded: list[str], spec: ImportFormat, catalogue: Catalogue, areas: Areas,
            fetched_at: str, default_area: str | None) -> FileResult:
    indicator = catalogue.get(spec.indicator)
    at = {f: folded.index(fold(column)) for f, column in spec.columns.items() if fold(column) in folded}
    missing = [spec.columns[f] for f in spec.columns if f not in at and f not in CORE_FIELDS]
    if missing:
        raise FileImportError(wording("file_column_missing", name=sheet.name, column=missing[0], format=spec.name,
                                      where=spec.where))
    area_fixed = spec.area or (None if "area" in at else default_area)
    labels = LabelMap(spec.labels)
    vocabulary = areas.vocabulary()
    breakdown_fields = [f for f in at if f not in CORE_FIELDS]
    whole = counted_whole(indicator)
    tally = Tally()
    lines: dict[tuple[str, str, str], int] = {}
    problems = _Problems(sheet.name, spec.name)

    for line, row in sheet.rows:
        cells = row + [None] * (len(sheet.header) - len(row))
        try:
            period = parse_period(cells[at["period"]])
        except ValueError as problem:
            problems.add(line, wording("file_cell_period", column=spec.columns["period"], problem=problem),
                         wording("file_fix_cell"), wording("file_cell_period_stored", column=spec.columns["period"]))
            continue
        if _not_begun(period, fetched_at):
            problems.add(line, wording("file_cell_future", column=spec.columns["period"], period=period),
                         wording("file_fix_cell"), wording("file_cell_future_stored", column=spec.columns["period"]))
            continue
        kind = periods.parse(period).kind
        if FINENESS[kind] > FINENESS[indicator.frequency]:
            # A month in a quarterly figure (»maj 2026« under »Kvartal«) was stored beside the series'
            # quarters and replaced its eksempeldata. (A coarser period, a quarter's or a year's total
            # of a monthly figure, is a kommune's own way to deliver it and is kept.)
            problems.add(line, wording("file_cell_frequency", column=spec.columns["period"], period=period,
                                       kind=wording(f"file_kind_{kind}"), name=indicator.name,
                                       frequency=wording(f"file_per_{indicator.frequency}")),
                         wording("file_fix_cell"), wording("file_cell_frequency_stored", column=spec.columns["period"]))
            continue
        if area_fixed:
            code = area_fixed
        else:
            code = _area(cells[at["area"]], areas, vocabulary) if "area" in at else None
            if code is None:
                written = _text(cells[at["area"]])[:40] if "area" in at else ""
                close = _close_area(written, areas)
                problems.add(line, wording("file_cell_area_close", area=written, name=close.name, code=close.code)
                             if close else wording("file_cell_area", area=written),
                             wording("file_fix_area"),
                             wording("file_cell_area_stored", column=spec.columns.get("area", "area")))
                continue
        parts: dict[str, str] = {}
        unknown_label = False
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
                kind = catalogue.breakdowns[key].name if key in catalogue.breakdowns else key
                problems.add(line, wording("file_cell_label", label=label[:40], column=spec.columns[key], kind=kind,
                                           known=f" ({', '.join(known)})" if known else ""),
                             # The shipped catalogue lies inside the installation: the operator's
                             # place for a label of their own is faktabot.toml's [imports.<name>].
                             # (No cell in the fix: it is stored with the run, where cells never go.)
                             wording("file_fix_label_shipped", format=spec.name, key=key)
                             if spec.shipped else wording("file_fix_label", where=spec.where),
                             wording("file_cell_label_stored", column=spec.columns[key], kind=kind))
                unknown_label = True
                break
        if unknown_label:
            continue
        try:
            value = parse_value(cells[at["value"]], decimal_comma=sheet.decimal_comma)
        except ValueProblem as problem:
            problems.add(line, wording("file_cell_value", column=spec.columns["value"], problem=problem),
                         wording("file_fix_value"), wording("file_cell_value_stored", column=spec.columns["value"]))
            continue
        if whole and value is not None and math.isfinite(value) and not value.is_integer():
            # »3,5« samtaler was stored as 3,5 and shown as »4 samtaler«: a count of whole things.
            problems.add(line, wording("file_cell_fraction", column=spec.columns["value"], value=danish_number(value),
                                       unit=indicator.unit),
                         wording("file_fix_fraction", unit=indicator.unit),
                         wording("file_cell_fraction_stored", column=spec.columns["value"], unit=indicator.unit))
            continue
        key = (code, period, canonical_breakdown(parts))
        if key in lines:
            what = ", ".join([indicator.id, code, period] + ([key[2]] if key[2] else []))
            first = tally.values[key]
            if first == value:
                problems.add(line, wording("file_repeats", line=lines[key], what=what), wording("file_fix_repeats"))
            else:
                # The same figure twice with two values: which one is right only the kommune knows.
                problems.add(line, wording("file_conflicts", line=lines[key], what=what, value=_said_value(value),
                                           first=_said_value(first)),
                             wording("file_fix_conflicts"),
                             wording("file_conflicts_stored", line=lines[key], what=what))
            continue
        lines[key] = line
        tally.add(*key, value)
    problems.raise_any()
    source = f"{NAME}:{sheet.name}"
    observations = [Observation(indicator.id, area, period, value, breakdown, indicator.unit, source, False,
                                fetched_at)
                    for (area, period, breakdown), value in tally.values.items()]
    return FileResult(observations, spec.name, {},
                      {(indicator.id, *key): line for key, line in lines.items()})


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
    placed_value: dict[tuple, float | None] = {}
    problems = _Problems(sheet.name)

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
            which = wording("file_export_label_one", label=unknown[0]) if unknown else wording("file_export_label_all")
            problems.add(line, wording("file_export_labels", table=table, measure=measure,
                                       labels=" / ".join(label for label in labels if label), which=which),
                         wording("file_fix_export_labels", table=table), wording("file_export_labels_stored", table=table))
            continue
        code = vocabulary.get(fold(cell["omraade"]))
        if code is None:
            problems.add(line, wording("file_export_area", area=cell["omraade"][:40]), wording("file_fix_export_area"),
                         wording("file_export_area_stored"))
            continue
        try:
            period = str(periods.from_source(cell["periode"]))
            value = parse_value(cell["vaerdi"])
        except (periods.PeriodError, ValueProblem) as problem:
            column = "periode" if isinstance(problem, periods.PeriodError) else "vaerdi"
            problems.add(line, str(problem), wording("file_fix_export"),
                         wording("file_export_not_period" if column == "periode" else "file_export_not_number",
                                 column=column))
            continue
        for indicator_id, breakdown in places:
            key = (indicator_id, code, period, breakdown, table)
            if key in placed_by:
                first = placed_value[key]
                if first == value:
                    problems.add(line, wording("file_repeats_line", line=placed_by[key]), wording("file_fix_repeats"))
                else:
                    problems.add(line, wording("file_conflicts_line", line=placed_by[key], value=_said_value(value),
                                               first=_said_value(first)),
                                 wording("file_fix_conflicts"), wording("file_conflicts_line_stored", line=placed_by[key]))
                break
            placed_by[key] = line
            placed_value[key] = value
            tallies.setdefault((indicator_id, table), Tally()).add(code, period, breakdown, value)
    problems.raise_any()
    observations = []
    for (indicator_id, table), tally in tallies.items():
        unit = catalogue.get(indicator_id).unit
        observations.extend(Observation(indicator_id, area, period, value, breakdown, unit, f"jobindsats:{table}",
                                        False, fetched_at)
                            for (area, period, breakdown), value in tally.values.items())
    lines = {key[:4]: line for key, line in placed_by.items()}
    return FileResult(observations, "jobindsats-eksport", skipped, lines)


def load(path: Path, catalogue: Catalogue, areas: Areas, formats: Sequence[ImportFormat], fetched_at: str,
         default_area: str | None = None, *, limits: Limits | None = None, max_bytes: int | None = None) -> FileResult:
    """Read and normalise one file (the I/O half and the pure half, for the refresh).

    `max_bytes` overrides `limits.max_bytes` (default 50 MB), for a configured limit.
    """
    limits = limits or Limits()
    if max_bytes is not None:
        limits = replace(limits, max_bytes=max_bytes)
    sheets = [f.sheet for f in formats if f.sheet]
    return normalise(read(path, sheets, limits), catalogue, areas, formats, fetched_at, default_area)
