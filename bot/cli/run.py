"""`faktabot run`: start the service — scheduler, catch-up, and Slack or the terminal chat.

Local mode (no Slack settings): the same jobs, messages to the outbox, and when attached to a
terminal the chat prompt, so a new user can ask "ledighed maj" straight away.
"""
from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TextIO

from bot import clock
from bot.cli.errors import UserError
from bot.config import Config
from bot.rendering.terminal import say
from bot.service.health import Heartbeat
from bot.service.jobs import Service
from bot.service.lock import InstanceLock
from bot.service.scheduler import install_signal_handlers, start_scheduler, wrap
from bot.settings import Settings
from indicators.store import Store
from indicators.wording import wording

log = logging.getLogger("faktabot.service")
# How long a stop waits for the job in hand to reach a safe point (between two deliveries or two
# steps) before the process leaves anyway: a send cut off there stays `sending` in the ledger and is
# treated as an unknown outcome, never resent blindly. Keeps SIGTERM under 2 s.
STOP_GRACE = 1.5


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class CopenhagenFormatter(logging.Formatter):
    """Log lines stamped in Copenhagen time with the offset (`2026-12-02 14:05:03+01:00`): the clock
    of the schedule in faktabot.toml and of `faktabot status`, whatever the server's zone (often UTC)."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        moment = datetime.fromtimestamp(record.created, clock.TIMEZONE)
        return moment.strftime(datefmt) if datefmt else moment.isoformat(sep=" ", timespec="seconds")

LOG_BYTES, LOG_BACKUPS = 5_000_000, 5  # faktabot.log, .1 … .5: at most 30 MB on disk


def configure_logging(log_file: Path | None = None, *, under_systemd: bool = False) -> None:
    """One line per job to stderr, or to `log_file` (rotated by size) when one is given: while the chat
    prompt owns the terminal, or with FAKTABOT_LOG. Under systemd (JOURNAL_STREAM) always stderr,
    without a timestamp: journald stamps and rotates it."""
    if under_systemd:
        handler: logging.Handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    elif log_file is not None:
        # Owner-only: the log names recipients and sources. Created 0600, and tightened if older.
        try:
            os.close(os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
            os.chmod(log_file, 0o600)
        except OSError as error:  # a missing folder, a folder named, no write access: before anything starts
            raise UserError(wording("log_file_unwritable", path=log_file, error=error.strerror or error)) from None
        handler = RotatingFileHandler(log_file, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")
        handler.setFormatter(CopenhagenFormatter(LOG_FORMAT))
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(CopenhagenFormatter(LOG_FORMAT))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    # httpx logs every request URL at INFO; URLs can carry tokens in query strings elsewhere.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # fontTools logs some hundred lines at INFO for each PDF, as it subsets the fonts of a fact sheet.
    logging.getLogger("fontTools").setLevel(logging.WARNING)


def _idle(service: Service, seconds: float) -> bool:
    """Whether the job in hand reaches a safe point within `seconds`: jobs hold the service's lock
    while they work, and once `service.stop` is set none takes it again."""
    if not service.lock.acquire(timeout=seconds):
        return False
    service.lock.release()
    return True


def run(settings: Settings, config: Config, *, chat: Callable[[], int] | None = None,
        slack: Callable[[threading.Event], None] | None = None, stdin: TextIO = sys.stdin,
        web: Callable[[threading.Event], None] | None = None,
        after_start: Callable[[Service], None] | None = None,
        build: Callable[[Settings, Config], Service]) -> int:
    """Run until SIGTERM/SIGINT (or, in the terminal, until the chat ends)."""
    interactive = chat is not None and stdin.isatty() and slack is None
    log_file = settings.log_file or (settings.db_path.with_name("faktabot.log") if interactive else None)
    configure_logging(None if settings.under_systemd else log_file, under_systemd=settings.under_systemd)
    if settings.password_in_clear:
        log.warning("SMTP_SECURITY=none with SMTP_USER/SMTP_PASSWORD: the password goes over the network "
                    "unencrypted; use starttls or ssl unless this is a trusted internal network")
    if settings.imap_enabled and settings.imap_security == "none":
        log.warning("FAKTABOT_IMAP_SECURITY=none: the mailbox password goes over the network unencrypted; use ssl "
                    "or starttls unless this is a trusted internal network")
    with Store(settings.db_path) as store:  # a missing, foreign or damaged store stops here, before anything starts
        store.quick_check()
    # The inbox is made at start, not at the first import: a FAKTABOT_INBOX that is a file or cannot be
    # made failed the start-up catch-up at its first step, so the targets were not evaluated either.
    try:
        settings.inbox.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(wording("inbox_unusable", path=settings.inbox, error=error.strerror or error)) from None
    lock = InstanceLock(settings.db_path)
    lock.acquire()
    started = time.perf_counter()
    scheduler = None
    stop, signalled = threading.Event(), threading.Event()
    service: Service | None = None
    try:
        service = build(settings, config)
        scheduler = start_scheduler(service)
        # Catch up at once, on the scheduler's pool: what is due by the store's own records.
        scheduler.add_job(wrap(service.catch_up, "catch_up"), id="catch_up", name="catch_up",
                          next_run_time=clock.now())
        if not interactive:
            install_signal_handlers(stop, signalled)
        log.info("ready in %.1f s: %s; jobs: %s", time.perf_counter() - started,
                 "Slack" if slack else "local mode (outbox)",
                 ", ".join(f"{j.id} {j.next_run_time:%d.%m %H:%M}" for j in scheduler.get_jobs() if j.next_run_time))
        if after_start:
            after_start(service)
        if slack is not None:
            threading.Thread(target=slack, args=(stop,), name="slack", daemon=True).start()
        if web is not None:  # the one-click links' pages (FAKTABOT_PUBLIC_URL), when Slack does not serve them
            threading.Thread(target=web, args=(stop,), name="web", daemon=True).start()
        if interactive:
            say("run_local", log=log_file)
            return chat()
        if slack is None:
            say("run_local_service", outbox=settings.outbox)
        # Wake now and then: the kernel may hand SIGTERM to a worker thread, and Python runs the handler
        # only when the main thread next runs Python code; a bare wait() could then sleep through it.
        while not stop.wait(0.5):
            pass
        # Stopped by a signal: a clean exit. Stopped by Slack giving up (a refused token, a port in
        # use): exit 1 so a supervisor (systemd) shows the failure and restarts it.
        return 0 if signalled.is_set() else 1
    finally:
        if service is not None:
            service.stop.set()  # the job in hand stops at its next safe point
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        busy = service is not None and not _idle(service, STOP_GRACE)
        # A clean stop leaves no heartbeat behind: `status --check` and /health readers then see a
        # stopped service, not a beat that merely looks recent.
        Heartbeat(settings.db_path).clear()
        lock.release()
        log.info("stopped")
        if busy:
            # A job is inside a send or a refresh that does not return in time. Leave now: SQLite
            # rolls back an unfinished transaction, and the ledger keeps the row `sending`, which
            # the next start treats as an unknown outcome. (A normal exit would wait for the
            # scheduler's worker thread.)
            log.warning("a job did not reach a safe point within %.1f s; leaving it", STOP_GRACE)
            logging.shutdown()
            os._exit(0 if signalled.is_set() else 1)
