"""The monthly summary end to end (build, render, MIME with charts and the PDF) and the fact sheet
PDF, each beside a bare matplotlib baseline drawing the same number of charts in the same run.
`--quick` times the summary only: its email carries the fact sheet, so that is drawn all the same."""
from __future__ import annotations

import io
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from benchmarks.measure import Result, sample_store
from bot.config import load_config
from bot.delivery.email import build_message
from bot.reports import factsheet
from bot.reports.summary import build_summary
from bot.reports.summary_mailing import email_content
from indicators.catalogue import default_areas, default_catalogue
from indicators.store import Store

CONFIG = Path(__file__).resolve().parents[1] / "faktabot.toml"


def _bare_pngs(count: int) -> None:
    for _ in range(count):
        figure = Figure(figsize=(8, 4.5), dpi=100)
        FigureCanvasAgg(figure)
        figure.add_subplot().plot(range(25), range(25))
        figure.savefig(io.BytesIO(), format="png")


def _bare_pdf(pages: int, charts_per_page: int) -> None:
    with PdfPages(io.BytesIO()) as pdf:
        for _ in range(pages):
            figure = Figure(figsize=(8.27, 11.69))
            for index in range(charts_per_page):
                figure.add_subplot(2, 2, index + 1).plot(range(25), range(25))
            pdf.savefig(figure)


def run(quick: bool = False) -> list[Result]:
    path = Path(tempfile.mkdtemp(prefix="faktabot-bench-")) / "store.db"
    sample_store(path)
    config = load_config(CONFIG)
    catalogue, areas = default_catalogue(), default_areas()
    with Store(path) as store:
        started = time.perf_counter()
        summary = build_summary("2026-07", store, config, catalogue, areas, today=date(2026, 11, 25))
        content = email_content(summary, store, config)
        build_message(content, sender="a@example.org", recipient="b@example.org", key="summary:2026-07",
                      now=datetime(2026, 11, 25, 8))
        summary_seconds = time.perf_counter() - started
        if not quick:  # --quick: the summary's email has drawn the fact sheet already
            started = time.perf_counter()
            figures = factsheet.build("2026-Q2", store, catalogue, areas, config.area)
            factsheet.write_pdf(figures, "2026-Q2", "Ballerup", catalogue, io.BytesIO())
            factsheet_seconds = time.perf_counter() - started
    started = time.perf_counter()
    _bare_pngs(len(summary.charts))
    _bare_pdf(7, 4)  # the summary's email carries the fact sheet too
    bare_summary = time.perf_counter() - started
    results = [Result("monthly summary end to end (s)", summary_seconds, bare_summary, "s", aim="< 5 s",
                      higher_is_better=False)]
    if not quick:
        started = time.perf_counter()
        _bare_pdf(7, 4)
        bare_factsheet = time.perf_counter() - started
        results.append(Result("fact sheet PDF, 7 pages (s)", factsheet_seconds, bare_factsheet, "s", aim="< 15 s",
                              higher_is_better=False))
    return results
