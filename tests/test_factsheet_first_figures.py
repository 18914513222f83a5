"""The fact sheet on the first months of the kommune's own file: a series of a period or two is
written as its value and first period (or drawn as bars), never a lone dot on a line chart, and
the eksempeldata beside it stays marked."""
from __future__ import annotations

import shutil

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from bot.rendering import charts, render
from bot.reports import factsheet
from indicators.catalogue import default_areas, default_catalogue
from indicators.store import Store
from tests.conftest import run_cli

HEADER = "Måned;Kommune;Antal samtaler;Målgruppe\n"


def _loaded(tmp_path_factory, sample_store_path, name: str, lines: str):
    """A copy of the sample store after `faktabot refresh --file` of a samtaler file."""
    folder = tmp_path_factory.mktemp(name)
    db = folder / "store.db"
    shutil.copy(sample_store_path, db)
    own = folder / "samtaler.csv"
    own.write_text(HEADER + lines, encoding="utf-8")
    loaded = run_cli("refresh", "--file", str(own), db=db)
    assert loaded.returncode == 0, loaded.stderr
    return db


def _built(db, quarter: str = "2026-Q3") -> dict[str, factsheet.FigureFacts]:
    with Store(db) as store:
        figures = factsheet.build(quarter, store, default_catalogue(), default_areas(), "151")
    return {f.number: f for f in figures}


def _store_with(tmp_path_factory, sample_store_path, name: str, lines: str):
    return _built(_loaded(tmp_path_factory, sample_store_path, name, lines))


@pytest.fixture(scope="module")
def ledige_db(tmp_path_factory, sample_store_path):
    # The kommune's first file: samtaler for Ledige in September 2026, nothing else.
    return _loaded(tmp_path_factory, sample_store_path, "ledige", "september 2026;Ballerup;1.204;Ledige\n")


@pytest.fixture(scope="module")
def ledige_only(ledige_db):
    return _built(ledige_db)


def _text(facts: factsheet.FigureFacts) -> str:
    return render.render("factsheet_figure.txt.j2", f=facts, kommune="Ballerup")


def test_a_series_of_one_month_is_a_value_with_its_first_month_not_a_dot(ledige_only):
    # 5.1 drew Ledige as one dot at »sep. 2026«, far right of the synthetic lines.
    chart = ledige_only["5.1"].chart
    assert isinstance(chart, charts.ChartSpec)
    assert all(len(line.points) >= 3 for line in chart.lines), [line.points for line in chart.lines]
    assert [line.label for line in chart.lines] == ["Sygemeldte (eksempeldata)", "Øvrige (eksempeldata)"]
    assert "Ledige: 1.204 samtaler – første tal: september 2026" in chart.note
    assert not chart.watermark  # not every figure in it is eksempeldata


def test_the_text_names_the_first_month_and_the_real_part_beside_the_eksempeldata(ledige_only):
    # The text said »Ledige: 1.204 samtaler i september 2026.« and then »Eksempeldata – ikke
    # officielle tal.« for the whole figure, the kommune's own figure included.
    text = _text(ledige_only["5.1"])
    assert "• Ledige: 1.204 samtaler i september 2026 (første tal)." in text
    assert "• Eksempeldata – ikke officielle tal, undtagen ledige (kommunens egne tal)." in text


def test_lines_ending_in_the_same_month_before_the_quarter_share_one_bullet(ledige_only):
    # »Nyeste tal for sygemeldte: juli 2026 – …« and the same for øvrige ran past the text's 16 lines.
    text = _text(ledige_only["5.1"])
    assert "• Nyeste tal for sygemeldte og øvrige: juli 2026 – ikke hele 3. kvt. 2026." in text
    assert text.count("Nyeste tal") == 1


@pytest.fixture(scope="module")
def every_group(tmp_path_factory, sample_store_path):
    # The first file with every målgruppe and the total, September 2026.
    return _store_with(tmp_path_factory, sample_store_path, "all", "".join(
        f"september 2026;Ballerup;{value};{group}\n"
        for group, value in (("Ledige", "1.204"), ("Sygemeldte", "700"), ("Øvrige", "650"), ("I alt", "2.554"))))


def test_every_series_of_one_month_is_drawn_as_bars(every_group):
    figures = every_group
    chart = figures["5.1"].chart
    assert isinstance(chart, charts.BarSpec)
    assert list(chart.categories) == ["Ledige", "Sygemeldte", "Øvrige"]
    assert list(chart.groups[0][1]) == [1204, 700, 650]
    assert chart.note == "Første tal: september 2026" and not chart.watermark
    assert "Eksempeldata" not in _text(figures["5.1"])


def test_the_page_with_a_first_month_has_no_text_over_text(ledige_only):
    (page,) = [p for n, p in enumerate(factsheet.pages(list(ledige_only.values()), "2026-Q3", "Ballerup",
                                                       default_catalogue()), start=1) if n == 5]
    FigureCanvasAgg(page).draw()
    renderer = page.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer).shrunk(1, 0.9)) for t in page.texts if t.get_text().strip()]
    for i, (text, box) in enumerate(boxes):
        assert not text.endswith("…"), text  # no line of a figure's text was cut
        for other, other_box in boxes[i + 1:]:
            assert not box.overlaps(other_box), (text, other)


def test_the_first_page_does_not_call_the_kommunes_own_figures_official(every_group):
    # »5 af 28 figurer bygger på officielle tal« counted 5.1, the kommune's own samtaler, among them.
    header = render.render("factsheet_page_header.txt.j2", number=1, title="Beskæftigelse og konjunkturer",
                           kommune="Ballerup", quarter="2026-Q3", sample=True, coverage=list(every_group.values()))
    assert "~5 af 28 figurer bygger på officielle tal og egne data; 23 rummer eksempeldata (syntetiske tal)." in header


def test_a_group_whose_first_figures_come_after_the_quarter_is_not_silently_gone(ledige_db):
    # On the sheet for 2. kvt. 2026, 5.1 showed Sygemeldte and Øvrige only: the file's Ledige start
    # in September (their eksempeldata gone with the import), and nothing said where Ledige went.
    facts = _built(ledige_db, "2026-Q2")["5.1"]
    assert facts.chart.note == "Ledige: første tal fra september 2026"
    text = _text(facts)
    assert "• Ledige: ingen tal for 2. kvt. 2026; de første tal er fra september 2026." in text
    assert "• Eksempeldata – ikke officielle tal." in text  # what is drawn is all eksempeldata


def test_the_alt_text_says_what_is_drawn(ledige_only, every_group):
    assert ledige_only["5.1"].alt_text == ("Figur 5.1, Antal gennemførte samtaler per måned: linjer for Sygemeldte, "
                                          "Øvrige, første tal for Ledige, senest september 2026.")
    assert every_group["5.1"].alt_text.startswith("Figur 5.1, Antal gennemførte samtaler per måned: søjler for Ledige, "
                                                  "Sygemeldte, Øvrige")
