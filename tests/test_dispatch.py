"""Results written where they finished: a local worker writes an executed notebook's files, the
build process only records it and stamps it."""

from __future__ import annotations

from pathlib import Path

import nbformat

from analysis.pipeline.dispatch import collect, write_result
from analysis.pipeline.execute import Result, finish
from analysis.pipeline.outputs import OutputTree
from analysis.pipeline.pages import BuildResult


def _result(ok: bool = True) -> Result:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    return finish(Result("area", "01_chapter", ok, nbformat.writes(nb), "d1", 2.0, 1.5,
                         error="" if ok else "ValueError: no"))


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_result_written_in_its_worker_leaves_the_same_files(tmp_path: Path) -> None:
    here, there = OutputTree(tmp_path / "here"), OutputTree(tmp_path / "there")
    collect(_result(), here, BuildResult())
    written = write_result(_result(), there)
    assert written.written and written.notebook_json == written.figures_json == ""
    recorded = BuildResult()
    collect(written, there, recorded)
    assert _files(here.root) == _files(there.root)
    assert recorded.executed == ["area/01_chapter"]
    assert there.notebook("area", "01_chapter").recorded() == "d1"


def test_a_failed_result_written_in_its_worker_is_kept_and_recorded(tmp_path: Path) -> None:
    out = OutputTree(tmp_path)
    recorded = BuildResult()
    collect(write_result(_result(ok=False), out), out, recorded)
    assert out.failed("area", "01_chapter").exists()
    assert recorded.failed == {"area/01_chapter": "ValueError: no"}
    assert out.notebook("area", "01_chapter").recorded() is None


def test_reports_wait_for_the_last_stage_of_planned_tasks() -> None:
    """Tasks planned in stages (the groups' aggregates as soon as the groups' tables are
    made, the rest after the all-areas tables): no report is stitched before the last stage
    is planned, and then each as soon as its own notebooks are in."""
    from analysis.pipeline.dispatch import Waiting
    from analysis.pipeline.execute import Task

    stitched: list[str] = []

    class Stitcher:
        def add(self, jobs: object) -> None:
            stitched.extend(jobs)  # type: ignore[call-overload]

    def task(folder: str) -> Task:
        return Task(folder, "nb", "{}", {}, "d")

    jobs = {f: (lambda f=f: [f]) for f in ("area", "groups/g", "aggregate")}
    waiting = Waiting([task("area")], jobs, True, Stitcher())  # type: ignore[arg-type]
    waiting.done("area")
    waiting.planned([task("groups/g")], last=False)
    waiting.done("groups/g")
    assert stitched == []  # more tasks may still be planned
    waiting.planned([task("aggregate")])
    assert stitched == ["area", "groups/g"]
    waiting.done("aggregate")
    assert stitched == ["area", "groups/g", "aggregate"]
