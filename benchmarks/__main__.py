"""Run every benchmark module and print one table: figure, value, baseline, ratio.

`python -m benchmarks --quick` (make bench-quick) runs the lot in under a minute: fewer
repetitions and smaller stores, for a check that nothing broke, not for the figures of record.
Every module has `run(quick: bool = False) -> list[Result]`.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import shutil
import sys
import tempfile
import time

from rich.console import Console
from rich.table import Table

import benchmarks
from benchmarks.measure import Result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, smaller stores (under a minute)")
    parser.add_argument("only", nargs="*", help="run only these modules, e.g. bench_refresh")
    args = parser.parse_args(argv)
    # Every module's stores and scratch files go in one folder of this run, removed at its end: a
    # full run writes gigabytes (bench_scale's 5 M store, copies of the sample store), and modules
    # that kept theirs filled the disk over a few dozen runs.
    scratch = tempfile.mkdtemp(prefix="faktabot-bench-run-")
    tempfile.tempdir = scratch
    try:
        return _run(args)
    finally:
        tempfile.tempdir = None
        shutil.rmtree(scratch, ignore_errors=True)


def _run(args: argparse.Namespace) -> int:
    results: list[Result] = []
    failed: list[str] = []
    for module in sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_")):
        if args.only and module not in args.only:
            continue
        started = time.perf_counter()
        try:
            results.extend(importlib.import_module(f"benchmarks.{module}").run(quick=args.quick))
        except Exception as error:  # noqa: BLE001 - one broken benchmark must not hide the others' figures
            failed.append(f"{module}: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
        print(f"{module}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    title = "Faktabot benchmarks" + (" (--quick: fewer repetitions, smaller stores; not figures of record)"
                                     if args.quick else "")
    table = Table(title=title)
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
