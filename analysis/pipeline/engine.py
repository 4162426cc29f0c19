"""Notebook execution: a papermill engine with warm kernels, kernels on IPC sockets.

- Kernels are started from a kernelspec written into this interpreter's prefix
  (``iaow-analysis``), so notebooks run in the interpreter the package is installed in whatever
  other kernelspecs the machine has.
- Kernels talk over IPC (Unix domain) sockets where the platform has them: no port races
  between parallel workers and no plain-text TCP on a shared machine.
- :class:`WarmEngine` keeps one kernel per worker process alive and runs successive notebooks in
  it, resetting the namespace and process state in between
  (:mod:`analysis.pipeline.isolation`): import and start-up costs are paid once per worker
  instead of once per notebook.
- A new warm kernel imports the analysis stack once and then freezes the garbage collector's
  view of those long-lived objects (:func:`gc.freeze`): ``%reset``'s full collection between
  notebooks then walks only what the last notebook made (0.19 s became 0.01 s per notebook).
- A failed kernel start is retried (the port and file races of papermill #511).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager, KernelManager
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import Engine, papermill_engines
from traitlets import default

from ..core import atomic
from ..report.registry import kernel_modules

log = logging.getLogger(__name__)

KERNEL_NAME = "iaow-analysis"
START_RETRIES = 3
USE_IPC = os.name == "posix"

_WARM: tuple[KernelManager, Any] | None = None

#: What a new warm kernel runs once: the chapters' modules (from the chapter registry), then a
#: frozen garbage collector.
WARM_UP = "".join(["import gc\n", *(f"import {m}\n" for m in kernel_modules()),
                   "gc.collect()\n", "gc.freeze()\n"])

PREAMBLE = (
    "get_ipython().run_line_magic('reset', '-f')\n"
    "import analysis.pipeline.isolation as _iaow_isolation\n"
    "_iaow_isolation.reset()\n"
    "del _iaow_isolation\n"
)


def ensure_kernelspec() -> str:
    """Install (idempotently) a kernelspec for this interpreter under ``sys.prefix``."""
    folder = Path(sys.prefix) / "share" / "jupyter" / "kernels" / KERNEL_NAME
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python (iaow-analysis)",
        "language": "python",
        "metadata": {"debugger": False},
        "env": {"PYDEVD_DISABLE_FILE_VALIDATION": "1", "MPLBACKEND": "Agg"},
    }
    text = json.dumps(spec, indent=1, sort_keys=True)
    target = folder / "kernel.json"
    if not target.exists() or target.read_text() != text:
        folder.mkdir(parents=True, exist_ok=True)
        atomic.write_text(target, text)  # builds in parallel may read it meanwhile
    return KERNEL_NAME


def _kernel_spec_manager() -> KernelSpecManager:
    return KernelSpecManager(kernel_dirs=[str(Path(sys.prefix) / "share" / "jupyter" / "kernels")])


def _ipc_path() -> str:
    """A socket path of this process's own: kernels in parallel workers never share one."""
    folder = Path(tempfile.gettempdir()) / "iaow-kernels"
    folder.mkdir(mode=0o700, exist_ok=True)
    return str(folder / f"k-{os.getpid()}-{uuid.uuid4().hex[:12]}")


class _IPCDefaults:
    """IPC sockets of their own, and kernels only from this interpreter's prefix."""

    transport: str

    @default("transport")
    def _transport_default(self) -> str:
        return "ipc" if USE_IPC else "tcp"

    @default("ip")
    def _ip_default(self) -> str:
        return _ipc_path() if self.transport == "ipc" else "127.0.0.1"

    @default("kernel_spec_manager")
    def _ksm_default(self) -> KernelSpecManager:
        return _kernel_spec_manager()

    async def _async_interrupt_kernel(self) -> None:
        """No interrupt on the way to a shutdown (jupyter_client sends one first): the kernel
        is idle once its notebook is done, and the interrupt only makes it log "KeyboardInterrupt
        caught in kernel". A kernel still busy is ended by the shutdown's terminate and kill."""
        if getattr(self, "shutting_down", False):
            return
        await super()._async_interrupt_kernel()  # type: ignore[misc]


class IPCKernelManager(_IPCDefaults, KernelManager):
    """The blocking kernel manager of the warm engine."""


class AsyncIPCKernelManager(_IPCDefaults, AsyncKernelManager):
    """The asynchronous twin, for nbclient's fresh-kernel execution."""


def _start_warm(kernel_name: str, timeout: float) -> tuple[KernelManager, Any]:
    last: Exception | None = None
    for attempt in range(START_RETRIES):
        km = IPCKernelManager(kernel_name=kernel_name)
        try:
            km.start_kernel(cwd=tempfile.gettempdir())
            kc = km.client()
            kc.start_channels()
            kc.wait_for_ready(timeout=timeout)
            kc.allow_stdin = False
            _run_quietly(kc, WARM_UP, timeout, "kernel warm-up")
            return km, kc
        except Exception as exc:  # a start race or a slow machine: retry
            last = exc
            log.warning("kernel start failed (attempt %d): %s", attempt + 1, exc)
            with contextlib.suppress(Exception):
                km.shutdown_kernel(now=True)
            time.sleep(0.5 * (attempt + 1))
    raise RuntimeError(f"could not start kernel {kernel_name!r}: {last}")


def warm_kernel(kernel_name: str = KERNEL_NAME, timeout: float = 60) -> tuple[KernelManager, Any]:
    """This process's warm kernel and its client, started on first use, restarted if dead."""
    global _WARM
    if _WARM is None or not _WARM[0].is_alive():
        shutdown_warm()
        _WARM = _start_warm(kernel_name, timeout)
        atexit.register(shutdown_warm)
    return _WARM


def shutdown_warm() -> None:
    global _WARM
    if _WARM is not None:
        km, kc = _WARM
        with contextlib.suppress(Exception):
            kc.stop_channels()
        with contextlib.suppress(Exception):
            km.shutdown_kernel(now=True)
        _WARM = None


def _run_quietly(kc: Any, code: str, timeout: float, what: str) -> None:
    """Run housekeeping code in the kernel: no output, no history, an error raised here."""
    reply = kc.execute_interactive(code, silent=True, store_history=False, timeout=timeout,
                                   output_hook=lambda msg: None)
    if reply["content"].get("status") != "ok":
        raise RuntimeError(f"{what} failed: {reply['content'].get('evalue')}")


def _isolate(kc: Any, timeout: float) -> None:
    """Reset the kernel's namespace and process state before the next notebook."""
    _run_quietly(kc, PREAMBLE, timeout, "kernel reset")


class WarmEngine(Engine):
    """Papermill engine reusing one kernel per process, isolated between notebooks."""

    @classmethod
    def execute_managed_notebook(
        cls, nb_man: Any, kernel_name: str, log_output: bool = False,
        stdout_file: Any = None, stderr_file: Any = None, start_timeout: float = 60,
        execution_timeout: float | None = None, **kwargs: Any,
    ) -> Any:
        km, kc = warm_kernel(kernel_name, start_timeout)
        _isolate(kc, start_timeout)
        kwargs.pop("input_path", None)
        kwargs.pop("timeout", None)
        kwargs.pop("startup_timeout", None)
        client = PapermillNotebookClient(
            nb_man, km=km, timeout=execution_timeout, startup_timeout=start_timeout,
            kernel_name=kernel_name, log=logging.getLogger("papermill"), log_output=log_output,
            stdout_file=stdout_file, stderr_file=stderr_file, **kwargs)
        client.kc = kc  # reuse this worker's client: setup_kernel then starts nothing
        try:
            return client.execute(cleanup_kc=False)
        finally:
            if not km.is_alive():
                shutdown_warm()


papermill_engines.register("iaow_warm", WarmEngine)
