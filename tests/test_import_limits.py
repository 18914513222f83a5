"""Issue 12, faults 5 and 11 (data side): imports are bounded (size, XLSX dimension, cells, string
length, CSV line length) and refused with the limit named; a failed import stores no file content."""
from __future__ import annotations

import re
import time
import zipfile

import pytest

from indicators.catalogue import default_areas, default_catalogue
from indicators.connectors.files import FileImportError, Limits, import_formats, load
from indicators.refresh import refresh_file
from indicators.store import Store

CATALOGUE = default_catalogue()
AREAS = default_areas()
FORMATS = import_formats(CATALOGUE, AREAS)
NOW = "2026-08-01T00:00:00+00:00"
HEADER = "Måned;Kommune;Målgruppe;Antal samtaler"


def xlsx(path, rows):
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def rewritten(source, target, change):
    """`source` with every part's bytes passed through `change`, as a hand-made or hostile file would be."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, change(info.filename, old.read(info)))
    return target


def test_a_file_above_max_bytes_is_refused_with_the_limit_named(tmp_path):
    path = tmp_path / "samtaler.csv"
    path.write_text(HEADER + "\n" + "".join(f"{y}-{m:02d};Ballerup;Ledige;10\n" for y in range(2018, 2026)
                                            for m in range(1, 13)), encoding="utf-8")
    with Store(tmp_path / "store.db", create=True) as store:
        result = refresh_file(store, path, catalogue=CATALOGUE, areas=AREAS, formats=FORMATS, now=NOW, max_bytes=1000)
        assert not result.ok and store.count() == 0
    assert f"samtaler.csv fylder {path.stat().st_size:,} bytes".replace(",", ".") + ", over grænsen på 1.000 bytes for én importfil" in result.error
    assert "Del filen" in result.error
    assert load(path, CATALOGUE, AREAS, FORMATS, NOW, max_bytes=10_000).format  # under a higher limit it reads


def test_an_xlsx_declaring_a_whole_sheet_is_refused_fast(tmp_path):
    """The reproduction: 4.9 KB declaring A1:XFD1048576 spun the CPU for minutes."""
    small = xlsx(tmp_path / "small.xlsx", [["Måned", "Kommune", "Målgruppe", "Antal samtaler"],
                                           ["maj 2026", "Ballerup", "Ledige", 10]])
    path = rewritten(small, tmp_path / "samtaler.xlsx",
                     lambda name, data: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', data))
    assert path.stat().st_size < 10_000
    started = time.perf_counter()
    with pytest.raises(FileImportError, match="angiver 1.048.576 rækker × 16.384 kolonner, over grænsen på 2.000.000"):
        load(path, CATALOGUE, AREAS, FORMATS, NOW)
    assert time.perf_counter() - started < 3


def test_an_xlsx_with_a_huge_string_is_refused_before_it_is_unpacked(tmp_path):
    small = xlsx(tmp_path / "small.xlsx", [["Måned", "Kommune", "Målgruppe", "Antal samtaler"],
                                           ["maj 2026", "Ballerup", "PLADSHOLDER", 10]])
    # openpyxl cuts strings at Excel's 32.767 characters; a hand-made file need not.
    path = rewritten(small, tmp_path / "samtaler.xlsx",
                     lambda name, data: data.replace(b"PLADSHOLDER", b"x" * 3_000_000))
    assert path.stat().st_size < 100_000  # it packs to almost nothing
    with pytest.raises(FileImportError, match="fylder .* udpakket, over grænsen på 1 MB"):
        load(path, CATALOGUE, AREAS, FORMATS, NOW, limits=Limits(max_unpacked_bytes=1024 * 1024))
    with pytest.raises(FileImportError, match="linje 2, kolonne 3: en celle længere end 1.000 tegn"):
        load(path, CATALOGUE, AREAS, FORMATS, NOW)


def test_an_xlsx_with_more_cells_than_the_limit_is_refused(tmp_path):
    path = xlsx(tmp_path / "samtaler.xlsx", [["Måned", "Kommune", "Målgruppe", "Antal samtaler"]]
                + [["maj 2026", "Ballerup", "Ledige", i] for i in range(50)])
    with pytest.raises(FileImportError, match="over grænsen på 100 celler|mere end 100 celler"):
        load(path, CATALOGUE, AREAS, FORMATS, NOW, limits=Limits(max_cells=100))


def test_a_csv_line_or_cell_beyond_its_limit_is_refused_with_the_limit_named(tmp_path):
    path = tmp_path / "samtaler.csv"
    path.write_text(f"{HEADER}\nmaj 2026;Ballerup;Ledige;10\n{'y' * 300_000}\n", encoding="utf-8")
    with pytest.raises(FileImportError, match="linje 3: længere end 100.000 tegn, grænsen for én linje"):
        load(path, CATALOGUE, AREAS, FORMATS, NOW)
    path.write_text(f"{HEADER}\nmaj 2026;Ballerup;{'z' * 5000};10\n", encoding="utf-8")
    with pytest.raises(FileImportError, match="linje 2, kolonne 3: en celle længere end 1.000 tegn"):
        load(path, CATALOGUE, AREAS, FORMATS, NOW)


def test_a_failed_import_stores_no_file_content(tmp_path):
    wrong = tmp_path / "borgere.csv"
    wrong.write_text("Navn;CPR-nummer;Diagnose\nJens Jensen;010203-1234;Hemmelig\n", encoding="utf-8")
    cells = tmp_path / "samtaler.csv"
    cells.write_text(f"{HEADER}\nmaj 2026;Ballerup;Fortroligt Navn;10\nmaj 2026;Sted 010203-1234;Ledige;10\n"
                     "2026-13;Ballerup;Ledige;hemmeligt tal\n", encoding="utf-8")
    with Store(tmp_path / "store.db", create=True) as store:
        first = refresh_file(store, wrong, catalogue=CATALOGUE, areas=AREAS, formats=FORMATS, now=NOW)
        second = refresh_file(store, cells, catalogue=CATALOGUE, areas=AREAS, formats=FORMATS, now=NOW)
        stored = [r["error"] for r in store.runs()]
    assert not first.ok and "CPR-nummer" in first.error  # shown at once to the one who imported it
    assert not second.ok and "Fortroligt Navn" in second.error
    assert len(stored) == 2
    for text in stored:
        for secret in ("Navn;", "CPR", "Jens", "Diagnose", "Fortroligt", "010203", "hemmeligt"):
            assert secret not in text, (secret, text)
    assert "borgere.csv: de 3 kolonner passer ikke til noget importformat" in stored[1]
    assert "samtaler.csv: 3 linjer kan ikke importeres" in stored[0]
    assert "linje 2: værdien i kolonne 'Målgruppe' er ikke en kendt målgruppe" in stored[0]
    assert "linje 4: kolonne 'Måned': ikke en periode" in stored[0]


def test_a_header_below_a_title_is_named_but_its_cells_are_not_stored(tmp_path):
    path = tmp_path / "fasit.csv"
    path.write_text(f"Udtræk 010203-1234\n\n{HEADER};Jens Jensen\nmaj 2026;Ballerup;Ledige;10;x\n", encoding="utf-8")
    with Store(tmp_path / "store.db", create=True) as store:
        result = refresh_file(store, path, catalogue=CATALOGUE, areas=AREAS, formats=FORMATS, now=NOW)
        stored = [r["error"] for r in store.runs()]
    assert not result.ok and "står i linje 3" in result.error and "Jens Jensen" in result.error
    assert len(stored) == 1 and "står i linje 3" in stored[0]
    assert "Jens" not in stored[0] and "010203" not in stored[0]
