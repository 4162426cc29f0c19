"""areas.csv is held to the standard of a case file: encodings, line endings, duplicates, empty
names, blank, missing or folder case paths; every problem at once, naming areas.csv and its row."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.core.errors import InputError, Problem
from analysis.method.catalogue import load_areas

HEADER = "area_id,name,label,cases"


def data_dir(tmp_path: Path, rows: list[str], encoding: str = "utf-8",
             newline: str = "\n") -> Path:
    (tmp_path / "cases").mkdir(exist_ok=True)
    for area in ("north", "south"):
        (tmp_path / "cases" / f"{area}.csv").write_text("area_id,case_id\n", encoding="utf-8")
    (tmp_path / "areas.csv").write_bytes(newline.join([HEADER, *rows, ""]).encode(encoding))
    return tmp_path


def problems(folder: Path) -> list[Problem]:
    with pytest.raises(InputError) as info:
        load_areas(folder)
    return info.value.problems


@pytest.mark.parametrize(("encoding", "newline"), [
    ("cp1252", "\r\n"), ("utf-16", "\r\n"), ("utf-8-sig", "\r"), ("utf-8", "\n")])
def test_encodings_and_line_endings(tmp_path, encoding: str, newline: str) -> None:  # type: ignore[no-untyped-def]
    folder = data_dir(tmp_path, ["north,Nörth – Süd,synthetic,cases/north.csv"], encoding,
                      newline)
    (area,) = load_areas(folder)
    assert (area.id, area.name, area.cases) == ("north", "Nörth – Süd",
                                                folder / "cases" / "north.csv")


@pytest.mark.parametrize(("cell", "message"), [
    ("", "case file is blank"), ("cases", "is a folder, not a case file"),
    ("cases/none.csv", "case file not found")])
def test_case_file_cell(tmp_path, cell: str, message: str) -> None:  # type: ignore[no-untyped-def]
    folder = data_dir(tmp_path, [f"north,North,synthetic,{cell}"])
    (p,) = problems(folder)
    assert (p.file, p.row, p.column, p.value) == (str(folder / "areas.csv"), 2, "cases", cell)
    assert message in p.message and p.allowed


def test_every_problem_at_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = data_dir(tmp_path, ["north,North,synthetic,cases/north.csv",
                                 "south,,synthetic,cases/south.csv",
                                 "north,North again,synthetic,cases/north.csv",
                                 "Bad Id,Bad,invented,"])
    found = [(p.row, p.column, p.message.split(" (")[0]) for p in problems(folder)]
    assert found == [
        (3, "name", "area name is empty"),
        (4, "area_id", "area id appears more than once"),
        (5, "area_id", "area id is not allowed"),
        (5, "label", "unknown data label"),
        (5, "cases", "case file is blank"),
    ]
    assert "first on row 2" in problems(folder)[1].message


def test_missing_columns_and_long_cells(tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = data_dir(tmp_path, [])
    (folder / "areas.csv").write_text("area_id,name\nnorth," + "N" * 5000 + "\n")
    found = problems(folder)
    assert [(p.row, p.column) for p in found] == [(1, "label"), (1, "cases"), (2, "name")]
    assert "too long" in found[2].message and len(str(found[2])) < 400


def test_empty_area_list(tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = data_dir(tmp_path, [])
    (p,) = problems(folder)
    assert "lists no areas" in p.message


def test_real_data_is_a_label_whose_banner_says_so(tmp_path: Path) -> None:
    (area,) = load_areas(data_dir(tmp_path, ["north,North,real,cases/north.csv"]))
    assert area.label == "real"
    assert area.label_text.startswith("Real case data")
    assert "personal data" in area.label_text and "--publish" in area.label_text


@pytest.mark.parametrize(("labels", "start"), [
    (["real", "synthetic"], "Real case data from inspections (1 of the 2 areas)"),
    (["real", "real"], "Real case data from inspections (every area)"),
    (["synthetic", "reconstructed", "synthetic"],
     "Synthetic areas and one area reconstructed from its published report; no real cases"),
    (["reconstructed", "synthetic", "reconstructed"],
     "Synthetic areas and 2 areas reconstructed from their published reports"),
    (["synthetic"], "Synthetic data: fictional areas"),
    (["reconstructed"], "Reconstructed from published reports")])
def test_a_report_over_several_areas_names_real_data_first(labels: list[str],
                                                           start: str) -> None:
    from analysis.method.catalogue import combined_label

    text = combined_label(labels)
    assert text.startswith(start)
    assert ("no real cases" in text) == ("real" not in labels)
