"""Answers are built once as the message model and rendered per medium (issue 15, item 4): Slack
keeps its mrkdwn, the terminal and the email text have no markup, the email HTML has a paragraph
or list item per line, and one content object feeds them all. Against the real sample store."""
from __future__ import annotations

import dataclasses
import re
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from markupsafe import escape

from bot.alerting.context import TargetContext
from bot.asking import mail
from bot.asking.content import answer_content, from_parts
from bot.asking.conversation import reply
from bot.config import Config, load_config
from bot.delivery.ledger import Delivery
from bot.rendering import media
from bot.slack import blocks
from indicators.store import Store

REPO = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
HOSTILE = "x<!channel><@U999>\n<script>alert(1)</script>&amp;"
QUESTIONS = {
    "value": "ledighed",
    "comparison": "ledighed i Ballerup sammenlignet med landet",
    "ranking": "hvilke kommuner har den laveste ledighed",
    "change": "ændring i ledighed fra maj 2025 til maj 2026",
    "partly understood": "ledighed flodhest",
    "not understood": "xyzzy",
    "eksempeldata": "sygedagpenge",
}
# Slack's marks: *bold*, _italic_, :emoji_codes:.
MARKUP = (re.compile(r"(?<![\w*])\*[^*\n]+\*(?![\w*])"), re.compile(r"(?<![\w/])_[^_\n]+_(?![\w/])"),
          re.compile(r":[a-z0-9_+-]+:"))


@pytest.fixture(scope="module")
def store(sample_store_path):
    with Store(sample_store_path) as opened:
        yield opened


def _mail(result) -> tuple[str, str]:
    """The reply mail's text and HTML parts for `result`, as ask-by-email builds them."""
    delivery = Delivery(id=1, key="mail:x", target=None, kind=mail.KIND, recipient="a@kommune.dk", subject="Re: x",
                        body="", status="pending", attempts=0)
    built = mail.reply_content(delivery, None, lambda _text, _chart, _after: result)
    return built.text, built.html


def _marked(text: str) -> list[str]:
    return [m.group(0) for pattern in MARKUP for m in pattern.finditer(text)]


@pytest.mark.parametrize("kind", QUESTIONS)
def test_one_answer_content_renders_for_slack_the_terminal_and_email(store, kind):
    result = reply(QUESTIONS[kind], store, Config(), TODAY)
    content = result.content
    assert content is not None and (content.sections or content.headline)
    assert result.text == media.mrkdwn(content, buttons=False)  # Slack's text is the content's mrkdwn
    email_text, email_html = _mail(result)
    for plain in (result.plain, email_text):
        assert not _marked(plain), (kind, _marked(plain))
        assert all(line.text in plain for section in content.sections for line in section.lines)
    assert result.plain in email_text
    # The HTML: one paragraph or list item per line of the content, escaped.
    for section in content.sections:
        for line in section.lines:
            assert re.search(rf"<(p|li) [^>]*>{re.escape(str(escape(line.text)))}</(p|li)>", email_html), line.text
    if content.headline:
        assert result.text.startswith(f"*{content.headline}*")
        assert str(escape(content.headline)) in email_html and result.plain.startswith(content.headline)


def test_slack_keeps_its_marks_and_puts_source_and_eksempeldata_in_context_blocks(store):
    result = reply(QUESTIONS["eksempeldata"], store, Config(), TODAY)
    assert result.content.sample_data and result.content.source.startswith("Kilde: eksempeldata")
    assert ":warning: *Eksempeldata:*" in result.text and f"_{result.content.source}_" in result.text
    text, payload = blocks.answer_message(result)
    assert text == blocks.neutralise(result.text)
    contexts = [b["elements"][0]["text"] for b in payload if b["type"] == "context"]
    assert contexts == [line for line in media.slack_notes(result.content) if line]
    sections = "\n".join(b["text"]["text"] for b in payload if b["type"] == "section")
    assert sections.startswith(f"*{result.content.headline}*") and "Kilde:" not in sections
    plain = result.plain
    assert "Eksempeldata:" in plain and ":warning:" not in plain and "*" not in plain


def test_a_ranking_is_a_numbered_list_in_every_medium(store):
    result = reply(QUESTIONS["ranking"], store, Config(), TODAY)
    ranking = next(s for s in result.content.sections if s.ordered)
    assert len(ranking.lines) == 5 and ranking.lines[0].text.startswith("Billund: ")
    assert f"\n1. {ranking.lines[0].text}\n2. " in result.plain
    assert f"\n1. {blocks.escape(ranking.lines[0].text)}\n" in result.text
    html = _mail(result)[1]
    assert html.count("<ol ") == 1 and html.count("<li ") == 5


def test_partly_understood_questions_say_so_in_every_medium(store):
    # (a word of a group there are no figures for leads the answer, the figure after it as the nearest)
    result = reply(QUESTIONS["partly understood"], store, Config(), TODAY)
    note = "Jeg har ingen tal for ledige opdelt efter »flodhest« (eller forstod ikke ordet)."
    assert result.content.headline.startswith(note)
    assert note in result.text and note in result.plain and str(escape(note)) in _mail(result)[1]


def test_hostile_data_in_an_answer_is_escaped_once_per_medium(store):
    answer = reply(QUESTIONS["comparison"], store, Config(), TODAY).result
    content = answer_content(dataclasses.replace(answer, area=dataclasses.replace(answer.area, name=HOSTILE)))
    html, slack, text = media.html(content), media.mrkdwn(content, buttons=False), media.text(content)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;" in html
    assert "<!channel>" not in slack and "&lt;!channel&gt;&lt;@U999&gt;" in slack
    # The line break in the name continues its line; the plain text keeps the characters as they are.
    assert "x<!channel><@U999> <script>alert(1)</script>&amp;" in text


def test_parts_without_a_known_name_continue_the_line_before():
    content = from_parts("headline|Ledige: 5.\nline|Første\nanden del\nsource|Kilde: x\ny\nsample|")
    assert content.headline == "Ledige: 5." and content.sections[0].lines[0].text == "Første anden del"
    assert content.source == "Kilde: x y" and content.sample_data and not content.sample_note


def test_a_targets_status_under_an_answer_is_its_name_and_status_in_every_medium(sample_store_path):
    config = load_config(REPO / "faktabot.toml")
    with Store(sample_store_path) as store:
        context = TargetContext.load(store, config, NOW)
        result = reply("fleksjob", store, config, NOW.date(), targets=context.for_answer)
    [line] = result.content.sections[-1].lines
    assert (line.label, line.status) == ("Flere i fleksjob (målsti)", "ok")
    assert f":white_check_mark: *{line.label}* – På sporet. {line.text}" in result.text
    assert f"\n{line.label} – På sporet. {line.text}\n" in result.plain
    assert f"<strong>{escape(line.label)}</strong> – <strong" in _mail(result)[1]


def test_a_ranking_of_eksempeldata_says_its_figures_are_synthetic_not_that_marked_ones_are(store):
    # A ranking has no source line and no figure marked »eksempeldata«: the shared notice
    # (»tal mærket »eksempeldata« er syntetiske«) let every figure in the list read as official.
    result = reply("top 3 i Region Hovedstaden ungeledighed", store, Config(), TODAY)
    assert result.content.sample_data
    for shown in (result.plain, result.text, blocks.answer_message(result)[1][-1]["elements"][0]["text"]):
        assert "tallene her er syntetiske" in shown and "tal mærket" not in shown, shown


def test_several_words_set_aside_are_named_as_words_in_the_plural(store):
    # »Jeg har ikke tal for »over«, »22« og »uger« (eller forstod ikke ordet)«: three words, one »ordet«.
    # Next to each other in the question they are one phrase, still words in the plural.
    text = reply("hvor mange sygedagpengesager over 22 uger", store, Config(), TODAY).plain
    assert "Jeg har ingen tal for sygedagpenge mv. opdelt efter »over 22 uger« (eller forstod ikke ordene)." in text


@pytest.mark.parametrize(("question", "said"), [
    ("ledige over 22 uger", "opdelt efter »over 22 uger« (eller forstod ikke ordene)."),
    # apart in the question, or parted by a comma, they stay apart
    ("ledige blå i Herlev grønne", "opdelt efter »blå« og »grønne« (eller forstod ikke ordene)."),
    ("ledige blå, grønne gule", "opdelt efter »blå« og »grønne gule« (eller forstod ikke ordene)."),
    ("ledighed i Herlev sammenlignet med Ballerup blå gule",
     "Jeg har ikke tal for »blå gule« (eller forstod ikke ordene), så svaret her gælder uden det."),
    # a word understood between them parts them
    ("ledighed i Herlev sammenlignet med Ballerup blå sygedagpenge gule",
     "Jeg har ikke tal for »blå« og »gule« (eller forstod ikke ordene), så svaret her gælder uden dem."),
])
def test_words_not_understood_next_to_each_other_are_quoted_as_one_phrase(store, question, said):
    # »Jeg har ikke tal for »over«, »22« og »uger««: the manager wrote »over 22 uger«, one thing asked.
    assert said in reply(question, store, Config(), TODAY).plain


def test_an_answer_of_two_periods_is_charted_as_two_labelled_bars_not_a_line(store):
    # Læsø's langtidsledige hold two months: the chart drew a line between two dots, which a head of
    # department reads as a trend. As on the fact sheet (fewer than three periods are no line), the
    # two periods are two bars, each with its value written on it.
    import io

    from PIL import Image

    from bot.rendering import charts

    result = reply("langtidsledige i Læsø", store, Config(), TODAY, with_chart=True)
    assert len(result.result.history) == 2
    spec = charts.spec_for(result.result)
    assert isinstance(spec, charts.BarSpec) and spec.labelled
    assert list(spec.categories) == ["marts 2024", "april 2024"]
    assert [(label, list(values)) for label, values in spec.groups] == [
        ("Læsø", [o.value for o in result.result.history])]
    figure = charts.draw_figure(spec)
    axes = figure.axes[0]
    assert len(axes.patches) == 2
    assert all(set(line.get_ydata()) == {0} for line in axes.get_lines())  # the zero axis only, no line
    assert [t.get_text() for t in axes.texts if t.get_text() in ("3",)] == ["3", "3"]
    assert Image.open(io.BytesIO(result.chart)).size == (800, 450)
    # Beside another area: a group of two bars per area, still no line.
    compared = charts.spec_for(reply("langtidsledige i Læsø sammenlignet med Ballerup", store, Config(), TODAY).result)
    assert isinstance(compared, charts.BarSpec) and [g for g, _ in compared.groups] == ["Læsø", "Ballerup"]


def test_two_periods_of_counts_drawn_as_an_index_carry_their_counts_and_the_axis_says_both(store):
    # Læsø's langtidsledige beside Ballerup's: indexed (marts 2024 = 100), the bars read »100 / 100 /
    # 94«, which is no count of anything. Each bar now carries its count; the heights stay the index.
    from bot.rendering import charts

    result = reply("udvikling i langtidsledige i Læsø sammenlignet med Ballerup", store, Config(), TODAY).result
    spec = charts.spec_for(result)
    counts = {code: [store.get("langtidsledige", code, p, "").value for p in ("2024-03", "2024-04")]
              for code in ("825", "151")}
    assert isinstance(spec, charts.BarSpec) and [g for g, _ in spec.groups] == ["Læsø", "Ballerup"]
    assert [round(v) for v in spec.groups[1][1]] == [100, round(counts["151"][1] / counts["151"][0] * 100)]
    assert [list(labels) for labels in spec.value_labels] == [
        [f"{v:.0f}" for v in counts["825"]], [f"{v:.0f}" for v in counts["151"]]]
    assert spec.unit == "indeks (mar. 2024 = 100)\ntal på søjlerne: fuldtidspersoner"
    written = [t.get_text() for t in charts.draw_figure(spec).axes[0].texts]
    assert f"{counts['151'][0]:.0f}" in written and "100" not in written


def test_an_area_lacking_a_period_of_a_two_period_chart_says_ingen_tal_at_its_place(sample_store_copy):
    # Samsø has langtidsledige for marts 2024, not april: no bar and no label read as left out.
    from bot.rendering import charts

    raw = sqlite3.connect(sample_store_copy)
    with raw:  # Ballerup without marts 2024: its april count has no index, and says so
        raw.execute("DELETE FROM observations WHERE indicator = 'langtidsledige' AND breakdown = '' "
                    "AND area = '151' AND period = '2024-03'")
    raw.close()
    with Store(sample_store_copy) as opened:
        spec = charts.spec_for(reply("langtidsledige i Læsø sammenlignet med Samsø og Ballerup", opened, Config(),
                                     TODAY).result)
        april = opened.get("langtidsledige", "151", "2024-04", "").value
    assert [g for g, _ in spec.groups] == ["Læsø", "Samsø", "Ballerup"]
    assert spec.groups[1][1][1] is None and spec.value_labels[1][1] == "ingen tal"
    assert list(spec.groups[2][1]) == [None, None]
    assert list(spec.value_labels[2]) == ["ingen tal", f"{april:.0f} (intet indeks)"]
    written = [t.get_text() for t in charts.draw_figure(spec).axes[0].texts]
    assert written.count("ingen tal") == 2 and f"{april:.0f} (intet indeks)" in written


def test_a_line_chart_of_counts_indexes_every_area_on_the_period_its_axis_names(sample_store_copy):
    # Herlev without the first three months of the year charted (juli 2025 on, the text's span): its
    # line was indexed on its own first value under an axis naming juli. Every line is now indexed on
    # the first period all of them have, and the axis names that period.
    from bot.rendering import charts

    raw = sqlite3.connect(sample_store_copy)
    with raw:
        raw.execute("DELETE FROM observations WHERE indicator = 'ledige' AND breakdown = '' AND area = '163' "
                    "AND period IN ('2025-07', '2025-08', '2025-09')")
    raw.close()
    with Store(sample_store_copy) as opened:
        result = reply("udvikling i ledige i Ballerup sammenlignet med Herlev", opened, Config(), TODAY).result
        spec = charts.spec_for(result)
        ballerup, herlev = ({p: opened.get("ledige", code, p, "").value for p in ("2025-10", "2026-07")}
                            for code in ("151", "163"))
    assert result.history[0].period == "2024-07"
    assert isinstance(spec, charts.ChartSpec) and spec.unit == "indeks (okt. 2025 = 100)"
    lines = {line.label: dict(line.points) for line in spec.lines}
    assert lines["Herlev"]["2025-10"] == pytest.approx(100)
    assert lines["Ballerup"]["2025-10"] == pytest.approx(100)
    assert lines["Ballerup"]["2026-07"] == pytest.approx(ballerup["2026-07"] / ballerup["2025-10"] * 100)
    assert lines["Herlev"]["2026-07"] == pytest.approx(herlev["2026-07"] / herlev["2025-10"] * 100)


@pytest.mark.parametrize("question", [
    "kan du venligst lige fortælle mig, hvad ledigheden egentligt er nu? Tusind tak",
    "goddag, hvad er ledigheden måske nu, helt præcist",
    "godt, må jeg spørge hvad ledigheden sådan er? Venlig hilsen",
    "kære Faktabot, hvad er ledigheden altså? På forhånd tak",
])
def test_courtesies_and_hedges_in_a_question_are_left_out_without_a_word(store, question):
    # Each of »venligst«, »egentligt«, »tusind«, »goddag«, »måske«, »helt«, »præcist«, »godt«, »må«, »spørge«,
    # »sådan«, »venlig«, »hilsen«, »kære«, »altså«, »forhånd« was named as not understood.
    result = reply(question, store, Config(), TODAY)
    assert result.result.query.unused == ()
    assert "forstod ikke" not in result.plain and result.plain.startswith("Ledige i Ballerup")


@pytest.mark.parametrize(("question", "said"), [
    # »tusind« alone is a number: »tusind tak« is left out, »flere end tusind« is not
    ("flere end tusind ledige, tusind tak", "Jeg har ikke tal for »tusind«"),
    # words that change what is asked are never left out for being polite around them
    ("ledige uden dagpenge, venligst", "Jeg kan ikke give et tal, der lader noget ude (»uden«)"),
    ("ledige ikke på dagpenge måske", "Jeg kan ikke give et tal, der lader noget ude (»ikke«)"),
])
def test_a_word_that_changes_the_question_is_said_beside_a_courtesy(store, question, said):
    assert said in reply(question, store, Config(), TODAY).plain


def test_an_area_asked_without_figures_is_said_to_have_none_once(store):
    # »er vi under landsniveau på samtaler i Herlev« said »Der er ingen tal for samtaler i Herlev – her er
    # tallet for hele landet.« and then again »• Herlev: ingen tal for samtaler.«
    text = reply("er vi under landsniveau på samtaler i Herlev", store, Config(), TODAY).plain
    assert "Der er ingen tal for samtaler i Herlev – her er tallet for hele landet." in text
    assert "Herlev: ingen tal" not in text and text.count("Herlev") == 1
    # another area named without figures, not said in that note, keeps its line
    text = reply("samtaler i Herlev, Gladsaxe og Ballerup", store, Config(), TODAY).plain
    assert "Der er ingen tal for samtaler i Herlev – her er tallet for Ballerup." in text
    assert "• Gladsaxe: ingen tal for samtaler." in text and "Herlev: ingen tal" not in text


@pytest.mark.parametrize(("question", "area"), [("ligger ledigheden højt?", "Ballerup"),
                                                ("ligger ledigheden lavt i Herlev?", "Herlev"),
                                                ("lå ledigheden højt i 2024?", "Ballerup")])
def test_ligger_hoejt_with_nothing_compared_is_judged_against_hele_landet(store, question, area):
    # »ligger ledigheden højt?« named »højt« and »ligger« as not understood and gave the figure alone;
    # a manager asks whether it is high against others, as »er ledigheden høj?«, which it now answers.
    result = reply(question, store, Config(), TODAY)
    assert result.result.query.unused == () and "forstod ikke" not in result.plain
    assert result.result.area.name == area and [c.area.name for c in result.result.comparisons] == ["Hele landet"]
    assert "• Hele landet:" in result.plain
    assert f"{area} klarer sig" in result.plain or f"{area} og hele landet ligger på samme niveau" in result.plain
    as_er = question.replace("ligger", "er").replace("lå", "var").replace("højt", "høj").replace("lavt", "lav")
    assert result.plain == reply(as_er, store, Config(), TODAY).plain


@pytest.mark.parametrize(("question", "first", "last", "title"), [
    ("udvikling i ledigheden det seneste år", "2025-07", "2026-07",
     "Ledighedsprocenten i Ballerup, juli 2025–juli 2026"),
    ("udvikling i ledigheden de sidste 12 måneder", "2025-07", "2026-07",
     "Ledighedsprocenten i Ballerup, juli 2025–juli 2026"),
    ("udvikling i ledigheden siden 2022", "2022-01", "2026-07",
     "Ledighedsprocenten i Ballerup, januar 2022–juli 2026"),
    ("udvikling i ledigheden de sidste 3 år", "2023-07", "2026-07",
     "Ledighedsprocenten i Ballerup, juli 2023–juli 2026"),
    ("ledighed januar-juni 2026", "2026-01", "2026-06", "Ledige i Ballerup, januar 2026–juni 2026"),
    ("ledige siden 2024", "2024-01", "2026-07", "Ledige i Ballerup, januar 2024–juli 2026"),
    ("udvikling i ledighedsprocenten Ballerup vs hele landet siden januar", "2026-01", "2026-07",
     "Ledighedsprocenten i Ballerup og hele landet, januar 2026–juli 2026"),
])
def test_a_chart_draws_the_span_its_text_speaks_of_and_its_title_names_it(store, question, first, last, title):
    # »udvikling i ledigheden det seneste år« said »Fra juli 2025 til juli 2026« over a chart titled and
    # drawn »juli 2024–juli 2026«; »siden 2022« drew only the last two years of it.
    from bot.rendering import charts

    result = reply(question, store, Config(), TODAY)
    spec = charts.spec_for(result.result)
    assert isinstance(spec, charts.ChartSpec) and spec.title == title
    for line in spec.lines:
        assert (line.points[0][0], line.points[-1][0]) == (first, last), line.label
    said = re.sub(r"\s+", " ", result.plain)
    from bot.rendering import formats

    assert f"{formats.period(first)} til {formats.period(last)}" in said


def test_a_chart_of_a_part_draws_that_part_over_the_texts_span(store):
    from bot.rendering import charts

    result = reply("ledige på a-dagpenge udvikling", store, Config(), TODAY).result
    spec = charts.spec_for(result)
    assert spec.title == "Ledige (A-dagpenge) i Ballerup, juli 2025–juli 2026"
    [line] = spec.lines
    assert dict(line.points) == {p: store.get("ledige", "151", p, result.observation.breakdown).value
                                 for p, _ in line.points}
    assert result.observation.breakdown and line.points[0][0] == result.development.against.period


@pytest.mark.parametrize(("question", "categories", "title"), [
    ("gennemsnitlig ledighed 2025", ["2024", "2025"], "Ledige i Ballerup, gennemsnit af 12 måneder: 2024 og 2025"),
    ("ledighed 1. halvår 2026", ["januar–juni 2025", "januar–juni 2026"],
     "Ledige i Ballerup, gennemsnit af 6 måneder: januar–juni 2025 og januar–juni 2026"),
    ("ledighed år til dato", ["januar–juli 2025", "januar–juli 2026"],
     "Ledige i Ballerup, gennemsnit af 7 måneder: januar–juli 2025 og januar–juli 2026"),
    ("ledighed 2. kvt. 2026 vs samme periode året før", ["2. kvt. 2025", "2. kvt. 2026"],
     "Ledige i Ballerup, gennemsnit af 3 måneder: 2. kvt. 2025 og 2. kvt. 2026"),
])
def test_an_average_is_charted_as_bars_of_the_averages_the_text_compares(store, question, categories, title):
    # An average answered with no chart at all: now a bar of it and of the one the text sets beside it,
    # each with its value, as the text gives them.
    from bot.rendering import charts, formats

    result = reply(question, store, Config(), TODAY, with_chart=True)
    spec = charts.spec_for(result.result)
    assert isinstance(spec, charts.BarSpec) and spec.title == title and list(spec.categories) == categories
    [(area, values)] = spec.groups
    assert area == "Ballerup" and values[-1] == result.result.observation.value
    answer = result.result
    against = answer.change if answer.query.intent == "change" else answer.last_year or answer.previous
    assert values[0] == against.against.value and values[-1] - values[0] == pytest.approx(against.absolute)
    # the newest bar's value and the difference are the text's
    assert spec.value_labels[0][-1] in result.plain and formats.number(abs(against.absolute), 0) in result.plain
    assert result.chart is not None


def test_each_month_listed_is_charted_as_those_months(store):
    from bot.rendering import charts

    result = reply("ledighed hver måned i 2026", store, Config(), TODAY).result
    spec = charts.spec_for(result)
    rows = [(r.period, r.observation.value) for r in result.listed.rows if r.observation is not None]
    assert isinstance(spec, charts.ChartSpec) and list(spec.lines[0].points) == rows
    assert spec.title == f"Ledige i Ballerup, januar 2026–{charts.formats.period(rows[-1][0])}"


def test_a_summary_charts_alt_text_names_the_span_the_chart_draws(sample_store_path):
    # The monthly summary's charts are developments: drawn from juli 2025, their alt text said »fra juli 2024«.
    from bot.reports.summary import build_summary
    from indicators.catalogue import default_areas, default_catalogue

    with Store(sample_store_path) as opened:
        summary = build_summary("2026-07", opened, Config(), default_catalogue(), default_areas(), today=TODAY)
    assert summary.charts
    from bot.rendering import formats

    for chart in summary.charts:
        first, last = chart.spec.lines[0].points[0][0], chart.spec.lines[0].points[-1][0]
        assert f" fra {formats.period(first)} til {formats.period(last)};" in chart.alt, chart.alt
        assert chart.title.endswith(f", {formats.period(first)}–{formats.period(last)}"), chart.title
    assert summary.charts[0].spec.lines[0].points[0][0] == "2025-07"  # ledige: the development's year


@pytest.mark.parametrize(("question", "title", "areas"), [
    ("gennemsnitlig ledighed 2025 Ballerup og Herlev", "Ledige i Ballerup og Herlev, gennemsnit af 12 måneder: 2025",
     ["Ballerup", "Herlev"]),
    ("ledighedsprocent 1. halvår 2026 Ballerup vs hele landet",
     "Ledighedsprocenten i Ballerup og hele landet, gennemsnit af 6 måneder: januar–juni 2026",
     ["Ballerup", "Hele landet"]),
])
def test_an_average_beside_other_areas_is_a_bar_per_area_of_the_period_asked(store, question, title, areas):
    from bot.rendering import charts, formats

    result = reply(question, store, Config(), TODAY)
    spec = charts.spec_for(result.result)
    assert isinstance(spec, charts.BarSpec) and spec.title == title and [g for g, _ in spec.groups] == areas
    values = [values[0] for _, values in spec.groups]
    assert values == [result.result.observation.value, *(c.observation.value for c in result.result.comparisons)]
    assert all(formats.number(v, result.result.indicator.decimals) in result.plain for v in values)
    assert "ingen graf" not in result.plain


def test_an_average_count_beside_hele_landet_has_no_chart_and_the_text_says_why(store):
    # Ballerup's 739 ledige as a sliver beside hele landet's 87.684: no chart, said
    from bot.rendering import charts

    result = reply("gennemsnitlig ledighed 2025 Ballerup vs hele landet", store, Config(), TODAY, with_chart=True)
    assert charts.spec_for(result.result) is None and result.chart is None
    assert "Svaret har ingen graf: antal for områder af forskellig størrelse" in result.plain
