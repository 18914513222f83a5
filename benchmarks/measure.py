"""Timing helpers for the benchmarks: best-of-N wall time, and the result row."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    figure: str
    value: float
    baseline: float
    unit: str
    aim: str = ""
    higher_is_better: bool = True

    @property
    def ratio(self) -> float:
        """value / baseline: for rates, 0.5 means half the baseline's speed."""
        return self.value / self.baseline if self.baseline else float("nan")

    @property
    def value_text(self) -> str:
        return f"{self.value:,.0f} {self.unit}" if self.value >= 100 else f"{self.value:.3g} {self.unit}"

    @property
    def baseline_text(self) -> str:
        return f"{self.baseline:,.0f} {self.unit}" if self.baseline >= 100 else f"{self.baseline:.3g} {self.unit}"


def best_of(repeat: int, setup: Callable[[], object], action: Callable[[object], object]) -> float:
    """The fastest of `repeat` runs of `action(setup())`, in seconds; setup is not timed."""
    best = float("inf")
    for _ in range(repeat):
        state = setup()
        started = time.perf_counter()
        action(state)
        best = min(best, time.perf_counter() - started)
    return best
