"""One look for every report: colours, order and axes are fixed so areas line up side by side.

This module owns what a colour means. Every chart reads its colours from here, and each colour
below means one thing in every chart of every report:

- judged answers: blues for sufficient (``SUFFICIENT``; ``SUFFICIENT_PART`` for a lesser
  sufficient level of an ordered scale, such as "some progress"), orange for not sufficient
  (``NOT_SUFFICIENT``, also "no"), vermillion for the worst level of an ordered scale
  (``NOT_DONE``: "not done at all", "deterioration"); never green;
- ``NOT_APPLICABLE``: grey, for answers that are not applicable or not recorded;
- comparisons with all areas: black for the all-areas figure, green above, purple below,
  dark grey within, a mid-grey dashed line for the limits and a light grey band for intervals;
- ordered answers that are not judgements (risk of harm levels, further offending): a
  sequential ramp of purples, lightest first, in the scale's order;
- unordered answers: a qualitative palette that shares no colour with the above, at most
  ``MAX_COLOURS`` colours in a chart; answers beyond it are combined as "Other".

The colours come from Okabe & Ito's colour-blind-safe set and Paul Tol's "muted" set (also
colour-blind safe); every chart also carries text labels, so no information is carried by
colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..method.bank import Scale

SUFFICIENT = "#0072B2"        # blue
SUFFICIENT_PART = "#56B4E9"   # sky blue: a lesser sufficient level ("some progress")
NOT_SUFFICIENT = "#E69F00"    # orange: not sufficient, "no"
NOT_DONE = "#D55E00"          # vermillion: the worst level ("not done at all")
NOT_APPLICABLE = "#BBBBBB"    # grey: not applicable, not recorded
POOLED = "#000000"            # black: the all-areas figure
ABOVE = "#009E73"             # bluish green
BELOW = "#CC79A7"             # reddish purple
WITHIN = "#666666"            # dark grey
NEUTRAL = "#8C8C8C"           # mid grey: the limits a comparison uses (dashed lines)
GROUP = "#0072B2"             # blue: the area's group's figure (a hollow diamond)
PUBLISHED = "#D55E00"         # vermillion: the published report's score (a cross)
BAND = "#D4D4D4"              # light grey: an interval drawn as a band
RANGE = "#EBEBEB"             # paler grey: the 95% range areas usually span (spread charts)
LEADER = "#B0B0B0"            # a thin line joining a name to its dot; never a fill
INK = "black"                 # text
INK_ON_DARK = "white"         # text inside a dark bar (contrast >= 4.5:1 on SUFFICIENT)
PAPER = "white"               # the page: hollow marks, gaps between heatmap cells
SHARE_MAP = "cividis"         # shares 0-100% in heatmaps (colour-blind safe), drawn in steps:
SHARE_STEPS = (0, 20, 40, 50, 60, 70, 80, 90, 100)  # 8 steps, finer where most shares lie
SEQUENTIAL = ("#BCBDDC", "#9E9AC8", "#807DBA", "#6A51A3", "#4A1486")  # purples, light to dark
QUALITATIVE = ("#332288", "#DDCC77", "#CC6677", "#44AA99", "#882255", "#117733", "#AA4499",
               "#999933")     # Tol muted without its cyan (too close to SUFFICIENT_PART)
MAX_COLOURS = len(QUALITATIVE)  # at most this many colours in one chart
NO_ANSWER = frozenset({"not_recorded", "n/a", "not_applicable"})  # drawn NOT_APPLICABLE

FIXED = {"sufficient": SUFFICIENT, "sufficient_in_part": SUFFICIENT_PART,
         "not_sufficient": NOT_SUFFICIENT, "worst_level": NOT_DONE,
         "not_applicable_or_recorded": NOT_APPLICABLE, "all_areas": POOLED,
         "above_all_areas": ABOVE, "below_all_areas": BELOW, "within_expected_range": WITHIN,
         "limits": NEUTRAL, "interval": BAND,
         "usual_range": RANGE}
"""Each fixed meaning and its colour: no two meanings share one, and no palette reuses them."""

SMALL_N = 10          # shares on fewer cases than this are marked as small-number figures
HATCH = "//"          # how a bar on fewer than SMALL_N cases is drawn
# One size for every chart of every report (issue 28): each is drawn CHART_WIDTH wide, which
# keeps PHONE_SHARE of its size on a 375-pixel phone (PHONE_TEXT_PX of text width, at 96 px
# an inch: 351 / (96 x 4.6) = 0.79) and is narrower than an A4 page's text, so it prints at its
# own size: its text prints at the sizes below, none under MIN_PT. A chart that cannot be read
# this narrow is split (small multiples), keyed or shortened, never drawn wider or smaller.
CHART_WIDTH = 4.6     # inches
PHONE_TEXT_PX = 351   # a 375-pixel phone's text width (report.css: 0.75rem side padding)
PHONE_SHARE = 0.75    # the least share of its drawn size a chart keeps on that phone
MIN_PT = 9.0          # no chart's text smaller than this in print (points)
LABEL_PT = 10.5       # labels, ticks, names, the values written in cells
LEGEND_PT = 9.5       # a legend's entries, a heatmap's key
TITLE_PT = 11         # a chart's title
MAX_PAGE_PT = 800     # no chart taller than about one printed page (points)

# How many areas a chart of one row (or column) per area is drawn for: beyond it the chart
# would be taller than a page or its text too small, and the sortable table of areas (with
# the spread charts at the start of the aggregate report) replaces it.
MAX_AREA_ROWS = 20    # rows: the outcome heatmap, the "areas against the all-areas score" charts
MAX_AREA_COLUMNS = 12  # areas in a key-question heatmap (a row each since issue 28; a column
                       # each before, when a cell's value had to fit its column)
MAX_NAMED_DOTS = 20   # a funnel names every dot up to this many areas, beyond only unusual ones

# Spread charts: each axis runs from the lowest value or limit drawn, less AXIS_PAD points,
# to the highest plus AXIS_PAD, widened to whole multiples of AXIS_STEP within 0-100%.
AXIS_PAD = 3
AXIS_STEP = 10
FIXED_LAYOUT = "fixed-layout"  # figure label: margins set by the chart, no tight-bbox pass
DPI = 96

RC: Any = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": TITLE_PT,
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


@dataclass(frozen=True)
class Category:
    """One bar of a distribution chart: the answers it stands for, its count and its colour."""

    levels: tuple[str, ...]
    count: int
    colour: str

    @property
    def other(self) -> bool:
        """True for the bar that combines the answers beyond the palette."""
        return len(self.levels) > 1


def level_colours(scale: Scale, levels: Sequence[str]) -> list[str]:
    """The colour of each level, by what it means on its scale (see the module's list).

    A scale with sufficient levels is judged: its sufficient levels are blues, the rest
    orange then vermillion (in the scale's order). Any other ordered scale takes the
    sequential ramp; an unordered one the qualitative palette, by position in the scale.
    """
    if scale.sufficient:
        return [_judged(scale, lv) for lv in levels]
    plain = [lv for lv in scale.levels if lv not in NO_ANSWER]
    ramp = _ramp(len(plain)) if scale.ordered else list(QUALITATIVE)
    place = {lv: ramp[min(i, len(ramp) - 1)] for i, lv in enumerate(plain)}
    return [NOT_APPLICABLE if lv in NO_ANSWER else place.get(lv, QUALITATIVE[-1])
            for lv in levels]


def _judged(scale: Scale, level: str) -> str:
    if level in NO_ANSWER:
        return NOT_APPLICABLE
    good = [lv for lv in scale.levels if lv in scale.sufficient]
    if level in good:
        return SUFFICIENT if good.index(level) == 0 else SUFFICIENT_PART
    bad = [lv for lv in scale.levels if lv not in scale.sufficient and lv not in NO_ANSWER]
    worst = scale.ordered and len(bad) > 1 and level == bad[-1]
    return NOT_DONE if worst else NOT_SUFFICIENT


def _ramp(count: int) -> list[str]:
    """``count`` steps of the sequential ramp, spread from its lightest to its darkest."""
    if count <= 1:
        return [SEQUENTIAL[len(SEQUENTIAL) // 2]]
    last = len(SEQUENTIAL) - 1
    return [SEQUENTIAL[round(i * last / (count - 1))] for i in range(count)]


def categories(scale: Scale, levels: Sequence[str], counts: Sequence[int]) -> list[Category]:
    """The bars of a distribution chart: one per level, at most ``MAX_COLOURS`` in all.

    Unordered answers beyond the palette (in the scale's order, so a level keeps its colour in
    every area) are combined into one last bar, "Other", in the palette's last colour.
    """
    colours = level_colours(scale, levels)
    bars = [Category((lv,), int(c), col) for lv, c, col in zip(levels, counts, colours,
                                                               strict=True)]
    if len(bars) <= MAX_COLOURS:
        return bars
    special = [b for b in bars if b.levels[0] in NO_ANSWER]
    plain = [b for b in bars if b.levels[0] not in NO_ANSWER]
    keep = MAX_COLOURS - len(special) - 1
    rest = plain[keep:]
    other = Category(tuple(b.levels[0] for b in rest), sum(b.count for b in rest),
                     QUALITATIVE[-1])
    return [*plain[:keep], other, *special]
