"""Alerts end to end in-process: the sample store, the real config, the ledger and an outbox on disk.

`now` is a parameter, so reminders and snoozes are tested without waiting; channels are real
objects (the outbox writes files, a flaky channel fails on purpose).
"""
from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.alerting import views, watch
from bot.alerting.watch import AlertError
from bot.config import Config, indicator_facts, load_config
from bot.delivery.channels import Channels, DeliveryError, Message, OutboxChannel
from bot.delivery.ledger import FAILED, PENDING, SENDING, SENT, Ledger
from indicators.catalogue import default_areas, default_catalogue
from indicators.store import Store
from rules.targets import parse_targets
from tests.conftest import REPO

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture
def config() -> Config:
    return load_config(REPO / "faktabot.toml")


@pytest.fixture
def store(sample_store_copy):
    with Store(sample_store_copy) as opened:
        yield opened


def outbox(tmp_path: Path) -> Channels:
    stamps = iter(range(1, 10_000))
    return Channels(outbox=OutboxChannel(tmp_path / "outbox", lambda: f"{next(stamps):05d}"))


def recipients(config: Config, *ids: str) -> int:
    return sum(len(t.recipients) for t in config.targets if t.id in ids)


def test_each_transition_is_delivered_once_to_each_recipient(store, config, tmp_path):
    ledger = Ledger(store.db)
    run = watch.run_alerts(store, ledger, config, outbox(tmp_path), NOW)
    breached = ("ungeledighed", "sygedagpenge", "samtalehyppighed")
    assert sorted(n.target for _, n, _, _ in run.notices) == sorted(breached)
    assert {n.kind for _, n, _, _ in run.notices} == {"breached"}
    assert len(run.sent) == recipients(config, *breached) and not run.failed
    rows = ledger.deliveries()
    assert [r.status for r in rows] == [SENT] * len(rows)
    assert len({(r.key, r.recipient) for r in rows}) == len(rows)
    files = sorted((tmp_path / "outbox").iterdir())
    assert len(files) == len(rows)
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("Til: ") and "Eksempeldata" in text and "ikke officielle tal" in text
    # Run again: same data, nothing new to say, nothing sent.
    again = watch.run_alerts(store, ledger, config, outbox(tmp_path), NOW + timedelta(hours=1))
    assert again.notices == [] and again.sent == []
    assert len(ledger.deliveries()) == len(rows) and len(list((tmp_path / "outbox").iterdir())) == len(files)
    assert ledger.states()["fleksjob"].status == "ok"


def test_the_sygedagpenge_alert_reads_like_the_fact_sheet(store, config, tmp_path):
    run = watch.run_alerts(store, Ledger(store.db), config, outbox(tmp_path), NOW, dry_run=True)
    subject, text = next((s, t) for _, n, s, t in run.notices if n.target == "sygedagpenge")
    assert subject == "Faktabot: Bagud – Færre på sygedagpenge (målsti), Ballerup (eksempeldata)"
    assert "Sygedagpenge mv. i Ballerup: 1.222 personer i 2. kvt. 2026; målstien er 1.070 – 14,2 pct. over" in text
    assert "Fremskrevet når I 1.238–1.270 personer ved udgangen af 2026 mod målet 1.050" in text
    assert "Eksempeldata" in text


def test_a_dry_run_writes_nothing(store, config, tmp_path):
    ledger = Ledger(store.db)
    run = watch.run_alerts(store, ledger, config, outbox(tmp_path), NOW, dry_run=True)
    assert len(run.notices) == 3
    assert ledger.states() == {} and ledger.deliveries() == []
    assert not (tmp_path / "outbox").exists()


def test_reminders_come_after_repeat_after_days(store, config, tmp_path):
    ledger = Ledger(store.db)
    watch.run_alerts(store, ledger, config, outbox(tmp_path), NOW)
    assert watch.run_alerts(store, ledger, config, outbox(tmp_path), NOW + timedelta(days=29)).notices == []
    later = watch.run_alerts(store, ledger, config, outbox(tmp_path), NOW + timedelta(days=30))
    assert {n.kind for _, n, _, _ in later.notices} == {"reminder"} and len(later.notices) == 3
    assert "Stadig bagud" in later.notices[0][3]


def test_a_reminder_does_not_date_the_breach_to_the_day_faktabot_first_saw_it(store, config, tmp_path):
    # Ungeledigheden has been over its ceiling every month since October 2021; the reminder said
    # »Målet har været bagud siden 25. nov. 2026« (the first evaluation) beside »hver måned siden oktober 2021«.
    ledger = Ledger(store.db)
    watch.run_alerts(store, ledger, config, outbox(tmp_path), NOW)
    later = watch.run_alerts(store, ledger, config, outbox(tmp_path), NOW + timedelta(days=30))
    text = next(t for _, n, _, t in later.notices if n.target == "ungeledighed")
    assert "hver måned siden oktober 2021" in text
    assert "Faktabot har meldt målet bagud siden 25. nov. 2026 og minder om det hver 30. dag" in text
    assert "Målet har været bagud siden" not in text


class Flaky:
    """A channel that fails the first `failures` sends, temporarily or for good."""

    name = "flaky"

    def __init__(self, failures: int, permanent: bool = False):
        self.failures, self.permanent, self.sent = failures, permanent, []

    def send(self, message: Message) -> str:
        if self.failures:
            self.failures -= 1
            raise DeliveryError("connection reset", permanent=self.permanent)
        self.sent.append(message)
        return "flaky:ok"


def test_a_temporary_failure_is_retried_on_the_next_run_and_sent_once(store, config):
    ledger = Ledger(store.db)
    flaky = Flaky(failures=1)
    first = watch.run_alerts(store, ledger, config, Channels(outbox=flaky), NOW)
    assert len(first.failed) == 1 and first.failed[0][1] == "connection reset"
    failed = [d for d in ledger.deliveries() if d.status == FAILED]
    assert len(failed) == 1 and failed[0].attempts == 1
    second = watch.run_alerts(store, ledger, config, Channels(outbox=flaky), NOW + timedelta(hours=1))
    assert second.notices == [] and [d.recipient for d in second.sent] == [failed[0].recipient]
    assert all(d.status == SENT for d in ledger.deliveries())
    assert len(flaky.sent) == len(ledger.deliveries())


def test_a_permanent_failure_is_not_retried(store, config):
    ledger = Ledger(store.db)
    watch.run_alerts(store, ledger, config, Channels(outbox=Flaky(failures=1, permanent=True)), NOW)
    retry = watch.run_alerts(store, ledger, config, Channels(outbox=Flaky(0)), NOW + timedelta(hours=1))
    assert retry.sent == []
    assert [d.error for d in ledger.failed_deliveries()] == ["connection reset"]


def test_a_message_that_may_have_gone_out_is_never_sent_again(store, config, tmp_path):
    ledger = Ledger(store.db)
    delivery_id = ledger.queue(key="x:breached:1", target="sygedagpenge", kind="breached", recipient="#a",
                               subject="s", body="b", sample_data=True, now=NOW)
    assert ledger.queue(key="x:breached:1", target="sygedagpenge", kind="breached", recipient="#a",
                        subject="s", body="b", sample_data=True, now=NOW) is None  # the dedup key
    ledger.sending(delivery_id, "outbox", NOW)  # ...and then the process stopped
    watch.run_alerts(store, ledger, config, outbox(tmp_path), NOW)
    row = next(d for d in ledger.deliveries() if d.id == delivery_id)
    assert row.status == SENDING and row in ledger.failed_deliveries()


def test_alerts_leave_the_summary_s_messages_alone(store, config, tmp_path):
    ledger = Ledger(store.db)
    ledger.queue(key="summary:2026-10", target=None, kind="summary", recipient="#a", subject="s", body="b",
                 sample_data=True, now=NOW)
    watch.run_alerts(store, ledger, config, outbox(tmp_path), NOW)
    assert next(d for d in ledger.deliveries() if d.kind == "summary").status == PENDING


def test_an_acknowledgement_before_the_first_run_keeps_that_alert_quiet(store, config, tmp_path):
    ledger = Ledger(store.db)
    state = watch.acknowledge(store, ledger, config, "sygedagpenge", "  Handleplan   vedtaget 3. dec. ", NOW)
    assert state.ack.note == "Handleplan vedtaget 3. dec." and state.status == "breached"
    run = watch.run_alerts(store, ledger, config, outbox(tmp_path), NOW)
    assert sorted(n.target for _, n, _, _ in run.notices) == ["samtalehyppighed", "ungeledighed"]
    assert ledger.states()["sygedagpenge"].ack.note == "Handleplan vedtaget 3. dec."
    later = watch.run_alerts(store, ledger, config, outbox(tmp_path), NOW + timedelta(days=40))
    assert sorted(n.target for _, n, _, _ in later.notices) == ["samtalehyppighed", "ungeledighed"]


def test_a_snooze_holds_the_alert_until_its_date(store, config, tmp_path):
    ledger = Ledger(store.db)
    watch.snooze(store, ledger, config, "ungeledighed", date(2026, 12, 1), NOW)
    run = watch.run_alerts(store, ledger, config, outbox(tmp_path), NOW)
    assert "ungeledighed" not in [n.target for _, n, _, _ in run.notices]
    after = watch.run_alerts(store, ledger, config, outbox(tmp_path), datetime(2026, 12, 1, 9, tzinfo=UTC))
    assert [n.target for _, n, _, _ in after.notices] == ["ungeledighed"]


@pytest.mark.parametrize("call, message", [
    (lambda s, l, c: watch.acknowledge(s, l, c, "fleksjob", "x", NOW), "er på sporet (ok); der er intet at kvittere for"),
    (lambda s, l, c: watch.acknowledge(s, l, c, "fleks", "x", NOW), "ukendt mål 'fleks'; målene i konfigurationen er"),
    (lambda s, l, c: watch.acknowledge(s, l, c, "sygedagpenge", "  ", NOW), "--note er tom"),
    (lambda s, l, c: watch.snooze(s, l, c, "fleksjob", date(2026, 11, 25), NOW), "ligger ikke i fremtiden"),
])
def test_snooze_and_acknowledge_mistakes(store, config, call, message):
    with pytest.raises(AlertError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call(store, Ledger(store.db), config)


def test_the_ledger_keeps_states_round_trip(store, config):
    ledger = Ledger(store.db)
    evaluation = watch.assess_all(store, ledger, config, NOW)
    ledger.save_states(list(evaluation.states.values()))
    assert ledger.states() == evaluation.states


def test_the_bot_tables_have_their_own_migration_set(sample_store_copy):
    with Store(sample_store_copy) as opened:
        Ledger(opened.db)
    conn = sqlite3.connect(sample_store_copy)
    sets = {row[0] for row in conn.execute("SELECT DISTINCT migration_set FROM _sqlite_migrations")}
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    conn.close()
    assert "faktabot-bot" in sets
    assert {"alert_states", "deliveries", "subscriptions", "query_log"} <= tables


def test_subscriptions_and_the_query_log(store):
    ledger = Ledger(store.db)
    ledger.subscribe("#ledelse", "summary", NOW)
    ledger.subscribe("#ledelse", "summary", NOW)
    assert ledger.subscribers("summary") == ["#ledelse"]
    ledger.unsubscribe("#ledelse", "summary")
    assert ledger.subscribers("summary") == []
    ledger.log_query(at=NOW, channel="slack", text="ledighed maj", understood=True, indicator="ledige")
    assert store.db.execute("SELECT text, understood FROM query_log").fetchall() == [("ledighed maj", 1)]


# --- every reason renders, on real figures and made-up ones ---------------------------------

def real_target(**raw):
    facts, areas = indicator_facts(default_catalogue()), {a.code: a.name for a in default_areas()}
    return parse_targets([{"id": "t", "name": "Mål", "area": "151", **raw}], facts, areas, "151")[0]


@pytest.mark.parametrize("raw, now, status, phrases", [
    ({"indicator": "ledige", "kind": "ceiling", "limit": 700}, datetime(2026, 9, 1, tzinfo=UTC),
     "breached", ["Ledige i Ballerup: ", "juli 2026; loftet er 700 fuldtidspersoner – ", " over, "]),
    ({"indicator": "ledige", "kind": "ceiling", "limit": 700}, datetime(2027, 6, 1, tzinfo=UTC),
     "no_data", ["De nyeste tal for ledige i Ballerup er fra juli 2026, som sluttede for 305 dage siden."]),
    ({"indicator": "ledighedsprocent", "kind": "benchmark", "mode": "ratio", "threshold": 1.2},
     datetime(2026, 9, 1, tzinfo=UTC), "ok", [" pct. af niveauet; målet er højst 120 pct.", "på sporet"]),
    # Over the line for six months of the eight that make a breach: »seks måneder i træk«, not »for første
    # gang i seks måneder«; a limit with more decimals than the figure is shown as written (3,05, not 3,0).
    ({"indicator": "ledighedsprocent", "kind": "ceiling", "limit": 3.05, "hold_periods": 8},
     datetime(2026, 9, 1, tzinfo=UTC), "at_risk",
     ["; loftet er 3,05 pct. – ", " over, seks måneder i træk; det tæller som bagud, når det har holdt otte måneder"]),
    # A threshold on the strict side is a »mindst« (at least 0,2 under the country), on the lenient side a
    # »højst« (at most 1,0 pct.-point weaker); both said »højst … under« and »mindst … svagere«.
    ({"indicator": "ledighedsprocent", "kind": "benchmark", "threshold": -0.2},
     datetime(2026, 9, 1, tzinfo=UTC), "breached", ["; målet er mindst 0,2 pct.-point under hele landet – "]),
    ({"indicator": "ledige", "kind": "change", "compare_area": "000", "threshold": 1.0},
     datetime(2026, 9, 1, tzinfo=UTC), None, ["; målet er en udvikling højst 1,0 pct.-point svagere – "]),
    ({"indicator": "ledige", "kind": "change", "compare_area": "000", "threshold": -1.0},
     datetime(2026, 9, 1, tzinfo=UTC), None, ["; målet er en udvikling mindst 1,0 pct.-point bedre – "]),
    # A ratio's tolerance is a share of the other area's level (0.05 = 5 pct.-point), not the figure's unit.
    ({"indicator": "ledighedsprocent", "kind": "benchmark", "mode": "ratio", "threshold": 1.0, "tolerance": 0.05},
     datetime(2026, 9, 1, tzinfo=UTC), "at_risk",
     ["103 pct. af niveauet; målet er højst 100 pct., lidt bagud, men inden for tolerancen på 5 pct.-point."]),
    ({"indicator": "ledige", "kind": "change", "compare_area": "000", "tolerance": 0.5},
     datetime(2026, 9, 1, tzinfo=UTC), None, ["pct. fra juli 2025 til juli 2026", "i hele landet"]),
    ({"indicator": "ledighedsprocent", "kind": "ceiling", "limit": 2.0, "min_count": 5000},
     datetime(2026, 9, 1, tzinfo=UTC), "no_data", ["under grænsen på 5.000, så målet vurderes ikke"]),
    ({"indicator": "beskaeftigelse", "kind": "floor", "limit": 160000, "area": "Aarhus"},
     datetime(2026, 1, 15, tzinfo=UTC), "breached",
     ["Beskæftigelsen i Aarhus: 154.050 fuldtidsbeskæftigede i 3. kvt. 2025; målet er mindst 160.000"]),
])
def test_reasons_render_in_danish_for_real_figures(store, raw, now, status, phrases):
    config = Config(targets=(real_target(**raw),))
    evaluation = watch.assess_all(store, Ledger(store.db), config, now)
    view = views.views(config.targets, evaluation.states)[0]
    reason = views.as_json(view)["reason"]
    if status:
        assert view.state.status == status, reason
    for phrase in phrases:
        assert phrase in reason, reason
    assert view.state.sample_data is False
    for notice in evaluation.notices:
        _subject, text = views.render_notice(view, notice)
        assert "Eksempeldata" not in text and ("Kilde: Jobindsats" in text or "Kilde: Danmarks Statistik" in text)


def test_an_answer_gets_a_status_line_and_a_goal_path(store, config):
    evaluation = watch.assess_all(store, Ledger(store.db), config, NOW)
    view = next(v for v in views.views(config.targets, evaluation.states) if v.target.id == "fleksjob")
    assert views.target_line(view).startswith(
        ":white_check_mark: Mål »Flere i fleksjob (målsti)«: på sporet (eksempeldata). Personer i fleksjob")
    assert views.goal_path(view.target, "2023-12", "2024-02") == [("2024-01", 560.0), ("2024-02", pytest.approx(561.71, abs=0.01))]


def test_missing_comparison_data_is_explained(store):
    target = real_target(indicator="sygedagpenge", kind="benchmark", compare_area="084")
    evaluation = watch.assess_all(store, Ledger(store.db), Config(targets=(target,)), NOW)
    view = views.views((target,), evaluation.states)[0]
    assert view.state.status == "no_data"
    assert views.as_json(view)["reason"] == (
        "Der er ingen tal for sygedagpenge mv. i Region Hovedstaden at sammenligne med for 2. kvt. 2026.")


def test_a_revised_newest_figure_is_named_in_the_reason(store, config, tmp_path):
    ledger = Ledger(store.db)
    watch.run_alerts(store, ledger, config, outbox(tmp_path), NOW)
    old = store.get("ungeledighed", "151", "2026-07")
    store.load([replace(old, value=7.9, fetched_at="")])  # a refresh brings a revised July
    evaluation = watch.assess_all(store, ledger, config, NOW + timedelta(days=1))
    view = next(v for v in views.views(config.targets, evaluation.states) if v.target.id == "ungeledighed")
    assert "Tallet for juli 2026 er revideret fra 7,7 til 7,9." in views.as_json(view)["reason"]
    assert evaluation.notices == ()  # still over the ceiling: a revision alone is no news


def test_status_names_the_targets_and_messages_that_did_not_go_out(store, config, capsys):
    from bot.cli.alerts import print_status

    watch.run_alerts(store, Ledger(store.db), config, Channels(outbox=Flaky(failures=99, permanent=True)), NOW)
    print_status(store)
    out = capsys.readouterr().out
    assert out.startswith("Mål: 3 bagud, 0 i risiko, 0 mangler tal, 1 på sporet – seneste vurdering 25. nov. 2026")
    assert ("Besked ikke sendt: »Faktabot: Bagud – Færre på sygedagpenge (målsti), Ballerup (eksempeldata)« til "
            "#beskaeftigelse-ledelse – connection reset.") in out


@pytest.mark.parametrize("text, expected", [("2027-01-15", date(2027, 1, 15)), ("15.1.2027", date(2027, 1, 15)),
                                            ("15-01-2027", date(2027, 1, 15))])
def test_until_takes_iso_and_danish_dates(text, expected):
    from bot.cli.alerts import _date

    assert _date(text) == expected


def test_until_that_is_not_a_date_says_how_to_write_it():
    from bot.cli.alerts import _date

    with pytest.raises(AlertError, match=r"^--until 'næste uge' er ikke en dato; skriv den som ÅÅÅÅ-MM-DD, fx 2027-01-15$"):
        _date("næste uge")
