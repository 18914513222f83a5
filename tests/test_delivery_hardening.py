"""Delivery under a hostile or broken world (issue 12): a slow SMTP server, a connection dropped
after DATA, a bad recipient, outbox files and their modes, and SIGTERM during catch-up. Real
SQLite, real local SMTP servers (aiosmtpd, and a socket thread that answers one byte a second)."""
from __future__ import annotations

import email
import logging
import signal
import socket
import sqlite3
import stat
import threading
import time
from datetime import datetime, timedelta
from email import policy
from pathlib import Path

import pytest

from bot.clock import TIMEZONE
from bot.delivery.channels import Channels, DeliveryError, Message, OutboxChannel
from bot.delivery.email import (
    EmailContent,
    EmailNoticeChannel,
    EmlOutbox,
    SmtpChannel,
    message_id,
)
from bot.delivery.ledger import Ledger
from bot.delivery.sending import send_due
from indicators.store import Store
from tests.conftest import REPO, run_cli
from tests.test_service import _start, _wait_for

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=TIMEZONE)
CONTENT = EmailContent(subject="Faktabot: prøve", text="Hej", html="<p>Hej</p>")


class SlowServer:
    """An SMTP-ish server that answers one byte a second and never finishes its greeting."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._trickle, args=(connection,), daemon=True).start()

    def _trickle(self, connection: socket.socket) -> None:
        with connection:
            for byte in b"220 slow.example ESMTP " + b"." * 10_000:
                if self.closed.is_set():
                    return
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return  # the client gave up
                time.sleep(1)

    def close(self) -> None:
        self.closed.set()
        self.listener.close()


@pytest.fixture
def slow_smtp():
    server = SlowServer()
    yield server
    server.close()




def smtp_env(port: int, outbox: Path, **extra: str) -> dict[str, str]:
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_SECURITY": "none",
            "MAIL_FROM": "faktabot@example.org", "FAKTABOT_OUTBOX": str(outbox), **extra}


def rows(db: Path, where: str = "1") -> list[tuple]:
    conn = sqlite3.connect(db)
    found = conn.execute(f"SELECT key, recipient, status, permanent FROM deliveries WHERE {where} "
                         "ORDER BY key, recipient").fetchall()
    conn.close()
    return found


# --- deadlines ------------------------------------------------------------------------------------

def test_a_one_byte_a_second_server_costs_one_deadline_per_message_not_minutes(slow_smtp):
    channel = SmtpChannel("127.0.0.1", slow_smtp.port, security="none", sender="faktabot@example.org",
                          timeout=5, deadline=1)
    started = time.monotonic()
    with pytest.raises(DeliveryError) as error:
        channel.send_email("ledelse@example.org", CONTENT, "summary:2026-10", NOW)
    assert time.monotonic() - started < 2.5
    assert "SMTP_DEADLINE" in str(error.value) and not error.value.permanent  # retried on the next run


def test_a_summary_to_two_addresses_over_a_slow_server_ends_within_its_deadlines(
        slow_smtp, sample_store_copy, tmp_path):
    env = smtp_env(slow_smtp.port, tmp_path / "outbox", SMTP_TIMEOUT="10", SMTP_DEADLINE="2")
    result = run_cli("summary", "--month", "2026-07", db=sample_store_copy, env=env)
    assert result.returncode == 1 and result.stdout.count("SMTP_DEADLINE") == 2
    assert rows(sample_store_copy, "recipient LIKE '%@%'") == [
        ("summary:2026-07", "ledelse@example.org", "failed", 0),
        ("summary:2026-07", "udvalgsformand@example.org", "failed", 0)]
    # Each send took its deadline, not minutes (was over 230 s for the two). Building the summary
    # and its PDF comes before and is not timed here; the ledger's own timestamps are.
    conn = sqlite3.connect(sample_store_copy)
    spans = conn.execute("SELECT attempted_at, finished_at FROM deliveries WHERE recipient LIKE '%@%'").fetchall()
    conn.close()
    for attempted, finished in spans:
        assert (datetime.fromisoformat(finished) - datetime.fromisoformat(attempted)).total_seconds() <= 3
    assert slow_smtp.connections == 2


# --- exactly once at the edge -------------------------------------------------------------------

def test_a_connection_dropped_after_data_is_unknown_not_resent_until_the_operator_says(
        smtp, sample_store_copy, tmp_path):
    smtp.drop_after_data = True
    env = smtp_env(smtp.port, tmp_path / "outbox")
    first = run_cli("alerts", db=sample_store_copy, env=env)
    assert first.returncode == 1 and "kan være nået frem" in first.stdout
    assert len(smtp.messages) == 3
    assert {r[2] for r in rows(sample_store_copy, "recipient LIKE '%@%'")} == {"unknown"}

    smtp.drop_after_data = False
    again = run_cli("alerts", db=sample_store_copy, env=env)
    assert again.returncode == 0 and len(smtp.messages) == 3  # the server has each once, not twice

    status = run_cli("status", db=sample_store_copy, env=env)
    assert "ukendt udfald" in status.stdout and status.stdout.count("--resend-unknown") == 3
    assert "sendes igen af sig selv" in status.stdout  # after the default 24-hour hold
    assert status.stdout.count("med samme Message-ID") == 3 and "se først efter i kanalen" not in status.stdout

    resent = run_cli("alerts", "--resend-unknown", db=sample_store_copy, env=env)
    assert resent.returncode == 0 and "3 forsendelse(r) med ukendt udfald" in resent.stdout
    assert len(smtp.messages) == 6
    first_ids = sorted(m["Message-ID"] for m in smtp.messages[:3])
    assert sorted(m["Message-ID"] for m in smtp.messages[3:]) == first_ids  # the same Message-ID
    assert {r[2] for r in rows(sample_store_copy, "recipient LIKE '%@%'")} == {"sent"}
    assert "ukendt udfald" not in run_cli("status", db=sample_store_copy, env=env).stdout


def test_an_unknown_outcome_goes_again_after_the_hold_and_a_stuck_send_becomes_unknown(sample_store_copy, tmp_path):
    with Store(sample_store_copy) as store:
        ledger = Ledger(store.db)
        stuck = ledger.queue(key="x:breached:1", target=None, kind="breached", recipient="#a", subject="s",
                             body="b", sample_data=True, now=NOW)
        ledger.sending(stuck, "outbox", NOW)  # ...and the process died
        assert ledger.reexamine(NOW + timedelta(minutes=1), timedelta(hours=24)) == []
        assert [d.status for d in ledger.deliveries()] == ["sending"]  # may still be on its way
        found = NOW + timedelta(minutes=20)
        assert ledger.reexamine(found, timedelta(hours=24)) == []
        assert [(d.status, d.id) for d in ledger.unknown_deliveries()] == [("unknown", stuck)]
        assert ledger.due() == []
        assert ledger.reexamine(found + timedelta(hours=23), timedelta(hours=24)) == []
        assert ledger.reexamine(found + timedelta(hours=30), None) == []  # 0 hours: only an operator
        released = ledger.reexamine(found + timedelta(hours=24), timedelta(hours=24))
        assert [d.id for d in released] == [stuck] and [d.id for d in ledger.due()] == [stuck]


def test_status_says_what_to_do_with_a_send_the_process_stopped_in(sample_store_copy, tmp_path):
    """`status` said only »den sendes ikke igen af sig selv«: no word of what to do, and untrue,
    since after 15 minutes it is an unknown outcome that `--resend-unknown` or the hold sends again."""
    with Store(sample_store_copy) as store:
        ledger = Ledger(store.db)
        stuck = ledger.queue(key="x:breached:1", target=None, kind="breached", recipient="#a", subject="Bagud",
                             body="b", sample_data=True, now=NOW)
        ledger.sending(stuck, "outbox", NOW)  # ...and the process died
    status = run_cli("status", db=sample_store_copy, env={"FAKTABOT_OUTBOX": str(tmp_path / "outbox")})
    [line] = [line for line in status.stdout.splitlines() if "»Bagud«" in line]
    assert "afbrudt under afsendelse" in line and "faktabot alerts --resend-unknown" in line
    assert "sendes ikke igen af sig selv" not in line


# --- a bad recipient ----------------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["leder@example.org\r\nBcc: alle@example.org", "leder@@example", "leder @example.org"])
def test_a_bad_recipient_fails_for_good_and_the_others_still_go(smtp, sample_store_copy, tmp_path, bad):
    transport = SmtpChannel("127.0.0.1", smtp.port, security="none", sender="faktabot@example.org")
    email_channel = EmailNoticeChannel(transport, lambda: NOW, str, lambda text: f"<p>{text}</p>")
    channels = Channels(outbox=OutboxChannel(tmp_path / "outbox", lambda: "20261125T090000"), email=email_channel)
    with Store(sample_store_copy) as store:
        ledger = Ledger(store.db)
        for recipient in ["first@example.org", bad, "#kanal", "last@example.org"]:
            ledger.queue(key="x:breached:1", target=None, kind="breached", recipient=recipient, subject="s",
                         body="b", sample_data=False, now=NOW)
        result = send_due(ledger, ledger.due(), channels, NOW)
        assert [d.recipient for d, _ in result.failed] == [bad]
        assert "er ikke en e-mailadresse" in result.failed[0][1]
        assert sorted(d.recipient for d in result.sent) == ["#kanal", "first@example.org", "last@example.org"]
        assert ledger.due() == []  # permanent: not retried, not stuck in `sending`
    assert sorted(m["To"] for m in smtp.messages) == ["first@example.org", "last@example.org"]


# --- files -----------------------------------------------------------------------------------------

def test_an_outbox_folder_that_cannot_be_made_says_what_to_do_and_is_retried_once_fixed(sample_store_copy, tmp_path):
    """An outbox folder Faktabot could not create was a failure for good (»Der prøves ikke igen«) with
    no word of what to do: once IT had fixed the folder, the alerts never went out."""
    blocker = tmp_path / "drev"
    blocker.write_text("a file where the folder should be")
    env = {"FAKTABOT_OUTBOX": str(blocker / "outbox")}
    first = run_cli("alerts", db=sample_store_copy, env=env)
    assert first.returncode == 1 and "Traceback" not in first.stderr
    assert "kan ikke skrive i udbakken" in first.stdout and "peg FAKTABOT_OUTBOX et andet sted hen" in first.stdout
    assert "Der prøves igen ved næste kørsel" in first.stdout and "Der prøves ikke igen" not in first.stdout

    blocker.unlink()  # IT fixes the folder
    again = run_cli("alerts", db=sample_store_copy, env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(list((blocker / "outbox").iterdir())) == 6  # each alert once, to the channel and the address


def test_outbox_files_are_private_and_written_whole(tmp_path):
    folder = tmp_path / "outbox"
    text = OutboxChannel(folder, lambda: "20261125T090000").send(Message("#kanal", "s", "tekst", "x:breached:1"))
    eml = EmlOutbox(folder).send_email("leder@example.org", CONTENT, "summary:2026-10", NOW)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in (Path(text), Path(eml)):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in folder.iterdir()) == sorted([Path(text).name, Path(eml).name])  # no temp files
    # A half-written .eml from an older version is replaced whole on the retry.
    Path(eml).write_bytes(b"Subject: half")
    EmlOutbox(folder).send_email("leder@example.org", CONTENT, "summary:2026-10", NOW)
    assert email.message_from_bytes(Path(eml).read_bytes(), policy=policy.default)["Subject"] == "Faktabot: prøve"


def test_a_failed_eml_write_leaves_no_file_under_the_real_name(tmp_path):
    folder = tmp_path / "outbox"
    blocked = folder / "summary_2026-10-leder_example.org.eml"
    blocked.mkdir(parents=True)  # the rename cannot land: the write fails after the data was written
    with pytest.raises(DeliveryError, match="kan ikke skrive"):
        EmlOutbox(folder).send_email("leder@example.org", CONTENT, "summary:2026-10", NOW)
    assert [p.name for p in folder.iterdir()] == [blocked.name] and blocked.is_dir()


def test_the_log_file_is_created_owner_only(tmp_path):
    from bot.cli.run import configure_logging

    new, old = tmp_path / "new.log", tmp_path / "old.log"
    old.write_text("from an earlier version\n")
    old.chmod(0o644)
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        for log_file in (new, old):
            configure_logging(log_file)
    finally:
        for handler in root.handlers[len(before):]:
            handler.close()
        root.handlers[:] = before
    assert stat.S_IMODE(new.stat().st_mode) == 0o600
    assert stat.S_IMODE(old.stat().st_mode) == 0o600 and old.read_text() == "from an earlier version\n"


# --- SIGTERM during catch-up ----------------------------------------------------------------------

# `faktabot run` as a subprocess, and waiting on its log: the helpers of tests/test_service.py.
def test_sigterm_during_catch_up_exits_within_two_seconds_and_a_restart_sends_nothing_twice(
        slow_smtp, smtp, sample_store_copy, tmp_path, statbank):
    base = {"FAKTABOT_DB": str(sample_store_copy), "FAKTABOT_CONFIG": str(REPO / "faktabot.toml"),
            "STATBANK_API_URL": statbank}
    env = {**base, **smtp_env(slow_smtp.port, tmp_path / "outbox", SMTP_DEADLINE="120",
                              SMTP_USER="faktabot", SMTP_PASSWORD="hemmeligt")}
    log = tmp_path / "first.log"
    process = _start(env, log)
    try:
        _wait_for(lambda: slow_smtp.connections >= 1)  # catch-up is sending its first alert email
        stopped_at = time.monotonic()
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=10)
        assert time.monotonic() - stopped_at < 2.5
    finally:
        if process.poll() is None:
            process.kill()
    text = log.read_text(encoding="utf-8")
    assert code == 0 and "stopped" in text
    assert text.count("password goes over the network unencrypted") == 1
    assert slow_smtp.connections == 1
    left = rows(sample_store_copy)
    assert [r[2] for r in left if r[2] == "sending"] == ["sending"]  # the one cut off, kept as may-have-gone
    assert any(r[2] == "pending" for r in left)  # the ledger says what remains

    again_env = {**base, **smtp_env(smtp.port, tmp_path / "outbox")}
    again = _start(again_env, tmp_path / "again.log")
    try:
        # The alerts step of the catch-up; it starts with a refresh, so generous on a loaded machine.
        _wait_for(lambda: "alerts:" in (tmp_path / "again.log").read_text(encoding="utf-8"), timeout=120)
    finally:
        again.send_signal(signal.SIGTERM)
        again.wait(timeout=10)
    after = rows(sample_store_copy)
    cut = next(r for r in left if r[2] == "sending")
    assert next(r for r in after if r[:2] == cut[:2])[2] == "sending"  # not resent
    delivered = [m["Message-ID"] for m in smtp.messages]
    assert delivered and message_id(cut[0], cut[1]) not in delivered
    assert len(delivered) == len(set(delivered))  # nothing twice
    first_keys = {r[:2] for r in left}  # the alerts the first run had queued
    assert {r[2] for r in after if r[:2] in first_keys and r[:2] != cut[:2]} == {"sent"}


def test_status_tells_a_slack_post_of_unknown_outcome_to_look_in_the_channel_not_of_a_message_id(
        sample_store_copy, tmp_path):
    # It said »sendes igen … med samme Message-ID« of a Slack post, which has none: a second post shows twice.
    now = datetime.now(TIMEZONE) - timedelta(hours=1)
    with Store(sample_store_copy) as store:
        ledger = Ledger(store.db)
        number = ledger.queue(key="summary:2026-10", target=None, kind="summary", recipient="#beskaeftigelse-ledelse",
                              subject="Månedsoverblik", body="*Månedsoverblik*", sample_data=False, now=now)
        ledger.sending(number, "slack", now)
        ledger.unknown(number, "Slack #beskaeftigelse-ledelse: forbindelsen røg", now)
    status = run_cli("status", db=sample_store_copy, env={"FAKTABOT_OUTBOX": str(tmp_path / "outbox")})
    [line] = [line for line in status.stdout.splitlines() if f"nr. {number}:" in line]
    assert "Message-ID" not in line and f"`faktabot alerts --resend-unknown {number}`" in line
    assert line.endswith("(se først efter i kanalen: nåede den frem første gang, står den der to gange)")


def test_log_lines_carry_copenhagen_time_with_its_offset_as_the_schedule_does(tmp_path):
    from bot.cli.run import configure_logging

    log_file = tmp_path / "faktabot.log"
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        root.handlers[:] = []  # basicConfig adds nothing to a root that has handlers (pytest's own)
        configure_logging(log_file)
        handler = root.handlers[-1]
        # 13:05:03 UTC on 2 December is 14:05:03 in Copenhagen (winter, +01:00); in July +02:00.
        for moment in ("2026-12-02T13:05:03+00:00", "2026-07-01T10:00:00+00:00"):
            record = logging.LogRecord("faktabot.service", logging.INFO, __file__, 1, "job inbox: ok", None, None)
            record.created = datetime.fromisoformat(moment).timestamp()
            handler.emit(record)
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers[:] = before
    assert log_file.read_text().splitlines() == [
        "2026-12-02 14:05:03+01:00 INFO faktabot.service: job inbox: ok",
        "2026-07-01 12:00:00+02:00 INFO faktabot.service: job inbox: ok",
    ]
