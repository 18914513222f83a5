"""Questions in Slack: @mentions (answered in the thread), direct messages and `/faktabot …`.

The listeners' work: each question gets `bot/slack/answering.py`'s reply, exactly as `faktabot ask`
gives it, laid out in Block Kit and posted with its chart by `bot/slack/posting.py`. I/O: Slack
and the store.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable

from bot.asking.conversation import target_question
from bot.rendering import render
from bot.slack import blocks, subscriptions
from bot.slack.answering import answer_now, ask
from bot.slack.app import SlackBot
from bot.slack.posting import post, post_reply
from indicators.catalogue import default_areas, default_catalogue

log = logging.getLogger("faktabot.slack")

_MENTION = re.compile(r"<@[UWB][A-Z0-9]+(?:\|[^>]*)?>")
_SPECIAL = re.compile(r"<(?:[#!][^>]*|(?:https?|mailto):[^>]*)>")
# Slack's formatting marks (*fed*, _kursiv_, ~gennemstreget~, `kode`, ```blok```) at a word's edges: the
# manager's emphasis, not words; echoed as they are, »_ord_« would turn the bot's own text italic.
_MARKS = re.compile(r"(?<!\S)[*_~`]+|[*_~`]+(?!\S)")
# Emoji as Slack writes them (:wave:, :+1:, :wave::skin-tone-2:): a greeting or a mood, not a word;
# a name starts with a letter or +, so a time (10:30:00) is left alone.
_EMOJI = re.compile(r"(?<!:):[a-z+][a-z0-9_+'-]*:(?::skin-tone-\d:)?")
HELP_WORDS = {"", "hjælp", "hjaelp", "help", "?"}
SUBSCRIPTION_VERBS = {"abonner", "afmeld"}


def question_text(raw: str) -> str:
    """What a person asked, from Slack's message text: mentions, channel links, URLs, emoji and
    formatting marks dropped, Slack's &amp; &lt; &gt; turned back into characters (they are escaped again when echoed)."""
    text = _EMOJI.sub(" ", _SPECIAL.sub(" ", _MENTION.sub(" ", raw)))
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(_MARKS.sub(" ", text).split())


def on_mention(bot: SlackBot, body: dict) -> None:
    event = body["event"]
    if event.get("thread_ts"):
        from_alert(bot, event["channel"], event["thread_ts"])
    answer_in(bot, event["channel"], event.get("thread_ts") or event["ts"], question_text(event.get("text", "")),
              event.get("user"))


def from_alert(bot: SlackBot, channel: str, thread_ts: str) -> None:
    """A question in an alert's thread with no conversation yet goes on from the alert's figure, as
    if »<indikator> <område>« had been asked there: »og i Albertslund?« under the ungeledighed alert."""
    now = bot.clock()
    if bot.conversations.get((channel, thread_ts), now) is not None:
        return
    alert = bot.records().alert_post_at(channel, thread_ts)
    target = bot.config.target(alert.target) if alert is not None else None
    if target is None:
        return
    asked, _ = answer_now(bot, target_question(target.indicator, target.area))
    bot.conversations.remember((channel, thread_ts), asked, now)


def on_direct_message(bot: SlackBot, body: dict) -> None:
    event = body["event"]
    if event.get("subtype") == "message_changed":
        on_edited(bot, event)
        return
    if event.get("subtype") or event.get("bot_id"):
        return  # joins, files and every bot's messages (our own included) are not questions
    answer_in(bot, event["channel"], event.get("thread_ts"), question_text(event.get("text", "")), event.get("user"),
              asked_ts=event.get("ts"))


def on_edited(bot: SlackBot, event: dict) -> None:
    """A question corrected in a DM (»ledihed maj« → »ledighed maj«) is answered in its thread. Slack
    also sends message_changed when it unfurls a link and when a bot updates its own message (our
    alerts): an edit that leaves the question as it was, and any bot's message, get no answer."""
    message, before = event.get("message") or {}, event.get("previous_message") or {}
    if message.get("bot_id") or message.get("subtype") or not message.get("ts"):
        return
    text = question_text(message.get("text", ""))
    if not text or text == question_text(before.get("text", "")):
        return
    answer_in(bot, event["channel"], message.get("thread_ts") or message["ts"], text, message.get("user"))


def busy_note(bot: SlackBot, body: dict) -> Callable[[str], object] | None:
    """How to tell the asker of a question (a mention or a DM) that the bot is busy: a reply in
    its thread with `slack.toml` [answer] `busy` or `overloaded`. None for events that are not
    questions. Built before the ack without I/O; called later, on the notice thread."""
    event = body.get("event") or {}
    if event.get("type") == "app_mention":
        channel, thread_ts = event.get("channel"), event.get("thread_ts") or event.get("ts")
    elif event.get("type") == "message" and event.get("channel_type") == "im" and not (
            event.get("subtype") or event.get("bot_id")):
        channel, thread_ts = event.get("channel"), event.get("thread_ts")
    else:
        return None
    if not channel:
        return None
    return lambda key: post(bot, channel, thread_ts, blocks.word("answer", key), [])


def answer_in(bot: SlackBot, channel: str, thread_ts: str | None, text: str, user: str | None,
              asked_ts: str | None = None) -> None:
    # One conversation per thread (a mention's answer starts one), and a DM outside threads is one
    # conversation: a follow-up there is read against the question before.
    try:
        result, draw = ask(bot, text, user=user, channel=channel, conversation=(channel, thread_ts))
    except Exception:
        log.exception("slack: answering %r failed", text)
        post(bot, channel, thread_ts, blocks.word("answer", "failed"), [])
        return
    posted = post_reply(bot, channel, thread_ts, result, draw)
    if thread_ts is None:
        # A DM outside threads: »Reply in thread« on the question or on this answer opens a thread
        # named by that message's ts; a follow-up there goes on from this question.
        now = bot.clock()
        for root in (asked_ts, posted):
            if root:
                bot.conversations.carry((channel, None), (channel, root), now)


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
        bot.later("command", _answer_command, bot, channel, text, user, respond,
                  busy=lambda key: respond(text=blocks.word("answer", key), response_type="ephemeral"))


def _answer_command(bot: SlackBot, channel: str, text: str, user: str | None, respond: Callable[..., object]) -> None:
    result, draw = ask(bot, text, user=user, channel=channel)

    def only_to_the_asker() -> None:
        # Not a member (a private channel, a DM with someone else): the response URL still works,
        # for the asker only and without the chart (uploads need membership).
        fallback, layout = blocks.answer_message(result)
        respond(text=fallback, blocks=layout + [blocks.context(blocks.word("answer", "not_in_channel"))],
                response_type="ephemeral")

    post_reply(bot, channel, None, result, draw, not_member=only_to_the_asker)
