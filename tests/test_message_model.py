"""Issue 15, items 4, 5 and 7: one message model, rendered per medium. An alert, the staleness
notice and the monthly summary are built once (`bot.rendering.message.Content`); the email made
from it parses back clean, Slack keeps its mrkdwn and Block Kit, Teams gets a card that validates;
the summary's key figures prefer real figures, and its target charts draw the målsti."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from bot.alerting import views, watch
from bot.alerting.context import TargetContext
from bot.asking.conversation import development_question, reply
from bot.config import load_config
from bot.delivery.channels import Message
from bot.delivery.email import EmailContent, EmailNoticeChannel, EmlOutbox, build_message
from bot.delivery.ledger import Ledger
from bot.rendering import charts, media
from bot.rendering.message import Content
from bot.reports.summary import _key_figure, build_summary, render_summary, summary_content
from bot.service.jobs import stale_content
from bot.slack import blocks
from indicators.catalogue import default_areas, default_catalogue
from indicators.refresh import SourceStatus
from indicators.store import Store
from indicators.types import SAMPLE_SOURCE, Observation
from tests.conftest import REPO
from tests.test_email_reads_as_email import assert_reads_as_email, content_lines
from tests.test_teams_and_links import valid

NOW = datetime(2026, 8, 3, 7, 0, tzinfo=UTC)
LINKS = [("Kvittér", "https://faktabot.example.dk/link/k?a=1&b=2"), ("Udsæt 30 dage", "https://faktabot.example.dk/link/u")]


@pytest.fixture(scope="module")
def config():
    return load_config(REPO / "faktabot.toml")


@pytest.fixture
def alerts(sample_store_copy, config):
    """(view, notice) of every notice the sample store's targets give today."""
    with Store(sample_store_copy) as store:
        evaluation = watch.assess_all(store, Ledger(store.db), config, NOW)
    by_id = {v.target.id: v for v in views.views(config.targets, evaluation.states)}
    found = [(by_id[n.target], n) for n in evaluation.notices]
    assert found
    return found


def parsed(content: Content, tmp_path: Path, subject: str = "Emne"):
    """The email the notice channel makes of `content`, written as a file and parsed back."""
    channel = EmailNoticeChannel(EmlOutbox(tmp_path), lambda: NOW, str, str)
    where = channel.send(Message("chef@kommune.dk", subject, media.mrkdwn(content), "k:1", content=content))
    return BytesParser(policy=policy.default).parsebytes(Path(where).read_bytes())


def test_an_alert_email_from_the_model_is_paragraphs_with_the_links_and_no_command(alerts, tmp_path):
    for view, notice in alerts:
        content = views.notice_content(view, notice, LINKS)
        message = parsed(content, tmp_path / notice.key.replace(":", "_"))
        plain, found = assert_reads_as_email(message)
        assert len(found.blocks) == len(content_lines(plain)) + 1  # one <p> per line; <title> repeats the headline
        assert plain.count("Status: ") == 1 and plain.count(view.target.name) == 1  # named once, with its status
        assert "faktabot " not in plain  # no command for a manager
        if content.action:
            html = message.get_body(("html",)).get_content()
            assert "»Kvittér«: https://faktabot.example.dk/link/k?a=1&b=2" in plain
            assert '<a href="https://faktabot.example.dk/link/k?a=1&amp;b=2">Kvittér</a>' in html


def test_an_alert_without_links_asks_for_a_reply(alerts, tmp_path):
    view, notice = next((v, n) for v, n in alerts if n.kind in views.ACTIONABLE)
    plain = parsed(views.notice_content(view, notice), tmp_path).get_body(("plain",)).get_content()
    assert "Svar på denne mail" in plain and "»Kvittér…«" in plain


def test_the_staleness_notice_email_reads_as_email(tmp_path):
    status = SourceStatus(source="jobindsats", rows=1, newest="2026-05", last_ok="2026-06-10T06:00:00+00:00",
                          last_status="failed", last_error="HTTP 422 <y25i09> & more", stale=True,
                          never_refreshed=False,
                          failed_tables=(("y25i09", "2026-06-10T06:00:00+00:00", "HTTP 422"),
                                         ("y25i01", None, "timeout")))
    message = parsed(stale_content(status), tmp_path, "Faktabot: Jobindsats er ikke opdateret")
    plain, found = assert_reads_as_email(message)
    assert len(found.blocks) == len(content_lines(plain)) + 1
    assert "• y25i09 (sidst opdateret 10. jun. 2026): HTTP 422" in plain and "• y25i01 (sidst opdateret aldrig)" in plain


def test_slack_and_teams_render_the_same_alert_model(alerts):
    for view, notice in alerts:
        content = views.notice_content(view, notice, LINKS)
        text = media.mrkdwn(content)
        headline = text.split("\n", 1)[0]
        assert headline.startswith(":") and f"*{content.headline}*" in headline  # icon and bold: mrkdwn
        _fallback, layout = blocks.alert_message(text, view.target.id)
        assert layout[0]["type"] == "section" and layout[-1]["type"] == "actions"
        assert "faktabot alerts" not in text
        card = media.card(content)
        valid(card)
        assert card["body"][0]["items"][0]["text"] == content.headline
        assert [a["title"] for a in card["actions"]] == [label for label, _ in LINKS]
        assert Content.from_dict(content.as_dict()) == content  # the deliveries row keeps the model


@pytest.fixture
def summary(sample_store_copy, config):
    with Store(sample_store_copy) as store:
        context = TargetContext.load(store, config, NOW)
        return build_summary("2026-07", store, config, default_catalogue(), default_areas(), context.board_rows(),
                             today=NOW.date(), target_paths=context.path)


def test_the_summary_model_names_each_target_once_in_every_medium(summary):
    content = summary_content(summary)
    subject, slack, plain, html = render_summary(summary)
    names = [row.name for row in summary.board]
    assert names
    for name in names:
        assert plain.count(name) == 1 and html.count(name) == 1 and slack.count(name) == 1
        assert re.search(rf"• {re.escape(name)} – (På sporet|I risiko|Bagud|Ingen tal)\. ", plain), name
    assert slack.startswith(f"*{content.headline}*") and "*Udvalgets mål*" in slack
    valid(media.card(content))
    message = build_message(EmailContent(subject, plain, html), sender="Faktabot <faktabot@example.org>",
                            recipient="chef@example.org", key="summary:2026-07", now=NOW)
    plain_back, _blocks = assert_reads_as_email(message)
    assert "Udvalgets mål" in plain_back and "Faktaarket for 2. kvt. 2026 er vedhæftet som PDF." in plain_back


def test_every_summary_chart_of_a_targeted_indicator_draws_its_malsti(summary, config):
    targeted = {t.indicator for t in config.targets if t.area == config.area}
    drawn = {c.cid.removeprefix("chart-"): c for c in summary.charts}
    assert targeted & set(drawn), "the summary has no chart of a targeted indicator to check"
    for indicator, chart in drawn.items():
        figure = Figure()
        charts.draw_lines(figure.add_subplot(), chart.spec)
        labels = [line.get_label() for line in figure.axes[0].get_lines()]
        if indicator in targeted:
            assert chart.spec.target and len(chart.spec.target.points) >= 2, indicator
            assert "Målsti" in labels, (indicator, labels)
            first, last = chart.spec.lines[0].points[0][0], chart.spec.lines[0].points[-1][0]
            assert all(charts._x(first) - 0.2 <= charts._x(p) <= charts._x(last) + 0.2 for p, _ in chart.spec.target.points)
        else:
            assert "Målsti" not in labels


def test_a_real_figure_is_preferred_over_eksempeldata_for_the_key_figure(tmp_path):
    indicator = default_catalogue().get("ledige")
    months = [Observation("ledige", "151", f"2026-{m:02d}", 900.0 + m, source=SAMPLE_SOURCE) for m in range(1, 8)]
    quarters = [Observation("ledige", "151", p, v, source="jobindsats:y01a02")
                for p, v in (("2025-Q2", 1000.0), ("2026-Q1", 1040.0), ("2026-Q2", 1080.0))]
    with Store(tmp_path / "store.db", create=True) as store:
        store.load(months, now=NOW.isoformat())
        store.load(quarters, now=NOW.isoformat())
        figure = _key_figure(store, indicator, "151", "2026-07")
        assert figure.observation.period == "2026-Q2" and not figure.sample_data
        assert figure.last_year.against.period == "2025-Q2"
        # Only eksempeldata (or a real figure more than a year old): the eksempeldata is shown.
        assert _key_figure(store, indicator, "151", "2027-08").sample_data


def test_an_answer_chart_about_a_target_draws_its_malsti_or_limit(sample_store_copy, config):
    with Store(sample_store_copy) as store:
        context = TargetContext.load(store, config, NOW)
        drawn = 0
        for target in config.targets:
            if target.kind not in ("trajectory", "ceiling", "floor"):
                continue  # relative targets have no path of their own
            result = reply(development_question(target.indicator, target.area), store, config, NOW.date(),
                           targets=context.for_answer)
            spec = charts.spec_for(result.result, list(result.target_path))
            assert spec is not None and spec.target and len(spec.target.points) >= 2, target.id
            figure = Figure()
            charts.draw_lines(figure.add_subplot(), spec)
            assert spec.target.label in [line.get_label() for line in figure.axes[0].get_lines()], target.id
            drawn += 1
    assert drawn >= 3  # the sample's ceiling and both målstier


def test_a_target_on_eksempeldata_is_labelled_on_the_summarys_board_in_every_medium(summary):
    # The banner says »tal mærket eksempeldata er syntetiske«: an unmarked board line reads as official.
    sampled = [row for row in summary.board if row.sample_data]
    assert sampled, "the sample store's targets are on eksempeldata"
    _subject, slack, plain, html = render_summary(summary)
    for medium in (slack, plain, html):
        for row in sampled:
            line = next(line for line in medium.splitlines() if row.name in line)
            assert "eksempeldata" in line.lower(), line


def test_the_summary_names_the_quarter_of_the_attached_fact_sheet_in_every_medium(summary):
    # July's summary carries 2. kvt.'s sheet: »for kvartalet« read as July's own quarter, the 3rd.
    content = summary_content(summary)
    _subject, _slack, plain, html = render_summary(summary)
    assert "Faktaarket for 2. kvt. 2026 er vedhæftet som PDF." in plain
    assert "Faktaarket for 2. kvt. 2026 er vedhæftet som PDF." in html
    assert "Faktaarket for 2. kvt. 2026 (PDF)" in str(media.card(content))
    assert Content.from_dict(content.as_dict()) == content


def test_a_summary_chart_of_eksempeldata_says_so_in_its_alt_text(summary):
    # Outlook blocks images by default: the alt text is what a reader sees, »senest 1.222 personer«.
    alts = {chart.cid: chart.alt for chart in summary.charts}
    assert alts["chart-sygedagpenge"].endswith("– eksempeldata.") and "eksempeldata" in alts["chart-fleksjob"]
    assert "eksempeldata" not in alts["chart-ledige"]  # real figures
