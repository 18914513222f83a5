"""Running the Slack side: HTTP mode (`/slack/events` on PORT) or Socket Mode, plus its upkeep loop.

`serve(settings, config, stop)` is what `faktabot run` starts in its Slack thread; `start()` returns
the running pieces for tests and benchmarks. The HTTP listener is meant to sit behind a proxy on
127.0.0.1 but holds up on its own: a cap on connections, a deadline to read each request, the
signature checked before anything about a request is logged, and a 4xx for malformed input. The upkeep loop retries posts Slack did not take,
delivers subscribed figures, republishes App Home after each evaluation and forgets old event ids.
I/O: a listening socket or a websocket, Slack, the store.
"""
from __future__ import annotations

import gc
import json
import logging
import queue
import re
import sys
import threading
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer

from slack_bolt import App, BoltRequest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier

from bot.alerting.links import LINK_PATH
from bot.config import Config
from bot.service.healthserver import Probe, answer_health, probe
from bot.service.web import BoundedServer, DeadlineHandler, LinkHandler, answer_link
from bot.settings import Settings
from bot.slack import actions, posting, subscriptions
from bot.slack.app import Arrivals, SlackBot
from bot.slack.channel import SlackChannel
from bot.slack.listeners import build_app
from indicators.wording import wording

log = logging.getLogger("faktabot.slack")
EVENTS_PATH = "/slack/events"
UPKEEP_SECONDS = 30.0
MAX_BODY = 1_000_000  # Slack's payloads are far smaller; anything bigger is not Slack
MAX_CONNECTIONS = 64  # Slack sends a handful at a time; more at once is a flood, not Slack
READ_SECONDS = 10.0  # to read one request, headers and body; Slack sends it in one go
STARTUP_SECONDS = 30.0  # auth.test at start (or the Socket Mode connection), retries included
# The interpreter's thread switch interval while Slack is served: a thread waiting for the GIL gets
# it after this long (Python's default: 5 ms); with answer and upload threads busy, an
# acknowledgement would otherwise wait 5 ms at every turn.
SWITCH_SECONDS = 0.001
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: object, limit: int = 200) -> str:
    """Text from outside as it may go in a log record: control characters (a line break could forge
    a log line) written as escapes, and cut at `limit`."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))[:limit]


class OneLineRecords(logging.Filter):
    """Each record of the Slack loggers on one line: newlines in its arguments are escaped."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = printable(record.getMessage(), 2000), ()
        return True


ONE_LINE = OneLineRecords()
for _name in ("faktabot.slack", "faktabot.slack.bolt", "faktabot.slack.socket"):
    logging.getLogger(_name).addFilter(ONE_LINE)  # before Bolt copies the filters to its own loggers


def http_server(app: App, port: int, host: str = "127.0.0.1", *, signing_secret: str | None = None,
                max_connections: int = MAX_CONNECTIONS, read_seconds: float = READ_SECONDS,
                health: Probe | None = None, links: LinkHandler | None = None,
                arrivals: Arrivals | None = None) -> ThreadingHTTPServer:
    """An HTTP server that hands each signed POST to /slack/events to Bolt and answers GET /health.

    `/health` reports the service (`bot/service/health.py`: heartbeat, store, last refreshes) when
    `health` is given, as `faktabot run` does; a listener started on its own reports only itself.

    One thread per connection, at most `max_connections` at once; a request must arrive whole within
    `read_seconds` (a client sending a byte a second is cut off); one request per connection. A POST
    whose signature does not verify is refused with 401 and one log line, before its body is parsed
    or logged; malformed input gets a 400, 401 or 413. A signed event is answered 200 at once and
    handed to Bolt afterwards, on the dispatch thread, when `arrivals` says the burst is acknowledged."""
    verifier = SignatureVerifier(signing_secret) if signing_secret else None
    dispatcher = Dispatcher(app, arrivals)

    class Handler(DeadlineHandler):
        timeout = read_seconds  # each recv, and the whole request

        def do_POST(self) -> None:
            self.close_connection = True
            path, _, query = self.path.partition("?")
            if links is not None and path.startswith(LINK_PATH):  # one-click links (FAKTABOT_PUBLIC_URL)
                answer_link(self, "POST", links)
                return
            if path != EVENTS_PATH:
                self._answer(404, {}, "")
                return
            raw_length = self.headers.get("Content-Length", "")
            if not (raw_length.isascii() and raw_length.isdigit()):
                self._refuse(400, "a missing or malformed Content-Length")
                return
            length = int(raw_length)
            if length > MAX_BODY:
                self._refuse(413, f"a body of {length} bytes")
                return
            data = self.rfile.read(length)
            if len(data) < length:
                self.close_connection = True
                return  # the client hung up, or the deadline cut it off, mid-body
            self._deadline.cancel()
            try:
                body = data.decode("utf-8")
            except UnicodeDecodeError:
                self._refuse(400, "a body that is not UTF-8")
                return
            if verifier is not None and not self._signed(body):
                self._refuse(401, "a missing, stale or invalid signature")
                return
            headers = {name.lower(): self.headers.get_all(name) or [] for name in self.headers}
            if verifier is not None and _is_event(body):
                # An event wants nothing but a 200 within 3 s, whatever the listeners make of it:
                # say so now, and leave Bolt's parsing, routing and queueing to the dispatch thread,
                # so a burst of events is acknowledged at the speed of reading them (Slack's retries
                # are dropped by event id, after the ack, as before). Queued before the 200 is
                # written: a sender that waits for each 200 before the next event has its events
                # handed on in that order (queued after, the next one's handler thread could queue
                # first). The dispatch thread waits until this connection is shut anyway.
                dispatcher.put(body, query, headers)
                self._answer(200, {}, "")
                return
            try:
                request = BoltRequest(body=body, query=query, headers=headers)
            except ValueError:  # a signed body Bolt cannot parse (malformed JSON or form data)
                self._refuse(400, "a body that is neither JSON nor form data")
                return
            response = app.dispatch(request)
            self._answer(response.status, response.headers, response.body)

        def _signed(self, body: str) -> bool:
            timestamp = self.headers.get("X-Slack-Request-Timestamp", "")
            signature = self.headers.get("X-Slack-Signature", "")
            # SignatureVerifier would raise on a timestamp that is not a whole number (a 500).
            if not (timestamp.isascii() and timestamp.isdigit()):
                return False
            return verifier.is_valid(body=body, timestamp=timestamp, signature=signature)

        def _refuse(self, status: int, why: str) -> None:
            log.warning("slack: refused a request from %s to %s: %s (%d)", self.client_address[0],
                        printable(self.path, 100), why, status)
            self.close_connection = True
            self._answer(status, {}, "")

        def do_GET(self) -> None:
            self.close_connection = True
            if links is not None and self.path.startswith(LINK_PATH):
                answer_link(self, "GET", links)
                return
            if self.path.partition("?")[0] != "/health":
                self._answer(404, {}, "")
            elif health is not None:
                answer_health(self, health)
            else:
                self._answer(200, {"Content-Type": ["application/json"]}, '{"status": "ok", "listener": "slack"}')

        def _answer(self, status: int, headers: dict, body: str) -> None:
            data = body.encode("utf-8")
            self.send_response(status)
            for name, values in headers.items():
                if name.lower() not in ("content-length", "connection"):
                    for value in values:
                        self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            # http.server's own lines (the request line, errors) carry what the client sent.
            log.debug("http: %s", printable(format % args))

    return EventsServer((host, port), Handler, max_connections=max_connections, arrivals=arrivals,
                        dispatcher=dispatcher)


def _is_event(body: str) -> bool:
    """Whether a signed body is an Events API callback, the one kind whose answer is always an
    empty 200 (slash commands, clicks and modals may answer with content; url_verification too)."""
    if not body.startswith("{"):
        return False  # form data: a command or an interaction
    try:
        parsed = json.loads(body)
    except ValueError:
        return False  # Bolt refuses it below, with a 400
    return isinstance(parsed, dict) and parsed.get("type") == "event_callback"


class Dispatcher:
    """The thread that hands acknowledged events to Bolt, one at a time, when the listener has
    acknowledged what is arriving (`Arrivals`): the listeners only queue work, so one thread keeps up."""

    def __init__(self, app: App, arrivals: Arrivals | None):
        self.app, self.arrivals = app, arrivals
        self._events: queue.SimpleQueue[tuple[str, str, dict] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="slack-dispatch", daemon=True)
        self._thread.start()

    def put(self, body: str, query: str, headers: dict) -> None:
        if self.arrivals is not None:
            self.arrivals.queued()  # answers wait until it is handed on (`Arrivals.wait_quiet`)
        self._events.put((body, query, headers))

    def close(self) -> None:
        self._events.put(None)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while (event := self._events.get()) is not None:
            if self.arrivals is not None:
                self.arrivals.wait_acknowledged()
            body, query, headers = event
            try:
                self.app.dispatch(BoltRequest(body=body, query=query, headers=headers))
            except Exception:  # the listener wrapper: one bad event must not stop the others
                log.exception("slack: an acknowledged event could not be handled")
            finally:
                if self.arrivals is not None:
                    self.arrivals.dispatched()


class EventsServer(BoundedServer):
    # socketserver's default backlog of 5 resets connections when a burst of events and clicks
    # arrives at once (a channel full of people pressing the same button).
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], handler: type[DeadlineHandler], *, max_connections: int,
                 arrivals: Arrivals | None = None, dispatcher: Dispatcher | None = None):
        super().__init__(address, handler, max_connections=max_connections)
        self.arrivals, self.dispatcher = arrivals, dispatcher
        # One handler thread per connection slot, started now: a thread started per connection
        # costs the accept loop a wait for that thread to get the GIL, one connection at a time.
        self._accepted: queue.SimpleQueue[tuple | None] = queue.SimpleQueue()
        self._handlers = [threading.Thread(target=self._handle_accepted, name=f"slack-http-{number}", daemon=True)
                          for number in range(max_connections)]
        for thread in self._handlers:
            thread.start()

    def process_request(self, request, client_address) -> None:
        if not self.slots.acquire(blocking=False):  # over the cap: closed at once, as before
            self.shutdown_request(request)
            return
        self._accepted.put((request, client_address))

    def _handle_accepted(self) -> None:
        while (accepted := self._accepted.get()) is not None:
            self.process_request_thread(*accepted)  # handles, shuts the connection, frees its slot

    def server_close(self) -> None:
        super().server_close()
        for _ in self._handlers:
            self._accepted.put(None)
        for thread in self._handlers:
            thread.join(timeout=10)
        if self.dispatcher is not None:
            self.dispatcher.close()  # what was acknowledged is still handed to the listeners

    def verify_request(self, request, client_address) -> bool:
        # Counted from the accept, before the handler's thread starts, until the connection is
        # shut (`shutdown_request`, once per accepted connection): the answers wait for it.
        if self.arrivals is not None:
            self.arrivals.arrived()
        return True

    def shutdown_request(self, request) -> None:
        try:
            super().shutdown_request(request)
        finally:
            if self.arrivals is not None:
                self.arrivals.answered()


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


def start(settings: Settings, config: Config, *, port: int | None = None, host: str | None = None,
          upkeep_seconds: float = UPKEEP_SECONDS, read_seconds: float = READ_SECONDS,
          max_connections: int = MAX_CONNECTIONS, health: Probe | None = None, links: LinkHandler | None = None,
          **options) -> Running:
    """Build the app and start listening: Socket Mode when SLACK_APP_TOKEN is set, else HTTP on
    HOST:PORT (127.0.0.1 unless HOST says otherwise)."""
    sys.setswitchinterval(SWITCH_SECONDS)  # the listener's process: set once, as it starts serving
    bot = SlackBot(settings, config, **options)
    running = Running(bot)
    try:
        posting.missing_scopes(bot)
        if settings.socket_mode:
            running.socket = SocketModeHandler(build_app(bot), app_token=settings.slack_app_token,
                                               logger=logging.getLogger("faktabot.slack.socket"))
            running.socket.connect()
            log.info("slack: connected in Socket Mode")
        else:
            running.http = http_server(build_app(bot), settings.port if port is None else port,
                                       settings.host if host is None else host,
                                       signing_secret=settings.slack_signing_secret,
                                       max_connections=max_connections, read_seconds=read_seconds,
                                       health=health, links=links, arrivals=bot.arrivals)
            thread = threading.Thread(target=running.http.serve_forever, kwargs={"poll_interval": 0.05},
                                      name="slack-http", daemon=True)
            thread.start()
            running.threads.append(thread)
            log.info("slack: listening on %s port %d, path %s", running.http.server_address[0], running.port,
                     EVENTS_PATH)
    except BaseException:
        running.stop()
        raise
    upkeep_thread = threading.Thread(target=upkeep, args=(bot, running.stopping, upkeep_seconds),
                                     name="slack-upkeep", daemon=True)
    upkeep_thread.start()
    running.threads.append(upkeep_thread)
    return running


def serve(settings: Settings, config: Config, stop: threading.Event, *,
          startup_seconds: float = STARTUP_SECONDS, **options) -> None:
    """Run the Slack side until `stop` is set (`faktabot run`'s Slack thread). If it cannot start
    within `startup_seconds` (a refused token, a port in use, a Slack API that does not answer), it
    says so in one line and stops the service rather than run without Slack."""
    outcome: dict[str, object] = {}
    started = threading.Event()
    gave_up = threading.Event()

    def starting() -> None:
        try:
            outcome["running"] = start(settings, config, health=probe(settings, config), **options)
        except Exception as error:  # noqa: BLE001 - any start-up failure is reported by serve
            outcome["error"] = error
        started.set()
        if gave_up.is_set() and "running" in outcome:
            outcome["running"].stop()  # it came up after serve had given up on it

    threading.Thread(target=starting, name="slack-start", daemon=True).start()
    if not started.wait(startup_seconds):
        gave_up.set()
        if not started.is_set():
            log.error("slack: cannot start: no answer from the Slack API at %s within %g s; check SLACK_API_URL "
                      "and the network", settings.slack_api_url, startup_seconds)
            stop.set()
            return
    if "error" in outcome:  # the listener wrapper: one line, then the whole service stops
        log.error("slack: cannot start: %s", start_up_problem(outcome["error"]))
        stop.set()
        return
    running = outcome["running"]
    # What start-up loaded (Bolt, the Web API client, templates, the vocabulary) lives as long as
    # the service: out of the collector's sight, a full collection in a burst scans only what the
    # answers made since, not every module's objects again.
    gc.collect()
    gc.freeze()
    try:
        stop.wait()
    finally:
        running.stop()
        log.info("slack: stopped")


def start_up_problem(error: BaseException) -> str:
    """Why the Slack side could not start, and what to do: Slack's code and the setting to fix (the
    app-level token when Socket Mode's apps.connections.open refused it), else the error itself."""
    refused = error
    while refused is not None and not isinstance(refused, SlackApiError):
        refused = refused.__cause__ or refused.__context__
    if refused is None:
        return f"{error}; check SLACK_BOT_TOKEN, SLACK_API_URL, HOST and PORT"
    code = posting.describe(refused)[0]
    if "apps.connections.open" in (refused.response.api_url if refused.response is not None else ""):
        return f"{code} – {wording('slack_fix_app_token')}"
    if code in posting.FIXES:
        return posting.explain(refused)
    return f"{code}; check SLACK_BOT_TOKEN and SLACK_API_URL"


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
