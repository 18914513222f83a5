"""Hele landet, the five regions and the 98 kommuner, with Danish names and the aliases people type."""
from __future__ import annotations

import pytest

from bot.asking.queries import parse
from indicators.catalogue import default_areas


def test_the_area_table_has_the_country_five_regions_and_98_kommuner():
    areas = default_areas()
    kinds = [a.kind for a in areas]
    assert kinds.count("land") == 1 and kinds.count("region") == 5 and kinds.count("kommune") == 98
    regions = {a.code for a in areas if a.kind == "region"}
    assert regions == {"081", "082", "083", "084", "085"}
    assert all(a.region in regions for a in areas.kommuner())


def test_the_areas_a_ranking_reads_are_made_once_in_table_order():
    # Every ranking reads the kommuner (or one region's) as a list, their codes and a lookup: made
    # once per kind and region, not per question (a tenth of a ranking's Python, issue 18).
    areas = default_areas()
    kommuner, codes, by_code = areas.ranked("kommune")
    assert list(kommuner) == areas.kommuner() and codes == tuple(a.code for a in areas.kommuner())
    assert all(by_code[a.code] is a for a in kommuner) and len(by_code) == 98
    hovedstaden, codes_84, _ = areas.ranked("kommune", "084")
    assert len(hovedstaden) == 29 and {a.region for a in hovedstaden} == {"084"} and set(codes_84) < set(codes)
    assert list(areas.ranked("region")[0]) == [a for a in areas if a.kind == "region"]
    assert areas.ranked("kommune")[2] is by_code  # the same lookup again, not a new one


@pytest.mark.parametrize(
    ("typed", "code"),
    [("landet", "000"), ("hele landet", "000"), ("DK", "000"), ("Kbh", "101"), ("København", "101"),
     ("kobenhavn", "101"), ("Region H", "084"), ("Hovedstaden", "084"), ("ballerup", "151"),
     ("Høje Taastrup", "169"), ("hoeje-taastrup", "169"), ("Århus", "751"), ("aarhus", "751"),
     ("All Denmark", "000"), ("Copenhagen", "101"), ("151", "151")],
)
def test_aliases_and_spellings_find_the_area(typed, code):
    assert default_areas().lookup(typed).code == code


def test_names_are_danish():
    areas = default_areas()
    assert areas.get("101").name == "København"
    assert areas.get("000").name == "Hele landet"
    assert areas.get("151").region == "084"


@pytest.mark.parametrize(("typed", "code"), [("hoje taastrup", "169"), ("Hoje-Taastrup", "169"),
                                             ("ringkobing skjern", "760"), ("rodovre", "175"), ("aro", "492")])
def test_a_kommune_typed_with_o_and_a_for_its_danish_letters_is_found(typed, code):
    # »ledighed hoje taastrup« found Høje-Taastrup by »taastrup« and named »hoje« as not understood
    assert default_areas().lookup(typed).code == code
    query = parse(f"ledighed {typed}")
    assert (query.area, query.unused) == (code, ())
