"""`faktabot run`: start-up time to ready and peak memory (VmHWM) once idle after its catch-up,
beside a bare `python -c "import sqlite3"` process measured the same way in the same run. Aims from
issue 18: ready within 1 s (the median of three starts), and at most 150 MB at the peak. Quick
mode measures one start-up only (the catch-up takes tens of seconds: a failing StatBank refresh
with its retries, the summary and the fact sheet)."""
from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.measure import Result, sample_store

REPO = Path(__file__).resolve().parents[1]
READY_RUNS = 3
QUICK_READY_RUNS = 1  # --quick: a check that it starts, not the median


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _measure(command: list[str], env: dict, ready: str, log: Path, settle: str | None) -> tuple[float, float]:
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=open(log, "w"))  # noqa: SIM115 - the child owns it
    try:
        while ready not in log.read_text(encoding="utf-8"):
            if process.poll() is not None:
                raise RuntimeError(log.read_text(encoding="utf-8"))
            time.sleep(0.01)
        seconds = time.perf_counter() - started
        deadline = time.monotonic() + 120
        while settle and settle not in log.read_text(encoding="utf-8") and time.monotonic() < deadline:
            time.sleep(0.1)
        return seconds, _peak_rss_mb(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def run(quick: bool = False) -> list[Result]:
    workdir = Path(tempfile.mkdtemp(prefix="faktabot-bench-"))
    db = workdir / "store.db"
    sample_store(db)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("FAKTABOT_", "SLACK_", "SMTP_"))},
           "FAKTABOT_DB": str(db), "FAKTABOT_OUTBOX": str(workdir / "outbox"),
           # A closed port: the catch-up's StatBank refresh fails fast instead of waiting on DNS.
           "STATBANK_API_URL": "http://127.0.0.1:9/v1/"}
    command = [sys.executable, "-m", "bot", "run"]
    readies = []
    rss = float("nan")
    if not quick:  # the peak after the whole catch-up, once
        seconds, rss = _measure(command, env, "ready in", workdir / "run.log", "staleness:")
        readies.append(seconds)
    while len(readies) < (QUICK_READY_RUNS if quick else READY_RUNS):  # start-up alone, stopped once ready: the median of a few
        readies.append(_measure(command, env, "ready in", workdir / "run.log", None)[0])
    ready = statistics.median(readies)
    bare = [sys.executable, "-c", ("import sqlite3, sys, time; print('ready in', file=sys.stderr, flush=True); "
            "time.sleep(30)")]
    bare_ready, bare_rss = _measure(bare, env, "ready in", workdir / "bare.log", None)
    results = [Result("faktabot run: start-up to ready (s)", ready, bare_ready, "s", aim="≤ 1 s",
                      higher_is_better=False)]
    if not quick:
        results.append(Result("faktabot run: peak RSS after catch-up (MB)", rss, bare_rss, "MB", aim="≤ 150 MB",
                              higher_is_better=False))
    return results
