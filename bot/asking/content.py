"""An answer as the message model: an `Answer` (or a question not understood) -> one `Content`
(headline with the figure, notes on what was not understood, lines, the comparison or ranking
table, the target's status, the source, the eksempeldata mark), which `bot.rendering.media`
renders for Slack, the terminal and email. Pure apart from loading templates.

The words come from `templates/answer.txt.j2` and `ranking.txt.j2`, which print one part per line
as »part|text«; this module only arranges the parts.
"""
from __future__ import annotations

from bot.asking.answers import Answer
from bot.asking.queries import NotUnderstood
from bot.rendering import render
from bot.rendering.message import Content, Line, Section, paragraphs

# Which section each part goes in; consecutive parts of one kind make one section.
_KINDS = {"note": "paragraphs", "line": "paragraphs", "item": "list", "heading": "list", "rank": "ranking"}
_PARTS = frozenset(_KINDS) | {"headline", "source", "sample"}


def answer_text(answer: Answer) -> str:
    """The »part|text« lines of an answer, before they are arranged. They do not depend on the
    target's status line, so a caller may keep them with the answer and add the line later."""
    if answer.ranking is not None:
        rendered = render.render("ranking.txt.j2", a=answer, r=answer.ranking)
    else:
        rendered = render.render("answer.txt.j2", a=answer)
    return render.slack_unescape(rendered)


def answer_content(answer: Answer, text: str | None = None) -> Content:
    """The content of a value, change, development, comparison, "hvorfor" or ranking answer; a
    target's status line (`Answer.target`, a `Line`) comes after the lines. `text` is the
    answer's `answer_text` where the caller kept it."""
    target = answer.target
    # One target's line, or several (a ceiling and a benchmark on the same figure), worst first.
    lines = (target,) if isinstance(target, Line) else tuple(t for t in target if isinstance(t, Line)) \
        if isinstance(target, tuple) else ()
    return from_parts(answer_text(answer) if text is None else text, lines or None)


def not_understood_content(problem: NotUnderstood, names: dict[str, str]) -> Content:
    """What the bot says to a question it did not understand: paragraphs, no headline."""
    rendered = render.slack_unescape(render.render("not_understood.txt.j2", n=problem, names=names))
    return text_content(rendered)


def text_content(text: str) -> Content:
    """Plain text of a reply not built from parts (help, a definition, the targets board): a
    paragraph per line."""
    return Content(headline="", sections=(paragraphs(*text.split("\n")),))


def from_parts(text: str, target: Line | tuple[Line, ...] | None = None) -> Content:
    """Arrange the »part|text« lines of an answer template into a `Content`. A line without a
    known part continues the line before it (a value from data with a line break in it)."""
    said = {"headline": "", "source": "", "sample": ""}
    sample_data = False
    sections: list[tuple[str, str, list[str]]] = []  # (kind, heading, lines)
    last: tuple[str, list[str] | None] = ("", None)  # the part a continuation belongs to
    for raw in text.split("\n"):
        part, bar, body = raw.partition("|")
        if not bar or part not in _PARTS:
            name, lines = last
            if raw.strip() and lines:
                lines[-1] = f"{lines[-1]} {raw.strip()}"
            elif raw.strip() and said.get(name):
                said[name] = f"{said[name]} {raw.strip()}"
            continue
        body = body.strip()
        if part in said:
            sample_data = sample_data or part == "sample"
            if not said[part]:
                said[part] = body
            last = (part, None)
            continue
        kind = _KINDS[part]
        if part == "heading" or not sections or sections[-1][0] != kind:
            sections.append((kind, body if part == "heading" else "", []))
        if part != "heading" and body:
            sections[-1][2].append(body)
        last = (part, sections[-1][2] or None)
    built = tuple(Section(heading, tuple(Line(t) for t in lines), bullets=kind == "list", ordered=kind == "ranking")
                  for kind, heading, lines in sections if lines or heading)
    if target is not None:
        built += (Section(lines=(target,) if isinstance(target, Line) else target),)
    return Content(headline=said["headline"], sections=built, sample_data=sample_data,
                   sample_note=said["sample"], source=said["source"])
