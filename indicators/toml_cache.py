"""TOML files shipped with the package, parsed once per version of the file rather than once per process.

Start-up time: parsing `catalogue.toml` and `messages.toml` with tomllib cost every command tens of
milliseconds; reading them back from marshal data takes about one. The parsed table is kept as marshal data in `__pycache__` beside the file, the
way Python keeps bytecode, and read back when the file's content hash and the Python version
still match. Any trouble with the cache (missing, stale, damaged, a read-only installation) falls
back to parsing the file. I/O: reads the file, reads and writes its cache.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tomllib
from contextlib import suppress
from pathlib import Path

# Bumped when the cache's layout changes; the Python version is in the key because marshal's
# format may change between versions.
FORMAT = 1


def cache_path(path: Path, folder: Path | None = None) -> Path:
    """Where the parsed `path` is kept: `folder`, by default `__pycache__` beside the file."""
    return (folder if folder is not None else path.parent / "__pycache__") / f"{path.name}.marshal"


def key_of(content: bytes) -> tuple:
    """What a cache must have been made from to stand for `content`: the content's hash (not the
    file's time, which a copy or a checkout may keep), this layout and this Python."""
    return FORMAT, sys.version_info[:2], hashlib.sha256(content).hexdigest()


def load(path: Path, folder: Path | None = None) -> dict:
    """The TOML file at `path`, parsed, as `tomllib.load` gives it (a new dict on each call).
    Raises `tomllib.TOMLDecodeError` for a malformed file, as tomllib does."""
    content = Path(path).read_bytes()
    key = key_of(content)
    cached = cache_path(Path(path), folder)
    try:
        stored_key, data = marshal.loads(cached.read_bytes())
        if stored_key == key and isinstance(data, dict):
            return data
    except (OSError, ValueError, EOFError, TypeError):  # no cache yet, or a damaged one: parse
        pass
    data = tomllib.loads(content.decode())
    store(cached, key, data)
    return data


def store(cached: Path, key: tuple, data: dict) -> None:
    """Write the cache atomically (a rename), so a process reading it at the same moment sees the
    old file or the new one, never half of one. Failure only costs the next process a parse."""
    try:
        payload = marshal.dumps((key, data))
    except ValueError:  # a value marshal cannot hold (a TOML date): parse every time
        return
    partial = cached.with_name(f"{cached.name}.{os.urandom(6).hex()}.tmp")  # one per writer, threads too
    try:
        cached.parent.mkdir(exist_ok=True)
        partial.write_bytes(payload)
        os.replace(partial, cached)
    except OSError:  # a read-only installation, a full disk
        with suppress(OSError):
            partial.unlink(missing_ok=True)
