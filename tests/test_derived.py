"""Derived indicators: each formula on known numbers, alignment, provisional and eksempeldata flags,
revisions that follow their inputs, and a replayed refresh that computes the targets' totals."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_config
from indicators import sampledata
from indicators.catalogue import default_areas, default_catalogue
from indicators.connectors import wanted_from
from indicators.derived import (
    Formula,
    FormulaError,
    NotComputable,
    Term,
    catalogue_formulas,
    compute,
    parse_formula,
    refresh_derived,
)
from indicators.refresh import refresh_file, refresh_source
from indicators.store import Store
from indicators.types import SAMPLE_SOURCE, Observation
from tests.replay import (
    YOUTH_A02_SHARE,
    YOUTH_LEDIGE_SHARE,
    ReplayServer,
    input_value,
    jobindsats_connector,
    jobindsats_tables,
    statbank_connector,
    youth_a02,
    youth_ledige,
    youth_population,
)

CATALOGUE = default_catalogue()
REPO = Path(__file__).resolve().parents[1]
NOW = "2026-08-01T06:00:00+00:00"


def obs(indicator, area, period, value, breakdown="", source="jobindsats:t", provisional=False):
    return Observation(indicator, area, period, value, breakdown, "x", source, provisional, NOW)


def formula(op, terms, **options) -> Formula:
    return Formula("out", op, tuple(Term.parse(t, "test") for t in terms),
                   tuple(Term.parse(t, "test") for t in options.pop("denominator", ())), **options)


def values(result):
    return {(o.area, o.period): o.value for o in result}


def test_sum_adds_the_terms_for_the_same_area_and_period():
    got = compute([formula("sum", ["a[k=1]", "a[k=2]"])], [
        obs("a", "151", "2026-Q1", 700, "k=1"), obs("a", "151", "2026-Q1", 250, "k=2"),
        obs("a", "000", "2026-Q1", 9, "k=1"), obs("a", "000", "2026-Q1", 1, "k=2")])
    assert values(got) == {("151", "2026-Q1"): 950.0, ("000", "2026-Q1"): 10.0}
    assert {o.source for o in got} == {"derived:out"}


def test_difference_subtracts_the_rest_from_the_first_term():
    got = compute([formula("difference", ["a", "b"])], [obs("a", "151", "2026-01", 10), obs("b", "151", "2026-01", 4)])
    assert values(got) == {("151", "2026-01"): 6.0}


def test_ratio_is_the_sum_of_terms_over_the_denominator_times_100_and_optional_terms_add_where_present():
    f = formula("ratio", ["a", "?c"], denominator=["b"])
    got = compute([f], [obs("a", "151", "2026-01", 553), obs("b", "151", "2026-01", 7000),
                        obs("a", "151", "2026-02", 500), obs("c", "151", "2026-02", 53), obs("b", "151", "2026-02", 7000)])
    assert values(got) == {("151", "2026-01"): 7.9, ("151", "2026-02"): 7.9}


def test_index_divides_by_the_base_period_of_the_same_area():
    got = compute([formula("index", ["a"], base="2019-01")], [
        obs("a", "151", "2019-01", 20.0), obs("a", "151", "2020-01", 21.0), obs("a", "000", "2020-01", 5.0)])
    assert values(got) == {("151", "2019-01"): 100.0, ("151", "2020-01"): 105.0}  # 000 has no base: none


def test_quarter_mean_averages_three_months_and_skips_an_incomplete_quarter():
    months = [obs("a", "151", f"2026-0{m}", float(m)) for m in range(1, 6)]
    got = compute([formula("sum", ["a"], aggregate="quarter_mean")], months)
    assert values(got) == {("151", "2026-Q1"): 2.0}


def test_a_derived_value_is_missing_where_an_input_is_missing_and_unpublished_where_one_is_unpublished():
    got = compute([formula("sum", ["a", "b"])], [
        obs("a", "151", "2026-01", 1), obs("b", "151", "2026-01", None),
        obs("a", "151", "2026-02", 1)])
    assert values(got) == {("151", "2026-01"): None}


def test_provisional_when_any_input_is_and_eksempeldata_when_any_input_is():
    got = compute([formula("sum", ["a", "b"])], [
        obs("a", "151", "2026-01", 1), obs("b", "151", "2026-01", 2, provisional=True),
        obs("a", "165", "2026-01", 1), obs("b", "165", "2026-01", 2, source=SAMPLE_SOURCE)])
    by_area = {o.area: o for o in got}
    assert by_area["151"].provisional and not by_area["151"].is_sample
    assert by_area["165"].is_sample and by_area["165"].source == SAMPLE_SOURCE and not by_area["165"].provisional


def test_every_derived_source_in_the_catalogue_is_a_formula_or_says_why_it_cannot_be_computed():
    formulas, skipped = catalogue_formulas(CATALOGUE)
    derived_ids = {i.id for i in CATALOGUE for s in i.sources if s.kind == "derived"}
    assert {f.indicator for f in formulas} | {s.indicator for s in skipped} == derived_ids
    assert {"sygedagpenge", "ungeledighed", "forsoergertryk_udvikling"} <= {f.indicator for f in formulas}
    assert all(s.reason for s in skipped)


@pytest.mark.parametrize("raw,says", [
    ({"op": "product", "terms": ["ledige"]}, "formlens op er 'product'"),
    ({"op": "sum", "terms": ["ledihed"]}, "leddet 'ledihed' er ikke en indikator"),
    ({"op": "ratio", "terms": ["ledige"]}, "en ratio skal have en `denominator`"),
    ({"op": "not_computable"}, "skal have en `reason`"),
])
def test_a_malformed_formula_is_refused_with_what_to_fix(raw, says):
    with pytest.raises(FormulaError, match=says):
        parse_formula("x", "pct.", raw, CATALOGUE.indicators, "here")


def test_not_computable_keeps_its_reason():
    got = parse_formula("x", "pct.", {"op": "not_computable", "reason": "ingen kilde"}, CATALOGUE.indicators, "here")
    assert got == NotComputable("x", "ingen kilde")


def test_a_revised_input_revises_the_derived_value_and_records_the_revision(tmp_path: Path):
    parts = ("ydelse=Sygedagpenge", "ydelse=Jobafklaringsforløb")
    with Store(tmp_path / "store.db", create=True) as store:
        store.load([obs("sygedagpenge", "151", "2026-Q1", 700, parts[0], "jobindsats:y07a02"),
                    obs("sygedagpenge", "151", "2026-Q1", 250, parts[1], "jobindsats:y12a02")])
        refresh_derived(store, CATALOGUE, touched={"sygedagpenge"}, now=NOW)
        assert store.get("sygedagpenge", "151", "2026-Q1").value == 950
        store.load([obs("sygedagpenge", "151", "2026-Q1", 260, parts[1], "jobindsats:y12a02")])
        run = refresh_derived(store, CATALOGUE, touched={"sygedagpenge"}, now=NOW)
        assert (run.written, run.revised) == (1, 1)
        assert store.get("sygedagpenge", "151", "2026-Q1").value == 960
        revision = store.db.execute("SELECT old_value, new_value, new_source FROM revisions "
                                    "WHERE indicator = 'sygedagpenge' AND breakdown = ''").fetchall()
        assert revision == [(950.0, 960.0, "derived:sygedagpenge")]
        assert store.derived_inputs("sygedagpenge", "151", "2026-Q1")["inputs"] == ["jobindsats:y07a02",
                                                                                     "jobindsats:y12a02"]


def test_a_derived_value_never_overwrites_an_official_or_file_figure(tmp_path: Path):
    with Store(tmp_path / "store.db", create=True) as store:
        store.load([obs("sygedagpenge", "151", "2026-Q1", 1, "ydelse=Sygedagpenge"),
                    obs("sygedagpenge", "151", "2026-Q1", 2, "ydelse=Jobafklaringsforløb"),
                    obs("sygedagpenge", "151", "2026-Q1", 99, "", "file:egne.csv")])
        run = refresh_derived(store, CATALOGUE, now=NOW)
        assert run.kept_other == 1
        assert store.get("sygedagpenge", "151", "2026-Q1").value == 99


def test_the_sample_ships_the_inputs_and_the_total_is_derived_as_eksempeldata(tmp_path: Path):
    shipped = {(o.indicator, o.breakdown) for o in sampledata.read_sample(sampledata.SYNTHETIC_PATH)}
    assert ("sygedagpenge", "") not in shipped and ("sygedagpenge", "ydelse=Sygedagpenge") in shipped
    with Store(tmp_path / "store.db", create=True) as store:
        sampledata.load_into(store)
        total = store.get("sygedagpenge", "151", "2026-Q2")
        parts = [store.get("sygedagpenge", "151", "2026-Q2", b).value
                 for b in ("ydelse=Sygedagpenge", "ydelse=Jobafklaringsforløb")]
        assert total.is_sample and total.value == sum(parts)
        assert store.derived_inputs("sygedagpenge", "151", "2026-Q2")["formula"] == "derived:sygedagpenge"


def test_the_sample_for_another_kommune_covers_it_scaled_to_its_size(tmp_path: Path):
    with Store(tmp_path / "store.db", create=True) as store:
        sampledata.load_into(store, kommune="751", compare=["000", "082"])
        ballerup = sampledata.synthetic_for("151", ["000"], sampledata.read_sample(sampledata.REAL_PATH))
        for target in ("sygedagpenge", "fleksjob", "ungeledighed", "samtalehyppighed"):
            assert store.series(target, "751"), f"no eksempeldata for {target} in Aarhus"
        aarhus = store.get("fleksjob", "751", "2026-07").value
        small = next(o.value for o in ballerup if (o.indicator, o.area, o.period) == ("fleksjob", "151", "2026-07"))
        assert aarhus > 4 * small  # Aarhus has about seven times Ballerup's population
        assert store.get("sygedagpenge", "751", "2026-Q2").is_sample


def test_a_replayed_refresh_computes_the_targets_from_official_sources(tmp_path: Path):
    """sygedagpenge is derived from y07a02 + y12a02, fleksjob comes from y08a02, and the file-only
    samtalehyppighed from a file import; none of them is eksempeldata afterwards."""
    path = tmp_path / "store.db"
    with ReplayServer() as server, Store(path, create=True) as store:
        sampledata.load_into(store)
        result = refresh_source(store, jobindsats_connector(server), wanted_from(CATALOGUE, "jobindsats",
                                ["sygedagpenge", "fleksjob"]), catalogue=CATALOGUE, areas=default_areas(), now=NOW)
        assert result.ok, result.error
        total = store.get("sygedagpenge", "151", "2026-Q2")
        assert total.source == "derived:sygedagpenge" and total.provisional
        assert total.value == sum(input_value(t, "151", "2026Q02", "Antal personer") for t in ("y07a02", "y12a02"))
        assert not any(o.is_sample for o in store.series("sygedagpenge", "151"))
        assert store.get("fleksjob", "151", "2026-06").source == "jobindsats:y08a02"
        csv = tmp_path / "samtalehyppighed.csv"
        csv.write_text("Kvartal;Område;Samtaler pr. person\n2026K2;Ballerup;3,4\n2026K2;Hele landet;3,3\n",
                       encoding="utf-8")
        from indicators.connectors import files
        imported = refresh_file(store, csv, catalogue=CATALOGUE, areas=default_areas(),
                                formats=files.import_formats(CATALOGUE, default_areas()), now=NOW)
        assert imported.ok, imported.error
        assert store.get("samtalehyppighed", "151", "2026-Q2").source == "file:samtalehyppighed.csv"


def test_after_a_full_replayed_refresh_every_target_indicator_is_computed_from_non_sample_sources(tmp_path: Path):
    """The committee's targets in the example config, after refreshing every verified Jobindsats and
    StatBank source, the a02 tables by age that ungeledighed's numerator needs (unverified: fetched
    as `faktabot refresh fuldtidspersoner` fetches them) and the municipality's file for the
    file-only samtalehyppighed: no target series holds eksempeldata."""
    targets = {t.indicator for t in load_config(REPO / "faktabot.toml").targets}
    assert "ungeledighed" in targets and len(targets) == 4
    with ReplayServer() as server, Store(tmp_path / "store.db", create=True) as store:
        sampledata.load_into(store)
        for kind, connector in (("jobindsats", jobindsats_connector(server)), ("statbank", statbank_connector(server))):
            wanted = wanted_from(CATALOGUE, kind)
            if kind == "jobindsats":
                wanted += [w for w in wanted_from(CATALOGUE, kind, ["fuldtidspersoner"]) if not w.source.verified]
            result = refresh_source(store, connector, wanted, catalogue=CATALOGUE, areas=default_areas(), now=NOW)
            assert result.ok, result.error
        csv = tmp_path / "samtalehyppighed.csv"
        csv.write_text("Kvartal;Område;Samtaler pr. person\n2026K2;Ballerup;3,4\n", encoding="utf-8")
        from indicators.connectors import files
        imported = refresh_file(store, csv, catalogue=CATALOGUE, areas=default_areas(),
                                formats=files.import_formats(CATALOGUE, default_areas()), now=NOW)
        assert imported.ok, imported.error
        for indicator in sorted(targets):
            series = store.series(indicator, "151")
            assert series, f"no figures for the target indicator {indicator}"
            assert not any(o.is_sample for o in series), f"{indicator} still rests on eksempeldata"


@pytest.mark.parametrize("month", ["2025-06", "2026-01"])  # before and after the kontanthjælp reform
def test_replayed_ungeledighed_is_youth_on_dagpenge_and_kontanthjaelp_incl_aktivitetsparate_per_population(
        tmp_path: Path, month: str):
    """ungeledighed follows the notat: fuldtidspersoner 18-29 år on a-dagpenge (y01a02) + kontanthjælp
    (y60a02, the reformed ydelse incl. the former uddannelseshjælp) / befolkning 18-29 × 100; y38a02
    (uddannelseshjælp, served until the reform) is not added where y60a02 has the month. The official
    count (y25i01, without aktivitetsparate) is ungeledighed_officiel, apart from the target."""
    wanted_j = wanted_from(CATALOGUE, "jobindsats", ["fuldtidspersoner", "ledige", "ledige_unge"])
    with ReplayServer() as server, Store(tmp_path / "store.db", create=True) as store:
        for connector, wanted in ((jobindsats_connector(server), wanted_j),
                                  (statbank_connector(server), wanted_from(CATALOGUE, "statbank", ["befolkning"]))):
            result = refresh_source(store, connector, wanted, catalogue=CATALOGUE, areas=default_areas(), now=NOW)
            assert result.ok, result.error
        source_month = month.replace("-", "M")
        population = store.get("befolkning", "151", month).value
        population_18_29 = sum(youth_population(population, age) for age in range(18, 30))
        youth = {}
        for table, ydelse in (("y01a02", "A-dagpenge"), ("y60a02", "Kontanthjælp")):
            total = jobindsats_tables()[table].cells[(source_month, "Ballerup", ())]["Antal fuldtidspersoner"]
            youth[table] = sum(youth_a02(table, total, group) for group in YOUTH_A02_SHARE[table])
            aged = store.get("fuldtidspersoner", "151", month, f"alder=18-29 år;ydelse={ydelse}")
            assert (aged.value, aged.source) == (youth[table], f"jobindsats:{table}")
        uddannelseshjaelp = store.get("fuldtidspersoner", "151", month, "alder=18-29 år;ydelse=Uddannelseshjælp")
        assert (uddannelseshjaelp is not None) == (month < "2025-07")  # y38a02 ends at the reform
        unge = store.get("ungeledighed", "151", month)
        assert unge.source == "derived:ungeledighed"
        assert unge.value == pytest.approx(sum(youth.values()) / population_18_29 * 100, abs=1e-6)
        assert 3 < unge.value < 12  # the notat's order of size (7,9 pct. in Ballerup)

        ledige = store.get("ledige", "151", month).value
        ledige_18_29 = sum(youth_ledige(ledige, group) for group in YOUTH_LEDIGE_SHARE)
        assert store.get("ledige_unge", "151", month).value == ledige_18_29
        official = store.get("ungeledighed_officiel", "151", month)
        assert official.source == "derived:ungeledighed_officiel"
        assert official.value == pytest.approx(ledige_18_29 / population_18_29 * 100, abs=1e-6)
        assert official.value < unge.value  # aktivitetsparate are not counted as ledige


def test_before_y60a02_kontanthjaelp_for_the_young_is_the_old_kontanthjaelp_plus_uddannelseshjaelp(tmp_path: Path):
    """y36a02 + y38a02 fill only the months y60a02 lacks: never added to the reformed kontanthjælp,
    which already counts the former uddannelseshjælp."""
    young = "alder=18-29 år;ydelse="
    with Store(tmp_path / "store.db", create=True) as store:
        store.load([
            obs("fuldtidspersoner", "151", "2021-07", 180, young + "Kontanthjælp før reformen", "jobindsats:y36a02"),
            obs("fuldtidspersoner", "151", "2021-07", 120, young + "Uddannelseshjælp", "jobindsats:y38a02"),
            obs("fuldtidspersoner", "151", "2021-08", 185, young + "Kontanthjælp før reformen", "jobindsats:y36a02"),
            obs("fuldtidspersoner", "151", "2021-08", 118, young + "Uddannelseshjælp", "jobindsats:y38a02"),
            obs("fuldtidspersoner", "151", "2021-08", 290, young + "Kontanthjælp", "jobindsats:y60a02"),
            *(obs("fuldtidspersoner", "151", m, 100, young + "A-dagpenge", "jobindsats:y01a02") for m in ("2021-07", "2021-08")),
            *(obs("befolkning", "151", m, 8000, "alder=18-29 år", "statbank:FOLK1AM") for m in ("2021-07", "2021-08")),
        ])
        refresh_derived(store, CATALOGUE, now=NOW)
        before = store.get("fuldtidspersoner", "151", "2021-07", young + "Kontanthjælp")
        assert (before.value, before.source) == (300, "derived:fuldtidspersoner")
        assert store.get("fuldtidspersoner", "151", "2021-08", young + "Kontanthjælp").value == 290
        assert store.get("ungeledighed", "151", "2021-07").value == pytest.approx((100 + 300) / 8000 * 100)
        assert store.get("ungeledighed", "151", "2021-08").value == pytest.approx((100 + 290) / 8000 * 100)


def test_a_derived_figure_names_what_it_is_computed_from_not_its_internal_id(tmp_path: Path):
    """»Kilde: derived:sygedagpenge« told a manager nothing; the answer and the fact sheet name the
    sources the formula is computed from."""
    from datetime import date

    from bot.asking.conversation import reply
    from bot.config import Config
    from bot.rendering import render
    from bot.reports.factsheet import FigureFacts

    assert CATALOGUE.origins("sygedagpenge") == ("jobindsats",)
    assert CATALOGUE.origins("ungeledighed") == ("jobindsats", "statbank")
    assert CATALOGUE.origins("fleksjob") == ()  # not derived
    path = tmp_path / "store.db"
    with ReplayServer() as server, Store(path, create=True) as store:
        sampledata.load_into(store)
        result = refresh_source(store, jobindsats_connector(server), wanted_from(CATALOGUE, "jobindsats",
                                ["sygedagpenge"]), catalogue=CATALOGUE, areas=default_areas(), now=NOW)
        assert result.ok, result.error
        answer = reply("sygedagpenge 2. kvartal 2026", store, Config(), date(2026, 8, 10))
        fresh = reply("hvornår er tallene opdateret", store, Config(), date(2026, 8, 10))
    assert "Sygedagpenge mv., beregnet af Faktabot ud fra Jobindsats.dk: beregnet" in fresh.text, fresh.text
    assert "derived" not in fresh.text
    assert "Kilde: beregnet af Faktabot ud fra Jobindsats.dk" in answer.text, answer.text
    assert "derived" not in answer.text
    facts = FigureFacts(number="4.4", title="Ungeledighed", indicator=CATALOGUE.get("ungeledighed"), chart=None,
                        sources={"derived:ungeledighed"})
    words = render.render("factsheet_figure.txt.j2", f=facts, kommune="Ballerup")
    assert "Kilde: Jobindsats.dk og Danmarks Statistik (beregnet af Faktabot)." in words, words
    assert "Faktabot beregner tallene ud fra Jobindsats.dk og Danmarks Statistik" in words and "derived" not in words


def test_aktiveringsgrad_does_not_count_the_former_uddannelseshjaelp_twice():
    """y60a02's kontanthjælp counts the former uddannelseshjælp from 2021M08 (no break at the 2025
    reform), as ungeledighed's formula assumes; y38a02's uddannelseshjælp (to 2025M06) added to it
    made the denominator too big and the rate too low until the reform, then a jump."""
    (aktivering,) = [f for f in catalogue_formulas(CATALOGUE)[0] if f.indicator == "aktiveringsgrad"]
    period = "2024-06"
    inputs = [obs("fuldtidsaktiverede", "151", period, 500)] + [
        obs("fuldtidspersoner", "151", period, value, f"ydelse={ydelse}") for ydelse, value in [
            ("A-dagpenge", 600), ("Kontanthjælp", 700), ("Uddannelseshjælp", 100),
            ("Selvforsørgelses- og hjemrejseydelse", 100), ("Sygedagpenge", 600), ("Jobafklaringsforløb", 200),
            ("Ressourceforløb", 250), ("Ledighedsydelse", 130), ("Revalidering", 20)]]
    got = values(compute([aktivering], inputs))
    assert got[("151", period)] == pytest.approx(500 / (600 + 700 + 100 + 600 + 200 + 250 + 130 + 20) * 100)
