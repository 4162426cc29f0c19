"""Snapshots of every chapter building block, one per exhibit, as readable text (syrupy).

Each block is made from the tables of the session's two-area build and written as plain text
by the report model's text renderer (:mod:`analysis.report.text`: one line per heading,
paragraph, list item and table row; a chart is its caption and alternative text), so that a
changed number or word shows as a one-line difference. A deliberate change of a chapter
updates the snapshots: ``pytest tests/test_chapter_snapshots.py --snapshot-update``, then read
the diff. How blocks become HTML is tested once, in tests/test_report_html.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from analysis.chapters import annex, appendices, comparison, outcomes
from analysis.chapters.context import AreaContext
from analysis.report import text
from analysis.report.exhibit import Exhibit

from .conftest import BUILT_AREAS, Built

AREAS = ["durham-tees-valley", "vale-of-braxness"]
AGGREGATE_BLOCKS = ("overview", "area_table", "introduction", "outcome_summary",
                    "outcome_intervals", "funnels", "question_heatmap", "pooled_question_table",
                    "pooled_factors",
                    "published_vs_recomputed", "methods_appendix")
IMAGE = re.compile(r'src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+"')


@pytest.fixture(scope="module")
def tables(two_areas: Built) -> Path:
    """The session's build of the two areas (read only)."""
    assert BUILT_AREAS == AREAS
    return two_areas.out


def _text(exhibit: Exhibit) -> str:
    for fig in exhibit.figures:
        plt.close(fig)
    return text.render(exhibit.blocks)


OUTCOME_BLOCKS: dict[str, Callable[[AreaContext, int], Exhibit]] = {
    "headline": outcomes.headline,
    "strengths": outcomes.strengths_and_improvements,
    "findings": outcomes.findings,
    "data_summary": outcomes.data_summary,
    "question_tables": outcomes.question_tables,
}


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("outcome", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("block", sorted(OUTCOME_BLOCKS))
def test_outcome_blocks(tables: Path, snapshot, area: str, outcome: int, block: str) -> None:  # type: ignore[no-untyped-def]
    ctx = AreaContext.load(area, output_dir=str(tables))
    assert _text(OUTCOME_BLOCKS[block](ctx, outcome)) == snapshot


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("publish", [False, True])
def test_comparison_and_appendices(tables: Path, snapshot, area: str, publish: bool) -> None:  # type: ignore[no-untyped-def]
    ctx = AreaContext.load(area, output_dir=str(tables),
                           policy="publish:5" if publish else "open")
    assert _text(comparison.comparison(ctx)) == snapshot(name="comparison")
    assert _text(comparison.key_questions(ctx)) == snapshot(name="key_questions")
    for name in ("area_context", "survey", "case_sample", "method", "method_detail"):
        assert _text(getattr(appendices, name)(ctx)) == snapshot(name=name)
    assert _text(annex.about(ctx)) == snapshot(name="annex_about")


@pytest.mark.parametrize("area", AREAS)
def test_summary_blocks(tables: Path, snapshot, area: str) -> None:  # type: ignore[no-untyped-def]
    from analysis.chapters import summary

    ctx = AreaContext.load(area, output_dir=str(tables))
    for name in ("at_a_glance", "recommendations", "summary"):
        assert _text(getattr(summary, name)(ctx)) == snapshot(name=name)


def test_aggregate_blocks(tables: Path, snapshot) -> None:  # type: ignore[no-untyped-def]
    from analysis.chapters import aggregate
    from analysis.chapters.context import AggregateContext

    ctx = AggregateContext.load(output_dir=str(tables))
    for name in AGGREGATE_BLOCKS:
        exhibit = getattr(aggregate, name)(ctx)
        assert _text(exhibit) == snapshot(name=name)
        if name == "funnels":  # drawn in one reused figure; each a figure of its own on demand
            _assert_figures_are_the_images(exhibit)


def _assert_figures_are_the_images(exhibit) -> None:  # type: ignore[no-untyped-def]
    """Every chart the exhibit embeds is, byte for byte, the SVG of its figure."""
    import base64

    from analysis.chapters.figures import figure_svg

    images = [base64.b64decode(m.group(0).split(",", 1)[1].rstrip('"'))
              for m in IMAGE.finditer(exhibit.html)]
    assert len(images) == len(exhibit.figures) > 10
    for i in (0, len(images) // 2, len(images) - 1):
        assert figure_svg(exhibit.figures[i]) == images[i], i
