"""Researchers' own chapters: notebooks/extra/*.ipynb become a chapter of every area report,
rebuilt incrementally, failing alone, and unable to change what a built-in chapter shows."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from analysis.core import paths
from analysis.core.errors import InputError
from analysis.pipeline.builder import build
from analysis.pipeline.options import BuildOptions

from .conftest import seed_tables

pytestmark = pytest.mark.slow
AREAS = ["durham-tees-valley", "vale-of-braxness"]
TEMPLATE = paths.NOTEBOOKS / "templates" / "extra_chapter.ipynb"
PATCH = """
import analysis.method.disclosure, analysis.chapters.outcomes, analysis.chapters.style
analysis.method.disclosure.pct = lambda *args, **kwargs: "PATCHED"
analysis.chapters.outcomes.pct = lambda *args, **kwargs: "PATCHED"
analysis.chapters.style.SUFFICIENT = "#ff0000"
from IPython.display import HTML
display(HTML('<h2 id="extra-patch">A chapter that changes global state</h2>'))
"""


def _extra(folder: Path, name: str, code: str | None = None) -> Path:
    """An extra notebook: the template, with its last cell replaced by ``code`` if given."""
    nb = nbformat.read(TEMPLATE, as_version=4)
    if code is not None:
        nb.cells[-1].source = code
    path = folder / "extra" / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory, scored: Path) -> tuple[BuildOptions, Path]:
    root = tmp_path_factory.mktemp("extra")
    seed_tables(scored, root / "outputs")
    notebooks = root / "notebooks"
    shutil.copytree(paths.NOTEBOOKS, notebooks)
    _extra(notebooks, "a_further")
    _extra(notebooks, "b_patch", PATCH)
    # one kernel for the whole build, areas in order: were extras run in it, the patch made
    # while running the first area's extras would show in the second area's chapters
    options = BuildOptions(output=root / "outputs", areas=AREAS, jobs=1, aggregate=False,
                           quiet=True, notebooks=notebooks)
    result = build(options)
    assert result.exit_code == 0, result.failed
    return options, notebooks


def _report(options: BuildOptions, area: str) -> str:
    return (options.output / area / "report.html").read_text(encoding="utf-8")


def test_an_extra_notebook_is_a_chapter_of_every_area_report(setup) -> None:  # type: ignore[no-untyped-def]
    options, _ = setup
    for area in AREAS:
        html = _report(options, area)
        assert 'id="extra-further-offending"' in html
        assert 'href="#extra-further-offending"' in html, "listed in the table of contents"
        assert html.index('id="appendix-method"') < html.index('id="extra-further-offending"')
        assert 'id="extra-patch"' in html


def test_an_extra_chapter_cannot_change_a_built_in_chapter(setup) -> None:  # type: ignore[no-untyped-def]
    options, _ = setup
    for area in AREAS:
        html = _report(options, area)
        assert "PATCHED" not in html
        assert "#ff0000" not in html.lower()


def test_extra_chapters_rebuild_incrementally_and_fail_alone(setup) -> None:  # type: ignore[no-untyped-def]
    options, notebooks = setup
    again = build(options)
    assert again.executed == [] and again.exit_code == 0
    path = notebooks / "extra" / "a_further.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[-1].source = nb.cells[-1].source.replace("out of the cases inspected",
                                                      "out of every case inspected")
    nbformat.write(nb, path)
    changed = build(options)
    assert sorted(changed.executed) == [f"{a}/extra-a_further" for a in AREAS]
    assert all("out of every case inspected" in _report(options, a) for a in AREAS)
    before = {a: _report(options, a) for a in AREAS}
    _extra(notebooks, "c_fails", 'raise ValueError("a researcher\'s mistake")')
    failed = build(options)
    assert failed.exit_code == 1
    assert sorted(failed.failed) == [f"{a}/extra-c_fails" for a in AREAS]
    for area in AREAS:
        assert _report(options, area) == before[area], "the previous report is kept"
        assert (options.output / area / "failed" / "extra-c_fails.ipynb").exists()
    (notebooks / "extra" / "c_fails.ipynb").unlink()


def test_an_extra_notebook_must_have_the_standard_parameters_cell(setup) -> None:  # type: ignore[no-untyped-def]
    options, notebooks = setup
    path = notebooks / "extra" / "d_bad.ipynb"
    nb = nbformat.read(TEMPLATE, as_version=4)
    nb.cells[1].source = 'area_id = "durham-tees-valley"'
    nbformat.write(nb, path)
    try:
        with pytest.raises(InputError, match="parameters"):
            build(options)
    finally:
        path.unlink()
