"""Delivering the monthly summary exactly once per (month, recipient): ledger first, then send.

I/O: the store, the ledger, Slack/outbox channels and email. Each recipient gets a deliveries row
before anything is sent (the dedup record); a failure is recorded and retried on the next run; a
row left in `sending` by a crash is never resent automatically (it may have gone out), and
`faktabot status` shows it to the operator.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from bot import clock
from bot.config import Config
from bot.delivery.channels import Channels, is_teams
from bot.delivery.email import Attachment, EmailContent, InlineImage
from bot.delivery.ledger import Ledger
from bot.delivery.sending import send_due
from bot.rendering import media
from bot.reports.factsheet import make_pdf
from bot.reports.factsheet_mailing import pdf_name
from bot.reports.summary import BoardRow, Summary, build_summary, render_summary, sheet_quarter, summary_content
from indicators import periods
from indicators.catalogue import default_areas, default_catalogue
from indicators.store import Store
from indicators.wording import wording

KIND = "summary"
TEST_KIND = "summary-test"  # a `--to` copy: tried once, never retried (bot.delivery.ledger.TRIED_ONCE_KINDS)


class SummaryError(ValueError):
    """A summary request the user can fix (no recipients, a bad month)."""


@dataclass
class SummaryRun:
    month: str
    queued: int = 0
    sent: list[tuple[str, str]] = field(default_factory=list)  # (recipient, where)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (recipient, error)
    final: list[str] = field(default_factory=list)  # of those, the recipients it is not tried again for
    unknown: list[str] = field(default_factory=list)  # of those, the recipients it may have reached
    already: list[str] = field(default_factory=list)  # recipients who had it before this run


def recipients(config: Config) -> list[str]:
    found = list(config.summary.recipients)
    if not found:
        raise SummaryError(wording("summary_no_recipients"))
    return found


def default_month(today: date) -> str:
    """The month before today's: the summary looks back on a finished month."""
    return str(periods.month(today.year, today.month).shift(-1))


def email_content(summary: Summary, store: Store, config: Config, target_paths=None) -> EmailContent:
    """The email: the plain-text and HTML parts rendered from the summary's message model, the
    charts inline, and the quarter's fact sheet as a PDF."""
    subject, _slack, text, html = render_summary(summary)
    quarter = sheet_quarter(summary.month)
    sheet = make_pdf(store, config, quarter, target_paths)
    return EmailContent(
        subject=subject, text=text, html=html,
        images=tuple(InlineImage(c.cid, c.png, c.alt) for c in summary.charts),
        attachments=(Attachment(pdf_name(summary.kommune, quarter), sheet.pdf),),
    )


def send_summary(store: Store, ledger: Ledger, config: Config, month: str, *, now: datetime,
                 channels: Channels, email, board: list[BoardRow] | None = None,
                 to: str | None = None, target_paths=None,
                 should_stop: Callable[[], bool] = lambda: False) -> SummaryRun:
    """Queue the summary for its recipients (or one test address) and send what is due."""
    targets = [to] if to else recipients(config)
    summary = build_summary(month, store, config, default_catalogue(), default_areas(), board,
                            today=now.date(), target_paths=target_paths)
    subject, text, _plain, _html = render_summary(summary)  # the row keeps the Slack text
    # A test send (--to) gets its own key each time, so it never blocks or is blocked by the real one.
    key = f"{KIND}:{month}" if to is None else f"{KIND}-test:{month}:{clock.stamp(now)}"
    run = SummaryRun(month=month)
    for recipient in targets:
        # The summary's Teams card says the fact sheet goes with the email: a card cannot carry a file.
        card = media.card(summary_content(summary)) if is_teams(recipient) else None
        if ledger.queue(key=key, target=None, kind=KIND if to is None else TEST_KIND, recipient=recipient, subject=subject, body=text,
                        sample_data=summary.sample_data, now=now, card=card) is None:
            run.already.append(recipient)
        else:
            run.queued += 1
    contents: dict[str, EmailContent] = {}

    def content_for(delivery) -> EmailContent:
        """The email of the delivery's month (a retried older month is built again), built once."""
        wanted = delivery.key.split(":")[1]
        if wanted not in contents:
            built = summary if wanted == month else build_summary(
                wanted, store, config, default_catalogue(), default_areas(), board, today=now.date(),
                target_paths=target_paths)
            contents[wanted] = email_content(built, store, config, target_paths)
        return contents[wanted]

    # A test sends its own copy only: the real recipients' retries wait for a real run.
    due = ledger.due([KIND]) if to is None else [d for d in ledger.due([TEST_KIND]) if d.key == key]
    result = send_due(ledger, due, channels, now, email=email, email_content=content_for,
                      should_stop=should_stop)
    run.sent = [(d.recipient, d.location) for d in result.sent]
    run.failed = [(d.recipient, error) for d, error in result.failed + result.unknown]
    run.final = [d.recipient for d, _error in result.failed if not d.retried]
    run.unknown = [d.recipient for d, _error in result.unknown]
    return run
