"""The fact sheet's periods: each figure says when its newest figures are older than the sheet's
quarter, and a figure held only after the quarter is not called empty."""
from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from bot.rendering import formats, render
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


def test_a_figure_whose_newest_period_is_before_the_quarter_says_so(q2):
    # 1.1 showed »22.629 fuldtidsbeskæftigede i 3. kvt. 2025« on the sheet for 2. kvt. 2026 and
    # nothing said that 2. kvt. 2026 was not in; the figures up to the quarter say nothing extra.
    assert "• Nyeste tal: 3. kvt. 2025 – ingen for 2. kvt. 2026." in _text(q2["1.1"])
    assert "Nyeste tal" not in _text(q2["4.1"]) and "Nyeste tal" not in _text(q2["3.3"])


def test_a_store_with_some_figures_stale_marks_exactly_those(sample_store_copy, tmp_path):
    # The kommune's own file stopped in December: 5.1 gave December's samtaler under »2. kvt. 2026«.
    # Ledige unge alone stale in 4.3: that line is named, the others are current.
    raw = sqlite3.connect(sample_store_copy)
    with raw:
        raw.execute("DELETE FROM observations WHERE indicator IN ('samtaler', 'ledige_unge') AND period > '2025-12'")
    raw.close()
    built = _build(sample_store_copy, "2026-Q2")
    assert "• Nyeste tal: december 2025 – ingen for 2. kvt. 2026." in _text(built["5.1"])
    assert "• Nyeste tal for ledige unge: december 2025 – ingen for 2. kvt. 2026." in _text(built["4.3"])
    assert _text(built["4.3"]).count("Nyeste tal") == 1
    assert "Nyeste tal" not in _text(built["5.3"])
    out = tmp_path / "faktaark.pdf"
    result = run_cli("factsheet", "--quarter", "2026-Q2", "--out", str(out), db=sample_store_copy)
    assert result.returncode == 0, result.stderr
    assert "Ældre tal end kvartalet: figur 1.1 (3. kvt. 2025), 1.2 (3. kvt. 2025), 4.3 (december 2025), " \
           "5.1 (december 2025)." in result.stdout


def test_a_month_of_the_quarter_is_not_the_whole_quarter(sample_store_path):
    # The sheet for 3. kvt. 2026 (what the service sends on 1 December) gave July as if the quarter's.
    q3 = _build(sample_store_path, "2026-Q3")
    assert "• Nyeste tal: juli 2026 – ikke hele 3. kvt. 2026." in _text(q3["4.1"])
    assert "• Nyeste tal: 2. kvt. 2026 – ingen for 3. kvt. 2026." in _text(q3["3.3"])


def test_the_eksempeldata_mark_is_never_the_line_cut_from_a_full_text(sample_store_path):
    # With the note, 5.2 ran past its 16 lines and the cut dropped »Eksempeldata – ikke officielle tal.«
    from matplotlib.figure import Figure

    figure = Figure(figsize=factsheet.A4)
    text = "\n".join(f"• Linje {n}" for n in range(20)) + "\n• Eksempeldata – ikke officielle tal."
    factsheet._draw_text(figure, 0.05, 0.9, 56, text, 8, max_lines=16)
    drawn = [t.get_text() for t in figure.texts]
    assert len(drawn) == 16 and drawn[-1] == "• Eksempeldata – ikke officielle tal." and drawn[-2].endswith("…")


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


def test_the_email_says_how_many_figures_lack_the_whole_quarter(sample_store_path):
    # The service sends the quarter just over on day 10 after it: the mail for 3. kvt. 2026 said
    # »de seneste nøgletal« while not one of its figures reached September.
    from bot.reports.factsheet_mailing import email_context

    q3 = _build(sample_store_path, "2026-Q3")
    context = email_context(list(q3.values()), "2026-Q3", "Ballerup")
    lacking = sum(1 for f in q3.values() if f.behind or f.empty)
    assert lacking == 27
    for template in ("factsheet_email.txt.j2", "factsheet_email.html.j2"):
        words = render.render(template, **context)
        assert "27 af 28 figurer har endnu ikke tal for hele 3. kvt. 2026 – det står under hver af dem." in words


def test_a_slack_post_of_the_fact_sheet_does_not_claim_an_attachment(sample_store_copy, tmp_path, statbank):
    # A »#kanal« among [factsheet] recipients got the email's text, »Faktaarket er vedhæftet som PDF.«,
    # and no file; the email still carries the PDF and says so.
    from datetime import datetime

    from bot.cli.compose import build_service
    from bot.clock import TIMEZONE
    from bot.config import load_config
    from bot.settings import load_settings
    from tests.conftest import REPO

    config = tmp_path / "faktabot.toml"
    text = (REPO / "faktabot.toml").read_text(encoding="utf-8")
    assert 'recipients = ["udvalg@example.org"]' in text
    config.write_text(text.replace('recipients = ["udvalg@example.org"]',
                                   'recipients = ["udvalg@example.org", "#udvalg"]', 1), encoding="utf-8")
    outbox = tmp_path / "outbox"
    settings = load_settings({"FAKTABOT_DB": str(sample_store_copy), "FAKTABOT_OUTBOX": str(outbox),
                              "FAKTABOT_CONFIG": str(config), "STATBANK_API_URL": statbank})
    service = build_service(settings, load_config(settings.config_path))
    assert "2 sent" in service.factsheet(datetime(2026, 10, 10, 7, 15, tzinfo=TIMEZONE)).text
    (post,) = outbox.glob("*factsheet*udvalg.txt")
    words = post.read_text(encoding="utf-8")
    assert "vedhæftet som PDF" not in words and "Hermed" not in words
    assert "Faktaarket (PDF) følger med mailen til modtagerne på e-mail – det kan ikke vedhæftes her." in words
    # A post is no letter: it opened »Kære udvalg« and ended »Venlig hilsen Faktabot« in the channel.
    body = words.split("\n\n", 1)[1]
    assert body.startswith("*Faktaarket for 3. kvt. 2026 for Ballerup er klar*\n")
    assert "Kære udvalg" not in words and "Venlig hilsen" not in words
    (mail,) = outbox.glob("factsheet*.eml")
    assert b"application/pdf" in mail.read_bytes()
    import email
    from email import policy

    letter = email.message_from_bytes(mail.read_bytes(), policy=policy.default).get_body(("plain",)).get_content()
    assert letter.startswith("Kære udvalg") and letter.rstrip().endswith("Venlig hilsen\nFaktabot")


def test_a_quarter_not_begun_or_not_over_is_refused_naming_the_quarters_there_can_be(sample_store_path, tmp_path):
    """`factsheet --quarter 2027-Q2` (in December 2026) wrote a PDF titled 2. kvt. 2027 of older
    figures; the quarter under way did the same. Both are refused, nothing is written."""
    today = date.today()
    current = factsheet.current_quarter(today)
    latest = factsheet.previous_quarter(today)
    later = f"{today.year + 1}-Q2"
    for quarter, reason in ((later, "er ikke begyndt endnu"), (current, "er ikke slut før")):
        out = tmp_path / f"{quarter}.pdf"
        result = run_cli("factsheet", "--quarter", quarter, "--out", str(out), db=sample_store_path)
        assert result.returncode == 1, result.stdout
        assert not out.exists()
        line = result.stderr.strip()
        assert "\n" not in line and "Traceback" not in line
        assert reason in line and f"til og med {formats.period(latest)} (--quarter {latest})" in line, line
    # A finished quarter is still made (with its older figures named, as before).
    out = tmp_path / "latest.pdf"
    result = run_cli("factsheet", "--quarter", latest, "--out", str(out), db=sample_store_path)
    assert result.returncode == 0 and out.exists(), result.stderr


def test_the_refusal_of_the_quarter_under_way_names_its_last_day():
    assert factsheet.unfinished("2026-Q4", date(2026, 12, 2)) == "not_over"
    assert factsheet.unfinished("2027-Q2", date(2026, 12, 2)) == "not_begun"
    assert factsheet.unfinished("2026-Q3", date(2026, 12, 2)) is None
    from bot.cli.commands import _unfinished_quarter

    text = _unfinished_quarter("not_over", "2026-Q4", "2026-Q3", "2026-Q2")
    assert text.startswith("--quarter: 4. kvt. 2026 er ikke slut før 31. december 2026,"), text
    assert "uden --quarter: 2. kvt. 2026" in text
    assert "uden --quarter" not in _unfinished_quarter("not_begun", "2027-Q2", "2026-Q3", "2026-Q3")


def test_no_figure_s_text_is_cut_on_the_sheet_sent_in_december(sample_store_path):
    # On the sheet for 3. kvt. 2026, 4.3's text ran past its 16 lines and ended »• Størst ændring på
    # et år: Ikke-vestlige ledige (+16,9 …«, repeating a change the line's own bullet gave.
    q3 = _build(sample_store_path, "2026-Q3")
    pages = factsheet.pages(list(q3.values()), "2026-Q3", "Ballerup", default_catalogue())
    assert [t.get_text() for page in pages for t in page.texts if t.get_text().endswith("…")] == []
    assert "• Ikke-vestlige ledige: 166 fuldtidspersoner i juli 2026, 24 flere end i juli 2025 (+16,9 pct.)." \
        in _text(q3["4.3"])
    assert "Størst ændring" not in _text(q3["4.3"])
