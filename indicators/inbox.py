"""The municipality's own files, made practical: CSV templates and an inbox folder (file handling).

`template_csv(indicator)` is a ready CSV for a figure the municipality delivers as a file: the
columns the catalogue's file source expects, an `Eksempeldata` column, and one example row marked
as such (`indicators.examples`), so importing the template unchanged stores eksempeldata only.

`import_inbox(store, inbox, …)` imports every CSV/XLSX file dropped in `inbox` with
`indicators.refresh.refresh_file`, then moves it to `inbox/imported/` or, with a Danish reason
file `<name>.fejl.txt` beside it, to `inbox/rejected/`. Each file is first moved to `inbox/.importing/`,
so another program cannot move it away while it is read; the folder is removed again when it is empty. A file modified in the last `settle`
seconds is left for the next round (it may still be being copied).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from indicators.catalogue import Areas, Catalogue, Indicator
from indicators.connectors import files as file_import
from indicators.examples import MARKER
from indicators.refresh import RunResult, refresh_file
from indicators.store import Store
from indicators.wording import wording

log = logging.getLogger(__name__)

SUFFIXES = {".csv", ".xlsx"}
# Files a share holds beside the municipality's exports that are no one's delivery, left where they
# are, unread: Office's owner file while a workbook is open (»~$samtaler.xlsx«), Explorer's own
# files, and a copy under way by a tool that renames it when done (».filepart«, ».part«, ».tmp«).
# Moved to rejected/ they were a failed inbox job each time someone opened a workbook there.
NOT_DELIVERIES = {"thumbs.db", "desktop.ini"}
COPYING_SUFFIXES = {".tmp", ".part", ".partial", ".filepart", ".crdownload"}
IMPORTED, REJECTED = "imported", "rejected"
TAKING = ".importing"  # a file being imported: moved out of everyone else's way first (`_take`)
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


def _listed(inbox: Path) -> list[tuple[Path, float]]:
    """The deliveries in `inbox` with their modification times, oldest first. A file gone between the
    listing and its stat (moved or renamed by someone else) is not listed."""
    found = []
    for path in inbox.iterdir():
        if _not_a_delivery(path.name):
            continue
        try:
            if path.is_file():
                found.append((path, path.stat().st_mtime))
        except FileNotFoundError:
            continue
    return sorted(found, key=lambda item: (item[1], item[0].name))


def _take(inbox: Path, path: Path) -> Path | None:
    """Move `path` into inbox/.importing/ before it is read, or None when it is no longer there.

    A rename in one folder is atomic: once taken, no sync client or colleague can rename or remove
    the file under the import, so it is read whole or not at all, and it is moved on from a place
    only Faktabot uses."""
    folder = inbox / TAKING
    taken = folder / path.name
    for _ in range(3):
        folder.mkdir(exist_ok=True)
        try:
            path.rename(taken)
            return taken
        except FileNotFoundError:
            # Gone is the file, or the folder: another run tidied the empty .importing/ away between
            # our mkdir and the rename (`_tidy`). Only a file that is gone is skipped.
            if not path.is_symlink() and not path.exists():
                break
    log.info("inbox: %s was moved or renamed before it could be read; skipped (a file dropped again "
             "is imported by the next round)", path.name)
    return None


def _put_back(inbox: Path) -> None:
    """Files a stopped run had taken but not moved on (a killed service) go back into the inbox, to
    be imported by this run: the stopped run's transaction was rolled back, nothing of them is stored."""
    folder = inbox / TAKING
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        if path.is_file() or path.is_symlink():
            path.rename(_free(inbox, path.name))


def _tidy(inbox: Path) -> None:
    """Remove inbox/.importing/ when it is empty, so no hidden folder is left behind after a run.

    `rmdir` removes only an empty folder, in one step: a file another run has just taken into it keeps
    it (and that run's `_take` makes the folder again if this removed it before its rename)."""
    try:
        (inbox / TAKING).rmdir()
    except OSError:  # not empty (a file being imported, or one a killed run left), or gone already
        pass


def import_inbox(store: Store, inbox: Path, *, catalogue: Catalogue, areas: Areas,
                 formats: Sequence[file_import.ImportFormat], now: str, when: str = "",
                 default_area: str | None = None, settle: float = 10.0,
                 before_taking: Callable[[Path], None] | None = None) -> list[InboxFile]:
    """Import every new file in `inbox`, oldest first; move each to imported/ or rejected/.

    `now` is the stored timestamp of the run; `when` the words a reason file says it in
    (`bot.rendering.formats.moment(now)`: »10. aug. 2026 kl. 08:00«; the bot formats, not this package).
    A file that is gone by the time it is taken (another program moved or renamed it) is skipped
    with a log line; `before_taking(path)` runs just before each file is taken (tests move it there)."""
    when = when or now
    inbox = Path(inbox)
    inbox.mkdir(parents=True, exist_ok=True)
    _put_back(inbox)
    done: list[InboxFile] = []
    try:
        for path, modified in _listed(inbox):
            if time.time() - modified < settle:
                continue  # perhaps still being copied: the next round takes it
            if before_taking is not None:
                before_taking(path)
            taken = _take(inbox, path)
            if taken is None:
                continue
            if taken.is_symlink():
                # Whoever may drop files here could link to a file only the service may read (its
                # credentials): the reason file would show that file's first line. Never read a link.
                done.append(_reject(inbox, taken, wording("inbox_link", name=taken.name), when, None))
                continue
            if taken.suffix.lower() not in SUFFIXES:
                error = wording("inbox_wrong_kind", name=taken.name)
                done.append(_reject(inbox, taken, error, when, None))
                continue
            result = refresh_file(store, taken, catalogue=catalogue, areas=areas, formats=formats, now=now,
                                  default_area=default_area)
            if result.ok:
                folder = inbox / IMPORTED
                folder.mkdir(exist_ok=True)
                target = _free(folder, taken.name)
                taken.replace(target)
                done.append(InboxFile(taken.name, True, target, result))
            else:
                done.append(_reject(inbox, taken, result.error or wording("inbox_unknown_error"), when, result))
    finally:
        _tidy(inbox)  # also after a failure: an empty .importing/ is no one's
    return done


def _reject(inbox: Path, path: Path, error: str, when: str, result: RunResult | None) -> InboxFile:
    folder = inbox / REJECTED
    folder.mkdir(exist_ok=True)
    target = _free(folder, path.name)
    path.replace(target)
    target.with_name(target.name + REASON_SUFFIX).write_text(_reason(path.name, error, when), encoding="utf-8")
    return InboxFile(path.name, False, target, result)
