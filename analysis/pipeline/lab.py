"""JupyterLab on the notebooks, with the package's kernel: what ``make lab`` starts.

The kernel (``iaow-analysis``, see :mod:`analysis.pipeline.engine`) is installed into this
interpreter's prefix first. The bundled notebooks name it in their metadata, so JupyterLab opens
each of them with it; it is also the default kernel of new notebooks.

``analysis lab`` stays in front of JupyterLab rather than becoming it: asked to stop (SIGTERM),
it passes the request on and, should JupyterLab still be running after
:data:`STOP_GRACE_SECONDS` (a server extension waiting on the network, say), ends it. Ctrl-C
reaches JupyterLab directly from the terminal, which asks for confirmation as usual.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from types import FrameType

from ..core import paths
from .engine import KERNEL_NAME, ensure_kernelspec

STOP_GRACE_SECONDS = 10.0
"""How long JupyterLab gets to shut down cleanly once asked, before it is killed."""


class _StopRequested(Exception):
    """Raised in the main thread by the SIGTERM handler, to leave the wait for JupyterLab."""


ALLOW_ROOT = "--allow-root"


def running_as_root() -> bool:
    """Root (a container, a cloud machine), where JupyterLab refuses to start unless allowed."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def lab_command(extra: Sequence[str] = (), *, root: bool = False) -> list[str]:
    """The command line that starts JupyterLab on ``notebooks/`` with the package's kernel;
    as ``root``, with ``--allow-root`` (JupyterLab stops otherwise)."""
    allow = [ALLOW_ROOT] if root and ALLOW_ROOT not in extra else []
    return [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={paths.NOTEBOOKS}",
            f"--MappingKernelManager.default_kernel_name={KERNEL_NAME}", *allow, *extra]


def _request_stop(signum: int, frame: FrameType | None) -> None:
    raise _StopRequested


def stop_server(server: subprocess.Popen[bytes], grace: float = STOP_GRACE_SECONDS) -> int:
    """Ask the server to stop, and kill it if it has not within ``grace`` seconds: a stop
    request always ends it, and nothing is left running."""
    server.terminate()
    try:
        return server.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        server.kill()
        return server.wait()


def run_lab(extra: Sequence[str] = ()) -> int:
    """Install the kernel, start JupyterLab and wait for it; its exit code is ours."""
    ensure_kernelspec()
    root = running_as_root()
    if root:
        print(f"running as root: starting JupyterLab with {ALLOW_ROOT} (it refuses root "
              "otherwise)", file=sys.stderr)
    server = subprocess.Popen(lab_command(extra, root=root))
    previous_term = signal.signal(signal.SIGTERM, _request_stop)
    previous_int = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return server.wait()
    except _StopRequested:
        stop_server(server)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous_term)
        signal.signal(signal.SIGINT, previous_int)
        if server.poll() is None:
            stop_server(server)
