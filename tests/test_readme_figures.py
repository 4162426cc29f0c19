"""The README's figures about the bundled areas are the build's own: each quoted count, rate
and interval is read out of the README and recomputed from the tables of the session's build
(which scores every bundled area), so a changed method or data set cannot leave a stale figure
in the documentation."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.method.tables import read_table

from .conftest import Built

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def _quoted(pattern: str) -> re.Match[str]:
    """The README's sentence matching ``pattern`` (whitespace as in a wrapped paragraph)."""
    found = re.search(pattern.replace(" ", r"\s+"), README)
    assert found, f"the README no longer says {pattern!r}"
    return found


def _int(s: str) -> int:
    return int(s.replace(",", ""))


@pytest.fixture(scope="module")
def tables(two_areas: Built) -> dict[str, pd.DataFrame]:
    folder = two_areas.out / "tables"
    return {n: read_table(folder, n) for n in ("comparisons", "dispersion", "group_differences")}


def test_the_spread_between_areas_is_quoted_as_built(tables: dict[str, pd.DataFrame]) -> None:
    m = _quoted(r"\((\d+) of (\d+) questions fail Pearson's chi-square at 5%\)")
    q = tables["dispersion"][tables["dispersion"]["kind"] == "question"]
    assert (_int(m[1]), _int(m[2])) == (int(q["dispersed"].sum()), len(q))


def test_the_marked_results_are_quoted_as_built(tables: dict[str, pd.DataFrame]) -> None:
    every = tables["comparisons"][tables["comparisons"]["scope"] == "all"]
    q = every[every["kind"] == "question"]
    m = _quoted(r"(\d+) of ([\d,]+) question results lie beyond 95%")
    assert (_int(m[1]), _int(m[2])) == (int((q["beyond_95"] != "within").sum()), len(q))
    _quoted(r"no area is beyond the 99.8% limits on any question or outcome")
    assert (every["decision"] == "within").all()
    closest = _quoted(r"the closest is (\d+) standard errors from changing")
    o = every[every["kind"] == "outcome"]
    assert int(closest[1]) == round((o["margin"].abs() / o["margin_mc_se"]).min())


def test_the_example_gap_in_cases_is_quoted_as_built(tables: dict[str, pd.DataFrame]) -> None:
    m = _quoted(r"e.g. −(\d+) for Durham Tees Valley's motivational work, 95% interval −(\d+) "
                r"to −(\d+)\)")
    c = tables["comparisons"]
    row = c[(c["scope"] == "all") & (c["area_id"] == "durham-tees-valley")
            & (c["measure"] == "motivation_work")].iloc[0]
    assert [_int(m[i]) for i in (1, 2, 3)] == [round(-row["gap_cases"]),
                                              round(-row["gap_cases_lower"]),
                                              round(-row["gap_cases_upper"])]


def test_the_group_differences_are_quoted_as_built(tables: dict[str, pd.DataFrame]) -> None:
    g = tables["group_differences"]
    m = _quoted(r"(\d+) of the (\d+) question differences are clear")
    q = g[g["kind"] == "question"]
    assert (_int(m[1]), _int(m[2])) == (int(q["clear"].sum()), len(q))
    for r in g[g["kind"] == "outcome"].itertuples():
        row = _quoted(rf"\| {r.measure} [^|]+\| [^|]+\| [^|]+\| (−?[\d.]+) \((−?[\d.]+) to "
                      rf"(−?[\d.]+)\), ([\d.]+) \|")
        said = [float(x.replace("−", "-")) for x in row.groups()]
        assert said == pytest.approx([100 * r.difference, 100 * r.lower, 100 * r.upper,
                                      r.p_value], abs=0.051)


def test_the_example_gap_cell_is_quoted_as_built(tables: dict[str, pd.DataFrame]) -> None:
    m = _quoted(r'\("−(\d+) points \(−(\d+) to −(\d+)\); (\d+) fewer cases"\)')
    c = tables["comparisons"]
    row = c[(c["scope"] == "all") & (c["area_id"] == "durham-tees-valley")
            & (c["measure"] == "motivation_work")].iloc[0]
    assert [_int(m[i]) for i in (1, 2, 3, 4)] == [
        round(-100 * row["gap"]), round(-100 * row["gap_lower"]), round(-100 * row["gap_upper"]),
        round(-row["gap_cases"])]
