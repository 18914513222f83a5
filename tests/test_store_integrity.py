"""Issue 12, faults 9 and 11 (store side): a damaged, empty or incomplete store is refused with a
clear message, a read-only or full disk is one StoreError line, and the store is private (0600)."""
from __future__ import annotations

import os
import random
import sqlite3
import stat
import subprocess
import sys

import pytest

from indicators.store import NotAStore, Store, StoreCorrupt, StoreError
from indicators.types import Observation
from tests.conftest import REPO

NOW = "2026-08-01T00:00:00+00:00"


def rows(n: int, indicator: str = "ledige") -> list[Observation]:
    return [Observation(indicator, f"{100 + i % 900:03d}", f"{2000 + i // 12 % 26}-{i % 12 + 1:02d}", float(i),
                        f"n={i // 9000}", "fuldtidspersoner", "jobindsats:y25i01") for i in range(n)]


def test_an_empty_file_is_not_a_new_store_and_is_left_untouched(tmp_path):
    path = tmp_path / "store.db"
    path.write_bytes(b"")
    for create in (False, True):
        with pytest.raises(NotAStore, match="er tom \\(0 bytes\\).*faktabot restore"):
            Store(path, create=create)
    assert path.stat().st_size == 0 and sorted(p.name for p in tmp_path.iterdir()) == ["store.db"]


def test_a_store_missing_its_tables_is_refused(tmp_path):
    path = tmp_path / "store.db"
    with Store(path, create=True):
        pass
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE observations")
    conn.commit()
    conn.close()
    with pytest.raises(NotAStore, match="ufuldstændig Faktabot-database \\(mangler tabellerne observations\\)"):
        Store(path)


def test_an_sqlite_file_with_no_tables_is_refused_unless_creating(tmp_path):
    path = tmp_path / "store.db"
    sqlite3.connect(path).execute("PRAGMA user_version = 1").connection.close()
    assert path.stat().st_size > 0
    with pytest.raises(NotAStore, match="uden tabeller"):
        Store(path)


def test_quick_check_passes_a_sound_store_and_stops_at_a_damaged_one(tmp_path):
    path = tmp_path / "store.db"
    with Store(path, create=True) as store:
        store.load(rows(20_000), now=NOW)
        store.quick_check()
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = store.db.execute("PRAGMA page_size").fetchone()[0]
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    with open(path, "r+b") as handle:  # scribble over a page in the middle of the file
        handle.seek(page_size * (pages // 2) + 200)
        handle.write(random.Random(12).randbytes(page_size - 400))  # seeded: the same damage every run
    # SQLite finds the damage either in quick_check's report or by failing to read the page at all;
    # both are refused with the same advice.
    with pytest.raises(StoreCorrupt, match="er beskadiget \\((quick_check: |ufuldstændig eller ødelagt).*faktabot restore") as raised:
        with Store(path) as store:
            store.quick_check()
    assert "\n" not in str(raised.value)


def test_a_read_only_store_gives_one_line_that_says_what_to_do(tmp_path):
    with Store(tmp_path / "store.db", create=True) as store:
        # query_only makes SQLite refuse writes exactly as a read-only file does (SQLITE_READONLY).
        store.db.execute("PRAGMA query_only = 1")
        with pytest.raises(StoreError, match="kan ikke skrives .*skriveadgang") as raised:
            store.load(rows(10), now=NOW)
        assert "\n" not in str(raised.value)
        with pytest.raises(StoreError, match="kan ikke skrives"):
            store.start_run("jobindsats")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only files")
def test_a_store_in_a_read_only_folder_is_a_store_error(tmp_path):
    path = tmp_path / "store.db"
    with Store(path, create=True):
        pass
    path.chmod(0o400)
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(StoreError, match="kan ikke skrives"):
            with Store(path) as store:
                store.load(rows(10), now=NOW)
    finally:
        tmp_path.chmod(0o700)


def test_a_full_disk_gives_one_line_and_keeps_nothing_of_the_load(tmp_path):
    with Store(tmp_path / "store.db", create=True) as store:
        store.load(rows(10), now=NOW)
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        store.db.execute(f"PRAGMA max_page_count = {pages + 5}")  # the disk fills up after five pages
        with pytest.raises(StoreError, match="er fuld eller svigter .*Frigør plads") as raised:
            store.load(rows(20_000, "langtidsledige"), now=NOW)
        assert "\n" not in str(raised.value)
        assert store.count() == 10


def test_a_new_store_and_its_wal_are_readable_by_their_owner_only(tmp_path):
    path = tmp_path / "store.db"
    with Store(path, create=True) as store:
        store.load(rows(10), now=NOW)
        for name in ("store.db", "store.db-wal", "store.db-shm"):
            mode = stat.S_IMODE((tmp_path / name).stat().st_mode)
            assert mode == 0o600, (name, oct(mode))


def test_faktabot_run_refuses_a_damaged_store_and_sends_nothing(sample_store_copy, tmp_path):
    """A corrupt page in the middle: `run` stops at start with one line, before any job or message."""
    with Store(sample_store_copy) as store:
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = store.db.execute("PRAGMA page_size").fetchone()[0]
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    with open(sample_store_copy, "r+b") as handle:
        handle.seek(page_size * (pages // 2) + 200)
        handle.write(random.Random(12).randbytes(page_size - 400))  # seeded: the same damage every run
    outbox = tmp_path / "outbox"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAKTABOT_", "SLACK_", "SMTP_", "JOBINDSATS_"))}
    env.update(FAKTABOT_DB=str(sample_store_copy), FAKTABOT_OUTBOX=str(outbox))
    result = subprocess.run([sys.executable, "-m", "bot", "run"], env=env, cwd=REPO, capture_output=True, text=True,
                            timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 1
    assert "er beskadiget" in result.stderr and "Traceback" not in result.stderr
    assert not outbox.exists()
