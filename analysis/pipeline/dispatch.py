"""Run what is not current and stitch each report as soon as its notebooks are done.

Tasks go to the build's executor (:mod:`.executors`); results are written as they arrive
(executed notebooks under ``<folder>/notebooks``, failed ones under ``<folder>/failed``,
never part of a report) and dropped.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from ..core import atomic
from . import interrupts, printed
from .execute import Result, Task, worker_context
from .executors import Executor
from .jobs import StitchJob
from .options import BuildOptions
from .outputs import OutputTree
from .pages import BuildResult

#: Makes a folder's stitch jobs, one per document due (the report, its annex).
JobMaker = Callable[[], Iterable[StitchJob | None]]


class Stitcher:
    """Stitch reports in the executor's workers as they become ready, or at the end if it
    has none."""

    def __init__(self, executor: Executor) -> None:
        self.executor = executor
        self.futures: list[Future[Any]] = []
        self.later: list[StitchJob] = []

    def add(self, jobs: Iterable[StitchJob | None]) -> None:
        """Stitch each document due (None: current, or its notebooks failed; nbconvert is
        imported only when one is due, so a no-op build never loads it)."""
        for job in jobs:
            if job is None:
                continue
            from . import stitch

            future = self.executor.submit(stitch.write_report, job)
            if future is not None:
                self.futures.append(future)
            else:
                self.later.append(job)

    def finish(self, jobs: int) -> None:
        for future in self.futures:
            future.result()
        if not self.later:
            return
        from . import stitch

        if len(self.later) > 1 and jobs > 1:  # nbconvert is slow: stitch in parallel
            context = worker_context()
            with ProcessPoolExecutor(min(jobs, len(self.later)), mp_context=context,
                                     initializer=interrupts.leave_to_parent) as pool:
                list(pool.map(stitch.write_report, self.later))
        else:
            for job in self.later:
                stitch.write_report(job)


def write_result(res: Result, out: OutputTree) -> Result:
    """Write a finished result's files (the executed notebook and its printed numbers, or
    the failed notebook), not its stamp; return it without their text. A local worker does
    this itself, so the build process never receives the text (the aggregate of 201 areas
    came back as 16 MiB, 33 MiB in the build process while it was received)."""
    from dataclasses import replace

    assert res.figures_json is not None
    if res.ok:
        notebook = out.notebook(res.folder, res.notebook).files[0]
        atomic.write_text(notebook, res.notebook_json)
        printed.write_chapter(notebook, res.figures_json)
    else:
        atomic.write_text(out.failed(res.folder, res.notebook), res.notebook_json)
    return replace(res, notebook_json="", figures_json="", written=True)


def collect(res: Result, out: OutputTree, result: BuildResult) -> None:
    """Record one result: its files written (here, unless its worker wrote them) and, if it
    ran, its stamp. A result finished in its worker (:func:`~.execute.finish`) is written
    as it came, never parsed here."""
    from .execute import finish

    if not res.written:
        res = write_result(finish(res), out)
    result.cell_seconds += res.cell_seconds
    result.notebook_seconds[res.key] = res.seconds
    if res.ok:
        out.notebook(res.folder, res.notebook).mark(res.digest)
        out.failed(res.folder, res.notebook).unlink(missing_ok=True)
        result.executed.append(res.key)
    else:
        result.failed[res.key] = res.error


def _progress(total: int, quiet: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc="notebooks", unit="nb", disable=quiet or total == 0,
                file=sys.stderr, dynamic_ncols=True)


class Waiting:
    """Which reports wait for notebooks: a report is stitched once its last notebook is in,
    and, while more tasks may still be planned (``held``), not before they are."""

    def __init__(self, pending: list[Task], jobs: dict[str, JobMaker], held: bool,
                 stitcher: Stitcher) -> None:
        self.count = Counter(t.folder for t in pending)
        self.jobs = jobs
        self.held = held
        self.stitcher = stitcher
        self.stitched: set[str] = set()

    def ready(self) -> None:
        """Stitch every report with nothing left to wait for (reused notebooks only, or
        all of its notebooks in)."""
        if self.held:
            return
        for folder, job in self.jobs.items():
            if not self.count[folder] and folder not in self.stitched:
                self.stitched.add(folder)
                self.stitcher.add(job())

    def done(self, folder: str) -> None:
        self.count[folder] -= 1
        if not self.count[folder]:
            self.ready()

    def planned(self, later: list[Task], last: bool = True) -> None:
        """Tasks planned after the first: reports are held until the last are planned."""
        self.count.update(t.folder for t in later)
        self.held = not last
        self.ready()


def run(pending: list[Task], jobs: dict[str, JobMaker], options: BuildOptions,
        out: OutputTree, result: BuildResult, executor: Executor,
        later: Sequence[Callable[[], list[Task]]] = ()) -> None:
    """Run the pending tasks; stitch each folder's report once its last notebook is in.

    ``jobs`` makes each folder's stitch jobs (one per document due; None: nothing to
    stitch), called when the folder's notebooks are done, so the jobs see this build's
    results. ``later`` plans more tasks in stages (as the cross-area tables they read are
    made): each stage is called once the tasks before it are all handed to the executor, so
    they run meanwhile; no report is stitched before the last stage is planned.
    """
    stitcher = Stitcher(executor)
    waiting = Waiting(pending, jobs, bool(later), stitcher)
    waiting.ready()
    with _progress(len(pending), options.quiet) as bar:
        def tasks() -> Iterator[Task]:
            yield from pending
            for i, stage in enumerate(later):
                more = stage()
                bar.total += len(more)
                bar.refresh()
                waiting.planned(more, last=i == len(later) - 1)
                yield from more

        for res in executor.run(tasks()):
            collect(res, out, result)
            bar.update(1)
            waiting.done(res.folder)
    waiting.planned([])  # nothing ran at all: the reports that may still be stale
    stitcher.finish(options.jobs)
