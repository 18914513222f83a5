"""One message model for every medium: alerts, staleness notices and the monthly summary are built
once as `Content` (headline, status, paragraphs and lists, figures, links, the eksempeldata mark,
the source); `bot.rendering.media` renders it to Slack mrkdwn, to plain email text, to Outlook-safe
HTML and to a Teams Adaptive Card. Pure data, no imports beyond the standard library (the delivery
layer carries it without loading templates).

Every string in a `Content` is plain text (no markup, no escapes); each medium's renderer escapes
and marks it up, so no medium's markup can leak into another's.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

# What a reader can do about a message, worded per medium by the templates: the Slack buttons,
# the signed links or a reply in email, the card's buttons.
ACKNOWLEDGE = "acknowledge"
# The same, for a mail whose replies reach Faktabot's own mailbox (ask by email), not a person.
ACKNOWLEDGE_NO_REPLY = "acknowledge-no-reply"


@dataclass(frozen=True, slots=True)
class Line:
    """One paragraph or list item. A `label` (a target's name) is said once, with its `status`
    (ok, at_risk, breached, no_data) in words; `note` is an acknowledgement's note."""

    text: str
    label: str = ""
    status: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Figure:
    """A chart the message shows where the medium can (inline in email as `cid:`); the PNG travels
    beside the message (`EmailContent.images`), the model keeps its name and description."""

    cid: str
    title: str
    alt: str


@dataclass(frozen=True, slots=True)
class Section:
    heading: str = ""
    lines: tuple[Line, ...] = ()
    bullets: bool = False  # a list (• in text, <li> in HTML) rather than paragraphs
    figures: tuple[Figure, ...] = ()  # charts after the lines, where the medium shows images (email HTML)
    ordered: bool = False  # a numbered list (1., 2., … ; <ol> in HTML): a ranking


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class Content:
    headline: str
    status: str = ""  # the message's status colour: ok, at_risk, breached, no_data, or none
    subtitle: str = ""
    sections: tuple[Section, ...] = ()
    links: tuple[Link, ...] = ()  # signed one-click links: buttons on a card, addresses in email
    action: str = ""  # ACKNOWLEDGE when the reader may acknowledge or snooze (worded per medium)
    sample_data: bool = False
    sample_note: str = ""  # which figures are eksempeldata, when only some are (else the shared notice)
    source: str = ""  # the source line (»Kilde: …«) or the summary's sources
    attachment: bool = False  # the email carries the quarter's fact sheet as a PDF
    attachment_period: str = ""  # that sheet's quarter (»2026-Q2«), named beside it

    def as_dict(self) -> dict:
        """JSON-ready, for the deliveries row (the record of what went out)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Content:
        sections = tuple(Section(s["heading"], tuple(Line(**line) for line in s["lines"]), s["bullets"],
                                 tuple(Figure(**f) for f in s.get("figures", ())), s.get("ordered", False))
                         for s in data.get("sections", ()))
        return cls(headline=data["headline"], status=data.get("status", ""), subtitle=data.get("subtitle", ""),
                   sections=sections,
                   links=tuple(Link(**link) for link in data.get("links", ())), action=data.get("action", ""),
                   sample_data=bool(data.get("sample_data")), sample_note=data.get("sample_note", ""),
                   source=data.get("source", ""),
                   attachment=bool(data.get("attachment")), attachment_period=data.get("attachment_period", ""))


def paragraphs(*texts: str, heading: str = "") -> Section:
    """A section of paragraphs from plain texts; empty texts are left out."""
    return Section(heading, tuple(Line(t) for t in texts if t and t.strip()))
