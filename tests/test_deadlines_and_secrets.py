"""Issue 12, faults 6 and 11 (data side): a server trickling one byte a second cannot keep a request
or a refresh past its deadline, and a 401 echoing the token never puts the token in the store."""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

import pytest

from indicators.catalogue import default_areas, default_catalogue
from indicators.connectors import RetryPolicy, SourceError, jobindsats, wanted_from
from indicators.connectors.http import HttpClient
from indicators.refresh import refresh_source
from indicators.store import Store
from tests.replay import fingerprint

CATALOGUE = default_catalogue()
AREAS = default_areas()
NOW = "2026-08-01T00:00:00+00:00"
TOKEN = "s3cr3t-jobindsats-token-0123456789"


class Server:
    """A real local HTTP server in a thread, answering with `handle(handler)`."""

    def __init__(self, handle):
        self.stop = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                handle(self, outer.stop)

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v3/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def trickle(handler, stop) -> None:
    """One byte a second from the very first byte of the status line: no timeout between reads fires."""
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n" + b"[" + b" " * 38 + b"]"
    try:
        for byte in answer:
            if stop.wait(1.0):
                return
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
    except OSError:
        pass  # the client gave up, as it should
    handler.close_connection = True


def test_a_request_to_a_server_sending_one_byte_a_second_ends_at_its_deadline():
    with Server(trickle) as server:
        client = HttpClient("jobindsats", server.url, policy=RetryPolicy(attempts=3, backoff=0.01, timeout=5, deadline=2))
        started = time.monotonic()
        with pytest.raises(SourceError) as raised:
            client.get_json("tables", table="y25i01")
        took = time.monotonic() - started
        client.close()
    assert took < 3.5, took
    assert "intet fuldstændigt svar inden for fristen på 2 sek. for én forespørgsel" in str(raised.value)
    assert raised.value.permanent is False


def test_a_refresh_against_a_trickling_server_ends_within_its_deadline_and_changes_nothing(sample_store_copy):
    before = fingerprint(sample_store_copy)
    with Server(trickle) as server, Store(sample_store_copy) as store:
        connector = jobindsats.JobindsatsConnector(jobindsats.client(server.url, TOKEN, policy=RetryPolicy()))
        started = time.monotonic()
        result = refresh_source(store, connector, wanted_from(CATALOGUE, "jobindsats", ["ledige"]),
                                catalogue=CATALOGUE, areas=AREAS, now=NOW, deadline=2.0)
        took = time.monotonic() - started
        last = store.runs()[0]
    assert took < 3.5, took
    assert not result.ok and "opdateringens samlede frist" in result.error and "intet er gemt" in result.error
    assert (last["status"], last["error"]) == ("failed", result.error)
    assert fingerprint(sample_store_copy)[:2] == before[:2]


def echo_401(handler, stop) -> None:
    """A 401 page that echoes what it was sent, token included, as some gateways do."""
    body = (f'{{"cause": "Invalid token {handler.headers.get("Authorization")} for {handler.path}", '
            f'"token": "{TOKEN}"}}').encode()
    handler.send_response(401)
    handler.send_header("Content-Type", "text/plain")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def test_a_401_echoing_the_token_is_stored_and_shown_without_it(tmp_path):
    with Server(echo_401) as server, Store(tmp_path / "store.db", create=True) as store:
        connector = jobindsats.JobindsatsConnector(jobindsats.client(server.url, TOKEN, policy=RetryPolicy(attempts=1)))
        result = refresh_source(store, connector, wanted_from(CATALOGUE, "jobindsats", ["ledige"]),
                                catalogue=CATALOGUE, areas=AREAS, now=NOW)
        stored = store.runs()[0]["error"]
    assert not result.ok and "HTTP 401" in stored and "JOBINDSATS_TOKEN" in stored
    for text in (stored, result.error):
        assert TOKEN not in text and TOKEN[:12] not in text
        assert "[redacted]" in text


def test_a_configured_secret_is_scrubbed_from_any_recorded_error(tmp_path):
    class Leaky:
        name = "jobindsats"

        def plan(self, wanted, newest, *, full=False):
            raise SourceError(f"proxy said: bad credentials abc{TOKEN}xyz", source="jobindsats")

    with Store(tmp_path / "store.db", create=True) as store:
        result = refresh_source(store, Leaky(), [], catalogue=CATALOGUE, areas=AREAS, now=NOW, secrets=[TOKEN])
        stored = store.runs()[0]["error"]
    assert TOKEN not in stored and TOKEN not in result.error and "abc[redacted]xyz" in stored
