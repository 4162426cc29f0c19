"""The method's run in a build: score changed areas, write their tables and the cross-area ones.

This is the only place a build runs the method; chapters read what is written here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING

from ..core import paths
from ..method.catalogue import Area, Group
from ..method.tables import AREA_TABLES
from .digests import digest_of, file_digest
from .outputs import OutputTree

if TYPE_CHECKING:
    import pandas as pd

    from ..method.bank import QuestionBank


class TableDigests:
    """Digests of each area's written tables, hashed once per build (after they are written)."""

    def __init__(self, out: OutputTree) -> None:
        self.out = out
        self._cache: dict[str, str] = {}

    def __call__(self, area_id: str) -> str:
        if area_id not in self._cache:
            folder = paths.area_tables(self.out.root, area_id)
            self._cache[area_id] = digest_of(
                {n: file_digest(folder / f"{n}.parquet") for n in AREA_TABLES})
        return self._cache[area_id]


def write_area_tables(out: OutputTree, area: Area, cases: pd.DataFrame, bank: QuestionBank,
                      digest: str, published: Mapping[int, int]) -> None:
    """Score one area's validated cases and write its tidy tables and their stamp; with the
    area's published headline scores (if it has a report), the sensitivity table too (empty
    otherwise, so every area has the same tables)."""
    from ..method.scoring import score_area, sensitivity_table
    from ..method.tables import write_tables

    target = out.area_tables(area.id)
    tables = score_area(cases, bank, area.id).as_dict()
    tables["sensitivity"] = sensitivity_table(cases, bank, area.id, published)
    write_tables(tables, target.stamp.parent)
    target.mark(digest)


#: The area tables the cross-area tables are made from.
CROSS_AREA_INPUTS = ("question_scores", "outcome_scores", "factors", "distributions",
                     "bootstrap_counts")


def _frames(out: OutputTree, area_ids: Sequence[str]) -> dict[str, dict[str, pd.DataFrame]]:
    """Areas' tables read back from Parquet (so they have the same types whether an area was
    just scored or reused)."""
    from ..method.tables import read_table

    return {a: {n: read_table(paths.area_tables(out.root, a), n) for n in CROSS_AREA_INPUTS}
            for a in area_ids}


def write_group_tables(out: OutputTree, groups: Sequence[Group], tables: TableDigests,
                       package: str, force: bool) -> None:
    """Each group's cross-area tables, over its areas only (``groups/<g>/tables``): its
    aggregate report reads them, so one area's change re-writes only its own groups'."""
    for g in groups:
        target = out.group_tables(g.id)
        digest = digest_of(asdict(g), [tables(a) for a in g.areas], package)
        if target.fresh(digest, force):
            continue
        from ..method import crossarea  # pandas: only when a group's tables are stale
        from ..method.tables import write_tables

        write_tables(crossarea.comparison_tables(_frames(out, g.areas), scope=g.id),
                     target.stamp.parent)
        target.mark(digest)


def write_shared_tables(out: OutputTree, areas: list[Area], groups: Sequence[Group],
                        tables: TableDigests, package: str, force: bool) -> None:
    """The cross-area tables over every area; the comparisons table holds every scope (each
    group's rows read back from its tables, as decided there); the groups' pooled figures
    and differences (written after :func:`write_group_tables`)."""
    target = out.shared_tables()
    digest = digest_of([tables(a.id) for a in areas], [asdict(g) for g in groups], package)
    if target.fresh(digest, force):
        return
    import pandas as pd

    from ..method import crossarea
    from ..method import group_figures as grouped
    from ..method.tables import read_table, write_tables

    shared = crossarea.comparison_tables(_frames(out, [a.id for a in areas]))
    shared["comparisons"] = pd.concat(
        [shared["comparisons"], *(read_table(paths.group_tables(out.root, g.id), "comparisons")
                                  for g in groups)], ignore_index=True)
    counts = ((a.id, grouped.Counts.from_table(read_table(paths.area_tables(out.root, a.id),
                                                          "bootstrap_counts"))) for a in areas)
    every, sums = grouped.add_up(groups, counts)
    shared["group_figures"], shared["group_differences"] = grouped.group_tables(
        groups, shared["question_scores"], every, sums)
    write_tables(shared, paths.all_tables(out.root))
    target.mark(digest)
