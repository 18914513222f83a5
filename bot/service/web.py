"""The service's small web listener: the pages one-click links in alert emails and Teams cards open.

I/O: a listening socket on HOST:PORT (127.0.0.1 unless HOST says otherwise), meant to sit behind
the municipality's HTTPS proxy at FAKTABOT_PUBLIC_URL. When Slack runs in HTTP mode it listens on
that port already, and `bot/slack/server.py` serves the links there through `answer_link` instead.
Bounded like the Slack listener: a cap on connections, a deadline to read each request, small bodies.
"""
from __future__ import annotations

import heapq
import itertools
import logging
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from bot.alerting.links import LINK_PATH
from bot.service.healthserver import Probe, answer_health

log = logging.getLogger("faktabot.web")
# method, path, form fields -> HTTP status, HTML page (`bot.alerting.links.handle`, bound in compose)
LinkHandler = Callable[[str, str, dict[str, str]], tuple[int, str]]
MAX_FORM = 16_000  # a note and a name; anything bigger is not our form
MAX_CONNECTIONS = 32  # a handful of managers clicking; more at once is a flood
READ_SECONDS = 10.0
# The page holds no script and loads nothing; the token in the URL must not leak to other sites.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'self'; "
                               "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


def answer_link(request: BaseHTTPRequestHandler, method: str, handle: LinkHandler) -> None:
    """Answer one GET or POST to a link path on `request`'s connection (this listener's or Slack's)."""
    request.close_connection = True
    path = request.path.partition("?")[0]
    form: dict[str, str] = {}
    if method == "POST":
        raw = request.headers.get("Content-Length", "")
        if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_FORM:
            _write(request, 413 if raw.isdigit() else 400, "")
            return
        data = request.rfile.read(int(raw))
        if len(data) < int(raw):
            return  # the client hung up, or the read deadline cut it off
        try:
            fields = parse_qs(data.decode("utf-8"), max_num_fields=10)
        except (UnicodeDecodeError, ValueError):
            _write(request, 400, "")
            return
        form = {name: values[0] for name, values in fields.items()}
    try:
        status, page = handle(method, path, form)
    except Exception:  # the listener wrapper: log with the traceback, answer, carry on
        log.exception("web: a %s to a link failed", method)
        status, page = 500, "Faktabot kunne ikke svare lige nu. Prøv igen om lidt."
    log.info("web: %s link answered %d", method, status)  # never the token: it is a key
    _write(request, status, page, html=True)


def _write(request: BaseHTTPRequestHandler, status: int, body: str, html: bool = False) -> None:
    data = body.encode("utf-8")
    request.send_response(status)
    if html:
        request.send_header("Content-Type", "text/html; charset=utf-8")
        for name, value in SECURITY_HEADERS.items():
            request.send_header(name, value)
    request.send_header("Content-Length", str(len(data)))
    request.send_header("Connection", "close")
    request.end_headers()
    if request.command != "HEAD":
        request.wfile.write(data)


class BoundedServer(ThreadingHTTPServer):
    """A thread per connection, at most `max_connections`; past that a connection is closed at once,
    so a flood costs sockets, not threads, and the accept loop never waits."""

    daemon_threads = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], *, max_connections: int):
        super().__init__(address, handler)
        self.slots = threading.BoundedSemaphore(max_connections)

    def process_request(self, request, client_address) -> None:
        if not self.slots.acquire(blocking=False):
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


class Deadline:
    """One request's deadline in `Deadlines`; `cancel()` when the request arrived whole."""

    __slots__ = ("action",)

    def __init__(self, action: Callable[[], object]):
        self.action: Callable[[], object] | None = action

    def cancel(self) -> None:
        self.action = None


class Deadlines:
    """One thread that cuts off every overdue request of the process's listeners. A timer thread
    per request would cost a thread start, and a wait for it to get the GIL, on each request: in
    a burst of Slack events that is most of an acknowledgement's time."""

    def __init__(self) -> None:
        self._due: list[tuple[float, int, Deadline]] = []
        self._changed = threading.Condition()
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def add(self, seconds: float, action: Callable[[], object]) -> Deadline:
        deadline = Deadline(action)
        with self._changed:
            heapq.heappush(self._due, (time.monotonic() + seconds, next(self._order), deadline))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="web-deadlines", daemon=True)
                self._thread.start()
            elif self._due[0][2] is deadline:
                self._changed.notify()
        return deadline

    def _run(self) -> None:
        while True:
            with self._changed:
                while self._due and self._due[0][2].action is None:
                    heapq.heappop(self._due)  # cancelled: the request arrived in time
                if not self._due:
                    self._changed.wait()
                    continue
                left = self._due[0][0] - time.monotonic()
                if left > 0:
                    self._changed.wait(left)
                    continue
                action = heapq.heappop(self._due)[2].action
            if action is not None:
                action()


DEADLINES = Deadlines()


class DeadlineHandler(BaseHTTPRequestHandler):
    """A request handler with a deadline for the whole request, not only for each read: a client
    sending a byte a second is cut off when `timeout` seconds have passed. Shared by the link
    listener and Slack's HTTP listener."""

    protocol_version = "HTTP/1.1"
    timeout = READ_SECONDS  # each recv, and the whole request

    def setup(self) -> None:
        super().setup()
        self._deadline = DEADLINES.add(self.timeout, self._cut_off)

    def _cut_off(self) -> None:
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def finish(self) -> None:
        self._deadline.cancel()
        try:
            super().finish()
        except OSError:  # the client went away, or the deadline cut the connection
            pass

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (TimeoutError, ConnectionError, OSError):
            self.close_connection = True  # a dropped or cut-off connection is no error of ours


def link_server(handle: LinkHandler, host: str, port: int, *, max_connections: int = MAX_CONNECTIONS,
                read_seconds: float = READ_SECONDS, health: Probe | None = None) -> BoundedServer:
    """GET and POST under /link/ through `handle`, GET /health, 404 for the rest.

    `/health` reports the service (`bot/service/health.py`: heartbeat, store, last refreshes) when
    `health` is given, as `faktabot run` does, like the health listener and Slack's; without it the
    listener reports only that it answers."""

    class Handler(DeadlineHandler):
        timeout = read_seconds

        def _route(self, method: str) -> None:
            path = self.path.partition("?")[0]
            if path.startswith(LINK_PATH):
                answer_link(self, method, handle)
            elif path == "/health" and method == "GET" and health is not None:
                self.close_connection = True
                answer_health(self, health)
            elif path == "/health" and method != "POST":
                _write(self, 200, '{"status": "ok", "listener": "links"}')
            else:
                _write(self, 404, "")

        def do_GET(self) -> None:
            self._route("GET")

        def do_HEAD(self) -> None:
            self._route("HEAD")

        def do_POST(self) -> None:
            self._route("POST")

        def log_message(self, format: str, *args: object) -> None:
            pass  # the request line holds the link's token, a key; answer_link logs without it

    return BoundedServer((host, port), Handler, max_connections=max_connections)


def serve(handle: LinkHandler, host: str, port: int, stop: threading.Event, health: Probe | None = None) -> None:
    """Run the listener until `stop` is set (`faktabot run`'s web thread); a port that cannot be
    opened is said in one line and stops the service, as a Slack listener that cannot start does."""
    try:
        server = link_server(handle, host, port, health=health)
    except OSError as error:
        log.error("web: cannot listen on %s port %d: %s; check HOST and PORT", host, port, error.strerror)
        stop.set()
        return
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="web-http", daemon=True)
    thread.start()
    log.info("web: one-click links on %s port %d", host, server.server_address[1])
    try:
        stop.wait()
    finally:
        server.shutdown()
        server.server_close()
