"""The method's run in a build: score changed areas, write their tables and the cross-area ones.

This is the only place a build runs the method; chapters read what is written here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..core import paths
from ..method.catalogue import Area
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


def write_shared_tables(out: OutputTree, areas: list[Area], tables: TableDigests,
                        package: str, force: bool) -> None:
    """The cross-area tables, made from every area's tables read back from Parquet (so they
    have the same types whether an area was just scored or reused)."""
    target = out.shared_tables()
    digest = digest_of([tables(a.id) for a in areas], package)
    if target.fresh(digest, force):
        return
    from ..method import compare
    from ..method.tables import read_table, write_tables

    frames = {a.id: {n: read_table(paths.area_tables(out.root, a.id), n) for n in AREA_TABLES}
              for a in areas}
    write_tables(compare.comparison_tables(frames), paths.all_tables(out.root))
    target.mark(digest)
