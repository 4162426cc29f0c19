"""The Dask executor submits a bounded window of tasks, each with its area's files."""

from __future__ import annotations

from collections import deque
from pathlib import Path
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

    def submit(self, fn: Any, payload: Any, common: Any, key: str, pure: bool) -> _Future:
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        return _Future(fn(payload, common), self)

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

    clients: list[_Client] = []

    def client(*args: object) -> _Client:
        clients.append(_Client())
        return clients[-1]

    monkeypatch.setattr(dask.distributed, "Client", client)
    monkeypatch.setattr(dask.distributed, "LocalCluster", lambda **kw: None)
    monkeypatch.setattr(dask.distributed, "as_completed", _Completed)
    monkeypatch.setattr(dx, "_run_remote", lambda payload, shared: payload[0].key)
    tasks = [Task(f"area-{i // 10}", f"nb{i % 10}", "{}", {}, str(i)) for i in range(100)]
    done = list(dx.run_dask(iter(tasks), jobs=2, scheduler="tcp://nowhere:1"))
    assert sorted(done) == sorted(t.key for t in tasks)
    assert clients[0].most == IN_FLIGHT * 2


def test_consecutive_tasks_of_an_area_share_one_bundle_read_when_reached(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    reads: list[str] = []
    monkeypatch.setattr(dx, "task_bundle",
                        lambda out, t: reads.append(t.folder) or {"folder": t.folder})
    tasks = [Task(folder, "nb", "{}", {}, folder) for folder in ("a", "a", "b", "b", "b")]
    made = dx._with_files(dx.OutputTree(tmp_path), tasks)
    first = next(made)
    assert reads == ["a"] and first.files == {"folder": "a"}
    rest = list(made)
    assert reads == ["a", "b"] and rest[0].files is first.files
    assert rest[1].files is rest[2].files is rest[3].files
