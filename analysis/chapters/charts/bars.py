"""Bar charts of one area's answers: sufficient or not per question, and each
answer's share of the cases."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ...report.format import pct
from .. import style
from ..say import plain
from ..style import Category
from .common import ROW_BAND_IN, labelled_rows, legend_top

BAR_INCHES = 0.27         # the most a bar is thick, however many lines its label has
OTHER_WORDS = "Other ({count} answers combined{names})"


def hatch_words() -> str:
    """The legend entry of hatched bars."""
    return plain("charts.hatch_legend", small_n=style.SMALL_N)


def _percent_bars(labels: Sequence[str], title: str, right: float = 100.0,
                  legend: int = 0) -> tuple[Figure, plt.Axes, np.ndarray, float]:
    """A row chart of horizontal percentage bars (:func:`labelled_rows`), room for value
    labels up to ``right`` per cent and for a legend of ``legend`` entries above; returns
    the figure, its axes, the rows' positions and the bars' thickness (in the axes' units)."""
    fig, ax, y = labelled_rows(labels, title, legend)
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
    legend_top(fig, handles, title)
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
