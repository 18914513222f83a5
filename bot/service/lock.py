"""One `faktabot run` per store: an exclusive lock on `<store>.lock`. I/O: a lock file."""
from __future__ import annotations

import fcntl
import os
from pathlib import Path

from bot.service import ServiceError


class InstanceLock:
    """One `faktabot run` per store: an exclusive lock on `<store>.lock`, released when the process
    ends however it ends (the kernel drops the lock of a killed process)."""

    def __init__(self, store_path: Path):
        self.path = store_path.with_name(store_path.name + ".lock")
        self.handle = None

    def acquire(self) -> None:
        self.handle = open(self.path, "a+")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.seek(0)
            holder = self.handle.read().strip() or "?"
            self.handle.close()
            raise ServiceError(
                f"another `faktabot run` (pid {holder}) is already using {self.path.with_suffix('')}; "
                "stop it first, or point FAKTABOT_DB at another store") from None
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(str(os.getpid()))
        self.handle.flush()

    def holder(self) -> str | None:
        """The pid of a running `faktabot run` on this store, or None (probes without blocking)."""
        if not self.path.exists():
            return None
        with open(self.path, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                return handle.read().strip() or "?"
            fcntl.flock(handle, fcntl.LOCK_UN)
        return None

    def release(self) -> None:
        if self.handle:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None
