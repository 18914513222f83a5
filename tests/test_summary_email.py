"""The monthly summary by email against a real local SMTP server (aiosmtpd): MIME, cid images,
the PDF, exactly-once delivery, refusals, outages and retries."""
from __future__ import annotations

import re
import sqlite3
from datetime import date

from tests.conftest import run_cli


def smtp_env(recorder, outbox):
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(recorder.port), "SMTP_SECURITY": "none",
            "MAIL_FROM": "faktabot@example.org", "FAKTABOT_OUTBOX": str(outbox)}


def deliveries(db):
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT recipient, status, attempts, permanent, error FROM deliveries "
                        "WHERE kind = 'summary' ORDER BY recipient").fetchall()
    conn.close()
    return rows


def test_summary_email_has_text_html_inline_charts_and_the_pdf_and_goes_once(smtp, sample_store_copy, tmp_path):
    env = smtp_env(smtp, tmp_path / "outbox")
    first = run_cli("summary", "--month", "2026-07", db=sample_store_copy, env=env)
    assert first.returncode == 0, first.stderr
    assert sorted(m["To"] for m in smtp.messages) == ["ledelse@example.org", "udvalgsformand@example.org"]
    message = smtp.messages[0]
    assert message["Subject"].startswith("Faktabot: månedsoverblik for Ballerup, juli 2026")
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Ledige: 805 fuldtidspersoner (juli 2026)" in plain
    assert "Udvalgets mål" in plain and "eksempeldata" in plain
    cids = set(re.findall(r'src="cid:([^"]+)"', html))
    assert len(cids) == 3
    images = {part["Content-ID"].strip("<>"): part for part in message.walk() if part.get_content_type() == "image/png"}
    assert cids == set(images)
    for cid in cids:  # every inline chart has alt text for screen readers and blocked images
        assert re.search(rf'<img src="cid:{re.escape(cid)}"[^>]*alt="Graf: [^"]+"', html), cid
    (pdf,) = [part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == "faktaark-ballerup-2026-Q2.pdf"  # July's: the newest complete quarter
    data = pdf.get_content()
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type /Page\b", data)) == 7
    # The Slack recipient went to the outbox (no Slack settings here).
    assert any(p.name.endswith(".txt") for p in (tmp_path / "outbox").iterdir())

    second = run_cli("summary", "--month", "2026-07", db=sample_store_copy, env=env)
    assert second.returncode == 0 and "havde det i forvejen: 3" in second.stdout
    assert len(smtp.messages) == 2


def test_a_permanent_refusal_is_recorded_and_not_retried(smtp, sample_store_copy, tmp_path):
    smtp.rcpt_reply = "550 5.1.1 Ukendt modtager"
    env = smtp_env(smtp, tmp_path / "outbox")
    result = run_cli("summary", "--month", "2026-07", db=sample_store_copy, env=env)
    assert result.returncode == 1
    assert "550" in result.stdout and "IKKE sendt til ledelse@example.org" in result.stdout
    rows = deliveries(sample_store_copy)
    assert [(r[0], r[1], r[3]) for r in rows if "@" in r[0]] == [
        ("ledelse@example.org", "failed", 1), ("udvalgsformand@example.org", "failed", 1)]
    smtp.rcpt_reply = None
    run_cli("summary", "--month", "2026-07", db=sample_store_copy, env=env)
    assert smtp.messages == []  # a 5xx is final: the operator fixes the address


def test_the_operator_is_told_whether_a_failed_mail_is_tried_again(smtp, sample_store_copy, tmp_path):
    # A 550 is final, yet `faktabot alerts` said »Der prøves igen ved næste kørsel.« and `summary`
    # »– prøves igen ved næste kørsel.«; an outage said it twice (the SMTP error already said it).
    env = smtp_env(smtp, tmp_path / "outbox")
    smtp.rcpt_reply = "550 5.1.1 Ukendt modtager"
    alerts = run_cli("alerts", db=sample_store_copy, env=env).stdout
    assert ("Kunne ikke sende til jobcenterchef@example.org: SMTP 127.0.0.1:" in alerts
            and "550 5.1.1 Ukendt modtager. Der prøves ikke igen." in alerts)
    assert "prøves igen" not in alerts
    assert "Slack og e-mail er ikke sat op" not in alerts  # e-mail is: the Slack posts went to the outbox
    summary = run_cli("summary", "--month", "2026-07", db=sample_store_copy, env=env).stdout
    assert "IKKE sendt til ledelse@example.org: " in summary and "550 5.1.1 Ukendt modtager – prøves ikke igen." in summary
    assert "prøves igen" not in summary
    down = {**env, "SMTP_PORT": "1"}  # nothing listens there: temporary
    outage = run_cli("summary", "--month", "2026-06", db=sample_store_copy, env=down).stdout
    assert outage.count("IKKE sendt til") == 2 and outage.count("prøve") == 2
    assert "kan ikke nås (" in outage and ") – prøves igen ved næste kørsel." in outage


def test_a_temporary_refusal_is_retried_on_the_next_run_and_delivered_once(smtp, sample_store_copy, tmp_path):
    smtp.rcpt_reply = "451 4.3.0 Prøv igen senere"
    env = smtp_env(smtp, tmp_path / "outbox")
    assert run_cli("summary", "--month", "2026-07", db=sample_store_copy, env=env).returncode == 1
    assert smtp.messages == []
    smtp.rcpt_reply = None
    result = run_cli("summary", "--month", "2026-07", db=sample_store_copy, env=env)
    assert result.returncode == 0, result.stdout
    assert sorted(m["To"] for m in smtp.messages) == ["ledelse@example.org", "udvalgsformand@example.org"]
    assert {r[1] for r in deliveries(sample_store_copy)} == {"sent"}


def test_an_smtp_outage_is_recorded_and_made_good_later(sample_store_copy, tmp_path, smtp):
    env = smtp_env(smtp, tmp_path / "outbox")
    down = {**env, "SMTP_PORT": "1"}  # nothing listens there
    result = run_cli("summary", "--month", "2026-07", db=sample_store_copy, env=down)
    assert result.returncode == 1 and "kan ikke nås" in result.stdout
    assert run_cli("summary", "--month", "2026-07", db=sample_store_copy, env=env).returncode == 0
    assert len(smtp.messages) == 2


def test_starttls_required_but_not_offered_is_a_clear_error(smtp, sample_store_copy, tmp_path):
    env = {**smtp_env(smtp, tmp_path / "outbox"), "SMTP_SECURITY": "starttls"}
    result = run_cli("summary", "--month", "2026-07", db=sample_store_copy, env=env)
    assert result.returncode == 1 and "tilbyder ikke STARTTLS" in result.stdout
    assert smtp.messages == []


def test_a_login_the_server_does_not_offer_is_not_called_a_missing_starttls(smtp, sample_store_copy, tmp_path):
    """With SMTP_SECURITY=none and SMTP_USER set, a server without AUTH was said not to offer
    STARTTLS, and the fix given was »sæt SMTP_SECURITY=… none«: the setting already made."""
    env = {**smtp_env(smtp, tmp_path / "outbox"), "SMTP_SECURITY": "none", "SMTP_USER": "faktabot",
           "SMTP_PASSWORD": "hemmelig"}
    result = run_cli("summary", "--month", "2026-07", db=sample_store_copy, env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "tilbyder ikke login (AUTH), men SMTP_USER er sat" in result.stdout and "fjern SMTP_USER" in result.stdout
    assert "STARTTLS" not in result.stdout and "hemmelig" not in result.stdout + result.stderr
    assert smtp.messages == []


def test_a_send_interrupted_before_it_was_recorded_is_not_sent_again(smtp, sample_store_copy, tmp_path):
    # The process died between handing the message to SMTP and writing "sent": the row stays
    # "sending". It may have gone out, so it is not resent; status shows it to the operator.
    conn = sqlite3.connect(sample_store_copy)
    run_cli("summary", "--month", "2026-07", "--dry-run", db=sample_store_copy)  # creates the bot tables
    conn.execute("INSERT INTO deliveries (key, kind, recipient, subject, body, sample_data, status, attempts, "
                 "created_at) VALUES ('summary:2026-07', 'summary', 'ledelse@example.org', 's', 'b', 1, "
                 "'sending', 1, '2026-11-25T08:00:00')")
    conn.commit()
    conn.close()
    env = smtp_env(smtp, tmp_path / "outbox")
    run_cli("summary", "--month", "2026-07", db=sample_store_copy, env=env)
    assert [m["To"] for m in smtp.messages] == ["udvalgsformand@example.org"]


def test_dry_run_sends_nothing_and_a_test_address_gets_its_own_copy(smtp, sample_store_copy, tmp_path):
    env = smtp_env(smtp, tmp_path / "outbox")
    preview = run_cli("summary", "--month", "2026-07", "--dry-run", db=sample_store_copy, env=env)
    assert preview.returncode == 0 and "intet er sendt" in preview.stdout and smtp.messages == []
    test = run_cli("summary", "--month", "2026-07", "--to", "mig@example.org", db=sample_store_copy, env=env)
    assert test.returncode == 0 and [m["To"] for m in smtp.messages] == ["mig@example.org"]
    run_cli("summary", "--month", "2026-07", db=sample_store_copy, env=env)
    assert len(smtp.messages) == 3  # the test send did not use up the real one


def test_a_bad_month_is_a_clear_error(sample_store_path):
    result = run_cli("summary", "--month", "juli", "--dry-run", db=sample_store_path)
    assert result.returncode == 1 and "skriv den som ÅÅÅÅ-MM" in result.stderr


def test_a_month_not_over_yet_is_refused_and_nothing_is_sent_or_recorded(smtp, sample_store_copy, tmp_path):
    """»--month 2027-01« (a wrong year, or this month) was built, sent to every recipient and recorded
    once per (month, recipient): the real summary of that month was never sent when it was due."""
    env = smtp_env(smtp, tmp_path / "outbox")
    this_month = date.today().strftime("%Y-%m")
    for month in (this_month, f"{date.today().year + 1}-01"):
        for extra in ((), ("--dry-run",)):
            result = run_cli("summary", "--month", month, *extra, db=sample_store_copy, env=env)
            assert result.returncode == 1 and "er ikke forbi endnu" in result.stderr, result.stderr
            assert "intet er sendt. Den seneste er" in result.stderr
    assert smtp.messages == []
    with sqlite3.connect(sample_store_copy) as db:
        ledger = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'deliveries'").fetchone()
    assert ledger is None or deliveries(sample_store_copy) == []


def test_a_test_address_that_is_no_address_is_refused_before_anything_is_sent(smtp, sample_store_copy, tmp_path):
    """»--to ledelse@example,org« was sent, recorded as failed for good and told »ret modtageren i
    faktabot.toml – prøves ikke igen«, though the address was typed on the command line."""
    env = smtp_env(smtp, tmp_path / "outbox")
    result = run_cli("summary", "--month", "2026-07", "--to", "ledelse@example,org", db=sample_store_copy, env=env)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("faktabot: --to: modtageren 'ledelse@example,org' er hverken")
    assert "intet er sendt" in result.stderr and "faktabot.toml" not in result.stderr
    assert smtp.messages == []


def test_alerts_to_email_addresses_go_by_smtp_once(smtp, sample_store_copy, tmp_path):
    env = smtp_env(smtp, tmp_path / "outbox")
    assert run_cli("alerts", db=sample_store_copy, env=env).returncode == 0
    assert sorted(m["To"] for m in smtp.messages) == [
        "jobcenterchef@example.org", "jobcenterchef@example.org", "sygedagpenge-teamleder@example.org"]
    plain = smtp.messages[0].get_body(("plain",)).get_content()
    assert "Eksempeldata" in plain and "*" not in plain.split("\n")[0]  # mrkdwn turned into plain text
    assert run_cli("alerts", db=sample_store_copy, env=env).returncode == 0
    assert len(smtp.messages) == 3


def test_the_fact_sheet_with_a_summary_is_the_newest_complete_quarter():
    from bot.reports.summary_mailing import sheet_quarter
    assert [sheet_quarter(m) for m in ("2026-06", "2026-07", "2026-08", "2026-09", "2026-01")] == [
        "2026-Q2", "2026-Q2", "2026-Q2", "2026-Q3", "2025-Q4"]


def test_a_past_month_s_summary_shows_the_targets_as_they_stood_that_month(sample_store_copy, tmp_path):
    # May's summary (sent again, or late) showed under »Udvalgets mål« the targets on July's figures
    # and 2. kvt., beside May's key figures; the board is now judged on the figures May ends by.
    result = run_cli("summary", "--month", "2026-05", "--dry-run", db=sample_store_copy,
                     env={"FAKTABOT_OUTBOX": str(tmp_path / "outbox")})
    assert result.returncode == 0, result.stderr
    board = result.stdout.split("Udvalgets mål", 1)[1].split("Størst bevægelse", 1)[0]
    assert "Ungeledigheden i Ballerup: 7,7 pct. i maj 2026; loftet er 7,0 pct." in board
    assert "Personer i fleksjob i Ballerup: 612 personer i maj 2026; målstien er 608" in board
    assert "Sygedagpenge mv. i Ballerup: 1.254 personer i 1. kvt. 2026" in board
    assert "juli 2026" not in board and "2. kvt. 2026" not in board
    assert "Ungeledigheden: 7,7 pct. (maj 2026)" in result.stdout
    # This month's summary is the stored states, as before.
    july = run_cli("summary", "--month", "2026-07", "--dry-run", db=sample_store_copy,
                   env={"FAKTABOT_OUTBOX": str(tmp_path / "outbox")})
    assert "Ungeledigheden i Ballerup: 7,7 pct. i juli 2026" in july.stdout
    assert "Sygedagpenge mv. i Ballerup: 1.222 personer i 2. kvt. 2026" in july.stdout


def test_a_failed_test_copy_exits_non_zero_and_is_not_sent_again_by_a_later_test(smtp, sample_store_copy, tmp_path):
    """A `--to` whose one copy failed exited 0, and the next `--to` sent the earlier failed test copies
    too (the tester got two). A test copy is tried once; real recipients' retries are untouched."""
    env = smtp_env(smtp, tmp_path / "outbox")
    down = {**env, "SMTP_PORT": "1"}  # nothing listens there: temporary
    real = run_cli("summary", "--month", "2026-07", db=sample_store_copy, env=down)
    assert real.returncode == 1
    failed = run_cli("summary", "--month", "2026-07", "--to", "mig@example.org", db=sample_store_copy, env=down)
    assert failed.returncode == 1, failed.stdout
    assert "IKKE sendt til mig@example.org" in failed.stdout and "kan ikke nås" in failed.stdout
    assert "ledelse@example.org" not in failed.stdout  # the real recipients' retries wait for a real run
    assert "testkopien sendes ikke igen af sig selv" in failed.stdout
    again = run_cli("summary", "--month", "2026-07", "--to", "mig@example.org", db=sample_store_copy, env=env)
    assert again.returncode == 0, again.stdout
    assert [m["To"] for m in smtp.messages] == ["mig@example.org"]  # one copy, not the failed one too
    assert "fejlede: 0" in again.stdout
    run_cli("summary", "--month", "2026-07", db=sample_store_copy, env=env)  # the real run retries its own
    assert sorted(m["To"] for m in smtp.messages) == [
        "ledelse@example.org", "mig@example.org", "udvalgsformand@example.org"]
    status = run_cli("status", "--check", db=sample_store_copy, env=env)
    assert "mig@example.org" not in status.stdout  # a failed test copy is not waiting for anything
