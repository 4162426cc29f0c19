"""Execution engines: warm kernels isolate notebooks; the Dask executor runs for real."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from analysis.build.execute import Task, run_dask, run_pool, run_task
from analysis.build.notebooks import normalise_notebook
from analysis.build.pipeline import AREA_NOTEBOOKS
from analysis.core import paths

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


def _outputs(text: str) -> list[object]:
    nb = normalise_notebook(text)
    return [c.get("outputs") for c in nb.cells if c.cell_type == "code"]


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
        assert _outputs(warm.read_text(encoding="utf-8")) == _outputs(
            fresh[task.key].notebook_json), task.key


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


def test_dask_local_cluster_returns_executed_notebooks(tables: Path) -> None:
    """Each notebook a task on a real LocalCluster; inputs shipped, results come back."""
    from analysis.build.dispatch import shared_bundle, task_bundle
    from analysis.build.outputs import OutputTree

    tree = OutputTree(tables)
    tasks = _tasks(tables)[:3]
    shared = shared_bundle(tree, paths.data_dir())
    assert "data/areas.csv" in shared and "output/tables/pooled_questions.parquet" in shared
    assert not any(rel.startswith("data/cases") for rel in shared)
    for t in tasks:
        t.files = task_bundle(tree, t)
        assert t.files and all(rel.startswith(f"output/{t.folder}/tables/") for rel in t.files)
    results = list(run_dask(tasks, jobs=2, engine="warm", shared=shared))
    assert sorted(r.key for r in results) == sorted(t.key for t in tasks)
    assert all(r.ok for r in results), [r.error for r in results]
    for t in tasks:  # the same inputs, all carried by the task, run in this process
        t.files = {**shared, **t.files}
    local = {r.key: r for r in run_pool(tasks, jobs=1)}
    for r in results:
        assert str(tables) not in r.notebook_json
        assert _outputs(r.notebook_json) == _outputs(local[r.key].notebook_json)


def test_warm_kernel_starts_with_the_analysis_stack_imported_and_frozen() -> None:
    """The warm-up imports the package once and freezes it out of the collector's walks."""
    printed = _printed("a/probe-freeze",
                       "import gc, sys\n"
                       "print('analysis.chapters.outcomes' in sys.modules,"
                       " 'analysis.chapters.aggregate' in sys.modules,"
                       " gc.get_freeze_count() > 10000)")
    assert printed == ["True", "True", "True"]
