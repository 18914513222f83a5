"""Render data (answers, errors) into Danish text with the jinja2 templates in `templates/`. Pure.

Handlers return dataclasses; this module and the templates make the words. Every value a template
prints is escaped for its medium unless the template says otherwise, so no template has to remember:
HTML (`*.html.j2`) gets HTML escaping; Slack text (the other `*.txt.j2`) gets Slack's `&`, `<`, `>`;
plain text (`PLAIN_TEMPLATES`: subjects, PDF and chart texts) comes back unescaped, a subject as one line.
"""
from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

from jinja2 import BytecodeCache, Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

import templates
from bot.rendering import formats
from indicators.catalogue import default_catalogue
from indicators.types import SUMMED, is_summed

TEMPLATE_DIR = Path(templates.__file__).parent

# Templates whose text never reaches Slack mrkdwn or HTML as it is: email subjects and the plain
# email part of the fact sheet, the PDF's texts and chart labels (matplotlib). Escaping would show.
PLAIN_TEMPLATES = frozenset({
    "alert_subject.txt.j2", "stale_subject.txt.j2", "summary_subject.txt.j2", "factsheet_email_subject.txt.j2",
    "factsheet_email.txt.j2", "factsheet_pdf_title.txt.j2", "factsheet_page_header.txt.j2",
    "factsheet_page_footer.txt.j2", "factsheet_figure.txt.j2", "factsheet_watermark.txt.j2",
    "factsheet_change_unit.txt.j2", "chart_labels.txt.j2", "chart_index_label.txt.j2", "target_label.txt.j2",
    "summary_chart_alt.txt.j2",
    # Plain text for the message model (`bot.rendering.message`), which each medium escapes itself.
    "target_reason.txt.j2", "mail_answer_email.txt.j2",
})


def slack_escape(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_unescape(text: str) -> str:
    """Slack text back to plain characters (for the terminal and plain email parts)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


class SlackText(str):
    """Text rendered from a Slack template: the data in it is escaped already. Another template
    prints it as it is (markupsafe's `__html__` protocol) instead of escaping it twice; any string
    operation on it gives a plain `str`, which the next template escapes again."""

    __slots__ = ()

    def __html__(self) -> str:
        # `&`, `<`, `>` are escaped; the quotes too, so it is also safe inside an HTML attribute.
        return self.replace('"', "&#34;").replace("'", "&#39;")


_URL = re.compile(r"https?://[^\s<>\"']+")


def linked(text: object) -> Markup:
    """Plain text as HTML with its web addresses as links (the one-click links in an alert email)."""
    text = str(text)
    out, last = [], 0
    for match in _URL.finditer(text):
        url = match.group().rstrip(".,;)")
        out.append(escape(text[last:match.start()]))
        out.append(Markup('<a href="{0}">{0}</a>').format(url))
        last = match.start() + len(url)
    out.append(escape(text[last:]))
    return Markup("").join(out)


def medium(name: str) -> str:
    """`html`, `plain` or `slack`: how the values a template prints are escaped."""
    if name.endswith(".html.j2"):
        return "html"
    # Everything printed in the PDF (the fact sheet's words) and on charts is plain text.
    if name in PLAIN_TEMPLATES or name.startswith(("factsheet_", "chart_")):
        return "plain"
    return "slack"


def sentence(text: str) -> str:
    """End a sentence with one full stop, also after an abbreviation such as `pct.`."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?", ":")) else text + "."


def breakdown_text(breakdown: str) -> str:
    """`køn=Kvinder;ydelse=A-dagpenge` -> `Kvinder, A-dagpenge` (values only; keys are for machines)."""
    return ", ".join(part.split("=", 1)[1] for part in breakdown.split(";") if "=" in part)


def breakdown_key(key: str) -> str:
    """A breakdown key as the catalogue names it for users (`gruppe` -> `målgruppe`)."""
    kind = default_catalogue().breakdowns.get(key)
    return kind.name if kind else key


def breakdown_keys(breakdown: str) -> str:
    """`køn=Kvinder;ydelse=A-dagpenge` -> `køn og ydelse`, named as the catalogue names them."""
    names = [breakdown_key(part.split("=", 1)[0]) for part in breakdown.split(";") if "=" in part]
    return " og ".join(names)


def phrased(words: list[str], phrases: tuple[str, ...] = ()) -> list[str]:
    """`words` with those that stand together in one of `phrases` (runs of the question) as that run:
    [»over«, »22«, »uger«] with (»over 22 uger«,) -> [»over 22 uger«]. Of a run, only the words still
    in `words` are joined, each stretch of them that is left together (the others said elsewhere)."""
    joined = list(words)
    for phrase in phrases:
        stretch: list[str] = []
        for word in [*phrase.split(" "), None]:
            if word is not None and word in joined and word not in stretch:
                stretch.append(word)
                continue
            if len(stretch) > 1:
                at = joined.index(stretch[0])
                joined[at] = " ".join(stretch)
                joined = [w for w in joined if w not in stretch[1:]]
            stretch = [word] if word is not None and word in joined else []
    return joined


def origins(indicator_id: str) -> tuple[str, ...]:
    """The kinds of source a derived indicator is computed from (`Catalogue.origins`); the
    templates name them (`_macros.j2`'s `source_names`)."""
    return default_catalogue().origins(indicator_id)


def indicator_name(indicator_id: str) -> str:
    """The catalogue's name of an indicator ("Sygedagpenge mv."), or the id if it has none."""
    catalogue = default_catalogue()
    return catalogue.get(indicator_id).name if indicator_id in catalogue else indicator_id


def source_parts(source: str) -> tuple[str, str]:
    """`jobindsats:y25i01` -> (`jobindsats`, `y25i01`); `eksempeldata` -> (`eksempeldata`, ``);
    `file:samtaler.csv/sum` (a total summed from the file's parts, `summed`) -> (`file`, `samtaler.csv`)."""
    kind, _, table = source.partition(":")
    return kind, (table.removesuffix(SUMMED) if kind == "file" else table)


class _BytecodeCache(FileSystemBytecodeCache):
    """Compiled templates kept between processes, in jinja2's private per-user temporary folder:
    compiling `answer.txt.j2` alone costs each fresh `faktabot ask` about 40 ms. The key includes the
    template's source, so an edited template compiles again. A cache that cannot be written only
    makes the next process slower; it never fails a render."""

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _bytecode_cache() -> BytecodeCache | None:
    try:
        return _BytecodeCache()
    except (OSError, RuntimeError):  # no safe private temporary folder: compile in each process
        return None


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        bytecode_cache=_bytecode_cache(),
        # One escaping for every template, so a macro in `_macros.j2` serves all three media: HTML's
        # (`&amp;`, `&lt;`, `&gt;` are Slack's own too). `render` turns the quote entities back for
        # Slack, which does not know them, and everything back for plain text.
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        # Templates ship with the code: compile each once per process, never stat it per answer.
        auto_reload=False,
    )
    env.filters.update(
        number=formats.number,
        period=formats.period,
        period_span=formats.period_span,
        day=formats.day,
        signed=formats.change,
        sentence=sentence,
        breakdown_text=breakdown_text,
        breakdown_key=breakdown_key,
        breakdown_keys=breakdown_keys,
        source_parts=source_parts,
        summed=is_summed,
        origins=origins,
        indicator_name=indicator_name,
        linked=linked,
        phrased=phrased,
    )
    env.globals["months"] = formats.MONTHS
    return env


def macro(template: str, name: str, *args: object, **kwargs: object) -> str:
    """A macro of a shared template (`_*.j2`) as plain text: its words, with the data unescaped.
    The caller escapes the result for its medium (`bot/rendering/message.py`)."""
    module = environment().get_template(template).module
    return html.unescape(str(getattr(module, name)(*args, **kwargs))).strip()


def render(name: str, **context) -> str:
    """Render `templates/<name>` and strip blank lines at both ends; Slack text comes back as
    `SlackText`, a subject as one line."""
    text = environment().get_template(name).render(**context).strip()
    kind = medium(name)
    if kind == "slack":
        return SlackText(text.replace("&#34;", '"').replace("&#39;", "'"))
    if kind == "plain":
        text = html.unescape(text)  # exact: every `&` from data was escaped to `&amp;`
        if name.endswith("_subject.txt.j2"):
            return " ".join(text.split())  # a header cannot carry a line break
    return text
