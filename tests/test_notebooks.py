"""The committed notebooks: clean, parameterised with plain literals, runnable as they are."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from analysis.core import paths
from analysis.pipeline.options import BuildOptions, parameter_names
from analysis.report.registry import AGGREGATE_CHAPTERS, AREA_NOTEBOOKS

from .conftest import Built

NOTEBOOKS = sorted(paths.NOTEBOOKS.glob("*.ipynb"))
EXPLORE = "explore"  # a worked example for researchers, not part of any report
REPORT_NOTEBOOKS = [p for p in NOTEBOOKS if p.stem != EXPLORE]
AREA_DEFAULT = "durham-tees-valley"
EXPECTED = {**{name: parameter_names(aggregate=False) for name in AREA_NOTEBOOKS},
            **{c.notebook: parameter_names(aggregate=True) for c in AGGREGATE_CHAPTERS},
            EXPLORE: frozenset({"output_dir", "quality_question", "outcome_variable",
                                "outcome_level"})}


def ids(path: Path) -> str:
    return path.stem


def test_every_notebook_is_known() -> None:
    assert {p.stem for p in NOTEBOOKS} == set(EXPECTED)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_committed_without_outputs(path: Path) -> None:
    raw = json.loads(path.read_text(encoding="utf-8"))
    nbformat.validate(nbformat.reads(path.read_text(encoding="utf-8"), as_version=4))
    for cell in raw["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], (path.name, cell.get("id"))
            assert cell["execution_count"] is None, (path.name, cell.get("id"))
        assert "papermill" not in cell.get("metadata", {})
        assert "execution" not in cell.get("metadata", {})
    assert "papermill" not in raw["metadata"]


def _parameters_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_one_parameters_cell_of_plain_literals(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    cells = _parameters_cells(nb)
    assert len(cells) == 1, path.name
    assert cells[0].cell_type == "code"
    names = set()
    for stmt in ast.parse(cells[0].source).body:
        assert isinstance(stmt, ast.Assign), ast.dump(stmt)
        assert len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
        assert isinstance(stmt.value, ast.Constant), (path.name, stmt.targets[0].id)
        assert isinstance(stmt.value.value, str | bool | int | float), stmt.targets[0].id
        names.add(stmt.targets[0].id)
    assert names == EXPECTED[path.stem]


@pytest.mark.parametrize("path", REPORT_NOTEBOOKS, ids=ids)
def test_every_code_cell_hides_its_input(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            tags = set(cell.get("metadata", {}).get("tags", []))
            assert tags & {"remove-input", "remove-cell"}, (path.name, cell.get("id"))


@pytest.mark.parametrize("path", REPORT_NOTEBOOKS, ids=ids)
def test_papermill_lists_the_parameters_and_defaults(path: Path) -> None:
    params = pm.inspect_notebook(str(path))
    assert set(params) == EXPECTED[path.stem]
    defaults = {k: ast.literal_eval(v["default"]) for k, v in params.items()}
    assert defaults["data_dir"] == "" and defaults["output_dir"] == ""
    options = BuildOptions()  # the build's defaults are the notebooks' defaults
    assert defaults["policy"] == str(options.policy) == "open"
    if path.stem in AREA_NOTEBOOKS:
        assert defaults["area_id"] == AREA_DEFAULT
    else:
        assert defaults["areas"] == ""


def test_default_area_is_listed_in_the_bundled_data() -> None:
    from analysis.method.catalogue import load_areas

    areas = {a.id: a for a in load_areas(paths.data_dir())}
    assert areas[AREA_DEFAULT].label == "reconstructed"


@pytest.mark.slow
@pytest.mark.parametrize("cwd", ["repo", "notebooks"])
def test_plain_papermill_runs_with_the_defaults(cwd: str, tmp_path: Path, scored: Path) -> None:
    """The plain ``papermill`` command with the committed defaults (the area, the data
    folder), reading the tables a ``build --tables-only`` wrote."""
    from analysis.pipeline.engine import KERNEL_NAME, ensure_kernelspec

    assert ensure_kernelspec() == KERNEL_NAME
    tables = scored  # what `build --tables-only` writes (the session's: read only)
    papermill = Path(sys.executable).parent / "papermill"
    assert papermill.exists()
    out = tmp_path / "out.ipynb"
    folder = paths.REPO_ROOT if cwd == "repo" else paths.NOTEBOOKS
    source = os.path.relpath(paths.NOTEBOOKS / "07_appendices.ipynb", folder)
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    proc = subprocess.run([str(papermill), source, str(out), "-k", KERNEL_NAME,
                           "-p", "output_dir", str(tables)],
                          cwd=folder, capture_output=True, text=True, timeout=240, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    nb = nbformat.read(out, as_version=4)
    html = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells
                   if c.cell_type == "code" for o in c.outputs)
    assert not [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
                if o.get("output_type") == "error"]
    assert 'id="appendix-area"' in html and 'id="appendix-method"' in html
    assert "Durham Tees Valley" in html


def test_a_chapter_without_tables_says_how_to_make_them(tmp_path: Path) -> None:
    """Chapters never score: with no tables they stop with a message naming the build."""
    from analysis.chapters.context import AggregateContext, AreaContext, TablesMissing

    with pytest.raises(TablesMissing, match=r"python -m analysis build"):
        AreaContext.load(AREA_DEFAULT, output_dir=str(tmp_path))
    with pytest.raises(TablesMissing, match=r"cross-area tables missing"):
        AggregateContext.load(output_dir=str(tmp_path))


def test_explore_uses_the_public_api_only() -> None:
    """The worked example imports the package's public API and common libraries, nothing
    private."""
    source = paths.NOTEBOOKS / f"{EXPLORE}.ipynb"
    imports = {line.split()[1] for c in nbformat.read(source, as_version=4).cells
               if c.cell_type == "code" for line in c.source.splitlines()
               if line.startswith(("import ", "from "))}
    assert imports <= {"analysis", "numpy", "pandas", "seaborn"}, imports


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_runs_as_jupyterlab_runs_it(path: Path, two_areas: Built,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Every notebook of ``notebooks/`` with its own defaults (no parameter injected), its
    kernel started from its metadata in ``notebooks/``, as JupyterLab runs it after
    ``make report``; the build it reads is named by ``IAOW_OUTPUTS``, as a researcher with
    outputs elsewhere would name it."""
    from nbclient import NotebookClient

    from analysis.pipeline.engine import ensure_kernelspec

    ensure_kernelspec()
    monkeypatch.setenv(paths.OUTPUTS_VARIABLE, str(two_areas.out))
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(paths.NOTEBOOKS)}}
                   ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert [o for o in outputs if o.get("output_type") in ("display_data", "execute_result")]
    if path.stem == EXPLORE:  # every area of the build: the scatter plot and the test
        assert any("image/png" in o.get("data", {}) for o in outputs), "the scatter is drawn"
        assert "spearman_rho" in outputs[-1]["data"]["text/plain"]
        assert re.search(r"^areas +12\b", outputs[-1]["data"]["text/plain"], re.M)


def test_load_tables_reads_the_default_outputs_whatever_the_current_folder(
        scored: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty folder is the default outputs folder, not the current one; with none built,
    the message names the default folder and the command that builds it."""
    from analysis.method.tables import load_tables

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(paths.OUTPUTS_VARIABLE, str(scored))
    assert "durham-tees-valley" in set(load_tables("")["question_scores"]["area_id"])
    monkeypatch.delenv(paths.OUTPUTS_VARIABLE)
    assert paths.output_dir("") == paths.REPO_ROOT / "outputs"
    monkeypatch.setattr(paths, "REPO_ROOT", tmp_path)  # a fresh clone, before make report
    with pytest.raises(FileNotFoundError, match=r"no area's tables found: run `make report`"):
        load_tables("")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match=r"--output " + str(empty)):
        load_tables(empty)
