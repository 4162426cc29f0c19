"""What a build must run: one :class:`Task` per notebook, with the digest of its inputs.

Outcome and appendix chapters read only their own area's tables (the summary and outcome
chapters also its commentary file);
the summary and comparison chapters also read the cross-area tables; the aggregate reads the
cross-area tables and the shared data.
A task's digest covers exactly that, plus the notebook's source, the package, the parameters
and the versions of what executes and renders it, so a change re-runs only what it reaches.

Researchers' own chapters (``notebooks/extra/*.ipynb``, run for every area after the built-in
chapters, in name order) may read anything, so they depend on the cross-area tables as well;
each runs in a kernel of its own, so that state it changes (a module attribute, a plotting
setting) can never reach a built-in chapter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..core import paths
from ..method.catalogue import Area, Group
from .digests import digest_of, file_digest, sha256_bytes
from .execute import Task
from .inputs import Inputs
from .notebooks import portable_params
from .options import AggregateParameters, AreaParameters, BuildOptions
from .outputs import AGGREGATE
from .scores import TableDigests

AREA_NOTEBOOKS = ("00_summary", "01_assisting_sentencing", "02_delivering_sentence",
                  "03_reducing_reoffending", "04_protecting_public", "05_victims",
                  "06_comparison", "07_appendices")
COMPARISON_NOTEBOOK = "06_comparison"
# Chapters that read the cross-area tables (the summary says how the area compares).
CROSS_AREA_NOTEBOOKS = ("00_summary", COMPARISON_NOTEBOOK)
# Chapters that print the area's commentary file (data/commentary/<area_id>.md).
COMMENTARY_NOTEBOOKS = AREA_NOTEBOOKS[:6]
AGGREGATE_NOTEBOOK = "aggregate"
EXTRA_FOLDER = "extra"      # notebooks/extra/: researchers' own chapters
EXTRA_PREFIX = "extra-"     # their executed notebooks: <area>/notebooks/extra-<name>.ipynb


def area_notebooks(notebooks: Path) -> tuple[str, ...]:
    """An area report's chapters in order: the built-in ones, then the researchers' own."""
    extra = sorted(p.stem for p in (notebooks / EXTRA_FOLDER).glob("*.ipynb"))
    return AREA_NOTEBOOKS + tuple(EXTRA_PREFIX + stem for stem in extra)


def is_extra(name: str) -> bool:
    return name.startswith(EXTRA_PREFIX)


def notebook_source(notebooks: Path, name: str) -> Path:
    """The source notebook of a chapter (an extra chapter lives in ``notebooks/extra/``)."""
    if is_extra(name):
        return notebooks / EXTRA_FOLDER / f"{name.removeprefix(EXTRA_PREFIX)}.ipynb"
    return notebooks / f"{name}.ipynb"


@dataclass
class Planner:
    """Turns the selected areas into tasks for one build."""

    options: BuildOptions
    out: Path
    data: Path
    inputs: Inputs
    package: str
    versions: dict[str, str]
    tables: TableDigests
    groups: list[Group] = field(default_factory=list)

    def tasks(self, areas: list[Area], every: list[Area]) -> list[Task]:
        """Every notebook of the areas rebuilt, the aggregate over ``every`` area and one per
        group; the aggregates first (the longest, so no worker idles at the end). A group's
        aggregate depends on its own tables only: a change in one area re-runs the aggregates
        of that area's groups, not the others'."""
        context = digest_of(self.inputs.context())
        shared = _folder_digest(paths.all_tables(self.out))
        tasks = []
        if self.options.aggregate:
            whole = AggregateParameters(",".join(a.id for a in every), str(self.data),
                                        str(self.out), self.options.publish,
                                        self.options.threshold)
            tasks.append(self._task(AGGREGATE, AGGREGATE_NOTEBOOK, whole.as_dict(),
                                    [shared, context]))
            for g in self.groups:
                of_group = AggregateParameters(",".join(g.areas), str(self.data), str(self.out),
                                             self.options.publish, self.options.threshold,
                                             group=g.id)
                own = _folder_digest(paths.group_tables(self.out, g.id))
                tasks.append(self._task(paths.group_folder(g.id), AGGREGATE_NOTEBOOK,
                                        of_group.as_dict(), [own, context]))
        for a in areas:
            deps = [self.tables(a.id), context]
            params = AreaParameters(a.id, str(self.data), str(self.out), self.options.publish,
                                    self.options.threshold).as_dict()
            for name in area_notebooks(self.options.notebooks):
                extra = [shared] if name in CROSS_AREA_NOTEBOOKS or is_extra(name) else []
                if name in COMMENTARY_NOTEBOOKS:
                    extra.append(self.inputs.of_commentary(a))
                tasks.append(self._task(a.id, name, params, deps + extra))
        return tasks

    def _task(self, folder: str, name: str, params: dict[str, object],
              deps: list[str]) -> Task:
        text = self.source(name).read_text(encoding="utf-8")
        digest = digest_of(f"{folder}/{name}", sha256_bytes(text.encode()), self.package, deps,
                           portable_params(params), self.versions)
        return Task(folder, name, text, params, digest, fresh_kernel=is_extra(name))

    def source(self, name: str) -> Path:
        return notebook_source(self.options.notebooks, name)


def _folder_digest(folder: Path) -> str:
    """The digest of a folder's tables (its Parquet files)."""
    return digest_of({p.name: file_digest(p) for p in sorted(folder.glob("*.parquet"))})
