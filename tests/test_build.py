"""End to end: real papermill runs and nbconvert exports for two bundled areas."""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from analysis.core import paths
from analysis.core.errors import InputError
from analysis.pipeline.builder import BuildOptions, build
from analysis.report.registry import AGGREGATE_CHAPTERS, AREA_CHAPTERS, AREA_NOTEBOOKS

from .conftest import BUILT_AREAS, SERIAL_JOBS, Built, seed_tables

pytestmark = pytest.mark.slow
COMMENTARY_NOTEBOOKS = tuple(c.notebook for c in AREA_CHAPTERS if c.commentary)
AREAS = ["durham-tees-valley", "vale-of-braxness"]  # both in the protecting children block
GROUPS = ["groups/violent-offending", "groups/protecting-children"]
#: The notebooks of the aggregate and of each group's aggregate (a report and its annex each).
AGGREGATES = len(AGGREGATE_CHAPTERS) * (1 + len(GROUPS))


@pytest.fixture(scope="module")
def built(two_areas: Built) -> tuple[Path, dict[str, object]]:
    """The session's build of the two areas (read only: tests that build again copy it)."""
    assert two_areas.out.parent.name.startswith("two-areas") and BUILT_AREAS == AREAS
    return two_areas.out, two_areas.manifest


def test_reports_exist_with_every_chapter(built) -> None:  # type: ignore[no-untyped-def]
    out, manifest = built
    assert manifest["failed"] == {} and len(manifest["executed"]) == (
        len(AREA_NOTEBOOKS) * len(AREAS) + AGGREGATES)
    for area in AREAS:
        html = (out / area / "report.html").read_text()
        for chapter in ("summary", "outcome-1", "outcome-2", "outcome-3", "outcome-4",
                        "outcome-5", "comparison", "appendix-area",
                        "appendix-method", "glossary"):
            assert f'id="{chapter}"' in html, chapter
            assert f'href="#{chapter}"' in html, f"table of contents lacks {chapter}"
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), "heading anchors must be unique"
        assert "injected-parameters" not in html and "area_id = " not in html
        assert html.count("<h1") == 1
        assert html.index('id="summary"') < html.index('id="outcome-1"'), "summary first"
        assert not re.search(r"seed (report|footnote)|footnote", html, re.I), "internal ref"
        assert re.search(r"In \d+ of the \d+ cases", html), "findings as sentences"
    dtv = (out / AREAS[0] / "report.html").read_text()
    for anchor in ("foreword", "recommendations", "outcome-4-commentary"):
        assert f'id="{anchor}"' in dtv, anchor
    assert 'id="foreword"' not in (out / AREAS[1] / "report.html").read_text()
    assert 'id="glossary"' in (out / "aggregate" / "report.html").read_text()
    index = (out / "index.html").read_text()
    assert all(f'href="{a}/report.html"' in index for a in AREAS)
    assert 'href="aggregate/report.html"' in index


def test_each_report_has_its_technical_annex_linked_both_ways(built) -> None:  # type: ignore[no-untyped-def]
    """Analysts' material is a document of its own beside each report: the report and its
    annex link each other, the index links every annex, and what moved to the annex (the
    reconstruction, the method's detail, every question's table) is no longer in the report."""
    out, manifest = built
    for folder in [*AREAS, "aggregate", *GROUPS]:
        report = (out / folder / "report.html").read_text()
        annex = (out / folder / "annex.html").read_text()
        assert 'href="annex.html"' in report and 'href="report.html"' in annex, folder
        assert f"{folder}/annex.html" in manifest["outputs"], folder
        assert 'id="annex"' in annex and 'id="annex"' not in report, folder
    index = (out / "index.html").read_text()
    assert all(f'href="{f}/annex.html"' in index for f in [*AREAS, "aggregate", *GROUPS])
    dtv, annex = ((out / AREAS[0] / f"{d}.html").read_text() for d in ("report", "annex"))
    for moved in ("appendix-reconstruction", "annex-method", "annex-questions",
                  "annex-further", "appendix-sample", "annex-comparison"):
        assert f'id="{moved}"' in annex and f'id="{moved}"' not in dtv, moved
    assert "Wilson interval" in annex and "criterion score" in annex
    assert 'id="appendix-reconstruction"' not in (out / AREAS[1] / "annex.html").read_text()
    aggregate = (out / "aggregate" / "annex.html").read_text()
    assert 'id="methods"' in aggregate and 'id="pooled-questions"' in aggregate
    assert (out / "aggregate" / "report.html").exists()
    for folder in GROUPS:  # every group's aggregate, whichever areas were rebuilt
        assert f'href="{folder}/report.html"' in index
        html = (out / folder / "report.html").read_text()
        assert 'href="../../index.html"' in html and 'id="funnels"' in html
    whole = (out / "aggregate" / "report.html").read_text()
    assert 'id="groups"' in whole and "Violent offending block" in whole


def test_every_link_of_the_index_and_the_reports_resolves(built) -> None:  # type: ignore[no-untyped-def]
    from tests.test_pages import broken_links

    out, _ = built
    pages = [out / "index.html", *(out / f / "report.html" for f in [*AREAS, "aggregate", *GROUPS])]
    assert {p: broken_links(p) for p in pages} == {p: [] for p in pages}
    report = (out / AREAS[0] / "report.html").read_text()
    assert 'href="tables/question_scores.csv"' in report
    assert 'href="tables/question_scores.parquet"' in report
    assert 'href="report.pdf"' not in report, "no PDF was printed"
    assert 'href="tables/pooled_outcomes.csv"' in (out / "index.html").read_text()


def test_numbers_shown_equal_the_scoring_tables(built) -> None:  # type: ignore[no-untyped-def]
    """The report prints each outcome score; its annex every question's n, k and share."""
    out, _ = built
    for area in AREAS:
        html = (out / area / "report.html").read_text()
        annex = (out / area / "annex.html").read_text()
        q = pd.read_parquet(paths.area_tables(out, area) / "question_scores.parquet")
        o = pd.read_parquet(paths.area_tables(out, area) / "outcome_scores.parquet")
        for r in o.itertuples():  # whole percents, a half rounded up
            assert f'<span class="score">{math.floor(100 * r.score + 0.5)}%</span>' in html
        for r in q[q["n"] > 0].itertuples():
            share = f"{(200 * r.k + r.n) // (2 * r.n)}%" + (" *" if r.n < 10 else "")
            cell = '<td class="num"[^>]*>{}</td>'
            cells = cell.format(r.n) + cell.format(r.k) + cell.format(re.escape(share))
            assert re.search(cells, annex), (area, r.question)


def test_label_and_no_case_ids(built) -> None:  # type: ignore[no-untyped-def]
    out, _ = built
    dtv = (out / "durham-tees-valley" / "report.html").read_text()
    assert "Reconstructed from the published report" in dtv
    syn = (out / "vale-of-braxness" / "report.html").read_text()
    assert "Synthetic data" in syn
    ids = set()
    for area in AREAS:
        ids |= set(pd.read_csv(paths.data_dir() / "cases" / f"{area}.csv")["case_id"])
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".ipynb", ".csv", ".json"):
            text = path.read_text(errors="ignore")
            assert not any(i in text for i in ids), path


def test_rebuild_reuses_everything_and_manifest_says_so(built, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, out = _copy(built, tmp_path)
    again = build(BuildOptions(output=out, areas=AREAS, jobs=2, quiet=True))
    assert again.executed == [] and len(again.reused) == (len(AREA_NOTEBOOKS) * len(AREAS)
                                                          + AGGREGATES)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["executed"] == [] and len(manifest["reused"]) == len(again.reused)
    assert manifest["groups"]["protecting-children"]["areas"][4] == "durham-tees-valley"
    assert all(len(v) == 64 for v in manifest["inputs"].values())


def _copy(built, tmp_path: Path) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    """A copy of the bundled data and of the built outputs, to change without side effects."""
    data, out = tmp_path / "data", tmp_path / "outputs"
    shutil.copytree(paths.data_dir(), data)
    shutil.copytree(built[0], out)
    return data, out


def _edit_cases(data: Path, area: str, column: str, every: bool) -> None:
    """Flip the answer of ``column`` in the area's first case, or set it to "no" in every
    case (a valid edit either way)."""
    cases = data / "cases" / f"{area}.csv"
    frame = pd.read_csv(cases, dtype=str, keep_default_na=False)
    if every:
        frame[column] = "no"
    else:
        frame.loc[0, column] = "no" if frame.loc[0, column] == "yes" else "yes"
    frame.to_csv(cases, index=False, lineterminator="\n")


VIEW_CHAPTERS = [c.notebook for c in AREA_CHAPTERS if c.view]


def test_a_change_below_what_another_area_shows_reruns_only_that_area_and_aggregates(  # type: ignore[no-untyped-def]
        built, tmp_path) -> None:
    """One answer of one case (a question that is not key) moves the pooled figures by less
    than the other area's report shows them: its summary and comparison chapters are kept,
    and a build from scratch gives the same bytes (``verify``)."""
    from analysis.pipeline.verify import verify

    data, out = _copy(built, tmp_path)
    moved = build(BuildOptions(data=data, output=out, areas=AREAS, jobs=SERIAL_JOBS,
                               quiet=True))
    assert moved.executed == [], "moving the data folder alone must change nothing"
    view = paths.area_view(out, AREAS[0])
    before = view.read_bytes()
    _edit_cases(data, AREAS[1], "case_recording", every=False)
    reports = {a: (out / a / "report.html").stat().st_mtime_ns
               for a in [*AREAS, "aggregate", *GROUPS]}
    result = build(BuildOptions(data=data, output=out, areas=AREAS, jobs=SERIAL_JOBS,
                                quiet=True))
    assert view.read_bytes() == before, "the pooled figures moved by less than they show"
    expected = [f"{AREAS[1]}/{n}" for n in AREA_NOTEBOOKS]
    expected += [f"{AREAS[0]}/08_annex"]  # its annex prints the cross-area tables in full
    expected += [f"{folder}/{c.notebook}" for folder in ("aggregate", "groups/protecting-children")
                 for c in AGGREGATE_CHAPTERS]  # not the other block's
    assert sorted(result.executed) == sorted(expected)
    for folder, mtime in reports.items():  # only the reports whose page changed are new
        changed = (out / folder / "report.html").stat().st_mtime_ns > mtime
        assert changed == (folder not in ("groups/violent-offending", AREAS[0])), folder
    verdict = verify(out, data, jobs=2, say=lambda line: None)
    assert verdict.exit_code == 0, verdict.render()


def test_a_change_another_area_shows_reruns_its_summary_and_comparison(  # type: ignore[no-untyped-def]
        built, tmp_path) -> None:
    """Every case of one area judged not sufficient on a key question moves the all-areas
    share the other area's comparison prints: its summary and comparison run again."""
    data, out = _copy(built, tmp_path)
    view = paths.area_view(out, AREAS[0])
    before = view.read_bytes()
    _edit_cases(data, AREAS[1], "reporting_instructions", every=True)
    result = build(BuildOptions(data=data, output=out, areas=AREAS, jobs=SERIAL_JOBS,
                                quiet=True))
    assert view.read_bytes() != before
    assert {f"{AREAS[0]}/{n}" for n in VIEW_CHAPTERS} <= set(result.executed)
    assert not any(k.startswith(f"{AREAS[0]}/") and k.split("/")[1] not in VIEW_CHAPTERS
                   for k in result.executed)


def test_a_commentary_edit_reruns_only_its_chapters(built, tmp_path) -> None:  # type: ignore[no-untyped-def]
    data, out = _copy(built, tmp_path)
    (data / "commentary" / f"{AREAS[1]}.md").write_text(
        "## Outcome 2\nA note from the inspectors.\n", encoding="utf-8")
    result = build(BuildOptions(data=data, output=out, areas=AREAS, jobs=SERIAL_JOBS,
                                quiet=True))
    assert sorted(result.executed) == sorted(f"{AREAS[1]}/{n}" for n in COMMENTARY_NOTEBOOKS)
    assert "A note from the inspectors." in (out / AREAS[1] / "report.html").read_text()
    again = build(BuildOptions(data=data, output=out, areas=AREAS, jobs=2, quiet=True))
    assert again.executed == [], "the commentary survives a rebuild"


def test_a_misplaced_commentary_section_stops_the_build(built, tmp_path) -> None:  # type: ignore[no-untyped-def]
    data, out = _copy(built, tmp_path)
    (data / "commentary" / f"{AREAS[1]}.md").write_text("## Summary\nx\n", encoding="utf-8")
    before = (out / AREAS[1] / "report.html").read_bytes()
    with pytest.raises(InputError, match="line 1: unknown section"):
        build(BuildOptions(data=data, output=out, areas=AREAS, jobs=2, quiet=True))
    assert (out / AREAS[1] / "report.html").read_bytes() == before


def test_a_lost_digest_stamp_reruns_only_that_notebook(built, tmp_path) -> None:  # type: ignore[no-untyped-def]
    data, out = _copy(built, tmp_path)
    key = f"{AREAS[0]}/{AREA_NOTEBOOKS[3]}"
    (out / AREAS[0] / "notebooks" / f".{AREA_NOTEBOOKS[3]}.digest").unlink()
    result = build(BuildOptions(data=data, output=out, areas=AREAS, jobs=2, quiet=True))
    assert result.executed == [key] and len(result.reused) == (len(AREA_NOTEBOOKS) * len(AREAS)
                                                               + AGGREGATES - 1)


def test_no_op_build_reads_stamps_only(built, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Nothing to do: no notebook parsed, no table read, pandas and nbformat never imported."""
    import subprocess
    import sys

    data, out = _copy(built, tmp_path)
    build(BuildOptions(data=data, output=out, areas=AREAS, jobs=2, quiet=True))
    index = (out / "index.html").stat().st_mtime_ns
    code = ("import sys\nfrom pathlib import Path\n"
            "from analysis.pipeline.builder import BuildOptions, build\n"
            f"r = build(BuildOptions(data=Path({str(data)!r}), output=Path({str(out)!r}), "
            f"areas={AREAS!r}, jobs=2, quiet=True))\n"
            "print(len(r.executed), 'pandas' in sys.modules, 'nbformat' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=paths.REPO_ROOT)
    assert proc.stdout.split()[-3:] == ["0", "False", "False"], proc.stderr
    assert (out / "index.html").stat().st_mtime_ns == index


def test_a_build_on_a_dask_cluster_equals_the_local_build(built, tmp_path, scored) -> None:  # type: ignore[no-untyped-def]
    """--executor dask: a real LocalCluster, shared inputs scattered once, same reports (one
    area's notebooks, the aggregate and the group aggregates)."""
    out = seed_tables(scored, tmp_path / "outputs")
    # the other area's report as the local build left it: the aggregates link the same reports
    shutil.copy(built[0] / AREAS[0] / "report.html", paths.area_report(out, AREAS[0]))
    result = build(BuildOptions(output=out, areas=AREAS[1:], jobs=2, quiet=True,
                                executor="dask"))
    assert result.exit_code == 0 and len(result.executed) == len(AREA_NOTEBOOKS) + AGGREGATES
    for folder in [AREAS[1], "aggregate", *GROUPS]:
        ours = (out / folder / "report.html").read_bytes()
        assert ours == (built[0] / folder / "report.html").read_bytes(), folder


#: Where the deliberate failures go: right after the cell that loads the tables (a notebook
#: stops at its first error, so a failure anywhere is the same to the build).
FAIL_AT = 3


def test_failing_notebook_keeps_other_reports(built, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, out = _copy(built, tmp_path)
    before = (out / AREAS[0] / "report.html").read_bytes()
    notebooks = tmp_path / "notebooks"
    shutil.copytree(paths.NOTEBOOKS, notebooks)
    nb_path = notebooks / f"{AREA_NOTEBOOKS[2]}.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    assert "ctx = " in nb.cells[FAIL_AT - 1].source
    nb.cells.insert(FAIL_AT, nbformat.v4.new_code_cell(
        f'if area_id == "{AREAS[0]}":\n    raise RuntimeError("deliberate failure")',
        id="fail"))
    nbformat.write(nb, nb_path)
    group_before = (out / GROUPS[0] / "report.html").read_bytes()
    agg_path = notebooks / "aggregate.ipynb"
    agg = nbformat.read(agg_path, as_version=4)
    assert "ctx = " in agg.cells[FAIL_AT - 1].source
    agg.cells.insert(FAIL_AT, nbformat.v4.new_code_cell(
        'if group == "violent-offending":\n    raise RuntimeError("deliberate failure")',
        id="fail"))
    nbformat.write(agg, agg_path)
    result = build(BuildOptions(output=out, areas=AREAS, jobs=SERIAL_JOBS, quiet=True,
                                notebooks=notebooks))
    assert result.exit_code == 1
    assert sorted(result.failed) == sorted([f"{AREAS[0]}/{AREA_NOTEBOOKS[2]}",
                                            f"{GROUPS[0]}/aggregate"])
    assert (out / GROUPS[0] / "report.html").read_bytes() == group_before
    assert "deliberate failure" in (out / GROUPS[0] / "failed" / "aggregate.ipynb").read_text()
    assert 'id="funnels"' in (out / GROUPS[1] / "report.html").read_text()
    failed = out / AREAS[0] / "failed" / f"{AREA_NOTEBOOKS[2]}.ipynb"
    assert "deliberate failure" in failed.read_text()
    assert (out / AREAS[0] / "report.html").read_bytes() == before
    other = (out / AREAS[1] / "report.html").read_text()
    assert 'id="outcome-5"' in other


@pytest.mark.parametrize(("edit", "name"), [("drop", "policy"), ("add", "extra")])
def test_a_parameters_cell_that_differs_from_the_declared_parameters_is_refused(  # type: ignore[no-untyped-def]
        tmp_path, scored, edit: str, name: str) -> None:
    """A parameter the notebook does not declare (papermill only warns) or one the build does
    not pass: the build refuses before any notebook runs."""
    from analysis.core.errors import InputError

    notebooks = tmp_path / "notebooks"
    shutil.copytree(paths.NOTEBOOKS, notebooks)
    target = notebooks / "05_victims.ipynb"
    nb = nbformat.read(target, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    if edit == "drop":
        cell.source = "\n".join(line for line in cell.source.splitlines()
                                if not line.startswith(name))
    else:
        cell.source += f"\n{name} = 1"
    nbformat.write(nb, target)
    out = seed_tables(scored, tmp_path / "outputs")
    with pytest.raises(InputError) as info:
        build(BuildOptions(output=out, areas=AREAS[:1], jobs=2, quiet=True,
                           notebooks=notebooks))
    (problem,) = info.value.problems
    assert problem.file == str(target) and problem.value == name
    assert not list(out.rglob("*.ipynb"))
