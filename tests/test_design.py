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
    import_to_dist = {"dotenv": "python_dotenv", "slack_bolt": "slack_bolt", "slack_sdk": "slack_sdk", "PIL": "pillow"}
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
    first_block = re.search(r"```(?:sh|bash)?\n(.*?)```", readme, re.DOTALL).group(1)
    assert first_block.split() == ["make", "run", "make", "test"]
    subcommands = build_parser()._subparsers._group_actions[0].choices
    for command in subcommands:
        assert f"faktabot {command}" in readme, f"README does not mention `faktabot {command}`"


def test_the_changelog_keeps_an_unreleased_section():
    assert "## Unreleased" in (REPO / "CHANGELOG.md").read_text(encoding="utf-8")


# --- the layers inside bot/ and the import graph (docs/ARCHITECTURE.md) -------------------------

PROJECT = ("bot", "indicators", "rules", "templates")
# From the top down; a module imports only from its own layer or below.
LAYERS = (
    ("bot.__main__", "bot.cli"),
    ("bot.service", "bot.slack"),
    ("bot.alerting",),
    ("bot.reports",),
    ("bot.asking",),
    ("bot.delivery",),
    ("bot.rendering", "bot.config", "bot.settings", "bot.clock", "bot.flights"),
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def import_graph() -> dict[str, set[str]]:
    """Every project module -> the project modules it imports, function-level imports included
    (only `if TYPE_CHECKING:` blocks, which never run, are left out)."""
    paths = [p for package in PROJECT for p in (REPO / package).rglob("*.py")]
    modules = {_module_name(p): p for p in paths}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and _is_type_checking(node)
                   for n in ast.walk(node)}
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    package = name.split(".")[: len(name.split(".")) - node.level + (path.name == "__init__.py")]
                    base = ".".join(package + ([base] if base else []))
                # `from bot.slack import blocks` imports the module bot.slack.blocks (and bot.slack).
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in modules]
            else:
                continue
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    found.add(target)
        graph[name] = found
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _layer(module: str) -> int | None:
    for number, members in enumerate(LAYERS):
        if any(module == m or module.startswith(m + ".") for m in members):
            return number
    return None


def test_the_project_has_no_import_cycle_function_level_imports_included():
    assert _cycles(import_graph()) == []


def test_a_cycle_is_found_when_there_is_one():
    # The check itself can fail: a ring of three and a lone module.
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_bot_module_sits_in_a_layer():
    unplaced = [m for m in import_graph() if m.startswith("bot.") and _layer(m) is None]
    assert unplaced == [], f"modules outside the layers of docs/ARCHITECTURE.md: {unplaced}"


def test_no_import_goes_up_a_layer():
    upward = []
    for module, targets in import_graph().items():
        own = _layer(module)
        if own is None:
            continue
        for target in targets:
            theirs = _layer(target)
            if theirs is not None and theirs < own:
                upward.append(f"{module} -> {target}")
    assert upward == [], "imports that go up a layer: " + ", ".join(sorted(upward))


def test_every_package_ships_in_the_wheel():
    """pyproject's package discovery must find every package of the tree (a wheel without
    bot.slack would give a faktabot whose every command fails)."""
    from setuptools import find_packages

    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    found = set(find_packages(str(REPO), include=config["include"]))
    tree = {_module_name(p.parent / "__init__.py") for package in PROJECT for p in (REPO / package).rglob("__init__.py")}
    assert tree <= found, f"packages missing from the wheel: {sorted(tree - found)}"
