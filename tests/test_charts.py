"""Charts: SVG with text kept as text, byte-identical reruns, the fixed or tight page."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text

from analysis.chapters import charts, style
from analysis.chapters.figures import figure_svg
from analysis.method import between_areas as model
from analysis.method import positions


def _bars() -> pd.DataFrame:
    return pd.DataFrame({"label": ["Assessment on time", "Plan reviewed"], "n": [6, 40],
                         "k": [3, 30], "share": [0.5, 0.75]})


def _answers(a: int, b: int) -> list[style.Category]:
    return [style.Category(("a",), a, style.SUFFICIENT), style.Category(("b",), b, style.NOT_DONE)]


def _funnel() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Four areas and the binomial limits around 80%: 99.8% (deciding) and 95%."""
    points = pd.DataFrame({"n": [20, 40, 60, 8], "share": [0.4, 0.8, 0.95, 0.75],
                           "name": ["Area A", "Area B", "Area C", "Area D"]})
    grid = np.arange(1, 70, dtype=float)
    lower, upper = model.step_limits(0.8, 0.0, grid, 0.001)
    lower_95, upper_95 = positions.plain_limits(0.8, grid)
    at_n = model.step_limits(0.8, 0.0, points["n"].to_numpy(float), 0.001)
    points["decision"] = positions.decide(points["share"], *at_n)
    return points, pd.DataFrame({"n": grid, "lower": lower, "upper": upper,
                                 "lower_95": lower_95, "upper_95": upper_95})


def test_svg_keeps_text_as_text_and_reruns_are_byte_identical() -> None:
    first = figure_svg(charts.sufficiency_bars(_bars(), "Key questions")[0])
    again = figure_svg(charts.sufficiency_bars(_bars(), "Key questions")[0])
    assert first == again
    text = first.decode()
    assert "<text" in text and "Key questions" in text and "Plan reviewed (n=40)" in text
    assert "<dc:date>" not in text  # no timestamp


def test_charts_keep_their_width_and_draw_once() -> None:
    """Bar charts, like funnels, set their own margins and need no second drawing pass for a
    tight crop: every chart is phone-wide (kept at three quarters of its size or more on a
    375-pixel screen: 351 px of text width over 4.6 in at 96 px an inch)."""
    width = re.compile(rb'<svg[^>]*width="([0-9.]+)pt"')
    bars, _ = charts.sufficiency_bars(_bars(), "Key questions")
    counts, _ = charts.distribution_bars(_answers(30, 10), {"a": "Yes", "b": "No"}, 40,
                                         "Answers")
    funnel, _ = charts.funnel_plot(*_funnel(), 0.8, "binomial", "A key question")
    shares = pd.DataFrame([[0.5, 0.8], [0.9, 0.7]], index=["Area A", "Area B"],
                          columns=["Outcome 1", "Outcome 2"])
    heat, _ = charts.heatmap(shares, "Outcome scores by area", "Outcome")
    for fig in (bars, counts, funnel, heat):
        assert fig.get_label() == style.FIXED_LAYOUT
        page = figure_svg(fig)
        assert float(width.search(page).group(1)) == 72 * style.CHART_WIDTH  # type: ignore[union-attr]
        charts.close(fig)
    assert style.PHONE_TEXT_PX / (96 * style.CHART_WIDTH) >= style.PHONE_SHARE


def test_long_answer_labels_get_rows_tall_enough() -> None:
    """A row's label is written above its bar across the chart's width: a label wrapped over
    two lines gets a row taller by a line of 10.5 pt text, and a bar as thick as the others."""
    short, _ = charts.distribution_bars(_answers(1, 1), {"a": "Yes", "b": "No"}, 2, "Short")
    long_label = "Action taken; neither brought back into compliance nor breached by the time"
    tall, _ = charts.distribution_bars(_answers(1, 1), {"a": long_label, "b": "No"}, 2, "Long")
    body = [fig.axes[0].get_position().height * fig.get_figheight() for fig in (short, tall)]
    assert body[1] - body[0] == pytest.approx(charts.ROW_LINE_IN)
    assert charts.ROW_LINE_IN >= style.LABEL_PT * 1.2 / 72
    labels = [t.get_text() for t in tall.axes[0].texts if "Action" in t.get_text()]
    assert labels and labels[0].count("\n") == 1
    bars = [fig.axes[0].patches[0].get_height() for fig in (short, tall)]
    assert bars[0] == pytest.approx(bars[1]), "bars as thick, however tall their rows"
    for fig in (short, tall):
        charts.close(fig)


def test_small_numbers_are_hatched_and_the_legend_says_what_hatching_means() -> None:
    fig, alt = charts.sufficiency_bars(_bars(), "Key questions")
    ax = fig.axes[0]
    hatches = [p.get_hatch() for p in ax.patches]
    assert hatches == ["//", None, "//", None]  # first row has n = 6 < SMALL_N, both bars
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == ["Sufficient", "Not sufficient",
                                                          charts.hatch_words()]
    assert [h.get_hatch() for h in legend.legend_handles] == [None, None, style.HATCH]
    assert "Assessment on time: 50% sufficient of 6 cases" in alt
    charts.close(fig)
    fig, _ = charts.sufficiency_bars(_bars().iloc[1:], "Key questions")   # none small
    assert len(fig.legends[0].get_texts()) == 2
    charts.close(fig)


def test_funnel_names_every_dot_without_overlap_and_explains_small_samples() -> None:
    points, curve = _funnel()
    crowded = pd.concat([points] * 3, ignore_index=True)   # 12 dots, many on top of each other
    crowded["name"] = [f"Area {i:02d} with a long name" for i in range(len(crowded))]
    fig, alt = charts.funnel_plot(crowded, curve, 0.8, "binomial", "A key question")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    # the text itself, not its leader line (an Annotation's extent includes the line)
    boxes = [Text.get_window_extent(t, renderer) for t in fig.axes[0].texts]
    assert len(boxes) == len(crowded)
    page = fig.bbox
    for i, box in enumerate(boxes):
        assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 <= box.y1 <= page.y1
        assert all(not box.overlaps(other) for other in boxes[i + 1:])
    texts = [t.get_text().replace("\n", " ") for t in fig.axes[0].texts]   # unwrapped
    assert "Area 03 with a long name* 75%" in texts          # n = 8: starred
    assert all(t.get_fontsize() >= style.MIN_PT for t in fig.axes[0].texts)  # printed as drawn
    legend = [t.get_text().replace("\n", " ") for t in fig.legends[0].get_texts()]
    assert "* fewer than 10 cases" in legend and "Unusually low among areas" in legend
    assert "99.8% limits: beyond them, unusual among areas" in legend
    assert "Unusually low among areas: Area 00 with a long name 40% of 20" in alt
    assert "funnel" not in alt.lower()
    charts.close(fig)


def test_dots_beyond_the_drawn_limits_are_exactly_the_dots_decided_outside() -> None:
    points, curve = _funnel()
    fig, _ = charts.funnel_plot(points, curve, 0.8, "binomial", "A key question")
    ax = fig.axes[0]
    upper = ax.lines[0]
    assert upper.get_drawstyle() == "steps-mid"
    n_line, y_line = upper.get_xdata(), upper.get_ydata()
    lower_y = ax.lines[1].get_ydata()
    for r in points.itertuples():
        i = int(np.flatnonzero(n_line == r.n)[0])
        outside = 100 * r.share > y_line[i] or 100 * r.share < lower_y[i]
        assert outside == (r.decision != "within")
    charts.close(fig)


def test_a_reused_funnel_canvas_draws_what_a_fresh_figure_draws() -> None:
    """The aggregate reports draw every funnel in one canvas: what it shows for a question
    must not depend on the questions drawn before (more names, other limits, other dots)."""
    points, curve = _funnel()
    crowded = pd.concat([points] * 3, ignore_index=True)
    crowded["name"] = [f"Area {i:02d}" for i in range(len(crowded))]
    crowded["decision"] = "above"
    canvas = charts.FunnelCanvas()
    canvas.draw(crowded, curve, 0.6, "beta-binomial", "First question")
    fig, alt = canvas.draw(points, curve, 0.8, "binomial", "Second question")
    fresh, fresh_alt = charts.funnel_plot(points, curve, 0.8, "binomial", "Second question")
    assert figure_svg(fig) == figure_svg(fresh) and alt == fresh_alt
    assert [t.get_text() for t in fig.axes[0].texts if t.get_visible()] == [
        t.get_text() for t in fresh.axes[0].texts]
    charts.close(fig)
    charts.close(fresh)


def test_relative_luminance_is_seaborns() -> None:
    """The heatmap's ink-or-paper rule, computed here as seaborn computes it."""
    import matplotlib
    from seaborn.utils import relative_luminance as seaborns

    colours = [matplotlib.colormaps[style.SHARE_MAP](x) for x in np.linspace(0, 1, 21)]
    colours += [style.INK, style.PAPER, "#767676", (0.2, 0.4, 0.6)]
    assert [round(charts.relative_luminance(c), 12) for c in colours] == [
        round(seaborns(c), 12) for c in colours]
    assert charts.relative_luminance("#000000") == 0.0 and charts.relative_luminance("white") == 1.0


def test_every_chart_reads_its_width_and_text_sizes_from_style() -> None:
    """One rule in one place (issue 28): no chart module sets a figure's width or a text size
    of its own; each reads style.CHART_WIDTH and style's text sizes, all at least MIN_PT."""
    from pathlib import Path

    chapters = Path(charts.__file__).parents[1]  # the chart modules and every other chapter's
    for path in chapters.rglob("*.py"):
        source, name = path.read_text(encoding="utf-8"), path.relative_to(chapters)
        assert re.findall(r"figsize=\((?!style\.CHART_WIDTH)", source) == [], name
        assert re.findall(r"(?:fontsize|labelsize)=(?!style\.)", source) == [], name
    assert min(style.LABEL_PT, style.LEGEND_PT, style.TITLE_PT) >= style.MIN_PT
