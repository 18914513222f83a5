"""Coverage everywhere (issue 13, item 5): `faktabot status` and the fact sheet's first page say how many
of the 28 figures rest on official figures, and which do not."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from bot.rendering import formats, render
from indicators import sampledata
from indicators.catalogue import default_areas, default_catalogue
from indicators.connectors import wanted_from
from indicators.coverage import coverage
from indicators.refresh import refresh_source
from indicators.store import Store
from tests.conftest import run_cli
from tests.replay import ReplayServer, jobindsats_connector

CATALOGUE = default_catalogue()


def test_a_replayed_refresh_moves_figures_from_eksempeldata_to_official(tmp_path):
    path = tmp_path / "store.db"
    with Store(path, create=True) as store:
        sampledata.load_into(store)
        before = coverage(store, CATALOGUE, "151")
        assert before.total == 28 and "3.3" in before.rest and "3.4" in before.rest
        with ReplayServer() as server:
            refresh_source(store, jobindsats_connector(server), wanted_from(CATALOGUE, "jobindsats",
                           ["sygedagpenge", "fleksjob"]), catalogue=CATALOGUE, areas=default_areas(),
                           now="2026-08-10T06:00:00+00:00")
        after = coverage(store, CATALOGUE, "151")
    assert {"3.3", "3.4"} <= set(after.official) and len(after.official) == len(before.official) + 2


def test_status_prints_the_coverage_and_the_rest(sample_store_copy):
    with Store(sample_store_copy) as store:
        found = coverage(store, CATALOGUE, "151")
    done = run_cli("status", db=sample_store_copy)
    assert done.returncode == 0, done.stderr
    assert f"{len(found.official)} af 28 figurer bygger på officielle tal for Ballerup." in done.stdout
    assert "Eksempeldata eller ingen tal: 1.3 Konjunkturprognose" in done.stdout
    # each figure by the fact sheet's title: 2.3 and 2.4 were named as 2.1, the indicator they share
    assert "2.3 Forsørgertryk i befolkningsgrupper, 2.4 Forsørgertryk i aldersgrupper" in done.stdout
    # a forecast's coming year is no newest period of eksempeldata (»nyeste periode 2027«)
    sample = next(line for line in done.stdout.splitlines() if line.strip().startswith("eksempeldata "))
    # (status names the period in Danish, »juli 2026«)
    month_name, year = sample.split("nyeste periode ", 1)[1].split(",", 1)[0].split()
    month = {name: number for number, name in formats.MONTHS.items()}[month_name]
    today = date.today()
    assert (int(year), month) < (today.year, today.month), sample
    # The figures no official input can give say why (the catalogue's reason).
    assert [(n, i) for n, i, _ in found.not_computable] == [("5.2", "samtaler_pr_fuldtidsperson"),
                                                            ("6.2", "virksomhedsaktiveringsgrad")]
    assert "6.2: virksomhedsaktiveringsgraden kan ikke beregnes af officielle tal. Kataloget henter ikke " \
           "fuldtidsaktiverede fordelt på tilbud" in done.stdout
    assert "5.2: samtaler pr. fuldtidsperson kan ikke beregnes af officielle tal." in done.stdout


def test_the_first_fact_page_header_says_the_coverage():
    figures = [SimpleNamespace(number="1.1", sample_data=False, own_data=False),
               SimpleNamespace(number="5.3", sample_data=True, own_data=False)]
    first = render.render("factsheet_page_header.txt.j2", number=1, title="T", kommune="Ballerup",
                          quarter="2026-Q2", sample=True, coverage=figures)
    other = render.render("factsheet_page_header.txt.j2", number=2, title="T", kommune="Ballerup",
                          quarter="2026-Q2", sample=False, coverage=None)
    assert "1 af 2 figurer bygger på officielle tal; eksempeldata (syntetiske tal, ikke officielle) i 5.3." in first
    assert "officielle tal" not in other


def test_status_and_the_fact_sheet_count_the_same_figures_as_official(sample_store_path):
    """A figure that mixes real and synthetic series is eksempeldata in both places (2.1 shows the
    real kontanthjælp share beside a synthetic total)."""
    from bot.reports import factsheet

    with Store(sample_store_path) as store:
        found = coverage(store, CATALOGUE, "151")
        figures = factsheet.build("2026-Q2", store, CATALOGUE, default_areas(), "151")
    assert found.official == tuple(f.number for f in figures if not f.sample_data)
    assert "2.1" in found.rest


def test_the_first_page_header_keeps_three_lines_when_most_figures_are_eksempeldata():
    """24 figure numbers in the coverage line ran the header into figure 1.1's title."""
    figures = [SimpleNamespace(number=f"{n // 4 + 1}.{n % 4 + 1}", sample_data=n >= 4, own_data=False) for n in range(28)]
    first = render.render("factsheet_page_header.txt.j2", number=1, title="T", kommune="Ballerup",
                          quarter="2026-Q2", sample=True, coverage=figures)
    lines = first.splitlines()
    assert len(lines) == 3 and lines[2] == ("~4 af 28 figurer bygger på officielle tal; 24 rummer eksempeldata "
                                            "(syntetiske tal, ikke officielle).")
    assert all(len(line.lstrip("~*")) <= 106 for line in lines)  # one printed line each (80 chars at 12 pt)
