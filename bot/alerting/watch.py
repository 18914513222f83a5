"""Targets at work: read their series from the store, run the engine, keep the states, deliver notices.

I/O at the edges (store, ledger, channels); the caller passes `now`. The words come from
`bot/alerting/views.py` and its templates; this module evaluates, persists and sends.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from bot.alerting.context import TargetContext, observations_for
from bot.alerting.views import TargetView, notice_content, render_notice, views
from bot.config import Config
from bot.delivery.channels import Channels, is_email, is_teams
from bot.delivery.ledger import Delivery, Ledger
from bot.delivery.sending import send_due
from bot.rendering import media
from indicators.store import Store
from indicators.wording import wording
from rules.engine import (
    AT_RISK,
    BREACHED,
    NO_DATA,
    NOTICE_KINDS,
    OK,
    Acknowledgement,
    Evaluation,
    Notice,
    TargetState,
    evaluate,
)

log = logging.getLogger(__name__)


class AlertError(ValueError):
    """A snooze or acknowledgement the user can fix (unknown target, nothing to acknowledge)."""


def assess_all(store: Store, ledger: Ledger, config: Config, now: datetime) -> Evaluation:
    """Evaluate every configured target against the store and the stored states (no writes)."""
    return evaluate(config.targets, observations_for(store, config.targets), ledger.states(), now)


# --- the alert run -----------------------------------------------------------------------------

@dataclass
class AlertRun:
    """What one `faktabot alerts` did: the notices that fell due and each message's fate."""

    notices: list[tuple[TargetView, Notice, str, str]] = field(default_factory=list)  # view, notice, subject, text
    sent: list[Delivery] = field(default_factory=list)
    failed: list[tuple[Delivery, str]] = field(default_factory=list)
    without_recipients: list[str] = field(default_factory=list)
    waiting: list[Delivery] = field(default_factory=list)  # a dry run: earlier alerts a real run sends again


# (label, url) pairs of one-click links for a target and recipient (`links.Signer.alert_links`).
LinkMaker = Callable[[str, str, datetime], list[tuple[str, str]]]


def run_alerts(store: Store, ledger: Ledger, config: Config, channels: Channels, now: datetime,
               dry_run: bool = False, should_stop: Callable[[], bool] = lambda: False,
               links: LinkMaker | None = None, replies_to_bot: bool = False) -> AlertRun:
    """Evaluate, keep the new states, and send every due notice once to each recipient.

    States and the deliveries rows for new notices are written in one transaction before anything
    is sent, so a crash cannot lose a notice or make one go out twice. A dry run writes nothing.
    With `links`, email and Teams recipients get their own signed one-click links in the message.
    `replies_to_bot`: ask by email reads the mailbox the alerts are sent from, so a reply to an
    alert mail reaches Faktabot, not a person: the mail does not ask for one.
    """
    evaluation = assess_all(store, ledger, config, now)
    reads = store.table_reads(state.source for state in evaluation.states.values())  # for the source lines
    by_id = {v.target.id: v for v in views(config.targets, evaluation.states, reads=reads)}
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
        run.waiting = ledger.due(NOTICE_KINDS)  # failed for the moment, or queued and not yet tried
        return run
    with store.db.atomic():
        ledger.forget_states(keep=set(evaluation.states))  # targets taken out of the config
        ledger.save_states(list(evaluation.states.values()))
        for view, notice, subject, _text in run.notices:
            for recipient in view.target.recipients:
                body, card, content = _for_recipient(view, notice, recipient, links, now, replies_to_bot)
                ledger.queue(key=notice.key, target=view.target.id, kind=notice.kind, recipient=recipient,
                             subject=subject, body=body, sample_data=notice.state.sample_data, now=now, card=card,
                             content=content)
    return deliver_due(store, ledger, config, channels, now, should_stop, run)


def deliver_due(store: Store, ledger: Ledger, config: Config, channels: Channels, now: datetime,
                should_stop: Callable[[], bool] = lambda: False, run: AlertRun | None = None) -> AlertRun:
    """Send the alerts the ledger has due: new ones, and those a channel refused for the moment
    (an SMTP outage, Slack or Teams down). No evaluation: the service retries with this between the
    runs that bring new figures, which may be a month apart."""
    run = run if run is not None else AlertRun()
    sent = send_due(ledger, ledger.due(NOTICE_KINDS), channels, now,  # the summary sends its own rows
                    chart_for=_alert_charts(store, config, channels, now), should_stop=should_stop)
    run.sent.extend(sent.sent)
    run.failed.extend(sent.failed + sent.unknown)  # an unknown outcome is reported with the failures
    return run


def _for_recipient(view: TargetView, notice: Notice, recipient: str, links: LinkMaker | None,
                   now: datetime, replies_to_bot: bool = False) -> tuple[str, dict | None, dict | None]:
    """(text, Teams card, message model) one recipient gets: the notice built once as the message
    model with the recipient's own links (the signature names them, and only where no Slack button
    can do the same), rendered for the recipient's medium. Email renders its text and HTML parts
    from the model at send time; Slack and the outbox take the mrkdwn."""
    reachable = is_email(recipient) or is_teams(recipient)
    actions = links(view.target.id, recipient, now) if links and reachable and notice.kind in HAS_LINKS else []
    content = notice_content(view, notice, actions, replies_to_bot=replies_to_bot and is_email(recipient))
    if is_teams(recipient):
        return media.text(content), media.card(content), None
    if is_email(recipient):
        return media.text(content), None, content.as_dict()
    return media.mrkdwn(content), None, None


def _alert_charts(store: Store, config: Config, channels: Channels, now: datetime):
    """The chart an alert carries where it opens a Slack thread (its target's development with the
    målsti), drawn once per target and run; email and the outbox show no chart, so none is drawn."""
    drawn: dict[str, object] = {}

    def chart_for(delivery: Delivery):
        if channels.slack is None or is_email(delivery.recipient) or delivery.kind not in OPENS_THREAD:
            return None
        target = config.target(delivery.target or "")
        if target is None:
            return None
        if target.id not in drawn:
            drawn[target.id] = TargetContext.load(store, config, now).chart(store, target, now)
        return drawn[target.id]

    return chart_for


OPENS_THREAD = (BREACHED, AT_RISK, NO_DATA)  # the notices that open an alert thread in Slack
HAS_LINKS = (*OPENS_THREAD, "reminder")  # a target someone may acknowledge or snooze


# --- snooze and acknowledge ------------------------------------------------------------------

def _current(store: Store, ledger: Ledger, config: Config, target_id: str, now: datetime) -> TargetState:
    ids = [t.id for t in config.targets]
    if target_id not in ids:
        raise AlertError(wording("alerts_unknown_target", target=target_id, targets=", ".join(ids)))
    stored = ledger.states().get(target_id)
    if stored is not None:
        return stored
    # Never evaluated: take today's state but tell no one yet, so the next run still delivers.
    fresh = assess_all(store, ledger, config, now).states[target_id]
    return replace(fresh, announced=None, notified_at=None, last_notice=None)


def snooze(store: Store, ledger: Ledger, config: Config, target_id: str, until: date,
           now: datetime) -> TargetState:
    if until <= now.date():
        raise AlertError(wording("alerts_until_past", until=until.isoformat()))
    state = replace(_current(store, ledger, config, target_id, now), snoozed_until=until)
    ledger.save_states([state])
    return state


def acknowledge(store: Store, ledger: Ledger, config: Config, target_id: str, note: str,
                now: datetime) -> TargetState:
    note = " ".join(note.split())
    if not note:
        raise AlertError(wording("alerts_note_empty"))
    state = _current(store, ledger, config, target_id, now)
    if state.status == OK:
        raise AlertError(wording("alerts_nothing_to_ack", target=target_id))
    state = replace(state, ack=Acknowledgement(note, now, state.status))
    ledger.save_states([state])
    return state
