"""Charts for Slack answers, rendered in worker processes so a burst of questions uses every core.

Rendering a chart is ~60 ms of pure Python and C under the GIL (matplotlib also serialises draws
with a process-wide lock): twenty questions at once would queue 1.2 s behind each other on one core
and starve the threads that acknowledge Slack. The same `ChartSpec` that `bot.conversation.reply`
draws is sent to a spawned process pool instead. Until the pool is warm, and with `processes=0`,
charts are drawn in the calling thread. I/O: child processes.
"""
from __future__ import annotations

import gc
import logging
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor

from bot.asking.answers import Answer
from bot.asking.conversation import Reply
from bot.rendering import charts

log = logging.getLogger("faktabot.slack")


def _background() -> None:
    """Run in each child at start: drawing yields the cores to the threads that acknowledge Slack
    and post answers (a niceness of 10; the children draw nothing else)."""
    try:
        os.nice(10)
    except OSError:  # not allowed here: draw at the parent's priority
        pass


def _warm() -> bool:
    """Run in each child: import matplotlib and draw once, so fonts and caches are loaded."""
    from matplotlib.figure import Figure

    Figure().savefig(__import__("io").BytesIO(), format="png")
    # matplotlib's modules, fonts and caches stay for the child's life: kept out of the collector's
    # full collections, which otherwise scan them all again between charts.
    gc.collect()
    gc.freeze()
    return True


class ChartRenderer:
    def __init__(self, processes: int):
        self.pool: ProcessPoolExecutor | None = None
        self.ready: list[Future] = []
        if processes > 0:
            # spawn, not fork: the parent runs threads (Bolt, the scheduler), which fork would copy mid-lock.
            self.pool = ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("spawn"),
                                            initializer=_background)
            self.ready = [self.pool.submit(_warm) for _ in range(processes)]

    def chart(self, result: Reply, path: list[tuple[str, float]]) -> bytes | None:
        """The chart `reply(..., with_chart=True)` would give for `result` and its target path."""
        if not isinstance(result.result, Answer):
            return None
        spec = charts.spec_for(result.result, path)
        if spec is None:
            return None
        # The cache lives in this process: a chart drawn before (the same series, the same target
        # path) is sent at once; a new one is drawn in a child and kept here.
        return charts.render_png(spec, draw=self._draw)

    def _draw(self, spec: charts.ChartSpec | charts.BarSpec) -> bytes:
        if self.pool is not None and all(f.done() for f in self.ready):
            try:
                return self.pool.submit(charts.draw_png, spec).result(timeout=30)
            except Exception:  # a broken pool must not cost an answer its chart
                log.exception("slack: chart process failed; drawing here instead")
        return charts.draw_png(spec)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
