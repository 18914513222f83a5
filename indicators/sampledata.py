"""The shipped sample data: real published figures plus labelled eksempeldata, as two gzipped CSVs.

Build time (I/O): reads the real extracts in `../shared/data/real/`, takes the eksempeldata from
`indicators.eksempeldata`, writes `sample/real.csv.gz` and `sample/eksempeldata.csv.gz`.
Run time: `faktabot init` streams those files into the store (`load_into`, `read_sample`).
"""
from __future__ import annotations

import argparse
import csv
import gzip
import io
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from indicators import periods
from indicators.catalogue import default_areas
from indicators.eksempeldata import (
    SPEC_PATH,
    SpecError,
    build_for_areas,
    build_synthetic,
)
from indicators.types import Area, Observation, canonical_breakdown

if TYPE_CHECKING:
    from indicators.store import Store

__all__ = [
    "FIELDS", "REAL_PATH", "SAMPLE_DIR", "SAMPLE_FILES", "SPEC_PATH", "SYNTHETIC_PATH", "SampleDataError",
    "SpecError", "build", "build_synthetic", "load_into", "main", "read_real", "read_sample", "sort_key",
    "write_sample",
]

SAMPLE_DIR = Path(__file__).parent / "sample"
REAL_PATH = SAMPLE_DIR / "real.csv.gz"
SYNTHETIC_PATH = SAMPLE_DIR / "eksempeldata.csv.gz"
SAMPLE_FILES = (REAL_PATH.name, SYNTHETIC_PATH.name)
FIELDS = ("indicator", "area", "period", "breakdown", "value", "unit", "source", "provisional", "fetched_at")

# When the extracts were taken (README in shared/data); fixed so rebuilding gives the same bytes.
JOBINDSATS_FETCHED = "2026-08-22T00:00:00+00:00"
DST_FETCHED = "2026-03-25T00:00:00+00:00"
AUP02_FETCHED = "2026-03-30T00:00:00+00:00"

JOBINDSATS_KOMMUNER = "jobindsats_kommuner_2021-2026.csv"
JOBINDSATS_BENCHMARK = "jobindsats_benchmark_status_saeson.csv"
# Jobindsats benchmark (y30r21, QMAT) and status-after-ended-spell (y60b15) tables are in the
# extract but no figure uses them yet; skipped by name so any other new table still fails loudly.
SKIPPED_JOBINDSATS_TABLES = {"y30r21", "y60b15"}
# StatBank publishes these beside the kommuner; Faktabot's area table has no code for them.
SKIPPED_DST_AREAS = {"Christiansø", "Outside Denmark", "Abroad", "Not stated municipality"}

YDELSE_GROUPS = {
    "I alt": {},
    "A-dagpenge": {"ydelse": "A-dagpenge"},
    "Kontant- og uddannelseshjælp": {"ydelse": "Kontant- og uddannelseshjælp"},
}


class SampleDataError(ValueError):
    """The real extracts hold something this module cannot place, or the two files would clash."""


@dataclass(frozen=True, slots=True)
class MeasureRule:
    """How one Jobindsats (table, measure label) becomes an indicator and breakdown."""

    indicator: str
    unit: str
    source_unit: str  # the extract's `enhed`; checked so a relabelled measure is noticed
    fixed: tuple[tuple[str, str], ...] = ()  # breakdown parts every row gets
    by_group: bool = False  # ydelsesgruppe -> ydelse via YDELSE_GROUPS; else it must be Kontanthjælp
    detail: tuple[str, str] | None = None  # (`opdeling` prefix, breakdown key) if rows may carry one
    detail_required: bool = False  # y60c02 has no total row: a bare row would be a new measure


KONTANTHJAELP = (("ydelse", "Kontanthjælp"),)
SEASONALLY_ADJUSTED = (("korrektion", "Sæsonkorrigeret"),)
COUNT = {"unit": "fuldtidspersoner", "source_unit": "fuldtidspersoner"}
PERSONS = {"unit": "personer", "source_unit": "personer"}
RATE = {"unit": "pct.", "source_unit": "pct"}
TILBUD = {"detail": ("Tilbud: ", "redskab"), "detail_required": True}

MEASURES: dict[tuple[str, str], MeasureRule] = {
    ("y25i01", "Antal ledige fuldtidspersoner"): MeasureRule("ledige", **COUNT, by_group=True),
    ("y25i01", "Ledige fuldtidspersoner i pct. af arbejdsstyrken 16-66 år"): MeasureRule(
        "ledighedsprocent", **RATE, by_group=True),
    ("y25i09", "Antal langtidsledige fuldtidspersoner"): MeasureRule("langtidsledige", **COUNT, by_group=True),
    ("y25i03", "Sæsonkorrigeret antal ledige fuldtidspersoner"): MeasureRule(
        "ledige", **COUNT, fixed=SEASONALLY_ADJUSTED, by_group=True),
    ("y25i03", "Sæsonkorrigeret fuldtidspersoner i pct. af arbejdsstyrken"): MeasureRule(
        "ledighedsprocent", **RATE, fixed=SEASONALLY_ADJUSTED, by_group=True),
    ("y60a02", "Antal fuldtidspersoner"): MeasureRule(
        "fuldtidspersoner", **COUNT, fixed=KONTANTHJAELP, detail=("Visitationskategori: ", "visitation")),
    ("y60a02", "Antal personer"): MeasureRule("kontanthjaelp", **PERSONS),
    ("y60a02", "Fuldtidspersoner i pct. af befolkningen 16-66 år"): MeasureRule(
        "forsoergertryk", **RATE, fixed=KONTANTHJAELP),
    ("y60a02", "Fuldtidspersoner i pct. af arbejdsstyrken 16-66 år"): MeasureRule("kontanthjaelp_pct", **RATE),
    ("y60c07", "Aktiveringsgrad"): MeasureRule("aktiveringsgrad", **RATE, fixed=KONTANTHJAELP),
    ("y60c07", "Andel aktiveringsberørte"): MeasureRule("aktiveringsberoerte", **RATE, fixed=KONTANTHJAELP),
    ("y60c02", "Antal forløb"): MeasureRule(
        "aktiveringsmoenster", "forløb", "forløb", fixed=KONTANTHJAELP, **TILBUD),
    ("y60c02", "Antal aktiverede"): MeasureRule("aktiverede", **PERSONS, fixed=KONTANTHJAELP, **TILBUD),
    ("y60j01", "Antal personer med ordinære løntimer"): MeasureRule("loentimer", **PERSONS),
    ("y60j01", "Andel med ordinære løntimer"): MeasureRule("loentimer_andel", **RATE),
}


@dataclass(frozen=True, slots=True)
class StatbankFile:
    name: str
    table: str
    indicator: str
    unit: str
    area_column: str
    fetched_at: str = DST_FETCHED


STATBANK_FILES = (
    StatbankFile("lbesk69_employees_by_municipality.csv", "LBESK69", "beskaeftigelse", "fuldtidsbeskæftigede",
                 "BOPKOM"),
    StatbankFile("folk1am_population_by_municipality.csv", "FOLK1AM", "befolkning", "personer", "OMRÅDE"),
    StatbankFile("folk1a_population_annual.csv", "FOLK1A", "befolkning", "personer", "OMRÅDE"),
    StatbankFile("auk01_social_assistance.csv", "AUK01", "kontanthjaelp_netto", "fuldtidsmodtagere", "OMRÅDE"),
)
# The one value each other column may hold; anything else means the extract changed shape.
STATBANK_EXPECTED = {
    "KØN": "Total",
    "ALDER": "Age, total",
    "CIVILSTAND": "Total",
    "TAL": "Full-time employees",
    "YDELSESTYPE": "Net unemployed recipients of social assistance",
}


# ---------------------------------------------------------------------------------------------
# Real figures
# ---------------------------------------------------------------------------------------------


def read_real(shared_data: Path, skipped: Counter[str] | None = None) -> list[Observation]:
    """All real figures under `shared_data/real` as observations; `skipped` counts dropped rows by reason."""
    skipped = skipped if skipped is not None else Counter()
    real = Path(shared_data) / "real"
    located = [
        *_read_jobindsats(real / JOBINDSATS_KOMMUNER, skipped),
        *_read_jobindsats(real / JOBINDSATS_BENCHMARK, skipped),
    ]
    for spec in STATBANK_FILES:
        located.extend(_read_statbank(real / "dst" / spec.name, spec, skipped))
    located.extend(_read_aup02(real / "dst" / "aup02_unemployment_pct_yearly_mean.csv", skipped))
    _check_unique(located)
    return [obs for _, obs in located]


def _area_code(name: str, where: str) -> str:
    area = _lookup_area(name)
    if area is None:
        raise SampleDataError(f"{where}: unknown area {name!r}; add it to areas.toml or to SKIPPED_DST_AREAS")
    return area.code


@cache
def _lookup_area(name: str) -> Area | None:
    # Areas.lookup rebuilds its vocabulary on every call; 120.000 rows hold about 120 names.
    return default_areas().lookup(name)


# The readers yield (file and line, observation) so a clash can name both rows.
Located = tuple[str, Observation]


def _read_jobindsats(path: Path, skipped: Counter[str]) -> Iterator[Located]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle, delimiter=";"), start=2):
            where = f"{path.name}, line {line}"
            table, measure = row["tabel"], row["maaling"]
            if table in SKIPPED_JOBINDSATS_TABLES:
                skipped[f"jobindsats:{table} (not used by any figure)"] += 1
                continue
            rule = MEASURES.get((table, measure))
            if rule is None:
                raise SampleDataError(
                    f"{where}: no indicator for table {table!r}, measure {measure!r}; add it to MEASURES"
                )
            if row["enhed"] != rule.source_unit:
                raise SampleDataError(
                    f"{where}: unit {row['enhed']!r}, expected {rule.source_unit!r} for {measure!r}"
                )
            if row["vaerdi"] == "":
                skipped["empty value"] += 1
                continue
            parts = {**dict(rule.fixed), **_jobindsats_parts(row, rule, where)}
            yield where, Observation(
                indicator=rule.indicator,
                area=_area_code(row["omraade"], where),
                period=str(periods.from_source(row["periode"])),
                value=_decimal_comma(row["vaerdi"], where),
                breakdown=canonical_breakdown(parts),
                unit=rule.unit,
                source=f"jobindsats:{table.lower()}",
                fetched_at=JOBINDSATS_FETCHED,
            )


def _jobindsats_parts(row: dict[str, str], rule: MeasureRule, where: str) -> dict[str, str]:
    group, detail = row["ydelsesgruppe"], row["opdeling"]
    if rule.by_group:
        if group not in YDELSE_GROUPS:
            raise SampleDataError(f"{where}: unknown ydelsesgruppe {group!r} for {rule.indicator}")
        parts = dict(YDELSE_GROUPS[group])
    elif group != "Kontanthjælp":
        raise SampleDataError(f"{where}: {rule.indicator} expects ydelsesgruppe 'Kontanthjælp', got {group!r}")
    else:
        parts = {}
    if detail:
        if rule.detail is None or not detail.startswith(rule.detail[0]):
            raise SampleDataError(f"{where}: unexpected opdeling {detail!r} for {rule.indicator}")
        parts[rule.detail[1]] = detail.removeprefix(rule.detail[0])
    elif rule.detail_required:
        raise SampleDataError(f"{where}: {rule.indicator} rows need an opdeling {rule.detail[0]!r}")
    return parts


def _decimal_comma(text: str, where: str) -> float:
    # Jobindsats writes no thousands separator; a dot would make "1.234" ambiguous, so refuse it.
    if "." in text:
        raise SampleDataError(f"{where}: value {text!r} has a dot; expected a decimal comma")
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise SampleDataError(f"{where}: value {text!r} is not a number") from None


def _known_dst_area(name: str, skipped: Counter[str]) -> bool:
    # Landsdele ("Province …") and non-areas are published beside kommuner; count what is dropped.
    if name in SKIPPED_DST_AREAS or name.startswith("Province "):
        skipped[f"DST area without a code: {name}"] += 1
        return False
    return True


def _read_statbank(path: Path, spec: StatbankFile, skipped: Counter[str]) -> Iterator[Located]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle, delimiter=";"), start=2):
            where = f"{path.name}, line {line}"
            for column, expected in STATBANK_EXPECTED.items():
                if column in row and row[column] != expected:
                    raise SampleDataError(f"{where}: {column} is {row[column]!r}; expected {expected!r}")
            name = row[spec.area_column]
            if not _known_dst_area(name, skipped):
                continue
            if row["INDHOLD"] in ("", ".."):
                skipped["empty value"] += 1
                continue
            yield where, Observation(
                indicator=spec.indicator,
                area=_area_code(name, where),
                period=str(periods.from_source(row["TID"])),
                value=float(row["INDHOLD"]),
                unit=spec.unit,
                source=f"statbank:{spec.table}",
                fetched_at=spec.fetched_at,
            )


def _read_aup02(path: Path, skipped: Counter[str]) -> Iterator[Located]:
    # A yearly mean of AUP02's monthly rate, comma-separated with a decimal point (SOURCE.txt).
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            where = f"{path.name}, line {line}"
            if not _known_dst_area(row["municipality"], skipped):
                continue
            if row["value"] == "":
                skipped["empty value"] += 1
                continue
            yield where, Observation(
                indicator="ledighedsprocent",
                area=_area_code(row["municipality"], where),
                period=str(periods.from_source(row["year"])),
                value=float(row["value"]),
                unit="pct.",
                source="statbank:AUP02",
                fetched_at=AUP02_FETCHED,
            )


def _check_unique(located: Iterable[Located]) -> None:
    seen: dict[tuple[str, str, str, str], str] = {}
    for where, obs in located:
        key = (obs.indicator, obs.area, obs.period, obs.breakdown)
        if key in seen:
            raise SampleDataError(f"two rows for {key}: {seen[key]} and {where}; map one to another breakdown")
        seen[key] = where


# ---------------------------------------------------------------------------------------------
# The files
# ---------------------------------------------------------------------------------------------


def sort_key(obs: Observation) -> tuple:
    # Series together and in time order; parse() orders a month before the year it starts.
    return (obs.indicator, obs.area, obs.breakdown, periods.parse(obs.period))


def _format_value(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value.is_integer() else repr(value)


def write_sample(observations: Iterable[Observation], path: Path) -> int:
    """Write a stable gzipped CSV (sorted, mtime 0) so rebuilding gives the same bytes; returns rows."""
    rows = sorted(observations, key=sort_key)
    # No file name and mtime 0 in the gzip header: the bytes depend on the rows only.
    with (open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz,
          io.TextIOWrapper(gz, encoding="utf-8", newline="") as text):
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(FIELDS)
        for o in rows:
            writer.writerow((o.indicator, o.area, o.period, o.breakdown, _format_value(o.value), o.unit,
                             o.source, int(o.provisional), o.fetched_at))
    return len(rows)


def read_sample(path: Path) -> Iterator[Observation]:
    """Stream a sample file back as observations."""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = tuple(next(reader, ()))
        if header != FIELDS:
            raise SampleDataError(f"{path}: header {header!r}, expected {FIELDS!r}")
        for indicator, area, period, breakdown, value, unit, source, provisional, fetched_at in reader:
            yield Observation(indicator, area, period, float(value) if value else None, breakdown, unit,
                              source, provisional == "1", fetched_at)


# The areas the shipped eksempeldata file covers; another kommune's is generated on load.
SHIPPED_AREAS = {"151", "165", "084", "000"}


def load_into(store: Store, on_progress: Callable[[int], None] | None = None, *,
              kommune: str | None = None, compare: Iterable[str] = ()) -> dict[str, int]:
    """Load the real figures and the eksempeldata into `store`, then compute the derived indicators.

    Rows per part, keyed real/eksempeldata. Without `kommune` (or for Ballerup, Albertslund and
    their comparison areas) the shipped eksempeldata file is loaded; for any other kommune the
    eksempeldata is built for it and `compare` from the spec, scaled to the kommune's real
    population and unemployment rate (`eksempeldata.build_for_areas`). The derived indicators
    (sygedagpenge = sygedagpenge + jobafklaring, …) are then computed from what was loaded, by
    the same code as after a refresh, and are eksempeldata where any input is.
    """
    from indicators import derived
    from indicators.catalogue import default_catalogue

    counts = {"real": store.load(_reporting(read_sample(REAL_PATH), on_progress)).rows}
    wanted = [kommune, *compare] if kommune else []
    if set(wanted) <= SHIPPED_AREAS:
        synthetic: Iterable[Observation] = read_sample(SYNTHETIC_PATH)
    else:
        synthetic = synthetic_for(kommune, list(compare), read_sample(REAL_PATH))
    counts["eksempeldata"] = store.load(_reporting(synthetic, on_progress)).rows
    derived.refresh_derived(store, default_catalogue())
    return counts


def synthetic_for(kommune: str, compare: list[str], real: Iterable[Observation]) -> list[Observation]:
    """Eksempeldata for `kommune` and `compare`, sized by the real population and unemployment rate."""
    population: dict[str, tuple[str, float]] = {}
    unemployment: dict[str, list[tuple[str, float]]] = {}
    for obs in real:
        if obs.breakdown or obs.value is None:
            continue
        if obs.indicator == "befolkning" and obs.source == "statbank:FOLK1AM":
            if obs.period > population.get(obs.area, ("", 0.0))[0]:
                population[obs.area] = (obs.period, obs.value)
        elif obs.indicator == "ledighedsprocent" and obs.source == "jobindsats:y25i01":
            unemployment.setdefault(obs.area, []).append((obs.period, obs.value))
    # The last twelve months' mean rate: a single month would carry its season into the level.
    rates = {area: sum(v for _, v in sorted(rows)[-12:]) / len(sorted(rows)[-12:])
             for area, rows in unemployment.items()}
    sizes = {area: value for area, (_, value) in population.items()}
    return build_for_areas(kommune, compare, sizes, rates)


def _reporting(rows: Iterable[Observation], on_progress: Callable[[int], None] | None,
               every: int = 10_000) -> Iterator[Observation]:
    pending = 0
    for row in rows:
        yield row
        pending += 1
        if on_progress and pending == every:
            on_progress(pending)
            pending = 0
    if on_progress and pending:
        on_progress(pending)


def build(
    shared_data: Path, spec_path: Path = SPEC_PATH
) -> tuple[list[Observation], list[Observation], Counter[str]]:
    """Real and synthetic observations; refuses eksempeldata for a series real figures already cover."""
    skipped: Counter[str] = Counter()
    real = read_real(shared_data, skipped)
    synthetic = build_synthetic(spec_path)
    real_series = {(o.indicator, o.area, o.breakdown) for o in real}
    clash = sorted({(o.indicator, o.area, o.breakdown) for o in synthetic} & real_series)
    if clash:
        raise SampleDataError(f"{spec_path.name} makes eksempeldata for series with real figures: {clash[:5]}")
    return real, synthetic, skipped


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Rebuild the shipped sample data in indicators/sample/.")
    parser.add_argument("--shared", type=Path, required=True, help="the shared data folder (../shared/data)")
    args = parser.parse_args(argv)
    real, synthetic, skipped = build(args.shared)
    for label, observations, path in (("real", real, REAL_PATH), ("eksempeldata", synthetic, SYNTHETIC_PATH)):
        rows = write_sample(observations, path)
        print(f"{path.name}: {rows} rows, {path.stat().st_size / 1024:.0f} KiB ({label})")
    for reason, count in sorted(skipped.items()):
        print(f"skipped {count} rows: {reason}")


if __name__ == "__main__":
    main()
