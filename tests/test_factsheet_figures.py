"""The fact sheet against the hand-made note: what each figure shows, how it is laid out, the PDF."""
from __future__ import annotations

import dataclasses
import io
from datetime import UTC, date, datetime
from itertools import pairwise
from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text
from pypdf import PdfReader

from bot.alerting.context import TargetContext
from bot.config import load_config
from bot.rendering import charts, render
from bot.reports import factsheet
from indicators.catalogue import default_areas, default_catalogue
from indicators.store import Store

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 8, 22, 9, 0, tzinfo=UTC)

# Per figure, what the built chart must contain (the seed's series, areas, target line) and which
# breakdowns the sample store lacks, so the chart must say so.
#   number: (kind, labels that must be in the chart, target line, words the chart's note must hold)
EXPECTED = {
    "1.1": ("lines", ["Ballerup", "Hele landet"], False, []),
    "1.2": ("bars", ["Ballerup", "Region Hovedstaden", "Hele landet"], False, ["køn", "herkomst", "alder"]),
    "1.3": ("bars", ["Beskæftigelse", "Ledighed", "Finansministeriet", "Økonomisk Råd"], False, []),
    "1.4": ("lines", ["Ballerup", "Region Hovedstaden"], False, []),
    "2.1": ("lines", ["Ballerup", "Region Hovedstaden", "Hele landet"], False, []),
    "2.2": ("lines", ["Ballerup", "Hele landet"], False, []),
    "2.3": ("bars", ["Mænd", "Kvinder", "Ballerup", "Hele landet"], False, ["herkomst"]),
    "2.4": ("bars", ["16-24 år", "60 år og derover", "Ballerup", "Hele landet"], False, ["førtidspension"]),
    "3.1": ("bars", ["A-dagpenge", "Sygedagpenge", "Jobafklaringsforløb", "Fleksjob", "Revalidering"], False, []),
    "3.2": ("lines", ["Ballerup"], False, []),
    "3.3": ("lines", ["Ballerup", "Hele landet", "Målsti"], True, []),
    "3.4": ("lines", ["Ballerup", "Hele landet", "Målsti"], True, []),
    "4.1": ("bars", ["A-dagpenge", "Kontant- og uddannelseshjælp", "Ballerup"], False, ["køn"]),
    "4.2": ("lines", ["Ballerup", "Region Hovedstaden", "Hele landet"], False, []),
    "4.3": ("lines", ["Ledige unge", "Ikke-vestlige ledige", "Langtidsledige"], False, []),
    "4.4": ("lines", ["Ballerup", "Hele landet", "Loft"], True, []),  # a ceiling: the limit, not a path
    "5.1": ("lines", ["Ledige", "Sygemeldte", "Øvrige"], False, []),
    "5.2": ("lines", ["Ledige", "Sygemeldte", "Øvrige"], False, []),
    "5.3": ("lines", ["Ballerup", "Hele landet"], False, []),
    "5.4": ("lines", ["Ballerup", "Hele landet"], False, []),
    "6.1": ("lines", ["Aktiveringsforløb", "Aktiverede", "Fuldtidsaktiverede"], False, []),
    "6.2": ("lines", ["Aktiveringsgraden", "Virksomhedsaktiveringsgraden", "hele landet"], False, []),
    "6.3": ("bars", ["A-dagpenge", "Uddannelseshjælp", "Ballerup", "Hele landet"], False, []),
    "6.4": (None, [], False, []),  # the sample holds July only: no month of 2. kvt.
    "7.1": ("lines", ["Ballerup"], False, ["seneste forsørgelsesydelse"]),
    "7.2": ("bars", ["A-dagpenge", "Kontanthjælp", "Sygedagpenge", "Ballerup", "Hele landet"], False, ["status"]),
    "7.3": ("bars", ["A-dagpenge", "Kontanthjælp", "Ballerup", "Region Hovedstaden", "Hele landet"], False, []),
    "7.4": ("lines", ["Ballerup"], False, []),
}


@pytest.fixture(scope="module")
def built(sample_store_path):
    config = load_config(REPO / "faktabot.toml")
    with Store(sample_store_path) as store:
        paths = TargetContext.load(store, config, NOW).path
        figures = factsheet.build("2026-Q2", store, default_catalogue(), default_areas(), "151", paths)
    return {f.number: f for f in figures}


@pytest.fixture(scope="module")
def drawn(built):
    # A list: `pages` is a generator, and the tests below would otherwise loop over nothing.
    pages = list(factsheet.pages(list(built.values()), "2026-Q2", "Ballerup", default_catalogue()))
    assert len(pages) == 7
    for page in pages:
        FigureCanvasAgg(page).draw()
    return pages


def _chart_words(chart) -> list[str]:
    if isinstance(chart, charts.ChartSpec):
        words = [line.label for line in chart.lines] + ([chart.target.label] if chart.target else [])
    else:
        words = list(chart.categories) + [label for label, _ in chart.groups]
    return words + [chart.note]


@pytest.mark.parametrize("number", sorted(EXPECTED))
def test_each_figure_shows_what_its_seed_figure_shows(built, number):
    kind, labels, target, missing = EXPECTED[number]
    facts = built[number]
    if kind is None:
        assert facts.chart is None
        return
    assert isinstance(facts.chart, charts.ChartSpec if kind == "lines" else charts.BarSpec)
    text = " | ".join(_chart_words(facts.chart))
    for label in labels:
        assert label in text, f"{number}: {label!r} not in {text!r}"
    assert (facts.chart.target is not None if kind == "lines" else False) == target
    for word in missing:
        assert word in facts.chart.note, f"{number}: the chart does not say {word!r} is missing"
    if not missing:  # the note may name the real bars among eksempeldata (3.1), never a missing breakdown
        assert "Ingen tal" not in facts.chart.note


def test_a_missing_breakdown_is_not_claimed_by_the_how_text(built):
    how = built["1.2"].how
    assert "køn" not in how and "alder" not in how
    assert "køn" in built["2.3"].how and "herkomst" not in built["2.3"].how


def test_each_figure_has_its_own_how_text(built):
    hows = [f.how for f in built.values()]
    assert len(set(hows)) == len(hows)
    assert all(f.how != f.indicator.definition for f in built.values())


def test_levels_with_seasons_not_an_index_in_1_1(built):
    chart = built["1.1"].chart
    assert "indeks" not in chart.unit.lower()
    ballerup, land = chart.lines[0].points, chart.lines[1].points
    assert ballerup[-1][1] > 10_000 and land[-1][1] > 1_000_000  # levels, each on its own axis
    assert chart.lines[1].secondary and chart.secondary_unit
    assert all(p.endswith(("Q1", "Q2", "Q3", "Q4")) for p, _ in ballerup)


def test_4_2_plots_the_seasonally_adjusted_rate(built, sample_store_path):
    facts = built["4.2"]
    assert all(s.observations[-1].breakdown == "korrektion=Sæsonkorrigeret" for s in facts.lines)
    with Store(sample_store_path) as store:
        adjusted = store.get("ledighedsprocent", "000", "2026-06", "korrektion=Sæsonkorrigeret")
    land = next(line for line in facts.chart.lines if line.label.startswith("Hele landet"))
    assert dict(land.points)["2026-06"] == adjusted.value


def test_the_eksempeldata_mark_is_on_the_synthetic_series_only(built):
    chart = built["4.2"].chart  # Ballerup's adjusted rate is made up, the country's is real
    assert chart.watermark == ""
    labels = {line.label for line in chart.lines}
    assert "Ballerup (eksempeldata)" in labels and "Hele landet" in labels
    assert built["3.3"].chart.watermark  # every line synthetic: the whole chart is marked
    assert built["1.1"].chart.watermark == ""


def test_5_2_has_a_trend_line_per_group(built, drawn):
    chart = built["5.2"].chart
    assert len([line for line in chart.lines if line.thin]) == 3
    words = render.render("factsheet_figure.txt.j2", f=built["5.2"], kommune="Ballerup")
    trend = [line for line in words.split("\n") if line.startswith("• Tendens")]
    # One bullet naming every group, so the text fits its row whole (it was cut off after two groups).
    assert len(trend) == 1 and all(s.label in trend[0] for s, _ in built["5.2"].trends), words
    assert not [t.get_text() for t in drawn[4].texts if t.get_text().endswith("…")]  # nothing cut on page 5


def test_6_4_averages_the_whole_quarter(sample_store_path):
    # The sample holds July 2026 only, so 3. kvt. shows July as the quarter's mean.
    with Store(sample_store_path) as store:
        figures = factsheet.build("2026-Q3", store, default_catalogue(), default_areas(), "151")
        july = store.get("aktiveringsmoenster", "151", "2026-07", "redskab=Løntilskud;ydelse=Kontanthjælp")
    facts = next(f for f in figures if f.number == "6.4")
    assert isinstance(facts.chart, charts.BarSpec)
    assert ("Kontanthjælp", ) == tuple(label for label, _ in facts.chart.groups)
    values = dict(zip(facts.chart.categories, facts.chart.groups[0][1]))
    assert values["Løntilskud"] == july.value


def test_the_kommune_has_one_colour_on_every_chart(built):
    kommune = charts.AREA_COLOURS["kommune"]
    for facts in built.values():
        if isinstance(facts.chart, charts.ChartSpec):
            for series, line in zip(facts.lines, facts.chart.lines):
                if series.role == "kommune":
                    assert line.colour == kommune, facts.number
                elif series.role in ("region", "land"):
                    assert line.colour == charts.AREA_COLOURS[series.role], facts.number
        elif isinstance(facts.chart, charts.BarSpec) and facts.measure != "change":
            for (label, _), colour in zip(facts.chart.groups, facts.chart.colours):
                if label.startswith("Ballerup"):
                    assert colour == kommune, facts.number
                if label.startswith("Hele landet"):
                    assert colour == charts.AREA_COLOURS["land"], facts.number


def test_texts_say_level_change_comparison_and_target(built):
    def text(number):
        return render.render("factsheet_figure.txt.j2", f=built[number], kommune="Ballerup")

    ledighed = text("4.2")
    # Against the same month last year, as `ask` says it: »end i juni 2025«, »samme niveau som i …«.
    assert "højere end i juni 2025" in ledighed
    assert "flere end i 2. kvt. 2025" in text("3.3") and "samme niveau som i 2. kvt. 2025" in text("3.2")
    assert "pct.-point" in ledighed and "Region Hovedstaden" in ledighed and "hele landet" in ledighed
    assert "bagud i forhold til målstien" in text("3.3")
    assert "over loftet på 7,0 pct., så målet er ikke nået." in text("4.4")  # a ceiling is a limit, not a path
    assert "Mål: mindst på landsniveau" in text("5.3") and "ikke nået" in text("5.3")
    assert "Størst ændring på et år" in text("3.1")
    # A group is named in running Danish, as the seed's texts do: »højest for kvinder«, not »højest er Kvinder«.
    assert "Ballerup: højest for kvinder (" in text("2.3") and ", lavest for mænd (" in text("2.3")
    assert "højest for A-dagpenge (" in text("4.1")  # an initial that is part of the word stays
    assert "højest er" not in "".join(text(number) for number in built)
    for facts in built.values():
        words = render.render("factsheet_figure.txt.j2", f=facts, kommune="Ballerup")
        assert "pct.." not in words and ". ." not in words, facts.number


def test_no_legend_covers_data(drawn):
    for page in drawn:
        renderer = page.canvas.get_renderer()
        for axes in page.axes:
            for legend in [a.get_legend() for a in [axes, *axes.child_axes]] + [axes.get_legend()]:
                if legend is None:
                    continue
                box = legend.get_window_extent(renderer)
                data = [*axes.get_lines(), *axes.patches]
                for twin in axes.get_shared_x_axes().get_siblings(axes):
                    data += twin.get_lines()
                for artist in data:
                    extent = artist.get_window_extent(renderer)
                    if extent.width and extent.height:
                        assert not box.overlaps(extent), f"legend over data on {axes.get_gid()}"



def test_a_legend_of_many_rows_keeps_clear_of_its_figures_title(drawn):
    # 6.2's legend of four lines grew up to the height of »6.2 Aktiveringsgrad og
    # virksomhedsaktivering«, beside it; 2.4's and 7.2's (two areas and a note of two lines) as well.
    # Every legend above a plot now begins a clear gap (8 px at 100 dpi, about 6 pt) below its title.
    rows = {}
    for page in drawn:
        renderer = page.canvas.get_renderer()
        titles = {t.get_text().split(" ")[0]: t.get_window_extent(renderer) for t in page.texts
                  if t.get_fontsize() == factsheet.TITLE_PT and t.get_fontweight() == "bold"}
        for axes in page.axes:
            legend = axes.get_legend()
            if not axes.get_gid() or legend is None:
                continue
            number = axes.get_gid().removeprefix("chart-")
            rows[number] = sum(t.get_text().count("\n") + 1 for t in legend.get_texts())
            assert legend.get_window_extent(renderer).y1 <= titles[number].y0 - 8, number
    assert rows["6.2"] == 4  # the figure this is about still has its four rows

def test_no_two_ticks_read_alike(drawn):
    for page in drawn:
        for axes in page.axes:
            labels = [t.get_text() for t in axes.get_yticklabels() if t.get_text()]
            assert len(labels) == len(set(labels)), (axes.get_gid(), labels)


def test_category_labels_break_at_word_boundaries():
    spec = charts.BarSpec(title="", unit="pct.", decimals=1, groups=[("Ballerup", [1.0, 2.0, 3.0])],
                          categories=["Uddannelseshjælp", "Vejledning og opkvalificering", "Kontanthjælp"])
    from matplotlib.figure import Figure
    figure = Figure()
    axes = figure.add_subplot()
    charts.draw_bars(axes, spec, fontsize=12)
    for label, category in zip([t.get_text() for t in axes.get_xticklabels()], spec.categories):
        assert label.replace("\n", " ") == category
        assert all(part in category.split() for part in label.split("\n") if " " not in part)


def test_all_text_is_at_least_8_pt(drawn):
    for page in drawn:
        for text in page.findobj(Text):
            if text.get_text().strip() and text.get_visible() and text.get_alpha() != 0.25:
                assert text.get_fontsize() >= 8, repr(text.get_text())


def test_the_pdf_carries_title_author_subject_language_and_real_text(sample_store_path):
    config = load_config(REPO / "faktabot.toml")
    with Store(sample_store_path) as store:
        sheet = factsheet.make_pdf(store, config, "2026-Q2")
    reader = PdfReader(io.BytesIO(sheet.pdf))
    meta = reader.metadata
    assert meta.title == "Faktaark 2. kvt. 2026 – Ballerup"
    assert "Ballerup" in meta.author and meta.subject and "2. kvt. 2026" in meta.subject
    assert reader.trailer["/Root"]["/Lang"] == "da-DK"
    assert len(reader.pages) == 7
    assert b"/FontFile2" in sheet.pdf and b"/Type3" not in sheet.pdf  # TrueType text, not glyph drawings
    assert "Hvad viser figuren?" in reader.pages[0].extract_text()


@pytest.mark.parametrize("today, expected", [(date(2026, 11, 30), "2026-Q2"), (date(2026, 8, 22), "2026-Q2"),
                                             (date(2026, 7, 1), "2026-Q2"), (date(2026, 5, 2), "2026-Q1")])
def test_the_default_quarter_is_the_newest_complete_one(sample_store_path, today, expected):
    with Store(sample_store_path) as store:
        assert factsheet.newest_complete_quarter(store, today, "151") == expected


def test_each_chart_is_described_in_real_text_on_its_page(sample_store_path):
    # matplotlib's PDF backend writes no structure tree, so a chart cannot carry /Alt; the text
    # column beside it is the description a screen reader gets: title, how it is made, what it shows.
    config = load_config(REPO / "faktabot.toml")
    with Store(sample_store_path) as store:
        sheet = factsheet.make_pdf(store, config, "2026-Q2")
    reader = PdfReader(io.BytesIO(sheet.pdf))
    texts = [" ".join(page.extract_text().split()) for page in reader.pages]
    for figure in sheet.figures:
        page = texts[int(str(figure.number).split(".")[0]) - 1]
        assert " ".join(f"{figure.number} {figure.title}".split()) in page, figure.number
    for page in texts:
        assert page.count("Hvordan er figuren lavet?") == page.count("Hvad viser figuren?") >= 3


def _texts_inside(figure) -> None:
    """Everything drawn lies on the page: each chart with its ticks, labels, legend and note (its tight
    box counts only the ticks drawn, and the watermark as far as it is clipped), and the page's text."""
    renderer = figure.canvas.get_renderer()
    page = figure.bbox
    for axes in figure.axes:
        box = axes.get_tightbbox(renderer)
        assert page.x0 - 0.5 <= box.x0 and box.x1 <= page.x1 + 0.5, (axes.get_gid(), box)
    for text in figure.texts:
        box = text.get_window_extent(renderer)
        assert page.x0 - 0.5 <= box.x0 and box.x1 <= page.x1 + 0.5, (text.get_text(), box)


def test_every_text_lies_inside_the_page(drawn):
    for page in drawn:
        _texts_inside(page)


def test_a_right_hand_axis_with_long_numbers_stays_on_the_page(built):
    # Hele landet's sygedagpenge on 3.3's right axis, about 104.500 persons that barely move: the
    # tick labels (»104.510«) ran past the page's edge and read »104.5«. The same in a Slack chart.
    facts = built["3.3"]
    lines = [dataclasses.replace(line, points=[(p, 104_500 + 7 * i) for i, (p, _) in enumerate(line.points)])
             if line.secondary else line for line in facts.chart.lines]
    assert any(line.secondary for line in lines)
    wide = dataclasses.replace(facts, chart=dataclasses.replace(facts.chart, lines=lines))
    page = list(factsheet.pages([wide], "2026-Q2", "Ballerup", default_catalogue()))[2]
    FigureCanvasAgg(page).draw()
    _texts_inside(page)
    labels = [t.get_text() for t in page.findobj(Text) if t.get_visible()]
    assert any(label.startswith("104.5") and len(label) == 7 for label in labels), labels

    figure = charts.draw_figure(wide.chart)
    figure.canvas.draw()
    _texts_inside(figure)


def test_no_two_lines_of_text_overlap(drawn):
    # A figure's texts get up to 16 lines: they must end above the next figure's title.
    for number, page in enumerate(drawn, start=1):
        renderer = page.canvas.get_renderer()
        boxes = [(t.get_text(), t.get_window_extent(renderer).shrunk(1, 0.9)) for t in page.texts if t.get_text().strip()]
        for i, (text, box) in enumerate(boxes):
            for other, other_box in boxes[i + 1:]:
                assert not box.overlaps(other_box), (number, text, other)


def test_the_fact_sheet_email_says_how_many_figures_hold_eksempeldata(built):
    # »nogle figurer bygger på eksempeldata« when 24 of 28 did: the PDF's first page says the count.
    from bot.reports.factsheet_mailing import email_context

    context = email_context(list(built.values()), "2026-Q2", "Ballerup")
    sampled = sum(f.sample_data for f in built.values())
    assert context["sample"] and 0 < sampled < len(built)
    for template in ("factsheet_email.txt.j2", "factsheet_email.html.j2"):
        words = render.render(template, **context)
        assert f"{sampled} af {len(built)} figurer rummer eksempeldata" in words.replace("<strong>", "").replace(
            "</strong>", ""), template
        assert "nogle figurer" not in words


def test_a_figure_with_eksempeldata_is_not_described_as_official(built):
    # 4.2 said »det officielle sæsonkorrigerede ledighedstal« above »Eksempeldata – ikke officielle tal«.
    for facts in built.values():
        if facts.sample_data:
            assert "officiel" not in facts.how, (facts.number, facts.how)
    assert "sæsonkorrigerede ledighedstal" in built["4.2"].how


def test_an_area_after_a_comma_in_a_legend_is_written_as_in_a_sentence(built):
    # 6.2's legend said »Aktiveringsgraden, Hele landet«; the texts beside it say »hele landet«.
    labels = [line.label for line in built["6.2"].chart.lines]
    assert "Aktiveringsgraden, hele landet" in labels and not any(", Hele landet" in label for label in labels)


def test_the_forecast_figure_names_the_year_it_shows(built):
    # 1.3 showed one year's forecasts and never said which (the seed: »fra 2015 til 2017«).
    facts = built["1.3"]
    assert facts.newest and facts.newest in facts.how and "ifølge Finansministeriet" in facts.how


def test_the_forecast_is_for_the_quarters_year(built):
    # 1.3 on the sheet for 2. kvt. 2026 showed the forecasts for 2025, a year that is over, with
    # »højest for ledighed, lavest for beskæftigelse« and this year's against last year's forecast
    # as »Størst ændring på et år«; it is the year under way, each forecaster's figures listed.
    facts = built["1.3"]
    assert facts.newest == "2026" and "i 2026 ifølge" in facts.how
    text = render.render("factsheet_figure.txt.j2", f=facts, kommune="Ballerup")
    assert "• Finansministeriet: beskæftigelse +0,3 pct., ledighed +1,5 pct." in text
    assert "• Økonomisk Råd: beskæftigelse +0,3 pct., ledighed +1,9 pct." in text
    assert "højest" not in text and "Størst ændring" not in text


def test_the_change_bars_name_the_year_they_span(built):
    # 1.2 said »Ændring på et år: Ballerup +3,2 pct., …« and never which year.
    text = render.render("factsheet_figure.txt.j2", f=built["1.2"], kommune="Ballerup")
    assert "• Ændring fra 3. kvt. 2024 til 3. kvt. 2025: Ballerup +3,2 pct." in text


def test_the_targeted_groups_change_names_the_year_it_spans(built):
    # 3.1 said »5 af 11 målgrupper er faldet på et år« and never which year.
    text = render.render("factsheet_figure.txt.j2", f=built["3.1"], kommune="Ballerup")
    assert "• Fra juni 2025 til juni 2026 er 5 af 11 målgrupper faldet, 6 steget." in text


def test_the_official_bars_of_a_chart_with_eksempeldata_are_named(built):
    # 3.1's one group of bars has no legend: ten synthetic ydelser and the real kontanthjælp looked
    # alike, under »Eksempeldata – ikke officielle tal.« for all eleven.
    text = render.render("factsheet_figure.txt.j2", f=built["3.1"], kommune="Ballerup")
    assert "• Eksempeldata – ikke officielle tal, undtagen kontanthjælp." in text
    assert all(not b.synthetic for b in built["3.1"].bar_details if b.category == "Kontanthjælp")
    plain = render.render("factsheet_figure.txt.j2", f=built["3.3"], kommune="Ballerup")
    assert "• Eksempeldata – ikke officielle tal." in plain


def test_no_text_beside_a_chart_runs_into_its_axis(drawn):
    # »• Til sammenligning: Region Hovedstaden -9,5 pct. på et« (1.4) ran into the chart's »personer«,
    # and 1.1's and 2.1's longest lines into their axis labels: the text column is 56 characters wide.
    for number, page in enumerate(drawn, start=1):
        renderer = page.canvas.get_renderer()
        axes = [(ax.get_gid(), ax.yaxis.get_tightbbox(renderer)) for ax in page.axes if ax.get_visible()]
        for text in page.texts:
            if not text.get_text().strip():
                continue
            box = text.get_window_extent(renderer).shrunk(1, 0.9)
            for gid, axis in axes:
                assert axis is None or not box.overlaps(axis), (number, gid, text.get_text())


def test_a_bar_chart_of_eksempeldata_but_one_category_says_so_in_the_chart(built):
    # 3.1's eleven bars had no mark at all (ten synthetic ydelser, one group, no legend), and 6.3's
    # legend called both areas' bars eksempeldata, Kontanthjælp's real ones too.
    for number in ("3.1", "6.3"):
        chart = built[number].chart
        assert chart.note == "Eksempeldata, undtagen kontanthjælp", number
        assert not any("eksempeldata" in label for label, _ in chart.groups), number
    assert [label for label, _ in built["6.3"].chart.groups] == ["Ballerup", "Hele landet"]
    assert [label for label, _ in built["2.3"].chart.groups] == ["Ballerup", "Hele landet"]  # all synthetic: watermark
    assert built["2.3"].chart.watermark


def test_a_gap_to_another_area_carries_its_unit(built):
    # 5.3 said »Ballerup ligger 0,2 under hele landet«: 0,2 of what.
    text = render.render("factsheet_figure.txt.j2", f=built["5.3"], kommune="Ballerup")
    assert "• Ballerup ligger 0,2 samtaler pr. person under hele landet (3,3 samtaler pr. person)." in text


def test_the_index_figure_reads_its_index_not_the_levels_of_the_figure_before(built):
    # 2.2 draws forsørgertrykket as an index, yet its text repeated 2.1's »Ballerup ligger 1,0
    # pct.-point over hele landet (16,6 pct.)«, a level its chart does not show.
    text = render.render("factsheet_figure.txt.j2", f=built["2.2"], kommune="Ballerup")
    lines = {line.label: line.points[-1][1] for line in built["2.2"].chart.lines}
    index = f"{lines['Ballerup']:.1f}".replace(".", ","), f"{lines['Hele landet']:.1f}".replace(".", ",")
    assert f"• Indeks i juni 2026 (juni 2024 = 100): Ballerup {index[0]} og hele landet {index[1]}." in text
    assert "ligger" not in text


def test_a_number_keeps_its_unit_on_its_line(drawn):
    # 1.3 read »• Økonomisk Råd: beskæftigelse +0,3 pct., ledighed +1,9« with »pct.« alone below.
    lines = [text.get_text().strip() for page in drawn for text in page.texts]
    broken = [(before, after) for before, after in pairwise(lines)
              if before[-1:].isdigit() and after.startswith("pct.")]
    assert broken == []
    assert any("+1,9\u00a0pct." in line for line in lines)
