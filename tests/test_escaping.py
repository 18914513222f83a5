"""Everything from outside is escaped for its medium (issue 12, item 3): every template in
`templates/` rendered with hostile strings in every free-text field of real contexts (the sample
store and faktabot.toml), the Slack blocks, the terminal path and the HTML part of an alert email.
"""
from __future__ import annotations

import dataclasses
import email
import re
from datetime import UTC, datetime
from email import policy
from pathlib import Path

import pytest

from bot.alerting import views, watch
from bot.alerting.links import Link
from bot.asking.answers import MissingPart
from bot.asking.content import answer_content
from bot.asking.conversation import reply
from bot.asking.queries import NotUnderstood
from bot.config import Mailing, load_config
from bot.delivery.channels import Message
from bot.delivery.email import EmailNoticeChannel, EmlOutbox
from bot.delivery.ledger import Delivery, Ledger, UsedLink
from bot.rendering import media, render
from bot.rendering.terminal import for_terminal
from bot.reports import factsheet
from bot.reports.summary import BoardRow, build_summary, summary_content
from bot.service.jobs import stale_content
from bot.slack import blocks
from indicators.catalogue import default_areas, default_catalogue
from indicators.refresh import SourceStatus
from indicators.store import Store
from rules.engine import Acknowledgement
from tests.conftest import REPO

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
HOSTILE = "x<!channel><@U999>\n<script>alert(1)</script>&amp;"
# Fields the templates branch on or parse (codes, periods, units of measure), kept as they are;
# every other string is replaced. A source keeps its kind and gets a hostile table or file name.
CODES = {"kind", "status", "format", "frequency", "intent", "code", "better", "mode", "period", "month",
         "quarter", "newest_period", "first", "id", "indicator", "area", "measure", "number",
         "unit", "reason", "last_status", "compare_area", "count_indicator", "start", "end", "cid",
         "fetched_at", "newest", "last_ok"}
# Templates with no field from outside to print (fixed words, numbers and periods only).
NOTHING_EXTERNAL = {"forecast.txt.j2", "chart_index_label.txt.j2", "chart_no_value.txt.j2", "chart_aggregate_label.txt.j2", "factsheet_change_unit.txt.j2",
                    "factsheet_watermark.txt.j2", "target_label.txt.j2", "no_targets.txt.j2",
                    "factsheet_page_footer.txt.j2", "slack_help.txt.j2",
                    "target_past.txt.j2",  # two periods (the store's and the question's, both parsed)
                    # the catalogue's own breakdown words and fixed labels:
                    "factsheet_missing.txt.j2", "factsheet_no_data.txt.j2", "factsheet_right_axis.txt.j2",
                    "factsheet_sample_label.txt.j2", "link_label.txt.j2",
                    # the catalogue's breakdown words and area names, periods and numbers:
                    "factsheet_first.txt.j2", "factsheet_later_parts.txt.j2", "factsheet_sample_parts.txt.j2"}
_CODE_LIKE = re.compile(r"^[a-z0-9_\-.:=;]*$")


def hostile(value: object, name: str = "") -> object:
    """`value` with every free-text string replaced by HOSTILE, recursively through dataclasses,
    lists, tuples and dict values."""
    if isinstance(value, str):
        if name == "source":
            return value.partition(":")[0] + ":" + HOSTILE
        if name in CODES or _CODE_LIKE.match(value):
            return value
        return HOSTILE
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: hostile(getattr(value, f.name), f.name) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    if isinstance(value, tuple):
        return tuple(hostile(v) for v in value)
    if isinstance(value, list):
        return [hostile(v) for v in value]
    if isinstance(value, dict):
        return {k: hostile(v) for k, v in value.items()}
    return value


@pytest.fixture(scope="module")
def contexts(sample_store_path) -> dict[str, list[dict]]:
    """Real contexts for every template, made hostile."""
    config = load_config(REPO / "faktabot.toml")
    catalogue, areas = default_catalogue(), default_areas()
    with Store(sample_store_path) as store:
        evaluation = watch.assess_all(store, Ledger(store.db), config, NOW)
        target_views = views.views(config.targets, evaluation.states)
        answers = [reply(q, store, config, NOW.date()).result
                   for q in ("udvikling i ledighed vs landet", "ledige efter ydelse", "ledighed maj 2026",
                             "sygedagpenge herlev",
                             # the rate answered where the count has no figures (Answer.rate_instead)
                             "ledigheden i Region Hovedstaden",
                             # a number asked of a rate: what the rate is of (Answer.rate_whole)
                             "hvor mange er på offentlig forsørgelse",
                             # areas added up, and an area within another (Answer.together_*)
                             "ledige Ballerup og Herlev tilsammen", "ledige Ballerup og Region Hovedstaden tilsammen",
                             # the biggest rise and where it rose from, beside another area's (Answer.extreme_from)
                             "hvornår steg ledigheden mest vs landet",
                             # a part the figure asked lacks, answered from another figure (Answer.part_instead)
                             "jobparate på kontanthjælp",
                             # a span's change with the span's mean beside it (Answer.span_mean)
                             "ledighed jan-jun 2026",
                             # a figure no area has, with the nearest one (Answer.held_nowhere, .related)
                             "officiel ungeledighed",
                             # a count's level against landet, with the figure per person that compares
                             # (Answer.comparable)
                             "er vi under landsniveau på samtaler")]
        # a total of eksempeldata beside the parts the kommune delivered in a file (Answer.imported_parts)
        samtaler = reply("samtaler", store, config, NOW.date()).result
        ledige = store.series_tail("samtaler", samtaler.area.code, "gruppe=Ledige", "month", 1)[0][-1]
        answers.append(dataclasses.replace(samtaler, imported_parts=(dataclasses.replace(ledige, source="file:x.csv"),)))
        # a breakdown with a part whose own figures begin later (Answer.missing_parts), and one with a
        # real part beside a total of eksempeldata (Answer.mixed_parts)
        grouped = reply("samtaler efter gruppe", store, config, NOW.date()).result
        own = dataclasses.replace(grouped.parts[0].observation, period="2026-09", source="file:x.csv")
        answers.append(dataclasses.replace(grouped, parts=grouped.parts[1:], missing_parts=(
            MissingPart(label=grouped.parts[0].label, first=own, sample=False, begins=True),)))
        answers.append(dataclasses.replace(grouped, parts=(dataclasses.replace(
            grouped.parts[0], observation=dataclasses.replace(own, period=grouped.observation.period)),
            *grouped.parts[1:])))
        definition = reply("hvad betyder forsørgertryk", store, config, NOW.date()).result
        freshness = reply("hvornår er tallene opdateret", store, config, NOW.date()).result
        ranking = reply("hvilke kommuner har den laveste ledighed", store, config, NOW.date()).result
        # the own place led with and counted (Query.place_asked, Query.count_before_own)
        place = reply("hvor er vi?", store, config, NOW.date(), context=ranking.query).result
        counted = reply("hvor mange kommuner har højere ledighed end os", store, config, NOW.date()).result
        elsewhere = reply("top 5 kommuner jobparate på kontanthjælp", store, config, NOW.date()).result
        summary = build_summary("2026-10", store, config, catalogue, areas, with_charts=False, today=NOW.date())
        figures = factsheet.build("2026-Q3", store, catalogue, areas, config.area)
    # An acknowledged target with a note, as a manager would type it.
    acked = [dataclasses.replace(v, state=dataclasses.replace(
        v.state, ack=watch_ack(HOSTILE))) for v in target_views[:2]]
    target_views = [hostile(v) for v in target_views] + [dataclasses.replace(hostile(v), state=v.state) for v in acked]
    notices = [(hostile(views.views(config.targets, evaluation.states)[0]), n) for n in evaluation.notices[:1]]
    answers = [hostile(a) for a in answers]
    summary = hostile(summary)
    summary.board = [BoardRow(name=HOSTILE, status="breached", text=HOSTILE, note=HOSTILE, reason=HOSTILE),
                     BoardRow(name="Mål", status="ok", text=views.target_line(target_views[0]), note=None,
                              reason=views.target_reason(target_views[0]))]
    figures = [hostile(f) for f in figures]
    area = hostile(areas.get(config.area))
    delivery = Delivery(id=1, key="k", target="t", kind="alert", recipient=HOSTILE, subject=HOSTILE, body=HOSTILE,
                        status="failed", attempts=5, error=HOSTILE)
    run = watch.AlertRun(notices=[(v, n, HOSTILE, HOSTILE) for v, n in notices], sent=[delivery],
                         failed=[(delivery, HOSTILE)], without_recipients=[HOSTILE])
    status = SourceStatus(source=HOSTILE, rows=1, newest="2026-05", last_ok=NOW.isoformat(), last_status="failed",
                          last_error=HOSTILE, stale=True, never_refreshed=False)
    views_ctx = [{"v": v, "n": n} for v, n in notices]
    return {
        "alert_subject.txt.j2": views_ctx,
        "alert_run.txt.j2": [{"run": run, "dry_run": False, "where": [HOSTILE], "local": True, "targets": 3},
                             {"run": dataclasses.replace(run, notices=[], waiting=[delivery]), "dry_run": True,
                              "where": [], "local": False, "targets": 3}],
        "alert_status.txt.j2": [{"states": {v.target.id: v.state for v in target_views}, "failed": [delivery],
                                 "retrying": [delivery]},
                                {"states": {}, "failed": [delivery], "retrying": [], "targets": 4}],
        "answer.txt.j2": [{"a": a} for a in answers],
        "chart_labels.txt.j2": [{"a": a, "areas": [a.area, *(c.area for c in a.comparisons)], "labels": (),
                                 "first": a.history[0].period if a.history else "",
                                 "last": a.observation.period} for a in answers if a.observation is not None]
        + [{"a": a, "areas": [a.area], "labels": (HOSTILE, "2025"), "first": "", "last": ""}
           for a in answers if a.observation is not None and a.aggregate is not None][:1],
        "chart_aggregate_label.txt.j2": [{"period": "2026-06", "so_far": 0, "months": 6},
                                         {"period": "2026", "so_far": 7, "months": 0}],
        "summary_chart_alt.txt.j2": [{"a": a, "first": a.history[0].period} for a in answers
                                     if a.observation is not None and a.history],
        "chart_index_label.txt.j2": [{"first": "2026-05"}, {"first": "2026-05", "counted": "fuldtidspersoner"}],
        "chart_no_value.txt.j2": [{}, {"count": "98"}],  # (a number formatted by the chart)
        "factsheet_change_unit.txt.j2": [{}], "factsheet_watermark.txt.j2": [{}], "target_label.txt.j2": [{"kind": k} for k in ("ceiling", "floor", "trajectory")],
        "no_targets.txt.j2": [{}],
        "reports.txt.j2": [{"summary": Mailing(recipients=(HOSTILE, "#kanal"), day=5),
                            "factsheet": Mailing(recipients=(), day=10)}],
        "no_target.txt.j2": [{"indicator": "samtaler", "area": HOSTILE, "others": (HOSTILE, "Flere i fleksjob")},
                             {"indicator": "samtaler", "area": HOSTILE, "others": (), "figure": False}],
        "factsheet_email.html.j2": [{"quarter": "2026-Q3", "kommune": HOSTILE, "sample": True, "sampled": 24, "figures": 28, "behind": 27}],
        "factsheet_email.txt.j2": [{"quarter": "2026-Q3", "kommune": HOSTILE, "sample": True, "sampled": 24, "figures": 28, "behind": 27},
                                   {"quarter": "2026-Q3", "kommune": HOSTILE, "sample": True, "sampled": 24, "figures": 28, "behind": 27,
                                    "medium": "post", "emailed": False}],
        "factsheet_email_subject.txt.j2": [{"quarter": "2026-Q3", "kommune": HOSTILE, "sample": True, "sampled": 24, "figures": 28, "behind": 27}],
        "factsheet_figure.txt.j2": [{"f": f, "kommune": HOSTILE} for f in figures],
        "factsheet_page_header.txt.j2": [{"number": 1, "title": HOSTILE, "kommune": HOSTILE, "quarter": "2026-Q3",
                                          "sample": True}],
        "factsheet_page_footer.txt.j2": [{"page": 1, "pages": 7}],
        "factsheet_pdf_title.txt.j2": [{"kommune": HOSTILE, "quarter": "2026-Q3"}],
        "forecast.txt.j2": [{"v": v} for v in target_views if v.state.forecast],
        "target_needed.txt.j2": [{"v": hostile(v)} for v in target_views if v.target.kind == "trajectory"],
        "target_past.txt.j2": [{"v": v, "asked": "2025"} for v in target_views],
        "reason.txt.j2": [{"v": v} for v in target_views],
        "target_line.txt.j2": [{"v": v} for v in target_views],
        "slack_home_target.txt.j2": [{"v": v, "newest": None, "previous": None, "change": None} for v in target_views],
        "targets.txt.j2": [{"views": target_views, "now": NOW, "config_name": HOSTILE},
                           {"views": target_views, "now": NOW, "config_name": HOSTILE, "asked": "behind", "total": 9},
                           {"views": target_views, "now": NOW, "config_name": HOSTILE, "when_met": True}],
        "help.txt.j2": [{"count": 31, "area": area}],
        "no_area_targets.txt.j2": [{"area": area, "places": [area, area]}],
        "social.txt.j2": [{"kind": "thanks", "area": area}, {"kind": "greeting", "area": area}], "slack_help.txt.j2": [{"count": 31, "area": area}],
        "not_understood.txt.j2": [{"n": NotUnderstood(text=HOSTILE, unknown=(HOSTILE,), suggestions=("ledige",)),
                                   "names": {"ledige": HOSTILE}},
                                  {"n": NotUnderstood(text=HOSTILE, reason="which_figure"), "names": {}},
                                  {"n": NotUnderstood(text=HOSTILE, reason="negated_part", unknown=(HOSTILE,)),
                                   "names": {}},
                                  {"n": NotUnderstood(text=HOSTILE, reason="open_period", unknown=(HOSTILE,)),
                                   "names": {}},
                                  {"n": NotUnderstood(text=HOSTILE, reason="season", asked=HOSTILE, part="summer"),
                                   "names": {}},
                                  {"n": NotUnderstood(text=HOSTILE, reason="half_year", asked=HOSTILE), "names": {}},
                                  {"n": NotUnderstood(text=HOSTILE, reason="half_year", asked=HOSTILE, part="first",
                                                      year="2026"), "names": {}}],
        "vocabulary.txt.j2": [{"pages": [(1, HOSTILE, [hostile(default_catalogue().get("ledige"))])], "page": 0},
                              {"pages": [(1, HOSTILE, [hostile(default_catalogue().get("ledige"))])], "page": 1}],
        "plain_email.html.j2": [{"text": HOSTILE}],
        "mail_answer_email.txt.j2": [{"answer": HOSTILE, "question": HOSTILE, "chart": True}],
        "stale_subject.txt.j2": [{"s": status}],
        "no_figure.txt.j2": [{"figure": HOSTILE, "page": 4, "numbers": [HOSTILE, HOSTILE], "pages": 7},
                             {"figure": HOSTILE, "page": 9, "numbers": [], "pages": 7}],
        "message_email.html.j2": [{"c": summary_content(summary)}] + [
            {"c": views.notice_content(v, n, [(HOSTILE, "https://faktabot.example/link/a&b")])} for v, n in notices] + [
            {"c": answer_content(a)} for a in answers + [hostile(ranking)]],
        "summary_subject.txt.j2": [{"s": summary}],
        "target_reason.txt.j2": [{"v": v} for v in target_views],
        "factsheet_alt.txt.j2": [{"f": f} for f in figures],
        "factsheet_missing.txt.j2": [{"f": f} for f in figures if f.missing],
        "factsheet_no_data.txt.j2": [{"f": f} for f in figures[:1]],
        "factsheet_pdf_metadata.txt.j2": [{"kommune": HOSTILE, "quarter": "2026-Q3"}],
        "factsheet_right_axis.txt.j2": [{}], "factsheet_sample_label.txt.j2": [{}],
        # The sample holds no series of one or two periods, nor one begun after the quarter: cut them so.
        "factsheet_first.txt.j2": [{"lines": [dataclasses.replace(s, observations=s.observations[-n:]) for s in f.lines],
                                    "mark": "(eksempeldata)", "bars": bars}
                                   for f in figures if f.lines for n in (1, 2) for bars in (False, True)],
        "factsheet_later_parts.txt.j2": [{"f": dataclasses.replace(f, later_parts=[("Ledige", "2026-09")])}
                                         for f in figures[:1]],
        "factsheet_sample_parts.txt.j2": [{"f": dataclasses.replace(f, bar_details=[
            dataclasses.replace(b, synthetic=b.category != f.bar_details[0].category) for b in f.bar_details])}
            for f in figures if f.bar_details],
        "definition.txt.j2": [{"q": definition, "ind": hostile(catalogue.get(definition.indicator))},
                              {"q": dataclasses.replace(definition, term="fuldtidsperson"),
                               "ind": hostile(catalogue.get(definition.indicator))},
                              {"q": dataclasses.replace(definition, indicator=None, term="målsti", unused=(HOSTILE,)),
                               "ind": None},
                              {"q": dataclasses.replace(definition, also=("fuldtidspersoner",)),
                               "ind": hostile(catalogue.get(definition.indicator)),
                               "also": [hostile(catalogue.get("fuldtidspersoner"))]}],
        "freshness.txt.j2": [{"f": hostile(freshness), "area": area}],
        "ranking.txt.j2": [{"a": hostile(r), "r": hostile(r.ranking)} for r in (ranking, place, counted, elsewhere)],
        "link_label.txt.j2": [{"action": "kvitter"}],
        "link_page.html.j2": [
            {"kind": kind, "link": Link(HOSTILE, action, HOSTILE, 0, HOSTILE), "target": v.target, "view": v,
             "state": v.state, "note": HOSTILE, "error": "empty_note", "actor": HOSTILE, "chart": None,
             "snooze_days": 30, "resume": NOW.date(),
             "used": UsedLink("id", HOSTILE, action, HOSTILE, HOSTILE, HOSTILE, NOW.isoformat())}
            for kind in ("confirm", "development", "used", "refused", "invalid", "expired", "unknown_target")
            for action in ("kvitter", "udsaet") for v in target_views[:1]],
    }


def watch_ack(note: str) -> Acknowledgement:
    return Acknowledgement(note=note, at=NOW, status="breached")


def templates() -> list[str]:
    return sorted(p.name for p in render.TEMPLATE_DIR.glob("*.j2") if not p.name.startswith("_"))


@pytest.mark.parametrize("name", templates())
def test_every_template_escapes_hostile_strings_for_its_medium(name, contexts):
    assert name in contexts, f"{name} has no hostile context in this test; add one"
    assert contexts[name], f"{name}: the real data gave no context to render"
    for context in contexts[name]:
        text = render.render(name, **context)
        medium = render.medium(name)
        if medium == "slack":
            for raw in ("<!channel>", "<@U", "<script"):
                assert raw not in text, f"{name} lets {raw!r} through:\n{text}"
        elif medium == "html":
            assert "<script" not in text and "<!channel>" not in text, f"{name} lets HTML through:\n{text}"
        elif name.endswith("_subject.txt.j2"):
            assert "\n" not in text and "\r" not in text, f"{name}: a subject on more than one line"
        if name not in NOTHING_EXTERNAL:
            # The hostile text reached the output (so the test can fail), escaped once for its medium.
            expected = {"slack": "&lt;!channel&gt;", "html": "&lt;!channel&gt;", "plain": "<!channel>"}[medium]
            assert expected in text, f"{name}: the hostile field did not reach the output:\n{text}"
            assert "&amp;amp;lt;" not in text and "&amp;lt;" not in text, f"{name} escapes twice:\n{text}"


def test_a_hostile_file_name_in_a_source_is_escaped_in_an_answer(sample_store_copy):
    with Store(sample_store_copy) as store:
        answer = reply("ledighed", store, load_config(REPO / "faktabot.toml"), NOW.date()).result
    cited = dataclasses.replace(answer, observation=dataclasses.replace(
        answer.observation, source="file:x<!channel><@U999>.csv"))
    text = render.render("answer.txt.j2", a=cited)
    assert "kommunens egne data (x&lt;!channel&gt;&lt;@U999&gt;.csv)" in text
    assert "x<!channel><@U999>.csv" in for_terminal(text)


def test_slack_blocks_fill_words_escaped_and_defuse_broadcasts():
    assert blocks.word("alert", "unknown_target", target="<!channel>") == \
        "Målet »&lt;!channel&gt;« findes ikke længere i faktabot.toml."
    line = blocks.word("alert", "acknowledged", user="U1", day="1. maj", note="@here se <@U999>")
    assert "<@U999>" not in line and "@here" not in line and line.startswith(":ballot_box_with_check: <@U1>")
    modal = blocks.acknowledge_modal("t", "<script>&", None, None)
    assert "&lt;script&gt;&amp;" in modal["blocks"][0]["elements"][0]["text"]


def test_text_rendered_once_is_not_escaped_again_when_embedded(contexts):
    inner = render.render("not_understood.txt.j2", n=_not_understood("a & b"), names={})
    assert "»a &amp; b«" in inner
    # The message model holds plain text; each medium escapes it exactly once.
    summary = dataclasses.replace(contexts["summary_subject.txt.j2"][0]["s"],
                                  board=[BoardRow("Mål", "ok", inner, reason="»a & b«")])
    content = summary_content(summary)
    for outer in (media.mrkdwn(content), media.html(content)):
        assert "»a &amp; b«" in outer and "a &amp;amp; b" not in outer
    assert "»a & b«" in media.text(content)


def _not_understood(word: str) -> NotUnderstood:
    return NotUnderstood(text=word, unknown=(word,))


def test_the_terminal_shows_characters_not_escapes_and_no_control_codes():
    assert for_terminal("*Mål* a &amp; b &lt;c&gt; \x1b[31mrød\x1b[0m") == "Mål a & b <c> [31mrød[0m"


def test_a_script_in_a_file_name_does_not_reach_an_alert_email_s_html_raw(tmp_path: Path):
    status = SourceStatus(source="file:<script>alert(1)</script>.csv", rows=1, newest="2026-05", last_ok=None,
                          last_status="failed", last_error="bad row in <script>alert(1)</script>.csv", stale=True,
                          never_refreshed=True)
    content = stale_content(status)
    channel = EmailNoticeChannel(EmlOutbox(tmp_path), lambda: NOW, for_terminal,
                                 lambda plain: render.render("plain_email.html.j2", text=plain))
    where = channel.send(Message(key="stale:x", recipient="drift@kommune.dk", subject="s",
                                 text=media.mrkdwn(content), content=content))
    message = email.message_from_bytes(Path(where).read_bytes(), policy=policy.default)
    html = message.get_body(("html",)).get_content()
    plain = message.get_body(("plain",)).get_content()
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;.csv" in html
    assert "<script>alert(1)</script>.csv" in plain  # the plain part shows the name as it is
