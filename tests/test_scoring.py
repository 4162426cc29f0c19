"""Scoring with hand-worked examples."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.method.scoring import score_area


def cases(rows: list[dict[str, object]]) -> pd.DataFrame:
    base = {"area_id": "a", "case_type": "community_order", "statutory_victim": "no",
            "report_type": pd.NA, "report_quality": pd.NA, "rmp": pd.NA,
            "victim_safety": pd.NA, "victim_offer": pd.NA}
    out = []
    for i, r in enumerate(rows):
        rec = dict(base, case_id=f"c{i}")
        rec.update(r)
        out.append(rec)
    return pd.DataFrame(out, dtype=object)


def q(scores, question: str, outcome: int | None = None) -> pd.Series:  # type: ignore[no-untyped-def]
    t = scores.questions
    sub = t[t["question"] == question]
    if outcome is not None:
        sub = sub[sub["outcome"] == outcome]
    return sub.iloc[0]


def test_hand_worked_area(mini_bank) -> None:  # type: ignore[no-untyped-def]
    frame = cases([
        {"report_type": "short", "report_quality": "yes", "rmp": "sufficient",
         "victim_safety": "yes"},
        {"report_type": "full", "report_quality": "no", "rmp": "insufficient",
         "victim_safety": "yes"},
        {"report_type": "oral", "rmp": "none", "victim_safety": "no"},
        {"case_type": "licence", "statutory_victim": "yes", "victim_offer": "yes"},
    ])
    s = score_area(frame, mini_bank, "a", resamples=200)
    # report quality: typed reports only -> 1 of 2
    assert (q(s, "report_quality")["n"], q(s, "report_quality")["k"]) == (2, 1)
    # RMP: sufficient / insufficient / none -> 1 of 3
    assert q(s, "rmp")["share"] == pytest.approx(1 / 3)
    # victim safety feeds outcomes 4 and 5 with the same figure
    assert q(s, "victim_safety", 4)["share"] == q(s, "victim_safety", 5)["share"] == 2 / 3
    out = s.outcomes.set_index("outcome")["score"]
    assert out[1] == pytest.approx(0.5)
    assert out[4] == pytest.approx((1 / 3 + 2 / 3) / 2)
    assert out[5] == pytest.approx((2 / 3 + 1.0) / 2)
    crit = s.criteria.set_index("criterion")["score"]
    assert crit["5.2"] == pytest.approx((2 / 3 + 1.0) / 2)
    sections = s.sections.set_index("section")["score"]
    assert sections["assessment_planning"] == pytest.approx((0.5 + 1 / 3) / 2)


def test_n_zero_is_not_applicable_never_zero(mini_bank) -> None:  # type: ignore[no-untyped-def]
    frame = cases([{"report_type": "oral", "rmp": "sufficient"}])
    s = score_area(frame, mini_bank, "a", resamples=50)
    row = q(s, "report_quality")
    assert row["n"] == 0 and math.isnan(row["share"]) and math.isnan(row["lower"])
    assert math.isnan(s.outcomes.set_index("outcome")["score"][1])
    assert s.outcomes.set_index("outcome")["score"][4] == 1.0


def test_one_case(mini_bank) -> None:  # type: ignore[no-untyped-def]
    s = score_area(cases([{"rmp": "insufficient"}]), mini_bank, "a", resamples=50)
    row = q(s, "rmp")
    assert (row["n"], row["k"], row["share"]) == (1, 0, 0.0)
    assert row["lower"] == 0.0 and 0.7 < row["upper"] < 0.8  # Wilson 0/1: [0, 0.7935]


def test_bootstrap_is_deterministic_and_brackets_the_score(mini_bank) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(1)
    rows = [{"rmp": rng.choice(["sufficient", "insufficient"]),
             "victim_safety": rng.choice(["yes", "no"])} for _ in range(40)]
    frame = cases(rows)
    a = score_area(frame, mini_bank, "a", resamples=300).outcomes
    b = score_area(frame, mini_bank, "a", resamples=300).outcomes
    pd.testing.assert_frame_equal(a, b)
    row = a.set_index("outcome").loc[4]
    assert row["lower"] <= row["score"] <= row["upper"]
    other = score_area(frame, mini_bank, "a", resamples=300, seed=7).outcomes
    assert other.set_index("outcome").loc[4, "lower"] != row["lower"]


def test_distributions_and_crosstab_counts(mini_bank) -> None:  # type: ignore[no-untyped-def]
    frame = cases([{"report_type": "oral"}, {"report_type": "oral"}, {"report_type": "none"}])
    d = score_area(frame, mini_bank, "a", resamples=20).distributions
    oral = d[(d["variable"] == "report_type") & (d["level"] == "oral")].iloc[0]
    assert (oral["count"], oral["n"]) == (2, 3)
