"""Unverified catalogue sources (`verified = false`) that `faktabot sources --check` found at the
source are remembered in the store, and the plain and scheduled refresh fetch them from then on
(issue 13): after a check against the replay server, ungeledighed rests on the official a02 tables
by age, not on eksempeldata. A guess the check does not find, or no check at all, is not fetched."""
from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.compose import refreshers
from bot.settings import load_settings
from indicators.catalogue import default_catalogue
from indicators.connectors import source_key, wanted_from
from indicators.store import Store
from tests.conftest import run_cli
from tests.replay import TOKEN, Fault, ReplayServer
from tests.test_sources_check import rename_age_hierarchy

CATALOGUE = default_catalogue()
REPO = Path(__file__).resolve().parents[1]
AGE_TABLES = ("y01a02", "y60a02", "y36a02", "y38a02")


def env(server) -> dict[str, str]:
    return {"JOBINDSATS_API_URL": server.jobindsats_url, "JOBINDSATS_TOKEN": TOKEN,
            "STATBANK_API_URL": server.statbank_url}


def age_requests(server, table: str) -> list[str]:
    """The data requests for one a02 table by age (its verified source asks without `_aldera`)."""
    return [r for r in server.requests if f"/v3/data/{table}?" in r and "_aldera" in r]


def unverified_age_keys() -> set[str]:
    return {source_key("fuldtidspersoner", s) for s in CATALOGUE.get("fuldtidspersoner").sources
            if not s.verified and s.table in AGE_TABLES}


def test_after_a_check_a_plain_refresh_fetches_the_age_inputs_and_ungeledighed_is_official(
        sample_store_path, tmp_path):
    db = tmp_path / "store.db"
    shutil.copy(sample_store_path, db)
    before = json.loads(run_cli("ask", "ungeledighed januar 2026", "--json", db=db).stdout)
    assert before["source"] == "eksempeldata"
    with ReplayServer() as server:
        checked = run_cli("sources", "--check", db=db, env=env(server))
        assert checked.returncode == 0, checked.stderr
        assert "Gættede kilder (verified = false i kataloget)" in checked.stderr
        with Store(db) as store:
            assert unverified_age_keys() <= store.confirmed_sources()
        server.requests.clear()
        refreshed = run_cli("refresh", db=db, env=env(server))
        assert refreshed.returncode == 0, refreshed.stderr
        assert all(age_requests(server, table) for table in AGE_TABLES[:2])
    with Store(db) as store:
        aged = store.get("fuldtidspersoner", "151", "2026-01", "alder=18-29 år;ydelse=A-dagpenge")
        assert aged is not None and aged.source == "jobindsats:y01a02"
    answer = json.loads(run_cli("ask", "ungeledighed januar 2026", "--json", db=db).stdout)
    assert (answer["source"], answer["sample_data"]) == ("derived:ungeledighed", False)
    status = run_cli("status", db=db)
    assert "fuldtidspersoner" in status.stdout and "jobindsats y01a02: fundet ved tjek" in status.stdout


def test_the_scheduled_refresh_fetches_a_guess_the_check_found(tmp_path):
    db = tmp_path / "store.db"
    with ReplayServer() as server:
        assert run_cli("sources", "--check", db=db, env=env(server)).returncode == 0
        settings = load_settings({"FAKTABOT_DB": str(db), "FAKTABOT_CONFIG": str(REPO / "faktabot.toml"),
                                  **env(server)}, dotenv=None)
        server.requests.clear()
        with Store(db) as store:
            result = refreshers(settings)["jobindsats"](store, datetime(2026, 8, 1, 6, tzinfo=UTC))
        assert result.ok, result.error
        assert all(age_requests(server, table) for table in AGE_TABLES[:2])


def test_a_check_that_no_longer_finds_a_guess_stops_its_refresh_and_status_says_so(tmp_path):
    db = tmp_path / "store.db"
    with ReplayServer() as server:
        assert run_cli("sources", "--check", db=db, env=env(server)).returncode == 0
    with ReplayServer(faults=[Fault("v3/table/y01a02", mutate=rename_age_hierarchy)]) as server:
        checked = run_cli("sources", "--check", db=db, env=env(server))
        assert checked.returncode == 1
        with Store(db) as store:
            confirmed = store.confirmed_sources()
        y01a02 = {k for k in unverified_age_keys() if "|jobindsats:y01a02|" in k}
        assert y01a02 and not y01a02 & confirmed and unverified_age_keys() - y01a02 <= confirmed
        server.requests.clear()
        assert run_cli("refresh", "--source", "jobindsats", db=db, env=env(server)).returncode == 0
        assert age_requests(server, "y01a02") == [] and age_requests(server, "y60a02")
    status = run_cli("status", db=db).stdout
    assert "jobindsats y01a02: IKKE fundet ved tjek" in status and "jobindsats y60a02: fundet ved tjek" in status


def test_without_a_check_the_plain_refresh_leaves_the_guesses_alone(tmp_path):
    db = tmp_path / "store.db"
    with ReplayServer() as server:
        assert run_cli("refresh", "--source", "jobindsats", db=db, env=env(server)).returncode == 0
        assert not any(age_requests(server, table) for table in AGE_TABLES)
    with Store(db) as store:
        assert store.get("fuldtidspersoner", "151", "2026-01", "alder=18-29 år;ydelse=A-dagpenge") is None
        assert store.get("fuldtidspersoner", "151", "2026-01", "ydelse=A-dagpenge").source == "jobindsats:y01a02"
    assert "jobindsats y01a02: ikke tjekket – hentes kun med `faktabot refresh --indicator fuldtidspersoner`" \
        in run_cli("status", db=db).stdout


def test_the_newest_check_of_a_source_replaces_the_earlier_one(tmp_path):
    with Store(tmp_path / "store.db", create=True) as store:
        store.record_source_checks({"a": ("x", True), "b": ("x", True)}, now="2026-11-01T06:00:00+00:00")
        store.record_source_checks({"a": ("x", False)}, now="2026-11-02T06:00:00+00:00")
        assert store.confirmed_sources() == {"b"}
        assert store.source_checks()["a"] == (False, "2026-11-02T06:00:00+00:00")


def test_wanted_from_adds_only_the_confirmed_guesses():
    keys = sorted(unverified_age_keys())
    plain = wanted_from(CATALOGUE, "jobindsats")
    confirmed = wanted_from(CATALOGUE, "jobindsats", confirmed=keys[:1])
    added = [w for w in confirmed if w not in plain]
    assert [source_key(w.indicator.id, w.source) for w in added] == keys[:1]
