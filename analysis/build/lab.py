"""JupyterLab on the notebooks, with the package's kernel: what ``make lab`` starts.

The kernel (``iaow-analysis``, see :mod:`analysis.build.engine`) is installed into this
interpreter's prefix first. The bundled notebooks name it in their metadata, so JupyterLab opens
each of them with it; it is also the default kernel of new notebooks.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence

from ..core import paths
from .engine import KERNEL_NAME, ensure_kernelspec


def lab_command(extra: Sequence[str] = ()) -> list[str]:
    """The command line that starts JupyterLab on ``notebooks/`` with the package's kernel."""
    return [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={paths.NOTEBOOKS}",
            f"--MappingKernelManager.default_kernel_name={KERNEL_NAME}", *extra]


def run_lab(extra: Sequence[str] = ()) -> int:
    """Install the kernel, then become JupyterLab (exec, where the platform has it): stopping
    this process stops the server, no orphan is left behind."""
    ensure_kernelspec()
    command = lab_command(extra)
    if os.name == "posix":
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(command[0], command)
    try:
        return subprocess.call(command)
    except KeyboardInterrupt:
        return 0
