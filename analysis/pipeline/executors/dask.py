"""The Dask executor: each notebook a Dask task, on a local cluster or an existing scheduler.

A task carries its own input files and the files every task shares are scattered to each
worker once, so Dask workers need no shared filesystem; the executed notebook comes back to
the client.
"""

from __future__ import annotations

import base64
import itertools
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from ...core import paths
from ..execute import Result, Task, finish, run_task
from ..options import BuildOptions
from ..outputs import OutputTree
from .local import IN_FLIGHT


def _run_remote(payload: tuple[Task, str], shared: dict[str, str]) -> Result:
    """A Dask task: the files every task shares arrive once per worker, the task's own with it."""
    task, engine = payload
    task.files = {**shared, **task.files}
    return finish(run_task(task, engine))


def run_dask(tasks: Iterable[Task], jobs: int, engine: str = "warm",
             scheduler: str | None = None,
             shared: dict[str, str] | None = None) -> Iterator[Result]:
    """Each notebook a Dask task; the executed notebook comes back to the client.

    ``shared`` (input files every task needs) is scattered to every worker once; each task
    carries only its own files. At most :data:`IN_FLIGHT` tasks per worker thread are
    submitted at a time, the next as each result comes back: a task's files are held by the
    client and the scheduler only while it is queued or running, so neither grows with the
    number of notebooks (every task of 201 areas submitted at once held 1.1 GiB in the
    client and 1.2 GiB in the scheduler).
    """
    from dask.distributed import Client, LocalCluster
    from dask.distributed import as_completed as dask_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=40)
        client = Client(cluster)
    try:
        [common] = client.scatter([shared or {}], broadcast=True)
        pending = iter(tasks)

        def submit(t: Task) -> Any:
            return client.submit(_run_remote, (t, engine), common,
                                 key=f"iaow-{t.key}-{t.digest[:16]}", pure=False)

        threads = sum(w.get("nthreads", 1)
                      for w in client.scheduler_info().get("workers", {}).values())
        window = IN_FLIGHT * max(jobs, threads, 1)
        running = dask_completed([submit(t) for t in itertools.islice(pending, window)])
        for future in running:
            result = future.result()
            nxt = next(pending, None)
            if nxt is not None:
                running.add(submit(nxt))
            yield result
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _encode(files: dict[str, Path]) -> dict[str, str]:
    """Files as base64 text by relative path: what travels to a remote worker."""
    return {rel: base64.b64encode(p.read_bytes()).decode() for rel, p in files.items()}


def task_bundle(out: OutputTree, task: Task) -> dict[str, str]:
    """The files only this task needs on a remote worker: its area's tables."""
    return _encode({f"output/{p.relative_to(out.root)}": p for p in
                    sorted(paths.area_tables(out.root, task.folder).glob("*.parquet"))})


def shared_bundle(out: OutputTree, data: Path) -> dict[str, str]:
    """The files tasks share (data other than case files, the cross-area and group tables
    with the areas' views of them, and every area's tables, which the disclosure policy of
    the comparison chapters and the aggregates reads): sent to each Dask worker once, not
    with every task."""
    files = {f"data/{p.relative_to(data)}": p for p in sorted(data.rglob("*"))
             if p.is_file() and "cases" not in p.relative_to(data).parts}
    for p in sorted([*out.root.glob("**/tables/*.parquet"),
                     *paths.area_views(out.root).glob("*.json")]):
        files[f"output/{p.relative_to(out.root)}"] = p
    return _encode(files)


def _with_files(out: OutputTree, tasks: Iterable[Task]) -> Iterator[Task]:
    """Each task with its files, read when it is reached: an area's bundle is kept only
    while its tasks follow one another, so the client holds one area's tables at a time."""
    last: tuple[str, dict[str, str]] | None = None
    for t in tasks:
        if last is None or last[0] != t.folder:
            last = (t.folder, task_bundle(out, t))
        t.files = last[1]
        yield t


class DaskExecutor:
    """Notebooks on Dask (a local cluster, or ``--scheduler``); reports are stitched here."""

    def __init__(self, options: BuildOptions) -> None:
        self.options = options

    def start(self) -> None:
        """Nothing to warm up: the cluster starts when there is work for it."""

    def warm(self) -> None:
        """Nothing to warm up: the cluster starts when there is work for it."""

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> Future[Any] | None:
        return None

    def run(self, tasks: Iterable[Task]) -> Iterator[Result]:
        """Every task, planned in full first, then run; each carries its area's tables,
        read as it is submitted (consecutive tasks of one area share one bundle)."""
        tasks = list(tasks)
        if not tasks:
            return iter(())
        out, data = OutputTree(self.options.output.resolve()), self.options.data.resolve()
        return run_dask(_with_files(out, tasks), self.options.jobs, self.options.engine,
                        self.options.scheduler, shared=shared_bundle(out, data))

    def close(self) -> None:
        """The cluster of a run is closed when its results are in."""
