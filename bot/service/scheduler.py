"""The schedule: cron lines from `faktabot.toml` [schedule] over the defaults, the APScheduler that
runs the jobs (one per process, Europe/Copenhagen), the job wrapper, and the stop signals.
"""
from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from bot import clock
from bot.config import Config
from bot.service import ServiceError, Stopping
from bot.service.health import HEARTBEAT_SECONDS, Heartbeat, longest_gap
from bot.service.jobs import Service
from indicators.wording import wording

log = logging.getLogger("faktabot.service")

# Default schedule (faktabot.toml [schedule] overrides each): Jobindsats publishes monthly around
# the middle of the month, StatBank most tables early in the month. Never between 02:00 and 03:00,
# where daylight-saving changes skip or repeat an hour.
DST_HOUR = 2  # Europe/Copenhagen changes the clock at 02:00 (spring: 02:00-02:59 never happens; autumn: twice)
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


def refresh_intervals(config: Config, now: datetime, sources: list[str]) -> dict[str, timedelta]:
    """Per source the service refreshes, the longest gap between two scheduled refreshes in the
    next four weeks (for "no refresh for twice the interval")."""
    triggers = schedule(config)
    found = {}
    for source in sources:
        trigger = triggers.get(f"refresh_{source}")
        if trigger is None:
            continue
        times, moment = [], now
        while (moment := trigger.get_next_fire_time(None, moment + timedelta(seconds=1))) is not None:
            if moment > now + timedelta(days=28) or len(times) > 1000:
                break
            times.append(moment)
        found[source] = longest_gap(times)
    return found


def schedule(config: Config) -> dict[str, CronTrigger]:
    """The cron triggers from `faktabot.toml` [schedule] over the defaults; refuses 02:00–02:59."""
    wanted = {**DEFAULT_SCHEDULE, **config.schedule}
    triggers = {}
    for job, expression in wanted.items():
        # The file in use and the line (FAKTABOT_CONFIG may name any file); a Config built in code has none.
        where = config.schedule_where.get(job) or wording("config_where", path="faktabot.toml", line="",
                                                           entry=f"[schedule] {job}")
        if job not in DEFAULT_SCHEDULE:
            raise ServiceError(wording("schedule_unknown_job", where=where, job=job, jobs=", ".join(DEFAULT_SCHEDULE)))
        try:
            trigger = CronTrigger.from_crontab(expression, timezone=clock.TIMEZONE)
        except ValueError:
            raise ServiceError(wording("schedule_not_cron", where=where, expression=expression,
                                       error=cron_fault(expression))) from None
        hours = fire_hours(trigger)
        # A job that runs every hour (the inbox, every 15 minutes) only loses or repeats one of many
        # runs when the clocks change; one that runs at 02:xx but not every hour would be skipped or
        # run twice that night.
        if DST_HOUR in hours and hours != set(range(24)):
            raise ServiceError(wording("schedule_dst_hour", where=where, expression=expression))
        triggers[job] = trigger
    return triggers


CRON_FIELDS = ("minute", "hour", "day", "month", "day_of_week")


def cron_fault(expression: str) -> str:
    """What is wrong with a cron line, in Danish: the number of fields, or the first field
    APScheduler refuses, by its Danish name (APScheduler's own message is English)."""
    values = expression.split()
    if len(values) != len(CRON_FIELDS):
        return wording("schedule_cron_fields", count=len(values))
    for name, value in zip(CRON_FIELDS, values, strict=True):
        try:
            CronTrigger(**{name: value}, timezone=clock.TIMEZONE)
        except ValueError:
            return wording(f"schedule_cron_bad_{name}", value=value)
    return wording("schedule_cron_bad")


def fire_hours(trigger: CronTrigger) -> set[int]:
    """Every local hour the trigger can fire in, from APScheduler's parsed hour field (so `1-3`,
    `*/2` and `0-23/5` count as the hours they expand to, not as the text they are written in)."""
    hour_field = next(f for f in trigger.fields if f.name == "hour")
    hours: set[int] = set()
    for expression in hour_field.expressions:
        first = getattr(expression, "first", None)
        last = getattr(expression, "last", None)
        first = 0 if first is None else first
        last = 23 if last is None else last
        hours.update(range(first, last + 1, expression.step or 1))
    return hours


def wrap(job: Callable[[datetime], object], name: str) -> Callable[[], None]:
    """The scheduler's job wrapper: the one place that catches broadly, logs the traceback once
    and carries on, so one failing job never stops the service. One log line per job: its name,
    outcome and duration (`job summary: ok in 0.4 s`)."""

    def run() -> None:
        started = time.perf_counter()
        try:
            result = job(clock.now())
        except Stopping:
            log.info("job %s: left for the next start, the service is stopping", name)
            return
        except Exception:
            log.exception("job %s: error after %.1f s", name, time.perf_counter() - started)
            return
        outcomes = result if isinstance(result, list) else [result]
        failed = [o.job for o in outcomes if o is not None and not getattr(o, "ok", True)]
        outcome = f"failed ({', '.join(failed)})" if failed else "ok"
        (log.warning if failed else log.info)("job %s: %s in %.1f s", name, outcome, time.perf_counter() - started)

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
    if service.mailbox is not None:  # ask by email, every FAKTABOT_IMAP_POLL_SECONDS
        scheduler.add_job(wrap(service.mail, "mail"), "interval", seconds=service.settings.imap_poll_seconds,
                          id="mail", name="mail", replace_existing=True)
    # The heartbeat `/health` and `faktabot status --check` read: proof the scheduler's pool runs jobs.
    heartbeat = Heartbeat(service.settings.db_path)
    heartbeat.beat(clock.now())
    scheduler.add_job(lambda: heartbeat.beat(clock.now()), "interval", seconds=HEARTBEAT_SECONDS,
                      id="heartbeat", name="heartbeat", replace_existing=True)
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
