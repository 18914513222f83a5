"""`faktabot sources --check`: per figure, can it rest on official figures? (terminal side)

Asks Jobindsats (with JOBINDSATS_TOKEN) and StatBank whether every table, measure and hierarchy
the catalogue names exists (`indicators.sources_check`) and prints one Danish line per figure.
What it found of the catalogue's unverified guesses is kept in the store: the refresh, the
scheduled one too, fetches a guess the newest check found. `print_status` shows it in `status`.
Exit 0 when everything the catalogue names was found, 1 when anything is missing or unchecked.
"""
from __future__ import annotations

import argparse
import sys
import tomllib

from bot.rendering import formats
from bot.rendering.render import TEMPLATE_DIR
from bot.rendering.terminal import messages, say
from bot.settings import Settings
from indicators.catalogue import default_catalogue
from indicators.connectors import RetryPolicy, jobindsats, source_key, statbank
from indicators.connectors.http import SourceError
from indicators.sources_check import SourcesReport, check_sources, figure_titles
from indicators.store import Store


def add_parser(commands: argparse._SubParsersAction) -> None:
    sources = commands.add_parser("sources", help="check that the tables and measures the catalogue names exist")
    sources.add_argument("--check", action="store_true", required=True,
                         help="ask Jobindsats and StatBank about every table, measure and hierarchy")


def fact_sheet_titles() -> dict[str, str]:
    """Figure number -> its title on the fact sheet (templates/factsheet.toml)."""
    with open(TEMPLATE_DIR / "factsheet.toml", "rb") as handle:
        return {str(f["number"]): str(f["title"]) for f in tomllib.load(handle).get("figure", [])}


def cmd_sources(args, settings: Settings, config, *, policy: RetryPolicy = RetryPolicy()) -> int:
    catalogue = default_catalogue()
    rerun = "faktabot sources --check"  # a source that cannot be reached: this check is what to run again
    job = (jobindsats.client(settings.jobindsats_api_url, settings.jobindsats_token, policy=policy, rerun=rerun)
           if settings.jobindsats_token else None)
    stat = statbank.client(settings.statbank_api_url, policy=policy, rerun=rerun)
    try:
        report = check_sources(catalogue, jobindsats=job, statbank=stat)
    except SourceError as error:
        say("sources_cannot_check", out=sys.stderr, error=error)
        return 1
    finally:
        for client in (job, stat):
            if client is not None:
                client.close()
    print_report(report, {**figure_titles(catalogue), **fact_sheet_titles()})
    if report.unverified:
        # Remembered even when something else is missing: one renamed table must not keep the
        # guesses that were found from being fetched.
        with Store(settings.db_path, create=True) as store:
            store.record_source_checks(report.unverified)
        say("sources_confirmed", out=sys.stderr, found=sum(1 for _, ok in report.unverified.values() if ok),
            checked=len(report.unverified), path=settings.db_path)
    return 0 if report.ok else 1


def print_status(store: Store) -> None:
    """For `faktabot status`: each unverified source, and whether the newest check found it."""
    checks = store.source_checks()
    unverified = [(i.id, s) for i in default_catalogue() for s in i.sources
                  if not s.verified and s.kind in ("jobindsats", "statbank")]
    if unverified:
        say("status_unverified_header")
    for indicator, source in unverified:
        found, when = checks.get(source_key(indicator, source), (None, ""))
        key = ("status_unverified_unchecked" if found is None else
               "status_unverified_confirmed" if found else "status_unverified_not_found")
        say(key, indicator=indicator, source=f"{source.kind} {source.table}",
            when=formats.day(when) if when else "")


def print_report(report: SourcesReport, titles: dict[str, str]) -> None:
    text = messages()
    if not report.jobindsats_checked:
        say("sources_no_token", out=sys.stderr)
    for figure in report.figures:
        state = text[f"sources_state_{figure.state}"]
        if figure.state == "file":
            state = state.format(ids=", ".join(figure.files), commands=" / ".join(
                text["sources_state_file_command"].format(id=i) for i in figure.files))
        say("sources_figure", number=figure.number, title=titles.get(figure.number, ""), state=state)
        for problem in figure.problems:
            close = (text["sources_closest"].format(names=", ".join(f"»{n}«" for n in problem.closest))
                     if problem.closest else text["sources_no_closest"])
            say("sources_problem", source=problem.source, what=problem.what, name=problem.name,
                indicator=problem.indicator, closest=close)
    extra = [p for p in report.problems if not any(p in f.problems for f in report.figures)]
    for problem in extra:  # the extra series outside the 28 figures (befolkning, …)
        close = (text["sources_closest"].format(names=", ".join(f"»{n}«" for n in problem.closest))
                 if problem.closest else text["sources_no_closest"])
        say("sources_problem", source=problem.source, what=problem.what, name=problem.name,
            indicator=problem.indicator, closest=close)
    say("sources_summary", ready=report.count("ready"), total=len(report.figures),
        missing=report.count("missing"), file=report.count("file"), sample=report.count("sample"),
        unchecked=report.count("unchecked"))
