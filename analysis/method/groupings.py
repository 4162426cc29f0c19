"""Groups of areas declared in ``areas.csv``: blocks, regions, any grouping a researcher names.

A *grouping* is a pair of columns: ``<grouping>`` holds each area's group id and
``<grouping>_label`` the group's name as reports show it. ``group``/``group_label`` is the
usual one; ``region``/``region_label`` (or any other pair) works the same way, and an area
belongs to one group of each grouping. Group ids follow the area id rule (they name output
folders), are unique across groupings and never ``all`` (the comparisons table's scope of
every area); each group has one label. Every problem names ``areas.csv``, its row and column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..core.errors import Problem

ID_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
SUFFIX = "_label"
ALL = "all"
ID_ALLOWED = ("lower-case letters, digits, '-' and '_', starting with a letter or digit "
              "(it names the group's output folder)")


@dataclass(frozen=True)
class GroupRef:
    """An area's group in one grouping."""

    grouping: str
    id: str
    label: str


@dataclass(frozen=True)
class Group:
    """A group of areas: its grouping, id, label and areas (in areas.csv order)."""

    grouping: str
    id: str
    label: str
    areas: tuple[str, ...]


def groupings(header: Sequence[str], standard: Sequence[str],
              file: str) -> tuple[list[str], list[Problem]]:
    """The groupings a header declares (in column order), and what is wrong with it."""
    found, problems = [], []
    for col in header:
        if not col.endswith(SUFFIX) or col == "label":
            continue
        name = col[: -len(SUFFIX)]
        if name in standard:
            problems.append(Problem(file, "a grouping cannot be named after a standard column",
                                    row=1, column=col, allowed=f"a pair <grouping>, "
                                    f"<grouping>{SUFFIX} other than {', '.join(standard)}"))
        elif name not in header:
            problems.append(Problem(file, "group label column without its group column",
                                    row=1, column=name, allowed=f"both {name} (group ids) and "
                                    f"{col} (group names)"))
        else:
            found.append(name)
    if "group" in header and "group" + SUFFIX not in header:
        problems.append(Problem(file, "group column without its label column", row=1,
                                column="group" + SUFFIX, allowed="both group (group ids) and "
                                "group_label (group names, as reports show them)"))
    return found, problems


def refs(record: dict[str, str], names: Sequence[str], file: str,
         row: int) -> tuple[tuple[GroupRef, ...], list[Problem]]:
    """One row's groups, one per grouping; empty, badly formed and reserved values refused."""
    out, problems = [], []
    for g in names:
        value, label = record.get(g, ""), record.get(g + SUFFIX, "")
        if not value:
            problems.append(Problem(file, "group is empty", row=row, column=g, value="",
                                    allowed=f"a {g} id for every area (or no {g} column)"))
        elif not ID_RE.fullmatch(value) or value == ALL:
            problems.append(Problem(file, "group id is not allowed" + (
                " ('all' means every area)" if value == ALL else ""), row=row, column=g,
                value=value, allowed=ID_ALLOWED + ", not 'all'"))
        if not label:
            problems.append(Problem(file, "group label is empty", row=row, column=g + SUFFIX,
                                    value="", allowed="the group's name as reports show it"))
        out.append(GroupRef(g, value, label))
    return tuple(out), problems


@dataclass
class _Seen:
    grouping: str
    label: str
    row: int


def consistency(rows: Sequence[tuple[int, tuple[GroupRef, ...]]], file: str) -> list[Problem]:
    """One label per group, and a group id used in one grouping only (first row named)."""
    seen: dict[str, _Seen] = {}
    problems = []
    for row, groups in rows:
        for ref in groups:
            if not ref.id or not ref.label:
                continue
            first = seen.setdefault(ref.id, _Seen(ref.grouping, ref.label, row))
            if first.grouping != ref.grouping:
                problems.append(Problem(
                    file, f"group id is also used in the {first.grouping} column (row "
                    f"{first.row})", row=row, column=ref.grouping, value=ref.id,
                    allowed="group ids unique across groupings"))
            elif first.label != ref.label:
                problems.append(Problem(
                    file, f"group has another label on row {first.row} ('{first.label}')",
                    row=row, column=ref.grouping + SUFFIX, value=ref.label,
                    allowed="one label per group, the same on every row of the group"))
    return problems


def groups_of(memberships: Sequence[tuple[str, Sequence[GroupRef]]]) -> list[Group]:
    """Every group, in order of first appearance, with its areas in order, from each area's
    (id, groups)."""
    members: dict[tuple[str, str], list[str]] = {}
    labels: dict[tuple[str, str], str] = {}
    for area_id, refs_ in memberships:
        for ref in refs_:
            members.setdefault((ref.grouping, ref.id), []).append(area_id)
            labels.setdefault((ref.grouping, ref.id), ref.label)
    return [Group(g, i, labels[(g, i)], tuple(ids)) for (g, i), ids in members.items()]
