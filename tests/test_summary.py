"""The summary chapter: five scores with intervals, the published score for Durham Tees
Valley, the key findings of every outcome, the comparison in words, the data label."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.chapters import summary
from analysis.chapters.context import AreaContext
from analysis.method.positions import WORDS
from analysis.method.published import headline_scores
from analysis.method.tables import CATALOGUE, write_table
from analysis.report.format import interval, pct

from .chapter_fixtures import DATA, area_context


@pytest.fixture(scope="module")
def dtv(tmp_path_factory: pytest.TempPathFactory) -> AreaContext:
    return area_context("durham-tees-valley", tmp_path_factory.mktemp("out"))


def test_scores_intervals_and_published(dtv: AreaContext) -> None:
    html = summary.summary(dtv).html
    assert dtv.area.label_text in html
    published = headline_scores(DATA, "durham-tees-valley")
    for r in dtv.tables["outcome_scores"].itertuples():
        assert f"{pct(r.score)} of the work was done well enough (95% interval " \
               f"{interval(r.lower, r.upper)}); the published report gave " \
               f"{published[r.outcome]}%" in html


def test_synthetic_area_has_no_published_column(tmp_path: Path) -> None:
    html = summary.summary(area_context("varnwater", tmp_path)).html
    assert "Published in 2014" not in html and "published report gave" not in html


def test_key_findings_for_every_outcome(dtv: AreaContext) -> None:
    html = summary.key_findings(dtv).html
    for o in range(1, 6):
        assert f'id="summary-outcome-{o}-strengths"' in html
    assert "In 23 of the 41 cases where it applied" in html


def test_comparison_in_words(tmp_path: Path) -> None:
    ctx = area_context("varnwater", tmp_path)
    assert "No all-areas figures yet" in summary.compared(ctx).html
    o = ctx.tables["outcome_scores"]
    rows = pd.DataFrame({"scope": "all", "area_id": ctx.area.id,
                         "measure": o["outcome"].astype(str), "kind": "outcome",
                         "k": pd.array([None] * 5, dtype="Int64"),
                         "n": pd.array([None] * 5, dtype="Int64"), "share": o["score"],
                         "pooled": [0.9, 0.1, 0.6, 0.6, 0.6], "lower": o["lower"],
                         "upper": o["upper"], "limits": "normal",
                         "decision": ["below", "above", "within", "within", "within"],
                         "beyond_95": "within", "borderline": False, "chance": 0.002})
    for column in CATALOGUE["comparisons"].columns:  # the rest: not known here
        if column not in rows:
            rows[column] = float("nan")
    write_table(rows, tmp_path / "tables", "comparisons")
    ctx.comparison.clear()
    html = summary.compared(ctx).html
    assert html.count(f": {WORDS['below']}") == 1
    assert html.count(f": {WORDS['above']}") == 1
    assert html.count(f": {WORDS['within']}") == 3
