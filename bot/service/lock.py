"""One `faktabot run` per store: an exclusive lock on `<store>.lock`. I/O: a lock file.

The lock is portalocker's (flock on Linux and macOS, LockFileEx on Windows), so the same code runs
on a municipality's Windows Server. The file holds the holder's pid for `faktabot status`.
"""
from __future__ import annotations

import os
from pathlib import Path

import portalocker

from bot.service import ServiceError
from indicators.wording import wording

_EXCLUSIVE = portalocker.LockFlags.EXCLUSIVE | portalocker.LockFlags.NON_BLOCKING


class InstanceLock:
    """One `faktabot run` per store: an exclusive lock on `<store>.lock`, released when the process
    ends however it ends (the operating system drops the lock of a killed process)."""

    def __init__(self, store_path: Path):
        self.path = store_path.with_name(store_path.name + ".lock")
        self.handle = None

    def acquire(self) -> None:
        self.handle = open(self.path, "a+")  # noqa: SIM115 - held until release(): it is the lock
        try:
            portalocker.lock(self.handle, _EXCLUSIVE)
        except portalocker.LockException:
            holder = _read_pid(self.handle)
            self.handle.close()
            self.handle = None
            raise ServiceError(wording("lock_held", pid=holder, path=self.path.with_suffix(""))) from None
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
                portalocker.lock(handle, _EXCLUSIVE)
            except portalocker.LockException:
                return _read_pid(handle)
            portalocker.unlock(handle)
        return None

    def release(self) -> None:
        if self.handle:
            portalocker.unlock(self.handle)
            self.handle.close()
            self.handle = None


def _read_pid(handle) -> str:
    # Windows locks the bytes themselves, so the holder's pid may not be readable there.
    try:
        handle.seek(0)
        return handle.read().strip() or "?"
    except OSError:
        return "?"
