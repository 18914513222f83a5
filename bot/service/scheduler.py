"""The schedule: cron lines from `faktabot.toml` [schedule] over the defaults, the APScheduler that
runs the jobs (one per process, Europe/Copenhagen), the job wrapper, and the stop signals.
"""
from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from bot import clock
from bot.config import Config
from bot.service import ServiceError
from bot.service.jobs import Service

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
    "inbox": "*/15 * * * *",  # files dropped in FAKTABOT_INBOX
}


def next_runs(config: Config, now: datetime) -> list[tuple[str, datetime]]:
    """When each scheduled job runs next, for `faktabot status` (without a running scheduler)."""
    runs = []
    for name, trigger in schedule(config).items():
        next_time = trigger.get_next_fire_time(None, now)
        if next_time is not None:
            runs.append((name, next_time))
    return sorted(runs, key=lambda item: item[1])


def schedule(config: Config) -> dict[str, CronTrigger]:
    """The cron triggers from `faktabot.toml` [schedule] over the defaults; refuses 02:00–02:59."""
    wanted = {**DEFAULT_SCHEDULE, **config.schedule}
    triggers = {}
    for job, expression in wanted.items():
        if job not in DEFAULT_SCHEDULE:
            raise ServiceError(f"faktabot.toml [schedule]: unknown job {job!r}; use one of {', '.join(DEFAULT_SCHEDULE)}")
        try:
            trigger = CronTrigger.from_crontab(expression, timezone=clock.TIMEZONE)
        except ValueError as error:
            raise ServiceError(f"faktabot.toml [schedule] {job} = {expression!r}: {error}; "
                               "write it as cron: minute hour day month weekday, e.g. \"30 6 * * mon-fri\"") from None
        hour_field = expression.split()[1]
        if hour_field == "2" or hour_field.startswith("2,") or ",2," in hour_field or hour_field.endswith(",2"):
            raise ServiceError(f"faktabot.toml [schedule] {job} = {expression!r} runs between 02:00 and 03:00, "
                               "where daylight-saving changes skip or repeat the hour; choose another hour")
        triggers[job] = trigger
    return triggers


def wrap(job: Callable[[datetime], object], name: str) -> Callable[[], None]:
    """The scheduler's job wrapper: the one place that catches broadly, logs the traceback once
    and carries on, so one failing job never stops the service."""

    def run() -> None:
        try:
            job(clock.now())
        except Exception:
            log.exception("%s failed", name)

    run.__name__ = name
    return run


def start_scheduler(service: Service) -> BackgroundScheduler:
    triggers = schedule(service.config)
    scheduler = BackgroundScheduler(
        timezone=clock.TIMEZONE,
        # Hours of grace and coalescing: a run delayed by load or a short stop still happens once.
        job_defaults={"misfire_grace_time": 6 * 3600, "coalesce": True, "max_instances": 1},
    )
    jobs = {
        "refresh_jobindsats": lambda now: service.refresh("jobindsats", now),
        "refresh_statbank": lambda now: service.refresh("statbank", now),
        "summary": service.summary,
        "factsheet": service.factsheet,
        "staleness": service.staleness,
        "inbox": service.import_inbox,
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
