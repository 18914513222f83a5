"""faktabot.toml read into typed sections and checked at load: each mistake of issue 12 and the
"did you mean" of a misspelt section or key, as one line naming the file and the line."""
from __future__ import annotations

import pytest

from bot.config import ConfigError, load_config
from tests.conftest import REPO

SHIPPED = (REPO / "faktabot.toml").read_text(encoding="utf-8")
FACTSHEET_RECIPIENTS = 'recipients = ["udvalg@example.org"]'


def written(tmp_path, text: str):
    path = tmp_path / "faktabot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_config_loads_into_typed_sections():
    config = load_config(REPO / "faktabot.toml")
    assert config.summary.day == 5 and "ledelse@example.org" in config.summary.recipients
    assert config.factsheet.recipients == ("udvalg@example.org",) and config.factsheet.day == 10
    assert config.operations == ("it-drift@example.org",)
    assert config.schedule["summary"] == "0 7 * * *"
    assert config.target("fleksjob").indicator == "fleksjob" and config.target("nope") is None


@pytest.mark.parametrize(("old", "new", "says"), [
    (FACTSHEET_RECIPIENTS, 'recipients = "a@b.dk"', "linje 21, [factsheet] recipients: 'a@b.dk' skal være en liste"),
    (FACTSHEET_RECIPIENTS, 'recipients = ["notanemail"]', "modtageren 'notanemail' er hverken en Slack-kanal"),
    (FACTSHEET_RECIPIENTS, "recipients = [42]", "modtageren 42 er ikke tekst"),
    (FACTSHEET_RECIPIENTS, 'recipients = ["a@b.dk\\r\\nBcc: x@y.dk"]', "er hverken en Slack-kanal"),
    ("day = 10", 'day = "fem"', "linje 22, [factsheet] day: day = 'fem' skal være et helt tal fra 1 til 28"),
    ("day = 10", "day = 31", "fra 1 til 28"),
    ("[operations]", "[operationz]", "linje 25: ukendt afsnit [operationz]; mente du 'operations'?"),
    ("day = 5 ", "dag = 5 ", "[summary] dag: ukendt nøgle 'dag'; mente du 'day'?"),
    ('summary = "0 7 * * *"', "summary = 7", "[schedule] summary: 7 skal være en cron-linje i anførselstegn"),
])
def test_a_config_mistake_is_one_line_with_the_file_and_line(tmp_path, old, new, says):
    assert old in SHIPPED
    with pytest.raises(ConfigError) as raised:
        load_config(written(tmp_path, SHIPPED.replace(old, new, 1)))
    message = str(raised.value)
    assert says in message and "faktabot.toml" in message and "\n" not in message


def test_a_target_recipient_with_a_line_break_is_refused(tmp_path):
    text = SHIPPED.replace('"jobcenterchef@example.org"', '"chef@example.org\\nBcc: x@y.dk"', 1)
    with pytest.raises(ConfigError, match="modtageren .* er hverken en Slack-kanal"):
        load_config(written(tmp_path, text))


def test_teams_and_slack_member_recipients_are_accepted(tmp_path):
    config = load_config(written(tmp_path, SHIPPED.replace(FACTSHEET_RECIPIENTS,
                                                           'recipients = ["teams:ledelse", "@U0123ABC"]', 1)))
    assert config.factsheet.recipients == ("teams:ledelse", "@U0123ABC")


@pytest.mark.parametrize("text", ['[summary]\nrecipients = ["#kanal",\n', '[municipality]\narea =', 'x = """tekst\n'])
def test_a_value_left_open_to_the_end_of_the_file_says_what_to_look_for(tmp_path, text):
    """An unclosed »[« said »er ikke gyldig TOML; ret linjen« with no line to fix (tomllib names
    none: »at end of document«); it now says the file ends inside a value and what to close."""
    with pytest.raises(ConfigError, match="er ikke gyldig TOML: filen slutter midt i en værdi – en liste »\\[«, en "
                                          "tabel »{« eller en tekst »\"\"\"«, der ikke er lukket, eller et »=« uden værdi"):
        load_config(written(tmp_path, text))
