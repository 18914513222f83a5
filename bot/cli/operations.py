"""The operator's commands: `faktabot status --json/--check`, `config --check`, `backup` and `restore`.

What a municipality's IT department hooks into monitoring (Nagios/Zabbix exit codes, one line),
checks after an edit, and runs from cron for backups. I/O: the store, the lock and heartbeat files.
"""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from bot import clock
from bot.cli.compose import refreshers
from bot.cli.errors import UserError
from bot.config import EXAMPLE_PATH, Config
from bot.rendering import formats
from bot.rendering.terminal import messages, say
from bot.service import ServiceError
from bot.service.health import CRITICAL, LEVELS, Finding, Heartbeat, Report, assess
from bot.service.lock import InstanceLock
from bot.service.scheduler import (
    DEFAULT_SCHEDULE,
    next_runs,
    refresh_intervals,
    schedule,
)
from bot.settings import Settings, by_variable
from indicators.store import Store, restore


def report_for(settings: Settings, config: Config) -> Report:
    """The health of the service on this store, as seen from another process."""
    now = clock.now()
    broken: ServiceError | None = None
    try:
        intervals = refresh_intervals(config, now, list(refreshers(settings)))
    except ServiceError as error:
        intervals, broken = {}, error
    report = assess(settings.db_path, now, running_pid=InstanceLock(settings.db_path).holder(),
                    heartbeat=Heartbeat(settings.db_path).last(), intervals=intervals)
    if broken is None:
        return report
    # A schedule the service cannot start with is critical, as a broken faktabot.toml is: a running
    # service keeps its old schedule, and the next restart fails.
    return replace(report, level=CRITICAL, findings=[Finding(CRITICAL, "unusable", "", str(broken)),
                                                     *report.findings])


def status_line(report: Report) -> str:
    """One Nagios-style line: `FAKTABOT WARNING - statbank: forældet | failed_deliveries=0`."""
    words = messages()["check_findings"]
    worst = sorted(report.findings, key=lambda f: -f.level)
    if worst:
        text = "; ".join(words[f.code].format(subject=f.subject, detail=f.detail) for f in worst)
    else:
        text = messages()["check_all_ok"].format(pid=report.pid)
    return (f"FAKTABOT {LEVELS[report.level].upper()} - {text} | failed_deliveries={report.failed_deliveries} "
            f"waiting_deliveries={report.waiting_deliveries}")


def cmd_status_machine(args, settings: Settings, config: Config) -> int:
    """`status --json` (exit 0) and `status --check` (exit 0, 1 or 2)."""
    report = report_for(settings, config)
    if args.json:
        data = report.as_json()
        try:
            data["next_runs"] = {job: moment.isoformat() for job, moment in next_runs(config, clock.now())}
        except ServiceError as error:
            data["schedule_error"] = str(error)
        print(json.dumps(data, ensure_ascii=False, indent=2))
    if args.check:
        if not args.json:
            print(status_line(report))
        return report.level
    return 0


def cmd_config(args, settings: Settings, config: Config) -> int:
    """`config --check`: the file is valid by the time this runs (main loads it); print what is in force."""
    try:
        schedule(config)
    except ServiceError as error:
        raise UserError(str(error)) from None
    say("config_valid", path=config.path, targets=len(config.targets))
    print(effective(settings, config))
    return 0


def effective(settings: Settings, config: Config) -> str:
    """The configuration in force, file and environment, secrets shown only as set or not."""
    hidden = messages()["config_secret_hidden"]
    lines = ["[municipality]", f"area = {config.area!r}", f"compare = {list(config.compare)!r}", "",
             "[schedule]"]
    lines += [f"{job} = {expression!r}" for job, expression in {**DEFAULT_SCHEDULE, **config.schedule}.items()]
    for name, mailing in (("summary", config.summary), ("factsheet", config.factsheet)):
        lines += ["", f"[{name}]", f"day = {mailing.day}", f"recipients = {list(mailing.recipients)!r}"]
    lines += ["", "[operations]", f"recipients = {list(config.operations)!r}", "", "[slack]",
              f"channels = {sorted(config.slack.channels)!r}", f"users = {sorted(config.slack.users)!r}", ""]
    lines += [f"# [[targets]] {t.id}: {t.name} ({t.indicator}, {t.area})" for t in config.targets]
    lines += [f"# [imports.{f.name}] -> {f.indicator}" for f in config.imports if not f.shipped]
    shipped = sorted({f.name for f in config.imports if f.shipped})
    lines += [messages()["config_shipped_formats"].format(names=", ".join(shipped))] if shipped else []
    lines += ["", messages()["config_environment"]]
    for name, value, secret in by_variable(settings):
        if secret:  # the dataclass keeps secrets out of its repr, and so do we
            value = hidden if value else None
        line = f"  {name}={value if value is not None else '-'}"
        if name == "FAKTABOT_CONFIG" and config.path == EXAMPLE_PATH and value != EXAMPLE_PATH:
            # ./faktabot.toml named, not there: the example is in force (it read as if the file were)
            line += messages()["config_environment_example"].format(path=EXAMPLE_PATH)
        lines.append(line)
    return "\n".join(lines)


def cmd_backup(args, settings: Settings, config: Config) -> int:
    target = Path(args.path)
    with Store(settings.db_path) as store:
        store.backup(target)
    with Store(target) as copy:  # the copy opens as a store and passes SQLite's check, or we say so
        copy.quick_check()
        rows = copy.count()
    say("backup_done", path=target, rows=formats.number(rows), size=formats.number(target.stat().st_size // 1024))
    return 0


def cmd_restore(args, settings: Settings, config: Config) -> int:
    rows = restore(Path(args.path), settings.db_path)
    say("restore_done", source=args.path, path=settings.db_path, rows=formats.number(rows))
    return 0
