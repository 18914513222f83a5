"""Example figures in an imported file are eksempeldata, never the municipality's own (pure + reads).

Two ways a file says its figures are examples:
- it is, byte for byte, an example Faktabot ships (`docs/samtaler-eksempel.csv`, the README's
  example): every row is eksempeldata;
- it has a column named `Eksempeldata` (as every `faktabot files template ID` has): each row with
  anything but an empty cell, `nej`, `no`, `0` or `false` there is eksempeldata; the other rows are
  the municipality's own figures. Delete the example row (or the column) when filling in a template.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from indicators.catalogue import fold

MARKER = "Eksempeldata"
NOT_MARKED = {"", "nej", "no", "0", "false", "falsk"}
# sha256 of the example files Faktabot ships; tests/test_inbox.py checks them against docs/.
SHIPPED_EXAMPLES = {
    "aecefb5943d8f359df58b7d1fef4deef20b44c90b8bf7f028e6580f21aa900c3": "docs/samtaler-eksempel.csv",
}


def is_shipped_example(path: Path) -> bool:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest() in SHIPPED_EXAMPLES


def marked_lines(header: list, rows) -> set[int] | None:
    """Line numbers of the rows marked as examples; None when the sheet has no marker column."""
    folded = [fold(str(h or "")) for h in header]
    if fold(MARKER) not in folded:
        return None
    at = folded.index(fold(MARKER))
    return {line for line, row in rows
            if at < len(row) and fold(str(row[at] if row[at] is not None else "")).strip() not in NOT_MARKED}
