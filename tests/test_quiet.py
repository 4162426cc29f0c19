"""Quiet by default: a build prints its own lines, not the logs of Jupyter or Dask (unless
--verbose); kernels talk over IPC, so no kernel warns of unencrypted TCP, whichever engine or
executor runs it; no Dask cluster is started when nothing needs to run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.core import paths

from .conftest import BUILT_AREAS, Built

#: What the tools print when they are not kept quiet.
NOISE = ("without encryption", "KeyboardInterrupt", "Scheduler", "Nanny", "worker",
         "distributed", "Traceback", "WARNING")
STALE = ("06_comparison", "07_appendices")


def build(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "analysis", "build", "--data",
                           str(paths.data_dir()), "--output", str(out), "--areas",
                           BUILT_AREAS[1], "--no-aggregate", "--jobs", "2", "--quiet", *extra],
                          cwd=paths.REPO_ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONHASHSEED": "0"})


def make_stale(out: Path) -> None:
    for name in STALE:
        (out / BUILT_AREAS[1] / "notebooks" / f".{name}.digest").unlink()


def own_lines(stderr: str) -> list[str]:
    """The lines a build printed beside how it read each file."""
    return [line for line in stderr.splitlines() if not line.startswith("read ")]


@pytest.mark.slow
@pytest.mark.parametrize("extra", [(), ("--engine", "papermill"), ("--executor", "dask")],
                         ids=["warm", "papermill", "dask"])
def test_a_build_prints_only_its_own_lines(two_areas: Built, tmp_path: Path,
                                           extra: tuple[str, ...]) -> None:
    out = two_areas.copy(tmp_path)
    make_stale(out)
    proc = build(out, *extra)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = own_lines(proc.stderr)
    assert f"notebooks executed: {len(STALE)}," in proc.stderr
    assert not [line for line in lines if any(n in line for n in NOISE)], lines


@pytest.mark.slow
def test_dask_logs_only_when_asked_and_no_cluster_for_nothing(two_areas: Built,
                                                              tmp_path: Path) -> None:
    out = two_areas.copy(tmp_path)
    idle = build(out, "--executor", "dask", "--verbose")  # nothing stale: no cluster to log
    assert idle.returncode == 0 and "notebooks executed: 0," in idle.stderr, idle.stderr
    assert "Scheduler" not in idle.stderr
    make_stale(out)
    busy = build(out, "--executor", "dask", "--verbose")
    assert busy.returncode == 0, busy.stderr[-3000:]
    assert "Scheduler at" in busy.stderr and "Nanny" in busy.stderr
