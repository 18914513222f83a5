"""The Teams transport: each message as an Adaptive Card, posted to the channel's Power Automate
Workflows webhook (»Post to a channel when a webhook request is received«).

I/O: one HTTPS POST per message through httpx, with a deadline on the whole call. A 429 or 5xx
answer, a timeout or a dropped connection is temporary (the ledger retries); any other 4xx, or a
`teams:<navn>` without a webhook, is permanent.
"""
from __future__ import annotations

from collections.abc import Mapping

import httpx

from bot.delivery.channels import DeliveryError, Message
from bot.rendering.cards import envelope, text_card
from bot.settings import teams_name

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
            raise DeliveryError(f"no Teams webhook for {message.recipient}; set TEAMS_WEBHOOK_{name.upper()} to the "
                                "workflow's URL", permanent=True)
        card = message.card or text_card(message.subject, message.text)
        where = f"Teams workflow for {message.recipient}"
        try:
            with httpx.Client(timeout=httpx.Timeout(self.timeout), transport=self.transport) as client:
                answer = client.post(url, json=envelope(card))
        except httpx.TimeoutException:
            raise DeliveryError(f"{where} did not answer within {self.timeout:g} s; will retry") from None
        except httpx.HTTPError as error:
            raise DeliveryError(f"{where} is not reachable ({type(error).__name__}); will retry") from None
        if answer.status_code == 429 or answer.status_code >= 500:
            raise DeliveryError(f"{where} answered {answer.status_code}; will retry")
        if answer.status_code >= 400:
            raise DeliveryError(f"{where} refused the card: {answer.status_code} {answer.text[:200]!r}; check "
                                f"TEAMS_WEBHOOK_{name.upper()} and that the workflow is switched on", permanent=True)
        return f"{message.recipient} ({answer.status_code})"
