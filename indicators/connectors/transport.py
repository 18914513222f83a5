"""httpx's transport over sockets that end every read and write by the request's deadline (I/O).

Used only by `indicators.connectors.http.HttpClient`, which imports it with its first client: httpx
and httpcore then load only in the commands that fetch.
"""
from __future__ import annotations

import time
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

from indicators.wording import wording

# When the current request must be over (time.monotonic()); set by `HttpClient.request`, read by
# the network streams below.
REQUEST_DEADLINE: ContextVar[float | None] = ContextVar("faktabot_request_deadline", default=None)


def remaining(timeout: float | None, exc: type[Exception]) -> float | None:
    """A socket operation's timeout, cut to what is left of the request's deadline."""
    until = REQUEST_DEADLINE.get()
    if until is None:
        return timeout
    left = until - time.monotonic()
    if left <= 0:
        raise exc(wording("http_deadline_passed"))
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket whose every read and write ends by the request's deadline."""

    def __init__(self, inner: httpcore.NetworkStream):
        self.inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, remaining(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, remaining(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(self, ssl_context, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self.inner.start_tls(ssl_context, server_hostname,
                                                    remaining(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self.inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options=None) -> httpcore.NetworkStream:
        return _DeadlineStream(self.inner.connect_tcp(host, port, remaining(timeout, httpcore.ConnectTimeout),
                                                      local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options=None) -> httpcore.NetworkStream:
        return _DeadlineStream(self.inner.connect_unix_socket(path, remaining(timeout, httpcore.ConnectTimeout),
                                                              socket_options))

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's own transport over sockets that honour the request's deadline.

    httpx offers no total timeout and no public hook for the network backend, so the pool it
    builds is replaced by one with the same defaults over `_DeadlineBackend`.
    """

    def __init__(self) -> None:
        super().__init__()
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(), max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections, keepalive_expiry=limits.keepalive_expiry,
            network_backend=_DeadlineBackend(),
        )
