"""``make lab``: JupyterLab on notebooks/ opens the bundled notebooks with the package's kernel."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import nbformat
import pytest

from analysis.core import paths
from analysis.pipeline.engine import KERNEL_NAME
from analysis.pipeline.lab import (
    STOP_GRACE_SECONDS,
    lab_command,
    running_as_root,
    stop_server,
)

NOTEBOOKS = sorted(paths.NOTEBOOKS.glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_name_the_package_kernel(path: Any) -> None:
    """JupyterLab (and papermill without -k) start the kernel a notebook names."""
    spec = nbformat.read(path, as_version=4).metadata["kernelspec"]
    assert spec["name"] == KERNEL_NAME and spec["language"] == "python"


def test_makefile_lab_runs_the_lab_command() -> None:
    makefile = (paths.REPO_ROOT / "Makefile").read_text()
    assert "\nlab:" in makefile and "-m analysis lab" in makefile


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, token: str) -> Any:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


@pytest.mark.slow
def test_lab_serves_the_notebooks_with_the_package_kernel_by_default(tmp_path: Any) -> None:
    port, token = _free_port(), "iaow-test"
    extra = ["--no-browser", f"--ServerApp.port={port}", f"--IdentityProvider.token={token}",
             "--ServerApp.port_retries=0"]
    log = tmp_path / "lab.log"  # as root (a container), `lab` itself adds --allow-root
    with log.open("wb") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "analysis", "lab", *extra],
                                stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                specs = _get(f"{base}/kernelspecs", token)
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(1)
        assert specs["default"] == KERNEL_NAME and KERNEL_NAME in specs["kernelspecs"]
        listed = {c["name"] for c in _get(f"{base}/contents", token)["content"]}
        assert {p.name for p in NOTEBOOKS} <= listed
        if running_as_root():
            assert "running as root: starting JupyterLab with --allow-root" in log.read_text()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=STOP_GRACE_SECONDS + 30)
        except subprocess.TimeoutExpired:
            proc.kill()
            pytest.fail(f"`analysis lab` did not stop when asked:\n{log.read_text()[-3000:]}")
    left = subprocess.run(["pgrep", "-f", f"ServerApp.port={port}"], capture_output=True,
                          text=True).stdout.split()
    assert not left, "stopping `analysis lab` stops JupyterLab"


def test_lab_command_roots_jupyterlab_in_the_notebooks_folder() -> None:
    cmd = lab_command(["--no-browser"])
    assert cmd[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={paths.NOTEBOOKS}" in cmd
    assert f"--MappingKernelManager.default_kernel_name={KERNEL_NAME}" in cmd
    assert cmd[-1] == "--no-browser"
    assert "--allow-root" not in cmd


def test_as_root_jupyterlab_is_allowed_to_run_once() -> None:
    assert lab_command(["--no-browser"], root=True).count("--allow-root") == 1
    assert lab_command(["--allow-root"], root=True).count("--allow-root") == 1


def test_root_is_detected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert running_as_root()
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert not running_as_root()


def test_the_kernel_command_registers_the_kernel_jupyter_finds() -> None:
    """``python -m analysis kernel``, for a Jupyter started by hand (conda users)."""
    proc = subprocess.run([sys.executable, "-m", "analysis", "kernel"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    from jupyter_client.kernelspec import KernelSpecManager

    folder = KernelSpecManager().find_kernel_specs()[KERNEL_NAME]
    assert folder in proc.stdout and sys.executable in proc.stdout
    spec = json.loads((Path(folder) / "kernel.json").read_text(encoding="utf-8"))
    assert spec["argv"][0] == sys.executable


POSIX_ONLY = pytest.mark.skipif(os.name != "posix", reason="exit codes of signals are POSIX's")


@POSIX_ONLY
def test_a_server_that_ignores_the_stop_request_is_killed_after_the_grace() -> None:
    """What ``analysis lab`` does with a JupyterLab that hangs on shutdown."""
    stubborn = subprocess.Popen(
        [sys.executable, "-c", "import signal, sys, time; "
         "signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); "
         "time.sleep(120)"], stdout=subprocess.PIPE)
    assert stubborn.stdout is not None and stubborn.stdout.readline() == b"ready\n"
    started = time.monotonic()
    assert stop_server(stubborn, grace=0.5) == -9
    assert time.monotonic() - started < 30


@POSIX_ONLY
def test_a_server_that_stops_when_asked_is_not_killed() -> None:
    polite = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    assert stop_server(polite, grace=30) == -15
