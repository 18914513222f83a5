"""The municipality's own files, made practical: CSV templates and an inbox folder (file handling).

`template_csv(indicator)` is a ready CSV for a figure the municipality delivers as a file: the
columns the catalogue's file source expects, an `Eksempeldata` column, and one example row marked
as such (`indicators.examples`), so importing the template unchanged stores eksempeldata only.

`import_inbox(store, inbox, …)` imports every CSV/XLSX file dropped in `inbox` with
`indicators.refresh.refresh_file`, then moves it to `inbox/imported/` or, with a Danish reason
file `<name>.fejl.txt` beside it, to `inbox/rejected/`. A file modified in the last `settle`
seconds is left for the next round (it may still be being copied).
"""
from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from indicators.catalogue import Areas, Catalogue, Indicator
from indicators.connectors import files as file_import
from indicators.examples import MARKER
from indicators.refresh import RunResult, refresh_file
from indicators.store import Store
from indicators.wording import wording

SUFFIXES = {".csv", ".xlsx"}
# Files a share holds beside the municipality's exports that are no one's delivery, left where they
# are, unread: Office's owner file while a workbook is open (»~$samtaler.xlsx«), Explorer's own
# files, and a copy under way by a tool that renames it when done (».filepart«, ».part«, ».tmp«).
# Moved to rejected/ they were a failed inbox job each time someone opened a workbook there.
NOT_DELIVERIES = {"thumbs.db", "desktop.ini"}
COPYING_SUFFIXES = {".tmp", ".part", ".partial", ".filepart", ".crdownload"}
IMPORTED, REJECTED = "imported", "rejected"
REASON_SUFFIX = ".fejl.txt"

# -- templates -------------------------------------------------------------------------------------


def file_indicators(catalogue: Catalogue) -> list[Indicator]:
    """Indicators with a file source (the municipality's own figures), in catalogue order."""
    return [i for i in catalogue if any(s.kind == "file" and s.columns for s in i.sources)]


def _example_period(indicator: Indicator) -> str:
    return {"quarter": "2. kvt. 2026", "year": "2026"}.get(indicator.frequency, "maj 2026")


def _example_value(indicator: Indicator) -> str:
    if "pct" in indicator.unit or indicator.format in ("pct", "percent"):
        return "3,4"
    if indicator.decimals:
        return "2,5"
    return "1.160"


def template_csv(indicator: Indicator, area_name: str) -> str:
    """The CSV text (semicolons, decimal comma, as Danish Excel writes it) for one file indicator."""
    source = next(s for s in indicator.sources if s.kind == "file" and s.columns)
    header, row = [], []
    for field, column in source.columns.items():
        header.append(column)
        if field == "period":
            row.append(_example_period(indicator))
        elif field == "area":
            row.append(area_name)
        elif field == "value":
            row.append(_example_value(indicator))
        else:  # a breakdown: the first label the catalogue maps to a part, else the total
            labels = [label for label, part in source.breakdowns.items() if part.startswith(f"{field}=")]
            row.append(labels[0] if labels else "I alt")
    header.append(MARKER)
    row.append("ja")
    return ";".join(header) + "\r\n" + ";".join(row) + "\r\n"


# -- the inbox -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxFile:
    name: str
    imported: bool
    moved_to: Path
    result: RunResult | None  # None when the file was refused before reading (not CSV/XLSX)


def _free(folder: Path, name: str) -> Path:
    """`folder/name`, or `folder/stem-2.ext`, … when a file of that name is already there."""
    target = folder / name
    number = 2
    while target.exists():
        target = folder / f"{Path(name).stem}-{number}{Path(name).suffix}"
        number += 1
    return target


def _reason(name: str, error: str, when: str) -> str:
    return wording("inbox_reason", name=name, when=when, error=error)


def _not_a_delivery(name: str) -> bool:
    """A hidden file, an Office owner file, Explorer's files or a copy under way (see NOT_DELIVERIES)."""
    return (name.startswith((".", "~$")) or name.lower() in NOT_DELIVERIES
            or Path(name).suffix.lower() in COPYING_SUFFIXES)


def import_inbox(store: Store, inbox: Path, *, catalogue: Catalogue, areas: Areas,
                 formats: Sequence[file_import.ImportFormat], now: str, when: str = "",
                 default_area: str | None = None, settle: float = 10.0) -> list[InboxFile]:
    """Import every new file in `inbox`, oldest first; move each to imported/ or rejected/.

    `now` is the stored timestamp of the run; `when` the words a reason file says it in
    (`bot.rendering.formats.moment(now)`: »10. aug. 2026 kl. 08:00«; the bot formats, not this package)."""
    when = when or now
    inbox = Path(inbox)
    inbox.mkdir(parents=True, exist_ok=True)
    waiting = sorted((p for p in inbox.iterdir() if p.is_file() and not _not_a_delivery(p.name)),
                     key=lambda p: (p.stat().st_mtime, p.name))
    done: list[InboxFile] = []
    for path in waiting:
        if time.time() - path.stat().st_mtime < settle:
            continue  # perhaps still being copied: the next round takes it
        if path.is_symlink():
            # Whoever may drop files here could link to a file only the service may read (its
            # credentials): the reason file would show that file's first line. Never read a link.
            done.append(_reject(inbox, path, wording("inbox_link", name=path.name), when, None))
            continue
        if path.suffix.lower() not in SUFFIXES:
            error = wording("inbox_wrong_kind", name=path.name)
            done.append(_reject(inbox, path, error, when, None))
            continue
        result = refresh_file(store, path, catalogue=catalogue, areas=areas, formats=formats, now=now,
                              default_area=default_area)
        if result.ok:
            folder = inbox / IMPORTED
            folder.mkdir(exist_ok=True)
            target = _free(folder, path.name)
            path.replace(target)
            done.append(InboxFile(path.name, True, target, result))
        else:
            done.append(_reject(inbox, path, result.error or wording("inbox_unknown_error"), when, result))
    return done


def _reject(inbox: Path, path: Path, error: str, when: str, result: RunResult | None) -> InboxFile:
    folder = inbox / REJECTED
    folder.mkdir(exist_ok=True)
    target = _free(folder, path.name)
    path.replace(target)
    target.with_name(target.name + REASON_SUFFIX).write_text(_reason(path.name, error, when), encoding="utf-8")
    return InboxFile(path.name, False, target, result)
