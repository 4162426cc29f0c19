"""The commentary file: parsed into its sections, escaped, placed; bad files named by line."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from analysis.chapters import commentary
from analysis.chapters.commentary import markdown_html
from analysis.method.commentary import CommentaryError, check_commentaries, load_commentary, parse

from .chapter_fixtures import DATA, area_context


def test_bundled_commentary_has_every_section() -> None:
    c = load_commentary(DATA, "durham-tees-valley")
    assert "(its Recommendations)" in c.recommendations
    # it cites sections of the published report, never pages the reader does not have
    assert not re.search(r"\bpages? \d", c.foreword + c.recommendations
                         + "".join(c.outcomes.values()))
    assert c.foreword and sorted(c.outcomes) == [1, 2, 3, 4, 5]
    assert "<!--" not in c.foreword


def test_area_without_a_file_has_none() -> None:
    c = load_commentary(DATA, "varnwater")
    assert not c.foreword and not c.recommendations and not c.outcomes


def test_markdown_is_rendered_and_html_is_not_run() -> None:
    c = parse("# Title\n## Outcome 3: anything\n**Bold** text\n\n<script>x()</script>\n", "f.md")
    html = markdown_html(c.outcomes[3])
    assert "<strong>Bold</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_every_problem_is_named_with_its_line() -> None:
    with pytest.raises(CommentaryError) as err:
        parse("stray\n## Summary\n## Foreword\n### inner\n## Foreword\n", "f.md")
    text = str(err.value)
    for part in ("f.md: line 1: text before", "line 2: unknown section (value 'Summary')",
                 "line 4: headings inside", "line 5: section given twice"):
        assert part in text


def test_check_collects_problems_across_areas(tmp_path: Path) -> None:
    (tmp_path / "commentary").mkdir()
    (tmp_path / "commentary" / "a.md").write_text("## Outcome 9\n", encoding="utf-8")
    problems = check_commentaries(tmp_path, ["a", "b"])
    assert len(problems) == 1 and "unknown section" in problems[0].message


def test_sections_are_placed_in_the_report(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "commentary" / "varnwater.md").write_text(
        "## Foreword\nA word first.\n## Outcome 2\nOn delivery.\n", encoding="utf-8")
    ctx = area_context("varnwater", tmp_path, data_dir=data)
    assert '<h2 id="foreword">Foreword</h2>' in commentary.foreword(ctx).html
    assert commentary.recommendations(ctx).html == ""
    assert "On delivery." in commentary.outcome_commentary(ctx, 2).html
    assert commentary.outcome_commentary(ctx, 1).html == ""


def test_stated_scores_are_checked_against_the_recomputed_intervals(tmp_path: Path) -> None:
    from analysis.method.commentary import disagreements, score_claims

    text = ("# Commentary\n<!-- a comment\nover two lines -->\n## Foreword\n"
            "Overall 50% done well enough.\n## Outcome 2\nThe work went well: 79% of this work"
            "\nwas done well enough. The published report gave 66% done well enough.\n"
            "## Outcome 5\n66% of the work was done well enough, the lowest.\n")
    claims = score_claims(text)
    assert [(c.line, c.outcome, c.percent) for c in claims] == [(7, 2, 79), (10, 5, 66)]
    path = tmp_path / "x.md"
    warnings = disagreements(path, claims, {2: (76, 72, 80), 5: (77, 69, 85)})
    assert warnings == [f"{path}: line 10: Outcome 5 states 66%, outside the recomputed score's "
                        "95% interval 69–85% (score 77%); say which figure it is (the report "
                        "shows the published one beside the recomputed)"]


def test_stated_findings_are_checked_against_every_question_of_their_outcome(
        tmp_path: Path) -> None:
    """A "k of n" or a percentage in an outcome section agrees when some question of the
    outcome could have it (within its recomputed interval); a score's own wording, a
    published figure and a figure outside the outcome sections are left to other rules."""
    from analysis.method.commentary import share_claims, share_disagreements

    text = ("# Commentary\n## Foreword\nIn 3 of 4 areas it is so.\n## Outcome 1\n"
            "In 12 of the 18 cases the plan was reviewed; 79% of this work was done well\n"
            "enough. The published report gave 91%. In 2 out of 20 cases, 40% did.\n")
    claims = share_claims(text)
    assert [(c.line, c.outcome, c.text) for c in claims] == [
        (5, 1, "12 of the 18"), (6, 1, "2 out of 20"), (6, 1, "40%")]
    path = tmp_path / "x.md"
    warnings = share_disagreements(path, claims, {1: [(0.45, 0.85), (0.30, 0.52)]})
    assert warnings == [f"{path}: line 6: Outcome 1 states '2 out of 20' (10%), outside the "
                        "recomputed 95% interval of every question of the outcome; check the "
                        "figure, or say which report it is from"]
    assert share_disagreements(path, claims, {2: [(0.0, 0.1)]}) == []


def test_the_bundled_commentary_agrees_with_its_figures_or_says_they_are_published() -> None:
    from analysis.method.commentary import score_claims, share_claims

    text = (DATA / "commentary" / "durham-tees-valley.md").read_text(encoding="utf-8")
    assert score_claims(text) == []
    assert share_claims(text) == []
    assert text.count("The published report gave") >= 4
