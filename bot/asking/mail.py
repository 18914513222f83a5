"""Ask by email: a question mailed to the bot's address gets `faktabot ask`'s answer by reply.

`poll` reads the unseen mail in the mailbox (`bot/delivery/imap.py`), records each by Message-ID in
the ledger before marking it read, and queues one reply per answered mail in the deliveries
ledger, which `send_due` sends once (and retries when SMTP fails). Only senders on the allow-list
are answered; automatic mail, mailing lists and the bot's own address never are (no mail loops).
Reading a mail (`read_question`) is pure; `poll` does the I/O through what it is given.
"""
from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses
from html.parser import HTMLParser

from bot import clock
from bot.asking.content import text_content
from bot.asking.conversation import Reply
from bot.delivery.channels import Channels
from bot.delivery.email import EmailContent, EmlOutbox, InlineImage, SmtpChannel, message_id
from bot.delivery.imap import Fetched, Mailbox
from bot.delivery.ledger import Delivery, Ledger, MailQuestion
from bot.delivery.sending import Sent, send_due
from bot.rendering import media, render
from bot.rendering.message import Figure, Line, Section, paragraphs

log = logging.getLogger("faktabot.mail")
KIND = "mail_answer"  # the deliveries rows of replies
MAX_QUESTION = 300  # characters: a question is one line; the rest of a long line is not a question
MAX_LINES = 4  # own lines weighed as the question: a greeting (»Hej,«) may come before it
MAX_ASKED = 3  # questions on lines of their own answered in one reply; the rest wait for another mail
# Subject prefixes of replies and forwards in the languages Danish mail clients use.
_PREFIX = re.compile(r"^\s*((re|sv|vs|aw|fw|fwd|wg|tr)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
# Where the sender's own text ends in a reply: the quoted mail as Outlook, Gmail and Apple Mail
# begin it (»Den 25. nov. 2026 kl. 10.00 skrev Faktabot <…>:«, the name after the verb in Danish,
# the line maybe wrapped), or a phone's signature (»Sendt fra min iPhone«, »Hent Outlook til iOS«).
_QUOTE_START = re.compile(r"^(-{2,}\s*(original|oprindelig|videresendt|forwarded).*|(on|den|d\.) .+\b(wrote|skrev)\b.*"
                          r"|(from|fra|sent|sendt):\s.+|(sendt fra|sent from|hent outlook|get outlook) .+)$",
                          re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Question:
    """What a mail holds for the bot: who, what, and why it is not answered (`refusal`), if so."""

    message_id: str
    sender: str  # the bare address, lower case
    subject: str
    candidates: tuple[str, ...]  # the question, best guess first: the subject or the first own body lines
    refs: str  # References for the reply: the thread so far, then this mail
    refusal: str | None = None  # "automatic", "mailing list", "own address", "not allowed", "no sender"
    lines: tuple[str, ...] = ()  # the first lines the sender wrote, the body's candidates


@dataclass
class Polled:
    """What one poll did."""

    answered: list[str] = field(default_factory=list)  # senders
    ignored: list[tuple[str, str]] = field(default_factory=list)  # (sender, why)
    known: int = 0  # read before (a restart between recording and marking read)
    sent: Sent = field(default_factory=Sent)


def read_question(raw: bytes, *, own: tuple[str, ...], allow: tuple[str, ...], truncated: bool = False) -> Question:
    """Read one mail (pure): the sender, the question candidates, and whether to answer at all."""
    mail = message_from_bytes(raw, policy=policy.default)
    message_id = _header(mail, "Message-ID").strip()
    if not re.fullmatch(r"<[^<>\s]{1,900}>", message_id):
        # No or broken Message-ID: one made from the mail itself, the same on every poll.
        message_id = f"<{hashlib.sha256(raw).hexdigest()[:32]}@faktabot.invalid>"
    senders = [address for _, address in getaddresses([_header(mail, "From")]) if "@" in address]
    sender = senders[0].strip().lower() if len(senders) == 1 else ""
    subject = " ".join(_header(mail, "Subject").split())[:500]
    # The thread so far, as well-formed ids only: nothing else of the sender's reaches our headers.
    # A client that sends In-Reply-To without References (RFC 5322 allows it) still threads.
    thread = _header(mail, "References").split() or _header(mail, "In-Reply-To").split()[:1]
    earlier = " ".join([r for r in thread if re.fullmatch(r"<[^<>\s]{1,900}>", r)][-20:])
    refs = f"{earlier} {message_id}".strip()
    is_reply = bool(_PREFIX.match(subject)) or bool(_header(mail, "In-Reply-To"))
    topic = _PREFIX.sub("", subject).strip()[:MAX_QUESTION]
    lines = () if truncated else own_lines(mail)
    candidates = tuple(c for c in dict.fromkeys((*lines, topic) if is_reply else (topic, *lines)) if c)
    return Question(message_id, sender, subject, candidates, refs, _refusal(mail, sender, own, allow), lines)


def _refusal(mail: EmailMessage, sender: str, own: tuple[str, ...], allow: tuple[str, ...]) -> str | None:
    """Why a mail gets no answer, or None. Loops first: never answer ourselves or a machine."""
    if not sender:
        return "no sender"
    if sender in own:
        return "own address"
    local = sender.split("@", 1)[0]
    auto = _header(mail, "Auto-Submitted").strip().lower()
    # Exchange marks its out-of-office replies X-Auto-Response-Suppress »All« or a list with OOF or
    # AutoReply, often without Auto-Submitted; a bounce is a multipart/report (RFC 3464), and
    # Exchange's comes from »MicrosoftExchange…@« the kommune's own (allowed) domain.
    suppress = {word.strip().lower() for word in _header(mail, "X-Auto-Response-Suppress").split(",")}
    if (auto and auto != "no") or _header(mail, "X-Autoreply") or _header(mail, "X-Autorespond") \
            or _header(mail, "Return-Path").strip() == "<>" \
            or local in ("mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply") \
            or suppress & {"all", "oof", "autoreply"} or mail.get_content_type() == "multipart/report":
        return "automatic"
    if _header(mail, "List-Id") or _header(mail, "List-Unsubscribe") \
            or _header(mail, "Precedence").strip().lower() in ("bulk", "list", "junk", "auto_reply"):
        return "mailing list"
    if not allowed(sender, allow):
        return "not allowed"
    return None


def allowed(sender: str, allow: tuple[str, ...]) -> bool:
    """`chef@kommune.dk` is allowed by itself, by `@kommune.dk` or by `kommune.dk` (that domain
    exactly: not `evil-kommune.dk`, not `kommune.dk.evil.com`)."""
    domain = sender.rpartition("@")[2]
    return any(sender == entry or domain == entry.lstrip("@") for entry in allow if entry)


def own_lines(mail: EmailMessage) -> tuple[str, ...]:
    """The first lines the sender wrote (MAX_LINES): not quoted (`>`), above the quoted mail and
    the signature; from the text part, or the HTML part when there is none."""
    text = _body_text(mail)
    found: list[str] = []
    for raw_line in text.splitlines():
        line = " ".join(raw_line.split())
        if line in ("--", "-- ") or _QUOTE_START.match(line) or len(found) == MAX_LINES:
            break
        if line and not line.startswith(">"):
            found.append(line[:MAX_QUESTION])
    return tuple(found)


def _body_text(mail: EmailMessage) -> str:
    try:
        part = mail.get_body(preferencelist=("plain", "html"))
    except (KeyError, ValueError, LookupError):
        part = None
    if part is None:
        return ""
    text = _content(part)
    return _html_text(text) if part.get_content_subtype() == "html" else text


def _content(part: EmailMessage) -> str:
    """A text part's content; an unknown or lying charset gives its bytes as UTF-8, bad ones replaced."""
    try:
        content = part.get_content()
        return content if isinstance(content, str) else ""
    except (LookupError, ValueError, UnicodeError, AssertionError, KeyError):
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""


class _Text(HTMLParser):
    """An HTML mail's text, a line per block; quoted mail (<blockquote>) and <style>/<script> left out."""

    BLOCKS = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "table", "hr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("blockquote", "style", "script", "head"):
            self.skip += 1
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("blockquote", "style", "script", "head") and self.skip:
            self.skip -= 1
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def _html_text(html: str) -> str:
    parser = _Text()
    parser.feed(html[:200_000])
    parser.close()
    return "".join(parser.parts)


def _header(mail: EmailMessage, name: str) -> str:
    """A header as text; a header the parser cannot make sense of counts as missing."""
    try:
        value = mail.get(name)
    except (ValueError, IndexError, TypeError, LookupError, AttributeError):
        return ""
    return str(value) if value is not None else ""


# --- the reply ----------------------------------------------------------------------------------

def reply_key(message_id: str) -> str:
    """The deliveries key of the reply to a mail: one reply per Message-ID."""
    return "mail:" + hashlib.sha256(message_id.encode()).hexdigest()[:24]


def reply_subject(question: Question, asked: str) -> str:
    """»Re: « and the subject without its earlier Re:/SV:/VS: (or the question, when it had none)."""
    return f"Re: {_PREFIX.sub('', question.subject) or asked}"[:200]


# text, with a chart?, the thread's earlier questions, oldest first (a follow-up is read against
# them, each against those before) -> `faktabot ask`'s reply (`conversation.reply` with the target context)
Answerer = Callable[[str, bool, tuple[str, ...]], Reply]


def thread_questions(ledger: Ledger, sender: str, subject: str, refs: str) -> tuple[str, ...]:
    """What a reply follows up (»og i Herlev?«, then »og i Aarhus?«): the questions answered earlier
    in its thread, oldest first, found by the References of the sender's earlier mails or of the
    bot's answers to them (Outlook names only the latter); else the subject of a reply
    (»SV: ledighed maj«). Nothing for a mail that is no reply."""
    ids = set(refs.split()[:-1])  # the last is the mail itself
    found = [earlier.question for earlier in reversed(ledger.answered_mail_from(sender)) if ids and earlier.question
             and (earlier.message_id in ids or (earlier.key and message_id(earlier.key, sender) in ids))]
    if found:
        return tuple(line for question in found for line in question.split("\n"))
    topic = _PREFIX.sub("", subject).strip()[:MAX_QUESTION]
    return (topic,) if (ids or _PREFIX.match(subject)) and topic else ()


def reply_content(delivery: Delivery, asked: MailQuestion | None, answer: Answerer,
                  ledger: Ledger | None = None) -> EmailContent:
    """The reply mail: the answer as plain text and HTML, its chart inline, and the headers that
    thread it under the question and keep auto-responders from answering it (RFC 3834)."""
    questions = ((asked.question if asked else None) or "").split("\n")
    after = thread_questions(ledger, asked.sender, asked.subject, asked.refs) if asked and ledger else ()
    result = answer(questions[0], True, after)
    content = result.content or text_content(result.plain)
    images = (InlineImage("chart", result.chart, result.headline),) if result.chart else ()
    # In HTML the chart comes after the first answer's lines, then each further answer under its
    # headline, then the questions and how to ask again.
    shown = tuple(Section(figures=(Figure(i.cid, i.alt, i.alt),)) for i in images)
    plain = [result.plain]
    for more in (answer(q, False, after) for q in questions[1:]):
        plain.append(more.plain)
        extra = more.content or text_content(more.plain)
        shown += (Section(extra.headline), *extra.sections) + ((paragraphs(extra.source),) if extra.source else ())
        content = replace(content, sample_data=content.sample_data or extra.sample_data)
    question = "«, »".join(questions)
    asked_again = Section(lines=(Line(render.macro("_answer.j2", "asked", question)),))
    headers: list[tuple[str, str]] = [("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "All")]
    if asked is not None:
        headers += [("In-Reply-To", asked.message_id), ("References", asked.refs)]
    return EmailContent(
        subject=delivery.subject,
        text=render.render("mail_answer_email.txt.j2", answer="\n\n".join(plain), question=question,
                           chart=bool(images)),
        html=media.html(replace(content, sections=content.sections + shown + (asked_again,))),
        images=images, headers=tuple(headers))


def poll(mailbox: Mailbox, ledger: Ledger, answer: Answerer, *, channels: Channels,
         email: SmtpChannel | EmlOutbox, now: datetime, own: tuple[str, ...], allow: tuple[str, ...],
         should_stop: Callable[[], bool] = lambda: False) -> Polled:
    """Read the unseen mail once: record each, queue a reply to each allowed question, mark them
    read; then, with the mailbox closed, send every reply due (this poll's, and earlier ones whose
    send failed). `answer` is `faktabot ask`'s reply. Raises MailboxError when the mailbox cannot
    be read; what was recorded by then stays recorded and is sent on the next poll."""
    done = Polled()
    with mailbox:
        for fetched in mailbox.unseen():
            if should_stop():
                break
            _take(fetched, ledger, answer, done, now=now, own=own, allow=allow)
            mailbox.seen(fetched.uid)  # after the ledger has it: a crash in between answers nothing twice
    done.sent = send_due(ledger, ledger.due([KIND]), channels, now, email=email, should_stop=should_stop,
                         email_content=lambda d: reply_content(d, ledger.mail_question(d.key), answer, ledger))
    return done


def _take(fetched: Fetched, ledger: Ledger, answer: Answerer, done: Polled, *, now: datetime,
          own: tuple[str, ...], allow: tuple[str, ...]) -> None:
    question = read_question(fetched.raw, own=own, allow=allow, truncated=fetched.truncated)
    if ledger.mail_known(question.message_id):
        done.known += 1
        return
    if question.refusal is not None:
        # Logged for the operator, recorded so it is not weighed again, never answered.
        log.info("mail: ignored a mail from %s (%s), Message-ID %s", question.sender or "no sender",
                 question.refusal, question.message_id)
        ledger.record_mail(MailQuestion(question.message_id, question.sender, question.subject, None,
                                        question.refusal, None, question.refs, _iso(now)))
        done.ignored.append((question.sender, question.refusal))
        return
    # The first candidate the bot understands, read after the thread's question when the mail is a
    # reply; none: the first as asked (its reply says what it knows).
    after = thread_questions(ledger, question.sender, question.subject, question.refs)
    replies: dict[str, Reply] = {}

    def ask(candidate: str) -> Reply:
        if candidate not in replies:
            replies[candidate] = answer(candidate, False, after)
        return replies[candidate]

    first = _question(question.candidates, ask)
    # More questions on lines of their own (»ledighed maj« / »ledighed Herlev maj«) are answered
    # in the same reply, in the mail's order; the record keeps them a line each.
    asked = "\n".join([line for line in question.lines if line == first or _asks(ask(line))][:MAX_ASKED]
                      if first in question.lines else [first])
    # the deliveries row keeps what was answered, for the audit
    text = "\n\n".join(ask(q).plain for q in asked.split("\n"))
    key = reply_key(question.message_id)
    with ledger.db.atomic():
        if not ledger.record_mail(MailQuestion(question.message_id, question.sender, question.subject, asked,
                                               "answered", key, question.refs, _iso(now))):
            done.known += 1  # another poll (`faktabot mail` beside the service) took it meanwhile
            return
        ledger.queue(key=key, target=None, kind=KIND, recipient=question.sender,
                     subject=reply_subject(question, asked), body=text, sample_data=False, now=now)
    log.info("mail: question from %s queued for a reply (%d bytes%s)", question.sender, fetched.size,
             ", read as header only" if fetched.truncated else "")
    done.answered.append(question.sender)


def _asks(reply: Reply) -> bool:
    return reply.understood and not reply.social


def _question(candidates: tuple[str, ...], answer: Callable[[str], Reply]) -> str:
    """The first candidate understood; a greeting (»Hej,«) only when nothing after it is asked;
    none understood: the first as asked (its reply says what the bot knows); none: »hjælp«."""
    greeting = None
    for candidate in candidates:
        result = answer(candidate)
        if result.understood and not result.social:
            return candidate
        if result.understood and greeting is None:
            greeting = candidate
    return greeting or (candidates[0] if candidates else "hjælp")


def _iso(now: datetime) -> str:
    return clock.stamp(now)
