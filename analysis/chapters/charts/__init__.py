"""Charts, all with the same axes, colours and order, each with alternative text from its data.

Each function returns ``(figure, alt_text)``; :func:`analysis.chapters.figures.chart` makes
them a block of the report model. One module per kind of chart (:mod:`.bars`, :mod:`.dots`,
:mod:`.funnels`, :mod:`.heatmaps`, :mod:`.spreads`), what they share in :mod:`.common`.
"""

import matplotlib

matplotlib.use("Agg")

from .bars import DISTRIBUTION_RIGHT, distribution_bars, hatch_words, sufficiency_bars
from .common import DECISION_LOOK, ROW_LINE_IN, capital, close
from .dots import comparison_dots, glance_dots, score_intervals
from .funnels import FunnelCanvas, funnel_alt, funnel_plot, limit_words, spread_positions
from .heatmaps import heatmap, heatmap_key, relative_luminance
from .spreads import Strip, axis_range, spread_alt, spread_grid, spread_strips, swarm

__all__ = ["DECISION_LOOK", "DISTRIBUTION_RIGHT", "ROW_LINE_IN", "FunnelCanvas", "Strip",
           "axis_range", "capital", "close", "comparison_dots", "distribution_bars",
           "funnel_alt", "funnel_plot", "glance_dots", "hatch_words", "heatmap", "heatmap_key",
           "limit_words", "relative_luminance", "score_intervals", "spread_alt", "spread_grid",
           "spread_positions", "spread_strips", "sufficiency_bars", "swarm"]
