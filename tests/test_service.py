"""`faktabot run`: jobs as plain functions of `now`, catch-up from the store's own records, one
instance per store, SIGTERM and SIGKILL."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot import clock
from bot.cli.compose import build_service
from bot.clock import TIMEZONE
from bot.config import Config, load_config
from bot.delivery.channels import Channels, DeliveryError, Message
from bot.service import ServiceError
from bot.service.scheduler import schedule
from bot.settings import load_settings
from tests.conftest import REPO


def env_for(db: Path, outbox: Path, statbank: str) -> dict[str, str]:
    return {"FAKTABOT_DB": str(db), "FAKTABOT_OUTBOX": str(outbox), "FAKTABOT_CONFIG": str(REPO / "faktabot.toml"),
            "STATBANK_API_URL": statbank}


def service_for(db: Path, outbox: Path, statbank: str):
    settings = load_settings(env_for(db, outbox, statbank))
    return build_service(settings, load_config(settings.config_path))


def deliveries(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT key, recipient, status FROM deliveries ORDER BY key, recipient").fetchall()
    conn.close()
    return rows


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TIMEZONE)


def test_the_summary_waits_for_its_day_then_goes_once(sample_store_copy, tmp_path, statbank):
    service = service_for(sample_store_copy, tmp_path / "outbox", statbank)
    assert "not due" in service.summary(at("2026-08-04 07:00")).text
    first = service.summary(at("2026-08-05 07:00"))
    assert first.ok and "2026-07: 3 sent" in first.text
    again = service.summary(at("2026-08-06 07:00"))
    assert "0 sent, 3 had it" in again.text
    assert [r for r in deliveries(sample_store_copy) if r[0] == "summary:2026-07"] == [
        ("summary:2026-07", "#beskaeftigelse-ledelse", "sent"), ("summary:2026-07", "ledelse@example.org", "sent"),
        ("summary:2026-07", "udvalgsformand@example.org", "sent")]


def test_the_fact_sheet_goes_once_per_quarter_after_its_day(sample_store_copy, tmp_path, statbank):
    service = service_for(sample_store_copy, tmp_path / "outbox", statbank)
    assert "not due" in service.factsheet(at("2026-10-09 07:15")).text
    assert "2026-Q3: 1 sent" in service.factsheet(at("2026-10-10 07:15")).text
    assert "already delivered" in service.factsheet(at("2026-11-20 07:15")).text
    eml = list((tmp_path / "outbox").glob("factsheet*.eml"))
    assert len(eml) == 1 and b"application/pdf" in eml[0].read_bytes()


def test_catch_up_twice_sends_nothing_new(sample_store_copy, tmp_path, statbank):
    service = service_for(sample_store_copy, tmp_path / "outbox", statbank)
    now = at("2026-11-25 09:00")
    service.catch_up(now)
    before = deliveries(sample_store_copy)
    files = sorted(p.name for p in (tmp_path / "outbox").iterdir())
    assert any(key.startswith("summary:2026-10") for key, _, _ in before)
    assert any(key.startswith("factsheet:2026-Q3") for key, _, _ in before)
    assert any(key.startswith("stale:statbank") for key, _, _ in before)  # it never answered
    service.catch_up(at("2026-11-25 10:00"))
    assert deliveries(sample_store_copy) == before
    assert sorted(p.name for p in (tmp_path / "outbox").iterdir()) == files


def test_a_failed_refresh_keeps_the_store_and_is_recorded(sample_store_copy, tmp_path, statbank):
    service = service_for(sample_store_copy, tmp_path / "outbox", statbank)
    count = sqlite3.connect(sample_store_copy).execute("SELECT count(*) FROM observations").fetchone()
    outcome = service.refresh("statbank", at("2026-11-25 06:45"))
    assert not outcome.ok and "store unchanged" in outcome.text
    conn = sqlite3.connect(sample_store_copy)
    assert conn.execute("SELECT count(*) FROM observations").fetchone() == count
    assert conn.execute("SELECT status FROM refresh_runs WHERE source = 'statbank'").fetchall()[-1][0] == "failed"


class Outage:
    """An alert channel whose server is down for the first `failures` sends (a temporary refusal)."""

    name = "outage"

    def __init__(self, failures: int):
        self.failures, self.sent = failures, []

    def send(self, message: Message) -> str:
        if self.failures:
            self.failures -= 1
            raise DeliveryError("421 4.3.2 Service not available", permanent=False)
        self.sent.append(message)
        return "outage:ok"


def test_an_alert_that_failed_is_sent_at_the_next_refresh_even_without_new_figures(sample_store_copy, tmp_path,
                                                                                  statbank):
    # The breach mails failed at the morning's run (SMTP down). Jobindsats brings nothing new the next
    # days, so nothing is evaluated; the mails must still go out then, not wait a month for new figures.
    outage = Outage(failures=6)
    nothing_new = SimpleNamespace(ok=True, landed=True, rows=0, inserted=0, updated=0, newest="2026-07")
    service = replace(service_for(sample_store_copy, tmp_path / "outbox", statbank), channels=Channels(outbox=outage),
                      refreshers={"jobindsats": lambda store, now: nothing_new})
    first = service.evaluate(at("2026-11-25 06:30"))
    assert not first.ok and "6 failed" in first.text and outage.sent == []
    service.refresh("jobindsats", at("2026-11-26 06:30"))
    assert len(outage.sent) == 6
    assert {status for _, _, status in deliveries(sample_store_copy)} == {"sent"}
    service.refresh("jobindsats", at("2026-11-27 06:30"))  # sent once: nothing goes twice
    assert len(outage.sent) == 6


@pytest.mark.parametrize(("expression", "message"), [
    ("30 2 * * *", "mellem 02:00 og 03:00"), ("70 6 * * *", "skriv den som cron"), ("nonsense", "skriv den som cron")])
def test_a_bad_schedule_is_refused_with_the_fix(expression, message):
    with pytest.raises(ServiceError, match=message):
        schedule(Config(schedule={"summary": expression}))


def _start(env: dict, log: Path) -> subprocess.Popen:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("FAKTABOT_", "SLACK_", "SMTP_"))}
    return subprocess.Popen([sys.executable, "-m", "bot", "run"], env={**full, **env}, cwd=REPO,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=open(log, "w"))


def _wait_for(predicate, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def _logged(log: Path, text: str) -> bool:
    return log.exists() and text in log.read_text(encoding="utf-8")


def _kinds(sent: list[tuple]) -> dict[str, int]:
    """How many deliveries of each kind: the key's first part, or `alert` for a target's notice."""
    counts: dict[str, int] = {}
    for key, _, _ in sent:
        kind = key.split(":")[0] if key.split(":")[0] in ("summary", "factsheet", "stale") else "alert"
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def _due_kinds(*moments: datetime) -> list[dict[str, int]]:
    """What the catch-up of the sample store with faktabot.toml delivers on the day it runs (the run
    may cross midnight between two moments): three targets breached to two recipients each, the
    statbank notice; the summary to its three from day 5, the fact sheet to its one unless it is
    the first month of a quarter before day 10."""
    config = load_config(REPO / "faktabot.toml")
    due = []
    for now in moments:
        kinds = {"alert": 6, "stale": 1}
        if now.day >= config.summary.day:
            kinds["summary"] = len(config.summary.recipients)
        if not (now.month in (1, 4, 7, 10) and now.day < config.factsheet.day):
            kinds["factsheet"] = len(config.factsheet.recipients)
        due.append(kinds)
    return due


def test_second_instance_refused_sigterm_stops_cleanly_and_sigkill_restart_sends_nothing_twice(
        sample_store_copy, tmp_path, statbank):
    env = env_for(sample_store_copy, tmp_path / "outbox", statbank)
    first_log, again_log = tmp_path / "first.log", tmp_path / "again.log"
    started = clock.now()
    first = _start(env, first_log)
    try:
        _wait_for(lambda: _logged(first_log, "staleness:"))  # the catch-up's last job
        second = subprocess.run([sys.executable, "-m", "bot", "run"], env={**os.environ, **env}, cwd=REPO,
                                capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        assert second.returncode == 1 and "bruger allerede" in second.stderr
        sent = deliveries(sample_store_copy)
        assert {status for _, _, status in sent} == {"sent"}
        assert _kinds(sent) in _due_kinds(started, clock.now())
        files = sorted(p.name for p in (tmp_path / "outbox").iterdir())
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    again = _start(env, again_log)
    try:
        _wait_for(lambda: _logged(again_log, "staleness:"))
        assert deliveries(sample_store_copy) == sent
        assert sorted(p.name for p in (tmp_path / "outbox").iterdir()) == files
        again.send_signal(signal.SIGTERM)
        assert again.wait(timeout=30) == 0
        assert _logged(again_log, "stopped")
    finally:
        if again.poll() is None:
            again.kill()


def test_run_exits_1_when_slack_cannot_start(sample_store_copy, tmp_path, statbank):
    import socket as sockets

    with sockets.socket() as taken:  # the port Slack's HTTP mode wants is in use
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        env = {**env_for(sample_store_copy, tmp_path / "outbox", statbank), "SLACK_BOT_TOKEN": "xoxb-test",
               "SLACK_SIGNING_SECRET": "secret", "PORT": str(taken.getsockname()[1]),
               "SLACK_API_URL": "http://127.0.0.1:9/api/"}
        log = tmp_path / "run.log"
        process = _start(env, log)
        try:
            assert process.wait(timeout=60) == 1
        finally:
            if process.poll() is None:
                process.kill()
    assert "slack: cannot start" in log.read_text(encoding="utf-8")


def test_the_catch_up_first_does_the_derived_work_a_stopped_refresh_left_owed(sample_store_copy, tmp_path, statbank):
    from indicators.store import Store

    with Store(sample_store_copy) as store:  # as a refresh stopped between its loads and its derived step leaves it
        store.owe_derived({("sygedagpenge", "151"): "2026"})
    service = service_for(sample_store_copy, tmp_path / "outbox", statbank)
    outcomes = service.catch_up(at("2026-11-25 09:00"))
    assert outcomes[0].job == "derived" and outcomes[0].ok and outcomes[0].text.startswith("owed work done:")
    with Store(sample_store_copy) as store:
        assert store.derived_owed() == {}
    assert all(o.job != "derived" for o in service.catch_up(at("2026-11-25 10:00")))  # nothing owed: no step


def test_a_failing_catch_up_step_is_recorded_and_the_other_steps_still_run(sample_store_copy, tmp_path, statbank):
    """The start-up catch-up stopped at its first failing step (an exception in a refresh, an inbox
    that is a file): the targets were not evaluated, nothing due was sent, and only the log said so."""
    from tests.conftest import run_cli

    inbox = tmp_path / "inbox"
    inbox.write_text("not a folder", encoding="utf-8")
    settings = load_settings({**env_for(sample_store_copy, tmp_path / "outbox", statbank), "FAKTABOT_INBOX": str(inbox)})
    service = build_service(settings, load_config(settings.config_path))

    def broken(store, now):
        raise RuntimeError("forbindelsen til kilden brød sammen")

    service.refreshers = {"statbank": broken}
    outcomes = service.catch_up(at("2026-11-25 09:00"))
    by_job = {o.job: o for o in outcomes}
    assert not by_job["refresh statbank"].ok and "forbindelsen til kilden brød sammen" in by_job["refresh statbank"].text
    assert not by_job["inbox"].ok
    assert by_job["alerts"].ok and by_job["summary"].ok and by_job["staleness"].ok
    assert any(key.startswith("summary:2026-10") for key, _, _ in deliveries(sample_store_copy))
    status = run_cli("status", db=sample_store_copy, env={"FAKTABOT_INBOX": str(inbox)}).stdout
    assert "Opstarten 25. nov. 2026 kl. 09:00: »hent tal fra Danmarks Statistik« fejlede " \
           "(RuntimeError: forbindelsen til kilden brød sammen)" in status, status
    assert "»indlæs nye filer fra indbakken« fejlede" in status
    # A catch-up without failures clears them: status shows the newest start-up's.
    service.refreshers = {}
    inbox.unlink()
    service.catch_up(at("2026-11-25 10:00"))
    assert "Opstarten" not in run_cli("status", db=sample_store_copy).stdout
