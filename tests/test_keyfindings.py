"""The key strengths / areas-for-improvement rule, measured against the published report.

The published Durham Tees Valley report lists 22 items (12 strengths, 10 areas for
improvement); ``data/published/durham-tees-valley.key-findings.yaml`` maps each to the questions
that measure it. Recall: items the rule finds; precision: listed questions that belong to an
item the report lists (same outcome and kind). Figures are in the README.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from analysis.method.bank import load_bank
from analysis.method.keyfindings import IMPROVE_UPPER, MAX_LISTED, STRENGTH_LOWER, key_findings
from analysis.method.scoring import question_scores
from analysis.method.validation import load_cases
from analysis.report.format import interval

DATA = Path(__file__).resolve().parent.parent / "data"
AREA = "durham-tees-valley"
ITEMS: list[dict[str, Any]] = yaml.safe_load(
    (DATA / "published" / f"{AREA}.key-findings.yaml").read_text(encoding="utf-8"))["items"]
MIN_N = 10


@pytest.fixture(scope="module")
def scores() -> pd.DataFrame:
    bank = load_bank()
    cases = load_cases([DATA / "cases" / f"{AREA}.csv"], bank).frame
    return question_scores(cases, bank, AREA)


def agreement(scores: pd.DataFrame) -> tuple[int, int, int]:
    """(items found, questions listed, listed questions the report also lists)."""
    found = listed = agree = 0
    for outcome in range(1, 6):
        kf = key_findings(scores, outcome, MIN_N)
        for kind, frame in (("strength", kf.strengths), ("improvement", kf.improvements)):
            got = set(frame["question"])
            items = [i for i in ITEMS if i["outcome"] == outcome and i["kind"] == kind]
            union = {q for i in items for q in i["questions"]}
            found += sum(bool(set(i["questions"]) & got) for i in items)
            listed += len(got)
            agree += len(got & union)
    return found, listed, agree


def test_mapping_names_real_questions() -> None:
    bank = load_bank()
    assert len(ITEMS) == 22
    for item in ITEMS:
        assert set(item["questions"]) <= set(bank.question_by_id), item["cite"]


def test_agreement_with_the_published_lists(scores: pd.DataFrame) -> None:
    """Recall 14/22 and precision 16/24 (README); the old rule gives 11/22 and 14/19."""
    found, listed, agree = agreement(scores)
    assert found / len(ITEMS) >= 14 / 22
    assert agree / listed >= 16 / 24
    assert listed <= len(ITEMS) + 3  # not far more than the report lists


def test_finds_the_items_the_old_rule_missed(scores: pd.DataFrame) -> None:
    assert "psr_cs_check_made" in set(key_findings(scores, 1, MIN_N).improvements["question"])
    assert "rmp_victims" in set(key_findings(scores, 5, MIN_N).improvements["question"])


def row(question: str, criterion: str, k: int, n: int, lower: float, upper: float,
        outcome: int = 1, order: int = 1) -> dict[str, Any]:
    return {"outcome": outcome, "criterion": criterion, "question": question, "label": question,
            "order": order, "n": n, "k": k, "share": k / n, "lower": lower, "upper": upper}


def test_rule_compares_the_printed_limits() -> None:
    """An interval printed as '..–75%' is listed; one printed '..–76%' is not."""
    frame = pd.DataFrame([row("a", "1.1", 10, 20, 0.30, 0.7549),
                          row("b", "1.1", 10, 20, 0.30, 0.7551, order=2),
                          row("c", "1.1", 19, 20, 0.7951, 0.99, order=3),
                          row("d", "1.1", 19, 20, 0.7949, 0.99, order=4)])
    kf = key_findings(frame, 1, MIN_N)
    assert interval(0.30, 0.7549).endswith(f"{IMPROVE_UPPER}%")
    assert list(kf.improvements["question"]) == ["a"]
    assert interval(0.7951, 0.99).startswith(f"{STRENGTH_LOWER}")
    assert list(kf.strengths["question"]) == ["c"]


def test_small_questions_and_other_outcomes_criteria_are_left_out() -> None:
    frame = pd.DataFrame([row("small", "1.1", 1, 9, 0.02, 0.4),
                          row("victims", "5.1", 2, 40, 0.01, 0.2, outcome=1)])
    kf = key_findings(frame, 1, MIN_N)
    assert kf.improvements.empty and kf.strengths.empty


def test_one_per_criterion_before_a_second() -> None:
    frame = pd.DataFrame([row("a1", "2.1", 1, 50, 0.01, 0.10, outcome=2, order=1),
                          row("a2", "2.1", 2, 50, 0.02, 0.15, outcome=2, order=2),
                          row("a3", "2.1", 3, 50, 0.03, 0.20, outcome=2, order=3),
                          row("b1", "2.2", 20, 50, 0.30, 0.50, outcome=2, order=4)])
    got = list(key_findings(frame, 2, MIN_N).improvements["question"])
    assert got == ["a1", "b1", "a2"]
    assert len(got) == MAX_LISTED


def test_priorities_weakest_first_spread_over_outcomes() -> None:
    from analysis.method.keyfindings import MAX_PER_OUTCOME, MAX_PRIORITIES, priorities

    frame = pd.DataFrame([row(f"q{o}{i}", f"{o}.1", 5, 50, 0.05 + 0.01 * i + 0.1 * o,
                              0.30 + 0.01 * i + 0.05 * o, outcome=o, order=i)
                          for o in range(1, 6) for i in range(3)])
    got = priorities(frame, [1, 2, 3, 4, 5], MIN_N)
    assert len(got) == MAX_PRIORITIES
    assert got["outcome"].value_counts().max() <= MAX_PER_OUTCOME
    assert list(got["upper"]) == sorted(got["upper"])
    assert set(got["listed"]) == {"improvement"}
    assert list(got["question"][:2]) == ["q10", "q11"]


def test_priorities_made_up_to_three_from_the_weakest_never_strengths() -> None:
    from analysis.method.keyfindings import MIN_PRIORITIES, priorities

    frame = pd.DataFrame([row("weak", "1.1", 20, 50, 0.30, 0.60),
                          row("middling", "2.1", 40, 50, 0.70, 0.90, outcome=2),
                          row("fair", "3.1", 42, 50, 0.72, 0.92, outcome=3),
                          row("good", "4.1", 44, 50, 0.75, 0.95, outcome=4),
                          row("strong", "4.1", 49, 50, 0.90, 0.99, outcome=4, order=2),
                          row("tiny", "5.1", 1, 5, 0.01, 0.50, outcome=5)])
    got = priorities(frame, [1, 2, 3, 4, 5], MIN_N)
    assert list(got["question"]) == ["weak", "middling", "fair"]
    assert len(got) == MIN_PRIORITIES
    assert list(got["listed"]) == ["improvement", "weakest", "weakest"]
