"""Run what is not current and stitch each report as soon as its notebooks are done.

Tasks go to the build's local workers, to serial execution, or to Dask; results are written
as they arrive (executed notebooks under ``<folder>/notebooks``, failed ones under
``<folder>/failed``, never part of a report) and dropped.
"""

from __future__ import annotations

import base64
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from ..core import paths
from .execute import LocalWorkers, Result, Task, run_dask, run_serial, worker_context
from .jobs import StitchJob
from .notebooks import normalise_notebook, portable_parameters_cell, write_notebook
from .options import BuildOptions
from .outputs import OutputTree
from .pages import BuildResult

JobMaker = Callable[[], StitchJob | None]


class Stitcher:
    """Stitch reports in the build's workers as they become ready, or at the end if none."""

    def __init__(self, workers: LocalWorkers | None) -> None:
        self.workers = workers
        self.futures: list[Future[Any]] = []
        self.later: list[StitchJob] = []

    def add(self, job: StitchJob | None) -> None:
        if job is None:
            return
        from . import stitch

        if self.workers is not None:
            self.futures.append(self.workers.submit(stitch.write_report, job))
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
            with ProcessPoolExecutor(min(jobs, len(self.later)), mp_context=context) as pool:
                list(pool.map(stitch.write_report, self.later))
        else:
            for job in self.later:
                stitch.write_report(job)


def collect(res: Result, out: OutputTree, result: BuildResult) -> None:
    """Write one result: the executed notebook and its stamp, or the failed notebook."""
    nb = normalise_notebook(res.notebook_json)
    portable_parameters_cell(nb)
    nb.metadata["iaow"] = {"digest": res.digest, "key": res.key}
    result.cell_seconds += res.cell_seconds
    result.notebook_seconds[res.key] = res.seconds
    failed = out.failed(res.folder, res.notebook)
    if res.ok:
        target = out.notebook(res.folder, res.notebook)
        write_notebook(nb, target.files[0])
        target.mark(res.digest)
        failed.unlink(missing_ok=True)
        result.executed.append(res.key)
    else:
        nb.metadata["iaow"]["digest"] = "failed"
        write_notebook(nb, failed)
        result.failed[res.key] = res.error


def _encode(files: dict[str, Path]) -> dict[str, str]:
    """Files as base64 text by relative path: what travels to a remote worker."""
    return {rel: base64.b64encode(p.read_bytes()).decode() for rel, p in files.items()}


def task_bundle(out: OutputTree, task: Task) -> dict[str, str]:
    """The files only this task needs on a remote worker: its area's tables."""
    return _encode({f"output/{p.relative_to(out.root)}": p for p in
                    sorted(paths.area_tables(out.root, task.folder).glob("*.parquet"))})


def shared_bundle(out: OutputTree, data: Path) -> dict[str, str]:
    """The files tasks share (data other than case files, the cross-area and group tables,
    and every area's tables, which the disclosure policy of the comparison chapters and the
    aggregates reads): sent to each Dask worker once, not with every task."""
    files = {f"data/{p.relative_to(data)}": p for p in sorted(data.rglob("*"))
             if p.is_file() and "cases" not in p.relative_to(data).parts}
    for p in sorted(out.root.glob("**/tables/*.parquet")):
        files[f"output/{p.relative_to(out.root)}"] = p
    return _encode(files)


def _runner(pending: list[Task], options: BuildOptions, out: OutputTree, data: Path,
            workers: LocalWorkers | None) -> Iterator[Result]:
    if options.executor == "dask" or options.scheduler:
        for t in pending:
            t.files = task_bundle(out, t)
        return run_dask(pending, options.jobs, options.engine, options.scheduler,
                        shared=shared_bundle(out, data))
    if workers is not None and len(pending) > 1:
        return workers.run(pending)
    return run_serial(pending, options.engine)


def _progress(total: int, quiet: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc="notebooks", unit="nb", disable=quiet or total == 0,
                file=sys.stderr, dynamic_ncols=True)


def run(pending: list[Task], jobs: dict[str, JobMaker], options: BuildOptions,
        out: OutputTree, data: Path, result: BuildResult,
        workers: LocalWorkers | None) -> None:
    """Run the pending tasks; stitch each folder's report once its last notebook is in.

    ``jobs`` makes each folder's stitch job (None: nothing to stitch), called when the
    folder's notebooks are done, so the job sees this build's results.
    """
    waiting = Counter(t.folder for t in pending)
    stitcher = Stitcher(workers)
    for folder, job in jobs.items():
        if not waiting[folder]:  # notebooks all reused; the report may still be stale
            stitcher.add(job())
    with _progress(len(pending), options.quiet) as bar:
        for res in _runner(pending, options, out, data, workers):
            collect(res, out, result)
            bar.update(1)
            waiting[res.folder] -= 1
            if not waiting[res.folder] and res.folder in jobs:
                stitcher.add(jobs[res.folder]())
    stitcher.finish(options.jobs)
