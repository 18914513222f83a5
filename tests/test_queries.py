"""The first query language: indicator words (with misspellings), months, quarters, years and areas."""
from __future__ import annotations

from dataclasses import replace

import pytest

from bot.asking.queries import NotUnderstood, PeriodRequest, Query, default_vocabulary, parse, tokenize
from indicators.catalogue import default_catalogue


@pytest.mark.parametrize(
    ("text", "indicator", "area", "period"),
    [
        ("ledighed maj", "ledige", None, PeriodRequest(month=5)),
        ("Ledighed, maj 2026?", "ledige", None, PeriodRequest(period="2026-05")),
        ("ledighed 2025-05", "ledige", None, PeriodRequest(period="2025-05")),
        ("ledighed 05/2025", "ledige", None, PeriodRequest(period="2025-05")),
        ("ledige i aarhus marts 2025", "ledige", "751", PeriodRequest(period="2025-03")),
        ("ledighedsprocent", "ledighedsprocent", None, PeriodRequest()),
        ("ledighedsprocenten i hele landet", "ledighedsprocent", "000", PeriodRequest()),
        ("LEDIGHED   Høje-Taastrup", "ledige", "169", PeriodRequest()),
        ("ledighed hoeje taastrup", "ledige", "169", PeriodRequest()),
        ("sygedagpenge 2. kvt. 2025", "sygedagpenge", None, PeriodRequest(period="2025-Q2")),
        ("sygedagpenge K2 2025", "sygedagpenge", None, PeriodRequest(period="2025-Q2")),
        ("fleksjob 2025", "fleksjob", None, PeriodRequest(period="2025")),
        ("flexjob kbh", "fleksjob", "101", PeriodRequest()),
        ("forsorgertryk region h", "forsoergertryk", "084", PeriodRequest()),
        ("ledihed sept", "ledige", None, PeriodRequest(month=9)),
        ("hvor mange ledige er der i Odense i januar 2026", "ledige", "461", PeriodRequest(period="2026-01")),
        ("samtalehyppighed seneste", "samtalehyppighed", None, PeriodRequest()),
        ("beskaeftigelse landet", "beskaeftigelse", "000", PeriodRequest()),
        ("ungeledighed albertslund", "ungeledighed", "165", PeriodRequest()),
        ("langtidsledige", "langtidsledige", None, PeriodRequest()),
    ],
)
def test_managers_phrasings_parse(text, indicator, area, period):
    query = parse(text)
    assert isinstance(query, Query), query
    assert (query.indicator, query.area, query.period) == (indicator, area, period)


@pytest.mark.parametrize("text", ["blomsterkasser", "", "   ", "???", "hvad er klokken"])
def test_text_without_an_indicator_is_not_understood(text):
    assert isinstance(parse(text), NotUnderstood)


def test_not_understood_offers_the_closest_indicators_first():
    # (»fleks« was the example here; it is Slack's shorthand for fleksjob now, so it is understood)
    result = parse("fleksordning")
    assert isinstance(result, NotUnderstood)
    assert result.suggestions[0] == "fleksjob"
    assert result.unknown == ("fleksordning",)
    assert parse("fleks").indicator == "fleksjob"


def test_a_word_not_understood_is_named_as_it_was_typed():
    # Folded for matching (ø → oe), but shown back as the manager wrote it.
    result = parse("hvad er forsørgerbrøken")
    assert isinstance(result, NotUnderstood)
    assert result.unknown == ("forsørgerbrøken",)


def test_tokens_keep_dates_whole_and_fold_danish_letters():
    assert tokenize("Ledighed, 2025-05 og 05/2025 i Ærø") == ["ledighed", "2025-05", "og", "05/2025", "i", "aeroe"]


def test_absurdly_long_text_is_cut_not_crashed():
    result = parse("ledighed " * 10_000)
    assert isinstance(result, Query) and result.indicator == "ledige"


def test_an_ordinal_outside_a_quarter_is_named_not_guessed_as_landet():
    # »andet« is one letter from »landet«; guessed, »ledighed andet halvår 2025« was answered for
    # hele landet, unsaid (a half-year is now its months: see the test below).
    result = parse("ledighed andet sted")
    assert isinstance(result, Query) and result.area is None
    assert result.unused == ("andet", "sted")


def test_over_or_under_an_area_compares_with_it_and_over_an_age_stays_an_age():
    # »ledighed over landsgennemsnittet« answered hele landet's figure and set »over« aside.
    compared = parse("ledighed over landsgennemsnittet")
    assert (compared.area, compared.compare, compared.unused) == (None, ("000",), ())
    assert parse("ledige over 60").breakdown == "alder=60 år og derover"


def test_a_place_asked_against_landet_compares_the_own_kommune_with_it():
    # »ligger vi over landet i ledighed« ranked with hele landet as »own« and left Ballerup out;
    # then it ranked all 98 kommuner. The question is Ballerup against hele landet: the comparison.
    compared = parse("ligger vi over landet i ledighed")
    assert (compared.intent, compared.area, compared.compare) == ("value", None, ("000",))
    # with the kommuner named it stays the ranking, Ballerup's place among them
    assert parse("hvor ligger vi blandt kommunerne på ledighed").intent == "ranking"


@pytest.mark.parametrize(("text", "period"), [
    # »01.2026« answered the incomplete year 2026 and set »01« aside; »maj 25« answered maj 2026.
    ("ledighed 01.2026", "2026-01"),
    ("ledighed maj 25", "2025-05"),
    ("ledighed jan. 25", "2025-01"),
])
def test_dotted_months_and_two_digit_years_are_the_month_asked(text, period):
    result = parse(text)
    assert (result.period.period, result.unused) == (period, ())


def test_a_number_before_kommuner_after_a_month_is_the_ranking_length_not_a_year():
    result = parse("ledighed i maj 10 kommuner")
    assert (result.period.month, result.top) == (5, 10)


@pytest.mark.parametrize("text", ["hvor gamle er tallene", "hvornår kommer nye tal", "hvor kommer tallene fra",
                                  # »Det forstod jeg ikke: »kommer næste«« / »næste«, with three figures suggested
                                  "hvornår kommer de næste tal", "næste tal", "de næste tal", "næste tal?",
                                  "hvornår kommer de nye tal"])
def test_how_old_the_figures_are_asks_for_freshness(text):
    # »Det forstod jeg ikke: »gamle«« before.
    result = parse(text)
    assert (result.intent, result.indicator, result.unused) == ("freshness", None, ())


@pytest.mark.parametrize("text", ["ledige næste måned", "konjunkturprognose næste år", "ledighed næste kvartal"])
def test_next_as_a_period_is_still_a_period_not_a_question_about_updates(text):
    assert parse(text).intent == "value"


@pytest.mark.parametrize(("text", "intent", "indicator"), [
    # »sidst« was named as a word without figures; »er det eksempeldata?« was not understood.
    ("hvornår blev tallene sidst opdateret", "freshness", None),
    ("er det eksempeldata?", "freshness", None),
    ("er tallene rigtige", "freshness", None),
    # »langt« set aside; »hvad skal der til« not understood.
    ("hvor langt er vi fra målet for ungeledigheden", "target", "ungeledighed"),
    ("hvad skal der til for at nå målet for sygedagpenge", "target", "sygedagpenge"),
    # »som« set aside.
    ("vis ledigheden som graf", "development", "ledige"),
    # »under«, »over«, »sidst«, »nået« set aside.
    ("er ungeledigheden under målet", "target", "ungeledighed"),
    ("ligger vi over målet for sygedagpenge", "target", "sygedagpenge"),
    ("hvornår blev målet sidst nået for ungeledighed", "target", "ungeledighed"),
    ("hvornår nåede vi sidst målet for fleksjob", "target", "fleksjob"),
    # »skal«, »ned«, »loftet«, »klarer« set aside or not understood; »hvor kommer tallet fra« not understood.
    ("hvor meget skal sygedagpenge ned for at nå målet", "target", "sygedagpenge"),
    ("hvad er ungeledigheden i forhold til loftet", "target", "ungeledighed"),
    ("hvordan klarer vi os", "target", None),
    ("hvordan klarer vi os på ungeledighed", "target", "ungeledighed"),
    ("hvor kommer tallet fra", "freshness", None),
    ("hvor ofte opdateres tallene", "freshness", None),
    ("hvornår kommer næste opdatering", "freshness", None),
    ("er tallene officielle", "freshness", None),
    ("hvem er du", "help", None),
    ("hvornår skal målet for sygedagpenge være nået", "target", "sygedagpenge"),
    ("hvornår udløber målet for fleksjob", "target", "fleksjob"),
    ("hvad er fremskrivningen for ungeledigheden", "target", "ungeledighed"),
    # Why a figure is behind its target is what moved (the target's line comes with it): it answered
    # the level alone; »dårligt« was set aside.
    ("hvorfor er vi bagud på sygedagpenge", "why", "sygedagpenge"),
    ("hvorfor går det dårligt med ungeledigheden", "why", "ungeledighed"),
    ("går det godt med fleksjob", "target", "fleksjob"),
    # The target explained, not the figure's catalogue definition.
    ("hvad betyder målet for sygedagpenge", "target", "sygedagpenge"),
    ("forklar målet for ungeledigheden", "target", "ungeledighed"),
])
def test_questions_about_the_figures_and_targets_use_every_word(text, intent, indicator):
    result = parse(text)
    assert (result.intent, result.indicator, result.unused) == (intent, indicator, ())


def test_what_it_takes_after_a_target_asks_that_target():
    # »hvad skal der til?« after »når vi målet for sygedagpenge?« was »Det forstod jeg ikke: »skal««.
    result = parse("hvad skal der til?", context=parse("når vi målet for sygedagpenge?"))
    assert (result.intent, result.indicator, result.unused) == ("target", "sygedagpenge", ())


@pytest.mark.parametrize(("text", "indicator", "breakdown", "unused"), [
    # Read as a part of the first figure: »ingen tal for ledige opdelt på ydelse (Sygedagpenge)«.
    ("ledighed og sygedagpenge", "ledige", "", ("sygedagpenge",)),
    ("hvor mange ledige og hvor mange sygemeldte", "ledige", "", ("sygemeldte",)),
    # The second part overwrote the first: samtaler med sygemeldte, »ledige« dropped unsaid.
    ("samtaler med ledige og sygemeldte", "samtaler", "gruppe=Ledige", ("sygemeldte",)),
])
def test_a_second_figure_after_og_is_named_not_read_as_a_part(text, indicator, breakdown, unused):
    result = parse(text)
    assert (result.indicator, result.breakdown, result.unused) == (indicator, breakdown, unused)


@pytest.mark.parametrize(("text", "order", "top"), [
    # »5« and »10« were set aside (or not understood) and the top 5 given.
    ("de 5 laveste", "low", 5),
    ("ledighedsprocent de 10 højeste kommuner 2025", "high", 10),
    ("bund 5 ledighed", "low", 5),
])
def test_a_number_before_a_ranking_word_is_how_many_to_list(text, order, top):
    result = parse(text)
    assert (result.intent, result.order, result.top, result.unused) == ("ranking", order, top, ())


@pytest.mark.parametrize(("text", "indicator", "order"), [
    # It ranked the count of ledige (kommune size) and set »højere« aside.
    ("hvor mange kommuner har højere ledighed end os", "ledighedsprocent", "high"),
    ("hvor mange kommuner har lavere ledighed end Ballerup", "ledighedsprocent", "low"),
    # Declined as a ranking by how much the figure moved.
    ("hvilke kommuner har flere langtidsledige end os", "langtidsledige", "most"),
])
def test_a_comparative_beside_kommuner_ranks_as_its_superlative(text, indicator, order):
    result = parse(text)
    assert (result.intent, result.indicator, result.order, result.unused) == ("ranking", indicator, order, ())


@pytest.mark.parametrize("text", ["er ledigheden højere end sidste år", "er ledigheden lavere end for et år siden"])
def test_a_comparative_without_kommuner_is_no_unknown_word(text):
    # »Jeg har ikke tal for »højere««, under the change it answered.
    result = parse(text)
    assert (result.intent, result.unused) == ("change", ())


def test_more_than_a_year_ago_across_kommuner_is_still_a_ranking_by_change():
    assert parse("hvilke kommuner har flere ledige end for et år siden").reason == "ranking_change"


@pytest.mark.parametrize("text", ["er ledigheden faldet det seneste år", "ledighed de sidste 12 måneder",
                                  "sygedagpenge sidste 12 måneder"])
def test_the_past_twelve_months_ask_for_the_development(text):
    # »år« (or »sidste«, »12«, »måneder«) was set aside as not understood.
    result = parse(text)
    assert (result.intent, result.unused, result.period.is_latest) == ("development", (), True)


def test_which_region_asks_for_a_ranking_of_regions_and_a_region_name_stays_an_area():
    # »hvilken region har den højeste ledighed« ranked kommuner with »region« set aside.
    ranking = parse("hvilken region har den højeste ledighed")
    assert (ranking.intent, ranking.area_kind, ranking.unused) == ("ranking", "region", ())
    assert parse("ledighed region hovedstaden").area == "084"


@pytest.mark.parametrize(("text", "intent", "indicator"), [
    ("giv mig et overblik", "target", None), ("hvordan står det til", "target", None),
    ("hvad er nyt", "target", None), ("giv mig et overblik over ledigheden", "development", "ledige")])
def test_an_overview_is_the_targets_status_or_with_a_figure_its_development(text, intent, indicator):
    # »Det forstod jeg ikke: »overblik««, with »positive skift« suggested.
    result = parse(text)
    assert (result.intent, result.indicator, result.unused) == (intent, indicator, ())


@pytest.mark.parametrize(("text", "base", "period"), [
    # »første kvartal 2025« was set aside and 2026's average (declined: months missing) answered.
    ("ledighedsprocent første kvartal 2025 og 2026", "2025-Q1", "2026-Q1"),
    ("ledighed maj og juni 2025", "2025-05", "2025-06"),
    ("ledighed 2025 og 2024", "2024", "2025"),
])
def test_two_periods_joined_by_og_are_the_change_between_them(text, base, period):
    result = parse(text)
    assert (result.intent, result.base.period, result.period.period, result.unused) == ("change", base, period, ())


def test_a_phrase_set_aside_is_named_as_typed():
    # »Jeg har ikke tal for »foerste kvartal 2025««: the folded spelling, not the user's.
    assert parse("ledighedsprocent første kvartal 2025 maj 2026").unused == ("første kvartal 2025",)
    # A period after a change of two is named when it replaces one (never an empty »«).
    assert parse("ledighedsprocent i juni og juli 2025 første kvartal").unused == ("juli 2025",)


@pytest.mark.parametrize("text", ["ledige unge under 30", "ledige unge 18-29 år"])
def test_a_part_that_is_the_figure_itself_is_no_part(text):
    # »Der er ingen tal for ledige unge opdelt på alder (18-29 år) … – her er det samlede tal«.
    result = parse(text)
    assert (result.indicator, result.breakdown, result.unused) == ("ledige_unge", "", ())


@pytest.mark.parametrize(("text", "base", "period"), [
    # »2024 vs 2025« answered »2025 til 2024: 118 færre end 2025«: time ran backwards.
    ("ledighed 2024 vs 2025", "2024", "2025"),
    ("ledighed juli 2025 vs juli 2026", "2025-07", "2026-07"),
    ("ledighed 2023 sammenlignet med 2025", "2023", "2025"),
    # A month or quarter without a year beside one with it is of that year: »1. kvt vs 2. kvt
    # 2025« answered »2. kvt. 2025 til 1. kvt. 2026«, »maj vs juni 2025« juni 2025 til maj 2026.
    ("ledighed 1. kvt vs 2. kvt 2025", "2025-Q1", "2025-Q2"),
    ("ledighed maj vs juni 2025", "2025-05", "2025-06"),
])
def test_two_periods_compared_are_the_change_from_the_earlier_to_the_later(text, base, period):
    result = parse(text)
    assert (result.intent, result.base.period, result.period.period, result.unused) == ("change", base, period, ())


def test_last_year_against_this_year_is_this_year_against_last_year():
    # »sidste år vs i år« answered 2024 til 2025: »i år« was dropped unsaid.
    result = parse("ledighed sidste år vs i år")
    assert (result.intent, result.period.relative, result.base.relative) == ("change", "this_year", "last_year")
    # »marts sidste år vs marts i år« answered the year 2026 (declined) with »marts sidste år« set aside.
    march = parse("ledighed marts sidste år vs marts i år")
    assert (march.period, march.base, march.unused) == (PeriodRequest(month=3, relative="this_year"),
                                                        PeriodRequest(month=3, relative="last_year"), ())


def test_a_third_period_compared_is_set_aside_and_the_first_two_answered():
    # »juli 2026 vs juli 2025 vs juli 2024« answered juli 2025 til juli 2024 with »juli 2026« set aside.
    result = parse("ledighed juli 2026 vs juli 2025 vs juli 2024")
    assert (result.intent, result.base.period, result.period.period) == ("change", "2025-07", "2026-07")
    assert result.unused == ("juli 2024",) and result.other_periods == ("juli 2024",)


@pytest.mark.parametrize(("text", "period"), [
    # »ultimo sidste år« answered 2025's average with »ultimo« set aside.
    ("ledighed ultimo sidste år", PeriodRequest(month=12, relative="last_year")),
    ("ledighed primo i år", PeriodRequest(month=1, relative="this_year")),
    # »q4 24« answered the newest 4. kvt. (2025) with »24« set aside as not understood.
    ("ledighed q4 24", PeriodRequest(period="2024-Q4")),
    ("ledighed 4. kvt. 24", PeriodRequest(period="2024-Q4")),
])
def test_a_year_given_relatively_or_in_two_digits_belongs_to_its_month_or_quarter(text, period):
    result = parse(text)
    assert (result.period, result.unused) == (period, ())


@pytest.mark.parametrize(("text", "first", "last"), [("ledighed i sidste halvdel af 2025", 7, "2025-12"),
                                                    ("ledighed første halvdel af 2025", 1, "2025-06")])
def test_half_of_a_year_is_a_half_year(text, first, last):
    # It answered 2025's average with »sidste« and »halvdel« set aside (then it declined it).
    result = parse(text)
    assert isinstance(result, Query) and (result.base.month, result.period.period) == (first, last)
    assert result.span and result.mean and result.unused == ()
    assert parse("ledighed sidste halvår").reason == "half_year"  # without a year: which half is asked


def test_i_loebet_af_a_year_is_the_year():
    assert parse("ledighed i løbet af 2025").unused == ()


@pytest.mark.parametrize(("text", "base", "period"), [
    # »forskellen mellem marts og juli« answered juli 2025 til juli 2026 with »marts« set aside, and
    # »juni og juli« juli alone (»Jeg har ikke tal for »juni««).
    ("ledige forskellen mellem marts og juli", PeriodRequest(month=3), PeriodRequest(month=7)),
    ("ledighed juni og juli", PeriodRequest(month=6), PeriodRequest(month=7)),
    ("ledighed 1. kvartal og 2. kvartal", PeriodRequest(quarter=1), PeriodRequest(quarter=2)),
])
def test_two_months_without_a_year_joined_by_og_are_the_change_between_them(text, base, period):
    result = parse(text)
    assert (result.intent, result.base, result.period, result.unused) == ("change", base, period, ())


@pytest.mark.parametrize("word", ["steg", "faldt", "stiger", "falder"])
def test_past_and_present_tense_of_rise_and_fall_are_understood(word):
    # »hvorfor steg ledigheden fra 2024 til 2025«: »steg« was named as not understood.
    assert parse(f"hvorfor {word} ledigheden fra 2024 til 2025").unused == ()


def test_this_year_and_last_year_joined_by_og_are_the_change_between_them():
    # »ledighed i år og sidste år« answered 2025 with »i år« set aside.
    result = parse("ledighed i år og sidste år")
    assert (result.intent, result.base.relative, result.period.relative, result.unused) == (
        "change", "last_year", "this_year", ())


@pytest.mark.parametrize(("text", "base", "period"), [
    # »januar-juli 2026« answered juli 2026 with »januar« set aside, where »januar til juli 2026«
    # is the change between them.
    ("ledighed januar-juli 2026", "2026-01", "2026-07"),
    ("ledighed jan-jul 2026", "2026-01", "2026-07"),
])
def test_a_range_of_months_written_with_a_hyphen_is_read_as_with_til(text, base, period):
    result = parse(text)
    assert (result.intent, result.base.period, result.period.period, result.unused) == ("change", base, period, ())


@pytest.mark.parametrize("text", ["ledighed hidtil i år", "ledighed i år indtil videre", "ledighed indtil nu i år"])
def test_so_far_this_year_is_this_year(text):
    result = parse(text)
    assert (result.period.relative, result.unused) == ("this_year", ())


def test_a_quarter_last_year_against_this_year_is_that_quarter_of_both_years():
    # »3. kvartal sidste år vs i år« answered 3. kvt. 2024 til 3. kvt. 2025.
    result = parse("ledighed i 3. kvartal sidste år vs i år")
    assert (result.base, result.period) == (PeriodRequest(quarter=3, relative="last_year"),
                                            PeriodRequest(quarter=3, relative="this_year"))


@pytest.mark.parametrize(("text", "relative"), [
    ("sidste måneds ledighed", "previous_month"), ("forrige måneds ledighed", "previous_month"),
    ("forrige års ledighed", "last_year"), ("sidste kvartals ledighed", "previous_quarter"),
])
def test_a_genitive_period_is_the_period(text, relative):
    # »sidste måneds ledighed« answered the newest month with »sidste« and »måneds« not understood.
    result = parse(text)
    assert (result.period.relative, result.unused) == (relative, ())


def test_the_latest_year_is_its_development_as_the_latest_12_months():
    assert (parse("ledighed seneste år").intent, parse("ledighed seneste år").unused) == ("development", ())


@pytest.mark.parametrize(("text", "base"), [
    # »maj 2026 vs 2025« answered januar 2025 til maj 2026 (»2025« read as »siden 2025«).
    ("ledighed maj 2026 vs 2025", "2025-05"), ("ledighed 2. kvt 2026 mod 2025", "2025-Q2"),
    ("ledighed maj 2026 sammenlignet med 2025", "2025-05"),
])
def test_a_month_against_a_year_is_that_month_of_the_year(text, base):
    assert parse(text).base.period == base


def test_since_a_year_still_counts_from_its_start():
    assert parse("ledighed siden 2025").base.period == "2025"


@pytest.mark.parametrize(("text", "same_as"), [
    # »ledighed 2025 til nu« answered 2025's average and »januar 2025 til nu« januar 2025's figure,
    # »til nu« set aside unsaid (»nu« is also a word of the newest period); »til dato« also named
    # »dato« as not understood, and »2026 indtil nu« declined 2026's average for its missing months.
    ("ledighed 2025 til nu", "ledighed fra 2025"),
    ("ledighed januar 2025 til nu", "ledighed fra januar 2025"),
    ("ledighed i 2025 til nu", "ledighed fra 2025"),
    ("ledighed 2026 indtil nu", "ledighed fra 2026"),
    ("samtaler 2026 til dato", "samtaler fra 2026"),
    ("ledighed maj til i dag", "ledighed fra maj"),
    ("ledighed 2. kvt. 2025 frem til nu", "ledighed fra 2. kvt. 2025"),
    ("ledighed hidtil i 2026", "ledighed fra 2026"),
    ("ledighed indtil videre i 2026", "ledighed fra 2026"),
    ("ledighed 2024 og frem", "ledighed fra 2024"),
    ("ledighed januar 2025 til nu Ballerup vs Herlev", "ledighed fra januar 2025 Ballerup vs Herlev"),
    ("ledighed fra januar til nu", "ledighed fra januar"),  # a span already: as before
])
def test_a_period_until_now_is_the_span_from_it(text, same_as):
    asked, meant = parse(text), parse(same_as)
    assert (asked.intent, asked.base, asked.span) == ("change", meant.base, True)
    assert replace(asked, text="") == replace(meant, text="")


@pytest.mark.parametrize(("text", "same_as"), [
    ("ledighed hidtil i maj", "ledighed i maj"), ("samtaler hidtil i 2. kvartal", "samtaler i 2. kvartal"),
])
def test_so_far_in_a_month_or_quarter_is_that_period(text, same_as):
    # (»hidtil i 2. kvartal« is the quarter, not the span from it to the newest)
    assert replace(parse(text), text="") == replace(parse(same_as), text="")


@pytest.mark.parametrize("text", ["ledighed i år til nu", "ledighed hidtil i år", "ledighed år til dato"])
def test_this_year_until_now_is_still_this_year_so_far(text):
    # (no named period: this year's months so far, as »ledighed i år« gives them)
    query = parse(text)
    assert (query.intent, query.period, query.base, query.unused) == \
        ("value", PeriodRequest(relative="this_year"), None, ())
@pytest.mark.parametrize(("text", "area", "compare"), [
    ("sammenlign ledigheden i Ballerup med Region Hovedstaden", "151", ("084",)),
    ("sammenlign ledigheden med Herlev", None, ("163",)),
    ("sammenlign Ballerup og Herlev på ledighed", "151", ("163",)),
])
def test_sammenlign_med_an_area_compares(text, area, compare):
    # »sammenlign« was not understood (named as set aside) and »med Region Hovedstaden« was read
    # only because »Region« starts an area; »med« before an area compares, »med sygemeldte« is a part.
    query = parse(text)
    assert (query.area, query.compare, query.unused) == (area, compare, ())
    assert parse("samtaler med sygemeldte").breakdown == "gruppe=Sygemeldte"


@pytest.mark.parametrize("text", ["er ledigheden stigende", "går det den rigtige vej med sygedagpenge",
                                  "er fleksjob faldende", "går det i den forkerte retning med ungeledigheden"])
def test_a_direction_asks_for_the_development(text):
    # »stigende«, »den rigtige vej« were named as not understood beside the newest figure.
    query = parse(text)
    assert (query.intent, query.unused) == ("development", ())


@pytest.mark.parametrize("text", ["lav en graf over ledigheden", "tegn en kurve over sygedagpenge",
                                  "lav et diagram over fleksjob"])
def test_a_request_for_a_graph_is_the_development(text):
    # »lav« and »over« were named as not understood.
    query = parse(text)
    assert (query.intent, query.unused) == ("development", ())
    assert parse("lav ledighed").unused == ("lav",)  # »lav« alone stays a word not understood


@pytest.mark.parametrize(("text", "area"), [("hvor mange arbejder i Ballerup", "151"), ("hvor mange er i arbejde", None),
                                            ("hvor mange har et job i Herlev", "163")])
def test_working_is_beskaeftigelse(text, area):
    # »arbejder« was not understood (»ledige« suggested).
    query = parse(text)
    assert (query.indicator, query.area, query.unused) == ("beskaeftigelse", area, ())


def test_bornholms_regionskommune_is_bornholm():
    query = parse("ledighed Bornholms Regionskommune")
    assert (query.area, query.unused) == ("400", ())


@pytest.mark.parametrize(("text", "intent", "order"), [
    ("hvorfor er ungeledigheden høj", "why", None), ("hvorfor stiger sygedagpenge", "why", None),
    ("hvorfor er ledigheden så lav", "why", None), ("kommuner med lav ledighed", "ranking", "low"),
    ("kommuner med høj ledighed", "ranking", "high"),
])
def test_high_and_low_describe_a_why_and_rank_beside_kommuner(text, intent, order):
    # »høj«, »stiger« were named as not understood; »kommuner med lav ledighed« ranked from the highest.
    query = parse(text)
    assert (query.intent, query.order, query.unused) == (intent, order, ())


@pytest.mark.parametrize(("text", "indicator"), [
    ("gennemsnitligt antal samtaler pr fuldtidsperson", "samtaler_pr_fuldtidsperson"),
    ("antal samtaler pr fuldtidsperson", "samtaler_pr_fuldtidsperson"),
    ("antal sygedagpengeforløb", "sygedagpenge"),
    ("hvor mange samtaler har vi haft i 2025", "samtaler"),
])
def test_the_fact_pages_own_wording_names_its_figure(text, indicator):
    # »antal samtaler« took the count and then set »fuldtidsperson« aside as a second figure;
    # »sygedagpengeforløb« was not understood; »haft« was named as set aside.
    query = parse(text)
    assert (query.indicator, query.unused, query.other_figures) == (indicator, (), ())


def test_the_word_that_names_a_second_figure_is_not_a_part_of_the_first():
    # »forskellen på ungeledighed og officiel ungeledighed« read »officiel« as the first figure's
    # seasonally adjusted series: »Der er ingen sæsonkorrigerede tal for ungeledigheden«.
    result = parse("hvad er forskellen på ungeledighed og officiel ungeledighed")
    assert (result.indicator, result.breakdown) == ("ungeledighed", "")
    assert result.also == ("ungeledighed_officiel",)  # the two definitions (#10: not one figure)
    # Named of the first figure, the word still picks its series.
    assert parse("sæsonkorrigeret ledighedsprocent og sygedagpenge").breakdown == "korrektion=Sæsonkorrigeret"


@pytest.mark.parametrize(("text", "indicator"), [("hvornår kommer vi under loftet for ungeledighed", "ungeledighed"),
                                                 ("hvor ofte er vi bagud på sygedagpenge", "sygedagpenge")])
def test_when_or_how_often_about_a_target_is_not_a_question_about_updates(text, indicator):
    # »hvornår kommer« and »hvor ofte« alone would have made these the sources' update dates.
    result = parse(text)
    assert (result.intent, result.indicator) == ("target", indicator)


@pytest.mark.parametrize(("text", "intent"), [("hvor langt er ledigheden faldet siden 2020", "change"),
                                              ("ledigheden er nået op på 4 pct", "value")])
def test_words_of_distance_without_a_target_word_are_not_a_target_question(text, intent):
    # »hvor langt« and »nået« alone made these the target's question (»ingen mål for ledige«).
    assert parse(text).intent == intent


def test_official_in_a_figures_own_name_is_not_a_seasonally_adjusted_series():
    # »officiel ungeledighed« asked the figure's »(Sæsonkorrigeret)« series, which it has not.
    query = parse("officiel ungeledighed")
    assert (query.indicator, query.breakdown) == ("ungeledighed_officiel", "")


@pytest.mark.parametrize("text", ["prognose for ledigheden", "prognosen for ledigheden", "prognose ledighed 2027"])
def test_a_forecast_of_the_konjunkturprognoses_own_part_stays_the_konjunkturprognose(text):
    # Ledighed is a nøgletal of the konjunkturprognose, not another figure whose projection is asked
    # (»prognosen for ledigheden« answered ledige with »prognosen« set aside).
    query = parse(text)
    assert (query.intent, query.indicator, query.breakdown, query.unused) == ("value", "konjunkturprognose", "maal=Ledighed", ())


@pytest.mark.parametrize("text", ["ledighed https://jobindsats.dk", "ledighed <https://jobindsats.dk|jobindsats>",
                                  "ledighed, se www.jobindsats.dk", "ledighed – skriv til ole@ballerup.dk"])
def test_a_link_or_address_is_no_part_of_the_question(text):
    # »https://jobindsats.dk« gave hele landet (»dk« is Danmark) with »https« and »jobindsats« set aside.
    query = parse(text)
    assert (query.indicator, query.area) == ("ledige", None)
    assert not {"https", "jobindsats", "www", "ole"} & set(query.unused)


@pytest.mark.parametrize("text", ["Hej Faktabot, hvad er ledigheden i maj?",
                                  "kan du fortælle mig hvordan det går med sygedagpengene?",
                                  "jeg vil gerne vide noget om fleksjob"])
def test_the_ways_of_asking_are_no_words_set_aside(text):
    assert parse(text).unused == ()


def test_every_part_span_names_parts_the_catalogue_has():
    # [part_spans] in vocabulary.toml: »over 50« lists catalogue values; a misspelt one would list nothing
    catalogue = default_catalogue()
    for phrase, (key, values) in default_vocabulary().part_spans.items():
        assert set(values) <= set(catalogue.breakdowns[key].values.values()), phrase


@pytest.mark.parametrize(("text", "breakdown"), [
    ("hvor mange unge under 25 er ledige", "alder=16-24 år"),  # not 18-29 and 16-24 both, listed
    ("ledige i alderen 30-39", "alder=30-39 år"),  # »alderen« was named as not understood
])
def test_an_age_group_as_managers_write_it(text, breakdown):
    query = parse(text)
    assert query.breakdown == breakdown and query.unused == () and query.by is None


def test_a_second_breakdown_is_set_aside_not_guessed_as_another_word():
    # »ledige fordelt på køn og alder« read »alder« as »falder« and answered the development
    query = parse("ledige fordelt på køn og alder")
    assert query.intent == "value" and query.by == "køn" and query.unused == ("alder",)


@pytest.mark.parametrize(("text", "indicator", "breakdown"), [
    # not understood: »ledige« was inside the part's phrase, and no figure was read from the part
    ("ikke-forsikrede ledige i Herlev", "ledige", "ydelse=Kontant- og uddannelseshjælp"),
    # fuldtidspersoner on A-dagpenge, not the ledige asked
    ("forsikrede ledige i Herlev", "ledige", "ydelse=A-dagpenge"),
    ("a-dagpengemodtagere i Albertslund", "fuldtidspersoner", "ydelse=A-dagpenge"),  # »a« set aside
    ("ledighedsydelsesmodtagere", "fuldtidspersoner", "ydelse=Ledighedsydelse"),  # not understood
    ("personer i ressourceforløb over 50", "fuldtidspersoner", "ydelse=Ressourceforløb"),  # not understood
])
def test_a_benefit_group_as_managers_name_it(text, indicator, breakdown):
    query = parse(text)
    assert isinstance(query, Query), query
    assert (query.indicator, query.breakdown) == (indicator, breakdown)
    assert query.unused == () or query.unused == ("personer",)


@pytest.mark.parametrize(("text", "unused"), [("ledighed sammenlignet", ("sammenlignet",)), ("ledighed vs", ("vs",)),
                                             ("ledighed vs landet", ())])
def test_a_comparison_word_with_nothing_after_it_is_named_as_not_used(text, unused):
    # »ledighed sammenlignet med« (cut off) answered the figure alone without a word
    assert parse(text).unused == unused


@pytest.mark.parametrize("text", ["ja tak, og hvad med sygedagpenge", "ok ledighed", "jamen ledighed i Herlev"])
def test_an_assent_before_a_new_question_is_no_part_of_it(text):
    # »ja« was named as not understood when no question came before
    assert parse(text).unused == ()


def test_a_quarter_compared_with_no_period_is_no_pair_of_periods():
    # »ledighed vs K2« raised a TypeError (found by the property test of any mix of known words)
    assert parse("ledighed vs K2").base.quarter == 2


def test_a_month_written_with_a_hyphen_before_its_year_is_that_month():
    # »ledighed 05-2025« was read as an age span and not understood; »18-29« stays the age
    assert parse("ledighed 05-2025").period == PeriodRequest(period="2025-05")
    assert parse("ledighed 5-2025").period == PeriodRequest(period="2025-05")
    assert parse("ledige 18-29").indicator == "ledige_unge"


def test_the_past_year_is_the_development():
    # »det forgangne år«: »forgangne« and »år« were named as not understood and the newest month given
    query = parse("ledighed i det forgangne år")
    assert query.intent == "development" and query.unused == ()


def test_over_or_under_an_area_compares_with_it():
    # »ligger vi over eller under landet på ledighed« named »over« as not understood
    query = parse("ligger vi over eller under landet på ledighed")
    assert query.compare == ("000",) and query.unused == ()


@pytest.mark.parametrize(("text", "month"), [("ledighed i starten af året", 1),
                                             ("hvad forventer vi ved udgangen af året for fleksjob", 12)])
def test_the_start_or_end_of_the_year_is_its_first_or_last_month(text, month):
    # »i starten af året« answered this year's average with »starten« named as not understood;
    # »ved udgangen af året« declined 2026's average with »udgangen« named
    query = parse(text)
    assert query.period == PeriodRequest(month=month, relative="this_year") and query.unused == ()


@pytest.mark.parametrize("text", ["er der sket noget med ledigheden", "hvad er der sket med sygedagpenge"])
def test_what_happened_to_a_figure_is_its_development(text):
    # »sket« was named as not understood and the newest figure given
    query = parse(text)
    assert query.intent == "development" and query.unused == ()


@pytest.mark.parametrize("text", ["selvforsørgelsesgrad efter aktivering", "selvforsørgelsesgraden efter aktivering for dagpenge"])
def test_after_activation_is_the_selvforsoergelsesgrad_own_words_not_a_second_figure(text):
    # »aktivering« was read as aktiveringsgraden, a second figure: »Jeg svarer på ét tal ad gangen –
    # spørg om »aktivering« for sig«, though the figure is the self-support after activation
    result = parse(text)
    assert (result.indicator, result.unused, result.other_figures) == ("selvforsoergelsesgrad", (), ())


@pytest.mark.parametrize(("text", "part"), [("samtaler pr ledig", "gruppe=Ledige"),
                                            ("hvor mange samtaler pr sygemeldt", "gruppe=Sygemeldte"),
                                            ("samtaler per ledig i 2. kvartal", "gruppe=Ledige")])
def test_conversations_per_person_of_a_group_are_samtaler_per_fuldtidsperson(text, part):
    # »samtaler pr ledig« answered all samtaler (1.125 in juli 2026) with »Jeg svarer på ét tal ad gangen
    # – spørg om »ledig« for sig«: another figure than the one per person asked
    result = parse(text)
    assert (result.indicator, result.breakdown, result.unused, result.other_figures) == (
        "samtaler_pr_fuldtidsperson", part, (), ())
    assert parse("samtaler pr måned i 2025").indicator == "samtaler"



def test_a_list_of_a_figure_named_asks_that_figure_not_the_list_of_figures():
    # »hvor ligger Ballerup på listen over ledighed i landet?« and »oversigt over sygedagpenge«
    # answered the list of every figure one can ask about, the figure named passed over
    place = parse("hvor ligger Ballerup på listen over ledighed i landet?")
    assert (place.intent, place.indicator, place.area, place.compare) == ("ranking", "ledighedsprocent", "151", ())
    assert place.unused == ()
    assert parse("hvor ligger vi på ranglisten over ledighed i landet").compare == ()
    overview = parse("oversigt over sygedagpenge")
    assert (overview.intent, overview.indicator, overview.unused) == ("development", "sygedagpenge", ())
    assert parse("liste over ledigheden i kommunerne").intent == "ranking"
    # alone, the words still ask which figures there are
    assert parse("giv mig en liste").intent == parse("oversigt").intent == "vocabulary"


@pytest.mark.parametrize(("text", "intent", "indicator"), [
    ("what is the target for sick leave?", "target", "sygedagpenge"),
    ("are we on track with flexjobs?", "target", "fleksjob"),
    ("How many unemployed in Ballerup?", "value", "ledige"),
])
def test_a_question_in_english_reads_its_question_words_and_target(text, intent, indicator):
    # »target« was not understood (the figure given with its target line as an aside), and »how«,
    # »many«, »what«, »is« were named as words the answer did not use
    query = parse(text)
    assert (query.intent, query.indicator, query.unused) == (intent, indicator, ())


@pytest.mark.parametrize(("text", "indicator"), [
    ("hvor mange skal i job for at nå målet for sygedagpenge?", "sygedagpenge"),
    ("hvor mange unge skal i job for at nå målet for ungeledighed?", "ungeledighed"),
    ("hvor mange unge skal i job for at nå målet?", None)])
def test_getting_into_work_to_reach_a_target_asks_what_the_target_needs_not_beskaeftigelsen(text, indicator):
    # »i job« was read as the figure beskæftigelsen: »hvor mange skal i job for at nå målet for
    # sygedagpenge?« gave beskæftigelsen (»ingen tal … opdelt på ydelse (Sygedagpenge)«, »ikke sat
    # noget mål for beskæftigelsen«)
    query = parse(text)
    assert (query.intent, query.indicator, query.needed) == ("target", indicator, True)
    assert parse("hvor mange er i job?").indicator == "beskaeftigelse"  # (no target: the figure)


def test_the_group_a_figure_is_wholly_of_is_the_figure_not_a_part_it_lacks():
    # »ungeledigheden for de unge«, »hvor mange unge skal i job for at nå målet for ungeledighed?« said
    # »Der er ingen tal for ungeledigheden opdelt på alder (18-29 år)«: the figure is of the 18-29-årige
    assert parse("ungeledigheden for de unge").breakdown == ""
    assert parse("hvor mange unge skal i job for at nå målet for ungeledighed?").breakdown == ""
    # another age group is still a part it does not have, said by the answer
    assert parse("ungeledighed for unge under 25").breakdown == "alder=16-24 år"


@pytest.mark.parametrize(("text", "indicator"), [
    ("syge dagpenge", "sygedagpenge"), ("kontant hjælp", "kontanthjaelp"), ("ledigheds procent", "ledighedsprocent")])
def test_a_compound_typed_as_two_words_is_the_compound(text, indicator):
    # »kontant hjælp« gave the help text (»hjælp«), and »syge dagpenge« after »ledighedsprocent
    # Albertslund« the rate of A-dagpenge for the sygemeldte (two parts of the figure before)
    query = parse(text)
    assert (query.intent, query.indicator, query.breakdown) == ("value", indicator, "")
    after = parse(text, context=parse("ledighedsprocnt albertslund"))
    assert (after.indicator, after.breakdown) == (indicator, "")


def test_a_misspelt_part_is_taken_as_meant_as_a_misspelt_figure_is():
    # »resourceforløb« was »Det forstod jeg ikke«, with afgangsraten and two other figures suggested
    query = parse("resourceforløb")
    assert isinstance(query, Query) and query.breakdown == "ydelse=Ressourceforløb"


@pytest.mark.parametrize("text", ["oversigt over målene", "giv mig en liste over målene"])
def test_a_list_of_the_targets_is_the_board_not_the_list_of_figures(text):
    # »oversigt over målene« gave »Det kan du spørge om« (every figure), not the targets
    assert parse(text).intent == "target" and parse(text).indicator is None


@pytest.mark.parametrize("text", ["hvordan er det gået med ledigheden det seneste år",
                                  "hvordan er det gået for sygedagpenge det seneste år?"])
def test_how_it_has_gone_asks_the_development_with_no_word_set_aside(text):
    # »gået« was named as not understood beside the development it asked
    query = parse(text)
    assert (query.intent, query.unused) == ("development", ())


@pytest.mark.parametrize(("text", "same_as"), [
    # »indtil«, »til og med«, »frem til«, »t.o.m.« end a span as »til« does: »ledighed 2025 indtil 2026«
    # answered 2026 with »2025« set aside.
    ("ledighed 2025 indtil 2026", "ledighed 2025 til 2026"),
    ("ledighed fra januar til og med maj", "ledighed fra januar til maj"),
    ("ledighed maj 2025 til og med maj 2026", "ledighed maj 2025 til maj 2026"),
    ("sygedagpenge fra 1. kvt. 2025 frem til 1. kvt. 2026", "sygedagpenge fra 1. kvt. 2025 til 1. kvt. 2026"),
    ("ledighed januar t.o.m. maj", "ledighed januar til maj"),
    # … and »fra og med«, »f.o.m.« start one as »fra« (»ledighed fra og med januar« answered januar alone)
    ("ledighed fra og med januar", "ledighed fra januar"),
    ("ledighed f.o.m. januar t.o.m. maj", "ledighed fra januar til maj"),
    ("ledighed fom maj 2025", "ledighed fra maj 2025"),
    # »2024-2025« was read as one word (an age span) and not understood; the newest month was given
    ("ledighed 2024-2025", "ledighed 2024 til 2025"),
    ("sygedagpenge 2023-2025 i Albertslund", "sygedagpenge 2023 til 2025 i Albertslund"),
])
def test_words_that_end_a_span_read_as_til(text, same_as):
    asked, meant = parse(text), parse(same_as)
    assert asked.base is not None
    assert replace(asked, text="") == replace(meant, text="")


@pytest.mark.parametrize(("text", "start", "end", "asked"), [
    # A span's end with no start answered the end alone, »til og med« passed over unsaid.
    ("ledighed til og med maj", PeriodRequest(month=1), PeriodRequest(month=5), "ledighed"),
    ("Ledighed i Herlev indtil 2. kvt.", PeriodRequest(quarter=1), PeriodRequest(quarter=2), "Ledighed i Herlev"),
    ("ledighed frem til maj 2025", PeriodRequest(period="2025-01"), PeriodRequest(period="2025-05"), "ledighed"),
    ("sygedagpenge t.o.m. 2025", PeriodRequest(period="2024"), PeriodRequest(period="2025"), "sygedagpenge"),
    ("ledighed til januar 2026", PeriodRequest(period="2025-01"), PeriodRequest(period="2026-01"), "ledighed"),
    ("ledighed op til januar", None, PeriodRequest(month=1), "ledighed"),  # (no start reads well)
])
def test_a_span_with_no_start_asks_from_when(text, start, end, asked):
    problem = parse(text)
    assert isinstance(problem, NotUnderstood)
    assert (problem.reason, problem.start, problem.end, problem.asked) == ("open_start", start, end, asked)


def test_til_after_i_forhold_still_compares_with_that_period():
    assert parse("ledighed i forhold til maj").base == PeriodRequest(month=5)
    assert parse("ledige 18-29").indicator == "ledige_unge"  # (an age span is still an age span)
