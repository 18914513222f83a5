"""The one clock: Europe/Copenhagen for everything a person sees and every schedule, UTC on disk.

Only the edges (the command line, the scheduler's job wrapper, the Slack side) call `now()`; the
rest takes `now` as a parameter. Every stored timestamp is written by `stamp()` — ISO 8601 in UTC
with its offset (`2026-11-30T09:33:37+00:00`) — so stored timestamps compare correctly as text.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Europe/Copenhagen")


def now() -> datetime:
    """The current moment in Copenhagen (aware)."""
    return datetime.now(TIMEZONE)


def today() -> date:
    """Today's date in Copenhagen."""
    return now().date()


def stamp(moment: datetime) -> str:
    """How a moment is stored: UTC, ISO 8601, seconds, with the offset. A naive moment is taken
    as Copenhagen time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=TIMEZONE)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def local(text: str) -> datetime:
    """A stored timestamp (any offset; naive is taken as UTC) as an aware Copenhagen moment."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TIMEZONE)
