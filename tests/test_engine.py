"""Execution engines: warm kernels isolate notebooks; a task runs from the files it carries."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from analysis.core import paths
from analysis.pipeline import printed
from analysis.pipeline.execute import Task, run_task
from analysis.pipeline.executors.local import run_pool
from analysis.pipeline.notebooks import normalise_notebook
from analysis.report.registry import AREA_NOTEBOOKS

from .conftest import Built

pytestmark = pytest.mark.slow
#: Durham Tees Valley: its report has every kind of chapter part (commentary, the
#: reconstruction); its eight notebooks on two warm kernels each follow others.
AREAS = ["durham-tees-valley"]


@pytest.fixture(scope="module")
def tables(scored: Path) -> Path:
    """The session's tables of every area (read only)."""
    return scored


def _tasks(out: Path) -> list[Task]:
    tasks = []
    for area in AREAS:
        for name in AREA_NOTEBOOKS:
            text = (paths.NOTEBOOKS / f"{name}.ipynb").read_text()
            params = {"area_id": area, "data_dir": str(paths.data_dir()),
                      "output_dir": str(out)}
            tasks.append(Task(area, name, text, params, f"{area}-{name}"))
    return tasks


def _outputs(text: str, kept: Path | None = None,
             figures: str | None = None) -> tuple[list[object], list[object]]:
    """A run's outputs and the numbers its exhibits printed (a notebook the build kept has
    them beside it, and a result finished in its worker in ``figures``, taken out of its
    outputs)."""
    nb = normalise_notebook(text)
    numbers = printed.take_numbers(nb)
    if kept is not None:
        assert numbers == []
        numbers = printed.read_chapter(kept)
    elif figures is not None:
        assert numbers == []
        numbers = json.loads(figures)
    assert numbers
    return [c.get("outputs") for c in nb.cells if c.cell_type == "code"], numbers


def _printed(key: str, code: str) -> list[str]:
    """What a one-cell notebook prints when run in this process's warm kernel, by word."""
    probe = nbformat.v4.new_notebook()
    probe.cells = [nbformat.v4.new_code_cell(code)]
    folder, name = key.split("/")
    out = run_task(Task(folder, name, nbformat.writes(probe), {}, key))
    return "".join(o.get("text", "") for c in nbformat.reads(out.notebook_json, 4).cells
                   for o in c.outputs).split()


def test_warm_kernel_outputs_equal_fresh_kernel_outputs(tables: Path, two_areas: Built) -> None:
    """Every bundled area notebook: same normalised outputs warm as fresh.

    Warm: as the session's build ran them, on two warm kernels, each notebook after others
    of both areas and the aggregates (so leaked state would show); fresh: a kernel per
    notebook, reading the same tables.
    """
    fresh = {r.key: r for r in run_pool(_tasks(tables), jobs=2, engine="papermill")}
    assert all(r.ok for r in fresh.values()), {k: r.error for k, r in fresh.items() if not r.ok}
    for task in _tasks(tables):
        warm = two_areas.out / task.folder / "notebooks" / f"{task.notebook}.ipynb"
        assert _outputs(warm.read_text(encoding="utf-8"), warm) == _outputs(
            fresh[task.key].notebook_json, figures=fresh[task.key].figures_json), task.key


def test_isolation_resets_state_a_notebook_leaves_behind(tables: Path) -> None:
    """A notebook that pollutes the kernel does not change the next notebook's outputs."""
    source = nbformat.read(paths.NOTEBOOKS / "01_assisting_sentencing.ipynb", as_version=4)
    params = {"area_id": AREAS[0], "data_dir": str(paths.data_dir()), "output_dir": str(tables)}
    clean = run_task(Task("a", "clean", nbformat.writes(source), params, "d"))
    polluter = nbformat.v4.new_notebook()
    polluter.cells = [nbformat.v4.new_code_cell(
        "import matplotlib, pandas as pd, numpy as np, os\n"
        "matplotlib.rcParams['font.size'] = 31\npd.set_option('display.precision', 1)\n"
        "np.random.seed(99)\nr = 'leaked'\nos.chdir('/')", metadata={"tags": ["parameters"]})]
    assert run_task(Task("a", "polluter", nbformat.writes(polluter), {}, "p")).ok
    printed = _printed("a/probe",
                       "import matplotlib, pandas as pd, numpy as np\n"
                       "print(matplotlib.rcParams['font.size'],"
                       " pd.get_option('display.precision'), np.random.randint(1000),"
                       " 'r' in globals())")
    assert printed == ["10.0", "6", "684", "False"]
    again = run_task(Task("a", "clean2", nbformat.writes(source), params, "d"))
    assert _outputs(again.notebook_json) == _outputs(clean.notebook_json)


def test_a_task_runs_from_the_files_a_dask_worker_is_sent(tables: Path, two_areas: Built,
                                                        tmp_path: Path) -> None:
    """What a Dask worker gets: the shared files (no case file), written once to a folder of
    its own; run from those alone (here, in this process's warm kernel) a notebook shows what
    the session's build showed, and no path of this machine. The build on a real
    LocalCluster is tested end to end in ``test_build``."""
    from analysis.pipeline.executors.dask import shared_bundle, write_bundle
    from analysis.pipeline.outputs import OutputTree

    tree = OutputTree(tables)
    shared = shared_bundle(tree, paths.data_dir())
    names = shared.names
    assert "data/areas.csv" in names and "output/tables/pooled_questions.parquet" in names
    assert not any(rel.startswith("data/cases") for rel in names)
    task = next(t for t in _tasks(tables) if t.notebook == "06_comparison")
    assert any(rel.startswith(f"output/{task.folder}/tables/") for rel in names)
    inputs = write_bundle(shared, tmp_path / "inputs")
    result = run_task(task, inputs=inputs)
    assert result.ok, result.error
    assert str(tables) not in result.notebook_json and str(inputs) not in result.notebook_json
    session = two_areas.out / task.folder / "notebooks" / f"{task.notebook}.ipynb"
    assert _outputs(result.notebook_json) == _outputs(session.read_text(encoding="utf-8"),
                                                       session)


def test_chapters_that_read_only_their_area_run_without_any_cross_area_table(
        tables: Path, two_areas: Built, tmp_path: Path) -> None:
    """A chapter the registry says reads only its own area's tables (its digest covers
    nothing else, and a build runs it before the cross-area tables exist) runs from the data
    and its area's tables alone, with no cross-area table, group table or view anywhere, and
    shows what the session's build showed: one that read another area's figure would fail
    here, instead of being kept stale when that figure moved."""
    from analysis.report.registry import AREA_CHAPTERS

    data = paths.data_dir()
    inputs = tmp_path / "inputs"
    for p in data.rglob("*"):
        if p.is_file() and "cases" not in p.relative_to(data).parts:
            target = inputs / "data" / p.relative_to(data)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(p, target)
    own = {c.notebook for c in AREA_CHAPTERS if c.own_tables}
    assert {"08_annex", "01_assisting_sentencing"} <= own
    for task in (t for t in _tasks(tables) if t.notebook in own):
        shutil.rmtree(inputs / "output", ignore_errors=True)
        shutil.copytree(paths.area_tables(tables, task.folder),
                        paths.area_tables(inputs / "output", task.folder))
        assert [p.name for p in (inputs / "output").iterdir()] == [task.folder]
        result = run_task(task, inputs=inputs)
        assert result.ok, (task.notebook, result.error)
        session = two_areas.out / task.folder / "notebooks" / f"{task.notebook}.ipynb"
        assert _outputs(result.notebook_json) == _outputs(
            session.read_text(encoding="utf-8"), session), task.notebook


def test_warm_kernel_starts_with_the_analysis_stack_imported_and_frozen() -> None:
    """The warm-up imports the package once and freezes it out of the collector's walks."""
    printed = _printed("a/probe-freeze",
                       "import gc, sys\n"
                       "print('analysis.chapters.outcomes' in sys.modules,"
                       " 'analysis.chapters.aggregate' in sys.modules,"
                       " gc.get_freeze_count() > 10000)")
    assert printed == ["True", "True", "True"]
