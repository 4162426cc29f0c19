"""Reading case-data files as researchers' tools write them: CSV, Excel and Parquet.

Every cell is read as text so that normalisation and validation see exactly what was typed.
What such tools commonly produce is accepted and said in the log (a byte-order mark, UTF-16,
Windows-1252, any line endings, semicolons, data on a named sheet, whole numbers stored as
decimals); anything ambiguous is refused with a message. CSV and Excel rows take one path to a
frame (:func:`frame_from_rows`), so both are held to the same checks and limits.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..core.errors import InputError, Problem
from . import textfile
from .textfile import MAX_CELL_CHARS, MAX_ROWS, MAX_UNCOMPRESSED_BYTES, megabytes

log = logging.getLogger(__name__)

CASE_SHEET_NAMES = ("cases", "case data", "data")
ID_COLUMNS = ("area_id", "case_id")
#: How far down a misplaced header row is looked for, to say where it is.
HEADER_SEARCH_ROWS = 20


@dataclass(frozen=True)
class ReadInfo:
    """How a file was read, for the log and the build manifest."""

    path: str
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    #: Each column id's spreadsheet letter (the first column of that name), where the file
    #: opens in a spreadsheet (CSV, Excel): messages then name the cell, e.g. D9.
    letters: dict[str, str] = field(default_factory=dict)
    #: Problems found while reading that do not stop the file's cells being checked (ids a
    #: spreadsheet turned into dates): reported with the validation's.
    problems: tuple[Problem, ...] = ()

    def describe(self) -> str:
        bits = [self.format]
        if self.encoding:
            bits.append(f"encoding {self.encoding}")
        if self.delimiter:
            bits.append(f"delimiter {self.delimiter!r}")
        if self.sheet:
            bits.append(f"sheet {self.sheet!r}")
        return f"read {self.path} as " + ", ".join(bits)


def read_table(path: str | Path, sheet: str | None = None) -> tuple[pd.DataFrame, ReadInfo]:
    """Read a case-data file into a frame of strings (missing cells as empty strings).

    The index is the spreadsheet row less 2 (header = row 1), blank rows left out.
    """
    path = Path(path)
    name = str(path)
    suffix = path.suffix.lower()
    textfile.check_file(path)
    if suffix in (".csv", ".txt", ".tsv"):
        frame, info = _read_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        frame, info = _read_excel(path, sheet)
    elif suffix in (".parquet", ".pq"):
        frame, info = _read_parquet(path)
    else:
        raise InputError([Problem(name, f"unknown file type '{suffix}'",
                                  allowed=".csv, .xlsx, .parquet")])
    if frame.empty:
        raise InputError([Problem(name, "has a header but no cases (no data rows)")])
    log.info(info.describe())
    return frame, info


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column: 0 -> A, 26 -> AA."""
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = chr(65 + rest) + text
    return text


def column_letters(header: Sequence[str]) -> dict[str, str]:
    """Each column id's letter (its first column when the name is repeated)."""
    letters: dict[str, str] = {}
    for i, cell in enumerate(header):
        name = column_id(cell)
        if name:
            letters.setdefault(name, column_letter(i))
    return letters


def column_id(header_cell: str) -> str:
    """A header cell's column id: its first line (the template writes 'id' then the question
    text on the lines below), trimmed."""
    return header_cell.strip().split("\n", 1)[0].strip()


def _is_blank(cells: Sequence[str]) -> bool:
    return not any(c.strip() for c in cells)


def _header_problem(rows: list[list[str]], name: str) -> Problem | None:
    """Row 1 must hold the column names; if it does not, say on which row they are."""
    first = {column_id(c) for c in rows[0]}
    if set(ID_COLUMNS) <= first:
        return None
    for r, cells in enumerate(rows[1:HEADER_SEARCH_ROWS], start=2):
        if set(ID_COLUMNS) <= {column_id(c) for c in cells}:
            return Problem(name, f"the column names are on row {r}, not row 1", row=r,
                           allowed="the column names (area_id, case_id, ...) on row 1: delete "
                           f"the {r - 1} row(s) above them")
    return None


def _shape_problems(rows: list[list[str]], header: list[str], name: str,
                    short_rows: bool) -> list[Problem]:
    """Rows longer (or, for CSV, shorter) than the header; too many rows; over-long cells."""
    problems: list[Problem] = []
    width = len(header)
    data = [(r, cells) for r, cells in enumerate(rows[1:], start=2) if not _is_blank(cells)]
    if len(data) > MAX_ROWS:
        return [Problem(name, f"has too many rows ({len(data):,} cases)",
                        allowed=f"at most {MAX_ROWS:,} cases a file: split it by area")]
    for r, cells in data:
        if any(c.strip() for c in cells[width:]):
            problems.append(Problem(name, f"row has more cells than the header ({width})",
                                    row=r, value=",".join(cells[width:]),
                                    allowed="one cell per header column"))
        elif short_rows and len(cells) < width:
            problems.append(Problem(name, f"row has fewer cells than the header ({len(cells)} "
                                    f"of {width}): the file may have been cut short", row=r,
                                    column=header[len(cells)],
                                    allowed="one cell per header column"))
    for r, cells in [(1, rows[0]), *data]:
        for c, cell in enumerate(cells):
            if len(cell) > MAX_CELL_CHARS:
                problems.append(Problem(
                    name, f"cell is too long ({len(cell):,} characters)", row=r,
                    column=header[c] if r > 1 and c < width else None, value=cell,
                    allowed=f"at most {MAX_CELL_CHARS:,} characters a cell",
                    cell=f"{column_letter(c)}{r}"))
    return problems


def frame_from_rows(rows: list[list[str]], name: str, *, short_rows: bool) -> pd.DataFrame:
    """The frame of a file's rows of text: header on row 1, every row as wide as the header.

    Every problem of shape is raised at once. Columns named twice are kept (validation names
    them); a column with neither a name nor a value is dropped (a trailing delimiter).
    """
    while rows and _is_blank(rows[-1]):
        rows = rows[:-1]
    if not rows:
        raise InputError([Problem(name, "is empty: no header and no cases")])
    problem = _header_problem(rows, name)
    if problem is not None:
        raise InputError([problem])
    header = [column_id(c) for c in rows[0]]
    problems = _shape_problems(rows, header, name, short_rows)
    if problems:
        raise InputError(problems)
    width = len(header)
    index = [r - 2 for r, cells in enumerate(rows[1:], start=2) if not _is_blank(cells)]
    body = [(cells + [""] * width)[:width] for cells in rows[1:] if not _is_blank(cells)]
    frame = pd.DataFrame(body, columns=header, index=index, dtype=object)
    unnamed = [i for i, col in enumerate(header) if col == ""]
    empty = [i for i in unnamed if not frame.iloc[:, i].str.strip().any()]
    if empty:
        frame = frame.iloc[:, [i for i in range(width) if i not in empty]]
    return frame


def _read_csv(path: Path) -> tuple[pd.DataFrame, ReadInfo]:
    name = str(path)
    decoded = textfile.read_text(path)
    if not decoded.text.strip():
        raise InputError([Problem(name, "is empty: no header and no cases")])
    delimiter = textfile.sniff_delimiter(decoded.text)
    rows = textfile.csv_rows(decoded.text, name, delimiter)
    frame = frame_from_rows(rows, name, short_rows=True)
    return frame, ReadInfo(name, "CSV", decoded.encoding, delimiter,
                           letters=column_letters(rows[0]))


def cell_text(value: object) -> str:
    """An Excel or Parquet cell as the text a person sees: 1 (stored 1.0) as '1', error values
    such as '#N/A' as themselves, dates as ISO dates, blank as ''."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return str(value)


def _check_zip(path: Path) -> None:
    """Refuse a damaged .xlsx or one that would inflate past the limit, before opening it.

    The sizes are those the archive declares; :mod:`zipfile` refuses a member that inflates
    past its declared size, so a lying archive fails to open instead of filling memory.
    """
    name = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError([Problem(name, f"is not a readable Excel file: {exc}",
                                  allowed="an .xlsx workbook saved by Excel or LibreOffice")]) \
            from None
    if size > MAX_UNCOMPRESSED_BYTES:
        raise InputError([Problem(name, f"is too large once uncompressed ({megabytes(size)})",
                                  allowed=f"workbooks up to {megabytes(MAX_UNCOMPRESSED_BYTES)} "
                                  "uncompressed")])


@dataclass
class _Sheet:
    """A sheet's cells as text, and where it held dates (0-based row, column)."""

    rows: list[list[str]]
    dates: set[tuple[int, int]]


def _is_date(value: object) -> bool:
    return isinstance(value, dt.date | dt.datetime | dt.time | pd.Timestamp)


def _sheet_rows(sheet: Iterable[tuple[object, ...]], name: str) -> _Sheet:
    rows: list[list[str]] = []
    dates: set[tuple[int, int]] = set()
    for values in sheet:
        dates.update((len(rows), c) for c, v in enumerate(values) if _is_date(v))
        rows.append([cell_text(v) for v in values])
        if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS + 1:
            raise InputError([Problem(name, f"has too many rows (more than {MAX_ROWS:,})",
                                      allowed=f"at most {MAX_ROWS:,} cases a file")])
    return _Sheet(rows, dates)


DATE_ID_ALLOWED = ("the id as text: format the column as Text (or type an apostrophe before "
                   "the id) and type it again as it was written")


def date_ids(rows: list[list[str]], dates: Iterable[tuple[int, int]], name: str, *,
             cells: bool = True) -> tuple[Problem, ...]:
    """An id column's cells stored as dates (a spreadsheet turns an id typed as 3-4, 1/2 or
    Mar-14 into one): what was typed is lost, so they are refused rather than read as the ISO
    date they became. ``cells``: name the spreadsheet cell (not for Parquet)."""
    if not rows:
        return ()
    ids = {c: column_id(cell) for c, cell in enumerate(rows[0]) if column_id(cell) in ID_COLUMNS}
    return tuple(Problem(name, "a date, not an id: the id is stored as a date (a spreadsheet "
                         "turns ids such as 3-4 or 1/2 into dates), so what was typed is lost",
                         row=r + 1, column=ids[c], value=rows[r][c], allowed=DATE_ID_ALLOWED,
                         cell=f"{column_letter(c)}{r + 1}" if cells else None)
                 for r, c in sorted(dates) if r > 0 and c in ids)


def _read_excel(path: Path, sheet: str | None) -> tuple[pd.DataFrame, ReadInfo]:
    name = str(path)
    _check_zip(path)
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
        try:
            sheets = {ws.title: _sheet_rows(ws.iter_rows(values_only=True), name)
                      for ws in book.worksheets}
        finally:
            book.close()
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InputError([Problem(name, f"is not a readable Excel file: {exc}")]) from None
    if not sheets:
        raise InputError([Problem(name, "has no sheets")])
    chosen = _choose_sheet(name, {title: s.rows for title, s in sheets.items()}, sheet)
    rows = sheets[chosen].rows
    if not rows or all(_is_blank(r) for r in rows):
        raise InputError([Problem(name, "has a header but no cases (no data rows)")])
    frame = frame_from_rows(rows, name, short_rows=False)
    return frame, ReadInfo(name, "Excel", sheet=chosen, letters=column_letters(rows[0]),
                           problems=date_ids(rows, sheets[chosen].dates, name))


def _has_ids(rows: list[list[str]]) -> bool:
    return any(set(ID_COLUMNS) <= {column_id(c) for c in r} for r in rows[:HEADER_SEARCH_ROWS])


def _choose_sheet(name: str, book: dict[str, list[list[str]]], sheet: str | None) -> str:
    """Pick the sheet holding the cases: named, the only one, or the only one with id columns."""
    if sheet is not None:
        if sheet not in book:
            raise InputError([Problem(name, f"has no sheet named {sheet!r}",
                                      allowed=", ".join(map(repr, book)))])
        return sheet
    if len(book) == 1:
        return next(iter(book))
    for candidate in book:
        if candidate.strip().lower() in CASE_SHEET_NAMES:
            return candidate
    with_ids = [s for s, rows in book.items() if _has_ids(rows)]
    if len(with_ids) == 1:
        return with_ids[0]
    if not with_ids:
        raise InputError([Problem(name, "no sheet has the columns area_id and case_id",
                                  allowed="a sheet named 'cases', or pass --sheet")])
    raise InputError([Problem(
        name, f"several sheets could hold the cases ({', '.join(map(repr, with_ids))}) "
        "and none is named 'cases'", allowed="name the sheet 'cases' or pass --sheet NAME")])


def _read_parquet(path: Path) -> tuple[pd.DataFrame, ReadInfo]:
    name = str(path)
    try:
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(path).metadata
        size = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        if meta.num_rows > MAX_ROWS:
            raise InputError([Problem(name, f"has too many rows ({meta.num_rows:,} cases)",
                                      allowed=f"at most {MAX_ROWS:,} cases a file")])
        if size > MAX_UNCOMPRESSED_BYTES:
            raise InputError([Problem(name, f"is too large once uncompressed ({megabytes(size)})",
                                      allowed=f"up to {megabytes(MAX_UNCOMPRESSED_BYTES)}")])
        frame = pd.read_parquet(path)
    except InputError:
        raise
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise InputError([Problem(name, f"is not a readable Parquet file: {exc}")]) from None
    header = [str(c) for c in frame.columns]
    records = list(frame.astype(object).itertuples(index=False, name=None))
    rows = [header] + [[cell_text(v) for v in rec] for rec in records]
    dates = {(r, c) for r, rec in enumerate(records, start=1) for c, v in enumerate(rec)
             if _is_date(v)}
    return frame_from_rows(rows, name, short_rows=False), ReadInfo(
        name, "Parquet", problems=date_ids(rows, dates, name, cells=False))
