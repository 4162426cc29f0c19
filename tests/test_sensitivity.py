"""The sensitivity table, checked against scores recomputed independently with pandas."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.core import paths
from analysis.method.bank import QuestionBank, load_bank
from analysis.method.published import headline_scores
from analysis.method.scoring import score_area, sensitivity_table
from analysis.method.sensitivity import AS_CLASSIFIED, sensitivity_rows
from analysis.method.validation import load_cases

AREA = "durham-tees-valley"
DATA = paths.REPO_ROOT / "data"


@pytest.fixture(scope="module")
def bank() -> QuestionBank:
    return load_bank()


@pytest.fixture(scope="module")
def cases(bank: QuestionBank) -> pd.DataFrame:
    return load_cases([DATA / "cases" / f"{AREA}.csv"], bank).area(AREA)


@pytest.fixture(scope="module")
def table(cases: pd.DataFrame, bank: QuestionBank) -> pd.DataFrame:
    return sensitivity_table(cases, bank, AREA, headline_scores(DATA, AREA))


def by_pandas(cases: pd.DataFrame, bank: QuestionBank, reading: str) -> dict[int, float]:
    """Outcome scores from the question table, grouped with pandas (not the scoring code)."""
    q = score_area(cases, bank, AREA, resamples=20).questions
    q = q[q["n"] > 0]
    out = {}
    for outcome, sub in q.groupby("outcome"):
        if reading == "questions":
            out[int(outcome)] = sub["share"].mean()
        elif reading == "criteria":
            out[int(outcome)] = sub.groupby("criterion")["share"].mean().mean()
        else:
            out[int(outcome)] = sub["k"].sum() / sub["n"].sum()
    return out


def scores(table: pd.DataFrame, variant: str, reading: str) -> dict[int, float]:
    sub = table[(table["variant"] == variant) & (table["reading"] == reading)]
    return dict(zip(sub["outcome"], sub["score"], strict=True))


@pytest.mark.parametrize("reading", ["questions", "criteria", "pooled"])
def test_each_reading_matches_an_independent_recomputation(
        table: pd.DataFrame, cases: pd.DataFrame, bank: QuestionBank, reading: str) -> None:
    assert scores(table, AS_CLASSIFIED, reading) == pytest.approx(by_pandas(cases, bank, reading))


def test_every_contested_alternative_is_a_row(table: pd.DataFrame, cases: pd.DataFrame,
                                              bank: QuestionBank) -> None:
    alternatives = [a for q in bank.contested() for a in q.alternatives]
    assert len(table) == (1 + len(alternatives)) * 3 * 5
    rj = next(a for a in alternatives if "restorative" in a.label)
    # restorative justice scoring adds its share (0 of 3 in the report) to outcome 5's mean
    q = score_area(cases, bank, AREA, resamples=20).questions
    o5 = q[(q["outcome"] == 5) & (q["n"] > 0)]["share"]
    assert scores(table, rj.label, "questions")[5] == pytest.approx(o5.sum() / (len(o5) + 1))
    assert scores(table, rj.label, "questions")[1] == scores(table, AS_CLASSIFIED, "questions")[1]


def test_rms_gap_is_over_published_scores(table: pd.DataFrame) -> None:
    rows = sensitivity_rows(table)
    first = rows[0]
    assert (first.variant, first.reading) == (AS_CLASSIFIED, "questions")
    published = headline_scores(DATA, AREA)
    gaps = [100 * first.scores[o] - published[o] for o in published]
    assert first.rms_gap == pytest.approx(math.sqrt(np.mean(np.square(gaps))))
    assert all(0 < r.rms_gap < 20 for r in rows)


def test_no_published_report_no_rows(cases: pd.DataFrame, bank: QuestionBank) -> None:
    assert sensitivity_table(cases, bank, AREA, {}).empty
