"""The comparison chapter states every gap to all areas in points and cases with its interval,
as the comparisons table computes it, and hides it with the figures it is made from.

The gaps are checked against the tables of the session's build, recomputed here from the areas'
own counts (the all-areas share is every scored area's cases pooled)."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis.chapters import comparison
from analysis.chapters.context import AreaContext
from analysis.method.tables import read_table
from analysis.report import text

from .conftest import Built

AREA = "durham-tees-valley"
ROW = re.compile(r"^\| (?P<label>[^|]+) \| (?P<n>\d+) \| (?P<share>\d+)% \*? ?\| "
                 r"(?P<pooled>\d+)% \| "
                 r"(?P<gap>[−+]?\d+) points? \((?P<lo>[−+]?\d+) to (?P<hi>[−+]?\d+)\); "
                 r"(?P<cases>.+?) \|")


def _pooled(out: Path) -> pd.DataFrame:
    """Each question's k and n pooled over the built areas, and this area's own."""
    frames = {a.parent.name: read_table(a, "question_scores").drop_duplicates("question")
              for a in sorted(out.glob("*/tables")) if (a / "question_scores.parquet").exists()}
    assert AREA in frames and len(frames) > 2
    pooled = pd.concat(frames.values()).groupby("question")[["k", "n"]].sum()
    mine = frames[AREA].set_index("question")
    return mine.join(pooled.add_suffix("_all"))


def _chapter_text(out: Path, policy: str) -> str:
    """The comparison chapter of the report and its tables in the annex, as text."""
    ctx = AreaContext.load(AREA, output_dir=str(out), policy=policy)
    said = []
    for exhibit in (comparison.comparison(ctx), comparison.key_questions(ctx)):
        for fig in exhibit.figures:
            plt.close(fig)
        said.append(text.render(exhibit.blocks))
    return "\n".join(said)


def _number(s: str) -> int:
    return int(s.replace("−", "-").replace("+", ""))


@pytest.fixture(scope="module")
def chapter(two_areas: Built) -> str:
    return _chapter_text(two_areas.out, "open")


def test_every_key_question_row_gives_its_gap_in_points_and_cases(chapter: str,
                                                                    two_areas: Built) -> None:
    counts = _pooled(two_areas.out)
    by_label = counts.reset_index().drop_duplicates("label").set_index("label")
    rows = [m for line in chapter.splitlines() if (m := ROW.match(line))]
    assert len(rows) >= 20
    for m in rows:
        q = by_label.loc[m["label"].strip()]
        p0 = q["k_all"] / q["n_all"]
        gap = q["k"] / q["n"] - p0
        assert abs(_number(m["gap"]) - 100 * gap) <= 0.5 + 1e-9
        assert _number(m["lo"]) <= _number(m["gap"]) <= _number(m["hi"])
        cases = q["k"] - q["n"] * p0
        if round(abs(cases)) == 0:
            assert m["cases"] == "about the same number of cases"
        else:  # the printed whole number of cases, whichever way a half rounds
            said = re.fullmatch(r"(\d+) (fewer|more) cases?", m["cases"])
            assert said and said[2] == ("fewer" if cases < 0 else "more"), m["cases"]
            assert abs(int(said[1]) - abs(cases)) <= 0.5 + 1e-9


def test_the_largest_gaps_are_stated_in_words_with_intervals_and_cases(
        chapter: str, two_areas: Built) -> None:
    counts = _pooled(two_areas.out)
    counts = counts[counts["key"] & (counts["n"] > 0)]
    gaps = (counts["k"] / counts["n"] - counts["k_all"] / counts["n_all"])
    items = [line for line in chapter.splitlines() if re.match(r"^- \*\*.+ \(outcome \d\):", line)]
    assert items, "the chapter lists its largest gaps"
    worst = counts.loc[gaps.idxmin()]
    first = items[0]
    assert first.startswith(f"- **{worst['label']} (outcome ")
    assert f"{round(-100 * gaps.min())} points lower (95% interval " in first
    assert re.search(r"at the all-areas rate, about \d+ more cases? would have been done well "
                     r"enough \(95% interval \d+ to \d+\)\.$", first)


def test_a_gap_is_hidden_with_the_share_it_is_made_from(two_areas: Built) -> None:
    hidden = [line for line in _chapter_text(two_areas.out, "publish:5").splitlines()
              if line.startswith("| ") and "| [c] |" in line]
    assert hidden, "publication mode hides some key question's share"
    for line in hidden:
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[2] == "[c]" or cells[3] == "[c]":  # this area's share or the pooled one
            # the gap and the decision in words are made from it: withheld with it
            assert cells[4] == "[c]" and cells[5] == "[c]", line


def test_a_group_report_compares_with_the_groups_figure_never_all_areas(
        two_areas: Built) -> None:
    """In a group's aggregate every comparison is with the group's figure, and is called so;
    "all areas" is left to the methods appendix's formulas and the scope note, where it means
    every area inspected."""
    from analysis.chapters import aggregate
    from analysis.chapters.context import AggregateContext
    from analysis.method.catalogue import groups_of, load_areas

    group = groups_of(load_areas(two_areas.data, check_cases=False))[0]
    ctx = AggregateContext.load("", data_dir=str(two_areas.data),
                                output_dir=str(two_areas.out), group=group.id)
    said = []
    for name in ("overview", "outcome_intervals", "funnels", "pooled_question_table",
                 "pooled_factors"):
        exhibit = getattr(aggregate, name)(ctx)
        for fig in exhibit.figures:
            plt.close(fig)
        said.append(text.render(exhibit.blocks))
    words = "\n".join(said)
    assert "the group's figure" in words and "the group's score" in words
    assert not re.search(r"(?i)all[- ]areas", words), re.findall(r".{60}(?i:all[- ]areas).{20}",
                                                                 words)[:3]
