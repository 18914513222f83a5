"""Danish numbers, months and dates as babel formats them for da_DK, without babel's locale data at
start-up: the hand-made formats are checked against babel itself, value by value."""
from __future__ import annotations

import random
from datetime import UTC, date, datetime

from babel.dates import format_date, get_month_names
from babel.numbers import format_decimal

from bot.asking.queries import default_vocabulary
from bot.rendering import formats


def babel_number(value: float, decimals: int, signed: bool) -> str:
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    if signed and round(value, decimals) != 0:  # a change that rounds to nothing has no sign
        pattern = f"+{pattern};-{pattern}"
    return format_decimal(round(value, decimals) + 0.0, format=pattern, locale="da_DK")


def test_numbers_are_formatted_as_babel_formats_them():
    rng = random.Random(17)
    values = [0.0, -0.0, -0.04, 0.05, 0.15, 0.25, 2.5, -2.5, 999.5, 1540, -1540, 1234567.891, 1e17, float("nan"),
              float("inf"), -float("inf")]
    values += [rng.uniform(-1e7, 1e7) for _ in range(400)] + [rng.uniform(-5, 5) for _ in range(400)]
    values += [round(rng.uniform(-2000, 2000), 2) for _ in range(400)]  # ties at the last decimal
    for value in values:
        for decimals in (0, 1, 2, 3):
            for signed in (False, True):
                formats.number.cache_clear()
                assert formats.number(value, decimals, signed) == babel_number(value, decimals, signed), \
                    (value, decimals, signed)


def test_a_change_that_rounds_to_zero_has_no_sign():
    # »Hele landet i samme periode: faldet med 3 (+0,0 pct.)«: a fall shown with a plus
    assert formats.change(-0.004) == "0,0" and formats.change(0.04) == "0,0"
    assert formats.change(-0.05) == "-0,1" and formats.change(0.06) == "+0,1" and formats.change(3, 0) == "+3"


def test_month_names_and_days_are_babels_danish():
    assert formats.MONTHS == dict(get_month_names("wide", locale="da"))
    assert formats.SHORT_MONTHS == dict(get_month_names("abbreviated", locale="da"))
    day = date(2026, 1, 1)
    while day.year == 2026:
        formats.day.cache_clear()
        assert formats.day(day) == format_date(day, format="d. MMM y", locale="da"), day
        day = date.fromordinal(day.toordinal() + 9)
    # A stored UTC time is the day it was in Copenhagen: 23:30 UTC on 21 August is the 22nd there.
    assert formats.day(datetime(2026, 8, 21, 23, 30, tzinfo=UTC)) == "22. aug. 2026"


def test_a_day_with_its_month_written_out_is_babels_danish():
    # the refusal of a fact sheet for the quarter under way built »31. december 2026« itself from the
    # month names; it is made here, as every other date
    day = date(2026, 1, 1)
    while day.year == 2026:
        assert formats.long_day(day) == format_date(day, format="d. MMMM y", locale="da"), day
        day = date.fromordinal(day.toordinal() + 5)
    assert formats.long_day(date(2026, 12, 31)) == "31. december 2026"
    assert formats.long_day(date(2027, 3, 31)) == format_date(date(2027, 3, 31), format="long", locale="da")


def test_questions_know_the_months_by_full_and_short_name():
    months = default_vocabulary().months
    assert months["maj"] == 5 and months["september"] == 9 and months["sep"] == 9 and months["okt"] == 10


def test_a_moment_is_its_copenhagen_day_and_time_as_a_dane_reads_it():
    # the inbox's reason file built »10. aug. 2026 kl. 08:00« itself from the month names and a
    # hand-set zone; it is made here, as every other date
    assert formats.moment("2026-08-10T06:00:00+00:00") == "10. aug. 2026 kl. 08:00"  # summer time
    assert formats.moment("2026-12-02T23:09:00+00:00") == "3. dec. 2026 kl. 00:09"  # winter, the next day
    assert formats.moment(datetime(2026, 3, 29, 1, 0, tzinfo=UTC)) == "29. mar. 2026 kl. 03:00"
