"""Which transport takes which recipient, and the one loop that sends what the ledger has due.

Slack when configured, else the outbox; email by SMTP when configured, else `.eml` files in the
outbox. Alerts, the summary, the fact sheet and the service all use this wiring and `send_due`.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot import render
from bot.channels import Channel, Channels, DeliveryError, Message, OutboxChannel, is_email
from bot.email import EmailContent, EmailNoticeChannel, EmlOutbox, SmtpChannel
from bot.ledger import Delivery, Ledger
from bot.config import Config
from bot.settings import Settings

log = logging.getLogger("faktabot.delivery")


def email_transport(settings: Settings) -> SmtpChannel | EmlOutbox:
    if settings.smtp_enabled:
        return SmtpChannel(settings.smtp_host, settings.smtp_port, security=settings.smtp_security,
                           user=settings.smtp_user, password=settings.smtp_password, sender=settings.mail_from)
    return EmlOutbox(settings.outbox)


def channels_for(settings: Settings, clock: Callable[[], datetime], config: Config | None = None) -> Channels:
    """The channels for alerts, summaries and notices; "#kanal" goes to Slack when it is configured."""
    from bot.cli import for_terminal  # Slack mrkdwn -> plain text, shared with the terminal

    slack: Channel | None = None
    if settings.slack_enabled and config is not None:
        from bot.slack import slack_channel  # slack-bolt only when Slack is configured

        slack = slack_channel(settings, config)
    outbox = OutboxChannel(settings.outbox, lambda: clock().strftime("%Y%m%dT%H%M%S"))
    email = EmailNoticeChannel(email_transport(settings), clock, for_terminal,
                               lambda text: render.render("plain_email.html.j2", text=text))
    return Channels(outbox=outbox, slack=slack, email=email)


@dataclass
class Sent:
    """What one round of sending did."""

    sent: list[Delivery] = field(default_factory=list)  # with channel and location filled in
    failed: list[tuple[Delivery, str]] = field(default_factory=list)  # the delivery and the error


def send_due(ledger: Ledger, due: Iterable[Delivery], channels: Channels, now: datetime, *,
             email: SmtpChannel | EmlOutbox | None = None,
             email_content: Callable[[Delivery], EmailContent] | None = None) -> Sent:
    """Send each due delivery once: `sending` is recorded before, `sent` or `failed` after.

    Email addresses get `email_content(delivery)` through `email` when given (the summary's HTML,
    charts and PDF); every other message is the row's own text through the recipient's channel.
    """
    result = Sent()
    for delivery in due:
        rich = email is not None and email_content is not None and is_email(delivery.recipient)
        # Built before `sending` is recorded: a failure here must leave the row to be retried.
        content = email_content(delivery) if rich else None
        channel = email if rich else channels.for_recipient(delivery.recipient)
        ledger.sending(delivery.id, channel.name, now)
        try:
            if rich:
                where = email.send_email(delivery.recipient, content, delivery.key, now)
            else:
                where = channel.send(Message(delivery.recipient, delivery.subject, delivery.body, delivery.key,
                                             delivery.sample_data))
        except DeliveryError as error:
            log.warning("delivery %s to %s failed%s: %s", delivery.key, delivery.recipient,
                        " for good" if error.permanent else "", error)
            ledger.failed(delivery.id, str(error), error.permanent, now)
            result.failed.append((replace(delivery, channel=channel.name), str(error)))
            continue
        ledger.sent(delivery.id, where, now)
        result.sent.append(replace(delivery, channel=channel.name, location=where, status="sent"))
    return result
