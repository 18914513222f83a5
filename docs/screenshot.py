"""Regenerate the README's terminal screenshots: `python docs/screenshot.py` (needs a fresh store)."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console

REPO = Path(__file__).resolve().parents[1]
SESSIONS = {
    "ask.svg": [["ask", "ledighed maj"], ["ask", "ledighed marts 2025", "--area", "Aarhus"], ["ask", "sygedagpenge"],
                ["ask", "laveste ledighed i regionen"]],
    "errors.svg": [["ask", "blomsterkasser"], ["ask", "fleks"]],
}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "FAKTABOT_DB": str(Path(tmp) / "store.db")}
        subprocess.run([sys.executable, "-m", "bot", "init"], env=env, check=True, cwd=REPO, capture_output=True)
        for name, commands in SESSIONS.items():
            console = Console(record=True, width=104, force_terminal=True)
            for command in commands:
                shown = " ".join(f'"{c}"' if " " in c else c for c in command)
                console.print(f"[bold green]$[/] faktabot {shown}", highlight=False)
                out = subprocess.run([sys.executable, "-m", "bot", *command], env=env, cwd=REPO,
                                     capture_output=True, text=True)
                console.print(out.stdout.rstrip(), markup=False, highlight=False)
                console.print()
            console.save_svg(str(REPO / "docs" / name), title="faktabot")


if __name__ == "__main__":
    main()
