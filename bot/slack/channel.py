"""SlackChannel: the delivery transport for "#kanal" and "@U…" recipients (alerts, the summary).

One `send()` per the `bot.channels.Channel` protocol, raising `DeliveryError(permanent)`; the
deliveries ledger around it records and retries. A post whose connection broke after the request
went out raises `OutcomeUnknown`: Slack may have posted it, so it is not retried blindly. An alert goes out with its buttons and the chart it carries; a
reminder, improvement or resolution goes in the thread of the target's alert in that channel, and
the alert itself is updated to show the new state. I/O: Slack and the store.
"""
from __future__ import annotations

import logging
import re

from bot.delivery.channels import Chart, DeliveryError, Message, OutcomeUnknown
from bot.rendering import formats
from bot.slack import blocks, posting
from bot.slack.app import SlackBot, unconfirmed
from bot.slack.records import AlertPost
from indicators.wording import wording
from rules.engine import AT_RISK, BREACHED, NO_DATA, NOTICE_KINDS

log = logging.getLogger("faktabot.slack")
NEW_ALERTS = (BREACHED, AT_RISK, NO_DATA)  # the kinds that open a thread; the others answer in it
_USER_ID = re.compile(r"^@?([UW][A-Z0-9]{2,})$")
_CHANNEL_ID = re.compile(r"^#?([CG][A-Z0-9]{2,})$")


def refused(error: posting.Failure, where: str) -> DeliveryError:
    """A delivery Slack refused, for the deliveries ledger: Slack's code and what the operator does
    about it (`posting.explain`); permanent when retrying cannot help."""
    return DeliveryError(wording("slack_failed", where=where, reason=posting.explain(error)),
                         permanent=posting.describe(error)[1])


class SlackChannel:
    name = "slack"

    def __init__(self, bot: SlackBot):
        self.bot = bot
        self._channels: dict[str, str] = {}  # "#name" -> id, filled from conversations.list

    def send(self, message: Message) -> str:
        channel = self.resolve(message.recipient)
        target, _, rest = message.key.partition(":")
        kind = rest.split(":", 1)[0]
        try:
            if kind in NOTICE_KINDS:
                ts = self._send_alert(channel, target, kind, message)
            else:
                fallback = blocks.neutralise(message.text)
                ts = self.bot.client.chat_postMessage(channel=channel, text=fallback, blocks=blocks.capped(
                    blocks.sections(message.text)), unfurl_links=False, unfurl_media=False)["ts"]
        except posting.FAILURES as error:
            if unconfirmed(error):  # Slack may have posted it: never resent blindly (see Ledger.unknown)
                raise OutcomeUnknown(wording("slack_unconfirmed", where=message.recipient,
                                             error=posting.describe(error)[0])) from None
            raise refused(error, where=message.recipient) from None
        return f"slack:{channel}:{ts}"

    def _send_alert(self, channel: str, target: str, kind: str, message: Message) -> str:
        records, client, now = self.bot.records(), self.bot.client, self.bot.clock()
        original = records.alert_post(target, channel)
        if kind in NEW_ALERTS or original is None:
            fallback, layout = blocks.alert_message(message.text, target)
            ts = client.chat_postMessage(channel=channel, text=fallback, blocks=layout, unfurl_links=False,
                                         unfurl_media=False)["ts"]
            records.remember_alert(AlertPost(target, channel, ts, message.key, message.text, None), now)
            if message.chart is not None:
                self._chart(channel, ts, message.chart, message.sample_data)
            return ts
        # A reminder or a resolution: in the original's thread, and the original shows the state.
        fallback, layout = blocks.alert_message(message.text, target, buttons=kind == "reminder")
        ts = client.chat_postMessage(channel=channel, thread_ts=original.ts, text=fallback, blocks=layout,
                                     unfurl_links=False, unfurl_media=False)["ts"]
        line = blocks.word("alert", kind, day=formats.day(now))
        records.set_status_line(channel, original.ts, line)
        fallback, layout = blocks.alert_message(original.text, target, status_line=line, buttons=kind == "reminder")
        try:
            client.chat_update(channel=channel, ts=original.ts, text=fallback, blocks=layout)
        except posting.FAILURES as error:  # the news is out in the thread; the old message stays as it was
            log.warning("slack: could not update the alert %s: %s", original.ts, posting.explain(error))
        return ts

    def _chart(self, channel: str, ts: str, chart: Chart, sample: bool) -> None:
        """The chart the alert carries, in its thread; an upload that fails is retried on its own."""
        posting.post_chart(self.bot, channel, ts, chart.png, blocks.caption_title(chart.caption, sample=sample))

    def resolve(self, recipient: str) -> str:
        """"#kanal" or a channel id -> the channel id; "@U…" -> the DM with that user."""
        if match := _CHANNEL_ID.match(recipient):
            return match[1]
        if match := _USER_ID.match(recipient):
            try:
                return self.bot.client.conversations_open(users=match[1])["channel"]["id"]
            except posting.FAILURES as error:
                raise refused(error, where=recipient) from None
        if not recipient.startswith("#"):
            raise DeliveryError(wording("slack_bad_recipient", recipient=recipient), permanent=True)
        name = recipient[1:].lower()
        if name not in self._channels:
            self._load_channels()
        if name not in self._channels:
            raise DeliveryError(wording("slack_no_channel", channel=recipient), permanent=True)
        return self._channels[name]

    def _load_channels(self) -> None:
        cursor = None
        try:
            while True:
                page = self.bot.client.conversations_list(types="public_channel,private_channel", limit=1000,
                                                          exclude_archived=True, cursor=cursor)
                self._channels.update({c["name"].lower(): c["id"] for c in page.get("channels", [])})
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    return
        except posting.FAILURES as error:
            raise refused(error, where="conversations.list") from None
