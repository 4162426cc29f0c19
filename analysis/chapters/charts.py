"""Charts, all with the same axes, colours and order, each with alternative text from its data.

Each function returns ``(figure, alt_text)``; :func:`analysis.chapters.html.figure` embeds both.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from . import style


def _fig(rows: int, per_row: float = 0.42, min_height: float = 1.6) -> tuple[Figure, plt.Axes]:
    plt.rcParams.update(style.RC)
    height = max(min_height, 0.9 + per_row * rows)
    fig, ax = plt.subplots(figsize=(style.FIG_WIDTH, height))
    return fig, ax


def _percent_axis(ax: plt.Axes) -> None:
    ax.set_xlim(0, 100)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xticklabels([f"{t}%" for t in range(0, 101, 20)])


def _legend_above(ax: plt.Axes, rows: int, reverse: bool = False,
                  handles: Sequence[Any] | None = None) -> None:
    """The legend in one row above the plot, where it can never hide a bar or a dot."""
    extra = {"handles": list(handles)} if handles is not None else {}
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0 + 0.6 / max(rows, 1)), ncol=2,
              frameon=False, reverse=reverse, **extra)


def _category_axis(ax: plt.Axes, labels: Sequence[str]) -> np.ndarray:
    """Rows top to bottom in the given order, one tick label each; returns the row positions."""
    y = np.arange(len(labels))
    ax.set_yticks(y, list(labels))
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    return y


def sufficiency_bars(data: pd.DataFrame, title: str) -> tuple[Figure, str]:
    """Horizontal stacked bars of sufficient / not sufficient per question, fixed 0–100%.

    ``data`` has label, n, k, share; rows with ``suppressed`` True or n = 0 are left out by the
    caller. Bars on fewer than ``style.SMALL_N`` cases are hatched and starred. Plain
    matplotlib bars: the values are already computed, so seaborn's estimation layer (a third
    of the chart's cost) has nothing to do.
    """
    fig, ax = _fig(len(data))
    labels = [f"{r.label} (n={r.n}{'*' if r.n < style.SMALL_N else ''})"
              for r in data.itertuples()]
    y = _category_axis(ax, labels)
    sufficient = 100 * data["share"].to_numpy(dtype=float)
    small = (data["n"] < style.SMALL_N).to_numpy()
    hatch = ["//" if s else None for s in small]
    ax.barh(y, 100.0, height=0.8, color=style.NOT_SUFFICIENT, hatch=hatch)
    ax.barh(y, sufficient, height=0.8, color=style.SUFFICIENT, hatch=hatch)
    for yi, value in zip(y, sufficient, strict=True):
        inside = value >= 12
        ax.text(value - 1.5 if inside else value + 1.5, yi, f"{value:.0f}%", va="center",
                ha="right" if inside else "left", color="white" if inside else "black",
                fontsize=9)
    _percent_axis(ax)
    ax.set_xlabel("Share of applicable cases (%)")
    ax.set_title(title, loc="left")
    _legend_above(ax, len(data), handles=[Patch(color=style.SUFFICIENT, label="Sufficient"),
                                          Patch(color=style.NOT_SUFFICIENT,
                                                label="Not sufficient")])
    parts = [f"{r.label}: {100 * r.share:.0f}% sufficient of {r.n} cases"
             for r in data.itertuples()]
    alt = f"{title}. Horizontal bar chart, 0 to 100%. " + "; ".join(parts) + "."
    return fig, alt


def distribution_bars(
    levels: Sequence[str], counts: Sequence[int], n: int, title: str
) -> tuple[Figure, str]:
    """Horizontal bars of each level's share of the denominator, with count and percent labels."""
    fig, ax = _fig(len(levels))
    shares = [100 * c / n if n else 0.0 for c in counts]
    y = _category_axis(ax, levels)
    ax.barh(y, shares, height=0.8, color=list(style.CATEGORICAL[: len(levels)]))
    for yi, c, s in zip(y, counts, shares, strict=True):
        ax.text(s + 1, yi, f"{c} ({s:.0f}%)", va="center", ha="left", fontsize=9)
    _percent_axis(ax)
    ax.set_xlabel(f"Share of {n} cases (%)")
    ax.set_title(title, loc="left")
    parts = [f"{lv}: {c} of {n} ({s:.0f}%)" for lv, c, s in
             zip(levels, counts, shares, strict=True)]
    return fig, f"{title}. Bar chart. " + "; ".join(parts) + "."


def comparison_dots(data: pd.DataFrame, title: str, area_name: str) -> tuple[Figure, str]:
    """The area's figure with its interval beside the all-areas pooled value, per row."""
    fig, ax = _fig(len(data))
    y = np.arange(len(data))
    share = 100 * data["share"].to_numpy()
    lo = 100 * data["lower"].to_numpy()
    hi = 100 * data["upper"].to_numpy()
    ax.hlines(y, lo, hi, color=style.SUFFICIENT, linewidth=2)
    ax.plot(share, y, "o", color=style.SUFFICIENT, label=area_name)
    ax.plot(100 * data["pooled"].to_numpy(), y, "|", color=style.POOLED, markersize=14,
            markeredgewidth=2, label="All areas (pooled)")
    outside = data["flag"].to_numpy() != "within"
    for yi, s, flag in zip(y[outside], share[outside], data["flag"].to_numpy()[outside],
                           strict=True):
        ax.annotate(f"{flag} limit", (s, yi), xytext=(6, 6), textcoords="offset points",
                    fontsize=8)
    ax.set_yticks(y, data["label"].tolist())
    ax.invert_yaxis()
    _percent_axis(ax)
    ax.set_xlabel("Share / score (%) with 95% interval")
    ax.set_title(title, loc="left")
    _legend_above(ax, len(data))
    parts = [f"{r.label}: {area_name} {100 * r.share:.0f}% ({100 * r.lower:.0f} to "
             f"{100 * r.upper:.0f}%), all areas {100 * r.pooled:.0f}%"
             + ("" if r.flag == "within" else f", {r.flag} funnel limit")
             for r in data.itertuples()]
    return fig, f"{title}. Dot plot. " + "; ".join(parts) + "."


def score_intervals(data: pd.DataFrame, title: str, reference: float) -> tuple[Figure, str]:
    """Areas' scores with bootstrap intervals against the pooled value, sorted, not ranked."""
    data = data.sort_values("score", ascending=False)
    fig, ax = _fig(len(data), per_row=0.32)
    y = np.arange(len(data))
    ax.hlines(y, 100 * data["lower"], 100 * data["upper"], color=style.SUFFICIENT, linewidth=2)
    ax.plot(100 * data["score"], y, "o", color=style.SUFFICIENT, label="Area score")
    ax.axvline(100 * reference, color=style.POOLED, linestyle="--", label="All areas (pooled)")
    ax.set_yticks(y, data["name"].tolist())
    ax.invert_yaxis()
    _percent_axis(ax)
    ax.set_xlabel("Score (%) with 95% bootstrap interval")
    ax.set_title(title, loc="left")
    _legend_above(ax, len(data))
    parts = [f"{r.name} {100 * r.score:.0f}% ({100 * r.lower:.0f} to {100 * r.upper:.0f}%)"
             for r in data.itertuples()]
    return fig, (f"{title}. Dot plot of area scores with intervals; dashed line at the pooled "
                 f"value {100 * reference:.0f}%. " + "; ".join(parts) + ".")


def funnel_plot(
    points: pd.DataFrame, limits: pd.DataFrame, target: float, title: str
) -> tuple[Figure, str]:
    """Spiegelhalter funnel plot: share against n, 95% and 99.8% limits around the target."""
    plt.rcParams.update(style.RC)
    fig, ax = plt.subplots(figsize=(style.FIG_WIDTH, 4.2))
    ax.plot(limits["n"], 100 * limits["upper95"], color=style.NEUTRAL, linestyle="--",
            label="95% limits")
    ax.plot(limits["n"], 100 * limits["lower95"], color=style.NEUTRAL, linestyle="--")
    ax.plot(limits["n"], 100 * limits["upper998"], color=style.POOLED, linestyle=":",
            label="99.8% limits")
    ax.plot(limits["n"], 100 * limits["lower998"], color=style.POOLED, linestyle=":")
    ax.axhline(100 * target, color=style.POOLED, linewidth=1, label="Pooled value")
    inside = points["flag"] == "within"
    ax.scatter(points.loc[inside, "n"], 100 * points.loc[inside, "share"], color=style.SUFFICIENT,
               marker="o", label="Area within limits", zorder=3)
    ax.scatter(points.loc[~inside, "n"], 100 * points.loc[~inside, "share"],
               color=style.NOT_SUFFICIENT, marker="D", label="Area outside 95% limits",
               zorder=3, edgecolor="black")
    for r in points[~inside].itertuples():
        ax.annotate(str(r.label), (r.n, 100 * r.share), xytext=(4, 4),
                    textcoords="offset points", fontsize=8)
    ax.set_ylim(0, 100)
    ax.set_xlabel("Applicable cases (n)")
    ax.set_ylabel("Share sufficient (%)")
    ax.set_title(title, loc="left")
    ax.legend(fontsize=8, loc="lower right")
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.12, top=0.92)
    fig.set_label(style.FIXED_LAYOUT)
    outside = [f"{r.label} ({100 * r.share:.0f}% of {r.n}, {r.flag})"
               for r in points[~inside].itertuples()]
    alt = (f"{title}. Funnel plot of {len(points)} areas around the pooled value "
           f"{100 * target:.0f}%. " + ("Outside the 95% limits: " + "; ".join(outside) + "."
                                       if outside else "All areas within the 95% limits."))
    return fig, alt


def heatmap(matrix: pd.DataFrame, title: str, xlabel: str) -> tuple[Figure, str]:
    """A heatmap of shares (0–100%) with the value written in each cell."""
    plt.rcParams.update(style.RC)
    width = max(style.FIG_WIDTH, 0.75 * matrix.shape[1] + 3)
    fig, ax = plt.subplots(figsize=(width, 0.42 * matrix.shape[0] + 1.8))
    sns.heatmap(100 * matrix, vmin=0, vmax=100, cmap="cividis", annot=True, fmt=".0f",
                cbar_kws={"label": "%"}, ax=ax, linewidths=0.5, linecolor="white")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("")
    ax.set_title(title, loc="left")
    plt.setp(ax.get_xticklabels(), rotation=45, ha="right")
    lows = matrix.stack().sort_values().head(3)
    highs = matrix.stack().sort_values().tail(3)
    def fmt(s: pd.Series) -> str:
        return "; ".join(f"{a}, {b}: {100 * v:.0f}%" for (a, b), v in s.items()
                         if not math.isnan(v))
    return fig, (f"{title}. Heatmap of {matrix.shape[0]} rows by {matrix.shape[1]} columns, "
                 f"0 to 100%. Lowest: {fmt(lows)}. Highest: {fmt(highs)}.")


def close(fig: Figure) -> None:
    plt.close(fig)
