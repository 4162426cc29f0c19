"""Each area's view of the cross-area figures, written beside the cross-area tables.

An area's summary and comparison chapters read the all-areas figures only through their
area's view (:func:`analysis.method.display.area_view`: its rows of the comparisons table at
the precision the report shows them), and their digest covers that file instead of every
cross-area table (:mod:`analysis.pipeline.plan`): when one area's data change, another area's
chapters run again only if a figure they show changed. A view whose bytes would not change is
not rewritten.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..core import atomic, paths
from ..method.catalogue import Area
from .digests import Target, digest_of, file_digest
from .outputs import OutputTree


def views_target(out: OutputTree, areas: Sequence[Area]) -> Target:
    """Every area's view, and the stamp of what they were made from."""
    folder = paths.area_views(out.root)
    return Target.of(folder / ".source.digest", [paths.area_view(out.root, a.id) for a in areas])


def write_area_views(out: OutputTree, areas: Sequence[Area], package: str, force: bool) -> None:
    """Every area's view from the comparisons table (the columns views keep); read only when
    that table changed (a build with nothing to do imports no pandas)."""
    comparisons = paths.all_tables(out.root) / "comparisons.parquet"
    target = views_target(out, areas)
    digest = digest_of(file_digest(comparisons), [a.id for a in areas], package)
    if not comparisons.exists() or target.fresh(digest, force):
        return
    from ..method.bank import load_bank
    from ..method.display import VIEW_COLUMNS, area_view, key_questions
    from ..method.tables import read_table

    rows = read_table(comparisons.parent, "comparisons", list(VIEW_COLUMNS))
    mine = rows.groupby("area_id", sort=False).indices  # not a scan of every row per area
    key = key_questions(load_bank())
    for a in areas:
        path = paths.area_view(out.root, a.id)
        text = area_view(rows.iloc[mine.get(a.id, [])], a.id, key)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            atomic.write_text(path, text)
    target.mark(digest)


def view_digest(out: OutputTree, area_id: str) -> str:
    """The digest of an area's view (what its summary and comparison chapters depend on)."""
    return file_digest(paths.area_view(out.root, area_id))
