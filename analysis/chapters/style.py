"""One look for every report: palette, order and axes are fixed so areas line up side by side.

The palette is Okabe & Ito's colour-blind-safe set; every chart also carries text labels, so
no information is carried by colour alone.
"""

from __future__ import annotations

from typing import Any

SUFFICIENT = "#0072B2"      # blue
NOT_SUFFICIENT = "#E69F00"  # orange
NEUTRAL = "#999999"
POOLED = "#000000"
CATEGORICAL = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
               "#F0E442", "#000000", "#999999", "#7F3C8D", "#11A579")
SMALL_N = 10          # shares on fewer cases than this are marked as small-number figures
FIG_WIDTH = 8.0
FIXED_LAYOUT = "fixed-layout"  # figure label: margins set by the chart, no tight-bbox pass
DPI = 96

RC: Any = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "svg.hashsalt": "iaow",
    "svg.fonttype": "none",  # text stays text: searchable, sharp, smaller; DejaVu Sans or the
                             # reader's sans-serif (DejaVu is wide, so others fit its boxes)
    "path.simplify": True,
}
