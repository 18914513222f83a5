"""The command line as a new user meets it: `faktabot init`, `ask`, `chat`, `status` and their errors."""
from __future__ import annotations

import json
import sqlite3

import pytest

from indicators.catalogue import default_catalogue
from indicators.inbox import file_indicators
from tests.conftest import real_value, run_cli


def test_ledighed_maj_2026_answers_for_ballerup_from_real_data(sample_store_path):
    result = run_cli("ask", "ledighed maj 2026", "--json", db=sample_store_path)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert set(answer) == {"understood", "intent", "indicator", "area", "period", "value", "unit", "text",
                           "source", "sample_data", "suggestions", "unused"}
    assert answer["understood"] is True and answer["intent"] == "value"
    assert answer["indicator"] == "ledige"
    assert answer["area"] == {"code": "151", "name": "Ballerup"}
    assert answer["period"] == "2026-05"
    assert answer["value"] == real_value("y25i01", "Ballerup", "2026M05", "I alt", "Antal ledige fuldtidspersoner")
    assert answer["sample_data"] is False
    assert answer["source"] == "jobindsats:y25i01"
    rate = real_value("y25i01", "Ballerup", "2026M05", "I alt",
                      "Ledige fuldtidspersoner i pct. af arbejdsstyrken 16-66 år")
    assert f"{rate:.1f}".replace(".", ",") + " pct." in answer["text"]
    assert "maj 2026" in answer["text"] and "Jobindsats" in answer["text"]


def test_another_area_by_name(sample_store_path):
    result = run_cli("ask", "ledighed marts 2025", "--area", "Aarhus", "--json", db=sample_store_path)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["area"] == {"code": "751", "name": "Aarhus"}
    assert answer["period"] == "2025-03"
    assert answer["value"] == real_value("y25i01", "Aarhus", "2025M03", "I alt", "Antal ledige fuldtidspersoner")
    assert answer["sample_data"] is False


def test_a_month_without_a_year_is_the_latest_such_month(sample_store_path):
    answer = json.loads(run_cli("ask", "ledighed maj", "--json", db=sample_store_path).stdout)
    assert answer["period"] == "2026-05"
    answer = json.loads(run_cli("ask", "ledighed september", "--json", db=sample_store_path).stdout)
    assert answer["period"] == "2025-09"


def test_ledighedsprocent_asks_for_the_rate_itself(sample_store_path):
    answer = json.loads(run_cli("ask", "ledighedsprocent", "--json", db=sample_store_path).stdout)
    assert answer["indicator"] == "ledighedsprocent"
    assert answer["unit"].startswith("pct")
    assert answer["period"] == "2026-07"
    assert 0 < answer["value"] < 20


def test_eksempeldata_is_labelled_in_the_answer(sample_store_path):
    answer = json.loads(run_cli("ask", "sygedagpenge", "--json", db=sample_store_path).stdout)
    assert answer["indicator"] == "sygedagpenge"
    assert answer["sample_data"] is True
    assert answer["source"] == "eksempeldata"
    assert "Eksempeldata" in answer["text"]
    text = run_cli("ask", "sygedagpenge", db=sample_store_path).stdout
    assert "ikke officielle" in text


def test_a_period_without_data_answers_with_the_newest_and_says_so(sample_store_path):
    answer = json.loads(run_cli("ask", "ledighed maj 2030", "--json", db=sample_store_path).stdout)
    assert answer["period"] == "2026-07"
    assert "maj 2030" in answer["text"] and "juli 2026" in answer["text"]


def test_an_unknown_word_exits_1_with_the_closest_indicators(sample_store_path):
    result = run_cli("ask", "ledihged maj", "--json", db=sample_store_path)
    # A close misspelling is understood; a word far from everything is not.
    assert result.returncode == 0 and json.loads(result.stdout)["indicator"] == "ledige"
    result = run_cli("ask", "blomsterkasser", db=sample_store_path)
    assert result.returncode == 1
    assert "Det forstod jeg ikke" in result.stdout and "Traceback" not in result.stderr
    # (»fleks« was the word here; it is Slack's shorthand for fleksjob now)
    result = run_cli("ask", "fleksordning", "--json", db=sample_store_path)
    answer = json.loads(result.stdout)
    assert result.returncode == 1 and answer["understood"] is False
    assert answer["suggestions"][0] == "fleksjob", answer["suggestions"]


def test_without_a_store_the_user_is_told_to_run_init(tmp_path):
    result = run_cli("ask", "ledighed maj", db=tmp_path / "store.db")
    assert result.returncode == 1
    assert "faktabot init" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "store.db").exists()


def test_a_foreign_file_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "store.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE sager (id INTEGER)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    for command in (["init"], ["ask", "ledighed"], ["status"]):
        result = run_cli(*command, db=path)
        assert result.returncode == 1 and "ikke en Faktabot-database" in result.stderr, result
    assert path.read_bytes() == before


def test_an_unknown_area_exits_1_and_says_what_to_use(sample_store_path):
    result = run_cli("ask", "ledighed", "--area", "Narnia", db=sample_store_path)
    assert result.returncode == 1 and "ukendt område 'Narnia'" in result.stderr


def test_init_twice_changes_nothing(sample_store_copy):
    before = sqlite3.connect(sample_store_copy).execute("SELECT count(*), total(value) FROM observations").fetchone()
    result = run_cli("init", db=sample_store_copy)
    assert result.returncode == 0 and "findes allerede" in result.stdout
    after = sqlite3.connect(sample_store_copy).execute("SELECT count(*), total(value) FROM observations").fetchone()
    assert before == after


def test_init_reports_the_count_the_store_holds_derived_figures_included(tmp_path):
    # It reported the two loads (130.142) and `init` again or `status` said 130.596: the derived
    # figures computed after them were left out of the sum.
    store = tmp_path / "store.db"
    result = run_cli("init", db=store)
    assert result.returncode == 0, result.stderr
    held = sqlite3.connect(store).execute("SELECT count(*) FROM observations").fetchone()[0]
    assert f"med {held:,} observationer".replace(",", ".") in result.stdout
    assert "beregnede nøgletal" in result.stdout


def test_chat_answers_line_by_line_and_says_goodbye(sample_store_path):
    result = run_cli("chat", db=sample_store_path, input="ledighed maj 2026\nhjælp\nfarvel\n")
    assert result.returncode == 0
    assert "Ledige i Ballerup, maj 2026" in result.stdout
    assert "Farvel." in result.stdout


def test_status_lists_sources_and_marks_eksempeldata(sample_store_path):
    result = run_cli("status", db=sample_store_path)
    assert result.returncode == 0, result.stderr
    assert "jobindsats:y25i01" in result.stdout and "statbank:LBESK69" in result.stdout
    assert "eksempeldata – ikke officielle tal" in result.stdout


def test_status_shows_each_sources_newest_period_in_danish_as_the_lines_below_do(sample_store_path):
    """The top block said »nyeste periode 2026-07« above »nyeste periode juli 2026«; `--json` keeps the store's form."""
    result = run_cli("status", db=sample_store_path)
    assert result.returncode == 0, result.stderr
    top = result.stdout.split("Kilder:")[0]
    assert "jobindsats:y25i01" in top and "nyeste periode juli 2026" in top
    assert "statbank:AUK01" in top and "nyeste periode 4. kvt. 2025" in top
    assert "2026-07" not in top and "2025-Q4" not in top


def test_status_before_the_first_evaluation_says_the_targets_wait_for_one(sample_store_path):
    """The README promises the targets' states; before the first `faktabot alerts` (or the service's
    first evaluation) status said nothing of them at all."""
    result = run_cli("status", db=sample_store_path)
    assert result.returncode == 0, result.stderr
    assert ("Mål: 4 i faktabot.toml, ikke vurderet endnu – det sker med `faktabot alerts` og, når tjenesten kører, "
            "efter hver opdatering med nye tal. Se dem nu med `faktabot targets`.") in result.stdout


@pytest.mark.parametrize(("command", "option"), [(["factsheet"], "--out"), (["ask", "ledighed"], "--chart")])
def test_an_output_path_that_is_a_folder_or_in_a_missing_one_is_one_danish_line(sample_store_path, tmp_path, command,
                                                                                  option):
    """`factsheet --out bk` (a folder) and `ask … --chart nodir/x.png` ended in IsADirectoryError and
    FileNotFoundError tracebacks."""
    folder = run_cli(*command, option, str(tmp_path), db=sample_store_path)
    assert folder.returncode == 1 and "Traceback" not in folder.stderr
    assert f"{tmp_path} er en mappe; giv {option} et filnavn" in folder.stderr, folder.stderr
    missing = run_cli(*command, option, str(tmp_path / "nodir" / "x"), db=sample_store_path)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert f"mappen {tmp_path / 'nodir'} findes ikke; opret den, eller vælg en anden {option}" in missing.stderr


def test_a_misspelt_kommune_in_the_config_is_named_with_the_one_meant(sample_store_path, tmp_path):
    """A target's »Balerup« got »mente du "151" (Ballerup)?«; [municipality] area only »brug en DST-kode«."""
    config = tmp_path / "faktabot.toml"
    config.write_text('[municipality]\narea = "Balerup"\n', encoding="utf-8")
    result = run_cli("config", "--check", db=sample_store_path, config=config)
    assert result.returncode == 1
    assert "[municipality] area: ukendt område 'Balerup'; mente du \"151\" (Ballerup)?" in result.stderr, result.stderr


def test_a_broken_config_names_the_file_and_the_fix(sample_store_path, tmp_path):
    config = tmp_path / "faktabot.toml"
    config.write_text('[municipality]\narea = "Gotham"\n', encoding="utf-8")
    result = run_cli("ask", "ledighed", db=sample_store_path, config=config)
    assert result.returncode == 1
    assert "ukendt område 'Gotham'" in result.stderr and "faktabot.toml" in result.stderr


def test_refresh_indicator_without_an_id_lists_every_id_with_its_danish_name(tmp_path):
    listed = run_cli("refresh", "--indicator", db=tmp_path / "none.db")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0] == "Indikatorer (hent én med `faktabot refresh --indicator ID`):"
    ids = [line.split()[0] for line in lines[1:]]
    assert ids == [i.id for i in default_catalogue()]
    assert any(line.split() == ["afgangsrate", "afgangsraten", "(figur", "7.2)"] for line in lines), lines
    assert not (tmp_path / "none.db").exists()  # a listing refreshes nothing


@pytest.mark.parametrize(("typed", "said"), [
    ("ledigee", "faktabot: ukendt indikator 'ledigee'; mente du 'ledige'?"),
    ("afgangsrat", "faktabot: ukendt indikator 'afgangsrat'; mente du 'afgangsrate' (afgangsraten)?"),
    ("xyz", "faktabot: ukendt indikator 'xyz'"),
])
def test_an_unknown_refresh_indicator_suggests_the_closest_id_and_lists_them_all(tmp_path, typed, said):
    result = run_cli("refresh", "--indicator", typed, db=tmp_path / "none.db")
    assert result.returncode == 1 and result.stderr.splitlines() == [said]  # a user error is one line
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Indikatorer") and [line.split()[0] for line in lines[1:]] == [
        i.id for i in default_catalogue()]


def test_files_template_suggests_the_closest_file_figure_and_its_help_says_how_to_list_them(tmp_path):
    typo = run_cli("files", "template", "afgangsrat", db=tmp_path / "none.db", cwd=tmp_path)
    assert typo.returncode == 1 and not list(tmp_path.iterdir())
    assert typo.stderr.splitlines() == [("faktabot: 'afgangsrat' er ikke en figur, kommunen leverer som fil; "
                                        "mente du 'afgangsrate' (afgangsraten)?")]
    lines = typo.stdout.splitlines()
    assert lines[0].startswith("Figurer, kommunen leverer som fil")
    assert [line.split()[0] for line in lines[1:]] == [i.id for i in file_indicators(default_catalogue())]
    fetched = run_cli("files", "template", "ledighed", db=tmp_path / "none.db", cwd=tmp_path)
    assert fetched.stderr.splitlines() == [("faktabot: 'ledighed' er ikke en figur, kommunen leverer som fil; "
                                           "'ledige' hentes med `faktabot refresh`")], fetched.stderr
    helped = run_cli("files", "template", "--help", db=tmp_path / "none.db")
    assert "faktabot files template (uden ID)" in " ".join(helped.stdout.split()), helped.stdout


def test_the_readme_shows_the_ask_json_object_as_the_command_prints_it(sample_store_path):
    """The README said `unused` was there only when a word went unused and showed a plain answer
    without it; every object has it (DESIGN.md's contract). Its list of intents lacked `unknown`."""
    import re

    from tests.conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    after = readme.split("`faktabot ask --json` prints one object", 1)[1]
    example = json.loads(after.split("```json\n", 1)[1].split("```", 1)[0])
    plain = json.loads(run_cli("ask", "ledighed maj", "--json", db=sample_store_path).stdout)
    assert set(example) == set(plain)
    intents = after.split("`intent` is one of", 1)[1].split(".", 1)[0]
    not_understood = run_cli("ask", "tandlæger", "--json", db=sample_store_path)
    assert not_understood.returncode == 1
    assert f"`{json.loads(not_understood.stdout)['intent']}`" in intents
    assert not re.search(r"present only when a word went unused", readme)


def test_ask_with_a_chart_it_cannot_draw_prints_the_answer_then_says_no_file_was_written(sample_store_path, tmp_path):
    """`ask »ledige 2025 vs hele landet« --chart x.png` (counts of areas of different size: no chart)
    printed only »ingen graf …« and exited 1; the answer, which says why, was never shown."""
    chart = tmp_path / "x.png"
    result = run_cli("ask", "ledige 2025 vs hele landet", "--chart", str(chart), db=sample_store_path)
    assert result.returncode == 1 and not chart.exists()
    assert "Ledige i Ballerup" in result.stdout and "Svaret har ingen graf" in result.stdout, result.stdout
    assert "ingen graf for 'ledige 2025 vs hele landet', så der er ikke skrevet nogen fil" in result.stderr
