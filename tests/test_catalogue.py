"""The catalogue covers every figure of the seven fact pages and is usable as a vocabulary."""
from __future__ import annotations

import re
from collections import defaultdict

import pytest

from indicators.catalogue import (
    CatalogueError,
    default_catalogue,
    fold,
    parse_catalogue,
)
from tests.conftest import REPO

# The repository keeps a copy of the shared FIGURES.md so this check runs on any clean clone.
FIGURES_MD = REPO / "docs" / "FIGURES.md"
SHARED_FIGURES_MD = REPO.parent / "shared" / "FIGURES.md"


def figures_table() -> dict[str, set[str]]:
    """Figure number -> indicator ids, read from the figure table of FIGURES.md."""
    figures: dict[str, set[str]] = {}
    for line in FIGURES_MD.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and re.fullmatch(r"\d\.\d", cells[0]):
            figures[cells[0]] = set(re.findall(r"`([a-z_]+)`", cells[2]))
    return figures


@pytest.mark.skipif(not SHARED_FIGURES_MD.exists(), reason="../shared/FIGURES.md is not on this machine")
def test_the_copy_of_figures_md_is_current():
    assert FIGURES_MD.read_text(encoding="utf-8") == SHARED_FIGURES_MD.read_text(encoding="utf-8")


def test_every_figure_of_figures_md_has_an_indicator():
    figures = figures_table()
    assert len(figures) == 28, f"expected the 28 figures of the seven fact pages, parsed {len(figures)}"
    catalogue = default_catalogue()
    missing = {fig: ids - set(catalogue.indicators) for fig, ids in figures.items() if ids - set(catalogue.indicators)}
    assert not missing, f"figures without an indicator in catalogue.toml: {missing}"
    claimed = defaultdict(set)
    for indicator in catalogue:
        for fig in indicator.figures:
            claimed[fig].add(indicator.id)
    unclaimed = [fig for fig in figures if not claimed[fig]]
    assert not unclaimed, f"figures no indicator lists in `figures`: {unclaimed}"
    for fig, ids in figures.items():
        for indicator_id in ids:
            assert fig in catalogue.get(indicator_id).figures, f"{indicator_id} should list figure {fig}"


def test_every_indicator_is_described_for_a_manager():
    for indicator in default_catalogue():
        assert len(indicator.definition) > 30, indicator.id
        assert indicator.aliases, f"{indicator.id} has no aliases"
        assert indicator.sources, f"{indicator.id} says nowhere where its figures come from"


def test_no_word_points_at_two_indicators():
    owners = defaultdict(set)
    for indicator in default_catalogue():
        for word in indicator.words:
            owners[word].add(indicator.id)
    clashes = {word: ids for word, ids in owners.items() if len(ids) > 1}
    assert not clashes


def test_spellings_without_danish_letters_fold_to_the_same_word():
    assert fold("Forsørgertryk") == fold("forsoergertryk")
    assert fold("Høje-Taastrup") == fold("hoeje taastrup")


def test_malformed_entry_names_the_indicator_and_the_field():
    with pytest.raises(CatalogueError, match=r"indikator 'ledige'.*'format'"):
        parse_catalogue({"indicator": {"ledige": {
            "name": "ledige", "title": "t", "definition": "d", "unit": "u", "format": "procent",
            "frequency": "month", "better": "lower", "page": 4, "figures": ["4.1"]}}})
    with pytest.raises(CatalogueError, match="'definition' mangler"):
        parse_catalogue({"indicator": {"x": {"name": "x", "title": "t"}}})


def test_a_part_within_a_broader_one_names_two_values_of_its_key():
    kinds = default_catalogue().breakdowns
    assert kinds["ydelse"].within["Kontanthjælp"] == "Kontant- og uddannelseshjælp"
    with pytest.raises(CatalogueError, match=r"within siger 'Kontanthjælp' = 'Kontant- og udd'"):
        parse_catalogue({"indicator": {"ledige": {
            "name": "ledige", "title": "t", "definition": "d", "unit": "u", "format": "count",
            "frequency": "month", "better": "lower", "page": 4, "figures": ["4.1"], "breakdowns": ["ydelse"]}},
            "pages": {"4": "Ledighed"},
            "breakdown": {"ydelse": {"values": ["Kontanthjælp", "Kontant- og uddannelseshjælp"],
                                     "within": {"Kontanthjælp": "Kontant- og udd"}}}})


def test_a_related_figure_is_one_of_the_catalogue():
    assert default_catalogue().get("ungeledighed_officiel").related == "ungeledighed"
    with pytest.raises(CatalogueError, match=r"indikator 'ledige': related 'ungeledighed'"):
        parse_catalogue({"indicator": {"ledige": {
            "name": "ledige", "title": "t", "definition": "d", "unit": "u", "format": "count",
            "frequency": "month", "better": "lower", "page": 4, "figures": ["4.1"], "related": "ungeledighed"}},
            "pages": {"4": "Ledighed"}})
