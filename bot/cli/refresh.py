"""`faktabot refresh` and the sources part of `faktabot status` (terminal side of the data flow).

Builds the connectors from the settings (URLs, token) and the config (file formats), runs
`indicators.refresh` with a progress bar, and prints one Danish line per source run. User
mistakes are printed as one line and exit 1; a failed run says the store is unchanged and why.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from bot import clock
from bot.cli import ids
from bot.cli.compose import connector_for
from bot.config import Config
from bot.rendering import formats
from bot.rendering.terminal import messages, run_notes, say
from bot.settings import Settings
from indicators.catalogue import Catalogue, Indicator, default_areas, default_catalogue
from indicators.connectors import RetryPolicy, wanted_from
from indicators.derived import complete_owed
from indicators.refresh import FILES, RunResult, SourceStatus, refresh_file, refresh_source, source_status
from indicators.store import Store
from indicators.wording import wording

SOURCES = ("jobindsats", "statbank", "file")
FETCHED = ("jobindsats", "statbank")  # the sources `faktabot refresh` fetches from (not a file)


def add_parser(commands: argparse._SubParsersAction) -> None:
    refresh = commands.add_parser("refresh", help="fetch new figures from Jobindsats, StatBank or a file")
    refresh.add_argument("--source", choices=SOURCES, help="one source (default: jobindsats and statbank)")
    # `--indicator` without an ID lists the ids (const None): the operator's way to find them.
    refresh.add_argument("--indicator", action="append", default=[], metavar="ID", nargs="?", const=None,
                         help="only this indicator (repeat for more); includes its unverified sources")
    refresh.add_argument("--file", action="append", default=[], type=Path, metavar="PATH",
                         help="a CSV or XLSX file to import (repeat for more); implies --source file")
    refresh.add_argument("--full", action="store_true",
                         help="re-read every period, not only the newest ones and a few back")


class RefreshUsageError(Exception):
    pass


class UnknownIndicator(RefreshUsageError):
    """An `--indicator` the catalogue does not have: the valid ids are listed after it."""


def _check_indicators(wanted: list[str]) -> list[str]:
    catalogue = default_catalogue()
    for indicator_id in wanted:
        if indicator_id not in catalogue:
            raise UnknownIndicator(wording("cli_unknown_indicator", id=indicator_id,
                                            hint=ids.did_you_mean(indicator_id, catalogue)))
    return wanted


def _sources(args) -> list[str]:
    if args.file and args.source not in (None, "file"):
        raise RefreshUsageError(wording("cli_file_with_source", source=args.source))
    if args.source == "file" or args.file:
        if not args.file:
            raise RefreshUsageError(wording("cli_source_file_needs_file"))
        return ["file"]
    return [args.source] if args.source else ["jobindsats", "statbank"]


def _confirmed_sources(settings: Settings) -> frozenset[str]:
    """The unverified guesses the newest `faktabot sources --check` found (none before a store exists)."""
    if not settings.db_path.exists():
        return frozenset()
    with Store(settings.db_path) as store:
        return store.confirmed_sources()


def cmd_refresh(args, settings: Settings, config: Config, *, policy: RetryPolicy = RetryPolicy(),
                now: Callable[[], datetime] = clock.now) -> int:
    if None in args.indicator:  # `--indicator` without an ID: which ids there are
        ids.show("ids_all_header", default_catalogue())
        return 0
    try:
        indicators = _check_indicators(args.indicator)
        sources = _sources(args)
    except UnknownIndicator as error:
        return ids.refuse(str(error), "ids_all_header", default_catalogue())
    except RefreshUsageError as error:
        print(f"faktabot: {error}", file=sys.stderr)
        return 1
    catalogue, areas = default_catalogue(), default_areas()
    if "jobindsats" in sources and not settings.jobindsats_token:
        if args.source == "jobindsats":
            say("refresh_no_token", out=sys.stderr)
            return 1
        sources.remove("jobindsats")
        say("refresh_skipped_jobindsats", out=sys.stderr)
    confirmed = _confirmed_sources(settings) if not indicators else frozenset()
    plans = []
    for source in sources:
        if source == "file":
            plans.append((source, None))
            continue
        wanted = wanted_from(catalogue, source, indicators, confirmed=confirmed)
        if wanted:
            plans.append((source, wanted))
    if "file" not in sources:
        # An indicator none of the sources tried has a table for (samtaler from StatBank) is said, with
        # where it does come from; it was English, and one of several named was passed over unsaid.
        covered = {w.indicator.id for _, wanted in plans for w in wanted or ()}
        for indicator_id in dict.fromkeys(i for i in indicators if i not in covered):
            print(f"faktabot: {not_fetched(catalogue.get(indicator_id), sources, catalogue)}", file=sys.stderr)
    if not plans:
        return 1
    created = not settings.db_path.exists()
    results: list[RunResult] = []
    console = Console(stderr=True)
    with Store(settings.db_path, create=True) as store:
        store.quick_check()  # never write into a damaged store
        if created:
            say("refresh_created", out=sys.stderr, path=settings.db_path)
        # First the derived values a refresh stopped before (a crash, a kill) left owed.
        if (owed := complete_owed(store, catalogue, now=clock.stamp(now()))) is not None:
            say("refresh_owed_done", out=sys.stderr, count=formats.number(owed.written))
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        # The bar is for people at a terminal; in a log or a pipe it would only add blank lines.
        with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
            for source, wanted in plans:
                task = progress.add_task(f"{messages()['refresh_progress']} {source}", total=None)

                def report(done: int, total: int, label: str, task=task) -> None:
                    progress.update(task, completed=done, total=total, description=label)

                stamp = clock.stamp(now())
                if source == "file":
                    for path in args.file:
                        results.append(refresh_file(store, path, catalogue=catalogue, areas=areas, formats=config.imports,
                                                    now=stamp, default_area=config.area, on_progress=report,
                                                    max_bytes=settings.max_import_bytes))
                    continue
                connector = connector_for(source, settings, policy, now())
                try:
                    results.append(refresh_source(store, connector, wanted, catalogue=catalogue, areas=areas,
                                                  now=stamp, full=args.full, on_progress=report,
                                                  secrets=settings.secrets))
                finally:
                    connector.http.close()
    for result in results:
        _print_result(result)
    return 0 if all(r.ok for r in results) else 1


def not_fetched(indicator: Indicator, tried: list[str], catalogue: Catalogue) -> str:
    """Why `indicator` is not fetched from the sources `tried`, and what to do instead: the source
    that has it, the kommune's own file, or the inputs it is computed from (one Danish line)."""
    def name(kind: str) -> str:
        return wording(f"cli_refresh_source_{kind}")

    kinds = list(dict.fromkeys(source.kind for source in indicator.sources))
    elsewhere = [kind for kind in kinds if kind in FETCHED and kind not in tried]
    origins = [kind for kind in catalogue.origins(indicator.id) if kind in FETCHED]
    if elsewhere:
        how = wording("cli_refresh_fetched_elsewhere", source=name(elsewhere[0]), kind=elsewhere[0], id=indicator.id)
    elif "file" in kinds:
        how = wording("cli_refresh_from_file", id=indicator.id)
    else:  # computed from other figures, or no source at all: it is fetched from nowhere
        if origins:  # (`faktabot refresh` without --source where they come from both)
            option = wording("cli_refresh_derived_option", kind=origins[0]) if len(origins) == 1 else ""
            how = wording("cli_refresh_derived", source=wording("cli_refresh_and").join(map(name, origins)),
                          option=option)
        elif "file" in catalogue.origins(indicator.id):
            how = wording("cli_refresh_derived_from_file")
        else:
            how = wording("cli_refresh_no_source")
        return wording("cli_refresh_not_fetched", indicator=indicator.id, named=ids.named(indicator), how=how)
    return wording("cli_refresh_not_from", indicator=indicator.id, named=ids.named(indicator),
                   tried=wording("cli_refresh_or").join(name(kind) for kind in tried), how=how)


def _print_result(result: RunResult) -> None:
    if not result.ok and result.landed:
        _print_partial(result)
        return
    if not result.ok:
        key = "refresh_failed" if result.permanent else "refresh_failed_retry"
        say(key, out=sys.stderr, source=result.source, error=result.error)
        return
    if result.rows == 0:
        say("refresh_empty", source=result.source)
        return
    one, many = messages()["refresh_area_one"], messages()["refresh_area_many"]
    # a file is read in (»indlæst«), a source's figures fetched (»hentet«), as the answers say
    verb = messages()["refresh_verb_file" if result.source.startswith("file:") else "refresh_verb_fetched"]
    say("refresh_done", source=result.source, rows=formats.number(result.rows),
         areas=f"{result.areas} {one if result.areas == 1 else many}", verb=verb,
         inserted=formats.number(result.inserted), updated=formats.number(result.updated),
         revisions=formats.number(result.revisions),
         newest=formats.period(result.newest) if result.newest else "–",
         seconds=f"{result.seconds:.1f}".replace(".", ","), extra=run_notes(result))


def _print_partial(result: RunResult) -> None:
    """Some tables landed, some failed: what landed (stdout), then each failed table (stderr)."""
    failed = result.failed_tables
    _print_result(replace(result, ok=True, error=None))
    say("refresh_tables_failed", out=sys.stderr, source=result.source, failed=len(failed), total=len(result.tables),
        tables=", ".join(t.table for t in failed))
    for table in failed:
        say("refresh_table_failed", out=sys.stderr, source=result.source, table=table.table, error=table.error)


def print_status(store: Store, now: datetime | None = None) -> None:
    """Per source: last successful run, rows, newest period, and whether it is stale."""
    moment = now or clock.now()
    say("status_sources_header")
    for status in source_status(store, moment):
        newest = formats.period(status.newest) if status.newest else "–"
        if status.source == "eksempeldata":
            say("status_sample_state", source=status.source, rows=formats.number(status.rows), newest=newest)
            continue
        if status.source == FILES:
            _print_files(status, newest)
            continue
        problem = ""
        if status.last_status in ("failed", "interrupted") and status.last_error and not status.failed_tables:
            problem = messages()["status_last_failed"].format(error=status.last_error[:300])
        if status.never_refreshed:
            # (its rows, if any, came with `faktabot init`: »seneste vellykkede opdatering aldrig« said it twice)
            say("status_source_never" if status.rows else "status_source_empty", source=status.source,
                rows=formats.number(status.rows), newest=newest, problem=problem)
        else:
            say("status_source_state", source=status.source,
                state=messages()["status_state_stale" if status.stale else "status_state_fresh"],
                last=formats.day(status.last_ok), rows=formats.number(status.rows), newest=newest, problem=problem)
        for table, when, error in status.failed_tables:
            say("status_table_failed", table=table, last=formats.day(when) if when else messages()["status_never"],
                error=(error or "")[:300])


def _print_files(status: SourceStatus, newest: str) -> None:
    """The kommune's files as one line: the latest file and when, and the newest file refused and
    not delivered again since (its error without the file's name, which the line names already)."""
    problem = ""
    if status.last_failure:
        name, when, error = status.last_failure
        error = (error or "").removeprefix(f"{name}, ").removeprefix(f"{name}: ")
        problem = messages()["status_files_failed"].format(file=name, when=formats.moment(when), error=error[:300])
    label = messages()["status_files"]
    if status.latest_file is None:
        say("status_files_none", source=label, problem=problem)
        return
    say("status_files_state", source=label,
        state=messages()["status_state_stale" if status.stale else "status_state_fresh"],
        file=status.latest_file, last=formats.moment(status.last_ok), rows=formats.number(status.rows),
        newest=newest, problem=problem)
