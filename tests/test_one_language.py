"""One language per message (issue 17): what the command line says when something is wrong, and
its --help, is Danish from templates/messages.toml, argparse's own words included."""
from __future__ import annotations

import ast
import re
import sqlite3

import pytest

from tests.conftest import REPO, run_cli

# Common English words that have no place in a Danish sentence. Paths and option names are
# removed first (a pytest folder is named after the test).
ENGLISH = re.compile(r"\b(the|is|not|error|usage|invalid|must|expected|match|found|columns|options|arguments|"
                     r"required|choose|should|cannot|positional|show|help message|exit)\b", re.IGNORECASE)


def english_in(text: str, *paths: object) -> list[str]:
    for path in sorted((str(p) for p in paths), key=len, reverse=True):
        text = text.replace(path, "STI")
    text = re.sub(r"--[a-z-]+", "", text)  # option names such as --dry-run are English by nature
    text = re.sub(r"`[^`]*`", "", text)  # so are the keys of faktabot.toml, in backticks
    return ENGLISH.findall(text)


CASES = [
    ("unknown command", ["nope"], 2),
    ("missing argument", ["ask"], 2),
    ("invalid choice", ["refresh", "--source", "x"], 2),
    ("unknown option", ["ask", "ledighed", "--bogus"], 2),
    ("subcommand missing", ["files"], 2),
    ("unknown indicator", ["refresh", "--indicator", "ledihed"], 1),
    ("file without --file", ["refresh", "--source", "file"], 1),
    ("bad month", ["summary", "--month", "juli"], 1),
    ("unknown area", ["ask", "ledighed maj", "--area", "Narnia"], 1),
    ("unknown period", ["factsheet", "--quarter", "2026-Q7", "--out", "x.pdf"], 1),
    ("unknown file figure", ["files", "template", "ingen"], 1),
]


@pytest.mark.parametrize(("case", "argv", "code"), CASES, ids=[c[0] for c in CASES])
def test_a_mistake_on_the_command_line_is_said_in_danish(sample_store_path, case, argv, code):
    result = run_cli(*argv, db=sample_store_path)
    assert result.returncode == code, result.stdout + result.stderr
    assert result.stderr.strip() and not english_in(result.stderr, sample_store_path), result.stderr


def test_a_file_matching_no_format_is_refused_in_danish(sample_store_copy, tmp_path):
    # The example: "opdateringen mislykkedes … its columns (a, b) match no import format".
    bad = tmp_path / "tal.csv"
    bad.write_text("a;b\n1;2\n", encoding="utf-8")
    result = run_cli("refresh", "--file", str(bad), db=sample_store_copy)
    said = result.stdout + result.stderr
    assert result.returncode == 1 and "opdateringen mislykkedes" in said and "(a, b)" in said, said
    assert not english_in(said, tmp_path), said


def test_a_wrong_config_or_store_is_said_in_danish(sample_store_path, tmp_path):
    config = tmp_path / "faktabot.toml"
    config.write_text("[operationz]\nrecipients = []\n", encoding="utf-8")
    broken = tmp_path / "broken.toml"
    broken.write_text("[summary\nday = 3\n", encoding="utf-8")
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE sager (id INTEGER)")
    results = [
        run_cli("targets", db=sample_store_path, config=config),
        run_cli("targets", db=sample_store_path, config=broken),
        run_cli("targets", db=sample_store_path, config=tmp_path / "findes-ikke.toml"),
        run_cli("targets", db=tmp_path / "ingen.db"),
        run_cli("targets", db=foreign),
        run_cli("targets", db=sample_store_path, env={"SMTP_HOST": "mail.example", "SMTP_PORT": "x"}),
    ]
    for result in results:
        assert result.returncode == 1 and result.stderr.startswith("faktabot: "), result.stderr
        assert not english_in(result.stderr, tmp_path, sample_store_path), result.stderr


def test_help_is_danish_and_keeps_each_commands_description_and_example(sample_store_path):
    from bot.cli.main import build_parser
    from bot.rendering.terminal import messages

    top = run_cli("--help", db=sample_store_path)
    assert top.returncode == 0 and top.stdout.startswith("brug: faktabot")
    assert "tilvalg:" in top.stdout and "vis denne hjælp og afslut" in top.stdout
    assert not english_in(top.stdout), top.stdout
    commands = messages()["commands"]
    parser = build_parser()
    for name, command in parser._subparsers._group_actions[0].choices.items():
        text = command.format_help()
        assert text.startswith("brug: ") and f"Eksempel: {commands[name][1]}" in " ".join(text.split())
        assert not english_in(text), text


# Modules whose raised messages are not from templates/messages.toml, and why that is right: they
# build the shipped sample data (`make sample`) from files in the repository, so a message from them
# is for the developer who changed those files; tests check the shipped files before release.
NOT_YET_DANISH = {
    "indicators/sampledata.py",  # reads ../shared/data/real and sample/*.csv.gz, both shipped and tested
    "indicators/eksempeldata.py",  # reads sample/eksempeldata.toml (shipped); its one runtime check is Danish
}


def _worded_raises(path) -> list[int]:
    """Lines where an exception is raised with a text written in the code (a literal or an f-string)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
            first = node.exc.args[0]
            if isinstance(first, ast.JoinedStr) or (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                found.append(node.lineno)
    return found


def test_errors_take_their_words_from_the_templates():
    offenders, clean = [], []
    for package in ("indicators", "bot"):
        for path in sorted((REPO / package).rglob("*.py")):
            name = path.relative_to(REPO).as_posix()
            lines = _worded_raises(path)
            if lines and name not in NOT_YET_DANISH:
                offenders.append(f"{name}: lines {lines}")
            if not lines and name in NOT_YET_DANISH:
                clean.append(name)
    assert not offenders, "raise with words written in code; put them in templates/messages.toml [errors]: " \
        + "; ".join(offenders)
    assert not clean, f"now Danish, take them off NOT_YET_DANISH: {clean}"


def test_every_target_mistake_rules_can_raise_has_danish_words():
    # rules/ stays pure: it raises TargetError(code, ...) and bot/config.py words it from [errors].
    from bot.rendering.terminal import messages

    source = (REPO / "rules" / "targets.py").read_text(encoding="utf-8")
    codes = set(re.findall(r'(?:fail|TargetError)\("(\w+)"', source)) | set(re.findall(r'return "(recipient_\w+)"', source))
    assert len(codes) > 40, codes
    errors = messages()["errors"]
    missing = sorted(code for code in codes if f"target_{code}" not in errors)
    assert not missing, f"TargetError codes without target_<code> in templates/messages.toml [errors]: {missing}"
    assert not [line for line in source.splitlines() if re.search(r'raise (fail|TargetError)\(f"', line)]
