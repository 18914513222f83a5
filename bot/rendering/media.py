"""One renderer per medium for the message model (`bot.rendering.message.Content`): Slack mrkdwn,
the plain-text and HTML parts of an email, and the Teams Adaptive Card. Pure.

The arrangement (paragraphs, lists, headings, marks) is here; the shared words (statuses, the
eksempeldata warning, what a reader can do) are in `templates/_message.j2`, the HTML in
`templates/message_email.html.j2`.
"""
from __future__ import annotations

from functools import cache

from bot.rendering import cards, render
from bot.rendering.message import Content, Line, Section


def _word(name: str, *args: object) -> str:
    """A shared word of the model (`templates/_message.j2`) as plain text."""
    return render.macro("_message.j2", name, *args)


def _line(line: Line, label: str, status: str, note: str, escape=str) -> str:
    """One line: »label – Status. text Kvitteret: note«, with the medium's marks for the label."""
    head = ""
    if line.label:
        head = label.format(escape(line.label))
        if line.status:
            head += status.format(escape(_word("status_word", line.status)))
        head += ". "
    tail = note.format(escape(line.note)) if line.note else ""
    return head + escape(line.text) + tail


def _marker(section: Section, number: int) -> str:
    """What a line of a list begins with: »• «, or its number in a ranking; nothing in paragraphs."""
    if section.ordered:
        return f"{number}. "
    return "• " if section.bullets else ""


def _blocks(content: Content, render_line) -> list[str]:
    """Each section as one block of text: its heading, then its lines (a list on one line each,
    paragraphs with a blank line between), for the text media."""
    out = []
    for section in content.sections:
        lines = [_marker(section, n) + render_line(line) for n, line in enumerate(section.lines, 1)]
        if not lines and not section.heading:
            continue
        if section.bullets or section.ordered:
            out.append("\n".join(([section.heading] if section.heading else []) + lines))
        else:
            out.extend(([section.heading] if section.heading else []) + lines)
    return out


@cache
def _sample_notice() -> str:
    # The same words for every message: rendered once (most answers from sample data carry it).
    return _word("sample_notice")


def _sample(content: Content) -> str:
    """The eksempeldata warning as plain text: which figures, or the shared notice."""
    return content.sample_note or _sample_notice()


def slack_notes(content: Content) -> tuple[str, str]:
    """The eksempeldata warning and the source line in mrkdwn (empty where there is none): the
    lines a Slack answer puts in context blocks under the figure."""
    esc = render.slack_escape
    sample = f":warning: {esc(_sample(content))}".replace("Eksempeldata:", "*Eksempeldata:*", 1) \
        if content.sample_data else ""
    return sample, (f"_{esc(content.source)}_" if content.source else "")


def mrkdwn(content: Content, *, buttons: bool = True, notes: bool = True) -> str:
    """Slack mrkdwn; `buttons`: the post carries Slack's own buttons (an alert in a channel);
    `notes`: with the eksempeldata warning and the source (else see `slack_notes`)."""
    esc = render.slack_escape
    icon = f"{_word('status_icon', content.status)} " if content.status else ""
    title = f"{icon}*{esc(content.headline)}*" if content.headline else icon
    title += (f" – {esc(content.subtitle)}" if content.subtitle else "")
    parts = [title]
    sample, source = slack_notes(content) if notes else ("", "")
    parts.append(sample)

    def line(item: Line) -> str:
        label = (f"{_word('status_icon', item.status)} " if item.status else "") + "*{}*"
        return _line(item, label, " – {}", "\n    Kvitteret: {}", esc)

    for section in content.sections:
        lines = [_marker(section, n) + line(item) for n, item in enumerate(section.lines, 1)]
        heading = [f"*{esc(section.heading)}*"] if section.heading else []
        if section.bullets or section.ordered:
            parts.append("\n".join(heading + lines))
        else:
            parts.extend(heading + lines)
    if content.action:
        parts.append(esc(_word("action", content, "slack", buttons)))
    if content.links:
        parts.append("  ".join(f"<{link.url}|{esc(link.label)}>" for link in content.links))
    parts.append(source)
    return render.SlackText("\n\n".join(p for p in parts if p.strip()))


def text(content: Content) -> str:
    """The plain-text part of an email (and the outbox file): the headline, paragraphs with blank
    lines between them, lists with »•«, statuses in words, no markup."""
    parts = [content.headline + (f" – {content.subtitle}" if content.subtitle else "")]
    if content.status:
        parts[0] += f"\n{_word('status_line', content.status)}"
    if content.sample_data:
        parts.append(_sample(content))
    parts += _blocks(content, lambda item: _line(item, "{}", " – {}", " Kvitteret: {}"))
    if content.action:
        parts.append(_word("action", content, "email"))
        if content.links:
            parts.append("\n".join(f"»{link.label}«: {link.url}" for link in content.links))
    footer = " ".join(p for p in (content.source, _word("attachment", "email", content.attachment_period) if content.attachment else "") if p)
    parts.append(footer)
    return "\n\n".join(p for p in parts if p.strip())


def html(content: Content) -> str:
    """The HTML part of an email, for Outlook: tables, inline CSS, one <p> or <li> per line."""
    return render.render("message_email.html.j2", c=content)


def card(content: Content) -> dict:
    """The Adaptive Card for Teams: the headline on a band in the status colour, one text block
    per paragraph or list, the signed links as buttons."""
    body = []
    if content.subtitle:
        body.append(cards.paragraph(content.subtitle))
    for section in content.sections:
        if section.heading:
            body.append(cards.paragraph(section.heading, bold=True))
        lines = [_marker(section, n) + _line(item, "**{}**", " – {}", " Kvitteret: {}")
                 for n, item in enumerate(section.lines, 1)]
        if (section.bullets or section.ordered) and lines:
            body.append(cards.paragraph("\n".join(lines)))
        else:
            body.extend(cards.paragraph(line) for line in lines)
    if content.action:
        body.append(cards.paragraph(_word("action", content, "card"), subtle=True))
    if content.source:
        body.append(cards.paragraph(content.source, subtle=True))
    if content.sample_data:
        body.append(cards.paragraph(_sample(content).replace("Eksempeldata:", "**Eksempeldata:**", 1),
                                    colour="Warning"))
    if content.attachment:
        body.append(cards.paragraph(_word("attachment", "card", content.attachment_period), subtle=True))
    return cards.card(content.headline, style=cards.STATUS_STYLES.get(content.status, "emphasis"),
                      paragraphs=body, links=[(link.label, link.url) for link in content.links])
