"""Charts from cache: the same spec gives the same bytes without drawing; a changed series draws."""
from __future__ import annotations

from bot.rendering import charts


def _spec(last: float = 4.1, title: str = "Ledighedsprocenten i Ballerup", footnote: str = "") -> charts.ChartSpec:
    points = [("2026-01", 4.4), ("2026-02", 4.3), ("2026-03", last)]
    return charts.ChartSpec(title=title, unit="pct.", decimals=1, lines=[charts.Line("Ballerup", points)],
                            footnote=footnote)


class CountingDraw:
    """A real draw that counts how often it ran."""

    def __init__(self) -> None:
        self.draws = 0

    def __call__(self, spec) -> bytes:
        self.draws += 1
        return charts.draw_png(spec)


def test_the_same_spec_is_drawn_once_and_then_read_from_the_cache():
    cache, draw = charts.ChartCache(), CountingDraw()
    first = charts.render_png(_spec(), cache, draw)
    again = charts.render_png(_spec(), cache, draw)
    assert first == again and first.startswith(b"\x89PNG")
    assert draw.draws == 1


def test_a_refresh_that_changes_the_series_draws_anew():
    cache, draw = charts.ChartCache(), CountingDraw()
    before = charts.render_png(_spec(4.1), cache, draw)
    after = charts.render_png(_spec(4.0), cache, draw)
    assert draw.draws == 2 and before != after
    assert charts.chart_key(_spec(4.1)) != charts.chart_key(_spec(4.0))


def test_the_byte_bound_evicts_the_least_recently_used_chart():
    draw = CountingDraw()
    size = len(charts.draw_png(_spec()))
    cache = charts.ChartCache(max_bytes=int(size * 2.5))
    first, second, third = _spec(title="a"), _spec(title="b"), _spec(title="c")
    charts.render_png(first, cache, draw)
    charts.render_png(second, cache, draw)
    charts.render_png(first, cache, draw)  # used again: now the newest
    charts.render_png(third, cache, draw)  # over the bound: `second` goes
    assert charts.chart_key(first) in cache and charts.chart_key(third) in cache
    assert charts.chart_key(second) not in cache
    assert cache.held <= cache.max_bytes and draw.draws == 3


def test_a_cache_folder_keeps_charts_for_the_next_process(tmp_path):
    draw = CountingDraw()
    drawn = charts.render_png(_spec(), charts.ChartCache(folder=tmp_path / "charts"), draw)
    restarted = charts.ChartCache(folder=tmp_path / "charts")
    assert charts.render_png(_spec(), restarted, draw) == drawn
    assert draw.draws == 1
    assert [p.suffix for p in (tmp_path / "charts").iterdir()] == [".png"]


def test_many_asking_for_the_same_new_chart_at_once_wait_for_one_draw():
    import threading

    cache, draw, started = charts.ChartCache(), CountingDraw(), threading.Barrier(8)
    found: list[bytes] = []

    def ask() -> None:
        started.wait()
        found.append(charts.render_png(_spec(), cache, draw))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert draw.draws == 1 and len(set(found)) == 1 and len(found) == 8



class FailingOnceDraw(CountingDraw):
    """A real draw whose first call fails, after long enough for the others asking to be waiting."""

    def __call__(self, spec) -> bytes:
        import time

        self.draws += 1
        if self.draws == 1:
            time.sleep(0.3)
            raise RuntimeError("the chart process died")
        return charts.draw_png(spec)


def test_a_failed_draw_gives_its_error_to_its_asker_and_the_others_waiting_draw_the_chart_themselves():
    import threading

    cache, draw, started = charts.ChartCache(), FailingOnceDraw(), threading.Barrier(6)
    found: list[bytes] = []
    failed: list[Exception] = []

    def ask() -> None:
        started.wait()
        try:
            found.append(charts.render_png(_spec(), cache, draw))
        except RuntimeError as error:
            failed.append(error)

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert not any(thread.is_alive() for thread in threads)  # nobody is left waiting
    assert [str(error) for error in failed] == ["the chart process died"]  # only the first drawer's
    assert len(found) == 5 and found == [charts.draw_png(_spec())] * 5
    assert charts.render_png(_spec(), cache, draw) == found[0] and draw.draws == 6  # kept: not drawn again


def _dark_columns(png: bytes, rows: slice) -> list[int]:
    """The x of every column with a dark pixel (text, not the white page) in `rows` of the picture."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    width, height = image.size
    pixels = image.load()
    return [x for x in range(width) if any(pixels[x, y] < 160 for y in range(*rows.indices(height)))]


def test_the_source_line_is_written_under_the_chart_and_stays_whole():
    source = "Kilde: Jobindsats.dk (STAR), tabel y25i01, hentet 22. aug. 2026"
    plain = charts.draw_png(_spec())
    with_source = charts.draw_png(_spec(footnote=source))
    bottom = slice(-14, None)  # the source line's strip under the x axis's labels
    assert _dark_columns(plain, bottom) == []
    written = _dark_columns(with_source, bottom)
    assert written and written[0] < 20 and 250 < written[-1] < 500  # from the left edge, about half the width
    # A line longer than the picture is set smaller, not cut off at the right edge.
    long_line = _dark_columns(charts.draw_png(_spec(footnote=source + ", " + source)), bottom)
    assert long_line[-1] < 800 - 4 and long_line[-1] > written[-1]


def test_a_long_title_stays_inside_the_picture():
    # »Konjunkturprognosen (Beskæftigelse, Finansministeriet) i hele landet, 2019–2027« ran off the
    # right edge at 800 px: »… i hele landet, 20«.
    title = "Konjunkturprognosen (Beskæftigelse, Finansministeriet) i hele landet, 2019–2027"
    for text in (title, title + " og " + title):
        figure = charts.draw_figure(_spec(title=text))
        figure.canvas.draw()
        box = _title(figure).get_window_extent()
        assert box.x1 <= 800 - 4 and box.y1 <= 450 - 2, (text, box)
    # A short title keeps the size it had.
    assert _title(charts.draw_figure(_spec())).get_fontsize() == 12


def _title(figure):
    from matplotlib.text import Text

    return next(t for t in figure.findobj(Text) if t.get_text() and t.get_fontweight() == "bold")


def test_a_gap_in_a_series_is_left_open_not_bridged():
    # A month missing in the store (2026-03) was drawn as a straight line from February to April,
    # as if it had been measured there.
    import math

    points = [("2026-01", 4.4), ("2026-02", 4.3), ("2026-04", 4.0), ("2026-05", 3.9)]
    spec = charts.ChartSpec(title="Ledighedsprocenten i Ballerup", unit="pct.", decimals=1,
                            lines=[charts.Line("Ballerup", points)])
    drawn = charts.draw_figure(spec).axes[0].get_lines()[0].get_ydata()
    assert len(drawn) == 5 and math.isnan(drawn[2])
    assert [v for v in drawn if not math.isnan(v)] == [4.4, 4.3, 4.0, 3.9]


def test_a_chart_png_holds_the_drawn_pixels_at_the_charts_resolution():
    # The PNG is written without Pillow's PNG writer (half of a chart's encoding time): the pixels
    # must be the canvas's exactly, every row, in RGB, and the resolution stays 100 dpi.
    import io

    import numpy
    from PIL import Image

    figure = charts.draw_figure(_spec())
    figure.canvas.draw()
    drawn = numpy.asarray(figure.canvas.buffer_rgba())[:, :, :3]
    image = Image.open(io.BytesIO(charts.draw_png(_spec())))
    assert image.format == "PNG" and image.mode == "RGB" and image.size == (800, 450)
    assert round(image.info["dpi"][0]) == round(image.info["dpi"][1]) == charts.DPI
    assert numpy.array_equal(numpy.asarray(image), drawn)
    # Any picture, not only a chart's: a gradient and noise come back the same, byte for byte.
    rng = numpy.random.default_rng(18)
    picture = rng.integers(0, 256, size=(37, 53, 3), dtype=numpy.uint8)
    picture[:, :20] = numpy.arange(20, dtype=numpy.uint8)[None, :, None] * 12
    back = Image.open(io.BytesIO(charts.png_bytes(picture.tobytes(), 53, 37, 72)))
    assert back.size == (53, 37) and round(back.info["dpi"][0]) == 72
    assert numpy.array_equal(numpy.asarray(back), picture)


def test_bars_with_their_values_written_on_are_not_served_the_same_bars_without():
    # An answer of two periods is drawn as bars with their values written on them: the cache must
    # not hand out a plain bar chart of the same values kept before, nor the other way round.
    import dataclasses

    plain = charts.BarSpec(title="Langtidsledige i Læsø", unit="fuldtidspersoner", decimals=0,
                           categories=["marts 2024", "april 2024"], groups=[("Læsø", [3.0, 4.0])])
    labelled = dataclasses.replace(plain, labelled=True)
    assert charts.chart_key(plain) != charts.chart_key(labelled)
    cache, draw = charts.ChartCache(), CountingDraw()
    assert charts.render_png(plain, cache, draw) != charts.render_png(labelled, cache, draw)
    assert draw.draws == 2


def test_index_bars_with_other_counts_written_on_them_are_not_served_from_the_cache():
    # Two periods of counts beside another area are bars of an index with each count written on
    # it: the same index heights over other counts (a revised month) are another chart.
    import dataclasses

    first = charts.BarSpec(title="Langtidsledige i Læsø", unit="indeks (mar. 2024 = 100)", decimals=0,
                           categories=["marts 2024", "april 2024"], groups=[("Læsø", [100.0, 100.0])],
                           labelled=True, value_labels=[["3", "3"]])
    revised = dataclasses.replace(first, value_labels=[["4", "4"]])
    assert charts.chart_key(first) != charts.chart_key(revised)
    cache, draw = charts.ChartCache(), CountingDraw()
    assert charts.render_png(first, cache, draw) != charts.render_png(revised, cache, draw)
    assert charts.render_png(first, cache, draw) and draw.draws == 2


def test_the_same_newest_figure_asked_over_other_spans_is_another_chart(sample_store_path):
    # »det seneste år« and »siden 2022« end on the same figure: they were one spec (juli 2024–juli 2026)
    # and one kept chart. The chart follows the text's span, so the key does too, and each is drawn.
    from datetime import date

    from bot.asking.conversation import reply
    from bot.config import Config
    from indicators.store import Store

    with Store(sample_store_path) as store:
        specs = [charts.spec_for(reply(question, store, Config(), date(2026, 11, 25)).result)
                 for question in ("udvikling i ledigheden det seneste år", "udvikling i ledigheden siden 2022",
                                  "udvikling i ledigheden det seneste år")]
    assert specs[0] == specs[2]
    cache, draw = charts.ChartCache(), CountingDraw()
    drawn = [charts.render_png(spec, cache, draw) for spec in specs]
    assert charts.chart_key(specs[0]) != charts.chart_key(specs[1])
    assert draw.draws == 2 and drawn[0] == drawn[2] != drawn[1]
