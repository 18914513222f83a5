"""The Web API client keeps its connections to Slack open between calls (`bot/slack/connections.py`),
and a failure reads as it did over urllib's connection per call."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.error import URLError

import pytest

from bot.settings import load_settings
from bot.slack.app import web_client
from bot.slack.connections import KeepAliveWebClient, KeptConnections
from tests import fake_slack as slack


def _client(fake: slack.FakeSlack):
    settings = load_settings({"FAKTABOT_DB": "unused.db", "SLACK_BOT_TOKEN": "xoxb-test",
                              "SLACK_SIGNING_SECRET": slack.SECRET, "SLACK_API_URL": fake.url}, dotenv=None)
    return web_client(settings)


def test_calls_and_uploads_share_one_connection_kept_open(fake):
    client = _client(fake)
    client.auth_test()
    for number in range(3):
        client.chat_postMessage(channel="C0LEDELSE", text=f"svar {number}")
    client.files_upload_v2(channel="C0LEDELSE", file=b"\x89PNG-chart", filename="faktabot.png", title="Ledige")
    assert [c.method for c in fake.calls] == ["auth.test"] + ["chat.postMessage"] * 3 + [
        "files.getUploadURLExternal", "upload", "files.completeUploadExternal"]
    assert fake.uploads and list(fake.uploads.values()) == [b"\x89PNG-chart"]
    assert fake.connections == 1


def test_a_connection_dropped_mid_call_is_not_used_again_and_the_call_is_retried_where_it_may_be(fake):
    client = _client(fake)
    client.auth_test()
    fake.fail("conversations.list", "dropped", status=0)  # not a posting method: slack-sdk retries it
    assert client.conversations_list()["ok"]
    assert [c.method for c in fake.calls] == ["auth.test", "conversations.list", "conversations.list"]
    assert fake.connections == 2


def test_an_error_status_reaches_the_retry_handlers_and_the_connection_stays_usable(fake):
    client = _client(fake)
    fake.fail("chat.postMessage", "ratelimited", status=429, retry_after=0)
    assert client.chat_postMessage(channel="C0LEDELSE", text="svar")["ok"]
    assert len(fake.messages) == 1
    assert fake.connections == 1


class _ClosesWhenIdle(BaseHTTPRequestHandler):
    """A Web API that closes each connection after its answer without saying so (a server's or a
    proxy's idle timeout): the next call must not be written into the closed connection."""

    protocol_version = "HTTP/1.1"
    posted: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.posted.append(self.path)
        body = json.dumps({"ok": True, "channel": "C0LEDELSE", "ts": f"1764100000.{len(self.posted):06d}"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = True  # no "Connection: close": the client learns it from the socket

    def log_message(self, *args) -> None:
        pass


class _Closing(ThreadingHTTPServer):
    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.closed = threading.Semaphore(0)  # released as each connection is closed

    def shutdown_request(self, request) -> None:
        super().shutdown_request(request)
        self.closed.release()


@pytest.fixture
def closes_when_idle():
    _ClosesWhenIdle.posted = []
    server = _Closing(("127.0.0.1", 0), _ClosesWhenIdle)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_a_connection_the_server_closed_while_idle_is_not_used_again(closes_when_idle):
    # Written into the closed connection, a post would fail after going out whole, which the bot
    # must treat as "may have been posted" (it is neither retried nor lost: recorded, looked for).
    url = f"http://127.0.0.1:{closes_when_idle.server_address[1]}/api/"
    client = KeepAliveWebClient(token="xoxb-test", base_url=url, retry_handlers=[])
    for number in range(3):
        assert client.chat_postMessage(channel="C0LEDELSE", text=f"svar {number}")["ok"]
        assert closes_when_idle.closed.acquire(timeout=5)  # closed while the client is idle
    assert _ClosesWhenIdle.posted == ["/api/chat.postMessage"] * 3
    assert client.connections.opened == 3


@pytest.mark.parametrize("where", ["argument", "environment"])
def test_a_proxy_is_used_as_slack_sdk_uses_it(fake, monkeypatch, where):
    # Nothing listens at the proxy's address: the call fails there, and never reaches Slack directly.
    proxy = "http://127.0.0.1:9"
    if where == "environment":
        for name in ("no_proxy", "NO_PROXY"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("http_proxy", proxy)
    client = KeepAliveWebClient(token="xoxb-test", base_url=fake.url, retry_handlers=[],
                                proxy=proxy if where == "argument" else None)
    with pytest.raises(URLError):
        client.chat_postMessage(channel="C0LEDELSE", text="svar")
    assert fake.calls == [] and client.connections.opened == 0


def test_a_connection_idle_past_the_limit_is_closed_not_used_again(fake):
    # A server may drop an idle connection at any moment; one idle past the limit is not risked.
    client = _client(fake)
    client.connections = KeptConnections(timeout=5, idle_seconds=0.0)
    client.chat_postMessage(channel="C0LEDELSE", text="svar")
    client.chat_postMessage(channel="C0LEDELSE", text="svar igen")
    assert len(fake.messages) == 2
    assert fake.connections == 2 and client.connections.opened == 2
