"""Why a build runs what it runs: --dry-run lists it and writes nothing; a build ends with
what it ran and why, one line per kind of reason."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.core import paths
from analysis.pipeline.explain import RECORD, Explainer, Reason, group_lines, which
from analysis.report.registry import AGGREGATE_CHAPTERS, AREA_NOTEBOOKS

from .conftest import BUILT_AREAS, Built


def test_one_line_per_kind_naming_what_ran() -> None:
    reasons = {"a/00_summary": Reason("the all-areas tables changed", "the tables of c"),
               "b/00_summary": Reason("the all-areas tables changed", "the tables of c"),
               "aggregate/aggregate": Reason("the all-areas tables changed", "the tables of c"),
               "c/01_x": Reason("their area's tables changed", "c: its case file changed")}
    assert group_lines(reasons, "ran") == [
        "ran 3 notebooks (00_summary of 2 areas (a, b); aggregate of all areas): the all-areas "
        "tables changed (the tables of c)",
        "ran 1 notebook (01_x of c): their area's tables changed (c: its case file changed)"]
    assert group_lines({}, "ran") == []


def test_many_chapters_and_folders_are_counted() -> None:
    keys = [f"{area}/{n:02d}" for area in "pqrst" for n in range(8)]
    assert which(keys) == "8 chapters of 5 areas (p, q, r and 2 more)"
    assert which(["groups/north/aggregate"]) == "aggregate of group north"


def test_a_package_change_names_its_files(tmp_path: Path) -> None:
    from analysis.pipeline.builder import Builder
    from analysis.pipeline.options import BuildOptions

    b = Builder(BuildOptions(output=tmp_path))
    files = Explainer(b).files
    edited = dict(files, **{"analysis/method/scoring.py": "0" * 16})
    (tmp_path / RECORD).write_text(json.dumps({"package": {"digest": "old", "files": edited}}),
                                   encoding="utf-8")
    reason = Explainer(b)._package_reason("old")
    assert reason == Reason("the analysis package changed", "analysis/method/scoring.py")
    assert Explainer(b)._package_reason("older") == Reason("the analysis package changed")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "analysis", "build", *args],
                          cwd=paths.REPO_ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONHASHSEED": "0"})


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.mark.slow
def test_a_dry_run_lists_what_the_build_then_runs_and_why(two_areas: Built,
                                                          tmp_path: Path) -> None:
    out = two_areas.copy(tmp_path)
    data = tmp_path / "data"
    shutil.copytree(paths.data_dir(), data)
    commentary = data / "commentary" / f"{BUILT_AREAS[0]}.md"
    commentary.write_text(commentary.read_text(encoding="utf-8") + "\nOne more line.\n",
                          encoding="utf-8")
    args = ["--data", str(data), "--output", str(out), "--areas", *BUILT_AREAS, "--jobs", "2"]
    before = snapshot(out)
    dry = run(*args, "--dry-run")
    assert dry.returncode == 0, dry.stderr[-3000:]
    assert snapshot(out) == before, "a dry run writes nothing"
    why = (f"(6 chapters of {BUILT_AREAS[0]}): its commentary file changed "
           f"(commentary/{BUILT_AREAS[0]}.md)")
    assert f"would run 6 notebooks {why}" in dry.stdout, dry.stdout
    assert "no area's tables would be scored again" in dry.stdout
    built = run(*args, "--quiet")
    assert built.returncode == 0, built.stderr[-3000:]
    assert f"ran 6 notebooks {why}" in built.stderr and "notebooks executed: 6," in built.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {k.split("/")[0] for k in manifest["executed"]} == {BUILT_AREAS[0]}
    again = run(*args, "--dry-run")
    assert "no notebook would run" in again.stdout, again.stdout


def test_real_data_built_outside_publication_mode_is_noted(tmp_path: Path) -> None:
    from analysis.method.catalogue import Area
    from analysis.pipeline.explain import real_data_note

    areas = [Area("north", "North", "real", tmp_path), Area("south", "South", "synthetic",
                                                             tmp_path)]
    (note,) = real_data_note(areas, publish=False, out=tmp_path)
    assert note.startswith("note: 1 area holds real case data (north)") and "--publish" in note
    assert real_data_note(areas, publish=True, out=tmp_path) == []
    assert real_data_note(areas[1:], publish=False, out=tmp_path) == []


@pytest.mark.slow
def test_a_dry_run_before_any_build_checks_the_inputs_and_creates_nothing(
        tmp_path: Path) -> None:
    out = tmp_path / "outputs"
    dry = run("--output", str(out), "--areas", BUILT_AREAS[1], "--dry-run")
    assert dry.returncode == 0, dry.stderr[-3000:]
    # the area's chapters, and both documents of the aggregate and of the two groups' ones
    expected = len(AREA_NOTEBOOKS) + 3 * len(AGGREGATE_CHAPTERS)
    assert f"would run {expected} notebooks" in dry.stdout and "not run before" in dry.stdout
    assert "would score again 12 areas (braxbrook, briskwick, durham-tees-valley and 9 more): " \
        "not scored before (a new area or output folder)" in dry.stdout
    assert not out.exists()
