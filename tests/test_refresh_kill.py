"""A refresh killed with SIGKILL mid-run leaves a consistent store, and the next refresh completes."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

from tests.conftest import REPO, run_cli
from tests.replay import TOKEN, ReplayServer, fingerprint


def test_a_refresh_killed_mid_run_leaves_the_store_consistent_and_the_next_one_completes(sample_store_copy):
    before = fingerprint(sample_store_copy)
    with ReplayServer(delay=0.2) as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FAKTABOT_", "JOBINDSATS_", "STATBANK_"))}
        env.update(FAKTABOT_DB=str(sample_store_copy), FAKTABOT_CONFIG=str(REPO / "faktabot.toml"),
                   JOBINDSATS_API_URL=server.jobindsats_url, JOBINDSATS_TOKEN=TOKEN)
        process = subprocess.Popen([sys.executable, "-m", "bot", "refresh", "--source", "jobindsats", "--full"],
                                   cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while sum("/data/" in r for r in server.requests) < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert process.poll() is None, "the refresh ended before it could be killed"
            os.kill(process.pid, signal.SIGKILL)
            assert process.wait(timeout=10) == -signal.SIGKILL
        finally:
            if process.poll() is None:
                process.kill()

        conn = sqlite3.connect(sample_store_copy)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("SELECT status FROM refresh_runs ORDER BY id DESC").fetchone()[0] == "running"
        finally:
            conn.close()
        assert fingerprint(sample_store_copy) == before

        server.delay = 0
        again = run_cli("refresh", "--source", "jobindsats", "--indicator", "ledige", db=sample_store_copy,
                        env={"JOBINDSATS_API_URL": server.jobindsats_url, "JOBINDSATS_TOKEN": TOKEN})
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("jobindsats: ")
    conn = sqlite3.connect(sample_store_copy)
    try:
        statuses = [r[0] for r in conn.execute("SELECT status FROM refresh_runs ORDER BY id")]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    assert statuses == ["interrupted", "ok"]
