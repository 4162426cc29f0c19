"""Heatmaps of shares: a row per area, a numbered column per measure, each cell
coloured in steps and its value written in ink or paper."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import BoundaryNorm, ListedColormap, to_rgb
from matplotlib.figure import Figure

from ...report.format import pct
from .. import style
from ..say import plain
from .common import TITLE_LINE_IN, wrapped_title

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
INK_ON_LUMINANCE = 0.408  # a cell lighter than this takes ink, else paper (seaborn's rule)


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
    title_in = 0.22 + TITLE_LINE_IN * (wrapped_title(title).count("\n") + 1)
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
    fig.suptitle(wrapped_title(title), x=0.02, y=1 - 0.12 / height, ha="left", va="top",
                 fontsize=style.TITLE_PT)
    fig.set_label(style.FIXED_LAYOUT)
    shown = matrix.stack().dropna().sort_values(kind="stable")  # a hidden share is no item
    lows, highs = shown.head(3), shown.tail(3)

    def items(s: pd.Series) -> list[str]:
        return [plain("charts.heatmap_item", row=a, column=b, share=pct(v))
                for (a, b), v in s.items() if not math.isnan(v)]
    return fig, plain("charts.heatmap", title=title, rows=rows, columns=cols,
                      lowest=items(lows), highest=items(highs))


def _share_steps() -> tuple[ListedColormap, BoundaryNorm]:
    """The heatmap's colour scale: one colour of ``style.SHARE_MAP`` per step of
    ``style.SHARE_STEPS`` (at most eight colours in a chart), taken at the step's middle."""
    steps = style.SHARE_STEPS
    base = matplotlib.colormaps[style.SHARE_MAP]
    colours = [base((lo + hi) / 200) for lo, hi in pairwise(steps)]
    return ListedColormap(colours), BoundaryNorm(steps, len(colours))


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
