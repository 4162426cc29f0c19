"""What a build must run: one :class:`Task` per notebook, with the digest of its inputs.

Each chapter of the registry (:mod:`analysis.report.registry`) says what it reads beyond its
own area's tables: the cross-area tables, its area's view of them (the all-areas figures it
shows, at the precision it shows them: :mod:`analysis.pipeline.views`), the area's commentary
file. A task's digest covers
exactly that, plus the shared data, the notebook's source, the package, the parameters and the
versions of what executes and renders it, so a change re-runs only what it reaches.

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
from ..report.registry import (
    AGGREGATE_CHAPTER,
    AGGREGATE_CHAPTERS,
    ANNEX,
    Chapter,
    area_chapters,
    chapter,
)
from .digests import digest_of, file_digest, sha256_bytes
from .execute import Task
from .inputs import Inputs
from .notebooks import portable_params
from .options import AggregateParameters, AreaParameters, BuildOptions
from .outputs import AGGREGATE
from .scores import TableDigests

AGGREGATE_NOTEBOOK = AGGREGATE_CHAPTER.notebook


def area_notebooks(notebooks: Path) -> tuple[str, ...]:
    """An area report's notebooks in order: the built-in chapters, then the researchers' own."""
    return tuple(c.notebook for c in area_chapters(notebooks))


def run_order(chapters: tuple[Chapter, ...]) -> list[Chapter]:
    """An area's chapters in the order they are handed to the workers: the technical annex's
    first (it draws every exhibit of the area: its longest notebook, four to eight times an
    outcome chapter), so that the last notebooks of a build are short ones and no worker
    idles while the other finishes a long one. Reports print in registry order whatever
    order their notebooks ran in."""
    return sorted(chapters, key=lambda c: c.document != ANNEX)


def notebook_source(notebooks: Path, name: str) -> Path:
    """The source notebook of a chapter (an extra chapter lives in ``notebooks/extra/``)."""
    return chapter(name).source(notebooks)


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
    #: each chapter's notebook text and its digest, read once: every area's task holds the
    #: same string (a build's memory does not grow by a notebook's text per task)
    sources: dict[str, tuple[str, str]] = field(default_factory=dict)

    def _source(self, c: Chapter) -> tuple[str, str]:
        if c.notebook not in self.sources:
            text = c.source(self.options.notebooks).read_text(encoding="utf-8")
            self.sources[c.notebook] = (text, sha256_bytes(text.encode()))
        return self.sources[c.notebook]

    def tasks(self, areas: list[Area], every: list[Area], own_tables: bool | None = None,
              groups: bool = True) -> list[Task]:
        """Every notebook of the areas rebuilt, the aggregate over ``every`` area and one per
        group; the aggregates first (the longest, so no worker idles at the end). A group's
        aggregate depends on its own tables only: a change in one area re-runs the aggregates
        of that area's groups, not the others'. ``own_tables``: only the chapters that read nothing
        but their area's tables (True), which can run before the cross-area tables are made,
        or only the others (False); None: all. ``groups``: False leaves the groups'
        aggregates out (:meth:`group_tasks` plans them as soon as their tables are made)."""
        context = digest_of(self.inputs.context())
        shared = "" if own_tables else _folder_digest(paths.all_tables(self.out))
        policy = str(self.options.policy)
        tasks = []
        if self.options.aggregate and not own_tables:
            whole = AggregateParameters(",".join(a.id for a in every), str(self.data),
                                        str(self.out), policy,
                                        reports=self._reports(areas, every))
            tasks += [self._task(AGGREGATE, c, whole.as_dict(), [shared, context])
                      for c in AGGREGATE_CHAPTERS]
            if groups:
                tasks += self.group_tasks(areas, every)
        for a in areas:
            deps = [self.tables(a.id), context]
            params = AreaParameters(a.id, str(self.data), str(self.out), policy).as_dict()
            for c in run_order(area_chapters(self.options.notebooks)):
                if own_tables is not None and own_tables != c.own_tables:
                    continue
                extra = [shared] if c.cross_area else []
                if c.view:  # its view; with a policy, the pooled counts it may hide too
                    extra += [file_digest(paths.area_view(self.out, a.id))]
                    extra += [shared] if self.options.policy.publish else []
                if c.commentary:
                    extra.append(self.inputs.of_commentary(a))
                tasks.append(self._task(a.id, c, params, deps + extra))
        return tasks

    def group_tasks(self, areas: list[Area], every: list[Area]) -> list[Task]:
        """Each group's aggregate: it reads only its group's tables, so it can run before
        the all-areas tables are made."""
        if not self.options.aggregate:
            return []
        context = digest_of(self.inputs.context())
        policy = str(self.options.policy)
        reports = self._reports(areas, every)
        tasks = []
        for g in self.groups:
            of_group = AggregateParameters(",".join(g.areas), str(self.data), str(self.out),
                                           policy, group=g.id, reports=reports)
            own = _folder_digest(paths.group_tables(self.out, g.id))
            tasks += [self._task(paths.group_folder(g.id), c, of_group.as_dict(),
                                 [own, context]) for c in AGGREGATE_CHAPTERS]
        return tasks

    def _reports(self, areas: list[Area], every: list[Area]) -> str:
        """The areas an aggregate links to: those with a report once this build is done."""
        built = {a.id for a in areas}
        return ",".join(a.id for a in every
                        if a.id in built or paths.area_report(self.out, a.id).exists())

    def _task(self, folder: str, c: Chapter, params: dict[str, object],
              deps: list[str]) -> Task:
        text, source = self._source(c)
        digest = digest_of(f"{folder}/{c.notebook}", source, self.package,
                           deps, portable_params(params), self.versions)
        return Task(folder, c.notebook, text, params, digest, fresh_kernel=c.extra)

def _folder_digest(folder: Path) -> str:
    """The digest of a folder's tables (its Parquet files)."""
    return digest_of({p.name: file_digest(p) for p in sorted(folder.glob("*.parquet"))})
