"""The build's inputs: which areas and the checksum of every input file.

Checksums are taken once at the start of a build: they feed every digest, the provenance of
each report and the manifest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..core import paths
from ..core.errors import InputError, Problem
from ..method.catalogue import Area, load_areas
from ..method.commentary import check_commentaries, commentary_path
from .digests import file_digest


def select_areas(data: Path, wanted: list[str] | None) -> list[Area]:
    """Every area of ``areas.csv``, or those named (an unknown id is an input error)."""
    areas = load_areas(data)
    if not wanted:
        return areas
    known = {a.id for a in areas}
    unknown = [a for a in wanted if a not in known]
    if unknown:
        raise InputError([Problem(str(data / "areas.csv"), "unknown area id", value=u,
                                  allowed=", ".join(sorted(known))) for u in unknown])
    return [a for a in areas if a.id in wanted]


@dataclass
class Inputs:
    """The checksums of a build's input files, by absolute path."""

    data: Path
    checksums: dict[str, str] = field(default_factory=dict)

    @classmethod
    def record(cls, data: Path, areas: list[Area]) -> Inputs:
        inputs = cls(data)
        for a in areas:
            inputs.checksums[str(a.cases)] = file_digest(a.cases)
        for extra in [data / "areas.csv", *sorted((data / "context").glob("*.csv")),
                      *sorted((data / "published").glob("*.yaml"))]:
            inputs.checksums[str(extra)] = file_digest(extra)
        for a in areas:
            if (text := commentary_path(data, a.id)).exists():
                inputs.checksums[str(text)] = file_digest(text)
        return inputs

    def of_case_file(self, area: Area) -> str:
        return self.checksums[str(area.cases)]

    def of_published(self, area: Area) -> str:
        """The checksum of the area's published figures ("absent" for an area with none)."""
        from ..method.published import published_path

        return self.checksums.get(str(published_path(self.data, area.id)), "absent")

    def of_commentary(self, area: Area) -> str:
        """The checksum of the area's commentary file ("absent" when it has none, so adding
        one is a change)."""
        return self.checksums.get(str(commentary_path(self.data, area.id)), "absent")

    def for_area(self, area: Area) -> dict[str, str]:
        """The inputs one area's report depends on: its case file, commentary and published
        figures, and the shared files (never another area's own files)."""
        own = {str(area.cases), str(commentary_path(self.data, area.id))}
        return {k: v for k, v in self.checksums.items()
                if k in own or (_shared(k) and not _published_of_other(k, {area.id}))}

    def for_cases(self, cases: Sequence[Path], areas: Sequence[str] = ()) -> dict[str, str]:
        """The inputs a group's report depends on: its areas' case files and published figures
        (of ``areas``), and the shared files (no commentary: an aggregate prints none)."""
        wanted = {str(c) for c in cases}
        return {k: v for k, v in self.checksums.items()
                if k in wanted or (_shared(k) and not _published_of_other(k, set(areas)))}

    def context(self) -> dict[str, str]:
        """The shared files (context, published figures, areas.csv), by relative path."""
        return {str(Path(k).relative_to(self.data)): v for k, v in self.checksums.items()
                if "/context/" in k or "/published/" in k or k.endswith("areas.csv")}

    def relative(self) -> dict[str, str]:
        """Every checksum by path relative to the data folder (for the manifest)."""
        return {str(Path(k).relative_to(self.data)) if k.startswith(str(self.data)) else k: v
                for k, v in sorted(self.checksums.items())}


def _shared(path: str) -> bool:
    """Not one area's own case file or commentary."""
    return "/cases/" not in path and "/commentary/" not in path


def _published_of_other(path: str, areas: set[str]) -> bool:
    """A published-figures file (``published/<area>.yaml``, ``<area>.key-findings.yaml``) of
    an area not in ``areas``."""
    return "/published/" in path and Path(path).name.split(".")[0] not in areas


def check_texts(data: Path, areas: list[Area], every: list[Area] | None = None) -> None:
    """Every input beside the case files is read and checked, or the build stops (exit 2)
    before anything is written: each area's commentary file can be placed in its report
    (section headings only, no Markdown is rendered), and with ``every`` (all areas of
    areas.csv) no commentary file or context row names an area that is not listed; the context
    files, the glossary and the word scale are well formed. Cheap, and free of pandas: a build
    with nothing to do runs it too (an area's published figures are checked when it is
    scored: :meth:`~.builder.Builder.score`)."""
    from ..method.context import check_context
    from ..method.glossary import check_glossary
    from ..method.words import check_scale

    listed = None if every is None else [a.id for a in every]
    problems = check_commentaries(data, [a.id for a in areas], listed)
    problems += check_context(data, listed)
    problems += check_glossary()
    problems += check_scale()
    if problems:
        raise InputError(problems)


def check_output(output: Path, data: Path) -> None:
    """The output folder must not be, or be inside, or hold the data folder (the bundled one
    too), the package or the notebooks: a build would write among its inputs (and clear
    temporary files there)."""
    out = Path(output).resolve()
    problems = []
    for what, folder in (("the data folder", Path(data).resolve()),
                         ("the bundled data folder", paths.REPO_ROOT / "data"),
                         ("the analysis package", paths.PACKAGE_ROOT),
                         ("the notebooks folder", paths.NOTEBOOKS)):
        if out == folder or folder in out.parents:
            problems.append(Problem(str(output), f"--output is inside {what} ({folder})",
                                    allowed=OUTPUT_ALLOWED))
        elif out in folder.parents:
            problems.append(Problem(str(output), f"--output holds {what} ({folder})",
                                    allowed=OUTPUT_ALLOWED))
    if problems:
        raise InputError(problems[:1])


OUTPUT_ALLOWED = ("a folder of its own, beside the data folder rather than in it (the default "
                  "is outputs/ in the repository)")
