"""`/faktabot abonner <nøgletal>` and `afmeld`: a channel gets each new figure when it arrives.

Subscriptions are `bot/ledger.py`'s `subscriptions` rows (recipient = channel id, topic =
`indicator:<id>`); each new figure goes out once per channel through the deliveries ledger (key
`subscription:<indicator>:<period>`), so a restart or a failed post neither repeats nor loses
one. I/O: the store and Slack.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from bot.asking.answers import Answer
from bot.asking.queries import NotUnderstood, default_vocabulary, parse
from bot.rendering import formats, render
from bot.slack import answering, blocks, posting
from bot.slack.app import SlackBot
from indicators.catalogue import default_areas, default_catalogue

log = logging.getLogger("faktabot.slack")
KIND = "subscription"


def topic(indicator: str) -> str:
    return f"indicator:{indicator}"


def on_command(bot: SlackBot, verb: str, text: str, channel: str, respond: Callable[..., object]) -> None:
    parsed = parse(text, default_vocabulary())
    if isinstance(parsed, NotUnderstood) or parsed.indicator is None:
        names = {i.id: i.name for i in default_catalogue()}
        problem = parsed if isinstance(parsed, NotUnderstood) else NotUnderstood(text)
        message = render.render("not_understood.txt.j2", n=problem, names=names)
        message += "\n" + blocks.word("subscription", "usage")
        respond(text=blocks.neutralise(message), response_type="ephemeral")
        return
    indicator = default_catalogue().get(parsed.indicator)
    ledger, now = bot.ledger(), bot.clock()
    subscribed = channel in ledger.subscribers(topic(indicator.id))
    if verb == "afmeld":
        ledger.unsubscribe(channel, topic(indicator.id))
        key = "unsubscribed" if subscribed else "not_subscribed"
        respond(text=blocks.word("subscription", key, name=indicator.name), response_type="in_channel")
        return
    if subscribed:
        respond(text=blocks.word("subscription", "already", name=indicator.name), response_type="in_channel")
        return
    ledger.subscribe(channel, topic(indicator.id), now)
    result = answering.answer(bot, indicator.id, with_chart=False)
    period = "–"
    if isinstance(result.result, Answer) and result.result.observation is not None:
        period = formats.period(result.result.observation.period)
        # The figure there is now counts as delivered: the channel hears of the next one.
        key = f"{KIND}:{indicator.id}:{result.result.observation.period}"
        delivery = ledger.queue(key=key, target=None, kind=KIND, recipient=channel, subject=indicator.name,
                                body="", sample_data=result.result.sample_data, now=now)
        if delivery is not None:
            ledger.sending(delivery, "slack", now)
            ledger.sent(delivery, "subscribed", now)
    area = default_areas().get(bot.config.area).name
    respond(text=blocks.word("subscription", "subscribed", name=indicator.name, area=area, period=period),
            response_type="in_channel")


def deliver_new_figures(bot: SlackBot) -> int:
    """Post each subscribed indicator's newest figure to its channels, once per period and channel."""
    ledger, now, sent = bot.ledger(), bot.clock(), 0
    for indicator in default_catalogue():
        channels = ledger.subscribers(topic(indicator.id))
        if not channels:
            continue
        result = answering.answer(bot, indicator.id, with_chart=False)
        if not isinstance(result.result, Answer) or result.result.observation is None:
            continue
        key = f"{KIND}:{indicator.id}:{result.result.observation.period}"
        for channel in channels:
            ledger.queue(key=key, target=None, kind=KIND, recipient=channel, subject=indicator.name,
                         body=result.text, sample_data=result.result.sample_data, now=now)
        due = [d for d in ledger.due([KIND]) if d.key == key]
        if due:  # the chart only when a channel is waiting for this figure
            result = answering.answer(bot, indicator.id)
        for delivery in due:
            ledger.sending(delivery.id, "slack", now)
            fallback, layout = blocks.answer_message(result)
            try:
                response = bot.client.chat_postMessage(channel=delivery.recipient, text=fallback, blocks=layout,
                                                       unfurl_links=False, unfurl_media=False)
            except posting.FAILURES as error:
                # Retried on the next round; what only the admin can fix says what to do.
                ledger.failed(delivery.id, posting.explain(error), posting.describe(error)[1], now)
                continue
            ledger.sent(delivery.id, f"slack:{delivery.recipient}:{response['ts']}", now)
            sent += 1
            if result.chart:  # the figure is out; a chart that fails is retried on its own
                posting.post_chart(bot, delivery.recipient, response["ts"], result.chart, blocks.chart_title(result))
    return sent
