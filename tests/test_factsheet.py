"""The quarterly fact sheet: seven pages, 28 figures, texts written from the data."""
from __future__ import annotations

import re

import pytest

from bot.rendering import formats, render
from bot.reports import factsheet
from indicators.catalogue import default_areas, default_catalogue
from indicators.store import Store
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def figures(sample_store_path):
    with Store(sample_store_path) as store:
        return factsheet.build("2026-Q2", store, default_catalogue(), default_areas(), "151")


def test_the_spec_has_the_28_figures_of_figures_md_in_order():
    numbers = [entry["number"] for entry in factsheet.load_spec()]
    assert numbers == [f"{page}.{n}" for page in range(1, 8) for n in range(1, 5)]


def test_every_figure_of_the_sample_has_a_chart(figures):
    assert [f.number for f in figures if f.chart is None] == ["6.4"]  # y60c02 exists for July only


def test_the_text_of_a_figure_carries_the_numbers_of_the_store(figures, sample_store_path):
    ledighed = next(f for f in figures if f.number == "4.2")
    with Store(sample_store_path) as store:
        newest = store.get("ledighedsprocent", "151", "2026-06")
    text = render.render("factsheet_figure.txt.j2", f=ledighed, kommune="Ballerup")
    assert f"senest {formats.number(newest.value, 1)} pct." in text
    assert "Hvordan er figuren lavet?" in text and "Hvad viser figuren?" in text
    assert ledighed.newest == "2026-06"  # nothing after the quarter's end


def test_eksempeldata_is_marked_on_the_figures_that_use_it(figures):
    by_number = {f.number: f for f in figures}
    assert by_number["3.3"].sample_data and not by_number["4.1"].sample_data
    text = render.render("factsheet_figure.txt.j2", f=by_number["3.3"], kommune="Ballerup")
    assert "Eksempeldata" in text


def test_change_bars_give_the_yearly_change_in_pct(figures, sample_store_path):
    change = next(f for f in figures if f.number == "1.2")
    (group,) = change.bars
    values = dict(group[1])
    with Store(sample_store_path) as store:
        now, before = store.get("beskaeftigelse", "151", "2025-Q3"), store.get("beskaeftigelse", "151", "2024-Q3")
    assert values["Ballerup"] == pytest.approx((now.value - before.value) / before.value * 100)


def test_factsheet_command_writes_a_seven_page_pdf(sample_store_path, tmp_path):
    out = tmp_path / "faktaark.pdf"
    result = run_cli("factsheet", "--quarter", "2026-Q2", "--out", str(out), db=sample_store_path)
    assert result.returncode == 0, result.stderr
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type /Page\b", pdf)) == 7
    assert "7 faktasider for 2. kvt. 2026" in result.stdout


def test_a_bad_quarter_is_a_clear_error(sample_store_path, tmp_path):
    result = run_cli("factsheet", "--quarter", "maj", "--out", str(tmp_path / "x.pdf"), db=sample_store_path)
    assert result.returncode == 1 and "skriv det som 2026-Q2" in result.stderr
    assert not (tmp_path / "x.pdf").exists()
