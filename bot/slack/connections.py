"""Connections to Slack's Web API kept open: one per thread and host, reused call after call.

slack_sdk's `WebClient` sends every call through `urllib.request.urlopen`, which opens a TCP (and
in production a TLS) connection per call and closes it after the answer. An answer in a thread
is four calls (the message, then the three steps of an upload), so a burst of fifty questions
opened two hundred connections. `KeptWebClient` is the same client with its two sending methods
(`_perform_urllib_http_request_internal` and `_upload_file`, private to slack_sdk 3.x; the lock
file pins the version they are read from) sending over a kept `http.client` connection instead.
Everything else (the request it builds, the retry handlers, `SlackResponse`) is slack_sdk's own.
I/O: the network.
"""
from __future__ import annotations

import http.client
import io
import logging
import threading
import time
import weakref
from collections.abc import Callable
from ssl import SSLContext
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request

from slack_sdk import WebClient
from slack_sdk.web.file_upload_v2_result import FileUploadV2Result

log = logging.getLogger("faktabot.slack")
# A connection idle for longer is closed and opened again rather than reused: servers close idle
# connections after a while (often 60 s), and a request written to one they closed is lost.
IDLE_SECONDS = 30.0
# A kept connection the server closed between calls fails on its next request with one of these,
# before any answer: the request is sent once more, on a new connection.
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, ConnectionAbortedError)


class KeptConnections:
    """Open connections by thread and (scheme, host, port); each used by its own thread only."""

    def __init__(self, idle_seconds: float = IDLE_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.idle_seconds, self.clock = idle_seconds, clock
        self._local = threading.local()
        self._every: weakref.WeakSet[http.client.HTTPConnection] = weakref.WeakSet()  # for close()
        self._lock = threading.Lock()

    def request(self, request: Request, timeout: float, context: SSLContext | None) -> tuple[int, Any, bytes]:
        """Send a urllib `Request` and read its whole answer: (status, headers, body). A status of
        400 or more raises `HTTPError`, as `urlopen` would, so slack_sdk's retry handlers see the
        same errors (a 429 with its Retry-After, a 5xx)."""
        parts = urlsplit(request.full_url)
        key = (parts.scheme, parts.hostname, parts.port)
        headers = dict(request.header_items())
        if request.data is not None and not any(name.lower() == "content-type" for name in headers):
            headers["Content-Type"] = "application/x-www-form-urlencoded"  # what urlopen would add
        kept: dict = self._kept()
        for attempt in (1, 2):
            connection, last_used = kept.pop(key, (None, 0.0))
            reused = connection is not None and self.clock() - last_used <= self.idle_seconds
            if connection is not None and not reused:
                connection.close()
            if not reused:
                connection = self._open(parts.scheme, parts.hostname or "", parts.port, timeout, context)
            try:
                try:
                    connection.request(request.get_method(), request.selector, body=request.data, headers=headers)
                except OSError as error:
                    if reused and attempt == 1 and isinstance(error, _STALE):
                        raise
                    raise URLError(error) from error  # as urlopen reports a failed send
                response = connection.getresponse()
                body = response.read()
            except _STALE:
                connection.close()
                if reused and attempt == 1:
                    continue  # the server had closed it while it was idle: once more, on a new one
                raise
            except BaseException:
                connection.close()
                raise
            if response.will_close:
                connection.close()
            else:
                kept[key] = (connection, self.clock())
            if response.status >= 400:
                raise HTTPError(request.full_url, response.status, response.reason, response.headers,
                                io.BytesIO(body))
            return response.status, response.headers, body
        raise AssertionError("unreachable")  # the loop returns or raises

    def close(self) -> None:
        """Close every kept connection (at shutdown)."""
        with self._lock:
            every = list(self._every)
        for connection in every:
            connection.close()

    def _kept(self) -> dict:
        kept = getattr(self._local, "kept", None)
        if kept is None:
            kept = self._local.kept = {}
        return kept

    def _open(self, scheme: str, host: str, port: int | None, timeout: float,
              context: SSLContext | None) -> http.client.HTTPConnection:
        if scheme == "https":
            connection = http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
        else:
            connection = http.client.HTTPConnection(host, port, timeout=timeout)
        with self._lock:
            self._every.add(connection)
        return connection


class KeptWebClient(WebClient):
    """slack_sdk's `WebClient`, sending over kept connections (`KeptConnections`). With a proxy
    configured it sends as slack_sdk does."""

    def __init__(self, *args: Any, connections: KeptConnections | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.connections = connections or KeptConnections()

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        if self.proxy is not None or not url.lower().startswith(("http://", "https://")):
            return super()._perform_urllib_http_request_internal(url, req)
        status, headers, body = self.connections.request(req, self.timeout, self.ssl)
        if headers.get_content_type() == "application/gzip":  # admin.analytics.getFile: bytes
            return {"status": status, "headers": headers, "body": body}
        return {"status": status, "headers": headers, "body": body.decode(headers.get_content_charset() or "utf-8")}

    def _upload_file(self, *, url: str, data: bytes, logger: logging.Logger, timeout: int,
                     proxy: str | None, ssl: SSLContext | None) -> FileUploadV2Result:
        # The second of files_upload_v2's three steps: the bytes, to the URL the first step gave.
        if proxy is not None or not url.lower().startswith(("http://", "https://")):
            return super()._upload_file(url=url, data=data, logger=logger, timeout=timeout, proxy=proxy, ssl=ssl)
        status, headers, body = self.connections.request(Request(url, data=data, method="POST"), timeout, ssl)
        return FileUploadV2Result(status=status, body=body.decode(headers.get_content_charset() or "utf-8"))
