"""File imports: the conversation-count example, CSV spellings, XLSX, faktabot.toml mappings, Jobindsats' export."""
from __future__ import annotations

import re
import tomllib

import pytest

from indicators.catalogue import CatalogueError, default_areas, default_catalogue, parse_catalogue
from indicators.connectors import files
from indicators.connectors.files import (
    FileImportError,
    import_formats,
    load,
    parse_period,
)
from tests.conftest import REPO, SHARED_DATA

CATALOGUE = default_catalogue()
AREAS = default_areas()
NOW = "2026-08-01T00:00:00+00:00"
FORMATS = import_formats(CATALOGUE, AREAS)
HEADER = "Måned;Kommune;Målgruppe;Antal samtaler"


def imported(path, formats=FORMATS, default_area=None):
    result = load(path, CATALOGUE, AREAS, formats, NOW, default_area)
    return {(o.indicator, o.area, o.period, o.breakdown): o.value for o in result.observations}


def test_the_documented_example_file_imports_as_samtaler_by_målgruppe():
    found = imported(REPO / "docs" / "samtaler-eksempel.csv")
    assert found[("samtaler", "151", "2026-01", "gruppe=Ledige")] == 1160
    assert found[("samtaler", "151", "2026-01", "")] == 2840  # "I alt" is the total
    assert len(found) == 24


@pytest.mark.parametrize("encoding,bom", [("utf-8", False), ("utf-8", True), ("latin-1", False)])
def test_semicolons_decimal_comma_and_every_encoding_excel_writes(tmp_path, encoding, bom):
    text = f"{HEADER}\nmaj 2026;Høje-Taastrup;Øvrige;1.234\n2026-06;Ballerup;Sygemeldte;12,0\n"
    raw = text.encode(encoding)
    path = tmp_path / "samtaler.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + raw)
    found = imported(path)
    assert found[("samtaler", "169", "2026-05", "gruppe=Øvrige")] == 1234
    assert found[("samtaler", "151", "2026-06", "gruppe=Sygemeldte")] == 12  # a decimal comma, not 120


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_excels_unicode_text_utf16_with_tabs_imports(tmp_path, encoding):
    # Excel's »Gem som: Unicode-tekst (*.txt)«: UTF-16 with its byte order mark, tab-separated.
    text = f"{HEADER}\nmaj 2026;Høje-Taastrup;Øvrige;1.234\n2026-06;Ballerup;Sygemeldte;12,0\n".replace(";", "\t")
    path = tmp_path / "samtaler.txt"
    path.write_bytes("\ufeff".encode(encoding) + text.encode(encoding))
    found = imported(path)
    assert found[("samtaler", "169", "2026-05", "gruppe=Øvrige")] == 1234
    assert found[("samtaler", "151", "2026-06", "gruppe=Sygemeldte")] == 12  # a decimal comma, not 120
    assert files.read_csv("samtaler.txt", path.read_bytes()).header == HEADER.split(";")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_file_with_its_header_only_is_refused_saying_to_fill_it_in(tmp_path, suffix):
    path = tmp_path / f"samtaler{suffix}"
    if suffix == ".csv":
        path.write_text(HEADER + "\n", encoding="utf-8")
    else:
        from openpyxl import Workbook

        book = Workbook()
        book.active.append(HEADER.split(";"))
        book.save(path)
    with pytest.raises(FileImportError, match=f"samtaler{suffix} har kun overskriftsrækken og ingen linjer med tal"):
        imported(path)


def test_a_comma_separated_file_with_a_decimal_point(tmp_path):
    path = tmp_path / "prognose.csv"
    path.write_text("År,Område,Prognose,Nøgletal,Forventet ændring\n2026,Hele landet,F.M.,Ledighed,-3500.5\n",
                    encoding="utf-8")
    found = imported(path)
    assert found[("konjunkturprognose", "000", "2026", "maal=Ledighed;prognose=Finansministeriet")] == -3500.5


def test_an_xlsx_export_with_dates_and_numbers_in_cells(tmp_path):
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Måned", "Kommune", "Målgruppe", "Antal samtaler"])
    sheet.append([datetime(2026, 5, 1), "Ballerup", "Ledige", 1201])
    sheet.append([datetime(2026, 5, 1), 151, "Sygemeldte", 640.0])
    path = tmp_path / "samtaler.xlsx"
    book.save(path)
    found = imported(path)
    assert found[("samtaler", "151", "2026-05", "gruppe=Ledige")] == 1201
    assert found[("samtaler", "151", "2026-05", "gruppe=Sygemeldte")] == 640


def test_a_column_mapping_in_faktabot_toml_reads_the_case_systems_own_headers(tmp_path):
    configured = {"fasit": {"indicator": "samtaler", "area": "Ballerup", "sheet": "Udtræk",
                            "columns": {"period": "Periode", "value": "Antal", "gruppe": "Gruppe",
                                        "area": "Afdeling"}}}
    formats = import_formats(CATALOGUE, AREAS, configured)
    path = tmp_path / "fasit.csv"
    path.write_text("Periode;Gruppe;Antal\n05/2026;ledige;900\n05/2026;syge;300\n", encoding="utf-8")
    found = imported(path, formats)
    # "syge" is an alias from the catalogue's [breakdown.gruppe] vocabulary
    assert found == {("samtaler", "151", "2026-05", "gruppe=Ledige"): 900,
                     ("samtaler", "151", "2026-05", "gruppe=Sygemeldte"): 300}


def test_a_sheet_named_in_faktabot_toml_that_the_workbook_lacks_is_refused_not_replaced(tmp_path):
    """`sheet = "Udtræk"` and a workbook whose sheet is spelt »Udtraek«: the first sheet (a guide with
    an old example figure, same columns) was read instead and its 999 stored without a word."""
    from openpyxl import Workbook

    configured = {"fasit": {"indicator": "samtaler", "area": "Ballerup", "sheet": "Udtræk",
                            "columns": {"period": "Periode", "value": "Antal", "gruppe": "Gruppe"}}}
    formats = import_formats(CATALOGUE, AREAS, configured)
    book = Workbook()
    book.active.title = "Vejledning"
    for title, value in (("Vejledning", 999), ("Udtraek", 1234)):
        sheet = book[title] if title in book.sheetnames else book.create_sheet(title)
        sheet.append(["Periode", "Antal", "Gruppe"])
        sheet.append(["2026-06", value, "Ledige"])
    path = tmp_path / "fasit.xlsx"
    book.save(path)
    with pytest.raises(FileImportError) as raised:
        imported(path, formats)
    assert str(raised.value).startswith(
        "faktabot.toml, [imports.fasit] læser arket 'Udtræk', men fasit.xlsx har intet ark med det navn "
        "(arkene: Vejledning, Udtraek); intet er gemt.")
    book["Udtraek"].title = "Udtræk"
    book.save(path)
    assert imported(path, formats) == {("samtaler", "151", "2026-06", "gruppe=Ledige"): 1234}


def test_jobindsats_own_csv_export_needs_no_mapping(tmp_path):
    lines = (SHARED_DATA / "real" / "jobindsats_kommuner_2021-2026.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "eksport.csv"  # the real export, cut to two months to keep the test fast
    path.write_text("\n".join([lines[0], *(l for l in lines if ";2026M05;" in l or ";2026M07;" in l)]),
                    encoding="utf-8")
    result = load(path, CATALOGUE, AREAS, FORMATS, NOW)
    found = {(o.indicator, o.area, o.period, o.breakdown): o for o in result.observations}
    ballerup = found[("ledige", "151", "2026-05", "")]
    assert ballerup.value == 816 and ballerup.source == "jobindsats:y25i01"
    assert found[("ledighedsprocent", "151", "2026-05", "ydelse=A-dagpenge")].value > 0
    assert found[("aktiveringsmoenster", "151", "2026-07", "redskab=Virksomhedspraktik;ydelse=Kontanthjælp")]
    assert len({o.area for o in result.observations}) == 99


def test_a_file_matching_no_format_lists_its_columns_and_how_to_map_them(tmp_path):
    path = tmp_path / "ukendt.csv"
    path.write_text("Dato;Sted;Tal\n2026-05;Ballerup;3\n", encoding="utf-8")
    with pytest.raises(FileImportError) as raised:
        imported(path)
    message = str(raised.value)
    assert "ukendt.csv: kolonnerne (Dato, Sted, Tal) passer ikke til noget importformat" in message
    assert "[imports.<navn>]" in message and "faktabot.toml" in message


def test_a_file_split_by_another_character_says_which_and_how_to_save_it(tmp_path):
    path = tmp_path / "samtaler.csv"
    path.write_text(HEADER.replace(";", "|") + "\nmaj 2026|Ballerup|Ledige|10\n", encoding="utf-8")
    with pytest.raises(FileImportError, match="samtaler.csv: kolonnerne er adskilt med »\\|«, men Faktabot læser CSV "
                                              "adskilt med semikolon, komma eller tabulator"):
        imported(path)


@pytest.mark.parametrize("cell", ["1,160.5", "1.16,0.5", "12,5.0"])
def test_a_number_mixing_comma_and_point_in_a_semicolon_file_is_refused_not_misread(tmp_path, cell):
    """»1,160.5« (English spelling) in a semicolon file was read as 1,1605 and stored: one line of
    conversations where the kommune had 1.160."""
    path = tmp_path / "samtaler.csv"
    path.write_text(f"{HEADER}\nmaj 2026;Ballerup;Ledige;{cell}\n", encoding="utf-8")
    with pytest.raises(FileImportError, match=f"kolonne 'Antal samtaler': '{re.escape(cell)}' blander komma og punktum"):
        imported(path)


@pytest.mark.parametrize(("cell", "value"), [("1.160,5", 1160.5), ("3,1", 3.1), ("1.160", 1160), ("1160.5", 1160.5),
                                             ("-0,4", -0.4), (",5", 0.5)])
def test_danish_and_plain_numbers_in_a_semicolon_file_still_read(tmp_path, cell, value):
    # A figure that may hold a fraction (samtaler are counted whole: see the test of fractions below).
    formats = import_formats(CATALOGUE, AREAS, {"andel": {"indicator": "ungeledighed", "columns": {
        "period": "Måned", "area": "Kommune", "value": "Antal samtaler"}}})
    path = tmp_path / "samtaler.csv"
    path.write_text(f"{HEADER}\nmaj 2026;Ballerup;Ledige;{cell}\n", encoding="utf-8")
    assert imported(path, formats) == {("ungeledighed", "151", "2026-05", ""): value}


def test_a_period_of_another_kind_than_the_figures_is_refused(tmp_path):
    """»maj 2026« under »Kvartal« for tidlig indsats (a quarterly figure) was stored as a month beside
    the quarters, replacing the series' eksempeldata; a quarter in a yearly figure likewise. (A quarter
    of a monthly figure, a coarser total, is accepted: see the test above.)"""
    quarterly = tmp_path / "tidlig.csv"
    quarterly.write_text("Kvartal;Område;Andel med samtale inden for første måned (pct.)\nmaj 2026;Ballerup;45,2\n",
                         encoding="utf-8")
    with pytest.raises(FileImportError, match="kolonne 'Kvartal': 2026-05 er en måned, men tidlig indsats opgøres "
                                              "pr. kvartal \\(skriv kvartalet, fx 2. kvt. 2026\\)"):
        imported(quarterly)
    yearly = tmp_path / "prognose.csv"
    yearly.write_text("År;Område;Prognose;Nøgletal;Forventet ændring\n2026-Q2;Hele landet;F.M.;Ledighed;-1,5\n",
                      encoding="utf-8")
    with pytest.raises(FileImportError, match="2026-Q2 er et kvartal, men konjunkturprognosen opgøres pr. år"):
        imported(yearly)
    quarterly.write_text("Kvartal;Område;Andel med samtale inden for første måned (pct.)\n2. kvt. 2026;Ballerup;45,2\n",
                         encoding="utf-8")
    assert imported(quarterly) == {("tidlig_indsats", "151", "2026-Q2", ""): 45.2}


@pytest.mark.parametrize(("cell", "code"), [("Ballerup Kommune", "151"), ("Københavns Kommune", "101"),
                                           ("Bornholms Regionskommune", "400"), ("0151", "151"), ("Ballerup", "151")])
def test_a_kommune_as_case_systems_write_it_is_read(tmp_path, cell, code):
    """»Ballerup Kommune« and »0151«, as case systems export the area, were refused line by line."""
    path = tmp_path / "samtaler.csv"
    path.write_text(f"{HEADER}\nmaj 2026;{cell};Ledige;10\n", encoding="utf-8")
    assert imported(path) == {("samtaler", code, "2026-05", "gruppe=Ledige"): 10}


def test_a_misspelt_kommune_is_refused_with_the_one_likely_meant(tmp_path):
    """»Balerup« in a file was refused with only »Skriv kommunens navn (fx Ballerup)«, while the same
    slip in faktabot.toml gets »mente du«; the line now names the kommune likely meant, and a cell
    like no name (»xyz«, a code) gets no guess."""
    path = tmp_path / "samtaler.csv"
    path.write_text(f"{HEADER}\nmaj 2026;Balerup;Ledige;10\nmaj 2026;Hoje Tastrup;Ledige;10\n"
                    "maj 2026;xyz;Ledige;10\nmaj 2026;999;Ledige;10\n", encoding="utf-8")
    with pytest.raises(FileImportError) as raised:
        imported(path)
    said = str(raised.value)
    assert "linje 2: område 'Balerup' er ikke en kommune, region eller DST-kode, Faktabot kender – måske Ballerup (151)" \
        in said, said
    assert "linje 3: område 'Hoje Tastrup' er ikke en kommune, region eller DST-kode, Faktabot kender – måske " \
           "Høje-Taastrup (169)" in said, said
    assert "linje 4: område 'xyz' er ikke en kommune, region eller DST-kode, Faktabot kender;" in said, said
    assert "'999' er ikke en kommune, region eller DST-kode, Faktabot kender." in said, said


def test_a_bad_cell_names_the_file_line_and_column(tmp_path):
    path = tmp_path / "samtaler.csv"
    path.write_text(f"{HEADER}\nmaj 2026;Ballerup;Ledige;10\nmaj 2026;Ballerup;Ledige;tolv\n", encoding="utf-8")
    with pytest.raises(FileImportError, match="samtaler.csv, linje 3: kolonne 'Antal samtaler': 'tolv' er ikke et tal"):
        imported(path)


def test_an_unknown_målgruppe_and_a_repeated_line_are_refused(tmp_path):
    path = tmp_path / "samtaler.csv"
    path.write_text(f"{HEADER}\nmaj 2026;Ballerup;Pensionister;10\n", encoding="utf-8")
    with pytest.raises(FileImportError, match="'Pensionister' i kolonne 'Målgruppe' er ikke en kendt målgruppe"):
        imported(path)
    path.write_text(f"{HEADER}\nmaj 2026;Ballerup;Ledige;10\n2026-05;Ballerup;Ledige;11\n", encoding="utf-8")
    with pytest.raises(FileImportError, match="linje 3: gentager linje 2"):
        imported(path)


def test_an_unknown_label_in_a_shipped_format_is_sent_to_faktabot_toml_and_that_works(tmp_path):
    """The advice was to add the label to indicators/catalogue.toml, which lies inside the installed
    package; the operator's own place is faktabot.toml's [imports.<name>], which extends the format."""
    path = tmp_path / "samtaler.csv"
    path.write_text(f"{HEADER}\nmaj 2026;Ballerup;Pensionister;10\n", encoding="utf-8")
    with pytest.raises(FileImportError) as raised:
        imported(path)
    message = str(raised.value)
    assert "catalogue.toml" not in message
    assert 'oversæt værdien i faktabot.toml: [imports.samtaler] med labels = { "værdien" = "gruppe=…" }' in message
    own = import_formats(CATALOGUE, AREAS, {"samtaler": {"labels": {"Pensionister": "gruppe=Øvrige"}}})
    assert imported(path, own) == {("samtaler", "151", "2026-05", "gruppe=Øvrige"): 10}


@pytest.mark.parametrize("cell,period", [
    ("maj 2026", "2026-05"), ("Maj-26", "2026-05"), ("2026M05", "2026-05"), ("05-2026", "2026-05"),
    ("2026/5", "2026-05"), ("2. kvt. 2026", "2026-Q2"), ("K2 2026", "2026-Q2"), ("2026K2", "2026-Q2"),
    ("2026-Q2", "2026-Q2"), ("2026", "2026"), (2026, "2026"), ("2026-05-01", "2026-05"),
])
def test_periods_as_jobcentres_write_them(cell, period):
    assert parse_period(cell) == period


def test_a_month_or_quarter_not_yet_begun_is_refused_a_forecast_year_is_not(tmp_path):
    # NOW is 1 August 2026: »marts 2027« (a typo for 2026) became samtaler's newest period.
    path = tmp_path / "samtaler.csv"
    for cell in ("marts 2027", "september 2026", "2026-Q4"):
        path.write_text(f"{HEADER}\nmaj 2026;Ballerup;Ledige;10\n{cell};Ballerup;Ledige;12\n", encoding="utf-8")
        with pytest.raises(FileImportError, match="samtaler.csv, linje 3: kolonne 'Måned': .* ligger i fremtiden \\(den er ikke begyndt endnu"):
            imported(path)
    path.write_text(f"{HEADER}\naugust 2026;Ballerup;Ledige;10\n2026-Q3;Ballerup;Ledige;12\n", encoding="utf-8")
    assert set(imported(path)) == {("samtaler", "151", "2026-08", "gruppe=Ledige"),
                                   ("samtaler", "151", "2026-Q3", "gruppe=Ledige")}
    prognose = tmp_path / "prognose.csv"
    prognose.write_text("År;Område;Prognose;Nøgletal;Forventet ændring\n2027;Hele landet;F.M.;Ledighed;-1,5\n",
                        encoding="utf-8")
    assert imported(prognose)[("konjunkturprognose", "000", "2027", "maal=Ledighed;prognose=Finansministeriet")] == -1.5


def test_an_empty_value_is_not_published_not_zero(tmp_path):
    path = tmp_path / "samtaler.csv"
    path.write_text(f"{HEADER}\nmaj 2026;Ballerup;Ledige;\n", encoding="utf-8")
    assert imported(path) == {("samtaler", "151", "2026-05", "gruppe=Ledige"): None}


def test_an_old_xls_file_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "samtaler.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(FileImportError, match="gem den som .xlsx eller CSV"):
        files.read(path)


def test_a_file_that_is_not_a_workbook_though_named_xlsx_is_refused_in_danish_only(tmp_path):
    path = tmp_path / "samtaler.xlsx"
    path.write_bytes(b"Maaned;Kommune\n")
    with pytest.raises(FileImportError) as raised:
        files.read(path)
    message = str(raised.value)
    assert "samtaler.xlsx kan ikke læses som en Excel-projektmappe (.xlsx)" in message
    assert "zip" not in message.lower()  # zipfile's »File is not a zip file« was shown in the Danish sentence


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_title_above_the_header_names_the_line_the_header_is_on(tmp_path, suffix):
    """Case systems export a title and an empty line above the header; the message listed the title
    as the file's columns (»kolonnerne (Udtræk fra Fasit, , , ) passer ikke …«)."""
    path = tmp_path / f"fasit{suffix}"
    rows = [["Udtræk fra Fasit 2026-05-03"], [], HEADER.split(";"), ["maj 2026", "Ballerup", "Ledige", "10"]]
    if suffix == ".csv":
        path.write_text("\n".join(";".join(row) for row in rows) + "\n", encoding="utf-8")
    else:
        from openpyxl import Workbook
        book = Workbook()
        for row in rows:
            book.active.append(row)
        book.save(path)
    with pytest.raises(FileImportError) as raised:
        imported(path)
    assert str(raised.value).startswith(
        f"fasit{suffix}: overskrifterne (Måned, Kommune, Målgruppe, Antal samtaler) står i linje 3, ikke i første linje; "
        "slet linjerne over dem")


def test_a_folder_given_as_the_file_is_called_a_folder_not_missing(tmp_path):
    with pytest.raises(FileImportError, match=f"{tmp_path} er en mappe, ikke en fil"):
        files.read(tmp_path)


def test_the_count_of_refused_lines_is_written_as_danes_write_it(tmp_path):
    path = tmp_path / "samtaler.csv"
    path.write_text(HEADER + "\n" + "maj 2026;Ballerup;Ledige;tolv\n" * 15, encoding="utf-8")
    with pytest.raises(FileImportError, match="samtaler.csv: 15 linjer kan ikke importeres") as raised:
        imported(path)
    assert "og 5 mere" in str(raised.value)


def test_a_file_broken_from_its_head_is_refused_after_twenty_errors_unread_below(tmp_path):
    path = tmp_path / "samtaler.csv"
    # Line 23 on is not even CSV a reader could finish: reading it all would fail differently (and
    # take minutes on a real export); the refusal comes from the first twenty errors alone.
    path.write_text(HEADER + "\nmaj 2026;Ballerup;Ledige;10\n" + "maj 2026;Ballerup;Ledige;tolv\n" * 20
                    + "maj 2026;Ballerup;Ledige;\"13\n" * 50, encoding="utf-8")
    with pytest.raises(FileImportError) as raised:
        imported(path)
    said = str(raised.value)
    assert "samtaler.csv: mindst 20 linjer kan ikke importeres, så intet er gemt" in said
    assert "stoppede læsningen ved linje 22" in said
    assert "linje 3: kolonne 'Antal samtaler': 'tolv' er ikke et tal" in said
    assert "(og 10 mere) … og måske flere fejl længere nede; ret dem ovenfor først" in said
    assert "tolv" not in raised.value.stored


def test_a_repeated_line_with_another_value_says_both_and_that_neither_is_known_right(tmp_path):
    path = tmp_path / "samtaler.csv"
    path.write_text(f"{HEADER}\nmaj 2026;Ballerup;Ledige;10\n2026-05;Ballerup;Ledige;1.100\n", encoding="utf-8")
    with pytest.raises(FileImportError) as raised:
        imported(path)
    said = str(raised.value)
    assert "linje 3: gentager linje 2 (samtaler, 151, 2026-05, gruppe=Ledige) med en anden værdi: 1.100 her, 10 i linje 2" in said
    assert "Faktabot kan ikke vide, hvilken der er rigtig" in said
    assert "Find ud af, hvilken værdi der er rigtig, og fjern den anden linje" in said
    path.write_text(f"{HEADER}\nmaj 2026;Ballerup;Ledige;10\n2026-05;Ballerup;Ledige;10\n", encoding="utf-8")
    with pytest.raises(FileImportError) as raised:
        imported(path)
    assert "anden værdi" not in str(raised.value) and "Fjern den ene af de to linjer" in str(raised.value)


def test_a_fraction_of_a_count_of_whole_things_is_refused_full_time_persons_are_not(tmp_path):
    path = tmp_path / "samtaler.csv"
    path.write_text(f"{HEADER}\nmaj 2026;Ballerup;Ledige;3,5\n", encoding="utf-8")
    with pytest.raises(FileImportError) as raised:
        imported(path)
    said = str(raised.value)
    assert "samtaler.csv, linje 2: kolonne 'Antal samtaler': 3,5 er ikke et helt tal, men samtaler tælles i hele tal" in said
    assert "Skriv antallet af samtaler som et helt tal" in said
    path.write_text(f"{HEADER}\nmaj 2026;Ballerup;Ledige;3,0\n", encoding="utf-8")
    assert imported(path) == {("samtaler", "151", "2026-05", "gruppe=Ledige"): 3.0}
    whole = {i.id: files.counted_whole(i) for i in CATALOGUE}
    assert whole["samtaler"] is True
    assert not any(whole[i.id] for i in CATALOGUE if i.unit.startswith("fuldtids") or i.format != "count")
    # the catalogue's `whole = true` marks the same figures the rule by unit name did
    assert sorted(i for i, w in whole.items() if w) == [
        "afsluttede_forloeb", "aktiverede", "aktiveringsforloeb", "aktiveringsmoenster", "befolkning", "fleksjob",
        "jobomsaetning", "kontanthjaelp", "loentimer", "paa_kanten", "positive_skift", "samtaler", "sygedagpenge"]


def _with_file_figure(data: dict, id: str, unit: str, column: str, **keys) -> None:
    data["indicator"][id] = {
        "name": id, "title": id, "definition": id, "unit": unit, "format": "count", "decimals": 0,
        "frequency": "month", "better": "higher", "page": 5, "figures": [], "areas": ["kommune"], **keys,
        "source": [{"kind": "file", "table": id, "columns": {"period": "Måned", "area": "Kommune", "value": column}}]}


def test_whether_a_count_is_of_whole_things_is_the_catalogues_whole_key_not_its_unit(tmp_path):
    """A fraction was refused for every count with no decimals but fuldtidspersoner, by its unit's
    name; a new figure now gets the rule by `whole = true` in the catalogue, and one without it
    (hours, say) keeps its fraction."""
    data = tomllib.loads((REPO / "indicators" / "catalogue.toml").read_text(encoding="utf-8"))
    _with_file_figure(data, "borgere_i_tilbud", "borgere", "Borgere i tilbud", whole=True)
    _with_file_figure(data, "timer_i_tilbud", "timer", "Timer i tilbud")
    catalogue = parse_catalogue(data)
    formats = import_formats(catalogue, AREAS)
    path = tmp_path / "tilbud.csv"
    path.write_text("Måned;Kommune;Borgere i tilbud\nmaj 2026;Ballerup;3,5\n", encoding="utf-8")
    with pytest.raises(FileImportError) as raised:
        load(path, catalogue, AREAS, formats, NOW)
    said = str(raised.value)
    assert "linje 2: kolonne 'Borgere i tilbud': 3,5 er ikke et helt tal, men borgere tælles i hele tal" in said
    assert "Skriv antallet af borgere som et helt tal" in said
    path.write_text("Måned;Kommune;Timer i tilbud\nmaj 2026;Ballerup;12,5\n", encoding="utf-8")
    assert [o.value for o in load(path, catalogue, AREAS, formats, NOW).observations] == [12.5]


@pytest.mark.parametrize("keys,says", [
    ({"whole": "ja"}, "'whole' skal være true eller false, men er 'ja'"),
    ({"whole": True, "decimals": 1}, ("`whole = true` er for tal, der tælles i hele ting (format = \"count\" og "
                                      "decimals = 0), men indikatoren har format = 'count' og decimals = 1; fjern "
                                      "`whole`, eller ret format og decimals")),
])
def test_a_whole_key_that_cannot_hold_is_refused_with_the_fix(keys, says):
    data = tomllib.loads((REPO / "indicators" / "catalogue.toml").read_text(encoding="utf-8"))
    _with_file_figure(data, "borgere_i_tilbud", "borgere", "Borgere i tilbud", **keys)
    with pytest.raises(CatalogueError) as raised:
        parse_catalogue(data)
    assert str(raised.value).startswith(f"indikator 'borgere_i_tilbud': {says}")


def test_an_unclosed_quote_is_said_in_danish_not_in_the_csv_modules_english(tmp_path):
    path = tmp_path / "samtaler.csv"
    path.write_text(f'{HEADER}\nmaj 2026;Ballerup;"Ledige\n' + ("x" * 90_000 + "\n") * 3 + '";10\n', encoding="utf-8")
    with pytest.raises(FileImportError) as raised:
        imported(path)
    said = str(raised.value)
    assert "samtaler.csv, linje 4: en celle længere end 131.072 tegn" in said
    assert "anførselstegn" in said and "Fjern eller luk anførselstegnet" in said
    assert "field limit" not in said


def test_a_file_the_system_cannot_read_is_said_in_danish_with_its_path(tmp_path):
    # /proc/self/mem is a file whose reading fails (EIO): a real OSError, as a failing share gives.
    with pytest.raises(FileImportError, match=r"^/proc/self/mem kan ikke læses, og intet er gemt: styresystemet"):
        files.read(files.Path("/proc/self/mem"))
    assert "findes ikke længere" in files._os_reason(FileNotFoundError(2, "No such file or directory"))
    assert "No such file" not in files._os_reason(FileNotFoundError(2, "No such file or directory"))
    assert "læseadgang" in files._os_reason(PermissionError(13, "Permission denied"))


def test_a_jobindsats_export_line_repeated_with_another_value_says_both(tmp_path):
    header = "tabel;omraade;periode;ydelsesgruppe;maaling;opdeling;vaerdi;enhed"
    row = "y25i01;Ballerup;2026M05;I alt;Antal ledige fuldtidspersoner;;{};fuldtidspersoner"
    path = tmp_path / "eksport.csv"
    path.write_text("\n".join([header, row.format(816), row.format(817)]) + "\n", encoding="utf-8")
    with pytest.raises(FileImportError) as raised:
        load(path, CATALOGUE, AREAS, FORMATS, NOW)
    assert "linje 3: gentager linje 2 med en anden værdi: 817 her, 816 i linje 2" in str(raised.value)
    assert "Faktabot kan ikke vide, hvilken der er rigtig" in str(raised.value)
    path.write_text("\n".join([header, row.format(816), row.format(816)]) + "\n", encoding="utf-8")
    with pytest.raises(FileImportError, match="linje 3: gentager linje 2;") as raised:
        load(path, CATALOGUE, AREAS, FORMATS, NOW)
