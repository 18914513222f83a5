"""Shared fixtures: real SQLite files in tmp directories, the shipped sample data, the shared data."""
from __future__ import annotations

import csv
import gzip
import json
import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
from tests.fake_slack import FakeSlack
from tests.local_smtp import serving
from tests.shared_data import SHARED_DATA


@pytest.fixture(scope="session")
def sample_store_path(tmp_path_factory) -> Path:
    """A store built once per session by `faktabot init`, as a new user would."""
    path = tmp_path_factory.mktemp("sample") / "store.db"
    result = run_cli("init", db=path)
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def sample_store_copy(sample_store_path, tmp_path) -> Path:
    """A private copy of the sample store for tests that write."""
    target = tmp_path / "store.db"
    shutil.copy(sample_store_path, target)
    return target


def run_cli(*args: str, db: Path, config: Path | None = None, env: dict | None = None,
            input: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run `python -m bot` in a subprocess, the way a user runs `faktabot`."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("FAKTABOT_", "SLACK_", "SMTP_"))}
    full_env["FAKTABOT_DB"] = str(db)
    full_env["FAKTABOT_CONFIG"] = str(config or REPO / "faktabot.toml")
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=full_env,
        input=input, cwd=cwd or REPO, timeout=120,
    )


def real_value(table: str, area_name: str, period: str, group: str, measure: str) -> float:
    """A value straight from the shared real extract, for comparing with what the bot answers.

    On a machine without ../shared/data, the repository's own copy (indicators/sample/real.csv.gz)
    is read instead, with the csv module rather than the product's reader.
    """
    path = SHARED_DATA / "real" / "jobindsats_kommuner_2021-2026.csv"
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            cells = line.split(";")
            if cells[:5] == [table, area_name, period, group, measure] and cells[5] == "":
                return float(cells[6].replace(",", "."))
        raise LookupError((table, area_name, period, group, measure))
    indicator = {"Antal ledige fuldtidspersoner": "ledige",
                 "Ledige fuldtidspersoner i pct. af arbejdsstyrken 16-66 år": "ledighedsprocent"}[measure]
    code = {"Ballerup": "151", "Aarhus": "751", "Odense": "461"}[area_name]
    wanted = f"{period[:4]}-{period[5:]}"
    with gzip.open(REPO / "indicators" / "sample" / "real.csv.gz", "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if (row["indicator"], row["area"], row["period"], row["breakdown"]) == (indicator, code, wanted, ""):
                assert row["source"] == f"jobindsats:{table}"
                return float(row["value"])
    raise LookupError((table, area_name, period, group, measure))


@pytest.fixture
def fake():
    """A fake Slack Web API over real HTTP (tests/fake_slack.py), for the Slack tests."""
    with FakeSlack() as server_:
        yield server_


@pytest.fixture
def smtp():
    """A real local SMTP server (tests/local_smtp.py); its recorder keeps what it receives."""
    yield from serving()


class StatbankRefuses(BaseHTTPRequestHandler):
    """A StatBank stand-in (the service tests) that answers every request with a 400 and StatBank's JSON error."""

    def do_POST(self):
        body = json.dumps({"errorTypeCode": "ExtractError", "message": "Tabellen er ikke tilgængelig"}).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, *args):
        pass


@pytest.fixture
def statbank():
    """The URL of a local StatBank that refuses everything: a refresh that fails, store unchanged."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), StatbankRefuses)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1/"
    server.shutdown()
