"""Shared fixtures: real SQLite files in tmp directories, the shipped sample data, the shared data."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


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
    """A value straight from the shared real extract, for comparing with what the bot answers."""
    path = SHARED_DATA / "real" / "jobindsats_kommuner_2021-2026.csv"
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = line.split(";")
        if cells[:5] == [table, area_name, period, group, measure] and cells[5] == "":
            return float(cells[6].replace(",", "."))
    raise LookupError((table, area_name, period, group, measure))


needs_shared = pytest.mark.skipif(not SHARED_DATA.exists(), reason="../shared/data is not on this machine")
