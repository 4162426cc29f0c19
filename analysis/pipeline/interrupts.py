"""Ctrl-C during a build: the build process decides when to stop, and stops between notebooks.

At a terminal, Ctrl-C reaches every process of the build. An interrupt landing inside a
process's asyncio loop (a kernel client waiting for a cell, a Dask worker's event loop)
printed a traceback, "Task exception was never retrieved", and left kernels running. So the
processes that run notebooks ignore it (:func:`leave_to_parent`, :func:`ignored` for
processes spawned by a library), and a build running notebooks itself holds it until the
notebook ends (:func:`held`). Kernels are started in sessions of their own and never see it.

``kill`` (SIGTERM, also a job scheduler's time limit) sent to the build process alone stops
it as Ctrl-C does (:func:`terminate_as_interrupt`); a worker whose build process is gone
however it ended (SIGKILL, out of memory) stops its kernel and exits
(:func:`leave_to_parent`). Before, both left the workers and their kernels running, idle,
for good.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator
from multiprocessing.connection import wait
from types import FrameType
from typing import Any


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def _handling(sig: int, handler: Any) -> Iterator[None]:
    """``handler`` for ``sig`` in the block, the previous one restored after it."""
    previous = signal.signal(sig, handler)
    try:
        yield
    finally:
        signal.signal(sig, previous)


@contextlib.contextmanager
def held() -> Iterator[list[int]]:
    """Ctrl-C is noted, not raised, until the block ends (the caller then stops); a second
    Ctrl-C stops at once. Outside the main thread, or where Ctrl-C is ignored, nothing
    changes."""
    caught: list[int] = []
    if not _main_thread() or signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        yield caught
        return

    def hold(signum: int, frame: FrameType | None) -> None:
        if caught:
            signal.default_int_handler(signum, frame)
        caught.append(signum)

    with _handling(signal.SIGINT, hold):
        yield caught


def leave_to_parent(on_exit: Callable[[], None] | None = None) -> None:
    """In a worker process: Ctrl-C is for the build process, which stops handing out work;
    when the build process is gone, ``on_exit`` runs and the worker exits (a pool's worker
    waits for work for ever otherwise: it holds its queue's other end itself)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return

    def watch(sentinel: int) -> None:
        wait([sentinel])
        try:
            if on_exit is not None:
                on_exit()
        finally:
            os._exit(1)

    threading.Thread(target=watch, args=(parent.sentinel,), daemon=True,
                     name="parent-watch").start()


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM stops a command as Ctrl-C would, through whatever handles Ctrl-C at that
    moment (held while a notebook runs here): the build closes its workers and keeps what
    it finished. Outside the main thread nothing changes."""
    if not _main_thread():
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        handler = signal.getsignal(signal.SIGINT)
        if not callable(handler):  # Ctrl-C ignored (a background job): SIGTERM still stops
            handler = signal.default_int_handler
        handler(signal.SIGINT, frame)

    with _handling(signal.SIGTERM, stop):
        yield


@contextlib.contextmanager
def ignored() -> Iterator[None]:
    """Processes started in the block ignore Ctrl-C (a new interpreter keeps an ignored
    SIGINT ignored), for workers started by a library without a hook of ours."""
    if not _main_thread():
        yield
        return
    with _handling(signal.SIGINT, signal.SIG_IGN):
        yield
