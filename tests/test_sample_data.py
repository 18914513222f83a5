"""The shipped sample data: rebuilt from the real extracts, labelled, and telling the four stories.

The situation tests read the shipped files with plain gzip + csv and the targets from
faktabot.toml, so they check what a new user actually gets on day one.
"""
from __future__ import annotations

import csv
import gzip
import itertools
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest

from indicators import sampledata
from indicators.catalogue import CATALOGUE_PATH, default_areas, load_catalogue
from indicators.sampledata import (
    FIELDS,
    REAL_PATH,
    SPEC_PATH,
    SYNTHETIC_PATH,
    SampleDataError,
    SpecError,
    build,
    build_synthetic,
    read_real,
    read_sample,
    sort_key,
    write_sample,
)
from indicators.types import Observation, parse_breakdown
from tests.shared_data import SHARED_DATA

ROOT = Path(__file__).resolve().parents[1]
SHARED = SHARED_DATA
needs_shared = pytest.mark.skipif(
    not (SHARED / "real").is_dir(), reason=f"the real extracts are not here: {SHARED / 'real'}"
)

Series = dict[tuple[str, str, str], dict[str, float | None]]


def load_rows(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_series(path: Path) -> Series:
    series: Series = defaultdict(dict)
    for row in load_rows(path):
        value = float(row["value"]) if row["value"] else None
        series[(row["indicator"], row["area"], row["breakdown"])][row["period"]] = value
    return series


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Series:
    """The eksempeldata a new user has after `faktabot init`: the shipped rows plus the totals the
    derived engine computes from shipped inputs (sygedagpenge = sygedagpenge + jobafklaring)."""
    from indicators.store import Store

    series = load_series(SYNTHETIC_PATH)
    with Store(tmp_path_factory.mktemp("day-one") / "store.db", create=True) as store:
        sampledata.load_into(store)
        for obs in store.iter_observations():
            if obs.is_sample and store.derived_inputs(obs.indicator, obs.area, obs.period, obs.breakdown):
                series[(obs.indicator, obs.area, obs.breakdown)][obs.period] = obs.value
    return series


def target(target_id: str) -> dict:
    with open(ROOT / "faktabot.toml", "rb") as handle:
        targets = tomllib.load(handle)["targets"]
    return next(t for t in targets if t["id"] == target_id)


def month_index(period: str) -> int:
    """Months since year 0 at the start of a `2026-05` or `2026-Q2` period."""
    year, rest = period.split("-")
    month = (int(rest[1]) - 1) * 3 + 1 if rest.startswith("Q") else int(rest)
    return int(year) * 12 + month - 1


def on_trajectory(points: dict[str, float], period: str) -> float:
    """The målsti at `period`: linear between the two points around it."""
    known = sorted((month_index(p), v) for p, v in points.items())
    x = month_index(period)
    for (x0, y0), (x1, y1) in itertools.pairwise(known):
        if x0 <= x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    raise AssertionError(f"{period} is outside the målsti {points}")


def latest(series: dict[str, float | None], count: int) -> list[tuple[str, float]]:
    periods = sorted(series, key=month_index)[-count:]
    assert len(periods) == count, f"need {count} periods, have {len(periods)}"
    return [(p, series[p]) for p in periods]


# --- (a) the shipped files are what the build makes --------------------------------------------


@needs_shared
def test_rebuilding_from_shared_data_gives_the_shipped_files_byte_for_byte(tmp_path: Path) -> None:
    real, synthetic_rows, _ = build(SHARED)
    for observations, shipped in ((real, REAL_PATH), (synthetic_rows, SYNTHETIC_PATH)):
        rebuilt = tmp_path / shipped.name
        write_sample(observations, rebuilt)
        if rebuilt.read_bytes() != shipped.read_bytes():
            ours, theirs = load_rows(rebuilt), load_rows(shipped)
            missing = [r for r in ours if r not in theirs][:3]
            extra = [r for r in theirs if r not in ours][:3]
            pytest.fail(f"{shipped.name} is stale ({len(theirs)} rows, rebuild has {len(ours)}); "
                        f"not shipped: {missing}; only shipped: {extra}. "
                        "Run `python -m indicators.sampledata --shared ../shared/data`.")


# --- (b) real figures ------------------------------------------------------------------------


def test_real_ledige_covers_every_kommune_and_hele_landet_2021_08_to_2026_07() -> None:
    expected = {a.code for a in default_areas().kommuner()} | {"000"}
    assert len(expected) == 99
    months = [f"{y}-{m:02d}" for y in range(2021, 2027) for m in range(1, 13)]
    months = [m for m in months if "2021-08" <= m <= "2026-07"]
    areas_by_month: dict[str, set[str]] = defaultdict(set)
    for row in load_rows(REAL_PATH):
        if row["indicator"] == "ledige" and row["breakdown"] == "" and row["value"]:
            areas_by_month[row["period"]].add(row["area"])
    for month in months:
        assert areas_by_month[month] == expected, f"{month}: missing {sorted(expected - areas_by_month[month])}"


@needs_shared
def test_ballerup_ledige_2026_05_is_the_value_in_the_jobindsats_csv() -> None:
    with open(SHARED / "real" / sampledata.JOBINDSATS_KOMMUNER, encoding="utf-8", newline="") as handle:
        published = [
            r["vaerdi"] for r in csv.DictReader(handle, delimiter=";")
            if (r["tabel"], r["omraade"], r["periode"], r["ydelsesgruppe"], r["maaling"])
            == ("y25i01", "Ballerup", "2026M05", "I alt", "Antal ledige fuldtidspersoner")
        ]
    assert len(published) == 1
    shipped = load_series(REAL_PATH)[("ledige", "151", "")]["2026-05"]
    assert shipped == float(published[0].replace(",", "."))


# --- (c) eksempeldata is labelled and never shadows a real figure ------------------------------


def test_every_eksempeldata_row_is_labelled_and_no_key_is_also_real() -> None:
    synthetic_rows = load_rows(SYNTHETIC_PATH)
    real_rows = load_rows(REAL_PATH)
    assert synthetic_rows and real_rows
    assert {r["source"] for r in synthetic_rows} == {"eksempeldata"}
    assert "eksempeldata" not in {r["source"] for r in real_rows}

    def key(r: dict[str, str]) -> tuple[str, ...]:
        return (r["indicator"], r["area"], r["period"], r["breakdown"])

    both = {key(r) for r in synthetic_rows} & {key(r) for r in real_rows}
    assert not both, f"in both files: {sorted(both)[:5]}"


def test_the_files_have_the_agreed_header() -> None:
    for path in (REAL_PATH, SYNTHETIC_PATH):
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            assert tuple(next(csv.reader(handle))) == FIELDS


# --- (d) the four situations of faktabot.toml's targets ------------------------------------------


def test_ungeledighed_in_ballerup_is_above_the_ceiling_in_the_latest_months(synthetic: Series) -> None:
    t = target("ungeledighed")
    assert t["kind"] == "ceiling"
    months = max(3, t["hold_periods"])
    for period, value in latest(synthetic[(t["indicator"], t["area"], "")], months):
        assert value > t["limit"], f"ungeledighed {period} = {value}, not above {t['limit']}"
    (_, national), = latest(synthetic[(t["indicator"], "000", "")], 1)
    assert national < t["limit"], "hele landet should be under the ceiling for the contrast"


def test_sygedagpenge_in_ballerup_is_behind_its_maalsti(synthetic: Series) -> None:
    t = target("sygedagpenge")
    assert t["kind"] == "trajectory"
    quarters = max(2, t["hold_periods"])
    for period, value in latest(synthetic[(t["indicator"], t["area"], "")], quarters):
        limit = on_trajectory(t["points"], period) * (1 + t["tolerance"] / 100)
        assert value > limit, f"sygedagpenge {period} = {value}, not above målsti + tolerance {limit:.1f}"


def test_fleksjob_in_ballerup_is_on_its_maalsti(synthetic: Series) -> None:
    t = target("fleksjob")
    assert t["kind"] == "trajectory"
    months = max(6, t["hold_periods"])
    for period, value in latest(synthetic[(t["indicator"], t["area"], "")], months):
        goal = on_trajectory(t["points"], period)
        # More is better: on track means at or above the målsti; "slightly" means within tolerance.
        assert goal <= value <= goal * (1 + t["tolerance"] / 100), f"fleksjob {period}: {value} vs {goal:.1f}"


def test_samtalehyppighed_in_ballerup_is_below_hele_landet(synthetic: Series) -> None:
    t = target("samtalehyppighed")
    assert (t["kind"], t["mode"]) == ("benchmark", "difference")
    own = synthetic[(t["indicator"], t["area"], "")]
    other = synthetic[(t["indicator"], t["compare_area"], "")]
    quarters = max(4, t["hold_periods"])
    for period, value in latest(own, quarters):
        difference = value - other[period]
        assert difference < t["threshold"] - t["tolerance"], f"{period}: difference {difference:.2f}"


# --- (e) determinism ---------------------------------------------------------------------------


def test_synthetic_generation_is_deterministic_and_matches_the_shipped_file() -> None:
    first, second = build_synthetic(SPEC_PATH), build_synthetic(SPEC_PATH)
    assert first == second
    assert sorted(first, key=sort_key) == list(read_sample(SYNTHETIC_PATH))


# --- the module's own behaviour, on small files -------------------------------------------------

JOBINDSATS_HEADER = "tabel;omraade;periode;ydelsesgruppe;maaling;opdeling;vaerdi;enhed\n"


def make_shared(root: Path, kommuner_rows: str, dst_rows: str = "") -> Path:
    """A minimal shared/data layout with the given Jobindsats rows and one line per DST file."""
    real = root / "real"
    (real / "dst").mkdir(parents=True)
    (real / sampledata.JOBINDSATS_KOMMUNER).write_text(JOBINDSATS_HEADER + kommuner_rows, encoding="utf-8")
    (real / sampledata.JOBINDSATS_BENCHMARK).write_text(
        JOBINDSATS_HEADER
        + "y30r21;Ballerup;2020QMAT02;Ydelsesgrupper i alt;Placering på benchmarkranglisten;;17;placering\n"
        + "y25i03;Hele landet;2026M07;I alt;Sæsonkorrigeret fuldtidspersoner i pct. af arbejdsstyrken;;3,1;pct\n",
        encoding="utf-8",
    )
    dst = real / "dst"
    (dst / "lbesk69_employees_by_municipality.csv").write_text(
        "\ufeffTAL;BOPKOM;KØN;TID;INDHOLD\nFull-time employees;Ballerup;Total;2025Q3;21000\n"
        "Full-time employees;Christiansø;Total;2025Q3;40\n" + dst_rows, encoding="utf-8")
    (dst / "folk1am_population_by_municipality.csv").write_text(
        "\ufeffOMRÅDE;KØN;ALDER;TID;INDHOLD\nAll Denmark;Total;Age, total;2026M02;5990000\n", encoding="utf-8")
    (dst / "folk1a_population_annual.csv").write_text(
        "\ufeffOMRÅDE;KØN;ALDER;CIVILSTAND;TID;INDHOLD\nProvince Fyn;Total;Age, total;Total;2022Q1;500000\n",
        encoding="utf-8")
    (dst / "auk01_social_assistance.csv").write_text(
        "\ufeffOMRÅDE;YDELSESTYPE;KØN;ALDER;TID;INDHOLD\n"
        "Copenhagen;Net unemployed recipients of social assistance;Total;Age, total;2025Q4;9000\n", encoding="utf-8")
    (dst / "aup02_unemployment_pct_yearly_mean.csv").write_text(
        "municipality,year,value\nBallerup,2024,2.34\n", encoding="utf-8")
    return root


def test_read_real_maps_labels_areas_periods_and_decimal_commas(tmp_path: Path) -> None:
    shared = make_shared(tmp_path, (
        "y25i01;Ballerup;2026M05;A-dagpenge;Ledige fuldtidspersoner i pct. af arbejdsstyrken 16-66 år;;2,6;pct\n"
        "y25i01;Ballerup;2026M06;I alt;Antal ledige fuldtidspersoner;;;fuldtidspersoner\n"
        "y60a02;Ballerup;2026M07;Kontanthjælp;Antal fuldtidspersoner;Visitationskategori: Jobparat;140;fuldtidspersoner\n"
        "y60c02;Hele landet;2026M07;Kontanthjælp;Antal forløb;Tilbud: Løntilskud;1459;forløb\n"
    ))
    got = {(o.indicator, o.area, o.period, o.breakdown): o for o in read_real(shared)}
    rate = got[("ledighedsprocent", "151", "2026-05", "ydelse=A-dagpenge")]
    assert (rate.value, rate.unit, rate.source) == (2.6, "pct.", "jobindsats:y25i01")
    assert got[("fuldtidspersoner", "151", "2026-07", "visitation=Jobparat;ydelse=Kontanthjælp")].value == 140
    forloeb = got[("aktiveringsmoenster", "000", "2026-07", "redskab=Løntilskud;ydelse=Kontanthjælp")]
    assert forloeb.value == 1459
    assert got[("ledighedsprocent", "000", "2026-07", "korrektion=Sæsonkorrigeret")].value == 3.1
    assert got[("beskaeftigelse", "151", "2025-Q3", "")].source == "statbank:LBESK69"
    assert got[("kontanthjaelp_netto", "101", "2025-Q4", "")].fetched_at == sampledata.DST_FETCHED
    aup02 = got[("ledighedsprocent", "151", "2024", "")]
    assert (aup02.value, aup02.source, aup02.fetched_at) == (2.34, "statbank:AUP02", sampledata.AUP02_FETCHED)
    # The empty cell, Christiansø, the province and the benchmark table are skipped, not stored.
    assert ("ledige", "151", "2026-06", "") not in got
    assert len(got) == 8


def test_read_real_refuses_a_measure_it_does_not_know(tmp_path: Path) -> None:
    shared = make_shared(tmp_path, "y25i01;Ballerup;2026M05;I alt;Antal ledige personer;;900;personer\n")
    with pytest.raises(SampleDataError, match="Antal ledige personer"):
        read_real(shared)


def test_read_real_refuses_two_rows_for_one_key(tmp_path: Path) -> None:
    row = "y60a02;Ballerup;2026M05;Kontanthjælp;Antal personer;;793;personer\n"
    with pytest.raises(SampleDataError, match="two rows"):
        read_real(make_shared(tmp_path, row + row))


def test_written_values_are_minimal_and_read_back_equal(tmp_path: Path) -> None:
    observations = [
        Observation("ledige", "151", "2026-05", 796.0, unit="fuldtidspersoner", source="jobindsats:y25i01"),
        Observation("ledighedsprocent", "151", "2026-05", 3.1, unit="pct.", source="jobindsats:y25i01",
                    provisional=True),
        Observation("ledige", "151", "2026-04", None, source="jobindsats:y25i01"),
    ]
    path = tmp_path / "sample.csv.gz"
    write_sample(observations, path)
    values = [r["value"] for r in load_rows(path)]
    assert values == ["", "796", "3.1"]  # sorted by series then period; no "796.0"
    assert list(read_sample(path)) == sorted(observations, key=sort_key)
    first = path.read_bytes()
    write_sample(reversed(observations), path)
    assert path.read_bytes() == first


@pytest.mark.skipif(not CATALOGUE_PATH.exists(), reason="indicators/catalogue.toml is not written yet")
def test_every_sample_series_names_a_catalogue_indicator_and_its_breakdown_keys() -> None:
    catalogue = load_catalogue()
    problems = set()
    for path in (REAL_PATH, SYNTHETIC_PATH):
        for row in load_rows(path):
            if row["indicator"] not in catalogue:
                problems.add(f"{path.name}: indicator {row['indicator']!r} is not in the catalogue")
                continue
            declared = set(catalogue.get(row["indicator"]).breakdowns)
            for key in parse_breakdown(row["breakdown"]):
                if key not in declared:
                    problems.add(f"{path.name}: {row['indicator']} has breakdown key {key!r}, "
                                 f"the catalogue declares {sorted(declared)}")
    assert not problems, "\n".join(sorted(problems))


def test_load_into_puts_every_shipped_row_in_the_store_and_reports_progress(tmp_path: Path) -> None:
    from indicators.store import Store

    progress: list[int] = []
    with Store(tmp_path / "store.db", create=True) as store:
        counts = sampledata.load_into(store, on_progress=progress.append)
        ballerup = store.get("ledige", "151", "2026-05")
    assert counts == {"real": len(load_rows(REAL_PATH)), "eksempeldata": len(load_rows(SYNTHETIC_PATH))}
    assert sum(progress) == sum(counts.values())
    assert ballerup is not None and ballerup.value == load_series(REAL_PATH)[("ledige", "151", "")]["2026-05"]


def test_eksempeldata_has_the_breakdowns_the_figures_need(synthetic: Series) -> None:
    def breakdowns(indicator: str, area: str) -> set[str]:
        return {b for (i, a, b) in synthetic if (i, a) == (indicator, area)}

    groups = {"gruppe=Ledige", "gruppe=Sygemeldte", "gruppe=Øvrige"}
    assert breakdowns("samtaler", "151") == {""} | groups
    assert breakdowns("samtaler_pr_fuldtidsperson", "151") == {""} | groups
    ydelser = {"A-dagpenge", "Uddannelseshjælp", "Selvforsørgelses- og hjemrejseydelse", "Sygedagpenge",
               "Jobafklaringsforløb", "Ressourceforløb", "Ledighedsydelse", "Fleksjob", "Førtidspension",
               "Revalidering"}
    for area in ("151", "000"):
        assert breakdowns("fuldtidspersoner", area) == {f"ydelse={y}" for y in ydelser}  # no total
        assert {"køn=Mænd", "køn=Kvinder", ""} <= breakdowns("forsoergertryk", area)
    assert {area for (i, area, _) in synthetic if i == "konjunkturprognose"} == {"000"}
    assert len(breakdowns("konjunkturprognose", "000")) == 4
    assert breakdowns("afgangsrate", "151") >= {"ydelse=A-dagpenge", "ydelse=Kontanthjælp", "ydelse=Sygedagpenge"}
    # Samtaler by group add up to the total, as a case-system export would.
    for period, total in synthetic[("samtaler", "151", "")].items():
        assert total == sum(synthetic[("samtaler", "151", g)][period] for g in groups)


def test_a_misspelt_spec_key_is_refused(tmp_path: Path) -> None:
    spec = tmp_path / "spec.toml"
    spec.write_text('[profiles]\nflat = [1,1,1,1,1,1,1,1,1,1,1,1]\n'
                    '[indicator.fleksjob]\nfrequency = "month"\nunit = "personer"\n'
                    'area."151" = { levle = 600 }\n', encoding="utf-8")
    with pytest.raises(SpecError, match="levle"):
        build_synthetic(spec)
