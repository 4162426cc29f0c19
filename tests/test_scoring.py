"""Scoring with hand-worked examples."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.core import paths
from analysis.method.bank import load_bank
from analysis.method.scoring import (
    combine,
    independent_counts,
    score_area,
    sensitivity_table,
)
from analysis.method.tables import write_tables
from analysis.method.validation import load_cases


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


def test_combine_applies_each_reading_by_hand() -> None:
    k = np.array([[1.0, 3.0, 0.0, 2.0]])
    n = np.array([[2.0, 4.0, 0.0, 8.0]])
    groups = [[0, 1], [2, 3]]  # two criteria; question 2 applied to no case
    assert combine(k, n, groups, "questions")[0] == pytest.approx((0.5 + 0.75 + 0.25) / 3)
    assert combine(k, n, groups, "criteria")[0] == pytest.approx((0.625 + 0.25) / 2)
    assert combine(k, n, groups, "pooled")[0] == pytest.approx(6 / 14)
    assert math.isnan(combine(k, n, [], "questions")[0])
    with pytest.raises(ValueError, match="unknown scoring reading"):
        combine(k, n, groups, "median")


def test_reading_comes_from_the_bank_and_is_recorded(mini_bank) -> None:  # type: ignore[no-untyped-def]
    frame = cases([
        {"rmp": "sufficient", "victim_safety": "yes"},
        {"rmp": "insufficient", "victim_safety": "yes"},
        {"rmp": "none", "victim_safety": "no"},
        {"case_type": "licence", "statutory_victim": "yes", "victim_offer": "yes"},
    ])
    pooled = score_area(frame, mini_bank.with_reading("pooled"), "a", resamples=50).outcomes
    row = pooled.set_index("outcome").loc[5]
    assert row["score"] == pytest.approx((2 + 1) / (3 + 1))  # questions would give 5/6
    assert set(pooled["reading"]) == {"pooled"}
    assert row["lower"] <= row["score"] <= row["upper"]


def test_independent_answers_narrow_the_interval_as_theory_says(mini_bank) -> None:  # type: ignore[no-untyped-def]
    # Two questions answered identically in each case: the outcome-4 score (their mean) has the
    # variance of one share; independent answers would halve it, so widths differ by sqrt(2).
    rng = np.random.default_rng(3)
    good = rng.random(400) < 0.6
    frame = cases([{"rmp": "sufficient" if g else "insufficient",
                    "victim_safety": "yes" if g else "no"} for g in good])
    row = score_area(frame, mini_bank, "a", resamples=4000).outcomes.set_index("outcome").loc[4]
    p = good.mean()
    assert row["upper"] - row["lower"] == pytest.approx(2 * 1.96 * math.sqrt(p * (1 - p) / 400),
                                                        rel=0.08)
    ratio = (row["upper"] - row["lower"]) / (row["upper_independent"] - row["lower_independent"])
    assert ratio == pytest.approx(math.sqrt(2), rel=0.08)


def test_independent_counts_have_the_law_of_drawing_cases() -> None:
    """The two binomials give each question's (k, n) the law of drawing its cases' indices
    with replacement: checked against that direct draw on the same answers (means, variances
    and the k-n covariance, within Monte Carlo error), and counts never exceed their bases."""
    rng = np.random.default_rng(11)
    applicable = (rng.random((40, 3)) < [1.0, 0.7, 0.3]).astype(float)
    sufficient = applicable * (rng.random((40, 3)) < [0.6, 1.0, 0.5])
    k, n = independent_counts(applicable, sufficient, 40_000, np.random.default_rng(1))
    drawn = np.random.default_rng(2).integers(0, 40, size=(40_000, 40))
    k_ref = np.stack([sufficient[drawn, j].sum(axis=1) for j in range(3)], axis=1)
    n_ref = np.stack([applicable[drawn, j].sum(axis=1) for j in range(3)], axis=1)
    assert (k <= n).all() and (n <= 40).all()
    assert np.allclose(k.mean(axis=0), k_ref.mean(axis=0), atol=0.06)
    assert np.allclose(n.mean(axis=0), n_ref.mean(axis=0), atol=0.06)
    assert np.allclose(k.var(axis=0), k_ref.var(axis=0), rtol=0.04, atol=0.01)
    assert np.allclose(n.var(axis=0), n_ref.var(axis=0), rtol=0.04, atol=0.01)
    cov = [np.cov(k[:, j], n[:, j])[0, 1] for j in range(3)]
    cov_ref = [np.cov(k_ref[:, j], n_ref[:, j])[0, 1] for j in range(3)]
    assert np.allclose(cov, cov_ref, rtol=0.05, atol=0.02)


def test_shuffled_case_file_gives_byte_identical_tables(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bank = load_bank()
    source = paths.REPO_ROOT / "data" / "cases" / "durham-tees-valley.csv"
    raw = pd.read_csv(source, dtype=str, keep_default_na=False)
    shuffled = tmp_path / "shuffled.csv"
    raw.sample(frac=1.0, random_state=11).to_csv(shuffled, index=False)
    assert raw["case_id"].tolist() != pd.read_csv(shuffled, dtype=str)["case_id"].tolist()
    written = []
    for name, path in (("original", source), ("shuffled", shuffled)):
        frame = load_cases([path], bank).area("durham-tees-valley")
        tables = score_area(frame, bank, "durham-tees-valley", resamples=300).as_dict()
        tables["sensitivity"] = sensitivity_table(frame, bank, "durham-tees-valley",
                                                  {1: 89, 2: 79, 3: 70, 4: 70, 5: 66})
        folder = tmp_path / name
        write_tables(tables, folder)
        written.append({p.name: p.read_bytes() for p in sorted(folder.iterdir())})
    assert written[0].keys() == written[1].keys() and len(written[0]) == 17
    for name in written[0]:
        assert written[0][name] == written[1][name], name
