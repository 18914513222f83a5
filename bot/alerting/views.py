"""Targets as people read them: a target with its state and catalogue entries (`TargetView`), and
the words for notices, the target board and `targets --json`. Pure apart from rendering templates.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.config import Config
from bot.rendering import charts, media, message, render, terminal
from indicators.catalogue import (
    Areas,
    Catalogue,
    Indicator,
    default_areas,
    default_catalogue,
)
from indicators.periods import parse
from indicators.types import Area
from rules.engine import AT_RISK, BREACHED, NO_DATA, OK, Notice, TargetState
from rules.targets import Target, target_path

STATUS_ORDER = {BREACHED: 0, AT_RISK: 1, NO_DATA: 2, OK: 3}


@dataclass(frozen=True)
class TargetView:
    """One target with its state and the catalogue entries the templates need."""

    target: Target
    state: TargetState
    indicator: Indicator
    area: Area
    compare: Area | None = None
    count_indicator: Indicator | None = None
    # source -> when its table was last read, also unchanged (`Store.table_reads`): the notice's
    # source line says so beside the day the judged figure was fetched
    reads: Mapping[str, str] = field(default_factory=dict)

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
          areas: Areas | None = None, reads: Mapping[str, str] | None = None) -> list[TargetView]:
    catalogue, areas = catalogue or default_catalogue(), areas or default_areas()
    out = []
    for target in targets:
        compare = areas.get(target.compare_area) if target.compare_area else None
        count = catalogue.get(target.count_indicator) if target.count_indicator else None
        out.append(TargetView(target, states[target.id], catalogue.get(target.indicator),
                              areas.get(target.area), compare, count, reads or {}))
    return out


# The notices a reader may act on (acknowledge, snooze): the message says how, per medium.
ACTIONABLE = ("breached", "at_risk", "no_data", "reminder")  # as watch.HAS_LINKS: the Slack buttons too


def notice_content(view: TargetView, notice: Notice, links: Sequence[tuple[str, str]] = (),
                   replies_to_bot: bool = False) -> message.Content:
    """One notice as the message model: the headline, the reason, the forecast, a reminder's
    history, what to do (with the recipient's signed `links`), the source and the eksempeldata mark.
    `replies_to_bot`: a reply to the mail reaches Faktabot's mailbox (ask by email), so the mail
    must not ask for one. Each medium renders it (`bot.rendering.message`)."""
    state = view.state
    texts = [render.macro("_targets.j2", "reason", view, email=True)]
    if state.forecast:
        texts.append(render.macro("_targets.j2", "forecast", view))
    if notice.kind == "reminder":
        texts.append(render.macro("_targets.j2", "reminder", view))
    return message.Content(
        headline=render.macro("_targets.j2", "headline", view, notice), status=state.status,
        sections=(message.paragraphs(*texts),),
        links=tuple(message.Link(label, url) for label, url in links),
        action=(message.ACKNOWLEDGE_NO_REPLY if replies_to_bot else message.ACKNOWLEDGE)
        if notice.kind in ACTIONABLE else "",
        sample_data=state.sample_data, source=render.macro("_targets.j2", "source_line", state, view.reads))


def render_notice(view: TargetView, notice: Notice) -> tuple[str, str]:
    """(subject, the operator's preview) of one notice: the plain text every recipient's medium
    shares, and in place of the Slack button or the mail's links, the command that acknowledges it
    from the terminal where `faktabot alerts` runs."""
    subject = render.render("alert_subject.txt.j2", v=view, n=notice)
    content = notice_content(view, notice)
    preview = media.text(replace(content, action=""))
    if content.action:
        preview += "\n\n" + terminal.messages()["alerts_terminal_action"].format(target=view.target.id)
    return subject, preview


def target_reason(view: TargetView) -> str:
    """Why a target has its status, with its forecast, as plain text (the summary email's board)."""
    return render.render("target_reason.txt.j2", v=view)


def render_board(target_views: Sequence[TargetView], now: datetime, config: Config, *, asked: str = "",
                 total: int = 0, when_met: bool = False, gap: bool = False, as_of: str | None = None,
                 same: bool = False) -> str:
    """The targets' board; `asked` ("behind", "on_track") when only the targets in that state are
    shown, `total` how many there are in all; `when_met` when it was asked when a target was last met;
    `gap` when the gap to each target was asked (it leads each target's entry); `as_of` the past period
    the targets were judged on the figures of (`same`: no target has newer figures, so today's)."""
    ordered = sorted(target_views, key=lambda v: STATUS_ORDER[v.state.status])
    return render.render("targets.txt.j2", views=ordered, now=now, config_name=config.path.name
                         if config.path else "faktabot.toml", asked=asked, total=total, when_met=when_met, gap=gap,
                         as_of=as_of, same=same)


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


def answer_line(view: TargetView, sample_mark: bool = False) -> message.Line:
    """The target's status under an answer about its indicator and area: its name, its status
    and why, for every medium (`bot.asking.content`)."""
    # `sample_mark`: the name says eksempeldata where the target rests on it and the answer does not
    # say so already (its own figure official, the other area's, which the target compares with, synthetic).
    label = render.macro("_targets.j2", "labelled", view) if sample_mark else view.target.name
    return message.Line(target_reason(view), label=label, status=view.state.status)


def target_line(view: TargetView) -> str:
    """The Danish status line an answer about the target's indicator and area shows."""
    return render.render("target_line.txt.j2", v=view)


def goal_path(target: Target, first: str, last: str) -> charts.GoalPath:
    """The target's goal per period between two store periods, for charts (`[("2026-05", 7.0), …]`)."""
    return charts.GoalPath([(str(p), value) for p, value in target_path(target, parse(first), parse(last))],
                           kind=target.kind)
