"""Charts: SVG with text kept as text, byte-identical reruns, the fixed or tight page."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analysis.chapters import charts, style
from analysis.chapters import html as htmlout
from analysis.method import funnel


def _bars() -> pd.DataFrame:
    return pd.DataFrame({"label": ["Assessment on time", "Plan reviewed"], "n": [6, 40],
                         "k": [3, 30], "share": [0.5, 0.75]})


def _funnel() -> tuple[pd.DataFrame, pd.DataFrame]:
    points = pd.DataFrame({"n": [20, 40, 60], "share": [0.5, 0.8, 0.95],
                           "label": ["A", "B", "C"], "flag": ["below", "within", "within"]})
    return points, funnel.funnel_limits(0.8, np.arange(1, 70))


def test_svg_keeps_text_as_text_and_reruns_are_byte_identical() -> None:
    first = htmlout.figure_svg(charts.sufficiency_bars(_bars(), "Key questions")[0])
    again = htmlout.figure_svg(charts.sufficiency_bars(_bars(), "Key questions")[0])
    assert first == again
    text = first.decode()
    assert "<text" in text and "Key questions" in text and "Plan reviewed (n=40)" in text
    assert "<dc:date>" not in text  # no timestamp


def test_bars_are_cropped_to_their_content_and_funnels_keep_their_page() -> None:
    width = re.compile(rb'<svg[^>]*width="([0-9.]+)pt"')
    bars = htmlout.figure_svg(charts.sufficiency_bars(_bars(), "Key questions")[0])
    fig, _ = charts.funnel_plot(*_funnel(), 0.8, "A key question")
    assert fig.get_label() == style.FIXED_LAYOUT
    page = htmlout.figure_svg(fig)
    assert float(width.search(page).group(1)) == 72 * style.FIG_WIDTH  # type: ignore[union-attr]
    assert float(width.search(bars).group(1)) != 72 * style.FIG_WIDTH  # type: ignore[union-attr]


def test_small_numbers_are_hatched_and_the_legend_is_not() -> None:
    fig, alt = charts.sufficiency_bars(_bars(), "Key questions")
    ax = fig.axes[0]
    hatches = [p.get_hatch() for p in ax.patches]
    assert hatches == ["//", None, "//", None]  # first row has n = 6 < SMALL_N, both bars
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["Sufficient", "Not sufficient"]
    assert all(h.get_hatch() is None for h in legend.legend_handles)
    assert "Assessment on time: 50% sufficient of 6 cases" in alt
    charts.close(fig)
