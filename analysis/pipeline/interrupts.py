"""Ctrl-C during a build: the build process decides when to stop, and stops between notebooks.

At a terminal, Ctrl-C reaches every process of the build. An interrupt landing inside a
process's asyncio loop (a kernel client waiting for a cell, a Dask worker's event loop)
printed a traceback, "Task exception was never retrieved", and left kernels running. So the
processes that run notebooks ignore it (:func:`leave_to_parent`, :func:`ignored` for
processes spawned by a library), and a build running notebooks itself holds it until the
notebook ends (:func:`held`). Kernels are started in sessions of their own and never see it.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def held() -> Iterator[list[int]]:
    """Ctrl-C is noted, not raised, until the block ends (the caller then stops); a second
    Ctrl-C stops at once. Outside the main thread, or where Ctrl-C is ignored, nothing
    changes."""
    caught: list[int] = []
    previous = signal.getsignal(signal.SIGINT) if _main_thread() else signal.SIG_IGN
    if previous is signal.SIG_IGN:
        yield caught
        return

    def hold(signum: int, frame: FrameType | None) -> None:
        if caught:
            signal.default_int_handler(signum, frame)
        caught.append(signum)

    signal.signal(signal.SIGINT, hold)
    try:
        yield caught
    finally:
        signal.signal(signal.SIGINT, previous)


def leave_to_parent() -> None:
    """In a worker process: Ctrl-C is for the build process, which stops handing out work."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def ignored() -> Iterator[None]:
    """Processes started in the block ignore Ctrl-C (a new interpreter keeps an ignored
    SIGINT ignored), for workers started by a library without a hook of ours."""
    if not _main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
