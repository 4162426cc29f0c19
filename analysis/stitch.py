"""Stitch an area's executed notebooks into one self-contained, accessible HTML report.

nbconvert has no merge (nbconvert #253): cells are concatenated here with deterministic ids,
injected-parameters cells dropped and one notebook-level metadata. nbconvert's ``basic``
template renders the cells (code hidden by the MyST-style ``remove-input`` tags); the page around
them is this package's own template, which loads nothing from the network (the ``lab`` template
fetches require.js and MathJax from a CDN).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import nbformat
from jinja2 import Environment, FileSystemLoader, select_autoescape
from nbformat import NotebookNode

TEMPLATES = Path(__file__).resolve().parent / "templates"
HEADING_RE = re.compile(r'<h([23]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
ID_RE = re.compile(r'\sid="([^"]+)"')
DROP_TAGS = {"injected-parameters", "parameters", "remove-cell"}


def merge(notebooks: Sequence[NotebookNode], title: str) -> NotebookNode:
    """One notebook from several: deterministic cell ids, no parameter cells, one title."""
    merged = nbformat.v4.new_notebook()
    merged.metadata = {"title": title, "kernelspec": {"name": "python3",
                                                      "display_name": "Python 3",
                                                      "language": "python"}}
    for i, nb in enumerate(notebooks):
        for j, cell in enumerate(nb.cells):
            tags = set(cell.get("metadata", {}).get("tags", []))
            if tags & DROP_TAGS:
                continue
            if cell.cell_type == "markdown" and cell.source.lstrip().startswith("<!--"):
                continue
            new = copy.deepcopy(cell)
            new["id"] = f"c{i:02d}-{j:03d}"
            new["metadata"] = {"tags": sorted(tags)}
            merged.cells.append(new)
    return merged


def warm_up() -> None:
    """Import nbconvert and load its templates now (a worker does this while it waits)."""
    _exporter()


@cache
def _exporter() -> Any:
    from nbconvert import HTMLExporter  # slow import, needed only when a report is stitched

    exporter = HTMLExporter(template_name="basic")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.anchor_link_text = ""
    exporter.register_preprocessor(
        "nbconvert.preprocessors.TagRemovePreprocessor", enabled=True)
    exporter.config.TagRemovePreprocessor.remove_input_tags = {"remove-input", "hide-input"}
    exporter.config.TagRemovePreprocessor.remove_cell_tags = {"remove-cell"}
    exporter.config.TagRemovePreprocessor.enabled = True
    return exporter


def unique_ids(body: str) -> str:
    """Make every id unique across chapters (nbconvert #1682): later repeats get a suffix."""
    seen: dict[str, int] = {}

    def fix(match: re.Match[str]) -> str:
        ident = match.group(1)
        count = seen.get(ident, 0)
        seen[ident] = count + 1
        return match.group(0) if count == 0 else f' id="{ident}-{count + 1}"'

    return ID_RE.sub(fix, body)


def toc(body: str) -> list[dict[str, Any]]:
    """Table of contents entries from the chapter (h2) and section (h3) headings."""
    entries = []
    for level, ident, text in HEADING_RE.findall(body):
        plain = re.sub(r"<[^>]+>", "", text).strip()
        entries.append({"level": int(level), "id": ident, "text": plain})
    return entries


@cache
def _env() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)),
                       autoescape=select_autoescape(["html", "j2"]), keep_trailing_newline=True)


def css() -> str:
    return (TEMPLATES / "report.css").read_text(encoding="utf-8")


def render_page(template: str, **context: Any) -> str:
    return _env().get_template(template).render(css=css(), **context)


def body_html(nb: NotebookNode) -> str:
    body, _ = _exporter().from_notebook_node(nb)
    body = re.sub(r"<a class=\"anchor-link\"[^>]*>.*?</a>", "", body)
    return unique_ids(body)


def export_report(notebooks: Sequence[NotebookNode], *, title: str, subtitle: str,
                  label: str, provenance: dict[str, Any], index_href: str) -> str:
    """The full report page: title, data banner, table of contents, chapters, provenance."""
    nb = merge(notebooks, title)
    body = body_html(nb)
    return render_page("report.html.j2", title=title, subtitle=subtitle, label=label,
                       toc=toc(body), body=body, provenance=provenance,
                       index_href=index_href)


def write_report(job: dict[str, Any]) -> str:
    """Stitch one report from its executed notebooks and write it (and its stamp) atomically.

    A top-level function of plain data, so that reports can be stitched in worker processes.
    """
    from .atomic import write_text

    notebooks = [nbformat.read(p, as_version=4) for p in job["notebooks"]]
    page = job["page"]
    html = export_report(notebooks, title=page["title"], subtitle=page["subtitle"],
                         label=page["label"], provenance=page["provenance"],
                         index_href="../index.html")
    write_text(job["target"], html)
    write_text(job["stamp"], job["digest"])
    return str(job["target"])
