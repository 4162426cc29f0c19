"""Reading case-data files as researchers' tools write them: CSV, Excel and Parquet.

Every cell is read as text so that normalisation and validation see exactly what was typed.
What such tools commonly produce is accepted and said in the log (a byte-order mark, Windows-1252,
semicolons, data on a named sheet); anything ambiguous is refused with a message.
"""

from __future__ import annotations

import csv
import io
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..core.errors import InputError, Problem

log = logging.getLogger(__name__)

CASE_SHEET_NAMES = ("cases", "case data", "data")
ID_COLUMNS = ("area_id", "case_id")


@dataclass(frozen=True)
class ReadInfo:
    """How a file was read, for the log and the build manifest."""

    path: str
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None

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
    """Read a case-data file into a frame of strings (missing cells as empty strings)."""
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise InputError([Problem(name, "file not found")])
    if path.is_dir():
        raise InputError([Problem(name, "is a folder, not a case-data file")])
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        frame, info = _read_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        frame, info = _read_excel(path, sheet)
    elif suffix in (".parquet", ".pq"):
        frame, info = _read_parquet(path)
    else:
        raise InputError([Problem(name, f"unknown file type '{suffix}'",
                                  allowed=".csv, .xlsx, .parquet")])
    frame.columns = [str(c).strip() for c in frame.columns]
    # blank rows (or rows of bare delimiters) are dropped, keeping the index so that the row
    # numbers in messages stay those a spreadsheet shows
    frame = frame[frame.astype(str).apply(lambda col: col.str.strip() != "").any(axis=1)]
    if frame.empty:
        raise InputError([Problem(name, "has a header but no cases (no data rows)")])
    log.info(info.describe())
    return frame, info


def _decode(data: bytes, name: str) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8 (with byte-order mark)"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise InputError([Problem(name, f"cannot be read as UTF-8 or Windows-1252 ({exc.reason})",
                                  allowed="UTF-8 or Windows-1252 text")]) from None


def _read_csv(path: Path) -> tuple[pd.DataFrame, ReadInfo]:
    name = str(path)
    text, encoding = _decode(path.read_bytes(), name)
    if not text.strip():
        raise InputError([Problem(name, "is empty: no header and no cases")])
    header = text.splitlines()[0]
    delimiter = max((",", ";", "\t"), key=header.count)
    if header.count(delimiter) == 0:
        delimiter = ","
    # blank lines are kept (and dropped later) so that index + 2 is the spreadsheet row;
    # index_col=False: a delimiter ending every data row must not turn area_id into the index
    records = csv.reader(io.StringIO(text), delimiter=delimiter)
    width = len(next(records))
    for row, cells in enumerate(records, start=2):
        if any(cell.strip() for cell in cells[width:]):
            raise InputError([Problem(name, f"row has more cells than the header ({width})",
                                      row=row, value=delimiter.join(cells[width:]),
                                      allowed="one cell per header column")])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str,
                                keep_default_na=False, na_filter=False, skip_blank_lines=False,
                                index_col=False, quoting=csv.QUOTE_MINIMAL)
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError([Problem(name, f"is not a readable CSV file: {exc}")]) from None
    return frame, ReadInfo(name, "CSV", encoding, delimiter)


def _read_excel(path: Path, sheet: str | None) -> tuple[pd.DataFrame, ReadInfo]:
    name = str(path)
    try:
        book = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False,
                             na_filter=False, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InputError([Problem(name, f"is not a readable Excel file: {exc}")]) from None
    if not book:
        raise InputError([Problem(name, "has no sheets")])
    chosen = _choose_sheet(name, book, sheet)
    return book[chosen].fillna(""), ReadInfo(name, "Excel", sheet=chosen)


def _choose_sheet(name: str, book: dict[str, pd.DataFrame], sheet: str | None) -> str:
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
    with_ids = [s for s, f in book.items() if set(ID_COLUMNS) <= {str(c) for c in f.columns}]
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
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise InputError([Problem(name, f"is not a readable Parquet file: {exc}")]) from None
    frame = frame.astype("object").where(frame.notna(), "").astype(str)
    return frame, ReadInfo(name, "Parquet")
