"""The fact sheet's periods: a figure held only after the quarter is not called empty."""
from __future__ import annotations

import pytest

from bot.rendering import render
from bot.reports import factsheet
from indicators.catalogue import default_areas, default_catalogue
from indicators.store import Store
from tests.conftest import run_cli


def _build(path, quarter: str) -> dict[str, factsheet.FigureFacts]:
    with Store(path) as store:
        figures = factsheet.build(quarter, store, default_catalogue(), default_areas(), "151")
    return {f.number: f for f in figures}


def _text(facts: factsheet.FigureFacts) -> str:
    return render.render("factsheet_figure.txt.j2", f=facts, kommune="Ballerup")


@pytest.fixture(scope="module")
def q2(sample_store_path):
    return _build(sample_store_path, "2026-Q2")


def test_a_figure_held_only_after_the_quarter_is_not_called_empty(q2, sample_store_path):
    # 6.4 holds July 2026 only: on the sheet for 2. kvt. it said »Der er endnu ingen tal for denne
    # figur i databasen«, »Kilde: endnu ingen tal«, and the command »Uden tal endnu: figur 6.4«.
    text = _text(q2["6.4"])
    assert "Der er ingen tal for 2. kvt. 2026 i databasen; de første tal er fra juli 2026." in text
    assert "endnu ingen tal" not in text and "Kilde: Jobindsats.dk." in text
    # Page 1 counted the empty figure among those on official figures.
    header = render.render("factsheet_page_header.txt.j2", number=1, title="T", kommune="Ballerup",
                           quarter="2026-Q2", sample=True, coverage=list(q2.values()))
    official = sum(1 for f in q2.values() if not f.sample_data and not f.empty)
    assert f"~{official} af 28 figurer bygger på officielle tal;" in header and "uden tal: 6.4." in header
    assert all(len(line.lstrip("~*")) <= 106 for line in header.splitlines())


def test_the_command_names_a_figure_held_only_later_apart_from_empty_ones(sample_store_path, tmp_path):
    out = tmp_path / "faktaark.pdf"
    result = run_cli("factsheet", "--quarter", "2026-Q2", "--out", str(out), db=sample_store_path)
    assert result.returncode == 0, result.stderr
    assert "Uden tal for kvartalet: figur 6.4 (de første tal er fra juli 2026)." in result.stdout
    assert "Uden tal endnu" not in result.stdout
