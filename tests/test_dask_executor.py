"""The Dask executor submits a bounded window of tasks; a worker writes the inputs once."""

from __future__ import annotations

from collections import deque
from typing import Any

import pytest

from analysis.pipeline.execute import Task
from analysis.pipeline.executors import dask as dx
from analysis.pipeline.executors.local import IN_FLIGHT


class _Future:
    def __init__(self, value: Any, client: _Client) -> None:
        self.value, self.client = value, client

    def result(self) -> Any:
        self.client.in_flight -= 1
        return self.value


class _Client:
    """Runs each submitted call at once and counts what is submitted but not yet taken."""

    def __init__(self, *args: object) -> None:
        self.in_flight = self.most = 0

    def scatter(self, data: list[Any], broadcast: bool = False) -> list[Any]:
        return data

    def scheduler_info(self) -> dict[str, Any]:
        return {"workers": {}}

    def submit(self, fn: Any, *args: Any, key: str, pure: bool) -> _Future:
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        return _Future(fn(*args), self)

    def close(self) -> None:
        pass


class _Completed:
    """As dask's ``as_completed``: futures in turn, more added while iterating."""

    def __init__(self, futures: list[_Future]) -> None:
        self.queue = deque(futures)

    def add(self, future: _Future) -> None:
        self.queue.append(future)

    def __iter__(self) -> _Completed:
        return self

    def __next__(self) -> _Future:
        if not self.queue:
            raise StopIteration
        return self.queue.popleft()


def test_tasks_are_submitted_a_window_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """However many notebooks, at most IN_FLIGHT per worker are held by the client and the
    scheduler at once (all 2,010 of 201 areas at once held over a GiB in each); every task
    still runs, once."""
    import dask.distributed

    client = _Client()
    monkeypatch.setattr(dask.distributed, "as_completed", _Completed)
    monkeypatch.setattr(dx, "_run_remote", lambda task, engine, shared: task.key)
    tasks = [Task(f"area-{i // 10}", f"nb{i % 10}", "{}", {}, str(i)) for i in range(100)]
    done = list(dx.run_dask(client, iter(tasks), jobs=2))  # type: ignore[arg-type]
    assert sorted(done) == sorted(t.key for t in tasks)
    assert client.most == IN_FLIGHT * 2


def test_a_worker_writes_a_bundle_once_and_removes_it_when_the_bundle_is_dropped(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every task of a build on one worker reads one folder of the inputs, written by the
    first (writing them for each task was most of a task's time at 200 areas); when Dask
    drops the bundle (its build is done) the folder goes too, and a new build's bundle gets
    a folder of its own."""
    import gc

    writes: list[int] = []
    write = dx.write_bundle
    monkeypatch.setattr(dx, "write_bundle",
                        lambda bundle, root: writes.append(len(bundle.names)) or write(bundle,
                                                                                       root))
    bundle = dx.Bundle.of({"data/a.txt": b"one"})
    folders = {dx.bundle_folder(bundle) for _ in range(5)}
    assert writes == [1] and len(folders) == 1
    (folder,) = folders
    assert (folder / "data" / "a.txt").read_bytes() == b"one"
    other = dx.Bundle.of({"data/a.txt": b"two"})
    assert dx.bundle_folder(other) != folder and writes == [1, 1]
    del bundle
    gc.collect()
    assert not folder.exists() and dx.bundle_folder(other).exists()
