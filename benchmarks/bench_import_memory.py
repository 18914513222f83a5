"""Peak memory of importing a 200 MB CSV: `refresh_file` against reading the same file into memory.

The file is a Jobindsats export: the real per-kommune extract (every row stored) followed by rows of
a table no indicator uses (counted and skipped), to 200 MB. It is generated in a temporary folder
and removed afterwards. Each side runs in its own process, so its peak resident memory is its own.
The import streams the CSV, so its peak should stay near the interpreter's and far below the file.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.measure import Result
from tests.shared_data import SHARED_DATA

MB = 1024 * 1024
SIZE = 200 * MB
QUICK_SIZE = 20 * MB  # --quick: a tenth of the file, and the figure says so

IMPORT = """
import sys
from pathlib import Path
from indicators.catalogue import default_areas, default_catalogue
from indicators.connectors.files import import_formats
from indicators.refresh import refresh_file
from indicators.store import Store
catalogue, areas = default_catalogue(), default_areas()
with Store(Path(sys.argv[2]), create=True) as store:
    result = refresh_file(store, Path(sys.argv[1]), catalogue=catalogue, areas=areas,
                          formats=import_formats(catalogue, areas), now="2026-08-01T00:00:00+00:00",
                          max_bytes=300 * 1024 * 1024)
assert result.ok, result.error
print(result.rows)
"""
READ_WHOLE = "import sys; from pathlib import Path; print(len(Path(sys.argv[1]).read_bytes()))"


def generate(path: Path, size: int = SIZE) -> None:
    real = (SHARED_DATA / "real" / "jobindsats_kommuner_2021-2026.csv").read_text(encoding="utf-8")
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(real if real.endswith("\n") else real + "\n")
        line = 0
        while handle.tell() < size:
            handle.write("".join(f"y99x99;Ballerup;20{21 + n % 5}M{n % 12 + 1:02d};I alt;Antal i alt;række {n};"
                                 f"{n % 9973};personer\n" for n in range(line, line + 10_000)))
            line += 10_000


def peak_mb(code: str, *args: str) -> float:
    """The peak resident memory of a fresh interpreter running `code`, in MB (Linux reports KB)."""
    script = f"{code}\nimport resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, check=True)
    return int(done.stdout.split()[-1]) / 1024


def run(quick: bool = False) -> list[Result]:
    workdir = Path(tempfile.mkdtemp(prefix="faktabot-bench-import-"))
    try:
        path = workdir / "eksport.csv"
        generate(path, QUICK_SIZE if quick else SIZE)
        imported = peak_mb(IMPORT, str(path), str(workdir / "store.db"))
        whole = peak_mb(READ_WHOLE, str(path))
        size = path.stat().st_size / MB
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    # The comparison with reading the file whole means something only for a big file: at 20 MB the
    # interpreter and its libraries outweigh the file.
    aim = "≤ 300 MB" if quick else "≤ 300 MB; below reading the file whole"
    return [Result(f"import a {size:.0f} MB CSV, peak memory (MB)", imported, whole, "MB", aim=aim,
                   higher_is_better=False)]


if __name__ == "__main__":
    for result in run():
        print(result.figure, result.value_text, "baseline", result.baseline_text)
