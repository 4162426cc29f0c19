"""The aggregate at many areas: overview charts that stay within a page and never overlap their
names, the sortable table of every area, and the per-area charts replaced beyond the stated
number of areas. Charts are drawn from small in-code data; the chapters read the session's
two-area build (no build of generated areas here: ``make benchmark`` measures those)."""

from __future__ import annotations

import dataclasses
import itertools
import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

from analysis.chapters import aggregate, charts, style
from analysis.chapters.context import AggregateContext
from analysis.method.positions import ABOVE, BELOW, WITHIN
from analysis.pipeline import stitch
from analysis.pipeline.jobs import Page, Provenance
from analysis.report.model import Chart, Table

from .conftest import BUILT_AREAS, Built


def _strips(areas: int, measures: int, seed: int = 7) -> list[charts.Strip]:
    rng = np.random.default_rng(seed)
    out = []
    for m in range(measures):
        centre = rng.uniform(0.5, 0.9)
        values = np.clip(rng.normal(centre, 0.07, areas), 0, 1)
        decisions = np.where(values > centre + 0.15, ABOVE,
                             np.where(values < centre - 0.15, BELOW, WITHIN))
        names = tuple(f"Area number {i} of {m}" for i in range(areas))
        out.append(charts.Strip(f"Measure {m}", names, values, tuple(decisions), centre,
                                (centre - 0.1, centre + 0.1), (centre - 0.15, centre + 0.15),
                                decisions != WITHIN))
    return out


def _overlaps(texts: list[plt.Text]) -> list[tuple[str, str]]:
    fig = texts[0].figure
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts if t.get_text()]
    return [(a, b) for (a, x), (b, y) in itertools.combinations(boxes, 2) if x.overlaps(y)]


@pytest.mark.parametrize("areas", [12, 35, 200])
def test_outcome_spread_fits_a_page_and_names_only_unusual_areas(areas: int) -> None:
    strips = _strips(areas, 5)
    fig, alt = charts.spread_strips(strips, "Spread")
    assert fig.get_figheight() * 72 <= style.MAX_PAGE_PT
    names = [t for t in fig.texts if t.get_text().startswith("Area number")]
    unusual = {n for s in strips for n, u in zip(s.names, s.named, strict=True) if u}
    assert {t.get_text() for t in names} <= unusual
    assert _overlaps([t for t in fig.texts if t.get_text()]) == []
    for s in strips:  # the alt text names every unusual area, drawn or not
        for n, d in zip(s.names, s.decisions, strict=True):
            assert (n in alt) == (d != WITHIN)
    for ax in fig.axes:  # each axis fits its data, within 0-100% and on whole steps
        low, high = ax.get_xlim()
        assert 0 <= low < high <= 100 and low % style.AXIS_STEP == high % style.AXIS_STEP == 0
    plt.close(fig)


@pytest.mark.parametrize("areas", [12, 200])
def test_key_question_grid_fits_a_page(areas: int) -> None:
    fig, alt = charts.spread_grid(_strips(areas, 10), "Grid")
    assert fig.get_figheight() * 72 <= style.MAX_PAGE_PT
    assert alt.startswith("Grid. Each area a dot. Measure 0:")
    plt.close(fig)


def test_axis_fits_what_it_draws() -> None:
    assert charts.axis_range(0.62, 0.91) == (50.0, 100.0)
    assert charts.axis_range(0.74, 0.86) == (70.0, 90.0)
    assert charts.axis_range(0.02, 0.5) == (0.0, 60.0)


def test_swarm_dots_never_overlap() -> None:
    x = np.random.default_rng(3).normal(1.0, 0.2, 300)
    y = charts.swarm(x, 0.05)
    gaps = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    np.fill_diagonal(gaps, np.inf)
    assert gaps.min() >= 0.05 * 0.98 ** 0.5 - 1e-12


@pytest.fixture(scope="module")
def ctx(two_areas: Built) -> AggregateContext:
    assert BUILT_AREAS
    return AggregateContext.load(output_dir=str(two_areas.out))


def test_every_area_in_one_sortable_table_linked_to_its_report(ctx: AggregateContext) -> None:
    unbuilt = ctx.areas[0]
    ctx = dataclasses.replace(ctx, reports=frozenset(a.id for a in ctx.areas[1:]))
    exhibit = aggregate.area_table(ctx)
    (table,) = [b for b in exhibit.blocks if isinstance(b, Table)]
    assert table.sortable and len(table.rows) == len(ctx.areas)
    html = exhibit.html
    assert '<table class="data cards" data-sortable="">' in html
    links = re.findall(r'<th scope="row" data-value="[^"]*"><a href="([^"]+)">', html)
    # an area without a report (not built) is named, not linked: no link leads nowhere
    assert links == [f"../{a.id}/report.html" for a in ctx.areas[1:]]
    assert re.search(rf'<th scope="row" data-value="[^"]*">{unbuilt.name} \(', html)
    values = re.findall(r'<td class="num"(?: data-label="[^"]*")? data-value="([^"]*)">', html)
    assert values and all(float(v) >= 0 for v in values)


def test_the_overview_comes_first_and_draws_every_area(ctx: AggregateContext) -> None:
    exhibit = aggregate.overview(ctx)
    charts_ = [b for b in exhibit.blocks if isinstance(b, Chart)]
    assert len(charts_) == 1 + len(ctx.bank.outcomes)
    # each outcome: the all-areas score and every area's score, drawn as numbers of the model
    assert len(charts_[0].numbers) == len(ctx.bank.outcomes) * (1 + len(ctx.areas))
    assert "12 areas from" in charts_[0].alt
    nb = (Path(__file__).resolve().parent.parent / "notebooks" / "aggregate.ipynb").read_text()
    assert nb.index("g.overview(ctx)") < nb.index("g.introduction(ctx)")


def test_charts_of_one_row_per_area_give_way_to_the_table_beyond_the_stated_number(
        ctx: AggregateContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(style, "MAX_AREA_ROWS", 1)
    monkeypatch.setattr(style, "MAX_AREA_COLUMNS", 1)
    monkeypatch.setattr(style, "MAX_NAMED_DOTS", 1)
    for name in ("outcome_summary", "outcome_intervals", "question_heatmap"):
        exhibit = getattr(aggregate, name)(ctx)
        assert not [b for b in exhibit.blocks if isinstance(b, Chart)], name
        assert "are not drawn" in exhibit.html, name
    funnels = aggregate.funnels(ctx)
    assert "names only the areas unusual among areas" in funnels.html


def test_a_page_with_a_sortable_table_carries_one_inline_script() -> None:
    page = Page("Aggregate", "", "synthetic", Provenance("synthetic", "test", {}, {}, {}))
    plain = stitch.report_page(['<table class="data"><caption>x</caption></table>'], page, "")
    assert "<script" not in plain
    for opening in ('<table class="data" data-sortable="">',
                    '<table class="data cards" data-sortable="">'):  # as a report's table is
        sortable = stitch.report_page([opening + "<caption>x</caption></table>"], page, "")
        assert sortable.count("<script>") == 1 and "<script src" not in sortable
        assert 'class="table-wrap"' in sortable  # a box of its own, like every other table


def test_a_funnel_of_many_areas_names_only_the_unusual_ones() -> None:
    import pandas as pd

    rng = np.random.default_rng(5)
    n = rng.integers(20, 90, 60)
    share = np.clip(rng.normal(0.75, 0.08, 60), 0, 1)
    decision = np.where(share > 0.9, ABOVE, np.where(share < 0.6, BELOW, WITHIN))
    points = pd.DataFrame({"name": [f"Area {i}" for i in range(60)], "n": n, "share": share,
                           "decision": decision, "named": decision != WITHIN})
    grid = np.arange(1, 100, dtype=float)
    curve = pd.DataFrame({"n": grid, "lower": 0.75 - 1 / np.sqrt(grid),
                          "upper": 0.75 + 1 / np.sqrt(grid), "lower_95": 0.75 - 0.7 / np.sqrt(grid),
                          "upper_95": 0.75 + 0.7 / np.sqrt(grid)})
    fig, _ = charts.funnel_plot(points, curve, 0.75, "beta-binomial", "Many areas")
    shown = {t.get_text().rsplit(" ", 1)[0] for t in fig.axes[0].texts if t.get_visible()}
    assert shown and shown <= set(points.loc[points["named"], "name"])
    plt.close(fig)
