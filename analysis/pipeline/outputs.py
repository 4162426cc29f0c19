"""Where the build writes each output, and the target (files + stamp) of each.

One place names every path under the output folder, so the build, the index and
``stitch`` agree on them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..core import paths
from ..method.tables import AREA_TABLES
from ..report.registry import DOCUMENTS, REPORT
from .digests import Target
from .jobs import Download

AGGREGATE = "aggregate"
FORMATS = (".csv", ".parquet")  # the order a table's formats are linked in


SAFE = "safe"              # a column that describes, never counts: ids, labels, bank order
SUPPRESSED = "suppressed"  # a count or share of people: written through the disclosure policy

#: The allow-list of a release: the only area tables that go into it, and each of their
#: columns with its treatment. A table or column missing here is never released (the release
#: refuses a table whose columns differ): scores averaged over hidden shares, sensitivity
#: readings and resampled counts are derived from hidden cells, so they stay working files.
RELEASED_TABLES: dict[str, dict[str, str]] = {
    "question_scores": {
        **dict.fromkeys(("area_id", "outcome", "criterion", "question", "label", "key",
                         "order"), SAFE),
        **dict.fromkeys(("n", "k", "share", "lower", "upper"), SUPPRESSED)},
    "distributions": {
        **dict.fromkeys(("area_id", "variable", "kind", "level"), SAFE),
        **dict.fromkeys(("count", "n", "share", "lower", "upper"), SUPPRESSED)},
    "crosstab": {
        **dict.fromkeys(("area_id", "row_field", "row_level", "col_field", "col_level"), SAFE),
        **dict.fromkeys(("count", "n"), SUPPRESSED)},
    "factors": {
        **dict.fromkeys(("area_id", "factor", "label", "prevalent"), SAFE),
        **dict.fromkeys(("identified", *(f"{part}_{what}" for part in ("interventions",
                                                                       "progress")
                                         for what in ("n", "k", "share", "lower", "upper"))),
                        SUPPRESSED)},
}


#: The files ``verify`` compares: what a reader opens (the index, every report and its
#: annex) and every table behind them; not the executed notebooks, stamps, PDFs (a browser's
#: print) or the manifest (it records timings).
CHECKED_PAGES = ("index.html", *(f"{d}.html" for d in DOCUMENTS))


def checked_files(root: Path) -> list[Path]:
    """Every report, index and table under ``root`` (the release folder's too), relative to
    it, in a stable order; hidden files and folders are left out."""
    found = []
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        if path.name in CHECKED_PAGES or (path.parent.name == "tables"
                                          and path.suffix in FORMATS):
            found.append(rel)
    return sorted(found, key=lambda p: p.as_posix())


def released_table(name: str) -> str:
    """An area table's file name in the release folder: CSV only, every hidden figure [c]
    (the Parquet files keep every count and are never released)."""
    return f"{name}.csv"


@dataclass(frozen=True)
class OutputTree:
    """The output folder of one build."""

    root: Path

    def executed(self, folder: str, notebook: str) -> Path:
        """An executed notebook: ``<folder>/notebooks/<notebook>.ipynb``."""
        return self.root / folder / "notebooks" / f"{notebook}.ipynb"

    def notebook(self, folder: str, notebook: str) -> Target:
        """The executed notebook with its digest stamp beside it (read without parsing it)."""
        path = self.executed(folder, notebook)
        return Target.of(path.with_name(f".{notebook}.digest"), path)

    def failed(self, folder: str, notebook: str) -> Path:
        return self.root / folder / "failed" / f"{notebook}.ipynb"

    def report(self, folder: str, document: str = REPORT) -> Target:
        """A document of the folder (the public report unless told: see ``DOCUMENTS``)."""
        return Target.of(self.root / folder / f".{document}.digest",
                         self.root / folder / f"{document}.html")

    def area_tables(self, area_id: str) -> Target:
        folder = paths.area_tables(self.root, area_id)
        return Target.of(folder / ".source.digest", [folder / f"{n}.parquet" for n in AREA_TABLES])

    def group_tables(self, group_id: str) -> Target:
        return Target.of(paths.group_tables(self.root, group_id) / ".source.digest")

    def shared_tables(self) -> Target:
        return Target.of(paths.all_tables(self.root) / ".source.digest")

    def tables_folder(self, folder: str) -> Path:
        """The tables behind the report in ``folder``: an area's or a group's own, the
        aggregate's the cross-area tables."""
        if folder == AGGREGATE:
            return paths.all_tables(self.root)
        return paths.area_tables(self.root, folder)

    def downloads(self, folder: str, publish: bool, at: str | None = None
                  ) -> tuple[Download, ...]:
        """The tables the report in ``folder`` links, relative to that folder (or to ``at``,
        a folder under the output folder, "" for the index).

        A publication build links only what its release folder holds: an area's tables of the
        allow-list (:data:`RELEASED_TABLES`), as released; the aggregate reports link none
        (their tables are working files, never released). Otherwise every table written, in
        each format.
        """
        tables = self.tables_folder(folder)
        base = self.root / (folder if at is None else at)

        def href(name: str) -> str:
            return Path(os.path.relpath(tables / name, base)).as_posix()

        if publish:
            if folder == AGGREGATE or folder.startswith(f"{paths.GROUPS}/"):
                return ()
            return tuple(Download(n, (href(released_table(n)),)) for n in RELEASED_TABLES)
        if not tables.is_dir():
            return ()
        names = sorted({p.stem for p in tables.iterdir()
                        if p.suffix in FORMATS and not p.name.startswith(".")},
                       key=lambda n: (AREA_TABLES.index(n) if n in AREA_TABLES
                                      else len(AREA_TABLES), n))
        return tuple(Download(n, tuple(href(f"{n}{s}") for s in FORMATS
                                       if (tables / f"{n}{s}").exists())) for n in names)

    def index(self) -> Target:
        return Target.of(self.root / ".index.digest", self.root / "index.html")

    @property
    def manifest(self) -> Path:
        return self.root / "manifest.json"
