"""The small `/health` listener for Socket Mode and local mode (HTTP mode answers `/health` on its
own port), opt-in with HEALTH_PORT. It answers GET /health with the JSON of `health.health` and
nothing else. I/O: a listening socket on HOST:HEALTH_PORT, the store.
"""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bot import clock
from bot.config import Config
from bot.service import ServiceError
from bot.service.health import Heartbeat, health
from bot.service.scheduler import refresh_intervals
from bot.settings import Settings
from indicators.wording import wording

log = logging.getLogger("faktabot.service")
Probe = Callable[[], tuple[int, dict]]
READ_SECONDS = 5.0  # a health check is one short GET


def sources_of(settings: Settings) -> list[str]:
    """The sources the service refreshes: Jobindsats only with a token (as `compose.refreshers`)."""
    return (["jobindsats"] if settings.jobindsats_token else []) + ["statbank"]


def probe(settings: Settings, config: Config, sources: Iterable[str] | None = None) -> Probe:
    """A function answering (HTTP status, report) for the running service at the time it is called."""
    wanted = list(sources) if sources is not None else sources_of(settings)
    heartbeat = Heartbeat(settings.db_path)

    def check() -> tuple[int, dict]:
        now = clock.now()
        return health(settings.db_path, now, heartbeat=heartbeat,
                      intervals=refresh_intervals(config, now, wanted))

    return check


def answer_health(handler: BaseHTTPRequestHandler, check: Probe) -> None:
    """Write `check()`'s answer as JSON to `handler`'s client (shared with the Slack HTTP listener)."""
    try:
        status, report = check()
    except Exception as error:  # a health check that fails is itself the answer: 503
        log.exception("health: the check failed")
        status, report = 503, {"status": "critical", "error": type(error).__name__}
    body = json.dumps(report, ensure_ascii=False).encode("utf-8")
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json; charset=utf-8")
    handler.send_header("Content-Length", str(len(body)))
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.write(body)


def bind_health(port: int, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """Take host:port for /health, before the service starts anything: a port in use stops `faktabot
    run` at once with one line (bound after the scheduler had started, a job that ran meanwhile
    ended in the scheduler's traceback). It answers once `serve_health` starts it."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = READ_SECONDS

        def do_GET(self) -> None:
            self.close_connection = True
            if self.path.partition("?")[0] != "/health":
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.send_header("Connection", "close")
                self.end_headers()
                return
            answer_health(self, self.server.check)

        def log_message(self, format: str, *args: object) -> None:
            log.debug("health: %s", format % args)

    try:
        server = ThreadingHTTPServer((host, port), Handler)
    except OSError as error:  # the port is taken (a second service, another program) or not ours to open
        raise ServiceError(wording("health_cannot_listen", host=host, port=port,
                                   error=error.strerror or error)) from None
    server.daemon_threads = True
    return server


def serve_health(check: Probe, port: int | None = None, host: str = "127.0.0.1", *,
                 server: ThreadingHTTPServer | None = None) -> ThreadingHTTPServer:
    """Answer GET /health in a daemon thread (anything else is a 404), on `server` (`bind_health`'s)
    or on host:port bound now."""
    server = server or bind_health(port, host)
    server.check = check
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="health",
                     daemon=True).start()
    log.info("health: listening on %s port %d, path /health", server.server_address[0], server.server_address[1])
    return server
