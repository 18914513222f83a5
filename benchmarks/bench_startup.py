"""Start-up: wall time of `faktabot ask "ledighed maj" --json` in a fresh process, beside a bare
`python -c pass`. Aim: at most 0.4 s above the bare interpreter (issue 17). Whole processes, median
of several runs, so imports, config and the store's opening all count."""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.measure import Result

REPO = Path(__file__).resolve().parents[1]
RUNS = 7
QUICK_RUNS = 2
AIM_ABOVE = 0.4


def _wall(args: list[str], env: dict[str, str], runs: int = RUNS) -> float:
    """Median wall time of `runs` fresh processes running `args`."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(args, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(runs: int = RUNS) -> tuple[float, float]:
    """(bare interpreter, ask --json), each the median of `runs` processes, on a fresh sample store."""
    folder = Path(tempfile.mkdtemp(prefix="faktabot-startup-"))
    try:
        # Bytecode cached as an installed wheel has it (pip compiles on install): without it every run
        # would compile the project first and measure the compiler, not the start-up.
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("FAKTABOT_", "SLACK_", "SMTP_")) and k != "PYTHONDONTWRITEBYTECODE"}
        env.update(FAKTABOT_DB=str(folder / "store.db"), FAKTABOT_CONFIG=str(REPO / "faktabot.toml"))
        subprocess.run([sys.executable, "-m", "bot", "init"], env=env, cwd=REPO, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wall([sys.executable, "-m", "bot", "ask", "ledighed maj", "--json"], env, 1)  # warm the file cache
        bare = _wall([sys.executable, "-c", "pass"], env, runs)
        ask = _wall([sys.executable, "-m", "bot", "ask", "ledighed maj", "--json"], env, runs)
        return bare, ask
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(quick: bool = False) -> list[Result]:
    bare, ask = measure(QUICK_RUNS if quick else RUNS)
    return [Result("start-up: ask --json, fresh process (median)", ask, bare, "s",
                   aim=f"≤ bare + {AIM_ABOVE} s (here {ask - bare:.2f} s above)", higher_is_better=False)]


if __name__ == "__main__":
    bare, ask = measure()
    print(f"python -c pass: {bare:.3f} s; faktabot ask --json: {ask:.3f} s; above bare: {ask - bare:.3f} s")
