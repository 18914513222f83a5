"""Regenerate the README's drawing of a Teams alert card: `python docs/teams_card.py`.

The card is the one Faktabot makes: a fresh sample store, the shipped example config with the
sygedagpenge target sent to »teams:ledelse«, and `faktabot alerts` run with one-click links on; its
Adaptive Card JSON is read from the deliveries ledger and drawn with matplotlib (a drawing of the
card's parts, not a screenshot from Teams, and the picture says so).
"""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

REPO = Path(__file__).resolve().parents[1]
TARGET = "sygedagpenge"
WIDTH, LINE, WRAP = 7.7, 0.235, 78  # inches, inches per line, characters per line
COLOURS = {"Warning": "#7a5c00", "Attention": "#a4262c", "Good": "#0b6a0b"}


def card_json() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        config = (REPO / "bot" / "faktabot.example.toml").read_text(encoding="utf-8")
        config = config.replace('recipients = ["#beskaeftigelse-ledelse", "sygedagpenge-teamleder@example.org"]',
                                'recipients = ["teams:ledelse"]', 1)
        assert "teams:ledelse" in config, "the example config's sygedagpenge recipients changed"
        (Path(tmp) / "faktabot.toml").write_text(config, encoding="utf-8")
        env = {**os.environ, "FAKTABOT_DB": str(Path(tmp) / "store.db"), "FAKTABOT_CONFIG": str(Path(tmp) / "faktabot.toml"),
               "FAKTABOT_OUTBOX": str(Path(tmp) / "outbox"), "FAKTABOT_PUBLIC_URL": "https://faktabot.kommune.dk",
               "FAKTABOT_LINK_SECRET": "docs-only-secret-docs-only-secret-0000"}
        for command in (["init"], ["alerts"]):
            subprocess.run([sys.executable, "-m", "bot", *command], env=env, check=True, cwd=REPO, capture_output=True)
        with sqlite3.connect(Path(tmp) / "store.db") as db:
            [(card,)] = db.execute("SELECT card FROM deliveries WHERE target = ? AND recipient = 'teams:ledelse'",
                                   [TARGET]).fetchall()
    return json.loads(card)


def blocks(card: dict) -> list[tuple[dict, bool]]:
    """(TextBlock, in the coloured header) in the order Teams shows them."""
    shown = []
    for block in card["body"]:
        if block["type"] == "Container":
            shown += [(item, True) for item in block["items"] if item["type"] == "TextBlock"]
        elif block["type"] == "TextBlock":
            shown.append((block, False))
    return shown


def draw(card: dict, out: Path) -> None:
    parts = [(textwrap.wrap(b["text"].replace("**", ""), WRAP if not header else 60), b, header)
             for b, header in blocks(card)]
    height = 0.6 + sum(len(lines) * LINE + 0.16 for lines, _, _ in parts) + (0.7 if card.get("actions") else 0) + 0.3
    figure = Figure(figsize=(WIDTH, height), dpi=100)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, WIDTH)
    axes.set_ylim(height, 0)
    axes.axis("off")
    axes.add_patch(FancyBboxPatch((0.15, 0.12), WIDTH - 0.3, height - 0.24, boxstyle="round,pad=0,rounding_size=0.06",
                                  facecolor="white", edgecolor="#d0d0d0"))
    y = 0.3
    header_lines = sum(len(lines) for lines, _, header in parts if header)
    axes.add_patch(FancyBboxPatch((0.16, 0.13), WIDTH - 0.32, header_lines * LINE * 1.15 + 0.3, boxstyle="square,pad=0",
                                  facecolor="#fde7e9", edgecolor="none"))
    for lines, block, header in parts:
        colour = "#605e5c" if block.get("isSubtle") else COLOURS.get(block.get("color", ""), "#242424")
        for line in lines:
            y += LINE * (1.15 if header else 1)
            axes.text(0.38, y, line, fontsize=12.5 if header else 10.5, color=colour, va="bottom",
                      weight="bold" if block.get("weight") == "Bolder" else "normal")
        y += 0.16 + (0.14 if header else 0)
    x = 0.38
    for action in card.get("actions", []):
        width = 0.3 + 0.095 * len(action["title"])
        axes.add_patch(FancyBboxPatch((x, y + 0.05), width, 0.38, boxstyle="round,pad=0,rounding_size=0.04",
                                      facecolor="white", edgecolor="#8a8886"))
        axes.text(x + width / 2, y + 0.24, action["title"], fontsize=10.5, ha="center", va="center", color="#242424")
        x += width + 0.2
    axes.text(WIDTH - 0.25, height - 0.2, "Tegnet af Faktabot fra kortets JSON (matplotlib) – ikke et skærmbillede fra Teams",
              fontsize=7, color="#8a8886", ha="right", va="bottom")
    figure.savefig(out, format="png")


if __name__ == "__main__":
    draw(card_json(), REPO / "docs" / "teams-kort.png")
