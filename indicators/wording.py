"""The Danish words of the errors `indicators` raises, from `templates/messages.toml` [errors].

`indicators` may not import `bot`, so it reads the same file through this small loader; an error
carries its finished Danish sentence from the moment it is raised. Reads one file once (through `toml_cache`); no other I/O.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

import templates
from indicators import toml_cache

MESSAGES = Path(templates.__file__).parent / "messages.toml"


@cache
def messages() -> dict:
    """All of `templates/messages.toml`, parsed once per process (the command line's words too)."""
    return toml_cache.load(MESSAGES)


def _errors() -> dict[str, str]:
    return messages()["errors"]


def wording(key: str, /, **values: object) -> str:
    """The error `key` of messages.toml [errors], filled in with `values`."""
    return _errors()[key].format(**values)
