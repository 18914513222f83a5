"""A burst is acknowledged first, then handed to the listeners, then answered (`Arrivals`)."""
from __future__ import annotations

import threading
import time

from bot.slack.app import Arrivals


def _waited(wait) -> float:
    began = time.perf_counter()
    wait()
    return time.perf_counter() - began


def test_answers_wait_until_every_acknowledged_event_is_handed_on():
    arrivals = Arrivals()
    arrivals.arrived()
    arrivals.queued()  # acknowledged, not yet dispatched
    arrivals.answered()
    # The dispatch thread only waits for the acknowledgements, which are done.
    assert _waited(lambda: arrivals.wait_acknowledged(seconds=5)) < 1
    threading.Timer(0.1, arrivals.dispatched).start()
    waited = _waited(lambda: arrivals.wait_quiet(seconds=5))
    assert 0.05 < waited < 4


def test_answers_wait_for_the_acknowledgements_as_before():
    arrivals = Arrivals()
    arrivals.arrived()
    threading.Timer(0.1, arrivals.answered).start()
    assert 0.05 < _waited(lambda: arrivals.wait_quiet(seconds=5)) < 4


def test_an_event_never_handed_on_holds_answers_back_no_longer_than_the_limit():
    arrivals = Arrivals()
    arrivals.queued()
    assert 0.05 <= _waited(lambda: arrivals.wait_quiet(seconds=0.1)) < 2
