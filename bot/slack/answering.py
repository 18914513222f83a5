"""Answering in Slack: a question -> the reply `faktabot ask` would give, with the same targets
context and clock, and its chart drawn on demand in a worker process (`bot/slack/rendering.py`);
each person's question is written to the query log. A question asked again before the data changes
gets the reply remembered (`SlackBot.answers`). I/O: the store.
"""
from __future__ import annotations

import time
from collections.abc import Hashable
from dataclasses import replace

from bot.alerting.context import TargetContext
from bot.asking.answers import Answer
from bot.asking.conversation import Reply, reply
from bot.asking.queries import Query
from bot.slack.app import SlackBot
from bot.slack.posting import Draw


def answer(bot: SlackBot, text: str, with_chart: bool = True) -> Reply:
    """Answer as `faktabot ask` does: the same targets context, the same clock, and the chart
    `--chart` would draw, drawn in a worker process (bot/slack/rendering.py)."""
    result, draw = answer_now(bot, text)
    return replace(result, chart=draw()) if with_chart else result


def answer_now(bot: SlackBot, text: str, previous: Query | None = None) -> tuple[Reply, Draw]:
    """The answer's text now and its chart on demand, so the figure can be posted while the chart
    is still being drawn. `previous` is the conversation's question before, for follow-ups."""
    now = bot.clock()
    # The same words, after the same question, on the same day, from the same data: the same reply.
    key = (" ".join(text.split()), previous, now.date(), bot.data_version())
    remembered = bot.answers.get(key)
    if remembered is None:
        store = bot.store()
        context = TargetContext.load(store, bot.config, now)
        result = reply(text, store, bot.config, now.date(), targets=context.for_answer,
                       target_board=context.board, context=previous)
        remembered = bot.answers.keep(key, result)
    result = remembered.reply
    if not isinstance(result.result, Answer) or result.result.observation is None:
        return result, lambda: None
    return result, lambda: remembered.chart(lambda: bot.renderer.chart(result, result.target_path))


def ask(bot: SlackBot, text: str, *, user: str | None, channel: str,
        conversation: Hashable | None = None) -> tuple[Reply, Draw]:
    """A person's question: the answer (chart on demand), and a line in the query log.
    `conversation` names the thread or DM; its previous question makes "og i Aarhus?" a follow-up."""
    started = time.perf_counter()
    previous = bot.conversations.get(conversation, bot.clock()) if conversation is not None else None
    result, draw = answer_now(bot, text, previous)
    now = bot.clock()
    if conversation is not None:
        bot.conversations.remember(conversation, result, now)
    data = result.as_json()
    bot.log_query(at=now, channel=f"slack:{channel}", user=user, text=text, understood=result.understood,
                  intent=data["intent"], indicator=data["indicator"],
                  area=data["area"]["code"] if data["area"] else None, period=data["period"],
                  milliseconds=round((time.perf_counter() - started) * 1000))
    return result, draw
