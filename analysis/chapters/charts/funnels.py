"""Funnel plots: areas' shares against their number of cases inside the limits the decision
used, the areas named in a column beside the plot."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from ...method.positions import WORDS
from ...report.format import pct
from .. import style
from ..say import plain
from .common import (
    DECISION_LOOK,
    capital,
    decision_handles,
    legend_below,
    legend_extra_in,
    legend_label,
    legend_top,
    top_in,
    wrapped_title,
)

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
LEADER_GAP_PT = 3         # a leader stops this far short of its dot


def limit_words(limits: str) -> str:
    """The legend entry of a funnel's limits (plain or widened)."""
    return plain("charts.limits_legend", limits=limits)


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
        self.legend.texts[0].set_text(legend_label(limit_words(limits)))
        top = top_in(title, len(self.legend.texts),
                   extra_in=legend_extra_in(t.get_text() for t in self.legend.texts))
        height = top + plot_in + FUNNEL_BOTTOM_IN
        self.fig.set_size_inches(style.CHART_WIDTH, height)
        # no name to write (many areas, none unusual): the plot takes the names' column too
        right_in = NAME_COLUMN_IN if labels else FUNNEL_RIGHT_IN
        ax.set_position((FUNNEL_LEFT_IN / style.CHART_WIDTH, FUNNEL_BOTTOM_IN / height,
                         (style.CHART_WIDTH - FUNNEL_LEFT_IN - right_in) / style.CHART_WIDTH,
                         plot_in / height))
        self.legend.set_bbox_to_anchor((0.02, 1 - legend_below(title) / height),
                                       transform=self.fig.transFigure)
        self.title.set_text(wrapped_title(title))
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
    handles += decision_handles()
    handles.append(Line2D([], [], color=style.INK, marker="o", markerfacecolor=style.PAPER,
                          linestyle="", label=f"* fewer than {style.SMALL_N} cases"))
    for h in handles:
        h.set_label(legend_label(str(h.get_label())))
    return legend_top(fig, handles)


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
            groups.append((capital(WORDS[decision]), items))
    return plain("charts.funnel", title=title, count=len(points), pooled=pct(pooled),
                 groups=groups, adjusted=limits == "beta-binomial", group=group)
