"""The Bolt app: one function builds it from the settings, with the safety middleware and listeners.

Composition root of the Slack side. Listeners only acknowledge (well within Slack's 3 s) and hand
the slow work — the store, charts, Web API calls — to a small worker pool (`SlackBot.later`);
what the work does lives in `questions.py` and `actions.py`. I/O: Slack and the store.
"""
from __future__ import annotations

import logging
import os
import re
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlite_utils import Database

from bot import clock
from bot.config import Config
from bot.delivery.ledger import Ledger
from bot.settings import Settings
from bot.slack import actions, blocks, questions
from bot.slack.records import SlackRecords
from bot.slack.rendering import ChartRenderer
from indicators.store import Store

log = logging.getLogger("faktabot.slack")
COMMAND = "/faktabot"
# Slack ids: channels (C), private channels and group DMs (G), DMs (D).
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]+$")


def web_client(settings: Settings) -> WebClient:
    """The Web API client: base URL from SLACK_API_URL; retries on 429 (honouring Retry-After),
    on a dropped connection and once on a 5xx."""
    # 15 s per call; with the retries a call that hangs gives up after about 45 s, and start-up
    # (auth.test) has its own overall deadline in server.serve.
    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=15)
    client.retry_handlers = [ConnectionErrorRetryHandler(max_retry_count=2),
                             RateLimitErrorRetryHandler(max_retry_count=2), ServerErrorRetryHandler(max_retry_count=1)]
    return client


class SlackBot:
    """Settings, config, clock and one store connection per thread, shared by every listener."""

    def __init__(self, settings: Settings, config: Config, *, clock: Callable[[], datetime] = clock.now,
                 client: WebClient | None = None, workers: int = 32, chart_processes: int | None = None):
        self.settings, self.config, self.clock = settings, config, clock
        self.client = client or web_client(settings)
        self._local = threading.local()
        with Store(settings.db_path) as store:  # migrate once, here, before any thread needs the tables
            SlackRecords(store.db)
            Ledger(store.db)
        # Seen event ids are checked before every acknowledgement, on whichever thread the request
        # arrived: one shared connection behind a lock, and no fsync per event (WAL + NORMAL keeps
        # them across a crash of the process, which is what a retry follows).
        connection = sqlite3.connect(settings.db_path, check_same_thread=False, timeout=5)
        connection.execute("PRAGMA synchronous = NORMAL")
        self._events = SlackRecords(Database(connection), migrate=False)
        self._events_lock = threading.Lock()
        # Workers mostly wait (on Slack, on a chart process), so a burst of questions gets one each.
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="slack-work")
        self.renderer = ChartRenderer((os.cpu_count() or 1) if chart_processes is None else chart_processes)
        self.allowed_channels = config.slack.channels
        self.allowed_users = config.slack.users
        self._app: App | None = None

    @property
    def app(self) -> App:
        """The Bolt app, built on first use (the delivery transport needs only the client)."""
        if self._app is None:
            self._app = self._build_app()
        return self._app

    # -- per-thread store ------------------------------------------------------------------

    def store(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = Store(self.settings.db_path)
            # The query log and the Slack tables are written by many threads at once; in WAL mode
            # NORMAL skips the fsync per commit and still survives a crash of the process.
            store.db.execute("PRAGMA synchronous = NORMAL")
            self._local.records = SlackRecords(store.db, migrate=False)
            self._local.ledger = Ledger(store.db)
        return store

    def records(self) -> SlackRecords:
        self.store()
        return self._local.records

    def ledger(self) -> Ledger:
        self.store()
        return self._local.ledger

    # -- work off the listener thread ------------------------------------------------------

    def later(self, name: str, work: Callable[..., object], *args: object) -> None:
        self.pool.submit(self._guarded, name, work, *args)

    @staticmethod
    def _guarded(name: str, work: Callable[..., object], *args: object) -> None:
        # The Slack listener wrapper: the one place here that catches broadly, so one failing
        # answer is logged with its traceback and the next question is still answered.
        try:
            work(*args)
        except Exception:
            log.exception("slack: %s failed", name)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=False)
        self.renderer.close()
        with self._events_lock:
            self._events.db.close()

    # -- the app ---------------------------------------------------------------------------

    def _build_app(self) -> App:
        settings = self.settings
        app = App(
            client=self.client,
            name="faktabot",
            logger=logging.getLogger("faktabot.slack.bolt"),
            signing_secret=settings.slack_signing_secret or "",
            # Socket Mode needs no signing secret: Slack authenticates the websocket instead.
            request_verification_enabled=not settings.socket_mode,
            token_verification_enabled=True,  # auth.test at start: a wrong token fails at once
            listener_executor=ThreadPoolExecutor(max_workers=10, thread_name_prefix="slack-ack"),
        )
        app.middleware(self._guard)
        app.event("app_mention")(self._acked("mention", questions.on_mention))
        app.event("message", matchers=[lambda event: event.get("channel_type") == "im"])(
            self._acked("direct message", questions.on_direct_message))
        app.event("message")(lambda ack: ack())  # other messages (edits, channels) need no answer
        app.event("app_home_opened")(self._acked("home", actions.on_home_opened))
        app.command(COMMAND)(lambda ack, command, respond: questions.on_command(self, ack, command, respond))
        app.action(blocks.SNOOZE_WEEK)(self._acked("snooze", actions.on_snooze, 7))
        app.action(blocks.SNOOZE_MONTH)(self._acked("snooze", actions.on_snooze, 30))
        # The modal must open within 3 s of the click (trigger_id), so this one runs on the listener thread.
        app.action(blocks.ACKNOWLEDGE)(
            lambda ack, body, client: actions.on_acknowledge_clicked(self, ack, body, client))
        app.view(blocks.ACK_VIEW)(lambda ack, body, view: actions.on_note_submitted(self, ack, body, view))
        app.action(blocks.DEVELOPMENT)(self._acked("development", actions.on_development))
        app.error(lambda error, body: log.error("slack: listener failed: %s", error, exc_info=error))
        return app

    def _acked(self, name: str, work: Callable[..., object], *extra: object) -> Callable[..., None]:
        """A listener that acknowledges at once and leaves `work(bot, body, *extra)` to the pool."""

        def listener(ack: Callable[..., object], body: dict) -> None:
            ack()
            self.later(name, work, self, body, *extra)

        return listener

    def _guard(self, body: dict, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        """Before any listener: the configured workspace, channels and users only; an event Slack
        already delivered (a retry or a replay, by `event_id`, remembered across restarts) is
        answered 200 and dropped — a middleware that skipped next() would make Bolt answer 404."""
        refusal = self._refusal(body)
        if refusal is not None:
            return refusal
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not self._first_time(str(event_id)):
            log.info("slack: event %s already handled; dropped", event_id)
            return BoltResponse(status=200, body="")
        return next()

    def _first_time(self, event_id: str) -> bool:
        with self._events_lock:
            return self._events.first_time(event_id, self.clock())

    def _refusal(self, body: dict) -> BoltResponse | None:
        team = self.settings.slack_team_id
        teams = _teams(body)
        if team and any(t != team for t in teams):
            log.warning("slack: request from workspace %s refused (SLACK_TEAM_ID is %s)", ",".join(sorted(teams)), team)
            return _refused(body, blocks.word("refused", "workspace"))
        user, channel = _user(body), _channel(body)
        if self.allowed_users and user and user not in self.allowed_users:
            log.warning("slack: user %s is not in faktabot.toml [slack] users; ignored", user)
            return _refused(body, "")
        if self.allowed_channels and channel and not channel.startswith("D") and channel not in self.allowed_channels:
            log.warning("slack: channel %s is not in faktabot.toml [slack] channels; ignored", channel)
            return _refused(body, "")
        return None


def build_app(settings: Settings, config: Config, **options) -> App:
    """The Bolt app for these settings (token, signing secret or Socket Mode, API base URL) and config."""
    return SlackBot(settings, config, **options).app


def _refused(body: dict, text: str) -> BoltResponse:
    # A slash command shows the body to the user who typed it; events and actions want an empty 200.
    if body.get("command") and text:
        return BoltResponse(status=200, body=text)
    return BoltResponse(status=200, body="")


def _teams(body: dict) -> set[str]:
    """Every workspace a request names: the app's, the user's (Slack Connect), the event's."""
    found = {body.get("team_id"), body.get("user", {}).get("team_id") if isinstance(body.get("user"), dict) else None}
    if isinstance(body.get("team"), dict):
        found.add(body["team"].get("id"))
    event = body.get("event") or {}
    found.update({event.get("team"), event.get("user_team")})
    return {t for t in found if t}


def _user(body: dict) -> str | None:
    if isinstance(body.get("user"), dict):
        return body["user"].get("id")
    return body.get("user_id") or (body.get("event") or {}).get("user")


def _channel(body: dict) -> str | None:
    channel = body.get("channel_id") or (body.get("event") or {}).get("channel")
    if channel is None and isinstance(body.get("channel"), dict):
        channel = body["channel"].get("id")
    return channel if isinstance(channel, str) and _CHANNEL_ID.match(channel) else None
