"""What every chart shares: the decisions' look, the title and legend above the axes, and
the phone-wide figure of one row per label (bars or dots)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D

from ...method.positions import ABOVE, BELOW, WITHIN, WORDS
from .. import style

# How each decision of the comparisons table is drawn: colour and marker. Its words (WORDS)
# travel with every dot in legends and alt text, so colour never carries the decision alone.
DECISION_LOOK = {ABOVE: (style.ABOVE, "^"), BELOW: (style.BELOW, "v"),
                 WITHIN: (style.WITHIN, "o")}
LEGEND_CHARS = 46         # a legend entry wraps at this many characters (9.5 pt)
LEGEND_LINE_IN = 0.16     # each further line of a wrapped legend entry
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


def capital(text: str) -> str:
    """The text with its first letter a capital."""
    return text[:1].upper() + text[1:]


def decision_handles() -> list[Line2D]:
    """Legend entries for the three decisions, in words."""
    return [Line2D([], [], color=c, marker=m, linestyle="", label=capital(WORDS[d]))
            for d, (c, m) in DECISION_LOOK.items()]


def wrapped_title(title: str) -> str:
    """A chart's title wrapped to the chart's width."""
    return textwrap.fill(title, TITLE_CHARS)


def top_in(title: str, legend: int, extra_in: float = 0.0) -> float:
    """Inches above a chart's axes: its title's lines and a one-column legend of ``legend``
    entries (``extra_in``: what its wrapped entries take beyond a line each)."""
    lines = wrapped_title(title).count("\n") + 1
    return 0.2 + TITLE_LINE_IN * lines + (0.1 + LEGEND_ENTRY_IN * legend + extra_in
                                          if legend else 0.15)


def labelled_rows(labels: Sequence[str], title: str, legend: int = 0,
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
    top = top_in(title, legend, extra_in=extra_in)
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
    fig.suptitle(wrapped_title(title), x=0.02, y=1 - 0.12 / height, ha="left", va="top",
                 fontsize=style.TITLE_PT)
    fig.set_label(style.FIXED_LAYOUT)
    centres = np.array([t + h - ROW_GAP_IN / 2 - ROW_BAND_IN / 2
                        for t, h in zip(tops, heights, strict=True)])
    return fig, ax, centres


def legend_below(title: str) -> float:
    """Inches from a chart's top to its legend: under the title."""
    lines = wrapped_title(title).count("\n") + 1 if title else 1
    return 0.2 + TITLE_LINE_IN * lines + 0.05


def legend_top(fig: Figure, handles: Sequence[Artist], title: str = "") -> Legend:
    """The legend under the title, one entry a line (a phone-wide chart has no room for two
    columns)."""
    return fig.legend(handles=handles, loc="upper left",
                      bbox_to_anchor=(0.02, 1 - legend_below(title) / fig.get_figheight()),
                      frameon=False, fontsize=style.LEGEND_PT, borderaxespad=0,
                      handlelength=1.6, labelspacing=0.35)


def legend_label(text: str) -> str:
    """A legend entry wrapped to a phone-wide chart."""
    return textwrap.fill(text, LEGEND_CHARS)


def legend_extra_in(labels: Iterable[str]) -> float:
    """Inches a legend's wrapped entries take beyond one line each."""
    return LEGEND_LINE_IN * sum(label.count("\n") for label in labels)


def close(fig: Figure) -> None:
    """Free a chart's figure once its SVG is written."""
    plt.close(fig)
