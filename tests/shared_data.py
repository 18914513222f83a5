"""Where the tests find the shared real data: `../shared/data` beside the repository when it is
there, else the copy in `tests/data/shared-data.tar.gz`, unpacked once into `.cache/`.

The copy keeps `make test` whole on a clean clone on a machine without the shared folder. Its
figures are public (Jobindsats/STAR; Danmarks Statistik, CC BY 4.0; see data/real/dst/SOURCE.txt).
"""
from __future__ import annotations

import tarfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ARCHIVE = REPO / "tests" / "data" / "shared-data.tar.gz"


def locate() -> Path:
    sibling = REPO.parent / "shared" / "data"
    if sibling.exists():
        return sibling
    target = REPO / ".cache" / "shared"
    if not (target / "data" / "README.md").exists():
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(ARCHIVE) as archive:
            archive.extractall(target, filter="data")
    return target / "data"


SHARED_DATA = locate()
