"""Links between the outputs: each report links its tables and (when printed) its PDF; the
index links every report, the aggregate, their PDFs and the tables; every link is relative
and resolves to a file of the output folder (of the release folder in a publication build)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from analysis.method.catalogue import Area
from analysis.method.disclosure import Policy
from analysis.method.groupings import Group
from analysis.method.tables import AREA_TABLES
from analysis.pipeline import stitch
from analysis.pipeline.options import BuildOptions
from analysis.pipeline.outputs import AGGREGATE, RELEASED_TABLES, OutputTree, released_table
from analysis.pipeline.pages import BuildResult, Pages, linked_areas, write_index

HREF_RE = re.compile(r'href="([^"]+)"')
AREAS = [Area("north", "North", "synthetic", Path("north.csv")),
         Area("south", "South", "synthetic", Path("south.csv"))]
GROUP = Group("block", "one", "Block one", ("north", "south"))
BANK = SimpleNamespace(outcomes=[SimpleNamespace(short=f"O{i}") for i in range(1, 6)],
                       sufficient_levels={})


def broken_links(page: Path) -> list[str]:
    """Every link of ``page`` to a file that is not relative or does not resolve (file, then
    anchor); links to web pages are not files and are left alone."""
    broken = []
    for href in HREF_RE.findall(page.read_text(encoding="utf-8")):
        path, _, anchor = href.partition("#")
        if path.startswith(("https://", "http://", "mailto:")):
            continue
        if not path:
            target = page
        elif "://" in path or path.startswith("/"):
            broken.append(f"{href}: not relative")
            continue
        else:
            target = page.parent / path
        if not target.is_file():
            broken.append(f"{href}: no such file")
        elif anchor and f'id="{anchor}"' not in target.read_text(encoding="utf-8"):
            broken.append(f"{href}: no such anchor")
    return broken


def hrefs(page: Path) -> list[str]:
    return HREF_RE.findall(page.read_text(encoding="utf-8"))


def _tables(folder: Path, names: tuple[str, ...], parquet_only: tuple[str, ...] = ()) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    scores = pd.DataFrame({"area_id": folder.parent.name, "outcome": range(1, 6),
                           "title": "An outcome", "n_questions": 3, "n_cases": 40,
                           "score": 0.7, "lower": 0.6, "upper": 0.8, "reading": "questions",
                           "lower_independent": 0.65, "upper_independent": 0.75})
    for name in names:
        scores.to_parquet(folder / f"{name}.parquet")
        if name not in parquet_only:
            (folder / f"{name}.csv").write_text("outcome\n1\n")
    (folder / ".source.digest").write_text("x")


@pytest.fixture
def tree(tmp_path: Path) -> OutputTree:
    """Two areas' tables, the cross-area and a group's tables; no report yet."""
    for area in AREAS:
        _tables(tmp_path / area.id / "tables", AREA_TABLES, ("bootstrap_counts",))
    _tables(tmp_path / "tables", ("pooled_outcomes", "comparisons"))
    _tables(tmp_path / "groups" / "one" / "tables", ("pooled_outcomes",))
    (tmp_path / "index.html").write_text("<html></html>")  # what each report links back to
    return OutputTree(tmp_path)


def _stitch(out: OutputTree, folder: str, pdf: bool = False, publish: bool = False) -> Path:
    """A report as the build stitches it, its page from :class:`Pages`."""
    pages = Pages(BuildOptions(output=out.root, pdf=pdf, publish=publish), {}, out)
    area = next((a for a in AREAS if a.id == folder), None)
    page = (pages.area_page(area, {}) if area else pages.aggregate_page(AREAS, {})
            if folder == AGGREGATE else pages.group_page(GROUP, {}, {a.id: a.label for a in AREAS}))
    target = out.report(folder).files[0]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(stitch.report_page(['<h2 id="summary">Summary</h2>'], page,
                                         page.index_href), encoding="utf-8")
    return target


def _print(report: Path, stale: bool = False) -> None:
    """A PDF beside the report, as printing leaves it (older than the report if stale)."""
    pdf = report.with_suffix(".pdf")
    pdf.write_bytes(b"%PDF-1.4\n")
    if stale:
        old = report.stat().st_mtime_ns - 10**9
        os.utime(pdf, ns=(old, old))


def test_an_area_report_links_its_tables_in_both_formats(tree: OutputTree) -> None:
    report = _stitch(tree, "north")
    links = hrefs(report)
    assert "tables/question_scores.csv" in links and "tables/question_scores.parquet" in links
    assert "tables/bootstrap_counts.parquet" in links
    assert "tables/bootstrap_counts.csv" not in links, "only files that exist are linked"
    assert 'id="downloads"' in report.read_text()
    assert broken_links(report) == []


def test_the_aggregate_and_group_reports_link_their_own_tables(tree: OutputTree) -> None:
    whole, group = _stitch(tree, AGGREGATE), _stitch(tree, "groups/one")
    assert "../tables/comparisons.csv" in hrefs(whole)
    assert "tables/pooled_outcomes.parquet" in hrefs(group)
    assert "../../index.html" in hrefs(group)
    assert broken_links(whole) == [] and broken_links(group) == []


def test_a_report_links_its_pdf_only_in_a_build_that_prints_it(tree: OutputTree) -> None:
    assert "report.pdf" not in hrefs(_stitch(tree, "north"))
    report = _stitch(tree, "north", pdf=True)
    assert "report.pdf" in hrefs(report)
    _print(report)
    assert broken_links(report) == []


def test_a_publication_report_links_only_the_tables_its_release_holds(tree: OutputTree) -> None:
    report = _stitch(tree, "north", publish=True)
    tables = [h for h in hrefs(report) if h.startswith("tables/")]
    assert tables == [f"tables/{released_table(n)}" for n in RELEASED_TABLES]
    assert "tables/bootstrap_counts.csv" not in tables
    assert "[c]" in report.read_text()
    assert not [h for h in hrefs(_stitch(tree, AGGREGATE, publish=True)) if "tables/" in h]


def _index(out: OutputTree, rebuilt: set[str], publish: bool = False) -> Path:
    write_index(out, AREAS, rebuilt, BuildResult(), [GROUP], lambda: BANK,  # type: ignore[arg-type, return-value]
                "package", True, Policy(publish, 5))
    return out.index().files[0]


def test_the_index_links_every_report_pdf_and_table_that_exists(tree: OutputTree) -> None:
    for folder in ("north", "south", AGGREGATE, "groups/one"):
        _stitch(tree, folder, pdf=folder != "south")
    for folder in ("north", AGGREGATE, "groups/one"):
        _print(tree.report(folder).files[0])
    _print(tree.report("south").files[0], stale=True)  # left by an earlier build
    index = _index(tree, {"north"})  # south was not rebuilt: still linked
    links = hrefs(index)
    for folder in ("north", "south", AGGREGATE, "groups/one"):
        assert f"{folder}/report.html" in links
    assert {"north/report.pdf", "aggregate/report.pdf", "groups/one/report.pdf"} <= set(links)
    assert "south/report.pdf" not in links, "a PDF older than its report is not linked"
    assert "north/report.html#downloads" in links and "south/report.html#downloads" in links
    assert "tables/comparisons.csv" in links and "tables/pooled_outcomes.parquet" in links
    assert broken_links(index) == []


def test_the_index_links_no_pdf_when_none_was_printed(tree: OutputTree) -> None:
    for folder in ("north", "south", AGGREGATE):
        _stitch(tree, folder)
    links = hrefs(_index(tree, {"north", "south"}))
    assert not [h for h in links if h.endswith(".pdf")]


def test_a_publication_index_links_only_what_the_release_holds(tree: OutputTree) -> None:
    from analysis.method.tables import declared, write_table

    for area in AREAS:  # what the disclosure is worked out from, as declared (no rows)
        for name in ("distributions", "question_scores", "crosstab", "factors"):
            table = declared(name)
            write_table(table.conform(pd.DataFrame(columns=list(table.columns))),
                        tree.root / area.id / "tables", name)
    for folder in ("north", "south", AGGREGATE, "groups/one"):
        _stitch(tree, folder, publish=True)
    links = hrefs(_index(tree, {"north"}, publish=True))
    assert [a.id for a in linked_areas(tree, AREAS, {"north"}, True)] == ["north"]
    assert "north/report.html" in links and "aggregate/report.html" in links
    assert "south/report.html" not in links, "not in this build, so not in the release"
    assert not [h for h in links if "groups/" in h or h.startswith("tables/")]
