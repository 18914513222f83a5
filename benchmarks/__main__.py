"""Run every benchmark module and print one table: figure, value, baseline, ratio."""
from __future__ import annotations

import importlib
import pkgutil
import sys

from rich.console import Console
from rich.table import Table

import benchmarks
from benchmarks.measure import Result


def main() -> int:
    results: list[Result] = []
    failed: list[str] = []
    for module in sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_")):
        try:
            results.extend(importlib.import_module(f"benchmarks.{module}").run())
        except Exception as error:  # noqa: BLE001 - one broken benchmark must not hide the others' figures
            failed.append(f"{module}: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
    table = Table(title="Faktabot benchmarks")
    for column in ("figure", "value", "baseline", "ratio", "aim"):
        table.add_column(column, justify="left" if column in ("figure", "aim") else "right")
    for r in results:
        table.add_row(r.figure, r.value_text, r.baseline_text, f"{r.ratio:.2f}", r.aim)
    Console(width=140).print(table)
    for line in failed:
        print(f"FAILED {line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
