"""The monthly summary on a store where the kommune's own file holds part of a figure: each key
figure says which of it is real and which is eksempeldata, in the text and the HTML alike."""
from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

from bot.config import load_config
from bot.reports.summary import build_summary, render_summary
from indicators.catalogue import default_areas, default_catalogue
from indicators.store import Store
from tests.conftest import run_cli

REPO = Path(__file__).resolve().parent.parent


def _summary(db: Path, month: str) -> tuple[str, str, str]:
    """(Slack text, email text, email HTML as text) of a month's summary, without charts."""
    with Store(db) as store:
        summary = build_summary(month, store, load_config(REPO / "faktabot.toml"), default_catalogue(),
                                default_areas(), with_charts=False)
    _subject, slack, plain, html = render_summary(summary)
    return slack, plain, html_lib.unescape(re.sub(r"<[^>]+>", "", html))


def _line(text: str, start: str) -> str:
    return next(line for line in text.splitlines() if start in line)


def test_a_figure_with_a_part_from_the_kommunes_file_names_that_part_beside_the_eksempeldata(
        sample_store_copy, tmp_path):
    # The kommune imported samtaler for Ledige, September 2026 only (its first month): the summary
    # said »Samtaler: 1.125 samtaler (juli 2026) … – eksempeldata.« and nothing of the real figure.
    own = tmp_path / "samtaler.csv"
    own.write_text("Måned;Kommune;Antal samtaler;Målgruppe\nseptember 2026;Ballerup;1.204;Ledige\n",
                   encoding="utf-8")
    loaded = run_cli("refresh", "--file", str(own), db=sample_store_copy)
    assert loaded.returncode == 0, loaded.stderr
    for text in _summary(sample_store_copy, "2026-11"):
        line = _line(text, "Samtaler: ")
        assert line.endswith("– eksempeldata; kommunens egne tal for ledige: 1.204 samtaler (september 2026)."), line
        # A figure all eksempeldata is still marked as such, with nothing added.
        assert _line(text, "Afgangsraten: ").endswith("– eksempeldata."), text


def test_an_official_part_of_an_eksempeldata_figure_is_named_as_official(sample_store_path):
    # Aktiveringsgraden is eksempeldata but for kontanthjælp, which is Jobindsats' own figure.
    for text in _summary(sample_store_path, "2026-07"):
        line = _line(text, "Aktiveringsgraden: ")
        assert re.search(r"– eksempeldata; officielle tal for kontanthjælp: \d+,\d pct\. \(juli 2026\)\.$", line), line
        # A real figure says nothing of its parts.
        assert _line(text, "Ledige: 805").endswith("(+13,2 pct.)."), text
