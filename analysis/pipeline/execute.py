"""Run notebook tasks: one function per task; the executors (:mod:`.executors`) map it.

A task carries everything it needs but the input files (the notebook source, its parameters),
and its result carries the executed notebook back; a worker that does not share the build's
folders is given a folder of the inputs (:mod:`.executors.dask` writes it once per worker).
Failures are results, not exceptions: the failed notebook with papermill's error banner comes
back to be kept under ``failed/``.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

from . import interrupts


@dataclass(frozen=True)
class Engine:
    """How a notebook is executed: a papermill engine, and whether a worker keeps one kernel
    for every notebook it runs (warm) or each notebook starts a kernel of its own."""

    papermill_engine: str
    warm: bool
    kernel_manager_class: str | None = None


#: Every engine, by the name ``--engine`` takes. A new engine is one entry here (its papermill
#: engine registered by an entry point or :mod:`analysis.pipeline.engine`).
ENGINES = {
    "warm": Engine("iaow_warm", warm=True),
    "papermill": Engine("nbclient", warm=False,
                        kernel_manager_class="analysis.pipeline.engine.AsyncIPCKernelManager"),
}
FRESH = "papermill"  # the engine of a task that asks for a kernel of its own
START_ATTEMPTS = 3


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
    #: set by :func:`finish`: ``notebook_json`` is then the notebook as written (normalised,
    #: its printed numbers taken out into ``figures_json``)
    figures_json: str | None = None
    #: set by :func:`~.dispatch.write_result` in a worker that shares the build's output
    #: folder: the files are written and the texts dropped
    written: bool = False

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


def run_task(task: Task, engine: str = "warm", inputs: Path | None = None) -> Result:
    """Execute one notebook with papermill in this process's (warm) kernel, or in a fresh
    kernel when the engine is "papermill" or the task asks for a kernel of its own.

    ``inputs``: a folder holding ``data/`` and ``output/``, on a worker that does not share
    the build's folders; the task's folder parameters point there, and the executed notebook
    writes it ``<inputs>`` (no path of the worker's machine is kept)."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from . import engine as eng

    spec = ENGINES[FRESH if task.fresh_kernel else engine]
    kernel = eng.ensure_kernelspec()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="iaow-task-") as tmp:
        params = dict(task.parameters)
        if inputs is not None:
            for name in task.path_parameters:
                if name in params:
                    params[name] = str(inputs / name.removesuffix("_dir"))
        source = Path(tmp) / "source.ipynb"
        source.write_text(task.notebook_json, encoding="utf-8")
        output = Path(tmp) / "executed.ipynb"
        error = ""
        ok = True
        try:
            extra = ({} if spec.kernel_manager_class is None
                     else {"kernel_manager_class": spec.kernel_manager_class})
            for attempt in range(START_ATTEMPTS):
                try:
                    pm.execute_notebook(str(source), str(output), parameters=params,
                                        engine_name=spec.papermill_engine, kernel_name=kernel,
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
        if inputs is not None:
            text = text.replace(str(inputs), "<inputs>")
    nb = json.loads(text)
    return Result(task.folder, task.notebook, ok, text, task.digest, time.perf_counter() - start,
                  _cell_seconds(nb), error)


def finish(res: Result) -> Result:
    """The executed notebook as the build writes it: normalised, its folders portable, its
    digest in its metadata ("failed" for a failed one), its printed numbers taken out (as
    ``figures_json``). Done in the worker that ran it, so the build process only writes
    text: a parsed notebook of the aggregate of hundreds of areas is hundreds of MiB."""
    from . import printed
    from .notebooks import normalise_notebook, notebook_text, portable_parameters_cell

    if res.figures_json is not None:
        return res
    nb = normalise_notebook(res.notebook_json)
    portable_parameters_cell(nb)
    nb.metadata["iaow"] = {"digest": res.digest if res.ok else "failed", "key": res.key}
    texts = printed.take_number_texts(nb)
    res.notebook_json = notebook_text(nb)
    res.figures_json = printed.chapter_text(texts)
    return res


#: What every worker imports (papermill, jupyter_client, nbconvert; the validation and scoring
#: of the areas it scores): the fork server imports
#: them once and each worker starts with them, instead of each importing them again.
WORKER_MODULES = ["analysis.pipeline.engine", "analysis.pipeline.stitch",
                  "analysis.method.validation", "analysis.method.scoring"]


def worker_context() -> BaseContext:
    """The start method of the build's worker processes: a fork server where there is one
    (POSIX), holding the workers' imports; elsewhere fresh interpreters."""
    if os.name != "posix":
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(WORKER_MODULES)  # no effect once the server runs: harmless
    return context


def run_serial(tasks: Iterable[Task], engine: str = "warm") -> Iterator[Result]:
    """Tasks one after another in this process; Ctrl-C stops after the current one."""
    for task in tasks:
        with interrupts.held() as held:
            result = run_task(task, engine)
        yield result
        if held:
            raise KeyboardInterrupt
