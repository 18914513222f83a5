"""Targets at work: read their series from the store, run the engine, keep the states, deliver notices.

I/O at the edges (store, ledger, channels); the caller passes `now`. The words come from
`templates/alert*.j2` and `templates/targets.txt.j2`; this module hands them data.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from bot import render
from bot.channels import Channels
from bot.config import Config
from bot.delivery import send_due
from bot.ledger import Delivery, Ledger
from indicators.catalogue import Areas, Catalogue, Indicator, default_areas, default_catalogue
from indicators.periods import parse
from indicators.store import Store
from indicators.types import Area, Observation
from rules.engine import (
    AT_RISK, BREACHED, NO_DATA, NOTICE_KINDS, OK, Acknowledgement, Evaluation, Notice, TargetState, evaluate,
)
from rules.targets import Target, target_path

STATUS_ORDER = {BREACHED: 0, AT_RISK: 1, NO_DATA: 2, OK: 3}
log = logging.getLogger(__name__)


class AlertError(ValueError):
    """A snooze or acknowledgement the user can fix (unknown target, nothing to acknowledge)."""


@dataclass(frozen=True)
class TargetView:
    """One target with its state and the catalogue entries the templates need."""

    target: Target
    state: TargetState
    indicator: Indicator
    area: Area
    compare: Area | None = None
    count_indicator: Indicator | None = None

    @property
    def run_start(self) -> str | None:
        """The first period of the current run past the line (`hver måned siden …`)."""
        if not self.state.period or not self.state.reason.periods:
            return None
        return str(parse(self.state.period).shift(1 - self.state.reason.periods))

    @property
    def last_year_period(self) -> str | None:
        return str(parse(self.state.period).same_period_last_year()) if self.state.period else None

    @property
    def end_is_year_end(self) -> bool:
        forecast = self.state.forecast
        if forecast is None:
            return False
        period = parse(forecast.period)
        return period.start_month + period.length - 1 == 12

    @property
    def snoozed(self) -> bool:
        return self.state.snoozed_until is not None


def views(targets: Sequence[Target], states: dict[str, TargetState], catalogue: Catalogue | None = None,
          areas: Areas | None = None) -> list[TargetView]:
    catalogue, areas = catalogue or default_catalogue(), areas or default_areas()
    out = []
    for target in targets:
        compare = areas.get(target.compare_area) if target.compare_area else None
        count = catalogue.get(target.count_indicator) if target.count_indicator else None
        out.append(TargetView(target, states[target.id], catalogue.get(target.indicator),
                              areas.get(target.area), compare, count))
    return out


def observations_for(store: Store, targets: Sequence[Target]) -> list[Observation]:
    """Only the series the targets read: own, the other area's and the count behind a rate."""
    wanted: set[tuple[str, str, str, str]] = set()
    for t in targets:
        wanted.add((t.indicator, t.area, t.breakdown, t.frequency))
        if t.compare_area:
            wanted.add((t.indicator, t.compare_area, t.breakdown, t.frequency))
        if t.count_indicator and t.count_indicator != t.indicator:
            wanted.add((t.count_indicator, t.area, t.breakdown, t.frequency))
    return [o for key in sorted(wanted) for o in store.series(key[0], key[1], key[2], kind=key[3])]


def assess_all(store: Store, ledger: Ledger, config: Config, now: datetime) -> Evaluation:
    """Evaluate every configured target against the store and the stored states (no writes)."""
    return evaluate(config.targets, observations_for(store, config.targets), ledger.states(), now)


# --- rendering -----------------------------------------------------------------------------------

def render_notice(view: TargetView, notice: Notice) -> tuple[str, str]:
    """(subject, Slack mrkdwn text) of one notice."""
    subject = render.render("alert_subject.txt.j2", v=view, n=notice)
    return subject, render.render("alert.txt.j2", v=view, n=notice)


def render_board(target_views: Sequence[TargetView], now: datetime, config: Config) -> str:
    ordered = sorted(target_views, key=lambda v: STATUS_ORDER[v.state.status])
    return render.render("targets.txt.j2", views=ordered, now=now, config_name=config.path.name
                         if config.path else "faktabot.toml")


def as_json(view: TargetView) -> dict:
    """One target in `faktabot targets --json` (contract in DESIGN.md, plus forecast and details)."""
    state, target = view.state, view.target
    forecast = None
    if state.forecast is not None:
        forecast = {**state.forecast.as_dict(), "text": render.render("forecast.txt.j2", v=view)}
    return {
        "target": target.id,
        "name": target.name,
        "indicator": target.indicator,
        "area": {"code": view.area.code, "name": view.area.name},
        "kind": target.kind,
        "status": state.status,
        "period": state.period,
        "actual": state.actual,
        "expected": state.expected,
        "reason": render.render("reason.txt.j2", v=view),
        "reason_data": state.reason.as_dict(),
        "forecast": forecast,
        "since": state.since.isoformat(timespec="seconds"),
        "sample_data": state.sample_data,
        "snoozed_until": state.snoozed_until.isoformat() if state.snoozed_until else None,
        "acknowledged": {"note": state.ack.note, "at": state.ack.at.isoformat(timespec="seconds")}
        if state.ack else None,
        "recipients": list(target.recipients),
    }


# --- the alert run -----------------------------------------------------------------------------

@dataclass
class AlertRun:
    """What one `faktabot alerts` did: the notices that fell due and each message's fate."""

    notices: list[tuple[TargetView, Notice, str, str]] = field(default_factory=list)  # view, notice, subject, text
    sent: list[Delivery] = field(default_factory=list)
    failed: list[tuple[Delivery, str]] = field(default_factory=list)
    without_recipients: list[str] = field(default_factory=list)


def run_alerts(store: Store, ledger: Ledger, config: Config, channels: Channels, now: datetime,
               dry_run: bool = False) -> AlertRun:
    """Evaluate, keep the new states, and send every due notice once to each recipient.

    States and the deliveries rows for new notices are written in one transaction before anything
    is sent, so a crash cannot lose a notice or make one go out twice. A dry run writes nothing.
    """
    evaluation = assess_all(store, ledger, config, now)
    by_id = {v.target.id: v for v in views(config.targets, evaluation.states)}
    for change in evaluation.transitions:
        log.info("target %s: %s -> %s (%s)", change.target, change.old or "new", change.new, change.period)
    for notice in evaluation.notices:
        log.info("target %s: notify %s (%s)", notice.target, notice.kind, notice.why)
    run = AlertRun()
    for notice in evaluation.notices:
        view = by_id[notice.target]
        subject, text = render_notice(view, notice)
        run.notices.append((view, notice, subject, text))
        if not view.target.recipients:
            run.without_recipients.append(view.target.id)
    if dry_run:
        return run
    with store.db.atomic():
        ledger.forget_states(keep=set(evaluation.states))  # targets taken out of the config
        ledger.save_states(list(evaluation.states.values()))
        for view, notice, subject, text in run.notices:
            for recipient in view.target.recipients:
                ledger.queue(key=notice.key, target=view.target.id, kind=notice.kind, recipient=recipient,
                             subject=subject, body=text, sample_data=notice.state.sample_data, now=now)
    sent = send_due(ledger, ledger.due(NOTICE_KINDS), channels, now)  # the summary sends its own rows
    run.sent.extend(sent.sent)
    run.failed.extend(sent.failed)
    return run


# --- snooze and acknowledge ------------------------------------------------------------------

def _current(store: Store, ledger: Ledger, config: Config, target_id: str, now: datetime) -> TargetState:
    ids = [t.id for t in config.targets]
    if target_id not in ids:
        raise AlertError(f"unknown target {target_id!r}; the targets in the config are: {', '.join(ids)}")
    stored = ledger.states().get(target_id)
    if stored is not None:
        return stored
    # Never evaluated: take today's state but tell no one yet, so the next run still delivers.
    fresh = assess_all(store, ledger, config, now).states[target_id]
    return replace(fresh, announced=None, notified_at=None, last_notice=None)


def snooze(store: Store, ledger: Ledger, config: Config, target_id: str, until: date,
           now: datetime) -> TargetState:
    if until <= now.date():
        raise AlertError(f"--until {until.isoformat()} is not in the future; give a later date (YYYY-MM-DD)")
    state = replace(_current(store, ledger, config, target_id, now), snoozed_until=until)
    ledger.save_states([state])
    return state


def acknowledge(store: Store, ledger: Ledger, config: Config, target_id: str, note: str,
                now: datetime) -> TargetState:
    note = " ".join(note.split())
    if not note:
        raise AlertError("--note is empty; write what is being done, e.g. --note \"Handleplan i udvalget 3. dec.\"")
    state = _current(store, ledger, config, target_id, now)
    if state.status == OK:
        raise AlertError(f"target {target_id!r} is on track (ok); there is nothing to acknowledge")
    state = replace(state, ack=Acknowledgement(note, now, state.status))
    ledger.save_states([state])
    return state


# --- for answers and charts (issue 4's hooks) ------------------------------------------------

def target_line(view: TargetView) -> str:
    """The Danish status line an answer about the target's indicator and area shows."""
    return render.render("target_line.txt.j2", v=view)


def goal_path(target: Target, first: str, last: str) -> list[tuple[str, float]]:
    """The target's goal per period between two store periods, for charts (`[("2026-05", 7.0), …]`)."""
    return [(str(p), value) for p, value in target_path(target, parse(first), parse(last))]
