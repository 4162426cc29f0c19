"""What a report is stitched from: typed jobs that travel to worker processes.

Kept apart from :mod:`analysis.pipeline.stitch` (which imports nbformat and nbconvert's
templates) so that a build with nothing to do can describe its pages without importing them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..report.registry import REPORT
from .digests import Target


@dataclass(frozen=True)
class Provenance:
    """Where a report came from: data label, package, parameters, input checksums, versions."""

    data: str
    package: str
    parameters: Mapping[str, object]
    checksums: Mapping[str, str]
    versions: Mapping[str, str]

    def items(self, brief: bool = False) -> list[tuple[str, str | Mapping[str, object]]]:
        """The rows of the report's provenance footer, in order: the last says how a reader
        checks the report against all the others and cites the package. ``brief``: without
        the input checksums and versions (a report whose annex lists them)."""
        return [("Data", self.data), ("Made with", self.package),
                ("Parameters", self.parameters),
                *([("Input checksums (SHA-256)", self.checksums), ("Versions", self.versions)]
                  if not brief else []),
                ("Checking and citing", CHECKING)]


#: How a reader checks a report and cites the package that made it (every report says it).
CHECKING = ("python -m analysis verify, run on the outputs folder this report was built in, "
            "builds every report again from the inputs above and compares them byte for byte. "
            "Cite the package by the version above, as CITATION.cff in its repository gives.")


@dataclass(frozen=True)
class Download:
    """One table a report links, in each format it exists in."""

    name: str  # the table's name, e.g. question_scores
    hrefs: tuple[str, ...]  # relative to the report's folder: CSV first, then Parquet


@dataclass(frozen=True)
class Page:
    """What a report page says around its chapters."""

    title: str
    subtitle: str
    label: str
    provenance: Provenance
    index_href: str = "../index.html"  # the index, relative to the report's folder
    tables: tuple[Download, ...] = ()  # the tables behind the report (see OutputTree)
    pdf: bool = False  # this build prints the report to report.pdf beside it
    publish: bool = False  # a publication build: linked tables hide small counts as [c]
    document: str = REPORT  # which document of the folder: the report or its annex
    companion: str | None = None  # the folder's other document, linked from this one


@dataclass(frozen=True)
class StitchJob:
    """One report to stitch: its executed notebooks (with digests) in order, and its target."""

    notebooks: tuple[Path, ...]
    digests: tuple[str | None, ...]
    target: Target
    digest: str
    page: Page
