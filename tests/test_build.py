"""End to end: real papermill runs and nbconvert exports for two bundled areas."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from analysis import paths
from analysis.pipeline import AREA_NOTEBOOKS, BuildOptions, build

pytestmark = pytest.mark.slow
AREAS = ["durham-tees-valley", "vale-of-braxness"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("build") / "outputs"
    result = build(BuildOptions(output=out, areas=AREAS, jobs=2, quiet=True))
    return out, result


def test_reports_exist_with_every_chapter(built) -> None:  # type: ignore[no-untyped-def]
    out, result = built
    assert result.exit_code == 0 and not result.failed
    for area in AREAS:
        html = (out / area / "report.html").read_text()
        for chapter in ("outcome-1", "outcome-2", "outcome-3", "outcome-4", "outcome-5",
                        "comparison", "appendix-area", "appendix-sample", "appendix-method"):
            assert f'id="{chapter}"' in html, chapter
            assert f'href="#{chapter}"' in html, f"table of contents lacks {chapter}"
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), "heading anchors must be unique"
        assert "injected-parameters" not in html and "area_id = " not in html
        assert html.count("<h1") == 1
    index = (out / "index.html").read_text()
    assert all(f'href="{a}/report.html"' in index for a in AREAS)
    assert 'href="aggregate/report.html"' in index
    assert (out / "aggregate" / "report.html").exists()


def test_numbers_shown_equal_the_scoring_tables(built) -> None:  # type: ignore[no-untyped-def]
    out, _ = built
    for area in AREAS:
        html = (out / area / "report.html").read_text()
        q = pd.read_parquet(paths.area_tables(out, area) / "question_scores.parquet")
        o = pd.read_parquet(paths.area_tables(out, area) / "outcome_scores.parquet")
        for r in o.itertuples():
            assert f'<span class="score">{100 * r.score:.0f}%</span>' in html
        for r in q[q["n"] > 0].itertuples():
            share = f"{100 * r.share:.0f}%" + (" *" if r.n < 10 else "")
            cells = f"<td class=\"num\">{r.n}</td><td class=\"num\">{r.k}</td>" \
                    f"<td class=\"num\">{share}</td>"
            assert cells in html, (area, r.question)


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


def test_rebuild_reuses_everything_and_manifest_says_so(built) -> None:  # type: ignore[no-untyped-def]
    out, _ = built
    again = build(BuildOptions(output=out, areas=AREAS, jobs=2, quiet=True))
    assert again.executed == [] and len(again.reused) == 7 * len(AREAS) + 1
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["executed"] == [] and len(manifest["reused"]) == 15
    assert all(len(v) == 64 for v in manifest["inputs"].values())


def test_failing_notebook_keeps_other_reports(built, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out, _ = built
    before = (out / AREAS[0] / "report.html").read_bytes()
    notebooks = tmp_path / "notebooks"
    shutil.copytree(paths.NOTEBOOKS, notebooks)
    nb_path = notebooks / f"{AREA_NOTEBOOKS[2]}.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        f'if area_id == "{AREAS[0]}":\n    raise RuntimeError("deliberate failure")',
        id="fail"))
    nbformat.write(nb, nb_path)
    result = build(BuildOptions(output=out, areas=AREAS, jobs=2, quiet=True,
                                notebooks=notebooks))
    assert result.exit_code == 1
    assert list(result.failed) == [f"{AREAS[0]}/{AREA_NOTEBOOKS[2]}"]
    failed = out / AREAS[0] / "failed" / f"{AREA_NOTEBOOKS[2]}.ipynb"
    assert "deliberate failure" in failed.read_text()
    assert (out / AREAS[0] / "report.html").read_bytes() == before
    other = (out / AREAS[1] / "report.html").read_text()
    assert 'id="outcome-5"' in other
