"""Text files as people's tools save them: size limits, encodings, line endings, CSV rows.

Shared by the case-file reader and ``areas.csv`` (which a build with nothing to do reads, so this
module imports neither pandas nor anything heavy). Every failure is a :class:`Problem`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import InputError, Problem

#: Documented limits (README, "Bringing your own data"). An area has 50-90 cases: these are far
#: above any real file and far below what would exhaust memory.
MAX_FILE_BYTES = 50_000_000
MAX_ROWS = 20_000
MAX_CELL_CHARS = 1_000
#: xlsx and Parquet are compressed: their declared uncompressed size is checked before reading.
MAX_UNCOMPRESSED_BYTES = 200_000_000

BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "utf-32-le", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8", "utf-8"),
    (b"\xff\xfe", "utf-16-le", "utf-16"),
    (b"\xfe\xff", "utf-16-be", "utf-16"),
)
ENCODINGS_ALLOWED = "UTF-8, UTF-16 with a byte-order mark (Excel's 'Unicode text'), or Windows-1252"


@dataclass(frozen=True)
class Text:
    """A decoded text file: its text with line endings as ``\\n``, and how it was decoded."""

    text: str
    encoding: str


def megabytes(n: int) -> str:
    return f"{n / 1_000_000:,.1f} MB"


def check_file(path: Path, what: str = "file") -> int:
    """The file's size; refuse a missing path, a folder, an unreadable or oversized file."""
    name = str(path)
    try:
        if not path.exists():
            raise InputError([Problem(name, f"{what} not found")])
        if path.is_dir():
            raise InputError([Problem(name, f"is a folder, not a {what}")])
        size = path.stat().st_size
    except OSError as exc:
        raise InputError([Problem(name, f"cannot be read: {exc.strerror or exc}")]) from None
    if size > MAX_FILE_BYTES:
        raise InputError([Problem(name, f"is too large ({megabytes(size)})",
                                  allowed=f"files up to {megabytes(MAX_FILE_BYTES)}")])
    return size


def read_bytes(path: Path, what: str = "file") -> bytes:
    """The file's bytes, within the size limit; permission and other OS errors as problems."""
    check_file(path, what)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError([Problem(str(path), f"cannot be read: {exc.strerror or exc}",
                                  allowed="a file you have permission to read")]) from None
    if len(data) > MAX_FILE_BYTES:  # grew while being read
        raise InputError([Problem(str(path), "is too large",
                                  allowed=f"files up to {megabytes(MAX_FILE_BYTES)}")])
    return data


def decode(data: bytes, name: str) -> Text:
    """Decode as the tools people use save text; a NUL without a byte-order mark is refused."""
    for mark, codec, label in BOMS:
        if data.startswith(mark):
            try:
                text = data[len(mark):].decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError([Problem(name, f"starts with a {label} byte-order mark but is "
                                          f"not {label} text ({exc.reason})",
                                          allowed=ENCODINGS_ALLOWED)]) from None
            return Text(newlines(text), f"{label} (with byte-order mark)")
    if data.count(b"\x00") * 4 > len(data):  # every other byte: UTF-16 of Latin text
        raise InputError([Problem(name, "looks like UTF-16 text without a byte-order mark (or "
                                  "is not a text file)", allowed=ENCODINGS_ALLOWED)])
    try:
        return Text(newlines(data.decode("utf-8")), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return Text(newlines(data.decode("cp1252")), "windows-1252")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(name, f"cannot be read as UTF-8 or Windows-1252 ({exc.reason})",
                                  allowed=ENCODINGS_ALLOWED)]) from None


def newlines(text: str) -> str:
    """Windows, classic Mac and mixed line endings all as ``\\n``."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(path: Path, what: str = "file") -> Text:
    return decode(read_bytes(path, what), str(path))


def sniff_delimiter(text: str) -> str:
    """The delimiter of the first non-blank line: ',' unless ';' or a tab is more frequent."""
    header = next((line for line in text.split("\n") if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=header.count)
    return delimiter if header.count(delimiter) else ","


def csv_rows(text: str, name: str, delimiter: str) -> list[list[str]]:
    """Every row as cells (blank lines kept, so that a row's index + 1 is its spreadsheet row).

    Cells of any length are read (up to the file limit) so that a long one gets its own message.
    """
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES))
    try:
        return list(csv.reader(io.StringIO(text), delimiter=delimiter, strict=False))
    except csv.Error as exc:  # the reader has no other failure left with strict=False
        raise InputError([Problem(name, f"is not a readable CSV file: {exc}")]) from None


def long_cells(rows: list[list[str]], header: list[str], name: str,
               first_row: int = 1) -> list[Problem]:
    """A problem for every cell longer than the limit (spreadsheet rows from ``first_row``)."""
    problems = []
    for r, cells in enumerate(rows, start=first_row):
        for c, cell in enumerate(cells):
            if len(cell) > MAX_CELL_CHARS:
                column = header[c] if c < len(header) and r != first_row else None
                problems.append(Problem(name, f"cell is too long ({len(cell):,} characters)",
                                        row=r, column=column, value=cell,
                                        allowed=f"at most {MAX_CELL_CHARS:,} characters a cell"))
    return problems


def records(rows: list[list[str]], header: list[str], name: str
            ) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    """(spreadsheet row, record by column) of every non-blank row after the header, and a
    problem for each row with a filled cell beyond the header's columns: one reading of a
    small CSV table for every input beside the case files."""
    problems, found = [], []
    for r, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if any(c.strip() for c in cells[len(header):]):
            problems.append(Problem(name, f"row has more cells than the header ({len(header)})",
                                    row=r, value=",".join(cells[len(header):]),
                                    allowed="one cell per header column"))
        found.append((r, {h: (cells[i].strip() if i < len(cells) else "")
                          for i, h in enumerate(header) if h}))
    return found, problems
