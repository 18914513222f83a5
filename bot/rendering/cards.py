"""Adaptive Cards (version 1.4, what Teams renders) built from text the templates made. Pure.

A card is plain JSON-ready data: a coloured headline, paragraphs, facts and link buttons. The words
come in from the templates as Slack mrkdwn; `card_text` turns that into the card's own markdown.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from bot.rendering.render import slack_unescape

CARD_VERSION = "1.4"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
# The rules engine's statuses as the card's container styles: red, yellow, green, grey.
STATUS_STYLES = {"breached": "attention", "at_risk": "warning", "ok": "good", "no_data": "emphasis"}
_LINK = re.compile(r"<(https?://[^|>\s]+)\|([^>]+)>")
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")


def card_text(mrkdwn: str) -> str:
    """Slack mrkdwn to Adaptive Card markdown: *bold* -> **bold**, <url|label> -> [label](url),
    emoji codes to emoji and Slack's `&amp;`, `&lt;`, `&gt;` back to characters."""
    text = _LINK.sub(lambda m: f"[{m.group(2)}]({m.group(1)})", mrkdwn)
    from rich.emoji import Emoji  # start-up time: rich loads only when a card is made

    return slack_unescape(_BOLD.sub(r"**\1**", Emoji.replace(text)))


def paragraph(text: str, *, subtle: bool = False, small: bool = False, colour: str | None = None,
              bold: bool = False) -> dict:
    block: dict = {"type": "TextBlock", "text": text, "wrap": True}
    if subtle:
        block["isSubtle"] = True
    if small:
        block["size"] = "Small"
    if colour:
        block["color"] = colour
    if bold:
        block["weight"] = "Bolder"
    return block


def card(headline: str, *, style: str = "emphasis", paragraphs: Sequence[dict] = (),
         facts: Sequence[tuple[str, str]] = (), links: Sequence[tuple[str, str]] = (),
         fallback: str | None = None) -> dict:
    """One card: the headline on a band in the status colour, then paragraphs, facts and buttons
    that open `links` ((label, url) pairs) in the browser."""
    body: list[dict] = [{
        "type": "Container", "style": style, "bleed": True,
        "items": [paragraph(headline, bold=True) | {"size": "Medium"}],
    }]
    body.extend(paragraphs)
    if facts:
        body.append({"type": "FactSet", "facts": [{"title": title, "value": value} for title, value in facts]})
    built: dict = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": CARD_VERSION, "lang": "da",
                   "fallbackText": fallback or headline, "body": body}
    if links:
        built["actions"] = [{"type": "Action.OpenUrl", "title": label, "url": url} for label, url in links]
    return built


def text_card(subject: str, mrkdwn: str) -> dict:
    """A card for a message that has no card of its own (a staleness notice): its subject and text."""
    paragraphs = [paragraph(card_text(part)) for part in mrkdwn.split("\n\n") if part.strip()]
    return card(subject, paragraphs=paragraphs)


def envelope(adaptive_card: dict) -> dict:
    """The body a Workflows webhook (»Post to a channel when a webhook request is received«) takes."""
    return {"type": "message", "attachments": [{
        "contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": adaptive_card}]}
