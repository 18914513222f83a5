"""Questions in Slack: @mentions (answered in the thread), direct messages and `/faktabot …`.

The answer is `bot.conversation.reply`'s, exactly as `faktabot ask` gives it, laid out in Block Kit,
with the chart uploaded (files_upload_v2) to the same place. A post Slack does not take is recorded
in `slack_posts` and retried by the service (`retry_failed_posts`) for about two hours, then kept
for the operator. I/O: Slack and the store.
"""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError, SlackClientError

from bot import render
from bot.answers import Answer
from bot.conversation import Reply, reply
from bot.slack import blocks, subscriptions
from bot.target_context import TargetContext
from indicators.catalogue import default_areas, default_catalogue

if TYPE_CHECKING:
    from bot.slack.app import SlackBot

log = logging.getLogger("faktabot.slack")

# Errors retrying cannot fix: the bot is not in the channel, the channel is gone, the token is bad.
PERMANENT = frozenset({"channel_not_found", "not_in_channel", "is_archived", "invalid_auth", "account_inactive",
                       "token_revoked", "not_authed", "missing_scope", "invalid_blocks", "msg_too_long",
                       "no_text", "restricted_action", "cannot_dm_bot", "user_not_found"})
_MENTION = re.compile(r"<@[UWB][A-Z0-9]+(?:\|[^>]*)?>")
_SPECIAL = re.compile(r"<(?:[#!][^>]*|(?:https?|mailto):[^>]*)>")
NOT_MEMBER = frozenset({"not_in_channel", "channel_not_found"})
Draw = Callable[[], "bytes | None"]  # draws an answer's chart when called
HELP_WORDS = {"", "hjælp", "hjaelp", "help", "?"}
SUBSCRIPTION_VERBS = {"abonner", "afmeld"}


def question_text(raw: str) -> str:
    """What a person asked, from Slack's message text: mentions, channel links and URLs dropped,
    Slack's &amp; &lt; &gt; turned back into characters (they are escaped again when echoed)."""
    text = _SPECIAL.sub(" ", _MENTION.sub(" ", raw))
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


def answer(bot: SlackBot, text: str, with_chart: bool = True) -> Reply:
    """Answer as `faktabot ask` does: the same targets context, the same clock, and the chart
    `--chart` would draw, drawn in a worker process (bot/slack/rendering.py)."""
    result, draw = answer_now(bot, text)
    return replace(result, chart=draw()) if with_chart else result


def answer_now(bot: SlackBot, text: str) -> tuple[Reply, Draw]:
    """The answer's text now and its chart on demand, so the figure can be posted while the chart
    is still being drawn."""
    store, now = bot.store(), bot.clock()
    context = TargetContext.load(store, bot.config, now)
    result = reply(text, store, bot.config, now.date(), targets=context.for_answer, target_board=context.board)
    if not isinstance(result.result, Answer) or result.result.observation is None:
        return result, lambda: None
    _, path = context.for_answer(result.result.query, result.result)
    return result, lambda: bot.renderer.chart(result, path)


def ask(bot: SlackBot, text: str, *, user: str | None, channel: str) -> tuple[Reply, Draw]:
    """A person's question: the answer (chart on demand), and a line in the query log."""
    started = time.perf_counter()
    result, draw = answer_now(bot, text)
    now = bot.clock()
    data = result.as_json()
    bot.ledger().log_query(at=now, channel=f"slack:{channel}", user=user, text=text, understood=result.understood,
                           intent=data["intent"], indicator=data["indicator"],
                           area=data["area"]["code"] if data["area"] else None, period=data["period"],
                           milliseconds=round((time.perf_counter() - started) * 1000))
    return result, draw


def on_mention(bot: SlackBot, body: dict) -> None:
    event = body["event"]
    answer_in(bot, event["channel"], event.get("thread_ts") or event["ts"], question_text(event.get("text", "")),
              event.get("user"))


def on_direct_message(bot: SlackBot, body: dict) -> None:
    event = body["event"]
    if event.get("subtype") or event.get("bot_id"):
        return  # edits, joins, files and every bot's messages (our own included) are not questions
    answer_in(bot, event["channel"], event.get("thread_ts"), question_text(event.get("text", "")), event.get("user"))


def answer_in(bot: SlackBot, channel: str, thread_ts: str | None, text: str, user: str | None) -> None:
    try:
        result, draw = ask(bot, text, user=user, channel=channel)
    except Exception:
        log.exception("slack: answering %r failed", text)
        post(bot, channel, thread_ts, blocks.word("answer", "failed"), [])
        return
    post_reply(bot, channel, thread_ts, result, draw)


def post_reply(bot: SlackBot, channel: str, thread_ts: str | None, result: Reply, chart: bytes | Draw | None = None,
               not_member: Callable[[], object] | None = None) -> str | None:
    fallback, layout = blocks.answer_message(result)
    return post(bot, channel, thread_ts, fallback, layout, chart=result.chart if chart is None else chart,
                chart_title=blocks.chart_title(result), not_member=not_member)


def post(bot: SlackBot, channel: str, thread_ts: str | None, text: str, layout: list[dict], *,
         chart: bytes | Draw | None = None, chart_title: str | None = None,
         not_member: Callable[[], object] | None = None) -> str | None:
    """Post a message, then its chart (bytes, or drawn now) into the same thread; what fails is
    recorded for a retry (the message and chart together, or the chart alone). Returns the ts."""
    payload = {"channel": channel, "text": text, "blocks": layout, "unfurl_links": False, "unfurl_media": False}
    if thread_ts:
        payload["thread_ts"] = thread_ts
    try:
        ts = bot.client.chat_postMessage(**payload)["ts"]
    except SlackClientError as error:
        reason, permanent = describe(error)
        if not_member is not None and reason in NOT_MEMBER:
            not_member()
            return None
        drawn = chart() if callable(chart) and not permanent else chart
        _record(bot, {"message": payload, "chart_title": chart_title}, drawn or None, reason, permanent)
        return None
    drawn = chart() if callable(chart) else chart
    if drawn:
        _chart(bot, {"channel": channel, "thread_ts": thread_ts, "chart_title": chart_title}, drawn)
    return ts


def post_chart(bot: SlackBot, channel: str, thread_ts: str | None, result: Reply) -> None:
    if result.chart:
        _chart(bot, {"channel": channel, "thread_ts": thread_ts, "chart_title": blocks.chart_title(result)},
               result.chart)


def _chart(bot: SlackBot, where: dict, chart: bytes) -> None:
    try:
        upload_chart(bot, where, chart)
    except SlackClientError as error:
        _record(bot, where, chart, *describe(error))


def upload_chart(bot: SlackBot, where: dict, chart: bytes) -> None:
    title = where.get("chart_title") or "Faktabot"
    bot.client.files_upload_v2(channel=where["channel"], thread_ts=where.get("thread_ts"), file=chart,
                               filename="faktabot.png", title=title, alt_txt=title, request_file_info=False)


def _record(bot: SlackBot, payload: dict, chart: bytes | None, reason: str, permanent: bool) -> None:
    channel = (payload.get("message") or payload)["channel"]
    log.warning("slack: post to %s failed%s: %s", channel, " for good" if permanent else "; will retry", reason)
    if not permanent:
        bot.records().failed_post(channel, payload.get("thread_ts"), payload, chart, reason, bot.clock())


def describe(error: SlackClientError) -> tuple[str, bool]:
    """(what went wrong, whether it is permanent) for a failed Web API call."""
    if isinstance(error, SlackApiError):
        code = str(error.response.get("error", "")) if error.response is not None else ""
        status = error.response.status_code if error.response is not None else 0
        return f"{code or 'HTTP ' + str(status)}", code in PERMANENT
    return str(error) or type(error).__name__, False


def retry_failed_posts(bot: SlackBot) -> int:
    """Send again what Slack did not take before; returns how many went through."""
    records, sent = bot.records(), 0
    for failed in records.posts_to_retry(bot.clock()):
        try:
            message = failed.payload.get("message")
            if message is not None:
                bot.client.chat_postMessage(**message)
                if failed.chart:
                    where = {"channel": message["channel"], "thread_ts": message.get("thread_ts"),
                             "chart_title": failed.payload.get("chart_title")}
                    try:
                        upload_chart(bot, where, failed.chart)
                    except SlackClientError as error:  # the message is out: only the chart is left
                        records.failed_post(message["channel"], where["thread_ts"], where, failed.chart,
                                            describe(error)[0], bot.clock())
            elif failed.chart:
                upload_chart(bot, failed.payload, failed.chart)
        except SlackClientError as error:
            reason, permanent = describe(error)
            records.retried(failed.id, reason, bot.clock(), permanent=permanent)
            continue
        records.retried(failed.id, None, bot.clock())
        sent += 1
    return sent


# --- /faktabot --------------------------------------------------------------------------------

def on_command(bot: SlackBot, ack: Callable[..., object], command: dict, respond: Callable[..., object]) -> None:
    """`/faktabot hjælp` answers in the acknowledgement (only to the asker); a question or a
    subscription is acknowledged `in_channel` (the channel sees the command) and answered after."""
    text = question_text(command.get("text", ""))
    first, _, rest = text.partition(" ")
    verb = first.casefold()
    if verb in HELP_WORDS:
        area = default_areas().get(bot.config.area)
        help_text = render.render("slack_help.txt.j2", count=len(default_catalogue()), area=area)
        ack(text=blocks.neutralise(help_text), blocks=blocks.sections(help_text))
        return
    if verb in SUBSCRIPTION_VERBS and not rest:
        ack(text=blocks.word("subscription", "usage"))
        return
    ack(response_type="in_channel")
    channel, user = command["channel_id"], command.get("user_id")
    if verb in SUBSCRIPTION_VERBS:
        bot.later("subscription", subscriptions.on_command, bot, verb, rest, channel, respond)
    else:
        bot.later("command", _answer_command, bot, channel, text, user, respond)


def _answer_command(bot: SlackBot, channel: str, text: str, user: str | None, respond: Callable[..., object]) -> None:
    result, draw = ask(bot, text, user=user, channel=channel)

    def only_to_the_asker() -> None:
        # Not a member (a private channel, a DM with someone else): the response URL still works,
        # for the asker only and without the chart (uploads need membership).
        fallback, layout = blocks.answer_message(result)
        respond(text=fallback, blocks=layout + [blocks.context(blocks.word("answer", "not_in_channel"))],
                response_type="ephemeral")

    post_reply(bot, channel, None, result, draw, not_member=only_to_the_asker)
