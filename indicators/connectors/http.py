"""The one HTTP seam every connector goes through (I/O): timeouts, retries and honest errors.

`HttpClient` wraps an `httpx.Client`. It retries on 429 and 5xx (and on timeouts and dropped
connections) with exponential backoff, honouring `Retry-After`; every other failure becomes a
`SourceError` whose message names the source, the table and what to do next.

Besides httpx's per-operation timeouts, every request has a total deadline (retries included),
and `deadline()` sets one for everything a refresh run sends: a server trickling one byte a
second cannot keep a run alive, because every socket read waits at most until the deadline.
"""
from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from indicators.wording import wording

if TYPE_CHECKING:
    import httpx


RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDACTED = "[redacted]"
# What looks like a credential in an error text: a bearer token, a `token=` style query or JSON
# value, a Slack token. A server echoing the request (a 401 page) must not put it in the store.
_SECRET_PATTERNS = (
    re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"(?i)(\b(?:access_token|token|api_?key|apikey|key|password|passwd|secret|signature|sig)=)[^&\s\"',;]+"),
    re.compile(r"(?i)(\"(?:access_token|token|api_?key|password|secret)\"\s*:\s*\")[^\"]*"),
    re.compile(r"\bx(?:ox[abposr]|app)-[A-Za-z0-9-]{8,}"),
)
_SECRET_HEADERS = ("authorization", "x-api-key", "api-key", "token", "cookie", "proxy-authorization")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every known secret value and anything that looks like a credential replaced."""
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    text = _SECRET_PATTERNS[0].sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    text = _SECRET_PATTERNS[1].sub(lambda m: f"{m.group(1)}{REDACTED}", text)
    text = _SECRET_PATTERNS[2].sub(lambda m: f"{m.group(1)}{REDACTED}", text)
    return _SECRET_PATTERNS[3].sub(REDACTED, text)


class SourceError(Exception):
    """A source could not deliver. `permanent` says whether running again unchanged can help."""

    def __init__(self, message: str, *, source: str, table: str = "", permanent: bool = True,
                 status: int | None = None):
        super().__init__(message)
        self.source = source
        self.table = table
        self.permanent = permanent
        self.status = status


class EmptyAnswer(SourceError):
    """HTTP 200 and the right shape, but not one row. The refresh decides: a failure of a table that
    has given rows before (an empty answer cannot be its news)."""

    def __init__(self, message: str, *, source: str, table: str):
        super().__init__(message, source=source, table=table, permanent=False)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to wait. Tests pass tiny numbers; production keeps the defaults."""

    attempts: int = 4  # tries in all, the first included
    backoff: float = 2.0  # seconds before the first retry; doubled after each
    max_wait: float = 60.0  # a longer Retry-After is cut to this
    timeout: float = 30.0  # seconds for connect, read and write each
    deadline: float = 120.0  # seconds for one request in all: every try, wait and byte of the answer
    # Bytes one answer may hold (after gzip): replayed from the real extracts, the largest is 1.5 MB. A body far
    # larger is no answer to a query (a proxy, a file server, a gzip bomb) and would fill the memory.
    max_bytes: int = 100_000_000


# When the current refresh run must be over; set by `deadline()`.
_RUN_DEADLINE: ContextVar[float | None] = ContextVar("faktabot_run_deadline", default=None)


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Every request sent inside ends within `seconds` from now (a refresh run's total deadline)."""
    if seconds is None:
        yield
        return
    until = time.monotonic() + seconds
    outer = _RUN_DEADLINE.get()
    token = _RUN_DEADLINE.set(until if outer is None else min(outer, until))
    try:
        yield
    finally:
        _RUN_DEADLINE.reset(token)


def run_deadline_passed() -> bool:
    until = _RUN_DEADLINE.get()
    return until is not None and time.monotonic() >= until


# Turns an error answer's body into a sentence (Jobindsats' `cause`, StatBank's `message`).
Explain = Callable[["httpx.Response"], str | None]


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime  # start-up time: rare, and email.utils loads socket

    try:  # the HTTP-date form
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _body_excerpt(response: httpx.Response, limit: int = 200) -> str:
    text = response.text.strip().replace("\n", " ")
    return text[:limit] + ("…" if len(text) > limit else "")


class _TooLarge(Exception):
    """An answer grew past `RetryPolicy.max_bytes` while it was read."""


class JsonLater:
    """A fetched JSON body, decoded once, when first read (`HttpClient.get_json_later`); decoding
    fails as `get_json` would, with the same SourceError, only then."""

    __slots__ = ("_client", "_decoded", "_response", "_table")
    _NOT_YET = object()

    def __init__(self, client: HttpClient, response: httpx.Response, table: str):
        self._client, self._response, self._table = client, response, table
        self._decoded: Any = self._NOT_YET

    @property
    def raw(self) -> bytes:
        return self._response.content

    def decoded(self) -> Any:
        if self._decoded is self._NOT_YET:
            self._decoded = self._client.decode_json(self._response, self._table)
        return self._decoded


class HttpClient:
    """One source's HTTP client. `sleep` is a parameter so tests can count waits instead of waiting."""

    def __init__(self, source: str, base_url: str, *, headers: Mapping[str, str] | None = None,
                 policy: RetryPolicy = RetryPolicy(), explain: Explain | None = None,
                 advice: Mapping[int, str] | None = None, sleep: Callable[[float], None] = time.sleep,
                 transport: httpx.BaseTransport | None = None, url_setting: str = "",
                 rerun: str = "faktabot refresh"):
        self.source = source
        self.rerun = rerun  # the command a message says to run again: the one that asked
        self.url_setting = url_setting  # the setting that holds base_url, named in messages
        self.policy = policy
        self.explain = explain
        self.advice = dict(advice or {})  # status -> a messages.toml [errors] key saying what to do
        self.sleep = sleep
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        # Credential values this client sends, scrubbed from every message it makes.
        self.secrets = tuple(
            part for name, value in (headers or {}).items() if name.lower() in _SECRET_HEADERS
            for part in (value, value.split(" ", 1)[-1])
        )
        # Start-up time: httpx loads with the first client, not with every command that names a SourceError.
        import httpx

        from indicators.connectors.transport import DeadlineTransport

        self.client = httpx.Client(
            base_url=self.base_url, headers=dict(headers or {}), timeout=httpx.Timeout(policy.timeout),
            transport=transport or DeadlineTransport(), follow_redirects=True,
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get_json(self, path: str, params: Mapping[str, str] | None = None, *, table: str = "") -> Any:
        response = self.request("GET", path, params=params, table=table)
        return self.decode_json(response, table)

    def get_json_later(self, path: str, params: Mapping[str, str] | None = None, *,
                       table: str = "") -> JsonLater:
        """`get_json`, decoded when first read: the body's bytes as they came (what a refresh
        fingerprints) are at hand at once, and a table found unchanged is never decoded."""
        response = self.request("GET", path, params=params, table=table)
        return JsonLater(self, response, table)

    def decode_json(self, response: httpx.Response, table: str) -> Any:
        import orjson  # loaded with the first answer, not with every import

        try:
            # orjson decodes a Jobindsats answer several times faster than json; what it refuses
            # (NaN literals, integers past 64 bits, bad input) goes to json, which decides as it always did.
            return orjson.loads(response.content)
        except orjson.JSONDecodeError:
            pass
        try:
            return json.loads(response.content)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            begins = redact(response.content[:40].decode("utf-8", "replace"), self.secrets)
            raise SourceError(
                wording("http_not_json", rerun=self.rerun, where=self._where(table), error=getattr(error, "msg", error),
                        byte=getattr(error, "pos", "?"), size=len(response.content), begins=begins,
                        url=self.base_url),
                source=self.source, table=table, permanent=False, status=response.status_code,
            ) from None

    def request(self, method: str, path: str, *, params: Mapping[str, str] | None = None,
                json_body: Any = None, table: str = "") -> httpx.Response:
        """Send one request, retrying what can be retried; the response is fully read."""
        from indicators.connectors.transport import REQUEST_DEADLINE

        where = self._where(table)
        started = time.monotonic()
        until = started + self.policy.deadline
        run_until = _RUN_DEADLINE.get()
        by_run = run_until is not None and run_until < until
        if by_run:
            until = run_until
        token = REQUEST_DEADLINE.set(until)
        try:
            return self._attempts(method, path, params, json_body, table, where, until, started, by_run)
        finally:
            REQUEST_DEADLINE.reset(token)

    def _where(self, table: str) -> str:
        return wording("http_where_table", source=self.source, table=table) if table else self.source

    def _too_slow(self, where: str, table: str, started: float, until: float, by_run: bool) -> SourceError:
        limit = (wording("http_run_deadline", seconds=f"{max(0.0, until - started):.0f}") if by_run
                 else wording("http_request_deadline", seconds=f"{self.policy.deadline:g}"))
        return SourceError(
            wording("http_too_slow", rerun=self.rerun, where=where, limit=limit, url=self.base_url),
            source=self.source, table=table, permanent=False,
        )

    def _attempts(self, method: str, path: str, params: Mapping[str, str] | None, json_body: Any, table: str,
                  where: str, until: float, started: float, by_run: bool) -> httpx.Response:
        import httpx

        last_problem = ""
        unreachable = False  # the last try could not connect at all: the whole source is down
        for attempt in range(1, self.policy.attempts + 1):
            wait = self.policy.backoff * 2 ** (attempt - 1)
            if time.monotonic() >= until:
                raise self._too_slow(where, table, started, until, by_run)
            try:
                response = self._receive(method, path, params, json_body)
            except _TooLarge:
                setting = wording("http_url_setting", name=self.url_setting) if self.url_setting else ""
                raise SourceError(
                    wording("http_too_large", where=where, megabytes=f"{self.policy.max_bytes / 1e6:g}",
                            url=self.base_url, setting=setting),
                    source=self.source, table=table, permanent=True,
                ) from None
            except httpx.TimeoutException:
                if time.monotonic() >= until:
                    raise self._too_slow(where, table, started, until, by_run) from None
                last_problem = wording("http_no_answer", seconds=f"{self.policy.timeout:g}")
                unreachable = False
            except (httpx.TransportError, httpx.DecodingError) as error:
                unreachable = isinstance(error, httpx.ConnectError)
                # Includes a body cut off before its Content-Length (RemoteProtocolError).
                last_problem = redact(wording("http_connection_failed", kind=type(error).__name__, error=error),
                                      self.secrets)
            else:
                if response.status_code < 400:
                    return response
                if response.status_code not in RETRY_STATUSES:
                    raise self._error(response, where, table)
                last_problem = f"HTTP {response.status_code}"
                unreachable = False
                told = _retry_after(response)
                if told is not None:
                    wait = told
            if attempt < self.policy.attempts:
                wait = min(wait, self.policy.max_wait)
                if time.monotonic() + wait >= until:  # waiting would pass the deadline: say so now
                    raise self._too_slow(where, table, started, until, by_run)
                self.sleep(wait)
        setting = wording("http_url_setting", name=self.url_setting) if self.url_setting else ""
        failed = SourceError(
            wording("http_gave_up", rerun=self.rerun, where=where, problem=last_problem, attempts=self.policy.attempts,
                    url=self.base_url, setting=setting),
            source=self.source, table=table, permanent=False,
        )
        failed.unreachable = unreachable  # read by indicators.refresh: no table of this source can answer
        raise failed

    def _receive(self, method: str, path: str, params: Mapping[str, str] | None, json_body: Any) -> httpx.Response:
        """Send one request and read its answer whole, but no more than `policy.max_bytes` of it."""
        import httpx

        request = self.client.build_request(method, path, params=params, json=json_body)
        streamed = self.client.send(request, stream=True)
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in streamed.iter_bytes():  # decoded: a small gzip body cannot unpack past the limit
                size += len(chunk)
                if size > self.policy.max_bytes:
                    raise _TooLarge()
                chunks.append(chunk)
        finally:
            streamed.close()
        # The body as read, under the same status and headers (less those describing the encoded body).
        headers = [(name, value) for name, value in streamed.headers.multi_items()
                   if name.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
        return httpx.Response(streamed.status_code, headers=headers, content=b"".join(chunks), request=request)

    def _error(self, response: httpx.Response, where: str, table: str) -> SourceError:
        status = response.status_code
        cause = (self.explain(response) if self.explain else None) or _body_excerpt(response) \
            or wording("http_no_details")
        cause = redact(cause, self.secrets)
        advice = wording(self.advice.get(status) or ("http_fix_query" if 400 <= status < 500 else "http_fix_later"),
                         rerun=self.rerun)
        return SourceError(
            wording("http_status", where=where, status=status, cause=cause, advice=advice),
            source=self.source, table=table, permanent=True, status=status,
        )
