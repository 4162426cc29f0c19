"""One voice for validation: a message offers exactly what its cell would accept; messages on
files that open in a spreadsheet name the cell (D9); ids a spreadsheet turned into dates are
refused, saying so."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.core import paths
from analysis.core.errors import InputError, Problem
from analysis.method.bank import load_bank
from analysis.method.validation import load_cases, validate_frame

BANK = load_bank()
SOURCE = paths.data_dir() / "cases" / "durham-tees-valley.csv"
ROWS = 8


def rows() -> list[list[str]]:
    with open(SOURCE, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))[: ROWS + 1]


def at(frame_rows: list[list[str]], row: int, column: str, value: str) -> list[Problem]:
    """The problems at one cell once it holds ``value`` (row: 0-based data row)."""
    header, body = frame_rows[0], [list(r) for r in frame_rows[1:]]
    body[row][header.index(column)] = value
    try:
        validate_frame(pd.DataFrame(body, columns=header, dtype=object), BANK, "cases.csv")
    except InputError as exc:
        return [p for p in exc.problems if (p.row, p.column) == (row + 2, column)]
    return []


ANSWERS = [c for c in rows()[0] if c not in ("area_id", "case_id")]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(row=st.integers(0, ROWS - 1), column=st.sampled_from(ANSWERS))
def test_a_message_offers_what_its_cell_accepts(row: int, column: str) -> None:
    """A typo's allowed values: blank (or N/A) is offered exactly when a blank is accepted
    there, and answers exactly when an answer is."""
    source = rows()
    (typo,) = at(source, row, column, "zzz")
    assert typo.allowed is not None
    blank_ok = not at(source, row, column, "")
    answer_ok = not at(source, row, column, BANK.scale_of(column).levels[0])
    assert ("blank" in typo.allowed) == blank_ok, typo
    assert typo.allowed.startswith("blank") == (not answer_ok), typo


def test_a_question_of_every_case_never_offers_blank() -> None:
    """The contradiction of issue #29: a typo offered "blank / N/A", the blank then refused."""
    q = next(q for q in BANK.questions if q.applies_when is None and not q.judged)
    (typo,) = at(rows(), 0, q.id, "yess")
    (blank,) = at(rows(), 0, q.id, "")
    assert typo.allowed == blank.allowed == "yes, no (or Y/N)"
    assert "every case" in blank.message


def test_a_question_that_does_not_apply_in_the_row_offers_blank_only() -> None:
    source = rows()
    header = source[0]
    row = next(i for i, r in enumerate(source[1:]) if r[header.index("report_type")] == "oral")
    (typo,) = at(source, row, "psr_well_written", "yess")
    assert typo.allowed is not None and typo.allowed.startswith("blank or N/A")
    assert "the report type is short or full" in typo.allowed


def write_xlsx(path: Path, cells: dict[tuple[int, int], object]) -> Path:
    """The first rows of a bundled case file as a workbook, with some cells replaced
    (1-based row, column as the sheet counts them)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "cases"
    for r, values in enumerate(rows(), start=1):
        for c, value in enumerate(values, start=1):
            sheet.cell(r, c, cells.get((r, c), value if value != "" else None))
    book.save(path)
    return path


def test_a_workbook_message_names_the_cell(tmp_path: Path) -> None:
    header = rows()[0]
    column = header.index("sex") + 1  # 1-based
    path = write_xlsx(tmp_path / "cases.xlsx", {(9, column): "unknown"})
    with pytest.raises(InputError) as info:
        load_cases([path], BANK)
    (p,) = info.value.problems
    letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[column - 1]
    assert (p.row, p.column, p.cell) == (9, "sex", f"{letter}9")
    assert f"row 9, column 'sex' (cell {letter}9): value not allowed" in str(p)


def test_a_csv_message_names_the_cell_far_right(tmp_path: Path) -> None:
    source = rows()
    column = len(source[0]) - 1
    name = source[0][column]
    source[3][column] = "zzz"
    path = tmp_path / "cases.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(source)
    with pytest.raises(InputError) as info:
        load_cases([path], BANK)
    (p,) = info.value.problems
    assert p.column == name and p.cell is not None and p.cell.endswith("4")
    assert len(p.cell) == 3 and p.cell[:2].isalpha()  # past column Z: two letters


def test_an_id_stored_as_a_date_is_refused_with_the_other_problems(tmp_path: Path) -> None:
    """Excel turns a case id typed as 3-4 into a date; read back it would be '2014-03-04'."""
    header = rows()[0]
    path = write_xlsx(tmp_path / "cases.xlsx", {
        (3, header.index("case_id") + 1): dt.datetime(2014, 3, 4),
        (5, header.index("sex") + 1): "unknown"})
    with pytest.raises(InputError) as info:
        load_cases([path], BANK)
    by_row = {p.row: p for p in info.value.problems}
    assert set(by_row) == {3, 5}
    date = by_row[3]
    assert date.column == "case_id" and date.value == "2014-03-04"
    assert date.message.startswith("a date, not an id") and date.cell is not None
    assert date.allowed is not None and "format the column as Text" in date.allowed


def test_an_id_column_of_dates_in_parquet_is_refused(tmp_path: Path) -> None:
    header, *body = rows()
    frame = pd.DataFrame(body, columns=header, dtype=object)
    frame["case_id"] = pd.to_datetime(["2014-03-0" + str(i + 1) for i in range(ROWS)])
    path = tmp_path / "cases.parquet"
    frame.to_parquet(path)
    with pytest.raises(InputError) as info:
        load_cases([path], BANK)
    assert len(info.value.problems) == ROWS
    assert all(p.message.startswith("a date, not an id") and p.cell is None
               for p in info.value.problems)
