"""Table fingerprints: a table whose answer is the same as when its stored rows settled is not
normalised, settled or written again, and nothing that changed since can hide behind that."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from datetime import date, datetime

import pytest

from bot.alerting import watch
from bot.asking.conversation import reply
from bot.config import Config, indicator_facts
from bot.delivery.channels import Channels, OutboxChannel
from bot.delivery.ledger import Ledger
from indicators.catalogue import default_areas, default_catalogue
from indicators.connectors import RetryPolicy, wanted_from
from indicators.refresh import refresh_source, source_status
from indicators.store import Store
from indicators.types import Observation
from rules.targets import parse_targets
from tests.replay import Fault, ReplayServer, jobindsats_connector, revise_ballerup_june

CATALOGUE = default_catalogue()
AREAS = default_areas()
FAST = RetryPolicy(attempts=3, backoff=0.001, max_wait=0.01, timeout=5)
LEDIGHED = ["ledige", "ledighedsprocent", "langtidsledige"]
NOW = "2026-08-10T06:00:00+00:00"


class Counting:
    """The real Jobindsats connector, counting the answers it normalises per table."""

    def __init__(self, connector):
        self.inner = connector
        self.name = connector.name
        self.normalised: Counter[str] = Counter()

    def plan(self, *args, **kwargs):
        return self.inner.plan(*args, **kwargs)

    def fetch(self, query):
        return self.inner.fetch(query)

    def normalise(self, answer, areas, fetched_at):
        self.normalised[answer.query.table] += 1
        return self.inner.normalise(answer, areas, fetched_at)


def run(path, server, now=NOW):
    with Store(path, create=True) as store:
        connector = Counting(jobindsats_connector(server, policy=FAST))
        result = refresh_source(store, connector, wanted_from(CATALOGUE, "jobindsats", LEDIGHED),
                                catalogue=CATALOGUE, areas=AREAS, now=now)
        connector.inner.http.close()
    assert result.ok, result.error
    return result, connector.normalised


@pytest.fixture(scope="module")
def settled(tmp_path_factory):
    """A store refreshed twice with the same answers (the second run confirmed the provisional
    values), and what each of those runs normalised and reported."""
    path = tmp_path_factory.mktemp("settled") / "store.db"
    with ReplayServer() as server:
        first = run(path, server)
        second = run(path, server)
    return path, first, second


@pytest.fixture
def store_path(settled, tmp_path):
    path = tmp_path / "store.db"
    shutil.copy(settled[0], path)
    return path


def test_a_first_run_keeps_no_fingerprint_so_the_next_one_confirms_the_provisional_values(tmp_path):
    path = tmp_path / "store.db"
    with ReplayServer() as server:
        _, normalised = run(path, server)
        with Store(path) as store:
            assert store.get("ledige", "151", "2026-07").provisional
            assert store.fingerprint("jobindsats", "y25i01") is None
        second, normalised_again = run(path, server)
    assert normalised_again == normalised and second.updated > 0
    with Store(path) as store:
        assert not store.get("ledige", "151", "2026-07").provisional
        assert store.fingerprint("jobindsats", "y25i01") is not None


def test_a_table_read_again_unchanged_is_recorded_as_landed_without_normalising_it(store_path, settled):
    _, _, (second, _) = settled
    with ReplayServer() as server:
        result, normalised = run(store_path, server)
    assert normalised == Counter()
    assert (result.rows, result.inserted, result.updated, result.revisions) == (second.rows, 0, 0, 0)
    assert (result.newest, result.series, result.areas, result.kept_values) == (
        second.newest, second.series, second.areas, second.kept_values)
    assert [(t.table, t.ok, t.rows) for t in result.tables] == [(t.table, t.ok, t.rows) for t in second.tables]
    with Store(store_path) as store:
        outcomes = {t["table_id"]: t for t in store.table_outcomes("jobindsats")}
        assert outcomes["y25i01"]["status"] == "ok" and outcomes["y25i01"]["last_ok"] == NOW
        jobindsats = next(s for s in source_status(store, datetime.fromisoformat(NOW))
                          if s.source == "jobindsats")
        assert jobindsats.last_ok == NOW and not jobindsats.stale


def test_a_changed_answer_is_normalised_and_stored_although_the_table_had_a_fingerprint(store_path):
    with Store(store_path) as store:
        before = store.get("ledige", "151", "2026-06").value
    with ReplayServer(faults=[Fault("data/y25i01", mutate=revise_ballerup_june)]) as server:
        result, normalised = run(store_path, server)
    assert normalised["y25i01"] > 0 and result.revisions == 1
    with Store(store_path) as store:
        assert store.get("ledige", "151", "2026-06").value == before + 7


def test_a_value_written_since_by_another_way_is_put_right_by_the_next_refresh_of_the_same_answer(store_path):
    with Store(store_path) as store:
        served = store.get("ledige", "151", "2026-06")
        store.load([Observation("ledige", "151", "2026-06", served.value + 1, served.breakdown, served.unit,
                                served.source, False, NOW)], now=NOW)
        assert store.fingerprint("jobindsats", "y25i01") is None  # the write forgot it
        # Other series are not touched by that write: their tables keep theirs.
        assert store.fingerprint("jobindsats", "y25i09") is not None  # langtidsledige
        assert store.fingerprint("jobindsats", "y25i03") is not None  # ledige, sæsonkorrigeret
    with ReplayServer() as server:
        result, normalised = run(store_path, server)
    assert normalised["y25i01"] > 0 and result.revisions == 1
    with Store(store_path) as store:
        assert store.get("ledige", "151", "2026-06").value == served.value


def test_a_restored_backup_carries_its_own_fingerprints_so_a_newer_answer_still_lands(store_path, tmp_path):
    backup = tmp_path / "backup.db"
    with Store(store_path) as store:
        store.backup(backup)
        kept = store.fingerprint("jobindsats", "y25i01")
        before = store.get("ledige", "151", "2026-06").value
    with ReplayServer(faults=[Fault("data/y25i01", mutate=revise_ballerup_june)]) as server:
        run(store_path, server)
        run(store_path, server)  # the revised answer settles: its own fingerprint is kept
        with Store(store_path) as store:
            assert store.fingerprint("jobindsats", "y25i01") != kept
        shutil.copy(backup, store_path)  # the restore
        with Store(store_path) as store:
            assert store.fingerprint("jobindsats", "y25i01") == kept
        result, normalised = run(store_path, server)
    assert normalised["y25i01"] > 0 and result.revisions == 1
    with Store(store_path) as store:
        assert store.get("ledige", "151", "2026-06").value == before + 7


def test_a_new_year_is_not_taken_for_the_same_answer(store_path):
    with ReplayServer() as server:
        _, normalised = run(store_path, server, now="2027-01-10T06:00:00+00:00")
    assert normalised["y25i01"] > 0


def test_a_failed_table_keeps_its_fingerprint_and_the_others_still_skip(store_path):
    with Store(store_path) as store:
        kept = store.fingerprint("jobindsats", "y25i01")
    with ReplayServer(faults=[Fault("data/y25i01", status=400)]) as server:
        with Store(store_path) as store:
            connector = Counting(jobindsats_connector(server, policy=FAST))
            result = refresh_source(store, connector, wanted_from(CATALOGUE, "jobindsats", LEDIGHED),
                                    catalogue=CATALOGUE, areas=AREAS, now=NOW)
            connector.inner.http.close()
            assert store.fingerprint("jobindsats", "y25i01") == kept
    assert [t.table for t in result.failed_tables] == ["y25i01"]
    assert connector.normalised == Counter() and any(t.ok for t in result.tables)


def test_an_answer_that_is_not_json_fails_its_table_when_read_although_it_was_fetched_undecoded(store_path):
    """Answers are decoded only when their table has to be normalised: a broken one still fails
    its table (and only it) with the same error as before, and the stored figures stay."""
    with Store(store_path) as store:
        before = store.get("ledige", "151", "2026-06")
        kept = store.fingerprint("jobindsats", "y25i01")
    with ReplayServer(faults=[Fault("data/y25i01", status=200, body=b"<html>Bad gateway</html>")]) as server:
        with Store(store_path) as store:
            connector = Counting(jobindsats_connector(server, policy=FAST))
            result = refresh_source(store, connector, wanted_from(CATALOGUE, "jobindsats", LEDIGHED),
                                    catalogue=CATALOGUE, areas=AREAS, now=NOW)
            connector.inner.http.close()
            assert store.get("ledige", "151", "2026-06") == before
            assert store.fingerprint("jobindsats", "y25i01") == kept
    [failed] = result.failed_tables
    assert failed.table == "y25i01" and "ikke gyldig JSON" in failed.error and "<html>Bad gateway" in failed.error
    assert set(connector.normalised) <= {"y25i01"} and any(t.ok for t in result.tables)


def test_the_fingerprint_of_a_run_is_the_same_in_another_process(tmp_path):
    """`faktabot refresh` runs in a process of its own each time: nothing in the fingerprint may
    depend on the process (set order, hash seed)."""
    script = ("import hashlib\n"
              "from indicators.catalogue import default_areas, default_catalogue\n"
              "from indicators.connectors import wanted_from\n"
              "from indicators.refresh import _as_bytes, run_digest\n"
              "catalogue = default_catalogue()\n"
              "print(run_digest('jobindsats', catalogue, default_areas(), '2026-08-10').hex(),"
              " hashlib.sha256(_as_bytes(wanted_from(catalogue, 'jobindsats'))).hexdigest())")
    found = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout for seed in (1, 2)}
    assert len(found) == 1 and len(found.pop().split()) == 2


# -- the source line: when the table was last read, not only when its figure first came -----------------

LATER = "2026-09-03T06:00:00+00:00"


def asked(store, text="ledige i Ballerup januar 2026"):
    return reply(text, store, Config(area="151"), date(2026, 9, 3))


def test_an_answer_read_again_unchanged_names_the_day_it_was_checked_beside_the_day_it_was_fetched(tmp_path):
    path = tmp_path / "store.db"
    with ReplayServer() as server:
        run(path, server)
        run(path, server, now=LATER)  # the same answers: januar's figure is not written again
    with Store(path) as store:
        assert store.get("ledige", "151", "2026-01").fetched_at == NOW  # the figure's own first fetch stays
        said = asked(store)
    line = "Kilde: Jobindsats.dk (STAR), tabel y25i01, hentet 10. aug. 2026, senest tjekket 3. sep. 2026."
    assert line in said.plain and line in said.text
    assert said.as_json()["source"] == "jobindsats:y25i01"  # the contract's key is unchanged


def test_a_table_skipped_by_its_fingerprint_is_checked_all_the_same_and_an_open_store_sees_it(store_path):
    with Store(store_path) as store:
        before = asked(store).plain
        assert "hentet 10. aug. 2026." in before and "tjekket" not in before
        with ReplayServer() as server:
            _, normalised = run(store_path, server, now=LATER)  # another connection, as `faktabot refresh`
        assert normalised == Counter()  # nothing written: the table's fingerprint was the same
        assert "hentet 10. aug. 2026, senest tjekket 3. sep. 2026." in asked(store).plain


def test_a_table_whose_refresh_failed_is_not_said_to_be_checked(store_path):
    with ReplayServer(faults=[Fault("data/y25i01", status=400)]) as server:
        with Store(store_path) as store:
            connector = jobindsats_connector(server, policy=FAST)
            refresh_source(store, connector, wanted_from(CATALOGUE, "jobindsats", LEDIGHED),
                           catalogue=CATALOGUE, areas=AREAS, now=LATER)
            connector.http.close()
            text = asked(store).plain
            assert "hentet 10. aug. 2026." in text and "tjekket" not in text
            # the other tables of the run landed: their figures were checked
            assert "senest tjekket 3. sep. 2026" in asked(store, "langtidsledige i Ballerup januar 2026").plain


def test_an_alert_names_the_day_its_figure_was_last_checked(store_path, tmp_path):
    facts, areas = indicator_facts(CATALOGUE), {a.code: a.name for a in AREAS}
    target = parse_targets([{"id": "t", "name": "Mål", "area": "151", "indicator": "ledige", "kind": "ceiling",
                             "limit": 700}], facts, areas, "151")[0]
    config = Config(area="151", targets=(target,))
    with ReplayServer() as server:
        run(store_path, server, now=LATER)
    with Store(store_path) as store:
        channels = Channels(outbox=OutboxChannel(tmp_path / "outbox", lambda: "1"))
        done = watch.run_alerts(store, Ledger(store.db), config, channels, datetime.fromisoformat(LATER),
                                dry_run=True)
    texts = [text for _view, _notice, _subject, text in done.notices]
    assert texts and all(text.startswith("Bagud: Mål – Ballerup") for text in texts), texts
    assert all("Kilde: Jobindsats.dk (STAR), tabel y25i01, hentet 10. aug. 2026, senest tjekket "
                         "3. sep. 2026." in text for text in texts), texts


def test_how_new_the_figures_are_names_each_table_checked_by_its_own_last_read(store_path):
    """»hvor nye er tallene« said »senest opdateret« with the day of the source's newest run for
    every table, also one that run did not ask for (`refresh --indicator`): it was not checked then."""
    with ReplayServer() as server, Store(store_path) as store:
        connector = jobindsats_connector(server, policy=FAST)
        result = refresh_source(store, connector, wanted_from(CATALOGUE, "jobindsats", ["ledige"]),
                                catalogue=CATALOGUE, areas=AREAS, now=LATER)
        connector.http.close()
        assert result.ok and "y25i09" not in {t.table for t in result.tables}
        asked_ledige = asked(store, "hvor nye er tallene for ledige").plain
        asked_long = asked(store, "hvor nye er tallene for langtidsledige").plain
    [ledige] = [line for line in asked_ledige.splitlines() if "tabel y25i01" in line]
    [long] = [line for line in asked_long.splitlines() if "tabel y25i09" in line]
    assert ledige.endswith("senest tjekket 3. sep. 2026"), ledige
    assert long.endswith("senest tjekket 10. aug. 2026"), long
