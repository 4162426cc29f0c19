"""Cross-area statistics of analysis.method.crossarea, checked against hand-worked examples.

Pooled figures are sums over cases (each case counts once); means of area figures count each
area once; the comparisons table judges a question once per area, with limits that widen by
the spread between areas (none when areas vary no more than binomial noise).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.method import crossarea, positions


def qrow(area: str, question: str, k: int, n: int, outcome: int = 1, order: int = 1,
         key: bool = True, criterion: str = "1.1") -> dict[str, object]:
    return {"area_id": area, "outcome": outcome, "criterion": criterion, "question": question,
            "label": question.upper(), "key": key, "order": order, "k": k, "n": n,
            "share": k / n if n else math.nan}


def questions(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows)


# pooled questions ---------------------------------------------------------------------
def test_pooled_share_is_sum_k_over_sum_n_and_mean_counts_each_area_once() -> None:
    q = questions([qrow("a", "q1", 9, 10), qrow("b", "q1", 10, 100)])
    p = crossarea.pooled_questions(q)
    assert len(p) == 1
    r = p.iloc[0]
    assert (r["k"], r["n"]) == (19, 110)
    assert r["pooled"] == pytest.approx(19 / 110)
    assert r["mean_of_areas"] == pytest.approx((0.9 + 0.1) / 2) == pytest.approx(0.5)
    assert r["n_areas"] == 2
    # Wilson 95% interval of 19/110, written out
    z = 1.959963984540054
    p_hat, n = 19 / 110, 110
    centre = (p_hat + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p_hat * (1 - p_hat) / n + z * z / (4 * n * n))
    assert r["lower"] == pytest.approx(centre - half)
    assert r["upper"] == pytest.approx(centre + half)


def test_question_feeding_two_outcomes_is_pooled_in_each() -> None:
    rows = []
    for area, k, n in (("a", 3, 4), ("b", 5, 10)):
        rows.append(qrow(area, "victim_safety", k, n, outcome=4, order=7))
        rows.append(qrow(area, "victim_safety", k, n, outcome=5, order=2))
        rows.append(qrow(area, "victim_offer", 1, 2, outcome=5, order=3))
    p = crossarea.pooled_questions(questions(rows))
    vs = p[p["question"] == "victim_safety"]
    assert sorted(vs["outcome"]) == [4, 5]
    # each outcome's row pools the cases once: 8/14, not 16/28 twice in one row
    assert list(vs["k"]) == [8, 8] and list(vs["n"]) == [14, 14]
    assert vs["pooled"].tolist() == pytest.approx([8 / 14, 8 / 14])
    assert list(p["outcome"]) == sorted(p["outcome"])


def test_area_with_no_applicable_case_is_left_out_of_the_mean_and_the_count() -> None:
    q = questions([qrow("a", "q1", 3, 4), qrow("b", "q1", 0, 0), qrow("c", "q1", 1, 4)])
    r = crossarea.pooled_questions(q).iloc[0]
    assert (r["k"], r["n"]) == (4, 8)
    assert r["mean_of_areas"] == pytest.approx(0.5)   # (0.75 + 0.25) / 2, not / 3
    assert r["n_areas"] == 2


def test_question_applying_nowhere_is_nan_not_zero() -> None:
    q = questions([qrow("a", "q1", 0, 0), qrow("b", "q1", 0, 0)])
    r = crossarea.pooled_questions(q).iloc[0]
    assert r["n"] == 0 and r["n_areas"] == 0
    assert math.isnan(r["pooled"]) and math.isnan(r["lower"]) and math.isnan(r["upper"])
    assert math.isnan(r["mean_of_areas"])


# pooled outcomes ----------------------------------------------------------------------
def outcome_frame(rows: list[tuple[str, int, float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame([{"area_id": a, "outcome": o, "title": f"Outcome {o}", "score": s,
                          "lower": lo, "upper": hi} for a, o, s, lo, hi in rows])


def test_pooled_outcome_is_mean_of_pooled_question_shares_skipping_n0() -> None:
    q = questions([
        qrow("a", "q1", 9, 10, order=1), qrow("b", "q1", 10, 100, order=1),   # 19/110
        qrow("a", "q2", 1, 2, order=2), qrow("b", "q2", 3, 6, order=2),       # 4/8
        qrow("a", "q3", 0, 0, order=3), qrow("b", "q3", 0, 0, order=3),       # n/a
    ])
    pooled_q = crossarea.pooled_questions(q)
    outcomes = outcome_frame([("a", 1, 0.7, 0.6, 0.8), ("b", 1, 0.3, 0.2, 0.4)])
    po = crossarea.pooled_outcomes(pooled_q, outcomes)
    r = po.iloc[0]
    assert r["pooled"] == pytest.approx((19 / 110 + 0.5) / 2)
    assert r["n_questions"] == 2
    assert r["mean_of_areas"] == pytest.approx(0.5)
    assert r["n_areas"] == 2


def _decide(rows: list[dict[str, object]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The comparisons and dispersion tables of these question rows (no outcomes)."""
    no_outcomes = outcome_frame([("x", 1, 0.5, 0.4, 0.6)]).iloc[0:0]
    return positions.comparisons(questions(rows), no_outcomes, pd.Series(dtype=float))


def test_outcome_decision_allows_for_the_spread_between_areas() -> None:
    """Outcome scores far apart with narrow intervals: the areas differ, so none is unusual
    among them, however narrow its own interval; the gap is still there to read."""
    outcomes = outcome_frame([("hi", 1, 0.7, 0.68, 0.72), ("lo", 1, 0.3, 0.28, 0.32),
                              ("mid", 1, 0.5, 0.48, 0.52), ("edge", 1, 0.45, 0.43, 0.47)])
    table, _ = positions.comparisons(questions([qrow("hi", "q1", 1, 2)]), outcomes,
                                       pd.Series({1: 0.5}))
    rows = table[table["kind"] == "outcome"].set_index("area_id")
    assert (rows["decision"] == "within").all()
    assert rows["gap"].to_dict() == pytest.approx({"hi": 0.2, "lo": -0.2, "mid": 0.0,
                                                   "edge": -0.05})
    assert rows.loc["hi", "gap_lower"] > 0 and rows.loc["lo", "gap_upper"] < 0


# question decisions --------------------------------------------------------------------
def test_a_question_is_decided_once_per_area_against_the_pooled_share() -> None:
    ks = [40, 30, 20, 5, 45]
    ns = [50, 50, 50, 50, 50]
    areas = ["a", "b", "c", "d", "e"]
    rows = [qrow(a, "q1", k, n) for a, k, n in zip(areas, ks, ns, strict=True)]
    # the same question also feeds outcome 2: it must be judged once per area
    rows += [qrow(a, "q1", k, n, outcome=2) for a, k, n in zip(areas, ks, ns, strict=True)]
    rows.append(qrow("f", "q1", 0, 0))   # an area where it never applied: no comparison
    table, disp = _decide(rows)
    assert list(table["area_id"]) == areas
    assert table["pooled"].tolist() == pytest.approx([sum(ks) / sum(ns)] * 5)
    assert disp.iloc[0]["n_areas"] == 5
    assert disp.iloc[0]["outside"] == int((table["decision"] != "within").sum())


def test_binomial_areas_get_no_spread_and_the_binomial_limits() -> None:
    ks = [24, 26, 25, 23, 27, 25]
    rows = [qrow(f"a{i}", "q1", k, 50) for i, k in enumerate(ks)]
    table, disp = _decide(rows)
    d = disp.iloc[0]
    assert not d["dispersed"] and d["limits"] == "binomial" and d["rho"] == 0
    assert (table["limits"] == "binomial").all() and (table["decision"] == "within").all()


def test_areas_that_differ_widen_the_limits() -> None:
    # 12 areas of 80 cases whose true shares run from 20% to 95%: far more spread than
    # binomial noise around one pooled share allows
    ns = [80] * 12
    ks = [16, 22, 28, 34, 40, 46, 52, 58, 64, 70, 74, 76]
    rows = [qrow(f"area-{i:02d}", "q1", k, n) for i, (k, n) in enumerate(zip(ks, ns,
                                                                             strict=True))]
    table, disp = _decide(rows)
    d = disp.iloc[0]
    assert d["rho"] > 0.1 and bool(d["dispersed"]) and d["limits"] == "beta-binomial"
    assert d["spread"] == pytest.approx(math.sqrt(d["rho"] * d["pooled"] * (1 - d["pooled"])))
    assert (table["limits"] == "beta-binomial").all()
    plain_lo, plain_hi = positions.plain_limits(sum(ks) / sum(ns), np.array(ns, float))
    assert (table["lower"] < plain_lo).all() and (table["upper"] > plain_hi).all()
    plain = ((table["share"] > plain_hi) | (table["share"] < plain_lo)).sum()
    assert int((table["decision"] != "within").sum()) == 0 < plain


def test_question_with_no_applicable_case_anywhere_has_no_comparison() -> None:
    rows = [qrow("a", "q1", 0, 0), qrow("b", "q1", 0, 0), qrow("a", "q2", 3, 4),
            qrow("b", "q2", 2, 4)]
    table, disp = _decide(rows)
    assert set(table["measure"]) == {"q2"} and list(disp["measure"]) == ["q2"]


def test_single_area_or_extreme_pooled_share_flags_nothing() -> None:
    table, disp = _decide([qrow("a", "q1", 3, 4)])
    assert disp.iloc[0]["rho"] == 0 and not disp.iloc[0]["dispersed"]
    assert table.iloc[0]["decision"] == "within" and math.isnan(table.iloc[0]["gap_lower"])
    table, disp = _decide([qrow("a", "q1", 4, 4), qrow("b", "q1", 9, 9)])
    assert disp.iloc[0]["pooled"] == 1.0 and not disp.iloc[0]["dispersed"]
    assert (table["decision"] == "within").all() and (table["limits"] == "binomial").all()


def test_comparison_tables_from_two_areas() -> None:
    def area(area_id: str, k: int, n: int, score: float) -> dict[str, pd.DataFrame]:
        return {"question_scores": questions([qrow(area_id, "q1", k, n)]),
                "outcome_scores": outcome_frame([(area_id, 1, score, score - 0.1,
                                                  score + 0.1)]),
                "factors": pd.DataFrame(), "distributions": pd.DataFrame()}

    t = crossarea.comparison_tables({"a": area("a", 9, 10, 0.9), "b": area("b", 10, 100, 0.1)})
    assert set(t) >= {"pooled_questions", "pooled_outcomes", "comparisons", "dispersion",
                      "outcome_scores", "question_scores"}
    assert "funnel_flags" not in t
    assert t["pooled_outcomes"].iloc[0]["pooled"] == pytest.approx(19 / 110)
    assert t["pooled_outcomes"].iloc[0]["mean_of_areas"] == pytest.approx(0.5)
    rows = t["comparisons"]
    decided = rows[rows["kind"] == "outcome"].set_index("area_id")
    # two areas say nothing of how areas spread: t on one degree of freedom marks neither
    assert (decided["decision"] == "within").all()
    assert decided["gap"].to_dict() == pytest.approx({"a": 0.9 - 19 / 110, "b": 0.1 - 19 / 110})
    assert rows[rows["kind"] == "outcome"]["pooled"].tolist() == pytest.approx([19 / 110] * 2)


# valid data that answers nothing (issue #14) ---------------------------------------------
def test_no_question_answered_anywhere_keeps_the_tables_columns() -> None:
    """An area where no question applies: the comparison tables are empty of questions but
    keep their columns, so chapters can select an area's rows (was KeyError: 'area_id')."""
    nothing = {"question_scores": questions([qrow("a", "q1", 0, 0)]),
               "outcome_scores": outcome_frame([("a", 1, math.nan, math.nan, math.nan)]),
               "factors": pd.DataFrame(), "distributions": pd.DataFrame()}
    t = crossarea.comparison_tables({"a": nothing})
    rows = t["comparisons"]
    assert {"area_id", "measure", "kind", "decision"} <= set(rows.columns)
    assert rows[(rows["area_id"] == "a") & (rows["kind"] == "question")].empty


def test_every_area_table_empty_keeps_its_columns() -> None:
    empty = {"a": {"factors": pd.DataFrame(columns=["area_id", "factor"])},
             "b": {"factors": pd.DataFrame(columns=["area_id", "factor"])}}
    assert list(crossarea.concat(empty, "factors").columns) == ["area_id", "factor"]


def test_outcome_with_no_answered_question_counts_zero_questions() -> None:
    """A single case may answer no question of an outcome: 0 questions, not NaN."""
    pooled_q = crossarea.pooled_questions(questions([qrow("a", "q1", 0, 0)]))
    po = crossarea.pooled_outcomes(pooled_q, outcome_frame([("a", 1, math.nan, math.nan,
                                                                math.nan)]))
    assert po["n_questions"].tolist() == [0] and po["n_questions"].dtype.kind == "i"
    assert math.isnan(po["pooled"].iloc[0])


# outcome replicates -----------------------------------------------------------------------
def test_outcome_replicates_are_each_areas_own_bootstrap() -> None:
    """Rebuilt from the resample counts, each area's outcome replicates give back the
    interval its scoring wrote, and the all-areas replicate pools every area's resample b."""
    from analysis.core import paths
    from analysis.method.bank import load_bank
    from analysis.method.catalogue import load_areas
    from analysis.method.scoring import score_area
    from analysis.method.validation import load_cases

    bank = load_bank()
    areas = [a for a in load_areas(paths.data_dir("")) if a.id in ("haskbrook", "varnwater")]
    cases = load_cases([a.cases for a in areas], bank)
    tables = {a.id: score_area(cases.area(a.id), bank, a.id, resamples=300).as_dict()
              for a in areas}
    q = crossarea.concat(tables, "question_scores")
    o = crossarea.concat(tables, "outcome_scores")
    reps = crossarea.outcome_replicates(tables, q, o)
    assert reps is not None and sorted(reps) == [1, 2, 3, 4, 5]
    scored = o.set_index(["area_id", "outcome"])
    k = sum(t["bootstrap_counts"].filter(like="k:").to_numpy(float) for t in tables.values())
    n = sum(t["bootstrap_counts"].filter(like="n:").to_numpy(float) for t in tables.values())
    cols = [c[2:] for c in tables["haskbrook"]["bootstrap_counts"].columns if c[:2] == "k:"]
    for outcome, r in reps.items():
        assert r.scores.shape == (2, 300)
        for i, area in enumerate(r.areas):
            lo, hi = np.percentile(r.scores[i], [2.5, 97.5])
            assert lo == pytest.approx(scored.loc[(area, outcome), "lower"])
            assert hi == pytest.approx(scored.loc[(area, outcome), "upper"])
        mine = [cols.index(x) for x in q[(q["outcome"] == outcome)]["question"].unique()
                if q[q["question"] == x]["n"].sum() > 0]
        with np.errstate(invalid="ignore", divide="ignore"):
            by_hand = np.nanmean(k[:, mine] / n[:, mine], axis=1)
        assert r.pooled == pytest.approx(by_hand)
    no_counts = {a: {**t, "bootstrap_counts": pd.DataFrame()} for a, t in tables.items()}
    assert crossarea.outcome_replicates(no_counts, q, o) is None
