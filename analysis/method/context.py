"""The area context of Appendix 1: ``data/context/*.csv``, read and checked like a case file.

Three files, each optional: ``local_authorities.csv`` (an area's local authorities, and
England and Wales), ``caseload.csv`` (an area's probation caseload, and the national one) and
``survey.csv`` (the survey of people under supervision). Each is read as people's tools save
text (encodings, line endings, delimiters, size limits: :mod:`analysis.method.textfile`); every
problem is reported at once, naming the file, row, column, value and what is allowed. A row
whose area id names no area of ``areas.csv`` is refused, as is a file the build would not read
(a misspelt name would otherwise be ignored silently).

Checking uses the csv module only (a build with nothing to do checks these files and imports
no pandas); :func:`read_context` gives the chapters a typed table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import InputError, Problem
from . import textfile

if TYPE_CHECKING:
    import pandas as pd

FOLDER = "context"
PERCENT = "percent"   # a number from 0 to 100 (a trailing % allowed)
COUNT = "count"       # a whole number, 0 or more (thousands separators allowed)
YEAR = "year"         # a whole number from 1900 to 2100
TEXT = "text"


@dataclass(frozen=True)
class ContextFile:
    """One context file: its columns and kinds, the reference rows it may hold beside the
    areas (England and Wales, national), and whether an area has at most one row."""

    name: str
    columns: dict[str, str]
    reference: tuple[str, ...] = ()
    one_per_area: bool = True
    optional: tuple[str, ...] = ("source",)

    def path(self, data_dir: Path) -> Path:
        return data_dir / FOLDER / f"{self.name}.csv"


FILES = {f.name: f for f in (
    ContextFile("local_authorities", {"area_id": TEXT, "name": TEXT,
                                      "unemployment_percent": PERCENT, "population": COUNT,
                                      "bme_percent": PERCENT, "source": TEXT},
                reference=("england-and-wales",), one_per_area=False),
    ContextFile("caseload", {"area_id": TEXT, "total": COUNT, "white_percent": PERCENT,
                             "minority_percent": PERCENT, "male_percent": PERCENT,
                             "female_percent": PERCENT, "source": TEXT},
                reference=("national",)),
    ContextFile("survey", {"area_id": TEXT, "year": YEAR, "responses": COUNT,
                           "involved_percent": PERCENT, "positive_percent": PERCENT,
                           "motivate_percent": PERCENT, "source": TEXT}),
)}
ALLOWED_KIND = {
    PERCENT: "a number from 0 to 100, e.g. 12.5 (a % sign may follow)",
    COUNT: "a whole number, 0 or more, e.g. 159700 (or 159,700)",
    YEAR: "a year, e.g. 2013",
    TEXT: "any text",
}
_COUNT = re.compile(r"\d{1,3}(,\d{3})+|\d+")
_NUMBER = re.compile(r"[+]?(\d+(\.\d*)?|\.\d+)")


def number(text: str, kind: str) -> float | None:
    """The number a cell holds, or None when it is not one of ``kind``."""
    text = text.strip()
    if kind == PERCENT:
        text = text.removesuffix("%").strip()
        value = float(text) if _NUMBER.fullmatch(text) else None
        return value if value is not None and value <= 100 else None
    if not _COUNT.fullmatch(text):
        return None
    value = float(text.replace(",", ""))
    return value if kind == COUNT or 1900 <= value <= 2100 else None


@dataclass(frozen=True)
class Rows:
    """A context file's header and records (spreadsheet row, cells by column)."""

    header: list[str]
    records: list[tuple[int, dict[str, str]]]


def _rows(spec: ContextFile, path: Path) -> tuple[Rows, list[Problem]]:
    """The file's rows, and what is wrong with its shape (columns, cells, long cells)."""
    name = str(path)
    text = textfile.read_text(path, "context file").text
    rows = textfile.csv_rows(text, name, textfile.sniff_delimiter(text))
    if not any(c.strip() for r in rows for c in r):
        return Rows([], []), [Problem(name, "is empty", allowed="a header row: "
                                      + ",".join(spec.columns) + ", then one row per area")]
    header = [c.strip() for c in rows[0]]
    required = [c for c in spec.columns if c not in spec.optional]
    problems = [Problem(name, "required column is missing", row=1, column=c,
                        allowed=", ".join(spec.columns)) for c in required if c not in header]
    problems += [Problem(name, "unknown column", row=1, column=c,
                         allowed=", ".join(spec.columns))
                 for c in header if c and c not in spec.columns]
    problems += [Problem(name, "column appears more than once", row=1, column=c)
                 for c in sorted({c for c in header if c and header.count(c) > 1})]
    problems += textfile.long_cells(rows, header, name)
    if len(rows) > textfile.MAX_ROWS:
        problems.append(Problem(name, f"has too many rows ({len(rows):,})",
                                allowed=f"at most {textfile.MAX_ROWS:,}"))
    records, shape = textfile.records(rows, header, name)
    problems += shape
    return Rows(header, records), problems


def _cell_problems(spec: ContextFile, name: str, rows: Rows,
                   areas: set[str] | None) -> list[Problem]:
    """Values of the wrong kind, area ids that name no area, an area given twice."""
    problems: list[Problem] = []
    first: dict[str, int] = {}
    allowed_ids = ("an area id of areas.csv" + "".join(f", or {r}" for r in spec.reference))
    for r, rec in rows.records:
        area = rec.get("area_id", "")
        if not area:
            problems.append(Problem(name, "area id is missing", row=r, column="area_id",
                                    value="", allowed=allowed_ids))
        elif areas is not None and area not in areas and area not in spec.reference:
            problems.append(Problem(name, "area id names no area of areas.csv", row=r,
                                    column="area_id", value=area, allowed=allowed_ids))
        elif spec.one_per_area and area in first:
            problems.append(Problem(name, f"area appears more than once (first on row "
                                    f"{first[area]})", row=r, column="area_id", value=area,
                                    allowed="one row per area"))
        first.setdefault(area, r)
        for column, kind in spec.columns.items():
            if kind == TEXT or column not in rec:
                continue
            value = rec[column]
            if not value.strip() and area in spec.reference:
                continue  # a reference figure may be unpublished (the national caseload)
            if number(value, kind) is None:
                problems.append(Problem(name, "value is missing" if not value.strip()
                                        else "not a number of this kind", row=r, column=column,
                                        value=value, allowed=ALLOWED_KIND[kind]))
    return problems


def check_context(data_dir: Path, area_ids: Iterable[str] | None = None) -> list[Problem]:
    """Every problem of the data folder's context files (``area_ids``: the areas of
    areas.csv, whose ids the rows must name), found before a build writes anything."""
    folder = Path(data_dir) / FOLDER
    if not folder.is_dir():
        return []
    areas = set(area_ids) if area_ids is not None else None
    problems = [Problem(str(p), "unknown context file: the build would not read it",
                        allowed=", ".join(f"{n}.csv" for n in FILES))
                for p in sorted(folder.iterdir()) if p.is_file() and p.stem not in FILES
                and not p.name.startswith(".") and p.suffix.lower() in (".csv", ".txt", "")]
    for spec in FILES.values():
        path = spec.path(Path(data_dir))
        if not path.exists():
            continue
        try:
            rows, found = _rows(spec, path)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        problems += found or _cell_problems(spec, str(path), rows, areas)
    return problems


def read_context(data_dir: Path, name: str) -> pd.DataFrame:
    """One context file as a table (empty when the data folder has none): numbers as numbers,
    text as text; a malformed file raises :class:`InputError` naming every problem."""
    import pandas as pd

    spec = FILES[name]
    path = spec.path(Path(data_dir))
    if not path.exists():
        return pd.DataFrame()
    rows, problems = _rows(spec, path)
    problems = problems or _cell_problems(spec, str(path), rows, None)
    if problems:
        raise InputError(problems)
    columns = [c for c in spec.columns if c in rows.header]
    frame = pd.DataFrame([[rec.get(c, "") for c in columns] for _, rec in rows.records],
                         columns=columns, dtype=object)
    for column in columns:
        kind = spec.columns[column]
        if kind == TEXT:
            frame[column] = frame[column].astype(str)
        else:
            values = [number(v, kind) if v.strip() else None for v in frame[column]]
            whole = kind != PERCENT and None not in values
            frame[column] = pd.Series(values, dtype="int64" if whole else float)
    return frame
