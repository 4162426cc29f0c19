"""A catalogue of messy and bad case-data inputs, built in tmp_path, read through load_cases.

Accepted inputs must say in the log how they were read; rejected ones must raise InputError
whose problems name the file, the spreadsheet row (header = row 1), the column, the value and
what is allowed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.errors import InputError, Problem
from analysis.method.readers import read_table
from analysis.method.validation import load_cases

COLUMNS = ["area_id", "case_id", "case_type", "statutory_victim", "report_type",
           "report_quality", "rmp", "victim_safety", "victim_offer"]

# Two good cases for the mini bank: spreadsheet rows 2 and 3.
GOOD = [
    ["north", "c1", "community_order", "Yes", "Short", "Y", "Insufficient", "n/a", "yes"],
    ["north", "c2", "Licence", "no", "", "NA", "none", "N", ""],
]


def csv_text(rows: Sequence[Sequence[str]], sep: str = ",",
             columns: Sequence[str] = COLUMNS) -> str:
    lines = [sep.join(columns)] + [sep.join(r) for r in rows]
    return "\r\n".join(lines) + "\r\n"


def write_bytes(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def write_csv(tmp_path: Path, rows: Sequence[Sequence[str]], name: str = "cases.csv",
              sep: str = ",", columns: Sequence[str] = COLUMNS) -> Path:
    return write_bytes(tmp_path, name, csv_text(rows, sep, columns).encode("utf-8"))


def frame_of(rows: Sequence[Sequence[str]], columns: Sequence[str] = COLUMNS) -> pd.DataFrame:
    return pd.DataFrame([list(r) for r in rows], columns=list(columns))


def problems_of(paths: Sequence[Path], bank, **kw) -> list[Problem]:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as info:
        load_cases(paths, bank, **kw)
    return info.value.problems


def info_messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.levelno == logging.INFO and r.name == "analysis.method.readers"]


@pytest.fixture(autouse=True)
def _capture_info(caplog: pytest.LogCaptureFixture) -> None:
    # one call: set_level also sets the capture handler's level, so a second call with
    # WARNING would hide the INFO lines
    caplog.set_level(logging.INFO, logger="analysis")


# ---------------------------------------------------------------------------------- accepted


def test_plain_utf8_csv(tmp_path, mini_bank, caplog) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path, GOOD)
    data = load_cases([path], mini_bank)
    assert data.frame["case_id"].tolist() == ["c1", "c2"]
    assert data.frame.loc[0, "report_quality"] == "yes"
    assert pd.isna(data.frame.loc[1, "report_type"])
    assert data.sources[0].encoding == "utf-8" and data.sources[0].delimiter == ","
    assert info_messages(caplog) == [f"read {path} as CSV, encoding utf-8, delimiter ','"]


def test_utf8_with_byte_order_mark(tmp_path, mini_bank, caplog) -> None:  # type: ignore[no-untyped-def]
    path = write_bytes(tmp_path, "bom.csv", b"\xef\xbb\xbf" + csv_text(GOOD).encode("utf-8"))
    data = load_cases([path], mini_bank)
    # the mark must not stick to the first header: area_id is found and read
    assert data.frame["area_id"].tolist() == ["north", "north"]
    assert data.sources[0].encoding == "utf-8 (with byte-order mark)"
    (message,) = info_messages(caplog)
    assert "byte-order mark" in message and str(path) in message


@pytest.mark.parametrize("case_id", ["café-1", "O’Brien-2", "naïve’s"])
def test_windows_1252(tmp_path, mini_bank, caplog, case_id: str) -> None:  # type: ignore[no-untyped-def]
    rows = [list(GOOD[0]), list(GOOD[1])]
    rows[1][1] = case_id
    data_bytes = csv_text(rows).encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data_bytes.decode("utf-8")  # the fixture really is not UTF-8
    path = write_bytes(tmp_path, "cp1252.csv", data_bytes)
    data = load_cases([path], mini_bank)
    assert data.frame.loc[1, "case_id"] == case_id  # decoded, not mangled
    (message,) = info_messages(caplog)
    assert "windows-1252" in message and str(path) in message


@pytest.mark.parametrize(("sep", "shown"), [(";", "';'"), ("\t", "'\\t'")])
def test_other_delimiters(tmp_path, mini_bank, caplog, sep: str, shown: str) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path, GOOD, sep=sep, name="cases.tsv" if sep == "\t" else "cases.csv")
    data = load_cases([path], mini_bank)
    assert data.frame["case_id"].tolist() == ["c1", "c2"]
    assert data.frame.loc[0, "rmp"] == "insufficient"
    assert data.sources[0].delimiter == sep
    (message,) = info_messages(caplog)
    assert f"delimiter {shown}" in message


def test_semicolons_with_decimal_commas_in_cells(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    """European exports: ';' separates, and a ',' inside a cell is just text."""
    rows = [list(GOOD[0]), list(GOOD[1])]
    rows[0][1] = "c1,5"
    path = write_csv(tmp_path, rows, sep=";")
    assert load_cases([path], mini_bank).frame.loc[0, "case_id"] == "c1,5"


def test_excel_cases_sheet_beside_others(tmp_path, mini_bank, caplog) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"note": ["read me"]}).to_excel(writer, sheet_name="README", index=False)
        frame_of(GOOD).to_excel(writer, sheet_name="cases", index=False)
        # another sheet that also has id columns: 'cases' must still win without --sheet
        frame_of(GOOD[:1]).to_excel(writer, sheet_name="old", index=False)
    data = load_cases([path], mini_bank)
    assert data.frame["case_id"].tolist() == ["c1", "c2"]
    assert data.sources[0].sheet == "cases"
    (message,) = info_messages(caplog)
    assert "Excel" in message and "sheet 'cases'" in message


def test_excel_single_sheet(tmp_path, mini_bank, caplog) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "single.xlsx"
    frame_of(GOOD).to_excel(path, sheet_name="Export 2014", index=False, engine="openpyxl")
    data = load_cases([path], mini_bank)
    assert data.frame["case_id"].tolist() == ["c1", "c2"]
    (message,) = info_messages(caplog)
    assert "sheet 'Export 2014'" in message


def test_excel_sheet_chosen_by_name(tmp_path, mini_bank, caplog) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "two.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        frame_of(GOOD[:1]).to_excel(writer, sheet_name="first", index=False)
        frame_of(GOOD).to_excel(writer, sheet_name="second", index=False)
    data = load_cases([path], mini_bank, sheet="second")
    assert len(data.frame) == 2
    assert "sheet 'second'" in info_messages(caplog)[0]


def test_parquet(tmp_path, mini_bank, caplog) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "cases.parquet"
    frame = frame_of(GOOD)
    frame.loc[1, "report_type"] = None  # a real null, not an empty string
    frame.to_parquet(path)
    data = load_cases([path], mini_bank)
    assert data.frame["case_id"].tolist() == ["c1", "c2"]
    assert pd.isna(data.frame.loc[1, "report_type"])
    (message,) = info_messages(caplog)
    assert message == f"read {path} as Parquet"


def test_read_table_reads_every_cell_as_text(tmp_path) -> None:
    path = write_csv(tmp_path, [["north", "007", "licence", "1", "", "", "", "", ""]])
    frame, info = read_table(path)
    assert frame.loc[0, "case_id"] == "007"  # leading zeros kept
    assert frame.loc[0, "report_type"] == ""  # blank is an empty string, not NaN
    assert info.format == "CSV"


def test_blank_lines_do_not_shift_row_numbers(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    """A blank line is a blank spreadsheet row: the next case is still on its own row number."""
    bad = list(GOOD[1])
    bad[6] = "partly"
    text = csv_text([GOOD[0]]) + "\r\n" + ",".join(bad) + "\r\n"  # row 3 blank, case on row 4
    path = write_bytes(tmp_path, "gap.csv", text.encode())
    (p,) = problems_of([path], mini_bank)
    assert (p.row, p.column, p.value) == (4, "rmp", "partly")


def test_trailing_delimiter_on_every_row_does_not_shift_columns(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    """Some exports end every data row with a delimiter: columns must stay where the header says."""
    header = ";".join(COLUMNS)
    body = "".join(";".join(r) + ";\r\n" for r in GOOD)
    path = write_bytes(tmp_path, "trailing.csv", (header + "\r\n" + body).encode())
    data = load_cases([path], mini_bank)
    assert data.frame["area_id"].tolist() == ["north", "north"]
    assert data.frame["case_id"].tolist() == ["c1", "c2"]


# ---------------------------------------------------------------------------------- rejected


def _one_bad(column: str, value: str, row: int = 2) -> list[list[str]]:
    rows = [list(r) for r in GOOD]
    rows[row - 2][COLUMNS.index(column)] = value
    return rows


@pytest.mark.parametrize(("column", "value", "row", "allowed"), [
    ("report_quality", "Yess", 2, "yes, no"),
    ("statutory_victim", "maybe", 3, "yes, no"),
    ("rmp", "partly", 2, "sufficient, insufficient, none"),
    ("case_type", "suspended sentence", 3, "community_order, licence"),
    ("report_type", "long", 2, "oral, short, full, none"),
    ("victim_safety", "Yes!", 3, "yes, no"),
])
def test_answer_outside_the_synonyms(tmp_path, mini_bank, column, value, row, allowed) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path, _one_bad(column, value, row))
    (p,) = problems_of([path], mini_bank)
    assert (p.file, p.row, p.column, p.value) == (str(path), row, column, value)
    assert p.allowed is not None and p.allowed.startswith(allowed)
    assert "not allowed" in p.message


def test_every_bad_answer_reported_at_once_sorted_by_row(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    rows = [list(r) for r in GOOD] + [["north", "c3", "licence", "no", "", "", "none", "no", ""]]
    rows[2][COLUMNS.index("rmp")] = "maybe"
    rows[0][COLUMNS.index("report_quality")] = "Yess"
    rows[1][COLUMNS.index("statutory_victim")] = "?"
    path = write_csv(tmp_path, rows)
    found = [(p.row, p.column, p.value) for p in problems_of([path], mini_bank)]
    assert found == [(2, "report_quality", "Yess"), (3, "statutory_victim", "?"),
                     (4, "rmp", "maybe")]


def test_missing_required_value(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path, _one_bad("case_type", "", 3))
    (p,) = problems_of([path], mini_bank)
    assert (p.row, p.column, p.value, p.message) == (3, "case_type", "", "value is missing")


@pytest.mark.parametrize("extra", ["notes", "report_qualty", "Report_Quality"])
def test_unknown_question_column(tmp_path, mini_bank, extra: str) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path, [[*r, "x"] for r in GOOD], columns=[*COLUMNS, extra])
    (p,) = problems_of([path], mini_bank)
    assert (p.file, p.row, p.column) == (str(path), 1, extra)
    assert "unknown column" in p.message and p.allowed


@pytest.mark.parametrize("missing", ["area_id", "case_id", "case_type", "statutory_victim"])
def test_missing_required_column(tmp_path, mini_bank, missing: str) -> None:  # type: ignore[no-untyped-def]
    keep = [c for c in COLUMNS if c != missing]
    rows = [[v for c, v in zip(COLUMNS, r, strict=True) if c != missing] for r in GOOD]
    path = write_csv(tmp_path, rows, columns=keep)
    (p,) = problems_of([path], mini_bank)
    assert (p.row, p.column) == (1, missing) and "required column is missing" in p.message


def test_question_columns_may_be_absent(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    keep = ["area_id", "case_id", "case_type", "statutory_victim", "rmp"]
    rows = [["north", "c1", "licence", "no", "none"]]
    data = load_cases([write_csv(tmp_path, rows, columns=keep)], mini_bank)
    assert pd.isna(data.frame.loc[0, "victim_safety"])


def test_duplicate_column(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path, [[*r, "none"] for r in GOOD], columns=[*COLUMNS, "rmp"])
    problems = problems_of([path], mini_bank)
    # pandas renames the second 'rmp' to 'rmp.1': either way the header row is blamed
    assert all(p.row == 1 for p in problems)
    assert any(p.column in ("rmp", "rmp.1") for p in problems)


def test_duplicate_case_id_in_one_file(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    rows = [list(r) for r in GOOD] + [list(GOOD[1])]
    rows[2][1] = " c1 "  # the same id once trimmed
    path = write_csv(tmp_path, rows)
    (p,) = problems_of([path], mini_bank)
    assert (p.file, p.row, p.column, p.value) == (str(path), 4, "case_id", "c1")
    assert "first on row 2" in p.message and p.allowed


def test_same_case_id_in_two_areas_is_allowed(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    rows = [list(r) for r in GOOD]
    rows[1][0], rows[1][1] = "south", "c1"
    assert len(load_cases([write_csv(tmp_path, rows)], mini_bank).frame) == 2


def test_duplicate_case_id_across_files(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    first = write_csv(tmp_path, GOOD, name="first.csv")
    other = [["north", "c9", "licence", "no", "", "", "none", "no", ""], list(GOOD[1])]
    second = write_csv(tmp_path, other, name="second.csv")
    (p,) = problems_of([first, second], mini_bank)
    assert "more than one file" in p.message
    assert (p.column, p.value) == ("case_id", "c2")
    # the repeat is located in the second file, row 3, and the message names the first
    assert (p.file, p.row) == (str(second), 3)
    assert str(first) in p.message and p.allowed


def test_answer_where_question_does_not_apply(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    rows = [list(r) for r in GOOD]
    rows[1][COLUMNS.index("report_quality")] = "Y"  # licence: no report, so no quality
    rows[1][COLUMNS.index("victim_offer")] = "no"  # no statutory victim
    path = write_csv(tmp_path, rows)
    problems = problems_of([path], mini_bank)
    assert [(p.row, p.column) for p in problems] == [(3, "report_quality"), (3, "victim_offer")]
    assert all("does not apply" in p.message and p.allowed for p in problems)
    assert {p.value for p in problems} <= {"Y", "yes", "no"}


def test_not_applicable_answer_does_not_cascade(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    """A report type on a licence case is one problem, not also 'report quality missing'."""
    rows = [list(r) for r in GOOD]
    rows[1][COLUMNS.index("report_type")] = "short"
    problems = problems_of([write_csv(tmp_path, rows)], mini_bank)
    assert [(p.row, p.column) for p in problems] == [(3, "report_type")]


def test_lenient_warns_for_every_answer_and_drops_it(tmp_path, mini_bank, caplog) -> None:  # type: ignore[no-untyped-def]
    rows = [list(r) for r in GOOD] + [["north", "c3", "licence", "no", "oral", "no", "none",
                                       "no", "yes"]]
    rows[1][COLUMNS.index("report_quality")] = "yes"
    path = write_csv(tmp_path, rows)
    data = load_cases([path], mini_bank, lenient=True)
    found = sorted((w.row, w.column) for w in data.warnings)
    assert found == [(3, "report_quality"), (4, "report_quality"), (4, "report_type"),
                     (4, "victim_offer")]
    for col in ("report_type", "report_quality", "victim_offer"):
        assert pd.isna(data.frame.loc[2, col])
    assert pd.isna(data.frame.loc[1, "report_quality"])
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(logged) == 4
    assert all("treated as not applicable" in m and str(path) in m for m in logged)
    assert any("row 4, column 'victim_offer'" in m for m in logged)


def test_missing_answer_where_rule_holds(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path, _one_bad("victim_offer", "", 2))
    (p,) = problems_of([path], mini_bank)
    assert (p.row, p.column) == (2, "victim_offer") and "answer missing" in p.message


@pytest.mark.parametrize(("name", "data"), [
    ("zero.csv", b""),
    ("spaces.csv", b"   \r\n\t\r\n  "),
    ("newlines.csv", b"\n\n\n"),
    ("bom-only.csv", b"\xef\xbb\xbf"),
])
def test_empty_file(tmp_path, mini_bank, name: str, data: bytes) -> None:  # type: ignore[no-untyped-def]
    path = write_bytes(tmp_path, name, data)
    (p,) = problems_of([path], mini_bank)
    assert p.file == str(path) and "empty" in p.message


@pytest.mark.parametrize("trailer", ["", "\r\n", "\r\n\r\n  \r\n"])
def test_header_only(tmp_path, mini_bank, trailer: str) -> None:  # type: ignore[no-untyped-def]
    path = write_bytes(tmp_path, "header.csv", (",".join(COLUMNS) + trailer).encode())
    (p,) = problems_of([path], mini_bank)
    assert p.file == str(path) and "no cases" in p.message


def test_header_only_excel(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "header.xlsx"
    frame_of([]).to_excel(path, sheet_name="cases", index=False, engine="openpyxl")
    (p,) = problems_of([path], mini_bank)
    assert "no cases" in p.message


@pytest.mark.parametrize("name", ["zero.xlsx", "zero.parquet"])
def test_empty_binary_file(tmp_path, mini_bank, name: str) -> None:  # type: ignore[no-untyped-def]
    path = write_bytes(tmp_path, name, b"")
    (p,) = problems_of([path], mini_bank)
    assert p.file == str(path) and "not a readable" in p.message


def test_excel_several_candidate_sheets(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "ambiguous.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        frame_of(GOOD).to_excel(writer, sheet_name="2013", index=False)
        frame_of(GOOD).to_excel(writer, sheet_name="2014", index=False)
    (p,) = problems_of([path], mini_bank)
    assert p.file == str(path)
    assert "'2013'" in p.message and "'2014'" in p.message and "none is named 'cases'" in p.message
    assert p.allowed is not None and "--sheet" in p.allowed and "'cases'" in p.allowed


def test_excel_no_sheet_with_ids(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "noids.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"a": [1]}).to_excel(writer, sheet_name="one", index=False)
        pd.DataFrame({"b": [2]}).to_excel(writer, sheet_name="two", index=False)
    (p,) = problems_of([path], mini_bank)
    assert p.allowed is not None and "--sheet" in p.allowed


def test_excel_named_sheet_missing(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "book.xlsx"
    frame_of(GOOD).to_excel(path, sheet_name="cases", index=False, engine="openpyxl")
    (p,) = problems_of([path], mini_bank, sheet="Cases 2014")
    assert "'Cases 2014'" in p.message and p.allowed == "'cases'"


def test_excel_bad_value_row_numbers(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.xlsx"
    frame_of(_one_bad("rmp", "partly", 3)).to_excel(path, sheet_name="cases", index=False,
                                                    engine="openpyxl")
    (p,) = problems_of([path], mini_bank)
    assert (p.row, p.column, p.value) == (3, "rmp", "partly")


@pytest.mark.parametrize("area", [
    "a/b", "a\\b", "..", "../etc", "<script>alert(1)</script>", "north\x00", "nor\x07th",
    "\x1b[31mred", "north\u202e", "North", "", "a" * 65, "-north", "nørth",
])
def test_unsafe_area_id(tmp_path, mini_bank, area: str) -> None:  # type: ignore[no-untyped-def]
    path = write_bytes(tmp_path, "areas.csv",
                       csv_text(_one_bad("area_id", area, 3)).encode("utf-8"))
    problems = problems_of([path], mini_bank)
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [
        (str(path), 3, "area_id", area)]
    assert problems[0].allowed is not None and "lower-case" in problems[0].allowed


def test_unsafe_area_id_in_parquet(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "cases.parquet"
    frame_of(_one_bad("area_id", "x\ny", 2)).to_parquet(path)
    (p,) = problems_of([path], mini_bank)
    assert (p.row, p.column, p.value) == (2, "area_id", "x\ny")


def test_file_not_found(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "nope.csv"
    (p,) = problems_of([path], mini_bank)
    assert (p.file, p.message) == (str(path), "file not found")


def test_folder_is_not_a_file(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "cases.csv"
    folder.mkdir()
    (p,) = problems_of([folder], mini_bank)
    assert "folder" in p.message


@pytest.mark.parametrize("name", ["cases.json", "cases.xls", "cases.ods", "cases"])
def test_unknown_extension(tmp_path, mini_bank, name: str) -> None:  # type: ignore[no-untyped-def]
    path = write_bytes(tmp_path, name, csv_text(GOOD).encode())
    (p,) = problems_of([path], mini_bank)
    assert "unknown file type" in p.message and p.allowed is not None and ".csv" in p.allowed


@pytest.mark.parametrize("byte", [b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d"])
def test_neither_utf8_nor_cp1252(tmp_path, mini_bank, byte: bytes) -> None:  # type: ignore[no-untyped-def]
    data = csv_text(GOOD).encode("cp1252").replace(b"c2", b"c" + byte)
    path = write_bytes(tmp_path, "binary.csv", data)
    (p,) = problems_of([path], mini_bank)
    assert p.file == str(path) and "UTF-8 or Windows-1252" in p.message


def test_every_file_is_reported_not_just_the_first(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "missing.csv"
    bad = write_csv(tmp_path, _one_bad("rmp", "maybe", 2), name="bad.csv")
    problems = problems_of([missing, bad], mini_bank)
    assert [(p.file, p.row) for p in problems] == [(str(missing), None), (str(bad), 2)]


def test_rows_of_bare_delimiters_are_skipped(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    """Spreadsheet exports often end with ';;;;' rows: read as blank rows, not as cases."""
    empty = ";" * (len(COLUMNS) - 1)
    bad = _one_bad("rmp", "partly", 3)[1]
    text = csv_text([GOOD[0]], sep=";") + empty + "\r\n" + ";".join(bad) + "\r\n" + empty
    path = write_bytes(tmp_path, "export.csv", text.encode("utf-8"))
    (p,) = problems_of([path], mini_bank)
    assert (p.row, p.column, p.value) == (4, "rmp", "partly")


def test_row_with_more_cells_than_the_header(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    text = csv_text(GOOD) + ",".join([*GOOD[1][:1], "c3", *GOOD[1][2:], "stray"]) + "\r\n"
    path = write_bytes(tmp_path, "ragged.csv", text.encode("utf-8"))
    (p,) = problems_of([path], mini_bank)
    assert (p.file, p.row, p.value) == (str(path), 4, "stray")


def test_excel_blank_row_skipped_and_rows_counted(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    import openpyxl

    path = tmp_path / "gap.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "cases"
    sheet.append(COLUMNS)
    sheet.append(GOOD[0])
    sheet.append([None] * len(COLUMNS))  # row 3 left blank
    sheet.append(_one_bad("rmp", "partly", 3)[1])  # row 4
    book.save(path)
    (p,) = problems_of([path], mini_bank)
    assert (p.row, p.column, p.value) == (4, "rmp", "partly")


def test_excel_empty_cases_sheet(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    import openpyxl

    path = tmp_path / "blank.xlsx"
    book = openpyxl.Workbook()
    assert book.active is not None
    book.active.title = "cases"
    book.save(path)
    (p,) = problems_of([path], mini_bank)
    assert p.file == str(path) and "no cases" in p.message


def test_same_file_given_twice(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path, GOOD)
    problems = problems_of([path, path], mini_bank)
    assert [(p.row, p.value) for p in problems] == [(2, "c1"), (3, "c2")]
    assert all("more than one file" in p.message for p in problems)


def test_several_files_report_every_problem_by_file_and_row(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    """Files are validated together: each problem still names its own file and row, in the
    order the files were given; a file with disallowed values is not checked further, while
    the applicability of another file's answers is."""
    bad_value = [list(r) for r in GOOD]
    bad_value[1][COLUMNS.index("rmp")] = "partly"
    misplaced = [list(r) for r in GOOD]
    misplaced[0][0] = misplaced[1][0] = "south"
    misplaced[1][COLUMNS.index("report_quality")] = "yes"  # licence: no report to judge
    unreadable = write_bytes(tmp_path, "c.csv", b"")
    paths = [write_csv(tmp_path, bad_value, "a.csv"), unreadable,
             write_csv(tmp_path, misplaced, "b.csv")]
    problems = problems_of(paths, mini_bank)
    assert [(Path(p.file).name, p.row, p.column) for p in problems] == [
        ("a.csv", 3, "rmp"), ("c.csv", None, None), ("b.csv", 3, "report_quality")]
    assert "does not apply" in problems[2].message


def test_files_with_different_columns_are_combined_with_not_applicable(  # type: ignore[no-untyped-def]
        tmp_path, mini_bank) -> None:
    narrow = [c for c in COLUMNS if c != "victim_safety"]
    rows = [[v for c, v in zip(COLUMNS, r, strict=True) if c != "victim_safety"] for r in GOOD]
    rows = [[("south" if c == "area_id" else v) for c, v in zip(narrow, r, strict=True)]
            for r in rows]
    data = load_cases([write_csv(tmp_path, GOOD, "a.csv"),
                       write_csv(tmp_path, rows, "b.csv", columns=narrow)], mini_bank)
    south = data.area("south")
    assert len(south) == 2 and all(v is pd.NA for v in south["victim_safety"])
    assert data.area("north")["victim_safety"].tolist()[1] == "no"


# ------------------------------------------------------------------- issue #14's classes


def _xlsx(path: Path, rows: Sequence[Sequence[object]], columns: Sequence[str] = COLUMNS,
          title_rows: int = 0) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "cases"
    for _ in range(title_rows):
        sheet.append(["Inspection export"])
    sheet.append(list(columns))
    for r in rows:
        sheet.append([None if v == "" else v for v in r])
    book.save(path)
    return path


@pytest.mark.parametrize(("column", "error"), [("rmp", "#N/A"), ("case_type", "#REF!"),
                                               ("victim_safety", "#DIV/0!")])
def test_excel_error_values_are_named(tmp_path, mini_bank, column: str, error: str) -> None:  # type: ignore[no-untyped-def]
    """Error cells are neither blanks nor missing values: rmp and victim_safety are judged
    questions, where a blank would silently be not applicable."""
    path = _xlsx(tmp_path / "errors.xlsx", _one_bad(column, error, 3))
    (p,) = problems_of([path], mini_bank)
    assert (p.row, p.column, p.value) == (3, column, error)
    assert "Excel error value" in p.message and p.allowed


def test_excel_numbers_read_as_typed(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    rows = [list(r) for r in GOOD]
    rows[0][COLUMNS.index("report_quality")] = 1  # Excel's number 1, read as "1" (yes)
    rows[1][COLUMNS.index("victim_safety")] = 0.0
    data = load_cases([_xlsx(tmp_path / "numbers.xlsx", rows)], mini_bank)
    assert data.frame.loc[0, "report_quality"] == "yes"
    assert data.frame.loc[1, "victim_safety"] == "no"


def test_parquet_yes_no_stored_as_floats(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    """pandas writes a 0/1 column with blanks as float 1.0/0.0/NaN: read as 1/0/blank."""
    frame = frame_of(GOOD)
    frame["report_quality"] = [1.0, float("nan")]
    frame["victim_safety"] = [float("nan"), 0.0]
    path = tmp_path / "floats.parquet"
    frame.to_parquet(path)
    data = load_cases([path], mini_bank)
    clean = load_cases([write_csv(tmp_path, GOOD)], mini_bank)
    assert data.frame.equals(clean.frame)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_header_below_title_rows(tmp_path, mini_bank, kind: str) -> None:  # type: ignore[no-untyped-def]
    if kind == "csv":
        text = "Inspection export\r\n\r\n" + csv_text(GOOD)
        path = write_bytes(tmp_path, "titled.csv", text.encode())
    else:
        path = _xlsx(tmp_path / "titled.xlsx", GOOD, title_rows=2)
    (p,) = problems_of([path], mini_bank)
    assert p.row == 3 and "on row 3, not row 1" in p.message
    assert p.allowed is not None and "delete the 2 row(s) above" in p.allowed


def test_duplicate_column_is_named_as_typed(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path, [[*r, "none"] for r in GOOD], columns=[*COLUMNS, "rmp"])
    (p,) = problems_of([path], mini_bank)
    assert (p.row, p.column) == (1, "rmp") and "more than once" in p.message
    assert "columns G and J" in p.message


def test_truncated_file_is_caught(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    text = csv_text(GOOD)
    cut = text[: text.rindex(",", 0, len(text) - 4)]  # the last row loses its last cells
    (p,) = problems_of([write_bytes(tmp_path, "cut.csv", cut.encode())], mini_bank)
    assert p.row == 3 and "fewer cells than the header" in p.message


def test_unknown_column_does_not_hide_bad_cells(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    rows = [[*r, "x"] for r in _one_bad("rmp", "partly", 3)]
    path = write_csv(tmp_path, rows, columns=[*COLUMNS, "notes"])
    found = [(p.row, p.column) for p in problems_of([path], mini_bank)]
    assert found == [(1, "notes"), (3, "rmp")]


def test_xlsx_that_inflates_past_the_limit(tmp_path, mini_bank, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The declared uncompressed size is checked before openpyxl opens the file."""
    import zipfile

    from analysis.method import readers

    path = _xlsx(tmp_path / "bomb.xlsx", GOOD)
    with zipfile.ZipFile(path) as z:
        size = sum(i.file_size for i in z.infolist())
    monkeypatch.setattr(readers, "MAX_UNCOMPRESSED_BYTES", size - 1)
    monkeypatch.setattr(readers, "load_workbook", None, raising=False)
    (p,) = problems_of([path], mini_bank)
    assert "too large once uncompressed" in p.message and p.allowed


def test_too_many_rows(tmp_path, mini_bank, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from analysis.method import readers

    monkeypatch.setattr(readers, "MAX_ROWS", 1)
    (p,) = problems_of([write_csv(tmp_path, GOOD)], mini_bank)
    assert "too many rows" in p.message and p.allowed and "at most 1 cases" in p.allowed


def test_template_header_cells_hold_id_and_text(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    header = [f"{c}\nWhat {c} records" for c in COLUMNS]
    data = load_cases([_xlsx(tmp_path / "described.xlsx", GOOD, columns=header)], mini_bank)
    assert data.frame.equals(load_cases([write_csv(tmp_path, GOOD)], mini_bank).frame)
