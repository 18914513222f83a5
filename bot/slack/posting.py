"""Posting to Slack: messages and their charts (files_upload_v2, or a chart the channel already has
shown again from its file), with what Slack did not take
recorded in `slack_posts` and retried by the service (`retry_failed_posts`) for about two hours,
then kept for the operator. The Web API transport of the Slack side. I/O: Slack and the store.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.asking.conversation import Reply
from bot.slack import blocks
from bot.slack.app import SlackBot, unconfirmed
from indicators.wording import wording

log = logging.getLogger("faktabot.slack")

# Errors retrying cannot fix: the bot is not in the channel, the channel is gone, the token is bad.
PERMANENT = frozenset({"channel_not_found", "not_in_channel", "is_archived", "invalid_auth", "account_inactive",
                       "token_revoked", "not_authed", "missing_scope", "invalid_blocks", "msg_too_long",
                       "no_text", "restricted_action", "cannot_dm_bot", "user_not_found"})
NOT_MEMBER = frozenset({"not_in_channel", "channel_not_found"})
# What the operator does about an error (messages.toml [errors]): the Slack admin's fixes.
FIXES = {"not_in_channel": "slack_fix_not_in_channel", "channel_not_found": "slack_fix_channel_not_found",
         "is_archived": "slack_fix_is_archived", "missing_scope": "slack_fix_missing_scope",
         "invalid_auth": "slack_fix_token", "not_authed": "slack_fix_token", "token_revoked": "slack_fix_token",
         "token_expired": "slack_fix_token", "account_inactive": "slack_fix_token"}
Draw = Callable[[], "bytes | None"]  # draws an answer's chart when called
# What a Web API call can raise: Slack's answer, or the network's (slack_sdk re-raises a timeout, a
# refused or dropped connection as it is, once its own retries are spent). Both are recorded.
FAILURES = (SlackClientError, OSError)
Failure = SlackClientError | OSError
# The bot token's scopes the code uses, each for its calls; slack-manifest.yml asks for these and no more.
SCOPES = (
    "app_mentions:read",  # app_mention events: questions in channels
    "im:history",  # message.im events: questions in DMs; conversations.history/replies: did a lost answer land?
    "chat:write",  # chat.postMessage, chat.update
    "commands",  # /faktabot
    "files:write",  # files.getUploadURLExternal, files.completeUploadExternal: charts
    "channels:read",  # conversations.list: "#kanal" recipients
    "groups:read",  # conversations.list: private channels the bot is in
    "im:write",  # conversations.open: "@U…" recipients
)


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
    # Slack's clock, in its ts spelling, a margin before this post: where a lost answer may be found.
    after = f"{time.time() - LANDED_MARGIN:.6f}"
    try:
        ts = bot.client.chat_postMessage(**payload)["ts"]
    except FAILURES as error:
        reason, permanent = describe(error)
        if not_member is not None and reason in NOT_MEMBER:
            not_member()
            return None
        drawn = chart() if callable(chart) and not permanent else chart
        record = {"message": payload, "chart_title": chart_title}
        if unconfirmed(error):  # Slack may have posted it: the retry looks first (`_landed`)
            record["unconfirmed_after"] = after
        _record(bot, record, drawn or None, error)
        return None
    where = {"channel": channel, "thread_ts": thread_ts, "chart_title": chart_title}
    if callable(chart):
        # The text is out; the chart (drawn in a chart process, or read from the cache) follows on
        # the chart thread, so this answer worker is free for the next question's text.
        bot.chart_later(_draw_and_upload, bot, where, chart)
    elif chart:
        _chart(bot, where, chart)
    return ts


def _draw_and_upload(bot: SlackBot, where: dict, draw: Draw) -> None:
    drawn = draw()
    if drawn:
        _chart(bot, where, drawn)


def post_chart(bot: SlackBot, channel: str, thread_ts: str | None, chart: bytes, title: str) -> None:
    """Upload a chart into a thread; a failed upload is recorded and retried on its own."""
    _chart(bot, {"channel": channel, "thread_ts": thread_ts, "chart_title": title}, chart)


def _chart(bot: SlackBot, where: dict, chart: bytes) -> None:
    try:
        upload_chart(bot, where, chart)
    except FAILURES as error:
        _record(bot, where, chart, error)
        if describe(error)[1]:
            _chart_refused(bot, where)


def _chart_refused(bot: SlackBot, where: dict) -> None:
    """Tell the thread that its chart will not come (no retry can bring it): the readers see why
    nothing follows the figure, and who can fix it."""
    text = blocks.word("answer", "chart_failed")
    payload = {"channel": where["channel"], "text": text, "blocks": [blocks.context(text)]}
    if where.get("thread_ts"):
        payload["thread_ts"] = where["thread_ts"]
    try:
        bot.client.chat_postMessage(**payload)
    except FAILURES as error:  # the operator has the error already; this note is a courtesy
        log.info("slack: note about the missing chart not posted: %s", describe(error)[0])


def upload_chart(bot: SlackBot, where: dict, chart: bytes) -> None:
    """Put a chart in a channel (and thread): shown again from the file this channel already has
    for the same PNG (one call: a message with a `slack_file` image block), else uploaded with
    files_upload_v2 (three calls) and its file id kept for the next time (`SlackBot.shared`). The
    same chart for the same channel is uploaded by one thread at a time; the others show its file."""
    title = where.get("chart_title") or "Faktabot"
    channel, thread_ts = where["channel"], where.get("thread_ts")
    key = bot.shared.key(channel, chart)
    with bot.shared.first_upload(key) as file_id:
        if file_id is None:
            _upload(bot, key, channel, thread_ts, chart, title)
            return
    payload = {"channel": channel, "text": blocks.escape(title), "blocks": [blocks.shared_chart(file_id, title)],
               "unfurl_links": False, "unfurl_media": False}
    if thread_ts:
        payload["thread_ts"] = thread_ts
    try:
        bot.client.chat_postMessage(**payload)
        return
    except SlackApiError as error:
        if describe(error)[0] != "invalid_blocks":
            raise
        # Slack no longer shows that file (deleted, or not resolvable yet): upload it again.
        bot.shared.forget(key)
    _upload(bot, key, channel, thread_ts, chart, title)


def _upload(bot: SlackBot, key: tuple[str, bytes], channel: str, thread_ts: str | None, chart: bytes,
            title: str) -> None:
    uploaded = bot.client.files_upload_v2(channel=channel, thread_ts=thread_ts, file=chart, filename="faktabot.png",
                                          title=title, alt_txt=title, request_file_info=False)
    file_id = (uploaded.get("file") or {}).get("id")
    if file_id:
        bot.shared.keep(key, file_id)


def _record(bot: SlackBot, payload: dict, chart: bytes | None, error: Failure) -> None:
    """Keep what Slack did not take: for a retry, or, when only the operator can fix it (the bot is
    not in the channel, a scope or the token), given up and logged as an error that says what to do."""
    channel = (payload.get("message") or payload)["channel"]
    thread_ts = (payload.get("message") or payload).get("thread_ts")
    permanent, text = describe(error)[1], explain(error)
    if permanent:
        log.error("slack: post to %s failed for good: %s", channel, text)
    else:
        log.warning("slack: post to %s failed; will retry: %s", channel, text)
    bot.records().failed_post(channel, thread_ts, payload, None if permanent else chart, text, bot.clock(),
                              permanent=permanent)


# Seconds before a post from which its message is looked for: the bot's and Slack's clocks may differ.
LANDED_MARGIN = 60.0


def _landed(bot: SlackBot, message: dict, after: str) -> bool:
    """Whether an answer whose connection dropped after the request went out is there after all;
    posted again, it would show twice. A DM is read with im:history, which the manifest asks for. A
    channel is read only where the workspace granted the optional channels:history (groups:history
    for a private one); where it did not (Slack answers missing_scope), as when the look fails, the
    answer is posted again, a second copy being better than none."""
    channel = message["channel"]
    try:
        if message.get("thread_ts"):
            found = bot.client.conversations_replies(channel=channel, ts=message["thread_ts"], oldest=after, limit=200)
        else:
            found = bot.client.conversations_history(channel=channel, oldest=after, limit=200)
    except FAILURES as error:
        reason = describe(error)[0]
        if reason == "missing_scope" and not channel.startswith("D"):
            log.info("slack: %s is not read (no channels:history/groups:history); posting the answer again",
                     channel)
        else:
            log.warning("slack: could not see whether the answer in %s arrived (%s); posting it again", channel,
                        reason)
        return False
    return any(m.get("bot_id") and m.get("text") == message["text"] for m in found.get("messages") or [])


def describe(error: Failure) -> tuple[str, bool]:
    """(what went wrong, whether it is permanent) for a failed Web API call."""
    if isinstance(error, SlackApiError):
        code = str(error.response.get("error", "")) if error.response is not None else ""
        status = error.response.status_code if error.response is not None else 0
        return f"{code or 'HTTP ' + str(status)}", code in PERMANENT
    return str(error) or type(error).__name__, False


def explain(error: Failure) -> str:
    """The error as the operator reads it: Slack's code and, where the operator can fix it, how
    (»not_in_channel – Faktabot er ikke med i kanalen; inviter den med /invite @Faktabot …«)."""
    reason = describe(error)[0]
    fix = FIXES.get(reason)
    if fix is None:
        return reason
    response = error.response if isinstance(error, SlackApiError) else None
    needed = (response.get("needed") if response is not None else None) or "?"
    return f"{reason} – {wording(fix, needed=needed)}"


def missing_scopes(bot: SlackBot) -> list[str]:
    """The scopes of `SCOPES` the bot token lacks (auth.test's x-oauth-scopes header); logged at start
    as an error that says what to do, so the admin learns it before the first refused answer."""
    response = bot.client.auth_test()
    granted = next((v for k, v in (response.headers or {}).items() if k.lower() == "x-oauth-scopes"), None)
    if granted is None:  # Slack did not say (an older proxy, a stand-in): nothing to check against
        return []
    if isinstance(granted, list):
        granted = ",".join(granted)
    have = {scope.strip() for scope in granted.split(",")}
    missing = [scope for scope in SCOPES if scope not in have]
    if missing:
        log.error("slack: missing_scope – %s", wording("slack_fix_missing_scope", needed=", ".join(missing)))
    return missing


def retry_failed_posts(bot: SlackBot) -> int:
    """Send again what Slack did not take before; returns how many went through."""
    records, sent = bot.records(), 0
    for failed in records.posts_to_retry(bot.clock()):
        try:
            message = failed.payload.get("message")
            if message is not None:
                after = failed.payload.get("unconfirmed_after")
                if after is not None and _landed(bot, message, after):
                    log.info("slack: the answer in %s whose connection dropped had arrived; not posted again",
                             failed.channel)
                else:
                    bot.client.chat_postMessage(**message)
                if failed.chart:
                    where = {"channel": message["channel"], "thread_ts": message.get("thread_ts"),
                             "chart_title": failed.payload.get("chart_title")}
                    try:
                        upload_chart(bot, where, failed.chart)
                    except FAILURES as error:  # the message is out: only the chart is left
                        _record(bot, where, failed.chart, error)
            elif failed.chart:
                upload_chart(bot, failed.payload, failed.chart)
        except FAILURES as error:
            permanent = describe(error)[1]
            if permanent:
                log.error("slack: post to %s failed for good: %s", failed.channel, explain(error))
            records.retried(failed.id, explain(error), bot.clock(), permanent=permanent)
            continue
        records.retried(failed.id, None, bot.clock())
        sent += 1
    return sent
