"""Ask by email end to end: a real local IMAP server (tests/local_imap.py) holds the managers'
mail, the real local SMTP server (aiosmtpd) receives the replies, the sample store answers."""
from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

import pytest

from bot.asking.mail import allowed, read_question
from bot.cli.compose import build_service
from bot.config import load_config
from bot.delivery.imap import MAX_BYTES, Mailbox, MailboxError
from bot.service.scheduler import start_scheduler
from bot.settings import SettingsError, load_settings
from tests.conftest import REPO, run_cli
from tests.local_imap import LocalImap

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
BOT, MANAGER = "faktabot@kommune.dk", "chef@kommune.dk"
ANSWER = "Ledige i Ballerup, maj 2026: 816 fuldtidspersoner"


def mail(subject: str | None = "ledighed maj", body: str = "", *, sender: str = f"Mette Holm <{MANAGER}>",
         message_id: str | None = "<q1@kommune.dk>", html: str | None = None, **headers: str) -> bytes:
    message = EmailMessage()
    if sender:
        message["From"] = sender
    message["To"] = BOT
    if subject is not None:
        message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    if html is not None:
        message.set_content(html, subtype="html")
    else:
        message.set_content(body or "\n")
    return message.as_bytes().replace(b"\n", b"\r\n")


def env(imap: LocalImap, smtp, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"FAKTABOT_OUTBOX": str(tmp_path / "outbox"), "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port),
            "SMTP_SECURITY": "none", "MAIL_FROM": f"Faktabot <{BOT}>", "FAKTABOT_IMAP_HOST": "127.0.0.1",
            "FAKTABOT_IMAP_PORT": str(imap.port), "FAKTABOT_IMAP_SECURITY": "none", "FAKTABOT_IMAP_USER": BOT,
            "FAKTABOT_IMAP_PASSWORD": "hemmeligt", "FAKTABOT_IMAP_ALLOW": "@kommune.dk, direktor@nabo.dk", **extra}


@pytest.fixture
def imap():
    with LocalImap() as server:
        yield server


@pytest.fixture
def service(imap, smtp, sample_store_copy, tmp_path):
    """The service as `faktabot run` builds it, on the sample store."""
    settings = load_settings({"FAKTABOT_DB": str(sample_store_copy), **env(imap, smtp, tmp_path)}, dotenv=None)
    return build_service(settings, load_config(REPO / "faktabot.toml"))


def rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    found = conn.execute(sql).fetchall()
    conn.close()
    return found


def test_an_allowed_sender_gets_the_answer_with_its_chart_inline_as_a_threaded_reply(imap, smtp, service):
    imap.box.deliver(mail("Spørgsmål", "ledighed maj\n\nMed venlig hilsen\nMette", message_id="<abc@kommune.dk>",
                          References="<older@kommune.dk>"))
    outcome = service.mail(NOW)
    assert outcome.ok, outcome.text
    assert len(smtp.messages) == 1
    reply = smtp.messages[0]
    assert reply["To"] == MANAGER and reply["Subject"] == "Re: Spørgsmål"
    assert reply["In-Reply-To"] == "<abc@kommune.dk>"
    assert reply["References"] == "<older@kommune.dk> <abc@kommune.dk>"
    assert reply["Auto-Submitted"] == "auto-replied"  # RFC 3834: auto-responders leave it alone
    plain = reply.get_body(("plain",)).get_content()
    html = reply.get_body(("html",)).get_content()
    assert ANSWER in plain and ANSWER in html and "*" not in plain.split("--")[0]  # no Slack markup
    assert "Du spurgte: »ledighed maj«" in plain
    images = [p for p in reply.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1 and images[0].get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f'src="cid:{images[0]["Content-ID"].strip("<>")}"' in html
    assert imap.box.unseen() == []


def test_the_question_may_be_the_subject_and_the_body_an_html_reply_with_quotes(imap, smtp, service):
    imap.box.deliver(mail("ledighed maj", message_id="<s@kommune.dk>"))
    imap.box.deliver(mail("SV: Re: ledighed maj", message_id="<h@kommune.dk>",
                          html="<div>ledighedsprocent Aarhus</div><div>Hilsen Mette</div>"
                               "<blockquote>&gt; Ledige i Ballerup ...</blockquote>"))
    assert service.mail(NOW).ok
    subjects = sorted(m["Subject"] for m in smtp.messages)
    assert subjects == ["Re: ledighed maj", "Re: ledighed maj"]
    texts = {m["In-Reply-To"]: m.get_body(("plain",)).get_content() for m in smtp.messages}
    assert ANSWER in texts["<s@kommune.dk>"]
    assert "Aarhus" in texts["<h@kommune.dk>"] and "Du spurgte: »ledighedsprocent Aarhus«" in texts["<h@kommune.dk>"]


def test_an_unknown_sender_is_logged_and_ignored_never_answered(imap, smtp, service, caplog):
    imap.box.deliver(mail(sender="ukendt@andetsted.dk", message_id="<x@andetsted.dk>"))
    imap.box.deliver(mail(sender="ond@kommune.dk.andetsted.dk", message_id="<y@andetsted.dk>"))
    with caplog.at_level(logging.INFO, logger="faktabot.mail"):
        outcome = service.mail(NOW)
    assert outcome.ok and smtp.messages == []
    assert "ignored a mail from ukendt@andetsted.dk (not allowed)" in caplog.text
    assert "ignored a mail from ond@kommune.dk.andetsted.dk (not allowed)" in caplog.text
    assert imap.box.unseen() == []  # marked read: not weighed again
    assert rows(service.settings.db_path, "SELECT outcome FROM mail_questions") == [("not allowed",)] * 2


@pytest.mark.parametrize("headers", [
    {"sender": BOT}, {"sender": f"Faktabot <{BOT.upper()}>"},
    {"Auto_Submitted": "auto-replied"}, {"Precedence": "bulk"}, {"List_Id": "<ledere.kommune.dk>"},
    {"sender": "MAILER-DAEMON@kommune.dk"}, {"Return_Path": "<>"}, {"sender": ""},
    {"sender": f"{MANAGER}, anden@kommune.dk"},
])
def test_no_mail_loops_own_address_automatic_and_list_mail_is_never_answered(imap, smtp, service, headers):
    imap.box.deliver(mail(**headers))
    assert service.mail(NOW).ok
    assert smtp.messages == [] and imap.box.unseen() == []


def test_a_second_poll_and_a_restart_answer_nothing_twice(imap, smtp, service, sample_store_copy, tmp_path):
    imap.box.deliver(mail())
    assert service.mail(NOW).ok and len(smtp.messages) == 1
    assert service.mail(NOW).ok and len(smtp.messages) == 1
    # A crash after recording, before marking read: the mail is unseen again; a new process starts.
    for held in imap.box.messages:
        held.seen = False
    imap.box.deliver(mail(message_id="<q1@kommune.dk>"))  # the same mail delivered twice by the server
    restarted = build_service(service.settings, service.config)
    assert restarted.mail(NOW).ok
    assert len(smtp.messages) == 1 and imap.box.unseen() == []


def test_a_failed_smtp_send_is_recorded_and_retried_at_the_next_poll(imap, smtp, service):
    smtp.rcpt_reply = "451 4.3.0 prøv igen senere"
    imap.box.deliver(mail())
    failed = service.mail(NOW)
    assert not failed.ok and smtp.messages == [] and imap.box.unseen() == []
    assert rows(service.settings.db_path, "SELECT status FROM deliveries WHERE kind = 'mail_answer'") == [("failed",)]
    smtp.rcpt_reply = None
    assert service.mail(NOW).ok
    assert len(smtp.messages) == 1 and smtp.messages[0]["In-Reply-To"] == "<q1@kommune.dk>"
    assert [p.get_content_type() for p in smtp.messages[0].walk()].count("image/png") == 1  # the chart, again


def test_malformed_huge_and_oddly_encoded_mail_does_not_stop_the_poll_or_lose_the_good_one(imap, smtp, service):
    imap.box.deliver(b"this is not a mail at all\r\n\x00\xff\xfe")
    imap.box.deliver(b"From: chef@kommune.dk\r\nSubject: =?x-unknown?q?ledighed_maj?=\r\nContent-Type: text/plain; "
                     b"charset=x-made-up\r\n\r\nledighed maj \xe6\xf8\xe5\r\n")
    imap.box.deliver(b"From: chef@kommune.dk\r\nMessage-ID: <multi@kommune.dk>\r\nSubject: hej\r\n"
                     b"Content-Type: multipart/mixed; boundary=\"never\"\r\n\r\nno parts here\r\n")
    imap.box.deliver(mail("ledighed maj", "x" * (MAX_BYTES + 10), message_id="<huge@kommune.dk>"))
    imap.box.deliver(mail(message_id="<good@kommune.dk>"))
    outcome = service.mail(NOW)
    assert outcome.ok, outcome.text
    assert imap.box.unseen() == []
    replies = {m["In-Reply-To"]: m for m in smtp.messages}
    assert ANSWER in replies["<good@kommune.dk>"].get_body(("plain",)).get_content()
    assert ANSWER in replies["<huge@kommune.dk>"].get_body(("plain",)).get_content()  # read from its subject
    assert "<multi@kommune.dk>" in replies  # answered with what the bot can say (help), not dropped
    recorded = rows(service.settings.db_path, "SELECT sender, outcome FROM mail_questions ORDER BY rowid")
    assert ("", "no sender") in recorded and len(recorded) == 5


def test_imap_down_is_a_failed_job_not_a_crash_and_a_clear_danish_error_from_the_cli(smtp, sample_store_copy,
                                                                                    tmp_path):
    with LocalImap() as gone:
        port = gone.port
    settings = load_settings({"FAKTABOT_DB": str(sample_store_copy),
                              **env(gone, smtp, tmp_path, FAKTABOT_IMAP_TIMEOUT="2")}, dotenv=None)
    service = build_service(settings, load_config(REPO / "faktabot.toml"))
    outcome = service.mail(NOW)
    assert not outcome.ok and f"IMAP 127.0.0.1:{port} kan ikke nås" in outcome.text
    result = run_cli("mail", "--once", db=sample_store_copy, env=env(gone, smtp, tmp_path, FAKTABOT_IMAP_TIMEOUT="2"))
    assert result.returncode == 1
    assert "Postkassen kunne ikke læses, og intet er besvaret eller markeret som læst" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_refused_login_says_which_settings_to_check(imap):
    with pytest.raises(MailboxError, match="afviste login.*FAKTABOT_IMAP_PASSWORD"):
        with Mailbox("127.0.0.1", imap.port, user=BOT, password="forkert", security="none", timeout=2):
            pass


def test_the_cli_answers_once_and_says_so_in_danish(imap, smtp, sample_store_copy, tmp_path):
    imap.box.deliver(mail())
    imap.box.deliver(mail(sender="ukendt@andetsted.dk", message_id="<x@andetsted.dk>"))
    result = run_cli("mail", "--once", db=sample_store_copy, env=env(imap, smtp, tmp_path))
    assert result.returncode == 0, result.stderr
    assert "1 spørgsmål besvares, 1 mails ignoreret" in result.stdout and "1 svar sendt" in result.stdout
    assert len(smtp.messages) == 1
    off = run_cli("mail", "--once", db=sample_store_copy, env={"FAKTABOT_OUTBOX": str(tmp_path / "outbox")})
    assert off.returncode == 1 and "FAKTABOT_IMAP_HOST er ikke sat" in off.stderr


def test_the_allow_list_matches_whole_addresses_and_whole_domains():
    allow = ("@kommune.dk", "direktor@nabo.dk")
    assert allowed("chef@kommune.dk", allow) and allowed("direktor@nabo.dk", allow)
    assert not allowed("chef@nabo.dk", allow) and not allowed("chef@evilkommune.dk", allow)
    assert not allowed("chef@kommune.dk.evil.com", allow) and not allowed("chef@sub.kommune.dk", allow)


def test_a_quoted_reply_and_a_signature_are_not_the_question():
    raw = mail("Re: ledighed maj", "> Ledige i Ballerup\n\nog i Aarhus?\n-- \nMette\n", In_Reply_To="<a@b>")
    question = read_question(raw, own=(BOT,), allow=("@kommune.dk",))
    assert question.candidates == ("og i Aarhus?", "ledighed maj") and question.refusal is None


def test_ask_by_email_needs_credentials_and_an_allow_list():
    with pytest.raises(SettingsError, match="FAKTABOT_IMAP_ALLOW er tom"):
        load_settings({"FAKTABOT_IMAP_HOST": "imap.kommune.dk", "FAKTABOT_IMAP_USER": BOT,
                       "FAKTABOT_IMAP_PASSWORD": "x"}, dotenv=None)
    settings = load_settings({"FAKTABOT_IMAP_HOST": "imap.kommune.dk", "FAKTABOT_IMAP_USER": BOT,
                              "FAKTABOT_IMAP_PASSWORD": "pw-9f3k", "FAKTABOT_IMAP_ALLOW": "@Kommune.dk; b@c.dk"}, dotenv=None)
    assert settings.imap_allow == ("@kommune.dk", "b@c.dk") and settings.imap_port == 993
    assert "pw-9f3k" in settings.secrets and "pw-9f3k" not in repr(settings)


def test_the_service_polls_the_mailbox_every_poll_interval_only_when_it_is_set_up(service, sample_store_copy):
    scheduler = start_scheduler(service)
    try:
        assert scheduler.get_job("mail").trigger.interval == timedelta(seconds=120)
    finally:
        scheduler.shutdown(wait=False)
    plain = build_service(load_settings({"FAKTABOT_DB": str(sample_store_copy)}, dotenv=None), service.config)
    scheduler = start_scheduler(plain)
    try:
        assert plain.mailbox is None and scheduler.get_job("mail") is None
    finally:
        scheduler.shutdown(wait=False)


@pytest.mark.parametrize("suppress", ["All", "OOF", "DR, RN, NRN, OOF"])
def test_an_exchange_out_of_office_reply_is_never_answered(imap, smtp, service, suppress):
    # Exchange marks its out-of-office replies »X-Auto-Response-Suppress: All« (or a list with OOF),
    # often without Auto-Submitted; answering one starts a loop with the manager's own auto-reply.
    imap.box.deliver(mail("Automatisk svar: ledighed maj", "Jeg er på ferie til og med 1. december.",
                          X_Auto_Response_Suppress=suppress))
    assert service.mail(NOW).ok
    assert smtp.messages == [] and imap.box.unseen() == []
    assert rows(service.settings.db_path, "SELECT outcome FROM mail_questions") == [("automatic",)]


def test_a_bounce_of_the_bots_own_reply_from_an_allowed_domain_is_never_answered(imap, smtp, service):
    # Exchange's non-delivery report comes from »MicrosoftExchange…@<the kommune's domain>«, without
    # Return-Path once it is in the mailbox: the multipart/report says it is a bounce (RFC 3464).
    report = MIMEMultipart("report", report_type="delivery-status")
    report["From"] = "Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@kommune.dk>"
    report["To"], report["Subject"], report["Message-ID"] = BOT, "Kan ikke leveres: Re: ledighed maj", "<ndr@kommune.dk>"
    report.attach(MIMEText("Leveringen til disse modtagere mislykkedes: chef@kommune.dk", "plain", "utf-8"))
    report.attach(MIMEText("Reporting-MTA: dns; kommune.dk\n", "plain"))
    imap.box.deliver(report.as_bytes().replace(b"\n", b"\r\n"))
    assert service.mail(NOW).ok
    assert smtp.messages == [] and rows(service.settings.db_path, "SELECT outcome FROM mail_questions") == [("automatic",)]


def test_a_follow_up_above_the_quoted_answer_is_read_against_the_question_of_the_thread(imap, smtp, service):
    imap.box.deliver(mail("Spørgsmål", "ledighed maj\r\n\r\nMette", message_id="<first@kommune.dk>"))
    assert service.mail(NOW).ok and len(smtp.messages) == 1
    answer = smtp.messages[0]
    # Outlook's reply: the new line above »Fra:« and the quoted answer; In-Reply-To and References
    # name only the bot's reply, whose subject carries no question.
    imap.box.deliver(mail("SV: Spørgsmål", f"og i Herlev?\r\n\r\nFra: Faktabot <{BOT}>\r\nSendt: 25. november 2026"
                          f"\r\nEmne: Re: Spørgsmål\r\n\r\n{ANSWER}\r\n", message_id="<second@kommune.dk>",
                          In_Reply_To=answer["Message-ID"], References=answer["Message-ID"]))
    assert service.mail(NOW).ok and len(smtp.messages) == 2
    reply = smtp.messages[1]
    plain = reply.get_body(("plain",)).get_content()
    assert "Ledige i Herlev, maj 2026" in plain and "Ballerup" not in plain, plain
    assert "Du spurgte: »og i Herlev?«" in plain
    assert reply["Subject"] == "Re: Spørgsmål" and reply["In-Reply-To"] == "<second@kommune.dk>"
    assert reply["References"] == f"{answer['Message-ID']} <second@kommune.dk>"


def test_a_reply_without_references_is_threaded_by_its_in_reply_to():
    raw = mail("Re: ledighed maj", "og i Aarhus?", In_Reply_To="<parent@kommune.dk>")
    question = read_question(raw, own=(BOT,), allow=("@kommune.dk",))
    assert question.refs == "<parent@kommune.dk> <q1@kommune.dk>"


def test_a_greeting_on_the_first_line_is_not_taken_for_the_question_below_it(imap, smtp, service):
    imap.box.deliver(mail("Spørgsmål", "Hej,\r\n\r\nHvad er ledigheden i Herlev i maj?\r\n\r\nMvh Mette",
                          message_id="<hej@kommune.dk>"))
    imap.box.deliver(mail("Hej Faktabot", "Hej\r\n\r\nMed venlig hilsen\r\nMette", message_id="<kun-hej@kommune.dk>"))
    assert service.mail(NOW).ok
    texts = {m["In-Reply-To"]: m.get_body(("plain",)).get_content() for m in smtp.messages}
    assert "Ledige i Herlev, maj 2026" in texts["<hej@kommune.dk>"]
    assert "Du spurgte: »Hvad er ledigheden i Herlev i maj?«" in texts["<hej@kommune.dk>"]
    assert "Du spurgte: »Hej Faktabot«" in texts["<kun-hej@kommune.dk>"]  # a greeting alone is answered as one


def test_two_questions_in_one_mail_are_both_answered_in_one_reply(imap, smtp, service):
    imap.box.deliver(mail("To spørgsmål", "Hej\r\n\r\nledighed maj\r\nledighed Herlev maj\r\n\r\nMvh Mette",
                          message_id="<to@kommune.dk>"))
    assert service.mail(NOW).ok and len(smtp.messages) == 1
    reply = smtp.messages[0]
    plain, html = reply.get_body(("plain",)).get_content(), reply.get_body(("html",)).get_content()
    for text in (plain, html):
        assert ANSWER in text and "Ledige i Herlev, maj 2026" in text
    assert "Du spurgte: »ledighed maj«, »ledighed Herlev maj«" in plain
    assert [p.get_content_type() for p in reply.walk()].count("image/png") == 1  # the first answer's chart


@pytest.mark.parametrize("quote_header", [
    "Den 25. nov. 2026 kl. 10.00 skrev Faktabot <faktabot@kommune.dk>:",  # Apple Mail, Gmail in Danish
    "Den tir. 25. nov. 2026 kl. 10.00 skrev Faktabot\r\n<faktabot@kommune.dk>:",  # wrapped
    "On Tue, 25 Nov 2026 at 10:00, Faktabot <faktabot@kommune.dk> wrote:",
])
def test_an_iphone_reply_ends_at_its_signature_and_its_quote_header(quote_header):
    body = f"og i Herlev?\r\n\r\nSendt fra min iPhone\r\n\r\n{quote_header}\r\n\r\n> {ANSWER}\r\n"
    question = read_question(mail("SV: ledighed maj", body), own=(BOT,), allow=("@kommune.dk",))
    assert question.candidates == ("og i Herlev?", "ledighed maj")


def test_a_follow_up_of_a_follow_up_keeps_the_thread(imap, smtp, service):
    imap.box.deliver(mail("ledighed maj", "", message_id="<t1@kommune.dk>"))
    assert service.mail(NOW).ok
    refs = f"<t1@kommune.dk> {smtp.messages[-1]['Message-ID']}"
    for number, line in enumerate(("og i Herlev?", "og i Aarhus?"), start=2):
        imap.box.deliver(mail("SV: ledighed maj", f"{line}\r\n", message_id=f"<t{number}@kommune.dk>",
                              In_Reply_To=smtp.messages[-1]["Message-ID"], References=refs))
        assert service.mail(NOW).ok
        refs = f"{refs} <t{number}@kommune.dk> {smtp.messages[-1]['Message-ID']}"
    assert "Ledige i Aarhus, maj 2026" in smtp.messages[-1].get_body(("plain",)).get_content()


def test_alert_mails_do_not_ask_for_a_reply_the_bot_would_answer(imap, smtp, service):
    # With ask by email on, the alert mail said »Svar på denne mail med en kort note …, så kvitterer den,
    # der driver Faktabot, målet for jer«: the reply reached Faktabot's mailbox and was answered as a
    # question (»Vi har vedtaget en handleplan … 3. dec.« got sygedagpenge for 4. kvt. 2025), the note lost.
    assert service.evaluate(NOW).ok
    alerts = [m for m in smtp.messages if m["Subject"].startswith("Faktabot: Bagud")]
    assert len(alerts) == 3
    for message in alerts:
        plain = message.get_body(("plain",)).get_content()
        assert "Svar ikke på denne mail – svaret går til Faktabot, ikke til en person." in plain
        assert "Skriv en kort note om det til den, der driver Faktabot, som så kvitterer målet for jer." in plain
        assert "Svar på denne mail" not in plain
        assert "Svar ikke på denne mail" in message.get_body(("html",)).get_content()
