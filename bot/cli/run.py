"""`faktabot run`: start the service — scheduler, catch-up, and Slack or the terminal chat.

Local mode (no Slack settings): the same jobs, messages to the outbox, and when attached to a
terminal the chat prompt, so a new user can ask "ledighed maj" straight away.
"""
from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot import clock
from bot.config import Config
from bot.rendering.terminal import say
from bot.service.jobs import Service
from bot.service.lock import InstanceLock
from bot.service.scheduler import install_signal_handlers, start_scheduler, wrap
from bot.settings import Settings
from indicators.store import Store

log = logging.getLogger("faktabot.service")


def configure_logging(log_file: Path | None = None) -> None:
    """One line per job to stderr; to `log_file` instead while the chat prompt owns the terminal."""
    target = {"filename": str(log_file), "encoding": "utf-8"} if log_file else {"stream": sys.stderr}
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", **target)
    # httpx logs every request URL at INFO; URLs can carry tokens in query strings elsewhere.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def run(settings: Settings, config: Config, *, chat: Callable[[], int] | None = None,
        slack: Callable[[threading.Event], None] | None = None, stdin: TextIO = sys.stdin,
        web: Callable[[threading.Event], None] | None = None,
        after_start: Callable[[Service], None] | None = None,
        build: Callable[[Settings, Config], Service]) -> int:
    """Run until SIGTERM/SIGINT (or, in the terminal, until the chat ends)."""
    interactive = chat is not None and stdin.isatty() and slack is None
    log_file = settings.db_path.with_name("faktabot.log") if interactive else None
    configure_logging(log_file)
    Store(settings.db_path).close()  # a missing or foreign store fails here, before anything starts
    lock = InstanceLock(settings.db_path)
    lock.acquire()
    started = time.perf_counter()
    scheduler = None
    stop, signalled = threading.Event(), threading.Event()
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
        stop.wait()
        # Stopped by a signal: a clean exit. Stopped by Slack giving up (a refused token, a port in
        # use): exit 1 so a supervisor (systemd) shows the failure and restarts it.
        return 0 if signalled.is_set() else 1
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=True)  # finish the job in hand
        lock.release()
        log.info("stopped")
