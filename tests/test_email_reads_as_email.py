"""Issue 15: the summary and alert emails read as email — parsed back with `email.parser`, neither
part carries Slack markup, emoji codes or raw `<`/`&`, and the HTML has a paragraph per line; the
movers compare with the same month last year; MAIL_FROM may carry a display name."""
from __future__ import annotations

import html as htmllib
import re
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from html.parser import HTMLParser
from typing import ClassVar

from bot.asking.answers import change
from bot.delivery.email import EmailContent, SmtpChannel, build_message
from bot.reports.summary import KeyFigure, movers
from indicators.catalogue import default_catalogue
from indicators.types import SAMPLE_SOURCE, Observation
from tests.conftest import run_cli

NOW = datetime(2026, 8, 3, 7, 0, tzinfo=UTC)
SLACK_BOLD = re.compile(r"(?<![\w*])\*\S[^*\n]*\*(?!\w)")
SLACK_ITALIC = re.compile(r"(?<![\w_])_\S[^_\n]*_(?!\w)")
SHORTCODE = re.compile(r":[a-z0-9_+-]+:")




def env_for(recorder, tmp_path, sender="Faktabot Ballerup <faktabot@example.org>"):
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(recorder.port), "SMTP_SECURITY": "none",
            "MAIL_FROM": sender, "FAKTABOT_OUTBOX": str(tmp_path / "outbox")}


class _Blocks(HTMLParser):
    """The text of each innermost <p>, <li>, <h1>/<h2>, table cell or <title>, and any text outside them."""

    BLOCKS: ClassVar[frozenset[str]] = frozenset({"p", "li", "h1", "h2", "td", "th", "title"})

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.blocks: list[str] = []
        self.stack: list[list] = []  # [text, has a nested block]
        self.loose: list[str] = []
        self.raw: list[str] = []  # text nodes as written in the HTML, entities included

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            if self.stack:
                self.stack[-1][1] = True
            self.stack.append(["", False])

    def handle_endtag(self, tag):
        if tag in self.BLOCKS and self.stack:
            text, nested = self.stack.pop()
            if not nested and text.strip():
                self.blocks.append(text.strip())

    def handle_data(self, data):
        self.raw.append(data)
        if self.stack:
            self.stack[-1][0] += data
        elif data.strip():
            self.loose.append(data.strip())

    def handle_entityref(self, name):
        self.handle_data(f"&{name};")

    def handle_charref(self, name):
        self.handle_data(f"&#{name};")


def assert_reads_as_email(message) -> tuple[str, _Blocks]:
    plain = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(("html",)).get_content()
    blocks = _Blocks()
    blocks.feed(html)
    visible = htmllib.unescape("\n".join(blocks.raw))
    for name, text in (("plain", plain), ("html", visible)):
        assert not SLACK_BOLD.search(text), (name, SLACK_BOLD.search(text).group())
        assert not SLACK_ITALIC.search(text), (name, SLACK_ITALIC.search(text).group())
        assert not SHORTCODE.search(text), (name, SHORTCODE.search(text).group())
        assert "faktabot alerts" not in text and "`" not in text, name
    assert "&amp;" not in plain and "&lt;" not in plain  # the text part is not escaped for anything
    for text in blocks.raw:  # in the HTML every < and & in text is an entity
        assert "<" not in text and not re.search(r"&(?![a-z]+;|#\d+;)", text), text
    assert not blocks.loose, f"text outside a paragraph: {blocks.loose}"
    assert "<br" not in html
    return plain, blocks


def content_lines(plain: str) -> list[str]:
    return [line.strip() for line in plain.splitlines() if line.strip()]


def test_the_summary_email_reads_cleanly_as_text_and_as_html(smtp, sample_store_copy, tmp_path):
    result = run_cli("summary", "--month", "2026-07", "--to", "mig@example.org", db=sample_store_copy,
                     env=env_for(smtp, tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    (message,) = smtp.messages
    plain, blocks = assert_reads_as_email(message)
    # One paragraph, list item, heading or table row in the HTML for each line of the text part.
    assert len(blocks.blocks) >= len(content_lines(plain)) - 1  # the text's title is also the HTML's <title>
    assert "Udvalgets mål" in plain and "Størst bevægelse på et år" in plain
    board = plain.split("Udvalgets mål", 1)[1].split("\n\n", 1)[0]
    rows = [line for line in board.splitlines() if line.startswith("•")]
    assert rows
    for row in rows:  # each target once, with its status in words
        name = row[2:].split(" – ", 1)[0]
        assert board.count(name) == 1, row
        assert re.match(r"• .+ – (På sporet|I risiko|Bagud|Ingen tal)\. ", row), row


def test_an_alert_email_is_paragraphs_with_an_action_that_fits_email(smtp, sample_store_copy, tmp_path):
    assert run_cli("alerts", db=sample_store_copy, env=env_for(smtp, tmp_path)).returncode == 0
    messages = smtp.messages
    assert messages
    for message in messages:
        plain, blocks = assert_reads_as_email(message)
        # One <p> per line, no run-on paragraph (the <title> repeats the headline).
        assert len(blocks.blocks) == len(content_lines(plain)) + 1
        assert "\nStatus: " in plain
    acted = [m.get_body(("plain",)).get_content() for m in messages]
    assert any("Svar på denne mail" in text and "»Kvittér…« " in text for text in acted)


def test_mail_from_with_a_display_name_is_the_from_header_and_the_bare_envelope_sender(smtp):
    content = EmailContent(subject="Prøve", text="Hej", html="<p>Hej</p>")
    channel = SmtpChannel("127.0.0.1", smtp.port, security="none", sender="Faktabot Ballerup <faktabot@example.org>")
    channel.send_email("chef@example.org", content, "test:1", NOW)
    ((envelope, raw),) = smtp.received
    assert envelope == "faktabot@example.org"
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert message["From"].addresses[0].display_name == "Faktabot Ballerup"
    assert message["From"].addresses[0].addr_spec == "faktabot@example.org"
    bare = build_message(content, sender="faktabot@example.org", recipient="chef@example.org", key="k", now=NOW)
    assert bare["From"] == "faktabot@example.org"


def _figure(indicator_id: str, values: dict[str, float], source: str = "jobindsats:x") -> KeyFigure:
    indicator = default_catalogue().get(indicator_id)
    obs = {p: Observation(indicator_id, "151", p, v, source=source) for p, v in values.items()}
    current = obs["2026-07"]
    return KeyFigure(indicator, current, change(current, obs.get("2026-06"), indicator),
                     change(current, obs.get("2025-07"), indicator))


def test_movers_compare_with_the_same_month_last_year_not_the_holiday_dip():
    # July's holiday dip: down 20 pct. on June, but the same as July last year.
    holiday = _figure("samtaler", {"2025-07": 800, "2026-06": 1000, "2026-07": 800})
    # A real change: the same as June, but 10 pct. more than a year ago.
    real = _figure("ledige", {"2025-07": 1000, "2026-06": 1100, "2026-07": 1100})
    assert movers([holiday, real], 3) == [real]


def test_movers_put_real_figures_before_eksempeldata():
    sample = _figure("samtaler", {"2025-07": 500, "2026-06": 900, "2026-07": 900}, source=SAMPLE_SOURCE)
    real = _figure("ledige", {"2025-07": 1000, "2026-06": 1050, "2026-07": 1050})
    assert movers([sample, real], 1) == [real]
    assert movers([sample, real], 2) == [real, sample]
