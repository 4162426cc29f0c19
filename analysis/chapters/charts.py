"""Charts, all with the same axes, colours and order, each with alternative text from its data.

Each function returns ``(figure, alt_text)``; :func:`analysis.chapters.figures.chart` makes
them a block of the report model.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.collections import LineCollection
from matplotlib.colors import BoundaryNorm, ListedColormap, to_rgb
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator, MultipleLocator

from ..method.positions import ABOVE, BELOW, WITHIN, WORDS
from ..report.format import pct
from . import style
from .say import plain
from .style import Category

# How each decision of the comparisons table is drawn: colour and marker. Its words (WORDS)
# travel with every dot in legends and alt text, so colour never carries the decision alone.
DECISION_LOOK = {ABOVE: (style.ABOVE, "^"), BELOW: (style.BELOW, "v"),
                 WITHIN: (style.WITHIN, "o")}
# A funnel (style.CHART_WIDTH wide): the plot on the left, a column of names on the right,
# each name wrapped to NAME_CHARS and joined to its dot; the plot grows taller with its names.
FUNNEL_LEFT_IN = 0.62     # left of the plot: its tick labels and axis label
NAME_COLUMN_IN = 1.4      # right of the plot: the column of names (NAME_CHARS at 10.5 pt)
NAME_CHARS = 14           # a name (with its share) wraps at this many characters
NAME_LINE_IN = 0.175      # one line of a name (10.5 pt, leading 1.2)
NAME_GAP_IN = 0.05        # between two names
FUNNEL_PLOT_IN = 3.0      # the plot's least height
FUNNEL_PLOT_MAX_IN = 5.2  # the most height names may take (beyond it, fewer are named)
FUNNEL_BOTTOM_IN = 0.5    # below the plot: its tick labels and axis label
FUNNEL_RIGHT_IN = 0.25    # right of a plot without names: half its last tick label
NAME_X = 1.0 + 0.12 / (style.CHART_WIDTH - FUNNEL_LEFT_IN - NAME_COLUMN_IN)  # axes fraction
LEGEND_CHARS = 46         # a legend entry wraps at this many characters (9.5 pt)
LEGEND_LINE_IN = 0.16     # each further line of a wrapped legend entry
BAR_INCHES = 0.27         # the most a bar is thick, however many lines its label has
# A row chart (bars or dots, one row per label) is drawn style.CHART_WIDTH wide, for a phone:
# each row's label is written above its bar, across the chart's width, and never shrunk.
ROW_LABEL_CHARS = 52      # a row's label wraps at this many characters
ROW_LINE_IN = 0.18        # one line of a row's label (10.5 pt, leading 1.2)
ROW_BAND_IN = 0.24        # the band under a row's label that its bar or dots take
ROW_GAP_IN = 0.06         # between one row's band and the next row's label
ROW_LEFT, ROW_RIGHT = 0.04, 0.93  # a row chart's axes, in figure fractions
TITLE_CHARS = 44          # a chart's title wraps at this many characters (11 pt)
TITLE_LINE_IN = 0.2       # one line of a title
LEGEND_ENTRY_IN = 0.22    # one entry of a one-column legend (9.5 pt)
BOTTOM_IN = 0.55          # below a row chart's axes: its tick labels and axis label
LEADER_GAP_PT = 3        # a leader stops this far short of its dot
INK_ON_LUMINANCE = 0.408  # a cell lighter than this takes ink, else paper (seaborn's rule)
OTHER_WORDS = "Other ({count} answers combined{names})"


def hatch_words() -> str:
    """The legend entry of hatched bars."""
    return plain("charts.hatch_legend", small_n=style.SMALL_N)


def limit_words(limits: str) -> str:
    """The legend entry of a funnel's limits (plain or widened)."""
    return plain("charts.limits_legend", limits=limits)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _decision_handles() -> list[Line2D]:
    """Legend entries for the three decisions, in words."""
    return [Line2D([], [], color=c, marker=m, linestyle="", label=_capital(WORDS[d]))
            for d, (c, m) in DECISION_LOOK.items()]


def _percent_bars(labels: Sequence[str], title: str, right: float = 100.0,
                  legend: int = 0) -> tuple[Figure, plt.Axes, np.ndarray, float]:
    """A row chart of horizontal percentage bars (:func:`_labelled_rows`), room for value
    labels up to ``right`` per cent and for a legend of ``legend`` entries above; returns
    the figure, its axes, the rows' positions and the bars' thickness (in the axes' units)."""
    fig, ax, y = _labelled_rows(labels, title, legend)
    ax.set_xlim(0, right)
    ax.spines["bottom"].set_bounds(0, 100)  # the axis is a percentage; beyond it, labels
    return fig, ax, y, min(BAR_INCHES, ROW_BAND_IN)


def sufficiency_bars(data: pd.DataFrame, title: str) -> tuple[Figure, str]:
    """Horizontal stacked bars of sufficient / not sufficient per question, fixed 0–100%.

    ``data`` has label, n, k, share; rows with ``suppressed`` True or n = 0 are left out by the
    caller. Bars on fewer than ``style.SMALL_N`` cases are hatched and starred, and the legend
    then says what hatching means (:func:`hatch_words`). Plain
    matplotlib bars: the values are already computed, so seaborn's estimation layer (a third
    of the chart's cost) has nothing to do.
    """
    labels = [f"{r.label} (n={r.n}{'*' if r.n < style.SMALL_N else ''})"
              for r in data.itertuples()]
    small = (data["n"] < style.SMALL_N).to_numpy()
    handles = [Patch(color=style.SUFFICIENT, label="Sufficient"),
               Patch(color=style.NOT_SUFFICIENT, label="Not sufficient")]
    if small.any():
        handles.append(Patch(facecolor=style.PAPER, edgecolor=style.INK,
                             hatch=style.HATCH, label=hatch_words()))
    fig, ax, y, thick = _percent_bars(labels, title, legend=len(handles))
    sufficient = 100 * data["share"].to_numpy(dtype=float)
    hatch = [style.HATCH if s else None for s in small]
    ax.barh(y, 100.0, height=thick, color=style.NOT_SUFFICIENT, hatch=hatch)
    ax.barh(y, sufficient, height=thick, color=style.SUFFICIENT, hatch=hatch)
    for yi, value in zip(y, sufficient, strict=True):
        inside = value >= 12
        ax.text(value - 1.5 if inside else value + 1.5, yi, pct(value / 100), va="center",
                ha="right" if inside else "left",
                color=style.INK_ON_DARK if inside else style.INK, fontsize=style.LABEL_PT)
    ax.set_xlabel(plain("charts.share_axis"), fontsize=style.LABEL_PT)
    _legend_top(fig, handles, title)
    items = [plain("charts.sufficiency_item", label=r.label, share=pct(r.share), n=r.n)
             for r in data.itertuples()]
    return fig, plain("charts.sufficiency", title=title, items=items)


#: How far a distribution chart's axes run (per cent): room for "count (share)" right of a
#: bar of 100%, inside the figure's fixed width.
DISTRIBUTION_RIGHT = 122.0


def distribution_bars(bars: Sequence[Category], labels: Mapping[str, str], n: int,
                      title: str) -> tuple[Figure, str]:
    """Horizontal bars of each answer's share of the denominator, with count and percent labels.

    ``bars`` come from :func:`style.categories` (colours by meaning, at most
    ``style.MAX_COLOURS``); ``labels`` names each level. A bar that combines several
    answers is labelled "Other (k answers combined)" and the alt text lists them.
    """
    levels = [_bar_label(b, labels) for b in bars]
    counts = [b.count for b in bars]
    fig, ax, y, thick = _percent_bars(levels, title, DISTRIBUTION_RIGHT)
    shares = [100 * c / n if n else 0.0 for c in counts]
    ax.barh(y, shares, height=thick, color=[b.colour for b in bars])
    for yi, c, s in zip(y, counts, shares, strict=True):
        ax.text(s + 1, yi, f"{c} ({pct(s / 100)})", va="center", ha="left", fontsize=style.LABEL_PT)
    ax.set_xlabel(f"Share of {n} cases (%)", fontsize=style.LABEL_PT)
    items = [plain("charts.distribution_item", label=_members(b, labels) or lv, count=c, n=n,
                   share=pct(s / 100)) for lv, b, c, s in
             zip(levels, bars, counts, shares, strict=True)]
    return fig, plain("charts.distribution", title=title, items=items)


def _bar_label(bar: Category, labels: Mapping[str, str]) -> str:
    return OTHER_WORDS.format(count=len(bar.levels), names="") if bar.other \
        else labels[bar.levels[0]]


def _members(bar: Category, labels: Mapping[str, str]) -> str:
    """A combined bar and the answers it holds, for the alt text; "" for a bar of one answer."""
    names = ": " + ", ".join(labels[lv] for lv in bar.levels)
    return OTHER_WORDS.format(count=len(bar.levels), names=names) if bar.other else ""


def _title(title: str) -> str:
    """A chart's title wrapped to the chart's width."""
    return textwrap.fill(title, TITLE_CHARS)


def _top(title: str, legend: int, extra_in: float = 0.0) -> float:
    """Inches above a chart's axes: its title's lines and a one-column legend of ``legend``
    entries (``extra_in``: what its wrapped entries take beyond a line each)."""
    lines = _title(title).count("\n") + 1
    return 0.2 + TITLE_LINE_IN * lines + (0.1 + LEGEND_ENTRY_IN * legend + extra_in
                                          if legend else 0.15)


def _labelled_rows(labels: Sequence[str], title: str, legend: int = 0,
                   extra_in: float = 0.0) -> tuple[Figure, plt.Axes, np.ndarray]:
    """A phone-wide figure of one row per label, each label written above its row's band.

    Fixed layout (no tight crop, so one drawing pass): the figure is ``style.CHART_WIDTH``
    wide, narrow enough to keep three quarters of its size on a 375-pixel phone and printed
    at its own size, so its text stays ``style.LABEL_PT``; the title and a legend of ``legend``
    entries go above the axes. The y axis runs in inches from the top, so a row grows with
    the lines of its label; returns the figure, its axes and the centre of each row's band.
    """
    plt.rcParams.update(style.RC)
    wrapped = [textwrap.fill(str(lab), ROW_LABEL_CHARS) for lab in labels]
    heights = [ROW_LINE_IN * (w.count("\n") + 1) + ROW_BAND_IN + ROW_GAP_IN for w in wrapped]
    tops = np.concatenate(([0.0], np.cumsum(heights)[:-1])) if heights else np.zeros(0)
    body = float(sum(heights)) or ROW_BAND_IN
    top = _top(title, legend, extra_in=extra_in)
    height = BOTTOM_IN + top + body
    fig = plt.figure(figsize=(style.CHART_WIDTH, height))
    ax = fig.add_axes((ROW_LEFT, BOTTOM_IN / height, ROW_RIGHT - ROW_LEFT, body / height))
    ax.set_ylim(body, 0)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    for w, t in zip(wrapped, tops, strict=True):
        ax.text(0, t + ROW_GAP_IN / 2, w, transform=ax.get_yaxis_transform(), ha="left",
                va="top", fontsize=style.LABEL_PT, linespacing=1.15)
    ax.set_xlim(0, 100)
    ax.set_xticks(range(0, 101, 20), [f"{t}%" for t in range(0, 101, 20)], fontsize=style.LABEL_PT)
    fig.suptitle(_title(title), x=0.02, y=1 - 0.12 / height, ha="left", va="top",
                 fontsize=style.TITLE_PT)
    fig.set_label(style.FIXED_LAYOUT)
    centres = np.array([t + h - ROW_GAP_IN / 2 - ROW_BAND_IN / 2
                        for t, h in zip(tops, heights, strict=True)])
    return fig, ax, centres


def _legend_below(title: str) -> float:
    """Inches from a chart's top to its legend: under the title."""
    lines = _title(title).count("\n") + 1 if title else 1
    return 0.2 + TITLE_LINE_IN * lines + 0.05


def _legend_top(fig: Figure, handles: Sequence[Artist], title: str = "") -> Legend:
    """The legend under the title, one entry a line (a phone-wide chart has no room for two
    columns)."""
    return fig.legend(handles=handles, loc="upper left",
                      bbox_to_anchor=(0.02, 1 - _legend_below(title) / fig.get_figheight()),
                      frameon=False, fontsize=style.LEGEND_PT, borderaxespad=0,
                      handlelength=1.6, labelspacing=0.35)


def comparison_dots(data: pd.DataFrame, title: str, area_name: str,
                    band: str) -> tuple[Figure, str]:
    """This area's figure beside the all-areas figure, per row, marked by the table's decision.

    ``data``: label, n (may be missing), share, pooled, lower, upper, decision, all from the
    comparisons table. ``band="interval"``: lower-upper is the area's interval (outcomes);
    ``band="limits"``: it is the range of the decision's limits around the all-areas figure
    (questions). Either way the decision is what the bar and marks show.
    """
    rows = len(data)
    small = data["n"].fillna(style.SMALL_N).to_numpy() < style.SMALL_N if "n" in data else \
        np.zeros(rows, dtype=bool)
    labels = [f"{lab}{'*' if s else ''}" for lab, s in zip(data["label"], small, strict=True)]
    fig, ax, y = _labelled_rows(labels, title, legend=2 + len(DECISION_LOOK))
    ax.hlines(y, 100 * data["lower"], 100 * data["upper"], color=style.BAND, linewidth=6)
    ax.plot(100 * data["pooled"], y, "|", color=style.POOLED, markersize=14,
            markeredgewidth=2)
    for decision, (colour, marker) in DECISION_LOOK.items():
        pick = (data["decision"] == decision).to_numpy()
        ax.plot(100 * data["share"].to_numpy()[pick], y[pick], marker, color=colour,
                markersize=7, linestyle="")
    ax.set_xlabel("Share / score (%)", fontsize=style.LABEL_PT)
    handles = [Line2D([], [], color=style.BAND, linewidth=6,
                      label=_capital(plain("charts.band_legend", band=band))),
               Line2D([], [], color=style.POOLED, marker="|", linestyle="", markersize=12,
                      markeredgewidth=2, label="All areas")]
    handles += _decision_handles()
    _legend_top(fig, handles, title)
    items = [plain("charts.dots_item", label=r.label, area=area_name, share=pct(r.share),
                   pooled=pct(r.pooled), words=WORDS[r.decision]) for r in data.itertuples()]
    return fig, plain("charts.dots", title=title, items=items)


def glance_dots(data: pd.DataFrame, title: str, area_name: str,
                group_label: str | None) -> tuple[Figure, str]:
    """An area's five outcomes at a glance: its score with its 95% interval, the all-areas
    score, its group's and the published score where there is one.

    ``data``: label, share, lower, upper (the area's), pooled, group, published (NaN where
    there is none), decision (the comparisons table's, "" before a full build).
    """
    entries = 3 + bool(group_label and data["group"].notna().any()) + \
        bool(data["published"].notna().any())
    fig, ax, y = _labelled_rows(list(data["label"]), title, legend=entries)
    ax.hlines(y, 100 * data["lower"], 100 * data["upper"], color=style.BAND, linewidth=6)
    ax.plot(100 * data["pooled"], y, "|", color=style.POOLED, markersize=14,
            markeredgewidth=2)
    handles = [Line2D([], [], color=style.BAND, linewidth=6,
                      label=_capital(plain("charts.band_legend", band="interval"))),
               Line2D([], [], color=style.POOLED, marker="|", linestyle="", markersize=12,
                      markeredgewidth=2, label=plain("charts.glance_all_areas"))]
    if group_label and data["group"].notna().any():
        ax.plot(100 * data["group"], y, "D", color=style.GROUP, markerfacecolor=style.PAPER,
                markersize=7, markeredgewidth=1.5, linestyle="")
        handles.append(Line2D([], [], color=style.GROUP, marker="D", linestyle="",
                              markerfacecolor=style.PAPER, label=group_label))
    if data["published"].notna().any():
        ax.plot(data["published"], y, "x", color=style.PUBLISHED, markersize=8,
                markeredgewidth=2, linestyle="")
        handles.append(Line2D([], [], color=style.PUBLISHED, marker="x", linestyle="",
                              markeredgewidth=2, label=plain("charts.glance_published")))
    ax.plot(100 * data["share"], y, "o", color=style.INK, markersize=7, linestyle="")
    handles.insert(0, Line2D([], [], color=style.INK, marker="o", linestyle="",
                             label=area_name))
    ax.set_xlabel(plain("charts.glance_axis"), fontsize=style.LABEL_PT)
    _legend_top(fig, handles, title)
    items = [plain("charts.glance_item", label=r.label, area=area_name, share=pct(r.share),
                   lower=pct(r.lower), upper=pct(r.upper), pooled=pct(r.pooled),
                   group=group_label if group_label and not _nan(r.group) else "",
                   group_share=pct(r.group),
                   published="" if _nan(r.published) else pct(r.published / 100))
             for r in data.itertuples()]
    return fig, plain("charts.glance", title=title, items=items)


def _nan(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def score_intervals(data: pd.DataFrame, title: str, reference: float,
                    group: bool = False) -> tuple[Figure, str]:
    """Areas' scores with bootstrap intervals against the all-areas score (``group``: the
    group's score, in a group's report), sorted, not ranked.

    ``data``: the comparisons rows of one outcome (name, share, lower, upper, decision); each
    dot is drawn as its decision, and the decision is in the alt text.
    """
    data = data.sort_values("share", ascending=False)
    fig, ax, y = _labelled_rows(data["name"].tolist(), title, legend=1 + len(DECISION_LOOK))
    ax.hlines(y, 100 * data["lower"], 100 * data["upper"], color=style.BAND, linewidth=5)
    for decision, (colour, marker) in DECISION_LOOK.items():
        pick = (data["decision"] == decision).to_numpy()
        ax.plot(100 * data["share"].to_numpy()[pick], y[pick], marker, color=colour,
                markersize=7, linestyle="")
    ax.axvline(100 * reference, color=style.POOLED, linestyle="--")
    ax.set_xlabel(plain("charts.score_axis"), fontsize=style.LABEL_PT)
    handles = [Line2D([], [], color=style.POOLED, linestyle="--",
                      label=plain("charts.reference_legend", group=group)),
               *_decision_handles()]
    _legend_top(fig, handles, title)
    items = [plain("charts.intervals_item", name=r.name, share=pct(r.share),
                   lower=pct(r.lower).removesuffix("%"), upper=pct(r.upper).removesuffix("%"),
                   words=WORDS[r.decision]) for r in data.itertuples()]
    return fig, plain("charts.intervals", title=title, reference=pct(reference), items=items,
                      group=group)


def spread_positions(targets: Sequence[float], gap: float, low: float = 0.0,
                     high: float = 1.0, heights: Sequence[float] | None = None) -> np.ndarray:
    """Label positions as close to their targets as possible, at least ``gap`` apart.

    Sorted top to bottom, each label is pushed below its upper neighbour, then the stack is
    pushed back up from ``low``; with enough room (len * gap <= high - low) no two labels
    overlap and none leaves [low, high]. With ``heights`` (each label's own, same units), two
    neighbours are half their heights apart and each label lies wholly within [low, high].
    """
    order = np.argsort(-np.asarray(targets, dtype=float), kind="stable")
    size = np.full(order.size, gap) if heights is None else \
        np.asarray(heights, dtype=float)[order]
    half = np.zeros(order.size) if heights is None else size / 2
    y = np.clip(np.asarray(targets, dtype=float)[order], low + half, high - half)
    for i in range(1, y.size):
        y[i] = min(y[i], y[i - 1] - (size[i - 1] + size[i]) / 2)
    if y.size and y[-1] < low + half[-1]:
        y[-1] = low + half[-1]
        for i in range(y.size - 2, -1, -1):
            y[i] = max(y[i], y[i + 1] + (size[i] + size[i + 1]) / 2)
    out = np.empty_like(y)
    out[order] = y
    return out


def funnel_plot(points: pd.DataFrame, curve: pd.DataFrame, pooled: float, limits: str,
                title: str, group: bool = False) -> tuple[Figure, str]:
    """Areas' shares against n with the 95% limits the decision used, every dot named.

    ``points``: name, n, share, decision (from the comparisons table); ``curve``: n, lower,
    upper over a grid of whole n (the same limits, from the same function). Plain limits are
    steps, drawn as steps; names sit in a column to the right, spaced so they never overlap,
    each joined to its dot. A share on fewer than ``style.SMALL_N`` cases is a hollow dot
    and its name carries ``*``. A figure of its own; :class:`FunnelCanvas` draws many.
    """
    return FunnelCanvas(group).draw(points, curve, pooled, limits, title)


class FunnelCanvas:
    """One funnel figure, redrawn for each question of a report.

    Making a figure costs as much as drawing it (axes, ticks, legend), and the aggregate
    reports draw dozens of funnels of the same frame; a canvas makes the frame once and each
    :meth:`draw` sets only what differs: lines, dots, names, limits, title and the height the
    names need. A fresh canvas and a reused one give the same SVG for the same question
    (tested), so a figure of its own (:func:`funnel_plot`) is the chart the report embeds.

    The figure is ``style.CHART_WIDTH`` wide, for a phone, and printed at its own size: the
    plot on the left, the names in a column on the right (each wrapped to ``NAME_CHARS``), the
    title and a one-column legend above.
    """

    def __init__(self, group: bool = False) -> None:
        """``group``: the line is the group's figure (a group's report), not all areas'."""
        plt.rcParams.update(style.RC)
        self.group = group
        self.fig = fig = plt.figure(figsize=(style.CHART_WIDTH, FUNNEL_PLOT_IN + 3))
        self.ax = ax = fig.add_axes((0.1, 0.1, 0.5, 0.5))
        self.limit_lines = [ax.plot([], [], color=style.NEUTRAL, linestyle="-",
                                    linewidth=1.2, drawstyle="steps-mid")[0]
                            for _ in ("upper", "lower")]
        self.limit_lines += [ax.plot([], [], color=style.NEUTRAL, linestyle="--",
                                     drawstyle="steps-mid")[0]
                             for _ in ("upper_95", "lower_95")]
        self.pooled = ax.axhline(0, color=style.POOLED, linewidth=1)
        # each decision's dots as two lines of markers, filled and hollow (few cases): in SVG
        # a marker is a bare reference, a third of a scatter point's bytes
        self.dots = {d: tuple(ax.plot([], [], linestyle="", marker=m, markersize=6.5,
                                      markeredgewidth=1.0, color=colour, zorder=3,
                                      markerfacecolor=face)[0]
                              for face in (colour, style.PAPER))
                     for d, (colour, m) in DECISION_LOOK.items()}
        ax.set_xlabel("Applicable cases (n)", fontsize=style.LABEL_PT)
        ax.set_ylabel("Share sufficient (%)", fontsize=style.LABEL_PT)
        ax.tick_params(labelsize=style.LABEL_PT)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
        # leaders from each name to its dot: one collection in axes fractions, outside the plot
        self.leaders = LineCollection([], colors=style.LEADER, linewidths=0.6, zorder=3,
                                      transform=ax.transAxes, clip_on=False)
        ax.add_collection(self.leaders)
        self.names: list[Text] = []
        self.legend = _legend(fig, group)
        self.title = fig.suptitle("", x=0.02, ha="left", va="top", fontsize=style.TITLE_PT)
        fig.set_label(style.FIXED_LAYOUT)

    def draw(self, points: pd.DataFrame, curve: pd.DataFrame, pooled: float, limits: str,
             title: str) -> tuple[Figure, str]:
        """Show one question (arguments as :func:`funnel_plot`); the figure and its alt text."""
        ax = self.ax
        columns = ("upper", "lower", "upper_95", "lower_95")
        for line, col in zip(self.limit_lines, columns, strict=True):
            line.set_data(curve["n"].to_numpy(dtype=float), 100 * curve[col].to_numpy(dtype=float))
        self.pooled.set_ydata([100 * pooled, 100 * pooled])
        for decision, dots in self.dots.items():
            self._dots(dots, points[points["decision"] == decision], DECISION_LOOK[decision][0])
        low = max(0.0, 100 * min(points["share"].min(), curve["lower"].min()) - 5)
        ax.set_ylim(low, 100.5)
        ax.set_xlim(0, max(curve["n"].max(), points["n"].max()) * 1.04)
        named, labels = self._named(points, pooled)
        heights = [NAME_LINE_IN * (lab.count("\n") + 1) + NAME_GAP_IN for lab in labels]
        plot_in = max(FUNNEL_PLOT_IN, sum(heights))
        self.legend.texts[0].set_text(_legend_label(limit_words(limits)))
        top = _top(title, len(self.legend.texts),
                   extra_in=_legend_extra_in(t.get_text() for t in self.legend.texts))
        height = top + plot_in + FUNNEL_BOTTOM_IN
        self.fig.set_size_inches(style.CHART_WIDTH, height)
        # no name to write (many areas, none unusual): the plot takes the names' column too
        right_in = NAME_COLUMN_IN if labels else FUNNEL_RIGHT_IN
        ax.set_position((FUNNEL_LEFT_IN / style.CHART_WIDTH, FUNNEL_BOTTOM_IN / height,
                         (style.CHART_WIDTH - FUNNEL_LEFT_IN - right_in) / style.CHART_WIDTH,
                         plot_in / height))
        self.legend.set_bbox_to_anchor((0.02, 1 - _legend_below(title) / height),
                                       transform=self.fig.transFigure)
        self.title.set_text(_title(title))
        self.title.set_y(1 - 0.12 / height)
        self._name_column(named, labels, heights, low, plot_in)
        return self.fig, funnel_alt(points, pooled, limits, title, self.group)

    @staticmethod
    def _dots(dots: tuple[Line2D, ...], sub: pd.DataFrame, colour: str) -> None:
        """One decision's dots, filled, and hollow on fewer than ``style.SMALL_N`` cases;
        each line hidden when it has none (an empty one still costs drawing time)."""
        small = (sub["n"] < style.SMALL_N).to_numpy()
        n = sub["n"].to_numpy(dtype=float)
        share = 100 * sub["share"].to_numpy(dtype=float)
        for line, pick in zip(dots, (~small, small), strict=True):
            line.set_visible(bool(pick.any()))
            line.set_data(n[pick], share[pick])

    @staticmethod
    def _named(points: pd.DataFrame, pooled: float) -> tuple[pd.DataFrame, list[str]]:
        """The areas named and their names (name, a star on few cases, share; wrapped).
        With a ``named`` column, only those areas, the farthest from the all-areas figure
        first, as many as ``FUNNEL_PLOT_MAX_IN`` holds."""
        def label(r: Any) -> str:
            star = "*" if r.n < style.SMALL_N else ""
            return textwrap.fill(f"{r.name}{star} {pct(r.share)}", NAME_CHARS)

        if "named" not in points:
            return points, [label(r) for r in points.itertuples()]
        named = points[points["named"].to_numpy(dtype=bool)]
        far = (named["share"] - pooled).abs().to_numpy()
        named = named.iloc[np.argsort(-far, kind="stable")]
        labels, used = [], 0.0
        for r in named.itertuples():
            text = label(r)
            used += NAME_LINE_IN * (text.count("\n") + 1) + NAME_GAP_IN
            if used > FUNNEL_PLOT_MAX_IN:
                break
            labels.append(text)
        return named.iloc[:len(labels)], labels

    def _name_column(self, points: pd.DataFrame, labels: list[str], heights: list[float],
                     low: float, height_in: float) -> None:
        """Each named area's name and share in a column right of the plot, joined to its dot
        by a leader that stops 3 points short of it; names never overlap."""
        x0, x1 = self.ax.get_xlim()
        width_in = (style.CHART_WIDTH - FUNNEL_LEFT_IN - NAME_COLUMN_IN)
        dot_y = (100 * points["share"].to_numpy(dtype=float) - low) / (100.5 - low)
        dot_x = (points["n"].to_numpy(dtype=float) - x0) / (x1 - x0)
        ys = spread_positions(dot_y, 0.0, 0.0, 1.0, [h / height_in for h in heights])
        while len(self.names) < len(points):
            self.names.append(self.ax.text(NAME_X, 0, "", transform=self.ax.transAxes,
                                           va="center", ha="left", fontsize=style.LABEL_PT,
                                           color=style.INK, clip_on=False,
                                           linespacing=1.1))
        segments = []
        for text, label, y, dx, dy in zip(self.names, labels, ys, dot_x, dot_y, strict=False):
            text.set_text(label)
            text.set_y(y)
            text.set_visible(True)
            length = math.hypot((NAME_X - dx) * width_in, (y - dy) * height_in)
            shrink = LEADER_GAP_PT / 72 / length if length else 0.0
            segments.append([(NAME_X, y), (dx + (NAME_X - dx) * shrink,
                                           dy + (y - dy) * shrink)])
        for text in self.names[len(points):]:
            text.set_visible(False)
        self.leaders.set_segments(segments)


def _legend_label(text: str) -> str:
    """A legend entry wrapped to a phone-wide chart."""
    return textwrap.fill(text, LEGEND_CHARS)


def _legend_extra_in(labels: Iterable[str]) -> float:
    """Inches a legend's wrapped entries take beyond one line each."""
    return LEGEND_LINE_IN * sum(label.count("\n") for label in labels)


def _legend(fig: Figure, group: bool = False) -> Legend:
    """One legend above the plot, where it hides nothing, explaining markers and lines (its
    first entry names the limits: each :meth:`FunnelCanvas.draw` writes which, and where the
    legend goes)."""
    handles = [Line2D([], [], color=style.NEUTRAL, linestyle="--",
                      label=limit_words("binomial")),
               Line2D([], [], color=style.NEUTRAL, linestyle="-", linewidth=1.2,
                      label=plain("charts.outer_limits_legend")),
               Line2D([], [], color=style.POOLED,
                      label=plain("charts.reference_legend", group=group))]
    handles += _decision_handles()
    handles.append(Line2D([], [], color=style.INK, marker="o", markerfacecolor=style.PAPER,
                          linestyle="", label=f"* fewer than {style.SMALL_N} cases"))
    for h in handles:
        h.set_label(_legend_label(str(h.get_label())))
    return _legend_top(fig, handles)


def funnel_alt(points: pd.DataFrame, pooled: float, limits: str, title: str,
               group: bool = False) -> str:
    """Alternative text: every area, its share and n, grouped by the decision."""
    rows = list(zip(points["decision"], points["name"], points["share"], points["n"],
                    strict=True))
    groups = []
    for decision in DECISION_LOOK:
        items = [plain("charts.funnel_item", name=name, share=pct(share), n=n)
                 for d, name, share, n in rows if d == decision]
        if items:
            groups.append((_capital(WORDS[decision]), items))
    return plain("charts.funnel", title=title, count=len(points), pooled=pct(pooled),
                 groups=groups, adjusted=limits == "beta-binomial", group=group)


def _share_steps() -> tuple[ListedColormap, BoundaryNorm]:
    """The heatmap's colour scale: one colour of ``style.SHARE_MAP`` per step of
    ``style.SHARE_STEPS`` (at most eight colours in a chart), taken at the step's middle."""
    steps = style.SHARE_STEPS
    base = matplotlib.colormaps[style.SHARE_MAP]
    colours = [base((lo + hi) / 200) for lo, hi in pairwise(steps)]
    return ListedColormap(colours), BoundaryNorm(steps, len(colours))


# A heatmap (style.CHART_WIDTH wide): a row per area, its name on the left (wrapped), a
# column per measure, numbered above its cells and named in the key under them (long names
# do not fit above a phone-wide chart's cells), and the colour scale last.
HEAT_LEFT_IN = 1.35       # the rows' labels
HEAT_RIGHT_IN = 0.15
HEAT_ROW_CHARS = 16       # a row's label wraps at this many characters (10.5 pt)
HEAT_ROW_IN = 0.36        # one row: a label of two lines
HEAT_HEAD_IN = 0.5        # above the cells: the columns' axis label and numbers
KEY_CHARS = 54            # a key entry wraps at this many characters (9.5 pt)
KEY_LINE_IN = 0.17        # one line of the key
SCALE_IN = 0.12           # the colour scale's bar
SCALE_TEXT_IN = 0.45      # its ticks and label


def heatmap_key(columns: Sequence[str]) -> list[str]:
    """The key of a heatmap's numbered columns: "1  name", wrapped with a hanging indent."""
    return [textwrap.fill(f"{i}  {name}", KEY_CHARS, subsequent_indent="    ")
            for i, name in enumerate(columns, start=1)]


def heatmap(matrix: pd.DataFrame, title: str, xlabel: str) -> tuple[Figure, str]:
    """A heatmap of shares (0–100%) with the value written in each cell, readable on a phone.

    ``style.CHART_WIDTH`` wide with fixed margins (no tight crop that could widen it), printed
    at its own size: its text is ``style.LABEL_PT``, its key ``style.LEGEND_PT``. Rows (areas)
    are labelled on the left, wrapped; columns are numbered above the cells and named in a key
    under them, so a column needs only the width of its values: keep to about ten columns
    (split the matrix instead). Shares are coloured in the steps of ``style.SHARE_STEPS``,
    the scale under the key; each cell's value is written.
    """
    plt.rcParams.update(style.RC)
    rows, cols = matrix.shape
    key = heatmap_key([str(c) for c in matrix.columns])
    key_in = KEY_LINE_IN * sum(k.count("\n") + 1 for k in key)
    title_in = 0.22 + TITLE_LINE_IN * (_title(title).count("\n") + 1)
    cells_in = HEAT_ROW_IN * rows
    height = title_in + HEAT_HEAD_IN + cells_in + 0.15 + key_in + 0.2 + SCALE_IN + \
        SCALE_TEXT_IN
    width = style.CHART_WIDTH - HEAT_LEFT_IN - HEAT_RIGHT_IN
    fig = plt.figure(figsize=(style.CHART_WIDTH, height))
    cells_bottom = height - title_in - HEAT_HEAD_IN - cells_in
    ax = fig.add_axes((HEAT_LEFT_IN / style.CHART_WIDTH, cells_bottom / height,
                       width / style.CHART_WIDTH, cells_in / height))
    scale_bottom = SCALE_TEXT_IN
    cbar = fig.add_axes((HEAT_LEFT_IN / style.CHART_WIDTH, scale_bottom / height,
                         width / style.CHART_WIDTH, SCALE_IN / height))
    cmap, norm = _share_steps()
    _cells(ax, 100 * matrix.to_numpy(dtype=float), cmap, norm, cbar)
    ax.set_yticks(np.arange(rows) + 0.5,
                  [textwrap.fill(str(i), HEAT_ROW_CHARS) for i in matrix.index],
                  fontsize=style.LABEL_PT, rotation=0, linespacing=1.1)
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.set_xticks(np.arange(cols) + 0.5, [str(i) for i in range(1, cols + 1)],
                  fontsize=style.LABEL_PT)
    ax.tick_params(length=0)
    ax.set_xlabel(xlabel, fontsize=style.LABEL_PT)
    ax.set_ylabel("")
    fig.text(0.02, (cells_bottom - 0.15) / height, "\n".join(key), ha="left", va="top",
             fontsize=style.LEGEND_PT, linespacing=1.25)
    fig.suptitle(_title(title), x=0.02, y=1 - 0.12 / height, ha="left", va="top",
                 fontsize=style.TITLE_PT)
    fig.set_label(style.FIXED_LAYOUT)
    shown = matrix.stack().dropna().sort_values(kind="stable")  # a hidden share is no item
    lows, highs = shown.head(3), shown.tail(3)

    def items(s: pd.Series) -> list[str]:
        return [plain("charts.heatmap_item", row=a, column=b, share=pct(v))
                for (a, b), v in s.items() if not math.isnan(v)]
    return fig, plain("charts.heatmap", title=title, rows=rows, columns=cols,
                      lowest=items(lows), highest=items(highs))


def relative_luminance(colour: Any) -> float:
    """WCAG 2's relative luminance of a colour (0 black, 1 white), as seaborn computes it.

    Written here rather than imported from ``seaborn.utils``: importing seaborn imports
    ``scipy.stats``, which doubled the time a kernel takes to import the chapters.
    """
    rgb = np.asarray(to_rgb(colour), dtype=float)
    linear = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(linear @ np.array([0.2126, 0.7152, 0.0722]))


def _cells(ax: plt.Axes, values: np.ndarray, cmap: ListedColormap, norm: BoundaryNorm,
           cbar: plt.Axes) -> None:
    """Coloured cells, each with its value written in ink or paper, whichever reads on it;
    missing values are left blank. Drawn with matplotlib directly: seaborn's heatmap draws
    the whole figure once more to test its tick labels for overlap (a third of a heatmap's
    cost), and these charts set their own tick labels."""
    data = np.ma.masked_invalid(values)
    mesh = ax.pcolormesh(data, cmap=cmap, norm=norm, edgecolors=style.PAPER, linewidth=0.5)
    colours = cmap(norm(data))
    for (i, j), value in np.ndenumerate(values):
        if not math.isnan(value):
            ink = style.INK if relative_luminance(colours[i, j]) > INK_ON_LUMINANCE \
                else style.PAPER
            ax.text(j + 0.5, i + 0.5, pct(value / 100).removesuffix("%"), ha="center",
                    va="center",
                    fontsize=style.LABEL_PT, color=ink)
    ax.set_xlim(0, values.shape[1])
    ax.set_ylim(values.shape[0], 0)  # first row at the top
    for spine in ax.spines.values():
        spine.set_visible(False)
    bar = ax.figure.colorbar(mesh, cax=cbar, ticks=style.SHARE_STEPS, orientation="horizontal")
    bar.set_label("Share (%)", fontsize=style.LABEL_PT)
    bar.ax.tick_params(labelsize=style.LABEL_PT)
    bar.outline.set_linewidth(0)


def close(fig: Figure) -> None:
    plt.close(fig)


# spread charts: how areas spread on each measure (the aggregate's overview) -----------------
DOT_IN = 0.075          # a spread chart's dot, in inches (about 5.4 pt across)
SWARM_MAX_IN = 0.52     # the most a swarm of dots is tall before its rows are pressed together
NAME_ROW_IN = 0.21      # one row of names under a strip
NAME_ROWS = 2           # at most this many rows of names under a strip; the rest in words
STRIP_LEFT, STRIP_RIGHT = 0.06, 0.95   # axes' left and right, in figure fractions
MAX_TICKS = 7           # at most this many ticks on a strip's axis (10.5 pt, 4.2 inches)


@dataclass(frozen=True)
class Strip:
    """One measure's areas for a spread chart: names, values (0-1), each area's decision,
    the all-areas figure, the 95% and 99.8% ranges drawn (for an area of the middle size),
    and which areas are named."""

    label: str
    names: tuple[str, ...]
    values: np.ndarray
    decisions: tuple[str, ...]
    pooled: float
    range_95: tuple[float, float]
    range_998: tuple[float, float]
    named: np.ndarray


def axis_range(*values: float) -> tuple[float, float]:
    """An axis fitted to what it draws (percent): the lowest value less ``style.AXIS_PAD``
    points and the highest plus it, widened to multiples of ``style.AXIS_STEP``, in 0-100."""
    finite = [v for v in values if not math.isnan(v)]
    low, high = 100 * min(finite, default=0.0), 100 * max(finite, default=1.0)
    step = style.AXIS_STEP
    return (max(0.0, math.floor((low - style.AXIS_PAD) / step) * step),
            min(100.0, math.ceil((high + style.AXIS_PAD) / step) * step))


def swarm(x: np.ndarray, diameter: float) -> np.ndarray:
    """Vertical offsets (same units as ``x``) so that no two dots of diameter ``diameter``
    overlap: each dot, from the middle value outwards, takes the free offset nearest the
    centre line (a beeswarm; deterministic)."""
    x = np.asarray(x, dtype=float)
    out = np.zeros(x.size)
    order = np.argsort(np.abs(x - np.nanmedian(x)) if x.size else x, kind="stable")
    px: list[float] = []
    py: list[float] = []
    for i in order:
        if math.isnan(x[i]):
            continue
        near = [(a, b) for a, b in zip(px, py, strict=True) if abs(a - x[i]) < diameter]
        k = 0
        while True:
            cands = [0.0] if k == 0 else [k * diameter * 0.5, -k * diameter * 0.5]
            free = [c for c in cands
                    if all((a - x[i]) ** 2 + (b - c) ** 2 >= diameter ** 2 * 0.98
                           for a, b in near)]
            if free:
                out[i] = free[0]
                break
            k += 1
        px.append(float(x[i]))
        py.append(float(out[i]))
    return out


def _swarm_offsets(values: np.ndarray, span: tuple[float, float], width_in: float,
                   half_in: float) -> np.ndarray:
    """Offsets in inches of the dots of one strip, pressed to ``half_in`` either side."""
    x_in = (100 * values - span[0]) / (span[1] - span[0]) * width_in
    y = swarm(x_in, DOT_IN)
    top = float(np.max(np.abs(y))) if y.size else 0.0
    return y * (half_in / top) if top > half_in else y


def _strip_dots(ax: plt.Axes, x: np.ndarray, y: np.ndarray, decisions: Sequence[str],
                size: float) -> None:
    """Each decision's dots as one line of markers (in SVG a dot is then a bare reference to
    its marker, a third of a scatter point's bytes: 200 areas' charts stay small)."""
    for decision, (colour, marker) in DECISION_LOOK.items():
        pick = np.array([d == decision for d in decisions], dtype=bool)
        if pick.any():
            ax.plot(x[pick], y[pick], linestyle="", marker=marker, markersize=size ** 0.5,
                    color=colour, markeredgewidth=0, zorder=3)


def _name_rows(x_in: np.ndarray, names: Sequence[str], width_in: float) -> list[int]:
    """The row (0, 1...) of names each named dot takes, or -1 when it does not fit: names in
    one row never overlap (their width estimated from DejaVu Sans' average advance)."""
    order = np.argsort(x_in, kind="stable")
    ends = [-math.inf] * NAME_ROWS
    rows = [-1] * len(names)
    for i in order:
        w = 0.6 * style.LABEL_PT / 72 * len(names[i]) + 0.08
        left = min(max(x_in[i] - w / 2, 0.0), width_in - w)
        for r in range(NAME_ROWS):
            if left > ends[r]:
                rows[i] = r
                ends[r] = left + w
                break
    return rows


def spread_strips(strips: Sequence[Strip], title: str,
                  reference: str = "All areas") -> tuple[Figure, str]:
    """Small multiples, one strip per measure: every area a dot (a beeswarm, marked by its
    decision), the all-areas figure, the 95% range shaded and the 99.8% limits as lines;
    only the areas in ``named`` carry their name (below the strip, up to ``NAME_ROWS`` rows,
    the rest in the alt text). Each strip's axis fits its data (:func:`axis_range`).
    ``reference`` names the line the areas are compared with (a group's figure, in a group's
    report)."""
    plt.rcParams.update(style.RC)
    width_in = (STRIP_RIGHT - STRIP_LEFT) * style.CHART_WIDTH
    spans, layouts = [], []
    for s in strips:
        span = axis_range(*s.values, *s.range_998, s.pooled)
        y = _swarm_offsets(s.values, span, width_in, SWARM_MAX_IN / 2)
        x_in = (100 * s.values - span[0]) / (span[1] - span[0]) * width_in
        named = [i for i in range(len(s.names)) if s.named[i]]
        rows = _name_rows(x_in[named], [s.names[i] for i in named], width_in)
        half = max(float(np.max(np.abs(y), initial=0.0)) + DOT_IN, 0.12)
        layouts.append((y, x_in, named, rows, half))
        spans.append(span)
    heights = [0.3 + 2 * lay[4] + 0.32 + NAME_ROW_IN * (max(lay[3], default=-1) + 1) + 0.12
               for lay in layouts]
    handles = _spread_handles(reference)
    top = _top(title, len(handles), extra_in=_legend_extra_in(
        str(h.get_label()) for h in handles))
    height = top + sum(heights) + 0.1
    fig = plt.figure(figsize=(style.CHART_WIDTH, height))
    cursor = height - top
    for s, span, (y, x_in, named, rows, half), h in zip(strips, spans, layouts, heights,
                                                         strict=True):
        axis_h = 2 * half
        bottom = cursor - 0.3 - axis_h
        ax = fig.add_axes((STRIP_LEFT, bottom / height, STRIP_RIGHT - STRIP_LEFT,
                           axis_h / height))
        ax.set_xlim(*span)
        ax.set_ylim(-half, half)
        ax.axvspan(100 * s.range_95[0], 100 * s.range_95[1], color=style.RANGE, zorder=0,
                   linewidth=0)
        for v in s.range_998:
            ax.axvline(100 * v, color=style.NEUTRAL, linewidth=1.2, zorder=1)
        ax.axvline(100 * s.pooled, color=style.POOLED, linewidth=1.2, zorder=2)
        _strip_dots(ax, 100 * s.values, y, s.decisions, 30)
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="x", labelsize=style.LABEL_PT)
        ax.xaxis.set_major_locator(MultipleLocator(_tick_step(span)))
        ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0f}%")
        ax.set_title(s.label, loc="left", fontsize=style.LABEL_PT, pad=4)
        for i, r in zip(named, rows, strict=True):
            if r < 0:
                continue
            w = 0.6 * style.LABEL_PT / 72 * len(s.names[i]) + 0.08
            centre = min(max(x_in[i], w / 2), width_in - w / 2)
            text_y = -half - 0.32 - NAME_ROW_IN * r - 0.06
            fig.text((STRIP_LEFT * style.CHART_WIDTH + centre) / style.CHART_WIDTH,
                     (bottom + half + text_y) / height, s.names[i], ha="center", va="top",
                     fontsize=style.LABEL_PT)
            # a leader from the dot down through the axis to its name
            ax.annotate("", xy=(100 * s.values[i], y[i] - DOT_IN / 2),
                        xytext=(span[0] + centre / width_in * (span[1] - span[0]),
                                text_y + 0.02),
                        xycoords="data", textcoords=("data", "data"),
                        arrowprops={"arrowstyle": "-", "color": style.LEADER, "lw": 0.6},
                        annotation_clip=False)
        cursor -= h
    fig.suptitle(_title(title), x=0.02, y=1 - 0.12 / height, ha="left", va="top",
                 fontsize=style.TITLE_PT)
    _legend_top(fig, handles, title)
    fig.set_label(style.FIXED_LAYOUT)
    return fig, spread_alt(strips, title, reference)


def _tick_step(span: tuple[float, float]) -> float:
    """Ticks every ``style.AXIS_STEP`` points, or every two where more than
    ``MAX_TICKS`` would crowd a phone-wide axis."""
    step = float(style.AXIS_STEP)
    return step if (span[1] - span[0]) / step < MAX_TICKS else 2 * step


def _spread_handles(reference: str) -> list[Artist]:
    """The legend of a spread chart, one entry a line (wrapped to a phone-wide chart)."""
    handles: list[Artist] = [
        Line2D([], [], color=style.POOLED, linewidth=1.2, label=reference),
        Patch(color=style.RANGE, label=plain("charts.range_legend")),
        Line2D([], [], color=style.NEUTRAL, linewidth=1.2,
               label=plain("charts.outer_limits_legend")),
        *_decision_handles()]
    for h in handles:
        h.set_label(_legend_label(str(h.get_label())))
    return handles


def spread_grid(strips: Sequence[Strip], title: str,
                reference: str = "All areas") -> tuple[Figure, str]:
    """A compact grid: one row per measure on one shared axis fitted to all its rows' data,
    each row a beeswarm of the areas with its own all-areas figure and ranges; no names (the
    alt text and the report's words name the unusual areas)."""
    plt.rcParams.update(style.RC)
    span = axis_range(*(v for s in strips for v in (*s.values, *s.range_998, s.pooled)))
    labels = [s.label for s in strips]
    handles = _spread_handles(reference)
    fig, ax, centres = _labelled_rows(labels, title, legend=len(handles), extra_in=(
        _legend_extra_in(str(h.get_label()) for h in handles)))
    ax.set_xlim(*span)
    ticks = np.arange(span[0], span[1] + 0.1, _tick_step(span))
    ax.set_xticks(ticks, [f"{t:.0f}%" for t in ticks], fontsize=style.LABEL_PT)
    width_in = ax.get_position().width * style.CHART_WIDTH
    half = ROW_BAND_IN / 2
    for c, s in zip(centres, strips, strict=True):
        ax.fill_betweenx([c - half, c + half], 100 * s.range_95[0], 100 * s.range_95[1],
                         color=style.RANGE, zorder=0, linewidth=0)
        ax.vlines([100 * v for v in s.range_998], c - half, c + half, color=style.NEUTRAL,
                  linewidth=1.2, zorder=1)
        ax.vlines(100 * s.pooled, c - half, c + half, color=style.POOLED, linewidth=1.2,
                  zorder=2)
        y = _swarm_offsets(s.values, span, width_in, 0.85 * half)
        _strip_dots(ax, 100 * s.values, c + y, s.decisions, 14)
    ax.grid(False)
    _legend_top(fig, handles, title)
    return fig, spread_alt(strips, title, reference)


def spread_alt(strips: Sequence[Strip], title: str, reference: str = "All areas") -> str:
    """Alternative text: per measure, how many areas from lowest to highest, the all-areas
    figure, and the areas unusually high or low."""
    items = []
    for s in strips:
        finite = s.values[~np.isnan(s.values)]
        groups = []
        for decision in (ABOVE, BELOW):
            names = [n for n, d in zip(s.names, s.decisions, strict=True) if d == decision]
            if names:
                groups.append((_capital(WORDS[decision]), names))
        items.append(plain("charts.spread_item", label=s.label, count=len(finite),
                           low=pct(float(finite.min())) if finite.size else "",
                           high=pct(float(finite.max())) if finite.size else "",
                           reference=reference, pooled=pct(s.pooled), groups=groups))
    return plain("charts.spread", title=title, items=items)
