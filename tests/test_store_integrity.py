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

from indicators.store import NotAStore, Store, StoreCorrupt, StoreError, restore
from indicators.types import Observation
from tests.conftest import REPO, run_cli

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
        with pytest.raises(StoreError, match="kan ikke skrives; .*skriveadgang") as raised:
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


def _without_write_access(path) -> None:
    """Make SQLite unable to create the store's -shm file, as in a folder or on a share its user may
    not write (a read-only mount, a backup share): -shm is a link to a folder that does not exist.
    chmod would not do it, as the suite may run as root (CI does)."""
    os.symlink(path.parent / "no-such-folder" / "shm", path.with_name(path.name + "-shm"))


def test_a_store_sqlite_may_not_write_is_said_so_not_called_a_foreign_file(tmp_path):
    """A store in a folder Faktabot may not write was »ikke en Faktabot-database (unable to open
    database file) … flyt denne væk og kør `faktabot init`«: advice that would put the sample data
    in place of the municipality's store. It is now what it is: a store that cannot be written."""
    path = tmp_path / "store.db"
    with Store(path, create=True) as store:
        store.load(rows(10), now=NOW)
    _without_write_access(path)
    with pytest.raises(StoreError, match="kan ikke skrives; .*skriveadgang til filen og dens mappe") as raised:
        Store(path)
    assert not isinstance(raised.value, NotAStore) and "faktabot init" not in str(raised.value)
    assert "unable to open" not in str(raised.value)  # SQLite's English said no more than the Danish


def test_a_backup_on_a_share_faktabot_may_not_write_is_restored(tmp_path):
    """`faktabot restore` from a read-only backup share refused the backup as »ikke en
    Faktabot-database«; it is checked and restored as any other."""
    share, live = tmp_path / "share", tmp_path / "live"
    share.mkdir()
    live.mkdir()
    with Store(live / "store.db", create=True) as store:
        store.load(rows(10), now=NOW)
        store.backup(share / "store-2026-08-01.db")
        store.load(rows(5, "langtidsledige"), now=NOW)
        assert store.count() == 15
    with Store(share / "store-2026-08-01.db") as copy:  # `faktabot backup` checks its copy so (WAL mode since)
        copy.quick_check()
    _without_write_access(share / "store-2026-08-01.db")
    assert restore(share / "store-2026-08-01.db", live / "store.db") == 10
    with Store(live / "store.db") as store:
        assert store.count() == 10


def test_a_store_path_that_is_a_folder_says_so(tmp_path):
    """FAKTABOT_DB naming a folder said »ikke en Faktabot-database (disk I/O error)«."""
    (tmp_path / "data").mkdir()
    with pytest.raises(NotAStore, match="data er en mappe, ikke en database; den er ikke rørt. Peg FAKTABOT_DB på"):
        Store(tmp_path / "data")


def test_a_store_another_process_keeps_locked_is_one_line_not_a_traceback(sample_store_copy, tmp_path):
    """`faktabot refresh --file` and `faktabot alerts` while another process held the store's write
    lock past the 5 s wait (the service's refresh, an upgrade's migration) ended in a traceback
    »sqlite3.OperationalError: database is locked«; they now say the store is busy, and to run again."""
    csv = tmp_path / "samtaler.csv"
    csv.write_text("Måned;Kommune;Målgruppe;Antal samtaler\nmaj 2026;Ballerup;Ledige;785\n", encoding="utf-8")
    holder = sqlite3.connect(sample_store_copy, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the write lock, as a running refresh holds it
    try:
        for args in (("refresh", "--file", str(csv)), ("alerts",)):
            done = run_cli(*args, db=sample_store_copy)
            assert done.returncode == 1, (args, done.stderr)
            assert "Traceback" not in done.stderr, done.stderr
            assert done.stderr.startswith(f"faktabot: {sample_store_copy} er optaget: en anden proces skriver i den")
            assert "intet fra denne kørsel er gemt. Kør kommandoen igen om lidt" in done.stderr
            assert done.stderr.count("\n") == 1
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with Store(sample_store_copy) as store:
        assert store.get("samtaler", "151", "2026-05").source != "file:samtaler.csv"


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
