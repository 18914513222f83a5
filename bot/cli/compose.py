"""The composition root: the one place that wires settings and config into stores' neighbours —
delivery channels, the email transport, the data connectors, the service and Slack.

Everything below takes its collaborators as parameters; only this module chooses them. Slack
(slack-bolt) is imported only when it is configured.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from bot import clock
from bot.alerting import links
from bot.alerting.watch import LinkMaker
from bot.config import Config
from bot.delivery.channels import Channel, Channels, OutboxChannel
from bot.delivery.email import EmailNoticeChannel, EmlOutbox, SmtpChannel
from bot.delivery.entra import AppToken
from bot.delivery.imap import Mailbox
from bot.delivery.ledger import Ledger
from bot.rendering import render
from bot.rendering.terminal import for_terminal
from bot.service import web
from bot.service.healthserver import probe
from bot.service.jobs import Service
from bot.settings import Settings
from indicators.catalogue import default_areas, default_catalogue
from indicators.connectors import Connector, RetryPolicy, wanted_from
from indicators.refresh import RunResult, refresh_source
from indicators.store import Store


def email_transport(settings: Settings) -> SmtpChannel | EmlOutbox:
    """SMTP when SMTP_HOST is set, else `.eml` files in the outbox."""
    if settings.smtp_enabled:
        return SmtpChannel(settings.smtp_host, settings.smtp_port, security=settings.smtp_security,
                           user=settings.smtp_user, password=settings.smtp_password, sender=settings.mail_from,
                           timeout=settings.smtp_timeout, deadline=settings.smtp_deadline)
    return EmlOutbox(settings.outbox)


def mailbox_for(settings: Settings) -> Callable[[], Mailbox] | None:
    """A new IMAP session per poll for ask by email, when FAKTABOT_IMAP_HOST is set."""
    if not settings.imap_enabled:
        return None
    token = None
    if settings.imap_auth == "oauth2":
        # One AppToken for the service's life: it keeps the token between polls until shortly before expiry.
        token = AppToken(settings.imap_tenant or "", settings.imap_client_id or "", settings.imap_client_secret or "",
                         authority=settings.imap_authority, timeout=settings.imap_timeout)
    return lambda: Mailbox(settings.imap_host, settings.imap_port, user=settings.imap_user or "",
                           password=settings.imap_password or "", security=settings.imap_security,
                           folder=settings.imap_folder, timeout=settings.imap_timeout, token=token)


def channels_for(settings: Settings, now: Callable[[], datetime] = clock.now, config: Config | None = None) -> Channels:
    """The channels for alerts, summaries and notices; "#kanal" goes to Slack when it is configured."""
    slack: Channel | None = None
    if settings.slack_enabled and config is not None:
        from bot.slack.server import (
            slack_channel,  # slack-bolt only when Slack is configured (start-up)
        )

        slack = slack_channel(settings, config)
    outbox = OutboxChannel(settings.outbox, lambda: now().strftime("%Y%m%dT%H%M%S"))
    email = EmailNoticeChannel(email_transport(settings), now, for_terminal,
                               lambda text: render.render("plain_email.html.j2", text=text))
    # "teams:<navn>" without any webhook set goes to the outbox, as Slack and email do unconfigured.
    teams = None
    if settings.teams_webhooks:
        from bot.delivery.teams import TeamsChannel  # httpx only when needed (the service's start-up time)

        teams = TeamsChannel(settings.teams_webhooks)
    return Channels(outbox=outbox, slack=slack, email=email, teams=teams)


def link_maker(settings: Settings) -> LinkMaker | None:
    """The signed one-click links alerts carry, when FAKTABOT_LINK_SECRET and FAKTABOT_PUBLIC_URL are set."""
    if not settings.links_enabled:
        return None
    return links.Signer(settings.link_secret, settings.public_url).alert_links


def link_handler(settings: Settings, config: Config,
                 now: Callable[[], datetime] = clock.now) -> web.LinkHandler | None:
    """What answers a click on a link: one store connection per request (the listener's threads)."""
    if not settings.links_enabled:
        return None
    signer = links.Signer(settings.link_secret, settings.public_url)

    def handle(method: str, path: str, form: dict[str, str]) -> tuple[int, str]:
        with Store(settings.db_path) as store:
            return links.handle(method, path, form, signer=signer, store=store, ledger=Ledger(store.db),
                                config=config, now=now())

    return handle


def web_runner(settings: Settings, config: Config) -> Callable[[threading.Event], None] | None:
    """The links' own listener on HOST:PORT, unless Slack's HTTP listener is there and serves them."""
    handle = link_handler(settings, config)
    if handle is None or settings.slack_http:
        return None
    # /health there reports the service as the health listener does (heartbeat, store, refreshes).
    return lambda stop: web.serve(handle, settings.host, settings.port, stop, health=probe(settings, config))


def connector_for(source: str, settings: Settings, policy: RetryPolicy, moment: datetime) -> Connector:
    """The Jobindsats or StatBank connector, with the settings' URLs and token."""
    from indicators.connectors import jobindsats, statbank  # httpx only to fetch (start-up time)

    if source == "jobindsats":
        return jobindsats.JobindsatsConnector(
            jobindsats.client(settings.jobindsats_api_url, settings.jobindsats_token or "", policy=policy))
    return statbank.StatbankConnector(statbank.client(settings.statbank_api_url, policy=policy),
                                      this_year=moment.year)


def refreshers(settings: Settings) -> dict[str, Callable[[Store, datetime], RunResult]]:
    """A refresh function per source that can run here: Jobindsats only with a token."""
    catalogue, areas = default_catalogue(), default_areas()

    def make(source: str) -> Callable[[Store, datetime], RunResult]:
        def refresh(store: Store, now: datetime) -> RunResult:
            connector = connector_for(source, settings, RetryPolicy(), now)
            try:
                # The unverified guesses the newest `sources --check` found are fetched as well.
                wanted = wanted_from(catalogue, source, [], confirmed=store.confirmed_sources())
                return refresh_source(store, connector, wanted, catalogue=catalogue,
                                      areas=areas, now=clock.stamp(now), secrets=settings.secrets)
            finally:
                connector.http.close()
        return refresh

    found = {"statbank": make("statbank")}
    if settings.jobindsats_token:
        found = {"jobindsats": make("jobindsats"), **found}
    return found


def slack_runner(settings: Settings, config: Config) -> Callable[[threading.Event], None] | None:
    """The Slack listener (Socket Mode or HTTP) when Slack settings are present, else None."""
    if not settings.slack_enabled:
        return None
    from bot.slack import (
        server,  # slack-bolt only when Slack is configured (start-up time)
    )

    return lambda stop: server.serve(settings, config, stop, links=link_handler(settings, config))


def build_service(settings: Settings, config: Config) -> Service:
    return Service(settings=settings, config=config, channels=channels_for(settings, clock.now, config),
                   email=email_transport(settings), refreshers=refreshers(settings), links=link_maker(settings),
                   mailbox=mailbox_for(settings))
