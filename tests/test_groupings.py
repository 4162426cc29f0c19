"""Grouping columns of areas.csv: declared as column pairs, validated like every input."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.core.errors import InputError, Problem
from analysis.method.catalogue import Group, groups_of, load_areas

AREAS = ("north", "south", "east", "west")


def data_dir(tmp_path: Path, header: str, rows: list[str]) -> Path:
    (tmp_path / "cases").mkdir(exist_ok=True)
    for area in AREAS:
        (tmp_path / "cases" / f"{area}.csv").write_text("area_id,case_id\n", encoding="utf-8")
    (tmp_path / "areas.csv").write_text("\n".join([header, *rows, ""]), encoding="utf-8")
    return tmp_path


def row(area: str, *extra: str) -> str:
    return ",".join([area, area.title(), "synthetic", f"cases/{area}.csv", *extra])


def problems(folder: Path) -> list[Problem]:
    with pytest.raises(InputError) as info:
        load_areas(folder)
    return info.value.problems


STD = "area_id,name,label,cases"


def test_no_grouping_columns_no_groups(tmp_path: Path) -> None:
    areas = load_areas(data_dir(tmp_path, STD, [row("north"), row("south")]))
    assert [a.groups for a in areas] == [(), ()] and groups_of(areas) == []


def test_two_groupings_in_order_of_first_appearance(tmp_path: Path) -> None:
    folder = data_dir(tmp_path, STD + ",group,group_label,region,region_label", [
        row("north", "b", "Block B", "n", "North"), row("south", "a", "Block A", "s", "South"),
        row("east", "b", "Block B", "n", "North"), row("west", "a", "Block A", "s", "South")])
    groups = groups_of(load_areas(folder))
    assert groups == [Group("group", "b", "Block B", ("north", "east")),
                      Group("region", "n", "North", ("north", "east")),
                      Group("group", "a", "Block A", ("south", "west")),
                      Group("region", "s", "South", ("south", "west"))]


def test_a_group_of_one_area(tmp_path: Path) -> None:
    folder = data_dir(tmp_path, STD + ",group,group_label", [
        row("north", "a", "A"), row("south", "b", "B"), row("east", "a", "A")])
    assert [g.areas for g in groups_of(load_areas(folder))] == [("north", "east"), ("south",)]


@pytest.mark.parametrize(("header", "column", "message"), [
    (STD + ",group", "group_label", "group column without its label column"),
    (STD + ",region_label", "region", "group label column without its group column"),
    (STD + ",name_label", "name_label", "a grouping cannot be named after a standard column")])
def test_header_problems(tmp_path: Path, header: str, column: str, message: str) -> None:
    (p,) = problems(data_dir(tmp_path, header, [row("north", "x")]))
    assert (p.file, p.row, p.column) == (str(tmp_path / "areas.csv"), 1, column)
    assert message in p.message and p.allowed


def test_every_value_problem_at_once_naming_the_row(tmp_path: Path) -> None:
    folder = data_dir(tmp_path, STD + ",group,group_label,region,region_label", [
        row("north", "a", "Block A", "n", "North"),
        row("south", "", "", "n", "North"),
        row("east", "a", "Block Ay", "all", "Everything"),
        row("west", "../x", "X", "a", "Also A")])
    found = [(p.row, p.column, p.value, p.message.split(" (")[0]) for p in problems(folder)]
    assert found == [
        (3, "group", "", "group is empty"),
        (3, "group_label", "", "group label is empty"),
        (4, "region", "all", "group id is not allowed"),
        (5, "group", "../x", "group id is not allowed"),
        (4, "group_label", "Block Ay", "group has another label on row 2"),
        (5, "region", "a", "group id is also used in the group column"),
    ]
