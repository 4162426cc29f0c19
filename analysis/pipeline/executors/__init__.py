"""Executors: where a build's notebooks run. One module per executor, one entry each.

An executor is made from the build options, may start its workers before the data is scored
(:meth:`Executor.start`: they validate and score the changed areas, each on its own, through
:meth:`Executor.score`) and start their kernels once the data is valid
(:meth:`Executor.warm`), runs notebook tasks and yields their results as they complete
(:meth:`Executor.run`; the tasks are an iterable the build may still be planning: a local
executor starts the first ones while later ones wait for the cross-area tables), and may run
other picklable jobs (stitching a report) in its workers (:meth:`Executor.submit`; None: the
build runs the job itself). A new executor (a batch
scheduler, Ray) is a module here and one entry in :data:`EXECUTORS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from importlib import import_module
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from ..execute import Result, Task
    from ..options import BuildOptions
    from ..scores import ScoreJob, ScoreOutcome

T = TypeVar("T", covariant=True)

#: Executor classes by the name ``--executor`` takes, imported only when chosen.
EXECUTORS = {
    "local": "analysis.pipeline.executors.local:LocalExecutor",
    "dask": "analysis.pipeline.executors.dask:DaskExecutor",
}
#: The executor of a build given a scheduler address (``--scheduler``).
SCHEDULED = "dask"


class Pending(Protocol[T]):
    """A job handed to an executor's workers: its result when asked for (a local future, or
    a Dask one unpacked)."""

    def result(self) -> T: ...


class Executor(Protocol):
    def start(self) -> None: ...

    def score(self, job: ScoreJob) -> Pending[ScoreOutcome] | None: ...

    def warm(self) -> None: ...

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> Future[Any] | None: ...

    def run(self, tasks: Iterable[Task]) -> Iterator[Result]: ...

    def close(self) -> None: ...


def executor_name(options: BuildOptions) -> str:
    """The executor a build uses: ``--executor``, or Dask when a scheduler is given."""
    return SCHEDULED if options.scheduler else options.executor


def make_executor(options: BuildOptions) -> Executor:
    """The build's executor, its module imported now."""
    module, _, name = EXECUTORS[executor_name(options)].partition(":")
    cls: Callable[[BuildOptions], Executor] = getattr(import_module(module), name)
    return cls(options)
