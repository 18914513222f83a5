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


def test_a_run_found_interrupted_is_said_in_danish_in_status_also_from_an_older_store(sample_store_copy):
    from indicators.store import Store

    with Store(sample_store_copy) as store:
        store.start_run("statbank", started_at="2026-11-30T08:00:00+00:00")  # killed: left `running`
        store.start_run("statbank", started_at="2026-11-30T09:00:00+00:00")  # the next run finds it
        errors = [r["error"] for r in store.runs() if r["status"] == "interrupted"]
    assert errors == [("kørslen stoppede, før den var færdig (processen blev stoppet eller gik ned), og intet fra "
                       "den er gemt; næste opdatering henter tallene igen")]
    conn = sqlite3.connect(sample_store_copy)
    with conn:  # as a store from before this wording holds it, the last run of jobindsats
        conn.execute("INSERT INTO refresh_runs (source, started_at, finished_at, status, error) VALUES "
                     "('jobindsats', '2026-12-01T08:00:00+00:00', '2026-12-01T09:00:00+00:00', 'interrupted', "
                     "'the run stopped before it finished (killed or crashed); nothing of it was kept')")
    conn.close()
    status = run_cli("status", db=sample_store_copy)
    assert status.returncode == 0, status.stderr
    line = next(line for line in status.stdout.splitlines() if line.lstrip().startswith("jobindsats "))
    assert "seneste kørsel fejlede: kørslen stoppede, før den var færdig" in line, line
    assert "killed" not in status.stdout
