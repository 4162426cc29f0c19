"""The Dask executor: each notebook a Dask task, on a local cluster or an existing scheduler.

Dask workers need no shared filesystem. The changed areas are scored on the workers, each
score job carrying its case file and its staged tables coming back. The input files every
notebook reads are scattered to each worker once, as one :class:`Bundle`, and written to a
folder on it by the first task that needs them; the executed notebook comes back to the
client.
"""

from __future__ import annotations

import io
import itertools
import shutil
import tempfile
import threading
import uuid
import weakref
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...core import paths
from ...core.errors import InputError, Problem
from .. import interrupts
from ..execute import Result, Task, finish, run_task
from ..options import BuildOptions
from ..outputs import OutputTree
from ..scores import PackedScoreJob, ScoreJob, ScoreOutcome, score_packed
from .local import IN_FLIGHT

if TYPE_CHECKING:
    from dask.distributed import Client, LocalCluster


class Bundle:
    """Files by relative path, as one zip archive: what travels to a remote worker. One
    bytes object is sent as it is (a dict of 2,200 base64 texts at 201 areas took 250 MiB
    more in the build process while Dask serialised it); an object of its own so that a
    worker can tie the folder it writes the files to to the bundle's life."""

    def __init__(self, archive: bytes) -> None:
        self.archive = archive

    @classmethod
    def of(cls, files: Mapping[str, Path | bytes]) -> Bundle:
        """The files (a path to read, or the bytes themselves) under their relative paths."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for rel, data in files.items():
                archive.writestr(rel, data.read_bytes() if isinstance(data, Path) else data)
        return cls(buffer.getvalue())

    @property
    def names(self) -> list[str]:
        with zipfile.ZipFile(io.BytesIO(self.archive)) as archive:
            return archive.namelist()


def write_bundle(bundle: Bundle, root: Path) -> Path:
    """Write a bundle's files under ``root``; ``root``."""
    with zipfile.ZipFile(io.BytesIO(bundle.archive)) as archive:
        archive.extractall(root)
    return root


_FOLDERS: dict[int, Path] = {}  # in a worker: the folder of each bundle it holds, by id
_LOCK = threading.Lock()


def _forget(key: int, root: Path) -> None:
    _FOLDERS.pop(key, None)
    shutil.rmtree(root, ignore_errors=True)


def bundle_folder(bundle: Bundle) -> Path:
    """Where this worker wrote ``bundle``: by the first task that needs it, once (writing
    2,200 files a task was most of a Dask task's time at 200 areas), and removed when Dask
    drops the bundle (the build that scattered it closed its client) or the worker exits."""
    with _LOCK:
        root = _FOLDERS.get(id(bundle))
        if root is None:
            root = Path(tempfile.mkdtemp(prefix="iaow-inputs-"))
            try:
                write_bundle(bundle, root)
            except BaseException:  # a full disk: no half-written folder left behind
                shutil.rmtree(root, ignore_errors=True)
                raise
            _FOLDERS[id(bundle)] = root
            weakref.finalize(bundle, _forget, id(bundle), root)
        return root


def _run_remote(task: Task, engine: str, shared: Bundle) -> Result:
    """A Dask task: the notebook runs on the inputs folder of this worker."""
    return finish(run_task(task, engine, inputs=bundle_folder(shared)))


def connect(jobs: int, scheduler: str | None) -> tuple[Client, LocalCluster | None]:
    """A client of the scheduler given, or of a local cluster of ``jobs`` one-thread
    worker processes started here."""
    from dask.distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler), None
    with interrupts.ignored():  # Ctrl-C is the build process's to act on
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=40)
    return Client(cluster), cluster


def check_workers(client: Client, scheduler: str | None) -> None:
    """Refuse workers that run another version of the package (its code, templates, question
    bank): what they score and run would be stamped as this build's, and never made again.
    Checked on the workers present when the build starts."""
    from ..digests import package_digest

    ours = package_digest()
    theirs = client.run(package_digest)
    other = sorted(w for w, digest in theirs.items() if digest != ours)
    if other:
        raise InputError([Problem(
            f"Dask scheduler {scheduler or 'started by this build'}",
            f"{len(other)} of {len(theirs)} workers run another version of the analysis "
            "package than this build", column="worker", value=", ".join(other),
            allowed="workers that run this same package (its code, templates and question "
            "bank): install it from this checkout in their environment")])


def run_dask(client: Client, tasks: Iterable[Task], jobs: int, engine: str = "warm",
             shared: Bundle | None = None) -> Iterator[Result]:
    """Each notebook a Dask task; the executed notebook comes back to the client.

    ``shared`` (the input files) is scattered to every worker once. At most
    :data:`IN_FLIGHT` tasks per worker thread are submitted at a time, the next as each
    result comes back, so neither the client nor the scheduler holds more than a window of
    tasks and results (every task of 201 areas submitted at once held 1.1 GiB in the client
    and 1.2 GiB in the scheduler).
    """
    from dask.distributed import as_completed as dask_completed

    [common] = client.scatter([shared if shared is not None else Bundle.of({})],
                              broadcast=True)
    del shared  # the workers hold it now
    pending = iter(tasks)

    def submit(t: Task) -> Any:
        return client.submit(_run_remote, t, engine, common,
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


def shared_bundle(out: OutputTree, data: Path) -> Bundle:
    """The files the notebooks read: the data other than case files, and every table
    (each area's, the cross-area and group tables) with the areas' views of them."""
    files = {f"data/{p.relative_to(data).as_posix()}": p for p in sorted(data.rglob("*"))
             if p.is_file() and "cases" not in p.relative_to(data).parts}
    for p in sorted([*out.root.glob("**/tables/*.parquet"),
                     *paths.area_views(out.root).glob("*.json")]):
        files[f"output/{p.relative_to(out.root).as_posix()}"] = p
    return Bundle.of(files)


class _Staged:
    """A score job's Dask future; its staged tables written to the build's staging folder
    when its outcome is taken."""

    def __init__(self, future: Any, staging: Path) -> None:
        self.future, self.staging = future, staging

    def result(self) -> ScoreOutcome:
        staged: Any = self.future.result()
        outcome: ScoreOutcome = staged.unpack(self.staging)
        self.future.release()
        return outcome


class DaskExecutor:
    """Areas scored and notebooks run on Dask (a local cluster, or ``--scheduler``);
    reports are stitched here."""

    def __init__(self, options: BuildOptions) -> None:
        self.options = options
        self._client: Client | None = None
        self._cluster: LocalCluster | None = None

    def _connected(self) -> Client:
        if self._client is None:
            self._client, self._cluster = connect(self.options.jobs, self.options.scheduler)
            check_workers(self._client, self.options.scheduler)
        return self._client

    def start(self) -> None:
        """Start (or reach) the cluster: the changed areas are scored on it."""
        self._connected()

    def score(self, job: ScoreJob) -> _Staged:
        """Score an area on a worker, from its case file sent with the job."""
        future = self._connected().submit(score_packed, PackedScoreJob.of(job),
                                          key=f"iaow-score-{job.area.id}-{uuid.uuid4().hex}",
                                          pure=False)  # problems name this build's files
        return _Staged(future, Path(job.staging))

    def warm(self) -> None:
        """Nothing to warm up: a worker's kernel starts with its first notebook."""

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> Future[Any] | None:
        """None: other jobs read the build's folders, so the build runs them itself."""
        return None

    def run(self, tasks: Iterable[Task]) -> Iterator[Result]:
        """Every task, planned in full first (the inputs sent are every table), then run."""
        tasks = list(tasks)
        if not tasks:
            return iter(())
        out, data = OutputTree(self.options.output.resolve()), self.options.data.resolve()
        return run_dask(self._connected(), tasks, self.options.jobs, self.options.engine,
                        shared=shared_bundle(out, data))

    def close(self) -> None:
        """Close the client, and the cluster if it was started here."""
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None
