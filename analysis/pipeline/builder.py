"""The build: validate, score, run notebooks (only what changed), stitch, index, manifest.

Incremental: every output has a stamp holding the digest of what it was made from
(:mod:`analysis.pipeline.digests`); an output whose digest is unchanged is reused. Outcome and
appendix chapters read only their own area's tables, so a change in one area's data re-runs
that area's chapters, every area's short comparison chapter (the pooled values it shows did
change) and the aggregate (:mod:`analysis.pipeline.plan`).

Streamed: each changed area is validated and scored on its own, in the build's worker
processes when it has them (:mod:`analysis.pipeline.scores`); its tables are staged and
published only when every file is valid, and the cross-area tables are made from the areas'
summary tables read one area at a time, so the build's memory does not grow with the areas'
cases.

Fast paths: a build with nothing to do reads only stamps and checksums (no pandas, no
notebook is parsed); a build with work starts its worker processes before scoring (they score)
and their kernels as soon as the changed data is valid, so they warm up while the cross-area
tables are made (a refused build starts none), and stitches each report in a worker as soon as
that report's notebooks are done.
"""

from __future__ import annotations

import collections
import functools
import itertools
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ..core import atomic, paths
from ..core.errors import InputError, Problem
from ..core.paths import group_folder
from ..method.catalogue import Area, Group, groups_of
from ..report.registry import (
    AGGREGATE_CHAPTERS,
    AREA_CHAPTERS,
    DOCUMENTS,
    REPORT,
    Chapter,
    area_chapters,
    in_document,
)
from . import dispatch, printed
from .digests import digest_of, package_digest, versions
from .execute import Task
from .executors import Executor, Pending, make_executor
from .executors.local import IN_FLIGHT
from .explain import BuildExplanation
from .inputs import Inputs, check_output, check_texts, select_areas
from .jobs import Page, StitchJob
from .notebooks import check_parameters, declared_parameters, normalise_notebook, write_notebook
from .options import BuildOptions
from .outputs import AGGREGATE, OutputTree
from .pages import BuildResult, Pages, linked_areas, write_index, write_manifest
from .plan import Planner, area_notebooks, notebook_source
from .scores import (
    ScoreJob,
    ScoreOutcome,
    Staging,
    TableDigests,
    TableReads,
    cross_file_problems,
    relay,
    score_one,
    write_group_tables,
    write_shared_tables,
)
from .views import write_area_views

if TYPE_CHECKING:  # heavy imports stay out of a build that has nothing to do
    from ..method.bank import QuestionBank
    from ..method.disclosure import Policy

log = logging.getLogger(__name__)

__all__ = ["BuildOptions", "BuildResult", "build", "stitch_only"]


class Builder:
    """One build's state: its options, inputs, digests and results."""

    def __init__(self, options: BuildOptions) -> None:
        self.o = options
        self.out = OutputTree(options.output.resolve())
        self.data = options.data.resolve()
        self.result = BuildResult()
        self.package = package_digest()
        self.versions = versions()
        self.inputs = Inputs(self.data)
        self.tables = TableDigests(self.out)
        self.reads = TableReads()  # area tables the cross-area step has read, kept a while
        self.pages = Pages(options, self.versions, self.out)
        self.declared: dict[str, Future[list[str]] | list[str]] = {}
        self.every: list[Area] = []  # every area of the data folder, whichever are rebuilt
        self.groups: list[Group] = []

    @cached_property
    def bank(self) -> QuestionBank:
        """Loaded only when cases are validated or the index is rewritten."""
        from ..method.bank import load_bank

        return load_bank().with_reading(self.o.scoring)

    def read_parameters(self, executor: Executor) -> None:
        """Have the executor's workers read each notebook's declared parameters while data is
        scored (papermill is imported there anyway; in this process it would cost half a
        second); without workers they are read when needed."""
        for c in (*AREA_CHAPTERS, *AGGREGATE_CHAPTERS):
            path = c.source(self.o.notebooks)
            if path.exists():
                future = executor.submit(declared_parameters, str(path))
                if future is not None:
                    self.declared[c.notebook] = future

    # 1. inputs and tables ---------------------------------------------------------------
    def source_digest(self, area: Area, lenient: bool | None = None) -> str:
        """What an area's tables depend on: its case file and published figures, the package
        and bank, options (the scoring reading among them; leniency, this build's unless
        given)."""
        lenient = self.o.lenient if lenient is None else lenient
        return digest_of(area.id, self.inputs.of_case_file(area), self.inputs.of_published(area),
                         self.package, lenient, self.o.scoring)

    def changed_areas(self, areas: list[Area]) -> list[Area]:
        """Areas whose tables must be (re)written: their cases, the package or options changed.

        An unchanged area was valid when its tables were written and is not read again: a
        no-op rebuild stays cheap. A lenient build also takes the tables of a strict one (a
        file valid without leniency reads the same with it); a strict build does not take a
        lenient build's, whose file may hold what only leniency lets through.
        """
        readings = (True, False) if self.o.lenient else (False,)
        return [a for a in areas
                if not any(self.out.area_tables(a.id).fresh(self.source_digest(a, lenient),
                                                            self.o.force)
                           for lenient in readings)]

    def score(self, every: list[Area], changed: list[Area], executor: Executor | None,
              write: bool = True, cross_area: bool = True) -> None:
        """Validate and score each changed area on its own (in the executor's workers when it
        has any), its tables staged; publish them only if every file was valid (else raise
        :class:`InputError` with the problems of every file, nothing written); then, unless
        the caller makes them later (:meth:`cross_area`), the cross-area tables."""
        atomic.clean_temporaries(self.out.root)
        Staging.clean(self.out)
        if changed:
            self._score_areas(every, changed, executor, write)
            if executor is not None:
                executor.warm()  # kernels start while the cross-area tables are made
        if write and cross_area:
            self.cross_area(every)

    def cross_area(self, every: list[Area]) -> None:
        """The groups' and all areas' tables and every area's view of them, from the areas'
        summary tables (each only when what it is made from changed)."""
        self.group_tables()
        self.shared_tables(every)

    def group_tables(self) -> None:
        """Each group's tables (its aggregate reads nothing else)."""
        write_group_tables(self.out, self.groups, self.tables, self.package, self.o.force,
                           self.reads)

    def shared_tables(self, every: list[Area]) -> None:
        """The all-areas tables (after the groups': they hold each group's rows) and every
        area's view of them."""
        write_shared_tables(self.out, every, self.groups, self.tables, self.package,
                            self.o.force, self.reads)
        self.reads.clear()
        write_area_views(self.out, every, self.package, self.o.force)

    def _score_areas(self, every: list[Area], changed: list[Area],
                     executor: Executor | None, write: bool) -> None:
        from ..method.published import check_published

        # a malformed published-figures file: its area's cases are validated, not scored
        published = {a.id: check_published(self.data, [a.id]) for a in changed}
        staging = Staging(self.out)
        jobs = [ScoreJob(a, str(self.data), str(staging.root), self.source_digest(a),
                         self.o.lenient, self.o.scoring, write and not published[a.id])
                for a in changed]
        first = (executor.score(replace(jobs[0], relay=True))
                 if executor is not None and len(jobs) > 1 else None)
        try:
            if executor is not None and first is not None:
                outcomes = list(_scored(executor, first, jobs[1:], IN_FLIGHT * self.o.jobs))
            else:  # no workers: one area after another in this process
                outcomes = [score_one(j) for j in jobs]
            problems = [p for a in changed for p in published[a.id]]
            problems += [p for o in outcomes for p in o.problems]
            problems += cross_file_problems(outcomes, every, subset=bool(self.o.areas))
            if problems:
                raise InputError(problems)
            if write:
                staging.publish([a.id for a in changed])
        finally:
            staging.discard()

    # 2. notebooks and reports -----------------------------------------------------------
    def execute(self, tasks: list[Task], areas: list[Area], every: list[Area],
                executor: Executor, rest: Sequence[Callable[[], list[Task]]] = ()) -> None:
        """Run what is not current; stitch each report as soon as its notebooks are done.

        ``areas`` are the areas rebuilt; the aggregate is always over ``every`` area.
        ``rest``: stages of tasks planned as the cross-area tables they read are made (each
        called when the tasks before it are all handed out, so those run meanwhile).
        """
        pending = self._pending(tasks)
        later = [functools.partial(self._planned, stage) for stage in rest]
        jobs: dict[str, dispatch.JobMaker] = {
            a.id: functools.partial(self.stitch_job, a) for a in areas}
        if self.o.aggregate:
            jobs[AGGREGATE] = functools.partial(self.aggregate_job, every)
            for g in self.groups:
                jobs[group_folder(g.id)] = functools.partial(self.group_job, g)
        dispatch.run(pending, jobs, self.o, self.out, self.result, executor, later)

    def _planned(self, stage: Callable[[], list[Task]]) -> list[Task]:
        return self._pending(stage())

    def _pending(self, tasks: list[Task]) -> list[Task]:
        """The tasks whose notebook is not current, their parameters checked; the others
        counted as reused."""
        pending = [t for t in tasks
                   if not self.out.notebook(t.folder, t.notebook).fresh(t.digest, self.o.force)]
        for t in {t.notebook: t for t in pending}.values():
            source = notebook_source(self.o.notebooks, t.notebook)
            check_parameters(source, t.parameters, self._declared(t.notebook, source))
        self.result.reused += [t.key for t in tasks if t not in pending]
        return pending

    def _declared(self, notebook: str, source: Path) -> list[str]:
        """A notebook's declared parameters, read once a build: a chapter is planned again
        in later stages (the aggregate for each group, then for all areas), and reading it
        here would import papermill into this process (about 20 MiB)."""
        found = self.declared.get(notebook)
        if found is None:
            found = self.declared[notebook] = declared_parameters(str(source))
        return found if isinstance(found, list) else found.result()

    def stitch_job(self, area: Area) -> list[StitchJob | None]:
        """What stitching this area's report and annex needs (None: current), nothing if a
        notebook of the area failed."""
        if any(f"{area.id}/{n}" in self.result.failed
               for n in area_notebooks(self.o.notebooks)):
            log.warning("%s: a notebook failed; its previous report (if any) is kept", area.id)
            return []
        return self._documents(area.id, area_chapters(self.o.notebooks),
                               self.pages.area_page(area, self.inputs.for_area(area)))

    def aggregate_job(self, areas: list[Area]) -> list[StitchJob | None]:
        if any(f"{AGGREGATE}/{c.notebook}" in self.result.failed for c in AGGREGATE_CHAPTERS):
            return []
        return self._documents(AGGREGATE, AGGREGATE_CHAPTERS,
                               self.pages.aggregate_page(areas, self.inputs.checksums))

    def group_job(self, group: Group) -> list[StitchJob | None]:
        """A group's aggregate report and annex, nothing if a notebook of it failed."""
        folder = group_folder(group.id)
        if any(f"{folder}/{c.notebook}" in self.result.failed for c in AGGREGATE_CHAPTERS):
            return []
        return self._documents(folder, AGGREGATE_CHAPTERS,
                               self.pages.group_page(group, self.inputs.for_cases(
                                   [a.cases for a in self.every if a.id in group.areas],
                                   group.areas),
                                   {a.id: a.label for a in self.every}))

    def _documents(self, folder: str, chapters: tuple[Chapter, ...],
                   page: Page) -> list[StitchJob | None]:
        """A stitch job for each document of the folder that has chapters, in the order of
        ``DOCUMENTS``: each is stitched from its own chapters (the registry says which)."""
        return [self._job(folder, tuple(c.notebook for c in in_document(chapters, d)),
                          self.pages.of_document(page, d), d)
                for d in DOCUMENTS if in_document(chapters, d)]

    def _job(self, folder: str, names: tuple[str, ...], page: Page,
             document: str = REPORT) -> StitchJob | None:
        notebooks = [self.out.notebook(folder, n) for n in names]
        digests = tuple(t.recorded() for t in notebooks)
        if None in digests:  # a notebook never executed: nothing to stitch yet
            return None
        from dataclasses import asdict

        digest = digest_of(digests, self.package, asdict(page))
        target = self.out.report(folder, document)
        self.result.reports.append(target.files[0])
        if target.fresh(digest, self.o.force):
            return None
        return StitchJob(tuple(t.files[0] for t in notebooks), digests, target, digest, page)

    def planner(self) -> Planner:
        return Planner(self.o, self.out.root, self.data, self.inputs, self.package,
                       self.versions, self.tables, self.groups)


def commentary_figures(data: Path, out: OutputTree, area_id: str) -> list[str]:
    """The area's commentary checked against its recomputed figures: a warning for each
    outcome score it states outside the score's 95% interval, and each "k of n" or percentage
    outside the interval of every question of its outcome (nothing without a commentary)."""
    from ..method import commentary as c
    from ..method.rounding import whole_percent
    from ..method.tables import read_table

    path = c.commentary_path(data, area_id)
    folder = paths.area_tables(out.root, area_id)
    if not path.exists() or not (folder / "outcome_scores.parquet").exists():
        return []
    text = c.read_text(path)
    claims, findings = c.score_claims(text), c.share_claims(text)
    if not claims and not findings:
        return []  # nothing to check: no table read (a no-op build reads stamps only)
    scores = read_table(folder, "outcome_scores")
    intervals = {int(r.outcome): (whole_percent(r.score), whole_percent(r.lower),
                                  whole_percent(r.upper))
                 for r in scores.itertuples() if r.score == r.score}
    q = read_table(folder, "question_scores")
    questions: dict[int, list[tuple[float, float]]] = {}
    for r in q[q["n"] > 0].itertuples():
        questions.setdefault(int(r.outcome), []).append(
            (whole_percent(r.lower) / 100, whole_percent(r.upper) / 100))
    return (c.disagreements(path, claims, intervals)
            + c.share_disagreements(path, findings, questions))


#: What the cross-area step imports (statsmodels and scipy among them: over a second).
CROSS_AREA_MODULES = ("analysis.method.crossarea", "analysis.method.between_areas",
                      "scipy.optimize", "pyarrow.parquet", "statsmodels.stats.proportion",
                      "statsmodels.stats.multitest")


def preload_cross_area() -> None:
    """Import the cross-area step's modules in a thread while the workers' fork server
    imports its own (this process only waits for it then, and one core is idle), instead of
    during the cross-area step, when the kernels need both cores."""
    import contextlib
    import importlib
    import threading

    def load() -> None:
        for name in CROSS_AREA_MODULES:
            with contextlib.suppress(Exception):  # the step imports it again, and says why
                importlib.import_module(name)

    threading.Thread(target=load, name="preload", daemon=True).start()


def _scored(executor: Executor, first: Pending[ScoreOutcome], rest: Sequence[ScoreJob],
            window: int) -> Iterator[ScoreOutcome]:
    """Each job's outcome in turn (its log records relayed here), with at most ``window``
    jobs handed to the workers at a time: finished jobs' tables are not held by the workers
    (on Dask, until taken) for every area at once."""
    pending = iter(rest)
    queued = collections.deque([first, *(executor.score(replace(j, relay=True))
                                          for j in itertools.islice(pending, window - 1))])
    while queued:
        future = queued.popleft()
        assert future is not None  # an executor that scores one job scores every job
        outcome = future.result()
        relay(outcome)
        nxt = next(pending, None)
        if nxt is not None:
            queued.append(executor.score(replace(nxt, relay=True)))
        yield outcome


def run_overlapped(b: Builder, areas: list[Area], every: list[Area], executor: Executor,
                   why: BuildExplanation) -> None:
    """Run the notebooks; those that read only their own area's tables start at once, while
    the cross-area tables are made in a thread of this process (the workers would otherwise
    wait for them); the groups' aggregates are planned as soon as the groups' tables are
    made (they read nothing else), the rest when the all-areas tables are done."""
    planner = b.planner()
    own = planner.tasks(areas, every, own_tables=True)
    why.before(own)
    with ThreadPoolExecutor(1, thread_name_prefix="cross-area") as thread:
        grouped = thread.submit(b.group_tables)
        made = thread.submit(b.shared_tables, every)

        def groups() -> list[Task]:
            grouped.result()
            tasks = planner.group_tasks(areas, every)
            why.before(tasks)
            return tasks

        def rest() -> list[Task]:
            made.result()
            tasks = planner.tasks(areas, every, own_tables=False, groups=False)
            why.before(tasks)
            return tasks

        try:
            b.execute(own, areas, every, executor, [groups, rest])
        finally:  # never leave the thread writing tables behind an error
            for future in (grouped, made):
                future.result()


#: Arrow's allocator in a build's processes (unless the environment names one): the system's.
#: Arrow's default (mimalloc) keeps what it freed, so the build process grew with the size of
#: the tables it had read: 295 MiB at 201 generated areas against 259 MiB with the system's,
#: 254-263 MiB against 228 at the 12 bundled areas (``make benchmark``'s measure, README).
ARROW_ALLOCATOR = ("ARROW_DEFAULT_MEMORY_POOL", "system")


def build(options: BuildOptions) -> BuildResult:
    """Run a whole build; raises :class:`InputError` before writing anything on bad input."""
    t0 = time.perf_counter()
    os.environ.setdefault(*ARROW_ALLOCATOR)  # before pyarrow is imported; workers inherit it
    check_output(options.output, options.data)
    if options.dry_run:
        from .explain import dry_run

        return dry_run(options)
    b = Builder(options)
    if options.pdf:  # fail before anything is written when the optional browser is missing
        from .pdf import find_chromium

        find_chromium()
    # "All areas" is every area of the data folder, whichever are rebuilt: the others' tables
    # are reused when fresh, else scored, so pooled figures never shrink to a subset.
    every = select_areas(b.data, None)
    b.every, b.groups = every, groups_of(every)
    areas = select_areas(b.data, options.areas)
    b.inputs = Inputs.record(b.data, every)
    check_texts(b.data, areas, every)
    changed = b.changed_areas(every)
    why = BuildExplanation(b, changed)  # reasons are taken before anything is rebuilt
    executor = None if options.tables_only else make_executor(options)
    try:
        if executor is not None and changed:  # workers score the changed areas, then run
            preload_cross_area()              # notebooks (a refused build starts no kernel)
            executor.start()
        b.score(every, changed, executor, cross_area=executor is None)
        if executor is not None and changed:
            b.read_parameters(executor)
        for a in areas:  # the reports built: their commentary against their scores
            for warning in commentary_figures(b.data, b.out, a.id):
                log.warning("%s", warning)
        b.result.timings["score"] = time.perf_counter() - t0
        if executor is None:
            why.after(b.result)
            print(f"tables: {b.out.root}", file=sys.stdout)
            return b.result
        t1 = time.perf_counter()
        run_overlapped(b, areas, every, executor, why)
        b.result.timings["notebooks_and_reports"] = time.perf_counter() - t1
    finally:
        if executor is not None:
            executor.close()
    policy = options.policy
    try:
        if options.pdf:
            print_pdfs(b)
    finally:  # the index links the PDFs printed, and is written even if printing failed
        write_index(b.out, every, {a.id for a in areas}, b.result, b.groups,
                    lambda: b.bank, b.package, options.force, policy)
    if options.publish:
        publish(b, areas, policy)
    b.result.timings["total"] = time.perf_counter() - t0
    write_manifest(b.out, options, areas, b.result, b.inputs.relative(), b.package, b.versions,
                   b.groups)
    why.after(b.result)  # what re-ran and why, one line per kind
    summary(b.result, b.out.root, options.quiet)
    return b.result


def print_pdfs(b: Builder) -> None:
    """Print each report of this build whose PDF is not current (every one with --force),
    saying each PDF as it is written unless --quiet."""
    from .pdf import current_pdf, print_reports, progress_printer

    reports = b.result.reports
    stale = [r for r in reports if b.o.force or current_pdf(r) is None]
    print_reports(stale, progress=None if b.o.quiet else progress_printer(b.out.root, sys.stderr))
    b.result.printed = len(stale)
    b.result.pdfs = [p for p in map(current_pdf, reports) if p is not None]


def publish(b: Builder, areas: list[Area], policy: Policy) -> None:
    """The release folder, scanned; a finding fails the build (see :mod:`.release`)."""
    from .release import RELEASE, release

    built = linked_areas(b.out, areas, {a.id for a in areas}, publish=True)
    findings = release(b.out.root, built, policy, b.bank)
    b.result.disclosures = [str(f) for f in findings]
    b.result.release = None if findings else b.out.root / RELEASE


def summary(result: BuildResult, out: Path, quiet: bool) -> None:
    stream = sys.stderr
    print(f"notebooks executed: {len(result.executed)}, reused: {len(result.reused)}, "
          f"failed: {len(result.failed)} ({result.timings.get('total', 0):.1f} s)", file=stream)
    if result.failed:
        print("\nFailed notebooks (kept under <area>/failed/, not in any report):", file=stream)
        width = max(len(k) for k in result.failed)
        for key, error in sorted(result.failed.items()):
            print(f"  {key:<{width}}  {error[:160]}", file=stream)
    if result.disclosures:
        print(f"\nPublication stopped: {len(result.disclosures)} way(s) to work out a hidden "
              f"count; no release folder was written (all listed in "
              f"{out / 'release-findings.txt'}):", file=stream)
        for line in result.disclosures[:50]:
            print(f"  {line}", file=stream)
    elif result.release is not None:
        print(f"release (safe to hand out): {result.release}", file=sys.stdout)
    if result.pdfs:
        print(f"PDFs: {out} (a PDF beside each report and annex: {len(result.pdfs)} in all, "
              f"{result.printed} printed now)", file=sys.stdout)
    print(f"index: {out / 'index.html'}", file=sys.stdout)
    aggregate = out / AGGREGATE / "report.html"
    if aggregate.exists():
        print(f"aggregate report: {aggregate}", file=sys.stdout)


def stitch_only(area_id: str, data: Path, output: Path) -> Path:
    """Stitch one area's already executed notebooks (``outputs/<area>/notebooks``) into its
    report: the step a researcher runs by hand after executing notebooks with ``papermill``."""
    import nbformat

    from . import stitch

    options = BuildOptions(data=data, output=output, areas=[area_id], quiet=True, force=True)
    b = Builder(options)
    (area,) = select_areas(b.data, [area_id])
    b.inputs = Inputs.record(b.data, select_areas(b.data, None))
    for name in area_notebooks(options.notebooks):
        target = b.out.notebook(area_id, name)
        path = target.files[0]
        if not path.exists():
            raise InputError([Problem(str(path), "executed notebook not found",
                                      allowed="run the notebooks first (papermill or build)")])
        nb = nbformat.read(path, as_version=4)
        if "iaow" not in nb.metadata:
            nb = normalise_notebook(nbformat.writes(nb))
            nb.metadata["iaow"] = {"digest": "external", "key": f"{area_id}/{name}"}
            printed.write_chapter(path, printed.take_numbers(nb))
            write_notebook(nb, path)
        if target.recorded() is None:
            target.mark(nb.metadata["iaow"]["digest"])
    written = [Path(stitch.write_report(j)) for j in b.stitch_job(area) if j is not None]
    assert written
    return written[0]  # the report; its annex is written beside it
