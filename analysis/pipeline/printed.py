"""What each report printed: its numbers with their lineage, read from the executed notebooks.

Every exhibit a notebook displays carries, beside its HTML, the numbers it printed as records
of the report model (:data:`analysis.report.exhibit.NUMBERS_MIME`: text as shown, kind,
rounding, whether the policy showed it, and the cells it is computed from). When an executed
notebook comes back, those records are taken out of it (the notebook keeps what a reader sees)
and kept beside it (``notebooks/.<name>.figures.json``); stitching writes the report's
``figures.json`` from its chapters' records, in report order. It is a working file, never
released: a release is audited from it, and tests check that a report shows exactly these
numbers. A hidden number is recorded without its value.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core import atomic
from ..report.model import NUMBERS_MIME, numbers_text

if TYPE_CHECKING:
    import nbformat

FIGURES = "figures.json"


def take_numbers(nb: nbformat.NotebookNode) -> list[dict[str, Any]]:
    """Every exhibit's printed numbers, in order, removed from the notebook's outputs."""
    return [json.loads(t) for t in take_number_texts(nb)]


def take_number_texts(nb: nbformat.NotebookNode) -> list[str]:
    """Every exhibit's printed numbers as JSON text, in order, removed from the notebook's
    outputs, never parsed (a notebook run by an older version holds the records themselves:
    they are written as the text a current one holds)."""
    texts: list[str] = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if NUMBERS_MIME in data:
                value = data.pop(NUMBERS_MIME)
                texts.append(value if isinstance(value, str) else numbers_text(dict(value)))
                out.get("metadata", {}).pop(NUMBERS_MIME, None)
    return texts


def chapter_text(texts: Sequence[str]) -> str:
    """A chapter's records file from its exhibits' JSON texts: what ``json.dumps`` of the
    parsed records gives, made without parsing them."""
    return "[" + ", ".join(texts) + "]"


def chapter_file(notebook: Path) -> Path:
    """Where one executed notebook's records are kept."""
    return notebook.with_name(f".{notebook.stem}.figures.json")


def write_chapter(notebook: Path, exhibits: list[dict[str, Any]] | str) -> None:
    """One chapter's records (or their JSON text, as :func:`~.execute.finish` made it)."""
    text = exhibits if isinstance(exhibits, str) else json.dumps(exhibits, ensure_ascii=False)
    atomic.write_text(chapter_file(notebook), text)


def read_chapter(notebook: Path) -> list[dict[str, Any]]:
    """One chapter's records ([] for a notebook executed outside the build)."""
    path = chapter_file(notebook)
    if not path.exists():
        return []
    records: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return records


def figures_path(document: Path) -> Path:
    """Where a document's numbers are kept: ``figures.json`` beside the report,
    ``<name>.figures.json`` beside another document of the folder (``annex.figures.json``),
    so that no document's records overwrite another's."""
    name = FIGURES if document.name == "report.html" else f"{document.stem}.{FIGURES}"
    return document.with_name(name)


def write_report(report: Path, notebooks: Sequence[Path]) -> Path:
    """A document's ``figures.json``: each chapter (its notebook's name) with its exhibits.

    Written without indentation: Python's json indents without its C encoder, and an
    annex's hundreds of thousands of values took a third of the time to stitch a report.
    Each chapter's file is copied in as it is (it is the JSON of its records, as
    :func:`write_chapter` wrote it), streamed, never parsed: the same bytes as dumping the
    parsed records, without holding them (the aggregate of 201 areas printed 14 MiB of
    records: 105 MiB to stitch its figures parsed, nothing now)."""
    target = figures_path(report)
    with atomic.atomic_path(target) as tmp, open(tmp, "wb") as handle:
        handle.write(b'{"chapters": [')
        for i, nb in enumerate(notebooks):
            name = json.dumps(nb.stem, ensure_ascii=False)
            handle.write(f'{", " if i else ""}{{"chapter": {name}, "exhibits": '.encode())
            path = chapter_file(nb)
            if path.exists():
                with open(path, "rb") as records:
                    shutil.copyfileobj(records, handle)
            else:
                handle.write(b"[]")
            handle.write(b"}")
        handle.write(b"]}\n")
    return target
