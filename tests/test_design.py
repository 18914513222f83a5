"""The design card's rules that code review alone would miss: import direction and the README."""
from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

from bot.cli.main import build_parser
from tests.conftest import REPO

STDLIB_AND_TYPES = {"__future__", "dataclasses", "datetime", "typing", "collections", "enum", "math",
                    "statistics", "itertools", "functools", "indicators.types", "indicators.periods",
                    "re", "bisect", "zoneinfo"}


def imports(package: str) -> dict[Path, set[str]]:
    found = {}
    for path in (REPO / package).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[path] = names
    return found


def test_indicators_never_imports_bot_or_rules():
    for path, names in imports("indicators").items():
        bad = {n for n in names if n.split(".")[0] in ("bot", "rules", "slack_bolt", "slack_sdk", "apscheduler")}
        assert not bad, f"{path.name} imports {bad}"


def test_rules_imports_only_the_standard_library_and_plain_types():
    for path, names in imports("rules").items():
        outside = {n for n in names if n.split(".")[0] in ("bot", "sqlite_utils", "httpx", "slack_sdk")
                   or (n.startswith("indicators") and n not in STDLIB_AND_TYPES)}
        assert not outside, f"{path.name} imports {outside}"


def test_every_third_party_import_is_declared_in_pyproject():
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    declared_names = {re.split(r"[<>=\[ ]", d)[0].lower().replace("-", "_") for d in declared}
    import_to_dist = {"dotenv": "python_dotenv", "slack_bolt": "slack_bolt", "slack_sdk": "slack_sdk"}
    import sys
    ours = {"bot", "indicators", "rules", "templates", "benchmarks", "tests"}
    for package in ("bot", "indicators", "rules", "benchmarks"):
        for path, names in imports(package).items():
            for name in names:
                top = name.split(".")[0]
                if top in ours or top in sys.stdlib_module_names:
                    continue
                assert import_to_dist.get(top, top) in declared_names, f"{path.name} imports undeclared {top}"


def test_the_readme_opens_with_the_two_commands_and_names_every_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"```(?:sh|bash)?\n(.*?)```", readme, re.S).group(1)
    assert first_block.split() == ["make", "run", "make", "test"]
    subcommands = build_parser()._subparsers._group_actions[0].choices
    for command in subcommands:
        assert f"faktabot {command}" in readme, f"README does not mention `faktabot {command}`"


def test_the_changelog_keeps_an_unreleased_section():
    assert "## Unreleased" in (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
