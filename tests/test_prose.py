"""Findings as sentences: every sentence keeps its k and n, words match the shares, and
publication mode withholds words with the share."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis.chapters import prose
from analysis.chapters.context import AreaContext
from analysis.method.words import describe
from analysis.report.html import render

from .chapter_fixtures import area_context

SENTENCE = re.compile(r"In (\d+) of the (\d+) cases(?: where it applied)? \(([^,]+), (\d+)%")


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> AreaContext:
    return area_context("durham-tees-valley", tmp_path_factory.mktemp("out"))


def criterion_rows(ctx: AreaContext, outcome: int, criterion: str):
    q = ctx.tables["question_scores"]
    return q[(q["outcome"] == outcome) & (q["criterion"] == criterion)].sort_values("order")


def test_each_question_has_a_sentence_with_k_n_and_words(ctx: AreaContext) -> None:
    rows = criterion_rows(ctx, 2, "2.1")
    html = render(prose.criterion_paragraph(ctx, rows))
    assert html.count("In ") == len(rows)
    for k, n, words, percent in SENTENCE.findall(html):
        k_, n_ = int(k), int(n)
        assert words == describe(k_, n_)
        assert int(percent) == round(100 * k_ / n_)
    assert "In 64 of the 87 cases (nearly three-quarters, 74%)" in html


def test_every_scoring_question_has_its_own_clause(ctx: AreaContext) -> None:
    ids = {q.id for q in ctx.bank.scoring_questions()}
    assert ids <= set(prose.clauses())


def test_publication_mode_withholds_words_with_the_share(tmp_path: Path) -> None:
    pub = area_context("durham-tees-valley", tmp_path, publish=True)
    html = render(prose.criterion_paragraph(pub, criterion_rows(pub, 5, "5.5")))
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
    assert "Key areas for improvement" in html and "Listed by rule" in html


def test_templates_escape_data(ctx: AreaContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prose, "clauses", dict)  # no written clause: the label is the sentence
    rows = criterion_rows(ctx, 1, "1.1").head(1).assign(label="<b>Bold</b> label")
    assert "&lt;b&gt;bold&lt;/b&gt; label was judged sufficient" in \
        render(prose.criterion_paragraph(ctx, rows))
