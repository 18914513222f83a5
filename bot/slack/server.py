"""Running the Slack side: HTTP mode (`/slack/events` on PORT) or Socket Mode, plus its upkeep loop.

`serve(settings, config, stop)` is what `faktabot run` starts in its Slack thread; `start()` returns
the running pieces for tests and benchmarks. The upkeep loop retries posts Slack did not take,
delivers subscribed figures, republishes App Home after each evaluation and forgets old event ids.
I/O: a listening socket or a websocket, Slack, the store.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from slack_bolt import App, BoltRequest
from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.config import Config
from bot.settings import Settings
from bot.slack import actions, posting, subscriptions
from bot.slack.app import SlackBot
from bot.slack.channel import SlackChannel
from bot.slack.listeners import build_app

log = logging.getLogger("faktabot.slack")
EVENTS_PATH = "/slack/events"
UPKEEP_SECONDS = 30.0
MAX_BODY = 1_000_000  # Slack's payloads are far smaller; anything bigger is not Slack


def http_server(app: App, port: int, host: str = "0.0.0.0") -> ThreadingHTTPServer:
    """A threaded HTTP server that hands each POST to /slack/events to Bolt (which verifies the
    signature) and answers GET /health; one thread per request, so a slow client blocks no one."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            path, _, query = self.path.partition("?")
            length = int(self.headers.get("Content-Length") or 0)
            if path != EVENTS_PATH or length > MAX_BODY:
                self._answer(404 if path != EVENTS_PATH else 413, {}, "")
                return
            body = self.rfile.read(length).decode("utf-8")
            headers = {name.lower(): self.headers.get_all(name) or [] for name in self.headers.keys()}
            response = app.dispatch(BoltRequest(body=body, query=query, headers=headers))
            self._answer(response.status, response.headers, response.body)

        def do_GET(self) -> None:
            self._answer(200 if self.path == "/health" else 404, {}, "ok" if self.path == "/health" else "")

        def _answer(self, status: int, headers: dict, body: str) -> None:
            data = body.encode("utf-8")
            self.send_response(status)
            for name, values in headers.items():
                if name.lower() != "content-length":
                    for value in values:
                        self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            log.debug("http: " + format, *args)

    server = EventsServer((host, port), Handler)
    return server


class EventsServer(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 resets connections when a burst of events and clicks
    # arrives at once (a channel full of people pressing the same button).
    request_queue_size = 128


@dataclass
class Running:
    """The Slack side, started: the bot, its HTTP server or Socket Mode handler, the upkeep thread."""

    bot: SlackBot
    http: ThreadingHTTPServer | None = None
    socket: SocketModeHandler | None = None
    stopping: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    @property
    def port(self) -> int | None:
        return self.http.server_address[1] if self.http else None

    def stop(self) -> None:
        if self.stopping.is_set():
            return
        self.stopping.set()
        if self.http:
            self.http.shutdown()
            self.http.server_close()
        if self.socket:
            self.socket.close()
        for thread in self.threads:
            thread.join(timeout=10)
        self.bot.close()


def start(settings: Settings, config: Config, *, port: int | None = None, host: str = "0.0.0.0",
          upkeep_seconds: float = UPKEEP_SECONDS, **options) -> Running:
    """Build the app and start listening: Socket Mode when SLACK_APP_TOKEN is set, else HTTP."""
    bot = SlackBot(settings, config, **options)
    running = Running(bot)
    try:
        if settings.socket_mode:
            running.socket = SocketModeHandler(build_app(bot), app_token=settings.slack_app_token,
                                               logger=logging.getLogger("faktabot.slack.socket"))
            running.socket.connect()
            log.info("slack: connected in Socket Mode")
        else:
            running.http = http_server(build_app(bot), settings.port if port is None else port, host)
            thread = threading.Thread(target=running.http.serve_forever, kwargs={"poll_interval": 0.05},
                                      name="slack-http", daemon=True)
            thread.start()
            running.threads.append(thread)
            log.info("slack: listening on port %d, path %s", running.port, EVENTS_PATH)
    except BaseException:
        running.stop()
        raise
    upkeep_thread = threading.Thread(target=upkeep, args=(bot, running.stopping, upkeep_seconds),
                                     name="slack-upkeep", daemon=True)
    upkeep_thread.start()
    running.threads.append(upkeep_thread)
    return running


def serve(settings: Settings, config: Config, stop: threading.Event) -> None:
    """Run the Slack side until `stop` is set (`faktabot run`'s Slack thread). If it cannot start
    (a refused token, a port in use), it says so and stops the service rather than run without Slack."""
    try:
        running = start(settings, config)
    except Exception as error:  # the listener wrapper: one line, then the whole service stops
        log.error("slack: cannot start: %s; check SLACK_BOT_TOKEN, SLACK_API_URL and PORT", error)
        stop.set()
        return
    try:
        stop.wait()
    finally:
        running.stop()
        log.info("slack: stopped")


def slack_channel(settings: Settings, config: Config) -> SlackChannel:
    """The transport the delivery layer uses for "#kanal" and "@U…" recipients."""
    return SlackChannel(SlackBot(settings, config, workers=1, chart_processes=0))


def upkeep(bot: SlackBot, stopping: threading.Event, every: float) -> None:
    last_evaluation: object = None
    while not stopping.wait(every):
        try:
            posting.retry_failed_posts(bot)
            subscriptions.deliver_new_figures(bot)
            evaluated = bot.ledger().last_evaluation()
            if evaluated != last_evaluation:
                last_evaluation = evaluated
                actions.publish_home(bot, bot.records().home_users())
            bot.records().forget_events(bot.clock())
        except Exception:  # the upkeep carries on; the next round tries again
            log.exception("slack: upkeep failed")
