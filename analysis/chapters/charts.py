"""Charts, all with the same axes, colours and order, each with alternative text from its data.

Each function returns ``(figure, alt_text)``; :func:`analysis.chapters.figures.chart` makes
them a block of the report model.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import BoundaryNorm, ListedColormap, to_rgb
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

from ..method.positions import ABOVE, BELOW, WITHIN, WORDS
from ..report.format import pct
from . import style
from .say import plain
from .style import Category

# How each decision of the comparisons table is drawn: colour and marker. Its words (WORDS)
# travel with every dot in legends and alt text, so colour never carries the decision alone.
DECISION_LOOK = {ABOVE: (style.ABOVE, "^"), BELOW: (style.BELOW, "v"),
                 WITHIN: (style.WITHIN, "o")}
LABEL_PT = 10.5          # >= 9 pt once an 8-inch figure is printed 7.2 inches wide (A4)
FUNNEL_HEIGHT = 4.8      # inches; the plot takes the left of the page, names the right
FUNNEL_AXES = (0.09, 0.10, 0.50, 0.61)
NAME_X = 1.04            # the funnel's column of names, in axes fractions
TOP_WITH_LEGEND = 1.3     # inches above a row chart's axes: its title and a legend (<= 3 rows)
TOP_TITLE_ONLY = 0.6      # inches above a row chart's axes: its title alone
LEGEND_ROW = 0.3          # inches a row of a two-column legend takes below the title
BAR_INCHES = 0.27         # the most a bar is thick, however many lines its label has
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
                  legend_rows: int = 0) -> tuple[Figure, plt.Axes, np.ndarray, float]:
    """A row chart of horizontal percentage bars (:func:`_labelled_rows`), room for value
    labels up to ``right`` per cent and for a legend of ``legend_rows`` rows above; returns
    the figure, its axes, the rows' positions and the bars' thickness (in rows)."""
    top = TOP_TITLE_ONLY + LEGEND_ROW * legend_rows
    fig, ax = _labelled_rows(labels, title, top)
    ax.set_xlim(0, right)
    ax.spines["bottom"].set_bounds(0, 100)  # the axis is a percentage; beyond it, labels
    row_inches = ax.get_position().height * fig.get_figheight() / max(len(labels), 1)
    return fig, ax, np.arange(len(labels)), min(0.8, BAR_INCHES / row_inches)


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
    fig, ax, y, thick = _percent_bars(labels, title, legend_rows=math.ceil(len(handles) / 2))
    sufficient = 100 * data["share"].to_numpy(dtype=float)
    hatch = [style.HATCH if s else None for s in small]
    ax.barh(y, 100.0, height=thick, color=style.NOT_SUFFICIENT, hatch=hatch)
    ax.barh(y, sufficient, height=thick, color=style.SUFFICIENT, hatch=hatch)
    for yi, value in zip(y, sufficient, strict=True):
        inside = value >= 12
        ax.text(value - 1.5 if inside else value + 1.5, yi, pct(value / 100), va="center",
                ha="right" if inside else "left",
                color=style.INK_ON_DARK if inside else style.INK, fontsize=LABEL_PT)
    ax.set_xlabel(plain("charts.share_axis"), fontsize=LABEL_PT)
    _legend_top(fig, handles)
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
        ax.text(s + 1, yi, f"{c} ({pct(s / 100)})", va="center", ha="left", fontsize=LABEL_PT)
    ax.set_xlabel(f"Share of {n} cases (%)", fontsize=LABEL_PT)
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


def _labelled_rows(labels: Sequence[str], title: str,
                   top: float = TOP_WITH_LEGEND) -> tuple[Figure, plt.Axes]:
    """A page-wide figure of one row per label, labels wrapped in a fixed left margin.

    Fixed layout (no tight crop, so one drawing pass): the figure stays ``style.FIG_WIDTH``
    wide, so its text is printed at ``LABEL_PT`` x 0.9 >= 9 pt on A4; the legend goes in the
    top margin (``top`` inches, with the title). Rows grow with the lines of their labels.
    """
    plt.rcParams.update(style.RC)
    rows = len(labels)
    wrapped = [textwrap.fill(str(lab), 34) for lab in labels]
    lines = max((w.count("\n") + 1 for w in wrapped), default=1)
    per_row = 0.34 if lines == 1 else 0.44 + 0.17 * (lines - 2)
    height = 0.55 + top + per_row * rows
    fig = plt.figure(figsize=(style.FIG_WIDTH, height))
    ax = fig.add_axes((0.36, 0.55 / height, 0.6, per_row * rows / height))
    ax.set_yticks(np.arange(rows), wrapped, fontsize=LABEL_PT)
    ax.set_ylim(rows - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.set_xlim(0, 100)
    ax.set_xticks(range(0, 101, 20), [f"{t}%" for t in range(0, 101, 20)], fontsize=LABEL_PT)
    fig.suptitle(title, x=0.02, ha="left", fontsize=11)
    fig.set_label(style.FIXED_LAYOUT)
    return fig, ax


def _legend_top(fig: Figure, handles: Sequence[Artist]) -> None:
    """The legend under the title, in two columns (0.4 inch from the figure's top)."""
    fig.legend(handles=handles, loc="upper left",
               bbox_to_anchor=(0.02, 1 - 0.4 / fig.get_figheight()),
               ncol=2, frameon=False, fontsize=9.5)


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
    fig, ax = _labelled_rows(labels, title)
    y = np.arange(rows)
    ax.hlines(y, 100 * data["lower"], 100 * data["upper"], color=style.BAND, linewidth=6)
    ax.plot(100 * data["pooled"], y, "|", color=style.POOLED, markersize=14,
            markeredgewidth=2)
    for decision, (colour, marker) in DECISION_LOOK.items():
        pick = (data["decision"] == decision).to_numpy()
        ax.plot(100 * data["share"].to_numpy()[pick], y[pick], marker, color=colour,
                markersize=7, linestyle="")
    ax.set_xlabel("Share / score (%)", fontsize=LABEL_PT)
    handles = [Line2D([], [], color=style.BAND, linewidth=6,
                      label=_capital(plain("charts.band_legend", band=band))),
               Line2D([], [], color=style.POOLED, marker="|", linestyle="", markersize=12,
                      markeredgewidth=2, label="All areas")]
    handles += _decision_handles()
    _legend_top(fig, handles)
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
    fig, ax = _labelled_rows(list(data["label"]), title)
    y = np.arange(len(data))
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
    ax.set_xlabel(plain("charts.glance_axis"), fontsize=LABEL_PT)
    _legend_top(fig, handles)
    items = [plain("charts.glance_item", label=r.label, area=area_name, share=pct(r.share),
                   lower=pct(r.lower), upper=pct(r.upper), pooled=pct(r.pooled),
                   group=group_label if group_label and not _nan(r.group) else "",
                   group_share=pct(r.group),
                   published="" if _nan(r.published) else pct(r.published / 100))
             for r in data.itertuples()]
    return fig, plain("charts.glance", title=title, items=items)


def _nan(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def score_intervals(data: pd.DataFrame, title: str, reference: float) -> tuple[Figure, str]:
    """Areas' scores with bootstrap intervals against the all-areas score, sorted, not ranked.

    ``data``: the comparisons rows of one outcome (name, share, lower, upper, decision); each
    dot is drawn as its decision, and the decision is in the alt text.
    """
    data = data.sort_values("share", ascending=False)
    fig, ax = _labelled_rows(data["name"].tolist(), title)
    y = np.arange(len(data))
    ax.hlines(y, 100 * data["lower"], 100 * data["upper"], color=style.BAND, linewidth=5)
    for decision, (colour, marker) in DECISION_LOOK.items():
        pick = (data["decision"] == decision).to_numpy()
        ax.plot(100 * data["share"].to_numpy()[pick], y[pick], marker, color=colour,
                markersize=7, linestyle="")
    ax.axvline(100 * reference, color=style.POOLED, linestyle="--")
    ax.set_xlabel(plain("charts.score_axis"), fontsize=LABEL_PT)
    handles = [Line2D([], [], color=style.POOLED, linestyle="--", label="All areas"),
               *_decision_handles()]
    _legend_top(fig, handles)
    items = [plain("charts.intervals_item", name=r.name, share=pct(r.share),
                   lower=pct(r.lower).removesuffix("%"), upper=pct(r.upper).removesuffix("%"),
                   words=WORDS[r.decision]) for r in data.itertuples()]
    return fig, plain("charts.intervals", title=title, reference=pct(reference), items=items)


def spread_positions(targets: Sequence[float], gap: float, low: float = 0.0,
                     high: float = 1.0) -> np.ndarray:
    """Label positions as close to their targets as possible, at least ``gap`` apart.

    Sorted top to bottom, each label is pushed below its upper neighbour, then the stack is
    pushed back up from ``low``; with enough room (len * gap <= high - low) no two labels
    overlap and none leaves [low, high].
    """
    order = np.argsort(-np.asarray(targets, dtype=float), kind="stable")
    y = np.clip(np.asarray(targets, dtype=float)[order], low, high)
    for i in range(1, y.size):
        y[i] = min(y[i], y[i - 1] - gap)
    if y.size and y[-1] < low:
        y[-1] = low
        for i in range(y.size - 2, -1, -1):
            y[i] = max(y[i], y[i + 1] + gap)
    out = np.empty_like(y)
    out[order] = y
    return out


def funnel_plot(points: pd.DataFrame, curve: pd.DataFrame, pooled: float, limits: str,
                title: str) -> tuple[Figure, str]:
    """Areas' shares against n with the 95% limits the decision used, every dot named.

    ``points``: name, n, share, decision (from the comparisons table); ``curve``: n, lower,
    upper over a grid of whole n (the same limits, from the same function). Plain limits are
    steps, drawn as steps; names sit in a column to the right, spaced so they never overlap,
    each joined to its dot. A share on fewer than ``style.SMALL_N`` cases is a hollow dot
    and its name carries ``*``. A figure of its own; :class:`FunnelCanvas` draws many.
    """
    return FunnelCanvas().draw(points, curve, pooled, limits, title)


class FunnelCanvas:
    """One funnel figure, redrawn for each question of a report.

    Making a figure costs as much as drawing it (axes, ticks, legend), and the aggregate
    reports draw dozens of funnels of the same frame; a canvas makes the frame once and each
    :meth:`draw` sets only what differs: lines, dots, names, limits and title. A fresh canvas
    and a reused one give the same SVG for the same question (tested), so a figure of its own
    (:func:`funnel_plot`) is the chart the report embeds.
    """

    def __init__(self) -> None:
        plt.rcParams.update(style.RC)
        self.fig = fig = plt.figure(figsize=(style.FIG_WIDTH, FUNNEL_HEIGHT))
        self.ax = ax = fig.add_axes(FUNNEL_AXES)
        self.limit_lines = [ax.plot([], [], color=style.NEUTRAL, linestyle="-",
                                    linewidth=1.2, drawstyle="steps-mid")[0]
                            for _ in ("upper", "lower")]
        self.limit_lines += [ax.plot([], [], color=style.NEUTRAL, linestyle="--",
                                     drawstyle="steps-mid")[0]
                             for _ in ("upper_95", "lower_95")]
        self.pooled = ax.axhline(0, color=style.POOLED, linewidth=1)
        self.dots = {d: ax.scatter([], [], marker=m, s=42, zorder=3, edgecolors=colour)
                     for d, (colour, m) in DECISION_LOOK.items()}
        ax.set_xlabel("Applicable cases (n)", fontsize=LABEL_PT)
        ax.set_ylabel("Share sufficient (%)", fontsize=LABEL_PT)
        ax.tick_params(labelsize=LABEL_PT)
        # leaders from each name to its dot: one collection in axes fractions, outside the plot
        self.leaders = LineCollection([], colors=style.LEADER, linewidths=0.6, zorder=3,
                                      transform=ax.transAxes, clip_on=False)
        ax.add_collection(self.leaders)
        self.names: list[Text] = []
        self.legend = _legend(fig)
        self.title = fig.suptitle("", x=0.02, ha="left", fontsize=11)
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
        self._name_column(points, low)
        self.legend.texts[0].set_text(limit_words(limits))
        self.title.set_text(title)
        return self.fig, funnel_alt(points, pooled, limits, title)

    @staticmethod
    def _dots(dots: PathCollection, sub: pd.DataFrame, colour: str) -> None:
        """One decision's dots; hidden when there are none (an empty scatter still costs a
        fifth of the chart's drawing)."""
        dots.set_visible(not sub.empty)
        small = (sub["n"] < style.SMALL_N).to_numpy()
        dots.set_offsets(np.column_stack([sub["n"].to_numpy(dtype=float),
                                          100 * sub["share"].to_numpy(dtype=float)]))
        dots.set_facecolor([(style.PAPER if s else colour) for s in small] or [colour])

    def _name_column(self, points: pd.DataFrame, low: float) -> None:
        """Each area's name and share in a column right of the plot, joined to its dot by a
        leader that stops 3 points short of it."""
        x0, x1 = self.ax.get_xlim()
        height_in = FUNNEL_AXES[3] * FUNNEL_HEIGHT
        width_in = FUNNEL_AXES[2] * style.FIG_WIDTH
        dot_y = (100 * points["share"].to_numpy(dtype=float) - low) / (100.5 - low)
        dot_x = (points["n"].to_numpy(dtype=float) - x0) / (x1 - x0)
        ys = spread_positions(dot_y, 1.3 * LABEL_PT / 72 / height_in, 0.0, 1.0)
        while len(self.names) < len(points):
            self.names.append(self.ax.text(NAME_X, 0, "", transform=self.ax.transAxes,
                                           va="center", ha="left", fontsize=LABEL_PT,
                                           color=style.INK, clip_on=False))
        segments = []
        for text, r, y, dx, dy in zip(self.names, points.itertuples(), ys, dot_x, dot_y,
                                      strict=False):
            star = "*" if r.n < style.SMALL_N else ""
            text.set_text(f"{r.name}{star} {pct(r.share)}")
            text.set_y(y)
            text.set_visible(True)
            length = math.hypot((NAME_X - dx) * width_in, (y - dy) * height_in)
            shrink = LEADER_GAP_PT / 72 / length if length else 0.0
            segments.append([(NAME_X, y), (dx + (NAME_X - dx) * shrink,
                                           dy + (y - dy) * shrink)])
        for text in self.names[len(points):]:
            text.set_visible(False)
        self.leaders.set_segments(segments)


def _legend(fig: Figure) -> Legend:
    """One legend above the plot, where it hides nothing, explaining markers and lines (its
    first entry names the limits: each :meth:`FunnelCanvas.draw` writes which)."""
    handles = [Line2D([], [], color=style.NEUTRAL, linestyle="--",
                      label=limit_words("binomial")),
               Line2D([], [], color=style.NEUTRAL, linestyle="-", linewidth=1.2,
                      label=plain("charts.outer_limits_legend")),
               Line2D([], [], color=style.POOLED, label="All areas")]
    handles += _decision_handles()
    handles.append(Line2D([], [], color=style.INK, marker="o", markerfacecolor=style.PAPER,
                          linestyle="", label=f"* fewer than {style.SMALL_N} cases"))
    return fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.02, 0.955), ncol=2,
                      frameon=False, fontsize=9.5)


def funnel_alt(points: pd.DataFrame, pooled: float, limits: str, title: str) -> str:
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
                 groups=groups, adjusted=limits == "beta-binomial")


def _share_steps() -> tuple[ListedColormap, BoundaryNorm]:
    """The heatmap's colour scale: one colour of ``style.SHARE_MAP`` per step of
    ``style.SHARE_STEPS`` (at most eight colours in a chart), taken at the step's middle."""
    steps = style.SHARE_STEPS
    base = matplotlib.colormaps[style.SHARE_MAP]
    colours = [base((lo + hi) / 200) for lo, hi in pairwise(steps)]
    return ListedColormap(colours), BoundaryNorm(steps, len(colours))


def heatmap(matrix: pd.DataFrame, title: str, xlabel: str) -> tuple[Figure, str]:
    """A heatmap of shares (0–100%) with the value written in each cell, readable on A4.

    The page is always ``style.FIG_WIDTH`` wide with fixed margins (no tight crop that could
    widen it), so its text prints at ``LABEL_PT`` x 0.9 >= 9 pt; long row labels are wrapped.
    Keep to about a dozen columns: more do not fit at that size (split the matrix instead).
    Shares are coloured in the steps of ``style.SHARE_STEPS``; each cell's value is written.
    """
    plt.rcParams.update(style.RC)
    rows, cols = matrix.shape
    height = 0.42 * rows + 2.6
    fig = plt.figure(figsize=(style.FIG_WIDTH, height))
    ax = fig.add_axes((0.36, 1.9 / height, 0.52, (0.42 * rows) / height))
    cbar = fig.add_axes((0.90, 1.9 / height, 0.02, (0.42 * rows) / height))
    cmap, norm = _share_steps()
    _cells(ax, 100 * matrix.to_numpy(dtype=float), cmap, norm, cbar)
    ax.set_yticks(np.arange(rows) + 0.5, [textwrap.fill(str(i), 30) for i in matrix.index],
                  fontsize=LABEL_PT, rotation=0)
    ax.set_xticks(np.arange(cols) + 0.5, [str(c) for c in matrix.columns], fontsize=LABEL_PT,
                  rotation=45, ha="right", rotation_mode="anchor")
    ax.set_xlabel(xlabel, fontsize=LABEL_PT)
    ax.set_ylabel("")
    fig.suptitle(title, x=0.02, ha="left", fontsize=11)
    fig.set_label(style.FIXED_LAYOUT)
    lows = matrix.stack().sort_values().head(3)
    highs = matrix.stack().sort_values().tail(3)

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
                    fontsize=LABEL_PT, color=ink)
    ax.set_xlim(0, values.shape[1])
    ax.set_ylim(values.shape[0], 0)  # first row at the top
    for spine in ax.spines.values():
        spine.set_visible(False)
    bar = ax.figure.colorbar(mesh, cax=cbar, ticks=style.SHARE_STEPS, label="%")
    bar.outline.set_linewidth(0)


def close(fig: Figure) -> None:
    plt.close(fig)
