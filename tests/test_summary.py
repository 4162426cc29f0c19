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
    glance = summary.at_a_glance(dtv).html
    published = headline_scores(DATA, "durham-tees-valley")
    for r in dtv.tables["outcome_scores"].itertuples():
        assert f'data-label="Score">{pct(r.score)}</td><td class="num" ' \
               f'data-label="95% interval">{interval(r.lower, r.upper)}</td>' in html
        assert f"{pct(r.score)} done well enough (" in glance
        assert f"published in 2014: {published[r.outcome]}%" in glance


def test_synthetic_area_has_no_published_column(tmp_path: Path) -> None:
    ctx = area_context("varnwater", tmp_path)
    html = summary.summary(ctx).html + summary.at_a_glance(ctx).html
    assert "Published in 2014" not in html and "published in 2014" not in html


def test_at_a_glance_chart_verdicts_and_priorities(dtv: AreaContext) -> None:
    glance = summary.at_a_glance(dtv)
    html = glance.html
    assert html.startswith('<h2 id="at-a-glance">')
    assert html.count("<figure") == 1 and "Dot chart" in html
    assert list(glance.data["outcome"]) == [1, 2, 3, 4, 5]
    assert glance.data["published"].tolist() == [89, 79, 70, 70, 66]
    verdicts = html.split('class="verdicts"')[1].split("</ul>")[0]
    assert verdicts.count("<li>") == 5
    priorities = html.split('class="priorities"')[1].split("</ol>")[0]
    assert 3 <= priorities.count("<li>") <= 5
    assert priorities.count('<a href="#outcome-') == priorities.count("<li>")


def test_summary_lists_no_key_findings_they_are_in_the_outcome_chapters(
        dtv: AreaContext) -> None:
    from analysis.chapters import appendices, outcomes

    assert not hasattr(summary, "key_findings")
    chapter = outcomes.strengths_and_improvements(dtv, 1).html
    assert 'id="outcome-1-strengths"' in chapter and "Listed by rule" not in chapter
    assert "are chosen by one rule" not in chapter
    assert appendices.method(dtv).html.count("are chosen by one rule") == 1


def test_recommendations_generated_where_no_commentary(tmp_path: Path) -> None:
    from analysis.chapters import outcomes

    ctx = area_context("haskbrook", tmp_path)
    made = summary.recommendations(ctx)
    html = made.html
    assert "Generated from the case data" in html
    items = html.split('class="recommendations"')[1].split("</ol>")[0].split("<li>")[1:]
    assert 3 <= len(items) <= 5
    anchors = {f'id="{a}"' for a in made.data["evidence"]}
    chapters = "".join(outcomes.findings(ctx, o).html for o in range(1, 6))
    assert all(item.startswith("The area should ") for item in items)
    assert len(made.data) == len(items)
    assert all(a in chapters for a in anchors), anchors - {a for a in anchors if a in chapters}


def test_commentary_recommendations_replace_the_generated(dtv: AreaContext) -> None:
    html = summary.recommendations(dtv).html
    assert "Generated from the case data" not in html
    assert "The area should increase" not in html
    assert "Assess risk of harm accurately" in html


def test_comparison_in_words(tmp_path: Path) -> None:
    ctx = area_context("varnwater", tmp_path)
    assert "within the usual range" not in summary.at_a_glance(ctx).html  # no all-areas yet
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
    html = summary.at_a_glance(ctx).html
    assert html.count(f"; {WORDS['below']} (all areas") == 1
    assert html.count(f"; {WORDS['above']} (all areas") == 1
    assert html.count(f"; {WORDS['within']} (all areas") == 3
