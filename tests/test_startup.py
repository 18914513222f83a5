"""Start-up: the everyday commands do not load the heavy libraries they do not use (issue 17 item 7).

Not timed (the machine is shared); the timing is `benchmarks/bench_startup.py`. What is checked is
the cause of a slow start: which libraries a fresh `faktabot` process has loaded when it is done.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from bot.cli.main import HANDLERS, build_parser
from tests.conftest import REPO

# Plotting, the data frame stack, the HTTP client, the scheduler, the lock and Slack: each is for
# one command or the service, and each costs tens of milliseconds or more to import.
HEAVY = ("matplotlib", "pandas", "numpy", "httpx", "httpcore", "apscheduler", "portalocker", "slack_bolt",
         "slack_sdk")

# Runs `faktabot ARGS` in this process as the console script would, then prints, as its last line,
# which of the watched packages and modules were imported.
WRAPPER = """
import json, runpy, sys
watched = set(sys.argv[1].split(","))
sys.argv = ["faktabot", *sys.argv[2:]]
code = 0
try:
    runpy.run_module("bot", run_name="__main__")
except SystemExit as done:
    code = done.code
print()
print(json.dumps({"code": code, "loaded": sorted(m for m in sys.modules if m in watched or m.split(".")[0] in watched)}))
"""


def loaded_by(*args: str, db, watched: tuple[str, ...] = HEAVY) -> tuple[str, dict]:
    """Run `faktabot ARGS` in a fresh interpreter; (its output, {code, loaded}), `loaded` being the
    modules of `watched` (top-level packages with all their modules, or single modules) it imported."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAKTABOT_", "SLACK_", "SMTP_"))}
    env.update(FAKTABOT_DB=str(db), FAKTABOT_CONFIG=str(REPO / "faktabot.toml"))
    done = subprocess.run([sys.executable, "-c", WRAPPER, ",".join(watched), *args], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=120, check=True)
    output, _, last = done.stdout.rstrip("\n").rpartition("\n")
    return output, json.loads(last)


def test_ask_loads_no_plotting_data_frames_http_scheduler_or_slack(sample_store_copy):
    output, run = loaded_by("ask", "ledighed maj", "--json", db=sample_store_copy)
    assert run["code"] == 0 and json.loads(output)["understood"] is True, output
    assert run["loaded"] == []


# Lighter, but each a few per cent of `ask`'s start: fuzzy matching (only for a word the vocabulary
# does not know), rich (only to print emoji or progress), python-dotenv (only when there is a .env),
# babel (its locale data is about a tenth of the start; formats.py gives the same Danish without it).
LIGHTER = ("rapidfuzz", "rich", "dotenv", "babel")


def test_a_plain_ask_loads_no_fuzzy_matching_rich_dotenv_or_babel(sample_store_copy):
    output, run = loaded_by("ask", "ledighed maj", "--json", db=sample_store_copy, watched=LIGHTER)
    assert run["code"] == 0 and json.loads(output)["understood"] is True, output
    assert run["loaded"] == []
    # A misspelt word still finds its indicator: the fuzzy matcher loads when it is wanted.
    output, run = loaded_by("ask", "ledihged maj", "--json", db=sample_store_copy, watched=LIGHTER)
    assert json.loads(output)["indicator"] == "ledige" and "rapidfuzz" in run["loaded"], (output, run)


COMMAND_MODULES = ("bot.cli.commands", "bot.cli.alerts", "bot.cli.summary", "bot.cli.refresh", "bot.cli.operations",
                   "bot.cli.sources", "bot.cli.files", "bot.cli.mail", "bot.cli.run", "bot.cli.compose")


def test_help_lists_every_command_without_loading_any(sample_store_copy):
    output, run = loaded_by("--help", db=sample_store_copy, watched=HEAVY + COMMAND_MODULES)
    assert run["code"] == 0 and run["loaded"] == []
    # Each command with its description from templates/messages.toml (argparse's column width
    # differs between Python versions: 3.14 widens it).
    assert re.search(r"^ +targets +Hvert måls status", output, re.MULTILINE), output
    assert re.search(r"^ +refresh +Henter nye tal", output, re.MULTILINE), output
    _, run = loaded_by("--version", db=sample_store_copy, watched=HEAVY + COMMAND_MODULES)
    assert run["code"] == 0 and run["loaded"] == []


def test_a_command_loads_its_own_module_only(sample_store_copy):
    _, run = loaded_by("ask", "ledighed maj", db=sample_store_copy, watched=COMMAND_MODULES)
    assert run["code"] == 0 and run["loaded"] == ["bot.cli.commands"]


def test_targets_loads_none_of_the_heavy_libraries(sample_store_copy):
    output, run = loaded_by("targets", db=sample_store_copy)
    assert run["code"] == 0 and output.strip(), output
    assert run["loaded"] == []


def test_each_command_parses_as_in_the_whole_parser():
    """Built for one command, the parser gives that command the same arguments as the whole one."""
    whole = build_parser()._subparsers._group_actions[0].choices
    for name in HANDLERS:
        alone = build_parser({name})._subparsers._group_actions[0].choices
        assert list(alone) == list(whole)
        assert [a.dest for a in alone[name]._actions] == [a.dest for a in whole[name]._actions], name
