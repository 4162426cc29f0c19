"""The word scale reads back the published report's own words, and stays inside how the
reconstruction reads them. Expected words come from the report (data/published), not from
the scale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from analysis.method.words import (
    WordScaleError,
    describe,
    load_scale,
    printed_percent,
)
from analysis.report.format import pct

DATA = Path(__file__).resolve().parent.parent / "data"
PUBLISHED: dict[str, Any] = yaml.safe_load(
    (DATA / "published" / "durham-tees-valley.yaml").read_text(encoding="utf-8"))
SCALE = load_scale()

# The report's phrase -> ours, where the two say the same thing.
SAME = {"each": "all", "always": "all", "all": "all", "where used (all)": "all",
        "each appropriate case": "all", "all but one": "all but one", "all but 1": "all but one",
        "all but two": "all but two", "none": "none", "two-thirds": "two-thirds",
        "three-quarters": "three-quarters", "nearly three-quarters": "nearly three-quarters",
        "just under half": "nearly half", "nearly all": "nearly all"}
# The report's phrases the reconstruction reads as a bound (its `assumptions`): every percent
# our phrase is used for must satisfy that bound.
BOUND = {"most": ("more than half", ">", 50), "usually": ("more than half", ">", 50),
         "over 80%": ("more than four in five", ">", 80),
         "less than half": ("fewer than half", "<", 50)}


def worded_figures() -> list[dict[str, Any]]:
    return [f for f in PUBLISHED["figures"] if f.get("words") in SAME
            and f.get("k") is not None and f["op"] == "="]


@pytest.mark.parametrize("fig", worded_figures(), ids=lambda f: str(f["id"]))
def test_report_words_come_back(fig: dict[str, Any]) -> None:
    got = describe(fig["k"], fig["n"])
    want = SAME[fig["words"]]
    # "nearly all" in the report is read as the smallest count >= 95% short of all, which
    # for 24 of 25 is also "all but one": either is a faithful reverse reading.
    near_all = {"nearly all", "all but one"}
    assert got == want or (want in near_all and got in near_all)


@pytest.mark.parametrize("phrase", sorted(BOUND))
def test_bound_phrases_stay_inside_their_reading(phrase: str) -> None:
    ours, op, value = BOUND[phrase]
    band = SCALE.band(ours)
    for p in range(band.low, band.high + 1):
        assert (p > value) if op == ">" else (p < value)


def test_other_readings_lie_in_their_band() -> None:
    """Point readings from the published file's assumptions (e.g. 'nearly half' = 48%)."""
    readings = {"slightly over one-quarter": ("just over a quarter", 27),
                "nearly one-third": ("nearly a third", 32), "nearly half": ("nearly half", 48)}
    for ours, percent in readings.values():
        band = SCALE.band(ours)
        assert band.low <= percent <= band.high


def test_whole_scale_is_ordered_and_complete() -> None:
    previous = 0
    for band in SCALE.bands:
        assert band.low == previous + 1 and band.high >= band.low
        previous = band.high
    assert previous == 100


@pytest.mark.parametrize(("k", "n", "words"), [
    (0, 5, "none"), (5, 5, "all"), (86, 87, "all but one"), (72, 74, "all but two"),
    (1, 2, "half"), (1, 3, "a third"), (2, 5, "fewer than half"), (1, 20, "very few"),
])
def test_describe(k: int, n: int, words: str) -> None:
    assert describe(k, n) == words


def test_all_but_needs_a_high_share() -> None:
    assert describe(1, 3) != "all but two"
    assert describe(2, 3) == "two-thirds"


@pytest.mark.parametrize("k", range(0, 201))
def test_words_use_the_printed_percent(k: int) -> None:
    """Words and rules use the percent the report prints: 149/200 prints 74%, so it cannot be
    'three-quarters' (75%) even though 74.5 rounds half up to 75."""
    assert f"{printed_percent(k / 200)}%" == pct(k / 200)


def test_bad_scale_names_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "scale.yaml"
    raw = yaml.safe_load((DATA / "word_scale.yaml").read_text(encoding="utf-8"))
    raw["bands"] = raw["bands"][1:]
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(WordScaleError, match=r"missing \[1, 2, 3"):
        load_scale(path)
