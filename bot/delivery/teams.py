"""The Teams transport: each message as an Adaptive Card, posted to the channel's Power Automate
Workflows webhook (»Post to a channel when a webhook request is received«).

I/O: one HTTPS POST per message through httpx, with a deadline on the whole call. A 429 or 5xx
answer, or a connection that fails before the card is sent, is temporary (the ledger retries); a
timeout or a dropped connection while waiting for the answer is an unknown outcome (the workflow may
have posted the card: it is not resent blindly); any other 4xx, or a `teams:<navn>` without a
webhook, is permanent.
"""
from __future__ import annotations

from collections.abc import Mapping

import httpx

from bot.delivery.channels import DeliveryError, Message, OutcomeUnknown
from bot.rendering.cards import envelope, text_card
from bot.settings import teams_name
from indicators.wording import wording

TIMEOUT_SECONDS = 20.0  # Workflows usually answers 202 within a second; a minute-long hang is an outage


class TeamsChannel:
    name = "teams"

    def __init__(self, webhooks: Mapping[str, str], *, timeout: float = TIMEOUT_SECONDS,
                 transport: httpx.BaseTransport | None = None):
        self.webhooks = dict(webhooks)  # lower-case name -> URL (a secret: it is never logged)
        self.timeout = timeout
        self.transport = transport

    def send(self, message: Message) -> str:
        name = teams_name(message.recipient)
        url = self.webhooks.get(name)
        if url is None:
            raise DeliveryError(wording("teams_no_webhook", recipient=message.recipient, name=name.upper()),
                                permanent=True)
        card = message.card or text_card(message.subject, message.text)
        where = wording("teams_where", recipient=message.recipient)
        try:
            with httpx.Client(timeout=httpx.Timeout(self.timeout), transport=self.transport) as client:
                answer = client.post(url, json=envelope(card))
        except httpx.ReadTimeout:  # the whole card went out; the workflow may have posted it
            raise OutcomeUnknown(wording("teams_unconfirmed", where=where, why=wording(
                "teams_no_answer", seconds=f"{self.timeout:g}"))) from None
        except (httpx.ReadError, httpx.RemoteProtocolError) as error:
            raise OutcomeUnknown(wording("teams_unconfirmed", where=where, why=wording(
                "teams_dropped", kind=type(error).__name__))) from None
        except httpx.TimeoutException:
            raise DeliveryError(wording("teams_too_slow", where=where, seconds=f"{self.timeout:g}")) from None
        except httpx.HTTPError as error:
            raise DeliveryError(wording("teams_unreachable", where=where, kind=type(error).__name__)) from None
        if answer.status_code == 429 or answer.status_code >= 500:
            raise DeliveryError(wording("teams_answered", where=where, status=answer.status_code))
        if answer.status_code >= 400:
            raise DeliveryError(wording("teams_refused", where=where, status=answer.status_code,
                                        text=answer.text[:200], name=name.upper()), permanent=True)
        return f"{message.recipient} ({answer.status_code})"
