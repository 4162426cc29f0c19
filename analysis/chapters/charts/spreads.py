"""Spread charts: how areas spread on each measure (the aggregate's overview),
as strips of named dots or one compact grid."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MultipleLocator

from ...method.positions import ABOVE, BELOW, WORDS
from ...report.format import pct
from .. import style
from ..say import plain
from .common import (
    DECISION_LOOK,
    ROW_BAND_IN,
    capital,
    decision_handles,
    labelled_rows,
    legend_extra_in,
    legend_label,
    legend_top,
    top_in,
    wrapped_title,
)

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
    top = top_in(title, len(handles), extra_in=legend_extra_in(
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
    fig.suptitle(wrapped_title(title), x=0.02, y=1 - 0.12 / height, ha="left", va="top",
                 fontsize=style.TITLE_PT)
    legend_top(fig, handles, title)
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
        *decision_handles()]
    for h in handles:
        h.set_label(legend_label(str(h.get_label())))
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
    fig, ax, centres = labelled_rows(labels, title, legend=len(handles), extra_in=(
        legend_extra_in(str(h.get_label()) for h in handles)))
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
    legend_top(fig, handles, title)
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
                groups.append((capital(WORDS[decision]), names))
        items.append(plain("charts.spread_item", label=s.label, count=len(finite),
                           low=pct(float(finite.min())) if finite.size else "",
                           high=pct(float(finite.max())) if finite.size else "",
                           reference=reference, pooled=pct(s.pooled), groups=groups))
    return plain("charts.spread", title=title, items=items)
