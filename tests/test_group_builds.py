"""Groups end to end at the table level (tables-only builds) and in the chapters that read them:
no groups (as before), one group, two groups, a group of one area, publication mode."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.chapters import group_comparison as chapter
from analysis.chapters.comparison import comparison, key_questions
from analysis.chapters.context import AggregateContext, AreaContext
from analysis.core import paths
from analysis.method.tables import read_table
from analysis.pipeline.builder import BuildOptions, build

pytestmark = pytest.mark.slow
AREAS = ("braxbrook", "briskwick", "durham-tees-valley")
HEADER = "area_id,name,label,cases"


def _row(area: str) -> str:
    label = "reconstructed" if area == "durham-tees-valley" else "synthetic"
    return f"{area},{area.replace('-', ' ').title()},{label},cases/{area}.csv"


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory, scored: Path) -> tuple[Path, Path]:
    """Three bundled areas without groups: their tables are the session's (the same case
    files), the cross-area tables made for these three."""
    root = tmp_path_factory.mktemp("groups")
    data, out = root / "data", root / "outputs"
    (data / "cases").mkdir(parents=True)
    for area in AREAS:
        shutil.copy(paths.data_dir() / "cases" / f"{area}.csv", data / "cases")
        shutil.copytree(paths.area_tables(scored, area), paths.area_tables(out, area))
    (data / "areas.csv").write_text("\n".join([HEADER, *map(_row, AREAS), ""]))
    build(BuildOptions(data=data, output=out, quiet=True, tables_only=True))
    return data, out


def variant(scored: tuple[Path, Path], tmp_path: Path,
            groups: dict[str, str] | None) -> tuple[Path, Path]:
    """A copy of the scored build with areas.csv grouped as given (area -> group), rebuilt:
    the areas' tables are reused, the cross-area and group tables made again."""
    data, out = tmp_path / "data", tmp_path / "outputs"
    shutil.copytree(scored[0], data)
    shutil.copytree(scored[1], out)
    if groups is not None:
        rows = [f"{_row(a)},{groups[a]},Group {groups[a].upper()}" for a in AREAS]
        (data / "areas.csv").write_text("\n".join([HEADER + ",group,group_label", *rows, ""]))
    build(BuildOptions(data=data, output=out, quiet=True, tables_only=True))
    return data, out


def test_no_groups_is_the_build_as_before(scored: tuple[Path, Path]) -> None:
    data, out = scored
    shared = paths.all_tables(out)
    assert set(read_table(shared, "comparisons")["scope"]) == {"all"}
    assert set(read_table(shared, "group_figures")["scope"]) == {"all"}
    assert read_table(shared, "group_differences").empty
    assert not (out / "groups").exists()
    ctx = AggregateContext.load(data_dir=str(data), output_dir=str(out))
    assert chapter.group_comparison(ctx).html == ""
    html = comparison(AreaContext.load(AREAS[0], str(data), str(out))).html
    assert "group" not in html.lower()


def test_one_group_of_every_area_equals_all_areas(scored, tmp_path) -> None:  # type: ignore[no-untyped-def]
    data, out = variant(scored, tmp_path, dict.fromkeys(AREAS, "one"))
    fig = read_table(paths.all_tables(out), "group_figures")
    cols = ["kind", "measure", "share", "lower", "upper"]
    pd.testing.assert_frame_equal(fig[fig["scope"] == "one"][cols].reset_index(drop=True),
                                  fig[fig["scope"] == "all"][cols].reset_index(drop=True))
    assert read_table(paths.all_tables(out), "group_differences").empty
    ctx = AggregateContext.load(data_dir=str(data), output_dir=str(out))
    assert "nothing to compare" in chapter.group_comparison(ctx).html


def test_two_groups_scope_rows_are_the_groups_own(scored, tmp_path) -> None:  # type: ignore[no-untyped-def]
    data, out = variant(scored, tmp_path, {"braxbrook": "a", "briskwick": "a",
                                           "durham-tees-valley": "b"})
    every = read_table(paths.all_tables(out), "comparisons")
    for g, areas in (("a", 2), ("b", 1)):
        own = read_table(paths.group_tables(out, g), "comparisons")
        assert set(own["scope"]) == {g} and own["area_id"].nunique() == areas
        pd.testing.assert_frame_equal(every[every["scope"] == g].reset_index(drop=True), own)
    diff = read_table(paths.all_tables(out), "group_differences")
    assert set(zip(diff["group_a"], diff["group_b"], strict=True)) == {("a", "b")}
    assert set(diff["interval"]) == {"permutation"}
    assert (diff["labellings"] <= 3).all() and not diff["clear"].any()  # 2 + 1 areas
    html = chapter.group_comparison(AggregateContext.load(data_dir=str(data),
                                                          output_dir=str(out))).html
    assert "Group A" in html and "Group B" in html and "95% interval" in html
    ctx = AggregateContext.load("braxbrook,briskwick", str(data), str(out), group="a")
    assert [a.id for a in ctx.areas] == ["braxbrook", "briskwick"]
    assert set(ctx.tables["comparisons"]["scope"]) == {"a"}
    assert "2 areas of Group A" in chapter.scope_note(ctx).html


def test_a_group_of_one_area_is_that_area(scored, tmp_path) -> None:  # type: ignore[no-untyped-def]
    data, out = variant(scored, tmp_path, {"braxbrook": "a", "briskwick": "a",
                                           "durham-tees-valley": "b"})
    fig = read_table(paths.all_tables(out), "group_figures")
    mine = read_table(paths.area_tables(out, "durham-tees-valley"), "outcome_scores")
    solo = fig[(fig["scope"] == "b") & (fig["kind"] == "outcome")]
    assert list(solo["lower"]) == pytest.approx(list(mine["lower"]), abs=1e-12)
    assert list(solo["upper"]) == pytest.approx(list(mine["upper"]), abs=1e-12)
    assert list(solo["share"]) == pytest.approx(list(mine["score"]), abs=1e-12)
    html = key_questions(AreaContext.load("durham-tees-valley", str(data), str(out))).html
    assert chapter.only_area() in html and "Compared with Group B" in html
    secret = key_questions(AreaContext.load("durham-tees-valley", str(data), str(out),
                                            policy="publish:1000")).html
    assert "[c]" in secret


def test_one_areas_change_rewrites_only_its_groups_tables(scored, tmp_path) -> None:  # type: ignore[no-untyped-def]
    data, out = variant(scored, tmp_path, {"braxbrook": "a", "briskwick": "a",
                                           "durham-tees-valley": "b"})
    stamps = {g: (paths.group_tables(out, g) / ".source.digest").stat().st_mtime_ns
              for g in "ab"}
    cases = data / "cases" / "briskwick.csv"
    frame = pd.read_csv(cases, dtype=str, keep_default_na=False)
    frame.loc[0, "case_recording"] = "no" if frame.loc[0, "case_recording"] == "yes" else "yes"
    frame.to_csv(cases, index=False, lineterminator="\n")
    build(BuildOptions(data=data, output=out, quiet=True, tables_only=True))
    after = {g: (paths.group_tables(out, g) / ".source.digest").stat().st_mtime_ns for g in "ab"}
    assert after["a"] > stamps["a"] and after["b"] == stamps["b"]
