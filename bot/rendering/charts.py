"""Charts: a series, its comparison areas and the target path as a PNG (matplotlib Figure API, Agg).

Pure apart from rendering: data in, PNG bytes out, so the bytes are kept (`ChartCache`) under a
hash of the spec and the drawing settings; I/O only with a cache folder. Never pyplot (it keeps
global state that leaks in a long-running service). Sized for Slack and email: 800 x 450 px.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import struct
import textwrap
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from bot.flights import Flights
from bot.rendering import formats, render
from indicators import periods

log = logging.getLogger("faktabot.charts")

WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.5, 100
# Colour-blind safe (Okabe-Ito); the kommune's own line is the strongest.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9")
TARGET_COLOUR = "#D55E00"
# One colour per kind of area on every chart, so the kommune is the same blue on all 28 figures;
# breakdowns (målgrupper, køn, …) take the palette after the areas' colours.
AREA_COLOURS = {"kommune": COLOURS[0], "region": COLOURS[1], "land": "#555555"}
BREAKDOWN_COLOURS = (COLOURS[0], COLOURS[2], COLOURS[3], COLOURS[4], COLOURS[1], "#999999")
# A series of fewer periods than this is no line: one dot looks like a broken chart, and a line
# between two dots reads as a trend. The fact sheet writes such a series beside its chart or draws
# its values as bars; an answer's chart draws two periods as two labelled bars, one as none.
LINE_POINTS = 3


class GoalPath(list):
    """A target's goal per period, `[("2026-05", 7.0), …]`, knowing its kind: a `ceiling` or `floor`
    is a limit (»Loft«, »Mindst«), a `trajectory` a målsti; charts and texts name it so."""

    def __init__(self, points=(), kind: str = "trajectory"):
        super().__init__(points)
        self.kind = kind


def goal_label(path: Sequence[tuple[str, float]]) -> str:
    """The legend label of a goal line: Målsti, Loft or Mindst."""
    return render.render("target_label.txt.j2", kind=getattr(path, "kind", "trajectory"))


@dataclass(frozen=True)
class Line:
    label: str
    points: Sequence[tuple[str, float]]  # (period in the store's spelling, value)
    dashed: bool = False
    colour: str | None = None  # None: the palette by position
    secondary: bool = False  # on a right-hand axis of its own (a country's count beside a kommune's)
    thin: bool = False  # a trend line: thin, drawn under the data, not in the legend


@dataclass(frozen=True)
class ChartSpec:
    title: str
    unit: str  # y axis label, e.g. "fuldtidspersoner" or "pct."
    decimals: int
    lines: Sequence[Line]
    target: Line | None = None
    footnote: str = ""  # the source
    watermark: str = ""  # "EKSEMPELDATA" across the plot when every line is synthetic
    note: str = ""  # what the chart lacks ("Ingen tal fordelt på køn"), shown with the legend
    secondary_unit: str = ""  # label of the right-hand axis, if any line is `secondary`


def _x(period_text: str) -> float:
    """A period as a number on a shared time axis: the middle of the period, in years."""
    p = periods.parse(period_text)
    return p.year + (p.start_month - 1 + p.length / 2) / 12


def _with_gaps(points: Sequence[tuple[str, float]]) -> tuple[list[float], list[float]]:
    """The points' x and y, with a NaN between two periods that are not neighbours, so a period
    missing from the series leaves the line open instead of drawing it straight across."""
    xs: list[float] = []
    ys: list[float] = []
    for period_text, value in points:
        x = _x(period_text)
        if xs and x - xs[-1] > 1.5 * periods.parse(period_text).length / 12:
            xs.append((xs[-1] + x) / 2)
            ys.append(float("nan"))
        xs.append(x)
        ys.append(value)
    return xs, ys


def _tick_label(period_text: str) -> str:
    p = periods.parse(period_text)
    if p.kind == "year":
        return str(p.year)
    if p.kind == "quarter":
        return f"{p.quarter}. kvt.\n{p.year}"
    return f"{formats.period(period_text, short=True).replace(' ', chr(10))}"


def _ticks(spec: ChartSpec, max_ticks: int = 7) -> list[str]:
    """Every n-th period of the plotted periods, ending with the newest, so labels are real periods."""
    all_periods = sorted({p for line in spec.lines for p, _ in line.points}, key=_x)
    step = max(1, -(-len(all_periods) // max_ticks))
    return all_periods[::-1][::step][::-1]


@dataclass(frozen=True)
class BarSpec:
    """Bars per category (a breakdown value), one bar per area in each group."""

    title: str
    unit: str
    decimals: int
    categories: Sequence[str]
    groups: Sequence[tuple[str, Sequence[float | None]]]  # (area label, one value per category)
    footnote: str = ""
    watermark: str = ""
    colours: Sequence[str] = ()  # one per group; empty: the palette by position
    note: str = ""
    labelled: bool = False  # each bar's value written on it (an answer's two periods as bars)
    # With `labelled`: the text on each bar, one list per group, instead of its value (the real count
    # on a bar drawn as an index; »ingen tal« where an area has no figure, written at the bar's place)
    value_labels: Sequence[Sequence[str]] = ()


def number_ticks(decimals: int):
    """Danish tick labels with the indicator's decimals, or more where two ticks would read alike
    (2,35 and 2,40 both as "2,4" on a one-decimal axis): a matplotlib Formatter."""
    return _number_ticks_class()(decimals)


@functools.cache
def _number_ticks_class() -> type:
    # Defined on first use: matplotlib is imported only to draw (start-up time of every command).
    from matplotlib.ticker import Formatter

    class NumberTicks(Formatter):

        def __init__(self, decimals: int):
            self.decimals = decimals

        def __call__(self, value, pos=None) -> str:
            return formats.number(value, self.decimals)

        def format_ticks(self, values) -> list[str]:
            for decimals in range(self.decimals, self.decimals + 4):
                labels = [formats.number(v, decimals) for v in values]
                if len(set(labels)) == len(labels):
                    return labels
            return [formats.number(v, self.decimals + 3) for v in values]

    return NumberTicks


def _finish(axes, title: str, unit: str, decimals: int, watermark: str, legend: bool, fontsize: int,
            legend_above: bool = False, note: str = "", extra_handles: Sequence = ()) -> None:
    # An explicit y skips matplotlib's automatic title placement, which measures every tick label
    # of both axes on each draw: a third of a chart's rendering time.
    # A title wider than the room from the plot's left edge to the picture's right edge is set
    # smaller, down to 9 pt, then wrapped: estimated at 0.62 em a character (bold DejaVu Sans), so
    # no text is measured (the same reason as the explicit y).
    room = (1 - axes.get_position().x0) * axes.figure.get_figwidth() * 72 - 8
    size = max(9.0, min(fontsize, room / (0.62 * max(1, len(title)))))
    if len(title) * 0.62 * size > room:
        title = textwrap.fill(title, int(room / (0.62 * size)), break_long_words=False)
    axes.set_title(title, loc="left", fontsize=size, fontweight="bold", y=1.02)
    axes.set_ylabel(unit, fontsize=fontsize - 3)
    axes.yaxis.set_major_formatter(number_ticks(decimals))
    axes.tick_params(labelsize=fontsize - 4)
    axes.grid(axis="y", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    if legend or note:
        handles, labels = axes.get_legend_handles_labels()
        for handle in extra_handles:
            handles.append(handle)
            labels.append(handle.get_label())
        if note:
            from matplotlib.lines import (
                Line2D,  # start-up time: matplotlib loads only to draw
            )

            # The note is a legend row without a symbol: it sits with the legend, outside the data.
            handles.append(Line2D([], [], linestyle="none"))
            labels.append(_wrapped_note(note, (1 - axes.get_position().x0) * axes.figure.get_figwidth() * 72,
                                        fontsize))
        if legend_above:
            # Above the plot, in rows: it can hide nothing (the fact sheet's printed charts).
            shown = axes.legend(handles, labels, loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False,
                                fontsize=fontsize - 4, ncol=_legend_columns(labels, note),
                                borderaxespad=0.2, handlelength=1.6, columnspacing=1.2)
        else:
            shown = axes.legend(handles, labels, loc="upper left", frameon=False,
                                fontsize=fontsize - 4)  # "best" searches the data: slow
        if note:
            shown.get_texts()[-1].set_fontstyle("italic")
    if watermark:
        axes.text(0.5, 0.5, watermark, transform=axes.transAxes, fontsize=min(fontsize * 3.2, 30), color="#999999",
                  alpha=0.25, ha="center", va="center", rotation=20, fontweight="bold", clip_on=True)


def _wrapped_note(note: str, room: float, fontsize: int) -> str:
    """The note as its legend row's text: wrapped to the `room` (points) between the plot's left edge
    and the figure's right edge (a lying bar chart starts further right), at about 0.55 em a
    character: it must not leave the page."""
    return textwrap.fill(note, max(20, min(48, int((room - 12) / (0.55 * (fontsize - 4))))), break_long_words=False)


def _legend_columns(labels: Sequence[str], note: str) -> int:
    """Two columns only while the labels are short enough to stay on the page (a legend above the plot)."""
    return 2 if len(labels) > 1 and not note and max(map(len, labels)) <= 24 else 1


def legend_rows(spec: ChartSpec | BarSpec, room: float, fontsize: int) -> int:
    """The lines of text of the chart's legend above the plot (`legend_above`), as `_finish` lays it
    out, counted from the spec without drawing; `room`: points from the plot's left edge to the
    figure's right edge. The fact sheet makes room above a plot for a legend of more than three."""
    if isinstance(spec, BarSpec):
        labels = [label for label, _ in spec.groups] if len(spec.groups) > 1 else []
    else:
        shown = [line for line in spec.lines if not line.thin]
        target = [spec.target.label] if spec.target and spec.target.points else []
        labels = [line.label for line in shown] + target if len(shown) > 1 or spec.target else []
    # (matplotlib leaves out a handle without a label, or one whose label starts with "_")
    labels = [label for label in labels if label and not label.startswith("_")]
    if spec.note:
        labels.append(_wrapped_note(spec.note, room, fontsize))
    columns = _legend_columns(labels, spec.note)
    return sum(max(label.count("\n") + 1 for label in labels[at:at + columns])
               for at in range(0, len(labels), columns))


def draw_lines(axes, spec: ChartSpec, fontsize: int = 12, legend_above: bool = False) -> None:
    right = axes.twinx() if any(line.secondary for line in spec.lines) else None
    for index, line in enumerate(spec.lines):
        xs, ys = _with_gaps(line.points)
        target_axes = right if line.secondary and right is not None else axes
        if line.thin:
            target_axes.plot(xs, ys, label="_nolegend_", color=line.colour or COLOURS[index % len(COLOURS)],
                             linewidth=0.9, linestyle=":", zorder=1)
            continue
        target_axes.plot(xs, ys, label=line.label, color=line.colour or COLOURS[index % len(COLOURS)],
                         linewidth=2.4 if index == 0 else 1.6, linestyle="--" if line.dashed else "-",
                         marker="o" if len(xs) <= 12 else None, markersize=4)
    if spec.target and spec.target.points:
        axes.plot([_x(p) for p, _ in spec.target.points], [v for _, v in spec.target.points],
                  label=spec.target.label, color=TARGET_COLOUR, linestyle=":", linewidth=2)
    ticks = _ticks(spec)
    axes.set_xticks([_x(p) for p in ticks], [_tick_label(p) for p in ticks])
    extra = []
    if right is not None:
        right.yaxis.set_major_formatter(number_ticks(spec.decimals))
        right.tick_params(labelsize=fontsize - 4)
        right.set_ylabel(spec.secondary_unit, fontsize=fontsize - 3)
        right.spines[["top"]].set_visible(False)
        extra = right.get_lines()
        extra = [line for line in extra if not line.get_label().startswith("_")]
    shown = [line for line in spec.lines if not line.thin]
    _finish(axes, spec.title, spec.unit, spec.decimals, spec.watermark,
            len(shown) > 1 or bool(spec.target), fontsize, legend_above, spec.note, extra)


def right_axis_room(axes) -> float:
    """Points a right-hand axis needs beside the plot for its tick labels and its label, estimated
    from the labels' text (a digit of DejaVu Sans is 0.64 em), so no draw is needed to lay it out:
    0 when the chart has no right-hand axis."""
    twins = [a for a in axes.get_shared_x_axes().get_siblings(axes) if a is not axes]
    if not twins:
        return 0.0
    right = twins[0]
    size = right.yaxis.get_major_ticks()[0].label2.get_fontsize() if right.yaxis.get_major_ticks() else 8
    low, high = right.get_ylim()
    ticks = [t for t in right.yaxis.get_majorticklocs() if low <= t <= high]
    labels = right.yaxis.get_major_formatter().format_ticks(ticks) if ticks else []
    widest = max((len(label) for label in labels), default=0) * 0.64 * size
    label = right.get_ylabel()
    return 7.0 + widest + (right.yaxis.label.get_fontsize() * 1.6 if label else 0.0)


def draw_bars(axes, spec: BarSpec, fontsize: int = 12, legend_above: bool = False) -> None:
    """Grouped bars; with more than five categories they lie down so their labels stay readable."""
    from matplotlib.ticker import (
        FuncFormatter,  # start-up time: matplotlib loads only to draw
    )

    count = max(1, len(spec.groups))
    width = 0.8 / count
    horizontal = len(spec.categories) > 5
    for index, (label, values) in enumerate(spec.groups):
        xs = [i + (index - (count - 1) / 2) * width for i in range(len(spec.categories))]
        heights = [v if v is not None else 0 for v in values]
        draw = axes.barh if horizontal else axes.bar
        colour = spec.colours[index] if index < len(spec.colours) else COLOURS[index % len(COLOURS)]
        drawn = draw(xs, heights, width, label=label, color=colour)
        if spec.labelled:
            # The value itself on each bar: two periods are read as two numbers, not as a slope.
            texts = list(spec.value_labels[index]) if index < len(spec.value_labels) else \
                [formats.number(v, spec.decimals) if v is not None else "" for v in values]
            axes.bar_label(drawn, labels=[t if v is not None else "" for t, v in zip(texts, values)],
                           padding=2, fontsize=fontsize - 3)
            for x, text, value in zip(xs, texts, values):
                if value is None and text:
                    # No bar: its place says so, or a missing period reads as a value of 0 or as left out.
                    axes.text(*((0, x) if horizontal else (x, 0)), text, fontsize=fontsize - 3, color="#555555",
                              ha="left" if horizontal else "center", va="center" if horizontal else "bottom",
                              fontstyle="italic")
    positions, labels = range(len(spec.categories)), [_wrap(c, 26 if horizontal else 14) for c in spec.categories]
    if horizontal:
        axes.set_yticks(positions, labels)
        axes.axvline(0, color="#444444", linewidth=0.8)
        axes.xaxis.set_major_formatter(number_ticks(spec.decimals))
        axes.set_xlabel(spec.unit, fontsize=fontsize - 3)
        _finish(axes, spec.title, "", spec.decimals, spec.watermark, count > 1, fontsize, legend_above, spec.note)
        axes.yaxis.set_major_formatter(FuncFormatter(lambda v, pos: labels[pos] if pos is not None and pos < len(labels) else ""))
        axes.set_yticks(positions, labels)
        axes.invert_yaxis()  # the first category on top, as it is read
        axes.grid(axis="x", alpha=0.3)
        axes.grid(axis="y", visible=False)
    else:
        axes.set_xticks(positions, labels)
        axes.axhline(0, color="#444444", linewidth=0.8)
        _finish(axes, spec.title, spec.unit, spec.decimals, spec.watermark, count > 1, fontsize, legend_above,
                spec.note)
        if spec.labelled:
            _room_for_labels(axes, spec, count, legend_above)


def _room_for_labels(axes, spec: BarSpec, count: int, legend_above: bool) -> None:
    """Headroom over labelled bars: for the values written on them and, with the legend inside the
    plot's top left, for its rows (a legend row is about a fourteenth of the plot at 4.5 inches)."""
    from matplotlib.ticker import MaxNLocator  # start-up time: matplotlib loads only to draw

    if spec.decimals == 0:
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # »0,5 fuldtidspersoner« is no count
    highest = max((v for _, values in spec.groups for v in values if v is not None), default=0)
    if highest > 0:
        rows = count if count > 1 and not legend_above else 0
        axes.set_ylim(top=highest * (1.12 + 0.08 * rows))


def _wrap(text: str, width: int) -> str:
    """Wrap a category label at spaces and hyphens only: "Uddannelseshjælp" stays one word."""
    return "\n".join(textwrap.wrap(text, width, break_long_words=False)) or text


class ChartCache:
    """PNG bytes by chart key, least recently used out first past `max_bytes`; safe across threads.
    With a `folder`, each chart is also kept there as `<key>.png`, so a restart draws nothing twice.

    The key is a hash of everything a chart is drawn from (the spec holds the series' values), so
    a refresh that changes a series changes its key, and an unchanged one keeps its chart."""

    def __init__(self, max_bytes: int = 32 * 1024 * 1024, folder: Path | None = None):
        self.max_bytes, self.folder = max_bytes, folder
        self.held = 0
        self._charts: OrderedDict[str, bytes] = OrderedDict()
        self._drawing = Flights()
        self._lock = threading.Lock()

    def get_or_draw(self, key: str, draw: Callable[[], bytes]) -> bytes:
        """The chart under `key`, drawn by `draw()` if it is not kept. Twenty people asking the same
        question at once wait for one draw, not twenty. A draw that fails raises to its own caller
        only: those waiting for it (at most `DRAW_WAIT` seconds) draw the chart themselves."""
        found = self.get(key)
        if found is not None:
            return found
        with self._drawing.one_at_a_time(key, DRAW_WAIT):
            # Drawn meanwhile by the one this thread waited for, or between the look and the claim.
            found = self.get(key)
            if found is None:  # this thread's to draw, or that draw failed (its error is its asker's) or was too big
                found = draw()
                self.put(key, found)  # kept, so the next asker after a failed draw does not draw again
            return found

    def get(self, key: str) -> bytes | None:
        with self._lock:
            found = self._charts.get(key)
            if found is not None:
                self._charts.move_to_end(key)
                return found
        if self.folder is not None:
            try:
                found = (self.folder / f"{key}.png").read_bytes()
            except OSError:
                return None
            self._keep(key, found)
        return found

    def put(self, key: str, png: bytes) -> None:
        self._keep(key, png)
        if self.folder is not None:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                scratch = self.folder / f".{key}.{threading.get_ident()}.tmp"
                scratch.write_bytes(png)
                scratch.replace(self.folder / f"{key}.png")  # atomic: a reader never sees half a PNG
            except OSError as error:  # a full or read-only disk costs a redraw later, not the chart
                log.warning("charts: could not keep a chart in %s (%s)", self.folder, error)

    def _keep(self, key: str, png: bytes) -> None:
        if len(png) > self.max_bytes:
            return
        with self._lock:
            if key in self._charts:
                return
            self._charts[key] = png
            self.held += len(png)
            while self.held > self.max_bytes:
                _, dropped = self._charts.popitem(last=False)
                self.held -= len(dropped)

    def __contains__(self, key: str) -> bool:
        with self._lock:
            return key in self._charts

    def __len__(self) -> int:
        with self._lock:
            return len(self._charts)


# How long a request waits for the same chart being drawn for another before drawing it itself.
DRAW_WAIT = 30.0
# Bump when the drawing code changes what the same spec looks like, so kept charts are redrawn.
DRAWING = 4
# The process's charts: an answer, an alert, the summary and the fact sheet share them.
CACHE = ChartCache()


def chart_key(spec: ChartSpec | BarSpec) -> str:
    """A hash of what the chart is drawn from: the spec (its series' values included), the size
    and the drawing version. Specs are frozen dataclasses of text and numbers: `repr` is exact."""
    return hashlib.sha256(repr((DRAWING, WIDTH_IN, HEIGHT_IN, DPI, spec)).encode()).hexdigest()[:32]


def render_png(spec: ChartSpec | BarSpec, cache: ChartCache | None = CACHE,
               draw: Callable[[ChartSpec | BarSpec], bytes] | None = None) -> bytes:
    """The chart's PNG: from `cache` when the same spec was drawn before, else drawn (by `draw`,
    `draw_png` unless given) and kept. `cache=None` always draws."""
    draw = draw or draw_png
    if cache is None:
        return draw(spec)
    return cache.get_or_draw(chart_key(spec), lambda: draw(spec))


def draw_png(spec: ChartSpec | BarSpec) -> bytes:
    """Draw the chart (no cache): ~60–100 ms of matplotlib."""
    from PIL import Image  # start-up time: imported only to draw

    canvas = draw_figure(spec).canvas
    canvas.draw()
    # The chart is opaque (a white figure): RGB holds the same pixels as matplotlib's RGBA in a
    # quarter fewer bytes to compress.
    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    if spec.footnote:
        draw_footnote(image, spec.footnote)
    return png_bytes(image.tobytes(), width, height, DPI)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(data, zlib.crc32(kind)))


def png_bytes(rgb: bytes, width: int, height: int, dpi: int, level: int = 3) -> bytes:
    """An 8-bit RGB picture (`rgb`: its rows top to bottom, 3 bytes a pixel) as a PNG with its
    resolution: the same pixels Pillow's PNG writer stores. Every row is stored unfiltered: a
    chart's flat colours compress as well that way (a sixth fewer bytes than Pillow's choice of
    a filter per row, at zlib level 3), and Pillow's trying of five filters on every row was
    half of a chart's encoding time (~3 of ~6 ms for 800 x 450)."""
    stride = width * 3
    rows = b"".join([b"\0" + rgb[at:at + stride] for at in range(0, stride * height, stride)])
    per_metre = round(dpi / 0.0254)
    return b"".join((
        b"\x89PNG\r\n\x1a\n",
        # width, height, 8 bits a channel, colour type 2 (RGB), deflate, filter method 0, not interlaced
        _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)),
        _png_chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),  # pixels a metre
        _png_chunk(b"IDAT", zlib.compress(rows, level)),
        _png_chunk(b"IEND", b""),
    ))


def draw_figure(spec: ChartSpec | BarSpec):
    """The chart as a laid-out matplotlib Figure on this thread's Agg canvas, not yet drawn; the
    source line (`spec.footnote`) is not part of it: `draw_png` writes it onto the picture."""
    # Imported here, not at the top: matplotlib takes most of a second to import, and a command
    # such as `faktabot ask` without --chart never draws.
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    _canvas_class()(figure)
    axes = figure.add_subplot()
    if isinstance(spec, BarSpec):
        draw_bars(axes, spec)
    else:
        draw_lines(axes, spec)
    # A right-hand axis's labels must fit inside the picture: clipped, »104.510« reads »104.5«.
    room = right_axis_room(axes) / 72 / WIDTH_IN
    figure.subplots_adjust(left=0.11, right=min(0.98, 0.99 - room), top=0.9, bottom=0.2)
    return figure


FOOTNOTE_PT, FOOTNOTE_COLOUR = 8, (0x44, 0x44, 0x44)


@functools.cache
def _footnote_font(size_px: float):
    """matplotlib's own sans-serif (DejaVu Sans), for Pillow: the source line in the charts' face."""
    from matplotlib import font_manager
    from PIL import ImageFont

    return ImageFont.truetype(font_manager.findfont(font_manager.FontProperties()), size_px)


def draw_footnote(image, text: str) -> None:
    """Write the source line at the picture's bottom left, in the bottom margin under the x axis's
    labels. Pillow lays out and draws one line of text in a tenth of a millisecond; matplotlib's
    Agg text renders glyph by glyph, and this line alone was an eighth of a chart's drawing.
    A line longer than the picture is wide is set smaller, down to 6 pt, so it stays whole."""
    from PIL import ImageDraw

    width, height = image.size
    room = width - 2 * round(0.01 * width)
    points = FOOTNOTE_PT
    font = _footnote_font(points * DPI / 72)
    while font.getlength(text) > room and points > 6:
        points -= 0.5
        font = _footnote_font(points * DPI / 72)
    ImageDraw.Draw(image).text((round(0.01 * width), height - round(0.01 * height)), text, font=font,
                               fill=FOOTNOTE_COLOUR, anchor="ld")


# Each thread's Agg renderer, reused from chart to chart: matplotlib keeps the sizes of the texts it
# has measured per renderer, and a new renderer per chart measured every tick label, legend entry and
# source line again (a tenth of a chart's drawing). Per thread: a renderer draws one chart at a time.
_RENDERERS = threading.local()


@functools.cache
def _canvas_class() -> type:
    # Defined on first use, as NumberTicks: matplotlib is imported only to draw.
    from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg

    class SharedRendererCanvas(FigureCanvasAgg):
        """An Agg canvas that draws on its thread's renderer of the same size instead of a new one."""

        def get_renderer(self):
            width, height = self.get_width_height(physical=True)
            key = (width, height, self.figure.dpi)
            kept = getattr(_RENDERERS, "kept", None)
            if kept is None or kept[0] != key:
                kept = _RENDERERS.kept = (key, RendererAgg(width, height, self.figure.dpi))
            self.renderer = kept[1]
            return self.renderer

    return SharedRendererCanvas


def unit_of(indicator) -> str:
    """The unit a chart's axis and labels write after a value of `indicator`: »pct.« or its own."""
    return "pct." if indicator.format == "pct" else indicator.unit


def _labels(answer, areas, *, labels: Sequence[str] = (), first: str = "", last: str = "") -> tuple[str, str, str]:
    """An answer chart's title, footnote and watermark (chart_labels.txt.j2), of the areas drawn and
    its periods: `labels` (bars of aggregates) or the `first` and `last` drawn."""
    text = render.render("chart_labels.txt.j2", a=answer, areas=areas, labels=labels, first=first, last=last)
    title, footnote, watermark = (text.split("\n") + ["", ""])[:3]
    return title, footnote, watermark


def chart_span(answer) -> tuple[str, str] | None:
    """The first and last period an answer's chart draws: the ones its text speaks of. A development
    (»det seneste år«, »siden 2022«) from the window's first period, a change (»maj 2025 til maj 2026«,
    »siden sidste måned«) from its base; a figure of one period (»ledighed maj«) has no span in its
    text and is drawn with its history before it, the title naming those periods."""
    if not answer.history:
        return None
    last = answer.history[-1].period
    if answer.query.intent == "development" and answer.development is not None:
        return answer.development.against.period, last
    if answer.query.intent == "change" and answer.change is not None:
        return answer.change.against.period, last
    return answer.history[0].period, last


def spec_for(answer, target_path: Sequence[tuple[str, float]] = ()) -> ChartSpec | BarSpec | None:
    """The chart of an answer, of the periods its text speaks of (`chart_span`): its series, the
    comparison areas and the target path, if any. A series of two periods is two labelled bars per
    area (`LINE_POINTS`); of one, no chart. An average or sum (»gennemsnitlig ledighed 2025«,
    »1. halvår 2026«) is bars of that aggregate and the ones the text compares it with; the months
    listed (»hver måned i 2026«) are their line."""
    kind = getattr(target_path, "kind", "trajectory")
    if answer.listed is not None:
        return _listed_line(answer)
    if answer.observation is None:
        return None
    if answer.aggregate is not None:
        return _aggregate_bars(answer)
    span = chart_span(answer)
    if span is None:
        return None
    first_shown, last_shown = span
    own = [(o.period, o.value) for o in answer.history if first_shown <= o.period <= last_shown]
    if len(own) < 2:
        return None
    series = [(answer.area.name, own)]
    for comparison in answer.comparisons:
        points = [(o.period, o.value) for o in comparison.history
                  if o.value is not None and first_shown <= o.period <= last_shown]
        if points:
            series.append((comparison.area.name if comparison.area.kind != "land" else "Hele landet", points))
    drawn = [answer.area] + [c.area for c in answer.comparisons
                             if any(o.value is not None and first_shown <= o.period <= last_shown
                                    for o in c.history)]
    title, footnote, watermark = _labels(answer, drawn, first=own[0][0], last=own[-1][0])
    indicator = answer.indicator
    unit = unit_of(indicator)
    decimals = indicator.decimals
    # The målsti or limit over the periods the chart shows (a target's path runs for years).
    first, last = _x(own[0][0]), _x(own[-1][0])
    target_path = [(p, v) for p, v in target_path if first - 0.2 <= _x(p) <= last + 0.2]
    counted = dict(series), dict(target_path)  # (the values themselves, written on an index's bars)
    indexed = indicator.format == "count" and len(series) > 1
    bars = len(own) < LINE_POINTS
    if indexed:
        # A kommune's count beside the country's is a flat line at zero: compare developments
        # instead, each series as an index with its first period = 100. The målsti is the kommune's
        # goal, so it is indexed on the kommune's first value and still drawn.
        first_period = own[0][0]
        if not bars:
            # Lines are indexed on one period for every area, the one the axis names: the kommune's
            # first that every compared area has too (an area indexed on its own first value would
            # put its 100 at another month than the label says). An area sharing none is left out.
            held = [dict(points) for _, points in series]
            first_period = next((p for p, _ in series[0][1] if all(p in h for h in held)), first_period)
        base = dict(series[0][1]).get(first_period)
        # Bars are indexed on the period the axis names: an area without it has no index (its count
        # is still written).
        series = [(label, [(p, v / start * 100) for p, v in points] if start else [])
                  for label, points in series
                  if (start := dict(points).get(first_period)) or bars]
        # Bars of an index read »100 / 100 / 94«: each carries its count, and the axis says both.
        unit = render.render("chart_index_label.txt.j2", first=first_period,
                             counted=indicator.unit if bars else "")
        decimals = 0
        target_path = [(p, v / base * 100) for p, v in target_path] if base else []
    if bars:
        return _period_bars(series, target_path, goal_label(GoalPath(target_path, kind)),
                            BarSpec(title=title, unit=unit, decimals=decimals, categories=(), groups=(),
                                    footnote=footnote, watermark=watermark, labelled=True),
                            counted=counted if indexed else None, decimals=indicator.decimals)
    lines = [Line(label, points) for label, points in series]
    target = Line(goal_label(GoalPath(target_path, kind)), list(target_path)) if target_path else None
    return ChartSpec(title=title, unit=unit, decimals=decimals, lines=lines, target=target,
                     footnote=footnote, watermark=watermark)


def _aggregate_bars(answer) -> BarSpec | None:
    """An average or sum (»gennemsnitlig ledighed 2025«, »1. halvår 2026«, »2. kvt. 2026 vs samme
    periode året før«) as the text gives it: a labelled bar of it and of each one the text compares it
    with, not the months it is made of. None when there is nothing to set beside it, or other areas
    are asked (their averages of the earlier periods are not in the answer)."""
    made = answer.aggregate
    if made.missing or answer.observation.value is None or not aggregate_charted(answer):
        return None
    if answer.comparisons:
        # Beside other areas the text gives each area's figure of the period asked, no earlier one of theirs:
        # a bar per area, of that period
        shown = [(answer.observation.period, answer.observation.value)]
    else:
        against = [answer.change] if answer.query.intent == "change" else [answer.previous, answer.last_year]
        shown = sorted({c.against.period: c.against.value for c in against
                        if c is not None and c.against.value is not None}.items())
        shown.append((answer.observation.period, answer.observation.value))
        if len(shown) < 2:
            return None
    labels = [render.render("chart_aggregate_label.txt.j2", period=period, so_far=made.months if made.so_far else 0,
                            months=made.months if made.start else 0).strip() for period, _ in shown]
    beside = [c for c in answer.comparisons if c.observation is not None and c.observation.value is not None]
    title, footnote, watermark = _labels(answer, [answer.area, *(c.area for c in beside)], labels=labels)
    indicator = answer.indicator
    groups = [(answer.area.name, [value for _, value in shown])]
    groups += [(c.area.name if c.area.kind != "land" else "Hele landet", [c.observation.value]) for c in beside]
    return BarSpec(title=title, unit=unit_of(indicator),
                   decimals=indicator.decimals, categories=labels, groups=groups, footnote=footnote,
                   watermark=watermark, labelled=True,
                   colours=[COLOURS[index % len(COLOURS)] for index in range(len(groups))],
                   value_labels=[[formats.number(value, indicator.decimals) for value in values]
                                 for _, values in groups])


def aggregate_charted(answer) -> bool:
    """Whether an average or sum can be charted: not a count beside an area of another kind (a kommune's
    739 ledige as a sliver beside hele landet's; an index of one period says nothing), which the
    answer's text says has no chart (answer.txt.j2)."""
    return not (answer.indicator.format == "count"
                and any(c.area.kind != answer.area.kind for c in answer.comparisons))


def _listed_line(answer) -> ChartSpec | BarSpec | None:
    """»ledighed hver måned i 2026«: the months listed that have a figure, as a line (two as bars),
    titled with the first and last of them; beside other areas none (their months are not listed)."""
    points = [(row.period, row.observation.value) for row in answer.listed.rows
              if row.observation is not None and row.observation.value is not None]
    if answer.comparisons or len(points) < 2:
        return None
    title, footnote, watermark = _labels(answer, [answer.area], first=points[0][0], last=points[-1][0])
    indicator = answer.indicator
    unit = unit_of(indicator)
    if len(points) < LINE_POINTS:
        return _period_bars([(answer.area.name, points)], [], "",
                            BarSpec(title=title, unit=unit, decimals=indicator.decimals, categories=(), groups=(),
                                    footnote=footnote, watermark=watermark, labelled=True))
    return ChartSpec(title=title, unit=unit, decimals=indicator.decimals, lines=[Line(answer.area.name, points)],
                     footnote=footnote, watermark=watermark)


def _period_bars(series: Sequence[tuple[str, Sequence[tuple[str, float]]]], target_path: Sequence[tuple[str, float]],
                 target_label: str, frame: BarSpec,
                 counted: tuple[dict, dict] | None = None, decimals: int = 0) -> BarSpec:
    """An answer's series of two periods as bars: one group of bars per area (and the goal, if
    any), a bar per period, each with its value written on it (`frame` holds the words). An area
    without a figure for a period has »ingen tal« at its bar's place. `counted`: the areas' and the
    goal's own values, written on bars drawn as an index (`decimals`: theirs)."""
    shown = [p for p, _ in series[0][1]]
    groups = [(label, [dict(points).get(p) for p in shown]) for label, points in series]
    colours = [COLOURS[index % len(COLOURS)] for index in range(len(groups))]
    missing = render.render("chart_no_value.txt.j2")

    def texts(values: Sequence[float | None], places: int, absent: str) -> list[str]:
        return [formats.number(v, places) if v is not None else absent for v in values]

    if counted is None:
        labels = [texts(values, frame.decimals, missing) for _, values in groups]
    else:
        # (a count with no index, its area lacking the first period: written where its bar would be)
        labels = []
        for label, values in groups:
            own = [dict(counted[0][label]).get(p) for p in shown]
            labels.append([render.render("chart_no_value.txt.j2", count=formats.number(count, decimals))
                           if count is not None and value is None else text
                           for text, count, value in zip(texts(own, decimals, missing), own, values)])
    goal = dict(target_path)
    if any(p in goal for p in shown):
        groups.append((target_label, [goal.get(p) for p in shown]))
        colours.append(TARGET_COLOUR)
        # (a period without a goal is no missing figure: nothing written there)
        labels.append(texts([goal.get(p) for p in shown], frame.decimals, "") if counted is None else
                      texts([counted[1].get(p) for p in shown], decimals, ""))
    return replace(frame, categories=[formats.period(p) for p in shown], groups=groups, colours=colours,
                   value_labels=labels)
