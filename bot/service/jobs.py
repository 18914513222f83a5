"""`faktabot run`: the long-running service. Refreshes, evaluates and delivers on schedule.

The composition root for the scheduler (APScheduler 3.11, one per process, Europe/Copenhagen).
Jobs are plain functions that take `now` and do one period's work idempotently: what was done is
read from the store's own records (refresh runs, deliveries), never from the scheduler's memory,
so a restart after a crash or a week switched off catches up and sends nothing twice.
"""
from __future__ import annotations

import fcntl
import io
import logging
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from bot import alerts, render
from bot.channels import Channels
from bot.delivery import send_due
from bot.factsheet_cli import make_factsheet
from bot.config import Config
from bot.email import Attachment, EmailContent
from bot.ledger import Ledger
from bot.settings import Settings
from bot.summary_delivery import SummaryError, default_month, send_summary
from bot.target_context import TargetContext
from indicators import periods
from indicators.refresh import source_status
from indicators.store import Store

TIMEZONE = ZoneInfo("Europe/Copenhagen")
log = logging.getLogger("faktabot.service")

# Default schedule (faktabot.toml [schedule] overrides each): Jobindsats publishes monthly around
# the middle of the month, StatBank most tables early in the month. Never between 02:00 and 03:00,
# where daylight-saving changes skip or repeat an hour.
DEFAULT_SCHEDULE = {
    "refresh_jobindsats": "30 6 * * mon-fri",
    "refresh_statbank": "45 6 * * mon-fri",
    "summary": "0 7 * * *",
    "factsheet": "15 7 * * *",
    "staleness": "0 8 * * mon",
}
# How old a source's last successful run may be before a catch-up refresh runs at start-up.
REFRESH_EVERY = timedelta(days=1)


class ServiceError(Exception):
    """The service cannot start; the message says why and what to do."""


def next_runs(config: Config, now: datetime) -> list[tuple[str, datetime]]:
    """When each scheduled job runs next, for `faktabot status` (without a running scheduler)."""
    runs = []
    for name, trigger in schedule(config).items():
        next_time = trigger.get_next_fire_time(None, now)
        if next_time is not None:
            runs.append((name, next_time))
    return sorted(runs, key=lambda item: item[1])


class InstanceLock:
    """One `faktabot run` per store: an exclusive lock on `<store>.lock`, released when the process
    ends however it ends (the kernel drops the lock of a killed process)."""

    def __init__(self, store_path: Path):
        self.path = store_path.with_name(store_path.name + ".lock")
        self.handle = None

    def acquire(self) -> None:
        self.handle = open(self.path, "a+")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.seek(0)
            holder = self.handle.read().strip() or "?"
            self.handle.close()
            raise ServiceError(
                f"another `faktabot run` (pid {holder}) is already using {self.path.with_suffix('')}; "
                "stop it first, or point FAKTABOT_DB at another store") from None
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(str(os.getpid()))
        self.handle.flush()

    def holder(self) -> str | None:
        """The pid of a running `faktabot run` on this store, or None (probes without blocking)."""
        if not self.path.exists():
            return None
        with open(self.path, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                return handle.read().strip() or "?"
            fcntl.flock(handle, fcntl.LOCK_UN)
        return None

    def release(self) -> None:
        if self.handle:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


def schedule(config: Config) -> dict[str, CronTrigger]:
    """The cron triggers from `faktabot.toml` [schedule] over the defaults; refuses 02:00–02:59."""
    wanted = {**DEFAULT_SCHEDULE, **{k: str(v) for k, v in config.raw.get("schedule", {}).items()}}
    triggers = {}
    for job, expression in wanted.items():
        if job not in DEFAULT_SCHEDULE:
            raise ServiceError(f"faktabot.toml [schedule]: unknown job {job!r}; use one of {', '.join(DEFAULT_SCHEDULE)}")
        try:
            trigger = CronTrigger.from_crontab(expression, timezone=TIMEZONE)
        except ValueError as error:
            raise ServiceError(f"faktabot.toml [schedule] {job} = {expression!r}: {error}; "
                               "write it as cron: minute hour day month weekday, e.g. \"30 6 * * mon-fri\"") from None
        hour_field = expression.split()[1]
        if hour_field == "2" or hour_field.startswith("2,") or ",2," in hour_field or hour_field.endswith(",2"):
            raise ServiceError(f"faktabot.toml [schedule] {job} = {expression!r} runs between 02:00 and 03:00, "
                               "where daylight-saving changes skip or repeat the hour; choose another hour")
        triggers[job] = trigger
    return triggers


@dataclass
class JobOutcome:
    job: str
    ok: bool
    text: str


@dataclass
class Service:
    """The jobs, each a plain function of `now`. Connectors and channels are passed in (tests)."""

    settings: Settings
    config: Config
    channels: Channels
    email: object  # SmtpChannel or EmlOutbox
    refreshers: dict[str, Callable[[Store, datetime], object]] = field(default_factory=dict)
    outcomes: list[JobOutcome] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _store(self) -> Store:
        return Store(self.settings.db_path)  # one connection per job: jobs run on pool threads

    def _record(self, job: str, ok: bool, text: str) -> JobOutcome:
        outcome = JobOutcome(job, ok, text)
        self.outcomes.append(outcome)
        (log.info if ok else log.warning)("%s: %s", job, text)
        return outcome

    # -- jobs ---------------------------------------------------------------------------------

    def refresh(self, source: str, now: datetime) -> JobOutcome:
        refresher = self.refreshers.get(source)
        if refresher is None:
            return self._record(f"refresh {source}", True, "not configured; skipped")
        with self.lock, self._store() as store:
            result = refresher(store, now)
        if not getattr(result, "ok", False):
            return self._record(f"refresh {source}", False, f"failed, store unchanged: {getattr(result, 'error', '')}")
        changed = result.inserted + result.updated
        text = f"{result.rows} rows, {changed} new or changed, newest {result.newest}"
        if changed:
            self.evaluate(now)  # evaluation runs on new data, not on a bare clock
        return self._record(f"refresh {source}", True, text)

    def evaluate(self, now: datetime) -> JobOutcome:
        with self.lock, self._store() as store:
            run = alerts.run_alerts(store, Ledger(store.db), self.config, self.channels, now)
        return self._record("alerts", not run.failed,
                            f"{len(run.notices)} notices, {len(run.sent)} sent, {len(run.failed)} failed")

    def summary(self, now: datetime) -> JobOutcome:
        """The month before's summary, once its day has come; the ledger makes it once per recipient."""
        day = int(self.config.raw.get("summary", {}).get("day", 5))
        if now.day < day:
            return self._record("summary", True, f"not due before day {day}")
        month = default_month(now.date())
        try:
            with self.lock, self._store() as store:
                context = TargetContext.load(store, self.config, now)
                run = send_summary(store, Ledger(store.db), self.config, month, now=now, channels=self.channels,
                                   email=self.email, board=context.board_rows(), target_paths=context.path)
        except SummaryError as error:
            return self._record("summary", False, str(error))
        return self._record("summary", not run.failed,
                            f"{month}: {len(run.sent)} sent, {len(run.already)} had it, {len(run.failed)} failed")

    def factsheet(self, now: datetime) -> JobOutcome:
        """The quarter just finished, to the committee, once, from day `day` of the next quarter."""
        section = self.config.raw.get("factsheet", {})
        recipients = [str(r) for r in section.get("recipients", [])]
        day = int(section.get("day", 10))
        this_quarter = periods.quarter(now.year, (now.month - 1) // 3 + 1)
        quarter = str(this_quarter.shift(-1))
        if not recipients:
            return self._record("factsheet", True, "no [factsheet] recipients; skipped")
        if now.month == this_quarter.start_month and now.day < day:
            return self._record("factsheet", True, f"{quarter}: not due before day {day}")
        key = f"factsheet:{quarter}"
        with self.lock, self._store() as store:
            ledger = Ledger(store.db)
            queued = {d.recipient for d in ledger.deliveries() if d.key == key}
            due = [d for d in ledger.due(["factsheet"]) if d.key == key]
            if not due and queued >= set(recipients):
                return self._record("factsheet", True, f"{quarter}: already delivered")
            # Built only when someone is to get it: the PDF takes seconds, the job runs daily.
            kommune = store.db.execute("SELECT name FROM areas WHERE code = ?", [self.config.area]).fetchone()[0]
            buffer = io.BytesIO()
            _, figures = make_factsheet(store, self.config, quarter, buffer,
                                        TargetContext.load(store, self.config, now).path)
            context = {"quarter": quarter, "kommune": kommune, "sample": any(f.sample_data for f in figures)}
            subject = render.render("factsheet_email_subject.txt.j2", **context)
            text = render.render("factsheet_email.txt.j2", **context)
            content = EmailContent(subject=subject, text=text, html=render.render("factsheet_email.html.j2", **context),
                                   attachments=(Attachment(f"faktaark-{kommune.lower()}-{quarter}.pdf",
                                                           buffer.getvalue()),))
            for recipient in recipients:
                ledger.queue(key=key, target=None, kind="factsheet", recipient=recipient, subject=subject,
                             body=text, sample_data=context["sample"], now=now)
            due = [d for d in ledger.due(["factsheet"]) if d.key == key]
            result = send_due(ledger, due, self.channels, now, email=self.email, email_content=lambda d: content)
        return self._record("factsheet", not result.failed,
                            f"{quarter}: {len(result.sent)} sent, {len(result.failed)} failed")

    def staleness(self, now: datetime) -> JobOutcome:
        """A source that has not delivered on time: one notice per source and newest period to the
        operations recipients (`[operations] recipients`)."""
        recipients = [str(r) for r in self.config.raw.get("operations", {}).get("recipients", [])]
        if not recipients:
            return self._record("staleness", True, "no [operations] recipients; skipped")
        with self.lock, self._store() as store:
            ledger = Ledger(store.db)
            stale = [s for s in source_status(store, now) if s.stale and s.source in self.refreshers]
            for status in stale:
                key = f"stale:{status.source}:{status.newest}"
                subject = render.render("stale_subject.txt.j2", s=status)
                text = render.render("stale.txt.j2", s=status)
                for recipient in recipients:
                    ledger.queue(key=key, target=None, kind="stale", recipient=recipient, subject=subject,
                                 body=text, sample_data=False, now=now)
            result = send_due(ledger, ledger.due(["stale"]), self.channels, now)
        return self._record("staleness", not result.failed,
                            f"{len(stale)} stale sources, {len(result.sent)} notices sent")

    def catch_up(self, now: datetime) -> list[JobOutcome]:
        """At start-up: whatever is due by the store's own records, each once."""
        done = []
        with self._store() as store:
            last_ok = {r["source"]: r["started_at"] for r in store.db.query(
                "SELECT source, max(started_at) AS started_at FROM refresh_runs WHERE status = 'ok' GROUP BY source")}
        for source in self.refreshers:
            last = last_ok.get(source)
            if last is None or datetime.fromisoformat(last) < now - REFRESH_EVERY:
                done.append(self.refresh(source, now))
        done.append(self.evaluate(now))
        done.append(self.summary(now))
        done.append(self.factsheet(now))
        done.append(self.staleness(now))
        return done


def wrap(job: Callable[[datetime], object], name: str) -> Callable[[], None]:
    """The scheduler's job wrapper: the one place that catches broadly, logs the traceback once
    and carries on, so one failing job never stops the service."""

    def run() -> None:
        try:
            job(datetime.now(TIMEZONE))
        except Exception:
            log.exception("%s failed", name)

    run.__name__ = name
    return run


def start_scheduler(service: Service) -> BackgroundScheduler:
    triggers = schedule(service.config)
    scheduler = BackgroundScheduler(
        timezone=TIMEZONE,
        # Hours of grace and coalescing: a run delayed by load or a short stop still happens once.
        job_defaults={"misfire_grace_time": 6 * 3600, "coalesce": True, "max_instances": 1},
    )
    jobs = {
        "refresh_jobindsats": lambda now: service.refresh("jobindsats", now),
        "refresh_statbank": lambda now: service.refresh("statbank", now),
        "summary": service.summary,
        "factsheet": service.factsheet,
        "staleness": service.staleness,
    }
    for name, trigger in triggers.items():
        scheduler.add_job(wrap(jobs[name], name), trigger, id=name, name=name, replace_existing=True)
    scheduler.start()
    return scheduler


def install_signal_handlers(stop: threading.Event, signalled: threading.Event | None = None) -> None:
    """SIGTERM and SIGINT set `stop` (and `signalled`, so the caller can tell a requested stop from
    a part of the service giving up)."""

    def handle(signum, frame) -> None:
        log.info("received %s; finishing the current job and stopping", signal.Signals(signum).name)
        if signalled is not None:
            signalled.set()
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
