"""`faktabot files template ID`: a ready CSV for a figure the municipality delivers as a file."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli import ids
from bot.cli.errors import UserError
from bot.config import Config
from bot.rendering.terminal import say
from bot.settings import Settings
from indicators.catalogue import default_areas, default_catalogue
from indicators.inbox import file_indicators, template_csv
from indicators.wording import wording


def add_parser(commands: argparse._SubParsersAction) -> None:
    files = commands.add_parser("files", help="the municipality's own files: CSV templates")
    actions = files.add_subparsers(dest="files_command", required=True)
    template = actions.add_parser("template", help="write a CSV template for a figure delivered as a file")
    template.add_argument("id", nargs="?", help="the indicator id (without it: list the ids)")
    template.add_argument("--out", type=Path, help="where to write it (default: ID.csv here)")


def cmd_files(args, settings: Settings, config: Config) -> int:
    catalogue = default_catalogue()
    choices = file_indicators(catalogue)
    if not args.id:
        ids.show("files_list_header", choices)
        return 0
    indicator = next((i for i in choices if i.id == args.id), None)
    if indicator is None:
        # A figure fetched from Jobindsats or StatBank (»ledige«) is said to be one; a typo gets the
        # closest file figure; either way the file figures follow, with their names.
        fetched = catalogue.named(args.id)
        hint = (wording("cli_not_a_file_but_fetched", indicator=fetched.id, named=ids.named(fetched))
                if fetched is not None and fetched not in choices else ids.did_you_mean(args.id, catalogue, choices))
        return ids.refuse(wording("cli_not_a_file_figure", id=args.id, hint=hint), "files_list_header", choices)
    area = default_areas().by_code.get(config.area)
    target = args.out or Path(f"{indicator.id}.csv")
    if target.suffix.lower() != ".csv":
        # A CSV written as »afgangsrate.xlsx« was refused on import as a broken workbook.
        raise UserError(wording("cli_template_not_csv", path=target, csv=target.with_suffix(".csv")))
    if target.exists():
        raise UserError(wording("cli_file_exists", path=target))
    if not target.parent.is_dir():
        raise UserError(wording("cli_no_folder", path=target.parent, option="--out"))
    # UTF-8 with BOM: Excel opens it with æ, ø and å intact.
    try:
        target.write_text("\ufeff" + template_csv(indicator, area.name if area else "Ballerup"), encoding="utf-8",
                          newline="")
    except OSError:
        raise UserError(wording("cli_cannot_write", path=target, option="--out")) from None
    say("files_template_written", path=target, id=indicator.id, out=sys.stdout)
    return 0
