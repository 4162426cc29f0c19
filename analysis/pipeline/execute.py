"""Run notebook tasks: one function per task, and executors that map it over tasks.

A task carries everything it needs (the notebook source, its parameters and, for remote
workers, the input files), and its result carries the executed notebook back, so Dask workers
need no shared filesystem. Failures are results, not exceptions: the failed notebook with
papermill's error banner comes back to be kept under ``failed/``.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import multiprocessing
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

ENGINES = {"warm": "iaow_warm", "papermill": "nbclient"}
START_ATTEMPTS = 3
IN_FLIGHT = 4  # tasks queued per worker: enough to keep workers busy, few enough to hold


def _is_start_failure(exc: BaseException) -> bool:
    """A kernel that did not start or answer in time (a start race), not a notebook error."""
    text = str(exc).lower()
    return "kernel" in text and ("respond" in text or "start" in text or "address" in text)


@dataclass
class Task:
    """One notebook to run: where its output goes (folder, notebook), source and parameters."""

    folder: str                 # an area id, or "aggregate"
    notebook: str               # the notebook's stem, e.g. "01_assisting_sentencing"
    notebook_json: str          # the source notebook
    parameters: dict[str, object]
    digest: str
    files: dict[str, str] = field(default_factory=dict)   # relpath -> base64, for remote runs
    path_parameters: tuple[str, ...] = ("data_dir", "output_dir")
    fresh_kernel: bool = False  # a kernel of its own whatever the engine (extra chapters)

    @property
    def key(self) -> str:
        return f"{self.folder}/{self.notebook}"


@dataclass
class Result:
    """What came back from running a task: the executed notebook, or the failed one."""

    folder: str
    notebook: str
    ok: bool
    notebook_json: str
    digest: str
    seconds: float
    cell_seconds: float
    error: str = ""

    @property
    def key(self) -> str:
        return f"{self.folder}/{self.notebook}"


def _cell_seconds(nb: dict[str, Any]) -> float:
    total = 0.0
    for cell in nb.get("cells", []):
        duration = cell.get("metadata", {}).get("papermill", {}).get("duration")
        if isinstance(duration, int | float):
            total += float(duration)
    return total


def run_task(task: Task, engine: str = "warm") -> Result:
    """Execute one notebook with papermill in this process's (warm) kernel, or in a fresh
    kernel when the engine is "papermill" or the task asks for a kernel of its own."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from . import engine as eng

    if task.fresh_kernel:
        engine = "papermill"
    kernel = eng.ensure_kernelspec()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="iaow-task-") as tmp:
        params = dict(task.parameters)
        if task.files:
            root = Path(tmp) / "inputs"
            for rel, data in task.files.items():
                target = root / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(base64.b64decode(data))
            for name in task.path_parameters:
                if name in params:
                    params[name] = str(root / name.removesuffix("_dir"))
        source = Path(tmp) / "source.ipynb"
        source.write_text(task.notebook_json, encoding="utf-8")
        output = Path(tmp) / "executed.ipynb"
        error = ""
        ok = True
        try:
            extra = {} if engine == "warm" else {
                "kernel_manager_class": "analysis.pipeline.engine.AsyncIPCKernelManager"}
            for attempt in range(START_ATTEMPTS):
                try:
                    pm.execute_notebook(str(source), str(output), parameters=params,
                                        engine_name=ENGINES[engine], kernel_name=kernel,
                                        progress_bar=False, log_output=False, cwd=tmp,
                                        request_save_on_cell_execute=False, **extra)
                    break
                except (RuntimeError, TimeoutError, OSError) as exc:
                    if not _is_start_failure(exc) or attempt == START_ATTEMPTS - 1:
                        raise
                    time.sleep(0.5 * (attempt + 1))
        except PapermillExecutionError as exc:
            ok = False
            error = f"{exc.ename}: {exc.evalue}"
        except Exception as exc:  # a kernel that died or would not start is a failure too
            ok = False
            error = f"{type(exc).__name__}: {exc}"
        text = output.read_text(encoding="utf-8") if output.exists() else task.notebook_json
        if task.files:
            text = text.replace(str(Path(tmp) / "inputs"), "<inputs>")
    nb = json.loads(text)
    return Result(task.folder, task.notebook, ok, text, task.digest, time.perf_counter() - start,
                  _cell_seconds(nb), error)


def _run_local(payload: tuple[Task, str]) -> Result:
    task, engine = payload
    return run_task(task, engine)


def _warm_up(engine: str) -> None:
    """Start the worker's kernel, import papermill and nbconvert before the first task.

    Worker processes end without running ``atexit`` handlers, so the kernel is shut down by a
    multiprocessing finaliser instead (else it lingers until it sees its parent gone).
    """
    from multiprocessing.util import Finalize

    from . import engine as eng

    if engine == "warm":
        eng.warm_kernel(eng.ensure_kernelspec())
        Finalize(None, _stop_kernel, exitpriority=10)
    from . import stitch

    stitch.warm_up()  # workers stitch reports too


def _stop_kernel() -> None:
    """Shut the worker's kernel down as the worker exits, quietly even on Ctrl-C."""
    from . import engine as eng

    with contextlib.suppress(BaseException):  # an interrupt here must not print a traceback
        eng.shutdown_warm()


#: What every worker imports (papermill, jupyter_client, nbconvert): the fork server imports
#: them once and each worker starts with them, instead of each importing them again.
WORKER_MODULES = ["analysis.pipeline.engine", "analysis.pipeline.stitch"]


def worker_context() -> BaseContext:
    """The start method of the build's worker processes: a fork server where there is one
    (POSIX), holding the workers' imports; elsewhere fresh interpreters."""
    if os.name != "posix":
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(WORKER_MODULES)  # no effect once the server runs: harmless
    return context


def run_serial(tasks: Iterable[Task], engine: str = "warm") -> Iterator[Result]:
    for task in tasks:
        yield run_task(task, engine)


class LocalWorkers:
    """A build's worker processes, each keeping one warm kernel for its whole life.

    They run notebook tasks (:meth:`run`) and any other picklable job sent to them
    (:meth:`submit`: stitching a report as soon as its notebooks are done). :meth:`start`
    spawns the workers and starts their kernels at once, so that kernel start-up overlaps
    with whatever the caller does next (validating and scoring the data).
    """

    def __init__(self, jobs: int, engine: str = "warm") -> None:
        context = worker_context()
        self.jobs = jobs
        self.engine = engine
        self._pool = ProcessPoolExecutor(max_workers=jobs, initializer=_warm_up,
                                         initargs=(engine,), mp_context=context)

    def __enter__(self) -> LocalWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Spawn every worker now (each starts its kernel as it comes up)."""
        for _ in range(self.jobs):  # workers are spawned on demand, one per queued job
            self._pool.submit(os.getpid)

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> Future[Any]:
        return self._pool.submit(fn, arg)

    def run(self, tasks: list[Task]) -> Iterator[Result]:
        """Results in completion order, with a bounded window of tasks in flight: executed
        notebooks are handed on and dropped as they come, so memory does not grow with the
        number of notebooks."""
        pending = iter(tasks)
        window = {self._pool.submit(_run_local, (t, self.engine))
                  for t in itertools.islice(pending, IN_FLIGHT * self.jobs)}
        while window:
            done, window = wait(window, return_when=FIRST_COMPLETED)
            for future in done:
                result: Result = future.result()
                nxt = next(pending, None)
                if nxt is not None:
                    window.add(self._pool.submit(_run_local, (nxt, self.engine)))
                yield result

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def run_pool(tasks: list[Task], jobs: int, engine: str = "warm") -> Iterator[Result]:
    """A process pool; each worker keeps its own warm kernel for its lifetime."""
    if jobs <= 1 or len(tasks) <= 1:
        yield from run_serial(tasks, engine)
        return
    with LocalWorkers(min(jobs, len(tasks)), engine) as workers:
        yield from workers.run(tasks)


def _run_remote(payload: tuple[Task, str], shared: dict[str, str]) -> Result:
    """A Dask task: the files every task shares arrive once per worker, the task's own with it."""
    task, engine = payload
    task.files = {**shared, **task.files}
    return run_task(task, engine)


def run_dask(tasks: list[Task], jobs: int, engine: str = "warm",
             scheduler: str | None = None,
             shared: dict[str, str] | None = None) -> Iterator[Result]:
    """Each notebook a Dask task; the executed notebook comes back to the client.

    ``shared`` (input files every task needs) is scattered to every worker once; each task
    carries only its own files. No task: no cluster is started (or connected to).
    """
    if not tasks:
        return
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
        futures = [client.submit(_run_remote, (t, engine), common,
                                 key=f"iaow-{t.key}-{t.digest[:16]}", pure=False)
                   for t in tasks]
        for future in dask_completed(futures):
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

