"""The service's health, for `/health`, `faktabot status --check` and `status --json`.

One assessment, three readers: the scheduler's heartbeat (a file beside the store that the running
service rewrites every `HEARTBEAT_SECONDS`), the store (opens, schema ok), the last refresh per
source against its schedule, and deliveries that did not go out. Levels follow Nagios: 0 ok,
1 warning, 2 critical. I/O: reads the store and the heartbeat file.
"""
from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from bot.delivery.ledger import Ledger
from bot.slack.records import SlackRecords
from indicators.refresh import FILES, source_status
from indicators.store import Store, StoreError

OK, WARNING, CRITICAL = 0, 1, 2
LEVELS = {OK: "ok", WARNING: "warning", CRITICAL: "critical"}
HEARTBEAT_SECONDS = 30
# A heartbeat older than this means the scheduler thread is stuck, or the process is gone.
HEARTBEAT_LATE = timedelta(minutes=5)
# A message still waiting for a retry this long after it was queued has missed more than one
# scheduled run (alerts and the summary run daily): an outage worth a look, not a blip.
RETRY_LATE = timedelta(hours=24)


class Heartbeat:
    """`<store>.heartbeat`: the time of the scheduler's last beat, ISO 8601, rewritten atomically."""

    def __init__(self, store_path: Path):
        self.path = store_path.with_name(store_path.name + ".heartbeat")

    def beat(self, now: datetime) -> None:
        partial = self.path.with_name(self.path.name + ".tmp")
        partial.write_text(now.isoformat(timespec="seconds"), encoding="utf-8")
        os.replace(partial, self.path)  # readers never see half a timestamp

    def last(self) -> datetime | None:
        try:
            return datetime.fromisoformat(self.path.read_text(encoding="utf-8").strip())
        except (OSError, ValueError):
            return None

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


@dataclass(frozen=True)
class Finding:
    """One thing worth an operator's attention: its level, a stable code and the detail."""

    level: int
    code: str  # service_down, heartbeat_late, store, refresh_overdue, refresh_failed, stale, never, delivery_failed,
    # delivery_waiting, slack_failed, unusable
    subject: str
    detail: str = ""


@dataclass(frozen=True)
class Report:
    level: int
    running: bool
    pid: str | None
    heartbeat: str | None
    store_ok: bool
    sources: list[dict] = field(default_factory=list)
    failed_deliveries: int = 0
    waiting_deliveries: int = 0  # failed for the moment, due again at the next run
    findings: list[Finding] = field(default_factory=list)

    @property
    def status(self) -> str:
        return LEVELS[self.level]

    def as_json(self) -> dict:
        data = asdict(self)
        data["status"] = self.status
        return data


def assess(store_path: Path, now: datetime, *, running_pid: str | None, heartbeat: datetime | None,
           intervals: Mapping[str, timedelta]) -> Report:
    """Everything `status --check` and `/health` report, at `now`. `intervals` holds, per source the
    service refreshes, the longest gap of its schedule: no successful refresh for twice that is critical."""
    findings: list[Finding] = []
    if running_pid is None:
        findings.append(Finding(CRITICAL, "service_down", "faktabot run"))
    elif heartbeat is None or now - heartbeat > HEARTBEAT_LATE:
        findings.append(Finding(CRITICAL, "heartbeat_late", "scheduler",
                                heartbeat.isoformat(timespec="seconds") if heartbeat else ""))
    sources: list[dict] = []
    failed = slack_failed = 0
    waiting: list = []
    store_ok = True
    try:
        with Store(store_path) as store:
            statuses = source_status(store, now)
            ledger = Ledger(store.db)
            failed = len(ledger.failed_deliveries())
            waiting = ledger.retrying_deliveries()
            slack_failed = SlackRecords(store.db, migrate=False).given_up()
    except StoreError as error:
        store_ok, statuses = False, []
        findings.append(Finding(CRITICAL, "store", str(store_path), str(error)))
    for status in statuses:
        sources.append({"source": status.source, "rows": status.rows, "newest": status.newest,
                        "last_ok": status.last_ok, "last_status": status.last_status, "stale": status.stale})
        if status.source == FILES:  # the kommune's files, one source: the latest and the newest refused
            failure = status.last_failure
            sources[-1] |= {"latest_file": status.latest_file, "last_failure": failure and dict(
                zip(("file", "at", "error"), failure, strict=True))}
        interval = intervals.get(status.source)
        if interval is None:
            continue  # eksempeldata, files, or a source this service does not refresh
        last_ok = datetime.fromisoformat(status.last_ok) if status.last_ok else None
        if last_ok is not None and now - last_ok > 2 * interval:
            findings.append(Finding(CRITICAL, "refresh_overdue", status.source, status.last_ok or ""))
        elif status.never_refreshed:
            findings.append(Finding(WARNING, "never", status.source))
        elif status.stale:
            findings.append(Finding(WARNING, "stale", status.source, status.last_ok or ""))
        if status.last_status == "failed":
            findings.append(Finding(WARNING, "refresh_failed", status.source, status.last_error or ""))
    if failed:
        findings.append(Finding(WARNING, "delivery_failed", "deliveries", str(failed)))
    late = [d for d in waiting if datetime.fromisoformat(d.created_at) <= now - RETRY_LATE]
    if late:  # named, so the operator knows whose mail is held up before `faktabot status`
        findings.append(Finding(WARNING, "delivery_waiting", "deliveries",
                                ", ".join(f"{d.recipient} ({d.key})" for d in late)))
    if slack_failed:  # answers and charts Slack refused for good: `faktabot status` says what to do
        findings.append(Finding(WARNING, "slack_failed", "slack_posts", str(slack_failed)))
    return Report(level=max((f.level for f in findings), default=OK), running=running_pid is not None,
                  pid=running_pid, heartbeat=heartbeat.isoformat(timespec="seconds") if heartbeat else None,
                  store_ok=store_ok, sources=sources, failed_deliveries=failed,
                  waiting_deliveries=len(waiting), findings=findings)


def health(store_path: Path, now: datetime, *, heartbeat: Heartbeat, intervals: Mapping[str, timedelta],
           pid: str | None = None) -> tuple[int, dict]:
    """`GET /health` from inside the running service: 200 while the scheduler beats and the store
    opens, 503 when either fails. Stale or failed sources are reported in the body, not as a 503:
    restarting the service would not bring a source back, so a supervisor should not try."""
    report = assess(store_path, now, running_pid=pid or str(os.getpid()), heartbeat=heartbeat.last(),
                    intervals=intervals)
    alive = not any(f.code in ("heartbeat_late", "store", "service_down") for f in report.findings)
    return (200 if alive else 503), report.as_json()


def longest_gap(fire_times: Iterable[datetime]) -> timedelta:
    """The longest time between consecutive fire times (a mon-fri schedule: Friday to Monday)."""
    times = sorted(fire_times)
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    return max(gaps, default=timedelta(days=1))
