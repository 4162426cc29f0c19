"""Ctrl-C stops a build between notebooks, never inside one (an interrupt inside a kernel
client's or a Dask worker's asyncio loop printed a traceback and left kernels running); the
real builds interrupted are in test_reliability."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis.core import paths
from analysis.pipeline import execute, interrupts
from analysis.pipeline.execute import Result, Task, run_serial
from analysis.pipeline.executors.local import LocalWorkers


def _ctrl_c() -> None:
    os.kill(os.getpid(), signal.SIGINT)


@pytest.fixture(autouse=True)
def _ctrl_c_as_at_a_terminal() -> Iterator[None]:
    """Python's own Ctrl-C handler, even when the tests run as a background job (a shell
    starts those with Ctrl-C ignored)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def test_ctrl_c_is_held_until_the_block_ends_and_a_second_one_stops_at_once() -> None:
    with interrupts.held() as held:
        _ctrl_c()
        assert held == [signal.SIGINT]  # still running: the first is only noted
        with pytest.raises(KeyboardInterrupt):
            _ctrl_c()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with pytest.raises(KeyboardInterrupt):  # outside the block, Ctrl-C is Ctrl-C again
        _ctrl_c()


def test_where_ctrl_c_is_ignored_it_stays_ignored() -> None:
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with interrupts.held() as held:
            _ctrl_c()
        assert held == []
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


def test_a_serial_run_interrupted_hands_on_the_current_notebook_then_stops(
        monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[str] = []

    def run_task(task: Task, engine: str) -> Result:
        ran.append(task.notebook)
        _ctrl_c()  # as if pressed while this notebook runs
        return Result(task.folder, task.notebook, True, "{}", task.digest, 0.1, 0.1)

    monkeypatch.setattr(execute, "run_task", run_task)
    tasks = [Task("a", name, "{}", {}, name) for name in ("first", "second", "third")]
    results = run_serial(tasks)
    assert next(results).notebook == "first"  # finished, so handed on to be written
    with pytest.raises(KeyboardInterrupt):
        next(results)
    assert ran == ["first"]


def _pid(_: object) -> int:
    time.sleep(0.2)  # each worker gets some
    return os.getpid()


def _sigint_handler(_: object) -> object:
    return signal.getsignal(signal.SIGINT)


def test_processes_started_while_ignored_ignore_ctrl_c_and_this_one_is_restored() -> None:
    import subprocess
    import sys

    show = "import signal; print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN)"
    with interrupts.ignored():
        inside = subprocess.run([sys.executable, "-c", show], capture_output=True, text=True)
    after = subprocess.run([sys.executable, "-c", show], capture_output=True, text=True)
    assert (inside.stdout.strip(), after.stdout.strip()) == ("True", "False")
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.slow
def test_local_workers_leave_ctrl_c_to_the_build_process() -> None:
    """A worker ends its task on Ctrl-C; the build process decides to stop."""
    with LocalWorkers(2, engine="papermill") as workers:
        handlers = [workers.submit(_sigint_handler, None) for _ in range(4)]
        assert {f.result(timeout=120) for f in handlers} == {signal.SIG_IGN}


@pytest.mark.slow
def test_a_local_dask_cluster_leaves_ctrl_c_to_the_build_process() -> None:
    from analysis.pipeline.executors.dask import connect

    client, cluster = connect(2, None)
    try:
        handlers = client.run(_sigint_handler, None)
    finally:
        client.close()
        assert cluster is not None
        cluster.close()
    assert len(handlers) == 2 and set(handlers.values()) == {signal.SIG_IGN}


def test_sigterm_stops_as_ctrl_c_does_and_is_held_while_a_notebook_runs() -> None:
    with interrupts.terminate_as_interrupt():
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGTERM)
        with interrupts.held() as held:
            os.kill(os.getpid(), signal.SIGTERM)
            assert held == [signal.SIGINT]
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


_ORPHANS = """
import os, sys, time
from analysis.pipeline.executors.local import LocalWorkers
from tests.test_interrupts import _pid
workers = LocalWorkers(2, engine="papermill")
workers.start()
pids = {workers.submit(_pid, None).result() for _ in range(6)}
print(" ".join(map(str, pids)), flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_workers_exit_when_the_build_process_is_killed() -> None:
    """SIGKILL (or running out of memory) ends the build process with no clean-up: its
    workers see it gone and exit, instead of waiting for work for ever."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", _ORPHANS], stdout=subprocess.PIPE, text=True,
                            cwd=paths.REPO_ROOT)
    assert proc.stdout is not None
    pids = [int(p) for p in proc.stdout.readline().split()]
    assert len(pids) == 2 and all(map(_alive, pids))
    proc.kill()
    proc.wait()
    end = time.monotonic() + 20
    while any(map(_alive, pids)) and time.monotonic() < end:
        time.sleep(0.1)
    assert not any(map(_alive, pids))
