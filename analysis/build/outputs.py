"""Where the build writes each output, and the target (files + stamp) of each.

One place names every path under the output folder, so the build, the index and
``stitch`` agree on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core import paths
from ..method.tables import AREA_TABLES
from .digests import Target

AGGREGATE = "aggregate"


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

    def report(self, folder: str) -> Target:
        return Target.of(self.root / folder / ".report.digest", self.root / folder / "report.html")

    def area_tables(self, area_id: str) -> Target:
        folder = paths.area_tables(self.root, area_id)
        return Target.of(folder / ".source.digest", [folder / f"{n}.parquet" for n in AREA_TABLES])

    def group_tables(self, group_id: str) -> Target:
        return Target.of(paths.group_tables(self.root, group_id) / ".source.digest")

    def shared_tables(self) -> Target:
        return Target.of(paths.all_tables(self.root) / ".source.digest")

    def index(self) -> Target:
        return Target.of(self.root / ".index.digest", self.root / "index.html")

    @property
    def manifest(self) -> Path:
        return self.root / "manifest.json"
