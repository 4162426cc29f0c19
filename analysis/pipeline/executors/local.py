"""The local executor: a pool of worker processes, each keeping one warm kernel.

With one job (or one task) notebooks run in this process, one after another.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import interrupts
from ..execute import ENGINES, Result, Task, finish, run_serial, run_task, worker_context
from ..options import BuildOptions

if TYPE_CHECKING:
    from ..scores import ScoreJob, ScoreOutcome

IN_FLIGHT = 4  # tasks queued per worker: enough to keep workers busy, few enough to hold


def _run_local(payload: tuple[Task, str, str | None]) -> Result:
    """Run a task and finish its result here; with the build's output folder, write its
    files here too, so that only the result's record goes back to the build process."""
    task, engine, out = payload
    res = finish(run_task(task, engine))
    if out is None:
        return res
    from ..dispatch import write_result
    from ..outputs import OutputTree

    return write_result(res, OutputTree(Path(out)))


def _warm_up(engine: str) -> None:
    """Import papermill and nbconvert before the first task; the kernel is started later
    (:func:`_start_kernel`), once the data the worker scores is valid.

    Ctrl-C is left to the build process: a worker ends its current task, and the build
    process stops handing out tasks and closes the pool; a worker whose build process is gone
    stops its kernel and exits (:mod:`..interrupts`).

    Worker processes end without running ``atexit`` handlers, so the kernel is shut down by a
    multiprocessing finaliser instead (else it lingers until it sees its parent gone).
    """
    from multiprocessing.util import Finalize

    interrupts.leave_to_parent(_stop_kernel)

    if ENGINES[engine].warm:
        Finalize(None, _stop_kernel, exitpriority=10)
    from .. import stitch

    stitch.warm_up()  # workers stitch reports too


def _start_kernel(engine: str) -> None:
    """Start this worker's warm kernel now (a task would start it anyway when it is absent)."""
    from .. import engine as eng

    if ENGINES[engine].warm:
        eng.warm_kernel(eng.ensure_kernelspec())


def _stop_kernel() -> None:
    """Shut the worker's kernel down as the worker exits, quietly even on Ctrl-C."""
    from .. import engine as eng

    with contextlib.suppress(BaseException):  # an interrupt here must not print a traceback
        eng.shutdown_warm()


class LocalWorkers:
    """A build's worker processes, each keeping one warm kernel for its whole life.

    They run notebook tasks (:meth:`run`) and any other picklable job sent to them
    (:meth:`submit`: stitching a report as soon as its notebooks are done). :meth:`start`
    spawns the workers and starts their kernels at once, so that kernel start-up overlaps
    with whatever the caller does next (validating and scoring the data).
    """

    def __init__(self, jobs: int, engine: str = "warm", out: Path | None = None) -> None:
        context = worker_context()
        self.jobs = jobs
        self.engine = engine
        self.out = None if out is None else str(out)  # where workers write results, if given
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

    def warm(self) -> None:
        """Have the workers start their kernels (one request a worker: a worker busy starting
        its kernel leaves the next request to another)."""
        for _ in range(self.jobs):
            self._pool.submit(_start_kernel, self.engine)

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> Future[Any]:
        return self._pool.submit(fn, arg)

    def run(self, tasks: Iterable[Task]) -> Iterator[Result]:
        """Results in completion order, with a bounded window of tasks in flight: executed
        notebooks are handed on and dropped as they come, so memory does not grow with the
        number of notebooks (and tasks are taken from ``tasks`` only as room comes free)."""
        pending = iter(tasks)
        window = {self._pool.submit(_run_local, (t, self.engine, self.out))
                  for t in itertools.islice(pending, IN_FLIGHT * self.jobs)}
        while window:
            done, window = wait(window, return_when=FIRST_COMPLETED)
            for future in done:
                result: Result = future.result()
                nxt = next(pending, None)
                if nxt is not None:
                    window.add(self._pool.submit(_run_local, (nxt, self.engine, self.out)))
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




class LocalExecutor:
    """The build's local workers when it has more than one job, else this process."""

    def __init__(self, options: BuildOptions) -> None:
        self.engine = options.engine
        self.workers = (LocalWorkers(options.jobs, options.engine, options.output.resolve())
                        if options.jobs > 1 else None)

    def start(self) -> None:
        if self.workers is not None:
            self.workers.start()

    def score(self, job: ScoreJob) -> Future[ScoreOutcome] | None:
        """Validate and score an area in a worker, which writes its tables to staging."""
        from ..scores import score_one

        return None if self.workers is None else self.workers.submit(score_one, job)

    def warm(self) -> None:
        if self.workers is not None:
            self.workers.warm()

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> Future[Any] | None:
        return None if self.workers is None else self.workers.submit(fn, arg)

    def run(self, tasks: Iterable[Task]) -> Iterator[Result]:
        if self.workers is not None:
            return self.workers.run(tasks)
        return run_serial(tasks, self.engine)

    def close(self) -> None:
        if self.workers is not None:
            self.workers.close()
