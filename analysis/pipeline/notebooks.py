"""Executed notebooks as the build keeps them: normalised, portable, parameters checked.

Executed notebooks carry no timings and no absolute folders, so that reruns and builds into
other folders are byte-identical; a notebook's parameters cell must declare exactly the
parameters the build passes (papermill itself only warns about an unknown one).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ..core import atomic
from ..core.errors import InputError, Problem

if TYPE_CHECKING:  # nbformat is imported only when a notebook is read or written
    import nbformat

STRIP_NB_METADATA = ("papermill", "widgets")
STRIP_CELL_METADATA = ("papermill", "execution", "ExecuteTime")
# Absolute folders are parameters of a run, not of its content: executed notebooks and their
# digests carry these placeholders so that builds into different folders are byte-identical.
PATH_PLACEHOLDERS = {"data_dir": "<data_dir>", "output_dir": "<output_dir>"}


def normalise_notebook(text: str) -> nbformat.NotebookNode:
    """Drop timings and renumber execution counts so reruns are byte-identical."""
    import nbformat

    nb = nbformat.reads(text, as_version=4)
    for key in STRIP_NB_METADATA:
        nb.metadata.pop(key, None)
    count = 0
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:03d}"
        for key in STRIP_CELL_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count
            for out in cell.get("outputs", []):
                if "execution_count" in out:
                    out["execution_count"] = count
    return nb


def portable_params(params: Mapping[str, object]) -> dict[str, object]:
    """The parameters with the absolute data/output folders replaced by placeholders."""
    return {k: PATH_PLACEHOLDERS.get(k, v) for k, v in params.items()}


def portable_parameters_cell(nb: nbformat.NotebookNode) -> None:
    """Replace the absolute folders papermill injected by placeholders (in place)."""
    for cell in nb.cells:
        if "injected-parameters" not in cell.get("metadata", {}).get("tags", []):
            continue
        lines = cell.source.split("\n")
        for i, line in enumerate(lines):
            for name, placeholder in PATH_PLACEHOLDERS.items():
                if line.startswith(f"{name} = "):
                    lines[i] = f'{name} = "{placeholder}"'
        cell.source = "\n".join(lines)


def notebook_text(nb: nbformat.NotebookNode) -> str:
    """A notebook as the build writes it."""
    import nbformat

    return nbformat.writes(nb) + "\n"


def write_notebook(nb: nbformat.NotebookNode, target: Path) -> None:
    atomic.write_text(target, notebook_text(nb))


def declared_parameters(notebook: str) -> list[str]:
    """The parameters a notebook declares in its parameters cell, as papermill reads them."""
    import papermill as pm

    return sorted(pm.inspect_notebook(notebook))


def check_parameters(notebook: Path, params: Mapping[str, object],
                     declared: list[str] | None = None) -> None:
    """Refuse a notebook whose parameters cell does not declare exactly what the build passes."""
    known = set(declared_parameters(str(notebook)) if declared is None else declared)
    unknown = sorted(set(params) - known)
    if unknown:
        raise InputError([Problem(str(notebook), "parameters not declared in the notebook's "
                                  "parameters cell", value=", ".join(unknown),
                                  allowed=", ".join(sorted(known)))])
    missing = sorted(known - set(params))
    if missing:
        raise InputError([Problem(str(notebook), "the parameters cell declares parameters "
                                  "the build does not pass", value=", ".join(missing),
                                  allowed=", ".join(sorted(params)))])
