"""A file with every part of a figure's breakdown and no »I alt« row (indicators.totals): the total is
the parts' sum where the catalogue says they add up to it, and else the eksempeldata total beside
the real parts is removed; either is said. A file with only some parts is left as before."""
from __future__ import annotations

import tomllib

import pytest

from indicators.catalogue import CatalogueError, default_catalogue, parse_catalogue
from indicators.store import Store
from tests.conftest import REPO, run_cli

SAMTALER = "Måned;Kommune;Målgruppe;Antal samtaler\n"
RATE = "Kvartal;Kommune;Målgruppe;Samtaler pr. fuldtidsperson\n"


def sources(db, indicator, area="151", breakdown=""):
    with Store(db) as store:
        return {o.period: (o.value, o.source) for o in store.series(indicator, area, breakdown)}


def test_every_group_and_no_total_gives_the_sum_as_the_kommunes_total_and_says_so(sample_store_copy, tmp_path):
    """The eksempeldata total (1.125 in juli 2026) stood beside the kommune's three groups; »samtaler
    september 2026« then gave juli's synthetic total. The groups add up to the total (the catalogue's
    `total_is_sum_of`), so the total is now their sum, the kommune's own."""
    assert {s for _, s in sources(sample_store_copy, "samtaler").values()} == {"eksempeldata"}
    path = tmp_path / "samtaler-sep.csv"
    path.write_text(SAMTALER + "september 2026;Ballerup;Ledige;700\nseptember 2026;Ballerup;Sygemeldte;300\n"
                    "september 2026;Ballerup;Øvrige;100\naugust 2026;Ballerup;Ledige;650\n", encoding="utf-8")
    done = run_cli("refresh", "--file", str(path), db=sample_store_copy)
    assert done.returncode == 0, done.stderr
    assert ("Filen har ingen »I alt«-række for samtaler, men alle delene (Ledige, Sygemeldte, Øvrige), som "
            "tilsammen er det samlede tal: det samlede tal er beregnet som deres sum (1 tal).") in done.stdout
    # the total series is the kommune's: september's sum; august (one group only) has no total, and no
    # eksempeldata total is left beside the real figures
    # (marked as summed: the answers say so, below)
    assert sources(sample_store_copy, "samtaler") == {"2026-09": (1100.0, "file:samtaler-sep.csv/sum")}
    answer = run_cli("ask", "samtaler september 2026", db=sample_store_copy).stdout
    assert answer.startswith("Samtaler i Ballerup, september 2026: 1.100 samtaler.") and "ksempeldata" not in answer
    # Albertslund's eksempeldata is another area's: untouched
    assert {s for _, s in sources(sample_store_copy, "samtaler", "165").values()} == {"eksempeldata"}


def test_a_summed_total_says_in_its_source_line_that_faktabot_added_up_the_files_parts(sample_store_copy, tmp_path):
    """The total Faktabot summed from the file's groups was named »kommunens egne data (samtaler-sep.csv)«
    in answers, as if the file had given it; only the import said it was summed. The source line says
    so now; a group's figure, and a total the file does give, are named as before."""
    path = tmp_path / "samtaler-sep.csv"
    path.write_text(SAMTALER + "september 2026;Ballerup;Ledige;700\nseptember 2026;Ballerup;Sygemeldte;300\n"
                    "september 2026;Ballerup;Øvrige;100\noktober 2026;Ballerup;Ledige;710\n"
                    "oktober 2026;Ballerup;Sygemeldte;310\noktober 2026;Ballerup;Øvrige;90\n"
                    "oktober 2026;Ballerup;I alt;1.110\n", encoding="utf-8")
    assert run_cli("refresh", "--file", str(path), db=sample_store_copy).returncode == 0
    summed = ("Kilde: kommunens egne data (samtaler-sep.csv; det samlede tal er lagt sammen af Faktabot ud fra "
              "filens dele), indlæst ")
    answer = run_cli("ask", "samtaler september 2026", db=sample_store_copy).stdout
    assert answer.startswith("Samtaler i Ballerup, september 2026: 1.100 samtaler.") and summed in answer, answer
    given = run_cli("ask", "samtaler oktober 2026", db=sample_store_copy).stdout
    assert given.startswith("Samtaler i Ballerup, oktober 2026: 1.110 samtaler."), given
    assert "Kilde: kommunens egne data (samtaler-sep.csv), indlæst " in given and "lagt sammen" not in given
    part = run_cli("ask", "samtaler for ledige september 2026", db=sample_store_copy).stdout
    assert "700 samtaler" in part and "Kilde: kommunens egne data (samtaler-sep.csv), indlæst " in part, part
    # the freshness answer names the file, not its summed total's source string
    fresh = run_cli("ask", "hvor nye er tallene for samtaler", db=sample_store_copy).stdout
    assert "samtaler-sep.csv" in fresh and "/sum" not in fresh, fresh


def test_every_group_of_a_rate_and_no_total_removes_the_eksempeldata_total_and_says_so(sample_store_copy, tmp_path):
    """Samtaler pr. fuldtidsperson of three groups do not add up to the total: the eksempeldata total
    of the kommune is removed, not left beside the real groups as if it were theirs."""
    assert sources(sample_store_copy, "samtaler_pr_fuldtidsperson")
    path = tmp_path / "rate.csv"
    path.write_text(RATE + "3. kvt. 2026;Ballerup;Ledige;2,5\n3. kvt. 2026;Ballerup;Sygemeldte;1,5\n"
                    "3. kvt. 2026;Ballerup;Øvrige;1,0\n", encoding="utf-8")
    done = run_cli("refresh", "--file", str(path), db=sample_store_copy)
    assert done.returncode == 0, done.stderr
    assert ("Filen har alle delene af samtaler pr. fuldtidsperson (Ledige, Sygemeldte, Øvrige), men ingen »I alt«-"
            "række, og delene lægges ikke sammen til det samlede tal: eksempeldata for det samlede tal er fjernet i "
            "1 område, så det står uden tal, til en fil med »I alt« indlæses.") in done.stdout
    assert sources(sample_store_copy, "samtaler_pr_fuldtidsperson") == {}
    assert sources(sample_store_copy, "samtaler_pr_fuldtidsperson", "151", "gruppe=Ledige") == {
        "2026-Q3": (2.5, "file:rate.csv")}


def test_a_group_without_a_figure_gives_no_sum_and_the_eksempeldata_total_goes(sample_store_copy, tmp_path):
    path = tmp_path / "samtaler.csv"
    path.write_text(SAMTALER + "september 2026;Ballerup;Ledige;700\nseptember 2026;Ballerup;Sygemeldte;\n"
                    "september 2026;Ballerup;Øvrige;100\n", encoding="utf-8")
    done = run_cli("refresh", "--file", str(path), db=sample_store_copy)
    assert done.returncode == 0, done.stderr
    assert "eksempeldata for det samlede tal er fjernet i 1 område" in done.stdout
    assert "beregnet som deres sum" not in done.stdout
    assert sources(sample_store_copy, "samtaler") == {}


def test_a_file_with_its_total_or_only_some_groups_is_stored_as_before(sample_store_copy, tmp_path):
    path = tmp_path / "samtaler.csv"
    path.write_text(SAMTALER + "september 2026;Ballerup;Ledige;700\nseptember 2026;Ballerup;Sygemeldte;300\n",
                    encoding="utf-8")
    before = sources(sample_store_copy, "samtaler")
    done = run_cli("refresh", "--file", str(path), db=sample_store_copy)
    assert done.returncode == 0 and "»I alt«" not in done.stdout, done.stdout
    assert sources(sample_store_copy, "samtaler") == before  # said by the answers (a real part beside it)
    path.write_text(SAMTALER + "oktober 2026;Ballerup;Ledige;700\noktober 2026;Ballerup;Sygemeldte;300\n"
                    "oktober 2026;Ballerup;Øvrige;100\noktober 2026;Ballerup;I alt;1.111\n", encoding="utf-8")
    done = run_cli("refresh", "--file", str(path), db=sample_store_copy)
    assert done.returncode == 0 and "»I alt«" not in done.stdout, done.stdout
    assert sources(sample_store_copy, "samtaler") == {"2026-10": (1111.0, "file:samtaler.csv")}  # the file's own


@pytest.mark.parametrize("indicator,key", [("afgangsrate", "ydelse"), ("samtaler", "alder"),
                                           ("afsluttede_forloeb", "ydelse")])
def test_total_is_sum_of_that_cannot_hold_is_refused_with_the_fix(indicator, key):
    data = tomllib.loads((REPO / "indicators" / "catalogue.toml").read_text(encoding="utf-8"))
    data["indicator"][indicator]["total_is_sum_of"] = key
    with pytest.raises(CatalogueError) as raised:
        parse_catalogue(data)
    assert str(raised.value).startswith(f"indikator '{indicator}': total_is_sum_of = '{key}' kræver et antal")
    assert "ret eller fjern total_is_sum_of" in str(raised.value)
    assert default_catalogue().get("samtaler").total_is_sum_of == "gruppe"

