"""Colours: one module owns them, each colour keeps one meaning, at most eight in a chart.

The palette rules are checked on the question bank's scales; then every chart an area report
draws (and the comparison charts of the aggregate, on small frames) is drawn here and read
back: its legend and bar labels with their fill colours, and its caption when bars are hatched.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import matplotlib.colors as mcolors
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analysis.chapters import appendices, charts, outcomes, style
from analysis.chapters.figures import chart, hatched
from analysis.method import positions
from analysis.method.bank import load_bank
from analysis.report.exhibit import Exhibit
from analysis.report.html import block_html
from analysis.report.model import Text
from tests.chapter_fixtures import area_context

CHAPTERS = Path(__file__).resolve().parent.parent / "analysis" / "chapters"
BLUES = {style.SUFFICIENT, style.SUFFICIENT_PART}
ORANGES = {style.NOT_SUFFICIENT, style.NOT_DONE}
CAPTION = re.compile(r"<figcaption>(.*?)</figcaption>", re.S)


def _hex(colour: object) -> str:
    return mcolors.to_hex(colour, keep_alpha=False).upper()  # type: ignore[arg-type]


def _luminance(colour: str) -> float:
    """WCAG relative luminance."""
    channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
                for c in mcolors.to_rgb(colour)]
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def test_no_chapter_module_but_style_names_a_colour() -> None:
    literal = re.compile(r"#[0-9A-Fa-f]{6}\b|colou?rs?\s*=\s*[\"']|[\"']colou?r[\"']\s*:\s*[\"']")
    found = {str(p.relative_to(CHAPTERS)): literal.findall(p.read_text())
             for p in CHAPTERS.rglob("*.py") if p.name != "style.py"}
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_each_fixed_meaning_has_its_own_colour_and_no_palette_reuses_one() -> None:
    fixed = [c.upper() for c in style.FIXED.values()]
    assert len(set(fixed)) == len(fixed)
    palettes = [c.upper() for c in (*style.QUALITATIVE, *style.SEQUENTIAL)]
    assert len(set(palettes)) == len(palettes)
    assert not set(fixed) & set(palettes)
    assert len(style.QUALITATIVE) == style.MAX_COLOURS == 8


def test_text_inside_a_sufficient_bar_is_readable() -> None:
    light, dark = _luminance(style.INK_ON_DARK), _luminance(style.SUFFICIENT)
    assert (light + 0.05) / (dark + 0.05) >= 4.5   # WCAG AA for normal text


def test_every_bank_scale_is_coloured_by_meaning() -> None:
    bank = load_bank()
    for scale in bank.scales.values():
        colours = dict(zip(scale.levels, style.level_colours(scale, scale.levels),
                           strict=True))
        for level, colour in colours.items():
            if level in style.NO_ANSWER:
                assert colour == style.NOT_APPLICABLE
            elif level in scale.sufficient:
                assert colour in BLUES, (scale.name, level)
            elif scale.sufficient:
                assert colour in ORANGES, (scale.name, level)   # "no", "not done": never green
            elif scale.ordered:
                assert colour in style.SEQUENTIAL, (scale.name, level)
            else:
                assert colour in style.QUALITATIVE, (scale.name, level)
        if scale.ordered and not scale.sufficient:   # a ramp, lightest first
            shades = [_luminance(colours[lv]) for lv in scale.levels]
            assert shades == sorted(shades, reverse=True) and len(set(shades)) == len(shades)
    sufficiency = bank.scales["sufficiency"]
    assert style.level_colours(sufficiency, ["sufficient", "insufficient", "none"]) == [
        style.SUFFICIENT, style.NOT_SUFFICIENT, style.NOT_DONE]


def test_answers_beyond_the_palette_are_combined_as_other() -> None:
    scale = load_bank().scales["offence_group"]
    counts = list(range(1, len(scale.levels) + 1))
    bars = style.categories(scale, scale.levels, counts)
    assert len(bars) <= style.MAX_COLOURS < len(scale.levels)
    assert sum(b.count for b in bars) == sum(counts)
    assert [lv for b in bars for lv in b.levels] == [*scale.levels[:-1], "not_recorded"]
    other = [b for b in bars if b.other]
    assert len(other) == 1 and other[0].colour == style.QUALITATIVE[-1]
    assert bars[-1].levels == ("not_recorded",) and bars[-1].colour == style.NOT_APPLICABLE
    few = load_bank().scales["sex"]
    assert not any(b.other for b in style.categories(few, few.levels, [3, 4]))


def _comparison_figures() -> Iterator[Figure]:
    """The comparison charts (area report and aggregate) and a heatmap, on made-up figures."""
    points = pd.DataFrame({"n": [20, 40, 60, 8], "share": [0.5, 0.8, 0.95, 0.75],
                           "name": ["Area A", "Area B", "Area C", "Area D"]})
    at_n = positions.plain_limits(0.8, points["n"].to_numpy(float))
    points["decision"] = positions.decide(points["share"], *at_n)
    grid = pd.Series(range(1, 70), dtype=float)
    lower, upper = positions.plain_limits(0.8, grid.to_numpy())
    curve = pd.DataFrame({"n": grid, "lower": lower, "upper": upper, "lower_95": lower,
                          "upper_95": upper})
    yield charts.funnel_plot(points, curve, 0.8, "binomial", "A question")[0]
    rows = points.assign(label=points["name"], pooled=0.8, lower=at_n[0], upper=at_n[1])
    yield charts.comparison_dots(rows, "Questions", "Area A", "limits")[0]
    yield charts.score_intervals(rows, "Outcome 1", 0.8)[0]
    shares = pd.DataFrame([[i / 40, 1 - i / 50, 0.5 + i / 100] for i in range(40)],
                          columns=["Outcome 1", "Outcome 2", "Outcome 3"])
    shares.iloc[0, 0] = float("nan")
    yield charts.heatmap(shares, "Outcome scores by area", "Outcome")[0]


def _area_exhibits(tmp: Path) -> list[Exhibit]:
    """Every exhibit with a chart that an area report shows, from the notebooks' calls."""
    ctx = area_context("durham-tees-valley", tmp)
    found = [outcomes.data_summary(ctx, o) for o in range(1, 6)]
    found += [outcomes.distribution(ctx, v, v, v) for v in (
        "report_type", "sp_review", "compliance_path", "progress", "further_offending", "rmp",
        "rosh_review")]
    found.append(outcomes.questions_chart(ctx, ["initial_appointment_timely",
                                                "induction_personalised", "barriers_assessed"],
                                          "Engagement", "e"))
    found.append(appendices.case_sample(ctx))
    return found


def _labelled_fills(fig: Figure) -> Iterator[tuple[str, str]]:
    """(label, fill colour) pairs a reader sees: legend entries, else bars beside their label."""
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend()] + list(fig.legends)
    for legend in legends:
        for text, handle in zip(legend.get_texts(), legend.legend_handles, strict=True):
            if isinstance(handle, Patch):
                yield text.get_text(), _hex(handle.get_facecolor())
            elif isinstance(handle, Line2D):
                marked = handle.get_marker() not in (None, "None", "")
                face = handle.get_markerfacecolor() if marked else handle.get_color()
                yield text.get_text(), _hex(face)
    for ax in fig.axes:
        ticks = [t.replace("\n", " ") for t in row_labels(ax)]  # unwrapped
        if not ax.get_legend() and not fig.legends and len(ax.patches) == len(ticks):
            for label, bar in zip(ticks, ax.patches, strict=True):
                yield label, _hex(bar.get_facecolor())


def row_labels(ax: Axes) -> list[str]:
    """The label of each row of a chart: written above its bar (a row chart, positioned on
    the y axis' transform), else the y axis' tick labels (a heatmap, a funnel)."""
    above = [t.get_text() for t in ax.texts if t.get_transform() is ax.get_yaxis_transform()]
    return above or [t.get_text() for t in ax.get_yticklabels()]


def _fills(fig: Figure) -> set[str]:
    """Every colour something is filled with (bars, dots, heatmap cells), none transparent,
    as drawn (a colour scale maps its values to colours when it is drawn)."""
    fig.canvas.draw()
    found = [p.get_facecolor() for ax in fig.axes for p in ax.patches]
    found += [c for ax in fig.axes for coll in ax.collections for c in coll.get_facecolors()]
    return {_hex(c) for c in found if mcolors.to_rgba(c)[3] > 0}


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[tuple[list[Exhibit], list[Figure]]]:
    exhibits = _area_exhibits(tmp_path_factory.mktemp("out"))
    figures = [f for e in exhibits for f in e.figures] + list(_comparison_figures())
    yield exhibits, figures
    for fig in figures:
        charts.close(fig)


def test_no_chart_has_more_than_eight_fill_colours(drawn) -> None:  # type: ignore[no-untyped-def]
    _, figures = drawn
    assert len(figures) >= 15
    assert max(len(_fills(f)) for f in figures) <= style.MAX_COLOURS
    assert len(_fills(figures[-1])) == len(style.SHARE_STEPS) - 1   # the heatmap's steps


def test_one_colour_keeps_one_meaning_across_an_areas_charts(drawn) -> None:  # type: ignore[no-untyped-def]
    _, figures = drawn
    bank = load_bank()
    good = {"Sufficient"} | {s.label(lv) for s in bank.scales.values() for lv in s.sufficient}
    bad = {"Not sufficient"} | {s.label(lv) for s in bank.scales.values() if s.sufficient
                                for lv in s.levels if lv not in s.sufficient}
    colour_of: dict[str, set[str]] = defaultdict(set)
    labels_of: dict[str, set[str]] = defaultdict(set)
    for fig in figures:
        for label, colour in _labelled_fills(fig):
            colour_of[label].add(colour)
            labels_of[colour].add(label)
    assert {lab: c for lab, c in colour_of.items() if len(c) > 1} == {}   # a label, one colour
    assert labels_of[style.SUFFICIENT] and labels_of[style.SUFFICIENT] <= good
    assert labels_of[style.SUFFICIENT_PART] <= good
    assert labels_of[style.NOT_SUFFICIENT] | labels_of[style.NOT_DONE] <= bad
    assert colour_of["Not done at all"] == {style.NOT_DONE}
    assert all(colour_of[lab] <= ORANGES for lab in bad & set(colour_of))
    decisions = {charts.capital(w) for w in positions.WORDS.values()}
    assert {lab for lab in decisions if colour_of[lab] & (BLUES | ORANGES)} == set()


def test_every_hatched_figure_says_so_in_legend_and_caption(drawn) -> None:  # type: ignore[no-untyped-def]
    exhibits, _ = drawn
    for exhibit in exhibits:
        captions = CAPTION.findall(exhibit.html)
        assert len(captions) == len(exhibit.figures)
        for fig, caption in zip(exhibit.figures, captions, strict=True):
            legends = [ax.get_legend() for ax in fig.axes if ax.get_legend()] + fig.legends
            texts = [t.get_text() for legend in legends for t in legend.get_texts()]
            is_hatched = hatched(fig)
            assert (charts.hatch_words() in texts) == is_hatched
            assert ("Hatched bars" in caption) == is_hatched
    bars = pd.DataFrame({"label": ["On time", "Reviewed"], "n": [6, 40], "k": [3, 30],
                         "share": [0.5, 0.75]})
    fig, alt = charts.sufficiency_bars(bars, "Key questions")
    assert f"fewer than {style.SMALL_N} cases" in CAPTION.findall(
        block_html(chart(fig, alt, Text.of("Key questions."))))[0]
    charts.close(fig)


def test_a_chart_that_combines_answers_says_so_in_its_text_and_caption(drawn) -> None:  # type: ignore[no-untyped-def]
    exhibits, _ = drawn
    combined = 0
    for exhibit in exhibits:
        for fig, caption in zip(exhibit.figures, CAPTION.findall(exhibit.html), strict=True):
            ticks = [t for ax in fig.axes for t in row_labels(ax)]
            other = [t for t in ticks if t.startswith("Other (") and "combined" in t]
            assert bool(other) == ("the chart combines" in caption)
            combined += bool(other)
    assert combined   # the principal offence chart: eleven answers, at most eight colours
