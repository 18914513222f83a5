"""Block Kit for answers, alerts, the App Home board and the acknowledgement modal. Pure.

Data and rendered Danish text in, Slack payloads (plain dicts) out. The words come from
`templates/` (`slack.toml`, `slack_*.txt.j2`); this module only arranges them within Slack's limits:
50 blocks in a message, 100 in a view, 3,000 characters in a section, 75 in a button.
"""
from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Sequence
from functools import cache

from bot.asking.answers import Answer
from bot.asking.conversation import Reply
from bot.rendering import media, render

MESSAGE_BLOCKS, VIEW_BLOCKS = 50, 100
# Slack refuses a message whose blocks hold much more than ~13,000 characters in all
# (msg_blocks_too_long, undocumented); stay under it.
MESSAGE_CHARS = 12_000
SECTION_CHARS, CONTEXT_CHARS, BUTTON_CHARS, VIEW_TITLE_CHARS = 3000, 2000, 75, 24
IMAGE_TEXT_CHARS = 2000  # an image block's alt_text and title

# Action and view ids: the contract between these payloads and the listeners in bot/slack/app.py.
SNOOZE_WEEK, SNOOZE_MONTH = "alert_snooze_week", "alert_snooze_month"
ACKNOWLEDGE, DEVELOPMENT = "alert_acknowledge", "alert_development"
ACK_VIEW, NOTE_BLOCK, NOTE_INPUT = "alert_acknowledge_note", "note", "note"

# A short word and its full stop at the end of a caption (»pct.«, »kvt.«, »mv.«): an abbreviation.
_ABBREVIATION = re.compile(r"(?<![^\W\d_])[^\W\d_]{1,4}\.$")
# Words Slack would turn into a notification for everyone, written without angle brackets.
_BROADCAST = re.compile(r"(?<![\w<])@(channel|here|everyone)\b", re.IGNORECASE)


@cache
def words() -> dict:
    with open(render.TEMPLATE_DIR / "slack.toml", "rb") as handle:
        return tomllib.load(handle)


def word(section: str, key: str, **values: object) -> str:
    """A text from `slack.toml` with its placeholders filled in; every value is escaped (`escape`),
    so a target id, a note or a name from outside cannot become a mention or a link."""
    return words()[section][key].format(**{name: escape(str(value)) for name, value in values.items()})


def neutralise(text: str) -> str:
    """Defuse @channel/@here/@everyone typed as words (a word joiner after the @); `<`, `>` and `&`
    in data are already escaped by the templates (autoescaped), so `<!channel>` cannot occur."""
    return _BROADCAST.sub("@\u2060\\1", text)


def escape(text: str) -> str:
    """User text to be echoed: Slack's three escapes, then the broadcast words defused."""
    return neutralise(render.slack_escape(text))


def mrkdwn(text: str) -> dict:
    # verbatim: Slack must not turn names or words into links and mentions on its own.
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def plain(text: str, limit: int | None = None) -> dict:
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return {"type": "plain_text", "text": text, "emoji": True}


def chunks(text: str, limit: int = SECTION_CHARS) -> list[str]:
    """Split at line ends so each piece fits a section; a line longer than `limit` is cut hard."""
    pieces, current = [], ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        pieces.append(current)
    return [p for p in pieces if p.strip()]


def sections(text: str) -> list[dict]:
    return [{"type": "section", "text": mrkdwn(piece)} for piece in chunks(neutralise(text))]


def context(*lines: str) -> dict:
    return {"type": "context", "elements": [mrkdwn(neutralise(line)[:CONTEXT_CHARS]) for line in lines[:10]]}


def capped(blocks: list[dict], limit: int = MESSAGE_BLOCKS, chars: int = MESSAGE_CHARS) -> list[dict]:
    """At most `limit` blocks and about `chars` characters; a last block says the rest was left out.
    (The fallback `text` keeps the whole answer.)"""
    kept, used = [], 0
    for number, block in enumerate(blocks):
        size = len(json.dumps(block, ensure_ascii=False))
        if number == limit - 1 and len(blocks) > limit or used + size > chars:
            return kept + [context("…")]
        kept.append(block)
        used += size
    return kept


# --- answers ---------------------------------------------------------------------------------

def answer_message(reply: Reply) -> tuple[str, list[dict]]:
    """(fallback text, blocks) of one answer. The text is exactly `faktabot ask`'s; the blocks put
    the figure in sections and the eksempeldata marker and the source in context lines."""
    text = neutralise(reply.text)
    if reply.content is None:
        return text, capped(sections(reply.text))
    notes = [note for note in media.slack_notes(reply.content) if note]
    body = media.mrkdwn(reply.content, buttons=False, notes=False)
    return text, capped(sections(body) + [context(note) for note in notes])


def chart_title(reply: Reply) -> str:
    """The uploaded chart's title: the answer's first line without mrkdwn, marked when its figures
    are eksempeldata (the title is the file's name in Slack and its alternative text)."""
    sample = isinstance(reply.result, Answer) and reply.result.sample_data
    return caption_title(reply.text.split("\n", 1)[0], sample=sample)


def shared_chart(file_id: str, title: str) -> dict:
    """A chart already uploaded into the channel, shown again by its file id (Slack's `slack_file`):
    the title as plain text, which Slack shows as it is, and as the image's alternative text."""
    return {"type": "image", "slack_file": {"id": file_id}, "alt_text": title[:IMAGE_TEXT_CHARS],
            "title": plain(title, IMAGE_TEXT_CHARS)}


def caption_title(caption: str, sample: bool = False) -> str:
    """An uploaded chart's title from its caption (a line of mrkdwn); `sample`: its figures are
    eksempeldata, which the title says (read out in place of the chart, or seen when it is shared on)."""
    # A file's title is plain text, not mrkdwn: Slack's escapes would show as they are.
    title = render.slack_unescape(caption.replace("*", "").replace("_", "").rstrip(": "))
    if title.endswith(".") and not _ABBREVIATION.search(title):
        title = title[:-1]  # a sentence's full stop; »7,7 pct.« keeps its own
    return words()["answer"]["chart_title_sample" if sample else "chart_title"].format(title=title)[:250]


# --- alerts ----------------------------------------------------------------------------------

def alert_message(text: str, target: str, status_line: str | None = None,
                  buttons: bool = True) -> tuple[str, list[dict]]:
    """An alert: its rendered text, a status line (snoozed, acknowledged, resolved) and the actions."""
    blocks = sections(text)
    if status_line:
        blocks.append(context(status_line))
    if buttons:
        blocks.append({"type": "actions", "block_id": f"alert:{target}"[:255], "elements": [
            _button(SNOOZE_WEEK, word("buttons", "snooze_week"), target),
            _button(SNOOZE_MONTH, word("buttons", "snooze_month"), target),
            _button(ACKNOWLEDGE, word("buttons", "acknowledge"), target, style="primary"),
            _button(DEVELOPMENT, word("buttons", "development"), target),
        ]})
    fallback = neutralise(text) + (f"\n{neutralise(status_line)}" if status_line else "")
    return fallback, capped(blocks)


def _button(action_id: str, label: str, value: str, style: str | None = None) -> dict:
    button = {"type": "button", "action_id": action_id, "text": plain(label, BUTTON_CHARS), "value": value[:2000]}
    if style:
        button["style"] = style
    return button


def acknowledge_modal(target: str, name: str, channel: str | None, ts: str | None) -> dict:
    """The modal that asks for the note; where the alert is travels in private_metadata."""
    return {
        "type": "modal",
        "callback_id": ACK_VIEW,
        "private_metadata": json.dumps({"target": target, "channel": channel, "ts": ts})[:3000],
        "title": plain(word("modal", "title"), VIEW_TITLE_CHARS),
        "submit": plain(word("modal", "submit"), VIEW_TITLE_CHARS),
        "close": plain(word("modal", "close"), VIEW_TITLE_CHARS),
        "blocks": [
            context(word("modal", "context", name=name)),
            {"type": "input", "block_id": NOTE_BLOCK, "label": plain(word("modal", "label"), 2000),
             "element": {"type": "plain_text_input", "action_id": NOTE_INPUT, "multiline": True, "max_length": 500,
                         "placeholder": plain(word("modal", "placeholder"), 150)}},
        ],
    }


# --- App Home --------------------------------------------------------------------------------

def home_view(target_texts: Sequence[str], updated: str) -> dict:
    """The target board: one section per target, worst first, within a view's 100 blocks."""
    blocks: list[dict] = [{"type": "header", "text": plain(word("home", "title"), 150)}, context(updated)]
    if not target_texts:
        blocks += sections(word("home", "empty"))
    room = VIEW_BLOCKS - len(blocks) - 1
    for number, text in enumerate(target_texts):
        parts = [{"type": "divider"}, *sections(text)]
        if len(parts) > room:
            blocks.append(context(word("home", "more", count=len(target_texts) - number)))
            break
        blocks += parts
        room -= len(parts)
    return {"type": "home", "blocks": blocks}
