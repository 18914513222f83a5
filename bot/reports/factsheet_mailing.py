"""Delivering the quarterly fact sheet exactly once per (quarter, recipient): ledger first, then send.

I/O: the store, the ledger, the channels and email. The PDF is built only when someone is due to
get it — it takes seconds, and the service's job asks daily.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from bot.config import Config
from bot.delivery.channels import Channels, is_email
from bot.delivery.email import Attachment, EmailContent
from bot.delivery.ledger import Ledger
from bot.delivery.sending import Sent, send_due
from bot.rendering import render
from bot.reports.factsheet import FigureFacts, TargetPaths, make_pdf
from indicators.catalogue import default_areas
from indicators.store import Store

KIND = "factsheet"


def send_factsheet(store: Store, ledger: Ledger, config: Config, quarter: str, *, now: datetime,
                   channels: Channels, email, target_paths: TargetPaths | None = None,
                   should_stop: Callable[[], bool] = lambda: False) -> Sent | None:
    """Queue the quarter's fact sheet for `[factsheet] recipients` and send what is due; None when
    every recipient already had it."""
    key = f"{KIND}:{quarter}"
    recipients = config.factsheet.recipients
    queued = {d.recipient for d in ledger.deliveries() if d.key == key}
    due = [d for d in ledger.due([KIND]) if d.key == key]
    if not due and queued >= set(recipients):
        return None
    kommune = default_areas().get(config.area).name
    sheet = make_pdf(store, config, quarter, target_paths)
    context = email_context(sheet.figures, quarter, kommune)
    subject = render.render("factsheet_email_subject.txt.j2", **context)
    text = render.render("factsheet_email.txt.j2", **context)
    # Slack and Teams get the same words but no file: they say where the PDF is instead of »vedhæftet«.
    post = render.render("factsheet_email.txt.j2", **context, medium="post",
                         emailed=any(is_email(r) for r in recipients))
    content = EmailContent(subject=subject, text=text, html=render.render("factsheet_email.html.j2", **context),
                           attachments=(Attachment(pdf_name(kommune, quarter), sheet.pdf),))
    for recipient in recipients:
        ledger.queue(key=key, target=None, kind=KIND, recipient=recipient, subject=subject,
                     body=text if is_email(recipient) else post, sample_data=context["sample"], now=now)
    due = [d for d in ledger.due([KIND]) if d.key == key]
    return send_due(ledger, due, channels, now, email=email, email_content=lambda delivery: content,
                     should_stop=should_stop)


def email_context(figures: Sequence[FigureFacts], quarter: str, kommune: str) -> dict:
    """What the email's subject, text and HTML say of the sheet: its quarter, the kommune, how many
    of its figures hold eksempeldata (as its first page counts them), and how many do not reach
    the quarter's end (the service sends a quarter on day 10 after it, before most of it is published)."""
    sampled = sum(1 for f in figures if f.sample_data)
    behind = sum(1 for f in figures if f.behind or f.empty)
    return {"quarter": quarter, "kommune": kommune, "sample": sampled > 0, "sampled": sampled, "figures": len(figures),
            "behind": behind}


def pdf_name(kommune: str, quarter: str) -> str:
    """The attachment's file name: `faktaark-ballerup-2026-Q3.pdf`."""
    return f"faktaark-{kommune.lower()}-{quarter}.pdf"
