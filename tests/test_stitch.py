"""Stitching: chapters converted one by one equal the merged conversion; unchanged chapters
are reused from their cache, changed ones converted again."""

from __future__ import annotations

from pathlib import Path

import nbformat

from analysis.pipeline import stitch
from analysis.pipeline.digests import Target
from analysis.pipeline.jobs import Page, Provenance, StitchJob


def _chapter(n: int) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("r.show(x)", metadata={"tags": ["remove-input"]})
    code.outputs = [nbformat.v4.new_output(
        "display_data", data={"text/html": f'<h2 id="chapter-{n}">Chapter {n}</h2>'
                                           f'<p id="note">Finding {n}</p>'})]
    nb.cells = [nbformat.v4.new_code_cell("area_id = 'x'", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_markdown_cell(f"Narrative {n}"), code]
    return nb


def test_chapters_converted_one_by_one_equal_the_merged_conversion() -> None:
    notebooks = [_chapter(n) for n in range(3)]
    merged, _ = stitch._exporter().from_notebook_node(stitch.merge(notebooks, "Title"))
    joined = "".join(stitch.chapter_html(nb, i, "Title") for i, nb in enumerate(notebooks))
    assert joined == merged.rstrip("\n") + "\n"  # but the blank lines the template ends on
    body = stitch.body_html([joined])
    assert body.count('id="note"') == 1 and 'id="note-2"' in body and 'id="note-3"' in body


def _job(tmp_path: Path, digests: list[str]) -> StitchJob:
    paths = []
    for n in range(2):
        path = tmp_path / "notebooks" / f"0{n}.ipynb"
        path.parent.mkdir(exist_ok=True)
        nbformat.write(_chapter(n), path)
        paths.append(path)
    provenance = Provenance("Synthetic", "p", {}, {}, {})
    page = Page("T", "S", "Synthetic", provenance)
    target = Target.of(tmp_path / ".report.digest", tmp_path / "report.html")
    return StitchJob(tuple(paths), tuple(digests), target, "r", page)


def test_unchanged_chapters_are_reused_and_changed_ones_converted(tmp_path: Path) -> None:
    stitch.write_report(_job(tmp_path, ["a", "b"]))
    first = (tmp_path / "report.html").read_text()
    cache = tmp_path / "notebooks" / ".00.chapter.html"
    head, _, html = cache.read_text().partition("\n")
    assert "Finding 0" in html and "Finding 0" in first
    cache.write_text(head + "\n" + html.replace("Finding 0", "Reused 0"))
    stitch.write_report(_job(tmp_path, ["a", "b"]))
    assert "Reused 0" in (tmp_path / "report.html").read_text()
    stitch.write_report(_job(tmp_path, ["a2", "b"]))  # the first notebook changed
    again = (tmp_path / "report.html").read_text()
    assert "Reused 0" not in again and again == first
    head, _, html = cache.read_text().partition("\n")
    cache.write_text(head + "\n" + html.replace("Finding 0", "Reused 0"))
    stitch.write_report(_job(tmp_path, ["a2", "b"]))
    assert "Reused 0" in (tmp_path / "report.html").read_text()
    stitch.write_report(_job(tmp_path, ["external", "b"]))  # run outside the build: converted
    assert "Reused 0" not in (tmp_path / "report.html").read_text()


def test_a_chapter_converts_as_nbconvert_does_without_its_markup_round_trip() -> None:
    """The chapter exporter leaves out only nbconvert's BeautifulSoup pass: the same page
    once both are parsed (same elements, attributes and text), and an image drawn without
    alternative text still gets nbconvert's sentence saying so."""
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    nb = _chapter(1)
    png = nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo="})
    nb.cells[2].outputs.append(png)
    merged = stitch.merge([nb], "Title")
    ours = stitch.chapter_html(nb, 0, "Title")
    theirs = HTMLExporter(template_name="basic", config=stitch._exporter().config)
    for name in ("exclude_input", "exclude_input_prompt", "exclude_output_prompt",
                 "anchor_link_text"):
        setattr(theirs, name, getattr(stitch._exporter(), name))
    theirs.register_preprocessor("nbconvert.preprocessors.TagRemovePreprocessor", enabled=True)
    reference, _ = theirs.from_notebook_node(merged)

    def parsed(html: str) -> list[tuple[str, dict[str, object], str]]:
        soup = BeautifulSoup(html, "html.parser")
        return [(e.name, dict(sorted(e.attrs.items())), e.get_text(" ", strip=True))
                for e in soup.find_all(True)]

    assert parsed(ours) == parsed(reference)
    assert f'alt="{stitch.NO_ALT}"' in ours
