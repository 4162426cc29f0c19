"""Dot charts of an area's figures against a reference: the comparisons table's
rows, the outcomes at a glance, and areas' scores with their intervals."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ...method.positions import WORDS
from ...report.format import pct
from .. import style
from ..say import plain
from .common import DECISION_LOOK, capital, decision_handles, labelled_rows, legend_top


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
    fig, ax, y = labelled_rows(labels, title, legend=2 + len(DECISION_LOOK))
    ax.hlines(y, 100 * data["lower"], 100 * data["upper"], color=style.BAND, linewidth=6)
    ax.plot(100 * data["pooled"], y, "|", color=style.POOLED, markersize=14,
            markeredgewidth=2)
    for decision, (colour, marker) in DECISION_LOOK.items():
        pick = (data["decision"] == decision).to_numpy()
        ax.plot(100 * data["share"].to_numpy()[pick], y[pick], marker, color=colour,
                markersize=7, linestyle="")
    ax.set_xlabel("Share / score (%)", fontsize=style.LABEL_PT)
    handles = [Line2D([], [], color=style.BAND, linewidth=6,
                      label=capital(plain("charts.band_legend", band=band))),
               Line2D([], [], color=style.POOLED, marker="|", linestyle="", markersize=12,
                      markeredgewidth=2, label="All areas")]
    handles += decision_handles()
    legend_top(fig, handles, title)
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
    fig, ax, y = labelled_rows(list(data["label"]), title, legend=entries)
    ax.hlines(y, 100 * data["lower"], 100 * data["upper"], color=style.BAND, linewidth=6)
    ax.plot(100 * data["pooled"], y, "|", color=style.POOLED, markersize=14,
            markeredgewidth=2)
    handles = [Line2D([], [], color=style.BAND, linewidth=6,
                      label=capital(plain("charts.band_legend", band="interval"))),
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
    legend_top(fig, handles, title)
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
    fig, ax, y = labelled_rows(data["name"].tolist(), title, legend=1 + len(DECISION_LOOK))
    ax.hlines(y, 100 * data["lower"], 100 * data["upper"], color=style.BAND, linewidth=5)
    for decision, (colour, marker) in DECISION_LOOK.items():
        pick = (data["decision"] == decision).to_numpy()
        ax.plot(100 * data["share"].to_numpy()[pick], y[pick], marker, color=colour,
                markersize=7, linestyle="")
    ax.axvline(100 * reference, color=style.POOLED, linestyle="--")
    ax.set_xlabel(plain("charts.score_axis"), fontsize=style.LABEL_PT)
    handles = [Line2D([], [], color=style.POOLED, linestyle="--",
                      label=plain("charts.reference_legend", group=group)),
               *decision_handles()]
    legend_top(fig, handles, title)
    items = [plain("charts.intervals_item", name=r.name, share=pct(r.share),
                   lower=pct(r.lower).removesuffix("%"), upper=pct(r.upper).removesuffix("%"),
                   words=WORDS[r.decision]) for r in data.itertuples()]
    return fig, plain("charts.intervals", title=title, reference=pct(reference), items=items,
                      group=group)
