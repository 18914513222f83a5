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
    for module in sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_")):
        results.extend(importlib.import_module(f"benchmarks.{module}").run())
    table = Table(title="Faktabot benchmarks")
    for column in ("figure", "value", "baseline", "ratio", "aim"):
        table.add_column(column, justify="left" if column in ("figure", "aim") else "right")
    for r in results:
        table.add_row(r.figure, r.value_text, r.baseline_text, f"{r.ratio:.2f}", r.aim)
    Console(width=140).print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
