"""Stitch an area's executed notebooks into one self-contained, accessible HTML report.

nbconvert has no merge (nbconvert #253): cells are concatenated here with deterministic ids,
injected-parameters cells dropped and one notebook-level metadata. nbconvert's ``basic``
template renders the cells (code hidden by the MyST-style ``remove-input`` tags); the page around
them is this package's own template, which loads nothing from the network (the ``lab`` template
fetches require.js and MathJax from a CDN).
"""

from __future__ import annotations

import copy
import hashlib
import logging
import re
from collections.abc import Sequence
from functools import cache
from html import escape, unescape
from pathlib import Path
from typing import Any

import nbformat
from jinja2 import Environment, FileSystemLoader, select_autoescape
from nbformat import NotebookNode

from . import printed
from .jobs import Page, StitchJob

TEMPLATES = Path(__file__).resolve().parent / "templates"
HEADING_RE = re.compile(r'<h([23]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
ID_RE = re.compile(r'\sid="([^"]+)"')
TABLE_RE = re.compile(r'<table class="data(?: [^"]*)?"[^>]*>.*?</table>', re.S)
SORTABLE = re.compile(r'<table class="data(?: [^"]*)?" data-sortable')
CAPTION_RE = re.compile(r"<caption>(.*?)</caption>", re.S)
DROP_TAGS = {"injected-parameters", "parameters", "remove-cell"}
BARE_IMG = re.compile(r"<img\b(?![^>]*\salt=)")
NO_ALT = "No description has been provided for this image"

log = logging.getLogger(__name__)


def merge(notebooks: Sequence[NotebookNode], title: str, first: int = 0) -> NotebookNode:
    """One notebook from several: deterministic cell ids, no parameter cells, one title.

    ``first`` is the position of the first notebook in the report (cell ids carry it).
    """
    merged = nbformat.v4.new_notebook()
    merged.metadata = {"title": title, "kernelspec": {"name": "python3",
                                                      "display_name": "Python 3",
                                                      "language": "python"}}
    for i, nb in enumerate(notebooks, start=first):
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


def _exporter_class() -> type:
    """nbconvert's HTML exporter without its last step, a BeautifulSoup round trip of the
    page that gives images with no alt text a stock one and JupyterLab's cell classes tab
    stops. Every image here has its own alt text (tested) and the ``basic`` template prints
    no JupyterLab notebook, so that step changed only the markup's spelling, at three
    quarters of the time to convert a chapter."""
    from nbconvert import HTMLExporter  # slow import, needed only when a report is stitched
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ChapterExporter(HTMLExporter):
        def from_notebook_node(  # type: ignore[override]
                self, nb: NotebookNode, resources: dict[str, Any] | None = None,
                **kw: Any) -> tuple[str, dict[str, Any]]:
            language = nb.metadata.get("language_info", {})
            lexer = language.get("pygments_lexer", language.get("name"))
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            html, out = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return str(html), out

    return ChapterExporter


@cache
def _exporter() -> Any:
    exporter = _exporter_class()(template_name="basic")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.anchor_link_text = ""
    exporter.optimistic_validation = True  # validate once, not after each preprocessor
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


def chapter_html(nb: NotebookNode, position: int, title: str) -> str:
    """One notebook's cells as nbconvert renders them at ``position`` in the report.

    Converting the notebooks one by one and joining the results gives the same bytes as
    converting their merge, but for the blank lines the template ends on (tested), so a
    report can reuse the chapters that did not change.
    """
    body, _ = _exporter().from_notebook_node(merge([nb], title, first=position))
    return described_images(str(body).rstrip("\n") + "\n")  # the template's last lines


def described_images(body: str) -> str:
    """Every image with alternative text: an image a notebook drew without any (a
    researcher's own chapter's ``plt.show()``) is said to have none, as nbconvert says it,
    with a warning; the package's own charts carry their own (tested)."""
    bare = len(BARE_IMG.findall(body))
    if not bare:
        return body
    log.warning("%d image(s) without alternative text in a chapter", bare)
    return BARE_IMG.sub(f'<img alt="{NO_ALT}"', body)


def scrolling_tables(body: str) -> str:
    """Each data table in a box of its own that scrolls sideways when the table is wider than
    the screen, so that a phone scrolls the table, never the page. The box is named after the
    table's caption and can take the keyboard's focus, so it can be scrolled without a mouse."""
    def wrap(match: re.Match[str]) -> str:
        caption = CAPTION_RE.search(match.group(0))
        name = re.sub(r"<[^>]+>", "", caption.group(1)).strip() if caption else ""
        label = escape(unescape(name) or "Table", quote=True)
        return (f'<div class="table-wrap" role="region" aria-label="{label}" tabindex="0">'
                f"{match.group(0)}</div>")

    return TABLE_RE.sub(wrap, body)


def body_html(chapters: Sequence[str]) -> str:
    """The chapters one after another, each in a ``chapter`` block: print starts every chapter
    but the first on a new page (report.css), and nothing else."""
    joined = "".join(f'<div class="chapter">{c}</div>' for c in chapters if c.strip())
    body = re.sub(r"<a class=\"anchor-link\"[^>]*>.*?</a>", "", joined)
    return scrolling_tables(unique_ids(body))


def report_page(chapters: Sequence[str], page: Page, index_href: str) -> str:
    """The full report page: title, data banner, table of contents, its data and downloads,
    chapters, provenance."""
    body = body_html(chapters)
    return render_page("report.html.j2", title=page.title, subtitle=page.subtitle,
                       label=page.label, toc=toc(body), body=body,
                       provenance=page.provenance, index_href=index_href,
                       tables=page.tables, pdf=page.pdf, publish=page.publish,
                       document=page.document, companion=page.companion,
                       script=sortable_script() if SORTABLE.search(body) else "")


def sortable_script() -> str:
    """The page's one inline script, when it has a sortable table (report model's
    ``Table.sortable``): it sorts and filters rows; without it the table is complete."""
    return (TEMPLATES / "sortable.js").read_text(encoding="utf-8")


def _cached_chapter(path: Path, digest: str | None, position: int, title: str) -> str:
    """A chapter's HTML, reused from ``.<name>.chapter.html`` beside the executed notebook
    when that notebook, its position and the title are unchanged (the notebook's digest covers
    the package and nbconvert versions). Notebooks executed outside the build (digest
    "external") are always converted afresh."""
    from ..core.atomic import write_text

    if digest in (None, "external", "failed"):
        return chapter_html(nbformat.read(path, as_version=4), position, title)
    key = hashlib.sha256(f"{digest}|{position}|{title}".encode()).hexdigest()
    head = f"<!-- chapter {key} -->\n"
    cache = path.with_name(f".{path.stem}.chapter.html")
    if cache.exists():
        text = cache.read_text(encoding="utf-8")
        if text.startswith(head):
            return text[len(head):]
    html = chapter_html(nbformat.read(path, as_version=4), position, title)
    write_text(cache, head + html)
    return html


def write_report(job: StitchJob) -> str:
    """Stitch one report from its executed notebooks and write it (and its stamp) atomically.

    A top-level function of picklable data, so that reports can be stitched in worker
    processes. Chapters whose notebook did not change are reused (after one area's data
    changed, the other areas' reports differ only in their comparison chapter).
    """
    from ..core.atomic import write_text

    chapters = [_cached_chapter(p, d, i, job.page.title)
                for i, (p, d) in enumerate(zip(job.notebooks, job.digests, strict=True))]
    html = report_page(chapters, job.page, index_href=job.page.index_href)
    write_text(job.target.files[0], html)
    printed.write_report(job.target.files[0], job.notebooks)
    job.target.mark(job.digest)
    return str(job.target.files[0])
