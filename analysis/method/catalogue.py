"""The bundled areas and their context: ``data/areas.csv`` and ``data/context/``.

``areas.csv`` is held to the standard of a case file (any encoding or line ending people's
tools save, size limits, every problem at once, each naming the file, row and column); it is
read with the csv module, not pandas: a build with nothing to do reads this file and no table.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import InputError, Problem
from . import groupings, textfile
from .groupings import Group, GroupRef

AREA_ID_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
COLUMNS = ("area_id", "name", "label", "cases")
REAL = "real"
#: Who may see real case data: said on every banner of a report that holds any.
REAL_WARNING = ("personal data, so hand out only the release folder of a publication build "
                "(build --publish)")
LABELS = {
    REAL: f"Real case data from an inspection: {REAL_WARNING}",
    "reconstructed": "Reconstructed from the published report: figures the report does not "
                     "publish are synthetic",
    "synthetic": "Synthetic data: a fictional area generated for demonstration; no real cases",
}
AREA_ID_ALLOWED = ("lower-case letters, digits, '-' and '_', starting with a letter or digit "
                   "(no path separators, '..', spaces, markup or control characters)")


@dataclass(frozen=True)
class Area:
    id: str
    name: str
    label: str
    cases: Path
    groups: tuple[GroupRef, ...] = ()  # one per grouping column pair of areas.csv

    @property
    def label_text(self) -> str:
        return LABELS.get(self.label, self.label)


def combined_label(labels: Iterable[str]) -> str:
    """The data label of a report over several areas (the aggregate, a group's, the index):
    real case data first, as it decides who may see the report."""
    counts = Counter(labels)
    n = sum(counts.values())
    real, rebuilt = counts[REAL], counts["reconstructed"]
    if real:
        which = "every area" if real == n else f"{real} of the {n} areas"
        return f"Real case data from inspections ({which}): {REAL_WARNING}"
    if rebuilt and rebuilt == n:
        return ("Reconstructed from published reports: figures the reports do not publish are "
                "synthetic; no real cases")
    if rebuilt:
        some = ("one area reconstructed from its published report" if rebuilt == 1 else
                f"{rebuilt} areas reconstructed from their published reports")
        return f"Synthetic areas and {some}; no real cases"
    return "Synthetic data: fictional areas generated for demonstration; no real cases"


def check_area_id(area_id: str, file: str = "area id", row: int | None = None) -> str:
    """Refuse area ids that could escape the output folder or inject markup."""
    if not AREA_ID_RE.fullmatch(area_id):
        raise InputError([Problem(file, "area id is not allowed", row=row, column="area_id",
                                  value=area_id, allowed=AREA_ID_ALLOWED)])
    return area_id


def _records(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and (spreadsheet row, record) of every non-blank row; header and shape
    problems raised."""
    name = str(path)
    text = textfile.read_text(path, "area list").text
    rows = textfile.csv_rows(text, name, textfile.sniff_delimiter(text))
    if not rows or not any(c.strip() for r in rows for c in r):
        raise InputError([Problem(name, "is empty", allowed="a header row: "
                                  + ",".join(COLUMNS) + ", then one row per area")])
    header = [c.strip() for c in rows[0]]
    problems = [Problem(name, "required column is missing", row=1, column=col,
                        allowed=", ".join(COLUMNS)) for col in COLUMNS if col not in header]
    problems += [Problem(name, "column appears more than once", row=1, column=col)
                 for col in sorted({c for c in header if c and header.count(c) > 1})]
    problems += textfile.long_cells(rows, header, name)
    problems += groupings.groupings(header, COLUMNS, name)[1]
    records, shape = textfile.records(rows, header, name)
    problems += shape
    if problems:
        raise InputError(problems)
    if not records:
        raise InputError([Problem(name, "lists no areas", allowed="one row per area")])
    return header, records


def _case_file(data_dir: Path, value: str, name: str, row: int,
               check: bool = True) -> tuple[Path, list[Problem]]:
    """The case file a row names, and what is wrong with it (blank, missing, a folder...);
    with ``check`` False only a blank name is a problem."""
    allowed = "a case file's path relative to the data folder, e.g. cases/<area>.csv"
    if not value:
        return data_dir, [Problem(name, "case file is blank", row=row, column="cases",
                                  value=value, allowed=allowed)]
    path = data_dir / value
    if not check:
        return path, []
    try:
        textfile.check_file(path, "case file")
    except InputError as exc:
        return path, [Problem(name, f"{p.message} ({path})", row=row, column="cases",
                              value=value, allowed=allowed) for p in exc.problems]
    return path, []


def _area(data_dir: Path, name: str, row: int, rec: dict[str, str], first: dict[str, int],
          grouped: list[str], check_cases: bool = True) -> tuple[Area, list[Problem]]:
    """One row's area and its problems: id, duplicate id, empty name, label, case file,
    groups."""
    problems: list[Problem] = []
    area_id = rec["area_id"]
    try:
        check_area_id(area_id, name, row)
    except InputError as exc:
        problems.extend(exc.problems)
    if area_id in first:
        problems.append(Problem(name, f"area id appears more than once (first on row "
                                f"{first[area_id]})", row=row, column="area_id", value=area_id,
                                allowed="each area once: put all its cases in one case file"))
    first.setdefault(area_id, row)
    if not rec["name"]:
        problems.append(Problem(name, "area name is empty", row=row, column="name", value="",
                                allowed="the name shown in the report's title and the index"))
    if rec["label"] not in LABELS:
        problems.append(Problem(name, "unknown data label", row=row, column="label",
                                value=rec["label"], allowed=", ".join(LABELS)))
    cases, bad = _case_file(data_dir, rec["cases"], name, row, check_cases)
    groups, wrong = groupings.refs(rec, grouped, name, row)
    return Area(area_id, rec["name"], rec["label"], cases, groups), problems + bad + wrong


def _shared_file(files: dict[Path, tuple[int, str]], area: Area, row: int, value: str,
                 name: str) -> list[Problem]:
    """One problem when a second area names a case file already named (instead of one "same
    case id" for each of its cases); ``files`` remembers the first row naming each file."""
    key = area.cases.resolve()
    if key not in files:
        files[key] = (row, area.id)
        return []
    first, other = files[key]
    if other == area.id:  # the same area listed twice: its own message says so
        return []
    return [Problem(name, f"case file is also the case file of area '{other}' (row {first})",
                    row=row, column="cases", value=value,
                    allowed="a case file of its own for each area")]


def load_areas(data_dir: str | Path, *, check_cases: bool = True) -> list[Area]:
    """Read ``areas.csv``: id, name, label, cases (a path relative to the data folder), and
    any grouping columns (:mod:`analysis.method.groupings`).

    ``check_cases=False`` for readers of tables (the chapters), which need the areas but not
    their case files: a Dask worker receives no case file.
    """
    data_dir = Path(data_dir)
    path = data_dir / "areas.csv"
    name = str(path)
    if not path.exists():
        raise InputError([Problem(name, "area list not found",
                                  allowed="a data folder with areas.csv (see data/README.md)")])
    problems: list[Problem] = []
    areas = []
    first: dict[str, int] = {}
    header, records = _records(path)
    grouped = groupings.groupings(header, COLUMNS, name)[0]
    files: dict[Path, tuple[int, str]] = {}
    for row, rec in records:
        area, found = _area(data_dir, name, row, rec, first, grouped, check_cases)
        areas.append(area)
        problems.extend(found)
        if rec["cases"]:
            problems += _shared_file(files, area, row, rec["cases"], name)
    problems += groupings.consistency([(r, a.groups) for (r, _), a in zip(records, areas,
                                                                          strict=True)], name)
    if problems:
        raise InputError(problems)
    return areas


def groups_of(areas: list[Area]) -> list[Group]:
    """Every group of these areas (none when areas.csv has no grouping columns), in order of
    first appearance, each with its areas in areas.csv order."""
    return groupings.groups_of([(a.id, a.groups) for a in areas])
