"""End to end, three areas: every report shows the comparisons table's decision, and a build of
some areas keeps "all areas" meaning every area of the data folder (issue #12)."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.core import paths
from analysis.method.positions import WORDS
from analysis.method.tables import read_table
from analysis.pipeline.builder import BuildOptions, build

from .conftest import SERIAL_JOBS, keep_listed, seed_tables

pytestmark = pytest.mark.slow
THREE = ["durham-tees-valley", "braxbrook", "briskwick"]
NAMES = {"durham-tees-valley": "Durham Tees Valley", "braxbrook": "Braxbrook",
         "briskwick": "Briskwick"}


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory, scored: Path) -> tuple[Path, Path]:
    """A data folder of three areas; two of them built (and the aggregate)."""
    root = tmp_path_factory.mktemp("three")
    data, out = root / "data", seed_tables(scored, root / "outputs")
    shutil.copytree(paths.data_dir(), data)
    areas = pd.read_csv(data / "areas.csv")
    areas[areas["area_id"].isin(THREE)].to_csv(data / "areas.csv", index=False)
    keep_listed(data)
    result = build(BuildOptions(data=data, output=out, areas=THREE[:2], jobs=SERIAL_JOBS,
                                quiet=True))
    assert result.exit_code == 0
    return data, out


def rows_by_column(page: str, column: str) -> dict[str, str]:
    """The first table's rows of a page: each row's heading and its text in ``column``."""
    from bs4 import BeautifulSoup

    table = BeautifulSoup(page, "html.parser").find("table")
    assert table is not None
    heads = [th.get_text(strip=True) for th in table.find("thead").find_all("th")]
    at = heads.index(column) - 1  # the row heading is a th, the rest are td
    return {tr.th.get_text(strip=True): tr.find_all("td")[at].get_text(strip=True)
            for tr in table.find("tbody").find_all("tr")}


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))).strip()


def _area_decisions(report: str) -> dict[str, str]:
    """Question label (or 'Outcome N') -> the words of its 'Compared with all areas' cell."""
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", report[report.index('id="annex-comparison"'):]):
        cells = [_text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        words = [c for c in cells if c in WORDS.values()]  # all areas first, then any groups
        if cells and words:
            found[cells[0].split(":")[0] if cells[0].startswith("Outcome") else cells[0]] = \
                words[0]
    return found


def _aggregate_lists(report: str, anchor: str) -> tuple[str, str]:
    """The 'unusually high' and 'unusually low' name lists written under the chart with this
    anchor."""
    start = report.index(f'id="{anchor}"')
    para = _text(re.search(r"<p>(Unusually high among areas: .*?)</p>", report[start:]).group(1))
    above, below = re.match(r"Unusually high among areas: (.*?)\. Unusually low[^:]*: (.*?)\.",
                            para).groups()
    return above, below


def test_all_areas_means_every_area_of_the_data_folder(three) -> None:  # type: ignore[no-untyped-def]
    _, out = three
    rows = read_table(paths.all_tables(out), "comparisons")
    assert set(rows["area_id"]) == set(THREE)  # the third area was scored, not dropped
    q = pd.concat([read_table(paths.area_tables(out, a), "question_scores") for a in THREE])
    q = q.drop_duplicates(["area_id", "question"])
    pooled = q.groupby("question")["k"].sum() / q.groupby("question")["n"].sum()
    mine = rows[rows["kind"] == "question"].drop_duplicates("measure").set_index("measure")
    assert mine["pooled"].to_dict() == pytest.approx(pooled[mine.index].to_dict())
    index = (out / "index.html").read_text()
    assert "Durham Tees Valley" in index and "Braxbrook" in index
    assert "Briskwick" not in index  # no report yet
    aggregate = (out / "aggregate" / "report.html").read_text()
    assert "Briskwick" in aggregate


def test_the_area_reports_and_the_aggregate_show_the_same_decisions(three) -> None:  # type: ignore[no-untyped-def]
    _, out = three
    rows = read_table(paths.all_tables(out), "comparisons")
    labels = read_table(paths.all_tables(out), "pooled_questions").drop_duplicates("question")
    label = dict(zip(labels["question"], labels["label"], strict=True))
    keys = set(labels.loc[labels["key"], "question"])
    aggregate = (out / "aggregate" / "report.html").read_text()
    checked = 0
    for area in THREE[:2]:
        shown = _area_decisions((out / area / "annex.html").read_text())  # its full tables
        mine = rows[(rows["area_id"] == area) & (rows["scope"] == "all")]
        for r in mine.itertuples():
            if r.kind == "outcome":
                here, anchor = shown[f"Outcome {r.measure}"], f"outcome-intervals-{r.measure}"
            elif r.measure in keys:
                here, anchor = shown[label[r.measure]], f"funnel-{r.measure}"
            else:
                continue
            above, below = _aggregate_lists(aggregate, anchor)
            there = ("above" if NAMES[area] in above.split(", ") else
                     "below" if NAMES[area] in below.split(", ") else "within")
            assert here == WORDS[r.decision] and there == r.decision, (area, r.measure)
            checked += 1
    assert checked >= 2 * (5 + 35)


def test_building_one_more_area_keeps_the_index_and_the_pooled_figures(three, tmp_path) -> None:  # type: ignore[no-untyped-def]
    data, built = three
    out = tmp_path / "outputs"
    shutil.copytree(built, out)
    before = read_table(paths.all_tables(out), "comparisons")
    result = build(BuildOptions(data=data, output=out, areas=THREE[2:], jobs=SERIAL_JOBS,
                                quiet=True, aggregate=False))
    assert result.exit_code == 0
    after = read_table(paths.all_tables(out), "comparisons")
    pd.testing.assert_frame_equal(before, after)
    index = (out / "index.html").read_text()
    assert rows_by_column(index, "Status") == {"Durham Tees Valley": "from an earlier build",
                    "Braxbrook": "from an earlier build", "Briskwick": "built"}
    assert 'href="aggregate/report.html"' in index
