"""Which transport takes which recipient, built once from the settings (composition root part).

Slack when configured, else the outbox; email by SMTP when configured, else `.eml` files in the
outbox. Alerts, the summary, the fact sheet and the service all use this one wiring.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot import render
from bot.channels import Channel, Channels, OutboxChannel
from bot.email import EmailNoticeChannel, EmlOutbox, SmtpChannel
from bot.config import Config
from bot.settings import Settings


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
