"""sqlite-utils' `Database` and `Migrations`, loaded without pandas and numpy (I/O: none at import).

sqlite-utils imports pandas and numpy when it is imported, only to map their scalar types to column
types. Faktabot never hands it either (derived values become floats first), and the two cost most
of a command's start-up, so they are hidden while sqlite-utils loads. Faktabot's own code uses neither.
"""
from __future__ import annotations

import sys

_HEAVY = ("pandas", "numpy")
_held = {name: sys.modules.get(name) for name in _HEAVY}
try:
    for _name in _HEAVY:
        sys.modules[_name] = None  # type: ignore[assignment]  # import_module raises ImportError
    from sqlite_utils import Database, Migrations
finally:
    for _name, _module in _held.items():
        if _module is None:
            sys.modules.pop(_name, None)
        else:
            sys.modules[_name] = _module

__all__ = ["Database", "Migrations"]
