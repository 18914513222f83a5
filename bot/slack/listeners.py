"""The Bolt app: the safety middleware and every listener, on a `SlackBot`.

Listeners only acknowledge (well within Slack's 3 s) and hand the slow work — the store, charts,
Web API calls — to the bot's worker pool (`SlackBot.later`). The middleware answers only the
configured workspace, channels and users, and each Slack event once.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App, BoltResponse

from bot.slack import actions, blocks, questions
from bot.slack.app import SlackBot

log = logging.getLogger("faktabot.slack")
COMMAND = "/faktabot"
# Slack ids: channels (C), private channels and group DMs (G), DMs (D).
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]+$")


def build_app(bot: SlackBot) -> App:
    """The Bolt app for the bot's settings (token, signing secret or Socket Mode, API base URL) and config,
    with the safety middleware and every listener."""
    settings = bot.settings
    app = App(
        client=bot.client,
        name="faktabot",
        logger=logging.getLogger("faktabot.slack.bolt"),
        signing_secret=settings.slack_signing_secret or "",
        # Socket Mode needs no signing secret: Slack authenticates the websocket instead.
        request_verification_enabled=not settings.socket_mode,
        token_verification_enabled=True,  # auth.test at start: a wrong token fails at once
        listener_executor=ThreadPoolExecutor(max_workers=10, thread_name_prefix="slack-ack"),
        # Every listener only acknowledges and queues (or, for a modal, hands over): run it on the
        # request's own thread, not on the executor while Bolt polls for the ack every 10 ms.
        process_before_response=True,
    )
    app.middleware(lambda body, next: _guard(bot, body, next))
    app.event("app_mention")(_acked(bot, "mention", questions.on_mention))
    app.event("message", matchers=[lambda event: event.get("channel_type") == "im"])(
        _acked(bot, "direct message", questions.on_direct_message))
    app.event("message")(lambda ack: ack())  # other messages (edits, channels) need no answer
    app.event("app_home_opened")(_acked(bot, "home", actions.on_home_opened))
    app.command(COMMAND)(lambda ack, command, respond: questions.on_command(bot, ack, command, respond))
    app.action(blocks.SNOOZE_WEEK)(_acked(bot, "snooze", actions.on_snooze, 7))
    app.action(blocks.SNOOZE_MONTH)(_acked(bot, "snooze", actions.on_snooze, 30))
    # The modal must open within 3 s of the click (trigger_id): not queued behind the answers.
    app.action(blocks.ACKNOWLEDGE)(
        lambda ack, body, client: actions.on_acknowledge_clicked(bot, ack, body, client))
    app.view(blocks.ACK_VIEW)(lambda ack, body, view: actions.on_note_submitted(bot, ack, body, view))
    app.action(blocks.DEVELOPMENT)(_acked(bot, "development", actions.on_development))
    app.error(lambda error, body: log.error("slack: listener failed: %s", error, exc_info=error))
    return app

def _acked(bot: SlackBot, name: str, work: Callable[..., object], *extra: object) -> Callable[..., None]:
    """A listener that acknowledges at once and leaves `work(bot, body, *extra)` to the pool: no
    store, no rendering, no Web API call before the ack. An event Slack already delivered (a
    retry or a replay, by `event_id`, remembered across restarts) is dropped by the worker."""

    def listener(ack: Callable[..., object], body: dict) -> None:
        ack()
        bot.later(name, _once, bot, body, work, *extra, busy=questions.busy_note(bot, body))

    return listener


def _once(bot: SlackBot, body: dict, work: Callable[..., object], *extra: object) -> None:
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    if event_id and not bot.first_time(str(event_id)):
        log.info("slack: event %s already handled; dropped", event_id)
        return
    work(bot, body, *extra)

def _guard(bot: SlackBot, body: dict, next: Callable[[], BoltResponse]) -> BoltResponse | None:
    """Before any listener: the configured workspace, channels and users only (a refusal is a
    200 — a middleware that skipped next() would make Bolt answer 404). Nothing here touches the
    store: repeated events are dropped after the ack, by the worker (`_once`)."""
    refusal = _refusal(bot, body)
    if refusal is not None:
        return refusal
    return next()

def _refusal(bot: SlackBot, body: dict) -> BoltResponse | None:
    team = bot.settings.slack_team_id
    teams = _teams(body)
    if team and any(t != team for t in teams):
        log.warning("slack: request from workspace %s refused (SLACK_TEAM_ID is %s)", ",".join(sorted(teams)), team)
        return _refused(body, blocks.word("refused", "workspace"))
    user, channel = _user(body), _channel(body)
    if bot.allowed_users and user and user not in bot.allowed_users:
        log.warning("slack: user %s is not in faktabot.toml [slack] users; ignored", user)
        return _refused(body, "")
    if bot.allowed_channels and channel and not channel.startswith("D") and channel not in bot.allowed_channels:
        log.warning("slack: channel %s is not in faktabot.toml [slack] channels; ignored", channel)
        return _refused(body, "")
    return None


def _refused(body: dict, text: str) -> BoltResponse:
    # A slash command shows the body to the user who typed it; events and actions want an empty 200.
    if body.get("command") and text:
        return BoltResponse(status=200, body=text)
    return BoltResponse(status=200, body="")


def _teams(body: dict) -> set[str]:
    """Every workspace a request names: the app's, the user's (Slack Connect), the event's."""
    found = {body.get("team_id"), body.get("user", {}).get("team_id") if isinstance(body.get("user"), dict) else None}
    if isinstance(body.get("team"), dict):
        found.add(body["team"].get("id"))
    event = body.get("event") or {}
    found.update({event.get("team"), event.get("user_team")})
    return {t for t in found if t}


def _user(body: dict) -> str | None:
    if isinstance(body.get("user"), dict):
        return body["user"].get("id")
    event = body.get("event") or {}
    # An edit (message_changed) names its author only in the message as it now is.
    edited = event.get("message") if isinstance(event.get("message"), dict) else {}
    return body.get("user_id") or event.get("user") or edited.get("user")


def _channel(body: dict) -> str | None:
    channel = body.get("channel_id") or (body.get("event") or {}).get("channel")
    if channel is None and isinstance(body.get("channel"), dict):
        channel = body["channel"].get("id")
    return channel if isinstance(channel, str) and _CHANNEL_ID.match(channel) else None
