"""Property-based tests of the scoring: invariants that hold for any set of cases.

Canonical case frames are built directly (as validated cases look: canonical levels, ``pd.NA``
for not applicable), following the ``cases()`` helper of tests/test_scoring.py.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.method.bank import QuestionBank
from analysis.method.scoring import question_scores, score_area

NA = pd.NA
ANSWERS = ["report_type", "report_quality", "rmp", "victim_safety", "victim_offer"]
QUESTION_FIGURES = ["n", "k", "share", "lower", "upper"]

# the mini bank is immutable, so sharing the function-scoped fixture across examples is safe
SETTINGS = settings(max_examples=50, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
RESAMPLES = 20


@st.composite
def case(draw: st.DrawFn) -> dict[str, Any]:
    """One valid case: answers only where the mini bank's rules say the question applies."""
    case_type = draw(st.sampled_from(["community_order", "licence"]))
    victim = draw(st.sampled_from(["yes", "no"]))
    report_type: Any = NA
    report_quality: Any = NA
    if case_type == "community_order":
        report_type = draw(st.sampled_from([NA, "oral", "short", "full", "none"]))
        if report_type is not NA and report_type in ("short", "full"):
            report_quality = draw(st.sampled_from(["yes", "no"]))
    return {
        "case_type": case_type, "statutory_victim": victim,
        "report_type": report_type, "report_quality": report_quality,
        "rmp": draw(st.sampled_from([NA, "sufficient", "insufficient", "none"])),
        "victim_safety": draw(st.sampled_from([NA, "yes", "no"])),
        "victim_offer": draw(st.sampled_from(["yes", "no"])) if victim == "yes" else NA,
    }


def frame(rows: list[dict[str, Any]], area: str = "a", start: int = 0) -> pd.DataFrame:
    out = [dict(r, area_id=area, case_id=f"{area}{start + i}") for i, r in enumerate(rows)]
    columns = ["area_id", "case_id", "case_type", "statutory_victim", *ANSWERS]
    return pd.DataFrame(out, columns=columns, dtype=object)


def not_applicable_case() -> dict[str, Any]:
    """A case where no question applies: a licence case, no statutory victim, nothing judged."""
    return {"case_type": "licence", "statutory_victim": "no", **dict.fromkeys(ANSWERS, NA)}


cases_lists = st.lists(case(), min_size=1, max_size=12)


def by_question(table: pd.DataFrame) -> pd.DataFrame:
    return table.set_index(["question", "outcome"]).sort_index()[QUESTION_FIGURES]


@SETTINGS
@given(rows=st.lists(case(), min_size=0, max_size=12))
def test_shares_are_proportions_or_nan_when_n_is_zero(mini_bank: QuestionBank,
                                                      rows: list[dict[str, Any]]) -> None:
    q = question_scores(frame(rows), mini_bank, "a")
    assert len(q) == sum(len(x.outcomes) for x in mini_bank.scoring_questions())
    for rec in q.to_dict("records"):
        assert 0 <= rec["k"] <= rec["n"] <= len(rows)
        if rec["n"] == 0:
            assert math.isnan(rec["share"])
            assert math.isnan(rec["lower"]) and math.isnan(rec["upper"])
        else:
            assert 0.0 <= rec["share"] <= 1.0
            assert rec["share"] == pytest.approx(rec["k"] / rec["n"])


@SETTINGS
@given(rows=cases_lists)
def test_wilson_interval_contains_the_share(mini_bank: QuestionBank,
                                            rows: list[dict[str, Any]]) -> None:
    q = question_scores(frame(rows), mini_bank, "a")
    answered = q[q["n"] > 0]
    assert ((answered["lower"] >= 0.0) & (answered["upper"] <= 1.0)).all()
    assert (answered["lower"] <= answered["share"] + 1e-12).all()
    assert (answered["share"] <= answered["upper"] + 1e-12).all()
    # a share strictly between 0 and 1 has an interval of positive width on both sides
    inner = answered[(answered["k"] > 0) & (answered["k"] < answered["n"])]
    assert (inner["lower"] < inner["share"]).all() and (inner["share"] < inner["upper"]).all()


@SETTINGS
@given(rows=cases_lists)
def test_counts_match_a_direct_count(mini_bank: QuestionBank,
                                     rows: list[dict[str, Any]]) -> None:
    q = question_scores(frame(rows), mini_bank, "a")
    sufficient = {"report_quality": {"yes"}, "rmp": {"sufficient"}, "victim_safety": {"yes"},
                  "victim_offer": {"yes"}}
    for rec in q.to_dict("records"):
        values = [r[rec["question"]] for r in rows if r[rec["question"]] is not NA]
        assert rec["n"] == len(values)
        assert rec["k"] == sum(v in sufficient[rec["question"]] for v in values)


@SETTINGS
@given(rows=cases_lists, seed=st.integers(0, 2**32 - 1))
def test_case_order_changes_no_figure(mini_bank: QuestionBank, rows: list[dict[str, Any]],
                                      seed: int) -> None:
    original = frame(rows)
    order = np.random.default_rng(seed).permutation(len(original))
    shuffled = original.iloc[order].reset_index(drop=True)
    a = score_area(original, mini_bank, "a", resamples=RESAMPLES)
    b = score_area(shuffled, mini_bank, "a", resamples=RESAMPLES)
    # question figures (counts, shares, Wilson limits) are exact functions of the counts
    pd.testing.assert_frame_equal(by_question(a.questions), by_question(b.questions))
    # outcome, criterion and section scores are means of shares: equal up to float rounding.
    # The outcome bootstrap limits are NOT compared: the seeded resampling draws case
    # positions, so a different order of the same cases gives different (equally valid) limits.
    for table, key in ((a.outcomes, b.outcomes), (a.criteria, b.criteria),
                       (a.sections, b.sections)):
        np.testing.assert_allclose(table["score"].to_numpy(float), key["score"].to_numpy(float),
                                   rtol=1e-12, atol=1e-12, equal_nan=True)
    assert (a.outcomes["n_cases"] == b.outcomes["n_cases"]).all()
    pd.testing.assert_frame_equal(a.distributions, b.distributions)
    pd.testing.assert_frame_equal(a.factors, b.factors)


@SETTINGS
@given(rows=cases_lists, where=st.integers(0, 12), extra=st.integers(1, 3))
def test_not_applicable_cases_change_no_share(mini_bank: QuestionBank,
                                              rows: list[dict[str, Any]], where: int,
                                              extra: int) -> None:
    where = min(where, len(rows))
    padded = rows[:where] + [not_applicable_case()] * extra + rows[where:]
    a = score_area(frame(rows), mini_bank, "a", resamples=RESAMPLES)
    b = score_area(frame(padded), mini_bank, "a", resamples=RESAMPLES)
    pd.testing.assert_frame_equal(by_question(a.questions), by_question(b.questions))
    np.testing.assert_allclose(a.outcomes["score"].to_numpy(float),
                               b.outcomes["score"].to_numpy(float),
                               rtol=1e-12, atol=1e-12, equal_nan=True)
    np.testing.assert_allclose(a.criteria["score"].to_numpy(float),
                               b.criteria["score"].to_numpy(float),
                               rtol=1e-12, atol=1e-12, equal_nan=True)
    assert (b.outcomes["n_cases"] == len(rows) + extra).all()


@SETTINGS
@given(north=cases_lists, south=cases_lists)
def test_pooled_counts_are_sums(mini_bank: QuestionBank, north: list[dict[str, Any]],
                                south: list[dict[str, Any]]) -> None:
    a = by_question(question_scores(frame(north, "north"), mini_bank, "north"))
    b = by_question(question_scores(frame(south, "south"), mini_bank, "south"))
    pooled_frame = pd.concat([frame(north, "north"), frame(south, "south")], ignore_index=True)
    pooled = by_question(question_scores(pooled_frame, mini_bank, "all"))
    assert (pooled["n"] == a["n"] + b["n"]).all()
    assert (pooled["k"] == a["k"] + b["k"]).all()
    # the pooled share lies between the two areas' shares wherever both have one
    both = (a["n"] > 0) & (b["n"] > 0)
    low = np.minimum(a["share"], b["share"])[both]
    high = np.maximum(a["share"], b["share"])[both]
    assert ((low - 1e-12 <= pooled["share"][both]) & (pooled["share"][both] <= high + 1e-12)).all()


@SETTINGS
@given(rows=cases_lists)
def test_outcome_scores_are_proportions_and_bootstrap_is_ordered(
        mini_bank: QuestionBank, rows: list[dict[str, Any]]) -> None:
    s = score_area(frame(rows), mini_bank, "a", resamples=RESAMPLES)
    for rec in s.outcomes.to_dict("records"):
        if rec["n_questions"] == 0:
            assert math.isnan(rec["score"]) and math.isnan(rec["lower"])
        else:
            assert 0.0 <= rec["score"] <= 1.0
            assert 0.0 <= rec["lower"] <= rec["upper"] <= 1.0
    for table in (s.criteria, s.sections):
        scores = table["score"].dropna()
        assert ((scores >= 0.0) & (scores <= 1.0)).all()
