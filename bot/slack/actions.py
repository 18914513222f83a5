"""Alert buttons, the acknowledgement modal and the App Home board.

Snooze (a week, a month) and acknowledge go through `bot.alerts` as `faktabot alerts --snooze/--ack`
do, then the alert message is updated to show it; "Vis udviklingen" answers "udvikling i …" in the
alert's thread. I/O: Slack and the store.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from slack_sdk import WebClient

from bot.alerting import watch
from bot.alerting.context import TargetContext
from bot.alerting.views import STATUS_ORDER
from bot.alerting.watch import AlertError
from bot.asking.conversation import development_question
from bot.rendering import formats, render
from bot.slack import answering, blocks, posting
from bot.slack.app import SlackBot

log = logging.getLogger("faktabot.slack")


def _where(body: dict) -> tuple[str | None, str | None]:
    """The channel and ts of the message whose button was clicked."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    return channel, container.get("message_ts") or (body.get("message") or {}).get("ts")


def _target_name(bot: SlackBot, target_id: str) -> str | None:
    target = bot.config.target(target_id)
    return target.name if target else None


def on_snooze(bot: SlackBot, body: dict, days: int) -> None:
    target, user = body["actions"][0]["value"], body["user"]["id"]
    channel, ts = _where(body)
    now = bot.clock()
    try:
        state = watch.snooze(bot.store(), bot.ledger(), bot.config, target, now.date() + timedelta(days=days), now)
    except AlertError:
        _tell(bot, channel, ts, blocks.word("alert", "unknown_target", target=target))
        return
    line = blocks.word("alert", "snoozed", user=user, until=formats.day(state.snoozed_until))
    update_alert(bot, channel, ts, target, line, body)


def on_acknowledge_clicked(bot: SlackBot, ack: Callable[..., object], body: dict, client: WebClient) -> None:
    ack()
    # The modal must open within 3 s of the click (trigger_id): on the notice thread, which never
    # waits behind the answers, and after the ack, which must not wait for the Web API.
    bot.soon("acknowledge modal", _open_modal, bot, body, client)


def _open_modal(bot: SlackBot, body: dict, client: WebClient) -> None:
    target = body["actions"][0]["value"]
    channel, ts = _where(body)
    name = _target_name(bot, target) or target
    client.views_open(trigger_id=body["trigger_id"], view=blocks.acknowledge_modal(target, name, channel, ts))


def on_note_submitted(bot: SlackBot, ack: Callable[..., object], body: dict, view: dict) -> None:
    note = " ".join(str(view["state"]["values"][blocks.NOTE_BLOCK][blocks.NOTE_INPUT].get("value") or "").split())
    if not note:
        ack(response_action="errors", errors={blocks.NOTE_BLOCK: blocks.word("modal", "empty")})
        return
    ack()
    bot.later("acknowledge", _acknowledge, bot, json.loads(view.get("private_metadata") or "{}"), note,
              body["user"]["id"])


def _acknowledge(bot: SlackBot, where: dict, note: str, user: str) -> None:
    target, channel, ts = where.get("target"), where.get("channel"), where.get("ts")
    now = bot.clock()
    try:
        state = watch.acknowledge(bot.store(), bot.ledger(), bot.config, str(target), note, now)
    except AlertError as error:
        log.info("slack: acknowledgement of %s refused: %s", target, error)
        name = _target_name(bot, str(target))
        text = (blocks.word("alert", "unknown_target", target=target) if name is None
                else blocks.word("alert", "nothing_to_acknowledge", name=name))
        _tell(bot, channel, ts, text)
        return
    line = blocks.word("alert", "acknowledged", user=user, day=formats.day(now), note=state.ack.note)
    update_alert(bot, channel, ts, str(target), line, None)
    _tell(bot, channel, ts, line)  # the note stays in the thread's history when the status changes


def update_alert(bot: SlackBot, channel: str | None, ts: str | None, target: str, line: str,
                 body: dict | None) -> None:
    """Show `line` on the alert message itself (chat.update), keeping its text and buttons."""
    if not channel or not ts:
        return
    records = bot.records()
    post = records.alert_post_at(channel, ts)
    text = post.text if post else ((body or {}).get("message") or {}).get("text", "")
    records.set_status_line(channel, ts, line)
    fallback, layout = blocks.alert_message(text, target, status_line=line)
    try:
        bot.client.chat_update(channel=channel, ts=ts, text=fallback, blocks=layout)
    except posting.FAILURES as error:
        log.warning("slack: could not update the alert %s in %s: %s", ts, channel, posting.explain(error))


def _tell(bot: SlackBot, channel: str | None, ts: str | None, text: str) -> None:
    if channel:
        posting.post(bot, channel, ts, text, blocks.sections(text))


def on_development(bot: SlackBot, body: dict) -> None:
    """"Vis udviklingen": the answer to »udvikling i <indikator> <område>« in the alert's thread."""
    target_id = body["actions"][0]["value"]
    channel, ts = _where(body)
    target = bot.config.target(target_id)
    if target is None or channel is None:
        _tell(bot, channel, ts, blocks.word("alert", "unknown_target", target=target_id))
        return
    # In the alert's thread's conversation: »og i Albertslund?« there goes on from the development.
    result, draw = answering.ask(bot, development_question(target.indicator, target.area),
                                 user=body["user"]["id"], channel=channel, conversation=(channel, ts))
    posting.post_reply(bot, channel, ts, result, draw)


# --- App Home ----------------------------------------------------------------------------------

def on_home_opened(bot: SlackBot, body: dict) -> None:
    event = body["event"]
    if event.get("tab", "home") != "home":
        return
    bot.records().home_opened(event["user"], bot.clock())
    publish_home(bot, [event["user"]])


def publish_home(bot: SlackBot, users: list[str]) -> int:
    """The target board to each user's App Home; returns how many took it."""
    if not users:
        return 0
    view = home_view(bot, bot.clock())
    published = 0
    for user in users:
        try:
            bot.client.views_publish(user_id=user, view=view)
            published += 1
        except posting.FAILURES as error:
            log.warning("slack: App Home for %s not published: %s", user, posting.explain(error))
    return published


def home_view(bot: SlackBot, now: datetime) -> dict:
    store = bot.store()
    context = TargetContext.load(store, bot.config, now)
    texts = []
    for view in sorted(context.views, key=lambda v: STATUS_ORDER[v.state.status]):
        target = view.target
        series = [o for o in store.series(target.indicator, target.area, target.breakdown, kind=target.frequency)
                  if o.value is not None]
        newest = series[-1] if series else None
        previous = series[-2] if len(series) > 1 else None
        better = None
        if newest and previous and newest.value != previous.value and target.better in ("lower", "higher"):
            better = (newest.value < previous.value) == (target.better == "lower")
        texts.append(render.render("slack_home_target.txt.j2", v=view, newest=newest, previous=previous,
                                   better=better))
    updated = blocks.word("home", "updated", day=formats.day(now), time=now.strftime("%H:%M"))
    return blocks.home_view(texts, updated)
