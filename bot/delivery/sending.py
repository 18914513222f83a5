"""The one send loop: every message the ledger has due goes out once, recorded before and after.

Alerts, the summary, the fact sheet and the staleness notices all send through `send_due`; which
transport takes which recipient is `Channels`' choice, wired in `bot/cli/compose.py`.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.delivery.channels import (
    Channels,
    Chart,
    DeliveryError,
    Message,
    OutcomeUnknown,
    is_email,
)
from bot.delivery.email import EmailContent, EmlOutbox, SmtpChannel
from bot.delivery.ledger import Delivery, Ledger
from bot.rendering.message import Content

log = logging.getLogger("faktabot.delivery")


@dataclass
class Sent:
    """What one round of sending did."""

    sent: list[Delivery] = field(default_factory=list)  # with channel and location filled in
    failed: list[tuple[Delivery, str]] = field(default_factory=list)  # the delivery and the error
    unknown: list[tuple[Delivery, str]] = field(default_factory=list)  # may have arrived; not retried blindly
    left: list[Delivery] = field(default_factory=list)  # not tried: a stop was asked for; still due


def send_due(ledger: Ledger, due: Iterable[Delivery], channels: Channels, now: datetime, *,
             email: SmtpChannel | EmlOutbox | None = None,
             email_content: Callable[[Delivery], EmailContent] | None = None,
             chart_for: Callable[[Delivery], Chart | None] | None = None,
             should_stop: Callable[[], bool] = lambda: False) -> Sent:
    """Send each due delivery once: `sending` is recorded before, `sent`, `failed` or `unknown` after.

    Email addresses get `email_content(delivery)` through `email` when given (the summary's HTML,
    charts and PDF); every other message is the row's own text through the recipient's channel.
    `should_stop` is asked before each delivery: once it says yes, the rest stay due for the next run.
    """
    result = Sent()
    due = list(due)
    for index, delivery in enumerate(due):
        if should_stop():
            result.left = due[index:]
            log.info("stopping: %d deliveries left for the next run", len(result.left))
            break
        rich = email is not None and email_content is not None and is_email(delivery.recipient)
        # Built before `sending` is recorded: a failure here must leave the row to be retried.
        content = email_content(delivery) if rich else None
        chart = chart_for(delivery) if chart_for is not None and not rich else None
        channel = email if rich else channels.for_recipient(delivery.recipient)
        ledger.sending(delivery.id, channel.name, now)
        try:
            if rich:
                where = email.send_email(delivery.recipient, content, delivery.key, now)
            else:
                where = channel.send(Message(delivery.recipient, delivery.subject, delivery.body, delivery.key,
                                             delivery.sample_data, chart, card=delivery.card,
                                             content=Content.from_dict(delivery.content) if delivery.content
                                             else None))
        except OutcomeUnknown as error:
            log.warning("delivery %s to %s: outcome unknown, not resent until an operator decides or the hold "
                        "passes: %s", delivery.key, delivery.recipient, error)
            ledger.unknown(delivery.id, str(error), now)
            result.unknown.append((replace(delivery, channel=channel.name, status="unknown", error=str(error),
                                           attempts=delivery.attempts + 1), str(error)))
            continue
        except DeliveryError as error:
            log.warning("delivery %s to %s failed%s: %s", delivery.key, delivery.recipient,
                        " for good" if error.permanent else "", error)
            ledger.failed(delivery.id, str(error), error.permanent, now)
            # As the ledger now has it: the attempt counted, and whether a retry can help.
            result.failed.append((replace(delivery, channel=channel.name, status="failed", error=str(error),
                                          attempts=delivery.attempts + 1, permanent=error.permanent), str(error)))
            continue
        ledger.sent(delivery.id, where, now)
        result.sent.append(replace(delivery, channel=channel.name, location=where, status="sent"))
    return result
