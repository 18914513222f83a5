"""sqlite-utils' `Database` and `Migrations`, loaded without pandas and numpy (I/O: none at import).

sqlite-utils imports pandas and numpy when it is imported, only to map their scalar types to column
types. Faktabot never hands it either (derived values become floats first), and the two cost most
of a command's start-up, so they are hidden while sqlite-utils loads. Faktabot's own code uses neither.
"""
from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

_HEAVY = ("pandas", "numpy")
_held = {name: sys.modules.get(name) for name in _HEAVY}
try:
    for _name in _HEAVY:
        sys.modules[_name] = None  # type: ignore[assignment]  # import_module raises ImportError
    from sqlite_utils import Database as _Database
    from sqlite_utils import Migrations
finally:
    for _name, _module in _held.items():
        if _module is None:
            sys.modules.pop(_name, None)
        else:
            sys.modules[_name] = _module

__all__ = ["Database", "Migrations"]


class Database(_Database):
    """sqlite-utils' `Database`, whose outermost `atomic()` begins IMMEDIATE: it takes the write lock
    at its start. A transaction that read first and wrote after (the alert run reads the targets'
    states, then saves them) began DEFERRED, and when another connection committed in between (a
    Slack answer's record, the service's other jobs) its first write failed at once with »database
    is locked«: SQLite cannot move a read snapshot that is out of date to a write, and does not wait
    for it (busy_timeout does not apply). Begun IMMEDIATE, it waits for a writer (busy_timeout) and
    then holds the lock: the other connection waits for it instead. Nested blocks stay savepoints."""

    @contextmanager
    def atomic(self) -> Iterator[Database]:
        if self.conn.in_transaction:
            with super().atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.rollback()  # a no-op if the error already ended the transaction
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except BaseException:
                self.rollback()
                raise
