"""The one HTTP seam every connector goes through (I/O): timeouts, retries and honest errors.

`HttpClient` wraps an `httpx.Client`. It retries on 429 and 5xx (and on timeouts and dropped
connections) with exponential backoff, honouring `Retry-After`; every other failure becomes a
`SourceError` whose message names the source, the table and what to do next.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class SourceError(Exception):
    """A source could not deliver. `permanent` says whether running again unchanged can help."""

    def __init__(self, message: str, *, source: str, table: str = "", permanent: bool = True,
                 status: int | None = None):
        super().__init__(message)
        self.source = source
        self.table = table
        self.permanent = permanent
        self.status = status


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to wait. Tests pass tiny numbers; production keeps the defaults."""

    attempts: int = 4  # tries in all, the first included
    backoff: float = 2.0  # seconds before the first retry; doubled after each
    max_wait: float = 60.0  # a longer Retry-After is cut to this
    timeout: float = 30.0  # seconds for connect, read and write each


# Turns an error answer's body into a sentence (Jobindsats' `cause`, StatBank's `message`).
Explain = Callable[[httpx.Response], str | None]


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:  # the HTTP-date form
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _body_excerpt(response: httpx.Response, limit: int = 200) -> str:
    text = response.text.strip().replace("\n", " ")
    return text[:limit] + ("…" if len(text) > limit else "")


class HttpClient:
    """One source's HTTP client. `sleep` is a parameter so tests can count waits instead of waiting."""

    def __init__(self, source: str, base_url: str, *, headers: Mapping[str, str] | None = None,
                 policy: RetryPolicy = RetryPolicy(), explain: Explain | None = None,
                 advice: Mapping[int, str] | None = None, sleep: Callable[[float], None] = time.sleep,
                 transport: httpx.BaseTransport | None = None, url_setting: str = ""):
        self.source = source
        self.url_setting = url_setting  # the setting that holds base_url, named in messages
        self.policy = policy
        self.explain = explain
        self.advice = dict(advice or {})
        self.sleep = sleep
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.client = httpx.Client(
            base_url=self.base_url, headers=dict(headers or {}), timeout=httpx.Timeout(policy.timeout),
            transport=transport, follow_redirects=True,
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> "HttpClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get_json(self, path: str, params: Mapping[str, str] | None = None, *, table: str = "") -> Any:
        response = self.request("GET", path, params=params, table=table)
        return self.decode_json(response, table)

    def decode_json(self, response: httpx.Response, table: str) -> Any:
        try:
            return json.loads(response.content)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            where = f"{self.source}, table {table}" if table else self.source
            begins = response.content[:40].decode("utf-8", "replace")
            raise SourceError(
                f"{where}: the answer is not valid JSON ({getattr(error, 'msg', error)} at byte "
                f"{getattr(error, 'pos', '?')} of {len(response.content)}; it begins {begins!r}); nothing was "
                f"stored. A cut-off answer passes: run `faktabot refresh` again later; if it repeats, check "
                f"that {self.base_url} is the API itself and not a proxy or login page.",
                source=self.source, table=table, permanent=False, status=response.status_code,
            ) from None

    def request(self, method: str, path: str, *, params: Mapping[str, str] | None = None,
                json_body: Any = None, table: str = "") -> httpx.Response:
        """Send one request, retrying what can be retried; the response is fully read."""
        where = f"{self.source}, table {table}" if table else self.source
        last_problem = ""
        for attempt in range(1, self.policy.attempts + 1):
            wait = self.policy.backoff * 2 ** (attempt - 1)
            try:
                response = self.client.request(method, path, params=params, json=json_body)
                response.read()
            except httpx.TimeoutException:
                last_problem = f"no answer within {self.policy.timeout:g} s"
            except (httpx.TransportError, httpx.DecodingError) as error:
                # Includes a body cut off before its Content-Length (RemoteProtocolError).
                last_problem = f"the connection failed ({type(error).__name__}: {error})"
            else:
                if response.status_code < 400:
                    return response
                if response.status_code not in RETRY_STATUSES:
                    raise self._error(response, where, table)
                last_problem = f"HTTP {response.status_code}"
                told = _retry_after(response)
                if told is not None:
                    wait = told
            if attempt < self.policy.attempts:
                self.sleep(min(wait, self.policy.max_wait))
        raise SourceError(
            f"{where}: {last_problem} after {self.policy.attempts} tries; nothing was stored. "
            f"Check that {self.base_url}{f' ({self.url_setting})' if self.url_setting else ''} is "
            "reachable and run `faktabot refresh` again later.",
            source=self.source, table=table, permanent=False,
        )

    def _error(self, response: httpx.Response, where: str, table: str) -> SourceError:
        status = response.status_code
        cause = (self.explain(response) if self.explain else None) or _body_excerpt(response) or "no details"
        advice = self.advice.get(status) or (
            "check the table and query in indicators/catalogue.toml" if 400 <= status < 500
            else "run `faktabot refresh` again later"
        )
        return SourceError(
            f"{where}: HTTP {status} – {cause}; nothing was stored. {advice[0].upper()}{advice[1:]}.",
            source=self.source, table=table, permanent=True, status=status,
        )
