"""Connections to the Slack Web API kept open between calls (HTTP keep-alive) for the bot's
`WebClient`. slack-sdk's own transport opens a connection per call with urllib: a TCP and a TLS
handshake to slack.com every time, and under a burst of answers most of a call's time. These are
the same requests over a few connections kept open, with the errors urllib raises, so slack-sdk's
retry handlers and `bot.slack.app.unconfirmed` read a failure exactly as before. I/O: the network.
Over the standard library's `http.client` rather than urllib3's pool: urllib3 raises one error for
a request that never left and for an answer cut off, and only the first may be sent again.
"""
from __future__ import annotations

import http.client
import io
import select
import ssl
import threading
import time
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import OpenerDirector, Request, getproxies, proxy_bypass

from slack_sdk import WebClient
from slack_sdk.web.file_upload_v2_result import FileUploadV2Result

# Connections kept open per host: a burst uses as many as there are threads calling at once;
# past this many idle, the others are closed when their call ends.
KEPT = 32
# A connection idle for longer is closed, not reused: a server (or a proxy on the way) may drop an
# idle connection at any moment, and a request written into a dropped one cannot tell whether it
# arrived. Well under the usual idle timeouts of 60 s and more.
IDLE_SECONDS = 20.0

Origin = tuple[str, str, int]  # scheme, host, port
URLLIB_AGENT = OpenerDirector().addheaders[0][1]  # "Python-urllib/3.11"
FORM = "application/x-www-form-urlencoded"


class KeptConnections:
    """HTTP/1.1 connections to a few hosts, kept open between requests and shared by threads: a
    request takes an idle one (the most recently used) or opens one, and gives it back once the
    whole answer is read."""

    def __init__(self, timeout: float, context: ssl.SSLContext | None = None, kept: int = KEPT,
                 idle_seconds: float = IDLE_SECONDS):
        self.timeout, self.kept, self.idle_seconds = timeout, kept, idle_seconds
        self._context = context
        self._idle: dict[Origin, list[tuple[http.client.HTTPConnection, float]]] = {}
        self._lock = threading.Lock()
        self.opened = 0  # connections opened so far (the tests read it)

    def send(self, request: Request) -> tuple[int, http.client.HTTPMessage, bytes]:
        """(status, headers, body) of a 2xx answer; any other status raises HTTPError, as urllib
        does (a redirect too, which urllib would follow: the Web API does not redirect). What fails
        while connecting or writing the request raises URLError (Slack did not get it whole); what
        fails while reading the answer is raised as it is (Slack may have acted on it)."""
        parts = urlsplit(request.full_url)
        origin = (parts.scheme, parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
        selector = parts.path + (f"?{parts.query}" if parts.query else "")
        connection = self._take(origin)
        # urllib's defaults where the request has none (http.client adds Host and Content-Length).
        headers = {"User-Agent": URLLIB_AGENT, **({"Content-Type": FORM} if request.data is not None else {})}
        headers.update({name.title(): value for name, value in request.header_items()})
        try:
            try:
                connection.request(request.get_method(), selector or "/", request.data, headers)
            except OSError as error:
                raise URLError(error) from error
            response = connection.getresponse()
            body = response.read()
        except BaseException:
            connection.close()
            raise
        if response.will_close:
            connection.close()
        else:
            self._give_back(origin, connection)
        if not 200 <= response.status < 300:
            raise HTTPError(request.full_url, response.status, response.reason, response.headers, io.BytesIO(body))
        return response.status, response.headers, body

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection, _ in connections:
                connection.close()

    def _take(self, origin: Origin) -> http.client.HTTPConnection:
        now = time.monotonic()
        while True:
            with self._lock:
                idle = self._idle.get(origin)
                kept = idle.pop() if idle else None
            if kept is None:
                break
            connection, since = kept
            if now - since < self.idle_seconds and not _dropped(connection):
                return connection
            connection.close()
        scheme, host, port = origin
        with self._lock:
            self.opened += 1
        if scheme == "https":
            return http.client.HTTPSConnection(host, port, timeout=self.timeout, context=self._tls())
        return http.client.HTTPConnection(host, port, timeout=self.timeout)

    def _give_back(self, origin: Origin, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            idle = self._idle.setdefault(origin, [])
            if len(idle) < self.kept:
                idle.append((connection, time.monotonic()))
                return
        connection.close()

    def _tls(self) -> ssl.SSLContext:
        # One context for every connection (urllib makes one per call, loading the CA store each time).
        with self._lock:
            if self._context is None:
                self._context = ssl.create_default_context()
                self._context.set_alpn_protocols(["http/1.1"])
            return self._context


def _dropped(connection: http.client.HTTPConnection) -> bool:
    """Whether an idle connection was closed by the other end (or has unasked-for bytes waiting):
    readable while idle means it cannot carry another request."""
    if connection.sock is None:
        return True
    try:
        if hasattr(select, "poll"):  # select() cannot watch a descriptor past 1024
            watch = select.poll()
            watch.register(connection.sock, select.POLLIN)
            return bool(watch.poll(0))
        readable, _, _ = select.select([connection.sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


class KeepAliveWebClient(WebClient):
    """slack-sdk's `WebClient` with its calls and its file uploads over `KeptConnections`; the
    retry handlers, rate limits and errors are slack-sdk's own. With a proxy (the `proxy`
    argument or the environment's), urllib's transport is used, as slack-sdk does."""

    def __init__(self, *args: object, kept: int = KEPT, **kwargs: object):
        super().__init__(*args, **kwargs)
        self.connections = KeptConnections(self.timeout, self.ssl, kept)
        # The environment's proxies, read once as urllib's opener reads them (reading them costs
        # a pass over the whole environment: more than the rest of a call).
        self._proxies = getproxies()
        self._bypassed: dict[str, bool] = {}

    def _proxied(self, url: str) -> bool:
        parts = urlsplit(url)
        if self.proxy is not None:
            return True
        if parts.scheme not in self._proxies:
            return False
        host = parts.hostname or ""
        if host not in self._bypassed:
            self._bypassed[host] = bool(proxy_bypass(host))
        return not self._bypassed[host]

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict:
        # The one call of slack-sdk's transport that opens a connection (its retry loop is the
        # caller); a test checks that this client still sends through here.
        if not url.lower().startswith("http") or self._proxied(url):
            return super()._perform_urllib_http_request_internal(url, req)
        status, headers, body = self.connections.send(req)
        if headers.get_content_type() == "application/gzip":  # admin.analytics.getFile
            return {"status": status, "headers": headers, "body": body}
        return {"status": status, "headers": headers, "body": body.decode(headers.get_content_charset() or "utf-8")}

    def _upload_file(self, *, url: str, data: bytes, logger, timeout: int, proxy, ssl) -> FileUploadV2Result:
        # files_upload_v2's second step: the bytes to the upload URL Slack handed out.
        if not url.lower().startswith("http") or self._proxied(url):
            return super()._upload_file(url=url, data=data, logger=logger, timeout=timeout, proxy=proxy, ssl=ssl)
        status, headers, body = self.connections.send(Request(url, data=data, method="POST"))
        return FileUploadV2Result(status=status, body=body.decode(headers.get_content_charset() or "utf-8"))
