"""Findings as sentences: every sentence keeps its k and n, words match the shares, and
publication mode withholds words with the share."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.chapters import prose
from analysis.chapters.context import AreaContext
from analysis.method.rounding import percent_of
from analysis.method.words import describe
from analysis.report.html import render
from analysis.report.model import Kind, Number, share_of

from .chapter_fixtures import area_context

SENTENCE = re.compile(r"In (\d+) of the (\d+) cases(?: where it applied)? \(([^,]+), (\d+)%")


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> AreaContext:
    return area_context("durham-tees-valley", tmp_path_factory.mktemp("out"))


def criterion_rows(ctx: AreaContext, outcome: int, criterion: str):
    q = ctx.tables["question_scores"]
    return q[(q["outcome"] == outcome) & (q["criterion"] == criterion)].sort_values("order")


def test_a_short_criterion_has_a_sentence_per_question_with_k_n_and_words(
        ctx: AreaContext) -> None:
    rows = criterion_rows(ctx, 2, "2.1").head(2)
    html = render(prose.criterion_paragraph(ctx, rows))
    assert html.count("In ") == len(rows)
    found = SENTENCE.findall(html)
    assert found
    for k, n, words, percent in found:
        k_, n_ = int(k), int(n)
        assert words == describe(k_, n_)
        assert int(percent) == percent_of(k_, n_)


def test_a_long_criterion_leads_with_what_stands_out_once(ctx: AreaContext) -> None:
    """Criterion 2.1 (17 questions): the best and the weakest, against the criterion's score;
    every row is left to the table."""
    rows = criterion_rows(ctx, 2, "2.1")
    score = Number(float(rows["share"].mean()), Kind.SCORE, share_of("k", "n"))
    html = render(prose.criterion_paragraph(ctx, rows, score))
    clauses = prose.clauses()
    enough = rows[rows["n"] >= prose.min_listed_n(ctx)]
    best = enough.loc[enough["share"].idxmax()]
    worst = enough.loc[enough["share"].idxmin()]
    assert f"Of the {len(rows)} questions of this criterion (its score: {score.text})" in html
    assert f"done best where {clauses[best['question']]}: {best['k']} of {best['n']}" in html
    assert f"least well where {clauses[worst['question']]}: {worst['k']} of {worst['n']}" in html
    assert "points below the criterion" in html and "points above the criterion" in html
    others = set(rows["question"]) - {best["question"], worst["question"]}
    assert not [q for q in others if clauses[q] in html]
    assert len(html) < 800


def test_every_scoring_question_has_its_own_clause(ctx: AreaContext) -> None:
    ids = {q.id for q in ctx.bank.scoring_questions()}
    assert ids <= set(prose.clauses())


def test_publication_mode_withholds_words_with_the_share(tmp_path: Path) -> None:
    pub = area_context("durham-tees-valley", tmp_path, publish=True)
    rows = criterion_rows(pub, 5, "5.5")
    pair = pd.concat([rows[(rows["k"] == 4) & (rows["n"] == 7)].head(1),
                      rows[(rows["k"] == 6) & (rows["n"] == 7)].head(1)])
    assert len(pair) == 2  # two questions: a sentence each
    html = render(prose.criterion_paragraph(pub, pair))
    # 4 of 7: count, complement and denominator below 5, so neither the count nor words show
    assert "In [c] of the 7 cases where it applied, the offender manager and the victim" in html
    assert "more than half" not in html
    # 6 of 7: the count is not small but its complement is: the count is withheld too
    assert "In 6 of the 7" not in html


def test_key_findings_are_sentences_with_intervals(ctx: AreaContext) -> None:
    exhibit = prose.key_findings_block(ctx, 1)
    html = exhibit.html
    assert set(exhibit.data["listed"]) == {"strength", "improvement"}
    assert "In 10 of the 18 cases where it applied (more than half, 56%; 95% interval " in html
    assert "Key areas for improvement" in html and "Listed by rule" not in html
    improvements = html.split('id="outcome-1-improve"')[1]
    assert improvements.count("This should have been so in more cases.") == \
        len(exhibit.data[exhibit.data["listed"] == "improvement"])


def test_templates_escape_data(ctx: AreaContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prose, "clauses", dict)  # no written clause: the label is the sentence
    rows = criterion_rows(ctx, 1, "1.1").head(1).assign(label="<b>Bold</b> label")
    assert "&lt;b&gt;bold&lt;/b&gt; label was judged sufficient" in \
        render(prose.criterion_paragraph(ctx, rows))
