"""A stand-in for Slack: the Web API over real HTTP, and Socket Mode over a real local websocket.

`FakeSlack` serves `/api/<method>` on 127.0.0.1 in a thread and records every call: auth.test,
chat.postMessage/update/postEphemeral, conversations.list/open, the three steps of files_upload_v2
(files.getUploadURLExternal, the upload URL, files.completeUploadExternal), views.publish/open,
apps.connections.open (which hands out the websocket's URL) and response URLs (`/webhook/…`).
A message's `slack_file` image block is refused, as Slack refuses it, unless the file's upload
was completed in a channel (`shares`). Faults are injected per method (`fail`). Tests wait with `wait_for`, which polls a condition
with a timeout, because the bot answers on worker threads after it has acknowledged.
"""
from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import parse_qsl

TEAM_ID, BOT_USER, BOT_ID = "T0KOMMUNE", "UFAKTABOT", "BFAKTABOT"
CHANNELS = {"beskaeftigelse-ledelse": "C0LEDELSE", "generelt": "C0GENERELT"}
_CHARTS = ("files.completeUploadExternal", "chat.postMessage")  # the calls that can put a chart in a thread


@dataclass(frozen=True)
class Call:
    method: str
    args: dict
    headers: dict
    at: float  # time.perf_counter() when the request arrived
    response: dict = field(default_factory=dict)  # what the fake answered


@dataclass
class Fault:
    error: str
    status: int = 200
    times: int = 1
    retry_after: int | None = None
    extra: dict = field(default_factory=dict)  # more of Slack's answer, e.g. missing_scope's "needed"
    carried: bool = False  # status 0 only: Slack carries the call out, then the connection drops


@dataclass
class FakeSlack:
    channels: dict[str, str] = field(default_factory=lambda: dict(CHANNELS))
    socket_url: str | None = None  # what apps.connections.open hands out
    calls: list[Call] = field(default_factory=list)
    uploads: dict[str, bytes] = field(default_factory=dict)
    shares: dict[str, str] = field(default_factory=dict)  # file id -> the channel its upload completed in
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    # The bot token's scopes, as auth.test's x-oauth-scopes header tells them: the manifest's.
    scopes: tuple[str, ...] = ("app_mentions:read", "im:history", "chat:write", "commands", "files:write",
                               "channels:read", "groups:read", "im:write")

    def __post_init__(self) -> None:
        self._changed = threading.Condition()
        self.connections = 0  # connections the bot opened (each may carry many calls)
        self.messages: list[dict] = []  # what chat.postMessage posted, as conversations.history lists it
        self._last_ts = 0.0
        self._charts: dict[str, list[Call]] = {}  # thread ts -> the calls that put a chart there
        self._ts = itertools.count(1)
        self._server = _Server(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    # -- life ------------------------------------------------------------------------------

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        return f"{self.base}/api/"

    # -- what tests use --------------------------------------------------------------------

    def fail(self, method: str, error: str, *, status: int = 200, times: int = 1, retry_after: int | None = None,
             carried: bool = False, **extra: object) -> None:
        """The next `times` calls of `method` fail with `error` (and HTTP `status`; 0: the connection
        drops without an answer, and with `carried` only after Slack has carried the call out);
        `extra` goes in the answer too, as Slack adds `needed` and `provided` to a missing_scope."""
        self.faults.setdefault(method, []).append(Fault(error, status, times, retry_after, dict(extra), carried))

    def delete_file(self, file_id: str) -> None:
        """Someone deleted an uploaded file in Slack: a block that shows it is refused from now on."""
        with self._changed:
            self.shares.pop(file_id, None)

    def to(self, method: str, where=None) -> list[Call]:
        with self._changed:
            return [c for c in self.calls if c.method == method and (where is None or where(c.args))]

    def wait_for(self, method: str, count: int = 1, where=None, timeout: float = 5.0) -> list[Call]:
        """Block until `count` calls of `method` (matching `where`) arrived; fail after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [c for c in self.calls if c.method == method and (where is None or where(c.args))]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = sorted({c.method for c in self.calls})
                    raise AssertionError(f"{count} × {method} not seen within {timeout} s; seen: {seen}")
                self._changed.wait(left)

    # -- the API ---------------------------------------------------------------------------

    def _record(self, method: str, args: dict, headers: dict, at: float, response: dict | None = None) -> None:
        call = Call(method, args, headers, at, response or {})
        with self._changed:
            self.calls.append(call)
            if method in _CHARTS and call.response.get("ok") and args.get("thread_ts") and (
                    method == "files.completeUploadExternal" or shows_file(args)):
                # Indexed as they arrive: a benchmark waiting for fifty charts does not scan every
                # call again on every call (the harness's cost, not the bot's).
                self._charts.setdefault(args["thread_ts"], []).append(call)
            self._changed.notify_all()

    def _fault(self, method: str) -> Fault | None:
        with self._changed:
            queue = self.faults.get(method) or []
            if not queue:
                return None
            fault = queue[0]
            fault.times -= 1
            if fault.times <= 0:
                queue.pop(0)
            return fault

    def answer(self, method: str, args: dict, token: str) -> dict:
        if method == "apps.connections.open":
            if not token.startswith("xapp-"):
                return {"ok": False, "error": "not_allowed_token_type"}
            return {"ok": True, "url": self.socket_url}
        if not token.startswith("xoxb-"):
            return {"ok": False, "error": "invalid_auth"}
        if method == "auth.test":
            return {"ok": True, "url": "https://kommune.slack.com/", "team": "Kommunen", "user": "faktabot",
                    "team_id": TEAM_ID, "user_id": BOT_USER, "bot_id": BOT_ID, "is_enterprise_install": False}
        if method in ("chat.postMessage", "chat.postEphemeral"):
            channel = str(args.get("channel", ""))
            if channel.startswith("#"):
                channel = self.channels.get(channel[1:], "")
            if not channel:
                return {"ok": False, "error": "channel_not_found"}
            if not self._files_shown(args.get("blocks")):
                # As Slack: a slack_file must be a file the bot can see; one uploaded without a
                # channel (or deleted since) is "invalid slack file".
                return {"ok": False, "error": "invalid_blocks", "errors": ["invalid slack file [json-pointer:/blocks]"]}
            with self._changed:  # Slack's ts: the time of posting, unique in the channel
                self._last_ts = max(time.time(), self._last_ts + 0.000001)
                ts = f"{self._last_ts:.6f}"
                message = {"type": "message", "text": args.get("text"), "ts": ts, "bot_id": BOT_ID,
                           "user": BOT_USER, **({"thread_ts": args["thread_ts"]} if args.get("thread_ts") else {})}
                if method == "chat.postMessage":
                    self.messages.append({"channel": channel, **message})
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method in ("conversations.history", "conversations.replies"):
            channel = str(args.get("channel", ""))
            needed = "im:history" if channel.startswith("D") else "channels:history"
            if needed not in self.scopes:
                return {"ok": False, "error": "missing_scope", "needed": needed}
            oldest = float(args.get("oldest") or 0)
            with self._changed:
                found = [{k: v for k, v in m.items() if k != "channel"} for m in self.messages
                         if m["channel"] == channel and float(m["ts"]) > oldest
                         and (m.get("thread_ts") == args.get("ts") if method == "conversations.replies"
                              else "thread_ts" not in m)]
            newest_first = method == "conversations.history"
            return {"ok": True, "messages": found[::-1] if newest_first else found, "has_more": False}
        if method == "chat.update":
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts"), "text": args.get("text")}
        if method == "conversations.list":
            return {"ok": True, "channels": [{"id": i, "name": n, "is_member": True} for n, i in self.channels.items()],
                    "response_metadata": {"next_cursor": ""}}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(args.get("users", "X"))[1:]}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):08d}"
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.base}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            files = args.get("files")
            files = json.loads(files) if isinstance(files, str) else files
            channel = args.get("channel_id") or str(args.get("channels", "")).split(",")[0]
            if channel:  # without a channel the file stays private to the bot
                with self._changed:
                    self.shares.update({f["id"]: channel for f in files or []})
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files or []]}
        if method in ("views.publish", "views.open"):
            view = args.get("view")
            view = json.loads(view) if isinstance(view, str) else view
            return {"ok": True, "view": {"id": "V0001", **(view or {})}}
        return {"ok": True}


    def _files_shown(self, layout: object) -> bool:
        """Whether every image block's slack_file in a message is an uploaded file shared in a channel."""
        layout = json.loads(layout) if isinstance(layout, str) else layout
        wanted = [b["slack_file"].get("id") for b in layout or [] if isinstance(b, dict) and "slack_file" in b]
        with self._changed:
            return all(file_id in self.shares for file_id in wanted)

    def charts_in(self, thread_ts: str) -> list[Call]:
        """The calls that put a chart in a thread, in order: an upload completed there, or a message
        showing a file uploaded before (a slack_file image block)."""
        with self._changed:
            return list(self._charts.get(thread_ts, ()))

    def wait_for_chart(self, thread_ts: str, timeout: float = 5.0) -> Call:
        """Block until a chart is in the thread (`charts_in`); the first one."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not (found := self.charts_in(thread_ts)):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no chart in thread {thread_ts} within {timeout} s")
                self._changed.wait(left)
            return found[0]


def shows_file(args: dict) -> bool:
    """Whether a chat.postMessage shows an uploaded file (a slack_file image block)."""
    layout = args.get("blocks")
    layout = json.loads(layout) if isinstance(layout, str) else layout
    return any(isinstance(b, dict) and "slack_file" in b for b in layout or [])


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def _handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # The headers and the body go out in two writes: on a connection kept open, Nagle's
        # algorithm holds the body back until the client's delayed ACK (40 ms on Linux), which no
        # real web server makes a client wait.
        disable_nagle_algorithm = True

        def setup(self) -> None:
            super().setup()
            with fake._changed:
                fake.connections += 1

        def do_POST(self) -> None:
            arrived = time.perf_counter()
            path, _, query = self.path.partition("?")
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            if path.startswith("/upload/"):
                fake.uploads[path.rsplit("/", 1)[1]] = raw
                fake._record("upload", {"file_id": path.rsplit("/", 1)[1], "size": len(raw)}, headers, arrived)
                self._send(200, b"OK - " + str(len(raw)).encode(), "text/plain")
                return
            args = dict(parse_qsl(query))
            if headers.get("content-type", "").startswith("application/json"):
                args.update(json.loads(raw or b"{}"))
            else:
                args.update(dict(parse_qsl(raw.decode("utf-8"))))
            if path.startswith("/webhook/"):
                fake._record("response_url", args, headers, arrived)
                self._send(200, b"ok", "text/plain")
                return
            if not path.startswith("/api/"):
                self._send(404, b"not found", "text/plain")
                return
            method = path[len("/api/"):]
            token = headers.get("authorization", "").removeprefix("Bearer ")
            fault = fake._fault(method)
            if fault is not None:
                body = {"ok": False, "error": fault.error, **fault.extra}
                if fault.status == 0 and fault.carried:  # done, and the answer is lost on the way
                    body = fake.answer(method, args, token)
                extra = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
                fake._record(method, args, headers, arrived, body)
                if fault.status == 0:  # the connection drops before an answer (a network fault)
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                self._send(fault.status, json.dumps(body).encode(), extra=extra)
                return
            body = fake.answer(method, args, token)
            # Recorded before the answer leaves, so a test that sees the call also sees the answer.
            fake._record(method, args, headers, arrived, body)
            extra = {"x-oauth-scopes": ",".join(fake.scopes)}
            self._send(200, json.dumps(body).encode(), extra=extra if method == "auth.test" else {})

        do_GET = do_POST

        def _send(self, status: int, body: bytes, content_type: str = "application/json", extra: dict | None = None):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    return Handler


class FakeSocketMode:
    """A local websocket server in the role of Slack's Socket Mode endpoint: says hello on connect,
    sends the envelopes a test gives it, and records the app's acknowledgements."""

    def __init__(self) -> None:
        from websockets.sync.server import (
            serve,  # only the Socket Mode tests need websockets
        )

        self.acks: list[dict] = []
        self._connections: list = []
        self._changed = threading.Condition()
        self._server = serve(self._session, "127.0.0.1", 0)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}/link/?ticket=test-ticket&app_id=A0FAKTABOT"

    def _session(self, connection) -> None:
        connection.send(json.dumps({"type": "hello", "num_connections": 1,
                                    "debug_info": {"host": "fake", "approximate_connection_time": 3600},
                                    "connection_info": {"app_id": "A0FAKTABOT"}}))
        with self._changed:
            self._connections.append(connection)
            self._changed.notify_all()
        try:
            for frame in connection:
                with self._changed:
                    self.acks.append(json.loads(frame))
                    self._changed.notify_all()
        finally:
            with self._changed:
                self._connections.remove(connection)

    def send(self, envelope: dict, timeout: float = 5.0) -> None:
        """Send an envelope to the connected app (waits for it to connect)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not self._connections:
                if not self._changed.wait(max(0.0, deadline - time.monotonic())):
                    raise AssertionError("the app did not connect to the Socket Mode server")
            connection = self._connections[-1]
        connection.send(json.dumps(envelope))

    def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> dict:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = next((a for a in self.acks if a.get("envelope_id") == envelope_id), None)
                if found is not None:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no acknowledgement of envelope {envelope_id} within {timeout} s")
                self._changed.wait(left)


# --- requests as Slack sends them -------------------------------------------------------------

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"  # the signing secret the tests configure


def signed_headers(body: str, content_type: str, secret: str = SECRET, timestamp: int | None = None) -> dict:
    """Slack's signature: v0=HMAC-SHA256(secret, "v0:{ts}:{body}") over the exact raw body."""
    import hashlib
    import hmac

    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def post(port: int, body: str, content_type: str, *, secret: str = SECRET, timestamp: int | None = None,
         extra: dict | None = None, host: str = "127.0.0.1") -> tuple[int, str]:
    """POST a signed request to the bot's /slack/events; returns (status, body)."""
    import http.client

    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.request("POST", "/slack/events", body=body.encode("utf-8"),
                           headers={**signed_headers(body, content_type, secret, timestamp), **(extra or {})})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        connection.close()


def event(inner: dict, event_id: str, team: str = TEAM_ID) -> str:
    return json.dumps({"token": "legacy", "team_id": team, "api_app_id": "A0FAKTABOT", "type": "event_callback",
                       "event_id": event_id, "event_time": int(time.time()), "event": inner})


def mention(text: str, ts: str, channel: str = "C0LEDELSE", user: str = "U0LEDER") -> dict:
    return {"type": "app_mention", "user": user, "text": f"<@{BOT_USER}> {text}", "ts": ts, "channel": channel,
            "event_ts": ts}


def direct_message(text: str, ts: str, user: str = "U0LEDER", **extra) -> dict:
    return {"type": "message", "channel_type": "im", "channel": "D0LEDER", "user": user, "text": text, "ts": ts,
            "event_ts": ts, **extra}


def command(text: str, base: str, channel: str = "C0LEDELSE", user: str = "U0LEDER", team: str = TEAM_ID) -> str:
    from urllib.parse import urlencode

    return urlencode({"token": "legacy", "team_id": team, "team_domain": "kommune", "channel_id": channel,
                      "channel_name": "beskaeftigelse-ledelse", "user_id": user, "user_name": "leder",
                      "command": "/faktabot", "text": text, "api_app_id": "A0FAKTABOT",
                      "response_url": f"{base}/webhook/T0KOMMUNE/1/abc", "trigger_id": "13345224609.738474920.8088930838d88f008e0"})


def interaction(payload: dict) -> str:
    from urllib.parse import quote

    return "payload=" + quote(json.dumps(payload))


def button(action_id: str, value: str, channel: str, message_ts: str, base: str, user: str = "U0LEDER") -> dict:
    return {"type": "block_actions", "team": {"id": TEAM_ID, "domain": "kommune"},
            "user": {"id": user, "username": "leder", "team_id": TEAM_ID}, "api_app_id": "A0FAKTABOT",
            "token": "legacy", "trigger_id": "trigger-1", "response_url": f"{base}/webhook/actions/1",
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": False},
            "channel": {"id": channel, "name": "beskaeftigelse-ledelse"},
            "message": {"type": "message", "ts": message_ts, "text": "alert", "bot_id": BOT_ID},
            "actions": [{"type": "button", "action_id": action_id, "block_id": f"alert:{value}", "value": value,
                         "action_ts": str(time.time())}]}


def note_submission(private_metadata: str, note: str, user: str = "U0LEDER") -> dict:
    return {"type": "view_submission", "team": {"id": TEAM_ID, "domain": "kommune"},
            "user": {"id": user, "username": "leder", "team_id": TEAM_ID}, "api_app_id": "A0FAKTABOT",
            "token": "legacy", "trigger_id": "trigger-2",
            "view": {"id": "V0001", "type": "modal", "callback_id": "alert_acknowledge_note",
                     "private_metadata": private_metadata, "team_id": TEAM_ID,
                     "state": {"values": {"note": {"note": {"type": "plain_text_input", "value": note}}}}}}
