"""The chapter registry is the one list of chapters: notebooks, plan and kernels follow it."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from analysis.core import paths
from analysis.report import registry
from analysis.report.registry import (
    AGGREGATE_CHAPTERS,
    ANNEX,
    AREA_CHAPTERS,
    AREA_NOTEBOOKS,
    DOCUMENTS,
    REPORT,
    area_chapters,
    chapter,
    in_document,
    kernel_modules,
)


def test_every_report_notebook_is_a_registered_chapter() -> None:
    report = {p.stem for p in paths.NOTEBOOKS.glob("*.ipynb")} - {"explore"}
    assert report == {*AREA_NOTEBOOKS, *(c.notebook for c in AGGREGATE_CHAPTERS)}
    assert len(set(AREA_NOTEBOOKS)) == len(AREA_NOTEBOOKS)
    for c in (*AREA_CHAPTERS, *AGGREGATE_CHAPTERS):
        assert c.source(paths.NOTEBOOKS).is_file()
        assert chapter(c.notebook) is c


def test_kernel_modules_are_the_chapters_imports_and_exist() -> None:
    modules = kernel_modules()
    assert len(set(modules)) == len(modules)
    for c in (*AREA_CHAPTERS, *AGGREGATE_CHAPTERS):
        text = c.source(paths.NOTEBOOKS).read_text(encoding="utf-8")
        imported = {m for m in modules if f"from {m} import" in text
                    or f"from {m.rpartition('.')[0]} import {m.rpartition('.')[2]}" in text}
        assert imported <= set(c.modules), c.notebook
        assert imported, c.notebook
    for m in modules:
        importlib.import_module(m)


def test_every_report_has_a_public_document_and_an_annex() -> None:
    """Each chapter names its document: an area's and the aggregate's chapters split into the
    public report (first, holding every chapter but the annex's) and the technical annex;
    the reconstruction's readings and every question's table are the annex's only."""
    assert DOCUMENTS == (REPORT, ANNEX)
    for chapters in (AREA_CHAPTERS, AGGREGATE_CHAPTERS):
        assert {c.document for c in chapters} == set(DOCUMENTS)
        assert chapters[0].document == REPORT
        assert in_document(chapters, REPORT) + in_document(chapters, ANNEX) == chapters
    annex = {m for c in in_document(AREA_CHAPTERS, ANNEX) for m in c.modules}
    report = {m for c in in_document(AREA_CHAPTERS, REPORT) for m in c.modules}
    assert "analysis.chapters.reconstruction" in annex - report
    assert "analysis.chapters.annex" in annex - report


def test_researchers_chapters_follow_the_built_in_ones(tmp_path: Path) -> None:
    (tmp_path / registry.EXTRA_FOLDER).mkdir()
    for stem in ("b_second", "a_first"):
        (tmp_path / registry.EXTRA_FOLDER / f"{stem}.ipynb").write_text("{}", encoding="utf-8")
    chapters = area_chapters(tmp_path)
    assert chapters[:len(AREA_CHAPTERS)] == AREA_CHAPTERS
    extra = chapters[len(AREA_CHAPTERS):]
    assert [c.notebook for c in extra] == ["extra-a_first", "extra-b_second"]
    assert all(c.extra and c.cross_area and c.document == REPORT for c in extra)
    assert extra[0].source(tmp_path) == tmp_path / "extra" / "a_first.ipynb"
    assert chapter("extra-a_first") == extra[0]
    with pytest.raises(KeyError):
        chapter("no_such_chapter")


def test_the_plan_reads_what_the_registry_says(two_areas) -> None:  # type: ignore[no-untyped-def]
    """A chapter's task depends on the commentary file and the cross-area tables exactly when
    its registry entry says so: a changed commentary re-runs those chapters only."""
    from analysis.pipeline.builder import Builder
    from analysis.pipeline.inputs import Inputs, select_areas
    from analysis.pipeline.options import BuildOptions

    options = BuildOptions(data=two_areas.data, output=two_areas.out)
    b = Builder(options)
    every = select_areas(b.data, None)
    b.inputs = Inputs.record(b.data, every)
    area = next(a for a in every if a.id == "durham-tees-valley")
    before = {t.notebook: t.digest for t in b.planner().tasks([area], every)
              if t.folder == area.id}
    b.inputs.checksums[str(b.data / "commentary" / f"{area.id}.md")] = "changed"
    after = {t.notebook: t.digest for t in b.planner().tasks([area], every)
             if t.folder == area.id}
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {c.notebook for c in AREA_CHAPTERS if c.commentary}


def test_an_areas_annex_runs_first_and_its_report_prints_in_registry_order(
        two_areas) -> None:  # type: ignore[no-untyped-def]
    """Workers take an area's annex (its longest notebook) before its other chapters, so a
    build ends on short notebooks; the plan holds every chapter once and the report's order
    stays the registry's."""
    from analysis.pipeline.builder import Builder
    from analysis.pipeline.inputs import Inputs, select_areas
    from analysis.pipeline.options import BuildOptions
    from analysis.pipeline.plan import area_notebooks

    b = Builder(BuildOptions(data=two_areas.data, output=two_areas.out))
    every = select_areas(b.data, None)
    b.inputs = Inputs.record(b.data, every)
    for own in (True, False, None):
        tasks = [t for t in b.planner().tasks(every[:1], every, own_tables=own)
                 if t.folder == every[0].id]
        documents = [chapter(t.notebook).document for t in tasks]
        assert documents == sorted(documents, key=lambda d: d != ANNEX), own
    everything = [t.notebook for t in b.planner().tasks(every[:1], every)
                  if t.folder == every[0].id]
    assert sorted(everything) == sorted(area_notebooks(b.o.notebooks))
    assert area_notebooks(b.o.notebooks)[:len(AREA_CHAPTERS)] == tuple(
        c.notebook for c in AREA_CHAPTERS)
